/* consensus: the Ethereum sync-committee light client (consensus-specs altair/light-client
 * sync-protocol and its capella/deneb/electra/fulu changes).
 *
 * Trust model: the caller supplies a trusted beacon block root (a checkpoint). Everything
 * else — bootstrap, updates, finality and optimistic updates — is verified: Merkle branches
 * against the attested state root, and the sync committee's BLS aggregate signature over
 * the attested header. The verified result is a finalized and an optimistic header, each
 * with its execution payload header (block number, block hash, state root, ...).
 *
 * Typical use (the service):
 *   lc_config cfg;  lc_config_builtin(&cfg, "mainnet");
 *   lc_store *st;   lc_store_new(&st, &cfg, NULL, &err);
 *   lc_store_bootstrap(st, &checkpoint, LC_FORK_DENEB, ssz, &err);     (or _json)
 *   lc_store_process(st, LC_MSG_UPDATE, fork, ssz, lc_current_slot(&cfg, now), &err);
 *   const lc_header *fin = lc_store_finalized(st);   fin->execution.state_root ...
 *   lc_store_serialize(st, &buf);  ...  lc_store_restore(&st, &cfg, NULL, bytes, &err);
 *
 * Inputs are hostile: every SSZ/JSON input is bounded and checked; failures return a status
 * and a reason in `err`, and leave the store unchanged. A store is not thread-safe; use one
 * per thread or lock around it. No global mutable state.
 */
#ifndef CANDOR_CONSENSUS_LIGHT_CLIENT_H
#define CANDOR_CONSENSUS_LIGHT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ---- forks and network configuration ------------------------------------------ */

typedef enum {
    LC_FORK_PHASE0 = 0,
    LC_FORK_ALTAIR,
    LC_FORK_BELLATRIX,
    LC_FORK_CAPELLA,
    LC_FORK_DENEB,
    LC_FORK_ELECTRA,
    LC_FORK_FULU,
    LC_FORK_COUNT
} lc_fork;

/* "phase0", "altair", ..., "fulu" (the beacon-API "version" strings); never NULL. */
const char *lc_fork_name(lc_fork f);
/* Parses a beacon-API "version" string (case-insensitive). CD_ERR_LC_UNKNOWN_FORK otherwise. */
CD_MUST_CHECK cd_status lc_fork_from_name(const char *name, lc_fork *out);

typedef enum { LC_PRESET_MAINNET = 0, LC_PRESET_MINIMAL } lc_preset;

#define LC_FAR_FUTURE_EPOCH UINT64_MAX
#define LC_MAX_BLOB_SCHEDULE 32

typedef struct {
    uint64_t epoch;
    uint64_t max_blobs_per_block;
} lc_blob_params;

typedef struct {
    char name[32];                       /* "mainnet", "sepolia", ..., or CONFIG_NAME */
    lc_preset preset;                    /* PRESET_BASE */
    uint64_t genesis_time;               /* unix seconds (our key GENESIS_TIME) */
    cd_hash32 genesis_validators_root;   /* our key GENESIS_VALIDATORS_ROOT */
    uint8_t fork_version[LC_FORK_COUNT][4];
    uint64_t fork_epoch[LC_FORK_COUNT];  /* LC_FAR_FUTURE_EPOCH when not scheduled */
    uint64_t seconds_per_slot;
    /* Fulu fork digests mix in blob parameters (EIP-7892). */
    uint64_t max_blobs_per_block_electra;
    lc_blob_params blob_schedule[LC_MAX_BLOB_SCHEDULE];
    size_t blob_schedule_len;
    /* From the preset (filled in by the functions below). */
    uint64_t slots_per_epoch;                  /* 32 / 8 */
    uint64_t epochs_per_sync_committee_period; /* 256 / 8 */
    uint64_t sync_committee_size;              /* 512 / 32 */
    uint64_t min_sync_committee_participants;  /* 1 */
} lc_config;

/* Built-in networks: "mainnet", "sepolia", "holesky", "hoodi", and "minimal" (the spec test
 * preset/config, genesis validators root zero, genesis time zero). */
CD_MUST_CHECK cd_status lc_config_builtin(lc_config *cfg, const char *network);
/* Parses a consensus-specs / eth-clients config.yaml (flat KEY: value lines plus the
 * BLOB_SCHEDULE list). Our two extra keys GENESIS_VALIDATORS_ROOT (0x..32 bytes) and
 * GENESIS_TIME (unix seconds) are read when present (else zero). Unknown keys are ignored.
 * CD_ERR_LC_BAD_CONFIG with the offending line on error. */
CD_MUST_CHECK cd_status lc_config_parse(lc_config *cfg, const char *text, size_t len, cd_error *err);
CD_MUST_CHECK cd_status lc_config_load(lc_config *cfg, const char *path, cd_error *err);

/* Spec helpers over a config. */
uint64_t lc_epoch_at_slot(const lc_config *cfg, uint64_t slot);
uint64_t lc_period_at_slot(const lc_config *cfg, uint64_t slot);
lc_fork lc_fork_at_epoch(const lc_config *cfg, uint64_t epoch);
/* Wall-clock slot (0 before genesis). */
uint64_t lc_current_slot(const lc_config *cfg, uint64_t unix_time);
/* compute_fork_digest(genesis_validators_root, epoch), Fulu blob-parameter mixing included. */
void lc_fork_digest_at_epoch(const lc_config *cfg, uint64_t epoch, uint8_t out[4]);
/* Which fork's containers a 4-byte fork digest (context bytes) refers to. Tries every fork
 * and blob-schedule epoch of the config. CD_ERR_LC_UNKNOWN_FORK if none matches. */
CD_MUST_CHECK cd_status lc_fork_from_digest(const lc_config *cfg, const uint8_t digest[4], lc_fork *out);
/* compute_domain(DOMAIN_SYNC_COMMITTEE, fork_version_at(epoch), genesis_validators_root). */
void lc_sync_committee_domain(const lc_config *cfg, uint64_t epoch, uint8_t out[32]);

/* ---- verified headers ------------------------------------------------------------ */

typedef struct {
    uint64_t slot;
    uint64_t proposer_index;
    cd_hash32 parent_root;
    cd_hash32 state_root;
    cd_hash32 body_root;
} lc_beacon_header;

/* ExecutionPayloadHeader, Deneb layout (a superset of Capella's; Electra and Fulu keep it).
 * Fields a fork does not have are zero. */
typedef struct {
    cd_hash32 parent_hash;
    cd_address fee_recipient;
    cd_hash32 state_root;
    cd_hash32 receipts_root;
    uint8_t logs_bloom[256];
    cd_hash32 prev_randao;
    uint64_t block_number;
    uint64_t gas_limit;
    uint64_t gas_used;
    uint64_t timestamp;
    uint8_t extra_data[32];
    size_t extra_data_len;
    cd_u256 base_fee_per_gas;
    cd_hash32 block_hash;
    cd_hash32 transactions_root;
    cd_hash32 withdrawals_root;
    uint64_t blob_gas_used;
    uint64_t excess_blob_gas;
} lc_execution_header;

#define LC_EXECUTION_BRANCH_DEPTH 4

typedef struct {
    lc_fork fork;                  /* layout the header was received in (after upgrades) */
    lc_beacon_header beacon;
    cd_hash32 beacon_root;         /* hash_tree_root(beacon) = the beacon block root */
    bool has_execution;            /* Capella+ layout with a non-empty execution header */
    lc_execution_header execution;
    cd_hash32 execution_branch[LC_EXECUTION_BRANCH_DEPTH];
    cd_hash32 execution_root;      /* get_lc_execution_root (zero before Capella) */
} lc_header;

/* ---- the store ----------------------------------------------------------------- */

typedef struct lc_store lc_store;

typedef struct {
    /* Allow lc_store_force_update (spec: process_light_client_store_force_update). It trades
     * safety for liveness: only enable it on explicit operator request. */
    bool allow_force_update;
} lc_options;

/* Allocates an empty store for `cfg` (copied). opts may be NULL (defaults: no force update). */
CD_MUST_CHECK cd_status lc_store_new(lc_store **out, const lc_config *cfg, const lc_options *opts,
                                     cd_error *err);
void lc_store_free(lc_store *st);

/* initialize_light_client_store: `ssz` is a LightClientBootstrap of `fork`. The header must
 * hash to `trusted_block_root` (CD_ERR_LC_CHECKPOINT_MISMATCH) and the committee branch must
 * verify. Replaces any previous state of the store. */
CD_MUST_CHECK cd_status lc_store_bootstrap(lc_store *st, const cd_hash32 *trusted_block_root,
                                           lc_fork fork, cd_bytes ssz, cd_error *err);
/* Same from a beacon-API JSON response {"version": "...", "data": {...}} (json-c). */
CD_MUST_CHECK cd_status lc_store_bootstrap_json(lc_store *st, const cd_hash32 *trusted_block_root,
                                                const char *json, size_t len, cd_error *err);

typedef enum {
    LC_MSG_UPDATE = 0,          /* LightClientUpdate */
    LC_MSG_FINALITY_UPDATE,     /* LightClientFinalityUpdate */
    LC_MSG_OPTIMISTIC_UPDATE,   /* LightClientOptimisticUpdate */
    LC_MSG_BOOTSTRAP            /* LightClientBootstrap (only for lc_detect/decoding) */
} lc_msg_kind;

/* process_light_client_update / _finality_update / _optimistic_update for one SSZ object
 * of `fork` (the fork of its attested header: from the context bytes via
 * lc_fork_from_digest, or the beacon-API "version"). `current_slot` is the local clock's
 * slot. CD_OK means the update was valid; it may still have changed nothing (spec rules:
 * an update that is not better is accepted and ignored). A rejected update returns the
 * reason (CD_ERR_LC_*, CD_ERR_BAD_SIGNATURE, CD_ERR_SSZ_*) and leaves the store unchanged. */
CD_MUST_CHECK cd_status lc_store_process(lc_store *st, lc_msg_kind kind, lc_fork fork, cd_bytes ssz,
                                         uint64_t current_slot, cd_error *err);
/* Beacon-API JSON: one response object {"version","data"} (finality, optimistic or update;
 * kind told from the fields of data) or an array of them (updates by range), processed in
 * order. In an array, updates that bring nothing new (CD_ERR_LC_NOT_RELEVANT: stale period,
 * or not newer than the finalized header) are skipped; any other failure stops the batch.
 * `*processed` (may be NULL) counts the updates applied. */
CD_MUST_CHECK cd_status lc_store_process_json(lc_store *st, const char *json, size_t len,
                                              uint64_t current_slot, size_t *processed, cd_error *err);
/* The SSZ body of /eth/v1/beacon/light_client/updates: chunks of (u64 LE length of digest +
 * payload, 4-byte fork digest, SSZ LightClientUpdate), processed in order; irrelevant updates
 * are skipped as for JSON arrays. */
CD_MUST_CHECK cd_status lc_store_process_update_stream(lc_store *st, cd_bytes stream,
                                                       uint64_t current_slot, size_t *processed,
                                                       cd_error *err);
/* process_light_client_store_force_update; CD_ERR_UNSUPPORTED unless allow_force_update. */
CD_MUST_CHECK cd_status lc_store_force_update(lc_store *st, uint64_t current_slot, cd_error *err);
/* Upgrades the stored headers to `fork`'s layout (spec upgrade_lc_store_to_*). Updates are
 * upgraded implicitly, so callers normally never need this (conformance tests do). */
CD_MUST_CHECK cd_status lc_store_upgrade(lc_store *st, lc_fork fork, cd_error *err);

/* Getters. NULL / 0 before bootstrap. */
bool lc_store_is_initialized(const lc_store *st);
const lc_header *lc_store_finalized(const lc_store *st);
const lc_header *lc_store_optimistic(const lc_store *st);
const lc_config *lc_store_config(const lc_store *st);
/* Sync committee period of the finalized header. */
uint64_t lc_store_current_period(const lc_store *st);
bool lc_store_next_committee_known(const lc_store *st);

/* Store persistence: a versioned binary snapshot (headers, committees, participation
 * counters, best valid update). Restore re-checks its structure and committee roots but
 * trusts its content: protect it (the service seals it). */
CD_MUST_CHECK cd_status lc_store_serialize(const lc_store *st, cd_buf *out);
CD_MUST_CHECK cd_status lc_store_restore(lc_store **out, const lc_config *cfg, const lc_options *opts,
                                         cd_bytes data, cd_error *err);

/* ---- decoding helpers ---------------------------------------------------------- */

/* One chunk of an updates-by-range SSZ stream. */
typedef struct {
    uint8_t fork_digest[4];
    cd_bytes payload;
} lc_chunk;

/* Reads the next chunk from *stream (advancing it). CD_ERR_NOT_FOUND at a clean end;
 * CD_ERR_TRUNCATED / CD_ERR_SSZ_BAD_LENGTH on a malformed chunk. */
CD_MUST_CHECK cd_status lc_stream_next(cd_bytes *stream, lc_chunk *chunk, cd_error *err);

/* Decodes (and checks the structure of) one SSZ light-client object into headers, without
 * touching a store. Each header pointer may be NULL. Used by the CLI and tests. */
CD_MUST_CHECK cd_status lc_decode_headers(const lc_config *cfg, lc_msg_kind kind, lc_fork fork,
                                          cd_bytes ssz, lc_header *attested, lc_header *finalized,
                                          uint64_t *signature_slot, cd_error *err);

/* Writes {"slot":..,"beacon_root":"0x..","execution":{"block_number":..,"block_hash":..,
 * "state_root":..,"receipts_root":..,"timestamp":..}} (execution omitted before Capella). */
CD_MUST_CHECK cd_status lc_header_to_json(const lc_header *h, cd_buf *out);

#endif
