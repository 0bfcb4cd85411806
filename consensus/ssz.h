/* consensus: SSZ (Simple Serialize) — type descriptors, validation of serialized bytes,
 * hash_tree_root, Merkle branches, and encoding from JSON values.
 *
 * The design works on serialized bytes: a value is its SSZ encoding plus a type descriptor.
 * ssz_validate checks every length, offset, limit, boolean and bitfield padding bit, with a
 * reason naming the field; afterwards accessors (ssz_field, ssz_element) hand out sub-slices
 * and hash_tree_root walks the bytes. This avoids a second in-memory representation and
 * makes "decode then re-encode" trivially byte-identical.
 *
 * Types are built at run time into an ssz_schema (an arena plus the zero-hash table), since
 * sizes depend on the preset (mainnet/minimal). Builders return NULL on allocation failure
 * and propagate NULL arguments, so a chain of builders is checked once at the end.
 */
#ifndef CANDOR_CONSENSUS_SSZ_H
#define CANDOR_CONSENSUS_SSZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/common.h"

struct json_object;

typedef enum {
    SSZ_UINT,      /* n = byte width: 1, 2, 4, 8, 16, 32 */
    SSZ_BOOL,
    SSZ_VECTOR,    /* n = length */
    SSZ_LIST,      /* n = limit */
    SSZ_BITVECTOR, /* n = bits */
    SSZ_BITLIST,   /* n = bit limit */
    SSZ_CONTAINER
} ssz_kind;

/* Depth of the zero-hash table; list limits are bounded by it (2^64 chunks). */
#define SSZ_MAX_DEPTH 64

typedef struct ssz_type ssz_type;

typedef struct {
    const char *name;
    const ssz_type *type;
} ssz_field_def;

struct ssz_type {
    ssz_kind kind;
    const char *name;             /* container name (or NULL) */
    uint64_t n;
    const ssz_type *elem;         /* vector / list element */
    const ssz_field_def *fields;  /* container fields */
    size_t nfields;
    bool variable;                /* variable-size type */
    uint64_t size;                /* serialized size of a fixed-size type; 0 if variable */
    uint64_t fixed_part;          /* container: size of the fixed part (offsets count 4) */
    const uint8_t (*zero)[32];    /* the schema's zero-hash table */
};

typedef struct {
    cd_arena arena;
    uint8_t zero[SSZ_MAX_DEPTH + 1][32]; /* zero[d] = root of an all-zero tree of depth d */
} ssz_schema;

/* Initialises an empty schema (computes the zero hashes). Free with ssz_schema_free. */
CD_MUST_CHECK cd_status ssz_schema_init(ssz_schema *s);
void ssz_schema_free(ssz_schema *s);

const ssz_type *ssz_t_uint(ssz_schema *s, size_t bytes);
const ssz_type *ssz_t_bool(ssz_schema *s);
const ssz_type *ssz_t_vector(ssz_schema *s, const ssz_type *elem, uint64_t n);
const ssz_type *ssz_t_list(ssz_schema *s, const ssz_type *elem, uint64_t limit);
const ssz_type *ssz_t_bitvector(ssz_schema *s, uint64_t bits);
const ssz_type *ssz_t_bitlist(ssz_schema *s, uint64_t limit);
/* ByteVector[n] = Vector[uint8, n]; ByteList[n] = List[uint8, n]. */
const ssz_type *ssz_t_bytes(ssz_schema *s, uint64_t n);
const ssz_type *ssz_t_bytelist(ssz_schema *s, uint64_t limit);
/* Container from nfields (const char *name, const ssz_type *type) pairs. */
const ssz_type *ssz_t_container(ssz_schema *s, const char *name, size_t nfields, ...);
/* Same from an array. */
const ssz_type *ssz_t_container_a(ssz_schema *s, const char *name, size_t nfields,
                                  const ssz_field_def *fields);

/* ---- serialized values ------------------------------------------------------- */

/* Checks that `data` is a valid serialization of `t`. Errors: CD_ERR_SSZ_BAD_LENGTH,
 * CD_ERR_SSZ_BAD_OFFSET, CD_ERR_SSZ_LIST_LIMIT, CD_ERR_SSZ_BAD_BOOL, CD_ERR_SSZ_BAD_BITLIST,
 * CD_ERR_SSZ_BAD_BITVECTOR; the reason names the field path ("attested_header.beacon: ..."). */
CD_MUST_CHECK cd_status ssz_validate(const ssz_type *t, cd_bytes data, cd_error *err);

/* hash_tree_root of a serialized value (validated first). */
CD_MUST_CHECK cd_status ssz_hash_tree_root(const ssz_type *t, cd_bytes data, cd_hash32 *out,
                                           cd_error *err);
/* hash_tree_root of a container using only its first `nfields` fields, as if the container
 * type had only those (e.g. capella's ExecutionPayloadHeader inside deneb's). Validates. */
CD_MUST_CHECK cd_status ssz_hash_tree_root_prefix(const ssz_type *t, cd_bytes data, size_t nfields,
                                                  cd_hash32 *out, cd_error *err);

/* Accessors on VALIDATED data (they re-check bounds, but report only CD_ERR_INVALID_ARG). */
CD_MUST_CHECK cd_status ssz_field(const ssz_type *t, cd_bytes data, size_t index, cd_bytes *out);
/* Index of a container field by name, or -1. */
long ssz_field_index(const ssz_type *t, const char *name);
/* Field by name; CD_ERR_NOT_FOUND when the container has no such field. */
CD_MUST_CHECK cd_status ssz_field_by_name(const ssz_type *t, cd_bytes data, const char *name,
                                          const ssz_type **ft, cd_bytes *out);
/* Number of elements of a vector/list value. */
CD_MUST_CHECK cd_status ssz_count(const ssz_type *t, cd_bytes data, uint64_t *out);
CD_MUST_CHECK cd_status ssz_element(const ssz_type *t, cd_bytes data, uint64_t index, cd_bytes *out);

static inline uint64_t ssz_read_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
static inline uint32_t ssz_read_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void ssz_write_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- encoding -------------------------------------------------------------------- */

/* Encodes a JSON value (beacon-API / consensus-spec-tests conventions: uints as decimal
 * strings or numbers, byte vectors/lists and bitfields as 0x-hex strings, other lists as
 * arrays, containers as objects keyed by field name) as SSZ, appended to `out`. The result
 * is validated. CD_ERR_BAD_JSON with the field path on a shape mismatch. */
CD_MUST_CHECK cd_status ssz_from_json(const ssz_type *t, const struct json_object *j, cd_buf *out,
                                      cd_error *err);

/* ---- Merkle ------------------------------------------------------------------------ */

/* SHA-256 of the 64-byte concatenation a || b (the Merkle node hash). */
void ssz_hash_pair(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
/* Plain SHA-256. */
void ssz_sha256(uint8_t out[32], const uint8_t *data, size_t len);
/* is_valid_merkle_branch(leaf, branch, depth, index, root). */
bool ssz_is_valid_merkle_branch(const cd_hash32 *leaf, const cd_hash32 *branch, size_t depth,
                                uint64_t index, const cd_hash32 *root);
/* floorlog2 of a generalized index (its depth); gindex must be >= 1. */
size_t ssz_gindex_depth(uint64_t gindex);

/* ---- snappy (raw block format, as in the consensus test vectors) --------------------- */

/* Decompresses a raw snappy block into `out` (appended), refusing outputs over max_len.
 * CD_ERR_SNAPPY on corrupt input, CD_ERR_TOO_LARGE over the limit. */
CD_MUST_CHECK cd_status ssz_snappy_uncompress(cd_bytes in, size_t max_len, cd_buf *out);

#endif
