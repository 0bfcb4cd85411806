/* Frontier precompiles 0x01-0x04: ecrecover, SHA-256, RIPEMD-160, identity. */
#include <string.h>

#include <openssl/evp.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "crypto/keccak.h"
#include "evm/precompiles_internal.h"

/* ---- 0x01 ecrecover ------------------------------------------------------ */

uint64_t evm_pc_ecrecover_gas(evm_fork fork, cd_bytes input) {
    (void)fork;
    (void)input;
    return 3000;
}

/* Input (zero-padded to 128 bytes): hash, v, r, s as 32-byte words. A signature that does
 * not recover is not an error: the call succeeds with empty output. */
cd_status evm_pc_ecrecover_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    (void)fork;
    uint8_t in[128];
    evm_pc_read_padded(input, 0, in, sizeof in);
    const uint8_t *hash = in, *v = in + 32, *rs = in + 64;
    for (int i = 0; i < 31; i++)
        if (v[i]) return CD_OK;
    if (v[31] != 27 && v[31] != 28) return CD_OK;
    /* secp256k1_context_static suffices for verification-type operations (no signing). The
     * library rejects r or s >= n when parsing and r = 0 or s = 0 when recovering; ecrecover
     * accepts high s (no EIP-2 rule here). */
    const secp256k1_context *ctx = secp256k1_context_static;
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, rs, v[31] - 27))
        return CD_OK;
    secp256k1_pubkey pub;
    if (!secp256k1_ecdsa_recover(ctx, &pub, &sig, hash)) return CD_OK;
    uint8_t ser[65];
    size_t ser_len = sizeof ser;
    if (!secp256k1_ec_pubkey_serialize(ctx, ser, &ser_len, &pub, SECP256K1_EC_UNCOMPRESSED))
        return CD_ERR_INTERNAL;
    uint8_t digest[32];
    keccak256(ser + 1, 64, digest);
    uint8_t word[32] = {0};
    memcpy(word + 12, digest + 12, 20); /* address = last 20 bytes of keccak(X || Y) */
    return cd_buf_append(out, word, sizeof word);
}

/* ---- 0x02 SHA-256 / 0x03 RIPEMD-160 (OpenSSL EVP) --------------------------- */

static cd_status evp_digest(const char *name, cd_bytes input, uint8_t *md, unsigned *md_len) {
    EVP_MD *alg = EVP_MD_fetch(NULL, name, NULL);
    if (!alg) return CD_ERR_INTERNAL;
    int ok = EVP_Digest(input.len ? input.ptr : (const uint8_t *)"", input.len, md, md_len,
                        alg, NULL);
    EVP_MD_free(alg);
    return ok == 1 ? CD_OK : CD_ERR_INTERNAL;
}

uint64_t evm_pc_sha256_gas(evm_fork fork, cd_bytes input) {
    (void)fork;
    return evm_pc_word_gas(60, 12, input.len);
}

cd_status evm_pc_sha256_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    (void)fork;
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    cd_status s = evp_digest("SHA256", input, md, &n);
    if (s != CD_OK) return s;
    return cd_buf_append(out, md, 32);
}

uint64_t evm_pc_ripemd160_gas(evm_fork fork, cd_bytes input) {
    (void)fork;
    return evm_pc_word_gas(600, 120, input.len);
}

cd_status evm_pc_ripemd160_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    (void)fork;
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    cd_status s = evp_digest("RIPEMD160", input, md, &n);
    if (s != CD_OK) return s;
    /* The 20-byte digest is returned left-padded to a 32-byte word. */
    uint8_t word[32] = {0};
    memcpy(word + 12, md, 20);
    return cd_buf_append(out, word, 32);
}

/* ---- 0x04 identity --------------------------------------------------------- */

uint64_t evm_pc_identity_gas(evm_fork fork, cd_bytes input) {
    (void)fork;
    return evm_pc_word_gas(15, 3, input.len);
}

cd_status evm_pc_identity_run(evm_fork fork, cd_bytes input, cd_buf *out) {
    (void)fork;
    return cd_buf_append(out, input.ptr, input.len);
}
