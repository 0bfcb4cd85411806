/* JSON-RPC methods. Each answer is verified (proofs against a verified state root, header
 * hashes against a verified block hash, receipts against a verified receipts root) or
 * refused with a clear error; nothing is passed through from an upstream unchecked.
 * eth_sendRawTransaction is the one forward, and it says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "src/call.h"
#include "src/version.h"

#define LOGS_MAX_BLOCKS 64
#define TX_DATA_MAX (256 * 1024)

static json_object *param(json_object *params, size_t i) {
    return i < json_object_array_length(params) ? json_object_array_get_idx(params, i) : NULL;
}

static bool check_arity(json_object *params, size_t min, size_t max, api_rpc_result *r) {
    size_t n = json_object_array_length(params);
    if (n < min || n > max) {
        api_rpc_fail(r, API_RPC_INVALID_PARAMS, "expected %zu..%zu params, got %zu", min, max, n);
        return false;
    }
    return true;
}

static void fail_from(api_rpc_result *r, cd_status s, const cd_error *err) {
    int code = s == CD_ERR_BAD_HEX || s == CD_ERR_BAD_JSON || s == CD_ERR_INVALID_ARG ? API_RPC_INVALID_PARAMS
               : s == CD_ERR_NOT_SYNCED                                               ? API_RPC_NOT_SYNCED
               : s == CD_ERR_UPSTREAM                                                 ? API_RPC_UPSTREAM
                                                                                      : API_RPC_UNVERIFIABLE;
    api_rpc_fail(r, code, "%s", cd_error_text(err));
}

/* Block parameter -> verified head (default latest). */
static bool head_param(svc_service *s, json_object *v, svc_head *h, api_rpc_result *r) {
    api_block_ref ref;
    cd_error err;
    cd_status st = api_get_block_ref(v, "block", &ref, &err);
    if (st == CD_ERR_UNSUPPORTED) {
        api_rpc_fail(r, API_RPC_UNVERIFIABLE, "%s", cd_error_text(&err));
        return false;
    }
    if (st != CD_OK) {
        fail_from(r, st, &err);
        return false;
    }
    if (!svc_find_block(s, &ref, h, &err)) {
        fail_from(r, err.code, &err);
        return false;
    }
    return true;
}

/* ---- state methods ------------------------------------------------------------------ */

static void m_account_field(svc_service *s, json_object *params, api_rpc_result *r, int which) {
    if (!check_arity(params, 1, 2, r)) return;
    cd_address a;
    cd_error err;
    cd_status st = api_get_address(param(params, 0), "address", &a, &err);
    if (st != CD_OK) return fail_from(r, st, &err);
    svc_head h;
    if (!head_param(s, param(params, 1), &h, r)) return;
    svc_state state;
    svc_state_init(&state, s, &h);
    if (which == 2) {
        cd_bytes code;
        st = svc_state_code_get(&state, &a, &code, &err);
        if (st == CD_OK) r->result = api_json_hex(code.ptr, code.len);
    } else {
        const svc_state_account *acc = NULL;
        st = svc_state_account_get(&state, &a, &acc, &err);
        if (st == CD_OK)
            r->result = which == 0 ? api_json_quantity(&acc->acc.balance) : api_json_quantity_u64(acc->acc.nonce);
    }
    svc_state_free(&state);
    if (st != CD_OK) fail_from(r, st, &err);
}

CD_MUST_CHECK static cd_status slot_param(json_object *v, cd_u256 *out, cd_error *err) {
    const char *str = v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    if (str && strlen(str) == 66) {
        cd_hash32 h;
        cd_status st = api_get_hash(v, "slot", &h, err);
        return st == CD_OK ? cd_u256_from_be(out, h.b, 32) : st;
    }
    return api_get_quantity(v, "slot", out, err);
}

static void m_get_storage_at(svc_service *s, json_object *params, api_rpc_result *r) {
    if (!check_arity(params, 2, 3, r)) return;
    cd_address a;
    cd_u256 key, value;
    cd_error err;
    cd_status st = api_get_address(param(params, 0), "address", &a, &err);
    if (st == CD_OK) st = slot_param(param(params, 1), &key, &err);
    if (st != CD_OK) return fail_from(r, st, &err);
    svc_head h;
    if (!head_param(s, param(params, 2), &h, r)) return;
    svc_state state;
    svc_state_init(&state, s, &h);
    st = svc_state_storage_get(&state, &a, &key, &value, &err);
    svc_state_free(&state);
    if (st != CD_OK) return fail_from(r, st, &err);
    uint8_t be[32];
    cd_u256_to_be32(&value, be);
    r->result = api_json_hex(be, 32);
}

static void m_get_proof(svc_service *s, json_object *params, api_rpc_result *r) {
    if (!check_arity(params, 2, 3, r)) return;
    cd_address a;
    cd_error err;
    cd_status st = api_get_address(param(params, 0), "address", &a, &err);
    if (st != CD_OK) return fail_from(r, st, &err);
    json_object *keys = param(params, 1);
    if (!json_object_is_type(keys, json_type_array) || json_object_array_length(keys) > 256)
        return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "storage keys must be an array of at most 256");
    size_t n = json_object_array_length(keys);
    cd_u256 *k = calloc(n ? n : 1, sizeof *k);
    if (!k) return api_rpc_fail(r, API_RPC_INTERNAL, "out of memory");
    for (size_t i = 0; i < n && st == CD_OK; i++) st = slot_param(json_object_array_get_idx(keys, i), &k[i], &err);
    svc_head h;
    if (st != CD_OK) fail_from(r, st, &err);
    else if (head_param(s, param(params, 2), &h, r)) {
        svc_state state;
        svc_state_init(&state, s, &h);
        json_object *res = NULL;
        st = svc_state_get_proof(&state, &a, k, n, &res, &err);
        svc_state_free(&state);
        if (st == CD_OK) r->result = res;
        else fail_from(r, st, &err);
    }
    free(k);
}

/* ---- calls ------------------------------------------------------------------------------ */

/* A call object {from,to,gas,gasPrice,value,data|input,...}. Fee fields other than
 * gasPrice only matter for a real transaction and are accepted and ignored. */
CD_MUST_CHECK static cd_status call_object(json_object *o, evm_message *msg, cd_buf *data, cd_error *err) {
    memset(msg, 0, sizeof *msg);
    if (!o || !json_object_is_type(o, json_type_object))
        return cd_fail(err, CD_ERR_BAD_JSON, "call object must be a JSON object");
    bool has_to = false, has_data = false;
    cd_status st = CD_OK;
    json_object_object_foreach(o, key, val) {
        if (st != CD_OK) break;
        if (!strcmp(key, "from")) st = api_get_address(val, "from", &msg->from, err);
        else if (!strcmp(key, "to")) {
            if (val) {
                st = api_get_address(val, "to", &msg->to, err);
                has_to = true;
            }
        } else if (!strcmp(key, "gas")) st = api_get_u64(val, "gas", &msg->gas, err);
        else if (!strcmp(key, "gasPrice")) st = api_get_quantity(val, "gasPrice", &msg->gas_price, err);
        else if (!strcmp(key, "value")) st = api_get_quantity(val, "value", &msg->value, err);
        else if (!strcmp(key, "data") || !strcmp(key, "input")) {
            if (has_data) {
                cd_buf other = {0};
                st = api_get_data(val, key, TX_DATA_MAX, &other, err);
                if (st == CD_OK && (other.len != data->len || memcmp(other.data, data->data, other.len)))
                    st = cd_fail(err, CD_ERR_BAD_JSON, "data and input differ");
                cd_buf_free(&other);
            } else {
                st = api_get_data(val, key, TX_DATA_MAX, data, err);
                has_data = true;
            }
        } else if (!strcmp(key, "maxFeePerGas") || !strcmp(key, "maxPriorityFeePerGas") || !strcmp(key, "nonce") ||
                   !strcmp(key, "type") || !strcmp(key, "chainId") || !strcmp(key, "accessList")) {
            continue;
        } else {
            st = cd_fail(err, CD_ERR_BAD_JSON, "unknown call field '%.60s'", key);
        }
    }
    if (st != CD_OK) return st;
    msg->is_create = !has_to;
    msg->data = cd_buf_bytes(data);
    return CD_OK;
}

static void execution_error(api_rpc_result *r, const evm_result *res) {
    if (res->outcome == EVM_REVERT) {
        /* geth's shape: code 3, revert data in `data` */
        api_rpc_fail(r, 3, "execution reverted");
        r->data = api_json_hex(res->output.data, res->output.len);
    } else {
        api_rpc_fail(r, API_RPC_EXECUTION, "execution halted: %s", evm_halt_name(res->halt));
    }
}

static void m_call_like(svc_service *s, json_object *params, api_rpc_result *r, svc_run_kind kind) {
    if (!check_arity(params, 1, 3, r)) return;
    evm_message msg;
    cd_buf data = {0};
    cd_error err;
    cd_status st = call_object(param(params, 0), &msg, &data, &err);
    if (st != CD_OK) {
        cd_buf_free(&data);
        return fail_from(r, st, &err);
    }
    if (msg.is_create && kind == SVC_RUN_CALL && data.len == 0) {
        cd_buf_free(&data);
        return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "call without 'to' needs init code");
    }
    if (json_object_array_length(params) == 3)
        api_rpc_fail(r, API_RPC_INVALID_PARAMS, "state overrides are not supported");
    svc_head h;
    if (r->code || !head_param(s, param(params, 1), &h, r)) {
        cd_buf_free(&data);
        return;
    }
    svc_run_out out;
    st = svc_run(s, &h, kind, &msg, &out, &err);
    cd_buf_free(&data);
    if (st != CD_OK) {
        if (st == CD_ERR_EVM_TX_INVALID) api_rpc_fail(r, API_RPC_EXECUTION, "%s", cd_error_text(&err));
        else fail_from(r, st, &err);
        svc_run_out_free(&out);
        return;
    }
    if (kind == SVC_RUN_CALL) {
        if (out.res.outcome == EVM_SUCCESS) r->result = api_json_hex(out.res.output.data, out.res.output.len);
        else execution_error(r, &out.res);
    } else if (kind == SVC_RUN_ESTIMATE) {
        if (out.estimate) r->result = api_json_quantity_u64(out.estimate);
        else execution_error(r, &out.res);
    } else {
        json_object *o = json_object_new_object(), *list = json_object_new_array();
        for (size_t i = 0; list && i < out.al.n; i++) {
            json_object *e = json_object_new_object(), *keys = json_object_new_array();
            for (size_t k = 0; keys && k < out.al.entries[i].n_keys; k++) {
                uint8_t be[32];
                cd_u256_to_be32(&out.al.entries[i].keys[k], be);
                json_object_array_add(keys, api_json_hex(be, 32));
            }
            json_object_object_add(e, "address", api_json_hex(out.al.entries[i].address.b, 20));
            json_object_object_add(e, "storageKeys", keys);
            json_object_array_add(list, e);
        }
        json_object_object_add(o, "accessList", list);
        json_object_object_add(o, "gasUsed", api_json_quantity_u64(out.res.gas_used));
        if (out.res.outcome != EVM_SUCCESS)
            json_object_object_add(o, "error", json_object_new_string(out.res.outcome == EVM_REVERT ? "execution reverted"
                                                                                                   : evm_halt_name(out.res.halt)));
        r->result = o;
    }
    svc_run_out_free(&out);
}

/* ---- blocks, transactions, receipts --------------------------------------------------- */

typedef struct {
    json_object *block;        /* header JSON (verified hash), transactions as hashes */
    cd_hash32 *tx_hashes;      /* verified against transactionsRoot */
    size_t n_tx;
} verified_block;

static void verified_block_free(verified_block *b) {
    json_object_put(b->block);
    free(b->tx_hashes);
    memset(b, 0, sizeof *b);
}

/* The block's header must hash to the verified block hash; its transaction list must
 * rebuild the verified transactionsRoot from the raw transactions. */
CD_MUST_CHECK static cd_status fetch_block(svc_service *s, const svc_head *h, verified_block *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    char hex[67], params[100];
    cd_hex_encode(hex, h->claim.block_hash.b, 32);
    snprintf(params, sizeof params, "[\"%s\",false]", hex);
    unsigned order[SVC_MAX_UPSTREAMS];
    unsigned np = svc_pool_order(&s->exec, order);
    cd_status st = cd_fail(err, CD_ERR_UPSTREAM, "no execution provider");
    for (unsigned k = 0; k < np; k++) {
        json_object *blk = NULL;
        st = svc_rpc(&s->exec, order[k], "eth_getBlockByHash", params, &blk, err);
        if (st != CD_OK) continue;
        cd_hash32 hash;
        if (!blk || !json_object_is_type(blk, json_type_object)) st = cd_fail(err, CD_ERR_UPSTREAM, "block not found upstream");
        else st = mpt_header_hash_json(blk, &hash, err);
        if (st == CD_OK && !cd_hash32_eq(&hash, &h->claim.block_hash))
            st = cd_fail(err, CD_ERR_BLOCK_HASH_MISMATCH, "header does not hash to the verified block hash");
        json_object *txs = NULL;
        size_t n = 0;
        if (st == CD_OK) {
            if (!json_object_object_get_ex(blk, "transactions", &txs) || !json_object_is_type(txs, json_type_array))
                st = cd_fail(err, CD_ERR_BAD_JSON, "block has no transactions array");
            else if ((n = json_object_array_length(txs)) > 1024)
                st = cd_fail(err, CD_ERR_UNSUPPORTED, "blocks with more than 1024 transactions are not supported");
        }
        cd_hash32 *hashes = st == CD_OK ? calloc(n ? n : 1, sizeof *hashes) : NULL;
        if (st == CD_OK && !hashes) st = cd_fail(err, CD_ERR_NOMEM, "tx hashes");
        for (size_t i = 0; st == CD_OK && i < n; i++)
            st = api_get_hash(json_object_array_get_idx(txs, i), "transaction hash", &hashes[i], err);
        if (st == CD_OK && n) {
            const char **methods = calloc(n, sizeof *methods), **ps = calloc(n, sizeof *ps);
            char (*pbuf)[72] = calloc(n, sizeof *pbuf);
            json_object **raws = calloc(n, sizeof *raws);
            cd_bytes *vals = calloc(n, sizeof *vals);
            cd_buf *bufs = calloc(n, sizeof *bufs);
            if (!methods || !ps || !pbuf || !raws || !vals || !bufs) st = cd_fail(err, CD_ERR_NOMEM, "tx batch");
            for (size_t i = 0; st == CD_OK && i < n; i++) {
                char th[67];
                cd_hex_encode(th, hashes[i].b, 32);
                snprintf(pbuf[i], sizeof pbuf[i], "[\"%s\"]", th);
                methods[i] = "eth_getRawTransactionByHash";
                ps[i] = pbuf[i];
            }
            if (st == CD_OK) st = svc_rpc_batch(&s->exec, order[k], n, methods, ps, raws, err);
            for (size_t i = 0; st == CD_OK && i < n; i++) {
                st = api_get_data(raws[i], "raw transaction", 1 << 20, &bufs[i], err);
                if (st != CD_OK) break;
                vals[i] = cd_buf_bytes(&bufs[i]);
                cd_hash32 th;
                keccak256(vals[i].ptr, vals[i].len, th.b);
                if (!cd_hash32_eq(&th, &hashes[i])) st = cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "transaction %zu does not hash to its hash", i);
            }
            cd_hash32 root, want;
            if (st == CD_OK) st = mpt_ordered_trie_root(vals, n, &root);
            if (st == CD_OK) {
                json_object *tr = NULL;
                json_object_object_get_ex(blk, "transactionsRoot", &tr);
                st = api_get_hash(tr, "transactionsRoot", &want, err);
                if (st == CD_OK && !cd_hash32_eq(&root, &want))
                    st = cd_fail(err, CD_ERR_MPT_ROOT_MISMATCH, "transactions do not rebuild transactionsRoot");
            }
            for (size_t i = 0; i < n; i++) {
                if (raws) json_object_put(raws[i]);
                if (bufs) cd_buf_free(&bufs[i]);
            }
            free(methods), free(ps), free(pbuf), free(raws), free(vals), free(bufs);
        }
        if (st == CD_OK) {
            out->block = blk;
            out->tx_hashes = hashes;
            out->n_tx = n;
            atomic_fetch_add(&s->m.proofs_verified, 1);
            return CD_OK;
        }
        free(hashes);
        json_object_put(blk);
        if (st != CD_ERR_UPSTREAM && st != CD_ERR_NOMEM) {
            atomic_fetch_add(&s->m.proofs_failed, 1);
            char what[300];
            snprintf(what, sizeof what, "block %s: %s", hex, cd_error_text(err));
            svc_pool_report_lie(&s->exec, order[k], what);
        }
    }
    return st;
}

/* Fields of a block or receipt that no root covers are dropped rather than passed on. */
static void drop_fields(json_object *o, const char *const *names) {
    for (const char *const *n = names; *n; n++) json_object_object_del(o, *n);
}

static void m_get_block(svc_service *s, json_object *params, api_rpc_result *r, bool by_hash) {
    if (!check_arity(params, 1, 2, r)) return;
    json_object *full = param(params, 1);
    if (full && !json_object_is_type(full, json_type_boolean))
        return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "second param must be a boolean");
    if (full && json_object_get_boolean(full))
        return api_rpc_fail(r, API_RPC_UNVERIFIABLE,
                            "full transaction objects are not verified; ask with false (hashes, verified against transactionsRoot)");
    if (by_hash) {
        const char *str = json_object_is_type(param(params, 0), json_type_string) ? json_object_get_string(param(params, 0)) : "";
        if (strlen(str) != 66) return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "block hash: expected 0x followed by 64 hex digits");
    }
    svc_head h;
    if (!head_param(s, param(params, 0), &h, r)) return;
    verified_block b;
    cd_error err;
    cd_status st = fetch_block(s, &h, &b, &err);
    if (st != CD_OK) return fail_from(r, st, &err);
    static const char *const unverified[] = {"size", "totalDifficulty", "withdrawals", NULL};
    drop_fields(b.block, unverified);
    r->result = json_object_get(b.block);
    verified_block_free(&b);
}

/* All receipts of a verified block, checked against its receiptsRoot, with the fields that
 * link them to transactions checked against the verified transaction list. */
cd_status svc_block_receipts(svc_service *s, const svc_head *h, json_object **out, cd_error *err) {
    *out = NULL;
    verified_block b;
    cd_status st = fetch_block(s, h, &b, err);
    if (st != CD_OK) return st;
    char hex[67], params[100];
    cd_hex_encode(hex, h->claim.block_hash.b, 32);
    snprintf(params, sizeof params, "[\"0x%llx\"]", (unsigned long long)h->claim.number);
    unsigned order[SVC_MAX_UPSTREAMS];
    unsigned np = svc_pool_order(&s->exec, order);
    st = cd_fail(err, CD_ERR_UPSTREAM, "no execution provider");
    for (unsigned k = 0; k < np; k++) {
        json_object *rs = NULL;
        st = svc_rpc(&s->exec, order[k], "eth_getBlockReceipts", params, &rs, err);
        if (st != CD_OK) continue;
        cd_hash32 root;
        if (!json_object_is_type(rs, json_type_array) || json_object_array_length(rs) != b.n_tx)
            st = cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "receipt count differs from the verified transaction count");
        else st = mpt_receipts_root_json(rs, &root, err);
        if (st == CD_OK && !cd_hash32_eq(&root, &h->claim.receipts_root))
            st = cd_fail(err, CD_ERR_MPT_ROOT_MISMATCH, "receipts do not rebuild the verified receiptsRoot");
        uint64_t prev_cum = 0, log_index = 0;
        for (size_t i = 0; st == CD_OK && i < b.n_tx; i++) {
            json_object *rc = json_object_array_get_idx(rs, i), *v = NULL, *logs = NULL;
            cd_hash32 th, bh;
            uint64_t cum = 0, used = 0, num = 0;
            if (!json_object_object_get_ex(rc, "transactionHash", &v) || api_get_hash(v, "transactionHash", &th, err) != CD_OK ||
                !cd_hash32_eq(&th, &b.tx_hashes[i]))
                st = cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "receipt %zu: transactionHash is not the verified one", i);
            else if (!json_object_object_get_ex(rc, "blockHash", &v) || api_get_hash(v, "blockHash", &bh, err) != CD_OK ||
                     !cd_hash32_eq(&bh, &h->claim.block_hash))
                st = cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "receipt %zu: blockHash differs", i);
            else if (!json_object_object_get_ex(rc, "blockNumber", &v) || api_get_u64(v, "blockNumber", &num, err) != CD_OK ||
                     num != h->claim.number)
                st = cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "receipt %zu: blockNumber differs", i);
            else if (!json_object_object_get_ex(rc, "cumulativeGasUsed", &v) || api_get_u64(v, "cumulativeGasUsed", &cum, err) != CD_OK ||
                     !json_object_object_get_ex(rc, "gasUsed", &v) || api_get_u64(v, "gasUsed", &used, err) != CD_OK ||
                     cum < prev_cum || used != cum - prev_cum)
                st = cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "receipt %zu: gasUsed is not the cumulative difference", i);
            prev_cum = cum;
            if (st != CD_OK) break;
            /* Log positions are implied by the order; the log contents are under the root. */
            if (json_object_object_get_ex(rc, "logs", &logs) && json_object_is_type(logs, json_type_array)) {
                for (size_t j = 0; j < json_object_array_length(logs); j++) {
                    json_object *lg = json_object_array_get_idx(logs, j);
                    json_object_object_add(lg, "blockHash", api_json_hex(h->claim.block_hash.b, 32));
                    json_object_object_add(lg, "blockNumber", api_json_quantity_u64(h->claim.number));
                    json_object_object_add(lg, "transactionHash", api_json_hex(th.b, 32));
                    json_object_object_add(lg, "transactionIndex", api_json_quantity_u64(i));
                    json_object_object_add(lg, "logIndex", api_json_quantity_u64(log_index++));
                    json_object_object_add(lg, "removed", json_object_new_boolean(false));
                    json_object_object_del(lg, "blockTimestamp");
                }
            }
            static const char *const unverified[] = {"from", "to", "contractAddress", "effectiveGasPrice", "blobGasUsed",
                                                     "blobGasPrice", NULL};
            drop_fields(rc, unverified);
        }
        if (st == CD_OK) {
            atomic_fetch_add(&s->m.proofs_verified, 1);
            *out = rs;
            break;
        }
        json_object_put(rs);
        if (st != CD_ERR_UPSTREAM && st != CD_ERR_NOMEM) {
            atomic_fetch_add(&s->m.proofs_failed, 1);
            char what[300];
            snprintf(what, sizeof what, "receipts of %s: %s", hex, cd_error_text(err));
            svc_pool_report_lie(&s->exec, order[k], what);
        }
    }
    verified_block_free(&b);
    return st;
}

static void m_get_block_receipts(svc_service *s, json_object *params, api_rpc_result *r) {
    if (!check_arity(params, 1, 1, r)) return;
    svc_head h;
    if (!head_param(s, param(params, 0), &h, r)) return;
    cd_error err;
    json_object *rs = NULL;
    cd_status st = svc_block_receipts(s, &h, &rs, &err);
    if (st != CD_OK) return fail_from(r, st, &err);
    r->result = rs;
}

static void m_get_receipt(svc_service *s, json_object *params, api_rpc_result *r) {
    if (!check_arity(params, 1, 1, r)) return;
    cd_hash32 th;
    cd_error err;
    cd_status st = api_get_hash(param(params, 0), "transaction hash", &th, &err);
    if (st != CD_OK) return fail_from(r, st, &err);
    /* Which block: the upstream says; the answer is only given once that block verifies. */
    char hex[67], ps[80];
    cd_hex_encode(hex, th.b, 32);
    snprintf(ps, sizeof ps, "[\"%s\"]", hex);
    unsigned order[SVC_MAX_UPSTREAMS];
    svc_pool_order(&s->exec, order);
    json_object *rc = NULL, *bh = NULL;
    st = svc_rpc(&s->exec, order[0], "eth_getTransactionReceipt", ps, &rc, &err);
    if (st != CD_OK) return fail_from(r, st, &err);
    if (!rc || json_object_is_type(rc, json_type_null)) {
        json_object_put(rc);
        return api_rpc_fail(r, API_RPC_UNVERIFIABLE, "the upstream knows no receipt for %s; absence cannot be verified", hex);
    }
    api_block_ref ref = {API_BLOCK_HASH, 0, {{0}}};
    if (!json_object_object_get_ex(rc, "blockHash", &bh) || api_get_hash(bh, "blockHash", &ref.hash, &err) != CD_OK) {
        json_object_put(rc);
        return api_rpc_fail(r, API_RPC_UPSTREAM, "upstream receipt has no blockHash");
    }
    svc_head h;
    json_object *all = NULL;
    if (!svc_find_block(s, &ref, &h, &err)) st = err.code;
    else st = svc_block_receipts(s, &h, &all, &err);
    if (st != CD_OK) {
        json_object_put(rc);
        return fail_from(r, st, &err);
    }
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *one = json_object_array_get_idx(all, i), *v = NULL;
        cd_hash32 x;
        if (json_object_object_get_ex(one, "transactionHash", &v) && api_get_hash(v, "t", &x, &err) == CD_OK &&
            cd_hash32_eq(&x, &th)) {
            r->result = json_object_get(one);
            break;
        }
    }
    json_object_put(all);
    /* The provider's own receipt must agree with the verified one: if it does not, it lied;
     * say so and refuse rather than keep using it. */
    if (r->result) {
        cd_buf a = {0}, b = {0};
        bool same = mpt_receipt_encode_json(rc, &a, &err) == CD_OK && mpt_receipt_encode_json(r->result, &b, &err) == CD_OK &&
                    a.len == b.len && !memcmp(a.data, b.data, a.len);
        cd_buf_free(&a), cd_buf_free(&b);
        if (!same) {
            svc_pool_report_lie(&s->exec, order[0], "eth_getTransactionReceipt contradicts the verified block receipts");
            api_rpc_fail(r, API_RPC_UPSTREAM, "the provider's receipt contradicts the verified receipts of its block; provider reported");
        }
    }
    json_object_put(rc);
    if (!r->result) api_rpc_fail(r, API_RPC_UNVERIFIABLE, "transaction %s is not in the block the upstream named", hex);
}

/* eth_getLogs over verified blocks only. */
static bool topic_matches(json_object *want, json_object *have) {
    if (!want || json_object_is_type(want, json_type_null)) return true;
    const char *h = have ? json_object_get_string(have) : NULL;
    if (!h) return false;
    if (json_object_is_type(want, json_type_string)) return !strcasecmp(json_object_get_string(want), h);
    if (json_object_is_type(want, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(want); i++)
            if (!strcasecmp(json_object_get_string(json_object_array_get_idx(want, i)), h)) return true;
    }
    return false;
}

static bool address_matches(json_object *want, json_object *have) {
    if (!want || json_object_is_type(want, json_type_null)) return true;
    return topic_matches(want, have);
}

static void m_get_logs(svc_service *s, json_object *params, api_rpc_result *r) {
    if (!check_arity(params, 1, 1, r)) return;
    json_object *f = param(params, 0), *from = NULL, *to = NULL, *addr = NULL, *topics = NULL, *bh = NULL;
    if (!json_object_is_type(f, json_type_object)) return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "filter must be an object");
    json_object_object_foreach(f, key, val) {
        if (!strcmp(key, "fromBlock")) from = val;
        else if (!strcmp(key, "toBlock")) to = val;
        else if (!strcmp(key, "address")) addr = val;
        else if (!strcmp(key, "topics")) topics = val;
        else if (!strcmp(key, "blockHash")) bh = val;
        else return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "unknown filter field '%.60s'", key);
    }
    if (topics && !json_object_is_type(topics, json_type_array)) return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "topics must be an array");
    if (topics && json_object_array_length(topics) > 4) return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "at most 4 topics");
    svc_head lo, hi;
    if (bh) {
        if (from || to) return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "blockHash excludes fromBlock/toBlock");
        if (!head_param(s, bh, &lo, r)) return;
        hi = lo;
    } else {
        if (!head_param(s, from, &lo, r) || !head_param(s, to, &hi, r)) return;
    }
    if (hi.claim.number < lo.claim.number) return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "toBlock is before fromBlock");
    if (hi.claim.number - lo.claim.number >= LOGS_MAX_BLOCKS)
        return api_rpc_fail(r, API_RPC_INVALID_PARAMS, "at most %d blocks per eth_getLogs", LOGS_MAX_BLOCKS);
    json_object *out = json_object_new_array();
    for (uint64_t n = lo.claim.number; out && n <= hi.claim.number; n++) {
        svc_head h;
        cd_error err;
        api_block_ref ref = {API_BLOCK_NUMBER, n, {{0}}};
        if (n == hi.claim.number) h = hi;
        else if (n == lo.claim.number) h = lo;
        else if (!svc_find_block(s, &ref, &h, &err)) {
            json_object_put(out);
            return api_rpc_fail(r, API_RPC_UNVERIFIABLE, "block %llu in the range is not verified: %s", (unsigned long long)n,
                                cd_error_text(&err));
        }
        json_object *rs = NULL;
        cd_status st = svc_block_receipts(s, &h, &rs, &err);
        if (st != CD_OK) {
            json_object_put(out);
            return fail_from(r, st, &err);
        }
        for (size_t i = 0; i < json_object_array_length(rs); i++) {
            json_object *logs = NULL;
            if (!json_object_object_get_ex(json_object_array_get_idx(rs, i), "logs", &logs)) continue;
            for (size_t j = 0; j < json_object_array_length(logs); j++) {
                json_object *lg = json_object_array_get_idx(logs, j), *la = NULL, *lt = NULL;
                json_object_object_get_ex(lg, "address", &la);
                json_object_object_get_ex(lg, "topics", &lt);
                bool ok = address_matches(addr, la);
                for (size_t t = 0; ok && topics && t < json_object_array_length(topics); t++)
                    ok = topic_matches(json_object_array_get_idx(topics, t),
                                       lt && t < json_object_array_length(lt) ? json_object_array_get_idx(lt, t) : NULL);
                if (ok) json_object_array_add(out, json_object_get(lg));
            }
        }
        json_object_put(rs);
    }
    r->result = out;
}

static void m_send_raw(svc_service *s, json_object *params, api_rpc_result *r) {
    if (!check_arity(params, 1, 1, r)) return;
    cd_buf raw = {0};
    cd_error err;
    cd_status st = api_get_data(param(params, 0), "transaction", TX_DATA_MAX, &raw, &err);
    if (st != CD_OK || raw.len == 0) {
        cd_buf_free(&raw);
        return st != CD_OK ? fail_from(r, st, &err) : api_rpc_fail(r, API_RPC_INVALID_PARAMS, "empty transaction");
    }
    cd_hash32 h;
    keccak256(raw.data, raw.len, h.b);
    cd_buf ps = {0};
    if (cd_buf_append(&ps, "[\"", 2) != CD_OK || cd_hex_encode_buf(&ps, raw.data, raw.len) != CD_OK ||
        cd_buf_append(&ps, "\"]", 3) != CD_OK) {
        cd_buf_free(&raw), cd_buf_free(&ps);
        return api_rpc_fail(r, API_RPC_INTERNAL, "out of memory");
    }
    cd_buf_free(&raw);
    /* Sent to every provider: one that drops transactions cannot censor ours. */
    unsigned order[SVC_MAX_UPSTREAMS];
    unsigned np = svc_pool_order(&s->exec, order), accepted = 0;
    st = CD_ERR_UPSTREAM;
    for (unsigned k = 0; k < np; k++) {
        json_object *res = NULL;
        cd_status one = svc_rpc(&s->exec, order[k], "eth_sendRawTransaction", (const char *)ps.data, &res, &err);
        cd_hash32 said;
        if (one == CD_OK) {
            if (api_get_hash(res, "hash", &said, &err) == CD_OK && cd_hash32_eq(&said, &h)) accepted++;
            else svc_pool_report_lie(&s->exec, order[k], "eth_sendRawTransaction answered a different hash");
        }
        json_object_put(res);
    }
    cd_buf_free(&ps);
    r->meta = json_object_new_object();
    if (r->meta) {
        json_object_object_add(r->meta, "forwarded", json_object_new_boolean(true));
        json_object_object_add(r->meta, "acceptedBy", json_object_new_int((int)accepted));
        json_object_object_add(r->meta, "providers", json_object_new_int((int)np));
        json_object_object_add(r->meta, "note", json_object_new_string(
            "forwarded unverified to the execution providers; the hash is computed locally, inclusion is not checked"));
    }
    if (!accepted) return fail_from(r, st, &err);
    r->result = api_json_hex(h.b, 32);
}

/* ---- dispatch ------------------------------------------------------------------------ */

void svc_rpc_dispatch(void *ctx, const char *method, json_object *params, api_rpc_result *r) {
    svc_service *s = ctx;
    atomic_fetch_add(&s->m.rpc_calls, 1);
    svc_head h;
    if (!strcmp(method, "eth_chainId")) {
        if (check_arity(params, 0, 0, r)) r->result = api_json_quantity_u64(s->chain_id);
    } else if (!strcmp(method, "net_version")) {
        char v[24];
        snprintf(v, sizeof v, "%llu", (unsigned long long)s->chain_id);
        if (check_arity(params, 0, 0, r)) r->result = json_object_new_string(v);
    } else if (!strcmp(method, "web3_clientVersion")) {
        if (check_arity(params, 0, 0, r)) r->result = json_object_new_string("candor/" CANDOR_VERSION);
    } else if (!strcmp(method, "eth_blockNumber")) {
        if (!check_arity(params, 0, 0, r)) return;
        if (svc_get_head(s, false, &h)) r->result = api_json_quantity_u64(h.claim.number);
        else api_rpc_fail(r, API_RPC_NOT_SYNCED, "no verified block yet");
    } else if (!strcmp(method, "eth_syncing")) {
        uint64_t lag;
        if (check_arity(params, 0, 0, r)) r->result = json_object_new_boolean(!svc_is_synced(s, &lag));
    } else if (!strcmp(method, "eth_getBalance")) {
        m_account_field(s, params, r, 0);
    } else if (!strcmp(method, "eth_getTransactionCount")) {
        m_account_field(s, params, r, 1);
    } else if (!strcmp(method, "eth_getCode")) {
        m_account_field(s, params, r, 2);
    } else if (!strcmp(method, "eth_getStorageAt")) {
        m_get_storage_at(s, params, r);
    } else if (!strcmp(method, "eth_getProof")) {
        m_get_proof(s, params, r);
    } else if (!strcmp(method, "eth_call")) {
        m_call_like(s, params, r, SVC_RUN_CALL);
    } else if (!strcmp(method, "eth_estimateGas")) {
        m_call_like(s, params, r, SVC_RUN_ESTIMATE);
    } else if (!strcmp(method, "eth_createAccessList")) {
        m_call_like(s, params, r, SVC_RUN_ACCESS_LIST);
    } else if (!strcmp(method, "eth_getBlockByNumber")) {
        m_get_block(s, params, r, false);
    } else if (!strcmp(method, "eth_getBlockByHash")) {
        m_get_block(s, params, r, true);
    } else if (!strcmp(method, "eth_getTransactionReceipt")) {
        m_get_receipt(s, params, r);
    } else if (!strcmp(method, "eth_getBlockReceipts")) {
        m_get_block_receipts(s, params, r);
    } else if (!strcmp(method, "eth_getLogs")) {
        m_get_logs(s, params, r);
    } else if (!strcmp(method, "eth_sendRawTransaction")) {
        m_send_raw(s, params, r);
    } else {
        api_rpc_fail(r, API_RPC_METHOD_NOT_FOUND, "method %.64s is not supported: its answer could not be verified", method);
    }
}
