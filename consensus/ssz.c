/* SSZ type descriptors, validation and hash_tree_root over serialized bytes. See ssz.h. */
/* Merkle hashing is millions of 64-byte SHA-256 calls. OpenSSL 3's one-shot SHA256() goes
 * through an EVP fetch per call (~1.1 us here); the low-level context API costs ~0.3 us.
 * That API is only marked deprecated in 3.0, so ask for the 1.1.0 API level here. */
#define OPENSSL_API_COMPAT 0x10100000L
#include "consensus/ssz.h"

#include <inttypes.h>
#include <openssl/sha.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SSZ_OFFSET_SIZE 4
/* Serialized values are addressed with 32-bit offsets. */
#define SSZ_MAX_SERIALIZED 0xffffffffu

/* ---- hashing --------------------------------------------------------------------- */

void ssz_sha256(uint8_t out[32], const uint8_t *data, size_t len) {
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, data, len);
    SHA256_Final(out, &c);
}

void ssz_hash_pair(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, a, 32);
    SHA256_Update(&c, b, 32);
    SHA256_Final(out, &c); /* out may alias a or b: both were consumed above */
}

/* ---- schema and builders ------------------------------------------------------------ */

cd_status ssz_schema_init(ssz_schema *s) {
    cd_arena_init(&s->arena, 8192, 0);
    memset(s->zero[0], 0, 32);
    for (int d = 1; d <= SSZ_MAX_DEPTH; d++) ssz_hash_pair(s->zero[d], s->zero[d - 1], s->zero[d - 1]);
    return CD_OK;
}

void ssz_schema_free(ssz_schema *s) { cd_arena_free(&s->arena); }

static ssz_type *new_type(ssz_schema *s, ssz_kind kind) {
    ssz_type *t = cd_arena_alloc(&s->arena, sizeof *t);
    if (!t) return NULL;
    t->kind = kind;
    t->zero = (const uint8_t(*)[32])s->zero;
    return t;
}

const ssz_type *ssz_t_uint(ssz_schema *s, size_t bytes) {
    if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8 && bytes != 16 && bytes != 32) return NULL;
    ssz_type *t = new_type(s, SSZ_UINT);
    if (!t) return NULL;
    t->n = bytes;
    t->size = bytes;
    return t;
}

const ssz_type *ssz_t_bool(ssz_schema *s) {
    ssz_type *t = new_type(s, SSZ_BOOL);
    if (!t) return NULL;
    t->n = 1;
    t->size = 1;
    return t;
}

const ssz_type *ssz_t_vector(ssz_schema *s, const ssz_type *elem, uint64_t n) {
    if (!elem || n == 0) return NULL;
    ssz_type *t = new_type(s, SSZ_VECTOR);
    if (!t) return NULL;
    t->n = n;
    t->elem = elem;
    t->variable = elem->variable;
    if (!elem->variable) {
        if (elem->size && n > SSZ_MAX_SERIALIZED / elem->size) return NULL;
        t->size = n * elem->size;
    }
    return t;
}

const ssz_type *ssz_t_list(ssz_schema *s, const ssz_type *elem, uint64_t limit) {
    if (!elem) return NULL;
    ssz_type *t = new_type(s, SSZ_LIST);
    if (!t) return NULL;
    t->n = limit;
    t->elem = elem;
    t->variable = true;
    return t;
}

const ssz_type *ssz_t_bitvector(ssz_schema *s, uint64_t bits) {
    if (bits == 0 || bits > (uint64_t)SSZ_MAX_SERIALIZED * 8) return NULL;
    ssz_type *t = new_type(s, SSZ_BITVECTOR);
    if (!t) return NULL;
    t->n = bits;
    t->size = (bits + 7) / 8;
    return t;
}

const ssz_type *ssz_t_bitlist(ssz_schema *s, uint64_t limit) {
    ssz_type *t = new_type(s, SSZ_BITLIST);
    if (!t) return NULL;
    t->n = limit;
    t->variable = true;
    return t;
}

const ssz_type *ssz_t_bytes(ssz_schema *s, uint64_t n) { return ssz_t_vector(s, ssz_t_uint(s, 1), n); }
const ssz_type *ssz_t_bytelist(ssz_schema *s, uint64_t limit) {
    return ssz_t_list(s, ssz_t_uint(s, 1), limit);
}

static const char *arena_strdup(ssz_schema *s, const char *str) {
    size_t n = strlen(str) + 1;
    char *p = cd_arena_alloc(&s->arena, n);
    if (p) memcpy(p, str, n);
    return p;
}

const ssz_type *ssz_t_container_a(ssz_schema *s, const char *name, size_t nfields,
                                  const ssz_field_def *fields) {
    if (nfields == 0 || !fields) return NULL;
    ssz_field_def *copy = cd_arena_alloc(&s->arena, nfields * sizeof *copy);
    ssz_type *t = new_type(s, SSZ_CONTAINER);
    if (!copy || !t) return NULL;
    uint64_t fixed = 0;
    bool variable = false;
    for (size_t i = 0; i < nfields; i++) {
        if (!fields[i].type || !fields[i].name) return NULL;
        copy[i] = fields[i];
        copy[i].name = arena_strdup(s, fields[i].name); /* callers may pass temporary strings */
        if (!copy[i].name) return NULL;
        uint64_t add = fields[i].type->variable ? SSZ_OFFSET_SIZE : fields[i].type->size;
        if (fields[i].type->variable) variable = true;
        if (add > SSZ_MAX_SERIALIZED - fixed) return NULL;
        fixed += add;
    }
    t->name = name ? arena_strdup(s, name) : NULL;
    if (name && !t->name) return NULL;
    t->fields = copy;
    t->nfields = nfields;
    t->variable = variable;
    t->fixed_part = fixed;
    t->size = variable ? 0 : fixed;
    return t;
}

const ssz_type *ssz_t_container(ssz_schema *s, const char *name, size_t nfields, ...) {
    ssz_field_def defs[64];
    if (nfields == 0 || nfields > CD_ARRAY_LEN(defs)) return NULL;
    va_list ap;
    va_start(ap, nfields);
    for (size_t i = 0; i < nfields; i++) {
        defs[i].name = va_arg(ap, const char *);
        defs[i].type = va_arg(ap, const ssz_type *);
    }
    va_end(ap);
    return ssz_t_container_a(s, name, nfields, defs);
}

/* ---- structure: offsets and spans ------------------------------------------------------ */

static uint32_t read_offset(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Byte spans of each container field. Checks the offsets: the first must point exactly
 * at the end of the fixed part, each next one at or after the previous, all within data. */
static cd_status container_spans(const ssz_type *t, const uint8_t *p, size_t len, size_t *start,
                                 size_t *flen, cd_error *err) {
    if (t->variable ? len < t->fixed_part : len != t->fixed_part)
        return cd_fail(err, CD_ERR_SSZ_BAD_LENGTH, "%s: %zu bytes, expected %s%" PRIu64,
                       t->name ? t->name : "container", len, t->variable ? "at least " : "",
                       t->fixed_part);
    size_t pos = 0;
    long prev_var = -1;
    for (size_t i = 0; i < t->nfields; i++) {
        const ssz_type *ft = t->fields[i].type;
        if (!ft->variable) {
            start[i] = pos;
            flen[i] = (size_t)ft->size;
            pos += (size_t)ft->size;
            continue;
        }
        uint32_t off = read_offset(p + pos);
        pos += SSZ_OFFSET_SIZE;
        if (prev_var < 0) {
            if (off != t->fixed_part)
                return cd_fail(err, CD_ERR_SSZ_BAD_OFFSET,
                               "%s.%s: first offset %u, expected %" PRIu64, t->name ? t->name : "container",
                               t->fields[i].name, off, t->fixed_part);
        } else if (off < start[prev_var]) {
            return cd_fail(err, CD_ERR_SSZ_BAD_OFFSET, "%s.%s: offset %u goes backwards",
                           t->name ? t->name : "container", t->fields[i].name, off);
        }
        if (off > len)
            return cd_fail(err, CD_ERR_SSZ_BAD_OFFSET, "%s.%s: offset %u beyond %zu bytes",
                           t->name ? t->name : "container", t->fields[i].name, off, len);
        if (prev_var >= 0) flen[prev_var] = off - start[prev_var];
        start[i] = off;
        prev_var = (long)i;
    }
    if (prev_var >= 0) flen[prev_var] = len - start[prev_var];
    return CD_OK;
}

/* Number of elements of a list/vector with variable-size elements, from its first offset. */
static cd_status var_elements_count(const ssz_type *t, const uint8_t *p, size_t len, uint64_t *count,
                                    cd_error *err) {
    if (len == 0) {
        if (t->kind == SSZ_VECTOR) return cd_fail(err, CD_ERR_SSZ_BAD_LENGTH, "vector: empty data");
        *count = 0;
        return CD_OK;
    }
    if (len < SSZ_OFFSET_SIZE) return cd_fail(err, CD_ERR_SSZ_BAD_OFFSET, "offset table truncated");
    uint32_t first = read_offset(p);
    if (first % SSZ_OFFSET_SIZE || first == 0 || first > len)
        return cd_fail(err, CD_ERR_SSZ_BAD_OFFSET, "first offset %u invalid for %zu bytes", first, len);
    uint64_t n = first / SSZ_OFFSET_SIZE;
    if (t->kind == SSZ_VECTOR && n != t->n)
        return cd_fail(err, CD_ERR_SSZ_BAD_OFFSET, "vector: %" PRIu64 " elements, expected %" PRIu64, n, t->n);
    if (t->kind == SSZ_LIST && n > t->n)
        return cd_fail(err, CD_ERR_SSZ_LIST_LIMIT, "list: %" PRIu64 " elements, limit %" PRIu64, n, t->n);
    *count = n;
    return CD_OK;
}

/* Span of element i of a variable-element sequence whose offsets were validated. */
static void var_element_span(const uint8_t *p, size_t len, uint64_t count, uint64_t i, size_t *start,
                             size_t *elen) {
    size_t a = read_offset(p + i * SSZ_OFFSET_SIZE);
    size_t b = i + 1 < count ? read_offset(p + (i + 1) * SSZ_OFFSET_SIZE) : len;
    *start = a;
    *elen = b - a;
}

/* ---- validation ------------------------------------------------------------------------ */

static cd_status validate(const ssz_type *t, const uint8_t *p, size_t len, cd_error *err);

static cd_status validate_bits(const ssz_type *t, const uint8_t *p, size_t len, cd_error *err) {
    if (t->kind == SSZ_BITVECTOR) {
        if (len != t->size)
            return cd_fail(err, CD_ERR_SSZ_BAD_LENGTH, "bitvector[%" PRIu64 "]: %zu bytes, expected %" PRIu64,
                           t->n, len, t->size);
        unsigned used = (unsigned)(t->n % 8);
        if (used && (p[len - 1] >> used))
            return cd_fail(err, CD_ERR_SSZ_BAD_BITVECTOR, "bitvector[%" PRIu64 "]: padding bits set", t->n);
        return CD_OK;
    }
    if (len == 0) return cd_fail(err, CD_ERR_SSZ_BAD_BITLIST, "bitlist: empty (no delimiter bit)");
    uint8_t last = p[len - 1];
    if (last == 0) return cd_fail(err, CD_ERR_SSZ_BAD_BITLIST, "bitlist: last byte has no delimiter bit");
    unsigned msb = 7;
    while (!(last >> msb)) msb--;
    uint64_t bits = (uint64_t)(len - 1) * 8 + msb;
    if (bits > t->n)
        return cd_fail(err, CD_ERR_SSZ_LIST_LIMIT, "bitlist: %" PRIu64 " bits, limit %" PRIu64, bits, t->n);
    return CD_OK;
}

static cd_status validate_sequence(const ssz_type *t, const uint8_t *p, size_t len, cd_error *err) {
    const ssz_type *e = t->elem;
    if (!e->variable) {
        if (t->kind == SSZ_VECTOR) {
            if (len != t->size)
                return cd_fail(err, CD_ERR_SSZ_BAD_LENGTH, "vector[%" PRIu64 "]: %zu bytes, expected %" PRIu64,
                               t->n, len, t->size);
        } else {
            if (e->size == 0 || len % e->size)
                return cd_fail(err, CD_ERR_SSZ_BAD_LENGTH, "list: %zu bytes is not a multiple of %" PRIu64,
                               len, e->size);
            if (len / e->size > t->n)
                return cd_fail(err, CD_ERR_SSZ_LIST_LIMIT, "list: %zu elements, limit %" PRIu64,
                               (size_t)(len / e->size), t->n);
        }
        /* Only booleans and nested composites can be invalid inside a fixed-size element. */
        if (e->kind == SSZ_UINT) return CD_OK;
        size_t n = (size_t)(len / e->size);
        for (size_t i = 0; i < n; i++) {
            cd_status st = validate(e, p + i * e->size, (size_t)e->size, err);
            if (st != CD_OK) {
                cd_error_prefix(err, "[%zu]: ", i);
                return st;
            }
        }
        return CD_OK;
    }
    uint64_t count;
    cd_status st = var_elements_count(t, p, len, &count, err);
    if (st != CD_OK) return st;
    size_t prev = (size_t)(count * SSZ_OFFSET_SIZE);
    for (uint64_t i = 0; i < count; i++) {
        size_t off = read_offset(p + i * SSZ_OFFSET_SIZE);
        if (off < prev || off > len)
            return cd_fail(err, CD_ERR_SSZ_BAD_OFFSET, "element %" PRIu64 ": offset %zu out of order/range", i, off);
        prev = off;
    }
    for (uint64_t i = 0; i < count; i++) {
        size_t s, l;
        var_element_span(p, len, count, i, &s, &l);
        st = validate(e, p + s, l, err);
        if (st != CD_OK) {
            cd_error_prefix(err, "[%" PRIu64 "]: ", i);
            return st;
        }
    }
    return CD_OK;
}

static cd_status validate(const ssz_type *t, const uint8_t *p, size_t len, cd_error *err) {
    switch (t->kind) {
    case SSZ_UINT:
        if (len != t->size)
            return cd_fail(err, CD_ERR_SSZ_BAD_LENGTH, "uint%u: %zu bytes", (unsigned)(t->size * 8), len);
        return CD_OK;
    case SSZ_BOOL:
        if (len != 1) return cd_fail(err, CD_ERR_SSZ_BAD_LENGTH, "bool: %zu bytes", len);
        if (p[0] > 1) return cd_fail(err, CD_ERR_SSZ_BAD_BOOL, "bool: byte 0x%02x", p[0]);
        return CD_OK;
    case SSZ_BITVECTOR:
    case SSZ_BITLIST: return validate_bits(t, p, len, err);
    case SSZ_VECTOR:
    case SSZ_LIST: return validate_sequence(t, p, len, err);
    case SSZ_CONTAINER: {
        size_t start[64], flen[64];
        size_t *sp = start, *lp = flen, *heap = NULL;
        if (t->nfields > 64) {
            heap = malloc(2 * t->nfields * sizeof(size_t));
            if (!heap) return cd_fail(err, CD_ERR_NOMEM, "out of memory");
            sp = heap;
            lp = heap + t->nfields;
        }
        cd_status st = container_spans(t, p, len, sp, lp, err);
        for (size_t i = 0; st == CD_OK && i < t->nfields; i++) {
            st = validate(t->fields[i].type, p + sp[i], lp[i], err);
            if (st != CD_OK) cd_error_prefix(err, "%s: ", t->fields[i].name);
        }
        free(heap);
        return st;
    }
    }
    return cd_fail(err, CD_ERR_INTERNAL, "unknown SSZ kind");
}

cd_status ssz_validate(const ssz_type *t, cd_bytes data, cd_error *err) {
    if (!t) return cd_fail(err, CD_ERR_INVALID_ARG, "SSZ: no type");
    if (data.len > SSZ_MAX_SERIALIZED) return cd_fail(err, CD_ERR_TOO_LARGE, "SSZ: value over 4 GiB");
    if (!data.ptr && data.len) return cd_fail(err, CD_ERR_INVALID_ARG, "SSZ: no data");
    static const uint8_t empty[1] = {0};
    return validate(t, data.ptr ? data.ptr : empty, data.len, err);
}

/* ---- hash_tree_root ------------------------------------------------------------------- */

static unsigned ceil_log2(uint64_t x) {
    unsigned d = 0;
    while (d < 64 && ((uint64_t)1 << d) < x) d++;
    return d;
}

/* Merkleizes `count` chunks in buf (overwritten) padded to `limit` chunks. */
static void merkleize(const ssz_type *t, uint8_t *buf, uint64_t count, uint64_t limit, uint8_t out[32]) {
    unsigned depth = ceil_log2(limit ? limit : 1);
    if (count == 0) {
        memcpy(out, t->zero[depth], 32);
        return;
    }
    for (unsigned level = 0; level < depth; level++) {
        uint64_t pairs = (count + 1) / 2;
        for (uint64_t i = 0; i < pairs; i++) {
            const uint8_t *l = buf + 64 * i;
            const uint8_t *r = 2 * i + 1 < count ? buf + 64 * i + 32 : t->zero[level];
            ssz_hash_pair(buf + 32 * i, l, r);
        }
        count = pairs;
    }
    memcpy(out, buf, 32);
}

static void mix_in_length(uint8_t root[32], uint64_t length) {
    uint8_t len_chunk[32] = {0};
    ssz_write_u64(len_chunk, length);
    ssz_hash_pair(root, root, len_chunk);
}

/* Packs bytes into zero-padded chunks and merkleizes them. */
static cd_status merkleize_bytes(const ssz_type *t, const uint8_t *p, size_t len, uint64_t limit_chunks,
                                 uint8_t out[32]) {
    uint64_t chunks = (len + 31) / 32;
    uint8_t stackbuf[32 * 64];
    uint8_t *buf = chunks <= 64 ? stackbuf : malloc(chunks * 32);
    if (!buf) return CD_ERR_NOMEM;
    if (len) memcpy(buf, p, len);
    memset(buf + len, 0, chunks * 32 - len);
    merkleize(t, buf, chunks, limit_chunks, out);
    if (buf != stackbuf) free(buf);
    return CD_OK;
}

static cd_status htr(const ssz_type *t, const uint8_t *p, size_t len, uint8_t out[32]);

static bool is_basic(const ssz_type *t) { return t->kind == SSZ_UINT || t->kind == SSZ_BOOL; }

static cd_status htr_sequence(const ssz_type *t, const uint8_t *p, size_t len, uint8_t out[32]) {
    const ssz_type *e = t->elem;
    uint64_t count;
    if (is_basic(e)) {
        count = len / e->size;
        uint64_t per_chunk = 32 / e->size; /* element sizes divide 32 */
        uint64_t limit_chunks = t->n / per_chunk + (t->n % per_chunk != 0);
        cd_status st = merkleize_bytes(t, p, len, limit_chunks, out);
        if (st != CD_OK) return st;
        if (t->kind == SSZ_LIST) mix_in_length(out, count);
        return CD_OK;
    }
    if (!e->variable) count = len / e->size;
    else if (var_elements_count(t, p, len, &count, NULL) != CD_OK) return CD_ERR_INVALID_ARG;
    uint8_t stackbuf[32 * 64];
    uint8_t *buf = count <= 64 ? stackbuf : malloc(count * 32);
    if (!buf) return CD_ERR_NOMEM;
    cd_status st = CD_OK;
    for (uint64_t i = 0; i < count && st == CD_OK; i++) {
        size_t s, l;
        if (e->variable) var_element_span(p, len, count, i, &s, &l);
        else s = (size_t)(i * e->size), l = (size_t)e->size;
        st = htr(e, p + s, l, buf + 32 * i);
    }
    if (st == CD_OK) {
        merkleize(t, buf, count, t->n, out);
        if (t->kind == SSZ_LIST) mix_in_length(out, count);
    }
    if (buf != stackbuf) free(buf);
    return st;
}

static cd_status htr_bitlist(const ssz_type *t, const uint8_t *p, size_t len, uint8_t out[32]) {
    uint8_t last = p[len - 1];
    unsigned msb = 7;
    while (!(last >> msb)) msb--;
    uint64_t bits = (uint64_t)(len - 1) * 8 + msb;
    size_t nbytes = (size_t)((bits + 7) / 8);
    uint8_t stackbuf[256];
    uint8_t *copy = nbytes <= sizeof stackbuf ? stackbuf : malloc(nbytes ? nbytes : 1);
    if (!copy) return CD_ERR_NOMEM;
    memcpy(copy, p, nbytes);
    if (nbytes == len) copy[len - 1] &= (uint8_t)~(1u << msb); /* drop the delimiter bit */
    cd_status st = merkleize_bytes(t, copy, nbytes, (t->n + 255) / 256, out);
    if (copy != stackbuf) free(copy);
    if (st == CD_OK) mix_in_length(out, bits);
    return st;
}

static cd_status htr_container(const ssz_type *t, const uint8_t *p, size_t len, size_t nfields,
                               uint8_t out[32]) {
    size_t start[64], flen[64];
    size_t *sp = start, *lp = flen;
    uint8_t stackbuf[32 * 64];
    uint8_t *buf = stackbuf;
    void *heap = NULL;
    if (t->nfields > 64) {
        heap = malloc(t->nfields * (2 * sizeof(size_t) + 32));
        if (!heap) return CD_ERR_NOMEM;
        sp = heap;
        lp = sp + t->nfields;
        buf = (uint8_t *)(lp + t->nfields);
    }
    cd_status st = container_spans(t, p, len, sp, lp, NULL);
    for (size_t i = 0; st == CD_OK && i < nfields; i++) st = htr(t->fields[i].type, p + sp[i], lp[i], buf + 32 * i);
    if (st == CD_OK) merkleize(t, buf, nfields, nfields, out);
    free(heap);
    return st;
}

static cd_status htr(const ssz_type *t, const uint8_t *p, size_t len, uint8_t out[32]) {
    switch (t->kind) {
    case SSZ_UINT:
    case SSZ_BOOL:
        memset(out, 0, 32);
        memcpy(out, p, len);
        return CD_OK;
    case SSZ_BITVECTOR: return merkleize_bytes(t, p, len, (t->n + 255) / 256, out);
    case SSZ_BITLIST: return htr_bitlist(t, p, len, out);
    case SSZ_VECTOR:
    case SSZ_LIST: return htr_sequence(t, p, len, out);
    case SSZ_CONTAINER: return htr_container(t, p, len, t->nfields, out);
    }
    return CD_ERR_INTERNAL;
}

cd_status ssz_hash_tree_root(const ssz_type *t, cd_bytes data, cd_hash32 *out, cd_error *err) {
    cd_status st = ssz_validate(t, data, err);
    if (st != CD_OK) return st;
    static const uint8_t empty[1] = {0};
    st = htr(t, data.ptr ? data.ptr : empty, data.len, out->b);
    if (st != CD_OK) return cd_fail(err, st, "hash_tree_root: %s", cd_status_str(st));
    return CD_OK;
}

cd_status ssz_hash_tree_root_prefix(const ssz_type *t, cd_bytes data, size_t nfields, cd_hash32 *out,
                                    cd_error *err) {
    if (!t || t->kind != SSZ_CONTAINER || nfields == 0 || nfields > t->nfields)
        return cd_fail(err, CD_ERR_INVALID_ARG, "SSZ: bad prefix request");
    cd_status st = ssz_validate(t, data, err);
    if (st != CD_OK) return st;
    st = htr_container(t, data.ptr, data.len, nfields, out->b);
    if (st != CD_OK) return cd_fail(err, st, "hash_tree_root: %s", cd_status_str(st));
    return CD_OK;
}

/* ---- accessors ---------------------------------------------------------------------- */

cd_status ssz_field(const ssz_type *t, cd_bytes data, size_t index, cd_bytes *out) {
    if (!t || t->kind != SSZ_CONTAINER || index >= t->nfields) return CD_ERR_INVALID_ARG;
    size_t start[64], flen[64];
    if (t->nfields > 64) {
        /* Large containers (BeaconState) are only hashed, never picked apart field by field. */
        return CD_ERR_UNSUPPORTED;
    }
    if (container_spans(t, data.ptr, data.len, start, flen, NULL) != CD_OK) return CD_ERR_INVALID_ARG;
    *out = cd_bytes_make(data.ptr + start[index], flen[index]);
    return CD_OK;
}

long ssz_field_index(const ssz_type *t, const char *name) {
    if (!t || t->kind != SSZ_CONTAINER) return -1;
    for (size_t i = 0; i < t->nfields; i++)
        if (!strcmp(t->fields[i].name, name)) return (long)i;
    return -1;
}

cd_status ssz_field_by_name(const ssz_type *t, cd_bytes data, const char *name, const ssz_type **ft,
                            cd_bytes *out) {
    long i = ssz_field_index(t, name);
    if (i < 0) return CD_ERR_NOT_FOUND;
    if (ft) *ft = t->fields[i].type;
    return ssz_field(t, data, (size_t)i, out);
}

cd_status ssz_count(const ssz_type *t, cd_bytes data, uint64_t *out) {
    if (!t || (t->kind != SSZ_VECTOR && t->kind != SSZ_LIST)) return CD_ERR_INVALID_ARG;
    if (t->elem->variable) return var_elements_count(t, data.ptr, data.len, out, NULL) == CD_OK
                                      ? CD_OK : CD_ERR_INVALID_ARG;
    *out = data.len / t->elem->size;
    return CD_OK;
}

cd_status ssz_element(const ssz_type *t, cd_bytes data, uint64_t index, cd_bytes *out) {
    uint64_t count;
    cd_status st = ssz_count(t, data, &count);
    if (st != CD_OK) return st;
    if (index >= count) return CD_ERR_INVALID_ARG;
    if (t->elem->variable) {
        size_t s, l;
        var_element_span(data.ptr, data.len, count, index, &s, &l);
        *out = cd_bytes_make(data.ptr + s, l);
    } else {
        *out = cd_bytes_make(data.ptr + index * t->elem->size, (size_t)t->elem->size);
    }
    return CD_OK;
}

/* ---- Merkle branches ------------------------------------------------------------------ */

size_t ssz_gindex_depth(uint64_t gindex) {
    size_t d = 0;
    while (gindex > 1) {
        gindex >>= 1;
        d++;
    }
    return d;
}

bool ssz_is_valid_merkle_branch(const cd_hash32 *leaf, const cd_hash32 *branch, size_t depth,
                                uint64_t index, const cd_hash32 *root) {
    uint8_t value[32];
    memcpy(value, leaf->b, 32);
    for (size_t i = 0; i < depth; i++) {
        if (i < 64 && ((index >> i) & 1)) ssz_hash_pair(value, branch[i].b, value);
        else ssz_hash_pair(value, value, branch[i].b);
    }
    return memcmp(value, root->b, 32) == 0;
}

/* ---- snappy ------------------------------------------------------------------------ */

cd_status ssz_snappy_uncompress(cd_bytes in, size_t max_len, cd_buf *out) {
    size_t n = 0;
    if (!in.ptr || snappy_uncompressed_length((const char *)in.ptr, in.len, &n) != SNAPPY_OK)
        return CD_ERR_SNAPPY;
    if (n > max_len) return CD_ERR_TOO_LARGE;
    if (snappy_validate_compressed_buffer((const char *)in.ptr, in.len) != SNAPPY_OK) return CD_ERR_SNAPPY;
    cd_status st = cd_buf_reserve(out, n ? n : 1);
    if (st != CD_OK) return st;
    size_t got = n;
    if (snappy_uncompress((const char *)in.ptr, in.len, (char *)out->data + out->len, &got) != SNAPPY_OK ||
        got != n)
        return CD_ERR_SNAPPY;
    out->len += n;
    return CD_OK;
}
