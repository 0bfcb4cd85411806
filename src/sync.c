/* Following the beacon chain: bootstrap or restore, then every slot the committee
 * updates a period change needs, the finality update and the optimistic update. Every
 * object goes through the light client (Merkle branches + sync-committee BLS signature);
 * a provider whose object fails verification is reported as lying and the next one asked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/chainid.h"
#include "src/service.h"

#define STORE_LC "lc/store"
#define STORE_CHECKPOINT "lc/checkpoint"
#define UPDATES_PER_REQUEST 16 /* MAX_REQUEST_LIGHT_CLIENT_UPDATES is 128; keep bodies small */

/* Statuses that mean "the data was wrong", as opposed to "could not get the data". */
static bool is_verification_failure(cd_status s) {
    return s != CD_OK && s != CD_ERR_UPSTREAM && s != CD_ERR_NOMEM && s != CD_ERR_TOO_LARGE &&
           s != CD_ERR_INTERNAL && s != CD_ERR_IO;
}

static uint64_t slot_time(const lc_config *net, uint64_t slot) {
    return net->genesis_time + slot * net->seconds_per_slot;
}

CD_MUST_CHECK static cd_status check_age(svc_service *s, uint64_t slot, const char *what, cd_error *err) {
    uint64_t now = (uint64_t)time(NULL), t = slot_time(&s->net, slot);
    if (now > t && now - t > s->cfg.max_checkpoint_age)
        return cd_fail(err, CD_ERR_CHECKPOINT_TOO_OLD,
                       "%s (slot %llu) is %llu s old, more than --max-checkpoint-age %llu s; "
                       "give a recent --checkpoint",
                       what, (unsigned long long)slot, (unsigned long long)(now - t),
                       (unsigned long long)s->cfg.max_checkpoint_age);
    return CD_OK;
}

CD_MUST_CHECK static cd_status persist_locked(svc_service *s, cd_error *err) {
    cd_buf b = {0};
    cd_status st = lc_store_serialize(s->lc, &b);
    if (st == CD_OK) st = svc_store_put(s->store, STORE_LC, b.data, b.len, err);
    else cd_fail(err, st, "serialising the light-client store");
    cd_buf_free(&b);
    if (st == CD_OK) {
        atomic_fetch_add(&s->m.store_writes, 1);
        const lc_header *f = lc_store_finalized(s->lc);
        s->persisted_finalized_slot = f ? f->beacon.slot : 0;
    }
    return st;
}

/* GET a beacon API path from the providers in order; `apply` consumes the body and returns
 * a verification status. A provider whose body fails verification is reported. */
typedef cd_status (*apply_fn)(svc_service *s, const cd_buf *body, bool ssz, void *arg, cd_error *err);

CD_MUST_CHECK static cd_status beacon_fetch_from(svc_service *s, const char *path, bool want_ssz, apply_fn apply,
                                                 void *arg, bool ask_all, cd_error *err) {
    unsigned order[SVC_MAX_UPSTREAMS];
    unsigned n = svc_pool_order(&s->beacon, order);
    cd_status st = cd_fail(err, CD_ERR_UPSTREAM, "no consensus provider"), first_ok = CD_ERR_UPSTREAM;
    for (unsigned k = 0; k < n; k++) {
        /* Providers caught lying come last; once an honest one answered, skip them. */
        if (first_ok == CD_OK && atomic_load(&s->beacon.ep[order[k]].penalty_until) > (int64_t)time(NULL)) break;
        cd_buf body = {0};
        long status = 0;
        char ctype[64];
        st = svc_http_ex(&s->beacon, order[k], path,
                         want_ssz ? "application/octet-stream;q=1,application/json;q=0.5" : "application/json", NULL,
                         NULL, 0, &body, &status, ctype, sizeof ctype, err);
        /* The server says which one it sent; a body without a type is taken as JSON. */
        bool ssz = want_ssz && !strcmp(ctype, "application/octet-stream");
        if (st == CD_OK) st = apply(s, &body, ssz, arg, err);
        cd_buf_free(&body);
        if (st == CD_ERR_CHECKPOINT_TOO_OLD) return st;
        if (st == CD_OK) {
            if (!ask_all) return st;
            first_ok = CD_OK;
            continue;
        }
        if (is_verification_failure(st)) {
            atomic_fetch_add(&s->m.lc_rejected, 1);
            char what[320];
            snprintf(what, sizeof what, "%s: %s", path, cd_error_text(err));
            svc_pool_report_lie(&s->beacon, order[k], what);
        } else {
            char q[300];
            SVC_LOGW(&s->log, "beacon_fetch_failed", "path=%s provider=%s reason=%s", path,
                     s->beacon.ep[order[k]].display, svc_log_quote(q, sizeof q, cd_error_text(err)));
        }
    }
    return first_ok == CD_OK ? CD_OK : st;
}

/* The first provider whose answer verifies. */
CD_MUST_CHECK static cd_status beacon_fetch(svc_service *s, const char *path, bool want_ssz, apply_fn apply, void *arg,
                                            cd_error *err) {
    return beacon_fetch_from(s, path, want_ssz, apply, arg, false, err);
}

/* Every provider: the light client keeps the best valid update, so a provider that lags or
 * withholds new updates cannot hold the service back while another one is honest. */
CD_MUST_CHECK static cd_status beacon_fetch_all(svc_service *s, const char *path, apply_fn apply, cd_error *err) {
    return beacon_fetch_from(s, path, false, apply, NULL, true, err);
}

static cd_status apply_bootstrap(svc_service *s, const cd_buf *body, bool ssz, void *arg, cd_error *err) {
    (void)ssz; /* asked for JSON: the fork comes with it */
    const cd_hash32 *root = arg;
    lc_store *fresh = NULL;
    cd_status st = lc_store_new(&fresh, &s->net, NULL, err);
    if (st != CD_OK) return st;
    st = lc_store_bootstrap_json(fresh, root, (const char *)body->data, body->len, err);
    if (st == CD_OK) {
        const lc_header *f = lc_store_finalized(fresh);
        st = check_age(s, f ? f->beacon.slot : 0, "checkpoint", err);
    }
    if (st != CD_OK) {
        lc_store_free(fresh);
        return st;
    }
    pthread_mutex_lock(&s->mu);
    lc_store_free(s->lc);
    s->lc = fresh;
    svc_heads_refresh_locked(s);
    st = persist_locked(s, err);
    pthread_mutex_unlock(&s->mu);
    if (st == CD_OK)
        st = svc_store_put(s->store, STORE_CHECKPOINT, root->b, 32, err);
    return st;
}

static cd_status apply_updates(svc_service *s, const cd_buf *body, bool ssz, void *arg, cd_error *err) {
    (void)arg;
    size_t processed = 0;
    uint64_t now_slot = svc_current_slot(s);
    pthread_mutex_lock(&s->mu);
    cd_status st = ssz ? lc_store_process_update_stream(s->lc, cd_buf_bytes(body), now_slot, &processed, err)
                       : lc_store_process_json(s->lc, (const char *)body->data, body->len, now_slot, &processed, err);
    atomic_fetch_add(&s->m.lc_applied, processed);
    svc_heads_refresh_locked(s);
    pthread_mutex_unlock(&s->mu);
    /* Updates for periods we already have are not lies, only old news. */
    return st == CD_ERR_LC_NOT_RELEVANT ? CD_OK : st;
}

static cd_status apply_single(svc_service *s, const cd_buf *body, bool ssz, void *arg, cd_error *err) {
    (void)arg;
    if (ssz) return cd_fail(err, CD_ERR_UNSUPPORTED, "expected a JSON update");
    uint64_t now_slot = svc_current_slot(s);
    pthread_mutex_lock(&s->mu);
    size_t processed = 0;
    cd_status st = lc_store_process_json(s->lc, (const char *)body->data, body->len, now_slot, &processed, err);
    atomic_fetch_add(&s->m.lc_applied, processed);
    svc_heads_refresh_locked(s);
    pthread_mutex_unlock(&s->mu);
    /* An update that brings nothing new (we already have it) is not a lie. */
    return st == CD_ERR_LC_NOT_RELEVANT ? CD_OK : st;
}

CD_MUST_CHECK static cd_status bootstrap(svc_service *s, const cd_hash32 *root, cd_error *err) {
    char path[160], hex[67];
    cd_hex_encode(hex, root->b, 32);
    snprintf(path, sizeof path, "/eth/v1/beacon/light_client/bootstrap/%s", hex);
    SVC_LOGI(&s->log, "bootstrap", "checkpoint=%s", hex);
    return beacon_fetch(s, path, false, apply_bootstrap, (void *)root, err);
}

cd_status svc_sync_start(svc_service *s, cd_error *err) {
    /* The execution upstreams' chain ids first: nothing is signed before one agrees. */
    (void)svc_check_upstream_chain_ids(s);
    cd_buf b = {0}, cp = {0};
    cd_status st = svc_store_get(s->store, STORE_LC, &b, err);
    if (st == CD_OK) {
        lc_store *restored = NULL;
        st = lc_store_restore(&restored, &s->net, NULL, cd_buf_bytes(&b), err);
        cd_buf_free(&b);
        if (st != CD_OK) {
            cd_error_prefix(err, "stored light-client state: ");
            return st;
        }
        const lc_header *f = lc_store_finalized(restored);
        uint64_t slot = f ? f->beacon.slot : 0;
        cd_status age = check_age(s, slot, "stored finalized header", err);
        bool other_checkpoint = false;
        if (s->cfg.has_checkpoint && svc_store_get(s->store, STORE_CHECKPOINT, &cp, NULL) == CD_OK)
            other_checkpoint = cp.len != 32 || memcmp(cp.data, s->cfg.checkpoint.b, 32) != 0;
        cd_buf_free(&cp);
        if (age == CD_OK) {
            pthread_mutex_lock(&s->mu);
            s->lc = restored;
            s->persisted_finalized_slot = slot;
            svc_heads_refresh_locked(s);
            pthread_mutex_unlock(&s->mu);
            SVC_LOGI(&s->log, "resumed", "finalized_slot=%llu source=store", (unsigned long long)slot);
            return CD_OK;
        }
        lc_store_free(restored);
        /* Too old to resume: only a new checkpoint from the operator helps. */
        if (!other_checkpoint) return age;
        SVC_LOGW(&s->log, "stored_state_too_old", "finalized_slot=%llu action=bootstrap_from_new_checkpoint",
                 (unsigned long long)slot);
    } else {
        cd_buf_free(&b);
        if (st != CD_ERR_NOT_FOUND) return st; /* tampered / foreign store: refuse, never reset */
    }
    if (!s->cfg.has_checkpoint)
        return cd_fail(err, CD_ERR_CONFIG, "no stored state and no --checkpoint: give a trusted beacon block root");
    return bootstrap(s, &s->cfg.checkpoint, err);
}

cd_status svc_sync_step(svc_service *s, cd_error *err) {
    uint64_t now_slot = svc_current_slot(s);
    uint64_t now_period = lc_period_at_slot(&s->net, now_slot);
    pthread_mutex_lock(&s->mu);
    uint64_t period = lc_store_current_period(s->lc);
    bool next_known = lc_store_next_committee_known(s->lc);
    pthread_mutex_unlock(&s->mu);
    cd_status st = CD_OK;
    /* Committee rotation: catch up period by period, then keep the next committee known. */
    if (period < now_period || !next_known) {
        uint64_t count = now_period >= period ? now_period - period + 1 : 1;
        if (count > UPDATES_PER_REQUEST) count = UPDATES_PER_REQUEST;
        char path[160];
        snprintf(path, sizeof path, "/eth/v1/beacon/light_client/updates?start_period=%llu&count=%llu",
                 (unsigned long long)period, (unsigned long long)count);
        st = beacon_fetch(s, path, true, apply_updates, NULL, err);
        if (st != CD_OK) return st;
    }
    /* Finality and optimistic updates are independent: a bad one does not hold up the other,
     * and whatever was gained is persisted; the first failure is reported. */
    cd_error err2;
    cd_error_clear(&err2);
    cd_status fin = beacon_fetch_all(s, "/eth/v1/beacon/light_client/finality_update", apply_single, err);
    cd_status opt = beacon_fetch_all(s, "/eth/v1/beacon/light_client/optimistic_update", apply_single,
                                     fin == CD_OK ? err : &err2);
    pthread_mutex_lock(&s->mu);
    const lc_header *f = lc_store_finalized(s->lc);
    if (f && f->beacon.slot > s->persisted_finalized_slot) st = persist_locked(s, fin == CD_OK && opt == CD_OK ? err : &err2);
    pthread_mutex_unlock(&s->mu);
    if (fin != CD_OK) return fin;
    if (opt != CD_OK) return opt;
    return st;
}

static void sleep_until_or_stop(svc_service *s, double seconds) {
    while (seconds > 0 && !atomic_load(&s->stop)) {
        double step = seconds > 0.2 ? 0.2 : seconds;
        struct timespec ts = {(time_t)step, (long)((step - (double)(time_t)step) * 1e9)};
        nanosleep(&ts, NULL);
        seconds -= step;
    }
}

void *svc_sync_thread(void *arg) {
    svc_service *s = arg;
    unsigned failures = 0;
    while (!atomic_load(&s->stop)) {
        cd_error err;
        cd_error_clear(&err);
        (void)svc_check_upstream_chain_ids(s); /* asks only those due (src/chainid.h) */
        cd_status st = svc_sync_step(s, &err);
        pthread_mutex_lock(&s->mu);
        if (st == CD_OK) s->sync_error[0] = '\0';
        else snprintf(s->sync_error, sizeof s->sync_error, "%s", cd_error_text(&err));
        pthread_mutex_unlock(&s->mu);
        double wait;
        if (st == CD_OK) {
            failures = 0;
            /* Poll a few times per slot: the sync aggregate for slot N arrives in slot N+1. */
            wait = (double)s->net.seconds_per_slot / 3.0;
            if (wait < 0.5) wait = 0.5;
        } else {
            char q[300];
            SVC_LOGW(&s->log, "sync_failed", "reason=%s", svc_log_quote(q, sizeof q, cd_error_text(&err)));
            failures++;
            wait = failures < 6 ? (double)(1u << failures) / 2 : 30;
        }
        sleep_until_or_stop(s, wait);
    }
    return NULL;
}
