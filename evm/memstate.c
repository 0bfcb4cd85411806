/* An in-memory world state: the host for tests and the state-test runner. It records
 * every account and slot read through the host interface (for access lists and to show
 * what a proof-backed host would have to fetch), applies whole transactions, and computes
 * the secure-trie state root with mpt/. */
#include <stdlib.h>
#include <string.h>

#include "evm/internal.h"
#include "mpt/mpt.h"
#include "rlp/rlp.h"

typedef struct {
    cd_u256 key, value;
} ms_slot;

typedef struct {
    cd_address addr;
    bool live;
    uint64_t nonce;
    cd_u256 balance;
    uint8_t *code;
    size_t code_len;
    cd_hash32 code_hash;
    ms_slot *slots;           /* value zero = absent */
    size_t n_slots, cap_slots;
    uint32_t *buckets;        /* open addressing, index + 1 */
    size_t nbuckets;
    size_t nonzero;
} ms_acct;

typedef struct {
    cd_address addr;
    cd_u256 key;
} ms_read;

struct evm_memstate {
    ms_acct *accts;
    size_t n, cap;
    uint32_t *buckets;
    size_t nbuckets;
    evm_block block;
    bool strict;
    cd_address *acct_reads;
    size_t n_acct_reads, cap_acct_reads;
    ms_read *slot_reads;
    size_t n_slot_reads, cap_slot_reads;
};

static uint64_t h_addr(const cd_address *a) {
    uint64_t h;
    memcpy(&h, a->b + 4, 8);
    return (h ^ (h >> 31)) * 0x9e3779b97f4a7c15ull;
}

static uint64_t h_key(const cd_u256 *k) {
    uint64_t h = k->w[0] * 0x9e3779b97f4a7c15ull ^ k->w[1] * 0xc2b2ae3d27d4eb4full ^ k->w[2] * 0x165667b19e3779f9ull ^ k->w[3];
    return (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ull;
}

cd_status evm_memstate_new(evm_memstate **out) {
    evm_memstate *ms = calloc(1, sizeof *ms);
    if (!ms) return CD_ERR_NOMEM;
    ms->nbuckets = 64;
    ms->buckets = calloc(ms->nbuckets, sizeof *ms->buckets);
    if (!ms->buckets) {
        free(ms);
        return CD_ERR_NOMEM;
    }
    ms->block.gas_limit = 30000000;
    ms->block.chain_id = 1;
    *out = ms;
    return CD_OK;
}

void evm_memstate_free(evm_memstate *ms) {
    if (!ms) return;
    for (size_t i = 0; i < ms->n; i++) {
        free(ms->accts[i].code);
        free(ms->accts[i].slots);
        free(ms->accts[i].buckets);
    }
    free(ms->accts);
    free(ms->buckets);
    free(ms->acct_reads);
    free(ms->slot_reads);
    free(ms);
}

static ms_acct *find_acct(const evm_memstate *ms, const cd_address *a) {
    size_t mask = ms->nbuckets - 1;
    for (size_t h = h_addr(a) & mask;; h = (h + 1) & mask) {
        uint32_t i = ms->buckets[h];
        if (!i) return NULL;
        if (cd_address_eq(&ms->accts[i - 1].addr, a)) return &ms->accts[i - 1];
    }
}

static bool grow_acct_buckets(evm_memstate *ms) {
    size_t nb = ms->nbuckets * 2;
    uint32_t *b = calloc(nb, sizeof *b);
    if (!b) return false;
    for (size_t i = 0; i < ms->n; i++) {
        size_t h = h_addr(&ms->accts[i].addr) & (nb - 1);
        while (b[h]) h = (h + 1) & (nb - 1);
        b[h] = (uint32_t)(i + 1);
    }
    free(ms->buckets);
    ms->buckets = b;
    ms->nbuckets = nb;
    return true;
}

/* Finds or adds (not live) the account record. */
static ms_acct *get_acct(evm_memstate *ms, const cd_address *a) {
    ms_acct *x = find_acct(ms, a);
    if (x) return x;
    if ((ms->n + 1) * 2 > ms->nbuckets && !grow_acct_buckets(ms)) return NULL;
    if (ms->n == ms->cap) {
        ms_acct *p = cd_grow_array(ms->accts, &ms->cap, sizeof *p, 32);
        if (!p) return NULL;
        ms->accts = p;
    }
    x = &ms->accts[ms->n];
    memset(x, 0, sizeof *x);
    x->addr = *a;
    x->code_hash = evm_empty_code_hash;
    size_t mask = ms->nbuckets - 1;
    size_t h = h_addr(a) & mask;
    while (ms->buckets[h]) h = (h + 1) & mask;
    ms->buckets[h] = (uint32_t)(ms->n + 1);
    ms->n++;
    return x;
}

static ms_slot *find_slot(const ms_acct *x, const cd_u256 *k) {
    if (!x->nbuckets) return NULL;
    size_t mask = x->nbuckets - 1;
    for (size_t h = h_key(k) & mask;; h = (h + 1) & mask) {
        uint32_t i = x->buckets[h];
        if (!i) return NULL;
        if (cd_u256_eq(&x->slots[i - 1].key, k)) return &x->slots[i - 1];
    }
}

static bool put_slot(ms_acct *x, const cd_u256 *k, const cd_u256 *v) {
    ms_slot *s = find_slot(x, k);
    if (s) {
        bool was = !cd_u256_is_zero(&s->value), is = !cd_u256_is_zero(v);
        x->nonzero += (size_t)is - (size_t)was;
        s->value = *v;
        return true;
    }
    if (cd_u256_is_zero(v)) return true;
    if ((x->n_slots + 1) * 2 > x->nbuckets) {
        size_t nb = x->nbuckets ? x->nbuckets * 2 : 16;
        uint32_t *b = calloc(nb, sizeof *b);
        if (!b) return false;
        for (size_t i = 0; i < x->n_slots; i++) {
            size_t h = h_key(&x->slots[i].key) & (nb - 1);
            while (b[h]) h = (h + 1) & (nb - 1);
            b[h] = (uint32_t)(i + 1);
        }
        free(x->buckets);
        x->buckets = b;
        x->nbuckets = nb;
    }
    if (x->n_slots == x->cap_slots) {
        ms_slot *p = cd_grow_array(x->slots, &x->cap_slots, sizeof *p, 8);
        if (!p) return false;
        x->slots = p;
    }
    x->slots[x->n_slots].key = *k;
    x->slots[x->n_slots].value = *v;
    size_t mask = x->nbuckets - 1;
    size_t h = h_key(k) & mask;
    while (x->buckets[h]) h = (h + 1) & mask;
    x->buckets[h] = (uint32_t)(x->n_slots + 1);
    x->n_slots++;
    x->nonzero++;
    return true;
}

static void clear_storage(ms_acct *x) {
    free(x->slots);
    free(x->buckets);
    x->slots = NULL;
    x->buckets = NULL;
    x->n_slots = x->cap_slots = x->nbuckets = x->nonzero = 0;
}

static cd_status set_code(ms_acct *x, const uint8_t *code, size_t len) {
    uint8_t *c = NULL;
    if (len) {
        c = malloc(len);
        if (!c) return CD_ERR_NOMEM;
        memcpy(c, code, len);
    }
    free(x->code);
    x->code = c;
    x->code_len = len;
    evm_hash(code ? code : (const uint8_t *)"", len, &x->code_hash);
    return CD_OK;
}

cd_status evm_memstate_set_account(evm_memstate *ms, const cd_address *addr, uint64_t nonce,
                                   const cd_u256 *balance, cd_bytes code) {
    ms_acct *x = get_acct(ms, addr);
    if (!x) return CD_ERR_NOMEM;
    x->live = true;
    x->nonce = nonce;
    x->balance = *balance;
    return set_code(x, code.ptr, code.len);
}

cd_status evm_memstate_set_storage(evm_memstate *ms, const cd_address *addr, const cd_u256 *key,
                                   const cd_u256 *value) {
    ms_acct *x = find_acct(ms, addr);
    if (!x || !x->live) return CD_ERR_NOT_FOUND;
    return put_slot(x, key, value) ? CD_OK : CD_ERR_NOMEM;
}

void evm_memstate_set_block(evm_memstate *ms, const evm_block *block) { ms->block = *block; }
void evm_memstate_set_strict(evm_memstate *ms, bool strict) { ms->strict = strict; }

bool evm_memstate_get_account(const evm_memstate *ms, const cd_address *addr, evm_account *out,
                              cd_bytes *code) {
    const ms_acct *x = find_acct(ms, addr);
    memset(out, 0, sizeof *out);
    out->code_hash = evm_empty_code_hash;
    if (code) *code = cd_bytes_make(NULL, 0);
    if (!x || !x->live) return false;
    out->exists = true;
    out->nonce = x->nonce;
    out->balance = x->balance;
    out->code_hash = x->code_hash;
    out->has_storage = x->nonzero > 0;
    if (code) *code = cd_bytes_make(x->code, x->code_len);
    return true;
}

void evm_memstate_get_storage(const evm_memstate *ms, const cd_address *addr, const cd_u256 *key,
                              cd_u256 *value) {
    const ms_acct *x = find_acct(ms, addr);
    const ms_slot *s = x && x->live ? find_slot(x, key) : NULL;
    *value = s ? s->value : u256_from_u64(0);
}

/* ---- host callbacks ---- */

static void note_acct_read(evm_memstate *ms, const cd_address *a) {
    for (size_t i = 0; i < ms->n_acct_reads; i++)
        if (cd_address_eq(&ms->acct_reads[i], a)) return;
    if (ms->n_acct_reads == ms->cap_acct_reads) {
        cd_address *p = cd_grow_array(ms->acct_reads, &ms->cap_acct_reads, sizeof *p, 16);
        if (!p) return; /* recording is best effort; the read itself still succeeds */
        ms->acct_reads = p;
    }
    ms->acct_reads[ms->n_acct_reads++] = *a;
}

static void note_slot_read(evm_memstate *ms, const cd_address *a, const cd_u256 *k) {
    for (size_t i = 0; i < ms->n_slot_reads; i++)
        if (cd_address_eq(&ms->slot_reads[i].addr, a) && cd_u256_eq(&ms->slot_reads[i].key, k)) return;
    if (ms->n_slot_reads == ms->cap_slot_reads) {
        ms_read *p = cd_grow_array(ms->slot_reads, &ms->cap_slot_reads, sizeof *p, 16);
        if (!p) return;
        ms->slot_reads = p;
    }
    ms->slot_reads[ms->n_slot_reads].addr = *a;
    ms->slot_reads[ms->n_slot_reads].key = *k;
    ms->n_slot_reads++;
}

static cd_status host_block(void *ctx, evm_block *out) {
    *out = ((evm_memstate *)ctx)->block;
    return CD_OK;
}

static cd_status host_account(void *ctx, const cd_address *addr, evm_account *out) {
    evm_memstate *ms = ctx;
    note_acct_read(ms, addr);
    bool found = evm_memstate_get_account(ms, addr, out, NULL);
    if (!found && ms->strict && !find_acct(ms, addr)) return CD_ERR_EVM_STATE_UNAVAILABLE;
    return CD_OK;
}

static cd_status host_code(void *ctx, const cd_address *addr, const cd_hash32 *code_hash, cd_bytes *out) {
    evm_memstate *ms = ctx;
    const ms_acct *x = find_acct(ms, addr);
    if (!x || !x->live || !cd_hash32_eq(&x->code_hash, code_hash)) return CD_ERR_EVM_STATE_UNAVAILABLE;
    *out = cd_bytes_make(x->code, x->code_len);
    return CD_OK;
}

static cd_status host_storage(void *ctx, const cd_address *addr, const cd_u256 *key, cd_u256 *value) {
    evm_memstate *ms = ctx;
    note_slot_read(ms, addr, key);
    evm_memstate_get_storage(ms, addr, key, value);
    return CD_OK;
}

/* Block hashes as go-ethereum's state-test runner defines them: keccak256 of the decimal
 * block number. State tests do not define them otherwise. */
static cd_status host_block_hash(void *ctx, uint64_t number, cd_hash32 *out) {
    (void)ctx;
    char dec[24];
    int n = 0;
    char tmp[24];
    do {
        tmp[n++] = (char)('0' + number % 10);
        number /= 10;
    } while (number);
    for (int i = 0; i < n; i++) dec[i] = tmp[n - 1 - i];
    evm_hash(dec, (size_t)n, out);
    return CD_OK;
}

void evm_memstate_host(evm_memstate *ms, evm_host *out) {
    out->ctx = ms;
    out->get_block = host_block;
    out->get_account = host_account;
    out->get_code = host_code;
    out->get_storage = host_storage;
    out->get_block_hash = host_block_hash;
    out->code_matches_hash = true; /* host_code serves x->code, hashed by set_code */
}

cd_status evm_memstate_accessed(const evm_memstate *ms, evm_access_list *out) {
    memset(out, 0, sizeof *out);
    if (!ms->n_acct_reads) return CD_OK;
    out->entries = calloc(ms->n_acct_reads, sizeof *out->entries);
    if (!out->entries) return CD_ERR_NOMEM;
    out->n = ms->n_acct_reads;
    for (size_t i = 0; i < ms->n_acct_reads; i++) {
        evm_access_entry *e = &out->entries[i];
        e->address = ms->acct_reads[i];
        size_t k = 0;
        for (size_t j = 0; j < ms->n_slot_reads; j++)
            if (cd_address_eq(&ms->slot_reads[j].addr, &e->address)) k++;
        if (!k) continue;
        e->keys = calloc(k, sizeof *e->keys);
        if (!e->keys) {
            evm_access_list_free(out);
            return CD_ERR_NOMEM;
        }
        for (size_t j = 0; j < ms->n_slot_reads; j++)
            if (cd_address_eq(&ms->slot_reads[j].addr, &e->address)) e->keys[e->n_keys++] = ms->slot_reads[j].key;
    }
    return CD_OK;
}

void evm_memstate_clear_accessed(evm_memstate *ms) {
    ms->n_acct_reads = 0;
    ms->n_slot_reads = 0;
}

/* ---- transactions ---- */

/* Writes the transaction's final overlay into the state. */
static cd_status commit(evm_memstate *ms, const evm_vm *vm) {
    for (size_t i = 0; i < vm->n_accts; i++) {
        const world_acct *a = &vm->accts[i];
        if (!a->dirty) continue;
        ms_acct *x = get_acct(ms, &a->addr);
        if (!x) return CD_ERR_NOMEM;
        if (!a->s.exists) {
            if (x->live) {
                x->live = false;
                clear_storage(x);
                free(x->code);
                x->code = NULL;
                x->code_len = 0;
                x->code_hash = evm_empty_code_hash;
            }
            continue;
        }
        if (a->s.storage_cleared) clear_storage(x);
        x->live = true;
        x->nonce = a->s.nonce;
        x->balance = a->s.balance;
        if (!cd_hash32_eq(&x->code_hash, &a->s.code_hash)) {
            if (!a->s.code_loaded) return CD_ERR_INTERNAL;
            cd_status st = set_code(x, a->s.code.code, a->s.code.len);
            if (st != CD_OK) return st;
        }
    }
    for (size_t i = 0; i < vm->n_slots; i++) {
        const world_slot *s = &vm->slots[i];
        if (s->transient) continue;
        const world_acct *a = &vm->accts[s->acct];
        if (!a->s.exists || cd_u256_eq(&s->value, &s->original)) continue;
        ms_acct *x = find_acct(ms, &a->addr);
        if (!x || !put_slot(x, &s->key, &s->value)) return CD_ERR_NOMEM;
    }
    return CD_OK;
}

cd_status evm_memstate_apply_tx(evm_memstate *ms, evm_fork fork, const evm_tx *tx,
                                const evm_blob_schedule *blob_schedule, evm_result *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    evm_host host;
    evm_memstate_host(ms, &host);
    evm_vm *vm = malloc(sizeof *vm);
    if (!vm) return cd_fail(err, CD_ERR_NOMEM, "evm: vm");
    cd_status st = vm_init(vm, &host, fork, err);
    if (st == CD_OK) {
        tx_mode mode = {false, blob_schedule};
        st = vm_transact(vm, tx, &mode, out);
        if (st == CD_OK) st = commit(ms, vm);
    }
    vm_free(vm);
    free(vm);
    return st;
}

/* ---- state root ---- */

/* A secure trie being filled: each entry's key is hashed into kbuf and its RLP value
 * appended to vbuf; then the whole set goes to mpt_trie_root. Serves both the storage tries
 * and the account trie. */
typedef struct {
    size_t n, cap;
    uint8_t *kbuf;  /* n hashed keys, 32 bytes each */
    size_t *voff;   /* where entry i's value starts in vbuf */
    cd_buf vbuf;
} secure_trie;

static void secure_trie_free(secure_trie *t) {
    free(t->kbuf);
    free(t->voff);
    cd_buf_free(&t->vbuf);
}

static cd_status secure_trie_init(secure_trie *t, size_t cap) {
    memset(t, 0, sizeof *t);
    t->cap = cap;
    t->kbuf = malloc(cap ? cap * 32 : 1);
    t->voff = calloc(cap ? cap : 1, sizeof *t->voff);
    return t->kbuf && t->voff ? CD_OK : CD_ERR_NOMEM;
}

/* Starts an entry: hashes `key` and marks where its value begins; the caller then appends
 * the value's RLP to t->vbuf. */
static cd_status secure_trie_add(secure_trie *t, const void *key, size_t key_len) {
    if (t->n == t->cap) return CD_ERR_INTERNAL; /* the caller counted its entries wrong */
    evm_hash(key, key_len, (cd_hash32 *)(t->kbuf + 32 * t->n));
    t->voff[t->n++] = t->vbuf.len;
    return CD_OK;
}

static cd_status secure_trie_root(const secure_trie *t, cd_hash32 *root) {
    cd_bytes *keys = calloc(t->n ? t->n : 1, sizeof *keys), *vals = calloc(t->n ? t->n : 1, sizeof *vals);
    cd_status st = keys && vals ? CD_OK : CD_ERR_NOMEM;
    for (size_t i = 0; st == CD_OK && i < t->n; i++) {
        keys[i] = cd_bytes_make(t->kbuf + 32 * i, 32);
        size_t end = i + 1 < t->n ? t->voff[i + 1] : t->vbuf.len;
        vals[i] = cd_bytes_make(t->vbuf.data + t->voff[i], end - t->voff[i]);
    }
    if (st == CD_OK) st = mpt_trie_root(keys, vals, t->n, root);
    free(keys);
    free(vals);
    return st;
}

static cd_status storage_root(const ms_acct *x, cd_hash32 *root) {
    if (!x->nonzero) {
        memcpy(root->b, mpt_empty_trie_root.b, 32);
        return CD_OK;
    }
    secure_trie t;
    cd_status st = secure_trie_init(&t, x->nonzero);
    for (size_t i = 0; st == CD_OK && i < x->n_slots; i++) {
        if (cd_u256_is_zero(&x->slots[i].value)) continue;
        uint8_t be[32];
        u256_to_be(&x->slots[i].key, be);
        st = secure_trie_add(&t, be, 32);
        if (st == CD_OK) st = rlp_encode_u256(&t.vbuf, &x->slots[i].value);
    }
    if (st == CD_OK) st = secure_trie_root(&t, root);
    secure_trie_free(&t);
    return st;
}

cd_status evm_memstate_root(const evm_memstate *ms, cd_hash32 *root) {
    size_t n = 0;
    for (size_t i = 0; i < ms->n; i++) n += ms->accts[i].live;
    secure_trie t;
    cd_status st = secure_trie_init(&t, n);
    for (size_t i = 0; st == CD_OK && i < ms->n; i++) {
        const ms_acct *x = &ms->accts[i];
        if (!x->live) continue;
        mpt_account acc;
        acc.nonce = x->nonce;
        acc.balance = x->balance;
        acc.code_hash = x->code_hash;
        st = storage_root(x, &acc.storage_root);
        if (st == CD_OK) st = secure_trie_add(&t, x->addr.b, 20);
        if (st == CD_OK) st = mpt_account_encode(&acc, &t.vbuf);
    }
    if (st == CD_OK) st = secure_trie_root(&t, root);
    secure_trie_free(&t);
    return st;
}
