/* Fuzz target: random bytecode + calldata through eth_call, never a crash or a leak.
 * Input: byte 0 selects the fork, byte 1 the gas budget, bytes 2-3 the code length, then
 * the code, then the calldata. Two contracts carry (parts of) the code so that calls,
 * delegatecalls and creates reach real code; a third account is a plain EOA. */
#include <stdint.h>
#include <string.h>

#include "evm/evm.h"

static const cd_address F_SENDER = {{0x10, [19] = 0x01}};
static const cd_address F_MAIN = {{[18] = 0x10, [19] = 0x00}};
static const cd_address F_OTHER = {{[18] = 0x10, [19] = 0x01}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    const uint8_t flags = data[0];
    evm_fork fork = (evm_fork)(flags % EVM_FORK_COUNT);
    uint64_t gas = 30000 + (uint64_t)data[1] * 20000;
    size_t code_len = ((size_t)data[2] << 8 | data[3]);
    data += 4;
    size -= 4;
    if (code_len > size) code_len = size;
    const uint8_t *code = data;
    cd_bytes calldata = cd_bytes_make(data + code_len, size - code_len);

    evm_memstate *ms;
    if (evm_memstate_new(&ms) != CD_OK) return 0;
    cd_u256 bal = {{1000000000000ull, 0, 0, 0}};
    evm_block b;
    memset(&b, 0, sizeof b);
    b.number = 1000;
    b.timestamp = 1700000000;
    b.gas_limit = 30000000;
    b.chain_id = 1;
    b.base_fee.w[0] = 7;
    b.blob_base_fee.w[0] = 1;
    evm_memstate_set_block(ms, &b);
    cd_u256 slot = {{1, 0, 0, 0}}, val = {{42, 0, 0, 0}};
    if (evm_memstate_set_account(ms, &F_SENDER, 0, &bal, cd_bytes_make(NULL, 0)) == CD_OK &&
        evm_memstate_set_account(ms, &F_MAIN, 1, &bal, cd_bytes_make(code, code_len)) == CD_OK &&
        evm_memstate_set_account(ms, &F_OTHER, 1, &bal, cd_bytes_make(code, code_len / 2)) == CD_OK &&
        evm_memstate_set_storage(ms, &F_MAIN, &slot, &val) == CD_OK) {
        evm_host h;
        evm_memstate_host(ms, &h);
        evm_message m;
        memset(&m, 0, sizeof m);
        m.from = F_SENDER;
        m.to = F_MAIN;
        m.data = calldata;
        m.gas = gas;
        m.value.w[0] = flags & 0x80 ? 1 : 0;
        evm_result r;
        (void)evm_call(&h, fork, &m, &r, NULL);
        evm_result_free(&r);
        /* The same code as a creation transaction, applied to the state. */
        evm_tx tx;
        memset(&tx, 0, sizeof tx);
        tx.sender = F_SENDER;
        tx.is_create = (flags & 0x40) != 0;
        tx.to = F_MAIN;
        tx.gas_limit = gas;
        tx.gas_price.w[0] = 10;
        tx.data = tx.is_create ? cd_bytes_make(code, code_len) : calldata;
        (void)evm_memstate_apply_tx(ms, fork, &tx, NULL, &r, NULL);
        evm_result_free(&r);
        cd_hash32 root;
        (void)evm_memstate_root(ms, &root);
    }
    evm_memstate_free(ms);
    return 0;
}
