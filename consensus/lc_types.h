/* consensus (private): SSZ types of the light-client containers, per fork and preset.
 * Also used by the conformance runners (ssz_static, light_client). */
#ifndef CANDOR_CONSENSUS_LC_TYPES_H
#define CANDOR_CONSENSUS_LC_TYPES_H

#include "consensus/light_client.h"
#include "consensus/ssz.h"

/* Branch depths: altair..deneb 5/5/6 (gindex 54/55/105), electra+ 6/6/7 (86/87/169). */
#define LC_MAX_COMMITTEE_BRANCH 6
#define LC_MAX_FINALITY_BRANCH 7
#define LC_MAX_SYNC_COMMITTEE_SIZE 512

typedef struct {
    const ssz_type *beacon_header;
    const ssz_type *sync_committee;
    const ssz_type *sync_aggregate;
    const ssz_type *execution_header;   /* NULL before Capella */
    const ssz_type *lc_header;
    const ssz_type *bootstrap;
    const ssz_type *update;
    const ssz_type *finality_update;
    const ssz_type *optimistic_update;
    size_t current_branch_depth, next_branch_depth, finality_branch_depth;
} lc_fork_types;

typedef struct {
    ssz_schema schema;
    lc_preset preset;
    uint64_t sync_committee_size;
    lc_fork_types fork[LC_FORK_COUNT];  /* ALTAIR..FULU filled; PHASE0 has none */
    const ssz_type *bytes32;
    const ssz_type *fork_t;             /* Fork */
    const ssz_type *fork_data;          /* ForkData */
    const ssz_type *signing_data;       /* SigningData */
    const ssz_type *checkpoint;         /* Checkpoint */
    const ssz_type *capella_execution_header;
    const ssz_type *deneb_execution_header;
} lc_types;

CD_MUST_CHECK cd_status lc_types_init(lc_types *ty, lc_preset preset);
void lc_types_free(lc_types *ty);
/* The type of a message kind for a fork; NULL for phase0. */
const ssz_type *lc_types_for(const lc_types *ty, lc_fork fork, lc_msg_kind kind);

/* Generalized indices by the fork at a slot (Electra moved them). */
uint64_t lc_current_committee_gindex(lc_fork fork_at_slot);
uint64_t lc_next_committee_gindex(lc_fork fork_at_slot);
uint64_t lc_finalized_root_gindex(lc_fork fork_at_slot);
#define LC_EXECUTION_PAYLOAD_GINDEX 25

#endif
