/* What gets signed for a proven packet: the EIP-712 struct of Candor's DVN answer, and the
 * calldata plus hash that a stock LayerZero DVN multisig executes. */
#include <string.h>

#include "crypto/keccak.h"
#include "dvn/dvn.h"

static void word_u64(keccak256_ctx *k, uint64_t v) {
    uint8_t w[32] = {0};
    for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(v >> (8 * i));
    keccak256_update(k, w, 32);
}

void dvn_answer_struct_hash(const dvn_answer *a, uint8_t out[32]) {
    static const char type[] = DVN_ANSWER_TYPE;
    uint8_t h[32], addr[32] = {0};
    keccak256_ctx k;
    keccak256_init(&k);
    keccak256((const uint8_t *)type, sizeof type - 1, h);
    keccak256_update(&k, h, 32);
    word_u64(&k, a->src_chain_id);
    word_u64(&k, a->block_number);
    keccak256_update(&k, a->block_hash.b, 32);
    keccak256_update(&k, a->tx_hash.b, 32);
    word_u64(&k, a->log_index);
    memcpy(addr + 12, a->endpoint.b, 20);
    keccak256_update(&k, addr, 32);
    keccak256(a->packet_header, DVN_HEADER_LEN, h); /* dynamic bytes: their keccak256 */
    keccak256_update(&k, h, 32);
    keccak256_update(&k, a->payload_hash.b, 32);
    word_u64(&k, a->confirmations);
    word_u64(&k, a->finalized ? 1 : 0);
    keccak256_final(&k, out);
}

static void put_u64_word(uint8_t *w, uint64_t v) {
    memset(w, 0, 32);
    for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(v >> (8 * i));
}

void dvn_verify_calldata(const uint8_t header[DVN_HEADER_LEN], const cd_hash32 *payload_hash, uint64_t confirmations,
                         uint8_t out[DVN_VERIFY_CALLDATA_LEN]) {
    static const char sig[] = "verify(bytes,bytes32,uint64)";
    uint8_t sel[32];
    keccak256((const uint8_t *)sig, sizeof sig - 1, sel);
    memset(out, 0, DVN_VERIFY_CALLDATA_LEN);
    memcpy(out, sel, 4);
    uint8_t *args = out + 4;
    put_u64_word(args, 3 * 32);          /* offset of packetHeader: after the three head words */
    memcpy(args + 32, payload_hash->b, 32);
    put_u64_word(args + 64, confirmations);
    put_u64_word(args + 96, DVN_HEADER_LEN);
    memcpy(args + 128, header, DVN_HEADER_LEN); /* zero padding to 96 bytes stays */
}

void dvn_multisig_hash(uint32_t vid, const cd_address *target, uint64_t expiration, cd_bytes call_data, cd_hash32 *out) {
    uint8_t head[4 + 20 + 32] = {0};
    for (int i = 0; i < 4; i++) head[3 - i] = (uint8_t)(vid >> (8 * i));
    memcpy(head + 4, target->b, 20);
    put_u64_word(head + 24, expiration);
    keccak256_ctx k;
    keccak256_init(&k);
    keccak256_update(&k, head, sizeof head);
    if (call_data.len) keccak256_update(&k, call_data.ptr, call_data.len);
    keccak256_final(&k, out->b);
}

void dvn_eip191_digest(const cd_hash32 *hash, cd_hash32 *out) {
    static const char prefix[] = "\x19" "Ethereum Signed Message:\n32";
    uint8_t msg[sizeof prefix - 1 + 32];
    memcpy(msg, prefix, sizeof prefix - 1);
    memcpy(msg + sizeof prefix - 1, hash->b, 32);
    keccak256(msg, sizeof msg, out->b);
}
