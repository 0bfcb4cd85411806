/* Fp/Fp2 additions as inline functions for the BLS files (crypto/bls_*.c), so the tower and
 * the Miller loop do not pay a call per addition (they were a fifth of pairing time as calls).
 * The public bls_fp_add / bls_fp2_add ... are these same functions, out of line. On x86-64 the
 * carry chains are inline assembly (add/adc, sub/sbb, cmov): compilers handle 128-bit carry
 * idioms poorly and these run 3-4x faster than the C. Not a public header. */
#ifndef CANDOR_CRYPTO_BLS_FP_INLINE_H
#define CANDOR_CRYPTO_BLS_FP_INLINE_H

#include "crypto/bls12_381.h"

extern const bls_fp bls_fp_const_p; /* p itself, plain limbs (not Montgomery) */

typedef unsigned __int128 bls_u128;
#define u128 bls_u128

#if defined(__x86_64__)
#define BLS_X86_ASM 1
#else
#define BLS_X86_ASM 0
#endif


#if BLS_X86_ASM
/* r = t - p if t >= p else t, for t < 2p given in six registers. */
static inline void bls_x86_reduce_once6(uint64_t r[6], uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3,
                                uint64_t s4, uint64_t s5) {
    uint64_t t0, t1, t2, t3, t4, t5;
    __asm__("movq %[s0], %[t0]\n\tmovq %[s1], %[t1]\n\tmovq %[s2], %[t2]\n\t"
            "movq %[s3], %[t3]\n\tmovq %[s4], %[t4]\n\tmovq %[s5], %[t5]\n\t"
            "subq 0(%[p]), %[t0]\n\tsbbq 8(%[p]), %[t1]\n\tsbbq 16(%[p]), %[t2]\n\t"
            "sbbq 24(%[p]), %[t3]\n\tsbbq 32(%[p]), %[t4]\n\tsbbq 40(%[p]), %[t5]\n\t"
            "cmovcq %[s0], %[t0]\n\tcmovcq %[s1], %[t1]\n\tcmovcq %[s2], %[t2]\n\t"
            "cmovcq %[s3], %[t3]\n\tcmovcq %[s4], %[t4]\n\tcmovcq %[s5], %[t5]\n\t"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5)
            : [s0] "r"(s0), [s1] "r"(s1), [s2] "r"(s2), [s3] "r"(s3), [s4] "r"(s4), [s5] "r"(s5),
              [p] "r"(bls_fp_const_p.l)
            : "cc", "memory");
    r[0] = t0, r[1] = t1, r[2] = t2, r[3] = t3, r[4] = t4, r[5] = t5;
}

static inline void bls_reduce_once(uint64_t r[6], const uint64_t a[6]) {
    bls_x86_reduce_once6(r, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static inline void bls_ifp_add(bls_fp *r, const bls_fp *a, const bls_fp *b) {
    uint64_t s0 = a->l[0], s1 = a->l[1], s2 = a->l[2], s3 = a->l[3], s4 = a->l[4], s5 = a->l[5];
    /* a + b < 2p < 2^384: no carry out of the top limb */
    __asm__("addq 0(%[b]), %[s0]\n\tadcq 8(%[b]), %[s1]\n\tadcq 16(%[b]), %[s2]\n\t"
            "adcq 24(%[b]), %[s3]\n\tadcq 32(%[b]), %[s4]\n\tadcq 40(%[b]), %[s5]\n\t"
            : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [s4] "+r"(s4),
              [s5] "+r"(s5)
            : [b] "r"(b->l)
            : "cc", "memory");
    bls_x86_reduce_once6(r->l, s0, s1, s2, s3, s4, s5);
}

static inline void bls_ifp_sub(bls_fp *r, const bls_fp *a, const bls_fp *b) {
    uint64_t s0 = a->l[0], s1 = a->l[1], s2 = a->l[2], s3 = a->l[3], s4 = a->l[4], s5 = a->l[5];
    uint64_t m;
    /* s = a - b; m = all ones on borrow; s += p & m */
    __asm__("subq 0(%[b]), %[s0]\n\tsbbq 8(%[b]), %[s1]\n\tsbbq 16(%[b]), %[s2]\n\t"
            "sbbq 24(%[b]), %[s3]\n\tsbbq 32(%[b]), %[s4]\n\tsbbq 40(%[b]), %[s5]\n\t"
            "sbbq %[m], %[m]\n\t"
            : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [s4] "+r"(s4),
              [s5] "+r"(s5), [m] "=&r"(m)
            : [b] "r"(b->l)
            : "cc", "memory");
    const uint64_t *P = bls_fp_const_p.l;
    uint64_t p0 = P[0] & m, p1 = P[1] & m, p2 = P[2] & m, p3 = P[3] & m, p4 = P[4] & m,
             p5 = P[5] & m;
    __asm__("addq %[p0], %[s0]\n\tadcq %[p1], %[s1]\n\tadcq %[p2], %[s2]\n\t"
            "adcq %[p3], %[s3]\n\tadcq %[p4], %[s4]\n\tadcq %[p5], %[s5]\n\t"
            : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [s4] "+r"(s4),
              [s5] "+r"(s5)
            : [p0] "r"(p0), [p1] "r"(p1), [p2] "r"(p2), [p3] "r"(p3), [p4] "r"(p4), [p5] "r"(p5)
            : "cc");
    r->l[0] = s0, r->l[1] = s1, r->l[2] = s2, r->l[3] = s3, r->l[4] = s4, r->l[5] = s5;
}
#else
/* r = a - p if a >= p else a (a < 2p), without branches. */
static inline void bls_reduce_once(uint64_t r[6], const uint64_t a[6]) {
    const uint64_t *P = bls_fp_const_p.l;
    uint64_t t[6], borrow = 0;
    for (int i = 0; i < 6; i++) {
        u128 d = (u128)a[i] - P[i] - borrow;
        t[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    uint64_t keep_a = 0 - borrow; /* all ones if a < p */
    for (int i = 0; i < 6; i++) r[i] = (a[i] & keep_a) | (t[i] & ~keep_a);
}

static inline void bls_ifp_add(bls_fp *r, const bls_fp *a, const bls_fp *b) {
    uint64_t t[6], carry = 0;
    for (int i = 0; i < 6; i++) {
        u128 s = (u128)a->l[i] + b->l[i] + carry;
        t[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    bls_reduce_once(r->l, t); /* a + b < 2p < 2^384: no carry out */
}

static inline void bls_ifp_sub(bls_fp *r, const bls_fp *a, const bls_fp *b) {
    uint64_t t[6], borrow = 0;
    for (int i = 0; i < 6; i++) {
        u128 d = (u128)a->l[i] - b->l[i] - borrow;
        t[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    const uint64_t *P = bls_fp_const_p.l;
    uint64_t mask = 0 - borrow, carry = 0;
    for (int i = 0; i < 6; i++) {
        u128 s = (u128)t[i] + (P[i] & mask) + carry;
        r->l[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
}
#endif

#undef u128

static inline void bls_ifp2_add(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b) {
    bls_ifp_add(&r->c0, &a->c0, &b->c0);
    bls_ifp_add(&r->c1, &a->c1, &b->c1);
}
static inline void bls_ifp2_sub(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b) {
    bls_ifp_sub(&r->c0, &a->c0, &b->c0);
    bls_ifp_sub(&r->c1, &a->c1, &b->c1);
}
static inline void bls_ifp2_dbl(bls_fp2 *r, const bls_fp2 *a) { bls_ifp2_add(r, a, a); }
/* r = a*(1+u) = (a0 - a1) + (a0 + a1) u */
static inline void bls_ifp2_mul_by_xi(bls_fp2 *r, const bls_fp2 *a) {
    bls_fp t0;
    bls_ifp_sub(&t0, &a->c0, &a->c1);
    bls_ifp_add(&r->c1, &a->c0, &a->c1);
    r->c0 = t0;
}

#endif
