/* attest: the measurement id of a verified report — the one key governance approves.
 * One definition per TEE so that ids compare with systems people already run:
 *   TDX:   keccak256(mrTd ‖ rtMr0 ‖ rtMr1 ‖ rtMr2 ‖ rtMr3 ‖ mrConfigId ‖ xFAM ‖ tdAttributes),
 *          raw bytes (Flashtestations' workloadId);
 *   Nitro: keccak256(PCR0 ‖ PCR1 ‖ PCR2);
 *   mock:  keccak256(the 48-byte mock measurement).
 * mrOwner, mrOwnerConfig, RTMR-independent fields and the TCB are deliberately left out:
 * they describe the platform or the operator, not the build. */
#include <string.h>

#include "attest/att_internal.h"
#include "crypto/keccak.h"

cd_status att_measurement_id(const att_report *rep, uint8_t out[32]) {
    keccak256_ctx k;
    keccak256_init(&k);
    switch (rep->format) {
    case ATT_FORMAT_TDX:
        keccak256_update(&k, rep->mrtd, ATT_MR_LEN);
        for (int i = 0; i < 4; i++) keccak256_update(&k, rep->rtmr[i], ATT_MR_LEN);
        keccak256_update(&k, rep->mrconfigid, ATT_MR_LEN);
        keccak256_update(&k, rep->xfam, sizeof rep->xfam);
        keccak256_update(&k, rep->td_attributes, sizeof rep->td_attributes);
        break;
    case ATT_FORMAT_NITRO:
        /* A document without PCR0..2 has no build identity to approve. */
        if ((rep->pcr_present & 7u) != 7u) return CD_ERR_INVALID_ARG;
        for (int i = 0; i < 3; i++) keccak256_update(&k, rep->pcrs[i], ATT_MR_LEN);
        break;
    case ATT_FORMAT_MOCK:
        keccak256_update(&k, rep->mrtd, ATT_MR_LEN);
        break;
    default:
        return CD_ERR_INVALID_ARG;
    }
    keccak256_final(&k, out);
    return CD_OK;
}
