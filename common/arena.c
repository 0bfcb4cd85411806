#include "common/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cd_arena_block {
    cd_arena_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void cd_arena_init(cd_arena *a, size_t block_size, size_t limit) {
    a->head = NULL;
    a->block_size = block_size ? block_size : 16384;
    a->total = 0;
    a->limit = limit;
}

void *cd_arena_alloc(cd_arena *a, size_t n) {
    if (n > SIZE_MAX - 15) return NULL;
    size_t need = (n + 15) & ~(size_t)15;
    if (a->limit && (need > a->limit || a->total > a->limit - need)) return NULL;
    cd_arena_block *b = a->head;
    if (!b || b->cap - b->used < need) {
        size_t cap = need > a->block_size ? need : a->block_size;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->total += need;
    memset(p, 0, n);
    return p;
}

void *cd_arena_dup(cd_arena *a, const void *p, size_t n) {
    void *q = cd_arena_alloc(a, n ? n : 1);
    if (q && n) memcpy(q, p, n);
    return q;
}

void cd_arena_free(cd_arena *a) {
    cd_arena_block *b = a->head;
    while (b) {
        cd_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
