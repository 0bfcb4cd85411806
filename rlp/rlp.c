/* Strict RLP decoding and encoding (Ethereum Yellow Paper, appendix B). */
#include "rlp/rlp.h"

#include <string.h>

/* Reads a big-endian length of `n` bytes (1..8) that must be canonical: no leading zero
 * byte, and at least 56 (else the short form was required). */
static cd_status read_long_len(const uint8_t *p, size_t n, size_t *out) {
    if (p[0] == 0) return CD_ERR_RLP_LEADING_ZERO_LEN;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v = v << 8 | p[i];
    if (v < 56) return CD_ERR_RLP_LONG_FOR_SHORT;
    if (v > SIZE_MAX) return CD_ERR_RLP_OVERRUN;
    *out = (size_t)v;
    return CD_OK;
}

cd_status rlp_decode_prefix(cd_bytes in, rlp_item *item, size_t *consumed) {
    if (in.len == 0) return CD_ERR_RLP_OVERRUN;
    const uint8_t *p = in.ptr;
    uint8_t b = p[0];
    size_t hdr, len;
    bool is_list = false;
    if (b < 0x80) { /* a single byte is its own encoding */
        hdr = 0;
        len = 1;
    } else if (b <= 0xb7) {
        hdr = 1;
        len = b - 0x80u;
        if (len == 1) {
            if (in.len < 2) return CD_ERR_RLP_OVERRUN;
            if (p[1] < 0x80) return CD_ERR_RLP_SINGLE_BYTE;
        }
    } else if (b <= 0xbf) {
        size_t n = b - 0xb7u;
        if (in.len < 1 + n) return CD_ERR_RLP_OVERRUN;
        cd_status s = read_long_len(p + 1, n, &len);
        if (s) return s;
        hdr = 1 + n;
    } else if (b <= 0xf7) {
        is_list = true;
        hdr = 1;
        len = b - 0xc0u;
    } else {
        is_list = true;
        size_t n = b - 0xf7u;
        if (in.len < 1 + n) return CD_ERR_RLP_OVERRUN;
        cd_status s = read_long_len(p + 1, n, &len);
        if (s) return s;
        hdr = 1 + n;
    }
    if (len > in.len - hdr) return CD_ERR_RLP_OVERRUN;
    item->is_list = is_list;
    item->payload = cd_bytes_make(p + hdr, len);
    item->raw = cd_bytes_make(p, hdr + len);
    if (consumed) *consumed = hdr + len;
    return CD_OK;
}

cd_status rlp_decode(cd_bytes in, rlp_item *item) {
    size_t used = 0;
    cd_status s = rlp_decode_prefix(in, item, &used);
    if (s) return s;
    return used == in.len ? CD_OK : CD_ERR_RLP_TRAILING;
}

static cd_status validate_payload(cd_bytes payload, int depth) {
    if (depth > RLP_MAX_DEPTH) return CD_ERR_RLP_TOO_DEEP;
    while (payload.len) {
        rlp_item it;
        size_t used = 0;
        cd_status s = rlp_decode_prefix(payload, &it, &used);
        if (s) return s;
        if (it.is_list && (s = validate_payload(it.payload, depth + 1))) return s;
        payload.ptr += used;
        payload.len -= used;
    }
    return CD_OK;
}

cd_status rlp_validate(cd_bytes in) {
    rlp_item it;
    cd_status s = rlp_decode(in, &it);
    if (s) return s;
    return it.is_list ? validate_payload(it.payload, 1) : CD_OK;
}

cd_status rlp_iter_init(rlp_iter *it, const rlp_item *list) {
    if (!list->is_list) return CD_ERR_RLP_EXPECTED_LIST;
    it->rest = list->payload;
    return CD_OK;
}

cd_status rlp_iter_next(rlp_iter *it, rlp_item *item, bool *have) {
    *have = false;
    if (it->rest.len == 0) return CD_OK;
    size_t used = 0;
    cd_status s = rlp_decode_prefix(it->rest, item, &used);
    if (s) return s;
    it->rest.ptr += used;
    it->rest.len -= used;
    *have = true;
    return CD_OK;
}

cd_status rlp_list_items(const rlp_item *list, rlp_item *items, size_t max, size_t *count) {
    rlp_iter it;
    cd_status s = rlp_iter_init(&it, list);
    if (s) return s;
    size_t n = 0;
    for (;;) {
        rlp_item x;
        bool have;
        if ((s = rlp_iter_next(&it, &x, &have))) return s;
        if (!have) break;
        if (n == max) return CD_ERR_RLP_BAD_COUNT;
        items[n++] = x;
    }
    *count = n;
    return CD_OK;
}

cd_status rlp_list_count(const rlp_item *list, size_t *count) {
    rlp_iter it;
    cd_status s = rlp_iter_init(&it, list);
    if (s) return s;
    size_t n = 0;
    for (;;) {
        rlp_item x;
        bool have;
        if ((s = rlp_iter_next(&it, &x, &have))) return s;
        if (!have) break;
        n++;
    }
    *count = n;
    return CD_OK;
}

cd_status rlp_item_string(const rlp_item *item, cd_bytes *out) {
    if (item->is_list) return CD_ERR_RLP_EXPECTED_STRING;
    *out = item->payload;
    return CD_OK;
}

static cd_status int_bytes(const rlp_item *item, size_t max) {
    if (item->is_list) return CD_ERR_RLP_EXPECTED_STRING;
    if (item->payload.len > 0 && item->payload.ptr[0] == 0) return CD_ERR_RLP_INT_LEADING_ZERO;
    if (item->payload.len > max) return CD_ERR_RLP_INT_OVERFLOW;
    return CD_OK;
}

cd_status rlp_item_u64(const rlp_item *item, uint64_t *out) {
    cd_status s = int_bytes(item, 8);
    if (s) return s;
    uint64_t v = 0;
    for (size_t i = 0; i < item->payload.len; i++) v = v << 8 | item->payload.ptr[i];
    *out = v;
    return CD_OK;
}

cd_status rlp_item_u256(const rlp_item *item, cd_u256 *out) {
    cd_status s = int_bytes(item, 32);
    if (s) return s;
    return cd_u256_from_be(out, item->payload.ptr, item->payload.len);
}

cd_status rlp_item_fixed(const rlp_item *item, uint8_t *out, size_t n) {
    if (item->is_list) return CD_ERR_RLP_EXPECTED_STRING;
    if (item->payload.len != n) return CD_ERR_RLP_BAD_COUNT;
    if (n) memcpy(out, item->payload.ptr, n);
    return CD_OK;
}

cd_status rlp_item_hash(const rlp_item *item, cd_hash32 *out) { return rlp_item_fixed(item, out->b, 32); }
cd_status rlp_item_address(const rlp_item *item, cd_address *out) {
    return rlp_item_fixed(item, out->b, 20);
}

/* ---- encoding ---- */

size_t rlp_header_len(size_t payload_len) {
    if (payload_len < 56) return 1;
    size_t n = 0;
    for (size_t v = payload_len; v; v >>= 8) n++;
    return 1 + n;
}

/* Writes a header with the given short-form base (0x80 strings, 0xc0 lists) into hdr. */
static size_t make_header(uint8_t hdr[9], uint8_t base, size_t len) {
    if (len < 56) {
        hdr[0] = (uint8_t)(base + len);
        return 1;
    }
    size_t n = rlp_header_len(len) - 1;
    hdr[0] = (uint8_t)(base + 55 + n);
    for (size_t i = 0; i < n; i++) hdr[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
    return 1 + n;
}

cd_status rlp_encode_bytes(cd_buf *out, const uint8_t *data, size_t len) {
    if (len == 1 && data[0] < 0x80) return cd_buf_push(out, data[0]);
    uint8_t hdr[9];
    size_t h = make_header(hdr, 0x80, len);
    cd_status s = cd_buf_reserve(out, h + len);
    if (s) return s;
    memcpy(out->data + out->len, hdr, h);
    if (len) memcpy(out->data + out->len + h, data, len);
    out->len += h + len;
    return CD_OK;
}

cd_status rlp_encode_uint_be(cd_buf *out, const uint8_t *be, size_t len) {
    while (len && be[0] == 0) {
        be++;
        len--;
    }
    return rlp_encode_bytes(out, be, len);
}

cd_status rlp_encode_u64(cd_buf *out, uint64_t v) {
    uint8_t be[8];
    for (int i = 0; i < 8; i++) be[i] = (uint8_t)(v >> (56 - 8 * i));
    return rlp_encode_uint_be(out, be, 8);
}

cd_status rlp_encode_u256(cd_buf *out, const cd_u256 *v) {
    uint8_t be[32];
    cd_u256_to_be32(v, be);
    return rlp_encode_uint_be(out, be, 32);
}

cd_status rlp_encode_hash(cd_buf *out, const cd_hash32 *h) { return rlp_encode_bytes(out, h->b, 32); }
cd_status rlp_encode_address(cd_buf *out, const cd_address *a) {
    return rlp_encode_bytes(out, a->b, 20);
}

cd_status rlp_encode_list_header(cd_buf *out, size_t payload_len) {
    uint8_t hdr[9];
    size_t h = make_header(hdr, 0xc0, payload_len);
    return cd_buf_append(out, hdr, h);
}

cd_status rlp_wrap_list(cd_buf *out, size_t start) {
    if (start > out->len) return CD_ERR_INVALID_ARG;
    size_t len = out->len - start;
    uint8_t hdr[9];
    size_t h = make_header(hdr, 0xc0, len);
    cd_status s = cd_buf_reserve(out, h);
    if (s) return s;
    memmove(out->data + start + h, out->data + start, len);
    memcpy(out->data + start, hdr, h);
    out->len += h;
    return CD_OK;
}

cd_status rlp_encode_raw(cd_buf *out, cd_bytes encoded) {
    return cd_buf_append(out, encoded.ptr, encoded.len);
}
