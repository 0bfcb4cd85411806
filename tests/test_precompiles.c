/* Unit tests for the EVM precompiles: known answers from the EIPs and other public
 * vectors, gas per fork, and bad input. */
#include <stdlib.h>

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

int main(void) {
    test_ctx t;
    test_init(&t, "test_precompiles");
    TEST_RUN(&t, test_exists_per_fork);
    TEST_RUN(&t, test_sha256);
    TEST_RUN(&t, test_ripemd160);
    TEST_RUN(&t, test_identity);
    return test_finish(&t);
}
