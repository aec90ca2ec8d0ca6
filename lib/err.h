/*
 * err — the error type every libdiver function fills.
 *
 * Library functions return 0 / -1 (or a pointer / NULL) and, on failure,
 * write one human sentence into a struct dv_err: what failed first, the
 * subject quoted, what to do if that is not obvious, lowercase, no full
 * stop.  Only a tool's main or cmd_* files print it.  The library never
 * prints and never exits.
 */
#ifndef DIVER_ERR_H
#define DIVER_ERR_H

#include <stddef.h>

#define DV_ERR_MAX 1024

struct dv_err {
	char msg[DV_ERR_MAX];
};

/* Set the message; always returns -1 so callers can `return dv_errf(...)`. */
int dv_errf(struct dv_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like dv_errf, then append ": strerror(errno)" for the errno at call time. */
int dv_errno(struct dv_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the existing message with "PREFIX: " (for adding context). */
int dv_err_prefix(struct dv_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clear the message. */
void dv_err_clear(struct dv_err *e);

#endif
