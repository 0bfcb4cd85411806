/* BLS12-381: BLS signatures (Ethereum's POP ciphersuite) and the curve arithmetic under them.
 *
 * Written from the specs: draft-irtf-cfrg-bls-signature-05 (minimal-pubkey-size variant,
 * proof-of-possession scheme), RFC 9380 (hash_to_curve, BLS12381G2_XMD:SHA-256_SSWU_RO_),
 * the Ethereum consensus spec (eth_fast_aggregate_verify, eth_aggregate_pubkeys) and the
 * ZCash serialisation format (compressed points, 3 flag bits in the top byte).
 *
 * Two layers:
 *  1. The signature API (bls_pubkey_*, bls_verify, bls_fast_aggregate_verify, ...): bytes in,
 *     cd_status out. Every encoding is fully validated (flags, x < p, on curve, subgroup).
 *  2. A low-level section (field elements, G1/G2 points, pairing check, map-to-curve) for the
 *     EVM precompiles (EIP-2537, EIP-4844). These functions trust their arguments to be
 *     valid field elements (made with bls_fp_from_bytes etc.) and do no hidden allocation.
 *
 * Secret-dependent operations (bls_sk_to_pk, bls_sign) run in constant time; everything else
 * works on public data and may be variable-time. No global mutable state; thread-safe.
 */
#ifndef CANDOR_CRYPTO_BLS12_381_H
#define CANDOR_CRYPTO_BLS12_381_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ======================================================================================
 * Low-level: the base field Fp (p = 0x1a0111ea...ffffaaab, 381 bits) and Fp2 = Fp[u]/(u^2+1)
 * ====================================================================================== */

/* An element of Fp, fully reduced, in Montgomery form (value * 2^384 mod p), 6 little-endian
 * 64-bit limbs. Treat as opaque: build with bls_fp_from_bytes / bls_fp_from_u64. */
typedef struct { uint64_t l[6]; } bls_fp;
/* c0 + c1*u with u^2 = -1. */
typedef struct { bls_fp c0, c1; } bls_fp2;

/* 48-byte big-endian to field element; CD_ERR_BAD_POINT_ENCODING if the value is >= p. */
CD_MUST_CHECK cd_status bls_fp_from_bytes(bls_fp *out, const uint8_t in[48]);
/* Field element to its canonical 48-byte big-endian encoding. */
void bls_fp_to_bytes(uint8_t out[48], const bls_fp *a);
void bls_fp_from_u64(bls_fp *out, uint64_t v);
void bls_fp_zero(bls_fp *out);
void bls_fp_one(bls_fp *out);
bool bls_fp_is_zero(const bls_fp *a);
bool bls_fp_eq(const bls_fp *a, const bls_fp *b);
void bls_fp_add(bls_fp *r, const bls_fp *a, const bls_fp *b);
void bls_fp_sub(bls_fp *r, const bls_fp *a, const bls_fp *b);
void bls_fp_neg(bls_fp *r, const bls_fp *a);
void bls_fp_mul(bls_fp *r, const bls_fp *a, const bls_fp *b);
void bls_fp_sqr(bls_fp *r, const bls_fp *a);
/* r = 1/a (Fermat); r = 0 when a = 0. */
void bls_fp_inv(bls_fp *r, const bls_fp *a);
/* Square root if a is a square (returns true); otherwise r is unspecified, returns false. */
bool bls_fp_sqrt(bls_fp *r, const bls_fp *a);
/* RFC 9380 sgn0 (parity of the canonical value). */
int bls_fp_sgn0(const bls_fp *a);

/* Fp2: from/to bytes as two 48-byte big-endian halves, c0 first then c1 (EIP-2537 order once
 * the 16 zero padding bytes are stripped). ZCash point encodings put c1 first; the point
 * (de)serialisers below handle that themselves. */
CD_MUST_CHECK cd_status bls_fp2_from_bytes(bls_fp2 *out, const uint8_t in[96]);
void bls_fp2_to_bytes(uint8_t out[96], const bls_fp2 *a);
void bls_fp2_zero(bls_fp2 *out);
void bls_fp2_one(bls_fp2 *out);
bool bls_fp2_is_zero(const bls_fp2 *a);
bool bls_fp2_eq(const bls_fp2 *a, const bls_fp2 *b);
void bls_fp2_add(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b);
void bls_fp2_sub(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b);
void bls_fp2_neg(bls_fp2 *r, const bls_fp2 *a);
void bls_fp2_mul(bls_fp2 *r, const bls_fp2 *a, const bls_fp2 *b);
void bls_fp2_sqr(bls_fp2 *r, const bls_fp2 *a);
void bls_fp2_inv(bls_fp2 *r, const bls_fp2 *a);
bool bls_fp2_sqrt(bls_fp2 *r, const bls_fp2 *a);
int bls_fp2_sgn0(const bls_fp2 *a);

/* ======================================================================================
 * Low-level: G1 (y^2 = x^3 + 4 over Fp) and G2 (y^2 = x^3 + 4(1+u) over Fp2)
 * ====================================================================================== */

/* Affine point; `infinity` set means the point at infinity (x, y then zero). */
typedef struct { bls_fp x, y; bool infinity; } bls_g1_affine;
typedef struct { bls_fp2 x, y; bool infinity; } bls_g2_affine;
/* Jacobian point (x = X/Z^2, y = Y/Z^3); Z = 0 is the point at infinity. */
typedef struct { bls_fp X, Y, Z; } bls_g1;
typedef struct { bls_fp2 X, Y, Z; } bls_g2;

void bls_g1_generator(bls_g1_affine *out);
void bls_g2_generator(bls_g2_affine *out);

bool bls_g1_is_on_curve(const bls_g1_affine *p);      /* infinity counts as on the curve */
bool bls_g2_is_on_curve(const bls_g2_affine *p);
/* Prime-order subgroup membership for a point already known to be on the curve.
 * G1: sigma(P) == [-x^2]P (endomorphism test); G2: psi(P) == [x]P. Infinity is a member. */
bool bls_g1_is_in_subgroup(const bls_g1_affine *p);
bool bls_g2_is_in_subgroup(const bls_g2_affine *p);

void bls_g1_from_affine(bls_g1 *r, const bls_g1_affine *a);
void bls_g1_to_affine(bls_g1_affine *r, const bls_g1 *p);
bool bls_g1_is_infinity(const bls_g1 *p);
bool bls_g1_eq(const bls_g1 *a, const bls_g1 *b);
void bls_g1_add(bls_g1 *r, const bls_g1 *a, const bls_g1 *b);
void bls_g1_add_affine(bls_g1 *r, const bls_g1 *a, const bls_g1_affine *b);   /* mixed */
void bls_g1_double(bls_g1 *r, const bls_g1 *a);
void bls_g1_neg(bls_g1 *r, const bls_g1 *a);
/* r = k*P for a 32-byte big-endian scalar k (any value, not reduced mod r). Variable time. */
void bls_g1_mul(bls_g1 *r, const bls_g1 *p, const uint8_t k[32]);
/* r = sum k_i*P_i (32-byte big-endian scalars). Variable time. CD_ERR_NOMEM possible. */
CD_MUST_CHECK cd_status bls_g1_msm(bls_g1 *r, const bls_g1_affine *pts, const uint8_t (*k)[32],
                                   size_t n);

void bls_g2_from_affine(bls_g2 *r, const bls_g2_affine *a);
void bls_g2_to_affine(bls_g2_affine *r, const bls_g2 *p);
bool bls_g2_is_infinity(const bls_g2 *p);
bool bls_g2_eq(const bls_g2 *a, const bls_g2 *b);
void bls_g2_add(bls_g2 *r, const bls_g2 *a, const bls_g2 *b);
void bls_g2_add_affine(bls_g2 *r, const bls_g2 *a, const bls_g2_affine *b);
void bls_g2_double(bls_g2 *r, const bls_g2 *a);
void bls_g2_neg(bls_g2 *r, const bls_g2 *a);
void bls_g2_mul(bls_g2 *r, const bls_g2 *p, const uint8_t k[32]);
CD_MUST_CHECK cd_status bls_g2_msm(bls_g2 *r, const bls_g2_affine *pts, const uint8_t (*k)[32],
                                   size_t n);

/* ZCash compressed encodings (48 bytes G1, 96 bytes G2). Decompression checks the flags,
 * x < p and that x is on the curve, but NOT subgroup membership (call is_in_subgroup).
 * Errors: CD_ERR_BAD_POINT_ENCODING (flags, x >= p, non-canonical infinity),
 * CD_ERR_NOT_ON_CURVE. */
void bls_g1_compress(uint8_t out[48], const bls_g1_affine *p);
CD_MUST_CHECK cd_status bls_g1_decompress(bls_g1_affine *out, const uint8_t in[48]);
void bls_g2_compress(uint8_t out[96], const bls_g2_affine *p);
CD_MUST_CHECK cd_status bls_g2_decompress(bls_g2_affine *out, const uint8_t in[96]);

/* Pairing product check: *is_one = (prod_i e(p[i], q[i]) == 1). Pairs where either point is
 * infinity contribute 1. Points must be on their curves and in their subgroups (the caller
 * checks; EIP-2537 and EIP-4844 require it anyway); otherwise the answer is meaningless.
 * n = 0 gives *is_one = true. No allocation: pairs are processed in fixed-size chunks of
 * Miller loops whose product goes through one final exponentiation. */
CD_MUST_CHECK cd_status bls_pairing_check(const bls_g1_affine *p, const bls_g2_affine *q, size_t n,
                                          bool *is_one);

/* RFC 9380 map_to_curve for G2: simplified SWU on the 3-isogenous curve E2' followed by the
 * 3-isogeny to E2. No cofactor clearing. */
void bls_map_to_curve_g2(bls_g2 *out, const bls_fp2 *u);
/* RFC 9380 clear_cofactor for G2 (multiplication by h_eff, computed with psi). */
void bls_clear_cofactor_g2(bls_g2 *out, const bls_g2 *p);
/* RFC 9380 hash_to_curve with expand_message_xmd(SHA-256) and the given DST (<= 255 bytes). */
CD_MUST_CHECK cd_status bls_hash_to_g2(bls_g2 *out, const uint8_t *msg, size_t msg_len,
                                       const uint8_t *dst, size_t dst_len);

/* The same for G1 (EIP-2537 MAP_FP_TO_G1 = clear_cofactor_g1(map_to_curve_g1(u))):
 * simplified SWU on the 11-isogenous curve E1' + 11-isogeny, and h_eff = 1 - x. */
void bls_map_to_curve_g1(bls_g1 *out, const bls_fp *u);
void bls_clear_cofactor_g1(bls_g1 *out, const bls_g1 *p);
CD_MUST_CHECK cd_status bls_hash_to_g1(bls_g1 *out, const uint8_t *msg, size_t msg_len,
                                       const uint8_t *dst, size_t dst_len);

/* Ethereum's ciphersuite tag (proof-of-possession scheme). */
#define BLS_DST_POP "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"

/* ======================================================================================
 * Signatures (minimal-pubkey-size: pubkeys in G1, 48 bytes; signatures in G2, 96 bytes)
 * ====================================================================================== */

/* A decompressed, validated public key (KeyValidate passed): affine G1 point, not infinity,
 * in the subgroup. Plain data, fixed size: store it in arrays, copy it with memcpy. */
typedef struct { bls_g1_affine point; } bls_pubkey;

/* KeyValidate(in): decode, on curve, in subgroup, not infinity. Errors: CD_ERR_BAD_POINT_ENCODING,
 * CD_ERR_NOT_ON_CURVE, CD_ERR_NOT_IN_SUBGROUP, CD_ERR_INFINITY. */
CD_MUST_CHECK cd_status bls_pubkey_decompress(bls_pubkey *out, const uint8_t in[48]);
void bls_pubkey_compress(uint8_t out[48], const bls_pubkey *pk);

/* Verifying functions return CD_OK for a valid signature, CD_ERR_BAD_SIGNATURE for a
 * well-formed but wrong one, or the decoding error of whichever input was malformed
 * (signature: BAD_POINT_ENCODING / NOT_ON_CURVE / NOT_IN_SUBGROUP; n = 0: CD_ERR_INVALID_ARG).
 * Keys whose sum is the point at infinity (PK and -PK) fail with CD_ERR_INFINITY, as
 * CoreVerify's KeyValidate of the aggregate requires. Any non-CD_OK result means "invalid". */

/* FastAggregateVerify(PKs, message, signature) with pubkeys already validated. n >= 1. */
CD_MUST_CHECK cd_status bls_fast_aggregate_verify(const bls_pubkey *const *pks, size_t n,
                                                  const uint8_t *msg, size_t msg_len,
                                                  const uint8_t sig[96]);
/* eth_fast_aggregate_verify: as above, except n = 0 with the infinity signature (0xc0 00..)
 * is valid. */
CD_MUST_CHECK cd_status bls_eth_fast_aggregate_verify(const bls_pubkey *const *pks, size_t n,
                                                      const uint8_t *msg, size_t msg_len,
                                                      const uint8_t sig[96]);
/* FastAggregateVerify from compressed keys (each is KeyValidated). */
CD_MUST_CHECK cd_status bls_fast_aggregate_verify_compressed(const uint8_t (*pks)[48], size_t n,
                                                             const uint8_t *msg, size_t msg_len,
                                                             const uint8_t sig[96]);
/* Verify(PK, message, signature). */
CD_MUST_CHECK cd_status bls_verify(const uint8_t pk[48], const uint8_t *msg, size_t msg_len,
                                   const uint8_t sig[96]);
/* AggregateVerify((PK_i, message_i)_i, signature), POP scheme (messages need not differ). */
CD_MUST_CHECK cd_status bls_aggregate_verify(const uint8_t (*pks)[48], const cd_bytes *msgs,
                                             size_t n, const uint8_t sig[96]);
/* Aggregate(signature_1..n): each signature decoded and subgroup-checked; n >= 1. */
CD_MUST_CHECK cd_status bls_aggregate_signatures(const uint8_t (*sigs)[96], size_t n,
                                                 uint8_t out[96]);
/* eth_aggregate_pubkeys: each key KeyValidated; n >= 1; out = compressed sum. */
CD_MUST_CHECK cd_status bls_eth_aggregate_pubkeys(const uint8_t (*pks)[48], size_t n,
                                                  uint8_t out[48]);
/* Batch of independent (pk, msg, sig) triples: CD_OK iff every Verify would succeed. */
CD_MUST_CHECK cd_status bls_batch_verify(const uint8_t (*pks)[48], const cd_bytes *msgs,
                                         const uint8_t (*sigs)[96], size_t n);

/* SkToPk: sk is a 32-byte big-endian scalar, 1 <= sk < r, else CD_ERR_BAD_SCALAR.
 * Constant time in sk. */
CD_MUST_CHECK cd_status bls_sk_to_pk(const uint8_t sk[32], uint8_t pk[48]);
/* Sign(SK, message) with the POP DST. Constant time in sk. */
CD_MUST_CHECK cd_status bls_sign(const uint8_t sk[32], const uint8_t *msg, size_t len,
                                 uint8_t sig[96]);

#endif
