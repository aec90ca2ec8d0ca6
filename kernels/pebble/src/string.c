/*
 * string.c — string.h.  memcpy and memset use the string instructions,
 * which are short, fast enough and cannot be turned back into a call to
 * themselves by the optimizer (gcc emits memcpy/memset calls even in
 * freestanding code, so these must exist and must not recurse).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Under QEMU's TCG a rep movsb costs an emulated iteration per byte; with
 * SSE on (CR4.OSFXSR: the kernel turns it on, and apps run in ring 0) big
 * copies go 64 bytes a turn through xmm0-3, else 4 bytes a turn.
 */
__attribute__((target("sse2"))) static size_t
copy_sse(unsigned char *d, const unsigned char *s, size_t n)
{
	size_t done = 0;

	for (; n - done >= 64; done += 64)
		__asm__ volatile("movdqu (%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\t"
				 "movdqu 32(%0), %%xmm2\n\tmovdqu 48(%0), %%xmm3\n\t"
				 "movdqu %%xmm0, (%1)\n\tmovdqu %%xmm1, 16(%1)\n\t"
				 "movdqu %%xmm2, 32(%1)\n\tmovdqu %%xmm3, 48(%1)"
				 : : "r"(s + done), "r"(d + done)
				 : "memory", "xmm0", "xmm1", "xmm2", "xmm3");
	return done;
}

static bool
sse_on(void)
{
	static int on = -1;
	uint32_t cr4;

	if (on < 0) {
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		on = (cr4 >> 9) & 1;
	}
	return on;
}

void *
memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *d = dst;

	if (n >= 256 && sse_on()) {
		size_t done = copy_sse(dst, src, n);
		d = (unsigned char *)dst + done;
		src = (const unsigned char *)src + done;
		n -= done;
	} else if (n >= 256) {
		size_t words = n / 4;
		__asm__ volatile("rep movsl" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
		n &= 3;
	}
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (n == 0 || d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* dst overlaps the end of src: copy backwards, from the last byte */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std\n\trep movsb\n\tcld"
			 : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n > 0; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *
memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n > 0; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t
strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t
strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int
strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

char *
strcpy(char *restrict dst, const char *restrict src)
{
	return memcpy(dst, src, strlen(src) + 1);
}

char *
strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t len = strnlen(src, n);

	memcpy(dst, src, len);
	memset(dst + len, 0, n - len);
	return dst;
}

char *
strcat(char *restrict dst, const char *restrict src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

char *
strncat(char *restrict dst, const char *restrict src, size_t n)
{
	char *d = dst + strlen(dst);
	size_t len = strnlen(src, n);

	memcpy(d, src, len);
	d[len] = '\0';
	return dst;
}

char *
strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *
strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *
strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return (char *)hay;
	return n == 0 ? (char *)hay : NULL;
}

size_t
strspn(const char *s, const char *accept)
{
	size_t n = 0;

	while (s[n] && strchr(accept, s[n]))
		n++;
	return n;
}

size_t
strcspn(const char *s, const char *reject)
{
	size_t n = 0;

	while (s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}

char *
strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	return p ? memcpy(p, s, n) : NULL;
}

char *
strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = malloc(n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
