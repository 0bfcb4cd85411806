/* The signed /governance answer: built from a snapshot by the daemon, read back by
 * `candor verify` and `candor quote verify --governance-answer`. The digest covers every
 * field shown (docs/signing.md, "Governance"). */
#include <string.h>

#include "api/api.h"
#include "crypto/keccak.h"
#include "src/answer.h"
#include "src/governance.h"

void svc_gov_claim(const gov_snapshot *snap, svc_block_claim *out) {
    const gov_block *b = &snap->block;
    memset(out, 0, sizeof *out);
    out->chain_id = b->chain_id;
    out->number = b->number;
    out->block_hash = b->block_hash;
    out->state_root = b->state_root;
    out->receipts_root = b->receipts_root;
    out->beacon_slot = b->beacon_slot;
    out->beacon_root = b->beacon_root;
    out->finalized = b->finalized;
}

void svc_gov_digest(const gov_snapshot *snap, uint8_t digest[32]) {
    svc_block_claim c;
    uint8_t bh[32], msg[66] = {0x19, 0x01};
    svc_gov_claim(snap, &c);
    svc_eip712_hash_block(&c, bh);
    svc_eip712_domain_separator(c.chain_id, msg + 2);
    gov_eip712_hash(snap, bh, msg + 34);
    keccak256(msg, sizeof msg, digest);
}

static json_object *str_n(const char *p, size_t n) { return json_object_new_string_len(p, (int)n); }

cd_status svc_gov_answer_fields(json_object *o, const gov_snapshot *snap) {
    const gov_block *b = &snap->block;
    json_object *blk = json_object_new_object(), *beacon = json_object_new_object();
    json_object *ms = json_object_new_array(), *ks = json_object_new_array();
    if (!blk || !beacon || !ms || !ks) {
        json_object_put(blk), json_object_put(beacon), json_object_put(ms), json_object_put(ks);
        return CD_ERR_NOMEM;
    }
    json_object_object_add(o, "governance", api_json_hex(snap->contract.b, 20));
    json_object_object_add(o, "owner", api_json_hex(snap->owner.b, 20));
    json_object_object_add(blk, "chainId", json_object_new_uint64(b->chain_id));
    json_object_object_add(blk, "number", json_object_new_uint64(b->number));
    json_object_object_add(blk, "hash", api_json_hex(b->block_hash.b, 32));
    json_object_object_add(blk, "stateRoot", api_json_hex(b->state_root.b, 32));
    json_object_object_add(blk, "receiptsRoot", api_json_hex(b->receipts_root.b, 32));
    json_object_object_add(blk, "timestamp", json_object_new_uint64(b->timestamp));
    json_object_object_add(beacon, "slot", json_object_new_uint64(b->beacon_slot));
    json_object_object_add(beacon, "root", api_json_hex(b->beacon_root.b, 32));
    json_object_object_add(blk, "beacon", beacon);
    json_object_object_add(blk, "finalized", json_object_new_boolean(b->finalized));
    json_object_object_add(o, "block", blk);
    for (size_t i = 0; i < snap->n_measurements; i++) {
        const gov_measurement *m = &snap->measurements[i];
        json_object *e = json_object_new_object();
        if (!e) return CD_ERR_NOMEM;
        json_object_object_add(e, "id", api_json_hex(m->id, 32));
        json_object_object_add(e, "version", str_n(m->version, m->version_len));
        /* Quantities, not JSON numbers: 2^64-1 ("no end") does not survive a double. */
        json_object_object_add(e, "notBefore", api_json_quantity_u64(m->not_before));
        json_object_object_add(e, "notAfter", api_json_quantity_u64(m->not_after));
        json_object_object_add(e, "revoked", json_object_new_boolean(m->revoked));
        json_object_array_add(ms, e);
    }
    for (size_t i = 0; i < snap->n_members; i++) {
        const gov_member *k = &snap->members[i];
        json_object *e = json_object_new_object();
        if (!e) return CD_ERR_NOMEM;
        json_object_object_add(e, "signer", api_json_hex(k->signer.b, 20));
        json_object_object_add(e, "endpoint", str_n(k->endpoint, k->endpoint_len));
        json_object_object_add(e, "active", json_object_new_boolean(k->active));
        json_object_array_add(ks, e);
    }
    json_object_object_add(o, "measurements", ms);
    json_object_object_add(o, "members", ks);
    return CD_OK;
}

static json_object *get(json_object *o, const char *k) {
    json_object *v = NULL;
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

CD_MUST_CHECK static cd_status get_bool(json_object *o, const char *k, bool *out, cd_error *err) {
    json_object *v = get(o, k);
    if (!v || !json_object_is_type(v, json_type_boolean)) return cd_fail(err, CD_ERR_BAD_JSON, "no boolean '%s'", k);
    *out = json_object_get_boolean(v);
    return CD_OK;
}

CD_MUST_CHECK static cd_status get_string(json_object *o, const char *k, char *dst, size_t *len, cd_error *err) {
    json_object *v = get(o, k);
    if (!v || !json_object_is_type(v, json_type_string)) return cd_fail(err, CD_ERR_BAD_JSON, "no string '%s'", k);
    size_t n = (size_t)json_object_get_string_len(v);
    if (n > GOV_MAX_STRING) return cd_fail(err, CD_ERR_GOV_BOUNDS, "'%s' longer than %d bytes", k, GOV_MAX_STRING);
    const char *p = json_object_get_string(v);
    if (memchr(p, '\0', n)) return cd_fail(err, CD_ERR_BAD_JSON, "'%s' holds a NUL", k);
    memcpy(dst, p, n);
    dst[n] = '\0';
    *len = n;
    return CD_OK;
}

CD_MUST_CHECK static cd_status get_timestamp(json_object *blk, uint64_t *out, cd_error *err) {
    json_object *v = get(blk, "timestamp");
    if (!v || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
        return cd_fail(err, CD_ERR_BAD_JSON, "block has no numeric 'timestamp'");
    *out = json_object_get_uint64(v);
    return CD_OK;
}

CD_MUST_CHECK static cd_status read_measurement(json_object *e, gov_measurement *m, cd_error *err) {
    cd_hash32 id;
    cd_status s = api_get_hash(get(e, "id"), "id", &id, err);
    if (s == CD_OK) memcpy(m->id, id.b, 32);
    if (s == CD_OK) s = get_string(e, "version", m->version, &m->version_len, err);
    if (s == CD_OK) s = api_get_u64(get(e, "notBefore"), "notBefore", &m->not_before, err);
    if (s == CD_OK) s = api_get_u64(get(e, "notAfter"), "notAfter", &m->not_after, err);
    if (s == CD_OK) s = get_bool(e, "revoked", &m->revoked, err);
    return s;
}

CD_MUST_CHECK static cd_status read_member(json_object *e, gov_member *k, cd_error *err) {
    cd_status s = api_get_address(get(e, "signer"), "signer", &k->signer, err);
    if (s == CD_OK) s = get_string(e, "endpoint", k->endpoint, &k->endpoint_len, err);
    if (s == CD_OK) s = get_bool(e, "active", &k->active, err);
    return s;
}

cd_status svc_gov_answer_read(json_object *a, gov_snapshot *out, uint8_t digest[32], cd_error *err) {
    memset(out, 0, sizeof *out);
    json_object *blk = get(a, "block"), *ms = get(a, "measurements"), *ks = get(a, "members");
    svc_block_claim c;
    cd_status s = api_get_address(get(a, "governance"), "governance", &out->contract, err);
    if (s == CD_OK) s = api_get_address(get(a, "owner"), "owner", &out->owner, err);
    if (s == CD_OK && (s = svc_answer_parse_block(blk, &c, err)) != CD_OK) cd_error_prefix(err, "block: ");
    if (s == CD_OK) s = get_timestamp(blk, &out->block.timestamp, err);
    if (s != CD_OK) return s;
    out->block.chain_id = c.chain_id;
    out->block.number = c.number;
    out->block.block_hash = c.block_hash;
    out->block.state_root = c.state_root;
    out->block.receipts_root = c.receipts_root;
    out->block.beacon_slot = c.beacon_slot;
    out->block.beacon_root = c.beacon_root;
    out->block.finalized = c.finalized;
    if (!ms || !json_object_is_type(ms, json_type_array) || !ks || !json_object_is_type(ks, json_type_array))
        return cd_fail(err, CD_ERR_BAD_JSON, "'measurements' and 'members' must be arrays");
    size_t nm = json_object_array_length(ms), nk = json_object_array_length(ks);
    if (nm > GOV_MAX_MEASUREMENTS || nk > GOV_MAX_MEMBERS)
        return cd_fail(err, CD_ERR_GOV_BOUNDS, "more than %d measurements or %d members", GOV_MAX_MEASUREMENTS, GOV_MAX_MEMBERS);
    for (size_t i = 0; i < nm && s == CD_OK; i++) {
        if ((s = read_measurement(json_object_array_get_idx(ms, i), &out->measurements[i], err)) != CD_OK)
            cd_error_prefix(err, "measurements[%zu]: ", i);
        out->n_measurements = i + 1;
    }
    for (size_t i = 0; i < nk && s == CD_OK; i++) {
        if ((s = read_member(json_object_array_get_idx(ks, i), &out->members[i], err)) != CD_OK)
            cd_error_prefix(err, "members[%zu]: ", i);
        out->n_members = i + 1;
    }
    if (s == CD_OK) svc_gov_digest(out, digest);
    return s;
}
