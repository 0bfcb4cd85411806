/* Precompiled contracts, behind one narrow interface the interpreter calls.
 *
 * Gas follows each EIP for the given fork. A precompile that fails (bad input, or gas
 * above `gas_limit`) returns an error, and the caller consumes all the gas it passed, as
 * the spec says; `*gas_used` is meaningful only on success. */
#ifndef CANDOR_EVM_PRECOMPILES_H
#define CANDOR_EVM_PRECOMPILES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"
#include "evm/fork.h"

/* True if `addr` is an active precompile at `fork` (e.g. 0x0a from Cancun, 0x0b-0x11 from
 * Prague, 0x100 P256VERIFY from Osaka). */
bool evm_precompile_exists(evm_fork fork, const cd_address *addr);

/* Runs precompile `addr` on `input` with at most `gas_limit` gas.
 * CD_OK: `*gas_used` <= gas_limit and the result is appended to `output` (may be empty).
 * CD_ERR_EVM_PRECOMPILE_OOG: the cost exceeds gas_limit.
 * CD_ERR_EVM_PRECOMPILE_FAILED: invalid input for this precompile.
 * CD_ERR_NOMEM: allocation failed (not an EVM outcome; the caller aborts the call). */
CD_MUST_CHECK cd_status evm_precompile_run(evm_fork fork, const cd_address *addr, cd_bytes input,
                                           uint64_t gas_limit, uint64_t *gas_used, cd_buf *output);

#endif
