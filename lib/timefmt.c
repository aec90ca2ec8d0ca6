#include "timefmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
rfc3339_format(time_t t, char buf[RFC3339_LEN])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
rfc3339_parse(const char *s, time_t *t)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof tm);
	if (strlen(s) != RFC3339_LEN - 1)
		return -1;
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*t = timegm(&tm);
	return 0;
}

int
build_time(time_t *t, struct dv_err *e)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!sde || !*sde) {
		*t = time(NULL);
		return 0;
	}
	errno = 0;
	v = strtoll(sde, &end, 10);
	if (errno || *end || v < 0)
		return dv_errf(e, "SOURCE_DATE_EPOCH '%s': expected a number of "
			       "seconds since 1970", sde);
	*t = (time_t)v;
	return 0;
}
