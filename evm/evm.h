/* evm: an Ethereum Virtual Machine over a host-provided state.
 *
 * The interpreter never owns the world state. It reads accounts, code, storage and block
 * data through `evm_host` callbacks and keeps every change in a journaled overlay for the
 * duration of one transaction / call. Each callback may fail with
 * CD_ERR_EVM_STATE_UNAVAILABLE (e.g. the service could not obtain a proof): the whole call
 * then fails with that status. A value the host cannot prove is never guessed.
 *
 * Two front doors:
 *   - evm_call / evm_estimate_gas / evm_create_access_list: eth_call semantics over any host
 *     (no signature, optional from/gas/value, gas cap, base-fee checks off).
 *   - evm_memstate_*: an in-memory state (tests, state-test conformance) that is itself a
 *     host, records which accounts/slots were read, applies full transactions
 *     (evm_memstate_apply_tx) and computes the post-state root.
 *
 * Forks: see evm/fork.h. Precompiles: evm/precompiles.h.
 */
#ifndef CANDOR_EVM_H
#define CANDOR_EVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "evm/fork.h"

/* ---- host interface ------------------------------------------------------------------- */

/* An account as the host proves it. A non-existent account is exists=false and all zero. */
typedef struct {
    bool exists;
    uint64_t nonce;
    cd_u256 balance;
    cd_hash32 code_hash;   /* keccak256(code); keccak256("") when there is no code */
    bool has_storage;      /* storage root != empty trie root (EIP-7610 create collision) */
} evm_account;

/* Block context of the block the call executes in. */
typedef struct {
    uint64_t number;
    uint64_t timestamp;
    uint64_t gas_limit;
    cd_address coinbase;
    cd_u256 base_fee;          /* EIP-1559 (London+) */
    cd_u256 difficulty;        /* pre-Paris DIFFICULTY */
    cd_hash32 prevrandao;      /* Paris+ PREVRANDAO */
    cd_u256 blob_base_fee;     /* EIP-7516 BLOBBASEFEE (Cancun+) */
    uint64_t chain_id;
} evm_block;

/* Every read may fail with CD_ERR_EVM_STATE_UNAVAILABLE (or CD_ERR_NOMEM); any other
 * failure is passed up unchanged. All callbacks are required. */
typedef struct {
    void *ctx;
    cd_status (*get_block)(void *ctx, evm_block *out);
    cd_status (*get_account)(void *ctx, const cd_address *addr, evm_account *out);
    /* Points *out at the code of `addr` (whose hash is `code_hash`, as returned by
     * get_account), held by the host: the bytes must stay valid and unchanged until the
     * next call into the host (the VM copies them into its padded, analysed form at once,
     * so the host's own copy is the only one made). */
    cd_status (*get_code)(void *ctx, const cd_address *addr, const cd_hash32 *code_hash,
                          cd_bytes *out);
    cd_status (*get_storage)(void *ctx, const cd_address *addr, const cd_u256 *key,
                             cd_u256 *value);
    /* Hash of block `number` (only asked for the 256 blocks before the current one). */
    cd_status (*get_block_hash)(void *ctx, uint64_t number, cd_hash32 *out);
    /* true only for a host whose get_code can hand back nothing but code it hashed itself
     * to that code_hash (evm_memstate, which computes the hash from the code it stores):
     * the VM then skips hashing the code again on every load. Every other host, above all
     * one that relays code from an upstream, leaves it false and the VM checks the hash. */
    bool code_matches_hash;
} evm_host;

/* ---- messages, access lists, results ---------------------------------------------------- */

typedef struct {
    cd_address address;
    cd_u256 *keys;
    size_t n_keys;
} evm_access_entry;

typedef struct {
    evm_access_entry *entries;
    size_t n;
} evm_access_list;

/* Frees what evm_create_access_list allocated (entries and keys). */
void evm_access_list_free(evm_access_list *al);

/* EIP-7702 authorization tuple. `signer` is recovered by evm from (y_parity, r, s) over
 * keccak256(0x05 || rlp([chain_id, address, nonce])); an invalid signature skips the tuple. */
typedef struct {
    cd_u256 chain_id;
    cd_address address;
    uint64_t nonce;
    bool nonce_overflow;       /* nonce >= 2^64 in the encoding: tuple is skipped */
    cd_u256 y_parity, r, s;
} evm_authorization;

/* A transaction as the state tests (and eth_call) describe it. Type is 0..4. */
typedef struct {
    uint8_t type;
    cd_address sender;
    bool is_create;            /* `to` absent */
    cd_address to;
    uint64_t nonce;
    uint64_t gas_limit;
    cd_u256 value;
    bool value_overflow;       /* value does not fit in 256 bits: tx invalid */
    cd_bytes data;
    cd_u256 gas_price;         /* types 0, 1 */
    cd_u256 max_fee_per_gas;   /* types 2, 3, 4 */
    cd_u256 max_priority_fee_per_gas;
    const evm_access_list *access_list;   /* may be NULL */
    const cd_hash32 *blob_hashes;         /* type 3 */
    size_t n_blob_hashes;
    cd_u256 max_fee_per_blob_gas;
    const evm_authorization *authorizations;   /* type 4 */
    size_t n_authorizations;
} evm_tx;

/* Per-fork blob parameters (EEST config.blobSchedule); zero = the fork's default. */
typedef struct {
    uint64_t target, max, update_fraction;
} evm_blob_schedule;

typedef enum {
    EVM_SUCCESS = 0,
    EVM_REVERT,        /* REVERT: output holds the revert data */
    EVM_HALT,          /* exceptional halt: all gas of the frame consumed; see halt */
} evm_outcome;

typedef enum {
    EVM_HALT_NONE = 0,
    EVM_HALT_OUT_OF_GAS,
    EVM_HALT_INVALID_OPCODE,
    EVM_HALT_STACK_UNDERFLOW,
    EVM_HALT_STACK_OVERFLOW,
    EVM_HALT_BAD_JUMP,
    EVM_HALT_STATIC_VIOLATION,
    EVM_HALT_RETURNDATA_OOB,
    EVM_HALT_CREATE_COLLISION,
    EVM_HALT_CODE_SIZE,        /* EIP-170 */
    EVM_HALT_CODE_PREFIX_EF,   /* EIP-3541 */
    EVM_HALT_INITCODE_SIZE,    /* EIP-3860 */
    EVM_HALT_PRECOMPILE_FAILED,
} evm_halt;

const char *evm_halt_name(evm_halt h);

typedef struct {
    cd_address address;
    cd_hash32 topics[4];
    uint8_t n_topics;
    uint8_t *data;
    size_t len;
} evm_log;

typedef struct {
    evm_outcome outcome;
    evm_halt halt;
    uint64_t gas_used;        /* transaction gas used, after refunds and the EIP-7623 floor */
    uint64_t gas_refunded;
    cd_buf output;            /* return or revert data */
    evm_log *logs;            /* only on success */
    size_t n_logs;
    bool created;             /* a contract creation succeeded at created_address */
    cd_address created_address;
} evm_result;

void evm_result_free(evm_result *r);

/* keccak256(rlp([[address, [topics], data], ...])) as the state tests' "logs" field. */
CD_MUST_CHECK cd_status evm_logs_hash(const evm_log *logs, size_t n, cd_hash32 *out);

/* ---- eth_call ----------------------------------------------------------------------------- */

typedef struct {
    cd_address from;          /* zero address when the caller gave none */
    bool is_create;
    cd_address to;
    cd_bytes data;
    cd_u256 value;
    uint64_t gas;             /* 0 = use gas_cap */
    uint64_t gas_cap;         /* upper bound on gas (0 = block gas limit) */
    cd_u256 gas_price;        /* usually 0; a non-zero price is charged from `from` */
    const evm_access_list *access_list;   /* may be NULL */
} evm_message;

/* Runs `msg` as eth_call: no signature and no nonce check, base-fee checks off, the sender's
 * balance is only required to cover value + gas * gas_price. Nothing is written back to the
 * host. CD_OK means the EVM ran to an outcome (success, revert or halt, in `out`);
 * CD_ERR_EVM_STATE_UNAVAILABLE / CD_ERR_NOMEM / CD_ERR_EVM_TX_INVALID (e.g. insufficient
 * funds, gas below intrinsic) mean there is no outcome. `out` must be freed with
 * evm_result_free in every case. */
CD_MUST_CHECK cd_status evm_call(const evm_host *host, evm_fork fork, const evm_message *msg,
                                 evm_result *out, cd_error *err);

/* eth_estimateGas: the least gas limit in [intrinsic, cap] at which msg succeeds, found by
 * binary search over evm_call. A call that fails at the cap returns CD_OK with *gas = 0 and
 * the failing result in `last` (caller frees). */
CD_MUST_CHECK cd_status evm_estimate_gas(const evm_host *host, evm_fork fork,
                                         const evm_message *msg, uint64_t *gas,
                                         evm_result *last, cd_error *err);

/* eth_createAccessList: every account and storage slot the call touched (excluding the
 * sender and precompiles, and the `to` address only if it had no slot accessed, as clients
 * do), and the gas used when the call is run with that list. Caller frees `out` and `res`. */
CD_MUST_CHECK cd_status evm_create_access_list(const evm_host *host, evm_fork fork,
                                               const evm_message *msg, evm_access_list *out,
                                               evm_result *res, cd_error *err);

/* ---- in-memory state ------------------------------------------------------------------- */

typedef struct evm_memstate evm_memstate;

CD_MUST_CHECK cd_status evm_memstate_new(evm_memstate **out);
void evm_memstate_free(evm_memstate *ms);

CD_MUST_CHECK cd_status evm_memstate_set_account(evm_memstate *ms, const cd_address *addr,
                                                 uint64_t nonce, const cd_u256 *balance,
                                                 cd_bytes code);
/* Sets a slot of an existing account (zero deletes it). */
CD_MUST_CHECK cd_status evm_memstate_set_storage(evm_memstate *ms, const cd_address *addr,
                                                 const cd_u256 *key, const cd_u256 *value);
void evm_memstate_set_block(evm_memstate *ms, const evm_block *block);
/* When true, reads of accounts that were never set fail with CD_ERR_EVM_STATE_UNAVAILABLE
 * (models a prover that only knows what was fetched). Default false: unknown = absent. */
void evm_memstate_set_strict(evm_memstate *ms, bool strict);

/* Reads back (for tests). Returns false if the account does not exist. */
bool evm_memstate_get_account(const evm_memstate *ms, const cd_address *addr,
                              evm_account *out, cd_bytes *code);
void evm_memstate_get_storage(const evm_memstate *ms, const cd_address *addr,
                              const cd_u256 *key, cd_u256 *value);

/* The host view of this state (valid while ms lives). Every host read is recorded. */
void evm_memstate_host(evm_memstate *ms, evm_host *out);
/* Accounts and slots read through the host since creation or the last clear. */
CD_MUST_CHECK cd_status evm_memstate_accessed(const evm_memstate *ms, evm_access_list *out);
void evm_memstate_clear_accessed(evm_memstate *ms);

/* Executes `tx` fully (validity checks, fees, refunds, coinbase payment, EIP-161 cleanup)
 * and commits the resulting state into `ms`. blob_schedule may be NULL (fork defaults).
 * CD_ERR_EVM_TX_INVALID: the transaction is invalid, state unchanged, reason in err. */
CD_MUST_CHECK cd_status evm_memstate_apply_tx(evm_memstate *ms, evm_fork fork,
                                              const evm_tx *tx,
                                              const evm_blob_schedule *blob_schedule,
                                              evm_result *out, cd_error *err);

/* Root of the secure state trie (keccak256(address) -> rlp([nonce, balance, storageRoot,
 * codeHash])). */
CD_MUST_CHECK cd_status evm_memstate_root(const evm_memstate *ms, cd_hash32 *root);

/* ---- helpers ------------------------------------------------------------------------- */

/* Parses a fork name as the state tests write it ("Cancun", "ConstantinopleFix", "Merge"...). */
bool evm_fork_from_name(const char *name, evm_fork *out);
const char *evm_fork_name(evm_fork f);

/* Blob base fee from excess blob gas: fake_exponential(1, excess, update_fraction). */
void evm_blob_base_fee(uint64_t excess_blob_gas, uint64_t update_fraction, cd_u256 *out);

#endif
