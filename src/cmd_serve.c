/* candor serve: the daemon. Opens the sealed store and key, starts the HTTP server (which
 * answers 503 until synced), then syncs from the stored state or the checkpoint and
 * follows the chain until SIGINT/SIGTERM. Signals are taken with sigwait in the main
 * thread, so no handler and no global state are needed. */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/commands.h"
#include "src/governance.h"
#include "src/peers.h"
#include "src/service.h"
#include "src/version.h"

typedef struct {
    svc_service *s;
    atomic_int exit_code;
} runner;

/* Errors no retry can fix: stop the daemon instead of looping. */
static bool is_fatal(cd_status st) {
    return st == CD_ERR_CHECKPOINT_TOO_OLD || st == CD_ERR_STORE_TAMPERED || st == CD_ERR_STORE ||
           st == CD_ERR_CONFIG || st == CD_ERR_LC_BAD_CONFIG;
}

static void *sync_main(void *arg) {
    runner *rn = arg;
    svc_service *s = rn->s;
    unsigned attempt = 0;
    while (!atomic_load(&s->stop)) {
        cd_error err;
        cd_error_clear(&err);
        cd_status st = svc_sync_start(s, &err);
        if (st == CD_OK) break;
        char q[300];
        svc_log_quote(q, sizeof q, cd_error_text(&err));
        if (is_fatal(st)) {
            SVC_LOGE(&s->log, "start_failed", "code=%s reason=%s", cd_status_name(st), q);
            atomic_store(&rn->exit_code, 1);
            kill(getpid(), SIGTERM); /* wakes the main thread's sigwait */
            return NULL;
        }
        pthread_mutex_lock(&s->mu);
        snprintf(s->sync_error, sizeof s->sync_error, "%s", cd_error_text(&err));
        pthread_mutex_unlock(&s->mu);
        unsigned wait = attempt < 5 ? 1u << attempt : 30;
        attempt++;
        SVC_LOGW(&s->log, "start_retry", "code=%s reason=%s wait_s=%u", cd_status_name(st), q, wait);
        for (unsigned i = 0; i < wait * 5 && !atomic_load(&s->stop); i++) {
            struct timespec ts = {0, 200000000L};
            nanosleep(&ts, NULL);
        }
    }
    if (!atomic_load(&s->stop)) svc_sync_thread(s);
    return NULL;
}

int cmd_serve(int argc, char **argv) {
    extern char **environ;
    svc_config cfg;
    cd_error err;
    bool help = false;
    cd_error_clear(&err);
    if (svc_config_load(&cfg, argc, argv, environ, &help, &err) != CD_OK) {
        fprintf(stderr, "candor serve: %s\n", cd_error_text(&err));
        return 2;
    }
    if (help) {
        svc_config_usage(stdout);
        return 0;
    }
    if (svc_config_validate(&cfg, &err) != CD_OK) {
        fprintf(stderr, "candor serve: %s\n", cd_error_text(&err));
        return 2;
    }
    /* Block the stop signals in every thread; the main thread collects them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    svc_service *s = calloc(1, sizeof *s); /* large (head ring): heap, not stack */
    if (!s) {
        fprintf(stderr, "candor serve: out of memory\n");
        return 1;
    }
    int code = 0;
    if (svc_service_init(s, &cfg, &err) != CD_OK) {
        svc_log lg;
        svc_log_init(&lg, SVC_LOG_ERROR, stderr);
        char q[300];
        SVC_LOGE(&lg, "init_failed", "code=%s reason=%s", cd_status_name(err.code),
                 svc_log_quote(q, sizeof q, cd_error_text(&err)));
        svc_service_free(s);
        free(s);
        curl_global_cleanup();
        return 1;
    }
    api_backend backend;
    svc_backend(s, &backend);
    api_options opt;
    api_options_default(&opt);
    opt.vsock = cfg.listen.kind == SVC_LISTEN_VSOCK;
    opt.host = cfg.listen.host;
    opt.port = cfg.listen.port;
    opt.cid = cfg.listen.cid;
    opt.max_connections = cfg.max_connections;
    opt.timeout_s = cfg.request_timeout;
    api_server *srv = NULL;
    if (api_server_start(&srv, &opt, &backend, &err) != CD_OK) {
        char q[300];
        SVC_LOGE(&s->log, "listen_failed", "reason=%s", svc_log_quote(q, sizeof q, cd_error_text(&err)));
        svc_service_free(s);
        free(s);
        curl_global_cleanup();
        return 1;
    }
    char chk[67] = "none";
    if (cfg.has_checkpoint) cd_hex_encode(chk, cfg.checkpoint.b, 32);
    SVC_LOGI(&s->log, "listening", "version=%s network=%s chain_id=%llu listen=%s%s:%u checkpoint=%s data_dir=%s",
             CANDOR_VERSION, s->net.name, (unsigned long long)s->chain_id, opt.vsock ? "vsock:" : "",
             opt.vsock ? "" : opt.host, api_server_port(srv), chk, cfg.data_dir);
    runner rn = {s, 0};
    pthread_t sync_thread;
    if (svc_governance_start(s, &err) != CD_OK) {
        char q[300];
        SVC_LOGE(&s->log, "governance_failed", "reason=%s", svc_log_quote(q, sizeof q, cd_error_text(&err)));
        api_server_stop(srv);
        svc_service_free(s);
        free(s);
        curl_global_cleanup();
        return 1;
    }
    if (svc_peers_start(s, &err) != CD_OK) {
        char q[300];
        SVC_LOGE(&s->log, "cluster_failed", "code=%s reason=%s", cd_status_name(err.code), svc_log_quote(q, sizeof q, cd_error_text(&err)));
        atomic_store(&s->stop, true);
        svc_governance_stop(s);
        api_server_stop(srv);
        svc_service_free(s);
        free(s);
        curl_global_cleanup();
        return 1;
    }
    bool started = pthread_create(&sync_thread, NULL, sync_main, &rn) == 0;
    if (!started) {
        SVC_LOGE(&s->log, "thread_failed", "what=sync");
        code = 1;
    } else {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        SVC_LOGI(&s->log, "stopping", "signal=%d", sig);
        atomic_store(&s->stop, true);
        pthread_join(sync_thread, NULL);
        svc_governance_stop(s);
        svc_peers_stop(s);
        code = atomic_load(&rn.exit_code);
    }
    api_server_stop(srv);
    svc_service_free(s);
    free(s);
    curl_global_cleanup();
    return code;
}
