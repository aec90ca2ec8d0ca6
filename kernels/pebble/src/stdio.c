/*
 * stdio.c — the three streams.  stdin reads the console through a buffer;
 * stdout writes it through a buffer that is flushed when full, at exit,
 * and before anything waits for stdin (so that a prompt shows first);
 * stderr goes straight to the log.  There are no files to open.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"

struct pb_file {
	int fd;
	bool eof, error;
	unsigned char *buf;     /* NULL: unbuffered */
	size_t cap;
	size_t len;             /* bytes in buf: pending output or read input */
	size_t pos;             /* input: next unread byte */
};

static unsigned char stdin_buf[1024], stdout_buf[4096];
static struct pb_file files[3] = {
	{ .fd = 0, .buf = stdin_buf, .cap = sizeof stdin_buf },
	{ .fd = 1, .buf = stdout_buf, .cap = sizeof stdout_buf },
	{ .fd = 2 },
};

FILE *stdin = &files[0];
FILE *stdout = &files[1];
FILE *stderr = &files[2];

void
pb_stdout_flush(void)
{
	struct pb_file *f = &files[1];

	if (f->len > 0)
		pb_console_write(f->buf, f->len);
	f->len = 0;
}

int
fflush(FILE *f)
{
	if (!f || f == &files[1])
		pb_stdout_flush();
	return 0;
}

static size_t
file_write(FILE *f, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t left = n;

	if (f->fd == 2) {
		pb_log_write(p, n);
		return n;
	}
	if (f->fd != 1) {
		f->error = true;
		return 0;
	}
	while (left > 0) {
		size_t chunk = f->cap - f->len;
		if (chunk == 0) {
			pb_stdout_flush();
			continue;
		}
		chunk = chunk < left ? chunk : left;
		memcpy(f->buf + f->len, b, chunk);
		f->len += chunk;
		b += chunk;
		left -= chunk;
	}
	return n;
}

/* Bytes ready in f's input buffer, reading the console when it is empty. */
static size_t
file_fill(FILE *f)
{
	ssize_t n;

	if (f->fd != 0) {
		f->error = true;
		return 0;
	}
	if (f->pos < f->len)
		return f->len - f->pos;
	n = read(0, f->buf, f->cap);
	f->pos = 0;
	f->len = n > 0 ? (size_t)n : 0;
	if (n <= 0)
		f->eof = true;
	return f->len;
}

int
fgetc(FILE *f)
{
	return file_fill(f) ? f->buf[f->pos++] : EOF;
}

int
getchar(void)
{
	return fgetc(stdin);
}

int
ungetc(int c, FILE *f)
{
	if (c == EOF || f->fd != 0 || f->pos == 0)
		return EOF;
	f->buf[--f->pos] = (unsigned char)c;
	f->eof = false;
	return c;
}

char *
fgets(char *s, int n, FILE *f)
{
	int i = 0, c = 0;

	if (n <= 0)
		return NULL;
	while (i < n - 1 && c != '\n' && (c = fgetc(f)) != EOF)
		s[i++] = (char)c;
	s[i] = '\0';
	return i > 0 ? s : NULL;
}

size_t
fread(void *p, size_t size, size_t n, FILE *f)
{
	unsigned char *b = p;
	size_t want, got = 0;

	if (size == 0 || n == 0 || n > SIZE_MAX / size)
		return 0;
	want = size * n;
	while (got < want) {
		size_t avail = file_fill(f), chunk;
		if (avail == 0)
			break;
		chunk = avail < want - got ? avail : want - got;
		memcpy(b + got, f->buf + f->pos, chunk);
		f->pos += chunk;
		got += chunk;
	}
	return got / size;
}

size_t
fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	if (size == 0 || n == 0 || n > SIZE_MAX / size)
		return 0;
	return file_write(f, p, size * n) / size;
}

int
fputc(int c, FILE *f)
{
	unsigned char b = (unsigned char)c;

	return file_write(f, &b, 1) == 1 ? b : EOF;
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

	return file_write(f, s, n) == n ? 0 : EOF;
}

int
puts(const char *s)
{
	return fputs(s, stdout) == EOF ? EOF : fputc('\n', stdout) == EOF ? EOF : 0;
}

int
feof(FILE *f)
{
	return f->eof;
}

int
ferror(FILE *f)
{
	return f->error;
}

void
clearerr(FILE *f)
{
	f->eof = f->error = false;
}

struct file_sink {
	struct pb_sink sink;
	FILE *f;
};

static void
file_put(struct pb_sink *s, const char *p, size_t n)
{
	file_write(((struct file_sink *)s)->f, p, n);
}

int
vfprintf(FILE *f, const char *fmt, va_list ap)
{
	struct file_sink fs = { { file_put, 0 }, f };

	return pb_vformat(&fs.sink, fmt, ap);
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

/* Writes what fits, keeps counting what would have been written. */
struct buffer_sink {
	struct pb_sink sink;
	char *buf;
	size_t size;
};

static void
buffer_put(struct pb_sink *s, const char *p, size_t n)
{
	struct buffer_sink *bs = (struct buffer_sink *)s;
	size_t used = s->count, room;

	if (bs->size == 0 || used >= bs->size - 1)
		return;
	room = bs->size - 1 - used;
	memcpy(bs->buf + used, p, n < room ? n : room);
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buffer_sink bs = { { buffer_put, 0 }, buf, size };
	int n = pb_vformat(&bs.sink, fmt, ap);

	if (size > 0)
		buf[bs.sink.count < size ? bs.sink.count : size - 1] = '\0';
	return n;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int
vsprintf(char *buf, const char *fmt, va_list ap)
{
	return vsnprintf(buf, INT_MAX, fmt, ap);
}

int
sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsprintf(buf, fmt, ap);
	va_end(ap);
	return n;
}
