/* The light-client store: consensus-specs sync-protocol (altair, with the capella, deneb
 * and electra changes), written top-down like the spec. Decoding lives in lc_codec.c. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/lc_internal.h"

/* ---- small spec helpers ------------------------------------------------------------- */

static uint64_t popcount_bits(const uint8_t *bits, size_t nbytes) {
    uint64_t n = 0;
    for (size_t i = 0; i < nbytes; i++) n += (uint64_t)__builtin_popcount(bits[i]);
    return n;
}

static bool hash_is_zero(const cd_hash32 *h, size_t n) {
    const uint8_t *p = h->b;
    for (size_t i = 0; i < 32 * n; i++)
        if (p[i]) return false;
    return true;
}

static uint64_t sync_period(const lc_store *st, uint64_t slot) { return lc_period_at_slot(&st->cfg, slot); }

static lc_fork fork_at_slot(const lc_config *cfg, uint64_t slot) {
    return lc_fork_at_epoch(cfg, lc_epoch_at_slot(cfg, slot));
}

/* is_valid_normalized_merkle_branch over a branch stored at `max` depth. */
static bool valid_normalized_branch(const cd_hash32 *leaf, const cd_hash32 *branch, size_t max, uint64_t gindex,
                                    const cd_hash32 *root) {
    size_t depth = ssz_gindex_depth(gindex);
    if (depth > max) return false;
    size_t extra = max - depth;
    if (!hash_is_zero(branch, extra)) return false;
    uint64_t index = gindex - ((uint64_t)1 << depth);
    return ssz_is_valid_merkle_branch(leaf, branch + extra, depth, index, root);
}

/* is_valid_light_client_header (deneb version; it subsumes altair's and capella's for our
 * superset representation, where absent fields are zero). */
static bool valid_header(const lc_config *cfg, const lc_header *h, const char **why) {
    uint64_t epoch = lc_epoch_at_slot(cfg, h->beacon.slot);
    uint64_t deneb = cfg->fork_epoch[LC_FORK_DENEB], capella = cfg->fork_epoch[LC_FORK_CAPELLA];
    bool before_deneb = deneb == LC_FAR_FUTURE_EPOCH || epoch < deneb;
    bool before_capella = capella == LC_FAR_FUTURE_EPOCH || epoch < capella;
    if (before_deneb && (h->execution.blob_gas_used || h->execution.excess_blob_gas)) {
        *why = "blob gas fields set before deneb";
        return false;
    }
    if (before_capella) {
        if (!lc_execution_is_zero(&h->execution) ||
            !hash_is_zero(h->execution_branch, LC_EXECUTION_BRANCH_DEPTH)) {
            *why = "execution payload header present before capella";
            return false;
        }
        return true;
    }
    if (!ssz_is_valid_merkle_branch(&h->execution_root, h->execution_branch,
                                    ssz_gindex_depth(LC_EXECUTION_PAYLOAD_GINDEX),
                                    LC_EXECUTION_PAYLOAD_GINDEX - 16, &h->beacon.body_root)) {
        *why = "execution branch does not lead to the body root";
        return false;
    }
    return true;
}

static bool is_sync_committee_update(const lc_update *u) {
    return !hash_is_zero(u->next_branch, LC_MAX_COMMITTEE_BRANCH);
}

static bool is_finality_update(const lc_update *u) {
    return !hash_is_zero(u->finality_branch, LC_MAX_FINALITY_BRANCH);
}

static bool next_committee_known(const lc_store *st) { return !st->next.is_zero; }

static uint64_t safety_threshold(const lc_store *st) {
    uint64_t m = st->previous_max_active > st->current_max_active ? st->previous_max_active : st->current_max_active;
    return m / 2;
}

bool lc_is_better_update(const lc_config *cfg, const lc_update *n, const lc_update *o) {
    size_t nbytes = (size_t)(cfg->sync_committee_size / 8);
    uint64_t max_active = cfg->sync_committee_size;
    uint64_t n_act = popcount_bits(n->bits, nbytes), o_act = popcount_bits(o->bits, nbytes);
    bool n_super = n_act * 3 >= max_active * 2, o_super = o_act * 3 >= max_active * 2;
    if (n_super != o_super) return n_super;
    if (!n_super && n_act != o_act) return n_act > o_act;
    bool n_rel = is_sync_committee_update(n) &&
                 lc_period_at_slot(cfg, n->attested.beacon.slot) == lc_period_at_slot(cfg, n->signature_slot);
    bool o_rel = is_sync_committee_update(o) &&
                 lc_period_at_slot(cfg, o->attested.beacon.slot) == lc_period_at_slot(cfg, o->signature_slot);
    if (n_rel != o_rel) return n_rel;
    bool n_fin = is_finality_update(n), o_fin = is_finality_update(o);
    if (n_fin != o_fin) return n_fin;
    if (n_fin) {
        bool n_scf = lc_period_at_slot(cfg, n->finalized.beacon.slot) == lc_period_at_slot(cfg, n->attested.beacon.slot);
        bool o_scf = lc_period_at_slot(cfg, o->finalized.beacon.slot) == lc_period_at_slot(cfg, o->attested.beacon.slot);
        if (n_scf != o_scf) return n_scf;
    }
    if (n_act != o_act) return n_act > o_act;
    if (n->attested.beacon.slot != o->attested.beacon.slot)
        return n->attested.beacon.slot < o->attested.beacon.slot;
    return n->signature_slot < o->signature_slot;
}

/* ---- committee pubkey cache ------------------------------------------------------------ */

/* Decompressed keys of `c`, decompressing (and KeyValidating) them once per committee. */
static cd_status committee_keys(lc_store *st, const lc_committee *c, const bls_pubkey **keys, cd_error *err) {
    for (int i = 0; i < 2; i++)
        if (st->cache[i].valid && cd_hash32_eq(&st->cache[i].root, &c->root)) {
            *keys = st->cache[i].keys;
            return CD_OK;
        }
    /* Evict the entry that is not the current committee. */
    int slot = (st->cache[0].valid && cd_hash32_eq(&st->cache[0].root, &st->current.root)) ? 1 : 0;
    lc_pubkey_cache *pc = &st->cache[slot];
    pc->valid = false;
    size_t n = (size_t)st->cfg.sync_committee_size;
    for (size_t i = 0; i < n; i++) {
        cd_status s = bls_pubkey_decompress(&pc->keys[i], c->pubkeys[i]);
        if (s != CD_OK)
            return cd_fail(err, CD_ERR_BAD_PUBKEY, "sync committee pubkey %zu invalid: %s", i, cd_status_str(s));
    }
    pc->root = c->root;
    pc->valid = true;
    *keys = pc->keys;
    return CD_OK;
}

/* ---- validate / apply / process ------------------------------------------------------ */

static cd_status verify_sync_aggregate(lc_store *st, const lc_update *u, const lc_committee *committee,
                                       cd_error *err) {
    const bls_pubkey *keys = NULL;
    cd_status s = committee_keys(st, committee, &keys, err);
    if (s != CD_OK) return s;
    size_t n = (size_t)st->cfg.sync_committee_size;
    const bls_pubkey *ptrs[LC_MAX_SYNC_COMMITTEE_SIZE];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (u->bits[i / 8] >> (i % 8) & 1) ptrs[k++] = &keys[i];
    uint64_t fv_slot = (u->signature_slot > 1 ? u->signature_slot : 1) - 1;
    uint8_t domain[32], signing_root[32];
    lc_sync_committee_domain(&st->cfg, lc_epoch_at_slot(&st->cfg, fv_slot), domain);
    ssz_hash_pair(signing_root, u->attested.beacon_root.b, domain);
    s = bls_fast_aggregate_verify(ptrs, k, signing_root, 32, u->signature);
    if (s == CD_ERR_BAD_SIGNATURE)
        return cd_fail(err, CD_ERR_BAD_SIGNATURE, "sync committee signature over slot %llu does not verify (%zu signers)",
                       (unsigned long long)u->attested.beacon.slot, k);
    if (s != CD_OK) return cd_fail(err, s, "sync committee signature malformed: %s", cd_status_str(s));
    return CD_OK;
}

static cd_status validate_update(lc_store *st, const lc_update *u, uint64_t current_slot, cd_error *err) {
    const lc_config *cfg = &st->cfg;
    size_t nbytes = (size_t)(cfg->sync_committee_size / 8);
    uint64_t participants = popcount_bits(u->bits, nbytes);
    if (participants < cfg->min_sync_committee_participants)
        return cd_fail(err, CD_ERR_LC_PARTICIPATION, "%llu sync committee participants, need %llu",
                       (unsigned long long)participants, (unsigned long long)cfg->min_sync_committee_participants);
    const char *why = "";
    if (!valid_header(cfg, &u->attested, &why))
        return cd_fail(err, CD_ERR_LC_BAD_EXECUTION, "attested header: %s", why);
    uint64_t att_slot = u->attested.beacon.slot, fin_slot = u->finalized.beacon.slot;
    if (!(current_slot >= u->signature_slot && u->signature_slot > att_slot && att_slot >= fin_slot))
        return cd_fail(err, CD_ERR_LC_BAD_SLOT,
                       "need current %llu >= signature %llu > attested %llu >= finalized %llu",
                       (unsigned long long)current_slot, (unsigned long long)u->signature_slot,
                       (unsigned long long)att_slot, (unsigned long long)fin_slot);
    uint64_t store_period = sync_period(st, st->finalized.beacon.slot);
    uint64_t sig_period = sync_period(st, u->signature_slot);
    /* Stale data is its own case so that batch callers can skip it (the spec rejects it too). */
    if (sig_period < store_period)
        return cd_fail(err, CD_ERR_LC_NOT_RELEVANT, "signature period %llu is before the store period %llu",
                       (unsigned long long)sig_period, (unsigned long long)store_period);
    if (next_committee_known(st) ? (sig_period != store_period && sig_period != store_period + 1)
                                 : sig_period != store_period)
        return cd_fail(err, CD_ERR_LC_BAD_PERIOD, "signature period %llu, store period %llu%s",
                       (unsigned long long)sig_period, (unsigned long long)store_period,
                       next_committee_known(st) ? "" : " (next committee unknown)");
    uint64_t att_period = sync_period(st, att_slot);
    bool has_next = !next_committee_known(st) && is_sync_committee_update(u) && att_period == store_period;
    if (!(att_slot > st->finalized.beacon.slot || has_next))
        return cd_fail(err, CD_ERR_LC_NOT_RELEVANT, "attested slot %llu not after finalized slot %llu",
                       (unsigned long long)att_slot, (unsigned long long)st->finalized.beacon.slot);
    lc_fork att_fork = fork_at_slot(cfg, att_slot);
    if (!is_finality_update(u)) {
        if (!lc_header_is_zero(&u->finalized))
            return cd_fail(err, CD_ERR_LC_BAD_BRANCH, "finalized header without a finality branch");
    } else {
        cd_hash32 fin_root;
        if (fin_slot == 0) {
            if (!lc_header_is_zero(&u->finalized))
                return cd_fail(err, CD_ERR_LC_BAD_BRANCH, "genesis finalized header must be empty");
            memset(fin_root.b, 0, 32);
        } else {
            if (!valid_header(cfg, &u->finalized, &why))
                return cd_fail(err, CD_ERR_LC_BAD_EXECUTION, "finalized header: %s", why);
            fin_root = u->finalized.beacon_root;
        }
        if (!valid_normalized_branch(&fin_root, u->finality_branch, LC_MAX_FINALITY_BRANCH,
                                     lc_finalized_root_gindex(att_fork), &u->attested.beacon.state_root))
            return cd_fail(err, CD_ERR_LC_BAD_BRANCH, "finality branch does not lead to the attested state root");
    }
    if (!is_sync_committee_update(u)) {
        if (!u->next.is_zero)
            return cd_fail(err, CD_ERR_LC_BAD_BRANCH, "next sync committee without a branch");
    } else {
        if (att_period == store_period && next_committee_known(st) && !cd_hash32_eq(&u->next.root, &st->next.root))
            return cd_fail(err, CD_ERR_LC_BAD_BRANCH, "next sync committee differs from the known one");
        if (!valid_normalized_branch(&u->next.root, u->next_branch, LC_MAX_COMMITTEE_BRANCH,
                                     lc_next_committee_gindex(att_fork), &u->attested.beacon.state_root))
            return cd_fail(err, CD_ERR_LC_BAD_BRANCH,
                           "next sync committee branch does not lead to the attested state root");
    }
    const lc_committee *committee = sig_period == store_period ? &st->current : &st->next;
    return verify_sync_aggregate(st, u, committee, err);
}

/* Whether apply_light_client_update's assertion would hold (checked before any change, so a
 * failing update leaves the store untouched). */
static bool can_apply(const lc_store *st, const lc_update *u) {
    return next_committee_known(st) ||
           sync_period(st, u->finalized.beacon.slot) == sync_period(st, st->finalized.beacon.slot);
}

static void apply_update(lc_store *st, const lc_update *u) {
    uint64_t store_period = sync_period(st, st->finalized.beacon.slot);
    uint64_t fin_period = sync_period(st, u->finalized.beacon.slot);
    if (!next_committee_known(st)) {
        st->next = u->next;
    } else if (fin_period == store_period + 1) {
        st->current = st->next;
        st->next = u->next;
        st->previous_max_active = st->current_max_active;
        st->current_max_active = 0;
    }
    if (u->finalized.beacon.slot > st->finalized.beacon.slot) {
        st->finalized = u->finalized;
        if (st->finalized.beacon.slot > st->optimistic.beacon.slot) st->optimistic = st->finalized;
    }
}

static cd_status process_update(lc_store *st, const lc_update *u, uint64_t current_slot, cd_error *err) {
    cd_status s = validate_update(st, u, current_slot, err);
    if (s != CD_OK) return s;
    size_t nbytes = (size_t)(st->cfg.sync_committee_size / 8);
    uint64_t participants = popcount_bits(u->bits, nbytes);
    bool has_finalized_next = !next_committee_known(st) && is_sync_committee_update(u) && is_finality_update(u) &&
                              sync_period(st, u->finalized.beacon.slot) == sync_period(st, u->attested.beacon.slot);
    bool will_apply = participants * 3 >= st->cfg.sync_committee_size * 2 &&
                      (u->finalized.beacon.slot > st->finalized.beacon.slot || has_finalized_next);
    if (will_apply && !can_apply(st, u))
        return cd_fail(err, CD_ERR_LC_BAD_PERIOD, "finalized header of update is outside the store period");
    if (!st->has_best || lc_is_better_update(&st->cfg, u, &st->best)) {
        st->best = *u;
        st->has_best = true;
    }
    if (participants > st->current_max_active) st->current_max_active = participants;
    if (participants > safety_threshold(st) && u->attested.beacon.slot > st->optimistic.beacon.slot)
        st->optimistic = u->attested;
    if (will_apply) {
        apply_update(st, u);
        st->has_best = false;
    }
    return CD_OK;
}

/* ---- public API ------------------------------------------------------------------- */

cd_status lc_store_new(lc_store **out, const lc_config *cfg, const lc_options *opts, cd_error *err) {
    *out = NULL;
    if (!cfg || cfg->sync_committee_size == 0 || cfg->sync_committee_size > LC_MAX_SYNC_COMMITTEE_SIZE ||
        cfg->sync_committee_size % 8 || cfg->slots_per_epoch == 0 || cfg->epochs_per_sync_committee_period == 0)
        return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "light client: unusable config");
    lc_store *st = calloc(1, sizeof *st);
    if (!st) return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    st->cfg = *cfg;
    if (opts) st->opts = *opts;
    cd_status s = lc_types_init(&st->types, cfg->preset);
    if (s != CD_OK) {
        free(st);
        return cd_fail(err, s, "light client: cannot build SSZ types");
    }
    for (int i = 0; i < 2; i++) {
        st->cache[i].keys = calloc((size_t)cfg->sync_committee_size, sizeof(bls_pubkey));
        if (!st->cache[i].keys) {
            lc_store_free(st);
            return cd_fail(err, CD_ERR_NOMEM, "out of memory");
        }
    }
    st->next.is_zero = true;
    *out = st;
    return CD_OK;
}

void lc_store_free(lc_store *st) {
    if (!st) return;
    for (int i = 0; i < 2; i++) free(st->cache[i].keys);
    lc_types_free(&st->types);
    free(st);
}

static cd_status check_fork(const lc_store *st, lc_fork fork, cd_error *err) {
    if (fork <= LC_FORK_PHASE0 || fork >= LC_FORK_COUNT)
        return cd_fail(err, CD_ERR_LC_UNKNOWN_FORK, "light-client data needs altair or later (got %s)",
                       lc_fork_name(fork));
    (void)st;
    return CD_OK;
}

cd_status lc_store_bootstrap(lc_store *st, const cd_hash32 *trusted_block_root, lc_fork fork, cd_bytes ssz,
                             cd_error *err) {
    cd_status s = check_fork(st, fork, err);
    if (s != CD_OK) return s;
    lc_bootstrap *b = malloc(sizeof *b);
    if (!b) return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    s = lc_decode_bootstrap(&st->cfg, &st->types, fork, ssz, b, err);
    if (s != CD_OK) {
        cd_error_prefix(err, "bootstrap: ");
        free(b);
        return s;
    }
    const char *why = "";
    if (!valid_header(&st->cfg, &b->header, &why)) {
        s = cd_fail(err, CD_ERR_LC_BAD_EXECUTION, "bootstrap header: %s", why);
    } else if (!cd_hash32_eq(&b->header.beacon_root, trusted_block_root)) {
        char got[67], want[67];
        cd_hex_encode(got, b->header.beacon_root.b, 32);
        cd_hex_encode(want, trusted_block_root->b, 32);
        s = cd_fail(err, CD_ERR_LC_CHECKPOINT_MISMATCH, "bootstrap header root %s, trusted %s", got, want);
    } else if (!valid_normalized_branch(&b->committee.root, b->branch, LC_MAX_COMMITTEE_BRANCH,
                                        lc_current_committee_gindex(fork_at_slot(&st->cfg, b->header.beacon.slot)),
                                        &b->header.beacon.state_root)) {
        s = cd_fail(err, CD_ERR_LC_BAD_BRANCH, "bootstrap: current sync committee branch does not lead to the state root");
    }
    if (s == CD_OK) {
        st->finalized = b->header;
        st->optimistic = b->header;
        st->current = b->committee;
        memset(&st->next, 0, sizeof st->next);
        st->next.is_zero = true;
        st->has_best = false;
        st->previous_max_active = st->current_max_active = 0;
        st->initialized = true;
    }
    free(b);
    return s;
}

cd_status lc_store_process(lc_store *st, lc_msg_kind kind, lc_fork fork, cd_bytes ssz, uint64_t current_slot,
                           cd_error *err) {
    if (!st->initialized) return cd_fail(err, CD_ERR_NOT_SYNCED, "light client: store not bootstrapped");
    cd_status s = check_fork(st, fork, err);
    if (s != CD_OK) return s;
    if (kind == LC_MSG_BOOTSTRAP) return cd_fail(err, CD_ERR_INVALID_ARG, "a bootstrap is not an update");
    s = lc_decode_update(&st->cfg, &st->types, kind, fork, ssz, &st->scratch, err);
    if (s == CD_OK) s = process_update(st, &st->scratch, current_slot, err);
    return s;
}

cd_status lc_store_force_update(lc_store *st, uint64_t current_slot, cd_error *err) {
    if (!st->opts.allow_force_update)
        return cd_fail(err, CD_ERR_UNSUPPORTED, "forced light-client updates are disabled");
    if (!st->initialized) return cd_fail(err, CD_ERR_NOT_SYNCED, "light client: store not bootstrapped");
    uint64_t timeout = st->cfg.slots_per_epoch * st->cfg.epochs_per_sync_committee_period;
    if (!(current_slot > st->finalized.beacon.slot + timeout && st->has_best)) return CD_OK;
    lc_update *b = &st->scratch;
    *b = st->best;
    if (b->finalized.beacon.slot <= st->finalized.beacon.slot) b->finalized = b->attested;
    if (!can_apply(st, b))
        return cd_fail(err, CD_ERR_LC_BAD_PERIOD, "best update cannot be applied to the store period");
    apply_update(st, b);
    st->has_best = false;
    return CD_OK;
}

cd_status lc_store_upgrade(lc_store *st, lc_fork fork, cd_error *err) {
    cd_status s = check_fork(st, fork, err);
    if (s != CD_OK) return s;
    /* Upgrades only add zero fields, which our representation already has. */
    if (st->finalized.fork < fork) st->finalized.fork = fork;
    if (st->optimistic.fork < fork) st->optimistic.fork = fork;
    if (st->has_best && st->best.fork < fork) {
        st->best.fork = fork;
        st->best.attested.fork = st->best.finalized.fork = fork;
    }
    return CD_OK;
}

bool lc_store_is_initialized(const lc_store *st) { return st && st->initialized; }
const lc_header *lc_store_finalized(const lc_store *st) { return st && st->initialized ? &st->finalized : NULL; }
const lc_header *lc_store_optimistic(const lc_store *st) { return st && st->initialized ? &st->optimistic : NULL; }
const lc_config *lc_store_config(const lc_store *st) { return &st->cfg; }
uint64_t lc_store_current_period(const lc_store *st) {
    return st && st->initialized ? sync_period(st, st->finalized.beacon.slot) : 0;
}
bool lc_store_next_committee_known(const lc_store *st) { return st && st->initialized && next_committee_known(st); }

/* ---- update streams ------------------------------------------------------------------- */

cd_status lc_stream_next(cd_bytes *stream, lc_chunk *chunk, cd_error *err) {
    if (stream->len == 0) return CD_ERR_NOT_FOUND;
    if (stream->len < 12) return cd_fail(err, CD_ERR_TRUNCATED, "update stream: chunk header truncated");
    uint64_t len = ssz_read_u64(stream->ptr);
    /* response_chunk_len covers the 4-byte context and the payload */
    if (len < 4) return cd_fail(err, CD_ERR_SSZ_BAD_LENGTH, "update stream: chunk length %llu", (unsigned long long)len);
    if (len > stream->len - 8)
        return cd_fail(err, CD_ERR_TRUNCATED, "update stream: chunk of %llu bytes, %zu left",
                       (unsigned long long)len, stream->len - 8);
    memcpy(chunk->fork_digest, stream->ptr + 8, 4);
    chunk->payload = cd_bytes_make(stream->ptr + 12, (size_t)len - 4);
    stream->ptr += 8 + len;
    stream->len -= 8 + (size_t)len;
    return CD_OK;
}

cd_status lc_store_process_update_stream(lc_store *st, cd_bytes stream, uint64_t current_slot, size_t *processed,
                                         cd_error *err) {
    size_t n = 0, index = 0;
    if (processed) *processed = 0;
    for (;;) {
        lc_chunk c;
        cd_status s = lc_stream_next(&stream, &c, err);
        if (s == CD_ERR_NOT_FOUND) break;
        if (s != CD_OK) return s;
        lc_fork fork;
        if (lc_fork_from_digest(&st->cfg, c.fork_digest, &fork) != CD_OK)
            return cd_fail(err, CD_ERR_LC_UNKNOWN_FORK, "update %zu: unknown fork digest %02x%02x%02x%02x", index,
                           c.fork_digest[0], c.fork_digest[1], c.fork_digest[2], c.fork_digest[3]);
        s = lc_store_process(st, LC_MSG_UPDATE, fork, c.payload, current_slot, err);
        index++;
        if (s == CD_ERR_LC_NOT_RELEVANT) continue; /* e.g. the period we already have */
        if (s != CD_OK) {
            cd_error_prefix(err, "update %zu: ", index - 1);
            return s;
        }
        n++;
        if (processed) *processed = n;
    }
    cd_error_clear(err);
    return CD_OK;
}

/* ---- beacon-API JSON ---------------------------------------------------------------- */

static cd_status json_kind(json_object *data, lc_msg_kind *kind) {
    json_object *x;
    if (json_object_object_get_ex(data, "current_sync_committee", &x)) *kind = LC_MSG_BOOTSTRAP;
    else if (json_object_object_get_ex(data, "next_sync_committee", &x)) *kind = LC_MSG_UPDATE;
    else if (json_object_object_get_ex(data, "finalized_header", &x)) *kind = LC_MSG_FINALITY_UPDATE;
    else if (json_object_object_get_ex(data, "attested_header", &x)) *kind = LC_MSG_OPTIMISTIC_UPDATE;
    else return CD_ERR_BAD_JSON;
    return CD_OK;
}

/* {"version": "...", "data": {...}} -> fork, kind and SSZ bytes. */
static cd_status json_to_ssz(const lc_store *st, json_object *obj, lc_fork *fork, lc_msg_kind *kind, cd_buf *ssz,
                             cd_error *err) {
    json_object *ver, *data;
    if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, "data", &data) ||
        !json_object_is_type(data, json_type_object))
        return cd_fail(err, CD_ERR_BAD_JSON, "expected {\"version\": ..., \"data\": {...}}");
    if (!json_object_object_get_ex(obj, "version", &ver) || !json_object_is_type(ver, json_type_string) ||
        lc_fork_from_name(json_object_get_string(ver), fork) != CD_OK)
        return cd_fail(err, CD_ERR_LC_UNKNOWN_FORK, "missing or unknown \"version\"");
    if (*fork <= LC_FORK_PHASE0) return cd_fail(err, CD_ERR_LC_UNKNOWN_FORK, "no light-client data in phase0");
    if (json_kind(data, kind) != CD_OK)
        return cd_fail(err, CD_ERR_BAD_JSON, "data is not a light-client bootstrap or update");
    return ssz_from_json(lc_types_for(&st->types, *fork, *kind), data, ssz, err);
}

static cd_status parse_json(const char *json, size_t len, json_object **out, cd_error *err) {
    if (len > (64u << 20)) return cd_fail(err, CD_ERR_TOO_LARGE, "JSON over 64 MiB");
    json_tokener *tok = json_tokener_new_ex(64);
    if (!tok) return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    *out = json_tokener_parse_ex(tok, json, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = (size_t)json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!*out || jerr != json_tokener_success) {
        json_object_put(*out);
        *out = NULL;
        return cd_fail(err, CD_ERR_BAD_JSON, "JSON: %s", json_tokener_error_desc(jerr));
    }
    for (; used < len; used++)
        if (json[used] != ' ' && json[used] != '\n' && json[used] != '\r' && json[used] != '\t') {
            json_object_put(*out);
            *out = NULL;
            return cd_fail(err, CD_ERR_BAD_JSON, "JSON: trailing data");
        }
    return CD_OK;
}

cd_status lc_store_bootstrap_json(lc_store *st, const cd_hash32 *trusted_block_root, const char *json, size_t len,
                                  cd_error *err) {
    json_object *obj;
    cd_status s = parse_json(json, len, &obj, err);
    if (s != CD_OK) return s;
    cd_buf ssz = {0};
    lc_fork fork = LC_FORK_PHASE0;
    lc_msg_kind kind = LC_MSG_UPDATE;
    s = json_to_ssz(st, obj, &fork, &kind, &ssz, err);
    if (s == CD_OK && kind != LC_MSG_BOOTSTRAP) s = cd_fail(err, CD_ERR_BAD_JSON, "not a light-client bootstrap");
    if (s == CD_OK) s = lc_store_bootstrap(st, trusted_block_root, fork, cd_buf_bytes(&ssz), err);
    else cd_error_prefix(err, "bootstrap JSON: ");
    cd_buf_free(&ssz);
    json_object_put(obj);
    return s;
}

cd_status lc_store_process_json(lc_store *st, const char *json, size_t len, uint64_t current_slot, size_t *processed,
                                cd_error *err) {
    if (processed) *processed = 0;
    json_object *obj;
    cd_status s = parse_json(json, len, &obj, err);
    if (s != CD_OK) return s;
    bool array = json_object_is_type(obj, json_type_array);
    size_t n = array ? json_object_array_length(obj) : 1;
    cd_buf ssz = {0};
    for (size_t i = 0; i < n && s == CD_OK; i++) {
        json_object *item = array ? json_object_array_get_idx(obj, i) : obj;
        lc_fork fork = LC_FORK_PHASE0;
        lc_msg_kind kind = LC_MSG_UPDATE;
        ssz.len = 0;
        s = json_to_ssz(st, item, &fork, &kind, &ssz, err);
        if (s == CD_OK && kind == LC_MSG_BOOTSTRAP) s = cd_fail(err, CD_ERR_INVALID_ARG, "a bootstrap is not an update");
        if (s == CD_OK) s = lc_store_process(st, kind, fork, cd_buf_bytes(&ssz), current_slot, err);
        if (s == CD_ERR_LC_NOT_RELEVANT && array) { /* a batch may overlap what we have */
            s = CD_OK;
            cd_error_clear(err);
            continue;
        }
        if (s != CD_OK && array) cd_error_prefix(err, "update %zu: ", i);
        if (s == CD_OK && processed) (*processed)++;
    }
    cd_buf_free(&ssz);
    json_object_put(obj);
    return s;
}

/* ---- decoding without a store ----------------------------------------------------------- */

cd_status lc_decode_headers(const lc_config *cfg, lc_msg_kind kind, lc_fork fork, cd_bytes ssz, lc_header *attested,
                            lc_header *finalized, uint64_t *signature_slot, cd_error *err) {
    lc_types *ty = malloc(sizeof *ty);
    if (!ty) return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    cd_status s = lc_types_init(ty, cfg->preset);
    if (s != CD_OK) {
        free(ty);
        return cd_fail(err, s, "cannot build SSZ types");
    }
    if (kind == LC_MSG_BOOTSTRAP) {
        lc_bootstrap *b = malloc(sizeof *b);
        s = b ? lc_decode_bootstrap(cfg, ty, fork, ssz, b, err) : cd_fail(err, CD_ERR_NOMEM, "out of memory");
        if (s == CD_OK) {
            if (attested) *attested = b->header;
            if (finalized) *finalized = b->header;
            if (signature_slot) *signature_slot = 0;
        }
        free(b);
    } else {
        lc_update *u = malloc(sizeof *u);
        s = u ? lc_decode_update(cfg, ty, kind, fork, ssz, u, err) : cd_fail(err, CD_ERR_NOMEM, "out of memory");
        if (s == CD_OK) {
            if (attested) *attested = u->attested;
            if (finalized) *finalized = u->finalized;
            if (signature_slot) *signature_slot = u->signature_slot;
        }
        free(u);
    }
    lc_types_free(ty);
    free(ty);
    return s;
}

cd_status lc_header_to_json(const lc_header *h, cd_buf *out) {
    char line[1024], root[67], bh[67], sr[67], rr[67];
    cd_hex_encode(root, h->beacon_root.b, 32);
    int n;
    if (h->has_execution) {
        cd_hex_encode(bh, h->execution.block_hash.b, 32);
        cd_hex_encode(sr, h->execution.state_root.b, 32);
        cd_hex_encode(rr, h->execution.receipts_root.b, 32);
        n = snprintf(line, sizeof line,
                     "{\"slot\":%llu,\"beacon_root\":\"%s\",\"execution\":{\"block_number\":%llu,"
                     "\"block_hash\":\"%s\",\"state_root\":\"%s\",\"receipts_root\":\"%s\",\"timestamp\":%llu}}",
                     (unsigned long long)h->beacon.slot, root, (unsigned long long)h->execution.block_number, bh, sr,
                     rr, (unsigned long long)h->execution.timestamp);
    } else {
        n = snprintf(line, sizeof line, "{\"slot\":%llu,\"beacon_root\":\"%s\"}", (unsigned long long)h->beacon.slot,
                     root);
    }
    if (n < 0 || (size_t)n >= sizeof line) return CD_ERR_INTERNAL;
    return cd_buf_append(out, line, (size_t)n);
}

/* ---- persistence ------------------------------------------------------------------- */

/* Snapshot layout (all integers little-endian):
 *   "CDLC" | u32 version | u8 preset | u16 committee size | genesis_validators_root
 *   | header(finalized) | header(optimistic) | committee(current) | u8 next_known | committee(next)
 *   | u64 previous_max_active | u64 current_max_active | u8 has_best [| u8 fork | u32 len | update]
 *   | sha256(all of the above)
 * header = u8 fork | u8 has_execution | u32 len | LightClientHeader (electra layout).
 * The trailing hash catches corruption; authenticity is the caller's job (sealing). */
#define LC_SNAPSHOT_VERSION 1

static void put_offset_le(cd_buf *b, size_t at, size_t v) {
    for (int i = 0; i < 4; i++) b->data[at + i] = (uint8_t)(v >> (8 * i));
}

static cd_status put_u32(cd_buf *b, uint32_t v) {
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return cd_buf_append(b, x, 4);
}

static cd_status put_u64(cd_buf *b, uint64_t v) {
    uint8_t x[8];
    ssz_write_u64(x, v);
    return cd_buf_append(b, x, 8);
}

static cd_status put_header(cd_buf *b, const lc_header *h) {
    cd_status s = cd_buf_push(b, (uint8_t)h->fork);
    if (s == CD_OK) s = cd_buf_push(b, h->has_execution ? 1 : 0);
    size_t at = b->len;
    if (s == CD_OK) s = put_u32(b, 0);
    if (s == CD_OK) s = lc_encode_header(h, b);
    if (s == CD_OK) put_offset_le(b, at, b->len - at - 4);
    return s;
}

cd_status lc_store_serialize(const lc_store *st, cd_buf *out) {
    if (!st || !st->initialized) return CD_ERR_NOT_SYNCED;
    size_t base = out->len;
    cd_status s = cd_buf_append(out, "CDLC", 4);
    if (s == CD_OK) s = put_u32(out, LC_SNAPSHOT_VERSION);
    if (s == CD_OK) s = cd_buf_push(out, (uint8_t)st->cfg.preset);
    if (s == CD_OK) s = cd_buf_push(out, (uint8_t)(st->cfg.sync_committee_size & 0xff));
    if (s == CD_OK) s = cd_buf_push(out, (uint8_t)(st->cfg.sync_committee_size >> 8));
    if (s == CD_OK) s = cd_buf_append(out, st->cfg.genesis_validators_root.b, 32);
    if (s == CD_OK) s = put_header(out, &st->finalized);
    if (s == CD_OK) s = put_header(out, &st->optimistic);
    if (s == CD_OK) s = lc_encode_committee(&st->types, &st->current, out);
    if (s == CD_OK) s = cd_buf_push(out, st->next.is_zero ? 0 : 1);
    if (s == CD_OK) s = lc_encode_committee(&st->types, &st->next, out);
    if (s == CD_OK) s = put_u64(out, st->previous_max_active);
    if (s == CD_OK) s = put_u64(out, st->current_max_active);
    if (s == CD_OK) s = cd_buf_push(out, st->has_best ? 1 : 0);
    if (s == CD_OK && st->has_best) {
        s = cd_buf_push(out, (uint8_t)st->best.fork);
        size_t at = out->len;
        if (s == CD_OK) s = put_u32(out, 0);
        if (s == CD_OK) s = lc_encode_update(&st->types, &st->best, out);
        if (s == CD_OK) put_offset_le(out, at, out->len - at - 4);
    }
    if (s == CD_OK) {
        uint8_t h[32];
        ssz_sha256(h, out->data + base, out->len - base);
        s = cd_buf_append(out, h, 32);
    }
    if (s != CD_OK) out->len = base;
    return s;
}

typedef struct {
    const uint8_t *p;
    size_t left;
} reader;

static bool take(reader *r, size_t n, const uint8_t **out) {
    if (r->left < n) return false;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static bool take_u8(reader *r, uint8_t *v) {
    const uint8_t *p;
    if (!take(r, 1, &p)) return false;
    *v = p[0];
    return true;
}

static bool take_u32(reader *r, uint32_t *v) {
    const uint8_t *p;
    if (!take(r, 4, &p)) return false;
    *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return true;
}

static bool take_u64(reader *r, uint64_t *v) {
    const uint8_t *p;
    if (!take(r, 8, &p)) return false;
    *v = ssz_read_u64(p);
    return true;
}

static cd_status take_header(lc_store *st, reader *r, lc_header *h, cd_error *err) {
    uint8_t fork, has_ex;
    uint32_t len;
    const uint8_t *p;
    if (!take_u8(r, &fork) || !take_u8(r, &has_ex) || !take_u32(r, &len) || !take(r, len, &p))
        return cd_fail(err, CD_ERR_TRUNCATED, "store snapshot: header truncated");
    if (fork <= LC_FORK_PHASE0 || fork >= LC_FORK_COUNT || has_ex > 1)
        return cd_fail(err, CD_ERR_STORE, "store snapshot: bad header fork");
    cd_status s = lc_decode_header(&st->cfg, &st->types, LC_FORK_ELECTRA, cd_bytes_make(p, len), h, err);
    if (s != CD_OK) return s;
    h->fork = (lc_fork)fork;
    h->has_execution = has_ex;
    return CD_OK;
}

static cd_status take_committee(lc_store *st, reader *r, lc_committee *c, cd_error *err) {
    const uint8_t *p;
    size_t n = (size_t)st->cfg.sync_committee_size * 48 + 48;
    if (!take(r, n, &p)) return cd_fail(err, CD_ERR_TRUNCATED, "store snapshot: committee truncated");
    return lc_decode_committee(&st->types, LC_FORK_ELECTRA, cd_bytes_make(p, n), c, err);
}

static cd_status restore_into(lc_store *st, cd_bytes data, cd_error *err) {
    if (data.len < 4 + 4 + 3 + 32 + 32) return cd_fail(err, CD_ERR_TRUNCATED, "store snapshot: too short");
    uint8_t h[32];
    ssz_sha256(h, data.ptr, data.len - 32);
    if (memcmp(h, data.ptr + data.len - 32, 32) != 0)
        return cd_fail(err, CD_ERR_STORE, "store snapshot: checksum mismatch (corrupt)");
    reader r = {data.ptr, data.len - 32};
    const uint8_t *p;
    uint32_t version;
    uint8_t preset = 0, sz_lo = 0, sz_hi = 0, next_known = 0, has_best = 0;
    if (!take(&r, 4, &p) || memcmp(p, "CDLC", 4) != 0) return cd_fail(err, CD_ERR_STORE, "store snapshot: bad magic");
    if (!take_u32(&r, &version) || version != LC_SNAPSHOT_VERSION)
        return cd_fail(err, CD_ERR_STORE, "store snapshot: unsupported version");
    if (!take_u8(&r, &preset) || !take_u8(&r, &sz_lo) || !take_u8(&r, &sz_hi) || !take(&r, 32, &p))
        return cd_fail(err, CD_ERR_TRUNCATED, "store snapshot: truncated");
    if (preset != st->cfg.preset || ((unsigned)sz_hi << 8 | sz_lo) != st->cfg.sync_committee_size ||
        memcmp(p, st->cfg.genesis_validators_root.b, 32) != 0)
        return cd_fail(err, CD_ERR_STORE, "store snapshot: written for another network");
    cd_status s = take_header(st, &r, &st->finalized, err);
    if (s == CD_OK) s = take_header(st, &r, &st->optimistic, err);
    if (s == CD_OK) s = take_committee(st, &r, &st->current, err);
    if (s == CD_OK && (!take_u8(&r, &next_known) || next_known > 1))
        s = cd_fail(err, CD_ERR_STORE, "store snapshot: bad next-committee flag");
    if (s == CD_OK) s = take_committee(st, &r, &st->next, err);
    if (s == CD_OK && (st->next.is_zero != !next_known))
        s = cd_fail(err, CD_ERR_STORE, "store snapshot: next-committee flag disagrees with its content");
    if (s == CD_OK && (!take_u64(&r, &st->previous_max_active) || !take_u64(&r, &st->current_max_active) ||
                       !take_u8(&r, &has_best) || has_best > 1))
        s = cd_fail(err, CD_ERR_TRUNCATED, "store snapshot: counters truncated");
    if (s != CD_OK) return s;
    st->has_best = has_best;
    if (has_best) {
        uint8_t fork;
        uint32_t len;
        if (!take_u8(&r, &fork) || fork <= LC_FORK_PHASE0 || fork >= LC_FORK_COUNT || !take_u32(&r, &len) ||
            !take(&r, len, &p))
            return cd_fail(err, CD_ERR_TRUNCATED, "store snapshot: best update truncated");
        s = lc_decode_update(&st->cfg, &st->types, LC_MSG_UPDATE, LC_FORK_ELECTRA, cd_bytes_make(p, len), &st->best,
                             err);
        if (s != CD_OK) return s;
        st->best.fork = st->best.attested.fork = st->best.finalized.fork = (lc_fork)fork;
        st->best.attested.has_execution = st->best.finalized.has_execution = fork >= LC_FORK_CAPELLA;
    }
    if (r.left) return cd_fail(err, CD_ERR_TRAILING_DATA, "store snapshot: trailing bytes");
    st->initialized = true;
    return CD_OK;
}

cd_status lc_store_restore(lc_store **out, const lc_config *cfg, const lc_options *opts, cd_bytes data,
                           cd_error *err) {
    *out = NULL;
    lc_store *st;
    cd_status s = lc_store_new(&st, cfg, opts, err);
    if (s != CD_OK) return s;
    s = restore_into(st, data, err);
    if (s != CD_OK) {
        lc_store_free(st);
        return s;
    }
    *out = st;
    return CD_OK;
}
