#include "src/store.h"

#include <errno.h>
#include <leveldb/c.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_VERSION 0x01
#define NONCE_LEN 12
#define TAG_LEN 16
#define MARKER_NAME "meta/marker"
#define MARKER_TEXT "candor sealed store v1"

struct svc_store {
    leveldb_t *db;
    leveldb_options_t *opts;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wopts;
    uint8_t key[SVC_SEALING_KEY_LEN];
};

/* AES-256-GCM in one direction. `encrypt` selects; on decrypt the tag is checked. */
CD_MUST_CHECK static cd_status gcm(bool encrypt, const uint8_t key[32], const uint8_t nonce[12],
                                   const char *aad, const uint8_t *in, size_t len, uint8_t *out,
                                   uint8_t tag[TAG_LEN]) {
    if (len > (size_t)INT32_MAX) return CD_ERR_TOO_LARGE;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c) return CD_ERR_NOMEM;
    cd_status st = CD_ERR_INTERNAL;
    int n = 0;
    if (encrypt ? EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) != 1
                : EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) != 1)
        goto done;
    if ((encrypt ? EVP_EncryptUpdate(c, NULL, &n, (const uint8_t *)aad, (int)strlen(aad))
                 : EVP_DecryptUpdate(c, NULL, &n, (const uint8_t *)aad, (int)strlen(aad))) != 1)
        goto done;
    if (len && (encrypt ? EVP_EncryptUpdate(c, out, &n, in, (int)len)
                        : EVP_DecryptUpdate(c, out, &n, in, (int)len)) != 1)
        goto done;
    if (encrypt) {
        if (EVP_EncryptFinal_ex(c, out + len, &n) != 1) goto done;
        if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1) goto done;
        st = CD_OK;
    } else {
        if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1) goto done;
        st = EVP_DecryptFinal_ex(c, out + len, &n) == 1 ? CD_OK : CD_ERR_STORE_TAMPERED;
    }
done:
    EVP_CIPHER_CTX_free(c);
    return st;
}

cd_status svc_make_dir(const char *dir, cd_error *err) {
    char path[1024];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) return cd_fail(err, CD_ERR_INVALID_ARG, "bad directory name");
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return cd_fail(err, CD_ERR_IO, "mkdir %s: %s", path, strerror(errno));
        path[i] = saved;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cd_fail(err, CD_ERR_IO, "%s is not a directory", dir);
    return CD_OK;
}

cd_status svc_store_put(svc_store *st, const char *name, const uint8_t *data, size_t len,
                        cd_error *err) {
    if (len > SVC_STORE_VALUE_MAX) return cd_fail(err, CD_ERR_TOO_LARGE, "store value %s too large", name);
    size_t rec_len = 1 + NONCE_LEN + len + TAG_LEN;
    uint8_t *rec = malloc(rec_len);
    if (!rec) return cd_fail(err, CD_ERR_NOMEM, "store put");
    rec[0] = RECORD_VERSION;
    if (RAND_bytes(rec + 1, NONCE_LEN) != 1) {
        free(rec);
        return cd_fail(err, CD_ERR_INTERNAL, "no randomness for a nonce");
    }
    cd_status s = gcm(true, st->key, rec + 1, name, data, len, rec + 1 + NONCE_LEN,
                      rec + 1 + NONCE_LEN + len);
    if (s != CD_OK) {
        free(rec);
        return cd_fail(err, s, "sealing %s failed", name);
    }
    char *dberr = NULL;
    leveldb_put(st->db, st->wopts, name, strlen(name), (const char *)rec, rec_len, &dberr);
    free(rec);
    if (dberr) {
        s = cd_fail(err, CD_ERR_STORE, "write %s: %s", name, dberr);
        leveldb_free(dberr);
        return s;
    }
    return CD_OK;
}

cd_status svc_store_get(svc_store *st, const char *name, cd_buf *out, cd_error *err) {
    char *dberr = NULL;
    size_t rec_len = 0;
    char *rec = leveldb_get(st->db, st->ropts, name, strlen(name), &rec_len, &dberr);
    if (dberr) {
        cd_status s = cd_fail(err, CD_ERR_STORE, "read %s: %s", name, dberr);
        leveldb_free(dberr);
        return s;
    }
    if (!rec) return cd_fail(err, CD_ERR_NOT_FOUND, "%s not in store", name);
    const uint8_t *r = (const uint8_t *)rec;
    cd_status s;
    if (rec_len < 1 + NONCE_LEN + TAG_LEN || r[0] != RECORD_VERSION ||
        rec_len - (1 + NONCE_LEN + TAG_LEN) > SVC_STORE_VALUE_MAX) {
        s = cd_fail(err, CD_ERR_STORE_TAMPERED, "%s: malformed sealed record", name);
        goto done;
    }
    size_t len = rec_len - (1 + NONCE_LEN + TAG_LEN);
    uint8_t tag[TAG_LEN];
    memcpy(tag, r + 1 + NONCE_LEN + len, TAG_LEN);
    if ((s = cd_buf_reserve(out, len + 16)) != CD_OK) goto done;
    s = gcm(false, st->key, r + 1, name, r + 1 + NONCE_LEN, len, out->data + out->len, tag);
    if (s != CD_OK) {
        cd_wipe(out->data + out->len, len);
        s = cd_fail(err, CD_ERR_STORE_TAMPERED,
                    "%s does not authenticate: store written by another sealing key or tampered with",
                    name);
        goto done;
    }
    out->len += len;
done:
    leveldb_free(rec);
    return s;
}

cd_status svc_store_delete(svc_store *st, const char *name, cd_error *err) {
    char *dberr = NULL;
    leveldb_delete(st->db, st->wopts, name, strlen(name), &dberr);
    if (dberr) {
        cd_status s = cd_fail(err, CD_ERR_STORE, "delete %s: %s", name, dberr);
        leveldb_free(dberr);
        return s;
    }
    return CD_OK;
}

/* A fresh store gets the marker; an existing one must already carry ours. A store that
 * has records but no marker was not made by us: refused rather than adopted. */
CD_MUST_CHECK static cd_status check_marker(svc_store *st, cd_error *err) {
    cd_buf m = {0};
    cd_status s = svc_store_get(st, MARKER_NAME, &m, err);
    if (s == CD_OK) {
        bool ok = m.len == strlen(MARKER_TEXT) && !memcmp(m.data, MARKER_TEXT, m.len);
        cd_buf_free(&m);
        return ok ? CD_OK : cd_fail(err, CD_ERR_STORE_TAMPERED, "store marker has unexpected content");
    }
    cd_buf_free(&m);
    if (s != CD_ERR_NOT_FOUND) {
        if (s == CD_ERR_STORE_TAMPERED)
            cd_fail(err, s, "store was sealed under another key or tampered with; refusing to "
                            "use or reset it (move the data directory away to start over)");
        return s;
    }
    leveldb_iterator_t *it = leveldb_create_iterator(st->db, st->ropts);
    leveldb_iter_seek_to_first(it);
    bool empty = !leveldb_iter_valid(it);
    leveldb_iter_destroy(it);
    if (!empty)
        return cd_fail(err, CD_ERR_STORE_TAMPERED, "store has records but no seal marker; refusing it");
    return svc_store_put(st, MARKER_NAME, (const uint8_t *)MARKER_TEXT, strlen(MARKER_TEXT), err);
}

cd_status svc_store_open(svc_store **out, const char *dir, const uint8_t key[SVC_SEALING_KEY_LEN],
                         cd_error *err) {
    *out = NULL;
    char path[1100];
    if (snprintf(path, sizeof path, "%s/store", dir) >= (int)sizeof path)
        return cd_fail(err, CD_ERR_INVALID_ARG, "data dir path too long");
    cd_status s = svc_make_dir(dir, err);
    if (s != CD_OK) return s;
    svc_store *st = calloc(1, sizeof *st);
    if (!st) return cd_fail(err, CD_ERR_NOMEM, "store");
    memcpy(st->key, key, SVC_SEALING_KEY_LEN);
    st->opts = leveldb_options_create();
    leveldb_options_set_create_if_missing(st->opts, 1);
    leveldb_options_set_paranoid_checks(st->opts, 1);
    st->ropts = leveldb_readoptions_create();
    leveldb_readoptions_set_verify_checksums(st->ropts, 1);
    st->wopts = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(st->wopts, 1);
    char *dberr = NULL;
    st->db = leveldb_open(st->opts, path, &dberr);
    if (dberr || !st->db) {
        s = cd_fail(err, CD_ERR_STORE, "open %s: %s", path, dberr ? dberr : "failed");
        leveldb_free(dberr);
        svc_store_close(st);
        return s;
    }
    if ((s = check_marker(st, err)) != CD_OK) {
        svc_store_close(st);
        return s;
    }
    *out = st;
    return CD_OK;
}

void svc_store_close(svc_store *st) {
    if (!st) return;
    if (st->db) leveldb_close(st->db);
    if (st->opts) leveldb_options_destroy(st->opts);
    if (st->ropts) leveldb_readoptions_destroy(st->ropts);
    if (st->wopts) leveldb_writeoptions_destroy(st->wopts);
    cd_wipe(st->key, sizeof st->key);
    free(st);
}
