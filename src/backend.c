/* The api_backend of the daemon: /block, /attest, /health, /metrics and request logging.
 * /call is in call.c, JSON-RPC in rpc.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/chainid.h"
#include "src/governance.h"
#include "src/peers.h"
#include "src/service.h"
#include "src/version.h"

static json_object *hex32(const cd_hash32 *h) { return api_json_hex(h->b, 32); }

cd_status svc_add_block_fields(json_object *o, const svc_head *h) {
    const svc_block_claim *c = &h->claim;
    char num[24];
    snprintf(num, sizeof num, "%llu", (unsigned long long)c->number);
    json_object *beacon = json_object_new_object();
    if (!beacon) return CD_ERR_NOMEM;
    json_object_object_add(beacon, "slot", json_object_new_uint64(c->beacon_slot));
    json_object_object_add(beacon, "root", hex32(&c->beacon_root));
    json_object_object_add(o, "chainId", json_object_new_uint64(c->chain_id));
    json_object_object_add(o, "number", json_object_new_uint64(c->number));
    json_object_object_add(o, "blocknum", json_object_new_string(num));
    json_object_object_add(o, "hash", hex32(&c->block_hash));
    json_object_object_add(o, "stateRoot", hex32(&c->state_root));
    json_object_object_add(o, "receiptsRoot", hex32(&c->receipts_root));
    json_object_object_add(o, "timestamp", json_object_new_uint64(h->exec.timestamp));
    json_object_object_add(o, "beacon", beacon);
    json_object_object_add(o, "finality", json_object_new_string(c->finalized ? "finalized" : "optimistic"));
    json_object_object_add(o, "finalized", json_object_new_boolean(c->finalized));
    return CD_OK;
}

cd_status svc_add_signature(svc_service *s, json_object *o, const uint8_t digest[32]) {
    if (!svc_chain_id_confirmed(s)) return CD_ERR_UPSTREAM; /* never sign for an unconfirmed chain id */
    uint8_t sig[SVC_SIG_LEN];
    /* --require-approved: the one place every signature passes (src/governance.c). */
    cd_status st = svc_governance_may_sign(s, NULL);
    if (st != CD_OK) return st;
    /* A cluster node signs with the cluster key, and nothing before it has one (src/peers.c). */
    const svc_signer *signer = NULL;
    if ((st = svc_peers_signer(s, &signer)) != CD_OK) return st;
    st = svc_signer_sign(signer, digest, sig);
    if (st != CD_OK) return st;
    json_object_object_add(o, "digest", api_json_hex(digest, 32));
    json_object_object_add(o, "signature", api_json_hex(sig, SVC_SIG_LEN));
    json_object_object_add(o, "signer", api_json_hex(svc_signer_address(signer)->b, 20));
    atomic_fetch_add(&s->m.signed_answers, 1);
    return CD_OK;
}

/* /block: built and signed once per head, then served from the cache. */
static void route_block(void *ctx, bool finalized, api_response *out) {
    svc_service *s = ctx;
    uint64_t lag = 0;
    if (!svc_is_synced(s, &lag)) {
        atomic_fetch_add(&s->m.refused_answers, 1);
        api_response_error(out, 503, "not_synced", "no recent verified head yet (lag %llu slots); nothing signed",
                           (unsigned long long)(lag == UINT64_MAX ? 0 : lag));
        return;
    }
    if (!svc_chain_id_confirmed(s)) {
        atomic_fetch_add(&s->m.refused_answers, 1);
        api_response_error(out, 503, "chain_id_unconfirmed",
                           "no execution upstream has confirmed chain id %llu (see /health); nothing signed",
                           (unsigned long long)s->chain_id);
        return;
    }
    int k = finalized ? 1 : 0;
    pthread_mutex_lock(&s->mu);
    if (s->block_answer[k]) {
        api_response_text(out, 200, NULL, s->block_answer[k], s->block_answer_len[k]);
        pthread_mutex_unlock(&s->mu);
        return;
    }
    bool have = finalized ? s->have_finalized : s->have_latest;
    svc_head h = finalized ? s->finalized : s->latest;
    pthread_mutex_unlock(&s->mu);
    if (!have) {
        api_response_error(out, 503, "not_synced", "no verified %s block yet", finalized ? "finalized" : "latest");
        return;
    }
    json_object *o = json_object_new_object();
    uint8_t digest[32];
    svc_eip712_block_digest(&h.claim, digest);
    if (!o || svc_add_block_fields(o, &h) != CD_OK || svc_add_signature(s, o, digest) != CD_OK) {
        json_object_put(o);
        api_response_error(out, 500, "internal", "could not build the answer");
        return;
    }
    size_t len = 0;
    const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    api_response_text(out, 200, NULL, text, len);
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, text, len + 1);
        pthread_mutex_lock(&s->mu);
        /* Install only if the head has not moved meanwhile. */
        const svc_head *now = finalized ? &s->finalized : &s->latest;
        if (!s->block_answer[k] && cd_hash32_eq(&now->claim.block_hash, &h.claim.block_hash)) {
            s->block_answer[k] = copy;
            s->block_answer_len[k] = len;
            copy = NULL;
        }
        pthread_mutex_unlock(&s->mu);
        free(copy);
    }
    json_object_put(o);
}

static void route_attest(void *ctx, const uint8_t *nonce, size_t nonce_len, api_response *out) {
    svc_service *s = ctx;
    if (!nonce) {
        pthread_mutex_lock(&s->mu);
        if (s->attest_answer) api_response_text(out, 200, NULL, s->attest_answer, s->attest_answer_len);
        pthread_mutex_unlock(&s->mu);
        if (out->body) return;
    }
    att_evidence ev;
    memset(&ev, 0, sizeof ev);
    cd_error err;
    cd_bytes pub = cd_bytes_make(svc_signer_pubkey65(s->signer), 65);
    /* A cluster node binds the cluster address too: the quote's nonce is
     * clusterAddress (20 bytes) ‖ the request's nonce (docs/attestation.md §9). */
    cd_address cluster;
    bool in_cluster = svc_peers_cluster_address(s, &cluster);
    uint8_t bound[20 + 512];
    size_t prefix = in_cluster ? 20 : 0, request_len = nonce ? nonce_len : 0;
    if (request_len > sizeof bound - prefix) {
        api_response_error(out, 400, "bad_nonce", "nonce longer than %zu bytes", sizeof bound - prefix);
        return;
    }
    if (in_cluster) memcpy(bound, cluster.b, 20);
    if (request_len) memcpy(bound + prefix, nonce, request_len);
    size_t bound_len = prefix + request_len;
    cd_status st = att_attest(s->tee, pub, &s->config_digest, cd_bytes_make(bound, bound_len), &ev, &err);
    if (st != CD_OK) {
        api_response_error(out, 503, "attestation_failed", "%s", cd_error_text(&err));
        att_evidence_free(&ev);
        return;
    }
    json_object *o = json_object_new_object();
    if (!o) {
        att_evidence_free(&ev);
        api_response_error(out, 500, "internal", "out of memory");
        return;
    }
    json_object_object_add(o, "address", api_json_hex(svc_signer_address(s->signer)->b, 20));
    json_object_object_add(o, "publicKey", api_json_hex(pub.ptr, pub.len));
    json_object_object_add(o, "tee", json_object_new_string(att_provider_name(s->tee)));
    json_object_object_add(o, "insecure", json_object_new_boolean(att_provider_insecure(s->tee)));
    json_object_object_add(o, "quote", api_json_hex(ev.quote.data, ev.quote.len));
    json_object_object_add(o, "reportData", api_json_hex(ev.report_data, sizeof ev.report_data));
    json_object_object_add(o, "version", json_object_new_string(CANDOR_VERSION));
    json_object_object_add(o, "config", json_object_new_string(s->config_text));
    json_object_object_add(o, "configDigest", hex32(&s->config_digest));
    json_object_object_add(o, "chainId", json_object_new_uint64(s->chain_id));
    json_object_object_add(o, "nonce", bound_len ? api_json_hex(bound, bound_len) : NULL);
    if (in_cluster) {
        json_object_object_add(o, "clusterAddress", api_json_hex(cluster.b, 20));
        json_object_object_add(o, "requestNonce", nonce ? api_json_hex(nonce, nonce_len) : NULL);
    }
    if (ev.event_log.len)
        json_object_object_add(o, "eventLog", json_object_new_string_len((const char *)ev.event_log.data, (int)ev.event_log.len));
    att_evidence_free(&ev);
    svc_governance_attest_fields(s, o);
    api_response_json(out, 200, o);
    if (!nonce && out->status == 200 && out->body) {
        char *copy = malloc(out->len + 1);
        if (copy) {
            memcpy(copy, out->body, out->len + 1);
            pthread_mutex_lock(&s->mu);
            if (!s->attest_answer) {
                s->attest_answer = copy;
                s->attest_answer_len = out->len;
                copy = NULL;
            }
            pthread_mutex_unlock(&s->mu);
            free(copy);
        }
    }
}

static void route_health(void *ctx, api_response *out) {
    svc_service *s = ctx;
    uint64_t lag = 0;
    bool synced = svc_is_synced(s, &lag);
    svc_head latest, fin;
    bool have_l = svc_get_head(s, false, &latest), have_f = svc_get_head(s, true, &fin);
    json_object *o = json_object_new_object();
    if (!o) {
        api_response_error(out, 500, "internal", "out of memory");
        return;
    }
    json_object_object_add(o, "synced", json_object_new_boolean(synced));
    json_object_object_add(o, "currentSlot", json_object_new_uint64(svc_current_slot(s)));
    json_object_object_add(o, "lagSlots", lag == UINT64_MAX ? NULL : json_object_new_uint64(lag));
    json_object_object_add(o, "latest", have_l ? json_object_new_uint64(latest.claim.number) : NULL);
    json_object_object_add(o, "latestSlot", have_l ? json_object_new_uint64(latest.claim.beacon_slot) : NULL);
    json_object_object_add(o, "finalized", have_f ? json_object_new_uint64(fin.claim.number) : NULL);
    json_object_object_add(o, "finalizedSlot", have_f ? json_object_new_uint64(fin.claim.beacon_slot) : NULL);
    bool chain_ok = svc_chain_id_confirmed(s);
    json_object_object_add(o, "chainId", json_object_new_uint64(s->chain_id));
    json_object_object_add(o, "chainIdConfirmed", json_object_new_boolean(chain_ok));
    pthread_mutex_lock(&s->mu);
    if (s->sync_error[0]) json_object_object_add(o, "lastError", json_object_new_string(s->sync_error));
    if (s->chain_id_error[0]) json_object_object_add(o, "upstreamError", json_object_new_string(s->chain_id_error));
    pthread_mutex_unlock(&s->mu);
    svc_governance_health(s, o);
    svc_peers_health(s, o);
    api_response_json(out, synced && chain_ok ? 200 : 503, o);
}

static void metric(cd_buf *out, const char *name, const char *type, uint64_t v) {
    char line[256];
    int n = snprintf(line, sizeof line, "# TYPE %s %s\n%s %llu\n", name, type, name, (unsigned long long)v);
    if (n > 0 && cd_buf_append(out, line, (size_t)n) != CD_OK) return;
}

static void route_metrics(void *ctx, cd_buf *out) {
    svc_service *s = ctx;
    metric(out, "candor_signed_answers_total", "counter", atomic_load(&s->m.signed_answers));
    metric(out, "candor_refused_answers_total", "counter", atomic_load(&s->m.refused_answers));
    metric(out, "candor_lc_updates_applied_total", "counter", atomic_load(&s->m.lc_applied));
    metric(out, "candor_lc_updates_rejected_total", "counter", atomic_load(&s->m.lc_rejected));
    metric(out, "candor_proofs_verified_total", "counter", atomic_load(&s->m.proofs_verified));
    metric(out, "candor_proofs_failed_total", "counter", atomic_load(&s->m.proofs_failed));
    metric(out, "candor_store_writes_total", "counter", atomic_load(&s->m.store_writes));
    metric(out, "candor_rpc_calls_total", "counter", atomic_load(&s->m.rpc_calls));
    metric(out, "candor_evm_calls_total", "counter", atomic_load(&s->m.evm_calls));
    svc_head h;
    uint64_t lag = 0;
    metric(out, "candor_synced", "gauge", svc_is_synced(s, &lag) ? 1 : 0);
    if (svc_get_head(s, false, &h)) {
        metric(out, "candor_head_block", "gauge", h.claim.number);
        metric(out, "candor_head_slot", "gauge", h.claim.beacon_slot);
        metric(out, "candor_head_lag_slots", "gauge", lag);
    }
    if (svc_get_head(s, true, &h)) metric(out, "candor_finalized_block", "gauge", h.claim.number);
    if (cd_buf_append(out, "# TYPE candor_upstream_requests_total counter\n", 46) != CD_OK) return;
    svc_pool_metrics(&s->exec, out);
    svc_pool_metrics(&s->beacon, out);
}

static void log_request(void *ctx, const char *method, const char *url, unsigned status, double ms) {
    svc_service *s = ctx;
    if (!svc_log_enabled(&s->log, SVC_LOG_DEBUG)) return;
    char q[200];
    SVC_LOGD(&s->log, "http", "method=%s path=%s status=%u ms=%.3f", method, svc_log_quote(q, sizeof q, url), status, ms);
}

void svc_backend(svc_service *s, api_backend *out) {
    memset(out, 0, sizeof *out);
    out->ctx = s;
    out->block = route_block;
    out->call = svc_call_route;
    out->attest = route_attest;
    out->health = route_health;
    out->metrics = route_metrics;
    out->rpc = svc_rpc_dispatch;
    out->log_request = log_request;
    if (svc_dvn_add_route(s, out) != CD_OK) SVC_LOGW(&s->log, "dvn", "could not register /dvn/verify");
    svc_governance_backend(s, out);
    svc_peers_backend(s, out); /* last: its gate goes in front of the routes above */
}
