/* libFuzzer target: the peer-port message parser (cluster/message.c) on arbitrary bytes —
 * what anyone who reaches the peer port can send after TLS. Whatever parses must be
 * canonical (re-encode to exactly the input), respect the bounds (quote non-empty and at
 * most ATT_MAX_QUOTE_LEN, inside the input; reason printable and bounded), and agree with
 * the header parser; the input is also fed as a stream of messages, as the channel reads
 * them. ASan checks that nothing reads past the input. */
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"

static void check_one(const uint8_t *data, size_t size) {
    cluster_msg m;
    cd_error err;
    if (cluster_msg_parse(cd_bytes_make(data, size), &m, &err) != CD_OK) return;
    cluster_msg_type type;
    uint32_t len = 0;
    if (cluster_msg_header(cd_bytes_make(data, size), &type, &len, &err) != CD_OK) abort();
    if (type != m.type || (size_t)len + CLUSTER_HEADER_LEN != size || len > CLUSTER_MSG_MAX) abort();
    if (m.type == CLUSTER_MSG_ATTEST) {
        cd_bytes q = m.u.attest.quote;
        if (q.len == 0 || q.len > ATT_MAX_QUOTE_LEN) abort();
        if (q.ptr < data || (size_t)(q.ptr - data) > size - q.len) abort();
    }
    if (m.type == CLUSTER_MSG_VERDICT) {
        size_t r = strlen(m.u.verdict.reason);
        if (r > CLUSTER_REASON_MAX || (m.u.verdict.admitted != (r == 0))) abort();
        for (size_t i = 0; i < r; i++)
            if (m.u.verdict.reason[i] < 0x20 || m.u.verdict.reason[i] > 0x7e) abort();
    }
    cd_buf out = {0};
    if (cluster_msg_encode(&m, &out) != CD_OK) abort();
    if (out.len != size || memcmp(out.data, data, size) != 0) abort();
    cd_buf_free(&out);
    cluster_msg_wipe(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_one(data, size);
    /* As a stream: header, bounded length, then the payload, until something fails. */
    size_t off = 0;
    while (size - off >= CLUSTER_HEADER_LEN) {
        cluster_msg_type type;
        uint32_t len = 0;
        if (cluster_msg_header(cd_bytes_make(data + off, size - off), &type, &len, NULL) != CD_OK) break;
        if (len > size - off - CLUSTER_HEADER_LEN) break;
        check_one(data + off, CLUSTER_HEADER_LEN + (size_t)len);
        off += CLUSTER_HEADER_LEN + (size_t)len;
    }
    return 0;
}
