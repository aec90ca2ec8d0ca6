/* stdlib.c — exit, number parsing, qsort. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

void
exit(int status)
{
	kernel_exit(status);
}

void
abort(void)
{
	klog("app called abort()");
	kernel_exit(134);
}

int
abs(int v)
{
	return v < 0 ? -v : v;
}

unsigned long long
strtoull(const char *s, char **end, int base)
{
	unsigned long long v = 0;
	const char *p = s;
	int any = 0;

	while (isspace(*p))
		p++;
	if (*p == '+')
		p++;
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x' &&
	    isxdigit(p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	for (;; p++, any = 1) {
		int d = isdigit(*p) ? *p - '0' : isalpha(*p) ? (*p | 32) - 'a' + 10 : 99;
		if (d >= base)
			break;
		v = v * (unsigned)base + (unsigned)d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	return v;
}

long long
strtoll(const char *s, char **end, int base)
{
	const char *p = s;
	int neg = 0;
	unsigned long long v;
	char *e;

	while (isspace(*p))
		p++;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	v = strtoull(p, &e, base);
	if (end)
		*end = e == p ? (char *)s : e;
	return neg ? -(long long)v : (long long)v;
}

long
strtol(const char *s, char **end, int base)
{
	return (long)strtoll(s, end, base);
}

unsigned long
strtoul(const char *s, char **end, int base)
{
	return (unsigned long)strtoull(s, end, base);
}

long
atol(const char *s)
{
	return strtol(s, NULL, 10);
}

int
atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

static void
swap(char *a, char *b, size_t size)
{
	while (size--) {
		char t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Insertion sort: apps on pebble sort small arrays. */
void
qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *a = base;

	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cmp(a + (j - 1) * size, a + j * size) > 0; j--)
			swap(a + (j - 1) * size, a + j * size, size);
}
