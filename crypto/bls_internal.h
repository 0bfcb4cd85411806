/* BLS12-381 internals shared by the crypto/bls_*.c files. Not a public header.
 *
 * Tower: Fp2 = Fp[u]/(u^2+1), Fp6 = Fp2[v]/(v^3 - xi) with xi = 1+u, Fp12 = Fp6[w]/(w^2 - v).
 * G2 lives on the M-type twist E': y^2 = x^3 + 4*xi, untwisted by (x, y) -> (x/w^2, y/w^3).
 */
#ifndef CANDOR_CRYPTO_BLS_INTERNAL_H
#define CANDOR_CRYPTO_BLS_INTERNAL_H

#include "crypto/bls12_381.h"
#include "crypto/bls_fp_inline.h"

/* |x| of the curve parameter x = -0xd201000000010000 (x is negative). */
#define BLS_X_ABS 0xd201000000010000ull

typedef struct { bls_fp2 c0, c1, c2; } bls_fp6;
typedef struct { bls_fp6 c0, c1; } bls_fp12;

/* Constants (Montgomery form), defined in bls_fp.c / bls_tower.c. */
extern const bls_fp bls_fp_const_one;
extern const bls_fp bls_fp_const_b;        /* 4 */
extern const bls_fp2 bls_fp2_const_b;      /* 4(1+u) */

/* ---- Fp extras ---- */
/* True when the CPU (as glibc reports it, after GLIBC_TUNABLES masks) has BMI2 and ADX, i.e.
 * when the mulx/adcx/adox field code is the one the loader picked. Stateless. */
bool bls_fp_adx_usable(void);
/* Every kernel family built into this binary (portable C, and on x86-64 also mulq and adx),
 * for tests that check them against each other and against a big-number reference. Entries
 * with needs_adx set may only be called when bls_fp_adx_usable(). mul384 takes any
 * 384-bit inputs; redc takes t < p*2^384 and returns t/2^384 mod p, fully reduced. */
typedef struct {
    const char *name;
    bool needs_adx;
    void (*mul)(bls_fp *r, const bls_fp *a, const bls_fp *b);
    void (*sqr)(bls_fp *r, const bls_fp *a);
    void (*fp2_mul)(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b);
    void (*fp2_sqr)(bls_fp2 *r, const bls_fp2 *a);
    void (*fp4_sqr)(bls_fp2 *r0, bls_fp2 *r1, const bls_fp2 *x, const bls_fp2 *y);
    void (*mul384)(uint64_t t[12], const uint64_t a[6], const uint64_t b[6]);
    void (*redc)(uint64_t r[6], const uint64_t t[12]);
} bls_fp_impl;
extern const bls_fp_impl bls_fp_impls[];
extern const size_t bls_fp_impl_count;
void bls_fp_mul_small(bls_fp *r, const bls_fp *a, uint64_t k);   /* k <= 16 */
void bls_fp_dbl(bls_fp *r, const bls_fp *a);
/* r = a^e for a fixed (public) exponent given as 6 little-endian limbs. */
void bls_fp_pow(bls_fp *r, const bls_fp *a, const uint64_t e[6]);
/* Canonical (non-Montgomery) limbs of a. */
void bls_fp_to_canonical(uint64_t out[6], const bls_fp *a);
/* Constant-time select: r = flag ? a : r (flag is 0 or 1). */
void bls_fp_cmov(bls_fp *r, const bls_fp *a, uint64_t flag);
/* True iff canonical value > (p-1)/2 (the ZCash "lexicographically largest" test). */
bool bls_fp_is_lex_largest(const bls_fp *a);
/* 64-byte big-endian to field element mod p (hash_to_field). */
void bls_fp_from_bytes64_reduce(bls_fp *r, const uint8_t in[64]);
/* 1 if a is a square (or zero), computed by Euler's criterion. */
bool bls_fp_is_square(const bls_fp *a);

/* ---- Fp2 extras ---- */
void bls_fp2_dbl(bls_fp2 *r, const bls_fp2 *a);
void bls_fp2_conj(bls_fp2 *r, const bls_fp2 *a);
void bls_fp2_mul_by_xi(bls_fp2 *r, const bls_fp2 *a);      /* r = a*(1+u) */
void bls_fp2_mul_fp(bls_fp2 *r, const bls_fp2 *a, const bls_fp *b);
void bls_fp2_mul_small(bls_fp2 *r, const bls_fp2 *a, uint64_t k);
void bls_fp2_cmov(bls_fp2 *r, const bls_fp2 *a, uint64_t flag);
bool bls_fp2_is_lex_largest(const bls_fp2 *a);
/* N(a) = a0^2 + a1^2, the norm to Fp (a is a square in Fp2 iff N(a) is one in Fp). */
void bls_fp2_norm(bls_fp *r, const bls_fp2 *a);
/* sqrt(a) when s^2 = N(a) is already known: one exponentiation instead of two. Returns false
 * (r untouched) if a is not a square. */
bool bls_fp2_sqrt_given_norm_root(bls_fp2 *r, const bls_fp2 *a, const bls_fp *s);

/* (x + y t)^2 in Fp4 = Fp2[t]/(t^2 - xi): r0 = x^2 + xi y^2, r1 = 2xy (the cyclotomic
 * squaring's building block), with lazy reduction. Outputs may alias inputs. */
void bls_fp4_sqr(bls_fp2 *r0, bls_fp2 *r1, const bls_fp2 *x, const bls_fp2 *y);

/* ---- Fp6 / Fp12 (bls_tower.c) ---- */
void bls_fp6_add(bls_fp6 *r, const bls_fp6 *a, const bls_fp6 *b);
void bls_fp6_sub(bls_fp6 *r, const bls_fp6 *a, const bls_fp6 *b);
void bls_fp6_mul(bls_fp6 *r, const bls_fp6 *a, const bls_fp6 *b);
void bls_fp6_inv(bls_fp6 *r, const bls_fp6 *a);

void bls_fp12_one(bls_fp12 *r);
bool bls_fp12_is_one(const bls_fp12 *a);
bool bls_fp12_eq(const bls_fp12 *a, const bls_fp12 *b);
void bls_fp12_mul(bls_fp12 *r, const bls_fp12 *a, const bls_fp12 *b);
void bls_fp12_sqr(bls_fp12 *r, const bls_fp12 *a);
void bls_fp12_inv(bls_fp12 *r, const bls_fp12 *a);
void bls_fp12_conj(bls_fp12 *r, const bls_fp12 *a);
void bls_fp12_frob(bls_fp12 *r, const bls_fp12 *a);      /* a^p */
void bls_fp12_frob2(bls_fp12 *r, const bls_fp12 *a);     /* a^(p^2) */
/* Squaring valid only in the cyclotomic subgroup (after the easy part of the final exp). */
void bls_fp12_cyclotomic_sqr(bls_fp12 *r, const bls_fp12 *a);
/* r = a * (c0 + c1*v + c4*v*w): the shape of a Miller-loop line. */
void bls_fp12_mul_by_line(bls_fp12 *r, const bls_fp12 *a, const bls_fp2 *c0, const bls_fp2 *c1,
                          const bls_fp2 *c4);

/* ---- pairing (bls_pairing.c) ---- */
/* Miller loop of the product over n pairs (both points affine, not infinity). */
void bls_miller_loop(bls_fp12 *f, const bls_g1_affine *p, const bls_g2_affine *q, size_t n);
void bls_final_exp(bls_fp12 *r, const bls_fp12 *f);
/* Full (cubed, see bls_pairing.c) reduced pairing, for tests. */
void bls_pairing(bls_fp12 *r, const bls_g1_affine *p, const bls_g2_affine *q);

/* ---- curve extras (bls_curve.c) ---- */
/* psi endomorphism on E'(Fp2): untwist-Frobenius-twist. */
void bls_g2_psi(bls_g2 *r, const bls_g2 *p);
/* r = |x|*P (variable time, x is public). */
void bls_g1_mul_x_abs(bls_g1 *r, const bls_g1 *p);
void bls_g2_mul_x_abs(bls_g2 *r, const bls_g2 *p);
/* Constant-time fixed-window scalar multiplication for secrets (k < 2^256). */
void bls_g1_mul_ct(bls_g1 *r, const bls_g1_affine *p, const uint8_t k[32]);
void bls_g2_mul_ct(bls_g2 *r, const bls_g2_affine *p, const uint8_t k[32]);

#endif
