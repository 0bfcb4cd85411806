/* `candor proof verify` end to end through the binary ($CANDOR_BIN, set by `make test`):
 * exit 0 and the proven JSON for a good proof, exit 1 with the reason for a bad one,
 * exit 2 for usage errors. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/test.h"

#define ROOT "0x7b3d5a01f69b7d2ea7479fd7ae35f4bac2700ab6d6d7b4807a7fedf53ced710e"

static void test_cli(test_ctx *t) {
    const char *bin = getenv("CANDOR_BIN");
    char proof[512];
    test_data_path(proof, sizeof proof, "el-mainnet-block-21925176-helios/rpc/proof.json");
    if (!bin || !test_path_exists(bin) || !test_path_exists(proof)) {
        test_skip(t, "candor proof verify", "CANDOR_BIN or mainnet data missing");
        return;
    }
    char cmd[2048], out[8192];
    snprintf(cmd, sizeof cmd, "%s proof verify --state-root %s %s 2>&1", bin, ROOT, proof);
    CHECK_EQ_INT(t, test_run_capture(cmd, out, sizeof out), 0);
    CHECK(t, strstr(out, "\"balance\":\"0x2fb161afe600a5b2605040\"") != NULL);
    CHECK(t, strstr(out, "\"value\":\"0x2394e3bc4086a9625ae88307145a40ff4a4bf2c9a6755435bff86b22d6175d5f\"") != NULL);
    /* wrong root: rejected with the reason */
    snprintf(cmd, sizeof cmd, "%s proof verify --state-root %.65s0 %s 2>&1", bin, ROOT, proof);
    CHECK_EQ_INT(t, test_run_capture(cmd, out, sizeof out), 1);
    CHECK(t, strstr(out, "account proof: node 0 does not hash to its reference") != NULL);
    /* a claimed storage value changed on the way in */
    snprintf(cmd, sizeof cmd,
             "sed 's/0x2394e3bc/0x2394e3bd/' %s | %s proof verify --state-root %s - 2>&1", proof, bin, ROOT);
    CHECK_EQ_INT(t, test_run_capture(cmd, out, sizeof out), 1);
    CHECK(t, strstr(out, "storage proof for slot 0x0000000000000000000000000000000000000000000000000000000000000001")
                 != NULL);
    /* usage */
    snprintf(cmd, sizeof cmd, "%s proof verify %s 2>&1", bin, proof);
    CHECK_EQ_INT(t, test_run_capture(cmd, out, sizeof out), 2);
    snprintf(cmd, sizeof cmd, "%s proof --help 2>&1", bin);
    CHECK_EQ_INT(t, test_run_capture(cmd, out, sizeof out), 0);
    CHECK(t, strstr(out, "--state-root") != NULL);
    snprintf(cmd, sizeof cmd, "echo '{\"result\":' | %s proof verify --state-root %s - 2>&1", bin, ROOT);
    CHECK_EQ_INT(t, test_run_capture(cmd, out, sizeof out), 1);
    CHECK(t, strstr(out, "not valid JSON") != NULL);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_cmd_proof");
    TEST_RUN(&t, test_cli);
    return test_finish(&t);
}
