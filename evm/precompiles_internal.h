/* Private to evm/: how the precompile dispatcher (precompiles.c) reaches each precompile.
 *
 * Each precompile is split in two so that the dispatcher can refuse an over-budget call
 * before doing any heavy work: `gas` prices the input (saturating at UINT64_MAX, never
 * failing), `run` computes the output. `run` appends to `out` only what it produces; the
 * dispatcher rolls `out` back if `run` fails. */
#ifndef CANDOR_EVM_PRECOMPILES_INTERNAL_H
#define CANDOR_EVM_PRECOMPILES_INTERNAL_H

#include <stdint.h>

#include "common/common.h"
#include "evm/fork.h"

typedef uint64_t (*evm_pc_gas_fn)(evm_fork fork, cd_bytes input);
typedef cd_status (*evm_pc_run_fn)(evm_fork fork, cd_bytes input, cd_buf *out);

/* Gas for a price of `base + per_word * ceil(len / 32)`, saturating. */
uint64_t evm_pc_word_gas(uint64_t base, uint64_t per_word, size_t len);

/* Copies input[off .. off+n) into dst, zero-filling what lies past the end of input:
 * precompiles read their input as if it were followed by infinitely many zero bytes. */
void evm_pc_read_padded(cd_bytes input, size_t off, uint8_t *dst, size_t n);

/* 0x01-0x04 (precompile_hash.c) */
uint64_t evm_pc_ecrecover_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_ecrecover_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_sha256_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_sha256_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_ripemd160_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_ripemd160_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_identity_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_identity_run(evm_fork fork, cd_bytes input, cd_buf *out);

/* 0x05 (precompile_modexp.c) */
uint64_t evm_pc_modexp_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_modexp_run(evm_fork fork, cd_bytes input, cd_buf *out);

/* 0x06-0x08 (precompile_bn254.c) */
uint64_t evm_pc_bn254_add_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_bn254_add_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_bn254_mul_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_bn254_mul_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_bn254_pairing_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_bn254_pairing_run(evm_fork fork, cd_bytes input, cd_buf *out);

/* 0x09 (precompile_blake2f.c) */
uint64_t evm_pc_blake2f_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_blake2f_run(evm_fork fork, cd_bytes input, cd_buf *out);

/* 0x0a (precompile_kzg.c) */
uint64_t evm_pc_kzg_point_eval_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_kzg_point_eval_run(evm_fork fork, cd_bytes input, cd_buf *out);

/* 0x0b-0x11 (precompile_bls.c) */
uint64_t evm_pc_bls_g1add_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_bls_g1add_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_bls_g1msm_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_bls_g1msm_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_bls_g2add_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_bls_g2add_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_bls_g2msm_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_bls_g2msm_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_bls_pairing_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_bls_pairing_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_bls_map_g1_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_bls_map_g1_run(evm_fork fork, cd_bytes input, cd_buf *out);
uint64_t evm_pc_bls_map_g2_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_bls_map_g2_run(evm_fork fork, cd_bytes input, cd_buf *out);

/* 0x100 (precompile_p256.c) */
uint64_t evm_pc_p256verify_gas(evm_fork fork, cd_bytes input);
cd_status evm_pc_p256verify_run(evm_fork fork, cd_bytes input, cd_buf *out);

#endif
