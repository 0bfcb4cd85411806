#include "src/answer.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "src/governance.h"
#include "src/signer.h"

static json_object *get(json_object *o, const char *k) {
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

CD_MUST_CHECK static cd_status get_u64_number(json_object *o, const char *k, uint64_t *out, cd_error *err) {
    json_object *v = get(o, k);
    if (v && json_object_is_type(v, json_type_int)) {
        int64_t x = json_object_get_int64(v);
        if (x < 0) return cd_fail(err, CD_ERR_BAD_JSON, "%s is negative", k);
        *out = json_object_get_uint64(v);
        return CD_OK;
    }
    if (v && json_object_is_type(v, json_type_string)) return api_get_u64(v, k, out, err);
    return cd_fail(err, CD_ERR_BAD_JSON, "answer has no numeric '%s'", k);
}

cd_status svc_answer_parse_block(json_object *b, svc_block_claim *c, cd_error *err) {
    memset(c, 0, sizeof *c);
    json_object *beacon = get(b, "beacon"), *fin = get(b, "finalized");
    cd_status s = get_u64_number(b, "chainId", &c->chain_id, err);
    if (s == CD_OK) s = get_u64_number(b, "number", &c->number, err);
    if (s == CD_OK) s = api_get_hash(get(b, "hash"), "hash", &c->block_hash, err);
    if (s == CD_OK) s = api_get_hash(get(b, "stateRoot"), "stateRoot", &c->state_root, err);
    if (s == CD_OK) s = api_get_hash(get(b, "receiptsRoot"), "receiptsRoot", &c->receipts_root, err);
    if (s == CD_OK) s = get_u64_number(beacon, "slot", &c->beacon_slot, err);
    if (s == CD_OK) s = api_get_hash(get(beacon, "root"), "beacon.root", &c->beacon_root, err);
    if (s == CD_OK && (!fin || !json_object_is_type(fin, json_type_boolean)))
        s = cd_fail(err, CD_ERR_BAD_JSON, "answer has no boolean 'finalized'");
    if (s == CD_OK) c->finalized = json_object_get_boolean(fin);
    return s;
}

cd_status svc_answer_parse(json_object *a, svc_answer *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (!a || !json_object_is_type(a, json_type_object)) return cd_fail(err, CD_ERR_BAD_JSON, "answer must be a JSON object");
    cd_hash32 d;
    cd_status s = api_get_hash(get(a, "digest"), "digest", &d, err);
    if (s != CD_OK) return s;
    memcpy(out->claimed_digest, d.b, 32);
    const char *sig = json_object_get_string(get(a, "signature"));
    if (!sig || strncmp(sig, "0x", 2) || strlen(sig) != 132 || cd_hex_decode_exact(sig, out->signature, 65) != CD_OK)
        return cd_fail(err, CD_ERR_BAD_HEX, "signature: expected 0x followed by 130 hex digits");
    if ((s = api_get_address(get(a, "signer"), "signer", &out->signer, err)) != CD_OK) return s;
    if (get(a, "packetHeader")) return svc_dvn_answer_parse(a, out, err);
    if (get(a, "measurements")) { /* a /governance answer (src/gov_answer.c) */
        gov_snapshot *g = malloc(sizeof *g);
        if (!g) return cd_fail(err, CD_ERR_NOMEM, "governance answer");
        out->is_governance = true;
        s = svc_gov_answer_read(a, g, out->digest, err);
        if (s == CD_OK) svc_gov_claim(g, &out->block);
        free(g);
        return s;
    }
    json_object *resp = get(a, "response");
    out->is_call = resp != NULL;
    if (!out->is_call) {
        if ((s = svc_answer_parse_block(a, &out->block, err)) != CD_OK) return s;
        svc_eip712_block_digest(&out->block, out->digest);
        return CD_OK;
    }
    if ((s = svc_answer_parse_block(get(a, "block"), &out->block, err)) != CD_OK) {
        cd_error_prefix(err, "block: ");
        return s;
    }
    json_object *rq = get(a, "request");
    if (!rq) return cd_fail(err, CD_ERR_BAD_JSON, "call answer has no 'request'");
    svc_call_request req;
    memset(&req, 0, sizeof req);
    cd_buf input = {0}, output = {0};
    s = api_get_address(get(rq, "from"), "request.from", &req.from, err);
    if (s == CD_OK) s = api_get_address(get(rq, "to"), "request.to", &req.to, err);
    if (s == CD_OK) s = api_get_quantity(get(rq, "value"), "request.value", &req.value, err);
    if (s == CD_OK) s = api_get_u64(get(rq, "gas"), "request.gas", &req.gas, err);
    if (s == CD_OK) s = api_get_data(get(rq, "input"), "request.input", 1 << 20, &input, err);
    svc_call_result res;
    memset(&res, 0, sizeof res);
    if (s == CD_OK) s = get_u64_number(a, "gasUsed", &res.gas_used, err);
    if (s == CD_OK) {
        json_object *v;
        if ((v = get(resp, "Success")) != NULL) {
            res.status = SVC_CALL_SUCCESS;
            s = api_get_data(v, "response.Success", 1 << 24, &output, err);
        } else if ((v = get(resp, "Revert")) != NULL) {
            res.status = SVC_CALL_REVERT;
            s = api_get_data(v, "response.Revert", 1 << 24, &output, err);
        } else if ((v = get(resp, "Halt")) != NULL && json_object_is_type(v, json_type_string)) {
            res.status = SVC_CALL_HALT;
            s = cd_buf_append(&output, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        } else {
            s = cd_fail(err, CD_ERR_BAD_JSON, "response must hold Success, Revert or Halt");
        }
    }
    if (s == CD_OK) {
        req.input = cd_buf_bytes(&input);
        res.output = cd_buf_bytes(&output);
        svc_eip712_hash_request(&req, out->request_hash);
        svc_eip712_hash_result(&res, out->result_hash);
        svc_eip712_call_digest(&out->block, out->request_hash, out->result_hash, out->digest);
    }
    cd_buf_free(&input);
    cd_buf_free(&output);
    return s;
}

cd_status svc_answer_verify(const svc_answer *a, cd_error *err) {
    if (memcmp(a->digest, a->claimed_digest, 32))
        return cd_fail(err, CD_ERR_BAD_SIGNATURE, "digest does not match the answer's fields (the answer was altered)");
    cd_address who;
    if (svc_recover_address(a->digest, a->signature, &who) != CD_OK)
        return cd_fail(err, CD_ERR_BAD_SIGNATURE, "signature is malformed or does not recover");
    if (!cd_address_eq(&who, &a->signer)) {
        char h[43];
        cd_hex_encode(h, who.b, 20);
        return cd_fail(err, CD_ERR_BAD_SIGNATURE, "signature recovers to %s, not the stated signer", h);
    }
    if (a->is_dvn) return svc_dvn_answer_verify(a, err);
    return CD_OK;
}
