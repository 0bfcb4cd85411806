/* SSZ encoding of JSON values (beacon-API and consensus-spec-tests conventions). */
#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>

#include "consensus/ssz.h"

/* Decimal text to an n-byte little-endian unsigned integer. */
static cd_status decimal_to_le(const char *s, size_t len, uint8_t *out, size_t n) {
    if (len == 0 || len > 80) return CD_ERR_BAD_JSON;
    memset(out, 0, n);
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return CD_ERR_BAD_JSON;
        unsigned carry = (unsigned)(s[i] - '0');
        for (size_t k = 0; k < n; k++) {
            unsigned v = out[k] * 10u + carry;
            out[k] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry) return CD_ERR_TOO_LARGE;
    }
    return CD_OK;
}

static cd_status enc(const ssz_type *t, const json_object *j, cd_buf *out, cd_error *err);

static cd_status enc_uint(const ssz_type *t, const json_object *j, cd_buf *out, cd_error *err) {
    uint8_t le[32];
    size_t n = (size_t)t->n;
    json_type jt = json_object_get_type(j);
    if (jt == json_type_string) {
        const char *s = json_object_get_string((json_object *)j);
        cd_status st = decimal_to_le(s, (size_t)json_object_get_string_len(j), le, n);
        if (st != CD_OK)
            return cd_fail(err, CD_ERR_BAD_JSON, "uint%zu: bad or too large decimal \"%.40s\"", n * 8, s);
    } else if (jt == json_type_int) {
        /* json-c keeps integers above INT64_MAX as unsigned; negative values are refused. */
        int64_t sv = json_object_get_int64(j);
        uint64_t v;
        if (sv < 0) return cd_fail(err, CD_ERR_BAD_JSON, "uint%zu: negative", n * 8);
        v = sv == INT64_MAX ? json_object_get_uint64(j) : (uint64_t)sv;
        memset(le, 0, sizeof le);
        for (size_t k = 0; k < 8; k++) le[k] = (uint8_t)(v >> (8 * k));
        for (size_t k = n; k < 8; k++)
            if (le[k]) return cd_fail(err, CD_ERR_BAD_JSON, "uint%zu: value too large", n * 8);
    } else {
        return cd_fail(err, CD_ERR_BAD_JSON, "uint%zu: expected a decimal string", n * 8);
    }
    return cd_buf_append(out, le, n);
}

static cd_status enc_bool(const json_object *j, cd_buf *out, cd_error *err) {
    json_type jt = json_object_get_type(j);
    uint8_t b;
    if (jt == json_type_boolean) {
        b = json_object_get_boolean(j) ? 1 : 0;
    } else if (jt == json_type_string && !strcmp(json_object_get_string((json_object *)j), "true")) {
        b = 1;
    } else if (jt == json_type_string && !strcmp(json_object_get_string((json_object *)j), "false")) {
        b = 0;
    } else {
        return cd_fail(err, CD_ERR_BAD_JSON, "bool: expected true/false");
    }
    return cd_buf_push(out, b);
}

static cd_status enc_hex(const json_object *j, cd_buf *out, cd_error *err, const char *what) {
    const char *s = json_object_get_string((json_object *)j);
    size_t len = (size_t)json_object_get_string_len(j);
    if (len < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return cd_fail(err, CD_ERR_BAD_JSON, "%s: expected 0x-hex", what);
    if (cd_hex_decode_buf(s, len, out) != CD_OK) return cd_fail(err, CD_ERR_BAD_JSON, "%s: bad hex", what);
    return CD_OK;
}

/* Elements of a vector/list from a JSON array; variable-size elements get offsets. */
static cd_status enc_array(const ssz_type *t, const json_object *j, cd_buf *out, cd_error *err) {
    size_t n = json_object_array_length(j);
    if (t->kind == SSZ_VECTOR && n != t->n)
        return cd_fail(err, CD_ERR_BAD_JSON, "vector: %zu elements, expected %" PRIu64, n, t->n);
    if (t->kind == SSZ_LIST && n > t->n)
        return cd_fail(err, CD_ERR_SSZ_LIST_LIMIT, "list: %zu elements, limit %" PRIu64, n, t->n);
    size_t base = out->len;
    if (t->elem->variable) {
        if (n > SIZE_MAX / 4) return CD_ERR_TOO_LARGE;
        for (size_t i = 0; i < n; i++) {
            static const uint8_t zero4[4] = {0};
            cd_status st = cd_buf_append(out, zero4, 4);
            if (st != CD_OK) return st;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (t->elem->variable) {
            size_t off = out->len - base;
            if (off > 0xffffffffu) return cd_fail(err, CD_ERR_TOO_LARGE, "value over 4 GiB");
            for (int k = 0; k < 4; k++) out->data[base + 4 * i + k] = (uint8_t)(off >> (8 * k));
        }
        cd_status st = enc(t->elem, json_object_array_get_idx(j, i), out, err);
        if (st != CD_OK) {
            cd_error_prefix(err, "[%zu]: ", i);
            return st;
        }
    }
    return CD_OK;
}

static cd_status enc_container(const ssz_type *t, const json_object *j, cd_buf *out, cd_error *err) {
    if (json_object_get_type(j) != json_type_object)
        return cd_fail(err, CD_ERR_BAD_JSON, "%s: expected an object", t->name ? t->name : "container");
    size_t base = out->len;
    size_t placeholder[64];
    if (t->nfields > 64) return cd_fail(err, CD_ERR_UNSUPPORTED, "container with over 64 fields");
    for (size_t i = 0; i < t->nfields; i++) {
        json_object *fj = NULL;
        if (!json_object_object_get_ex(j, t->fields[i].name, &fj) || !fj)
            return cd_fail(err, CD_ERR_BAD_JSON, "missing field \"%s\"", t->fields[i].name);
        cd_status st;
        if (t->fields[i].type->variable) {
            static const uint8_t zero4[4] = {0};
            placeholder[i] = out->len;
            st = cd_buf_append(out, zero4, 4);
        } else {
            st = enc(t->fields[i].type, fj, out, err);
            if (st != CD_OK) cd_error_prefix(err, "%s: ", t->fields[i].name);
        }
        if (st != CD_OK) return st;
    }
    for (size_t i = 0; i < t->nfields; i++) {
        if (!t->fields[i].type->variable) continue;
        size_t off = out->len - base;
        if (off > 0xffffffffu) return cd_fail(err, CD_ERR_TOO_LARGE, "value over 4 GiB");
        for (int k = 0; k < 4; k++) out->data[placeholder[i] + k] = (uint8_t)(off >> (8 * k));
        json_object *fj = NULL;
        json_object_object_get_ex(j, t->fields[i].name, &fj);
        cd_status st = enc(t->fields[i].type, fj, out, err);
        if (st != CD_OK) {
            cd_error_prefix(err, "%s: ", t->fields[i].name);
            return st;
        }
    }
    return CD_OK;
}

static cd_status enc(const ssz_type *t, const json_object *j, cd_buf *out, cd_error *err) {
    if (!j) return cd_fail(err, CD_ERR_BAD_JSON, "null value");
    switch (t->kind) {
    case SSZ_UINT: return enc_uint(t, j, out, err);
    case SSZ_BOOL: return enc_bool(j, out, err);
    case SSZ_BITVECTOR:
    case SSZ_BITLIST:
        if (json_object_get_type(j) != json_type_string)
            return cd_fail(err, CD_ERR_BAD_JSON, "bitfield: expected 0x-hex");
        {
            size_t before = out->len;
            cd_status st = enc_hex(j, out, err, "bitfield");
            if (st == CD_OK && t->kind == SSZ_BITVECTOR && out->len - before != t->size)
                return cd_fail(err, CD_ERR_SSZ_BAD_LENGTH, "bitvector[%" PRIu64 "]: %zu bytes", t->n,
                               out->len - before);
            return st;
        }
    case SSZ_VECTOR:
    case SSZ_LIST:
        /* Byte vectors and byte lists are written as hex strings. */
        if (json_object_get_type(j) == json_type_string && t->elem->kind == SSZ_UINT && t->elem->n == 1) {
            size_t before = out->len;
            cd_status st = enc_hex(j, out, err, "bytes");
            if (st != CD_OK) return st;
            size_t got = out->len - before;
            if (t->kind == SSZ_VECTOR && got != t->n)
                return cd_fail(err, CD_ERR_SSZ_BAD_LENGTH, "%zu bytes, expected %" PRIu64, got, t->n);
            if (t->kind == SSZ_LIST && got > t->n)
                return cd_fail(err, CD_ERR_SSZ_LIST_LIMIT, "%zu bytes, limit %" PRIu64, got, t->n);
            return CD_OK;
        }
        if (json_object_get_type(j) != json_type_array)
            return cd_fail(err, CD_ERR_BAD_JSON, "expected an array");
        return enc_array(t, j, out, err);
    case SSZ_CONTAINER: return enc_container(t, j, out, err);
    }
    return cd_fail(err, CD_ERR_INTERNAL, "unknown SSZ kind");
}

cd_status ssz_from_json(const ssz_type *t, const struct json_object *j, cd_buf *out, cd_error *err) {
    if (!t || !out) return cd_fail(err, CD_ERR_INVALID_ARG, "SSZ: bad arguments");
    size_t base = out->len;
    cd_status st = enc(t, j, out, err);
    if (st == CD_ERR_NOMEM) cd_fail(err, st, "out of memory");
    if (st == CD_OK) {
        /* Lengths of hex fields, limits and bitfield padding are checked here, once. */
        st = ssz_validate(t, cd_bytes_make(out->data + base, out->len - base), err);
        if (st != CD_OK) cd_error_prefix(err, "JSON value: ");
    }
    if (st != CD_OK) out->len = base;
    return st;
}
