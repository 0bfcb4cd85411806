/* Merkle-Patricia proof verification.
 *
 * Walks the key's nibbles from the root. Each step has a reference to the next node:
 * a 32-byte hash (the next proof node must hash to it) or an embedded node (its RLP is
 * under 32 bytes and sits inside the parent, so it consumes no proof entry). The walk
 * ends with the value (inclusion) or with evidence that the key is absent (exclusion):
 * an empty branch slot, a leaf for another key, or an extension that diverges.
 * Every proof node must be used: extra nodes mean the proof is not what it claims.
 */
#include <string.h>

#include "crypto/keccak.h"
#include "mpt/mpt.h"
#include "rlp/rlp.h"

typedef struct {
    cd_bytes key;    /* raw key bytes; nibble i = half-byte i */
    size_t pos;      /* nibbles consumed */
} key_walk;

static inline unsigned key_nibble(const key_walk *k, size_t i) {
    uint8_t b = k->key.ptr[i / 2];
    return (i & 1) ? (b & 15u) : (b >> 4);
}

/* A child reference inside a node: hash (32-byte string), embedded node (list whose
 * encoding is under 32 bytes), or empty (the empty string). */
typedef enum { REF_EMPTY, REF_HASH, REF_EMBEDDED } ref_kind;

static cd_status classify_ref(const rlp_item *it, ref_kind *kind, cd_error *err, size_t node_idx) {
    if (it->is_list) {
        if (it->raw.len >= 32)
            return cd_fail(err, CD_ERR_MPT_BAD_NODE,
                           "node %zu: embedded child of %zu bytes (must be under 32)", node_idx, it->raw.len);
        *kind = REF_EMBEDDED;
        return CD_OK;
    }
    if (it->payload.len == 0) {
        *kind = REF_EMPTY;
        return CD_OK;
    }
    if (it->payload.len == 32) {
        *kind = REF_HASH;
        return CD_OK;
    }
    return cd_fail(err, CD_ERR_MPT_BAD_NODE, "node %zu: child reference of %zu bytes", node_idx,
                   it->payload.len);
}

cd_status mpt_verify_proof(const cd_hash32 *root, cd_bytes key, const cd_bytes *nodes, size_t n_nodes,
                           bool *found, cd_bytes *value, cd_error *err) {
    *found = false;
    *value = cd_bytes_make(NULL, 0);
    if (key.len > MPT_MAX_KEY_LEN) return cd_fail(err, CD_ERR_TOO_LARGE, "key of %zu bytes", key.len);
    if (n_nodes > MPT_MAX_PROOF_NODES)
        return cd_fail(err, CD_ERR_TOO_LARGE, "proof of %zu nodes", n_nodes);

    key_walk k = {key, 0};
    const size_t key_nibbles = 2 * key.len;
    uint8_t want[32];
    memcpy(want, root->b, 32);
    ref_kind ref = REF_HASH;
    cd_bytes embedded = {NULL, 0};
    size_t used = 0;   /* proof entries consumed */
    size_t where = 0;  /* index of the node being read (for messages) */

    /* An empty trie: no nodes at all, or the single node RLP("") = 0x80. */
    if (memcmp(want, mpt_empty_trie_root.b, 32) == 0) {
        if (n_nodes == 0) return CD_OK;
        if (n_nodes == 1 && nodes[0].len == 1 && nodes[0].ptr[0] == 0x80) return CD_OK;
    }

    for (;;) {
        cd_bytes node;
        if (ref == REF_HASH) {
            if (used == n_nodes)
                return cd_fail(err, CD_ERR_MPT_MISSING_NODE, "proof ends after %zu nodes, node %zu missing",
                               n_nodes, used);
            node = nodes[used];
            uint8_t h[32];
            keccak256(node.ptr, node.len, h);
            if (memcmp(h, want, 32) != 0)
                return cd_fail(err, CD_ERR_MPT_HASH_MISMATCH, "node %zu does not hash to its reference",
                               used);
            where = used++;
        } else { /* REF_EMBEDDED */
            node = embedded;
        }

        rlp_item list, items[17];
        size_t count = 0;
        cd_status s = rlp_decode(node, &list);
        if (!s) s = rlp_list_items(&list, items, 17, &count);
        if (s) return cd_fail(err, CD_ERR_MPT_BAD_NODE, "node %zu: not an RLP list of 2 or 17 items (%s)",
                              where, cd_status_name(s));

        const rlp_item *next = NULL;
        if (count == 17) {
            if (k.pos == key_nibbles) { /* the key ends at this branch: its value slot */
                if (items[16].is_list)
                    return cd_fail(err, CD_ERR_MPT_BAD_NODE, "node %zu: branch value is a list", where);
                if (items[16].payload.len) {
                    *found = true;
                    *value = items[16].payload;
                }
                break;
            }
            next = &items[key_nibble(&k, k.pos)];
            k.pos++;
            for (int i = 0; i < 16; i++) { /* all 16 slots must be well formed, not just ours */
                ref_kind rk;
                if ((s = classify_ref(&items[i], &rk, err, where))) return s;
            }
            if (items[16].is_list)
                return cd_fail(err, CD_ERR_MPT_BAD_NODE, "node %zu: branch value is a list", where);
        } else if (count == 2) {
            uint8_t path[2 * MPT_MAX_KEY_LEN + 2];
            size_t plen = 0;
            bool leaf = false;
            if (items[0].is_list) return cd_fail(err, CD_ERR_MPT_BAD_PATH, "node %zu: path is a list", where);
            if ((s = mpt_hex_prefix_decode(items[0].payload, path, sizeof path, &plen, &leaf)))
                return cd_fail(err, s, "node %zu: malformed hex-prefix path", where);
            bool matches = plen <= key_nibbles - k.pos;
            for (size_t i = 0; matches && i < plen; i++) matches = path[i] == key_nibble(&k, k.pos + i);
            if (leaf) {
                if (items[1].is_list || items[1].payload.len == 0)
                    return cd_fail(err, CD_ERR_MPT_BAD_NODE, "node %zu: leaf value is not a non-empty string",
                                   where);
                if (matches && k.pos + plen == key_nibbles) {
                    *found = true;
                    *value = items[1].payload;
                }
                break; /* a leaf for another key proves absence */
            }
            if (plen == 0) return cd_fail(err, CD_ERR_MPT_BAD_NODE, "node %zu: extension with empty path", where);
            ref_kind rk;
            if ((s = classify_ref(&items[1], &rk, err, where))) return s;
            if (rk == REF_EMPTY)
                return cd_fail(err, CD_ERR_MPT_BAD_NODE, "node %zu: extension without child", where);
            if (!matches) break; /* the key leaves the extension's path: absent */
            k.pos += plen;
            next = &items[1];
        } else {
            return cd_fail(err, CD_ERR_MPT_BAD_NODE, "node %zu: list of %zu items (want 2 or 17)", where, count);
        }

        if ((s = classify_ref(next, &ref, err, where))) return s;
        if (ref == REF_EMPTY) break; /* empty branch slot: absent */
        if (ref == REF_HASH) {
            memcpy(want, next->payload.ptr, 32);
        } else {
            embedded = next->raw;
        }
    }
    if (used != n_nodes)
        return cd_fail(err, CD_ERR_MPT_EXTRA_NODES, "proof has %zu nodes, the path uses %zu", n_nodes, used);
    return CD_OK;
}

cd_status mpt_verify_indexed_proof(const cd_hash32 *root, uint64_t index, cd_bytes encoded,
                                   const cd_bytes *nodes, size_t n_nodes, cd_error *err) {
    uint8_t kb[9];
    cd_buf key = {kb, 0, sizeof kb}; /* RLP(u64) is at most 9 bytes: never reallocates */
    cd_status s = rlp_encode_u64(&key, index);
    if (s) return s;
    bool found = false;
    cd_bytes value;
    s = mpt_verify_proof(root, cd_buf_bytes(&key), nodes, n_nodes, &found, &value, err);
    if (s) return s;
    if (!found) return cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "index %llu is absent from the trie",
                               (unsigned long long)index);
    if (!cd_bytes_eq(value, encoded))
        return cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "value at index %llu differs from the claimed one",
                       (unsigned long long)index);
    return CD_OK;
}
