/* Reading a saved signed answer (/block, /call or /governance JSON) back into the typed data its
 * signature covers, so that `candor verify` can recompute the digest offline. */
#ifndef CANDOR_SVC_ANSWER_H
#define CANDOR_SVC_ANSWER_H

#include <json-c/json.h>

#include "dvn/dvn.h"
#include "src/eip712.h"

typedef struct {
    bool is_call;
    svc_block_claim block;
    uint8_t request_hash[32], result_hash[32]; /* calls */
    uint8_t digest[32];        /* recomputed from the fields */
    uint8_t claimed_digest[32];
    uint8_t signature[65];
    cd_address signer;         /* as the answer states it */
    /* A /dvn/verify answer (src/dvn_answer.c): the DvnPacket fields and, when present, the
     * multisig part, whose signature must recover to the same signer. */
    bool is_dvn;
    dvn_answer dvn;
    bool has_multisig;
    uint8_t multisig_digest[32], multisig_signature[65];
    bool is_governance;        /* a /governance answer (block = the block it was proven at) */
} svc_answer;

/* Parses and recomputes. CD_ERR_BAD_JSON / CD_ERR_BAD_HEX name the offending field. */
CD_MUST_CHECK cd_status svc_answer_parse(json_object *answer, svc_answer *out, cd_error *err);
/* The DVN part of svc_answer_parse / svc_answer_verify (src/dvn_answer.c). */
CD_MUST_CHECK cd_status svc_dvn_answer_parse(json_object *answer, svc_answer *out, cd_error *err);
CD_MUST_CHECK cd_status svc_dvn_answer_verify(const svc_answer *a, cd_error *err);
/* The Block claim of an answer object (its own fields, or its "block" member). */
CD_MUST_CHECK cd_status svc_answer_parse_block(json_object *b, svc_block_claim *c, cd_error *err);
/* Full offline check: digest matches the fields, signature recovers to `signer`. */
CD_MUST_CHECK cd_status svc_answer_verify(const svc_answer *a, cd_error *err);

#endif
