/* cluster: attested peers that share one cluster key (docs/cluster.md).
 *
 * Several Candor nodes sign under one secp256k1 key so that a client behind any load
 * balancer checks every answer against one address. A node that holds the key hands it
 * to a joining node only over a channel where both sides proved, with a fresh TEE quote,
 * that they run an admitted build and own the channel's TLS key:
 *
 *   1. TLS 1.3 (OpenSSL), each side with an ephemeral self-signed P-256 key made per
 *      process. The certificates are not checked against any CA: authentication comes
 *      from the quotes of step 3, which name the SPKI hash of the very key the peer used
 *      in this TLS session.
 *   2. HELLO: each side sends a fresh 32-byte nonce.
 *   3. ATTEST: each side answers with its node signing address and a quote whose report
 *      data (cluster_report_data) binds its own TLS SPKI hash, its address and the other
 *      side's nonce.
 *   4. Each side verifies the other's quote: signature and chain to the vendor root,
 *      debug refused, mock only when allowed, report data bound to THIS session's peer
 *      key and OUR nonce, then the admission callback (governance or a policy file; the
 *      daemon decides). VERDICT: each side tells the other whether it was admitted and why
 *      not, so that both logs carry the reason.
 *   5. KEY: only after both verdicts are "admitted", the key holder sends the key.
 *
 * Framing (message.c): type byte ‖ u32 big-endian payload length ‖ payload, at most
 * CLUSTER_MSG_MAX payload bytes; every field inside a payload has a fixed size or its
 * own length, and a payload with bytes left over is refused.
 *
 * This library knows nothing of the daemon (src/): admission is a callback, the quote
 * comes from an att_provider, and the key is 32 opaque bytes. No global state.
 * Writes to a peer that hung up raise SIGPIPE: the process must ignore it (candor serve does). */
#ifndef CANDOR_CLUSTER_H
#define CANDOR_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/attest.h"
#include "common/common.h"

#define CLUSTER_VERSION 1
#define CLUSTER_NONCE_LEN 32
#define CLUSTER_KEY_LEN 32
#define CLUSTER_SPKI_HASH_LEN 32
#define CLUSTER_REASON_MAX 200
/* The largest quote (attest/) plus the address and length fields. */
#define CLUSTER_MSG_MAX (ATT_MAX_QUOTE_LEN + 64)
#define CLUSTER_HEADER_LEN 5

/* ---- messages (message.c) ------------------------------------------------------ */

typedef enum {
    CLUSTER_MSG_HELLO = 1,   /* u8 version ‖ nonce[32] */
    CLUSTER_MSG_ATTEST = 2,  /* address[20] ‖ u32 quote_len ‖ quote */
    CLUSTER_MSG_VERDICT = 3, /* u8 admitted (0|1) ‖ u8 reason_len ‖ reason (printable ASCII) */
    CLUSTER_MSG_KEY = 4,     /* key[32] */
} cluster_msg_type;

typedef struct {
    cluster_msg_type type;
    union {
        struct {
            uint8_t version;
            uint8_t nonce[CLUSTER_NONCE_LEN];
        } hello;
        struct {
            cd_address address;
            cd_bytes quote;  /* points into the parsed payload */
        } attest;
        struct {
            bool admitted;
            char reason[CLUSTER_REASON_MAX + 1];
        } verdict;
        struct {
            uint8_t key[CLUSTER_KEY_LEN];
        } key;
    } u;
} cluster_msg;

/* Parses a message header (5 bytes): type and payload length. CD_ERR_TRUNCATED for fewer
 * bytes, CD_ERR_PEER_PROTOCOL for an unknown type, CD_ERR_TOO_LARGE for a length over
 * CLUSTER_MSG_MAX. */
CD_MUST_CHECK cd_status cluster_msg_header(cd_bytes in, cluster_msg_type *type, uint32_t *len, cd_error *err);
/* Parses one whole message (header and payload, nothing after it). Errors: those of
 * cluster_msg_header, CD_ERR_TRUNCATED (payload shorter than its length or its fields),
 * CD_ERR_TRAILING_DATA (bytes after the message or after the payload's last field),
 * CD_ERR_PEER_PROTOCOL (bad version, flag, reason text, empty quote). Attest's quote
 * points into `in`. The key is wiped from `out` by cluster_msg_wipe. */
CD_MUST_CHECK cd_status cluster_msg_parse(cd_bytes in, cluster_msg *out, cd_error *err);
/* Appends the encoding of `m` to `out`. CD_ERR_INVALID_ARG for an oversized field. */
CD_MUST_CHECK cd_status cluster_msg_encode(const cluster_msg *m, cd_buf *out);
void cluster_msg_wipe(cluster_msg *m);
const char *cluster_msg_type_name(cluster_msg_type t);

/* ---- report data (handshake.c) ------------------------------------------------- */

/* The 64 bytes a peer's quote carries (layout peer/v1, docs/cluster.md):
 *   [0..32)  SHA-256("candor/peer/v1" 0x00 ‖ spki_hash[32] ‖ address[20])
 *   [32..64) SHA-256("candor/peer-nonce/v1" 0x00 ‖ nonce[32] ‖ spki_hash[32])
 * The halves are separate so that a refusal can say which failed: the key (a quote made
 * for another TLS key) or the nonce (a replayed quote). Both are covered by the one quote
 * signature. */
void cluster_report_data(const uint8_t spki_hash[CLUSTER_SPKI_HASH_LEN], const cd_address *address,
                         const uint8_t nonce[CLUSTER_NONCE_LEN], uint8_t out[ATT_REPORT_DATA_LEN]);

/* ---- TLS (tls.c) ----------------------------------------------------------------- */

typedef struct cluster_tls cluster_tls;   /* an SSL_CTX pair and the process's TLS key */
typedef struct cluster_conn cluster_conn; /* one TLS 1.3 connection */

/* Makes a fresh P-256 key and a self-signed certificate (valid one day around now), and
 * client and server contexts restricted to TLS 1.3 that ask for and accept any peer
 * certificate (the quote authenticates it). */
CD_MUST_CHECK cd_status cluster_tls_new(cluster_tls **out, cd_error *err);
void cluster_tls_free(cluster_tls *t);
/* SHA-256 of our certificate's SubjectPublicKeyInfo (DER). */
const uint8_t *cluster_tls_spki_hash(const cluster_tls *t);

/* Connects to host:port (timeout_ms for connect and every read/write after) and does the
 * TLS handshake as client. */
CD_MUST_CHECK cd_status cluster_connect(cluster_tls *t, const char *host, uint16_t port, unsigned timeout_ms,
                                        cluster_conn **out, cd_error *err);
/* Takes an accepted socket (ownership passes, closed on failure too) and does the TLS
 * handshake as server. */
CD_MUST_CHECK cd_status cluster_accept(cluster_tls *t, int fd, unsigned timeout_ms, cluster_conn **out, cd_error *err);
void cluster_conn_close(cluster_conn *c);
/* SHA-256 of the SPKI of the certificate the peer presented in this session. */
const uint8_t *cluster_conn_peer_spki_hash(const cluster_conn *c);
/* "host:port" of the other end (for logs). */
const char *cluster_conn_peer_name(const cluster_conn *c);

/* Listening TCP socket on host:port (port 0: any); *bound receives the port. */
CD_MUST_CHECK cd_status cluster_listen(const char *host, uint16_t port, int *fd, uint16_t *bound, cd_error *err);

/* ---- channel (channel.c) ----------------------------------------------------------- */

/* Sends one message (encoded here). */
CD_MUST_CHECK cd_status cluster_send(cluster_conn *c, const cluster_msg *m, cd_error *err);
/* Sends raw bytes (tests drive malformed input with it). */
CD_MUST_CHECK cd_status cluster_send_raw(cluster_conn *c, const uint8_t *p, size_t n, cd_error *err);
/* Receives one message: reads the header, bounds the length before reading the payload,
 * parses it into `m`. The raw message stays in `buf` (m->u.attest.quote points into it).
 * `want`: the expected type (0 = any); another type is CD_ERR_PEER_PROTOCOL, except a
 * VERDICT that refuses, which is CD_ERR_PEER_REFUSED with the peer's reason. */
CD_MUST_CHECK cd_status cluster_recv(cluster_conn *c, cluster_msg_type want, cluster_msg *m, cd_buf *buf, cd_error *err);

/* ---- handshake (handshake.c) --------------------------------------------------------- */

/* What the admission callback gets about a peer whose quote verified and binds this
 * session: the report, its measurement id, and the node address it attested. Returns
 * CD_OK to admit, or an error with the reason (sent to the peer and logged). */
typedef cd_status (*cluster_admit_fn)(void *ctx, const att_report *rep, const uint8_t measurement_id[32],
                                      const cd_address *address, cd_error *err);

typedef struct {
    att_provider *tee;            /* makes our quote */
    cd_address address;           /* our node signing address, attested with the quote */
    att_verify_opts verify;       /* how peer quotes are verified (accept_mock when allowed) */
    cluster_admit_fn admit;
    void *admit_ctx;
} cluster_handshake_cfg;

typedef struct {
    cd_address address;           /* the peer's attested node address */
    uint8_t measurement_id[32];
    att_format format;
    char name[64];                /* host:port */
} cluster_peer;

/* The whole exchange on an established connection (either role: the messages are
 * symmetric). CD_OK only when we admitted the peer and the peer admitted us. Errors:
 * CD_ERR_PEER_PROTOCOL / _TLS for the channel, the att_verify errors for the quote,
 * CD_ERR_ATT_DEBUG for a debug TEE, CD_ERR_ATT_BINDING for a quote bound to another TLS
 * key or address, CD_ERR_PEER_REPLAY for one bound to another nonce, the callback's error
 * when our admission refused, CD_ERR_PEER_REFUSED when the peer refused us (its reason
 * in err). `peer` is filled as far as known. */
CD_MUST_CHECK cd_status cluster_handshake(cluster_conn *c, const cluster_handshake_cfg *cfg, cluster_peer *peer,
                                          cd_error *err);

/* After a successful handshake: the holder sends the key, the joiner receives it. */
CD_MUST_CHECK cd_status cluster_send_key(cluster_conn *c, const uint8_t key[CLUSTER_KEY_LEN], cd_error *err);
CD_MUST_CHECK cd_status cluster_recv_key(cluster_conn *c, uint8_t key[CLUSTER_KEY_LEN], cd_error *err);

#endif
