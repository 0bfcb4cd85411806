/* attest: event-log replay for TDX RTMRs, so a verifier sees what was measured rather
 * than only a digest.
 *   CCEL: the TCG2 crypto-agile log the firmware leaves in the ACPI CCEL table. The first
 *         event is a legacy SHA-1 header whose Spec ID event lists the digest sizes; every
 *         later event carries one digest per algorithm; MR index 1..4 = RTMR0..3 (0 = MRTD,
 *         not extended by events).
 *   dstack: a JSON array [{imr, event_type, digest, event, event_payload}], imr 0..3.
 * Replay: RTMR = SHA-384(RTMR || digest), from 48 zero bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "attest/att_internal.h"

#define TPM_ALG_SHA384 0x000C
#define EV_NO_ACTION 0x00000003
#define DSTACK_RUNTIME_EVENT 0x08000001u
#define MAX_ALGS 8

static cd_status push_event(att_event_log *log, const att_event *ev, size_t *cap) {
    if (log->count >= ATT_EVENT_MAX) return CD_ERR_TOO_LARGE;
    if (log->count == *cap) {
        att_event *ne = cd_grow_array(log->events, cap, sizeof *ne, 64);
        if (!ne) return CD_ERR_NOMEM;
        log->events = ne;
    }
    log->events[log->count++] = *ev;
    return CD_OK;
}

static void extend(uint8_t reg[ATT_MR_LEN], const uint8_t digest[ATT_MR_LEN]) {
    uint8_t buf[2 * ATT_MR_LEN];
    memcpy(buf, reg, ATT_MR_LEN);
    memcpy(buf + ATT_MR_LEN, digest, ATT_MR_LEN);
    att_sha384(buf, sizeof buf, reg);
}

static const char *type_name(uint32_t t) {
    switch (t) {
    case 0x00000001: return "EV_POST_CODE";
    case 0x00000003: return "EV_NO_ACTION";
    case 0x00000004: return "EV_SEPARATOR";
    case 0x00000005: return "EV_ACTION";
    case 0x00000006: return "EV_EVENT_TAG";
    case 0x0000000D: return "EV_IPL";
    case 0x80000001: return "EV_EFI_VARIABLE_DRIVER_CONFIG";
    case 0x80000002: return "EV_EFI_VARIABLE_BOOT";
    case 0x80000003: return "EV_EFI_BOOT_SERVICES_APPLICATION";
    case 0x80000007: return "EV_EFI_ACTION";
    case 0x80000008: return "EV_EFI_PLATFORM_FIRMWARE_BLOB";
    case 0x80000009: return "EV_EFI_HANDOFF_TABLES";
    case 0x8000000A: return "EV_EFI_PLATFORM_FIRMWARE_BLOB2";
    case 0x8000000B: return "EV_EFI_HANDOFF_TABLES2";
    case 0x800000E0: return "EV_EFI_VARIABLE_AUTHORITY";
    default: return NULL;
    }
}

/* The unused tail of the CCEL area: all 0xff (or all zero). */
static bool is_fill(const uint8_t *p, size_t n) {
    for (size_t i = 1; i < n; i++)
        if (p[i] != p[0]) return false;
    return n == 0 || p[0] == 0xff || p[0] == 0x00;
}

static bool rd32(cd_bytes log, size_t *pos, uint32_t *v) {
    if (log.len - *pos < 4) return false;
    *v = att_le32(log.ptr + *pos);
    *pos += 4;
    return true;
}

cd_status att_ccel_replay(cd_bytes log, att_event_log *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    size_t pos = 0, cap = 0;
    uint32_t mr, type, size;
    /* Header event (TCG_PCR_EVENT, SHA-1 format) carrying the Spec ID event. */
    if (!rd32(log, &pos, &mr) || !rd32(log, &pos, &type) || log.len - pos < 20 + 4)
        return cd_fail(err, CD_ERR_TRUNCATED, "ccel: header event truncated");
    pos += 20;
    if (!rd32(log, &pos, &size) || size > log.len - pos || type != EV_NO_ACTION || size < 24 + 4)
        return cd_fail(err, CD_ERR_ATT_EVENT_LOG, "ccel: first event is not a Spec ID event");
    const uint8_t *spec = log.ptr + pos;
    if (memcmp(spec, "Spec ID Event03", 16) != 0) return cd_fail(err, CD_ERR_ATT_EVENT_LOG, "ccel: not a crypto-agile log (Spec ID Event03)");
    uint32_t nalg = att_le32(spec + 24);
    if (nalg == 0 || nalg > MAX_ALGS || 28 + 4 * (size_t)nalg > size) return cd_fail(err, CD_ERR_ATT_EVENT_LOG, "ccel: %u digest algorithms", nalg);
    uint16_t alg_id[MAX_ALGS], alg_size[MAX_ALGS];
    bool has384 = false;
    for (uint32_t i = 0; i < nalg; i++) {
        alg_id[i] = att_le16(spec + 28 + 4 * i);
        alg_size[i] = att_le16(spec + 30 + 4 * i);
        if (alg_id[i] == TPM_ALG_SHA384 && alg_size[i] == ATT_MR_LEN) has384 = true;
        if (alg_size[i] == 0 || alg_size[i] > 64) return cd_fail(err, CD_ERR_ATT_EVENT_LOG, "ccel: digest size %u", alg_size[i]);
    }
    if (!has384) return cd_fail(err, CD_ERR_ATT_EVENT_LOG, "ccel: log has no SHA-384 digests");
    pos += size;

    while (pos < log.len) {
        /* The table's log area is larger than the log: the rest is 0xff (or 0) fill. */
        if (log.len - pos < 8 || att_le32(log.ptr + pos) == 0xffffffffu ||
            (att_le32(log.ptr + pos) == 0 && att_le32(log.ptr + pos + 4) == 0)) {
            if (!is_fill(log.ptr + pos, log.len - pos)) {
                cd_status s = cd_fail(err, CD_ERR_ATT_EVENT_LOG, "ccel: bytes after event %zu are neither an event nor fill", out->count);
                att_event_log_free(out);
                return s;
            }
            break;
        }
        att_event ev;
        memset(&ev, 0, sizeof ev);
        uint32_t ndig;
        if (!rd32(log, &pos, &mr) || !rd32(log, &pos, &type) || !rd32(log, &pos, &ndig)) goto truncated;
        if (ndig != nalg) {
            cd_status s = cd_fail(err, CD_ERR_ATT_EVENT_LOG, "ccel: event %zu has %u digests, header says %u", out->count, ndig, nalg);
            att_event_log_free(out);
            return s;
        }
        bool got = false;
        for (uint32_t i = 0; i < ndig; i++) {
            if (log.len - pos < 2) goto truncated;
            uint16_t id = att_le16(log.ptr + pos);
            pos += 2;
            uint16_t dl = 0;
            for (uint32_t k = 0; k < nalg; k++) if (alg_id[k] == id) dl = alg_size[k];
            if (!dl || log.len - pos < dl) goto truncated;
            if (id == TPM_ALG_SHA384) {
                memcpy(ev.digest, log.ptr + pos, ATT_MR_LEN);
                got = true;
            }
            pos += dl;
        }
        if (!rd32(log, &pos, &size) || size > log.len - pos) goto truncated;
        if (!got) {
            cd_status s = cd_fail(err, CD_ERR_ATT_EVENT_LOG, "ccel: event %zu lacks a SHA-384 digest", out->count);
            att_event_log_free(out);
            return s;
        }
        ev.event_type = type;
        ev.data_offset = pos;
        ev.data_len = size;
        pos += size;
        const char *tn = type_name(type);
        if (tn) snprintf(ev.name, sizeof ev.name, "%s", tn);
        else snprintf(ev.name, sizeof ev.name, "0x%08x", type);
        if (type == EV_NO_ACTION || mr < 1 || mr > 4) {
            ev.imr = mr >= 1 && mr <= 4 ? mr - 1 : UINT32_MAX; /* not extended */
        } else {
            ev.imr = mr - 1;
            extend(out->rtmr[ev.imr], ev.digest);
        }
        cd_status s = push_event(out, &ev, &cap);
        if (s) {
            att_event_log_free(out);
            return cd_fail(err, s, "ccel: more than %d events", ATT_EVENT_MAX);
        }
    }
    return CD_OK;
truncated:
    att_event_log_free(out);
    return cd_fail(err, CD_ERR_TRUNCATED, "ccel: event truncated at offset %zu", pos);
}

/* dstack runtime events (RTMR3): digest = SHA-384(u32 LE type || ":" || name || ":" || payload).
 * Checking it lets a verifier trust the payloads it shows (compose-hash, app-id, ...). */
static bool runtime_digest_ok(uint32_t type, const char *name, const uint8_t *payload, size_t plen,
                              const uint8_t digest[ATT_MR_LEN]) {
    size_t nl = strlen(name);
    size_t total = 4 + 1 + nl + 1 + plen;
    uint8_t *buf = malloc(total);
    if (!buf) return false;
    buf[0] = (uint8_t)type; buf[1] = (uint8_t)(type >> 8); buf[2] = (uint8_t)(type >> 16); buf[3] = (uint8_t)(type >> 24);
    buf[4] = ':';
    memcpy(buf + 5, name, nl);
    buf[5 + nl] = ':';
    if (plen) memcpy(buf + 6 + nl, payload, plen);
    uint8_t d[ATT_MR_LEN];
    att_sha384(buf, total, d);
    free(buf);
    return memcmp(d, digest, ATT_MR_LEN) == 0;
}

cd_status att_dstack_log_replay(const char *json, size_t len, att_event_log *out, cd_error *err) {
    memset(out, 0, sizeof *out);
    if (len > 16 * 1024 * 1024) return cd_fail(err, CD_ERR_TOO_LARGE, "event log too large");
    json_tokener *tok = json_tokener_new();
    if (!tok) return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    json_object *root = json_tokener_parse_ex(tok, json, (int)len);
    json_tokener_free(tok);
    if (!root || !json_object_is_type(root, json_type_array)) {
        json_object_put(root);
        return cd_fail(err, CD_ERR_BAD_JSON, "dstack event log is not a JSON array");
    }
    size_t cap = 0;
    cd_status st = CD_OK;
    size_t n = json_object_array_length(root);
    for (size_t i = 0; i < n && !st; i++) {
        json_object *e = json_object_array_get_idx(root, i), *v;
        att_event ev;
        memset(&ev, 0, sizeof ev);
        int64_t imr = -1, type = -1;
        if (json_object_object_get_ex(e, "imr", &v) && json_object_is_type(v, json_type_int)) imr = json_object_get_int64(v);
        if (json_object_object_get_ex(e, "event_type", &v) && json_object_is_type(v, json_type_int)) type = json_object_get_int64(v);
        const char *dg = json_object_object_get_ex(e, "digest", &v) ? json_object_get_string(v) : NULL;
        const char *name = json_object_object_get_ex(e, "event", &v) ? json_object_get_string(v) : "";
        const char *payload = json_object_object_get_ex(e, "event_payload", &v) ? json_object_get_string(v) : "";
        if (imr < 0 || imr > 3 || type < 0 || type > UINT32_MAX || !dg || cd_hex_decode_exact(dg, ev.digest, ATT_MR_LEN)) {
            st = cd_fail(err, CD_ERR_BAD_JSON, "dstack event %zu: needs imr 0..3, event_type, 48-byte hex digest", i);
            break;
        }
        ev.imr = (uint32_t)imr;
        ev.event_type = (uint32_t)type;
        snprintf(ev.name, sizeof ev.name, "%s", name ? name : "");
        if (ev.event_type == DSTACK_RUNTIME_EVENT) {
            cd_buf pl = {0};
            if (!payload || cd_hex_decode_buf(payload, strlen(payload), &pl) ||
                !runtime_digest_ok(ev.event_type, name ? name : "", pl.data, pl.len, ev.digest))
                st = cd_fail(err, CD_ERR_ATT_EVENT_LOG, "dstack event %zu (%s): payload does not hash to its digest", i, ev.name);
            ev.data_len = pl.len;
            cd_buf_free(&pl);
            if (st) break;
        }
        extend(out->rtmr[ev.imr], ev.digest);
        if ((st = push_event(out, &ev, &cap))) st = cd_fail(err, st, "dstack event log: more than %d events", ATT_EVENT_MAX);
    }
    json_object_put(root);
    if (st) att_event_log_free(out);
    return st;
}

void att_event_log_free(att_event_log *log) {
    free(log->events);
    log->events = NULL;
    log->count = 0;
}

cd_status att_event_log_check(const att_event_log *log, const att_report *rep, cd_error *err) {
    if (rep->format != ATT_FORMAT_TDX) return cd_fail(err, CD_ERR_ATT_EVENT_LOG, "event logs apply to TDX quotes only");
    for (int i = 0; i < 4; i++)
        if (memcmp(log->rtmr[i], rep->rtmr[i], ATT_MR_LEN) != 0)
            return cd_fail(err, CD_ERR_ATT_EVENT_LOG, "event log replays RTMR%d to a value other than the quote's", i);
    return CD_OK;
}
