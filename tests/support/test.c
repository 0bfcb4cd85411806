#include "tests/test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

void test_init(test_ctx *t, const char *suite) {
    memset(t, 0, sizeof *t);
    t->suite = suite;
    const char *v = getenv("CANDOR_TEST_VERBOSE");
    t->verbose = v && *v && *v != '0';
}

void test_fail_at(test_ctx *t, const char *file, int line, const char *fmt, ...) {
    t->current_failures++;
    fprintf(stderr, "FAIL %s: %s:%d: ", t->current ? t->current : "?", file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void test_run(test_ctx *t, const char *name, void (*fn)(test_ctx *)) {
    t->current = name;
    t->current_failures = 0;
    fn(t);
    if (t->current_failures) {
        t->failed++;
        fprintf(stderr, "FAILED %s (%d failed checks)\n", name, t->current_failures);
    } else {
        t->passed++;
        if (t->verbose) fprintf(stderr, "ok %s\n", name);
    }
    t->current = NULL;
}

void test_case(test_ctx *t, const char *name, bool ok, const char *why) {
    if (ok) {
        t->passed++;
        if (t->verbose) fprintf(stderr, "ok %s\n", name);
    } else {
        t->failed++;
        fprintf(stderr, "FAILED %s: %s\n", name, why ? why : "");
    }
}

void test_skip(test_ctx *t, const char *name, const char *why) {
    t->skipped++;
    fprintf(stderr, "SKIPPED %s: %s\n", name, why ? why : "");
}

int test_finish(test_ctx *t) {
    printf("%s: %d passed, %d failed, %d skipped\n", t->suite, t->passed, t->failed, t->skipped);
    fflush(stdout);
    return t->failed ? 1 : 0;
}

static const char *root_path(char *out, size_t cap, const char *env, const char *def,
                             const char *rel) {
    const char *root = getenv(env);
    if (!root || !*root) root = def;
    snprintf(out, cap, "%s/%s", root, rel);
    return out;
}

const char *test_vectors_path(char *out, size_t cap, const char *rel) {
    return root_path(out, cap, "CANDOR_VECTORS", "../shared/vectors", rel);
}

const char *test_data_path(char *out, size_t cap, const char *rel) {
    return root_path(out, cap, "CANDOR_DATA", "../shared/data", rel);
}

bool test_path_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

long test_unhex(const char *hex, uint8_t *buf, size_t cap) {
    size_t n = 0;
    if (cd_hex_decode(hex, strlen(hex), buf, cap, &n) != CD_OK) return -1;
    return (long)n;
}

const char *test_hex(const uint8_t *p, size_t n) {
    /* A small ring so that two calls in one message do not overwrite each other. */
    static _Thread_local char ring[4][2 * 96 + 8];
    static _Thread_local int slot;
    char *out = ring[slot++ & 3];
    size_t shown = n > 96 ? 96 : n;
    if (!p) shown = 0;
    cd_hex_encode(out, p ? p : (const uint8_t *)"", shown);
    if (shown < n) strcat(out, "..");
    return out;
}

int test_run_capture(const char *cmd, char *out, size_t cap) {
    if (cap == 0) return -1;
    out[0] = 0;
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
