#include "src/signer.h"

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"

#define STORE_KEY_NAME "signer/key"

struct svc_signer {
    secp256k1_context *ctx;
    uint8_t seckey[32];
    uint8_t pub65[65];
    cd_address address;
};

void svc_pubkey_to_address(const uint8_t pub65[65], cd_address *out) {
    uint8_t h[32];
    keccak256(pub65 + 1, 64, h);
    memcpy(out->b, h + 12, 20);
}

cd_status svc_signer_from_secret(svc_signer **out, const uint8_t seckey[32], cd_error *err) {
    *out = NULL;
    svc_signer *s = calloc(1, sizeof *s);
    if (!s) return cd_fail(err, CD_ERR_NOMEM, "signer");
    s->ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!s->ctx) {
        free(s);
        return cd_fail(err, CD_ERR_NOMEM, "secp256k1 context");
    }
    /* Blinding against side channels in signing. */
    uint8_t seed[32];
    if (RAND_bytes(seed, sizeof seed) != 1 || !secp256k1_context_randomize(s->ctx, seed)) {
        svc_signer_free(s);
        return cd_fail(err, CD_ERR_INTERNAL, "secp256k1 randomize");
    }
    cd_wipe(seed, sizeof seed);
    secp256k1_pubkey pk;
    if (!secp256k1_ec_seckey_verify(s->ctx, seckey) || !secp256k1_ec_pubkey_create(s->ctx, &pk, seckey)) {
        svc_signer_free(s);
        return cd_fail(err, CD_ERR_BAD_SCALAR, "signing key is not a valid secp256k1 secret");
    }
    memcpy(s->seckey, seckey, 32);
    size_t n = 65;
    secp256k1_ec_pubkey_serialize(s->ctx, s->pub65, &n, &pk, SECP256K1_EC_UNCOMPRESSED);
    svc_pubkey_to_address(s->pub65, &s->address);
    *out = s;
    return CD_OK;
}

cd_status svc_signer_generate(svc_signer **out, cd_error *err) {
    uint8_t sk[32];
    /* Retry on the (2^-128) chance of an invalid scalar. */
    for (int tries = 0; tries < 8; tries++) {
        if (RAND_bytes(sk, sizeof sk) != 1) return cd_fail(err, CD_ERR_INTERNAL, "no randomness");
        cd_status s = svc_signer_from_secret(out, sk, err);
        if (s != CD_ERR_BAD_SCALAR) {
            cd_wipe(sk, sizeof sk);
            return s;
        }
    }
    cd_wipe(sk, sizeof sk);
    return cd_fail(err, CD_ERR_INTERNAL, "could not generate a key");
}

cd_status svc_signer_load_or_create(svc_signer **out, svc_store *st, bool *created, cd_error *err) {
    cd_buf b = {0};
    *created = false;
    cd_status s = svc_store_get(st, STORE_KEY_NAME, &b, err);
    if (s == CD_OK) {
        if (b.len != 32) s = cd_fail(err, CD_ERR_STORE_TAMPERED, "sealed signing key has length %zu", b.len);
        else s = svc_signer_from_secret(out, b.data, err);
        cd_wipe(b.data, b.len);
        cd_buf_free(&b);
        return s;
    }
    cd_buf_free(&b);
    if (s != CD_ERR_NOT_FOUND) return s;
    if ((s = svc_signer_generate(out, err)) != CD_OK) return s;
    if ((s = svc_store_put(st, STORE_KEY_NAME, (*out)->seckey, 32, err)) != CD_OK) {
        svc_signer_free(*out);
        *out = NULL;
        return s;
    }
    *created = true;
    return CD_OK;
}

void svc_signer_free(svc_signer *s) {
    if (!s) return;
    cd_wipe(s->seckey, sizeof s->seckey);
    if (s->ctx) secp256k1_context_destroy(s->ctx);
    free(s);
}

const cd_address *svc_signer_address(const svc_signer *s) { return &s->address; }
const uint8_t *svc_signer_pubkey65(const svc_signer *s) { return s->pub65; }

cd_status svc_signer_sign(const svc_signer *s, const uint8_t digest[32], uint8_t sig[SVC_SIG_LEN]) {
    secp256k1_ecdsa_recoverable_signature rs;
    if (!secp256k1_ecdsa_sign_recoverable(s->ctx, &rs, digest, s->seckey, NULL, NULL))
        return CD_ERR_INTERNAL;
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(s->ctx, sig, &recid, &rs);
    sig[64] = (uint8_t)(27 + recid);
    return CD_OK;
}

cd_status svc_recover_address(const uint8_t digest[32], const uint8_t sig[SVC_SIG_LEN], cd_address *out) {
    int v = sig[64];
    if (v >= 27) v -= 27;
    if (v != 0 && v != 1) return CD_ERR_BAD_SIGNATURE;
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!ctx) return CD_ERR_NOMEM;
    cd_status st = CD_ERR_BAD_SIGNATURE;
    secp256k1_ecdsa_recoverable_signature rs;
    secp256k1_ecdsa_signature plain;
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rs, sig, v)) goto done;
    /* Reject malleable high-s signatures, as Ethereum's ecrecover users should. */
    secp256k1_ecdsa_recoverable_signature_convert(ctx, &plain, &rs);
    if (secp256k1_ecdsa_signature_normalize(ctx, NULL, &plain)) goto done;
    if (!secp256k1_ecdsa_recover(ctx, &pk, &rs, digest)) goto done;
    uint8_t pub[65];
    size_t n = 65;
    secp256k1_ec_pubkey_serialize(ctx, pub, &n, &pk, SECP256K1_EC_UNCOMPRESSED);
    svc_pubkey_to_address(pub, out);
    st = CD_OK;
done:
    secp256k1_context_destroy(ctx);
    return st;
}
