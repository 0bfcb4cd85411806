#include "src/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/chainid.h"
#include "src/governance.h"
#include "src/peers.h"
#include "src/version.h"

cd_status svc_service_init(svc_service *s, const svc_config *cfg, cd_error *err) {
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    svc_log_init(&s->log, cfg->log_level, stderr);
    pthread_mutex_init(&s->mu, NULL);
    atomic_init(&s->stop, false);
    cd_status st;
    bool builtin = svc_known_network(cfg->network);
    st = builtin ? lc_config_builtin(&s->net, cfg->network) : lc_config_load(&s->net, cfg->network, err);
    if (st != CD_OK) {
        if (builtin) cd_fail(err, st, "network %s: no built-in configuration", cfg->network);
        cd_error_prefix(err, "--network: ");
        return st;
    }
    if ((st = svc_execution_chain_id(cfg->network, cfg->execution_chain_id, &s->chain_id, err)) != CD_OK) return st;
    snprintf(s->config_text, sizeof s->config_text,
             "{\"network\":\"%s\",\"chainId\":%llu,\"maxCheckpointAge\":%llu}", s->net.name,
             (unsigned long long)s->chain_id, (unsigned long long)cfg->max_checkpoint_age);
    att_config_digest(CANDOR_VERSION, cd_bytes_make(s->config_text, strlen(s->config_text)), &s->config_digest);

    if ((st = svc_make_dir(cfg->data_dir, err)) != CD_OK) return st;
    att_provider_config pc;
    memset(&pc, 0, sizeof pc);
    pc.name = cfg->tee;
    pc.key_dir = cfg->data_dir;
    if (cfg->has_mock_measurement) {
        if (strcmp(cfg->tee, "mock"))
            return cd_fail(err, CD_ERR_CONFIG, "--mock-measurement is for --tee mock only");
        pc.mock_measurement = cfg->mock_measurement;
    }
    if ((st = att_provider_open(&pc, &s->tee, err)) != CD_OK) {
        cd_error_prefix(err, "--tee %s: ", cfg->tee);
        return st;
    }
    uint8_t key[32];
    bool from_tee = false;
    if ((st = att_sealing_key(s->tee, "store", key, &from_tee, err)) != CD_OK) return st;
    st = svc_store_open(&s->store, cfg->data_dir, key, err);
    cd_wipe(key, sizeof key);
    if (st != CD_OK) return st;
    bool created = false;
    if ((st = svc_signer_load_or_create(&s->signer, s->store, &created, err)) != CD_OK) return st;
    char addr[43];
    cd_hex_encode(addr, svc_signer_address(s->signer)->b, 20);
    SVC_LOGI(&s->log, "signer", "address=%s new=%s tee=%s sealing_key=%s", addr, created ? "true" : "false",
             att_provider_name(s->tee), from_tee ? "tee" : "file");
    /* The cluster setup may bring its own execution upstream (POST /setup's execution_rpc). */
    if ((st = svc_peers_init(s, err)) != CD_OK) return st;
    cfg = &s->cfg;
    if ((st = svc_pool_init(&s->exec, "execution", cfg->execution_rpc, cfg->n_execution_rpc, cfg, &s->log, err)) != CD_OK)
        return st;
    s->exec.expect_chain_id = s->chain_id; /* each upstream is used once its eth_chainId agrees */
    if ((st = svc_pool_init(&s->beacon, "consensus", cfg->consensus_rpc, cfg->n_consensus_rpc, cfg, &s->log, err)) != CD_OK)
        return st;
    return svc_governance_init(s, err);
}

void svc_service_free(svc_service *s) {
    svc_peers_free(s);
    svc_governance_free(s);
    svc_pool_free(&s->exec);
    svc_pool_free(&s->beacon);
    lc_store_free(s->lc);
    svc_signer_free(s->signer);
    svc_store_close(s->store);
    if (s->tee) att_provider_close(s->tee);
    for (int i = 0; i < 2; i++) free(s->block_answer[i]);
    free(s->attest_answer);
    pthread_mutex_destroy(&s->mu);
    memset(s, 0, sizeof *s);
}

/* ---- heads ---------------------------------------------------------------------- */

static void head_from_lc(svc_service *s, const lc_header *h, bool finalized, svc_head *out) {
    memset(out, 0, sizeof *out);
    out->claim.chain_id = s->chain_id;
    out->claim.number = h->execution.block_number;
    out->claim.block_hash = h->execution.block_hash;
    out->claim.state_root = h->execution.state_root;
    out->claim.receipts_root = h->execution.receipts_root;
    out->claim.beacon_slot = h->beacon.slot;
    out->claim.beacon_root = h->beacon_root;
    out->claim.finalized = finalized;
    out->exec = h->execution;
}

static void remember(svc_service *s, const svc_head *h) {
    /* Skip a block already in the ring (it may come back as finalized: keep the newest flag). */
    for (size_t i = 0; i < s->recent_count; i++) {
        svc_head *r = &s->recent[i];
        if (cd_hash32_eq(&r->claim.block_hash, &h->claim.block_hash)) {
            if (h->claim.finalized) r->claim.finalized = true;
            return;
        }
    }
    s->recent[s->recent_next] = *h;
    s->recent_next = (s->recent_next + 1) % SVC_RECENT_HEADS;
    if (s->recent_count < SVC_RECENT_HEADS) s->recent_count++;
}

void svc_heads_refresh_locked(svc_service *s) {
    const lc_header *fin = lc_store_finalized(s->lc), *opt = lc_store_optimistic(s->lc);
    bool changed = false;
    if (fin && fin->has_execution) {
        svc_head h;
        head_from_lc(s, fin, true, &h);
        if (!s->have_finalized || !cd_hash32_eq(&h.claim.block_hash, &s->finalized.claim.block_hash)) {
            s->finalized = h;
            s->have_finalized = true;
            remember(s, &h);
            free(s->block_answer[1]);
            s->block_answer[1] = NULL;
            changed = true;
            char hash[67];
            cd_hex_encode(hash, h.claim.block_hash.b, 32);
            SVC_LOGI(&s->log, "finalized", "number=%llu hash=%s slot=%llu", (unsigned long long)h.claim.number,
                     hash, (unsigned long long)h.claim.beacon_slot);
        }
    }
    if (opt && opt->has_execution) {
        svc_head h;
        /* The optimistic header can be the finalized one (then it is final). */
        bool is_final = s->have_finalized && fin && opt->beacon.slot <= fin->beacon.slot;
        head_from_lc(s, is_final ? fin : opt, is_final, &h);
        if (!s->have_latest || !cd_hash32_eq(&h.claim.block_hash, &s->latest.claim.block_hash)) {
            s->latest = h;
            s->have_latest = true;
            remember(s, &h);
            free(s->block_answer[0]);
            s->block_answer[0] = NULL;
            changed = true;
            char hash[67];
            cd_hex_encode(hash, h.claim.block_hash.b, 32);
            SVC_LOGI(&s->log, "head", "number=%llu hash=%s slot=%llu", (unsigned long long)h.claim.number,
                     hash, (unsigned long long)h.claim.beacon_slot);
        }
    }
    if (changed) s->last_progress = (uint64_t)time(NULL);
}

bool svc_get_head(svc_service *s, bool finalized, svc_head *out) {
    pthread_mutex_lock(&s->mu);
    bool ok = finalized ? s->have_finalized : s->have_latest;
    if (ok) *out = finalized ? s->finalized : s->latest;
    pthread_mutex_unlock(&s->mu);
    return ok;
}

bool svc_find_head(svc_service *s, const api_block_ref *ref, svc_head *out, cd_error *err) {
    if (ref->kind == API_BLOCK_LATEST || ref->kind == API_BLOCK_FINALIZED) {
        if (svc_get_head(s, ref->kind == API_BLOCK_FINALIZED, out)) return true;
        cd_fail(err, CD_ERR_NOT_SYNCED, "no verified %s block yet", ref->kind == API_BLOCK_FINALIZED ? "finalized" : "latest");
        return false;
    }
    bool found = false;
    uint64_t lo = UINT64_MAX, hi = 0;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->recent_count; i++) {
        const svc_head *r = &s->recent[i];
        if (r->claim.number < lo) lo = r->claim.number;
        if (r->claim.number > hi) hi = r->claim.number;
        bool match = ref->kind == API_BLOCK_NUMBER ? r->claim.number == ref->number
                                                   : cd_hash32_eq(&r->claim.block_hash, &ref->hash);
        /* Prefer a finalized entry when a number appears twice (a reorged optimistic head). */
        if (match && (!found || r->claim.finalized)) {
            *out = *r;
            found = true;
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (!found) {
        if (lo == UINT64_MAX)
            cd_fail(err, CD_ERR_NOT_SYNCED, "no verified block yet");
        else
            cd_fail(err, CD_ERR_NOT_FOUND,
                    "block is not among the verified heads (numbers %llu..%llu, with gaps); it cannot be verified",
                    (unsigned long long)lo, (unsigned long long)hi);
    }
    return found;
}

uint64_t svc_current_slot(const svc_service *s) { return lc_current_slot(&s->net, (uint64_t)time(NULL)); }

bool svc_is_synced(svc_service *s, uint64_t *lag_slots) {
    svc_head h;
    if (!svc_get_head(s, false, &h)) {
        *lag_slots = UINT64_MAX;
        return false;
    }
    uint64_t now = svc_current_slot(s);
    *lag_slots = now > h.claim.beacon_slot ? now - h.claim.beacon_slot : 0;
    /* Two epochs: a head older than that means the light client stopped following. */
    return *lag_slots <= 2 * s->net.slots_per_epoch;
}
