/* Conformance: consensus-spec-tests general/phase0/ssz_generic.
 * valid cases: value.yaml encodes to serialized.ssz_snappy byte for byte, the bytes validate,
 * and hash_tree_root equals meta.yaml's root. invalid cases: decoding must fail (or the
 * type itself is invalid, e.g. a zero-length vector). */
#include <json-c/json.h>
#include <stdlib.h>

#include "consensus/ssz.h"
#include "tests/support/yaml.h"
#include "tests/support/files.h"
#include "tests/support/ssz_case.h"
#include "tests/test.h"

typedef struct {
    int passed, failed;
} suite_count;

static const ssz_type *elem_type(ssz_schema *s, const char *name) {
    if (!strcmp(name, "bool")) return ssz_t_bool(s);
    if (!strncmp(name, "uint", 4)) {
        int bits = atoi(name + 4);
        return bits % 8 ? NULL : ssz_t_uint(s, (size_t)bits / 8);
    }
    return NULL;
}

static const ssz_type *test_container(ssz_schema *s, const char *name) {
    const ssz_type *u8 = ssz_t_uint(s, 1), *u16 = ssz_t_uint(s, 2), *u32 = ssz_t_uint(s, 4),
                   *u64 = ssz_t_uint(s, 8);
    if (!strcmp(name, "SingleFieldTestStruct")) return ssz_t_container(s, name, 1, "A", u8);
    if (!strcmp(name, "SmallTestStruct")) return ssz_t_container(s, name, 2, "A", u16, "B", u16);
    if (!strcmp(name, "FixedTestStruct")) return ssz_t_container(s, name, 3, "A", u8, "B", u64, "C", u32);
    const ssz_type *var = ssz_t_container(s, "VarTestStruct", 3, "A", u16, "B", ssz_t_list(s, u16, 1024), "C", u8);
    if (!strcmp(name, "VarTestStruct")) return var;
    if (!strcmp(name, "ComplexTestStruct")) {
        const ssz_type *fixed = ssz_t_container(s, "FixedTestStruct", 3, "A", u8, "B", u64, "C", u32);
        return ssz_t_container(s, name, 7, "A", u16, "B", ssz_t_list(s, u16, 128), "C", u8, "D",
                               ssz_t_bytelist(s, 256), "E", var, "F", ssz_t_vector(s, fixed, 4), "G",
                               ssz_t_vector(s, var, 2));
    }
    if (!strcmp(name, "BitsStruct"))
        return ssz_t_container(s, name, 5, "A", ssz_t_bitlist(s, 5), "B", ssz_t_bitvector(s, 2), "C",
                               ssz_t_bitvector(s, 1), "D", ssz_t_bitlist(s, 6), "E", ssz_t_bitvector(s, 8));
    return NULL;
}

/* The type is spelled in the case name: uint_64_.., vec_uint16_31_.., bitlist_512_.., Name_... */
static const ssz_type *type_for_case(ssz_schema *s, const char *handler, const char *c, bool *known) {
    *known = true;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", c);
    if (!strcmp(handler, "boolean")) return ssz_t_bool(s);
    if (!strcmp(handler, "uints")) return ssz_t_uint(s, (size_t)atoi(c + 5) / 8);
    if (!strcmp(handler, "bitvector")) return ssz_t_bitvector(s, strtoull(c + 7, NULL, 10));
    if (!strcmp(handler, "bitlist")) return ssz_t_bitlist(s, strtoull(c + 8, NULL, 10));
    if (!strcmp(handler, "basic_vector")) {
        char *elem = buf + 4, *us = strchr(elem, '_');
        if (!us) return NULL;
        *us = 0;
        return ssz_t_vector(s, elem_type(s, elem), strtoull(us + 1, NULL, 10));
    }
    if (!strcmp(handler, "containers")) {
        char *us = strchr(buf, '_');
        if (us) *us = 0;
        return test_container(s, buf);
    }
    *known = false;
    return NULL;
}

static bool run_invalid(const ssz_type *t, const char *dir, char *why, size_t whylen) {
    if (!t) return true; /* the type itself cannot exist (e.g. Vector[_, 0]) */
    char path[4096];
    cd_buf ser = {0};
    test_join_path(path, sizeof path, dir, "serialized.ssz_snappy");
    if (test_read_snappy(path, &ser) != CD_OK) {
        snprintf(why, whylen, "cannot read serialized.ssz_snappy");
        cd_buf_free(&ser);
        return false;
    }
    cd_error e = {0};
    cd_status st = ssz_validate(t, cd_buf_bytes(&ser), &e);
    if (st == CD_OK) snprintf(why, whylen, "invalid bytes accepted: %s", test_hex(ser.data, ser.len));
    cd_buf_free(&ser);
    return st != CD_OK;
}

int main(void) {
    test_ctx t;
    test_init(&t, "conf_ssz_generic");
    char root[4096];
    test_vectors_path(root, sizeof root, "consensus/tests/general/phase0/ssz_generic");
    if (!test_path_exists(root)) {
        test_skip(&t, "ssz_generic", "vectors missing");
        return test_finish(&t);
    }
    char **handlers;
    size_t nh = test_list_dir(root, &handlers);
    for (size_t h = 0; h < nh; h++) {
        for (int valid = 1; valid >= 0; valid--) {
            char dir[4096];
            char hdir[4096];
            test_join_path(hdir, sizeof hdir, root, handlers[h]);
            test_join_path(dir, sizeof dir, hdir, valid ? "valid" : "invalid");
            char **cases;
            size_t nc = test_list_dir(dir, &cases);
            suite_count cnt = {0, 0};
            for (size_t c = 0; c < nc; c++) {
                ssz_schema s;
                if (ssz_schema_init(&s) != CD_OK) continue;
                bool known;
                const ssz_type *ty = type_for_case(&s, handlers[h], cases[c], &known);
                char cdir[4096], name[512], why[512] = "";
                test_join_path(cdir, sizeof cdir, dir, cases[c]);
                snprintf(name, sizeof name, "ssz_generic/%s/%s/%s", handlers[h], valid ? "valid" : "invalid", cases[c]);
                bool ok;
                if (!known) {
                    ok = false;
                    snprintf(why, sizeof why, "unknown handler");
                } else if (valid) {
                    ok = ty && test_ssz_valid_case(ty, cdir, "meta.yaml", why, sizeof why);
                    if (!ty && !why[0]) snprintf(why, sizeof why, "type from case name not supported");
                } else {
                    ok = run_invalid(ty, cdir, why, sizeof why);
                }
                test_case(&t, name, ok, why);
                if (ok) cnt.passed++;
                else cnt.failed++;
                ssz_schema_free(&s);
            }
            if (nc)
                fprintf(stderr, "  ssz_generic %-13s %-7s %4d passed, %d failed\n", handlers[h],
                        valid ? "valid" : "invalid", cnt.passed, cnt.failed);
            test_list_free(cases, nc);
        }
    }
    test_list_free(handlers, nh);
    return test_finish(&t);
}
