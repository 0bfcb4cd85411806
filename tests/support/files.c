#include "tests/support/files.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/ssz.h"

bool test_join_path(char *out, size_t cap, const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la + 1 + lb + 1 > cap) {
        if (cap) out[0] = 0;
        return false;
    }
    memmove(out, a, la);
    out[la] = '/';
    memcpy(out + la + 1, b, lb + 1);
    return true;
}

size_t test_list_dir(const char *dir, char ***out) {
    size_t n = 0;
    if (cd_list_dir(dir, out, &n) != CD_OK) return 0; /* a missing folder lists as empty */
    return n;
}

void test_list_free(char **names, size_t n) { cd_list_free(names, n); }

cd_status test_read_snappy(const char *path, cd_buf *out) {
    cd_buf raw = {0};
    /* Limits far above any official vector (the largest BeaconState is a few MiB). */
    cd_status st = cd_read_file(path, 64 << 20, &raw);
    if (st == CD_OK) st = ssz_snappy_uncompress(cd_buf_bytes(&raw), 512 << 20, out);
    cd_buf_free(&raw);
    return st;
}
