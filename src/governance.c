/* Governance in the daemon: the reader thread, the snapshot it keeps, the /governance
 * answer, the self-check and the --require-approved gate. See src/governance.h. */
#include "src/governance.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/keccak.h"
#include "src/service.h"
#include "src/state.h"

#define PROOF_KEYS_PER_REQUEST 128 /* slots per eth_getProof: keeps each answer small */
#define RETRY_SECONDS 2            /* a read that failed for want of data is retried this often */

typedef void (*block_fn)(void *ctx, bool finalized, api_response *out);
typedef void (*call_fn)(void *ctx, const api_call_request *req, api_response *out);

struct svc_gov {
    svc_service *s;
    pthread_mutex_t mu;            /* guards everything below except `next` (reader thread only) */
    gov_snapshot *snap;            /* newest snapshot read completely and proven */
    bool have;
    gov_snapshot *next;            /* the reader's scratch */
    uint64_t generation;
    cd_status last_status;         /* of the newest read attempt */
    char last_error[256];
    uint64_t reads_ok, reads_failed;
    bool have_self;
    uint8_t self_id[32];
    char self_error[200];
    int self_approved;             /* -1 unknown, 0 no, 1 yes: as last shown in /attest */
    char *answer;                  /* cached signed /governance for `snap` */
    size_t answer_len;
    block_fn block;                /* the routes behind the --require-approved gate */
    call_fn call;
    pthread_t thread;
    bool started;
};

static uint64_t now_unix(void) { return (uint64_t)time(NULL); }

/* ---- lifecycle -------------------------------------------------------------------- */

cd_status svc_governance_init(svc_service *s, cd_error *err) {
    if (s->cfg.require_approved && !s->cfg.has_governance)
        return cd_fail(err, CD_ERR_CONFIG, "--require-approved needs --governance (the contract that approves builds)");
    struct svc_gov *g = calloc(1, sizeof *g);
    if (g) g->snap = calloc(1, sizeof *g->snap), g->next = calloc(1, sizeof *g->next);
    if (!g || !g->snap || !g->next) {
        if (g) free(g->snap), free(g->next);
        free(g);
        return cd_fail(err, CD_ERR_NOMEM, "governance state");
    }
    g->s = s;
    g->self_approved = -1;
    pthread_mutex_init(&g->mu, NULL);
    s->gov = g;
    return CD_OK;
}

void svc_governance_free(svc_service *s) {
    struct svc_gov *g = s->gov;
    if (!g) return;
    if (g->started) {
        atomic_store(&s->stop, true);
        svc_governance_stop(s);
    }
    pthread_mutex_destroy(&g->mu);
    free(g->snap);
    free(g->next);
    free(g->answer);
    free(g);
    s->gov = NULL;
}

/* Our own measurement id, from our own quote verified like anyone else's would be. */
static void compute_self_id(svc_service *s, struct svc_gov *g) {
    att_evidence ev;
    memset(&ev, 0, sizeof ev);
    cd_error err;
    cd_error_clear(&err);
    att_report *rep = calloc(1, sizeof *rep);
    cd_bytes pub = cd_bytes_make(svc_signer_pubkey65(s->signer), 65);
    cd_status st = rep ? att_attest(s->tee, pub, &s->config_digest, cd_bytes_make(NULL, 0), &ev, &err)
                       : cd_fail(&err, CD_ERR_NOMEM, "report");
    if (st == CD_OK) {
        att_verify_opts o = {0};
        o.accept_mock = o.accept_debug = true; /* the id is what matters here, not trust in ourselves */
        st = att_verify(cd_buf_bytes(&ev.quote), &o, rep, &err);
    }
    uint8_t id[32];
    if (st == CD_OK && (st = att_measurement_id(rep, id)) != CD_OK) cd_fail(&err, st, "quote has no measurement id");
    pthread_mutex_lock(&g->mu);
    if (st == CD_OK) {
        memcpy(g->self_id, id, 32);
        g->have_self = true;
    } else {
        snprintf(g->self_error, sizeof g->self_error, "own measurement id unknown: %s", cd_error_text(&err));
    }
    pthread_mutex_unlock(&g->mu);
    char hex[67] = "none", q[240];
    if (st == CD_OK) cd_hex_encode(hex, id, 32);
    SVC_LOGI(&s->log, "self_measurement", "id=%s reason=%s", hex, st == CD_OK ? "-" : svc_log_quote(q, sizeof q, cd_error_text(&err)));
    att_evidence_free(&ev);
    free(rep);
}

/* ---- reading ---------------------------------------------------------------------- */

typedef struct {
    svc_state *st;
    const cd_address *addr;
} proven_source;

/* gov_storage_fn: every slot proven against the head's state root before it is returned. */
static cd_status proven_slots(void *ctx, const cd_hash32 *keys, size_t n, cd_hash32 *values, cd_error *err) {
    proven_source *ps = ctx;
    cd_u256 batch[PROOF_KEYS_PER_REQUEST];
    for (size_t at = 0; at < n; at += PROOF_KEYS_PER_REQUEST) {
        size_t m = n - at < PROOF_KEYS_PER_REQUEST ? n - at : PROOF_KEYS_PER_REQUEST;
        for (size_t i = 0; i < m; i++)
            if (cd_u256_from_be(&batch[i], keys[at + i].b, 32) != CD_OK) return cd_fail(err, CD_ERR_INTERNAL, "slot key");
        json_object *res = NULL;
        cd_status s = svc_state_get_proof(ps->st, ps->addr, batch, m, &res, err);
        json_object_put(res);
        if (s != CD_OK) return s;
        for (size_t i = 0; i < m; i++) {
            cd_u256 v;
            /* Served from the cache the verified proof filled: no further request. */
            if ((s = svc_state_storage_get(ps->st, ps->addr, &batch[i], &v, err)) != CD_OK) return s;
            cd_u256_to_be32(&v, values[at + i].b);
        }
    }
    return CD_OK;
}

static int self_approved_locked(struct svc_gov *g, uint64_t now, cd_error *err);

/* After a snapshot change: /attest shows the approval, so its cached copy may be stale. */
static void refresh_attest_cache(svc_service *s, struct svc_gov *g) {
    pthread_mutex_lock(&g->mu);
    int now_approved = self_approved_locked(g, now_unix(), NULL);
    bool changed = now_approved != g->self_approved;
    g->self_approved = now_approved;
    pthread_mutex_unlock(&g->mu);
    if (!changed) return;
    pthread_mutex_lock(&s->mu);
    free(s->attest_answer);
    s->attest_answer = NULL;
    s->attest_answer_len = 0;
    pthread_mutex_unlock(&s->mu);
}

static void install(svc_service *s, struct svc_gov *g, const svc_head *head, unsigned batches, unsigned round_trips) {
    gov_snapshot *n = g->next;
    memset(&n->block, 0, sizeof n->block);
    n->block.chain_id = head->claim.chain_id;
    n->block.number = head->claim.number;
    n->block.timestamp = head->exec.timestamp;
    n->block.block_hash = head->claim.block_hash;
    n->block.state_root = head->claim.state_root;
    n->block.receipts_root = head->claim.receipts_root;
    n->block.beacon_slot = head->claim.beacon_slot;
    n->block.beacon_root = head->claim.beacon_root;
    n->block.finalized = head->claim.finalized;
    n->contract = s->cfg.governance;
    pthread_mutex_lock(&g->mu);
    bool changed = !g->have || !gov_same_content(g->snap, n);
    g->next = g->snap;
    g->snap = n;
    g->have = true;
    if (changed) g->generation++;
    free(g->answer);
    g->answer = NULL;
    g->last_status = CD_OK;
    g->last_error[0] = '\0';
    g->reads_ok++;
    uint64_t gen = g->generation;
    pthread_mutex_unlock(&g->mu);
    SVC_LOGI(&s->log, "governance_read", "number=%llu measurements=%zu members=%zu changed=%s generation=%llu batches=%u round_trips=%u",
             (unsigned long long)head->claim.number, n->n_measurements, n->n_members, changed ? "true" : "false",
             (unsigned long long)gen, batches, round_trips);
    refresh_attest_cache(s, g);
}

/* One read at a finalized head: account proof (code?), then gov_read over proven slots. */
CD_MUST_CHECK static cd_status read_at(svc_service *s, struct svc_gov *g, const svc_head *head, cd_error *err) {
    svc_state st;
    svc_state_init(&st, s, head);
    const svc_state_account *acc = NULL;
    cd_status r = svc_state_account_get(&st, &s->cfg.governance, &acc, err);
    unsigned batches = 0;
    if (r == CD_OK) {
        cd_hash32 code_hash;
        memset(&code_hash, 0, sizeof code_hash);
        if (acc->acc.exists) code_hash = acc->acc.code_hash;
        proven_source ps = {&st, &s->cfg.governance};
        r = gov_read(&code_hash, proven_slots, &ps, g->next, &batches, err);
    }
    if (r == CD_OK) install(s, g, head, batches, st.round_trips);
    svc_state_free(&st);
    if (r != CD_OK) {
        cd_error_prefix(err, "block %llu: ", (unsigned long long)head->claim.number);
        pthread_mutex_lock(&g->mu);
        bool same = g->last_status == r && !strcmp(g->last_error, cd_error_text(err));
        g->last_status = r;
        snprintf(g->last_error, sizeof g->last_error, "%s", cd_error_text(err));
        g->reads_failed++;
        pthread_mutex_unlock(&g->mu);
        char q[300];
        if (!same)
            SVC_LOGW(&s->log, "governance_read_failed", "code=%s reason=%s", cd_status_name(r),
                     svc_log_quote(q, sizeof q, cd_error_text(err)));
    }
    return r;
}

/* What no retry at the same block can change: the contract's own state is wrong. */
static bool is_final_verdict(cd_status st) {
    return st == CD_OK || st == CD_ERR_GOV_NO_CODE || st == CD_ERR_GOV_NOT_GOVERNANCE || st == CD_ERR_GOV_BOUNDS;
}

static void *reader_thread(void *arg) {
    svc_service *s = arg;
    struct svc_gov *g = s->gov;
    compute_self_id(s, g);
    cd_hash32 done;
    bool have_done = false;
    uint64_t next_try = 0;
    while (!atomic_load(&s->stop)) {
        svc_head fin;
        uint64_t now = now_unix();
        if (svc_get_head(s, true, &fin) && (!have_done || !cd_hash32_eq(&done, &fin.claim.block_hash))) {
            if (now >= next_try) {
                cd_error err;
                cd_error_clear(&err);
                cd_status st = read_at(s, g, &fin, &err);
                if (is_final_verdict(st)) {
                    done = fin.claim.block_hash;
                    have_done = true;
                    next_try = 0;
                } else {
                    next_try = now + RETRY_SECONDS;
                }
            }
        }
        /* Time passes too: a snapshot can become stale, which /attest shows. */
        refresh_attest_cache(s, g);
        struct timespec ts = {0, 250000000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

cd_status svc_governance_start(svc_service *s, cd_error *err) {
    struct svc_gov *g = s->gov;
    if (!g) return cd_fail(err, CD_ERR_INTERNAL, "governance state not initialised");
    if (!s->cfg.has_governance) {
        compute_self_id(s, g); /* shown in /attest and /health even without governance */
        return CD_OK;
    }
    if (pthread_create(&g->thread, NULL, reader_thread, s) != 0)
        return cd_fail(err, CD_ERR_INTERNAL, "cannot start the governance reader thread");
    g->started = true;
    return CD_OK;
}

void svc_governance_stop(svc_service *s) {
    struct svc_gov *g = s->gov;
    if (!g || !g->started) return;
    pthread_join(g->thread, NULL);
    g->started = false;
}

/* ---- questions -------------------------------------------------------------------- */

/* The snapshot, if it may be used at `now`; else the reason. Caller holds g->mu. */
static const gov_snapshot *current_locked(struct svc_gov *g, uint64_t now, cd_error *err) {
    const svc_config *cfg = &g->s->cfg;
    if (!cfg->has_governance) {
        cd_fail(err, CD_ERR_GOV_STALE, "no --governance contract configured");
        return NULL;
    }
    if (!g->have) {
        /* The contract's own verdicts keep their code; anything else (proofs, upstream) is "stale". */
        if (is_final_verdict(g->last_status) && g->last_status != CD_OK)
            cd_fail(err, g->last_status, "governance not read: %s", g->last_error);
        else if (g->last_status != CD_OK) cd_fail(err, CD_ERR_GOV_STALE, "governance not read: %s", g->last_error);
        else cd_fail(err, CD_ERR_GOV_STALE, "governance not read yet (waiting for a finalized head)");
        return NULL;
    }
    uint64_t t = g->snap->block.timestamp, age = now > t ? now - t : 0;
    if (age > cfg->governance_max_age) {
        cd_fail(err, CD_ERR_GOV_STALE, "governance last read at block %llu, %llu s ago, more than --governance-max-age %llu s%s%s",
                (unsigned long long)g->snap->block.number, (unsigned long long)age,
                (unsigned long long)cfg->governance_max_age, g->last_error[0] ? "; last error: " : "", g->last_error);
        return NULL;
    }
    return g->snap;
}

/* 1 approved, 0 not (reason in err). Caller holds g->mu. */
static int self_approved_locked(struct svc_gov *g, uint64_t now, cd_error *err) {
    if (!g->have_self) {
        cd_fail(err, CD_ERR_GOV_NOT_APPROVED, "%s", g->self_error[0] ? g->self_error : "own measurement id not computed yet");
        return 0;
    }
    const gov_snapshot *snap = current_locked(g, now, err);
    if (!snap) return 0;
    return gov_check_measurement(snap, g->self_id, now, err) == CD_OK ? 1 : 0;
}

cd_status svc_governance_admit(svc_service *s, const uint8_t measurement_id[32], const uint8_t signer[20], uint64_t now,
                               cd_error *err) {
    struct svc_gov *g = s->gov;
    if (!g) return cd_fail(err, CD_ERR_GOV_STALE, "governance is not set up");
    cd_address a;
    memcpy(a.b, signer, 20);
    cd_error why;
    cd_error_clear(&why);
    pthread_mutex_lock(&g->mu);
    const gov_snapshot *snap = current_locked(g, now, &why);
    cd_status st = snap ? gov_check_measurement(snap, measurement_id, now, &why) : why.code;
    if (snap && st == CD_OK) st = gov_check_member(snap, &a, &why);
    pthread_mutex_unlock(&g->mu);
    if (st != CD_OK && err) *err = why;
    return st;
}

uint64_t svc_governance_generation(svc_service *s) {
    struct svc_gov *g = s->gov;
    if (!g) return 0;
    pthread_mutex_lock(&g->mu);
    uint64_t v = g->generation;
    pthread_mutex_unlock(&g->mu);
    return v;
}

cd_status svc_governance_may_sign(svc_service *s, cd_error *err) {
    if (!s->cfg.require_approved) return CD_OK;
    struct svc_gov *g = s->gov;
    if (!g) return cd_fail(err, CD_ERR_GOV_NOT_APPROVED, "--require-approved: no governance state");
    cd_error why;
    cd_error_clear(&why);
    pthread_mutex_lock(&g->mu);
    int ok = self_approved_locked(g, now_unix(), &why);
    pthread_mutex_unlock(&g->mu);
    if (ok) return CD_OK;
    return cd_fail(err, why.code ? why.code : CD_ERR_GOV_NOT_APPROVED, "--require-approved: this build is not approved: %s",
                   cd_error_text(&why));
}

/* ---- answers ---------------------------------------------------------------------- */

static const char *error_code_name(cd_status st) {
    switch (st) {
    case CD_ERR_GOV_NO_CODE: return "governance_no_code";
    case CD_ERR_GOV_NOT_GOVERNANCE: return "not_governance";
    case CD_ERR_GOV_BOUNDS: return "governance_bounds";
    case CD_ERR_GOV_STALE: return "governance_stale";
    case CD_ERR_GOV_NOT_APPROVED:
    case CD_ERR_GOV_REVOKED:
    case CD_ERR_GOV_EXPIRED: return "not_approved";
    default: return "governance_unavailable";
    }
}

static bool refuse_unapproved(svc_service *s, api_response *out) {
    cd_error err;
    cd_error_clear(&err);
    if (svc_governance_may_sign(s, &err) == CD_OK) return false;
    atomic_fetch_add(&s->m.refused_answers, 1);
    api_response_error(out, 503, error_code_name(err.code), "%s; nothing signed", cd_error_text(&err));
    return true;
}

static void gated_block(void *ctx, bool finalized, api_response *out) {
    svc_service *s = ctx;
    if (!refuse_unapproved(s, out)) s->gov->block(ctx, finalized, out);
}

static void gated_call(void *ctx, const api_call_request *req, api_response *out) {
    svc_service *s = ctx;
    if (!refuse_unapproved(s, out)) s->gov->call(ctx, req, out);
}

static void route_governance(void *ctx, json_object *body, const api_query *q, api_response *out) {
    (void)body, (void)q;
    svc_service *s = ctx;
    struct svc_gov *g = s->gov;
    if (!s->cfg.has_governance) {
        api_response_error(out, 404, "governance_not_configured", "this node was started without --governance");
        return;
    }
    gov_snapshot *copy = malloc(sizeof *copy);
    if (!copy) {
        api_response_error(out, 500, "internal", "out of memory");
        return;
    }
    cd_error err;
    cd_error_clear(&err);
    pthread_mutex_lock(&g->mu);
    const gov_snapshot *snap = current_locked(g, now_unix(), &err);
    if (snap && g->answer) {
        api_response_text(out, 200, NULL, g->answer, g->answer_len);
        snap = NULL;
        err.code = CD_OK;
    } else if (snap) {
        *copy = *snap;
    }
    pthread_mutex_unlock(&g->mu);
    if (!snap) {
        free(copy);
        if (err.code != CD_OK) {
            atomic_fetch_add(&s->m.refused_answers, 1);
            api_response_error(out, 503, error_code_name(err.code), "%s; nothing signed", cd_error_text(&err));
        }
        return;
    }
    json_object *o = json_object_new_object();
    uint8_t digest[32];
    svc_gov_digest(copy, digest);
    cd_status st = o ? svc_gov_answer_fields(o, copy) : CD_ERR_NOMEM;
    if (st == CD_OK) st = svc_add_signature(s, o, digest);
    if (st != CD_OK) {
        json_object_put(o);
        free(copy);
        if (!refuse_unapproved(s, out)) api_response_error(out, 500, "internal", "could not build the answer");
        return;
    }
    size_t len = 0;
    const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    api_response_text(out, 200, NULL, text, len);
    char *cached = malloc(len + 1);
    if (cached) {
        memcpy(cached, text, len + 1);
        pthread_mutex_lock(&g->mu);
        /* Install only if no newer snapshot came meanwhile. */
        if (!g->answer && g->have && cd_hash32_eq(&g->snap->block.block_hash, &copy->block.block_hash)) {
            g->answer = cached;
            g->answer_len = len;
            cached = NULL;
        }
        pthread_mutex_unlock(&g->mu);
        free(cached);
    }
    json_object_put(o);
    free(copy);
}

void svc_governance_backend(svc_service *s, api_backend *b) {
    struct svc_gov *g = s->gov;
    if (!g) return;
    static const api_route route = {"/governance", "governance", false, NULL, route_governance};
    if (api_backend_add_route(b, &route) != CD_OK) SVC_LOGE(&s->log, "route_failed", "path=/governance");
    if (s->cfg.require_approved) {
        g->block = b->block;
        g->call = b->call;
        b->block = gated_block;
        b->call = gated_call;
    }
}

void svc_governance_drop_answer(svc_service *s) {
    struct svc_gov *g = s->gov;
    if (!g) return;
    pthread_mutex_lock(&g->mu);
    free(g->answer);
    g->answer = NULL;
    g->answer_len = 0;
    pthread_mutex_unlock(&g->mu);
}

void svc_governance_health(svc_service *s, json_object *health) {
    struct svc_gov *g = s->gov;
    if (!g) return;
    json_object *o = json_object_new_object(), *self = json_object_new_object();
    if (!o || !self) {
        json_object_put(o), json_object_put(self);
        return;
    }
    uint64_t now = now_unix();
    cd_error err, serr;
    cd_error_clear(&err);
    cd_error_clear(&serr);
    pthread_mutex_lock(&g->mu);
    const gov_snapshot *snap = s->cfg.has_governance ? current_locked(g, now, &err) : NULL;
    int approved = self_approved_locked(g, now, &serr);
    if (s->cfg.has_governance) json_object_object_add(o, "contract", api_json_hex(s->cfg.governance.b, 20));
    json_object_object_add(o, "configured", json_object_new_boolean(s->cfg.has_governance));
    json_object_object_add(o, "ok", json_object_new_boolean(snap != NULL));
    if (g->have) {
        uint64_t t = g->snap->block.timestamp;
        json_object_object_add(o, "block", json_object_new_uint64(g->snap->block.number));
        json_object_object_add(o, "blockHash", api_json_hex(g->snap->block.block_hash.b, 32));
        json_object_object_add(o, "ageSeconds", json_object_new_uint64(now > t ? now - t : 0));
        json_object_object_add(o, "measurements", json_object_new_uint64(g->snap->n_measurements));
        json_object_object_add(o, "members", json_object_new_uint64(g->snap->n_members));
    }
    json_object_object_add(o, "maxAgeSeconds", json_object_new_uint64(s->cfg.governance_max_age));
    json_object_object_add(o, "generation", json_object_new_uint64(g->generation));
    json_object_object_add(o, "readsOk", json_object_new_uint64(g->reads_ok));
    json_object_object_add(o, "readsFailed", json_object_new_uint64(g->reads_failed));
    if (!snap && s->cfg.has_governance) {
        json_object_object_add(o, "error", json_object_new_string(cd_error_text(&err)));
        json_object_object_add(o, "errorCode", json_object_new_string(cd_status_name(err.code)));
    }
    if (g->last_error[0]) json_object_object_add(o, "lastError", json_object_new_string(g->last_error));
    json_object_object_add(self, "measurementId", g->have_self ? api_json_hex(g->self_id, 32) : NULL);
    json_object_object_add(self, "approved", json_object_new_boolean(approved == 1));
    if (approved != 1) json_object_object_add(self, "reason", json_object_new_string(cd_error_text(&serr)));
    json_object_object_add(self, "requireApproved", json_object_new_boolean(s->cfg.require_approved));
    pthread_mutex_unlock(&g->mu);
    json_object_object_add(o, "self", self);
    json_object_object_add(health, "governance", o);
}

void svc_governance_attest_fields(svc_service *s, json_object *attest) {
    struct svc_gov *g = s->gov;
    if (!g) return;
    cd_error err;
    cd_error_clear(&err);
    pthread_mutex_lock(&g->mu);
    int approved = self_approved_locked(g, now_unix(), &err);
    json_object_object_add(attest, "measurementId", g->have_self ? api_json_hex(g->self_id, 32) : NULL);
    json_object_object_add(attest, "governanceApproved", json_object_new_boolean(approved == 1));
    if (approved != 1) json_object_object_add(attest, "governanceReason", json_object_new_string(cd_error_text(&err)));
    pthread_mutex_unlock(&g->mu);
}
