/*
 * stdlib.c — the rest of stdlib.h: ending the run, numbers from text,
 * qsort and a small rand.  (The heap is heap.c.)
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

void
exit(int status)
{
	pb_exit(status);
}

void
abort(void)
{
	pb_panic(134, "the app called abort()");
}

void
pb_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	pb_panic(134, "%s:%d: %s: assertion '%s' failed", file, line, func, expr);
}

static int
digit_value(int c)
{
	if (isdigit(c))
		return c - '0';
	if (isalpha(c))
		return tolower(c) - 'a' + 10;
	return 99;
}

/*
 * The common part of the strto* family: the magnitude (saturated at
 * ULLONG_MAX), its sign, and where the number ended (s itself when there
 * was no number).
 */
static unsigned long long
parse_magnitude(const char *s, char **end, int base, bool *negative, bool *overflow)
{
	const char *p = s, *digits;
	unsigned long long v = 0;

	*negative = *overflow = false;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		*negative = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && tolower(p[1]) == 'x' &&
	    digit_value((unsigned char)p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	for (digits = p; base >= 2 && base <= 36 && digit_value((unsigned char)*p) < base; p++) {
		unsigned d = (unsigned)digit_value((unsigned char)*p);
		if (v > (ULLONG_MAX - d) / (unsigned)base)
			*overflow = true;
		v = *overflow ? ULLONG_MAX : v * (unsigned)base + d;
	}
	if (end)
		*end = (char *)(p == digits ? s : p);
	return v;
}

long long
strtoll(const char *s, char **end, int base)
{
	bool neg, over;
	unsigned long long v = parse_magnitude(s, end, base, &neg, &over);

	if (neg)
		return v > (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : (long long)(0 - v);
	return v > LLONG_MAX ? LLONG_MAX : (long long)v;
}

unsigned long long
strtoull(const char *s, char **end, int base)
{
	bool neg, over;
	unsigned long long v = parse_magnitude(s, end, base, &neg, &over);

	if (over)
		return ULLONG_MAX;
	return neg ? 0 - v : v;
}

long
strtol(const char *s, char **end, int base)
{
	long long v = strtoll(s, end, base);

	return v > LONG_MAX ? LONG_MAX : v < LONG_MIN ? LONG_MIN : (long)v;
}

unsigned long
strtoul(const char *s, char **end, int base)
{
	bool neg, over;
	unsigned long long v = parse_magnitude(s, end, base, &neg, &over);

	if (over || v > ULONG_MAX)
		return ULONG_MAX;
	return neg ? 0 - (unsigned long)v : (unsigned long)v;
}

int
atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

long
atol(const char *s)
{
	return strtol(s, NULL, 10);
}

int
abs(int v)
{
	return v < 0 ? -v : v;
}

long
labs(long v)
{
	return v < 0 ? -v : v;
}

long long
llabs(long long v)
{
	return v < 0 ? -v : v;
}

static void
swap_bytes(char *a, char *b, size_t n)
{
	while (n--) {
		char t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Shell sort: no recursion, no allocation, fine for what an app sorts here. */
void
qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *a = base;
	size_t gap = 1;

	while (gap < n / 3)
		gap = gap * 3 + 1;
	for (; gap > 0; gap /= 3) {
		for (size_t i = gap; i < n; i++) {
			for (size_t j = i; j >= gap &&
			     cmp(a + (j - gap) * size, a + j * size) > 0; j -= gap)
				swap_bytes(a + (j - gap) * size, a + j * size, size);
		}
	}
}

void *
bsearch(const void *key, const void *base, size_t n, size_t size,
	int (*cmp)(const void *, const void *))
{
	const char *a = base;

	while (n > 0) {
		const char *mid = a + (n / 2) * size;
		int c = cmp(key, mid);
		if (c == 0)
			return (void *)mid;
		if (c > 0) {
			a = mid + size;
			n -= n / 2 + 1;
		} else {
			n /= 2;
		}
	}
	return NULL;
}

static unsigned long rand_state = 1;

/* The LCG the C standard shows as an example: portable and predictable. */
int
rand(void)
{
	rand_state = rand_state * 1103515245 + 12345;
	return (int)(rand_state / 65536 % 32768);
}

void
srand(unsigned seed)
{
	rand_state = seed;
}
