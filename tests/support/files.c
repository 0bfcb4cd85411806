#include "tests/support/files.h"

#include <dirent.h>
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

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t test_list_dir(const char *dir, char ***out) {
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d) return 0;
    size_t n = 0, cap = 0;
    char **names = NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) break;
            names = grown;
        }
        names[n] = strdup(de->d_name);
        if (names[n]) n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, compare_names);
    *out = names;
    return n;
}

void test_list_free(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

cd_status test_read_snappy(const char *path, cd_buf *out) {
    cd_buf raw = {0};
    /* Limits far above any official vector (the largest BeaconState is a few MiB). */
    cd_status st = cd_read_file(path, 64 << 20, &raw);
    if (st == CD_OK) st = ssz_snappy_uncompress(cd_buf_bytes(&raw), 512 << 20, out);
    cd_buf_free(&raw);
    return st;
}
