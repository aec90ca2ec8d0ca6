/* stdio.h — pebble's small stdio: stdout is the console, stderr the log. */
#ifndef PEBBLE_STDIO_H
#define PEBBLE_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

typedef struct pb_file FILE;
extern FILE *const stdin, *const stdout, *const stderr;

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vprintf(const char *fmt, va_list ap);
int vfprintf(FILE *f, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int putchar(int c);
int fputc(int c, FILE *f);
int puts(const char *s);
int fputs(const char *s, FILE *f);
size_t fwrite(const void *p, size_t size, size_t n, FILE *f);
size_t fread(void *p, size_t size, size_t n, FILE *f);
int getchar(void);
int fgetc(FILE *f);
char *fgets(char *s, int n, FILE *f);
int fflush(FILE *f);
int feof(FILE *f);

#endif
