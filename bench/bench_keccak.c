/* Keccak-256 throughput on 64-byte and 4 KiB inputs, against OpenSSL's SHA3-256 (the same
 * Keccak-f[1600] permutation and rate, different padding) on the same bytes in the same
 * run. Ours and OpenSSL's are timed alternately, run after run, so that both see the same
 * machine load; the figures are the medians of the runs' rates and of the per-run ratios.
 * Ratio > 1 means ours is faster.
 *
 * The OpenSSL digest is fetched once (EVP_MD_fetch) and reused: EVP_sha3_256() returns a
 * legacy handle that OpenSSL 3 resolves to a provider implementation again on every
 * EVP_DigestInit_ex, a lookup that costs more than hashing 64 bytes and would flatter ours. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "tests/support/bench.h"

#define RUNS 21

static double time_ours(uint8_t *buf, size_t len, long iters) {
    uint8_t out[32];
    double t0 = bench_thread_cpu_seconds();
    for (long i = 0; i < iters; i++) {
        keccak256(buf, len, out);
        buf[0] ^= out[0]; /* chain so the work cannot be hoisted */
    }
    return bench_thread_cpu_seconds() - t0;
}

static double time_openssl(EVP_MD_CTX *ctx, const EVP_MD *md, uint8_t *buf, size_t len, long iters) {
    uint8_t out[32];
    unsigned outl;
    double t0 = bench_thread_cpu_seconds();
    for (long i = 0; i < iters; i++) {
        EVP_DigestInit_ex(ctx, md, NULL);
        EVP_DigestUpdate(ctx, buf, len);
        EVP_DigestFinal_ex(ctx, out, &outl);
        buf[0] ^= out[0];
    }
    return bench_thread_cpu_seconds() - t0;
}

int main(void) {
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA3-256", NULL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!md || !ctx) {
        fprintf(stderr, "bench_keccak: OpenSSL SHA3-256 unavailable\n");
        EVP_MD_free(md);
        EVP_MD_CTX_free(ctx);
        return 1;
    }
    static uint8_t buf[4096];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 7 + 1);
    const struct {
        const char *name;
        size_t len;
        long iters;
    } cases[] = {{"keccak256_64B", 64, 50000}, {"keccak256_4KiB", 4096, 1500}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double ours[RUNS], ref[RUNS], ratio[RUNS];
        size_t len = cases[c].len;
        long it = cases[c].iters;
        time_ours(buf, len, it / 10); /* warm-up */
        time_openssl(ctx, md, buf, len, it / 10);
        for (int k = 0; k < RUNS; k++) {
            double a = time_ours(buf, len, it), b = time_openssl(ctx, md, buf, len, it);
            ours[k] = (double)len * (double)it / a / 1e6;
            ref[k] = (double)len * (double)it / b / 1e6;
            ratio[k] = b / a;
        }
        printf("%-16s %8.1f MB/s  ratio %.2fx  (reference: OpenSSL SHA3-256, digest fetched once, %.1f MB/s, same bytes, median of %d; %s build)\n",
               cases[c].name, bench_median(ours, RUNS), bench_median(ratio, RUNS), bench_median(ref, RUNS), RUNS,
               keccak_uses_bmi2() ? "BMI2" : "portable");
    }
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    return 0;
}
