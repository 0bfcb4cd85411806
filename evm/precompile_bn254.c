/* 0x06-0x08 BN254 ECADD, ECMUL, ECPAIRING (EIP-196, EIP-197), repriced by EIP-1108 from
 * Istanbul. Curve arithmetic is crypto/bn254. Inputs are read zero-padded for ECADD and
 * ECMUL; ECPAIRING needs a whole number of 192-byte pairs. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bn254.h"
#include "evm/precompiles_internal.h"

#define PAIR_LEN 192

uint64_t evm_pc_bn254_add_gas(evm_fork fork, cd_bytes input) {
    (void)input;
    return fork >= EVM_ISTANBUL ? 150 : 500;
}

cd_status evm_pc_bn254_add_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    (void)fork;
    uint8_t in[128], res[64];
    evm_pc_read_padded(input, 0, in, sizeof in);
    bn254_g1 a, b;
    if (bn254_g1_from_bytes(&a, in) != CD_OK || bn254_g1_from_bytes(&b, in + 64) != CD_OK)
        return CD_ERR_EVM_PRECOMPILE_FAILED;
    bn254_g1_add(&a, &a, &b);
    bn254_g1_to_bytes(&a, res);
    return cd_buf_append(out, res, sizeof res);
}

uint64_t evm_pc_bn254_mul_gas(evm_fork fork, cd_bytes input) {
    (void)input;
    return fork >= EVM_ISTANBUL ? 6000 : 40000;
}

cd_status evm_pc_bn254_mul_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    (void)fork;
    uint8_t in[96], res[64];
    evm_pc_read_padded(input, 0, in, sizeof in);
    bn254_g1 a;
    if (bn254_g1_from_bytes(&a, in) != CD_OK) return CD_ERR_EVM_PRECOMPILE_FAILED;
    bn254_g1_mul(&a, &a, in + 64);
    bn254_g1_to_bytes(&a, res);
    return cd_buf_append(out, res, sizeof res);
}

uint64_t evm_pc_bn254_pairing_gas(evm_fork fork, cd_bytes input) {
    uint64_t k = input.len / PAIR_LEN;
    uint64_t base = fork >= EVM_ISTANBUL ? 45000 : 100000;
    uint64_t per_pair = fork >= EVM_ISTANBUL ? 34000 : 80000;
    if (k > (UINT64_MAX - base) / per_pair) return UINT64_MAX;
    return base + per_pair * k;
}

cd_status evm_pc_bn254_pairing_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    (void)fork;
    if (input.len % PAIR_LEN != 0) return CD_ERR_EVM_PRECOMPILE_FAILED;
    size_t k = input.len / PAIR_LEN;
    bn254_g1 *ps = NULL;
    bn254_g2 *qs = NULL;
    if (k) {
        ps = malloc(k * sizeof *ps);
        qs = malloc(k * sizeof *qs);
        if (!ps || !qs) {
            free(ps);
            free(qs);
            return CD_ERR_NOMEM;
        }
    }
    cd_status s = CD_OK;
    for (size_t i = 0; i < k && s == CD_OK; i++) {
        const uint8_t *pair = input.ptr + i * PAIR_LEN;
        if (bn254_g1_from_bytes(&ps[i], pair) != CD_OK ||
            bn254_g2_from_bytes(&qs[i], pair + 64) != CD_OK)
            s = CD_ERR_EVM_PRECOMPILE_FAILED;
    }
    if (s == CD_OK) {
        bool one = false;
        bn254_pairing_check(ps, qs, k, &one);
        uint8_t word[32] = {0};
        word[31] = one ? 1 : 0;
        s = cd_buf_append(out, word, sizeof word);
    }
    free(ps);
    free(qs);
    return s;
}
