/* libFuzzer target: MPT proof verification on hostile proofs.
 *
 * Input layout: 1 byte mode, 32-byte key, then proof nodes as [u16 length][bytes]...
 * The root is keccak256 of the first node, so the walker gets past the first hash check
 * and the fuzzer explores node parsing, paths, embedded nodes and references. Mode bit 0
 * uses a 3-byte key (receipt-trie-like) instead of 32 bytes. Checks: no crash, no
 * out-of-bounds read, and any value returned lies inside the proof's own memory.
 *
 * Seeds (tests/fuzz/corpus/fuzz_mpt): proofs made with mpt_trie_prove over synthetic tries
 * (300 keccak-style 32-byte keys; 60 three-byte keys with embedded nodes), present and absent. */
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "mpt/mpt.h"

#define MAX_NODES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 33) return 0;
    uint8_t mode = data[0];
    cd_bytes key = cd_bytes_make(data + 1, (mode & 1) ? 3 : 32);
    const uint8_t *p = data + 33, *end = data + size;
    cd_bytes nodes[MAX_NODES];
    size_t n = 0;
    while (n < MAX_NODES && end - p >= 2) {
        size_t len = (size_t)p[0] << 8 | p[1];
        p += 2;
        if (len > (size_t)(end - p)) len = (size_t)(end - p);
        /* each node in its own allocation so ASan sees over-reads past a node */
        uint8_t *copy = malloc(len ? len : 1);
        if (!copy) break;
        memcpy(copy, p, len);
        nodes[n++] = cd_bytes_make(copy, len);
        p += len;
    }
    cd_hash32 root;
    if (n) keccak256(nodes[0].ptr, nodes[0].len, root.b);
    else memcpy(root.b, data + 1, 32);
    bool found = false;
    cd_bytes value;
    cd_error err;
    cd_error_clear(&err);
    if (mpt_verify_proof(&root, key, nodes, n, &found, &value, &err) == CD_OK && found) {
        bool inside = false;
        for (size_t i = 0; i < n; i++)
            if (value.ptr >= nodes[i].ptr && value.ptr + value.len <= nodes[i].ptr + nodes[i].len) inside = true;
        if (!inside) abort();
        mpt_account acct;
        (void)mpt_account_decode(value, &acct);
    }
    for (size_t i = 0; i < n; i++) free((void *)nodes[i].ptr);
    return 0;
}
