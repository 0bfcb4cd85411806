/* Network configurations, fork schedule, fork digests and signing domains. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/light_client.h"
#include "consensus/ssz.h"

static const char *const fork_names[LC_FORK_COUNT] = {"phase0", "altair", "bellatrix", "capella",
                                                      "deneb",  "electra", "fulu"};
/* Config key prefixes of each fork (GENESIS for phase0). */
static const char *const fork_keys[LC_FORK_COUNT] = {"GENESIS", "ALTAIR",  "BELLATRIX", "CAPELLA",
                                                     "DENEB",   "ELECTRA", "FULU"};

const char *lc_fork_name(lc_fork f) {
    return (unsigned)f < LC_FORK_COUNT ? fork_names[f] : "unknown";
}

cd_status lc_fork_from_name(const char *name, lc_fork *out) {
    if (!name) return CD_ERR_LC_UNKNOWN_FORK;
    for (int f = 0; f < LC_FORK_COUNT; f++)
        if (!strcasecmp(name, fork_names[f])) {
            *out = (lc_fork)f;
            return CD_OK;
        }
    return CD_ERR_LC_UNKNOWN_FORK;
}

/* ---- built-in networks -------------------------------------------------------------- */

/* Fork versions and epochs from the networks' published config.yaml files (consensus-specs
 * v1.6.1 for mainnet/minimal, eth-clients for the testnets); genesis validators roots and
 * genesis times from the networks' genesis data. */
static const char builtin_mainnet[] =
    "CONFIG_NAME: mainnet\nPRESET_BASE: mainnet\n"
    "GENESIS_TIME: 1606824023\n"
    "GENESIS_VALIDATORS_ROOT: 0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95\n"
    "GENESIS_FORK_VERSION: 0x00000000\n"
    "ALTAIR_FORK_VERSION: 0x01000000\nALTAIR_FORK_EPOCH: 74240\n"
    "BELLATRIX_FORK_VERSION: 0x02000000\nBELLATRIX_FORK_EPOCH: 144896\n"
    "CAPELLA_FORK_VERSION: 0x03000000\nCAPELLA_FORK_EPOCH: 194048\n"
    "DENEB_FORK_VERSION: 0x04000000\nDENEB_FORK_EPOCH: 269568\n"
    "ELECTRA_FORK_VERSION: 0x05000000\nELECTRA_FORK_EPOCH: 364032\n"
    "FULU_FORK_VERSION: 0x06000000\nFULU_FORK_EPOCH: 411392\n"
    "SECONDS_PER_SLOT: 12\nMAX_BLOBS_PER_BLOCK_ELECTRA: 9\n"
    "BLOB_SCHEDULE:\n  - EPOCH: 412672\n    MAX_BLOBS_PER_BLOCK: 15\n"
    "  - EPOCH: 419072\n    MAX_BLOBS_PER_BLOCK: 21\n";

static const char builtin_sepolia[] =
    "CONFIG_NAME: sepolia\nPRESET_BASE: mainnet\n"
    "GENESIS_TIME: 1655733600\n"
    "GENESIS_VALIDATORS_ROOT: 0xd8ea171f3c94aea21ebc42a1ed61052acf3f9209c00e4efbaaddac09ed9b8078\n"
    "GENESIS_FORK_VERSION: 0x90000069\n"
    "ALTAIR_FORK_VERSION: 0x90000070\nALTAIR_FORK_EPOCH: 50\n"
    "BELLATRIX_FORK_VERSION: 0x90000071\nBELLATRIX_FORK_EPOCH: 100\n"
    "CAPELLA_FORK_VERSION: 0x90000072\nCAPELLA_FORK_EPOCH: 56832\n"
    "DENEB_FORK_VERSION: 0x90000073\nDENEB_FORK_EPOCH: 132608\n"
    "ELECTRA_FORK_VERSION: 0x90000074\nELECTRA_FORK_EPOCH: 222464\n"
    "FULU_FORK_VERSION: 0x90000075\nFULU_FORK_EPOCH: 272640\n"
    "SECONDS_PER_SLOT: 12\nMAX_BLOBS_PER_BLOCK_ELECTRA: 9\n"
    "BLOB_SCHEDULE:\n  - EPOCH: 274176\n    MAX_BLOBS_PER_BLOCK: 15\n"
    "  - EPOCH: 275712\n    MAX_BLOBS_PER_BLOCK: 21\n";

static const char builtin_holesky[] =
    "CONFIG_NAME: holesky\nPRESET_BASE: mainnet\n"
    "GENESIS_TIME: 1695902400\n"
    "GENESIS_VALIDATORS_ROOT: 0x9143aa7c615a7f7115e2b6aac319c03529df8242ae705fba9df39b79c59fa8b1\n"
    "GENESIS_FORK_VERSION: 0x01017000\n"
    "ALTAIR_FORK_VERSION: 0x02017000\nALTAIR_FORK_EPOCH: 0\n"
    "BELLATRIX_FORK_VERSION: 0x03017000\nBELLATRIX_FORK_EPOCH: 0\n"
    "CAPELLA_FORK_VERSION: 0x04017000\nCAPELLA_FORK_EPOCH: 256\n"
    "DENEB_FORK_VERSION: 0x05017000\nDENEB_FORK_EPOCH: 29696\n"
    "ELECTRA_FORK_VERSION: 0x06017000\nELECTRA_FORK_EPOCH: 115968\n"
    "FULU_FORK_VERSION: 0x07017000\nFULU_FORK_EPOCH: 165120\n"
    "SECONDS_PER_SLOT: 12\nMAX_BLOBS_PER_BLOCK_ELECTRA: 9\n"
    "BLOB_SCHEDULE:\n  - EPOCH: 166400\n    MAX_BLOBS_PER_BLOCK: 15\n"
    "  - EPOCH: 167936\n    MAX_BLOBS_PER_BLOCK: 21\n";

static const char builtin_hoodi[] =
    "CONFIG_NAME: hoodi\nPRESET_BASE: mainnet\n"
    "GENESIS_TIME: 1742213400\n"
    "GENESIS_VALIDATORS_ROOT: 0x212f13fc4df078b6cb7db228f1c8307566dcecf900867401a92023d7ba99cb5f\n"
    "GENESIS_FORK_VERSION: 0x10000910\n"
    "ALTAIR_FORK_VERSION: 0x20000910\nALTAIR_FORK_EPOCH: 0\n"
    "BELLATRIX_FORK_VERSION: 0x30000910\nBELLATRIX_FORK_EPOCH: 0\n"
    "CAPELLA_FORK_VERSION: 0x40000910\nCAPELLA_FORK_EPOCH: 0\n"
    "DENEB_FORK_VERSION: 0x50000910\nDENEB_FORK_EPOCH: 0\n"
    "ELECTRA_FORK_VERSION: 0x60000910\nELECTRA_FORK_EPOCH: 2048\n"
    "FULU_FORK_VERSION: 0x70000910\nFULU_FORK_EPOCH: 50688\n"
    "SECONDS_PER_SLOT: 12\nMAX_BLOBS_PER_BLOCK_ELECTRA: 9\n"
    "BLOB_SCHEDULE:\n  - EPOCH: 52480\n    MAX_BLOBS_PER_BLOCK: 15\n"
    "  - EPOCH: 54016\n    MAX_BLOBS_PER_BLOCK: 21\n";

/* consensus-specs configs/minimal.yaml: every fork after phase0 unscheduled. */
static const char builtin_minimal[] =
    "CONFIG_NAME: minimal\nPRESET_BASE: minimal\n"
    "GENESIS_FORK_VERSION: 0x00000001\n"
    "ALTAIR_FORK_VERSION: 0x01000001\nBELLATRIX_FORK_VERSION: 0x02000001\n"
    "CAPELLA_FORK_VERSION: 0x03000001\nDENEB_FORK_VERSION: 0x04000001\n"
    "ELECTRA_FORK_VERSION: 0x05000001\nFULU_FORK_VERSION: 0x06000001\n"
    "SECONDS_PER_SLOT: 6\nMAX_BLOBS_PER_BLOCK_ELECTRA: 9\nBLOB_SCHEDULE: []\n";

cd_status lc_config_builtin(lc_config *cfg, const char *network) {
    static const struct {
        const char *name;
        const char *text;
        size_t len;
    } nets[] = {
        {"mainnet", builtin_mainnet, sizeof builtin_mainnet - 1},
        {"sepolia", builtin_sepolia, sizeof builtin_sepolia - 1},
        {"holesky", builtin_holesky, sizeof builtin_holesky - 1},
        {"hoodi", builtin_hoodi, sizeof builtin_hoodi - 1},
        {"minimal", builtin_minimal, sizeof builtin_minimal - 1},
    };
    for (size_t i = 0; network && i < CD_ARRAY_LEN(nets); i++)
        if (!strcmp(network, nets[i].name)) return lc_config_parse(cfg, nets[i].text, nets[i].len, NULL);
    return CD_ERR_LC_BAD_CONFIG;
}

/* ---- config.yaml parsing --------------------------------------------------------------- */

typedef struct {
    const char *key;
    size_t key_len;
    const char *val;
    size_t val_len;
    size_t indent;
    bool list_item; /* line started with "- " */
} cfg_line;

/* Splits one line into indentation, optional "- ", key and value; comments removed. */
static bool split_line(const char *s, size_t len, cfg_line *out) {
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len && s[i] == ' ') i++;
    out->indent = i;
    if (i + 1 < len && s[i] == '-' && s[i + 1] == ' ') {
        out->list_item = true;
        i += 2;
        while (i < len && s[i] == ' ') i++;
    }
    /* end of content: a '#' that starts a comment (at start or after a blank, outside quotes) */
    size_t end = i;
    char quote = 0;
    for (; end < len; end++) {
        char c = s[end];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '#' && (end == i || s[end - 1] == ' ' || s[end - 1] == '\t')) {
            break;
        }
    }
    while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r')) end--;
    if (end == i) return false; /* blank or comment-only */
    size_t colon = i;
    while (colon < end && s[colon] != ':') colon++;
    if (colon == end) {
        out->key = s + i; /* no colon: caller reports */
        out->key_len = end - i;
        return true;
    }
    out->key = s + i;
    out->key_len = colon - i;
    size_t v = colon + 1;
    while (v < end && (s[v] == ' ' || s[v] == '\t')) v++;
    out->val = s + v;
    out->val_len = end - v;
    if (out->val_len >= 2 && (out->val[0] == '\'' || out->val[0] == '"') &&
        out->val[out->val_len - 1] == out->val[0]) {
        out->val++;
        out->val_len -= 2;
    }
    return true;
}

static bool key_is(const cfg_line *l, const char *k) {
    return l->key_len == strlen(k) && !memcmp(l->key, k, l->key_len);
}

static bool parse_u64(const char *s, size_t len, uint64_t *out) {
    if (len == 0 || len > 20) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static int cmp_blob(const void *a, const void *b) {
    const lc_blob_params *x = a, *y = b;
    return x->epoch < y->epoch ? -1 : x->epoch > y->epoch;
}

static void apply_preset(lc_config *cfg) {
    bool minimal = cfg->preset == LC_PRESET_MINIMAL;
    cfg->slots_per_epoch = minimal ? 8 : 32;
    cfg->epochs_per_sync_committee_period = minimal ? 8 : 256;
    cfg->sync_committee_size = minimal ? 32 : 512;
    cfg->min_sync_committee_participants = 1;
}

/* One top-level KEY: value. Returns false with a reason on a malformed known key. */
static bool apply_key(lc_config *cfg, const cfg_line *l, const char **why) {
    uint64_t v;
    for (int f = 0; f < LC_FORK_COUNT; f++) {
        size_t kl = strlen(fork_keys[f]);
        if (l->key_len <= kl || memcmp(l->key, fork_keys[f], kl) != 0) continue;
        const char *rest = l->key + kl;
        size_t rl = l->key_len - kl;
        if (rl == 13 && !memcmp(rest, "_FORK_VERSION", 13)) {
            size_t n = 0;
            if (cd_hex_decode(l->val, l->val_len, cfg->fork_version[f], 4, &n) != CD_OK || n != 4) {
                *why = "fork version must be 4 bytes of 0x-hex";
                return false;
            }
            return true;
        }
        if (rl == 11 && !memcmp(rest, "_FORK_EPOCH", 11) && f != LC_FORK_PHASE0) {
            if (!parse_u64(l->val, l->val_len, &v)) {
                *why = "fork epoch must be a decimal uint64";
                return false;
            }
            cfg->fork_epoch[f] = v;
            return true;
        }
    }
    if (key_is(l, "PRESET_BASE")) {
        if (l->val_len == 7 && !memcmp(l->val, "mainnet", 7)) cfg->preset = LC_PRESET_MAINNET;
        else if (l->val_len == 7 && !memcmp(l->val, "minimal", 7)) cfg->preset = LC_PRESET_MINIMAL;
        else {
            *why = "PRESET_BASE must be mainnet or minimal";
            return false;
        }
    } else if (key_is(l, "CONFIG_NAME")) {
        size_t n = l->val_len < sizeof cfg->name - 1 ? l->val_len : sizeof cfg->name - 1;
        memcpy(cfg->name, l->val, n);
        cfg->name[n] = 0;
    } else if (key_is(l, "SECONDS_PER_SLOT")) {
        if (!parse_u64(l->val, l->val_len, &cfg->seconds_per_slot) || cfg->seconds_per_slot == 0) {
            *why = "SECONDS_PER_SLOT must be a positive integer";
            return false;
        }
    } else if (key_is(l, "MAX_BLOBS_PER_BLOCK_ELECTRA")) {
        if (!parse_u64(l->val, l->val_len, &cfg->max_blobs_per_block_electra)) {
            *why = "MAX_BLOBS_PER_BLOCK_ELECTRA must be an integer";
            return false;
        }
    } else if (key_is(l, "GENESIS_TIME")) {
        if (!parse_u64(l->val, l->val_len, &cfg->genesis_time)) {
            *why = "GENESIS_TIME must be unix seconds";
            return false;
        }
    } else if (key_is(l, "GENESIS_VALIDATORS_ROOT")) {
        size_t n = 0;
        if (cd_hex_decode(l->val, l->val_len, cfg->genesis_validators_root.b, 32, &n) != CD_OK || n != 32) {
            *why = "GENESIS_VALIDATORS_ROOT must be 32 bytes of 0x-hex";
            return false;
        }
    }
    return true;
}

static cd_status check_config(lc_config *cfg, cd_error *err) {
    uint64_t prev = 0;
    for (int f = LC_FORK_ALTAIR; f < LC_FORK_COUNT; f++) {
        if (cfg->fork_epoch[f] == LC_FAR_FUTURE_EPOCH) continue;
        if (cfg->fork_epoch[f] < prev)
            return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "config: %s fork epoch before an earlier fork's",
                           fork_names[f]);
        prev = cfg->fork_epoch[f];
    }
    /* A fork scheduled after an unscheduled one cannot be reached. */
    for (int f = LC_FORK_ALTAIR + 1; f < LC_FORK_COUNT; f++)
        if (cfg->fork_epoch[f] != LC_FAR_FUTURE_EPOCH && cfg->fork_epoch[f - 1] == LC_FAR_FUTURE_EPOCH)
            return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "config: %s scheduled but %s is not", fork_names[f],
                           fork_names[f - 1]);
    if (cfg->seconds_per_slot == 0) cfg->seconds_per_slot = 12;
    qsort(cfg->blob_schedule, cfg->blob_schedule_len, sizeof cfg->blob_schedule[0], cmp_blob);
    apply_preset(cfg);
    return CD_OK;
}

cd_status lc_config_parse(lc_config *cfg, const char *text, size_t len, cd_error *err) {
    memset(cfg, 0, sizeof *cfg);
    for (int f = 0; f < LC_FORK_COUNT; f++) cfg->fork_epoch[f] = f == 0 ? 0 : LC_FAR_FUTURE_EPOCH;
    cfg->max_blobs_per_block_electra = 9;
    if (!text && len) return cd_fail(err, CD_ERR_INVALID_ARG, "config: no text");
    if (len > (4u << 20)) return cd_fail(err, CD_ERR_TOO_LARGE, "config: over 4 MiB");
    bool in_blob_schedule = false;
    bool have_entry = false;
    size_t line_no = 0;
    for (size_t pos = 0; pos < len;) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n') eol++;
        line_no++;
        cfg_line l;
        bool content = split_line(text + pos, eol - pos, &l);
        pos = eol + 1;
        if (!content) continue;
        for (size_t i = 0; i < l.key_len + l.val_len; i++) {
            const char *p = i < l.key_len ? l.key + i : l.val + (i - l.key_len);
            if (*p == 0) return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "config line %zu: NUL byte", line_no);
        }
        if (!l.val) return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "config line %zu: expected KEY: value", line_no);
        if (l.indent == 0 && !l.list_item) {
            in_blob_schedule = false;
            if (key_is(&l, "BLOB_SCHEDULE")) {
                if (l.val_len == 0) in_blob_schedule = true;
                else if (!(l.val_len == 2 && !memcmp(l.val, "[]", 2)))
                    return cd_fail(err, CD_ERR_LC_BAD_CONFIG,
                                   "config line %zu: BLOB_SCHEDULE must be a block list or []", line_no);
                continue;
            }
            const char *why = NULL;
            if (!apply_key(cfg, &l, &why))
                return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "config line %zu: %s", line_no, why);
            continue;
        }
        if (!in_blob_schedule)
            return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "config line %zu: unexpected indented line", line_no);
        if (l.list_item) {
            if (cfg->blob_schedule_len == LC_MAX_BLOB_SCHEDULE)
                return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "config line %zu: too many BLOB_SCHEDULE entries",
                               line_no);
            cfg->blob_schedule_len++;
            have_entry = true;
        }
        if (!have_entry) return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "config line %zu: expected '- EPOCH:'", line_no);
        lc_blob_params *bp = &cfg->blob_schedule[cfg->blob_schedule_len - 1];
        uint64_t v;
        if (!parse_u64(l.val, l.val_len, &v))
            return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "config line %zu: expected an integer", line_no);
        if (key_is(&l, "EPOCH")) bp->epoch = v;
        else if (key_is(&l, "MAX_BLOBS_PER_BLOCK")) bp->max_blobs_per_block = v;
        else return cd_fail(err, CD_ERR_LC_BAD_CONFIG, "config line %zu: unknown BLOB_SCHEDULE field", line_no);
    }
    if (!cfg->name[0]) memcpy(cfg->name, "custom", 7);
    return check_config(cfg, err);
}

cd_status lc_config_load(lc_config *cfg, const char *path, cd_error *err) {
    cd_buf b = {0};
    cd_status st = cd_read_file(path, 4u << 20, &b);
    if (st != CD_OK) {
        cd_buf_free(&b);
        return cd_fail(err, st, "config %s: cannot read", path);
    }
    st = lc_config_parse(cfg, (const char *)b.data, b.len, err);
    cd_buf_free(&b);
    if (st != CD_OK) cd_error_prefix(err, "%s: ", path);
    return st;
}

/* ---- spec helpers ---------------------------------------------------------------------- */

/* The divisors are never zero for a parsed config; a zeroed struct must not crash either. */
uint64_t lc_epoch_at_slot(const lc_config *cfg, uint64_t slot) {
    return cfg->slots_per_epoch ? slot / cfg->slots_per_epoch : 0;
}

uint64_t lc_period_at_slot(const lc_config *cfg, uint64_t slot) {
    uint64_t e = cfg->epochs_per_sync_committee_period;
    return e ? lc_epoch_at_slot(cfg, slot) / e : 0;
}

lc_fork lc_fork_at_epoch(const lc_config *cfg, uint64_t epoch) {
    for (int f = LC_FORK_COUNT - 1; f > LC_FORK_PHASE0; f--)
        if (cfg->fork_epoch[f] != LC_FAR_FUTURE_EPOCH && epoch >= cfg->fork_epoch[f]) return (lc_fork)f;
    return LC_FORK_PHASE0;
}

uint64_t lc_current_slot(const lc_config *cfg, uint64_t unix_time) {
    if (unix_time < cfg->genesis_time || cfg->seconds_per_slot == 0) return 0;
    return (unix_time - cfg->genesis_time) / cfg->seconds_per_slot;
}

/* compute_fork_data_root(version, genesis_validators_root) = hash(version||0..., gvr). */
static void fork_data_root(const uint8_t version[4], const cd_hash32 *gvr, uint8_t out[32]) {
    uint8_t v[32] = {0};
    memcpy(v, version, 4);
    ssz_hash_pair(out, v, gvr->b);
}

/* compute_fork_digest for `fork`'s version at `epoch`; from Fulu on, the blob parameters in
 * force at that epoch are mixed in (EIP-7892). */
static void fork_digest(const lc_config *cfg, lc_fork f, uint64_t epoch, uint8_t out[4]) {
    uint8_t base[32];
    fork_data_root(cfg->fork_version[f], &cfg->genesis_validators_root, base);
    if (f >= LC_FORK_FULU) {
        uint64_t bp_epoch = cfg->fork_epoch[LC_FORK_ELECTRA], bp_max = cfg->max_blobs_per_block_electra;
        for (size_t i = cfg->blob_schedule_len; i-- > 0;)
            if (epoch >= cfg->blob_schedule[i].epoch) {
                bp_epoch = cfg->blob_schedule[i].epoch;
                bp_max = cfg->blob_schedule[i].max_blobs_per_block;
                break;
            }
        uint8_t params[16], h[32];
        ssz_write_u64(params, bp_epoch);
        ssz_write_u64(params + 8, bp_max);
        ssz_sha256(h, params, sizeof params);
        for (int i = 0; i < 4; i++) base[i] ^= h[i];
    }
    memcpy(out, base, 4);
}

void lc_fork_digest_at_epoch(const lc_config *cfg, uint64_t epoch, uint8_t out[4]) {
    fork_digest(cfg, lc_fork_at_epoch(cfg, epoch), epoch, out);
}

cd_status lc_fork_from_digest(const lc_config *cfg, const uint8_t digest[4], lc_fork *out) {
    uint8_t d[4];
    /* Every fork's own digest, whether or not a later fork shares its epoch: tests and
     * legacy data may still use it. */
    for (int f = LC_FORK_COUNT - 1; f >= LC_FORK_ALTAIR; f--) {
        uint64_t e = cfg->fork_epoch[f] == LC_FAR_FUTURE_EPOCH ? 0 : cfg->fork_epoch[f];
        fork_digest(cfg, (lc_fork)f, e, d);
        if (!memcmp(d, digest, 4)) {
            *out = (lc_fork)f;
            return CD_OK;
        }
    }
    for (size_t i = 0; i < cfg->blob_schedule_len; i++) {
        uint64_t e = cfg->blob_schedule[i].epoch;
        fork_digest(cfg, LC_FORK_FULU, e, d);
        if (!memcmp(d, digest, 4)) {
            *out = LC_FORK_FULU;
            return CD_OK;
        }
    }
    return CD_ERR_LC_UNKNOWN_FORK;
}

void lc_sync_committee_domain(const lc_config *cfg, uint64_t epoch, uint8_t out[32]) {
    static const uint8_t domain_sync_committee[4] = {0x07, 0x00, 0x00, 0x00};
    uint8_t root[32];
    fork_data_root(cfg->fork_version[lc_fork_at_epoch(cfg, epoch)], &cfg->genesis_validators_root, root);
    memcpy(out, domain_sync_committee, 4);
    memcpy(out + 4, root, 28);
}
