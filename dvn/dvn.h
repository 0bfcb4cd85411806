/* dvn: what a LayerZero V2 DVN (decentralized verifier network) needs to prove and sign a
 * cross-chain packet, as pure functions over bytes (no I/O, no daemon state).
 *
 * - The V2 packet (PacketV1Codec layout, all integers big-endian as abi.encodePacked):
 *       offset  0  version   u8      (1)
 *               1  nonce     u64
 *               9  srcEid    u32
 *              13  sender    bytes32
 *              45  dstEid    u32
 *              49  receiver  bytes32
 *              81  guid      bytes32
 *             113  message   bytes   (the rest, at most DVN_MAX_MESSAGE bytes)
 *   packetHeader = bytes [0, 81); payloadHash = keccak256(guid ‖ message).
 * - The endpoint's event PacketSent(bytes encodedPacket, bytes options, address sendLibrary):
 *   no indexed parameters, so topics = [topic0]; its data is decoded strictly (canonical
 *   offsets, exact lengths, zero padding, nothing after the last field).
 * - The EIP-712 struct of Candor's signed DVN answer (docs/signing.md, "DVN answers"):
 *       DvnPacket(uint256 srcChainId,uint64 blockNumber,bytes32 blockHash,bytes32 txHash,
 *                 uint64 logIndex,address endpoint,bytes packetHeader,bytes32 payloadHash,
 *                 uint64 confirmations,bool finalized)
 *   (the domain and the 0x1901 digest are the service's, see src/eip712.h).
 * - The stock LayerZero DVN multisig path: the calldata of
 *   verify(bytes packetHeader, bytes32 payloadHash, uint64 confirmations) (ReceiveUln302),
 *   the hash DVN.sol checks, keccak256(abi.encodePacked(uint32 vid, address target,
 *   uint256 expiration, bytes callData)), and its EIP-191 personal-message digest
 *   keccak256("\x19Ethereum Signed Message:\n32" ‖ hash) that MultiSig.sol recovers from.
 */
#ifndef CANDOR_DVN_H
#define CANDOR_DVN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"

#define DVN_PACKET_VERSION 1
#define DVN_HEADER_LEN 81
#define DVN_GUID_OFFSET 81
#define DVN_MESSAGE_OFFSET 113
/* The largest message we sign for: LayerZero's default executor limit (maxMessageSize
 * 10000 bytes). A bound on what a hostile upstream can make us hash and hold. */
#define DVN_MAX_MESSAGE 10000
/* PacketSent data larger than this is refused before decoding (packet + options + ABI). */
#define DVN_MAX_EVENT_DATA (64u * 1024)
/* Calldata of verify(bytes,bytes32,uint64) with an 81-byte header: 4 + 3*32 + 32 + 96. */
#define DVN_VERIFY_CALLDATA_LEN 228

typedef struct {
    uint8_t version;
    uint64_t nonce;
    uint32_t src_eid;
    cd_hash32 sender;
    uint32_t dst_eid;
    cd_hash32 receiver;
    cd_hash32 guid;
    cd_bytes message;                 /* points into the decoded input */
    uint8_t header[DVN_HEADER_LEN];   /* packetHeader: the first 81 bytes */
    cd_hash32 payload_hash;           /* keccak256(guid ‖ message) */
} dvn_packet;

/* Decodes an encoded V2 packet. CD_ERR_DVN_BAD_PACKET (reason in err) for a packet shorter
 * than header + guid, a version other than 1, or a message over DVN_MAX_MESSAGE bytes. */
CD_MUST_CHECK cd_status dvn_packet_decode(cd_bytes encoded, dvn_packet *out, cd_error *err);
/* The inverse, for tests and the test chain: header fields + guid + message. */
CD_MUST_CHECK cd_status dvn_packet_encode(const dvn_packet *p, cd_buf *out);
void dvn_payload_hash(const cd_hash32 *guid, cd_bytes message, cd_hash32 *out);

/* keccak256("PacketSent(bytes,bytes,address)"). */
void dvn_packet_sent_topic(cd_hash32 *out);

typedef struct {
    cd_bytes encoded_packet;          /* both point into the event data */
    cd_bytes options;
    cd_address send_library;
} dvn_packet_sent;

/* Strict ABI decoding of PacketSent's data (at most DVN_MAX_EVENT_DATA bytes). Any
 * deviation from the canonical encoding is CD_ERR_DVN_BAD_PACKET. */
CD_MUST_CHECK cd_status dvn_packet_sent_decode(cd_bytes data, dvn_packet_sent *out, cd_error *err);

/* The signed DVN answer. */
typedef struct {
    uint64_t src_chain_id;            /* the execution chain the packet was sent on */
    uint64_t block_number;
    cd_hash32 block_hash;
    cd_hash32 tx_hash;
    uint64_t log_index;               /* position of the log within the block */
    cd_address endpoint;              /* the log's emitter (a configured endpoint) */
    uint8_t packet_header[DVN_HEADER_LEN];
    cd_hash32 payload_hash;
    uint64_t confirmations;           /* verified descendants of the block when signed */
    bool finalized;                   /* the block is an ancestor of (or is) the finalized head */
} dvn_answer;

#define DVN_ANSWER_TYPE                                                                     \
    "DvnPacket(uint256 srcChainId,uint64 blockNumber,bytes32 blockHash,bytes32 txHash,"    \
    "uint64 logIndex,address endpoint,bytes packetHeader,bytes32 payloadHash,"              \
    "uint64 confirmations,bool finalized)"

/* EIP-712 hashStruct(DvnPacket). */
void dvn_answer_struct_hash(const dvn_answer *a, uint8_t out[32]);

/* ABI calldata of verify(bytes packetHeader, bytes32 payloadHash, uint64 confirmations),
 * DVN_VERIFY_CALLDATA_LEN bytes. */
void dvn_verify_calldata(const uint8_t header[DVN_HEADER_LEN], const cd_hash32 *payload_hash, uint64_t confirmations,
                         uint8_t out[DVN_VERIFY_CALLDATA_LEN]);
/* keccak256(abi.encodePacked(uint32 vid, address target, uint256 expiration, bytes callData)). */
void dvn_multisig_hash(uint32_t vid, const cd_address *target, uint64_t expiration, cd_bytes call_data, cd_hash32 *out);
/* keccak256("\x19Ethereum Signed Message:\n32" ‖ hash): what the multisig's signers sign. */
void dvn_eip191_digest(const cd_hash32 *hash, cd_hash32 *out);

#endif
