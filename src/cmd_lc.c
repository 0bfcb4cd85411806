/* candor lc verify: replays saved light-client data from a trusted checkpoint and prints
 * the verified finalized and optimistic headers as JSON.
 *
 * Each input file is recognised from its content:
 *   - beacon-API JSON: {"version","data"} (bootstrap, finality or optimistic update) or an
 *     array of them (updates by range);
 *   - beacon-API SSZ: the updates-by-range stream (u64 length, fork digest, payload)*, or a
 *     single SSZ object whose fork and kind are found by trying each layout;
 *   - Portal-network test YAML (content_key / content_value hex), as in shared/data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/light_client.h"
#include "consensus/ssz.h"
#include "src/commands.h"

#define MAX_INPUT (64u << 20)

static void usage(FILE *out) {
    fprintf(out,
            "usage: candor lc verify (--network NAME | --config FILE) --checkpoint 0xROOT\n"
            "                        --bootstrap FILE [--updates FILE...] [--now-slot N] [--force-update]\n"
            "  NAME: mainnet, sepolia, holesky, hoodi, minimal. A config FILE is a consensus config.yaml\n"
            "  with GENESIS_VALIDATORS_ROOT (and GENESIS_TIME) added.\n"
            "  Files: beacon-API JSON or SSZ (bootstrap, updates by range, finality or optimistic update),\n"
            "  or Portal test YAML; the kind is told from the content. Updates are applied in order.\n"
            "  --now-slot: the current slot (default: from the wall clock). --force-update: apply the\n"
            "  best pending update after the timeout (spec force update; unsafe, off by default).\n");
}

static bool is_json(cd_bytes b) {
    for (size_t i = 0; i < b.len; i++) {
        char c = (char)b.ptr[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        return c == '{' || c == '[';
    }
    return false;
}

/* Portal YAML: "content_key: 0x.." and "content_value: "0x..\ ..."" (hex may wrap with '\'). */
static bool portal_field(cd_bytes file, const char *key, cd_buf *out) {
    const char *s = (const char *)file.ptr;
    size_t klen = strlen(key);
    for (size_t i = 0; i + klen < file.len; i++) {
        if ((i == 0 || s[i - 1] == '\n') && !memcmp(s + i, key, klen) && s[i + klen] == ':') {
            size_t j = i + klen + 1;
            cd_buf hex = {0};
            /* collect hex digits up to the next top-level key */
            for (; j < file.len; j++) {
                if (s[j] == '\n' && j + 1 < file.len && s[j + 1] != ' ' && s[j + 1] != '\t') break;
                char c = s[j];
                if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == 'x')
                    if (cd_buf_push(&hex, (uint8_t)c) != CD_OK) break;
            }
            bool ok = hex.len >= 2 && cd_hex_decode_buf((const char *)hex.data, hex.len, out) == CD_OK;
            cd_buf_free(&hex);
            return ok;
        }
    }
    return false;
}

static bool is_portal(cd_bytes b) { return b.len > 12 && !memcmp(b.ptr, "content_key:", 12); }

/* A whole file of well-framed chunks with known fork digests. */
static bool is_update_stream(const lc_config *cfg, cd_bytes b) {
    cd_bytes cur = b;
    lc_chunk c;
    size_t n = 0;
    cd_status s;
    while ((s = lc_stream_next(&cur, &c, NULL)) == CD_OK) {
        lc_fork f;
        if (lc_fork_from_digest(cfg, c.fork_digest, &f) != CD_OK) return false;
        n++;
    }
    return s == CD_ERR_NOT_FOUND && n > 0;
}

/* Finds the (kind, fork) whose layout decodes these bytes; prefers the fork active at the
 * attested header's slot when several layouts fit. */
static cd_status detect_ssz(const lc_config *cfg, cd_bytes b, bool bootstrap, lc_msg_kind *kind, lc_fork *fork) {
    static const lc_msg_kind update_kinds[] = {LC_MSG_UPDATE, LC_MSG_FINALITY_UPDATE, LC_MSG_OPTIMISTIC_UPDATE};
    bool found = false;
    for (size_t k = 0; k < (bootstrap ? 1 : CD_ARRAY_LEN(update_kinds)); k++) {
        lc_msg_kind kd = bootstrap ? LC_MSG_BOOTSTRAP : update_kinds[k];
        for (int f = LC_FORK_COUNT - 1; f >= LC_FORK_ALTAIR; f--) {
            lc_header h;
            if (lc_decode_headers(cfg, kd, (lc_fork)f, b, &h, NULL, NULL, NULL) != CD_OK) continue;
            if (!found) {
                *kind = kd;
                *fork = (lc_fork)f;
                found = true;
            }
            if (lc_fork_at_epoch(cfg, lc_epoch_at_slot(cfg, h.beacon.slot)) == (lc_fork)f) {
                *kind = kd;
                *fork = (lc_fork)f;
                return CD_OK;
            }
        }
        if (found) return CD_OK;
    }
    return found ? CD_OK : CD_ERR_UNSUPPORTED;
}

static cd_status load_bootstrap(lc_store *st, const cd_hash32 *checkpoint, cd_bytes b, cd_error *err) {
    const lc_config *cfg = lc_store_config(st);
    if (is_json(b)) return lc_store_bootstrap_json(st, checkpoint, (const char *)b.ptr, b.len, err);
    if (is_portal(b)) {
        cd_buf key = {0}, val = {0};
        cd_status s = CD_OK;
        lc_fork fork;
        if (!portal_field(b, "content_key", &key) || !portal_field(b, "content_value", &val) || key.len < 1 ||
            key.data[0] != 0x10 || val.len < 4)
            s = cd_fail(err, CD_ERR_BAD_YAML, "not a Portal light-client bootstrap");
        else if (lc_fork_from_digest(cfg, val.data, &fork) != CD_OK)
            s = cd_fail(err, CD_ERR_LC_UNKNOWN_FORK, "unknown fork digest");
        else s = lc_store_bootstrap(st, checkpoint, fork, cd_bytes_make(val.data + 4, val.len - 4), err);
        cd_buf_free(&key);
        cd_buf_free(&val);
        return s;
    }
    lc_msg_kind kind;
    lc_fork fork;
    if (detect_ssz(cfg, b, true, &kind, &fork) != CD_OK)
        return cd_fail(err, CD_ERR_UNSUPPORTED, "not a light-client bootstrap in JSON, SSZ or Portal YAML");
    return lc_store_bootstrap(st, checkpoint, fork, b, err);
}

/* Portal content: 0x11 updates (List[ByteList] of digest+update), 0x12 finality, 0x13 optimistic. */
static cd_status process_portal(lc_store *st, cd_bytes b, uint64_t now, size_t *applied, cd_error *err) {
    const lc_config *cfg = lc_store_config(st);
    cd_buf key = {0}, val = {0};
    cd_status s = CD_OK;
    if (!portal_field(b, "content_key", &key) || !portal_field(b, "content_value", &val) || key.len < 1) {
        s = cd_fail(err, CD_ERR_BAD_YAML, "Portal file without content_key/content_value");
        goto done;
    }
    if (key.data[0] == 0x12 || key.data[0] == 0x13) {
        lc_fork fork;
        if (val.len < 4 || lc_fork_from_digest(cfg, val.data, &fork) != CD_OK) {
            s = cd_fail(err, CD_ERR_LC_UNKNOWN_FORK, "unknown fork digest");
            goto done;
        }
        s = lc_store_process(st, key.data[0] == 0x12 ? LC_MSG_FINALITY_UPDATE : LC_MSG_OPTIMISTIC_UPDATE, fork,
                             cd_bytes_make(val.data + 4, val.len - 4), now, err);
        if (s == CD_OK) (*applied)++;
    } else if (key.data[0] == 0x11) {
        if (val.len < 4) {
            s = cd_fail(err, CD_ERR_TRUNCATED, "empty update list");
            goto done;
        }
        size_t first = (size_t)ssz_read_u32(val.data), n = first / 4;
        if (first % 4 || first > val.len || n == 0) {
            s = cd_fail(err, CD_ERR_SSZ_BAD_OFFSET, "bad update list offsets");
            goto done;
        }
        for (size_t i = 0; i < n && s == CD_OK; i++) {
            size_t a = (size_t)ssz_read_u32(val.data + 4 * i);
            size_t e = i + 1 < n ? (size_t)ssz_read_u32(val.data + 4 * i + 4) : val.len;
            lc_fork fork;
            if (a > e || e > val.len || e - a < 4) s = cd_fail(err, CD_ERR_SSZ_BAD_OFFSET, "update %zu: bad offset", i);
            else if (lc_fork_from_digest(cfg, val.data + a, &fork) != CD_OK)
                s = cd_fail(err, CD_ERR_LC_UNKNOWN_FORK, "update %zu: unknown fork digest", i);
            else s = lc_store_process(st, LC_MSG_UPDATE, fork, cd_bytes_make(val.data + a + 4, e - a - 4), now, err);
            if (s == CD_OK) (*applied)++;
            else cd_error_prefix(err, "update %zu: ", i);
        }
    } else {
        s = cd_fail(err, CD_ERR_UNSUPPORTED, "Portal content type 0x%02x is not an update", key.data[0]);
    }
done:
    cd_buf_free(&key);
    cd_buf_free(&val);
    return s;
}

static cd_status process_file(lc_store *st, cd_bytes b, uint64_t now, size_t *applied, cd_error *err) {
    const lc_config *cfg = lc_store_config(st);
    size_t n = 0;
    cd_status s;
    if (is_json(b)) {
        s = lc_store_process_json(st, (const char *)b.ptr, b.len, now, &n, err);
        *applied += n;
        return s;
    }
    if (is_portal(b)) return process_portal(st, b, now, applied, err);
    if (is_update_stream(cfg, b)) {
        s = lc_store_process_update_stream(st, b, now, &n, err);
        *applied += n;
        return s;
    }
    lc_msg_kind kind;
    lc_fork fork;
    if (detect_ssz(cfg, b, false, &kind, &fork) != CD_OK)
        return cd_fail(err, CD_ERR_UNSUPPORTED, "not a light-client update in JSON, SSZ or Portal YAML");
    s = lc_store_process(st, kind, fork, b, now, err);
    if (s == CD_OK) (*applied)++;
    return s;
}

static int fail_with(const char *what, const cd_error *err) {
    fprintf(stderr, "candor lc verify: %s: %s (%s)\n", what, cd_error_text(err), cd_status_name(err->code));
    return 1;
}

static int lc_verify(int argc, char **argv) {
    const char *network = NULL, *config = NULL, *checkpoint = NULL, *bootstrap = NULL;
    const char **updates = calloc((size_t)argc + 1, sizeof *updates);
    size_t nupd = 0;
    bool force = false, have_now = false;
    uint64_t now = 0;
    int rc = 2;
    if (!updates) return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "--network") && has_val) network = argv[++i];
        else if (!strcmp(a, "--config") && has_val) config = argv[++i];
        else if (!strcmp(a, "--checkpoint") && has_val) checkpoint = argv[++i];
        else if (!strcmp(a, "--bootstrap") && has_val) bootstrap = argv[++i];
        else if (!strcmp(a, "--now-slot") && has_val) {
            char *end;
            now = strtoull(argv[++i], &end, 10);
            if (*end) {
                fprintf(stderr, "candor lc verify: --now-slot needs a number\n");
                goto out;
            }
            have_now = true;
        } else if (!strcmp(a, "--force-update")) force = true;
        else if (!strcmp(a, "--updates") && has_val) {
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) updates[nupd++] = argv[++i];
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            rc = 0;
            goto out;
        } else {
            fprintf(stderr, "candor lc verify: unexpected argument '%s'\n", a);
            usage(stderr);
            goto out;
        }
    }
    if ((!network == !config) || !checkpoint || !bootstrap) {
        usage(stderr);
        goto out;
    }
    rc = 1;
    lc_config cfg;
    cd_error err = {0};
    if (network ? lc_config_builtin(&cfg, network) != CD_OK : lc_config_load(&cfg, config, &err) != CD_OK) {
        if (network) fprintf(stderr, "candor lc verify: unknown network '%s'\n", network);
        else fail_with("config", &err);
        goto out;
    }
    cd_hash32 cp;
    if (cd_hex_decode_exact(checkpoint, cp.b, 32) != CD_OK) {
        fprintf(stderr, "candor lc verify: --checkpoint must be a 0x-prefixed 32-byte root\n");
        goto out;
    }
    if (!have_now) now = lc_current_slot(&cfg, (uint64_t)time(NULL));
    lc_options opts = {.allow_force_update = force};
    lc_store *st = NULL;
    if (lc_store_new(&st, &cfg, &opts, &err) != CD_OK) {
        fail_with("store", &err);
        goto out;
    }
    cd_buf file = {0};
    cd_status s = cd_read_file(bootstrap, MAX_INPUT, &file);
    if (s != CD_OK) cd_fail(&err, s, "cannot read file");
    else s = load_bootstrap(st, &cp, cd_buf_bytes(&file), &err);
    if (s != CD_OK) {
        fail_with(bootstrap, &err);
        goto done;
    }
    size_t applied = 0;
    for (size_t i = 0; i < nupd; i++) {
        file.len = 0;
        s = cd_read_file(updates[i], MAX_INPUT, &file);
        if (s != CD_OK) cd_fail(&err, s, "cannot read file");
        else s = process_file(st, cd_buf_bytes(&file), now, &applied, &err);
        if (s != CD_OK) {
            fail_with(updates[i], &err);
            goto done;
        }
    }
    if (force && lc_store_force_update(st, now, &err) != CD_OK) {
        fail_with("force update", &err);
        goto done;
    }
    cd_buf out = {0};
    char head[256];
    snprintf(head, sizeof head, "{\"network\":\"%s\",\"period\":%llu,\"updates_applied\":%zu,\"finalized\":", cfg.name,
             (unsigned long long)lc_store_current_period(st), applied);
    s = cd_buf_append(&out, head, strlen(head));
    if (s == CD_OK) s = lc_header_to_json(lc_store_finalized(st), &out);
    if (s == CD_OK) s = cd_buf_append(&out, ",\"optimistic\":", 14);
    if (s == CD_OK) s = lc_header_to_json(lc_store_optimistic(st), &out);
    if (s == CD_OK) s = cd_buf_append(&out, "}\n", 2);
    if (s == CD_OK) {
        fwrite(out.data, 1, out.len, stdout);
        rc = 0;
    }
    cd_buf_free(&out);
done:
    cd_buf_free(&file);
    lc_store_free(st);
out:
    free(updates);
    return rc;
}

int cmd_lc(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "verify")) return lc_verify(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
