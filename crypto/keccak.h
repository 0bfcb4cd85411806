/* Keccak-256 as Ethereum uses it: Keccak[r=1088, c=512] with the original Keccak padding
 * (domain byte 0x01), NOT FIPS-202 SHA3-256 (0x06). keccak256("") = c5d24601...5d85a470.
 *
 * One-shot keccak256() and an incremental context (init / update* / final). No allocation,
 * no global state; a context may be copied to fork a hash.
 */
#ifndef CANDOR_CRYPTO_KECCAK_H
#define CANDOR_CRYPTO_KECCAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KECCAK256_RATE 136 /* bytes absorbed per permutation */

typedef struct {
    uint64_t state[25];
    uint8_t buf[KECCAK256_RATE]; /* partial block not yet absorbed */
    size_t buf_len;
} keccak256_ctx;

void keccak256(const uint8_t *data, size_t len, uint8_t out[32]);

void keccak256_init(keccak256_ctx *ctx);
void keccak256_update(keccak256_ctx *ctx, const uint8_t *data, size_t len);
/* Writes the digest; the context must be re-initialised before reuse. */
void keccak256_final(keccak256_ctx *ctx, uint8_t out[32]);

/* The Keccak-f[1600] permutation (24 rounds) on 25 little-endian lanes. */
void keccak_f1600(uint64_t state[25]);

/* The implementation is chosen once at load time: the same C compiled for BMI1/BMI2 on
 * x86-64 CPUs that have them, else the portable build. These expose the portable path and
 * the choice, for tests and benches. */
void keccak_f1600_portable(uint64_t state[25]);
void keccak256_portable(const uint8_t *data, size_t len, uint8_t out[32]);
bool keccak_uses_bmi2(void);

#endif
