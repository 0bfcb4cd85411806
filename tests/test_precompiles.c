/* Unit tests for the EVM precompiles: known answers from the EIPs and other public
 * vectors, gas per fork, and bad input. */
#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "crypto/keccak.h"
#include "evm/precompiles.h"
#include "tests/test.h"

static cd_address pc_addr(uint16_t low) {
    cd_address a;
    memset(&a, 0, sizeof a);
    a.b[18] = (uint8_t)(low >> 8);
    a.b[19] = (uint8_t)low;
    return a;
}

/* Runs precompile `low` on hex input; on success compares output and gas. */
static void expect_run(test_ctx *t, evm_fork fork, uint16_t low, const char *in_hex,
                       const char *out_hex, uint64_t gas) {
    size_t in_cap = strlen(in_hex) / 2 + 1, out_cap = strlen(out_hex) / 2 + 1;
    uint8_t *in = malloc(in_cap), *want = malloc(out_cap);
    if (!in || !want) {
        CHECK(t, !"allocation");
        free(in);
        free(want);
        return;
    }
    long in_len = test_unhex(in_hex, in, in_cap);
    long want_len = test_unhex(out_hex, want, out_cap);
    CHECK(t, in_len >= 0 && want_len >= 0);
    cd_address a = pc_addr(low);
    cd_buf out = {0};
    uint64_t used = 0;
    CHECK_OK(t, evm_precompile_run(fork, &a, cd_bytes_make(in, (size_t)in_len), UINT64_MAX / 2,
                                   &used, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, want, (size_t)want_len);
    CHECK_EQ_U64(t, used, gas);
    cd_buf_free(&out);
    free(in);
    free(want);
}

/* Runs precompile `low` on hex input and expects status `want`; output must stay empty. */
static void expect_status(test_ctx *t, evm_fork fork, uint16_t low, const char *in_hex,
                          uint64_t gas_limit, cd_status want) {
    size_t in_cap = strlen(in_hex) / 2 + 1;
    uint8_t *in = malloc(in_cap);
    if (!in) {
        CHECK(t, !"allocation");
        return;
    }
    long in_len = test_unhex(in_hex, in, in_cap);
    CHECK(t, in_len >= 0);
    cd_address a = pc_addr(low);
    cd_buf out = {0};
    uint64_t used = 0;
    CHECK_ERR(t, evm_precompile_run(fork, &a, cd_bytes_make(in, (size_t)in_len), gas_limit,
                                    &used, &out),
              want);
    CHECK_EQ_U64(t, out.len, 0);
    cd_buf_free(&out);
    free(in);
}

static void test_exists_per_fork(test_ctx *t) {
    cd_address a = pc_addr(0x01);
    CHECK(t, evm_precompile_exists(EVM_FRONTIER, &a));
    a = pc_addr(0x05);
    CHECK(t, !evm_precompile_exists(EVM_HOMESTEAD, &a));
    CHECK(t, evm_precompile_exists(EVM_BYZANTIUM, &a));
    a = pc_addr(0x09);
    CHECK(t, !evm_precompile_exists(EVM_PETERSBURG, &a));
    CHECK(t, evm_precompile_exists(EVM_ISTANBUL, &a));
    a = pc_addr(0x0a);
    CHECK(t, !evm_precompile_exists(EVM_SHANGHAI, &a));
    CHECK(t, evm_precompile_exists(EVM_CANCUN, &a));
    a = pc_addr(0x0b);
    CHECK(t, !evm_precompile_exists(EVM_CANCUN, &a));
    a = pc_addr(0x11);
    CHECK(t, evm_precompile_exists(EVM_PRAGUE, &a));
    a = pc_addr(0x12);
    CHECK(t, !evm_precompile_exists(EVM_OSAKA, &a));
    a = pc_addr(0x100);
    CHECK(t, !evm_precompile_exists(EVM_PRAGUE, &a));
    CHECK(t, evm_precompile_exists(EVM_OSAKA, &a));
    a = pc_addr(0x00);
    CHECK(t, !evm_precompile_exists(EVM_OSAKA, &a));
    a = pc_addr(0x01);
    a.b[0] = 1;
    CHECK(t, !evm_precompile_exists(EVM_OSAKA, &a));
}

static void test_sha256(test_ctx *t) {
    expect_run(t, EVM_CANCUN, 0x02, "",
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 60);
    expect_run(t, EVM_CANCUN, 0x02, "616263",
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 72);
    /* 33 bytes = 2 words */
    expect_run(t, EVM_CANCUN, 0x02,
               "000000000000000000000000000000000000000000000000000000000000000000",
               "7f9c9e31ac8256ca2f258583df262dbc7d6f68f2a03043d5c99a4ae5a7396ce9", 84);
    expect_status(t, EVM_CANCUN, 0x02, "616263", 71, CD_ERR_EVM_PRECOMPILE_OOG);
}

static void test_ripemd160(test_ctx *t) {
    expect_run(t, EVM_CANCUN, 0x03, "",
               "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31", 600);
    expect_run(t, EVM_CANCUN, 0x03, "616263",
               "0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc", 720);
    expect_status(t, EVM_CANCUN, 0x03, "", 599, CD_ERR_EVM_PRECOMPILE_OOG);
}

static void test_identity(test_ctx *t) {
    expect_run(t, EVM_CANCUN, 0x04, "", "", 15);
    expect_run(t, EVM_CANCUN, 0x04, "0102030405", "0102030405", 18);
    expect_status(t, EVM_CANCUN, 0x04, "01", 17, CD_ERR_EVM_PRECOMPILE_OOG);
}


static const char *MODEXP_EIP198_FERMAT =
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "03"
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";

static void test_modexp_known(test_ctx *t) {
    const char *one = "0000000000000000000000000000000000000000000000000000000000000001";
    /* EIP-198 example 1: 3^(p-1) mod p = 1 (Fermat). Gas: Byzantium 1024*255/20,
     * Berlin max(200, 16*255/3), Osaka 16*255. */
    expect_run(t, EVM_BYZANTIUM, 0x05, MODEXP_EIP198_FERMAT, one, 13056);
    expect_run(t, EVM_BERLIN, 0x05, MODEXP_EIP198_FERMAT, one, 1360);
    expect_run(t, EVM_OSAKA, 0x05, MODEXP_EIP198_FERMAT, one, 4080);
    /* EIP-198 example 2: base length 0 means base 0; 0^(p-1) mod p = 0. */
    expect_run(t, EVM_BYZANTIUM, 0x05,
               "0000000000000000000000000000000000000000000000000000000000000000"
               "0000000000000000000000000000000000000000000000000000000000000020"
               "0000000000000000000000000000000000000000000000000000000000000020"
               "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
               "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
               "0000000000000000000000000000000000000000000000000000000000000000", 13056);
    /* Empty input: all lengths zero, empty output; minimum prices per fork. */
    expect_run(t, EVM_BYZANTIUM, 0x05, "", "", 0);
    expect_run(t, EVM_BERLIN, 0x05, "", "", 200);
    expect_run(t, EVM_OSAKA, 0x05, "", "", 500);
    /* Modulus 0 gives 0; 0^0 = 1; operands past the input end read as zeros. */
    expect_run(t, EVM_BERLIN, 0x05,
               "0000000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000000000000000000000000000000000000000000000000002"
               "05" "03" "0000",
               "0000", 200);
    expect_run(t, EVM_BERLIN, 0x05,
               "0000000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000000000000000000000000000000000000000000000000002"
               "00" "00" "0100",
               "0001", 200);
    /* 2^3 mod 0x0500 with the modulus' low byte missing from the input (0x05 then 0x00). */
    expect_run(t, EVM_BERLIN, 0x05,
               "0000000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000000000000000000000000000000000000000000000000002"
               "02" "03" "05",
               "0008", 200);
    /* A huge exponent length that is cheap under EIP-198 (base and modulus 1 byte): the
     * modulus lies past the input, so it is 0 and so is the result; must not be refused. */
    expect_run(t, EVM_BYZANTIUM, 0x05,
               "0000000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000000000000000000000000000000000000000000002000000"
               "0000000000000000000000000000000000000000000000000000000000000001"
               "03ff",
               "00", (8ull * (0x2000000 - 32) + 255) / 20); /* exp head 0xff00..: top bit 255 */
    /* 3^(0x0200) mod 1000 = 3^512 mod 1000. */
    expect_run(t, EVM_BERLIN, 0x05,
               "0000000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000000000000000000000000000000000000000000000000002"
               "0000000000000000000000000000000000000000000000000000000000000002"
               "03" "0200" "03e8",
               "01b9", 200); /* 3^512 mod 1000 = 441 */
}

/* Cross-check against plain 64-bit arithmetic on small random operands. */
static void test_modexp_small_property(test_ctx *t) {
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int n = 0; n < 200; n++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t b = (uint32_t)(seed >> 40), e = (uint32_t)(seed >> 8) & 0xffff;
        uint32_t m = (uint32_t)(seed >> 24) | 1;
        uint64_t r = 1 % m, x = b % m;
        for (uint32_t k = e; k; k >>= 1) {
            if (k & 1) r = r * x % m;
            x = x * x % m;
        }
        uint8_t in[96 + 12] = {0};
        in[31] = 4;
        in[63] = 4;
        in[95] = 4;
        for (int i = 0; i < 4; i++) {
            in[96 + i] = (uint8_t)(b >> (24 - 8 * i));
            in[100 + i] = (uint8_t)(e >> (24 - 8 * i));
            in[104 + i] = (uint8_t)(m >> (24 - 8 * i));
        }
        cd_address a = pc_addr(5);
        cd_buf out = {0};
        uint64_t used = 0;
        CHECK_OK(t, evm_precompile_run(EVM_CANCUN, &a, cd_bytes_make(in, sizeof in), 100000, &used,
                                       &out));
        CHECK_EQ_U64(t, out.len, 4);
        if (out.len == 4) {
            uint64_t got = ((uint64_t)out.data[0] << 24) | ((uint64_t)out.data[1] << 16) |
                           ((uint64_t)out.data[2] << 8) | out.data[3];
            CHECK_EQ_U64(t, got, r);
        }
        cd_buf_free(&out);
    }
}

static void test_modexp_limits(test_ctx *t) {
    /* EIP-7823: from Osaka a length above 1024 bytes fails; before, it is just priced. */
    const char *len1025 =
        "0000000000000000000000000000000000000000000000000000000000000401"
        "0000000000000000000000000000000000000000000000000000000000000001"
        "0000000000000000000000000000000000000000000000000000000000000001";
    expect_status(t, EVM_OSAKA, 0x05, len1025, 100000000, CD_ERR_EVM_PRECOMPILE_FAILED);
    /* Huge lengths: priced out (saturated gas), never allocated. */
    expect_status(t, EVM_CANCUN, 0x05,
                  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
                  "0000000000000000000000000000000000000000000000000000000000000001"
                  "0000000000000000000000000000000000000000000000000000000000000001",
                  UINT64_MAX - 1, CD_ERR_EVM_PRECOMPILE_OOG);
    /* Byzantium: zero base and modulus lengths make any exponent free, output empty. */
    expect_run(t, EVM_BYZANTIUM, 0x05,
               "0000000000000000000000000000000000000000000000000000000000000000"
               "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
               "0000000000000000000000000000000000000000000000000000000000000000",
               "", 0);
    expect_status(t, EVM_BERLIN, 0x05, MODEXP_EIP198_FERMAT, 1359, CD_ERR_EVM_PRECOMPILE_OOG);
}

/* EIP-152 test vectors 4-7 (vectors 1-3 are malformed inputs, tested below). */
static const char *BLAKE2F_TAIL =
    "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
    "6162630000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "03000000000000000000000000000000";

static void test_blake2f(test_ctx *t) {
    char in[600];
    snprintf(in, sizeof in, "0000000c%s01", BLAKE2F_TAIL);
    expect_run(t, EVM_ISTANBUL, 0x09, in,
               "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
               "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923", 12);
    snprintf(in, sizeof in, "0000000c%s00", BLAKE2F_TAIL);
    expect_run(t, EVM_ISTANBUL, 0x09, in,
               "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d28752"
               "98743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735", 12);
    snprintf(in, sizeof in, "00000001%s01", BLAKE2F_TAIL);
    expect_run(t, EVM_ISTANBUL, 0x09, in,
               "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fb"
               "a551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421", 1);
    snprintf(in, sizeof in, "00000000%s01", BLAKE2F_TAIL);
    expect_run(t, EVM_ISTANBUL, 0x09, in,
               "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
               "d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b", 0);
    /* Bad final flag (vector 3), short and long input (vectors 1-2), and OOG. */
    snprintf(in, sizeof in, "0000000c%s02", BLAKE2F_TAIL);
    expect_status(t, EVM_ISTANBUL, 0x09, in, 1000, CD_ERR_EVM_PRECOMPILE_FAILED);
    snprintf(in, sizeof in, "00000c%s01", BLAKE2F_TAIL);
    expect_status(t, EVM_ISTANBUL, 0x09, in, 1000, CD_ERR_EVM_PRECOMPILE_FAILED);
    snprintf(in, sizeof in, "000000000c%s01", BLAKE2F_TAIL);
    expect_status(t, EVM_ISTANBUL, 0x09, in, 1000, CD_ERR_EVM_PRECOMPILE_FAILED);
    expect_status(t, EVM_ISTANBUL, 0x09, "", 1000, CD_ERR_EVM_PRECOMPILE_FAILED);
    snprintf(in, sizeof in, "0000000c%s01", BLAKE2F_TAIL);
    expect_status(t, EVM_ISTANBUL, 0x09, in, 11, CD_ERR_EVM_PRECOMPILE_OOG);
}


static const char *ECRECOVER_KAT =
    "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c"
    "000000000000000000000000000000000000000000000000000000000000001c"
    "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
    "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549";

static void test_ecrecover_known(test_ctx *t) {
    expect_run(t, EVM_CANCUN, 0x01, ECRECOVER_KAT,
               "000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b", 3000);
    char bad[300];
    /* v = 29, v with high bytes set, r = 0, s >= n, and short input: empty output, gas paid */
    snprintf(bad, sizeof bad, "%.64s%064x%.128s", ECRECOVER_KAT, 29, ECRECOVER_KAT + 128);
    expect_run(t, EVM_CANCUN, 0x01, bad, "", 3000);
    snprintf(bad, sizeof bad, "%.64s01%062x%.128s", ECRECOVER_KAT, 28, ECRECOVER_KAT + 128);
    expect_run(t, EVM_CANCUN, 0x01, bad, "", 3000);
    snprintf(bad, sizeof bad, "%.128s%064x%.64s", ECRECOVER_KAT, 0, ECRECOVER_KAT + 192);
    expect_run(t, EVM_CANCUN, 0x01, bad, "", 3000);
    snprintf(bad, sizeof bad, "%.192s%s", ECRECOVER_KAT,
             "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    expect_run(t, EVM_CANCUN, 0x01, bad, "", 3000);
    expect_run(t, EVM_CANCUN, 0x01, "", "", 3000);
    expect_status(t, EVM_CANCUN, 0x01, ECRECOVER_KAT, 2999, CD_ERR_EVM_PRECOMPILE_OOG);
}

/* Sign random hashes with known keys, recover through the precompile, compare with the
 * address derived from the public key. */
static void test_ecrecover_roundtrip(test_ctx *t) {
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    CHECK(t, ctx != NULL);
    if (!ctx) return;
    for (int n = 0; n < 20; n++) {
        uint8_t key[32], hash[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (uint8_t)(n * 31 + i * 7 + 1);
            hash[i] = (uint8_t)(n * 13 + i * 3);
        }
        secp256k1_ecdsa_recoverable_signature sig;
        secp256k1_pubkey pub;
        CHECK(t, secp256k1_ecdsa_sign_recoverable(ctx, &sig, hash, key, NULL, NULL) == 1);
        CHECK(t, secp256k1_ec_pubkey_create(ctx, &pub, key) == 1);
        uint8_t ser[65], want[32] = {0}, digest[32];
        size_t ser_len = sizeof ser;
        secp256k1_ec_pubkey_serialize(ctx, ser, &ser_len, &pub, SECP256K1_EC_UNCOMPRESSED);
        keccak256(ser + 1, 64, digest);
        memcpy(want + 12, digest + 12, 20);
        int recid = 0;
        uint8_t in[128] = {0};
        memcpy(in, hash, 32);
        secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, in + 64, &recid, &sig);
        in[63] = (uint8_t)(27 + recid);
        cd_address a = pc_addr(1);
        cd_buf out = {0};
        uint64_t used = 0;
        CHECK_OK(t, evm_precompile_run(EVM_PRAGUE, &a, cd_bytes_make(in, sizeof in), 3000, &used,
                                       &out));
        CHECK_EQ_BYTES(t, out.data, out.len, want, 32);
        /* The wrong parity recovers a different key (or none). */
        in[63] ^= 1;
        out.len = 0;
        CHECK_OK(t, evm_precompile_run(EVM_PRAGUE, &a, cd_bytes_make(in, sizeof in), 3000, &used,
                                       &out));
        CHECK(t, out.len == 0 || memcmp(out.data, want, 32) != 0);
        cd_buf_free(&out);
    }
    secp256k1_context_destroy(ctx);
}


/* P-256 signatures made with OpenSSL in the test, verified through the precompile, then
 * tampered with in each field the EIP checks. */
static bool p256_make_case(uint8_t in[160], int n) {
    bool ok = false;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY_CTX *pctx = key ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    BIGNUM *x = NULL, *y = NULL;
    ECDSA_SIG *sig = NULL;
    uint8_t der[80];
    size_t der_len = sizeof der;
    if (!pctx || EVP_PKEY_sign_init(pctx) != 1) goto done;
    for (int i = 0; i < 32; i++) in[i] = (uint8_t)(n * 17 + i);
    if (EVP_PKEY_sign(pctx, der, &der_len, in, 32) != 1) goto done;
    const uint8_t *p = der;
    sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (!sig) goto done;
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig), in + 32, 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), in + 64, 32) != 32)
        goto done;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
        EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
        goto done;
    ok = BN_bn2binpad(x, in + 96, 32) == 32 && BN_bn2binpad(y, in + 128, 32) == 32;
done:
    ECDSA_SIG_free(sig);
    BN_free(x);
    BN_free(y);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(key);
    return ok;
}

/* Runs P256VERIFY at Osaka; returns 1 (verified), 0 (empty output) or -1 (error). */
static int p256_run(test_ctx *t, const uint8_t *in, size_t len) {
    cd_address a = pc_addr(0x100);
    cd_buf out = {0};
    uint64_t used = 0;
    cd_status st = evm_precompile_run(EVM_OSAKA, &a, cd_bytes_make(in, len), 6900, &used, &out);
    CHECK_OK(t, st);
    CHECK_EQ_U64(t, used, 6900);
    static const uint8_t one[32] = {[31] = 1};
    int r = st != CD_OK ? -1 : out.len == 0 ? 0 : (out.len == 32 && !memcmp(out.data, one, 32)) ? 1 : -1;
    cd_buf_free(&out);
    return r;
}

static void test_p256verify(test_ctx *t) {
    static const uint8_t N[32] = {
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
    for (int n = 0; n < 8; n++) {
        uint8_t in[161], bad[161];
        CHECK(t, p256_make_case(in, n));
        CHECK_EQ_INT(t, p256_run(t, in, 160), 1);
        CHECK_EQ_INT(t, p256_run(t, in, 159), 0);
        in[160] = 0;
        CHECK_EQ_INT(t, p256_run(t, in, 161), 0);
        for (int field = 0; field < 5; field++) { /* a flipped bit in any field fails */
            memcpy(bad, in, 160);
            bad[field * 32 + 31] ^= 1;
            CHECK_EQ_INT(t, p256_run(t, bad, 160), 0);
        }
        /* (r, n - s) is the malleated twin: ECDSA accepts it, and so does the EIP. */
        memcpy(bad, in, 160);
        unsigned borrow = 0;
        for (int i = 31; i >= 0; i--) {
            unsigned d = (unsigned)N[i] - in[64 + i] - borrow;
            bad[64 + i] = (uint8_t)d;
            borrow = (d >> 8) & 1;
        }
        CHECK_EQ_INT(t, p256_run(t, bad, 160), 1);
        /* r = n and s = 0 are out of range; the point (0, 0) is rejected. */
        memcpy(bad, in, 160);
        memcpy(bad + 32, N, 32);
        CHECK_EQ_INT(t, p256_run(t, bad, 160), 0);
        memcpy(bad, in, 160);
        memset(bad + 64, 0, 32);
        CHECK_EQ_INT(t, p256_run(t, bad, 160), 0);
        memcpy(bad, in, 160);
        memset(bad + 96, 0, 64);
        CHECK_EQ_INT(t, p256_run(t, bad, 160), 0);
        memcpy(bad, in, 160);
        memset(bad + 96, 0xff, 32); /* qx >= p */
        CHECK_EQ_INT(t, p256_run(t, bad, 160), 0);
    }
    uint8_t zero[160] = {0};
    CHECK_EQ_INT(t, p256_run(t, zero, 160), 0);
    CHECK_EQ_INT(t, p256_run(t, zero, 0), 0);
    cd_address a = pc_addr(0x100);
    cd_buf out = {0};
    uint64_t used = 0;
    CHECK_ERR(t, evm_precompile_run(EVM_OSAKA, &a, cd_bytes_make(zero, 160), 6899, &used, &out),
              CD_ERR_EVM_PRECOMPILE_OOG);
    cd_buf_free(&out);
}


/* EIP-7951 assets/eip-7951/test-vectors.json (Wycheproof ecdsa_secp256r1_sha256_p1363),
 * plus Wycheproof #113, where R' has an x-coordinate above n (so r = x - n). The gas in
 * that file is RIP-7212's 3450; Osaka charges 6900. */
static void test_p256verify_wycheproof(test_ctx *t) {
    const char *h = "bb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca605023";
    const char *q = "2927b10512bae3eddcfe467828128bad2903269919f7086069c8c4df6c732838"
                    "c7787964eaac00e5921fb1498a60f4606766b3d9685001558d1a974e7341513e";
    static const struct {
        const char *rs;
        bool valid;
    } cases[] = {
        /* #1 signature malleability (valid) */
        {"2ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e18"
         "4cd60b855d442f5b3c7b11eb6c4e0ae7525fe710fab9aa7c77a67f79e6fadd76", true},
        /* #3, #5, #8 r or s modified by the group order */
        {"d45c5740946b2a147f59262ee6f5bc90bd01ed280528b62b3aed5fc93f06f739"
         "b329f479a2bbd0a5c384ee1493b1f5186a87139cac5df4087c134b49156847db", false},
        {"d45c5741946b2a137f59262ee6f5bc91001af27a5e1117a64733950642a3d1e8"
         "b329f479a2bbd0a5c384ee1493b1f5186a87139cac5df4087c134b49156847db", false},
        {"2ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e18"
         "4cd60b865d442f5a3c7b11eb6c4e0ae79578ec6353a20bf783ecb4b6ea97b825", false},
        /* #11, #16, #25 special values of r and s */
        {"0000000000000000000000000000000000000000000000000000000000000000"
         "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", false},
        {"0000000000000000000000000000000000000000000000000000000000000001"
         "0000000000000000000000000000000000000000000000000000000000000000", false},
        {"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
         "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", false},
    };
    uint8_t one[32] = {0};
    one[31] = 1;
    for (size_t i = 0; i < CD_ARRAY_LEN(cases); i++) {
        char in[330];
        snprintf(in, sizeof in, "%s%s%s", h, cases[i].rs, q);
        expect_run(t, EVM_OSAKA, 0x100, in, cases[i].valid ? test_hex(one, 32) + 2 : "", 6900);
    }
    /* #113 k*G has a large x-coordinate (valid), #114 the same with r = x unreduced */
    const char *q113 = "0ad99500288d466940031d72a9f5445a4d43784640855bf0a69874d2de5fe103"
                       "c5011e6ef2c42dcd50d5d3d29f99ae6eba2c80c9244f4c5422f0979ff0c3ba5e";
    char in[330];
    snprintf(in, sizeof in, "%s%s%s", h,
             "000000000000000000000000000000004319055358e8617b0c46353d039cdaab"
             "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254e", q113);
    expect_run(t, EVM_OSAKA, 0x100, in, test_hex(one, 32) + 2, 6900);
    snprintf(in, sizeof in, "%s%s%s", h,
             "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc"
             "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254e", q113);
    expect_run(t, EVM_OSAKA, 0x100, in, "", 6900);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_precompiles");
    TEST_RUN(&t, test_exists_per_fork);
    TEST_RUN(&t, test_ecrecover_known);
    TEST_RUN(&t, test_ecrecover_roundtrip);
    TEST_RUN(&t, test_sha256);
    TEST_RUN(&t, test_ripemd160);
    TEST_RUN(&t, test_identity);
    TEST_RUN(&t, test_modexp_known);
    TEST_RUN(&t, test_modexp_small_property);
    TEST_RUN(&t, test_modexp_limits);
    TEST_RUN(&t, test_blake2f);
    TEST_RUN(&t, test_p256verify);
    TEST_RUN(&t, test_p256verify_wycheproof);
    return test_finish(&t);
}
