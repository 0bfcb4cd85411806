/* EVM interpreter benchmarks. Each workload is hand-assembled bytecode run through
 * evm_call over an in-memory state (the whole eth_call path: vm setup, host reads,
 * execution). Figures are medians of several runs.
 *
 * References measured in the same run:
 *   arith   : the same 256-bit operations in a plain C loop (evm/u256.h) -> interpreter overhead
 *   keccak  : keccak256() of the same 64-byte chain in C
 *   mcopy   : memmove() of the same sizes in C
 *   erc20 / mandelbrot : an empty eth_call (no code) -> fixed per-call overhead, and ns/instr
 *                        against the arith loop's C ns/op. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/keccak.h"
#include "evm/evm.h"
#include "evm/u256.h"

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

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_d(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return v[n / 2];
}

static const cd_address BENCH_SENDER = {{0x10, [19] = 0x01}};
static const cd_address BENCH_CODE = {{0xc0, [19] = 0x02}};

typedef struct {
    double ns;          /* median per call */
    uint64_t gas;
    uint64_t instr;
    bool ok;
} run_stats;

static run_stats bench_code(const uint8_t *code, size_t len, cd_bytes data, int reps, const cd_u256 *slot_key) {
    run_stats rs = {0, 0, 0, false};
    evm_memstate *ms;
    if (evm_memstate_new(&ms) != CD_OK) return rs;
    cd_u256 bal = u256_from_u64(1ull << 60);
    evm_block b;
    memset(&b, 0, sizeof b);
    b.gas_limit = 2000000000ull;
    b.chain_id = 1;
    b.number = 1;
    evm_memstate_set_block(ms, &b);
    if (evm_memstate_set_account(ms, &BENCH_SENDER, 0, &bal, cd_bytes_make(NULL, 0)) != CD_OK ||
        evm_memstate_set_account(ms, &BENCH_CODE, 1, &bal, cd_bytes_make(code, len)) != CD_OK)
        goto out;
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
        double t0 = now_ns();
        for (int i = 0; i < reps; i++) {
            evm_result res;
            cd_status st = evm_call(&h, EVM_OSAKA, &m, &res, NULL);
            if (st != CD_OK || res.outcome != EVM_SUCCESS) rs.ok = false;
            rs.gas = res.gas_used;
            rs.instr = res.instructions;
            evm_result_free(&res);
        }
        samples[r] = (now_ns() - t0) / reps;
    }
    rs.ns = median(samples, RUNS);
out:
    evm_memstate_free(ms);
    return rs;
}

static double bench_c_arith(uint64_t n) {
    double samples[RUNS];
    volatile uint64_t sink = 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        cd_u256 x = u256_from_u64(1), k = u256_from_u64(ARITH_K), c = u256_from_u64(ARITH_C);
        for (uint64_t i = 0; i < n; i++) {
            x = u256_mul(&x, &k);
            x = u256_add(&x, &c);
            cd_u256 s = u256_shr(&x, 7);
            for (int j = 0; j < 4; j++) x.w[j] ^= s.w[j];
        }
        sink += x.w[0];
        samples[r] = now_ns() - t0;
    }
    (void)sink;
    return median(samples, RUNS);
}

static double bench_c_keccak(uint64_t n) {
    double samples[RUNS];
    for (int r = 0; r < RUNS; r++) {
        uint8_t buf[64] = {0};
        double t0 = now_ns();
        for (uint64_t i = 0; i < n; i++) keccak256(buf, 64, buf);
        samples[r] = now_ns() - t0;
        if (buf[0] == 0x42 && buf[1] == 0x42) fprintf(stderr, " ");
    }
    return median(samples, RUNS);
}

static double bench_c_memmove(uint64_t n) {
    double samples[RUNS];
    uint8_t *mem = calloc(1, 8192);
    if (!mem) return 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        for (uint64_t i = 0; i < n; i++) {
            memmove(mem + 4096, mem, 4096);
            memmove(mem, mem + 4096, 4096);
            __asm__ volatile("" ::"r"(mem) : "memory");
        }
        samples[r] = now_ns() - t0;
    }
    free(mem);
    return median(samples, RUNS);
}

static void line(const char *name, const run_stats *rs, double ref_ns, const char *ref_name) {
    double mgas = rs->gas / (rs->ns / 1e9) / 1e6;
    printf("evm %-22s %10.1f us/call  %8.1f Mgas/s  %6.2f ns/instr  ratio %.2fx vs %s%s\n", name, rs->ns / 1e3,
           mgas, rs->instr ? rs->ns / (double)rs->instr : 0, ref_ns > 0 ? rs->ns / ref_ns : 0, ref_name,
           rs->ok ? "" : "  [FAILED RUN]");
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
    double c_ns_per_op = ref / (N * 4.0);
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
    printf("evm %-22s %10.2f ns/instr interpreter vs %.2f ns/op plain C u256 (arith loop)\n", "mandelbrot",
           rs.instr ? rs.ns / (double)rs.instr : 0, c_ns_per_op);
    bad |= !rs.ok;
    }
    return bad;
}
