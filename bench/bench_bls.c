/* BLS benchmarks: the light client's per-update cost.
 *
 *   fast_aggregate_verify of 512 signers, pubkeys already decompressed (steady state, the
 *   committee cached per period) and from 512 compressed keys (first update of a period).
 *
 * References measured in the same run: one Fp Montgomery multiplication and one full
 * pairing e(P, Q) (Miller loop + final exponentiation). Every figure is a median. Times are
 * thread CPU time, not wall clock: the build machine is shared by many jobs, and CPU time is
 * what this code costs (on an idle machine the two agree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bls12_381.h"
#include "crypto/bls_internal.h"
#include "tests/support/bench.h"

#define SIGNERS 512

/* thread CPU time, ns */
static void scalar_from_u64(uint8_t sk[32], uint64_t v) {
    memset(sk, 0, 32);
    for (int i = 0; i < 8; i++) sk[31 - i] = (uint8_t)(v >> (8 * i));
}

int main(void) {
    static uint8_t pks[SIGNERS][48];
    static bls_pubkey keys[SIGNERS];
    const bls_pubkey *ptrs[SIGNERS];
    uint8_t sk[32], sig[96], msg[32];
    memset(msg, 0x5a, sizeof msg);

    /* Keys with 64-bit secrets: their sum stays far below r, so the aggregate signature is
     * one signature under the summed secret. The public keys are ordinary curve points. */
    uint64_t sum = 0, x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < SIGNERS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t s = x >> 10; /* < 2^54: no overflow of the sum */
        sum += s;
        scalar_from_u64(sk, s);
        if (bls_sk_to_pk(sk, pks[i]) != CD_OK || bls_pubkey_decompress(&keys[i], pks[i]) != CD_OK) {
            fprintf(stderr, "bench_bls: key setup failed\n");
            return 1;
        }
        ptrs[i] = &keys[i];
    }
    scalar_from_u64(sk, sum);
    if (bls_sign(sk, msg, sizeof msg, sig) != CD_OK ||
        bls_fast_aggregate_verify(ptrs, SIGNERS, msg, sizeof msg, sig) != CD_OK) {
        fprintf(stderr, "bench_bls: aggregate signature does not verify\n");
        return 1;
    }

    /* reference 1: Fp multiplication */
    enum { FP_ITERS = 2000000, RUNS = 15 };
    double samples[RUNS];
    bls_fp a, b;
    bls_fp_from_u64(&a, 12345);
    bls_fp_from_u64(&b, 67890);
    for (int r = 0; r < RUNS; r++) {
        double t0 = (bench_thread_cpu_seconds() * 1e9);
        for (int i = 0; i < FP_ITERS; i++) bls_fp_mul(&a, &a, &b);
        samples[r] = ((bench_thread_cpu_seconds() * 1e9) - t0) / FP_ITERS;
    }
    double fp_mul_ns = bench_median(samples, RUNS);
    volatile uint64_t sink = a.l[0];
    (void)sink;

    /* reference 2: one pairing */
    bls_g1_affine g1;
    bls_g2_affine g2;
    bls_g1_generator(&g1);
    bls_g2_generator(&g2);
    for (int r = 0; r < RUNS; r++) {
        bls_fp12 e;
        double t0 = (bench_thread_cpu_seconds() * 1e9);
        bls_pairing(&e, &g1, &g2);
        samples[r] = ((bench_thread_cpu_seconds() * 1e9) - t0) / 1e6;
    }
    double pairing_ms = bench_median(samples, RUNS);

    for (int r = 0; r < RUNS; r++) {
        double t0 = (bench_thread_cpu_seconds() * 1e9);
        cd_status s = bls_fast_aggregate_verify(ptrs, SIGNERS, msg, sizeof msg, sig);
        samples[r] = ((bench_thread_cpu_seconds() * 1e9) - t0) / 1e6;
        if (s != CD_OK) return 1;
    }
    double fav_ms = bench_median(samples, RUNS);

    enum { CRUNS = 7 };
    for (int r = 0; r < CRUNS; r++) {
        double t0 = (bench_thread_cpu_seconds() * 1e9);
        cd_status s = bls_fast_aggregate_verify_compressed((const uint8_t(*)[48])pks, SIGNERS, msg,
                                                           sizeof msg, sig);
        samples[r] = ((bench_thread_cpu_seconds() * 1e9) - t0) / 1e6;
        if (s != CD_OK) return 1;
    }
    double favc_ms = bench_median(samples, CRUNS);

    for (int r = 0; r < RUNS; r++) {
        bls_pubkey k;
        double t0 = (bench_thread_cpu_seconds() * 1e9);
        cd_status s = bls_pubkey_decompress(&k, pks[r]);
        samples[r] = ((bench_thread_cpu_seconds() * 1e9) - t0) / 1e3;
        if (s != CD_OK) return 1;
    }
    double dec_us = bench_median(samples, RUNS);

    printf("# bench_bls: medians of %d runs (%d for the compressed case), thread CPU time\n", RUNS, CRUNS);
    printf("bls_fp_mul                          %10.1f ns   (reference)\n", fp_mul_ns);
    printf("bls_pairing_single                  %10.3f ms   %8.0f x fp_mul (reference)\n",
           pairing_ms, pairing_ms * 1e6 / fp_mul_ns);
    printf("bls_fast_aggregate_verify_512       %10.3f ms   %8.2f x pairing  (target <= 2 ms)\n",
           fav_ms, fav_ms / pairing_ms);
    printf("bls_fast_aggregate_verify_512_compr %10.3f ms   %8.2f x pairing  (target <= 35 ms)\n",
           favc_ms, favc_ms / pairing_ms);
    printf("bls_pubkey_decompress               %10.1f us   %8.3f x pairing\n", dec_us,
           dec_us / 1e3 / pairing_ms);
    return 0;
}
