/* candor verify ANSWER.json [--attestation ATTEST.json [--allow-mock] [--policy FILE]] [--chain-id N]
 * Checks a saved /block, /call, /governance or /dvn/verify answer offline: recomputes the
 * EIP-712 digest from the answer's own fields, recovers the signer from the signature, and (with --attestation)
 * checks that a saved /attest answer's quote binds that signer's public key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "attest/attest.h"
#include "src/answer.h"
#include "src/commands.h"
#include "src/signer.h"

#define ANSWER_MAX (32u * 1024 * 1024)

static int usage(void) {
    fprintf(stderr, "usage: candor verify ANSWER.json [--attestation ATTEST.json] [--allow-mock] [--policy FILE] [--chain-id N]\n");
    return 2;
}

CD_MUST_CHECK static cd_status load_json(const char *path, json_object **out, cd_error *err) {
    cd_buf b = {0};
    cd_status s = cd_read_file(path, ANSWER_MAX, &b);
    if (s != CD_OK) {
        cd_buf_free(&b);
        return cd_fail(err, s, "%s: %s", path, cd_status_str(s));
    }
    s = api_json_parse(b.data ? (const char *)b.data : "", b.len, out, err);
    cd_buf_free(&b);
    if (s != CD_OK) cd_error_prefix(err, "%s: ", path);
    return s;
}

static json_object *get(json_object *o, const char *k) {
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* The /attest answer must name the signer, carry its public key, and hold a quote that
 * binds (public key, config digest, nonce). */
CD_MUST_CHECK static cd_status check_attestation(json_object *att, const cd_address *signer, bool allow_mock,
                                                 const char *policy_path, cd_error *err) {
    cd_address addr, from_pub;
    cd_buf pub = {0}, quote = {0}, nonce = {0};
    cd_hash32 cfg_digest;
    att_policy *policy = NULL;
    cd_status s = api_get_address(get(att, "address"), "attestation address", &addr, err);
    if (s == CD_OK && !cd_address_eq(&addr, signer))
        s = cd_fail(err, CD_ERR_ATT_BINDING, "attested address is not the answer's signer");
    if (s == CD_OK) s = api_get_data(get(att, "publicKey"), "publicKey", 65, &pub, err);
    if (s == CD_OK && (pub.len != 65 || pub.data[0] != 0x04)) s = cd_fail(err, CD_ERR_BAD_PUBKEY, "publicKey must be 65 bytes 0x04..");
    if (s == CD_OK) {
        svc_pubkey_to_address(pub.data, &from_pub);
        if (!cd_address_eq(&from_pub, signer)) s = cd_fail(err, CD_ERR_ATT_BINDING, "publicKey is not the signer's key");
    }
    if (s == CD_OK) s = api_get_data(get(att, "quote"), "quote", ATT_MAX_QUOTE_LEN, &quote, err);
    json_object *ver = get(att, "version"), *cfg = get(att, "config"), *n = get(att, "nonce");
    if (s == CD_OK && (!ver || !cfg || !json_object_is_type(ver, json_type_string) || !json_object_is_type(cfg, json_type_string)))
        s = cd_fail(err, CD_ERR_BAD_JSON, "attestation needs 'version' and 'config' strings");
    if (s == CD_OK) {
        /* Recompute the config digest from the stated config, so the quote vouches for it. */
        att_config_digest(json_object_get_string(ver), cd_bytes_make(json_object_get_string(cfg),
                          (size_t)json_object_get_string_len(cfg)), &cfg_digest);
        if (n && !json_object_is_type(n, json_type_null)) s = api_get_data(n, "nonce", ATT_MAX_NONCE_LEN, &nonce, err);
    }
    if (s == CD_OK && policy_path) s = att_policy_load(policy_path, &policy, err);
    if (s == CD_OK) {
        att_verify_opts opts;
        memset(&opts, 0, sizeof opts);
        opts.accept_mock = allow_mock;
        att_report rep;
        memset(&rep, 0, sizeof rep);
        s = att_verify_binding(cd_buf_bytes(&quote), cd_buf_bytes(&pub), &cfg_digest, cd_buf_bytes(&nonce), policy, &opts, &rep, err);
        if (s == CD_OK)
            printf("attestation: %s quote binds the signer's key%s%s\n", att_format_name(rep.format),
                   rep.insecure ? " (INSECURE: mock or debug TEE)" : "", policy ? ", measurement allowed by policy" : "");
    }
    att_policy_free(policy);
    cd_buf_free(&pub), cd_buf_free(&quote), cd_buf_free(&nonce);
    return s;
}

/* A replay for another chain: the answer is genuine, but not about the chain the user means. */
CD_MUST_CHECK static cd_status check_chain_id(const svc_answer *a, const char *want_text, cd_error *err) {
    char *end = NULL;
    unsigned long long want = strtoull(want_text, &end, 10);
    if (!*want_text || *end) return cd_fail(err, CD_ERR_INVALID_ARG, "--chain-id: '%s' is not a number", want_text);
    if (a->block.chain_id != want)
        return cd_fail(err, a->is_dvn ? CD_ERR_DVN_WRONG_CHAIN : CD_ERR_INVALID_ARG, "the answer is for chain %llu, not chain %llu",
                       (unsigned long long)a->block.chain_id, want);
    return CD_OK;
}

static void print_dvn(const svc_answer *a) {
    char signer[43], hash[67], payload[67];
    cd_hex_encode(signer, a->signer.b, 20);
    cd_hex_encode(hash, a->dvn.block_hash.b, 32);
    cd_hex_encode(payload, a->dvn.payload_hash.b, 32);
    printf("ok: dvn answer signed by %s, chain %llu block %llu %s log %llu, payloadHash %s (%s, %llu confirmations)%s\n", signer,
           (unsigned long long)a->dvn.src_chain_id, (unsigned long long)a->dvn.block_number, hash,
           (unsigned long long)a->dvn.log_index, payload, a->dvn.finalized ? "finalized" : "not finalized",
           (unsigned long long)a->dvn.confirmations, a->has_multisig ? ", multisig signature checked" : "");
}

int cmd_verify(int argc, char **argv) {
    const char *answer_path = NULL, *att_path = NULL, *policy = NULL;
    bool allow_mock = false;
    const char *chain_id = NULL; /* the chain the user expects the answer to be about */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--attestation") && i + 1 < argc) att_path = argv[++i];
        else if (!strcmp(argv[i], "--chain-id") && i + 1 < argc) chain_id = argv[++i];
        else if (!strcmp(argv[i], "--policy") && i + 1 < argc) policy = argv[++i];
        else if (!strcmp(argv[i], "--allow-mock")) allow_mock = true;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return usage(), 0;
        else if (argv[i][0] != '-' && !answer_path) answer_path = argv[i];
        else return usage();
    }
    if (!answer_path) return usage();
    cd_error err;
    cd_error_clear(&err);
    json_object *ans = NULL, *att = NULL;
    svc_answer a;
    cd_status s = load_json(answer_path, &ans, &err);
    if (s == CD_OK) s = svc_answer_parse(ans, &a, &err);
    if (s == CD_OK) s = svc_answer_verify(&a, &err);
    if (s == CD_OK && chain_id) s = check_chain_id(&a, chain_id, &err);
    if (s == CD_OK && a.is_dvn) {
        print_dvn(&a);
    } else if (s == CD_OK) {
        char signer[43], hash[67];
        cd_hex_encode(signer, a.signer.b, 20);
        cd_hex_encode(hash, a.block.block_hash.b, 32);
        printf("ok: %s answer signed by %s, chain %llu block %llu %s (%s)\n",
               a.is_governance ? "governance" : a.is_call ? "call" : "block", signer,
               (unsigned long long)a.block.chain_id, (unsigned long long)a.block.number, hash,
               a.block.finalized ? "finalized" : "optimistic");
    }
    if (s == CD_OK && att_path) {
        s = load_json(att_path, &att, &err);
        if (s == CD_OK) s = check_attestation(att, &a.signer, allow_mock, policy, &err);
    }
    json_object_put(ans);
    json_object_put(att);
    if (s != CD_OK) {
        fprintf(stderr, "candor verify: FAILED: %s\n", cd_error_text(&err));
        return 1;
    }
    return 0;
}
