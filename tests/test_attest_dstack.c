/* Tests for the dstack provider against a stand-in guest agent: HTTP over a unix socket
 * (libmicrohttpd on a socket we bind), serving GetQuote and GetKey the way the agent's
 * simulator does — the recorded quote with the requested report data written into it, so
 * the returned quote carries our data but its signature no longer verifies (a verifier must
 * reject it). Also the NSM request/response CBOR used by the nitro provider. */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cbor.h>
#include <microhttpd.h>
#include <openssl/hmac.h>

#include "attest/att_internal.h"
#include "tests/test.h"

typedef struct {
    cd_buf quote;          /* recorded quote served by GetQuote */
    size_t rd_offset;      /* where report data sits in it */
    char last_path[64];
    char last_body[512];
    uint8_t key[32];       /* what GetKey hands out */
} fake_agent;

typedef struct {
    cd_buf body;
} req_state;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *json) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    fake_agent *fa = cls;
    req_state *rs = *con_cls;
    if (!rs) {
        rs = calloc(1, sizeof *rs);
        *con_cls = rs;
        return rs ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        if (cd_buf_append(&rs->body, upload, *upload_size)) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    snprintf(fa->last_path, sizeof fa->last_path, "%s %s", method, url);
    snprintf(fa->last_body, sizeof fa->last_body, "%.*s", (int)rs->body.len, rs->body.data ? (char *)rs->body.data : "");
    if (!strcmp(url, "/GetQuote")) {
        const char *p = strstr(fa->last_body, "\"report_data\":\"");
        uint8_t rd[64];
        if (!p || cd_hex_decode(p + 15, 128, rd, 64, &(size_t){0})) return reply(c, 400, "{\"error\":\"bad report_data\"}");
        memcpy(fa->quote.data + fa->rd_offset, rd, 64);
        cd_buf out = {0};
        bool ok = !cd_buf_append(&out, "{\"quote\":\"", 10) && !cd_hex_encode_buf(&out, fa->quote.data, fa->quote.len);
        ok = ok && !cd_buf_append(&out, "\",\"event_log\":\"[]\"}", 19) && !cd_buf_push(&out, 0);
        /* our hex encoder writes 0x; the agent sends bare hex */
        if (ok) memmove(out.data + 10, out.data + 12, out.len - 12);
        enum MHD_Result r = ok ? reply(c, 200, (const char *)out.data) : MHD_NO;
        cd_buf_free(&out);
        return r;
    }
    if (!strcmp(url, "/GetKey")) {
        char hex[70], json[200];
        cd_hex_encode(hex, fa->key, 32);
        snprintf(json, sizeof json, "{\"key\":\"%s\",\"signature_chain\":[]}", hex + 2);
        return reply(c, 200, json);
    }
    return reply(c, 404, "{\"error\":\"no such method\"}");
}

static void done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode tc) {
    (void)cls; (void)c; (void)tc;
    req_state *rs = *con_cls;
    if (rs) {
        cd_buf_free(&rs->body);
        free(rs);
    }
    *con_cls = NULL;
}

static void test_dstack_provider(test_ctx *t) {
    fake_agent fa;
    memset(&fa, 0, sizeof fa);
    char qp[1024];
    test_data_path(qp, sizeof qp, "tdx-go-tdx-guest/quote_v5_sample.dat");
    if (cd_read_file(qp, 1 << 16, &fa.quote) != CD_OK) {
        test_fail_at(t, __FILE__, __LINE__, "cannot read %s", qp);
        return;
    }
    fa.rd_offset = 48 + 6 + 520; /* v5: header, body descriptor, TD body report_data */
    for (int i = 0; i < 32; i++) fa.key[i] = (uint8_t)(0xa0 + i);

    char dir[] = "/tmp/candor-dstack-XXXXXX";
    CHECK(t, mkdtemp(dir) != NULL);
    char sock_path[100];
    snprintf(sock_path, sizeof sock_path, "%s/dstack.sock", dir);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path);
    bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 8) == 0;
    CHECK(t, ok);
    struct MHD_Daemon *d = ok ? MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, &fa,
                                                 MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
                                                 MHD_OPTION_END)
                           : NULL;
    CHECK(t, d != NULL);
    if (d) {
        att_provider_config cfg = {.name = "dstack", .dstack_socket = sock_path};
        att_provider *p = NULL;
        cd_error err;
        cd_error_clear(&err);
        CHECK_OK(t, att_provider_open(&cfg, &p, &err));
        if (p) {
            CHECK(t, !att_provider_insecure(p));
            uint8_t pub[65] = {4, 1, 2, 3};
            cd_hash32 cfgd;
            att_config_digest("0.1.0", cd_bytes_make(NULL, 0), &cfgd);
            att_evidence ev;
            CHECK_OK(t, att_attest(p, cd_bytes_make(pub, 65), &cfgd, cd_bytes_make("n", 1), &ev, &err));
            CHECK_EQ_STR(t, fa.last_path, "POST /GetQuote");
            char hex[140];
            cd_hex_encode(hex, ev.report_data, 64);
            CHECK(t, strstr(fa.last_body, hex + 2) != NULL); /* bare hex, as the agent wants */
            CHECK_EQ_INT(t, ev.quote.len, fa.quote.len);
            CHECK_EQ_INT(t, ev.event_log.len, 2);
            /* The quote carries our report data but, like the simulator's, no longer verifies. */
            att_report rep;
            att_verify_opts o = {.at = 1771113600 /* 2026-02-15 */};
            CHECK_ERR(t, att_verify(cd_buf_bytes(&ev.quote), &o, &rep, &err), CD_ERR_ATT_BAD_SIGNATURE);
            CHECK_EQ_BYTES(t, rep.report_data, 64, ev.report_data, 64);
            CHECK_ERR(t, att_verify_binding(cd_buf_bytes(&ev.quote), cd_bytes_make(pub, 65), &cfgd, cd_bytes_make("n", 1),
                                            NULL, &o, &rep, &err), CD_ERR_ATT_BAD_SIGNATURE);
            att_evidence_free(&ev);

            /* Sealing key: derived from the agent's GetKey, flagged as from the TEE. */
            uint8_t k[32], want[32];
            unsigned int wl = 32;
            bool tee = false;
            CHECK_OK(t, att_sealing_key(p, "store", k, &tee, &err));
            CHECK(t, tee);
            CHECK_EQ_STR(t, fa.last_path, "POST /GetKey");
            CHECK(t, strstr(fa.last_body, "\"path\":\"candor/seal/store\"") != NULL);
            HMAC(EVP_sha256(), fa.key, 32, (const uint8_t *)"candor/seal/v1", 14, want, &wl);
            CHECK_EQ_BYTES(t, k, 32, want, 32);
            CHECK_ERR(t, att_sealing_key(p, "bad\"label", k, &tee, &err), CD_ERR_INVALID_ARG);
            att_provider_close(p);
        }
        MHD_stop_daemon(d);
    }
    if (fd >= 0) close(fd);
    unlink(sock_path);
    rmdir(dir);
    cd_buf_free(&fa.quote);
}

static void test_nsm_cbor(test_ctx *t) {
    cd_buf req = {0};
    uint8_t rd[64];
    memset(rd, 0x5a, sizeof rd);
    CHECK_OK(t, att_nsm_request(cd_bytes_make("\x04\x01", 2), cd_bytes_make(rd, 64), cd_bytes_make(NULL, 0), &req));
    struct cbor_load_result r;
    cbor_item_t *it = cbor_load(req.data, req.len, &r);
    CHECK(t, it && r.read == req.len && cbor_isa_map(it) && cbor_map_size(it) == 1);
    if (it) {
        struct cbor_pair *p = cbor_map_handle(it);
        CHECK(t, cbor_isa_string(p[0].key) && cbor_string_length(p[0].key) == 11 &&
                 !memcmp(cbor_string_handle(p[0].key), "Attestation", 11));
        CHECK(t, cbor_isa_map(p[0].value) && cbor_map_size(p[0].value) == 3);
        struct cbor_pair *q = cbor_map_handle(p[0].value);
        int seen = 0;
        for (size_t i = 0; i < 3; i++) {
            const char *k = (const char *)cbor_string_handle(q[i].key);
            size_t kl = cbor_string_length(q[i].key);
            if (kl == 9 && !memcmp(k, "user_data", 9)) {
                CHECK(t, cbor_isa_bytestring(q[i].value) && cbor_bytestring_length(q[i].value) == 64);
                seen |= 1;
            } else if (kl == 5 && !memcmp(k, "nonce", 5)) {
                CHECK(t, cbor_is_null(q[i].value));
                seen |= 2;
            } else if (kl == 10 && !memcmp(k, "public_key", 10)) {
                CHECK(t, cbor_isa_bytestring(q[i].value) && cbor_bytestring_length(q[i].value) == 2);
                seen |= 4;
            }
        }
        CHECK_EQ_INT(t, seen, 7);
        cbor_decref(&it);
    }
    cd_buf_free(&req);
    uint8_t big[ATT_NITRO_FIELD_MAX + 1] = {0};
    CHECK_ERR(t, att_nsm_request(cd_bytes_make(big, sizeof big), cd_bytes_make(rd, 64), cd_bytes_make(NULL, 0), &req), CD_ERR_INVALID_ARG);
    cd_buf_free(&req);

    /* Responses: {"Attestation": {"document": h'0102'}} and {"Error": "InvalidArgument"}. */
    static const uint8_t okr[] = {0xa1, 0x6b, 'A', 't', 't', 'e', 's', 't', 'a', 't', 'i', 'o', 'n', 0xa1,
                                  0x68, 'd', 'o', 'c', 'u', 'm', 'e', 'n', 't', 0x42, 0x01, 0x02};
    cd_buf doc = {0};
    cd_error err;
    CHECK_OK(t, att_nsm_response(cd_bytes_make(okr, sizeof okr), &doc, &err));
    CHECK_EQ_BYTES(t, doc.data, doc.len, "\x01\x02", 2);
    cd_buf_free(&doc);
    static const uint8_t errr[] = {0xa1, 0x65, 'E', 'r', 'r', 'o', 'r', 0x6f, 'I', 'n', 'v', 'a', 'l', 'i', 'd',
                                   'A', 'r', 'g', 'u', 'm', 'e', 'n', 't'};
    CHECK_ERR(t, att_nsm_response(cd_bytes_make(errr, sizeof errr), &doc, &err), CD_ERR_ATT_PROVIDER);
    CHECK(t, strstr(cd_error_text(&err), "InvalidArgument") != NULL);
    CHECK_ERR(t, att_nsm_response(cd_bytes_make(okr, sizeof okr - 1), &doc, &err), CD_ERR_ATT_PROVIDER);
    cd_buf_free(&doc);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_attest_dstack");
    TEST_RUN(&t, test_nsm_cbor);
    char p[1024];
    if (test_path_exists(test_data_path(p, sizeof p, "tdx-go-tdx-guest/quote_v5_sample.dat")))
        TEST_RUN(&t, test_dstack_provider);
    else
        test_skip(&t, "dstack provider", "$CANDOR_DATA/tdx-go-tdx-guest missing");
    return test_finish(&t);
}
