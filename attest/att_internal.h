/* attest: helpers shared by the module's .c files (private; not part of the API). */
#ifndef CANDOR_ATT_INTERNAL_H
#define CANDOR_ATT_INTERNAL_H

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/attest.h"

/* Little-endian readers over a bounded buffer (callers check the length first). */
static inline uint16_t att_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t att_le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t att_le64(const uint8_t *p) {
    return (uint64_t)att_le32(p) | ((uint64_t)att_le32(p + 4) << 32);
}

void att_sha256(const void *data, size_t len, uint8_t out[32]);
void att_sha384(const void *data, size_t len, uint8_t out[48]);
/* SHA-256(a || b) without concatenating. */
void att_sha256_2(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32]);

/* Public key of a NIST curve from raw X||Y (or 0x04||X||Y); curve = "P-256" or "P-384".
 * Returns NULL if the bytes are not a point on the curve. */
EVP_PKEY *att_ec_pubkey_from_raw(const char *curve, const uint8_t *xy, size_t len);
/* Verifies a raw r||s ECDSA signature (len = 2 * field size) over msg, hashing with md. */
bool att_ecdsa_verify_raw(EVP_PKEY *key, const EVP_MD *md, const uint8_t *msg, size_t msg_len,
                          const uint8_t *sig, size_t sig_len);
/* Signs msg (SHA-256) with key, writing r||s (64 bytes for P-256). */
cd_status att_ecdsa_sign_raw_p256(EVP_PKEY *key, const uint8_t *msg, size_t msg_len, uint8_t sig[64]);

/* Certificates: parse PEM/DER; verify a chain leaf..root at time `at` with the root pinned
 * by its DER SHA-256 fingerprint. `chain` holds leaf first, root last. */
bool att_cert_fingerprint_is(X509 *cert, const uint8_t fp[32]);
cd_status att_verify_chain(STACK_OF(X509) *chain, const uint8_t root_fp[32], int64_t at,
                           const char *what, cd_error *err);
/* Reads a whole file into out (bounded), returns CD_ERR_NOT_FOUND if missing. */
cd_status att_read_optional(const char *dir, const char *name, size_t max, cd_buf *out);

/* Per-format verifiers (called by att_verify after detection). */
cd_status att_tdx_verify(cd_bytes q, const att_verify_opts *opts, att_report *rep, cd_error *err);
cd_status att_nitro_verify(cd_bytes doc, const att_verify_opts *opts, att_report *rep, cd_error *err);
cd_status att_mock_verify(cd_bytes q, const att_verify_opts *opts, att_report *rep, cd_error *err);

/* Mock quote layout (docs/attestation.md). */
#define ATT_MOCK_MAGIC "CDMOCKQ1"
#define ATT_MOCK_LEN (8 + 64 + 48 + 65 + 64)
cd_status att_mock_quote(EVP_PKEY *key, const uint8_t report_data[64], const uint8_t mrtd[48],
                         cd_buf *out, cd_error *err);

/* Nitro: build an NSM Attestation request (CBOR) for public_key/user_data/nonce. */
cd_status att_nsm_request(cd_bytes public_key, cd_bytes user_data, cd_bytes nonce, cd_buf *out);
/* Nitro: take the document out of an NSM response ({"Attestation": {"document": bstr}}). */
cd_status att_nsm_response(cd_bytes resp, cd_buf *doc, cd_error *err);


#endif
