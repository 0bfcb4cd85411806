/* gov: reading the governance contract's state from storage, in four batches.
 *
 *   1. fixed slots      layout tag, owner, measurementIds.length, memberList.length
 *   2. array elements   measurementIds[i], memberList[i]
 *   3. struct fields    measurements[id].{version, window|revoked}, members[a].{endpoint, active}
 *   4. string chunks    the data slots of the strings longer than 31 bytes
 *
 * Every count is bounded before it is used; every word is checked to hold only what the
 * layout puts there, so that another contract's storage is not read as ours. */
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "gov/gov.h"

/* Where one string's bytes go, and its head. */
typedef struct {
    cd_hash32 head_slot;
    gov_string_head head;
    char *dst;
    size_t *dst_len;
    const char *what;
} pending_string;

typedef struct {
    gov_storage_fn fn;
    void *ctx;
    unsigned batches;
} source;

CD_MUST_CHECK static cd_status fetch(source *src, const cd_hash32 *keys, size_t n, cd_hash32 *values, cd_error *err) {
    if (n == 0) return CD_OK;
    src->batches++;
    return src->fn(src->ctx, keys, n, values, err);
}

static bool zero_bytes(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

static uint64_t be_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}

/* A count word (array length), bounded by `max`. */
CD_MUST_CHECK static cd_status decode_count(const cd_hash32 *w, size_t max, const char *what, size_t *out,
                                            cd_error *err) {
    if (!zero_bytes(w->b, 24) || be_u64(w->b + 24) > max)
        return cd_fail(err, CD_ERR_GOV_BOUNDS, "%s: more than %zu entries", what, max);
    *out = (size_t)be_u64(w->b + 24);
    return CD_OK;
}

CD_MUST_CHECK static cd_status decode_address(const cd_hash32 *w, const char *what, cd_address *out, cd_error *err) {
    if (!zero_bytes(w->b, 12)) return cd_fail(err, CD_ERR_GOV_NOT_GOVERNANCE, "%s: not an address word", what);
    memcpy(out->b, w->b + 12, 20);
    return CD_OK;
}

/* Printable UTF-8 only: these strings go into JSON answers and logs. */
static bool printable_utf8(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) return false;
            i++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) k = 1, cp = c & 0x1fu;
        else if (c >= 0xe0 && c <= 0xef) k = 2, cp = c & 0x0fu;
        else if (c >= 0xf0 && c <= 0xf4) k = 3, cp = c & 0x07u;
        else return false;
        if (n - i <= k) return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (p[i + j] & 0x3fu);
        }
        /* overlong, surrogate or beyond U+10FFFF */
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

CD_MUST_CHECK static cd_status finish_string(pending_string *ps, const uint8_t *bytes, cd_error *err) {
    if (!printable_utf8(bytes, ps->head.len))
        return cd_fail(err, CD_ERR_GOV_BOUNDS, "%s is not printable UTF-8", ps->what);
    memcpy(ps->dst, bytes, ps->head.len);
    ps->dst[ps->head.len] = '\0';
    *ps->dst_len = ps->head.len;
    return CD_OK;
}

/* Batch 1: the layout tag, the owner and the two counts. */
CD_MUST_CHECK static cd_status read_fixed(source *src, gov_snapshot *out, cd_error *err) {
    cd_hash32 keys[4], v[4], tag;
    gov_slot_number(GOV_SLOT_TAG, &keys[0]);
    gov_slot_number(GOV_SLOT_OWNER, &keys[1]);
    gov_slot_number(GOV_SLOT_MEASUREMENT_IDS, &keys[2]);
    gov_slot_number(GOV_SLOT_MEMBER_LIST, &keys[3]);
    cd_status s = fetch(src, keys, 4, v, err);
    if (s != CD_OK) return s;
    keccak256((const uint8_t *)GOV_LAYOUT_TAG_TEXT, strlen(GOV_LAYOUT_TAG_TEXT), tag.b);
    if (!cd_hash32_eq(&v[0], &tag))
        return cd_fail(err, CD_ERR_GOV_NOT_GOVERNANCE, "slot 0 does not hold keccak256(\"%s\")", GOV_LAYOUT_TAG_TEXT);
    if ((s = decode_address(&v[1], "owner", &out->owner, err)) != CD_OK) return s;
    if ((s = decode_count(&v[2], GOV_MAX_MEASUREMENTS, "measurementIds", &out->n_measurements, err)) != CD_OK) return s;
    return decode_count(&v[3], GOV_MAX_MEMBERS, "memberList", &out->n_members, err);
}

/* Batch 2: the ids and the member addresses, no duplicates. */
CD_MUST_CHECK static cd_status read_elements(source *src, gov_snapshot *out, cd_hash32 *keys, cd_hash32 *v,
                                             cd_error *err) {
    size_t nm = out->n_measurements, nk = out->n_members;
    for (size_t i = 0; i < nm; i++) gov_slot_array_element(GOV_SLOT_MEASUREMENT_IDS, i, &keys[i]);
    for (size_t i = 0; i < nk; i++) gov_slot_array_element(GOV_SLOT_MEMBER_LIST, i, &keys[nm + i]);
    cd_status s = fetch(src, keys, nm + nk, v, err);
    if (s != CD_OK) return s;
    for (size_t i = 0; i < nm; i++) {
        memcpy(out->measurements[i].id, v[i].b, 32);
        for (size_t j = 0; j < i; j++)
            if (!memcmp(out->measurements[j].id, v[i].b, 32))
                return cd_fail(err, CD_ERR_GOV_NOT_GOVERNANCE, "measurementIds lists an id twice (%zu and %zu)", j, i);
    }
    for (size_t i = 0; i < nk; i++) {
        if ((s = decode_address(&v[nm + i], "memberList element", &out->members[i].signer, err)) != CD_OK) return s;
        for (size_t j = 0; j < i; j++)
            if (cd_address_eq(&out->members[j].signer, &out->members[i].signer))
                return cd_fail(err, CD_ERR_GOV_NOT_GOVERNANCE, "memberList lists an address twice (%zu and %zu)", j, i);
    }
    return CD_OK;
}

/* A string head: short ones are complete, long ones are queued for batch 4. */
CD_MUST_CHECK static cd_status take_string(const cd_hash32 *slot, const cd_hash32 *word, char *dst, size_t *dst_len,
                                           const char *what, pending_string *pend, size_t *n_pend, cd_error *err) {
    pending_string ps = {*slot, {false, 0}, dst, dst_len, what};
    cd_status s = gov_string_head_decode(word, GOV_MAX_STRING, &ps.head, err);
    if (s != CD_OK) {
        cd_error_prefix(err, "%s: ", what);
        return s;
    }
    if (!ps.head.is_long) return finish_string(&ps, word->b, err);
    pend[(*n_pend)++] = ps;
    return CD_OK;
}

/* Batch 3: each measurement's version and packed window, each member's endpoint and flag. */
CD_MUST_CHECK static cd_status read_fields(source *src, gov_snapshot *out, cd_hash32 *keys, cd_hash32 *v,
                                           pending_string *pend, size_t *n_pend, cd_error *err) {
    size_t nm = out->n_measurements, nk = out->n_members;
    for (size_t i = 0; i < nm; i++) {
        gov_slot_mapping(out->measurements[i].id, GOV_SLOT_MEASUREMENTS, &keys[2 * i]);
        gov_slot_add(&keys[2 * i], 1, &keys[2 * i + 1]);
    }
    for (size_t i = 0; i < nk; i++) {
        gov_slot_mapping_address(&out->members[i].signer, GOV_SLOT_MEMBERS, &keys[2 * (nm + i)]);
        gov_slot_add(&keys[2 * (nm + i)], 1, &keys[2 * (nm + i) + 1]);
    }
    cd_status s = fetch(src, keys, 2 * (nm + nk), v, err);
    if (s != CD_OK) return s;
    for (size_t i = 0; i < nm; i++) {
        gov_measurement *m = &out->measurements[i];
        const cd_hash32 *w = &v[2 * i + 1];
        /* Packed from the low end: uint64 notBefore, uint64 notAfter, bool revoked. */
        if (!zero_bytes(w->b, 15) || w->b[15] > 1)
            return cd_fail(err, CD_ERR_GOV_NOT_GOVERNANCE, "measurement %zu: window word has stray bits", i);
        m->not_before = be_u64(w->b + 24);
        m->not_after = be_u64(w->b + 16);
        m->revoked = w->b[15] == 1;
        s = take_string(&keys[2 * i], &v[2 * i], m->version, &m->version_len, "measurement version", pend, n_pend, err);
        if (s != CD_OK) return s;
    }
    for (size_t i = 0; i < nk; i++) {
        gov_member *k = &out->members[i];
        const cd_hash32 *w = &v[2 * (nm + i) + 1];
        if (!zero_bytes(w->b, 31) || w->b[31] > 1)
            return cd_fail(err, CD_ERR_GOV_NOT_GOVERNANCE, "member %zu: active word has stray bits", i);
        k->active = w->b[31] == 1;
        s = take_string(&keys[2 * (nm + i)], &v[2 * (nm + i)], k->endpoint, &k->endpoint_len, "member endpoint", pend,
                        n_pend, err);
        if (s != CD_OK) return s;
    }
    return CD_OK;
}

/* Batch 4: the chunks of every long string, then the strings themselves. */
CD_MUST_CHECK static cd_status read_chunks(source *src, cd_hash32 *keys, cd_hash32 *v, pending_string *pend,
                                           size_t n_pend, cd_error *err) {
    size_t n = 0;
    for (size_t i = 0; i < n_pend; i++)
        for (size_t c = 0; c < (pend[i].head.len + 31) / 32; c++) gov_slot_string_chunk(&pend[i].head_slot, c, &keys[n++]);
    cd_status s = fetch(src, keys, n, v, err);
    if (s != CD_OK) return s;
    size_t at = 0;
    for (size_t i = 0; i < n_pend; i++) {
        uint8_t bytes[GOV_MAX_STRING + 32];
        size_t chunks = (pend[i].head.len + 31) / 32;
        for (size_t c = 0; c < chunks; c++) memcpy(bytes + 32 * c, v[at + c].b, 32);
        at += chunks;
        /* Solidity zeroes the unused tail of the last chunk; anything else is not our layout. */
        if (!zero_bytes(bytes + pend[i].head.len, 32 * chunks - pend[i].head.len))
            return cd_fail(err, CD_ERR_GOV_NOT_GOVERNANCE, "%s: bytes after the string's end", pend[i].what);
        if ((s = finish_string(&pend[i], bytes, err)) != CD_OK) return s;
    }
    return CD_OK;
}

/* Slots any one batch can ask: batch 4 is the largest (every string long and full). */
#define MAX_KEYS ((GOV_MAX_MEASUREMENTS + GOV_MAX_MEMBERS) * ((GOV_MAX_STRING + 31) / 32))
#define MAX_STRINGS (GOV_MAX_MEASUREMENTS + GOV_MAX_MEMBERS)

cd_status gov_read(const cd_hash32 *code_hash, gov_storage_fn fn, void *ctx, gov_snapshot *out, unsigned *batches,
                   cd_error *err) {
    if (batches) *batches = 0;
    out->n_measurements = out->n_members = 0;
    memset(&out->owner, 0, sizeof out->owner);
    cd_hash32 empty;
    keccak256(NULL, 0, empty.b);
    if (zero_bytes(code_hash->b, 32) || cd_hash32_eq(code_hash, &empty))
        return cd_fail(err, CD_ERR_GOV_NO_CODE, "the governance address has no contract code");
    source src = {fn, ctx, 0};
    gov_snapshot *tmp = malloc(sizeof *tmp);
    cd_hash32 *keys = malloc(MAX_KEYS * sizeof *keys), *vals = malloc(MAX_KEYS * sizeof *vals);
    pending_string *pend = malloc(MAX_STRINGS * sizeof *pend);
    size_t n_pend = 0;
    cd_status s = tmp && keys && vals && pend ? CD_OK : cd_fail(err, CD_ERR_NOMEM, "governance reader");
    if (s == CD_OK) {
        memset(tmp, 0, sizeof *tmp);
        s = read_fixed(&src, tmp, err);
    }
    if (s == CD_OK) s = read_elements(&src, tmp, keys, vals, err);
    if (s == CD_OK) s = read_fields(&src, tmp, keys, vals, pend, &n_pend, err);
    if (s == CD_OK) s = read_chunks(&src, keys, vals, pend, n_pend, err);
    if (s == CD_OK) {
        /* Only a complete read replaces the caller's lists. */
        out->owner = tmp->owner;
        out->n_measurements = tmp->n_measurements;
        memcpy(out->measurements, tmp->measurements, tmp->n_measurements * sizeof tmp->measurements[0]);
        out->n_members = tmp->n_members;
        memcpy(out->members, tmp->members, tmp->n_members * sizeof tmp->members[0]);
    }
    if (batches) *batches = src.batches;
    free(tmp);
    free(keys);
    free(vals);
    free(pend);
    return s;
}
