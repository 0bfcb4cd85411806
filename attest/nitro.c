/* attest: AWS Nitro Enclaves attestation documents.
 * A document is COSE_Sign1 (RFC 9052) — [protected bstr, unprotected map, payload bstr,
 * signature bstr], optionally under tag 18 — signed with ECDSA P-384 by the leaf certificate
 * in the payload, whose chain (cabundle, root first) must end in the pinned AWS Nitro root.
 * Check order: structure, chain (so a flipped certificate byte is reported as a certificate
 * failure), then the COSE signature over the whole payload. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cbor.h>

#include "attest/att_internal.h"

/* SHA-256 of the DER AWS Nitro Enclaves Root-G1 certificate, as AWS documents it. */
static const uint8_t NITRO_ROOT_FP[32] = {
    0x64, 0x1A, 0x03, 0x21, 0xA3, 0xE2, 0x44, 0xEF, 0xE4, 0x56, 0x46, 0x31, 0x95, 0xD6, 0x06, 0x31,
    0x7E, 0xD7, 0xCD, 0xCC, 0x3C, 0x17, 0x56, 0xE0, 0x98, 0x93, 0xF3, 0xC6, 0x8F, 0x79, 0xBB, 0x5B};

#define CBOR_MAX_DEPTH 16
#define CBOR_MAX_ITEMS 4096
#define NITRO_MAX_CERTS 8
#define NITRO_CLOCK_SKEW 300 /* seconds */

/* ---- a bounded well-formedness scan, run before libcbor sees the bytes ------------------ */

/* libcbor builds a tree and frees it recursively; a hostile document of deeply nested
 * arrays would recurse that deep. This iterative scan bounds depth and item count (and
 * rejects anything malformed) so the tree we hand to libcbor is small and shallow. */
typedef struct {
    const uint8_t *p;
    size_t len, pos, items;
} cbor_scan;

static bool scan_head(cbor_scan *s, int *major, uint64_t *arg, bool *indef) {
    if (s->pos >= s->len) return false;
    uint8_t b = s->p[s->pos++];
    *major = b >> 5;
    uint8_t ai = b & 31;
    *indef = false;
    *arg = 0;
    if (ai < 24) {
        *arg = ai;
        return true;
    }
    if (ai == 31) {
        if (*major < 2 || *major == 6) return false; /* break/indefinite not allowed here */
        *indef = *major != 7;
        return *major != 7 ? true : false;
    }
    if (ai > 27) return false;
    size_t n = (size_t)1 << (ai - 24);
    if (s->len - s->pos < n) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v = (v << 8) | s->p[s->pos++];
    *arg = v;
    return true;
}

/* Scans one item; `depth` counts enclosing containers. */
static bool scan_item(cbor_scan *s, int depth) {
    /* Explicit stack of remaining counts: UINT64_MAX = indefinite (until break). */
    uint64_t remaining[CBOR_MAX_DEPTH + 1];
    int top = 0;
    remaining[0] = 1;
    (void)depth;
    while (top >= 0) {
        if (remaining[top] == 0) {
            top--;
            continue;
        }
        if (remaining[top] == UINT64_MAX && s->pos < s->len && s->p[s->pos] == 0xff) {
            s->pos++;
            top--;
            continue;
        }
        if (remaining[top] != UINT64_MAX) remaining[top]--;
        if (++s->items > CBOR_MAX_ITEMS) return false;
        int major;
        uint64_t arg;
        bool indef;
        if (!scan_head(s, &major, &arg, &indef)) return false;
        switch (major) {
        case 0: case 1: case 7: break;
        case 2: case 3:
            if (indef) { /* chunks of the same major type, then break */
                for (;;) {
                    if (s->pos >= s->len) return false;
                    if (s->p[s->pos] == 0xff) { s->pos++; break; }
                    int m2 = 0; uint64_t a2 = 0; bool i2 = false;
                    if (!scan_head(s, &m2, &a2, &i2) || m2 != major || i2) return false;
                    if (a2 > s->len - s->pos) return false;
                    s->pos += (size_t)a2;
                }
            } else {
                if (arg > s->len - s->pos) return false;
                s->pos += (size_t)arg;
            }
            break;
        case 4: case 5: case 6: {
            if (top >= CBOR_MAX_DEPTH) return false;
            uint64_t n;
            if (major == 6) n = 1;
            else if (indef) n = UINT64_MAX;
            else {
                if (arg > s->len) return false; /* more members than bytes left */
                n = major == 5 ? arg * 2 : arg;
            }
            if (major == 5 && indef) n = UINT64_MAX;
            remaining[++top] = n;
            break;
        }
        default: return false;
        }
    }
    return true;
}

static bool cbor_well_formed(cd_bytes in) {
    cbor_scan s = {in.ptr, in.len, 0, 0};
    return scan_item(&s, 0) && s.pos == in.len;
}

/* Loads a single complete CBOR item, or NULL. */
static cbor_item_t *load_cbor(cd_bytes in) {
    if (!cbor_well_formed(in)) return NULL;
    struct cbor_load_result r;
    cbor_item_t *it = cbor_load(in.ptr, in.len, &r);
    if (!it) return NULL;
    if (r.error.code != CBOR_ERR_NONE || r.read != in.len) {
        cbor_decref(&it);
        return NULL;
    }
    return it;
}

static bool key_is(cbor_item_t *k, const char *name) {
    size_t n = strlen(name);
    return cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == n &&
           memcmp(cbor_string_handle(k), name, n) == 0;
}

static bool definite_bytes(cbor_item_t *it, cd_bytes *out) {
    if (!it || !cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it)) return false;
    *out = cd_bytes_make(cbor_bytestring_handle(it), cbor_bytestring_length(it));
    return true;
}

/* Optional byte field: bstr (<= ATT_NITRO_FIELD_MAX) or null. */
static cd_status opt_field(cbor_item_t *v, const char *name, uint8_t *dst, size_t *dst_len, cd_error *err) {
    if (cbor_is_null(v)) return CD_OK;
    cd_bytes b;
    if (!definite_bytes(v, &b)) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: %s is not a byte string", name);
    if (b.len > ATT_NITRO_FIELD_MAX) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: %s is %zu bytes (max %d)", name, b.len, ATT_NITRO_FIELD_MAX);
    memcpy(dst, b.ptr, b.len);
    *dst_len = b.len;
    return CD_OK;
}

typedef struct {
    cd_bytes protected_hdr, payload, signature;
    cd_bytes leaf;
    cd_bytes cabundle[NITRO_MAX_CERTS];
    size_t n_ca;
} nitro_parts;

static cd_status parse_pcrs(cbor_item_t *m, att_report *rep, cd_error *err) {
    if (!cbor_isa_map(m) || !cbor_map_is_definite(m)) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: pcrs is not a map");
    size_t n = cbor_map_size(m);
    struct cbor_pair *pairs = cbor_map_handle(m);
    for (size_t i = 0; i < n; i++) {
        cd_bytes v;
        if (!cbor_isa_uint(pairs[i].key)) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: PCR index is not an integer");
        uint64_t idx = cbor_get_int(pairs[i].key);
        if (idx >= ATT_NITRO_PCRS) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: PCR index %llu out of range", (unsigned long long)idx);
        if (!definite_bytes(pairs[i].value, &v) || v.len != ATT_MR_LEN)
            return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: PCR%llu is not 48 bytes (SHA-384)", (unsigned long long)idx);
        if (rep->pcr_present & (1u << idx)) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: PCR%llu repeated", (unsigned long long)idx);
        rep->pcr_present |= 1u << idx;
        memcpy(rep->pcrs[idx], v.ptr, ATT_MR_LEN);
    }
    return CD_OK;
}

/* Reads the payload map into rep and parts (certificate slices point into `payload_item`). */
static cd_status parse_payload(cbor_item_t *m, nitro_parts *np, att_report *rep, cd_error *err) {
    if (!cbor_isa_map(m) || !cbor_map_is_definite(m)) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: payload is not a map");
    size_t n = cbor_map_size(m);
    struct cbor_pair *pairs = cbor_map_handle(m);
    bool have_module = false, have_digest = false, have_ts = false, have_pcrs = false, have_cert = false, have_ca = false;
    cd_status st;
    for (size_t i = 0; i < n; i++) {
        cbor_item_t *k = pairs[i].key, *v = pairs[i].value;
        if (key_is(k, "module_id")) {
            if (!cbor_isa_string(v) || !cbor_string_is_definite(v) || cbor_string_length(v) == 0 ||
                cbor_string_length(v) >= sizeof rep->module_id)
                return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: bad module_id");
            memcpy(rep->module_id, cbor_string_handle(v), cbor_string_length(v));
            rep->module_id[cbor_string_length(v)] = 0;
            have_module = true;
        } else if (key_is(k, "digest")) {
            if (!key_is(v, "SHA384")) return cd_fail(err, CD_ERR_ATT_UNSUPPORTED, "nitro: digest is not SHA384");
            have_digest = true;
        } else if (key_is(k, "timestamp")) {
            if (!cbor_isa_uint(v)) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: timestamp is not an integer");
            rep->timestamp_ms = cbor_get_int(v);
            have_ts = true;
        } else if (key_is(k, "pcrs")) {
            if ((st = parse_pcrs(v, rep, err))) return st;
            have_pcrs = true;
        } else if (key_is(k, "certificate")) {
            if (!definite_bytes(v, &np->leaf)) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: certificate is not a byte string");
            have_cert = true;
        } else if (key_is(k, "cabundle")) {
            if (!cbor_isa_array(v) || !cbor_array_is_definite(v)) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: cabundle is not an array");
            size_t nc = cbor_array_size(v);
            if (nc == 0 || nc > NITRO_MAX_CERTS) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: cabundle has %zu certificates (1..%d)", nc, NITRO_MAX_CERTS);
            for (size_t j = 0; j < nc; j++)
                if (!definite_bytes(cbor_array_handle(v)[j], &np->cabundle[j]))
                    return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: cabundle[%zu] is not a byte string", j);
            np->n_ca = nc;
            have_ca = true;
        } else if (key_is(k, "public_key")) {
            if ((st = opt_field(v, "public_key", rep->public_key, &rep->public_key_len, err))) return st;
        } else if (key_is(k, "user_data")) {
            if ((st = opt_field(v, "user_data", rep->user_data, &rep->user_data_len, err))) return st;
        } else if (key_is(k, "nonce")) {
            if ((st = opt_field(v, "nonce", rep->nonce, &rep->nonce_len, err))) return st;
        }
        /* Unknown keys are ignored: they are covered by the signature anyway. */
    }
    if (!have_module || !have_digest || !have_ts || !have_pcrs || !have_cert || !have_ca)
        return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: payload lacks a mandatory field (module_id, digest, timestamp, pcrs, certificate, cabundle)");
    if (rep->user_data_len == ATT_REPORT_DATA_LEN) memcpy(rep->report_data, rep->user_data, ATT_REPORT_DATA_LEN);
    return CD_OK;
}

/* Protected header must be a map {1: -35} (alg ES384), possibly with other labels. */
static cd_status check_protected(cd_bytes hdr, cd_error *err) {
    cbor_item_t *m = load_cbor(hdr);
    cd_status st = CD_OK;
    bool es384 = false;
    if (!m || !cbor_isa_map(m) || !cbor_map_is_definite(m)) {
        st = cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: protected header is not a CBOR map");
    } else {
        struct cbor_pair *pairs = cbor_map_handle(m);
        for (size_t i = 0; i < cbor_map_size(m); i++)
            if (cbor_isa_uint(pairs[i].key) && cbor_get_int(pairs[i].key) == 1)
                es384 = cbor_isa_negint(pairs[i].value) && cbor_get_int(pairs[i].value) == 34; /* -1-34 = -35 */
        if (!es384) st = cd_fail(err, CD_ERR_ATT_UNSUPPORTED, "nitro: COSE algorithm is not ES384 (-35)");
    }
    if (m) cbor_decref(&m);
    return st;
}

/* Appends a CBOR head (major type, length) to buf. */
static cd_status put_head(cd_buf *b, int major, uint64_t n) {
    uint8_t h[9];
    size_t len;
    if (n < 24) { h[0] = (uint8_t)(major << 5 | n); len = 1; }
    else if (n <= 0xff) { h[0] = (uint8_t)(major << 5 | 24); h[1] = (uint8_t)n; len = 2; }
    else if (n <= 0xffff) { h[0] = (uint8_t)(major << 5 | 25); h[1] = (uint8_t)(n >> 8); h[2] = (uint8_t)n; len = 3; }
    else {
        h[0] = (uint8_t)(major << 5 | 26);
        for (int i = 0; i < 4; i++) h[1 + i] = (uint8_t)(n >> (24 - 8 * i));
        len = 5;
    }
    return cd_buf_append(b, h, len);
}

/* Sig_structure = ["Signature1", protected, external_aad = h'', payload] (RFC 9052 §4.4). */
static cd_status sig_structure(const nitro_parts *np, cd_buf *out) {
    static const char ctx[] = "Signature1";
    if (put_head(out, 4, 4) || put_head(out, 3, sizeof ctx - 1) || cd_buf_append(out, ctx, sizeof ctx - 1) ||
        put_head(out, 2, np->protected_hdr.len) || cd_buf_append(out, np->protected_hdr.ptr, np->protected_hdr.len) ||
        put_head(out, 2, 0) || put_head(out, 2, np->payload.len) ||
        cd_buf_append(out, np->payload.ptr, np->payload.len))
        return CD_ERR_NOMEM;
    return CD_OK;
}

static X509 *der_cert(cd_bytes der) {
    const uint8_t *p = der.ptr;
    X509 *c = d2i_X509(NULL, &p, (long)der.len);
    if (c && p != der.ptr + der.len) { /* trailing bytes inside a certificate slot */
        X509_free(c);
        return NULL;
    }
    return c;
}

static cd_status verify_parts(const nitro_parts *np, const att_verify_opts *opts, att_report *rep, cd_error *err) {
    STACK_OF(X509) *chain = sk_X509_new_null();
    cd_status st = CD_OK;
    if (!chain) return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    X509 *leaf = der_cert(np->leaf);
    if (!leaf || !sk_X509_push(chain, leaf)) {
        X509_free(leaf);
        st = cd_fail(err, CD_ERR_ATT_BAD_CERT, "nitro: leaf certificate does not parse");
        goto out;
    }
    for (size_t i = np->n_ca; i-- > 0;) { /* cabundle is root first; the chain wants leaf first */
        X509 *c = der_cert(np->cabundle[i]);
        if (!c || !sk_X509_push(chain, c)) {
            X509_free(c);
            st = cd_fail(err, CD_ERR_ATT_BAD_CERT, "nitro: cabundle[%zu] does not parse", i);
            goto out;
        }
    }
    int64_t at = opts->at > 0 ? opts->at : (int64_t)time(NULL);
    if ((st = att_verify_chain(chain, NITRO_ROOT_FP, at, "nitro chain", err))) goto out;
    /* A document dated after the verification time (beyond clock skew) is not evidence of
     * anything at that time. */
    if (rep->timestamp_ms / 1000 > (uint64_t)at + NITRO_CLOCK_SKEW) {
        st = cd_fail(err, CD_ERR_ATT_EXPIRED, "nitro: document timestamp is after the verification time");
        goto out;
    }
    EVP_PKEY *key = X509_get0_pubkey(leaf);
    if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || EVP_PKEY_get_bits(key) != 384) {
        st = cd_fail(err, CD_ERR_ATT_UNSUPPORTED, "nitro: leaf key is not ECDSA P-384");
        goto out;
    }
    cd_buf tbs = {0};
    if (sig_structure(np, &tbs)) {
        cd_buf_free(&tbs);
        st = cd_fail(err, CD_ERR_NOMEM, "out of memory");
        goto out;
    }
    bool ok = np->signature.len == 96 &&
              att_ecdsa_verify_raw(key, EVP_sha384(), tbs.data, tbs.len, np->signature.ptr, 96);
    cd_buf_free(&tbs);
    if (!ok) {
        st = cd_fail(err, CD_ERR_ATT_BAD_SIGNATURE, "nitro: COSE_Sign1 signature does not verify with the leaf key");
        goto out;
    }
    rep->signature_ok = true;
out:
    sk_X509_pop_free(chain, X509_free);
    return st;
}

cd_status att_nitro_verify(cd_bytes doc, const att_verify_opts *opts, att_report *rep, cd_error *err) {
    rep->format = ATT_FORMAT_NITRO;
    rep->tcb_status = ATT_TCB_NOT_APPLICABLE;
    if (doc.len > ATT_MAX_QUOTE_LEN) return cd_fail(err, CD_ERR_TOO_LARGE, "nitro: document is %zu bytes (max %d)", doc.len, ATT_MAX_QUOTE_LEN);
    /* The optional COSE_Sign1 tag (18) is taken off here: libcbor 0.8 rejects a tag around
     * an array as malformed. */
    if (doc.len >= 1 && (doc.ptr[0] >> 5) == 6) {
        cbor_scan sc = {doc.ptr, doc.len, 0, 0};
        int major;
        uint64_t tag;
        bool indef;
        if (!scan_head(&sc, &major, &tag, &indef) || tag != 18)
            return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: CBOR tag is not COSE_Sign1 (18)");
        doc = cd_bytes_make(doc.ptr + sc.pos, doc.len - sc.pos);
    }
    cbor_item_t *root = load_cbor(doc);
    if (!root) return cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: not a single well-formed CBOR item (or nested deeper than %d)", CBOR_MAX_DEPTH);
    cbor_item_t *arr = root, *payload_item = NULL;
    cd_status st = CD_OK;
    nitro_parts np;
    memset(&np, 0, sizeof np);
    if (!cbor_isa_array(arr) || !cbor_array_is_definite(arr) || cbor_array_size(arr) != 4) {
        st = cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: not a COSE_Sign1 array of 4 items");
        goto out;
    }
    cbor_item_t **items = cbor_array_handle(arr);
    if (!definite_bytes(items[0], &np.protected_hdr) || !cbor_isa_map(items[1]) ||
        !definite_bytes(items[2], &np.payload) || !definite_bytes(items[3], &np.signature)) {
        st = cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: COSE_Sign1 items have the wrong types");
        goto out;
    }
    if (np.signature.len != 96) {
        st = cd_fail(err, CD_ERR_ATT_BAD_SIGNATURE, "nitro: signature is %zu bytes, ES384 needs 96", np.signature.len);
        goto out;
    }
    if ((st = check_protected(np.protected_hdr, err))) goto out;
    payload_item = load_cbor(np.payload);
    if (!payload_item) {
        st = cd_fail(err, CD_ERR_ATT_BAD_COSE, "nitro: payload is not well-formed CBOR");
        goto out;
    }
    if ((st = parse_payload(payload_item, &np, rep, err))) goto out;
    rep->debug = (rep->pcr_present & 1) && memcmp(rep->pcrs[0], (const uint8_t[ATT_MR_LEN]){0}, ATT_MR_LEN) == 0;
    rep->insecure = rep->debug;
    if ((st = verify_parts(&np, opts, rep, err))) goto out;
    if (rep->debug && !opts->accept_debug)
        st = cd_fail(err, CD_ERR_ATT_DEBUG, "nitro: PCR0 is all zero: the enclave runs in debug mode (not accepted)");
out:
    if (payload_item) cbor_decref(&payload_item);
    cbor_decref(&root);
    return st;
}

/* ---- NSM request/response (producing side) ------------------------------------------- */

static cd_status put_text(cd_buf *b, const char *s) {
    size_t n = strlen(s);
    return put_head(b, 3, n) || cd_buf_append(b, s, n) ? CD_ERR_NOMEM : CD_OK;
}

static cd_status put_opt_bytes(cd_buf *b, cd_bytes v) {
    if (v.len == 0) return cd_buf_push(b, 0xf6); /* null */
    return put_head(b, 2, v.len) || cd_buf_append(b, v.ptr, v.len) ? CD_ERR_NOMEM : CD_OK;
}

cd_status att_nsm_request(cd_bytes public_key, cd_bytes user_data, cd_bytes nonce, cd_buf *out) {
    if (public_key.len > ATT_NITRO_FIELD_MAX || user_data.len > ATT_NITRO_FIELD_MAX || nonce.len > ATT_NITRO_FIELD_MAX)
        return CD_ERR_INVALID_ARG;
    /* {"Attestation": {"user_data": .., "nonce": .., "public_key": ..}} */
    if (put_head(out, 5, 1) || put_text(out, "Attestation") || put_head(out, 5, 3) ||
        put_text(out, "user_data") || put_opt_bytes(out, user_data) ||
        put_text(out, "nonce") || put_opt_bytes(out, nonce) ||
        put_text(out, "public_key") || put_opt_bytes(out, public_key))
        return CD_ERR_NOMEM;
    return CD_OK;
}

cd_status att_nsm_response(cd_bytes resp, cd_buf *doc, cd_error *err) {
    cbor_item_t *m = load_cbor(resp);
    cd_status st = cd_fail(err, CD_ERR_ATT_PROVIDER, "nitro: NSM response is not an attestation document");
    if (m && cbor_isa_map(m) && cbor_map_is_definite(m) && cbor_map_size(m) == 1) {
        struct cbor_pair *p = cbor_map_handle(m);
        if (key_is(p[0].key, "Attestation") && cbor_isa_map(p[0].value) && cbor_map_is_definite(p[0].value)) {
            struct cbor_pair *q = cbor_map_handle(p[0].value);
            for (size_t i = 0; i < cbor_map_size(p[0].value); i++) {
                cd_bytes d;
                if (key_is(q[i].key, "document") && definite_bytes(q[i].value, &d))
                    st = cd_buf_append(doc, d.ptr, d.len) ? cd_fail(err, CD_ERR_NOMEM, "out of memory") : CD_OK;
            }
        } else if (key_is(p[0].key, "Error") && cbor_isa_string(p[0].value) && cbor_string_is_definite(p[0].value)) {
            int n = (int)(cbor_string_length(p[0].value) > 64 ? 64 : cbor_string_length(p[0].value));
            st = cd_fail(err, CD_ERR_ATT_PROVIDER, "nitro: NSM error %.*s", n, (const char *)cbor_string_handle(p[0].value));
        }
    }
    if (m) cbor_decref(&m);
    return st;
}
