/* Proven state (src/state.c) against recorded mainnet data (block 21925176: eth_getProof of
 * the deposit contract with slot 1, its code), served by local JSON-RPC providers: an honest
 * one and one that lies (a changed balance, a changed code byte). Values are only returned
 * once they verify against the block's state root; the liar is reported and passed over;
 * with only the liar, nothing is returned. */
#include <curl/curl.h>
#include <microhttpd.h>
#include <stdlib.h>

#include "src/state.h"
#include "tests/test.h"

typedef struct {
    json_object *proof; /* eth_getProof result */
    const char *code;   /* eth_getCode result */
    bool lie;
} exec_fixture;

typedef struct {
    cd_buf body;
} req_state;

static char *answer(exec_fixture *f, const char *body, size_t len) {
    json_object *req = json_tokener_parse(body), *m = NULL, *id = NULL;
    (void)len;
    if (!req) return NULL;
    json_object_object_get_ex(req, "method", &m);
    json_object_object_get_ex(req, "id", &id);
    json_object *out = json_object_new_object();
    json_object_object_add(out, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(out, "id", json_object_get(id));
    const char *method = m ? json_object_get_string(m) : "";
    if (!strcmp(method, "eth_getProof")) {
        json_object *p = NULL;
        json_object_deep_copy(f->proof, &p, NULL);
        if (f->lie) json_object_object_add(p, "balance", json_object_new_string("0x3fb161afe600a5b2605040"));
        json_object_object_add(out, "result", p);
    } else if (!strcmp(method, "eth_getCode")) {
        char *c = strdup(f->code);
        if (c && f->lie) c[10] = c[10] == '0' ? '1' : '0';
        json_object_object_add(out, "result", json_object_new_string(c ? c : "0x"));
        free(c);
    } else {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "code", json_object_new_int(-32601));
        json_object_object_add(e, "message", json_object_new_string("no"));
        json_object_object_add(out, "error", e);
    }
    char *text = strdup(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
    json_object_put(out);
    json_object_put(req);
    return text;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                             const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)url, (void)method, (void)version;
    req_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        *con_cls = st;
        return st ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        if (cd_buf_append(&st->body, upload, *upload_size) != CD_OK) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (cd_buf_push(&st->body, 0) != CD_OK) return MHD_NO;
    char *text = answer(cls, (const char *)st->body.data, st->body.len);
    cd_buf_free(&st->body);
    free(st);
    *con_cls = NULL;
    if (!text) return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static struct MHD_Daemon *start(exec_fixture *f, uint16_t *port) {
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, serve, f, MHD_OPTION_END);
    const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    *port = info ? info->port : 0;
    return d;
}

static svc_service *service_with(uint16_t *ports, unsigned n, svc_log *lg) {
    svc_service *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    pthread_mutex_init(&s->mu, NULL);
    s->chain_id = 1;
    if (lc_config_builtin(&s->net, "mainnet") != CD_OK) return s;
    char urls[SVC_MAX_UPSTREAMS][SVC_URL_MAX];
    for (unsigned i = 0; i < n; i++) snprintf(urls[i], SVC_URL_MAX, "http://127.0.0.1:%u", ports[i]);
    cd_error e;
    if (svc_pool_init(&s->exec, "execution", urls, n, NULL, lg, &e) != CD_OK) return s;
    s->exec.retries = 0;
    return s;
}

static void free_service(svc_service *s) {
    svc_pool_free(&s->exec);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static void test_state_reads(test_ctx *t) {
    char proof_path[512], account_path[512];
    test_data_path(proof_path, sizeof proof_path, "el-mainnet-block-21925176-helios/rpc/proof.json");
    test_data_path(account_path, sizeof account_path, "el-mainnet-block-21925176-helios/rpc/account.json");
    if (!test_path_exists(proof_path)) {
        test_skip(t, "test_state", "shared data el-mainnet-block-21925176-helios missing");
        return;
    }
    json_object *proof = json_object_from_file(proof_path), *account = json_object_from_file(account_path), *code = NULL;
    CHECK(t, proof && account && json_object_object_get_ex(account, "code", &code));
    if (!proof || !code) return;
    exec_fixture honest = {proof, json_object_get_string(code), false}, liar = {proof, json_object_get_string(code), true};
    uint16_t ports[2];
    struct MHD_Daemon *dl = start(&liar, &ports[0]), *dh = start(&honest, &ports[1]);
    CHECK(t, dl && dh && ports[0] && ports[1]);
    svc_log lg;
    svc_log_init(&lg, SVC_LOG_ERROR, NULL);
    svc_service *s = service_with(ports, 2, &lg);
    if (!s) return;
    s->log = lg;

    svc_head head;
    memset(&head, 0, sizeof head);
    head.claim.chain_id = 1;
    head.claim.number = 21925176;
    CHECK_EQ_INT(t, test_unhex("0x7b3d5a01f69b7d2ea7479fd7ae35f4bac2700ab6d6d7b4807a7fedf53ced710e", head.claim.state_root.b, 32), 32);
    cd_address deposit;
    CHECK_EQ_INT(t, test_unhex("0x00000000219ab540356cbb839cbe05303d7705fa", deposit.b, 20), 20);
    cd_u256 slot = {{1, 0, 0, 0}}, value;
    uint8_t want[32], got[32];
    CHECK_EQ_INT(t, test_unhex("0x2394e3bc4086a9625ae88307145a40ff4a4bf2c9a6755435bff86b22d6175d5f", want, 32), 32);

    svc_state st;
    cd_error e;
    svc_state_init(&st, s, &head);
    CHECK_OK(t, svc_state_storage_get(&st, &deposit, &slot, &value, &e));
    cd_u256_to_be32(&value, got);
    CHECK_EQ_BYTES(t, got, 32, want, 32);
    CHECK_EQ_U64(t, atomic_load(&s->exec.ep[0].lies), 1); /* the liar was asked first and caught */
    const svc_state_account *acc = NULL;
    CHECK_OK(t, svc_state_account_get(&st, &deposit, &acc, &e));
    CHECK(t, acc && acc->acc.exists && acc->acc.nonce == 1);
    cd_bytes c;
    /* The liar is now at the back of the order: code comes from the honest provider. */
    CHECK_OK(t, svc_state_code_get(&st, &deposit, &c, &e));
    CHECK(t, c.len > 1000);
    evm_host host;
    memset(&host, 0xff, sizeof host); /* whatever the caller's struct held before */
    svc_state_host(&st, &host);
    /* Upstream code is never vouched for: the VM hashes it against the proven codeHash. */
    CHECK(t, !host.code_matches_hash);
    evm_account ea;
    CHECK_OK(t, host.get_account(host.ctx, &deposit, &ea));
    CHECK(t, ea.exists && ea.has_storage);
    svc_state_free(&st);
    free_service(s);

    /* Only the liar: nothing is returned, the reason names the proof. */
    s = service_with(ports, 1, &lg);
    if (!s) return;
    svc_state_init(&st, s, &head);
    CHECK_FAILS(t, svc_state_storage_get(&st, &deposit, &slot, &value, &e));
    CHECK(t, st.n_slots == 0 && st.n_accounts == 0);
    CHECK_EQ_U64(t, atomic_load(&s->exec.ep[0].lies), 1);
    /* Through the EVM host the failure is "state unavailable", never a guessed value. */
    svc_state_host(&st, &host);
    CHECK_ERR(t, host.get_account(host.ctx, &deposit, &ea), CD_ERR_EVM_STATE_UNAVAILABLE);
    svc_state_free(&st);
    /* A wrong state root: even the honest proof does not verify. */
    free_service(s);
    s = service_with(&ports[1], 1, &lg);
    if (!s) return;
    head.claim.state_root.b[0] ^= 1;
    svc_state_init(&st, s, &head);
    CHECK_FAILS(t, svc_state_storage_get(&st, &deposit, &slot, &value, &e));
    svc_state_free(&st);
    free_service(s);

    MHD_stop_daemon(dl);
    MHD_stop_daemon(dh);
    json_object_put(proof);
    json_object_put(account);
}

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_ctx t;
    test_init(&t, "test_state");
    TEST_RUN(&t, test_state_reads);
    curl_global_cleanup();
    return test_finish(&t);
}
