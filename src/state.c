#include "src/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "rlp/rlp.h"

#define CODE_MAX (64 * 1024) /* EIP-7907 raises the 24 KiB limit; keep headroom */

void svc_state_init(svc_state *st, svc_service *s, const svc_head *head) {
    memset(st, 0, sizeof *st);
    st->s = s;
    st->head = *head;
    snprintf(st->block_tag, sizeof st->block_tag, "0x%llx", (unsigned long long)head->claim.number);
}

void svc_state_free(svc_state *st) {
    for (size_t i = 0; i < st->n_accounts; i++) cd_buf_free(&st->accounts[i].code);
    free(st->accounts);
    free(st->slots);
    st->accounts = NULL;
    st->slots = NULL;
    st->n_accounts = st->n_slots = 0;
}

static svc_state_account *find_account(svc_state *st, const cd_address *a) {
    for (size_t i = 0; i < st->n_accounts; i++)
        if (cd_address_eq(&st->accounts[i].addr, a)) return &st->accounts[i];
    return NULL;
}

static svc_state_slot *find_slot(svc_state *st, const cd_address *a, const cd_u256 *key) {
    for (size_t i = 0; i < st->n_slots; i++)
        if (cd_address_eq(&st->slots[i].addr, a) && cd_u256_eq(&st->slots[i].key, key)) return &st->slots[i];
    return NULL;
}

/* Records a verified proof's account and slots in the cache. */
CD_MUST_CHECK static cd_status cache_proof(svc_state *st, const mpt_account_proof *p, bool exists, cd_error *err) {
    svc_state_account *a = find_account(st, &p->address);
    if (!a) {
        if (st->n_accounts >= SVC_STATE_MAX_ACCOUNTS)
            return cd_fail(err, CD_ERR_TOO_LARGE, "call touches more than %d accounts", SVC_STATE_MAX_ACCOUNTS);
        if (st->n_accounts % 16 == 0) {
            svc_state_account *g = realloc(st->accounts, (st->n_accounts + 16) * sizeof *g);
            if (!g) return cd_fail(err, CD_ERR_NOMEM, "state cache");
            st->accounts = g;
        }
        a = &st->accounts[st->n_accounts++];
        memset(a, 0, sizeof *a);
        a->addr = p->address;
        a->acc.exists = exists;
        a->acc.nonce = p->account.nonce;
        a->acc.balance = p->account.balance;
        a->acc.code_hash = p->account.code_hash;
        a->acc.has_storage = !cd_hash32_eq(&p->account.storage_root, &mpt_empty_trie_root);
        a->storage_root = p->account.storage_root;
    }
    for (size_t i = 0; i < p->storage_len; i++) {
        cd_u256 key;
        if (cd_u256_from_be(&key, p->storage[i].key.b, 32) != CD_OK) return cd_fail(err, CD_ERR_INTERNAL, "slot key");
        if (find_slot(st, &p->address, &key)) continue;
        if (st->n_slots >= SVC_STATE_MAX_SLOTS)
            return cd_fail(err, CD_ERR_TOO_LARGE, "call touches more than %d storage slots", SVC_STATE_MAX_SLOTS);
        if (st->n_slots % 64 == 0) {
            svc_state_slot *g = realloc(st->slots, (st->n_slots + 64) * sizeof *g);
            if (!g) return cd_fail(err, CD_ERR_NOMEM, "state cache");
            st->slots = g;
        }
        svc_state_slot *sl = &st->slots[st->n_slots++];
        sl->addr = p->address;
        sl->key = key;
        sl->value = p->storage[i].value;
    }
    return CD_OK;
}

/* JSON params of eth_getProof(a, keys, block). */
CD_MUST_CHECK static cd_status proof_params(const svc_state *st, const cd_address *a, const cd_u256 *keys,
                                            size_t n, cd_buf *out) {
    char hex[70];
    cd_hex_encode(hex, a->b, 20);
    cd_status s = cd_buf_append(out, "[\"", 2);
    if (s == CD_OK) s = cd_buf_append(out, hex, 42);
    if (s == CD_OK) s = cd_buf_append(out, "\",[", 3);
    for (size_t i = 0; i < n && s == CD_OK; i++) {
        uint8_t be[32];
        cd_u256_to_be32(&keys[i], be);
        cd_hex_encode(hex, be, 32); /* 32-byte keys: some nodes refuse shorter ones */
        if (i) s = cd_buf_push(out, ',');
        if (s == CD_OK) s = cd_buf_push(out, '"');
        if (s == CD_OK) s = cd_buf_append(out, hex, 66);
        if (s == CD_OK) s = cd_buf_push(out, '"');
    }
    if (s == CD_OK) s = cd_buf_append(out, "],\"", 3);
    if (s == CD_OK) s = cd_buf_append(out, st->block_tag, strlen(st->block_tag));
    if (s == CD_OK) s = cd_buf_append(out, "\"]", 3); /* with NUL */
    return s;
}

/* Checks an eth_getProof result: it must be about `a`, hold exactly the asked slots, and
 * verify against the block's state root. */
CD_MUST_CHECK static cd_status verify_proof_json(svc_state *st, json_object *res, const cd_address *a,
                                                 const cd_u256 *keys, size_t n, mpt_account_proof *p, bool *exists,
                                                 cd_error *err) {
    cd_status s = mpt_account_proof_from_json(res, p, err);
    if (s != CD_OK) return s;
    if (!cd_address_eq(&p->address, a)) return cd_fail(err, CD_ERR_MPT_ACCOUNT_MISMATCH, "proof is for another address");
    if (p->storage_len != n) return cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "proof has %zu storage entries, asked %zu", p->storage_len, n);
    for (size_t i = 0; i < n; i++) {
        uint8_t be[32];
        cd_u256_to_be32(&keys[i], be);
        if (memcmp(be, p->storage[i].key.b, 32))
            return cd_fail(err, CD_ERR_MPT_VALUE_MISMATCH, "storage proof %zu is for another slot", i);
    }
    /* The account (and code) first; the slots below, under its proven storage root. */
    size_t n_storage = p->storage_len;
    p->storage_len = 0;
    s = mpt_account_proof_verify(&st->head.claim.state_root, p, exists, err);
    p->storage_len = n_storage;
    for (size_t i = 0; s == CD_OK && i < n_storage; i++) s = mpt_storage_proof_verify(&p->account.storage_root, &p->storage[i], err);
    if (s == CD_OK) atomic_fetch_add(&st->s->m.proofs_verified, 1);
    else atomic_fetch_add(&st->s->m.proofs_failed, 1);
    return s;
}

static bool is_lie(cd_status s) { return s != CD_OK && s != CD_ERR_UPSTREAM && s != CD_ERR_NOMEM && s != CD_ERR_TOO_LARGE; }

cd_status svc_state_get_proof(svc_state *st, const cd_address *a, const cd_u256 *keys, size_t n, json_object **out,
                              cd_error *err) {
    *out = NULL;
    cd_buf params = {0};
    cd_status s = proof_params(st, a, keys, n, &params);
    if (s != CD_OK) {
        cd_buf_free(&params);
        return cd_fail(err, s, "eth_getProof params");
    }
    if (st->round_trips >= SVC_STATE_MAX_ROUND_TRIPS) {
        cd_buf_free(&params);
        return cd_fail(err, CD_ERR_TOO_LARGE, "more than %d upstream requests for one answer", SVC_STATE_MAX_ROUND_TRIPS);
    }
    unsigned order[SVC_MAX_UPSTREAMS];
    unsigned np = svc_pool_order(&st->s->exec, order);
    s = cd_fail(err, CD_ERR_UPSTREAM, "no execution provider");
    for (unsigned k = 0; k < np; k++) {
        json_object *res = NULL;
        st->round_trips++;
        s = svc_rpc(&st->s->exec, order[k], "eth_getProof", (const char *)params.data, &res, err);
        if (s == CD_OK) {
            mpt_account_proof p;
            memset(&p, 0, sizeof p);
            bool exists = false;
            s = verify_proof_json(st, res, a, keys, n, &p, &exists, err);
            if (s == CD_OK) s = cache_proof(st, &p, exists, err);
            mpt_account_proof_free(&p);
            if (s == CD_OK) {
                *out = res;
                break;
            }
            json_object_put(res);
            if (is_lie(s)) {
                char what[300];
                snprintf(what, sizeof what, "eth_getProof: %s", cd_error_text(err));
                svc_pool_report_lie(&st->s->exec, order[k], what);
            }
        }
    }
    cd_buf_free(&params);
    return s;
}

/* Code of a prefetched account from its batch answer, checked against the proven codeHash. */
CD_MUST_CHECK static cd_status cache_code(svc_state *st, const cd_address *a, json_object *res, cd_error *err) {
    svc_state_account *acc = find_account(st, a);
    if (!acc || acc->has_code) return CD_OK;
    cd_buf b = {0};
    cd_status s = api_get_data(res, "eth_getCode result", CODE_MAX, &b, err);
    if (s == CD_OK) s = mpt_code_verify(&acc->acc.code_hash, cd_buf_bytes(&b), err);
    if (s != CD_OK) {
        cd_buf_free(&b);
        return s;
    }
    acc->code = b;
    acc->has_code = true;
    return CD_OK;
}

/* One batch: eth_getProof for every entry, and eth_getCode for every entry (most calls need
 * the code of what they touch, and asking in the same request saves a round trip). */
cd_status svc_state_prefetch(svc_state *st, const evm_access_list *al, cd_error *err) {
    if (!al || al->n == 0) return CD_OK;
    size_t n = al->n > 256 ? 256 : al->n;
    const char **methods = calloc(2 * n, sizeof *methods), **params = calloc(2 * n, sizeof *params);
    json_object **res = calloc(2 * n, sizeof *res);
    cd_buf *pbufs = calloc(n, sizeof *pbufs);
    char (*cbufs)[80] = calloc(n, sizeof *cbufs);
    cd_status s = methods && params && res && pbufs && cbufs ? CD_OK : CD_ERR_NOMEM;
    for (size_t i = 0; i < n && s == CD_OK; i++) {
        methods[i] = "eth_getProof";
        s = proof_params(st, &al->entries[i].address, al->entries[i].keys, al->entries[i].n_keys, &pbufs[i]);
        params[i] = (const char *)pbufs[i].data;
        char hex[43];
        cd_hex_encode(hex, al->entries[i].address.b, 20);
        snprintf(cbufs[i], sizeof cbufs[i], "[\"%s\",\"%s\"]", hex, st->block_tag);
        methods[n + i] = "eth_getCode";
        params[n + i] = cbufs[i];
    }
    if (s == CD_OK) {
        unsigned order[SVC_MAX_UPSTREAMS];
        unsigned np = svc_pool_order(&st->s->exec, order);
        s = CD_ERR_UPSTREAM;
        for (unsigned k = 0; k < np && s != CD_OK; k++) {
            st->round_trips++;
            s = svc_rpc_batch(&st->s->exec, order[k], 2 * n, methods, params, res, err);
            if (s != CD_OK) continue;
            for (size_t i = 0; i < n && s == CD_OK; i++) {
                mpt_account_proof p;
                memset(&p, 0, sizeof p);
                bool exists = false;
                s = verify_proof_json(st, res[i], &al->entries[i].address, al->entries[i].keys, al->entries[i].n_keys,
                                      &p, &exists, err);
                if (s == CD_OK) s = cache_proof(st, &p, exists, err);
                mpt_account_proof_free(&p);
                if (s == CD_OK) s = cache_code(st, &al->entries[i].address, res[n + i], err);
            }
            for (size_t i = 0; i < 2 * n; i++) {
                json_object_put(res[i]);
                res[i] = NULL;
            }
            if (is_lie(s)) {
                char what[300];
                snprintf(what, sizeof what, "eth_getProof batch: %s", cd_error_text(err));
                svc_pool_report_lie(&st->s->exec, order[k], what);
            }
        }
    } else {
        cd_fail(err, s, "prefetch");
    }
    for (size_t i = 0; pbufs && i < n; i++) cd_buf_free(&pbufs[i]);
    free(pbufs);
    free(cbufs);
    free(methods);
    free(params);
    free(res);
    return s;
}

cd_status svc_state_account_get(svc_state *st, const cd_address *a, const svc_state_account **out, cd_error *err) {
    svc_state_account *acc = find_account(st, a);
    if (!acc) {
        json_object *res = NULL;
        cd_status s = svc_state_get_proof(st, a, NULL, 0, &res, err);
        json_object_put(res);
        if (s != CD_OK) return s;
        acc = find_account(st, a);
        if (!acc) return cd_fail(err, CD_ERR_INTERNAL, "proven account not cached");
    }
    *out = acc;
    return CD_OK;
}

cd_status svc_state_storage_get(svc_state *st, const cd_address *a, const cd_u256 *key, cd_u256 *value, cd_error *err) {
    svc_state_slot *sl = find_slot(st, a, key);
    if (!sl) {
        /* An account known to have no storage needs no slot proof. */
        svc_state_account *acc = find_account(st, a);
        if (acc && !acc->acc.has_storage) {
            memset(value, 0, sizeof *value);
            return CD_OK;
        }
        json_object *res = NULL;
        cd_status s = svc_state_get_proof(st, a, key, 1, &res, err);
        json_object_put(res);
        if (s != CD_OK) return s;
        sl = find_slot(st, a, key);
        if (!sl) return cd_fail(err, CD_ERR_INTERNAL, "proven slot not cached");
    }
    *value = sl->value;
    return CD_OK;
}

cd_status svc_state_code_get(svc_state *st, const cd_address *a, cd_bytes *code, cd_error *err) {
    const svc_state_account *cacc = NULL;
    cd_status s = svc_state_account_get(st, a, &cacc, err);
    if (s != CD_OK) return s;
    svc_state_account *acc = find_account(st, a);
    if (acc->has_code) {
        *code = cd_buf_bytes(&acc->code);
        return CD_OK;
    }
    if (cd_hash32_eq(&acc->acc.code_hash, &mpt_empty_code_hash)) {
        acc->has_code = true;
        *code = cd_bytes_make(NULL, 0);
        return CD_OK;
    }
    if (st->round_trips >= SVC_STATE_MAX_ROUND_TRIPS)
        return cd_fail(err, CD_ERR_TOO_LARGE, "more than %d upstream requests for one answer", SVC_STATE_MAX_ROUND_TRIPS);
    char params[80];
    char hex[43];
    cd_hex_encode(hex, a->b, 20);
    snprintf(params, sizeof params, "[\"%s\",\"%s\"]", hex, st->block_tag);
    unsigned order[SVC_MAX_UPSTREAMS];
    unsigned np = svc_pool_order(&st->s->exec, order);
    s = cd_fail(err, CD_ERR_UPSTREAM, "no execution provider");
    for (unsigned k = 0; k < np; k++) {
        json_object *res = NULL;
        st->round_trips++;
        s = svc_rpc(&st->s->exec, order[k], "eth_getCode", params, &res, err);
        if (s != CD_OK) continue;
        cd_buf b = {0};
        s = api_get_data(res, "eth_getCode result", CODE_MAX, &b, err);
        json_object_put(res);
        if (s == CD_OK) s = mpt_code_verify(&acc->acc.code_hash, cd_buf_bytes(&b), err);
        if (s == CD_OK) {
            acc->code = b;
            acc->has_code = true;
            *code = cd_buf_bytes(&acc->code);
            return CD_OK;
        }
        cd_buf_free(&b);
        if (is_lie(s)) svc_pool_report_lie(&st->s->exec, order[k], "eth_getCode: code does not hash to the proven codeHash");
    }
    return s;
}

/* ---- evm_host -------------------------------------------------------------------- */

static cd_status unavailable(svc_state *st) {
    return st->err.code == CD_ERR_NOMEM ? CD_ERR_NOMEM : CD_ERR_EVM_STATE_UNAVAILABLE;
}

static cd_status host_block(void *ctx, evm_block *out) {
    svc_state *st = ctx;
    const lc_execution_header *e = &st->head.exec;
    memset(out, 0, sizeof *out);
    out->number = e->block_number;
    out->timestamp = e->timestamp;
    out->gas_limit = e->gas_limit;
    out->coinbase = e->fee_recipient;
    out->base_fee = e->base_fee_per_gas;
    out->prevrandao = e->prev_randao;
    out->chain_id = st->s->chain_id;
    /* BLOBBASEFEE: Cancun's update fraction before Prague, Prague's after (EIP-7691). */
    evm_fork f = svc_state_fork(st);
    evm_blob_base_fee(e->excess_blob_gas, f >= EVM_PRAGUE ? 5007716 : 3338477, &out->blob_base_fee);
    return CD_OK;
}

static cd_status host_account(void *ctx, const cd_address *addr, evm_account *out) {
    svc_state *st = ctx;
    const svc_state_account *a = NULL;
    if (svc_state_account_get(st, addr, &a, &st->err) != CD_OK) return unavailable(st);
    *out = a->acc;
    return CD_OK;
}

static cd_status host_code(void *ctx, const cd_address *addr, const cd_hash32 *code_hash, cd_buf *out) {
    svc_state *st = ctx;
    (void)code_hash;
    cd_bytes code;
    if (svc_state_code_get(st, addr, &code, &st->err) != CD_OK) return unavailable(st);
    return code.len ? cd_buf_append(out, code.ptr, code.len) : CD_OK;
}

static cd_status host_storage(void *ctx, const cd_address *addr, const cd_u256 *key, cd_u256 *value) {
    svc_state *st = ctx;
    if (svc_state_storage_get(st, addr, key, value, &st->err) != CD_OK) return unavailable(st);
    return CD_OK;
}

static cd_status host_block_hash(void *ctx, uint64_t number, cd_hash32 *out) {
    svc_state *st = ctx;
    api_block_ref ref = {API_BLOCK_NUMBER, number, {{0}}};
    svc_head h;
    if (!svc_find_block(st->s, &ref, &h, &st->err)) {
        cd_fail(&st->err, CD_ERR_EVM_STATE_UNAVAILABLE, "BLOCKHASH(%llu): not a verified block", (unsigned long long)number);
        return CD_ERR_EVM_STATE_UNAVAILABLE;
    }
    *out = h.claim.block_hash;
    return CD_OK;
}

void svc_state_host(svc_state *st, evm_host *out) {
    out->ctx = st;
    out->get_block = host_block;
    out->get_account = host_account;
    out->get_code = host_code;
    out->get_storage = host_storage;
    out->get_block_hash = host_block_hash;
}

evm_fork svc_state_fork(const svc_state *st) {
    const lc_config *net = &st->s->net;
    lc_fork f = lc_fork_at_epoch(net, lc_epoch_at_slot(net, st->head.claim.beacon_slot));
    if (f >= LC_FORK_FULU) return EVM_OSAKA;
    if (f >= LC_FORK_ELECTRA) return EVM_PRAGUE;
    if (f >= LC_FORK_DENEB) return EVM_CANCUN;
    if (f >= LC_FORK_CAPELLA) return EVM_SHANGHAI;
    return EVM_PARIS;
}
