/* BLS signatures, minimal-pubkey-size variant with the proof-of-possession ciphersuite
 * BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_ (draft-irtf-cfrg-bls-signature-05 and the
 * Ethereum consensus spec).
 *
 * Verification of k (pubkey, message) pairs checks prod e(PK_i, H(m_i)) * e(-G1, sig) == 1
 * as one multi-pairing with a single final exponentiation.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/bls_internal.h"

static const uint8_t DST[] = BLS_DST_POP;
#define DST_LEN (sizeof DST - 1)

/* r, the group order, little-endian limbs. */
static const uint64_t R_ORDER[4] = {0xffffffff00000001ull, 0x53bda402fffe5bfeull,
                                    0x3339d80809a1d805ull, 0x73eda753299d7d48ull};

cd_status bls_pubkey_decompress(bls_pubkey *out, const uint8_t in[48]) {
    if (!out || !in) return CD_ERR_INVALID_ARG;
    bls_g1_affine p;
    cd_status s = bls_g1_decompress(&p, in);
    if (s != CD_OK) return s;
    if (p.infinity) return CD_ERR_INFINITY;
    if (!bls_g1_is_in_subgroup(&p)) return CD_ERR_NOT_IN_SUBGROUP;
    out->point = p;
    return CD_OK;
}

void bls_pubkey_compress(uint8_t out[48], const bls_pubkey *pk) { bls_g1_compress(out, &pk->point); }

/* signature_to_point + subgroup check. */
static cd_status sig_decode(bls_g2_affine *out, const uint8_t sig[96]) {
    if (!sig) return CD_ERR_INVALID_ARG;
    cd_status s = bls_g2_decompress(out, sig);
    if (s != CD_OK) return s;
    if (!bls_g2_is_in_subgroup(out)) return CD_ERR_NOT_IN_SUBGROUP;
    return CD_OK;
}

static void neg_g1_generator(bls_g1_affine *out) {
    bls_g1_generator(out);
    bls_fp_neg(&out->y, &out->y);
}

/* CoreVerify on an already validated (or aggregated) key P:
 * e(P, H(msg)) * e(-G1, sig) == 1. KeyValidate(PK) inside CoreVerify rejects an aggregate that
 * sums to infinity (e.g. PK and -PK together), which would otherwise accept the infinity
 * signature for any message; on-curve and subgroup hold for any sum of validated keys. */
/* Affine forms of a G1 and a G2 point with one field inversion (Montgomery's trick): with
 * n = N(Z_Q) (so 1/Z_Q = conj(Z_Q)/n), invert Z_P*n once. Public points only (verification);
 * either at infinity falls back to the separate conversions. */
static void to_affine_pair(bls_g1_affine *a, const bls_g1 *P, bls_g2_affine *b, const bls_g2 *Q) {
    if (bls_g1_is_infinity(P) || bls_g2_is_infinity(Q)) {
        bls_g1_to_affine(a, P);
        bls_g2_to_affine(b, Q);
        return;
    }
    bls_fp n, m, inv, zi, zi2, t;
    bls_fp2 qzi, qzi2, u;
    bls_fp2_norm(&n, &Q->Z);
    bls_fp_mul(&m, &P->Z, &n);
    bls_fp_inv(&inv, &m);
    bls_fp_mul(&zi, &inv, &n);   /* 1/Z_P */
    bls_fp_mul(&t, &inv, &P->Z); /* 1/n */
    bls_fp2_conj(&qzi, &Q->Z);
    bls_fp2_mul_fp(&qzi, &qzi, &t); /* 1/Z_Q */
    bls_fp_sqr(&zi2, &zi);
    bls_fp_mul(&a->x, &P->X, &zi2);
    bls_fp_mul(&zi2, &zi2, &zi);
    bls_fp_mul(&a->y, &P->Y, &zi2);
    a->infinity = false;
    bls_fp2_sqr(&qzi2, &qzi);
    bls_fp2_mul(&b->x, &Q->X, &qzi2);
    bls_fp2_mul(&u, &qzi2, &qzi);
    bls_fp2_mul(&b->y, &Q->Y, &u);
    b->infinity = false;
}

static cd_status core_verify_point(const bls_g1 *P, const uint8_t *msg, size_t msg_len,
                                   const bls_g2_affine *sig) {
    if (bls_g1_is_infinity(P)) return CD_ERR_INFINITY;
    bls_g2 h;
    cd_status s = bls_hash_to_g2(&h, msg, msg_len, DST, DST_LEN);
    if (s != CD_OK) return s;
    bls_g1_affine ps[2];
    bls_g2_affine qs[2];
    to_affine_pair(&ps[0], P, &qs[0], &h);
    neg_g1_generator(&ps[1]);
    qs[1] = *sig;
    bool one = false;
    s = bls_pairing_check(ps, qs, 2, &one);
    if (s != CD_OK) return s;
    return one ? CD_OK : CD_ERR_BAD_SIGNATURE;
}

cd_status bls_fast_aggregate_verify(const bls_pubkey *const *pks, size_t n, const uint8_t *msg,
                                    size_t msg_len, const uint8_t sig[96]) {
    if (n == 0) return CD_ERR_INVALID_ARG;
    if (!pks || (!msg && msg_len)) return CD_ERR_INVALID_ARG;
    bls_g2_affine S;
    cd_status s = sig_decode(&S, sig);
    if (s != CD_OK) return s;
    bls_g1 agg;
    bls_g1_from_affine(&agg, &pks[0]->point);
    for (size_t i = 1; i < n; i++) bls_g1_add_affine(&agg, &agg, &pks[i]->point);
    return core_verify_point(&agg, msg, msg_len, &S);
}

cd_status bls_eth_fast_aggregate_verify(const bls_pubkey *const *pks, size_t n, const uint8_t *msg,
                                        size_t msg_len, const uint8_t sig[96]) {
    if (n == 0) {
        if (!sig) return CD_ERR_INVALID_ARG;
        static const uint8_t inf[96] = {0xc0};
        return memcmp(sig, inf, 96) == 0 ? CD_OK : CD_ERR_BAD_SIGNATURE;
    }
    return bls_fast_aggregate_verify(pks, n, msg, msg_len, sig);
}

cd_status bls_fast_aggregate_verify_compressed(const uint8_t (*pks)[48], size_t n,
                                               const uint8_t *msg, size_t msg_len,
                                               const uint8_t sig[96]) {
    if (n == 0) return CD_ERR_INVALID_ARG;
    if (!pks || (!msg && msg_len)) return CD_ERR_INVALID_ARG;
    bls_g2_affine S;
    cd_status s = sig_decode(&S, sig);
    if (s != CD_OK) return s;
    bls_g1 agg;
    for (size_t i = 0; i < n; i++) {
        bls_pubkey pk;
        s = bls_pubkey_decompress(&pk, pks[i]);
        if (s != CD_OK) return s;
        if (i == 0) bls_g1_from_affine(&agg, &pk.point);
        else bls_g1_add_affine(&agg, &agg, &pk.point);
    }
    return core_verify_point(&agg, msg, msg_len, &S);
}

cd_status bls_verify(const uint8_t pk[48], const uint8_t *msg, size_t msg_len,
                     const uint8_t sig[96]) {
    if (!pk || (!msg && msg_len)) return CD_ERR_INVALID_ARG;
    bls_pubkey key;
    cd_status s = bls_pubkey_decompress(&key, pk);
    if (s != CD_OK) return s;
    bls_g2_affine S;
    s = sig_decode(&S, sig);
    if (s != CD_OK) return s;
    bls_g1 P;
    bls_g1_from_affine(&P, &key.point);
    return core_verify_point(&P, msg, msg_len, &S);
}

/* Multi-pairing over (pk_i, H(m_i)) and (-G1, sig), in chunks to bound stack use. */
cd_status bls_aggregate_verify(const uint8_t (*pks)[48], const cd_bytes *msgs, size_t n,
                               const uint8_t sig[96]) {
    if (n == 0 || !pks || !msgs) return CD_ERR_INVALID_ARG;
    bls_g2_affine S;
    cd_status s = sig_decode(&S, sig);
    if (s != CD_OK) return s;
    enum { CHUNK = 8 };
    bls_g1_affine ps[CHUNK];
    bls_g2_affine qs[CHUNK];
    bls_fp12 acc, f;
    bls_fp12_one(&acc);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bls_pubkey key;
        s = bls_pubkey_decompress(&key, pks[i]);
        if (s != CD_OK) return s;
        if (!msgs[i].ptr && msgs[i].len) return CD_ERR_INVALID_ARG;
        bls_g2 h;
        s = bls_hash_to_g2(&h, msgs[i].ptr, msgs[i].len, DST, DST_LEN);
        if (s != CD_OK) return s;
        ps[k] = key.point;
        bls_g2_to_affine(&qs[k], &h);
        if (++k == CHUNK) {
            bls_miller_loop(&f, ps, qs, k);
            bls_fp12_mul(&acc, &acc, &f);
            k = 0;
        }
    }
    neg_g1_generator(&ps[k]);
    qs[k] = S;
    bls_miller_loop(&f, ps, qs, k + 1);
    bls_fp12_mul(&acc, &acc, &f);
    bls_final_exp(&f, &acc);
    return bls_fp12_is_one(&f) ? CD_OK : CD_ERR_BAD_SIGNATURE;
}

cd_status bls_aggregate_signatures(const uint8_t (*sigs)[96], size_t n, uint8_t out[96]) {
    if (n == 0 || !sigs || !out) return CD_ERR_INVALID_ARG;
    bls_g2 acc;
    for (size_t i = 0; i < n; i++) {
        bls_g2_affine S;
        cd_status s = sig_decode(&S, sigs[i]);
        if (s != CD_OK) return s;
        if (i == 0) bls_g2_from_affine(&acc, &S);
        else bls_g2_add_affine(&acc, &acc, &S);
    }
    bls_g2_affine a;
    bls_g2_to_affine(&a, &acc);
    bls_g2_compress(out, &a);
    return CD_OK;
}

cd_status bls_eth_aggregate_pubkeys(const uint8_t (*pks)[48], size_t n, uint8_t out[48]) {
    if (n == 0 || !pks || !out) return CD_ERR_INVALID_ARG;
    bls_g1 acc;
    for (size_t i = 0; i < n; i++) {
        bls_pubkey key;
        cd_status s = bls_pubkey_decompress(&key, pks[i]);
        if (s != CD_OK) return s;
        if (i == 0) bls_g1_from_affine(&acc, &key.point);
        else bls_g1_add_affine(&acc, &acc, &key.point);
    }
    bls_g1_affine a;
    bls_g1_to_affine(&a, &acc);
    bls_g1_compress(out, &a);
    return CD_OK;
}

cd_status bls_batch_verify(const uint8_t (*pks)[48], const cd_bytes *msgs,
                           const uint8_t (*sigs)[96], size_t n) {
    if (n == 0 || !pks || !msgs || !sigs) return CD_ERR_INVALID_ARG;
    for (size_t i = 0; i < n; i++) {
        cd_status s = bls_verify(pks[i], msgs[i].ptr, msgs[i].len, sigs[i]);
        if (s != CD_OK) return s;
    }
    return CD_OK;
}

/* 1 <= sk < r, checked without branching on the secret's value. */
static cd_status sk_check(const uint8_t sk[32]) {
    uint64_t w[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) w[i] = (w[i] << 8) | sk[(3 - i) * 8 + j];
    uint64_t borrow = 0, nz = 0;
    for (int i = 0; i < 4; i++) {
        unsigned __int128 d = (unsigned __int128)w[i] - R_ORDER[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
        nz |= w[i];
    }
    uint64_t ok = borrow & (uint64_t)(nz != 0); /* sk < r and sk != 0 */
    cd_wipe(w, sizeof w);
    return ok ? CD_OK : CD_ERR_BAD_SCALAR;
}

cd_status bls_sk_to_pk(const uint8_t sk[32], uint8_t pk[48]) {
    if (!sk || !pk) return CD_ERR_INVALID_ARG;
    cd_status s = sk_check(sk);
    if (s != CD_OK) return s;
    bls_g1_affine g, a;
    bls_g1_generator(&g);
    bls_g1 P;
    bls_g1_mul_ct(&P, &g, sk);
    bls_g1_to_affine(&a, &P);
    bls_g1_compress(pk, &a);
    cd_wipe(&P, sizeof P);
    return CD_OK;
}

cd_status bls_sign(const uint8_t sk[32], const uint8_t *msg, size_t len, uint8_t sig[96]) {
    if (!sk || !sig || (!msg && len)) return CD_ERR_INVALID_ARG;
    cd_status s = sk_check(sk);
    if (s != CD_OK) return s;
    bls_g2 h, S;
    s = bls_hash_to_g2(&h, msg, len, DST, DST_LEN);
    if (s != CD_OK) return s;
    bls_g2_affine ha, a;
    bls_g2_to_affine(&ha, &h);
    bls_g2_mul_ct(&S, &ha, sk);
    bls_g2_to_affine(&a, &S);
    bls_g2_compress(sig, &a);
    cd_wipe(&S, sizeof S);
    return CD_OK;
}
