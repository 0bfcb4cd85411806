/* gov/: storage slots of the governance contract (known answers computed outside Candor with
 * node + @noble/hashes, and the layout solc reports for contracts/CandorGovernance.sol),
 * decoding a storage image into a snapshot, its bounds and its errors, and the lookups. */
#include <stdlib.h>

#include "crypto/keccak.h"
#include "gov/gov.h"
#include "tests/test.h"

static void hash_from_hex(const char *hex, cd_hash32 *out) {
    if (test_unhex(hex, out->b, 32) != 32) memset(out->b, 0xee, 32);
}

#define CHECK_HASH(t, h, hex)                                    \
    do {                                                         \
        cd_hash32 _w;                                            \
        hash_from_hex(hex, &_w);                                 \
        CHECK_EQ_BYTES(t, (h).b, 32, _w.b, 32);                  \
    } while (0)

static const char TDX_ID[] = "28a30bd1419fe43dac69d061911daa7c2c121a8eacab89196b2658e5cec2fcdb";
static const char DEV1[] = "70997970c51812dc3a010c7d01b50e0d17dc79c8";

static void test_slot_known_answers(test_ctx *t) {
    cd_hash32 h, base, id;
    cd_address a;
    hash_from_hex(TDX_ID, &id);
    CHECK(t, test_unhex(DEV1, a.b, 20) == 20);
    gov_slot_mapping(id.b, GOV_SLOT_MEASUREMENTS, &base);
    CHECK_HASH(t, base, "aab5f5b60a8dc901546b21b2d63952991b722cd2a03a834c3c85ae5abe9b00ff");
    gov_slot_add(&base, 1, &h); /* the carry runs through the low byte */
    CHECK_HASH(t, h, "aab5f5b60a8dc901546b21b2d63952991b722cd2a03a834c3c85ae5abe9b0100");
    gov_slot_mapping_address(&a, GOV_SLOT_MEMBERS, &h);
    CHECK_HASH(t, h, "9ced72642558e76e7fde81a9110f6bf3ccd69161b12b259a7b0de27dbce97eea");
    gov_slot_array_element(GOV_SLOT_MEASUREMENT_IDS, 0, &h);
    CHECK_HASH(t, h, "405787fa12a823e0f2b7631cc41b3ba8828b3321ca811111fa75cd3aa3bb5ace");
    gov_slot_array_element(GOV_SLOT_MEMBER_LIST, 3, &h);
    CHECK_HASH(t, h, "8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19e");
    gov_slot_string_chunk(&base, 1, &h);
    CHECK_HASH(t, h, "22b984332eaf4b11717e9e07e3d00de19356495ba7b690a773819ff8caa2877c");
    /* Slots wrap modulo 2^256. */
    memset(base.b, 0xff, 32);
    gov_slot_add(&base, 2, &h);
    CHECK_HASH(t, h, "0000000000000000000000000000000000000000000000000000000000000001");
    gov_slot_number(0x0102, &h);
    CHECK_HASH(t, h, "0000000000000000000000000000000000000000000000000000000000000102");
    /* The layout tag. */
    keccak256((const uint8_t *)GOV_LAYOUT_TAG_TEXT, strlen(GOV_LAYOUT_TAG_TEXT), h.b);
    CHECK_HASH(t, h, "bec0d1e15d0bff8cc60012f63c41e8887e05eb2ba5708a59175dc79053d75932");
}

static void test_string_heads(test_ctx *t) {
    cd_hash32 w;
    gov_string_head sh;
    cd_error e;
    memset(&w, 0, sizeof w);
    CHECK_OK(t, gov_string_head_decode(&w, 256, &sh, &e)); /* "" */
    CHECK(t, !sh.is_long && sh.len == 0);
    memcpy(w.b, "v1.2.3", 6);
    w.b[31] = 12;
    CHECK_OK(t, gov_string_head_decode(&w, 256, &sh, &e));
    CHECK(t, !sh.is_long && sh.len == 6);
    w.b[20] = 'x'; /* a byte after the length */
    CHECK_ERR(t, gov_string_head_decode(&w, 256, &sh, &e), CD_ERR_GOV_NOT_GOVERNANCE);
    memset(&w, 0, sizeof w);
    w.b[31] = 64; /* short head claiming 32 bytes */
    CHECK_ERR(t, gov_string_head_decode(&w, 256, &sh, &e), CD_ERR_GOV_NOT_GOVERNANCE);
    w.b[31] = 12;
    CHECK_ERR(t, gov_string_head_decode(&w, 5, &sh, &e), CD_ERR_GOV_BOUNDS);
    memset(&w, 0, sizeof w);
    w.b[31] = 2 * 40 + 1; /* long, 40 bytes */
    CHECK_OK(t, gov_string_head_decode(&w, 256, &sh, &e));
    CHECK(t, sh.is_long && sh.len == 40);
    w.b[31] = 2 * 20 + 1; /* long form for 20 bytes: not what Solidity writes */
    CHECK_ERR(t, gov_string_head_decode(&w, 256, &sh, &e), CD_ERR_GOV_NOT_GOVERNANCE);
    w.b[30] = 0x02, w.b[31] = 0x03; /* 2*257+1 = 0x203 */
    CHECK_ERR(t, gov_string_head_decode(&w, 256, &sh, &e), CD_ERR_GOV_BOUNDS);
    memset(&w, 0, sizeof w);
    w.b[0] = 0x80, w.b[31] = 1; /* a huge length */
    CHECK_ERR(t, gov_string_head_decode(&w, 256, &sh, &e), CD_ERR_GOV_BOUNDS);
}

/* ---- a storage image, written the way Solidity lays out CandorGovernance ---------------- */

#define IMG_MAX 4096
typedef struct {
    cd_hash32 k[IMG_MAX], v[IMG_MAX];
    size_t n;
    unsigned calls;
    size_t max_batch;
    cd_status fail_on_call; /* non-zero: the callback fails on call number fail_call */
    unsigned fail_call;
} image;

static void put(image *im, const cd_hash32 *k, const cd_hash32 *v) {
    for (size_t i = 0; i < im->n; i++)
        if (cd_hash32_eq(&im->k[i], k)) {
            im->v[i] = *v;
            return;
        }
    if (im->n < IMG_MAX) im->k[im->n] = *k, im->v[im->n++] = *v;
}

static void put_u64(image *im, const cd_hash32 *k, uint64_t x) {
    cd_hash32 v;
    gov_slot_number(x, &v);
    put(im, k, &v);
}

static void put_string(image *im, const cd_hash32 *slot, const char *s, size_t n) {
    cd_hash32 w;
    memset(&w, 0, sizeof w);
    if (n <= 31) {
        memcpy(w.b, s, n);
        w.b[31] = (uint8_t)(2 * n);
        put(im, slot, &w);
        return;
    }
    gov_slot_number(2 * (uint64_t)n + 1, &w);
    put(im, slot, &w);
    for (size_t c = 0; c * 32 < n; c++) {
        cd_hash32 k, d;
        memset(&d, 0, sizeof d);
        memcpy(d.b, s + 32 * c, n - 32 * c < 32 ? n - 32 * c : 32);
        gov_slot_string_chunk(slot, c, &k);
        put(im, &k, &d);
    }
}

static cd_status image_read(void *ctx, const cd_hash32 *keys, size_t n, cd_hash32 *values, cd_error *err) {
    image *im = ctx;
    im->calls++;
    if (n > im->max_batch) im->max_batch = n;
    if (im->fail_on_call && im->calls == im->fail_call) return cd_fail(err, im->fail_on_call, "upstream gave up");
    for (size_t i = 0; i < n; i++) {
        memset(&values[i], 0, sizeof values[i]);
        for (size_t j = 0; j < im->n; j++)
            if (cd_hash32_eq(&im->k[j], &keys[i])) values[i] = im->v[j];
    }
    return CD_OK;
}

static void image_header(image *im, size_t n_meas, size_t n_members) {
    cd_hash32 k, v;
    gov_slot_number(GOV_SLOT_TAG, &k);
    keccak256((const uint8_t *)GOV_LAYOUT_TAG_TEXT, strlen(GOV_LAYOUT_TAG_TEXT), v.b);
    put(im, &k, &v);
    gov_slot_number(GOV_SLOT_OWNER, &k);
    memset(&v, 0, sizeof v);
    memset(v.b + 12, 0xaa, 20);
    put(im, &k, &v);
    gov_slot_number(GOV_SLOT_MEASUREMENT_IDS, &k);
    put_u64(im, &k, n_meas);
    gov_slot_number(GOV_SLOT_MEMBER_LIST, &k);
    put_u64(im, &k, n_members);
}

static void image_measurement(image *im, size_t index, const uint8_t id[32], const char *version, uint64_t nb,
                              uint64_t na, bool revoked) {
    cd_hash32 k, v, base;
    gov_slot_array_element(GOV_SLOT_MEASUREMENT_IDS, index, &k);
    memcpy(v.b, id, 32);
    put(im, &k, &v);
    gov_slot_mapping(id, GOV_SLOT_MEASUREMENTS, &base);
    put_string(im, &base, version, strlen(version));
    memset(&v, 0, sizeof v);
    for (int i = 0; i < 8; i++) v.b[31 - i] = (uint8_t)(nb >> (8 * i)), v.b[23 - i] = (uint8_t)(na >> (8 * i));
    v.b[15] = revoked;
    gov_slot_add(&base, 1, &k);
    put(im, &k, &v);
}

static void image_member(image *im, size_t index, const cd_address *a, const char *endpoint, bool active) {
    cd_hash32 k, v, base;
    gov_slot_array_element(GOV_SLOT_MEMBER_LIST, index, &k);
    memset(&v, 0, sizeof v);
    memcpy(v.b + 12, a->b, 20);
    put(im, &k, &v);
    gov_slot_mapping_address(a, GOV_SLOT_MEMBERS, &base);
    put_string(im, &base, endpoint, strlen(endpoint));
    gov_slot_add(&base, 1, &k);
    put_u64(im, &k, active);
}

static const char LONG_VERSION[] = "candor v0.9.0 (tdx, reproducible build 2026-12-04, commit 0123456789abcdef)";
static const char LONG_ENDPOINT[] =
    "https://node-one.example.org:8545/candor/a/path/that/is/long/enough/to/need/three/chunks/of/storage/xyz";

static void sample(image *im, uint8_t id1[32], uint8_t id2[32], cd_address *m1, cd_address *m2) {
    memset(im, 0, sizeof *im);
    memset(id1, 0x11, 32);
    cd_hash32 h;
    hash_from_hex(TDX_ID, &h);
    memcpy(id2, h.b, 32);
    memset(m1->b, 0x21, 20);
    if (test_unhex(DEV1, m2->b, 20) != 20) memset(m2->b, 0, 20);
    image_header(im, 2, 2);
    image_measurement(im, 0, id1, "v1", 1000, 2000, false);
    image_measurement(im, 1, id2, LONG_VERSION, 0, UINT64_MAX, true);
    image_member(im, 0, m1, LONG_ENDPOINT, true);
    image_member(im, 1, m2, "http://127.0.0.1:1", true);
}

static cd_hash32 some_code_hash(void) {
    cd_hash32 h;
    memset(h.b, 0x5c, 32);
    return h;
}

static void test_read_sample(test_ctx *t) {
    image *im = calloc(1, sizeof *im);
    gov_snapshot *s = calloc(1, sizeof *s);
    if (!im || !s) { free(im), free(s); CHECK(t, false); return; }
    uint8_t id1[32], id2[32];
    cd_address m1, m2;
    sample(im, id1, id2, &m1, &m2);
    cd_hash32 code = some_code_hash();
    cd_error e;
    unsigned batches = 0;
    cd_status st = gov_read(&code, image_read, im, s, &batches, &e);
    if (st != CD_OK) test_fail_at(t, __FILE__, __LINE__, "gov_read: %s", cd_error_text(&e));
    CHECK_EQ_INT(t, batches, 4);
    CHECK_EQ_INT(t, im->calls, 4);
    CHECK_EQ_INT(t, s->n_measurements, 2);
    CHECK_EQ_INT(t, s->n_members, 2);
    CHECK_EQ_BYTES(t, s->measurements[0].id, 32, id1, 32);
    CHECK_EQ_STR(t, s->measurements[0].version, "v1");
    CHECK_EQ_U64(t, s->measurements[0].not_before, 1000);
    CHECK_EQ_U64(t, s->measurements[0].not_after, 2000);
    CHECK(t, !s->measurements[0].revoked);
    CHECK_EQ_STR(t, s->measurements[1].version, LONG_VERSION); /* > 31 bytes: chunks */
    CHECK_EQ_U64(t, s->measurements[1].not_after, UINT64_MAX);
    CHECK(t, s->measurements[1].revoked);
    CHECK_EQ_STR(t, s->members[0].endpoint, LONG_ENDPOINT);
    CHECK_EQ_INT(t, s->members[0].endpoint_len, strlen(LONG_ENDPOINT));
    CHECK_EQ_BYTES(t, s->members[1].signer.b, 20, m2.b, 20);
    CHECK(t, s->members[0].active && s->members[1].active);
    uint8_t owner[20];
    memset(owner, 0xaa, 20);
    CHECK_EQ_BYTES(t, s->owner.b, 20, owner, 20);

    /* Lookups. */
    CHECK_OK(t, gov_check_measurement(s, id1, 1500, &e));
    CHECK_OK(t, gov_check_measurement(s, id1, 1000, &e)); /* inclusive */
    CHECK_OK(t, gov_check_measurement(s, id1, 2000, &e));
    CHECK_ERR(t, gov_check_measurement(s, id1, 999, &e), CD_ERR_GOV_EXPIRED);
    CHECK_ERR(t, gov_check_measurement(s, id1, 2001, &e), CD_ERR_GOV_EXPIRED);
    CHECK_ERR(t, gov_check_measurement(s, id2, 1500, &e), CD_ERR_GOV_REVOKED);
    uint8_t other[32] = {0};
    CHECK_ERR(t, gov_check_measurement(s, other, 1500, &e), CD_ERR_GOV_NOT_APPROVED);
    CHECK_OK(t, gov_check_member(s, &m1, &e));
    cd_address stranger;
    memset(stranger.b, 0x77, 20);
    CHECK_ERR(t, gov_check_member(s, &stranger, &e), CD_ERR_GOV_NOT_MEMBER);

    /* Content comparison and the signed hash move with every field. */
    gov_snapshot *s2 = calloc(1, sizeof *s2);
    if (s2) {
        uint8_t bh[32] = {1}, h1[32], h2[32];
        *s2 = *s;
        CHECK(t, gov_same_content(s, s2));
        gov_eip712_hash(s, bh, h1);
        gov_eip712_hash(s2, bh, h2);
        CHECK_EQ_BYTES(t, h1, 32, h2, 32);
        s2->block.number = 99; /* the block is not content... */
        CHECK(t, gov_same_content(s, s2));
        s2->members[1].active = false;
        CHECK(t, !gov_same_content(s, s2));
        gov_eip712_hash(s2, bh, h2);
        CHECK(t, memcmp(h1, h2, 32) != 0);
        CHECK_ERR(t, gov_check_member(s2, &m2, &e), CD_ERR_GOV_NOT_MEMBER);
        *s2 = *s;
        s2->measurements[1].version[3] ^= 1;
        gov_eip712_hash(s2, bh, h2);
        CHECK(t, memcmp(h1, h2, 32) != 0);
        *s2 = *s;
        s2->block.timestamp++;
        gov_eip712_hash(s2, bh, h2);
        CHECK(t, memcmp(h1, h2, 32) != 0);
        bh[0] ^= 1;
        gov_eip712_hash(s, bh, h2);
        CHECK(t, memcmp(h1, h2, 32) != 0);
        free(s2);
    }

    /* An empty contract state needs only the first batch. */
    memset(im, 0, sizeof *im);
    image_header(im, 0, 0);
    CHECK_OK(t, gov_read(&code, image_read, im, s, &batches, &e));
    CHECK_EQ_INT(t, batches, 1);
    CHECK_EQ_INT(t, s->n_measurements + s->n_members, 0);
    free(im);
    free(s);
}

static void test_read_bounds(test_ctx *t) {
    image *im = calloc(1, sizeof *im);
    gov_snapshot *s = calloc(1, sizeof *s);
    if (!im || !s) { free(im), free(s); CHECK(t, false); return; }
    cd_hash32 code = some_code_hash();
    cd_error e;
    /* Exactly the bounds: 64 measurements and 64 members, every string 256 bytes. */
    char big[GOV_MAX_STRING + 2];
    memset(big, 'a', sizeof big);
    big[GOV_MAX_STRING] = '\0';
    image_header(im, GOV_MAX_MEASUREMENTS, GOV_MAX_MEMBERS);
    for (size_t i = 0; i < GOV_MAX_MEASUREMENTS; i++) {
        uint8_t id[32] = {0};
        id[0] = (uint8_t)(i + 1);
        image_measurement(im, i, id, big, 0, 1, false);
    }
    for (size_t i = 0; i < GOV_MAX_MEMBERS; i++) {
        cd_address a;
        memset(a.b, 0, 20);
        a.b[19] = (uint8_t)(i + 1);
        image_member(im, i, &a, big, true);
    }
    unsigned batches = 0;
    cd_status st = gov_read(&code, image_read, im, s, &batches, &e);
    if (st != CD_OK) test_fail_at(t, __FILE__, __LINE__, "full contract: %s", cd_error_text(&e));
    CHECK_EQ_INT(t, s->n_measurements, GOV_MAX_MEASUREMENTS);
    CHECK_EQ_INT(t, s->members[63].endpoint_len, GOV_MAX_STRING);
    CHECK_EQ_INT(t, im->max_batch, (GOV_MAX_MEASUREMENTS + GOV_MAX_MEMBERS) * 8);

    /* One more member than the bound (the list need not be filled: the count is refused first). */
    cd_hash32 k;
    gov_slot_number(GOV_SLOT_MEMBER_LIST, &k);
    put_u64(im, &k, GOV_MAX_MEMBERS + 1);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_BOUNDS);
    CHECK(t, strstr(cd_error_text(&e), "memberList") != NULL);
    CHECK_EQ_INT(t, s->n_members, 0); /* a failed read leaves no partial lists */
    put_u64(im, &k, UINT64_MAX);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_BOUNDS);
    gov_slot_number(GOV_SLOT_MEMBER_LIST, &k);
    put_u64(im, &k, 1);
    gov_slot_number(GOV_SLOT_MEASUREMENT_IDS, &k);
    put_u64(im, &k, GOV_MAX_MEASUREMENTS + 1);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_BOUNDS);
    put_u64(im, &k, 1);
    CHECK_OK(t, gov_read(&code, image_read, im, s, NULL, &e));

    /* An oversized string: 257 bytes. */
    big[GOV_MAX_STRING] = 'b';
    big[GOV_MAX_STRING + 1] = '\0';
    cd_address a;
    memset(a.b, 0, 20);
    a.b[19] = 1;
    image_member(im, 0, &a, big, true);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_BOUNDS);
    CHECK(t, strstr(cd_error_text(&e), "endpoint") != NULL);
    /* A control character, and broken UTF-8. */
    image_member(im, 0, &a, "http://x\n", true);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_BOUNDS);
    image_member(im, 0, &a, "caf\xc3", true);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_BOUNDS);
    image_member(im, 0, &a, "caf\xc3\xa9 \xe2\x82\xac", true); /* "café €" is fine */
    CHECK_OK(t, gov_read(&code, image_read, im, s, NULL, &e));
    CHECK_EQ_STR(t, s->members[0].endpoint, "caf\xc3\xa9 \xe2\x82\xac");
    free(im);
    free(s);
}

static void test_read_errors(test_ctx *t) {
    image *im = calloc(1, sizeof *im);
    gov_snapshot *s = calloc(1, sizeof *s);
    if (!im || !s) { free(im), free(s); CHECK(t, false); return; }
    uint8_t id1[32], id2[32];
    cd_address m1, m2;
    cd_hash32 code = some_code_hash(), k, v;
    cd_error e;
    /* No code: an empty account (zero hash) or keccak256 of empty code. Nothing is asked. */
    sample(im, id1, id2, &m1, &m2);
    cd_hash32 none, empty;
    memset(&none, 0, sizeof none);
    keccak256(NULL, 0, empty.b);
    CHECK_ERR(t, gov_read(&none, image_read, im, s, NULL, &e), CD_ERR_GOV_NO_CODE);
    CHECK_ERR(t, gov_read(&empty, image_read, im, s, NULL, &e), CD_ERR_GOV_NO_CODE);
    CHECK_EQ_INT(t, im->calls, 0);
    /* Another contract: slot 0 is not our tag. */
    gov_slot_number(GOV_SLOT_TAG, &k);
    gov_slot_number(7, &v);
    put(im, &k, &v);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_NOT_GOVERNANCE);
    CHECK(t, strstr(cd_error_text(&e), "slot 0") != NULL);
    /* A dirty owner word, a dirty member address, a dirty window, a duplicate id. */
    sample(im, id1, id2, &m1, &m2);
    gov_slot_number(GOV_SLOT_OWNER, &k);
    memset(v.b, 0xff, 32);
    put(im, &k, &v);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_NOT_GOVERNANCE);
    sample(im, id1, id2, &m1, &m2);
    gov_slot_array_element(GOV_SLOT_MEMBER_LIST, 1, &k);
    put(im, &k, &v);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_NOT_GOVERNANCE);
    sample(im, id1, id2, &m1, &m2);
    image_measurement(im, 1, id1, "dup", 0, 1, false);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_NOT_GOVERNANCE);
    sample(im, id1, id2, &m1, &m2);
    cd_hash32 base;
    gov_slot_mapping(id1, GOV_SLOT_MEASUREMENTS, &base);
    gov_slot_add(&base, 1, &k);
    memset(&v, 0, sizeof v);
    v.b[15] = 2; /* revoked flag that is not a bool */
    put(im, &k, &v);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_NOT_GOVERNANCE);
    /* Garbage after the end of a long string's last chunk. */
    sample(im, id1, id2, &m1, &m2);
    gov_slot_mapping(id2, GOV_SLOT_MEASUREMENTS, &base);
    gov_slot_string_chunk(&base, 2, &k);
    memset(&v, 0, sizeof v);
    memcpy(v.b, LONG_VERSION + 64, strlen(LONG_VERSION) - 64);
    v.b[31] = 'z';
    put(im, &k, &v);
    CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_GOV_NOT_GOVERNANCE);
    /* The callback's failure, at every batch, comes back as it is. */
    for (unsigned call = 1; call <= 4; call++) {
        sample(im, id1, id2, &m1, &m2);
        im->fail_on_call = CD_ERR_UPSTREAM;
        im->fail_call = call;
        CHECK_ERR(t, gov_read(&code, image_read, im, s, NULL, &e), CD_ERR_UPSTREAM);
    }
    free(im);
    free(s);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_gov");
    TEST_RUN(&t, test_slot_known_answers);
    TEST_RUN(&t, test_string_heads);
    TEST_RUN(&t, test_read_sample);
    TEST_RUN(&t, test_read_bounds);
    TEST_RUN(&t, test_read_errors);
    return test_finish(&t);
}
