/* Unit tests for consensus/ssz: hand-checked roots, every decoding error with its code,
 * Merkle branches, JSON encoding errors, snappy. */
#include <json-c/json.h>
#include <snappy-c.h>
#include <stdlib.h>

#include "consensus/ssz.h"
#include "tests/test.h"

static void h32(const char *hex, cd_hash32 *out) {
    if (test_unhex(hex, out->b, 32) != 32) memset(out->b, 0xee, 32);
}

static void test_basic_roots(test_ctx *t) {
    ssz_schema s;
    CHECK_OK(t, ssz_schema_init(&s));
    const ssz_type *u64 = ssz_t_uint(&s, 8), *b32 = ssz_t_bytes(&s, 32);
    cd_hash32 root, want;
    uint8_t v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_OK(t, ssz_hash_tree_root(u64, cd_bytes_make(v, 8), &root, NULL));
    uint8_t chunk[32] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_EQ_BYTES(t, root.b, 32, chunk, 32);
    /* Zero hashes: zero[1] = sha256(64 zero bytes) */
    h32("0xf5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b", &want);
    CHECK_EQ_BYTES(t, s.zero[1], 32, want.b, 32);
    /* Container of two fields = hash(field0 || field1) */
    const ssz_type *c = ssz_t_container(&s, "Pair", 2, "a", u64, "b", b32);
    uint8_t data[40] = {0};
    data[0] = 7;
    data[8 + 31] = 9;
    CHECK_OK(t, ssz_hash_tree_root(c, cd_bytes_make(data, 40), &root, NULL));
    uint8_t l[32] = {7}, r[32] = {0}, h[32];
    r[31] = 9;
    ssz_hash_pair(h, l, r);
    CHECK_EQ_BYTES(t, root.b, 32, h, 32);
    /* Empty list of uint64 (limit 4 -> 1 chunk): mix_in_length(zero chunk, 0) */
    const ssz_type *lst = ssz_t_list(&s, u64, 4);
    CHECK_OK(t, ssz_hash_tree_root(lst, cd_bytes_make(NULL, 0), &root, NULL));
    uint8_t zero[32] = {0};
    ssz_hash_pair(h, zero, zero);
    CHECK_EQ_BYTES(t, root.b, 32, h, 32);
    /* Bitlist [1,0,1] = byte 0b1101: delimiter dropped, length 3 mixed in */
    const ssz_type *bl = ssz_t_bitlist(&s, 8);
    uint8_t bits = 0x0d;
    CHECK_OK(t, ssz_hash_tree_root(bl, cd_bytes_make(&bits, 1), &root, NULL));
    uint8_t content[32] = {0x05}, len[32] = {3};
    ssz_hash_pair(h, content, len);
    CHECK_EQ_BYTES(t, root.b, 32, h, 32);
    /* A prefix hash over one field equals that field's root (limit 1 = no hashing) */
    CHECK_OK(t, ssz_hash_tree_root_prefix(c, cd_bytes_make(data, 40), 1, &root, NULL));
    CHECK_EQ_BYTES(t, root.b, 32, l, 32);
    CHECK_ERR(t, ssz_hash_tree_root_prefix(c, cd_bytes_make(data, 40), 3, &root, NULL), CD_ERR_INVALID_ARG);
    /* Builders refuse impossible types */
    CHECK(t, ssz_t_uint(&s, 3) == NULL);
    CHECK(t, ssz_t_vector(&s, u64, 0) == NULL);
    CHECK(t, ssz_t_bitvector(&s, 0) == NULL);
    CHECK(t, ssz_t_container(&s, "X", 1, "a", (const ssz_type *)NULL) == NULL);
    ssz_schema_free(&s);
}

static void test_decode_errors(test_ctx *t) {
    ssz_schema s;
    CHECK_OK(t, ssz_schema_init(&s));
    const ssz_type *u16 = ssz_t_uint(&s, 2), *u8 = ssz_t_uint(&s, 1);
    const ssz_type *var = ssz_t_container(&s, "Var", 3, "A", u16, "B", ssz_t_list(&s, u16, 4), "C", u8);
    const ssz_type *two = ssz_t_container(&s, "Two", 2, "X", ssz_t_bytelist(&s, 8), "Y", ssz_t_bytelist(&s, 8));
    const ssz_type *lol = ssz_t_list(&s, ssz_t_bytelist(&s, 4), 3);
    cd_error e = {0};
    /* Var: A(2) | offset(4) | C(1) | B... ; fixed part 7 */
    uint8_t ok[] = {1, 0, 7, 0, 0, 0, 9, 5, 0, 6, 0};
    CHECK_OK(t, ssz_validate(var, cd_bytes_make(ok, sizeof ok), &e));
    CHECK_ERR(t, ssz_validate(var, cd_bytes_make(ok, 6), &e), CD_ERR_SSZ_BAD_LENGTH);       /* truncated fixed part */
    uint8_t off_high[] = {1, 0, 8, 0, 0, 0, 9, 5, 0, 6, 0};
    CHECK_ERR(t, ssz_validate(var, cd_bytes_make(off_high, sizeof off_high), &e), CD_ERR_SSZ_BAD_OFFSET);
    CHECK(t, strstr(e.msg, "Var.B") != NULL);
    uint8_t off_far[] = {1, 0, 0xff, 0xff, 0xff, 0x7f, 9};
    CHECK_ERR(t, ssz_validate(var, cd_bytes_make(off_far, sizeof off_far), &e), CD_ERR_SSZ_BAD_OFFSET);
    uint8_t odd[] = {1, 0, 7, 0, 0, 0, 9, 5, 0, 6};                                          /* 3 bytes of u16s */
    CHECK_ERR(t, ssz_validate(var, cd_bytes_make(odd, sizeof odd), &e), CD_ERR_SSZ_BAD_LENGTH);
    CHECK(t, strstr(e.msg, "B: ") != NULL);
    uint8_t over[] = {1, 0, 7, 0, 0, 0, 9, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0};                       /* 5 > limit 4 */
    CHECK_ERR(t, ssz_validate(var, cd_bytes_make(over, sizeof over), &e), CD_ERR_SSZ_LIST_LIMIT);
    /* Two: offsets must not go backwards */
    uint8_t back[] = {8, 0, 0, 0, 7, 0, 0, 0, 1};
    CHECK_ERR(t, ssz_validate(two, cd_bytes_make(back, sizeof back), &e), CD_ERR_SSZ_BAD_OFFSET);
    uint8_t fine[] = {8, 0, 0, 0, 9, 0, 0, 0, 1, 2};
    CHECK_OK(t, ssz_validate(two, cd_bytes_make(fine, sizeof fine), &e));
    cd_bytes f;
    CHECK_OK(t, ssz_field(two, cd_bytes_make(fine, sizeof fine), 1, &f));
    CHECK_EQ_BYTES(t, f.ptr, f.len, "\x02", 1);
    /* list of lists: first offset must be a multiple of 4, count within limit, in range */
    uint8_t lol_ok[] = {8, 0, 0, 0, 9, 0, 0, 0, 0xaa, 0xbb};
    CHECK_OK(t, ssz_validate(lol, cd_bytes_make(lol_ok, sizeof lol_ok), &e));
    uint64_t n = 0;
    CHECK_OK(t, ssz_count(lol, cd_bytes_make(lol_ok, sizeof lol_ok), &n));
    CHECK_EQ_U64(t, n, 2);
    uint8_t lol_mis[] = {6, 0, 0, 0, 9, 0, 0, 0, 0xaa, 0xbb};
    CHECK_ERR(t, ssz_validate(lol, cd_bytes_make(lol_mis, sizeof lol_mis), &e), CD_ERR_SSZ_BAD_OFFSET);
    uint8_t lol_many[20] = {16, 0, 0, 0, 16, 0, 0, 0, 16, 0, 0, 0, 16, 0, 0, 0};
    CHECK_ERR(t, ssz_validate(lol, cd_bytes_make(lol_many, 16), &e), CD_ERR_SSZ_LIST_LIMIT);
    uint8_t lol_short[] = {8, 0};
    CHECK_ERR(t, ssz_validate(lol, cd_bytes_make(lol_short, 2), &e), CD_ERR_SSZ_BAD_OFFSET);
    uint8_t lol_elem_big[] = {4, 0, 0, 0, 1, 2, 3, 4, 5};                                     /* element of 5 > 4 */
    CHECK_ERR(t, ssz_validate(lol, cd_bytes_make(lol_elem_big, sizeof lol_elem_big), &e), CD_ERR_SSZ_LIST_LIMIT);
    CHECK(t, strstr(e.msg, "[0]") != NULL);
    /* booleans, bitvectors, bitlists */
    uint8_t b2 = 2;
    CHECK_ERR(t, ssz_validate(ssz_t_bool(&s), cd_bytes_make(&b2, 1), &e), CD_ERR_SSZ_BAD_BOOL);
    uint8_t bv = 0x10;
    CHECK_ERR(t, ssz_validate(ssz_t_bitvector(&s, 4), cd_bytes_make(&bv, 1), &e), CD_ERR_SSZ_BAD_BITVECTOR);
    uint8_t bl0 = 0;
    CHECK_ERR(t, ssz_validate(ssz_t_bitlist(&s, 8), cd_bytes_make(&bl0, 1), &e), CD_ERR_SSZ_BAD_BITLIST);
    CHECK_ERR(t, ssz_validate(ssz_t_bitlist(&s, 8), cd_bytes_make(NULL, 0), &e), CD_ERR_SSZ_BAD_BITLIST);
    uint8_t bl9[2] = {0xff, 0x03};                                                           /* 9 bits > 8 */
    CHECK_ERR(t, ssz_validate(ssz_t_bitlist(&s, 8), cd_bytes_make(bl9, 2), &e), CD_ERR_SSZ_LIST_LIMIT);
    /* fixed-size values must be exact */
    uint8_t nine[9] = {0};
    CHECK_ERR(t, ssz_validate(ssz_t_uint(&s, 8), cd_bytes_make(nine, 9), &e), CD_ERR_SSZ_BAD_LENGTH);
    CHECK_ERR(t, ssz_validate(ssz_t_bytes(&s, 8), cd_bytes_make(nine, 9), &e), CD_ERR_SSZ_BAD_LENGTH);
    ssz_schema_free(&s);
}

static void test_merkle_branch(test_ctx *t) {
    /* A depth-2 tree over leaves L0..L3; prove L2 (gindex 6). */
    cd_hash32 l[4], n01, n23, root, branch[2];
    for (int i = 0; i < 4; i++) memset(l[i].b, 0x10 + i, 32);
    ssz_hash_pair(n01.b, l[0].b, l[1].b);
    ssz_hash_pair(n23.b, l[2].b, l[3].b);
    ssz_hash_pair(root.b, n01.b, n23.b);
    branch[0] = l[3];
    branch[1] = n01;
    CHECK_EQ_INT(t, ssz_gindex_depth(6), 2);
    CHECK_EQ_INT(t, ssz_gindex_depth(169), 7);
    CHECK(t, ssz_is_valid_merkle_branch(&l[2], branch, 2, 2, &root));
    CHECK(t, !ssz_is_valid_merkle_branch(&l[2], branch, 2, 3, &root));
    CHECK(t, !ssz_is_valid_merkle_branch(&l[3], branch, 2, 2, &root));
    branch[1].b[0] ^= 1;
    CHECK(t, !ssz_is_valid_merkle_branch(&l[2], branch, 2, 2, &root));
}

static void test_json(test_ctx *t) {
    ssz_schema s;
    CHECK_OK(t, ssz_schema_init(&s));
    const ssz_type *c = ssz_t_container(&s, "C", 4, "n", ssz_t_uint(&s, 8), "big", ssz_t_uint(&s, 32), "h",
                                        ssz_t_bytes(&s, 2), "l", ssz_t_list(&s, ssz_t_uint(&s, 2), 2));
    struct {
        const char *json;
        cd_status want;
        const char *reason;
    } cases[] = {
        {"{\"n\":\"5\",\"big\":\"1\",\"h\":\"0x0102\",\"l\":[\"1\",2]}", CD_OK, NULL},
        {"{\"n\":\"18446744073709551616\",\"big\":\"1\",\"h\":\"0x0102\",\"l\":[]}", CD_ERR_BAD_JSON, "n: "},
        {"{\"n\":-1,\"big\":\"1\",\"h\":\"0x0102\",\"l\":[]}", CD_ERR_BAD_JSON, "negative"},
        {"{\"n\":\"1\",\"big\":\"1\",\"h\":\"0x01\",\"l\":[]}", CD_ERR_SSZ_BAD_LENGTH, "h: "},
        {"{\"n\":\"1\",\"big\":\"1\",\"h\":\"0102\",\"l\":[]}", CD_ERR_BAD_JSON, "0x"},
        {"{\"n\":\"1\",\"big\":\"1\",\"h\":\"0x0102\",\"l\":[1,2,3]}", CD_ERR_SSZ_LIST_LIMIT, "l: "},
        {"{\"n\":\"1\",\"big\":\"1\",\"h\":\"0x0102\"}", CD_ERR_BAD_JSON, "missing field \"l\""},
        {"{\"n\":\"1\",\"big\":\"1x\",\"h\":\"0x0102\",\"l\":[]}", CD_ERR_BAD_JSON, "big: "},
        {"[1]", CD_ERR_BAD_JSON, "object"},
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(cases); i++) {
        json_object *j = json_tokener_parse(cases[i].json);
        cd_buf out = {0};
        cd_error e = {0};
        cd_status st = ssz_from_json(c, j, &out, &e);
        if (st != cases[i].want)
            test_fail_at(t, __FILE__, __LINE__, "case %zu: %s, want %s (%s)", i, cd_status_name(st),
                         cd_status_name(cases[i].want), e.msg);
        else if (cases[i].reason && !strstr(e.msg, cases[i].reason))
            test_fail_at(t, __FILE__, __LINE__, "case %zu: reason \"%s\" lacks \"%s\"", i, e.msg, cases[i].reason);
        if (i == 0 && st == CD_OK) {
            CHECK_EQ_INT(t, out.len, 8 + 32 + 2 + 4 + 4);
            CHECK_EQ_INT(t, out.data[0], 5);
            CHECK_EQ_INT(t, out.data[42], 46); /* offset of l */
        }
        if (st != CD_OK) CHECK_EQ_INT(t, out.len, 0); /* nothing left behind */
        cd_buf_free(&out);
        json_object_put(j);
    }
    ssz_schema_free(&s);
}

static void test_snappy(test_ctx *t) {
    const char msg[] = "hello hello hello hello hello";
    char comp[128];
    size_t clen = sizeof comp;
    CHECK(t, snappy_compress(msg, sizeof msg, comp, &clen) == SNAPPY_OK);
    cd_buf out = {0};
    CHECK_OK(t, ssz_snappy_uncompress(cd_bytes_make(comp, clen), 1024, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, msg, sizeof msg);
    out.len = 0;
    CHECK_ERR(t, ssz_snappy_uncompress(cd_bytes_make(comp, clen), 10, &out), CD_ERR_TOO_LARGE);
    CHECK_ERR(t, ssz_snappy_uncompress(cd_bytes_make(comp, clen - 3), 1024, &out), CD_ERR_SNAPPY);
    uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
    CHECK_FAILS(t, ssz_snappy_uncompress(cd_bytes_make(junk, sizeof junk), 1u << 30, &out));
    cd_buf_free(&out);
}

/* Every truncation of a valid nested value is rejected or accepted without over-reading
 * (the exact-size copies let ASan see any over-read). */
static void test_truncations(test_ctx *t) {
    ssz_schema s;
    CHECK_OK(t, ssz_schema_init(&s));
    const ssz_type *u16 = ssz_t_uint(&s, 2);
    const ssz_type *var = ssz_t_container(&s, "Var", 3, "A", u16, "B", ssz_t_list(&s, u16, 8), "C", ssz_t_uint(&s, 1));
    const ssz_type *outer = ssz_t_container(&s, "Outer", 2, "v", ssz_t_list(&s, var, 4), "bits", ssz_t_bitlist(&s, 16));
    json_object *j = json_tokener_parse("{\"v\":[{\"A\":1,\"B\":[1,2],\"C\":3},{\"A\":4,\"B\":[],\"C\":5}],\"bits\":\"0x0f01\"}");
    cd_buf enc = {0};
    CHECK_OK(t, ssz_from_json(outer, j, &enc, NULL));
    int accepted = 0;
    for (size_t n = 0; n < enc.len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        if (!copy) break;
        memcpy(copy, enc.data, n);
        cd_hash32 r;
        /* only dropping the bitlist's last byte leaves a valid (shorter) bitlist: 0x0f */
        if (ssz_hash_tree_root(outer, cd_bytes_make(copy, n), &r, NULL) == CD_OK) accepted += n == enc.len - 1 ? 1 : 100;
        free(copy);
    }
    CHECK_EQ_INT(t, accepted, 1);
    cd_hash32 r;
    CHECK_OK(t, ssz_hash_tree_root(outer, cd_buf_bytes(&enc), &r, NULL));
    cd_buf_free(&enc);
    json_object_put(j);
    ssz_schema_free(&s);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_ssz");
    TEST_RUN(&t, test_basic_roots);
    TEST_RUN(&t, test_decode_errors);
    TEST_RUN(&t, test_merkle_branch);
    TEST_RUN(&t, test_json);
    TEST_RUN(&t, test_snappy);
    TEST_RUN(&t, test_truncations);
    return test_finish(&t);
}
