/* 0x0a POINT_EVALUATION (EIP-4844, Cancun): verifies a KZG proof that the blob polynomial
 * committed to by `commitment` takes the value y at z, with the mainnet trusted setup.
 *
 * Input (192 bytes): versioned_hash | z | y | commitment (48) | proof (48).
 * Checks, in the EIP's order: versioned hash = 0x01 || sha256(commitment)[1:], then
 * verify_kzg_proof: z, y < BLS_MODULUS, commitment and proof valid compressed G1 points in
 * the subgroup, and e(commitment - [y]G1, -G2) * e(proof, [tau]G2 - [z]G2) == 1.
 * Output: FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS as two 32-byte words. */
#include <string.h>

#include <openssl/evp.h>

#include "crypto/bls12_381.h"
#include "evm/precompiles_internal.h"

#define POINT_EVAL_INPUT_LEN 192
#define POINT_EVAL_GAS 50000
#define VERSIONED_HASH_VERSION_KZG 0x01

/* [tau]G2, the second G2 point (g2_monomial[1]) of the Ethereum KZG ceremony's setup
 * (consensus-specs presets/mainnet/trusted_setups/trusted_setup_4096.json), compressed. */
static const uint8_t KZG_SETUP_G2_TAU[96] = {
    0xb5, 0xbf, 0xd7, 0xdd, 0x8c, 0xde, 0xb1, 0x28, 0x84, 0x3b, 0xc2, 0x87, 0x23, 0x0a, 0xf3, 0x89,
    0x26, 0x18, 0x70, 0x75, 0xcb, 0xfb, 0xef, 0xa8, 0x10, 0x09, 0xa2, 0xce, 0x61, 0x5a, 0xc5, 0x3d,
    0x29, 0x14, 0xe5, 0x87, 0x0c, 0xb4, 0x52, 0xd2, 0xaf, 0xaa, 0xab, 0x24, 0xf3, 0x49, 0x9f, 0x72,
    0x18, 0x5c, 0xbf, 0xee, 0x53, 0x49, 0x27, 0x14, 0x73, 0x44, 0x29, 0xb7, 0xb3, 0x86, 0x08, 0xe2,
    0x39, 0x26, 0xc9, 0x11, 0xcc, 0xec, 0xea, 0xc9, 0xa3, 0x68, 0x51, 0x47, 0x7b, 0xa4, 0xc6, 0x0b,
    0x08, 0x70, 0x41, 0xde, 0x62, 0x10, 0x00, 0xed, 0xc9, 0x8e, 0xda, 0xda, 0x20, 0xc1, 0xde, 0xf2};

/* BLS_MODULUS (the order r of G1), big-endian. */
static const uint8_t BLS_MODULUS_BE[32] = {
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01};

uint64_t evm_pc_kzg_point_eval_gas(evm_fork fork, cd_bytes input) {
    (void)fork;
    (void)input;
    return POINT_EVAL_GAS;
}

static bool versioned_hash_matches(const uint8_t vh[32], const uint8_t commitment[48]) {
    uint8_t h[32];
    unsigned n = 0;
    if (EVP_Digest(commitment, 48, h, &n, EVP_sha256(), NULL) != 1 || n != 32) return false;
    h[0] = VERSIONED_HASH_VERSION_KZG;
    return memcmp(h, vh, 32) == 0;
}

/* KZG proof commitment / proof: compressed G1, on the curve and in the subgroup
 * (KeyValidate without the infinity exclusion: infinity is a valid commitment). */
static bool decode_kzg_g1(bls_g1_affine *out, const uint8_t in[48]) {
    return bls_g1_decompress(out, in) == CD_OK && bls_g1_is_in_subgroup(out);
}

cd_status evm_pc_kzg_point_eval_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    (void)fork;
    if (input.len != POINT_EVAL_INPUT_LEN) return CD_ERR_EVM_PRECOMPILE_FAILED;
    const uint8_t *vh = input.ptr, *z = input.ptr + 32, *y = input.ptr + 64;
    const uint8_t *commitment = input.ptr + 96, *proof = input.ptr + 144;
    if (!versioned_hash_matches(vh, commitment)) return CD_ERR_EVM_PRECOMPILE_FAILED;
    if (memcmp(z, BLS_MODULUS_BE, 32) >= 0 || memcmp(y, BLS_MODULUS_BE, 32) >= 0)
        return CD_ERR_EVM_PRECOMPILE_FAILED;
    bls_g1_affine c_aff, pi_aff;
    if (!decode_kzg_g1(&c_aff, commitment) || !decode_kzg_g1(&pi_aff, proof))
        return CD_ERR_EVM_PRECOMPILE_FAILED;
    bls_g2_affine tau;
    if (bls_g2_decompress(&tau, KZG_SETUP_G2_TAU) != CD_OK) return CD_ERR_INTERNAL;

    /* P = commitment - [y]G1 */
    bls_g1_affine g1;
    bls_g1_generator(&g1);
    bls_g1 t1, p;
    bls_g1_from_affine(&t1, &g1);
    bls_g1_mul(&t1, &t1, y);
    bls_g1_neg(&t1, &t1);
    bls_g1_from_affine(&p, &c_aff);
    bls_g1_add(&p, &p, &t1);
    /* X = [tau]G2 - [z]G2, and -G2 */
    bls_g2_affine g2;
    bls_g2_generator(&g2);
    bls_g2 t2, x, neg_g2;
    bls_g2_from_affine(&t2, &g2);
    bls_g2_neg(&neg_g2, &t2);
    bls_g2_mul(&t2, &t2, z);
    bls_g2_neg(&t2, &t2);
    bls_g2_from_affine(&x, &tau);
    bls_g2_add(&x, &x, &t2);

    bls_g1_affine ps[2];
    bls_g2_affine qs[2];
    bls_g1_to_affine(&ps[0], &p);
    bls_g2_to_affine(&qs[0], &neg_g2);
    ps[1] = pi_aff;
    bls_g2_to_affine(&qs[1], &x);
    bool one = false;
    cd_status s = bls_pairing_check(ps, qs, 2, &one);
    if (s != CD_OK) return s;
    if (!one) return CD_ERR_EVM_PRECOMPILE_FAILED;

    uint8_t res[64] = {0};
    res[30] = 0x10; /* FIELD_ELEMENTS_PER_BLOB = 4096 */
    memcpy(res + 32, BLS_MODULUS_BE, 32);
    return cd_buf_append(out, res, sizeof res);
}
