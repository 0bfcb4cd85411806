/* cluster: peer message framing. The peer port faces anyone who can reach it, so the
 * parser assumes hostile bytes: the length is bounded before anything is read past the
 * header, every field is checked against what is left, and leftover bytes are an error
 * (a message has exactly one encoding). */
#include <string.h>

#include "cluster/cluster.h"

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

const char *cluster_msg_type_name(cluster_msg_type t) {
    switch (t) {
    case CLUSTER_MSG_HELLO: return "hello";
    case CLUSTER_MSG_ATTEST: return "attest";
    case CLUSTER_MSG_VERDICT: return "verdict";
    case CLUSTER_MSG_KEY: return "key";
    }
    return "unknown";
}

static bool known_type(unsigned t) { return t >= CLUSTER_MSG_HELLO && t <= CLUSTER_MSG_KEY; }

cd_status cluster_msg_header(cd_bytes in, cluster_msg_type *type, uint32_t *len, cd_error *err) {
    if (in.len < CLUSTER_HEADER_LEN)
        return cd_fail(err, CD_ERR_TRUNCATED, "peer message: %zu header bytes, need %d", in.len, CLUSTER_HEADER_LEN);
    if (!known_type(in.ptr[0]))
        return cd_fail(err, CD_ERR_PEER_PROTOCOL, "peer message: unknown type %u", in.ptr[0]);
    uint32_t n = be32(in.ptr + 1);
    if (n > CLUSTER_MSG_MAX)
        return cd_fail(err, CD_ERR_TOO_LARGE, "peer message: %s payload of %u bytes exceeds %d",
                       cluster_msg_type_name((cluster_msg_type)in.ptr[0]), n, CLUSTER_MSG_MAX);
    *type = (cluster_msg_type)in.ptr[0];
    *len = n;
    return CD_OK;
}

/* Each payload's exact size, or the minimum for the variable ones. */
static cd_status parse_payload(cluster_msg_type type, const uint8_t *p, size_t n, cluster_msg *out, cd_error *err) {
    const char *what = cluster_msg_type_name(type);
    switch (type) {
    case CLUSTER_MSG_HELLO:
        if (n < 1 + CLUSTER_NONCE_LEN) return cd_fail(err, CD_ERR_TRUNCATED, "peer hello: %zu bytes, need %d", n, 1 + CLUSTER_NONCE_LEN);
        if (n > 1 + CLUSTER_NONCE_LEN) return cd_fail(err, CD_ERR_TRAILING_DATA, "peer hello: %zu bytes, expected %d", n, 1 + CLUSTER_NONCE_LEN);
        if (p[0] != CLUSTER_VERSION)
            return cd_fail(err, CD_ERR_PEER_PROTOCOL, "peer hello: protocol version %u, this node speaks %d", p[0], CLUSTER_VERSION);
        out->u.hello.version = p[0];
        memcpy(out->u.hello.nonce, p + 1, CLUSTER_NONCE_LEN);
        return CD_OK;
    case CLUSTER_MSG_ATTEST: {
        if (n < 24) return cd_fail(err, CD_ERR_TRUNCATED, "peer attest: %zu bytes, need at least 24", n);
        memcpy(out->u.attest.address.b, p, 20);
        uint32_t q = be32(p + 20);
        if (q == 0) return cd_fail(err, CD_ERR_PEER_PROTOCOL, "peer attest: empty quote");
        if (q > ATT_MAX_QUOTE_LEN) return cd_fail(err, CD_ERR_TOO_LARGE, "peer attest: quote of %u bytes exceeds %d", q, ATT_MAX_QUOTE_LEN);
        if (q > n - 24) return cd_fail(err, CD_ERR_TRUNCATED, "peer attest: quote of %u bytes, %zu present", q, n - 24);
        if (q < n - 24) return cd_fail(err, CD_ERR_TRAILING_DATA, "peer attest: %zu bytes after the quote", n - 24 - q);
        out->u.attest.quote = cd_bytes_make(p + 24, q);
        return CD_OK;
    }
    case CLUSTER_MSG_VERDICT: {
        if (n < 2) return cd_fail(err, CD_ERR_TRUNCATED, "peer verdict: %zu bytes, need at least 2", n);
        if (p[0] > 1) return cd_fail(err, CD_ERR_PEER_PROTOCOL, "peer verdict: admitted flag %u is not 0 or 1", p[0]);
        size_t r = p[1];
        if (r > CLUSTER_REASON_MAX) return cd_fail(err, CD_ERR_TOO_LARGE, "peer verdict: reason of %zu bytes exceeds %d", r, CLUSTER_REASON_MAX);
        if (r > n - 2) return cd_fail(err, CD_ERR_TRUNCATED, "peer verdict: reason of %zu bytes, %zu present", r, n - 2);
        if (r < n - 2) return cd_fail(err, CD_ERR_TRAILING_DATA, "peer verdict: %zu bytes after the reason", n - 2 - r);
        /* The reason goes into our log: printable ASCII only, so a peer cannot forge lines. */
        for (size_t i = 0; i < r; i++)
            if (p[2 + i] < 0x20 || p[2 + i] > 0x7e)
                return cd_fail(err, CD_ERR_PEER_PROTOCOL, "peer verdict: reason byte %zu is not printable ASCII", i);
        if (p[0] == 1 && r != 0) return cd_fail(err, CD_ERR_PEER_PROTOCOL, "peer verdict: an admission carries no reason");
        if (p[0] == 0 && r == 0) return cd_fail(err, CD_ERR_PEER_PROTOCOL, "peer verdict: a refusal without a reason");
        out->u.verdict.admitted = p[0] == 1;
        memcpy(out->u.verdict.reason, p + 2, r);
        out->u.verdict.reason[r] = 0;
        return CD_OK;
    }
    case CLUSTER_MSG_KEY:
        if (n < CLUSTER_KEY_LEN) return cd_fail(err, CD_ERR_TRUNCATED, "peer key: %zu bytes, need %d", n, CLUSTER_KEY_LEN);
        if (n > CLUSTER_KEY_LEN) return cd_fail(err, CD_ERR_TRAILING_DATA, "peer key: %zu bytes, expected %d", n, CLUSTER_KEY_LEN);
        memcpy(out->u.key.key, p, CLUSTER_KEY_LEN);
        return CD_OK;
    }
    return cd_fail(err, CD_ERR_PEER_PROTOCOL, "peer message: unknown type %s", what);
}

cd_status cluster_msg_parse(cd_bytes in, cluster_msg *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    cluster_msg_type type = CLUSTER_MSG_HELLO;
    uint32_t len = 0;
    cd_status st = cluster_msg_header(in, &type, &len, err);
    if (st != CD_OK) return st;
    size_t have = in.len - CLUSTER_HEADER_LEN;
    if (have < len) return cd_fail(err, CD_ERR_TRUNCATED, "peer %s: payload of %u bytes, %zu present", cluster_msg_type_name(type), len, have);
    if (have > len) return cd_fail(err, CD_ERR_TRAILING_DATA, "peer %s: %zu bytes after the message", cluster_msg_type_name(type), have - len);
    out->type = type;
    st = parse_payload(type, in.ptr + CLUSTER_HEADER_LEN, len, out, err);
    if (st != CD_OK) cluster_msg_wipe(out);
    return st;
}

cd_status cluster_msg_encode(const cluster_msg *m, cd_buf *out) {
    uint8_t head[CLUSTER_HEADER_LEN + 24];
    const uint8_t *tail = NULL;
    size_t n = 0, tail_len = 0;
    head[0] = (uint8_t)m->type;
    uint8_t *p = head + CLUSTER_HEADER_LEN;
    switch (m->type) {
    case CLUSTER_MSG_HELLO:
        p[0] = m->u.hello.version;
        tail = m->u.hello.nonce, tail_len = CLUSTER_NONCE_LEN, n = 1;
        break;
    case CLUSTER_MSG_ATTEST:
        if (m->u.attest.quote.len == 0 || m->u.attest.quote.len > ATT_MAX_QUOTE_LEN) return CD_ERR_INVALID_ARG;
        memcpy(p, m->u.attest.address.b, 20);
        put_be32(p + 20, (uint32_t)m->u.attest.quote.len);
        tail = m->u.attest.quote.ptr, tail_len = m->u.attest.quote.len, n = 24;
        break;
    case CLUSTER_MSG_VERDICT: {
        size_t r = strlen(m->u.verdict.reason);
        if (r > CLUSTER_REASON_MAX) return CD_ERR_INVALID_ARG;
        p[0] = m->u.verdict.admitted ? 1 : 0;
        p[1] = (uint8_t)r;
        tail = (const uint8_t *)m->u.verdict.reason, tail_len = r, n = 2;
        break;
    }
    case CLUSTER_MSG_KEY:
        tail = m->u.key.key, tail_len = CLUSTER_KEY_LEN, n = 0;
        break;
    default:
        return CD_ERR_INVALID_ARG;
    }
    put_be32(head + 1, (uint32_t)(n + tail_len));
    cd_status st = cd_buf_append(out, head, CLUSTER_HEADER_LEN + n);
    if (st == CD_OK && tail_len) st = cd_buf_append(out, tail, tail_len);
    return st;
}

void cluster_msg_wipe(cluster_msg *m) { cd_wipe(m, sizeof *m); }
