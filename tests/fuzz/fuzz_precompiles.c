/* libFuzzer target for the precompiles: the first byte picks the precompile, the second
 * the fork, the rest is the input. Beyond "no crash, no leak" it checks the interface
 * contract of evm/precompiles.h: output only on success, gas within the limit, and only
 * the documented status codes. A broken contract aborts, so the fuzzer reports it. */
#include <stdlib.h>
#include <string.h>

#include "evm/precompiles.h"

static const uint16_t precompile_addresses[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 0x100};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    uint16_t low = precompile_addresses[data[0] % CD_ARRAY_LEN(precompile_addresses)];
    evm_fork fork = (evm_fork)(EVM_BYZANTIUM + data[1] % (EVM_FORK_COUNT - EVM_BYZANTIUM));
    cd_address addr;
    memset(&addr, 0, sizeof addr);
    addr.b[18] = (uint8_t)(low >> 8);
    addr.b[19] = (uint8_t)low;
    if (!evm_precompile_exists(fork, &addr)) return 0;
    cd_buf out = {0};
    uint64_t gas = 0, limit = 1000000;
    cd_status s = evm_precompile_run(fork, &addr, cd_bytes_make(data + 2, size - 2), limit, &gas, &out);
    if (s == CD_OK && gas > limit) abort();
    if (s != CD_OK && out.len != 0) abort();
    if (s != CD_OK && s != CD_ERR_EVM_PRECOMPILE_OOG && s != CD_ERR_EVM_PRECOMPILE_FAILED &&
        s != CD_ERR_NOMEM)
        abort();
    cd_buf_free(&out);
    return 0;
}
