/* SSZ types of the light-client containers (consensus-specs altair..fulu). */
#include "consensus/lc_types.h"

#include <string.h>

uint64_t lc_current_committee_gindex(lc_fork f) { return f >= LC_FORK_ELECTRA ? 86 : 54; }
uint64_t lc_next_committee_gindex(lc_fork f) { return f >= LC_FORK_ELECTRA ? 87 : 55; }
uint64_t lc_finalized_root_gindex(lc_fork f) { return f >= LC_FORK_ELECTRA ? 169 : 105; }

static const ssz_type *execution_header_type(ssz_schema *s, bool deneb) {
    const ssz_type *b32 = ssz_t_bytes(s, 32), *u64 = ssz_t_uint(s, 8);
    ssz_field_def f[17] = {
        {"parent_hash", b32},
        {"fee_recipient", ssz_t_bytes(s, 20)},
        {"state_root", b32},
        {"receipts_root", b32},
        {"logs_bloom", ssz_t_bytes(s, 256)},
        {"prev_randao", b32},
        {"block_number", u64},
        {"gas_limit", u64},
        {"gas_used", u64},
        {"timestamp", u64},
        {"extra_data", ssz_t_bytelist(s, 32)},
        {"base_fee_per_gas", ssz_t_uint(s, 32)},
        {"block_hash", b32},
        {"transactions_root", b32},
        {"withdrawals_root", b32},
        {"blob_gas_used", u64},
        {"excess_blob_gas", u64},
    };
    return ssz_t_container_a(s, "ExecutionPayloadHeader", deneb ? 17 : 15, f);
}

static cd_status build_fork(lc_types *ty, lc_fork fork) {
    ssz_schema *s = &ty->schema;
    lc_fork_types *ft = &ty->fork[fork];
    const ssz_type *b32 = ty->bytes32, *u64 = ssz_t_uint(s, 8), *b48 = ssz_t_bytes(s, 48);
    bool electra = fork >= LC_FORK_ELECTRA;
    ft->current_branch_depth = electra ? 6 : 5;
    ft->next_branch_depth = electra ? 6 : 5;
    ft->finality_branch_depth = electra ? 7 : 6;
    ft->beacon_header = ssz_t_container(s, "BeaconBlockHeader", 5, "slot", u64, "proposer_index", u64,
                                        "parent_root", b32, "state_root", b32, "body_root", b32);
    ft->sync_committee = ssz_t_container(s, "SyncCommittee", 2, "pubkeys",
                                         ssz_t_vector(s, b48, ty->sync_committee_size), "aggregate_pubkey", b48);
    ft->sync_aggregate = ssz_t_container(s, "SyncAggregate", 2, "sync_committee_bits",
                                         ssz_t_bitvector(s, ty->sync_committee_size), "sync_committee_signature",
                                         ssz_t_bytes(s, 96));
    if (fork >= LC_FORK_CAPELLA) {
        ft->execution_header = fork >= LC_FORK_DENEB ? ty->deneb_execution_header : ty->capella_execution_header;
        ft->lc_header = ssz_t_container(s, "LightClientHeader", 3, "beacon", ft->beacon_header, "execution",
                                        ft->execution_header, "execution_branch",
                                        ssz_t_vector(s, b32, LC_EXECUTION_BRANCH_DEPTH));
    } else {
        ft->execution_header = NULL;
        ft->lc_header = ssz_t_container(s, "LightClientHeader", 1, "beacon", ft->beacon_header);
    }
    const ssz_type *cur_branch = ssz_t_vector(s, b32, ft->current_branch_depth);
    const ssz_type *next_branch = ssz_t_vector(s, b32, ft->next_branch_depth);
    const ssz_type *fin_branch = ssz_t_vector(s, b32, ft->finality_branch_depth);
    ft->bootstrap = ssz_t_container(s, "LightClientBootstrap", 3, "header", ft->lc_header,
                                    "current_sync_committee", ft->sync_committee,
                                    "current_sync_committee_branch", cur_branch);
    ft->update = ssz_t_container(s, "LightClientUpdate", 7, "attested_header", ft->lc_header,
                                 "next_sync_committee", ft->sync_committee, "next_sync_committee_branch",
                                 next_branch, "finalized_header", ft->lc_header, "finality_branch", fin_branch,
                                 "sync_aggregate", ft->sync_aggregate, "signature_slot", u64);
    ft->finality_update = ssz_t_container(s, "LightClientFinalityUpdate", 5, "attested_header", ft->lc_header,
                                          "finalized_header", ft->lc_header, "finality_branch", fin_branch,
                                          "sync_aggregate", ft->sync_aggregate, "signature_slot", u64);
    ft->optimistic_update = ssz_t_container(s, "LightClientOptimisticUpdate", 3, "attested_header",
                                            ft->lc_header, "sync_aggregate", ft->sync_aggregate,
                                            "signature_slot", u64);
    if (!ft->beacon_header || !ft->sync_committee || !ft->sync_aggregate || !ft->lc_header || !ft->bootstrap ||
        !ft->update || !ft->finality_update || !ft->optimistic_update)
        return CD_ERR_NOMEM;
    return CD_OK;
}

cd_status lc_types_init(lc_types *ty, lc_preset preset) {
    memset(ty, 0, sizeof *ty);
    cd_status st = ssz_schema_init(&ty->schema);
    if (st != CD_OK) return st;
    ssz_schema *s = &ty->schema;
    ty->preset = preset;
    ty->sync_committee_size = preset == LC_PRESET_MINIMAL ? 32 : 512;
    ty->bytes32 = ssz_t_bytes(s, 32);
    const ssz_type *u64 = ssz_t_uint(s, 8), *b4 = ssz_t_bytes(s, 4);
    ty->fork_t = ssz_t_container(s, "Fork", 3, "previous_version", b4, "current_version", b4, "epoch", u64);
    ty->fork_data = ssz_t_container(s, "ForkData", 2, "current_version", b4, "genesis_validators_root", ty->bytes32);
    ty->signing_data = ssz_t_container(s, "SigningData", 2, "object_root", ty->bytes32, "domain", ty->bytes32);
    ty->checkpoint = ssz_t_container(s, "Checkpoint", 2, "epoch", u64, "root", ty->bytes32);
    ty->capella_execution_header = execution_header_type(s, false);
    ty->deneb_execution_header = execution_header_type(s, true);
    if (!ty->fork_t || !ty->fork_data || !ty->signing_data || !ty->checkpoint || !ty->capella_execution_header ||
        !ty->deneb_execution_header) {
        ssz_schema_free(s);
        return CD_ERR_NOMEM;
    }
    for (int f = LC_FORK_ALTAIR; f < LC_FORK_COUNT; f++) {
        st = build_fork(ty, (lc_fork)f);
        if (st != CD_OK) {
            ssz_schema_free(s);
            return st;
        }
    }
    return CD_OK;
}

void lc_types_free(lc_types *ty) { ssz_schema_free(&ty->schema); }

const ssz_type *lc_types_for(const lc_types *ty, lc_fork fork, lc_msg_kind kind) {
    if (fork <= LC_FORK_PHASE0 || fork >= LC_FORK_COUNT) return NULL;
    const lc_fork_types *ft = &ty->fork[fork];
    switch (kind) {
    case LC_MSG_UPDATE: return ft->update;
    case LC_MSG_FINALITY_UPDATE: return ft->finality_update;
    case LC_MSG_OPTIMISTIC_UPDATE: return ft->optimistic_update;
    case LC_MSG_BOOTSTRAP: return ft->bootstrap;
    }
    return NULL;
}
