/* libFuzzer target: strict RLP decoding of arbitrary bytes. Whatever validates must
 * re-encode to exactly the same bytes (canonical form is unique), and walking it with the
 * item API must stay in bounds (ASan checks the reads). */
#include <stdlib.h>
#include <string.h>

#include "rlp/rlp.h"

static void reencode(const rlp_item *it, cd_buf *out, int depth) {
    if (!it->is_list) {
        if (rlp_encode_bytes(out, it->payload.ptr, it->payload.len)) abort();
        return;
    }
    size_t mark = out->len;
    rlp_iter iter;
    if (rlp_iter_init(&iter, it)) abort();
    for (;;) {
        rlp_item child;
        bool have = false;
        if (rlp_iter_next(&iter, &child, &have)) abort(); /* validated: cannot fail */
        if (!have) break;
        reencode(&child, out, depth + 1);
        uint64_t u;
        cd_u256 w;
        cd_hash32 h;
        (void)rlp_item_u64(&child, &u);
        (void)rlp_item_u256(&child, &w);
        (void)rlp_item_hash(&child, &h);
    }
    if (rlp_wrap_list(out, mark)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cd_bytes in = cd_bytes_make(data, size);
    rlp_item it;
    size_t used = 0;
    (void)rlp_decode_prefix(in, &it, &used);
    if (rlp_validate(in) != CD_OK) return 0;
    if (rlp_decode(in, &it) != CD_OK) abort();
    cd_buf out = {0};
    reencode(&it, &out, 0);
    if (out.len != size || memcmp(out.data, data, size) != 0) abort(); /* not canonical after all */
    cd_buf_free(&out);
    return 0;
}
