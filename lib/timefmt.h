/*
 * timefmt — RFC 3339 UTC timestamps and the build clock.
 *
 * Owns: the one time format of every file Diver writes ("2026-11-23T08:00:00Z")
 * and reading SOURCE_DATE_EPOCH, so that generated output is reproducible.
 */
#ifndef DIVER_TIMEFMT_H
#define DIVER_TIMEFMT_H

#include <time.h>

#include "err.h"

#define RFC3339_LEN 21          /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

void rfc3339_format(time_t t, char buf[RFC3339_LEN]);
/* Accepts exactly YYYY-MM-DDTHH:MM:SSZ. */
int rfc3339_parse(const char *s, time_t *t);

/*
 * SOURCE_DATE_EPOCH when set (it must then be a non-negative integer),
 * else the current time.
 */
int build_time(time_t *t, struct dv_err *e);

#endif
