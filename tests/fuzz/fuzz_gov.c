/* libFuzzer target for what governance reads from outside: the contract's storage words
 * (gov_read decoding whatever an upstream's proven storage holds: any contract can carry our
 * tag) and saved /governance answers (the JSON `candor verify` and `candor quote verify
 * --governance-answer` read). The first byte picks the reader.
 *   storage: every slot asked is answered with the next 32 input bytes (zero once they run
 *            out); slot 0's word is XORed with the layout tag so that all-zero input passes
 *            the tag and the fuzzer reaches the later batches.
 *   answer:  the rest is JSON text, parsed and its digest recomputed.
 * What must hold: no crash, no leak, no read past the input (ASan), and a snapshot that
 * decodes stays within the bounds. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "gov/gov.h"
#include "src/answer.h"
#include "src/governance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *p;
    size_t n, at;
} feed;

static cd_status serve(void *ctx, const cd_hash32 *keys, size_t n, cd_hash32 *values, cd_error *err) {
    (void)err;
    feed *f = ctx;
    cd_hash32 slot0, tag;
    gov_slot_number(0, &slot0);
    keccak256((const uint8_t *)GOV_LAYOUT_TAG_TEXT, strlen(GOV_LAYOUT_TAG_TEXT), tag.b);
    for (size_t i = 0; i < n; i++) {
        memset(values[i].b, 0, 32);
        size_t take = f->at < f->n ? (f->n - f->at < 32 ? f->n - f->at : 32) : 0;
        memcpy(values[i].b, f->p + f->at, take);
        f->at += take;
        if (cd_hash32_eq(&keys[i], &slot0))
            for (int k = 0; k < 32; k++) values[i].b[k] ^= tag.b[k];
    }
    return CD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 1 << 20) return 0;
    cd_error err;
    cd_error_clear(&err);
    if (data[0] & 1) {
        gov_snapshot *s = malloc(sizeof *s);
        if (!s) return 0;
        memset(s, 0, sizeof *s);
        feed f = {data + 1, size - 1, 0};
        cd_hash32 code;
        memset(code.b, 0x5c, 32);
        if (gov_read(&code, serve, &f, s, NULL, &err) == CD_OK) {
            if (s->n_measurements > GOV_MAX_MEASUREMENTS || s->n_members > GOV_MAX_MEMBERS) abort();
            for (size_t i = 0; i < s->n_measurements; i++)
                if (s->measurements[i].version_len > GOV_MAX_STRING || strlen(s->measurements[i].version) != s->measurements[i].version_len) abort();
            for (size_t i = 0; i < s->n_members; i++)
                if (s->members[i].endpoint_len > GOV_MAX_STRING || strlen(s->members[i].endpoint) != s->members[i].endpoint_len) abort();
            uint8_t bh[32] = {0}, h[32];
            gov_eip712_hash(s, bh, h);
        }
        free(s);
        return 0;
    }
    json_tokener *tok = json_tokener_new_ex(64);
    if (!tok) return 0;
    json_object *j = json_tokener_parse_ex(tok, (const char *)data + 1, (int)(size - 1));
    json_tokener_free(tok);
    if (!j) return 0;
    svc_answer a;
    if (svc_answer_parse(j, &a, &err) == CD_OK) (void)svc_answer_verify(&a, &err);
    gov_snapshot *s = malloc(sizeof *s);
    uint8_t d[32];
    if (s && svc_gov_answer_read(j, s, d, &err) == CD_OK) {
        /* What was read serialises again. */
        json_object *o = json_object_new_object();
        if (o && svc_gov_answer_fields(o, s) != CD_OK) abort();
        json_object_put(o);
    }
    free(s);
    json_object_put(j);
    return 0;
}
