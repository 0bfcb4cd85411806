/* Service logging: leveled, one line per event, key=value fields, to a stream (stderr).
 *
 * A line looks like:  ts=2026-11-21T10:30:00Z level=info event=listen addr=127.0.0.1:8545
 * Callers format the fields with printf syntax; values that may hold spaces should be
 * passed through svc_log_quote(). Control characters are replaced so that one event is
 * always exactly one line (log injection through upstream data is not possible). */
#ifndef CANDOR_SVC_LOG_H
#define CANDOR_SVC_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "common/common.h"

typedef enum {
    SVC_LOG_ERROR = 0,
    SVC_LOG_WARN = 1,
    SVC_LOG_INFO = 2,
    SVC_LOG_DEBUG = 3,
} svc_log_level;

typedef struct {
    svc_log_level level; /* events above this level are dropped */
    FILE *out;           /* stderr in the daemon; a temp file in tests */
} svc_log;

void svc_log_init(svc_log *lg, svc_log_level level, FILE *out);
/* "error" | "warn" | "info" | "debug" -> level; false for anything else. */
bool svc_log_level_parse(const char *s, svc_log_level *out);
const char *svc_log_level_name(svc_log_level level);
static inline bool svc_log_enabled(const svc_log *lg, svc_log_level level) {
    return lg && level <= lg->level;
}
/* Writes one event line. `fields` is a printf format for the key=value part (may be NULL). */
void svc_log_event(const svc_log *lg, svc_log_level level, const char *event, const char *fields,
                   ...) CD_PRINTF(4, 5);
/* Quotes a value for a key=value field when it needs it ("a b" -> "\"a b\""); writes into
 * out (capacity cap, truncated if longer) and returns out. */
const char *svc_log_quote(char *out, size_t cap, const char *value);

#define SVC_LOGE(lg, ev, ...) svc_log_event((lg), SVC_LOG_ERROR, (ev), __VA_ARGS__)
#define SVC_LOGW(lg, ev, ...) svc_log_event((lg), SVC_LOG_WARN, (ev), __VA_ARGS__)
#define SVC_LOGI(lg, ev, ...) svc_log_event((lg), SVC_LOG_INFO, (ev), __VA_ARGS__)
#define SVC_LOGD(lg, ev, ...) svc_log_event((lg), SVC_LOG_DEBUG, (ev), __VA_ARGS__)

#endif
