#include "src/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "rlp/rlp.h"

#define CODE_MAX (64 * 1024) /* EIP-7907 raises the 24 KiB limit; keep headroom */

void svc_state_init(svc_state *st, svc_service *s, const svc_head *head) {
    memset(st, 0, sizeof *st);
    st->s = s;
    st->head = *head;
    snprintf(st->block_tag, sizeof st->block_tag, "0x%llx", (unsigned long long)head->claim.number);
}

void svc_state_free(svc_state *st) {
    for (size_t i = 0; i < st->n_accounts; i++) cd_buf_free(&st->accounts[i].code);
    free(st->accounts);
    free(st->slots);
    free(st->slot_index);
    st->accounts = NULL;
    st->slots = NULL;
    st->slot_index = NULL;
    st->n_accounts = st->n_slots = st->slot_index_cap = 0;
}

void svc_state_begin_pass(svc_state *st, bool collect) {
    st->collect = collect;
    st->misses = 0;
    st->passes++;
    cd_error_clear(&st->err);
}

/* Accounts stay few (the EVM asks for each once per execution): a linear search. */
static svc_state_account *find_account(svc_state *st, const cd_address *a) {
    for (size_t i = 0; i < st->n_accounts; i++)
        if (cd_address_eq(&st->accounts[i].addr, a)) return &st->accounts[i];
    return NULL;
}

/* Slots can be thousands: hashed. Keys are often keccak outputs, often small integers. */
static size_t slot_hash(const cd_address *a, const cd_u256 *k) {
    uint64_t h = 0;
    memcpy(&h, a->b, 8);
    h ^= k->w[0] * 0x9e3779b97f4a7c15ull;
    h ^= (k->w[1] ^ (k->w[2] << 1) ^ (k->w[3] << 2)) * 0xc2b2ae3d27d4eb4full;
    h ^= h >> 29;
    return (size_t)(h * 0xbf58476d1ce4e5b9ull >> 17);
}

static svc_state_slot *find_slot(svc_state *st, const cd_address *a, const cd_u256 *key) {
    if (!st->slot_index_cap) return NULL;
    size_t mask = st->slot_index_cap - 1;
    for (size_t i = slot_hash(a, key) & mask;; i = (i + 1) & mask) {
        uint32_t v = st->slot_index[i];
        if (!v) return NULL;
        svc_state_slot *sl = &st->slots[v - 1];
        if (cd_u256_eq(&sl->key, key) && cd_address_eq(&sl->addr, a)) return sl;
    }
}

static void index_slot(svc_state *st, size_t idx) {
    size_t mask = st->slot_index_cap - 1, i = slot_hash(&st->slots[idx].addr, &st->slots[idx].key) & mask;
    while (st->slot_index[i]) i = (i + 1) & mask;
    st->slot_index[i] = (uint32_t)(idx + 1);
}

/* A new (not yet valued) slot entry; the caller fills value and proven. */
CD_MUST_CHECK static cd_status add_slot(svc_state *st, const cd_address *a, const cd_u256 *key, svc_state_slot **out,
                                        cd_error *err) {
    if (st->n_slots >= SVC_STATE_MAX_SLOTS)
        return cd_fail(err, CD_ERR_TOO_LARGE, "call touches more than %d storage slots", SVC_STATE_MAX_SLOTS);
    if (st->n_slots % 64 == 0) {
        svc_state_slot *g = realloc(st->slots, (st->n_slots + 64) * sizeof *g);
        if (!g) return cd_fail(err, CD_ERR_NOMEM, "state cache");
        st->slots = g;
    }
    if (2 * (st->n_slots + 1) > st->slot_index_cap) {
        size_t cap = st->slot_index_cap ? 2 * st->slot_index_cap : 128;
        uint32_t *ix = calloc(cap, sizeof *ix);
        if (!ix) return cd_fail(err, CD_ERR_NOMEM, "state cache");
        free(st->slot_index);
        st->slot_index = ix;
        st->slot_index_cap = cap;
        for (size_t i = 0; i < st->n_slots; i++) index_slot(st, i);
    }
    svc_state_slot *sl = &st->slots[st->n_slots];
    memset(sl, 0, sizeof *sl);
    sl->addr = *a;
    sl->key = *key;
    index_slot(st, st->n_slots++);
    *out = sl;
    return CD_OK;
}

/* A new (not yet proven) account entry. */
CD_MUST_CHECK static cd_status add_account(svc_state *st, const cd_address *a, svc_state_account **out, cd_error *err) {
    if (st->n_accounts >= SVC_STATE_MAX_ACCOUNTS)
        return cd_fail(err, CD_ERR_TOO_LARGE, "call touches more than %d accounts", SVC_STATE_MAX_ACCOUNTS);
    if (st->n_accounts % 16 == 0) {
        svc_state_account *g = realloc(st->accounts, (st->n_accounts + 16) * sizeof *g);
        if (!g) return cd_fail(err, CD_ERR_NOMEM, "state cache");
        st->accounts = g;
    }
    svc_state_account *acc = &st->accounts[st->n_accounts++];
    memset(acc, 0, sizeof *acc);
    acc->addr = *a;
    *out = acc;
    return CD_OK;
}

/* Records a verified proof's account and slots in the cache (filling entries a collecting
 * pass left unproven). */
CD_MUST_CHECK static cd_status cache_proof(svc_state *st, const mpt_account_proof *p, bool exists, cd_error *err) {
    svc_state_account *a = find_account(st, &p->address);
    cd_status s = CD_OK;
    if (!a && (s = add_account(st, &p->address, &a, err)) != CD_OK) return s;
    if (!a->proven) {
        /* An absent account is the empty one (some clients claim zero hashes for it). */
        a->acc.exists = exists;
        a->acc.nonce = p->account.nonce;
        a->acc.balance = p->account.balance;
        a->acc.code_hash = exists ? p->account.code_hash : mpt_empty_code_hash;
        a->storage_root = exists ? p->account.storage_root : mpt_empty_trie_root;
        a->acc.has_storage = !cd_hash32_eq(&a->storage_root, &mpt_empty_trie_root);
        a->proven = true;
    }
    for (size_t i = 0; i < p->storage_len; i++) {
        cd_u256 key;
        if (cd_u256_from_be(&key, p->storage[i].key.b, 32) != CD_OK) return cd_fail(err, CD_ERR_INTERNAL, "slot key");
        svc_state_slot *sl = find_slot(st, &p->address, &key);
        if (sl && sl->proven) continue;
        if (!sl && (s = add_slot(st, &p->address, &key, &sl, err)) != CD_OK) return s;
        sl->value = p->storage[i].value;
        sl->proven = true;
    }
    return CD_OK;
}

/* JSON params of eth_getProof(a, keys, block). */
CD_MUST_CHECK static cd_status proof_params(const svc_state *st, const cd_address *a, const cd_u256 *keys,
                                            size_t n, cd_buf *out) {
    char hex[70];
    cd_hex_encode(hex, a->b, 20);
    cd_status s = cd_buf_append(out, "[\"", 2);
    if (s == CD_OK) s = cd_buf_append(out, hex, 42);
    if (s == CD_OK) s = cd_buf_append(out, "\",[", 3);
    for (size_t i = 0; i < n && s == CD_OK; i++) {
        uint8_t be[32];
        cd_u256_to_be32(&keys[i], be);
        cd_hex_encode(hex, be, 32); /* 32-byte keys: some nodes refuse shorter ones */
        if (i) s = cd_buf_push(out, ',');
        if (s == CD_OK) s = cd_buf_push(out, '"');
        if (s == CD_OK) s = cd_buf_append(out, hex, 66);
        if (s == CD_OK) s = cd_buf_push(out, '"');
    }
    if (s == CD_OK) s = cd_buf_append(out, "],\"", 3);
    if (s == CD_OK) s = cd_buf_append(out, st->block_tag, strlen(st->block_tag));
    if (s == CD_OK) s = cd_buf_append(out, "\"]", 3); /* with NUL */
    return s;
}

/* Checks an eth_getProof result: it must be about `a`, hold exactly the asked slots, and
 * verify against the block's state root. */
CD_MUST_CHECK static cd_status verify_proof_json(svc_state *st, json_object *res, const cd_address *a,
                                                 const cd_u256 *keys, size_t n, mpt_account_proof *p, bool *exists,
                                                 cd_error *err) {
    cd_status s = mpt_account_proof_from_json(res, p, err);
    if (s != CD_OK) return s;
    if (!cd_address_eq(&p->address, a)) return cd_fail(err, CD_ERR_MPT_ACCOUNT_MISMATCH, "proof is for another address");
    if (p->storage_len != n) return cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "proof has %zu storage entries, asked %zu", p->storage_len, n);
    for (size_t i = 0; i < n; i++) {
        uint8_t be[32];
        cd_u256_to_be32(&keys[i], be);
        if (memcmp(be, p->storage[i].key.b, 32))
            return cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "storage proof %zu is for another slot", i);
    }
    /* The account (and code) first; the slots below, under its proven storage root. */
    size_t n_storage = p->storage_len;
    p->storage_len = 0;
    s = mpt_account_proof_verify(&st->head.claim.state_root, p, exists, err);
    p->storage_len = n_storage;
    for (size_t i = 0; s == CD_OK && i < n_storage; i++) s = mpt_storage_proof_verify(&p->account.storage_root, &p->storage[i], err);
    if (s == CD_OK) atomic_fetch_add(&st->s->m.proofs_verified, 1);
    else atomic_fetch_add(&st->s->m.proofs_failed, 1);
    return s;
}

static bool is_lie(cd_status s) { return s != CD_OK && s != CD_ERR_UPSTREAM && s != CD_ERR_NOMEM && s != CD_ERR_TOO_LARGE; }

cd_status svc_state_get_proof(svc_state *st, const cd_address *a, const cd_u256 *keys, size_t n, json_object **out,
                              cd_error *err) {
    *out = NULL;
    cd_buf params = {0};
    cd_status s = proof_params(st, a, keys, n, &params);
    if (s != CD_OK) {
        cd_buf_free(&params);
        return cd_fail(err, s, "eth_getProof params");
    }
    if (st->round_trips >= SVC_STATE_MAX_ROUND_TRIPS) {
        cd_buf_free(&params);
        return cd_fail(err, CD_ERR_TOO_LARGE, "more than %d upstream requests for one answer", SVC_STATE_MAX_ROUND_TRIPS);
    }
    unsigned order[SVC_MAX_UPSTREAMS];
    unsigned np = svc_pool_order(&st->s->exec, order);
    s = cd_fail(err, CD_ERR_UPSTREAM, "no execution provider");
    for (unsigned k = 0; k < np; k++) {
        json_object *res = NULL;
        st->round_trips++;
        s = svc_rpc(&st->s->exec, order[k], "eth_getProof", (const char *)params.data, &res, err);
        if (s == CD_OK) {
            mpt_account_proof p;
            memset(&p, 0, sizeof p);
            bool exists = false;
            s = verify_proof_json(st, res, a, keys, n, &p, &exists, err);
            if (s == CD_OK) s = cache_proof(st, &p, exists, err);
            mpt_account_proof_free(&p);
            if (s == CD_OK) {
                *out = res;
                break;
            }
            json_object_put(res);
            if (is_lie(s)) {
                char what[300];
                snprintf(what, sizeof what, "eth_getProof: %s", cd_error_text(err));
                svc_pool_report_lie(&st->s->exec, order[k], what);
            }
        }
    }
    cd_buf_free(&params);
    return s;
}

/* Code of a just-proven account from a batch answer, checked against the proven codeHash. */
CD_MUST_CHECK static cd_status cache_code(svc_state *st, const cd_address *a, json_object *res, cd_error *err) {
    svc_state_account *acc = find_account(st, a);
    if (!acc || !acc->proven || acc->has_code) return CD_OK;
    cd_buf b = {0};
    cd_status s = api_get_data(res, "eth_getCode result", CODE_MAX, &b, err);
    if (s == CD_OK) s = mpt_code_verify(&acc->acc.code_hash, cd_buf_bytes(&b), err);
    if (s != CD_OK) {
        cd_buf_free(&b);
        return s;
    }
    acc->code = b;
    acc->has_code = true;
    acc->want_code = false;
    return CD_OK;
}

/* ---- batches ----------------------------------------------------------------------- */

/* What to prove about one address: the account, these storage keys, and maybe its code. */
typedef struct {
    cd_address addr;
    const cd_u256 *keys;
    size_t n_keys;
    bool code;
} proof_want;

/* One batch request: eth_getProof for each want (at most SVC_STATE_PROOF_KEYS keys each),
 * eth_getCode for those that ask for code; every answer verified before it is cached. */
CD_MUST_CHECK static cd_status send_batch(svc_state *st, const proof_want *w, size_t n, cd_error *err) {
    size_t n_code = 0;
    for (size_t i = 0; i < n; i++) n_code += w[i].code;
    size_t calls = n + n_code;
    if (st->round_trips >= SVC_STATE_MAX_ROUND_TRIPS)
        return cd_fail(err, CD_ERR_TOO_LARGE, "more than %d upstream requests for one answer", SVC_STATE_MAX_ROUND_TRIPS);
    const char **methods = calloc(calls, sizeof *methods), **params = calloc(calls, sizeof *params);
    json_object **res = calloc(calls, sizeof *res);
    cd_buf *pbufs = calloc(n, sizeof *pbufs);
    char (*cbufs)[80] = calloc(n_code ? n_code : 1, sizeof *cbufs);
    size_t *code_of = calloc(n, sizeof *code_of); /* call index of want i's eth_getCode */
    cd_status s = methods && params && res && pbufs && cbufs && code_of ? CD_OK : CD_ERR_NOMEM;
    size_t c = n;
    for (size_t i = 0; i < n && s == CD_OK; i++) {
        methods[i] = "eth_getProof";
        s = proof_params(st, &w[i].addr, w[i].keys, w[i].n_keys, &pbufs[i]);
        params[i] = (const char *)pbufs[i].data;
        if (!w[i].code) continue;
        char hex[43];
        cd_hex_encode(hex, w[i].addr.b, 20);
        snprintf(cbufs[c - n], sizeof cbufs[0], "[\"%s\",\"%s\"]", hex, st->block_tag);
        methods[c] = "eth_getCode";
        params[c] = cbufs[c - n];
        code_of[i] = c++;
    }
    if (s != CD_OK) {
        cd_fail(err, s, "eth_getProof batch");
    } else {
        unsigned order[SVC_MAX_UPSTREAMS];
        unsigned np = svc_pool_order(&st->s->exec, order);
        s = cd_fail(err, CD_ERR_UPSTREAM, "no execution provider");
        for (unsigned k = 0; k < np && s != CD_OK; k++) {
            if (st->round_trips >= SVC_STATE_MAX_ROUND_TRIPS) {
                s = cd_fail(err, CD_ERR_TOO_LARGE, "more than %d upstream requests for one answer", SVC_STATE_MAX_ROUND_TRIPS);
                break;
            }
            st->round_trips++;
            s = svc_rpc_batch(&st->s->exec, order[k], calls, methods, params, res, err);
            if (s != CD_OK) continue;
            for (size_t i = 0; i < n && s == CD_OK; i++) {
                mpt_account_proof p;
                memset(&p, 0, sizeof p);
                bool exists = false;
                s = verify_proof_json(st, res[i], &w[i].addr, w[i].keys, w[i].n_keys, &p, &exists, err);
                if (s == CD_OK) s = cache_proof(st, &p, exists, err);
                mpt_account_proof_free(&p);
                if (s == CD_OK && w[i].code) s = cache_code(st, &w[i].addr, res[code_of[i]], err);
            }
            for (size_t i = 0; i < calls; i++) {
                json_object_put(res[i]);
                res[i] = NULL;
            }
            if (is_lie(s)) {
                char what[300];
                snprintf(what, sizeof what, "eth_getProof batch: %s", cd_error_text(err));
                svc_pool_report_lie(&st->s->exec, order[k], what);
            }
        }
    }
    for (size_t i = 0; pbufs && i < n; i++) cd_buf_free(&pbufs[i]);
    free(pbufs);
    free(cbufs);
    free(code_of);
    free(methods);
    free(params);
    free(res);
    return s;
}

/* Packs the wants into batch requests of at most SVC_STATE_BATCH_KEYS storage keys and
 * SVC_STATE_BATCH_CALLS calls, each eth_getProof of at most SVC_STATE_PROOF_KEYS keys (an
 * address's keys are split where a batch or a call is full; its code is asked with its
 * first call), and sends them one after the other. */
CD_MUST_CHECK static cd_status prove_wants(svc_state *st, const proof_want *wants, size_t n, cd_error *err) {
    proof_want batch[SVC_STATE_BATCH_CALLS];
    size_t nb = 0, keys = 0, rpcs = 0;
    cd_status s = CD_OK;
    for (size_t i = 0; i < n && s == CD_OK; i++) {
        size_t off = 0;
        do {
            bool code = wants[i].code && off == 0;
            size_t left = wants[i].n_keys - off;
            bool full = rpcs + 1 + code > SVC_STATE_BATCH_CALLS || (left && keys == SVC_STATE_BATCH_KEYS);
            if (full) {
                s = send_batch(st, batch, nb, err);
                nb = keys = rpcs = 0;
                if (s != CD_OK) break;
            }
            size_t take = left;
            if (take > SVC_STATE_PROOF_KEYS) take = SVC_STATE_PROOF_KEYS;
            if (take > SVC_STATE_BATCH_KEYS - keys) take = SVC_STATE_BATCH_KEYS - keys;
            batch[nb++] = (proof_want){wants[i].addr, wants[i].keys ? wants[i].keys + off : NULL, take, code};
            keys += take;
            rpcs += 1 + code;
            off += take;
        } while (off < wants[i].n_keys);
    }
    if (s == CD_OK && nb) s = send_batch(st, batch, nb, err);
    return s;
}

cd_status svc_state_prefetch(svc_state *st, const evm_access_list *al, cd_error *err) {
    if (!al || al->n == 0) return CD_OK;
    size_t n = al->n > SVC_STATE_MAX_ACCOUNTS ? SVC_STATE_MAX_ACCOUNTS : al->n, total = 0;
    proof_want *w = calloc(n, sizeof *w);
    if (!w) return cd_fail(err, CD_ERR_NOMEM, "prefetch");
    for (size_t i = 0; i < n; i++) {
        size_t k = al->entries[i].n_keys;
        if (total + k > SVC_STATE_MAX_SLOTS) k = SVC_STATE_MAX_SLOTS - total; /* the rest: misses, then refused */
        total += k;
        /* Most calls need the code of what they touch: asked in the same request. */
        w[i] = (proof_want){al->entries[i].address, al->entries[i].keys, k, true};
    }
    cd_status s = prove_wants(st, w, n, err);
    free(w);
    return s;
}

cd_status svc_state_prove_missing(svc_state *st, cd_error *err) {
    /* One want per address with anything missing: the account (and then its code), code
     * alone, or slots (grouped by address, in the order they were asked). */
    size_t room = st->n_accounts + st->n_slots + 1;
    proof_want *w = calloc(room, sizeof *w);
    cd_u256 **keys = calloc(room, sizeof *keys);
    size_t *cap = calloc(room, sizeof *cap);
    size_t n = 0;
    cd_status s = w && keys && cap ? CD_OK : cd_fail(err, CD_ERR_NOMEM, "missing state");
    for (size_t i = 0; i < st->n_accounts && s == CD_OK; i++) {
        const svc_state_account *a = &st->accounts[i];
        if (!a->proven || (a->want_code && !a->has_code)) w[n++] = (proof_want){a->addr, NULL, 0, true};
    }
    for (size_t i = 0; i < st->n_slots && s == CD_OK; i++) {
        const svc_state_slot *sl = &st->slots[i];
        if (sl->proven) continue;
        size_t j = 0;
        while (j < n && !cd_address_eq(&w[j].addr, &sl->addr)) j++;
        if (j == n) w[n++] = (proof_want){sl->addr, NULL, 0, false};
        if (w[j].n_keys == cap[j]) {
            size_t nc = cap[j] ? 2 * cap[j] : 16;
            cd_u256 *g = realloc(keys[j], nc * sizeof *g);
            if (!g) {
                s = cd_fail(err, CD_ERR_NOMEM, "missing state");
                break;
            }
            keys[j] = g;
            cap[j] = nc;
        }
        keys[j][w[j].n_keys++] = sl->key;
        w[j].keys = keys[j];
    }
    if (s == CD_OK) s = prove_wants(st, w, n, err);
    for (size_t i = 0; keys && i < n; i++) free(keys[i]);
    free(keys);
    free(w);
    free(cap);
    if (s != CD_OK) return s;
    /* Everything asked must now be proven (verify_proof_json holds each answer to exactly
     * what was asked; this is the invariant the passes rely on). */
    for (size_t i = 0; i < st->n_accounts; i++)
        if (!st->accounts[i].proven) return cd_fail(err, CD_ERR_INTERNAL, "account left unproven");
    for (size_t i = 0; i < st->n_slots; i++)
        if (!st->slots[i].proven) return cd_fail(err, CD_ERR_INTERNAL, "slot left unproven");
    return CD_OK;
}

cd_status svc_state_account_get(svc_state *st, const cd_address *a, const svc_state_account **out, cd_error *err) {
    svc_state_account *acc = find_account(st, a);
    if (!acc || !acc->proven) {
        json_object *res = NULL;
        cd_status s = svc_state_get_proof(st, a, NULL, 0, &res, err);
        json_object_put(res);
        if (s != CD_OK) return s;
        acc = find_account(st, a);
        if (!acc || !acc->proven) return cd_fail(err, CD_ERR_INTERNAL, "proven account not cached");
    }
    *out = acc;
    return CD_OK;
}

cd_status svc_state_storage_get(svc_state *st, const cd_address *a, const cd_u256 *key, cd_u256 *value, cd_error *err) {
    svc_state_slot *sl = find_slot(st, a, key);
    if (!sl || !sl->proven) {
        /* An account known to have no storage needs no slot proof. */
        svc_state_account *acc = find_account(st, a);
        if (acc && acc->proven && !acc->acc.has_storage) {
            memset(value, 0, sizeof *value);
            return CD_OK;
        }
        json_object *res = NULL;
        cd_status s = svc_state_get_proof(st, a, key, 1, &res, err);
        json_object_put(res);
        if (s != CD_OK) return s;
        sl = find_slot(st, a, key);
        if (!sl || !sl->proven) return cd_fail(err, CD_ERR_INTERNAL, "proven slot not cached");
    }
    *value = sl->value;
    return CD_OK;
}

cd_status svc_state_code_get(svc_state *st, const cd_address *a, cd_bytes *code, cd_error *err) {
    const svc_state_account *cacc = NULL;
    cd_status s = svc_state_account_get(st, a, &cacc, err);
    if (s != CD_OK) return s;
    svc_state_account *acc = find_account(st, a);
    if (acc->has_code) {
        *code = cd_buf_bytes(&acc->code);
        return CD_OK;
    }
    if (cd_hash32_eq(&acc->acc.code_hash, &mpt_empty_code_hash)) {
        acc->has_code = true;
        *code = cd_bytes_make(NULL, 0);
        return CD_OK;
    }
    if (st->round_trips >= SVC_STATE_MAX_ROUND_TRIPS)
        return cd_fail(err, CD_ERR_TOO_LARGE, "more than %d upstream requests for one answer", SVC_STATE_MAX_ROUND_TRIPS);
    char params[80];
    char hex[43];
    cd_hex_encode(hex, a->b, 20);
    snprintf(params, sizeof params, "[\"%s\",\"%s\"]", hex, st->block_tag);
    unsigned order[SVC_MAX_UPSTREAMS];
    unsigned np = svc_pool_order(&st->s->exec, order);
    s = cd_fail(err, CD_ERR_UPSTREAM, "no execution provider");
    for (unsigned k = 0; k < np; k++) {
        json_object *res = NULL;
        st->round_trips++;
        s = svc_rpc(&st->s->exec, order[k], "eth_getCode", params, &res, err);
        if (s != CD_OK) continue;
        cd_buf b = {0};
        s = api_get_data(res, "eth_getCode result", CODE_MAX, &b, err);
        json_object_put(res);
        if (s == CD_OK) s = mpt_code_verify(&acc->acc.code_hash, cd_buf_bytes(&b), err);
        if (s == CD_OK) {
            acc->code = b;
            acc->has_code = true;
            *code = cd_buf_bytes(&acc->code);
            return CD_OK;
        }
        cd_buf_free(&b);
        if (is_lie(s)) svc_pool_report_lie(&st->s->exec, order[k], "eth_getCode: code does not hash to the proven codeHash");
    }
    return s;
}

/* ---- evm_host -------------------------------------------------------------------- */

static cd_status unavailable(svc_state *st) {
    return st->err.code == CD_ERR_NOMEM ? CD_ERR_NOMEM : CD_ERR_EVM_STATE_UNAVAILABLE;
}

static cd_status host_block(void *ctx, evm_block *out) {
    svc_state *st = ctx;
    const lc_execution_header *e = &st->head.exec;
    memset(out, 0, sizeof *out);
    out->number = e->block_number;
    out->timestamp = e->timestamp;
    out->gas_limit = e->gas_limit;
    out->coinbase = e->fee_recipient;
    out->base_fee = e->base_fee_per_gas;
    out->prevrandao = e->prev_randao;
    out->chain_id = st->s->chain_id;
    /* BLOBBASEFEE: Cancun's update fraction before Prague, Prague's after (EIP-7691). */
    evm_fork f = svc_state_fork(st);
    evm_blob_base_fee(e->excess_blob_gas, f >= EVM_PRAGUE ? 5007716 : 3338477, &out->blob_base_fee);
    return CD_OK;
}

/* A collecting pass answers what is not proven yet provisionally and records it. */
static cd_status host_account(void *ctx, const cd_address *addr, evm_account *out) {
    svc_state *st = ctx;
    if (st->collect) {
        svc_state_account *acc = find_account(st, addr);
        if (!acc && add_account(st, addr, &acc, &st->err) != CD_OK) return unavailable(st);
        if (!acc->proven) {
            st->misses++;
            memset(out, 0, sizeof *out); /* provisionally absent */
            return CD_OK;
        }
        *out = acc->acc;
        return CD_OK;
    }
    const svc_state_account *a = NULL;
    if (svc_state_account_get(st, addr, &a, &st->err) != CD_OK) return unavailable(st);
    *out = a->acc;
    return CD_OK;
}

static cd_status host_code(void *ctx, const cd_address *addr, const cd_hash32 *code_hash, cd_bytes *out) {
    svc_state *st = ctx;
    (void)code_hash;
    if (st->collect) {
        /* Asked only for a proven account with code (a provisional one has none). */
        svc_state_account *acc = find_account(st, addr);
        if (acc && acc->proven && !acc->has_code && !cd_hash32_eq(&acc->acc.code_hash, &mpt_empty_code_hash)) {
            st->misses++;
            acc->want_code = true;
            return CD_ERR_EVM_STATE_UNAVAILABLE; /* no provisional code: this execution ends here */
        }
    }
    cd_bytes code;
    if (svc_state_code_get(st, addr, &code, &st->err) != CD_OK) return unavailable(st);
    *out = code; /* the account's own buffer, which outlives the execution */
    return CD_OK;
}

static cd_status host_storage(void *ctx, const cd_address *addr, const cd_u256 *key, cd_u256 *value) {
    svc_state *st = ctx;
    if (st->collect) {
        svc_state_slot *sl = find_slot(st, addr, key);
        const svc_state_account *acc = find_account(st, addr);
        bool needs_proof = !sl && !(acc && acc->proven && !acc->acc.has_storage);
        if (needs_proof && add_slot(st, addr, key, &sl, &st->err) != CD_OK) return unavailable(st);
        if (sl && !sl->proven) {
            st->misses++;
            memset(value, 0, sizeof *value); /* provisionally zero */
            return CD_OK;
        }
    }
    if (svc_state_storage_get(st, addr, key, value, &st->err) != CD_OK) return unavailable(st);
    return CD_OK;
}

static cd_status host_block_hash(void *ctx, uint64_t number, cd_hash32 *out) {
    svc_state *st = ctx;
    api_block_ref ref = {API_BLOCK_NUMBER, number, {{0}}};
    svc_head h;
    if (!svc_find_block(st->s, &ref, &h, &st->err)) {
        cd_fail(&st->err, CD_ERR_EVM_STATE_UNAVAILABLE, "BLOCKHASH(%llu): not a verified block", (unsigned long long)number);
        return CD_ERR_EVM_STATE_UNAVAILABLE;
    }
    *out = h.claim.block_hash;
    return CD_OK;
}

void svc_state_host(svc_state *st, evm_host *out) {
    out->ctx = st;
    out->get_block = host_block;
    out->get_account = host_account;
    out->get_code = host_code;
    out->get_storage = host_storage;
    out->get_block_hash = host_block_hash;
    out->code_matches_hash = false; /* upstream code: the VM checks it against the proof */
}

evm_fork svc_state_fork(const svc_state *st) {
    const lc_config *net = &st->s->net;
    lc_fork f = lc_fork_at_epoch(net, lc_epoch_at_slot(net, st->head.claim.beacon_slot));
    if (f >= LC_FORK_FULU) return EVM_OSAKA;
    if (f >= LC_FORK_ELECTRA) return EVM_PRAGUE;
    if (f >= LC_FORK_DENEB) return EVM_CANCUN;
    if (f >= LC_FORK_CAPELLA) return EVM_SHANGHAI;
    return EVM_PARIS;
}
