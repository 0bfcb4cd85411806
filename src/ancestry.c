/* Blocks older than the verified heads, proven by the parent-hash chain: the header of a
 * verified head names its parent's hash, that header (hashed by us) names its parent, and so
 * on. One batch of eth_getBlockByNumber brings the headers between a target and the nearest
 * verified head above it; each must hash to the hash its child names. Used by JSON-RPC (and
 * BLOCKHASH), not by signed answers: such a block has no beacon slot of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpt/mpt.h"
#include "src/service.h"

#define ANCESTRY_MAX 256

static json_object *field(json_object *o, const char *k) {
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* Fills a head from a header whose hash was verified. */
CD_MUST_CHECK static cd_status head_from_header(svc_service *s, json_object *h, const cd_hash32 *hash, bool finalized,
                                                svc_head *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    lc_execution_header *e = &out->exec;
    cd_status st = api_get_hash(field(h, "parentHash"), "parentHash", &e->parent_hash, err);
    if (st == CD_OK) st = api_get_address(field(h, "miner"), "miner", &e->fee_recipient, err);
    if (st == CD_OK) st = api_get_hash(field(h, "stateRoot"), "stateRoot", &e->state_root, err);
    if (st == CD_OK) st = api_get_hash(field(h, "receiptsRoot"), "receiptsRoot", &e->receipts_root, err);
    if (st == CD_OK) st = api_get_hash(field(h, "transactionsRoot"), "transactionsRoot", &e->transactions_root, err);
    if (st == CD_OK) st = api_get_hash(field(h, "mixHash"), "mixHash", &e->prev_randao, err);
    if (st == CD_OK) st = api_get_u64(field(h, "number"), "number", &e->block_number, err);
    if (st == CD_OK) st = api_get_u64(field(h, "gasLimit"), "gasLimit", &e->gas_limit, err);
    if (st == CD_OK) st = api_get_u64(field(h, "gasUsed"), "gasUsed", &e->gas_used, err);
    if (st == CD_OK) st = api_get_u64(field(h, "timestamp"), "timestamp", &e->timestamp, err);
    if (st == CD_OK && field(h, "baseFeePerGas")) st = api_get_quantity(field(h, "baseFeePerGas"), "baseFeePerGas", &e->base_fee_per_gas, err);
    if (st == CD_OK && field(h, "excessBlobGas")) st = api_get_u64(field(h, "excessBlobGas"), "excessBlobGas", &e->excess_blob_gas, err);
    if (st == CD_OK && field(h, "blobGasUsed")) st = api_get_u64(field(h, "blobGasUsed"), "blobGasUsed", &e->blob_gas_used, err);
    if (st != CD_OK) return st;
    e->block_hash = *hash;
    out->claim.chain_id = s->chain_id;
    out->claim.number = e->block_number;
    out->claim.block_hash = *hash;
    out->claim.state_root = e->state_root;
    out->claim.receipts_root = e->receipts_root;
    out->claim.finalized = finalized; /* an ancestor of a finalized block is final */
    return CD_OK;
}

/* The verified head with the smallest number above `n`. */
static bool anchor_above(svc_service *s, uint64_t n, svc_head *out) {
    bool found = false;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->recent_count; i++) {
        const svc_head *r = &s->recent[i];
        if (r->claim.number > n && (!found || r->claim.number < out->claim.number ||
                                    (r->claim.number == out->claim.number && r->claim.finalized))) {
            *out = *r;
            found = true;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

cd_status svc_prove_ancestor(svc_service *s, const svc_head *anchor_head, uint64_t n, svc_head *out, cd_error *err) {
    const svc_head anchor = *anchor_head;
    if (n > anchor.claim.number)
        return cd_fail(err, CD_ERR_NOT_FOUND, "block %llu is above the verified block %llu", (unsigned long long)n,
                       (unsigned long long)anchor.claim.number);
    if (n == anchor.claim.number) {
        *out = anchor;
        return CD_OK;
    }
    uint64_t d = anchor.claim.number - n;
    if (d > ANCESTRY_MAX)
        return cd_fail(err, CD_ERR_NOT_FOUND, "block %llu is more than %d blocks below the nearest verified head (%llu)",
                       (unsigned long long)n, ANCESTRY_MAX, (unsigned long long)anchor.claim.number);
    const char **methods = calloc(d, sizeof *methods), **params = calloc(d, sizeof *params);
    char (*pbuf)[48] = calloc(d, sizeof *pbuf);
    json_object **hdr = calloc(d, sizeof *hdr);
    cd_status st = methods && params && pbuf && hdr ? CD_OK : cd_fail(err, CD_ERR_NOMEM, "ancestry");
    /* hdr[i] is block anchor-1-i, walking down. */
    for (uint64_t i = 0; st == CD_OK && i < d; i++) {
        snprintf(pbuf[i], sizeof pbuf[i], "[\"0x%llx\",false]", (unsigned long long)(anchor.claim.number - 1 - i));
        methods[i] = "eth_getBlockByNumber";
        params[i] = pbuf[i];
    }
    unsigned order[SVC_MAX_UPSTREAMS];
    unsigned np = svc_pool_order(&s->exec, order);
    if (st == CD_OK) st = cd_fail(err, CD_ERR_UPSTREAM, "no execution provider");
    for (unsigned k = 0; k < np && st != CD_OK && st != CD_ERR_NOMEM; k++) {
        st = svc_rpc_batch(&s->exec, order[k], d, methods, params, hdr, err);
        if (st != CD_OK) continue;
        cd_hash32 expected = anchor.exec.parent_hash, got;
        for (uint64_t i = 0; st == CD_OK && i < d; i++) {
            st = mpt_header_hash_json(hdr[i], &got, err);
            if (st == CD_OK && !cd_hash32_eq(&got, &expected))
                st = cd_fail(err, CD_ERR_BLOCK_HASH_MISMATCH, "header %llu is not the parent its child names",
                             (unsigned long long)(anchor.claim.number - 1 - i));
            if (st == CD_OK) st = api_get_hash(field(hdr[i], "parentHash"), "parentHash", &expected, err);
            if (st == CD_OK && i == d - 1) st = head_from_header(s, hdr[i], &got, anchor.claim.finalized, out, err);
        }
        for (uint64_t i = 0; i < d; i++) {
            json_object_put(hdr[i]);
            hdr[i] = NULL;
        }
        if (st != CD_OK && st != CD_ERR_UPSTREAM && st != CD_ERR_NOMEM) {
            char what[300];
            snprintf(what, sizeof what, "ancestry: %s", cd_error_text(err));
            svc_pool_report_lie(&s->exec, order[k], what);
        }
    }
    free(methods), free(params), free(pbuf), free(hdr);
    return st;
}

CD_MUST_CHECK static cd_status ancestor_by_number(svc_service *s, uint64_t n, svc_head *out, cd_error *err) {
    svc_head anchor;
    memset(&anchor, 0, sizeof anchor);
    if (!anchor_above(s, n, &anchor)) return cd_fail(err, CD_ERR_NOT_FOUND, "block %llu is above the verified head", (unsigned long long)n);
    return svc_prove_ancestor(s, &anchor, n, out, err);
}

bool svc_find_block(svc_service *s, const api_block_ref *ref, svc_head *out, cd_error *err) {
    if (svc_find_head(s, ref, out, err)) return true;
    if (err->code == CD_ERR_NOT_SYNCED || (ref->kind != API_BLOCK_NUMBER && ref->kind != API_BLOCK_HASH)) return false;
    cd_status st;
    if (ref->kind == API_BLOCK_NUMBER) {
        st = ancestor_by_number(s, ref->number, out, err);
    } else {
        /* Learn the number from the upstream, then prove that block by the chain. */
        char hex[67], params[100];
        cd_hex_encode(hex, ref->hash.b, 32);
        snprintf(params, sizeof params, "[\"%s\",false]", hex);
        unsigned order[SVC_MAX_UPSTREAMS];
        svc_pool_order(&s->exec, order);
        json_object *h = NULL;
        uint64_t n = 0;
        st = svc_rpc(&s->exec, order[0], "eth_getBlockByHash", params, &h, err);
        if (st == CD_OK && (!h || !json_object_is_type(h, json_type_object)))
            st = cd_fail(err, CD_ERR_NOT_FOUND, "the upstream knows no block %s", hex);
        if (st == CD_OK) st = api_get_u64(field(h, "number"), "number", &n, err);
        json_object_put(h);
        if (st == CD_OK) st = ancestor_by_number(s, n, out, err);
        if (st == CD_OK && !cd_hash32_eq(&out->claim.block_hash, &ref->hash))
            st = cd_fail(err, CD_ERR_NOT_FOUND, "block %s is not an ancestor of the verified head", hex);
    }
    return st == CD_OK;
}
