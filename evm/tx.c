/* Transaction-level execution: validity (type, gas, fees, nonce, balance, blobs), buying
 * gas, warming (EIP-2929/2930/3651), EIP-7702 authorizations, the top-level call or
 * creation, refunds (EIP-3529), the EIP-7623 floor, fee payment, and end-of-transaction
 * deletion (SELFDESTRUCT, EIP-161 touched empty accounts). */
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "evm/internal.h"
#include "evm/precompiles.h"
#include "rlp/rlp.h"

#define BLOB_GAS_PER_BLOB 131072ull
#define TX_GAS_LIMIT_CAP (1ull << 24) /* EIP-7825 (Osaka) */

/* a * b with overflow detection (b a 64-bit factor). */
static bool mul_u64_overflow(const cd_u256 *a, uint64_t b, cd_u256 *r) {
    u128 carry = 0;
    for (int i = 0; i < 4; i++) {
        carry += (u128)a->w[i] * b;
        r->w[i] = (uint64_t)carry;
        carry >>= 64;
    }
    return carry != 0;
}

static uint64_t default_max_blobs(evm_fork f) { return f >= EVM_PRAGUE ? 9 : 6; }

typedef struct {
    uint64_t intrinsic;
    uint64_t floor;     /* EIP-7623 (0 before Prague) */
} tx_gas;

static tx_gas intrinsic_gas(evm_fork fork, const evm_tx *tx) {
    tx_gas g = {21000, 0};
    if (tx->is_create && fork >= EVM_HOMESTEAD) g.intrinsic = 53000;
    uint64_t zeros = 0, nonzeros = 0;
    for (size_t i = 0; i < tx->data.len; i++) {
        if (tx->data.ptr[i]) nonzeros++;
        else zeros++;
    }
    g.intrinsic += zeros * 4 + nonzeros * (fork >= EVM_ISTANBUL ? 16 : 68);
    if (tx->is_create && fork >= EVM_SHANGHAI) g.intrinsic += 2 * ((tx->data.len + 31) / 32);
    if (tx->access_list && fork >= EVM_BERLIN) {
        for (size_t i = 0; i < tx->access_list->n; i++)
            g.intrinsic += 2400 + 1900 * (uint64_t)tx->access_list->entries[i].n_keys;
    }
    g.intrinsic += 25000 * (uint64_t)tx->n_authorizations;
    if (fork >= EVM_PRAGUE) g.floor = 21000 + 10 * (zeros + 4 * nonzeros);
    return g;
}

/* secp256k1 group order n / 2 (EIP-2 low-s bound), big-endian limbs. */
static const cd_u256 secp_half_n = {{0xdfe92f46681b20a0ull, 0x5d576e7357a4501dull, 0xffffffffffffffffull,
                                     0x7fffffffffffffffull}};

/* Recovers the EIP-7702 authority; false if the signature is invalid. */
static bool recover_authority(const evm_authorization *a, cd_address *out) {
    if (!u256_fits_u64(&a->y_parity) || a->y_parity.w[0] > 1) return false;
    if (u256_lt(&secp_half_n, &a->s) || cd_u256_is_zero(&a->r) || cd_u256_is_zero(&a->s)) return false;
    cd_buf b = {0};
    bool ok = cd_buf_push(&b, 0x05) == CD_OK && rlp_encode_u256(&b, &a->chain_id) == CD_OK &&
              rlp_encode_address(&b, &a->address) == CD_OK && rlp_encode_u64(&b, a->nonce) == CD_OK &&
              rlp_wrap_list(&b, 1) == CD_OK;
    if (!ok) {
        cd_buf_free(&b);
        return false;
    }
    cd_hash32 msg;
    evm_hash(b.data, b.len, &msg);
    cd_buf_free(&b);
    uint8_t rs[64];
    u256_to_be(&a->r, rs);
    u256_to_be(&a->s, rs + 32);
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!ctx) return false;
    secp256k1_ecdsa_recoverable_signature sig;
    secp256k1_pubkey pk;
    uint8_t pub[65];
    size_t publen = sizeof pub;
    ok = secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, rs, (int)a->y_parity.w[0]) &&
         secp256k1_ecdsa_recover(ctx, &pk, &sig, msg.b) &&
         secp256k1_ec_pubkey_serialize(ctx, pub, &publen, &pk, SECP256K1_EC_UNCOMPRESSED);
    secp256k1_context_destroy(ctx);
    if (!ok) return false;
    cd_hash32 h;
    evm_hash(pub + 1, 64, &h);
    memcpy(out->b, h.b + 12, 20);
    return true;
}

/* EIP-7702: applies each valid authorization (in order); invalid ones are skipped. */
static bool apply_authorizations(evm_vm *vm, const evm_tx *tx) {
    for (size_t i = 0; i < tx->n_authorizations; i++) {
        const evm_authorization *au = &tx->authorizations[i];
        if (!cd_u256_is_zero(&au->chain_id)) {
            cd_u256 cid = u256_from_u64(vm->block.chain_id);
            if (!cd_u256_eq(&au->chain_id, &cid)) continue;
        }
        if (au->nonce_overflow || au->nonce == UINT64_MAX) continue;
        cd_address authority;
        if (!recover_authority(au, &authority)) continue;
        world_acct *a = vm_acct(vm, &authority);
        if (!a) return false;
        vm_warm_acct(vm, a);
        if (!vm_load_code(vm, a)) return false;
        cd_address dummy;
        if (a->s.code.len && !vm_delegation(a->s.code.code, a->s.code.len, &dummy)) continue;
        if (a->s.nonce != au->nonce) continue;
        if (a->s.exists) vm->refund += 25000 - 12500;
        static const cd_address zero_addr = {{0}};
        if (cd_address_eq(&au->address, &zero_addr)) {
            if (!vm_set_code(vm, a, NULL, 0)) return false;
        } else {
            uint8_t code[23] = {0xef, 0x01, 0x00};
            memcpy(code + 3, au->address.b, 20);
            if (!vm_set_code(vm, a, code, sizeof code)) return false;
        }
        vm_save_acct(vm, a);
        a->s.nonce++;
        a->s.exists = true;
        a->s.touched = true;
    }
    return vm->fatal == CD_OK;
}

#define INVALID(...) return cd_fail(vm->err, CD_ERR_EVM_TX_INVALID, __VA_ARGS__)

static cd_status check_fork_features(evm_vm *vm, const evm_tx *tx, const tx_mode *mode, uint64_t *max_blobs) {
    evm_fork fork = vm->fork;
    static const evm_fork type_since[5] = {EVM_FRONTIER, EVM_BERLIN, EVM_LONDON, EVM_CANCUN, EVM_PRAGUE};
    if (tx->type > 4 || fork < type_since[tx->type]) INVALID("tx type %u not active", tx->type);
    if (tx->value_overflow) INVALID("value exceeds 256 bits");
    *max_blobs = mode->blob && mode->blob->max ? mode->blob->max : default_max_blobs(fork);
    if (tx->type == 3) {
        if (tx->is_create) INVALID("blob transaction without `to`");
        if (tx->n_blob_hashes == 0) INVALID("blob transaction without blobs");
        if (tx->n_blob_hashes > *max_blobs) INVALID("too many blobs");
        if (fork >= EVM_OSAKA && tx->n_blob_hashes > 6) INVALID("more than 6 blobs in one tx (EIP-7594)");
        for (size_t i = 0; i < tx->n_blob_hashes; i++)
            if (tx->blob_hashes[i].b[0] != 0x01) INVALID("blob versioned hash version");
        if (u256_lt(&tx->max_fee_per_blob_gas, &vm->block.blob_base_fee)) INVALID("blob fee cap below blob base fee");
    }
    if (tx->type == 4) {
        if (tx->is_create) INVALID("set-code transaction without `to`");
        if (tx->n_authorizations == 0) INVALID("empty authorization list");
    }
    if (tx->is_create && fork >= EVM_SHANGHAI && tx->data.len > EVM_MAX_INITCODE_SIZE)
        INVALID("init code too large");
    return CD_OK;
}

/* Deletes destructed accounts and (EIP-161) touched empty ones at the end of the tx. */
static void finalize(evm_vm *vm) {
    for (size_t i = 0; i < vm->n_accts; i++) {
        world_acct *a = &vm->accts[i];
        bool del = a->s.destructed ||
                   (vm->fork >= EVM_SPURIOUS_DRAGON && a->s.touched && a->s.exists && vm_acct_empty(a));
        if (del) {
            a->s.exists = false;
            a->s.nonce = 0;
            a->s.balance = u256_from_u64(0);
            a->s.code_hash = evm_empty_code_hash;
            a->s.code_loaded = false;
            a->s.storage_cleared = true;
            a->s.has_storage = false;
            a->dirty = true;
        }
    }
}

cd_status vm_transact(evm_vm *vm, const evm_tx *tx, const tx_mode *mode, evm_result *out) {
    evm_fork fork = vm->fork;
    memset(out, 0, sizeof *out);
    uint64_t max_blobs;
    cd_status st = check_fork_features(vm, tx, mode, &max_blobs);
    if (st != CD_OK) return st;
    if (!mode->is_call) {
        if (tx->gas_limit > vm->block.gas_limit) INVALID("gas limit above block gas limit");
        if (fork >= EVM_OSAKA && tx->gas_limit > TX_GAS_LIMIT_CAP) INVALID("gas limit above 2^24 (EIP-7825)");
    }
    tx_gas ig = intrinsic_gas(fork, tx);
    if (tx->gas_limit < ig.intrinsic) INVALID("intrinsic gas %llu above gas limit", (unsigned long long)ig.intrinsic);
    if (tx->gas_limit < ig.floor) INVALID("calldata floor gas above gas limit (EIP-7623)");

    /* Fees. */
    cd_u256 price_cap, eff_price;
    bool london = fork >= EVM_LONDON;
    if (tx->type >= 2) {
        if (u256_lt(&tx->max_fee_per_gas, &tx->max_priority_fee_per_gas)) INVALID("priority fee above max fee");
        if (!mode->is_call && u256_lt(&tx->max_fee_per_gas, &vm->block.base_fee)) INVALID("max fee below base fee");
        price_cap = tx->max_fee_per_gas;
        cd_u256 bp;
        bool of = u256_add_overflow(&vm->block.base_fee, &tx->max_priority_fee_per_gas, &bp);
        eff_price = (!of && u256_lt(&bp, &price_cap)) ? bp : price_cap;
    } else {
        if (!mode->is_call && london && u256_lt(&tx->gas_price, &vm->block.base_fee)) INVALID("gas price below base fee");
        price_cap = tx->gas_price;
        eff_price = tx->gas_price;
    }

    world_acct *sender = vm_acct(vm, &tx->sender);
    if (!sender) return vm->fatal;
    uint32_t si = vm_acct_index(vm, sender);
    if (!mode->is_call) {
        if (sender->s.nonce != tx->nonce) INVALID("nonce %llu, account has %llu", (unsigned long long)tx->nonce,
                                                  (unsigned long long)sender->s.nonce);
        if (sender->s.nonce == UINT64_MAX) INVALID("nonce at maximum");
        if (vm_acct_has_code(sender)) {
            if (!vm_load_code(vm, sender)) return vm->fatal;
            cd_address d;
            if (fork < EVM_PRAGUE || !vm_delegation(sender->s.code.code, sender->s.code.len, &d))
                INVALID("sender has code (EIP-3607)");
        }
    }
    /* Up-front balance: gas_limit * price cap + value + blob gas * blob fee cap. */
    uint64_t blob_gas = (uint64_t)tx->n_blob_hashes * BLOB_GAS_PER_BLOB;
    cd_u256 need, t;
    if (mul_u64_overflow(&price_cap, tx->gas_limit, &need)) INVALID("gas * price overflows");
    if (u256_add_overflow(&need, &tx->value, &need)) INVALID("cost overflows");
    if (blob_gas) {
        if (mul_u64_overflow(&tx->max_fee_per_blob_gas, blob_gas, &t) || u256_add_overflow(&need, &t, &need))
            INVALID("blob cost overflows");
    }
    if (u256_lt(&sender->s.balance, &need)) INVALID("insufficient funds");

    /* Buy gas (the effective price, and the blob gas at the blob base fee). */
    cd_u256 gas_cost, blob_cost = {{0, 0, 0, 0}};
    (void)mul_u64_overflow(&eff_price, tx->gas_limit, &gas_cost);
    if (blob_gas) (void)mul_u64_overflow(&vm->block.blob_base_fee, blob_gas, &blob_cost);
    vm_save_acct(vm, sender);
    sender->s.balance = u256_sub(&sender->s.balance, &gas_cost);
    sender->s.balance = u256_sub(&sender->s.balance, &blob_cost);
    sender->s.touched = true;
    if (!tx->is_create) sender->s.nonce++;

    vm->origin = tx->sender;
    vm->gas_price = eff_price;
    vm->blob_hashes = tx->blob_hashes;
    vm->n_blob_hashes = tx->n_blob_hashes;

    /* Warm set: sender, target, coinbase (EIP-3651), access list (EIP-2930); applied as
     * each is first loaded (precompiles are warm by address, see vm_acct). Accounts already
     * loaded (the sender) are warmed here. */
    if (fork >= EVM_BERLIN) {
        vm->prewarm[vm->n_prewarm++] = tx->sender;
        if (!tx->is_create) vm->prewarm[vm->n_prewarm++] = tx->to;
        if (fork >= EVM_SHANGHAI) vm->prewarm[vm->n_prewarm++] = vm->block.coinbase;
        vm->prewarm_list = tx->access_list;
        for (size_t i = 0; i < vm->n_accts; i++) {
            world_acct *a = &vm->accts[i];
            if (!a->warm && (cd_address_eq(&a->addr, &tx->sender) || (!tx->is_create && cd_address_eq(&a->addr, &tx->to)) ||
                             (fork >= EVM_SHANGHAI && cd_address_eq(&a->addr, &vm->block.coinbase))))
                a->warm = true;
            else if (!a->warm && tx->access_list) {
                for (size_t k = 0; k < tx->access_list->n; k++)
                    if (cd_address_eq(&tx->access_list->entries[k].address, &a->addr)) a->warm = true;
            }
        }
    }
    if (tx->n_authorizations && !apply_authorizations(vm, tx)) return vm->fatal;

    /* The top-level message. */
    vm_msg m;
    memset(&m, 0, sizeof m);
    m.gas = (int64_t)(tx->gas_limit - ig.intrinsic);
    m.caller = tx->sender;
    m.value = tx->value;
    m.input = tx->data.ptr;
    m.input_len = tx->data.len;
    vm_result r;
    if (tx->is_create) {
        m.kind = K_CREATE;
        r = vm_create(vm, &m, &out->output);
    } else {
        m.kind = K_CALL;
        m.recipient = tx->to;
        m.code_addr = tx->to;
        if (fork >= EVM_PRAGUE) {
            world_acct *to = vm_acct(vm, &tx->to);
            if (!to || !vm_load_code(vm, to)) return vm->fatal;
            cd_address d;
            if (vm_delegation(to->s.code.code, to->s.code.len, &d)) {
                world_acct *da = vm_acct(vm, &d);
                if (!da) return vm->fatal;
                vm_warm_acct(vm, da);
                m.code_addr = d;
                m.disable_precompiles = true;
            }
        }
        r = vm_call(vm, &m, &out->output);
    }
    if (r.status == EVM_FATAL) return vm->fatal != CD_OK ? vm->fatal : CD_ERR_INTERNAL;

    /* Refunds (EIP-3529 quotient 5 from London, 2 before) and the EIP-7623 floor. */
    uint64_t gas_used = tx->gas_limit - (uint64_t)r.gas_left;
    uint64_t refund = vm->refund > 0 ? (uint64_t)vm->refund : 0;
    uint64_t max_refund = gas_used / (london ? 5 : 2);
    if (refund > max_refund) refund = max_refund;
    gas_used -= refund;
    if (gas_used < ig.floor) gas_used = ig.floor;
    uint64_t gas_left = tx->gas_limit - gas_used;

    sender = &vm->accts[si];
    cd_u256 back;
    (void)mul_u64_overflow(&eff_price, gas_left, &back);
    vm_save_acct(vm, sender);
    sender->s.balance = u256_add(&sender->s.balance, &back);

    if (!mode->is_call) {
        cd_u256 tip = eff_price, fee;
        if (london) tip = u256_sub(&eff_price, &vm->block.base_fee);
        (void)mul_u64_overflow(&tip, gas_used, &fee);
        world_acct *cb = vm_acct(vm, &vm->block.coinbase);
        if (!cb) return vm->fatal;
        vm_save_acct(vm, cb);
        cb->s.balance = u256_add(&cb->s.balance, &fee);
        cb->s.exists = true;
        cb->s.touched = true;
    }
    finalize(vm);

    out->outcome = (evm_outcome)r.status;
    out->halt = r.halt;
    out->gas_used = gas_used;
    out->gas_refunded = refund;
    if (r.status == EVM_SUCCESS) {
        out->logs = vm->logs;
        out->n_logs = vm->n_logs;
        vm->logs = NULL;
        vm->n_logs = vm->cap_logs = 0;
        if (tx->is_create) {
            out->created = true;
            out->created_address = r.created;
        }
    }
    return vm->fatal;
}

/* ---- running on a stack of known size ---- */

/* The interpreter recurses once per call depth (up to 1024 frames). Rather than depend on
 * the caller's stack (a server worker thread may have a small one), frames below
 * VM_SHALLOW_DEPTH that the caller's thread cannot hold run on a thread whose stack is
 * sized for the worst case; the pages are only committed as they are touched. */
#define VM_THREAD_STACK (256u << 20)

/* Stack one call depth takes (run_frame + vm_call + op_call), measured: ~2.3 KiB at -O3,
 * ~11.5 KiB under ASan; doubled for margin. */
#if defined(__SANITIZE_ADDRESS__)
#define VM_STACK_PER_DEPTH (24u << 10)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VM_STACK_PER_DEPTH (24u << 10)
#endif
#endif
#ifndef VM_STACK_PER_DEPTH
#define VM_STACK_PER_DEPTH (5u << 10)
#endif

/* True if the calling thread has room for `depths` more call depths below this point. */
static bool enough_stack_here(size_t depths) {
    const size_t need = (depths + 8) * VM_STACK_PER_DEPTH + (256u << 10);
    if (getpid() == (pid_t)syscall(SYS_gettid)) {
        /* Main thread: glibc answers pthread_getattr_np by parsing /proc/self/maps (slow);
         * the stack may grow to RLIMIT_STACK, of which a shallow caller uses little. */
        struct rlimit rl;
        if (getrlimit(RLIMIT_STACK, &rl) != 0) return false;
        return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > need + (1u << 20);
    }
    pthread_attr_t attr;
    void *base;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return false;
    bool ok = pthread_attr_getstack(&attr, &base, &size) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) return false;
    char here;
    uintptr_t lo = (uintptr_t)base, cur = (uintptr_t)&here;
    if (cur < lo || cur - lo > size) return false;
    return cur - lo > need;
}

bool vm_deep_stack_ok(evm_vm *vm) {
    /* Asked once per transaction, by the first frame that goes below VM_SHALLOW_DEPTH (the
     * answer needs system calls, which cost more than a whole short call). */
    if (vm->stack_room == VM_STACK_UNKNOWN)
        vm->stack_room = enough_stack_here(EVM_MAX_DEPTH - VM_SHALLOW_DEPTH) ? VM_STACK_ROOM : VM_STACK_SMALL;
    return vm->stack_room == VM_STACK_ROOM;
}

bool vm_run_on_big_stack(void *(*fn)(void *), void *arg) {
    pthread_attr_t attr;
    pthread_t th;
    if (pthread_attr_init(&attr) != 0) return false;
    bool ok = pthread_attr_setstacksize(&attr, VM_THREAD_STACK) == 0 && pthread_create(&th, &attr, fn, arg) == 0;
    pthread_attr_destroy(&attr);
    if (ok) pthread_join(th, NULL);
    return ok;
}
