/* attest: Intel TDX DCAP quotes, versions 4 and 5.
 *
 * Layout (Intel "TDX DCAP Quoting Library API", quote format v4/v5):
 *   header (48): version u16, attestation key type u16 (2 = ECDSA P-256), TEE type u32
 *                (0x81 = TDX), QE SVN u16, PCE SVN u16, QE vendor id (16), user data (20)
 *   v4: TD report body (584, TD 1.0)
 *   v5: body type u16 (2 = TD 1.0, 3 = TD 1.5), body size u32, body (584 / 648)
 *   signature data length u32, then ECDSA-256 signature data:
 *     quote signature r||s (64) over header..end of body, attestation key X||Y (64),
 *     certification data type u16 (6 = QE report), size u32, then:
 *       QE report (384, an SGX report body), QE report signature (64, by the PCK key),
 *       QE auth data size u16 + data, certification data type u16 (5 = PCK chain PEM),
 *       size u32 + PEM chain (PCK leaf, Platform/Processor CA, Root CA).
 * Bytes after the signature data are tolerated (real quotes carry padding).
 *
 * Check order: structure -> quote signature -> QE binding -> PCK chain -> QE signature ->
 * (collateral) revocation and TCB status. Each failure has its own status code.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>

#include "attest/att_internal.h"
#include "attest/tdx_internal.h"

/* SHA-256 of the DER Intel SGX Root CA (CN=Intel SGX Root CA, valid 2018-05-21 .. 2049-12-31). */
static const uint8_t INTEL_ROOT_FP[32] = {
    0x44, 0xA0, 0x19, 0x6B, 0x2B, 0x99, 0xF8, 0x89, 0xB8, 0xE1, 0x49, 0xE9, 0x5B, 0x80, 0x7A, 0x35,
    0x0E, 0x74, 0x24, 0x96, 0x43, 0x99, 0xE8, 0x85, 0xA7, 0xCB, 0xB8, 0xCC, 0xFA, 0xB6, 0x74, 0xD3};

#define HEADER_LEN 48
#define BODY_TD10_LEN 584
#define BODY_TD15_LEN 648
#define SGX_REPORT_LEN 384
#define TEE_TYPE_TDX 0x81
#define ATT_KEY_ECDSA_P256 2
#define CERT_TYPE_PCK_CHAIN 5
#define CERT_TYPE_QE_REPORT 6
#define MAX_PCK_CHAIN_LEN (32 * 1024)

/* Cursor over the quote: every read is bounds-checked against `end`. */
typedef struct {
    const uint8_t *p, *end;
} cursor;

static bool take(cursor *c, size_t n, const uint8_t **out) {
    if ((size_t)(c->end - c->p) < n) return false;
    *out = c->p;
    c->p += n;
    return true;
}

static void read_body(const uint8_t *b, uint16_t body_type, att_report *rep) {
    memcpy(rep->tee_tcb_svn, b + 0, 16);
    memcpy(rep->mrseam, b + 16, 48);
    memcpy(rep->mrsignerseam, b + 64, 48);
    memcpy(rep->seam_attributes, b + 112, 8);
    memcpy(rep->td_attributes, b + 120, 8);
    memcpy(rep->xfam, b + 128, 8);
    memcpy(rep->mrtd, b + 136, 48);
    memcpy(rep->mrconfigid, b + 184, 48);
    memcpy(rep->mrowner, b + 232, 48);
    memcpy(rep->mrownerconfig, b + 280, 48);
    for (int i = 0; i < 4; i++) memcpy(rep->rtmr[i], b + 328 + 48 * i, 48);
    memcpy(rep->report_data, b + 520, 64);
    if (body_type == 3) {
        memcpy(rep->tee_tcb_svn2, b + 584, 16);
        memcpy(rep->mrservicetd, b + 600, 48);
    }
    /* TD attributes bit 0 = DEBUG: the host can read and change the TD's state. */
    rep->debug = (b[120] & 1) != 0;
}

cd_status att_tdx_parse(cd_bytes q, tdx_parsed *tp, att_report *rep, cd_error *err) {
    memset(tp, 0, sizeof *tp);
    rep->format = ATT_FORMAT_TDX;
    if (q.len > ATT_MAX_QUOTE_LEN) return cd_fail(err, CD_ERR_TOO_LARGE, "tdx: quote is %zu bytes (max %d)", q.len, ATT_MAX_QUOTE_LEN);
    cursor c = {q.ptr, q.ptr + q.len};
    const uint8_t *h, *b, *x;
    if (!take(&c, HEADER_LEN, &h)) return cd_fail(err, CD_ERR_TRUNCATED, "tdx: %zu bytes, shorter than the 48-byte header", q.len);
    uint16_t version = att_le16(h), key_type = att_le16(h + 2);
    uint32_t tee_type = att_le32(h + 4);
    rep->quote_version = version;
    if (version != 4 && version != 5) return cd_fail(err, CD_ERR_ATT_UNSUPPORTED, "tdx: quote version %u (supported: 4, 5)", version);
    if (tee_type != TEE_TYPE_TDX) return cd_fail(err, CD_ERR_ATT_UNSUPPORTED, "tdx: TEE type 0x%x is not TDX (0x81)", tee_type);
    if (key_type != ATT_KEY_ECDSA_P256) return cd_fail(err, CD_ERR_ATT_UNSUPPORTED, "tdx: attestation key type %u (supported: 2 = ECDSA P-256)", key_type);
    uint16_t body_type = 2;
    size_t body_len = BODY_TD10_LEN;
    if (version == 5) {
        if (!take(&c, 6, &x)) return cd_fail(err, CD_ERR_TRUNCATED, "tdx: v5 body descriptor truncated");
        body_type = att_le16(x);
        uint32_t size = att_le32(x + 2);
        if (body_type == 2) body_len = BODY_TD10_LEN;
        else if (body_type == 3) body_len = BODY_TD15_LEN;
        else return cd_fail(err, CD_ERR_ATT_UNSUPPORTED, "tdx: v5 body type %u (supported: 2 = TD 1.0, 3 = TD 1.5)", body_type);
        if (size != body_len) return cd_fail(err, CD_ERR_ATT_BAD_QUOTE, "tdx: v5 body size %u, body type %u needs %zu", size, body_type, body_len);
    }
    rep->body_type = body_type;
    if (!take(&c, body_len, &b)) return cd_fail(err, CD_ERR_TRUNCATED, "tdx: TD report body truncated");
    read_body(b, body_type, rep);
    tp->signed_part = cd_bytes_make(q.ptr, (size_t)(c.p - q.ptr));

    if (!take(&c, 4, &x)) return cd_fail(err, CD_ERR_TRUNCATED, "tdx: signature data length missing");
    uint32_t sig_len = att_le32(x);
    if (sig_len > (size_t)(c.end - c.p)) return cd_fail(err, CD_ERR_TRUNCATED, "tdx: signature data length %u runs past the quote end", sig_len);
    cursor s = {c.p, c.p + sig_len}; /* bytes after the signature data are padding: ignored */
    if (!take(&s, 64, &tp->quote_sig) || !take(&s, 64, &tp->att_key) || !take(&s, 6, &x))
        return cd_fail(err, CD_ERR_TRUNCATED, "tdx: signature data truncated");
    uint16_t cert_type = att_le16(x);
    uint32_t cert_len = att_le32(x + 2);
    if (cert_type != CERT_TYPE_QE_REPORT) return cd_fail(err, CD_ERR_ATT_UNSUPPORTED, "tdx: certification data type %u (supported: 6 = QE report)", cert_type);
    if (cert_len > (size_t)(s.end - s.p)) return cd_fail(err, CD_ERR_TRUNCATED, "tdx: QE certification data runs past the signature data");
    cursor qc = {s.p, s.p + cert_len};
    if (!take(&qc, SGX_REPORT_LEN, &tp->qe_report) || !take(&qc, 64, &tp->qe_sig) || !take(&qc, 2, &x))
        return cd_fail(err, CD_ERR_TRUNCATED, "tdx: QE report truncated");
    uint16_t auth_len = att_le16(x);
    const uint8_t *auth;
    if (!take(&qc, auth_len, &auth)) return cd_fail(err, CD_ERR_TRUNCATED, "tdx: QE auth data truncated");
    tp->qe_auth = cd_bytes_make(auth, auth_len);
    if (!take(&qc, 6, &x)) return cd_fail(err, CD_ERR_TRUNCATED, "tdx: PCK certification data header truncated");
    uint16_t pck_type = att_le16(x);
    uint32_t pck_len = att_le32(x + 2);
    if (pck_type != CERT_TYPE_PCK_CHAIN) return cd_fail(err, CD_ERR_ATT_UNSUPPORTED, "tdx: PCK certification data type %u (supported: 5 = PEM chain)", pck_type);
    if (pck_len > MAX_PCK_CHAIN_LEN) return cd_fail(err, CD_ERR_TOO_LARGE, "tdx: PCK chain of %u bytes", pck_len);
    if (!take(&qc, pck_len, &x)) return cd_fail(err, CD_ERR_TRUNCATED, "tdx: PCK chain truncated");
    tp->pck_pem = cd_bytes_make(x, pck_len);
    if (qc.p != qc.end) return cd_fail(err, CD_ERR_ATT_BAD_QUOTE, "tdx: %zu unexpected bytes after the PCK chain", (size_t)(qc.end - qc.p));
    return CD_OK;
}

/* Parses the PEM chain (leaf first). An empty or unparsable chain is a certificate error. */
static cd_status pem_chain(cd_bytes pem, STACK_OF(X509) **out, cd_error *err) {
    *out = NULL;
    if (pem.len > INT32_MAX) return cd_fail(err, CD_ERR_ATT_BAD_CERT, "tdx: PCK chain too large");
    BIO *bio = BIO_new_mem_buf(pem.ptr, (int)pem.len);
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (!bio || !chain) {
        BIO_free(bio);
        sk_X509_free(chain);
        return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    }
    X509 *c;
    while (sk_X509_num(chain) < 8 && (c = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
        if (!sk_X509_push(chain, c)) {
            X509_free(c);
            break;
        }
    /* Anything left besides whitespace/NULs means a certificate failed to parse. */
    char rest[64];
    int n;
    bool leftover = false;
    while ((n = BIO_read(bio, rest, sizeof rest)) > 0)
        for (int i = 0; i < n; i++)
            if (rest[i] != '\n' && rest[i] != '\r' && rest[i] != ' ' && rest[i] != 0) leftover = true;
    BIO_free(bio);
    ERR_clear_error();
    if (sk_X509_num(chain) < 2 || leftover) {
        int got = sk_X509_num(chain);
        sk_X509_pop_free(chain, X509_free);
        return cd_fail(err, CD_ERR_ATT_BAD_CERT, "tdx: PCK chain does not parse (%d certificates read%s)", got,
                       leftover ? ", then garbage" : "");
    }
    *out = chain;
    return CD_OK;
}

cd_status att_tdx_verify(cd_bytes q, const att_verify_opts *opts, att_report *rep, cd_error *err) {
    tdx_parsed tp;
    cd_status st = att_tdx_parse(q, &tp, rep, err);
    if (st) return st;
    rep->insecure = rep->debug;
    rep->tcb_status = ATT_TCB_UNKNOWN;
    snprintf(rep->tcb_reason, sizeof rep->tcb_reason, "no collateral given");

    /* 1. The attestation key signed header + body. */
    EVP_PKEY *ak = att_ec_pubkey_from_raw("P-256", tp.att_key, 64);
    if (!ak) return cd_fail(err, CD_ERR_ATT_BAD_SIGNATURE, "tdx: attestation key is not a P-256 point");
    bool ok = att_ecdsa_verify_raw(ak, EVP_sha256(), tp.signed_part.ptr, tp.signed_part.len, tp.quote_sig, 64);
    EVP_PKEY_free(ak);
    if (!ok) return cd_fail(err, CD_ERR_ATT_BAD_SIGNATURE, "tdx: quote signature (attestation key over header and TD report) does not verify");

    /* 2. The QE vouches for that key: its report data = SHA-256(key || auth data) || 32 zero bytes. */
    uint8_t h[32];
    att_sha256_2(tp.att_key, 64, tp.qe_auth.ptr, tp.qe_auth.len, h);
    static const uint8_t zero32[32] = {0};
    if (memcmp(tp.qe_report + 320, h, 32) != 0 || memcmp(tp.qe_report + 352, zero32, 32) != 0)
        return cd_fail(err, CD_ERR_ATT_QE_BINDING, "tdx: QE report data is not SHA-256(attestation key || QE auth data)");

    /* 3. The PCK certificate chains to the pinned Intel SGX Root CA at the given time. */
    STACK_OF(X509) *chain;
    if ((st = pem_chain(tp.pck_pem, &chain, err))) return st;
    int64_t at = opts->at > 0 ? opts->at : (int64_t)time(NULL);
    if ((st = att_verify_chain(chain, INTEL_ROOT_FP, at, "tdx PCK chain", err))) goto out;

    /* 4. The PCK key signed the QE report. */
    EVP_PKEY *pck = X509_get0_pubkey(sk_X509_value(chain, 0));
    if (!pck || EVP_PKEY_get_base_id(pck) != EVP_PKEY_EC || EVP_PKEY_get_bits(pck) != 256) {
        st = cd_fail(err, CD_ERR_ATT_BAD_CERT, "tdx: PCK key is not ECDSA P-256");
        goto out;
    }
    if (!att_ecdsa_verify_raw(pck, EVP_sha256(), tp.qe_report, SGX_REPORT_LEN, tp.qe_sig, 64)) {
        st = cd_fail(err, CD_ERR_ATT_QE_SIGNATURE, "tdx: QE report signature does not verify with the PCK key");
        goto out;
    }
    rep->signature_ok = true;
    att_tdx_pck_info(sk_X509_value(chain, 0), rep);

    /* 5. Collateral: revocation (a hard failure) and TCB status (reported). */
    if (opts->collateral_dir) {
        if ((st = att_tdx_check_crls(opts->collateral_dir, chain, at, rep, err))) goto out;
        att_tdx_eval_tcb(opts->collateral_dir, sk_X509_value(chain, sk_X509_num(chain) - 1), &tp, rep, at);
    }
    if (rep->debug && !opts->accept_debug) {
        st = cd_fail(err, CD_ERR_ATT_DEBUG, "tdx: TD attributes have DEBUG set (not accepted)");
        goto out;
    }
    if (opts->require_tcb_up_to_date && rep->tcb_status != ATT_TCB_UP_TO_DATE)
        st = cd_fail(err, CD_ERR_ATT_TCB, "tdx: TCB status is %s, UpToDate required (%s)",
                     att_tcb_status_name(rep->tcb_status), rep->tcb_reason);
out:
    sk_X509_pop_free(chain, X509_free);
    return st;
}
