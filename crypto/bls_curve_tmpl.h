/* Curve arithmetic shared by G1 (over Fp) and G2 (over Fp2), instantiated twice from
 * bls_curve.c. Both curves are y^2 = x^3 + b with a = 0, so the formulas are identical; only
 * the field changes. Before including, define:
 *   FE        field element type          F(op)  field function (bls_fp_##op)
 *   PT, PTA   Jacobian / affine types     G(op)  group function name (bls_g1_##op)
 *   CURVE_B   the constant b (FE)
 * Formulas: Jacobian coordinates, dbl-2009-l, add-2007-bl, madd-2007-bl (EFD, a = 0).
 */

#define FE_WORDS (sizeof(FE) / sizeof(uint64_t))

/* Constant-time helpers over the raw limbs (FE and PT are plain arrays of uint64_t). */
static inline uint64_t G(ct_is_zero)(const FE *a) {
    const uint64_t *w = (const uint64_t *)a;
    uint64_t acc = 0;
    for (size_t i = 0; i < FE_WORDS; i++) acc |= w[i];
    return (((acc | (0 - acc)) >> 63) & 1) ^ 1;
}

static inline void G(ct_cmov)(PT *r, const PT *a, uint64_t flag) {
    uint64_t *rw = (uint64_t *)r;
    const uint64_t *aw = (const uint64_t *)a;
    uint64_t mask = 0 - (flag & 1);
    for (size_t i = 0; i < 3 * FE_WORDS; i++) rw[i] = (rw[i] & ~mask) | (aw[i] & mask);
}

static void G(set_infinity)(PT *r) {
    F(one)(&r->X);
    F(one)(&r->Y);
    F(zero)(&r->Z);
}

bool G(is_infinity)(const PT *p) { return F(is_zero)(&p->Z); }

void G(from_affine)(PT *r, const PTA *a) {
    if (a->infinity) {
        G(set_infinity)(r);
        return;
    }
    r->X = a->x;
    r->Y = a->y;
    F(one)(&r->Z);
}

void G(to_affine)(PTA *r, const PT *p) {
    if (G(is_infinity)(p)) {
        memset(r, 0, sizeof *r);
        r->infinity = true;
        return;
    }
    FE zi, zi2, zi3;
    F(inv)(&zi, &p->Z);
    F(sqr)(&zi2, &zi);
    F(mul)(&zi3, &zi2, &zi);
    F(mul)(&r->x, &p->X, &zi2);
    F(mul)(&r->y, &p->Y, &zi3);
    r->infinity = false;
}

bool G(is_on_curve)(const PTA *p) {
    if (p->infinity) return true;
    FE l, rhs;
    F(sqr)(&l, &p->y);
    F(sqr)(&rhs, &p->x);
    F(mul)(&rhs, &rhs, &p->x);
    F(add)(&rhs, &rhs, &CURVE_B);
    return F(eq)(&l, &rhs);
}

bool G(eq)(const PT *a, const PT *b) {
    bool ia = G(is_infinity)(a), ib = G(is_infinity)(b);
    if (ia || ib) return ia && ib;
    FE z1z1, z2z2, u1, u2, s1, s2;
    F(sqr)(&z1z1, &a->Z);
    F(sqr)(&z2z2, &b->Z);
    F(mul)(&u1, &a->X, &z2z2);
    F(mul)(&u2, &b->X, &z1z1);
    if (!F(eq)(&u1, &u2)) return false;
    F(mul)(&s1, &a->Y, &z2z2);
    F(mul)(&s1, &s1, &b->Z);
    F(mul)(&s2, &b->Y, &z1z1);
    F(mul)(&s2, &s2, &a->Z);
    return F(eq)(&s1, &s2);
}

void G(neg)(PT *r, const PT *a) {
    r->X = a->X;
    F(neg)(&r->Y, &a->Y);
    r->Z = a->Z;
}

/* dbl-2009-l. Branch-free; doubling infinity (Z = 0) yields Z = 0 again. */
void G(double)(PT *r, const PT *p) {
    FE A, B, C, D, E, Fv, t;
    F(sqr)(&A, &p->X);
    F(sqr)(&B, &p->Y);
    F(sqr)(&C, &B);
    F(add)(&D, &p->X, &B);
    F(sqr)(&D, &D);
    F(sub)(&D, &D, &A);
    F(sub)(&D, &D, &C);
    F(dbl)(&D, &D);
    F(dbl)(&E, &A);
    F(add)(&E, &E, &A);
    F(sqr)(&Fv, &E);
    F(mul)(&t, &p->Y, &p->Z);
    F(dbl)(&r->Z, &t);
    F(sub)(&r->X, &Fv, &D);
    F(sub)(&r->X, &r->X, &D);
    F(sub)(&t, &D, &r->X);
    F(mul)(&t, &E, &t);
    F(dbl)(&C, &C);
    F(dbl)(&C, &C);
    F(dbl)(&C, &C);
    F(sub)(&r->Y, &t, &C);
}

/* add-2007-bl core. Writes the generic sum to r and reports H == 0 and R == 0 so callers can
 * handle P == Q and P == -Q (the formula is wrong there). Neither input may alias r. */
static void G(add_core)(PT *r, const PT *a, const PT *b, uint64_t *h_zero, uint64_t *r_zero) {
    FE z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    F(sqr)(&z1z1, &a->Z);
    F(sqr)(&z2z2, &b->Z);
    F(mul)(&u1, &a->X, &z2z2);
    F(mul)(&u2, &b->X, &z1z1);
    F(mul)(&s1, &a->Y, &b->Z);
    F(mul)(&s1, &s1, &z2z2);
    F(mul)(&s2, &b->Y, &a->Z);
    F(mul)(&s2, &s2, &z1z1);
    F(sub)(&h, &u2, &u1);
    F(sub)(&rr, &s2, &s1);
    *h_zero = G(ct_is_zero)(&h);
    *r_zero = G(ct_is_zero)(&rr);
    F(dbl)(&rr, &rr);
    F(dbl)(&i, &h);
    F(sqr)(&i, &i);
    F(mul)(&j, &h, &i);
    F(mul)(&v, &u1, &i);
    F(sqr)(&r->X, &rr);
    F(sub)(&r->X, &r->X, &j);
    F(sub)(&r->X, &r->X, &v);
    F(sub)(&r->X, &r->X, &v);
    F(sub)(&t, &v, &r->X);
    F(mul)(&t, &rr, &t);
    F(mul)(&s1, &s1, &j);
    F(dbl)(&s1, &s1);
    F(sub)(&r->Y, &t, &s1);
    F(add)(&t, &a->Z, &b->Z);
    F(sqr)(&t, &t);
    F(sub)(&t, &t, &z1z1);
    F(sub)(&t, &t, &z2z2);
    F(mul)(&r->Z, &t, &h);
}

void G(add)(PT *r, const PT *a, const PT *b) {
    if (G(is_infinity)(a)) {
        *r = *b;
        return;
    }
    if (G(is_infinity)(b)) {
        *r = *a;
        return;
    }
    PT out;
    uint64_t hz, rz;
    G(add_core)(&out, a, b, &hz, &rz);
    if (hz) {
        if (rz) G(double)(r, a);
        else G(set_infinity)(r);
        return;
    }
    *r = out;
}

/* madd-2007-bl: b affine (Z = 1). */
void G(add_affine)(PT *r, const PT *a, const PTA *b) {
    if (b->infinity) {
        *r = *a;
        return;
    }
    if (G(is_infinity)(a)) {
        G(from_affine)(r, b);
        return;
    }
    FE z1z1, u2, s2, h, hh, i, j, rr, v, t;
    F(sqr)(&z1z1, &a->Z);
    F(mul)(&u2, &b->x, &z1z1);
    F(mul)(&s2, &b->y, &a->Z);
    F(mul)(&s2, &s2, &z1z1);
    F(sub)(&h, &u2, &a->X);
    F(sub)(&rr, &s2, &a->Y);
    if (F(is_zero)(&h)) {
        if (F(is_zero)(&rr)) G(double)(r, a);
        else G(set_infinity)(r);
        return;
    }
    F(sqr)(&hh, &h);
    F(dbl)(&i, &hh);
    F(dbl)(&i, &i);
    F(mul)(&j, &h, &i);
    F(dbl)(&rr, &rr);
    F(mul)(&v, &a->X, &i);
    PT out;
    F(sqr)(&out.X, &rr);
    F(sub)(&out.X, &out.X, &j);
    F(sub)(&out.X, &out.X, &v);
    F(sub)(&out.X, &out.X, &v);
    F(sub)(&t, &v, &out.X);
    F(mul)(&t, &rr, &t);
    F(mul)(&out.Y, &a->Y, &j);
    F(dbl)(&out.Y, &out.Y);
    F(sub)(&out.Y, &t, &out.Y);
    F(add)(&t, &a->Z, &h);
    F(sqr)(&t, &t);
    F(sub)(&t, &t, &z1z1);
    F(sub)(&out.Z, &t, &hh);
    *r = out;
}

static unsigned G(nibble)(const uint8_t k[32], int j) { /* j = 0 is the least significant */
    return (unsigned)(k[31 - j / 2] >> (4 * (j % 2))) & 15u;
}

/* Fixed 4-bit window; variable time (public scalars only). */
void G(mul)(PT *r, const PT *p, const uint8_t k[32]) {
    PT table[16], acc;
    G(set_infinity)(&table[0]);
    table[1] = *p;
    for (int i = 2; i < 16; i++) G(add)(&table[i], &table[i - 1], p);
    G(set_infinity)(&acc);
    for (int j = 63; j >= 0; j--) {
        for (int d = 0; d < 4; d++) G(double)(&acc, &acc);
        unsigned nib = G(nibble)(k, j);
        if (nib) G(add)(&acc, &acc, &table[nib]);
    }
    *r = acc;
}

/* Constant time in k: every step does 4 doublings, a full-table scan and an addition whose
 * special cases (either side infinity, equal points) are resolved with masks, not branches. */
static void G(mul_ct_impl)(PT *r, const PTA *p, const uint8_t k[32]) {
    PT table[16], acc, sel, sum, dbl;
    G(set_infinity)(&table[0]);
    G(from_affine)(&table[1], p);
    for (int i = 2; i < 16; i++) G(add)(&table[i], &table[i - 1], &table[1]); /* public */
    G(set_infinity)(&acc);
    for (int j = 63; j >= 0; j--) {
        for (int d = 0; d < 4; d++) G(double)(&acc, &acc);
        unsigned nib = G(nibble)(k, j);
        sel = table[0];
        for (unsigned i = 1; i < 16; i++) {
            uint64_t x = (uint64_t)(i ^ nib);
            uint64_t eq = ((x | (0 - x)) >> 63) ^ 1;
            G(ct_cmov)(&sel, &table[i], eq);
        }
        uint64_t hz, rz;
        G(add_core)(&sum, &acc, &sel, &hz, &rz);
        G(double)(&dbl, &acc);
        uint64_t acc_inf = G(ct_is_zero)(&acc.Z), sel_inf = G(ct_is_zero)(&sel.Z);
        G(ct_cmov)(&sum, &dbl, hz & rz & (acc_inf ^ 1) & (sel_inf ^ 1));
        G(ct_cmov)(&sum, &sel, acc_inf);
        G(ct_cmov)(&sum, &acc, sel_inf & (acc_inf ^ 1));
        acc = sum;
    }
    *r = acc;
    /* intermediate points depend on the secret scalar */
    cd_wipe(&sel, sizeof sel);
    cd_wipe(&acc, sizeof acc);
    cd_wipe(&sum, sizeof sum);
    cd_wipe(&dbl, sizeof dbl);
}

void G(mul_x_abs)(PT *r, const PT *p) {
    PT acc = *p;
    for (int i = 62; i >= 0; i--) {
        G(double)(&acc, &acc);
        if ((BLS_X_ABS >> i) & 1) G(add)(&acc, &acc, p);
    }
    *r = acc;
}

/* Pippenger bucket method with a window chosen from n; falls back to a plain sum of
 * products for tiny inputs. Scalars are public. */
cd_status G(msm)(PT *r, const PTA *pts, const uint8_t (*k)[32], size_t n) {
    G(set_infinity)(r);
    if (n == 0) return CD_OK;
    if (n < 8) {
        for (size_t i = 0; i < n; i++) {
            PT t, q;
            G(from_affine)(&q, &pts[i]);
            G(mul)(&t, &q, k[i]);
            G(add)(r, r, &t);
        }
        return CD_OK;
    }
    /* window ~ log2(n) - 2, capped so the buckets stay small (G2: 2^12 * 288 bytes) */
    int c = 4;
    while (c < 12 && ((size_t)1 << (c + 2)) < n) c++;
    size_t nb = ((size_t)1 << c) - 1;
    PT *buckets = malloc(nb * sizeof *buckets);
    if (!buckets) return CD_ERR_NOMEM;
    PT acc;
    G(set_infinity)(&acc);
    int windows = (256 + c - 1) / c;
    for (int w = windows - 1; w >= 0; w--) {
        for (int d = 0; d < c; d++) G(double)(&acc, &acc);
        for (size_t b = 0; b < nb; b++) G(set_infinity)(&buckets[b]);
        for (size_t i = 0; i < n; i++) {
            unsigned idx = 0;
            for (int bit = c - 1; bit >= 0; bit--) {
                int pos = w * c + bit;
                unsigned v = pos < 256 ? (unsigned)(k[i][31 - pos / 8] >> (pos % 8)) & 1u : 0u;
                idx = (idx << 1) | v;
            }
            if (idx) G(add_affine)(&buckets[idx - 1], &buckets[idx - 1], &pts[i]);
        }
        /* sum_b b * bucket[b] via running sums */
        PT running, total;
        G(set_infinity)(&running);
        G(set_infinity)(&total);
        for (size_t b = nb; b-- > 0;) {
            G(add)(&running, &running, &buckets[b]);
            G(add)(&total, &total, &running);
        }
        G(add)(&acc, &acc, &total);
    }
    free(buckets);
    *r = acc;
    return CD_OK;
}

#undef FE_WORDS
