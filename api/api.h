/* api: Candor's HTTP front end on libmicrohttpd.
 *
 * The server owns everything about HTTP and JSON framing: bounded bodies, timeouts, the
 * connection limit, strict JSON parsing, request validation with clear 4xx answers,
 * JSON-RPC 2.0 envelopes and batches, and its own request metrics. What the answers
 * contain comes from an api_backend (the daemon in src/ implements it), so this library
 * does not know how anything is verified.
 *
 * Routes: GET /block[?tag=latest|finalized], POST /call, GET /attest[?nonce=0x..],
 *         GET /health, GET /metrics, POST / (JSON-RPC 2.0, single or batch), and the routes a
 *         backend adds (api_route: e.g. /governance, /setup, /dvn/verify). */
#ifndef CANDOR_API_H
#define CANDOR_API_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"

/* ---- answers ------------------------------------------------------------- */

typedef struct {
    unsigned status;           /* HTTP status */
    char *body;                /* malloc'd, owned by the response */
    size_t len;
    const char *content_type;  /* static string; NULL = application/json */
} api_response;

/* Serialises `obj` (and releases it) as the body. */
void api_response_json(api_response *r, unsigned status, json_object *obj);
/* Copies a ready body (e.g. a cached signed answer). */
void api_response_text(api_response *r, unsigned status, const char *content_type,
                       const char *text, size_t len);
/* {"error":{"code":"<code>","message":"<formatted>"}} */
void api_response_error(api_response *r, unsigned status, const char *code, const char *fmt, ...)
    CD_PRINTF(4, 5);
void api_response_free(api_response *r);

/* ---- requests -------------------------------------------------------------- */

typedef enum { API_BLOCK_LATEST, API_BLOCK_FINALIZED, API_BLOCK_NUMBER, API_BLOCK_HASH } api_block_kind;

typedef struct {
    api_block_kind kind;
    uint64_t number;   /* API_BLOCK_NUMBER */
    cd_hash32 hash;    /* API_BLOCK_HASH */
} api_block_ref;

/* POST /call body, validated. */
typedef struct {
    cd_address to;
    cd_address from;   /* zero when absent */
    cd_u256 value;
    uint64_t gas;
    bool has_gas;
    cd_buf input;
    api_block_ref block; /* default latest */
} api_call_request;

/* JSON-RPC error codes. The -3200x range is ours. */
#define API_RPC_PARSE_ERROR -32700
#define API_RPC_INVALID_REQUEST -32600
#define API_RPC_METHOD_NOT_FOUND -32601
#define API_RPC_INVALID_PARAMS -32602
#define API_RPC_INTERNAL -32603
#define API_RPC_UNVERIFIABLE -32001  /* cannot be verified: refused, never passed through */
#define API_RPC_NOT_SYNCED -32002
#define API_RPC_UPSTREAM -32003      /* upstream failed or answered something unprovable */
#define API_RPC_EXECUTION -32004     /* call reverted / halted (data carries return data) */

typedef struct {
    json_object *result;  /* owned; set on success */
    int code;             /* non-zero on error */
    char message[256];
    json_object *data;    /* optional error data, owned */
    json_object *meta;    /* optional, owned: sent as a "candor" member of the response
                             (e.g. {"forwarded": true} for eth_sendRawTransaction) */
} api_rpc_result;

void api_rpc_fail(api_rpc_result *r, int code, const char *fmt, ...) CD_PRINTF(3, 4);

/* ---- routes a backend adds ---------------------------------------------------- */

#define API_MAX_ROUTES 16

/* The query parameters of a GET request (valid during the handler call only). */
typedef struct api_query api_query;
/* The value of parameter `key`, or NULL when absent. */
const char *api_query_get(const api_query *q, const char *key);

/* One extra route. The server does the HTTP part: method check (405), unknown query
 * parameters (400), the body limit (413), strict JSON parsing of POST bodies (400), and the
 * per-route request metrics; the handler only sees well-formed input. */
typedef struct {
    const char *path;            /* exact path, e.g. "/governance" (static string) */
    const char *name;            /* metrics label, e.g. "governance" (static string) */
    bool post;                   /* POST with a JSON body; otherwise GET (and HEAD) */
    const char *const *query;    /* GET: allowed query parameters, NULL-terminated; NULL = none */
    /* body: the parsed POST body (owned by the server; NULL for GET); q: GET parameters. */
    void (*handler)(void *ctx, json_object *body, const api_query *q, api_response *out);
} api_route;

/* ---- the backend the daemon implements ------------------------------------- */

typedef struct {
    void *ctx;
    void (*block)(void *ctx, bool finalized, api_response *out);
    void (*call)(void *ctx, const api_call_request *req, api_response *out);
    void (*attest)(void *ctx, const uint8_t *nonce, size_t nonce_len, api_response *out);
    void (*health)(void *ctx, api_response *out);
    /* Appends Prometheus text lines (the server adds its own request counters). */
    void (*metrics)(void *ctx, cd_buf *out);
    /* One JSON-RPC call; `params` is an array (possibly empty), never NULL. */
    void (*rpc)(void *ctx, const char *method, json_object *params, api_rpc_result *out);
    /* Optional: one line per request for the log. */
    void (*log_request)(void *ctx, const char *method, const char *url, unsigned status,
                        double ms);
    /* Extra routes (their handlers get `ctx` too). */
    api_route routes[API_MAX_ROUTES];
    unsigned n_routes;
} api_backend;

/* Appends a route to the backend; CD_ERR_TOO_LARGE when API_MAX_ROUTES are taken,
 * CD_ERR_INVALID_ARG for a path that a built-in or earlier route already has. */
CD_MUST_CHECK cd_status api_backend_add_route(api_backend *b, const api_route *r);

/* ---- the server ------------------------------------------------------------ */

typedef struct {
    bool vsock;
    const char *host;        /* TCP bind address */
    uint16_t port;           /* 0 = pick a free port (see api_server_port) */
    uint32_t cid;            /* vsock */
    unsigned max_connections;
    unsigned timeout_s;      /* idle/request timeout per connection */
    size_t max_body;         /* request body limit, bytes */
    unsigned threads;        /* worker threads (>= 1) */
    unsigned max_batch;      /* JSON-RPC batch limit */
} api_options;

void api_options_default(api_options *o);

typedef struct api_server api_server;

CD_MUST_CHECK cd_status api_server_start(api_server **out, const api_options *opt,
                                         const api_backend *backend, cd_error *err);
uint16_t api_server_port(const api_server *s);
void api_server_stop(api_server *s);

/* ---- pieces exposed for the backend and tests ------------------------------- */

/* Strict JSON parse of a request body (depth-limited, no trailing data). */
CD_MUST_CHECK cd_status api_json_parse(const char *text, size_t len, json_object **out,
                                       cd_error *err);
/* Parses and validates a /call body: only the known fields, each well-formed. */
CD_MUST_CHECK cd_status api_parse_call_request(json_object *body, api_call_request *out,
                                               cd_error *err);
void api_call_request_free(api_call_request *r);
/* Handles one JSON-RPC POST body (single or batch). Sets *http_status (200, or 400 for a
 * body that is not JSON / not a request) and returns the response JSON text (malloc'd) or
 * NULL when the body held only notifications. */
char *api_jsonrpc_handle(const api_backend *b, const char *body, size_t len, unsigned max_batch,
                         unsigned *http_status, size_t *out_len);

/* JSON value helpers, each with a precise error naming `what`. */
CD_MUST_CHECK cd_status api_get_address(json_object *v, const char *what, cd_address *out, cd_error *err);
CD_MUST_CHECK cd_status api_get_hash(json_object *v, const char *what, cd_hash32 *out, cd_error *err);
CD_MUST_CHECK cd_status api_get_quantity(json_object *v, const char *what, cd_u256 *out, cd_error *err);
CD_MUST_CHECK cd_status api_get_u64(json_object *v, const char *what, uint64_t *out, cd_error *err);
CD_MUST_CHECK cd_status api_get_data(json_object *v, const char *what, size_t max, cd_buf *out,
                                     cd_error *err);
/* "latest" | "finalized" | "safe" (= finalized) | quantity | block hash | {"blockHash":..}.
 * "pending" and "earliest" are refused (not verifiable). */
CD_MUST_CHECK cd_status api_get_block_ref(json_object *v, const char *what, api_block_ref *out,
                                          cd_error *err);

/* json-c helpers for building answers. */
json_object *api_json_hex(const uint8_t *p, size_t n);
json_object *api_json_quantity_u64(uint64_t v);
json_object *api_json_quantity(const cd_u256 *v);

#endif
