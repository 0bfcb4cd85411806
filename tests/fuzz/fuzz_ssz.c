/* libFuzzer target for the SSZ decoders: validation, hash_tree_root and field access over
 * every light-client container (both presets, altair..fulu), the light-client decoders,
 * the updates stream framing, the JSON->SSZ encoder, the config parser and the store
 * snapshot parser (the harness appends the checksum so that the parser behind it is reached).
 * Input: byte 0 picks the target, the rest is the data. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/lc_internal.h"
#include "consensus/ssz.h"

typedef struct {
    lc_types types[2];
    lc_config cfg[2];
    lc_update update;
    lc_bootstrap bootstrap;
} fuzz_state;

/* Built once per process: a harness may keep state, the library may not. */
static fuzz_state *state(void) {
    static fuzz_state *s;
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s || lc_types_init(&s->types[0], LC_PRESET_MAINNET) != CD_OK ||
            lc_types_init(&s->types[1], LC_PRESET_MINIMAL) != CD_OK ||
            lc_config_builtin(&s->cfg[0], "mainnet") != CD_OK || lc_config_builtin(&s->cfg[1], "minimal") != CD_OK)
            abort(); /* harness setup, not input */
    }
    return s;
}

/* Walks every field of a validated value (exercises the accessors). */
static void walk(const ssz_type *t, cd_bytes v, int depth) {
    if (depth > 8) return;
    if (t->kind == SSZ_CONTAINER) {
        for (size_t i = 0; i < t->nfields; i++) {
            cd_bytes f;
            if (ssz_field(t, v, i, &f) == CD_OK) walk(t->fields[i].type, f, depth + 1);
        }
    } else if (t->kind == SSZ_VECTOR || t->kind == SSZ_LIST) {
        uint64_t n = 0;
        if (ssz_count(t, v, &n) != CD_OK) return;
        for (uint64_t i = 0; i < n && i < 4; i++) {
            cd_bytes e;
            if (ssz_element(t, v, i, &e) == CD_OK) walk(t->elem, e, depth + 1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    fuzz_state *s = state();
    uint8_t sel = data[0];
    cd_bytes in = cd_bytes_make(data + 1, size - 1);
    int p = sel & 1;                                /* preset */
    lc_fork fork = (lc_fork)(LC_FORK_ALTAIR + (sel >> 1) % 6);
    int target = (sel >> 4) % 9;
    const lc_types *ty = &s->types[p];
    const lc_config *cfg = &s->cfg[p];
    cd_error err;
    switch (target) {
    case 0: case 1: case 2: case 3: {
        static const lc_msg_kind kinds[4] = {LC_MSG_UPDATE, LC_MSG_FINALITY_UPDATE, LC_MSG_OPTIMISTIC_UPDATE,
                                             LC_MSG_BOOTSTRAP};
        lc_msg_kind kind = kinds[target];
        const ssz_type *t = lc_types_for(ty, fork, kind);
        if (ssz_validate(t, in, &err) == CD_OK) {
            cd_hash32 root;
            if (ssz_hash_tree_root(t, in, &root, &err) != CD_OK) abort(); /* valid data must hash */
            walk(t, in, 0);
        }
        if (kind == LC_MSG_BOOTSTRAP) (void)lc_decode_bootstrap(cfg, ty, fork, in, &s->bootstrap, &err);
        else (void)lc_decode_update(cfg, ty, kind, fork, in, &s->update, &err);
        break;
    }
    case 4: { /* the small containers and a header */
        const lc_fork_types *ft = &ty->fork[fork];
        const ssz_type *ts[] = {ft->lc_header, ft->sync_aggregate, ft->beacon_header, ty->deneb_execution_header,
                                ty->capella_execution_header, ty->fork_data, ft->sync_committee};
        const ssz_type *t = ts[(sel >> 1) % CD_ARRAY_LEN(ts)];
        cd_hash32 root;
        if (ssz_validate(t, in, &err) == CD_OK) {
            if (ssz_hash_tree_root(t, in, &root, &err) != CD_OK) abort();
            walk(t, in, 0);
        }
        break;
    }
    case 5: { /* updates stream framing */
        cd_bytes cur = in;
        lc_chunk c;
        for (int i = 0; i < 64 && lc_stream_next(&cur, &c, &err) == CD_OK; i++) {
            lc_fork f;
            (void)lc_fork_from_digest(cfg, c.fork_digest, &f);
        }
        break;
    }
    case 6: { /* JSON -> SSZ */
        json_tokener *tok = json_tokener_new_ex(32);
        if (!tok) return 0;
        json_object *j = json_tokener_parse_ex(tok, (const char *)in.ptr, (int)in.len);
        json_tokener_free(tok);
        if (j) {
            cd_buf out = {0};
            const ssz_type *t = lc_types_for(ty, fork, (lc_msg_kind)((sel >> 1) % 4));
            if (ssz_from_json(t, j, &out, &err) == CD_OK && ssz_validate(t, cd_buf_bytes(&out), &err) != CD_OK)
                abort(); /* the encoder only returns valid encodings */
            if (ssz_from_json(ty->fork[fork].sync_aggregate, j, &out, &err) == CD_OK) { /* append mode */
            }
            cd_buf_free(&out);
            json_object_put(j);
        }
        break;
    }
    case 7: { /* config.yaml parser */
        lc_config c;
        (void)lc_config_parse(&c, (const char *)in.ptr, in.len, &err);
        break;
    }
    case 8: { /* store snapshot: "CDLC" header fields come from the input, checksum appended */
        cd_buf snap = {0};
        uint8_t h[32];
        if (cd_buf_append(&snap, in.ptr, in.len) != CD_OK) break;
        ssz_sha256(h, snap.data ? snap.data : (const uint8_t *)"", snap.len);
        if (cd_buf_append(&snap, h, 32) == CD_OK) {
            lc_store *st = NULL;
            if (lc_store_restore(&st, cfg, NULL, cd_buf_bytes(&snap), &err) == CD_OK) {
                cd_buf again = {0};
                if (lc_store_serialize(st, &again) != CD_OK) abort(); /* a restored store serializes */
                cd_buf_free(&again);
                lc_store_free(st);
            }
        }
        cd_buf_free(&snap);
        break;
    }
    }
    return 0;
}
