/* Keccak-256 (Ethereum). The permutation is written out round by round on 25 local lanes
 * so that the compiler keeps the state in registers; two rounds per loop iteration swap
 * the roles of the s* and t* lane sets, which avoids copying the state back each round.
 *
 * Lane complementing (Keccak implementation overview, "lane complementing transform"):
 * inside the permutation lanes 1, 2, 8, 12, 17 and 20 are kept complemented. With that
 * mask chi's ~a & b can be rewritten with AND/OR on the stored values so that each row
 * needs one NOT instead of five (5 per round instead of 25) -- x86-64 without BMI has no
 * and-not instruction, so this is most of the gap to OpenSSL's assembly. The mask is
 * invariant across rounds, so it is applied once on entry and removed once on exit.
 *
 * Lane i is A[x][y] with i = x + 5*y. One round (theta, rho, pi, chi, iota) computes the
 * output row y' from B[x'][y'] = ROL(A[x][y] ^ D[x], r[x][y]) where x' = y and
 * y' = 2x + 3y (mod 5), i.e. x = x' + 3y' (mod 5), y = x'. The round macros below were
 * produced from exactly that rule by a small generator script (tabulated, not hand-typed),
 * which also searched, per row, the AND/OR form of chi under the complement mask.
 */
#include "crypto/keccak.h"

#include <string.h>

#define ROL64(v, n) (((v) << (n)) | ((v) >> (64 - (n))))

static const uint64_t keccak_rc[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

/* 5 NOTs per round */
#define KECCAK_ROUND_S_TO_T(rc) do { \
    d0 = c4 ^ ROL64(c1, 1); \
    d1 = c0 ^ ROL64(c2, 1); \
    d2 = c1 ^ ROL64(c3, 1); \
    d3 = c2 ^ ROL64(c4, 1); \
    d4 = c3 ^ ROL64(c0, 1); \
    b0 = s0 ^ d0; \
    b1 = ROL64(s6 ^ d1, 44); \
    b2 = ROL64(s12 ^ d2, 43); \
    b3 = ROL64(s18 ^ d3, 21); \
    b4 = ROL64(s24 ^ d4, 14); \
    nb = ~b2; \
    t0 = b0 ^ (b1 | b2) ^ (rc); \
    t1 = b1 ^ (nb | b3); \
    t2 = b2 ^ (b3 & b4); \
    t3 = b3 ^ (b4 | b0); \
    t4 = b4 ^ (b0 & b1); \
    c0 = t0; \
    c1 = t1; \
    c2 = t2; \
    c3 = t3; \
    c4 = t4; \
    b0 = ROL64(s3 ^ d3, 28); \
    b1 = ROL64(s9 ^ d4, 20); \
    b2 = ROL64(s10 ^ d0, 3); \
    b3 = ROL64(s16 ^ d1, 45); \
    b4 = ROL64(s22 ^ d2, 61); \
    nb = ~b4; \
    t5 = b0 ^ (b1 | b2); \
    t6 = b1 ^ (b2 & b3); \
    t7 = b2 ^ (b3 | nb); \
    t8 = b3 ^ (b4 | b0); \
    t9 = b4 ^ (b0 & b1); \
    c0 ^= t5; \
    c1 ^= t6; \
    c2 ^= t7; \
    c3 ^= t8; \
    c4 ^= t9; \
    b0 = ROL64(s1 ^ d1, 1); \
    b1 = ROL64(s7 ^ d2, 6); \
    b2 = ROL64(s13 ^ d3, 25); \
    b3 = ROL64(s19 ^ d4, 8); \
    b4 = ROL64(s20 ^ d0, 18); \
    nb = ~b3; \
    t10 = b0 ^ (b1 | b2); \
    t11 = b1 ^ (b2 & b3); \
    t12 = b2 ^ (nb & b4); \
    t13 = nb ^ (b4 | b0); \
    t14 = b4 ^ (b0 & b1); \
    c0 ^= t10; \
    c1 ^= t11; \
    c2 ^= t12; \
    c3 ^= t13; \
    c4 ^= t14; \
    b0 = ROL64(s4 ^ d4, 27); \
    b1 = ROL64(s5 ^ d0, 36); \
    b2 = ROL64(s11 ^ d1, 10); \
    b3 = ROL64(s17 ^ d2, 15); \
    b4 = ROL64(s23 ^ d3, 56); \
    nb = ~b3; \
    t15 = b0 ^ (b1 & b2); \
    t16 = b1 ^ (b2 | b3); \
    t17 = b2 ^ (nb | b4); \
    t18 = nb ^ (b4 & b0); \
    t19 = b4 ^ (b0 | b1); \
    c0 ^= t15; \
    c1 ^= t16; \
    c2 ^= t17; \
    c3 ^= t18; \
    c4 ^= t19; \
    b0 = ROL64(s2 ^ d2, 62); \
    b1 = ROL64(s8 ^ d3, 55); \
    b2 = ROL64(s14 ^ d4, 39); \
    b3 = ROL64(s15 ^ d0, 41); \
    b4 = ROL64(s21 ^ d1, 2); \
    nb = ~b1; \
    t20 = b0 ^ (nb & b2); \
    t21 = nb ^ (b2 | b3); \
    t22 = b2 ^ (b3 & b4); \
    t23 = b3 ^ (b4 | b0); \
    t24 = b4 ^ (b0 & b1); \
    c0 ^= t20; \
    c1 ^= t21; \
    c2 ^= t22; \
    c3 ^= t23; \
    c4 ^= t24; \
} while (0)

/* 5 NOTs per round */
#define KECCAK_ROUND_T_TO_S(rc) do { \
    d0 = c4 ^ ROL64(c1, 1); \
    d1 = c0 ^ ROL64(c2, 1); \
    d2 = c1 ^ ROL64(c3, 1); \
    d3 = c2 ^ ROL64(c4, 1); \
    d4 = c3 ^ ROL64(c0, 1); \
    b0 = t0 ^ d0; \
    b1 = ROL64(t6 ^ d1, 44); \
    b2 = ROL64(t12 ^ d2, 43); \
    b3 = ROL64(t18 ^ d3, 21); \
    b4 = ROL64(t24 ^ d4, 14); \
    nb = ~b2; \
    s0 = b0 ^ (b1 | b2) ^ (rc); \
    s1 = b1 ^ (nb | b3); \
    s2 = b2 ^ (b3 & b4); \
    s3 = b3 ^ (b4 | b0); \
    s4 = b4 ^ (b0 & b1); \
    c0 = s0; \
    c1 = s1; \
    c2 = s2; \
    c3 = s3; \
    c4 = s4; \
    b0 = ROL64(t3 ^ d3, 28); \
    b1 = ROL64(t9 ^ d4, 20); \
    b2 = ROL64(t10 ^ d0, 3); \
    b3 = ROL64(t16 ^ d1, 45); \
    b4 = ROL64(t22 ^ d2, 61); \
    nb = ~b4; \
    s5 = b0 ^ (b1 | b2); \
    s6 = b1 ^ (b2 & b3); \
    s7 = b2 ^ (b3 | nb); \
    s8 = b3 ^ (b4 | b0); \
    s9 = b4 ^ (b0 & b1); \
    c0 ^= s5; \
    c1 ^= s6; \
    c2 ^= s7; \
    c3 ^= s8; \
    c4 ^= s9; \
    b0 = ROL64(t1 ^ d1, 1); \
    b1 = ROL64(t7 ^ d2, 6); \
    b2 = ROL64(t13 ^ d3, 25); \
    b3 = ROL64(t19 ^ d4, 8); \
    b4 = ROL64(t20 ^ d0, 18); \
    nb = ~b3; \
    s10 = b0 ^ (b1 | b2); \
    s11 = b1 ^ (b2 & b3); \
    s12 = b2 ^ (nb & b4); \
    s13 = nb ^ (b4 | b0); \
    s14 = b4 ^ (b0 & b1); \
    c0 ^= s10; \
    c1 ^= s11; \
    c2 ^= s12; \
    c3 ^= s13; \
    c4 ^= s14; \
    b0 = ROL64(t4 ^ d4, 27); \
    b1 = ROL64(t5 ^ d0, 36); \
    b2 = ROL64(t11 ^ d1, 10); \
    b3 = ROL64(t17 ^ d2, 15); \
    b4 = ROL64(t23 ^ d3, 56); \
    nb = ~b3; \
    s15 = b0 ^ (b1 & b2); \
    s16 = b1 ^ (b2 | b3); \
    s17 = b2 ^ (nb | b4); \
    s18 = nb ^ (b4 & b0); \
    s19 = b4 ^ (b0 | b1); \
    c0 ^= s15; \
    c1 ^= s16; \
    c2 ^= s17; \
    c3 ^= s18; \
    c4 ^= s19; \
    b0 = ROL64(t2 ^ d2, 62); \
    b1 = ROL64(t8 ^ d3, 55); \
    b2 = ROL64(t14 ^ d4, 39); \
    b3 = ROL64(t15 ^ d0, 41); \
    b4 = ROL64(t21 ^ d1, 2); \
    nb = ~b1; \
    s20 = b0 ^ (nb & b2); \
    s21 = nb ^ (b2 | b3); \
    s22 = b2 ^ (b3 & b4); \
    s23 = b3 ^ (b4 | b0); \
    s24 = b4 ^ (b0 & b1); \
    c0 ^= s20; \
    c1 ^= s21; \
    c2 ^= s22; \
    c3 ^= s23; \
    c4 ^= s24; \
} while (0)


/* Declares the lanes and temporaries of one permutation and loads st[] into s0..s24 in
 * the complemented representation. */
#define KECCAK_LOAD_STATE(st)                                                                  \
    uint64_t s0 = (st)[0], s1 = ~(st)[1], s2 = ~(st)[2], s3 = (st)[3], s4 = (st)[4];           \
    uint64_t s5 = (st)[5], s6 = (st)[6], s7 = (st)[7], s8 = ~(st)[8], s9 = (st)[9];            \
    uint64_t s10 = (st)[10], s11 = (st)[11], s12 = ~(st)[12], s13 = (st)[13], s14 = (st)[14];  \
    uint64_t s15 = (st)[15], s16 = (st)[16], s17 = ~(st)[17], s18 = (st)[18], s19 = (st)[19];  \
    uint64_t s20 = ~(st)[20], s21 = (st)[21], s22 = (st)[22], s23 = (st)[23], s24 = (st)[24];  \
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17,   \
        t18, t19, t20, t21, t22, t23, t24;                                                     \
    uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b0, b1, b2, b3, b4, nb

#define KECCAK_STORE_STATE(st)                                                                 \
    do {                                                                                       \
        (st)[0] = s0; (st)[1] = ~s1; (st)[2] = ~s2; (st)[3] = s3; (st)[4] = s4;                \
        (st)[5] = s5; (st)[6] = s6; (st)[7] = s7; (st)[8] = ~s8; (st)[9] = s9;                 \
        (st)[10] = s10; (st)[11] = s11; (st)[12] = ~s12; (st)[13] = s13; (st)[14] = s14;       \
        (st)[15] = s15; (st)[16] = s16; (st)[17] = ~s17; (st)[18] = s18; (st)[19] = s19;       \
        (st)[20] = ~s20; (st)[21] = s21; (st)[22] = s22; (st)[23] = s23; (st)[24] = s24;       \
    } while (0)

/* 24 rounds on s0..s24. Theta's column parities are computed once here; each round then
 * accumulates the next round's parities as it writes its output lanes. */
#define KECCAK_PERMUTE()                                                                       \
    do {                                                                                       \
        c0 = s0 ^ s5 ^ s10 ^ s15 ^ s20;                                                        \
        c1 = s1 ^ s6 ^ s11 ^ s16 ^ s21;                                                        \
        c2 = s2 ^ s7 ^ s12 ^ s17 ^ s22;                                                        \
        c3 = s3 ^ s8 ^ s13 ^ s18 ^ s23;                                                        \
        c4 = s4 ^ s9 ^ s14 ^ s19 ^ s24;                                                        \
        for (int r_ = 0; r_ < 24; r_ += 2) {                                                   \
            KECCAK_ROUND_S_TO_T(keccak_rc[r_]);                                                \
            KECCAK_ROUND_T_TO_S(keccak_rc[r_ + 1]);                                            \
        }                                                                                      \
    } while (0)

void keccak_f1600(uint64_t st[25]) {
    KECCAK_LOAD_STATE(st);
    KECCAK_PERMUTE();
    KECCAK_STORE_STATE(st);
}

static inline uint64_t load64_le(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline void store64_le(uint8_t *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8);
}

/* Absorbs n full rate blocks. The state stays in locals (and complemented) across blocks:
 * XORing data into a complemented lane keeps it complemented, so the transform is applied
 * once per call rather than once per block. */
static void absorb_blocks(uint64_t st[25], const uint8_t *p, size_t n) {
    KECCAK_LOAD_STATE(st);
    while (n--) {
        s0 ^= load64_le(p);       s1 ^= load64_le(p + 8);    s2 ^= load64_le(p + 16);
        s3 ^= load64_le(p + 24);  s4 ^= load64_le(p + 32);   s5 ^= load64_le(p + 40);
        s6 ^= load64_le(p + 48);  s7 ^= load64_le(p + 56);   s8 ^= load64_le(p + 64);
        s9 ^= load64_le(p + 72);  s10 ^= load64_le(p + 80);  s11 ^= load64_le(p + 88);
        s12 ^= load64_le(p + 96); s13 ^= load64_le(p + 104); s14 ^= load64_le(p + 112);
        s15 ^= load64_le(p + 120); s16 ^= load64_le(p + 128);
        KECCAK_PERMUTE();
        p += KECCAK256_RATE;
    }
    KECCAK_STORE_STATE(st);
}

static void absorb_block(uint64_t st[25], const uint8_t *block) { absorb_blocks(st, block, 1); }

void keccak256_init(keccak256_ctx *ctx) { memset(ctx, 0, sizeof *ctx); }

void keccak256_update(keccak256_ctx *ctx, const uint8_t *data, size_t len) {
    if (len == 0) return;
    if (ctx->buf_len) {
        size_t take = KECCAK256_RATE - ctx->buf_len;
        if (take > len) take = len;
        memcpy(ctx->buf + ctx->buf_len, data, take);
        ctx->buf_len += take;
        data += take;
        len -= take;
        if (ctx->buf_len < KECCAK256_RATE) return;
        absorb_block(ctx->state, ctx->buf);
        ctx->buf_len = 0;
    }
    if (len >= KECCAK256_RATE) {
        size_t blocks = len / KECCAK256_RATE;
        absorb_blocks(ctx->state, data, blocks);
        data += blocks * KECCAK256_RATE;
        len -= blocks * KECCAK256_RATE;
    }
    if (len) {
        memcpy(ctx->buf, data, len);
        ctx->buf_len = len;
    }
}

void keccak256_final(keccak256_ctx *ctx, uint8_t out[32]) {
    /* Keccak pad10*1 with domain bits 0x01: first padding byte 0x01, last byte |= 0x80
     * (both in the same byte when only one byte of the block is left). */
    memset(ctx->buf + ctx->buf_len, 0, KECCAK256_RATE - ctx->buf_len);
    ctx->buf[ctx->buf_len] ^= 0x01;
    ctx->buf[KECCAK256_RATE - 1] ^= 0x80;
    absorb_block(ctx->state, ctx->buf);
    for (int i = 0; i < 4; i++) store64_le(out + 8 * i, ctx->state[i]);
    memset(ctx, 0, sizeof *ctx);
}

void keccak256(const uint8_t *data, size_t len, uint8_t out[32]) {
    uint64_t st[25] = {0};
    if (len >= KECCAK256_RATE) {
        size_t blocks = len / KECCAK256_RATE;
        absorb_blocks(st, data, blocks);
        data += blocks * KECCAK256_RATE;
        len -= blocks * KECCAK256_RATE;
    }
    uint8_t last[KECCAK256_RATE] = {0};
    if (len) memcpy(last, data, len);
    last[len] ^= 0x01;
    last[KECCAK256_RATE - 1] ^= 0x80;
    absorb_block(st, last);
    for (int i = 0; i < 4; i++) store64_le(out + 8 * i, st[i]);
}
