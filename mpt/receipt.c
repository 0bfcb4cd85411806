/* Receipts: consensus encoding from JSON and the receipts trie.
 *
 * A receipt is RLP([status or post-state root, cumulativeGasUsed, logsBloom, logs]) with
 * each log RLP([address, [topics...], data]). Typed receipts (EIP-2718: 2930, 1559, 4844,
 * 7702, ...) are the type byte followed by that RLP. The receipts trie maps RLP(index) to
 * the encoded receipt. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "mpt/mpt.h"
#include "mpt/mpt_json.h"
#include "rlp/rlp.h"

#define MPT_MAX_LOGS 100000
#define MPT_MAX_TOPICS 4
#define MPT_MAX_LOG_DATA (16u << 20)
#define MPT_MAX_RECEIPTS 1000000

static cd_status encode_log(const json_object *log, cd_buf *out, cd_error *err) {
    size_t mark = out->len;
    cd_address addr;
    cd_status s;
    if ((s = mptj_address(log, "address", &addr, err))) return s;
    if ((s = rlp_encode_address(out, &addr))) return s;
    json_object *topics = NULL;
    if (!json_object_object_get_ex(log, "topics", &topics) || !json_object_is_type(topics, json_type_array))
        return cd_fail(err, CD_ERR_BAD_JSON, "log topics missing or not an array");
    size_t nt = json_object_array_length(topics);
    if (nt > MPT_MAX_TOPICS) return cd_fail(err, CD_ERR_BAD_JSON, "log has %zu topics (at most 4)", nt);
    size_t tmark = out->len;
    for (size_t i = 0; i < nt; i++) {
        json_object *tj = json_object_array_get_idx(topics, i);
        cd_hash32 topic;
        if (!json_object_is_type(tj, json_type_string) ||
            cd_hex_decode_exact(json_object_get_string(tj), topic.b, 32) != CD_OK)
            return cd_fail(err, CD_ERR_BAD_JSON, "topic %zu is not 32 bytes of hex", i);
        if ((s = rlp_encode_hash(out, &topic))) return s;
    }
    if ((s = rlp_wrap_list(out, tmark))) return s;
    cd_buf data = {0};
    s = mptj_bytes(log, "data", MPT_MAX_LOG_DATA, &data, err);
    if (!s) s = rlp_encode_bytes(out, data.data, data.len);
    cd_buf_free(&data);
    if (s) return s;
    return rlp_wrap_list(out, mark);
}

static cd_status encode_receipt(const json_object *r, cd_buf *out, cd_error *err) {
    cd_status s;
    uint64_t type = 0;
    if (mptj_str(r, "type") && (s = mptj_u64(r, "type", &type, err))) return s;
    if (type > 0x7f) return cd_fail(err, CD_ERR_UNSUPPORTED, "receipt type 0x%llx", (unsigned long long)type);
    if (type != 0 && (s = cd_buf_push(out, (uint8_t)type))) return s;
    size_t mark = out->len;
    if (mptj_str(r, "status")) { /* post-Byzantium: status 0 or 1 */
        uint64_t status = 0;
        if ((s = mptj_u64(r, "status", &status, err))) return s;
        if (status > 1) return cd_fail(err, CD_ERR_BAD_JSON, "status %llu is not 0 or 1", (unsigned long long)status);
        if ((s = rlp_encode_u64(out, status))) return s;
    } else { /* pre-Byzantium: intermediate state root */
        cd_hash32 root;
        if ((s = mptj_hash(r, "root", &root, err))) return s;
        if ((s = rlp_encode_hash(out, &root))) return s;
    }
    uint64_t cumulative = 0;
    if ((s = mptj_u64(r, "cumulativeGasUsed", &cumulative, err))) return s;
    if ((s = rlp_encode_u64(out, cumulative))) return s;
    uint8_t bloom[256];
    if ((s = mptj_fixed(r, "logsBloom", bloom, sizeof bloom, err))) return s;
    if ((s = rlp_encode_bytes(out, bloom, sizeof bloom))) return s;
    json_object *logs = NULL;
    if (!json_object_object_get_ex(r, "logs", &logs) || !json_object_is_type(logs, json_type_array))
        return cd_fail(err, CD_ERR_BAD_JSON, "logs missing or not an array");
    size_t nl = json_object_array_length(logs);
    if (nl > MPT_MAX_LOGS) return cd_fail(err, CD_ERR_TOO_LARGE, "%zu logs", nl);
    size_t lmark = out->len;
    for (size_t i = 0; i < nl; i++) {
        if ((s = encode_log(json_object_array_get_idx(logs, i), out, err))) {
            cd_error_prefix(err, "log %zu: ", i);
            return s;
        }
    }
    if ((s = rlp_wrap_list(out, lmark))) return s;
    return rlp_wrap_list(out, mark);
}

cd_status mpt_receipt_encode_json(const json_object *receipt, cd_buf *out, cd_error *err) {
    if (!receipt || !json_object_is_type(receipt, json_type_object))
        return cd_fail(err, CD_ERR_BAD_JSON, "receipt is not an object");
    size_t start = out->len;
    cd_status s = encode_receipt(receipt, out, err);
    if (s) out->len = start;
    return s;
}

cd_status mpt_receipts_root_json(const json_object *receipts, cd_hash32 *root, cd_error *err) {
    if (!receipts || !json_object_is_type(receipts, json_type_array))
        return cd_fail(err, CD_ERR_BAD_JSON, "receipts is not an array");
    size_t n = json_object_array_length(receipts);
    if (n > MPT_MAX_RECEIPTS) return cd_fail(err, CD_ERR_TOO_LARGE, "%zu receipts", n);
    cd_buf all = {0};
    size_t *ends = malloc((n ? n : 1) * sizeof *ends);
    cd_bytes *values = malloc((n ? n : 1) * sizeof *values);
    cd_status s = CD_OK;
    if (!ends || !values) {
        s = CD_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const json_object *r = json_object_array_get_idx(receipts, i);
        uint64_t idx = 0;
        if (mptj_str(r, "transactionIndex")) {
            if ((s = mptj_u64(r, "transactionIndex", &idx, err))) goto receipt_fail;
            if (idx != i) {
                s = cd_fail(err, CD_ERR_BAD_JSON, "transactionIndex %llu at position %zu", (unsigned long long)idx, i);
                goto receipt_fail;
            }
        }
        if ((s = mpt_receipt_encode_json(r, &all, err))) goto receipt_fail;
        ends[i] = all.len;
        continue;
    receipt_fail:
        cd_error_prefix(err, "receipt %zu: ", i);
        goto done;
    }
    for (size_t i = 0; i < n; i++) { /* slices only once the buffer stops moving */
        size_t begin = i ? ends[i - 1] : 0;
        values[i] = cd_bytes_make(all.data + begin, ends[i] - begin);
    }
    s = mpt_ordered_trie_root(values, n, root);
done:
    free(ends);
    free(values);
    cd_buf_free(&all);
    return s;
}
