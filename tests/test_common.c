#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/common.h"
#include "tests/test.h"

static void test_hex_roundtrip(test_ctx *t) {
    uint8_t buf[8];
    size_t n = 0;
    CHECK_OK(t, cd_hex_decode("0x00ff10Ab", 10, buf, sizeof buf, &n));
    CHECK_EQ_INT(t, n, 4);
    CHECK_EQ_BYTES(t, buf, 4, "\x00\xff\x10\xab", 4);
    char out[16];
    cd_hex_encode(out, buf, 4);
    CHECK_EQ_STR(t, out, "0x00ff10ab");
    CHECK_ERR(t, cd_hex_decode("0x0", 3, buf, sizeof buf, &n), CD_ERR_BAD_HEX);
    CHECK_ERR(t, cd_hex_decode("0xzz", 4, buf, sizeof buf, &n), CD_ERR_BAD_HEX);
    CHECK_ERR(t, cd_hex_decode("0x001122334455667788", 20, buf, sizeof buf, &n), CD_ERR_TOO_LARGE);
    CHECK_ERR(t, cd_hex_decode_exact("0x0011", buf, 3), CD_ERR_BAD_HEX);
}

static void test_quantity(test_ctx *t) {
    cd_u256 v;
    uint64_t u = 0;
    CHECK_OK(t, cd_hex_quantity_u64("0x1a", &u, true));
    CHECK_EQ_U64(t, u, 26);
    CHECK_ERR(t, cd_hex_quantity_u64("0x01a", &u, true), CD_ERR_BAD_HEX);
    CHECK_OK(t, cd_hex_quantity_u64("0x01a", &u, false));
    CHECK_ERR(t, cd_hex_quantity_u64("0x10000000000000000", &u, false), CD_ERR_TOO_LARGE);
    CHECK_ERR(t, cd_hex_quantity("0x", &v, false), CD_ERR_BAD_HEX);
    CHECK_OK(t, cd_hex_quantity("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", &v, true));
    CHECK(t, v.w[0] == UINT64_MAX && v.w[3] == UINT64_MAX);
    char q[67];
    cd_u256_to_quantity(&v, q);
    CHECK_EQ_STR(t, q, "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    memset(&v, 0, sizeof v);
    cd_u256_to_quantity(&v, q);
    CHECK_EQ_STR(t, q, "0x0");
    v.w[1] = 1;
    cd_u256_to_quantity(&v, q);
    CHECK_EQ_STR(t, q, "0x10000000000000000");
}

static void test_u256_be(test_ctx *t) {
    uint8_t be[32] = {0}, back[32];
    be[0] = 0x80;
    be[31] = 0x01;
    cd_u256 v;
    CHECK_OK(t, cd_u256_from_be(&v, be, 32));
    CHECK_EQ_U64(t, v.w[3], 0x8000000000000000ull);
    CHECK_EQ_U64(t, v.w[0], 1);
    cd_u256_to_be32(&v, back);
    CHECK_EQ_BYTES(t, back, 32, be, 32);
    uint8_t big[33] = {0};
    CHECK_ERR(t, cd_u256_from_be(&v, big, 33), CD_ERR_TOO_LARGE);
}

static void test_status_and_error(test_ctx *t) {
    CHECK_EQ_STR(t, cd_status_name(CD_ERR_RLP_OVERRUN), "CD_ERR_RLP_OVERRUN");
    CHECK_EQ_STR(t, cd_status_str(CD_OK), "ok");
    CHECK_EQ_STR(t, cd_status_str((cd_status)100000), "unknown status");
    cd_error e;
    cd_error_clear(&e);
    CHECK_EQ_INT(t, cd_fail(&e, CD_ERR_MPT_HASH_MISMATCH, "node %d", 3), CD_ERR_MPT_HASH_MISMATCH);
    cd_error_prefix(&e, "storage proof 0x%02x: ", 1);
    CHECK_EQ_STR(t, cd_error_text(&e), "storage proof 0x01: node 3");
}

static void test_buf_and_arena(test_ctx *t) {
    cd_buf b = {0};
    for (int i = 0; i < 1000; i++) CHECK_OK(t, cd_buf_push(&b, (uint8_t)i));
    CHECK_EQ_INT(t, b.len, 1000);
    CHECK_EQ_INT(t, b.data[999], (uint8_t)999);
    cd_buf_free(&b);
    size_t cap = 0;
    uint32_t *arr = cd_grow_array(NULL, &cap, sizeof *arr, 4);
    CHECK(t, arr != NULL && cap == 4);
    uint32_t *grown = cd_grow_array(arr, &cap, sizeof *arr, 4);
    CHECK(t, grown != NULL && cap == 8);
    if (grown) arr = grown;
    size_t huge = SIZE_MAX / 2 + 1;
    CHECK(t, cd_grow_array(arr, &huge, sizeof *arr, 4) == NULL && huge == SIZE_MAX / 2 + 1);
    /* Twice SIZE_MAX/8 elements of 16 bytes: the element count fits, the byte count does not. */
    size_t big = SIZE_MAX / 8;
    CHECK(t, cd_grow_array(arr, &big, 16, 4) == NULL && big == SIZE_MAX / 8);
    free(arr);
    cd_arena a;
    cd_arena_init(&a, 64, 1024);
    void *p = cd_arena_alloc(&a, 100);
    CHECK(t, p != NULL);
    CHECK(t, ((uintptr_t)p & 15) == 0);
    CHECK(t, cd_arena_alloc(&a, 2000) == NULL); /* over the limit */
    cd_arena_free(&a);
    CHECK(t, cd_ct_eq("abc", "abc", 3) && !cd_ct_eq("abc", "abd", 3));
}

static void test_list_dir(test_ctx *t) {
    char dir[] = "/tmp/candor_listdir_XXXXXX";
    if (!mkdtemp(dir)) {
        test_fail_at(t, __FILE__, __LINE__, "mkdtemp failed");
        return;
    }
    static const char *const made[] = {"b.json", "a.json", ".hidden", "B"};
    char path[256];
    for (size_t i = 0; i < CD_ARRAY_LEN(made); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, made[i]);
        FILE *f = fopen(path, "w");
        CHECK(t, f != NULL);
        if (f) fclose(f);
    }
    char **names = NULL;
    size_t n = 0;
    CHECK_OK(t, cd_list_dir(dir, &names, &n));
    CHECK_EQ_INT(t, n, 3); /* dot-files are left out */
    if (n == 3) {
        CHECK_EQ_STR(t, names[0], "B"); /* bytewise order */
        CHECK_EQ_STR(t, names[1], "a.json");
        CHECK_EQ_STR(t, names[2], "b.json");
    }
    cd_list_free(names, n);
    for (size_t i = 0; i < CD_ARRAY_LEN(made); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, made[i]);
        remove(path);
    }
    rmdir(dir);
    CHECK_ERR(t, cd_list_dir(dir, &names, &n), CD_ERR_IO);
    CHECK(t, names == NULL && n == 0);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_common");
    TEST_RUN(&t, test_hex_roundtrip);
    TEST_RUN(&t, test_quantity);
    TEST_RUN(&t, test_u256_be);
    TEST_RUN(&t, test_status_and_error);
    TEST_RUN(&t, test_buf_and_arena);
    TEST_RUN(&t, test_list_dir);
    return test_finish(&t);
}
