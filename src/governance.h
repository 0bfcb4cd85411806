/* The daemon's governance state: the allowlist and member list read from the governance
 * contract (issue 9, gov/ does the reading) at the newest finalized verified head, and the
 * questions the rest of the daemon asks of it. Thread-safe.
 *
 * Reading: a worker thread (off the sync thread's path) watches the finalized head; on each
 * new one it proves the contract's account and every slot it needs with eth_getProof at that
 * head's state root (src/state.h) and, only when everything verified and decoded, replaces
 * the snapshot. Never `latest`, never an unproven value. Fail closed: a snapshot whose block
 * is older than --governance-max-age counts as none (CD_ERR_GOV_STALE). */
#ifndef CANDOR_SVC_GOVERNANCE_H
#define CANDOR_SVC_GOVERNANCE_H
#include <stdint.h>

#include "api/api.h"
#include "common/common.h"
#include "gov/gov.h"
#include "src/eip712.h"

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

/* ---- lifecycle (service.c, cmd_serve.c) ---- */
/* Allocates the state (s->gov). CD_ERR_CONFIG for --require-approved without --governance. */
CD_MUST_CHECK cd_status svc_governance_init(struct svc_service *s, cd_error *err);
void svc_governance_free(struct svc_service *s);
/* Computes the own measurement id and, with --governance, starts the reader thread. */
CD_MUST_CHECK cd_status svc_governance_start(struct svc_service *s, cd_error *err);
/* Joins the reader thread (after s->stop is set). */
void svc_governance_stop(struct svc_service *s);

/* Forgets the cached signed /governance answer (the signing key changed: src/peers.c). */
void svc_governance_drop_answer(struct svc_service *s);

/* ---- answers (backend.c) ---- */
/* Adds GET /governance and puts the --require-approved gate in front of /block and /call. */
void svc_governance_backend(struct svc_service *s, api_backend *b);
/* The gate svc_add_signature asks before every signature: CD_OK unless --require-approved
 * and this build's measurement is not approved by a fresh snapshot (reason in err). */
CD_MUST_CHECK cd_status svc_governance_may_sign(struct svc_service *s, cd_error *err);
/* The "governance" member of /health, and the self-check fields of /attest. */
void svc_governance_health(struct svc_service *s, json_object *health);
void svc_governance_attest_fields(struct svc_service *s, json_object *attest);

/* ---- the signed /governance answer (src/gov_answer.c, docs/signing.md) ---- */
/* The block claim of a snapshot (what Block covers), and the EIP-712 digest that is signed. */
void svc_gov_claim(const gov_snapshot *snap, svc_block_claim *out);
void svc_gov_digest(const gov_snapshot *snap, uint8_t digest[32]);
/* Adds "governance", "owner", "block", "measurements", "members" to an answer object. */
CD_MUST_CHECK cd_status svc_gov_answer_fields(json_object *o, const gov_snapshot *snap);
/* Reads a saved answer back: every field, bounded like the contract reader (CD_ERR_BAD_JSON /
 * CD_ERR_BAD_HEX / CD_ERR_GOV_BOUNDS naming the field), and recomputes the digest. Does not
 * check the signature (svc_answer_verify does). */
CD_MUST_CHECK cd_status svc_gov_answer_read(json_object *answer, gov_snapshot *out, uint8_t digest[32], cd_error *err);

/* ---- candor quote verify --governance-answer (src/gov_quote.c) ---- */
typedef struct {
    bool answer_ok;          /* signature (and --signer) checked */
    cd_address signer;
    uint64_t block_number;
    uint64_t block_timestamp;
    bool approved;
} svc_quote_governance;
/* Loads the saved answer at `path`, checks its signature (and that it is by `signer_hex` when
 * given), then whether `id` is approved at `at`. CD_ERR_GOV_BAD_ANSWER, _NOT_APPROVED,
 * _REVOKED or _EXPIRED, each with a reason that starts with those words. */
CD_MUST_CHECK cd_status svc_quote_governance_check(const char *path, const char *signer_hex, const uint8_t id[32],
                                                   uint64_t at, svc_quote_governance *out, cd_error *err);
/* Adds "measurementId" (if id) and "governance" (if g) to the JSON object text in `json`. */
CD_MUST_CHECK cd_status svc_quote_json_extend(cd_buf *json, const uint8_t *id, const svc_quote_governance *g);

#endif
