/* RLP: encoder/decoder round trips, integer rules, and each non-canonical form rejected
 * with its own status code. */
#include <stdlib.h>

#include "rlp/rlp.h"
#include "tests/test.h"

static cd_status decode_hex(const char *hex, uint8_t *buf, size_t cap, cd_bytes *out) {
    long n = test_unhex(hex, buf, cap);
    if (n < 0) return CD_ERR_BAD_HEX;
    *out = cd_bytes_make(buf, (size_t)n);
    return CD_OK;
}

static cd_status validate_hex(const char *hex) {
    uint8_t buf[512];
    cd_bytes b;
    cd_status s = decode_hex(hex, buf, sizeof buf, &b);
    return s ? s : rlp_validate(b);
}

static void test_non_canonical_rejected(test_ctx *t) {
    /* leading zeros in a long-form length */
    CHECK_ERR(t, validate_hex("b800"), CD_ERR_RLP_LEADING_ZERO_LEN);
    CHECK_ERR(t, validate_hex("f800"), CD_ERR_RLP_LEADING_ZERO_LEN);
    CHECK_ERR(t, validate_hex("b90038"
                              "0000000000000000000000000000000000000000000000000000000000000000"
                              "000000000000000000000000000000000000000000000000"),
              CD_ERR_RLP_LEADING_ZERO_LEN);
    /* single byte below 0x80 wrapped as a string */
    CHECK_ERR(t, validate_hex("8100"), CD_ERR_RLP_SINGLE_BYTE);
    CHECK_ERR(t, validate_hex("817f"), CD_ERR_RLP_SINGLE_BYTE);
    CHECK_OK(t, validate_hex("8180"));
    /* long form for a payload under 56 bytes */
    CHECK_ERR(t, validate_hex("b801ff"), CD_ERR_RLP_LONG_FOR_SHORT);
    CHECK_ERR(t, validate_hex("f80180"), CD_ERR_RLP_LONG_FOR_SHORT);
    CHECK_ERR(t, validate_hex("b837" "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
                              "00112233445566778899aabbccddeeff00112233445566"),
              CD_ERR_RLP_LONG_FOR_SHORT);
    /* trailing bytes */
    CHECK_ERR(t, validate_hex("8080"), CD_ERR_RLP_TRAILING);
    CHECK_ERR(t, validate_hex("c0c0"), CD_ERR_RLP_TRAILING);
    CHECK_ERR(t, validate_hex("0102"), CD_ERR_RLP_TRAILING);
    /* lengths past the end */
    CHECK_ERR(t, validate_hex(""), CD_ERR_RLP_OVERRUN);
    CHECK_ERR(t, validate_hex("81"), CD_ERR_RLP_OVERRUN);
    CHECK_ERR(t, validate_hex("83aabb"), CD_ERR_RLP_OVERRUN);
    CHECK_ERR(t, validate_hex("c5010203"), CD_ERR_RLP_OVERRUN);
    CHECK_ERR(t, validate_hex("b9"), CD_ERR_RLP_OVERRUN);
    CHECK_ERR(t, validate_hex("bf0f000000000000021111"), CD_ERR_RLP_OVERRUN);
    CHECK_ERR(t, validate_hex("ffffffffffffffffff00"), CD_ERR_RLP_OVERRUN);
    /* an item inside a list that runs past the list's end */
    CHECK_ERR(t, validate_hex("c38300aa"), CD_ERR_RLP_OVERRUN);
    /* nested non-canonical item found by rlp_validate, not by rlp_decode */
    uint8_t buf[8];
    cd_bytes b;
    CHECK_OK(t, decode_hex("c28100", buf, sizeof buf, &b));
    rlp_item it;
    CHECK_OK(t, rlp_decode(b, &it));
    CHECK_ERR(t, rlp_validate(b), CD_ERR_RLP_SINGLE_BYTE);
}

static void test_too_deep(test_ctx *t) {
    cd_buf b = {0};
    CHECK_OK(t, cd_buf_push(&b, 0xc0));
    for (int i = 0; i < RLP_MAX_DEPTH + 5; i++) {
        CHECK_OK(t, rlp_wrap_list(&b, 0));
    }
    CHECK_ERR(t, rlp_validate(cd_buf_bytes(&b)), CD_ERR_RLP_TOO_DEEP);
    cd_buf_free(&b);
    cd_buf ok = {0};
    CHECK_OK(t, cd_buf_push(&ok, 0xc0));
    for (int i = 0; i < 10; i++) CHECK_OK(t, rlp_wrap_list(&ok, 0));
    CHECK_OK(t, rlp_validate(cd_buf_bytes(&ok)));
    cd_buf_free(&ok);
}

static void test_integers(test_ctx *t) {
    uint8_t buf[64];
    cd_bytes b;
    rlp_item it;
    uint64_t v = 99;
    CHECK_OK(t, decode_hex("80", buf, sizeof buf, &b));
    CHECK_OK(t, rlp_decode(b, &it));
    CHECK_OK(t, rlp_item_u64(&it, &v));
    CHECK_EQ_U64(t, v, 0);
    CHECK_OK(t, decode_hex("8203e8", buf, sizeof buf, &b));
    CHECK_OK(t, rlp_decode(b, &it));
    CHECK_OK(t, rlp_item_u64(&it, &v));
    CHECK_EQ_U64(t, v, 1000);
    CHECK_OK(t, decode_hex("820001", buf, sizeof buf, &b));
    CHECK_OK(t, rlp_decode(b, &it));
    CHECK_ERR(t, rlp_item_u64(&it, &v), CD_ERR_RLP_INT_LEADING_ZERO);
    CHECK_OK(t, decode_hex("00", buf, sizeof buf, &b)); /* 0 must be 0x80, not 0x00 */
    CHECK_OK(t, rlp_decode(b, &it));
    CHECK_ERR(t, rlp_item_u64(&it, &v), CD_ERR_RLP_INT_LEADING_ZERO);
    CHECK_OK(t, decode_hex("89010000000000000000", buf, sizeof buf, &b));
    CHECK_OK(t, rlp_decode(b, &it));
    CHECK_ERR(t, rlp_item_u64(&it, &v), CD_ERR_RLP_INT_OVERFLOW);
    cd_u256 w;
    CHECK_OK(t, rlp_item_u256(&it, &w));
    CHECK_EQ_U64(t, w.w[1], 1);
    CHECK_EQ_U64(t, w.w[0], 0);
    CHECK_OK(t, decode_hex("c0", buf, sizeof buf, &b));
    CHECK_OK(t, rlp_decode(b, &it));
    CHECK_ERR(t, rlp_item_u64(&it, &v), CD_ERR_RLP_EXPECTED_STRING);
    cd_hash32 h;
    CHECK_ERR(t, rlp_item_hash(&it, &h), CD_ERR_RLP_EXPECTED_STRING);
    CHECK_OK(t, decode_hex("8180", buf, sizeof buf, &b));
    CHECK_OK(t, rlp_decode(b, &it));
    CHECK_ERR(t, rlp_item_hash(&it, &h), CD_ERR_RLP_BAD_COUNT);
    /* 33-byte integer */
    cd_buf big = {0};
    uint8_t bytes33[33];
    memset(bytes33, 0xff, sizeof bytes33);
    CHECK_OK(t, rlp_encode_bytes(&big, bytes33, 33));
    CHECK_OK(t, rlp_decode(cd_buf_bytes(&big), &it));
    CHECK_ERR(t, rlp_item_u256(&it, &w), CD_ERR_RLP_INT_OVERFLOW);
    cd_buf_free(&big);
}

static void test_encode_roundtrip(test_ctx *t) {
    cd_buf b = {0};
    size_t mark = b.len;
    CHECK_OK(t, rlp_encode_u64(&b, 0));
    CHECK_OK(t, rlp_encode_u64(&b, 0x7f));
    CHECK_OK(t, rlp_encode_u64(&b, 0x80));
    CHECK_OK(t, rlp_encode_u64(&b, UINT64_MAX));
    cd_u256 w = {{5, 0, 0, 1ull << 63}};
    CHECK_OK(t, rlp_encode_u256(&b, &w));
    cd_hash32 h;
    for (int i = 0; i < 32; i++) h.b[i] = (uint8_t)i;
    CHECK_OK(t, rlp_encode_hash(&b, &h));
    cd_address a;
    memset(a.b, 0xaa, 20);
    CHECK_OK(t, rlp_encode_address(&b, &a));
    uint8_t blob[300];
    memset(blob, 0x42, sizeof blob);
    CHECK_OK(t, rlp_encode_bytes(&b, blob, sizeof blob));
    CHECK_OK(t, rlp_wrap_list(&b, mark));
    CHECK_OK(t, rlp_validate(cd_buf_bytes(&b)));
    rlp_item list, items[10];
    size_t n = 0;
    CHECK_OK(t, rlp_decode(cd_buf_bytes(&b), &list));
    CHECK(t, list.is_list);
    CHECK_OK(t, rlp_list_items(&list, items, 10, &n));
    CHECK_EQ_INT(t, n, 8);
    CHECK_ERR(t, rlp_list_items(&list, items, 7, &n), CD_ERR_RLP_BAD_COUNT);
    uint64_t v;
    CHECK_OK(t, rlp_item_u64(&items[0], &v));
    CHECK_EQ_U64(t, v, 0);
    CHECK_EQ_INT(t, items[1].raw.len, 1);
    CHECK_OK(t, rlp_item_u64(&items[2], &v));
    CHECK_EQ_U64(t, v, 0x80);
    CHECK_OK(t, rlp_item_u64(&items[3], &v));
    CHECK_EQ_U64(t, v, UINT64_MAX);
    cd_u256 w2;
    CHECK_OK(t, rlp_item_u256(&items[4], &w2));
    CHECK(t, cd_u256_eq(&w, &w2));
    cd_hash32 h2;
    CHECK_OK(t, rlp_item_hash(&items[5], &h2));
    CHECK(t, cd_hash32_eq(&h, &h2));
    cd_address a2;
    CHECK_OK(t, rlp_item_address(&items[6], &a2));
    CHECK(t, cd_address_eq(&a, &a2));
    cd_bytes s;
    CHECK_OK(t, rlp_item_string(&items[7], &s));
    CHECK_EQ_BYTES(t, s.ptr, s.len, blob, sizeof blob);
    CHECK_EQ_INT(t, items[7].raw.len, 303); /* b9 01 2c + 300 */
    size_t count = 0;
    CHECK_OK(t, rlp_list_count(&list, &count));
    CHECK_EQ_INT(t, count, 8);
    cd_buf_free(&b);
    /* list header boundaries: 55 -> short, 56 -> long */
    cd_buf l = {0};
    CHECK_OK(t, rlp_encode_list_header(&l, 55));
    CHECK_OK(t, rlp_encode_list_header(&l, 56));
    CHECK_OK(t, rlp_encode_list_header(&l, 0x10000));
    CHECK_EQ_BYTES(t, l.data, l.len, "\xf7\xf8\x38\xfa\x01\x00\x00", 7);
    CHECK_EQ_INT(t, rlp_header_len(55), 1);
    CHECK_EQ_INT(t, rlp_header_len(56), 2);
    cd_buf_free(&l);
}

/* Every truncation of a valid nested encoding is rejected, never over-read (ASan). */
static void test_truncations(test_ctx *t) {
    cd_buf b = {0};
    uint8_t blob[70];
    memset(blob, 0x99, sizeof blob);
    CHECK_OK(t, rlp_encode_bytes(&b, blob, sizeof blob));
    CHECK_OK(t, rlp_encode_u64(&b, 12345));
    CHECK_OK(t, rlp_wrap_list(&b, 0));
    CHECK_OK(t, rlp_encode_bytes(&b, blob, 3));
    CHECK_OK(t, rlp_wrap_list(&b, 0));
    CHECK_OK(t, rlp_validate(cd_buf_bytes(&b)));
    for (size_t n = 0; n < b.len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        CHECK(t, copy != NULL);
        if (!copy) break;
        memcpy(copy, b.data, n);
        CHECK_FAILS(t, rlp_validate(cd_bytes_make(copy, n)));
        free(copy);
    }
    cd_buf_free(&b);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_rlp");
    TEST_RUN(&t, test_non_canonical_rejected);
    TEST_RUN(&t, test_too_deep);
    TEST_RUN(&t, test_integers);
    TEST_RUN(&t, test_encode_roundtrip);
    TEST_RUN(&t, test_truncations);
    return test_finish(&t);
}
