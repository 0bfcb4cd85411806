/* gov: the CandorGovernance contract (contracts/CandorGovernance.sol, docs/governance.md),
 * read from storage alone: which builds (measurement ids) are approved and which node
 * signing addresses are members.
 *
 * This library computes the storage slots, asks a caller-provided callback for their values
 * in a few batches (the daemon proves each batch with one eth_getProof at a finalized head;
 * nothing here knows about proofs or RPC), decodes and bounds what it gets into a snapshot,
 * answers lookups on it, and hashes the signed /governance answer (EIP-712, docs/signing.md).
 * Pure: no threads, no I/O, no global state. */
#ifndef CANDOR_GOV_H
#define CANDOR_GOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* Bounds Candor enforces on what it reads (the contract enforces the same ones). */
#define GOV_MAX_MEASUREMENTS 64
#define GOV_MAX_MEMBERS 64
#define GOV_MAX_STRING 256

/* Slot 0 holds keccak256 of this text: the reader's proof that the layout is ours. */
#define GOV_LAYOUT_TAG_TEXT "candor.governance.v1"

/* The contract's storage slots (declaration order in CandorGovernance.sol). */
enum {
    GOV_SLOT_TAG = 0,             /* bytes32 layoutTag */
    GOV_SLOT_OWNER = 1,           /* address owner */
    GOV_SLOT_MEASUREMENT_IDS = 2, /* bytes32[] measurementIds */
    GOV_SLOT_MEASUREMENTS = 3,    /* mapping(bytes32 => Measurement) */
    GOV_SLOT_MEMBER_LIST = 4,     /* address[] memberList */
    GOV_SLOT_MEMBERS = 5,         /* mapping(address => Member) */
};

typedef struct {
    uint8_t id[32];
    char version[GOV_MAX_STRING + 1]; /* NUL-terminated; printable UTF-8 */
    size_t version_len;
    uint64_t not_before, not_after;   /* unix seconds, inclusive window */
    bool revoked;
} gov_measurement;

typedef struct {
    cd_address signer;
    char endpoint[GOV_MAX_STRING + 1];
    size_t endpoint_len;
    bool active;
} gov_member;

/* The verified block a snapshot was read at (the caller fills it). */
typedef struct {
    uint64_t chain_id;
    uint64_t number;
    uint64_t timestamp;
    cd_hash32 block_hash;
    cd_hash32 state_root;
    cd_hash32 receipts_root;
    uint64_t beacon_slot;
    cd_hash32 beacon_root;
    bool finalized;
} gov_block;

typedef struct {
    gov_block block;
    cd_address contract;
    cd_address owner;
    size_t n_measurements;
    gov_measurement measurements[GOV_MAX_MEASUREMENTS];
    size_t n_members;
    gov_member members[GOV_MAX_MEMBERS];
} gov_snapshot;

/* ---- slots (Solidity storage layout) ---------------------------------------------- */

/* Slot number n as a 32-byte big-endian key. */
void gov_slot_number(uint64_t n, cd_hash32 *out);
/* mapping(K => V) at `slot`: keccak256(key32 ‖ slot32), key already padded to 32 bytes. */
void gov_slot_mapping(const uint8_t key32[32], uint64_t slot, cd_hash32 *out);
/* mapping(address => V): the address left-padded with zeros to 32 bytes. */
void gov_slot_mapping_address(const cd_address *key, uint64_t slot, cd_hash32 *out);
/* Element `index` of a one-slot-per-element dynamic array at `slot`: keccak256(slot32) + index. */
void gov_slot_array_element(uint64_t slot, uint64_t index, cd_hash32 *out);
/* Chunk `chunk` of a long string/bytes whose head is at `slot`: keccak256(slot) + chunk. */
void gov_slot_string_chunk(const cd_hash32 *slot, uint64_t chunk, cd_hash32 *out);
/* base + k modulo 2^256 (struct fields, array elements). */
void gov_slot_add(const cd_hash32 *base, uint64_t k, cd_hash32 *out);

/* A string's head word: short (≤ 31 bytes: data left-aligned, lowest byte = 2·len) or long
 * (2·len + 1; data in ceil(len/32) chunk slots). CD_ERR_GOV_BOUNDS when len > max,
 * CD_ERR_GOV_NOT_GOVERNANCE for a non-canonical head. */
typedef struct {
    bool is_long;
    size_t len;
} gov_string_head;
CD_MUST_CHECK cd_status gov_string_head_decode(const cd_hash32 *word, size_t max, gov_string_head *out,
                                               cd_error *err);

/* ---- reading ----------------------------------------------------------------------- */

/* Returns the values of `n` storage slots of the governance contract (all proven at one
 * block by the caller), in order. Any failure stops the read with that status. */
typedef cd_status (*gov_storage_fn)(void *ctx, const cd_hash32 *keys, size_t n, cd_hash32 *values, cd_error *err);

/* Reads the whole state in at most four batches: fixed slots → array elements → struct
 * fields → long-string chunks. `code_hash` is the account's proven codeHash (an empty
 * account or one without code: CD_ERR_GOV_NO_CODE). Fills out's owner and lists; leaves
 * out->block and out->contract to the caller. *batches (optional) = callback calls made.
 * Errors: CD_ERR_GOV_NO_CODE, _NOT_GOVERNANCE (tag, dirty words, duplicates), _BOUNDS
 * (counts, string lengths, characters), or the callback's status. */
CD_MUST_CHECK cd_status gov_read(const cd_hash32 *code_hash, gov_storage_fn fn, void *ctx, gov_snapshot *out,
                                 unsigned *batches, cd_error *err);

/* ---- lookups ------------------------------------------------------------------------ */

const gov_measurement *gov_find_measurement(const gov_snapshot *s, const uint8_t id[32]);
const gov_member *gov_find_member(const gov_snapshot *s, const cd_address *signer);
/* CD_OK when `id` is listed, not revoked and not_before ≤ at ≤ not_after; else
 * CD_ERR_GOV_NOT_APPROVED, _REVOKED or _EXPIRED with the reason. */
CD_MUST_CHECK cd_status gov_check_measurement(const gov_snapshot *s, const uint8_t id[32], uint64_t at, cd_error *err);
/* CD_OK when `signer` is a listed, active member; else CD_ERR_GOV_NOT_MEMBER. */
CD_MUST_CHECK cd_status gov_check_member(const gov_snapshot *s, const cd_address *signer, cd_error *err);
/* Same owner, measurements and members (the block may differ). */
bool gov_same_content(const gov_snapshot *a, const gov_snapshot *b);

/* ---- the signed answer (EIP-712, docs/signing.md) -------------------------------------- */

/* Governance(Block block,uint64 timestamp,address governance,address owner,
 *            Measurement[] measurements,Member[] members)
 * followed by the referenced types sorted by name (Block, Measurement, Member). */
extern const char gov_eip712_type[];
/* hashStruct(Governance) given hashStruct(Block) of s->block, computed by the caller with
 * the same Block type as /block answers. */
void gov_eip712_hash(const gov_snapshot *s, const uint8_t block_struct_hash[32], uint8_t out[32]);

#endif
