/* Signer and EIP-712 digests, against a vector computed independently in JavaScript with
 * @noble/hashes + @noble/curves (tests/vectors/gen_eip712.cjs). */
#include <ftw.h>
#include <stdlib.h>

#include "src/eip712.h"
#include "src/signer.h"
#include "src/store.h"
#include "tests/test.h"

static void unhex(const char *h, uint8_t *out, size_t n) {
    if (test_unhex(h, out, n) != (long)n) memset(out, 0, n);
}

static void sample(svc_block_claim *b, svc_call_request *r, svc_call_result *res, uint8_t input[36],
                   uint8_t output[32]) {
    memset(b, 0, sizeof *b);
    b->chain_id = 1;
    b->number = 21925176;
    memset(b->block_hash.b, 0xaa, 32);
    memset(b->state_root.b, 0xbb, 32);
    memset(b->receipts_root.b, 0xcc, 32);
    b->beacon_slot = 10248000;
    memset(b->beacon_root.b, 0xdd, 32);
    b->finalized = true;
    memset(r, 0, sizeof *r);
    memset(r->to.b, 0x11, 20);
    r->value.w[0] = 5;
    r->gas = 30000000;
    memset(input, 0, 36);
    memcpy(input, "\x70\xa0\x82\x31", 4);
    memset(input + 16, 0x22, 20);
    r->input = cd_bytes_make(input, 36);
    memset(output, 0, 32);
    output[31] = 1;
    res->status = SVC_CALL_SUCCESS;
    res->gas_used = 2345;
    res->output = cd_bytes_make(output, 32);
}

static void test_vector(test_ctx *t) {
    svc_block_claim b;
    svc_call_request r;
    svc_call_result res;
    uint8_t input[36], output[32], got[32], want[32], sig[65], want_sig[65];
    sample(&b, &r, &res, input, output);

    svc_eip712_domain_separator(1, got);
    unhex("e1e0b1988c87e116b792cdac239b9be6b4d48e5da36092db08a6cf61bfe65b40", want, 32);
    CHECK_EQ_BYTES(t, got, 32, want, 32);
    uint8_t rq[32], rs[32];
    svc_eip712_hash_request(&r, rq);
    unhex("5578495011fc64e26f2e5c458115b3b3e7872ce1a8686debcd8c544eb4214409", want, 32);
    CHECK_EQ_BYTES(t, rq, 32, want, 32);
    svc_eip712_hash_result(&res, rs);
    unhex("ad4d08331fcfc80c13a13ddf721dca432d87a64529cf1b94f97befd55e7252e3", want, 32);
    CHECK_EQ_BYTES(t, rs, 32, want, 32);

    uint8_t sk[32];
    memset(sk, 0x11, 32);
    svc_signer *s = NULL;
    cd_error e;
    CHECK_OK(t, svc_signer_from_secret(&s, sk, &e));
    if (!s) return;
    uint8_t addr[20];
    unhex("19e7e376e7c213b7e7e7e46cc70a5dd086daff2a", addr, 20);
    CHECK_EQ_BYTES(t, svc_signer_address(s)->b, 20, addr, 20);

    svc_eip712_block_digest(&b, got);
    unhex("d217a07eebbe9d89ec5446203d78b321235967d726f28c5a17f2947ee89f39df", want, 32);
    CHECK_EQ_BYTES(t, got, 32, want, 32);
    CHECK_OK(t, svc_signer_sign(s, got, sig));
    unhex("03a535ccff21810bab8e4f7a872311fddd42159f4d0e28e69caf77ca63ba2fe242e0052fe1d8f00db92c2468b6c122e0b51e26137429bb6e1dfc4bdf9bc58c221b",
          want_sig, 65);
    CHECK_EQ_BYTES(t, sig, 65, want_sig, 65); /* RFC 6979: deterministic, same as noble */

    svc_eip712_call_digest(&b, rq, rs, got);
    unhex("6555520f191e983dcc20eec48b38ac4ac1664fce277f2be8f0c46dc242c57a80", want, 32);
    CHECK_EQ_BYTES(t, got, 32, want, 32);
    CHECK_OK(t, svc_signer_sign(s, got, sig));
    unhex("9b7babd9df51d898122e82be3cfc666a7d95abee06aafb8414c7d21dce9068071195ca0830138908aec42d89bfdf70af207c6fa4910b54f42aeeff6c630459891c",
          want_sig, 65);
    CHECK_EQ_BYTES(t, sig, 65, want_sig, 65);
    cd_address rec;
    CHECK_OK(t, svc_recover_address(got, sig, &rec));
    CHECK_EQ_BYTES(t, rec.b, 20, addr, 20);
    svc_signer_free(s);
}

static void test_digest_covers_every_field(test_ctx *t) {
    svc_block_claim b, b2;
    svc_call_request r;
    svc_call_result res;
    uint8_t input[36], output[32], d0[32], d1[32];
    sample(&b, &r, &res, input, output);
    svc_eip712_block_digest(&b, d0);
    for (int field = 0; field < 8; field++) {
        b2 = b;
        switch (field) {
        case 0: b2.chain_id++; break;
        case 1: b2.number++; break;
        case 2: b2.block_hash.b[31] ^= 1; break;
        case 3: b2.state_root.b[0] ^= 1; break;
        case 4: b2.receipts_root.b[5] ^= 1; break;
        case 5: b2.beacon_slot++; break;
        case 6: b2.beacon_root.b[9] ^= 1; break;
        case 7: b2.finalized = false; break;
        }
        svc_eip712_block_digest(&b2, d1);
        if (!memcmp(d0, d1, 32)) test_fail_at(t, __FILE__, __LINE__, "field %d not covered", field);
    }
    uint8_t h0[32], h1[32];
    svc_eip712_hash_result(&res, h0);
    res.status = SVC_CALL_REVERT;
    svc_eip712_hash_result(&res, h1);
    CHECK(t, memcmp(h0, h1, 32) != 0);
}

static void test_recover_rejects(test_ctx *t) {
    uint8_t sk[32], d[32], sig[65];
    memset(sk, 0x42, 32);
    memset(d, 0x07, 32);
    svc_signer *s = NULL;
    cd_error e;
    CHECK_OK(t, svc_signer_from_secret(&s, sk, &e));
    if (!s) return;
    CHECK_OK(t, svc_signer_sign(s, d, sig));
    cd_address a;
    CHECK_OK(t, svc_recover_address(d, sig, &a));
    CHECK(t, cd_address_eq(&a, svc_signer_address(s)));
    uint8_t bad[65];
    memcpy(bad, sig, 65);
    bad[64] = 29;
    CHECK_ERR(t, svc_recover_address(d, bad, &a), CD_ERR_BAD_SIGNATURE);
    memcpy(bad, sig, 65);
    memset(bad, 0xff, 32); /* r >= n */
    CHECK_ERR(t, svc_recover_address(d, bad, &a), CD_ERR_BAD_SIGNATURE);
    /* The malleable twin (n - s, flipped v) recovers the same key but is refused. */
    static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                  0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    memcpy(bad, sig, 65);
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int v = n[i] - sig[32 + i] - borrow;
        borrow = v < 0;
        bad[32 + i] = (uint8_t)(v & 0xff);
    }
    bad[64] = sig[64] == 27 ? 28 : 27;
    CHECK_ERR(t, svc_recover_address(d, bad, &a), CD_ERR_BAD_SIGNATURE);
    memcpy(bad, sig, 65);
    bad[10] ^= 1;
    if (svc_recover_address(d, bad, &a) == CD_OK) CHECK(t, !cd_address_eq(&a, svc_signer_address(s)));
    uint8_t zero[32] = {0};
    svc_signer *bad_key = NULL;
    CHECK_ERR(t, svc_signer_from_secret(&bad_key, zero, &e), CD_ERR_BAD_SCALAR);
    CHECK(t, bad_key == NULL);
    svc_signer_free(s);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void test_sealed_key_persists(test_ctx *t) {
    char dir[] = "/tmp/candor-signer-XXXXXX";
    CHECK(t, mkdtemp(dir) != NULL);
    uint8_t key[32];
    memset(key, 3, 32);
    cd_error e;
    svc_store *st = NULL;
    CHECK_OK(t, svc_store_open(&st, dir, key, &e));
    if (!st) return;
    svc_signer *a = NULL, *b = NULL;
    bool created = false;
    CHECK_OK(t, svc_signer_load_or_create(&a, st, &created, &e));
    CHECK(t, created);
    svc_store_close(st);
    CHECK_OK(t, svc_store_open(&st, dir, key, &e));
    if (st) CHECK_OK(t, svc_signer_load_or_create(&b, st, &created, &e));
    CHECK(t, !created);
    CHECK(t, a && b && cd_address_eq(svc_signer_address(a), svc_signer_address(b)));
    svc_signer_free(a);
    svc_signer_free(b);
    svc_store_close(st);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_signer");
    TEST_RUN(&t, test_vector);
    TEST_RUN(&t, test_digest_covers_every_field);
    TEST_RUN(&t, test_recover_rejects);
    TEST_RUN(&t, test_sealed_key_persists);
    return test_finish(&t);
}
