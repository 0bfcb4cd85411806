/* BN254 (alt_bn128): the pairing-friendly curve of EIP-196/197, on our own field, curve
 * and optimal-ate pairing code.
 *
 *   E  : y^2 = x^3 + 3 over Fp (G1, prime order r)
 *   E' : y^2 = x^3 + 3/(9+u) over Fp2 = Fp[u]/(u^2+1) (G2, the order-r subgroup of E')
 *
 * Points are Jacobian (X, Y, Z) with field elements in Montgomery form; Z = 0 is the
 * point at infinity. Decoding follows the EIP byte formats: 32-byte big-endian
 * coordinates, all zeros for infinity, Fp2 elements as (imaginary, real).
 * Nothing here allocates; nothing is constant-time (all inputs are public). */
#ifndef CANDOR_CRYPTO_BN254_H
#define CANDOR_CRYPTO_BN254_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

typedef struct { uint64_t l[4]; } bn254_fp;      /* Montgomery form, fully reduced */
typedef struct { bn254_fp c0, c1; } bn254_fp2;   /* c0 + c1*u */
typedef struct { bn254_fp x, y, z; } bn254_g1;
typedef struct { bn254_fp2 x, y, z; } bn254_g2;

/* G1 from 64 bytes (x || y). CD_ERR_BAD_POINT_ENCODING if a coordinate is >= p,
 * CD_ERR_NOT_ON_CURVE if (x, y) is not on E. (G1 is all of E(Fp): no subgroup check.) */
CD_MUST_CHECK cd_status bn254_g1_from_bytes(bn254_g1 *out, const uint8_t in[64]);
/* 64 bytes x || y of the affine point; infinity is all zeros. */
void bn254_g1_to_bytes(const bn254_g1 *p, uint8_t out[64]);
void bn254_g1_add(bn254_g1 *out, const bn254_g1 *a, const bn254_g1 *b);
void bn254_g1_double(bn254_g1 *out, const bn254_g1 *a);
void bn254_g1_neg(bn254_g1 *out, const bn254_g1 *a);
/* out = k * a for a 256-bit big-endian scalar (not reduced: any value is fine). */
void bn254_g1_mul(bn254_g1 *out, const bn254_g1 *a, const uint8_t k_be[32]);
bool bn254_g1_is_infinity(const bn254_g1 *p);
/* Equality of the points (not of the Jacobian representations). */
bool bn254_g1_eq(const bn254_g1 *a, const bn254_g1 *b);

/* G2 from 128 bytes (x_im || x_re || y_im || y_re). Besides the checks of G1 decoding,
 * CD_ERR_NOT_IN_SUBGROUP if the point is on E' but not of order r. */
CD_MUST_CHECK cd_status bn254_g2_from_bytes(bn254_g2 *out, const uint8_t in[128]);
void bn254_g2_to_bytes(const bn254_g2 *p, uint8_t out[128]);
void bn254_g2_add(bn254_g2 *out, const bn254_g2 *a, const bn254_g2 *b);
void bn254_g2_double(bn254_g2 *out, const bn254_g2 *a);
void bn254_g2_mul(bn254_g2 *out, const bn254_g2 *a, const uint8_t k_be[32]);
bool bn254_g2_is_infinity(const bn254_g2 *p);
bool bn254_g2_eq(const bn254_g2 *a, const bn254_g2 *b);

/* Sets *is_one to whether prod_i e(p[i], q[i]) == 1 in GT, with e the optimal ate pairing.
 * Pairs where either point is infinity contribute 1. n = 0 gives true. */
void bn254_pairing_check(const bn254_g1 *p, const bn254_g2 *q, size_t n, bool *is_one);

#endif
