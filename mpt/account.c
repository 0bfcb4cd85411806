/* Accounts and EIP-1186 eth_getProof: parsing the JSON result and verifying the account
 * under the state root, each storage slot under the account's storage root, and code
 * against codeHash. The state and storage tries are secure tries: the path of an account
 * is keccak256(address), of a slot keccak256(slot as 32 bytes). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "mpt/mpt.h"
#include "mpt/mpt_json.h"
#include "rlp/rlp.h"

#define MPT_MAX_NODE_BYTES (1u << 20) /* far above any real trie node (a branch is ~532 B) */
#define MPT_MAX_CODE_BYTES (1u << 20) /* EIP-170/7907 limits are far lower */

cd_status mpt_account_decode(cd_bytes rlp, mpt_account *out) {
    rlp_item list, f[4];
    size_t n = 0;
    cd_status s = rlp_decode(rlp, &list);
    if (s) return s;
    if ((s = rlp_list_items(&list, f, 4, &n))) return s;
    if (n != 4) return CD_ERR_RLP_BAD_COUNT;
    if ((s = rlp_item_u64(&f[0], &out->nonce))) return s;
    if ((s = rlp_item_u256(&f[1], &out->balance))) return s;
    if ((s = rlp_item_hash(&f[2], &out->storage_root))) return s;
    return rlp_item_hash(&f[3], &out->code_hash);
}

cd_status mpt_account_encode(const mpt_account *a, cd_buf *out) {
    size_t mark = out->len;
    cd_status s;
    if ((s = rlp_encode_u64(out, a->nonce))) return s;
    if ((s = rlp_encode_u256(out, &a->balance))) return s;
    if ((s = rlp_encode_hash(out, &a->storage_root))) return s;
    if ((s = rlp_encode_hash(out, &a->code_hash))) return s;
    return rlp_wrap_list(out, mark);
}

cd_status mpt_code_verify(const cd_hash32 *code_hash, cd_bytes code, cd_error *err) {
    cd_hash32 h;
    keccak256(code.ptr, code.len, h.b);
    if (!cd_hash32_eq(&h, code_hash))
        return cd_fail(err, CD_ERR_MPT_CODE_HASH_MISMATCH, "code (%zu bytes) does not hash to codeHash",
                       code.len);
    return CD_OK;
}

/* ---- parsing ---- */

static void free_nodes(cd_bytes *nodes, size_t n) {
    if (!nodes) return;
    for (size_t i = 0; i < n; i++) free((void *)nodes[i].ptr);
    free(nodes);
}

void mpt_account_proof_free(mpt_account_proof *p) {
    if (!p) return;
    free_nodes(p->account_proof, p->account_proof_len);
    for (size_t i = 0; i < p->storage_len; i++) free_nodes(p->storage[i].proof, p->storage[i].proof_len);
    free(p->storage);
    free((void *)p->code.ptr);
    memset(p, 0, sizeof *p);
}

/* Copies a cd_buf's bytes into an exactly sized allocation the proof owns. */
static cd_status take_bytes(cd_buf *b, cd_bytes *out) {
    uint8_t *p = malloc(b->len ? b->len : 1);
    if (!p) return CD_ERR_NOMEM;
    if (b->len) memcpy(p, b->data, b->len);
    *out = cd_bytes_make(p, b->len);
    return CD_OK;
}

static cd_status parse_nodes(const json_object *arr, const char *what, cd_bytes **out, size_t *count,
                             cd_error *err) {
    *out = NULL;
    *count = 0;
    if (!arr || !json_object_is_type(arr, json_type_array))
        return cd_fail(err, CD_ERR_BAD_JSON, "%s is not an array", what);
    size_t n = json_object_array_length(arr);
    if (n > MPT_MAX_PROOF_NODES) return cd_fail(err, CD_ERR_TOO_LARGE, "%s has %zu nodes", what, n);
    cd_bytes *nodes = calloc(n ? n : 1, sizeof *nodes);
    if (!nodes) return CD_ERR_NOMEM;
    cd_status s = CD_OK;
    size_t i = 0;
    for (; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        if (!json_object_is_type(e, json_type_string)) {
            s = cd_fail(err, CD_ERR_BAD_JSON, "%s[%zu] is not a string", what, i);
            break;
        }
        const char *hex = json_object_get_string(e);
        size_t len = (size_t)json_object_get_string_len(e);
        if (len / 2 > MPT_MAX_NODE_BYTES + 1) {
            s = cd_fail(err, CD_ERR_TOO_LARGE, "%s[%zu] is too large", what, i);
            break;
        }
        cd_buf b = {0};
        s = cd_hex_decode_buf(hex, len, &b);
        if (!s) s = take_bytes(&b, &nodes[i]);
        cd_buf_free(&b);
        if (s) {
            if (s == CD_ERR_BAD_HEX) cd_fail(err, s, "%s[%zu] is not hex", what, i);
            break;
        }
    }
    if (s) {
        free_nodes(nodes, i);
        return s;
    }
    *out = nodes;
    *count = n;
    return CD_OK;
}

/* A storage key is "bytesMax32" hex ("0x0" is legal): left-padded to 32 bytes. */
static cd_status parse_slot_key(const char *hex, cd_hash32 *out) {
    if (strlen(hex) > 2 + 64) return CD_ERR_TOO_LARGE; /* at most 32 bytes, even with leading zeros */
    cd_u256 v;
    cd_status s = cd_hex_quantity(hex, &v, false);
    if (s) return s;
    cd_u256_to_be32(&v, out->b);
    return CD_OK;
}

static cd_status parse_storage(const json_object *arr, mpt_account_proof *out, cd_error *err) {
    if (!arr) return CD_OK; /* no slots asked for */
    if (!json_object_is_type(arr, json_type_array))
        return cd_fail(err, CD_ERR_BAD_JSON, "storageProof is not an array");
    size_t n = json_object_array_length(arr);
    if (n > MPT_MAX_STORAGE_PROOFS) return cd_fail(err, CD_ERR_TOO_LARGE, "storageProof has %zu entries", n);
    out->storage = calloc(n ? n : 1, sizeof *out->storage);
    if (!out->storage) return CD_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i), *proof = NULL;
        mpt_storage_proof *sp = &out->storage[i];
        const char *key = mptj_str(e, "key"), *value = mptj_str(e, "value");
        if (!key || parse_slot_key(key, &sp->key) != CD_OK)
            return cd_fail(err, CD_ERR_BAD_JSON, "storageProof[%zu].key is not a hex slot of at most 32 bytes", i);
        if (!value || cd_hex_quantity(value, &sp->value, false) != CD_OK)
            return cd_fail(err, CD_ERR_BAD_JSON, "storageProof[%zu].value is not a hex quantity", i);
        json_object_object_get_ex(e, "proof", &proof);
        char what[64];
        snprintf(what, sizeof what, "storageProof[%zu].proof", i);
        cd_status s = parse_nodes(proof, what, &sp->proof, &sp->proof_len, err);
        out->storage_len = i + 1; /* owned from here on, freed by mpt_account_proof_free */
        if (s) return s;
    }
    return CD_OK;
}

static cd_status parse_account_fields(const json_object *obj, mpt_account_proof *out, cd_error *err) {
    cd_status s;
    if ((s = mptj_u64(obj, "nonce", &out->account.nonce, err))) return s;
    if ((s = mptj_u256(obj, "balance", &out->account.balance, err))) return s;
    const char *root_name = mptj_str(obj, "storageHash") ? "storageHash" : "storageRoot";
    if ((s = mptj_hash(obj, root_name, &out->account.storage_root, err))) return s;
    return mptj_hash(obj, "codeHash", &out->account.code_hash, err);
}

cd_status mpt_account_proof_from_json(const json_object *result, mpt_account_proof *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (!result || !json_object_is_type(result, json_type_object))
        return cd_fail(err, CD_ERR_BAD_JSON, "eth_getProof result is not an object");
    json_object *nested = NULL, *arr = NULL;
    cd_status s;
    const json_object *fields = result;
    if (json_object_object_get_ex(result, "account", &nested) && json_object_is_type(nested, json_type_object))
        fields = nested;
    if ((s = mptj_address(result, "address", &out->address, err))) goto fail;
    if ((s = parse_account_fields(fields, out, err))) goto fail;
    json_object_object_get_ex(result, "accountProof", &arr);
    if ((s = parse_nodes(arr, "accountProof", &out->account_proof, &out->account_proof_len, err))) goto fail;
    arr = NULL;
    json_object_object_get_ex(result, "storageProof", &arr);
    if ((s = parse_storage(arr, out, err))) goto fail;
    if (mptj_str(result, "code")) {
        cd_buf code = {0};
        s = mptj_bytes(result, "code", MPT_MAX_CODE_BYTES, &code, err);
        if (!s) s = take_bytes(&code, &out->code);
        cd_buf_free(&code);
        if (s) goto fail;
        out->has_code = true;
    }
    return CD_OK;
fail:
    mpt_account_proof_free(out);
    return s;
}

cd_status mpt_account_proof_parse(const char *json, size_t len, mpt_account_proof *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (len > INT32_MAX) return cd_fail(err, CD_ERR_TOO_LARGE, "JSON of %zu bytes", len);
    json_tokener *tok = json_tokener_new();
    if (!tok) return CD_ERR_NOMEM;
    json_object *root = json_tokener_parse_ex(tok, json, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        json_object_put(root);
        return cd_fail(err, CD_ERR_BAD_JSON, "not valid JSON (%s)", json_tokener_error_desc(jerr));
    }
    json_object *result = root, *inner = NULL, *rpc_err = NULL;
    if (json_object_object_get_ex(root, "error", &rpc_err) && rpc_err) {
        json_object_put(root);
        return cd_fail(err, CD_ERR_UPSTREAM, "JSON-RPC response carries an error");
    }
    if (json_object_object_get_ex(root, "result", &inner)) result = inner;
    cd_status s = mpt_account_proof_from_json(result, out, err);
    json_object_put(root);
    return s;
}

/* ---- verification ---- */

static cd_status verify_slot(const cd_hash32 *storage_root, const mpt_storage_proof *sp, cd_error *err) {
    cd_hash32 path;
    keccak256(sp->key.b, 32, path.b);
    bool found = false;
    cd_bytes value;
    cd_status s = mpt_verify_proof(storage_root, cd_bytes_make(path.b, 32), sp->proof, sp->proof_len, &found,
                                   &value, err);
    if (s) return s;
    cd_u256 proven = {{0, 0, 0, 0}};
    if (found) {
        /* The leaf holds RLP(value as a minimal big-endian integer). Mainnet clients delete a
         * slot set to zero, but some dev nodes (anvil) keep a leaf holding RLP(0); the root
         * authenticates that leaf all the same, so it proves the slot reads zero. */
        rlp_item it;
        if ((s = rlp_decode(value, &it)) || (s = rlp_item_u256(&it, &proven)))
            return cd_fail(err, CD_ERR_MPT_BAD_NODE, "stored value is not an RLP integer (%s)", cd_status_name(s));
    }
    if (!cd_u256_eq(&proven, &sp->value)) {
        char want[67], got[67];
        cd_u256_to_quantity(&sp->value, want);
        cd_u256_to_quantity(&proven, got);
        return cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "claimed value %s, proven %s", want, got);
    }
    return CD_OK;
}

cd_status mpt_storage_proof_verify(const cd_hash32 *storage_root, const mpt_storage_proof *sp, cd_error *err) {
    cd_status s = verify_slot(storage_root, sp, err);
    if (s) {
        char key[67];
        cd_hex_encode(key, sp->key.b, 32);
        cd_error_prefix(err, "storage proof for slot %s: ", key);
    }
    return s;
}

static bool hash_is_zero(const cd_hash32 *h) {
    for (int i = 0; i < 32; i++)
        if (h->b[i]) return false;
    return true;
}

static cd_status compare_account(const mpt_account *claimed, const mpt_account *proven, cd_error *err) {
    if (claimed->nonce != proven->nonce)
        return cd_fail(err, CD_ERR_MPT_ACCOUNT_MISMATCH, "claimed nonce %llu, proven %llu",
                       (unsigned long long)claimed->nonce, (unsigned long long)proven->nonce);
    if (!cd_u256_eq(&claimed->balance, &proven->balance)) {
        char a[67], b[67];
        cd_u256_to_quantity(&claimed->balance, a);
        cd_u256_to_quantity(&proven->balance, b);
        return cd_fail(err, CD_ERR_MPT_ACCOUNT_MISMATCH, "claimed balance %s, proven %s", a, b);
    }
    if (!cd_hash32_eq(&claimed->storage_root, &proven->storage_root))
        return cd_fail(err, CD_ERR_MPT_ACCOUNT_MISMATCH, "claimed storageHash differs from the proven one");
    if (!cd_hash32_eq(&claimed->code_hash, &proven->code_hash))
        return cd_fail(err, CD_ERR_MPT_ACCOUNT_MISMATCH, "claimed codeHash differs from the proven one");
    return CD_OK;
}

cd_status mpt_account_proof_verify(const cd_hash32 *state_root, const mpt_account_proof *p, bool *exists,
                                   cd_error *err) {
    cd_hash32 path;
    keccak256(p->address.b, 20, path.b);
    bool found = false;
    cd_bytes value;
    cd_status s = mpt_verify_proof(state_root, cd_bytes_make(path.b, 32), p->account_proof,
                                   p->account_proof_len, &found, &value, err);
    if (s) {
        cd_error_prefix(err, "account proof: ");
        return s;
    }
    cd_hash32 storage_root = p->account.storage_root;
    if (found) {
        mpt_account proven;
        if ((s = mpt_account_decode(value, &proven)))
            return cd_fail(err, CD_ERR_MPT_BAD_NODE, "account proof: leaf is not an account RLP (%s)",
                           cd_status_name(s));
        if ((s = compare_account(&p->account, &proven, err))) {
            cd_error_prefix(err, "account proof: ");
            return s;
        }
    } else {
        /* Absent: the claim must be the empty account. Some clients report zero hashes
         * instead of the empty-trie root / empty-code hash for it; both mean "nothing". */
        const mpt_account *c = &p->account;
        bool empty_storage = cd_hash32_eq(&c->storage_root, &mpt_empty_trie_root) || hash_is_zero(&c->storage_root);
        bool empty_code = cd_hash32_eq(&c->code_hash, &mpt_empty_code_hash) || hash_is_zero(&c->code_hash);
        if (c->nonce || !cd_u256_is_zero(&c->balance) || !empty_storage || !empty_code)
            return cd_fail(err, CD_ERR_MPT_ACCOUNT_MISMATCH,
                           "account proof: account is absent but a non-empty account is claimed");
        storage_root = mpt_empty_trie_root;
    }
    if (exists) *exists = found;
    for (size_t i = 0; i < p->storage_len; i++)
        if ((s = mpt_storage_proof_verify(&storage_root, &p->storage[i], err))) return s;
    if (p->has_code) {
        const cd_hash32 *ch = found ? &p->account.code_hash : &mpt_empty_code_hash;
        if ((s = mpt_code_verify(ch, p->code, err))) return s;
    }
    return CD_OK;
}
