/* libFuzzer target for the JSON readers of mpt/, which the service feeds with upstream
 * answers: eth_getProof results (then verified against a fixed root), receipts (single and
 * a block's list, rebuilt into a root) and block headers (hashed). The first byte picks the
 * reader; the rest is the JSON text. What must hold: no crash, no leak, no read past the
 * input (ASan), whatever the upstream sends. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "mpt/mpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 1 << 20) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    cd_error err;
    cd_error_clear(&err);
    if (data[0] % 4 == 0) {
        mpt_account_proof p;
        if (mpt_account_proof_parse(text, len, &p, &err) == CD_OK) {
            bool exists = false;
            (void)mpt_account_proof_verify(&mpt_empty_trie_root, &p, &exists, &err);
            mpt_account_proof_free(&p);
        }
        return 0;
    }
    json_tokener *tok = json_tokener_new_ex(64);
    if (!tok) return 0;
    json_object *j = json_tokener_parse_ex(tok, text, (int)len);
    json_tokener_free(tok);
    if (!j) return 0;
    cd_buf out = {0};
    cd_hash32 h;
    switch (data[0] % 4) {
    case 1: (void)mpt_receipt_encode_json(j, &out, &err); break;
    case 2: (void)mpt_receipts_root_json(j, &h, &err); break;
    default: (void)mpt_header_hash_json(j, &h, &err); break;
    }
    cd_buf_free(&out);
    json_object_put(j);
    return 0;
}
