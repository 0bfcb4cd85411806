/* attest: format detection, the verification entry points, and the JSON report. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "attest/att_internal.h"

const char *att_format_name(att_format f) {
    switch (f) {
    case ATT_FORMAT_TDX: return "tdx";
    case ATT_FORMAT_NITRO: return "nitro";
    case ATT_FORMAT_MOCK: return "mock";
    default: return "unknown";
    }
}

const char *att_tcb_status_name(att_tcb_status s) {
    switch (s) {
    case ATT_TCB_UP_TO_DATE: return "UpToDate";
    case ATT_TCB_SW_HARDENING_NEEDED: return "SWHardeningNeeded";
    case ATT_TCB_CONFIG_NEEDED: return "ConfigurationNeeded";
    case ATT_TCB_CONFIG_AND_SW_HARDENING_NEEDED: return "ConfigurationAndSWHardeningNeeded";
    case ATT_TCB_OUT_OF_DATE: return "OutOfDate";
    case ATT_TCB_OUT_OF_DATE_CONFIG_NEEDED: return "OutOfDateConfigurationNeeded";
    case ATT_TCB_REVOKED: return "Revoked";
    case ATT_TCB_NO_MATCH: return "NoMatchingTcbLevel";
    case ATT_TCB_NOT_APPLICABLE: return "not applicable";
    default: return "unknown";
    }
}

static att_format detect_binary(cd_bytes in) {
    if (in.len >= 8 && memcmp(in.ptr, ATT_MOCK_MAGIC, 8) == 0) return ATT_FORMAT_MOCK;
    /* DCAP quotes start with version 4 or 5 (u16 LE); the TEE type is checked by the parser
     * so that a wrong one gets its own error rather than "unknown format". */
    if (in.len >= 2 && (in.ptr[0] == 4 || in.ptr[0] == 5) && in.ptr[1] == 0) return ATT_FORMAT_TDX;
    /* Other DCAP versions (SGX or TDX TEE type): routed to the TDX parser, which names the
     * unsupported version instead of calling the bytes unrecognisable. */
    if (in.len >= 8 && in.ptr[1] == 0 && in.ptr[0] >= 1 && in.ptr[0] <= 16 &&
        (att_le32(in.ptr + 4) == 0 || att_le32(in.ptr + 4) == 0x81))
        return ATT_FORMAT_TDX;
    /* COSE_Sign1: a 4-element array, or tag 18 around it. Any CBOR array or tag is sent to
     * the COSE parser so that a malformed document gets a COSE error, not "unknown". */
    if (in.len >= 1 && ((in.ptr[0] >> 5) == 4 || (in.ptr[0] >> 5) == 6)) return ATT_FORMAT_NITRO;
    return ATT_FORMAT_UNKNOWN;
}

static bool is_space(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

/* Text forms: hex (optional 0x) or base64 of one of the binary formats, surrounding
 * whitespace ignored. Appends the decoded bytes to out. */
static bool decode_text(cd_bytes in, cd_buf *out) {
    size_t a = 0, b = in.len;
    while (a < b && is_space(in.ptr[a])) a++;
    while (b > a && is_space(in.ptr[b - 1])) b--;
    if (b - a < 2 || b - a > 4 * (size_t)ATT_MAX_QUOTE_LEN) return false;
    const char *s = (const char *)in.ptr + a;
    size_t n = b - a;
    bool hex = true, b64 = true;
    size_t start = (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 2 : 0;
    for (size_t i = start; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isxdigit(c)) hex = false;
        if (!isalnum(c) && c != '+' && c != '/' && c != '=') b64 = false;
    }
    if (hex && (n - start) % 2 == 0) return cd_hex_decode_buf(s, n, out) == CD_OK;
    if (!b64 || n % 4) return false;
    if (cd_buf_reserve(out, n / 4 * 3 + 1)) return false;
    int got = EVP_DecodeBlock(out->data + out->len, (const unsigned char *)s, (int)n);
    if (got < 0) return false;
    size_t pad = (s[n - 1] == '=') + (s[n - 2] == '=');
    out->len += (size_t)got - pad;
    return true;
}

att_format att_detect_format(cd_bytes in) {
    att_format f = detect_binary(in);
    if (f != ATT_FORMAT_UNKNOWN) return f;
    cd_buf b = {0};
    if (decode_text(in, &b)) f = detect_binary(cd_buf_bytes(&b));
    cd_buf_free(&b);
    return f;
}

cd_status att_verify(cd_bytes quote, const att_verify_opts *opts, att_report *rep, cd_error *err) {
    memset(rep, 0, sizeof *rep);
    if (!quote.ptr || quote.len == 0) return cd_fail(err, CD_ERR_TRUNCATED, "empty quote");
    cd_buf text = {0};
    att_format f = detect_binary(quote);
    if (f == ATT_FORMAT_UNKNOWN && decode_text(quote, &text)) {
        quote = cd_buf_bytes(&text);
        f = detect_binary(quote);
    }
    cd_status st;
    switch (f) {
    case ATT_FORMAT_TDX: st = att_tdx_verify(quote, opts, rep, err); break;
    case ATT_FORMAT_NITRO: st = att_nitro_verify(quote, opts, rep, err); break;
    case ATT_FORMAT_MOCK: st = att_mock_verify(quote, opts, rep, err); break;
    default: st = cd_fail(err, CD_ERR_ATT_BAD_QUOTE, "unrecognised format (not a TDX quote, Nitro document or mock quote, nor hex/base64 of one)");
    }
    cd_buf_free(&text);
    return st;
}

cd_status att_verify_binding(cd_bytes quote, cd_bytes pubkey, const cd_hash32 *config_digest, cd_bytes nonce,
                             const att_policy *policy, const att_verify_opts *opts, att_report *rep, cd_error *err) {
    uint8_t expect[ATT_REPORT_DATA_LEN];
    memset(rep, 0, sizeof *rep);
    if (att_report_data(pubkey, config_digest, nonce, expect))
        return cd_fail(err, CD_ERR_INVALID_ARG, "public key (1..%d bytes) or nonce (<= %d bytes) out of range",
                       ATT_MAX_PUBKEY_LEN, ATT_MAX_NONCE_LEN);
    cd_status st = att_verify(quote, opts, rep, err);
    if (st) return st;
    if (rep->format == ATT_FORMAT_NITRO) {
        if (rep->user_data_len != ATT_REPORT_DATA_LEN || !cd_ct_eq(rep->user_data, expect, ATT_REPORT_DATA_LEN))
            return cd_fail(err, CD_ERR_ATT_BINDING, "nitro: user_data is not the report data for this key/config/nonce");
        if (rep->public_key_len && (rep->public_key_len != pubkey.len || memcmp(rep->public_key, pubkey.ptr, pubkey.len)))
            return cd_fail(err, CD_ERR_ATT_BINDING, "nitro: public_key field differs from the expected key");
    } else if (memcmp(rep->report_data, expect, 32) != 0) {
        return cd_fail(err, CD_ERR_ATT_BINDING, "report data does not bind this public key and config digest");
    } else if (memcmp(rep->report_data + 32, expect + 32, 32) != 0) {
        return cd_fail(err, CD_ERR_ATT_BINDING, "report data does not bind this nonce");
    }
    if (policy) {
        const char *matched = NULL;
        if ((st = att_policy_check(policy, rep, &matched, err))) return st;
    }
    return CD_OK;
}

/* ---- JSON report ------------------------------------------------------------------- */

static json_object *hexj(const uint8_t *p, size_t n) {
    char *s = malloc(2 * n + 3);
    if (!s) return NULL;
    cd_hex_encode(s, p, n);
    json_object *o = json_object_new_string(s + 2);
    free(s);
    return o;
}

static void add(json_object *o, const char *k, json_object *v) {
    if (v) json_object_object_add(o, k, v);
}

static void add_opt_bytes(json_object *o, const char *k, const uint8_t *p, size_t n) {
    json_object_object_add(o, k, n ? hexj(p, n) : NULL); /* absent = JSON null */
}

static void tdx_json(json_object *o, const att_report *r) {
    add(o, "quote_version", json_object_new_int(r->quote_version));
    add(o, "body_type", json_object_new_int(r->body_type));
    add(o, "tee_tcb_svn", hexj(r->tee_tcb_svn, 16));
    add(o, "mrseam", hexj(r->mrseam, 48));
    add(o, "mrsignerseam", hexj(r->mrsignerseam, 48));
    add(o, "seam_attributes", hexj(r->seam_attributes, 8));
    add(o, "td_attributes", hexj(r->td_attributes, 8));
    add(o, "xfam", hexj(r->xfam, 8));
    add(o, "mrtd", hexj(r->mrtd, 48));
    add(o, "mrconfigid", hexj(r->mrconfigid, 48));
    add(o, "mrowner", hexj(r->mrowner, 48));
    add(o, "mrownerconfig", hexj(r->mrownerconfig, 48));
    static const char *const names[4] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
    for (int i = 0; i < 4; i++) add(o, names[i], hexj(r->rtmr[i], 48));
    if (r->body_type == 3) {
        add(o, "tee_tcb_svn2", hexj(r->tee_tcb_svn2, 16));
        add(o, "mrservicetd", hexj(r->mrservicetd, 48));
    }
    if (r->pck_info) {
        json_object *p = json_object_new_object();
        add(p, "fmspc", hexj(r->fmspc, 6));
        add(p, "cpusvn", hexj(r->cpusvn, 16));
        add(p, "pcesvn", json_object_new_int(r->pcesvn));
        add(o, "pck", p);
    }
    add(o, "tcb_status", json_object_new_string(att_tcb_status_name(r->tcb_status)));
    if (r->tcb_status_unverified != ATT_TCB_UNKNOWN)
        add(o, "tcb_status_unverified", json_object_new_string(att_tcb_status_name(r->tcb_status_unverified)));
    if (r->tcb_reason[0]) add(o, "tcb_note", json_object_new_string(r->tcb_reason));
}

static void nitro_json(json_object *o, const att_report *r) {
    add(o, "module_id", json_object_new_string(r->module_id));
    add(o, "timestamp_ms", json_object_new_int64((int64_t)r->timestamp_ms));
    time_t t = (time_t)(r->timestamp_ms / 1000);
    struct tm tmv;
    char ts[40];
    if (gmtime_r(&t, &tmv) && strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tmv))
        add(o, "timestamp", json_object_new_string(ts));
    json_object *pcrs = json_object_new_object();
    for (int i = 0; i < ATT_NITRO_PCRS; i++)
        if (r->pcr_present & (1u << i)) {
            char k[8];
            snprintf(k, sizeof k, "%d", i);
            add(pcrs, k, hexj(r->pcrs[i], 48));
        }
    add(o, "pcrs", pcrs);
    add_opt_bytes(o, "public_key", r->public_key, r->public_key_len);
    add_opt_bytes(o, "user_data", r->user_data, r->user_data_len);
    add_opt_bytes(o, "nonce", r->nonce, r->nonce_len);
}

cd_status att_report_json(const att_report *rep, cd_status status, const char *reason, cd_buf *out) {
    json_object *o = json_object_new_object();
    if (!o) return CD_ERR_NOMEM;
    add(o, "format", json_object_new_string(att_format_name(rep->format)));
    add(o, "verdict", json_object_new_string(status == CD_OK ? (rep->insecure ? "valid-insecure" : "valid") : "invalid"));
    add(o, "status", json_object_new_string(status == CD_OK ? "CD_OK" : cd_status_name(status)));
    if (status != CD_OK && reason) add(o, "reason", json_object_new_string(reason));
    add(o, "signatures_and_chain_ok", json_object_new_boolean(rep->signature_ok));
    add(o, "insecure", json_object_new_boolean(rep->insecure));
    add(o, "debug", json_object_new_boolean(rep->debug));
    if (rep->format == ATT_FORMAT_TDX || rep->format == ATT_FORMAT_MOCK)
        add(o, "report_data", hexj(rep->report_data, 64));
    if (rep->format == ATT_FORMAT_TDX) tdx_json(o, rep);
    if (rep->format == ATT_FORMAT_NITRO) nitro_json(o, rep);
    if (rep->format == ATT_FORMAT_MOCK) {
        add(o, "mrtd", hexj(rep->mrtd, 48));
        add(o, "mock_key", hexj(rep->mock_key, 65));
    }
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    cd_status st = s ? cd_buf_append(out, s, strlen(s)) : CD_ERR_NOMEM;
    json_object_put(o);
    return st;
}
