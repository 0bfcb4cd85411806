/* cluster/: the peer message parser on bad input, and the attested handshake over real
 * TLS 1.3 on loopback with the mock TEE: both sides admitted -> the key arrives; every
 * refusal (admission, mock not allowed, debug TEE, a quote replayed from another nonce, a
 * quote for another TLS key or address, garbage, a truncated handshake) -> the key holder
 * never sends the key and reports the specific error. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cluster/cluster.h"
#include "tests/test.h"

/* ---- message parser ------------------------------------------------------------ */

static cd_status parse_hex(const char *hex, cluster_msg *m, cd_error *err) {
    uint8_t buf[512];
    long n = test_unhex(hex, buf, sizeof buf);
    if (n < 0) return CD_ERR_BAD_HEX;
    return cluster_msg_parse(cd_bytes_make(buf, (size_t)n), m, err);
}

static void test_msg_roundtrip(test_ctx *t) {
    cluster_msg m, back;
    cd_error err;
    cd_buf b = {0};
    memset(&m, 0, sizeof m);
    m.type = CLUSTER_MSG_HELLO;
    m.u.hello.version = CLUSTER_VERSION;
    memset(m.u.hello.nonce, 0xab, CLUSTER_NONCE_LEN);
    CHECK_OK(t, cluster_msg_encode(&m, &b));
    CHECK_EQ_U64(t, b.len, CLUSTER_HEADER_LEN + 33);
    CHECK_OK(t, cluster_msg_parse(cd_buf_bytes(&b), &back, &err));
    CHECK_EQ_BYTES(t, back.u.hello.nonce, 32, m.u.hello.nonce, 32);

    uint8_t q[300];
    for (size_t i = 0; i < sizeof q; i++) q[i] = (uint8_t)i;
    memset(&m, 0, sizeof m);
    m.type = CLUSTER_MSG_ATTEST;
    memset(m.u.attest.address.b, 0x11, 20);
    m.u.attest.quote = cd_bytes_make(q, sizeof q);
    b.len = 0;
    CHECK_OK(t, cluster_msg_encode(&m, &b));
    CHECK_OK(t, cluster_msg_parse(cd_buf_bytes(&b), &back, &err));
    CHECK_EQ_BYTES(t, back.u.attest.quote.ptr, back.u.attest.quote.len, q, sizeof q);
    CHECK_EQ_BYTES(t, back.u.attest.address.b, 20, m.u.attest.address.b, 20);
    /* Every shorter prefix is truncated, one more byte is trailing data. */
    for (size_t n = 0; n < b.len; n++) CHECK_ERR(t, cluster_msg_parse(cd_bytes_make(b.data, n), &back, &err), CD_ERR_TRUNCATED);
    CHECK_OK(t, cd_buf_push(&b, 0));
    CHECK_ERR(t, cluster_msg_parse(cd_buf_bytes(&b), &back, &err), CD_ERR_TRAILING_DATA);

    memset(&m, 0, sizeof m);
    m.type = CLUSTER_MSG_VERDICT;
    snprintf(m.u.verdict.reason, sizeof m.u.verdict.reason, "measurement not approved");
    b.len = 0;
    CHECK_OK(t, cluster_msg_encode(&m, &b));
    CHECK_OK(t, cluster_msg_parse(cd_buf_bytes(&b), &back, &err));
    CHECK(t, !back.u.verdict.admitted);
    CHECK_EQ_STR(t, back.u.verdict.reason, "measurement not approved");
    cd_buf_free(&b);
}

static void test_msg_bad(test_ctx *t) {
    cluster_msg m;
    cd_error err;
    /* header */
    CHECK_ERR(t, parse_hex("01000000", &m, &err), CD_ERR_TRUNCATED);
    CHECK_ERR(t, parse_hex("0000000000", &m, &err), CD_ERR_PEER_PROTOCOL);            /* type 0 */
    CHECK_ERR(t, parse_hex("0500000000", &m, &err), CD_ERR_PEER_PROTOCOL);            /* type 5 */
    CHECK_ERR(t, parse_hex("ff00000000", &m, &err), CD_ERR_PEER_PROTOCOL);
    CHECK_ERR(t, parse_hex("02ffffffff", &m, &err), CD_ERR_TOO_LARGE);                /* 4 GiB */
    CHECK_ERR(t, parse_hex("0200010041", &m, &err), CD_ERR_TOO_LARGE);                /* MAX + 1 */
    CHECK_ERR(t, parse_hex("0100000021", &m, &err), CD_ERR_TRUNCATED);                /* no payload */
    /* hello: size and version */
    CHECK_ERR(t, parse_hex("010000000101", &m, &err), CD_ERR_TRUNCATED);
    CHECK_ERR(t, parse_hex("010000002102" "0000000000000000000000000000000000000000000000000000000000000000", &m, &err),
              CD_ERR_PEER_PROTOCOL);
    CHECK_ERR(t, parse_hex("010000002201" "0000000000000000000000000000000000000000000000000000000000000000" "00", &m, &err),
              CD_ERR_TRAILING_DATA);
    /* attest: fields */
    CHECK_ERR(t, parse_hex("020000001711111111111111111111111111111111111111110000", &m, &err), CD_ERR_TRUNCATED);
    CHECK_ERR(t, parse_hex("02000000181111111111111111111111111111111111111111" "00000000", &m, &err), CD_ERR_PEER_PROTOCOL);
    CHECK_ERR(t, parse_hex("02000000191111111111111111111111111111111111111111" "00000002" "aa", &m, &err), CD_ERR_TRUNCATED);
    CHECK_ERR(t, parse_hex("020000001a1111111111111111111111111111111111111111" "00000001" "aabb", &m, &err), CD_ERR_TRAILING_DATA);
    CHECK_ERR(t, parse_hex("02000000191111111111111111111111111111111111111111" "00010001" "aa", &m, &err), CD_ERR_TOO_LARGE);
    CHECK_OK(t, parse_hex("02000000191111111111111111111111111111111111111111" "00000001" "aa", &m, &err));
    /* verdict */
    CHECK_ERR(t, parse_hex("030000000100", &m, &err), CD_ERR_TRUNCATED);
    CHECK_ERR(t, parse_hex("03000000020200", &m, &err), CD_ERR_PEER_PROTOCOL);        /* flag 2 */
    CHECK_ERR(t, parse_hex("03000000030002" "41", &m, &err), CD_ERR_TRUNCATED);
    CHECK_ERR(t, parse_hex("03000000040001" "4141", &m, &err), CD_ERR_TRAILING_DATA);
    CHECK_ERR(t, parse_hex("03000000030001" "0a", &m, &err), CD_ERR_PEER_PROTOCOL);   /* newline in a reason */
    CHECK_ERR(t, parse_hex("03000000030101" "41", &m, &err), CD_ERR_PEER_PROTOCOL);   /* admitted with a reason */
    CHECK_ERR(t, parse_hex("03000000020000", &m, &err), CD_ERR_PEER_PROTOCOL);        /* refused without one */
    CHECK_OK(t, parse_hex("03000000020100", &m, &err));
    CHECK(t, m.u.verdict.admitted);
    {
        /* A reason over the bound: 201 bytes. */
        uint8_t b[5 + 2 + 201];
        memset(b, 'A', sizeof b);
        b[0] = 3, b[1] = 0, b[2] = 0, b[3] = 0, b[4] = 203, b[5] = 0, b[6] = 201;
        CHECK_ERR(t, cluster_msg_parse(cd_bytes_make(b, sizeof b), &m, &err), CD_ERR_TOO_LARGE);
    }
    /* key */
    CHECK_ERR(t, parse_hex("040000001f" "00000000000000000000000000000000000000000000000000000000000000", &m, &err), CD_ERR_TRUNCATED);
    CHECK_ERR(t, parse_hex("0400000021" "000000000000000000000000000000000000000000000000000000000000000000", &m, &err),
              CD_ERR_TRAILING_DATA);
    /* Encoding refuses what the parser would refuse. */
    memset(&m, 0, sizeof m);
    m.type = CLUSTER_MSG_ATTEST;
    cd_buf b = {0};
    CHECK_ERR(t, cluster_msg_encode(&m, &b), CD_ERR_INVALID_ARG); /* empty quote */
    cd_buf_free(&b);
}

static void test_report_data_binds_each_part(test_ctx *t) {
    uint8_t spki[32], spki2[32], nonce[32], nonce2[32], a[64], b[64];
    cd_address addr, addr2;
    memset(spki, 1, 32), memset(spki2, 1, 32), spki2[31] = 2;
    memset(nonce, 3, 32), memset(nonce2, 3, 32), nonce2[0] = 4;
    memset(addr.b, 5, 20), memset(addr2.b, 5, 20), addr2.b[19] = 6;
    cluster_report_data(spki, &addr, nonce, a);
    cluster_report_data(spki, &addr, nonce, b);
    CHECK_EQ_BYTES(t, a, 64, b, 64);
    cluster_report_data(spki2, &addr, nonce, b);
    CHECK(t, memcmp(a, b, 32) != 0 && memcmp(a + 32, b + 32, 32) != 0); /* the key is in both halves */
    cluster_report_data(spki, &addr2, nonce, b);
    CHECK(t, memcmp(a, b, 32) != 0 && memcmp(a + 32, b + 32, 32) == 0);
    cluster_report_data(spki, &addr, nonce2, b);
    CHECK(t, memcmp(a, b, 32) == 0 && memcmp(a + 32, b + 32, 32) != 0);
}

/* ---- handshake over loopback ----------------------------------------------------- */

static bool test_tmpdir(char *out, size_t cap, const char *what) {
    snprintf(out, cap, "/tmp/candor-test-%s-XXXXXX", what);
    return mkdtemp(out) != NULL;
}

static void test_rmtree(const char *dir) {
    static const char *const files[] = {"mock-tee-key.pem", "sealing.key"};
    char p[300];
    for (size_t i = 0; i < CD_ARRAY_LEN(files); i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

typedef struct {
    char dir[256];
    att_provider *tee;
    cluster_tls *tls;
    cluster_handshake_cfg cfg;
    /* admission */
    const char *refuse;           /* non-NULL: the callback refuses with this reason */
    int admitted_calls;
    cd_address seen_address;
    uint8_t seen_id[32];
} node;

static cd_status admit_cb(void *ctx, const att_report *rep, const uint8_t id[32], const cd_address *address, cd_error *err) {
    node *n = ctx;
    (void)rep;
    n->admitted_calls++;
    n->seen_address = *address;
    memcpy(n->seen_id, id, 32);
    if (n->refuse) return cd_fail(err, CD_ERR_GOV_NOT_APPROVED, "%s", n->refuse);
    return CD_OK;
}

static bool node_open(test_ctx *t, node *n, uint8_t mr_byte, uint8_t addr_byte) {
    memset(n, 0, sizeof *n);
    if (!test_tmpdir(n->dir, sizeof n->dir, "cluster")) {
        CHECK(t, !"tmpdir");
        return false;
    }
    uint8_t mr[48];
    memset(mr, mr_byte, sizeof mr);
    att_provider_config pc = {.name = "mock", .key_dir = n->dir, .mock_measurement = mr};
    cd_error err;
    CHECK_OK(t, att_provider_open(&pc, &n->tee, &err));
    CHECK_OK(t, cluster_tls_new(&n->tls, &err));
    if (!n->tee || !n->tls) return false;
    n->cfg.tee = n->tee;
    memset(n->cfg.address.b, addr_byte, 20);
    n->cfg.verify.accept_mock = true;
    n->cfg.admit = admit_cb;
    n->cfg.admit_ctx = n;
    return true;
}

static void node_close(node *n) {
    if (n->tee) att_provider_close(n->tee);
    cluster_tls_free(n->tls);
    test_rmtree(n->dir);
}

/* The key holder: accepts one connection, runs the handshake, sends the key if admitted. */
typedef struct {
    node *n;
    int lfd;
    cd_status st;
    cd_error err;
    bool key_sent;
    cluster_peer peer;
} server_run;

static const uint8_t THE_KEY[CLUSTER_KEY_LEN] = {0xc1, 0x05, 0x7e, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};

static void *server_main(void *arg) {
    server_run *r = arg;
    cd_error_clear(&r->err);
    int fd = accept(r->lfd, NULL, NULL);
    if (fd < 0) {
        r->st = CD_ERR_IO;
        return NULL;
    }
    cluster_conn *c = NULL;
    r->st = cluster_accept(r->n->tls, fd, 3000, &c, &r->err);
    if (r->st == CD_OK) r->st = cluster_handshake(c, &r->n->cfg, &r->peer, &r->err);
    if (r->st == CD_OK) {
        cd_error e2;
        r->key_sent = cluster_send_key(c, THE_KEY, &e2) == CD_OK;
    }
    cluster_conn_close(c);
    return NULL;
}

static bool server_start(test_ctx *t, server_run *r, node *n, pthread_t *th, uint16_t *port) {
    memset(r, 0, sizeof *r);
    r->n = n;
    cd_error err;
    CHECK_OK(t, cluster_listen("127.0.0.1", 0, &r->lfd, port, &err));
    return pthread_create(th, NULL, server_main, r) == 0;
}

static void server_join(pthread_t th, server_run *r) {
    pthread_join(th, NULL);
    close(r->lfd);
}

static void test_handshake_admits_and_sends_key(test_ctx *t) {
    node a, b;
    if (!node_open(t, &a, 0xa1, 0xaa) || !node_open(t, &b, 0xb2, 0xbb)) goto out;
    server_run r;
    pthread_t th;
    uint16_t port = 0;
    if (!server_start(t, &r, &a, &th, &port)) goto out;
    cluster_conn *c = NULL;
    cd_error err;
    cluster_peer peer;
    uint8_t key[CLUSTER_KEY_LEN] = {0};
    CHECK_OK(t, cluster_connect(b.tls, "127.0.0.1", port, 3000, &c, &err));
    if (c) {
        CHECK_OK(t, cluster_handshake(c, &b.cfg, &peer, &err));
        CHECK_OK(t, cluster_recv_key(c, key, &err));
        cluster_conn_close(c);
    }
    server_join(th, &r);
    CHECK_OK(t, r.st);
    CHECK(t, r.key_sent);
    CHECK_EQ_BYTES(t, key, 32, THE_KEY, 32);
    /* Each side saw the other's attested address and mock measurement id. */
    CHECK_EQ_BYTES(t, r.peer.address.b, 20, b.cfg.address.b, 20);
    CHECK_EQ_BYTES(t, peer.address.b, 20, a.cfg.address.b, 20);
    CHECK_EQ_INT(t, a.admitted_calls, 1);
    CHECK_EQ_INT(t, b.admitted_calls, 1);
    att_report rep;
    memset(&rep, 0, sizeof rep);
    rep.format = ATT_FORMAT_MOCK;
    memset(rep.mrtd, 0xb2, 48);
    uint8_t id[32];
    CHECK_OK(t, att_measurement_id(&rep, id));
    CHECK_EQ_BYTES(t, a.seen_id, 32, id, 32);
out:
    node_close(&a);
    node_close(&b);
}

/* One side's admission refuses: both sides fail, the reason reaches the other side, no key. */
static void refusal_case(test_ctx *t, bool holder_refuses) {
    node a, b;
    if (!node_open(t, &a, 0xa1, 0xaa) || !node_open(t, &b, 0xb2, 0xbb)) goto out;
    (holder_refuses ? &a : &b)->refuse = "measurement not approved";
    server_run r;
    pthread_t th;
    uint16_t port = 0;
    if (!server_start(t, &r, &a, &th, &port)) goto out;
    cluster_conn *c = NULL;
    cd_error err;
    cd_error_clear(&err);
    cluster_peer peer;
    uint8_t key[CLUSTER_KEY_LEN] = {0};
    CHECK_OK(t, cluster_connect(b.tls, "127.0.0.1", port, 3000, &c, &err));
    if (c) {
        cd_status st = cluster_handshake(c, &b.cfg, &peer, &err);
        CHECK_ERR(t, st, holder_refuses ? CD_ERR_PEER_REFUSED : CD_ERR_GOV_NOT_APPROVED);
        CHECK(t, strstr(cd_error_text(&err), "measurement not approved") != NULL);
        CHECK_FAILS(t, cluster_recv_key(c, key, &err));
        cluster_conn_close(c);
    }
    server_join(th, &r);
    CHECK_ERR(t, r.st, holder_refuses ? CD_ERR_GOV_NOT_APPROVED : CD_ERR_PEER_REFUSED);
    CHECK(t, strstr(cd_error_text(&r.err), "measurement not approved") != NULL);
    CHECK(t, !r.key_sent);
    uint8_t zero[CLUSTER_KEY_LEN] = {0};
    CHECK_EQ_BYTES(t, key, 32, zero, 32);
out:
    node_close(&a);
    node_close(&b);
}

static void test_holder_refuses_joiner(test_ctx *t) { refusal_case(t, true); }
static void test_joiner_refuses_holder(test_ctx *t) { refusal_case(t, false); }

static void test_mock_refused_unless_allowed(test_ctx *t) {
    node a, b;
    if (!node_open(t, &a, 0xa1, 0xaa) || !node_open(t, &b, 0xb2, 0xbb)) goto out;
    a.cfg.verify.accept_mock = false;
    server_run r;
    pthread_t th;
    uint16_t port = 0;
    if (!server_start(t, &r, &a, &th, &port)) goto out;
    cluster_conn *c = NULL;
    cd_error err;
    cluster_peer peer;
    CHECK_OK(t, cluster_connect(b.tls, "127.0.0.1", port, 3000, &c, &err));
    if (c) {
        CHECK_ERR(t, cluster_handshake(c, &b.cfg, &peer, &err), CD_ERR_PEER_REFUSED);
        CHECK(t, strstr(cd_error_text(&err), "mock") != NULL);
        cluster_conn_close(c);
    }
    server_join(th, &r);
    CHECK_ERR(t, r.st, CD_ERR_ATT_INSECURE);
    CHECK(t, !r.key_sent);
    CHECK_EQ_INT(t, a.admitted_calls, 0); /* refused before admission was asked */
out:
    node_close(&a);
    node_close(&b);
}

/* ---- a hostile joiner that drives the protocol by hand -------------------------- */

typedef enum {
    EVIL_GARBAGE,        /* random bytes instead of HELLO */
    EVIL_TRUNCATED,      /* half a HELLO, then close */
    EVIL_STOP_AFTER_HELLO, /* HELLO, then nothing (timeout) */
    EVIL_OLD_NONCE,      /* a quote answering a nonce from an earlier session */
    EVIL_OTHER_KEY,      /* a quote naming another TLS key */
    EVIL_OTHER_ADDRESS,  /* ATTEST's address differs from the one in the quote */
    EVIL_QUOTE_BYTES,    /* the quote given in `quote` */
    EVIL_KEY_FIRST,      /* sends a KEY message where ATTEST is due */
} evil_mode;

static void evil_run(test_ctx *t, node *b, uint16_t port, evil_mode mode, cd_bytes quote) {
    cluster_conn *c = NULL;
    cd_error err;
    CHECK_OK(t, cluster_connect(b->tls, "127.0.0.1", port, 3000, &c, &err));
    if (!c) return;
    cluster_msg m;
    cd_buf buf = {0}, q = {0};
    if (mode == EVIL_GARBAGE) {
        uint8_t g[64];
        for (size_t i = 0; i < sizeof g; i++) g[i] = (uint8_t)(0x9d * i + 7);
        if (cluster_send_raw(c, g, sizeof g, &err) != CD_OK) goto out;
        goto out;
    }
    memset(&m, 0, sizeof m);
    m.type = CLUSTER_MSG_HELLO;
    m.u.hello.version = CLUSTER_VERSION;
    memset(m.u.hello.nonce, 0x42, 32);
    if (mode == EVIL_TRUNCATED) {
        cd_buf e = {0};
        CHECK_OK(t, cluster_msg_encode(&m, &e));
        CHECK_OK(t, cluster_send_raw(c, e.data, 20, &err));
        cd_buf_free(&e);
        goto out;
    }
    CHECK_OK(t, cluster_send(c, &m, &err));
    CHECK_OK(t, cluster_recv(c, CLUSTER_MSG_HELLO, &m, &buf, &err));
    if (mode == EVIL_STOP_AFTER_HELLO) {
        cd_buf tmp = {0};
        cluster_msg v;
        /* Read the holder's ATTEST, then wait for what follows: the holder times out on us. */
        if (cluster_recv(c, 0, &v, &tmp, &err) == CD_OK) CHECK_ERR(t, cluster_recv(c, 0, &v, &tmp, &err), CD_ERR_TRUNCATED);
        cd_buf_free(&tmp);
        goto out;
    }
    if (mode == EVIL_KEY_FIRST) {
        memset(&m, 0, sizeof m);
        m.type = CLUSTER_MSG_KEY;
        CHECK_OK(t, cluster_send(c, &m, &err));
        goto out;
    }
    uint8_t nonce[32], spki[32], rd[64];
    memcpy(nonce, m.u.hello.nonce, 32);
    memcpy(spki, cluster_tls_spki_hash(b->tls), 32);
    cd_address addr = b->cfg.address;
    if (mode == EVIL_OLD_NONCE) memset(nonce, 0x77, 32);
    if (mode == EVIL_OTHER_KEY) spki[0] ^= 1;
    cluster_report_data(spki, &addr, nonce, rd);
    if (mode == EVIL_QUOTE_BYTES)
        CHECK_OK(t, cd_buf_append(&q, quote.ptr, quote.len));
    else
        CHECK_OK(t, att_get_quote(b->tee, rd, &q, &err));
    memset(&m, 0, sizeof m);
    m.type = CLUSTER_MSG_ATTEST;
    m.u.attest.address = addr;
    if (mode == EVIL_OTHER_ADDRESS) m.u.attest.address.b[0] ^= 1;
    m.u.attest.quote = cd_buf_bytes(&q);
    CHECK_OK(t, cluster_send(c, &m, &err));
    /* Whatever comes back must not be a key. */
    for (int i = 0; i < 3; i++) {
        cluster_msg v;
        if (cluster_recv(c, 0, &v, &buf, &err) != CD_OK) break;
        CHECK(t, v.type != CLUSTER_MSG_KEY);
    }
out:
    cd_buf_free(&buf);
    cd_buf_free(&q);
    cluster_conn_close(c);
}

static void evil_case(test_ctx *t, evil_mode mode, cd_status want, cd_bytes quote, int64_t at, bool accept_debug) {
    node a, b;
    if (!node_open(t, &a, 0xa1, 0xaa) || !node_open(t, &b, 0xb2, 0xbb)) goto out;
    a.cfg.verify.at = at;
    a.cfg.verify.accept_debug = accept_debug;
    server_run r;
    pthread_t th;
    uint16_t port = 0;
    if (!server_start(t, &r, &a, &th, &port)) goto out;
    evil_run(t, &b, port, mode, quote);
    server_join(th, &r);
    if (r.st != want)
        test_fail_at(t, __FILE__, __LINE__, "mode %d: expected %s, got %s (%s)", (int)mode, cd_status_name(want),
                     cd_status_name(r.st), cd_error_text(&r.err));
    CHECK(t, !r.key_sent);
    CHECK_EQ_INT(t, a.admitted_calls, 0);
out:
    node_close(&a);
    node_close(&b);
}

static const cd_bytes NO_QUOTE = {NULL, 0};

static void test_garbage_refused(test_ctx *t) { evil_case(t, EVIL_GARBAGE, CD_ERR_PEER_PROTOCOL, NO_QUOTE, 0, false); }
static void test_truncated_refused(test_ctx *t) { evil_case(t, EVIL_TRUNCATED, CD_ERR_TRUNCATED, NO_QUOTE, 0, false); }
static void test_silent_peer_times_out(test_ctx *t) { evil_case(t, EVIL_STOP_AFTER_HELLO, CD_ERR_TRUNCATED, NO_QUOTE, 0, false); }
static void test_out_of_order_refused(test_ctx *t) { evil_case(t, EVIL_KEY_FIRST, CD_ERR_PEER_PROTOCOL, NO_QUOTE, 0, false); }
static void test_replayed_quote_refused(test_ctx *t) { evil_case(t, EVIL_OLD_NONCE, CD_ERR_PEER_REPLAY, NO_QUOTE, 0, false); }
static void test_other_tls_key_refused(test_ctx *t) { evil_case(t, EVIL_OTHER_KEY, CD_ERR_ATT_BINDING, NO_QUOTE, 0, false); }
static void test_other_address_refused(test_ctx *t) { evil_case(t, EVIL_OTHER_ADDRESS, CD_ERR_ATT_BINDING, NO_QUOTE, 0, false); }

static void test_forged_quote_refused(test_ctx *t) {
    /* A mock quote whose signature does not verify. */
    uint8_t q[249];
    memset(q, 0, sizeof q);
    memcpy(q, "CDMOCKQ1", 8);
    evil_case(t, EVIL_QUOTE_BYTES, CD_ERR_ATT_BAD_QUOTE, cd_bytes_make(q, sizeof q), 0, false);
    evil_case(t, EVIL_QUOTE_BYTES, CD_ERR_ATT_BAD_QUOTE, cd_bytes_make("not a quote", 11), 0, false);
}

/* A real Nitro document from a debug enclave: refused by att_verify, and by the handshake's
 * own check when the verifier options would let debug through. */
static void test_debug_quote_refused(test_ctx *t) {
    char p[512];
    test_data_path(p, sizeof p, "nitro-evervault/debug-mode-attestation-doc-bytes");
    cd_buf d = {0};
    if (cd_read_file(p, ATT_MAX_QUOTE_LEN, &d) != CD_OK) {
        test_skip(t, "debug quote", "$CANDOR_DATA/nitro-evervault missing");
        return;
    }
    int64_t at = 1665582606081LL / 1000;
    evil_case(t, EVIL_QUOTE_BYTES, CD_ERR_ATT_DEBUG, cd_buf_bytes(&d), at, false);
    evil_case(t, EVIL_QUOTE_BYTES, CD_ERR_ATT_DEBUG, cd_buf_bytes(&d), at, true);
    cd_buf_free(&d);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_cluster");
    signal(SIGPIPE, SIG_IGN); /* a peer that hangs up must be an error, not the end (the daemon does the same) */
    TEST_RUN(&t, test_msg_roundtrip);
    TEST_RUN(&t, test_msg_bad);
    TEST_RUN(&t, test_report_data_binds_each_part);
    TEST_RUN(&t, test_handshake_admits_and_sends_key);
    TEST_RUN(&t, test_holder_refuses_joiner);
    TEST_RUN(&t, test_joiner_refuses_holder);
    TEST_RUN(&t, test_mock_refused_unless_allowed);
    TEST_RUN(&t, test_garbage_refused);
    TEST_RUN(&t, test_truncated_refused);
    TEST_RUN(&t, test_silent_peer_times_out);
    TEST_RUN(&t, test_out_of_order_refused);
    TEST_RUN(&t, test_replayed_quote_refused);
    TEST_RUN(&t, test_other_tls_key_refused);
    TEST_RUN(&t, test_other_address_refused);
    TEST_RUN(&t, test_forged_quote_refused);
    TEST_RUN(&t, test_debug_quote_refused);
    return test_finish(&t);
}
