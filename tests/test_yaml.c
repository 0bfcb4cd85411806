/* Unit tests for the test-vector YAML reader (tests/support/yaml.c). */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tests/support/yaml.h"
#include "tests/test.h"

static cd_status parse_str(yaml_doc *d, const char *s) {
    return yaml_parse(d, s, strlen(s), NULL);
}

static void test_block_mapping_and_sequences(test_ctx *t) {
    const char *src =
        "# comment\n"
        "---\n"
        "leaf: '0xd2ef'   # trailing comment\n"
        "leaf_index: 54\n"
        "branch:\n"
        "- '0x01'\n"
        "- \"0x02\"\n"
        "nested:\n"
        "  a: 1\n"
        "  list:\n"
        "    - x\n"
        "    - y: 2\n"
        "      z: null\n"
        "    -\n"
        "      deep: [1, 2]\n"
        "  empty:\n"
        "url: http://a:b\n";
    yaml_doc d;
    CHECK_OK(t, parse_str(&d, src));
    const yaml_node *r = d.root;
    CHECK(t, r && r->kind == YAML_MAP);
    CHECK_EQ_INT(t, r->count, 5);
    CHECK_EQ_STR(t, yaml_get(r, "leaf")->str, "0xd2ef");
    CHECK(t, yaml_get(r, "leaf")->quoted);
    uint64_t v = 0;
    CHECK_OK(t, yaml_u64(yaml_get(r, "leaf_index"), &v));
    CHECK_EQ_U64(t, v, 54);
    const yaml_node *br = yaml_get(r, "branch");
    CHECK(t, br && br->kind == YAML_SEQ && br->count == 2);
    CHECK_EQ_STR(t, yaml_at(br, 1)->str, "0x02");
    const yaml_node *n = yaml_get(r, "nested");
    const yaml_node *l = yaml_get(n, "list");
    CHECK(t, l && l->count == 3);
    CHECK_EQ_STR(t, yaml_at(l, 0)->str, "x");
    CHECK(t, yaml_at(l, 1)->kind == YAML_MAP && yaml_at(l, 1)->count == 2);
    CHECK(t, yaml_is_null(yaml_get(yaml_at(l, 1), "z")));
    const yaml_node *deep = yaml_get(yaml_at(l, 2), "deep");
    CHECK(t, deep && deep->kind == YAML_SEQ && deep->count == 2);
    CHECK(t, yaml_get(n, "empty") && yaml_get(n, "empty")->kind == YAML_NULL);
    CHECK_EQ_STR(t, yaml_get(r, "url")->str, "http://a:b");
    yaml_free(&d);
}

static void test_flow_and_quotes(test_ctx *t) {
    const char *src =
        "{updates_count: 57, x: [a, 'b c', {k: v}, []], e: {}}\n";
    yaml_doc d;
    CHECK_OK(t, parse_str(&d, src));
    const yaml_node *r = d.root;
    uint64_t v;
    CHECK_OK(t, yaml_u64(yaml_get(r, "updates_count"), &v));
    CHECK_EQ_U64(t, v, 57);
    const yaml_node *x = yaml_get(r, "x");
    CHECK(t, x && x->count == 4);
    CHECK_EQ_STR(t, yaml_at(x, 1)->str, "b c");
    CHECK_EQ_STR(t, yaml_get(yaml_at(x, 2), "k")->str, "v");
    CHECK(t, yaml_at(x, 3)->kind == YAML_SEQ && yaml_at(x, 3)->count == 0);
    CHECK(t, yaml_get(r, "e")->kind == YAML_MAP);
    yaml_free(&d);

    /* Portal-style wrapped hex: backslash joins lines; escapes; folding. */
    const char *src2 =
        "content_value:\n"
        "  \"0x6a95\\\n"
        "  a1a9\"\n"
        "s: 'it''s'\n"
        "f: \"a\n   b\"\n"
        "esc: \"\\x41\\u00e9\\t\"\n"
        "q: \"null\"\n"
        "- flow: [1,\n  2]\n";
    CHECK_ERR(t, parse_str(&d, src2), CD_ERR_BAD_YAML); /* "- " at key level */
    yaml_free(&d);
    const char *src3 =
        "content_value:\n"
        "  \"0x6a95\\\n"
        "  a1a9\"\n"
        "s: 'it''s'\n"
        "f: \"a\n   b\"\n"
        "esc: \"\\x41\\u00e9\\t\"\n"
        "q: \"null\"\n"
        "flow: [1,\n  2]\n";
    CHECK_OK(t, parse_str(&d, src3));
    uint8_t buf[8];
    size_t n = 0;
    CHECK_OK(t, yaml_hex(yaml_get(d.root, "content_value"), buf, sizeof buf, &n));
    CHECK_EQ_BYTES(t, buf, n, "\x6a\x95\xa1\xa9", 4);
    CHECK_EQ_STR(t, yaml_get(d.root, "s")->str, "it's");
    CHECK_EQ_STR(t, yaml_get(d.root, "f")->str, "a b");
    CHECK_EQ_STR(t, yaml_get(d.root, "esc")->str, "A\xc3\xa9\t");
    CHECK(t, !yaml_is_null(yaml_get(d.root, "q")));
    CHECK_EQ_INT(t, yaml_get(d.root, "flow")->count, 2);
    yaml_free(&d);
}

static void test_scalars(test_ctx *t) {
    yaml_doc d;
    CHECK_OK(t, parse_str(&d, "a: 18446744073709551615\nb: 18446744073709551616\nc: -1\nd: true\n"
                               "e: 340282366920938463463374607431768211455\nf: '0x0102'\n"));
    uint64_t v;
    CHECK_OK(t, yaml_u64(yaml_get(d.root, "a"), &v));
    CHECK_EQ_U64(t, v, UINT64_MAX);
    CHECK_ERR(t, yaml_u64(yaml_get(d.root, "b"), &v), CD_ERR_BAD_YAML);
    CHECK_ERR(t, yaml_u64(yaml_get(d.root, "c"), &v), CD_ERR_BAD_YAML);
    CHECK_ERR(t, yaml_u64(yaml_get(d.root, "missing"), &v), CD_ERR_BAD_YAML);
    bool b = false;
    CHECK_OK(t, yaml_bool(yaml_get(d.root, "d"), &b));
    CHECK(t, b);
    uint8_t le[16], ones[16];
    memset(ones, 0xff, sizeof ones);
    CHECK_OK(t, yaml_uint_le(yaml_get(d.root, "e"), le, 16));
    CHECK_EQ_BYTES(t, le, 16, ones, 16);
    CHECK_ERR(t, yaml_uint_le(yaml_get(d.root, "e"), le, 15), CD_ERR_BAD_YAML);
    uint8_t h[2];
    CHECK_OK(t, yaml_hex_exact(yaml_get(d.root, "f"), h, 2));
    CHECK_ERR(t, yaml_hex_exact(yaml_get(d.root, "f"), h, 1), CD_ERR_BAD_HEX);
    CHECK_ERR(t, yaml_hex_exact(yaml_get(d.root, "a"), h, 2), CD_ERR_BAD_HEX);
    yaml_free(&d);
}

static void test_bad_input(test_ctx *t) {
    static const char *const bad[] = {
        "a: 'unterminated\n",
        "a: \"x\\q\"\n",
        "a: [1, 2\n",
        "a: {k: v\n",
        "a: [1,,2]\n",
        "a: 1\n  b: 2\n",
        "a:\n  - 1\n   - 2\n",
        "a: 1\na: 2\n",
        "a: &anchor 1\n",
        "a: *alias\n",
        "a: |\n  text\n",
        "a: 1\n---\nb: 2\n",
        "\ta: 1\n",
        "a: [1] x\n",
        "key: - 1\n",
        "a: \"\\u12\"\n",
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(bad); i++) {
        yaml_doc d;
        cd_error e = {0};
        cd_status st = yaml_parse(&d, bad[i], strlen(bad[i]), &e);
        if (st != CD_ERR_BAD_YAML) test_fail_at(t, __FILE__, __LINE__, "case %zu accepted: %s", i, bad[i]);
        else CHECK(t, strstr(e.msg, "YAML line") != NULL);
        yaml_free(&d);
    }
    /* Deep nesting is bounded, not a stack overflow. */
    char deep[4096];
    size_t k = 0;
    for (; k < 2000; k++) deep[k] = '[';
    deep[k] = 0;
    yaml_doc d;
    CHECK_ERR(t, yaml_parse(&d, deep, k, NULL), CD_ERR_BAD_YAML);
    yaml_free(&d);
    /* Empty / whitespace-only documents are null, not errors. */
    CHECK_OK(t, yaml_parse(&d, "", 0, NULL));
    CHECK(t, yaml_is_null(d.root));
    yaml_free(&d);
    CHECK_OK(t, parse_str(&d, "# only\n\n"));
    CHECK(t, yaml_is_null(d.root));
    yaml_free(&d);
    /* Embedded NUL and binary junk: an error, never a crash. */
    const char junk[] = "a: \x01\x00\xff: [\n";
    CHECK_FAILS(t, yaml_parse(&d, junk, sizeof junk - 1, NULL));
    yaml_free(&d);
}

/* Every truncation of a real-looking document parses or fails cleanly (ASan watches). */
static void test_truncations(test_ctx *t) {
    const char *src = "a:\n  - {k: [1, '2'], j: \"x\\\n y\"}\n  - b: c\n    d:\n    - e\nf: 'g'\n";
    size_t n = strlen(src);
    int ok = 0;
    for (size_t i = 0; i <= n; i++) {
        char *copy = malloc(i ? i : 1); /* exact size, so over-reads are caught */
        if (!copy) return;
        memcpy(copy, src, i);
        yaml_doc d;
        if (yaml_parse(&d, copy, i, NULL) == CD_OK) ok++;
        yaml_free(&d);
        free(copy);
    }
    CHECK(t, ok > 3);
}

static int parse_tree(test_ctx *t, const char *dir, int budget) {
    DIR *dh = opendir(dir);
    if (!dh) return 0;
    int parsed = 0;
    struct dirent *de;
    while ((de = readdir(dh)) && parsed < budget) {
        if (de->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            parsed += parse_tree(t, path, budget - parsed);
        } else if (strstr(de->d_name, ".yaml")) {
            yaml_doc d;
            cd_error e = {0};
            if (yaml_parse_file(&d, path, 64 << 20, &e) != CD_OK)
                test_fail_at(t, __FILE__, __LINE__, "%s", cd_error_text(&e));
            else if (yaml_is_null(d.root))
                test_fail_at(t, __FILE__, __LINE__, "%s: empty document", path);
            yaml_free(&d);
            parsed++;
        }
    }
    closedir(dh);
    return parsed;
}

/* The real files this reader exists for must all parse. */
static void test_vector_files(test_ctx *t) {
    char path[4096];
    test_vectors_path(path, sizeof path, "consensus");
    if (!test_path_exists(path)) {
        fprintf(stderr, "  yaml: vectors missing, real-file check skipped\n");
        return;
    }
    const char *quick = getenv("CANDOR_CONFORMANCE");
    int budget = quick && !strcmp(quick, "full") ? 1 << 30 : 1500;
    int n = parse_tree(t, path, budget);
    test_data_path(path, sizeof path, "beacon-lc-mainnet-deneb-portal");
    n += parse_tree(t, path, 100);
    fprintf(stderr, "  yaml: %d real vector/data files parsed\n", n);
    CHECK(t, n > 100);
}

static void test_portal_file(test_ctx *t) {
    char path[4096];
    test_data_path(path, sizeof path, "beacon-lc-mainnet-deneb-portal/bootstrap.yaml");
    if (!test_path_exists(path)) return;
    yaml_doc d;
    CHECK_OK(t, yaml_parse_file(&d, path, 16 << 20, NULL));
    cd_buf b = {0};
    CHECK_OK(t, yaml_hex_buf(yaml_get(d.root, "content_key"), &b));
    CHECK_EQ_INT(t, b.len, 33);
    CHECK(t, b.len == 33 && b.data[0] == 0x10 && b.data[1] == 0x33 && b.data[32] == 0xbf);
    b.len = 0;
    CHECK_OK(t, yaml_hex_buf(yaml_get(d.root, "content_value"), &b));
    CHECK(t, b.len > 4 && b.data[0] == 0x6a && b.data[3] == 0xa9);
    cd_buf_free(&b);
    yaml_free(&d);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_yaml");
    TEST_RUN(&t, test_block_mapping_and_sequences);
    TEST_RUN(&t, test_flow_and_quotes);
    TEST_RUN(&t, test_scalars);
    TEST_RUN(&t, test_bad_input);
    TEST_RUN(&t, test_truncations);
    TEST_RUN(&t, test_vector_files);
    TEST_RUN(&t, test_portal_file);
    return test_finish(&t);
}
