/* Proven state at one verified block: every account, storage slot and code read is
 * fetched with eth_getProof / eth_getCode and verified against the block's state root
 * (mpt/) before it is used. This is the EVM's host (evm_host) and the JSON-RPC state
 * methods' source. One svc_state per request; not shared between threads.
 *
 * Providers are tried in order; one whose proof fails verification is reported as lying
 * and the next one is asked. Nothing unproven is ever returned: a read that no provider
 * can prove fails with CD_ERR_EVM_STATE_UNAVAILABLE and the reason. */
#ifndef CANDOR_SVC_STATE_H
#define CANDOR_SVC_STATE_H

#include "evm/evm.h"
#include "mpt/mpt.h"
#include "src/service.h"

/* Bounds of one answer's proven state (docs/api.md, "Bounds of /call"). */
#define SVC_STATE_MAX_ACCOUNTS 1024
#define SVC_STATE_MAX_SLOTS 8192
/* Upstream HTTP requests one answer may cause, batches included: bounds what a call crafted
 * to defeat batching (each read depending on the one before) can cost. */
#define SVC_STATE_MAX_ROUND_TRIPS 256
/* Batches: storage keys in one eth_getProof call (geth and reth refuse more than 1024,
 * erigon more than 1000 by default), and per batch request the storage keys and the
 * JSON-RPC calls (eth_getProof + eth_getCode). 1024 mainnet storage proofs are about 9 MB
 * of JSON, well under geth's default 25 MB batch answer limit; 128 calls are under its
 * 1000-call limit. Fewer, larger eth_getProof calls are cheaper for nodes that walk the
 * storage trie once per call (anvil). */
#define SVC_STATE_PROOF_KEYS 1000
#define SVC_STATE_BATCH_KEYS 1024
#define SVC_STATE_BATCH_CALLS 128
/* Executions that collect unproven reads (answering them provisionally) before the last,
 * which proves any read still missing one by one. */
#define SVC_STATE_MAX_PASSES 8

typedef struct {
    cd_address addr;
    evm_account acc;
    cd_hash32 storage_root;
    bool has_code;
    cd_buf code;
    bool proven;                  /* false: asked for in a collecting pass, not yet proven */
    bool want_code;               /* a collecting pass needs its code */
} svc_state_account;

typedef struct {
    cd_address addr;
    cd_u256 key;
    cd_u256 value;
    bool proven;                  /* false: asked for in a collecting pass, not yet proven */
} svc_state_slot;

typedef struct {
    svc_service *s;
    svc_head head;
    char block_tag[24];           /* the block number as a quantity, for upstream calls */
    svc_state_account *accounts;
    size_t n_accounts;
    svc_state_slot *slots;
    size_t n_slots;
    unsigned round_trips;         /* upstream HTTP requests made */
    cd_error err;                 /* why the last read failed */
    uint32_t *slot_index;         /* open-addressing hash of slots (index + 1; 0 = empty) */
    size_t slot_index_cap;        /* a power of two, at least twice n_slots */
    bool collect;                 /* collecting pass: unproven reads are recorded, answered 0/absent */
    unsigned misses;              /* unproven reads answered provisionally in this pass */
    unsigned passes;              /* executions run */
} svc_state;

void svc_state_init(svc_state *st, svc_service *s, const svc_head *head);
void svc_state_free(svc_state *st);

/* Proves (and caches) the listed accounts, their code and slots, in batch requests of at
 * most SVC_STATE_BATCH_KEYS keys / SVC_STATE_BATCH_CALLS calls. */
CD_MUST_CHECK cd_status svc_state_prefetch(svc_state *st, const evm_access_list *al, cd_error *err);

/* Starts an execution over this state. In a collecting pass (collect = true) a read of
 * anything not yet proven is recorded and answered provisionally (an absent account, a zero
 * slot; a missing code aborts the execution): st->misses counts them, and a pass with
 * misses must be thrown away. A pass with no misses read only proven values. Outside a
 * collecting pass every read is proven when it is asked (one request each). */
void svc_state_begin_pass(svc_state *st, bool collect);
/* Proves everything recorded as missing, in batches (as svc_state_prefetch). */
CD_MUST_CHECK cd_status svc_state_prove_missing(svc_state *st, cd_error *err);
CD_MUST_CHECK cd_status svc_state_account_get(svc_state *st, const cd_address *a, const svc_state_account **out,
                                              cd_error *err);
CD_MUST_CHECK cd_status svc_state_storage_get(svc_state *st, const cd_address *a, const cd_u256 *key,
                                              cd_u256 *value, cd_error *err);
CD_MUST_CHECK cd_status svc_state_code_get(svc_state *st, const cd_address *a, cd_bytes *code, cd_error *err);
/* An eth_getProof result for (a, keys) verified against the block; returns the upstream
 * JSON object (owned by the caller) only after it verified. */
CD_MUST_CHECK cd_status svc_state_get_proof(svc_state *st, const cd_address *a, const cd_u256 *keys, size_t n_keys,
                                            json_object **out, cd_error *err);

/* The evm_host view and the EVM fork of the block. */
void svc_state_host(svc_state *st, evm_host *out);
evm_fork svc_state_fork(const svc_state *st);

#endif
