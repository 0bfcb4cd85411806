#include "src/upstream.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define DEFAULT_MAX_RESPONSE (64u * 1024 * 1024)
#define RPC_BATCH_MAX 1024

cd_status svc_endpoint_parse(svc_endpoint *e, const char *url, cd_error *err) {
    memset(e, 0, sizeof *e);
    const char *hash = strchr(url, '#');
    size_t base_len = hash ? (size_t)(hash - url) : strlen(url);
    if (hash) {
        const char *pin = hash + 1;
        if (strncmp(pin, "sha256//", 8) || strlen(pin) <= 8 || strlen(pin) >= sizeof e->pin)
            return cd_fail(err, CD_ERR_CONFIG, "URL pin must be #sha256//BASE64 of the public key");
        if (strncmp(url, "https://", 8))
            return cd_fail(err, CD_ERR_CONFIG, "a pinned URL must be https://");
        snprintf(e->pin, sizeof e->pin, "%s", pin);
    }
    if (base_len >= sizeof e->url) return cd_fail(err, CD_ERR_CONFIG, "URL too long");
    if (!strncmp(url, "vsock://", 8)) {
        unsigned long cid = 0, port = 0;
        int used = 0;
        if (sscanf(url + 8, "%lu:%lu%n", &cid, &port, &used) != 2 || cid > UINT32_MAX || port > 65535)
            return cd_fail(err, CD_ERR_CONFIG, "vsock URL must be vsock://CID:PORT[/path]");
        e->vsock = true;
        e->cid = (uint32_t)cid;
        e->vport = (uint16_t)port;
        /* The host name is a placeholder: the socket is opened on vsock below. */
        snprintf(e->url, sizeof e->url, "http://vsock%.*s", (int)(base_len - 8 - (size_t)used),
                 url + 8 + used);
        snprintf(e->display, sizeof e->display, "vsock://%lu:%lu", cid, port);
    } else {
        memcpy(e->url, url, base_len);
        e->url[base_len] = '\0';
        /* Display scheme://host only: paths often carry API keys. */
        const char *host = strstr(e->url, "://");
        host = host ? host + 3 : e->url;
        const char *at = strchr(host, '@'), *slash = strchr(host, '/');
        if (at && (!slash || at < slash)) host = at + 1;
        size_t hl = slash ? (size_t)(slash - host) : strlen(host);
        snprintf(e->display, sizeof e->display, "%.*s://%.*s", (int)(strstr(e->url, "://") - e->url),
                 e->url, (int)(hl > 90 ? 90 : hl), host);
    }
    while (base_len && e->url[strlen(e->url) - 1] == '/') e->url[strlen(e->url) - 1] = '\0';
    return CD_OK;
}

cd_status svc_pool_init(svc_pool *p, const char *kind, const char urls[][SVC_URL_MAX], unsigned n,
                        const svc_config *cfg, const svc_log *log, cd_error *err) {
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->log = log;
    p->timeout_s = cfg ? cfg->upstream_timeout : 10;
    p->retries = 2;
    p->max_response = DEFAULT_MAX_RESPONSE;
    if (cfg && cfg->doh) snprintf(p->doh_url, sizeof p->doh_url, "%s", cfg->doh_url);
    if (n == 0 || n > SVC_MAX_UPSTREAMS) return cd_fail(err, CD_ERR_CONFIG, "%s: need 1..%d URLs", kind, SVC_MAX_UPSTREAMS);
    for (unsigned i = 0; i < n; i++) {
        cd_status s = svc_endpoint_parse(&p->ep[i], urls[i], err);
        if (s != CD_OK) {
            cd_error_prefix(err, "%s-rpc #%u: ", kind, i + 1);
            svc_pool_free(p);
            return s;
        }
        pthread_mutex_init(&p->ep[i].mu, NULL);
        p->n = i + 1;
    }
    return CD_OK;
}

void svc_pool_free(svc_pool *p) {
    for (unsigned i = 0; i < p->n; i++) {
        for (unsigned k = 0; k < p->ep[i].n_idle; k++) curl_easy_cleanup(p->ep[i].idle[k]);
        p->ep[i].n_idle = 0;
        pthread_mutex_destroy(&p->ep[i].mu);
    }
    p->n = 0;
}

unsigned svc_pool_order(svc_pool *p, unsigned order[SVC_MAX_UPSTREAMS]) {
    int64_t now = (int64_t)time(NULL);
    unsigned k = 0;
    /* The operator's order, with providers under a lie penalty moved to the back. */
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < p->n; i++) {
            if (p->expect_chain_id && atomic_load(&p->ep[i].chain_check) != SVC_CHAIN_AGREES) continue;
            bool penalised = atomic_load(&p->ep[i].penalty_until) > now;
            if (penalised == (pass == 1)) order[k++] = i;
        }
    return k;
}

void svc_pool_report_lie(svc_pool *p, unsigned ep, const char *what) {
    if (ep >= p->n) return;
    atomic_fetch_add(&p->ep[ep].lies, 1);
    atomic_store(&p->ep[ep].penalty_until, (int64_t)time(NULL) + SVC_LIE_PENALTY_S);
    char q[300];
    SVC_LOGW(p->log, "upstream_lied", "kind=%s provider=%s what=%s penalty_s=%d", p->kind,
             p->ep[ep].display, svc_log_quote(q, sizeof q, what), SVC_LIE_PENALTY_S);
}

void svc_pool_metrics(svc_pool *p, cd_buf *out) {
    char line[400];
    for (unsigned i = 0; i < p->n; i++) {
        svc_endpoint *e = &p->ep[i];
        int n = snprintf(line, sizeof line,
                         "candor_upstream_requests_total{kind=\"%s\",provider=\"%s\"} %llu\n"
                         "candor_upstream_failures_total{kind=\"%s\",provider=\"%s\"} %llu\n"
                         "candor_upstream_lies_total{kind=\"%s\",provider=\"%s\"} %llu\n",
                         p->kind, e->display, (unsigned long long)atomic_load(&e->requests), p->kind,
                         e->display, (unsigned long long)atomic_load(&e->failures), p->kind, e->display,
                         (unsigned long long)atomic_load(&e->lies));
        if (n < 0 || cd_buf_append(out, line, (size_t)n) != CD_OK) return;
    }
}

/* ---- curl plumbing ----------------------------------------------------------- */

typedef struct {
    cd_buf *buf;
    size_t max;
    bool too_large;
} sink;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud) {
    sink *s = ud;
    size_t n = size * nmemb;
    if (s->buf->len + n > s->max) {
        s->too_large = true;
        return 0; /* aborts the transfer */
    }
    return cd_buf_append(s->buf, ptr, n) == CD_OK ? n : 0;
}

static curl_socket_t open_vsock(void *ud, curlsocktype purpose, struct curl_sockaddr *addr) {
    (void)purpose, (void)addr;
    const svc_endpoint *e = ud;
    int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return CURL_SOCKET_BAD;
    struct sockaddr_vm a;
    memset(&a, 0, sizeof a);
    a.svm_family = AF_VSOCK;
    a.svm_cid = e->cid;
    a.svm_port = e->vport;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return CURL_SOCKET_BAD;
    }
    return fd;
}

static int vsock_connected(void *ud, curl_socket_t fd, curlsocktype purpose) {
    (void)ud, (void)fd, (void)purpose;
    return CURL_SOCKOPT_ALREADY_CONNECTED;
}

static CURL *take_handle(svc_endpoint *e) {
    CURL *c = NULL;
    pthread_mutex_lock(&e->mu);
    if (e->n_idle) c = e->idle[--e->n_idle];
    pthread_mutex_unlock(&e->mu);
    if (c) curl_easy_reset(c);
    else c = curl_easy_init();
    return c;
}

static void give_handle(svc_endpoint *e, CURL *c) {
    pthread_mutex_lock(&e->mu);
    if (e->n_idle < SVC_IDLE_HANDLES) {
        e->idle[e->n_idle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&e->mu);
    if (c) curl_easy_cleanup(c);
}

static void sleep_ms(unsigned ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

cd_status svc_http(svc_pool *p, unsigned ep, const char *path, const char *accept,
                   const char *content_type, const char *body, size_t body_len, cd_buf *resp,
                   long *status, cd_error *err) {
    return svc_http_ex(p, ep, path, accept, content_type, body, body_len, resp, status, NULL, 0, err);
}

/* "Application/Octet-Stream; charset=x" -> "application/octet-stream". */
static void media_type(const char *in, char *out, size_t cap) {
    size_t o = 0;
    for (const char *c = in ? in : ""; *c && *c != ';' && o + 1 < cap; c++)
        if (*c != ' ') out[o++] = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
    out[o] = '\0';
}

cd_status svc_http_ex(svc_pool *p, unsigned ep, const char *path, const char *accept,
                      const char *content_type, const char *body, size_t body_len, cd_buf *resp,
                      long *status, char *ctype, size_t cap, cd_error *err) {
    if (ctype && cap) ctype[0] = '\0';
    if (ep >= p->n) return cd_fail(err, CD_ERR_INVALID_ARG, "no such upstream");
    svc_endpoint *e = &p->ep[ep];
    char url[SVC_URL_MAX + 512];
    if (snprintf(url, sizeof url, "%s%s", e->url, path ? path : "") >= (int)sizeof url)
        return cd_fail(err, CD_ERR_INVALID_ARG, "URL too long");
    *status = 0;
    cd_status result = CD_ERR_UPSTREAM;
    unsigned backoff_ms = 100;
    for (unsigned attempt = 0; attempt <= p->retries; attempt++) {
        if (attempt) {
            /* Exponential backoff with jitter, so that retries from many threads spread out. */
            sleep_ms(backoff_ms + (unsigned)(rand() % (int)(backoff_ms / 2 + 1)));
            backoff_ms *= 2;
        }
        CURL *c = take_handle(e);
        if (!c) return cd_fail(err, CD_ERR_NOMEM, "curl handle");
        size_t start_len = resp->len;
        sink s = {resp, resp->len + p->max_response, false};
        struct curl_slist *hdr = NULL;
        char h[160];
        if (accept) {
            snprintf(h, sizeof h, "Accept: %s", accept);
            hdr = curl_slist_append(hdr, h);
        }
        if (content_type) {
            snprintf(h, sizeof h, "Content-Type: %s", content_type);
            hdr = curl_slist_append(hdr, h);
        }
        hdr = curl_slist_append(hdr, "Expect:");
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)p->timeout_s);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect could leave the pinned host */
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
        if (e->pin[0]) curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, e->pin);
        if (p->doh_url[0]) curl_easy_setopt(c, CURLOPT_DOH_URL, p->doh_url);
        if (e->vsock) {
            curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_vsock);
            curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, e);
            curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, vsock_connected);
            curl_easy_setopt(c, CURLOPT_RESOLVE, NULL);
            curl_easy_setopt(c, CURLOPT_CONNECT_TO, NULL);
        }
        if (body) {
            curl_easy_setopt(c, CURLOPT_POST, 1L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        }
        atomic_fetch_add(&e->requests, 1);
        CURLcode rc = curl_easy_perform(c);
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        if (ctype && cap) {
            char *ct = NULL;
            curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
            media_type(ct, ctype, cap);
        }
        curl_slist_free_all(hdr);
        give_handle(e, c);
        *status = code;
        if (rc == CURLE_OK && code >= 200 && code < 300) return CD_OK;
        atomic_fetch_add(&e->failures, 1);
        if (s.too_large) {
            resp->len = start_len;
            return cd_fail(err, CD_ERR_TOO_LARGE, "%s: response exceeds %zu bytes", e->display, p->max_response);
        }
        if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
            resp->len = start_len;
            return cd_fail(err, CD_ERR_UPSTREAM, "%s: TLS public key does not match the pin", e->display);
        }
        if (rc != CURLE_OK) {
            result = cd_fail(err, CD_ERR_UPSTREAM, "%s: %s", e->display, curl_easy_strerror(rc));
        } else {
            result = cd_fail(err, CD_ERR_UPSTREAM, "%s: HTTP %ld", e->display, code);
            /* Client errors will not get better by asking again (the body stays for the caller). */
            if (code != 429 && code < 500) return result;
        }
        resp->len = start_len;
        char q[300];
        SVC_LOGD(p->log, "upstream_retry", "kind=%s provider=%s attempt=%u reason=%s", p->kind,
                 e->display, attempt + 1, svc_log_quote(q, sizeof q, cd_error_text(err)));
    }
    return result;
}

/* ---- JSON-RPC ------------------------------------------------------------------ */

CD_MUST_CHECK static cd_status append_call(cd_buf *b, unsigned id, const char *method, const char *params) {
    char head[160];
    int n = snprintf(head, sizeof head, "{\"jsonrpc\":\"2.0\",\"id\":%u,\"method\":\"%s\",\"params\":", id, method);
    if (n < 0 || (size_t)n >= sizeof head) return CD_ERR_INVALID_ARG;
    const char *pr = params ? params : "[]";
    cd_status s = cd_buf_append(b, head, (size_t)n);
    if (s == CD_OK) s = cd_buf_append(b, pr, strlen(pr));
    if (s == CD_OK) s = cd_buf_push(b, '}');
    return s;
}

/* Picks "result" out of one response object with the expected id. */
CD_MUST_CHECK static cd_status take_result(json_object *resp, unsigned id, const char *method,
                                           const char *who, json_object **out, cd_error *err) {
    json_object *jid = NULL, *res = NULL, *e = NULL;
    if (!json_object_is_type(resp, json_type_object) || !json_object_object_get_ex(resp, "id", &jid) ||
        !json_object_is_type(jid, json_type_int) || json_object_get_int64(jid) != (int64_t)id)
        return cd_fail(err, CD_ERR_UPSTREAM, "%s: %s: malformed JSON-RPC response", who, method);
    if (json_object_object_get_ex(resp, "error", &e) && e) {
        json_object *m = NULL;
        json_object_object_get_ex(e, "message", &m);
        return cd_fail(err, CD_ERR_UPSTREAM, "%s: %s: upstream error: %.160s", who, method,
                       m && json_object_is_type(m, json_type_string) ? json_object_get_string(m) : "?");
    }
    if (!json_object_object_get_ex(resp, "result", &res))
        return cd_fail(err, CD_ERR_UPSTREAM, "%s: %s: response has no result", who, method);
    *out = json_object_get(res);
    return CD_OK;
}

CD_MUST_CHECK static cd_status parse_body(const cd_buf *b, json_object **out, const char *who, cd_error *err) {
    json_tokener *tok = json_tokener_new_ex(64);
    if (!tok) return cd_fail(err, CD_ERR_NOMEM, "tokener");
    if (b->len > INT32_MAX) {
        json_tokener_free(tok);
        return cd_fail(err, CD_ERR_TOO_LARGE, "%s: response too large", who);
    }
    *out = json_tokener_parse_ex(tok, b->data ? (const char *)b->data : "", (int)b->len);
    bool ok = json_tokener_get_error(tok) == json_tokener_success && *out;
    json_tokener_free(tok);
    if (!ok) {
        json_object_put(*out);
        *out = NULL;
        return cd_fail(err, CD_ERR_UPSTREAM, "%s: response is not JSON", who);
    }
    return CD_OK;
}

cd_status svc_rpc(svc_pool *p, unsigned ep, const char *method, const char *params,
                  json_object **result, cd_error *err) {
    *result = NULL;
    cd_buf req = {0}, resp = {0};
    cd_status s = append_call(&req, 1, method, params);
    if (s != CD_OK) return cd_fail(err, s, "building %s", method);
    long status = 0;
    s = svc_http(p, ep, "", "application/json", "application/json", (const char *)req.data, req.len,
                 &resp, &status, err);
    cd_buf_free(&req);
    if (s == CD_OK) {
        json_object *j = NULL;
        s = parse_body(&resp, &j, p->ep[ep].display, err);
        if (s == CD_OK) s = take_result(j, 1, method, p->ep[ep].display, result, err);
        json_object_put(j);
    }
    cd_buf_free(&resp);
    return s;
}

cd_status svc_rpc_batch(svc_pool *p, unsigned ep, size_t n, const char *const *methods,
                        const char *const *params, json_object **results, cd_error *err) {
    if (n == 0 || n > RPC_BATCH_MAX) return cd_fail(err, CD_ERR_INVALID_ARG, "batch size %zu", n);
    for (size_t i = 0; i < n; i++) results[i] = NULL;
    cd_buf req = {0}, resp = {0};
    cd_status s = cd_buf_push(&req, '[');
    for (size_t i = 0; i < n && s == CD_OK; i++) {
        if (i) s = cd_buf_push(&req, ',');
        if (s == CD_OK) s = append_call(&req, (unsigned)i + 1, methods[i], params[i]);
    }
    if (s == CD_OK) s = cd_buf_push(&req, ']');
    if (s != CD_OK) {
        cd_buf_free(&req);
        return cd_fail(err, s, "building batch");
    }
    long status = 0;
    s = svc_http(p, ep, "", "application/json", "application/json", (const char *)req.data, req.len,
                 &resp, &status, err);
    cd_buf_free(&req);
    json_object *j = NULL;
    if (s == CD_OK) s = parse_body(&resp, &j, p->ep[ep].display, err);
    cd_buf_free(&resp);
    if (s != CD_OK) return s;
    if (!json_object_is_type(j, json_type_array) || json_object_array_length(j) != n) {
        json_object_put(j);
        return cd_fail(err, CD_ERR_UPSTREAM, "%s: batch answer has the wrong shape", p->ep[ep].display);
    }
    /* Members may come in any order; match them by id. */
    for (size_t k = 0; k < n && s == CD_OK; k++) {
        json_object *m = json_object_array_get_idx(j, k), *jid = NULL;
        int64_t id = 0;
        if (json_object_object_get_ex(m, "id", &jid) && json_object_is_type(jid, json_type_int))
            id = json_object_get_int64(jid);
        if (id < 1 || (uint64_t)id > n || results[id - 1]) {
            s = cd_fail(err, CD_ERR_UPSTREAM, "%s: batch answer has a bad or repeated id", p->ep[ep].display);
            break;
        }
        s = take_result(m, (unsigned)id, methods[id - 1], p->ep[ep].display, &results[id - 1], err);
    }
    json_object_put(j);
    if (s != CD_OK)
        for (size_t i = 0; i < n; i++) {
            json_object_put(results[i]);
            results[i] = NULL;
        }
    return s;
}
