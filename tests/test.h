/* Candor's in-house test macros.
 *
 * A test binary defines test functions `static void test_x(test_ctx *t)` and runs them
 * with TEST_RUN(t, test_x). A test passes when none of its CHECKs failed. Conformance
 * runners report one result per official case with test_case(). Every failure prints
 * the test name, file:line and the values involved. test_finish() prints the binary's
 * closing line "<name>: N passed, N failed, N skipped" and returns the exit code.
 */
#ifndef CANDOR_TEST_H
#define CANDOR_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"

typedef struct {
    const char *suite;     /* binary name, for the closing line */
    const char *current;   /* running test */
    int passed, failed, skipped;
    int current_failures;
    int verbose;           /* CANDOR_TEST_VERBOSE=1 prints every test */
} test_ctx;

void test_init(test_ctx *t, const char *suite);
/* Records a failed check (used by the macros). */
void test_fail_at(test_ctx *t, const char *file, int line, const char *fmt, ...)
    CD_PRINTF(4, 5);
/* Runs one test function and counts it. */
void test_run(test_ctx *t, const char *name, void (*fn)(test_ctx *));
/* One conformance case: counted as passed/failed; a failure prints name and reason. */
void test_case(test_ctx *t, const char *name, bool ok, const char *why);
/* A whole suite skipped (e.g. vectors missing): one line saying so, counted once. */
void test_skip(test_ctx *t, const char *name, const char *why);
/* Prints the closing line; returns the process exit code (0 iff no failure). */
int test_finish(test_ctx *t);

/* Locations of shared data: $CANDOR_VECTORS (default ../shared/vectors) and
 * $CANDOR_DATA (default ../shared/data). Writes "<root>/<rel>" into out. */
const char *test_vectors_path(char *out, size_t cap, const char *rel);
const char *test_data_path(char *out, size_t cap, const char *rel);
bool test_path_exists(const char *path);

/* Runs a shell command, captures up to cap-1 bytes of its output (NUL-terminated) and
 * returns its exit status, or -1 when it could not run or was killed. For CLI tests. */
int test_run_capture(const char *cmd, char *out, size_t cap);

/* Hex helper for tests: decodes into buf (cap bytes), returns length or -1. */
long test_unhex(const char *hex, uint8_t *buf, size_t cap);
/* Formats bytes as hex into a static-per-call ring buffer (for failure messages). */
const char *test_hex(const uint8_t *p, size_t n);

#define TEST_RUN(t, fn) test_run((t), #fn, fn)

#define CHECK(t, cond)                                                            \
    do {                                                                          \
        if (!(cond)) test_fail_at((t), __FILE__, __LINE__, "CHECK(%s)", #cond);   \
    } while (0)

#define CHECK_EQ_INT(t, a, b)                                                     \
    do {                                                                          \
        long long _a = (long long)(a), _b = (long long)(b);                       \
        if (_a != _b)                                                             \
            test_fail_at((t), __FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, _a, _b); \
    } while (0)

#define CHECK_EQ_U64(t, a, b)                                                     \
    do {                                                                          \
        uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b);                          \
        if (_a != _b)                                                             \
            test_fail_at((t), __FILE__, __LINE__, "%s == %s: %" PRIu64 " != %" PRIu64, #a, #b, _a, _b); \
    } while (0)

#define CHECK_EQ_STR(t, a, b)                                                     \
    do {                                                                          \
        const char *_a = (a), *_b = (b);                                          \
        if (!_a || !_b || strcmp(_a, _b) != 0)                                    \
            test_fail_at((t), __FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, \
                         _a ? _a : "(null)", _b ? _b : "(null)");                 \
    } while (0)

#define CHECK_EQ_BYTES(t, a, alen, b, blen)                                       \
    do {                                                                          \
        const uint8_t *_a = (const uint8_t *)(a), *_b = (const uint8_t *)(b);     \
        size_t _al = (alen), _bl = (blen);                                        \
        if (_al != _bl || (_al && memcmp(_a, _b, _al) != 0))                      \
            test_fail_at((t), __FILE__, __LINE__, "%s == %s: %s != %s", #a, #b,   \
                         test_hex(_a, _al), test_hex(_b, _bl));                   \
    } while (0)

/* Expects a cd_status-returning expression to succeed. */
#define CHECK_OK(t, expr)                                                         \
    do {                                                                          \
        cd_status _s = (expr);                                                    \
        if (_s != CD_OK)                                                          \
            test_fail_at((t), __FILE__, __LINE__, "%s: expected CD_OK, got %s", #expr, \
                         cd_status_name(_s));                                     \
    } while (0)

/* Expects a cd_status-returning expression to fail with exactly `code`. */
#define CHECK_ERR(t, expr, code)                                                  \
    do {                                                                          \
        cd_status _s = (expr);                                                    \
        if (_s != (code))                                                         \
            test_fail_at((t), __FILE__, __LINE__, "%s: expected %s, got %s", #expr, \
                         cd_status_name(code), cd_status_name(_s));               \
    } while (0)

/* Expects any failure (for tamper tests where several codes are legitimate). */
#define CHECK_FAILS(t, expr)                                                      \
    do {                                                                          \
        cd_status _s = (expr);                                                    \
        if (_s == CD_OK)                                                          \
            test_fail_at((t), __FILE__, __LINE__, "%s: expected failure, got CD_OK", #expr); \
    } while (0)

#endif
