/*
 * heap.c — malloc over the memory above the kernel: a first-fit free list
 * kept in address order, so that free() coalesces with both neighbours.
 */
#include <pebble.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

#define ALIGN 16

struct block {
	size_t size;            /* bytes after the header */
	struct block *next;     /* next free block (free blocks only) */
	size_t pad[2];          /* keeps user data 16-byte aligned */
};

static struct block *free_list;
static size_t heap_left;

void
heap_init(uintptr_t start, uintptr_t end)
{
	start = (start + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	if (end <= start + sizeof(struct block))
		return;
	free_list = (struct block *)start;
	free_list->size = end - start - sizeof(struct block);
	free_list->next = NULL;
	heap_left = free_list->size;
}

size_t
pb_heap_free(void)
{
	return heap_left;
}

void *
malloc(size_t n)
{
	struct block **link = &free_list, *b;

	if (n == 0)
		n = 1;
	if (n > (size_t)-1 / 2)
		return NULL;
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	for (; (b = *link); link = &b->next) {
		if (b->size < n)
			continue;
		if (b->size >= n + sizeof(struct block) + ALIGN) {
			struct block *rest = (struct block *)((char *)(b + 1) + n);
			rest->size = b->size - n - sizeof(struct block);
			rest->next = b->next;
			b->size = n;
			*link = rest;
		} else {
			*link = b->next;
		}
		heap_left -= b->size;
		return b + 1;
	}
	return NULL;
}

static void
merge_next(struct block *b)
{
	if (b->next && (char *)(b + 1) + b->size == (char *)b->next) {
		b->size += sizeof(struct block) + b->next->size;
		b->next = b->next->next;
	}
}

void
free(void *p)
{
	struct block *b, *prev = NULL, *cur = free_list;

	if (!p)
		return;
	b = (struct block *)p - 1;
	heap_left += b->size;
	while (cur && cur < b) {
		prev = cur;
		cur = cur->next;
	}
	b->next = cur;
	if (prev) {
		prev->next = b;
		merge_next(b);
		merge_next(prev);
	} else {
		free_list = b;
		merge_next(b);
	}
}

void *
calloc(size_t count, size_t n)
{
	void *p;

	if (n && count > (size_t)-1 / n)
		return NULL;
	p = malloc(count * n);
	return p ? memset(p, 0, count * n) : NULL;
}

void *
realloc(void *p, size_t n)
{
	struct block *b;
	void *q;

	if (!p)
		return malloc(n);
	b = (struct block *)p - 1;
	if (n <= b->size)
		return p;
	q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, b->size);
	free(p);
	return q;
}
