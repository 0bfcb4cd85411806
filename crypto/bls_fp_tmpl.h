/* The field products of one kernel family, included by crypto/bls_fp.c once per family with
 * FPV(name) naming the functions and FPV_* naming the kernels (see "multiplication kernels"
 * there). Not a header of its own: no include guard, by design. */

static void FPV(fp_mul)(bls_fp *r, const bls_fp *a, const bls_fp *b) {
    FPV_MONT_MUL(r->l, a->l, b->l);
}

/* Squaring is the fused product a*a: dedicated squaring kernels (21 limb products instead of
 * 36) measured slower here, see crypto/bls_fp_asm.py. */
static void FPV(fp_sqr)(bls_fp *r, const bls_fp *a) { FPV_MONT_MUL(r->l, a->l, a->l); }

/* Karatsuba with one reduction per output coefficient instead of one per product: the three
 * 768-bit products are combined first, c0 = a0b0 - a1b1 (mod p*R, so never negative) and
 * c1 = (a0+a1)(b0+b1) - a0b0 - a1b1 = a0b1 + a1b0 < 2p^2 < p*R, and each is reduced once.
 * Three 6x6 products and two reductions instead of three full Montgomery products. The sums
 * a0+a1 and b0+b1 stay unreduced (< 2p < 2^382). r may alias a or b. */
static void FPV(fp2_mul)(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b) {
    uint64_t t0[12], t1[12], t2[12], sa[6], sb[6];
    FPV_MUL384(t0, a->c0.l, b->c0.l);
    FPV_MUL384(t1, a->c1.l, b->c1.l);
    FPV_ADD_RAW(sa, a->c0.l, a->c1.l);
    FPV_ADD_RAW(sb, b->c0.l, b->c1.l);
    FPV_MUL384(t2, sa, sb);
    FPV_SUB768(t2, t2, t0);
    FPV_SUB768(t2, t2, t1);
    FPV_SUB768_MODP(t0, t0, t1);
    FPV_REDC(r->c0.l, t0);
    FPV_REDC(r->c1.l, t2);
}

/* (a0 + a1 u)^2 = (a0+a1)(a0-a1) + 2 a0 a1 u: two products. a0+a1 and 2a0 stay unreduced
 * (< 2p); the Montgomery product takes one factor below 2p when the other is below p. */
static void FPV(fp2_sqr)(bls_fp2 *r, const bls_fp2 *a) {
    uint64_t s[6], d2[6];
    bls_fp d;
    FPV_ADD_RAW(s, a->c0.l, a->c1.l);
    bls_fp_sub(&d, &a->c0, &a->c1);
    FPV_ADD_RAW(d2, a->c0.l, a->c0.l);
    /* r may alias a: a->c1 is read before r->c1 is written, and r->c0 comes from copies */
    FPV_MONT_MUL(r->c1.l, d2, a->c1.l);
    FPV_MONT_MUL(r->c0.l, s, d.l);
}

/* Fp2 square left unreduced: z0 = (a0+a1)(a0-a1), z1 = 2a0 a1, each < 2p^2 (a0+a1 and 2a0 raw,
 * a0-a1 reduced). Congruent to the square mod p, not equal to it over the integers. */
static inline void FPV(fp2_sqr_wide)(uint64_t z0[12], uint64_t z1[12], const bls_fp2 *a) {
    uint64_t s[6], d2[6];
    bls_fp d;
    FPV_ADD_RAW(s, a->c0.l, a->c1.l);
    bls_ifp_sub(&d, &a->c0, &a->c1);
    FPV_ADD_RAW(d2, a->c0.l, a->c0.l);
    FPV_MUL384(z0, s, d.l);
    FPV_MUL384(z1, d2, a->c1.l);
}

/* (x + y t)^2 in Fp4 = Fp2[t]/(t^2 - xi): r0 = x^2 + xi y^2, r1 = (x+y)^2 - x^2 - y^2 = 2xy.
 * The three squares stay wide and are combined before reducing: four reductions instead of
 * six. Offsets 2p^2 / 4p^2 (multiples of p, so the reductions are unchanged) keep every
 * partial sum non-negative; every sum stays below 6p^2 < p*R (R/p > 9.8), redc's bound. */
static void FPV(fp4_sqr)(bls_fp2 *r0, bls_fp2 *r1, const bls_fp2 *x, const bls_fp2 *y) {
    uint64_t X0[12], X1[12], Y0[12], Y1[12], S0[12], S1[12], t[12];
    bls_fp2 sxy;
    bls_ifp2_add(&sxy, x, y);
    FPV(fp2_sqr_wide)(X0, X1, x);
    FPV(fp2_sqr_wide)(Y0, Y1, y);
    FPV(fp2_sqr_wide)(S0, S1, &sxy);
    /* r1 first: it reads x and y only through X, Y, S, so r0/r1 may alias x/y */
    FPV_ADD768(t, S0, BLS_4P2);
    FPV_SUB768(t, t, X0);
    FPV_SUB768(t, t, Y0);
    FPV_REDC(r1->c0.l, t);
    FPV_ADD768(t, S1, BLS_4P2);
    FPV_SUB768(t, t, X1);
    FPV_SUB768(t, t, Y1);
    FPV_REDC(r1->c1.l, t);
    FPV_ADD768(t, X0, Y0); /* xi y^2 = (Y0 - Y1) + (Y0 + Y1) u */
    FPV_ADD768(t, t, BLS_2P2);
    FPV_SUB768(t, t, Y1);
    FPV_REDC(r0->c0.l, t);
    FPV_ADD768(t, X1, Y0);
    FPV_ADD768(t, t, Y1);
    FPV_REDC(r0->c1.l, t);
}

static void FPV(k_mul384)(uint64_t t[12], const uint64_t a[6], const uint64_t b[6]) {
    FPV_MUL384(t, a, b);
}
static void FPV(k_redc)(uint64_t r[6], const uint64_t t[12]) { FPV_REDC(r, t); }

#undef FPV
#undef FPV_MUL384
#undef FPV_REDC
#undef FPV_MONT_MUL
#undef FPV_SUB768
#undef FPV_SUB768_MODP
#undef FPV_ADD768
#undef FPV_ADD_RAW
