/* attest: the report-data layout that binds Candor's signing key into a quote.
 * Domain-separated SHA-256 so the same TEE cannot be tricked into producing report data
 * for one purpose that verifies as another (quote repurposing). Layout v1 in
 * docs/attestation.md; any change needs a new tag. */
#include <string.h>

#include "attest/att_internal.h"

static const char CONFIG_TAG[] = "candor/config/v1";
static const char REPORT_TAG[] = "candor/report-data/v1";
static const char NONCE_TAG[] = "candor/nonce/v1";

void att_config_digest(const char *version, cd_bytes config, cd_hash32 *out) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    static const uint8_t zero = 0;
    unsigned int n = 32;
    bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(c, CONFIG_TAG, sizeof CONFIG_TAG) == 1 && /* includes the NUL */
              EVP_DigestUpdate(c, version, strlen(version)) == 1 &&
              EVP_DigestUpdate(c, &zero, 1) == 1 &&
              (config.len == 0 || EVP_DigestUpdate(c, config.ptr, config.len) == 1) &&
              EVP_DigestFinal_ex(c, out->b, &n) == 1;
    if (!ok) memset(out->b, 0, 32);
    EVP_MD_CTX_free(c);
}

cd_status att_report_data(cd_bytes pubkey, const cd_hash32 *config_digest, cd_bytes nonce,
                          uint8_t out[ATT_REPORT_DATA_LEN]) {
    if (pubkey.len == 0 || pubkey.len > ATT_MAX_PUBKEY_LEN || !pubkey.ptr) return CD_ERR_INVALID_ARG;
    if (nonce.len > ATT_MAX_NONCE_LEN || (nonce.len && !nonce.ptr)) return CD_ERR_INVALID_ARG;
    uint8_t buf[sizeof REPORT_TAG + 1 + ATT_MAX_PUBKEY_LEN + 32];
    size_t n = 0;
    memcpy(buf, REPORT_TAG, sizeof REPORT_TAG); /* tag and its NUL separator */
    n += sizeof REPORT_TAG;
    buf[n++] = (uint8_t)pubkey.len;
    memcpy(buf + n, pubkey.ptr, pubkey.len);
    n += pubkey.len;
    memcpy(buf + n, config_digest->b, 32);
    n += 32;
    att_sha256(buf, n, out);
    if (nonce.len == 0) {
        memset(out + 32, 0, 32);
        return CD_OK;
    }
    uint8_t nb[sizeof NONCE_TAG + ATT_MAX_NONCE_LEN];
    memcpy(nb, NONCE_TAG, sizeof NONCE_TAG);
    memcpy(nb + sizeof NONCE_TAG, nonce.ptr, nonce.len);
    att_sha256(nb, sizeof NONCE_TAG + nonce.len, out + 32);
    return CD_OK;
}
