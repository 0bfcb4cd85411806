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

#define SVC_STATE_MAX_ACCOUNTS 1024
#define SVC_STATE_MAX_SLOTS 8192
/* Upstream requests one request may cause: bounds what a call crafted to touch many
 * unprefetched slots can cost (each miss is a round trip). */
#define SVC_STATE_MAX_ROUND_TRIPS 256

typedef struct {
    cd_address addr;
    evm_account acc;
    cd_hash32 storage_root;
    bool has_code;
    cd_buf code;
} svc_state_account;

typedef struct {
    cd_address addr;
    cd_u256 key;
    cd_u256 value;
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
} svc_state;

void svc_state_init(svc_state *st, svc_service *s, const svc_head *head);
void svc_state_free(svc_state *st);

/* Proves (and caches) the listed accounts and slots with one batched eth_getProof request. */
CD_MUST_CHECK cd_status svc_state_prefetch(svc_state *st, const evm_access_list *al, cd_error *err);
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
