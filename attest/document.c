/* attest: the ATTEST.json document that /attest serves and `candor verify` checks (the field
 * names are the ones the service's /attest route uses). It carries everything a third party
 * needs to recompute the report data (public key, version, config, nonce) next to the quote,
 * so that verification is: recompute -> att_verify_binding -> event-log replay. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "attest/att_internal.h"

#define DOC_MAX (8 * ATT_MAX_QUOTE_LEN + 16 * 1024 * 1024) /* quote hex + event log */
#define MAX_CONFIG (64 * 1024)

static json_object *hex0x(const uint8_t *p, size_t n) {
    char *s = malloc(2 * n + 3);
    if (!s) return NULL;
    cd_hex_encode(s, p, n);
    json_object *o = json_object_new_string(s);
    free(s);
    return o;
}

cd_status att_attestation_json(const att_evidence *ev, const char *tee, cd_bytes pubkey, const char *version,
                               cd_bytes config, cd_bytes nonce, cd_buf *out) {
    if (config.len > MAX_CONFIG || config.len > INT32_MAX) return CD_ERR_TOO_LARGE;
    cd_hash32 digest;
    att_config_digest(version, config, &digest);
    json_object *o = json_object_new_object();
    if (!o) return CD_ERR_NOMEM;
    json_object_object_add(o, "publicKey", hex0x(pubkey.ptr, pubkey.len));
    json_object_object_add(o, "tee", json_object_new_string(tee));
    json_object_object_add(o, "insecure", json_object_new_boolean(!strcmp(tee, "mock")));
    json_object_object_add(o, "quote", hex0x(ev->quote.data, ev->quote.len));
    json_object_object_add(o, "reportData", hex0x(ev->report_data, ATT_REPORT_DATA_LEN));
    json_object_object_add(o, "version", json_object_new_string(version));
    json_object_object_add(o, "config", json_object_new_string_len(config.len ? (const char *)config.ptr : "", (int)config.len));
    json_object_object_add(o, "configDigest", hex0x(digest.b, 32));
    json_object_object_add(o, "nonce", nonce.len ? hex0x(nonce.ptr, nonce.len) : NULL);
    if (ev->event_log.len)
        json_object_object_add(o, "eventLog", json_object_new_string_len((const char *)ev->event_log.data, (int)ev->event_log.len));
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    cd_status st = s ? cd_buf_append(out, s, strlen(s)) : CD_ERR_NOMEM;
    json_object_put(o);
    return st;
}

/* A "0x.." member decoded into out (bounded by max); absent -> CD_ERR_NOT_FOUND. */
static cd_status hex_member(json_object *o, const char *key, size_t max, cd_buf *out, cd_error *err) {
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) return CD_ERR_NOT_FOUND;
    if (!json_object_is_type(v, json_type_string)) return cd_fail(err, CD_ERR_BAD_JSON, "attestation: %s is not a string", key);
    size_t n = (size_t)json_object_get_string_len(v);
    if (n > 2 + 2 * max) return cd_fail(err, CD_ERR_TOO_LARGE, "attestation: %s longer than %zu bytes", key, max);
    if (cd_hex_decode_buf(json_object_get_string(v), n, out))
        return cd_fail(err, CD_ERR_BAD_HEX, "attestation: %s is not hex", key);
    return CD_OK;
}

cd_status att_attestation_verify(const char *json, size_t len, cd_bytes expected_pubkey, cd_bytes expected_nonce,
                                 const att_policy *policy, const att_verify_opts *opts, att_report *rep,
                                 cd_buf *pubkey_out, cd_error *err) {
    memset(rep, 0, sizeof *rep);
    if (len > DOC_MAX || len > INT32_MAX) return cd_fail(err, CD_ERR_TOO_LARGE, "attestation document too large");
    json_tokener *tok = json_tokener_new();
    if (!tok) return cd_fail(err, CD_ERR_NOMEM, "out of memory");
    json_object *o = json_tokener_parse_ex(tok, json, (int)len);
    bool complete = json_tokener_get_error(tok) == json_tokener_success;
    json_tokener_free(tok);
    if (!o || !complete || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return cd_fail(err, CD_ERR_BAD_JSON, "attestation document is not a JSON object");
    }
    cd_buf pub = {0}, nonce = {0}, quote = {0}, digest_claim = {0};
    cd_status st = CD_OK;
    json_object *v = NULL, *cfg = NULL;
    const char *version = json_object_object_get_ex(o, "version", &v) && json_object_is_type(v, json_type_string)
                              ? json_object_get_string(v) : NULL;
    if (!version || !json_object_object_get_ex(o, "config", &cfg) || !json_object_is_type(cfg, json_type_string)) {
        st = cd_fail(err, CD_ERR_BAD_JSON, "attestation: 'version' and 'config' strings are required");
        goto out;
    }
    if ((st = hex_member(o, "publicKey", ATT_MAX_PUBKEY_LEN, &pub, err)) ||
        (st = hex_member(o, "quote", ATT_MAX_QUOTE_LEN, &quote, err))) {
        if (st == CD_ERR_NOT_FOUND) st = cd_fail(err, CD_ERR_BAD_JSON, "attestation: 'publicKey' and 'quote' are required");
        goto out;
    }
    st = hex_member(o, "nonce", ATT_MAX_NONCE_LEN, &nonce, err);
    if (st && st != CD_ERR_NOT_FOUND) goto out;
    st = hex_member(o, "configDigest", 32, &digest_claim, err);
    if (st && st != CD_ERR_NOT_FOUND) goto out;
    st = CD_OK;
    if (expected_pubkey.len && !cd_bytes_eq(expected_pubkey, cd_buf_bytes(&pub))) {
        st = cd_fail(err, CD_ERR_ATT_BINDING, "attestation: public_key is not the expected signer key");
        goto out;
    }
    if (expected_nonce.len && !cd_bytes_eq(expected_nonce, cd_buf_bytes(&nonce))) {
        st = cd_fail(err, CD_ERR_ATT_BINDING, "attestation: nonce is not the one requested");
        goto out;
    }
    cd_hash32 digest;
    att_config_digest(version, cd_bytes_make(json_object_get_string(cfg), (size_t)json_object_get_string_len(cfg)), &digest);
    if (digest_claim.len && (digest_claim.len != 32 || memcmp(digest_claim.data, digest.b, 32) != 0)) {
        st = cd_fail(err, CD_ERR_ATT_BINDING, "attestation: configDigest does not match version and config");
        goto out;
    }
    if ((st = att_verify_binding(cd_buf_bytes(&quote), cd_buf_bytes(&pub), &digest, cd_buf_bytes(&nonce), policy, opts,
                                 rep, err)))
        goto out;
    if (rep->format == ATT_FORMAT_TDX && json_object_object_get_ex(o, "eventLog", &v) &&
        json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0) {
        att_event_log log;
        st = att_dstack_log_replay(json_object_get_string(v), (size_t)json_object_get_string_len(v), &log, err);
        if (!st) {
            st = att_event_log_check(&log, rep, err);
            att_event_log_free(&log);
        }
        if (st) goto out;
    }
    if (pubkey_out && cd_buf_append(pubkey_out, pub.data, pub.len)) st = cd_fail(err, CD_ERR_NOMEM, "out of memory");
out:
    cd_buf_free(&pub);
    cd_buf_free(&nonce);
    cd_buf_free(&quote);
    cd_buf_free(&digest_claim);
    json_object_put(o);
    return st;
}
