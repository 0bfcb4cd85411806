/* Merkle-Patricia tries (Ethereum Yellow Paper, appendix D) and the execution-layer objects
 * proven with them.
 *
 * - Trie roots from a full set of key/value pairs (state tests, receiptsRoot, ...).
 * - Proof verification of one key under a root: inclusion with its value, or exclusion.
 * - EIP-1186 eth_getProof: the account under a state root, each storage slot under the
 *   account's storage root, code against codeHash; JSON parsing into structs.
 * - Receipts (typed envelopes from JSON) and receipt/transaction tries (key = RLP(index)).
 * - Block headers from JSON, hashed to the block hash.
 *
 * Failures carry a precise reason in `cd_error` ("storage proof for slot 0x..: node 2 does
 * not hash to its reference"). Keys are raw byte strings: a secure trie (state, storage)
 * is keyed by keccak256 of the address / 32-byte slot, which the caller (or the
 * eth_getProof helpers) computes.
 */
#ifndef CANDOR_MPT_H
#define CANDOR_MPT_H

#include "common/common.h"

struct json_object;

/* keccak256(RLP("")) = 0x56e81f17...b421, the root of an empty trie. */
extern const cd_hash32 mpt_empty_trie_root;
/* keccak256("") = 0xc5d24601...a470, the codeHash of an account without code. */
extern const cd_hash32 mpt_empty_code_hash;

#define MPT_MAX_KEY_LEN 256     /* bytes; keys in Ethereum tries are at most 32 */
#define MPT_MAX_PROOF_NODES 256 /* a path has at most 2*32+1 nodes; anything far above is hostile */

/* ---- trie roots ---- */

/* Root of the trie holding keys[i] -> values[i]. Keys must be distinct (else
 * CD_ERR_INVALID_ARG) and at most MPT_MAX_KEY_LEN bytes; an empty value means "absent"
 * (the pair is skipped), as in Ethereum. n == 0 gives mpt_empty_trie_root. */
CD_MUST_CHECK cd_status mpt_trie_root(const cd_bytes *keys, const cd_bytes *values, size_t n,
                                      cd_hash32 *root);
/* Root of a trie keyed by RLP(index) for index 0..n-1 (transactions, receipts, withdrawals). */
CD_MUST_CHECK cd_status mpt_ordered_trie_root(const cd_bytes *values, size_t n, cd_hash32 *root);

/* A proof as produced by mpt_trie_prove: node i is data[ends[i-1] .. ends[i]). */
typedef struct {
    cd_buf data;
    size_t ends[MPT_MAX_PROOF_NODES];
    size_t count;
} mpt_proof_buf;
/* Builds the trie of keys/values (as mpt_trie_root) and the proof for `key`, root first,
 * hashed nodes only (embedded ones live inside their parents) -- what eth_getProof
 * returns. Works for absent keys too (exclusion proof). For tests and test chains. */
CD_MUST_CHECK cd_status mpt_trie_prove(const cd_bytes *keys, const cd_bytes *values, size_t n, cd_bytes key,
                                       mpt_proof_buf *out, cd_hash32 *root);
cd_bytes mpt_proof_buf_node(const mpt_proof_buf *p, size_t i);
void mpt_proof_buf_free(mpt_proof_buf *p);

/* Visits every key/value of the trie under `root`, in ascending key order, given the trie's
 * nodes in any order (each hashed node once or more; embedded nodes live in their parents).
 * A missing or malformed node fails the walk with a precise reason; a callback's non-CD_OK
 * status stops it and is returned. Lookup is linear in the node count: for tests, trie dumps
 * and key iteration (next/prev), not for large state. */
typedef cd_status (*mpt_walk_fn)(void *ctx, cd_bytes key, cd_bytes value);
CD_MUST_CHECK cd_status mpt_trie_walk(const cd_hash32 *root, const cd_bytes *nodes, size_t n_nodes,
                                      mpt_walk_fn visit, void *visit_ctx, cd_error *err);

/* Hex-prefix (compact) path encoding of `n` nibbles (each 0..15). */
CD_MUST_CHECK cd_status mpt_hex_prefix_encode(const uint8_t *nibbles, size_t n, bool leaf,
                                              cd_buf *out);
/* Decodes a hex-prefix path into nibbles (capacity `cap`); strict: flag nibble 0..3 and
 * a zero pad nibble for even paths, else CD_ERR_MPT_BAD_PATH. */
CD_MUST_CHECK cd_status mpt_hex_prefix_decode(cd_bytes hp, uint8_t *nibbles, size_t cap,
                                              size_t *n, bool *leaf);

/* ---- proofs ---- */

/* Verifies that `nodes` (RLP trie nodes, root first, as eth_getProof gives them) prove
 * the value of `key` under `root`. On success `*found` tells inclusion or exclusion;
 * `*value` (inclusion only) points into the node memory. Nodes shorter than 32 bytes are
 * embedded in their parent and not listed separately. Unused trailing nodes are an error
 * (CD_ERR_MPT_EXTRA_NODES). */
CD_MUST_CHECK cd_status mpt_verify_proof(const cd_hash32 *root, cd_bytes key, const cd_bytes *nodes,
                                         size_t n_nodes, bool *found, cd_bytes *value,
                                         cd_error *err);

/* ---- accounts and eth_getProof (EIP-1186) ---- */

typedef struct {
    uint64_t nonce;
    cd_u256 balance;
    cd_hash32 storage_root;
    cd_hash32 code_hash;
} mpt_account;

/* RLP([nonce, balance, storageRoot, codeHash]) <-> struct. */
CD_MUST_CHECK cd_status mpt_account_decode(cd_bytes rlp, mpt_account *out);
CD_MUST_CHECK cd_status mpt_account_encode(const mpt_account *a, cd_buf *out);

typedef struct {
    cd_hash32 key;       /* the slot, left-padded to 32 bytes */
    cd_u256 value;       /* claimed value (0 for an empty slot) */
    cd_bytes *proof;     /* nodes from the storage root down */
    size_t proof_len;
} mpt_storage_proof;

/* A parsed eth_getProof result. Owns its memory: free with mpt_account_proof_free. */
typedef struct {
    cd_address address;
    mpt_account account;   /* claimed */
    cd_bytes *account_proof;
    size_t account_proof_len;
    mpt_storage_proof *storage;
    size_t storage_len;
    bool has_code;         /* a "code" field was present (helios' account format) */
    cd_bytes code;
} mpt_account_proof;

#define MPT_MAX_STORAGE_PROOFS 1024

/* Parses an eth_getProof result object: {address, nonce, balance, storageHash (or
 * storageRoot), codeHash, accountProof, storageProof[{key, value, proof}]}; the account
 * fields may also sit in a nested "account" object, and an optional "code" is kept.
 * Hex quantities with leading zeros are accepted (nodes emit them); everything is bounded. */
CD_MUST_CHECK cd_status mpt_account_proof_from_json(const struct json_object *result,
                                                    mpt_account_proof *out, cd_error *err);
/* Same from text: a bare result, or a JSON-RPC response {"result": {...}}. */
CD_MUST_CHECK cd_status mpt_account_proof_parse(const char *json, size_t len,
                                                mpt_account_proof *out, cd_error *err);
void mpt_account_proof_free(mpt_account_proof *p);

/* Verifies the claimed account under `state_root` (an absent account must be claimed as
 * nonce 0, balance 0, empty storage root, empty code hash), every storage slot under the
 * claimed storage root, and the code (if present) against codeHash. `*exists` (optional)
 * tells whether the account is in the state trie. */
CD_MUST_CHECK cd_status mpt_account_proof_verify(const cd_hash32 *state_root,
                                                 const mpt_account_proof *p, bool *exists,
                                                 cd_error *err);
/* Verifies one storage slot under a storage root. */
CD_MUST_CHECK cd_status mpt_storage_proof_verify(const cd_hash32 *storage_root,
                                                 const mpt_storage_proof *sp, cd_error *err);
/* keccak256(code) == code_hash, else CD_ERR_MPT_CODE_HASH_MISMATCH. */
CD_MUST_CHECK cd_status mpt_code_verify(const cd_hash32 *code_hash, cd_bytes code, cd_error *err);

/* ---- receipts and transaction tries ---- */

/* Consensus encoding of a receipt given as eth_getTransactionReceipt JSON: for type 0
 * RLP([status|root, cumulativeGasUsed, logsBloom, logs]); for types 1..4 (2930, 1559,
 * 4844, 7702) the type byte followed by that RLP. */
CD_MUST_CHECK cd_status mpt_receipt_encode_json(const struct json_object *receipt, cd_buf *out,
                                                cd_error *err);
/* receiptsRoot from a block's full receipt list (JSON array, in transaction order; each
 * receipt's transactionIndex must match its position). */
CD_MUST_CHECK cd_status mpt_receipts_root_json(const struct json_object *receipts,
                                               cd_hash32 *root, cd_error *err);
/* Verifies that `encoded` is the value at key RLP(index) under `root` (receipts or
 * transactions trie). */
CD_MUST_CHECK cd_status mpt_verify_indexed_proof(const cd_hash32 *root, uint64_t index,
                                                 cd_bytes encoded, const cd_bytes *nodes,
                                                 size_t n_nodes, cd_error *err);

/* ---- block headers ---- */

/* RLP of the header given as eth_getBlockByNumber JSON, with every post-London field
 * present in the JSON (baseFeePerGas, withdrawalsRoot, blobGasUsed, excessBlobGas,
 * parentBeaconBlockRoot, requestsHash), in consensus order. */
CD_MUST_CHECK cd_status mpt_header_encode_json(const struct json_object *block, cd_buf *out,
                                               cd_error *err);
/* keccak256 of that RLP into *hash; if the JSON carries "hash", it must match
 * (CD_ERR_BLOCK_HASH_MISMATCH). */
CD_MUST_CHECK cd_status mpt_header_hash_json(const struct json_object *block, cd_hash32 *hash,
                                             cd_error *err);

#endif
