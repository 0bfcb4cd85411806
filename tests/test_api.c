/* The HTTP layer against bad input: a real server on 127.0.0.1 (port 0), real requests
 * with libcurl, and a recording backend (no verification here, only framing). */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api.h"
#include "tests/test.h"

typedef struct {
    int calls;
    api_call_request last_call;
    char last_method[64];
    size_t last_params;
    bool last_finalized;
    size_t last_nonce_len;
} fake;

static void fake_block(void *ctx, bool finalized, api_response *out) {
    fake *f = ctx;
    f->calls++;
    f->last_finalized = finalized;
    api_response_text(out, 200, NULL, "{\"blocknum\":\"7\"}", 16);
}
static void fake_call(void *ctx, const api_call_request *req, api_response *out) {
    fake *f = ctx;
    f->calls++;
    f->last_call = *req;
    f->last_call.input.data = NULL; /* not owned */
    json_object *o = json_object_new_object();
    json_object_object_add(o, "inputLen", json_object_new_int((int)req->input.len));
    api_response_json(out, 200, o);
}
static void fake_attest(void *ctx, const uint8_t *nonce, size_t n, api_response *out) {
    fake *f = ctx;
    (void)nonce;
    f->last_nonce_len = n;
    api_response_text(out, 200, NULL, "{}", 2);
}
static void fake_health(void *ctx, api_response *out) {
    (void)ctx;
    api_response_error(out, 503, "not_synced", "syncing");
}
static void fake_metrics(void *ctx, cd_buf *out) {
    (void)ctx;
    if (cd_buf_append(out, "candor_fake 1\n", 14) != CD_OK) return;
}
static void fake_rpc(void *ctx, const char *method, json_object *params, api_rpc_result *out) {
    fake *f = ctx;
    f->calls++;
    snprintf(f->last_method, sizeof f->last_method, "%s", method);
    f->last_params = json_object_array_length(params);
    if (!strcmp(method, "eth_chainId")) out->result = json_object_new_string("0x1");
    else api_rpc_fail(out, API_RPC_METHOD_NOT_FOUND, "method %s not supported", method);
}

typedef struct {
    long status;
    char body[8192];
    size_t len;
} http_answer;

static size_t collect(char *p, size_t sz, size_t n, void *ud) {
    http_answer *a = ud;
    size_t k = sz * n;
    size_t room = sizeof a->body - 1 - a->len;
    size_t c = k < room ? k : room;
    memcpy(a->body + a->len, p, c);
    a->len += c;
    a->body[a->len] = '\0';
    return k;
}

static void request(uint16_t port, const char *method, const char *path, const char *body,
                    size_t body_len, http_answer *a) {
    memset(a, 0, sizeof *a);
    CURL *c = curl_easy_init();
    if (!c) return;
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static void post(uint16_t port, const char *path, const char *body, http_answer *a) {
    request(port, "POST", path, body, strlen(body), a);
}

#define HAS(a, s) (strstr((a).body, (s)) != NULL)

/* Starts the server on a free loopback port over the fake backend, with options `o`. */
static api_server *start_with(test_ctx *t, fake *f, api_backend *b, const api_options *o) {
    memset(f, 0, sizeof *f);
    memset(b, 0, sizeof *b);
    b->ctx = f;
    b->block = fake_block;
    b->call = fake_call;
    b->attest = fake_attest;
    b->health = fake_health;
    b->metrics = fake_metrics;
    b->rpc = fake_rpc;
    api_server *s = NULL;
    cd_error e;
    CHECK_OK(t, api_server_start(&s, o, b, &e));
    if (s) CHECK(t, api_server_port(s) != 0);
    return s;
}

/* The options most tests use: small body and batch limits to test them cheaply. */
static api_server *start(test_ctx *t, fake *f, api_backend *b) {
    api_options o;
    api_options_default(&o);
    o.port = 0;
    o.max_body = 4096;
    o.max_batch = 3;
    o.threads = 2;
    return start_with(t, f, b, &o);
}

static void test_routes_and_call_validation(test_ctx *t) {
    fake f;
    api_backend b;
    api_server *s = start(t, &f, &b);
    if (!s) return;
    uint16_t port = api_server_port(s);
    http_answer a;
    request(port, "GET", "/health", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 503);
    request(port, "GET", "/nope", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 404);
    request(port, "GET", "/call", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 405);
    request(port, "GET", "/block?tag=finalized", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 200);
    CHECK(t, f.last_finalized);
    request(port, "GET", "/block?tag=pending", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 400);
    request(port, "GET", "/block?foo=1", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "foo"));
    request(port, "GET", "/attest?nonce=0xzz", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 400);
    request(port, "GET", "/attest?nonce=0x0102", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 200);
    CHECK_EQ_INT(t, f.last_nonce_len, 2);

    int before = f.calls;
    post(port, "/call", "{\"to\":", &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "bad_json"));
    post(port, "/call", "{\"to\":\"0x00\"} x", &a);
    CHECK_EQ_INT(t, a.status, 400);
    post(port, "/call", "[1]", &a);
    CHECK_EQ_INT(t, a.status, 400);
    post(port, "/call", "{\"to\":\"0x12\",\"input\":\"0x\"}", &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "bad_hex"));
    post(port, "/call", "{\"to\":\"0x1111111111111111111111111111111111111111\",\"input\":\"0xabc\"}", &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "bad_hex"));
    post(port, "/call", "{\"to\":\"0x1111111111111111111111111111111111111111\",\"input\":\"0x\",\"extra\":1}", &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "unknown field 'extra'"));
    post(port, "/call", "{\"input\":\"0x\"}", &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "missing field 'to'"));
    post(port, "/call", "{\"to\":\"0x1111111111111111111111111111111111111111\",\"input\":\"0x\",\"block\":\"pending\"}", &a);
    CHECK_EQ_INT(t, a.status, 400);
    post(port, "/call", "{\"to\":\"0x1111111111111111111111111111111111111111\",\"input\":\"0x\",\"gas\":\"0x10000000000000000\"}", &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK_EQ_INT(t, f.calls, before); /* nothing malformed reached the backend */
    char big[5000];
    memset(big, ' ', sizeof big);
    big[0] = '{';
    big[sizeof big - 1] = '}';
    request(port, "POST", "/call", big, sizeof big, &a);
    CHECK_EQ_INT(t, a.status, 413);

    post(port, "/call", "{\"to\":\"0x1111111111111111111111111111111111111111\",\"input\":\"0x70a08231\","
                        "\"from\":\"0x2222222222222222222222222222222222222222\",\"value\":\"0x5\",\"gas\":\"0x7a120\",\"block\":\"finalized\"}", &a);
    CHECK_EQ_INT(t, a.status, 200);
    CHECK(t, HAS(a, "\"inputLen\":4"));
    CHECK_EQ_INT(t, f.last_call.to.b[0], 0x11);
    CHECK_EQ_INT(t, f.last_call.from.b[19], 0x22);
    CHECK_EQ_U64(t, f.last_call.value.w[0], 5);
    CHECK_EQ_U64(t, f.last_call.gas, 500000);
    CHECK_EQ_INT(t, f.last_call.block.kind, API_BLOCK_FINALIZED);

    request(port, "GET", "/metrics", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 200);
    CHECK(t, HAS(a, "candor_http_requests_total{route=\"call\",class=\"4xx\"}"));
    CHECK(t, HAS(a, "candor_fake 1"));
    api_server_stop(s);
}

/* A backend route: echoes what it was given, so the test sees exactly what got through. */
static void fake_extra(void *ctx, json_object *body, const api_query *q, api_response *out) {
    fake *f = ctx;
    f->calls++;
    json_object *o = json_object_new_object();
    const char *k = q ? api_query_get(q, "k") : NULL;
    json_object_object_add(o, "k", k ? json_object_new_string(k) : NULL);
    json_object_object_add(o, "body", body ? json_object_get(body) : NULL);
    api_response_json(out, 200, o);
}

static void test_backend_routes(test_ctx *t) {
    fake f;
    api_backend b;
    api_options o;
    api_options_default(&o);
    o.port = 0;
    o.max_body = 4096;
    memset(&f, 0, sizeof f);
    memset(&b, 0, sizeof b);
    b.ctx = &f;
    b.block = fake_block;
    b.call = fake_call;
    b.attest = fake_attest;
    b.health = fake_health;
    b.rpc = fake_rpc;
    static const char *const k_only[] = {"k", NULL};
    api_route get = {"/thing", "thing", false, k_only, fake_extra};
    api_route post_r = {"/thing/do", "thing_do", true, NULL, fake_extra};
    CHECK_OK(t, api_backend_add_route(&b, &get));
    CHECK_OK(t, api_backend_add_route(&b, &post_r));
    api_route dup = {"/thing", "again", false, NULL, fake_extra};
    CHECK_ERR(t, api_backend_add_route(&b, &dup), CD_ERR_INVALID_ARG);
    api_route builtin = {"/block", "block2", false, NULL, fake_extra};
    CHECK_ERR(t, api_backend_add_route(&b, &builtin), CD_ERR_INVALID_ARG);
    api_route filler = {"/f", "f", false, NULL, fake_extra};
    api_backend full = b;
    cd_status last = CD_OK;
    char paths[API_MAX_ROUTES][8];
    for (int i = 0; i < API_MAX_ROUTES && last == CD_OK; i++) {
        snprintf(paths[i], sizeof paths[i], "/f%d", i);
        filler.path = paths[i];
        last = api_backend_add_route(&full, &filler);
    }
    CHECK_ERR(t, last, CD_ERR_TOO_LARGE);

    api_server *s = NULL;
    cd_error e;
    CHECK_OK(t, api_server_start(&s, &o, &b, &e));
    if (!s) return;
    uint16_t port = api_server_port(s);
    http_answer a;
    request(port, "GET", "/thing?k=v1", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 200);
    CHECK(t, HAS(a, "\"k\":\"v1\""));
    int before = f.calls;
    request(port, "GET", "/thing?other=1", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 400);
    request(port, "POST", "/thing", "{}", 2, &a);
    CHECK_EQ_INT(t, a.status, 405);
    request(port, "GET", "/thing/do", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 405);
    post(port, "/thing/do", "{\"x\":", &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "bad_json"));
    char big[5000];
    memset(big, ' ', sizeof big);
    big[0] = '{';
    big[sizeof big - 1] = '}';
    request(port, "POST", "/thing/do", big, sizeof big, &a);
    CHECK_EQ_INT(t, a.status, 413);
    CHECK_EQ_INT(t, f.calls, before); /* nothing malformed reached the handler */
    post(port, "/thing/do", "{\"x\":[1,2]}", &a);
    CHECK_EQ_INT(t, a.status, 200);
    CHECK(t, HAS(a, "\"body\":{\"x\":[1,2]}"));
    request(port, "GET", "/metrics", NULL, 0, &a);
    CHECK(t, HAS(a, "candor_http_requests_total{route=\"thing_do\",class=\"2xx\"} 1"));
    CHECK(t, HAS(a, "candor_http_requests_total{route=\"thing\",class=\"4xx\"} 2"));
    api_server_stop(s);
}

static void test_jsonrpc_shapes(test_ctx *t) {
    fake f;
    api_backend b;
    api_server *s = start(t, &f, &b);
    if (!s) return;
    uint16_t port = api_server_port(s);
    http_answer a;
    post(port, "/", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}", &a);
    CHECK_EQ_INT(t, a.status, 200);
    CHECK_EQ_STR(t, a.body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}");
    post(port, "/", "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"eth_foo\"}", &a);
    CHECK(t, HAS(a, "\"id\":\"a\"") && HAS(a, "-32601"));
    CHECK_EQ_INT(t, f.last_params, 0);
    post(port, "/", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":", &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "-32700") && HAS(a, "\"id\":null"));
    post(port, "/", "{\"id\":1,\"method\":\"eth_chainId\"}", &a);
    CHECK(t, HAS(a, "-32600"));
    post(port, "/", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"eth_chainId\"}", &a);
    CHECK(t, HAS(a, "-32600"));
    post(port, "/", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":{}}", &a);
    CHECK(t, HAS(a, "-32602"));
    post(port, "/", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":5}", &a);
    CHECK(t, HAS(a, "-32600"));
    post(port, "/", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", &a);
    CHECK(t, HAS(a, "-32600"));
    post(port, "/", "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"eth_chainId\"}", &a);
    CHECK(t, HAS(a, "-32600") && HAS(a, "\"id\":null"));
    post(port, "/", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"x\":1}", &a);
    CHECK(t, HAS(a, "-32600") && HAS(a, "'x'"));
    post(port, "/", "[]", &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "-32600"));
    post(port, "/", "5", &a);
    CHECK_EQ_INT(t, a.status, 400);
    post(port, "/", "[1,{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_chainId\"}]", &a);
    CHECK_EQ_INT(t, a.status, 200);
    CHECK(t, a.body[0] == '[' && HAS(a, "-32600") && HAS(a, "\"result\":\"0x1\""));
    post(port, "/", "[1,2,3,4]", &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "limit"));
    int before = f.calls;
    post(port, "/", "{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\"}", &a);
    CHECK_EQ_INT(t, a.status, 204);
    CHECK_EQ_INT(t, a.len, 0);
    CHECK_EQ_INT(t, f.calls, before + 1);
    post(port, "/", "[{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\"}]", &a);
    CHECK_EQ_INT(t, a.status, 204);
    /* Deep nesting is refused by the parser, not by the stack. */
    char deep[2100];
    for (int i = 0; i < 1000; i++) deep[i] = '[';
    for (int i = 0; i < 1000; i++) deep[1000 + i] = ']';
    deep[2000] = '\0';
    post(port, "/", deep, &a);
    CHECK_EQ_INT(t, a.status, 400);
    CHECK(t, HAS(a, "-32700"));
    request(port, "GET", "/", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 405);
    api_server_stop(s);
}

static void test_block_refs(test_ctx *t) {
    api_block_ref r;
    cd_error e;
    json_object *v = json_object_new_string("0x10");
    CHECK_OK(t, api_get_block_ref(v, "block", &r, &e));
    CHECK_EQ_INT(t, r.kind, API_BLOCK_NUMBER);
    CHECK_EQ_U64(t, r.number, 16);
    json_object_put(v);
    v = json_object_new_string("earliest");
    CHECK_ERR(t, api_get_block_ref(v, "block", &r, &e), CD_ERR_UNSUPPORTED);
    json_object_put(v);
    v = json_object_new_string("10");
    CHECK_ERR(t, api_get_block_ref(v, "block", &r, &e), CD_ERR_BAD_HEX);
    json_object_put(v);
    json_object *o = NULL;
    const char *j = "{\"blockHash\":\"0x1111111111111111111111111111111111111111111111111111111111111111\"}";
    CHECK_OK(t, api_json_parse(j, strlen(j), &o, &e));
    CHECK_OK(t, api_get_block_ref(o, "block", &r, &e));
    CHECK_EQ_INT(t, r.kind, API_BLOCK_HASH);
    json_object_put(o);
    const char *j2 = "{\"blockHash\":\"0x11\",\"blockNumber\":\"0x1\"}";
    CHECK_OK(t, api_json_parse(j2, strlen(j2), &o, &e));
    CHECK_ERR(t, api_get_block_ref(o, "block", &r, &e), CD_ERR_BAD_JSON);
    json_object_put(o);
    CHECK_ERR(t, api_json_parse("{\"a\":1}\0", 8, &o, &e), CD_ERR_BAD_JSON);
    CHECK_ERR(t, api_json_parse("{'a':1}", 7, &o, &e), CD_ERR_BAD_JSON);
}

static int connect_local(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* True when the server closes `fd` (EOF or reset) within `ms`. */
static bool closed_within(int fd, int ms) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return false;
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    return n <= 0;
}

static void test_connection_limit_and_timeout(test_ctx *t) {
    fake f;
    api_backend b;
    api_options o;
    api_options_default(&o);
    o.port = 0;
    o.threads = 1;
    o.max_connections = 2;
    o.timeout_s = 1;
    api_server *s = start_with(t, &f, &b, &o);
    if (!s) return;
    uint16_t port = api_server_port(s);
    int c1 = connect_local(port), c2 = connect_local(port);
    CHECK(t, c1 >= 0 && c2 >= 0);
    /* Two connections hold the limit: a third waits in the backlog, unserved. */
    const char partial[] = "GET /health HTTP/1.1\r\nHost: x\r\n";
    const char full[] = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    CHECK(t, send(c1, partial, sizeof partial - 1, 0) > 0);
    usleep(100000);
    int c3 = connect_local(port);
    CHECK(t, c3 >= 0);
    if (c3 >= 0) CHECK(t, send(c3, full, sizeof full - 1, 0) > 0);
    struct pollfd p3 = {c3, POLLIN, 0};
    CHECK_EQ_INT(t, poll(&p3, 1, 300), 0);
    /* The half-sent request and the idle connection are dropped after the 1 s timeout... */
    CHECK(t, closed_within(c1, 4000));
    /* ...and the waiting request is then answered. */
    char buf[64] = {0};
    struct pollfd q3 = {c3, POLLIN, 0};
    CHECK(t, poll(&q3, 1, 4000) == 1 && recv(c3, buf, sizeof buf - 1, 0) > 12 && !strncmp(buf, "HTTP/1.1 503", 12));
    if (c1 >= 0) close(c1);
    if (c2 >= 0) close(c2);
    if (c3 >= 0) close(c3);
    /* Once they are gone, requests are served again. */
    usleep(200000);
    http_answer a;
    request(port, "GET", "/health", NULL, 0, &a);
    CHECK_EQ_INT(t, a.status, 503);
    api_server_stop(s);
}

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_ctx t;
    test_init(&t, "test_api");
    TEST_RUN(&t, test_routes_and_call_validation);
    TEST_RUN(&t, test_jsonrpc_shapes);
    TEST_RUN(&t, test_backend_routes);
    TEST_RUN(&t, test_block_refs);
    TEST_RUN(&t, test_connection_limit_and_timeout);
    curl_global_cleanup();
    return test_finish(&t);
}
