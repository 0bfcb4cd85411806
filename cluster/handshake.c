/* cluster: the attestation exchange that follows the TLS handshake (docs/cluster.md).
 *
 * Why an exchange inside the channel rather than RA-TLS (a quote in a certificate
 * extension, as dstack's OIDs do): a quote in a certificate can only bind what exists when
 * the certificate is made, so freshness needs a new certificate per connection or a
 * time window; here each quote answers a nonce the other side just drew for this
 * connection, and binds the TLS key of the session it travels in. Certificates stay plain
 * and TLS libraries need no extension handling.
 *
 * Order of checks on a peer's quote: signature and chain (att_verify: vendor root, mock
 * only when allowed, debug refused) -> binding to this session's peer TLS key and the
 * attested address -> our nonce -> measurement id -> the admission callback. Nothing the
 * quote says is trusted before its signature verified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "cluster/cluster_internal.h"

static const char PEER_TAG[] = "candor/peer/v1";
static const char NONCE_TAG[] = "candor/peer-nonce/v1";

static void sha256_parts(const void *a, size_t an, const void *b, size_t bn, const void *c, size_t cn, uint8_t out[32]) {
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    unsigned int n = 32;
    bool ok = x && EVP_DigestInit_ex(x, EVP_sha256(), NULL) == 1 && EVP_DigestUpdate(x, a, an) == 1 &&
              EVP_DigestUpdate(x, b, bn) == 1 && EVP_DigestUpdate(x, c, cn) == 1 && EVP_DigestFinal_ex(x, out, &n) == 1;
    if (!ok) memset(out, 0, 32); /* an all-zero half never matches a real binding */
    EVP_MD_CTX_free(x);
}

void cluster_report_data(const uint8_t spki_hash[CLUSTER_SPKI_HASH_LEN], const cd_address *address,
                         const uint8_t nonce[CLUSTER_NONCE_LEN], uint8_t out[ATT_REPORT_DATA_LEN]) {
    /* Tags include their NUL terminator as the separator. */
    sha256_parts(PEER_TAG, sizeof PEER_TAG, spki_hash, CLUSTER_SPKI_HASH_LEN, address->b, 20, out);
    sha256_parts(NONCE_TAG, sizeof NONCE_TAG, nonce, CLUSTER_NONCE_LEN, spki_hash, CLUSTER_SPKI_HASH_LEN, out + 32);
}

static cd_status send_verdict(cluster_conn *c, const char *refusal, cd_error *err) {
    cluster_msg m;
    memset(&m, 0, sizeof m);
    m.type = CLUSTER_MSG_VERDICT;
    m.u.verdict.admitted = refusal == NULL;
    if (refusal) {
        /* Printable ASCII only (the parser on the other side insists), at most the bound. */
        size_t n = 0;
        for (const char *p = refusal; *p && n < CLUSTER_REASON_MAX; p++)
            m.u.verdict.reason[n++] = (*p >= 0x20 && *p <= 0x7e) ? *p : '?';
        if (n == 0) m.u.verdict.reason[n++] = '?';
        m.u.verdict.reason[n] = 0;
    }
    return cluster_send(c, &m, err);
}

/* Checks the peer's ATTEST against this session; the refusal reason lands in err. */
static cd_status check_peer(cluster_conn *c, const cluster_handshake_cfg *cfg, const cluster_msg *m,
                            const uint8_t our_nonce[CLUSTER_NONCE_LEN], cluster_peer *peer, cd_error *err) {
    peer->address = m->u.attest.address;
    att_report *rep = calloc(1, sizeof *rep); /* large (Nitro fields): heap */
    if (!rep) return cd_fail(err, CD_ERR_NOMEM, "report");
    cd_status st = att_verify(m->u.attest.quote, &cfg->verify, rep, err);
    peer->format = rep->format;
    if (st != CD_OK) {
        cd_error_prefix(err, "quote: ");
        goto out;
    }
    if (rep->debug) {
        st = cd_fail(err, CD_ERR_ATT_DEBUG, "quote: the peer's TEE runs in debug mode");
        goto out;
    }
    uint8_t want[ATT_REPORT_DATA_LEN];
    cluster_report_data(cluster_conn_peer_spki_hash(c), &m->u.attest.address, our_nonce, want);
    if (memcmp(rep->report_data, want, 32) != 0) {
        st = cd_fail(err, CD_ERR_ATT_BINDING, "quote is not bound to this channel's TLS key and the attested address");
        goto out;
    }
    if (memcmp(rep->report_data + 32, want + 32, 32) != 0) {
        st = cd_fail(err, CD_ERR_PEER_REPLAY, "quote answers another nonce (stale or replayed)");
        goto out;
    }
    if ((st = att_measurement_id(rep, peer->measurement_id)) != CD_OK) {
        st = cd_fail(err, CD_ERR_PEER_REFUSED, "quote carries no measurement id");
        goto out;
    }
    if (!cfg->admit) {
        st = cd_fail(err, CD_ERR_PEER_REFUSED, "no admission policy");
        goto out;
    }
    st = cfg->admit(cfg->admit_ctx, rep, peer->measurement_id, &peer->address, err);
    if (st == CD_OK) cd_error_clear(err);
out:
    free(rep);
    return st;
}

cd_status cluster_handshake(cluster_conn *c, const cluster_handshake_cfg *cfg, cluster_peer *peer, cd_error *err) {
    memset(peer, 0, sizeof *peer);
    snprintf(peer->name, sizeof peer->name, "%s", c->name);
    cd_buf buf = {0}, quote = {0};
    cluster_msg m;
    uint8_t our_nonce[CLUSTER_NONCE_LEN], their_nonce[CLUSTER_NONCE_LEN];
    cd_status st;
    if (RAND_bytes(our_nonce, sizeof our_nonce) != 1) return cd_fail(err, CD_ERR_INTERNAL, "no randomness for the nonce");

    memset(&m, 0, sizeof m);
    m.type = CLUSTER_MSG_HELLO;
    m.u.hello.version = CLUSTER_VERSION;
    memcpy(m.u.hello.nonce, our_nonce, sizeof our_nonce);
    if ((st = cluster_send(c, &m, err)) != CD_OK) goto out;
    if ((st = cluster_recv(c, CLUSTER_MSG_HELLO, &m, &buf, err)) != CD_OK) goto out;
    memcpy(their_nonce, m.u.hello.nonce, sizeof their_nonce);

    /* Our quote answers their nonce and names the key we use in this session. */
    uint8_t rd[ATT_REPORT_DATA_LEN];
    cluster_report_data(c->own_spki, &cfg->address, their_nonce, rd);
    if ((st = att_get_quote(cfg->tee, rd, &quote, err)) != CD_OK) {
        cd_error_prefix(err, "own quote: ");
        goto out;
    }
    memset(&m, 0, sizeof m);
    m.type = CLUSTER_MSG_ATTEST;
    m.u.attest.address = cfg->address;
    m.u.attest.quote = cd_buf_bytes(&quote);
    if ((st = cluster_send(c, &m, err)) != CD_OK) goto out;

    if ((st = cluster_recv(c, CLUSTER_MSG_ATTEST, &m, &buf, err)) != CD_OK) goto out;
    st = check_peer(c, cfg, &m, our_nonce, peer, err);
    if (st != CD_OK) {
        cd_error sent;
        cd_error_clear(&sent);
        (void)send_verdict(c, cd_error_text(err), &sent); /* best effort: the peer learns why */
        goto out;
    }
    if ((st = send_verdict(c, NULL, err)) != CD_OK) goto out;
    st = cluster_recv(c, CLUSTER_MSG_VERDICT, &m, &buf, err);
out:
    cd_buf_free(&buf);
    cd_buf_free(&quote);
    return st;
}

cd_status cluster_send_key(cluster_conn *c, const uint8_t key[CLUSTER_KEY_LEN], cd_error *err) {
    cluster_msg m;
    memset(&m, 0, sizeof m);
    m.type = CLUSTER_MSG_KEY;
    memcpy(m.u.key.key, key, CLUSTER_KEY_LEN);
    cd_status st = cluster_send(c, &m, err);
    cluster_msg_wipe(&m);
    return st;
}

cd_status cluster_recv_key(cluster_conn *c, uint8_t key[CLUSTER_KEY_LEN], cd_error *err) {
    cluster_msg m;
    cd_buf buf = {0};
    cd_status st = cluster_recv(c, CLUSTER_MSG_KEY, &m, &buf, err);
    if (st == CD_OK) memcpy(key, m.u.key.key, CLUSTER_KEY_LEN);
    cluster_msg_wipe(&m);
    if (buf.data) cd_wipe(buf.data, buf.cap);
    cd_buf_free(&buf);
    return st;
}
