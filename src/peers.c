/* The daemon's side of a cluster: setup, bootstrap, join, the peer-port listener, and the
 * key answers are signed with (src/peers.h, docs/cluster.md). The channel and the
 * attestation exchange are cluster/'s; what this file adds is the admission decision
 * (governance or --peer-allow), the sealed records and the threads. */
#include "src/peers.h"

#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cluster/cluster.h"
#include "src/governance.h"
#include "src/service.h"

#define SETUP_RECORD "cluster/setup"
#define KEY_RECORD "cluster/key"
#define SETUP_MAX 8192               /* a sealed or posted setup: 16 peers and a URL fit easily */
#define PEER_TIMEOUT_MS 10000        /* every read/write on the peer channel */
#define MAX_ADMITTED 64              /* peers remembered for the re-check and /health */

typedef struct {
    char peers[SVC_MAX_PEERS][SVC_PEER_ADDR_MAX];
    unsigned n_peers;
    uint16_t port;
    char execution_rpc[SVC_URL_MAX]; /* "" = none */
} setup_t;

typedef struct {
    cd_address address;
    uint8_t measurement_id[32];
    char name[64];
    uint64_t at;
    bool revoked;
    char reason[160];
} admitted_t;

/* The handlers behind the "has the cluster key" gate (svc_peers_backend). */
typedef void (*block_fn)(void *, bool, api_response *);
typedef void (*call_fn)(void *, const api_call_request *, api_response *);
typedef void (*route_fn)(void *, json_object *, const api_query *, api_response *);

typedef enum { TRUST_NONE, TRUST_GOVERNANCE, TRUST_POLICY } trust_mode;

struct svc_peers {
    svc_service *s;
    trust_mode trust;
    att_policy *policy;              /* --peer-allow */
    bool accept_mock;                /* --peer-allow-mock and we run the mock TEE ourselves */
    cluster_tls *tls;
    int lfd;
    uint16_t bound_port;
    pthread_t listen_thread, join_thread;
    bool listen_started, join_started;
    uint64_t gen_seen;
    block_fn block;                  /* the gated handlers (set once, before the server starts) */
    call_fn call;
    route_fn governance, dvn;

    pthread_mutex_t mu;              /* guards everything below */
    bool configured;                 /* a setup exists (flags, POST /setup, or sealed) */
    setup_t setup;
    bool execution_rpc_active;       /* the sealed execution_rpc is the upstream of this run */
    svc_signer *cluster;             /* the cluster key once held (never replaced: callers keep the pointer) */
    uint8_t secret[32];
    bool created_here;               /* bootstrapped by this node */
    admitted_t admitted[MAX_ADMITTED];
    size_t n_admitted;
    uint64_t refused;
    char last_error[SVC_PEER_ADDR_MAX + 300];
};

/* ---- setup: parse, compare, persist ---------------------------------------------------- */

/* A peer address as --peers takes it (svc_config_parse_listen's HOST:PORT or [V6]:PORT, a
 * TCP port other than 0), so that POST /setup and the flag accept exactly the same strings. */
static bool parse_peer_addr(const char *hp, svc_listen_addr *out) {
    cd_error ignored;
    cd_error_clear(&ignored);
    return svc_config_parse_listen(hp, out, &ignored) == CD_OK && out->kind == SVC_LISTEN_TCP && out->port != 0;
}

static cd_status setup_from_json(json_object *o, setup_t *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (!json_object_is_type(o, json_type_object)) return cd_fail(err, CD_ERR_BAD_JSON, "setup: expected a JSON object");
    bool have_port = false;
    json_object_object_foreach(o, key, val) {
        if (!strcmp(key, "peers")) {
            if (!json_object_is_type(val, json_type_array)) return cd_fail(err, CD_ERR_BAD_JSON, "setup: peers must be an array");
            size_t n = json_object_array_length(val);
            if (n > SVC_MAX_PEERS) return cd_fail(err, CD_ERR_BAD_JSON, "setup: at most %d peers", SVC_MAX_PEERS);
            for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(val, i);
                const char *p = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
                svc_listen_addr a;
                if (!p || strlen(p) >= SVC_PEER_ADDR_MAX || !parse_peer_addr(p, &a))
                    return cd_fail(err, CD_ERR_BAD_JSON, "setup: peers[%zu] is not a HOST:PORT string", i);
                snprintf(out->peers[out->n_peers++], SVC_PEER_ADDR_MAX, "%s", p);
            }
        } else if (!strcmp(key, "port")) {
            if (!json_object_is_type(val, json_type_int)) return cd_fail(err, CD_ERR_BAD_JSON, "setup: port must be an integer");
            int64_t v = json_object_get_int64(val);
            if (v < 1 || v > 65535) return cd_fail(err, CD_ERR_BAD_JSON, "setup: port %lld is not 1..65535", (long long)v);
            out->port = (uint16_t)v;
            have_port = true;
        } else if (!strcmp(key, "execution_rpc")) {
            if (json_object_is_type(val, json_type_null)) continue;
            const char *u = json_object_is_type(val, json_type_string) ? json_object_get_string(val) : NULL;
            if (!u) return cd_fail(err, CD_ERR_BAD_JSON, "setup: execution_rpc must be a string");
            size_t n = strlen(u);
            if (n && (n >= SVC_URL_MAX || (strncmp(u, "http://", 7) && strncmp(u, "https://", 8))))
                return cd_fail(err, CD_ERR_BAD_JSON, "setup: execution_rpc must be an http(s) URL under %d bytes", SVC_URL_MAX);
            for (size_t i = 0; i < n; i++)
                if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f)
                    return cd_fail(err, CD_ERR_BAD_JSON, "setup: execution_rpc has a space or control character");
            snprintf(out->execution_rpc, sizeof out->execution_rpc, "%s", u);
        } else {
            return cd_fail(err, CD_ERR_BAD_JSON, "setup: unknown field '%.40s'", key);
        }
    }
    if (!have_port) return cd_fail(err, CD_ERR_BAD_JSON, "setup: port is required (the attested peer channel)");
    return CD_OK;
}

static json_object *setup_to_json(const setup_t *st) {
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    if (!o || !a) {
        json_object_put(o), json_object_put(a);
        return NULL;
    }
    for (unsigned i = 0; i < st->n_peers; i++) json_object_array_add(a, json_object_new_string(st->peers[i]));
    json_object_object_add(o, "peers", a);
    json_object_object_add(o, "port", json_object_new_int(st->port));
    if (st->execution_rpc[0]) json_object_object_add(o, "execution_rpc", json_object_new_string(st->execution_rpc));
    return o;
}

static bool same_peers_and_port(const setup_t *a, const setup_t *b) {
    if (a->n_peers != b->n_peers || a->port != b->port) return false;
    for (unsigned i = 0; i < a->n_peers; i++)
        if (strcmp(a->peers[i], b->peers[i])) return false;
    return true;
}

static cd_status setup_persist(svc_service *s, const setup_t *st, cd_error *err) {
    json_object *o = setup_to_json(st);
    if (!o) return cd_fail(err, CD_ERR_NOMEM, "setup");
    size_t len = 0;
    const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    cd_status r = svc_store_put(s->store, SETUP_RECORD, (const uint8_t *)text, len, err);
    json_object_put(o);
    if (r == CD_OK) atomic_fetch_add(&s->m.store_writes, 1);
    return r;
}

/* ---- the key ----------------------------------------------------------------------- */

/* Drops answers signed before the key changed (cached /block, /attest and /governance). */
static void drop_cached_answers(svc_service *s) {
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < 2; i++) {
        free(s->block_answer[i]);
        s->block_answer[i] = NULL;
    }
    free(s->attest_answer);
    s->attest_answer = NULL;
    pthread_mutex_unlock(&s->mu);
    svc_governance_drop_answer(s);
}

/* Takes a secret (from the store, a generator or a peer), makes the signer and installs it. */
static cd_status install_key(struct svc_peers *p, const uint8_t secret[32], bool seal, cd_error *err) {
    svc_service *s = p->s;
    svc_signer *sg = NULL;
    cd_status st = svc_signer_from_secret(&sg, secret, err);
    if (st != CD_OK) return st;
    if (seal && (st = svc_store_put(s->store, KEY_RECORD, secret, 32, err)) != CD_OK) {
        svc_signer_free(sg);
        return st;
    }
    if (seal) atomic_fetch_add(&s->m.store_writes, 1);
    pthread_mutex_lock(&p->mu);
    bool had = p->cluster != NULL;
    if (!had) {
        p->cluster = sg;
        memcpy(p->secret, secret, 32);
        sg = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    svc_signer_free(sg);
    if (had) return cd_fail(err, CD_ERR_CLUSTER_SETUP, "a cluster key is already held");
    drop_cached_answers(s);
    return CD_OK;
}

static cd_status bootstrap(struct svc_peers *p, cd_error *err) {
    uint8_t sk[32];
    cd_status st = CD_ERR_INTERNAL;
    for (int tries = 0; tries < 8 && st != CD_OK; tries++) {
        if (RAND_bytes(sk, sizeof sk) != 1) return cd_fail(err, CD_ERR_INTERNAL, "no randomness for the cluster key");
        st = install_key(p, sk, true, err);
        if (st == CD_ERR_CLUSTER_SETUP) break;
    }
    cd_wipe(sk, sizeof sk);
    if (st == CD_OK) {
        pthread_mutex_lock(&p->mu);
        p->created_here = true;
        char a[43];
        cd_hex_encode(a, svc_signer_address(p->cluster)->b, 20);
        pthread_mutex_unlock(&p->mu);
        SVC_LOGI(&p->s->log, "cluster_bootstrapped", "cluster_address=%s sealed=true", a);
    }
    return st;
}

static bool have_key(struct svc_peers *p) {
    pthread_mutex_lock(&p->mu);
    bool h = p->cluster != NULL;
    pthread_mutex_unlock(&p->mu);
    return h;
}

static void set_error(struct svc_peers *p, const char *fmt, const char *a, const char *b) {
    pthread_mutex_lock(&p->mu);
    snprintf(p->last_error, sizeof p->last_error, fmt, a, b);
    pthread_mutex_unlock(&p->mu);
}

/* ---- admission ----------------------------------------------------------------------- */

static cd_status admit_cb(void *ctx, const att_report *rep, const uint8_t id[32], const cd_address *address, cd_error *err) {
    struct svc_peers *p = ctx;
    switch (p->trust) {
    case TRUST_GOVERNANCE:
        return svc_governance_admit(p->s, id, address->b, (uint64_t)time(NULL), err);
    case TRUST_POLICY: {
        const char *matched = NULL;
        cd_status st = att_policy_check(p->policy, rep, &matched, err);
        if (st != CD_OK) cd_error_prefix(err, "--peer-allow: ");
        return st;
    }
    case TRUST_NONE: break;
    }
    return cd_fail(err, CD_ERR_PEER_REFUSED, "no admission policy (--governance or --peer-allow)");
}

static void handshake_cfg(struct svc_peers *p, cluster_handshake_cfg *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->tee = p->s->tee;
    cfg->address = *svc_signer_address(p->s->signer);
    cfg->verify.accept_mock = p->accept_mock;
    cfg->verify.accept_debug = false;
    cfg->admit = admit_cb;
    cfg->admit_ctx = p;
}

static void log_refusal(struct svc_peers *p, const char *event, const char *peer, const cluster_peer *who, const cd_error *err) {
    char q[300], a[43] = "unknown";
    bool known = false;
    for (int i = 0; i < 20; i++) known |= who->address.b[i] != 0;
    if (known) cd_hex_encode(a, who->address.b, 20);
    SVC_LOGW(&p->s->log, event, "peer=%s address=%s code=%s reason=%s", peer, a, cd_status_name(err->code),
             svc_log_quote(q, sizeof q, cd_error_text(err)));
}

/* ---- serving joiners ---------------------------------------------------------------------- */

static void remember_admitted(struct svc_peers *p, const cluster_peer *peer) {
    pthread_mutex_lock(&p->mu);
    admitted_t *slot = NULL;
    for (size_t i = 0; i < p->n_admitted; i++)
        if (!memcmp(p->admitted[i].address.b, peer->address.b, 20)) slot = &p->admitted[i];
    if (!slot && p->n_admitted < MAX_ADMITTED) slot = &p->admitted[p->n_admitted++];
    if (slot) {
        memset(slot, 0, sizeof *slot);
        slot->address = peer->address;
        memcpy(slot->measurement_id, peer->measurement_id, 32);
        snprintf(slot->name, sizeof slot->name, "%s", peer->name);
        slot->at = (uint64_t)time(NULL);
    }
    pthread_mutex_unlock(&p->mu);
}

static void serve_one(struct svc_peers *p, int fd) {
    svc_service *s = p->s;
    cd_error err;
    cd_error_clear(&err);
    cluster_conn *c = NULL;
    if (!have_key(p)) {
        /* Nothing to hand out yet; a joiner tries its next peer. */
        close(fd);
        SVC_LOGI(&s->log, "peer_turned_away", "reason=\"this node holds no cluster key yet\"");
        return;
    }
    if (cluster_accept(p->tls, fd, PEER_TIMEOUT_MS, &c, &err) != CD_OK) {
        pthread_mutex_lock(&p->mu);
        p->refused++;
        pthread_mutex_unlock(&p->mu);
        char q[300];
        SVC_LOGW(&s->log, "peer_refused", "stage=tls code=%s reason=%s", cd_status_name(err.code),
                 svc_log_quote(q, sizeof q, cd_error_text(&err)));
        return;
    }
    char name[64];
    snprintf(name, sizeof name, "%s", cluster_conn_peer_name(c));
    cluster_handshake_cfg cfg;
    handshake_cfg(p, &cfg);
    cluster_peer peer;
    cd_status st = cluster_handshake(c, &cfg, &peer, &err);
    if (st != CD_OK) {
        pthread_mutex_lock(&p->mu);
        p->refused++;
        pthread_mutex_unlock(&p->mu);
        log_refusal(p, st == CD_ERR_PEER_REFUSED ? "peer_refused_us" : "peer_refused", name, &peer, &err);
        cluster_conn_close(c);
        return;
    }
    uint8_t secret[32];
    pthread_mutex_lock(&p->mu);
    memcpy(secret, p->secret, 32);
    pthread_mutex_unlock(&p->mu);
    st = cluster_send_key(c, secret, &err);
    cd_wipe(secret, sizeof secret);
    cluster_conn_close(c);
    char a[43], id[67], q[300];
    cd_hex_encode(a, peer.address.b, 20);
    cd_hex_encode(id, peer.measurement_id, 32);
    if (st != CD_OK) {
        SVC_LOGW(&s->log, "peer_key_send_failed", "peer=%s address=%s reason=%s", name, a,
                 svc_log_quote(q, sizeof q, cd_error_text(&err)));
        return;
    }
    remember_admitted(p, &peer);
    SVC_LOGI(&s->log, "peer_admitted", "peer=%s address=%s measurement_id=%s format=%s trust=%s key_sent=true", name, a, id,
             att_format_name(peer.format), p->trust == TRUST_GOVERNANCE ? "governance" : "peer-allow");
}

/* Governance changed: peers admitted under the old snapshot are checked again. They hold
 * the key already (it cannot be taken back); what changes is that they are shown revoked
 * and refused at their next handshake. */
static void recheck_admitted(struct svc_peers *p) {
    if (p->trust != TRUST_GOVERNANCE) return;
    uint64_t gen = svc_governance_generation(p->s);
    if (gen == p->gen_seen) return;
    p->gen_seen = gen;
    admitted_t copy[MAX_ADMITTED];
    pthread_mutex_lock(&p->mu);
    size_t n = p->n_admitted;
    memcpy(copy, p->admitted, n * sizeof copy[0]);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < n; i++) {
        if (copy[i].revoked) continue;
        cd_error e;
        cd_error_clear(&e);
        if (svc_governance_admit(p->s, copy[i].measurement_id, copy[i].address.b, (uint64_t)time(NULL), &e) == CD_OK) continue;
        if (e.code == CD_ERR_GOV_STALE) continue; /* no fresh reading says anything new */
        char a[43], q[300];
        cd_hex_encode(a, copy[i].address.b, 20);
        SVC_LOGW(&p->s->log, "peer_revoked", "address=%s generation=%llu code=%s reason=%s", a, (unsigned long long)gen,
                 cd_status_name(e.code), svc_log_quote(q, sizeof q, cd_error_text(&e)));
        pthread_mutex_lock(&p->mu);
        for (size_t k = 0; k < p->n_admitted; k++)
            if (!memcmp(p->admitted[k].address.b, copy[i].address.b, 20)) {
                p->admitted[k].revoked = true;
                snprintf(p->admitted[k].reason, sizeof p->admitted[k].reason, "%s", cd_error_text(&e));
            }
        pthread_mutex_unlock(&p->mu);
    }
}

static void *listen_main(void *arg) {
    struct svc_peers *p = arg;
    svc_service *s = p->s;
    /* One joiner at a time: a handshake is short, every read is bounded by PEER_TIMEOUT_MS,
     * and serial handling keeps a flood of connections from costing more than one. */
    while (!atomic_load(&s->stop)) {
        recheck_admitted(p);
        struct pollfd pf = {p->lfd, POLLIN, 0};
        int r = poll(&pf, 1, 500);
        if (r <= 0 || !(pf.revents & POLLIN)) continue;
        int fd = accept4(p->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) continue;
        serve_one(p, fd);
    }
    return NULL;
}

/* ---- joining ------------------------------------------------------------------------------ */

static cd_status try_join(struct svc_peers *p, const char *hp, cd_error *err) {
    svc_listen_addr at;
    if (!parse_peer_addr(hp, &at)) return cd_fail(err, CD_ERR_CONFIG, "peer %s is not HOST:PORT", hp);
    cluster_conn *c = NULL;
    cd_status st = cluster_connect(p->tls, at.host, at.port, PEER_TIMEOUT_MS, &c, err);
    if (st != CD_OK) return st;
    cluster_handshake_cfg cfg;
    handshake_cfg(p, &cfg);
    cluster_peer peer;
    st = cluster_handshake(c, &cfg, &peer, err);
    if (st != CD_OK) {
        log_refusal(p, st == CD_ERR_PEER_REFUSED ? "join_refused_by_peer" : "join_peer_refused", hp, &peer, err);
        cluster_conn_close(c);
        return st;
    }
    uint8_t key[32];
    st = cluster_recv_key(c, key, err);
    cluster_conn_close(c);
    if (st == CD_OK) st = install_key(p, key, true, err);
    cd_wipe(key, sizeof key);
    if (st != CD_OK) return st;
    char a[43], via[43];
    pthread_mutex_lock(&p->mu);
    cd_hex_encode(a, svc_signer_address(p->cluster)->b, 20);
    pthread_mutex_unlock(&p->mu);
    cd_hex_encode(via, peer.address.b, 20);
    SVC_LOGI(&p->s->log, "cluster_joined", "cluster_address=%s via=%s via_address=%s sealed=true", a, hp, via);
    return CD_OK;
}

static void *join_main(void *arg) {
    struct svc_peers *p = arg;
    svc_service *s = p->s;
    unsigned attempt = 0, i = 0;
    while (!atomic_load(&s->stop) && !have_key(p)) {
        pthread_mutex_lock(&p->mu);
        unsigned n = p->setup.n_peers;
        char hp[SVC_PEER_ADDR_MAX];
        snprintf(hp, sizeof hp, "%s", n ? p->setup.peers[i % n] : "");
        pthread_mutex_unlock(&p->mu);
        if (!n) break;
        i++;
        cd_error err;
        cd_error_clear(&err);
        if (try_join(p, hp, &err) == CD_OK) break;
        char q[300];
        SVC_LOGW(&s->log, "join_failed", "peer=%s code=%s reason=%s", hp, cd_status_name(err.code),
                 svc_log_quote(q, sizeof q, cd_error_text(&err)));
        set_error(p, "join via %s: %s", hp, cd_error_text(&err));
        unsigned wait = attempt < 3 ? 1u << attempt : 5; /* seconds; peers come up, governance finalizes */
        attempt++;
        for (unsigned k = 0; k < wait * 5 && !atomic_load(&s->stop); k++) {
            struct timespec ts = {0, 200000000L};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------------------- */

cd_status svc_peers_init(svc_service *s, cd_error *err) {
    struct svc_peers *p = calloc(1, sizeof *p);
    if (!p) return cd_fail(err, CD_ERR_NOMEM, "peers");
    p->s = s;
    p->lfd = -1;
    pthread_mutex_init(&p->mu, NULL);
    s->peers = p;
    const svc_config *cfg = &s->cfg;
    bool mock = att_provider_insecure(s->tee);
    if (cfg->peer_allow_mock && !mock) return cd_fail(err, CD_ERR_CONFIG, "--peer-allow-mock needs --tee mock on this node too");
    p->accept_mock = cfg->peer_allow_mock && mock;
    if (cfg->has_governance && cfg->peer_allow[0])
        return cd_fail(err, CD_ERR_CONFIG, "give --governance or --peer-allow to admit peers, not both");
    if (cfg->has_governance) p->trust = TRUST_GOVERNANCE;
    if (cfg->peer_allow[0]) {
        cd_status st = att_policy_load(cfg->peer_allow, &p->policy, err);
        if (st != CD_OK) {
            cd_error_prefix(err, "--peer-allow %s: ", cfg->peer_allow);
            return st;
        }
        p->trust = TRUST_POLICY;
    }

    /* The sealed setup, if any. */
    cd_buf b = {0};
    cd_error e2;
    cd_status st = svc_store_get(s->store, SETUP_RECORD, &b, &e2);
    if (st == CD_OK) {
        json_object *o = NULL;
        if (b.len > SETUP_MAX || api_json_parse((const char *)b.data, b.len, &o, err) != CD_OK ||
            setup_from_json(o, &p->setup, err) != CD_OK) {
            json_object_put(o);
            cd_buf_free(&b);
            cd_error_prefix(err, "sealed cluster setup: ");
            return err ? err->code : CD_ERR_STORE;
        }
        json_object_put(o);
        p->configured = true;
    } else if (st != CD_ERR_NOT_FOUND) {
        cd_buf_free(&b);
        if (err) *err = e2;
        return st;
    }
    cd_buf_free(&b);

    /* The flags: the same setup as the sealed one, or the first. */
    if (cfg->n_peers || cfg->has_peer_port) {
        if (!cfg->has_peer_port || cfg->peer_port == 0)
            return cd_fail(err, CD_ERR_CONFIG, "--peers needs --peer-port (1..65535): joined nodes serve the key too");
        setup_t f;
        memset(&f, 0, sizeof f);
        for (unsigned i = 0; i < cfg->n_peers; i++) snprintf(f.peers[i], SVC_PEER_ADDR_MAX, "%s", cfg->peers[i]);
        f.n_peers = cfg->n_peers;
        f.port = cfg->peer_port;
        if (p->configured && !same_peers_and_port(&f, &p->setup))
            return cd_fail(err, CD_ERR_CLUSTER_SETUP,
                           "--peers/--peer-port differ from the cluster setup sealed in the store (setup is accepted once)");
        if (!p->configured) {
            if (p->trust == TRUST_NONE)
                return cd_fail(err, CD_ERR_CONFIG, "a cluster needs --governance or --peer-allow to admit peers");
            if ((st = setup_persist(s, &f, err)) != CD_OK) return st;
            p->setup = f;
            p->configured = true;
        }
    }
    if (p->configured && p->trust == TRUST_NONE)
        return cd_fail(err, CD_ERR_CONFIG, "this node is set up for a cluster: give --governance or --peer-allow to admit peers");

    /* The sealed key: a joined node keeps it across restarts without joining again. */
    cd_buf k = {0};
    st = svc_store_get(s->store, KEY_RECORD, &k, &e2);
    if (st == CD_OK) {
        st = k.len == 32 ? install_key(p, k.data, false, err) : cd_fail(err, CD_ERR_STORE, "sealed cluster key: %zu bytes", k.len);
        cd_wipe(k.data, k.len);
        cd_buf_free(&k);
        if (st != CD_OK) return st;
    } else {
        cd_buf_free(&k);
        if (st != CD_ERR_NOT_FOUND) {
            if (err) *err = e2;
            return st;
        }
    }

    /* execution_rpc of the setup: the execution upstream from the start after it was given. */
    if (p->configured && p->setup.execution_rpc[0]) {
        snprintf(s->cfg.execution_rpc[0], SVC_URL_MAX, "%s", p->setup.execution_rpc);
        s->cfg.n_execution_rpc = 1;
        p->execution_rpc_active = true;
        SVC_LOGI(&s->log, "cluster_execution_rpc", "source=setup url_len=%zu", strlen(p->setup.execution_rpc));
    }
    return CD_OK;
}

static cd_status start_locked_out(struct svc_peers *p, cd_error *err) {
    svc_service *s = p->s;
    if (!p->tls) {
        cd_status st = cluster_tls_new(&p->tls, err);
        if (st != CD_OK) return st;
    }
    if (!have_key(p) && p->setup.n_peers == 0) {
        cd_status st = bootstrap(p, err);
        if (st != CD_OK) return st;
    }
    if (p->lfd < 0) {
        uint16_t bound = 0;
        cd_status st = cluster_listen(s->cfg.listen.kind == SVC_LISTEN_TCP ? s->cfg.listen.host : "0.0.0.0", p->setup.port,
                                      &p->lfd, &bound, err);
        if (st != CD_OK) return st;
        pthread_mutex_lock(&p->mu);
        p->bound_port = bound; /* /health reads it */
        pthread_mutex_unlock(&p->mu);
        if (pthread_create(&p->listen_thread, NULL, listen_main, p) != 0) return cd_fail(err, CD_ERR_INTERNAL, "peer listener thread");
        p->listen_started = true;
    }
    if (!have_key(p) && !p->join_started) {
        if (pthread_create(&p->join_thread, NULL, join_main, p) != 0) return cd_fail(err, CD_ERR_INTERNAL, "join thread");
        p->join_started = true;
    }
    char a[43] = "none";
    pthread_mutex_lock(&p->mu);
    if (p->cluster) cd_hex_encode(a, svc_signer_address(p->cluster)->b, 20);
    uint16_t bound = p->bound_port;
    pthread_mutex_unlock(&p->mu);
    SVC_LOGI(&s->log, "cluster", "role=%s peer_port=%u peers=%u has_key=%s cluster_address=%s trust=%s mock_peers=%s",
             p->setup.n_peers ? "join" : "bootstrap", bound, p->setup.n_peers, strcmp(a, "none") ? "true" : "false", a,
             p->trust == TRUST_GOVERNANCE ? "governance" : "peer-allow", p->accept_mock ? "true" : "false");
    return CD_OK;
}

cd_status svc_peers_start(svc_service *s, cd_error *err) {
    struct svc_peers *p = s->peers;
    if (!p || !p->configured) return CD_OK;
    return start_locked_out(p, err);
}

void svc_peers_stop(svc_service *s) {
    struct svc_peers *p = s->peers;
    if (!p) return;
    if (p->listen_started) pthread_join(p->listen_thread, NULL);
    if (p->join_started) pthread_join(p->join_thread, NULL);
    p->listen_started = p->join_started = false;
}

void svc_peers_free(svc_service *s) {
    struct svc_peers *p = s->peers;
    if (!p) return;
    if (p->listen_started || p->join_started) atomic_store(&s->stop, true);
    svc_peers_stop(s);
    if (p->lfd >= 0) close(p->lfd);
    cluster_tls_free(p->tls);
    att_policy_free(p->policy);
    svc_signer_free(p->cluster);
    cd_wipe(p->secret, sizeof p->secret);
    pthread_mutex_destroy(&p->mu);
    free(p);
    s->peers = NULL;
}

/* ---- signing ----------------------------------------------------------------------------- */

cd_status svc_peers_signer(svc_service *s, const svc_signer **out) {
    struct svc_peers *p = s->peers;
    *out = s->signer;
    if (!p) return CD_OK;
    pthread_mutex_lock(&p->mu);
    cd_status st = CD_OK;
    if (p->cluster)
        *out = p->cluster;
    else if (p->configured)
        st = CD_ERR_CLUSTER_NO_KEY;
    pthread_mutex_unlock(&p->mu);
    return st;
}

bool svc_peers_cluster_address(svc_service *s, cd_address *out) {
    struct svc_peers *p = s->peers;
    if (!p) return false;
    pthread_mutex_lock(&p->mu);
    bool h = p->cluster != NULL;
    if (h) *out = *svc_signer_address(p->cluster);
    pthread_mutex_unlock(&p->mu);
    return h;
}

/* ---- routes -------------------------------------------------------------------------------- */

static bool refuse_without_key(svc_service *s, api_response *out) {
    const svc_signer *sg;
    if (svc_peers_signer(s, &sg) == CD_OK) return false;
    atomic_fetch_add(&s->m.refused_answers, 1);
    api_response_error(out, 503, "no_cluster_key",
                       "this node is set up to join a cluster and has not received the cluster key yet (see /health); nothing signed");
    return true;
}

static void gated_block(void *ctx, bool finalized, api_response *out) {
    svc_service *s = ctx;
    if (!refuse_without_key(s, out)) s->peers->block(ctx, finalized, out);
}
static void gated_call(void *ctx, const api_call_request *req, api_response *out) {
    svc_service *s = ctx;
    if (!refuse_without_key(s, out)) s->peers->call(ctx, req, out);
}
static void gated_governance(void *ctx, json_object *body, const api_query *q, api_response *out) {
    svc_service *s = ctx;
    if (!refuse_without_key(s, out)) s->peers->governance(ctx, body, q, out);
}
static void gated_dvn(void *ctx, json_object *body, const api_query *q, api_response *out) {
    svc_service *s = ctx;
    if (!refuse_without_key(s, out)) s->peers->dvn(ctx, body, q, out);
}

static void route_setup(void *ctx, json_object *body, const api_query *q, api_response *out) {
    (void)q;
    svc_service *s = ctx;
    struct svc_peers *p = s->peers;
    cd_error err;
    cd_error_clear(&err);
    setup_t st;
    if (setup_from_json(body, &st, &err) != CD_OK) {
        api_response_error(out, 400, "bad_setup", "%s", cd_error_text(&err));
        return;
    }
    if (p->trust == TRUST_NONE) {
        api_response_error(out, 400, "no_admission_policy",
                           "a cluster needs --governance or --peer-allow to admit peers; this node has neither");
        return;
    }
    pthread_mutex_lock(&p->mu);
    bool done = p->configured;
    if (!done) {
        p->configured = true; /* claimed now: a concurrent second call gets 409 */
        p->setup = st;
    }
    pthread_mutex_unlock(&p->mu);
    if (done) {
        api_response_error(out, 409, "setup_done", "cluster setup is accepted once and this node already has one");
        return;
    }
    cd_status r = setup_persist(s, &st, &err);
    if (r != CD_OK) {
        /* Nothing sealed: release the claim, so the node is not left half set up (every
         * answer 503 no_cluster_key) until a restart, and a corrected call can succeed. */
        pthread_mutex_lock(&p->mu);
        p->configured = false;
        memset(&p->setup, 0, sizeof p->setup);
        pthread_mutex_unlock(&p->mu);
    } else {
        r = start_locked_out(p, &err);
    }
    if (r != CD_OK) {
        char qq[300];
        SVC_LOGE(&s->log, "setup_failed", "code=%s reason=%s", cd_status_name(r), svc_log_quote(qq, sizeof qq, cd_error_text(&err)));
        set_error(p, "%s%s", "setup: ", cd_error_text(&err));
        api_response_error(out, 500, "setup_failed", "%s", cd_error_text(&err));
        return;
    }
    if (st.execution_rpc[0])
        SVC_LOGI(&s->log, "cluster_execution_rpc", "source=setup applies=next_start url_len=%zu", strlen(st.execution_rpc));
    json_object *o = json_object_new_object();
    if (o) json_object_object_add(o, "status", json_object_new_string("success"));
    api_response_json(out, 200, o);
}

void svc_peers_backend(svc_service *s, api_backend *b) {
    struct svc_peers *p = s->peers;
    if (!p) return;
    struct svc_peers *g = p;
    g->block = b->block;
    g->call = b->call;
    b->block = gated_block;
    b->call = gated_call;
    for (unsigned i = 0; i < b->n_routes; i++) {
        if (!strcmp(b->routes[i].path, "/governance")) {
            g->governance = b->routes[i].handler;
            b->routes[i].handler = gated_governance;
        } else if (!strcmp(b->routes[i].path, "/dvn/verify")) {
            g->dvn = b->routes[i].handler;
            b->routes[i].handler = gated_dvn;
        }
    }
    static const api_route setup = {"/setup", "setup", true, NULL, route_setup};
    if (api_backend_add_route(b, &setup) != CD_OK) SVC_LOGE(&s->log, "route_failed", "path=/setup");
}

void svc_peers_health(svc_service *s, json_object *health) {
    struct svc_peers *p = s->peers;
    if (!p) return;
    json_object *o = json_object_new_object();
    if (!o) return;
    pthread_mutex_lock(&p->mu);
    json_object_object_add(o, "configured", json_object_new_boolean(p->configured));
    if (p->configured) {
        json_object_object_add(o, "role", json_object_new_string(p->setup.n_peers ? "join" : "bootstrap"));
        json_object_object_add(o, "peerPort", json_object_new_int(p->bound_port ? p->bound_port : p->setup.port));
        json_object *peers = json_object_new_array();
        for (unsigned i = 0; peers && i < p->setup.n_peers; i++) json_object_array_add(peers, json_object_new_string(p->setup.peers[i]));
        json_object_object_add(o, "peers", peers);
        if (p->setup.execution_rpc[0]) {
            json_object *x = json_object_new_object();
            if (x) {
                json_object_object_add(x, "url", json_object_new_string(p->setup.execution_rpc));
                json_object_object_add(x, "active", json_object_new_boolean(p->execution_rpc_active));
                json_object_object_add(o, "executionRpc", x);
            }
        }
    }
    json_object_object_add(o, "hasKey", json_object_new_boolean(p->cluster != NULL));
    json_object_object_add(o, "clusterAddress", p->cluster ? api_json_hex(svc_signer_address(p->cluster)->b, 20) : NULL);
    json_object_object_add(o, "bootstrapped", json_object_new_boolean(p->created_here));
    const char *trust = p->trust == TRUST_GOVERNANCE ? "governance" : p->trust == TRUST_POLICY ? "peer-allow" : "none";
    json_object_object_add(o, "trust", json_object_new_string(trust));
    if (p->trust == TRUST_POLICY)
        json_object_object_add(o, "trustNote", json_object_new_string(
            "weaker: peers are admitted by a local measurement policy file, with no on-chain approval or member list"));
    json_object_object_add(o, "mockPeers", json_object_new_boolean(p->accept_mock));
    json_object *adm = json_object_new_array();
    for (size_t i = 0; adm && i < p->n_admitted; i++) {
        const admitted_t *a = &p->admitted[i];
        json_object *e = json_object_new_object();
        if (!e) break;
        json_object_object_add(e, "address", api_json_hex(a->address.b, 20));
        json_object_object_add(e, "measurementId", api_json_hex(a->measurement_id, 32));
        json_object_object_add(e, "peer", json_object_new_string(a->name));
        json_object_object_add(e, "admittedAt", json_object_new_uint64(a->at));
        json_object_object_add(e, "revoked", json_object_new_boolean(a->revoked));
        if (a->revoked) json_object_object_add(e, "reason", json_object_new_string(a->reason));
        json_object_array_add(adm, e);
    }
    json_object_object_add(o, "admitted", adm);
    json_object_object_add(o, "refusedHandshakes", json_object_new_uint64(p->refused));
    if (p->last_error[0]) json_object_object_add(o, "lastError", json_object_new_string(p->last_error));
    pthread_mutex_unlock(&p->mu);
    json_object_object_add(health, "cluster", o);
}
