/* JSON-RPC 2.0 framing: envelopes, batches, error objects. Method semantics live in the
 * backend; this file only makes sure each request is well-formed before it gets there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

static json_object *error_object(int code, const char *message, json_object *data) {
    json_object *e = json_object_new_object();
    if (!e) return NULL;
    json_object_object_add(e, "code", json_object_new_int(code));
    json_object_object_add(e, "message", json_object_new_string(message));
    if (data) json_object_object_add(e, "data", data);
    return e;
}

static json_object *envelope_meta(json_object *id, json_object *result, json_object *error, json_object *meta) {
    json_object *o = json_object_new_object();
    if (!o) {
        json_object_put(result);
        json_object_put(error);
        json_object_put(meta);
        return NULL;
    }
    if (meta) json_object_object_add(o, "candor", meta);
    json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(o, "id", id ? json_object_get(id) : NULL);
    if (error) json_object_object_add(o, "error", error);
    else json_object_object_add(o, "result", result); /* NULL result is JSON null */
    return o;
}

static json_object *envelope(json_object *id, json_object *result, json_object *error) {
    return envelope_meta(id, result, error, NULL);
}

/* One request object -> its response object, or NULL for a notification. */
static json_object *handle_one(const api_backend *b, json_object *req) {
    if (!json_object_is_type(req, json_type_object))
        return envelope(NULL, NULL, error_object(API_RPC_INVALID_REQUEST, "request must be an object", NULL));
    json_object *version = NULL, *method = NULL, *params = NULL, *id = NULL;
    bool has_id = false;
    const char *unknown = NULL;
    json_object_object_foreach(req, key, val) {
        if (!strcmp(key, "jsonrpc")) version = val;
        else if (!strcmp(key, "method")) method = val;
        else if (!strcmp(key, "params")) params = val;
        else if (!strcmp(key, "id")) id = val, has_id = true;
        else unknown = key;
    }
    /* The id is echoed only if it has a legal type; otherwise null, as the spec says. */
    json_object *echo_id = id && (json_object_is_type(id, json_type_string) ||
                                  json_object_is_type(id, json_type_int) ||
                                  json_object_is_type(id, json_type_double))
                               ? id
                               : NULL;
    char msg[160];
    if (unknown) {
        snprintf(msg, sizeof msg, "unknown member '%.60s' in request", unknown);
        return envelope(echo_id, NULL, error_object(API_RPC_INVALID_REQUEST, msg, NULL));
    }
    if (!version || !json_object_is_type(version, json_type_string) ||
        strcmp(json_object_get_string(version), "2.0"))
        return envelope(echo_id, NULL, error_object(API_RPC_INVALID_REQUEST, "jsonrpc must be \"2.0\"", NULL));
    if (has_id && id && !echo_id)
        return envelope(NULL, NULL, error_object(API_RPC_INVALID_REQUEST, "id must be a string, number or null", NULL));
    if (!method || !json_object_is_type(method, json_type_string))
        return envelope(echo_id, NULL, error_object(API_RPC_INVALID_REQUEST, "method must be a string", NULL));
    if (params && !json_object_is_type(params, json_type_array)) {
        if (json_object_is_type(params, json_type_object))
            return envelope(echo_id, NULL, error_object(API_RPC_INVALID_PARAMS, "named params are not supported; use an array", NULL));
        return envelope(echo_id, NULL, error_object(API_RPC_INVALID_REQUEST, "params must be an array", NULL));
    }
    json_object *empty = NULL;
    if (!params) params = empty = json_object_new_array();
    api_rpc_result r;
    memset(&r, 0, sizeof r);
    if (params) b->rpc(b->ctx, json_object_get_string(method), params, &r);
    else api_rpc_fail(&r, API_RPC_INTERNAL, "out of memory");
    json_object_put(empty);
    if (!has_id) { /* notification: the call ran, nothing is returned */
        json_object_put(r.result);
        json_object_put(r.data);
        json_object_put(r.meta);
        return NULL;
    }
    if (r.code) {
        json_object_put(r.result);
        return envelope_meta(echo_id, NULL, error_object(r.code, r.message, r.data), r.meta);
    }
    return envelope_meta(echo_id, r.result, NULL, r.meta);
}

static char *serialise(json_object *o, size_t *out_len) {
    size_t len = 0;
    const char *s = o ? json_object_to_json_string_length(
                            o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len)
                      : NULL;
    char *copy = s ? malloc(len + 1) : NULL;
    if (copy) {
        memcpy(copy, s, len + 1);
        *out_len = len;
    }
    json_object_put(o);
    return copy;
}

char *api_jsonrpc_handle(const api_backend *b, const char *body, size_t len, unsigned max_batch,
                         unsigned *http_status, size_t *out_len) {
    json_object *req = NULL;
    cd_error err;
    *out_len = 0;
    if (api_json_parse(body, len, &req, &err) != CD_OK) {
        *http_status = 400;
        return serialise(envelope(NULL, NULL, error_object(API_RPC_PARSE_ERROR, cd_error_text(&err), NULL)),
                         out_len);
    }
    *http_status = 200;
    if (!json_object_is_type(req, json_type_array)) {
        json_object *resp = handle_one(b, req);
        if (resp && json_object_object_get_ex(resp, "error", NULL) &&
            !json_object_is_type(req, json_type_object))
            *http_status = 400;
        json_object_put(req);
        return resp ? serialise(resp, out_len) : NULL;
    }
    size_t n = json_object_array_length(req);
    if (n == 0 || n > max_batch) {
        char msg[96];
        snprintf(msg, sizeof msg, n ? "batch of %zu requests exceeds the limit of %u" : "empty batch",
                 n, max_batch);
        json_object_put(req);
        *http_status = 400;
        return serialise(envelope(NULL, NULL, error_object(API_RPC_INVALID_REQUEST, msg, NULL)), out_len);
    }
    json_object *out = json_object_new_array();
    if (!out) {
        json_object_put(req);
        *http_status = 503;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *resp = handle_one(b, json_object_array_get_idx(req, i));
        if (resp) json_object_array_add(out, resp);
    }
    json_object_put(req);
    if (json_object_array_length(out) == 0) { /* all notifications */
        json_object_put(out);
        return NULL;
    }
    return serialise(out, out_len);
}
