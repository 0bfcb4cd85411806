/* Precompile benchmarks: median wall time per call, and the cost per gas relative to
 * ecrecover measured in the same run (EIP pricing takes ecrecover, 3000 gas, as its
 * baseline: a ratio above 1 means we are slower per gas than on ecrecover). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "evm/precompiles.h"
#include "tests/support/bench.h"

#define RUNS 7

typedef struct {
    const char *name;
    uint16_t addr;
    evm_fork fork;
    uint8_t *input;
    size_t len;
    int iters;
} bench_case;

/* Median ns per call over RUNS runs of c->iters calls; *gas receives the gas of one call. */
static int measure(const bench_case *c, double *median_ns, uint64_t *gas) {
    cd_address a;
    memset(&a, 0, sizeof a);
    a.b[18] = (uint8_t)(c->addr >> 8);
    a.b[19] = (uint8_t)c->addr;
    cd_buf out = {0};
    double samples[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = (bench_wall_seconds() * 1e9);
        for (int i = 0; i < c->iters; i++) {
            out.len = 0;
            if (evm_precompile_run(c->fork, &a, cd_bytes_make(c->input, c->len), UINT64_MAX / 2, gas,
                                   &out) != CD_OK) {
                fprintf(stderr, "%s: precompile failed\n", c->name);
                cd_buf_free(&out);
                return -1;
            }
        }
        samples[r] = ((bench_wall_seconds() * 1e9) - t0) / c->iters;
    }
    cd_buf_free(&out);
    *median_ns = bench_median(samples, RUNS);
    return 0;
}

static void put_hex(uint8_t *dst, const char *hex) {
    for (size_t i = 0; hex[2 * i]; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        dst[i] = (uint8_t)v;
    }
}

int main(void) {
    /* ecrecover: a real signature */
    static uint8_t ecrec[128];
    put_hex(ecrec, "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c"
                   "000000000000000000000000000000000000000000000000000000000000001c"
                   "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
                   "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549");
    /* bn254 pairing: e(G1, G2) * e(-G1, G2), 2 pairs */
    static uint8_t pairing[384];
    const char *g1 = "0000000000000000000000000000000000000000000000000000000000000001"
                     "0000000000000000000000000000000000000000000000000000000000000002";
    const char *ng1 = "0000000000000000000000000000000000000000000000000000000000000001"
                      "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45";
    const char *g2 = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
                     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
                     "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
                     "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
    put_hex(pairing, g1);
    put_hex(pairing + 64, g2);
    put_hex(pairing + 192, ng1);
    put_hex(pairing + 256, g2);
    /* bn254 add: G1 + G1 */
    static uint8_t ecadd[128];
    put_hex(ecadd, g1);
    put_hex(ecadd + 64, g1);
    /* bn254 mul: G1 * (2^256 - 1) */
    static uint8_t ecmul[96];
    put_hex(ecmul, g1);
    memset(ecmul + 64, 0xff, 32);
    /* modexp: 2048-bit base, modulus, exponent (RSA-size private-key style, worst case) */
    static uint8_t modexp[96 + 3 * 256];
    modexp[30] = 1; /* 256 */
    modexp[62] = 1;
    modexp[94] = 1;
    for (int i = 0; i < 3 * 256; i++) modexp[96 + i] = (uint8_t)(i * 37 + 11);
    modexp[96 + 3 * 256 - 1] |= 1; /* odd modulus */
    /* blake2f 12 rounds */
    static uint8_t blake[213];
    blake[3] = 12;
    blake[212] = 1;

    bench_case cases[] = {
        {"ecrecover", 0x01, EVM_PRAGUE, ecrec, sizeof ecrec, 2000},
        {"bn254_add", 0x06, EVM_PRAGUE, ecadd, sizeof ecadd, 20000},
        {"bn254_mul", 0x07, EVM_PRAGUE, ecmul, sizeof ecmul, 500},
        {"bn254_pairing_2", 0x08, EVM_PRAGUE, pairing, sizeof pairing, 20},
        {"modexp_2048", 0x05, EVM_PRAGUE, modexp, sizeof modexp, 20},
        {"blake2f_12", 0x09, EVM_PRAGUE, blake, sizeof blake, 100000},
    };
    double base_ns_per_gas = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double ns;
        uint64_t gas = 0;
        if (measure(&cases[i], &ns, &gas) != 0) return 1;
        double per_gas = ns / (double)(gas ? gas : 1);
        if (i == 0) base_ns_per_gas = per_gas;
        printf("precompile_%-16s %10.0f ns/call  gas %7llu  %7.2f ns/gas  ratio %.2fx  "
               "(reference: ecrecover ns/gas, same run, median of %d)\n",
               cases[i].name, ns, (unsigned long long)gas, per_gas, per_gas / base_ns_per_gas, RUNS);
    }
    return 0;
}
