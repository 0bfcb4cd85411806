/* gov: questions asked of a snapshot, and the EIP-712 hash of the signed /governance answer. */
#include <string.h>

#include "crypto/keccak.h"
#include "gov/gov.h"

const gov_measurement *gov_find_measurement(const gov_snapshot *s, const uint8_t id[32]) {
    for (size_t i = 0; i < s->n_measurements; i++)
        if (!memcmp(s->measurements[i].id, id, 32)) return &s->measurements[i];
    return NULL;
}

const gov_member *gov_find_member(const gov_snapshot *s, const cd_address *signer) {
    for (size_t i = 0; i < s->n_members; i++)
        if (cd_address_eq(&s->members[i].signer, signer)) return &s->members[i];
    return NULL;
}

cd_status gov_check_measurement(const gov_snapshot *s, const uint8_t id[32], uint64_t at, cd_error *err) {
    char hex[67];
    cd_hex_encode(hex, id, 32);
    const gov_measurement *m = gov_find_measurement(s, id);
    if (!m) return cd_fail(err, CD_ERR_GOV_NOT_APPROVED, "measurement %s: not approved by governance", hex);
    if (m->revoked) return cd_fail(err, CD_ERR_GOV_REVOKED, "measurement %s (%s): revoked", hex, m->version);
    if (at < m->not_before || at > m->not_after)
        return cd_fail(err, CD_ERR_GOV_EXPIRED, "measurement %s (%s): expired, approved only for %llu..%llu, time is %llu",
                       hex, m->version, (unsigned long long)m->not_before, (unsigned long long)m->not_after,
                       (unsigned long long)at);
    return CD_OK;
}

cd_status gov_check_member(const gov_snapshot *s, const cd_address *signer, cd_error *err) {
    const gov_member *k = gov_find_member(s, signer);
    if (k && k->active) return CD_OK;
    char hex[43];
    cd_hex_encode(hex, signer->b, 20);
    return cd_fail(err, CD_ERR_GOV_NOT_MEMBER, "%s is not an active governance member", hex);
}

bool gov_same_content(const gov_snapshot *a, const gov_snapshot *b) {
    if (!cd_address_eq(&a->owner, &b->owner) || a->n_measurements != b->n_measurements || a->n_members != b->n_members)
        return false;
    for (size_t i = 0; i < a->n_measurements; i++) {
        const gov_measurement *x = &a->measurements[i], *y = &b->measurements[i];
        if (memcmp(x->id, y->id, 32) || x->version_len != y->version_len || memcmp(x->version, y->version, x->version_len) ||
            x->not_before != y->not_before || x->not_after != y->not_after || x->revoked != y->revoked)
            return false;
    }
    for (size_t i = 0; i < a->n_members; i++) {
        const gov_member *x = &a->members[i], *y = &b->members[i];
        if (!cd_address_eq(&x->signer, &y->signer) || x->endpoint_len != y->endpoint_len ||
            memcmp(x->endpoint, y->endpoint, x->endpoint_len) || x->active != y->active)
            return false;
    }
    return true;
}

/* ---- EIP-712 ------------------------------------------------------------------------ */

/* The Block type is the one of /block answers (src/eip712.c); EIP-712 appends referenced
 * types sorted by name. */
#define BLOCK_TYPE                                                                                  \
    "Block(uint256 chainId,uint64 number,bytes32 blockHash,bytes32 stateRoot,bytes32 receiptsRoot," \
    "uint64 beaconSlot,bytes32 beaconRoot,bool finalized)"
#define MEASUREMENT_TYPE "Measurement(bytes32 id,string version,uint64 notBefore,uint64 notAfter,bool revoked)"
#define MEMBER_TYPE "Member(address signer,string endpoint,bool active)"

const char gov_eip712_type[] =
    "Governance(Block block,uint64 timestamp,address governance,address owner,Measurement[] measurements,"
    "Member[] members)" BLOCK_TYPE MEASUREMENT_TYPE MEMBER_TYPE;

static void word_u64(keccak256_ctx *k, uint64_t v) {
    uint8_t w[32] = {0};
    for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(v >> (8 * i));
    keccak256_update(k, w, 32);
}

static void word_address(keccak256_ctx *k, const cd_address *a) {
    uint8_t w[32] = {0};
    memcpy(w + 12, a->b, 20);
    keccak256_update(k, w, 32);
}

static void word_string(keccak256_ctx *k, const char *p, size_t n) {
    uint8_t h[32];
    keccak256((const uint8_t *)p, n, h);
    keccak256_update(k, h, 32);
}

static void word_type(keccak256_ctx *k, const char *type) {
    uint8_t h[32];
    keccak256((const uint8_t *)type, strlen(type), h);
    keccak256_update(k, h, 32);
}

static void hash_measurement(const gov_measurement *m, uint8_t out[32]) {
    keccak256_ctx k;
    keccak256_init(&k);
    word_type(&k, MEASUREMENT_TYPE);
    keccak256_update(&k, m->id, 32);
    word_string(&k, m->version, m->version_len);
    word_u64(&k, m->not_before);
    word_u64(&k, m->not_after);
    word_u64(&k, m->revoked ? 1 : 0);
    keccak256_final(&k, out);
}

static void hash_member(const gov_member *m, uint8_t out[32]) {
    keccak256_ctx k;
    keccak256_init(&k);
    word_type(&k, MEMBER_TYPE);
    word_address(&k, &m->signer);
    word_string(&k, m->endpoint, m->endpoint_len);
    word_u64(&k, m->active ? 1 : 0);
    keccak256_final(&k, out);
}

void gov_eip712_hash(const gov_snapshot *s, const uint8_t block_struct_hash[32], uint8_t out[32]) {
    /* An array member is keccak256 of its elements' hashStructs, concatenated. */
    uint8_t h[32], mh[32], kh[32];
    keccak256_ctx arr;
    keccak256_init(&arr);
    for (size_t i = 0; i < s->n_measurements; i++) {
        hash_measurement(&s->measurements[i], h);
        keccak256_update(&arr, h, 32);
    }
    keccak256_final(&arr, mh);
    keccak256_init(&arr);
    for (size_t i = 0; i < s->n_members; i++) {
        hash_member(&s->members[i], h);
        keccak256_update(&arr, h, 32);
    }
    keccak256_final(&arr, kh);
    keccak256_ctx k;
    keccak256_init(&k);
    word_type(&k, gov_eip712_type);
    keccak256_update(&k, block_struct_hash, 32);
    word_u64(&k, s->block.timestamp);
    word_address(&k, &s->contract);
    word_address(&k, &s->owner);
    keccak256_update(&k, mh, 32);
    keccak256_update(&k, kh, 32);
    keccak256_final(&k, out);
}
