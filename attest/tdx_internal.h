/* attest: TDX quote pieces shared between the parser/verifier (tdx.c) and the collateral
 * checks (tcb.c). Private to attest/. */
#ifndef CANDOR_TDX_INTERNAL_H
#define CANDOR_TDX_INTERNAL_H

#include "attest/att_internal.h"

/* Slices into the quote (valid while the quote bytes live). */
typedef struct {
    cd_bytes signed_part;       /* header .. end of TD report body */
    const uint8_t *quote_sig;   /* 64: r||s */
    const uint8_t *att_key;     /* 64: X||Y */
    const uint8_t *qe_report;   /* 384: SGX report body of the QE */
    const uint8_t *qe_sig;      /* 64 */
    cd_bytes qe_auth;
    cd_bytes pck_pem;
} tdx_parsed;

/* Structure only: no signature is checked. Fills rep's TD fields. */
cd_status att_tdx_parse(cd_bytes q, tdx_parsed *tp, att_report *rep, cd_error *err);
/* Reads FMSPC, CPUSVN, PCESVN from the PCK certificate's SGX extension into rep. */
void att_tdx_pck_info(X509 *pck, att_report *rep);
/* Checks the PCK chain against pck_crl.der / root_crl.der if present in dir. A revoked
 * certificate or a CRL whose signature fails is an error; a stale CRL is only noted. */
cd_status att_tdx_check_crls(const char *dir, STACK_OF(X509) *chain, int64_t at, att_report *rep, cd_error *err);
/* TCB status from tcb_info.json (+ qe_identity.json), verified with tcb_signing_chain.pem. */
void att_tdx_eval_tcb(const char *dir, X509 *root, const tdx_parsed *tp, att_report *rep, int64_t at);

#endif
