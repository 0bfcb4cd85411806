/* BLS conformance: every BLS vector under $CANDOR_VECTORS.
 *
 *   bls12-381-tests/json/<handler>/<case>.json                (ethereum/bls12-381-tests)
 *   consensus/tests/general/{phase0,altair}/bls/<handler>/bls/<case>/data.yaml
 *
 * Both formats are {input: ..., output: ...}; YAML cases go through the shared test YAML
 * reader and are converted to json-c objects, so one set of handlers serves both. The suite
 * is small (about 200 cases, a few ms each), so quick mode runs all of it.
 * Prints per-handler pass counts; every failing case is reported by name.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/bls12_381.h"
#include "crypto/bls_internal.h"
#include "tests/support/yaml.h"
#include "tests/support/files.h"
#include "tests/test.h"

#define MAX_ITEMS 256
#define MAX_MSG 4096

/* ---- json helpers ---------------------------------------------------------------------- */

static const char *jstr(json_object *o) {
    return (o && json_object_is_type(o, json_type_string)) ? json_object_get_string(o) : NULL;
}

static json_object *jget(json_object *o, const char *key) {
    json_object *v = NULL;
    if (!o || !json_object_is_type(o, json_type_object)) return NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Hex string to bytes; returns length or -1. */
static long jhex(json_object *o, uint8_t *buf, size_t cap) {
    const char *s = jstr(o);
    if (!s) return -1;
    size_t n = 0;
    if (cd_hex_decode(s, strlen(s), buf, cap, &n) != CD_OK) return -1;
    return (long)n;
}

/* Expected boolean output; "true"/"false" strings come from YAML. */
static bool jbool(json_object *o, bool *out) {
    if (!o) return false;
    if (json_object_is_type(o, json_type_boolean)) {
        *out = json_object_get_boolean(o);
        return true;
    }
    const char *s = jstr(o);
    if (s && strcmp(s, "true") == 0) return (*out = true), true;
    if (s && strcmp(s, "false") == 0) return (*out = false), true;
    return false;
}

static bool jis_null(json_object *o) { return o == NULL || json_object_is_type(o, json_type_null); }

/* Array of fixed-size hex items. Returns count, or -1 if malformed/too many; *bad_len set when
 * some item has the wrong length (the case then expects failure). */
static long jhex_list(json_object *arr, uint8_t *out, size_t item, bool *bad_len) {
    *bad_len = false;
    if (!arr || !json_object_is_type(arr, json_type_array)) return -1;
    size_t n = json_object_array_length(arr);
    if (n > MAX_ITEMS) return -1;
    for (size_t i = 0; i < n; i++) {
        uint8_t tmp[256];
        long l = jhex(json_object_array_get_idx(arr, i), tmp, sizeof tmp);
        if (l < 0) return -1;
        if ((size_t)l != item) *bad_len = true;
        else memcpy(out + i * item, tmp, item);
    }
    return (long)n;
}

/* ---- handlers: each returns true when our result matches the expected output ------------ */

typedef bool (*handler_fn)(json_object *in, json_object *out, char *why, size_t why_len);

static bool h_verify(json_object *in, json_object *out, char *why, size_t wl) {
    uint8_t pk[64], sig[128], msg[MAX_MSG];
    long lpk = jhex(jget(in, "pubkey"), pk, sizeof pk), lsig = jhex(jget(in, "signature"), sig, sizeof sig);
    long lm = jhex(jget(in, "message"), msg, sizeof msg);
    bool want;
    if (lm < 0 || !jbool(out, &want)) return snprintf(why, wl, "malformed case"), false;
    cd_status s = (lpk == 48 && lsig == 96) ? bls_verify(pk, msg, (size_t)lm, sig) : CD_ERR_BAD_POINT_ENCODING;
    snprintf(why, wl, "expected %s, got %s", want ? "valid" : "invalid", cd_status_name(s));
    return (s == CD_OK) == want;
}

static bool fav_common(json_object *in, json_object *out, char *why, size_t wl, bool eth) {
    static uint8_t pks[MAX_ITEMS][48];
    uint8_t sig[128], msg[MAX_MSG];
    bool bad_len, want;
    long n = jhex_list(jget(in, "pubkeys"), &pks[0][0], 48, &bad_len);
    long lsig = jhex(jget(in, "signature"), sig, sizeof sig);
    long lm = jhex(jget(in, "message"), msg, sizeof msg);
    if (n < 0 || lm < 0 || !jbool(out, &want)) return snprintf(why, wl, "malformed case"), false;
    cd_status s;
    if (bad_len || lsig != 96) {
        s = CD_ERR_BAD_POINT_ENCODING;
    } else if (!eth) {
        s = bls_fast_aggregate_verify_compressed((const uint8_t(*)[48])pks, (size_t)n, msg, (size_t)lm, sig);
    } else {
        static bls_pubkey keys[MAX_ITEMS];
        const bls_pubkey *ptrs[MAX_ITEMS];
        s = CD_OK;
        for (long i = 0; i < n && s == CD_OK; i++) {
            s = bls_pubkey_decompress(&keys[i], pks[i]);
            ptrs[i] = &keys[i];
        }
        if (s == CD_OK) s = bls_eth_fast_aggregate_verify(ptrs, (size_t)n, msg, (size_t)lm, sig);
    }
    snprintf(why, wl, "expected %s, got %s", want ? "valid" : "invalid", cd_status_name(s));
    return (s == CD_OK) == want;
}

static bool h_fast_aggregate_verify(json_object *in, json_object *out, char *why, size_t wl) {
    return fav_common(in, out, why, wl, false);
}
static bool h_eth_fast_aggregate_verify(json_object *in, json_object *out, char *why, size_t wl) {
    return fav_common(in, out, why, wl, true);
}

/* messages list -> cd_bytes into one backing store */
static long msg_list(json_object *arr, uint8_t *store, size_t cap, cd_bytes *msgs) {
    if (!arr || !json_object_is_type(arr, json_type_array)) return -1;
    size_t n = json_object_array_length(arr), used = 0;
    if (n > MAX_ITEMS) return -1;
    for (size_t i = 0; i < n; i++) {
        long l = jhex(json_object_array_get_idx(arr, i), store + used, cap - used);
        if (l < 0) return -1;
        msgs[i] = cd_bytes_make(store + used, (size_t)l);
        used += (size_t)l;
    }
    return (long)n;
}

static bool h_aggregate_verify(json_object *in, json_object *out, char *why, size_t wl) {
    static uint8_t pks[MAX_ITEMS][48], store[MAX_ITEMS * 64];
    static cd_bytes msgs[MAX_ITEMS];
    uint8_t sig[128];
    bool bad_len, want;
    long n = jhex_list(jget(in, "pubkeys"), &pks[0][0], 48, &bad_len);
    long m = msg_list(jget(in, "messages"), store, sizeof store, msgs);
    long lsig = jhex(jget(in, "signature"), sig, sizeof sig);
    if (n < 0 || m < 0 || !jbool(out, &want)) return snprintf(why, wl, "malformed case"), false;
    cd_status s;
    if (bad_len || lsig != 96) s = CD_ERR_BAD_POINT_ENCODING;
    else if (n != m) s = CD_ERR_INVALID_ARG;
    else s = bls_aggregate_verify((const uint8_t(*)[48])pks, msgs, (size_t)n, sig);
    snprintf(why, wl, "expected %s, got %s", want ? "valid" : "invalid", cd_status_name(s));
    return (s == CD_OK) == want;
}

static bool h_batch_verify(json_object *in, json_object *out, char *why, size_t wl) {
    static uint8_t pks[MAX_ITEMS][48], sigs[MAX_ITEMS][96], store[MAX_ITEMS * 64];
    static cd_bytes msgs[MAX_ITEMS];
    bool bad1, bad2, want;
    long n = jhex_list(jget(in, "pubkeys"), &pks[0][0], 48, &bad1);
    long m = msg_list(jget(in, "messages"), store, sizeof store, msgs);
    long k = jhex_list(jget(in, "signatures"), &sigs[0][0], 96, &bad2);
    if (n < 0 || m < 0 || k < 0 || !jbool(out, &want)) return snprintf(why, wl, "malformed case"), false;
    cd_status s;
    if (bad1 || bad2) s = CD_ERR_BAD_POINT_ENCODING;
    else if (n != m || n != k) s = CD_ERR_INVALID_ARG;
    else s = bls_batch_verify((const uint8_t(*)[48])pks, msgs, (const uint8_t(*)[96])sigs, (size_t)n);
    snprintf(why, wl, "expected %s, got %s", want ? "valid" : "invalid", cd_status_name(s));
    return (s == CD_OK) == want;
}

/* input is the list itself (aggregate, eth_aggregate_pubkeys); output hex or null */
static bool aggregate_common(json_object *in, json_object *out, char *why, size_t wl, size_t item) {
    static uint8_t packed[MAX_ITEMS * 96]; /* items back to back, `item` bytes each */
    uint8_t res[96], want[128];
    bool bad_len;
    long n = jhex_list(in, packed, item, &bad_len);
    if (n < 0) return snprintf(why, wl, "malformed case"), false;
    cd_status s;
    if (bad_len) {
        s = CD_ERR_BAD_POINT_ENCODING;
    } else {
        s = item == 96 ? bls_aggregate_signatures((const uint8_t(*)[96])packed, (size_t)n, res)
                       : bls_eth_aggregate_pubkeys((const uint8_t(*)[48])packed, (size_t)n, res);
    }
    if (jis_null(out)) {
        snprintf(why, wl, "expected failure, got %s", cd_status_name(s));
        return s != CD_OK;
    }
    long lw = jhex(out, want, sizeof want);
    if (lw != (long)item) return snprintf(why, wl, "malformed expected output"), false;
    if (s != CD_OK) return snprintf(why, wl, "expected success, got %s", cd_status_name(s)), false;
    snprintf(why, wl, "got %s", test_hex(res, item));
    return memcmp(res, want, item) == 0;
}

static bool h_aggregate(json_object *in, json_object *out, char *why, size_t wl) {
    return aggregate_common(in, out, why, wl, 96);
}
static bool h_eth_aggregate_pubkeys(json_object *in, json_object *out, char *why, size_t wl) {
    return aggregate_common(in, out, why, wl, 48);
}

static bool h_sign(json_object *in, json_object *out, char *why, size_t wl) {
    uint8_t sk[64], msg[MAX_MSG], sig[96], want[128];
    long lsk = jhex(jget(in, "privkey"), sk, sizeof sk), lm = jhex(jget(in, "message"), msg, sizeof msg);
    if (lm < 0) return snprintf(why, wl, "malformed case"), false;
    cd_status s = lsk == 32 ? bls_sign(sk, msg, (size_t)lm, sig) : CD_ERR_BAD_SCALAR;
    if (jis_null(out)) {
        snprintf(why, wl, "expected failure, got %s", cd_status_name(s));
        return s != CD_OK;
    }
    if (jhex(out, want, sizeof want) != 96) return snprintf(why, wl, "malformed expected output"), false;
    if (s != CD_OK) return snprintf(why, wl, "expected success, got %s", cd_status_name(s)), false;
    snprintf(why, wl, "got %s", test_hex(sig, 96));
    return memcmp(sig, want, 96) == 0;
}

static bool h_deser_g1(json_object *in, json_object *out, char *why, size_t wl) {
    uint8_t b[128];
    bool want;
    long l = jhex(jget(in, "pubkey"), b, sizeof b);
    if (!jbool(out, &want)) return snprintf(why, wl, "malformed case"), false;
    cd_status s = CD_ERR_BAD_POINT_ENCODING;
    if (l == 48) {
        bls_g1_affine p;
        s = bls_g1_decompress(&p, b);
        if (s == CD_OK && !bls_g1_is_in_subgroup(&p)) s = CD_ERR_NOT_IN_SUBGROUP;
    }
    snprintf(why, wl, "expected %s, got %s", want ? "valid" : "invalid", cd_status_name(s));
    return (s == CD_OK) == want;
}

static bool h_deser_g2(json_object *in, json_object *out, char *why, size_t wl) {
    uint8_t b[256];
    bool want;
    long l = jhex(jget(in, "signature"), b, sizeof b);
    if (!jbool(out, &want)) return snprintf(why, wl, "malformed case"), false;
    cd_status s = CD_ERR_BAD_POINT_ENCODING;
    if (l == 96) {
        bls_g2_affine p;
        s = bls_g2_decompress(&p, b);
        if (s == CD_OK && !bls_g2_is_in_subgroup(&p)) s = CD_ERR_NOT_IN_SUBGROUP;
    }
    snprintf(why, wl, "expected %s, got %s", want ? "valid" : "invalid", cd_status_name(s));
    return (s == CD_OK) == want;
}

/* "0x<c0>,0x<c1>" */
static bool parse_fp2_pair(const char *s, bls_fp2 *out) {
    const char *comma = s ? strchr(s, ',') : NULL;
    if (!comma) return false;
    uint8_t b[96];
    size_t n0 = 0, n1 = 0;
    if (cd_hex_decode(s, (size_t)(comma - s), b, 48, &n0) != CD_OK || n0 != 48) return false;
    if (cd_hex_decode(comma + 1, strlen(comma + 1), b + 48, 48, &n1) != CD_OK || n1 != 48) return false;
    return bls_fp2_from_bytes(out, b) == CD_OK;
}

static bool h_hash_to_g2(json_object *in, json_object *out, char *why, size_t wl) {
    static const char dst[] = "QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_";
    const char *msg = jstr(jget(in, "msg"));
    bls_g2_affine want;
    if (!msg || !parse_fp2_pair(jstr(jget(out, "x")), &want.x) ||
        !parse_fp2_pair(jstr(jget(out, "y")), &want.y))
        return snprintf(why, wl, "malformed case"), false;
    bls_g2 h;
    cd_status s = bls_hash_to_g2(&h, (const uint8_t *)msg, strlen(msg), (const uint8_t *)dst, strlen(dst));
    if (s != CD_OK) return snprintf(why, wl, "hash_to_g2: %s", cd_status_name(s)), false;
    bls_g2_affine got;
    bls_g2_to_affine(&got, &h);
    uint8_t gx[96];
    bls_fp2_to_bytes(gx, &got.x);
    snprintf(why, wl, "got x = %s", test_hex(gx, 96));
    return !got.infinity && bls_fp2_eq(&got.x, &want.x) && bls_fp2_eq(&got.y, &want.y);
}

typedef struct {
    const char *name;
    handler_fn fn;
    int passed, total;
} handler;

static handler HANDLERS[] = {
    {"aggregate", h_aggregate, 0, 0},
    {"aggregate_verify", h_aggregate_verify, 0, 0},
    {"batch_verify", h_batch_verify, 0, 0},
    {"deserialization_G1", h_deser_g1, 0, 0},
    {"deserialization_G2", h_deser_g2, 0, 0},
    {"fast_aggregate_verify", h_fast_aggregate_verify, 0, 0},
    {"hash_to_G2", h_hash_to_g2, 0, 0},
    {"sign", h_sign, 0, 0},
    {"verify", h_verify, 0, 0},
    {"eth_aggregate_pubkeys", h_eth_aggregate_pubkeys, 0, 0},
    {"eth_fast_aggregate_verify", h_eth_fast_aggregate_verify, 0, 0},
};

static handler *find_handler(const char *name) {
    for (size_t i = 0; i < CD_ARRAY_LEN(HANDLERS); i++)
        if (strcmp(HANDLERS[i].name, name) == 0) return &HANDLERS[i];
    return NULL;
}

/* Runs one case and records it under "<suite>/<handler>" counters. */
static void run_case(test_ctx *t, handler *h, const char *case_name, json_object *root,
                     int *passed, int *total) {
    char why[512] = "";
    bool ok = false;
    json_object *in = jget(root, "input"), *out = NULL;
    if (!root || !json_object_object_get_ex(root, "output", &out) || !in)
        snprintf(why, sizeof why, "case has no input/output");
    else
        ok = h->fn(in, out, why, sizeof why);
    test_case(t, case_name, ok, why);
    (*total)++;
    if (ok) (*passed)++;
}

static void run_json_suite(test_ctx *t) {
    char root[1024];
    test_vectors_path(root, sizeof root, "bls12-381-tests/json");
    if (!test_path_exists(root)) {
        test_skip(t, "bls12-381-tests", "vectors missing");
        return;
    }
    char **handlers;
    size_t nh = test_list_dir(root, &handlers);
    for (size_t i = 0; i < nh; i++) {
        handler *h = find_handler(handlers[i]);
        char dir[1400];
        snprintf(dir, sizeof dir, "%s/%s", root, handlers[i]);
        if (!h) {
            test_case(t, handlers[i], false, "no handler for this vector folder");
            continue;
        }
        char **files;
        size_t nf = test_list_dir(dir, &files);
        int passed = 0, total = 0;
        for (size_t j = 0; j < nf; j++) {
            char path[2000], name[600];
            snprintf(path, sizeof path, "%s/%s", dir, files[j]);
            snprintf(name, sizeof name, "bls12-381-tests/%s/%s", handlers[i], files[j]);
            json_object *obj = json_object_from_file(path);
            run_case(t, h, name, obj, &passed, &total);
            json_object_put(obj);
        }
        printf("  bls12-381-tests/%s: %d/%d passed\n", handlers[i], passed, total);
        test_list_free(files, nf);
    }
    test_list_free(handlers, nh);
}

static void run_yaml_suite(test_ctx *t, const char *fork) {
    char root[1024], rel[256];
    snprintf(rel, sizeof rel, "consensus/tests/general/%s/bls", fork);
    test_vectors_path(root, sizeof root, rel);
    if (!test_path_exists(root)) {
        test_skip(t, rel, "vectors missing");
        return;
    }
    char **handlers;
    size_t nh = test_list_dir(root, &handlers);
    for (size_t i = 0; i < nh; i++) {
        handler *h = find_handler(handlers[i]);
        if (!h) {
            test_case(t, handlers[i], false, "no handler for this vector folder");
            continue;
        }
        char dir[1400];
        snprintf(dir, sizeof dir, "%s/%s/bls", root, handlers[i]);
        char **cases;
        size_t nc = test_list_dir(dir, &cases);
        int passed = 0, total = 0;
        for (size_t j = 0; j < nc; j++) {
            char path[2000], name[600];
            snprintf(path, sizeof path, "%s/%s/data.yaml", dir, cases[j]);
            snprintf(name, sizeof name, "%s/%s/%s", rel, handlers[i], cases[j]);
            yaml_doc doc;
            cd_error err;
            json_object *obj = NULL;
            if (yaml_parse_file(&doc, path, 1 << 20, &err) == CD_OK) {
                bool ok = true;
                obj = yaml_to_json(doc.root, &ok);
                if (!ok) {
                    json_object_put(obj);
                    obj = NULL;
                }
            }
            yaml_free(&doc);
            run_case(t, h, name, obj, &passed, &total);
            json_object_put(obj);
        }
        printf("  %s/%s: %d/%d passed\n", rel, handlers[i], passed, total);
        test_list_free(cases, nc);
    }
    test_list_free(handlers, nh);
}

int main(void) {
    test_ctx t;
    /* CANDOR_BLS_PATH=portable: the harness forced the portable field path (GLIBC_TUNABLES,
     * see scripts/bls_portable.sh); a case checks that the dispatch really took it. */
    const char *want = getenv("CANDOR_BLS_PATH");
    bool forced = want && strcmp(want, "portable") == 0;
    test_init(&t, forced ? "conf_bls_portable" : "conf_bls");
    printf("conf_bls: field path %s; all cases run in quick and full mode (suite is small)\n",
           bls_fp_adx_usable() ? "adx" : "portable");
    if (forced)
        test_case(&t, "field path forced to portable", !bls_fp_adx_usable(),
                  "GLIBC_TUNABLES did not reach the dispatch: the ADX path is still in use");
    run_json_suite(&t);
    run_yaml_suite(&t, "phase0");
    run_yaml_suite(&t, "altair");
    return test_finish(&t);
}
