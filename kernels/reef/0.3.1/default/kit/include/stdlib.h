/*
 * stdlib.h — pebble's stdlib: malloc and friends over all memory above the
 * image, ending the run, numbers from text, qsort, bsearch, rand.
 */
#ifndef PEBBLE_STDLIB_H
#define PEBBLE_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 32767

void *malloc(size_t n);
void *calloc(size_t count, size_t n);
void *realloc(void *p, size_t n);
void free(void *p);

/* Both end the run: exit(S) with status S, abort() with 134. */
void exit(int status) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));

int atoi(const char *s);
long atol(const char *s);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);

int abs(int v);
long labs(long v);
long long llabs(long long v);

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *));

/* The host's value, in splitvm mode, of a variable passed with --env; else NULL. */
char *getenv(const char *name);

int rand(void);
void srand(unsigned seed);

#endif
