#include <ftw.h>
#include <leveldb/c.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/store.h"
#include "tests/test.h"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}
static void rm_rf(const char *dir) { nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

/* Writes raw bytes under `name`, bypassing the sealing (what an attacker with disk access does). */
static void raw_put(const char *dir, const char *name, const void *val, size_t len) {
    char path[512];
    snprintf(path, sizeof path, "%s/store", dir);
    leveldb_options_t *o = leveldb_options_create();
    leveldb_options_set_create_if_missing(o, 1);
    char *e = NULL;
    leveldb_t *db = leveldb_open(o, path, &e);
    if (db) {
        leveldb_writeoptions_t *w = leveldb_writeoptions_create();
        leveldb_put(db, w, name, strlen(name), val, len, &e);
        leveldb_writeoptions_destroy(w);
        leveldb_close(db);
    }
    leveldb_free(e);
    leveldb_options_destroy(o);
}

static char *raw_get(const char *dir, const char *name, size_t *len) {
    char path[512];
    snprintf(path, sizeof path, "%s/store", dir);
    leveldb_options_t *o = leveldb_options_create();
    char *e = NULL, *v = NULL;
    leveldb_t *db = leveldb_open(o, path, &e);
    if (db) {
        leveldb_readoptions_t *r = leveldb_readoptions_create();
        v = leveldb_get(db, r, name, strlen(name), len, &e);
        leveldb_readoptions_destroy(r);
        leveldb_close(db);
    }
    leveldb_free(e);
    leveldb_options_destroy(o);
    return v;
}

static void test_roundtrip_and_keys(test_ctx *t) {
    char dir[] = "/tmp/candor-store-XXXXXX";
    CHECK(t, mkdtemp(dir) != NULL);
    uint8_t ka[32], kb[32];
    memset(ka, 0xa1, 32);
    memset(kb, 0xb2, 32);
    cd_error e;
    svc_store *st = NULL;
    CHECK_OK(t, svc_store_open(&st, dir, ka, &e));
    if (!st) return;
    CHECK_OK(t, svc_store_put(st, "lc/store", (const uint8_t *)"hello", 5, &e));
    CHECK_OK(t, svc_store_put(st, "empty", (const uint8_t *)"", 0, &e));
    cd_buf b = {0};
    CHECK_OK(t, svc_store_get(st, "lc/store", &b, &e));
    CHECK_EQ_BYTES(t, b.data, b.len, "hello", 5);
    b.len = 0;
    CHECK_OK(t, svc_store_get(st, "empty", &b, &e));
    CHECK_EQ_INT(t, b.len, 0);
    CHECK_ERR(t, svc_store_get(st, "missing", &b, &e), CD_ERR_NOT_FOUND);
    svc_store_close(st);

    /* The value on disk is not the plaintext. */
    size_t rl = 0;
    char *raw = raw_get(dir, "lc/store", &rl);
    CHECK(t, raw && rl == 1 + 12 + 5 + 16 && !memmem(raw, rl, "hello", 5));

    /* Another key: refused on open, and the store is left as it was. */
    st = NULL;
    CHECK_ERR(t, svc_store_open(&st, dir, kb, &e), CD_ERR_STORE_TAMPERED);
    CHECK(t, st == NULL);
    CHECK_OK(t, svc_store_open(&st, dir, ka, &e));
    b.len = 0;
    if (st) CHECK_OK(t, svc_store_get(st, "lc/store", &b, &e));
    svc_store_close(st);

    /* Flip one ciphertext byte. */
    if (raw) {
        raw[14] ^= 1;
        raw_put(dir, "lc/store", raw, rl);
        raw[14] ^= 1;
    }
    st = NULL;
    CHECK_OK(t, svc_store_open(&st, dir, ka, &e));
    b.len = 0;
    if (st) CHECK_ERR(t, svc_store_get(st, "lc/store", &b, &e), CD_ERR_STORE_TAMPERED);
    svc_store_close(st);

    /* An authentic record moved under another name does not authenticate there. */
    if (raw) raw_put(dir, "signer/key", raw, rl);
    CHECK_OK(t, svc_store_open(&st, dir, ka, &e));
    b.len = 0;
    if (st) CHECK_ERR(t, svc_store_get(st, "signer/key", &b, &e), CD_ERR_STORE_TAMPERED);
    /* Truncated record. */
    raw_put(dir, "x", "\x01\x02", 2);
    if (st) svc_store_close(st);
    raw_put(dir, "x", "\x01\x02", 2);
    CHECK_OK(t, svc_store_open(&st, dir, ka, &e));
    b.len = 0;
    if (st) CHECK_ERR(t, svc_store_get(st, "x", &b, &e), CD_ERR_STORE_TAMPERED);
    svc_store_close(st);
    leveldb_free(raw);
    cd_buf_free(&b);
    rm_rf(dir);
}

static void test_foreign_store_refused(test_ctx *t) {
    char dir[] = "/tmp/candor-store-XXXXXX";
    CHECK(t, mkdtemp(dir) != NULL);
    raw_put(dir, "something", "abc", 3); /* a LevelDB that is not ours */
    uint8_t k[32] = {1};
    svc_store *st = NULL;
    cd_error e;
    CHECK_ERR(t, svc_store_open(&st, dir, k, &e), CD_ERR_STORE_TAMPERED);
    rm_rf(dir);
}

int main(void) {
    test_ctx t;
    test_init(&t, "test_store");
    TEST_RUN(&t, test_roundtrip_and_keys);
    TEST_RUN(&t, test_foreign_store_refused);
    return test_finish(&t);
}
