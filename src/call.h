/* Running a call in our EVM over proven state: prefetch with one eth_createAccessList and
 * batches of eth_getProof, collect what the EVM reads beyond that and prove it in batches,
 * run again; never use an unproven value (src/state.h has the bounds). */
#ifndef CANDOR_SVC_CALL_H
#define CANDOR_SVC_CALL_H

#include "evm/evm.h"
#include "src/state.h"

typedef enum { SVC_RUN_CALL, SVC_RUN_ESTIMATE, SVC_RUN_ACCESS_LIST } svc_run_kind;

typedef struct {
    evm_result res;
    uint64_t estimate;          /* SVC_RUN_ESTIMATE */
    evm_access_list al;         /* SVC_RUN_ACCESS_LIST */
    unsigned round_trips;
    unsigned passes;            /* executions run (collecting ones included) */
} svc_run_out;

/* Executes `msg` at `head`. CD_OK: the EVM reached an outcome (out->res). Other statuses:
 * CD_ERR_EVM_STATE_UNAVAILABLE (state could not be proven; reason in err),
 * CD_ERR_EVM_TX_INVALID, CD_ERR_NOMEM. Free `out` with svc_run_out_free in every case. */
CD_MUST_CHECK cd_status svc_run(svc_service *s, const svc_head *head, svc_run_kind kind, const evm_message *msg,
                                svc_run_out *out, cd_error *err);
void svc_run_out_free(svc_run_out *out);

#endif
