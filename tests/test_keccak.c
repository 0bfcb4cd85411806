/* Keccak-256: anchors, the Keccak team's ShortMsgKAT_256 (byte-aligned entries), and the
 * incremental API against the one-shot one on every split point. */
#include <stdlib.h>

#include "crypto/keccak.h"
#include "tests/test.h"

static void check_hex_digest(test_ctx *t, const uint8_t *msg, size_t len, const char *want_hex) {
    uint8_t want[32], got[32];
    CHECK_EQ_INT(t, test_unhex(want_hex, want, 32), 32);
    keccak256(msg, len, got);
    CHECK_EQ_BYTES(t, got, 32, want, 32);
}

static void test_anchors(test_ctx *t) {
    check_hex_digest(t, (const uint8_t *)"", 0,
                     "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    check_hex_digest(t, (const uint8_t *)"\x80", 1,
                     "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    check_hex_digest(t, (const uint8_t *)"\xc0", 1,
                     "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
    /* Ethereum's most quoted digest: the ERC-20 Transfer event topic. */
    const char *sig = "Transfer(address,address,uint256)";
    check_hex_digest(t, (const uint8_t *)sig, strlen(sig),
                     "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}

/* Parses "Len = / Msg = / MD =" blocks; only byte-aligned lengths are Keccak-256 of bytes. */
static void test_short_msg_kat(test_ctx *t) {
    char path[512];
    test_vectors_path(path, sizeof path, "execution/keccak/ShortMsgKAT_256.txt");
    cd_buf file = {0};
    if (cd_read_file(path, 4u << 20, &file) != CD_OK) {
        test_skip(t, "ShortMsgKAT_256", "vector file missing");
        cd_buf_free(&file);
        return;
    }
    CHECK_OK(t, cd_buf_push(&file, 0));
    char *text = (char *)file.data;
    long bits = -1;
    int checked = 0;
    uint8_t msg[512];
    long msg_len = -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        if (!strncmp(line, "Len = ", 6)) {
            bits = strtol(line + 6, NULL, 10);
        } else if (!strncmp(line, "Msg = ", 6)) {
            msg_len = test_unhex(line + 6, msg, sizeof msg);
        } else if (!strncmp(line, "MD = ", 5) && bits >= 0 && bits % 8 == 0) {
            CHECK(t, msg_len >= 0);
            if (msg_len < 0) break;
            size_t n = (size_t)bits / 8; /* Len = 0 carries a placeholder "00" message */
            CHECK(t, n <= (size_t)msg_len || n == 0);
            uint8_t want[32], got[32];
            CHECK_EQ_INT(t, test_unhex(line + 5, want, 32), 32);
            keccak256(msg, n, got);
            uint8_t got_portable[32];
            keccak256_portable(msg, n, got_portable);
            CHECK_EQ_BYTES(t, got_portable, 32, want, 32);
            if (memcmp(got, want, 32) != 0)
                test_fail_at(t, __FILE__, __LINE__, "KAT Len=%ld: got %s want %s", bits,
                             test_hex(got, 32), test_hex(want, 32));
            checked++;
        }
    }
    CHECK_EQ_INT(t, checked, 256);
    if (t->verbose) fprintf(stderr, "keccak: BMI2 build %s\n", keccak_uses_bmi2() ? "in use" : "not available");
    cd_buf_free(&file);
}

static void test_incremental_matches_oneshot(test_ctx *t) {
    uint8_t data[600];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 131 + 7);
    const size_t lens[] = {0, 1, 135, 136, 137, 271, 272, 273, 600};
    for (size_t li = 0; li < CD_ARRAY_LEN(lens); li++) {
        size_t len = lens[li];
        uint8_t want[32];
        keccak256(data, len, want);
        for (size_t split = 0; split <= len; split += (len > 40 ? 7 : 1)) {
            keccak256_ctx c;
            keccak256_init(&c);
            keccak256_update(&c, data, split);
            /* the rest in uneven pieces */
            size_t pos = split, step = 1;
            while (pos < len) {
                size_t n = len - pos < step ? len - pos : step;
                keccak256_update(&c, data + pos, n);
                pos += n;
                step = step * 3 + 1;
            }
            uint8_t got[32];
            keccak256_final(&c, got);
            CHECK_EQ_BYTES(t, got, 32, want, 32);
        }
    }
}

/* The permutation written straight from the specification (loops, arrays): the unrolled,
 * lane-complemented one must agree with it on arbitrary states. */
static void reference_f1600(uint64_t a[25]) {
    static const unsigned rho[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43,
                                     25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};
    uint64_t lfsr = 1; /* round constants from the rc(t) LFSR, x^8+x^6+x^5+x^4+1 */
    for (int round = 0; round < 24; round++) {
        uint64_t c[5], b[25];
        for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t d = c[(x + 4) % 5] ^ ((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63));
            for (int y = 0; y < 5; y++) a[x + 5 * y] ^= d;
        }
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++) {
                uint64_t v = a[x + 5 * y];
                unsigned r = rho[x + 5 * y];
                b[y + 5 * ((2 * x + 3 * y) % 5)] = r ? (v << r) | (v >> (64 - r)) : v;
            }
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
        uint64_t rc = 0;
        for (int j = 0; j < 7; j++) {
            if (lfsr & 1) rc |= 1ull << ((1u << j) - 1);
            lfsr = (lfsr & 0x80) ? ((lfsr << 1) ^ 0x71) & 0xff : lfsr << 1;
        }
        a[0] ^= rc;
    }
}

static void test_permutation_matches_reference(test_ctx *t) {
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int trial = 0; trial < 50; trial++) {
        uint64_t a[25], b[25];
        for (int i = 0; i < 25; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17; /* xorshift */
            a[i] = b[i] = trial == 0 ? 0 : x;
        }
        uint64_t c[25];
        memcpy(c, a, sizeof c);
        keccak_f1600(a);          /* the implementation chosen for this CPU */
        keccak_f1600_portable(c); /* the portable one, whatever the CPU */
        reference_f1600(b);
        CHECK_EQ_BYTES(t, a, sizeof a, b, sizeof b);
        CHECK_EQ_BYTES(t, c, sizeof c, b, sizeof b);
    }
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_keccak");
    TEST_RUN(&t, test_permutation_matches_reference);
    TEST_RUN(&t, test_anchors);
    TEST_RUN(&t, test_short_msg_kat);
    TEST_RUN(&t, test_incremental_matches_oneshot);
    return test_finish(&t);
}
