/* Private to mpt/: reading 0x-hex fields out of json-c objects, with precise errors. */
#ifndef CANDOR_MPT_JSON_H
#define CANDOR_MPT_JSON_H

#include <json-c/json.h>

#include "common/common.h"

/* The string value of `name` (NULL if absent or not a string). */
const char *mptj_str(const json_object *obj, const char *name);
/* Required fields; on failure record "<what>: field <name> ..." in err. */
cd_status mptj_hash(const json_object *obj, const char *name, cd_hash32 *out, cd_error *err);
cd_status mptj_address(const json_object *obj, const char *name, cd_address *out, cd_error *err);
cd_status mptj_u64(const json_object *obj, const char *name, uint64_t *out, cd_error *err);
cd_status mptj_u256(const json_object *obj, const char *name, cd_u256 *out, cd_error *err);
/* Hex bytes of any length up to `max` into a buffer (appended). */
cd_status mptj_bytes(const json_object *obj, const char *name, size_t max, cd_buf *out, cd_error *err);
/* Exactly n bytes. */
cd_status mptj_fixed(const json_object *obj, const char *name, uint8_t *out, size_t n, cd_error *err);

#endif
