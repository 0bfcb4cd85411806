/* consensus (private): decoded light-client objects and the store internals shared by
 * light_client.c (processing) and lc_codec.c (SSZ <-> structs, persistence). */
#ifndef CANDOR_CONSENSUS_LC_INTERNAL_H
#define CANDOR_CONSENSUS_LC_INTERNAL_H

#include "consensus/lc_types.h"
#include "consensus/light_client.h"
#include "crypto/bls12_381.h"

typedef struct {
    uint8_t pubkeys[LC_MAX_SYNC_COMMITTEE_SIZE][48];
    uint8_t aggregate[48];
    cd_hash32 root; /* hash_tree_root(SyncCommittee) */
    bool is_zero;   /* == SyncCommittee() */
} lc_committee;

/* A LightClientUpdate with branches normalized to the longest (Electra) depth: shorter
 * branches are left-padded with zero hashes, as the spec's normalize_merkle_branch does.
 * Finality and optimistic updates become updates with the missing parts zero (spec). */
typedef struct {
    lc_fork fork;                 /* layout it arrived in */
    lc_header attested;
    lc_committee next;
    cd_hash32 next_branch[LC_MAX_COMMITTEE_BRANCH];
    lc_header finalized;
    cd_hash32 finality_branch[LC_MAX_FINALITY_BRANCH];
    uint8_t bits[LC_MAX_SYNC_COMMITTEE_SIZE / 8];
    uint8_t signature[96];
    uint64_t signature_slot;
} lc_update;

typedef struct {
    lc_header header;
    lc_committee committee;
    cd_hash32 branch[LC_MAX_COMMITTEE_BRANCH];
} lc_bootstrap;

/* Decompressed pubkeys of one committee, identified by its root. */
typedef struct {
    bool valid;
    cd_hash32 root;
    bls_pubkey *keys; /* sync_committee_size entries */
} lc_pubkey_cache;

struct lc_store {
    lc_config cfg;
    lc_options opts;
    lc_types types;
    bool initialized;
    lc_header finalized, optimistic;
    lc_committee current, next;
    bool has_best;
    lc_update best;
    uint64_t previous_max_active, current_max_active;
    lc_pubkey_cache cache[2]; /* committees' keys; looked up by root */
    lc_update scratch;        /* decode buffer, so that no 25 KB object lives on the stack */
};

/* Decoding (lc_codec.c). All validate the SSZ first. */
CD_MUST_CHECK cd_status lc_decode_update(const lc_config *cfg, const lc_types *ty, lc_msg_kind kind,
                                         lc_fork fork, cd_bytes ssz, lc_update *out, cd_error *err);
CD_MUST_CHECK cd_status lc_decode_bootstrap(const lc_config *cfg, const lc_types *ty, lc_fork fork,
                                            cd_bytes ssz, lc_bootstrap *out, cd_error *err);
CD_MUST_CHECK cd_status lc_decode_header(const lc_config *cfg, const lc_types *ty, lc_fork fork,
                                         cd_bytes ssz, lc_header *out, cd_error *err);
CD_MUST_CHECK cd_status lc_decode_committee(const lc_types *ty, lc_fork fork, cd_bytes ssz,
                                            lc_committee *out, cd_error *err);
/* Encoding into the newest layout (used for persistence). */
CD_MUST_CHECK cd_status lc_encode_header(const lc_header *h, cd_buf *out);
CD_MUST_CHECK cd_status lc_encode_committee(const lc_types *ty, const lc_committee *c, cd_buf *out);
CD_MUST_CHECK cd_status lc_encode_update(const lc_types *ty, const lc_update *u, cd_buf *out);
/* get_lc_execution_root (depends on the header's epoch, not on its layout). */
void lc_compute_execution_root(const lc_config *cfg, const lc_types *ty, lc_header *h);
bool lc_header_is_zero(const lc_header *h);
/* is_better_update(new, old). */
bool lc_is_better_update(const lc_config *cfg, const lc_update *n, const lc_update *o);
bool lc_execution_is_zero(const lc_execution_header *e);

#endif
