/* The libmicrohttpd server: listening socket (TCP or vsock), limits, routing. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "api/api.h"

#define NONCE_MAX 64

/* Built-in routes, then the backend's own (ROUTE_COUNT + k for backend route k). */
enum { ROUTE_BLOCK, ROUTE_CALL, ROUTE_ATTEST, ROUTE_HEALTH, ROUTE_METRICS, ROUTE_RPC, ROUTE_OTHER, ROUTE_COUNT };
static const char *const route_names[ROUTE_COUNT] = {"block", "call", "attest", "health", "metrics", "rpc", "other"};
#define ROUTE_SLOTS (ROUTE_COUNT + API_MAX_ROUTES)
enum { CLASS_2XX, CLASS_4XX, CLASS_5XX, CLASS_COUNT };
static const char *const class_names[CLASS_COUNT] = {"2xx", "4xx", "5xx"};

struct api_server {
    struct MHD_Daemon *daemon;
    int listen_fd;
    uint16_t port;
    api_options opt;
    api_backend backend;
    atomic_uint_fast64_t requests[ROUTE_SLOTS][CLASS_COUNT];
    atomic_uint_fast64_t too_large;
    atomic_uint_fast64_t latency_us_sum[ROUTE_SLOTS];
};

struct api_query {
    struct MHD_Connection *c;
};

const char *api_query_get(const api_query *q, const char *key) {
    return MHD_lookup_connection_value(q->c, MHD_GET_ARGUMENT_KIND, key);
}

static const char *route_name(const api_server *s, int route) {
    return route < ROUTE_COUNT ? route_names[route] : s->backend.routes[route - ROUTE_COUNT].name;
}

/* Per-request state across libmicrohttpd's calls to the access handler. */
typedef struct {
    cd_buf body;
    bool too_large;
    struct timespec start;
} request_state;

void api_options_default(api_options *o) {
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 8545;
    o->max_connections = 256;
    o->timeout_s = 30;
    o->max_body = 512 * 1024;
    o->threads = 4;
    o->max_batch = 100;
}

static double ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static enum MHD_Result send_response(api_server *s, struct MHD_Connection *c, int route,
                                     api_response *r, const char *method, const char *url,
                                     const struct timespec *start) {
    if (!r->body) api_response_error(r, r->status ? r->status : 500, "internal", "no answer");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        api_response_free(r);
        return MHD_NO;
    }
    r->body = NULL; /* now owned by the response */
    MHD_add_response_header(resp, "Content-Type",
                            r->content_type ? r->content_type : "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    int cls = r->status < 400 ? CLASS_2XX : r->status < 500 ? CLASS_4XX : CLASS_5XX;
    atomic_fetch_add(&s->requests[route][cls], 1);
    double ms = ms_since(start);
    atomic_fetch_add(&s->latency_us_sum[route], (uint64_t)(ms * 1000));
    if (s->backend.log_request) s->backend.log_request(s->backend.ctx, method, url, r->status, ms);
    return ret;
}

static void server_metrics(api_server *s, cd_buf *out) {
    char line[256];
    static const char hdr[] = "# HELP candor_http_requests_total HTTP requests by route and status class\n"
                              "# TYPE candor_http_requests_total counter\n";
    if (cd_buf_append(out, hdr, sizeof hdr - 1) != CD_OK) return;
    int routes = ROUTE_COUNT + (int)s->backend.n_routes;
    for (int r = 0; r < routes; r++)
        for (int c = 0; c < CLASS_COUNT; c++) {
            int n = snprintf(line, sizeof line, "candor_http_requests_total{route=\"%s\",class=\"%s\"} %llu\n",
                             route_name(s, r), class_names[c],
                             (unsigned long long)atomic_load(&s->requests[r][c]));
            if (cd_buf_append(out, line, (size_t)n) != CD_OK) return;
        }
    static const char hdr2[] = "# TYPE candor_http_request_seconds_sum counter\n";
    if (cd_buf_append(out, hdr2, sizeof hdr2 - 1) != CD_OK) return;
    for (int r = 0; r < routes; r++) {
        int n = snprintf(line, sizeof line, "candor_http_request_seconds_sum{route=\"%s\"} %.6f\n",
                         route_name(s, r), (double)atomic_load(&s->latency_us_sum[r]) / 1e6);
        if (cd_buf_append(out, line, (size_t)n) != CD_OK) return;
    }
    int n = snprintf(line, sizeof line,
                     "# TYPE candor_http_body_too_large_total counter\ncandor_http_body_too_large_total %llu\n",
                     (unsigned long long)atomic_load(&s->too_large));
    if (cd_buf_append(out, line, (size_t)n) != CD_OK) return;
}

/* Only the query parameters a route knows; anything else is a 400, like unknown JSON fields. */
typedef struct {
    const char *const *allowed;
    char bad[64];
} query_check;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind, (void)value;
    query_check *q = cls;
    for (const char *const *a = q->allowed; *a; a++)
        if (!strcmp(*a, key)) return MHD_YES;
    snprintf(q->bad, sizeof q->bad, "%s", key);
    return MHD_NO;
}

static bool unknown_query(struct MHD_Connection *c, const char *const *allowed, api_response *r) {
    query_check q = {allowed, {0}};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_arg, &q);
    if (!q.bad[0]) return false;
    api_response_error(r, 400, "unknown_parameter", "unknown query parameter '%s'", q.bad);
    return true;
}

static void route_get(api_server *s, struct MHD_Connection *c, int route, api_response *r) {
    const api_backend *b = &s->backend;
    static const char *const tag_args[] = {"tag", NULL};
    static const char *const nonce_args[] = {"nonce", NULL};
    static const char *const no_args[] = {NULL};
    switch (route) {
    case ROUTE_BLOCK: {
        if (unknown_query(c, tag_args, r)) return;
        const char *tag = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "tag");
        bool finalized = false;
        if (tag && !strcmp(tag, "finalized")) finalized = true;
        else if (tag && strcmp(tag, "latest")) {
            api_response_error(r, 400, "bad_tag", "tag must be 'latest' or 'finalized'");
            return;
        }
        b->block(b->ctx, finalized, r);
        return;
    }
    case ROUTE_ATTEST: {
        if (unknown_query(c, nonce_args, r)) return;
        const char *nonce = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "nonce");
        uint8_t buf[NONCE_MAX];
        size_t n = 0;
        if (nonce && (strncmp(nonce, "0x", 2) || cd_hex_decode(nonce, strlen(nonce), buf, sizeof buf, &n) != CD_OK)) {
            api_response_error(r, 400, "bad_hex", "nonce must be 0x-hex of at most %d bytes", NONCE_MAX);
            return;
        }
        b->attest(b->ctx, nonce ? buf : NULL, n, r);
        return;
    }
    case ROUTE_HEALTH:
        if (unknown_query(c, no_args, r)) return;
        b->health(b->ctx, r);
        return;
    case ROUTE_METRICS: {
        if (unknown_query(c, no_args, r)) return;
        cd_buf out = {0};
        server_metrics(s, &out);
        if (b->metrics) b->metrics(b->ctx, &out);
        api_response_text(r, 200, "text/plain; version=0.0.4", out.data ? (const char *)out.data : "", out.len);
        cd_buf_free(&out);
        return;
    }
    }
    api_response_error(r, 405, "method_not_allowed", "use POST");
}

static void route_post(api_server *s, int route, const request_state *st, api_response *r) {
    const api_backend *b = &s->backend;
    const char *body = st->body.data ? (const char *)st->body.data : "";
    if (route == ROUTE_RPC) {
        unsigned status = 200;
        size_t len = 0;
        char *text = api_jsonrpc_handle(b, body, st->body.len, s->opt.max_batch, &status, &len);
        if (!text) {
            if (status == 200) status = 204; /* notifications only */
            r->status = status;
            r->body = malloc(1);
            if (r->body) r->body[0] = '\0';
            r->len = 0;
            return;
        }
        r->status = status;
        r->body = text;
        r->len = len;
        return;
    }
    if (route == ROUTE_CALL) {
        json_object *j = NULL;
        cd_error err;
        if (api_json_parse(body, st->body.len, &j, &err) != CD_OK) {
            api_response_error(r, 400, "bad_json", "%s", cd_error_text(&err));
            return;
        }
        api_call_request req;
        cd_status cs = api_parse_call_request(j, &req, &err);
        json_object_put(j);
        if (cs != CD_OK) {
            api_response_error(r, 400, cs == CD_ERR_BAD_HEX ? "bad_hex" : cs == CD_ERR_TOO_LARGE ? "too_large"
                                       : cs == CD_ERR_UNSUPPORTED ? "unverifiable" : "bad_request",
                               "%s", cd_error_text(&err));
            return;
        }
        b->call(b->ctx, &req, r);
        api_call_request_free(&req);
        return;
    }
    api_response_error(r, 405, "method_not_allowed", "use GET");
}

/* A backend route: method, query and body checks, then its handler. */
static void route_extra(api_server *s, struct MHD_Connection *c, const api_route *rt, bool is_get,
                        bool is_post, const request_state *st, api_response *r) {
    static const char *const no_args[] = {NULL};
    if (rt->post ? !is_post : !is_get) {
        api_response_error(r, 405, "method_not_allowed", "use %s", rt->post ? "POST" : "GET");
        return;
    }
    api_query q = {c};
    if (!rt->post) {
        if (unknown_query(c, rt->query ? rt->query : no_args, r)) return;
        rt->handler(s->backend.ctx, NULL, &q, r);
        return;
    }
    json_object *j = NULL;
    cd_error err;
    const char *body = st->body.data ? (const char *)st->body.data : "";
    if (api_json_parse(body, st->body.len, &j, &err) != CD_OK) {
        api_response_error(r, 400, "bad_json", "%s", cd_error_text(&err));
        return;
    }
    rt->handler(s->backend.ctx, j, &q, r);
    json_object_put(j);
}

static int builtin_route_of(const char *url) {
    if (!strcmp(url, "/")) return ROUTE_RPC;
    if (!strcmp(url, "/block")) return ROUTE_BLOCK;
    if (!strcmp(url, "/call")) return ROUTE_CALL;
    if (!strcmp(url, "/attest")) return ROUTE_ATTEST;
    if (!strcmp(url, "/health")) return ROUTE_HEALTH;
    if (!strcmp(url, "/metrics")) return ROUTE_METRICS;
    return ROUTE_OTHER;
}

static int route_of(const api_backend *b, const char *url) {
    int r = builtin_route_of(url);
    if (r != ROUTE_OTHER) return r;
    for (unsigned k = 0; k < b->n_routes; k++)
        if (!strcmp(url, b->routes[k].path)) return ROUTE_COUNT + (int)k;
    return ROUTE_OTHER;
}

cd_status api_backend_add_route(api_backend *b, const api_route *r) {
    if (!r->path || r->path[0] != '/' || !r->name || !r->handler) return CD_ERR_INVALID_ARG;
    if (route_of(b, r->path) != ROUTE_OTHER) return CD_ERR_INVALID_ARG;
    if (b->n_routes >= API_MAX_ROUTES) return CD_ERR_TOO_LARGE;
    b->routes[b->n_routes++] = *r;
    return CD_OK;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
    (void)version;
    api_server *s = cls;
    request_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &st->start);
        *con_cls = st;
        /* Refuse an announced oversized body before reading any of it. */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->opt.max_body) st->too_large = true;
        else return MHD_YES;
    }
    if (*upload_size) {
        if (!st->too_large) {
            if (st->body.len + *upload_size > s->opt.max_body) {
                st->too_large = true;
                cd_buf_free(&st->body);
            } else if (cd_buf_append(&st->body, upload, *upload_size) != CD_OK) {
                return MHD_NO;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    api_response r;
    memset(&r, 0, sizeof r);
    int route = route_of(&s->backend, url);
    bool is_get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    bool is_post = !strcmp(method, "POST");
    if (st->too_large) {
        atomic_fetch_add(&s->too_large, 1);
        api_response_error(&r, 413, "too_large", "request body exceeds %zu bytes", s->opt.max_body);
    } else if (route >= ROUTE_COUNT) {
        route_extra(s, c, &s->backend.routes[route - ROUTE_COUNT], is_get, is_post, st, &r);
    } else if (route == ROUTE_OTHER) {
        api_response_error(&r, 404, "not_found", "no route %.100s", url);
    } else if (route == ROUTE_RPC || route == ROUTE_CALL) {
        if (is_post) route_post(s, route, st, &r);
        else api_response_error(&r, 405, "method_not_allowed", "use POST");
    } else if (is_get) {
        route_get(s, c, route, &r);
    } else {
        api_response_error(&r, 405, "method_not_allowed", "use GET");
    }
    return send_response(s, c, route, &r, method, url, &st->start);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)cls, (void)c, (void)toe;
    request_state *st = *con_cls;
    if (st) {
        cd_buf_free(&st->body);
        free(st);
        *con_cls = NULL;
    }
}

CD_MUST_CHECK static cd_status open_listener(api_server *s, cd_error *err) {
    int fd = -1;
    if (s->opt.vsock) {
        struct sockaddr_vm a;
        memset(&a, 0, sizeof a);
        a.svm_family = AF_VSOCK;
        a.svm_cid = s->opt.cid;
        a.svm_port = s->opt.port;
        fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return cd_fail(err, CD_ERR_IO, "vsock socket: %s", strerror(errno));
        if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128) != 0) {
            int e = errno;
            close(fd);
            return cd_fail(err, CD_ERR_IO, "vsock bind %u:%u: %s", s->opt.cid, s->opt.port, strerror(e));
        }
        s->listen_fd = fd;
        s->port = s->opt.port;
        return CD_OK;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[8];
    snprintf(port, sizeof port, "%u", s->opt.port);
    int gai = getaddrinfo(s->opt.host, port, &hints, &res);
    if (gai != 0) return cd_fail(err, CD_ERR_IO, "listen address %s: %s", s->opt.host, gai_strerror(gai));
    int last = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 512) == 0) break;
        last = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) return cd_fail(err, CD_ERR_IO, "bind %s:%u: %s", s->opt.host, s->opt.port, strerror(last));
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    s->listen_fd = fd;
    return CD_OK;
}

cd_status api_server_start(api_server **out, const api_options *opt, const api_backend *backend,
                           cd_error *err) {
    *out = NULL;
    if (!backend->block || !backend->call || !backend->attest || !backend->health || !backend->rpc)
        return cd_fail(err, CD_ERR_INVALID_ARG, "backend is missing handlers");
    if (backend->n_routes > API_MAX_ROUTES) return cd_fail(err, CD_ERR_INVALID_ARG, "too many routes");
    api_server *s = calloc(1, sizeof *s);
    if (!s) return cd_fail(err, CD_ERR_NOMEM, "server");
    s->opt = *opt;
    if (s->opt.threads == 0) s->opt.threads = 1;
    if (s->opt.max_batch == 0) s->opt.max_batch = 1;
    s->backend = *backend;
    s->listen_fd = -1;
    cd_status st = open_listener(s, err);
    if (st != CD_OK) {
        free(s);
        return st;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    struct MHD_OptionItem ops[] = {
        {MHD_OPTION_LISTEN_SOCKET, s->listen_fd, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)s->opt.max_connections, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->opt.timeout_s, NULL},
        /* Bounds the header block too: a request whose headers do not fit gets a 431/413. */
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
        {s->opt.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)s->opt.threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
    if (!s->daemon) {
        close(s->listen_fd);
        free(s);
        return cd_fail(err, CD_ERR_IO, "libmicrohttpd did not start");
    }
    *out = s;
    return CD_OK;
}

uint16_t api_server_port(const api_server *s) { return s->port; }

void api_server_stop(api_server *s) {
    if (!s) return;
    /* MHD_stop_daemon closes the listening socket it was given. */
    if (s->daemon) MHD_stop_daemon(s->daemon);
    free(s);
}
