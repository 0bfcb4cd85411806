/* RLPTests (ethereum/tests): every case both ways. Valid cases: encode `in` and compare with
 * `out`, decode `out` (strictly, whole tree) and compare with `in`. "INVALID": decoding must
 * fail. "VALID": decoding must succeed. Every failing case is listed by file and name. */
#include <json-c/json.h>
#include <stdlib.h>

#include "rlp/rlp.h"
#include "tests/test.h"

/* "#<decimal>" big integers to big-endian bytes (schoolbook x10 + digit). */
static bool decimal_to_be(const char *dec, uint8_t *out, size_t cap, size_t *len) {
    memset(out, 0, cap);
    if (!*dec) return false;
    for (const char *p = dec; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        unsigned carry = (unsigned)(*p - '0');
        for (size_t i = cap; i-- > 0;) {
            unsigned v = out[i] * 10u + carry;
            out[i] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry) return false;
    }
    size_t skip = 0;
    while (skip < cap && out[skip] == 0) skip++;
    memmove(out, out + skip, cap - skip);
    *len = cap - skip;
    return true;
}

/* The byte string a JSON scalar stands for: ints and "#bigint" as minimal big-endian,
 * other strings as their raw bytes. */
static bool scalar_bytes(json_object *j, uint8_t *buf, size_t cap, size_t *len) {
    if (json_object_is_type(j, json_type_int)) {
        uint64_t v = (uint64_t)json_object_get_int64(j);
        size_t n = 0;
        uint8_t tmp[8];
        for (int i = 7; i >= 0; i--) tmp[7 - i] = (uint8_t)(v >> (8 * i));
        while (n < 8 && tmp[n] == 0) n++;
        memcpy(buf, tmp + n, 8 - n);
        *len = 8 - n;
        return true;
    }
    if (!json_object_is_type(j, json_type_string)) return false;
    const char *s = json_object_get_string(j);
    if (s[0] == '#') return decimal_to_be(s + 1, buf, cap, len);
    size_t n = (size_t)json_object_get_string_len(j); /* may hold NUL bytes */
    if (n > cap) return false;
    memcpy(buf, s, n);
    *len = n;
    return true;
}

static cd_status encode_json(json_object *j, cd_buf *out) {
    if (json_object_is_type(j, json_type_array)) {
        size_t mark = out->len;
        for (size_t i = 0; i < json_object_array_length(j); i++) {
            cd_status s = encode_json(json_object_array_get_idx(j, i), out);
            if (s) return s;
        }
        return rlp_wrap_list(out, mark);
    }
    uint8_t buf[1024];
    size_t n = 0;
    if (!scalar_bytes(j, buf, sizeof buf, &n)) return CD_ERR_BAD_JSON;
    return rlp_encode_bytes(out, buf, n);
}

static bool decoded_matches(const rlp_item *it, json_object *j) {
    if (json_object_is_type(j, json_type_array)) {
        rlp_iter iter;
        if (rlp_iter_init(&iter, it) != CD_OK) return false;
        size_t n = json_object_array_length(j);
        for (size_t i = 0; i < n; i++) {
            rlp_item child;
            bool have = false;
            if (rlp_iter_next(&iter, &child, &have) != CD_OK || !have) return false;
            if (!decoded_matches(&child, json_object_array_get_idx(j, i))) return false;
        }
        rlp_item extra;
        bool have = false;
        return rlp_iter_next(&iter, &extra, &have) == CD_OK && !have;
    }
    uint8_t buf[1024];
    size_t n = 0;
    if (!scalar_bytes(j, buf, sizeof buf, &n)) return false;
    if (json_object_is_type(j, json_type_int) && n <= 8) {
        uint64_t v = 0;
        if (rlp_item_u64(it, &v) != CD_OK) return false;
        return v == (uint64_t)json_object_get_int64(j);
    }
    cd_bytes got;
    if (rlp_item_string(it, &got) != CD_OK) return false;
    return cd_bytes_eq(got, cd_bytes_make(buf, n));
}

static void run_case(test_ctx *t, const char *file, const char *name, json_object *tc) {
    char label[256], why[512];
    snprintf(label, sizeof label, "%s/%s", file, name);
    json_object *in = NULL, *outj = NULL;
    if (!json_object_object_get_ex(tc, "in", &in) || !json_object_object_get_ex(tc, "out", &outj)) {
        test_case(t, label, false, "case lacks in/out");
        return;
    }
    const char *out_hex = json_object_get_string(outj);
    cd_buf want = {0}, got = {0};
    bool ok = true;
    why[0] = 0;
    if (cd_hex_decode_buf(out_hex, strlen(out_hex), &want) != CD_OK) {
        test_case(t, label, false, "bad hex in out");
        return;
    }
    const char *in_s = json_object_is_type(in, json_type_string) ? json_object_get_string(in) : NULL;
    cd_status vs = rlp_validate(cd_buf_bytes(&want));
    if (in_s && !strcmp(in_s, "INVALID")) {
        ok = vs != CD_OK;
        if (!ok) snprintf(why, sizeof why, "invalid input decoded");
    } else if (in_s && !strcmp(in_s, "VALID")) {
        ok = vs == CD_OK;
        if (!ok) snprintf(why, sizeof why, "valid input rejected: %s", cd_status_name(vs));
    } else {
        cd_status es = encode_json(in, &got);
        if (es != CD_OK) {
            ok = false;
            snprintf(why, sizeof why, "encode failed: %s", cd_status_name(es));
        } else if (!cd_bytes_eq(cd_buf_bytes(&got), cd_buf_bytes(&want))) {
            ok = false;
            snprintf(why, sizeof why, "encoded %s, want %s", test_hex(got.data, got.len),
                     test_hex(want.data, want.len));
        } else if (vs != CD_OK) {
            ok = false;
            snprintf(why, sizeof why, "decode failed: %s", cd_status_name(vs));
        } else {
            rlp_item it;
            ok = rlp_decode(cd_buf_bytes(&want), &it) == CD_OK && decoded_matches(&it, in);
            if (!ok) snprintf(why, sizeof why, "decoded value differs from in");
        }
    }
    test_case(t, label, ok, why);
    cd_buf_free(&want);
    cd_buf_free(&got);
}

int main(void) {
    test_ctx t;
    test_init(&t, "conf_rlp");
    static const char *const files[] = {"rlptest.json", "invalidRLPTest.json",
                                        "RandomRLPTests/example.json"};
    for (size_t f = 0; f < CD_ARRAY_LEN(files); f++) {
        char rel[256], path[512];
        snprintf(rel, sizeof rel, "execution/RLPTests/%s", files[f]);
        test_vectors_path(path, sizeof path, rel);
        json_object *root = json_object_from_file(path);
        if (!root) {
            test_skip(&t, files[f], "vector file missing or unreadable");
            continue;
        }
        json_object_object_foreach(root, name, tc) run_case(&t, files[f], name, tc);
        json_object_put(root);
    }
    return test_finish(&t);
}
