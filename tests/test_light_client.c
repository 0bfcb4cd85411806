/* Unit tests for the light client: configs and fork digests, the real mainnet Deneb chain
 * (../shared/data/beacon-lc-mainnet-deneb-portal) through bootstrap, updates, finality and
 * optimistic updates, tampering, JSON and stream inputs, and store persistence. */
#include <json-c/json.h>
#include <stdlib.h>
#include <unistd.h>

#include "consensus/lc_internal.h"
#include "consensus/light_client.h"
#include "consensus/ssz.h"
#include "tests/support/yaml.h"
#include "tests/test.h"

#define PORTAL "beacon-lc-mainnet-deneb-portal"

static const char *const checkpoint_hex = "0x33d75f8506929d950a6d9e43508e92e50a072a39978821900e3a2e261f80ddbf";
/* Far enough after every signature slot of the data set. */
static const uint64_t now_slot = 10248458 + 100;

/* content_value of a Portal test file (hex wrapped over lines). */
static bool portal_value(const char *file, cd_buf *out) {
    char rel[256], path[4096];
    snprintf(rel, sizeof rel, PORTAL "/%s", file);
    test_data_path(path, sizeof path, rel);
    yaml_doc d;
    bool ok = yaml_parse_file(&d, path, 16 << 20, NULL) == CD_OK &&
              yaml_hex_buf(yaml_get(d.root, "content_value"), out) == CD_OK;
    yaml_free(&d);
    return ok;
}

static bool have_data(void) {
    char path[4096];
    test_data_path(path, sizeof path, PORTAL "/bootstrap.yaml");
    return test_path_exists(path);
}

typedef struct {
    lc_config cfg;
    cd_hash32 checkpoint;
    cd_buf bootstrap, updates, finality, optimistic; /* digest + SSZ; updates: List[ByteList] */
    cd_bytes update_items[8];
    size_t n_updates;
} portal;

static bool portal_load(test_ctx *t, portal *p) {
    memset(p, 0, sizeof *p);
    CHECK_OK(t, lc_config_builtin(&p->cfg, "mainnet"));
    CHECK_OK(t, cd_hex_decode_exact(checkpoint_hex, p->checkpoint.b, 32));
    if (!portal_value("bootstrap.yaml", &p->bootstrap) || !portal_value("updates.yaml", &p->updates) ||
        !portal_value("finality_update.yaml", &p->finality) || !portal_value("optimistic_update.yaml", &p->optimistic)) {
        test_fail_at(t, __FILE__, __LINE__, "cannot read the Portal data set");
        return false;
    }
    /* List[ByteList]: 4-byte offsets, then the items */
    const uint8_t *u = p->updates.data;
    size_t len = p->updates.len;
    if (len < 4) return false;
    size_t first = (size_t)u[0] | (size_t)u[1] << 8 | (size_t)u[2] << 16 | (size_t)u[3] << 24;
    p->n_updates = first / 4;
    CHECK(t, p->n_updates == 2);
    if (p->n_updates == 0 || p->n_updates > 8 || first > len) return false;
    for (size_t i = 0; i < p->n_updates; i++) {
        size_t a = (size_t)u[4 * i] | (size_t)u[4 * i + 1] << 8 | (size_t)u[4 * i + 2] << 16 | (size_t)u[4 * i + 3] << 24;
        size_t b = i + 1 < p->n_updates ? ((size_t)u[4 * i + 4] | (size_t)u[4 * i + 5] << 8 |
                                           (size_t)u[4 * i + 6] << 16 | (size_t)u[4 * i + 7] << 24)
                                        : len;
        if (a > b || b > len) return false;
        p->update_items[i] = cd_bytes_make(u + a, b - a);
    }
    return true;
}

static void portal_free(portal *p) {
    cd_buf_free(&p->bootstrap);
    cd_buf_free(&p->updates);
    cd_buf_free(&p->finality);
    cd_buf_free(&p->optimistic);
}

/* Splits "digest || SSZ" and resolves the fork. */
static cd_bytes payload(test_ctx *t, const lc_config *cfg, cd_bytes item, lc_fork *fork) {
    *fork = LC_FORK_PHASE0;
    if (item.len < 4) return cd_bytes_make(NULL, 0);
    CHECK_OK(t, lc_fork_from_digest(cfg, item.ptr, fork));
    return cd_bytes_make(item.ptr + 4, item.len - 4);
}

static cd_status do_bootstrap(test_ctx *t, const portal *p, lc_store *st, cd_bytes boot, cd_error *e) {
    lc_fork f;
    cd_bytes b = payload(t, &p->cfg, boot, &f);
    return lc_store_bootstrap(st, &p->checkpoint, f, b, e);
}

static cd_status do_process(test_ctx *t, const portal *p, lc_store *st, lc_msg_kind kind, cd_bytes item, cd_error *e) {
    lc_fork f;
    cd_bytes b = payload(t, &p->cfg, item, &f);
    return lc_store_process(st, kind, f, b, now_slot, e);
}

/* Full replay; returns the status of the first failure. */
static cd_status replay(test_ctx *t, const portal *p, lc_store *st, cd_bytes boot, cd_bytes u0, cd_bytes u1,
                        cd_bytes fin, cd_bytes opt, cd_error *e) {
    cd_status s = do_bootstrap(t, p, st, boot, e);
    if (s == CD_OK) s = do_process(t, p, st, LC_MSG_UPDATE, u0, e);
    if (s == CD_OK) s = do_process(t, p, st, LC_MSG_UPDATE, u1, e);
    if (s == CD_OK) s = do_process(t, p, st, LC_MSG_FINALITY_UPDATE, fin, e);
    if (s == CD_OK) s = do_process(t, p, st, LC_MSG_OPTIMISTIC_UPDATE, opt, e);
    return s;
}

static void check_final_state(test_ctx *t, const lc_store *st) {
    const lc_header *f = lc_store_finalized(st), *o = lc_store_optimistic(st);
    CHECK(t, f && o);
    if (!f || !o) return;
    CHECK_EQ_U64(t, f->beacon.slot, 10248384);
    CHECK_EQ_U64(t, f->execution.block_number, 21038093);
    CHECK_EQ_U64(t, o->beacon.slot, 10248457);
    CHECK_EQ_U64(t, o->execution.block_number, 21038166);
    CHECK(t, f->has_execution && o->has_execution);
    CHECK_EQ_U64(t, lc_store_current_period(st), 1251);
}

static void test_config(test_ctx *t) {
    lc_config c;
    static const char *const nets[] = {"mainnet", "sepolia", "holesky", "hoodi", "minimal"};
    for (size_t i = 0; i < CD_ARRAY_LEN(nets); i++) {
        CHECK_OK(t, lc_config_builtin(&c, nets[i]));
        CHECK_EQ_STR(t, c.name, nets[i]);
    }
    CHECK_ERR(t, lc_config_builtin(&c, "goerli"), CD_ERR_LC_BAD_CONFIG);
    CHECK_OK(t, lc_config_builtin(&c, "mainnet"));
    CHECK_EQ_U64(t, c.fork_epoch[LC_FORK_DENEB], 269568);
    CHECK_EQ_U64(t, c.sync_committee_size, 512);
    CHECK_EQ_INT(t, lc_fork_at_epoch(&c, 269567), LC_FORK_CAPELLA);
    CHECK_EQ_INT(t, lc_fork_at_epoch(&c, 269568), LC_FORK_DENEB);
    CHECK_EQ_U64(t, lc_period_at_slot(&c, 10248000), 1251 - 1);
    CHECK_EQ_U64(t, lc_current_slot(&c, 1606824023 + 120), 10);
    /* mainnet Deneb fork digest, as in the Portal data set's context bytes */
    uint8_t d[4];
    lc_fork_digest_at_epoch(&c, 300000, d);
    CHECK_EQ_BYTES(t, d, 4, "\x6a\x95\xa1\xa9", 4);
    lc_fork f;
    CHECK_OK(t, lc_fork_from_digest(&c, d, &f));
    CHECK_EQ_INT(t, f, LC_FORK_DENEB);
    CHECK_ERR(t, lc_fork_from_digest(&c, (const uint8_t *)"\0\0\0\0", &f), CD_ERR_LC_UNKNOWN_FORK);
    /* Fulu digests change with the blob schedule (EIP-7892), and each maps back to fulu. */
    uint8_t d1[4], d2[4];
    lc_fork_digest_at_epoch(&c, 411392, d1);
    lc_fork_digest_at_epoch(&c, 412672, d2);
    CHECK(t, memcmp(d1, d2, 4) != 0);
    /* Mainnet's digest under BPO2 (epoch 419072, 21 blobs), a value published by other
     * clients' test suites: pins the blob-parameter mixing of compute_fork_digest. */
    uint8_t d3[4];
    lc_fork_digest_at_epoch(&c, 419072, d3);
    CHECK_EQ_BYTES(t, d3, 4, "\x8c\x9f\x62\xfe", 4);
    CHECK_OK(t, lc_fork_from_digest(&c, d2, &f));
    CHECK_EQ_INT(t, f, LC_FORK_FULU);
    CHECK_OK(t, lc_fork_from_name("Electra", &f));
    CHECK_EQ_INT(t, f, LC_FORK_ELECTRA);
    CHECK_ERR(t, lc_fork_from_name("gloas", &f), CD_ERR_LC_UNKNOWN_FORK);

    /* The official config files parse and agree with the built-ins. */
    char path[4096];
    test_vectors_path(path, sizeof path, "consensus/configs/mainnet.yaml");
    if (test_path_exists(path)) {
        lc_config m;
        cd_error e = {0};
        CHECK_OK(t, lc_config_load(&m, path, &e));
        for (int k = 1; k < LC_FORK_COUNT; k++) {
            CHECK_EQ_U64(t, m.fork_epoch[k], c.fork_epoch[k]);
            CHECK_EQ_BYTES(t, m.fork_version[k], 4, c.fork_version[k], 4);
        }
        CHECK_EQ_INT(t, m.blob_schedule_len, 2);
        static const char *const files[] = {"minimal.yaml", "sepolia.yaml", "holesky.yaml", "hoodi.yaml",
                                            "mainnet-eth-clients.yaml"};
        for (size_t i = 0; i < CD_ARRAY_LEN(files); i++) {
            char rel[128];
            snprintf(rel, sizeof rel, "consensus/configs/%s", files[i]);
            test_vectors_path(path, sizeof path, rel);
            if (lc_config_load(&m, path, &e) != CD_OK) test_fail_at(t, __FILE__, __LINE__, "%s", cd_error_text(&e));
        }
        CHECK_EQ_INT(t, m.preset, LC_PRESET_MAINNET);
    }
    /* Our two keys, and bad lines with their reasons. */
    const char *ok_cfg = "PRESET_BASE: 'minimal'\nGENESIS_TIME: 5\nALTAIR_FORK_EPOCH: 0 # c\n"
                         "GENESIS_VALIDATORS_ROOT: 0x0101010101010101010101010101010101010101010101010101010101010101\n";
    CHECK_OK(t, lc_config_parse(&c, ok_cfg, strlen(ok_cfg), NULL));
    CHECK_EQ_U64(t, c.genesis_time, 5);
    CHECK_EQ_INT(t, c.preset, LC_PRESET_MINIMAL);
    CHECK_EQ_U64(t, c.sync_committee_size, 32);
    CHECK_EQ_INT(t, c.genesis_validators_root.b[31], 1);
    static const char *const bad[] = {
        "PRESET_BASE: gnosis\n",
        "ALTAIR_FORK_EPOCH: -1\n",
        "ALTAIR_FORK_VERSION: 0x0100\n",
        "ALTAIR_FORK_EPOCH: 10\nBELLATRIX_FORK_EPOCH: 5\n",
        "BELLATRIX_FORK_EPOCH: 5\n",
        "GENESIS_VALIDATORS_ROOT: 0x01\n",
        "BLOB_SCHEDULE:\n  - EPOCH: x\n",
        "BLOB_SCHEDULE: 5\n",
        "  indented: 1\n",
        "no colon here\n",
        "SECONDS_PER_SLOT: 0\n",
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(bad); i++) {
        cd_error e = {0};
        if (lc_config_parse(&c, bad[i], strlen(bad[i]), &e) != CD_ERR_LC_BAD_CONFIG)
            test_fail_at(t, __FILE__, __LINE__, "bad config %zu accepted: %s", i, bad[i]);
        else CHECK(t, strstr(e.msg, "config") != NULL);
    }
}

static void test_real_chain(test_ctx *t) {
    if (!have_data()) {
        fprintf(stderr, "  light_client: %s missing, real-data test skipped\n", PORTAL);
        return;
    }
    portal p;
    if (!portal_load(t, &p)) {
        portal_free(&p);
        return;
    }
    lc_store *st;
    cd_error e = {0};
    CHECK_OK(t, lc_store_new(&st, &p.cfg, NULL, &e));
    cd_status s = replay(t, &p, st, cd_buf_bytes(&p.bootstrap), p.update_items[0], p.update_items[1],
                         cd_buf_bytes(&p.finality), cd_buf_bytes(&p.optimistic), &e);
    if (s != CD_OK) test_fail_at(t, __FILE__, __LINE__, "replay: %s: %s", cd_status_name(s), cd_error_text(&e));
    check_final_state(t, st);
    CHECK(t, lc_store_next_committee_known(st));
    /* Replaying an old update again is rejected as not relevant, store unchanged. */
    CHECK_ERR(t, do_process(t, &p, st, LC_MSG_UPDATE, p.update_items[0], &e), CD_ERR_LC_NOT_RELEVANT);
    CHECK(t, strstr(e.msg, "before the store period") != NULL);
    /* The period-1251 update again: right period, but nothing newer than the finalized header. */
    CHECK_ERR(t, do_process(t, &p, st, LC_MSG_UPDATE, p.update_items[1], &e), CD_ERR_LC_NOT_RELEVANT);
    check_final_state(t, st);
    /* A signature slot in the future (local clock behind) is refused. */
    lc_fork f;
    cd_bytes b = payload(t, &p.cfg, cd_buf_bytes(&p.optimistic), &f);
    CHECK_ERR(t, lc_store_process(st, LC_MSG_OPTIMISTIC_UPDATE, f, b, 10248000, &e), CD_ERR_LC_BAD_SLOT);
    /* Force updates stay off unless asked for. */
    CHECK_ERR(t, lc_store_force_update(st, now_slot * 2, &e), CD_ERR_UNSUPPORTED);

    /* Persistence: serialize, restore, identical view; corrupt snapshots refused. */
    cd_buf snap = {0};
    CHECK_OK(t, lc_store_serialize(st, &snap));
    lc_store *st2 = NULL;
    CHECK_OK(t, lc_store_restore(&st2, &p.cfg, NULL, cd_buf_bytes(&snap), &e));
    if (st2) {
        check_final_state(t, st2);
        CHECK(t, cd_hash32_eq(&lc_store_finalized(st2)->beacon_root, &lc_store_finalized(st)->beacon_root));
        CHECK(t, cd_hash32_eq(&lc_store_optimistic(st2)->execution_root, &lc_store_optimistic(st)->execution_root));
        cd_buf snap2 = {0};
        CHECK_OK(t, lc_store_serialize(st2, &snap2));
        CHECK_EQ_BYTES(t, snap2.data, snap2.len, snap.data, snap.len);
        cd_buf_free(&snap2);
        lc_store_free(st2);
    }
    snap.data[snap.len / 2] ^= 1;
    CHECK_ERR(t, lc_store_restore(&st2, &p.cfg, NULL, cd_buf_bytes(&snap), &e), CD_ERR_STORE);
    snap.data[snap.len / 2] ^= 1;
    CHECK_ERR(t, lc_store_restore(&st2, &p.cfg, NULL, cd_bytes_make(snap.data, snap.len - 1), &e), CD_ERR_STORE);
    lc_config other;
    CHECK_OK(t, lc_config_builtin(&other, "sepolia"));
    CHECK_ERR(t, lc_store_restore(&st2, &other, NULL, cd_buf_bytes(&snap), &e), CD_ERR_STORE);
    cd_buf_free(&snap);

    /* A store restored mid-way continues exactly like the original. */
    lc_store *mid;
    CHECK_OK(t, lc_store_new(&mid, &p.cfg, NULL, &e));
    CHECK_OK(t, do_bootstrap(t, &p, mid, cd_buf_bytes(&p.bootstrap), &e));
    CHECK_OK(t, do_process(t, &p, mid, LC_MSG_UPDATE, p.update_items[0], &e));
    CHECK_OK(t, lc_store_serialize(mid, &snap));
    lc_store_free(mid);
    CHECK_OK(t, lc_store_restore(&mid, &p.cfg, NULL, cd_buf_bytes(&snap), &e));
    if (mid) {
        CHECK_OK(t, do_process(t, &p, mid, LC_MSG_UPDATE, p.update_items[1], &e));
        CHECK_OK(t, do_process(t, &p, mid, LC_MSG_FINALITY_UPDATE, cd_buf_bytes(&p.finality), &e));
        CHECK_OK(t, do_process(t, &p, mid, LC_MSG_OPTIMISTIC_UPDATE, cd_buf_bytes(&p.optimistic), &e));
        check_final_state(t, mid);
        lc_store_free(mid);
    }
    cd_buf_free(&snap);

    /* The header JSON for the CLI and service. */
    cd_buf js = {0};
    CHECK_OK(t, lc_header_to_json(lc_store_finalized(st), &js));
    CHECK_OK(t, cd_buf_push(&js, 0));
    CHECK(t, strstr((const char *)js.data, "\"block_number\":21038093") != NULL);
    CHECK(t, strstr((const char *)js.data, "\"slot\":10248384") != NULL);
    cd_buf_free(&js);
    lc_store_free(st);
    portal_free(&p);
}

/* Location of a named field path inside a validated SSZ value, as an offset into `base`. */
static size_t field_offset(const ssz_type *t, cd_bytes v, const char *const *path, const uint8_t *base) {
    cd_bytes cur = v;
    const ssz_type *ct = t;
    for (; *path; path++) {
        const ssz_type *ft = NULL;
        cd_bytes sub;
        if (ssz_field_by_name(ct, cur, *path, &ft, &sub) != CD_OK) return (size_t)-1;
        cur = sub;
        ct = ft;
    }
    return (size_t)(cur.ptr - base);
}

typedef struct {
    const char *what;
    int which;                 /* 0 bootstrap, 1 update[1], 2 finality, 3 optimistic */
    const char *path[5];
    size_t extra;              /* byte within the field */
    const char *reason;        /* substring expected in the error text */
} tamper_case;

static void test_tampering(test_ctx *t) {
    if (!have_data()) return;
    portal p;
    if (!portal_load(t, &p)) {
        portal_free(&p);
        return;
    }
    lc_types ty;
    CHECK_OK(t, lc_types_init(&ty, LC_PRESET_MAINNET));
    static const tamper_case cases[] = {
        {"bootstrap header slot", 0, {"header", "beacon", "slot", NULL}, 0, "trusted"},
        {"bootstrap state root", 0, {"header", "beacon", "state_root", NULL}, 5, "trusted"},
        {"bootstrap committee pubkey", 0, {"current_sync_committee", "pubkeys", NULL}, 100, "branch"},
        {"bootstrap committee branch", 0, {"current_sync_committee_branch", NULL}, 3, "branch"},
        {"bootstrap execution block number", 0, {"header", "execution", "block_number", NULL}, 0, "execution"},
        {"update signature", 1, {"sync_aggregate", "sync_committee_signature", NULL}, 50, "signature"},
        {"update participation bit", 1, {"sync_aggregate", "sync_committee_bits", NULL}, 7, "signature"},
        {"update next committee", 1, {"next_sync_committee", "aggregate_pubkey", NULL}, 2, "branch"},
        {"update next committee branch", 1, {"next_sync_committee_branch", NULL}, 40, "branch"},
        {"update attested parent root", 1, {"attested_header", "beacon", "parent_root", NULL}, 0, "signature"},
        {"update attested execution", 1, {"attested_header", "execution", "state_root", NULL}, 9, "execution"},
        {"update finality branch", 1, {"finality_branch", NULL}, 64, "finality branch"},
        {"finality signature", 2, {"sync_aggregate", "sync_committee_signature", NULL}, 95, "signature"},
        {"finality finalized header", 2, {"finalized_header", "beacon", "body_root", NULL}, 1, ""},
        {"finality branch", 2, {"finality_branch", NULL}, 0, "finality branch"},
        {"finality attested state root", 2, {"attested_header", "beacon", "state_root", NULL}, 31, "branch"},
        {"optimistic signature", 3, {"sync_aggregate", "sync_committee_signature", NULL}, 10, "signature"},
        {"optimistic attested slot", 3, {"attested_header", "beacon", "slot", NULL}, 0, ""},
        {"optimistic execution branch", 3, {"attested_header", "execution_branch", NULL}, 33, "execution"},
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(cases); i++) {
        const tamper_case *tc = &cases[i];
        cd_buf copy = {0};
        cd_bytes src = tc->which == 0 ? cd_buf_bytes(&p.bootstrap)
                       : tc->which == 1 ? p.update_items[1]
                       : tc->which == 2 ? cd_buf_bytes(&p.finality)
                                        : cd_buf_bytes(&p.optimistic);
        CHECK_OK(t, cd_buf_append(&copy, src.ptr, src.len));
        lc_msg_kind kind = tc->which == 0 ? LC_MSG_BOOTSTRAP
                           : tc->which == 1 ? LC_MSG_UPDATE
                           : tc->which == 2 ? LC_MSG_FINALITY_UPDATE
                                            : LC_MSG_OPTIMISTIC_UPDATE;
        const ssz_type *type = lc_types_for(&ty, LC_FORK_DENEB, kind);
        size_t off = field_offset(type, cd_bytes_make(copy.data + 4, copy.len - 4), tc->path, copy.data);
        if (off == (size_t)-1 || off + tc->extra >= copy.len) {
            test_fail_at(t, __FILE__, __LINE__, "%s: field not found", tc->what);
            cd_buf_free(&copy);
            continue;
        }
        copy.data[off + tc->extra] ^= 0x01;
        lc_store *st;
        cd_error e = {0};
        CHECK_OK(t, lc_store_new(&st, &p.cfg, NULL, &e));
        cd_bytes cb = cd_buf_bytes(&copy);
        cd_status s = replay(t, &p, st, tc->which == 0 ? cb : cd_buf_bytes(&p.bootstrap), p.update_items[0],
                             tc->which == 1 ? cb : p.update_items[1], tc->which == 2 ? cb : cd_buf_bytes(&p.finality),
                             tc->which == 3 ? cb : cd_buf_bytes(&p.optimistic), &e);
        if (s == CD_OK) test_fail_at(t, __FILE__, __LINE__, "%s: tampered data accepted", tc->what);
        else if (!strstr(cd_error_text(&e), tc->reason))
            test_fail_at(t, __FILE__, __LINE__, "%s: reason \"%s\" lacks \"%s\"", tc->what, cd_error_text(&e),
                         tc->reason);
        else if (t->verbose) fprintf(stderr, "  tamper %-36s -> %s: %s\n", tc->what, cd_status_name(s), cd_error_text(&e));
        lc_store_free(st);
        cd_buf_free(&copy);
    }
    lc_types_free(&ty);
    portal_free(&p);
}

/* ---- JSON: SSZ -> beacon-API JSON (test-only converter), then through the JSON path ---- */

static json_object *to_json(const ssz_type *t, cd_bytes v);

static json_object *uint_json(cd_bytes v) {
    /* little-endian bytes to decimal, by repeated division by 10 */
    uint8_t n[32] = {0};
    memcpy(n, v.ptr, v.len);
    char digits[100];
    size_t k = 0;
    bool zero;
    do {
        unsigned rem = 0;
        zero = true;
        for (size_t i = v.len; i-- > 0;) {
            unsigned cur = rem << 8 | n[i];
            n[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
            if (n[i]) zero = false;
        }
        digits[k++] = (char)('0' + rem);
    } while (!zero);
    char out[100];
    for (size_t i = 0; i < k; i++) out[i] = digits[k - 1 - i];
    out[k] = 0;
    return json_object_new_string(out);
}

static json_object *hex_json(cd_bytes v) {
    char *s = malloc(2 * v.len + 3);
    if (!s) return NULL;
    cd_hex_encode(s, v.ptr, v.len);
    json_object *j = json_object_new_string(s);
    free(s);
    return j;
}

static json_object *to_json(const ssz_type *t, cd_bytes v) {
    switch (t->kind) {
    case SSZ_UINT: return uint_json(v);
    case SSZ_BOOL: return json_object_new_boolean(v.ptr[0]);
    case SSZ_BITVECTOR:
    case SSZ_BITLIST: return hex_json(v);
    case SSZ_VECTOR:
    case SSZ_LIST: {
        if (t->elem->kind == SSZ_UINT && t->elem->n == 1) return hex_json(v);
        json_object *a = json_object_new_array();
        uint64_t n = 0;
        if (ssz_count(t, v, &n) != CD_OK) return a;
        for (uint64_t i = 0; i < n; i++) {
            cd_bytes e;
            if (ssz_element(t, v, i, &e) == CD_OK) json_object_array_add(a, to_json(t->elem, e));
        }
        return a;
    }
    case SSZ_CONTAINER: {
        json_object *o = json_object_new_object();
        for (size_t i = 0; i < t->nfields; i++) {
            cd_bytes f;
            if (ssz_field(t, v, i, &f) == CD_OK) json_object_object_add(o, t->fields[i].name, to_json(t->fields[i].type, f));
        }
        return o;
    }
    }
    return NULL;
}

static char *response_json(const lc_types *ty, lc_msg_kind kind, cd_bytes item) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "version", json_object_new_string("deneb"));
    json_object_object_add(o, "data", to_json(lc_types_for(ty, LC_FORK_DENEB, kind), cd_bytes_make(item.ptr + 4, item.len - 4)));
    char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return s;
}

static void test_json_and_stream(test_ctx *t) {
    if (!have_data()) return;
    portal p;
    if (!portal_load(t, &p)) {
        portal_free(&p);
        return;
    }
    lc_types ty;
    CHECK_OK(t, lc_types_init(&ty, LC_PRESET_MAINNET));
    char *boot = response_json(&ty, LC_MSG_BOOTSTRAP, cd_buf_bytes(&p.bootstrap));
    char *u0 = response_json(&ty, LC_MSG_UPDATE, p.update_items[0]);
    char *u1 = response_json(&ty, LC_MSG_UPDATE, p.update_items[1]);
    char *fin = response_json(&ty, LC_MSG_FINALITY_UPDATE, cd_buf_bytes(&p.finality));
    char *opt = response_json(&ty, LC_MSG_OPTIMISTIC_UPDATE, cd_buf_bytes(&p.optimistic));
    CHECK(t, boot && u0 && u1 && fin && opt);
    if (boot && u0 && u1 && fin && opt) {
        /* updates-by-range JSON is an array of {version, data} */
        size_t alen = strlen(u0) + strlen(u1) + 8;
        char *arr = malloc(alen);
        if (arr) snprintf(arr, alen, "[%s,%s]", u0, u1);
        lc_store *st;
        cd_error e = {0};
        size_t processed = 0;
        CHECK_OK(t, lc_store_new(&st, &p.cfg, NULL, &e));
        CHECK_OK(t, lc_store_bootstrap_json(st, &p.checkpoint, boot, strlen(boot), &e));
        CHECK_OK(t, lc_store_process_json(st, arr, strlen(arr), now_slot, &processed, &e));
        CHECK_EQ_INT(t, processed, 2);
        CHECK_OK(t, lc_store_process_json(st, fin, strlen(fin), now_slot, &processed, &e));
        CHECK_OK(t, lc_store_process_json(st, opt, strlen(opt), now_slot, &processed, &e));
        if (e.code) fprintf(stderr, "json: %s\n", cd_error_text(&e));
        check_final_state(t, st);
        lc_store_free(st);

        /* malformed JSON inputs fail with reasons */
        CHECK_OK(t, lc_store_new(&st, &p.cfg, NULL, &e));
        CHECK_ERR(t, lc_store_bootstrap_json(st, &p.checkpoint, "{", 1, &e), CD_ERR_BAD_JSON);
        CHECK_ERR(t, lc_store_bootstrap_json(st, &p.checkpoint, "{\"version\":\"deneb\"}", 19, &e), CD_ERR_BAD_JSON);
        const char *badver = "{\"version\":\"nope\",\"data\":{}}";
        CHECK_ERR(t, lc_store_bootstrap_json(st, &p.checkpoint, badver, strlen(badver), &e), CD_ERR_LC_UNKNOWN_FORK);
        CHECK_ERR(t, lc_store_bootstrap_json(st, &p.checkpoint, u0, strlen(u0), &e), CD_ERR_BAD_JSON);
        CHECK_ERR(t, lc_store_process_json(st, fin, strlen(fin), now_slot, NULL, &e), CD_ERR_NOT_SYNCED);
        CHECK_OK(t, lc_store_bootstrap_json(st, &p.checkpoint, boot, strlen(boot), &e));
        /* a field with a wrong length */
        char *cut = strdup(fin);
        char *sig = cut ? strstr(cut, "\"sync_committee_signature\":\"0x") : NULL;
        if (sig) {
            memmove(sig + 31, sig + 33, strlen(sig + 33) + 1);
            CHECK_ERR(t, lc_store_process_json(st, cut, strlen(cut), now_slot, NULL, &e), CD_ERR_SSZ_BAD_LENGTH);
            CHECK(t, strstr(e.msg, "sync_committee_signature") != NULL);
        }
        free(cut);
        lc_store_free(st);
        free(arr);
    }
    free(boot), free(u0), free(u1), free(fin), free(opt);

    /* The beacon-API SSZ stream: (u64 len of digest+payload, digest, payload)* */
    cd_buf stream = {0};
    for (size_t i = 0; i < p.n_updates; i++) {
        uint8_t len8[8];
        ssz_write_u64(len8, p.update_items[i].len);
        CHECK_OK(t, cd_buf_append(&stream, len8, 8));
        CHECK_OK(t, cd_buf_append(&stream, p.update_items[i].ptr, p.update_items[i].len));
    }
    lc_store *st;
    cd_error e = {0};
    size_t processed = 0;
    CHECK_OK(t, lc_store_new(&st, &p.cfg, NULL, &e));
    CHECK_OK(t, do_bootstrap(t, &p, st, cd_buf_bytes(&p.bootstrap), &e));
    CHECK_OK(t, lc_store_process_update_stream(st, cd_buf_bytes(&stream), now_slot, &processed, &e));
    CHECK_EQ_INT(t, processed, 2);
    CHECK_EQ_U64(t, lc_store_current_period(st), 1251);
    /* The same range again overlaps what the store has: the stale period-1250 update is
     * skipped, the 1251 one is still valid (attested after the finalized slot) and changes
     * nothing. Not an error. */
    CHECK_OK(t, lc_store_process_update_stream(st, cd_buf_bytes(&stream), now_slot, &processed, &e));
    CHECK_EQ_INT(t, processed, 1);
    CHECK_EQ_U64(t, lc_store_current_period(st), 1251);
    /* framing: chunk by chunk, then truncated and corrupted */
    cd_bytes cur = cd_buf_bytes(&stream);
    lc_chunk ch;
    CHECK_OK(t, lc_stream_next(&cur, &ch, &e));
    CHECK_EQ_INT(t, ch.payload.len, p.update_items[0].len - 4);
    CHECK_EQ_BYTES(t, ch.fork_digest, 4, "\x6a\x95\xa1\xa9", 4);
    CHECK_OK(t, lc_stream_next(&cur, &ch, &e));
    CHECK_ERR(t, lc_stream_next(&cur, &ch, &e), CD_ERR_NOT_FOUND);
    cur = cd_bytes_make(stream.data, stream.len - 1);
    CHECK_OK(t, lc_stream_next(&cur, &ch, &e));
    CHECK_ERR(t, lc_stream_next(&cur, &ch, &e), CD_ERR_TRUNCATED);
    cur = cd_bytes_make(stream.data, 5);
    CHECK_ERR(t, lc_stream_next(&cur, &ch, &e), CD_ERR_TRUNCATED);
    uint8_t tiny[12] = {3};
    cur = cd_bytes_make(tiny, sizeof tiny);
    CHECK_ERR(t, lc_stream_next(&cur, &ch, &e), CD_ERR_SSZ_BAD_LENGTH);
    uint8_t huge[12] = {0, 0, 0, 0, 0, 0, 0, 0x80};
    cur = cd_bytes_make(huge, sizeof huge);
    CHECK_ERR(t, lc_stream_next(&cur, &ch, &e), CD_ERR_TRUNCATED);
    stream.data[8] ^= 0xff; /* fork digest */
    CHECK_ERR(t, lc_store_process_update_stream(st, cd_buf_bytes(&stream), now_slot, &processed, &e),
              CD_ERR_LC_UNKNOWN_FORK);
    lc_store_free(st);
    cd_buf_free(&stream);
    lc_types_free(&ty);
    portal_free(&p);
}

static void test_bad_ssz(test_ctx *t) {
    if (!have_data()) return;
    portal p;
    if (!portal_load(t, &p)) {
        portal_free(&p);
        return;
    }
    lc_store *st;
    cd_error e = {0};
    CHECK_OK(t, lc_store_new(&st, &p.cfg, NULL, &e));
    lc_fork f;
    cd_bytes b = payload(t, &p.cfg, cd_buf_bytes(&p.bootstrap), &f);
    CHECK_ERR(t, lc_store_bootstrap(st, &p.checkpoint, f, cd_bytes_make(b.ptr, 100), &e), CD_ERR_SSZ_BAD_LENGTH);
    /* one byte less shortens extra_data, which the execution branch then refuses */
    CHECK_ERR(t, lc_store_bootstrap(st, &p.checkpoint, f, cd_bytes_make(b.ptr, b.len - 1), &e), CD_ERR_LC_BAD_EXECUTION);
    /* Deneb bytes read as Electra: the fixed part is 32 bytes longer, so the first offset is wrong */
    CHECK_ERR(t, lc_store_bootstrap(st, &p.checkpoint, LC_FORK_ELECTRA, b, &e), CD_ERR_SSZ_BAD_OFFSET);
    CHECK_ERR(t, lc_store_bootstrap(st, &p.checkpoint, LC_FORK_PHASE0, b, &e), CD_ERR_LC_UNKNOWN_FORK);
    CHECK(t, !lc_store_is_initialized(st));
    CHECK(t, lc_store_finalized(st) == NULL);
    CHECK_OK(t, lc_store_bootstrap(st, &p.checkpoint, f, b, &e));
    /* an update with a broken offset */
    cd_bytes u = payload(t, &p.cfg, p.update_items[0], &f);
    cd_buf c = {0};
    CHECK_OK(t, cd_buf_append(&c, u.ptr, u.len));
    c.data[0] ^= 0x10; /* attested_header offset */
    CHECK_ERR(t, lc_store_process(st, LC_MSG_UPDATE, f, cd_buf_bytes(&c), now_slot, &e), CD_ERR_SSZ_BAD_OFFSET);
    CHECK(t, strstr(e.msg, "LightClientUpdate") != NULL);
    /* wrong kind for the bytes */
    CHECK_FAILS(t, lc_store_process(st, LC_MSG_FINALITY_UPDATE, f, u, now_slot, &e));
    cd_buf_free(&c);
    lc_store_free(st);
    portal_free(&p);
}


static bool write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* candor lc verify on raw SSZ, an SSZ update stream and beacon-API JSON. */
static void test_cli(test_ctx *t) {
    if (!have_data()) return;
    const char *bin = getenv("CANDOR_BIN");
    if (!bin || !*bin) bin = "build/candor";
    if (!test_path_exists(bin)) {
        fprintf(stderr, "  light_client: %s not built, CLI test skipped\n", bin);
        return;
    }
    portal p;
    if (!portal_load(t, &p)) {
        portal_free(&p);
        return;
    }
    char dir[] = "/tmp/candor_lc_XXXXXX";
    if (!mkdtemp(dir)) {
        test_fail_at(t, __FILE__, __LINE__, "mkdtemp failed");
        portal_free(&p);
        return;
    }
    char boot[128], upd[128], fin[128], opt[128], bad[128];
    snprintf(boot, sizeof boot, "%s/bootstrap.ssz", dir);
    snprintf(upd, sizeof upd, "%s/updates.ssz", dir);
    snprintf(fin, sizeof fin, "%s/finality.json", dir);
    snprintf(opt, sizeof opt, "%s/optimistic.ssz", dir);
    snprintf(bad, sizeof bad, "%s/bad.ssz", dir);
    cd_buf stream = {0};
    for (size_t i = 0; i < p.n_updates; i++) {
        uint8_t len8[8];
        ssz_write_u64(len8, p.update_items[i].len);
        CHECK_OK(t, cd_buf_append(&stream, len8, 8));
        CHECK_OK(t, cd_buf_append(&stream, p.update_items[i].ptr, p.update_items[i].len));
    }
    lc_types ty;
    CHECK_OK(t, lc_types_init(&ty, LC_PRESET_MAINNET));
    char *finjson = response_json(&ty, LC_MSG_FINALITY_UPDATE, cd_buf_bytes(&p.finality));
    CHECK(t, write_file(boot, p.bootstrap.data + 4, p.bootstrap.len - 4));
    CHECK(t, write_file(upd, stream.data, stream.len));
    CHECK(t, finjson && write_file(fin, finjson, strlen(finjson)));
    CHECK(t, write_file(opt, p.optimistic.data + 4, p.optimistic.len - 4));
    p.optimistic.data[p.optimistic.len - 20] ^= 1; /* inside the attested header */
    CHECK(t, write_file(bad, p.optimistic.data + 4, p.optimistic.len - 4));
    char cmd[2048], out[8192];
    snprintf(cmd, sizeof cmd, "%s lc verify --network mainnet --checkpoint %s --bootstrap %s --updates %s %s %s "
             "--now-slot %llu 2>&1", bin, checkpoint_hex, boot, upd, fin, opt, (unsigned long long)now_slot);
    int rc = test_run_capture(cmd, out, sizeof out);
    CHECK_EQ_INT(t, rc, 0);
    CHECK(t, strstr(out, "\"finalized\":{\"slot\":10248384") != NULL);
    CHECK(t, strstr(out, "\"block_number\":21038166") != NULL);
    CHECK(t, strstr(out, "\"updates_applied\":4") != NULL);
    if (rc != 0) fprintf(stderr, "%s\n", out);
    snprintf(cmd, sizeof cmd, "%s lc verify --network mainnet --checkpoint %s --bootstrap %s --updates %s %s %s "
             "--now-slot %llu 2>&1", bin, checkpoint_hex, boot, upd, fin, bad, (unsigned long long)now_slot);
    rc = test_run_capture(cmd, out, sizeof out);
    CHECK_EQ_INT(t, rc, 1);
    CHECK(t, strstr(out, "bad.ssz") != NULL);
    snprintf(cmd, sizeof cmd, "%s lc verify --network mainnet --bootstrap %s 2>&1", bin, boot);
    CHECK_EQ_INT(t, test_run_capture(cmd, out, sizeof out), 2);
    remove(boot), remove(upd), remove(fin), remove(opt), remove(bad), rmdir(dir);
    free(finjson);
    cd_buf_free(&stream);
    lc_types_free(&ty);
    portal_free(&p);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_light_client");
    TEST_RUN(&t, test_config);
    TEST_RUN(&t, test_real_chain);
    TEST_RUN(&t, test_tampering);
    TEST_RUN(&t, test_json_and_stream);
    TEST_RUN(&t, test_bad_ssz);
    TEST_RUN(&t, test_cli);
    return test_finish(&t);
}
