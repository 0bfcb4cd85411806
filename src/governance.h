/* The daemon's governance state: the allowlist and member list read from the governance
 * contract (issue 9, gov/ does the reading) at the newest finalized verified head, and the
 * questions the rest of the daemon asks of it. Thread-safe. */
#ifndef CANDOR_SVC_GOVERNANCE_H
#define CANDOR_SVC_GOVERNANCE_H
#include <stdint.h>

#include "common/common.h"

struct svc_service;

/* Admits a peer by the current governance snapshot: its measurement id approved and inside
 * its validity window at `now` (unix seconds), and its node signing address an active
 * member. CD_OK, or a CD_ERR_GOV_* status with the reason in err. Fails closed
 * (CD_ERR_GOV_STALE) when no snapshot newer than --governance-max-age exists. */
CD_MUST_CHECK cd_status svc_governance_admit(struct svc_service *s, const uint8_t measurement_id[32],
                                             const uint8_t signer[20], uint64_t now, cd_error *err);

/* Increases each time a newly read snapshot differs from the one before, so that holders
 * of decisions made on an older one (admitted peers) re-check. 0 before the first. */
uint64_t svc_governance_generation(struct svc_service *s);

#endif
