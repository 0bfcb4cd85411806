#include "src/eip712.h"

#include <string.h>

#include "crypto/keccak.h"

#define BLOCK_TYPE                                                                              \
    "Block(uint256 chainId,uint64 number,bytes32 blockHash,bytes32 stateRoot,bytes32 receiptsRoot," \
    "uint64 beaconSlot,bytes32 beaconRoot,bool finalized)"
static const char domain_type[] = "EIP712Domain(string name,string version,uint256 chainId)";
static const char block_type[] = BLOCK_TYPE;
/* EIP-712: a struct's type string is followed by the types it references, sorted by name. */
static const char call_type[] = "Call(Block block,bytes32 requestHash,bytes32 resultHash)" BLOCK_TYPE;
static const char request_type[] = "CallRequest(address from,address to,uint256 value,uint64 gas,bytes input)";
static const char result_type[] = "CallResult(uint8 status,uint64 gasUsed,bytes output)";

static void type_hash(const char *type, uint8_t out[32]) {
    keccak256((const uint8_t *)type, strlen(type), out);
}

/* Each encoded member is one 32-byte word, as abi.encode would lay it out. */
static void word_u64(keccak256_ctx *k, uint64_t v) {
    uint8_t w[32] = {0};
    for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(v >> (8 * i));
    keccak256_update(k, w, 32);
}
static void word_bytes32(keccak256_ctx *k, const uint8_t b[32]) { keccak256_update(k, b, 32); }
static void word_address(keccak256_ctx *k, const cd_address *a) {
    uint8_t w[32] = {0};
    memcpy(w + 12, a->b, 20);
    keccak256_update(k, w, 32);
}
static void word_u256(keccak256_ctx *k, const cd_u256 *v) {
    uint8_t w[32];
    cd_u256_to_be32(v, w);
    keccak256_update(k, w, 32);
}
/* Dynamic `bytes` and `string` members are encoded as the keccak256 of their contents. */
static void word_dynamic(keccak256_ctx *k, const uint8_t *p, size_t n) {
    uint8_t h[32];
    keccak256(p, n, h);
    keccak256_update(k, h, 32);
}

void svc_eip712_domain_separator(uint64_t chain_id, uint8_t out[32]) {
    keccak256_ctx k;
    uint8_t th[32];
    keccak256_init(&k);
    type_hash(domain_type, th);
    word_bytes32(&k, th);
    word_dynamic(&k, (const uint8_t *)SVC_EIP712_NAME, strlen(SVC_EIP712_NAME));
    word_dynamic(&k, (const uint8_t *)SVC_EIP712_VERSION, strlen(SVC_EIP712_VERSION));
    word_u64(&k, chain_id);
    keccak256_final(&k, out);
}

void svc_eip712_hash_block(const svc_block_claim *b, uint8_t out[32]) {
    keccak256_ctx k;
    uint8_t th[32];
    keccak256_init(&k);
    type_hash(block_type, th);
    word_bytes32(&k, th);
    word_u64(&k, b->chain_id);
    word_u64(&k, b->number);
    word_bytes32(&k, b->block_hash.b);
    word_bytes32(&k, b->state_root.b);
    word_bytes32(&k, b->receipts_root.b);
    word_u64(&k, b->beacon_slot);
    word_bytes32(&k, b->beacon_root.b);
    word_u64(&k, b->finalized ? 1 : 0);
    keccak256_final(&k, out);
}

void svc_eip712_hash_request(const svc_call_request *r, uint8_t out[32]) {
    keccak256_ctx k;
    uint8_t th[32];
    keccak256_init(&k);
    type_hash(request_type, th);
    word_bytes32(&k, th);
    word_address(&k, &r->from);
    word_address(&k, &r->to);
    word_u256(&k, &r->value);
    word_u64(&k, r->gas);
    word_dynamic(&k, r->input.ptr, r->input.len);
    keccak256_final(&k, out);
}

void svc_eip712_hash_result(const svc_call_result *r, uint8_t out[32]) {
    keccak256_ctx k;
    uint8_t th[32];
    keccak256_init(&k);
    type_hash(result_type, th);
    word_bytes32(&k, th);
    word_u64(&k, (uint64_t)r->status);
    word_u64(&k, r->gas_used);
    word_dynamic(&k, r->output.ptr, r->output.len);
    keccak256_final(&k, out);
}

static void final_digest(uint64_t chain_id, const uint8_t struct_hash[32], uint8_t digest[32]) {
    uint8_t msg[66] = {0x19, 0x01};
    svc_eip712_domain_separator(chain_id, msg + 2);
    memcpy(msg + 34, struct_hash, 32);
    keccak256(msg, sizeof msg, digest);
}

void svc_eip712_typed_digest(uint64_t chain_id, const uint8_t struct_hash[32], uint8_t digest[32]) {
    final_digest(chain_id, struct_hash, digest);
}

void svc_eip712_block_digest(const svc_block_claim *b, uint8_t digest[32]) {
    uint8_t h[32];
    svc_eip712_hash_block(b, h);
    final_digest(b->chain_id, h, digest);
}

void svc_eip712_call_digest(const svc_block_claim *b, const uint8_t request_hash[32],
                            const uint8_t result_hash[32], uint8_t digest[32]) {
    keccak256_ctx k;
    uint8_t th[32], bh[32], h[32];
    svc_eip712_hash_block(b, bh);
    keccak256_init(&k);
    type_hash(call_type, th);
    word_bytes32(&k, th);
    word_bytes32(&k, bh);
    word_bytes32(&k, request_hash);
    word_bytes32(&k, result_hash);
    keccak256_final(&k, h);
    final_digest(b->chain_id, h, digest);
}

const char *svc_call_status_name(svc_call_status s) {
    switch (s) {
    case SVC_CALL_SUCCESS: return "Success";
    case SVC_CALL_REVERT: return "Revert";
    case SVC_CALL_HALT: return "Halt";
    }
    return "?";
}
