/* What a Candor signature covers: EIP-712 typed data (see docs/signing.md for the exact
 * types and a Solidity checker).
 *
 *   domain  EIP712Domain(string name,string version,uint256 chainId)  name "Candor", version "1"
 *   /block  Block(uint256 chainId,uint64 number,bytes32 blockHash,bytes32 stateRoot,
 *                 bytes32 receiptsRoot,uint64 beaconSlot,bytes32 beaconRoot,bool finalized)
 *   /call   Call(Block block,bytes32 requestHash,bytes32 resultHash)  with
 *           requestHash = hashStruct(CallRequest(address from,address to,uint256 value,uint64 gas,bytes input))
 *           resultHash  = hashStruct(CallResult(uint8 status,uint64 gasUsed,bytes output))
 *   digest  keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)) */
#ifndef CANDOR_SVC_EIP712_H
#define CANDOR_SVC_EIP712_H

#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"

#define SVC_EIP712_NAME "Candor"
#define SVC_EIP712_VERSION "1"

typedef struct {
    uint64_t chain_id;
    uint64_t number;
    cd_hash32 block_hash;
    cd_hash32 state_root;
    cd_hash32 receipts_root;
    uint64_t beacon_slot;
    cd_hash32 beacon_root;
    bool finalized;
} svc_block_claim;

typedef enum { SVC_CALL_SUCCESS = 0, SVC_CALL_REVERT = 1, SVC_CALL_HALT = 2 } svc_call_status;

typedef struct {
    cd_address from;
    cd_address to;
    cd_u256 value;
    uint64_t gas;
    cd_bytes input;
} svc_call_request;

typedef struct {
    svc_call_status status;
    uint64_t gas_used;
    cd_bytes output; /* return data (Success/Revert) or the UTF-8 halt reason (Halt) */
} svc_call_result;

void svc_eip712_domain_separator(uint64_t chain_id, uint8_t out[32]);
void svc_eip712_hash_block(const svc_block_claim *b, uint8_t out[32]);
void svc_eip712_hash_request(const svc_call_request *r, uint8_t out[32]);
void svc_eip712_hash_result(const svc_call_result *r, uint8_t out[32]);
/* The digests that get signed. */
void svc_eip712_block_digest(const svc_block_claim *b, uint8_t digest[32]);
void svc_eip712_call_digest(const svc_block_claim *b, const uint8_t request_hash[32],
                            const uint8_t result_hash[32], uint8_t digest[32]);
const char *svc_call_status_name(svc_call_status s); /* "Success" | "Revert" | "Halt" */
/* keccak256(0x19 0x01 ‖ domainSeparator(chain_id) ‖ struct_hash): the digest of any of our typed
 * answers, for the types defined outside this file (the DVN answer, dvn/dvn.h). */
void svc_eip712_typed_digest(uint64_t chain_id, const uint8_t struct_hash[32], uint8_t digest[32]);

#endif
