/* G1 and G2 groups: arithmetic (from bls_curve_tmpl.h), generators, endomorphisms, subgroup
 * checks and the ZCash compressed encoding. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bls_internal.h"

#define FE bls_fp
#define F(op) bls_fp_##op
#define PT bls_g1
#define PTA bls_g1_affine
#define G(op) bls_g1_##op
#define CURVE_B bls_fp_const_b
#include "crypto/bls_curve_tmpl.h"
#undef FE
#undef F
#undef PT
#undef PTA
#undef G
#undef CURVE_B

#define FE bls_fp2
#define F(op) bls_fp2_##op
#define PT bls_g2
#define PTA bls_g2_affine
#define G(op) bls_g2_##op
#define CURVE_B bls_fp2_const_b
#include "crypto/bls_curve_tmpl.h"
#undef FE
#undef F
#undef PT
#undef PTA
#undef G
#undef CURVE_B

void bls_g1_mul_ct(bls_g1 *r, const bls_g1_affine *p, const uint8_t k[32]) {
    bls_g1_mul_ct_impl(r, p, k);
}
void bls_g2_mul_ct(bls_g2 *r, const bls_g2_affine *p, const uint8_t k[32]) {
    bls_g2_mul_ct_impl(r, p, k);
}

/* ---- generators ------------------------------------------------------------------------ */

static const bls_g1_affine G1_GEN = {
    {{0x5cb38790fd530c16ull, 0x7817fc679976fff5ull, 0x154f95c7143ba1c1ull, 0xf0ae6acdf3d0e747ull,
      0xedce6ecc21dbf440ull, 0x120177419e0bfb75ull}},
    {{0xbaac93d50ce72271ull, 0x8c22631a7918fd8eull, 0xdd595f13570725ceull, 0x51ac582950405194ull,
      0x0e1c8c3fad0059c0ull, 0x0bbc3efc5008a26aull}},
    false};

static const bls_g2_affine G2_GEN = {
    {{{0xf5f28fa202940a10ull, 0xb3f5fb2687b4961aull, 0xa1a893b53e2ae580ull, 0x9894999d1a3caee9ull,
       0x6f67b7631863366bull, 0x058191924350bcd7ull}},
     {{0xa5a9c0759e23f606ull, 0xaaa0c59dbccd60c3ull, 0x3bb17e18e2867806ull, 0x1b1ab6cc8541b367ull,
       0xc2b6ed0ef2158547ull, 0x11922a097360edf3ull}}},
    {{{0x4c730af860494c4aull, 0x597cfa1f5e369c5aull, 0xe7e6856caa0a635aull, 0xbbefb5e96e0d495full,
       0x07d3a975f0ef25a2ull, 0x0083fd8e7e80dae5ull}},
     {{0xadc0fc92df64b05dull, 0x18aa270a2b1461dcull, 0x86adac6a3be4eba0ull, 0x79495c4ec93da33aull,
       0xe7175850a43ccaedull, 0x0b2bc2a163de1bf2ull}}},
    false};

void bls_g1_generator(bls_g1_affine *out) { *out = G1_GEN; }
void bls_g2_generator(bls_g2_affine *out) { *out = G2_GEN; }

/* ---- endomorphisms and subgroup checks ---------------------------------------------------- */

/* beta: the cube root of unity in Fp for which sigma(x, y) = (beta*x, y) acts on G1 as
 * multiplication by -x^2 (checked on the generator when the constant was derived, and by
 * the unit tests). */
static const bls_fp BETA = {{0x30f1361b798a64e8ull, 0xf3b8ddab7ece5a2aull, 0x16a8ca3ac61577f7ull,
                             0xc26a2ff874fd029bull, 0x3636b76660701c6eull, 0x051ba4ab241b6160ull}};

/* psi(x, y) = (c1 * conj(x), c2 * conj(y)), c1 = 1/xi^((p-1)/3), c2 = 1/xi^((p-1)/2) (RFC 9380
 * appendix G.3). On G2 it acts as multiplication by p, which is congruent to x mod r. */
static const bls_fp2 PSI_C1 = {
    {{0, 0, 0, 0, 0, 0}},
    {{0x890dc9e4867545c3ull, 0x2af322533285a5d5ull, 0x50880866309b7e2cull, 0xa20d1b8c7e881024ull,
      0x14e4f04fe2db9068ull, 0x14e56d3f1564853aull}}};
static const bls_fp2 PSI_C2 = {
    {{0x3e2f585da55c9ad1ull, 0x4294213d86c18183ull, 0x382844c88b623732ull, 0x92ad2afd19103e18ull,
      0x1d794e4fac7cf0b9ull, 0x0bd592fc7d825ec8ull}},
    {{0x7bcfa7a25aa30fdaull, 0xdc17dec12a927e7cull, 0x2f088dd86b4ebef1ull, 0xd1ca2087da74d4a7ull,
      0x2da2596696cebc1dull, 0x0e2b7eedbbfd87d2ull}}};

void bls_g2_psi(bls_g2 *r, const bls_g2 *p) {
    bls_fp2 t;
    bls_fp2_conj(&t, &p->X);
    bls_fp2_mul(&r->X, &t, &PSI_C1);
    bls_fp2_conj(&t, &p->Y);
    bls_fp2_mul(&r->Y, &t, &PSI_C2);
    bls_fp2_conj(&r->Z, &p->Z);
}

/* Scott, "A note on group membership tests for G1, G2 and GT on BLS pairing-friendly
 * curves" (2021): for BLS12-381, P in E(Fp) is in G1 iff sigma(P) = [-x^2]P. */
bool bls_g1_is_in_subgroup(const bls_g1_affine *p) {
    if (p->infinity) return true;
    bls_g1 P, Q;
    bls_g1_from_affine(&P, p);
    bls_g1_mul_x_abs(&Q, &P);
    bls_g1_mul_x_abs(&Q, &Q); /* Q = x^2 P */
    bls_g1 S;                 /* S = -sigma(P) must equal Q */
    bls_fp_mul(&S.X, &p->x, &BETA);
    bls_fp_neg(&S.Y, &p->y);
    bls_fp_one(&S.Z);
    return bls_g1_eq(&S, &Q);
}

/* Same note: P in E'(Fp2) is in G2 iff psi(P) = [x]P, i.e. psi(P) = -[|x|]P. */
bool bls_g2_is_in_subgroup(const bls_g2_affine *p) {
    if (p->infinity) return true;
    bls_g2 P, Q, S;
    bls_g2_from_affine(&P, p);
    bls_g2_mul_x_abs(&Q, &P);
    bls_g2_neg(&Q, &Q);
    bls_g2_psi(&S, &P);
    return bls_g2_eq(&S, &Q);
}

/* ---- ZCash serialisation ------------------------------------------------------------------- */

#define FLAG_COMPRESSED 0x80
#define FLAG_INFINITY 0x40
#define FLAG_SIGN 0x20

void bls_g1_compress(uint8_t out[48], const bls_g1_affine *p) {
    if (p->infinity) {
        memset(out, 0, 48);
        out[0] = FLAG_COMPRESSED | FLAG_INFINITY;
        return;
    }
    bls_fp_to_bytes(out, &p->x);
    out[0] |= FLAG_COMPRESSED;
    if (bls_fp_is_lex_largest(&p->y)) out[0] |= FLAG_SIGN;
}

void bls_g2_compress(uint8_t out[96], const bls_g2_affine *p) {
    if (p->infinity) {
        memset(out, 0, 96);
        out[0] = FLAG_COMPRESSED | FLAG_INFINITY;
        return;
    }
    bls_fp_to_bytes(out, &p->x.c1);
    bls_fp_to_bytes(out + 48, &p->x.c0);
    out[0] |= FLAG_COMPRESSED;
    if (bls_fp2_is_lex_largest(&p->y)) out[0] |= FLAG_SIGN;
}

/* Common flag handling. Returns CD_OK with *is_inf set, or an encoding error. */
static cd_status check_flags(const uint8_t *in, size_t len, bool *is_inf) {
    uint8_t f = in[0];
    if (!(f & FLAG_COMPRESSED)) return CD_ERR_BAD_POINT_ENCODING;
    *is_inf = (f & FLAG_INFINITY) != 0;
    if (*is_inf) {
        /* the only valid infinity encoding is 0xc0 00 .. 00 */
        if (f & FLAG_SIGN) return CD_ERR_BAD_POINT_ENCODING;
        if (f & 0x1f) return CD_ERR_BAD_POINT_ENCODING;
        for (size_t i = 1; i < len; i++)
            if (in[i]) return CD_ERR_BAD_POINT_ENCODING;
    }
    return CD_OK;
}

cd_status bls_g1_decompress(bls_g1_affine *out, const uint8_t in[48]) {
    bool is_inf;
    cd_status s = check_flags(in, 48, &is_inf);
    if (s != CD_OK) return s;
    memset(out, 0, sizeof *out);
    if (is_inf) {
        out->infinity = true;
        return CD_OK;
    }
    uint8_t xb[48];
    memcpy(xb, in, 48);
    xb[0] &= 0x1f;
    s = bls_fp_from_bytes(&out->x, xb);
    if (s != CD_OK) return s;
    bls_fp rhs;
    bls_fp_sqr(&rhs, &out->x);
    bls_fp_mul(&rhs, &rhs, &out->x);
    bls_fp_add(&rhs, &rhs, &bls_fp_const_b);
    if (!bls_fp_sqrt(&out->y, &rhs)) return CD_ERR_NOT_ON_CURVE;
    bool want_large = (in[0] & FLAG_SIGN) != 0;
    if (bls_fp_is_lex_largest(&out->y) != want_large) bls_fp_neg(&out->y, &out->y);
    return CD_OK;
}

cd_status bls_g2_decompress(bls_g2_affine *out, const uint8_t in[96]) {
    bool is_inf;
    cd_status s = check_flags(in, 96, &is_inf);
    if (s != CD_OK) return s;
    memset(out, 0, sizeof *out);
    if (is_inf) {
        out->infinity = true;
        return CD_OK;
    }
    uint8_t xb[48];
    memcpy(xb, in, 48);
    xb[0] &= 0x1f;
    s = bls_fp_from_bytes(&out->x.c1, xb);
    if (s != CD_OK) return s;
    s = bls_fp_from_bytes(&out->x.c0, in + 48);
    if (s != CD_OK) return s;
    bls_fp2 rhs;
    bls_fp2_sqr(&rhs, &out->x);
    bls_fp2_mul(&rhs, &rhs, &out->x);
    bls_fp2_add(&rhs, &rhs, &bls_fp2_const_b);
    if (!bls_fp2_sqrt(&out->y, &rhs)) return CD_ERR_NOT_ON_CURVE;
    bool want_large = (in[0] & FLAG_SIGN) != 0;
    if (bls_fp2_is_lex_largest(&out->y) != want_large) bls_fp2_neg(&out->y, &out->y);
    return CD_OK;
}
