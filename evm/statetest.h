/* State-test runner (ethereum/tests GeneralStateTests and execution-spec-tests state_tests
 * JSON): every (fork, data, gas, value) post entry is one case; a case passes when the
 * post-state root and logs hash match, and an expected exception is a rejected tx.
 * Shared by the conformance runner and `candor evm statetest`. */
#ifndef CANDOR_EVM_STATETEST_H
#define CANDOR_EVM_STATETEST_H

#include <stdbool.h>

#include "common/common.h"
#include "evm/fork.h"

typedef struct {
    /* Called once per case; `why` is NULL when it passed. */
    void (*on_case)(void *ctx, const char *name, evm_fork fork, bool ok, const char *why);
    void *ctx;
    /* Cases of forks outside [min_fork, max_fork] are skipped (not counted). */
    evm_fork min_fork, max_fork;
    /* Counters, per fork. */
    int passed[EVM_FORK_COUNT];
    int failed[EVM_FORK_COUNT];
} evm_statetest;

void evm_statetest_init(evm_statetest *st);

/* Runs every case of one state-test file. Errors reading or parsing the file are returned
 * (and counted as one failed case named after the file). */
CD_MUST_CHECK cd_status evm_statetest_run_file(evm_statetest *st, const char *path, cd_error *err);

#endif
