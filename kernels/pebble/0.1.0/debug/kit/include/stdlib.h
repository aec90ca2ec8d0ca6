/* stdlib.h — pebble: memory, exit and number parsing. */
#ifndef PEBBLE_STDLIB_H
#define PEBBLE_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

void *malloc(size_t n);
void *calloc(size_t count, size_t n);
void *realloc(void *p, size_t n);
void free(void *p);
__attribute__((noreturn)) void exit(int status);
__attribute__((noreturn)) void abort(void);
int atoi(const char *s);
long atol(const char *s);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int abs(int v);
void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *));

#endif
