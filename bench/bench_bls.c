/* BLS benchmarks: the light client's per-update cost, and Candor against blst.
 *
 * Candor alone: fast_aggregate_verify of 512 signers from compressed keys (first update of a
 * period) and pubkey decompression.
 *
 * Candor vs blst, measured in the same process, interleaved A/B (each run times Candor and
 * blst back to back, alternating which goes first), medians of RUNS runs:
 *   Fp multiplication, one pairing e(P, Q), Verify (pk and signature from bytes, both
 *   subgroup checks, hash_to_curve, pairing) and FastAggregateVerify of 512 cached
 *   (decompressed, validated) keys with the signature from bytes.
 * blst is loaded at run time with dlopen, never linked: CANDOR_BENCH_BLST names blst's
 * default (ADX assembly) libblst.so, compared with Candor's ADX path; CANDOR_BENCH_BLST_PORTABLE
 * names a libblst.so built without ADX, compared with Candor's portable path. For that one the
 * bench runs itself again with GLIBC_TUNABLES=glibc.cpu.hwcaps=-BMI2,-ADX, which makes
 * Candor's loader-time dispatch pick the portable field code (the child checks that it did).
 * An unset variable prints a "skipped" line.
 *
 * Times are thread CPU time, not wall clock: the build machine is shared by many jobs, and CPU
 * time is what this code costs (on an idle machine the two agree).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/bls12_381.h"
#include "crypto/bls_internal.h"
#include "tests/support/bench.h"

#define SIGNERS 512

/* ---- the few blst entry points we call (layouts from blst.h: plain limb arrays) ---------- */

typedef struct { uint64_t l[6]; } blst_fp;
typedef struct { blst_fp fp[2]; } blst_fp2;
typedef struct { blst_fp2 fp2[3]; } blst_fp6;
typedef struct { blst_fp6 fp6[2]; } blst_fp12;
typedef struct { blst_fp x, y, z; } blst_p1;
typedef struct { blst_fp x, y; } blst_p1_affine;
typedef struct { blst_fp2 x, y; } blst_p2_affine;
typedef int blst_error; /* BLST_SUCCESS = 0 */

typedef struct {
    void *lib;
    void (*fp_mul)(blst_fp *, const blst_fp *, const blst_fp *);
    void (*miller_loop)(blst_fp12 *, const blst_p2_affine *, const blst_p1_affine *);
    void (*final_exp)(blst_fp12 *, const blst_fp12 *);
    const blst_p1_affine *(*p1_affine_generator)(void);
    const blst_p2_affine *(*p2_affine_generator)(void);
    blst_error (*p1_uncompress)(blst_p1_affine *, const uint8_t[48]);
    blst_error (*p2_uncompress)(blst_p2_affine *, const uint8_t[96]);
    blst_error (*core_verify_pk_in_g1)(const blst_p1_affine *, const blst_p2_affine *, bool,
                                       const uint8_t *, size_t, const uint8_t *, size_t,
                                       const uint8_t *, size_t);
    void (*p1_from_affine)(blst_p1 *, const blst_p1_affine *);
    void (*p1_add_or_double_affine)(blst_p1 *, const blst_p1 *, const blst_p1_affine *);
    void (*p1_to_affine)(blst_p1_affine *, const blst_p1 *);
    size_t (*pairing_sizeof)(void);
    void (*pairing_init)(void *, bool, const uint8_t *, size_t);
    blst_error (*pairing_chk_n_aggr_pk_in_g1)(void *, const blst_p1_affine *, bool,
                                              const blst_p2_affine *, bool, const uint8_t *,
                                              size_t, const uint8_t *, size_t);
    void (*pairing_commit)(void *);
    bool (*pairing_finalverify)(const void *, const blst_fp12 *);
} blst_api;

static bool blst_load(blst_api *b, const char *path) {
    memset(b, 0, sizeof *b);
    b->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!b->lib) {
        fprintf(stderr, "bench_bls: dlopen %s: %s\n", path, dlerror());
        return false;
    }
    struct { void **slot; const char *name; } syms[] = {
        {(void **)&b->fp_mul, "blst_fp_mul"},
        {(void **)&b->miller_loop, "blst_miller_loop"},
        {(void **)&b->final_exp, "blst_final_exp"},
        {(void **)&b->p1_affine_generator, "blst_p1_affine_generator"},
        {(void **)&b->p2_affine_generator, "blst_p2_affine_generator"},
        {(void **)&b->p1_uncompress, "blst_p1_uncompress"},
        {(void **)&b->p2_uncompress, "blst_p2_uncompress"},
        {(void **)&b->core_verify_pk_in_g1, "blst_core_verify_pk_in_g1"},
        {(void **)&b->p1_from_affine, "blst_p1_from_affine"},
        {(void **)&b->p1_add_or_double_affine, "blst_p1_add_or_double_affine"},
        {(void **)&b->p1_to_affine, "blst_p1_to_affine"},
        {(void **)&b->pairing_sizeof, "blst_pairing_sizeof"},
        {(void **)&b->pairing_init, "blst_pairing_init"},
        {(void **)&b->pairing_chk_n_aggr_pk_in_g1, "blst_pairing_chk_n_aggr_pk_in_g1"},
        {(void **)&b->pairing_commit, "blst_pairing_commit"},
        {(void **)&b->pairing_finalverify, "blst_pairing_finalverify"},
    };
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        void *f = dlsym(b->lib, syms[i].name);
        if (!f) {
            fprintf(stderr, "bench_bls: %s: no symbol %s\n", path, syms[i].name);
            return false;
        }
        memcpy(syms[i].slot, &f, sizeof f); /* object pointer to function pointer, POSIX-style */
    }
    return true;
}

/* ---- workload shared by both sides ------------------------------------------------------ */

typedef struct {
    uint8_t pks[SIGNERS][48];
    bls_pubkey keys[SIGNERS];
    const bls_pubkey *ptrs[SIGNERS];
    uint8_t agg_sig[96];      /* signature of msg under the sum of all SIGNERS keys */
    uint8_t one_sig[96];      /* signature of msg under pks[0] */
    uint8_t msg[32];
    blst_p1_affine bkeys[SIGNERS]; /* the same keys decompressed by blst */
    uint8_t *bctx;                 /* blst pairing context, blst_pairing_sizeof() bytes */
} workload;

static void scalar_from_u64(uint8_t sk[32], uint64_t v) {
    memset(sk, 0, 32);
    for (int i = 0; i < 8; i++) sk[31 - i] = (uint8_t)(v >> (8 * i));
}

static bool workload_init(workload *w) {
    uint8_t sk[32];
    memset(w->msg, 0x5a, sizeof w->msg);
    /* Keys with 64-bit secrets: their sum stays far below r, so the aggregate signature is
     * one signature under the summed secret. The public keys are ordinary curve points. */
    uint64_t sum = 0, x = 0x9e3779b97f4a7c15ull, first = 0;
    for (int i = 0; i < SIGNERS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t s = x >> 10; /* < 2^54: no overflow of the sum */
        if (i == 0) first = s;
        sum += s;
        scalar_from_u64(sk, s);
        if (bls_sk_to_pk(sk, w->pks[i]) != CD_OK ||
            bls_pubkey_decompress(&w->keys[i], w->pks[i]) != CD_OK)
            return false;
        w->ptrs[i] = &w->keys[i];
    }
    scalar_from_u64(sk, sum);
    if (bls_sign(sk, w->msg, sizeof w->msg, w->agg_sig) != CD_OK) return false;
    scalar_from_u64(sk, first);
    if (bls_sign(sk, w->msg, sizeof w->msg, w->one_sig) != CD_OK) return false;
    return bls_fast_aggregate_verify(w->ptrs, SIGNERS, w->msg, sizeof w->msg, w->agg_sig) ==
               CD_OK &&
           bls_verify(w->pks[0], w->msg, sizeof w->msg, w->one_sig) == CD_OK;
}

/* ---- the timed operations --------------------------------------------------------------- */

enum { OP_FP_MUL, OP_PAIRING, OP_VERIFY, OP_FAV, OP_COUNT };
static const char *const OP_NAME[OP_COUNT] = {"fp_mul", "pairing", "verify", "fav512_cached"};
static const char *const OP_UNIT[OP_COUNT] = {"ns", "us", "us", "us"};
static const double OP_SCALE[OP_COUNT] = {1, 1e3, 1e3, 1e3}; /* ns per unit */
static const int OP_REPS[OP_COUNT] = {200000, 4, 4, 3};      /* operations per sample */

/* Each returns false if the operation gave the wrong answer (the figure would be void). */
static bool candor_op(int op, workload *w, int reps) {
    switch (op) {
    case OP_FP_MUL: {
        bls_fp a, b;
        bls_fp_from_u64(&a, 12345);
        bls_fp_from_u64(&b, 67890);
        for (int i = 0; i < reps; i++) bls_fp_mul(&a, &a, &b);
        volatile uint64_t sink = a.l[0];
        (void)sink;
        return true;
    }
    case OP_PAIRING: {
        bls_g1_affine g1;
        bls_g2_affine g2;
        bls_g1_generator(&g1);
        bls_g2_generator(&g2);
        bls_fp12 e;
        for (int i = 0; i < reps; i++) bls_pairing(&e, &g1, &g2);
        return !bls_fp12_is_one(&e);
    }
    case OP_VERIFY:
        for (int i = 0; i < reps; i++)
            if (bls_verify(w->pks[0], w->msg, sizeof w->msg, w->one_sig) != CD_OK) return false;
        return true;
    case OP_FAV:
        for (int i = 0; i < reps; i++)
            if (bls_fast_aggregate_verify(w->ptrs, SIGNERS, w->msg, sizeof w->msg, w->agg_sig) !=
                CD_OK)
                return false;
        return true;
    }
    return false;
}

static const uint8_t DST_POP[] = BLS_DST_POP;

static bool blst_op(const blst_api *b, int op, workload *w, int reps) {
    switch (op) {
    case OP_FP_MUL: {
        blst_fp a = {{12345}}, c = {{67890}}; /* any limbs below p serve */
        for (int i = 0; i < reps; i++) b->fp_mul(&a, &a, &c);
        volatile uint64_t sink = a.l[0];
        (void)sink;
        return true;
    }
    case OP_PAIRING: {
        blst_fp12 f, e;
        for (int i = 0; i < reps; i++) {
            b->miller_loop(&f, b->p2_affine_generator(), b->p1_affine_generator());
            b->final_exp(&e, &f);
        }
        return true;
    }
    case OP_VERIFY:
        for (int i = 0; i < reps; i++) {
            blst_p1_affine pk;
            blst_p2_affine sig;
            if (b->p1_uncompress(&pk, w->pks[0]) != 0 || b->p2_uncompress(&sig, w->one_sig) != 0)
                return false;
            if (b->core_verify_pk_in_g1(&pk, &sig, true, w->msg, sizeof w->msg, DST_POP,
                                        sizeof DST_POP - 1, NULL, 0) != 0)
                return false;
        }
        return true;
    case OP_FAV:
        /* What a light client does with blst: sum the cached keys, decode the signature,
         * check it (subgroup included; the keys were validated when cached), one pairing. */
        for (int i = 0; i < reps; i++) {
            blst_p1 acc;
            blst_p1_affine agg;
            blst_p2_affine sig;
            b->p1_from_affine(&acc, &w->bkeys[0]);
            for (int k = 1; k < SIGNERS; k++) b->p1_add_or_double_affine(&acc, &acc, &w->bkeys[k]);
            b->p1_to_affine(&agg, &acc);
            if (b->p2_uncompress(&sig, w->agg_sig) != 0) return false;
            b->pairing_init(w->bctx, true, DST_POP, sizeof DST_POP - 1);
            if (b->pairing_chk_n_aggr_pk_in_g1(w->bctx, &agg, false, &sig, true, w->msg,
                                               sizeof w->msg, NULL, 0) != 0)
                return false;
            b->pairing_commit(w->bctx);
            if (!b->pairing_finalverify(w->bctx, NULL)) return false;
        }
        return true;
    }
    return false;
}

/* Candor vs blst on every operation, interleaved; prints one line per figure. */
static int compare(const char *path_name, const char *lib_path, workload *w) {
    blst_api b;
    if (!blst_load(&b, lib_path)) return 1;
    w->bctx = malloc(b.pairing_sizeof());
    if (!w->bctx) return 1;
    for (int i = 0; i < SIGNERS; i++)
        if (b.p1_uncompress(&w->bkeys[i], w->pks[i]) != 0) return 1;
    enum { RUNS = 21 };
    for (int op = 0; op < OP_COUNT; op++) {
        double cs[RUNS], bs[RUNS], rs[RUNS];
        int reps = OP_REPS[op];
        /* warm-up: caches, branch predictors, and a correctness check of both sides */
        if (!candor_op(op, w, 1) || !blst_op(&b, op, w, 1)) {
            fprintf(stderr, "bench_bls: %s %s gave a wrong answer\n", path_name, OP_NAME[op]);
            return 1;
        }
        for (int r = 0; r < RUNS; r++) {
            for (int side = 0; side < 2; side++) {
                bool candor_side = (side == 0) == (r % 2 == 0);
                double t0 = bench_thread_cpu_seconds();
                bool ok = candor_side ? candor_op(op, w, reps) : blst_op(&b, op, w, reps);
                double dt = (bench_thread_cpu_seconds() - t0) * 1e9 / reps / OP_SCALE[op];
                if (!ok) return 1;
                if (candor_side) cs[r] = dt;
                else bs[r] = dt;
            }
            rs[r] = cs[r] / bs[r];
        }
        double c = bench_median(cs, RUNS), bl = bench_median(bs, RUNS), ratio = bench_median(rs, RUNS);
        printf("bls_vs_blst_%-8s %-14s candor %10.2f %s   blst %10.2f %s   ratio %.3f x  "
               "(median of %d interleaved runs)\n",
               path_name, OP_NAME[op], c, OP_UNIT[op], bl, OP_UNIT[op], ratio, RUNS);
    }
    free(w->bctx);
    w->bctx = NULL;
    dlclose(b.lib);
    return 0;
}

/* Runs this program again with the portable field path forced (see the file comment). */
static int run_portable_child(const char *self) {
    const char *old = getenv("GLIBC_TUNABLES");
    char tun[512];
    int n = snprintf(tun, sizeof tun, "%s%sglibc.cpu.hwcaps=-BMI2,-ADX", old ? old : "",
                     old && *old ? ":" : "");
    if (n < 0 || (size_t)n >= sizeof tun) return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        setenv("GLIBC_TUNABLES", tun, 1);
        execl(self, self, "--portable-child", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st)) return 1;
    return WEXITSTATUS(st);
}

static workload W;

int main(int argc, char **argv) {
    bool child = argc > 1 && strcmp(argv[1], "--portable-child") == 0;
    if (!workload_init(&W)) {
        fprintf(stderr, "bench_bls: workload setup failed (keys or signatures do not verify)\n");
        return 1;
    }
    if (child) {
        if (bls_fp_adx_usable()) {
            fprintf(stderr, "bench_bls: GLIBC_TUNABLES did not mask BMI2; portable path not forced\n");
            return 1;
        }
        return compare("portable", getenv("CANDOR_BENCH_BLST_PORTABLE"), &W);
    }

    enum { RUNS = 15, CRUNS = 7 };
    double samples[RUNS];
    for (int r = 0; r < CRUNS; r++) {
        double t0 = bench_thread_cpu_seconds();
        cd_status s = bls_fast_aggregate_verify_compressed((const uint8_t(*)[48])W.pks, SIGNERS,
                                                           W.msg, sizeof W.msg, W.agg_sig);
        samples[r] = (bench_thread_cpu_seconds() - t0) * 1e3;
        if (s != CD_OK) return 1;
    }
    double favc_ms = bench_median(samples, CRUNS);
    for (int r = 0; r < RUNS; r++) {
        bls_pubkey k;
        double t0 = bench_thread_cpu_seconds();
        cd_status s = bls_pubkey_decompress(&k, W.pks[r]);
        samples[r] = (bench_thread_cpu_seconds() - t0) * 1e6;
        if (s != CD_OK) return 1;
    }
    double dec_us = bench_median(samples, RUNS);
    printf("# bench_bls: thread CPU time medians; Candor field path on this CPU: %s\n",
           bls_fp_adx_usable() ? "adx (mulx/adcx/adox)" : "portable");
    printf("bls_fast_aggregate_verify_512_compr %10.3f ms   (median of %d, target <= 35 ms)\n",
           favc_ms, CRUNS);
    printf("bls_pubkey_decompress               %10.1f us   (median of %d)\n", dec_us, RUNS);

    const char *adx_lib = getenv("CANDOR_BENCH_BLST");
    if (!adx_lib || !*adx_lib) {
        printf("bls_vs_blst_adx      skipped: CANDOR_BENCH_BLST (blst's default libblst.so) not set\n");
    } else if (!bls_fp_adx_usable()) {
        printf("bls_vs_blst_adx      skipped: this CPU has no BMI2+ADX\n");
    } else if (compare("adx", adx_lib, &W) != 0) {
        return 1;
    }
    const char *port_lib = getenv("CANDOR_BENCH_BLST_PORTABLE");
    if (!port_lib || !*port_lib) {
        printf("bls_vs_blst_portable skipped: CANDOR_BENCH_BLST_PORTABLE (non-ADX libblst.so) "
               "not set\n");
        return 0;
    }
    return run_portable_child("/proc/self/exe");
}
