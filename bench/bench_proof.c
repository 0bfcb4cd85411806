/* Account + storage proof verification (mainnet block 21925176, deposit contract with one
 * storage slot): microseconds per verification, next to the bare keccak256 cost of hashing
 * the same proof nodes (plus the two key hashes), measured alternately in the same run.
 * The ratio is verify / bare keccak: what parsing and walking add on top of hashing. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/keccak.h"
#include "mpt/mpt.h"
#include "tests/test.h"
#include "tests/support/bench.h"

#define RUNS 21
#define ITERS 2000

static double time_verify(const cd_hash32 *root, const mpt_account_proof *p) {
    double t0 = bench_thread_cpu_seconds();
    for (int i = 0; i < ITERS; i++) {
        bool exists;
        if (mpt_account_proof_verify(root, p, &exists, NULL) != CD_OK) return -1;
    }
    return (bench_thread_cpu_seconds() - t0) / ITERS;
}

/* What verification cannot avoid: one keccak per node, plus keccak(address) and
 * keccak(slot) for the secure-trie paths. */
static double time_bare_keccak(const mpt_account_proof *p, uint8_t *sink) {
    uint8_t h[32];
    double t0 = bench_thread_cpu_seconds();
    for (int i = 0; i < ITERS; i++) {
        keccak256(p->address.b, 20, h);
        sink[0] ^= h[0];
        for (size_t n = 0; n < p->account_proof_len; n++) {
            keccak256(p->account_proof[n].ptr, p->account_proof[n].len, h);
            sink[0] ^= h[0];
        }
        for (size_t s = 0; s < p->storage_len; s++) {
            keccak256(p->storage[s].key.b, 32, h);
            sink[0] ^= h[0];
            for (size_t n = 0; n < p->storage[s].proof_len; n++) {
                keccak256(p->storage[s].proof[n].ptr, p->storage[s].proof[n].len, h);
                sink[0] ^= h[0];
            }
        }
    }
    return (bench_thread_cpu_seconds() - t0) / ITERS;
}

int main(void) {
    char path[512];
    test_data_path(path, sizeof path, "el-mainnet-block-21925176-helios/rpc/proof.json");
    cd_buf text = {0};
    if (cd_read_file(path, 1u << 22, &text) != CD_OK) {
        printf("proof_verify: skipped (%s missing)\n", path);
        cd_buf_free(&text);
        return 0;
    }
    mpt_account_proof p;
    cd_error err;
    cd_error_clear(&err);
    if (mpt_account_proof_parse((const char *)text.data, text.len, &p, &err) != CD_OK) {
        fprintf(stderr, "bench_proof: %s\n", cd_error_text(&err));
        cd_buf_free(&text);
        return 1;
    }
    cd_buf_free(&text);
    cd_hash32 root;
    if (cd_hex_decode_exact("0x7b3d5a01f69b7d2ea7479fd7ae35f4bac2700ab6d6d7b4807a7fedf53ced710e", root.b, 32)) return 1;
    size_t nodes = p.account_proof_len, bytes = 0;
    for (size_t n = 0; n < p.account_proof_len; n++) bytes += p.account_proof[n].len;
    for (size_t s = 0; s < p.storage_len; s++) {
        nodes += p.storage[s].proof_len;
        for (size_t n = 0; n < p.storage[s].proof_len; n++) bytes += p.storage[s].proof[n].len;
    }
    double v[RUNS], k[RUNS], ratio[RUNS];
    uint8_t sink[1] = {0};
    for (int r = 0; r < RUNS; r++) {
        v[r] = time_verify(&root, &p);
        k[r] = time_bare_keccak(&p, sink);
        if (v[r] < 0) {
            fprintf(stderr, "bench_proof: proof does not verify\n");
            return 1;
        }
        ratio[r] = v[r] / k[r];
    }
    printf("%-16s %8.2f us/proof  ratio %.2fx  (reference: bare keccak256 of its %zu nodes, %zu bytes, + 2 key "
           "hashes: %.2f us; median of %d)\n",
           "proof_verify", bench_median(v, RUNS) * 1e6, bench_median(ratio, RUNS), nodes, bytes, bench_median(k, RUNS) * 1e6, RUNS);
    mpt_account_proof_free(&p);
    return sink[0] == 0x5a ? 0 : 0;
}
