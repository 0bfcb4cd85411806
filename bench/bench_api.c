/* /block throughput and tail latency of the real server and route (cached signed answer),
 * measured with wrk against a server pinned to one core. Reference in the same run: the
 * same server answering a 404 (the HTTP + JSON error path, no route work).
 * Also: building + signing a fresh /block answer (done once per new head), against
 * signing alone. Medians of several runs. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/service.h"

#define RUNS 3

typedef struct {
    double rps;
    double p99_ms;
} wrk_result;

static double parse_ms(const char *v) {
    double x = atof(v);
    if (strstr(v, "us")) return x / 1000;
    if (strstr(v, "ms")) return x;
    if (strstr(v, "s")) return x * 1000;
    return x;
}

static bool run_wrk(uint16_t port, const char *path, wrk_result *out) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "taskset -c 1 wrk -t1 -c32 -d2s --latency http://127.0.0.1:%u%s 2>&1", port, path);
    FILE *p = popen(cmd, "r");
    if (!p) return false;
    char line[256];
    out->rps = out->p99_ms = 0;
    while (fgets(line, sizeof line, p)) {
        if (!strncmp(line, "Requests/sec:", 13)) out->rps = atof(line + 13);
        const char *q = line + strspn(line, " ");
        if (!strncmp(q, "99%", 3)) out->p99_ms = parse_ms(q + 3 + strspn(q + 3, " "));
    }
    return pclose(p) == 0 && out->rps > 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A service with one verified head and a key: what /block needs, nothing from the network. */
static svc_service *fake_synced_service(void) {
    svc_service *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    cd_error e;
    uint8_t sk[32];
    memset(sk, 0x5a, 32);
    if (svc_signer_from_secret(&s->signer, sk, &e) != CD_OK || lc_config_builtin(&s->net, "minimal") != CD_OK) {
        svc_signer_free(s->signer);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    svc_log_init(&s->log, SVC_LOG_ERROR, stderr);
    uint64_t slot = 1000;
    s->net.genesis_time = (uint64_t)time(NULL) - slot * s->net.seconds_per_slot;
    s->chain_id = 1;
    s->have_latest = true;
    s->latest.claim.chain_id = 1;
    s->latest.claim.number = 21925176;
    s->latest.claim.beacon_slot = slot;
    memset(s->latest.claim.block_hash.b, 0xab, 32);
    memset(s->latest.claim.state_root.b, 0xcd, 32);
    s->exec.kind = "execution";
    s->beacon.kind = "consensus";
    return s;
}

static void free_service(svc_service *s) {
    for (int i = 0; i < 2; i++) free(s->block_answer[i]);
    svc_signer_free(s->signer);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int main(void) {
    svc_service *s = fake_synced_service();
    if (!s) {
        fprintf(stderr, "bench_api: setup failed\n");
        return 1;
    }
    /* Building and signing a fresh answer vs signing alone. */
    double build[RUNS], sign[RUNS];
    for (int r = 0; r < RUNS; r++) {
        const int n = 2000;
        uint8_t d[32], sig[65];
        double t0 = now_s();
        for (int i = 0; i < n; i++) {
            s->latest.claim.number++;
            json_object *o = json_object_new_object();
            svc_eip712_block_digest(&s->latest.claim, d);
            size_t len = 0;
            if (!o || svc_add_block_fields(o, &s->latest) != CD_OK || svc_add_signature(s, o, d) != CD_OK ||
                !json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len)) {
                fprintf(stderr, "bench_api: answer failed\n");
                return 1;
            }
            json_object_put(o);
        }
        double t1 = now_s();
        for (int i = 0; i < n; i++) {
            d[0] = (uint8_t)i;
            if (svc_signer_sign(s->signer, d, sig) != CD_OK) return 1;
        }
        double t2 = now_s();
        build[r] = (t1 - t0) / n * 1e6;
        sign[r] = (t2 - t1) / n * 1e6;
    }
    double mb = median(build, RUNS), ms = median(sign, RUNS);
    printf("block_answer_build_sign  %10.1f us/answer  ratio %.2f vs secp256k1 sign alone (%.1f us)\n", mb, mb / ms, ms);

    if (system("command -v wrk >/dev/null 2>&1 && command -v taskset >/dev/null 2>&1") != 0) {
        printf("block_http: SKIPPED (wrk or taskset not installed)\n");
        free_service(s);
        return 0;
    }
    /* The server on core 0 with one worker thread; wrk on core 1. */
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    sched_setaffinity(0, sizeof set, &set);
    api_backend b;
    svc_backend(s, &b);
    b.log_request = NULL;
    api_options o;
    api_options_default(&o);
    o.port = 0;
    o.threads = 1;
    o.max_connections = 1024;
    api_server *srv = NULL;
    cd_error e;
    if (api_server_start(&srv, &o, &b, &e) != CD_OK) {
        fprintf(stderr, "bench_api: %s\n", cd_error_text(&e));
        free_service(s);
        return 1;
    }
    uint16_t port = api_server_port(srv);
    double rps[RUNS], p99[RUNS], ref_rps[RUNS], ref_p99[RUNS];
    for (int r = 0; r < RUNS; r++) {
        wrk_result w, ref;
        if (!run_wrk(port, "/block", &w) || !run_wrk(port, "/nope", &ref)) {
            printf("block_http: SKIPPED (wrk failed)\n");
            api_server_stop(srv);
            free_service(s);
            return 0;
        }
        rps[r] = w.rps, p99[r] = w.p99_ms, ref_rps[r] = ref.rps, ref_p99[r] = ref.p99_ms;
    }
    double mr = median(rps, RUNS), mp = median(p99, RUNS), rr = median(ref_rps, RUNS), rp = median(ref_p99, RUNS);
    printf("block_http_rps_1core     %10.0f req/s      ratio %.2f vs 404 route (%.0f req/s)  [wrk -t1 -c32 2s, median of %d]\n",
           mr, mr / rr, rr, RUNS);
    printf("block_http_p99_1core     %10.3f ms         ratio %.2f vs 404 route (%.3f ms)\n", mp, rp > 0 ? mp / rp : 0, rp);
    api_server_stop(srv);
    free_service(s);
    return 0;
}
