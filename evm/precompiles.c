/* Precompile dispatcher: which precompile lives at which address from which fork, and
 * the common run protocol (price first, refuse over budget, run, roll back on failure). */
#include <string.h>

#include "evm/precompiles.h"
#include "evm/precompiles_internal.h"

typedef struct {
    uint16_t addr;       /* low two bytes of the address; the other 18 are zero */
    evm_fork since;      /* first fork where the precompile exists */
    evm_pc_gas_fn gas;
    evm_pc_run_fn run;
} precompile_entry;

static const precompile_entry PRECOMPILES[] = {
    {0x01, EVM_FRONTIER, evm_pc_ecrecover_gas, evm_pc_ecrecover_run},
    {0x02, EVM_FRONTIER, evm_pc_sha256_gas, evm_pc_sha256_run},
    {0x03, EVM_FRONTIER, evm_pc_ripemd160_gas, evm_pc_ripemd160_run},
    {0x04, EVM_FRONTIER, evm_pc_identity_gas, evm_pc_identity_run},
    {0x05, EVM_BYZANTIUM, evm_pc_modexp_gas, evm_pc_modexp_run},
    {0x06, EVM_BYZANTIUM, evm_pc_bn254_add_gas, evm_pc_bn254_add_run},
    {0x07, EVM_BYZANTIUM, evm_pc_bn254_mul_gas, evm_pc_bn254_mul_run},
    {0x08, EVM_BYZANTIUM, evm_pc_bn254_pairing_gas, evm_pc_bn254_pairing_run},
    {0x09, EVM_ISTANBUL, evm_pc_blake2f_gas, evm_pc_blake2f_run},
    {0x0a, EVM_CANCUN, evm_pc_kzg_point_eval_gas, evm_pc_kzg_point_eval_run},
    {0x0b, EVM_PRAGUE, evm_pc_bls_g1add_gas, evm_pc_bls_g1add_run},
    {0x0c, EVM_PRAGUE, evm_pc_bls_g1msm_gas, evm_pc_bls_g1msm_run},
    {0x0d, EVM_PRAGUE, evm_pc_bls_g2add_gas, evm_pc_bls_g2add_run},
    {0x0e, EVM_PRAGUE, evm_pc_bls_g2msm_gas, evm_pc_bls_g2msm_run},
    {0x0f, EVM_PRAGUE, evm_pc_bls_pairing_gas, evm_pc_bls_pairing_run},
    {0x10, EVM_PRAGUE, evm_pc_bls_map_g1_gas, evm_pc_bls_map_g1_run},
    {0x11, EVM_PRAGUE, evm_pc_bls_map_g2_gas, evm_pc_bls_map_g2_run},
    {0x100, EVM_OSAKA, evm_pc_p256verify_gas, evm_pc_p256verify_run},
};

static const precompile_entry *find_precompile(evm_fork fork, const cd_address *addr) {
    if (!addr) return NULL;
    for (int i = 0; i < 18; i++)
        if (addr->b[i] != 0) return NULL;
    uint16_t low = (uint16_t)((addr->b[18] << 8) | addr->b[19]);
    for (size_t i = 0; i < CD_ARRAY_LEN(PRECOMPILES); i++) {
        const precompile_entry *e = &PRECOMPILES[i];
        if (e->addr == low) return fork >= e->since ? e : NULL;
    }
    return NULL;
}

bool evm_precompile_exists(evm_fork fork, const cd_address *addr) {
    return find_precompile(fork, addr) != NULL;
}

cd_status evm_precompile_run(evm_fork fork, const cd_address *addr, cd_bytes input,
                             uint64_t gas_limit, uint64_t *gas_used, cd_buf *output) {
    if (!gas_used || !output || (input.len && !input.ptr)) return CD_ERR_INVALID_ARG;
    *gas_used = 0;
    const precompile_entry *e = find_precompile(fork, addr);
    if (!e) return CD_ERR_INVALID_ARG;
    uint64_t gas = e->gas(fork, input);
    if (gas > gas_limit) return CD_ERR_EVM_PRECOMPILE_OOG;
    size_t mark = output->len;
    cd_status s = e->run(fork, input, output);
    if (s != CD_OK) {
        output->len = mark;
        /* Any failure other than memory is the precompile's own input rejection. */
        return s == CD_ERR_NOMEM ? CD_ERR_NOMEM : CD_ERR_EVM_PRECOMPILE_FAILED;
    }
    *gas_used = gas;
    return CD_OK;
}

uint64_t evm_pc_word_gas(uint64_t base, uint64_t per_word, size_t len) {
    uint64_t words = (uint64_t)len / 32 + (len % 32 != 0);
    if (per_word && words > (UINT64_MAX - base) / per_word) return UINT64_MAX;
    return base + per_word * words;
}

void evm_pc_read_padded(cd_bytes input, size_t off, uint8_t *dst, size_t n) {
    size_t avail = off < input.len ? input.len - off : 0;
    size_t take = avail < n ? avail : n;
    if (take) memcpy(dst, input.ptr + off, take);
    if (take < n) memset(dst + take, 0, n - take);
}
