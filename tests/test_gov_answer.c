/* The signed /governance answer: built and signed the way the service does, read back and
 * checked the way `candor verify` does (any altered field fails), and used by
 * `candor quote verify --governance-answer` on the real TDX quotes in $CANDOR_DATA
 * (their ids were computed outside Candor, see tests/test_attest.c): approved → exit 0;
 * revoked, expired, not approved, bad answer → exit 1 with that reason. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "src/answer.h"
#include "src/governance.h"
#include "src/service.h"
#include "tests/test.h"

static const char SPR_E4_ID[] = "28a30bd1419fe43dac69d061911daa7c2c121a8eacab89196b2658e5cec2fcdb";
static const char V5_ID[] = "da9ec2207f761d6156aac549d7fdab6aa71851a1c0dddcd6d653681ac92fcfe3";

static void fill(gov_snapshot *g) {
    memset(g, 0, sizeof *g);
    g->block.chain_id = 31337;
    g->block.number = 123;
    g->block.timestamp = 1700000000;
    memset(g->block.block_hash.b, 0xb1, 32);
    memset(g->block.state_root.b, 0x51, 32);
    memset(g->block.receipts_root.b, 0x52, 32);
    g->block.beacon_slot = 123;
    memset(g->block.beacon_root.b, 0xbe, 32);
    g->block.finalized = true;
    memset(g->contract.b, 0xc0, 20);
    memset(g->owner.b, 0x0e, 20);
    g->n_measurements = 2;
    if (test_unhex(SPR_E4_ID, g->measurements[0].id, 32) != 32) return;
    snprintf(g->measurements[0].version, sizeof g->measurements[0].version, "candor SPR E4 sample");
    g->measurements[0].version_len = strlen(g->measurements[0].version);
    g->measurements[0].not_before = 1600000000;          /* 2020-09 */
    g->measurements[0].not_after = UINT64_MAX;
    if (test_unhex(V5_ID, g->measurements[1].id, 32) != 32) return;
    snprintf(g->measurements[1].version, sizeof g->measurements[1].version, "v5 sample, a version string longer than 31 bytes");
    g->measurements[1].version_len = strlen(g->measurements[1].version);
    g->measurements[1].not_after = UINT64_MAX;
    g->measurements[1].revoked = true;
    g->n_members = 1;
    memset(g->members[0].signer.b, 0x42, 20);
    snprintf(g->members[0].endpoint, sizeof g->members[0].endpoint, "https://node.example:8545");
    g->members[0].endpoint_len = strlen(g->members[0].endpoint);
    g->members[0].active = true;
}

static json_object *sign_answer(svc_service *s, const gov_snapshot *g) {
    json_object *o = json_object_new_object();
    uint8_t d[32];
    svc_gov_digest(g, d);
    if (!o || svc_gov_answer_fields(o, g) != CD_OK || svc_add_signature(s, o, d) != CD_OK) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static cd_status verify_json(json_object *o, svc_answer *a) {
    cd_error e;
    cd_status st = svc_answer_parse(o, a, &e);
    return st == CD_OK ? svc_answer_verify(a, &e) : st;
}

static bool write_json(const char *path, json_object *o) {
    FILE *f = fopen(path, "w");
    if (!f) return false;
    fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), f);
    return fclose(f) == 0;
}

/* A copy of `o` with one string member of measurements[i] (or the top level) replaced. */
static json_object *altered(json_object *o, const char *array, int i, const char *key, json_object *value) {
    json_object *c = NULL;
    if (json_object_deep_copy(o, &c, NULL) != 0) return NULL;
    json_object *target = c, *arr = NULL;
    if (array && json_object_object_get_ex(c, array, &arr)) target = json_object_array_get_idx(arr, (size_t)i);
    json_object_object_add(target, key, value);
    return c;
}

typedef struct {
    svc_service *s;
    gov_snapshot g;
} fixture;

static bool setup(test_ctx *t, fixture *f) {
    f->s = calloc(1, sizeof *f->s);
    uint8_t sk[32];
    memset(sk, 0x5e, 32);
    cd_error e;
    if (!f->s) return false;
    CHECK_OK(t, svc_signer_from_secret(&f->s->signer, sk, &e));
    fill(&f->g);
    return f->s->signer != NULL;
}

static void teardown(fixture *f) {
    if (f->s) svc_signer_free(f->s->signer);
    free(f->s);
}

static void test_answer_roundtrip(test_ctx *t) {
    fixture *f = calloc(1, sizeof *f);
    if (!f || !setup(t, f)) { if (f) teardown(f); free(f); CHECK(t, false); return; }
    json_object *o = sign_answer(f->s, &f->g);
    CHECK(t, o != NULL);
    svc_answer a;
    CHECK_OK(t, verify_json(o, &a));
    CHECK(t, a.is_governance && !a.is_call);
    CHECK_EQ_U64(t, a.block.number, 123);
    CHECK_EQ_BYTES(t, a.signer.b, 20, svc_signer_address(f->s->signer)->b, 20);
    /* Everything comes back as it was signed (2^64-1 included: quantities, not numbers). */
    gov_snapshot *back = calloc(1, sizeof *back);
    uint8_t d1[32], d2[32];
    cd_error e;
    if (back) {
        CHECK_OK(t, svc_gov_answer_read(o, back, d1, &e));
        CHECK(t, gov_same_content(back, &f->g));
        CHECK_EQ_U64(t, back->measurements[0].not_after, UINT64_MAX);
        CHECK_EQ_U64(t, back->block.timestamp, 1700000000);
        CHECK_EQ_BYTES(t, back->contract.b, 20, f->g.contract.b, 20);
        svc_gov_digest(&f->g, d2);
        CHECK_EQ_BYTES(t, d1, 32, d2, 32);
        free(back);
    }
    /* Each altered field breaks the signature. */
    json_object *bad[] = {
        altered(o, "measurements", 0, "version", json_object_new_string("candor SPR E5 sample")),
        altered(o, "measurements", 1, "revoked", json_object_new_boolean(false)),
        altered(o, "measurements", 0, "notAfter", json_object_new_string("0x1")),
        altered(o, "members", 0, "endpoint", json_object_new_string("https://evil.example")),
        altered(o, "members", 0, "active", json_object_new_boolean(false)),
        altered(o, NULL, 0, "owner", json_object_new_string("0x0000000000000000000000000000000000000001")),
        altered(o, NULL, 0, "governance", json_object_new_string("0x0000000000000000000000000000000000000001")),
        altered(o, NULL, 0, "members", json_object_new_array()),
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(bad); i++) {
        svc_answer b;
        cd_status st = bad[i] ? verify_json(bad[i], &b) : CD_ERR_INTERNAL;
        if (st != CD_ERR_BAD_SIGNATURE) test_fail_at(t, __FILE__, __LINE__, "alteration %zu: got %s", i, cd_status_name(st));
        json_object_put(bad[i]);
    }
    /* Malformed fields are named; an oversized string is a bound. */
    char big[GOV_MAX_STRING + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    json_object *m1 = altered(o, "measurements", 0, "version", json_object_new_string(big));
    json_object *m2 = altered(o, "measurements", 0, "notBefore", json_object_new_int(5));
    json_object *m3 = altered(o, "members", 0, "signer", json_object_new_string("0x12"));
    svc_answer b;
    CHECK_ERR(t, svc_answer_parse(m1, &b, &e), CD_ERR_GOV_BOUNDS);
    CHECK_FAILS(t, svc_answer_parse(m2, &b, &e));
    CHECK(t, strstr(cd_error_text(&e), "notBefore") != NULL);
    CHECK_FAILS(t, svc_answer_parse(m3, &b, &e));
    CHECK(t, strstr(cd_error_text(&e), "members[0]") != NULL);
    json_object_put(m1), json_object_put(m2), json_object_put(m3);
    json_object_put(o);
    teardown(f);
    free(f);
}

static void test_require_approved_gate(test_ctx *t) {
    fixture *f = calloc(1, sizeof *f);
    if (!f || !setup(t, f)) { if (f) teardown(f); free(f); CHECK(t, false); return; }
    /* --require-approved without a governance state: nothing is signed. */
    f->s->cfg.require_approved = true;
    json_object *o = json_object_new_object();
    uint8_t d[32] = {1};
    CHECK_ERR(t, svc_add_signature(f->s, o, d), CD_ERR_GOV_NOT_APPROVED);
    json_object *sig = NULL;
    CHECK(t, !json_object_object_get_ex(o, "signature", &sig));
    cd_error e;
    CHECK_ERR(t, svc_governance_may_sign(f->s, &e), CD_ERR_GOV_NOT_APPROVED);
    CHECK(t, strstr(cd_error_text(&e), "require-approved") != NULL);
    f->s->cfg.require_approved = false;
    CHECK_OK(t, svc_add_signature(f->s, o, d));
    /* And the configuration itself: --require-approved wants --governance. */
    f->s->cfg.require_approved = true;
    CHECK_ERR(t, svc_governance_init(f->s, &e), CD_ERR_CONFIG);
    f->s->cfg.has_governance = true;
    CHECK_OK(t, svc_governance_init(f->s, &e));
    /* Initialised but never read: refused, and the reason says governance was not read. */
    CHECK_ERR(t, svc_governance_may_sign(f->s, &e), CD_ERR_GOV_NOT_APPROVED);
    uint8_t id[32] = {0}, who[20] = {0};
    CHECK_ERR(t, svc_governance_admit(f->s, id, who, 1700000000, &e), CD_ERR_GOV_STALE);
    CHECK_EQ_U64(t, svc_governance_generation(f->s), 0);
    svc_governance_free(f->s);
    json_object_put(o);
    teardown(f);
    free(f);
}

/* ---- the CLI on the real quotes ------------------------------------------------------ */

static int run_quote(const char *args, char *out, size_t cap) {
    char cmd[8192];
    if (snprintf(cmd, sizeof cmd, "%s quote verify %s 2>/dev/null", getenv("CANDOR_BIN"), args) >= (int)sizeof cmd) return -1;
    return test_run_capture(cmd, out, cap);
}

static void test_quote_governance_cli(test_ctx *t) {
    const char *bin = getenv("CANDOR_BIN");
    char spr[1024], v5[1024], cos[1024];
    test_data_path(spr, sizeof spr, "tdx-go-tdx-guest/tdx_prod_quote_SPR_E4.dat");
    test_data_path(v5, sizeof v5, "tdx-go-tdx-guest/quote_v5_sample.dat");
    test_data_path(cos, sizeof cos, "tdx-go-tdx-guest/ccel/cos-113-tdx-quote.dat");
    if (!bin || access(bin, X_OK) != 0) { test_skip(t, "quote --governance-answer", "$CANDOR_BIN not set"); return; }
    if (!test_path_exists(spr) || !test_path_exists(v5)) { test_skip(t, "quote --governance-answer", "TDX samples missing"); return; }
    fixture *f = calloc(1, sizeof *f);
    if (!f || !setup(t, f)) { if (f) teardown(f); free(f); CHECK(t, false); return; }
    char dir[] = "/tmp/candor-gov-XXXXXX", good[256], tampered[256], expired[256], notgov[256];
    CHECK(t, mkdtemp(dir) != NULL);
    snprintf(good, sizeof good, "%s/gov.json", dir);
    snprintf(tampered, sizeof tampered, "%s/tampered.json", dir);
    snprintf(expired, sizeof expired, "%s/expired.json", dir);
    snprintf(notgov, sizeof notgov, "%s/block.json", dir);
    json_object *o = sign_answer(f->s, &f->g);
    CHECK(t, o && write_json(good, o));
    json_object *tam = altered(o, "measurements", 1, "revoked", json_object_new_boolean(false));
    CHECK(t, tam && write_json(tampered, tam));
    f->g.measurements[0].not_after = 1680000000; /* 2023-03-28: before the --at below */
    json_object *exp = sign_answer(f->s, &f->g);
    CHECK(t, exp && write_json(expired, exp));
    json_object *blk = json_object_new_object();
    json_object_object_add(blk, "digest", json_object_new_string("0x00"));
    CHECK(t, write_json(notgov, blk));
    char signer[43];
    cd_hex_encode(signer, svc_signer_address(f->s->signer)->b, 20);

    char out[1 << 16], args[4096];
    /* Approved: exit 0, and the id is printed. */
    snprintf(args, sizeof args, "%s --at 2023-06-20T00:00:00Z --governance-answer %s --signer %s", spr, good, signer);
    CHECK_EQ_INT(t, run_quote(args, out, sizeof out), 0);
    CHECK(t, strstr(out, "\"measurementId\":\"0x28a30bd1419fe43dac69d061911daa7c2c121a8eacab89196b2658e5cec2fcdb\"") != NULL);
    CHECK(t, strstr(out, "\"approved\":true") != NULL);
    /* Without --governance-answer the id is printed too. */
    snprintf(args, sizeof args, "%s --at 2026-02-15T00:00:00Z", v5);
    CHECK_EQ_INT(t, run_quote(args, out, sizeof out), 0);
    CHECK(t, strstr(out, "\"measurementId\":\"0xda9ec2207f761d6156aac549d7fdab6aa71851a1c0dddcd6d653681ac92fcfe3\"") != NULL);
    /* Revoked. */
    snprintf(args, sizeof args, "%s --at 2026-02-15T00:00:00Z --governance-answer %s", v5, good);
    CHECK_EQ_INT(t, run_quote(args, out, sizeof out), 1);
    CHECK(t, strstr(out, "\"reason\":\"revoked:") != NULL);
    /* Not approved: a real quote whose id the answer does not list. */
    if (test_path_exists(cos)) {
        snprintf(args, sizeof args, "%s --at 2024-08-01T00:00:00Z --governance-answer %s", cos, good);
        CHECK_EQ_INT(t, run_quote(args, out, sizeof out), 1);
        CHECK(t, strstr(out, "\"reason\":\"not approved:") != NULL);
    }
    /* Expired at --at. */
    snprintf(args, sizeof args, "%s --at 2023-06-20T00:00:00Z --governance-answer %s", spr, expired);
    CHECK_EQ_INT(t, run_quote(args, out, sizeof out), 1);
    CHECK(t, strstr(out, "\"reason\":\"expired:") != NULL);
    /* Bad answers: altered, signed by someone else than --signer, not a governance answer, missing. */
    const char *bad_args[] = {tampered, good, notgov, "/nonexistent/gov.json"};
    for (size_t i = 0; i < CD_ARRAY_LEN(bad_args); i++) {
        snprintf(args, sizeof args, "%s --at 2023-06-20T00:00:00Z --governance-answer %s%s", spr, bad_args[i],
                 i == 1 ? " --signer 0x0000000000000000000000000000000000000001" : "");
        CHECK_EQ_INT(t, run_quote(args, out, sizeof out), 1);
        if (!strstr(out, "\"reason\":\"bad governance answer:")) test_fail_at(t, __FILE__, __LINE__, "case %zu: %.300s", i, out);
    }
    json_object_put(o), json_object_put(tam), json_object_put(exp), json_object_put(blk);
    unlink(good), unlink(tampered), unlink(expired), unlink(notgov), rmdir(dir);
    teardown(f);
    free(f);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_gov_answer");
    TEST_RUN(&t, test_answer_roundtrip);
    TEST_RUN(&t, test_require_approved_gate);
    TEST_RUN(&t, test_quote_governance_cli);
    return test_finish(&t);
}
