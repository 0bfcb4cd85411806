/* The service's signing key: secp256k1 (libsecp256k1), generated inside the service from
 * the OS CSPRNG, persisted only sealed (store record "signer/key"), wiped on free.
 * Signatures are Ethereum-style recoverable: 65 bytes r ‖ s ‖ v with v = 27 + recovery id
 * and low s, so `ecrecover(digest, v, r, s)` in a contract returns the signer's address. */
#ifndef CANDOR_SVC_SIGNER_H
#define CANDOR_SVC_SIGNER_H

#include <stdint.h>

#include "common/common.h"
#include "src/store.h"

#define SVC_SIG_LEN 65

typedef struct svc_signer svc_signer;

/* A new random key. */
CD_MUST_CHECK cd_status svc_signer_generate(svc_signer **out, cd_error *err);
/* A signer over a given secret key (tests, and loading from the store). */
CD_MUST_CHECK cd_status svc_signer_from_secret(svc_signer **out, const uint8_t seckey[32],
                                               cd_error *err);
/* Loads the sealed key from the store or, on first start, generates and seals one.
 * *created tells which happened. */
CD_MUST_CHECK cd_status svc_signer_load_or_create(svc_signer **out, svc_store *st, bool *created,
                                                  cd_error *err);
void svc_signer_free(svc_signer *s);

const cd_address *svc_signer_address(const svc_signer *s);
/* Uncompressed public key: 0x04 ‖ X ‖ Y. */
const uint8_t *svc_signer_pubkey65(const svc_signer *s);
/* Signs a 32-byte digest (RFC 6979 nonce, low s). */
CD_MUST_CHECK cd_status svc_signer_sign(const svc_signer *s, const uint8_t digest[32],
                                        uint8_t sig[SVC_SIG_LEN]);

/* ecrecover: the address that produced `sig` over `digest`. Rejects v other than 27/28
 * (or 0/1), high s, and r or s out of range. */
CD_MUST_CHECK cd_status svc_recover_address(const uint8_t digest[32], const uint8_t sig[SVC_SIG_LEN],
                                            cd_address *out);
/* Address of an uncompressed public key: last 20 bytes of keccak256(X ‖ Y). */
void svc_pubkey_to_address(const uint8_t pub65[65], cd_address *out);

#endif
