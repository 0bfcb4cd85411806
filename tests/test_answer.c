/* Signed answers as the service builds them, checked the way `candor verify` checks them:
 * a genuine answer verifies, and changing any signed field, the digest, the signature or
 * the stated signer makes verification fail. */
#include <stdlib.h>

#include "src/answer.h"
#include "src/service.h"
#include "tests/test.h"

static json_object *block_answer(svc_service *s, const svc_head *h) {
    json_object *o = json_object_new_object();
    uint8_t d[32];
    svc_eip712_block_digest(&h->claim, d);
    if (svc_add_block_fields(o, h) != CD_OK || svc_add_signature(s, o, d) != CD_OK) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static cd_status check(json_object *o) {
    svc_answer a;
    cd_error e;
    cd_status st = svc_answer_parse(o, &a, &e);
    return st == CD_OK ? svc_answer_verify(&a, &e) : st;
}

static void set_hex(json_object *o, const char *k, const char *v) { json_object_object_add(o, k, json_object_new_string(v)); }

static void test_block_answer(test_ctx *t) {
    svc_service *s = calloc(1, sizeof *s);
    uint8_t sk[32];
    memset(sk, 0x33, 32);
    cd_error e;
    if (!s) return;
    CHECK_OK(t, svc_signer_from_secret(&s->signer, sk, &e));
    svc_head h;
    memset(&h, 0, sizeof h);
    h.claim.chain_id = 31337;
    h.claim.number = 42;
    memset(h.claim.block_hash.b, 1, 32);
    memset(h.claim.state_root.b, 2, 32);
    memset(h.claim.receipts_root.b, 3, 32);
    h.claim.beacon_slot = 50;
    memset(h.claim.beacon_root.b, 4, 32);
    json_object *o = block_answer(s, &h);
    CHECK(t, o != NULL);
    if (!o) return;
    CHECK_OK(t, check(o));
    CHECK_EQ_STR(t, json_object_get_string(json_object_object_get(o, "blocknum")), "42");

    static const char *const hash_fields[] = {"hash", "stateRoot", "receiptsRoot"};
    for (size_t i = 0; i < 3; i++) {
        json_object *c = NULL;
        json_object_deep_copy(o, &c, NULL);
        set_hex(c, hash_fields[i], "0x0909090909090909090909090909090909090909090909090909090909090909");
        CHECK_ERR(t, check(c), CD_ERR_BAD_SIGNATURE);
        json_object_put(c);
    }
    json_object *c = NULL;
    json_object_deep_copy(o, &c, NULL);
    json_object_object_add(c, "number", json_object_new_int(43));
    CHECK_ERR(t, check(c), CD_ERR_BAD_SIGNATURE);
    json_object_object_add(c, "number", json_object_new_int(42));
    json_object_object_add(c, "finalized", json_object_new_boolean(true));
    CHECK_ERR(t, check(c), CD_ERR_BAD_SIGNATURE);
    json_object_object_add(c, "finalized", json_object_new_boolean(false));
    json_object_object_add(json_object_object_get(c, "beacon"), "slot", json_object_new_int(51));
    CHECK_ERR(t, check(c), CD_ERR_BAD_SIGNATURE);
    json_object_put(c);
    /* A digest recomputed by the forger does not help without the key. */
    c = NULL;
    json_object_deep_copy(o, &c, NULL);
    json_object_object_add(c, "chainId", json_object_new_int(1));
    svc_answer a;
    if (svc_answer_parse(c, &a, &e) == CD_OK) {
        memcpy(a.claimed_digest, a.digest, 32);
        CHECK_ERR(t, svc_answer_verify(&a, &e), CD_ERR_BAD_SIGNATURE);
    } else {
        CHECK(t, false);
    }
    set_hex(c, "signer", "0x0000000000000000000000000000000000000001");
    CHECK_FAILS(t, check(c));
    json_object_put(c);
    c = NULL;
    json_object_deep_copy(o, &c, NULL);
    set_hex(c, "signature", "0x1234");
    CHECK_ERR(t, check(c), CD_ERR_BAD_HEX);
    json_object_object_del(c, "digest");
    CHECK_FAILS(t, check(c));
    json_object_put(c);
    json_object_put(o);
    svc_signer_free(s->signer);
    free(s);
}

static void test_call_answer(test_ctx *t) {
    /* A hand-built /call answer: request and result fields take part in the digest. */
    svc_service *s = calloc(1, sizeof *s);
    uint8_t sk[32];
    memset(sk, 0x44, 32);
    cd_error e;
    if (!s) return;
    CHECK_OK(t, svc_signer_from_secret(&s->signer, sk, &e));
    svc_head h;
    memset(&h, 0, sizeof h);
    h.claim.chain_id = 1;
    h.claim.number = 7;
    h.claim.finalized = true;
    svc_call_request rq;
    memset(&rq, 0, sizeof rq);
    memset(rq.to.b, 0x11, 20);
    static const uint8_t input[4] = {0x18, 0x16, 0x0d, 0xdd};
    static const uint8_t output[2] = {0xbe, 0xef};
    rq.input = cd_bytes_make(input, 4);
    svc_call_result rs = {SVC_CALL_SUCCESS, 21000, cd_bytes_make(output, 2)};
    uint8_t hq[32], hr[32], d[32];
    svc_eip712_hash_request(&rq, hq);
    svc_eip712_hash_result(&rs, hr);
    svc_eip712_call_digest(&h.claim, hq, hr, d);
    json_object *o = json_object_new_object(), *blk = json_object_new_object(), *req = json_object_new_object(),
                *resp = json_object_new_object();
    CHECK_OK(t, svc_add_block_fields(blk, &h));
    set_hex(req, "from", "0x0000000000000000000000000000000000000000");
    set_hex(req, "to", "0x1111111111111111111111111111111111111111");
    set_hex(req, "value", "0x0");
    set_hex(req, "gas", "0x0");
    set_hex(req, "input", "0x18160ddd");
    set_hex(resp, "Success", "0xbeef");
    json_object_object_add(o, "block", blk);
    json_object_object_add(o, "request", req);
    json_object_object_add(o, "response", resp);
    json_object_object_add(o, "gasUsed", json_object_new_int(21000));
    CHECK_OK(t, svc_add_signature(s, o, d));
    CHECK_OK(t, check(o));
    set_hex(resp, "Success", "0xbeee");
    CHECK_ERR(t, check(o), CD_ERR_BAD_SIGNATURE);
    set_hex(resp, "Success", "0xbeef");
    set_hex(req, "gas", "0x1");
    CHECK_ERR(t, check(o), CD_ERR_BAD_SIGNATURE);
    set_hex(req, "gas", "0x0");
    json_object_object_add(o, "gasUsed", json_object_new_int(21001));
    CHECK_ERR(t, check(o), CD_ERR_BAD_SIGNATURE);
    json_object_object_add(o, "gasUsed", json_object_new_int(21000));
    json_object_object_del(resp, "Success");
    set_hex(resp, "Revert", "0xbeef");
    CHECK_ERR(t, check(o), CD_ERR_BAD_SIGNATURE);
    json_object_object_del(resp, "Revert");
    CHECK_ERR(t, check(o), CD_ERR_BAD_JSON);
    json_object_put(o);
    svc_signer_free(s->signer);
    free(s);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_answer");
    TEST_RUN(&t, test_block_answer);
    TEST_RUN(&t, test_call_answer);
    return test_finish(&t);
}
