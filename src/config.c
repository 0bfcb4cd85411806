#include "src/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { SRC_DEFAULT = 0, SRC_FILE = 1, SRC_ENV = 2, SRC_FLAG = 3 };

#define CONFIG_FILE_MAX (64 * 1024)

typedef enum {
    OPT_NETWORK, OPT_CHECKPOINT, OPT_CONSENSUS_RPC, OPT_EXECUTION_RPC, OPT_LISTEN, OPT_DATA_DIR,
    OPT_TEE, OPT_LOG_LEVEL, OPT_MAX_CHECKPOINT_AGE, OPT_MAX_CONNECTIONS, OPT_REQUEST_TIMEOUT,
    OPT_UPSTREAM_TIMEOUT, OPT_DOH, OPT_CONFIG, OPT_EXECUTION_CHAIN_ID,
    OPT_GOVERNANCE, OPT_GOVERNANCE_MAX_AGE, OPT_REQUIRE_APPROVED, OPT_MOCK_MEASUREMENT,
    OPT_PEERS, OPT_PEER_PORT, OPT_PEER_ALLOW, OPT_PEER_ALLOW_MOCK,
    OPT_DVN_ENDPOINT, OPT_DVN_VID, OPT_DVN_TARGET,
} option_id;

typedef struct {
    const char *name; /* flag name without "--"; env is CANDOR_ + upper, '-' -> '_' */
    option_id id;
    const char *help;
    bool is_bool;     /* a switch: "--name" alone means true; "--name=false" turns it off */
} option_def;

static const option_def options[] = {
    {"network", OPT_NETWORK, "mainnet|sepolia|holesky|hoodi or a consensus config YAML file", false},
    {"checkpoint", OPT_CHECKPOINT, "trusted beacon block root (0x + 64 hex)", false},
    {"consensus-rpc", OPT_CONSENSUS_RPC, "beacon API URL (repeat or comma-separate; URL#sha256//PIN pins TLS)", false},
    {"execution-rpc", OPT_EXECUTION_RPC, "execution JSON-RPC URL (repeat or comma-separate; vsock://CID:PORT)", false},
    {"listen", OPT_LISTEN, "HTTP listen address: HOST:PORT, [V6]:PORT or vsock:CID:PORT", false},
    {"data-dir", OPT_DATA_DIR, "directory of the sealed store", false},
    {"tee", OPT_TEE, "TEE provider: mock|dstack|tdx|nitro (mock: development only, flagged insecure)", false},
    {"log-level", OPT_LOG_LEVEL, "error|warn|info|debug", false},
    {"max-checkpoint-age", OPT_MAX_CHECKPOINT_AGE, "refuse older checkpoints (seconds or 30m, 12h, 14d, 2w)", false},
    {"max-connections", OPT_MAX_CONNECTIONS, "HTTP connection limit", false},
    {"request-timeout", OPT_REQUEST_TIMEOUT, "HTTP request timeout in seconds", false},
    {"upstream-timeout", OPT_UPSTREAM_TIMEOUT, "upstream request timeout in seconds", false},
    {"doh", OPT_DOH, "resolve upstream host names over this DNS-over-HTTPS URL (off = system DNS)", false},
    {"config", OPT_CONFIG, "config file with the same names (key = value)", false},
    {"execution-chain-id", OPT_EXECUTION_CHAIN_ID, "execution chain id answers are signed for (default: the network's)", false},
    {"governance", OPT_GOVERNANCE, "CandorGovernance contract address (0x + 40 hex), read at finalized heads", false},
    {"governance-max-age", OPT_GOVERNANCE_MAX_AGE, "refuse what depends on governance when its reading is older (30m)", false},
    {"require-approved", OPT_REQUIRE_APPROVED, "sign nothing unless governance approves this build's measurement", true},
    {"mock-measurement", OPT_MOCK_MEASUREMENT, "mock TEE only: the 48-byte measurement its quotes report (hex)", false},
    {"peers", OPT_PEERS, "join a cluster through these peers: HOST:PORT (repeat or comma-separate)", false},
    {"peer-port", OPT_PEER_PORT, "port of the attested peer channel (TLS 1.3), on the --listen host", false},
    {"peer-allow", OPT_PEER_ALLOW, "admit peers by this --allow policy file instead of governance (weaker)", false},
    {"peer-allow-mock", OPT_PEER_ALLOW_MOCK, "admit mock-TEE peers (only when this node runs --tee mock too)", true},
    {"dvn-endpoint", OPT_DVN_ENDPOINT, "LayerZero endpoint whose PacketSent logs /dvn/verify proves (repeatable)", false},
    {"dvn-vid", OPT_DVN_VID, "verifier id (vid) of the DVN multisig path", false},
    {"dvn-target", OPT_DVN_TARGET, "contract the DVN multisig calls verify() on (0x + 40 hex)", false},
};

void svc_config_defaults(svc_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->network, sizeof cfg->network, "mainnet");
    cfg->listen.kind = SVC_LISTEN_TCP;
    snprintf(cfg->listen.host, sizeof cfg->listen.host, "127.0.0.1");
    cfg->listen.port = 8545;
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "candor-data");
    snprintf(cfg->tee, sizeof cfg->tee, "mock");
    cfg->log_level = SVC_LOG_INFO;
    cfg->max_checkpoint_age = 14ull * 24 * 3600; /* the weak-subjectivity horizon Helios uses */
    cfg->max_connections = 256;
    cfg->request_timeout = 30;
    cfg->upstream_timeout = 10;
    cfg->governance_max_age = 30 * 60;
    for (size_t i = 0; i < CD_ARRAY_LEN(cfg->list_source_); i++) cfg->list_source_[i] = SRC_DEFAULT;
    cfg->source_ = SRC_DEFAULT;
}

void svc_config_usage(FILE *out) {
    fprintf(out, "usage: candor serve [--NAME VALUE | --NAME=VALUE]...\n\n"
                 "Every NAME can also be given as environment variable CANDOR_<NAME> (upper case,\n"
                 "'-' as '_') or as 'NAME = value' in the --config file. Flags override the\n"
                 "environment, which overrides the file.\n\n");
    for (size_t i = 0; i < CD_ARRAY_LEN(options); i++)
        fprintf(out, "  --%-20s %s%s\n", options[i].name, options[i].help, options[i].is_bool ? " [switch]" : "");
}

/* Matches "consensus-rpc", "consensus_rpc" and "CONSENSUS_RPC" (env form, prefix stripped). */
static const option_def *find_option(const char *name, size_t len) {
    for (size_t i = 0; i < CD_ARRAY_LEN(options); i++) {
        const char *o = options[i].name;
        if (strlen(o) != len) continue;
        size_t k = 0;
        for (; k < len; k++) {
            char c = (char)tolower((unsigned char)name[k]);
            if (c == '_') c = '-';
            if (c != o[k]) break;
        }
        if (k == len) return &options[i];
    }
    return NULL;
}

CD_MUST_CHECK static cd_status copy_str(char *dst, size_t cap, const char *value,
                                        const char *origin, cd_error *err) {
    size_t n = strlen(value);
    if (n >= cap) return cd_fail(err, CD_ERR_CONFIG, "%s: value too long (max %zu)", origin, cap - 1);
    memcpy(dst, value, n + 1);
    return CD_OK;
}

CD_MUST_CHECK static cd_status parse_uint(const char *s, uint64_t max, uint64_t *out) {
    if (!*s) return CD_ERR_CONFIG;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return CD_ERR_CONFIG;
        unsigned d = (unsigned)(*p - '0');
        if (v > (max - d) / 10) return CD_ERR_CONFIG;
        v = v * 10 + d;
    }
    *out = v;
    return CD_OK;
}

cd_status svc_config_parse_duration(const char *s, uint64_t *out) {
    size_t n = strlen(s);
    if (n == 0 || n > 24) return CD_ERR_CONFIG;
    uint64_t unit = 1;
    char digits[32];
    memcpy(digits, s, n + 1);
    switch (digits[n - 1]) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: unit = 0; break;
    }
    if (unit) digits[n - 1] = '\0';
    else unit = 1;
    uint64_t v;
    if (parse_uint(digits, UINT64_MAX / unit, &v) != CD_OK) return CD_ERR_CONFIG;
    *out = v * unit;
    return CD_OK;
}

cd_status svc_config_parse_listen(const char *s, svc_listen_addr *out, cd_error *err) {
    svc_listen_addr a;
    memset(&a, 0, sizeof a);
    uint64_t v;
    if (!strncmp(s, "vsock:", 6)) {
        /* vsock:CID:PORT */
        const char *cid = s + 6, *colon = strchr(cid, ':');
        char buf[32];
        if (!colon || (size_t)(colon - cid) >= sizeof buf)
            return cd_fail(err, CD_ERR_CONFIG, "listen '%s': expected vsock:CID:PORT", s);
        memcpy(buf, cid, (size_t)(colon - cid));
        buf[colon - cid] = '\0';
        if (parse_uint(buf, UINT32_MAX, &v) != CD_OK)
            return cd_fail(err, CD_ERR_CONFIG, "listen '%s': bad vsock CID", s);
        a.cid = (uint32_t)v;
        if (parse_uint(colon + 1, 65535, &v) != CD_OK)
            return cd_fail(err, CD_ERR_CONFIG, "listen '%s': bad port", s);
        a.kind = SVC_LISTEN_VSOCK;
        a.port = (uint16_t)v;
        *out = a;
        return CD_OK;
    }
    const char *host = s, *port;
    size_t host_len;
    if (s[0] == '[') { /* [::1]:8545 */
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return cd_fail(err, CD_ERR_CONFIG, "listen '%s': expected [ADDR]:PORT", s);
        host = s + 1;
        host_len = (size_t)(close - host);
        port = close + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (!colon) return cd_fail(err, CD_ERR_CONFIG, "listen '%s': expected HOST:PORT", s);
        host_len = (size_t)(colon - s);
        port = colon + 1;
    }
    if (host_len == 0 || host_len >= sizeof a.host)
        return cd_fail(err, CD_ERR_CONFIG, "listen '%s': bad host", s);
    if (parse_uint(port, 65535, &v) != CD_OK)
        return cd_fail(err, CD_ERR_CONFIG, "listen '%s': bad port", s);
    memcpy(a.host, host, host_len);
    a.host[host_len] = '\0';
    a.kind = SVC_LISTEN_TCP;
    a.port = (uint16_t)v;
    *out = a;
    return CD_OK;
}

/* Appends the comma-separated URLs in `value` to a list; a higher source replaces it. */
CD_MUST_CHECK static cd_status set_url_list(svc_config *cfg, int which, const char *value,
                                            const char *origin, cd_error *err) {
    char(*list)[SVC_URL_MAX] = which == 0 ? cfg->consensus_rpc : cfg->execution_rpc;
    unsigned *count = which == 0 ? &cfg->n_consensus_rpc : &cfg->n_execution_rpc;
    if (cfg->list_source_[which] != cfg->source_) {
        *count = 0;
        cfg->list_source_[which] = cfg->source_;
    }
    const char *p = value;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && isspace((unsigned char)*p)) p++, n--;
        while (n && isspace((unsigned char)p[n - 1])) n--;
        if (n) {
            if (*count >= SVC_MAX_UPSTREAMS)
                return cd_fail(err, CD_ERR_CONFIG, "%s: at most %d URLs", origin, SVC_MAX_UPSTREAMS);
            if (n >= SVC_URL_MAX) return cd_fail(err, CD_ERR_CONFIG, "%s: URL too long", origin);
            if (strncmp(p, "http://", 7) && strncmp(p, "https://", 8) && strncmp(p, "vsock://", 8))
                return cd_fail(err, CD_ERR_CONFIG, "%s: '%.*s' is not an http(s):// or vsock:// URL",
                               origin, (int)(n > 200 ? 200 : n), p);
            memcpy(list[*count], p, n);
            list[*count][n] = '\0';
            (*count)++;
        }
        if (!end) break;
        p = end + 1;
    }
    return CD_OK;
}

/* Starts list `which` afresh when a higher source (file < env < flags) sets it. */
static void list_take(svc_config *cfg, int which, unsigned *count) {
    if (cfg->list_source_[which] != cfg->source_) {
        *count = 0;
        cfg->list_source_[which] = cfg->source_;
    }
}

/* Calls `item` for each trimmed, non-empty comma-separated part of `value`. */
CD_MUST_CHECK static cd_status for_each_item(const char *value, const char *origin, size_t max_len,
                                             cd_status (*item)(void *arg, const char *p, size_t n, cd_error *err),
                                             void *arg, cd_error *err) {
    const char *p = value;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && isspace((unsigned char)*p)) p++, n--;
        while (n && isspace((unsigned char)p[n - 1])) n--;
        if (n) {
            if (n >= max_len) return cd_fail(err, CD_ERR_CONFIG, "%s: item too long (max %zu)", origin, max_len - 1);
            cd_status st = item(arg, p, n, err);
            if (st != CD_OK) return st;
        }
        if (!end) break;
        p = end + 1;
    }
    return CD_OK;
}

CD_MUST_CHECK static cd_status parse_address(const char *value, cd_address *out, const char *origin, cd_error *err) {
    if (strlen(value) != 42 || strncmp(value, "0x", 2) || cd_hex_decode_exact(value, out->b, 20) != CD_OK)
        return cd_fail(err, CD_ERR_CONFIG, "%s: expected an address, 0x followed by 40 hex digits", origin);
    return CD_OK;
}

typedef struct {
    svc_config *cfg;
    const char *origin;
} list_ctx;

static cd_status add_peer(void *arg, const char *p, size_t n, cd_error *err) {
    list_ctx *c = arg;
    svc_config *cfg = c->cfg;
    if (cfg->n_peers >= SVC_MAX_PEERS)
        return cd_fail(err, CD_ERR_CONFIG, "%s: at most %d peers", c->origin, SVC_MAX_PEERS);
    char buf[SVC_PEER_ADDR_MAX];
    memcpy(buf, p, n);
    buf[n] = '\0';
    svc_listen_addr a;
    if (svc_config_parse_listen(buf, &a, err) != CD_OK || a.kind != SVC_LISTEN_TCP || a.port == 0) {
        return cd_fail(err, CD_ERR_CONFIG, "%s: peer '%.*s' is not HOST:PORT", c->origin,
                       (int)(n > 200 ? 200 : n), p);
    }
    memcpy(cfg->peers[cfg->n_peers++], buf, n + 1);
    return CD_OK;
}

static cd_status add_dvn_endpoint(void *arg, const char *p, size_t n, cd_error *err) {
    list_ctx *c = arg;
    svc_config *cfg = c->cfg;
    if (cfg->n_dvn_endpoints >= SVC_MAX_DVN_ENDPOINTS)
        return cd_fail(err, CD_ERR_CONFIG, "%s: at most %d endpoints", c->origin, SVC_MAX_DVN_ENDPOINTS);
    char buf[43];
    if (n != 42) return cd_fail(err, CD_ERR_CONFIG, "%s: endpoint must be 0x followed by 40 hex digits", c->origin);
    memcpy(buf, p, n);
    buf[n] = '\0';
    if (parse_address(buf, &cfg->dvn_endpoint[cfg->n_dvn_endpoints], c->origin, err) != CD_OK) return CD_ERR_CONFIG;
    cfg->n_dvn_endpoints++;
    return CD_OK;
}

CD_MUST_CHECK static cd_status parse_bool(const char *value, bool *out, const char *origin, cd_error *err) {
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < CD_ARRAY_LEN(yes); i++)
        if (!strcasecmp(value, yes[i])) return *out = true, CD_OK;
    for (size_t i = 0; i < CD_ARRAY_LEN(no); i++)
        if (!strcasecmp(value, no[i])) return *out = false, CD_OK;
    return cd_fail(err, CD_ERR_CONFIG, "%s: expected true or false", origin);
}

static cd_status apply(svc_config *cfg, const option_def *opt, const char *value,
                       const char *origin, cd_error *err) {
    uint64_t v;
    switch (opt->id) {
    case OPT_NETWORK:
        if (!*value) return cd_fail(err, CD_ERR_CONFIG, "%s: empty network", origin);
        return copy_str(cfg->network, sizeof cfg->network, value, origin, err);
    case OPT_CHECKPOINT:
        if (cd_hex_decode_exact(value, cfg->checkpoint.b, 32) != CD_OK || strncmp(value, "0x", 2))
            return cd_fail(err, CD_ERR_CONFIG, "%s: checkpoint must be 0x followed by 64 hex digits",
                           origin);
        cfg->has_checkpoint = true;
        return CD_OK;
    case OPT_CONSENSUS_RPC: return set_url_list(cfg, 0, value, origin, err);
    case OPT_EXECUTION_RPC: return set_url_list(cfg, 1, value, origin, err);
    case OPT_LISTEN: {
        cd_status s = svc_config_parse_listen(value, &cfg->listen, err);
        if (s != CD_OK) cd_error_prefix(err, "%s: ", origin);
        return s;
    }
    case OPT_DATA_DIR:
        if (!*value) return cd_fail(err, CD_ERR_CONFIG, "%s: empty data directory", origin);
        return copy_str(cfg->data_dir, sizeof cfg->data_dir, value, origin, err);
    case OPT_TEE:
        if (strcmp(value, "mock") && strcmp(value, "tdx") && strcmp(value, "dstack") &&
            strcmp(value, "nitro"))
            return cd_fail(err, CD_ERR_CONFIG, "%s: unknown TEE '%s' (mock|dstack|tdx|nitro)",
                           origin, value);
        return copy_str(cfg->tee, sizeof cfg->tee, value, origin, err);
    case OPT_LOG_LEVEL:
        if (!svc_log_level_parse(value, &cfg->log_level))
            return cd_fail(err, CD_ERR_CONFIG, "%s: log level must be error|warn|info|debug", origin);
        return CD_OK;
    case OPT_MAX_CHECKPOINT_AGE:
        if (svc_config_parse_duration(value, &cfg->max_checkpoint_age) != CD_OK)
            return cd_fail(err, CD_ERR_CONFIG, "%s: bad duration '%s'", origin, value);
        return CD_OK;
    case OPT_MAX_CONNECTIONS:
        if (parse_uint(value, 65536, &v) != CD_OK || v == 0)
            return cd_fail(err, CD_ERR_CONFIG, "%s: expected 1..65536", origin);
        cfg->max_connections = (unsigned)v;
        return CD_OK;
    case OPT_REQUEST_TIMEOUT:
    case OPT_UPSTREAM_TIMEOUT:
        if (parse_uint(value, 3600, &v) != CD_OK || v == 0)
            return cd_fail(err, CD_ERR_CONFIG, "%s: expected 1..3600 seconds", origin);
        if (opt->id == OPT_REQUEST_TIMEOUT) cfg->request_timeout = (unsigned)v;
        else cfg->upstream_timeout = (unsigned)v;
        return CD_OK;
    case OPT_DOH:
        if (!strcmp(value, "off") || !*value) {
            cfg->doh = false;
            cfg->doh_url[0] = '\0';
            return CD_OK;
        }
        if (strncmp(value, "https://", 8))
            return cd_fail(err, CD_ERR_CONFIG, "%s: DoH URL must be https://", origin);
        cfg->doh = true;
        return copy_str(cfg->doh_url, sizeof cfg->doh_url, value, origin, err);
    case OPT_CONFIG:
        return copy_str(cfg->config_file, sizeof cfg->config_file, value, origin, err);
    case OPT_EXECUTION_CHAIN_ID:
        if (parse_uint(value, UINT64_MAX, &v) != CD_OK || v == 0)
            return cd_fail(err, CD_ERR_CONFIG, "%s: expected a positive chain id", origin);
        cfg->execution_chain_id = v;
        return CD_OK;
    case OPT_GOVERNANCE:
        if (parse_address(value, &cfg->governance, origin, err) != CD_OK) return CD_ERR_CONFIG;
        cfg->has_governance = true;
        return CD_OK;
    case OPT_GOVERNANCE_MAX_AGE:
        if (svc_config_parse_duration(value, &cfg->governance_max_age) != CD_OK || cfg->governance_max_age == 0)
            return cd_fail(err, CD_ERR_CONFIG, "%s: bad duration '%s'", origin, value);
        return CD_OK;
    case OPT_REQUIRE_APPROVED: return parse_bool(value, &cfg->require_approved, origin, err);
    case OPT_PEER_ALLOW_MOCK: return parse_bool(value, &cfg->peer_allow_mock, origin, err);
    case OPT_MOCK_MEASUREMENT: {
        if (cd_hex_decode_exact(value, cfg->mock_measurement, SVC_MOCK_MEASUREMENT_LEN) != CD_OK)
            return cd_fail(err, CD_ERR_CONFIG, "%s: expected %d bytes of hex", origin, SVC_MOCK_MEASUREMENT_LEN);
        cfg->has_mock_measurement = true;
        return CD_OK;
    }
    case OPT_PEERS: {
        list_take(cfg, 2, &cfg->n_peers);
        list_ctx c = {cfg, origin};
        return for_each_item(value, origin, SVC_PEER_ADDR_MAX, add_peer, &c, err);
    }
    case OPT_PEER_PORT:
        if (parse_uint(value, 65535, &v) != CD_OK)
            return cd_fail(err, CD_ERR_CONFIG, "%s: expected a port 0..65535", origin);
        cfg->peer_port = (uint16_t)v;
        cfg->has_peer_port = true;
        return CD_OK;
    case OPT_PEER_ALLOW:
        if (!*value) return cd_fail(err, CD_ERR_CONFIG, "%s: empty file name", origin);
        return copy_str(cfg->peer_allow, sizeof cfg->peer_allow, value, origin, err);
    case OPT_DVN_ENDPOINT: {
        list_take(cfg, 3, &cfg->n_dvn_endpoints);
        list_ctx c = {cfg, origin};
        return for_each_item(value, origin, 64, add_dvn_endpoint, &c, err);
    }
    case OPT_DVN_VID:
        if (parse_uint(value, UINT32_MAX, &v) != CD_OK)
            return cd_fail(err, CD_ERR_CONFIG, "%s: expected a vid 0..4294967295", origin);
        cfg->dvn_vid = (uint32_t)v;
        cfg->has_dvn_vid = true;
        return CD_OK;
    case OPT_DVN_TARGET:
        if (parse_address(value, &cfg->dvn_target, origin, err) != CD_OK) return CD_ERR_CONFIG;
        cfg->has_dvn_target = true;
        return CD_OK;
    }
    return cd_fail(err, CD_ERR_INTERNAL, "unhandled option");
}

cd_status svc_config_set(svc_config *cfg, const char *name, const char *value, const char *origin,
                         cd_error *err) {
    const option_def *opt = find_option(name, strlen(name));
    if (!opt) return cd_fail(err, CD_ERR_CONFIG, "%s: unknown setting '%s'", origin, name);
    return apply(cfg, opt, value, origin, err);
}

/* Strips one pair of double quotes; rejects a quote left open. */
static bool unquote(char *s) {
    size_t n = strlen(s);
    if (n == 0 || s[0] != '"') return true;
    if (n < 2 || s[n - 1] != '"') return false;
    memmove(s, s + 1, n - 2);
    s[n - 2] = '\0';
    return strchr(s, '"') == NULL;
}

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

cd_status svc_config_parse_file_text(svc_config *cfg, const char *text, size_t len,
                                     const char *file_name, cd_error *err) {
    if (len > CONFIG_FILE_MAX) return cd_fail(err, CD_ERR_CONFIG, "%s: file too large", file_name);
    unsigned lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        lineno++;
        char line[SVC_PATH_MAX * 2];
        char origin[SVC_PATH_MAX + 32];
        snprintf(origin, sizeof origin, "%s:%u", file_name, lineno);
        if (end - pos >= sizeof line) return cd_fail(err, CD_ERR_CONFIG, "%s: line too long", origin);
        if (memchr(text + pos, '\0', end - pos))
            return cd_fail(err, CD_ERR_CONFIG, "%s: NUL byte", origin);
        memcpy(line, text + pos, end - pos);
        line[end - pos] = '\0';
        pos = end + 1;
        /* A '#' starts a comment unless it is inside quotes (a pinned URL has '#sha256//'). */
        bool in_quotes = false;
        for (char *p = line; *p; p++) {
            if (*p == '"') in_quotes = !in_quotes;
            else if (*p == '#' && !in_quotes) {
                *p = '\0';
                break;
            }
        }
        char *s = trim(line);
        if (!*s || s[0] == '[') continue; /* blank, or a TOML table header we ignore */
        char *eq = strchr(s, '=');
        if (!eq) return cd_fail(err, CD_ERR_CONFIG, "%s: expected 'name = value'", origin);
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        const option_def *opt = find_option(key, strlen(key));
        if (!opt) return cd_fail(err, CD_ERR_CONFIG, "%s: unknown setting '%s'", origin, key);
        if (opt->id == OPT_CONFIG)
            return cd_fail(err, CD_ERR_CONFIG, "%s: a config file cannot name another", origin);
        size_t vlen = strlen(value);
        if (vlen && value[0] == '[') { /* ["a", "b"] */
            if (value[vlen - 1] != ']')
                return cd_fail(err, CD_ERR_CONFIG, "%s: list not closed with ']'", origin);
            value[vlen - 1] = '\0';
            char *item = value + 1;
            while (item) {
                char *comma = strchr(item, ',');
                if (comma) *comma = '\0';
                char *it = trim(item);
                if (*it) {
                    if (!unquote(it)) return cd_fail(err, CD_ERR_CONFIG, "%s: bad quoting", origin);
                    cd_status st = apply(cfg, opt, it, origin, err);
                    if (st != CD_OK) return st;
                }
                item = comma ? comma + 1 : NULL;
            }
            continue;
        }
        if (!unquote(value)) return cd_fail(err, CD_ERR_CONFIG, "%s: bad quoting", origin);
        cd_status st = apply(cfg, opt, value, origin, err);
        if (st != CD_OK) return st;
    }
    return CD_OK;
}

static const char *env_lookup(char **envp, const char *name) {
    if (!envp) return NULL;
    size_t n = strlen(name);
    for (char **e = envp; *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=') return *e + n + 1;
    return NULL;
}

static void env_name(const option_def *opt, char *out, size_t cap) {
    size_t o = (size_t)snprintf(out, cap, "CANDOR_");
    for (const char *p = opt->name; *p && o + 1 < cap; p++)
        out[o++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    out[o] = '\0';
}

cd_status svc_config_load(svc_config *cfg, int argc, char **argv, char **envp, bool *help,
                          cd_error *err) {
    svc_config_defaults(cfg);
    *help = false;
    /* The config file location comes first, from flags or env, so the others can override it. */
    const char *file = env_lookup(envp, "CANDOR_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc) file = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9)) file = argv[i] + 9;
    }
    if (file && *file) {
        cd_buf text = {0};
        cd_status s = cd_read_file(file, CONFIG_FILE_MAX, &text);
        if (s != CD_OK) {
            cd_buf_free(&text);
            return cd_fail(err, CD_ERR_CONFIG, "config file '%s': %s", file, cd_status_str(s));
        }
        cfg->source_ = SRC_FILE;
        s = svc_config_parse_file_text(cfg, (const char *)text.data, text.len, file, err);
        cd_buf_free(&text);
        if (s != CD_OK) return s;
        if (copy_str(cfg->config_file, sizeof cfg->config_file, file, "--config", err) != CD_OK)
            return CD_ERR_CONFIG;
    }
    cfg->source_ = SRC_ENV;
    for (size_t i = 0; i < CD_ARRAY_LEN(options); i++) {
        if (options[i].id == OPT_CONFIG) continue;
        char name[64];
        env_name(&options[i], name, sizeof name);
        const char *v = env_lookup(envp, name);
        if (v) {
            cd_status s = apply(cfg, &options[i], v, name, err);
            if (s != CD_OK) return s;
        }
    }
    cfg->source_ = SRC_FLAG;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            *help = true;
            return CD_OK;
        }
        if (strncmp(a, "--", 2))
            return cd_fail(err, CD_ERR_CONFIG, "unexpected argument '%s'", a);
        const char *name = a + 2, *eq = strchr(name, '='), *value;
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const option_def *opt = find_option(name, name_len);
        /* Flags are spelled with '-' only; '_' is the env/file spelling. */
        if (!opt || memchr(name, '_', name_len))
            return cd_fail(err, CD_ERR_CONFIG, "unknown flag '%.*s'", (int)(name_len > 64 ? 64 : name_len), a);
        if (eq) value = eq + 1;
        else if (opt->is_bool) value = "true"; /* a switch takes no separate value */
        else if (i + 1 < argc) value = argv[++i];
        else return cd_fail(err, CD_ERR_CONFIG, "flag --%s needs a value", opt->name);
        char origin[80];
        snprintf(origin, sizeof origin, "--%s", opt->name);
        if (opt->id == OPT_CONFIG) continue; /* already read */
        cd_status s = apply(cfg, opt, value, origin, err);
        if (s != CD_OK) return s;
    }
    return CD_OK;
}

cd_status svc_config_validate(const svc_config *cfg, cd_error *err) {
    if (cfg->n_consensus_rpc == 0)
        return cd_fail(err, CD_ERR_CONFIG, "no --consensus-rpc given (beacon API URL)");
    if (cfg->n_execution_rpc == 0)
        return cd_fail(err, CD_ERR_CONFIG, "no --execution-rpc given (execution JSON-RPC URL)");
    return CD_OK;
}
