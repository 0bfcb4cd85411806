/* RLP (Recursive Length Prefix), strict.
 *
 * Decoding never reads past the slice it is given and rejects every non-canonical form
 * with its own status: a length with leading zero bytes (CD_ERR_RLP_LEADING_ZERO_LEN), a
 * single byte below 0x80 wrapped as a string (CD_ERR_RLP_SINGLE_BYTE), the long form for a
 * payload under 56 bytes (CD_ERR_RLP_LONG_FOR_SHORT), bytes after the item
 * (CD_ERR_RLP_TRAILING), a length past the end (CD_ERR_RLP_OVERRUN).
 *
 * Items are views into the input (no copy): `payload` is the string bytes or the
 * concatenated encodings of a list's items, `raw` the whole encoding including header.
 * Decoding an item checks its own header only; rlp_validate() checks a whole tree.
 *
 * Encoding appends to a cd_buf. Lists are built by appending the items' encodings and
 * then wrapping them: `size_t mark = buf.len; ...items...; rlp_wrap_list(&buf, mark);`.
 */
#ifndef CANDOR_RLP_H
#define CANDOR_RLP_H

#include "common/common.h"

#define RLP_MAX_DEPTH 128 /* nesting accepted by rlp_validate */

typedef struct {
    cd_bytes payload; /* string bytes, or the list's item encodings back to back */
    cd_bytes raw;     /* header + payload */
    bool is_list;
} rlp_item;

/* Decodes the first item of `in`; `*consumed` (optional) gets its total length. Only the
 * outer header is checked. */
CD_MUST_CHECK cd_status rlp_decode_prefix(cd_bytes in, rlp_item *item, size_t *consumed);
/* Decodes `in` as exactly one item (trailing bytes: CD_ERR_RLP_TRAILING). */
CD_MUST_CHECK cd_status rlp_decode(cd_bytes in, rlp_item *item);
/* Checks that `in` is exactly one item and that every nested item is canonical and in
 * bounds (depth limit RLP_MAX_DEPTH: CD_ERR_RLP_TOO_DEEP). */
CD_MUST_CHECK cd_status rlp_validate(cd_bytes in);

/* Iteration over a list's items. */
typedef struct {
    cd_bytes rest;
} rlp_iter;
/* CD_ERR_RLP_EXPECTED_LIST if `list` is a string. */
CD_MUST_CHECK cd_status rlp_iter_init(rlp_iter *it, const rlp_item *list);
/* Next item into `*item`, `*have` = false at the end (then `*item` is untouched). */
CD_MUST_CHECK cd_status rlp_iter_next(rlp_iter *it, rlp_item *item, bool *have);
/* Splits a list into its items: `items` has room for `max`; more items than that is
 * CD_ERR_RLP_BAD_COUNT. `*count` receives the number found. */
CD_MUST_CHECK cd_status rlp_list_items(const rlp_item *list, rlp_item *items, size_t max,
                                       size_t *count);
/* Number of items in a list. */
CD_MUST_CHECK cd_status rlp_list_count(const rlp_item *list, size_t *count);

/* Scalars. Integers are big-endian without leading zeros (0 is the empty string):
 * CD_ERR_RLP_INT_LEADING_ZERO, CD_ERR_RLP_INT_OVERFLOW, CD_ERR_RLP_EXPECTED_STRING. */
CD_MUST_CHECK cd_status rlp_item_u64(const rlp_item *item, uint64_t *out);
CD_MUST_CHECK cd_status rlp_item_u256(const rlp_item *item, cd_u256 *out);
/* A string of exactly n bytes (hashes, addresses, bloom): else CD_ERR_RLP_BAD_COUNT. */
CD_MUST_CHECK cd_status rlp_item_fixed(const rlp_item *item, uint8_t *out, size_t n);
CD_MUST_CHECK cd_status rlp_item_hash(const rlp_item *item, cd_hash32 *out);
CD_MUST_CHECK cd_status rlp_item_address(const rlp_item *item, cd_address *out);
/* The string's bytes (CD_ERR_RLP_EXPECTED_STRING for a list). */
CD_MUST_CHECK cd_status rlp_item_string(const rlp_item *item, cd_bytes *out);

/* ---- encoding ---- */
/* A byte string (a single byte below 0x80 is its own encoding). */
CD_MUST_CHECK cd_status rlp_encode_bytes(cd_buf *out, const uint8_t *data, size_t len);
/* Integers: minimal big-endian, 0 encodes as the empty string 0x80. */
CD_MUST_CHECK cd_status rlp_encode_u64(cd_buf *out, uint64_t v);
CD_MUST_CHECK cd_status rlp_encode_u256(cd_buf *out, const cd_u256 *v);
/* A big-endian integer given as bytes: leading zeros are stripped before encoding. */
CD_MUST_CHECK cd_status rlp_encode_uint_be(cd_buf *out, const uint8_t *be, size_t len);
CD_MUST_CHECK cd_status rlp_encode_hash(cd_buf *out, const cd_hash32 *h);
CD_MUST_CHECK cd_status rlp_encode_address(cd_buf *out, const cd_address *a);
/* Appends a list header for a payload of `payload_len` bytes (payload follows). */
CD_MUST_CHECK cd_status rlp_encode_list_header(cd_buf *out, size_t payload_len);
/* Turns out->data[start..len) (item encodings) into one list item in place. */
CD_MUST_CHECK cd_status rlp_wrap_list(cd_buf *out, size_t start);
/* Appends an already encoded item verbatim. */
CD_MUST_CHECK cd_status rlp_encode_raw(cd_buf *out, cd_bytes encoded);
/* Bytes a header for this payload takes (1 to 9). */
size_t rlp_header_len(size_t payload_len);

#endif
