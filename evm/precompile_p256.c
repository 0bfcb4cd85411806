/* 0x100 P256VERIFY (EIP-7951, Osaka): ECDSA verification on secp256r1 with a raw 32-byte
 * message hash. Success returns the 32-byte word 1; any invalid input or signature returns
 * empty output (the call itself still succeeds and costs the fixed gas).
 *
 * The verification follows the EIP's steps directly on OpenSSL's EC_POINT arithmetic
 * rather than through EVP, so that every check the EIP lists is visible here. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "evm/precompiles_internal.h"

#define P256_INPUT_LEN 160
#define P256_GAS 6900

/* Field prime p and group order n of P-256, big-endian. */
static const uint8_t P256_P[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t P256_N[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

/* Big-endian 32-byte comparison: a < b. */
static bool be32_less(const uint8_t *a, const uint8_t *b) { return memcmp(a, b, 32) < 0; }

static bool be32_is_zero(const uint8_t *a) {
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++) acc |= a[i];
    return acc == 0;
}

uint64_t evm_pc_p256verify_gas(evm_fork fork, cd_bytes input) {
    (void)fork;
    (void)input;
    return P256_GAS;
}

/* Returns 1 if the signature verifies, 0 if not, -1 on an OpenSSL failure (memory). */
static int p256_verify(const uint8_t *h, const uint8_t *r, const uint8_t *s, const uint8_t *qx,
                       const uint8_t *qy) {
    int result = -1;
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BN_CTX *bn = BN_CTX_new();
    EC_POINT *q = group ? EC_POINT_new(group) : NULL;
    EC_POINT *pt = group ? EC_POINT_new(group) : NULL;
    if (!group || !bn || !q || !pt) goto done;
    BN_CTX_start(bn);
    BIGNUM *e = BN_CTX_get(bn), *br = BN_CTX_get(bn), *bs = BN_CTX_get(bn);
    BIGNUM *x = BN_CTX_get(bn), *y = BN_CTX_get(bn), *w = BN_CTX_get(bn);
    BIGNUM *u1 = BN_CTX_get(bn), *u2 = BN_CTX_get(bn);
    const BIGNUM *order = EC_GROUP_get0_order(group);
    if (!u2 || !order) goto done_ctx;
    if (!BN_bin2bn(h, 32, e) || !BN_bin2bn(r, 32, br) || !BN_bin2bn(s, 32, bs) ||
        !BN_bin2bn(qx, 32, x) || !BN_bin2bn(qy, 32, y))
        goto done_ctx;
    /* Public key: must be an affine point on the curve (coordinates already < p). */
    if (!EC_POINT_set_affine_coordinates(group, q, x, y, bn) ||
        EC_POINT_is_on_curve(group, q, bn) != 1) {
        result = 0;
        goto done_ctx;
    }
    /* u1 = e * s^-1, u2 = r * s^-1 (mod n); R' = u1*G + u2*Q. e is the hash as an integer:
     * for a 256-bit n no truncation applies, and the mod-n reduction happens in the product. */
    if (!BN_mod_inverse(w, bs, order, bn) || !BN_mod_mul(u1, e, w, order, bn) ||
        !BN_mod_mul(u2, br, w, order, bn) || !EC_POINT_mul(group, pt, u1, q, u2, bn))
        goto done_ctx;
    if (EC_POINT_is_at_infinity(group, pt)) {
        result = 0;
        goto done_ctx;
    }
    if (!EC_POINT_get_affine_coordinates(group, pt, x, NULL, bn) || !BN_nnmod(x, x, order, bn))
        goto done_ctx;
    result = BN_cmp(x, br) == 0 ? 1 : 0;
done_ctx:
    BN_CTX_end(bn);
done:
    EC_POINT_free(pt);
    EC_POINT_free(q);
    BN_CTX_free(bn);
    EC_GROUP_free(group);
    return result;
}

cd_status evm_pc_p256verify_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    (void)fork;
    if (input.len != P256_INPUT_LEN) return CD_OK;
    const uint8_t *h = input.ptr, *r = input.ptr + 32, *s = input.ptr + 64;
    const uint8_t *qx = input.ptr + 96, *qy = input.ptr + 128;
    /* EIP-7951 input checks: 0 < r, s < n; qx, qy < p; Q not the (0, 0) encoding of
     * infinity (which is also off the curve, so the on-curve test would catch it too). */
    if (be32_is_zero(r) || be32_is_zero(s) || !be32_less(r, P256_N) || !be32_less(s, P256_N))
        return CD_OK;
    if (!be32_less(qx, P256_P) || !be32_less(qy, P256_P)) return CD_OK;
    if (be32_is_zero(qx) && be32_is_zero(qy)) return CD_OK;
    int ok = p256_verify(h, r, s, qx, qy);
    if (ok < 0) return CD_ERR_NOMEM;
    if (ok == 0) return CD_OK;
    uint8_t one[32] = {0};
    one[31] = 1;
    return cd_buf_append(out, one, sizeof one);
}
