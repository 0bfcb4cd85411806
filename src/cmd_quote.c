/* candor quote verify FILE [--at TIME] [--collateral DIR] [--allow FILE] [--accept-mock]
 *                          [--accept-debug] [--event-log FILE]
 *                          [--governance-answer GOV.json [--signer 0x..]]
 * Verifies a TEE quote/attestation document (format detected from the bytes) and prints
 * the measurements, report data, measurement id and verdict as JSON. With a saved, signed
 * /governance answer, the quote is accepted only if its measurement id is approved there and
 * inside its window at --at (src/gov_quote.c). Exit 0 only when every signature and
 * the chain verify (and the policy, if given, allows the measurement); 1 when verification
 * fails; 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/attest.h"
#include "src/commands.h"
#include "src/governance.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: candor quote verify FILE [--at TIME] [--collateral DIR] [--allow FILE]\n"
            "                               [--accept-mock] [--accept-debug] [--event-log FILE]\n"
            "                               [--require-uptodate]\n"
            "  FILE            binary TDX quote (v4/v5), Nitro attestation document (CBOR),\n"
            "                  Candor mock quote, or hex/base64 of one\n"
            "  --at TIME       verification time, RFC 3339 (2022-11-09T23:00:00Z); default now\n"
            "  --collateral D  dir with pck_crl.der, root_crl.der, tcb_info.json, qe_identity.json,\n"
            "                  tcb_signing_chain.pem; without it the TCB status is \"unknown\"\n"
            "  --allow FILE    policy: JSON array of allowed measurements\n"
            "  --event-log F   TDX: CCEL binary or dstack JSON event log to replay against RTMR0-3\n"
            "  --require-uptodate  TDX: fail unless the (signed) TCB status is UpToDate\n"
            "  --governance-answer GOV.json  accept only a measurement id that this saved, signed\n"
            "                  /governance answer approves at --at (reasons: not approved, revoked,\n"
            "                  expired, bad governance answer)\n"
            "  --signer 0x..   the governance answer must be signed by this address\n");
}

/* RFC 3339 with 'Z' or a numeric offset, optional fractional seconds. */
static bool parse_rfc3339(const char *s, int64_t *out) {
    struct tm tmv;
    memset(&tmv, 0, sizeof tmv);
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tmv);
    if (!p) return false;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    int64_t off = 0;
    if (*p == 'Z' || *p == 'z') p++;
    else if (*p == '+' || *p == '-') {
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59) return false;
        off = (hh * 3600 + mm * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else return false;
    if (*p) return false;
    *out = (int64_t)timegm(&tmv) - off;
    return true;
}

static int verify(int argc, char **argv) {
    const char *file = NULL, *allow = NULL, *evlog = NULL, *gov_answer = NULL, *gov_signer = NULL;
    att_verify_opts opts = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "--at") && has_val) {
            if (!parse_rfc3339(argv[++i], &opts.at)) {
                fprintf(stderr, "candor quote: --at wants RFC 3339 time, got '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--collateral") && has_val) opts.collateral_dir = argv[++i];
        else if (!strcmp(a, "--allow") && has_val) allow = argv[++i];
        else if (!strcmp(a, "--event-log") && has_val) evlog = argv[++i];
        else if (!strcmp(a, "--governance-answer") && has_val) gov_answer = argv[++i];
        else if (!strcmp(a, "--signer") && has_val) gov_signer = argv[++i];
        else if (!strcmp(a, "--accept-mock")) opts.accept_mock = true;
        else if (!strcmp(a, "--accept-debug")) opts.accept_debug = true;
        else if (!strcmp(a, "--require-uptodate")) opts.require_tcb_up_to_date = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return 0; }
        else if (a[0] != '-' && !file) file = a;
        else { usage(stderr); return 2; }
    }
    if (!file || (gov_signer && !gov_answer)) { usage(stderr); return 2; }
    if (opts.at == 0) opts.at = (int64_t)time(NULL);
    cd_buf q = {0};
    cd_status st = cd_read_file(file, 4 * ATT_MAX_QUOTE_LEN, &q);
    if (st) {
        fprintf(stderr, "candor quote: cannot read %s: %s\n", file, cd_status_str(st));
        cd_buf_free(&q);
        return 2;
    }
    att_policy *pol = NULL;
    cd_error err;
    cd_error_clear(&err);
    if (allow && (st = att_policy_load(allow, &pol, &err))) {
        fprintf(stderr, "candor quote: %s\n", cd_error_text(&err));
        cd_buf_free(&q);
        return 2;
    }
    att_report *rep = calloc(1, sizeof *rep);
    if (!rep) { cd_buf_free(&q); att_policy_free(pol); return 2; }
    st = att_verify(cd_buf_bytes(&q), &opts, rep, &err);
    const char *matched = NULL;
    if (!st && pol) st = att_policy_check(pol, rep, &matched, &err);
    if (!st && evlog) {
        cd_buf lb = {0};
        att_event_log log = {0};
        st = cd_read_file(evlog, 16 * 1024 * 1024, &lb);
        if (st) st = cd_fail(&err, st, "cannot read event log %s", evlog);
        else if (lb.len && (lb.data[0] == '[' || lb.data[0] == ' ' || lb.data[0] == '\n'))
            st = att_dstack_log_replay((const char *)lb.data, lb.len, &log, &err);
        else
            st = att_ccel_replay(cd_buf_bytes(&lb), &log, &err);
        if (!st) st = att_event_log_check(&log, rep, &err);
        if (!st) fprintf(stderr, "event log: %zu events replay to RTMR0..3\n", log.count);
        att_event_log_free(&log);
        cd_buf_free(&lb);
    }
    /* The id of every quote that verified; then governance, if asked. */
    uint8_t mid[32];
    bool have_mid = !st && att_measurement_id(rep, mid) == CD_OK;
    svc_quote_governance gq;
    memset(&gq, 0, sizeof gq);
    if (!st && gov_answer) {
        st = have_mid ? svc_quote_governance_check(gov_answer, gov_signer, mid, (uint64_t)opts.at, &gq, &err)
                      : cd_fail(&err, CD_ERR_GOV_NOT_APPROVED, "not approved: the quote has no measurement id");
    }
    cd_buf out = {0};
    if (att_report_json(rep, st, cd_error_text(&err), &out) == CD_OK &&
        svc_quote_json_extend(&out, have_mid ? mid : NULL, gov_answer ? &gq : NULL) == CD_OK) {
        fwrite(out.data, 1, out.len, stdout);
        putchar('\n');
    }
    if (have_mid) {
        char h[67];
        cd_hex_encode(h, mid, 32);
        fprintf(stderr, "measurementId: %s\n", h);
    }
    if (gov_answer) fprintf(stderr, "governance: %s\n", st == CD_OK ? "approved" : cd_error_text(&err));
    if (matched) fprintf(stderr, "policy: allowed by '%s'\n", matched);
    cd_buf_free(&out);
    cd_buf_free(&q);
    att_policy_free(pol);
    free(rep);
    return st == CD_OK ? 0 : 1;
}

int cmd_quote(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "verify")) return verify(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
