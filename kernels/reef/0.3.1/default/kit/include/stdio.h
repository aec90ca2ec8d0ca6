/*
 * stdio.h — pebble's stdio: stdin and stdout are the console, stderr the
 * kernel log; there are no files to open.  stdout is buffered and flushed
 * when full, by fflush, before stdin is read and at exit; stderr is not
 * buffered.
 */
#ifndef PEBBLE_STDIO_H
#define PEBBLE_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

typedef struct pb_file FILE;

extern FILE *stdin, *stdout, *stderr;
#define stdin stdin
#define stdout stdout
#define stderr stderr

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vprintf(const char *fmt, va_list ap);
int vfprintf(FILE *f, const char *fmt, va_list ap);
int vsprintf(char *buf, const char *fmt, va_list ap);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

int fputc(int c, FILE *f);
int putchar(int c);
int fputs(const char *s, FILE *f);
int puts(const char *s);
size_t fwrite(const void *p, size_t size, size_t n, FILE *f);
#define putc(c, f) fputc((c), (f))

int fgetc(FILE *f);
int getchar(void);
int ungetc(int c, FILE *f);
char *fgets(char *s, int n, FILE *f);
size_t fread(void *p, size_t size, size_t n, FILE *f);
#define getc(f) fgetc(f)

int fflush(FILE *f);
int feof(FILE *f);
int ferror(FILE *f);
void clearerr(FILE *f);

#endif
