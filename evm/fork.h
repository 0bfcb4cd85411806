/* Ethereum execution-layer forks, in order, so that `fork >= EVM_CANCUN` gates a rule. */
#ifndef CANDOR_EVM_FORK_H
#define CANDOR_EVM_FORK_H

typedef enum {
    EVM_FRONTIER = 0,
    EVM_HOMESTEAD,
    EVM_TANGERINE_WHISTLE, /* EIP-150 */
    EVM_SPURIOUS_DRAGON,   /* EIP-158 */
    EVM_BYZANTIUM,
    EVM_CONSTANTINOPLE,
    EVM_PETERSBURG,        /* "ConstantinopleFix" in the tests */
    EVM_ISTANBUL,
    EVM_BERLIN,
    EVM_LONDON,
    EVM_PARIS,             /* "Merge" */
    EVM_SHANGHAI,
    EVM_CANCUN,
    EVM_PRAGUE,
    EVM_OSAKA,
    EVM_FORK_COUNT
} evm_fork;

#endif
