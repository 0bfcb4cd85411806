/* cluster: framed messages over a TLS connection. The header is read first and its length
 * bounded (cluster_msg_header) before the payload is read, so a peer cannot make us
 * allocate or wait for more than CLUSTER_MSG_MAX bytes; the socket timeouts set in tls.c
 * bound every read and write, so a peer that stops mid-message costs one timeout. */
#include <string.h>

#include <openssl/err.h>

#include "cluster/cluster_internal.h"

static cd_status io_fail(cluster_conn *c, int r, const char *what, cd_error *err) {
    int e = SSL_get_error(c->ssl, r);
    ERR_clear_error();
    if (e == SSL_ERROR_ZERO_RETURN) return cd_fail(err, CD_ERR_TRUNCATED, "peer %s: closed the channel during %s", c->name, what);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) /* SO_RCVTIMEO / SO_SNDTIMEO expired */
        return cd_fail(err, CD_ERR_TRUNCATED, "peer %s: timed out during %s", c->name, what);
    if (e == SSL_ERROR_SYSCALL)
        return cd_fail(err, CD_ERR_TRUNCATED, "peer %s: connection lost or timed out during %s", c->name, what);
    return cd_fail(err, CD_ERR_PEER_TLS, "peer %s: tls error %d during %s", c->name, e, what);
}

static cd_status read_exact(cluster_conn *c, uint8_t *p, size_t n, const char *what, cd_error *err) {
    while (n > 0) {
        int chunk = n > (1u << 20) ? (1 << 20) : (int)n;
        int r = SSL_read(c->ssl, p, chunk);
        if (r <= 0) return io_fail(c, r, what, err);
        p += r;
        n -= (size_t)r;
    }
    return CD_OK;
}

cd_status cluster_send_raw(cluster_conn *c, const uint8_t *p, size_t n, cd_error *err) {
    while (n > 0) {
        int chunk = n > (1u << 20) ? (1 << 20) : (int)n;
        int r = SSL_write(c->ssl, p, chunk);
        if (r <= 0) return io_fail(c, r, "send", err);
        p += r;
        n -= (size_t)r;
    }
    return CD_OK;
}

cd_status cluster_send(cluster_conn *c, const cluster_msg *m, cd_error *err) {
    cd_buf b = {0};
    cd_status st = cluster_msg_encode(m, &b);
    if (st != CD_OK) {
        cd_buf_free(&b);
        return cd_fail(err, st, "peer %s: cannot encode %s", c->name, cluster_msg_type_name(m->type));
    }
    st = cluster_send_raw(c, b.data, b.len, err);
    cd_wipe(b.data, b.len); /* may hold the cluster key */
    cd_buf_free(&b);
    return st;
}

cd_status cluster_recv(cluster_conn *c, cluster_msg_type want, cluster_msg *m, cd_buf *buf, cd_error *err) {
    memset(m, 0, sizeof *m);
    buf->len = 0;
    uint8_t head[CLUSTER_HEADER_LEN];
    const char *what = want ? cluster_msg_type_name(want) : "message";
    cd_status st = read_exact(c, head, sizeof head, what, err);
    if (st != CD_OK) return st;
    cluster_msg_type type = CLUSTER_MSG_HELLO;
    uint32_t len = 0;
    if ((st = cluster_msg_header(cd_bytes_make(head, sizeof head), &type, &len, err)) != CD_OK) return st;
    if (cd_buf_reserve(buf, CLUSTER_HEADER_LEN + (size_t)len) != CD_OK) return cd_fail(err, CD_ERR_NOMEM, "peer message");
    memcpy(buf->data, head, sizeof head);
    if ((st = read_exact(c, buf->data + CLUSTER_HEADER_LEN, len, what, err)) != CD_OK) return st;
    buf->len = CLUSTER_HEADER_LEN + (size_t)len;
    if ((st = cluster_msg_parse(cd_buf_bytes(buf), m, err)) != CD_OK) return st;
    if (m->type == CLUSTER_MSG_VERDICT && !m->u.verdict.admitted)
        return cd_fail(err, CD_ERR_PEER_REFUSED, "refused by peer %s: %s", c->name, m->u.verdict.reason);
    if (want && m->type != want)
        return cd_fail(err, CD_ERR_PEER_PROTOCOL, "peer %s: sent %s where %s was due", c->name,
                       cluster_msg_type_name(m->type), cluster_msg_type_name(want));
    return CD_OK;
}
