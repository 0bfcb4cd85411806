/* gov: Solidity storage-layout arithmetic for the governance contract's slots. */
#include <string.h>

#include "crypto/keccak.h"
#include "gov/gov.h"

void gov_slot_number(uint64_t n, cd_hash32 *out) {
    memset(out->b, 0, 32);
    for (int i = 0; i < 8; i++) out->b[31 - i] = (uint8_t)(n >> (8 * i));
}

void gov_slot_mapping(const uint8_t key32[32], uint64_t slot, cd_hash32 *out) {
    uint8_t pre[64];
    cd_hash32 s;
    gov_slot_number(slot, &s);
    memcpy(pre, key32, 32);
    memcpy(pre + 32, s.b, 32);
    keccak256(pre, sizeof pre, out->b);
}

void gov_slot_mapping_address(const cd_address *key, uint64_t slot, cd_hash32 *out) {
    uint8_t k[32] = {0};
    memcpy(k + 12, key->b, 20);
    gov_slot_mapping(k, slot, out);
}

void gov_slot_add(const cd_hash32 *base, uint64_t k, cd_hash32 *out) {
    cd_hash32 r = *base;
    unsigned carry = 0;
    for (int i = 31; i >= 0; i--) {
        unsigned add = (unsigned)(i >= 24 ? (uint8_t)(k >> (8 * (31 - i))) : 0);
        unsigned sum = r.b[i] + add + carry;
        r.b[i] = (uint8_t)sum;
        carry = sum >> 8;
    }
    *out = r; /* the carry out of the top byte wraps: slots are taken modulo 2^256 */
}

void gov_slot_array_element(uint64_t slot, uint64_t index, cd_hash32 *out) {
    cd_hash32 s, base;
    gov_slot_number(slot, &s);
    keccak256(s.b, 32, base.b);
    gov_slot_add(&base, index, out);
}

void gov_slot_string_chunk(const cd_hash32 *slot, uint64_t chunk, cd_hash32 *out) {
    cd_hash32 base;
    keccak256(slot->b, 32, base.b);
    gov_slot_add(&base, chunk, out);
}

cd_status gov_string_head_decode(const cd_hash32 *w, size_t max, gov_string_head *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (w->b[31] & 1) {
        /* Long: the whole word is 2·len + 1; anything above 64 bits is already out of bounds. */
        for (int i = 0; i < 24; i++)
            if (w->b[i]) return cd_fail(err, CD_ERR_GOV_BOUNDS, "string longer than %zu bytes", max);
        uint64_t v = 0;
        for (int i = 24; i < 32; i++) v = (v << 8) | w->b[i];
        uint64_t len = v >> 1;
        if (len > max) return cd_fail(err, CD_ERR_GOV_BOUNDS, "string of %llu bytes, more than %zu", (unsigned long long)len, max);
        if (len < 32) return cd_fail(err, CD_ERR_GOV_NOT_GOVERNANCE, "long-form string head for %llu bytes (non-canonical)", (unsigned long long)len);
        out->is_long = true;
        out->len = (size_t)len;
        return CD_OK;
    }
    size_t len = w->b[31] >> 1;
    if (len > 31) return cd_fail(err, CD_ERR_GOV_NOT_GOVERNANCE, "short string head with length %zu", len);
    if (len > max) return cd_fail(err, CD_ERR_GOV_BOUNDS, "string of %zu bytes, more than %zu", len, max);
    for (size_t i = len; i < 31; i++)
        if (w->b[i]) return cd_fail(err, CD_ERR_GOV_NOT_GOVERNANCE, "short string has bytes after its length");
    out->len = len;
    return CD_OK;
}
