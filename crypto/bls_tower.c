/* Fp6 = Fp2[v]/(v^3 - xi), Fp12 = Fp6[w]/(w^2 - v), xi = 1 + u.
 *
 * An Fp12 element c0 + c1*w with c0 = (a0, a1, a2), c1 = (b0, b1, b2) is, as a polynomial in
 * w over Fp2 (w^6 = xi):  a0 + b0 w + a1 w^2 + b1 w^3 + a2 w^4 + b2 w^5.
 * That view gives the Frobenius: (g w^i)^p = conj(g) * xi^(i(p-1)/6) * w^i.
 */
#include <string.h>

#include "crypto/bls_internal.h"

/* xi^(i(p-1)/6), i = 0..5 (Montgomery form). */
static const bls_fp2 FROB1[6] = {
    {{{0x760900000002fffdull, 0xebf4000bc40c0002ull, 0x5f48985753c758baull, 0x77ce585370525745ull, 0x5c071a97a256ec6dull, 0x15f65ec3fa80e493ull}},
     {{0, 0, 0, 0, 0, 0}}},
    {{{0x07089552b319d465ull, 0xc6695f92b50a8313ull, 0x97e83cccd117228full, 0xa35baecab2dc29eeull, 0x1ce393ea5daace4dull, 0x08f2220fb0fb66ebull}},
     {{0xb2f66aad4ce5d646ull, 0x5842a06bfc497cecull, 0xcf4895d42599d394ull, 0xc11b9cba40a8e8d0ull, 0x2e3813cbe5a0de89ull, 0x110eefda88847fafull}}},
    {{{0, 0, 0, 0, 0, 0}},
     {{0xcd03c9e48671f071ull, 0x5dab22461fcda5d2ull, 0x587042afd3851b95ull, 0x8eb60ebe01bacb9eull, 0x03f97d6e83d050d2ull, 0x18f0206554638741ull}}},
    {{{0x7bcfa7a25aa30fdaull, 0xdc17dec12a927e7cull, 0x2f088dd86b4ebef1ull, 0xd1ca2087da74d4a7ull, 0x2da2596696cebc1dull, 0x0e2b7eedbbfd87d2ull}},
     {{0x7bcfa7a25aa30fdaull, 0xdc17dec12a927e7cull, 0x2f088dd86b4ebef1ull, 0xd1ca2087da74d4a7ull, 0x2da2596696cebc1dull, 0x0e2b7eedbbfd87d2ull}}},
    {{{0x890dc9e4867545c3ull, 0x2af322533285a5d5ull, 0x50880866309b7e2cull, 0xa20d1b8c7e881024ull, 0x14e4f04fe2db9068ull, 0x14e56d3f1564853aull}},
     {{0, 0, 0, 0, 0, 0}}},
    {{{0x82d83cf50dbce43full, 0xa2813e53df9d018full, 0xc6f0caa53c65e181ull, 0x7525cf528d50fe95ull, 0x4a85ed50f4798a6bull, 0x171da0fd6cf8eebdull}},
     {{0x3726c30af242c66cull, 0x7c2ac1aad1b6fe70ull, 0xa04007fbba4b14a2ull, 0xef517c3266341429ull, 0x0095ba654ed2226bull, 0x02e370eccc86f7ddull}}},
};
/* xi^(i(p^2-1)/6), i = 0..5: these lie in Fp. */
static const bls_fp FROB2[6] = {
    {{0x760900000002fffdull, 0xebf4000bc40c0002ull, 0x5f48985753c758baull, 0x77ce585370525745ull, 0x5c071a97a256ec6dull, 0x15f65ec3fa80e493ull}},
    {{0xecfb361b798dba3aull, 0xc100ddb891865a2cull, 0x0ec08ff1232bda8eull, 0xd5c13cc6f1ca4721ull, 0x47222a47bf7b5c04ull, 0x0110f184e51c5f59ull}},
    {{0x30f1361b798a64e8ull, 0xf3b8ddab7ece5a2aull, 0x16a8ca3ac61577f7ull, 0xc26a2ff874fd029bull, 0x3636b76660701c6eull, 0x051ba4ab241b6160ull}},
    {{0x43f5fffffffcaaaeull, 0x32b7fff2ed47fffdull, 0x07e83a49a2e99d69ull, 0xeca8f3318332bb7aull, 0xef148d1ea0f4c069ull, 0x040ab3263eff0206ull}},
    {{0xcd03c9e48671f071ull, 0x5dab22461fcda5d2ull, 0x587042afd3851b95ull, 0x8eb60ebe01bacb9eull, 0x03f97d6e83d050d2ull, 0x18f0206554638741ull}},
    {{0x890dc9e4867545c3ull, 0x2af322533285a5d5ull, 0x50880866309b7e2cull, 0xa20d1b8c7e881024ull, 0x14e4f04fe2db9068ull, 0x14e56d3f1564853aull}},
};

/* ---- Fp6 ----------------------------------------------------------------------------- */

void bls_fp6_add(bls_fp6 *r, const bls_fp6 *a, const bls_fp6 *b) {
    bls_ifp2_add(&r->c0, &a->c0, &b->c0);
    bls_ifp2_add(&r->c1, &a->c1, &b->c1);
    bls_ifp2_add(&r->c2, &a->c2, &b->c2);
}

void bls_fp6_sub(bls_fp6 *r, const bls_fp6 *a, const bls_fp6 *b) {
    bls_ifp2_sub(&r->c0, &a->c0, &b->c0);
    bls_ifp2_sub(&r->c1, &a->c1, &b->c1);
    bls_ifp2_sub(&r->c2, &a->c2, &b->c2);
}

static void fp6_neg(bls_fp6 *r, const bls_fp6 *a) {
    bls_fp2_neg(&r->c0, &a->c0);
    bls_fp2_neg(&r->c1, &a->c1);
    bls_fp2_neg(&r->c2, &a->c2);
}

/* Karatsuba over three coefficients: 6 Fp2 multiplications. */
void bls_fp6_mul(bls_fp6 *r, const bls_fp6 *a, const bls_fp6 *b) {
    bls_fp2 t0, t1, t2, s, u, c0, c1, c2;
    bls_fp2_mul(&t0, &a->c0, &b->c0);
    bls_fp2_mul(&t1, &a->c1, &b->c1);
    bls_fp2_mul(&t2, &a->c2, &b->c2);
    /* c0 = t0 + xi*((a1+a2)(b1+b2) - t1 - t2) */
    bls_ifp2_add(&s, &a->c1, &a->c2);
    bls_ifp2_add(&u, &b->c1, &b->c2);
    bls_fp2_mul(&c0, &s, &u);
    bls_ifp2_sub(&c0, &c0, &t1);
    bls_ifp2_sub(&c0, &c0, &t2);
    bls_ifp2_mul_by_xi(&c0, &c0);
    bls_ifp2_add(&c0, &c0, &t0);
    /* c1 = (a0+a1)(b0+b1) - t0 - t1 + xi*t2 */
    bls_ifp2_add(&s, &a->c0, &a->c1);
    bls_ifp2_add(&u, &b->c0, &b->c1);
    bls_fp2_mul(&c1, &s, &u);
    bls_ifp2_sub(&c1, &c1, &t0);
    bls_ifp2_sub(&c1, &c1, &t1);
    bls_ifp2_mul_by_xi(&s, &t2);
    bls_ifp2_add(&c1, &c1, &s);
    /* c2 = (a0+a2)(b0+b2) - t0 - t2 + t1 */
    bls_ifp2_add(&s, &a->c0, &a->c2);
    bls_ifp2_add(&u, &b->c0, &b->c2);
    bls_fp2_mul(&c2, &s, &u);
    bls_ifp2_sub(&c2, &c2, &t0);
    bls_ifp2_sub(&c2, &c2, &t2);
    bls_ifp2_add(&c2, &c2, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

/* r = a * v: (c0, c1, c2) -> (xi*c2, c0, c1). */
static void fp6_mul_by_v(bls_fp6 *r, const bls_fp6 *a) {
    bls_fp2 t;
    bls_ifp2_mul_by_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

/* r = a * (b0 + b1 v): 5 Fp2 multiplications. */
static void fp6_mul_by_01(bls_fp6 *r, const bls_fp6 *a, const bls_fp2 *b0, const bls_fp2 *b1) {
    bls_fp2 t0, t1, s, u, c0, c1, c2;
    bls_fp2_mul(&t0, &a->c0, b0);
    bls_fp2_mul(&t1, &a->c1, b1);
    /* c0 = t0 + xi * a2 b1 */
    bls_fp2_mul(&c0, &a->c2, b1);
    bls_ifp2_mul_by_xi(&c0, &c0);
    bls_ifp2_add(&c0, &c0, &t0);
    /* c1 = (a0+a1)(b0+b1) - t0 - t1 */
    bls_ifp2_add(&s, &a->c0, &a->c1);
    bls_ifp2_add(&u, b0, b1);
    bls_fp2_mul(&c1, &s, &u);
    bls_ifp2_sub(&c1, &c1, &t0);
    bls_ifp2_sub(&c1, &c1, &t1);
    /* c2 = a2 b0 + t1 */
    bls_fp2_mul(&c2, &a->c2, b0);
    bls_ifp2_add(&c2, &c2, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

/* r = a * (b1 v): 3 Fp2 multiplications. */
static void fp6_mul_by_1(bls_fp6 *r, const bls_fp6 *a, const bls_fp2 *b1) {
    bls_fp2 c0, c1, c2;
    bls_fp2_mul(&c0, &a->c2, b1);
    bls_ifp2_mul_by_xi(&c0, &c0);
    bls_fp2_mul(&c1, &a->c0, b1);
    bls_fp2_mul(&c2, &a->c1, b1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

void bls_fp6_inv(bls_fp6 *r, const bls_fp6 *a) {
    bls_fp2 A, B, C, t, F;
    /* A = a0^2 - xi a1 a2, B = xi a2^2 - a0 a1, C = a1^2 - a0 a2 */
    bls_fp2_sqr(&A, &a->c0);
    bls_fp2_mul(&t, &a->c1, &a->c2);
    bls_ifp2_mul_by_xi(&t, &t);
    bls_ifp2_sub(&A, &A, &t);
    bls_fp2_sqr(&B, &a->c2);
    bls_ifp2_mul_by_xi(&B, &B);
    bls_fp2_mul(&t, &a->c0, &a->c1);
    bls_ifp2_sub(&B, &B, &t);
    bls_fp2_sqr(&C, &a->c1);
    bls_fp2_mul(&t, &a->c0, &a->c2);
    bls_ifp2_sub(&C, &C, &t);
    /* F = a0 A + xi (a2 B + a1 C) */
    bls_fp2_mul(&F, &a->c2, &B);
    bls_fp2_mul(&t, &a->c1, &C);
    bls_ifp2_add(&F, &F, &t);
    bls_ifp2_mul_by_xi(&F, &F);
    bls_fp2_mul(&t, &a->c0, &A);
    bls_ifp2_add(&F, &F, &t);
    bls_fp2_inv(&F, &F);
    bls_fp2_mul(&r->c0, &A, &F);
    bls_fp2_mul(&r->c1, &B, &F);
    bls_fp2_mul(&r->c2, &C, &F);
}

/* ---- Fp12 ---------------------------------------------------------------------------- */

void bls_fp12_one(bls_fp12 *r) {
    memset(r, 0, sizeof *r);
    r->c0.c0.c0 = bls_fp_const_one;
}

bool bls_fp12_eq(const bls_fp12 *a, const bls_fp12 *b) {
    const bls_fp2 *x = &a->c0.c0, *y = &b->c0.c0;
    for (int i = 0; i < 6; i++)
        if (!bls_fp2_eq(&x[i], &y[i])) return false;
    return true;
}

bool bls_fp12_is_one(const bls_fp12 *a) {
    bls_fp12 one;
    bls_fp12_one(&one);
    return bls_fp12_eq(a, &one);
}

void bls_fp12_mul(bls_fp12 *r, const bls_fp12 *a, const bls_fp12 *b) {
    bls_fp6 t0, t1, s, u, c1;
    bls_fp6_mul(&t0, &a->c0, &b->c0);
    bls_fp6_mul(&t1, &a->c1, &b->c1);
    bls_fp6_add(&s, &a->c0, &a->c1);
    bls_fp6_add(&u, &b->c0, &b->c1);
    bls_fp6_mul(&c1, &s, &u);
    bls_fp6_sub(&c1, &c1, &t0);
    bls_fp6_sub(&c1, &c1, &t1);
    fp6_mul_by_v(&t1, &t1);
    bls_fp6_add(&r->c0, &t0, &t1);
    r->c1 = c1;
}

/* Complex squaring: (a0 + a1 w)^2 = (a0+a1)(a0+v a1) - t - v t + 2t w, t = a0 a1. */
void bls_fp12_sqr(bls_fp12 *r, const bls_fp12 *a) {
    bls_fp6 t, s, u, vt;
    bls_fp6_mul(&t, &a->c0, &a->c1);
    bls_fp6_add(&s, &a->c0, &a->c1);
    fp6_mul_by_v(&u, &a->c1);
    bls_fp6_add(&u, &u, &a->c0);
    bls_fp6_mul(&s, &s, &u);
    fp6_mul_by_v(&vt, &t);
    bls_fp6_sub(&s, &s, &t);
    bls_fp6_sub(&r->c0, &s, &vt);
    bls_fp6_add(&r->c1, &t, &t);
}

void bls_fp12_conj(bls_fp12 *r, const bls_fp12 *a) {
    r->c0 = a->c0;
    fp6_neg(&r->c1, &a->c1);
}

/* 1/(a0 + a1 w) = (a0 - a1 w)/(a0^2 - v a1^2). */
void bls_fp12_inv(bls_fp12 *r, const bls_fp12 *a) {
    bls_fp6 t0, t1;
    bls_fp6_mul(&t0, &a->c0, &a->c0);
    bls_fp6_mul(&t1, &a->c1, &a->c1);
    fp6_mul_by_v(&t1, &t1);
    bls_fp6_sub(&t0, &t0, &t1);
    bls_fp6_inv(&t0, &t0);
    bls_fp6_mul(&r->c0, &a->c0, &t0);
    bls_fp6_mul(&t1, &a->c1, &t0);
    fp6_neg(&r->c1, &t1);
}

void bls_fp12_frob(bls_fp12 *r, const bls_fp12 *a) {
    /* w-powers: c0 = (w^0, w^2, w^4), c1 = (w^1, w^3, w^5). */
    bls_fp2 t;
    bls_fp2_conj(&r->c0.c0, &a->c0.c0);
    bls_fp2_conj(&t, &a->c0.c1);
    bls_fp2_mul(&r->c0.c1, &t, &FROB1[2]);
    bls_fp2_conj(&t, &a->c0.c2);
    bls_fp2_mul(&r->c0.c2, &t, &FROB1[4]);
    bls_fp2_conj(&t, &a->c1.c0);
    bls_fp2_mul(&r->c1.c0, &t, &FROB1[1]);
    bls_fp2_conj(&t, &a->c1.c1);
    bls_fp2_mul(&r->c1.c1, &t, &FROB1[3]);
    bls_fp2_conj(&t, &a->c1.c2);
    bls_fp2_mul(&r->c1.c2, &t, &FROB1[5]);
}

void bls_fp12_frob2(bls_fp12 *r, const bls_fp12 *a) {
    r->c0.c0 = a->c0.c0;
    bls_fp2_mul_fp(&r->c0.c1, &a->c0.c1, &FROB2[2]);
    bls_fp2_mul_fp(&r->c0.c2, &a->c0.c2, &FROB2[4]);
    bls_fp2_mul_fp(&r->c1.c0, &a->c1.c0, &FROB2[1]);
    bls_fp2_mul_fp(&r->c1.c1, &a->c1.c1, &FROB2[3]);
    bls_fp2_mul_fp(&r->c1.c2, &a->c1.c2, &FROB2[5]);
}

/* Granger-Scott squaring in the cyclotomic subgroup. View Fp12 as Fp4[w]/(w^3 - g), g = w^3,
 * Fp4 = Fp2[g]: f = A0 + A1 w + A2 w^2 with A0 = a0 + b1 g, A1 = b0 + a2 g, A2 = a1 + b2 g.
 * For f of order dividing p^4 - p^2 + 1:
 *   A0' = 3 A0^2 - 2 conj(A0),  A1' = 3 g A2^2 + 2 conj(A1),  A2' = 3 A1^2 - 2 conj(A2),
 * conj being g -> -g. Nine Fp2 squarings instead of a full Fp12 squaring. */
void bls_fp12_cyclotomic_sqr(bls_fp12 *r, const bls_fp12 *a) {
    const bls_fp2 *a0 = &a->c0.c0, *a1 = &a->c0.c1, *a2 = &a->c0.c2;
    const bls_fp2 *b0 = &a->c1.c0, *b1 = &a->c1.c1, *b2 = &a->c1.c2;
    bls_fp2 s0, s1, t0, t1, u0, u1, x;
    bls_fp4_sqr(&s0, &s1, a0, b1); /* A0^2 */
    bls_fp4_sqr(&t0, &t1, b0, a2); /* A1^2 */
    bls_fp4_sqr(&u0, &u1, a1, b2); /* A2^2 */
    bls_fp12 o;
    /* A0' : a0' = 3 s0 - 2 a0, b1' = 3 s1 + 2 b1 */
    bls_ifp2_sub(&x, &s0, a0);
    bls_ifp2_dbl(&x, &x);
    bls_ifp2_add(&o.c0.c0, &x, &s0);
    bls_ifp2_add(&x, &s1, b1);
    bls_ifp2_dbl(&x, &x);
    bls_ifp2_add(&o.c1.c1, &x, &s1);
    /* A2' = 3 A1^2 - 2 conj(A2): a1' = 3 t0 - 2 a1, b2' = 3 t1 + 2 b2 */
    bls_ifp2_sub(&x, &t0, a1);
    bls_ifp2_dbl(&x, &x);
    bls_ifp2_add(&o.c0.c1, &x, &t0);
    bls_ifp2_add(&x, &t1, b2);
    bls_ifp2_dbl(&x, &x);
    bls_ifp2_add(&o.c1.c2, &x, &t1);
    /* A1' = 3 g A2^2 + 2 conj(A1); g A2^2 = xi u1 + u0 g: b0' = 3 xi u1 + 2 b0, a2' = 3 u0 - 2 a2 */
    bls_fp2 xu1;
    bls_ifp2_mul_by_xi(&xu1, &u1);
    bls_ifp2_add(&x, &xu1, b0);
    bls_ifp2_dbl(&x, &x);
    bls_ifp2_add(&o.c1.c0, &x, &xu1);
    bls_ifp2_sub(&x, &u0, a2);
    bls_ifp2_dbl(&x, &x);
    bls_ifp2_add(&o.c0.c2, &x, &u0);
    *r = o;
}

/* a * (l0 + l1 v + l4 v w): with f = F0 + F1 w and line = L0 + L1 w, L0 = l0 + l1 v,
 * L1 = l4 v, the product is (F0 L0 + v F1 L1) + ((F0+F1)(L0+L1) - F0 L0 - F1 L1) w. */
void bls_fp12_mul_by_line(bls_fp12 *r, const bls_fp12 *a, const bls_fp2 *l0, const bls_fp2 *l1,
                          const bls_fp2 *l4) {
    bls_fp6 t0, t1, s;
    bls_fp2 m;
    fp6_mul_by_01(&t0, &a->c0, l0, l1);
    fp6_mul_by_1(&t1, &a->c1, l4);
    bls_fp6_add(&s, &a->c0, &a->c1);
    bls_ifp2_add(&m, l1, l4);
    fp6_mul_by_01(&s, &s, l0, &m);
    bls_fp6_sub(&s, &s, &t0);
    bls_fp6_sub(&r->c1, &s, &t1);
    fp6_mul_by_v(&t1, &t1);
    bls_fp6_add(&r->c0, &t0, &t1);
}
