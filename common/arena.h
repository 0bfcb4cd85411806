/* A bump allocator for request-scoped memory (a JSON body, an EVM call frame):
 * many small allocations, freed together in one call. Not thread-safe by design:
 * one arena belongs to one request. */
#ifndef CANDOR_ARENA_H
#define CANDOR_ARENA_H

#include <stddef.h>

typedef struct cd_arena_block cd_arena_block;

typedef struct {
    cd_arena_block *head;
    size_t block_size;   /* default size of new blocks */
    size_t total;        /* bytes handed out, for limits */
    size_t limit;        /* 0 = unlimited; allocation past it fails */
} cd_arena;

void cd_arena_init(cd_arena *a, size_t block_size, size_t limit);
/* Returns zeroed, 16-byte aligned memory, or NULL when out of memory or over the limit. */
void *cd_arena_alloc(cd_arena *a, size_t n);
void *cd_arena_dup(cd_arena *a, const void *p, size_t n);
/* Releases everything allocated from the arena. */
void cd_arena_free(cd_arena *a);

#endif
