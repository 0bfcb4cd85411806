/* Reading a saved /dvn/verify answer back into the DvnPacket its signature covers, for
 * `candor verify`. Beyond the digest, the answer must be consistent with itself: the stated
 * packet (header ‖ guid ‖ message) decodes to the signed packetHeader and payloadHash, and the
 * multisig part (when present) is exactly the verify() calldata of those fields, hashed as
 * DVN.sol does, signed by the same key under EIP-191. */
#include <string.h>

#include "api/api.h"
#include "src/answer.h"
#include "src/signer.h"

static json_object *get(json_object *o, const char *k) {
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

CD_MUST_CHECK static cd_status number(json_object *o, const char *k, uint64_t *out, cd_error *err) {
    json_object *v = get(o, k);
    if (v && json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
        *out = json_object_get_uint64(v);
        return CD_OK;
    }
    if (v && json_object_is_type(v, json_type_string)) return api_get_u64(v, k, out, err);
    return cd_fail(err, CD_ERR_BAD_JSON, "answer has no numeric '%s'", k);
}

CD_MUST_CHECK static cd_status signature65(json_object *v, const char *what, uint8_t out[65], cd_error *err) {
    const char *sig = v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    if (!sig || strncmp(sig, "0x", 2) || strlen(sig) != 132 || cd_hex_decode_exact(sig, out, 65) != CD_OK)
        return cd_fail(err, CD_ERR_BAD_HEX, "%s: expected 0x followed by 130 hex digits", what);
    return CD_OK;
}

/* The stated packet must be the signed one. */
CD_MUST_CHECK static cd_status check_packet(json_object *pk, const dvn_answer *d, cd_error *err) {
    cd_hash32 guid;
    cd_buf msg = {0}, enc = {0};
    cd_status st = api_get_hash(get(pk, "guid"), "packet.guid", &guid, err);
    if (st == CD_OK) st = api_get_data(get(pk, "message"), "packet.message", DVN_MAX_MESSAGE, &msg, err);
    if (st == CD_OK && ((st = cd_buf_append(&enc, d->packet_header, DVN_HEADER_LEN)) != CD_OK ||
                        (st = cd_buf_append(&enc, guid.b, 32)) != CD_OK ||
                        (msg.len && (st = cd_buf_append(&enc, msg.data, msg.len)) != CD_OK)))
        cd_fail(err, st, "out of memory");
    dvn_packet p;
    if (st == CD_OK) st = dvn_packet_decode(cd_buf_bytes(&enc), &p, err);
    if (st == CD_OK && !cd_hash32_eq(&p.payload_hash, &d->payload_hash))
        st = cd_fail(err, CD_ERR_BAD_SIGNATURE, "payloadHash is not keccak256(packet.guid ‖ packet.message)");
    cd_buf_free(&msg), cd_buf_free(&enc);
    return st;
}

/* The multisig part: calldata and hash recomputed, the EIP-191 digest kept for the signature check. */
CD_MUST_CHECK static cd_status parse_multisig(json_object *m, svc_answer *out, cd_error *err) {
    uint64_t vid, expiration;
    cd_address target;
    cd_hash32 hash, stated_hash, digest;
    cd_buf call = {0};
    cd_status st = number(m, "vid", &vid, err);
    if (st == CD_OK && vid > UINT32_MAX) st = cd_fail(err, CD_ERR_BAD_JSON, "multisig.vid does not fit in uint32");
    if (st == CD_OK) st = api_get_address(get(m, "target"), "multisig.target", &target, err);
    if (st == CD_OK) st = number(m, "expiration", &expiration, err);
    if (st == CD_OK) st = api_get_data(get(m, "callData"), "multisig.callData", DVN_VERIFY_CALLDATA_LEN, &call, err);
    if (st == CD_OK) st = api_get_hash(get(m, "hash"), "multisig.hash", &stated_hash, err);
    if (st == CD_OK) st = signature65(get(m, "signature"), "multisig.signature", out->multisig_signature, err);
    if (st == CD_OK) {
        uint8_t want[DVN_VERIFY_CALLDATA_LEN];
        dvn_verify_calldata(out->dvn.packet_header, &out->dvn.payload_hash, out->dvn.confirmations, want);
        if (call.len != sizeof want || memcmp(call.data, want, sizeof want))
            st = cd_fail(err, CD_ERR_BAD_SIGNATURE, "multisig.callData is not verify(packetHeader, payloadHash, confirmations)");
    }
    if (st == CD_OK) {
        dvn_multisig_hash((uint32_t)vid, &target, expiration, cd_buf_bytes(&call), &hash);
        if (!cd_hash32_eq(&hash, &stated_hash)) st = cd_fail(err, CD_ERR_BAD_SIGNATURE, "multisig.hash does not match vid, target, expiration, callData");
    }
    if (st == CD_OK) {
        dvn_eip191_digest(&hash, &digest);
        memcpy(out->multisig_digest, digest.b, 32);
        out->has_multisig = true;
    }
    cd_buf_free(&call);
    return st;
}

cd_status svc_dvn_answer_parse(json_object *a, svc_answer *out, cd_error *err) {
    dvn_answer *d = &out->dvn;
    memset(d, 0, sizeof *d);
    out->is_dvn = true;
    cd_buf header = {0};
    json_object *fin = get(a, "finalized");
    cd_status st = number(a, "srcChainId", &d->src_chain_id, err);
    if (st == CD_OK) st = number(a, "blockNumber", &d->block_number, err);
    if (st == CD_OK) st = api_get_hash(get(a, "blockHash"), "blockHash", &d->block_hash, err);
    if (st == CD_OK) st = api_get_hash(get(a, "transactionHash"), "transactionHash", &d->tx_hash, err);
    if (st == CD_OK) st = number(a, "logIndex", &d->log_index, err);
    if (st == CD_OK) st = api_get_address(get(a, "endpoint"), "endpoint", &d->endpoint, err);
    if (st == CD_OK) st = api_get_data(get(a, "packetHeader"), "packetHeader", DVN_HEADER_LEN, &header, err);
    if (st == CD_OK && header.len != DVN_HEADER_LEN) st = cd_fail(err, CD_ERR_BAD_JSON, "packetHeader must be %d bytes", DVN_HEADER_LEN);
    if (st == CD_OK) memcpy(d->packet_header, header.data, DVN_HEADER_LEN);
    cd_buf_free(&header);
    if (st == CD_OK) st = api_get_hash(get(a, "payloadHash"), "payloadHash", &d->payload_hash, err);
    if (st == CD_OK) st = number(a, "confirmations", &d->confirmations, err);
    if (st == CD_OK && (!fin || !json_object_is_type(fin, json_type_boolean)))
        st = cd_fail(err, CD_ERR_BAD_JSON, "answer has no boolean 'finalized'");
    if (st != CD_OK) return st;
    d->finalized = json_object_get_boolean(fin);
    /* Shown by `candor verify` as the answer's block. */
    out->block.chain_id = d->src_chain_id;
    out->block.number = d->block_number;
    out->block.block_hash = d->block_hash;
    out->block.finalized = d->finalized;
    uint8_t sh[32];
    dvn_answer_struct_hash(d, sh);
    svc_eip712_typed_digest(d->src_chain_id, sh, out->digest);
    if (get(a, "packet") && (st = check_packet(get(a, "packet"), d, err)) != CD_OK) return st;
    json_object *m = get(a, "multisig");
    if (m && !json_object_is_type(m, json_type_null)) st = parse_multisig(m, out, err);
    return st;
}

cd_status svc_dvn_answer_verify(const svc_answer *a, cd_error *err) {
    if (!a->has_multisig) return CD_OK;
    cd_address who;
    if (svc_recover_address(a->multisig_digest, a->multisig_signature, &who) != CD_OK)
        return cd_fail(err, CD_ERR_BAD_SIGNATURE, "multisig.signature is malformed or does not recover");
    if (!cd_address_eq(&who, &a->signer))
        return cd_fail(err, CD_ERR_BAD_SIGNATURE, "multisig.signature is not by the answer's signer");
    return CD_OK;
}
