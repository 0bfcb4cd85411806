/* attest: thin wrappers over OpenSSL for the digests, ECDSA and X.509 checks the quote
 * verifiers need. Raw r||s signatures (what quotes and COSE carry) are converted to DER
 * here so the verifiers never touch ASN.1. */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/x509_vfy.h>

#include "attest/att_internal.h"

void att_sha256(const void *data, size_t len, uint8_t out[32]) {
    unsigned int n = 32;
    if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL)) memset(out, 0, 32);
}

void att_sha256_2(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32]) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int n = 32;
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(c, a, alen) != 1 ||
        (blen && EVP_DigestUpdate(c, b, blen) != 1) || EVP_DigestFinal_ex(c, out, &n) != 1)
        memset(out, 0, 32);
    EVP_MD_CTX_free(c);
}

void att_sha384(const void *data, size_t len, uint8_t out[48]) {
    unsigned int n = 48;
    if (!EVP_Digest(data, len, out, &n, EVP_sha384(), NULL)) memset(out, 0, 48);
}

EVP_PKEY *att_ec_pubkey_from_raw(const char *curve, const uint8_t *xy, size_t len) {
    size_t field = !strcmp(curve, "P-384") ? 48 : 32;
    uint8_t point[1 + 2 * 66];
    if (len == 2 * field) {
        point[0] = 0x04;
        memcpy(point + 1, xy, len);
    } else if (len == 2 * field + 1 && xy[0] == 0x04) {
        memcpy(point, xy, len);
    } else {
        return NULL;
    }
    const char *group = field == 48 ? "secp384r1" : "prime256v1";
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, 2 * field + 1);
    params[2] = OSSL_PARAM_construct_end();
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    if (ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1) {
        /* fromdata decodes the point, which rejects points off the curve. */
        EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
        bool ok = chk && EVP_PKEY_public_check(chk) == 1;
        EVP_PKEY_CTX_free(chk);
        if (!ok) {
            EVP_PKEY_free(key);
            key = NULL;
        }
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

bool att_ecdsa_verify_raw(EVP_PKEY *key, const EVP_MD *md, const uint8_t *msg, size_t msg_len,
                          const uint8_t *sig, size_t sig_len) {
    if (!key || sig_len == 0 || sig_len % 2 || sig_len > 2 * 66) return false;
    size_t half = sig_len / 2;
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)half, NULL), *s = BN_bin2bn(sig + half, (int)half, NULL);
    bool ok = false;
    uint8_t *der = NULL;
    if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return false;
    }
    int der_len = i2d_ECDSA_SIG(es, &der);
    ECDSA_SIG_free(es);
    if (der_len <= 0) return false;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    if (mctx && EVP_DigestVerifyInit(mctx, NULL, md, NULL, key) == 1)
        ok = EVP_DigestVerify(mctx, der, (size_t)der_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(mctx);
    OPENSSL_free(der);
    return ok;
}

cd_status att_ecdsa_sign_raw_p256(EVP_PKEY *key, const uint8_t *msg, size_t msg_len, uint8_t sig[64]) {
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    uint8_t der[80];
    size_t der_len = sizeof der;
    cd_status st = CD_ERR_INTERNAL;
    if (mctx && EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, key) == 1 &&
        EVP_DigestSign(mctx, der, &der_len, msg, msg_len) == 1) {
        const uint8_t *p = der;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
        if (es && BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 &&
            BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32)
            st = CD_OK;
        ECDSA_SIG_free(es);
    }
    EVP_MD_CTX_free(mctx);
    return st;
}

bool att_cert_fingerprint_is(X509 *cert, const uint8_t fp[32]) {
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    return X509_digest(cert, EVP_sha256(), md, &n) == 1 && n == 32 && cd_ct_eq(md, fp, 32);
}

cd_status att_verify_chain(STACK_OF(X509) *chain, const uint8_t root_fp[32], int64_t at,
                           const char *what, cd_error *err) {
    int n = sk_X509_num(chain);
    if (n < 2) return cd_fail(err, CD_ERR_ATT_BAD_CERT, "%s: chain has %d certificates, need leaf..root", what, n);
    X509 *root = sk_X509_value(chain, n - 1);
    if (!att_cert_fingerprint_is(root, root_fp))
        return cd_fail(err, CD_ERR_ATT_BAD_CERT, "%s: chain does not end in the pinned root certificate", what);
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    cd_status st = CD_OK;
    if (!store || !ctx || !untrusted || X509_STORE_add_cert(store, root) != 1) {
        st = cd_fail(err, CD_ERR_NOMEM, "%s: cannot set up certificate store", what);
        goto out;
    }
    for (int i = 1; i < n - 1; i++)
        if (!sk_X509_push(untrusted, sk_X509_value(chain, i))) {
            st = cd_fail(err, CD_ERR_NOMEM, "%s: out of memory", what);
            goto out;
        }
    if (X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), untrusted) != 1) {
        st = cd_fail(err, CD_ERR_NOMEM, "%s: cannot set up verification", what);
        goto out;
    }
    if (at > 0) X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)at);
    if (X509_verify_cert(ctx) != 1) {
        int e = X509_STORE_CTX_get_error(ctx);
        int depth = X509_STORE_CTX_get_error_depth(ctx);
        cd_status code = (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID)
                             ? CD_ERR_ATT_EXPIRED
                             : CD_ERR_ATT_BAD_CERT;
        st = cd_fail(err, code, "%s: certificate %d of %d: %s", what, depth, n,
                     X509_verify_cert_error_string(e));
    }
out:
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return st;
}

cd_status att_read_optional(const char *dir, const char *name, size_t max, cd_buf *out) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return CD_ERR_INVALID_ARG;
    FILE *f = fopen(path, "rb");
    if (!f) return CD_ERR_NOT_FOUND;
    fclose(f);
    return cd_read_file(path, max, out);
}
