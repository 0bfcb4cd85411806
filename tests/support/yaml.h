/* A small, bounded reader for the YAML subset used by the test-vector files.
 *
 * Supported: block mappings and block sequences (including a sequence at the same indent
 * as its parent key), flow sequences/mappings ([a, b], {k: v}, nested, spanning lines),
 * plain, 'single' and "double" quoted scalars (double quotes may span lines with a trailing
 * backslash or line folding), comments, a leading '---' and a trailing '...'.
 * Not supported (rejected with CD_ERR_BAD_YAML): anchors/aliases, tags, block scalars (| >),
 * multi-document streams, tabs used as indentation.
 *
 * Every node lives in the document's arena; yaml_free releases all of it. Hostile input
 * never crashes: nesting depth and total memory are bounded.
 */
#ifndef CANDOR_TESTS_YAML_H
#define CANDOR_TESTS_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/common.h"

typedef enum { YAML_NULL, YAML_SCALAR, YAML_SEQ, YAML_MAP } yaml_kind;

typedef struct yaml_node yaml_node;
struct yaml_node {
    yaml_kind kind;
    bool quoted;          /* scalar was quoted (so "null" is a string, not null) */
    const char *str;      /* scalar text, NUL-terminated (decoded escapes); "" otherwise */
    size_t len;           /* scalar length */
    const char *key;      /* for an entry of a mapping: its key; NULL otherwise */
    size_t count;         /* children of a sequence/mapping */
    yaml_node *first;     /* first child */
    yaml_node *next;      /* next sibling */
    yaml_node *last_;     /* (internal) last child, for appending */
};

typedef struct {
    cd_arena arena;
    yaml_node *root;
} yaml_doc;

/* Parses `len` bytes of text. On failure, `err` says which line and why. The document
 * must be freed with yaml_free in all cases (also after a failure). */
CD_MUST_CHECK cd_status yaml_parse(yaml_doc *doc, const char *text, size_t len, cd_error *err);
/* Reads a file (at most max_len bytes) and parses it. */
CD_MUST_CHECK cd_status yaml_parse_file(yaml_doc *doc, const char *path, size_t max_len,
                                        cd_error *err);
void yaml_free(yaml_doc *doc);

/* Value of `key` in a mapping, or NULL (also when `map` is not a mapping). */
const yaml_node *yaml_get(const yaml_node *map, const char *key);
/* i-th child of a sequence or mapping, or NULL. O(i). */
const yaml_node *yaml_at(const yaml_node *node, size_t i);
bool yaml_is_null(const yaml_node *node);

/* Scalar conversions; each fails with CD_ERR_BAD_YAML on a missing or malformed value. */
CD_MUST_CHECK cd_status yaml_u64(const yaml_node *node, uint64_t *out);
CD_MUST_CHECK cd_status yaml_bool(const yaml_node *node, bool *out);
/* 0x-hex scalar into buf (capacity cap), *out_len = bytes; CD_ERR_TOO_LARGE if it does not fit. */
CD_MUST_CHECK cd_status yaml_hex(const yaml_node *node, uint8_t *buf, size_t cap, size_t *out_len);
/* 0x-hex scalar of exactly n bytes. */
CD_MUST_CHECK cd_status yaml_hex_exact(const yaml_node *node, uint8_t *buf, size_t n);
/* 0x-hex scalar of any length, appended to out. */
CD_MUST_CHECK cd_status yaml_hex_buf(const yaml_node *node, cd_buf *out);
/* Converts a node to a json-c value: scalars become strings, null becomes JSON null,
 * sequences arrays and mappings objects. Returns NULL on allocation failure (a null node
 * gives a valid JSON null, which json-c also represents as NULL: check node kind first). */
struct json_object *yaml_to_json(const yaml_node *node, bool *ok);

/* Decimal scalar (any size) as little-endian bytes of width n (1..32), for uint128/uint256. */
CD_MUST_CHECK cd_status yaml_uint_le(const yaml_node *node, uint8_t *out, size_t n);

#endif
