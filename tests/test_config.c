#include <stdlib.h>

#include "src/config.h"
#include "tests/test.h"

static void test_defaults(test_ctx *t) {
    svc_config c;
    svc_config_defaults(&c);
    CHECK_EQ_STR(t, c.network, "mainnet");
    CHECK_EQ_INT(t, c.listen.port, 8545);
    CHECK_EQ_U64(t, c.max_checkpoint_age, 14 * 86400);
    cd_error e;
    CHECK_ERR(t, svc_config_validate(&c, &e), CD_ERR_CONFIG);
}

static void test_flags(test_ctx *t) {
    char *argv[] = {"serve", "--network", "sepolia", "--checkpoint=0x" "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
                    "--consensus-rpc", "http://a:1", "--consensus-rpc", "https://b/x#sha256//AAAA,http://c",
                    "--execution-rpc", "http://127.0.0.1:8545", "--listen", "0.0.0.0:9000",
                    "--log-level", "debug", "--max-checkpoint-age", "2w", NULL};
    char *envp[] = {"CANDOR_NETWORK=holesky", "CANDOR_DATA_DIR=/tmp/x", "CANDOR_CONSENSUS_RPC=http://env", NULL};
    svc_config c;
    bool help;
    cd_error e;
    CHECK_OK(t, svc_config_load(&c, 16, argv, envp, &help, &e));
    CHECK(t, !help);
    CHECK_EQ_STR(t, c.network, "sepolia"); /* flag beats env */
    CHECK_EQ_STR(t, c.data_dir, "/tmp/x"); /* env beats default */
    CHECK(t, c.has_checkpoint);
    CHECK_EQ_INT(t, c.checkpoint.b[1], 0x11);
    CHECK_EQ_INT(t, c.n_consensus_rpc, 3);  /* flags replace env list, repeated flags append */
    CHECK_EQ_STR(t, c.consensus_rpc[0], "http://a:1");
    CHECK_EQ_STR(t, c.consensus_rpc[1], "https://b/x#sha256//AAAA");
    CHECK_EQ_STR(t, c.consensus_rpc[2], "http://c");
    CHECK_EQ_STR(t, c.listen.host, "0.0.0.0");
    CHECK_EQ_INT(t, c.listen.port, 9000);
    CHECK_EQ_INT(t, c.log_level, SVC_LOG_DEBUG);
    CHECK_EQ_U64(t, c.max_checkpoint_age, 14 * 86400);
    CHECK_OK(t, svc_config_validate(&c, &e));
}

static void test_bad_flags(test_ctx *t) {
    svc_config c;
    bool help;
    cd_error e;
    char *a1[] = {"serve", "--checkpoint", "0x1234", NULL};
    CHECK_ERR(t, svc_config_load(&c, 3, a1, NULL, &help, &e), CD_ERR_CONFIG);
    CHECK(t, strstr(cd_error_text(&e), "--checkpoint") != NULL);
    char *a2[] = {"serve", "--nope", "1", NULL};
    CHECK_ERR(t, svc_config_load(&c, 3, a2, NULL, &help, &e), CD_ERR_CONFIG);
    char *a3[] = {"serve", "--listen", "127.0.0.1:70000", NULL};
    CHECK_ERR(t, svc_config_load(&c, 3, a3, NULL, &help, &e), CD_ERR_CONFIG);
    char *a4[] = {"serve", "--log-level", "loud", NULL};
    CHECK_ERR(t, svc_config_load(&c, 3, a4, NULL, &help, &e), CD_ERR_CONFIG);
    char *a5[] = {"serve", "--consensus-rpc", "ftp://x", NULL};
    CHECK_ERR(t, svc_config_load(&c, 3, a5, NULL, &help, &e), CD_ERR_CONFIG);
    char *a6[] = {"serve", "--network", NULL};
    CHECK_ERR(t, svc_config_load(&c, 2, a6, NULL, &help, &e), CD_ERR_CONFIG);
    char *a7[] = {"serve", "--data_dir", "x", NULL}; /* env spelling is not a flag */
    CHECK_ERR(t, svc_config_load(&c, 3, a7, NULL, &help, &e), CD_ERR_CONFIG);
    char *env[] = {"CANDOR_MAX_CHECKPOINT_AGE=12x", NULL};
    char *a8[] = {"serve", NULL};
    CHECK_ERR(t, svc_config_load(&c, 1, a8, env, &help, &e), CD_ERR_CONFIG);
    CHECK(t, strstr(cd_error_text(&e), "CANDOR_MAX_CHECKPOINT_AGE") != NULL);
    char *a9[] = {"serve", "--help", NULL};
    CHECK_OK(t, svc_config_load(&c, 2, a9, NULL, &help, &e));
    CHECK(t, help);
}

/* The wave-2 settings: governance, cluster and DVN flags, switches without a value. */
static void test_network_flags(test_ctx *t) {
    char *argv[] = {"serve", "--governance", "0x00000000000000000000000000000000000000a1", "--governance-max-age", "10m",
                    "--require-approved", "--peers", "10.0.0.1:7000, node-b:7001", "--peers", "[::1]:7002",
                    "--peer-port", "7100", "--peer-allow-mock", "--dvn-endpoint", "0x00000000000000000000000000000000000000e1",
                    "--dvn-vid=30101", "--dvn-target", "0x00000000000000000000000000000000000000f1",
                    "--execution-chain-id", "31337", "--mock-measurement", "0x" "0102030405060708090a0b0c0d0e0f10"
                    "1112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30", NULL};
    char *envp[] = {"CANDOR_PEERS=ignored:1", "CANDOR_DVN_ENDPOINT=0x00000000000000000000000000000000000000e2", NULL};
    svc_config c;
    bool help;
    cd_error e;
    CHECK_OK(t, svc_config_load(&c, (int)(sizeof argv / sizeof argv[0]) - 1, argv, envp, &help, &e));
    CHECK(t, c.has_governance);
    CHECK_EQ_INT(t, c.governance.b[19], 0xa1);
    CHECK_EQ_U64(t, c.governance_max_age, 600);
    CHECK(t, c.require_approved);
    CHECK_EQ_INT(t, c.n_peers, 3); /* flags replace the env list, repeats append */
    CHECK_EQ_STR(t, c.peers[0], "10.0.0.1:7000");
    CHECK_EQ_STR(t, c.peers[1], "node-b:7001");
    CHECK_EQ_STR(t, c.peers[2], "[::1]:7002");
    CHECK(t, c.has_peer_port);
    CHECK_EQ_INT(t, c.peer_port, 7100);
    CHECK(t, c.peer_allow_mock);
    CHECK_EQ_INT(t, c.n_dvn_endpoints, 1); /* the flag replaces the env's endpoint */
    CHECK_EQ_INT(t, c.dvn_endpoint[0].b[19], 0xe1);
    CHECK(t, c.has_dvn_vid);
    CHECK_EQ_U64(t, c.dvn_vid, 30101);
    CHECK_EQ_INT(t, c.dvn_target.b[19], 0xf1);
    CHECK_EQ_U64(t, c.execution_chain_id, 31337);
    CHECK(t, c.has_mock_measurement);
    CHECK_EQ_INT(t, c.mock_measurement[47], 0x30);

    svc_config d;
    svc_config_defaults(&d);
    CHECK_EQ_U64(t, d.governance_max_age, 1800);
    CHECK(t, !d.require_approved && !d.has_governance && d.n_peers == 0);
    char *off[] = {"serve", "--require-approved=false", NULL};
    char *on_env[] = {"CANDOR_REQUIRE_APPROVED=yes", NULL};
    CHECK_OK(t, svc_config_load(&d, 2, off, on_env, &help, &e));
    CHECK(t, !d.require_approved); /* the flag beats the environment */

    char *bad[][3] = {
        {"serve", "--governance", "0x1234"},
        {"serve", "--peers", "nohost"},
        {"serve", "--peers", "h:0"},
        {"serve", "--dvn-endpoint", "0xzz00000000000000000000000000000000000000"},
        {"serve", "--dvn-vid", "4294967296"},
        {"serve", "--require-approved=maybe", NULL},
        {"serve", "--mock-measurement", "0x0102"},
        {"serve", "--execution-chain-id", "0"},
        {"serve", "--governance-max-age", "0"},
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(bad); i++) {
        int argc = bad[i][2] ? 3 : 2;
        char *a[4] = {bad[i][0], bad[i][1], bad[i][2], NULL};
        if (svc_config_load(&d, argc, a, NULL, &help, &e) != CD_ERR_CONFIG)
            test_fail_at(t, __FILE__, __LINE__, "accepted %s %s", bad[i][1], bad[i][2] ? bad[i][2] : "");
    }
}

static void test_listen(test_ctx *t) {
    svc_listen_addr a;
    cd_error e;
    CHECK_OK(t, svc_config_parse_listen("vsock:3:5000", &a, &e));
    CHECK_EQ_INT(t, a.kind, SVC_LISTEN_VSOCK);
    CHECK_EQ_INT(t, a.cid, 3);
    CHECK_EQ_INT(t, a.port, 5000);
    CHECK_OK(t, svc_config_parse_listen("[::1]:0", &a, &e));
    CHECK_EQ_STR(t, a.host, "::1");
    CHECK_EQ_INT(t, a.port, 0);
    CHECK_ERR(t, svc_config_parse_listen("vsock:x:1", &a, &e), CD_ERR_CONFIG);
    CHECK_ERR(t, svc_config_parse_listen(":80", &a, &e), CD_ERR_CONFIG);
    CHECK_ERR(t, svc_config_parse_listen("localhost", &a, &e), CD_ERR_CONFIG);
    CHECK_ERR(t, svc_config_parse_listen("[::1]8080", &a, &e), CD_ERR_CONFIG);
}

static void test_duration(test_ctx *t) {
    uint64_t v;
    CHECK_OK(t, svc_config_parse_duration("90", &v));
    CHECK_EQ_U64(t, v, 90);
    CHECK_OK(t, svc_config_parse_duration("30m", &v));
    CHECK_EQ_U64(t, v, 1800);
    CHECK_OK(t, svc_config_parse_duration("1d", &v));
    CHECK_EQ_U64(t, v, 86400);
    CHECK_ERR(t, svc_config_parse_duration("", &v), CD_ERR_CONFIG);
    CHECK_ERR(t, svc_config_parse_duration("d", &v), CD_ERR_CONFIG);
    CHECK_ERR(t, svc_config_parse_duration("-1", &v), CD_ERR_CONFIG);
    CHECK_ERR(t, svc_config_parse_duration("99999999999999999999w", &v), CD_ERR_CONFIG);
}

static void test_file(test_ctx *t) {
    const char *text = "# candor config\n"
                       "[candor]\n"
                       "network = \"hoodi\"\n"
                       "consensus_rpc = [\"https://b#sha256//pin=\", \"http://c\"]\n"
                       "execution-rpc = http://e   # trailing comment\n"
                       "listen = vsock:7:80\n";
    svc_config c;
    svc_config_defaults(&c);
    c.source_ = 1;
    cd_error e;
    CHECK_OK(t, svc_config_parse_file_text(&c, text, strlen(text), "f.toml", &e));
    CHECK_EQ_STR(t, c.network, "hoodi");
    CHECK_EQ_INT(t, c.n_consensus_rpc, 2);
    CHECK_EQ_STR(t, c.consensus_rpc[0], "https://b#sha256//pin=");
    CHECK_EQ_STR(t, c.execution_rpc[0], "http://e");
    CHECK_EQ_INT(t, c.listen.kind, SVC_LISTEN_VSOCK);
    const char *bad1 = "network\n";
    CHECK_ERR(t, svc_config_parse_file_text(&c, bad1, strlen(bad1), "f", &e), CD_ERR_CONFIG);
    CHECK(t, strstr(cd_error_text(&e), "f:1") != NULL);
    const char *bad2 = "\n\nbogus = 1\n";
    CHECK_ERR(t, svc_config_parse_file_text(&c, bad2, strlen(bad2), "f", &e), CD_ERR_CONFIG);
    CHECK(t, strstr(cd_error_text(&e), "f:3") != NULL);
    const char bad3[] = "network = a\0b\n";
    CHECK_ERR(t, svc_config_parse_file_text(&c, bad3, sizeof bad3 - 1, "f", &e), CD_ERR_CONFIG);
    const char *bad4 = "network = \"open\n";
    CHECK_ERR(t, svc_config_parse_file_text(&c, bad4, strlen(bad4), "f", &e), CD_ERR_CONFIG);
    const char *bad5 = "config = other\n";
    CHECK_ERR(t, svc_config_parse_file_text(&c, bad5, strlen(bad5), "f", &e), CD_ERR_CONFIG);
}

static void test_log_lines(test_ctx *t) {
    char q[64];
    CHECK_EQ_STR(t, svc_log_quote(q, sizeof q, "plain"), "plain");
    CHECK_EQ_STR(t, svc_log_quote(q, sizeof q, "a b"), "\"a b\"");
    CHECK_EQ_STR(t, svc_log_quote(q, sizeof q, "x=\"y\""), "\"x=\\\"y\\\"\"");
    CHECK_EQ_STR(t, svc_log_quote(q, sizeof q, ""), "\"\"");
    FILE *f = tmpfile();
    if (!f) return;
    svc_log lg;
    svc_log_init(&lg, SVC_LOG_INFO, f);
    /* Upstream text with newlines cannot split or forge a line. */
    SVC_LOGW(&lg, "upstream_lied", "what=%s", "bad\nts=0 level=error event=forged");
    SVC_LOGD(&lg, "dropped", "x=%d", 1); /* above the level */
    SVC_LOGE(&lg, "boom", NULL);
    rewind(f);
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    int lines = 0;
    for (size_t i = 0; i < n; i++) lines += buf[i] == '\n';
    CHECK_EQ_INT(t, lines, 2);
    CHECK(t, strstr(buf, "level=warn event=upstream_lied what=bad ts=0") != NULL);
    CHECK(t, strstr(buf, "level=error event=boom\n") != NULL);
    CHECK(t, strstr(buf, "dropped") == NULL);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_config");
    TEST_RUN(&t, test_defaults);
    TEST_RUN(&t, test_flags);
    TEST_RUN(&t, test_bad_flags);
    TEST_RUN(&t, test_network_flags);
    TEST_RUN(&t, test_listen);
    TEST_RUN(&t, test_duration);
    TEST_RUN(&t, test_file);
    TEST_RUN(&t, test_log_lines);
    return test_finish(&t);
}
