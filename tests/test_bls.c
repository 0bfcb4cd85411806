/* Unit tests for BLS12-381 (crypto/bls12_381.h and the internals in crypto/bls_internal.h):
 * field axioms on pseudo-random elements, tower identities, group laws, encodings and their
 * rejections, subgroup checks against points outside the subgroup, pairing bilinearity and
 * known-answer vectors (generators, RFC 9380 hash_to_curve). */
#include <gmp.h>
#include <stdlib.h>

#include "crypto/bls_internal.h"
#include "tests/test.h"

/* ---- deterministic pseudo-random source -------------------------------------------------- */

typedef struct { uint64_t s; } rng;

static uint64_t rng_next(rng *r) {
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static void rng_bytes(rng *r, uint8_t *out, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(rng_next(r) >> 24);
}

static void rand_fp(rng *r, bls_fp *out) {
    uint8_t b[48];
    rng_bytes(r, b, 48);
    b[0] %= 0x1a; /* below p's top byte: always < p */
    if (bls_fp_from_bytes(out, b) != CD_OK) bls_fp_zero(out);
}

static void rand_fp2(rng *r, bls_fp2 *out) {
    rand_fp(r, &out->c0);
    rand_fp(r, &out->c1);
}

static void rand_fp12(rng *r, bls_fp12 *out) {
    bls_fp2 *c = &out->c0.c0;
    for (int i = 0; i < 6; i++) rand_fp2(r, &c[i]);
}

static void rand_scalar(rng *r, uint8_t k[32]) {
    rng_bytes(r, k, 32);
    k[0] &= 0x3f; /* < r */
}

static void scalar_u64(uint8_t k[32], uint64_t v) {
    memset(k, 0, 32);
    for (int i = 0; i < 8; i++) k[31 - i] = (uint8_t)(v >> (8 * i));
}

static const uint8_t ORDER_R[32] = {0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8,
                                    0x08, 0x09, 0xa1, 0xd8, 0x05, 0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe,
                                    0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01};

/* ---- fields ------------------------------------------------------------------------------- */

static void test_fp_axioms(test_ctx *t) {
    rng r = {0x1234567887654321ull};
    bls_fp one, zero;
    bls_fp_one(&one);
    bls_fp_zero(&zero);
    for (int i = 0; i < 200; i++) {
        bls_fp a, b, c, x, y, z;
        rand_fp(&r, &a);
        rand_fp(&r, &b);
        rand_fp(&r, &c);
        bls_fp_mul(&x, &a, &b);
        bls_fp_mul(&y, &b, &a);
        CHECK(t, bls_fp_eq(&x, &y));
        bls_fp_mul(&x, &x, &c);
        bls_fp_mul(&y, &b, &c);
        bls_fp_mul(&y, &a, &y);
        CHECK(t, bls_fp_eq(&x, &y)); /* (ab)c = a(bc) */
        bls_fp_add(&x, &b, &c);
        bls_fp_mul(&x, &a, &x);
        bls_fp_mul(&y, &a, &b);
        bls_fp_mul(&z, &a, &c);
        bls_fp_add(&y, &y, &z);
        CHECK(t, bls_fp_eq(&x, &y)); /* a(b+c) = ab+ac */
        bls_fp_sub(&x, &a, &b);
        bls_fp_add(&x, &x, &b);
        CHECK(t, bls_fp_eq(&x, &a));
        bls_fp_neg(&x, &a);
        bls_fp_add(&x, &x, &a);
        CHECK(t, bls_fp_is_zero(&x));
        bls_fp_sqr(&x, &a);
        bls_fp_mul(&y, &a, &a);
        CHECK(t, bls_fp_eq(&x, &y));
        if (!bls_fp_is_zero(&a)) {
            bls_fp_inv(&x, &a);
            bls_fp_mul(&x, &x, &a);
            CHECK(t, bls_fp_eq(&x, &one));
        }
        bls_fp_sqr(&x, &a);
        CHECK(t, bls_fp_sqrt(&y, &x));
        bls_fp_sqr(&y, &y);
        CHECK(t, bls_fp_eq(&x, &y));
        CHECK(t, bls_fp_is_square(&x));
        uint8_t be[48];
        bls_fp_to_bytes(be, &a);
        CHECK_OK(t, bls_fp_from_bytes(&x, be));
        CHECK(t, bls_fp_eq(&x, &a));
        bls_fp_mul_small(&x, &a, 12);
        bls_fp_from_u64(&y, 12);
        bls_fp_mul(&y, &y, &a);
        CHECK(t, bls_fp_eq(&x, &y));
    }
    /* -1 is not a square mod p (p = 3 mod 4) */
    bls_fp m1;
    bls_fp_neg(&m1, &one);
    CHECK(t, !bls_fp_is_square(&m1));
    bls_fp s;
    CHECK(t, !bls_fp_sqrt(&s, &m1));
    bls_fp_inv(&s, &zero);
    CHECK(t, bls_fp_is_zero(&s));
}

/* ---- field kernels against GMP ------------------------------------------------------------
 * Every kernel family built in (portable C, x86-64 mulq, and mulx/adcx/adox when the CPU has
 * it) on edge inputs (0, 1, p-1, p, 2p-1, 2^383, 2^384-1, ...) and pseudo-random ones,
 * against mpz arithmetic, and against each other. The families are called directly, not
 * through the loader's choice, so one run covers all of them. */

static void mpz_from_limbs(mpz_t z, const uint64_t *l, size_t n) { mpz_import(z, n, -1, 8, 0, 0, l); }

static bool mpz_eq_limbs(const mpz_t z, const uint64_t *l, size_t n) {
    mpz_t y;
    mpz_init(y);
    mpz_from_limbs(y, l, n);
    bool eq = mpz_cmp(y, z) == 0;
    mpz_clear(y);
    return eq;
}

/* Kernel inputs: edges first, then pseudo-random 384-bit values. */
#define KT_EDGES 14
#define KT_VALUES (KT_EDGES + 24)
static void kernel_inputs(uint64_t v[KT_VALUES][6], const mpz_t p) {
    memset(v, 0, sizeof(uint64_t) * 6 * KT_VALUES);
    mpz_t z, R;
    mpz_inits(z, R, NULL);
    mpz_ui_pow_ui(R, 2, 384);
    const long adds[7] = {-1, -2, 0, 1, 0, 0, 0}; /* p-1, p-2, p, p+1 */
    v[1][0] = 1;
    v[2][0] = 2;
    for (int i = 0; i < 4; i++) {
        mpz_set(z, p);
        if (adds[i] < 0) mpz_sub_ui(z, z, (unsigned long)-adds[i]);
        else mpz_add_ui(z, z, (unsigned long)adds[i]);
        mpz_export(v[3 + i], NULL, -1, 8, 0, 0, z);
    }
    mpz_mul_ui(z, p, 2);
    mpz_sub_ui(z, z, 1);
    mpz_export(v[7], NULL, -1, 8, 0, 0, z); /* 2p-1 */
    v[8][5] = 1ull << 63;                   /* 2^383 */
    for (int j = 0; j < 6; j++) v[9][j] = ~0ull;               /* 2^384-1 */
    for (int j = 0; j < 6; j++) v[10][j] = ~0ull;
    v[10][0] = ~1ull;                                           /* 2^384-2 */
    mpz_mod(z, R, p);
    mpz_export(v[11], NULL, -1, 8, 0, 0, z); /* R mod p: Montgomery one */
    for (int j = 0; j < 6; j++) v[12][j] = 0x5555555555555555ull;
    v[13][0] = ~0ull;                         /* 2^64-1 */
    rng r = {0x0badc0ffee15600dull};
    for (int i = KT_EDGES; i < KT_VALUES; i++)
        for (int j = 0; j < 6; j++) v[i][j] = rng_next(&r);
    mpz_clears(z, R, NULL);
}

static void test_fp_kernels_vs_gmp(test_ctx *t) {
    mpz_t p, R, pR, Rinv, a, b, want, x, y;
    mpz_inits(p, R, pR, Rinv, a, b, want, x, y, NULL);
    mpz_from_limbs(p, bls_fp_const_p.l, 6);
    mpz_ui_pow_ui(R, 2, 384);
    mpz_mul(pR, p, R);
    CHECK(t, mpz_invert(Rinv, R, p) != 0);
    static uint64_t v[KT_VALUES][6];
    kernel_inputs(v, p);
    const bls_fp_impl *ref = &bls_fp_impls[0];
    size_t tested = 0;
    for (size_t k = 0; k < bls_fp_impl_count; k++) {
        const bls_fp_impl *im = &bls_fp_impls[k];
        if (im->needs_adx && !bls_fp_adx_usable()) {
            printf("  test_fp_kernels_vs_gmp: %s kernels not run (BMI2/ADX absent or masked)\n", im->name);
            continue;
        }
        tested++;
        int bad = 0;
        for (int i = 0; i < KT_VALUES && bad < 5; i++) {
            mpz_from_limbs(a, v[i], 6);
            uint64_t w[12];
            /* mul384: any 384-bit inputs, exact 768-bit results */
            for (int j = 0; j < KT_VALUES; j++) {
                mpz_from_limbs(b, v[j], 6);
                im->mul384(w, v[i], v[j]);
                mpz_mul(want, a, b);
                if (!mpz_eq_limbs(want, w, 12) && bad++ < 5)
                    test_fail_at(t, __FILE__, __LINE__, "%s mul384 inputs %d %d", im->name, i, j);
                /* redc of that product whenever it is below p*R (its precondition) */
                if (mpz_cmp(want, pR) < 0) {
                    uint64_t r6[6];
                    im->redc(r6, w);
                    mpz_mul(x, want, Rinv);
                    mpz_mod(x, x, p);
                    if (!mpz_eq_limbs(x, r6, 6) && bad++ < 5)
                        test_fail_at(t, __FILE__, __LINE__, "%s redc of %d*%d", im->name, i, j);
                }
                /* Montgomery product: a < 2p, b < p (the documented contract) */
                mpz_mul_ui(y, p, 2);
                if (mpz_cmp(a, y) < 0 && mpz_cmp(b, p) < 0) {
                    bls_fp fa, fb, fr, fref;
                    memcpy(fa.l, v[i], 48);
                    memcpy(fb.l, v[j], 48);
                    im->mul(&fr, &fa, &fb);
                    mpz_mul(x, want, Rinv);
                    mpz_mod(x, x, p);
                    if (!mpz_eq_limbs(x, fr.l, 6) && bad++ < 5)
                        test_fail_at(t, __FILE__, __LINE__, "%s mont mul %d %d", im->name, i, j);
                    ref->mul(&fref, &fa, &fb);
                    if (!bls_fp_eq(&fr, &fref) && bad++ < 5)
                        test_fail_at(t, __FILE__, __LINE__, "%s vs %s mul %d %d", im->name,
                                     ref->name, i, j);
                }
            }
        }
        /* redc at the top of its range: p*R - 1, p*R - 2^384, (p-1)*R + 1 */
        for (int e = 0; e < 3 && bad < 5; e++) {
            mpz_set(x, pR);
            if (e == 0) mpz_sub_ui(x, x, 1);
            if (e == 1) mpz_sub(x, x, R);
            if (e == 2) mpz_sub(x, x, R), mpz_add_ui(x, x, 1);
            uint64_t w[12] = {0}, r6[6];
            mpz_export(w, NULL, -1, 8, 0, 0, x);
            im->redc(r6, w);
            mpz_mul(x, x, Rinv);
            mpz_mod(x, x, p);
            if (!mpz_eq_limbs(x, r6, 6) && bad++ < 5)
                test_fail_at(t, __FILE__, __LINE__, "%s redc edge %d", im->name, e);
        }
        /* squaring and Fp2 products on field elements (< p), aliasing included */
        for (int i = 0; i < KT_VALUES && bad < 5; i++) {
            mpz_from_limbs(a, v[i], 6);
            if (mpz_cmp(a, p) >= 0) continue;
            bls_fp fa, fr;
            memcpy(fa.l, v[i], 48);
            im->sqr(&fr, &fa);
            mpz_mul(x, a, a);
            mpz_mul(x, x, Rinv);
            mpz_mod(x, x, p);
            if (!mpz_eq_limbs(x, fr.l, 6) && bad++ < 5)
                test_fail_at(t, __FILE__, __LINE__, "%s mont sqr %d", im->name, i);
            for (int j = 0; j < KT_VALUES; j += 3) {
                int i2 = (i * 7 + j) % KT_VALUES, j2 = (j * 5 + 1) % KT_VALUES;
                bls_fp2 A, B, C, D, E;
                memcpy(A.c0.l, v[i], 48);
                memcpy(A.c1.l, v[i2], 48);
                memcpy(B.c0.l, v[j], 48);
                memcpy(B.c1.l, v[j2], 48);
                mpz_t a1, b0, b1;
                mpz_inits(a1, b0, b1, NULL);
                mpz_from_limbs(a1, v[i2], 6);
                mpz_from_limbs(b0, v[j], 6);
                mpz_from_limbs(b1, v[j2], 6);
                bool in_field = mpz_cmp(a1, p) < 0 && mpz_cmp(b0, p) < 0 && mpz_cmp(b1, p) < 0;
                if (in_field) {
                    im->fp2_mul(&C, &A, &B);
                    /* c0 = (a0 b0 - a1 b1)/R, c1 = (a0 b1 + a1 b0)/R */
                    mpz_mul(x, a, b0);
                    mpz_submul(x, a1, b1);
                    mpz_mul(x, x, Rinv);
                    mpz_mod(x, x, p);
                    mpz_mul(y, a, b1);
                    mpz_addmul(y, a1, b0);
                    mpz_mul(y, y, Rinv);
                    mpz_mod(y, y, p);
                    if ((!mpz_eq_limbs(x, C.c0.l, 6) || !mpz_eq_limbs(y, C.c1.l, 6)) && bad++ < 5)
                        test_fail_at(t, __FILE__, __LINE__, "%s fp2 mul %d %d", im->name, i, j);
                    D = A;
                    im->fp2_mul(&D, &D, &B); /* r aliases a */
                    E = B;
                    im->fp2_mul(&E, &A, &E); /* r aliases b */
                    if ((!bls_fp2_eq(&D, &C) || !bls_fp2_eq(&E, &C)) && bad++ < 5)
                        test_fail_at(t, __FILE__, __LINE__, "%s fp2 mul aliasing", im->name);
                    im->fp2_sqr(&C, &A);
                    mpz_mul(x, a, a);
                    mpz_submul(x, a1, a1);
                    mpz_mul(x, x, Rinv);
                    mpz_mod(x, x, p);
                    mpz_mul(y, a, a1);
                    mpz_mul_ui(y, y, 2);
                    mpz_mul(y, y, Rinv);
                    mpz_mod(y, y, p);
                    if ((!mpz_eq_limbs(x, C.c0.l, 6) || !mpz_eq_limbs(y, C.c1.l, 6)) && bad++ < 5)
                        test_fail_at(t, __FILE__, __LINE__, "%s fp2 sqr %d", im->name, i);
                    D = A;
                    im->fp2_sqr(&D, &D);
                    if (!bls_fp2_eq(&D, &C) && bad++ < 5)
                        test_fail_at(t, __FILE__, __LINE__, "%s fp2 sqr aliasing", im->name);
                }
                mpz_clears(a1, b0, b1, NULL);
            }
        }
    }
    /* the C family and at least the x86-64 baseline family where built */
    CHECK(t, tested >= (bls_fp_impl_count > 1 ? 2u : 1u));
    mpz_clears(p, R, pR, Rinv, a, b, want, x, y, NULL);
}

/* The lazy Fp4 squaring of every family against its definition (x^2 + xi y^2, 2xy) built from
 * the reference products; inputs include p-1 in every limb position, the bound the wide sums
 * were sized for. */
static void test_fp4_sqr_kernels(test_ctx *t) {
    static uint64_t v[KT_VALUES][6];
    mpz_t p;
    mpz_init(p);
    mpz_from_limbs(p, bls_fp_const_p.l, 6);
    kernel_inputs(v, p);
    mpz_clear(p);
    bls_fp vals[KT_VALUES];
    int nv = 0;
    for (int i = 0; i < KT_VALUES; i++) { /* field elements only */
        bls_fp f;
        memcpy(f.l, v[i], 48);
        uint8_t be[48];
        for (int k = 0; k < 6; k++)
            for (int j = 0; j < 8; j++) be[(5 - k) * 8 + j] = (uint8_t)(v[i][k] >> (56 - 8 * j));
        bls_fp tmp;
        if (bls_fp_from_bytes(&tmp, be) == CD_OK) vals[nv++] = f;
    }
    CHECK(t, nv >= 8);
    const bls_fp_impl *ref = &bls_fp_impls[0];
    for (size_t k = 0; k < bls_fp_impl_count; k++) {
        const bls_fp_impl *im = &bls_fp_impls[k];
        if (im->needs_adx && !bls_fp_adx_usable()) continue;
        int bad = 0;
        for (int i = 0; i < nv && bad < 5; i++)
            for (int j = 0; j < nv && bad < 5; j++) {
                bls_fp2 x = {vals[i], vals[(i + j) % nv]}, y = {vals[j], vals[(3 * i + j) % nv]};
                bls_fp2 r0, r1, x2, y2, w0, w1;
                im->fp4_sqr(&r0, &r1, &x, &y);
                ref->fp2_sqr(&x2, &x);
                ref->fp2_sqr(&y2, &y);
                bls_fp2_mul_by_xi(&y2, &y2);
                bls_fp2_add(&w0, &x2, &y2);
                ref->fp2_mul(&w1, &x, &y);
                bls_fp2_dbl(&w1, &w1);
                if (!bls_fp2_eq(&r0, &w0) || !bls_fp2_eq(&r1, &w1)) {
                    bad++;
                    test_fail_at(t, __FILE__, __LINE__, "%s fp4_sqr inputs %d %d", im->name, i, j);
                }
                im->fp4_sqr(&x, &y, &x, &y); /* outputs aliasing the inputs */
                if (!bls_fp2_eq(&x, &w0) || !bls_fp2_eq(&y, &w1)) {
                    bad++;
                    test_fail_at(t, __FILE__, __LINE__, "%s fp4_sqr aliasing %d %d", im->name, i, j);
                }
            }
    }
}

static void test_fp_encoding_range(test_ctx *t) {
    static const uint8_t p_be[48] = {
        0x1a, 0x01, 0x11, 0xea, 0x39, 0x7f, 0xe6, 0x9a, 0x4b, 0x1b, 0xa7, 0xb6, 0x43, 0x4b, 0xac, 0xd7,
        0x64, 0x77, 0x4b, 0x84, 0xf3, 0x85, 0x12, 0xbf, 0x67, 0x30, 0xd2, 0xa0, 0xf6, 0xb0, 0xf6, 0x24,
        0x1e, 0xab, 0xff, 0xfe, 0xb1, 0x53, 0xff, 0xff, 0xb9, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xaa, 0xab};
    uint8_t b[48], back[48];
    bls_fp x;
    memcpy(b, p_be, 48);
    CHECK_ERR(t, bls_fp_from_bytes(&x, b), CD_ERR_BAD_POINT_ENCODING); /* p */
    b[47]++;
    CHECK_ERR(t, bls_fp_from_bytes(&x, b), CD_ERR_BAD_POINT_ENCODING); /* p + 1 */
    memset(b, 0xff, 48);
    CHECK_ERR(t, bls_fp_from_bytes(&x, b), CD_ERR_BAD_POINT_ENCODING);
    memcpy(b, p_be, 48);
    b[47]--;
    CHECK_OK(t, bls_fp_from_bytes(&x, b)); /* p - 1 */
    bls_fp_to_bytes(back, &x);
    CHECK_EQ_BYTES(t, back, 48, b, 48);
    bls_fp one, y;
    bls_fp_one(&one);
    bls_fp_add(&y, &x, &one);
    CHECK(t, bls_fp_is_zero(&y)); /* (p-1) + 1 = 0 */
    uint8_t b96[96];
    memcpy(b96, p_be, 48);
    memset(b96 + 48, 0, 48);
    bls_fp2 z;
    CHECK_ERR(t, bls_fp2_from_bytes(&z, b96), CD_ERR_BAD_POINT_ENCODING);
    memset(b96, 0, 48);
    memcpy(b96 + 48, p_be, 48);
    CHECK_ERR(t, bls_fp2_from_bytes(&z, b96), CD_ERR_BAD_POINT_ENCODING);
}

static void test_fp2_axioms(test_ctx *t) {
    rng r = {0xdeadbeefcafef00dull};
    bls_fp2 one;
    bls_fp2_one(&one);
    for (int i = 0; i < 100; i++) {
        bls_fp2 a, b, c, x, y, z;
        rand_fp2(&r, &a);
        rand_fp2(&r, &b);
        rand_fp2(&r, &c);
        bls_fp2_mul(&x, &a, &b);
        bls_fp2_mul(&y, &b, &a);
        CHECK(t, bls_fp2_eq(&x, &y));
        bls_fp2_mul(&x, &x, &c);
        bls_fp2_mul(&y, &b, &c);
        bls_fp2_mul(&y, &a, &y);
        CHECK(t, bls_fp2_eq(&x, &y));
        bls_fp2_add(&x, &b, &c);
        bls_fp2_mul(&x, &a, &x);
        bls_fp2_mul(&y, &a, &b);
        bls_fp2_mul(&z, &a, &c);
        bls_fp2_add(&y, &y, &z);
        CHECK(t, bls_fp2_eq(&x, &y));
        bls_fp2_sqr(&x, &a);
        bls_fp2_mul(&y, &a, &a);
        CHECK(t, bls_fp2_eq(&x, &y));
        bls_fp2_inv(&x, &a);
        bls_fp2_mul(&x, &x, &a);
        CHECK(t, bls_fp2_eq(&x, &one));
        bls_fp2_sqr(&x, &a);
        CHECK(t, bls_fp2_sqrt(&y, &x));
        bls_fp2_sqr(&y, &y);
        CHECK(t, bls_fp2_eq(&x, &y));
        /* xi * square is a non-square */
        bls_fp2_mul_by_xi(&z, &x);
        CHECK(t, !bls_fp2_sqrt(&y, &z));
        /* u^2 = -1 */
        bls_fp2 u = {{{0}}, {{0}}};
        u.c1 = one.c0;
        bls_fp2_sqr(&x, &u);
        bls_fp2_add(&x, &x, &one);
        CHECK(t, bls_fp2_is_zero(&x));
        uint8_t be[96];
        bls_fp2_to_bytes(be, &a);
        CHECK_OK(t, bls_fp2_from_bytes(&x, be));
        CHECK(t, bls_fp2_eq(&x, &a));
    }
    /* sqrt of elements of Fp embedded in Fp2 (the a1 = 0 branch), square and non-square */
    bls_fp2 a, s, sq;
    bls_fp2_zero(&a);
    bls_fp_from_u64(&a.c0, 5);
    CHECK(t, bls_fp2_sqrt(&s, &a));
    bls_fp2_sqr(&sq, &s);
    CHECK(t, bls_fp2_eq(&sq, &a));
    bls_fp_neg(&a.c0, &a.c0);
    CHECK(t, bls_fp2_sqrt(&s, &a));
    bls_fp2_sqr(&sq, &s);
    CHECK(t, bls_fp2_eq(&sq, &a));
}

static void test_fp12_tower(test_ctx *t) {
    rng r = {42};
    for (int i = 0; i < 10; i++) {
        bls_fp12 a, b, c, x, y;
        rand_fp12(&r, &a);
        rand_fp12(&r, &b);
        rand_fp12(&r, &c);
        bls_fp12_mul(&x, &a, &b);
        bls_fp12_mul(&y, &b, &a);
        CHECK(t, bls_fp12_eq(&x, &y));
        bls_fp12_mul(&x, &x, &c);
        bls_fp12_mul(&y, &b, &c);
        bls_fp12_mul(&y, &a, &y);
        CHECK(t, bls_fp12_eq(&x, &y));
        bls_fp12_sqr(&x, &a);
        bls_fp12_mul(&y, &a, &a);
        CHECK(t, bls_fp12_eq(&x, &y));
        bls_fp12_inv(&x, &a);
        bls_fp12_mul(&x, &x, &a);
        CHECK(t, bls_fp12_is_one(&x));
        /* frobenius: automorphism of order 12, frob2 = frob o frob, multiplicative */
        x = a;
        for (int k = 0; k < 12; k++) bls_fp12_frob(&x, &x);
        CHECK(t, bls_fp12_eq(&x, &a));
        bls_fp12_frob(&x, &a);
        bls_fp12_frob(&x, &x);
        bls_fp12_frob2(&y, &a);
        CHECK(t, bls_fp12_eq(&x, &y));
        bls_fp12_mul(&x, &a, &b);
        bls_fp12_frob(&x, &x);
        bls_fp12_frob(&y, &a);
        bls_fp12_frob(&c, &b);
        bls_fp12_mul(&y, &y, &c);
        CHECK(t, bls_fp12_eq(&x, &y));
        /* conj is the p^6 power: frob^6 */
        x = a;
        for (int k = 0; k < 6; k++) bls_fp12_frob(&x, &x);
        bls_fp12_conj(&y, &a);
        CHECK(t, bls_fp12_eq(&x, &y));
        /* cyclotomic squaring on a^((p^6-1)(p^2+1)) */
        bls_fp12 inv, m;
        bls_fp12_inv(&inv, &a);
        bls_fp12_conj(&m, &a);
        bls_fp12_mul(&m, &m, &inv);
        bls_fp12_frob2(&x, &m);
        bls_fp12_mul(&m, &x, &m);
        bls_fp12_cyclotomic_sqr(&x, &m);
        bls_fp12_sqr(&y, &m);
        CHECK(t, bls_fp12_eq(&x, &y));
        /* sparse line product matches the dense product */
        bls_fp2 l0, l1, l4;
        rand_fp2(&r, &l0);
        rand_fp2(&r, &l1);
        rand_fp2(&r, &l4);
        bls_fp12 line;
        memset(&line, 0, sizeof line);
        line.c0.c0 = l0;
        line.c0.c1 = l1;
        line.c1.c1 = l4;
        bls_fp12_mul_by_line(&x, &a, &l0, &l1, &l4);
        bls_fp12_mul(&y, &a, &line);
        CHECK(t, bls_fp12_eq(&x, &y));
    }
}

/* ---- groups ------------------------------------------------------------------------------- */

static void test_generators_kat(test_ctx *t) {
    static const char *g1_hex =
        "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
    static const char *g2_hex =
        "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
        "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";
    uint8_t want1[48], want2[96], got1[48], got2[96];
    CHECK_EQ_INT(t, test_unhex(g1_hex, want1, 48), 48);
    CHECK_EQ_INT(t, test_unhex(g2_hex, want2, 96), 96);
    bls_g1_affine g1;
    bls_g2_affine g2;
    bls_g1_generator(&g1);
    bls_g2_generator(&g2);
    CHECK(t, bls_g1_is_on_curve(&g1));
    CHECK(t, bls_g2_is_on_curve(&g2));
    CHECK(t, bls_g1_is_in_subgroup(&g1));
    CHECK(t, bls_g2_is_in_subgroup(&g2));
    bls_g1_compress(got1, &g1);
    bls_g2_compress(got2, &g2);
    CHECK_EQ_BYTES(t, got1, 48, want1, 48);
    CHECK_EQ_BYTES(t, got2, 96, want2, 96);
    /* SkToPk(1) = G1 */
    uint8_t sk[32], pk[48];
    scalar_u64(sk, 1);
    CHECK_OK(t, bls_sk_to_pk(sk, pk));
    CHECK_EQ_BYTES(t, pk, 48, want1, 48);
    /* [r]G = O */
    bls_g1 P;
    bls_g2 Q;
    bls_g1_from_affine(&P, &g1);
    bls_g2_from_affine(&Q, &g2);
    bls_g1_mul(&P, &P, ORDER_R);
    bls_g2_mul(&Q, &Q, ORDER_R);
    CHECK(t, bls_g1_is_infinity(&P));
    CHECK(t, bls_g2_is_infinity(&Q));
}

static void test_g1_group_laws(test_ctx *t) {
    rng r = {7};
    bls_g1_affine ga;
    bls_g1_generator(&ga);
    bls_g1 G;
    bls_g1_from_affine(&G, &ga);
    for (int i = 0; i < 10; i++) {
        uint64_t a = rng_next(&r) >> 8, b = rng_next(&r) >> 8;
        uint8_t ka[32], kb[32], kab[32];
        scalar_u64(ka, a);
        scalar_u64(kb, b);
        scalar_u64(kab, a + b);
        bls_g1 A, B, S, S2, D;
        bls_g1_mul(&A, &G, ka);
        bls_g1_mul(&B, &G, kb);
        bls_g1_mul(&S, &G, kab);
        bls_g1_add(&S2, &A, &B);
        CHECK(t, bls_g1_eq(&S, &S2));
        bls_g1_affine Ba;
        bls_g1_to_affine(&Ba, &B);
        CHECK(t, bls_g1_is_on_curve(&Ba));
        bls_g1_add_affine(&S2, &A, &Ba);
        CHECK(t, bls_g1_eq(&S, &S2));
        bls_g1_add(&D, &A, &A);
        bls_g1_double(&S2, &A);
        CHECK(t, bls_g1_eq(&D, &S2));
        bls_g1_neg(&D, &A);
        bls_g1_add(&D, &D, &A);
        CHECK(t, bls_g1_is_infinity(&D));
        /* compression round trip */
        bls_g1_affine Aa, back;
        bls_g1_to_affine(&Aa, &A);
        uint8_t enc[48];
        bls_g1_compress(enc, &Aa);
        CHECK_OK(t, bls_g1_decompress(&back, enc));
        CHECK(t, bls_fp_eq(&back.x, &Aa.x) && bls_fp_eq(&back.y, &Aa.y));
        /* constant-time multiplication agrees with the variable-time one */
        uint8_t k[32];
        rand_scalar(&r, k);
        bls_g1 c1, c2;
        bls_g1_mul(&c1, &G, k);
        bls_g1_mul_ct(&c2, &ga, k);
        CHECK(t, bls_g1_eq(&c1, &c2));
    }
    /* ct multiplication by 0 and by 1 */
    uint8_t k0[32] = {0}, k1[32];
    scalar_u64(k1, 1);
    bls_g1 z;
    bls_g1_mul_ct(&z, &ga, k0);
    CHECK(t, bls_g1_is_infinity(&z));
    bls_g1_mul_ct(&z, &ga, k1);
    CHECK(t, bls_g1_eq(&z, &G));
}

static void test_g2_group_laws(test_ctx *t) {
    rng r = {11};
    bls_g2_affine ga;
    bls_g2_generator(&ga);
    bls_g2 G;
    bls_g2_from_affine(&G, &ga);
    for (int i = 0; i < 6; i++) {
        uint64_t a = rng_next(&r) >> 8, b = rng_next(&r) >> 8;
        uint8_t ka[32], kb[32], kab[32];
        scalar_u64(ka, a);
        scalar_u64(kb, b);
        scalar_u64(kab, a + b);
        bls_g2 A, B, S, S2;
        bls_g2_mul(&A, &G, ka);
        bls_g2_mul(&B, &G, kb);
        bls_g2_mul(&S, &G, kab);
        bls_g2_add(&S2, &A, &B);
        CHECK(t, bls_g2_eq(&S, &S2));
        bls_g2_affine Ba, Aa, back;
        bls_g2_to_affine(&Ba, &B);
        bls_g2_add_affine(&S2, &A, &Ba);
        CHECK(t, bls_g2_eq(&S, &S2));
        bls_g2_to_affine(&Aa, &A);
        CHECK(t, bls_g2_is_on_curve(&Aa));
        CHECK(t, bls_g2_is_in_subgroup(&Aa));
        uint8_t enc[96];
        bls_g2_compress(enc, &Aa);
        CHECK_OK(t, bls_g2_decompress(&back, enc));
        CHECK(t, bls_fp2_eq(&back.x, &Aa.x) && bls_fp2_eq(&back.y, &Aa.y));
        uint8_t k[32];
        rand_scalar(&r, k);
        bls_g2 c1, c2;
        bls_g2_mul(&c1, &G, k);
        bls_g2_mul_ct(&c2, &ga, k);
        CHECK(t, bls_g2_eq(&c1, &c2));
        /* psi acts as [x] on G2 (Scott's membership criterion) */
        bls_g2 ps, xa;
        bls_g2_psi(&ps, &A);
        bls_g2_mul_x_abs(&xa, &A);
        bls_g2_neg(&xa, &xa);
        CHECK(t, bls_g2_eq(&ps, &xa));
    }
}

static void test_msm(test_ctx *t) {
    rng r = {99};
    enum { N = 20 };
    bls_g1_affine p1[N];
    bls_g2_affine p2[N];
    uint8_t k[N][32];
    bls_g1 want1, t1, g1;
    bls_g2 want2, t2, g2;
    bls_g1_affine g1a;
    bls_g2_affine g2a;
    bls_g1_generator(&g1a);
    bls_g2_generator(&g2a);
    bls_g1_from_affine(&g1, &g1a);
    bls_g2_from_affine(&g2, &g2a);
    bls_g1_from_affine(&want1, &(bls_g1_affine){.infinity = true});
    bls_g2_from_affine(&want2, &(bls_g2_affine){.infinity = true});
    for (int i = 0; i < N; i++) {
        uint8_t s[32];
        scalar_u64(s, rng_next(&r));
        bls_g1_mul(&t1, &g1, s);
        bls_g1_to_affine(&p1[i], &t1);
        bls_g2_mul(&t2, &g2, s);
        bls_g2_to_affine(&p2[i], &t2);
        rand_scalar(&r, k[i]);
        if (i == 3) memset(k[i], 0, 32);  /* zero scalar */
        if (i == 5) p1[i].infinity = p2[i].infinity = true;
    }
    for (int i = 0; i < N; i++) {
        bls_g1 q;
        bls_g1_from_affine(&q, &p1[i]);
        bls_g1_mul(&t1, &q, k[i]);
        bls_g1_add(&want1, &want1, &t1);
        bls_g2 q2;
        bls_g2_from_affine(&q2, &p2[i]);
        bls_g2_mul(&t2, &q2, k[i]);
        bls_g2_add(&want2, &want2, &t2);
    }
    bls_g1 got1;
    bls_g2 got2;
    CHECK_OK(t, bls_g1_msm(&got1, p1, (const uint8_t(*)[32])k, N));
    CHECK_OK(t, bls_g2_msm(&got2, p2, (const uint8_t(*)[32])k, N));
    CHECK(t, bls_g1_eq(&got1, &want1));
    CHECK(t, bls_g2_eq(&got2, &want2));
    CHECK_OK(t, bls_g1_msm(&got1, p1, (const uint8_t(*)[32])k, 3)); /* small-n path */
    bls_g1 sum3;
    bls_g1_from_affine(&sum3, &(bls_g1_affine){.infinity = true});
    for (int i = 0; i < 3; i++) {
        bls_g1 q;
        bls_g1_from_affine(&q, &p1[i]);
        bls_g1_mul(&t1, &q, k[i]);
        bls_g1_add(&sum3, &sum3, &t1);
    }
    CHECK(t, bls_g1_eq(&got1, &sum3));
    CHECK_OK(t, bls_g1_msm(&got1, p1, (const uint8_t(*)[32])k, 0));
    CHECK(t, bls_g1_is_infinity(&got1));
    /* a larger input exercises wider Pippenger windows */
    enum { M = 300 };
    static bls_g1_affine pm[M];
    static uint8_t km[M][32];
    bls_g1 acc, cur = g1;
    bls_g1_from_affine(&acc, &(bls_g1_affine){.infinity = true});
    for (int i = 0; i < M; i++) {
        bls_g1_add(&cur, &cur, &g1); /* (i+2) G */
        bls_g1_to_affine(&pm[i], &cur);
        rand_scalar(&r, km[i]);
        bls_g1_mul(&t1, &cur, km[i]);
        bls_g1_add(&acc, &acc, &t1);
    }
    CHECK_OK(t, bls_g1_msm(&got1, pm, (const uint8_t(*)[32])km, M));
    CHECK(t, bls_g1_eq(&got1, &acc));
}

/* Points on the curves but outside the prime-order subgroups must be rejected, and the
 * cofactor clearing must bring them in. */
static void test_subgroup_rejection(test_ctx *t) {
    uint8_t enc[96];
    int found1 = 0;
    for (int x = 1; x < 50 && !found1; x++) {
        memset(enc, 0, 48);
        enc[0] = 0x80;
        enc[47] = (uint8_t)x;
        bls_g1_affine p;
        if (bls_g1_decompress(&p, enc) != CD_OK) continue;
        found1 = 1;
        CHECK(t, bls_g1_is_on_curve(&p));
        CHECK(t, !bls_g1_is_in_subgroup(&p));
        bls_pubkey pk;
        CHECK_ERR(t, bls_pubkey_decompress(&pk, enc), CD_ERR_NOT_IN_SUBGROUP);
        /* h1 = (x-1)^2/3 = 0x396c8c005555e1568c00aaab0000aaab */
        static const uint8_t h1[32] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                       0x39, 0x6c, 0x8c, 0x00, 0x55, 0x55, 0xe1, 0x56,
                                       0x8c, 0x00, 0xaa, 0xab, 0x00, 0x00, 0xaa, 0xab};
        bls_g1 P;
        bls_g1_from_affine(&P, &p);
        bls_g1_mul(&P, &P, h1);
        bls_g1_affine q;
        bls_g1_to_affine(&q, &P);
        CHECK(t, bls_g1_is_in_subgroup(&q));
    }
    CHECK(t, found1);
    int found2 = 0;
    for (int x = 1; x < 50 && !found2; x++) {
        memset(enc, 0, 96);
        enc[0] = 0x80;
        enc[95] = (uint8_t)x;
        bls_g2_affine p;
        if (bls_g2_decompress(&p, enc) != CD_OK) continue;
        found2 = 1;
        CHECK(t, bls_g2_is_on_curve(&p));
        CHECK(t, !bls_g2_is_in_subgroup(&p));
        uint8_t pk[48], msg[1] = {0};
        uint8_t sk[32];
        scalar_u64(sk, 3);
        CHECK_OK(t, bls_sk_to_pk(sk, pk));
        CHECK_ERR(t, bls_verify(pk, msg, 1, enc), CD_ERR_NOT_IN_SUBGROUP);
        bls_g2 P, C;
        bls_g2_from_affine(&P, &p);
        bls_clear_cofactor_g2(&C, &P);
        bls_g2_affine q;
        bls_g2_to_affine(&q, &C);
        CHECK(t, bls_g2_is_on_curve(&q));
        CHECK(t, bls_g2_is_in_subgroup(&q));
    }
    CHECK(t, found2);
}

static void test_decompress_rejects(test_ctx *t) {
    bls_g1_affine p1;
    bls_g2_affine p2;
    uint8_t g1[48], g2[96], b1[48], b2[96];
    bls_g1_generator(&p1);
    bls_g2_generator(&p2);
    bls_g1_compress(g1, &p1);
    bls_g2_compress(g2, &p2);
    /* uncompressed flag missing */
    memcpy(b1, g1, 48);
    b1[0] &= 0x7f;
    CHECK_ERR(t, bls_g1_decompress(&p1, b1), CD_ERR_BAD_POINT_ENCODING);
    memcpy(b2, g2, 96);
    b2[0] &= 0x7f;
    CHECK_ERR(t, bls_g2_decompress(&p2, b2), CD_ERR_BAD_POINT_ENCODING);
    /* infinity: only 0xc0 00.. is valid */
    memset(b1, 0, 48);
    b1[0] = 0xc0;
    CHECK_OK(t, bls_g1_decompress(&p1, b1));
    CHECK(t, p1.infinity);
    bls_pubkey pk;
    CHECK_ERR(t, bls_pubkey_decompress(&pk, b1), CD_ERR_INFINITY);
    b1[0] = 0xe0;
    CHECK_ERR(t, bls_g1_decompress(&p1, b1), CD_ERR_BAD_POINT_ENCODING);
    b1[0] = 0xc0;
    b1[47] = 1;
    CHECK_ERR(t, bls_g1_decompress(&p1, b1), CD_ERR_BAD_POINT_ENCODING);
    b1[47] = 0;
    b1[0] = 0xc1;
    CHECK_ERR(t, bls_g1_decompress(&p1, b1), CD_ERR_BAD_POINT_ENCODING);
    memset(b2, 0, 96);
    b2[0] = 0xc0;
    CHECK_OK(t, bls_g2_decompress(&p2, b2));
    CHECK(t, p2.infinity);
    b2[95] = 1;
    CHECK_ERR(t, bls_g2_decompress(&p2, b2), CD_ERR_BAD_POINT_ENCODING);
    /* x >= p */
    memset(b1, 0xff, 48);
    b1[0] = 0x9f;
    CHECK_ERR(t, bls_g1_decompress(&p1, b1), CD_ERR_BAD_POINT_ENCODING);
    memcpy(b2, g2, 96);
    memset(b2 + 48, 0xff, 48);
    CHECK_ERR(t, bls_g2_decompress(&p2, b2), CD_ERR_BAD_POINT_ENCODING);
    /* x not on the curve: some small x must fail */
    int off = 0;
    for (int x = 1; x < 50 && !off; x++) {
        memset(b1, 0, 48);
        b1[0] = 0x80;
        b1[47] = (uint8_t)x;
        if (bls_g1_decompress(&p1, b1) == CD_ERR_NOT_ON_CURVE) off = 1;
    }
    CHECK(t, off);
    off = 0;
    for (int x = 1; x < 50 && !off; x++) {
        memset(b2, 0, 96);
        b2[0] = 0x80;
        b2[95] = (uint8_t)x;
        if (bls_g2_decompress(&p2, b2) == CD_ERR_NOT_ON_CURVE) off = 1;
    }
    CHECK(t, off);
    /* sign flag selects the other root */
    memcpy(b1, g1, 48);
    b1[0] ^= 0x20;
    bls_g1_affine a, g;
    bls_g1_generator(&g);
    CHECK_OK(t, bls_g1_decompress(&a, b1));
    bls_fp ny;
    bls_fp_neg(&ny, &g.y);
    CHECK(t, bls_fp_eq(&a.y, &ny));
}

/* ---- pairing ------------------------------------------------------------------------------ */

static void fp12_pow_u64(bls_fp12 *r, const bls_fp12 *a, uint64_t e) {
    bls_fp12 acc, base = *a;
    bls_fp12_one(&acc);
    while (e) {
        if (e & 1) bls_fp12_mul(&acc, &acc, &base);
        bls_fp12_sqr(&base, &base);
        e >>= 1;
    }
    *r = acc;
}

static void test_pairing_bilinear(test_ctx *t) {
    bls_g1_affine g1, aP, P5;
    bls_g2_affine g2, bQ;
    bls_g1_generator(&g1);
    bls_g2_generator(&g2);
    bls_g1 P;
    bls_g2 Q;
    bls_g1_from_affine(&P, &g1);
    bls_g2_from_affine(&Q, &g2);
    uint8_t ka[32], kb[32], kab[32];
    const uint64_t a = 0x1234567, b = 0x7654321;
    scalar_u64(ka, a);
    scalar_u64(kb, b);
    scalar_u64(kab, a * b);
    bls_g1 T;
    bls_g2 U;
    bls_g1_mul(&T, &P, ka);
    bls_g1_to_affine(&aP, &T);
    bls_g2_mul(&U, &Q, kb);
    bls_g2_to_affine(&bQ, &U);
    bls_fp12 e, e_ab, base;
    bls_pairing(&base, &g1, &g2);
    CHECK(t, !bls_fp12_is_one(&base)); /* non-degenerate */
    fp12_pow_u64(&e, &base, a * b);
    bls_pairing(&e_ab, &aP, &bQ);
    CHECK(t, bls_fp12_eq(&e, &e_ab)); /* e(aP, bQ) = e(P, Q)^(ab) */
    bls_fp12 r_pow;
    /* e(P,Q)^r = 1 */
    bls_fp12 acc = base;
    bls_fp12_one(&r_pow); /* square-and-multiply over the bits of r, top bit first */
    for (int byte = 0; byte < 32; byte++)
        for (int bit = 7; bit >= 0; bit--) {
            bls_fp12_sqr(&r_pow, &r_pow);
            if ((ORDER_R[byte] >> bit) & 1) bls_fp12_mul(&r_pow, &r_pow, &acc);
        }
    CHECK(t, bls_fp12_is_one(&r_pow));
    /* pairing_check: e(aP, bQ) * e(-abP, Q) = 1, plus an infinity pair that contributes 1 */
    bls_g1_mul(&T, &P, kab);
    bls_g1_neg(&T, &T);
    bls_g1_to_affine(&P5, &T);
    bls_g1_affine ps[3] = {aP, P5, g1};
    bls_g2_affine qs[3] = {bQ, g2, {.infinity = true}};
    bool one = false;
    CHECK_OK(t, bls_pairing_check(ps, qs, 3, &one));
    CHECK(t, one);
    ps[1] = g1;
    CHECK_OK(t, bls_pairing_check(ps, qs, 3, &one));
    CHECK(t, !one);
    CHECK_OK(t, bls_pairing_check(NULL, NULL, 0, &one));
    CHECK(t, one);
    /* more pairs than one Miller chunk: sum_i e(k_i P, Q) * e(-(sum k_i) P, Q) = 1 */
    enum { N = 19 };
    bls_g1_affine pp[N + 1];
    bls_g2_affine qq[N + 1];
    uint64_t sum = 0;
    for (int i = 0; i < N; i++) {
        uint8_t k[32];
        scalar_u64(k, (uint64_t)(i + 2) * 1000003u);
        sum += (uint64_t)(i + 2) * 1000003u;
        bls_g1_mul(&T, &P, k);
        bls_g1_to_affine(&pp[i], &T);
        qq[i] = g2;
    }
    uint8_t ks[32];
    scalar_u64(ks, sum);
    bls_g1_mul(&T, &P, ks);
    bls_g1_neg(&T, &T);
    bls_g1_to_affine(&pp[N], &T);
    qq[N] = g2;
    CHECK_OK(t, bls_pairing_check(pp, qq, N + 1, &one));
    CHECK(t, one);
    pp[7] = g1;
    CHECK_OK(t, bls_pairing_check(pp, qq, N + 1, &one));
    CHECK(t, !one);
}

/* ---- hash to curve and signatures ---------------------------------------------------------- */

/* RFC 9380 appendix J.10.1, BLS12381G2_XMD:SHA-256_SSWU_RO_, msg = "abc". */
static void test_hash_to_g2_kat(test_ctx *t) {
    static const char dst[] = "QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_";
    static const char *want_hex =
        "02c2d18e033b960562aae3cab37a27ce00d80ccd5ba4b7fe0e7a210245129dbec7780ccc7954725f4168aff2787776e6"
        "139cddbccdc5e91b9623efd38c49f81a6f83f175e80b06fc374de9eb4b41dfe4ca3a230ed250fbe3a2acf73a41177fd8"
        "1787327b68159716a37440985269cf584bcb1e621d3a7202be6ea05c4cfe244aeb197642555a0645fb87bf7466b2ba48"
        "00aa65dae3c8d732d10ecd2c50f8a1baf3001578f71c694e03866e9f3d49ac1e1ce70dd94a733534f106d4cec0eddd16";
    uint8_t want[192], got[192];
    CHECK_EQ_INT(t, test_unhex(want_hex, want, sizeof want), 192);
    bls_g2 h;
    CHECK_OK(t, bls_hash_to_g2(&h, (const uint8_t *)"abc", 3, (const uint8_t *)dst, strlen(dst)));
    bls_g2_affine a;
    bls_g2_to_affine(&a, &h);
    bls_fp2_to_bytes(got, &a.x);
    bls_fp2_to_bytes(got + 96, &a.y);
    CHECK_EQ_BYTES(t, got, 192, want, 192);
    CHECK(t, bls_g2_is_in_subgroup(&a));
    /* map_to_curve output lies on E2 */
    bls_fp2 u;
    bls_fp2_zero(&u); /* exceptional input u = 0 */
    bls_g2 m;
    bls_map_to_curve_g2(&m, &u);
    bls_g2_to_affine(&a, &m);
    CHECK(t, bls_g2_is_on_curve(&a));
    bls_fp2_one(&u);
    bls_map_to_curve_g2(&m, &u);
    bls_g2_to_affine(&a, &m);
    CHECK(t, bls_g2_is_on_curve(&a));
    uint8_t long_dst[256] = {0};
    CHECK_ERR(t, bls_hash_to_g2(&h, (const uint8_t *)"abc", 3, long_dst, 256), CD_ERR_INVALID_ARG);
}

/* RFC 9380 appendix J.9.1, BLS12381G1_XMD:SHA-256_SSWU_RO_, msg = "" and "abc". */
static void test_hash_to_g1_kat(test_ctx *t) {
    static const char dst[] = "QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_";
    static const char *msgs[2] = {"", "abc"};
    static const char *want_hex[2] = {
        "052926add2207b76ca4fa57a8734416c8dc95e24501772c814278700eed6d1e4e8cf62d9c09db0fac349612b759e79a1"
        "08ba738453bfed09cb546dbb0783dbb3a5f1f566ed67bb6be0e8c67e2e81a4cc68ee29813bb7994998f3eae0c9c6a265",
        "03567bc5ef9c690c2ab2ecdf6a96ef1c139cc0b2f284dca0a9a7943388a49a3aee664ba5379a7655d3c68900be2f6903"
        "0b9c15f3fe6e5cf4211f346271d7b01c8f3b28be689c8429c85b67af215533311f0b8dfaaa154fa6b88176c229f2885d"};
    for (int i = 0; i < 2; i++) {
        uint8_t want[96], got[96];
        CHECK_EQ_INT(t, test_unhex(want_hex[i], want, sizeof want), 96);
        bls_g1 h;
        CHECK_OK(t, bls_hash_to_g1(&h, (const uint8_t *)msgs[i], strlen(msgs[i]), (const uint8_t *)dst,
                                   strlen(dst)));
        bls_g1_affine a;
        bls_g1_to_affine(&a, &h);
        bls_fp_to_bytes(got, &a.x);
        bls_fp_to_bytes(got + 48, &a.y);
        CHECK_EQ_BYTES(t, got, 96, want, 96);
        CHECK(t, bls_g1_is_in_subgroup(&a));
    }
    bls_fp u;
    bls_fp_zero(&u); /* exceptional input */
    bls_g1 m;
    bls_map_to_curve_g1(&m, &u);
    bls_g1_affine a;
    bls_g1_to_affine(&a, &m);
    CHECK(t, bls_g1_is_on_curve(&a));
}

static void test_sign_verify(test_ctx *t) {
    enum { N = 5 };
    uint8_t sk[N][32], pk[N][48], sig[N][96], agg[96], aggpk[48];
    const uint8_t msg[] = "candor light client";
    bls_pubkey keys[N];
    const bls_pubkey *ptrs[N];
    rng r = {2024};
    for (int i = 0; i < N; i++) {
        rand_scalar(&r, sk[i]);
        CHECK_OK(t, bls_sk_to_pk(sk[i], pk[i]));
        CHECK_OK(t, bls_sign(sk[i], msg, sizeof msg, sig[i]));
        CHECK_OK(t, bls_verify(pk[i], msg, sizeof msg, sig[i]));
        CHECK_OK(t, bls_pubkey_decompress(&keys[i], pk[i]));
        uint8_t back[48];
        bls_pubkey_compress(back, &keys[i]);
        CHECK_EQ_BYTES(t, back, 48, pk[i], 48);
        ptrs[i] = &keys[i];
    }
    CHECK_ERR(t, bls_verify(pk[0], msg, sizeof msg - 1, sig[0]), CD_ERR_BAD_SIGNATURE);
    CHECK_ERR(t, bls_verify(pk[1], msg, sizeof msg, sig[0]), CD_ERR_BAD_SIGNATURE);
    CHECK_OK(t, bls_aggregate_signatures((const uint8_t(*)[96])sig, N, agg));
    CHECK_OK(t, bls_fast_aggregate_verify(ptrs, N, msg, sizeof msg, agg));
    CHECK_OK(t, bls_eth_fast_aggregate_verify(ptrs, N, msg, sizeof msg, agg));
    CHECK_OK(t, bls_fast_aggregate_verify_compressed((const uint8_t(*)[48])pk, N, msg, sizeof msg, agg));
    CHECK_ERR(t, bls_fast_aggregate_verify(ptrs, N - 1, msg, sizeof msg, agg), CD_ERR_BAD_SIGNATURE);
    CHECK_ERR(t, bls_fast_aggregate_verify(ptrs, 0, msg, sizeof msg, agg), CD_ERR_INVALID_ARG);
    /* the aggregate public key verifies the aggregate signature */
    CHECK_OK(t, bls_eth_aggregate_pubkeys((const uint8_t(*)[48])pk, N, aggpk));
    CHECK_OK(t, bls_verify(aggpk, msg, sizeof msg, agg));
    /* eth_fast_aggregate_verify: empty set with the infinity signature is valid */
    uint8_t inf[96] = {0xc0};
    CHECK_OK(t, bls_eth_fast_aggregate_verify(NULL, 0, msg, sizeof msg, inf));
    CHECK_ERR(t, bls_eth_fast_aggregate_verify(NULL, 0, msg, sizeof msg, agg), CD_ERR_BAD_SIGNATURE);
    CHECK_ERR(t, bls_fast_aggregate_verify(ptrs, 0, msg, sizeof msg, inf), CD_ERR_INVALID_ARG);
    /* one flipped bit anywhere in the signature breaks it */
    for (int byte = 0; byte < 96; byte += 13) {
        uint8_t bad[96];
        memcpy(bad, agg, 96);
        bad[byte] ^= 0x04;
        CHECK_FAILS(t, bls_fast_aggregate_verify(ptrs, N, msg, sizeof msg, bad));
    }
    /* AggregateVerify over distinct messages */
    uint8_t msgs_store[N][4];
    cd_bytes msgs[N];
    uint8_t sigs2[N][96];
    for (int i = 0; i < N; i++) {
        memcpy(msgs_store[i], "m", 1);
        msgs_store[i][1] = (uint8_t)i;
        msgs_store[i][2] = msgs_store[i][3] = 0;
        msgs[i] = cd_bytes_make(msgs_store[i], 4);
        CHECK_OK(t, bls_sign(sk[i], msgs_store[i], 4, sigs2[i]));
    }
    CHECK_OK(t, bls_aggregate_signatures((const uint8_t(*)[96])sigs2, N, agg));
    CHECK_OK(t, bls_aggregate_verify((const uint8_t(*)[48])pk, msgs, N, agg));
    CHECK_OK(t, bls_batch_verify((const uint8_t(*)[48])pk, msgs, (const uint8_t(*)[96])sigs2, N));
    msgs[2] = msgs[3];
    CHECK_ERR(t, bls_aggregate_verify((const uint8_t(*)[48])pk, msgs, N, agg), CD_ERR_BAD_SIGNATURE);
    CHECK_ERR(t, bls_batch_verify((const uint8_t(*)[48])pk, msgs, (const uint8_t(*)[96])sigs2, N),
              CD_ERR_BAD_SIGNATURE);
    /* keys summing to infinity: {pk, -pk} with the infinity signature must not verify */
    {
        uint8_t sk_neg[32], pk2[2][48], s2[2][96], aggs[96];
        /* sk_neg = r - sk[0] (sk[0] < 2^254 < r, so no underflow) */
        int borrow = 0;
        for (int i = 31; i >= 0; i--) {
            int d = (int)ORDER_R[i] - (int)sk[0][i] - borrow;
            borrow = d < 0;
            sk_neg[i] = (uint8_t)(d + (borrow ? 256 : 0));
        }
        CHECK_OK(t, bls_sk_to_pk(sk[0], pk2[0]));
        CHECK_OK(t, bls_sk_to_pk(sk_neg, pk2[1]));
        CHECK_OK(t, bls_sign(sk[0], msg, sizeof msg, s2[0]));
        CHECK_OK(t, bls_sign(sk_neg, msg, sizeof msg, s2[1]));
        CHECK_OK(t, bls_aggregate_signatures((const uint8_t(*)[96])s2, 2, aggs));
        CHECK_EQ_BYTES(t, aggs, 96, inf, 96);
        CHECK_ERR(t, bls_fast_aggregate_verify_compressed((const uint8_t(*)[48])pk2, 2, msg, sizeof msg, aggs),
                  CD_ERR_INFINITY);
        bls_pubkey k2[2];
        CHECK_OK(t, bls_pubkey_decompress(&k2[0], pk2[0]));
        CHECK_OK(t, bls_pubkey_decompress(&k2[1], pk2[1]));
        const bls_pubkey *kp[2] = {&k2[0], &k2[1]};
        CHECK_ERR(t, bls_fast_aggregate_verify(kp, 2, msg, sizeof msg, aggs), CD_ERR_INFINITY);
        CHECK_ERR(t, bls_eth_fast_aggregate_verify(kp, 2, msg, sizeof msg, aggs), CD_ERR_INFINITY);
    }
    /* secret key range: 0 and r rejected, r - 1 accepted */
    uint8_t bad_sk[32] = {0}, out[96];
    CHECK_ERR(t, bls_sk_to_pk(bad_sk, pk[0]), CD_ERR_BAD_SCALAR);
    CHECK_ERR(t, bls_sign(bad_sk, msg, 1, out), CD_ERR_BAD_SCALAR);
    memcpy(bad_sk, ORDER_R, 32);
    CHECK_ERR(t, bls_sk_to_pk(bad_sk, pk[0]), CD_ERR_BAD_SCALAR);
    bad_sk[31]--;
    CHECK_OK(t, bls_sk_to_pk(bad_sk, pk[0]));
    /* pk of r-1 is -G1 */
    bls_g1_affine g;
    bls_g1_generator(&g);
    bls_fp_neg(&g.y, &g.y);
    uint8_t neg_g[48];
    bls_g1_compress(neg_g, &g);
    CHECK_EQ_BYTES(t, pk[0], 48, neg_g, 48);
    /* empty message is fine */
    CHECK_OK(t, bls_sign(sk[1], NULL, 0, out));
    CHECK_OK(t, bls_sk_to_pk(sk[1], pk[1]));
    CHECK_OK(t, bls_verify(pk[1], NULL, 0, out));
}

int main(void) {
    test_ctx t;
    /* CANDOR_BLS_PATH=portable: run under scripts/bls_portable.sh, the portable field path
     * forced; checked below so a dispatch that ignores the mask fails instead of passing. */
    const char *want = getenv("CANDOR_BLS_PATH");
    bool forced = want && strcmp(want, "portable") == 0;
    test_init(&t, forced ? "test_bls_portable" : "test_bls");
    printf("test_bls: field path %s\n", bls_fp_adx_usable() ? "adx" : "portable");
    if (forced)
        test_case(&t, "field path forced to portable", !bls_fp_adx_usable(),
                  "GLIBC_TUNABLES did not reach the dispatch: the ADX path is still in use");
    TEST_RUN(&t, test_fp_axioms);
    TEST_RUN(&t, test_fp_encoding_range);
    TEST_RUN(&t, test_fp_kernels_vs_gmp);
    TEST_RUN(&t, test_fp4_sqr_kernels);
    TEST_RUN(&t, test_fp2_axioms);
    TEST_RUN(&t, test_fp12_tower);
    TEST_RUN(&t, test_generators_kat);
    TEST_RUN(&t, test_g1_group_laws);
    TEST_RUN(&t, test_g2_group_laws);
    TEST_RUN(&t, test_msm);
    TEST_RUN(&t, test_subgroup_rejection);
    TEST_RUN(&t, test_decompress_rejects);
    TEST_RUN(&t, test_pairing_bilinear);
    TEST_RUN(&t, test_hash_to_g2_kat);
    TEST_RUN(&t, test_hash_to_g1_kat);
    TEST_RUN(&t, test_sign_verify);
    return test_finish(&t);
}
