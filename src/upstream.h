/* Upstream clients on libcurl: the execution JSON-RPC and beacon API providers.
 *
 * - keep-alive: each endpoint keeps a few idle curl handles (connection reuse); handles are
 *   taken and returned under a mutex, so HTTP worker threads and the sync thread can share.
 * - timeouts (connect 5 s, whole request --upstream-timeout), retries with exponential
 *   backoff on transport errors, HTTP 429 and 5xx; never on other 4xx.
 * - bounded responses: a body above the pool's limit aborts the transfer (CD_ERR_TOO_LARGE).
 * - TLS pinning per URL: "https://host/path#sha256//BASE64" pins the server's public key
 *   (CURLOPT_PINNEDPUBLICKEY); the fragment never goes on the wire.
 * - DNS over HTTPS when configured (CURLOPT_DOH_URL).
 * - vsock: "vsock://CID:PORT/path" speaks plain HTTP over AF_VSOCK (an enclave's proxy).
 * - several providers: callers walk svc_pool_order(); a provider caught lying (its answer
 *   failed verification) is reported with svc_pool_report_lie: logged, counted in metrics
 *   and put at the back of the order for a while.
 */
#ifndef CANDOR_SVC_UPSTREAM_H
#define CANDOR_SVC_UPSTREAM_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"
#include "src/config.h"
#include "src/log.h"

#define SVC_IDLE_HANDLES 8
#define SVC_LIE_PENALTY_S 300

typedef struct {
    char url[SVC_URL_MAX];     /* base URL, pin fragment removed; vsock: "http://vsock" */
    char display[128];         /* scheme://host for logs (no path, no credentials) */
    char pin[256];             /* "sha256//..." or "" */
    bool vsock;
    uint32_t cid;
    uint16_t vport;
    pthread_mutex_t mu;
    void *idle[SVC_IDLE_HANDLES];
    unsigned n_idle;
    atomic_uint_fast64_t requests, failures, lies;
    atomic_int_fast64_t penalty_until; /* unix seconds */
    atomic_int chain_check;    /* svc_chain_check: what its eth_chainId said (src/chainid.c) */
    atomic_int_fast64_t chain_checked_at; /* unix seconds of the last eth_chainId answer */
} svc_endpoint;

/* An execution endpoint is used only once its eth_chainId equals the pool's expectation. */
typedef enum { SVC_CHAIN_UNCHECKED = 0, SVC_CHAIN_AGREES = 1, SVC_CHAIN_DIFFERS = 2 } svc_chain_check;

typedef struct {
    const char *kind;          /* "execution" | "consensus" (metrics label) */
    svc_endpoint ep[SVC_MAX_UPSTREAMS];
    unsigned n;
    unsigned timeout_s;
    unsigned retries;          /* extra attempts after the first */
    size_t max_response;
    char doh_url[SVC_URL_MAX];
    const svc_log *log;
    uint64_t expect_chain_id;  /* non-zero: only endpoints whose eth_chainId agreed are used */
} svc_pool;

CD_MUST_CHECK cd_status svc_pool_init(svc_pool *p, const char *kind, const char urls[][SVC_URL_MAX],
                                      unsigned n, const svc_config *cfg, const svc_log *log,
                                      cd_error *err);
void svc_pool_free(svc_pool *p);

/* Fills order[0..n) with endpoint indexes: providers not under a lie penalty first. With
 * expect_chain_id set, endpoints whose chain id has not been confirmed are left out. */
unsigned svc_pool_order(svc_pool *p, unsigned order[SVC_MAX_UPSTREAMS]);
void svc_pool_report_lie(svc_pool *p, unsigned ep, const char *what);
/* Prometheus lines for this pool. */
void svc_pool_metrics(svc_pool *p, cd_buf *out);

/* One HTTP exchange with endpoint `ep` (retried as described above). `body` NULL = GET.
 * `accept` / `content_type` may be NULL. *status receives the final HTTP status. */
CD_MUST_CHECK cd_status svc_http(svc_pool *p, unsigned ep, const char *path, const char *accept,
                                 const char *content_type, const char *body, size_t body_len,
                                 cd_buf *resp, long *status, cd_error *err);
/* Same, and the response's Content-Type (media type only, lower case) into ctype (cap bytes;
 * "" when absent). */
CD_MUST_CHECK cd_status svc_http_ex(svc_pool *p, unsigned ep, const char *path, const char *accept,
                                    const char *content_type, const char *body, size_t body_len,
                                    cd_buf *resp, long *status, char *ctype, size_t cap, cd_error *err);

/* JSON-RPC to endpoint `ep`. `params` is JSON text of an array ("[]" when NULL). On success
 * *result is the "result" member (owned by the caller, may be JSON null). An error object
 * becomes CD_ERR_UPSTREAM with its message. */
CD_MUST_CHECK cd_status svc_rpc(svc_pool *p, unsigned ep, const char *method, const char *params,
                                json_object **result, cd_error *err);
/* A batch of n calls in one HTTP request; results[i] matches methods[i] (by id). Any
 * missing or failed member fails the batch. */
CD_MUST_CHECK cd_status svc_rpc_batch(svc_pool *p, unsigned ep, size_t n, const char *const *methods,
                                      const char *const *params, json_object **results, cd_error *err);

/* Splits "URL#sha256//PIN" (exposed for tests). */
CD_MUST_CHECK cd_status svc_endpoint_parse(svc_endpoint *e, const char *url, cd_error *err);

#endif
