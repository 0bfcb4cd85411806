/* Trie roots from complete key/value sets, and the hex-prefix path encoding.
 *
 * The trie for a sorted set of keys is built top-down: one key left -> a leaf; several
 * keys sharing nibbles after the current depth -> an extension over their common prefix;
 * otherwise a branch with one child per next nibble (and the value of a key ending here).
 * A child node whose RLP is under 32 bytes is embedded in its parent, else referenced by
 * its keccak256. The root is always hashed.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "mpt/mpt.h"
#include "rlp/rlp.h"

const cd_hash32 mpt_empty_trie_root = {{0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45,
                                        0xe6, 0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c,
                                        0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21}};
const cd_hash32 mpt_empty_code_hash = {{0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
                                        0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
                                        0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70}};

typedef struct {
    cd_bytes key;
    cd_bytes value;
} trie_entry;

static inline unsigned nibble_at(cd_bytes key, size_t i) {
    uint8_t b = key.ptr[i / 2];
    return (i & 1) ? (b & 15u) : (b >> 4);
}

static int entry_cmp(const void *pa, const void *pb) {
    const trie_entry *a = pa, *b = pb;
    size_t n = a->key.len < b->key.len ? a->key.len : b->key.len;
    int c = n ? memcmp(a->key.ptr, b->key.ptr, n) : 0;
    if (c) return c;
    return (a->key.len > b->key.len) - (a->key.len < b->key.len);
}

cd_status mpt_hex_prefix_encode(const uint8_t *nibbles, size_t n, bool leaf, cd_buf *out) {
    cd_status s = cd_buf_reserve(out, n / 2 + 1);
    if (s) return s;
    bool odd = n & 1;
    uint8_t flag = (uint8_t)((leaf ? 2 : 0) + (odd ? 1 : 0));
    size_t i = 0;
    out->data[out->len++] = (uint8_t)(flag << 4 | (odd ? nibbles[i++] : 0));
    for (; i < n; i += 2) out->data[out->len++] = (uint8_t)(nibbles[i] << 4 | nibbles[i + 1]);
    return CD_OK;
}

cd_status mpt_hex_prefix_decode(cd_bytes hp, uint8_t *nibbles, size_t cap, size_t *n, bool *leaf) {
    if (hp.len == 0) return CD_ERR_MPT_BAD_PATH;
    unsigned flag = hp.ptr[0] >> 4;
    if (flag > 3) return CD_ERR_MPT_BAD_PATH;
    bool odd = flag & 1;
    if (!odd && (hp.ptr[0] & 15)) return CD_ERR_MPT_BAD_PATH;
    size_t count = (hp.len - 1) * 2 + (odd ? 1 : 0);
    if (count > cap) return CD_ERR_MPT_BAD_PATH;
    size_t k = 0;
    if (odd) nibbles[k++] = hp.ptr[0] & 15;
    for (size_t i = 1; i < hp.len; i++) {
        nibbles[k++] = hp.ptr[i] >> 4;
        nibbles[k++] = hp.ptr[i] & 15;
    }
    *n = count;
    *leaf = flag >= 2;
    return CD_OK;
}

/* Appends the hex-prefix encoding (as an RLP string) of key nibbles [from, to). */
static cd_status encode_path(cd_buf *out, cd_bytes key, size_t from, size_t to, bool leaf) {
    uint8_t nib[2 * MPT_MAX_KEY_LEN];
    for (size_t i = from; i < to; i++) nib[i - from] = (uint8_t)nibble_at(key, i);
    uint8_t hp[MPT_MAX_KEY_LEN + 1];
    cd_buf tmp = {hp, 0, sizeof hp}; /* fits: at most 1 + (to-from)/2 bytes */
    cd_status s = mpt_hex_prefix_encode(nib, to - from, leaf, &tmp);
    if (s) return s;
    return rlp_encode_bytes(out, hp, tmp.len);
}

/* Proof collection while building: the nodes on the path of `target` that are referenced
 * by hash (and the root), recorded with their depth so they can be put root-first. */
typedef struct {
    cd_bytes target;
    mpt_proof_buf *proof;
    size_t depths[MPT_MAX_PROOF_NODES];
} prove_ctx;

static bool on_target_path(const prove_ctx *pc, cd_bytes key, size_t depth) {
    if (!pc || 2 * pc->target.len < depth) return false;
    for (size_t i = 0; i < depth; i++)
        if (nibble_at(pc->target, i) != nibble_at(key, i)) return false;
    return true;
}

static cd_status record_node(prove_ctx *pc, size_t depth, const cd_buf *node) {
    mpt_proof_buf *pb = pc->proof;
    if (pb->count == MPT_MAX_PROOF_NODES) return CD_ERR_TOO_LARGE;
    cd_status s = cd_buf_append(&pb->data, node->data, node->len);
    if (s) return s;
    pc->depths[pb->count] = depth;
    pb->ends[pb->count++] = pb->data.len;
    return CD_OK;
}

static cd_status encode_node(const trie_entry *e, size_t n, size_t depth, cd_buf *out, prove_ctx *pc);

/* Appends the reference to the node for e[0..n) at `depth`: embedded if short, else hash. */
static cd_status encode_ref(const trie_entry *e, size_t n, size_t depth, cd_buf *out, prove_ctx *pc) {
    cd_buf child = {0};
    cd_status s = encode_node(e, n, depth, &child, pc);
    if (!s && child.len >= 32 && on_target_path(pc, e[0].key, depth)) s = record_node(pc, depth, &child);
    if (!s) {
        if (child.len < 32) {
            s = cd_buf_append(out, child.data, child.len);
        } else {
            uint8_t h[32];
            keccak256(child.data, child.len, h);
            s = rlp_encode_bytes(out, h, 32);
        }
    }
    cd_buf_free(&child);
    return s;
}

static cd_status encode_node(const trie_entry *e, size_t n, size_t depth, cd_buf *out, prove_ctx *pc) {
    size_t mark = out->len;
    cd_status s;
    if (n == 1) {
        if ((s = encode_path(out, e[0].key, depth, 2 * e[0].key.len, true))) return s;
        if ((s = rlp_encode_bytes(out, e[0].value.ptr, e[0].value.len))) return s;
        return rlp_wrap_list(out, mark);
    }
    /* Sorted keys: the prefix shared by the first and last is shared by all. */
    cd_bytes first = e[0].key, last = e[n - 1].key;
    size_t limit = 2 * (first.len < last.len ? first.len : last.len), cp = depth;
    while (cp < limit && nibble_at(first, cp) == nibble_at(last, cp)) cp++;
    if (cp > depth) {
        if ((s = encode_path(out, first, depth, cp, false))) return s;
        if ((s = encode_ref(e, n, cp, out, pc))) return s;
        return rlp_wrap_list(out, mark);
    }
    size_t i = 0;
    const trie_entry *here = NULL;
    if (2 * e[0].key.len == depth) here = &e[i++]; /* a key ending at this branch */
    for (unsigned nib = 0; nib < 16; nib++) {
        size_t j = i;
        while (j < n && nibble_at(e[j].key, depth) == nib) j++;
        s = j > i ? encode_ref(e + i, j - i, depth + 1, out, pc) : cd_buf_push(out, 0x80);
        if (s) return s;
        i = j;
    }
    s = here ? rlp_encode_bytes(out, here->value.ptr, here->value.len) : cd_buf_push(out, 0x80);
    if (s) return s;
    return rlp_wrap_list(out, mark);
}

/* Sorts the non-empty pairs and builds the trie; the root node is recorded for a proof. */
static cd_status build_trie(const cd_bytes *keys, const cd_bytes *values, size_t n, cd_hash32 *root,
                            prove_ctx *pc) {
    if (n > SIZE_MAX / sizeof(trie_entry)) return CD_ERR_TOO_LARGE;
    trie_entry *e = malloc((n ? n : 1) * sizeof *e);
    if (!e) return CD_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (keys[i].len > MPT_MAX_KEY_LEN) {
            free(e);
            return CD_ERR_TOO_LARGE;
        }
        if (values[i].len == 0) continue;
        e[m].key = keys[i];
        e[m].value = values[i];
        m++;
    }
    if (m == 0) {
        free(e);
        *root = mpt_empty_trie_root;
        return CD_OK; /* an empty trie is proven by no nodes at all */
    }
    qsort(e, m, sizeof *e, entry_cmp);
    for (size_t i = 1; i < m; i++) {
        if (entry_cmp(&e[i - 1], &e[i]) == 0) {
            free(e);
            return CD_ERR_INVALID_ARG;
        }
    }
    cd_buf node = {0};
    cd_status s = encode_node(e, m, 0, &node, pc);
    if (!s) keccak256(node.data, node.len, root->b);
    if (!s && pc) s = record_node(pc, 0, &node);
    cd_buf_free(&node);
    free(e);
    return s;
}

cd_status mpt_trie_root(const cd_bytes *keys, const cd_bytes *values, size_t n, cd_hash32 *root) {
    return build_trie(keys, values, n, root, NULL);
}

void mpt_proof_buf_free(mpt_proof_buf *p) {
    cd_buf_free(&p->data);
    p->count = 0;
}

cd_bytes mpt_proof_buf_node(const mpt_proof_buf *p, size_t i) {
    size_t begin = i ? p->ends[i - 1] : 0;
    return cd_bytes_make(p->data.data + begin, p->ends[i] - begin);
}

cd_status mpt_trie_prove(const cd_bytes *keys, const cd_bytes *values, size_t n, cd_bytes key,
                         mpt_proof_buf *out, cd_hash32 *root) {
    if (key.len > MPT_MAX_KEY_LEN) return CD_ERR_TOO_LARGE;
    out->data = (cd_buf){0};
    out->count = 0;
    prove_ctx *pc = malloc(sizeof *pc);
    if (!pc) return CD_ERR_NOMEM;
    pc->target = key;
    pc->proof = out;
    cd_status s = build_trie(keys, values, n, root, pc);
    if (!s) {
        /* Children are finished before their parents: order root first by depth (the path's
         * depths are distinct); a selection sort over at most a few dozen nodes. */
        size_t k = out->count;
        cd_buf sorted = {0};
        size_t ends[MPT_MAX_PROOF_NODES];
        bool used[MPT_MAX_PROOF_NODES] = {false};
        for (size_t r = 0; r < k && !s; r++) {
            size_t best = SIZE_MAX;
            for (size_t i = 0; i < k; i++)
                if (!used[i] && (best == SIZE_MAX || pc->depths[i] < pc->depths[best])) best = i;
            used[best] = true;
            cd_bytes nb = mpt_proof_buf_node(out, best);
            s = cd_buf_append(&sorted, nb.ptr, nb.len);
            ends[r] = sorted.len;
        }
        if (!s) {
            cd_buf_free(&out->data);
            out->data = sorted;
            memcpy(out->ends, ends, k * sizeof *ends);
        } else {
            cd_buf_free(&sorted);
        }
    }
    if (s) mpt_proof_buf_free(out);
    free(pc);
    return s;
}

cd_status mpt_ordered_trie_root(const cd_bytes *values, size_t n, cd_hash32 *root) {
    if (n > SIZE_MAX / (sizeof(cd_bytes) + 9)) return CD_ERR_TOO_LARGE;
    cd_bytes *keys = malloc((n ? n : 1) * sizeof *keys);
    uint8_t *key_mem = malloc((n ? n : 1) * 9);
    cd_status s = CD_OK;
    if (!keys || !key_mem) {
        s = CD_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        cd_buf k = {key_mem + 9 * i, 0, 9}; /* RLP of a u64 is at most 9 bytes: no realloc */
        if ((s = rlp_encode_u64(&k, i))) goto done;
        keys[i] = cd_bytes_make(k.data, k.len);
    }
    s = mpt_trie_root(keys, values, n, root);
done:
    free(keys);
    free(key_mem);
    return s;
}
