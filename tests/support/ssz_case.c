#include "tests/support/ssz_case.h"

#include <json-c/json.h>
#include <stdio.h>

#include "tests/support/files.h"
#include "tests/support/yaml.h"
#include "tests/test.h"

bool test_ssz_valid_case(const ssz_type *t, const char *dir, const char *roots_file, char *why, size_t whylen) {
    char path[4096];
    cd_buf ser = {0}, enc = {0};
    yaml_doc val = {0}, meta = {0};
    json_object *j = NULL;
    bool ok = false;
    cd_error e = {0};
    test_join_path(path, sizeof path, dir, "serialized.ssz_snappy");
    if (test_read_snappy(path, &ser) != CD_OK) {
        snprintf(why, whylen, "cannot read serialized.ssz_snappy");
        goto done;
    }
    test_join_path(path, sizeof path, dir, "value.yaml");
    cd_status st = yaml_parse_file(&val, path, 64 << 20, &e);
    test_join_path(path, sizeof path, dir, roots_file);
    if (st == CD_OK) st = yaml_parse_file(&meta, path, 1 << 20, &e);
    if (st != CD_OK) {
        snprintf(why, whylen, "yaml: %s", cd_error_text(&e));
        goto done;
    }
    if (ssz_validate(t, cd_buf_bytes(&ser), &e) != CD_OK) {
        snprintf(why, whylen, "valid bytes rejected: %s", cd_error_text(&e));
        goto done;
    }
    bool jok;
    j = yaml_to_json(val.root, &jok);
    if (!jok || ssz_from_json(t, j, &enc, &e) != CD_OK) {
        snprintf(why, whylen, "encode value.yaml: %s", jok ? cd_error_text(&e) : "oom");
        goto done;
    }
    if (!cd_bytes_eq(cd_buf_bytes(&enc), cd_buf_bytes(&ser))) {
        snprintf(why, whylen, "encoding differs: %s vs %s", test_hex(enc.data, enc.len), test_hex(ser.data, ser.len));
        goto done;
    }
    cd_hash32 root, want;
    if (ssz_hash_tree_root(t, cd_buf_bytes(&ser), &root, &e) != CD_OK ||
        yaml_hex_exact(yaml_get(meta.root, "root"), want.b, 32) != CD_OK) {
        snprintf(why, whylen, "root: %s", cd_error_text(&e));
        goto done;
    }
    if (!cd_hash32_eq(&root, &want)) {
        snprintf(why, whylen, "root %s != %s", test_hex(root.b, 32), test_hex(want.b, 32));
        goto done;
    }
    ok = true;
done:
    json_object_put(j);
    yaml_free(&val);
    yaml_free(&meta);
    cd_buf_free(&ser);
    cd_buf_free(&enc);
    return ok;
}

