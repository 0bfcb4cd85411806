/* attest: which measurements we accept. For now a JSON file; later the same entries come
 * from governance on chain, so the matching (att_policy_check) is independent of the source.
 *
 * Format: [ {"name": "...", "format": "tdx"|"nitro"|"mock" (optional),
 *            "mrtd": hex48, "rtmr0".."rtmr3": hex48 (each optional),
 *            "pcr0", "pcr1", "pcr2": hex48 (each optional)} , ... ]
 * A TDX/mock entry must pin MRTD; a Nitro entry at least one of PCR0..2. A register left out
 * is not checked — say so in the entry's name when that is deliberate (RTMR3 changes per app). */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "attest/att_internal.h"

#define POLICY_MAX_ENTRIES 1024
#define POLICY_MAX_FILE (1024 * 1024)

typedef struct {
    char name[64];
    att_format format;
    bool has_mrtd, has_rtmr[4], has_pcr[3];
    uint8_t mrtd[ATT_MR_LEN], rtmr[4][ATT_MR_LEN], pcr[3][ATT_MR_LEN];
} policy_entry;

struct att_policy {
    size_t n;
    policy_entry *e;
};

static cd_status read_mr(json_object *obj, const char *key, bool *has, uint8_t out[ATT_MR_LEN], size_t idx, cd_error *err) {
    json_object *v = NULL;
    if (!json_object_object_get_ex(obj, key, &v)) return CD_OK;
    const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    if (!s || cd_hex_decode_exact(s, out, ATT_MR_LEN))
        return cd_fail(err, CD_ERR_BAD_JSON, "policy entry %zu: %s is not 48 bytes of hex", idx, key);
    *has = true;
    return CD_OK;
}

static cd_status parse_entry(json_object *o, size_t idx, policy_entry *e, cd_error *err) {
    if (!json_object_is_type(o, json_type_object)) return cd_fail(err, CD_ERR_BAD_JSON, "policy entry %zu is not an object", idx);
    json_object *v = NULL;
    if (json_object_object_get_ex(o, "name", &v)) {
        const char *s = json_object_get_string(v);
        if (!json_object_is_type(v, json_type_string) || strlen(s) >= sizeof e->name)
            return cd_fail(err, CD_ERR_BAD_JSON, "policy entry %zu: name must be a string under 64 bytes", idx);
        strcpy(e->name, s);
    } else {
        snprintf(e->name, sizeof e->name, "entry %zu", idx);
    }
    static const char *const rt[4] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
    static const char *const pc[3] = {"pcr0", "pcr1", "pcr2"};
    cd_status st = read_mr(o, "mrtd", &e->has_mrtd, e->mrtd, idx, err);
    for (int i = 0; !st && i < 4; i++) st = read_mr(o, rt[i], &e->has_rtmr[i], e->rtmr[i], idx, err);
    for (int i = 0; !st && i < 3; i++) st = read_mr(o, pc[i], &e->has_pcr[i], e->pcr[i], idx, err);
    if (st) return st;
    bool any_tdx = e->has_mrtd || e->has_rtmr[0] || e->has_rtmr[1] || e->has_rtmr[2] || e->has_rtmr[3];
    bool any_pcr = e->has_pcr[0] || e->has_pcr[1] || e->has_pcr[2];
    if (any_tdx && any_pcr) return cd_fail(err, CD_ERR_BAD_JSON, "policy entry %zu mixes TDX registers and Nitro PCRs", idx);
    e->format = any_pcr ? ATT_FORMAT_NITRO : ATT_FORMAT_TDX;
    if (json_object_object_get_ex(o, "format", &v)) {
        const char *f = json_object_get_string(v);
        if (f && !strcmp(f, "mock") && !any_pcr) e->format = ATT_FORMAT_MOCK;
        else if (!f || strcmp(f, att_format_name(e->format)) != 0)
            return cd_fail(err, CD_ERR_BAD_JSON, "policy entry %zu: format '%s' does not fit its registers", idx, f ? f : "?");
    }
    if (e->format != ATT_FORMAT_NITRO && !e->has_mrtd) return cd_fail(err, CD_ERR_BAD_JSON, "policy entry %zu: mrtd is required", idx);
    if (e->format == ATT_FORMAT_NITRO && !any_pcr) return cd_fail(err, CD_ERR_BAD_JSON, "policy entry %zu pins nothing", idx);
    return CD_OK;
}

cd_status att_policy_parse(const char *json, size_t len, att_policy **out, cd_error *err) {
    *out = NULL;
    if (len > POLICY_MAX_FILE || len > INT32_MAX) return cd_fail(err, CD_ERR_TOO_LARGE, "policy larger than %d bytes", POLICY_MAX_FILE);
    json_tokener *tok = json_tokener_new();
    if (!tok) return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    json_object *root = json_tokener_parse_ex(tok, json, (int)len);
    bool complete = json_tokener_get_error(tok) == json_tokener_success;
    json_tokener_free(tok);
    if (!root || !complete || !json_object_is_type(root, json_type_array)) {
        json_object_put(root);
        return cd_fail(err, CD_ERR_BAD_JSON, "policy is not a JSON array");
    }
    size_t n = json_object_array_length(root);
    if (n > POLICY_MAX_ENTRIES) {
        json_object_put(root);
        return cd_fail(err, CD_ERR_TOO_LARGE, "policy has %zu entries (max %d)", n, POLICY_MAX_ENTRIES);
    }
    att_policy *p = calloc(1, sizeof *p);
    if (p) p->e = calloc(n ? n : 1, sizeof *p->e);
    if (!p || !p->e) {
        att_policy_free(p);
        json_object_put(root);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    }
    cd_status st = CD_OK;
    for (size_t i = 0; i < n && !st; i++) st = parse_entry(json_object_array_get_idx(root, i), i, &p->e[i], err);
    json_object_put(root);
    if (st) {
        att_policy_free(p);
        return st;
    }
    p->n = n;
    *out = p;
    return CD_OK;
}

cd_status att_policy_load(const char *path, att_policy **out, cd_error *err) {
    cd_buf b = {0};
    cd_status st = cd_read_file(path, POLICY_MAX_FILE, &b);
    if (st) {
        cd_buf_free(&b);
        return cd_fail(err, st, "policy %s: cannot read", path);
    }
    st = att_policy_parse(b.len ? (const char *)b.data : "", b.len, out, err);
    cd_buf_free(&b);
    return st;
}

void att_policy_free(att_policy *p) {
    if (!p) return;
    free(p->e);
    free(p);
}

static bool entry_matches(const policy_entry *e, const att_report *r) {
    if (e->format != r->format) return false;
    if (e->format == ATT_FORMAT_NITRO) {
        for (int i = 0; i < 3; i++)
            if (e->has_pcr[i] && (!(r->pcr_present & (1u << i)) || memcmp(e->pcr[i], r->pcrs[i], ATT_MR_LEN)))
                return false;
        return true;
    }
    if (memcmp(e->mrtd, r->mrtd, ATT_MR_LEN)) return false;
    for (int i = 0; i < 4; i++)
        if (e->has_rtmr[i] && memcmp(e->rtmr[i], r->rtmr[i], ATT_MR_LEN)) return false;
    return true;
}

cd_status att_policy_check(const att_policy *p, const att_report *rep, const char **matched, cd_error *err) {
    if (matched) *matched = NULL;
    for (size_t i = 0; i < p->n; i++)
        if (entry_matches(&p->e[i], rep)) {
            if (matched) *matched = p->e[i].name;
            return CD_OK;
        }
    return cd_fail(err, CD_ERR_ATT_POLICY, "%s measurement matches none of the %zu allowed entries",
                   att_format_name(rep->format), p->n);
}
