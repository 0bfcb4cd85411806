#include "common/common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_text[] = {
    "ok",
#define CD_STATUS(name, msg) msg,
#include "common/status.def"
#undef CD_STATUS
};

static const char *const status_names[] = {
    "CD_OK",
#define CD_STATUS(name, msg) #name,
#include "common/status.def"
#undef CD_STATUS
};

const char *cd_status_str(cd_status s) {
    if ((unsigned)s >= CD_STATUS_COUNT) return "unknown status";
    return status_text[s];
}

const char *cd_status_name(cd_status s) {
    if ((unsigned)s >= CD_STATUS_COUNT) return "CD_ERR_UNKNOWN";
    return status_names[s];
}

cd_status cd_fail(cd_error *err, cd_status code, const char *fmt, ...) {
    if (err) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void cd_error_prefix(cd_error *err, const char *fmt, ...) {
    if (!err) return;
    char prefix[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof err->msg];
    memcpy(old, err->msg[0] ? err->msg : cd_status_str(err->code), sizeof old);
    old[sizeof old - 1] = 0;
    /* Truncation is fine here: the reason is for humans, and its start matters most. */
    size_t plen = strnlen(prefix, sizeof prefix);
    if (plen >= sizeof err->msg) plen = sizeof err->msg - 1;
    memcpy(err->msg, prefix, plen);
    size_t rest = sizeof err->msg - 1 - plen, olen = strnlen(old, sizeof old);
    if (olen > rest) olen = rest;
    memcpy(err->msg + plen, old, olen);
    err->msg[plen + olen] = 0;
}

const char *cd_error_text(const cd_error *err) {
    if (!err) return "";
    return err->msg[0] ? err->msg : cd_status_str(err->code);
}

void cd_error_clear(cd_error *err) {
    if (!err) return;
    err->code = CD_OK;
    err->msg[0] = 0;
}

bool cd_bytes_eq(cd_bytes a, cd_bytes b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

cd_status cd_buf_reserve(cd_buf *b, size_t extra) {
    if (extra > SIZE_MAX - b->len) return CD_ERR_NOMEM;
    size_t need = b->len + extra;
    if (need <= b->cap) return CD_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) { cap = need; break; }
        cap *= 2;
    }
    uint8_t *p = realloc(b->data, cap);
    if (!p) return CD_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return CD_OK;
}

cd_status cd_buf_append(cd_buf *b, const void *data, size_t len) {
    if (len == 0) return CD_OK;
    cd_status s = cd_buf_reserve(b, len);
    if (s) return s;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return CD_OK;
}

cd_status cd_buf_push(cd_buf *b, uint8_t byte) { return cd_buf_append(b, &byte, 1); }

void cd_buf_free(cd_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void *cd_grow_array(void *items, size_t *cap, size_t elem_size, size_t initial) {
    size_t n = *cap ? *cap : initial;
    if (*cap && n > SIZE_MAX / 2) return NULL;
    if (*cap) n *= 2;
    if (elem_size && n > SIZE_MAX / elem_size) return NULL;
    void *grown = realloc(items, n * elem_size);
    if (grown) *cap = n;
    return grown;
}

void cd_wipe(void *p, size_t n) {
    volatile uint8_t *v = p;
    while (n--) *v++ = 0;
}

bool cd_ct_eq(const void *a, const void *b, size_t n) {
    const volatile uint8_t *x = a, *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++) d |= x[i] ^ y[i];
    return d == 0;
}

cd_status cd_u256_from_be(cd_u256 *out, const uint8_t *be, size_t len) {
    if (len > 32) return CD_ERR_TOO_LARGE;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < len; i++) {
        size_t bit = (len - 1 - i) * 8;
        out->w[bit / 64] |= (uint64_t)be[i] << (bit % 64);
    }
    return CD_OK;
}

void cd_u256_to_be32(const cd_u256 *v, uint8_t out[32]) {
    for (int i = 0; i < 32; i++) {
        int bit = (31 - i) * 8;
        out[i] = (uint8_t)(v->w[bit / 64] >> (bit % 64));
    }
}

static int hex_nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void skip_prefix(const char **hex, size_t *len) {
    if (*len >= 2 && (*hex)[0] == '0' && ((*hex)[1] == 'x' || (*hex)[1] == 'X')) {
        *hex += 2;
        *len -= 2;
    }
}

cd_status cd_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    skip_prefix(&hex, &len);
    if (len % 2) return CD_ERR_BAD_HEX;
    if (len / 2 > cap) return CD_ERR_TOO_LARGE;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return CD_ERR_BAD_HEX;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (out_len) *out_len = len / 2;
    return CD_OK;
}

cd_status cd_hex_decode_buf(const char *hex, size_t len, cd_buf *out) {
    const char *h = hex;
    size_t l = len;
    skip_prefix(&h, &l);
    cd_status s = cd_buf_reserve(out, l / 2 + 1);
    if (s) return s;
    size_t n = 0;
    s = cd_hex_decode(h, l, out->data + out->len, out->cap - out->len, &n);
    if (s) return s;
    out->len += n;
    return CD_OK;
}

cd_status cd_hex_decode_exact(const char *hex, uint8_t *out, size_t n) {
    size_t len = strlen(hex), got = 0;
    const char *h = hex;
    skip_prefix(&h, &len);
    if (len != 2 * n) return CD_ERR_BAD_HEX;
    cd_status s = cd_hex_decode(h, len, out, n, &got);
    if (s) return s;
    return got == n ? CD_OK : CD_ERR_BAD_HEX;
}

cd_status cd_hex_quantity(const char *hex, cd_u256 *out, bool strict) {
    size_t len = strlen(hex);
    if (len < 3 || hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X')) return CD_ERR_BAD_HEX;
    hex += 2;
    len -= 2;
    if (strict && len > 1 && hex[0] == '0') return CD_ERR_BAD_HEX;
    while (len > 1 && hex[0] == '0') { hex++; len--; }
    if (len > 64) return CD_ERR_TOO_LARGE;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < len; i++) {
        int v = hex_nibble(hex[i]);
        if (v < 0) return CD_ERR_BAD_HEX;
        size_t bit = (len - 1 - i) * 4;
        out->w[bit / 64] |= (uint64_t)v << (bit % 64);
    }
    return CD_OK;
}

cd_status cd_hex_quantity_u64(const char *hex, uint64_t *out, bool strict) {
    cd_u256 v;
    cd_status s = cd_hex_quantity(hex, &v, strict);
    if (s) return s;
    if (v.w[1] | v.w[2] | v.w[3]) return CD_ERR_TOO_LARGE;
    *out = v.w[0];
    return CD_OK;
}

static const char hex_digits[] = "0123456789abcdef";

void cd_hex_encode(char *out, const uint8_t *data, size_t len) {
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        out[2 + 2 * i] = hex_digits[data[i] >> 4];
        out[3 + 2 * i] = hex_digits[data[i] & 15];
    }
    out[2 + 2 * len] = 0;
}

cd_status cd_hex_encode_buf(cd_buf *out, const uint8_t *data, size_t len) {
    if (len > (SIZE_MAX - 3) / 2) return CD_ERR_TOO_LARGE;
    cd_status s = cd_buf_reserve(out, 2 * len + 3);
    if (s) return s;
    cd_hex_encode((char *)out->data + out->len, data, len);
    out->len += 2 * len + 2;
    return CD_OK;
}

void cd_u256_to_quantity(const cd_u256 *v, char *out) {
    uint8_t be[32];
    cd_u256_to_be32(v, be);
    char *p = out;
    *p++ = '0';
    *p++ = 'x';
    bool started = false;
    for (int i = 0; i < 64; i++) {
        int nib = (be[i / 2] >> (i % 2 ? 0 : 4)) & 15;
        if (!started && nib == 0 && i != 63) continue;
        started = true;
        *p++ = hex_digits[nib];
    }
    *p = 0;
}

cd_status cd_read_file(const char *path, size_t max_len, cd_buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return CD_ERR_IO;
    cd_status s = CD_OK;
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > max_len) { s = CD_ERR_TOO_LARGE; break; }
        if ((s = cd_buf_append(out, chunk, n))) break;
    }
    if (!s && ferror(f)) s = CD_ERR_IO;
    fclose(f);
    return s;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

cd_status cd_list_dir(const char *dir, char ***names, size_t *count) {
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d) return CD_ERR_IO;
    size_t n = 0, cap = 0;
    char **v = NULL;
    cd_status s = CD_OK;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        if (n == cap) {
            char **grown = cd_grow_array(v, &cap, sizeof *v, 64);
            if (!grown) { s = CD_ERR_NOMEM; break; }
            v = grown;
        }
        if (!(v[n] = strdup(de->d_name))) { s = CD_ERR_NOMEM; break; }
        n++;
    }
    closedir(d);
    if (s) {
        cd_list_free(v, n);
        return s;
    }
    if (n) qsort(v, n, sizeof *v, compare_names);
    *names = v;
    *count = n;
    return CD_OK;
}

void cd_list_free(char **names, size_t count) {
    for (size_t i = 0; i < count; i++) free(names[i]);
    free(names);
}
