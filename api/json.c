/* Strict JSON in, JSON out: request parsing and validation, answer building. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

#define JSON_MAX_DEPTH 32
#define CALL_INPUT_MAX (256 * 1024)

/* json-c, even in strict mode, takes a few things RFC 8259 does not ('single quotes',
 * comments). Outside string literals only JSON's own characters may appear. */
static bool plain_json_chars(const char *text, size_t len, size_t *bad_at) {
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
            else if (c < 0x20) return *bad_at = i, false;
            continue;
        }
        if (c == '"') in_str = true;
        else if (!strchr("{}[]:,-+.0123456789eEtrufalsn \t\r\n", c) || c == 0)
            return *bad_at = i, false;
    }
    return true;
}

cd_status api_json_parse(const char *text, size_t len, json_object **out, cd_error *err) {
    *out = NULL;
    if (len > INT32_MAX) return cd_fail(err, CD_ERR_TOO_LARGE, "body too large");
    if (memchr(text, '\0', len)) return cd_fail(err, CD_ERR_BAD_JSON, "NUL byte in body");
    size_t bad_at = 0;
    if (!plain_json_chars(text, len, &bad_at))
        return cd_fail(err, CD_ERR_BAD_JSON, "invalid JSON at byte %zu", bad_at);
    json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);
    if (!tok) return cd_fail(err, CD_ERR_NOMEM, "json tokener");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (jerr != json_tokener_success || !obj) {
        json_object_put(obj);
        if (jerr == json_tokener_continue)
            return cd_fail(err, CD_ERR_BAD_JSON, "JSON ends early (%zu bytes)", len);
        return cd_fail(err, CD_ERR_BAD_JSON, "invalid JSON at byte %zu: %s", used,
                       json_tokener_error_desc(jerr));
    }
    for (size_t i = used; i < len; i++) {
        char c = text[i];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            json_object_put(obj);
            return cd_fail(err, CD_ERR_BAD_JSON, "trailing data after JSON at byte %zu", i);
        }
    }
    *out = obj;
    return CD_OK;
}

static const char *str_of(json_object *v) {
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

cd_status api_get_address(json_object *v, const char *what, cd_address *out, cd_error *err) {
    const char *s = str_of(v);
    if (!s) return cd_fail(err, CD_ERR_BAD_JSON, "%s: expected a 0x-hex address string", what);
    if (strncmp(s, "0x", 2) || strlen(s) != 42 || cd_hex_decode_exact(s, out->b, 20) != CD_OK)
        return cd_fail(err, CD_ERR_BAD_HEX, "%s: expected 0x followed by 40 hex digits", what);
    return CD_OK;
}

cd_status api_get_hash(json_object *v, const char *what, cd_hash32 *out, cd_error *err) {
    const char *s = str_of(v);
    if (!s) return cd_fail(err, CD_ERR_BAD_JSON, "%s: expected a 0x-hex string", what);
    if (strncmp(s, "0x", 2) || strlen(s) != 66 || cd_hex_decode_exact(s, out->b, 32) != CD_OK)
        return cd_fail(err, CD_ERR_BAD_HEX, "%s: expected 0x followed by 64 hex digits", what);
    return CD_OK;
}

cd_status api_get_quantity(json_object *v, const char *what, cd_u256 *out, cd_error *err) {
    const char *s = str_of(v);
    if (!s) return cd_fail(err, CD_ERR_BAD_JSON, "%s: expected a 0x-hex quantity string", what);
    if (strncmp(s, "0x", 2) || cd_hex_quantity(s, out, false) != CD_OK)
        return cd_fail(err, CD_ERR_BAD_HEX, "%s: '%.80s' is not a 0x-hex quantity", what, s);
    return CD_OK;
}

cd_status api_get_u64(json_object *v, const char *what, uint64_t *out, cd_error *err) {
    const char *s = str_of(v);
    if (!s) return cd_fail(err, CD_ERR_BAD_JSON, "%s: expected a 0x-hex quantity string", what);
    cd_status st;
    if (strncmp(s, "0x", 2) || (st = cd_hex_quantity_u64(s, out, false)) == CD_ERR_BAD_HEX)
        return cd_fail(err, CD_ERR_BAD_HEX, "%s: '%.80s' is not a 0x-hex quantity", what, s);
    if (st != CD_OK) return cd_fail(err, CD_ERR_TOO_LARGE, "%s: does not fit in 64 bits", what);
    return CD_OK;
}

cd_status api_get_data(json_object *v, const char *what, size_t max, cd_buf *out, cd_error *err) {
    const char *s = str_of(v);
    if (!s) return cd_fail(err, CD_ERR_BAD_JSON, "%s: expected a 0x-hex data string", what);
    size_t n = strlen(s);
    if (strncmp(s, "0x", 2)) return cd_fail(err, CD_ERR_BAD_HEX, "%s: missing 0x prefix", what);
    if ((n - 2) / 2 > max) return cd_fail(err, CD_ERR_TOO_LARGE, "%s: longer than %zu bytes", what, max);
    if (cd_hex_decode_buf(s, n, out) != CD_OK)
        return cd_fail(err, CD_ERR_BAD_HEX, "%s: odd length or non-hex character", what);
    return CD_OK;
}

cd_status api_get_block_ref(json_object *v, const char *what, api_block_ref *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (!v) {
        out->kind = API_BLOCK_LATEST;
        return CD_OK;
    }
    if (json_object_is_type(v, json_type_object)) { /* EIP-1898 */
        json_object *h = NULL, *n = NULL;
        json_object_object_foreach(v, key, val) {
            if (!strcmp(key, "blockHash")) h = val;
            else if (!strcmp(key, "blockNumber")) n = val;
            else if (!strcmp(key, "requireCanonical")) continue;
            else return cd_fail(err, CD_ERR_BAD_JSON, "%s: unknown field '%.40s'", what, key);
        }
        if ((h != NULL) == (n != NULL))
            return cd_fail(err, CD_ERR_BAD_JSON, "%s: give exactly one of blockHash, blockNumber", what);
        return api_get_block_ref(h ? h : n, what, out, err);
    }
    const char *s = str_of(v);
    if (!s) return cd_fail(err, CD_ERR_BAD_JSON, "%s: expected a block tag, number or hash", what);
    if (!strcmp(s, "latest")) out->kind = API_BLOCK_LATEST;
    else if (!strcmp(s, "finalized") || !strcmp(s, "safe")) out->kind = API_BLOCK_FINALIZED;
    else if (!strcmp(s, "pending") || !strcmp(s, "earliest"))
        return cd_fail(err, CD_ERR_UNSUPPORTED, "%s: '%s' blocks cannot be verified", what, s);
    else if (strlen(s) == 66) {
        out->kind = API_BLOCK_HASH;
        return api_get_hash(v, what, &out->hash, err);
    } else {
        out->kind = API_BLOCK_NUMBER;
        return api_get_u64(v, what, &out->number, err);
    }
    return CD_OK;
}

cd_status api_parse_call_request(json_object *body, api_call_request *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (!body || !json_object_is_type(body, json_type_object))
        return cd_fail(err, CD_ERR_BAD_JSON, "body must be a JSON object {\"to\",\"input\",...}");
    bool has_to = false, has_input = false;
    cd_status s = CD_OK;
    json_object_object_foreach(body, key, val) {
        if (!strcmp(key, "to")) {
            s = api_get_address(val, "to", &out->to, err);
            has_to = true;
        } else if (!strcmp(key, "from")) {
            s = api_get_address(val, "from", &out->from, err);
        } else if (!strcmp(key, "input") || !strcmp(key, "data")) {
            if (has_input) s = cd_fail(err, CD_ERR_BAD_JSON, "give only one of input, data");
            else s = api_get_data(val, key, CALL_INPUT_MAX, &out->input, err);
            has_input = true;
        } else if (!strcmp(key, "value")) {
            s = api_get_quantity(val, "value", &out->value, err);
        } else if (!strcmp(key, "gas")) {
            s = api_get_u64(val, "gas", &out->gas, err);
            out->has_gas = true;
        } else if (!strcmp(key, "block")) {
            s = api_get_block_ref(val, "block", &out->block, err);
        } else {
            s = cd_fail(err, CD_ERR_BAD_JSON, "unknown field '%.60s'", key);
        }
        if (s != CD_OK) break;
    }
    if (s == CD_OK && !has_to) s = cd_fail(err, CD_ERR_BAD_JSON, "missing field 'to'");
    if (s == CD_OK && !has_input) s = cd_fail(err, CD_ERR_BAD_JSON, "missing field 'input'");
    if (s != CD_OK) api_call_request_free(out);
    return s;
}

void api_call_request_free(api_call_request *r) { cd_buf_free(&r->input); }

/* ---- answers ---------------------------------------------------------------- */

json_object *api_json_hex(const uint8_t *p, size_t n) {
    char stack[256];
    char *s = 2 * n + 3 <= sizeof stack ? stack : malloc(2 * n + 3);
    if (!s) return NULL;
    cd_hex_encode(s, p, n);
    json_object *o = json_object_new_string_len(s, (int)(2 * n + 2));
    if (s != stack) free(s);
    return o;
}

json_object *api_json_quantity_u64(uint64_t v) {
    char s[24];
    snprintf(s, sizeof s, "0x%llx", (unsigned long long)v);
    return json_object_new_string(s);
}

json_object *api_json_quantity(const cd_u256 *v) {
    char s[70];
    cd_u256_to_quantity(v, s);
    return json_object_new_string(s);
}

void api_response_text(api_response *r, unsigned status, const char *content_type, const char *text,
                       size_t len) {
    r->status = status;
    r->content_type = content_type;
    r->body = malloc(len + 1);
    if (!r->body) {
        r->status = 503;
        r->len = 0;
        return;
    }
    memcpy(r->body, text, len);
    r->body[len] = '\0';
    r->len = len;
}

void api_response_json(api_response *r, unsigned status, json_object *obj) {
    size_t len = 0;
    const char *s = obj ? json_object_to_json_string_length(
                              obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len)
                        : NULL;
    if (!s) {
        static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
        api_response_text(r, 500, NULL, oom, sizeof oom - 1);
    } else {
        api_response_text(r, status, NULL, s, len);
    }
    json_object_put(obj);
}

void api_response_error(api_response *r, unsigned status, const char *code, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_object *e = json_object_new_object(), *o = json_object_new_object();
    if (!e || !o) {
        json_object_put(e);
        json_object_put(o);
        api_response_json(r, status, NULL);
        return;
    }
    json_object_object_add(e, "code", json_object_new_string(code));
    json_object_object_add(e, "message", json_object_new_string(msg));
    json_object_object_add(o, "error", e);
    api_response_json(r, status, o);
}

void api_response_free(api_response *r) {
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

void api_rpc_fail(api_rpc_result *r, int code, const char *fmt, ...) {
    r->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    json_object_put(r->result);
    r->result = NULL;
}
