/* libFuzzer target: G1/G2 point decompression and the key/signature validation built on it.
 *
 * The first byte picks the target (G1 or G2); the rest is the encoding (short inputs are
 * zero-padded, so flag handling on tiny inputs is reached quickly). Invariants checked:
 *  - decoding never crashes and returns a defined status;
 *  - a successfully decoded point is on its curve, and re-encoding it gives back the input
 *    bytes exactly (the encoding is canonical: one valid byte string per point);
 *  - KeyValidate agrees with decode + subgroup check + not-infinity.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bls12_381.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t buf[96] = {0};
    size_t n = size - 1 < sizeof buf ? size - 1 : sizeof buf;
    memcpy(buf, data + 1, n);
    if (data[0] & 1) {
        bls_g2_affine p;
        cd_status s = bls_g2_decompress(&p, buf);
        if (s == CD_OK) {
            if (!bls_g2_is_on_curve(&p)) abort();
            uint8_t back[96];
            bls_g2_compress(back, &p);
            if (memcmp(back, buf, 96) != 0) abort();
            (void)bls_g2_is_in_subgroup(&p);
        } else if (s != CD_ERR_BAD_POINT_ENCODING && s != CD_ERR_NOT_ON_CURVE) {
            abort();
        }
    } else {
        bls_g1_affine p;
        cd_status s = bls_g1_decompress(&p, buf);
        bls_pubkey pk;
        cd_status k = bls_pubkey_decompress(&pk, buf);
        if (s == CD_OK) {
            if (!bls_g1_is_on_curve(&p)) abort();
            uint8_t back[48];
            bls_g1_compress(back, &p);
            if (memcmp(back, buf, 48) != 0) abort();
            bool want_ok = !p.infinity && bls_g1_is_in_subgroup(&p);
            if ((k == CD_OK) != want_ok) abort();
        } else if (k != s) {
            abort();
        }
    }
    return 0;
}
