/* Light-client objects: SSZ bytes <-> decoded structs (see lc_internal.h). */
#include <string.h>

#include "consensus/lc_internal.h"

/* Offsets in the Capella/Deneb ExecutionPayloadHeader fixed part. */
enum {
    EX_PARENT_HASH = 0,
    EX_FEE_RECIPIENT = 32,
    EX_STATE_ROOT = 52,
    EX_RECEIPTS_ROOT = 84,
    EX_LOGS_BLOOM = 116,
    EX_PREV_RANDAO = 372,
    EX_BLOCK_NUMBER = 404,
    EX_GAS_LIMIT = 412,
    EX_GAS_USED = 420,
    EX_TIMESTAMP = 428,
    EX_EXTRA_DATA_OFFSET = 436,
    EX_BASE_FEE = 440,
    EX_BLOCK_HASH = 472,
    EX_TRANSACTIONS_ROOT = 504,
    EX_WITHDRAWALS_ROOT = 536,
    EX_BLOB_GAS_USED = 568,
    EX_EXCESS_BLOB_GAS = 576,
    EX_FIXED_CAPELLA = 568,
    EX_FIXED_DENEB = 584,
};
enum { BEACON_HEADER_SIZE = 112 };

static void decode_beacon(const uint8_t *p, lc_beacon_header *b) {
    b->slot = ssz_read_u64(p);
    b->proposer_index = ssz_read_u64(p + 8);
    memcpy(b->parent_root.b, p + 16, 32);
    memcpy(b->state_root.b, p + 48, 32);
    memcpy(b->body_root.b, p + 80, 32);
}

static void encode_beacon(const lc_beacon_header *b, uint8_t *p) {
    ssz_write_u64(p, b->slot);
    ssz_write_u64(p + 8, b->proposer_index);
    memcpy(p + 16, b->parent_root.b, 32);
    memcpy(p + 48, b->state_root.b, 32);
    memcpy(p + 80, b->body_root.b, 32);
}

/* `p` holds a validated ExecutionPayloadHeader of `len` bytes with fixed part `fixed`. */
static void decode_execution(const uint8_t *p, size_t len, size_t fixed, lc_execution_header *e) {
    memcpy(e->parent_hash.b, p + EX_PARENT_HASH, 32);
    memcpy(e->fee_recipient.b, p + EX_FEE_RECIPIENT, 20);
    memcpy(e->state_root.b, p + EX_STATE_ROOT, 32);
    memcpy(e->receipts_root.b, p + EX_RECEIPTS_ROOT, 32);
    memcpy(e->logs_bloom, p + EX_LOGS_BLOOM, 256);
    memcpy(e->prev_randao.b, p + EX_PREV_RANDAO, 32);
    e->block_number = ssz_read_u64(p + EX_BLOCK_NUMBER);
    e->gas_limit = ssz_read_u64(p + EX_GAS_LIMIT);
    e->gas_used = ssz_read_u64(p + EX_GAS_USED);
    e->timestamp = ssz_read_u64(p + EX_TIMESTAMP);
    /* validated: the only offset points at `fixed`, and the list holds at most 32 bytes */
    e->extra_data_len = len - fixed;
    memcpy(e->extra_data, p + fixed, e->extra_data_len);
    for (int i = 0; i < 4; i++) e->base_fee_per_gas.w[i] = ssz_read_u64(p + EX_BASE_FEE + 8 * i);
    memcpy(e->block_hash.b, p + EX_BLOCK_HASH, 32);
    memcpy(e->transactions_root.b, p + EX_TRANSACTIONS_ROOT, 32);
    memcpy(e->withdrawals_root.b, p + EX_WITHDRAWALS_ROOT, 32);
    if (fixed == EX_FIXED_DENEB) {
        e->blob_gas_used = ssz_read_u64(p + EX_BLOB_GAS_USED);
        e->excess_blob_gas = ssz_read_u64(p + EX_EXCESS_BLOB_GAS);
    }
}

/* Deneb layout; returns the length written (out needs EX_FIXED_DENEB + 32 bytes). */
static size_t encode_execution(const lc_execution_header *e, uint8_t *p) {
    memset(p, 0, EX_FIXED_DENEB);
    memcpy(p + EX_PARENT_HASH, e->parent_hash.b, 32);
    memcpy(p + EX_FEE_RECIPIENT, e->fee_recipient.b, 20);
    memcpy(p + EX_STATE_ROOT, e->state_root.b, 32);
    memcpy(p + EX_RECEIPTS_ROOT, e->receipts_root.b, 32);
    memcpy(p + EX_LOGS_BLOOM, e->logs_bloom, 256);
    memcpy(p + EX_PREV_RANDAO, e->prev_randao.b, 32);
    ssz_write_u64(p + EX_BLOCK_NUMBER, e->block_number);
    ssz_write_u64(p + EX_GAS_LIMIT, e->gas_limit);
    ssz_write_u64(p + EX_GAS_USED, e->gas_used);
    ssz_write_u64(p + EX_TIMESTAMP, e->timestamp);
    p[EX_EXTRA_DATA_OFFSET] = (uint8_t)(EX_FIXED_DENEB & 0xff);
    p[EX_EXTRA_DATA_OFFSET + 1] = (uint8_t)(EX_FIXED_DENEB >> 8);
    for (int i = 0; i < 4; i++) ssz_write_u64(p + EX_BASE_FEE + 8 * i, e->base_fee_per_gas.w[i]);
    memcpy(p + EX_BLOCK_HASH, e->block_hash.b, 32);
    memcpy(p + EX_TRANSACTIONS_ROOT, e->transactions_root.b, 32);
    memcpy(p + EX_WITHDRAWALS_ROOT, e->withdrawals_root.b, 32);
    ssz_write_u64(p + EX_BLOB_GAS_USED, e->blob_gas_used);
    ssz_write_u64(p + EX_EXCESS_BLOB_GAS, e->excess_blob_gas);
    size_t n = e->extra_data_len > 32 ? 32 : e->extra_data_len;
    memcpy(p + EX_FIXED_DENEB, e->extra_data, n);
    return EX_FIXED_DENEB + n;
}

void lc_compute_execution_root(const lc_config *cfg, const lc_types *ty, lc_header *h) {
    uint64_t epoch = lc_epoch_at_slot(cfg, h->beacon.slot);
    memset(h->execution_root.b, 0, 32);
    uint64_t deneb = cfg->fork_epoch[LC_FORK_DENEB], capella = cfg->fork_epoch[LC_FORK_CAPELLA];
    bool at_deneb = deneb != LC_FAR_FUTURE_EPOCH && epoch >= deneb;
    bool at_capella = capella != LC_FAR_FUTURE_EPOCH && epoch >= capella;
    if (!at_capella) return;
    uint8_t buf[EX_FIXED_DENEB + 32];
    size_t n = encode_execution(&h->execution, buf);
    cd_status st = at_deneb ? ssz_hash_tree_root(ty->deneb_execution_header, cd_bytes_make(buf, n),
                                                 &h->execution_root, NULL)
                            /* capella.ExecutionPayloadHeader = the first 15 fields */
                            : ssz_hash_tree_root_prefix(ty->deneb_execution_header, cd_bytes_make(buf, n), 15,
                                                        &h->execution_root, NULL);
    if (st != CD_OK) memset(h->execution_root.b, 0xff, 32); /* cannot happen: we built the bytes */
}

static bool bytes_zero(const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return false;
    return true;
}

bool lc_execution_is_zero(const lc_execution_header *e) {
    return bytes_zero(e->parent_hash.b, 32) && bytes_zero(e->fee_recipient.b, 20) &&
           bytes_zero(e->state_root.b, 32) && bytes_zero(e->receipts_root.b, 32) &&
           bytes_zero(e->logs_bloom, 256) && bytes_zero(e->prev_randao.b, 32) && e->block_number == 0 &&
           e->gas_limit == 0 && e->gas_used == 0 && e->timestamp == 0 && e->extra_data_len == 0 &&
           cd_u256_is_zero(&e->base_fee_per_gas) && bytes_zero(e->block_hash.b, 32) &&
           bytes_zero(e->transactions_root.b, 32) && bytes_zero(e->withdrawals_root.b, 32) &&
           e->blob_gas_used == 0 && e->excess_blob_gas == 0;
}

bool lc_header_is_zero(const lc_header *h) {
    const lc_beacon_header *b = &h->beacon;
    return b->slot == 0 && b->proposer_index == 0 && bytes_zero(b->parent_root.b, 32) &&
           bytes_zero(b->state_root.b, 32) && bytes_zero(b->body_root.b, 32) && lc_execution_is_zero(&h->execution) &&
           bytes_zero(h->execution_branch, sizeof h->execution_branch);
}

/* Field `i` of a validated container (cannot fail on validated data). */
static cd_bytes field(const ssz_type *t, cd_bytes data, size_t i) {
    cd_bytes out = {NULL, 0};
    if (ssz_field(t, data, i, &out) != CD_OK) out.len = 0;
    return out;
}

static cd_status decode_header_validated(const lc_config *cfg, const lc_types *ty, lc_fork fork, cd_bytes b,
                                         lc_header *h) {
    const lc_fork_types *ft = &ty->fork[fork];
    memset(h, 0, sizeof *h);
    h->fork = fork;
    cd_bytes beacon = field(ft->lc_header, b, 0);
    if (beacon.len != BEACON_HEADER_SIZE) return CD_ERR_INTERNAL;
    decode_beacon(beacon.ptr, &h->beacon);
    cd_status st = ssz_hash_tree_root(ft->beacon_header, beacon, &h->beacon_root, NULL);
    if (st != CD_OK) return st;
    if (fork >= LC_FORK_CAPELLA) {
        cd_bytes ex = field(ft->lc_header, b, 1), br = field(ft->lc_header, b, 2);
        if (br.len != 32 * LC_EXECUTION_BRANCH_DEPTH) return CD_ERR_INTERNAL;
        decode_execution(ex.ptr, ex.len, (size_t)ft->execution_header->fixed_part, &h->execution);
        memcpy(h->execution_branch, br.ptr, br.len);
        h->has_execution = true;
    }
    lc_compute_execution_root(cfg, ty, h);
    return CD_OK;
}

cd_status lc_decode_header(const lc_config *cfg, const lc_types *ty, lc_fork fork, cd_bytes ssz, lc_header *out,
                           cd_error *err) {
    if (fork <= LC_FORK_PHASE0 || fork >= LC_FORK_COUNT)
        return cd_fail(err, CD_ERR_LC_UNKNOWN_FORK, "no light-client header before altair");
    cd_status st = ssz_validate(ty->fork[fork].lc_header, ssz, err);
    if (st != CD_OK) return st;
    return decode_header_validated(cfg, ty, fork, ssz, out);
}

static cd_status decode_committee_validated(const lc_types *ty, lc_fork fork, cd_bytes b, lc_committee *c) {
    const ssz_type *t = ty->fork[fork].sync_committee;
    cd_bytes pks = field(t, b, 0), agg = field(t, b, 1);
    size_t n = (size_t)ty->sync_committee_size;
    if (pks.len != n * 48 || agg.len != 48 || n > LC_MAX_SYNC_COMMITTEE_SIZE) return CD_ERR_INTERNAL;
    memcpy(c->pubkeys, pks.ptr, pks.len);
    memcpy(c->aggregate, agg.ptr, 48);
    c->is_zero = bytes_zero(b.ptr, b.len);
    return ssz_hash_tree_root(t, b, &c->root, NULL);
}

cd_status lc_decode_committee(const lc_types *ty, lc_fork fork, cd_bytes ssz, lc_committee *out, cd_error *err) {
    cd_status st = ssz_validate(ty->fork[fork].sync_committee, ssz, err);
    if (st != CD_OK) return st;
    return decode_committee_validated(ty, fork, ssz, out);
}

/* Copies a branch of `depth` nodes into `out` of `max` nodes, zero-padded at the front. */
static void normalize_branch(cd_bytes b, size_t depth, cd_hash32 *out, size_t max) {
    memset(out, 0, max * sizeof *out);
    memcpy(out + (max - depth), b.ptr, depth * 32);
}

cd_status lc_decode_update(const lc_config *cfg, const lc_types *ty, lc_msg_kind kind, lc_fork fork, cd_bytes ssz,
                           lc_update *u, cd_error *err) {
    if (fork <= LC_FORK_PHASE0 || fork >= LC_FORK_COUNT)
        return cd_fail(err, CD_ERR_LC_UNKNOWN_FORK, "no light-client data before altair");
    const lc_fork_types *ft = &ty->fork[fork];
    const ssz_type *t = lc_types_for(ty, fork, kind);
    if (!t || kind == LC_MSG_BOOTSTRAP) return cd_fail(err, CD_ERR_INVALID_ARG, "not an update kind");
    cd_status st = ssz_validate(t, ssz, err);
    if (st != CD_OK) return st;
    memset(u, 0, sizeof *u);
    u->fork = fork;
    u->next.is_zero = true;
    /* field positions per kind */
    int f_att = 0, f_next = -1, f_next_br = -1, f_fin = -1, f_fin_br = -1, f_agg, f_slot;
    if (kind == LC_MSG_UPDATE) f_next = 1, f_next_br = 2, f_fin = 3, f_fin_br = 4, f_agg = 5, f_slot = 6;
    else if (kind == LC_MSG_FINALITY_UPDATE) f_fin = 1, f_fin_br = 2, f_agg = 3, f_slot = 4;
    else f_agg = 1, f_slot = 2;
    st = decode_header_validated(cfg, ty, fork, field(t, ssz, (size_t)f_att), &u->attested);
    if (st == CD_OK && f_next >= 0) {
        st = decode_committee_validated(ty, fork, field(t, ssz, (size_t)f_next), &u->next);
        normalize_branch(field(t, ssz, (size_t)f_next_br), ft->next_branch_depth, u->next_branch,
                         LC_MAX_COMMITTEE_BRANCH);
    } else if (st == CD_OK) {
        /* SyncCommittee() has a root like any other value; only compare with is_zero. */
        u->next.is_zero = true;
    }
    if (st == CD_OK && f_fin >= 0) {
        st = decode_header_validated(cfg, ty, fork, field(t, ssz, (size_t)f_fin), &u->finalized);
        normalize_branch(field(t, ssz, (size_t)f_fin_br), ft->finality_branch_depth, u->finality_branch,
                         LC_MAX_FINALITY_BRANCH);
    } else if (st == CD_OK) {
        u->finalized.fork = fork;
        lc_compute_execution_root(cfg, ty, &u->finalized);
    }
    if (st != CD_OK) return cd_fail(err, st, "decoding update: %s", cd_status_str(st));
    cd_bytes agg = field(t, ssz, (size_t)f_agg);
    size_t nbytes = (size_t)(ty->sync_committee_size / 8);
    if (agg.len != nbytes + 96) return cd_fail(err, CD_ERR_INTERNAL, "sync aggregate size");
    memcpy(u->bits, agg.ptr, nbytes);
    memcpy(u->signature, agg.ptr + nbytes, 96);
    u->signature_slot = ssz_read_u64(field(t, ssz, (size_t)f_slot).ptr);
    return CD_OK;
}

cd_status lc_decode_bootstrap(const lc_config *cfg, const lc_types *ty, lc_fork fork, cd_bytes ssz,
                              lc_bootstrap *out, cd_error *err) {
    if (fork <= LC_FORK_PHASE0 || fork >= LC_FORK_COUNT)
        return cd_fail(err, CD_ERR_LC_UNKNOWN_FORK, "no light-client bootstrap before altair");
    const lc_fork_types *ft = &ty->fork[fork];
    cd_status st = ssz_validate(ft->bootstrap, ssz, err);
    if (st != CD_OK) return st;
    memset(out, 0, sizeof *out);
    st = decode_header_validated(cfg, ty, fork, field(ft->bootstrap, ssz, 0), &out->header);
    if (st == CD_OK) st = decode_committee_validated(ty, fork, field(ft->bootstrap, ssz, 1), &out->committee);
    if (st != CD_OK) return cd_fail(err, st, "decoding bootstrap: %s", cd_status_str(st));
    normalize_branch(field(ft->bootstrap, ssz, 2), ft->current_branch_depth, out->branch, LC_MAX_COMMITTEE_BRANCH);
    return CD_OK;
}

/* ---- encoding (newest layout: Electra/Fulu LightClientHeader / Update) --------------- */

cd_status lc_encode_header(const lc_header *h, cd_buf *out) {
    uint8_t fixed[BEACON_HEADER_SIZE + 4 + 32 * LC_EXECUTION_BRANCH_DEPTH];
    uint8_t ex[EX_FIXED_DENEB + 32];
    encode_beacon(&h->beacon, fixed);
    uint32_t off = sizeof fixed;
    for (int i = 0; i < 4; i++) fixed[BEACON_HEADER_SIZE + i] = (uint8_t)(off >> (8 * i));
    memcpy(fixed + BEACON_HEADER_SIZE + 4, h->execution_branch, 32 * LC_EXECUTION_BRANCH_DEPTH);
    size_t exlen = encode_execution(&h->execution, ex);
    cd_status st = cd_buf_append(out, fixed, sizeof fixed);
    if (st == CD_OK) st = cd_buf_append(out, ex, exlen);
    return st;
}

cd_status lc_encode_committee(const lc_types *ty, const lc_committee *c, cd_buf *out) {
    cd_status st = cd_buf_append(out, c->pubkeys, (size_t)ty->sync_committee_size * 48);
    if (st == CD_OK) st = cd_buf_append(out, c->aggregate, 48);
    return st;
}

static void put_offset(cd_buf *b, size_t at, size_t value) {
    for (int i = 0; i < 4; i++) b->data[at + i] = (uint8_t)(value >> (8 * i));
}

cd_status lc_encode_update(const lc_types *ty, const lc_update *u, cd_buf *out) {
    /* LightClientUpdate: attested(off) next(fixed) next_branch finalized(off) fin_branch agg slot */
    size_t base = out->len;
    static const uint8_t zero4[4] = {0};
    uint8_t slot[8];
    ssz_write_u64(slot, u->signature_slot);
    size_t att_off_at = base;
    cd_status st = cd_buf_append(out, zero4, 4);
    if (st == CD_OK) st = lc_encode_committee(ty, &u->next, out);
    if (st == CD_OK) st = cd_buf_append(out, u->next_branch, sizeof u->next_branch);
    size_t fin_off_at = out->len;
    if (st == CD_OK) st = cd_buf_append(out, zero4, 4);
    if (st == CD_OK) st = cd_buf_append(out, u->finality_branch, sizeof u->finality_branch);
    if (st == CD_OK) st = cd_buf_append(out, u->bits, (size_t)ty->sync_committee_size / 8);
    if (st == CD_OK) st = cd_buf_append(out, u->signature, 96);
    if (st == CD_OK) st = cd_buf_append(out, slot, 8);
    if (st != CD_OK) return st;
    put_offset(out, att_off_at, out->len - base);
    st = lc_encode_header(&u->attested, out);
    if (st != CD_OK) return st;
    put_offset(out, fin_off_at, out->len - base);
    return lc_encode_header(&u->finalized, out);
}
