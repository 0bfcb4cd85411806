/* The service's sync path over a recorded signed chain (tests/e2e/fixtures: a minimal-preset
 * Electra chain, bootstrap at slot 8, updates, a finality update at slot 136), served by a
 * local beacon-API server. Checks: bootstrap + updates + finality give the expected verified
 * finalized block; a provider serving a tampered bootstrap is reported and the next one used;
 * a restart resumes from the sealed store without a checkpoint; a checkpoint older than
 * --max-checkpoint-age is refused; a store sealed under another key is refused. */
#include <curl/curl.h>
#include <ftw.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <unistd.h>

#include "src/service.h"
#include "tests/test.h"

#define FIX "tests/e2e/fixtures/"

typedef struct {
    cd_buf bootstrap, updates, finality;
    cd_buf updates_ssz;   /* the chunked SSZ stream, served when the client accepts it */
    int ssz_served;
    bool tamper;   /* serve a bootstrap with one hex digit of the header changed */
    int requests;
} beacon_fixture;

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                             const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)method, (void)version, (void)upload, (void)upload_size, (void)con_cls;
    beacon_fixture *f = cls;
    f->requests++;
    const cd_buf *b = NULL;
    if (!strncmp(url, "/eth/v1/beacon/light_client/bootstrap/", 38)) b = &f->bootstrap;
    else if (!strcmp(url, "/eth/v1/beacon/light_client/updates")) b = &f->updates;
    else if (!strcmp(url, "/eth/v1/beacon/light_client/finality_update")) b = &f->finality;
    struct MHD_Response *r;
    unsigned code = 200;
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    bool ssz = b == &f->updates && f->updates_ssz.len && accept && strstr(accept, "application/octet-stream");
    if (ssz) {
        f->ssz_served++;
        r = MHD_create_response_from_buffer(f->updates_ssz.len, f->updates_ssz.data, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Type", "application/octet-stream");
        enum MHD_Result ret = MHD_queue_response(c, code, r);
        MHD_destroy_response(r);
        return ret;
    }
    if (!b) {
        code = 404;
        r = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
    } else if (f->tamper && b == &f->bootstrap) {
        char *copy = malloc(b->len);
        if (!copy) return MHD_NO;
        memcpy(copy, b->data, b->len);
        char *p = strstr(copy, "\"state_root\": \"0x");
        if (p) p[17] = p[17] == 'a' ? 'b' : 'a';
        r = MHD_create_response_from_buffer(b->len, copy, MHD_RESPMEM_MUST_FREE);
    } else {
        r = MHD_create_response_from_buffer(b->len, b->data, MHD_RESPMEM_PERSISTENT);
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static bool load(const char *name, cd_buf *out) {
    return cd_read_file(name, 1 << 22, out) == CD_OK;
}

static void base_config(svc_config *cfg, const char *dir, uint16_t bad_port, uint16_t good_port, bool with_bad) {
    svc_config_defaults(cfg);
    snprintf(cfg->network, sizeof cfg->network, FIX "network.yaml");
    cfg->execution_chain_id = 31337; /* the file has DEPOSIT_CHAIN_ID only (src/chainid.h) */
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", dir);
    cfg->n_consensus_rpc = 0;
    if (with_bad) snprintf(cfg->consensus_rpc[cfg->n_consensus_rpc++], SVC_URL_MAX, "http://127.0.0.1:%u", bad_port);
    snprintf(cfg->consensus_rpc[cfg->n_consensus_rpc++], SVC_URL_MAX, "http://127.0.0.1:%u", good_port);
    cfg->n_execution_rpc = 1;
    snprintf(cfg->execution_rpc[0], SVC_URL_MAX, "http://127.0.0.1:1");
    cfg->max_checkpoint_age = 100ull * 365 * 86400; /* the recorded chain is from 2023 */
    cfg->log_level = SVC_LOG_ERROR;
    cfg->upstream_timeout = 5;
    char cp[80] = {0};
    FILE *f = fopen(FIX "checkpoint.txt", "r");
    if (f) {
        if (!fgets(cp, sizeof cp, f)) cp[0] = '\0';
        fclose(f);
    }
    cp[66] = '\0';
    cfg->has_checkpoint = cd_hex_decode_exact(cp, cfg->checkpoint.b, 32) == CD_OK;
}

static struct MHD_Daemon *start(beacon_fixture *f, uint16_t *port) {
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, serve, f,
                                            MHD_OPTION_END);
    if (!d) return NULL;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : 0;
    return d;
}

static void sync_restart_and_refusals(test_ctx *t, bool ssz_updates) {
    beacon_fixture good = {0}, bad = {0};
    CHECK(t, load(FIX "bootstrap.json", &good.bootstrap) && load(FIX "updates.json", &good.updates) &&
                 load(FIX "finality_update.json", &good.finality));
    if (ssz_updates) CHECK(t, load(FIX "updates.ssz", &good.updates_ssz));
    CHECK(t, load(FIX "bootstrap.json", &bad.bootstrap));
    bad.tamper = true;
    uint16_t good_port = 0, bad_port = 0;
    struct MHD_Daemon *dg = start(&good, &good_port), *db = start(&bad, &bad_port);
    CHECK(t, dg && db && good_port && bad_port);
    char dir[] = "/tmp/candor-sync-XXXXXX";
    CHECK(t, mkdtemp(dir) != NULL);
    svc_config cfg;
    base_config(&cfg, dir, bad_port, good_port, true);
    CHECK(t, cfg.has_checkpoint);

    svc_service *s = calloc(1, sizeof *s);
    cd_error e;
    cd_error_clear(&e);
    CHECK_OK(t, svc_service_init(s, &cfg, &e));
    s->log.out = NULL; /* quiet */
    CHECK_EQ_U64(t, s->chain_id, 31337);
    CHECK_OK(t, svc_sync_start(s, &e));
    /* The lying provider was asked first, reported, and passed over. */
    CHECK_EQ_U64(t, atomic_load(&s->beacon.ep[0].lies), 1);
    CHECK_EQ_U64(t, atomic_load(&s->beacon.ep[1].lies), 0);
    svc_head fin;
    CHECK(t, svc_get_head(s, true, &fin) && fin.claim.beacon_slot == 8);
    /* Updates + finality update; the optimistic update is not served (404): reported, not fatal. */
    CHECK_FAILS(t, svc_sync_step(s, &e));
    CHECK(t, svc_get_head(s, true, &fin));
    CHECK_EQ_U64(t, fin.claim.beacon_slot, 120);
    CHECK_EQ_U64(t, fin.claim.number, 120);
    char root[67];
    cd_hex_encode(root, fin.claim.state_root.b, 32);
    CHECK_EQ_STR(t, root, "0xc7c1f1abf3e816f84c0945f50d3617a616573193fad37450e7a88b8d98e473fe");
    CHECK(t, fin.claim.finalized);
    /* Committee updates came as the chunked SSZ stream when offered, else as JSON. */
    CHECK(t, ssz_updates ? good.ssz_served > 0 : good.ssz_served == 0);
    cd_address signer = *svc_signer_address(s->signer);
    svc_service_free(s);

    /* Restart without a checkpoint: resumes from the sealed store, same key. */
    base_config(&cfg, dir, bad_port, good_port, false);
    cfg.has_checkpoint = false;
    int before = good.requests;
    CHECK_OK(t, svc_service_init(s, &cfg, &e));
    s->log.out = NULL;
    CHECK_OK(t, svc_sync_start(s, &e));
    CHECK_EQ_INT(t, good.requests, before); /* no bootstrap asked */
    CHECK(t, svc_get_head(s, true, &fin) && fin.claim.beacon_slot == 120);
    CHECK(t, cd_address_eq(&signer, svc_signer_address(s->signer)));
    svc_service_free(s);

    /* The stored state is older than a short --max-checkpoint-age: refused, not reset. */
    cfg.max_checkpoint_age = 86400;
    CHECK_OK(t, svc_service_init(s, &cfg, &e));
    s->log.out = NULL;
    CHECK_ERR(t, svc_sync_start(s, &e), CD_ERR_CHECKPOINT_TOO_OLD);
    svc_service_free(s);

    /* Another sealing key: the store is refused at start. */
    char key[300];
    snprintf(key, sizeof key, "%s/sealing.key", dir);
    FILE *kf = fopen(key, "r+b");
    if (kf) {
        fputc(0x55, kf);
        fclose(kf);
    }
    base_config(&cfg, dir, bad_port, good_port, false);
    CHECK_ERR(t, svc_service_init(s, &cfg, &e), CD_ERR_STORE_TAMPERED);
    svc_service_free(s);

    /* A fresh store and a checkpoint beyond the age limit: refused at bootstrap. */
    char dir2[] = "/tmp/candor-sync-XXXXXX";
    CHECK(t, mkdtemp(dir2) != NULL);
    base_config(&cfg, dir2, bad_port, good_port, false);
    cfg.max_checkpoint_age = 3600;
    CHECK_OK(t, svc_service_init(s, &cfg, &e));
    s->log.out = NULL;
    CHECK_ERR(t, svc_sync_start(s, &e), CD_ERR_CHECKPOINT_TOO_OLD);
    svc_service_free(s);
    free(s);

    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    nftw(dir2, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (dg) MHD_stop_daemon(dg);
    if (db) MHD_stop_daemon(db);
    cd_buf_free(&good.bootstrap), cd_buf_free(&good.updates), cd_buf_free(&good.finality), cd_buf_free(&bad.bootstrap);
    cd_buf_free(&good.updates_ssz);
}

static void test_sync_ssz_updates(test_ctx *t) { sync_restart_and_refusals(t, true); }
static void test_sync_json_updates(test_ctx *t) { sync_restart_and_refusals(t, false); }

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_ctx t;
    test_init(&t, "test_sync");
    if (!test_path_exists(FIX "bootstrap.json")) {
        test_skip(&t, "test_sync", "tests/e2e/fixtures missing");
    } else {
        TEST_RUN(&t, test_sync_ssz_updates);
        TEST_RUN(&t, test_sync_json_updates);
    }
    curl_global_cleanup();
    return test_finish(&t);
}
