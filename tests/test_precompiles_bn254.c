/* BN254 (crypto/bn254 and precompiles 0x06-0x08): known answers, group laws, pairing
 * bilinearity, subgroup and encoding checks. */
#include <stdlib.h>

#include "crypto/bn254.h"
#include "evm/precompiles.h"
#include "tests/test.h"

/* G2 generator in EIP-197 byte order (x_im, x_re, y_im, y_re). */
static const char *G2_GEN_HEX =
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
/* On the twist but not in the order-r subgroup (x = 1). */
static const char *TWIST_NOT_G2_HEX =
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0d1271953ed9ea0836846e70a1934187998c7f790cb4d7511b7f8da82de048a4"
    "2869111d5381f072f8e2728fdb825a51aadd70e52c9830e9ab4b871c0531f1bb";
static const char *G1_GEN_HEX =
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002";
static const char *ORDER_R_HEX = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";

static cd_address pc_addr(uint8_t low) {
    cd_address a;
    memset(&a, 0, sizeof a);
    a.b[19] = low;
    return a;
}

static void g1_gen(test_ctx *t, bn254_g1 *g) {
    uint8_t b[64];
    CHECK_EQ_INT(t, test_unhex(G1_GEN_HEX, b, sizeof b), 64);
    CHECK_OK(t, bn254_g1_from_bytes(g, b));
}

static void g2_gen(test_ctx *t, bn254_g2 *g) {
    uint8_t b[128];
    CHECK_EQ_INT(t, test_unhex(G2_GEN_HEX, b, sizeof b), 128);
    CHECK_OK(t, bn254_g2_from_bytes(g, b));
}

static void scalar_u64(uint8_t k[32], uint64_t v) {
    memset(k, 0, 32);
    for (int i = 0; i < 8; i++) k[31 - i] = (uint8_t)(v >> (8 * i));
}

static void test_g1_group_law(test_ctx *t) {
    bn254_g1 g, d, s, m, inf;
    g1_gen(t, &g);
    bn254_g1_double(&d, &g);
    bn254_g1_add(&s, &g, &g);
    CHECK(t, bn254_g1_eq(&d, &s));
    uint8_t out[64], want[64];
    bn254_g1_to_bytes(&d, out);
    /* 2G */
    test_unhex("030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
               "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4", want, 64);
    CHECK_EQ_BYTES(t, out, 64, want, 64);
    /* k G by scalar multiplication equals k additions */
    uint8_t k[32];
    bn254_g1 acc;
    memset(&acc, 0, sizeof acc);
    for (uint64_t i = 1; i <= 20; i++) {
        bn254_g1_add(&acc, &acc, &g);
        scalar_u64(k, i);
        bn254_g1_mul(&m, &g, k);
        CHECK(t, bn254_g1_eq(&m, &acc));
        /* affine conversion (a field inversion) must land back on the same point */
        bn254_g1 back;
        bn254_g1_to_bytes(&m, out);
        CHECK_OK(t, bn254_g1_from_bytes(&back, out));
        CHECK(t, bn254_g1_eq(&back, &m));
    }
    /* r G = infinity, (r + 1) G = G, G + (-G) = infinity */
    CHECK_EQ_INT(t, test_unhex(ORDER_R_HEX, k, 32), 32);
    bn254_g1_mul(&m, &g, k);
    CHECK(t, bn254_g1_is_infinity(&m));
    bn254_g1_to_bytes(&m, out);
    memset(want, 0, 64);
    CHECK_EQ_BYTES(t, out, 64, want, 64);
    k[31] += 1;
    bn254_g1_mul(&m, &g, k);
    CHECK(t, bn254_g1_eq(&m, &g));
    bn254_g1_neg(&inf, &g);
    bn254_g1_add(&inf, &inf, &g);
    CHECK(t, bn254_g1_is_infinity(&inf));
}

static void test_g1_decoding(test_ctx *t) {
    uint8_t b[64];
    bn254_g1 g;
    test_unhex(G1_GEN_HEX, b, 64);
    b[63] = 3; /* (1, 3) is not on the curve */
    CHECK_ERR(t, bn254_g1_from_bytes(&g, b), CD_ERR_NOT_ON_CURVE);
    /* x = p + 1 is non-canonical for x = 1 */
    test_unhex("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd48"
               "0000000000000000000000000000000000000000000000000000000000000002", b, 64);
    CHECK_ERR(t, bn254_g1_from_bytes(&g, b), CD_ERR_BAD_POINT_ENCODING);
    memset(b, 0, 64);
    CHECK_OK(t, bn254_g1_from_bytes(&g, b));
    CHECK(t, bn254_g1_is_infinity(&g));
    b[63] = 1; /* (0, 1) is not on the curve */
    CHECK_ERR(t, bn254_g1_from_bytes(&g, b), CD_ERR_NOT_ON_CURVE);
}

static void test_g2_checks(test_ctx *t) {
    bn254_g2 g, m, d, s;
    g2_gen(t, &g);
    uint8_t b[128], out[128];
    test_unhex(G2_GEN_HEX, b, 128);
    bn254_g2_to_bytes(&g, out);
    CHECK_EQ_BYTES(t, out, 128, b, 128);
    bn254_g2_double(&d, &g);
    bn254_g2_add(&s, &g, &g);
    CHECK(t, bn254_g2_eq(&d, &s));
    uint8_t k[32];
    scalar_u64(k, 2);
    bn254_g2_mul(&m, &g, k);
    CHECK(t, bn254_g2_eq(&m, &d));
    for (uint64_t i = 3; i < 8; i++) { /* affine round trip through the subgroup check */
        bn254_g2 back;
        scalar_u64(k, i * 1000003);
        bn254_g2_mul(&m, &g, k);
        bn254_g2_to_bytes(&m, out);
        CHECK_OK(t, bn254_g2_from_bytes(&back, out));
        CHECK(t, bn254_g2_eq(&back, &m));
    }
    /* Swapping the Fp2 halves (real first) is a different, off-curve point. */
    uint8_t sw[128];
    memcpy(sw, b + 32, 32);
    memcpy(sw + 32, b, 32);
    memcpy(sw + 64, b + 96, 32);
    memcpy(sw + 96, b + 64, 32);
    CHECK_ERR(t, bn254_g2_from_bytes(&m, sw), CD_ERR_NOT_ON_CURVE);
    test_unhex(TWIST_NOT_G2_HEX, b, 128);
    CHECK_ERR(t, bn254_g2_from_bytes(&m, b), CD_ERR_NOT_IN_SUBGROUP);
    memset(b, 0, 128);
    CHECK_OK(t, bn254_g2_from_bytes(&m, b));
    CHECK(t, bn254_g2_is_infinity(&m));
    memset(b, 0xff, 32);
    CHECK_ERR(t, bn254_g2_from_bytes(&m, b), CD_ERR_BAD_POINT_ENCODING);
}

/* e(aP, bQ) * e(-ab P, Q) == 1, and off-by-one products are not 1. */
static void test_pairing_bilinear(test_ctx *t) {
    bn254_g1 g, ps[2];
    bn254_g2 h, qs[2];
    g1_gen(t, &g);
    g2_gen(t, &h);
    bool one = false;
    bn254_pairing_check(&g, &h, 1, &one);
    CHECK(t, !one); /* non-degenerate */
    uint64_t pairs[][2] = {{1, 1}, {2, 3}, {12345, 6789}, {0xfffffff1, 0x1000003}};
    for (size_t i = 0; i < CD_ARRAY_LEN(pairs); i++) {
        uint8_t ka[32], kb[32], kab[32];
        uint64_t a = pairs[i][0], b = pairs[i][1];
        scalar_u64(ka, a);
        scalar_u64(kb, b);
        unsigned __int128 ab = (unsigned __int128)a * b;
        memset(kab, 0, 32);
        for (int j = 0; j < 16; j++) kab[31 - j] = (uint8_t)(ab >> (8 * j));
        bn254_g1_mul(&ps[0], &g, ka);
        bn254_g2_mul(&qs[0], &h, kb);
        bn254_g1_mul(&ps[1], &g, kab);
        bn254_g1_neg(&ps[1], &ps[1]);
        qs[1] = h;
        bn254_pairing_check(ps, qs, 2, &one);
        CHECK(t, one);
        /* swap the scalars between the groups: e(bP, aQ) e(-abP, Q) = 1 too */
        bn254_g1_mul(&ps[0], &g, kb);
        bn254_g2_mul(&qs[0], &h, ka);
        bn254_pairing_check(ps, qs, 2, &one);
        CHECK(t, one);
        bn254_g1_add(&ps[1], &ps[1], &g);
        bn254_pairing_check(ps, qs, 2, &one);
        CHECK(t, !one);
    }
    bn254_pairing_check(NULL, NULL, 0, &one);
    CHECK(t, one);
}

static void run_hex(test_ctx *t, evm_fork fork, uint8_t low, const char *hex, uint64_t gas_limit,
                    cd_status want_status, const char *want_hex, uint64_t want_gas) {
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *in = malloc(cap);
    uint8_t want[64];
    if (!in) {
        CHECK(t, !"allocation");
        return;
    }
    long n = test_unhex(hex, in, cap);
    CHECK(t, n >= 0);
    cd_address a = pc_addr(low);
    cd_buf out = {0};
    uint64_t used = 0;
    CHECK_ERR(t, evm_precompile_run(fork, &a, cd_bytes_make(in, (size_t)n), gas_limit, &used, &out),
              want_status);
    if (want_status == CD_OK) {
        long wn = test_unhex(want_hex, want, sizeof want);
        CHECK_EQ_BYTES(t, out.data, out.len, want, (size_t)wn);
        CHECK_EQ_U64(t, used, want_gas);
    } else {
        CHECK_EQ_U64(t, out.len, 0);
    }
    cd_buf_free(&out);
    free(in);
}

static void test_precompile_add_mul(test_ctx *t) {
    const char *two_g = "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
                        "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4";
    char in[600];
    snprintf(in, sizeof in, "%s%s", G1_GEN_HEX, G1_GEN_HEX);
    run_hex(t, EVM_ISTANBUL, 6, in, 150, CD_OK, two_g, 150);
    run_hex(t, EVM_BYZANTIUM, 6, in, 500, CD_OK, two_g, 500);
    run_hex(t, EVM_BYZANTIUM, 6, in, 499, CD_ERR_EVM_PRECOMPILE_OOG, "", 0);
    /* empty input: infinity + infinity */
    run_hex(t, EVM_CANCUN, 6, "", 150, CD_OK,
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            150);
    /* G + truncated G reads (1, 0): not on the curve */
    snprintf(in, sizeof in, "%s%.64s", G1_GEN_HEX, G1_GEN_HEX);
    run_hex(t, EVM_CANCUN, 6, in, 150, CD_ERR_EVM_PRECOMPILE_FAILED, "", 0);
    /* longer input is ignored past 128 bytes */
    snprintf(in, sizeof in, "%s%sff", G1_GEN_HEX, G1_GEN_HEX);
    run_hex(t, EVM_CANCUN, 6, in, 150, CD_OK, two_g, 150);
    /* mul by 2, by 0, gas per fork */
    snprintf(in, sizeof in, "%s%064x", G1_GEN_HEX, 2);
    run_hex(t, EVM_ISTANBUL, 7, in, 6000, CD_OK, two_g, 6000);
    run_hex(t, EVM_BYZANTIUM, 7, in, 40000, CD_OK, two_g, 40000);
    run_hex(t, EVM_ISTANBUL, 7, in, 5999, CD_ERR_EVM_PRECOMPILE_OOG, "", 0);
    snprintf(in, sizeof in, "%s", G1_GEN_HEX);
    run_hex(t, EVM_ISTANBUL, 7, in, 6000, CD_OK,
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            6000);
}

static void test_precompile_pairing(test_ctx *t) {
    uint8_t one[32] = {0}, zero[32] = {0};
    one[31] = 1;
    char hex_one[65], hex_zero[65];
    snprintf(hex_one, sizeof hex_one, "%s", test_hex(one, 32) + 2);
    snprintf(hex_zero, sizeof hex_zero, "%s", test_hex(zero, 32) + 2);
    /* empty input: 1 */
    run_hex(t, EVM_ISTANBUL, 8, "", 45000, CD_OK, hex_one, 45000);
    run_hex(t, EVM_BYZANTIUM, 8, "", 100000, CD_OK, hex_one, 100000);
    /* e(G, H) e(-G, H) = 1; -G = (1, p - 2) */
    const char *neg_g = "0000000000000000000000000000000000000000000000000000000000000001"
                        "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45";
    char in[1200];
    snprintf(in, sizeof in, "%s%s%s%s", G1_GEN_HEX, G2_GEN_HEX, neg_g, G2_GEN_HEX);
    run_hex(t, EVM_ISTANBUL, 8, in, 113000, CD_OK, hex_one, 113000);
    run_hex(t, EVM_BYZANTIUM, 8, in, 260000, CD_OK, hex_one, 260000);
    run_hex(t, EVM_ISTANBUL, 8, in, 112999, CD_ERR_EVM_PRECOMPILE_OOG, "", 0);
    snprintf(in, sizeof in, "%s%s", G1_GEN_HEX, G2_GEN_HEX);
    run_hex(t, EVM_ISTANBUL, 8, in, 79000, CD_OK, hex_zero, 79000);
    /* a pair with an infinity contributes 1 */
    snprintf(in, sizeof in, "%0128x%s", 0, G2_GEN_HEX);
    run_hex(t, EVM_ISTANBUL, 8, in, 79000, CD_OK, hex_one, 79000);
    /* not a multiple of 192 bytes; G2 point outside the subgroup */
    snprintf(in, sizeof in, "%s%s00", G1_GEN_HEX, G2_GEN_HEX);
    run_hex(t, EVM_ISTANBUL, 8, in, 1000000, CD_ERR_EVM_PRECOMPILE_FAILED, "", 0);
    snprintf(in, sizeof in, "%s%s", G1_GEN_HEX, TWIST_NOT_G2_HEX);
    run_hex(t, EVM_ISTANBUL, 8, in, 1000000, CD_ERR_EVM_PRECOMPILE_FAILED, "", 0);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_precompiles_bn254");
    TEST_RUN(&t, test_g1_group_law);
    TEST_RUN(&t, test_g1_decoding);
    TEST_RUN(&t, test_g2_checks);
    TEST_RUN(&t, test_pairing_bilinear);
    TEST_RUN(&t, test_precompile_add_mul);
    TEST_RUN(&t, test_precompile_pairing);
    return test_finish(&t);
}
