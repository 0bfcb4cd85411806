/* EIP-2537 BLS12-381 precompiles and EIP-4844 point evaluation: known answers from the
 * EIP-2537 test vectors (assets/eip-2537 JSON files), group-law properties through the
 * precompile ABI, encoding and subgroup rules, gas schedule. */
#include <stdlib.h>

#include "crypto/bls12_381.h"
#include "evm/precompiles.h"
#include "tests/test.h"

static cd_address pc_addr(uint8_t low) {
    cd_address a;
    memset(&a, 0, sizeof a);
    a.b[19] = low;
    return a;
}

/* Runs precompile `low` at Prague on `in`; returns the status, output in `out`. */
static cd_status run(uint8_t low, const uint8_t *in, size_t len, uint64_t *gas, cd_buf *out) {
    cd_address a = pc_addr(low);
    out->len = 0;
    return evm_precompile_run(EVM_PRAGUE, &a, cd_bytes_make(in, len), 10000000, gas, out);
}

static void run_hex(test_ctx *t, uint8_t low, const char *in_hex, const char *want_hex,
                    uint64_t want_gas) {
    size_t cap = strlen(in_hex) / 2 + 1, wcap = strlen(want_hex) / 2 + 1;
    uint8_t *in = malloc(cap), *want = malloc(wcap);
    if (!in || !want) {
        CHECK(t, !"allocation");
        free(in);
        free(want);
        return;
    }
    long n = test_unhex(in_hex, in, cap), wn = test_unhex(want_hex, want, wcap);
    CHECK(t, n >= 0 && wn >= 0);
    cd_buf out = {0};
    uint64_t gas = 0;
    CHECK_OK(t, run(low, in, (size_t)n, &gas, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, want, (size_t)wn);
    CHECK_EQ_U64(t, gas, want_gas);
    cd_buf_free(&out);
    free(in);
    free(want);
}

/* Encodings of the generators and helpers to build inputs. */
static void enc_fp(uint8_t out[64], const bls_fp *a) {
    memset(out, 0, 16);
    bls_fp_to_bytes(out + 16, a);
}
static void enc_g1(uint8_t out[128], const bls_g1 *p) {
    memset(out, 0, 128);
    if (bls_g1_is_infinity(p)) return;
    bls_g1_affine a;
    bls_g1_to_affine(&a, p);
    enc_fp(out, &a.x);
    enc_fp(out + 64, &a.y);
}
static void enc_g2(uint8_t out[256], const bls_g2 *p) {
    memset(out, 0, 256);
    if (bls_g2_is_infinity(p)) return;
    bls_g2_affine a;
    bls_g2_to_affine(&a, p);
    enc_fp(out, &a.x.c0);
    enc_fp(out + 64, &a.x.c1);
    enc_fp(out + 128, &a.y.c0);
    enc_fp(out + 192, &a.y.c1);
}
static void g1_gen_mul(bls_g1 *r, uint64_t k) {
    bls_g1_affine g;
    bls_g1_generator(&g);
    bls_g1 p;
    bls_g1_from_affine(&p, &g);
    uint8_t s[32] = {0};
    for (int i = 0; i < 8; i++) s[31 - i] = (uint8_t)(k >> (8 * i));
    bls_g1_mul(r, &p, s);
}
static void g2_gen_mul(bls_g2 *r, uint64_t k) {
    bls_g2_affine g;
    bls_g2_generator(&g);
    bls_g2 p;
    bls_g2_from_affine(&p, &g);
    uint8_t s[32] = {0};
    for (int i = 0; i < 8; i++) s[31 - i] = (uint8_t)(k >> (8 * i));
    bls_g2_mul(r, &p, s);
}

static void test_map_fp_to_g1_vectors(test_ctx *t) {
    /* EIP-2537 assets/eip-2537/map_fp_to_G1_bls.json (= RFC 9380 J.9.1 map outputs) */
    run_hex(t, 0x10,
            "00000000000000000000000000000000156c8a6a2c184569d69a76be144b5cdc5141d2d2ca4fe341f011e25e3969c55ad9e9b9ce2eb833c81a908e5fa4ac5f03",
            "00000000000000000000000000000000184bb665c37ff561a89ec2122dd343f20e0f4cbcaec84e3c3052ea81d1834e192c426074b02ed3dca4e7676ce4ce48ba"
            "0000000000000000000000000000000004407b8d35af4dacc809927071fc0405218f1401a6d15af775810e4e460064bcc9468beeba82fdc751be70476c888bf3",
            5500);
    run_hex(t, 0x10,
            "00000000000000000000000000000000147e1ed29f06e4c5079b9d14fc89d2820d32419b990c1c7bb7dbea2a36a045124b31ffbde7c99329c05c559af1c6cc82",
            "00000000000000000000000000000000009769f3ab59bfd551d53a5f846b9984c59b97d6842b20a2c565baa167945e3d026a3755b6345df8ec7e6acb6868ae6d"
            "000000000000000000000000000000001532c00cf61aa3d0ce3e5aa20c3b531a2abd2c770a790a2613818303c6b830ffc0ecf6c357af3317b9575c567f11cd2c",
            5500);
    run_hex(t, 0x10,
            "0000000000000000000000000000000004090815ad598a06897dd89bcda860f25837d54e897298ce31e6947378134d3761dc59a572154963e8c954919ecfa82d",
            "000000000000000000000000000000001974dbb8e6b5d20b84df7e625e2fbfecb2cdb5f77d5eae5fb2955e5ce7313cae8364bc2fff520a6c25619739c6bdcb6a"
            "0000000000000000000000000000000015f9897e11c6441eaa676de141c8d83c37aab8667173cbe1dfd6de74d11861b961dccebcd9d289ac633455dfcc7013a3",
            5500);
    run_hex(t, 0x10,
            "000000000000000000000000000000000dd824886d2123a96447f6c56e3a3fa992fbfefdba17b6673f9f630ff19e4d326529db37e1c1be43f905bf9202e0278d",
            "000000000000000000000000000000000e7a16a975904f131682edbb03d9560d3e48214c9986bd50417a77108d13dc957500edf96462a3d01e62dc6cd468ef11"
            "000000000000000000000000000000000ae89e677711d05c30a48d6d75e76ca9fb70fe06c6dd6ff988683d89ccde29ac7d46c53bb97a59b1901abf1db66052db",
            5500);
}

static void test_g1_add_and_msm_properties(test_ctx *t) {
    bls_g1 p2, p3, p5, p6;
    g1_gen_mul(&p2, 2);
    g1_gen_mul(&p3, 3);
    g1_gen_mul(&p5, 5);
    g1_gen_mul(&p6, 6);
    uint8_t in[2 * 160], want[128];
    cd_buf out = {0};
    uint64_t gas = 0;
    /* 2G + 3G = 5G */
    enc_g1(in, &p2);
    enc_g1(in + 128, &p3);
    enc_g1(want, &p5);
    CHECK_OK(t, run(0x0b, in, 256, &gas, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, want, 128);
    CHECK_EQ_U64(t, gas, 375);
    /* infinity + P = P; wrong length fails */
    memset(in, 0, 128);
    enc_g1(in + 128, &p3);
    CHECK_OK(t, run(0x0b, in, 256, &gas, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, in + 128, 128);
    CHECK_ERR(t, run(0x0b, in, 255, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    /* MSM: 3*(2G) + 0*(3G) = 6G */
    enc_g1(in, &p2);
    memset(in + 128, 0, 32);
    in[159] = 3; /* 3 * 2G */
    enc_g1(in + 160, &p3);
    memset(in + 288, 0, 32);
    in[319] = 0; /* 0 * 3G */
    enc_g1(want, &p6);
    CHECK_OK(t, run(0x0c, in, 320, &gas, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, want, 128);
    CHECK_EQ_U64(t, gas, 2 * 12000 * 949 / 1000);
    CHECK_OK(t, run(0x0c, in, 160, &gas, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, want, 128);
    CHECK_EQ_U64(t, gas, 12000);
    CHECK_ERR(t, run(0x0c, in, 0, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    CHECK_ERR(t, run(0x0c, in, 161, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    /* top 16 bytes of a coordinate must be zero; coordinate must be < p */
    enc_g1(in, &p2);
    in[0] = 1;
    CHECK_ERR(t, run(0x0b, in, 256, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    enc_g1(in, &p2);
    memset(in + 16, 0xff, 48);
    CHECK_ERR(t, run(0x0b, in, 256, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    /* off-curve point */
    enc_g1(in, &p2);
    in[127] ^= 1;
    CHECK_ERR(t, run(0x0b, in, 256, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    cd_buf_free(&out);
}

/* A point on E1 outside G1: x = 0 gives y^2 = 4, (0, 2) is on the curve, and E1's order is
 * h * r with h != 1, so (0, 2) is not in G1 (checked: MSM refuses it, ADD accepts it). */
static void test_g1_subgroup_rules(test_ctx *t) {
    uint8_t in[256] = {0};
    in[127] = 2; /* (0, 2) */
    cd_buf out = {0};
    uint64_t gas = 0;
    CHECK_OK(t, run(0x0b, in, 256, &gas, &out)); /* (0,2) + infinity */
    CHECK_EQ_BYTES(t, out.data, out.len, in, 128);
    uint8_t msm[160] = {0};
    msm[127] = 2;
    msm[159] = 1;
    CHECK_ERR(t, run(0x0c, msm, 160, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    cd_buf_free(&out);
}

static void test_g2_add_msm(test_ctx *t) {
    bls_g2 q2, q3, q5, q7;
    g2_gen_mul(&q2, 2);
    g2_gen_mul(&q3, 3);
    g2_gen_mul(&q5, 5);
    g2_gen_mul(&q7, 7);
    uint8_t in[2 * 288], want[256];
    cd_buf out = {0};
    uint64_t gas = 0;
    enc_g2(in, &q2);
    enc_g2(in + 256, &q3);
    enc_g2(want, &q5);
    CHECK_OK(t, run(0x0d, in, 512, &gas, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, want, 256);
    CHECK_EQ_U64(t, gas, 600);
    /* 2*(2H) + 1*(3H) = 7H */
    enc_g2(in, &q2);
    memset(in + 256, 0, 32);
    in[287] = 2;
    enc_g2(in + 288, &q3);
    memset(in + 544, 0, 32);
    in[575] = 1;
    enc_g2(want, &q7);
    CHECK_OK(t, run(0x0e, in, 576, &gas, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, want, 256);
    CHECK_EQ_U64(t, gas, 2 * 22500 * 1000 / 1000);
    CHECK_ERR(t, run(0x0e, in, 575, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    cd_buf_free(&out);
}

static void test_pairing(test_ctx *t) {
    /* e(2G, 3H) * e(-6G, H) = 1 */
    bls_g1 a, b;
    bls_g2 qa, qb;
    g1_gen_mul(&a, 2);
    g2_gen_mul(&qa, 3);
    g1_gen_mul(&b, 6);
    bls_g1_neg(&b, &b);
    g2_gen_mul(&qb, 1);
    uint8_t in[768];
    enc_g1(in, &a);
    enc_g2(in + 128, &qa);
    enc_g1(in + 384, &b);
    enc_g2(in + 512, &qb);
    cd_buf out = {0};
    uint64_t gas = 0;
    uint8_t one[32] = {0}, zero[32] = {0};
    one[31] = 1;
    CHECK_OK(t, run(0x0f, in, 768, &gas, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, one, 32);
    CHECK_EQ_U64(t, gas, 2 * 32600 + 37700);
    CHECK_OK(t, run(0x0f, in, 384, &gas, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, zero, 32);
    CHECK_ERR(t, run(0x0f, in, 0, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    CHECK_ERR(t, run(0x0f, in, 383, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    /* G1 point outside the subgroup is refused */
    memset(in, 0, 128);
    in[127] = 2;
    CHECK_ERR(t, run(0x0f, in, 384, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    cd_buf_free(&out);
}

static void test_map_fp2_to_g2(test_ctx *t) {
    /* Output is in G2 (on curve, in subgroup); non-canonical input fails. */
    uint8_t in[128] = {0};
    in[63] = 7;
    in[127] = 9;
    cd_buf out = {0};
    uint64_t gas = 0;
    CHECK_OK(t, run(0x11, in, 128, &gas, &out));
    CHECK_EQ_U64(t, gas, 23800);
    CHECK_EQ_U64(t, out.len, 256);
    if (out.len == 256) {
        bls_g2_affine q;
        q.infinity = false;
        CHECK_OK(t, bls_fp_from_bytes(&q.x.c0, out.data + 16));
        CHECK_OK(t, bls_fp_from_bytes(&q.x.c1, out.data + 80));
        CHECK_OK(t, bls_fp_from_bytes(&q.y.c0, out.data + 144));
        CHECK_OK(t, bls_fp_from_bytes(&q.y.c1, out.data + 208));
        CHECK(t, bls_g2_is_on_curve(&q));
        CHECK(t, bls_g2_is_in_subgroup(&q));
    }
    CHECK_ERR(t, run(0x11, in, 127, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    in[0] = 1;
    CHECK_ERR(t, run(0x11, in, 128, &gas, &out), CD_ERR_EVM_PRECOMPILE_FAILED);
    /* G1 map: output in G1 for a few inputs, including u = 0 (SSWU exceptional case) */
    uint8_t u[64] = {0};
    for (int i = 0; i < 4; i++) {
        u[63] = (uint8_t)i;
        CHECK_OK(t, run(0x10, u, 64, &gas, &out));
        CHECK_EQ_U64(t, out.len, 128);
        if (out.len != 128) continue;
        bls_g1_affine p;
        p.infinity = false;
        CHECK_OK(t, bls_fp_from_bytes(&p.x, out.data + 16));
        CHECK_OK(t, bls_fp_from_bytes(&p.y, out.data + 80));
        CHECK(t, bls_g1_is_on_curve(&p));
        CHECK(t, bls_g1_is_in_subgroup(&p));
    }
    cd_buf_free(&out);
}

/* A valid KZG proof for a constant polynomial f = c: commitment [c]G1, proof = infinity
 * (quotient 0), and f(z) = c for every z. */
static void test_point_evaluation(test_ctx *t) {
    uint8_t in[192] = {0};
    bls_g1 c;
    g1_gen_mul(&c, 42);
    bls_g1_affine ca;
    bls_g1_to_affine(&ca, &c);
    bls_g1_compress(in + 96, &ca);
    bls_g1_affine inf;
    memset(&inf, 0, sizeof inf);
    inf.infinity = true;
    bls_g1_compress(in + 144, &inf);
    /* versioned hash: 0x01 || sha256(commitment)[1:] */
    uint8_t h[32];
    cd_buf tmp = {0};
    uint64_t gas = 0;
    cd_address sha = pc_addr(2);
    CHECK_OK(t, evm_precompile_run(EVM_CANCUN, &sha, cd_bytes_make(in + 96, 48), 1000, &gas, &tmp));
    if (tmp.len == 32) memcpy(h, tmp.data, 32);
    h[0] = 1;
    memcpy(in, h, 32);
    in[63] = 0x77; /* z */
    in[95] = 42;   /* y = c */
    cd_address a = pc_addr(0x0a);
    cd_buf out = {0};
    CHECK_OK(t, evm_precompile_run(EVM_CANCUN, &a, cd_bytes_make(in, 192), 50000, &gas, &out));
    CHECK_EQ_U64(t, gas, 50000);
    uint8_t want[64] = {0};
    want[30] = 0x10;
    test_unhex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001", want + 32, 32);
    CHECK_EQ_BYTES(t, out.data, out.len, want, 64);
    /* wrong y, wrong versioned hash, y >= r, short input: all fail */
    out.len = 0;
    in[95] = 43;
    CHECK_ERR(t, evm_precompile_run(EVM_CANCUN, &a, cd_bytes_make(in, 192), 50000, &gas, &out),
              CD_ERR_EVM_PRECOMPILE_FAILED);
    in[95] = 42;
    in[0] = 2;
    CHECK_ERR(t, evm_precompile_run(EVM_CANCUN, &a, cd_bytes_make(in, 192), 50000, &gas, &out),
              CD_ERR_EVM_PRECOMPILE_FAILED);
    in[0] = 1;
    memset(in + 64, 0xff, 32);
    CHECK_ERR(t, evm_precompile_run(EVM_CANCUN, &a, cd_bytes_make(in, 192), 50000, &gas, &out),
              CD_ERR_EVM_PRECOMPILE_FAILED);
    CHECK_ERR(t, evm_precompile_run(EVM_CANCUN, &a, cd_bytes_make(in, 191), 50000, &gas, &out),
              CD_ERR_EVM_PRECOMPILE_FAILED);
    CHECK_ERR(t, evm_precompile_run(EVM_CANCUN, &a, cd_bytes_make(in, 192), 49999, &gas, &out),
              CD_ERR_EVM_PRECOMPILE_OOG);
    cd_buf_free(&out);
    cd_buf_free(&tmp);
}

static void test_msm_gas_table(test_ctx *t) {
    /* Gas is priced from floor(len / pair) before validation; k > 128 uses the cap. */
    static uint8_t zeros[160 * 130];
    cd_address g1 = pc_addr(0x0c), g2 = pc_addr(0x0e);
    cd_buf out = {0};
    uint64_t gas = 0;
    /* 128 points at infinity (valid) with zero scalars */
    CHECK_OK(t, evm_precompile_run(EVM_PRAGUE, &g1, cd_bytes_make(zeros, 160 * 128), 100000000, &gas, &out));
    CHECK_EQ_U64(t, gas, 128ull * 12000 * 519 / 1000);
    CHECK_OK(t, evm_precompile_run(EVM_PRAGUE, &g1, cd_bytes_make(zeros, 160 * 130), 100000000, &gas, &out));
    CHECK_EQ_U64(t, gas, 130ull * 12000 * 519 / 1000);
    CHECK_OK(t, evm_precompile_run(EVM_PRAGUE, &g2, cd_bytes_make(zeros, 288 * 3), 100000000, &gas, &out));
    CHECK_EQ_U64(t, gas, 3ull * 22500 * 923 / 1000);
    /* Before Prague the addresses are not precompiles. */
    CHECK(t, !evm_precompile_exists(EVM_CANCUN, &g1));
    cd_buf_free(&out);
}


static void test_map_fp2_to_g2_vectors(test_ctx *t) {
    /* EIP-2537 assets/eip-2537/map_fp2_to_G2_bls.json (its Gas field predates the final
     * 23800 price) */
    run_hex(t, 0x11,
            "0000000000000000000000000000000007355d25caf6e7f2f0cb2812ca0e513bd026ed09dda65b177500fa31714e09ea0ded3a078b526bed3307f804d4b93b04"
            "0000000000000000000000000000000002829ce3c021339ccb5caf3e187f6370e1e2a311dec9b75363117063ab2015603ff52c3d3b98f19c2f65575e99e8b78c",
            "0000000000000000000000000000000000e7f4568a82b4b7dc1f14c6aaa055edf51502319c723c4dc2688c7fe5944c213f510328082396515734b6612c4e7bb7"
            "00000000000000000000000000000000126b855e9e69b1f691f816e48ac6977664d24d99f8724868a184186469ddfd4617367e94527d4b74fc86413483afb35b"
            "000000000000000000000000000000000caead0fd7b6176c01436833c79d305c78be307da5f6af6c133c47311def6ff1e0babf57a0fb5539fce7ee12407b0a42"
            "000000000000000000000000000000001498aadcf7ae2b345243e281ae076df6de84455d766ab6fcdaad71fab60abb2e8b980a440043cd305db09d283c895e3d",
            23800);
    run_hex(t, 0x11,
            "00000000000000000000000000000000138879a9559e24cecee8697b8b4ad32cced053138ab913b99872772dc753a2967ed50aabc907937aefb2439ba06cc50c"
            "000000000000000000000000000000000a1ae7999ea9bab1dcc9ef8887a6cb6e8f1e22566015428d220b7eec90ffa70ad1f624018a9ad11e78d588bd3617f9f2",
            "00000000000000000000000000000000108ed59fd9fae381abfd1d6bce2fd2fa220990f0f837fa30e0f27914ed6e1454db0d1ee957b219f61da6ff8be0d6441f"
            "000000000000000000000000000000000296238ea82c6d4adb3c838ee3cb2346049c90b96d602d7bb1b469b905c9228be25c627bffee872def773d5b2a2eb57d"
            "00000000000000000000000000000000033f90f6057aadacae7963b0a0b379dd46750c1c94a6357c99b65f63b79e321ff50fe3053330911c56b6ceea08fee656"
            "00000000000000000000000000000000153606c417e59fb331b7ae6bce4fbf7c5190c33ce9402b5ebe2b70e44fca614f3f1382a3625ed5493843d0b0a652fc3f",
            23800);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_precompiles_bls");
    TEST_RUN(&t, test_map_fp_to_g1_vectors);
    TEST_RUN(&t, test_g1_add_and_msm_properties);
    TEST_RUN(&t, test_g1_subgroup_rules);
    TEST_RUN(&t, test_g2_add_msm);
    TEST_RUN(&t, test_pairing);
    TEST_RUN(&t, test_map_fp2_to_g2);
    TEST_RUN(&t, test_map_fp2_to_g2_vectors);
    TEST_RUN(&t, test_point_evaluation);
    TEST_RUN(&t, test_msm_gas_table);
    return test_finish(&t);
}
