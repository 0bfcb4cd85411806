/* candor quote verify --governance-answer: is a verified quote's measurement id approved by
 * a saved /governance answer? The answer is trusted only as far as its signature goes:
 * checked here, and pinned to one signer with --signer. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "src/answer.h"
#include "src/governance.h"

#define GOV_ANSWER_MAX (1u << 20) /* 64 + 64 entries of ≤ 256-byte strings fit many times over */

CD_MUST_CHECK static cd_status bad(cd_error *err, const char *why) {
    return cd_fail(err, CD_ERR_GOV_BAD_ANSWER, "bad governance answer: %s", why);
}

cd_status svc_quote_governance_check(const char *path, const char *signer_hex, const uint8_t id[32], uint64_t at,
                                     svc_quote_governance *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    cd_buf text = {0};
    json_object *j = NULL;
    cd_error why;
    cd_error_clear(&why);
    cd_status st = cd_read_file(path, GOV_ANSWER_MAX, &text);
    if (st != CD_OK) {
        cd_buf_free(&text);
        cd_fail(&why, st, "cannot read %s: %s", path, cd_status_str(st));
        return bad(err, cd_error_text(&why));
    }
    st = api_json_parse(text.data ? (const char *)text.data : "", text.len, &j, &why);
    cd_buf_free(&text);
    svc_answer a;
    memset(&a, 0, sizeof a);
    if (st == CD_OK) st = svc_answer_parse(j, &a, &why);
    if (st == CD_OK && !a.is_governance) st = cd_fail(&why, CD_ERR_BAD_JSON, "not a /governance answer");
    if (st == CD_OK) st = svc_answer_verify(&a, &why);
    if (st == CD_OK && signer_hex) {
        cd_address want;
        if (strlen(signer_hex) != 42 || strncmp(signer_hex, "0x", 2) || cd_hex_decode_exact(signer_hex, want.b, 20) != CD_OK)
            st = cd_fail(&why, CD_ERR_BAD_HEX, "--signer must be 0x followed by 40 hex digits");
        else if (!cd_address_eq(&want, &a.signer))
            st = cd_fail(&why, CD_ERR_BAD_SIGNATURE, "signed by another address than --signer");
    }
    gov_snapshot *snap = st == CD_OK ? malloc(sizeof *snap) : NULL;
    if (st == CD_OK && !snap) st = cd_fail(&why, CD_ERR_NOMEM, "out of memory");
    uint8_t digest[32];
    if (st == CD_OK) st = svc_gov_answer_read(j, snap, digest, &why);
    json_object_put(j);
    if (st != CD_OK) {
        free(snap);
        return bad(err, cd_error_text(&why));
    }
    out->answer_ok = true;
    out->signer = a.signer;
    out->block_number = snap->block.number;
    out->block_timestamp = snap->block.timestamp;
    st = gov_check_measurement(snap, id, at, &why);
    free(snap);
    out->approved = st == CD_OK;
    switch (st) {
    case CD_OK: return CD_OK;
    case CD_ERR_GOV_REVOKED: return cd_fail(err, st, "revoked: %s", cd_error_text(&why));
    case CD_ERR_GOV_EXPIRED: return cd_fail(err, st, "expired: %s", cd_error_text(&why));
    default: return cd_fail(err, CD_ERR_GOV_NOT_APPROVED, "not approved: %s", cd_error_text(&why));
    }
}

cd_status svc_quote_json_extend(cd_buf *json, const uint8_t *id, const svc_quote_governance *g) {
    json_object *o = NULL;
    cd_status st = api_json_parse(json->data ? (const char *)json->data : "", json->len, &o, NULL);
    if (st != CD_OK) return st;
    if (id) json_object_object_add(o, "measurementId", api_json_hex(id, 32));
    if (g) {
        json_object *e = json_object_new_object();
        if (!e) {
            json_object_put(o);
            return CD_ERR_NOMEM;
        }
        json_object_object_add(e, "answerVerified", json_object_new_boolean(g->answer_ok));
        if (g->answer_ok) {
            json_object_object_add(e, "signer", api_json_hex(g->signer.b, 20));
            json_object_object_add(e, "block", json_object_new_uint64(g->block_number));
            json_object_object_add(e, "blockTimestamp", json_object_new_uint64(g->block_timestamp));
        }
        json_object_object_add(e, "approved", json_object_new_boolean(g->approved));
        json_object_object_add(o, "governance", e);
    }
    size_t len = 0;
    const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    json->len = 0;
    st = cd_buf_append(json, text, len);
    json_object_put(o);
    return st;
}
