/* common: the small vocabulary every Candor module shares.
 *
 * - cd_status: one project-wide status enum (see status.def); cd_error adds a precise,
 *   human-readable reason for the caller (e.g. which proof node failed and why).
 * - cd_bytes: a read-only slice; cd_buf: an owned, growable byte buffer.
 * - Fixed-size value types (hash, address, 256-bit word) so that one cannot be passed
 *   where another is meant.
 * - Hex helpers for the 0x-hex strings of Ethereum's JSON APIs.
 */
#ifndef CANDOR_COMMON_H
#define CANDOR_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CD_MUST_CHECK __attribute__((warn_unused_result))
#define CD_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define CD_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define CD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- status ------------------------------------------------------------ */

typedef enum {
    CD_OK = 0,
#define CD_STATUS(name, msg) name,
#include "common/status.def"
#undef CD_STATUS
    CD_STATUS_COUNT
} cd_status;

/* Short static description of a status; never NULL. */
const char *cd_status_str(cd_status s);
/* Stable identifier of a status ("CD_ERR_RLP_OVERRUN"); never NULL. */
const char *cd_status_name(cd_status s);

/* A status with a precise reason. Functions that can explain a failure take an optional
 * `cd_error *err` (NULL = caller does not want the text). */
typedef struct {
    cd_status code;
    char msg[256];
} cd_error;

/* Records `code` and a formatted reason in `err` (if non-NULL); returns `code`, so that
 * `return cd_fail(err, CD_ERR_X, "slot %u", i);` reads naturally. */
cd_status cd_fail(cd_error *err, cd_status code, const char *fmt, ...) CD_PRINTF(3, 4);
/* Prefixes context to an existing reason: "account proof: " + "node 3: hash mismatch". */
void cd_error_prefix(cd_error *err, const char *fmt, ...) CD_PRINTF(2, 3);
/* The reason text, or the status description if no reason was recorded. */
const char *cd_error_text(const cd_error *err);
void cd_error_clear(cd_error *err);

/* ---- byte slices and buffers ------------------------------------------- */

typedef struct {
    const uint8_t *ptr;
    size_t len;
} cd_bytes;

static inline cd_bytes cd_bytes_make(const void *ptr, size_t len) {
    cd_bytes b = {(const uint8_t *)ptr, len};
    return b;
}
bool cd_bytes_eq(cd_bytes a, cd_bytes b);

/* Owned growable buffer. Zero-initialise ({0}) before first use; free with cd_buf_free. */
typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;
} cd_buf;

CD_MUST_CHECK cd_status cd_buf_reserve(cd_buf *b, size_t extra);
CD_MUST_CHECK cd_status cd_buf_append(cd_buf *b, const void *data, size_t len);
CD_MUST_CHECK cd_status cd_buf_push(cd_buf *b, uint8_t byte);
static inline cd_bytes cd_buf_bytes(const cd_buf *b) { return cd_bytes_make(b->data, b->len); }
void cd_buf_free(cd_buf *b);

/* Grows an array of `*cap` elements of `elem_size` bytes: to `initial` elements when empty,
 * else twice as many. Returns the (possibly moved) array and updates *cap, or returns NULL
 * and leaves both untouched when memory is short or the size would overflow. */
void *cd_grow_array(void *items, size_t *cap, size_t elem_size, size_t initial);

/* Overwrites memory in a way the compiler may not elide (for secrets). */
void cd_wipe(void *p, size_t n);
/* Constant-time equality (for MACs, secrets). */
bool cd_ct_eq(const void *a, const void *b, size_t n);

/* ---- fixed-size values --------------------------------------------------- */

typedef struct { uint8_t b[32]; } cd_hash32;   /* keccak/sha256 digest, root, 32-byte key */
typedef struct { uint8_t b[20]; } cd_address;  /* Ethereum account address */
/* 256-bit unsigned word: 4 little-endian 64-bit limbs (w[0] least significant). */
typedef struct { uint64_t w[4]; } cd_u256;

static inline bool cd_hash32_eq(const cd_hash32 *a, const cd_hash32 *b) {
    for (int i = 0; i < 32; i++) if (a->b[i] != b->b[i]) return false;
    return true;
}
/* One fixed-size memcmp, which compilers turn into a few wide loads and compares (the
 * byte loop it replaces compiled to twenty compare-and-branch steps on the EVM's account
 * lookups). */
static inline bool cd_address_eq(const cd_address *a, const cd_address *b) {
    return memcmp(a->b, b->b, sizeof a->b) == 0;
}

/* Big-endian byte string (at most 32 bytes) to word; longer input is an error. */
CD_MUST_CHECK cd_status cd_u256_from_be(cd_u256 *out, const uint8_t *be, size_t len);
void cd_u256_to_be32(const cd_u256 *v, uint8_t out[32]);
static inline bool cd_u256_is_zero(const cd_u256 *v) {
    return (v->w[0] | v->w[1] | v->w[2] | v->w[3]) == 0;
}
static inline bool cd_u256_eq(const cd_u256 *a, const cd_u256 *b) {
    return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] && a->w[3] == b->w[3];
}

/* ---- hex ------------------------------------------------------------------ */

/* Decodes hex (optional 0x prefix, even length, either case) of `len` chars into
 * `out` (capacity `cap`); `*out_len` receives the byte count. */
CD_MUST_CHECK cd_status cd_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap,
                                      size_t *out_len);
/* Decodes into a new buffer (appended to `out`). */
CD_MUST_CHECK cd_status cd_hex_decode_buf(const char *hex, size_t len, cd_buf *out);
/* Decodes exactly `n` bytes; anything else is CD_ERR_BAD_HEX. */
CD_MUST_CHECK cd_status cd_hex_decode_exact(const char *hex, uint8_t *out, size_t n);
/* Parses an Ethereum JSON quantity ("0x0", "0x1a"; no leading zeros unless "0x0" when
 * strict) into a 256-bit word. Non-strict accepts leading zeros (many nodes emit them). */
CD_MUST_CHECK cd_status cd_hex_quantity(const char *hex, cd_u256 *out, bool strict);
CD_MUST_CHECK cd_status cd_hex_quantity_u64(const char *hex, uint64_t *out, bool strict);
/* Writes "0x" + 2*len hex digits + NUL into out (capacity >= 2*len+3). */
void cd_hex_encode(char *out, const uint8_t *data, size_t len);
/* Appends "0x..." to a growable buffer as text (no NUL). */
CD_MUST_CHECK cd_status cd_hex_encode_buf(cd_buf *out, const uint8_t *data, size_t len);
/* Minimal quantity form "0x1a" of a word (out capacity >= 67). */
void cd_u256_to_quantity(const cd_u256 *v, char *out);

/* ---- files ---------------------------------------------------------------- */

/* Reads a whole file (at most max_len bytes, else CD_ERR_TOO_LARGE) into `out`. */
CD_MUST_CHECK cd_status cd_read_file(const char *path, size_t max_len, cd_buf *out);
/* The names in folder `dir`, sorted bytewise, skipping those that start with '.'
 * (CD_ERR_IO if it cannot be opened). Free with cd_list_free. */
CD_MUST_CHECK cd_status cd_list_dir(const char *dir, char ***names, size_t *count);
void cd_list_free(char **names, size_t count);

#endif
