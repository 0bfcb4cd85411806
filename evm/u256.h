/* 256-bit word arithmetic for the interpreter (private to evm/).
 *
 * Words are cd_u256: four little-endian 64-bit limbs. Everything is modulo 2^256 as the
 * EVM defines it; division by zero yields zero. Multiplication uses 64x64->128 products;
 * division is Knuth's algorithm D on 64-bit digits, so DIV/MOD/MULMOD cost a handful of
 * 128-bit divisions instead of a bit-by-bit loop. */
#ifndef CANDOR_EVM_U256_H
#define CANDOR_EVM_U256_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/common.h"

typedef unsigned __int128 u128;

static inline cd_u256 u256_from_u64(uint64_t v) {
    cd_u256 r = {{v, 0, 0, 0}};
    return r;
}

static inline bool u256_fits_u64(const cd_u256 *a) { return (a->w[1] | a->w[2] | a->w[3]) == 0; }

static inline cd_u256 u256_add(const cd_u256 *a, const cd_u256 *b) {
    unsigned long long r0, r1, r2, t;
    bool c0 = __builtin_uaddll_overflow(a->w[0], b->w[0], &r0);
    bool c1 = __builtin_uaddll_overflow(a->w[1], b->w[1], &t);
    c1 |= __builtin_uaddll_overflow(t, c0, &r1);
    bool c2 = __builtin_uaddll_overflow(a->w[2], b->w[2], &t);
    c2 |= __builtin_uaddll_overflow(t, c1, &r2);
    cd_u256 r = {{r0, r1, r2, a->w[3] + b->w[3] + c2}};
    return r;
}

/* Adds with carry-out (for balance overflow checks). */
static inline bool u256_add_overflow(const cd_u256 *a, const cd_u256 *b, cd_u256 *r) {
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->w[i] + b->w[i];
        r->w[i] = (uint64_t)c;
        c >>= 64;
    }
    return c != 0;
}

static inline cd_u256 u256_sub(const cd_u256 *a, const cd_u256 *b) {
    cd_u256 r;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t d = a->w[i] - b->w[i];
        uint64_t b1 = a->w[i] < b->w[i];
        r.w[i] = d - borrow;
        borrow = b1 | (d < borrow);
    }
    return r;
}

static inline bool u256_lt(const cd_u256 *a, const cd_u256 *b) {
    for (int i = 3; i >= 0; i--)
        if (a->w[i] != b->w[i]) return a->w[i] < b->w[i];
    return false;
}

static inline bool u256_slt(const cd_u256 *a, const cd_u256 *b) {
    bool an = a->w[3] >> 63, bn = b->w[3] >> 63;
    if (an != bn) return an;
    return u256_lt(a, b);
}

static inline cd_u256 u256_mul(const cd_u256 *a, const cd_u256 *b) {
    /* Truncated schoolbook product: only the 10 partial products below 2^256. */
    const uint64_t a0 = a->w[0], a1 = a->w[1], a2 = a->w[2], a3 = a->w[3];
    const uint64_t b0 = b->w[0], b1 = b->w[1], b2 = b->w[2], b3 = b->w[3];
    cd_u256 r;
    u128 t = (u128)a0 * b0;
    r.w[0] = (uint64_t)t;
    t = (t >> 64) + (u128)a0 * b1;
    u128 t2 = (u128)(uint64_t)t + (u128)a1 * b0;
    r.w[1] = (uint64_t)t2;
    /* carries into limb 2 */
    u128 c2 = (t >> 64) + (t2 >> 64);
    u128 s = c2 + (u128)a0 * b2;
    u128 s2 = (u128)(uint64_t)s + (u128)a1 * b1;
    u128 s3 = (u128)(uint64_t)s2 + (u128)a2 * b0;
    r.w[2] = (uint64_t)s3;
    uint64_t c3 = (uint64_t)(s >> 64) + (uint64_t)(s2 >> 64) + (uint64_t)(s3 >> 64);
    r.w[3] = c3 + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
    return r;
}

static inline cd_u256 u256_neg(const cd_u256 *a) {
    cd_u256 z = {{0, 0, 0, 0}};
    return u256_sub(&z, a);
}

static inline int u256_clz(const cd_u256 *a) {
    for (int i = 3; i >= 0; i--)
        if (a->w[i]) return (3 - i) * 64 + __builtin_clzll(a->w[i]);
    return 256;
}

static inline cd_u256 u256_shl(const cd_u256 *a, unsigned s) {
    cd_u256 r = {{0, 0, 0, 0}};
    if (s >= 256) return r;
    unsigned limbs = s / 64, bits = s % 64;
    for (int i = 3; i >= (int)limbs; i--) {
        uint64_t v = a->w[i - limbs] << bits;
        if (bits && i - (int)limbs - 1 >= 0) v |= a->w[i - limbs - 1] >> (64 - bits);
        r.w[i] = v;
    }
    return r;
}

static inline cd_u256 u256_shr(const cd_u256 *a, unsigned s) {
    cd_u256 r = {{0, 0, 0, 0}};
    if (s >= 256) return r;
    unsigned limbs = s / 64, bits = s % 64;
    for (unsigned i = 0; i + limbs < 4; i++) {
        uint64_t v = a->w[i + limbs] >> bits;
        if (bits && i + limbs + 1 < 4) v |= a->w[i + limbs + 1] << (64 - bits);
        r.w[i] = v;
    }
    return r;
}

/* ---- division by invariant integers (Möller & Granlund, "Improved division by invariant
 * integers", IEEE TC 2011) ----
 * A normalized divisor (top bit set) gets a reciprocal once per operation; every quotient
 * digit after that costs two or three multiplications and a couple of corrections, where
 * a 128-by-64 `/` would call libgcc's __udivmodti4 for each digit. */

/* floor((2^128 - 1) / d) - 2^64 for d >= 2^63: one 128-by-64 division of (~d, ~0) by d,
 * whose quotient fits in 64 bits because ~d < d. */
static inline uint64_t u256_reciprocal_2by1(uint64_t d) {
#if defined(__x86_64__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(~0ull), "d"(~d), "rm"(d));
    (void)r;
    return q;
#else
    return (uint64_t)((((u128)~d << 64) | ~0ull) / d);
#endif
}

/* (u1 * 2^64 + u0) / d and the remainder, for normalized d, u1 < d, v its reciprocal. */
static inline uint64_t u256_udivrem_2by1(uint64_t u1, uint64_t u0, uint64_t d, uint64_t v, uint64_t *rem) {
    u128 q = (u128)v * u1 + (((u128)u1 << 64) | u0);
    uint64_t q1 = (uint64_t)(q >> 64) + 1, q0 = (uint64_t)q;
    uint64_t r = u0 - q1 * d;
    if (r > q0) { /* q1 was one too large */
        q1--;
        r += d;
    }
    if (r >= d) { /* rare: one too small */
        q1++;
        r -= d;
    }
    *rem = r;
    return q1;
}

/* Reciprocal of the normalized two-limb divisor (d1, d0): floor((2^192 - 1) / d) - 2^64. */
static inline uint64_t u256_reciprocal_3by2(uint64_t d1, uint64_t d0) {
    uint64_t v = u256_reciprocal_2by1(d1);
    uint64_t p = d1 * v + d0;
    if (p < d0) {
        v--;
        if (p >= d1) {
            v--;
            p -= d1;
        }
        p -= d1;
    }
    u128 t = (u128)v * d0;
    uint64_t th = (uint64_t)(t >> 64), tl = (uint64_t)t;
    p += th;
    if (p < th) {
        v--;
        if (p >= d1 && (p > d1 || tl >= d0)) v--;
    }
    return v;
}

/* (u2, u1, u0) / (d1, d0) for a normalized divisor with (u2, u1) < (d1, d0), v its
 * reciprocal; the two-limb remainder goes to *rem. */
static inline uint64_t u256_udivrem_3by2(uint64_t u2, uint64_t u1, uint64_t u0, uint64_t d1, uint64_t d0,
                                         uint64_t v, u128 *rem) {
    u128 q = (u128)v * u2 + (((u128)u2 << 64) | u1);
    uint64_t q1 = (uint64_t)(q >> 64), q0 = (uint64_t)q;
    uint64_t r1 = u1 - q1 * d1;
    u128 d = ((u128)d1 << 64) | d0;
    u128 r = ((((u128)r1 << 64) | u0) - (u128)d0 * q1) - d;
    q1++;
    if ((uint64_t)(r >> 64) >= q0) {
        q1--;
        r += d;
    }
    if (r >= d) {
        q1++;
        r -= d;
    }
    *rem = r;
    return q1;
}

/* q = u / v, r = u % v for u of m limbs and v of n limbs (v[n-1] != 0, m >= n, m <= 8),
 * limbs little-endian; q has m-n+1 limbs, r has n limbs. One-limb divisors run the 2-by-1
 * step down the numerator; longer ones are Knuth's algorithm D with each quotient digit
 * estimated by the 3-by-2 step on the divisor's top two limbs (at most one too large),
 * then multiplied out and subtracted, adding the divisor back while the window is
 * negative. */
static inline void u256_divmod_limbs(const uint64_t *u, int m, const uint64_t *v, int n,
                                     uint64_t *q, uint64_t *r) {
    int s = __builtin_clzll(v[n - 1]);
    uint64_t un[9];
    un[m] = s ? u[m - 1] >> (64 - s) : 0;
    for (int i = m - 1; i > 0; i--) un[i] = (u[i] << s) | (s ? u[i - 1] >> (64 - s) : 0);
    un[0] = u[0] << s;
    if (n == 1) {
        uint64_t d = v[0] << s, rv = u256_reciprocal_2by1(d), rem = un[m];
        for (int j = m - 1; j >= 0; j--) q[j] = u256_udivrem_2by1(rem, un[j], d, rv, &rem);
        r[0] = rem >> s;
        return;
    }
    uint64_t vn[4];
    for (int i = n - 1; i > 0; i--) vn[i] = (v[i] << s) | (s ? v[i - 1] >> (64 - s) : 0);
    vn[0] = v[0] << s;
    const uint64_t d1 = vn[n - 1], d0 = vn[n - 2], rv = u256_reciprocal_3by2(d1, d0);
    for (int j = m - n; j >= 0; j--) {
        uint64_t u2 = un[j + n], u1 = un[j + n - 1], u0 = un[j + n - 2], qhat;
        if (u2 == d1 && u1 == d0) {
            qhat = ~0ull; /* the window's top equals the divisor's: the digit is 2^64 - 1 (or less) */
        } else {
            u128 rem;
            qhat = u256_udivrem_3by2(u2, u1, u0, d1, d0, rv, &rem);
        }
        /* un[j .. j+n] -= qhat * vn */
        uint64_t borrow = 0, carry = 0;
        for (int i = 0; i < n; i++) {
            u128 p = (u128)qhat * vn[i] + carry;
            carry = (uint64_t)(p >> 64);
            uint64_t pl = (uint64_t)p;
            uint64_t t = un[i + j] - pl;
            uint64_t b1 = un[i + j] < pl;
            un[i + j] = t - borrow;
            borrow = b1 | (t < borrow);
        }
        uint64_t t = un[j + n] - carry;
        uint64_t b1 = un[j + n] < carry;
        un[j + n] = t - borrow;
        borrow = b1 | (t < borrow);
        while (borrow) { /* qhat was too large: add vn back until the window is >= 0 */
            qhat--;
            u128 c = 0;
            for (int i = 0; i < n; i++) {
                c += (u128)un[i + j] + vn[i];
                un[i + j] = (uint64_t)c;
                c >>= 64;
            }
            /* the window was negative mod 2^(64(n+1)); it is not once this addition
             * carries out of its top limb */
            if (c && un[j + n] == ~0ull) borrow = 0;
            un[j + n] += (uint64_t)c;
        }
        q[j] = qhat;
    }
    for (int i = 0; i < n; i++) r[i] = (un[i] >> s) | (s ? un[i + 1] << (64 - s) : 0);
}

static inline int u256_limbs(const uint64_t *w, int max) {
    int n = max;
    while (n > 0 && !w[n - 1]) n--;
    return n;
}

/* q = a / b, r = a % b; b == 0 gives q = r = 0. Either output may be NULL. */
static inline void u256_divmod(const cd_u256 *a, const cd_u256 *b, cd_u256 *q, cd_u256 *r) {
    cd_u256 qq = {{0, 0, 0, 0}}, rr = {{0, 0, 0, 0}};
    int n = u256_limbs(b->w, 4), m = u256_limbs(a->w, 4);
    if (n == 0) {
        /* division by zero: both zero */
    } else if (m < n || u256_lt(a, b)) {
        rr = *a;
    } else if (m == 1) {
        qq.w[0] = a->w[0] / b->w[0];
        rr.w[0] = a->w[0] % b->w[0];
    } else {
        u256_divmod_limbs(a->w, m, b->w, n, qq.w, rr.w);
    }
    if (q) *q = qq;
    if (r) *r = rr;
}

static inline cd_u256 u256_sdiv(const cd_u256 *a, const cd_u256 *b) {
    bool an = a->w[3] >> 63, bn = b->w[3] >> 63;
    cd_u256 ua = an ? u256_neg(a) : *a, ub = bn ? u256_neg(b) : *b, q;
    u256_divmod(&ua, &ub, &q, NULL);
    return an != bn ? u256_neg(&q) : q;
}

static inline cd_u256 u256_smod(const cd_u256 *a, const cd_u256 *b) {
    bool an = a->w[3] >> 63, bn = b->w[3] >> 63;
    cd_u256 ua = an ? u256_neg(a) : *a, ub = bn ? u256_neg(b) : *b, r;
    u256_divmod(&ua, &ub, NULL, &r);
    return an ? u256_neg(&r) : r;
}

/* (a + b) % m with the 257-bit intermediate sum. */
static inline cd_u256 u256_addmod(const cd_u256 *a, const cd_u256 *b, const cd_u256 *m) {
    cd_u256 z = {{0, 0, 0, 0}};
    if (cd_u256_is_zero(m)) return z;
    uint64_t s[5];
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->w[i] + b->w[i];
        s[i] = (uint64_t)c;
        c >>= 64;
    }
    s[4] = (uint64_t)c;
    int n = u256_limbs(m->w, 4), ms = u256_limbs(s, 5);
    if (ms < n) {
        memcpy(z.w, s, sizeof z.w);
        return z;
    }
    uint64_t q[5];
    u256_divmod_limbs(s, ms, m->w, n, q, z.w);
    return z;
}

/* (a * b) % m with the 512-bit product. */
static inline cd_u256 u256_mulmod(const cd_u256 *a, const cd_u256 *b, const cd_u256 *m) {
    cd_u256 z = {{0, 0, 0, 0}};
    if (cd_u256_is_zero(m)) return z;
    uint64_t p[8] = {0};
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)a->w[i] * b->w[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + 4] = carry;
    }
    int n = u256_limbs(m->w, 4), mp = u256_limbs(p, 8);
    if (mp < n) {
        memcpy(z.w, p, sizeof z.w);
        return z;
    }
    uint64_t q[8];
    u256_divmod_limbs(p, mp, m->w, n, q, z.w);
    return z;
}

static inline cd_u256 u256_exp(const cd_u256 *base, const cd_u256 *e) {
    cd_u256 r = u256_from_u64(1), b = *base;
    int bits = 256 - u256_clz(e);
    for (int i = 0; i < bits; i++) {
        if ((e->w[i / 64] >> (i % 64)) & 1) r = u256_mul(&r, &b);
        if (i + 1 < bits) b = u256_mul(&b, &b);
    }
    return r;
}

static inline cd_u256 u256_sar(const cd_u256 *a, const cd_u256 *shift) {
    bool neg = a->w[3] >> 63;
    if (!u256_fits_u64(shift) || shift->w[0] >= 256) {
        cd_u256 r;
        memset(&r, neg ? 0xff : 0, sizeof r);
        return r;
    }
    unsigned s = (unsigned)shift->w[0];
    cd_u256 r = u256_shr(a, s);
    if (neg && s) {
        cd_u256 ones;
        memset(&ones, 0xff, sizeof ones);
        cd_u256 mask = u256_shl(&ones, 256 - s);
        for (int i = 0; i < 4; i++) r.w[i] |= mask.w[i];
    }
    return r;
}

/* Sign-extends x in place from byte k (counted from the least significant): the limb
 * holding the sign bit is extended by an arithmetic shift pair, the limbs above it become
 * the sign, the ones below stay (in place, so only the changed limbs are stored). */
static inline void u256_signextend_at(const cd_u256 *k, cd_u256 *x) {
    if (!u256_fits_u64(k) || k->w[0] >= 31) return;
    unsigned bit = (unsigned)k->w[0] * 8 + 7, limb = bit / 64, up = 63 - bit % 64;
    int64_t v = (int64_t)(x->w[limb] << up) >> up; /* arithmetic right shift (gcc, clang) */
    x->w[limb] = (uint64_t)v;
    for (unsigned i = limb + 1; i < 4; i++) x->w[i] = (uint64_t)(v >> 63);
}

static inline cd_u256 u256_signextend(const cd_u256 *k, const cd_u256 *x) {
    cd_u256 r = *x;
    u256_signextend_at(k, &r);
    return r;
}

static inline cd_u256 u256_byte(const cd_u256 *i, const cd_u256 *x) {
    cd_u256 r = {{0, 0, 0, 0}};
    if (!u256_fits_u64(i) || i->w[0] >= 32) return r;
    unsigned idx = 31 - (unsigned)i->w[0]; /* little-endian byte index */
    r.w[0] = (x->w[idx / 8] >> ((idx % 8) * 8)) & 0xff;
    return r;
}

static inline uint64_t u256_load_be64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

static inline void u256_store_be64(uint8_t *p, uint64_t v) {
    v = __builtin_bswap64(v);
    memcpy(p, &v, 8);
}

static inline void u256_to_be(const cd_u256 *v, uint8_t out[32]) {
    for (int i = 0; i < 4; i++) u256_store_be64(out + 8 * i, v->w[3 - i]);
}

/* 32 big-endian bytes to a word. */
static inline cd_u256 u256_from_be32(const uint8_t *p) {
    cd_u256 r = {{u256_load_be64(p + 24), u256_load_be64(p + 16), u256_load_be64(p + 8), u256_load_be64(p)}};
    return r;
}

/* Big-endian bytes (len <= 32) to a word. */
static inline cd_u256 u256_from_be(const uint8_t *p, size_t len) {
    cd_u256 r = {{0, 0, 0, 0}};
    for (size_t i = 0; i < len; i++) {
        size_t bi = len - 1 - i; /* little-endian byte index */
        r.w[bi / 8] |= (uint64_t)p[i] << ((bi % 8) * 8);
    }
    return r;
}

static inline cd_u256 u256_from_address(const cd_address *a) { return u256_from_be(a->b, 20); }

static inline cd_address u256_to_address(const cd_u256 *v) {
    uint8_t be[32];
    u256_to_be(v, be);
    cd_address a;
    memcpy(a.b, be + 12, 20);
    return a;
}

/* Byte length of the minimal big-endian encoding. */
static inline unsigned u256_byte_len(const cd_u256 *v) { return (256 - u256_clz(v) + 7) / 8; }

#endif
