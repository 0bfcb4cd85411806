/* State-test conformance: ethereum/tests GeneralStateTests (Cancun fills, plus the Pyspecs
 * copies for older forks) and execution-spec-tests state_tests (every fork up to Osaka).
 * Every post entry is one case (post-state root + logs hash, or the expected exception).
 *
 * CANDOR_CONFORMANCE=quick: all of eest/state_tests and every 4th GeneralStateTests file in
 * sorted order (a spread over every category); full: everything. Prints counts per fork
 * and per folder; each failing case is printed by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evm/evm.h"
#include "evm/statetest.h"
#include "tests/test.h"

#define MAX_FOLDERS 256

typedef struct {
    char name[256];
    int passed, failed;
} folder_count;

typedef struct {
    test_ctx *t;
    folder_count folders[MAX_FOLDERS];
    int n_folders;
    int cur;          /* folder index of the file being run */
    bool quick;
    size_t gst_seen;  /* GeneralStateTests files seen (for quick sampling) */
} runner;

static void on_case(void *ctx, const char *name, evm_fork fork, bool ok, const char *why) {
    runner *r = ctx;
    (void)fork;
    test_case(r->t, name, ok, why);
    if (r->cur >= 0) {
        if (ok) r->folders[r->cur].passed++;
        else r->folders[r->cur].failed++;
    }
}

static int folder_index(runner *r, const char *name) {
    for (int i = 0; i < r->n_folders; i++)
        if (!strcmp(r->folders[i].name, name)) return i;
    if (r->n_folders == MAX_FOLDERS) return -1;
    snprintf(r->folders[r->n_folders].name, sizeof r->folders[0].name, "%s", name);
    return r->n_folders++;
}

/* Walks `dir` in sorted order; `folder` names the counting bucket (first level below the
 * suite root, two levels for eest: fork/eip). */
static void walk(runner *r, evm_statetest *st, const char *dir, const char *suite, const char *rel, int depth,
                 int bucket_depth, bool sample) {
    char **names = NULL;
    size_t n = 0;
    if (cd_list_dir(dir, &names, &n) != CD_OK) return;
    for (size_t i = 0; i < n; i++) {
        char path[1024], sub[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        struct stat sb;
        if (stat(path, &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode)) {
            walk(r, st, path, suite, sub, depth + 1, bucket_depth, sample);
            continue;
        }
        size_t l = strlen(names[i]);
        if (l < 5 || strcmp(names[i] + l - 5, ".json")) continue;
        if (sample && r->quick && (r->gst_seen++ % 4) != 0) continue;
        /* bucket: suite + first `bucket_depth` components of rel */
        char bucket[256];
        snprintf(bucket, sizeof bucket, "%s/", suite);
        const char *p = sub;
        for (int k = 0; k < bucket_depth && *p; k++) {
            const char *slash = strchr(p, '/');
            if (!slash) break;
            strncat(bucket, p, (size_t)(slash - p) + 1);
            p = slash + 1;
        }
        r->cur = folder_index(r, bucket);
        cd_error err;
        cd_error_clear(&err);
        if (evm_statetest_run_file(st, path, &err) != CD_OK) fprintf(stderr, "  %s\n", cd_error_text(&err));
    }
    cd_list_free(names, n);
}

int main(void) {
    test_ctx t;
    test_init(&t, "conf_statetest");
    static runner r;
    r.t = &t;
    r.cur = -1;
    const char *mode = getenv("CANDOR_CONFORMANCE");
    r.quick = !mode || strcmp(mode, "full") != 0;
    evm_statetest st;
    evm_statetest_init(&st);
    st.on_case = on_case;
    st.ctx = &r;

    char gst[512], eest[512];
    test_vectors_path(gst, sizeof gst, "execution/GeneralStateTests");
    test_vectors_path(eest, sizeof eest, "execution/eest/state_tests");
    if (!test_path_exists(gst) && !test_path_exists(eest)) {
        test_skip(&t, "state tests", "vectors missing (execution/GeneralStateTests, execution/eest/state_tests)");
        return test_finish(&t);
    }
    printf("  state tests (%s): %s\n", r.quick ? "quick" : "full",
           r.quick ? "all eest/state_tests + every 4th GeneralStateTests file (sorted)" : "all files");
    if (test_path_exists(eest)) walk(&r, &st, eest, "eest", "", 0, 2, false);
    else test_skip(&t, "eest/state_tests", "vectors missing");
    if (test_path_exists(gst)) walk(&r, &st, gst, "GeneralStateTests", "", 0, 1, true);
    else test_skip(&t, "GeneralStateTests", "vectors missing");

    for (int f = 0; f < EVM_FORK_COUNT; f++)
        if (st.passed[f] || st.failed[f])
            printf("  fork %-16s %6d passed, %d failed\n", evm_fork_name((evm_fork)f), st.passed[f], st.failed[f]);
    for (int i = 0; i < r.n_folders; i++)
        printf("  %-60s %6d passed, %d failed\n", r.folders[i].name, r.folders[i].passed, r.folders[i].failed);
    return test_finish(&t);
}
