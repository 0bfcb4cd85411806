/* MPT: roots, hex-prefix, proofs on real data (mainnet block 21925176 from helios, the
 * execution-apis eth_getProof tests, ethereumjs' Ropsten captures), receipts root and
 * receipt proof, header hash, and tampering: every single-byte change of a proof node,
 * value or root is rejected. */
#include <json-c/json.h>
#include <stdlib.h>

#include "crypto/keccak.h"
#include "mpt/mpt.h"
#include "rlp/rlp.h"
#include "tests/test.h"

#define HELIOS "el-mainnet-block-21925176-helios"
static const char mainnet_state_root[] = "0x7b3d5a01f69b7d2ea7479fd7ae35f4bac2700ab6d6d7b4807a7fedf53ced710e";
static const char ropsten_state_root[] = "0xd487ffaf2f2838d69417f81c9d2bfca5d2e0d024ddda433bba9b8f2099eb96e5";
static const char apis_state_root[] = "0x6da8f636cdc85dbe8c1b5299e5db22f462c041febaf3b78cac1040152ee30b3b";

static cd_hash32 hash_from_hex(const char *hex) {
    cd_hash32 h;
    memset(&h, 0, sizeof h);
    if (cd_hex_decode_exact(hex, h.b, 32) != CD_OK) memset(&h, 0xee, sizeof h);
    return h;
}

/* Loads a JSON file from shared data/vectors; NULL (and a skip) when absent. */
static json_object *load_json(test_ctx *t, bool data, const char *rel) {
    char path[512];
    if (data)
        test_data_path(path, sizeof path, rel);
    else
        test_vectors_path(path, sizeof path, rel);
    json_object *j = json_object_from_file(path);
    if (!j) test_skip(t, rel, "file missing");
    return j;
}

static void test_empty_and_small_roots(test_ctx *t) {
    cd_hash32 r;
    CHECK_OK(t, mpt_trie_root(NULL, NULL, 0, &r));
    CHECK(t, cd_hash32_eq(&r, &mpt_empty_trie_root));
    uint8_t e80 = 0x80, h[32];
    keccak256(&e80, 1, h);
    CHECK_EQ_BYTES(t, h, 32, mpt_empty_trie_root.b, 32);
    keccak256(NULL, 0, h);
    CHECK_EQ_BYTES(t, h, 32, mpt_empty_code_hash.b, 32);
    /* duplicate keys are an error, empty values are absent */
    cd_bytes k[2] = {cd_bytes_make("a", 1), cd_bytes_make("a", 1)};
    cd_bytes v[2] = {cd_bytes_make("x", 1), cd_bytes_make("y", 1)};
    CHECK_ERR(t, mpt_trie_root(k, v, 2, &r), CD_ERR_INVALID_ARG);
    v[1] = cd_bytes_make(NULL, 0);
    k[1] = cd_bytes_make("b", 1);
    cd_hash32 r1, r2;
    CHECK_OK(t, mpt_trie_root(k, v, 2, &r1));
    CHECK_OK(t, mpt_trie_root(k, v, 1, &r2));
    CHECK(t, cd_hash32_eq(&r1, &r2));
    uint8_t big[MPT_MAX_KEY_LEN + 1] = {0};
    k[0] = cd_bytes_make(big, sizeof big);
    CHECK_ERR(t, mpt_trie_root(k, v, 1, &r), CD_ERR_TOO_LARGE);
}

static void test_hex_prefix(test_ctx *t) {
    json_object *root = load_json(t, false, "execution/BasicTests/hexencodetest.json");
    if (!root) return;
    int n = 0;
    json_object_object_foreach(root, name, tc) {
        json_object *seq = NULL, *term = NULL, *out = NULL;
        CHECK(t, json_object_object_get_ex(tc, "seq", &seq) && json_object_object_get_ex(tc, "term", &term) &&
                     json_object_object_get_ex(tc, "out", &out));
        uint8_t nib[64];
        size_t len = json_object_array_length(seq);
        CHECK(t, len <= sizeof nib);
        if (len > sizeof nib) break;
        for (size_t i = 0; i < len; i++) nib[i] = (uint8_t)json_object_get_int(json_object_array_get_idx(seq, i));
        cd_buf enc = {0};
        CHECK_OK(t, mpt_hex_prefix_encode(nib, len, json_object_get_boolean(term), &enc));
        uint8_t want[64];
        long wl = test_unhex(json_object_get_string(out), want, sizeof want);
        if (wl < 0 || enc.len != (size_t)wl || memcmp(enc.data, want, enc.len))
            test_fail_at(t, __FILE__, __LINE__, "hex-prefix %s: got %s", name, test_hex(enc.data, enc.len));
        uint8_t back[64];
        size_t bn = 0;
        bool leaf = false;
        CHECK_OK(t, mpt_hex_prefix_decode(cd_buf_bytes(&enc), back, sizeof back, &bn, &leaf));
        CHECK_EQ_BYTES(t, back, bn, nib, len);
        CHECK_EQ_INT(t, leaf, json_object_get_boolean(term));
        cd_buf_free(&enc);
        n++;
    }
    CHECK_EQ_INT(t, n, 12);
    json_object_put(root);
    uint8_t nb[8];
    size_t nn;
    bool lf;
    CHECK_ERR(t, mpt_hex_prefix_decode(cd_bytes_make("\x01\x23", 2), nb, 8, &nn, &lf), CD_ERR_MPT_BAD_PATH);
    CHECK_ERR(t, mpt_hex_prefix_decode(cd_bytes_make("\x41", 1), nb, 8, &nn, &lf), CD_ERR_MPT_BAD_PATH);
    CHECK_ERR(t, mpt_hex_prefix_decode(cd_bytes_make("", 0), nb, 8, &nn, &lf), CD_ERR_MPT_BAD_PATH);
}

static bool parse_proof(test_ctx *t, json_object *j, mpt_account_proof *p) {
    cd_error err;
    cd_error_clear(&err);
    cd_status s = mpt_account_proof_from_json(j, p, &err);
    if (s) test_fail_at(t, __FILE__, __LINE__, "parse: %s", cd_error_text(&err));
    return s == CD_OK;
}

static cd_status verify(const char *root_hex, const mpt_account_proof *p, bool *exists, cd_error *err) {
    cd_hash32 root = hash_from_hex(root_hex);
    return mpt_account_proof_verify(&root, p, exists, err);
}

static void expect_verifies(test_ctx *t, const char *label, const char *root_hex, const mpt_account_proof *p,
                            bool want_exists) {
    cd_error err;
    cd_error_clear(&err);
    bool exists = !want_exists;
    cd_status s = verify(root_hex, p, &exists, &err);
    if (s) test_fail_at(t, __FILE__, __LINE__, "%s: %s", label, cd_error_text(&err));
    CHECK_EQ_INT(t, exists, want_exists);
}

/* Flips one bit in every byte of every node (account and storage proofs) and of the root,
 * and changes each claimed field: each must be rejected. */
static void tamper_all(test_ctx *t, const char *label, const char *root_hex, mpt_account_proof *p) {
    bool exists;
    int rejected = 0, total = 0;
    for (size_t pi = 0; pi <= p->storage_len; pi++) {
        cd_bytes *nodes = pi == 0 ? p->account_proof : p->storage[pi - 1].proof;
        size_t n = pi == 0 ? p->account_proof_len : p->storage[pi - 1].proof_len;
        for (size_t ni = 0; ni < n; ni++) {
            uint8_t *bytes = (uint8_t *)nodes[ni].ptr;
            for (size_t b = 0; b < nodes[ni].len; b++) {
                bytes[b] ^= 0x01;
                total++;
                if (verify(root_hex, p, &exists, NULL) != CD_OK) rejected++;
                else test_fail_at(t, __FILE__, __LINE__, "%s: proof %zu node %zu byte %zu flip accepted", label, pi, ni, b);
                bytes[b] ^= 0x01;
            }
        }
    }
    CHECK_EQ_INT(t, rejected, total);
    cd_hash32 root = hash_from_hex(root_hex);
    for (int b = 0; b < 32; b++) {
        root.b[b] ^= 0x80;
        CHECK_FAILS(t, mpt_account_proof_verify(&root, p, &exists, NULL));
        root.b[b] ^= 0x80;
    }
    CHECK_OK(t, mpt_account_proof_verify(&root, p, &exists, NULL));
    /* claimed values */
    p->account.nonce ^= 1;
    CHECK_FAILS(t, verify(root_hex, p, &exists, NULL));
    p->account.nonce ^= 1;
    for (int w = 0; w < 4; w++) {
        p->account.balance.w[w] ^= 1ull << 63;
        CHECK_FAILS(t, verify(root_hex, p, &exists, NULL));
        p->account.balance.w[w] ^= 1ull << 63;
    }
    for (int b = 0; b < 32; b++) {
        p->account.storage_root.b[b] ^= 4;
        CHECK_FAILS(t, verify(root_hex, p, &exists, NULL));
        p->account.storage_root.b[b] ^= 4;
        p->account.code_hash.b[b] ^= 4;
        CHECK_FAILS(t, verify(root_hex, p, &exists, NULL));
        p->account.code_hash.b[b] ^= 4;
    }
    for (size_t i = 0; i < p->storage_len; i++) {
        p->storage[i].value.w[0] ^= 1;
        CHECK_FAILS(t, verify(root_hex, p, &exists, NULL));
        p->storage[i].value.w[0] ^= 1;
        /* an exclusion proof also proves other keys absent, so only present slots are
         * bound to their key */
        for (int b = 0; b < 32 && !cd_u256_is_zero(&p->storage[i].value); b++) {
            p->storage[i].key.b[b] ^= 0x10;
            CHECK_FAILS(t, verify(root_hex, p, &exists, NULL));
            p->storage[i].key.b[b] ^= 0x10;
        }
    }
    for (int b = 0; b < 20; b++) {
        p->address.b[b] ^= 0x01;
        CHECK_FAILS(t, verify(root_hex, p, &exists, NULL));
        p->address.b[b] ^= 0x01;
    }
    if (p->has_code && p->code.len) {
        uint8_t *c = (uint8_t *)p->code.ptr;
        for (size_t b = 0; b < p->code.len; b += 97) {
            c[b] ^= 1;
            CHECK_ERR(t, verify(root_hex, p, &exists, NULL), CD_ERR_MPT_CODE_HASH_MISMATCH);
            c[b] ^= 1;
        }
    }
    CHECK_OK(t, verify(root_hex, p, &exists, NULL));
}

static void test_mainnet_get_proof(test_ctx *t) {
    json_object *j = load_json(t, true, HELIOS "/rpc/proof.json");
    if (!j) return;
    mpt_account_proof p;
    if (parse_proof(t, j, &p)) {
        CHECK_EQ_INT(t, p.storage_len, 1);
        CHECK_EQ_U64(t, p.account.nonce, 1);
        expect_verifies(t, "proof.json", mainnet_state_root, &p, true);
        tamper_all(t, "proof.json", mainnet_state_root, &p);
        /* a wrong claimed slot value names the slot and both values */
        p.storage[0].value.w[0] += 1;
        cd_error err;
        cd_error_clear(&err);
        CHECK_ERR(t, verify(mainnet_state_root, &p, NULL, &err), CD_ERR_MPT_VALUE_MISMATCH);
        CHECK(t, strstr(cd_error_text(&err), "storage proof for slot 0x0000") != NULL);
        p.storage[0].value.w[0] -= 1;
        /* a missing node, an extra node */
        p.account_proof_len--;
        CHECK_ERR(t, verify(mainnet_state_root, &p, NULL, &err), CD_ERR_MPT_MISSING_NODE);
        p.account_proof_len++;
        cd_bytes *saved = p.storage[0].proof;
        cd_bytes more[MPT_MAX_PROOF_NODES];
        size_t sl = p.storage[0].proof_len;
        memcpy(more, saved, sl * sizeof *more);
        more[sl] = saved[0];
        p.storage[0].proof = more;
        p.storage[0].proof_len = sl + 1;
        CHECK_ERR(t, verify(mainnet_state_root, &p, NULL, &err), CD_ERR_MPT_EXTRA_NODES);
        p.storage[0].proof = saved;
        p.storage[0].proof_len = sl;
        /* reordered nodes: the root node no longer comes first */
        cd_bytes tmp = p.account_proof[0];
        p.account_proof[0] = p.account_proof[1];
        p.account_proof[1] = tmp;
        CHECK_ERR(t, verify(mainnet_state_root, &p, NULL, &err), CD_ERR_MPT_HASH_MISMATCH);
        CHECK(t, strstr(cd_error_text(&err), "account proof: node 0") != NULL);
        p.account_proof[1] = p.account_proof[0];
        p.account_proof[0] = tmp;
        CHECK_OK(t, verify(mainnet_state_root, &p, NULL, NULL));
        mpt_account_proof_free(&p);
    }
    json_object_put(j);
}

/* helios' {account, code, accountProof, storageProof} format has no address: add it. */
static void test_mainnet_account_with_code(test_ctx *t) {
    static const struct {
        const char *file, *address;
    } cases[] = {
        {HELIOS "/rpc/account.json", "0x00000000219ab540356cbb839cbe05303d7705fa"},
        {HELIOS "/rpc/block_miner_account.json", "0x4838b106fce9647bdf1e7877bf73ce8b0bad5f97"},
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(cases); i++) {
        json_object *j = load_json(t, true, cases[i].file);
        if (!j) continue;
        json_object_object_add(j, "address", json_object_new_string(cases[i].address));
        mpt_account_proof p;
        if (parse_proof(t, j, &p)) {
            CHECK(t, p.has_code);
            expect_verifies(t, cases[i].file, mainnet_state_root, &p, true);
            if (i == 0) {
                CHECK(t, p.code.len > 1000);
                tamper_all(t, cases[i].file, mainnet_state_root, &p);
            } else {
                CHECK_EQ_INT(t, p.code.len, 0);
                CHECK(t, cd_hash32_eq(&p.account.code_hash, &mpt_empty_code_hash));
            }
            mpt_account_proof_free(&p);
        }
        json_object_put(j);
    }
    json_object *j = load_json(t, true, HELIOS "/rpc/block_miner_proof.json");
    if (!j) return;
    mpt_account_proof p;
    if (parse_proof(t, j, &p)) {
        expect_verifies(t, "block_miner_proof.json", mainnet_state_root, &p, true);
        tamper_all(t, "block_miner_proof.json", mainnet_state_root, &p);
        mpt_account_proof_free(&p);
    }
    json_object_put(j);
}

static void test_ropsten_samples(test_ctx *t) {
    static const struct {
        const char *file;
        bool exists;
        size_t slots;
    } cases[] = {
        {"ropsten_validAccount.json", true, 0},
        {"ropsten_nonexistentAccount.json", false, 0},
        {"ropsten_contractWithStorage.json", true, 2},
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(cases); i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "execution/ethereumjs/packages/statemanager/test/testdata/%s", cases[i].file);
        json_object *j = load_json(t, false, rel);
        if (!j) continue;
        mpt_account_proof p;
        if (parse_proof(t, j, &p)) {
            CHECK_EQ_INT(t, p.storage_len, cases[i].slots);
            expect_verifies(t, cases[i].file, ropsten_state_root, &p, cases[i].exists);
            tamper_all(t, cases[i].file, ropsten_state_root, &p);
            if (!cases[i].exists) { /* an absent account cannot be claimed to have a balance */
                p.account.balance.w[0] = 1;
                CHECK_ERR(t, verify(ropsten_state_root, &p, NULL, NULL), CD_ERR_MPT_ACCOUNT_MISMATCH);
            }
            if (cases[i].slots == 2) { /* the second slot is absent: proven zero */
                CHECK(t, cd_u256_is_zero(&p.storage[1].value));
                p.storage[1].value.w[0] = 7;
                CHECK_ERR(t, verify(ropsten_state_root, &p, NULL, NULL), CD_ERR_MPT_VALUE_MISMATCH);
            }
            mpt_account_proof_free(&p);
        }
        json_object_put(j);
    }
}

/* execution-apis *.io: "<< " lines hold the expected JSON-RPC response. */
static void test_execution_apis_samples(test_ctx *t) {
    static const char *const files[] = {"get-account-proof-blockhash.io", "get-account-proof-default-block.io",
                                        "get-account-proof-latest.io", "get-account-proof-with-storage.io"};
    for (size_t i = 0; i < CD_ARRAY_LEN(files); i++) {
        char rel[256], path[512];
        snprintf(rel, sizeof rel, "execution/execution-apis/tests/eth_getProof/%s", files[i]);
        test_vectors_path(path, sizeof path, rel);
        cd_buf file = {0};
        if (cd_read_file(path, 1u << 20, &file) != CD_OK) {
            test_skip(t, rel, "file missing");
            cd_buf_free(&file);
            continue;
        }
        CHECK_OK(t, cd_buf_push(&file, 0));
        char *resp = strstr((char *)file.data, "\n<< ");
        CHECK(t, resp != NULL);
        if (resp) {
            resp += 4;
            char *end = strchr(resp, '\n');
            size_t len = end ? (size_t)(end - resp) : strlen(resp);
            mpt_account_proof p;
            cd_error err;
            cd_error_clear(&err);
            cd_status s = mpt_account_proof_parse(resp, len, &p, &err);
            if (s) test_fail_at(t, __FILE__, __LINE__, "%s: %s", files[i], cd_error_text(&err));
            else {
                CHECK_EQ_INT(t, p.storage_len, i == 3 ? 1 : 0);
                expect_verifies(t, files[i], apis_state_root, &p, true);
                if (i == 3) {
                    CHECK_EQ_U64(t, p.storage[0].value.w[0], 0x38);
                    tamper_all(t, files[i], apis_state_root, &p);
                }
                mpt_account_proof_free(&p);
            }
        }
        cd_buf_free(&file);
    }
}

static void test_mainnet_header_hash(test_ctx *t) {
    json_object *b = load_json(t, true, HELIOS "/rpc/block.json");
    if (!b) return;
    cd_hash32 h;
    cd_error err;
    cd_error_clear(&err);
    cd_status s = mpt_header_hash_json(b, &h, &err);
    if (s) test_fail_at(t, __FILE__, __LINE__, "header: %s", cd_error_text(&err));
    cd_hash32 want = hash_from_hex("0x92dabfa3f61ff1c349d12f5fd0dd4c99760a0a41b77dee8f0a80f83efdcb307a");
    CHECK(t, cd_hash32_eq(&h, &want));
    /* any changed field changes the hash */
    json_object_object_add(b, "excessBlobGas", json_object_new_string("0x4780001"));
    CHECK_ERR(t, mpt_header_hash_json(b, &h, &err), CD_ERR_BLOCK_HASH_MISMATCH);
    json_object_object_add(b, "excessBlobGas", json_object_new_string("0x4780000"));
    CHECK_OK(t, mpt_header_hash_json(b, &h, &err));
    /* a later fork field without an earlier one is malformed */
    json_object_object_del(b, "blobGasUsed");
    CHECK_ERR(t, mpt_header_hash_json(b, &h, &err), CD_ERR_BAD_JSON);
    json_object_put(b);
}

static void test_mainnet_receipts_root(test_ctx *t) {
    json_object *rs = load_json(t, true, HELIOS "/rpc/receipts.json");
    json_object *b = load_json(t, true, HELIOS "/rpc/block.json");
    if (rs && b) {
        CHECK_EQ_INT(t, json_object_array_length(rs), 202);
        cd_hash32 root;
        cd_error err;
        cd_error_clear(&err);
        cd_status s = mpt_receipts_root_json(rs, &root, &err);
        if (s) test_fail_at(t, __FILE__, __LINE__, "receipts: %s", cd_error_text(&err));
        json_object *rr = NULL;
        CHECK(t, json_object_object_get_ex(b, "receiptsRoot", &rr));
        cd_hash32 want = hash_from_hex(json_object_get_string(rr));
        CHECK(t, cd_hash32_eq(&root, &want));
        /* one changed log byte changes the root */
        json_object *r5 = json_object_array_get_idx(rs, 5);
        json_object_object_add(r5, "cumulativeGasUsed", json_object_new_string("0x1"));
        CHECK_OK(t, mpt_receipts_root_json(rs, &root, &err));
        CHECK(t, !cd_hash32_eq(&root, &want));
    }
    json_object_put(rs);
    json_object_put(b);
}

static void test_mainnet_receipt_proof(test_ctx *t) {
    json_object *j = load_json(t, true, HELIOS "/verifiable_api/receipt.json");
    json_object *b = load_json(t, true, HELIOS "/rpc/block.json");
    if (j && b) {
        json_object *receipt = NULL, *proof = NULL, *rr = NULL;
        CHECK(t, json_object_object_get_ex(j, "receipt", &receipt));
        CHECK(t, json_object_object_get_ex(j, "receiptProof", &proof));
        CHECK(t, json_object_object_get_ex(b, "receiptsRoot", &rr));
        cd_hash32 root = hash_from_hex(json_object_get_string(rr));
        cd_buf enc = {0};
        CHECK_OK(t, mpt_receipt_encode_json(receipt, &enc, NULL));
        CHECK(t, enc.len > 0 && enc.data[0] == 0x02);
        size_t n = json_object_array_length(proof);
        CHECK(t, n > 0 && n < 16);
        cd_buf nodes_mem[16];
        cd_bytes nodes[16];
        for (size_t i = 0; i < n && i < 16; i++) {
            nodes_mem[i] = (cd_buf){0};
            const char *hex = json_object_get_string(json_object_array_get_idx(proof, i));
            CHECK_OK(t, cd_hex_decode_buf(hex, strlen(hex), &nodes_mem[i]));
            nodes[i] = cd_buf_bytes(&nodes_mem[i]);
        }
        cd_error err;
        cd_error_clear(&err);
        cd_status s = mpt_verify_indexed_proof(&root, 0x27, cd_buf_bytes(&enc), nodes, n, &err);
        if (s) test_fail_at(t, __FILE__, __LINE__, "receipt proof: %s", cd_error_text(&err));
        CHECK_FAILS(t, mpt_verify_indexed_proof(&root, 0x28, cd_buf_bytes(&enc), nodes, n, NULL));
        /* tamper: every byte of every node, every byte of the receipt, every root byte */
        int accepted = 0;
        for (size_t i = 0; i < n && i < 16; i++) {
            for (size_t k = 0; k < nodes_mem[i].len; k++) {
                nodes_mem[i].data[k] ^= 0x01;
                if (mpt_verify_indexed_proof(&root, 0x27, cd_buf_bytes(&enc), nodes, n, NULL) == CD_OK) accepted++;
                nodes_mem[i].data[k] ^= 0x01;
            }
        }
        for (size_t k = 0; k < enc.len; k++) {
            enc.data[k] ^= 0x01;
            if (mpt_verify_indexed_proof(&root, 0x27, cd_buf_bytes(&enc), nodes, n, NULL) == CD_OK) accepted++;
            enc.data[k] ^= 0x01;
        }
        for (int k = 0; k < 32; k++) {
            root.b[k] ^= 0x01;
            if (mpt_verify_indexed_proof(&root, 0x27, cd_buf_bytes(&enc), nodes, n, NULL) == CD_OK) accepted++;
            root.b[k] ^= 0x01;
        }
        CHECK_EQ_INT(t, accepted, 0);
        CHECK_OK(t, mpt_verify_indexed_proof(&root, 0x27, cd_buf_bytes(&enc), nodes, n, NULL));
        for (size_t i = 0; i < n && i < 16; i++) cd_buf_free(&nodes_mem[i]);
        cd_buf_free(&enc);
    }
    json_object_put(j);
    json_object_put(b);
}

/* Edge cases of the walker: no nodes, the empty trie, a malformed node. */
static void test_proof_edge_cases(test_ctx *t) {
    cd_bytes k[4] = {cd_bytes_make("do", 2), cd_bytes_make("dog", 3), cd_bytes_make("doge", 4),
                     cd_bytes_make("horse", 5)};
    cd_bytes v[4] = {cd_bytes_make("verb", 4), cd_bytes_make("puppy", 5), cd_bytes_make("coin", 4),
                     cd_bytes_make("stallion", 8)};
    cd_hash32 root;
    CHECK_OK(t, mpt_trie_root(k, v, 4, &root));
    /* a root hash alone proves nothing: no nodes -> missing */
    bool found;
    cd_bytes val;
    CHECK_ERR(t, mpt_verify_proof(&root, k[0], NULL, 0, &found, &val, NULL), CD_ERR_MPT_MISSING_NODE);
    /* the empty trie proves every key absent with no nodes */
    CHECK_OK(t, mpt_verify_proof(&mpt_empty_trie_root, k[0], NULL, 0, &found, &val, NULL));
    CHECK(t, !found);
    /* malformed nodes are rejected with BAD_NODE, not misread */
    uint8_t junk[] = {0xc3, 0x01, 0x02, 0x03}; /* a 3-item list */
    cd_hash32 jr;
    keccak256(junk, sizeof junk, jr.b);
    cd_bytes jn = cd_bytes_make(junk, sizeof junk);
    CHECK_ERR(t, mpt_verify_proof(&jr, k[0], &jn, 1, &found, &val, NULL), CD_ERR_MPT_BAD_NODE);
}

/* Runs the walker on a single hand-made root node (given as hex) for a 1-byte key. */
static cd_status walk_one(const char *node_hex, uint8_t key_byte, bool *found) {
    uint8_t node[600];
    long n = test_unhex(node_hex, node, sizeof node);
    if (n < 0) return CD_ERR_BAD_HEX;
    cd_hash32 root;
    keccak256(node, (size_t)n, root.b);
    cd_bytes nodes[1] = {cd_bytes_make(node, (size_t)n)};
    cd_bytes value;
    return mpt_verify_proof(&root, cd_bytes_make(&key_byte, 1), nodes, 1, found, &value, NULL);
}

static void test_malformed_nodes(test_ctx *t) {
    bool found = false;
    /* well-formed references: leaf [0x20 0x12, "v"] for key 0x12 */
    CHECK_OK(t, walk_one("c482201276", 0x12, &found));
    CHECK(t, found);
    CHECK_OK(t, walk_one("c482201276", 0x13, &found)); /* a leaf for another key: absent */
    CHECK(t, !found);
    CHECK_ERR(t, walk_one("c382201280", 0x12, &found), CD_ERR_MPT_BAD_NODE);      /* leaf, empty value */
    CHECK_ERR(t, walk_one("c38220127600", 0x12, &found), CD_ERR_MPT_BAD_NODE);    /* not RLP: trailing */
    CHECK_ERR(t, walk_one("c5822012767", 0x12, &found), CD_ERR_BAD_HEX);
    CHECK_ERR(t, walk_one("c6822012767676", 0x12, &found), CD_ERR_MPT_BAD_NODE);  /* 3 items */
    CHECK_ERR(t, walk_one("c482401276", 0x12, &found), CD_ERR_MPT_BAD_PATH);      /* flag nibble 4 */
    CHECK_ERR(t, walk_one("c482211276", 0x12, &found), CD_ERR_MPT_BAD_PATH);      /* even path, pad nibble 1 */
    CHECK_ERR(t, walk_one("c2c076", 0x12, &found), CD_ERR_MPT_BAD_PATH);        /* path is a list */
    /* extension with an empty path, and extension to nothing */
    CHECK_ERR(t, walk_one("e20080a0" "00000000000000000000000000000000000000000000000000000000000000ff", 0x12, &found),
              CD_ERR_MPT_BAD_NODE);
    CHECK_ERR(t, walk_one("c3821012" "80", 0x12, &found), CD_ERR_MPT_BAD_NODE);
    /* branch: a child reference of 5 bytes; an embedded child of 32+ bytes */
    CHECK_ERR(t, walk_one("d5" "850102030405" "80808080808080808080808080808080", 0x12, &found),
              CD_ERR_MPT_BAD_NODE);
    CHECK_ERR(t, walk_one("f3" "e1" "a0" "0000000000000000000000000000000000000000000000000000000000000000"
                          "80808080808080808080808080808080", 0x12, &found),
              CD_ERR_MPT_BAD_NODE);
    /* branch with an empty slot on the key's path: absent, and nothing more is needed */
    CHECK_OK(t, walk_one("d1" "8080808080808080808080808080808080", 0x12, &found));
    CHECK(t, !found);
    /* branch value slot holding a list */
    CHECK_ERR(t, walk_one("d1" "80808080808080808080808080808080c0", 0x12, &found), CD_ERR_MPT_BAD_NODE);
    /* a 32-byte reference the proof does not contain */
    CHECK_ERR(t, walk_one("f1" "80" "a0" "1111111111111111111111111111111111111111111111111111111111111111"
                          "8080808080808080808080808080" "80", 0x12, &found),
              CD_ERR_MPT_MISSING_NODE);
    /* too many nodes, too long a key */
    cd_bytes many[MPT_MAX_PROOF_NODES + 1];
    for (size_t i = 0; i < CD_ARRAY_LEN(many); i++) many[i] = cd_bytes_make("\x80", 1);
    cd_bytes value;
    uint8_t k = 0;
    CHECK_ERR(t, mpt_verify_proof(&mpt_empty_trie_root, cd_bytes_make(&k, 1), many, CD_ARRAY_LEN(many), &found, &value, NULL),
              CD_ERR_TOO_LARGE);
    uint8_t longkey[MPT_MAX_KEY_LEN + 1] = {0};
    CHECK_ERR(t, mpt_verify_proof(&mpt_empty_trie_root, cd_bytes_make(longkey, sizeof longkey), NULL, 0, &found, &value, NULL),
              CD_ERR_TOO_LARGE);
    /* the empty trie's root with a node that is not RLP("") */
    CHECK_FAILS(t, mpt_verify_proof(&mpt_empty_trie_root, cd_bytes_make(&k, 1), many, 2, &found, &value, NULL));
}

/* JSON parsing: bounded and precise. */
static void test_get_proof_json_bad_input(test_ctx *t) {
    mpt_account_proof p;
    cd_error err;
    const char *cases[][2] = {
        {"[]", "not an object"},
        {"{", "not valid JSON"},
        {"{\"address\":\"0x00\"}", "address"},
        {"{\"address\":\"0x0000000000000000000000000000000000000000\",\"nonce\":\"0xzz\"}", "nonce"},
        {"{\"address\":\"0x0000000000000000000000000000000000000000\",\"nonce\":\"0x0\",\"balance\":\"0x0\","
         "\"storageHash\":\"0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421\","
         "\"codeHash\":\"0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470\","
         "\"accountProof\":[\"0x8\"]}",
         "accountProof[0] is not hex"},
        {"{\"address\":\"0x0000000000000000000000000000000000000000\",\"nonce\":\"0x0\",\"balance\":\"0x0\","
         "\"storageHash\":\"0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421\","
         "\"codeHash\":\"0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470\","
         "\"accountProof\":[],\"storageProof\":[{\"key\":\"0x" "00000000000000000000000000000000000000000000000000000000000000000001"
         "\",\"value\":\"0x0\",\"proof\":[]}]}",
         "storageProof[0].key"},
        {"{\"error\":{\"code\":-32000}}", "error"},
    };
    for (size_t i = 0; i < CD_ARRAY_LEN(cases); i++) {
        cd_error_clear(&err);
        cd_status s = mpt_account_proof_parse(cases[i][0], strlen(cases[i][0]), &p, &err);
        CHECK(t, s != CD_OK);
        if (s == CD_OK) mpt_account_proof_free(&p);
        else if (!strstr(cd_error_text(&err), cases[i][1]))
            test_fail_at(t, __FILE__, __LINE__, "case %zu: reason \"%s\" lacks \"%s\"", i, cd_error_text(&err), cases[i][1]);
    }
    /* an absent account with an empty trie: verifies with no nodes at all */
    const char *empty = "{\"address\":\"0x0000000000000000000000000000000000000001\",\"nonce\":\"0x0\",\"balance\":\"0x0\","
                        "\"storageHash\":\"0x0000000000000000000000000000000000000000000000000000000000000000\","
                        "\"codeHash\":\"0x0000000000000000000000000000000000000000000000000000000000000000\","
                        "\"accountProof\":[],\"storageProof\":[{\"key\":\"0x0\",\"value\":\"0x0\",\"proof\":[]}]}";
    CHECK_OK(t, mpt_account_proof_parse(empty, strlen(empty), &p, &err));
    bool exists = true;
    CHECK_OK(t, mpt_account_proof_verify(&mpt_empty_trie_root, &p, &exists, &err));
    CHECK(t, !exists);
    p.storage[0].value.w[0] = 1;
    CHECK_ERR(t, mpt_account_proof_verify(&mpt_empty_trie_root, &p, &exists, &err), CD_ERR_MPT_VALUE_MISMATCH);
    mpt_account_proof_free(&p);
}

/* execution-apis' test chain (chain.rlp: blocks back to back, each RLP([header, txs,
 * uncles, withdrawals?])): every block's transactions rebuild its transactionsRoot
 * (legacy txs are RLP lists, typed ones byte strings holding type || payload), its
 * withdrawals its withdrawalsRoot, and each header hashes to the next one's parentHash;
 * the last to the documented head hash. */
static void test_chain_rlp_roots(test_ctx *t) {
    char path[512];
    test_vectors_path(path, sizeof path, "execution/execution-apis/tests/chain.rlp");
    cd_buf file = {0};
    if (cd_read_file(path, 1u << 24, &file) != CD_OK) {
        test_skip(t, "chain.rlp", "file missing");
        cd_buf_free(&file);
        return;
    }
    cd_bytes rest = cd_buf_bytes(&file);
    cd_hash32 prev_hash;
    int blocks = 0, txs = 0, withdrawal_blocks = 0;
    while (rest.len) {
        rlp_item block, parts[5], header[24];
        size_t used = 0, np = 0, nh = 0;
        CHECK_OK(t, rlp_decode_prefix(rest, &block, &used));
        if (used == 0) break;
        rest.ptr += used;
        rest.len -= used;
        CHECK_OK(t, rlp_validate(block.raw));
        CHECK_OK(t, rlp_list_items(&block, parts, 5, &np));
        CHECK(t, np >= 3);
        CHECK_OK(t, rlp_list_items(&parts[0], header, 24, &nh));
        if (np < 3 || nh < 15) break;
        cd_hash32 parent, tx_root, hash;
        CHECK_OK(t, rlp_item_hash(&header[0], &parent));
        CHECK_OK(t, rlp_item_hash(&header[4], &tx_root));
        if (blocks > 0) CHECK(t, cd_hash32_eq(&parent, &prev_hash));
        keccak256(parts[0].raw.ptr, parts[0].raw.len, hash.b);
        prev_hash = hash;
        /* transactions */
        cd_bytes values[512];
        rlp_iter it;
        size_t n = 0;
        CHECK_OK(t, rlp_iter_init(&it, &parts[1]));
        for (;;) {
            rlp_item tx;
            bool have = false;
            CHECK_OK(t, rlp_iter_next(&it, &tx, &have));
            if (!have || n == CD_ARRAY_LEN(values)) break;
            values[n++] = tx.is_list ? tx.raw : tx.payload;
        }
        cd_hash32 root;
        CHECK_OK(t, mpt_ordered_trie_root(values, n, &root));
        if (!cd_hash32_eq(&root, &tx_root))
            test_fail_at(t, __FILE__, __LINE__, "block %d: transactions root %s", blocks, test_hex(root.b, 32));
        txs += (int)n;
        if (np >= 4 && nh >= 17) { /* withdrawals */
            cd_hash32 w_root;
            CHECK_OK(t, rlp_item_hash(&header[16], &w_root));
            n = 0;
            CHECK_OK(t, rlp_iter_init(&it, &parts[3]));
            for (;;) {
                rlp_item w;
                bool have = false;
                CHECK_OK(t, rlp_iter_next(&it, &w, &have));
                if (!have || n == CD_ARRAY_LEN(values)) break;
                values[n++] = w.raw;
            }
            CHECK_OK(t, mpt_ordered_trie_root(values, n, &root));
            CHECK(t, cd_hash32_eq(&root, &w_root));
            withdrawal_blocks++;
        }
        blocks++;
    }
    cd_hash32 head = hash_from_hex("0xd226371d0b1551adb03fb52b71f08e3e11247fe9b1af994768af8cdaa8e7dcd7");
    CHECK(t, cd_hash32_eq(&prev_hash, &head));
    CHECK_EQ_INT(t, blocks, 54);
    CHECK(t, txs > 20);
    CHECK(t, withdrawal_blocks > 0);
    cd_buf_free(&file);
}

/* The "result" of the "<< " response line of an execution-apis .io file (new reference,
 * or NULL when the file is missing or has no result). */
static json_object *io_result(const char *rel) {
    char path[512];
    test_vectors_path(path, sizeof path, rel);
    cd_buf file = {0};
    json_object *out = NULL;
    if (cd_read_file(path, 1u << 22, &file) == CD_OK && cd_buf_push(&file, 0) == CD_OK) {
        char *resp = strstr((char *)file.data, "\n<< ");
        if (resp) {
            json_object *root = json_tokener_parse(resp + 4);
            json_object *r = NULL;
            if (root && json_object_object_get_ex(root, "result", &r) && r) out = json_object_get(r);
            json_object_put(root);
        }
    }
    cd_buf_free(&file);
    return out;
}

/* Headers of every fork in the test chain (genesis, London, Merge, Shanghai, Cancun,
 * Prague with requestsHash) hash to their block hash from JSON. */
static void test_execution_apis_headers(test_ctx *t) {
    static const char *const files[] = {"get-genesis.io", "get-block-merge-fork.io",
                                        "get-block-london-fork.io", "get-block-shanghai-fork.io",
                                        "get-block-cancun-fork.io", "get-block-prague-fork.io", "get-latest.io",
                                        "get-finalized.io", "get-safe.io"};
    int checked = 0, with_requests = 0;
    for (size_t i = 0; i < CD_ARRAY_LEN(files); i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "execution/execution-apis/tests/eth_getBlockByNumber/%s", files[i]);
        json_object *b = io_result(rel);
        if (!b) continue;
        cd_hash32 h;
        cd_error err;
        cd_error_clear(&err);
        cd_status s = mpt_header_hash_json(b, &h, &err);
        if (s) test_fail_at(t, __FILE__, __LINE__, "%s: %s", files[i], cd_error_text(&err));
        json_object *rq = NULL;
        if (json_object_object_get_ex(b, "requestsHash", &rq)) with_requests++;
        checked++;
        json_object_put(b);
    }
    if (checked == 0) {
        test_skip(t, "execution-apis eth_getBlockByNumber", "files missing");
        return;
    }
    CHECK(t, checked >= 8);
    CHECK(t, with_requests >= 1);
}

/* eth_getBlockReceipts results rebuild the receiptsRoot of their block in chain.rlp. */
static void test_execution_apis_receipts(test_ctx *t) {
    static const char *const files[] = {"get-block-receipts-0.io", "get-block-receipts-by-hash.io",
                                        "get-block-receipts-latest.io", "get-block-receipts-n.io",
                                        "get-block-receipts-empty.io"};
    int checked = 0;
    for (size_t i = 0; i < CD_ARRAY_LEN(files); i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "execution/execution-apis/tests/eth_getBlockReceipts/%s", files[i]);
        json_object *rs = io_result(rel);
        if (!rs || !json_object_is_type(rs, json_type_array)) {
            json_object_put(rs);
            continue;
        }
        cd_hash32 root;
        cd_error err;
        cd_error_clear(&err);
        cd_status s = mpt_receipts_root_json(rs, &root, &err);
        if (s) test_fail_at(t, __FILE__, __LINE__, "%s: %s", files[i], cd_error_text(&err));
        if (json_object_array_length(rs) == 0) {
            CHECK(t, cd_hash32_eq(&root, &mpt_empty_trie_root));
            checked++;
            json_object_put(rs);
            continue;
        }
        /* compare with the receiptsRoot of the header with that hash in chain.rlp */
        const char *bh = NULL;
        json_object *first = json_object_array_get_idx(rs, 0), *bhj = NULL;
        if (json_object_object_get_ex(first, "blockHash", &bhj)) bh = json_object_get_string(bhj);
        CHECK(t, bh != NULL);
        char path[512];
        test_vectors_path(path, sizeof path, "execution/execution-apis/tests/chain.rlp");
        cd_buf chain = {0};
        bool matched = false;
        if (bh && cd_read_file(path, 1u << 24, &chain) == CD_OK) {
            cd_hash32 want_hash = hash_from_hex(bh);
            cd_bytes rest = cd_buf_bytes(&chain);
            while (rest.len && !matched) {
                rlp_item block, parts[5], header[24];
                size_t used = 0, np = 0, nh = 0;
                if (rlp_decode_prefix(rest, &block, &used) != CD_OK) break;
                rest.ptr += used;
                rest.len -= used;
                if (rlp_list_items(&block, parts, 5, &np) || rlp_list_items(&parts[0], header, 24, &nh) || nh < 6) break;
                cd_hash32 h, rr;
                keccak256(parts[0].raw.ptr, parts[0].raw.len, h.b);
                if (!cd_hash32_eq(&h, &want_hash)) continue;
                CHECK_OK(t, rlp_item_hash(&header[5], &rr));
                if (!cd_hash32_eq(&rr, &root))
                    test_fail_at(t, __FILE__, __LINE__, "%s: receipts root %s", files[i], test_hex(root.b, 32));
                matched = true;
            }
        }
        cd_buf_free(&chain);
        CHECK(t, matched);
        checked++;
        json_object_put(rs);
    }
    if (checked == 0) test_skip(t, "execution-apis eth_getBlockReceipts", "files missing");
    else CHECK(t, checked >= 3);
}

/* Typed receipts: every EIP-2718 type wraps the same RLP body behind its type byte. */
static void test_receipt_types(test_ctx *t) {
    char bloom[2 + 512 + 1] = "0x";
    memset(bloom + 2, '0', 512);
    bloom[514] = 0;
    char json[2048];
    snprintf(json, sizeof json,
             "{\"type\":\"0x0\",\"status\":\"0x1\",\"cumulativeGasUsed\":\"0x5208\",\"logsBloom\":\"%s\","
             "\"logs\":[{\"address\":\"0x00000000219ab540356cbb839cbe05303d7705fa\",\"topics\":["
             "\"0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5\"],\"data\":\"0x0102\"}]}",
             bloom);
    json_object *r = json_tokener_parse(json);
    CHECK(t, r != NULL);
    if (!r) return;
    cd_buf legacy = {0};
    CHECK_OK(t, mpt_receipt_encode_json(r, &legacy, NULL));
    CHECK(t, legacy.len > 0 && legacy.data[0] >= 0xc0);
    CHECK_OK(t, rlp_validate(cd_buf_bytes(&legacy)));
    static const char *const types[] = {"0x1", "0x2", "0x3", "0x4"};
    for (size_t i = 0; i < CD_ARRAY_LEN(types); i++) {
        json_object_object_add(r, "type", json_object_new_string(types[i]));
        cd_buf typed = {0};
        CHECK_OK(t, mpt_receipt_encode_json(r, &typed, NULL));
        CHECK_EQ_INT(t, typed.len, legacy.len + 1);
        CHECK_EQ_INT(t, typed.len ? typed.data[0] : 0, i + 1);
        CHECK_EQ_BYTES(t, typed.data + 1, typed.len - 1, legacy.data, legacy.len);
        cd_buf_free(&typed);
    }
    cd_buf out = {0};
    cd_error err;
    json_object_object_add(r, "type", json_object_new_string("0x80"));
    CHECK_ERR(t, mpt_receipt_encode_json(r, &out, &err), CD_ERR_UNSUPPORTED);
    json_object_object_add(r, "type", json_object_new_string("0x2"));
    json_object_object_add(r, "status", json_object_new_string("0x2"));
    CHECK_ERR(t, mpt_receipt_encode_json(r, &out, &err), CD_ERR_BAD_JSON);
    json_object_object_add(r, "status", json_object_new_string("0x1"));
    json_object_object_add(r, "logsBloom", json_object_new_string("0x00"));
    CHECK_ERR(t, mpt_receipt_encode_json(r, &out, &err), CD_ERR_BAD_HEX);
    CHECK(t, strstr(cd_error_text(&err), "logsBloom") != NULL);
    CHECK_EQ_INT(t, out.len, 0); /* nothing half-written on failure */
    cd_buf_free(&out);
    cd_buf_free(&legacy);
    json_object_put(r);
}

static uint64_t xorshift(uint64_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Proofs produced by mpt_trie_prove for random tries verify with mpt_verify_proof, for
 * every present key (inclusion, right value) and for absent keys (exclusion). Short keys
 * and values make nodes under 32 bytes, so embedded nodes, extensions and branch values
 * all occur; a flipped byte in any node is rejected. */
static void test_prove_and_verify_random_tries(test_ctx *t) {
    uint64_t rng = 0x1234567887654321ull;
    int inclusions = 0, exclusions = 0, embedded_paths = 0;
    for (int trial = 0; trial < 60; trial++) {
        size_t n = 1 + xorshift(&rng) % 40;
        size_t key_len = 1 + (size_t)(trial % 4) * (trial % 8 == 7 ? 8 : 1);
        uint8_t keys_mem[40][32], vals_mem[40][40];
        cd_bytes keys[40], vals[40];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            size_t kl = 1 + xorshift(&rng) % key_len; /* mixed lengths: keys that prefix others */
            for (size_t b = 0; b < kl; b++) keys_mem[m][b] = (uint8_t)(xorshift(&rng) % (trial % 2 ? 4 : 256));
            bool dup = false;
            for (size_t j = 0; j < m; j++)
                if (cd_bytes_eq(keys[j], cd_bytes_make(keys_mem[m], kl))) dup = true;
            if (dup) continue;
            size_t vl = 1 + xorshift(&rng) % (trial % 3 ? 4 : 40);
            for (size_t b = 0; b < vl; b++) vals_mem[m][b] = (uint8_t)xorshift(&rng);
            keys[m] = cd_bytes_make(keys_mem[m], kl);
            vals[m] = cd_bytes_make(vals_mem[m], vl);
            m++;
        }
        cd_hash32 root_ref;
        CHECK_OK(t, mpt_trie_root(keys, vals, m, &root_ref));
        for (size_t q = 0; q < m + 5; q++) {
            uint8_t absent[32];
            cd_bytes key;
            if (q < m) {
                key = keys[q];
            } else {
                size_t kl = 1 + xorshift(&rng) % key_len;
                for (size_t b = 0; b < kl; b++) absent[b] = (uint8_t)(xorshift(&rng) % (trial % 2 ? 4 : 256));
                key = cd_bytes_make(absent, kl);
            }
            mpt_proof_buf pb;
            cd_hash32 root;
            CHECK_OK(t, mpt_trie_prove(keys, vals, m, key, &pb, &root));
            CHECK(t, cd_hash32_eq(&root, &root_ref));
            cd_bytes nodes[MPT_MAX_PROOF_NODES];
            for (size_t i = 0; i < pb.count; i++) nodes[i] = mpt_proof_buf_node(&pb, i);
            bool found = false;
            cd_bytes value;
            cd_error err;
            cd_error_clear(&err);
            cd_status s = mpt_verify_proof(&root, key, nodes, pb.count, &found, &value, &err);
            if (s) test_fail_at(t, __FILE__, __LINE__, "trial %d key %zu: %s", trial, q, cd_error_text(&err));
            size_t want = SIZE_MAX;
            for (size_t j = 0; j < m; j++)
                if (cd_bytes_eq(keys[j], key)) want = j;
            CHECK_EQ_INT(t, found, want != SIZE_MAX);
            if (found && want != SIZE_MAX) {
                CHECK_EQ_BYTES(t, value.ptr, value.len, vals[want].ptr, vals[want].len);
                inclusions++;
            } else {
                exclusions++;
            }
            /* count proofs whose nodes hold an embedded child node (a nested list) */
            for (size_t i = 0; i < pb.count; i++) {
                rlp_item node, items[17];
                size_t cnt = 0;
                if (rlp_decode(nodes[i], &node) == CD_OK && rlp_list_items(&node, items, 17, &cnt) == CD_OK) {
                    bool emb = false;
                    for (size_t c = 0; c < cnt; c++) emb = emb || items[c].is_list;
                    if (emb) {
                        embedded_paths++;
                        break;
                    }
                }
            }
            if (q % 7 == 0) { /* tamper a sample of proofs byte by byte */
                for (size_t i = 0; i < pb.count; i++)
                    for (size_t b = 0; b < nodes[i].len; b++) {
                        pb.data.data[(i ? pb.ends[i - 1] : 0) + b] ^= 0x20;
                        cd_status ts = mpt_verify_proof(&root, key, nodes, pb.count, &found, &value, NULL);
                        if (ts == CD_OK)
                            test_fail_at(t, __FILE__, __LINE__, "trial %d: node %zu byte %zu flip accepted", trial, i, b);
                        pb.data.data[(i ? pb.ends[i - 1] : 0) + b] ^= 0x20;
                    }
            }
            mpt_proof_buf_free(&pb);
        }
    }
    CHECK(t, inclusions > 500);
    CHECK(t, exclusions > 200);
    CHECK(t, embedded_paths > 50);
}

/* A storage leaf holding RLP(0) (anvil writes these; mainnet clients delete zero slots) is
 * authenticated by the root like any other leaf: it proves the slot reads zero, and a claim
 * of any other value is refused. */
static void test_storage_zero_leaf(test_ctx *t) {
    uint8_t slot_a[32] = {0}, slot_b[32] = {0}, path_a[32], path_b[32];
    slot_a[31] = 1;
    slot_b[31] = 2;
    keccak256(slot_a, 32, path_a);
    keccak256(slot_b, 32, path_b);
    static const uint8_t rlp_zero[] = {0x80}, rlp_seven[] = {0x07};
    cd_bytes keys[2] = {cd_bytes_make(path_a, 32), cd_bytes_make(path_b, 32)};
    cd_bytes vals[2] = {cd_bytes_make(rlp_zero, 1), cd_bytes_make(rlp_seven, 1)};
    mpt_proof_buf pb;
    cd_hash32 root;
    CHECK_OK(t, mpt_trie_prove(keys, vals, 2, keys[0], &pb, &root));
    cd_bytes nodes[MPT_MAX_PROOF_NODES];
    for (size_t i = 0; i < pb.count; i++) nodes[i] = mpt_proof_buf_node(&pb, i);
    mpt_storage_proof sp;
    memset(&sp, 0, sizeof sp);
    memcpy(sp.key.b, slot_a, 32);
    sp.proof = nodes;
    sp.proof_len = pb.count;
    cd_error err;
    cd_error_clear(&err);
    CHECK_OK(t, mpt_storage_proof_verify(&root, &sp, &err));
    sp.value.w[0] = 7;
    CHECK_ERR(t, mpt_storage_proof_verify(&root, &sp, &err), CD_ERR_MPT_VALUE_MISMATCH);
    mpt_proof_buf_free(&pb);
}

static cd_status count_visit(void *ctx, cd_bytes key, cd_bytes value) {
    (void)key;
    (void)value;
    (*(size_t *)ctx)++;
    return CD_OK;
}

/* mpt_trie_walk over a trie's proof nodes visits every key; a missing or damaged node is
 * reported, never walked past. */
static void test_trie_walk_bad_input(test_ctx *t) {
    static const char *const words[] = {"alpha", "alphabet", "beta", "gamma-ray-burst-long-key-0001"};
    cd_bytes keys[4];
    for (int i = 0; i < 4; i++) keys[i] = cd_bytes_make(words[i], strlen(words[i]));
    mpt_proof_buf pb[4];
    cd_bytes nodes[64];
    size_t n_nodes = 0;
    cd_hash32 root;
    for (int i = 0; i < 4; i++) {
        CHECK_OK(t, mpt_trie_prove(keys, keys, 4, keys[i], &pb[i], &root));
        for (size_t j = 0; j < pb[i].count && n_nodes < 64; j++) nodes[n_nodes++] = mpt_proof_buf_node(&pb[i], j);
    }
    size_t visited = 0;
    cd_error err;
    cd_error_clear(&err);
    CHECK_OK(t, mpt_trie_walk(&root, nodes, n_nodes, count_visit, &visited, &err));
    CHECK_EQ_INT(t, visited, 4);
    /* Only the root node: its children cannot be found. */
    visited = 0;
    CHECK_ERR(t, mpt_trie_walk(&root, nodes, 1, count_visit, &visited, &err), CD_ERR_MPT_MISSING_NODE);
    /* A node that hashes to the root but is not a trie node. */
    static const uint8_t junk[] = {0xc3, 0x01, 0x02, 0x03};
    cd_bytes bad = cd_bytes_make(junk, sizeof junk);
    cd_hash32 bad_root;
    keccak256(junk, sizeof junk, bad_root.b);
    CHECK_ERR(t, mpt_trie_walk(&bad_root, &bad, 1, count_visit, &visited, &err), CD_ERR_MPT_BAD_NODE);
    for (int i = 0; i < 4; i++) mpt_proof_buf_free(&pb[i]);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_mpt");
    TEST_RUN(&t, test_empty_and_small_roots);
    TEST_RUN(&t, test_hex_prefix);
    TEST_RUN(&t, test_mainnet_get_proof);
    TEST_RUN(&t, test_mainnet_account_with_code);
    TEST_RUN(&t, test_ropsten_samples);
    TEST_RUN(&t, test_execution_apis_samples);
    TEST_RUN(&t, test_mainnet_header_hash);
    TEST_RUN(&t, test_mainnet_receipts_root);
    TEST_RUN(&t, test_mainnet_receipt_proof);
    TEST_RUN(&t, test_chain_rlp_roots);
    TEST_RUN(&t, test_receipt_types);
    TEST_RUN(&t, test_execution_apis_headers);
    TEST_RUN(&t, test_execution_apis_receipts);
    TEST_RUN(&t, test_proof_edge_cases);
    TEST_RUN(&t, test_malformed_nodes);
    TEST_RUN(&t, test_get_proof_json_bad_input);
    TEST_RUN(&t, test_prove_and_verify_random_tries);
    TEST_RUN(&t, test_storage_zero_leaf);
    TEST_RUN(&t, test_trie_walk_bad_input);
    return test_finish(&t);
}
