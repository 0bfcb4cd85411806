/* POST /dvn/verify: a LayerZero V2 packet, proven before it is signed.
 *
 *   {"txHash": "0x.."}  or  {"blockNumber": N, "logIndex": i}   (txHash may add logIndex to pick
 *   one of several packets of a transaction), plus optional "confirmations" (default: finalized
 *   only) and "expiration" (unix seconds, for the multisig path).
 *
 * The block must be final enough: an ancestor of (or) the verified finalized head, or, when the
 * request asks for N confirmations, an ancestor of the verified latest head with at least N
 * verified blocks above it; both proven by the parent-hash chain (src/ancestry.c). Its receipts
 * are rebuilt into the verified receiptsRoot and linked to the verified transaction list
 * (svc_block_receipts), so the log's address, topics and data, its position (logIndex within
 * the block, transactionIndex) and its transactionHash come from the proof, not from the
 * upstream. The log must be PacketSent from a configured --dvn-endpoint; its packet must
 * decode (dvn/). Only then are the EIP-712 DvnPacket answer and, with --dvn-vid and
 * --dvn-target, the multisig verify() calldata signed. Every refusal is unsigned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dvn/dvn.h"
#include "src/service.h"

/* A request may ask for at most this many confirmations: the ancestry proof reaches 256 blocks. */
#define DVN_MAX_CONFIRMATIONS 256

typedef struct {
    bool by_tx;
    cd_hash32 tx_hash;
    bool has_block;
    uint64_t block_number;
    bool has_log_index;
    uint64_t log_index;
    bool has_confirmations;
    uint64_t confirmations;
    bool has_expiration;
    uint64_t expiration;
} dvn_request;

/* The proven block and how final it is. */
typedef struct {
    svc_head head;
    bool finalized;
    uint64_t confirmations;     /* verified blocks above it on the chain that proved it */
} dvn_block;

/* The proven log and its packet. */
typedef struct {
    uint64_t log_index, tx_index;
    cd_hash32 tx_hash;
    cd_address emitter;
    cd_buf data;                /* the event data; the decoded views point into it */
    dvn_packet_sent ev;
    dvn_packet packet;
} dvn_log;

static json_object *get(json_object *o, const char *k) {
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* A JSON integer >= 0 or a 0x quantity. */
CD_MUST_CHECK static cd_status get_number(json_object *v, const char *what, uint64_t *out, cd_error *err) {
    if (v && json_object_is_type(v, json_type_int)) {
        if (json_object_get_int64(v) < 0) return cd_fail(err, CD_ERR_BAD_JSON, "%s must not be negative", what);
        *out = json_object_get_uint64(v);
        return CD_OK;
    }
    if (v && json_object_is_type(v, json_type_string)) return api_get_u64(v, what, out, err);
    return cd_fail(err, CD_ERR_BAD_JSON, "%s must be a number or a 0x quantity", what);
}

CD_MUST_CHECK static cd_status parse_request(json_object *body, dvn_request *rq, cd_error *err) {
    memset(rq, 0, sizeof *rq);
    if (!body || !json_object_is_type(body, json_type_object)) return cd_fail(err, CD_ERR_BAD_JSON, "body must be a JSON object");
    cd_status st = CD_OK;
    json_object_object_foreach(body, key, val) {
        if (st != CD_OK) break;
        if (!strcmp(key, "txHash")) {
            st = api_get_hash(val, "txHash", &rq->tx_hash, err);
            rq->by_tx = true;
        } else if (!strcmp(key, "blockNumber")) {
            st = get_number(val, "blockNumber", &rq->block_number, err);
            rq->has_block = true;
        } else if (!strcmp(key, "logIndex")) {
            st = get_number(val, "logIndex", &rq->log_index, err);
            rq->has_log_index = true;
        } else if (!strcmp(key, "confirmations")) {
            st = get_number(val, "confirmations", &rq->confirmations, err);
            rq->has_confirmations = true;
        } else if (!strcmp(key, "expiration")) {
            st = get_number(val, "expiration", &rq->expiration, err);
            rq->has_expiration = true;
        } else {
            st = cd_fail(err, CD_ERR_BAD_JSON, "unknown field '%.60s'", key);
        }
    }
    if (st != CD_OK) return st;
    if (rq->by_tx == rq->has_block)
        return cd_fail(err, CD_ERR_BAD_JSON, "give either txHash or blockNumber with logIndex");
    if (rq->has_block && !rq->has_log_index) return cd_fail(err, CD_ERR_BAD_JSON, "blockNumber needs logIndex");
    if (rq->has_confirmations && (rq->confirmations == 0 || rq->confirmations > DVN_MAX_CONFIRMATIONS))
        return cd_fail(err, CD_ERR_BAD_JSON, "confirmations must be 1..%d (or absent: finalized only)", DVN_MAX_CONFIRMATIONS);
    if (rq->has_expiration && rq->expiration <= (uint64_t)time(NULL))
        return cd_fail(err, CD_ERR_BAD_JSON, "expiration %llu is not in the future", (unsigned long long)rq->expiration);
    return CD_OK;
}

/* The block number of a transaction, as the upstream says: only a hint, the receipts of that
 * block are proven and must hold the transaction. */
CD_MUST_CHECK static cd_status tx_block_hint(svc_service *s, const cd_hash32 *tx, uint64_t *number, cd_error *err) {
    char hex[67], ps[80];
    cd_hex_encode(hex, tx->b, 32);
    snprintf(ps, sizeof ps, "[\"%s\"]", hex);
    unsigned order[SVC_MAX_UPSTREAMS];
    svc_pool_order(&s->exec, order);
    json_object *rc = NULL;
    cd_status st = svc_rpc(&s->exec, order[0], "eth_getTransactionReceipt", ps, &rc, err);
    if (st == CD_OK && (!rc || !json_object_is_type(rc, json_type_object)))
        st = cd_fail(err, CD_ERR_DVN_LOG_NOT_FOUND, "the upstream knows no transaction %s", hex);
    else if (st == CD_OK && api_get_u64(get(rc, "blockNumber"), "blockNumber", number, err) != CD_OK)
        st = cd_fail(err, CD_ERR_UPSTREAM, "the upstream's receipt of %s has no blockNumber", hex);
    json_object_put(rc);
    return st;
}

/* Final enough, proven: see the file comment. */
CD_MUST_CHECK static cd_status prove_final_block(svc_service *s, uint64_t n, const dvn_request *rq, dvn_block *out,
                                                 cd_error *err) {
    memset(out, 0, sizeof *out);
    svc_head latest, fin;
    bool have_latest = svc_get_head(s, false, &latest), have_fin = svc_get_head(s, true, &fin);
    if (!have_latest) return cd_fail(err, CD_ERR_NOT_SYNCED, "no verified head yet");
    if (have_fin && n <= fin.claim.number) {
        cd_status st = svc_prove_ancestor(s, &fin, n, &out->head, err);
        if (st != CD_OK) return st;
        out->finalized = true;
        out->confirmations = fin.claim.number - n;
        /* Count the blocks above the finalized head too when the latest head is proven to
         * descend from it (else the count stays at what the finalized head proves). */
        svc_head at_fin;
        cd_error ignored;
        if (latest.claim.number > fin.claim.number &&
            svc_prove_ancestor(s, &latest, fin.claim.number, &at_fin, &ignored) == CD_OK &&
            cd_hash32_eq(&at_fin.claim.block_hash, &fin.claim.block_hash))
            out->confirmations = latest.claim.number - n;
        return CD_OK;
    }
    if (!rq->has_confirmations)
        return cd_fail(err, CD_ERR_DVN_NOT_FINAL, "block %llu is not finalized yet (finalized head %s%llu); nothing signed",
                       (unsigned long long)n, have_fin ? "" : "none, ", have_fin ? (unsigned long long)fin.claim.number : 0ULL);
    if (n > latest.claim.number || latest.claim.number - n < rq->confirmations)
        return cd_fail(err, CD_ERR_DVN_NOT_FINAL, "block %llu has %llu verified descendants, %llu asked; nothing signed",
                       (unsigned long long)n,
                       (unsigned long long)(n > latest.claim.number ? 0 : latest.claim.number - n),
                       (unsigned long long)rq->confirmations);
    cd_status st = svc_prove_ancestor(s, &latest, n, &out->head, err);
    if (st != CD_OK) return st;
    out->finalized = false;
    out->confirmations = latest.claim.number - n;
    return CD_OK;
}

static bool is_endpoint(const svc_service *s, const cd_address *a) {
    for (unsigned i = 0; i < s->cfg.n_dvn_endpoints; i++)
        if (cd_address_eq(&s->cfg.dvn_endpoint[i], a)) return true;
    return false;
}

/* A PacketSent log: exactly one topic (no indexed parameters), the event's topic0. */
static bool is_packet_sent(json_object *lg) {
    json_object *topics = get(lg, "topics");
    cd_hash32 want, t0;
    dvn_packet_sent_topic(&want);
    return topics && json_object_is_type(topics, json_type_array) && json_object_array_length(topics) == 1 &&
           api_get_hash(json_object_array_get_idx(topics, 0), "topic", &t0, NULL) == CD_OK && cd_hash32_eq(&t0, &want);
}

/* Reads the chosen log out of the proven receipts and decodes its packet. */
CD_MUST_CHECK static cd_status read_log(svc_service *s, json_object *lg, json_object *rc, uint64_t tx_index, dvn_log *out,
                                        cd_error *err) {
    out->tx_index = tx_index;
    cd_status st = get_number(get(lg, "logIndex"), "logIndex", &out->log_index, err);
    if (st == CD_OK) st = api_get_hash(get(rc, "transactionHash"), "transactionHash", &out->tx_hash, err);
    if (st == CD_OK) st = api_get_address(get(lg, "address"), "log address", &out->emitter, err);
    if (st != CD_OK) return st;
    char who[43];
    cd_hex_encode(who, out->emitter.b, 20);
    if (!is_endpoint(s, &out->emitter))
        return cd_fail(err, CD_ERR_DVN_NO_PACKET, "log %llu was emitted by %s, not a configured endpoint; nothing signed",
                       (unsigned long long)out->log_index, who);
    if (!is_packet_sent(lg))
        return cd_fail(err, CD_ERR_DVN_NO_PACKET, "log %llu of endpoint %s is not PacketSent; nothing signed",
                       (unsigned long long)out->log_index, who);
    st = api_get_data(get(lg, "data"), "log data", DVN_MAX_EVENT_DATA, &out->data, err);
    if (st == CD_ERR_TOO_LARGE) return cd_fail(err, CD_ERR_DVN_BAD_PACKET, "PacketSent data over %u bytes", DVN_MAX_EVENT_DATA);
    if (st != CD_OK) return st;
    st = dvn_packet_sent_decode(cd_buf_bytes(&out->data), &out->ev, err);
    if (st == CD_OK) st = dvn_packet_decode(out->ev.encoded_packet, &out->packet, err);
    if (st != CD_OK) cd_error_prefix(err, "log %llu: ", (unsigned long long)out->log_index);
    return st;
}

/* The log the request names, among the proven receipts of its block. */
CD_MUST_CHECK static cd_status find_log(svc_service *s, json_object *receipts, const dvn_request *rq, dvn_log *out,
                                        cd_error *err) {
    size_t n = json_object_array_length(receipts);
    for (size_t i = 0; i < n; i++) {
        json_object *rc = json_object_array_get_idx(receipts, i), *logs = get(rc, "logs");
        if (rq->by_tx) {
            cd_hash32 th;
            if (api_get_hash(get(rc, "transactionHash"), "transactionHash", &th, err) != CD_OK || !cd_hash32_eq(&th, &rq->tx_hash))
                continue;
            size_t nl = logs && json_object_is_type(logs, json_type_array) ? json_object_array_length(logs) : 0;
            /* Without a logIndex the transaction must hold exactly one PacketSent of an endpoint. */
            json_object *pick = NULL;
            size_t found = 0;
            for (size_t j = 0; j < nl; j++) {
                json_object *lg = json_object_array_get_idx(logs, j);
                uint64_t li;
                cd_address a;
                if (rq->has_log_index) {
                    if (get_number(get(lg, "logIndex"), "logIndex", &li, err) == CD_OK && li == rq->log_index) pick = lg, found = 1;
                } else if (api_get_address(get(lg, "address"), "address", &a, err) == CD_OK && is_endpoint(s, &a) && is_packet_sent(lg)) {
                    pick = lg;
                    found++;
                }
            }
            if (rq->has_log_index && !pick)
                return cd_fail(err, CD_ERR_DVN_LOG_NOT_FOUND, "transaction has no log %llu; nothing signed", (unsigned long long)rq->log_index);
            if (!found)
                return cd_fail(err, CD_ERR_DVN_NO_PACKET, "transaction emitted no PacketSent from a configured endpoint; nothing signed");
            if (found > 1)
                return cd_fail(err, CD_ERR_BAD_JSON, "transaction emitted %zu packets: say which with logIndex", found);
            return read_log(s, pick, rc, i, out, err);
        }
        for (size_t j = 0; logs && json_object_is_type(logs, json_type_array) && j < json_object_array_length(logs); j++) {
            json_object *lg = json_object_array_get_idx(logs, j);
            uint64_t li;
            if (get_number(get(lg, "logIndex"), "logIndex", &li, err) == CD_OK && li == rq->log_index)
                return read_log(s, lg, rc, i, out, err);
        }
    }
    if (rq->by_tx) return cd_fail(err, CD_ERR_DVN_LOG_NOT_FOUND, "the transaction is not in the verified block the upstream named; nothing signed");
    return cd_fail(err, CD_ERR_DVN_LOG_NOT_FOUND, "the verified block has no log %llu; nothing signed", (unsigned long long)rq->log_index);
}

static json_object *hex32(const cd_hash32 *h) { return api_json_hex(h->b, 32); }

static json_object *packet_json(const dvn_packet *p) {
    json_object *o = json_object_new_object();
    if (!o) return NULL;
    json_object_object_add(o, "version", json_object_new_int(p->version));
    json_object_object_add(o, "nonce", json_object_new_uint64(p->nonce));
    json_object_object_add(o, "srcEid", json_object_new_uint64(p->src_eid));
    json_object_object_add(o, "sender", hex32(&p->sender));
    json_object_object_add(o, "dstEid", json_object_new_uint64(p->dst_eid));
    json_object_object_add(o, "receiver", hex32(&p->receiver));
    json_object_object_add(o, "guid", hex32(&p->guid));
    json_object_object_add(o, "message", api_json_hex(p->message.ptr, p->message.len));
    return o;
}

/* The multisig path: verify() calldata, DVN.sol's hash, our EIP-191 signature over it. */
CD_MUST_CHECK static cd_status add_multisig(svc_service *s, json_object *o, const dvn_answer *a, uint64_t expiration) {
    uint8_t call[DVN_VERIFY_CALLDATA_LEN], sig[SVC_SIG_LEN];
    cd_hash32 hash, digest;
    dvn_verify_calldata(a->packet_header, &a->payload_hash, a->confirmations, call);
    dvn_multisig_hash(s->cfg.dvn_vid, &s->cfg.dvn_target, expiration, cd_bytes_make(call, sizeof call), &hash);
    dvn_eip191_digest(&hash, &digest);
    cd_status st = svc_signer_sign(s->signer, digest.b, sig);
    if (st != CD_OK) return st;
    json_object *m = json_object_new_object();
    if (!m) return CD_ERR_NOMEM;
    json_object_object_add(m, "vid", json_object_new_uint64(s->cfg.dvn_vid));
    json_object_object_add(m, "target", api_json_hex(s->cfg.dvn_target.b, 20));
    json_object_object_add(m, "expiration", json_object_new_uint64(expiration));
    json_object_object_add(m, "callData", api_json_hex(call, sizeof call));
    json_object_object_add(m, "hash", hex32(&hash));
    json_object_object_add(m, "digest", hex32(&digest));
    json_object_object_add(m, "signature", api_json_hex(sig, SVC_SIG_LEN));
    json_object_object_add(o, "multisig", m);
    return CD_OK;
}

CD_MUST_CHECK static cd_status build_answer(svc_service *s, const dvn_request *rq, const dvn_block *b, const dvn_log *lg,
                                            json_object **out) {
    dvn_answer a;
    memset(&a, 0, sizeof a);
    a.src_chain_id = s->chain_id;
    a.block_number = b->head.claim.number;
    a.block_hash = b->head.claim.block_hash;
    a.tx_hash = lg->tx_hash;
    a.log_index = lg->log_index;
    a.endpoint = lg->emitter;
    memcpy(a.packet_header, lg->packet.header, DVN_HEADER_LEN);
    a.payload_hash = lg->packet.payload_hash;
    a.confirmations = b->confirmations;
    a.finalized = b->finalized;
    uint8_t sh[32], digest[32];
    dvn_answer_struct_hash(&a, sh);
    svc_eip712_typed_digest(a.src_chain_id, sh, digest);

    json_object *o = json_object_new_object();
    if (!o) return CD_ERR_NOMEM;
    json_object_object_add(o, "srcChainId", json_object_new_uint64(a.src_chain_id));
    json_object_object_add(o, "blockNumber", json_object_new_uint64(a.block_number));
    json_object_object_add(o, "blockHash", hex32(&a.block_hash));
    json_object_object_add(o, "transactionHash", hex32(&a.tx_hash));
    json_object_object_add(o, "transactionIndex", json_object_new_uint64(lg->tx_index));
    json_object_object_add(o, "logIndex", json_object_new_uint64(a.log_index));
    json_object_object_add(o, "endpoint", api_json_hex(a.endpoint.b, 20));
    json_object_object_add(o, "finality", json_object_new_string(a.finalized ? "finalized" : "confirmations"));
    json_object_object_add(o, "finalized", json_object_new_boolean(a.finalized));
    json_object_object_add(o, "confirmations", json_object_new_uint64(a.confirmations));
    json_object_object_add(o, "requestedConfirmations", rq->has_confirmations ? json_object_new_uint64(rq->confirmations) : NULL);
    json_object_object_add(o, "packetHeader", api_json_hex(a.packet_header, DVN_HEADER_LEN));
    json_object_object_add(o, "payloadHash", hex32(&a.payload_hash));
    json_object_object_add(o, "packet", packet_json(&lg->packet));
    json_object_object_add(o, "options", api_json_hex(lg->ev.options.ptr, lg->ev.options.len));
    json_object_object_add(o, "sendLibrary", api_json_hex(lg->ev.send_library.b, 20));
    cd_status st = CD_OK;
    if (s->cfg.has_dvn_vid && s->cfg.has_dvn_target && rq->has_expiration) st = add_multisig(s, o, &a, rq->expiration);
    if (st == CD_OK) st = svc_add_signature(s, o, digest);
    if (st != CD_OK) {
        json_object_put(o);
        return st;
    }
    *out = o;
    return CD_OK;
}

static void refuse(svc_service *s, api_response *out, cd_status st, const cd_error *err) {
    atomic_fetch_add(&s->m.refused_answers, 1);
    unsigned code;
    const char *name;
    switch (st) {
    case CD_ERR_BAD_JSON: case CD_ERR_BAD_HEX: case CD_ERR_TOO_LARGE: code = 400, name = "bad_request"; break;
    case CD_ERR_NOT_SYNCED: code = 503, name = "not_synced"; break;
    case CD_ERR_DVN_NOT_FINAL: code = 409, name = "not_final"; break;
    case CD_ERR_DVN_LOG_NOT_FOUND: code = 404, name = "log_not_found"; break;
    case CD_ERR_DVN_NO_PACKET: code = 422, name = "no_packet"; break;
    case CD_ERR_DVN_BAD_PACKET: code = 422, name = "bad_packet"; break;
    case CD_ERR_NOT_FOUND: case CD_ERR_UNSUPPORTED: code = 422, name = "unverifiable"; break;
    case CD_ERR_NOMEM: code = 500, name = "internal"; break;
    default: code = 502, name = "unverifiable"; break; /* an upstream failed or lied */
    }
    api_response_error(out, code, name, "%s", cd_error_text(err));
}

static void route_dvn_verify(void *ctx, json_object *body, const api_query *q, api_response *out) {
    (void)q;
    svc_service *s = ctx;
    cd_error err;
    cd_error_clear(&err);
    dvn_request rq;
    cd_status st = parse_request(body, &rq, &err);
    if (st == CD_OK && rq.has_expiration && !(s->cfg.has_dvn_vid && s->cfg.has_dvn_target))
        st = cd_fail(&err, CD_ERR_BAD_JSON, "expiration is for the multisig path, and --dvn-vid/--dvn-target are not configured");
    if (st == CD_OK && s->cfg.n_dvn_endpoints == 0) {
        atomic_fetch_add(&s->m.refused_answers, 1);
        api_response_error(out, 503, "not_configured", "no --dvn-endpoint configured; nothing signed");
        return;
    }
    uint64_t n = rq.block_number;
    if (st == CD_OK && rq.by_tx) st = tx_block_hint(s, &rq.tx_hash, &n, &err);
    dvn_block b;
    if (st == CD_OK) st = prove_final_block(s, n, &rq, &b, &err);
    json_object *receipts = NULL, *answer = NULL;
    if (st == CD_OK) st = svc_block_receipts(s, &b.head, &receipts, &err);
    dvn_log lg;
    memset(&lg, 0, sizeof lg);
    if (st == CD_OK) st = find_log(s, receipts, &rq, &lg, &err);
    if (st == CD_OK && (st = build_answer(s, &rq, &b, &lg, &answer)) != CD_OK) cd_fail(&err, st, "could not sign the answer");
    cd_buf_free(&lg.data);
    json_object_put(receipts);
    if (st != CD_OK) return refuse(s, out, st, &err);
    char hash[67];
    cd_hex_encode(hash, lg.packet.payload_hash.b, 32);
    SVC_LOGI(&s->log, "dvn", "block=%llu log=%llu nonce=%llu payload_hash=%s finalized=%s confirmations=%llu",
             (unsigned long long)b.head.claim.number, (unsigned long long)lg.log_index, (unsigned long long)lg.packet.nonce, hash,
             b.finalized ? "true" : "false", (unsigned long long)b.confirmations);
    api_response_json(out, 200, answer);
}

cd_status svc_dvn_add_route(svc_service *s, api_backend *b) {
    (void)s;
    return api_backend_add_route(b, &(api_route){"/dvn/verify", "dvn_verify", true, NULL, route_dvn_verify});
}
