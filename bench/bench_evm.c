/* EVM interpreter benchmarks. Each workload is hand-assembled bytecode run through
 * evm_call over an in-memory state (the whole eth_call path: vm setup, host reads,
 * execution). Figures are medians of several runs.
 *
 * References measured in the same run:
 *   arith   : the same 256-bit operations in a plain C loop (evm/u256.h) -> interpreter overhead
 *   keccak  : keccak256() of the same 64-byte chain in C
 *   mcopy   : memmove() of the same sizes in C
 *   erc20 / mandelbrot : an empty eth_call (no code) -> fixed per-call overhead. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/keccak.h"
#include "evm/evm.h"
#include "evm/u256.h"
#include "tests/support/bench.h"

#define RUNS 7

/* ---- tiny assembler with labels ---- */

typedef struct {
    uint8_t code[4096];
    size_t len;
    size_t label_at[32];
    size_t fix_pos[64];
    int fix_label[64];
    int n_fix;
} asm_t;

static void op(asm_t *a, uint8_t o) { a->code[a->len++] = o; }
static void push(asm_t *a, uint64_t v) {
    int n = 1;
    while (n < 8 && (v >> (8 * n))) n++;
    op(a, (uint8_t)(0x5f + n));
    for (int i = n - 1; i >= 0; i--) op(a, (uint8_t)(v >> (8 * i)));
}
static void label(asm_t *a, int id) {
    a->label_at[id] = a->len;
    op(a, 0x5b);
}
static void push_label(asm_t *a, int id) {
    op(a, 0x61);
    a->fix_pos[a->n_fix] = a->len;
    a->fix_label[a->n_fix++] = id;
    op(a, 0);
    op(a, 0);
}
static void finish(asm_t *a) {
    for (int i = 0; i < a->n_fix; i++) {
        size_t at = a->label_at[a->fix_label[i]];
        a->code[a->fix_pos[i]] = (uint8_t)(at >> 8);
        a->code[a->fix_pos[i] + 1] = (uint8_t)at;
    }
}
static void mload(asm_t *a, uint64_t off) { push(a, off), op(a, 0x51); }
static void mstore(asm_t *a, uint64_t off) { push(a, off), op(a, 0x52); }
static void ret_top(asm_t *a) {
    push(a, 0), op(a, 0x52), push(a, 32), push(a, 0), op(a, 0xf3);
}

enum { ADD = 0x01, MUL = 0x02, SUB = 0x03, DIV = 0x04, SDIV = 0x05, LT = 0x10, GT = 0x11, EQ = 0x14,
       ISZERO = 0x15, XOR = 0x18, SHR = 0x1c, KECCAK = 0x20, CALLER = 0x33, CALLDATALOAD = 0x35, POP = 0x50,
       MSTORE8 = 0x53, SLOAD = 0x54, SSTORE = 0x55, JUMP = 0x56, JUMPI = 0x57, MCOPY = 0x5e, DUP1 = 0x80,
       DUP2 = 0x81, DUP3 = 0x82, SWAP1 = 0x90, SWAP2 = 0x91, LOG3 = 0xa3, REVERT = 0xfd };

#define ARITH_K 0x9e3779b97f4a7c15ull
#define ARITH_C 0x632be5abull

static void build_arith(asm_t *a, uint64_t n) {
    push(a, n), push(a, 1); /* [c, x] */
    label(a, 0);
    push(a, ARITH_K), op(a, MUL), push(a, ARITH_C), op(a, ADD), op(a, DUP1), push(a, 7), op(a, SHR), op(a, XOR);
    op(a, SWAP1), push(a, 1), op(a, SWAP1), op(a, SUB), op(a, SWAP1), op(a, DUP2), push_label(a, 0), op(a, JUMPI);
    ret_top(a);
    finish(a);
}

static void build_keccak(asm_t *a, uint64_t n) {
    push(a, n);
    label(a, 0);
    push(a, 64), push(a, 0), op(a, KECCAK), push(a, 0), op(a, 0x52);
    push(a, 1), op(a, SWAP1), op(a, SUB), op(a, DUP1), push_label(a, 0), op(a, JUMPI);
    mload(a, 0);
    ret_top(a);
    finish(a);
}

static void build_mcopy(asm_t *a, uint64_t n) {
    push(a, 1), push(a, 8191), op(a, MSTORE8); /* expand memory to 8 KiB once */
    push(a, n);
    label(a, 0);
    push(a, 4096), push(a, 0), push(a, 4096), op(a, MCOPY);  /* [4096..8192) <- [0..4096) */
    push(a, 4096), push(a, 4096), push(a, 0), op(a, MCOPY);  /* and back */
    push(a, 1), op(a, SWAP1), op(a, SUB), op(a, DUP1), push_label(a, 0), op(a, JUMPI);
    mload(a, 0);
    ret_top(a);
    finish(a);
}

/* transfer(address to, uint256 amount) over balances at keccak(addr . 0), with the
 * Transfer event, as a compiler would lay it out (minus the ABI decoding checks). */
static const uint8_t transfer_topic[32] = {0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0,
                                           0x68, 0xfc, 0x37, 0x8d, 0xaa, 0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4,
                                           0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef};

static void build_erc20(asm_t *a) {
    push(a, 0), op(a, CALLDATALOAD), push(a, 0xe0), op(a, SHR), push(a, 0xa9059cbb), op(a, EQ), op(a, ISZERO);
    push_label(a, 1), op(a, JUMPI);
    op(a, CALLER), push(a, 0), op(a, 0x52), push(a, 0), push(a, 32), op(a, 0x52);
    push(a, 64), push(a, 0), op(a, KECCAK); /* [kf] */
    op(a, DUP1), op(a, SLOAD);             /* [kf, bf] */
    push(a, 0x24), op(a, CALLDATALOAD);    /* [kf, bf, amt] */
    op(a, DUP2), op(a, DUP2), op(a, GT), push_label(a, 1), op(a, JUMPI); /* amt > bf: revert */
    op(a, DUP1), op(a, SWAP2), op(a, SUB), op(a, DUP3), op(a, SSTORE);  /* [kf, amt] */
    push(a, 4), op(a, CALLDATALOAD), push(a, 0), op(a, 0x52);
    push(a, 64), push(a, 0), op(a, KECCAK); /* [kf, amt, kt] */
    op(a, DUP1), op(a, SLOAD), op(a, DUP3), op(a, ADD), op(a, SWAP1), op(a, SSTORE); /* [kf, amt] */
    op(a, DUP1), push(a, 0), op(a, 0x52);
    push(a, 4), op(a, CALLDATALOAD), op(a, CALLER);
    op(a, 0x7f);
    for (int i = 0; i < 32; i++) op(a, transfer_topic[i]);
    push(a, 32), push(a, 0), op(a, LOG3);
    push(a, 1), ret_top(a);
    label(a, 1);
    push(a, 0), push(a, 0), op(a, REVERT);
    finish(a);
}

/* Fixed-point (2^16) Mandelbrot over a W x H grid, MAXI iterations, variables in memory
 * like compiled code keeps them; returns keccak of the iteration-count image. A compute
 * kernel of the same flavour as snailtracer (signed fixed-point math, loops, memory). */
#define MB_W 40
#define MB_H 30
#define MB_MAXI 64
#define MB_S 65536
enum { V_PX = 0x00, V_PY = 0x20, V_X = 0x40, V_Y = 0x60, V_IT = 0x80, V_CX = 0xa0, V_CY = 0xc0, V_X2 = 0xe0,
       V_Y2 = 0x100, IMG = 0x200 };

static void build_mandel(asm_t *a) {
    label(a, 0); /* pixel start */
    mload(a, V_PX), push(a, 3 * MB_S), op(a, MUL), push(a, MB_W), op(a, SWAP1), op(a, DIV);
    push(a, 2 * MB_S), op(a, SWAP1), op(a, SUB), mstore(a, V_CX);
    mload(a, V_PY), push(a, 2 * MB_S), op(a, MUL), push(a, MB_H), op(a, SWAP1), op(a, DIV);
    push(a, MB_S), op(a, SWAP1), op(a, SUB), mstore(a, V_CY);
    push(a, 0), mstore(a, V_X), push(a, 0), mstore(a, V_Y), push(a, 0), mstore(a, V_IT);
    label(a, 1); /* iteration */
    push(a, MB_MAXI), mload(a, V_IT), op(a, LT), op(a, ISZERO), push_label(a, 2), op(a, JUMPI);
    mload(a, V_X), op(a, DUP1), op(a, MUL), push(a, MB_S), op(a, SWAP1), op(a, SDIV), mstore(a, V_X2);
    mload(a, V_Y), op(a, DUP1), op(a, MUL), push(a, MB_S), op(a, SWAP1), op(a, SDIV), mstore(a, V_Y2);
    mload(a, V_X2), mload(a, V_Y2), op(a, ADD), push(a, 4 * MB_S), op(a, LT), push_label(a, 2), op(a, JUMPI);
    mload(a, V_X), mload(a, V_Y), op(a, MUL), push(a, 2), op(a, MUL), push(a, MB_S), op(a, SWAP1), op(a, SDIV);
    mload(a, V_CY), op(a, ADD), mstore(a, V_Y);
    mload(a, V_Y2), mload(a, V_X2), op(a, SUB), mload(a, V_CX), op(a, ADD), mstore(a, V_X);
    mload(a, V_IT), push(a, 1), op(a, ADD), mstore(a, V_IT);
    push_label(a, 1), op(a, JUMP);
    label(a, 2); /* pixel done */
    mload(a, V_IT), mload(a, V_PY), push(a, MB_W), op(a, MUL), mload(a, V_PX), op(a, ADD), push(a, IMG), op(a, ADD),
        op(a, MSTORE8);
    mload(a, V_PX), push(a, 1), op(a, ADD), op(a, DUP1), mstore(a, V_PX), push(a, MB_W), op(a, GT), push_label(a, 0),
        op(a, JUMPI);
    push(a, 0), mstore(a, V_PX);
    mload(a, V_PY), push(a, 1), op(a, ADD), op(a, DUP1), mstore(a, V_PY), push(a, MB_H), op(a, GT), push_label(a, 0),
        op(a, JUMPI);
    push(a, MB_W * MB_H), push(a, IMG), op(a, KECCAK), ret_top(a);
    finish(a);
}

/* ---- harness ---- */

static const cd_address BENCH_SENDER = {{0x10, [19] = 0x01}};
static const cd_address BENCH_CODE = {{0xc0, [19] = 0x02}};

typedef struct {
    double ns;          /* median per call */
    uint64_t gas;
    bool ok;
} run_stats;

/* The world every bench call runs in: a funded sender and the code under test at BENCH_CODE,
 * in a block with room for any workload. NULL when it cannot be built. */
static evm_memstate *bench_world(cd_bytes code) {
    evm_memstate *ms;
    if (evm_memstate_new(&ms) != CD_OK) return NULL;
    cd_u256 bal = u256_from_u64(1ull << 60);
    evm_block b;
    memset(&b, 0, sizeof b);
    b.gas_limit = 2000000000ull;
    b.chain_id = 1;
    b.number = 1;
    evm_memstate_set_block(ms, &b);
    if (evm_memstate_set_account(ms, &BENCH_SENDER, 0, &bal, cd_bytes_make(NULL, 0)) != CD_OK ||
        evm_memstate_set_account(ms, &BENCH_CODE, 1, &bal, code) != CD_OK) {
        evm_memstate_free(ms);
        return NULL;
    }
    return ms;
}

static run_stats bench_code(const uint8_t *code, size_t len, cd_bytes data, int reps, const cd_u256 *slot_key) {
    run_stats rs = {0, 0, false};
    evm_memstate *ms = bench_world(cd_bytes_make(code, len));
    if (!ms) return rs;
    cd_u256 bal = u256_from_u64(1ull << 60);
    if (slot_key && evm_memstate_set_storage(ms, &BENCH_CODE, slot_key, &bal) != CD_OK) goto out;
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m;
    memset(&m, 0, sizeof m);
    m.from = BENCH_SENDER;
    m.to = BENCH_CODE;
    m.data = data;
    m.gas_cap = 2000000000ull;
    double samples[RUNS];
    rs.ok = true;
    for (int r = 0; r < RUNS; r++) {
        double t0 = (bench_wall_seconds() * 1e9);
        for (int i = 0; i < reps; i++) {
            evm_result res;
            cd_status st = evm_call(&h, EVM_OSAKA, &m, &res, NULL);
            if (st != CD_OK || res.outcome != EVM_SUCCESS) rs.ok = false;
            rs.gas = res.gas_used;
            evm_result_free(&res);
        }
        samples[r] = ((bench_wall_seconds() * 1e9) - t0) / reps;
    }
    rs.ns = bench_median(samples, RUNS);
out:
    evm_memstate_free(ms);
    return rs;
}

static double bench_c_arith(uint64_t n) {
    double samples[RUNS];
    volatile uint64_t sink = 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = (bench_wall_seconds() * 1e9);
        cd_u256 x = u256_from_u64(1), k = u256_from_u64(ARITH_K), c = u256_from_u64(ARITH_C);
        for (uint64_t i = 0; i < n; i++) {
            x = u256_mul(&x, &k);
            x = u256_add(&x, &c);
            cd_u256 s = u256_shr(&x, 7);
            for (int j = 0; j < 4; j++) x.w[j] ^= s.w[j];
        }
        sink += x.w[0];
        samples[r] = (bench_wall_seconds() * 1e9) - t0;
    }
    (void)sink;
    return bench_median(samples, RUNS);
}

static double bench_c_keccak(uint64_t n) {
    double samples[RUNS];
    for (int r = 0; r < RUNS; r++) {
        uint8_t buf[64] = {0};
        double t0 = (bench_wall_seconds() * 1e9);
        for (uint64_t i = 0; i < n; i++) keccak256(buf, 64, buf);
        samples[r] = (bench_wall_seconds() * 1e9) - t0;
        if (buf[0] == 0x42 && buf[1] == 0x42) fprintf(stderr, " ");
    }
    return bench_median(samples, RUNS);
}

static double bench_c_memmove(uint64_t n) {
    double samples[RUNS];
    uint8_t *mem = calloc(1, 8192);
    if (!mem) return 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = (bench_wall_seconds() * 1e9);
        for (uint64_t i = 0; i < n; i++) {
            memmove(mem + 4096, mem, 4096);
            memmove(mem, mem + 4096, 4096);
            __asm__ volatile("" ::"r"(mem) : "memory");
        }
        samples[r] = (bench_wall_seconds() * 1e9) - t0;
    }
    free(mem);
    return bench_median(samples, RUNS);
}

static void line(const char *name, const run_stats *rs, double ref_ns, const char *ref_name) {
    double mgas = rs->gas / (rs->ns / 1e9) / 1e6;
    printf("evm %-22s %10.1f us/call  %8.1f Mgas/s  ratio %.2fx vs %s%s\n", name, rs->ns / 1e3,
           mgas, ref_ns > 0 ? rs->ns / ref_ns : 0, ref_name,
           rs->ok ? "" : "  [FAILED RUN]");
}


/* An external contract, read at run time from a state-test file named by
 * $CANDOR_BENCH_EVM_STATETEST (e.g. evm-benchmarks' snailtracer.json): its first
 * transaction's target code and first calldata run as an eth_call. Nothing of it is part
 * of the project; without the variable the workload is skipped and says so. */
static bool load_statetest_workload(const char *path, cd_buf *code, cd_buf *data, char *name, size_t cap) {
    json_object *root = json_object_from_file(path);
    bool ok = false;
    if (!root || !json_object_is_type(root, json_type_object)) goto out;
    json_object_object_foreach(root, test_name, test) {
        json_object *tx, *to, *datas, *pre, *acct, *c;
        if (!json_object_object_get_ex(test, "transaction", &tx) || !json_object_object_get_ex(tx, "to", &to) ||
            !json_object_object_get_ex(tx, "data", &datas) || json_object_array_length(datas) < 1 ||
            !json_object_object_get_ex(test, "pre", &pre))
            break;
        const char *want = json_object_get_string(to);
        json_object_object_foreach(pre, addr, account) {
            if (strcasecmp(addr, want) != 0) continue;
            acct = account;
            if (!json_object_object_get_ex(acct, "code", &c)) break;
            const char *hex = json_object_get_string(c), *d = json_object_get_string(json_object_array_get_idx(datas, 0));
            ok = cd_hex_decode_buf(hex, strlen(hex), code) == CD_OK && cd_hex_decode_buf(d, strlen(d), data) == CD_OK;
            snprintf(name, cap, "%.40s", test_name);
            break;
        }
        break;
    }
out:
    json_object_put(root);
    return ok;
}

/* ---- side by side with evmone (baseline interpreter) over evm-benchmarks ----
 *
 * $CANDOR_BENCH_EVM_DIR names an evm-benchmarks `benchmarks` folder (state-test JSON, one
 * contract and several inputs per file, in main/ and micro/); $CANDOR_BENCH_EVMONE names a
 * libevmone.so, loaded with dlopen. Neither is part of the project: without both the
 * comparison prints "skipped". Each case is the test's target code run with one input:
 * Candor through evm_call (its real entry: vm setup, account reads, execution), evmone
 * through the EVMC execute function (analysis and execution) over a small host of ours.
 * The two sides alternate, batch by batch, and each reports the median of its batches, so
 * a neighbour's load falls on both. Outputs must agree, or the line says so. */

/* The few EVMC ABI (version 12) types this needs, declared from the EVMC specification. */
typedef struct { uint8_t bytes[32]; } ev_bytes32;
typedef struct { uint8_t bytes[20]; } ev_address;
typedef struct {
    int kind;
    uint32_t flags;
    int32_t depth;
    int64_t gas;
    ev_address recipient, sender;
    const uint8_t *input_data;
    size_t input_size;
    ev_bytes32 value, create2_salt;
    ev_address code_address;
    const uint8_t *code;
    size_t code_size;
} ev_message;
typedef struct ev_result ev_result;
struct ev_result {
    int status_code;
    int64_t gas_left, gas_refund;
    const uint8_t *output_data;
    size_t output_size;
    void (*release)(const ev_result *);
    ev_address create_address;
    uint8_t padding[4];
};
typedef struct {
    ev_bytes32 tx_gas_price;
    ev_address tx_origin, block_coinbase;
    int64_t block_number, block_timestamp, block_gas_limit;
    ev_bytes32 block_prev_randao, chain_id, block_base_fee, blob_base_fee;
    const ev_bytes32 *blob_hashes;
    size_t blob_hashes_count;
    const void *initcodes;
    size_t initcodes_count;
} ev_tx_context;
typedef struct ev_host_ctx ev_host_ctx;
typedef struct {
    bool (*account_exists)(ev_host_ctx *, const ev_address *);
    ev_bytes32 (*get_storage)(ev_host_ctx *, const ev_address *, const ev_bytes32 *);
    int (*set_storage)(ev_host_ctx *, const ev_address *, const ev_bytes32 *, const ev_bytes32 *);
    ev_bytes32 (*get_balance)(ev_host_ctx *, const ev_address *);
    size_t (*get_code_size)(ev_host_ctx *, const ev_address *);
    ev_bytes32 (*get_code_hash)(ev_host_ctx *, const ev_address *);
    size_t (*copy_code)(ev_host_ctx *, const ev_address *, size_t, uint8_t *, size_t);
    bool (*selfdestruct)(ev_host_ctx *, const ev_address *, const ev_address *);
    ev_result (*call)(ev_host_ctx *, const ev_message *);
    ev_tx_context (*get_tx_context)(ev_host_ctx *);
    ev_bytes32 (*get_block_hash)(ev_host_ctx *, int64_t);
    void (*emit_log)(ev_host_ctx *, const ev_address *, const uint8_t *, size_t, const ev_bytes32 *, size_t);
    int (*access_account)(ev_host_ctx *, const ev_address *);
    int (*access_storage)(ev_host_ctx *, const ev_address *, const ev_bytes32 *);
    ev_bytes32 (*get_transient_storage)(ev_host_ctx *, const ev_address *, const ev_bytes32 *);
    void (*set_transient_storage)(ev_host_ctx *, const ev_address *, const ev_bytes32 *, const ev_bytes32 *);
} ev_host_interface;
typedef struct ev_vm ev_vm;
struct ev_vm {
    const int abi_version;
    const char *name, *version;
    void (*destroy)(ev_vm *);
    ev_result (*execute)(ev_vm *, const ev_host_interface *, ev_host_ctx *, int rev, const ev_message *,
                         const uint8_t *, size_t);
};
#define EV_ABI_VERSION 12
#define EV_REV_CANCUN 12

/* The host: one account's storage in an open-addressing table whose entries carry the
 * run they were written in, so starting every run from empty storage (as Candor's
 * evm_call starts from the same state every time) costs one increment. Everything else is
 * empty. */
#define EV_SLOTS 8192           /* power of two; snailtracer writes a few hundred slots */
typedef struct {
    ev_bytes32 key, val;
    uint32_t gen;
} ev_slot;
struct ev_host_ctx {
    ev_slot slot[EV_SLOTS];
    uint32_t gen;               /* entries of other generations are empty */
    int used;
    bool full;                  /* a write was dropped: the run does not count */
};
static ev_slot *ev_find(ev_host_ctx *h, const ev_bytes32 *k, bool insert) {
    uint64_t x;
    memcpy(&x, k->bytes + 24, 8);
    x *= 0x9e3779b97f4a7c15ull;
    for (size_t i = (size_t)(x >> 51) & (EV_SLOTS - 1), n = 0; n < EV_SLOTS; i = (i + 1) & (EV_SLOTS - 1), n++) {
        ev_slot *s = &h->slot[i];
        if (s->gen != h->gen) {
            if (!insert || h->used >= EV_SLOTS / 2) return NULL;
            s->gen = h->gen, s->key = *k, memset(&s->val, 0, 32), h->used++;
            return s;
        }
        if (!memcmp(s->key.bytes, k->bytes, 32)) return s;
    }
    return NULL;
}
static bool ev_exists(ev_host_ctx *h, const ev_address *a) { (void)h, (void)a; return false; }
static ev_bytes32 ev_get_storage(ev_host_ctx *h, const ev_address *a, const ev_bytes32 *k) {
    (void)a;
    ev_slot *s = ev_find(h, k, false);
    ev_bytes32 z = {{0}};
    return s ? s->val : z;
}
static int ev_set_storage(ev_host_ctx *h, const ev_address *a, const ev_bytes32 *k, const ev_bytes32 *v) {
    (void)a;
    ev_slot *s = ev_find(h, k, true);
    if (s) s->val = *v;
    else h->full = true;
    return 0; /* EVMC_STORAGE_ASSIGNED */
}
static ev_bytes32 ev_zero32(ev_host_ctx *h, const ev_address *a) { (void)h, (void)a; ev_bytes32 z = {{0}}; return z; }
static size_t ev_code_size(ev_host_ctx *h, const ev_address *a) { (void)h, (void)a; return 0; }
static size_t ev_copy_code(ev_host_ctx *h, const ev_address *a, size_t o, uint8_t *b, size_t n) {
    (void)h, (void)a, (void)o, (void)b, (void)n;
    return 0;
}
static bool ev_selfdestruct(ev_host_ctx *h, const ev_address *a, const ev_address *b) { (void)h, (void)a, (void)b; return false; }
static void ev_release(const ev_result *r) { free((void *)r->output_data); }
/* Calls reach only precompiles in these contracts (solc copies memory through identity,
 * 0x04); identity is answered, anything else fails. */
static ev_result ev_call(ev_host_ctx *h, const ev_message *m) {
    (void)h;
    ev_result r;
    memset(&r, 0, sizeof r);
    static const uint8_t identity[20] = {[19] = 4};
    int64_t cost = 15 + 3 * (int64_t)((m->input_size + 31) / 32);
    if (memcmp(m->code_address.bytes, identity, 20) != 0 || m->gas < cost) {
        r.status_code = 1; /* EVMC_FAILURE */
        return r;
    }
    uint8_t *o = m->input_size ? malloc(m->input_size) : NULL;
    if (m->input_size && !o) {
        r.status_code = -3; /* EVMC_OUT_OF_MEMORY */
        return r;
    }
    if (o) memcpy(o, m->input_data, m->input_size);
    r.output_data = o;
    r.output_size = m->input_size;
    r.release = ev_release;
    r.gas_left = m->gas - cost;
    return r;
}
static ev_tx_context ev_tx(ev_host_ctx *h) {
    (void)h;
    ev_tx_context t;
    memset(&t, 0, sizeof t);
    t.block_number = 1;
    t.block_gas_limit = 2000000000;
    t.chain_id.bytes[31] = 1;
    return t;
}
static ev_bytes32 ev_block_hash(ev_host_ctx *h, int64_t n) { (void)h, (void)n; ev_bytes32 z = {{0}}; return z; }
static void ev_log(ev_host_ctx *h, const ev_address *a, const uint8_t *d, size_t n, const ev_bytes32 *t, size_t nt) {
    (void)h, (void)a, (void)d, (void)n, (void)t, (void)nt;
}
static int ev_access_account(ev_host_ctx *h, const ev_address *a) { (void)h, (void)a; return 1; }
static int ev_access_storage(ev_host_ctx *h, const ev_address *a, const ev_bytes32 *k) { (void)h, (void)a, (void)k; return 1; }
static ev_bytes32 ev_get_tstore(ev_host_ctx *h, const ev_address *a, const ev_bytes32 *k) { (void)h, (void)a, (void)k; ev_bytes32 z = {{0}}; return z; }
static void ev_set_tstore(ev_host_ctx *h, const ev_address *a, const ev_bytes32 *k, const ev_bytes32 *v) { (void)h, (void)a, (void)k, (void)v; }

static const ev_host_interface ev_host = {
    ev_exists, ev_get_storage, ev_set_storage, ev_zero32, ev_code_size, ev_zero32, ev_copy_code, ev_selfdestruct,
    ev_call, ev_tx, ev_block_hash, ev_log, ev_access_account, ev_access_storage, ev_get_tstore, ev_set_tstore,
};

#define CMP_RUNS 9
#define CMP_BATCH_SECONDS 0.01   /* each timed batch lasts about this long */
#define CMP_MAX_CODE (1u << 20)
#define CMP_MAX_FILE (64u << 20)

typedef struct {
    ev_vm *vm;
    ev_host_ctx *host;        /* heap: the slot table is too big for a stack frame of main */
    double ratio_max;
    int cases, bad;
} cmp_ctx;

/* One Candor eth_call of the case; false on a run that did not succeed. */
static bool cmp_candor_once(const evm_host *h, const evm_message *m, cd_buf *out) {
    evm_result res;
    cd_status st = evm_call(h, EVM_CANCUN, m, &res, NULL);
    bool ok = st == CD_OK && res.outcome == EVM_SUCCESS;
    if (out) {
        out->len = 0;
        if (ok && cd_buf_append(out, res.output.data, res.output.len) != CD_OK) ok = false;
    }
    evm_result_free(&res);
    return ok;
}

static bool cmp_evmone_once(cmp_ctx *c, const ev_message *m, cd_buf *out) {
    c->host->gen++;
    c->host->used = 0;
    c->host->full = false;
    ev_result r = c->vm->execute(c->vm, &ev_host, c->host, EV_REV_CANCUN, m, m->code, m->code_size);
    bool ok = r.status_code == 0 && !c->host->full;
    if (out) {
        out->len = 0;
        if (ok && r.output_size && cd_buf_append(out, r.output_data, r.output_size) != CD_OK) ok = false;
    }
    if (r.release) r.release(&r);
    return ok;
}

static void cmp_case(cmp_ctx *c, const char *name, cd_bytes code, cd_bytes input) {
    cd_buf out_a = {0}, out_b = {0};
    evm_memstate *ms = bench_world(code);
    if (!ms) return;
    evm_host h;
    evm_memstate_host(ms, &h);
    evm_message m;
    memset(&m, 0, sizeof m);
    m.from = BENCH_SENDER;
    m.to = BENCH_CODE;
    m.data = input;
    m.gas_cap = 2000000000ull;

    ev_message em;
    memset(&em, 0, sizeof em);
    em.kind = 0; /* EVMC_CALL */
    em.gas = 2000000000;
    memcpy(em.recipient.bytes, BENCH_CODE.b, 20);
    memcpy(em.sender.bytes, BENCH_SENDER.b, 20);
    memcpy(em.code_address.bytes, BENCH_CODE.b, 20);
    em.input_data = input.ptr;
    em.input_size = input.len;
    em.code = code.ptr;
    em.code_size = code.len;

    bool ok_a = cmp_candor_once(&h, &m, &out_a), ok_b = cmp_evmone_once(c, &em, &out_b);
    const char *note = "";
    if (!ok_a || !ok_b) note = ok_a ? "  [evmone failed]" : "  [Candor failed]";
    else if (out_a.len != out_b.len || (out_a.len && memcmp(out_a.data, out_b.data, out_a.len)))
        note = "  [OUTPUT MISMATCH]";
    if (*note) {
        printf("evm-vs-evmone %-34s %s\n", name, note + 2);
        c->bad = 1;
        goto out;
    }
    /* Batch size: enough repetitions of the slower side for CMP_BATCH_SECONDS. */
    int reps = 1;
    for (;;) {
        double t0 = bench_thread_cpu_seconds();
        for (int i = 0; i < reps; i++) (void)cmp_candor_once(&h, &m, NULL);
        double t1 = bench_thread_cpu_seconds();
        if (t1 - t0 >= CMP_BATCH_SECONDS || reps >= (1 << 20)) break;
        reps *= 2;
    }
    double sa[CMP_RUNS], sb[CMP_RUNS];
    for (int r = 0; r < CMP_RUNS; r++) {
        double t0 = bench_thread_cpu_seconds();
        for (int i = 0; i < reps; i++) (void)cmp_candor_once(&h, &m, NULL);
        double t1 = bench_thread_cpu_seconds();
        for (int i = 0; i < reps; i++) (void)cmp_evmone_once(c, &em, NULL);
        double t2 = bench_thread_cpu_seconds();
        sa[r] = (t1 - t0) / reps;
        sb[r] = (t2 - t1) / reps;
    }
    double a = bench_median(sa, CMP_RUNS), bb = bench_median(sb, CMP_RUNS);
    double ratio = bb > 0 ? a / bb : 0;
    printf("evm-vs-evmone %-34s %10.2f us Candor  %10.2f us evmone  ratio %.2fx\n", name, a * 1e6, bb * 1e6, ratio);
    if (ratio > c->ratio_max) c->ratio_max = ratio;
    c->cases++;
out:
    cd_buf_free(&out_a);
    cd_buf_free(&out_b);
    evm_memstate_free(ms);
}

/* Every case of one state-test file: the target's code with each of the inputs, named
 * test/label as evm-benchmarks labels them (the input index when a label is missing). */
static void cmp_file(cmp_ctx *c, const char *path, const char *only) {
    json_object *root = json_object_from_file(path);
    if (!root || !json_object_is_type(root, json_type_object)) {
        printf("evm-vs-evmone cannot read %s\n", path);
        c->bad = 1;
        json_object_put(root);
        return;
    }
    json_object_object_foreach(root, test_name, test) {
        json_object *tx, *to, *datas, *pre, *acct, *cj, *info, *labels = NULL;
        if (!json_object_object_get_ex(test, "transaction", &tx) || !json_object_object_get_ex(tx, "to", &to) ||
            !json_object_object_get_ex(tx, "data", &datas) || !json_object_is_type(datas, json_type_array) ||
            !json_object_object_get_ex(test, "pre", &pre))
            continue;
        if (json_object_object_get_ex(test, "_info", &info)) json_object_object_get_ex(info, "labels", &labels);
        const char *want = json_object_get_string(to), *hex = NULL;
        json_object_object_foreach(pre, addr, account) {
            acct = account;
            if (!strcasecmp(addr, want) && json_object_object_get_ex(acct, "code", &cj)) hex = json_object_get_string(cj);
        }
        cd_buf code = {0};
        if (!hex || strlen(hex) > 2 * CMP_MAX_CODE + 2 || cd_hex_decode_buf(hex, strlen(hex), &code) != CD_OK) {
            printf("evm-vs-evmone %s: no code for the target\n", test_name);
            c->bad = 1;
            cd_buf_free(&code);
            continue;
        }
        size_t n = json_object_array_length(datas);
        for (size_t i = 0; i < n && i < 64; i++) {
            char idx[24], name[160];
            snprintf(idx, sizeof idx, "%zu", i);
            json_object *lj = NULL;
            const char *label = labels && json_object_object_get_ex(labels, idx, &lj) ? json_object_get_string(lj) : idx;
            snprintf(name, sizeof name, "%.80s/%.60s", test_name, label);
            if (only && strncmp(name, only, strlen(only))) continue;
            const char *d = json_object_get_string(json_object_array_get_idx(datas, i));
            cd_buf in = {0};
            if (!d || cd_hex_decode_buf(d, strlen(d), &in) != CD_OK) {
                printf("evm-vs-evmone %s: bad input\n", name);
                c->bad = 1;
            } else {
                cmp_case(c, name, cd_buf_bytes(&code), cd_buf_bytes(&in));
            }
            cd_buf_free(&in);
        }
        cd_buf_free(&code);
    }
    json_object_put(root);
}

/* Walks dir and one level of sub-folders (main/, micro/) for *.json. */
static void cmp_dir(cmp_ctx *c, const char *dir, int depth, const char *only) {
    char **names = NULL;
    size_t n = 0;
    if (cd_list_dir(dir, &names, &n) != CD_OK) {
        printf("evm-vs-evmone cannot list %s\n", dir);
        c->bad = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        size_t l = strlen(names[i]);
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) continue;
        struct stat sb;
        if (stat(path, &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode)) {
            if (depth < 1) cmp_dir(c, path, depth + 1, only);
        } else if (l > 5 && !strcmp(names[i] + l - 5, ".json") && sb.st_size <= (off_t)CMP_MAX_FILE) {
            cmp_file(c, path, only);
        }
    }
    cd_list_free(names, n);
}

/* 0 when skipped or every case ran and agreed. `only` filters by case-name prefix. */
static int compare_evmone(const char *only) {
    const char *lib = getenv("CANDOR_BENCH_EVMONE"), *dir = getenv("CANDOR_BENCH_EVM_DIR");
    if (!lib || !*lib || !dir || !*dir) {
        printf("evm-vs-evmone skipped (set CANDOR_BENCH_EVMONE=libevmone.so and CANDOR_BENCH_EVM_DIR=evm-benchmarks/benchmarks)\n");
        return 0;
    }
    void *so = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!so) {
        printf("evm-vs-evmone cannot load %s: %s\n", lib, dlerror());
        return 1;
    }
    ev_vm *(*create)(void);
    void *sym = dlsym(so, "evmc_create_evmone");
    memcpy(&create, &sym, sizeof create); /* object pointer to function pointer, as dlsym needs */
    ev_vm *vm = create ? create() : NULL;
    if (!vm || vm->abi_version != EV_ABI_VERSION) {
        printf("evm-vs-evmone %s: no EVMC ABI %d VM\n", lib, EV_ABI_VERSION);
        if (vm) vm->destroy(vm);
        dlclose(so);
        return 1;
    }
    cmp_ctx c;
    memset(&c, 0, sizeof c);
    c.vm = vm;
    c.host = calloc(1, sizeof *c.host);
    if (!c.host) {
        vm->destroy(vm);
        dlclose(so);
        return 1;
    }
    printf("evm-vs-evmone: %s %s, Cancun rules both sides, thread CPU time, medians of %d interleaved batches\n",
           vm->name, vm->version, CMP_RUNS);
    cmp_dir(&c, dir, 0, only);
    printf("evm-vs-evmone %d cases, worst ratio %.2fx\n", c.cases, c.ratio_max);
    free(c.host);
    vm->destroy(vm);
    dlclose(so);
    return c.bad;
}

int main(int argc, char **argv) {
    /* `bench_evm NAME` runs only the workloads whose name starts with NAME (for perf). */
    const char *only = argc > 1 ? argv[1] : NULL;
#define WANT(n) (!only || !strncmp(n, only, strlen(only)))
    static asm_t a;
    int bad = 0;
    printf("bench_evm: medians of %d runs; gas = eth_call gas used (incl. 21000 intrinsic)\n", RUNS);

    const uint64_t N = 200000;
    run_stats rs;
    double ref = bench_c_arith(N);
    if (WANT("arith")) {
        memset(&a, 0, sizeof a);
        build_arith(&a, N);
        rs = bench_code(a.code, a.len, cd_bytes_make(NULL, 0), 1, NULL);
        line("arith-loop (200k)", &rs, ref, "C u256 loop");
        bad |= !rs.ok;
    }

    if (WANT("keccak")) {
        memset(&a, 0, sizeof a);
        build_keccak(&a, 50000);
        rs = bench_code(a.code, a.len, cd_bytes_make(NULL, 0), 1, NULL);
        line("keccak-loop (50k x64B)", &rs, bench_c_keccak(50000), "C keccak256");
        bad |= !rs.ok;
    }
    if (WANT("mcopy")) {
        memset(&a, 0, sizeof a);
        build_mcopy(&a, 20000);
        rs = bench_code(a.code, a.len, cd_bytes_make(NULL, 0), 1, NULL);
        line("mcopy-loop (40k x4KiB)", &rs, bench_c_memmove(20000), "C memmove");
        bad |= !rs.ok;
    }

    run_stats empty = bench_code(NULL, 0, cd_bytes_make(NULL, 0), 2000, NULL);
    printf("evm %-22s %10.2f us/call  (reference: fixed cost of one eth_call)\n", "empty-call", empty.ns / 1e3);

    if (WANT("erc20")) {
    memset(&a, 0, sizeof a);
    build_erc20(&a);
    uint8_t cd[68] = {0xa9, 0x05, 0x9c, 0xbb};
    cd[4 + 12] = 0x77;
    cd[4 + 31] = 0x01;
    cd[4 + 32 + 31] = 100;
    uint8_t kin[64] = {0};
    memcpy(kin + 12, BENCH_SENDER.b, 20);
    uint8_t key[32];
    keccak256(kin, 64, key);
    cd_u256 slot = u256_from_be(key, 32);
    rs = bench_code(a.code, a.len, cd_bytes_make(cd, sizeof cd), 2000, &slot);
    line("erc20-transfer", &rs, empty.ns, "empty call");
    bad |= !rs.ok;
    }

    if (WANT("mandel")) {
    memset(&a, 0, sizeof a);
    build_mandel(&a);
    rs = bench_code(a.code, a.len, cd_bytes_make(NULL, 0), 1, NULL);
    line("mandelbrot 40x30x64", &rs, empty.ns, "empty call");
    bad |= !rs.ok;
    }
    if (WANT("external")) {
        const char *path = getenv("CANDOR_BENCH_EVM_STATETEST");
        cd_buf code = {0}, data = {0};
        char name[48] = "";
        if (!path || !*path) {
            printf("evm %-22s skipped (set CANDOR_BENCH_EVM_STATETEST=FILE.json, e.g. snailtracer.json)\n", "external");
        } else if (!load_statetest_workload(path, &code, &data, name, sizeof name)) {
            printf("evm %-22s cannot load %s\n", "external", path);
            bad = 1;
        } else {
            rs = bench_code(code.data, code.len, cd_buf_bytes(&data), 1, NULL);
            line(name, &rs, empty.ns, "empty call");
            bad |= !rs.ok;
        }
        cd_buf_free(&code);
        cd_buf_free(&data);
    }
    if (!only || !strncmp(only, "vs:", 3)) bad |= compare_evmone(only ? only + 3 : NULL);
    return bad;
}
