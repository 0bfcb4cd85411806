/* TrieTests (ethereum/tests): trie roots from key/value sets, in-order files (updates and
 * deletes applied in sequence) and any-order files, plain and secure (key = keccak(key)).
 * trietestnextprev.json tests key iteration: the trie of its keys is built and proven by
 * our own code, its nodes (the union of every key's proof) are walked in order with
 * mpt_trie_walk, and each query's previous and next keys are read off that walk. */
#include <json-c/json.h>
#include <stdlib.h>

#include "crypto/keccak.h"
#include "mpt/mpt.h"
#include "tests/test.h"

typedef struct {
    cd_buf key, value;
} kv;

typedef struct {
    kv *items;
    size_t n, cap;
} kv_set;

/* "0x.." is hex, anything else its raw bytes; null means delete. */
static bool field_bytes(json_object *j, cd_buf *out) {
    if (!j) return true;
    const char *s = json_object_get_string(j);
    size_t len = (size_t)json_object_get_string_len(j);
    if (len >= 2 && s[0] == '0' && s[1] == 'x') return cd_hex_decode_buf(s, len, out) == CD_OK;
    return cd_buf_append(out, s, len) == CD_OK;
}

static bool set_put(kv_set *set, cd_buf *key, cd_buf *value) {
    for (size_t i = 0; i < set->n; i++) {
        if (cd_bytes_eq(cd_buf_bytes(&set->items[i].key), cd_buf_bytes(key))) {
            cd_buf_free(&set->items[i].key);
            cd_buf_free(&set->items[i].value);
            if (value->len == 0) { /* delete */
                set->items[i] = set->items[--set->n];
                cd_buf_free(key);
                cd_buf_free(value);
                return true;
            }
            set->items[i].key = *key;
            set->items[i].value = *value;
            return true;
        }
    }
    if (value->len == 0) {
        cd_buf_free(key);
        cd_buf_free(value);
        return true;
    }
    if (set->n == set->cap) {
        kv *p = cd_grow_array(set->items, &set->cap, sizeof *p, 16);
        if (!p) return false;
        set->items = p;
    }
    set->items[set->n].key = *key;
    set->items[set->n].value = *value;
    set->n++;
    return true;
}

static void set_free(kv_set *set) {
    for (size_t i = 0; i < set->n; i++) {
        cd_buf_free(&set->items[i].key);
        cd_buf_free(&set->items[i].value);
    }
    free(set->items);
}

static bool apply_pair(kv_set *set, json_object *k, json_object *v) {
    cd_buf key = {0}, value = {0};
    if (!field_bytes(k, &key) || !field_bytes(v, &value)) {
        cd_buf_free(&key);
        cd_buf_free(&value);
        return false;
    }
    return set_put(set, &key, &value);
}

static void run_case(test_ctx *t, const char *file, const char *name, json_object *tc, bool secure) {
    char label[256], why[256] = "";
    snprintf(label, sizeof label, "%s/%s", file, name);
    json_object *in = NULL, *rootj = NULL;
    cd_hash32 want, got;
    if (!json_object_object_get_ex(tc, "in", &in) || !json_object_object_get_ex(tc, "root", &rootj) ||
        cd_hex_decode_exact(json_object_get_string(rootj), want.b, 32) != CD_OK) {
        test_case(t, label, false, "case lacks in/root");
        return;
    }
    kv_set set = {0};
    bool ok = true;
    if (json_object_is_type(in, json_type_array)) {
        for (size_t i = 0; ok && i < json_object_array_length(in); i++) {
            json_object *pair = json_object_array_get_idx(in, i);
            ok = json_object_is_type(pair, json_type_array) && json_object_array_length(pair) == 2 &&
                 apply_pair(&set, json_object_array_get_idx(pair, 0), json_object_array_get_idx(pair, 1));
        }
    } else {
        json_object_object_foreach(in, k, v) {
            json_object *kj = json_object_new_string(k);
            ok = ok && kj && apply_pair(&set, kj, v);
            json_object_put(kj);
        }
    }
    cd_bytes *keys = calloc(set.n + 1, sizeof *keys), *values = calloc(set.n + 1, sizeof *values);
    uint8_t(*hashed)[32] = calloc(set.n + 1, 32);
    if (!ok || !keys || !values || !hashed) {
        snprintf(why, sizeof why, "could not read the case");
        ok = false;
    } else {
        for (size_t i = 0; i < set.n; i++) {
            keys[i] = cd_buf_bytes(&set.items[i].key);
            if (secure) {
                keccak256(keys[i].ptr, keys[i].len, hashed[i]);
                keys[i] = cd_bytes_make(hashed[i], 32);
            }
            values[i] = cd_buf_bytes(&set.items[i].value);
        }
        cd_status s = mpt_trie_root(keys, values, set.n, &got);
        if (s) {
            ok = false;
            snprintf(why, sizeof why, "mpt_trie_root: %s", cd_status_name(s));
        } else if (!cd_hash32_eq(&got, &want)) {
            ok = false;
            snprintf(why, sizeof why, "root %s, want %s", test_hex(got.b, 32), test_hex(want.b, 32));
        }
    }
    test_case(t, label, ok, why);
    free(keys);
    free(values);
    free(hashed);
    set_free(&set);
}

/* Keys in walk order, as mpt_trie_walk visits them. */
typedef struct {
    cd_buf keys[64];
    size_t n;
} walk_keys;

static cd_status collect_key(void *ctx, cd_bytes key, cd_bytes value) {
    (void)value;
    walk_keys *wk = ctx;
    if (wk->n == CD_ARRAY_LEN(wk->keys)) return CD_ERR_TOO_LARGE;
    wk->keys[wk->n] = (cd_buf){0};
    if (cd_buf_append(&wk->keys[wk->n], key.ptr, key.len)) return CD_ERR_NOMEM;
    wk->n++;
    return CD_OK;
}

static int bytes_cmp(cd_bytes a, cd_bytes b) {
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

static bool str_is(cd_bytes k, const char *s) {
    return k.len == strlen(s) && (k.len == 0 || memcmp(k.ptr, s, k.len) == 0);
}

/* Builds the trie of the "in" keys (each key its own value), walks it from its proof nodes,
 * checks the walk yields exactly the keys in ascending order, then answers every
 * [query, prev, next] from the walk. */
static void run_nextprev_case(test_ctx *t, const char *name, json_object *tc) {
    char label[256], why[256] = "";
    snprintf(label, sizeof label, "trietestnextprev.json/%s", name);
    json_object *in, *tests;
    if (!json_object_object_get_ex(tc, "in", &in) || !json_object_object_get_ex(tc, "tests", &tests) ||
        !json_object_is_type(in, json_type_array) || !json_object_is_type(tests, json_type_array)) {
        test_case(t, label, false, "malformed test");
        return;
    }
    size_t n = json_object_array_length(in);
    cd_bytes keys[64];
    walk_keys wk = {.n = 0};
    mpt_proof_buf proofs[64];
    size_t n_proofs = 0, n_nodes = 0;
    cd_bytes nodes[64 * 8];
    bool ok = n <= CD_ARRAY_LEN(keys);
    if (!ok) snprintf(why, sizeof why, "too many keys");
    for (size_t i = 0; ok && i < n; i++) {
        const char *k = json_object_get_string(json_object_array_get_idx(in, i));
        keys[i] = cd_bytes_make(k, strlen(k));
    }
    cd_hash32 root;
    ok = ok && mpt_trie_root(keys, keys, n, &root) == CD_OK;
    for (size_t i = 0; ok && i < n; i++, n_proofs++) {
        cd_hash32 r;
        ok = mpt_trie_prove(keys, keys, n, keys[i], &proofs[i], &r) == CD_OK && cd_hash32_eq(&r, &root);
        for (size_t j = 0; ok && j < proofs[i].count && n_nodes < CD_ARRAY_LEN(nodes); j++)
            nodes[n_nodes++] = mpt_proof_buf_node(&proofs[i], j);
    }
    if (!ok && !why[0]) snprintf(why, sizeof why, "building or proving the trie failed");
    cd_error err;
    cd_error_clear(&err);
    if (ok && mpt_trie_walk(&root, nodes, n_nodes, collect_key, &wk, &err) != CD_OK) {
        ok = false;
        snprintf(why, sizeof why, "walk: %s", cd_error_text(&err));
    }
    /* The walk must give back exactly the inserted keys, strictly ascending. */
    if (ok && wk.n != n) {
        ok = false;
        snprintf(why, sizeof why, "walk visited %zu keys, %zu inserted", wk.n, n);
    }
    for (size_t i = 1; ok && i < wk.n; i++)
        if (bytes_cmp(cd_buf_bytes(&wk.keys[i - 1]), cd_buf_bytes(&wk.keys[i])) >= 0) {
            ok = false;
            snprintf(why, sizeof why, "walk out of order at key %zu", i);
        }
    for (size_t q = 0; ok && q < json_object_array_length(tests); q++) {
        json_object *c = json_object_array_get_idx(tests, q);
        const char *query = json_object_get_string(json_object_array_get_idx(c, 0));
        const char *want_prev = json_object_get_string(json_object_array_get_idx(c, 1));
        const char *want_next = json_object_get_string(json_object_array_get_idx(c, 2));
        if (!query || !want_prev || !want_next) {
            ok = false;
            snprintf(why, sizeof why, "malformed query %zu", q);
            break;
        }
        cd_bytes qb = cd_bytes_make(query, strlen(query)), prev = {NULL, 0}, next = {NULL, 0};
        for (size_t i = 0; i < wk.n; i++) {
            cd_bytes k = cd_buf_bytes(&wk.keys[i]);
            if (bytes_cmp(k, qb) < 0) prev = k;
            if (bytes_cmp(k, qb) > 0 && next.len == 0) next = k;
        }
        if (!str_is(prev, want_prev) || !str_is(next, want_next)) {
            ok = false;
            snprintf(why, sizeof why, "query \"%.40s\": prev/next differ from \"%.40s\"/\"%.40s\"", query, want_prev,
                     want_next);
        }
    }
    test_case(t, label, ok, why);
    for (size_t i = 0; i < n_proofs; i++) mpt_proof_buf_free(&proofs[i]);
    for (size_t i = 0; i < wk.n; i++) cd_buf_free(&wk.keys[i]);
}

int main(void) {
    test_ctx t;
    test_init(&t, "conf_trie");
    static const struct {
        const char *file;
        bool secure;
    } files[] = {
        {"trietest.json", false},
        {"trieanyorder.json", false},
        {"trietest_secureTrie.json", true},
        {"trieanyorder_secureTrie.json", true},
        {"hex_encoded_securetrie_test.json", true},
    };
    for (size_t f = 0; f < CD_ARRAY_LEN(files); f++) {
        char rel[256], path[512];
        snprintf(rel, sizeof rel, "execution/TrieTests/%s", files[f].file);
        test_vectors_path(path, sizeof path, rel);
        json_object *root = json_object_from_file(path);
        if (!root) {
            test_skip(&t, files[f].file, "vector file missing or unreadable");
            continue;
        }
        json_object_object_foreach(root, name, tc) run_case(&t, files[f].file, name, tc, files[f].secure);
        json_object_put(root);
    }
    char path[512];
    test_vectors_path(path, sizeof path, "execution/TrieTests/trietestnextprev.json");
    json_object *np = json_object_from_file(path);
    if (!np) {
        test_skip(&t, "trietestnextprev.json", "vector file missing or unreadable");
    } else {
        json_object_object_foreach(np, name, tc) run_nextprev_case(&t, name, tc);
        json_object_put(np);
    }
    return test_finish(&t);
}
