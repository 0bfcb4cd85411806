/* attest: TDX collateral — PCK certificate extensions, CRLs, TCB info and QE identity.
 *
 * Collateral directory (all optional):
 *   pck_crl.der, root_crl.der     DER CRLs (Intel PCS)
 *   tcb_info.json                  PCS v4 body {"tcbInfo": {...}, "signature": "hex r||s"}
 *   qe_identity.json               PCS v4 body {"enclaveIdentity": {...}, "signature": "..."}
 *   tcb_signing_chain.pem          Intel SGX TCB Signing cert + Root CA (PCS response header)
 * A TCB status is only reported as known when the TCB info's signature verified with a
 * signing chain that ends in the pinned Intel root; otherwise the level that the unverified
 * collateral would give is reported separately, never as the status. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/pem.h>

#include "attest/tdx_internal.h"

#define MAX_COLLATERAL (256 * 1024)

static const uint8_t INTEL_ROOT_FP[32] = {
    0x44, 0xA0, 0x19, 0x6B, 0x2B, 0x99, 0xF8, 0x89, 0xB8, 0xE1, 0x49, 0xE9, 0x5B, 0x80, 0x7A, 0x35,
    0x0E, 0x74, 0x24, 0x96, 0x43, 0x99, 0xE8, 0x85, 0xA7, 0xCB, 0xB8, 0xCC, 0xFA, 0xB6, 0x74, 0xD3};

/* ---- DER: just enough to walk the SGX extension ------------------------------------ */

static bool der_tlv(const uint8_t **p, const uint8_t *end, uint8_t *tag, const uint8_t **val, size_t *len) {
    if (end - *p < 2) return false;
    *tag = (*p)[0];
    size_t l = (*p)[1];
    const uint8_t *q = *p + 2;
    if (l & 0x80) {
        size_t nb = l & 0x7f;
        if (nb == 0 || nb > 3 || (size_t)(end - q) < nb) return false;
        l = 0;
        for (size_t i = 0; i < nb; i++) l = (l << 8) | *q++;
    }
    if ((size_t)(end - q) < l) return false;
    *val = q;
    *len = l;
    *p = q + l;
    return true;
}

/* 1.2.840.113741.1.13.1 (Intel SGX extensions) */
static const uint8_t SGX_OID[] = {0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01};

static bool oid_is(const uint8_t *v, size_t len, const uint8_t *suffix, size_t slen) {
    return len == sizeof SGX_OID + slen && memcmp(v, SGX_OID, sizeof SGX_OID) == 0 &&
           memcmp(v + sizeof SGX_OID, suffix, slen) == 0;
}

static bool der_small_int(const uint8_t *v, size_t len, unsigned *out) {
    if (len == 0 || len > 3) return false;
    unsigned x = 0;
    for (size_t i = 0; i < len; i++) x = (x << 8) | v[i];
    *out = x;
    return true;
}

/* TCB: SEQUENCE of SEQUENCE {OID .2.n, INTEGER svn (n=1..17) | OCTET STRING cpusvn (n=18)} */
static void read_tcb(const uint8_t *p, const uint8_t *end, att_report *rep) {
    uint8_t tag;
    const uint8_t *v, *ov, *vv;
    size_t len, ol, vl;
    while (p < end && der_tlv(&p, end, &tag, &v, &len)) {
        const uint8_t *q = v, *qend = v + len;
        uint8_t ot, vt;
        if (tag != 0x30 || !der_tlv(&q, qend, &ot, &ov, &ol) || ot != 0x06 || !der_tlv(&q, qend, &vt, &vv, &vl)) continue;
        if (ol != sizeof SGX_OID + 2 || memcmp(ov, SGX_OID, sizeof SGX_OID) || ov[sizeof SGX_OID] != 2) continue;
        unsigned n = ov[sizeof SGX_OID + 1], x;
        if (n == 17 && vt == 0x02 && der_small_int(vv, vl, &x)) rep->pcesvn = (uint16_t)x;
        else if (n == 18 && vt == 0x04 && vl == 16) memcpy(rep->cpusvn, vv, 16);
    }
}

void att_tdx_pck_info(X509 *pck, att_report *rep) {
    ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
    int idx = obj ? X509_get_ext_by_OBJ(pck, obj, -1) : -1;
    ASN1_OBJECT_free(obj);
    if (idx < 0) return;
    ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(X509_get_ext(pck, idx));
    const uint8_t *p = ASN1_STRING_get0_data(data), *end = p + ASN1_STRING_length(data), *v;
    uint8_t tag;
    size_t len;
    if (!der_tlv(&p, end, &tag, &v, &len) || tag != 0x30) return;
    const uint8_t *q = v, *qend = v + len;
    bool fmspc = false;
    while (q < qend) {
        const uint8_t *e, *ov, *vv;
        size_t el, ol, vl;
        uint8_t et, ot, vt;
        if (!der_tlv(&q, qend, &et, &e, &el)) break;
        const uint8_t *r = e, *rend = e + el;
        if (et != 0x30 || !der_tlv(&r, rend, &ot, &ov, &ol) || ot != 0x06 || !der_tlv(&r, rend, &vt, &vv, &vl)) continue;
        if (oid_is(ov, ol, (const uint8_t[]){2}, 1) && vt == 0x30) read_tcb(vv, vv + vl, rep);
        else if (oid_is(ov, ol, (const uint8_t[]){4}, 1) && vt == 0x04 && vl == 6) {
            memcpy(rep->fmspc, vv, 6);
            fmspc = true;
        }
    }
    rep->pck_info = fmspc;
}

/* ---- CRLs ------------------------------------------------------------------------- */

static void note(att_report *rep, const char *fmt, const char *a) {
    size_t n = strlen(rep->tcb_reason);
    if (n + 3 >= sizeof rep->tcb_reason) return;
    snprintf(rep->tcb_reason + n, sizeof rep->tcb_reason - n, n ? "; " : "");
    n = strlen(rep->tcb_reason);
    snprintf(rep->tcb_reason + n, sizeof rep->tcb_reason - n, fmt, a);
}

static cd_status check_one_crl(const char *dir, const char *name, STACK_OF(X509) *chain, int64_t at,
                               att_report *rep, cd_error *err) {
    cd_buf b = {0};
    cd_status st = att_read_optional(dir, name, MAX_COLLATERAL, &b);
    if (st == CD_ERR_NOT_FOUND) return CD_OK;
    if (st) {
        cd_buf_free(&b);
        return cd_fail(err, CD_ERR_ATT_COLLATERAL, "collateral %s: cannot read", name);
    }
    const uint8_t *p = b.data;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)b.len);
    cd_buf_free(&b);
    if (!crl) return cd_fail(err, CD_ERR_ATT_COLLATERAL, "collateral %s: not a DER CRL", name);
    /* Find its issuer in the chain; the CRL must be signed by it. */
    X509 *issuer = NULL;
    for (int i = 0; i < sk_X509_num(chain); i++)
        if (X509_NAME_cmp(X509_get_subject_name(sk_X509_value(chain, i)), X509_CRL_get_issuer(crl)) == 0)
            issuer = sk_X509_value(chain, i);
    if (!issuer) {
        X509_CRL_free(crl);
        note(rep, "%s: issuer not in the PCK chain (not applied)", name);
        return CD_OK;
    }
    if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1) {
        X509_CRL_free(crl);
        return cd_fail(err, CD_ERR_ATT_COLLATERAL, "collateral %s: CRL signature does not verify", name);
    }
    for (int i = 0; i < sk_X509_num(chain); i++) {
        X509 *c = sk_X509_value(chain, i);
        X509_REVOKED *rv = NULL;
        if (X509_NAME_cmp(X509_get_issuer_name(c), X509_CRL_get_issuer(crl)) == 0 &&
            X509_CRL_get0_by_cert(crl, &rv, c) == 1) {
            X509_CRL_free(crl);
            rep->tcb_status = ATT_TCB_REVOKED;
            return cd_fail(err, CD_ERR_ATT_REVOKED, "tdx: certificate %d of the PCK chain is revoked by %s", i, name);
        }
    }
    time_t t = (time_t)at;
    const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
    if (X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &t) > 0 || (next && X509_cmp_time(next, &t) < 0))
        note(rep, "%s is not current at the verification time", name);
    X509_CRL_free(crl);
    return CD_OK;
}

cd_status att_tdx_check_crls(const char *dir, STACK_OF(X509) *chain, int64_t at, att_report *rep, cd_error *err) {
    rep->tcb_reason[0] = 0;
    cd_status st = check_one_crl(dir, "pck_crl.der", chain, at, rep, err);
    if (!st) st = check_one_crl(dir, "root_crl.der", chain, at, rep, err);
    return st;
}

/* ---- TCB info --------------------------------------------------------------------- */

/* The raw bytes of the JSON value of top-level member `key` in body: the signature covers
 * exactly those bytes, so they must not be re-serialised. */
static bool raw_member(const char *body, size_t len, const char *key, cd_bytes *out) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    size_t pl = strlen(pat);
    for (size_t i = 0; i + pl < len; i++) {
        if (memcmp(body + i, pat, pl) != 0) continue;
        size_t j = i + pl;
        while (j < len && (body[j] == ' ' || body[j] == ':' || body[j] == '\n' || body[j] == '\r' || body[j] == '\t')) j++;
        if (j >= len || body[j] != '{') return false;
        size_t start = j;
        int depth = 0;
        bool in_str = false;
        for (; j < len; j++) {
            char c = body[j];
            if (in_str) {
                if (c == '\\') j++;
                else if (c == '"') in_str = false;
            } else if (c == '"') in_str = true;
            else if (c == '{') depth++;
            else if (c == '}' && --depth == 0) {
                *out = cd_bytes_make(body + start, j + 1 - start);
                return true;
            }
        }
        return false;
    }
    return false;
}

/* Parses exactly the bytes the signature covers, so that the object we evaluate is the one
 * that was signed (a body could carry a second member of the same name elsewhere). */
static json_object *parse_slice(cd_bytes b) {
    if (b.len > INT32_MAX) return NULL;
    json_tokener *tok = json_tokener_new();
    json_object *o = tok ? json_tokener_parse_ex(tok, (const char *)b.ptr, (int)b.len) : NULL;
    bool complete = tok && json_tokener_get_error(tok) == json_tokener_success;
    if (tok) json_tokener_free(tok);
    if (o && (!complete || !json_object_is_type(o, json_type_object))) {
        json_object_put(o);
        o = NULL;
    }
    return o;
}

static const struct { const char *name; att_tcb_status st; } STATUS_NAMES[] = {
    {"UpToDate", ATT_TCB_UP_TO_DATE},
    {"SWHardeningNeeded", ATT_TCB_SW_HARDENING_NEEDED},
    {"ConfigurationNeeded", ATT_TCB_CONFIG_NEEDED},
    {"ConfigurationAndSWHardeningNeeded", ATT_TCB_CONFIG_AND_SW_HARDENING_NEEDED},
    {"OutOfDate", ATT_TCB_OUT_OF_DATE},
    {"OutOfDateConfigurationNeeded", ATT_TCB_OUT_OF_DATE_CONFIG_NEEDED},
    {"Revoked", ATT_TCB_REVOKED},
};

static att_tcb_status status_from(const char *s) {
    for (size_t i = 0; s && i < CD_ARRAY_LEN(STATUS_NAMES); i++)
        if (!strcmp(s, STATUS_NAMES[i].name)) return STATUS_NAMES[i].st;
    return ATT_TCB_UNKNOWN;
}

static json_object *get(json_object *o, const char *k) {
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* The 16 component SVNs of an array [{svn: n}, ...]; false if malformed. */
static bool component_svns(json_object *arr, unsigned svn[16]) {
    if (!arr || !json_object_is_type(arr, json_type_array) || json_object_array_length(arr) != 16) return false;
    for (size_t i = 0; i < 16; i++) {
        json_object *s = get(json_object_array_get_idx(arr, i), "svn");
        if (!s || !json_object_is_type(s, json_type_int)) return false;
        int64_t v = json_object_get_int64(s);
        if (v < 0 || v > 255) return false;
        svn[i] = (unsigned)v;
    }
    return true;
}

/* Intel's rule: the first level whose SGX components <= PCK CPUSVN, PCESVN <= PCK PCESVN,
 * and TDX components <= TEE_TCB_SVN (levels are ordered newest first). */
static att_tcb_status match_level(json_object *levels, const att_report *rep, bool *malformed) {
    *malformed = false;
    if (!levels || !json_object_is_type(levels, json_type_array)) {
        *malformed = true;
        return ATT_TCB_UNKNOWN;
    }
    for (size_t i = 0; i < json_object_array_length(levels); i++) {
        json_object *lvl = json_object_array_get_idx(levels, i), *tcb = get(lvl, "tcb");
        unsigned sgx[16], tdx[16];
        json_object *pce = get(tcb, "pcesvn");
        if (!component_svns(get(tcb, "sgxtcbcomponents"), sgx) || !component_svns(get(tcb, "tdxtcbcomponents"), tdx) ||
            !pce || !json_object_is_type(pce, json_type_int)) {
            *malformed = true;
            return ATT_TCB_UNKNOWN;
        }
        bool ok = json_object_get_int64(pce) <= rep->pcesvn;
        for (int k = 0; k < 16 && ok; k++) ok = sgx[k] <= rep->cpusvn[k] && tdx[k] <= rep->tee_tcb_svn[k];
        if (ok) {
            att_tcb_status s = status_from(json_object_get_string(get(lvl, "tcbStatus")));
            if (s == ATT_TCB_UNKNOWN) *malformed = true;
            return s;
        }
    }
    return ATT_TCB_NO_MATCH;
}

/* Verifies `signed_obj` with the signature (hex r||s) and the TCB signing chain in dir.
 * Returns NULL on success, else a reason. */
static const char *check_collateral_sig(const char *dir, cd_bytes signed_obj, const char *sig_hex, int64_t at) {
    uint8_t sig[64];
    if (!sig_hex || cd_hex_decode_exact(sig_hex, sig, 64)) return "signature is not 64 hex bytes";
    cd_buf pem = {0};
    if (att_read_optional(dir, "tcb_signing_chain.pem", MAX_COLLATERAL, &pem)) {
        cd_buf_free(&pem);
        return "no tcb_signing_chain.pem to check its signature";
    }
    BIO *bio = BIO_new_mem_buf(pem.data, (int)pem.len);
    STACK_OF(X509) *chain = sk_X509_new_null();
    X509 *c;
    while (bio && chain && sk_X509_num(chain) < 4 && (c = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
        if (!sk_X509_push(chain, c)) X509_free(c);
    BIO_free(bio);
    cd_buf_free(&pem);
    ERR_clear_error();
    const char *why = NULL;
    cd_error e;
    if (!chain || sk_X509_num(chain) < 2) why = "tcb_signing_chain.pem does not hold signing cert + root";
    else if (att_verify_chain(chain, INTEL_ROOT_FP, at, "TCB signing chain", &e)) why = "TCB signing chain does not verify to the Intel root";
    else if (!att_ecdsa_verify_raw(X509_get0_pubkey(sk_X509_value(chain, 0)), EVP_sha256(), signed_obj.ptr,
                                   signed_obj.len, sig, 64))
        why = "signature does not verify";
    sk_X509_pop_free(chain, X509_free);
    return why;
}

static bool fmspc_matches(json_object *ti, const att_report *rep) {
    uint8_t f[6];
    const char *s = json_object_get_string(get(ti, "fmspc"));
    return s && !cd_hex_decode_exact(s, f, 6) && memcmp(f, rep->fmspc, 6) == 0;
}

/* (report & mask) == (expected & mask) for hex fields of the QE identity. MISCSELECT is a
 * little-endian u32 in the report and a big-endian hex number in the identity. */
static bool masked_eq(json_object *id, const char *vkey, const char *mkey, const uint8_t *report, size_t n) {
    uint8_t v[16], m[16], r[16];
    const char *vs = json_object_get_string(get(id, vkey)), *ms = json_object_get_string(get(id, mkey));
    if (!vs || !ms || cd_hex_decode_exact(vs, v, n) || cd_hex_decode_exact(ms, m, n)) return false;
    for (size_t i = 0; i < n; i++) r[i] = n == 4 ? report[3 - i] : report[i];
    for (size_t i = 0; i < n; i++)
        if ((r[i] & m[i]) != (v[i] & m[i])) return false;
    return true;
}

/* Checks the QE report against the QE identity (MRSIGNER, ISVPRODID, masked MISCSELECT and
 * ATTRIBUTES) and notes the QE's TCB level. The comparison runs even when the identity's
 * signature cannot be checked, so an operator sees the result — marked "unverified". */
static void qe_identity_note(const char *dir, const tdx_parsed *tp, att_report *rep, int64_t at) {
    cd_buf b = {0};
    if (att_read_optional(dir, "qe_identity.json", MAX_COLLATERAL, &b) || !b.len) {
        cd_buf_free(&b);
        return;
    }
    json_tokener *tok = json_tokener_new();
    json_object *root = tok ? json_tokener_parse_ex(tok, (const char *)b.data, (int)b.len) : NULL;
    if (tok) json_tokener_free(tok);
    cd_bytes raw;
    json_object *id = raw_member((const char *)b.data, b.len, "enclaveIdentity", &raw) ? parse_slice(raw) : NULL;
    if (!id) {
        note(rep, "%s", "QE identity: malformed");
        json_object_put(root);
        cd_buf_free(&b);
        return;
    }
    const char *sig_why = check_collateral_sig(dir, raw, json_object_get_string(get(root, "signature")), at);
    const char *tag = sig_why ? "QE identity (unverified)" : "QE identity";
    const char *why = NULL;
    uint8_t mrsigner[32];
    const char *ms = json_object_get_string(get(id, "mrsigner"));
    json_object *prod = get(id, "isvprodid");
    if (!ms || cd_hex_decode_exact(ms, mrsigner, 32) || memcmp(mrsigner, tp->qe_report + 128, 32) != 0)
        why = "QE MRSIGNER differs";
    else if (!prod || json_object_get_int64(prod) != att_le16(tp->qe_report + 256))
        why = "QE ISVPRODID differs";
    else if (!masked_eq(id, "miscselect", "miscselectMask", tp->qe_report + 16, 4))
        why = "QE MISCSELECT differs under the mask";
    else if (!masked_eq(id, "attributes", "attributesMask", tp->qe_report + 48, 16))
        why = "QE ATTRIBUTES differ under the mask";
    char msg[96];
    if (why) {
        snprintf(msg, sizeof msg, "%s: %s", tag, why);
    } else {
        unsigned isvsvn = att_le16(tp->qe_report + 258);
        json_object *lv = get(id, "tcbLevels");
        const char *status = "no matching level";
        for (size_t i = 0; lv && json_object_is_type(lv, json_type_array) && i < json_object_array_length(lv); i++) {
            json_object *l = json_object_array_get_idx(lv, i);
            json_object *sv = get(get(l, "tcb"), "isvsvn");
            if (sv && json_object_get_int64(sv) <= (int64_t)isvsvn) {
                status = json_object_get_string(get(l, "tcbStatus"));
                break;
            }
        }
        snprintf(msg, sizeof msg, "%s: QE %s (ISVSVN %u)", tag, status ? status : "?", isvsvn);
    }
    note(rep, "%s", msg);
    if (sig_why) note(rep, "QE identity not trusted: %s", sig_why);
    json_object_put(id);
    json_object_put(root);
    cd_buf_free(&b);
}

/* TDX module identity (TCB info v3): for a module with major version > 0 (TEE_TCB_SVN[1]),
 * the entry "TDX_<major>" must match MRSIGNERSEAM and SEAM attributes (under its mask), and
 * its first level with isvsvn <= TEE_TCB_SVN[0] gives the module's status. Returns
 * ATT_TCB_UNKNOWN when not applicable or not found (noted in rep). */
static att_tcb_status module_status(json_object *ti, att_report *rep) {
    if (rep->tee_tcb_svn[1] == 0) return ATT_TCB_UNKNOWN;
    json_object *ids = get(ti, "tdxModuleIdentities");
    char want[8];
    snprintf(want, sizeof want, "TDX_%02X", rep->tee_tcb_svn[1]);
    for (size_t i = 0; ids && json_object_is_type(ids, json_type_array) && i < json_object_array_length(ids); i++) {
        json_object *m = json_object_array_get_idx(ids, i);
        const char *id = json_object_get_string(get(m, "id"));
        if (!id || strcmp(id, want) != 0) continue;
        uint8_t signer[48], attr[8], mask[8];
        const char *ms = json_object_get_string(get(m, "mrsigner"));
        const char *as = json_object_get_string(get(m, "attributes"));
        const char *ks = json_object_get_string(get(m, "attributesMask"));
        if (!ms || !as || !ks || cd_hex_decode_exact(ms, signer, 48) || cd_hex_decode_exact(as, attr, 8) ||
            cd_hex_decode_exact(ks, mask, 8)) {
            note(rep, "%s identity malformed", want);
            return ATT_TCB_UNKNOWN;
        }
        bool attr_ok = true;
        for (int k = 0; k < 8; k++) attr_ok = attr_ok && (rep->seam_attributes[k] & mask[k]) == (attr[k] & mask[k]);
        if (memcmp(signer, rep->mrsignerseam, 48) != 0 || !attr_ok) {
            note(rep, "%s: MRSIGNERSEAM or SEAM attributes differ from the module identity", want);
            return ATT_TCB_NO_MATCH;
        }
        json_object *lv = get(m, "tcbLevels");
        for (size_t j = 0; lv && json_object_is_type(lv, json_type_array) && j < json_object_array_length(lv); j++) {
            json_object *l = json_object_array_get_idx(lv, j);
            json_object *sv = get(get(l, "tcb"), "isvsvn");
            if (sv && json_object_is_type(sv, json_type_int) && json_object_get_int64(sv) <= rep->tee_tcb_svn[0]) {
                const char *st = json_object_get_string(get(l, "tcbStatus"));
                char msg[64];
                snprintf(msg, sizeof msg, "%s %s", want, st ? st : "?");
                note(rep, "TDX module %s", msg);
                return status_from(st);
            }
        }
        note(rep, "%s: no module TCB level matches", want);
        return ATT_TCB_NO_MATCH;
    }
    note(rep, "TDX module identity %s not in TCB info", want);
    return ATT_TCB_UNKNOWN;
}

/* Severity order for combining platform and module status (higher = worse). */
static int severity(att_tcb_status s) {
    switch (s) {
    case ATT_TCB_UP_TO_DATE: return 0;
    case ATT_TCB_SW_HARDENING_NEEDED: return 1;
    case ATT_TCB_CONFIG_NEEDED: return 2;
    case ATT_TCB_CONFIG_AND_SW_HARDENING_NEEDED: return 3;
    case ATT_TCB_OUT_OF_DATE: return 4;
    case ATT_TCB_OUT_OF_DATE_CONFIG_NEEDED: return 5;
    case ATT_TCB_NO_MATCH: return 6;
    case ATT_TCB_REVOKED: return 7;
    default: return -1;
    }
}

void att_tdx_eval_tcb(const char *dir, X509 *root, const tdx_parsed *tp, att_report *rep, int64_t at) {
    (void)root;
    cd_buf b = {0};
    if (att_read_optional(dir, "tcb_info.json", MAX_COLLATERAL, &b) || !b.len) {
        cd_buf_free(&b);
        note(rep, "%s", "no tcb_info.json in collateral");
        return;
    }
    json_tokener *tok = json_tokener_new();
    json_object *doc = tok ? json_tokener_parse_ex(tok, (const char *)b.data, (int)b.len) : NULL;
    if (tok) json_tokener_free(tok);
    cd_bytes raw;
    json_object *ti = raw_member((const char *)b.data, b.len, "tcbInfo", &raw) ? parse_slice(raw) : NULL;
    bool malformed = false;
    if (!ti) {
        note(rep, "%s", "tcb_info.json is malformed");
    } else if (!rep->pck_info) {
        note(rep, "%s", "PCK certificate lacks the SGX extension (FMSPC)");
    } else if (!fmspc_matches(ti, rep)) {
        note(rep, "tcb_info.json is for FMSPC %s, not this platform's", json_object_get_string(get(ti, "fmspc")));
    } else {
        att_tcb_status lvl = match_level(get(ti, "tcbLevels"), rep, &malformed);
        att_tcb_status mod = malformed ? ATT_TCB_UNKNOWN : module_status(ti, rep);
        if (severity(mod) > severity(lvl)) lvl = mod; /* the worse of platform and module */
        if (malformed) {
            note(rep, "%s", "tcb_info.json has a malformed TCB level");
        } else {
            const char *why = check_collateral_sig(dir, raw, json_object_get_string(get(doc, "signature")), at);
            if (why) {
                rep->tcb_status_unverified = lvl;
                note(rep, "TCB info not trusted: %s", why);
            } else {
                rep->tcb_status = lvl;
            }
            const char *next = json_object_get_string(get(ti, "nextUpdate"));
            struct tm tmv;
            memset(&tmv, 0, sizeof tmv);
            if (next && strptime(next, "%Y-%m-%dT%H:%M:%SZ", &tmv) && (int64_t)timegm(&tmv) < at)
                note(rep, "%s", "TCB info expired before the verification time");
            qe_identity_note(dir, tp, rep, at);
        }
    }
    json_object_put(ti);
    json_object_put(doc);
    cd_buf_free(&b);
}
