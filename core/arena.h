/* arena.h — a bump allocator: many small allocations, one free. */
#pragma once

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

void *arena_alloc(struct arena *a, size_t size);	/* zeroed, NULL on ENOMEM */
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);
