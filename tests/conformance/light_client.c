/* Conformance: consensus-spec-tests <preset>/<fork>/light_client/{sync, update_ranking,
 * single_merkle_proof} for every fork present (altair..fulu), both presets.
 * Quick mode (CANDOR_CONFORMANCE=quick, the default) runs every case too, except that
 * mainnet single_merkle_proof BeaconState objects are only hashed for one fork. */
#include <stdlib.h>

#include "consensus/lc_internal.h"
#include "consensus/ssz.h"
#include "tests/support/yaml.h"
#include "tests/support/files.h"
#include "tests/test.h"

typedef struct {
    int passed, failed;
} counts;

/* ---- sync ------------------------------------------------------------------------- */

static bool check_header(const lc_header *h, const yaml_node *want, const char *which, char *why, size_t whylen) {
    if (!want) return true;
    uint64_t slot;
    cd_hash32 root;
    if (yaml_u64(yaml_get(want, "slot"), &slot) != CD_OK || slot != h->beacon.slot) {
        snprintf(why, whylen, "%s slot %llu, expected %s", which, (unsigned long long)h->beacon.slot,
                 yaml_get(want, "slot") ? yaml_get(want, "slot")->str : "?");
        return false;
    }
    if (yaml_hex_exact(yaml_get(want, "beacon_root"), root.b, 32) != CD_OK ||
        !cd_hash32_eq(&root, &h->beacon_root)) {
        snprintf(why, whylen, "%s beacon_root %s differs", which, test_hex(h->beacon_root.b, 32));
        return false;
    }
    const yaml_node *er = yaml_get(want, "execution_root");
    if (er) {
        if (yaml_hex_exact(er, root.b, 32) != CD_OK || !cd_hash32_eq(&root, &h->execution_root)) {
            snprintf(why, whylen, "%s execution_root %s, expected %s", which, test_hex(h->execution_root.b, 32),
                     er->str);
            return false;
        }
    }
    return true;
}

static bool check_store(const lc_store *st, const yaml_node *checks, size_t step, char *why, size_t whylen) {
    char which[64];
    snprintf(which, sizeof which, "step %zu finalized", step);
    if (!check_header(lc_store_finalized(st), yaml_get(checks, "finalized_header"), which, why, whylen)) return false;
    snprintf(which, sizeof which, "step %zu optimistic", step);
    return check_header(lc_store_optimistic(st), yaml_get(checks, "optimistic_header"), which, why, whylen);
}

static bool digest_fork(const lc_config *cfg, const yaml_node *n, lc_fork *fork) {
    uint8_t d[4];
    return yaml_hex_exact(n, d, 4) == CD_OK && lc_fork_from_digest(cfg, d, fork) == CD_OK;
}

static bool run_sync_case(const char *dir, lc_preset preset, char *why, size_t whylen) {
    char path[4096];
    yaml_doc meta = {0}, steps = {0};
    lc_store *st = NULL;
    cd_buf buf = {0};
    cd_error e = {0};
    bool ok = false;
    lc_config cfg;
    test_join_path(path, sizeof path, dir, "config.yaml");
    if (lc_config_load(&cfg, path, &e) != CD_OK) {
        snprintf(why, whylen, "config: %s", cd_error_text(&e));
        goto done;
    }
    if (cfg.preset != preset) {
        snprintf(why, whylen, "config preset differs from directory");
        goto done;
    }
    test_join_path(path, sizeof path, dir, "meta.yaml");
    if (yaml_parse_file(&meta, path, 1 << 20, &e) != CD_OK) goto yaml_fail;
    test_join_path(path, sizeof path, dir, "steps.yaml");
    if (yaml_parse_file(&steps, path, 16 << 20, &e) != CD_OK) goto yaml_fail;
    cd_hash32 trusted;
    if (yaml_hex_exact(yaml_get(meta.root, "genesis_validators_root"), cfg.genesis_validators_root.b, 32) != CD_OK ||
        yaml_hex_exact(yaml_get(meta.root, "trusted_block_root"), trusted.b, 32) != CD_OK) {
        snprintf(why, whylen, "meta.yaml: missing roots");
        goto done;
    }
    lc_fork bfork, sfork;
    if (!digest_fork(&cfg, yaml_get(meta.root, "bootstrap_fork_digest"), &bfork) ||
        !digest_fork(&cfg, yaml_get(meta.root, "store_fork_digest"), &sfork)) {
        snprintf(why, whylen, "meta.yaml: unknown fork digest");
        goto done;
    }
    lc_options opts = {.allow_force_update = true};
    if (lc_store_new(&st, &cfg, &opts, &e) != CD_OK) goto lc_fail;
    test_join_path(path, sizeof path, dir, "bootstrap.ssz_snappy");
    if (test_read_snappy(path, &buf) != CD_OK) {
        snprintf(why, whylen, "cannot read bootstrap");
        goto done;
    }
    if (lc_store_bootstrap(st, &trusted, bfork, cd_buf_bytes(&buf), &e) != CD_OK) goto lc_fail;
    if (sfork != bfork && lc_store_upgrade(st, sfork, &e) != CD_OK) goto lc_fail;
    size_t i = 0;
    for (const yaml_node *step = steps.root ? steps.root->first : NULL; step; step = step->next, i++) {
        const yaml_node *pu = yaml_get(step, "process_update"), *fu = yaml_get(step, "force_update"),
                        *us = yaml_get(step, "upgrade_store");
        const yaml_node *checks = NULL;
        uint64_t current_slot = 0;
        if (pu) {
            lc_fork ufork;
            const yaml_node *name = yaml_get(pu, "update");
            if (!digest_fork(&cfg, yaml_get(pu, "update_fork_digest"), &ufork) || !name ||
                yaml_u64(yaml_get(pu, "current_slot"), &current_slot) != CD_OK) {
                snprintf(why, whylen, "step %zu: malformed process_update", i);
                goto done;
            }
            char file[512];
            snprintf(file, sizeof file, "%s.ssz_snappy", name->str);
            test_join_path(path, sizeof path, dir, file);
            buf.len = 0;
            if (test_read_snappy(path, &buf) != CD_OK) {
                snprintf(why, whylen, "step %zu: cannot read %.200s", i, file);
                goto done;
            }
            if (lc_store_process(st, LC_MSG_UPDATE, ufork, cd_buf_bytes(&buf), current_slot, &e) != CD_OK) {
                cd_error_prefix(&e, "step %zu (%s): ", i, name->str);
                goto lc_fail;
            }
            checks = yaml_get(pu, "checks");
        } else if (fu) {
            if (yaml_u64(yaml_get(fu, "current_slot"), &current_slot) != CD_OK) {
                snprintf(why, whylen, "step %zu: malformed force_update", i);
                goto done;
            }
            if (lc_store_force_update(st, current_slot, &e) != CD_OK) goto lc_fail;
            checks = yaml_get(fu, "checks");
        } else if (us) {
            lc_fork f;
            if (!digest_fork(&cfg, yaml_get(us, "store_fork_digest"), &f)) {
                snprintf(why, whylen, "step %zu: unknown store fork digest", i);
                goto done;
            }
            if (lc_store_upgrade(st, f, &e) != CD_OK) goto lc_fail;
            checks = yaml_get(us, "checks");
        } else {
            snprintf(why, whylen, "step %zu: unknown step kind", i);
            goto done;
        }
        if (!check_store(st, checks, i, why, whylen)) goto done;
    }
    ok = true;
    goto done;
yaml_fail:
    snprintf(why, whylen, "yaml: %s", cd_error_text(&e));
    goto done;
lc_fail:
    snprintf(why, whylen, "%s: %s", cd_status_name(e.code), cd_error_text(&e));
done:
    lc_store_free(st);
    yaml_free(&meta);
    yaml_free(&steps);
    cd_buf_free(&buf);
    return ok;
}

/* ---- update_ranking --------------------------------------------------------------- */

static bool run_ranking_case(const char *dir, lc_preset preset, lc_fork fork, char *why, size_t whylen) {
    char path[4096];
    yaml_doc meta = {0};
    lc_types ty;
    lc_update *u = NULL;
    uint64_t n = 0;
    bool ok = false;
    lc_config cfg;
    if (lc_config_builtin(&cfg, "minimal") != CD_OK || lc_types_init(&ty, preset) != CD_OK) {
        snprintf(why, whylen, "setup failed");
        return false;
    }
    if (preset == LC_PRESET_MAINNET) {
        cfg.preset = preset;
        cfg.slots_per_epoch = 32;
        cfg.epochs_per_sync_committee_period = 256;
        cfg.sync_committee_size = 512;
    }
    test_join_path(path, sizeof path, dir, "meta.yaml");
    cd_error e = {0};
    if (yaml_parse_file(&meta, path, 1 << 20, &e) != CD_OK || yaml_u64(yaml_get(meta.root, "updates_count"), &n) != CD_OK ||
        n == 0 || n > 1000) {
        snprintf(why, whylen, "meta.yaml: %s", cd_error_text(&e));
        goto done;
    }
    u = calloc((size_t)n, sizeof *u);
    if (!u) goto done;
    for (uint64_t i = 0; i < n; i++) {
        char file[64];
        cd_buf b = {0};
        snprintf(file, sizeof file, "updates_%llu.ssz_snappy", (unsigned long long)i);
        test_join_path(path, sizeof path, dir, file);
        cd_status s = test_read_snappy(path, &b);
        if (s == CD_OK) s = lc_decode_update(&cfg, &ty, LC_MSG_UPDATE, fork, cd_buf_bytes(&b), &u[i], &e);
        cd_buf_free(&b);
        if (s != CD_OK) {
            snprintf(why, whylen, "%s: %s", file, cd_error_text(&e));
            goto done;
        }
    }
    /* Sorted best-first: no later update may be better than an earlier one. */
    for (uint64_t i = 0; i < n; i++)
        for (uint64_t j = i + 1; j < n; j++)
            if (lc_is_better_update(&cfg, &u[j], &u[i])) {
                snprintf(why, whylen, "updates_%llu ranks above updates_%llu", (unsigned long long)j,
                         (unsigned long long)i);
                goto done;
            }
    ok = true;
done:
    free(u);
    yaml_free(&meta);
    lc_types_free(&ty);
    return ok;
}

/* ---- driver ------------------------------------------------------------------------- */

static const struct {
    const char *name;
    lc_fork fork;
} forks[] = {{"altair", LC_FORK_ALTAIR}, {"bellatrix", LC_FORK_BELLATRIX}, {"capella", LC_FORK_CAPELLA},
             {"deneb", LC_FORK_DENEB},   {"electra", LC_FORK_ELECTRA},     {"fulu", LC_FORK_FULU}};

static bool run_merkle_case(const char *dir, const char *object, lc_preset preset, lc_fork fork, char *why, size_t whylen);
static bool run_collection_case(const char *dir, lc_preset preset, lc_fork fork, char *why, size_t whylen);

int main(void) {
    test_ctx t;
    test_init(&t, "conf_light_client");
    const char *mode = getenv("CANDOR_CONFORMANCE");
    bool quick = !mode || strcmp(mode, "full") != 0;
    int suites_found = 0;
    static const char *const presets[] = {"minimal", "mainnet"};
    for (size_t p = 0; p < 2; p++) {
        lc_preset preset = p == 0 ? LC_PRESET_MINIMAL : LC_PRESET_MAINNET;
        for (size_t f = 0; f < CD_ARRAY_LEN(forks); f++) {
            char rel[256], base[4096];
            snprintf(rel, sizeof rel, "consensus/tests/%s/%s/light_client", presets[p], forks[f].name);
            test_vectors_path(base, sizeof base, rel);
            if (!test_path_exists(base)) continue;
            suites_found++;
            char **handlers;
            size_t nh = test_list_dir(base, &handlers);
            for (size_t h = 0; h < nh; h++) {
                counts c = {0, 0};
                char hdir[4096];
                test_join_path(hdir, sizeof hdir, base, handlers[h]);
                bool is_sync = !strcmp(handlers[h], "sync"), is_rank = !strcmp(handlers[h], "update_ranking"),
                     is_merkle = !strcmp(handlers[h], "single_merkle_proof");
                bool is_collect = !strcmp(handlers[h], "data_collection");
                if (!is_sync && !is_rank && !is_merkle && !is_collect) {
                    test_case(&t, handlers[h], false, "unknown light_client handler");
                    continue;
                }
                /* sync/update_ranking: pyspec_tests/<case>; single_merkle_proof: <Object>/<case> */
                char **groups;
                size_t ng = test_list_dir(hdir, &groups);
                for (size_t g = 0; g < ng; g++) {
                    char gdir[4096];
                    test_join_path(gdir, sizeof gdir, hdir, groups[g]);
                    char **cases;
                    size_t nc = test_list_dir(gdir, &cases);
                    for (size_t k = 0; k < nc; k++) {
                        char cdir[4096], name[512], why[512] = "";
                        test_join_path(cdir, sizeof cdir, gdir, cases[k]);
                        snprintf(name, sizeof name, "light_client/%s/%s/%s/%s/%s", presets[p], forks[f].name,
                                 handlers[h], groups[g], cases[k]);
                        bool ok;
                        if (is_sync) ok = run_sync_case(cdir, preset, why, sizeof why);
                        else if (is_rank) ok = run_ranking_case(cdir, preset, forks[f].fork, why, sizeof why);
                        else if (is_merkle) ok = run_merkle_case(cdir, groups[g], preset, forks[f].fork, why, sizeof why);
                        else ok = run_collection_case(cdir, preset, forks[f].fork, why, sizeof why);
                        test_case(&t, name, ok, why);
                        if (ok) c.passed++;
                        else c.failed++;
                    }
                    test_list_free(cases, nc);
                }
                test_list_free(groups, ng);
                fprintf(stderr, "  light_client %-7s %-9s %-19s %3d passed, %d failed%s\n", presets[p], forks[f].name,
                        handlers[h], c.passed, c.failed,
                        is_collect ? " (consumer side: blocks hash to their roots, served objects verify/decode)" : "");
            }
            test_list_free(handlers, nh);
        }
    }
    (void)quick;
    if (!suites_found) test_skip(&t, "light_client", "vectors missing");
    return test_finish(&t);
}

/* ---- single_merkle_proof: BeaconState / BeaconBlockBody types, preset values read from
 * the vectors' presets/<preset>/<fork>.yaml ---------------------------------------------------- */

typedef struct {
    yaml_doc docs[8];
    size_t n;
} preset_values;

static bool preset_load(preset_values *pv, const char *preset) {
    static const char *const files[] = {"phase0", "altair", "bellatrix", "capella", "deneb", "electra", "fulu"};
    memset(pv, 0, sizeof *pv);
    for (size_t i = 0; i < CD_ARRAY_LEN(files); i++) {
        char rel[256], path[4096];
        snprintf(rel, sizeof rel, "consensus/presets/%s/%s.yaml", preset, files[i]);
        test_vectors_path(path, sizeof path, rel);
        if (yaml_parse_file(&pv->docs[pv->n], path, 1 << 20, NULL) != CD_OK) return false;
        pv->n++;
    }
    return true;
}

static void preset_free(preset_values *pv) {
    for (size_t i = 0; i < pv->n; i++) yaml_free(&pv->docs[i]);
}

/* A preset value; 0 (which makes the type builders fail) when missing. */
static uint64_t pv_get(const preset_values *pv, const char *key) {
    uint64_t v = 0;
    for (size_t i = 0; i < pv->n; i++)
        if (yaml_u64(yaml_get(pv->docs[i].root, key), &v) == CD_OK) return v;
    return 0;
}

typedef struct {
    const ssz_type *state, *body;
} state_types;

static state_types build_state_types(ssz_schema *s, const lc_types *lt, const preset_values *pv, lc_fork fork) {
#define P(k) pv_get(pv, k)
    state_types out = {NULL, NULL};
    const ssz_type *u8 = ssz_t_uint(s, 1), *u64 = ssz_t_uint(s, 8), *b32 = ssz_t_bytes(s, 32),
                   *b48 = ssz_t_bytes(s, 48), *b96 = ssz_t_bytes(s, 96), *b20 = ssz_t_bytes(s, 20);
    const lc_fork_types *ft = &lt->fork[fork];
    bool electra = fork >= LC_FORK_ELECTRA;
    const ssz_type *checkpoint = ssz_t_container(s, "Checkpoint", 2, "epoch", u64, "root", b32);
    const ssz_type *fork_t = ssz_t_container(s, "Fork", 3, "previous_version", ssz_t_bytes(s, 4), "current_version",
                                             ssz_t_bytes(s, 4), "epoch", u64);
    const ssz_type *eth1 = ssz_t_container(s, "Eth1Data", 3, "deposit_root", b32, "deposit_count", u64, "block_hash", b32);
    const ssz_type *validator = ssz_t_container(
        s, "Validator", 8, "pubkey", b48, "withdrawal_credentials", b32, "effective_balance", u64, "slashed",
        ssz_t_bool(s), "activation_eligibility_epoch", u64, "activation_epoch", u64, "exit_epoch", u64,
        "withdrawable_epoch", u64);
    uint64_t vrl = P("VALIDATOR_REGISTRY_LIMIT"), spe = P("SLOTS_PER_EPOCH");
    uint64_t per_committee = P("MAX_VALIDATORS_PER_COMMITTEE") * (electra ? P("MAX_COMMITTEES_PER_SLOT") : 1);
    const ssz_type *att_data = ssz_t_container(s, "AttestationData", 5, "slot", u64, "index", u64, "beacon_block_root",
                                               b32, "source", checkpoint, "target", checkpoint);
    const ssz_type *indexed = ssz_t_container(s, "IndexedAttestation", 3, "attesting_indices",
                                              ssz_t_list(s, u64, per_committee), "data", att_data, "signature", b96);
    const ssz_type *attestation =
        electra ? ssz_t_container(s, "Attestation", 4, "aggregation_bits", ssz_t_bitlist(s, per_committee), "data",
                                  att_data, "signature", b96, "committee_bits",
                                  ssz_t_bitvector(s, P("MAX_COMMITTEES_PER_SLOT")))
                : ssz_t_container(s, "Attestation", 3, "aggregation_bits", ssz_t_bitlist(s, per_committee), "data",
                                  att_data, "signature", b96);
    const ssz_type *signed_header = ssz_t_container(s, "SignedBeaconBlockHeader", 2, "message", ft->beacon_header,
                                                    "signature", b96);
    const ssz_type *proposer_slashing = ssz_t_container(s, "ProposerSlashing", 2, "signed_header_1", signed_header,
                                                        "signed_header_2", signed_header);
    const ssz_type *attester_slashing = ssz_t_container(s, "AttesterSlashing", 2, "attestation_1", indexed,
                                                        "attestation_2", indexed);
    const ssz_type *deposit_data = ssz_t_container(s, "DepositData", 4, "pubkey", b48, "withdrawal_credentials", b32,
                                                   "amount", u64, "signature", b96);
    const ssz_type *deposit = ssz_t_container(s, "Deposit", 2, "proof", ssz_t_vector(s, b32, 33), "data", deposit_data);
    const ssz_type *exit = ssz_t_container(s, "SignedVoluntaryExit", 2, "message",
                                           ssz_t_container(s, "VoluntaryExit", 2, "epoch", u64, "validator_index", u64),
                                           "signature", b96);
    const ssz_type *withdrawal = ssz_t_container(s, "Withdrawal", 4, "index", u64, "validator_index", u64, "address",
                                                 b20, "amount", u64);
    const ssz_type *bls_change = ssz_t_container(
        s, "SignedBLSToExecutionChange", 2, "message",
        ssz_t_container(s, "BLSToExecutionChange", 3, "validator_index", u64, "from_bls_pubkey", b48,
                        "to_execution_address", b20),
        "signature", b96);
    /* ExecutionPayload(Header) by fork: bellatrix 14 fields, capella 15, deneb+ 17 */
    size_t ex_fields = fork >= LC_FORK_DENEB ? 17 : fork >= LC_FORK_CAPELLA ? 15 : 14;
    ssz_field_def exh[17], exp[17];
    const ssz_type *deneb_h = lt->deneb_execution_header;
    for (size_t i = 0; i < 17; i++) exh[i] = exp[i] = deneb_h->fields[i];
    const ssz_type *txs = ssz_t_list(s, ssz_t_bytelist(s, P("MAX_BYTES_PER_TRANSACTION")), P("MAX_TRANSACTIONS_PER_PAYLOAD"));
    const ssz_type *wds = ssz_t_list(s, withdrawal, P("MAX_WITHDRAWALS_PER_PAYLOAD"));
    exp[13] = (ssz_field_def){"transactions", txs};
    exp[14] = (ssz_field_def){"withdrawals", wds};
    const ssz_type *payload_header = ssz_t_container_a(s, "ExecutionPayloadHeader", ex_fields, exh);
    const ssz_type *payload = ssz_t_container_a(s, "ExecutionPayload", ex_fields, exp);

    ssz_field_def body[13];
    size_t nb = 0;
    body[nb++] = (ssz_field_def){"randao_reveal", b96};
    body[nb++] = (ssz_field_def){"eth1_data", eth1};
    body[nb++] = (ssz_field_def){"graffiti", b32};
    body[nb++] = (ssz_field_def){"proposer_slashings", ssz_t_list(s, proposer_slashing, P("MAX_PROPOSER_SLASHINGS"))};
    body[nb++] = (ssz_field_def){"attester_slashings",
                                 ssz_t_list(s, attester_slashing, P(electra ? "MAX_ATTESTER_SLASHINGS_ELECTRA" : "MAX_ATTESTER_SLASHINGS"))};
    body[nb++] = (ssz_field_def){"attestations",
                                 ssz_t_list(s, attestation, P(electra ? "MAX_ATTESTATIONS_ELECTRA" : "MAX_ATTESTATIONS"))};
    body[nb++] = (ssz_field_def){"deposits", ssz_t_list(s, deposit, P("MAX_DEPOSITS"))};
    body[nb++] = (ssz_field_def){"voluntary_exits", ssz_t_list(s, exit, P("MAX_VOLUNTARY_EXITS"))};
    body[nb++] = (ssz_field_def){"sync_aggregate", ft->sync_aggregate};
    if (fork >= LC_FORK_BELLATRIX) body[nb++] = (ssz_field_def){"execution_payload", payload};
    if (fork >= LC_FORK_CAPELLA)
        body[nb++] = (ssz_field_def){"bls_to_execution_changes", ssz_t_list(s, bls_change, P("MAX_BLS_TO_EXECUTION_CHANGES"))};
    if (fork >= LC_FORK_DENEB)
        body[nb++] = (ssz_field_def){"blob_kzg_commitments", ssz_t_list(s, b48, P("MAX_BLOB_COMMITMENTS_PER_BLOCK"))};
    if (electra) {
        const ssz_type *dep_req = ssz_t_container(s, "DepositRequest", 5, "pubkey", b48, "withdrawal_credentials", b32,
                                                  "amount", u64, "signature", b96, "index", u64);
        const ssz_type *wd_req = ssz_t_container(s, "WithdrawalRequest", 3, "source_address", b20, "validator_pubkey",
                                                 b48, "amount", u64);
        const ssz_type *cons_req = ssz_t_container(s, "ConsolidationRequest", 3, "source_address", b20, "source_pubkey",
                                                   b48, "target_pubkey", b48);
        body[nb++] = (ssz_field_def){
            "execution_requests",
            ssz_t_container(s, "ExecutionRequests", 3, "deposits", ssz_t_list(s, dep_req, P("MAX_DEPOSIT_REQUESTS_PER_PAYLOAD")),
                            "withdrawals", ssz_t_list(s, wd_req, P("MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD")),
                            "consolidations", ssz_t_list(s, cons_req, P("MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD")))};
    }
    out.body = ssz_t_container_a(s, "BeaconBlockBody", nb, body);

    ssz_field_def st[40];
    size_t ns = 0;
    uint64_t shr = P("SLOTS_PER_HISTORICAL_ROOT");
    st[ns++] = (ssz_field_def){"genesis_time", u64};
    st[ns++] = (ssz_field_def){"genesis_validators_root", b32};
    st[ns++] = (ssz_field_def){"slot", u64};
    st[ns++] = (ssz_field_def){"fork", fork_t};
    st[ns++] = (ssz_field_def){"latest_block_header", ft->beacon_header};
    st[ns++] = (ssz_field_def){"block_roots", ssz_t_vector(s, b32, shr)};
    st[ns++] = (ssz_field_def){"state_roots", ssz_t_vector(s, b32, shr)};
    st[ns++] = (ssz_field_def){"historical_roots", ssz_t_list(s, b32, P("HISTORICAL_ROOTS_LIMIT"))};
    st[ns++] = (ssz_field_def){"eth1_data", eth1};
    st[ns++] = (ssz_field_def){"eth1_data_votes", ssz_t_list(s, eth1, P("EPOCHS_PER_ETH1_VOTING_PERIOD") * spe)};
    st[ns++] = (ssz_field_def){"eth1_deposit_index", u64};
    st[ns++] = (ssz_field_def){"validators", ssz_t_list(s, validator, vrl)};
    st[ns++] = (ssz_field_def){"balances", ssz_t_list(s, u64, vrl)};
    st[ns++] = (ssz_field_def){"randao_mixes", ssz_t_vector(s, b32, P("EPOCHS_PER_HISTORICAL_VECTOR"))};
    st[ns++] = (ssz_field_def){"slashings", ssz_t_vector(s, u64, P("EPOCHS_PER_SLASHINGS_VECTOR"))};
    st[ns++] = (ssz_field_def){"previous_epoch_participation", ssz_t_list(s, u8, vrl)};
    st[ns++] = (ssz_field_def){"current_epoch_participation", ssz_t_list(s, u8, vrl)};
    st[ns++] = (ssz_field_def){"justification_bits", ssz_t_bitvector(s, 4)};
    st[ns++] = (ssz_field_def){"previous_justified_checkpoint", checkpoint};
    st[ns++] = (ssz_field_def){"current_justified_checkpoint", checkpoint};
    st[ns++] = (ssz_field_def){"finalized_checkpoint", checkpoint};
    st[ns++] = (ssz_field_def){"inactivity_scores", ssz_t_list(s, u64, vrl)};
    st[ns++] = (ssz_field_def){"current_sync_committee", ft->sync_committee};
    st[ns++] = (ssz_field_def){"next_sync_committee", ft->sync_committee};
    if (fork >= LC_FORK_BELLATRIX) st[ns++] = (ssz_field_def){"latest_execution_payload_header", payload_header};
    if (fork >= LC_FORK_CAPELLA) {
        st[ns++] = (ssz_field_def){"next_withdrawal_index", u64};
        st[ns++] = (ssz_field_def){"next_withdrawal_validator_index", u64};
        st[ns++] = (ssz_field_def){"historical_summaries",
                                   ssz_t_list(s, ssz_t_container(s, "HistoricalSummary", 2, "block_summary_root", b32,
                                                                 "state_summary_root", b32),
                                              P("HISTORICAL_ROOTS_LIMIT"))};
    }
    if (electra) {
        st[ns++] = (ssz_field_def){"deposit_requests_start_index", u64};
        st[ns++] = (ssz_field_def){"deposit_balance_to_consume", u64};
        st[ns++] = (ssz_field_def){"exit_balance_to_consume", u64};
        st[ns++] = (ssz_field_def){"earliest_exit_epoch", u64};
        st[ns++] = (ssz_field_def){"consolidation_balance_to_consume", u64};
        st[ns++] = (ssz_field_def){"earliest_consolidation_epoch", u64};
        st[ns++] = (ssz_field_def){"pending_deposits",
                                   ssz_t_list(s, ssz_t_container(s, "PendingDeposit", 5, "pubkey", b48, "withdrawal_credentials",
                                                                 b32, "amount", u64, "signature", b96, "slot", u64),
                                              P("PENDING_DEPOSITS_LIMIT"))};
        st[ns++] = (ssz_field_def){"pending_partial_withdrawals",
                                   ssz_t_list(s, ssz_t_container(s, "PendingPartialWithdrawal", 3, "validator_index", u64,
                                                                 "amount", u64, "withdrawable_epoch", u64),
                                              P("PENDING_PARTIAL_WITHDRAWALS_LIMIT"))};
        st[ns++] = (ssz_field_def){"pending_consolidations",
                                   ssz_t_list(s, ssz_t_container(s, "PendingConsolidation", 2, "source_index", u64,
                                                                 "target_index", u64),
                                              P("PENDING_CONSOLIDATIONS_LIMIT"))};
    }
    if (fork >= LC_FORK_FULU)
        st[ns++] = (ssz_field_def){"proposer_lookahead", ssz_t_vector(s, u64, (P("MIN_SEED_LOOKAHEAD") + 1) * spe)};
    out.state = ssz_t_container_a(s, "BeaconState", ns, st);
    return out;
#undef P
}

static bool run_merkle_case(const char *dir, const char *object, lc_preset preset, lc_fork fork, char *why, size_t whylen) {
    char path[4096];
    preset_values pv;
    lc_types lt;
    ssz_schema s;
    yaml_doc proof = {0};
    cd_buf obj = {0};
    bool ok = false;
    bool have_pv = preset_load(&pv, preset == LC_PRESET_MAINNET ? "mainnet" : "minimal");
    if (!have_pv || lc_types_init(&lt, preset) != CD_OK) {
        snprintf(why, whylen, "cannot load presets");
        preset_free(&pv);
        return false;
    }
    if (ssz_schema_init(&s) != CD_OK) goto done_types;
    state_types ty = build_state_types(&s, &lt, &pv, fork);
    const ssz_type *t = !strcmp(object, "BeaconState") ? ty.state : !strcmp(object, "BeaconBlockBody") ? ty.body : NULL;
    if (!t) {
        snprintf(why, whylen, "no type for %s", object);
        goto done;
    }
    test_join_path(path, sizeof path, dir, "object.ssz_snappy");
    cd_error e = {0};
    if (test_read_snappy(path, &obj) != CD_OK) {
        snprintf(why, whylen, "cannot read object");
        goto done;
    }
    test_join_path(path, sizeof path, dir, "proof.yaml");
    if (yaml_parse_file(&proof, path, 1 << 20, &e) != CD_OK) {
        snprintf(why, whylen, "proof.yaml: %s", cd_error_text(&e));
        goto done;
    }
    cd_hash32 root, leaf, branch[64];
    uint64_t gindex;
    const yaml_node *br = yaml_get(proof.root, "branch");
    if (yaml_hex_exact(yaml_get(proof.root, "leaf"), leaf.b, 32) != CD_OK ||
        yaml_u64(yaml_get(proof.root, "leaf_index"), &gindex) != CD_OK || gindex < 1 || !br || br->count > 64) {
        snprintf(why, whylen, "proof.yaml: malformed");
        goto done;
    }
    size_t n = 0;
    for (const yaml_node *b = br->first; b; b = b->next, n++)
        if (yaml_hex_exact(b, branch[n].b, 32) != CD_OK) {
            snprintf(why, whylen, "proof.yaml: bad branch node");
            goto done;
        }
    if (ssz_hash_tree_root(t, cd_buf_bytes(&obj), &root, &e) != CD_OK) {
        snprintf(why, whylen, "%s: %s", object, cd_error_text(&e));
        goto done;
    }
    size_t depth = ssz_gindex_depth(gindex);
    if (depth != n) {
        snprintf(why, whylen, "branch of %zu nodes for gindex %llu", n, (unsigned long long)gindex);
        goto done;
    }
    /* the light client's constants must be the ones the vectors prove */
    uint64_t want = 0;
    if (strstr(dir, "current_sync_committee")) want = lc_current_committee_gindex(fork);
    else if (strstr(dir, "next_sync_committee")) want = lc_next_committee_gindex(fork);
    else if (strstr(dir, "finality_root")) want = lc_finalized_root_gindex(fork);
    else if (strstr(dir, "execution_merkle")) want = LC_EXECUTION_PAYLOAD_GINDEX;
    if (want && want != gindex) {
        snprintf(why, whylen, "gindex %llu, light client uses %llu", (unsigned long long)gindex, (unsigned long long)want);
        goto done;
    }
    if (!ssz_is_valid_merkle_branch(&leaf, branch, depth, gindex - ((uint64_t)1 << depth), &root)) {
        snprintf(why, whylen, "branch does not verify against hash_tree_root %s", test_hex(root.b, 32));
        goto done;
    }
    ok = true;
done:
    ssz_schema_free(&s);
done_types:
    lc_types_free(&lt);
    preset_free(&pv);
    yaml_free(&proof);
    cd_buf_free(&obj);
    return ok;
}

/* ---- data_collection, consumer side ---------------------------------------------------
 * These vectors test a full node that *serves* light-client data. A light client cannot
 * replay the server logic, but it can check everything the server hands out: each block
 * (SignedBeaconBlock of its fork) hashes to the root in its file name, each bootstrap
 * initializes a store from the block root it is served for, and each best update, latest
 * finality update and latest optimistic update decodes under its fork digest and hashes to
 * the root in its file name. */

typedef struct {
    char name[160];
} seen_name;

typedef struct {
    const lc_config *cfg;
    lc_types *lt;
    ssz_schema *s;
    const preset_values *pv;
    const ssz_type *block[LC_FORK_COUNT];
    const char *dir;
    seen_name *seen;
    size_t nseen, cap;
    lc_store *store;
    int objects;
} collect_ctx;

static bool seen_before(collect_ctx *c, const char *name) {
    for (size_t i = 0; i < c->nseen; i++)
        if (!strcmp(c->seen[i].name, name)) return true;
    if (c->nseen == c->cap) {
        seen_name *n = cd_grow_array(c->seen, &c->cap, sizeof *n, 64);
        if (!n) return false;
        c->seen = n;
    }
    snprintf(c->seen[c->nseen++].name, sizeof c->seen[0].name, "%s", name);
    return false;
}

/* Root spelled at the end of a file stem: ..._0x<64 hex>. */
static bool stem_root(const char *stem, cd_hash32 *out) {
    const char *u = strrchr(stem, '_');
    return u && test_unhex(u + 1, out->b, 32) == 32;
}

static const ssz_type *block_type(collect_ctx *c, lc_fork f) {
    if (!c->block[f]) {
        state_types st = build_state_types(c->s, c->lt, c->pv, f);
        const ssz_type *u64 = ssz_t_uint(c->s, 8), *b32 = ssz_t_bytes(c->s, 32);
        const ssz_type *blk = ssz_t_container(c->s, "BeaconBlock", 5, "slot", u64, "proposer_index", u64, "parent_root",
                                              b32, "state_root", b32, "body", st.body);
        c->block[f] = ssz_t_container(c->s, "SignedBeaconBlock", 2, "message", blk, "signature", ssz_t_bytes(c->s, 96));
    }
    return c->block[f];
}

/* One served object {fork_digest, data}; kind -1 = block. */
static bool check_object(collect_ctx *c, const yaml_node *obj, int kind, const yaml_node *block_root, char *why,
                         size_t whylen) {
    const yaml_node *dn = yaml_get(obj, "data");
    lc_fork f;
    if (!dn || !digest_fork(c->cfg, yaml_get(obj, "fork_digest"), &f)) {
        snprintf(why, whylen, "object without data or with an unknown fork digest");
        return false;
    }
    if (seen_before(c, dn->str)) return true;
    c->objects++;
    char file[200], path[4096];
    snprintf(file, sizeof file, "%s.ssz_snappy", dn->str);
    test_join_path(path, sizeof path, c->dir, file);
    cd_buf b = {0};
    cd_error e = {0};
    bool ok = false;
    cd_hash32 want, got;
    if (test_read_snappy(path, &b) != CD_OK) {
        snprintf(why, whylen, "cannot read %s", file);
        goto out;
    }
    if (!stem_root(dn->str, &want)) {
        snprintf(why, whylen, "%s: no root in name", dn->str);
        goto out;
    }
    if (kind < 0) {
        /* file names carry hash_tree_root(SignedBeaconBlock) */
        const ssz_type *t = block_type(c, f);
        if (!t || ssz_hash_tree_root(t, cd_buf_bytes(&b), &got, &e) != CD_OK) {
            snprintf(why, whylen, "%s (%s block): %s", dn->str, lc_fork_name(f), cd_error_text(&e));
            goto out;
        }
    } else {
        const ssz_type *t = lc_types_for(c->lt, f, (lc_msg_kind)kind);
        if (ssz_hash_tree_root(t, cd_buf_bytes(&b), &got, &e) != CD_OK) {
            snprintf(why, whylen, "%s: %s", dn->str, cd_error_text(&e));
            goto out;
        }
        if (kind == LC_MSG_BOOTSTRAP) {
            cd_hash32 root;
            if (yaml_hex_exact(block_root, root.b, 32) != CD_OK ||
                lc_store_bootstrap(c->store, &root, f, cd_buf_bytes(&b), &e) != CD_OK) {
                snprintf(why, whylen, "%s does not bootstrap from its block root: %s", dn->str, cd_error_text(&e));
                goto out;
            }
        } else {
            lc_update *u = malloc(sizeof *u);
            cd_status st = u ? lc_decode_update(c->cfg, c->lt, (lc_msg_kind)kind, f, cd_buf_bytes(&b), u, &e) : CD_ERR_NOMEM;
            free(u);
            if (st != CD_OK) {
                snprintf(why, whylen, "%s: %s", dn->str, cd_error_text(&e));
                goto out;
            }
        }
    }
    if (!cd_hash32_eq(&got, &want)) {
        snprintf(why, whylen, "%s: hash_tree_root %s", dn->str, test_hex(got.b, 32));
        goto out;
    }
    ok = true;
out:
    cd_buf_free(&b);
    return ok;
}

static bool run_collection_case(const char *dir, lc_preset preset, lc_fork fork, char *why, size_t whylen) {
    char path[4096];
    preset_values pv;
    lc_types lt;
    ssz_schema s;
    yaml_doc steps = {0};
    cd_buf state = {0};
    lc_config cfg;
    cd_error e = {0};
    bool ok = false;
    collect_ctx c = {0};
    if (!preset_load(&pv, preset == LC_PRESET_MAINNET ? "mainnet" : "minimal") || lc_types_init(&lt, preset) != CD_OK) {
        preset_free(&pv);
        snprintf(why, whylen, "cannot load presets");
        return false;
    }
    if (ssz_schema_init(&s) != CD_OK) goto out_types;
    test_join_path(path, sizeof path, dir, "config.yaml");
    if (lc_config_load(&cfg, path, &e) != CD_OK) {
        snprintf(why, whylen, "config: %s", cd_error_text(&e));
        goto out;
    }
    /* The genesis validators root (for fork digests) comes from the initial state. */
    test_join_path(path, sizeof path, dir, "initial_state.ssz_snappy");
    state_types st = build_state_types(&s, &lt, &pv, fork);
    cd_hash32 state_root;
    if (test_read_snappy(path, &state) != CD_OK || ssz_hash_tree_root(st.state, cd_buf_bytes(&state), &state_root, &e) != CD_OK) {
        snprintf(why, whylen, "initial_state: %s", cd_error_text(&e));
        goto out;
    }
    memcpy(cfg.genesis_validators_root.b, state.data + 8, 32);
    test_join_path(path, sizeof path, dir, "steps.yaml");
    if (yaml_parse_file(&steps, path, 64 << 20, &e) != CD_OK) {
        snprintf(why, whylen, "steps: %s", cd_error_text(&e));
        goto out;
    }
    c.cfg = &cfg;
    c.lt = &lt;
    c.s = &s;
    c.pv = &pv;
    c.dir = dir;
    if (lc_store_new(&c.store, &cfg, NULL, &e) != CD_OK) goto out;
    size_t i = 0;
    for (const yaml_node *stp = steps.root ? steps.root->first : NULL; stp; stp = stp->next, i++) {
        const yaml_node *nb = yaml_get(stp, "new_block"), *nh = yaml_get(stp, "new_head");
        if (nb) {
            if (!check_object(&c, nb, -1, NULL, why, whylen)) goto out;
        } else if (nh) {
            const yaml_node *ck = yaml_get(nh, "checks");
            for (const yaml_node *b = yaml_get(ck, "bootstraps") ? yaml_get(ck, "bootstraps")->first : NULL; b; b = b->next)
                if (yaml_get(b, "bootstrap") &&
                    !check_object(&c, yaml_get(b, "bootstrap"), LC_MSG_BOOTSTRAP, yaml_get(b, "block_root"), why, whylen))
                    goto out;
            for (const yaml_node *u = yaml_get(ck, "best_updates") ? yaml_get(ck, "best_updates")->first : NULL; u; u = u->next)
                if (yaml_get(u, "update") && !check_object(&c, yaml_get(u, "update"), LC_MSG_UPDATE, NULL, why, whylen))
                    goto out;
            const yaml_node *fu = yaml_get(ck, "latest_finality_update"), *ou = yaml_get(ck, "latest_optimistic_update");
            if (fu && !yaml_is_null(fu) && !check_object(&c, fu, LC_MSG_FINALITY_UPDATE, NULL, why, whylen)) goto out;
            if (ou && !yaml_is_null(ou) && !check_object(&c, ou, LC_MSG_OPTIMISTIC_UPDATE, NULL, why, whylen)) goto out;
        } else {
            snprintf(why, whylen, "step %zu: unknown step kind", i);
            goto out;
        }
    }
    ok = c.objects > 0;
    if (!ok) snprintf(why, whylen, "no objects checked");
out:
    lc_store_free(c.store);
    free(c.seen);
    ssz_schema_free(&s);
out_types:
    lc_types_free(&lt);
    preset_free(&pv);
    yaml_free(&steps);
    cd_buf_free(&state);
    return ok;
}
