/* Block headers from eth_getBlockBy* JSON: consensus RLP and hash.
 *
 * Field order is the consensus order; the fields added by later forks (London baseFee,
 * Shanghai withdrawalsRoot, Cancun blobGasUsed/excessBlobGas/parentBeaconBlockRoot,
 * Prague requestsHash) are appended when present and must be present without gaps. */
#include <json-c/json.h>
#include <string.h>

#include "crypto/keccak.h"
#include "mpt/mpt.h"
#include "mpt/mpt_json.h"
#include "rlp/rlp.h"

typedef enum { F_HASH, F_ADDRESS, F_BLOOM, F_UINT, F_BYTES, F_NONCE } field_kind;

typedef struct {
    const char *name;
    field_kind kind;
} header_field;

static const header_field base_fields[] = {
    {"parentHash", F_HASH},   {"sha3Uncles", F_HASH},      {"miner", F_ADDRESS},    {"stateRoot", F_HASH},
    {"transactionsRoot", F_HASH}, {"receiptsRoot", F_HASH}, {"logsBloom", F_BLOOM},  {"difficulty", F_UINT},
    {"number", F_UINT},       {"gasLimit", F_UINT},        {"gasUsed", F_UINT},     {"timestamp", F_UINT},
    {"extraData", F_BYTES},   {"mixHash", F_HASH},         {"nonce", F_NONCE},
};

static const header_field fork_fields[] = {
    {"baseFeePerGas", F_UINT},       /* London */
    {"withdrawalsRoot", F_HASH},     /* Shanghai */
    {"blobGasUsed", F_UINT},         /* Cancun */
    {"excessBlobGas", F_UINT},       /* Cancun */
    {"parentBeaconBlockRoot", F_HASH}, /* Cancun */
    {"requestsHash", F_HASH},        /* Prague */
};

#define MPT_MAX_EXTRA_DATA 1024 /* consensus allows 32; tolerate test chains, still bounded */

static cd_status encode_field(const json_object *b, const header_field *f, cd_buf *out, cd_error *err) {
    cd_status s;
    switch (f->kind) {
    case F_HASH: {
        cd_hash32 h;
        if ((s = mptj_hash(b, f->name, &h, err))) return s;
        return rlp_encode_hash(out, &h);
    }
    case F_ADDRESS: {
        cd_address a;
        if ((s = mptj_address(b, f->name, &a, err))) return s;
        return rlp_encode_address(out, &a);
    }
    case F_BLOOM: {
        uint8_t bloom[256];
        if ((s = mptj_fixed(b, f->name, bloom, sizeof bloom, err))) return s;
        return rlp_encode_bytes(out, bloom, sizeof bloom);
    }
    case F_NONCE: {
        uint8_t nonce[8];
        if ((s = mptj_fixed(b, f->name, nonce, sizeof nonce, err))) return s;
        return rlp_encode_bytes(out, nonce, sizeof nonce);
    }
    case F_UINT: {
        cd_u256 v;
        if ((s = mptj_u256(b, f->name, &v, err))) return s;
        return rlp_encode_u256(out, &v);
    }
    case F_BYTES: {
        cd_buf data = {0};
        s = mptj_bytes(b, f->name, MPT_MAX_EXTRA_DATA, &data, err);
        if (!s) s = rlp_encode_bytes(out, data.data, data.len);
        cd_buf_free(&data);
        return s;
    }
    }
    return CD_ERR_INTERNAL;
}

cd_status mpt_header_encode_json(const json_object *block, cd_buf *out, cd_error *err) {
    if (!block || !json_object_is_type(block, json_type_object))
        return cd_fail(err, CD_ERR_BAD_JSON, "block is not an object");
    size_t mark = out->len;
    cd_status s = CD_OK;
    for (size_t i = 0; i < CD_ARRAY_LEN(base_fields) && !s; i++) s = encode_field(block, &base_fields[i], out, err);
    size_t present = 0;
    while (!s && present < CD_ARRAY_LEN(fork_fields)) {
        json_object *v = NULL;
        if (!json_object_object_get_ex(block, fork_fields[present].name, &v) || json_object_is_type(v, json_type_null))
            break;
        s = encode_field(block, &fork_fields[present], out, err);
        present++;
    }
    for (size_t i = present + 1; !s && i < CD_ARRAY_LEN(fork_fields); i++) {
        json_object *v = NULL;
        if (json_object_object_get_ex(block, fork_fields[i].name, &v) && !json_object_is_type(v, json_type_null))
            s = cd_fail(err, CD_ERR_BAD_JSON, "header has %s but not %s", fork_fields[i].name,
                        fork_fields[present].name);
    }
    if (!s) s = rlp_wrap_list(out, mark);
    if (s) out->len = mark;
    return s;
}

cd_status mpt_header_hash_json(const json_object *block, cd_hash32 *hash, cd_error *err) {
    cd_buf rlp = {0};
    cd_status s = mpt_header_encode_json(block, &rlp, err);
    if (!s) {
        keccak256(rlp.data, rlp.len, hash->b);
        if (mptj_str(block, "hash")) {
            cd_hash32 claimed;
            s = mptj_hash(block, "hash", &claimed, err);
            if (!s && !cd_hash32_eq(&claimed, hash)) {
                char got[67];
                cd_hex_encode(got, hash->b, 32);
                s = cd_fail(err, CD_ERR_BLOCK_HASH_MISMATCH, "header hashes to %s, not to its \"hash\" field", got);
            }
        }
    }
    cd_buf_free(&rlp);
    return s;
}
