/* eth_call, eth_estimateGas and eth_createAccessList over any host, plus small helpers
 * (logs hash, fork names, blob base fee). */
#include <stdlib.h>
#include <string.h>

#include "evm/internal.h"
#include "evm/precompiles.h"
#include "rlp/rlp.h"

static const char *const halt_names[] = {
    "none", "out of gas", "invalid opcode", "stack underflow", "stack overflow", "bad jump destination",
    "write in static context", "return data out of bounds", "create collision", "code size above limit",
    "code starts with 0xEF", "init code size above limit", "precompile failed",
};

const char *evm_halt_name(evm_halt h) {
    return (size_t)h < CD_ARRAY_LEN(halt_names) ? halt_names[h] : "unknown";
}

void evm_result_free(evm_result *r) {
    if (!r) return;
    cd_buf_free(&r->output);
    for (size_t i = 0; i < r->n_logs; i++) free(r->logs[i].data);
    free(r->logs);
    r->logs = NULL;
    r->n_logs = 0;
}

void evm_access_list_free(evm_access_list *al) {
    if (!al) return;
    for (size_t i = 0; i < al->n; i++) free(al->entries[i].keys);
    free(al->entries);
    al->entries = NULL;
    al->n = 0;
}

cd_status evm_logs_hash(const evm_log *logs, size_t n, cd_hash32 *out) {
    cd_buf b = {0};
    cd_status st = CD_OK;
    for (size_t i = 0; i < n && st == CD_OK; i++) {
        size_t mark = b.len;
        st = rlp_encode_address(&b, &logs[i].address);
        size_t tmark = b.len;
        for (int t = 0; t < logs[i].n_topics && st == CD_OK; t++) st = rlp_encode_hash(&b, &logs[i].topics[t]);
        if (st == CD_OK) st = rlp_wrap_list(&b, tmark);
        if (st == CD_OK) st = rlp_encode_bytes(&b, logs[i].data, logs[i].len);
        if (st == CD_OK) st = rlp_wrap_list(&b, mark);
    }
    if (st == CD_OK) st = rlp_wrap_list(&b, 0);
    if (st == CD_OK) evm_hash(b.data, b.len, out);
    cd_buf_free(&b);
    return st;
}

static const struct {
    const char *name;
    evm_fork fork;
} fork_names[] = {
    {"Frontier", EVM_FRONTIER}, {"Homestead", EVM_HOMESTEAD}, {"EIP150", EVM_TANGERINE_WHISTLE},
    {"TangerineWhistle", EVM_TANGERINE_WHISTLE}, {"EIP158", EVM_SPURIOUS_DRAGON},
    {"SpuriousDragon", EVM_SPURIOUS_DRAGON}, {"Byzantium", EVM_BYZANTIUM},
    {"Constantinople", EVM_CONSTANTINOPLE}, {"ConstantinopleFix", EVM_PETERSBURG},
    {"Petersburg", EVM_PETERSBURG}, {"Istanbul", EVM_ISTANBUL}, {"Berlin", EVM_BERLIN},
    {"London", EVM_LONDON}, {"Paris", EVM_PARIS}, {"Merge", EVM_PARIS}, {"Shanghai", EVM_SHANGHAI},
    {"Cancun", EVM_CANCUN}, {"Prague", EVM_PRAGUE}, {"Osaka", EVM_OSAKA},
};

bool evm_fork_from_name(const char *name, evm_fork *out) {
    for (size_t i = 0; i < CD_ARRAY_LEN(fork_names); i++)
        if (!strcmp(name, fork_names[i].name)) {
            *out = fork_names[i].fork;
            return true;
        }
    return false;
}

const char *evm_fork_name(evm_fork f) {
    static const char *const names[EVM_FORK_COUNT] = {
        "Frontier", "Homestead", "TangerineWhistle", "SpuriousDragon", "Byzantium", "Constantinople",
        "Petersburg", "Istanbul", "Berlin", "London", "Paris", "Shanghai", "Cancun", "Prague", "Osaka"};
    return (unsigned)f < EVM_FORK_COUNT ? names[f] : "unknown";
}

/* fake_exponential(factor=1, numerator=excess, denominator=fraction) of EIP-4844, in 256-bit
 * words (the value fits easily for any excess a block can carry; saturates otherwise). */
void evm_blob_base_fee(uint64_t excess, uint64_t fraction, cd_u256 *out) {
    if (!fraction) {
        *out = u256_from_u64(1);
        return;
    }
    cd_u256 den = u256_from_u64(fraction), num = u256_from_u64(excess);
    cd_u256 output = u256_from_u64(0), acc = den; /* factor * denominator */
    for (uint64_t i = 1; !cd_u256_is_zero(&acc) && i < 100000; i++) {
        output = u256_add(&output, &acc);
        acc = u256_mul(&acc, &num);
        cd_u256 d = u256_mul(&den, &(cd_u256){{i, 0, 0, 0}});
        u256_divmod(&acc, &d, &acc, NULL);
    }
    u256_divmod(&output, &den, out, NULL);
}

/* ---- eth_call family ---- */

static uint64_t call_gas(const evm_vm *vm, const evm_message *msg) {
    uint64_t cap = msg->gas_cap ? msg->gas_cap : vm->block.gas_limit;
    if (!cap) cap = 50000000;
    uint64_t g = msg->gas ? msg->gas : cap;
    return g < cap ? g : cap;
}

static void message_tx(const evm_message *msg, uint64_t gas, evm_fork fork, evm_tx *tx) {
    memset(tx, 0, sizeof *tx);
    tx->type = msg->access_list && fork >= EVM_BERLIN ? 1 : 0;
    tx->sender = msg->from;
    tx->is_create = msg->is_create;
    tx->to = msg->to;
    tx->gas_limit = gas;
    tx->value = msg->value;
    tx->data = msg->data;
    tx->gas_price = msg->gas_price;
    tx->access_list = fork >= EVM_BERLIN ? msg->access_list : NULL;
}

/* Runs one call on a fresh overlay; if `vm_out` is given the vm is kept for inspection. */
static cd_status run_call(const evm_host *host, evm_fork fork, const evm_message *msg, uint64_t gas_override,
                          evm_result *out, evm_vm **vm_out, cd_error *err) {
    memset(out, 0, sizeof *out);
    evm_vm *vm = malloc(sizeof *vm);
    if (!vm) return cd_fail(err, CD_ERR_NOMEM, "evm: vm");
    cd_status st = vm_init(vm, host, fork, err);
    if (st == CD_OK) {
        evm_tx tx;
        message_tx(msg, gas_override ? gas_override : call_gas(vm, msg), fork, &tx);
        tx_mode mode = {true, NULL};
        st = vm_transact(vm, &tx, &mode, out);
    }
    if (vm_out && st == CD_OK) {
        *vm_out = vm;
    } else {
        vm_free(vm);
        free(vm);
    }
    return st;
}

cd_status evm_call(const evm_host *host, evm_fork fork, const evm_message *msg, evm_result *out, cd_error *err) {
    return run_call(host, fork, msg, 0, out, NULL, err);
}

cd_status evm_estimate_gas(const evm_host *host, evm_fork fork, const evm_message *msg, uint64_t *gas,
                           evm_result *last, cd_error *err) {
    *gas = 0;
    evm_vm *vm = NULL;
    cd_status st = run_call(host, fork, msg, 0, last, &vm, err);
    if (st != CD_OK) return st;
    uint64_t hi = call_gas(vm, msg);
    vm_free(vm);
    free(vm);
    if (last->outcome != EVM_SUCCESS) return CD_OK;
    /* Success needs at least the gas it used; search (lo, hi] for the least that works. */
    uint64_t lo = last->gas_used ? last->gas_used - 1 : 0;
    while (lo + 1 < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        evm_result r;
        cd_error e2;
        st = run_call(host, fork, msg, mid, &r, NULL, &e2);
        bool ok = st == CD_OK && r.outcome == EVM_SUCCESS;
        evm_result_free(&r);
        if (st != CD_OK && st != CD_ERR_EVM_TX_INVALID) {
            if (err) *err = e2;
            return st;
        }
        if (ok) hi = mid;
        else lo = mid;
    }
    *gas = hi;
    return CD_OK;
}

static bool in_list(const evm_access_list *al, const cd_address *a, const cd_u256 *key) {
    if (!al) return false;
    for (size_t i = 0; i < al->n; i++) {
        if (!cd_address_eq(&al->entries[i].address, a)) continue;
        if (!key) return true;
        for (size_t k = 0; k < al->entries[i].n_keys; k++)
            if (cd_u256_eq(&al->entries[i].keys[k], key)) return true;
    }
    return false;
}

/* Collects the accounts and slots the vm loaded, minus sender, recipient and precompiles. */
static cd_status collect_access(const evm_vm *vm, const evm_message *msg, evm_access_list *out) {
    memset(out, 0, sizeof *out);
    out->entries = calloc(vm->n_accts ? vm->n_accts : 1, sizeof *out->entries);
    if (!out->entries) return CD_ERR_NOMEM;
    for (size_t i = 0; i < vm->n_accts; i++) {
        const cd_address *a = &vm->accts[i].addr;
        if (cd_address_eq(a, &msg->from) || (!msg->is_create && cd_address_eq(a, &msg->to)) ||
            evm_precompile_exists(vm->fork, a))
            continue;
        if (msg->is_create && vm->accts[i].s.created) continue;
        evm_access_entry *e = &out->entries[out->n++];
        e->address = *a;
        size_t k = 0;
        for (size_t j = 0; j < vm->n_slots; j++) k += !vm->slots[j].transient && vm->slots[j].acct == i;
        if (!k) continue;
        e->keys = calloc(k, sizeof *e->keys);
        if (!e->keys) return CD_ERR_NOMEM;
        for (size_t j = 0; j < vm->n_slots; j++)
            if (!vm->slots[j].transient && vm->slots[j].acct == i) e->keys[e->n_keys++] = vm->slots[j].key;
    }
    return CD_OK;
}

static bool list_covers(const evm_access_list *have, const evm_access_list *need) {
    for (size_t i = 0; i < need->n; i++) {
        if (!in_list(have, &need->entries[i].address, NULL)) return false;
        for (size_t k = 0; k < need->entries[i].n_keys; k++)
            if (!in_list(have, &need->entries[i].address, &need->entries[i].keys[k])) return false;
    }
    return true;
}

cd_status evm_create_access_list(const evm_host *host, evm_fork fork, const evm_message *msg,
                                 evm_access_list *out, evm_result *res, cd_error *err) {
    memset(out, 0, sizeof *out);
    memset(res, 0, sizeof *res);
    evm_message m = *msg;
    evm_access_list cur = {0};
    cd_status st = CD_OK;
    /* Running with the list can change the path (gas differs), so iterate to a fixpoint. */
    for (int round = 0; round < 8; round++) {
        evm_vm *vm = NULL;
        evm_result_free(res);
        m.access_list = round ? &cur : msg->access_list;
        st = run_call(host, fork, &m, 0, res, &vm, err);
        if (st != CD_OK) break;
        evm_access_list seen;
        st = collect_access(vm, msg, &seen);
        vm_free(vm);
        free(vm);
        if (st != CD_OK) {
            evm_access_list_free(&seen);
            break;
        }
        bool stable = round > 0 && list_covers(&cur, &seen) && list_covers(&seen, &cur);
        evm_access_list_free(&cur);
        cur = seen;
        if (stable) break;
    }
    if (st != CD_OK) {
        evm_access_list_free(&cur);
        return st;
    }
    *out = cur;
    return CD_OK;
}
