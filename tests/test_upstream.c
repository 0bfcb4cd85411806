/* The libcurl upstream client against a local JSON-RPC server (our own api server with a
 * scripted backend): single calls, batches, error objects, size limits, retries. */
#include <curl/curl.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "api/api.h"
#include "src/upstream.h"
#include "tests/test.h"

typedef struct {
    atomic_int health_calls;
} script;

static void no_block(void *ctx, bool f, api_response *out) {
    (void)ctx, (void)f;
    char big[3000];
    memset(big, 'a', sizeof big);
    api_response_text(out, 200, "text/plain", big, sizeof big);
}
static void no_call(void *ctx, const api_call_request *r, api_response *out) {
    (void)ctx, (void)r;
    api_response_error(out, 404, "x", "x");
}
static void no_attest(void *ctx, const uint8_t *n, size_t l, api_response *out) {
    (void)ctx, (void)n, (void)l;
    api_response_error(out, 404, "x", "x");
}
static void flaky_health(void *ctx, api_response *out) {
    script *s = ctx;
    atomic_fetch_add(&s->health_calls, 1);
    api_response_error(out, 503, "down", "down");
}
static void rpc(void *ctx, const char *method, json_object *params, api_rpc_result *out) {
    (void)ctx;
    if (!strcmp(method, "echo")) out->result = json_object_get(params);
    else if (!strcmp(method, "eth_chainId")) out->result = json_object_new_string("0x7a69");
    else api_rpc_fail(out, -32000, "no %s here", method);
}

static void test_rpc_and_limits(test_ctx *t) {
    script sc;
    atomic_init(&sc.health_calls, 0);
    api_backend b = {.ctx = &sc, .block = no_block, .call = no_call, .attest = no_attest, .health = flaky_health, .rpc = rpc};
    api_options o;
    api_options_default(&o);
    o.port = 0;
    o.threads = 2;
    api_server *srv = NULL;
    cd_error e;
    CHECK_OK(t, api_server_start(&srv, &o, &b, &e));
    if (!srv) return;
    char url[1][SVC_URL_MAX];
    snprintf(url[0], sizeof url[0], "http://127.0.0.1:%u", api_server_port(srv));
    svc_log lg;
    svc_log_init(&lg, SVC_LOG_ERROR, NULL);
    svc_pool p;
    CHECK_OK(t, svc_pool_init(&p, "execution", url, 1, NULL, &lg, &e));

    json_object *r = NULL;
    CHECK_OK(t, svc_rpc(&p, 0, "eth_chainId", NULL, &r, &e));
    CHECK_EQ_STR(t, r ? json_object_get_string(r) : NULL, "0x7a69");
    json_object_put(r);
    CHECK_ERR(t, svc_rpc(&p, 0, "eth_nope", "[]", &r, &e), CD_ERR_UPSTREAM);
    CHECK(t, strstr(cd_error_text(&e), "no eth_nope here") != NULL);

    const char *methods[3] = {"echo", "eth_chainId", "echo"};
    const char *params[3] = {"[1]", "[]", "[\"x\",2]"};
    json_object *res[3];
    CHECK_OK(t, svc_rpc_batch(&p, 0, 3, methods, params, res, &e));
    CHECK_EQ_STR(t, json_object_to_json_string_ext(res[2], JSON_C_TO_STRING_PLAIN), "[\"x\",2]");
    CHECK_EQ_STR(t, json_object_get_string(res[1]), "0x7a69");
    for (int i = 0; i < 3; i++) json_object_put(res[i]);
    const char *m2[2] = {"echo", "eth_nope"};
    const char *p2[2] = {"[]", "[]"};
    CHECK_ERR(t, svc_rpc_batch(&p, 0, 2, m2, p2, res, &e), CD_ERR_UPSTREAM);

    /* Bounded responses. */
    cd_buf body = {0};
    long status = 0;
    p.max_response = 1000;
    CHECK_ERR(t, svc_http(&p, 0, "/block", NULL, NULL, NULL, 0, &body, &status, &e), CD_ERR_TOO_LARGE);
    p.max_response = 4000;
    body.len = 0;
    char ctype[64];
    CHECK_OK(t, svc_http_ex(&p, 0, "/block", NULL, NULL, NULL, 0, &body, &status, ctype, sizeof ctype, &e));
    CHECK_EQ_INT(t, body.len, 3000);
    CHECK_EQ_STR(t, ctype, "text/plain");
    /* 5xx is retried (1 + retries attempts), 404 is not. */
    p.retries = 2;
    body.len = 0;
    CHECK_ERR(t, svc_http(&p, 0, "/health", NULL, NULL, NULL, 0, &body, &status, &e), CD_ERR_UPSTREAM);
    CHECK_EQ_INT(t, atomic_load(&sc.health_calls), 3);
    CHECK_EQ_INT(t, status, 503);
    uint64_t before = atomic_load(&p.ep[0].requests);
    body.len = 0;
    CHECK_ERR(t, svc_http(&p, 0, "/nothing", NULL, NULL, NULL, 0, &body, &status, &e), CD_ERR_UPSTREAM);
    CHECK_EQ_U64(t, atomic_load(&p.ep[0].requests), before + 1);
    CHECK_EQ_INT(t, status, 404);
    cd_buf_free(&body);

    /* A provider caught lying goes to the back of the order. */
    svc_pool_free(&p);
    char urls[2][SVC_URL_MAX];
    snprintf(urls[0], SVC_URL_MAX, "%.200s", url[0]);
    snprintf(urls[1], SVC_URL_MAX, "%.200s/", url[0]);
    CHECK_OK(t, svc_pool_init(&p, "execution", urls, 2, NULL, &lg, &e));
    unsigned order[SVC_MAX_UPSTREAMS];
    CHECK_EQ_INT(t, svc_pool_order(&p, order), 2);
    CHECK_EQ_INT(t, order[0], 0);
    svc_pool_report_lie(&p, 0, "bad proof");
    svc_pool_order(&p, order);
    CHECK_EQ_INT(t, order[0], 1);
    CHECK_EQ_INT(t, order[1], 0);
    cd_buf m = {0};
    svc_pool_metrics(&p, &m);
    CHECK(t, m.data && memmem(m.data, m.len, "candor_upstream_lies_total{kind=\"execution\",provider=\"http://127.0.0.1", 70));
    cd_buf_free(&m);
    svc_pool_free(&p);
    /* Unreachable provider: transport error, not a crash. */
    snprintf(url[0], SVC_URL_MAX, "http://127.0.0.1:1");
    CHECK_OK(t, svc_pool_init(&p, "consensus", url, 1, NULL, &lg, &e));
    p.retries = 0;
    CHECK_ERR(t, svc_rpc(&p, 0, "eth_chainId", NULL, &r, &e), CD_ERR_UPSTREAM);
    svc_pool_free(&p);
    api_server_stop(srv);
}

static void test_endpoint_parse(test_ctx *t) {
    svc_endpoint ep;
    cd_error e;
    CHECK_OK(t, svc_endpoint_parse(&ep, "https://user:key@node.example/v1/KEY#sha256//AbCd=", &e));
    CHECK_EQ_STR(t, ep.url, "https://user:key@node.example/v1/KEY");
    CHECK_EQ_STR(t, ep.pin, "sha256//AbCd=");
    CHECK_EQ_STR(t, ep.display, "https://node.example");
    CHECK_ERR(t, svc_endpoint_parse(&ep, "http://x#sha256//AbCd=", &e), CD_ERR_CONFIG);
    CHECK_ERR(t, svc_endpoint_parse(&ep, "https://x#md5//AbCd=", &e), CD_ERR_CONFIG);
    CHECK_OK(t, svc_endpoint_parse(&ep, "vsock://3:8545/rpc", &e));
    CHECK(t, ep.vsock && ep.cid == 3 && ep.vport == 8545);
    CHECK_EQ_STR(t, ep.url, "http://vsock/rpc");
    CHECK_ERR(t, svc_endpoint_parse(&ep, "vsock://x:1", &e), CD_ERR_CONFIG);
    CHECK_ERR(t, svc_endpoint_parse(&ep, "vsock://1:99999", &e), CD_ERR_CONFIG);
}

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_ctx t;
    test_init(&t, "test_upstream");
    TEST_RUN(&t, test_rpc_and_limits);
    TEST_RUN(&t, test_endpoint_parse);
    curl_global_cleanup();
    return test_finish(&t);
}
