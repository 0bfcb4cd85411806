/* dvn/: the LayerZero V2 packet, the PacketSent event, the signed DVN answer and the multisig
 * path, against known answers computed outside Candor (tests/vectors/gen_dvn.cjs: node with
 * @noble/hashes and @noble/curves, written from the packet layout, the ABI spec, EIP-712 and
 * EIP-191), and every malformed input refused with its own reason. */
#include <stdlib.h>

#include "api/api.h"
#include "dvn/dvn.h"
#include "src/answer.h"
#include "src/eip712.h"
#include "src/service.h"
#include "src/signer.h"
#include "tests/test.h"

static const char PACKET[] =
    "01000000000000000700009ce10000000000000000000000001111111111111111111111111111111111111111000075952222222222"
    "222222222222222222222222222222222222222222222222222222263eac403b290f0dff39fbc7a148a2fac6e047c3513cb6cebd6351"
    "1b4c13dfd268656c6c6f2066726f6d2063616e646f722c20612070726f76656e207061636b6574";
static const char HEADER[] =
    "01000000000000000700009ce10000000000000000000000001111111111111111111111111111111111111111000075952222222222"
    "222222222222222222222222222222222222222222222222222222";
static const char GUID[] = "263eac403b290f0dff39fbc7a148a2fac6e047c3513cb6cebd63511b4c13dfd2";
static const char PAYLOAD_HASH[] = "85e4273cff63cf136368b690d5eda722eb98d4aa430f2f678cea71bdf6d5b948";
static const char TOPIC[] = "1ab700d4ced0c005b164c0f789fd09fcbb0156d4c2041b8a3bfbcd961cd1567f";
static const char EVENT_DATA[] =
    "000000000000000000000000000000000000000000000000000000000000006000000000000000000000000000000000000000000000"
    "000000000000000001200000000000000000000000003333333333333333333333333333333333333333000000000000000000000000"
    "000000000000000000000000000000000000009301000000000000000700009ce1000000000000000000000000111111111111111111"
    "1111111111111111111111000075952222222222222222222222222222222222222222222222222222222222222222263eac403b290f"
    "0dff39fbc7a148a2fac6e047c3513cb6cebd63511b4c13dfd268656c6c6f2066726f6d2063616e646f722c20612070726f76656e2070"
    "61636b657400000000000000000000000000000000000000000000000000000000000000000000000000000000000000001600030100"
    "11010000000000000000000000000000ea6000000000000000000000";
static const char OPTIONS[] = "0003010011010000000000000000000000000000ea60";
static const char STRUCT_HASH[] = "e746291b2a4838d9ee9bf471fbf46ab2c86bb459fe4d9fec3cb6a7518a3c0af4";
static const char DIGEST[] = "80071ee41ff2b7ba5e54702a32df0b778f610281425ca5161bda10d3aefd986f";
static const char SIGNATURE[] =
    "3f1eb9259a598a592b4b54bc97aadf0850bc855e4ebd06702dc738becc754c021b5df61900446f04f6e5853a23a57f3dcb5a8bcdb951"
    "6996cb55e54bb9cd34481c";
static const char CALLDATA[] =
    "0223536e000000000000000000000000000000000000000000000000000000000000006085e4273cff63cf136368b690d5eda722eb98"
    "d4aa430f2f678cea71bdf6d5b948000000000000000000000000000000000000000000000000000000000000000c0000000000000000"
    "00000000000000000000000000000000000000000000005101000000000000000700009ce10000000000000000000000001111111111"
    "111111111111111111111111111111000075952222222222222222222222222222222222222222222222222222222222222222000000"
    "000000000000000000000000";
static const char MULTISIG_HASH[] = "63579fb89b0c05cf4ce1e9e03cbb83ddcbc68e078a68ece874b9dec74836807c";
static const char EIP191[] = "5091fbf11d55d9fd2fa88658682ac913d7998168e7e9cba76fe052f263f35ebf";

typedef struct {
    uint8_t b[1024];
    size_t n;
} blob;

static blob unhex(const char *h) {
    blob x;
    long n = test_unhex(h, x.b, sizeof x.b);
    x.n = n < 0 ? 0 : (size_t)n;
    return x;
}

static void test_packet_known_answer(test_ctx *t) {
    blob p = unhex(PACKET), hdr = unhex(HEADER), guid = unhex(GUID), ph = unhex(PAYLOAD_HASH);
    dvn_packet pk;
    cd_error e;
    CHECK_OK(t, dvn_packet_decode(cd_bytes_make(p.b, p.n), &pk, &e));
    CHECK_EQ_INT(t, pk.version, 1);
    CHECK_EQ_U64(t, pk.nonce, 7);
    CHECK_EQ_U64(t, pk.src_eid, 40161);
    CHECK_EQ_U64(t, pk.dst_eid, 30101);
    CHECK_EQ_BYTES(t, pk.header, DVN_HEADER_LEN, hdr.b, hdr.n);
    CHECK_EQ_BYTES(t, pk.guid.b, 32, guid.b, guid.n);
    CHECK_EQ_BYTES(t, pk.payload_hash.b, 32, ph.b, ph.n);
    CHECK_EQ_BYTES(t, pk.message.ptr, pk.message.len, "hello from candor, a proven packet", 34);
    for (int i = 0; i < 12; i++) CHECK_EQ_INT(t, pk.sender.b[i], 0);
    CHECK_EQ_INT(t, pk.sender.b[12], 0x11);
    CHECK_EQ_INT(t, pk.receiver.b[31], 0x22);
    /* and back */
    cd_buf out = {0};
    CHECK_OK(t, dvn_packet_encode(&pk, &out));
    CHECK_EQ_BYTES(t, out.data, out.len, p.b, p.n);
    cd_buf_free(&out);
}

static void test_packet_bounds(test_ctx *t) {
    blob p = unhex(PACKET);
    dvn_packet pk;
    cd_error e;
    /* truncated: anything shorter than header + guid, down to nothing */
    for (size_t n = 0; n < DVN_MESSAGE_OFFSET; n++)
        CHECK_ERR(t, dvn_packet_decode(cd_bytes_make(p.b, n), &pk, &e), CD_ERR_DVN_BAD_PACKET);
    CHECK_ERR(t, dvn_packet_decode(cd_bytes_make(NULL, 0), &pk, &e), CD_ERR_DVN_BAD_PACKET);
    /* an empty message is a packet */
    CHECK_OK(t, dvn_packet_decode(cd_bytes_make(p.b, DVN_MESSAGE_OFFSET), &pk, &e));
    CHECK_EQ_U64(t, pk.message.len, 0);
    /* version 2 is not V1-encoded */
    blob v = p;
    v.b[0] = 2;
    CHECK_ERR(t, dvn_packet_decode(cd_bytes_make(v.b, v.n), &pk, &e), CD_ERR_DVN_BAD_PACKET);
    /* the largest message we sign for, and one byte more */
    uint8_t *big = calloc(1, DVN_MESSAGE_OFFSET + DVN_MAX_MESSAGE + 1);
    if (!big) return;
    memcpy(big, p.b, DVN_MESSAGE_OFFSET);
    CHECK_OK(t, dvn_packet_decode(cd_bytes_make(big, DVN_MESSAGE_OFFSET + DVN_MAX_MESSAGE), &pk, &e));
    CHECK_EQ_U64(t, pk.message.len, DVN_MAX_MESSAGE);
    CHECK_ERR(t, dvn_packet_decode(cd_bytes_make(big, DVN_MESSAGE_OFFSET + DVN_MAX_MESSAGE + 1), &pk, &e),
              CD_ERR_DVN_BAD_PACKET);
    CHECK(t, strstr(e.msg, "more than") != NULL);
    free(big);
}

static void test_packet_sent_known_answer(test_ctx *t) {
    cd_hash32 topic;
    dvn_packet_sent_topic(&topic);
    blob tp = unhex(TOPIC), d = unhex(EVENT_DATA), p = unhex(PACKET), o = unhex(OPTIONS);
    CHECK_EQ_BYTES(t, topic.b, 32, tp.b, tp.n);
    dvn_packet_sent ev;
    cd_error e;
    CHECK_OK(t, dvn_packet_sent_decode(cd_bytes_make(d.b, d.n), &ev, &e));
    CHECK_EQ_BYTES(t, ev.encoded_packet.ptr, ev.encoded_packet.len, p.b, p.n);
    CHECK_EQ_BYTES(t, ev.options.ptr, ev.options.len, o.b, o.n);
    for (int i = 0; i < 20; i++) CHECK_EQ_INT(t, ev.send_library.b[i], 0x33);
}

/* Every byte of the head and of the length words matters; padding must be zero; nothing may
 * follow; truncation anywhere is refused. */
static void test_packet_sent_strict(test_ctx *t) {
    blob d = unhex(EVENT_DATA);
    dvn_packet_sent ev;
    cd_error e;
    for (size_t n = 0; n < d.n; n++)
        CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(d.b, n), &ev, &e), CD_ERR_DVN_BAD_PACKET);
    blob x = d;
    x.b[31] = 0x40; /* encodedPacket offset 64: overlaps the head */
    CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(x.b, x.n), &ev, &e), CD_ERR_DVN_BAD_PACKET);
    x = d;
    x.b[0] = 0x01; /* offset with a high byte set */
    CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(x.b, x.n), &ev, &e), CD_ERR_DVN_BAD_PACKET);
    x = d;
    x.b[63] = 0x40; /* options offset pointing elsewhere */
    CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(x.b, x.n), &ev, &e), CD_ERR_DVN_BAD_PACKET);
    x = d;
    x.b[64] = 0x01; /* address with high bytes */
    CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(x.b, x.n), &ev, &e), CD_ERR_DVN_BAD_PACKET);
    x = d;
    x.b[96 + 31] = 0xff; /* packet length beyond the data */
    CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(x.b, x.n), &ev, &e), CD_ERR_DVN_BAD_PACKET);
    x = d;
    x.b[96 + 8] = 0x01; /* length word with a high byte: would overflow 64 bits */
    CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(x.b, x.n), &ev, &e), CD_ERR_DVN_BAD_PACKET);
    x = d;
    x.b[96 + 32 + 0x93] = 0x01; /* nonzero padding after the 147-byte packet */
    CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(x.b, x.n), &ev, &e), CD_ERR_DVN_BAD_PACKET);
    CHECK(t, strstr(e.msg, "padding") != NULL);
    x = d;
    x.b[x.n - 1] = 0x01; /* nonzero padding after the options */
    CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(x.b, x.n), &ev, &e), CD_ERR_DVN_BAD_PACKET);
    x = d;
    memset(x.b + x.n, 0, 32); /* one more word after the last field */
    CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(x.b, x.n + 32), &ev, &e), CD_ERR_DVN_BAD_PACKET);
    CHECK_ERR(t, dvn_packet_sent_decode(cd_bytes_make(x.b, x.n + 1), &ev, &e), CD_ERR_DVN_BAD_PACKET);
}

static void sample_answer(dvn_answer *a) {
    memset(a, 0, sizeof *a);
    blob hdr = unhex(HEADER), ph = unhex(PAYLOAD_HASH);
    a->src_chain_id = 31337;
    a->block_number = 1234;
    memset(a->block_hash.b, 0xaa, 32);
    memset(a->tx_hash.b, 0xbb, 32);
    a->log_index = 5;
    memset(a->endpoint.b, 0x44, 20);
    memcpy(a->packet_header, hdr.b, DVN_HEADER_LEN);
    memcpy(a->payload_hash.b, ph.b, 32);
    a->confirmations = 12;
    a->finalized = true;
}

static void test_answer_known_answer(test_ctx *t) {
    dvn_answer a;
    sample_answer(&a);
    uint8_t sh[32], dg[32], sk[32], sig[SVC_SIG_LEN];
    dvn_answer_struct_hash(&a, sh);
    blob want_sh = unhex(STRUCT_HASH), want_dg = unhex(DIGEST), want_sig = unhex(SIGNATURE);
    CHECK_EQ_BYTES(t, sh, 32, want_sh.b, want_sh.n);
    svc_eip712_typed_digest(a.src_chain_id, sh, dg);
    CHECK_EQ_BYTES(t, dg, 32, want_dg.b, want_dg.n);
    /* RFC 6979 makes the signature deterministic: the same bytes as noble's */
    memset(sk, 0x11, 32);
    svc_signer *s = NULL;
    cd_error e;
    CHECK_OK(t, svc_signer_from_secret(&s, sk, &e));
    if (!s) return;
    CHECK_OK(t, svc_signer_sign(s, dg, sig));
    CHECK_EQ_BYTES(t, sig, SVC_SIG_LEN, want_sig.b, want_sig.n);
    svc_signer_free(s);
}

/* Each field of the signed struct changes the struct hash. */
static void test_answer_covers_every_field(test_ctx *t) {
    dvn_answer a, b;
    uint8_t h0[32], h1[32];
    sample_answer(&a);
    dvn_answer_struct_hash(&a, h0);
    for (int f = 0; f < 10; f++) {
        b = a;
        switch (f) {
        case 0: b.src_chain_id = 1; break;
        case 1: b.block_number++; break;
        case 2: b.block_hash.b[31] ^= 1; break;
        case 3: b.tx_hash.b[0] ^= 1; break;
        case 4: b.log_index++; break;
        case 5: b.endpoint.b[19] ^= 1; break;
        case 6: b.packet_header[80] ^= 1; break;
        case 7: b.payload_hash.b[5] ^= 1; break;
        case 8: b.confirmations++; break;
        default: b.finalized = false; break;
        }
        dvn_answer_struct_hash(&b, h1);
        if (!memcmp(h0, h1, 32)) test_fail_at(t, __FILE__, __LINE__, "field %d is not covered by the struct hash", f);
    }
    /* and the domain binds the chain: the same struct for another chain id is another digest */
    uint8_t d1[32], d2[32];
    svc_eip712_typed_digest(31337, h0, d1);
    svc_eip712_typed_digest(1, h0, d2);
    CHECK(t, memcmp(d1, d2, 32) != 0);
}

static void test_multisig_known_answer(test_ctx *t) {
    blob hdr = unhex(HEADER), ph = unhex(PAYLOAD_HASH), cd = unhex(CALLDATA), mh = unhex(MULTISIG_HASH), e191 = unhex(EIP191);
    cd_hash32 payload, h, d;
    memcpy(payload.b, ph.b, 32);
    uint8_t call[DVN_VERIFY_CALLDATA_LEN];
    dvn_verify_calldata(hdr.b, &payload, 12, call);
    CHECK_EQ_BYTES(t, call, sizeof call, cd.b, cd.n);
    cd_address target;
    memset(target.b, 0x55, 20);
    dvn_multisig_hash(30110, &target, 1767225600, cd_bytes_make(call, sizeof call), &h);
    CHECK_EQ_BYTES(t, h.b, 32, mh.b, mh.n);
    dvn_eip191_digest(&h, &d);
    CHECK_EQ_BYTES(t, d.b, 32, e191.b, e191.n);
}

static void add_str(json_object *o, const char *k, const char *v) { json_object_object_add(o, k, json_object_new_string(v)); }

static void add_hex(json_object *o, const char *k, const char *hex_no_prefix) {
    char buf[1024];
    snprintf(buf, sizeof buf, "0x%s", hex_no_prefix);
    add_str(o, k, buf);
}

/* A /dvn/verify answer as the service writes it, for the known vector, signed by key 0x11..11. */
static json_object *vector_answer(svc_signer *s) {
    json_object *o = json_object_new_object(), *pk = json_object_new_object(), *m = json_object_new_object();
    char addr[43];
    json_object_object_add(o, "srcChainId", json_object_new_uint64(31337));
    json_object_object_add(o, "blockNumber", json_object_new_uint64(1234));
    add_hex(o, "blockHash", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    add_hex(o, "transactionHash", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    json_object_object_add(o, "logIndex", json_object_new_uint64(5));
    add_hex(o, "endpoint", "4444444444444444444444444444444444444444");
    add_hex(o, "packetHeader", HEADER);
    add_hex(o, "payloadHash", PAYLOAD_HASH);
    json_object_object_add(o, "confirmations", json_object_new_uint64(12));
    json_object_object_add(o, "finalized", json_object_new_boolean(true));
    add_hex(pk, "guid", GUID);
    add_hex(pk, "message", "68656c6c6f2066726f6d2063616e646f722c20612070726f76656e207061636b6574");
    json_object_object_add(o, "packet", pk);
    add_hex(o, "digest", DIGEST);
    add_hex(o, "signature", SIGNATURE);
    cd_hex_encode(addr, svc_signer_address(s)->b, 20);
    add_str(o, "signer", addr);
    json_object_object_add(m, "vid", json_object_new_uint64(30110));
    add_hex(m, "target", "5555555555555555555555555555555555555555");
    json_object_object_add(m, "expiration", json_object_new_uint64(1767225600));
    add_hex(m, "callData", CALLDATA);
    add_hex(m, "hash", MULTISIG_HASH);
    blob e191 = unhex(EIP191);
    uint8_t sig[SVC_SIG_LEN];
    char sig_hex[2 * SVC_SIG_LEN + 3];
    if (svc_signer_sign(s, e191.b, sig) != CD_OK) memset(sig, 0, sizeof sig);
    cd_hex_encode(sig_hex, sig, sizeof sig);
    add_str(m, "signature", sig_hex);
    json_object_object_add(o, "multisig", m);
    return o;
}

static cd_status check_answer(json_object *o, svc_answer *a) {
    cd_error e;
    cd_status st = svc_answer_parse(o, a, &e);
    return st == CD_OK ? svc_answer_verify(a, &e) : st;
}

/* candor verify's view: the genuine answer verifies; any change to a signed field, to the
 * stated packet, or to the multisig part is caught. */
static void test_saved_answer(test_ctx *t) {
    uint8_t sk[32], other_sk[32];
    memset(sk, 0x11, 32);
    memset(other_sk, 0x22, 32);
    svc_signer *s = NULL, *other = NULL;
    cd_error e;
    CHECK_OK(t, svc_signer_from_secret(&s, sk, &e));
    CHECK_OK(t, svc_signer_from_secret(&other, other_sk, &e));
    if (!s || !other) return;
    json_object *o = vector_answer(s);
    svc_answer a;
    CHECK_OK(t, check_answer(o, &a));
    CHECK(t, a.is_dvn && a.has_multisig);
    CHECK_EQ_U64(t, a.block.chain_id, 31337);
    CHECK_EQ_U64(t, a.dvn.log_index, 5);

    static const struct { const char *obj, *key, *value; } changes[] = {
        {NULL, "logIndex", "0x6"},
        {NULL, "srcChainId", "0x1"},
        {NULL, "confirmations", "0xd"},
        {NULL, "endpoint", "0x4444444444444444444444444444444444444445"},
        {NULL, "payloadHash", "0x0000000000000000000000000000000000000000000000000000000000000001"},
        {"packet", "message", "0x68"},
        {"multisig", "expiration", "0x1"},
        {"multisig", "target", "0x5555555555555555555555555555555555555556"},
        {"multisig", "callData", "0x0223536e"},
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(changes); i++) {
        json_object *c = NULL;
        json_object_deep_copy(o, &c, NULL);
        json_object *where = changes[i].obj ? json_object_object_get(c, changes[i].obj) : c;
        add_str(where, changes[i].key, changes[i].value);
        if (check_answer(c, &a) == CD_OK) test_fail_at(t, __FILE__, __LINE__, "change %zu (%s) was not caught", i, changes[i].key);
        json_object_put(c);
    }
    /* the multisig part signed by another key */
    json_object *c = NULL;
    json_object_deep_copy(o, &c, NULL);
    uint8_t sig[SVC_SIG_LEN];
    char sig_hex[2 * SVC_SIG_LEN + 3];
    blob e191 = unhex(EIP191);
    CHECK_OK(t, svc_signer_sign(other, e191.b, sig));
    cd_hex_encode(sig_hex, sig, sizeof sig);
    add_str(json_object_object_get(c, "multisig"), "signature", sig_hex);
    CHECK_ERR(t, check_answer(c, &a), CD_ERR_BAD_SIGNATURE);
    json_object_put(c);
    /* a truncated header */
    c = NULL;
    json_object_deep_copy(o, &c, NULL);
    add_str(c, "packetHeader", "0x0100");
    CHECK_ERR(t, check_answer(c, &a), CD_ERR_BAD_JSON);
    json_object_put(c);
    json_object_put(o);
    svc_signer_free(s);
    svc_signer_free(other);
}

/* The route's own refusals, decided before any upstream is asked: malformed requests, no
 * endpoint configured, no verified head, a block not final enough. Each is an unsigned error
 * with its code, and counted as refused. */
typedef struct {
    const char *body;
    unsigned status;
    const char *code;
} route_case;

static void ask_route(test_ctx *t, svc_service *s, const api_route *rt, const route_case *c) {
    json_object *body = json_tokener_parse(c->body);
    api_response out;
    memset(&out, 0, sizeof out);
    rt->handler(s, body, NULL, &out);
    char want[64];
    snprintf(want, sizeof want, "\"code\":\"%s\"", c->code);
    if (out.status != c->status || !out.body || !strstr(out.body, want) || strstr(out.body, "signature"))
        test_fail_at(t, __FILE__, __LINE__, "%s: HTTP %u %s (want %u %s)", c->body, out.status, out.body ? out.body : "",
                     c->status, c->code);
    api_response_free(&out);
    json_object_put(body);
}

static void set_head(svc_head *h, uint64_t number, bool finalized) {
    memset(h, 0, sizeof *h);
    h->claim.chain_id = 31337;
    h->claim.number = number;
    h->claim.block_hash.b[0] = (uint8_t)number;
    h->claim.finalized = finalized;
}

static void test_route_refusals(test_ctx *t) {
    svc_service *s = calloc(1, sizeof *s);
    if (!s) return;
    pthread_mutex_init(&s->mu, NULL);
    s->chain_id = 31337;
    api_backend b;
    memset(&b, 0, sizeof b);
    CHECK_OK(t, svc_dvn_add_route(s, &b));
    CHECK_EQ_INT(t, b.n_routes, 1);
    if (b.n_routes != 1) return;
    const api_route *rt = &b.routes[0];
    CHECK_EQ_STR(t, rt->path, "/dvn/verify");
    CHECK(t, rt->post);

    ask_route(t, s, rt, &(route_case){"{\"blockNumber\":1,\"logIndex\":0}", 503, "not_configured"});
    memset(s->cfg.dvn_endpoint[0].b, 0x44, 20);
    s->cfg.n_dvn_endpoints = 1;
    static const route_case bad[] = {
        {"{}", 400, "bad_request"},
        {"[]", 400, "bad_request"},
        {"{\"blockNumber\":1}", 400, "bad_request"},
        {"{\"logIndex\":1}", 400, "bad_request"},
        {"{\"txHash\":\"0x01\"}", 400, "bad_request"},
        {"{\"txHash\":\"0x0101010101010101010101010101010101010101010101010101010101010101\",\"blockNumber\":1,\"logIndex\":0}", 400, "bad_request"},
        {"{\"blockNumber\":-1,\"logIndex\":0}", 400, "bad_request"},
        {"{\"blockNumber\":\"12\",\"logIndex\":0}", 400, "bad_request"},
        {"{\"blockNumber\":1,\"logIndex\":0,\"confirmations\":0}", 400, "bad_request"},
        {"{\"blockNumber\":1,\"logIndex\":0,\"confirmations\":257}", 400, "bad_request"},
        {"{\"blockNumber\":1,\"logIndex\":0,\"expiration\":1}", 400, "bad_request"},
        {"{\"blockNumber\":1,\"logIndex\":0,\"expiration\":99999999999}", 400, "bad_request"}, /* no multisig configured */
        {"{\"blockNumber\":1,\"logIndex\":0,\"extra\":1}", 400, "bad_request"},
        {"{\"blockNumber\":1,\"logIndex\":0}", 503, "not_synced"},
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(bad); i++) ask_route(t, s, rt, &bad[i]);

    /* latest 100, finalized 90 */
    set_head(&s->latest, 100, false);
    set_head(&s->finalized, 90, true);
    s->have_latest = s->have_finalized = true;
    static const route_case early[] = {
        {"{\"blockNumber\":95,\"logIndex\":0}", 409, "not_final"},           /* finalized only by default */
        {"{\"blockNumber\":\"0x5f\",\"logIndex\":0,\"confirmations\":6}", 409, "not_final"}, /* 5 above it */
        {"{\"blockNumber\":101,\"logIndex\":0,\"confirmations\":1}", 409, "not_final"}, /* above the head */
        {"{\"blockNumber\":100,\"logIndex\":0,\"confirmations\":1}", 409, "not_final"}, /* the head itself */
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(early); i++) ask_route(t, s, rt, &early[i]);
    CHECK_EQ_U64(t, atomic_load(&s->m.signed_answers), 0);
    CHECK_EQ_U64(t, atomic_load(&s->m.refused_answers), 1 + CD_ARRAY_LEN(bad) + CD_ARRAY_LEN(early));
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_dvn");
    TEST_RUN(&t, test_packet_known_answer);
    TEST_RUN(&t, test_packet_bounds);
    TEST_RUN(&t, test_packet_sent_known_answer);
    TEST_RUN(&t, test_packet_sent_strict);
    TEST_RUN(&t, test_answer_known_answer);
    TEST_RUN(&t, test_answer_covers_every_field);
    TEST_RUN(&t, test_multisig_known_answer);
    TEST_RUN(&t, test_saved_answer);
    TEST_RUN(&t, test_route_refusals);
    return test_finish(&t);
}
