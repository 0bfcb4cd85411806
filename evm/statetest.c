/* State-test runner: parses the JSON once per test, then for each post entry builds a fresh
 * in-memory state from `pre`, applies the indexed transaction and compares the state root
 * and the logs hash (or, for expectException, that the transaction is rejected). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "evm/evm.h"
#include "evm/internal.h"
#include "evm/statetest.h"

#define ST_MAX_FILE (256u << 20)

void evm_statetest_init(evm_statetest *st) {
    memset(st, 0, sizeof *st);
    st->min_fork = EVM_FRONTIER;
    st->max_fork = EVM_OSAKA;
}

/* ---- JSON helpers ---- */

static const char *jstr(json_object *o, const char *key) {
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) return NULL;
    return json_object_get_string(v);
}

static json_object *jget(json_object *o, const char *key) {
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Quantity "0x..", tolerating "0x" (zero) and leading zeros. false: malformed/too large. */
static bool qty(const char *s, cd_u256 *out) {
    if (!s) return false;
    if (!strcmp(s, "0x") || !strcmp(s, "0X")) {
        memset(out, 0, sizeof *out);
        return true;
    }
    return cd_hex_quantity(s, out, false) == CD_OK;
}

static bool qty64(const char *s, uint64_t *out) {
    cd_u256 v;
    if (!qty(s, &v) || !u256_fits_u64(&v)) return false;
    *out = v.w[0];
    return true;
}

static bool addr(const char *s, cd_address *out) {
    return s && cd_hex_decode_exact(s, out->b, 20) == CD_OK;
}

static bool hash32(const char *s, cd_hash32 *out) { return s && cd_hex_decode_exact(s, out->b, 32) == CD_OK; }

static bool bytes_of(const char *s, cd_buf *out) {
    if (!s) return false;
    out->len = 0;
    if (!strncmp(s, "0x:bigint ", 10)) s += 10;
    size_t n = strlen(s);
    if (n == 2 && s[0] == '0') return true;
    return cd_hex_decode_buf(s, n, out) == CD_OK;
}

/* ---- parsed test ---- */

typedef struct {
    cd_address addr;
    uint64_t nonce;
    cd_u256 balance;
    cd_buf code;
    cd_u256 *keys, *vals;
    size_t n_slots;
} pre_acct;

typedef struct {
    pre_acct *accts;
    size_t n;
} pre_state;

static void pre_free(pre_state *p) {
    for (size_t i = 0; i < p->n; i++) {
        cd_buf_free(&p->accts[i].code);
        free(p->accts[i].keys);
        free(p->accts[i].vals);
    }
    free(p->accts);
}

static bool parse_pre(json_object *pre, pre_state *out) {
    memset(out, 0, sizeof *out);
    if (!pre || !json_object_is_type(pre, json_type_object)) return false;
    size_t n = (size_t)json_object_object_length(pre);
    out->accts = calloc(n ? n : 1, sizeof *out->accts);
    if (!out->accts) return false;
    json_object_object_foreach(pre, key, val) {
        pre_acct *a = &out->accts[out->n++];
        if (!addr(key, &a->addr) || !qty64(jstr(val, "nonce"), &a->nonce) || !qty(jstr(val, "balance"), &a->balance) ||
            !bytes_of(jstr(val, "code"), &a->code))
            return false;
        json_object *st = jget(val, "storage");
        if (st && json_object_is_type(st, json_type_object)) {
            size_t m = (size_t)json_object_object_length(st);
            a->keys = calloc(m ? m : 1, sizeof *a->keys);
            a->vals = calloc(m ? m : 1, sizeof *a->vals);
            if (!a->keys || !a->vals) return false;
            json_object_object_foreach(st, sk, sv) {
                if (!qty(sk, &a->keys[a->n_slots]) || !json_object_is_type(sv, json_type_string) ||
                    !qty(json_object_get_string(sv), &a->vals[a->n_slots]))
                    return false;
                a->n_slots++;
            }
        }
    }
    return true;
}

static cd_status build_state(const pre_state *p, const evm_block *block, evm_memstate **out) {
    evm_memstate *ms;
    cd_status st = evm_memstate_new(&ms);
    if (st != CD_OK) return st;
    for (size_t i = 0; i < p->n && st == CD_OK; i++) {
        const pre_acct *a = &p->accts[i];
        st = evm_memstate_set_account(ms, &a->addr, a->nonce, &a->balance, cd_buf_bytes(&a->code));
        for (size_t k = 0; k < a->n_slots && st == CD_OK; k++)
            st = evm_memstate_set_storage(ms, &a->addr, &a->keys[k], &a->vals[k]);
    }
    if (st != CD_OK) {
        evm_memstate_free(ms);
        return st;
    }
    evm_memstate_set_block(ms, block);
    *out = ms;
    return CD_OK;
}

static bool parse_access_list(json_object *arr, evm_access_list *out) {
    memset(out, 0, sizeof *out);
    if (!arr || json_object_is_type(arr, json_type_null)) return true;
    if (!json_object_is_type(arr, json_type_array)) return false;
    size_t n = json_object_array_length(arr);
    out->entries = calloc(n ? n : 1, sizeof *out->entries);
    if (!out->entries) return false;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        evm_access_entry *x = &out->entries[out->n++];
        if (!addr(jstr(e, "address"), &x->address)) return false;
        json_object *keys = jget(e, "storageKeys");
        size_t k = keys && json_object_is_type(keys, json_type_array) ? json_object_array_length(keys) : 0;
        x->keys = calloc(k ? k : 1, sizeof *x->keys);
        if (!x->keys) return false;
        for (size_t j = 0; j < k; j++) {
            json_object *kv = json_object_array_get_idx(keys, j);
            if (!json_object_is_type(kv, json_type_string) || !qty(json_object_get_string(kv), &x->keys[j]))
                return false;
            x->n_keys++;
        }
    }
    return true;
}

static bool parse_auths(json_object *arr, evm_authorization **out, size_t *n_out) {
    *out = NULL;
    *n_out = 0;
    if (!arr) return true;
    if (!json_object_is_type(arr, json_type_array)) return false;
    size_t n = json_object_array_length(arr);
    evm_authorization *a = calloc(n ? n : 1, sizeof *a);
    if (!a) return false;
    *out = a;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        cd_u256 nonce;
        const char *yp = jstr(e, "yParity") ? jstr(e, "yParity") : jstr(e, "v");
        if (!qty(jstr(e, "chainId"), &a[i].chain_id) || !addr(jstr(e, "address"), &a[i].address) ||
            !qty(jstr(e, "nonce"), &nonce) || !qty(yp, &a[i].y_parity) || !qty(jstr(e, "r"), &a[i].r) ||
            !qty(jstr(e, "s"), &a[i].s))
            return false;
        a[i].nonce_overflow = !u256_fits_u64(&nonce);
        a[i].nonce = nonce.w[0];
        (*n_out)++;
    }
    return true;
}

typedef struct {
    json_object *tx;
    evm_tx base;
    cd_hash32 *blob_hashes;
    evm_authorization *auths;
} tx_template;

static bool parse_tx_template(json_object *tx, tx_template *t) {
    memset(t, 0, sizeof *t);
    t->tx = tx;
    evm_tx *b = &t->base;
    if (!tx || !addr(jstr(tx, "sender"), &b->sender)) return false;
    const char *to = jstr(tx, "to");
    if (!to) return false;
    b->is_create = to[0] == 0;
    if (!b->is_create && !addr(to, &b->to)) return false;
    cd_u256 nonce;
    if (!qty(jstr(tx, "nonce"), &nonce)) return false;
    b->nonce = u256_fits_u64(&nonce) ? nonce.w[0] : UINT64_MAX; /* >= 2^64: invalid anyway */
    if (jstr(tx, "gasPrice") && !qty(jstr(tx, "gasPrice"), &b->gas_price)) return false;
    if (jstr(tx, "maxFeePerGas") && !qty(jstr(tx, "maxFeePerGas"), &b->max_fee_per_gas)) return false;
    if (jstr(tx, "maxPriorityFeePerGas") && !qty(jstr(tx, "maxPriorityFeePerGas"), &b->max_priority_fee_per_gas))
        return false;
    if (jstr(tx, "maxFeePerBlobGas") && !qty(jstr(tx, "maxFeePerBlobGas"), &b->max_fee_per_blob_gas)) return false;
    json_object *bh = jget(tx, "blobVersionedHashes");
    if (bh && json_object_is_type(bh, json_type_array)) {
        size_t n = json_object_array_length(bh);
        t->blob_hashes = calloc(n ? n : 1, sizeof *t->blob_hashes);
        if (!t->blob_hashes) return false;
        for (size_t i = 0; i < n; i++) {
            json_object *h = json_object_array_get_idx(bh, i);
            if (!json_object_is_type(h, json_type_string) || !hash32(json_object_get_string(h), &t->blob_hashes[i]))
                return false;
        }
        b->blob_hashes = t->blob_hashes;
        b->n_blob_hashes = n;
    }
    if (!parse_auths(jget(tx, "authorizationList"), &t->auths, &b->n_authorizations)) return false;
    b->authorizations = t->auths;
    if (jget(tx, "authorizationList")) b->type = 4;
    else if (bh) b->type = 3;
    else if (jstr(tx, "maxFeePerGas")) b->type = 2;
    else if (jget(tx, "accessLists") || jget(tx, "accessList")) b->type = 1;
    return true;
}

static void tx_template_free(tx_template *t) {
    free(t->blob_hashes);
    free(t->auths);
}

static json_object *jidx(json_object *arr, int64_t i) {
    if (!arr || !json_object_is_type(arr, json_type_array) || i < 0 || (size_t)i >= json_object_array_length(arr))
        return NULL;
    return json_object_array_get_idx(arr, (size_t)i);
}

static uint64_t default_fraction(evm_fork f) { return f >= EVM_PRAGUE ? 5007716 : 3338477; }

/* ---- running ---- */

typedef struct {
    evm_statetest *st;
    const char *file;
    const char *test;
} run_ctx;

static void report(run_ctx *rc, const char *label, evm_fork fork, bool ok, const char *why) {
    char name[1024];
    snprintf(name, sizeof name, "%s::%s[%s]", rc->file, rc->test, label);
    if (ok) rc->st->passed[fork]++;
    else rc->st->failed[fork]++;
    if (rc->st->on_case) rc->st->on_case(rc->st->ctx, name, fork, ok, why);
}

static void run_entry(run_ctx *rc, const pre_state *pre, const tx_template *tt, const evm_block *block0,
                      json_object *config, const char *fork_name, evm_fork fork, json_object *entry, int pos) {
    char label[160], why[512];
    json_object *idx = jget(entry, "indexes");
    int64_t di = json_object_get_int64(jget(idx, "data")), gi = json_object_get_int64(jget(idx, "gas")),
            vi = json_object_get_int64(jget(idx, "value"));
    snprintf(label, sizeof label, "%s d=%lld g=%lld v=%lld #%d", fork_name, (long long)di, (long long)gi,
             (long long)vi, pos);
    cd_hash32 want_root, want_logs;
    if (!hash32(jstr(entry, "hash"), &want_root) || !hash32(jstr(entry, "logs"), &want_logs)) {
        report(rc, label, fork, false, "malformed post entry");
        return;
    }
    const char *expect = jstr(entry, "expectException");

    evm_tx tx = tt->base;
    cd_buf data = {0};
    evm_access_list al = {0};
    evm_memstate *ms = NULL;
    evm_result res;
    memset(&res, 0, sizeof res);
    bool ok = false;
    why[0] = 0;

    json_object *jd = jidx(jget(tt->tx, "data"), di), *jg = jidx(jget(tt->tx, "gasLimit"), gi),
                *jv = jidx(jget(tt->tx, "value"), vi);
    const char *vs = jv ? json_object_get_string(jv) : NULL;
    if (!jd || !jg || !jv || !bytes_of(json_object_get_string(jd), &data)) {
        snprintf(why, sizeof why, "indexes out of range or malformed tx");
        goto out;
    }
    tx.data = cd_buf_bytes(&data);
    cd_u256 gl;
    if (!qty(json_object_get_string(jg), &gl)) {
        snprintf(why, sizeof why, "malformed gas limit");
        goto out;
    }
    tx.gas_limit = u256_fits_u64(&gl) ? gl.w[0] : UINT64_MAX;
    if (vs && !strncmp(vs, "0x:bigint ", 10)) {
        cd_buf vb = {0};
        if (bytes_of(vs, &vb) && vb.len <= 32) {
            tx.value = u256_from_be(vb.data, vb.len);
        } else {
            tx.value_overflow = true;
        }
        cd_buf_free(&vb);
    } else if (!qty(vs, &tx.value)) {
        snprintf(why, sizeof why, "malformed value");
        goto out;
    }
    json_object *jal = jidx(jget(tt->tx, "accessLists"), di);
    if (!parse_access_list(jal, &al)) {
        snprintf(why, sizeof why, "malformed access list");
        goto out;
    }
    tx.access_list = al.n ? &al : NULL;
    /* The signed bytes say the type exactly: typed txs start with their type byte. */
    const char *txb = jstr(entry, "txbytes");
    if (txb && strlen(txb) >= 4) {
        uint8_t first;
        size_t n1;
        if (cd_hex_decode(txb, 4, &first, 1, &n1) == CD_OK && first <= 0x7f) tx.type = first;
        else if (cd_hex_decode(txb, 4, &first, 1, &n1) == CD_OK) tx.type = 0;
    }

    evm_block block = *block0;
    evm_blob_schedule sched = {0, 0, 0};
    json_object *bs = jget(jget(config, "blobSchedule"), fork_name);
    if (bs) {
        (void)qty64(jstr(bs, "target"), &sched.target);
        (void)qty64(jstr(bs, "max"), &sched.max);
        (void)qty64(jstr(bs, "baseFeeUpdateFraction"), &sched.update_fraction);
    }
    if (fork >= EVM_CANCUN) {
        uint64_t excess = block.blob_base_fee.w[1]; /* raw excess stashed by parse_env */
        evm_blob_base_fee(excess, sched.update_fraction ? sched.update_fraction : default_fraction(fork),
                          &block.blob_base_fee);
    } else {
        block.blob_base_fee = u256_from_u64(0);
    }

    cd_status s = build_state(pre, &block, &ms);
    if (s != CD_OK) {
        snprintf(why, sizeof why, "pre-state: %s", cd_status_str(s));
        goto out;
    }
    cd_error err;
    cd_error_clear(&err);
    s = evm_memstate_apply_tx(ms, fork, &tx, bs ? &sched : NULL, &res, &err);
    if (s != CD_OK && s != CD_ERR_EVM_TX_INVALID) {
        snprintf(why, sizeof why, "execution error: %s", cd_error_text(&err));
        goto out;
    }
    if (expect && s != CD_ERR_EVM_TX_INVALID) {
        snprintf(why, sizeof why, "expected exception %s, tx was accepted", expect);
        goto out;
    }
    if (!expect && s == CD_ERR_EVM_TX_INVALID) {
        snprintf(why, sizeof why, "tx rejected: %s", cd_error_text(&err));
        goto out;
    }
    cd_hash32 root, logs;
    if (evm_memstate_root(ms, &root) != CD_OK || evm_logs_hash(res.logs, res.n_logs, &logs) != CD_OK) {
        snprintf(why, sizeof why, "root computation failed");
        goto out;
    }
    if (!cd_hash32_eq(&root, &want_root)) {
        char a[67], b[67];
        cd_hex_encode(a, root.b, 32);
        cd_hex_encode(b, want_root.b, 32);
        snprintf(why, sizeof why, "state root %s, expected %s (outcome %d %s, gas %llu)", a, b, res.outcome,
                 evm_halt_name(res.halt), (unsigned long long)res.gas_used);
        goto out;
    }
    if (!cd_hash32_eq(&logs, &want_logs)) {
        snprintf(why, sizeof why, "logs hash differs (%zu logs)", res.n_logs);
        goto out;
    }
    ok = true;
out:
    report(rc, label, fork, ok, ok ? NULL : why);
    evm_result_free(&res);
    evm_memstate_free(ms);
    evm_access_list_free(&al);
    cd_buf_free(&data);
}

static bool parse_env(json_object *env, evm_block *b) {
    memset(b, 0, sizeof *b);
    uint64_t excess = 0;
    if (!env || !addr(jstr(env, "currentCoinbase"), &b->coinbase) || !qty64(jstr(env, "currentGasLimit"), &b->gas_limit) ||
        !qty64(jstr(env, "currentNumber"), &b->number) || !qty64(jstr(env, "currentTimestamp"), &b->timestamp))
        return false;
    if (jstr(env, "currentDifficulty") && !qty(jstr(env, "currentDifficulty"), &b->difficulty)) return false;
    if (jstr(env, "currentRandom")) {
        cd_u256 r;
        if (!qty(jstr(env, "currentRandom"), &r)) return false;
        u256_to_be(&r, b->prevrandao.b);
    }
    if (jstr(env, "currentBaseFee") && !qty(jstr(env, "currentBaseFee"), &b->base_fee)) return false;
    if (jstr(env, "currentExcessBlobGas") && !qty64(jstr(env, "currentExcessBlobGas"), &excess)) return false;
    b->blob_base_fee = u256_from_u64(0);
    b->blob_base_fee.w[1] = excess; /* raw excess; converted per fork in run_entry */
    b->chain_id = 1;
    return true;
}

static void run_test(run_ctx *rc, json_object *test) {
    pre_state pre;
    tx_template tt;
    evm_block block;
    json_object *config = jget(test, "config");
    bool ok_pre = parse_pre(jget(test, "pre"), &pre);
    bool ok_tx = parse_tx_template(jget(test, "transaction"), &tt);
    bool ok_env = parse_env(jget(test, "env"), &block);
    uint64_t cid;
    if (config && qty64(jstr(config, "chainid"), &cid)) block.chain_id = cid;
    json_object *post = jget(test, "post");
    if (!ok_pre || !ok_tx || !ok_env || !post) {
        report(rc, "parse", EVM_FRONTIER, false, !ok_pre ? "malformed pre" : !ok_tx ? "malformed transaction" : "malformed env/post");
    } else {
        json_object_object_foreach(post, fork_name, entries) {
            evm_fork fork;
            if (!evm_fork_from_name(fork_name, &fork)) continue; /* transition forks etc. */
            if (fork < rc->st->min_fork || fork > rc->st->max_fork) continue;
            size_t n = json_object_is_type(entries, json_type_array) ? json_object_array_length(entries) : 0;
            for (size_t i = 0; i < n; i++)
                run_entry(rc, &pre, &tt, &block, config, fork_name, fork, json_object_array_get_idx(entries, i), (int)i);
        }
    }
    pre_free(&pre);
    tx_template_free(&tt);
}

cd_status evm_statetest_run_file(evm_statetest *st, const char *path, cd_error *err) {
    cd_buf raw = {0};
    cd_status s = cd_read_file(path, ST_MAX_FILE, &raw);
    run_ctx rc = {st, path, "(file)"};
    if (s != CD_OK) {
        report(&rc, "read", EVM_FRONTIER, false, cd_status_str(s));
        return cd_fail(err, s, "%s: cannot read", path);
    }
    json_tokener *tok = json_tokener_new_ex(64);
    json_object *root = tok ? json_tokener_parse_ex(tok, (const char *)raw.data, (int)raw.len) : NULL;
    if (tok) json_tokener_free(tok);
    cd_buf_free(&raw);
    if (!root || !json_object_is_type(root, json_type_object)) {
        if (root) json_object_put(root);
        report(&rc, "parse", EVM_FRONTIER, false, "not a JSON object");
        return cd_fail(err, CD_ERR_BAD_JSON, "%s: not a state test", path);
    }
    json_object_object_foreach(root, name, test) {
        rc.test = name;
        run_test(&rc, test);
    }
    json_object_put(root);
    return CD_OK;
}
