/* In-order walk of a whole trie given as an unordered set of its nodes.
 *
 * A branch visits its own value first (its key is a prefix of all keys below it, so it sorts
 * first), then children 0..15; an extension appends its path and descends; a leaf completes
 * its key. Hash references are resolved by keccak against the node set, embedded ones are
 * read in place. The nibble path is bounded by 2 * MPT_MAX_KEY_LEN, which also bounds the
 * recursion, since every node but a branch's value slot consumes at least one nibble. */
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "mpt/mpt.h"
#include "rlp/rlp.h"

#define MAX_NIBBLES (2 * MPT_MAX_KEY_LEN)

typedef struct {
    const cd_bytes *nodes;
    const uint8_t (*hashes)[32];
    size_t n_nodes;
    mpt_walk_fn visit;
    void *visit_ctx;
    cd_error *err;
    uint8_t path[MAX_NIBBLES];
    uint8_t key[MPT_MAX_KEY_LEN];
} walk_ctx;

static cd_status walk_node(walk_ctx *w, cd_bytes node, size_t depth);

static cd_status find_node(const walk_ctx *w, const uint8_t hash[32], cd_bytes *out) {
    for (size_t i = 0; i < w->n_nodes; i++) {
        if (memcmp(w->hashes[i], hash, 32) == 0) {
            *out = w->nodes[i];
            return CD_OK;
        }
    }
    return cd_fail(w->err, CD_ERR_MPT_MISSING_NODE, "no node in the set hashes to a referenced child");
}

/* Follows a child reference: empty (nothing there), a 32-byte hash, or an embedded node. */
static cd_status walk_ref(walk_ctx *w, const rlp_item *ref, size_t depth) {
    if (ref->is_list) {
        if (ref->raw.len >= 32)
            return cd_fail(w->err, CD_ERR_MPT_BAD_NODE, "embedded child of %zu bytes (must be under 32)", ref->raw.len);
        return walk_node(w, ref->raw, depth);
    }
    if (ref->payload.len == 0) return CD_OK;
    if (ref->payload.len != 32)
        return cd_fail(w->err, CD_ERR_MPT_BAD_NODE, "child reference of %zu bytes", ref->payload.len);
    cd_bytes child;
    cd_status s = find_node(w, ref->payload.ptr, &child);
    return s ? s : walk_node(w, child, depth);
}

static cd_status visit_value(walk_ctx *w, size_t depth, cd_bytes value) {
    if (depth % 2)
        return cd_fail(w->err, CD_ERR_MPT_BAD_PATH, "a value at an odd number of nibbles (%zu)", depth);
    for (size_t i = 0; i < depth / 2; i++) w->key[i] = (uint8_t)(w->path[2 * i] << 4 | w->path[2 * i + 1]);
    return w->visit(w->visit_ctx, cd_bytes_make(w->key, depth / 2), value);
}

static cd_status walk_node(walk_ctx *w, cd_bytes node, size_t depth) {
    rlp_item list, items[17];
    size_t count = 0;
    cd_status s = rlp_decode(node, &list);
    if (!s) s = rlp_list_items(&list, items, 17, &count);
    if (s) return cd_fail(w->err, CD_ERR_MPT_BAD_NODE, "node is not an RLP list of 2 or 17 items (%s)", cd_status_name(s));
    if (count == 17) {
        if (items[16].is_list) return cd_fail(w->err, CD_ERR_MPT_BAD_NODE, "branch value is a list");
        if (items[16].payload.len && (s = visit_value(w, depth, items[16].payload))) return s;
        if (depth == MAX_NIBBLES) return cd_fail(w->err, CD_ERR_TOO_LARGE, "path longer than %d nibbles", MAX_NIBBLES);
        for (uint8_t i = 0; i < 16; i++) {
            w->path[depth] = i;
            if ((s = walk_ref(w, &items[i], depth + 1))) return s;
        }
        return CD_OK;
    }
    if (count != 2) return cd_fail(w->err, CD_ERR_MPT_BAD_NODE, "list of %zu items (want 2 or 17)", count);
    if (items[0].is_list) return cd_fail(w->err, CD_ERR_MPT_BAD_PATH, "path is a list");
    size_t plen = 0;
    bool leaf = false;
    if ((s = mpt_hex_prefix_decode(items[0].payload, w->path + depth, MAX_NIBBLES - depth, &plen, &leaf)))
        return cd_fail(w->err, s, "malformed or too long hex-prefix path");
    if (leaf) {
        if (items[1].is_list || items[1].payload.len == 0)
            return cd_fail(w->err, CD_ERR_MPT_BAD_NODE, "leaf value is not a non-empty string");
        return visit_value(w, depth + plen, items[1].payload);
    }
    if (plen == 0) return cd_fail(w->err, CD_ERR_MPT_BAD_NODE, "extension with empty path");
    if (!items[1].is_list && items[1].payload.len == 0)
        return cd_fail(w->err, CD_ERR_MPT_BAD_NODE, "extension without child");
    return walk_ref(w, &items[1], depth + plen);
}

cd_status mpt_trie_walk(const cd_hash32 *root, const cd_bytes *nodes, size_t n_nodes, mpt_walk_fn visit,
                        void *visit_ctx, cd_error *err) {
    if (cd_hash32_eq(root, &mpt_empty_trie_root)) return CD_OK;
    uint8_t (*hashes)[32] = malloc((n_nodes ? n_nodes : 1) * sizeof *hashes);
    walk_ctx *w = malloc(sizeof *w);
    cd_status s = CD_OK;
    if (!hashes || !w) {
        s = cd_fail(err, CD_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_nodes; i++) keccak256(nodes[i].ptr, nodes[i].len, hashes[i]);
    w->nodes = nodes;
    w->hashes = (const uint8_t (*)[32])hashes;
    w->n_nodes = n_nodes;
    w->visit = visit;
    w->visit_ctx = visit_ctx;
    w->err = err;
    cd_bytes top;
    if (!(s = find_node(w, root->b, &top))) s = walk_node(w, top, 0);
out:
    free(hashes);
    free(w);
    return s;
}
