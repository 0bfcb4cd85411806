#include "mpt/mpt_json.h"

#include <string.h>

const char *mptj_str(const json_object *obj, const char *name) {
    json_object *v = NULL;
    if (!obj || !json_object_object_get_ex(obj, name, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static cd_status missing(const char *name, cd_error *err) {
    return cd_fail(err, CD_ERR_BAD_JSON, "field \"%s\" missing or not a string", name);
}

cd_status mptj_fixed(const json_object *obj, const char *name, uint8_t *out, size_t n, cd_error *err) {
    const char *s = mptj_str(obj, name);
    if (!s) return missing(name, err);
    if (cd_hex_decode_exact(s, out, n) != CD_OK)
        return cd_fail(err, CD_ERR_BAD_HEX, "field \"%s\" is not %zu bytes of hex", name, n);
    return CD_OK;
}

cd_status mptj_hash(const json_object *obj, const char *name, cd_hash32 *out, cd_error *err) {
    return mptj_fixed(obj, name, out->b, 32, err);
}

cd_status mptj_address(const json_object *obj, const char *name, cd_address *out, cd_error *err) {
    return mptj_fixed(obj, name, out->b, 20, err);
}

cd_status mptj_u256(const json_object *obj, const char *name, cd_u256 *out, cd_error *err) {
    const char *s = mptj_str(obj, name);
    if (!s) return missing(name, err);
    cd_status st = cd_hex_quantity(s, out, false);
    if (st) return cd_fail(err, st, "field \"%s\" is not a 256-bit hex quantity", name);
    return CD_OK;
}

cd_status mptj_u64(const json_object *obj, const char *name, uint64_t *out, cd_error *err) {
    const char *s = mptj_str(obj, name);
    if (!s) return missing(name, err);
    cd_status st = cd_hex_quantity_u64(s, out, false);
    if (st) return cd_fail(err, st, "field \"%s\" is not a 64-bit hex quantity", name);
    return CD_OK;
}

cd_status mptj_bytes(const json_object *obj, const char *name, size_t max, cd_buf *out, cd_error *err) {
    const char *s = mptj_str(obj, name);
    if (!s) return missing(name, err);
    size_t len = strlen(s);
    if (len / 2 > max + 1) return cd_fail(err, CD_ERR_TOO_LARGE, "field \"%s\" exceeds %zu bytes", name, max);
    cd_status st = cd_hex_decode_buf(s, len, out);
    if (st) return cd_fail(err, st, "field \"%s\" is not hex bytes", name);
    return CD_OK;
}
