/* Tests for `candor quote verify` (the binary named by $CANDOR_BIN, set by `make test`):
 * exit codes, the JSON it prints, --at parsing, --allow, --event-log, hex input. */
#include <stdlib.h>
#include <unistd.h>

#include "tests/test.h"

/* Runs `candor quote verify ARGS` (stdout only) and returns its exit code. */
static int run_cli(const char *args, char *out, size_t cap) {
    char cmd[10000];
    if (snprintf(cmd, sizeof cmd, "%s quote verify %s 2>/dev/null", getenv("CANDOR_BIN"), args) >= (int)sizeof cmd)
        return -1;
    return test_run_capture(cmd, out, cap);
}

static void test_cli_tdx(test_ctx *t) {
    char out[1 << 16];
    char q[1024], args[2048];
    test_data_path(q, sizeof q, "tdx-go-tdx-guest/quote_v5_sample.dat");
    snprintf(args, sizeof args, "%s --at 2026-02-15T00:00:00Z", q);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 0);
    CHECK(t, strstr(out, "\"verdict\":\"valid\"") != NULL);
    CHECK(t, strstr(out, "\"tcb_status\":\"unknown\"") != NULL);
    CHECK(t, strstr(out, "\"mrtd\":\"7348651a34b2d2d3462822e3a750ec6110125f36757c78480bbfc69cc0d21fb001a1ced3ee19747dda8f750c3bc8f876\"") != NULL);
    CHECK(t, strstr(out, "\"report_data\":\"945eaacf") != NULL);
    /* Offsets in RFC 3339 and fractional seconds parse; outside the window fails with exit 1. */
    snprintf(args, sizeof args, "%s --at 2026-02-15T02:00:00.5+02:00", q);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "%s --at 2019-01-01T00:00:00Z", q);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 1);
    CHECK(t, strstr(out, "CD_ERR_ATT_EXPIRED") != NULL);
    snprintf(args, sizeof args, "%s --at yesterday", q);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 2);
    CHECK_EQ_INT(t, run_cli("/nonexistent/quote", out, sizeof out), 2);
}

static void test_cli_policy_and_eventlog(test_ctx *t) {
    char out[1 << 16];
    char q[1024], log[1024], args[4096];
    test_data_path(q, sizeof q, "tdx-go-tdx-guest/ccel/cos-113-tdx-quote.dat");
    test_data_path(log, sizeof log, "tdx-go-tdx-guest/ccel/ccel_data.dat");
    char pol[] = "/tmp/candor-pol-XXXXXX";
    int fd = mkstemp(pol);
    CHECK(t, fd >= 0);
    if (fd < 0) return;
    const char *allow = "[{\"name\":\"cos\",\"mrtd\":\"dae67181d3d65e073ad8f95b7907d5e927bfe9761c9ff3e9b89734a45d8954dba41394c7717cb2735396c1d04231f94a\"}]";
    CHECK(t, write(fd, allow, strlen(allow)) == (ssize_t)strlen(allow));
    close(fd);
    snprintf(args, sizeof args, "%s --at 2024-08-01T00:00:00Z --allow %s --event-log %s", q, pol, log);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 0);
    /* Same policy, another quote: not allowed. */
    test_data_path(q, sizeof q, "tdx-go-tdx-guest/tdx_prod_quote_SPR_E4.dat");
    snprintf(args, sizeof args, "%s --at 2023-06-20T00:00:00Z --allow %s", q, pol);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 1);
    CHECK(t, strstr(out, "CD_ERR_ATT_POLICY") != NULL);
    /* The COS event log does not replay to this quote's RTMRs. */
    snprintf(args, sizeof args, "%s --at 2023-06-20T00:00:00Z --event-log %s", q, log);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 1);
    CHECK(t, strstr(out, "CD_ERR_ATT_EVENT_LOG") != NULL);
    unlink(pol);
}

static void test_cli_nitro(test_ctx *t) {
    char out[1 << 16];
    char d[1024], args[2048];
    test_data_path(d, sizeof d, "nitro-evervault/valid-attestation-doc-bytes");
    snprintf(args, sizeof args, "%s --at 2022-10-13T09:00:00Z", d);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 0);
    CHECK(t, strstr(out, "\"format\":\"nitro\"") != NULL);
    CHECK(t, strstr(out, "\"0\":\"f4d48b81a460c9916d1e685119074bf24660afd3e34fae9fca0a0d28d9d5599936332687e6f66fc890ac8cf150142d8b\"") != NULL);
    /* base64 text form, debug enclave: rejected by default, accepted with --accept-debug. */
    test_data_path(d, sizeof d, "nitro-evervault/valid-attestation-doc-base64");
    snprintf(args, sizeof args, "%s --at 2023-09-18T15:03:31Z", d);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 1);
    CHECK(t, strstr(out, "CD_ERR_ATT_DEBUG") != NULL);
    snprintf(args, sizeof args, "%s --at 2023-09-18T15:03:31Z --accept-debug", d);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 0);
    CHECK(t, strstr(out, "\"verdict\":\"valid-insecure\"") != NULL);
    test_data_path(d, sizeof d, "nitro-evervault/debug-mode-attestation-doc-bytes");
    snprintf(args, sizeof args, "%s --at 2022-10-12T13:50:07Z", d);
    CHECK_EQ_INT(t, run_cli(args, out, sizeof out), 1);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_attest_cli");
    char p[1024];
    const char *bin = getenv("CANDOR_BIN");
    if (!bin || access(bin, X_OK) != 0) {
        test_skip(&t, "quote CLI", "$CANDOR_BIN not set or not executable (run via make test)");
    } else if (!test_path_exists(test_data_path(p, sizeof p, "tdx-go-tdx-guest")) ||
               !test_path_exists(test_data_path(p, sizeof p, "nitro-evervault"))) {
        test_skip(&t, "quote CLI", "$CANDOR_DATA samples missing");
    } else {
        TEST_RUN(&t, test_cli_tdx);
        TEST_RUN(&t, test_cli_policy_and_eventlog);
        TEST_RUN(&t, test_cli_nitro);
    }
    return test_finish(&t);
}
