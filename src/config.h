/* `candor serve` configuration: command-line flags, CANDOR_<NAME> environment variables and
 * an optional config file, all with the same names (Helios style).
 *
 * Precedence, lowest to highest: built-in defaults < config file < environment < flags.
 * Names: flag `--consensus-rpc`, env `CANDOR_CONSENSUS_RPC`, file key `consensus-rpc` (or
 * `consensus_rpc`). List-valued names (consensus-rpc, execution-rpc) take several values:
 * a repeated flag, or a comma-separated value anywhere. The config file is `key = value`
 * per line, `#` comments, optional double quotes, and `[a, b]` lists (a TOML subset). */
#ifndef CANDOR_SVC_CONFIG_H
#define CANDOR_SVC_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"
#include "src/log.h"

#define SVC_MAX_UPSTREAMS 8
#define SVC_URL_MAX 1024
#define SVC_PATH_MAX 1024
#define SVC_MAX_PEERS 16
#define SVC_PEER_ADDR_MAX 262   /* host (255) ':' port */
#define SVC_MAX_DVN_ENDPOINTS 8
#define SVC_MOCK_MEASUREMENT_LEN 48

typedef enum { SVC_LISTEN_TCP, SVC_LISTEN_VSOCK } svc_listen_kind;

typedef struct {
    svc_listen_kind kind;
    char host[256];    /* TCP: address to bind ("127.0.0.1", "0.0.0.0", "::1") */
    uint16_t port;     /* TCP or vsock port; 0 = any free port (tests) */
    uint32_t cid;      /* vsock context id */
} svc_listen_addr;

typedef struct {
    char network[SVC_PATH_MAX];          /* mainnet|sepolia|holesky|hoodi or a config YAML path */
    bool has_checkpoint;
    cd_hash32 checkpoint;                /* trusted beacon block root */
    char consensus_rpc[SVC_MAX_UPSTREAMS][SVC_URL_MAX];
    unsigned n_consensus_rpc;
    char execution_rpc[SVC_MAX_UPSTREAMS][SVC_URL_MAX];
    unsigned n_execution_rpc;
    svc_listen_addr listen;
    char data_dir[SVC_PATH_MAX];
    char tee[32];                        /* mock (only one available until attest/ lands) */
    svc_log_level log_level;
    uint64_t max_checkpoint_age;         /* seconds */
    unsigned max_connections;            /* HTTP connection limit */
    unsigned request_timeout;            /* HTTP request timeout, seconds */
    unsigned upstream_timeout;           /* upstream request timeout, seconds */
    bool doh;                            /* resolve upstream names over DNS-over-HTTPS */
    char doh_url[SVC_URL_MAX];
    char config_file[SVC_PATH_MAX];      /* where the file values came from ("" = none) */
    uint64_t execution_chain_id;         /* --execution-chain-id; 0 = the network's (see service.c) */

    /* Governance (gov/, docs/governance.md). */
    bool has_governance;
    cd_address governance;               /* --governance: the CandorGovernance contract */
    uint64_t governance_max_age;         /* seconds; a reading older than this fails closed */
    bool require_approved;               /* --require-approved: sign nothing unless our build is approved */
    bool has_mock_measurement;
    uint8_t mock_measurement[SVC_MOCK_MEASUREMENT_LEN]; /* --mock-measurement: the mock TEE's "MRTD" */

    /* Cluster (cluster/, docs/cluster.md). */
    char peers[SVC_MAX_PEERS][SVC_PEER_ADDR_MAX]; /* --peers host:port,... */
    unsigned n_peers;
    bool has_peer_port;
    uint16_t peer_port;                  /* --peer-port: the attested peer channel (TLS 1.3) */
    char peer_allow[SVC_PATH_MAX];       /* --peer-allow FILE: policy file instead of governance (dev) */
    bool peer_allow_mock;                /* --peer-allow-mock: admit mock-TEE peers (both sides mock) */

    /* DVN (dvn/, docs/dvn.md). */
    cd_address dvn_endpoint[SVC_MAX_DVN_ENDPOINTS]; /* --dvn-endpoint (repeatable) */
    unsigned n_dvn_endpoints;
    bool has_dvn_vid;
    uint32_t dvn_vid;                    /* --dvn-vid: the verifier id of the DVN multisig path */
    bool has_dvn_target;
    cd_address dvn_target;               /* --dvn-target: the contract the multisig calls */

    /* Bookkeeping for list values: a source (file, env, flags) that sets a list replaces
     * what a lower source set, while repeated flags within one source append. */
    int source_;                         /* source currently being applied */
    int list_source_[4];                 /* source that last set: consensus, execution, peers, dvn endpoints */
} svc_config;

/* Fills the built-in defaults (network mainnet, listen 127.0.0.1:8545, data-dir ./candor-data,
 * tee mock, log-level info, max-checkpoint-age 14 days). */
void svc_config_defaults(svc_config *cfg);

/* The whole resolution: defaults, then the config file (--config / CANDOR_CONFIG), then
 * environment (`envp`, NULL-terminated "NAME=value" strings), then argv (after "serve").
 * Sets *help when --help was given. Errors name the offending flag/variable/line. */
CD_MUST_CHECK cd_status svc_config_load(svc_config *cfg, int argc, char **argv, char **envp,
                                        bool *help, cd_error *err);

/* Single steps (used by svc_config_load; exposed for tests). `origin` names the source
 * ("--listen", "CANDOR_LISTEN", "candor.toml:3") in error messages. */
CD_MUST_CHECK cd_status svc_config_set(svc_config *cfg, const char *name, const char *value,
                                       const char *origin, cd_error *err);
CD_MUST_CHECK cd_status svc_config_parse_file_text(svc_config *cfg, const char *text, size_t len,
                                                   const char *file_name, cd_error *err);
CD_MUST_CHECK cd_status svc_config_parse_listen(const char *s, svc_listen_addr *out, cd_error *err);
/* "3600", "90s", "30m", "12h", "14d", "2w" -> seconds. */
CD_MUST_CHECK cd_status svc_config_parse_duration(const char *s, uint64_t *out);
/* Checks cross-field requirements before the daemon starts (at least one upstream each...). */
CD_MUST_CHECK cd_status svc_config_validate(const svc_config *cfg, cd_error *err);

/* The --help text. */
void svc_config_usage(FILE *out);

#endif
