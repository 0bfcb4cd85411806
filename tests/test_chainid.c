/* The chain id answers are signed for (src/chainid.c): the execution chain's, chosen from the
 * network name, --execution-chain-id or a config file's EXECUTION_CHAIN_ID, never from
 * DEPOSIT_CHAIN_ID; and the upstream check: local JSON-RPC providers answering eth_chainId
 * with the right id, a wrong one, or not at all; only agreeing ones are used, and nothing is
 * signed while none agrees. */
#include <curl/curl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "src/chainid.h"
#include "src/service.h"
#include "tests/test.h"

static bool write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) return false;
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

static void test_selection(test_ctx *t) {
    uint64_t id = 0;
    cd_error e;
    /* Named networks: their execution chain ids; a flag must agree. */
    static const struct {
        const char *name;
        uint64_t id;
    } named[] = {{"mainnet", 1}, {"sepolia", 11155111}, {"holesky", 17000}, {"hoodi", 560048}};
    for (size_t i = 0; i < CD_ARRAY_LEN(named); i++) {
        CHECK_OK(t, svc_execution_chain_id(named[i].name, 0, &id, &e));
        CHECK_EQ_U64(t, id, named[i].id);
        CHECK_OK(t, svc_execution_chain_id(named[i].name, named[i].id, &id, &e));
        CHECK_EQ_U64(t, id, named[i].id);
        CHECK_ERR(t, svc_execution_chain_id(named[i].name, named[i].id + 1, &id, &e), CD_ERR_CONFIG);
        CHECK(t, svc_known_network(named[i].name));
    }
    CHECK(t, !svc_known_network("goerli"));
    CHECK_ERR(t, svc_execution_chain_id("goerli", 5, &id, &e), CD_ERR_CONFIG); /* neither a name nor a file */

    char dir[] = "/tmp/candor-chainid-XXXXXX";
    CHECK(t, mkdtemp(dir) != NULL);
    char deposit_only[300], with_key[300], quoted[300], bad[300], zero[300];
    snprintf(deposit_only, sizeof deposit_only, "%s/deposit.yaml", dir);
    snprintf(with_key, sizeof with_key, "%s/key.yaml", dir);
    snprintf(quoted, sizeof quoted, "%s/quoted.yaml", dir);
    snprintf(bad, sizeof bad, "%s/bad.yaml", dir);
    snprintf(zero, sizeof zero, "%s/zero.yaml", dir);
    CHECK(t, write_file(deposit_only, "PRESET_BASE: minimal\nDEPOSIT_CHAIN_ID: 5\nDEPOSIT_NETWORK_ID: 5\n"));
    CHECK(t, write_file(with_key, "DEPOSIT_CHAIN_ID: 5\nEXECUTION_CHAIN_ID: 31337\n"));
    CHECK(t, write_file(quoted, "DEPOSIT_CHAIN_ID: 5\nEXECUTION_CHAIN_ID: '31337'  # anvil\n"));
    CHECK(t, write_file(bad, "EXECUTION_CHAIN_ID: 0x7a69\n"));
    CHECK(t, write_file(zero, "EXECUTION_CHAIN_ID: 0\n"));

    /* DEPOSIT_CHAIN_ID alone says nothing about the execution chain: refused. */
    CHECK_ERR(t, svc_execution_chain_id(deposit_only, 0, &id, &e), CD_ERR_CONFIG);
    CHECK(t, strstr(cd_error_text(&e), "--execution-chain-id") != NULL);
    /* The flag decides, whatever DEPOSIT_CHAIN_ID says. */
    id = 0;
    CHECK_OK(t, svc_execution_chain_id(deposit_only, 31337, &id, &e));
    CHECK_EQ_U64(t, id, 31337);
    /* The file's key; the flag must agree with it. */
    id = 0;
    CHECK_OK(t, svc_execution_chain_id(with_key, 0, &id, &e));
    CHECK_EQ_U64(t, id, 31337);
    CHECK_OK(t, svc_execution_chain_id(with_key, 31337, &id, &e));
    CHECK_ERR(t, svc_execution_chain_id(with_key, 5, &id, &e), CD_ERR_CONFIG);
    id = 0;
    CHECK_OK(t, svc_execution_chain_id(quoted, 0, &id, &e));
    CHECK_EQ_U64(t, id, 31337);
    CHECK_ERR(t, svc_execution_chain_id(bad, 0, &id, &e), CD_ERR_CONFIG);
    CHECK_ERR(t, svc_execution_chain_id(zero, 0, &id, &e), CD_ERR_CONFIG);
    unlink(deposit_only), unlink(with_key), unlink(quoted), unlink(bad), unlink(zero);
    rmdir(dir);
}

/* ---- a JSON-RPC provider answering eth_chainId -------------------------------------- */

typedef struct {
    const char *chain_id; /* the result, e.g. "0x7a69" */
    int requests;
} provider;

typedef struct {
    cd_buf body;
} req_state;

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                             const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)url, (void)method, (void)version;
    provider *p = cls;
    req_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        *con_cls = st;
        return st ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        if (cd_buf_append(&st->body, upload, *upload_size) != CD_OK) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    bool asked = st->body.len && strstr((const char *)st->body.data, "eth_chainId") != NULL;
    cd_buf_free(&st->body);
    free(st);
    *con_cls = NULL;
    p->requests++;
    char text[200];
    if (asked) snprintf(text, sizeof text, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"%s\"}", p->chain_id);
    else snprintf(text, sizeof text, "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"no\"}}");
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static struct MHD_Daemon *start(provider *p, uint16_t *port) {
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, serve, p, MHD_OPTION_END);
    const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    *port = info ? info->port : 0;
    return d;
}

/* A service with these execution providers, expecting chain 31337, and a signing key. */
static svc_service *service_with(const uint16_t *ports, unsigned n, svc_log *lg) {
    svc_service *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    pthread_mutex_init(&s->mu, NULL);
    s->chain_id = 31337;
    s->log = *lg;
    char urls[SVC_MAX_UPSTREAMS][SVC_URL_MAX];
    for (unsigned i = 0; i < n; i++) snprintf(urls[i], SVC_URL_MAX, "http://127.0.0.1:%u", ports[i]);
    cd_error e;
    uint8_t sk[32];
    memset(sk, 0x44, sizeof sk);
    if (svc_pool_init(&s->exec, "execution", urls, n, NULL, lg, &e) != CD_OK ||
        svc_signer_from_secret(&s->signer, sk, &e) != CD_OK) {
        free(s);
        return NULL;
    }
    s->exec.retries = 0;
    s->exec.timeout_s = 2;
    s->exec.expect_chain_id = s->chain_id;
    return s;
}

static void free_service(svc_service *s) {
    svc_pool_free(&s->exec);
    svc_signer_free(s->signer);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static bool can_sign(svc_service *s) {
    json_object *o = json_object_new_object();
    uint8_t d[32];
    memset(d, 0x55, sizeof d);
    bool ok = o && svc_add_signature(s, o, d) == CD_OK && json_object_object_get_ex(o, "signature", NULL);
    json_object_put(o);
    return ok;
}

static void test_upstream_check(test_ctx *t) {
    provider right = {"0x7a69", 0}, wrong = {"0x5", 0}; /* 31337, 5 */
    uint16_t ports[3];
    struct MHD_Daemon *dw = start(&wrong, &ports[0]), *dr = start(&right, &ports[1]);
    CHECK(t, dw && dr && ports[0] && ports[1]);
    ports[2] = 1; /* nothing listens on port 1: an unreachable provider */
    svc_log lg;
    svc_log_init(&lg, SVC_LOG_ERROR, NULL);

    /* Before any check nothing is used and nothing is signed. */
    svc_service *s = service_with(ports, 3, &lg);
    CHECK(t, s != NULL);
    if (!s) return;
    unsigned order[SVC_MAX_UPSTREAMS];
    CHECK_EQ_INT(t, svc_pool_order(&s->exec, order), 0);
    CHECK(t, !svc_chain_id_confirmed(s));
    CHECK(t, !can_sign(s));

    /* The wrong one and the unreachable one are left out; the right one is used. */
    CHECK_EQ_INT(t, svc_check_upstream_chain_ids(s), 1);
    CHECK(t, svc_chain_id_confirmed(s));
    CHECK(t, can_sign(s));
    CHECK_EQ_INT(t, svc_pool_order(&s->exec, order), 1);
    CHECK_EQ_INT(t, order[0], 1);
    CHECK_EQ_INT(t, atomic_load(&s->exec.ep[0].chain_check), SVC_CHAIN_DIFFERS);
    CHECK_EQ_INT(t, atomic_load(&s->exec.ep[2].chain_check), SVC_CHAIN_UNCHECKED);
    CHECK(t, strstr(s->chain_id_error, "eth_chainId 5") != NULL);

    /* An agreeing provider is not asked again within SVC_CHAIN_RECHECK_S; the others are. */
    int before_right = right.requests, before_wrong = wrong.requests;
    CHECK_EQ_INT(t, svc_check_upstream_chain_ids(s), 1);
    CHECK_EQ_INT(t, right.requests, before_right);
    CHECK_EQ_INT(t, wrong.requests, before_wrong + 1);

    /* The right one switches chains: at its next check it is dropped, nothing is signed. */
    atomic_store(&s->exec.ep[1].chain_checked_at, 0);
    right.chain_id = "0x7a6a";
    CHECK_EQ_INT(t, svc_check_upstream_chain_ids(s), 0);
    CHECK(t, !svc_chain_id_confirmed(s));
    CHECK(t, !can_sign(s));
    CHECK_EQ_INT(t, svc_pool_order(&s->exec, order), 0);
    /* And back. */
    right.chain_id = "0x7a69";
    CHECK_EQ_INT(t, svc_check_upstream_chain_ids(s), 1);
    CHECK(t, can_sign(s));
    free_service(s);

    /* Only the wrong provider: never confirmed, never signs. */
    s = service_with(ports, 1, &lg);
    CHECK(t, s != NULL);
    if (s) {
        CHECK_EQ_INT(t, svc_check_upstream_chain_ids(s), 0);
        CHECK(t, !svc_chain_id_confirmed(s));
        CHECK(t, !can_sign(s));
        CHECK(t, strstr(s->chain_id_error, "signed for chain 31337") != NULL);
        free_service(s);
    }
    MHD_stop_daemon(dw);
    MHD_stop_daemon(dr);
}

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_ctx t;
    test_init(&t, "test_chainid");
    TEST_RUN(&t, test_selection);
    TEST_RUN(&t, test_upstream_check);
    curl_global_cleanup();
    return test_finish(&t);
}
