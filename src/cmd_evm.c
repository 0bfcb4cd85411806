/* candor evm statetest FILE|DIR...: runs every fork/index of the given state-test files
 * (directories are walked recursively for *.json), names each failing case and ends with
 * "N passed, N failed". Exit 0 only if nothing failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evm/evm.h"
#include "evm/statetest.h"
#include "src/commands.h"

typedef struct {
    int verbose;
} cli_ctx;

static void on_case(void *ctx, const char *name, evm_fork fork, bool ok, const char *why) {
    const cli_ctx *c = ctx;
    (void)fork;
    if (!ok) printf("FAIL %s: %s\n", name, why ? why : "");
    else if (c->verbose) printf("ok   %s\n", name);
}

static void run_path(evm_statetest *st, const char *path, int depth) {
    struct stat sb;
    if (stat(path, &sb) != 0) {
        printf("FAIL %s: no such file or directory\n", path);
        st->failed[EVM_FRONTIER]++;
        return;
    }
    if (!S_ISDIR(sb.st_mode)) {
        cd_error err;
        cd_error_clear(&err);
        if (evm_statetest_run_file(st, path, &err) != CD_OK)
            fprintf(stderr, "candor evm: %s\n", cd_error_text(&err));
        return;
    }
    if (depth > 16) return;
    char **names = NULL;
    size_t n = 0;
    if (cd_list_dir(path, &names, &n) != CD_OK) return;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(len);
        if (!child) break;
        snprintf(child, len, "%s/%s", path, names[i]);
        struct stat cs;
        size_t l = strlen(child);
        if (stat(child, &cs) == 0 && (S_ISDIR(cs.st_mode) || (l > 5 && !strcmp(child + l - 5, ".json"))))
            run_path(st, child, depth + 1);
        free(child);
    }
    cd_list_free(names, n);
}

static void usage(FILE *out) {
    fprintf(out, "usage: candor evm statetest [--fork NAME] [-v] FILE|DIR...\n"
                 "  Runs state tests; prints each failing case and \"N passed, N failed\".\n");
}

int cmd_evm(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "statetest") != 0) {
        usage(argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? stdout : stderr);
        return 2;
    }
    cli_ctx c = {0};
    evm_statetest st;
    evm_statetest_init(&st);
    st.on_case = on_case;
    st.ctx = &c;
    int paths = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) {
            c.verbose = 1;
        } else if (!strcmp(argv[i], "--fork") && i + 1 < argc) {
            evm_fork f;
            if (!evm_fork_from_name(argv[++i], &f)) {
                fprintf(stderr, "candor evm: unknown fork %s\n", argv[i]);
                return 2;
            }
            st.min_fork = st.max_fork = f;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            paths++;
        }
    }
    if (!paths) {
        usage(stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) continue;
        if (!strcmp(argv[i], "--fork")) {
            i++;
            continue;
        }
        run_path(&st, argv[i], 0);
    }
    int passed = 0, failed = 0;
    for (int f = 0; f < EVM_FORK_COUNT; f++) {
        passed += st.passed[f];
        failed += st.failed[f];
        if (st.passed[f] || st.failed[f])
            printf("  %-16s %d passed, %d failed\n", evm_fork_name((evm_fork)f), st.passed[f], st.failed[f]);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
