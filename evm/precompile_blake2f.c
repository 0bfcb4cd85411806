/* 0x09 BLAKE2F (EIP-152): the BLAKE2b compression function F of RFC 7693 section 3.2,
 * with a caller-chosen round count. Gas is one per round. */
#include <string.h>

#include "evm/precompiles_internal.h"

#define BLAKE2F_INPUT_LEN 213

static const uint64_t BLAKE2B_IV[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

/* RFC 7693 section 2.7: message word schedule; round i uses row i mod 10. */
static const uint8_t BLAKE2B_SIGMA[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

static uint64_t load_le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void store_le64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* RFC 7693 section 3.1, the mixing function G. */
static void mix_g(uint64_t v[16], int a, int b, int c, int d, uint64_t x, uint64_t y) {
    v[a] = v[a] + v[b] + x;
    v[d] = rotr64(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = rotr64(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = rotr64(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = rotr64(v[b] ^ v[c], 63);
}

/* RFC 7693 section 3.2, F(h, m, t, f) with `rounds` rounds instead of the fixed 12. */
static void blake2b_compress(uint64_t h[8], const uint64_t m[16], const uint64_t t[2],
                             bool final_block, uint32_t rounds) {
    uint64_t v[16];
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = BLAKE2B_IV[i];
    }
    v[12] ^= t[0];
    v[13] ^= t[1];
    if (final_block) v[14] = ~v[14];
    for (uint32_t r = 0; r < rounds; r++) {
        const uint8_t *s = BLAKE2B_SIGMA[r % 10];
        mix_g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        mix_g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        mix_g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        mix_g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        mix_g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        mix_g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        mix_g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        mix_g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

static uint32_t read_rounds(cd_bytes input) {
    const uint8_t *p = input.ptr;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

uint64_t evm_pc_blake2f_gas(evm_fork fork, cd_bytes input) {
    (void)fork;
    /* A malformed input is rejected by run(); its price does not matter (all gas goes). */
    return input.len == BLAKE2F_INPUT_LEN ? read_rounds(input) : 0;
}

cd_status evm_pc_blake2f_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    (void)fork;
    if (input.len != BLAKE2F_INPUT_LEN) return CD_ERR_EVM_PRECOMPILE_FAILED;
    uint8_t flag = input.ptr[212];
    if (flag > 1) return CD_ERR_EVM_PRECOMPILE_FAILED;
    uint64_t h[8], m[16], t[2];
    for (int i = 0; i < 8; i++) h[i] = load_le64(input.ptr + 4 + 8 * i);
    for (int i = 0; i < 16; i++) m[i] = load_le64(input.ptr + 68 + 8 * i);
    t[0] = load_le64(input.ptr + 196);
    t[1] = load_le64(input.ptr + 204);
    blake2b_compress(h, m, t, flag == 1, read_rounds(input));
    uint8_t res[64];
    for (int i = 0; i < 8; i++) store_le64(res + 8 * i, h[i]);
    return cd_buf_append(out, res, sizeof res);
}
