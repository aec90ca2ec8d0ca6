/*
 * stdio.c — pebble's stdio over the console (stdout, stdin) and the log
 * (stderr), and read/write on fds 0, 1 and 2.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"

struct pb_file {
	int fd;
	int eof;
};

static struct pb_file files[3] = { { 0, 0 }, { 1, 0 }, { 2, 0 } };
FILE *const stdin = &files[0];
FILE *const stdout = &files[1];
FILE *const stderr = &files[2];

ssize_t
write(int fd, const void *buf, size_t n)
{
	if (fd == 1) {
		console_out(buf, n);
		return (ssize_t)n;
	}
	if (fd == 2) {
		log_write(buf, n);
		return (ssize_t)n;
	}
	return -1;
}

ssize_t
read(int fd, void *buf, size_t n)
{
	if (fd != 0)
		return -1;
	return (ssize_t)console_in(buf, n);
}

static void
file_put(struct sink *s, char c)
{
	write(((FILE *)s->arg)->fd, &c, 1);
}

int
vfprintf(FILE *f, const char *fmt, va_list ap)
{
	struct sink s = { file_put, 0, f };

	return format(&s, fmt, ap);
}

int
vprintf(const char *fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int
fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

struct bounded {
	char *buf;
	size_t cap;
};

static void
buf_put(struct sink *s, char c)
{
	struct bounded *b = s->arg;

	if (b->cap && s->count < b->cap - 1)
		b->buf[s->count] = c;
	s->count++;
}

int
vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct bounded b = { buf, n };
	struct sink s = { buf_put, 0, &b };
	int len = format(&s, fmt, ap);

	if (n)
		buf[(size_t)len < n - 1 ? (size_t)len : n - 1] = '\0';
	return len;
}

int
snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}

int
sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, (size_t)-1 / 2, fmt, ap);
	va_end(ap);
	return len;
}

int
fputc(int c, FILE *f)
{
	unsigned char b = (unsigned char)c;

	return write(f->fd, &b, 1) == 1 ? b : EOF;
}

int
putchar(int c)
{
	return fputc(c, stdout);
}

int
fputs(const char *s, FILE *f)
{
	size_t n = strlen(s);

	return write(f->fd, s, n) == (ssize_t)n ? 0 : EOF;
}

int
puts(const char *s)
{
	return fputs(s, stdout) == 0 && putchar('\n') == '\n' ? 0 : EOF;
}

size_t
fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	if (!size || !n)
		return 0;
	return write(f->fd, p, size * n) == (ssize_t)(size * n) ? n : 0;
}

size_t
fread(void *p, size_t size, size_t n, FILE *f)
{
	size_t want = size * n, got = 0;
	ssize_t r;

	while (got < want && (r = read(f->fd, (char *)p + got, want - got)) > 0)
		got += (size_t)r;
	if (got < want)
		f->eof = 1;
	return size ? got / size : 0;
}

int
fgetc(FILE *f)
{
	unsigned char c;

	if (read(f->fd, &c, 1) == 1)
		return c;
	f->eof = 1;
	return EOF;
}

int
getchar(void)
{
	return fgetc(stdin);
}

char *
fgets(char *s, int n, FILE *f)
{
	int i = 0, c = 0;

	while (i < n - 1 && (c = fgetc(f)) != EOF) {
		s[i++] = (char)c;
		if (c == '\n')
			break;
	}
	if (i == 0 && (c == EOF || n <= 1))
		return NULL;
	s[i] = '\0';
	return s;
}

int
fflush(FILE *f)
{
	if (!f || f == stdout)
		console_flush();
	return 0;
}

int
feof(FILE *f)
{
	return f->eof;
}
