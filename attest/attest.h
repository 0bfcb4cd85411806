/* attest: producing TEE quotes that bind Candor's signing key, and verifying quotes
 * (ours and other nodes') down to the hardware vendor's root.
 *
 * Producing (inside the TEE): a provider chosen by name ("tdx", "dstack", "nitro", "mock")
 * turns 64 bytes of report data into quote bytes, and hands out a sealing key for the
 * store. The report data is computed by att_report_data() from the signer's public key,
 * the service's version/config digest and an optional caller nonce; the exact layout is in
 * docs/attestation.md so that third parties can recompute it.
 *
 * Verifying (anywhere): att_verify() detects the format (binary TDX quote, hex of one, Nitro
 * COSE_Sign1 CBOR, Candor mock quote), checks every signature and the certificate chain to
 * the pinned vendor root at a caller-given time, and fills an att_report with what was
 * measured. att_verify_binding() is the one call the service and `candor verify` need:
 * binding -> validity -> allowed measurement.
 *
 * Nothing here keeps global state; a provider is an explicit object.
 */
#ifndef CANDOR_ATTEST_H
#define CANDOR_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ---- sizes and limits ------------------------------------------------------ */

#define ATT_REPORT_DATA_LEN 64
#define ATT_MR_LEN 48              /* SHA-384 measurement register (MRTD, RTMRn, PCRn) */
#define ATT_NITRO_PCRS 32          /* Nitro documents carry at most 32 PCRs */
#define ATT_NITRO_FIELD_MAX 1024   /* public_key / user_data / nonce upper bound (NSM: 1024) */
#define ATT_MAX_QUOTE_LEN (64 * 1024) /* largest quote/document accepted by any parser */
#define ATT_MAX_NONCE_LEN 512      /* caller nonce accepted by att_report_data */
#define ATT_MAX_PUBKEY_LEN 133     /* up to an uncompressed P-521 point; secp256k1 is 65 */

/* ---- report data: what a quote binds ---------------------------------------- */

/* Digest of the service build and configuration that a quote commits to:
 * SHA-256("candor/config/v1" 0x00 || version || 0x00 || config). `config` is the canonical
 * configuration bytes the service chooses (e.g. its JSON config); may be empty. */
void att_config_digest(const char *version, cd_bytes config, cd_hash32 *out) CD_NONNULL(1, 3);

/* The 64-byte report data Candor puts into every quote (layout v1, see docs/attestation.md):
 *   [0..32)  SHA-256("candor/report-data/v1" 0x00 || u8 len(pubkey) || pubkey || config_digest)
 *   [32..64) SHA-256("candor/nonce/v1" 0x00 || nonce) if a nonce is given, else 32 zero bytes.
 * pubkey: the signer's public key as the verifier will see it (Candor: 65-byte uncompressed
 * secp256k1, 0x04||X||Y), 1..ATT_MAX_PUBKEY_LEN bytes. nonce: 0..ATT_MAX_NONCE_LEN bytes
 * (len 0 = no nonce). */
CD_MUST_CHECK cd_status att_report_data(cd_bytes pubkey, const cd_hash32 *config_digest,
                                        cd_bytes nonce, uint8_t out[ATT_REPORT_DATA_LEN])
    CD_NONNULL(2, 4);

/* ---- providers (inside the TEE) ---------------------------------------------- */

typedef struct att_provider att_provider;

typedef struct {
    const char *name;           /* "tdx" | "dstack" | "nitro" | "mock" */
    /* Directory for local key files (mock attestation key, and the sealing-key file used
     * by providers without TEE key derivation). Created files are mode 0600. Required for
     * "mock"; for "tdx"/"nitro" required only if att_sealing_key() is called. */
    const char *key_dir;
    const char *tsm_dir;        /* tdx: configfs-tsm report root; NULL = /sys/kernel/config/tsm/report */
    const char *dstack_socket;  /* dstack: guest agent socket; NULL = /var/run/dstack.sock */
    const char *nsm_device;     /* nitro: NULL = /dev/nsm */
    /* mock: the 48-byte "MRTD" the mock quote reports (NULL = all zero), so that policy
     * files can be exercised in development. */
    const uint8_t *mock_measurement;
} att_provider_config;

/* Opens the provider named in cfg. Fails with CD_ERR_ATT_PROVIDER (reason in err) if the
 * name is unknown or the TEE interface is not present/usable. Mock creates
 * key_dir/mock-tee-key.pem (P-256, 0600) on first use. */
CD_MUST_CHECK cd_status att_provider_open(const att_provider_config *cfg, att_provider **out,
                                          cd_error *err) CD_NONNULL(1, 2);
void att_provider_close(att_provider *p);
const char *att_provider_name(const att_provider *p) CD_NONNULL(1);
/* True for providers whose quotes no verifier should trust by default (mock). */
bool att_provider_insecure(const att_provider *p) CD_NONNULL(1);

/* Produces a quote over exactly these 64 bytes of report data, appended to `quote`
 * (TDX/dstack: raw DCAP quote; nitro: COSE_Sign1 document with user_data = report_data;
 * mock: Candor mock quote). */
CD_MUST_CHECK cd_status att_get_quote(att_provider *p, const uint8_t report_data[ATT_REPORT_DATA_LEN],
                                      cd_buf *quote, cd_error *err) CD_NONNULL(1, 2, 3);

/* What /attest serves: a quote binding (pubkey, config digest, nonce), plus the event log
 * where the TEE offers one (dstack: its JSON event log; else empty). For nitro the public key
 * and nonce also go into the document's own fields. Free with att_evidence_free. */
typedef struct {
    uint8_t report_data[ATT_REPORT_DATA_LEN];
    cd_buf quote;
    cd_buf event_log; /* JSON text, may be empty */
} att_evidence;

CD_MUST_CHECK cd_status att_attest(att_provider *p, cd_bytes pubkey, const cd_hash32 *config_digest,
                                   cd_bytes nonce, att_evidence *out, cd_error *err)
    CD_NONNULL(1, 3, 5);
void att_evidence_free(att_evidence *ev);

/* 32-byte sealing key for `label` (e.g. "store"): derived by the TEE where it offers key
 * derivation (dstack GetKey), else from key_dir/sealing.key (32 random bytes, 0600, created
 * on first use). *from_tee tells which. The caller wipes `out` after use. */
CD_MUST_CHECK cd_status att_sealing_key(att_provider *p, const char *label, uint8_t out[32],
                                        bool *from_tee, cd_error *err) CD_NONNULL(1, 2, 3, 4);

/* ---- verification (anywhere) --------------------------------------------------- */

typedef enum {
    ATT_FORMAT_UNKNOWN = 0,
    ATT_FORMAT_TDX,     /* Intel DCAP quote v4/v5 carrying a TD report */
    ATT_FORMAT_NITRO,   /* AWS Nitro attestation document (COSE_Sign1) */
    ATT_FORMAT_MOCK,    /* Candor mock quote: software-signed, never secure */
} att_format;

/* TCB status names follow Intel's TCB info levels. UNKNOWN = not evaluated (no or
 * unverifiable collateral); it is never guessed. */
typedef enum {
    ATT_TCB_UNKNOWN = 0,
    ATT_TCB_UP_TO_DATE,
    ATT_TCB_SW_HARDENING_NEEDED,
    ATT_TCB_CONFIG_NEEDED,
    ATT_TCB_CONFIG_AND_SW_HARDENING_NEEDED,
    ATT_TCB_OUT_OF_DATE,
    ATT_TCB_OUT_OF_DATE_CONFIG_NEEDED,
    ATT_TCB_REVOKED,
    ATT_TCB_NO_MATCH,   /* no TCB level in the TCB info matches the platform */
    ATT_TCB_NOT_APPLICABLE, /* Nitro / mock: no TCB collateral concept */
} att_tcb_status;

const char *att_format_name(att_format f);
const char *att_tcb_status_name(att_tcb_status s); /* "UpToDate", "OutOfDate", ... "unknown" */

typedef struct {
    att_format format;
    bool signature_ok;   /* every signature and the chain verified */
    bool insecure;       /* mock quote, or debug TD / debug enclave */
    bool debug;          /* TD attributes DEBUG bit, or Nitro PCR0 all zero */
    uint8_t report_data[ATT_REPORT_DATA_LEN]; /* TDX/mock: report data; Nitro: user_data if 64 bytes */

    /* TDX (and mock: mrtd only) */
    uint16_t quote_version;   /* 4 or 5 */
    uint16_t body_type;       /* 2 = TD 1.0, 3 = TD 1.5 */
    uint8_t tee_tcb_svn[16];
    uint8_t mrseam[ATT_MR_LEN];
    uint8_t mrsignerseam[ATT_MR_LEN];
    uint8_t seam_attributes[8];
    uint8_t td_attributes[8];
    uint8_t xfam[8];
    uint8_t mrtd[ATT_MR_LEN];
    uint8_t mrconfigid[ATT_MR_LEN];
    uint8_t mrowner[ATT_MR_LEN];
    uint8_t mrownerconfig[ATT_MR_LEN];
    uint8_t rtmr[4][ATT_MR_LEN];
    uint8_t tee_tcb_svn2[16]; /* TD 1.5 only */
    uint8_t mrservicetd[ATT_MR_LEN]; /* TD 1.5 only */
    bool pck_info;            /* PCK extensions below were read */
    uint8_t fmspc[6];
    uint8_t cpusvn[16];
    uint16_t pcesvn;
    att_tcb_status tcb_status;
    char tcb_reason[512];     /* why the TCB status is what it is (e.g. "no collateral") */
    att_tcb_status tcb_status_unverified; /* level matched from collateral whose signature could not be checked */

    /* Nitro */
    char module_id[128];
    uint64_t timestamp_ms;
    uint32_t pcr_present;     /* bit i set = PCR i present */
    uint8_t pcrs[ATT_NITRO_PCRS][ATT_MR_LEN];
    uint8_t public_key[ATT_NITRO_FIELD_MAX];
    size_t public_key_len;    /* 0 = absent */
    uint8_t user_data[ATT_NITRO_FIELD_MAX];
    size_t user_data_len;
    uint8_t nonce[ATT_NITRO_FIELD_MAX];
    size_t nonce_len;

    /* Mock */
    uint8_t mock_key[65];     /* the software key that signed a mock quote (P-256) */
} att_report;

typedef struct {
    /* Verification time, Unix seconds; 0 = now. Nitro leaf certificates live about three
     * hours, so an old document only verifies at (about) its own timestamp. */
    int64_t at;
    /* Optional directory with collateral: tcb_info.json, qe_identity.json (Intel PCS v4
     * response bodies), pck_crl.der, root_crl.der, tcb_signing_chain.pem. Any may be absent. */
    const char *collateral_dir;
    bool accept_mock;    /* mock quotes verify (still flagged insecure) */
    bool accept_debug;   /* debug TDs / debug enclaves verify (still flagged insecure) */
    /* TDX: fail with CD_ERR_ATT_TCB unless the verified TCB status is UpToDate (needs
     * collateral with a TCB signing chain; an unknown status fails). */
    bool require_tcb_up_to_date;
} att_verify_opts;

/* Detects the format of `in` without verifying it. Hex text (optional 0x, whitespace
 * trimmed) is reported as the format of the decoded bytes. */
att_format att_detect_format(cd_bytes in);

/* Verifies a quote/document end to end: parse, every signature, the chain to the pinned
 * vendor root (Intel SGX Root CA / AWS Nitro root, pinned by SHA-256 fingerprint), validity
 * at opts->at, revocation and TCB status when collateral is given. `rep` is filled as far as
 * parsing got, even on failure. Returns CD_OK only when every signature and the chain verify
 * and the quote is not insecure (or insecure is accepted by opts). */
CD_MUST_CHECK cd_status att_verify(cd_bytes quote, const att_verify_opts *opts, att_report *rep,
                                   cd_error *err) CD_NONNULL(2, 3);

/* ---- policy ------------------------------------------------------------------ */

/* A set of allowed measurements. Each entry pins either TDX registers (MRTD and, where
 * given, RTMR0..3; an RTMR left out is not checked) or Nitro PCRs (PCR0/1/2, each optional),
 * or a mock measurement. File format (docs/attestation.md): a JSON array of objects such as
 *   {"name": "...", "mrtd": "hex48", "rtmr0": "hex48", ..., "rtmr3": "hex48"}
 *   {"name": "...", "pcr0": "hex48", "pcr1": "hex48", "pcr2": "hex48"} */
typedef struct att_policy att_policy;

CD_MUST_CHECK cd_status att_policy_load(const char *path, att_policy **out, cd_error *err)
    CD_NONNULL(1, 2);
CD_MUST_CHECK cd_status att_policy_parse(const char *json, size_t len, att_policy **out,
                                         cd_error *err) CD_NONNULL(1, 3);
void att_policy_free(att_policy *p);
/* CD_OK if some entry matches the report (name of the entry in *matched, may be NULL);
 * else CD_ERR_ATT_POLICY. */
CD_MUST_CHECK cd_status att_policy_check(const att_policy *p, const att_report *rep,
                                         const char **matched, cd_error *err) CD_NONNULL(1, 2);

/* ---- the one call for the service and `candor verify` -------------------------- */

/* Checks that `quote` binds `pubkey` (+ config digest + nonce, via att_report_data), that the
 * quote is valid (att_verify with opts), and that its measurement is allowed by `policy`
 * (NULL = no policy check). Order: validity -> binding -> policy, so a forged quote never
 * gets as far as having its report data trusted. Errors: those of att_verify, then
 * CD_ERR_ATT_BINDING (key/config or nonce not bound), then CD_ERR_ATT_POLICY.
 * For Nitro, the binding is user_data == report data (and public_key == pubkey if present).
 * The pubkey and config digest are hashed together in the report data, so both must be
 * known to the verifier (ATTEST.json carries version and config for that). */
CD_MUST_CHECK cd_status att_verify_binding(cd_bytes quote, cd_bytes pubkey,
                                           const cd_hash32 *config_digest, cd_bytes nonce,
                                           const att_policy *policy, const att_verify_opts *opts,
                                           att_report *rep, cd_error *err) CD_NONNULL(3, 6, 7);

/* ---- the /attest document (ATTEST.json) -------------------------------------------- */

/* What /attest serves and `candor verify --attestation` reads (docs/attestation.md §7; the
 * field names are those of the service's /attest route):
 *   {"publicKey": "0x04..", "tee": "<provider>", "insecure": bool, "quote": "0x..",
 *    "reportData": "0x..", "version": "...", "config": "<config text>", "configDigest": "0x..",
 *    "nonce": "0x.." | null, "eventLog": "<dstack JSON event log text>" (optional)}
 * (the service adds "address" and "chainId"; verifiers ignore unknown fields).
 * Appends the JSON object to `out`. */
CD_MUST_CHECK cd_status att_attestation_json(const att_evidence *ev, const char *tee, cd_bytes pubkey,
                                             const char *version, cd_bytes config, cd_bytes nonce,
                                             cd_buf *out) CD_NONNULL(1, 2, 4, 7);

/* Verifies an ATTEST.json end to end: recomputes the config digest from version+config
 * (a configDigest field that disagrees is CD_ERR_ATT_BINDING),
 * then att_verify_binding(quote, public_key, digest, nonce, policy, opts), then (TDX with an
 * event log) replays the log against RTMR0..3.
 * expected_pubkey: the key the caller trusts (e.g. the signer of an answer); len 0 = take the
 * document's (the caller then learns it from pubkey_out). expected_nonce: len 0 = accept the
 * document's nonce (no freshness), else it must equal the document's nonce.
 * pubkey_out (may be NULL) receives the bound public key. */
CD_MUST_CHECK cd_status att_attestation_verify(const char *json, size_t len, cd_bytes expected_pubkey,
                                               cd_bytes expected_nonce, const att_policy *policy,
                                               const att_verify_opts *opts, att_report *rep,
                                               cd_buf *pubkey_out, cd_error *err) CD_NONNULL(1, 6, 7);

/* ---- event logs: what was measured ------------------------------------------------ */

#define ATT_EVENT_MAX 4096

typedef struct {
    uint32_t imr;            /* 0..3 = RTMR0..3 */
    uint32_t event_type;
    uint8_t digest[ATT_MR_LEN];
    char name[64];           /* dstack event name, or a short type name for CCEL */
    size_t data_offset, data_len; /* event data in the input (CCEL) / decoded payload length */
} att_event;

typedef struct {
    size_t count;
    att_event *events;       /* heap array, count entries */
    uint8_t rtmr[4][ATT_MR_LEN]; /* replayed registers */
} att_event_log;

/* Parses a CCEL (TCG2 crypto-agile, SHA-384) binary event log and replays RTMR0..3.
 * Trailing 0xff / zero fill after the last event is accepted. */
CD_MUST_CHECK cd_status att_ccel_replay(cd_bytes log, att_event_log *out, cd_error *err)
    CD_NONNULL(2);
/* Parses dstack's JSON event log (array of {imr, event_type, digest, event, event_payload})
 * and replays RTMR0..3. */
CD_MUST_CHECK cd_status att_dstack_log_replay(const char *json, size_t len, att_event_log *out,
                                              cd_error *err) CD_NONNULL(1, 3);
void att_event_log_free(att_event_log *log);
/* CD_OK if the replayed registers equal the report's RTMR0..3, else CD_ERR_ATT_EVENT_LOG
 * naming the first differing register. */
CD_MUST_CHECK cd_status att_event_log_check(const att_event_log *log, const att_report *rep,
                                            cd_error *err) CD_NONNULL(1, 2);

/* ---- measurement id (attest/measurement.c) ---------------------------------------- */

/* The id governance approves for the build a verified report measures (docs/governance.md):
 * TDX keccak256(mrTd‖rtMr0..3‖mrConfigId‖xFAM‖tdAttributes) (Flashtestations' workloadId),
 * Nitro keccak256(PCR0‖PCR1‖PCR2), mock keccak256(mock measurement). CD_ERR_INVALID_ARG for
 * an unknown format or a Nitro document without PCR0..2. */
CD_MUST_CHECK cd_status att_measurement_id(const att_report *rep, uint8_t out[32]) CD_NONNULL(1, 2);

/* ---- output ----------------------------------------------------------------------- */

/* Appends the report as a JSON object (measurements, report data, TCB status, verdict) to
 * `out` (text, no NUL). `status` is the result of att_verify, `reason` its text. */
CD_MUST_CHECK cd_status att_report_json(const att_report *rep, cd_status status, const char *reason,
                                        cd_buf *out) CD_NONNULL(1, 4);

#endif
