/* The journaled world overlay of one transaction: accounts and slots are read from the host
 * once, kept in hash tables, and every change is recorded in an undo journal so that a
 * failing call frame can be rolled back to its snapshot. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "evm/internal.h"
#include "evm/precompiles.h"

const cd_hash32 evm_empty_code_hash = {{0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
                                        0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
                                        0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70}};

void evm_hash(const void *data, size_t len, cd_hash32 *out) {
    keccak256((const uint8_t *)data, len, out->b);
}

void vm_fail(evm_vm *vm, cd_status st, const char *what) {
    if (vm->fatal == CD_OK) {
        vm->fatal = st;
        if (vm->err) cd_fail(vm->err, st, "%s: %s", what, cd_status_str(st));
    }
}

cd_status vm_init(evm_vm *vm, const evm_host *host, evm_fork fork, cd_error *err) {
    memset(vm, 0, offsetof(evm_vm, stack0));
    vm->accts = vm->accts0;
    vm->cap_accts = VM_ACCTS_RESERVE;
    vm->journal = vm->journal0;
    vm->cap_journal = VM_JOURNAL_RESERVE;
    vm->scratch0.stack = vm->stack0;
    vm->scratch0.mem = vm->scratch0.mem_reserve = vm->mem0;
    vm->scratch0.mem_cap = VM_MEM_RESERVE;
    vm->host = host;
    vm->fork = fork;
    vm->err = err;
    cd_arena_init(&vm->arena, 16 << 10, 0); /* under glibc's 64 KiB, whose free would consolidate the heap every call */
    vm_build_tables(fork, vm->ops);
    vm->acct_nbuckets = VM_ACCT_BUCKETS0;
    vm->acct_buckets = vm->acct_buckets0;
    vm->slot_nbuckets = VM_SLOT_BUCKETS0;
    vm->slot_buckets = vm->slot_buckets0;
    cd_status st = host->get_block(host->ctx, &vm->block);
    if (st != CD_OK) return cd_fail(err, st, "evm: block context: %s", cd_status_str(st));
    return CD_OK;
}

void vm_free(evm_vm *vm) {
    if (vm->accts != vm->accts0) free(vm->accts);
    if (vm->acct_buckets != vm->acct_buckets0) free(vm->acct_buckets);
    free(vm->slots);
    if (vm->slot_buckets != vm->slot_buckets0) free(vm->slot_buckets);
    if (vm->journal != vm->journal0) free(vm->journal);
    for (size_t i = 0; i < vm->n_logs; i++) free(vm->logs[i].data);
    free(vm->logs);
    cd_arena_free(&vm->arena);
    for (size_t i = 0; i < vm->n_scratch; i++) {
        if (!vm->scratch[i]) continue;
        free(vm->scratch[i]->stack);
        free(vm->scratch[i]->mem);
        cd_buf_free(&vm->scratch[i]->ret);
        free(vm->scratch[i]);
    }
    free(vm->scratch);
    if (vm->scratch0.mem != vm->scratch0.mem_reserve) free(vm->scratch0.mem);
    cd_buf_free(&vm->scratch0.ret);
    /* Back to an empty vm that a second vm_free leaves alone (the tables at their
     * reserves), without clearing the whole head of the struct again. */
    vm->accts = vm->accts0;
    vm->journal = vm->journal0;
    vm->acct_buckets = vm->acct_buckets0;
    vm->slot_buckets = vm->slot_buckets0;
    vm->slots = NULL;
    vm->logs = NULL;
    vm->n_logs = vm->n_accts = vm->n_slots = vm->n_journal = vm->cap_slots = vm->cap_logs = 0;
    vm->cap_accts = VM_ACCTS_RESERVE;
    vm->cap_journal = VM_JOURNAL_RESERVE;
    vm->acct_nbuckets = VM_ACCT_BUCKETS0;
    vm->slot_nbuckets = VM_SLOT_BUCKETS0;
    vm->scratch = NULL;
    vm->n_scratch = 0;
    vm->scratch0.mem = vm->scratch0.mem_reserve;
    vm->scratch0.mem_cap = VM_MEM_RESERVE;
}

/* cd_grow_array for a table that may still sit in its reserve inside the vm (which cannot
 * be passed to realloc): the first growth copies it out to the heap. */
static void *grow_reserved(void *items, const void *reserve, size_t *cap, size_t elem_size) {
    if (items != reserve) return cd_grow_array(items, cap, elem_size, 0);
    if (*cap > SIZE_MAX / 2 / elem_size) return NULL;
    void *p = malloc(*cap * 2 * elem_size);
    if (!p) return NULL;
    memcpy(p, items, *cap * elem_size);
    *cap *= 2;
    return p;
}

vm_scratch *vm_scratch_at(evm_vm *vm, int d) {
    if (d == 0) return &vm->scratch0;
    if ((size_t)d >= vm->n_scratch) {
        size_t n = vm->n_scratch ? vm->n_scratch * 2 : 8;
        while (n <= (size_t)d) n *= 2;
        vm_scratch **p = realloc(vm->scratch, n * sizeof *p);
        if (!p) return NULL;
        memset(p + vm->n_scratch, 0, (n - vm->n_scratch) * sizeof *p);
        vm->scratch = p;
        vm->n_scratch = n;
    }
    if (!vm->scratch[d]) {
        vm->scratch[d] = calloc(1, sizeof **vm->scratch);
        if (!vm->scratch[d]) return NULL;
    }
    vm_scratch *s = vm->scratch[d];
    if (!s->stack) {
        s->stack = malloc(sizeof(cd_u256) * EVM_STACK_LIMIT);
        if (!s->stack) return NULL;
    }
    return s;
}

void *vm_own(evm_vm *vm, size_t n) { return cd_arena_alloc(&vm->arena, n ? n : 1); }

bool vm_make_code(evm_vm *vm, const uint8_t *code, size_t len, vm_code *out) {
    size_t bitmap = (len + 7) / 8 + 1, total = len + EVM_CODE_PAD + bitmap;
    uint8_t *buf;
    if (vm && !vm->code0_used && total <= VM_CODE_RESERVE) {
        /* the first code of the call goes to the vm's reserve: only the padding and the
         * bitmap need clearing, the code is copied over the rest */
        vm->code0_used = true;
        buf = vm->code0;
        memset(buf + len, 0, total - len);
    } else {
        buf = vm ? vm_own(vm, total) : calloc(1, total);
    }
    if (!buf) return false;
    if (len) memcpy(buf, code, len);
    uint8_t *jd = buf + len + EVM_CODE_PAD;
    /* Only JUMPDEST (0x5b) and PUSHn (0x60..0x7f) matter here, and in much code long runs
     * are neither. Per eight bytes: the high bit of each byte of m is set exactly when that
     * byte is in 0x5b..0x7f (adding 0x25 to its low seven bits carries into bit 7 from 0x5b
     * up, and ~w clears bytes of 0x80 and more), so a word without one is skipped whole;
     * otherwise its bytes go through the plain walk, whose branches the predictor follows
     * (a branch-free walk would chain every step on the previous load). */
    size_t i = 0;
    while (i < len) {
        size_t end = len;
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, code + i, 8);
            uint64_t m = ((w & 0x7f7f7f7f7f7f7f7full) + 0x2525252525252525ull) & ~w & 0x8080808080808080ull;
            if (!m) {
                i += 8;
                continue;
            }
            end = i + 8;
        }
        while (i < end) {
            uint8_t op = code[i];
            if (op >= 0x60 && op <= 0x7f) {
                i += (size_t)(op - 0x5e); /* the opcode and its data */
            } else {
                if (op == 0x5b) jd[i / 8] |= (uint8_t)(1u << (i % 8));
                i++;
            }
        }
    }
    out->code = buf;
    out->len = len;
    out->jumpdests = jd;
    return true;
}

/* ---- hashing of keys ---- */

static inline uint64_t addr_hash(const cd_address *a) {
    uint64_t h;
    memcpy(&h, a->b + 12, 8);
    return h * 0x9e3779b97f4a7c15ull;
}

static inline uint64_t slot_hash(uint32_t acct, const cd_u256 *k, bool transient) {
    uint64_t h = k->w[0] ^ (k->w[1] * 0x85ebca6bull) ^ (k->w[2] * 0xc2b2ae35ull) ^ (k->w[3] * 0x27d4eb2full);
    h ^= (uint64_t)acct * 0x9e3779b97f4a7c15ull + (transient ? 0x51ed27ull : 0);
    h ^= h >> 29;
    return h * 0xbf58476d1ce4e5b9ull;
}

static bool rehash_accts(evm_vm *vm) {
    size_t nb = vm->acct_nbuckets * 2;
    uint32_t *b = calloc(nb, sizeof *b);
    if (!b) return false;
    for (size_t i = 0; i < vm->n_accts; i++) {
        size_t h = addr_hash(&vm->accts[i].addr) & (nb - 1);
        vm->accts[i].hnext = b[h];
        b[h] = (uint32_t)(i + 1);
    }
    if (vm->acct_buckets != vm->acct_buckets0) free(vm->acct_buckets);
    vm->acct_buckets = b;
    vm->acct_nbuckets = nb;
    return true;
}

static bool rehash_slots(evm_vm *vm) {
    size_t nb = vm->slot_nbuckets * 2;
    uint32_t *b = calloc(nb, sizeof *b);
    if (!b) return false;
    for (size_t i = 0; i < vm->n_slots; i++) {
        world_slot *s = &vm->slots[i];
        size_t h = slot_hash(s->acct, &s->key, s->transient) & (nb - 1);
        s->hnext = b[h];
        b[h] = (uint32_t)(i + 1);
    }
    if (vm->slot_buckets != vm->slot_buckets0) free(vm->slot_buckets);
    vm->slot_buckets = b;
    vm->slot_nbuckets = nb;
    return true;
}

static bool prewarmed_acct(const evm_vm *vm, const cd_address *addr) {
    for (size_t i = 0; i < vm->n_prewarm; i++)
        if (cd_address_eq(&vm->prewarm[i], addr)) return true;
    const evm_access_list *al = vm->prewarm_list;
    for (size_t i = 0; al && i < al->n; i++)
        if (cd_address_eq(&al->entries[i].address, addr)) return true;
    return false;
}

static bool prewarmed_slot(const evm_vm *vm, const cd_address *addr, const cd_u256 *key) {
    const evm_access_list *al = vm->prewarm_list;
    for (size_t i = 0; al && i < al->n; i++) {
        if (!cd_address_eq(&al->entries[i].address, addr)) continue;
        for (size_t k = 0; k < al->entries[i].n_keys; k++)
            if (cd_u256_eq(&al->entries[i].keys[k], key)) return true;
    }
    return false;
}

world_acct *vm_acct(evm_vm *vm, const cd_address *addr) {
    size_t h = addr_hash(addr) & (vm->acct_nbuckets - 1);
    for (uint32_t i = vm->acct_buckets[h]; i; i = vm->accts[i - 1].hnext)
        if (cd_address_eq(&vm->accts[i - 1].addr, addr)) return &vm->accts[i - 1];
    if (vm->fatal != CD_OK) return NULL;
    evm_account acc;
    memset(&acc, 0, sizeof acc);
    cd_status st = vm->host->get_account(vm->host->ctx, addr, &acc);
    if (st != CD_OK) {
        vm_fail(vm, st, "account read");
        return NULL;
    }
    if (vm->n_accts == vm->cap_accts) {
        world_acct *p = grow_reserved(vm->accts, vm->accts0, &vm->cap_accts, sizeof *p);
        if (!p) {
            vm_fail(vm, CD_ERR_NOMEM, "account table");
            return NULL;
        }
        vm->accts = p;
    }
    if (vm->n_accts + 1 > vm->acct_nbuckets && !rehash_accts(vm)) {
        vm_fail(vm, CD_ERR_NOMEM, "account table");
        return NULL;
    }
    world_acct *a = &vm->accts[vm->n_accts];
    memset(a, 0, sizeof *a);
    a->addr = *addr;
    a->s.exists = acc.exists;
    a->s.nonce = acc.nonce;
    a->s.balance = acc.balance;
    a->s.code_hash = acc.exists ? acc.code_hash : evm_empty_code_hash;
    a->s.has_storage = acc.has_storage;
    /* Precompiles and the transaction's warm set are warm from the start, without a
     * journal entry. */
    if (vm->fork >= EVM_BERLIN && (evm_precompile_exists(vm->fork, addr) || prewarmed_acct(vm, addr)))
        a->warm = true;
    h = addr_hash(addr) & (vm->acct_nbuckets - 1);
    a->hnext = vm->acct_buckets[h];
    vm->acct_buckets[h] = (uint32_t)(vm->n_accts + 1);
    vm->n_accts++;
    return a;
}

bool vm_acct_has_code(const world_acct *a) {
    return !cd_hash32_eq(&a->s.code_hash, &evm_empty_code_hash);
}

bool vm_acct_empty(const world_acct *a) {
    return a->s.nonce == 0 && cd_u256_is_zero(&a->s.balance) && !vm_acct_has_code(a);
}

bool vm_load_code(evm_vm *vm, world_acct *a) {
    if (a->s.code_loaded) return true;
    if (!vm_acct_has_code(a)) {
        a->s.code.code = (const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        a->s.code.len = 0;
        a->s.code.jumpdests = a->s.code.code;
        a->s.code_loaded = true;
        return true;
    }
    if (vm->fatal != CD_OK) return false;
    cd_bytes code = cd_bytes_make(NULL, 0);
    cd_status st = vm->host->get_code(vm->host->ctx, &a->addr, &a->s.code_hash, &code);
    if (st == CD_OK && code.len && !code.ptr) st = CD_ERR_EVM_STATE_UNAVAILABLE; /* a broken host */
    if (!code.len) code.ptr = (const uint8_t *)""; /* hashing and copying need a pointer */
    if (st == CD_OK && !vm->host->code_matches_hash) {
        /* The host must hand back the code that hashes to the account's codeHash; a
         * mismatch means the host is broken or lying, which we refuse to execute. */
        cd_hash32 h;
        evm_hash(code.ptr, code.len, &h);
        if (!cd_hash32_eq(&h, &a->s.code_hash)) st = CD_ERR_EVM_STATE_UNAVAILABLE;
    }
    if (st != CD_OK) {
        vm_fail(vm, st, "code read");
        return false;
    }
    if (!vm_make_code(vm, code.ptr, code.len, &a->s.code)) {
        vm_fail(vm, CD_ERR_NOMEM, "code copy");
        return false;
    }
    a->s.code_loaded = true;
    return true;
}

world_slot *vm_slot(evm_vm *vm, uint32_t ai, const cd_u256 *key, bool transient) {
    size_t h = slot_hash(ai, key, transient) & (vm->slot_nbuckets - 1);
    for (uint32_t i = vm->slot_buckets[h]; i; i = vm->slots[i - 1].hnext) {
        world_slot *s = &vm->slots[i - 1];
        if (s->acct == ai && s->transient == transient && cd_u256_eq(&s->key, key)) return s;
    }
    if (vm->fatal != CD_OK) return NULL;
    cd_u256 value = {{0, 0, 0, 0}};
    world_acct *a = &vm->accts[ai];
    if (!transient && a->s.exists && !a->s.storage_cleared && a->s.has_storage) {
        cd_status st = vm->host->get_storage(vm->host->ctx, &a->addr, key, &value);
        if (st != CD_OK) {
            vm_fail(vm, st, "storage read");
            return NULL;
        }
    }
    if (vm->n_slots == vm->cap_slots) {
        world_slot *p = cd_grow_array(vm->slots, &vm->cap_slots, sizeof *p, 64);
        if (!p) {
            vm_fail(vm, CD_ERR_NOMEM, "slot table");
            return NULL;
        }
        vm->slots = p;
    }
    if (vm->n_slots + 1 > vm->slot_nbuckets && !rehash_slots(vm)) {
        vm_fail(vm, CD_ERR_NOMEM, "slot table");
        return NULL;
    }
    world_slot *s = &vm->slots[vm->n_slots];
    memset(s, 0, sizeof *s);
    s->acct = ai;
    s->key = *key;
    s->value = value;
    s->original = value;
    s->transient = transient;
    if (!transient && vm->fork >= EVM_BERLIN && prewarmed_slot(vm, &a->addr, key)) s->warm = true;
    h = slot_hash(ai, key, transient) & (vm->slot_nbuckets - 1);
    s->hnext = vm->slot_buckets[h];
    vm->slot_buckets[h] = (uint32_t)(vm->n_slots + 1);
    vm->n_slots++;
    return s;
}

bool vm_journal_push(evm_vm *vm, const jentry *e) {
    if (vm->n_journal == vm->cap_journal) {
        jentry *p = grow_reserved(vm->journal, vm->journal0, &vm->cap_journal, sizeof *p);
        if (!p) {
            vm_fail(vm, CD_ERR_NOMEM, "journal");
            return false;
        }
        vm->journal = p;
    }
    vm->journal[vm->n_journal++] = *e;
    return true;
}

void vm_save_acct(evm_vm *vm, world_acct *a) {
    jentry e;
    e.kind = J_ACCT;
    e.idx = vm_acct_index(vm, a);
    e.old.acct = a->s;
    (void)vm_journal_push(vm, &e); /* on failure vm->fatal is set and the call is abandoned */
    a->dirty = true;
}

bool vm_warm_acct(evm_vm *vm, world_acct *a) {
    if (a->warm) return false;
    jentry e;
    e.kind = J_ACCT_WARM;
    e.idx = vm_acct_index(vm, a);
    if (!vm_journal_push(vm, &e)) return false;
    a->warm = true;
    return true;
}

bool vm_warm_slot(evm_vm *vm, world_slot *s) {
    if (s->warm) return false;
    jentry e;
    e.kind = J_SLOT_WARM;
    e.idx = (uint32_t)(s - vm->slots);
    if (!vm_journal_push(vm, &e)) return false;
    s->warm = true;
    return true;
}

bool vm_set_slot(evm_vm *vm, world_slot *s, const cd_u256 *v) {
    jentry e;
    e.kind = J_SLOT;
    e.idx = (uint32_t)(s - vm->slots);
    e.old.value = s->value;
    if (!vm_journal_push(vm, &e)) return false;
    s->value = *v;
    if (!s->transient) vm->accts[s->acct].dirty = true;
    return true;
}

vm_snapshot vm_snap(const evm_vm *vm) {
    vm_snapshot s = {vm->n_journal, vm->n_logs, vm->refund};
    return s;
}

void vm_revert(evm_vm *vm, vm_snapshot snap) {
    while (vm->n_journal > snap.journal_len) {
        const jentry *e = &vm->journal[--vm->n_journal];
        switch (e->kind) {
        case J_ACCT: vm->accts[e->idx].s = e->old.acct; break;
        case J_ACCT_WARM: vm->accts[e->idx].warm = false; break;
        case J_SLOT: vm->slots[e->idx].value = e->old.value; break;
        case J_SLOT_WARM: vm->slots[e->idx].warm = false; break;
        default: break;
        }
    }
    while (vm->n_logs > snap.n_logs) free(vm->logs[--vm->n_logs].data);
    vm->refund = snap.refund;
}

bool vm_set_code(evm_vm *vm, world_acct *a, const uint8_t *code, size_t len) {
    vm_code c;
    if (!vm_make_code(vm, code, len, &c)) {
        vm_fail(vm, CD_ERR_NOMEM, "code copy");
        return false;
    }
    vm_save_acct(vm, a);
    a->s.code = c;
    a->s.code_loaded = true;
    evm_hash(code, len, &a->s.code_hash);
    return true;
}
