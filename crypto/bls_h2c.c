/* Hashing to G2, RFC 9380: BLS12381G2_XMD:SHA-256_SSWU_RO_.
 *
 * hash_to_field with expand_message_xmd(SHA-256) (2 elements of Fp2, L = 64 bytes each),
 * map_to_curve = simplified SWU on E2': y^2 = x^3 + 240u x + 1012(1+u) followed by the
 * 3-isogeny E2' -> E2 (constants of RFC 9380 appendix E.3), and clear_cofactor by the
 * psi-based h_eff multiplication of appendix G.3. Inputs are public: variable time.
 */
#include <string.h>

#include <openssl/evp.h>

#include "crypto/bls_internal.h"

/* Constants, Montgomery form. */
static const bls_fp2 ISO_XNUM[4] = {
    {{{0x47f671c71ce05e62ull, 0x06dd57071206393eull, 0x7c80cd2af3fd71a2ull, 0x048103ea9e6cd062ull, 0xc54516acc8d037f6ull, 0x13808f550920ea41ull}}, {{0x47f671c71ce05e62ull, 0x06dd57071206393eull, 0x7c80cd2af3fd71a2ull, 0x048103ea9e6cd062ull, 0xc54516acc8d037f6ull, 0x13808f550920ea41ull}}},
    {{{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}, {{0x5fe55555554c71d0ull, 0x873fffdd236aaaa3ull, 0x6a6b4619b26ef918ull, 0x21c2888408874945ull, 0x2836cda7028cabc5ull, 0x0ac73310a7fd5abdull}}},
    {{{0x0a0c5555555971c3ull, 0xdb0c00101f9eaaaeull, 0xb1fb2f941d797997ull, 0xd3960742ef416e1cull, 0xb70040e2c20556f4ull, 0x149d7861e581393bull}}, {{0xaff2aaaaaaa638e8ull, 0x439fffee91b55551ull, 0xb535a30cd9377c8cull, 0x90e144420443a4a2ull, 0x941b66d3814655e2ull, 0x0563998853fead5eull}}},
    {{{0x40aac71c71c725edull, 0x190955557a84e38eull, 0xd817050a8f41abc3ull, 0xd86485d4c87f6fb1ull, 0x696eb479f885d059ull, 0x198e1a74328002d2ull}}, {{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}},
};
static const bls_fp2 ISO_XDEN[2] = {
    {{{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}, {{0x1f3affffff13ab97ull, 0xf25bfc611da3ff3eull, 0xca3757cb3819b208ull, 0x3e6427366f8cec18ull, 0x03977bc86095b089ull, 0x04f69db13f39a952ull}}},
    {{{0x447600000027552eull, 0xdcb8009a43480020ull, 0x6f7ee9ce4a6e8b59ull, 0xb10330b7c0a95bc6ull, 0x6140b1fcfb1e54b7ull, 0x0381be097f0bb4e1ull}}, {{0x7588ffffffd8557dull, 0x41f3ff646e0bffdfull, 0xf7b1e8d2ac426acaull, 0xb3741acd32dbb6f8ull, 0xe9daf5b9482d581full, 0x167f53e0ba7431b8ull}}},
};
static const bls_fp2 ISO_YNUM[4] = {
    {{{0x96d8f684bdfc77beull, 0xb530e4f43b66d0e2ull, 0x184a88ff379652fdull, 0x57cb23ecfae804e1ull, 0x0fd2e39eada3eba9ull, 0x08c8055e31c5d5c3ull}}, {{0x96d8f684bdfc77beull, 0xb530e4f43b66d0e2ull, 0x184a88ff379652fdull, 0x57cb23ecfae804e1ull, 0x0fd2e39eada3eba9ull, 0x08c8055e31c5d5c3ull}}},
    {{{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}, {{0xbf0a71c71c91b406ull, 0x4d6d55d28b7638fdull, 0x9d82f98e5f205aeeull, 0xa27aa27b1d1a18d5ull, 0x02c3b2b2d2938e86ull, 0x0c7d13420b09807full}}},
    {{{0xd7f9555555531c74ull, 0x21cffff748daaaa8ull, 0x5a9ad1866c9bbe46ull, 0x4870a2210221d251ull, 0x4a0db369c0a32af1ull, 0x02b1ccc429ff56afull}}, {{0xe205aaaaaaac8e37ull, 0xfcdc000768795556ull, 0x0c96011a8a1537ddull, 0x1c06a963f163406eull, 0x010df44c82a881e6ull, 0x174f45260f808febull}}},
    {{{0xa470bda12f67f35cull, 0xc0fe38e23327b425ull, 0xc9d3d0f2c6f0678dull, 0x1c55c9935b5a982eull, 0x27f6c0e2f0746764ull, 0x117c5e6e28aa9054ull}}, {{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}},
};
static const bls_fp2 ISO_YDEN[3] = {
    {{{0x0162fffffa765adfull, 0x8f7bea480083fb75ull, 0x561b3c2259e93611ull, 0x11e19fc1a9c875d5ull, 0xca713efc00367660ull, 0x03c6a03d41da1151ull}}, {{0x0162fffffa765adfull, 0x8f7bea480083fb75ull, 0x561b3c2259e93611ull, 0x11e19fc1a9c875d5ull, 0xca713efc00367660ull, 0x03c6a03d41da1151ull}}},
    {{{0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull}}, {{0x5db0fffffd3b02c5ull, 0xd713f52358ebfdbaull, 0x5ea60761a84d161aull, 0xbb2c75a34ea6c44aull, 0x0ac6735921c1119bull, 0x0ee3d913bdacfbf6ull}}},
    {{{0x66b10000003affc5ull, 0xcb1400e764ec0030ull, 0xa73e5eb56fa5d106ull, 0x8984c913a0fe09a9ull, 0x11e10afb78ad7f13ull, 0x05429d0e3e918f52ull}}, {{0x534dffffffc4aae6ull, 0x5397ff174c67ffcfull, 0xbff273eb870b251dull, 0xdaf2827152870915ull, 0x393a9cbaca9e2dc3ull, 0x14be74dbfaee5748ull}}},
};
/* SSWU on E2': A' = 240u, B' = 1012(1+u), Z = -(2+u); -B'/A' and B'/(Z A') precomputed. */
static const bls_fp2 SSWU_A = {{{0, 0, 0, 0, 0, 0}},
    {{0xe53a000003135242ull, 0x01080c0fdef80285ull, 0xe7889edbe340f6bdull, 0x0b51375126310601ull, 0x02d6985717c744abull, 0x1220b4e979ea5467ull}}};
static const bls_fp2 SSWU_B = {
    {{0x22ea00000cf89db2ull, 0x6ec832df71380aa4ull, 0x6e1b94403db5a66eull, 0x75bf3c53a79473baull, 0x3dd3a569412c0a34ull, 0x125cdb5e74dc4fd1ull}},
    {{0x22ea00000cf89db2ull, 0x6ec832df71380aa4ull, 0x6e1b94403db5a66eull, 0x75bf3c53a79473baull, 0x3dd3a569412c0a34ull, 0x125cdb5e74dc4fd1ull}}};
static const bls_fp2 SSWU_Z = {
    {{0x87ebfffffff9555cull, 0x656fffe5da8ffffaull, 0x0fd0749345d33ad2ull, 0xd951e663066576f4ull, 0xde291a3d41e980d3ull, 0x0815664c7dfe040dull}},
    {{0x43f5fffffffcaaaeull, 0x32b7fff2ed47fffdull, 0x07e83a49a2e99d69ull, 0xeca8f3318332bb7aull, 0xef148d1ea0f4c069ull, 0x040ab3263eff0206ull}}};
static const bls_fp2 SSWU_MINUS_B_OVER_A = {
    {{0x903c555555474fb3ull, 0x5f98cc95ce451105ull, 0x9f8e582eefe0fadeull, 0xc68946b6aebbd062ull, 0x467a4ad10ee6de53ull, 0x0e7146f483e23a05ull}},
    {{0x29c2aaaaaab85af8ull, 0xbf133368e30eeefaull, 0xc7a27a7206cffb45ull, 0x9dee04ce44c9425cull, 0x04a15ce53464ce83ull, 0x0b8fcaf5b59dac95ull}}};
static const bls_fp2 SSWU_B_OVER_ZA = {
    {{0xf2d8444444414324ull, 0x2585c28393a69d00ull, 0x5dd35cd05d972c42ull, 0xfd963b744ea89b53ull, 0x07f5d9fd91c1fa91ull, 0x127db28a3ce062c4ull}},
    {{0x55743333333b3695ull, 0xeb72b871590828fcull, 0x1c186171cb4d5da5ull, 0x34a33031ee956644ull, 0xc971692a149d16d0ull, 0x168a1e1ff5de8b82ull}}};

/* ---- expand_message_xmd (RFC 9380 5.3.1) with SHA-256 ---------------------------------- */

static cd_status sha256_parts(uint8_t out[32], EVP_MD_CTX *ctx, const cd_bytes *parts, size_t n) {
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) return CD_ERR_INTERNAL;
    for (size_t i = 0; i < n; i++)
        if (parts[i].len && EVP_DigestUpdate(ctx, parts[i].ptr, parts[i].len) != 1)
            return CD_ERR_INTERNAL;
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != 32) return CD_ERR_INTERNAL;
    return CD_OK;
}

/* len_in_bytes is 256 here (2 elements * 2 coordinates * 64 bytes); ell = 8 <= 255. */
static cd_status expand_message_xmd(uint8_t *out, size_t len, const uint8_t *msg, size_t msg_len,
                                    const uint8_t *dst, size_t dst_len) {
    if (dst_len > 255 || len > 255 * 32 || len == 0) return CD_ERR_INVALID_ARG;
    size_t ell = (len + 31) / 32;
    static const uint8_t z_pad[64] = {0};
    uint8_t dst_len_b = (uint8_t)dst_len;
    uint8_t lib[3] = {(uint8_t)(len >> 8), (uint8_t)len, 0};
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return CD_ERR_NOMEM;
    uint8_t b0[32], bi[32];
    cd_status s;
    /* b_0 = H(Z_pad || msg || l_i_b_str || I2OSP(0, 1) || DST_prime) */
    cd_bytes p0[5] = {cd_bytes_make(z_pad, 64), cd_bytes_make(msg, msg_len), cd_bytes_make(lib, 3),
                      cd_bytes_make(dst, dst_len), cd_bytes_make(&dst_len_b, 1)};
    s = sha256_parts(b0, ctx, p0, 5);
    for (size_t i = 1; s == CD_OK && i <= ell; i++) {
        uint8_t x[32], idx = (uint8_t)i;
        if (i == 1) memcpy(x, b0, 32);
        else
            for (int j = 0; j < 32; j++) x[j] = b0[j] ^ bi[j];
        cd_bytes pi[4] = {cd_bytes_make(x, 32), cd_bytes_make(&idx, 1), cd_bytes_make(dst, dst_len),
                          cd_bytes_make(&dst_len_b, 1)};
        s = sha256_parts(bi, ctx, pi, 4);
        size_t off = (i - 1) * 32, n = len - off < 32 ? len - off : 32;
        if (s == CD_OK) memcpy(out + off, bi, n);
    }
    EVP_MD_CTX_free(ctx);
    return s;
}

/* ---- simplified SWU on E2' (RFC 9380 6.6.2, straight-line version) ----------------------- */

static void sswu_e2prime(bls_fp2 *x, bls_fp2 *y, const bls_fp2 *u) {
    bls_fp2 u2, zu2, tv1, t, x1, gx1, x2, gx2;
    bls_fp2_sqr(&u2, u);
    bls_fp2_mul(&zu2, &SSWU_Z, &u2);  /* Z u^2 */
    bls_fp2_sqr(&tv1, &zu2);          /* Z^2 u^4 */
    bls_fp2_add(&tv1, &tv1, &zu2);
    if (bls_fp2_is_zero(&tv1)) {
        x1 = SSWU_B_OVER_ZA;
    } else {
        bls_fp2_inv(&tv1, &tv1);
        bls_fp2_one(&t);
        bls_fp2_add(&t, &t, &tv1);
        bls_fp2_mul(&x1, &SSWU_MINUS_B_OVER_A, &t);
    }
    /* g(x) = x^3 + A x + B */
    bls_fp2_sqr(&gx1, &x1);
    bls_fp2_add(&gx1, &gx1, &SSWU_A);
    bls_fp2_mul(&gx1, &gx1, &x1);
    bls_fp2_add(&gx1, &gx1, &SSWU_B);
    if (bls_fp2_sqrt(y, &gx1)) {
        *x = x1;
    } else {
        bls_fp2_mul(&x2, &zu2, &x1);
        bls_fp2_sqr(&gx2, &x2);
        bls_fp2_add(&gx2, &gx2, &SSWU_A);
        bls_fp2_mul(&gx2, &gx2, &x2);
        bls_fp2_add(&gx2, &gx2, &SSWU_B);
        bool ok = bls_fp2_sqrt(y, &gx2); /* one of gx1, gx2 is square by choice of Z */
        (void)ok;
        *x = x2;
    }
    if (bls_fp2_sgn0(u) != bls_fp2_sgn0(y)) bls_fp2_neg(y, y);
}

/* Horner evaluation of a polynomial with the given coefficients (low degree first), plus an
 * optional monic leading term. */
static void poly_eval(bls_fp2 *r, const bls_fp2 *k, int n, bool monic, const bls_fp2 *x) {
    bls_fp2 acc;
    int i = n - 1;
    if (monic) {
        bls_fp2_one(&acc);
        i = n - 1;
        bls_fp2_mul(&acc, &acc, x);
        bls_fp2_add(&acc, &acc, &k[i]);
    } else {
        acc = k[i];
    }
    for (i = i - 1; i >= 0; i--) {
        bls_fp2_mul(&acc, &acc, x);
        bls_fp2_add(&acc, &acc, &k[i]);
    }
    *r = acc;
}

/* 3-isogeny E2' -> E2, output in Jacobian coordinates without inversion:
 * Z = xd*yd, X = xn*xd*yd^2, Y = y'*yn*xd^3*yd^2. A zero denominator maps to infinity. */
static void iso_map(bls_g2 *out, const bls_fp2 *x, const bls_fp2 *y) {
    bls_fp2 xn, xd, yn, yd, t, yd2;
    poly_eval(&xn, ISO_XNUM, 4, false, x);
    poly_eval(&xd, ISO_XDEN, 2, true, x);
    poly_eval(&yn, ISO_YNUM, 4, false, x);
    poly_eval(&yd, ISO_YDEN, 3, true, x);
    if (bls_fp2_is_zero(&xd) || bls_fp2_is_zero(&yd)) {
        bls_fp2_one(&out->X);
        bls_fp2_one(&out->Y);
        bls_fp2_zero(&out->Z);
        return;
    }
    bls_fp2_mul(&out->Z, &xd, &yd);
    bls_fp2_sqr(&yd2, &yd);
    bls_fp2_mul(&out->X, &xn, &xd);
    bls_fp2_mul(&out->X, &out->X, &yd2);
    bls_fp2_sqr(&t, &xd);
    bls_fp2_mul(&t, &t, &xd);
    bls_fp2_mul(&t, &t, &yd2);
    bls_fp2_mul(&t, &t, &yn);
    bls_fp2_mul(&out->Y, &t, y);
}

void bls_map_to_curve_g2(bls_g2 *out, const bls_fp2 *u) {
    bls_fp2 x, y;
    sswu_e2prime(&x, &y, u);
    iso_map(out, &x, &y);
}

/* RFC 9380 G.3: h_eff * P = [x^2 - x - 1]P + [x - 1]psi(P) + psi^2(2P), with x < 0. */
void bls_clear_cofactor_g2(bls_g2 *out, const bls_g2 *p) {
    bls_g2 t1, t2, t3, np;
    bls_g2_mul_x_abs(&t1, p);
    bls_g2_neg(&t1, &t1);          /* t1 = x P */
    bls_g2_psi(&t2, p);            /* t2 = psi(P) */
    bls_g2_double(&t3, p);
    bls_g2_psi(&t3, &t3);
    bls_g2_psi(&t3, &t3);          /* t3 = psi^2(2P) */
    bls_g2 nt2;
    bls_g2_neg(&nt2, &t2);
    bls_g2_add(&t3, &t3, &nt2);    /* t3 = t3 - t2 */
    bls_g2_add(&t2, &t1, &t2);     /* t2 = t1 + t2 */
    bls_g2_mul_x_abs(&t2, &t2);
    bls_g2_neg(&t2, &t2);          /* t2 = x t2 */
    bls_g2_add(&t3, &t3, &t2);
    bls_g2_neg(&t1, &t1);
    bls_g2_add(&t3, &t3, &t1);     /* t3 = t3 - t1 */
    bls_g2_neg(&np, p);
    bls_g2_add(out, &t3, &np);     /* Q = t3 - P */
}

cd_status bls_hash_to_g2(bls_g2 *out, const uint8_t *msg, size_t msg_len, const uint8_t *dst,
                         size_t dst_len) {
    if ((!msg && msg_len) || !dst || !out) return CD_ERR_INVALID_ARG;
    uint8_t uniform[256];
    cd_status s = expand_message_xmd(uniform, sizeof uniform, msg ? msg : (const uint8_t *)"",
                                     msg_len, dst, dst_len);
    if (s != CD_OK) return s;
    bls_fp2 u0, u1;
    bls_fp_from_bytes64_reduce(&u0.c0, uniform);
    bls_fp_from_bytes64_reduce(&u0.c1, uniform + 64);
    bls_fp_from_bytes64_reduce(&u1.c0, uniform + 128);
    bls_fp_from_bytes64_reduce(&u1.c1, uniform + 192);
    bls_g2 q0, q1, r;
    bls_map_to_curve_g2(&q0, &u0);
    bls_map_to_curve_g2(&q1, &u1);
    bls_g2_add(&r, &q0, &q1);
    bls_clear_cofactor_g2(out, &r);
    return CD_OK;
}
