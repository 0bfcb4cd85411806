#include "src/log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void svc_log_init(svc_log *lg, svc_log_level level, FILE *out) {
    lg->level = level;
    lg->out = out;
}

bool svc_log_level_parse(const char *s, svc_log_level *out) {
    for (size_t i = 0; i < CD_ARRAY_LEN(level_names); i++) {
        if (!strcmp(s, level_names[i])) {
            *out = (svc_log_level)i;
            return true;
        }
    }
    if (!strcmp(s, "warning")) {
        *out = SVC_LOG_WARN;
        return true;
    }
    return false;
}

const char *svc_log_level_name(svc_log_level level) {
    return (unsigned)level < CD_ARRAY_LEN(level_names) ? level_names[level] : "?";
}

const char *svc_log_quote(char *out, size_t cap, const char *value) {
    if (cap == 0) return out;
    bool needs = value[0] == '\0';
    for (const char *p = value; *p; p++)
        if (*p == ' ' || *p == '"' || *p == '=' || (unsigned char)*p < 0x20) needs = true;
    size_t o = 0;
    if (!needs) {
        while (value[o] && o + 1 < cap) {
            out[o] = value[o];
            o++;
        }
        out[o] = '\0';
        return out;
    }
    if (o + 1 < cap) out[o++] = '"';
    for (const char *p = value; *p && o + 3 < cap; p++) {
        if (*p == '"' || *p == '\\') out[o++] = '\\';
        out[o++] = (unsigned char)*p < 0x20 ? ' ' : *p;
    }
    if (o + 1 < cap) out[o++] = '"';
    out[o] = '\0';
    return out;
}

void svc_log_event(const svc_log *lg, svc_log_level level, const char *event, const char *fields,
                   ...) {
    if (!svc_log_enabled(lg, level) || !lg->out) return;
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s event=%s",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, svc_log_level_name(level), event);
    if (n < 0) return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (fields && fields[0] && len + 2 < sizeof line) {
        line[len++] = ' ';
        va_list ap;
        va_start(ap, fields);
        int m = vsnprintf(line + len, sizeof line - len, fields, ap);
        va_end(ap);
        if (m > 0) len += (size_t)m < sizeof line - len ? (size_t)m : sizeof line - len - 1;
    }
    /* One event, one line: whatever upstream text ended up in a field cannot break it. */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)line[i] < 0x20) line[i] = ' ';
    line[len] = '\n';
    /* A single write keeps concurrent threads' lines whole. */
    fwrite(line, 1, len + 1, lg->out);
    fflush(lg->out);
}
