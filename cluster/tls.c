/* cluster: the TLS 1.3 layer of the peer channel (OpenSSL).
 *
 * Each process makes its own P-256 key at start and a self-signed certificate over it;
 * nothing is written to disk and no CA is involved. What makes the channel trustworthy
 * is that each side's quote (handshake.c) names the SHA-256 of the SubjectPublicKeyInfo
 * the peer used in this very session: a man in the middle would have to terminate TLS
 * with its own key, and no TEE quote for that key and our fresh nonce exists.
 * TLS 1.3 only: forward secrecy for the key transfer, no renegotiation. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "cluster/cluster_internal.h"

struct cluster_tls {
    SSL_CTX *client, *server;
    EVP_PKEY *key;
    X509 *cert;
    uint8_t spki_hash[CLUSTER_SPKI_HASH_LEN];
};

static cd_status ossl_fail(cd_error *err, const char *what) {
    char buf[160] = "";
    unsigned long e = ERR_get_error();
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return cd_fail(err, CD_ERR_PEER_TLS, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

static bool spki_hash(X509 *cert, uint8_t out[32]) {
    X509_PUBKEY *pk = X509_get_X509_PUBKEY(cert);
    unsigned char *der = NULL;
    int n = pk ? i2d_X509_PUBKEY(pk, &der) : -1;
    if (n <= 0) return false;
    unsigned int len = 32;
    bool ok = EVP_Digest(der, (size_t)n, out, &len, EVP_sha256(), NULL) == 1 && len == 32;
    OPENSSL_free(der);
    return ok;
}

/* Accept any certificate during the TLS handshake: the quote exchange that follows checks
 * the peer's key. Refusing here would need a CA, which is exactly what the quote replaces. */
static int accept_any(int ok, X509_STORE_CTX *ctx) {
    (void)ok, (void)ctx;
    return 1;
}

static SSL_CTX *make_ctx(const SSL_METHOD *method, EVP_PKEY *key, X509 *cert) {
    SSL_CTX *c = SSL_CTX_new(method);
    if (!c) return NULL;
    bool ok = SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION) == 1 &&
              SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) == 1 && SSL_CTX_use_certificate(c, cert) == 1 &&
              SSL_CTX_use_PrivateKey(c, key) == 1 && SSL_CTX_check_private_key(c) == 1;
    if (!ok) {
        SSL_CTX_free(c);
        return NULL;
    }
    /* Both sides must present a certificate: its key is what the quote binds. */
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF); /* no resumption: every session is attested */
    SSL_CTX_set_num_tickets(c, 0);
    return c;
}

cd_status cluster_tls_new(cluster_tls **out, cd_error *err) {
    *out = NULL;
    cluster_tls *t = calloc(1, sizeof *t);
    if (!t) return cd_fail(err, CD_ERR_NOMEM, "tls context");
    t->key = EVP_EC_gen("P-256");
    if (!t->key) {
        cluster_tls_free(t);
        return ossl_fail(err, "tls: key generation");
    }
    t->cert = X509_new();
    uint8_t serial[8];
    bool ok = t->cert != NULL;
    if (ok) {
        /* A random serial so two processes' certificates never look alike to OpenSSL. */
        ok = RAND_bytes(serial, sizeof serial) == 1;
        serial[0] &= 0x7f;
    }
    BIGNUM *bn = ok ? BN_bin2bn(serial, sizeof serial, NULL) : NULL;
    ok = ok && bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(t->cert)) != NULL;
    BN_free(bn);
    ok = ok && X509_set_version(t->cert, 2) == 1 && X509_gmtime_adj(X509_getm_notBefore(t->cert), -3600) &&
         X509_gmtime_adj(X509_getm_notAfter(t->cert), 86400) && X509_set_pubkey(t->cert, t->key) == 1;
    X509_NAME *name = ok ? X509_get_subject_name(t->cert) : NULL;
    ok = ok && name &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"candor peer", -1, -1, 0) == 1 &&
         X509_set_issuer_name(t->cert, name) == 1 && X509_sign(t->cert, t->key, EVP_sha256()) > 0 &&
         spki_hash(t->cert, t->spki_hash);
    if (!ok) {
        cluster_tls_free(t);
        return ossl_fail(err, "tls: self-signed certificate");
    }
    t->client = make_ctx(TLS_client_method(), t->key, t->cert);
    t->server = make_ctx(TLS_server_method(), t->key, t->cert);
    if (!t->client || !t->server) {
        cluster_tls_free(t);
        return ossl_fail(err, "tls: context");
    }
    *out = t;
    return CD_OK;
}

void cluster_tls_free(cluster_tls *t) {
    if (!t) return;
    SSL_CTX_free(t->client);
    SSL_CTX_free(t->server);
    X509_free(t->cert);
    EVP_PKEY_free(t->key);
    free(t);
}

const uint8_t *cluster_tls_spki_hash(const cluster_tls *t) { return t->spki_hash; }

/* ---- connections ----------------------------------------------------------------- */

static void set_timeouts(int fd, unsigned timeout_ms) {
    struct timeval tv = {(time_t)(timeout_ms / 1000), (suseconds_t)((timeout_ms % 1000) * 1000)};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void peer_name_of(int fd, char *out, size_t cap) {
    struct sockaddr_storage sa;
    socklen_t sl = sizeof sa;
    char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";
    if (getpeername(fd, (struct sockaddr *)&sa, &sl) == 0)
        (void)getnameinfo((struct sockaddr *)&sa, sl, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(out, cap, "%s:%s", host, port);
}

static cd_status finish(cluster_tls *t, int fd, bool server, unsigned timeout_ms, cluster_conn **out, cd_error *err) {
    *out = NULL;
    cluster_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return cd_fail(err, CD_ERR_NOMEM, "tls connection");
    }
    c->fd = fd;
    memcpy(c->own_spki, t->spki_hash, sizeof c->own_spki);
    set_timeouts(fd, timeout_ms);
    peer_name_of(fd, c->name, sizeof c->name);
    c->ssl = SSL_new(server ? t->server : t->client);
    if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
        cluster_conn_close(c);
        return ossl_fail(err, "tls: session");
    }
    int r = server ? SSL_accept(c->ssl) : SSL_connect(c->ssl);
    if (r != 1) {
        int e = SSL_get_error(c->ssl, r);
        cd_status st = ossl_fail(err, e == SSL_ERROR_SYSCALL ? "tls handshake: connection closed or timed out"
                                                             : "tls handshake failed");
        cluster_conn_close(c);
        return st;
    }
    if (SSL_version(c->ssl) != TLS1_3_VERSION) {
        cluster_conn_close(c);
        return cd_fail(err, CD_ERR_PEER_TLS, "tls: not TLS 1.3");
    }
    X509 *peer = SSL_get1_peer_certificate(c->ssl);
    bool ok = peer && spki_hash(peer, c->peer_spki);
    X509_free(peer);
    if (!ok) {
        cluster_conn_close(c);
        return cd_fail(err, CD_ERR_PEER_TLS, "tls: the peer presented no usable certificate");
    }
    *out = c;
    return CD_OK;
}

cd_status cluster_connect(cluster_tls *t, const char *host, uint16_t port, unsigned timeout_ms, cluster_conn **out,
                          cd_error *err) {
    *out = NULL;
    char ps[8];
    snprintf(ps, sizeof ps, "%u", port);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int g = getaddrinfo(host, ps, &hints, &ai);
    if (g != 0) return cd_fail(err, CD_ERR_PEER_TLS, "peer %s:%u: cannot resolve: %s", host, port, gai_strerror(g));
    int fd = -1, last = 0;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        set_timeouts(fd, timeout_ms); /* SO_SNDTIMEO bounds connect() on Linux */
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            last = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0) return cd_fail(err, CD_ERR_PEER_TLS, "peer %s:%u: cannot connect: %s", host, port, strerror(last));
    return finish(t, fd, false, timeout_ms, out, err);
}

cd_status cluster_accept(cluster_tls *t, int fd, unsigned timeout_ms, cluster_conn **out, cd_error *err) {
    return finish(t, fd, true, timeout_ms, out, err);
}

void cluster_conn_close(cluster_conn *c) {
    if (!c) return;
    if (c->ssl) {
        (void)SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    if (c->fd >= 0) close(c->fd);
    ERR_clear_error();
    free(c);
}

const uint8_t *cluster_conn_peer_spki_hash(const cluster_conn *c) { return c->peer_spki; }
const char *cluster_conn_peer_name(const cluster_conn *c) { return c->name; }

cd_status cluster_listen(const char *host, uint16_t port, int *fd_out, uint16_t *bound, cd_error *err) {
    char ps[8];
    snprintf(ps, sizeof ps, "%u", port);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    int g = getaddrinfo(host, ps, &hints, &ai);
    if (g != 0) return cd_fail(err, CD_ERR_PEER_TLS, "peer port %s:%u: %s", host, port, gai_strerror(g));
    int fd = -1, last = 0;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 16) != 0) {
            last = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0) return cd_fail(err, CD_ERR_PEER_TLS, "peer port %s:%u: cannot listen: %s", host, port, strerror(last));
    struct sockaddr_storage sa;
    socklen_t sl = sizeof sa;
    uint16_t p = port;
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        p = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port : ((struct sockaddr_in *)&sa)->sin_port);
    *fd_out = fd;
    if (bound) *bound = p;
    return CD_OK;
}
