/* The sealed store: LevelDB under --data-dir, every value encrypted with AES-256-GCM under
 * the TEE's sealing key.
 *
 * Record layout: version byte 0x01 ‖ 12-byte random nonce ‖ ciphertext ‖ 16-byte tag, with
 * the record name as associated data, so that a value moved to another name fails too.
 * A marker record, written when the store is created, proves on open that the store was
 * sealed under this key: a store written by another key, or tampered with, is refused with
 * CD_ERR_STORE_TAMPERED, never reset. (A rollback to an older, authentic copy of the whole
 * directory is not detectable here; the light client refuses to go back in slots.) */
#ifndef CANDOR_SVC_STORE_H
#define CANDOR_SVC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

#define SVC_SEALING_KEY_LEN 32
#define SVC_STORE_VALUE_MAX (16u * 1024 * 1024)

typedef struct svc_store svc_store;

/* Opens (creating if absent) the store in `dir`. The key is copied. */
CD_MUST_CHECK cd_status svc_store_open(svc_store **out, const char *dir,
                                       const uint8_t key[SVC_SEALING_KEY_LEN], cd_error *err);
void svc_store_close(svc_store *st);
/* Seals and writes `name` (synchronously, so a kill right after still finds it). */
CD_MUST_CHECK cd_status svc_store_put(svc_store *st, const char *name, const uint8_t *data,
                                      size_t len, cd_error *err);
/* Reads and unseals `name` into `out` (appended). CD_ERR_NOT_FOUND when absent,
 * CD_ERR_STORE_TAMPERED when it does not authenticate. */
CD_MUST_CHECK cd_status svc_store_get(svc_store *st, const char *name, cd_buf *out, cd_error *err);
CD_MUST_CHECK cd_status svc_store_delete(svc_store *st, const char *name, cd_error *err);

/* The sealing key comes from the TEE provider (attest/: att_sealing_key; the mock keeps it
 * in data-dir/sealing.key, mode 0600). */
/* mkdir -p with mode 0700 for the last component. */
CD_MUST_CHECK cd_status svc_make_dir(const char *dir, cd_error *err);

#endif
