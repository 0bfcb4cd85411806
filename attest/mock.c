/* attest: the mock TEE. A quote signed by a software P-256 key kept in a local file:
 * useful to develop and test the service off-TEE, worthless as evidence, so every
 * verifier reports it insecure and rejects it unless told to accept mocks.
 *
 * Layout (249 bytes, docs/attestation.md):
 *   [0..8)     "CDMOCKQ1"
 *   [8..72)    report data
 *   [72..120)  measurement (the mock "MRTD")
 *   [120..185) signing key, uncompressed P-256 point
 *   [185..249) ECDSA P-256 / SHA-256 signature r||s over bytes [0..185)
 */
#include <string.h>

#include <openssl/core_names.h>

#include "attest/att_internal.h"

#define OFF_RD 8
#define OFF_MR 72
#define OFF_KEY 120
#define OFF_SIG 185

cd_status att_mock_quote(EVP_PKEY *key, const uint8_t report_data[64], const uint8_t mrtd[48],
                         cd_buf *out, cd_error *err) {
    uint8_t q[ATT_MOCK_LEN];
    memcpy(q, ATT_MOCK_MAGIC, 8);
    memcpy(q + OFF_RD, report_data, 64);
    memcpy(q + OFF_MR, mrtd, 48);
    size_t klen = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, q + OFF_KEY, 65,
                                        &klen) != 1 || klen != 65 || q[OFF_KEY] != 0x04)
        return cd_fail(err, CD_ERR_ATT_PROVIDER, "mock: cannot encode the mock key");
    if (att_ecdsa_sign_raw_p256(key, q, OFF_SIG, q + OFF_SIG) != CD_OK)
        return cd_fail(err, CD_ERR_ATT_PROVIDER, "mock: signing failed");
    if (cd_buf_append(out, q, sizeof q)) return cd_fail(err, CD_ERR_NOMEM, "mock: out of memory");
    return CD_OK;
}

cd_status att_mock_verify(cd_bytes q, const att_verify_opts *opts, att_report *rep, cd_error *err) {
    rep->format = ATT_FORMAT_MOCK;
    rep->tcb_status = ATT_TCB_NOT_APPLICABLE;
    rep->insecure = true;
    if (q.len < ATT_MOCK_LEN) return cd_fail(err, CD_ERR_TRUNCATED, "mock quote: %zu bytes, need %d", q.len, ATT_MOCK_LEN);
    if (q.len > ATT_MOCK_LEN) return cd_fail(err, CD_ERR_TRAILING_DATA, "mock quote: %zu bytes, expected %d", q.len, ATT_MOCK_LEN);
    if (memcmp(q.ptr, ATT_MOCK_MAGIC, 8) != 0) return cd_fail(err, CD_ERR_ATT_BAD_QUOTE, "mock quote: bad magic");
    memcpy(rep->report_data, q.ptr + OFF_RD, 64);
    memcpy(rep->mrtd, q.ptr + OFF_MR, 48);
    memcpy(rep->mock_key, q.ptr + OFF_KEY, 65);
    EVP_PKEY *key = att_ec_pubkey_from_raw("P-256", q.ptr + OFF_KEY, 65);
    if (!key) return cd_fail(err, CD_ERR_ATT_BAD_QUOTE, "mock quote: signing key is not a P-256 point");
    bool ok = att_ecdsa_verify_raw(key, EVP_sha256(), q.ptr, OFF_SIG, q.ptr + OFF_SIG, 64);
    EVP_PKEY_free(key);
    if (!ok) return cd_fail(err, CD_ERR_ATT_BAD_SIGNATURE, "mock quote: signature does not verify");
    rep->signature_ok = true;
    if (!opts->accept_mock)
        return cd_fail(err, CD_ERR_ATT_INSECURE, "mock quote: software-signed, not from a TEE (not accepted)");
    return CD_OK;
}
