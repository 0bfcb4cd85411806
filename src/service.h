/* The daemon's shared state: configuration, the sealed store and signing key, the TEE
 * provider, the upstream pools, the light-client store and the verified heads.
 *
 * Threads: one sync thread writes the light-client store and the heads; libmicrohttpd's
 * worker threads read heads (copies, under `mu`) and do their own upstream requests.
 * Nothing here is global: cmd_serve owns one svc_service. */
#ifndef CANDOR_SVC_SERVICE_H
#define CANDOR_SVC_SERVICE_H

#include <pthread.h>
#include <stdatomic.h>

#include "api/api.h"
#include "attest/attest.h"
#include "consensus/light_client.h"
#include "src/config.h"
#include "src/eip712.h"
#include "src/log.h"
#include "src/signer.h"
#include "src/store.h"
#include "src/upstream.h"

#define SVC_RECENT_HEADS 256

/* A verified execution block: the light client proved its execution payload header. */
typedef struct {
    svc_block_claim claim;      /* what a signature covers (finalized flag included) */
    lc_execution_header exec;   /* the full payload header (timestamp, gas limit, ...) */
} svc_head;

typedef struct {
    atomic_uint_fast64_t signed_answers;
    atomic_uint_fast64_t refused_answers;   /* could not be verified: error, nothing signed */
    atomic_uint_fast64_t lc_applied;
    atomic_uint_fast64_t lc_rejected;
    atomic_uint_fast64_t proofs_verified;
    atomic_uint_fast64_t proofs_failed;
    atomic_uint_fast64_t store_writes;
    atomic_uint_fast64_t rpc_calls;
    atomic_uint_fast64_t evm_calls;
} svc_metrics;

typedef struct svc_service {
    svc_config cfg;
    svc_log log;
    lc_config net;
    uint64_t chain_id;          /* the execution chain id answers are signed for (src/chainid.h) */
    char config_text[512];      /* canonical config bytes bound into the quote */
    cd_hash32 config_digest;
    svc_store *store;
    svc_signer *signer;
    att_provider *tee;
    svc_pool exec;
    svc_pool beacon;
    svc_metrics m;
    atomic_bool stop;

    pthread_mutex_t mu;         /* guards everything below */
    lc_store *lc;
    bool have_latest, have_finalized;
    svc_head latest, finalized;
    svc_head recent[SVC_RECENT_HEADS]; /* ring of verified heads, for lookups by number/hash */
    size_t recent_next, recent_count;
    char *block_answer[2];      /* cached signed /block answers: [0] latest, [1] finalized */
    size_t block_answer_len[2];
    char *attest_answer;        /* cached /attest without nonce (quotes can take a while) */
    size_t attest_answer_len;
    char sync_error[256];
    uint64_t last_progress;     /* unix time the head last advanced */
    uint64_t persisted_finalized_slot;
    char chain_id_error[256];   /* an execution upstream on another chain, or unchecked (src/chainid.c) */
    struct svc_gov *gov;        /* governance snapshot and self-check (src/governance.c; own lock) */
    struct svc_peers *peers;    /* cluster setup, key and peer channel (src/peers.c; own lock) */
} svc_service;

/* Opens everything that does not need the network: TEE provider, sealing key, store,
 * signing key, network config, upstream pools. */
CD_MUST_CHECK cd_status svc_service_init(svc_service *s, const svc_config *cfg, cd_error *err);
void svc_service_free(svc_service *s);

/* ---- heads (thread-safe) ---- */
/* Copies the latest (or finalized) verified head; false if none yet. */
bool svc_get_head(svc_service *s, bool finalized, svc_head *out);
/* Finds a verified head by block number or hash among the recent ones. */
bool svc_find_head(svc_service *s, const api_block_ref *ref, svc_head *out, cd_error *err);
/* Like svc_find_head, and for older blocks (at most 256 below a verified head) proves them
 * through the parent-hash chain (src/ancestry.c). For JSON-RPC; never for signed answers. */
bool svc_find_block(svc_service *s, const api_block_ref *ref, svc_head *out, cd_error *err);
/* Proves block `n` (at most 256 below `anchor`) an ancestor of the verified `anchor` by the
 * parent-hash chain; `out` has no beacon slot and inherits the anchor's finalized flag
 * (n == anchor's number gives the anchor itself). CD_ERR_NOT_FOUND when out of reach. */
CD_MUST_CHECK cd_status svc_prove_ancestor(svc_service *s, const svc_head *anchor, uint64_t n, svc_head *out, cd_error *err);
/* Current wall-clock slot and how far the verified head lags behind it. */
uint64_t svc_current_slot(const svc_service *s);
bool svc_is_synced(svc_service *s, uint64_t *lag_slots);

/* ---- sync (src/sync.c) ---- */
/* Restores the light-client store from the sealed store, or bootstraps it from the
 * checkpoint (refusing one older than --max-checkpoint-age). */
CD_MUST_CHECK cd_status svc_sync_start(svc_service *s, cd_error *err);
/* One round: committee updates if needed, finality and optimistic updates. */
CD_MUST_CHECK cd_status svc_sync_step(svc_service *s, cd_error *err);
/* The sync thread body: svc_sync_step every slot until s->stop. */
void *svc_sync_thread(void *arg);
/* Recomputes heads from the lc store (caller holds mu). */
void svc_heads_refresh_locked(svc_service *s);

/* ---- answers (src/backend.c, src/rpc.c) ---- */
void svc_backend(svc_service *s, api_backend *out);
void svc_rpc_dispatch(void *ctx, const char *method, json_object *params, api_rpc_result *out);
/* The /call route (src/call.c). */
void svc_call_route(void *ctx, const api_call_request *req, api_response *out);

/* Adds the block claim fields and the signature fields to an answer object. */
CD_MUST_CHECK cd_status svc_add_block_fields(json_object *o, const svc_head *h);
CD_MUST_CHECK cd_status svc_add_signature(svc_service *s, json_object *o, const uint8_t digest[32]);
/* All receipts of a verified block, rebuilt into its receiptsRoot, each linked to the
 * verified transaction list (src/rpc.c); logs carry their proven position. */
CD_MUST_CHECK cd_status svc_block_receipts(svc_service *s, const svc_head *h, json_object **out, cd_error *err);
/* The /dvn/verify route (src/dvn.c): registered on the backend. */
CD_MUST_CHECK cd_status svc_dvn_add_route(svc_service *s, api_backend *b);

#endif
