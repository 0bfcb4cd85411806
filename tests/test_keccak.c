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
            if (memcmp(got, want, 32) != 0)
                test_fail_at(t, __FILE__, __LINE__, "KAT Len=%ld: got %s want %s", bits,
                             test_hex(got, 32), test_hex(want, 32));
            checked++;
        }
    }
    CHECK_EQ_INT(t, checked, 256);
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

int main(void) {
    test_ctx t;
    test_init(&t, "test_keccak");
    TEST_RUN(&t, test_anchors);
    TEST_RUN(&t, test_short_msg_kat);
    TEST_RUN(&t, test_incremental_matches_oneshot);
    return test_finish(&t);
}
