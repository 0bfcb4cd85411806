/* The interpreter: one call frame runs in run_frame (computed-goto dispatch over a padded
 * copy of the code), message calls and creations in vm_call / vm_create.
 *
 * Gas: each opcode's constant part comes from vm->ops (built per fork; gas -1 marks an
 * opcode the fork does not have); dynamic parts (memory expansion, copies, cold access,
 * SSTORE, calls) are charged in the handlers. Every exceptional halt consumes the frame's
 * gas; the caller reverts the frame's journal. */
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "evm/internal.h"
#include "evm/precompiles.h"
#include "rlp/rlp.h"


/* ---- per-fork gas table ---------------------------------------------------------------- */

/* Stack items popped and pushed by each opcode (0xff = undefined at any fork). */
static const uint8_t op_in[256] = {
    /* 0x00 */ 0, 2, 2, 2, 2, 2, 2, 2, 3, 3, 2, 2, 0, 0, 0, 0,
    /* 0x10 */ 2, 2, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 2, 1, 0,
    /* 0x20 */ 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x30 */ 0, 1, 0, 0, 0, 1, 0, 3, 0, 3, 0, 1, 4, 0, 3, 1,
    /* 0x40 */ 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
    /* 0x50 */ 1, 1, 2, 2, 1, 2, 1, 2, 0, 0, 0, 0, 1, 2, 3, 0,
    /* 0x60 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x70 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x80 */ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    /* 0x90 */ 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
    /* 0xa0 */ 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xb0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xc0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xd0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xe0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xf0 */ 3, 7, 7, 2, 6, 4, 0, 0, 0, 0, 6, 0, 0, 2, 0, 1,
};

/* Net stack growth of each opcode (pushed minus popped). */
static const int8_t op_growth[256] = {
    /* 0x00 */ 0, -1, -1, -1, -1, -1, -1, -1, -2, -2, -1, -1, 1, 1, 1, 1,
    /* 0x10 */ -1, -1, -1, -1, -1, 0, -1, -1, -1, 0, -1, -1, -1, -1, 0, 1,
    /* 0x20 */ -1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x30 */ 1, 0, 1, 1, 1, 0, 1, -3, 1, -3, 1, 0, -4, 1, -3, 0,
    /* 0x40 */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1,
    /* 0x50 */ -1, 0, -2, -2, 0, -2, -1, -2, 1, 1, 1, 0, 0, -2, -3, 1,
    /* 0x60 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x80 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x90 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xa0 */ -2, -3, -4, -5, -6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0xb0 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0xc0 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0xd0 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0xe0 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0xf0 */ -2, -6, -6, -2, -5, -3, 1, 1, 1, 1, -5, 1, 1, -2, 0, -1,
};

/* The fork each opcode came in; every opcode not listed here is Frontier's (or undefined,
 * which its label says). One table for the per-fork gas table and the checks that each
 * handler makes with it. */
static const uint8_t op_since[256] = {
    [0x1b] = EVM_CONSTANTINOPLE,
    [0x1c] = EVM_CONSTANTINOPLE,
    [0x1d] = EVM_CONSTANTINOPLE,
    [0x1e] = EVM_OSAKA,
    [0x3d] = EVM_BYZANTIUM,
    [0x3e] = EVM_BYZANTIUM,
    [0x3f] = EVM_CONSTANTINOPLE,
    [0x46] = EVM_ISTANBUL,
    [0x47] = EVM_ISTANBUL,
    [0x48] = EVM_LONDON,
    [0x49] = EVM_CANCUN,
    [0x4a] = EVM_CANCUN,
    [0x5c] = EVM_CANCUN,
    [0x5d] = EVM_CANCUN,
    [0x5e] = EVM_CANCUN,
    [0x5f] = EVM_SHANGHAI,
    [0xf4] = EVM_HOMESTEAD,
    [0xf5] = EVM_CONSTANTINOPLE,
    [0xfa] = EVM_BYZANTIUM,
    [0xfd] = EVM_BYZANTIUM,
};

/* Constant gas of each opcode in the fork it came in (Frontier's, or op_since's); -1: not
 * an opcode at any fork. Later forks reprice a few (vm_build_tables, op_gas_varies).
 * Opcodes with fork-dependent access costs get their (warm) base and the rest in the
 * handler. */
static const int16_t op_gas[256] = {
    /* 0x00 */ 0, 3, 5, 3, 5, 5, 5, 5, 8, 8, 10, 5, -1, -1, -1, -1,
    /* 0x10 */ 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 5, -1,
    /* 0x20 */ 30, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    /* 0x30 */ 2, 20, 2, 2, 2, 3, 2, 3, 2, 3, 2, 20, 20, 2, 3, 400,
    /* 0x40 */ 20, 2, 2, 2, 2, 2, 2, 5, 2, 3, 2, -1, -1, -1, -1, -1,
    /* 0x50 */ 2, 3, 3, 3, 50, 0, 8, 10, 2, 2, 2, 1, 100, 100, 3, 2,
    /* 0x60 */ 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    /* 0x70 */ 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    /* 0x80 */ 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    /* 0x90 */ 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    /* 0xa0 */ 375, 750, 1125, 1500, 1875, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    /* 0xb0 */ -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    /* 0xc0 */ -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    /* 0xd0 */ -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    /* 0xe0 */ -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    /* 0xf0 */ 32000, 40, 40, 0, 40, 32000, -1, -1, -1, -1, 700, -1, -1, 0, -1, 0,
};

/* Opcodes whose constant gas some later fork changes (EIP-150, EIP-1884, EIP-2929; the same
 * list as vm_build_tables' `varies`): their
 * handlers read this fork's table; every other handler has its cost as an immediate. */
static const bool op_gas_varies[256] = {
    [0x31] = true, [0x3b] = true, [0x3c] = true, [0x3f] = true, [0x54] = true,
    [0xf1] = true, [0xf2] = true, [0xf4] = true, [0xfa] = true, [0xff] = true,
};

/* Only the op_gas_varies entries are ever read (every other handler has its gas as an
 * immediate), so only they are built: this runs once per eth_call. */
void vm_build_tables(evm_fork fork, vm_opinfo ops[256]) {
    static const uint8_t varies[] = {0x31, 0x3b, 0x3c, 0x3f, 0x54, 0xf1, 0xf2, 0xf4, 0xfa, 0xff};
    int16_t t[256];
    for (size_t k = 0; k < sizeof varies; k++) {
        int i = varies[k];
        t[i] = op_gas[i] >= 0 && fork >= op_since[i] ? op_gas[i] : -1;
    }
    if (fork >= EVM_TANGERINE_WHISTLE) { /* EIP-150 */
        t[0x31] = 400; t[0x3b] = 700; t[0x3c] = 700; t[0x54] = 200;
        t[0xf1] = t[0xf2] = t[0xf4] = 700; t[0xff] = 5000;
    }
    if (fork >= EVM_ISTANBUL) { /* EIP-1884 */
        t[0x31] = 700; t[0x54] = 800; t[0x3f] = 700;
    }
    if (fork >= EVM_BERLIN) { /* EIP-2929: warm cost here, cold surcharge in handlers */
        t[0x31] = t[0x3b] = t[0x3c] = t[0x3f] = t[0x54] = 100;
        t[0xf1] = t[0xf2] = t[0xf4] = t[0xfa] = 100;
    }
    for (size_t k = 0; k < sizeof varies; k++) ops[varies[k]].gas = t[varies[k]];
}

/* ---- frame ------------------------------------------------------------------------------ */

typedef struct {
    evm_vm *vm;
    const vm_msg *msg;
    const vm_code *code;
    uint32_t self;            /* account index of msg->recipient */
    int64_t gas;
    uint8_t *mem;
    size_t mem_len;           /* bytes, multiple of 32 */
    vm_scratch *sc;           /* this depth's scratch (memory buffer and its capacity) */
    cd_buf *ret;              /* return data of the last sub-call */
    cd_buf *out;
    cd_u256 *sp;              /* stack pointer handed to and back from op_* helpers (the
                               * interpreter's own copy must not have its address taken,
                               * or it could not stay in a register) */
} frame;

static inline uint64_t mem_cost(uint64_t words) { return 3 * words + words * words / 512; }

/* Grows memory to cover [0, end); charges expansion gas. false: out of gas or no memory
 * (vm->fatal set in the latter case). */
static bool mem_grow(frame *f, uint64_t end) {
    if (end <= f->mem_len) return true;
    if (end > EVM_MEM_LIMIT) return false;
    uint64_t nw = (end + 31) / 32, ow = f->mem_len / 32;
    f->gas -= (int64_t)(mem_cost(nw) - mem_cost(ow));
    if (f->gas < 0) return false;
    size_t need = (size_t)nw * 32;
    vm_scratch *sc = f->sc;
    if (need > sc->mem_cap) {
        size_t nc = sc->mem_cap ? sc->mem_cap : 4096;
        while (nc < need) nc *= 2;
        /* memory still in the vm's reserve moves to the heap (only mem_len bytes are live) */
        uint8_t *p = sc->mem == sc->mem_reserve ? malloc(nc) : realloc(sc->mem, nc);
        if (p && sc->mem == sc->mem_reserve && f->mem_len) memcpy(p, sc->mem, f->mem_len);
        if (!p) {
            vm_fail(f->vm, CD_ERR_NOMEM, "memory");
            return false;
        }
        sc->mem = p;
        sc->mem_cap = nc;
        f->mem = p;
    }
    memset(f->mem + f->mem_len, 0, need - f->mem_len);
    f->mem_len = need;
    return true;
}

/* Validates and expands a memory region (offset, size) from stack words. A zero size
 * never expands and ignores the offset. */
static bool mem_region(frame *f, const cd_u256 *off, const cd_u256 *size, uint64_t *o, uint64_t *n) {
    if (cd_u256_is_zero(size)) {
        *o = 0;
        *n = 0;
        return true;
    }
    if (!u256_fits_u64(off) || !u256_fits_u64(size) || off->w[0] > EVM_MEM_LIMIT ||
        size->w[0] > EVM_MEM_LIMIT)
        return false;
    *o = off->w[0];
    *n = size->w[0];
    return mem_grow(f, *o + *n);
}

static inline uint64_t words(uint64_t n) { return (n + 31) / 32; }

/* Copies src[soff .. soff+n) into memory at moff, zero-filling past the end of src. */
static void copy_padded(uint8_t *dst, const uint8_t *src, size_t src_len, const cd_u256 *soff, uint64_t n) {
    if (!n) return;
    uint64_t s = u256_fits_u64(soff) ? soff->w[0] : UINT64_MAX;
    uint64_t avail = s < src_len ? src_len - s : 0;
    uint64_t c = avail < n ? avail : n;
    if (c) memcpy(dst, src + s, c);
    if (c < n) memset(dst + c, 0, n - c);
}

bool vm_delegation(const uint8_t *code, size_t len, cd_address *target) {
    if (len != 23 || code[0] != 0xef || code[1] != 0x01 || code[2] != 0x00) return false;
    memcpy(target->b, code + 3, 20);
    return true;
}

/* Access cost surcharge for an account (EIP-2929): 0 when warm or before Berlin. */
static inline int64_t cold_account_cost(evm_vm *vm, world_acct *a) {
    if (vm->fork < EVM_BERLIN) return 0;
    return vm_warm_acct(vm, a) ? 2500 : 0;
}

/* ---- calls --------------------------------------------------------------------------- */

enum { OP_OK = 0, OP_OOG, OP_STATIC, OP_FATAL, OP_INITCODE };

static int op_call(frame *f, uint8_t op) {
    evm_vm *vm = f->vm;
    cd_u256 *sp = f->sp;
    cd_u256 gas_req = sp[-1], addr_w = sp[-2], value = {{0, 0, 0, 0}};
    int base = 2;
    if (op == 0xf1 || op == 0xf2) value = sp[-3], base = 3;
    cd_u256 in_off = sp[-base - 1], in_size = sp[-base - 2];
    cd_u256 out_off = sp[-base - 3], out_size = sp[-base - 4];
    sp -= base + 4;
    f->sp = sp + 1;
    cd_u256 *res = sp;
    *res = u256_from_u64(0);
    cd_address target = u256_to_address(&addr_w);
    bool has_value = !cd_u256_is_zero(&value);
    if (op == 0xf1 && has_value && f->msg->is_static) return OP_STATIC;

    uint64_t io, in, oo, on;
    if (!mem_region(f, &in_off, &in_size, &io, &in)) return vm->fatal ? OP_FATAL : OP_OOG;
    if (!mem_region(f, &out_off, &out_size, &oo, &on)) return vm->fatal ? OP_FATAL : OP_OOG;

    world_acct *ta = vm_acct(vm, &target);
    if (!ta) return OP_FATAL;
    uint32_t ti = vm_acct_index(vm, ta);
    int64_t cost = cold_account_cost(vm, ta);
    if (has_value && (op == 0xf1 || op == 0xf2)) cost += 9000;
    if (op == 0xf1) {
        bool dead = vm->fork >= EVM_SPURIOUS_DRAGON ? (has_value && (!ta->s.exists || vm_acct_empty(ta)))
                                                   : !ta->s.exists;
        if (dead) cost += 25000;
    }
    /* EIP-7702: follow a delegation designator to the code it points to. */
    cd_address code_addr = target;
    bool delegated = false;
    if (vm->fork >= EVM_PRAGUE) {
        if (!vm_load_code(vm, ta)) return OP_FATAL;
        cd_address dt;
        if (vm_delegation(ta->s.code.code, ta->s.code.len, &dt)) {
            world_acct *da = vm_acct(vm, &dt);
            if (!da) return OP_FATAL;
            cost += vm_warm_acct(vm, da) ? 2600 : 100;
            code_addr = dt;
            delegated = true;
        }
    }
    f->gas -= cost;
    if (f->gas < 0) return OP_OOG;
    int64_t callee;
    if (vm->fork >= EVM_TANGERINE_WHISTLE) {
        int64_t avail = f->gas - f->gas / 64;
        callee = (!u256_fits_u64(&gas_req) || gas_req.w[0] > (uint64_t)avail) ? avail : (int64_t)gas_req.w[0];
    } else {
        if (!u256_fits_u64(&gas_req) || gas_req.w[0] > (uint64_t)f->gas) return OP_OOG;
        callee = (int64_t)gas_req.w[0];
    }
    f->gas -= callee;
    if (has_value && (op == 0xf1 || op == 0xf2)) callee += 2300;
    f->ret->len = 0;

    if (f->msg->depth + 1 > EVM_MAX_DEPTH) {
        f->gas += callee;
        return OP_OK;
    }
    if (has_value && (op == 0xf1 || op == 0xf2)) {
        const world_acct *me = &vm->accts[f->self];
        if (u256_lt(&me->s.balance, &value)) {
            f->gas += callee;
            return OP_OK;
        }
    }
    vm_msg m;
    memset(&m, 0, sizeof m);
    m.depth = f->msg->depth + 1;
    m.gas = callee;
    m.is_static = f->msg->is_static || op == 0xfa;
    m.disable_precompiles = delegated;
    m.code_addr = code_addr;
    m.input = in ? f->mem + io : NULL;
    m.input_len = in;
    switch (op) {
    case 0xf1:
        m.kind = K_CALL;
        m.caller = f->msg->recipient;
        m.recipient = target;
        m.value = value;
        break;
    case 0xf2:
        m.kind = K_CALLCODE;
        m.caller = f->msg->recipient;
        m.recipient = f->msg->recipient;
        m.value = value;
        break;
    case 0xf4:
        m.kind = K_DELEGATECALL;
        m.caller = f->msg->caller;
        m.recipient = f->msg->recipient;
        m.value = f->msg->value;
        break;
    default:
        m.kind = K_STATICCALL;
        m.caller = f->msg->recipient;
        m.recipient = target;
        break;
    }
    (void)ti;
    vm_result r = vm_call(vm, &m, f->ret);
    if (r.status == EVM_FATAL) return OP_FATAL;
    /* memory may have moved only if this frame grew it; it did not during the call */
    if (on && f->ret->len) {
        uint64_t c = f->ret->len < on ? f->ret->len : on;
        memcpy(f->mem + oo, f->ret->data, c);
    }
    f->gas += r.gas_left;
    if (r.status == EVM_SUCCESS) *res = u256_from_u64(1);
    return OP_OK;
}

static int op_create(frame *f, uint8_t op) {
    evm_vm *vm = f->vm;
    cd_u256 *sp = f->sp;
    cd_u256 value = sp[-1], off = sp[-2], size = sp[-3], salt = {{0, 0, 0, 0}};
    int n = 3;
    if (op == 0xf5) salt = sp[-4], n = 4;
    sp -= n;
    f->sp = sp + 1;
    cd_u256 *res = sp;
    *res = u256_from_u64(0);
    if (f->msg->is_static) return OP_STATIC;
    uint64_t o, len;
    if (!mem_region(f, &off, &size, &o, &len)) return vm->fatal ? OP_FATAL : OP_OOG;
    if (vm->fork >= EVM_SHANGHAI) {
        if (len > EVM_MAX_INITCODE_SIZE) return OP_INITCODE;
        f->gas -= (int64_t)(2 * words(len));
    }
    if (op == 0xf5) f->gas -= (int64_t)(6 * words(len));
    if (f->gas < 0) return OP_OOG;
    f->ret->len = 0;
    int64_t callee = f->gas;
    if (vm->fork >= EVM_TANGERINE_WHISTLE) callee -= callee / 64;
    f->gas -= callee;
    world_acct *me = &vm->accts[f->self];
    if (f->msg->depth + 1 > EVM_MAX_DEPTH || u256_lt(&me->s.balance, &value) ||
        me->s.nonce == UINT64_MAX) {
        f->gas += callee;
        return OP_OK;
    }
    vm_msg m;
    memset(&m, 0, sizeof m);
    m.kind = op == 0xf5 ? K_CREATE2 : K_CREATE;
    m.depth = f->msg->depth + 1;
    m.gas = callee;
    m.caller = f->msg->recipient;
    m.value = value;
    m.salt = salt;
    m.input = len ? f->mem + o : NULL;
    m.input_len = len;
    vm_result r = vm_create(vm, &m, f->ret);
    if (r.status == EVM_FATAL) return OP_FATAL;
    f->gas += r.gas_left;
    if (r.status == EVM_SUCCESS) *res = u256_from_address(&r.created);
    return OP_OK;
}

/* SSTORE gas and refunds: EIP-2200 net metering (Istanbul), EIP-2929 cold slots (Berlin),
 * EIP-3529 refunds (London); the original pre-Istanbul rule before that. */
static int op_sstore(frame *f, const cd_u256 *key, const cd_u256 *val) {
    evm_vm *vm = f->vm;
    if (f->msg->is_static) return OP_STATIC;
    if (vm->fork >= EVM_ISTANBUL && f->gas <= 2300) return OP_OOG;
    world_slot *s = vm_slot(vm, f->self, key, false);
    if (!s) return OP_FATAL;
    int64_t cost = 0;
    if (vm->fork >= EVM_BERLIN && vm_warm_slot(vm, s)) cost += 2100;
    cd_u256 cur = s->value, orig = s->original;
    if (vm->fork < EVM_ISTANBUL || vm->fork == EVM_PETERSBURG) {
        if (cd_u256_is_zero(&cur) && !cd_u256_is_zero(val)) cost += 20000;
        else {
            cost += 5000;
            if (!cd_u256_is_zero(&cur) && cd_u256_is_zero(val)) vm->refund += 15000;
        }
    } else {
        int64_t sload = vm->fork >= EVM_BERLIN ? 100 : 800;
        int64_t reset = vm->fork >= EVM_BERLIN ? 2900 : 5000;
        int64_t clears = vm->fork >= EVM_LONDON ? 4800 : 15000;
        if (cd_u256_eq(&cur, val)) {
            cost += sload;
        } else if (cd_u256_eq(&orig, &cur)) {
            if (cd_u256_is_zero(&orig)) cost += 20000;
            else {
                cost += reset;
                if (cd_u256_is_zero(val)) vm->refund += clears;
            }
        } else {
            cost += sload;
            if (!cd_u256_is_zero(&orig)) {
                if (cd_u256_is_zero(&cur)) vm->refund -= clears;
                else if (cd_u256_is_zero(val)) vm->refund += clears;
            }
            if (cd_u256_eq(&orig, val)) vm->refund += cd_u256_is_zero(&orig) ? 20000 - sload : reset - sload;
        }
    }
    f->gas -= cost;
    if (f->gas < 0) return OP_OOG;
    if (!cd_u256_eq(&cur, val) && !vm_set_slot(vm, s, val)) return OP_FATAL;
    return OP_OK;
}

static int op_selfdestruct(frame *f, const cd_u256 *bw) {
    evm_vm *vm = f->vm;
    if (f->msg->is_static) return OP_STATIC;
    cd_address ben = u256_to_address(bw);
    world_acct *b = vm_acct(vm, &ben);
    if (!b) return OP_FATAL;
    int64_t cost = vm->fork >= EVM_BERLIN ? (vm_warm_acct(vm, b) ? 2600 : 0) : 0;
    world_acct *me = &vm->accts[f->self];
    if (vm->fork >= EVM_SPURIOUS_DRAGON) {
        if ((!b->s.exists || vm_acct_empty(b)) && !cd_u256_is_zero(&me->s.balance)) cost += 25000;
    } else if (vm->fork >= EVM_TANGERINE_WHISTLE) {
        if (!b->s.exists) cost += 25000;
    }
    f->gas -= cost;
    if (f->gas < 0) return OP_OOG;
    if (vm->fork < EVM_LONDON && !me->s.destructed) vm->refund += 24000;
    cd_u256 bal = me->s.balance;
    bool same = cd_address_eq(&ben, &me->addr);
    if (vm->fork >= EVM_CANCUN && !me->s.created) {
        if (!same) {
            vm_save_acct(vm, me);
            me->s.balance = u256_from_u64(0);
            vm_save_acct(vm, b);
            b->s.balance = u256_add(&b->s.balance, &bal);
            b->s.exists = true;
            b->s.touched = true;
        }
        return OP_OK;
    }
    if (!same) {
        vm_save_acct(vm, b);
        b->s.balance = u256_add(&b->s.balance, &bal);
        b->s.exists = true;
        b->s.touched = true;
    }
    vm_save_acct(vm, me);
    me->s.balance = u256_from_u64(0);
    me->s.destructed = true;
    return OP_OK;
}

static int op_log(frame *f, int ntopics) {
    evm_vm *vm = f->vm;
    cd_u256 *sp = f->sp;
    cd_u256 off = sp[-1], size = sp[-2];
    if (f->msg->is_static) return OP_STATIC;
    uint64_t o, n;
    if (!mem_region(f, &off, &size, &o, &n)) return vm->fatal ? OP_FATAL : OP_OOG;
    f->gas -= (int64_t)(8 * n);
    if (f->gas < 0) return OP_OOG;
    if (vm->n_logs == vm->cap_logs) {
        evm_log *p = cd_grow_array(vm->logs, &vm->cap_logs, sizeof *p, 16);
        if (!p) {
            vm_fail(vm, CD_ERR_NOMEM, "logs");
            return OP_FATAL;
        }
        vm->logs = p;
    }
    evm_log *l = &vm->logs[vm->n_logs];
    memset(l, 0, sizeof *l);
    l->address = f->msg->recipient;
    l->n_topics = (uint8_t)ntopics;
    for (int i = 0; i < ntopics; i++) u256_to_be(&sp[-3 - i], l->topics[i].b);
    if (n) {
        l->data = malloc(n);
        if (!l->data) {
            vm_fail(vm, CD_ERR_NOMEM, "logs");
            return OP_FATAL;
        }
        memcpy(l->data, f->mem + o, n);
    }
    l->len = n;
    vm->n_logs++;
    f->sp = sp - 2 - ntopics;
    return OP_OK;
}

/* ---- the interpreter loop -------------------------------------------------------------- */

/* Stack words are written limb by limb (add/adc chains, bswap loads); a 16-byte load of a
 * word just written as four 8-byte stores cannot be forwarded from the store buffer and
 * stalls. DUP and SWAP therefore move words as four 64-bit values, kept in general
 * registers (the empty asm stops the compiler from merging them into vector moves). */
static inline void u256_copy64(cd_u256 *dst, const cd_u256 *src) {
    uint64_t a = src->w[0], b = src->w[1], c = src->w[2], d = src->w[3];
    __asm__("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
    dst->w[0] = a, dst->w[1] = b, dst->w[2] = c, dst->w[3] = d;
}

/* The four limbs of a stack word in general registers (see u256_copy64). */
#define LIMBS4(p_, a_, b_, c_, d_)                                                  \
    uint64_t a_ = (p_)->w[0], b_ = (p_)->w[1], c_ = (p_)->w[2], d_ = (p_)->w[3];     \
    __asm__("" : "+r"(a_), "+r"(b_), "+r"(c_), "+r"(d_))

/* y op= x for the bitwise opcodes, limb by limb in place. */
#define BITWISE_AT(x_, y_, OP)                                                      \
    do {                                                                            \
        LIMBS4(x_, a0_, a1_, a2_, a3_);                                             \
        LIMBS4(y_, b0_, b1_, b2_, b3_);                                             \
        (y_)->w[0] = b0_ OP a0_, (y_)->w[1] = b1_ OP a1_;                           \
        (y_)->w[2] = b2_ OP a2_, (y_)->w[3] = b3_ OP a3_;                           \
    } while (0)

/* SHL, SHR and SAR in place by a shift taken from the stack word sh (>= 256 shifts
 * everything out). The limbs go through a small array padded with zeros (or the sign):
 * one shifted-limb formula for every shift, 8-byte stores and loads throughout; the
 * "<< 1 << (63 - b)" form keeps a shift by 64 out of it when b is 0. */
static inline unsigned shift_amount(const cd_u256 *sh) {
    LIMBS4(sh, s0, s1, s2, s3);
    return (s1 | s2 | s3) || s0 > 255 ? 256 : (unsigned)s0;
}

static inline void u256_shl_at(cd_u256 *x, unsigned s) {
    LIMBS4(x, w0, w1, w2, w3);
    if (s >= 256) {
        x->w[0] = x->w[1] = x->w[2] = x->w[3] = 0;
        return;
    }
    const uint64_t t[8] = {0, 0, 0, 0, w0, w1, w2, w3};
    unsigned l = s / 64, b = s % 64;
    const uint64_t *p = t + 4 - l;
    x->w[0] = (p[0] << b) | ((p[-1] >> 1) >> (63 - b));
    x->w[1] = (p[1] << b) | ((p[0] >> 1) >> (63 - b));
    x->w[2] = (p[2] << b) | ((p[1] >> 1) >> (63 - b));
    x->w[3] = (p[3] << b) | ((p[2] >> 1) >> (63 - b));
}

/* fill: 0 for SHR, all ones for SAR of a negative word */
static inline void u256_shr_fill_at(cd_u256 *x, unsigned s, uint64_t fill) {
    LIMBS4(x, w0, w1, w2, w3);
    if (s >= 256) {
        x->w[0] = x->w[1] = x->w[2] = x->w[3] = fill;
        return;
    }
    const uint64_t t[8] = {w0, w1, w2, w3, fill, fill, fill, fill};
    unsigned l = s / 64, b = s % 64;
    const uint64_t *p = t + l;
    x->w[0] = (p[0] >> b) | ((p[1] << 1) << (63 - b));
    x->w[1] = (p[1] >> b) | ((p[2] << 1) << (63 - b));
    x->w[2] = (p[2] >> b) | ((p[3] << 1) << (63 - b));
    x->w[3] = (p[3] >> b) | ((p[4] << 1) << (63 - b));
}

/* ADD, SUB, LT and GT in place as one carry (borrow) chain over limbs kept in general
 * registers: the portable forms compile to compare-and-set sequences per limb, and their
 * returned word went through a stack temporary. Elsewhere the portable forms serve. */
#if defined(__x86_64__)
/* (The carry intrinsics would do, but gcc 12 sends their out-parameters through memory.) */
static inline void u256_add_at(const cd_u256 *x, cd_u256 *y) { /* y = x + y */
    uint64_t r0 = x->w[0], r1 = x->w[1], r2 = x->w[2], r3 = x->w[3];
    __asm__("addq %4, %0\n\tadcq %5, %1\n\tadcq %6, %2\n\tadcq %7, %3"
            : "+&r"(r0), "+&r"(r1), "+&r"(r2), "+&r"(r3)
            : "m"(y->w[0]), "m"(y->w[1]), "m"(y->w[2]), "m"(y->w[3])
            : "cc");
    y->w[0] = r0, y->w[1] = r1, y->w[2] = r2, y->w[3] = r3;
}
static inline void u256_sub_at(const cd_u256 *x, cd_u256 *y) { /* y = x - y */
    uint64_t r0 = x->w[0], r1 = x->w[1], r2 = x->w[2], r3 = x->w[3];
    __asm__("subq %4, %0\n\tsbbq %5, %1\n\tsbbq %6, %2\n\tsbbq %7, %3"
            : "+&r"(r0), "+&r"(r1), "+&r"(r2), "+&r"(r3)
            : "m"(y->w[0]), "m"(y->w[1]), "m"(y->w[2]), "m"(y->w[3])
            : "cc");
    y->w[0] = r0, y->w[1] = r1, y->w[2] = r2, y->w[3] = r3;
}
static inline uint64_t u256_lt64(const cd_u256 *a, const cd_u256 *b) { /* a < b: the borrow of a - b */
    uint64_t t0 = a->w[0], t1 = a->w[1], t2 = a->w[2], t3 = a->w[3], r;
    __asm__("subq %5, %1\n\tsbbq %6, %2\n\tsbbq %7, %3\n\tsbbq %8, %4\n\tsbbq %0, %0"
            : "=r"(r), "+&r"(t0), "+&r"(t1), "+&r"(t2), "+&r"(t3)
            : "m"(b->w[0]), "m"(b->w[1]), "m"(b->w[2]), "m"(b->w[3])
            : "cc");
    return r & 1;
}
#else
static inline void u256_add_at(const cd_u256 *x, cd_u256 *y) { *y = u256_add(x, y); }
static inline void u256_sub_at(const cd_u256 *x, cd_u256 *y) { *y = u256_sub(x, y); }
static inline uint64_t u256_lt64(const cd_u256 *a, const cd_u256 *b) { return u256_lt(a, b); }
#endif

/* y = the 0/1 result v, four 8-byte stores like every other stack write */
static inline void u256_set_bool_at(cd_u256 *y, uint64_t v) {
    uint64_t z = 0;
    __asm__("" : "+r"(v), "+r"(z));
    y->w[0] = v, y->w[1] = z, y->w[2] = z, y->w[3] = z;
}

static inline void u256_swap64(cd_u256 *x, cd_u256 *y) {
    uint64_t a = x->w[0], b = x->w[1], c = x->w[2], d = x->w[3];
    uint64_t e = y->w[0], f = y->w[1], g = y->w[2], h = y->w[3];
    __asm__("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
    __asm__("" : "+r"(e), "+r"(f), "+r"(g), "+r"(h));
    x->w[0] = e, x->w[1] = f, x->w[2] = g, x->w[3] = h;
    y->w[0] = a, y->w[1] = b, y->w[2] = c, y->w[3] = d;
}

static vm_result run_frame(evm_vm *vm, const vm_msg *m, const vm_code *code, cd_buf *out) {
    vm_result r;
    memset(&r, 0, sizeof r);
    vm_scratch *sc = vm_scratch_at(vm, m->depth);
    if (!sc) {
        vm_fail(vm, CD_ERR_NOMEM, "stack");
        r.status = EVM_FATAL;
        return r;
    }
    frame f;
    f.vm = vm;
    f.msg = m;
    f.code = code;
    f.gas = m->gas;
    f.mem = sc->mem;
    f.sc = sc;
    f.mem_len = 0;
    f.ret = &sc->ret;
    f.ret->len = 0;
    f.out = out;
    world_acct *selfa = vm_acct(vm, &m->recipient);
    if (!selfa) {
        r.status = EVM_FATAL;
        return r;
    }
    f.self = vm_acct_index(vm, selfa);

    cd_u256 *const stack = sc->stack;
    cd_u256 *sp = stack;
    const uint8_t *pc = code->code;
    const uint8_t *const code_start = code->code;
    const uint8_t *const jumpdests = code->jumpdests;
    const uint64_t code_len = code->len;
    const vm_opinfo *const ops = vm->ops;
    const evm_fork fork = vm->fork;
    int st;
    uint8_t op;
    /* pc, sp and gas live in registers; helpers that charge gas or move the stack take
     * the frame, so the register copies go to `f` around those calls only (MEMR and the
     * op_* calls). */
    int64_t gas = f.gas;
    bool mr_ok_;
#define MEMR(a_, b_, o_, n_) (f.gas = gas, mr_ok_ = mem_region(&f, (a_), (b_), (o_), (n_)), gas = f.gas, mr_ok_)

/* Dispatch is a load and an indirect jump; each handler ends with its own copy of it
 * (threaded code), so the jump after an opcode predicts the one that usually follows. */
#define NEXT                                                                        \
    do {                                                                            \
        op = *pc;                                                                   \
        goto *labels[op];                                                           \
    } while (0)
/* Every handler starts with the checks for its own opcode, whose table entries are
 * compile-time constants there (op_since, op_in and op_growth are static const and
 * indexed by a literal), so each check is one compare: the fork, when the opcode came
 * after Frontier; stack underflow, when it pops; overflow, when it grows the stack; then
 * the constant gas, an immediate unless this fork's table is needed (op_gas_varies). */
#define OPC(code_, label_)                                                          \
    label_:                                                                         \
    if (op_since[code_] != EVM_FRONTIER && fork < op_since[code_]) goto op_undef;   \
    if (op_in[code_] > 0 && sp < stack + op_in[code_]) goto stack_under;            \
    if (op_growth[code_] > 0 && sp > stack + (EVM_STACK_LIMIT - op_growth[code_]))  \
        goto stack_over;                                                            \
    gas -= op_gas_varies[code_] ? ops[code_].gas : op_gas[code_];                   \
    if (gas < 0) goto oog;
#define S(i) (sp[-(ptrdiff_t)(i)-1])
/* Runs an out-of-line handler that may move the stack pointer (LOG, CREATE, CALL): the
 * register copies of gas and sp go to the frame and come back after it. */
#define RUN_FRAME_OP(call)                                                          \
    do {                                                                            \
        f.gas = gas;                                                                \
        f.sp = sp;                                                                  \
        st = (call);                                                                \
        gas = f.gas;                                                                \
        sp = f.sp;                                                                  \
        if (st != OP_OK) goto op_fail;                                              \
    } while (0)
/* PUSHn with n <= 8 reads one big-endian 64-bit word; longer ones a 32-byte word shifted
 * down. The code buffer has EVM_CODE_PAD zero bytes after the end, so reading 32 bytes
 * past any PUSH opcode stays inside it. */
#define PUSH_SMALL(n_)                                                              \
    OPC(0x5f + n_, op_push##n_)                                                     \
    *sp++ = u256_from_u64(u256_load_be64(pc + 1) >> (64 - 8 * n_));                 \
    pc += 1 + n_;                                                                   \
    NEXT;
#define PUSH_BIG(n_)                                                                \
    OPC(0x5f + n_, op_push##n_) {                                                   \
        cd_u256 v_ = u256_from_be32(pc + 1);                                        \
        *sp++ = n_ == 32 ? v_ : u256_shr(&v_, 256 - 8 * n_);                        \
        pc += 1 + n_;                                                               \
        NEXT;                                                                       \
    }
#define DUP(n_)                                                                     \
    OPC(0x7f + n_, op_dup##n_)                                                      \
    u256_copy64(sp, &sp[-(n_)]);                                                    \
    sp++; pc++; NEXT;
#define SWAP(n_)                                                                    \
    OPC(0x8f + n_, op_swap##n_)                                                     \
    u256_swap64(&S(0), &S(n_));                                                     \
    pc++; NEXT;

    static const void *const labels[256] = {
#define L(x) &&x
        /* 0x00 */ L(op_stop), L(op_add), L(op_mul), L(op_sub), L(op_div), L(op_sdiv), L(op_mod), L(op_smod), L(op_addmod), L(op_mulmod), L(op_exp), L(op_signextend), L(op_undef), L(op_undef), L(op_undef), L(op_undef),
        /* 0x10 */ L(op_lt), L(op_gt), L(op_slt), L(op_sgt), L(op_eq), L(op_iszero), L(op_and), L(op_or), L(op_xor), L(op_not), L(op_byte), L(op_shl), L(op_shr), L(op_sar), L(op_clz), L(op_undef),
        /* 0x20 */ L(op_keccak), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef),
        /* 0x30 */ L(op_address), L(op_balance), L(op_origin), L(op_caller), L(op_callvalue), L(op_calldataload), L(op_calldatasize), L(op_calldatacopy), L(op_codesize), L(op_codecopy), L(op_gasprice), L(op_extcodesize), L(op_extcodecopy), L(op_returndatasize), L(op_returndatacopy), L(op_extcodehash),
        /* 0x40 */ L(op_blockhash), L(op_coinbase), L(op_timestamp), L(op_number), L(op_prevrandao), L(op_gaslimit), L(op_chainid), L(op_selfbalance), L(op_basefee), L(op_blobhash), L(op_blobbasefee), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef),
        /* 0x50 */ L(op_pop), L(op_mload), L(op_mstore), L(op_mstore8), L(op_sload), L(op_sstore), L(op_jump), L(op_jumpi), L(op_pc), L(op_msize), L(op_gas), L(op_jumpdest), L(op_tload), L(op_tstore), L(op_mcopy), L(op_push0),
        /* 0x60 */ L(op_push1), L(op_push2), L(op_push3), L(op_push4), L(op_push5), L(op_push6), L(op_push7), L(op_push8), L(op_push9), L(op_push10), L(op_push11), L(op_push12), L(op_push13), L(op_push14), L(op_push15), L(op_push16),
        /* 0x70 */ L(op_push17), L(op_push18), L(op_push19), L(op_push20), L(op_push21), L(op_push22), L(op_push23), L(op_push24), L(op_push25), L(op_push26), L(op_push27), L(op_push28), L(op_push29), L(op_push30), L(op_push31), L(op_push32),
        /* 0x80 */ L(op_dup1), L(op_dup2), L(op_dup3), L(op_dup4), L(op_dup5), L(op_dup6), L(op_dup7), L(op_dup8), L(op_dup9), L(op_dup10), L(op_dup11), L(op_dup12), L(op_dup13), L(op_dup14), L(op_dup15), L(op_dup16),
        /* 0x90 */ L(op_swap1), L(op_swap2), L(op_swap3), L(op_swap4), L(op_swap5), L(op_swap6), L(op_swap7), L(op_swap8), L(op_swap9), L(op_swap10), L(op_swap11), L(op_swap12), L(op_swap13), L(op_swap14), L(op_swap15), L(op_swap16),
        /* 0xa0 */ L(op_log0), L(op_log1), L(op_log2), L(op_log3), L(op_log4), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef),
        /* 0xb0 */ L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef),
        /* 0xc0 */ L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef),
        /* 0xd0 */ L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef),
        /* 0xe0 */ L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_undef),
        /* 0xf0 */ L(op_create), L(op_call), L(op_callcode), L(op_return), L(op_delegatecall), L(op_create2), L(op_undef), L(op_undef), L(op_undef), L(op_undef), L(op_staticcall), L(op_undef), L(op_undef), L(op_revert), L(op_undef), L(op_selfdestruct),
#undef L
    };

    NEXT;

OPC(0x00, op_stop)
    out->len = 0;
    goto success;
OPC(0x01, op_add) u256_add_at(&S(0), &S(1)); sp--; pc++; NEXT;
OPC(0x02, op_mul) S(1) = u256_mul(&S(0), &S(1)); sp--; pc++; NEXT;
OPC(0x03, op_sub) u256_sub_at(&S(0), &S(1)); sp--; pc++; NEXT;
OPC(0x04, op_div) u256_divmod(&S(0), &S(1), &S(1), NULL); sp--; pc++; NEXT;
OPC(0x05, op_sdiv) S(1) = u256_sdiv(&S(0), &S(1)); sp--; pc++; NEXT;
OPC(0x06, op_mod) u256_divmod(&S(0), &S(1), NULL, &S(1)); sp--; pc++; NEXT;
OPC(0x07, op_smod) S(1) = u256_smod(&S(0), &S(1)); sp--; pc++; NEXT;
OPC(0x08, op_addmod) S(2) = u256_addmod(&S(0), &S(1), &S(2)); sp -= 2; pc++; NEXT;
OPC(0x09, op_mulmod) S(2) = u256_mulmod(&S(0), &S(1), &S(2)); sp -= 2; pc++; NEXT;
OPC(0x0a, op_exp) {
    unsigned nb = u256_byte_len(&S(1));
    gas -= (int64_t)nb * (fork >= EVM_SPURIOUS_DRAGON ? 50 : 10);
    if (gas < 0) goto oog;
    S(1) = u256_exp(&S(0), &S(1));
    sp--; pc++; NEXT;
}
OPC(0x0b, op_signextend) u256_signextend_at(&S(0), &S(1)); sp--; pc++; NEXT;
OPC(0x10, op_lt) u256_set_bool_at(&S(1), u256_lt64(&S(0), &S(1))); sp--; pc++; NEXT;
OPC(0x11, op_gt) u256_set_bool_at(&S(1), u256_lt64(&S(1), &S(0))); sp--; pc++; NEXT;
OPC(0x12, op_slt) S(1) = u256_from_u64(u256_slt(&S(0), &S(1))); sp--; pc++; NEXT;
OPC(0x13, op_sgt) S(1) = u256_from_u64(u256_slt(&S(1), &S(0))); sp--; pc++; NEXT;
OPC(0x14, op_eq) S(1) = u256_from_u64(cd_u256_eq(&S(0), &S(1))); sp--; pc++; NEXT;
OPC(0x15, op_iszero) S(0) = u256_from_u64(cd_u256_is_zero(&S(0))); pc++; NEXT;
OPC(0x16, op_and) BITWISE_AT(&S(0), &S(1), &); sp--; pc++; NEXT;
OPC(0x17, op_or) BITWISE_AT(&S(0), &S(1), |); sp--; pc++; NEXT;
OPC(0x18, op_xor) BITWISE_AT(&S(0), &S(1), ^); sp--; pc++; NEXT;
OPC(0x19, op_not) {
    LIMBS4(&S(0), n0, n1, n2, n3);
    S(0).w[0] = ~n0, S(0).w[1] = ~n1, S(0).w[2] = ~n2, S(0).w[3] = ~n3;
    pc++; NEXT;
}
OPC(0x1a, op_byte) S(1) = u256_byte(&S(0), &S(1)); sp--; pc++; NEXT;
OPC(0x1b, op_shl) u256_shl_at(&S(1), shift_amount(&S(0))); sp--; pc++; NEXT;
OPC(0x1c, op_shr) u256_shr_fill_at(&S(1), shift_amount(&S(0)), 0); sp--; pc++; NEXT;
OPC(0x1d, op_sar) u256_shr_fill_at(&S(1), shift_amount(&S(0)), (uint64_t)((int64_t)S(1).w[3] >> 63)); sp--; pc++; NEXT;
OPC(0x1e, op_clz) S(0) = u256_from_u64((uint64_t)u256_clz(&S(0))); pc++; NEXT;
OPC(0x20, op_keccak) {
    uint64_t o, n;
    if (!MEMR(&S(0), &S(1), &o, &n)) goto oog;
    gas -= (int64_t)(6 * words(n));
    if (gas < 0) goto oog;
    uint8_t h[32];
    keccak256(n ? f.mem + o : (const uint8_t *)"", n, h);
    S(1) = u256_from_be32(h);
    sp--; pc++; NEXT;
}
OPC(0x30, op_address) *sp++ = u256_from_address(&m->recipient); pc++; NEXT;
OPC(0x31, op_balance) {
    cd_address a = u256_to_address(&S(0));
    world_acct *acc = vm_acct(vm, &a);
    if (!acc) goto fatal;
    gas -= cold_account_cost(vm, acc);
    if (gas < 0) goto oog;
    S(0) = acc->s.balance;
    pc++; NEXT;
}
OPC(0x32, op_origin) *sp++ = u256_from_address(&vm->origin); pc++; NEXT;
OPC(0x33, op_caller) *sp++ = u256_from_address(&m->caller); pc++; NEXT;
OPC(0x34, op_callvalue) *sp++ = m->value; pc++; NEXT;
OPC(0x35, op_calldataload) {
    uint8_t buf[32];
    copy_padded(buf, m->input, m->input_len, &S(0), 32);
    S(0) = u256_from_be32(buf);
    pc++; NEXT;
}
OPC(0x36, op_calldatasize) *sp++ = u256_from_u64(m->input_len); pc++; NEXT;
OPC(0x37, op_calldatacopy) goto copy_body;
OPC(0x39, op_codecopy) goto copy_body;
OPC(0x3e, op_returndatacopy)
copy_body: {
    uint64_t o, n;
    if (op == 0x3e) {
        /* RETURNDATACOPY faults on reading past the return data (EIP-211). */
        cd_u256 end;
        if (u256_add_overflow(&S(1), &S(2), &end) || !u256_fits_u64(&end) || end.w[0] > f.ret->len) {
            r.halt = EVM_HALT_RETURNDATA_OOB;
            goto halt;
        }
    }
    if (!MEMR(&S(0), &S(2), &o, &n)) goto oog;
    gas -= (int64_t)(3 * words(n));
    if (gas < 0) goto oog;
    if (n == 0) {
        /* nothing to copy (memory may not even exist yet) */
    } else if (op == 0x37) {
        copy_padded(f.mem + o, m->input, m->input_len, &S(1), n);
    } else if (op == 0x39) {
        copy_padded(f.mem + o, code->code, code->len, &S(1), n);
    } else {
        copy_padded(f.mem + o, f.ret->data, f.ret->len, &S(1), n);
    }
    sp -= 3; pc++; NEXT;
}
OPC(0x38, op_codesize) *sp++ = u256_from_u64(code->len); pc++; NEXT;
OPC(0x3a, op_gasprice) *sp++ = vm->gas_price; pc++; NEXT;
OPC(0x3b, op_extcodesize) {
    cd_address a = u256_to_address(&S(0));
    world_acct *acc = vm_acct(vm, &a);
    if (!acc) goto fatal;
    gas -= cold_account_cost(vm, acc);
    if (gas < 0) goto oog;
    if (!vm_load_code(vm, acc)) goto fatal;
    S(0) = u256_from_u64(acc->s.code.len);
    pc++; NEXT;
}
OPC(0x3c, op_extcodecopy) {
    cd_address a = u256_to_address(&S(0));
    world_acct *acc = vm_acct(vm, &a);
    if (!acc) goto fatal;
    uint32_t ai = vm_acct_index(vm, acc);
    gas -= cold_account_cost(vm, acc);
    uint64_t o, n;
    if (!MEMR(&S(1), &S(3), &o, &n)) goto oog;
    gas -= (int64_t)(3 * words(n));
    if (gas < 0) goto oog;
    acc = &vm->accts[ai];
    if (!vm_load_code(vm, acc)) goto fatal;
    if (n) copy_padded(f.mem + o, acc->s.code.code, acc->s.code.len, &S(2), n);
    sp -= 4; pc++; NEXT;
}
OPC(0x3d, op_returndatasize) *sp++ = u256_from_u64(f.ret->len); pc++; NEXT;
OPC(0x3f, op_extcodehash) {
    cd_address a = u256_to_address(&S(0));
    world_acct *acc = vm_acct(vm, &a);
    if (!acc) goto fatal;
    gas -= cold_account_cost(vm, acc);
    if (gas < 0) goto oog;
    if (!acc->s.exists || vm_acct_empty(acc)) S(0) = u256_from_u64(0);
    else S(0) = u256_from_be(acc->s.code_hash.b, 32);
    pc++; NEXT;
}
OPC(0x40, op_blockhash) {
    cd_u256 n = S(0);
    uint64_t cur = vm->block.number;
    S(0) = u256_from_u64(0);
    if (u256_fits_u64(&n) && n.w[0] < cur && cur - n.w[0] <= 256) {
        cd_hash32 h;
        cd_status hs = vm->host->get_block_hash(vm->host->ctx, n.w[0], &h);
        if (hs != CD_OK) {
            vm_fail(vm, hs, "block hash read");
            goto fatal;
        }
        S(0) = u256_from_be(h.b, 32);
    }
    pc++; NEXT;
}
OPC(0x41, op_coinbase) *sp++ = u256_from_address(&vm->block.coinbase); pc++; NEXT;
OPC(0x42, op_timestamp) *sp++ = u256_from_u64(vm->block.timestamp); pc++; NEXT;
OPC(0x43, op_number) *sp++ = u256_from_u64(vm->block.number); pc++; NEXT;
OPC(0x44, op_prevrandao)
    *sp++ = fork >= EVM_PARIS ? u256_from_be(vm->block.prevrandao.b, 32) : vm->block.difficulty;
    pc++; NEXT;
OPC(0x45, op_gaslimit) *sp++ = u256_from_u64(vm->block.gas_limit); pc++; NEXT;
OPC(0x46, op_chainid) *sp++ = u256_from_u64(vm->block.chain_id); pc++; NEXT;
OPC(0x47, op_selfbalance) *sp++ = vm->accts[f.self].s.balance; pc++; NEXT;
OPC(0x48, op_basefee) *sp++ = vm->block.base_fee; pc++; NEXT;
OPC(0x49, op_blobhash) {
    cd_u256 i = S(0);
    S(0) = u256_from_u64(0);
    if (u256_fits_u64(&i) && i.w[0] < vm->n_blob_hashes) S(0) = u256_from_be(vm->blob_hashes[i.w[0]].b, 32);
    pc++; NEXT;
}
OPC(0x4a, op_blobbasefee) *sp++ = vm->block.blob_base_fee; pc++; NEXT;
OPC(0x50, op_pop) sp--; pc++; NEXT;
/* MLOAD, MSTORE, MSTORE8: the offset is read limb by limb on the stack and memory grows
 * only when the access passes its end (mem_grow charges the expansion); an offset that
 * cannot fit is out of gas, as mem_region would find. */
#define MEM_AT(len_, off_)                                                          \
    do {                                                                            \
        const uint64_t *w_ = S(0).w;                                                \
        off_ = w_[0];                                                               \
        if ((w_[1] | w_[2] | w_[3]) || off_ > EVM_MEM_LIMIT) goto oog;              \
        if (off_ + (len_) > f.mem_len) {                                            \
            f.gas = gas;                                                            \
            bool grown_ = mem_grow(&f, off_ + (len_));                              \
            gas = f.gas;                                                            \
            if (!grown_) goto oog;                                                  \
        }                                                                           \
    } while (0)
OPC(0x51, op_mload) {
    uint64_t o;
    MEM_AT(32, o);
    S(0) = u256_from_be32(f.mem + o);
    pc++; NEXT;
}
OPC(0x52, op_mstore) {
    uint64_t o;
    MEM_AT(32, o);
    u256_to_be(&S(1), f.mem + o);
    sp -= 2; pc++; NEXT;
}
OPC(0x53, op_mstore8) {
    uint64_t o;
    MEM_AT(1, o);
    f.mem[o] = (uint8_t)S(1).w[0];
    sp -= 2; pc++; NEXT;
}
#undef MEM_AT
OPC(0x54, op_sload) {
    world_slot *s = vm_slot(vm, f.self, &S(0), false);
    if (!s) goto fatal;
    if (vm->fork >= EVM_BERLIN && vm_warm_slot(vm, s)) {
        gas -= 2000;
        if (gas < 0) goto oog;
    }
    S(0) = s->value;
    pc++; NEXT;
}
OPC(0x55, op_sstore)
    f.gas = gas; st = op_sstore(&f, &S(0), &S(1));
    gas = f.gas;
    if (st != OP_OK) goto op_fail;
    sp -= 2; pc++; NEXT;
/* Jump targets and conditions are read limb by limb where they lie on the stack (a copy
 * would be a 16-byte load of the PUSH's 8-byte stores, which stalls). */
OPC(0x56, op_jump) {
    const uint64_t *d = S(0).w;
    uint64_t dst = d[0];
    sp--;
    if ((d[1] | d[2] | d[3]) || dst >= code_len || !((jumpdests[dst / 8] >> (dst % 8)) & 1)) {
        r.halt = EVM_HALT_BAD_JUMP;
        goto halt;
    }
    pc = code_start + dst;
    NEXT;
}
OPC(0x57, op_jumpi) {
    const uint64_t *d = S(0).w, *c = S(1).w;
    uint64_t dst = d[0];
    sp -= 2;
    if (!(c[0] | c[1] | c[2] | c[3])) {
        pc++;
        NEXT;
    }
    if ((d[1] | d[2] | d[3]) || dst >= code_len || !((jumpdests[dst / 8] >> (dst % 8)) & 1)) {
        r.halt = EVM_HALT_BAD_JUMP;
        goto halt;
    }
    pc = code_start + dst;
    NEXT;
}
OPC(0x58, op_pc) *sp++ = u256_from_u64((uint64_t)(pc - code_start)); pc++; NEXT;
OPC(0x59, op_msize) *sp++ = u256_from_u64(f.mem_len); pc++; NEXT;
OPC(0x5a, op_gas) *sp++ = u256_from_u64((uint64_t)gas); pc++; NEXT;
OPC(0x5b, op_jumpdest) pc++; NEXT;
OPC(0x5c, op_tload) {
    world_slot *s = vm_slot(vm, f.self, &S(0), true);
    if (!s) goto fatal;
    S(0) = s->value;
    pc++; NEXT;
}
OPC(0x5d, op_tstore) {
    if (m->is_static) {
        r.halt = EVM_HALT_STATIC_VIOLATION;
        goto halt;
    }
    world_slot *s = vm_slot(vm, f.self, &S(0), true);
    if (!s) goto fatal;
    if (!cd_u256_eq(&s->value, &S(1)) && !vm_set_slot(vm, s, &S(1))) goto fatal;
    sp -= 2; pc++; NEXT;
}
OPC(0x5e, op_mcopy) {
    uint64_t dst_o, src_o, n;
    /* Expansion covers the larger of the two regions (EIP-5656). */
    if (!MEMR(&S(0), &S(2), &dst_o, &n)) goto oog;
    if (!MEMR(&S(1), &S(2), &src_o, &n)) goto oog;
    gas -= (int64_t)(3 * words(n));
    if (gas < 0) goto oog;
    if (n) memmove(f.mem + dst_o, f.mem + src_o, n);
    sp -= 3; pc++; NEXT;
}
OPC(0x5f, op_push0) *sp++ = u256_from_u64(0); pc++; NEXT;
PUSH_SMALL(1)
PUSH_SMALL(2)
PUSH_SMALL(3)
PUSH_SMALL(4)
PUSH_SMALL(5)
PUSH_SMALL(6)
PUSH_SMALL(7)
PUSH_SMALL(8)
PUSH_BIG(9)
PUSH_BIG(10)
PUSH_BIG(11)
PUSH_BIG(12)
PUSH_BIG(13)
PUSH_BIG(14)
PUSH_BIG(15)
PUSH_BIG(16)
PUSH_BIG(17)
PUSH_BIG(18)
PUSH_BIG(19)
PUSH_BIG(20)
PUSH_BIG(21)
PUSH_BIG(22)
PUSH_BIG(23)
PUSH_BIG(24)
PUSH_BIG(25)
PUSH_BIG(26)
PUSH_BIG(27)
PUSH_BIG(28)
PUSH_BIG(29)
PUSH_BIG(30)
PUSH_BIG(31)
PUSH_BIG(32)
DUP(1)
DUP(2)
DUP(3)
DUP(4)
DUP(5)
DUP(6)
DUP(7)
DUP(8)
DUP(9)
DUP(10)
DUP(11)
DUP(12)
DUP(13)
DUP(14)
DUP(15)
DUP(16)
SWAP(1)
SWAP(2)
SWAP(3)
SWAP(4)
SWAP(5)
SWAP(6)
SWAP(7)
SWAP(8)
SWAP(9)
SWAP(10)
SWAP(11)
SWAP(12)
SWAP(13)
SWAP(14)
SWAP(15)
SWAP(16)
OPC(0xa0, op_log0) goto log_body;
OPC(0xa1, op_log1) goto log_body;
OPC(0xa2, op_log2) goto log_body;
OPC(0xa3, op_log3) goto log_body;
OPC(0xa4, op_log4)
log_body:
    RUN_FRAME_OP(op_log(&f, op - 0xa0));
    pc++; NEXT;
OPC(0xf0, op_create) goto create_body;
OPC(0xf5, op_create2)
create_body:
    RUN_FRAME_OP(op_create(&f, op));
    pc++; NEXT;
OPC(0xf1, op_call) goto call_body;
OPC(0xf2, op_callcode) goto call_body;
OPC(0xf4, op_delegatecall) goto call_body;
OPC(0xfa, op_staticcall)
call_body:
    RUN_FRAME_OP(op_call(&f, op));
    pc++; NEXT;
OPC(0xf3, op_return) goto return_body;
OPC(0xfd, op_revert)
return_body: {
    uint64_t o, n;
    if (!MEMR(&S(0), &S(1), &o, &n)) goto oog;
    out->len = 0;
    if (n && cd_buf_append(out, f.mem + o, n) != CD_OK) {
        vm_fail(vm, CD_ERR_NOMEM, "return data");
        goto fatal;
    }
    if (op == 0xfd) {
        r.status = EVM_REVERT;
        r.gas_left = gas;
        goto done;
    }
    goto success;
}
OPC(0xff, op_selfdestruct)
    f.gas = gas; st = op_selfdestruct(&f, &S(0));
    gas = f.gas;
    if (st != OP_OK) goto op_fail;
    out->len = 0;
    goto success;

op_fail:
    if (st == OP_FATAL) goto fatal;
    if (st == OP_STATIC) {
        r.halt = EVM_HALT_STATIC_VIOLATION;
        goto halt;
    }
    goto oog;
op_undef:
    r.halt = EVM_HALT_INVALID_OPCODE;
    goto halt;
stack_under:
    r.halt = EVM_HALT_STACK_UNDERFLOW;
    goto halt;
stack_over:
    r.halt = EVM_HALT_STACK_OVERFLOW;
    goto halt;
oog:
    if (vm->fatal != CD_OK) goto fatal;
    r.halt = EVM_HALT_OUT_OF_GAS;
halt:
    r.status = EVM_HALT;
    r.gas_left = 0;
    out->len = 0;
    goto done;
fatal:
    r.status = EVM_FATAL;
    r.gas_left = 0;
    goto done;
success:
    r.status = EVM_SUCCESS;
    r.gas_left = gas;
done:
#undef S
#undef NEXT
#undef OPC
#undef PUSH_SMALL
#undef PUSH_BIG
#undef DUP
#undef SWAP
#undef RUN_FRAME_OP
#undef MEMR
    return r;
}

/* ---- message calls ------------------------------------------------------------------- */

static vm_result call_here(evm_vm *vm, const vm_msg *m, cd_buf *out) {
    vm_result r;
    memset(&r, 0, sizeof r);
    out->len = 0;
    vm_snapshot snap = vm_snap(vm);
    bool is_pre = !m->disable_precompiles && evm_precompile_exists(vm->fork, &m->code_addr);
    bool transfer = m->kind == K_CALL || m->kind == K_CALLCODE;

    if (m->kind == K_CALL || m->kind == K_STATICCALL) {
        world_acct *to = vm_acct(vm, &m->recipient);
        if (!to) goto fatal;
        if (!to->s.exists) {
            /* EIP-161: a zero-value call to a non-existent account creates nothing. */
            if (!is_pre && vm->fork >= EVM_SPURIOUS_DRAGON && cd_u256_is_zero(&m->value)) {
                r.status = EVM_SUCCESS;
                r.gas_left = m->gas;
                return r;
            }
            vm_save_acct(vm, to);
            to->s.exists = true;
            to->s.touched = true;
        } else if (cd_u256_is_zero(&m->value) && vm_acct_empty(to)) {
            vm_save_acct(vm, to);
            to->s.touched = true;
        }
    }
    if (transfer && !cd_u256_is_zero(&m->value)) {
        world_acct *from = vm_acct(vm, &m->caller);
        if (!from) goto fatal;
        vm_save_acct(vm, from);
        from->s.balance = u256_sub(&from->s.balance, &m->value);
        world_acct *to = vm_acct(vm, &m->recipient);
        if (!to) goto fatal;
        vm_save_acct(vm, to);
        to->s.balance = u256_add(&to->s.balance, &m->value);
        to->s.exists = true;
        to->s.touched = true;
    }
    if (is_pre) {
        uint64_t used = 0;
        cd_status st = evm_precompile_run(vm->fork, &m->code_addr, cd_bytes_make(m->input, m->input_len),
                                          (uint64_t)m->gas, &used, out);
        if (st == CD_OK && used <= (uint64_t)m->gas) {
            r.status = EVM_SUCCESS;
            r.gas_left = m->gas - (int64_t)used;
            return r;
        }
        if (st == CD_ERR_NOMEM) {
            vm_fail(vm, st, "precompile");
            goto fatal;
        }
        vm_revert(vm, snap);
        out->len = 0;
        r.status = EVM_HALT;
        r.halt = st == CD_ERR_EVM_PRECOMPILE_OOG ? EVM_HALT_OUT_OF_GAS : EVM_HALT_PRECOMPILE_FAILED;
        r.gas_left = 0;
        return r;
    }
    world_acct *ca = vm_acct(vm, &m->code_addr);
    if (!ca || !vm_load_code(vm, ca)) goto fatal;
    if (ca->s.code.len == 0) {
        r.status = EVM_SUCCESS;
        r.gas_left = m->gas;
        return r;
    }
    vm_code code = ca->s.code;
    r = run_frame(vm, m, &code, out);
    if (r.status == EVM_FATAL) return r;
    if (r.status != EVM_SUCCESS) vm_revert(vm, snap);
    return r;
fatal:
    r.status = EVM_FATAL;
    return r;
}

/* CREATE: keccak256(rlp([sender, nonce]))[12:]; CREATE2: keccak256(0xff ++ sender ++ salt
 * ++ keccak256(init_code))[12:]. */
static bool create_address(evm_vm *vm, const vm_msg *m, uint64_t nonce, cd_address *out) {
    cd_hash32 h;
    if (m->kind == K_CREATE2) {
        uint8_t buf[85];
        buf[0] = 0xff;
        memcpy(buf + 1, m->caller.b, 20);
        u256_to_be(&m->salt, buf + 21);
        evm_hash(m->input_len ? m->input : (const uint8_t *)"", m->input_len, (cd_hash32 *)(buf + 53));
        evm_hash(buf, sizeof buf, &h);
    } else {
        cd_buf b = {0};
        bool ok = rlp_encode_address(&b, &m->caller) == CD_OK && rlp_encode_u64(&b, nonce) == CD_OK &&
                  rlp_wrap_list(&b, 0) == CD_OK;
        if (!ok) {
            cd_buf_free(&b);
            vm_fail(vm, CD_ERR_NOMEM, "create address");
            return false;
        }
        evm_hash(b.data, b.len, &h);
        cd_buf_free(&b);
    }
    memcpy(out->b, h.b + 12, 20);
    return true;
}

static vm_result create_here(evm_vm *vm, const vm_msg *m, cd_buf *out) {
    vm_result r;
    memset(&r, 0, sizeof r);
    out->len = 0;
    world_acct *creator = vm_acct(vm, &m->caller);
    if (!creator) goto fatal;
    uint64_t nonce = creator->s.nonce;
    vm_save_acct(vm, creator);
    creator->s.nonce = nonce + 1;
    cd_address addr;
    if (!create_address(vm, m, nonce, &addr)) goto fatal;
    world_acct *t = vm_acct(vm, &addr);
    if (!t) goto fatal;
    if (vm->fork >= EVM_BERLIN) vm_warm_acct(vm, t);
    if (t->s.nonce != 0 || vm_acct_has_code(t) || (t->s.has_storage && !t->s.storage_cleared)) {
        r.status = EVM_HALT;
        r.halt = EVM_HALT_CREATE_COLLISION;
        return r;
    }
    uint32_t ti = vm_acct_index(vm, t);
    vm_snapshot snap = vm_snap(vm);
    vm_save_acct(vm, t);
    t->s.exists = true;
    t->s.created = true;
    t->s.storage_cleared = true;
    t->s.has_storage = false;
    t->s.touched = true;
    t->s.nonce = vm->fork >= EVM_SPURIOUS_DRAGON ? 1 : 0;
    if (!cd_u256_is_zero(&m->value)) {
        creator = vm_acct(vm, &m->caller);
        vm_save_acct(vm, creator);
        creator->s.balance = u256_sub(&creator->s.balance, &m->value);
        t = &vm->accts[ti];
        t->s.balance = u256_add(&t->s.balance, &m->value);
    }
    /* Init code lives only as long as its frame (a loop of creates must not pile it up). */
    vm_code init;
    if (!vm_make_code(NULL, m->input, m->input_len, &init)) {
        vm_fail(vm, CD_ERR_NOMEM, "init code");
        goto fatal;
    }
    vm_msg cm = *m;
    cm.recipient = addr;
    cm.code_addr = addr;
    cm.input = NULL;
    cm.input_len = 0;
    if (init.len) r = run_frame(vm, &cm, &init, out);
    else {
        r.status = EVM_SUCCESS;
        r.gas_left = m->gas;
    }
    free((void *)init.code);
    if (r.status == EVM_FATAL) return r;
    if (r.status == EVM_SUCCESS) {
        size_t len = out->len;
        evm_halt h = EVM_HALT_NONE;
        if (vm->fork >= EVM_SPURIOUS_DRAGON && len > EVM_MAX_CODE_SIZE) h = EVM_HALT_CODE_SIZE;
        else if (vm->fork >= EVM_LONDON && len && out->data[0] == 0xef) h = EVM_HALT_CODE_PREFIX_EF;
        else if ((uint64_t)r.gas_left < 200 * (uint64_t)len) {
            if (vm->fork >= EVM_HOMESTEAD) h = EVM_HALT_OUT_OF_GAS;
            else len = 0; /* Frontier: keep the account, store no code */
        } else {
            r.gas_left -= (int64_t)(200 * len);
        }
        if (h == EVM_HALT_NONE) {
            t = &vm->accts[ti];
            if (!vm_set_code(vm, t, out->data, len)) goto fatal;
            out->len = 0;
            r.created = addr;
            return r;
        }
        r.status = EVM_HALT;
        r.halt = h;
        r.gas_left = 0;
    }
    vm_revert(vm, snap);
    if (r.status == EVM_HALT) out->len = 0;
    return r;
fatal:
    r.status = EVM_FATAL;
    return r;
}

/* ---- the first deep frame ---------------------------------------------------------------- */

typedef struct {
    evm_vm *vm;
    const vm_msg *m;
    cd_buf *out;
    bool create;
    vm_result r;
} deep_job;

static void *deep_thread(void *arg) {
    deep_job *j = arg;
    j->r = j->create ? create_here(j->vm, j->m, j->out) : call_here(j->vm, j->m, j->out);
    return NULL;
}

/* Runs the frame at VM_SHALLOW_DEPTH (and so all below it) where there is stack for them. */
static vm_result run_deep(evm_vm *vm, const vm_msg *m, cd_buf *out, bool create) {
    deep_job j = {vm, m, out, create, {0}};
    if (vm_run_on_big_stack(deep_thread, &j)) return j.r;
    vm_fail(vm, CD_ERR_NOMEM, "evm: cannot start execution thread");
    vm_result r;
    memset(&r, 0, sizeof r);
    r.status = EVM_FATAL;
    return r;
}

vm_result vm_call(evm_vm *vm, const vm_msg *m, cd_buf *out) {
    if (m->depth == VM_SHALLOW_DEPTH && !vm_deep_stack_ok(vm)) return run_deep(vm, m, out, false);
    return call_here(vm, m, out);
}

vm_result vm_create(evm_vm *vm, const vm_msg *m, cd_buf *out) {
    if (m->depth == VM_SHALLOW_DEPTH && !vm_deep_stack_ok(vm)) return run_deep(vm, m, out, true);
    return create_here(vm, m, out);
}
