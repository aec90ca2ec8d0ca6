/*
 * heap.c — malloc, calloc, realloc and free over the one region of memory
 * between the end of the image (and the boot loader's data) and the top of
 * RAM.  Blocks carry a 16-byte header; free blocks form a list in address
 * order, so first fit stays cheap for a single app and free() merges a
 * block with both neighbours.  A free() of something malloc did not return
 * ends the run as abort() does, instead of corrupting the list.
 */
#include <pebble.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

#define ALIGN 16
#define USED 1u                 /* low bit of size: block is allocated */

struct block {
	size_t size;            /* whole block, header included; | USED */
	struct block *next;     /* next free block; free blocks only */
} __attribute__((aligned(ALIGN)));

#define HEADER sizeof(struct block)
#define MIN_BLOCK (HEADER + ALIGN)

static struct block *free_list;
static uintptr_t heap_start, heap_end;
static size_t heap_free_bytes;

void
pb_heap_init(uintptr_t start, uintptr_t end)
{
	start = (start + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	end &= ~(uintptr_t)(ALIGN - 1);
	if (end < start + MIN_BLOCK)
		return;
	heap_start = start;
	heap_end = end;
	free_list = (struct block *)start;
	free_list->size = end - start;
	free_list->next = NULL;
	heap_free_bytes = free_list->size;
}

size_t
pb_heap_free(void)
{
	return heap_free_bytes;
}

size_t
pb_heap_size(void)
{
	return heap_end - heap_start;
}

static size_t
block_size(const struct block *b)
{
	return b->size & ~(size_t)USED;
}

/* Bytes of block for n bytes of payload; 0 when n cannot fit at all. */
static size_t
request_size(size_t n)
{
	if (n > heap_end - heap_start)
		return 0;
	n = n ? n : 1;
	return (n + HEADER + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

/* Cut the tail beyond need off b as a new block; returns it or NULL. */
static struct block *
split(struct block *b, size_t need)
{
	struct block *rest;

	if (block_size(b) < need + MIN_BLOCK)
		return NULL;
	rest = (struct block *)((char *)b + need);
	rest->size = block_size(b) - need;
	b->size = need | (b->size & USED);
	return rest;
}

void *
malloc(size_t n)
{
	size_t need = request_size(n);
	struct block **link, *b, *rest;

	if (need == 0)
		return NULL;
	for (link = &free_list; (b = *link); link = &b->next) {
		if (b->size < need)
			continue;
		rest = split(b, need);
		if (rest) {
			rest->next = b->next;
			*link = rest;
		} else {
			*link = b->next;
		}
		heap_free_bytes -= b->size;
		b->size |= USED;
#ifdef PEBBLE_DEBUG
		memset(b + 1, 0xcd, block_size(b) - HEADER);  /* "uninitialized" */
#endif
		return b + 1;
	}
	return NULL;
}

static struct block *
checked_block(void *p, const char *who)
{
	struct block *b = (struct block *)p - 1;
	uintptr_t a = (uintptr_t)b;

	if (a < heap_start || a >= heap_end || a % ALIGN || !(b->size & USED) ||
	    block_size(b) > heap_end - a)
		pb_panic(134, "%s(%p): not a block from malloc, or freed twice", who, p);
	return b;
}

/* Merge b with the free block right after it, if they touch. */
static void
merge_next(struct block *b)
{
	struct block *n = b->next;

	if (n && (char *)b + b->size == (char *)n) {
		b->size += n->size;
		b->next = n->next;
	}
}

static void
insert_free(struct block *b)
{
	struct block *prev = NULL, *cur = free_list;

	while (cur && cur < b) {
		prev = cur;
		cur = cur->next;
	}
	b->next = cur;
	merge_next(b);
	if (prev) {
		prev->next = b;
		merge_next(prev);
	} else {
		free_list = b;
	}
}

void
free(void *p)
{
	struct block *b;

	if (!p)
		return;
	b = checked_block(p, "free");
	b->size &= ~(size_t)USED;
	heap_free_bytes += b->size;
#ifdef PEBBLE_DEBUG
	memset(b + 1, 0xdd, b->size - HEADER);           /* "dead" */
#endif
	insert_free(b);
}

void *
calloc(size_t count, size_t n)
{
	void *p;

	if (n && count > SIZE_MAX / n)
		return NULL;
	p = malloc(count * n);
	return p ? memset(p, 0, count * n) : NULL;
}

/* Grow b in place by taking the free block right after it, if big enough. */
static bool
grow_in_place(struct block *b, size_t need)
{
	struct block **link = &free_list, *n;
	char *after = (char *)b + block_size(b);

	while (*link && (char *)*link < after)
		link = &(*link)->next;
	n = *link;
	if (!n || (char *)n != after || block_size(b) + n->size < need)
		return false;
	*link = n->next;
	heap_free_bytes -= n->size;
	b->size += n->size;
	return true;
}

void *
realloc(void *p, size_t n)
{
	size_t need = request_size(n);
	struct block *b, *rest;
	void *q;

	if (!p)
		return malloc(n);
	b = checked_block(p, "realloc");
	if (need == 0)
		return NULL;
	if (block_size(b) < need && !grow_in_place(b, need)) {
		q = malloc(n);
		if (q) {
			memcpy(q, p, block_size(b) - HEADER);
			free(p);
		}
		return q;
	}
	rest = split(b, need);
	if (rest) {
		heap_free_bytes += rest->size;
		insert_free(rest);
	}
	return p;
}
