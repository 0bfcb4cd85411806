/* Placeholder until the governance reader lands: nothing is admitted by governance. */
#include "src/governance.h"

cd_status svc_governance_admit(struct svc_service *s, const uint8_t measurement_id[32],
                               const uint8_t signer[20], uint64_t now, cd_error *err) {
    (void)s, (void)measurement_id, (void)signer, (void)now;
    return cd_fail(err, CD_ERR_GOV_STALE, "governance is not read by this build");
}

uint64_t svc_governance_generation(struct svc_service *s) {
    (void)s;
    return 0;
}
