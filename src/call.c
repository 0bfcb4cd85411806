#include "src/call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/chainid.h"

#define CALL_GAS_CAP 50000000ull /* bound on our CPU per call when the block limit is higher */

/* Adds `addr` (and its keys from a JSON array, up to the slot budget) to the list; the
 * sender and the callee are its first two entries already. */
static void add_access_entry(evm_access_list *al, size_t cap, const cd_address *addr, json_object *keys,
                             size_t *budget) {
    evm_access_entry *en = NULL;
    for (size_t i = 0; i < al->n && !en; i++)
        if (cd_address_eq(&al->entries[i].address, addr)) en = &al->entries[i];
    if (!en) {
        if (al->n >= cap) return;
        en = &al->entries[al->n++];
        en->address = *addr;
    }
    if (en->n_keys || !keys || !json_object_is_type(keys, json_type_array)) return;
    size_t nk = json_object_array_length(keys);
    if (nk > *budget) nk = *budget;
    if (!nk) return;
    en->keys = calloc(nk, sizeof *en->keys);
    cd_error err;
    for (size_t k = 0; en->keys && k < nk; k++) {
        cd_hash32 h;
        if (api_get_hash(json_object_array_get_idx(keys, k), "key", &h, &err) == CD_OK &&
            cd_u256_from_be(&en->keys[en->n_keys], h.b, 32) == CD_OK)
            en->n_keys++;
    }
    *budget -= en->n_keys;
}

/* One eth_createAccessList to learn what the call touches, then batches of proofs. The
 * upstream's list is only a hint: everything it names is proven, anything it missed is
 * found by the collecting executions, and a wrong list changes nothing but speed. */
static void prefetch(svc_state *st, const evm_message *msg) {
    char from[43], to[43];
    cd_hex_encode(from, msg->from.b, 20);
    cd_hex_encode(to, msg->to.b, 20);
    cd_buf params = {0};
    char head[200];
    int n = snprintf(head, sizeof head, "[{\"from\":\"%s\",\"to\":\"%s\",\"data\":\"", from, to);
    char val[70];
    cd_u256_to_quantity(&msg->value, val);
    char tail[200];
    int m = snprintf(tail, sizeof tail, "\",\"value\":\"%s\"}, \"%s\"]", val, st->block_tag);
    if (cd_buf_append(&params, head, (size_t)n) != CD_OK || cd_hex_encode_buf(&params, msg->data.ptr, msg->data.len) != CD_OK ||
        cd_buf_append(&params, tail, (size_t)m + 1) != CD_OK) {
        cd_buf_free(&params);
        return;
    }
    unsigned order[SVC_MAX_UPSTREAMS];
    unsigned np = svc_pool_order(&st->s->exec, order);
    json_object *res = NULL;
    cd_error err;
    evm_access_list al = {0};
    size_t cap = SVC_STATE_MAX_ACCOUNTS, budget = SVC_STATE_MAX_SLOTS;
    al.entries = calloc(cap, sizeof *al.entries);
    if (al.entries) {
        /* The sender and the callee are always read; include them. */
        al.entries[al.n++].address = msg->from;
        if (!cd_address_eq(&msg->from, &msg->to)) al.entries[al.n++].address = msg->to;
    }
    if (al.entries && np && st->round_trips < SVC_STATE_MAX_ROUND_TRIPS) {
        st->round_trips++;
        if (svc_rpc(&st->s->exec, order[0], "eth_createAccessList", (const char *)params.data, &res, &err) == CD_OK) {
            json_object *list = NULL;
            size_t cnt = 0;
            if (json_object_object_get_ex(res, "accessList", &list) && json_object_is_type(list, json_type_array))
                cnt = json_object_array_length(list);
            for (size_t i = 0; i < cnt; i++) {
                json_object *e = json_object_array_get_idx(list, i), *a = NULL, *keys = NULL;
                cd_address addr;
                if (!json_object_object_get_ex(e, "address", &a) || api_get_address(a, "address", &addr, &err) != CD_OK)
                    continue;
                json_object_object_get_ex(e, "storageKeys", &keys);
                add_access_entry(&al, cap, &addr, keys, &budget);
            }
        }
        json_object_put(res);
    }
    cd_buf_free(&params);
    if (al.n && svc_state_prefetch(st, &al, &err) != CD_OK) {
        char q[300];
        SVC_LOGD(&st->s->log, "prefetch_failed", "reason=%s", svc_log_quote(q, sizeof q, cd_error_text(&err)));
    }
    evm_access_list_free(&al);
}

static cd_status execute(evm_host *host, evm_fork fork, svc_run_kind kind, const evm_message *msg, svc_run_out *out,
                         cd_error *err) {
    switch (kind) {
    case SVC_RUN_CALL: return evm_call(host, fork, msg, &out->res, err);
    case SVC_RUN_ESTIMATE: return evm_estimate_gas(host, fork, msg, &out->estimate, &out->res, err);
    default: return evm_create_access_list(host, fork, msg, &out->al, &out->res, err);
    }
}

/* Executions: the first ones collect what they read that is not proven yet (answered
 * provisionally; such an execution is thrown away), the misses are proven in batches, and
 * the call runs again; the first execution that read only proven values is the answer.
 * After SVC_STATE_MAX_PASSES collecting executions (reads that each depend on the one
 * before) the last execution proves any further read one by one. */
cd_status svc_run(svc_service *s, const svc_head *head, svc_run_kind kind, const evm_message *msg_in, svc_run_out *out,
                  cd_error *err) {
    memset(out, 0, sizeof *out);
    svc_state st;
    svc_state_init(&st, s, head);
    evm_message msg = *msg_in;
    if (!msg.gas_cap) msg.gas_cap = head->exec.gas_limit < CALL_GAS_CAP ? head->exec.gas_limit : CALL_GAS_CAP;
    if (msg.gas > msg.gas_cap) msg.gas = msg.gas_cap;
    if (!msg.is_create) prefetch(&st, &msg);
    evm_host host;
    svc_state_host(&st, &host);
    evm_fork fork = svc_state_fork(&st);
    cd_status rc = CD_OK;
    for (unsigned pass = 0;; pass++) {
        bool collect = pass < SVC_STATE_MAX_PASSES;
        svc_state_begin_pass(&st, collect);
        atomic_fetch_add(&s->m.evm_calls, 1);
        cd_error run_err;
        cd_error_clear(&run_err);
        rc = execute(&host, fork, kind, &msg, out, &run_err);
        if (!collect || st.misses == 0) {
            if (rc != CD_OK) *err = run_err;
            break;
        }
        /* Thrown away: it read provisional values. */
        svc_run_out_free(out);
        memset(out, 0, sizeof *out);
        if (st.err.code == CD_ERR_TOO_LARGE || st.err.code == CD_ERR_NOMEM) { /* could not even record a read */
            rc = cd_fail(err, CD_ERR_EVM_STATE_UNAVAILABLE, "state could not be proven: %s", cd_error_text(&st.err));
            break;
        }
        cd_error perr;
        if (svc_state_prove_missing(&st, &perr) != CD_OK) {
            rc = cd_fail(err, CD_ERR_EVM_STATE_UNAVAILABLE, "state could not be proven: %s", cd_error_text(&perr));
            break;
        }
    }
    /* The EVM reports "unavailable"; the reason is what the state layer recorded. */
    if (rc == CD_ERR_EVM_STATE_UNAVAILABLE && st.err.code != CD_OK)
        cd_fail(err, CD_ERR_EVM_STATE_UNAVAILABLE, "state could not be proven: %s", cd_error_text(&st.err));
    out->round_trips = st.round_trips;
    out->passes = st.passes;
    svc_state_free(&st);
    return rc;
}

void svc_run_out_free(svc_run_out *out) {
    evm_result_free(&out->res);
    evm_access_list_free(&out->al);
}

/* ---- POST /call ---------------------------------------------------------------------- */

void svc_call_route(void *ctx, const api_call_request *req, api_response *out) {
    svc_service *s = ctx;
    svc_head head;
    cd_error err;
    uint64_t lag = 0;
    if (req->block.kind == API_BLOCK_LATEST && !svc_is_synced(s, &lag)) {
        api_response_error(out, 503, "not_synced", "no recent verified head yet; nothing signed");
        return;
    }
    if (!svc_find_head(s, &req->block, &head, &err)) {
        api_response_error(out, err.code == CD_ERR_NOT_SYNCED ? 503 : 422, "unverifiable", "%s", cd_error_text(&err));
        return;
    }
    if (!svc_chain_id_confirmed(s)) {
        atomic_fetch_add(&s->m.refused_answers, 1);
        api_response_error(out, 503, "chain_id_unconfirmed",
                           "no execution upstream has confirmed chain id %llu (see /health); nothing signed",
                           (unsigned long long)s->chain_id);
        return;
    }
    evm_message msg;
    memset(&msg, 0, sizeof msg);
    msg.from = req->from;
    msg.to = req->to;
    msg.data = cd_buf_bytes(&req->input);
    msg.value = req->value;
    msg.gas = req->has_gas ? req->gas : 0;
    svc_run_out r;
    cd_status st = svc_run(s, &head, SVC_RUN_CALL, &msg, &r, &err);
    if (st != CD_OK) {
        atomic_fetch_add(&s->m.refused_answers, 1);
        if (st == CD_ERR_EVM_TX_INVALID)
            api_response_error(out, 422, "invalid_call", "%s", cd_error_text(&err));
        else
            api_response_error(out, 502, "unverifiable", "%s; nothing signed", cd_error_text(&err));
        svc_run_out_free(&r);
        return;
    }
    svc_call_request cr = {req->from, req->to, req->value, req->has_gas ? req->gas : 0, cd_buf_bytes(&req->input)};
    svc_call_result res;
    memset(&res, 0, sizeof res);
    res.gas_used = r.res.gas_used;
    const char *halt = NULL;
    if (r.res.outcome == EVM_SUCCESS) res.status = SVC_CALL_SUCCESS;
    else if (r.res.outcome == EVM_REVERT) res.status = SVC_CALL_REVERT;
    else res.status = SVC_CALL_HALT;
    if (res.status == SVC_CALL_HALT) {
        halt = evm_halt_name(r.res.halt);
        res.output = cd_bytes_make(halt, strlen(halt));
    } else {
        res.output = cd_buf_bytes(&r.res.output);
    }
    uint8_t rq[32], rs[32], digest[32];
    svc_eip712_hash_request(&cr, rq);
    svc_eip712_hash_result(&res, rs);
    svc_eip712_call_digest(&head.claim, rq, rs, digest);
    json_object *o = json_object_new_object(), *resp = json_object_new_object(), *blk = json_object_new_object(),
                *rqo = json_object_new_object();
    if (!o || !resp || !blk || !rqo || svc_add_block_fields(blk, &head) != CD_OK) {
        json_object_put(o), json_object_put(resp), json_object_put(blk), json_object_put(rqo);
        svc_run_out_free(&r);
        api_response_error(out, 500, "internal", "out of memory");
        return;
    }
    json_object_object_add(resp, svc_call_status_name(res.status),
                           halt ? json_object_new_string(halt) : api_json_hex(res.output.ptr, res.output.len));
    json_object_object_add(rqo, "from", api_json_hex(cr.from.b, 20));
    json_object_object_add(rqo, "to", api_json_hex(cr.to.b, 20));
    json_object_object_add(rqo, "value", api_json_quantity(&cr.value));
    json_object_object_add(rqo, "gas", api_json_quantity_u64(cr.gas));
    json_object_object_add(rqo, "input", api_json_hex(cr.input.ptr, cr.input.len));
    json_object_object_add(o, "response", resp);
    json_object_object_add(o, "gasUsed", json_object_new_uint64(res.gas_used));
    json_object_object_add(o, "block", blk);
    json_object_object_add(o, "request", rqo);
    json_object_object_add(o, "requestHash", api_json_hex(rq, 32));
    json_object_object_add(o, "resultHash", api_json_hex(rs, 32));
    json_object_object_add(o, "roundTrips", json_object_new_uint64(r.round_trips));
    json_object_object_add(o, "executions", json_object_new_uint64(r.passes));
    svc_run_out_free(&r);
    if (svc_add_signature(s, o, digest) != CD_OK) {
        json_object_put(o);
        api_response_error(out, 500, "internal", "signing failed");
        return;
    }
    api_response_json(out, 200, o);
}
