#include <stdlib.h>

#include "harness.h"
#include "timefmt.h"

TEST(rfc3339_round_trip)
{
	char buf[RFC3339_LEN];
	time_t t;

	rfc3339_format(0, buf);
	CHECK_STR(buf, "1970-01-01T00:00:00Z");
	rfc3339_format(1795472566, buf);
	CHECK_STR(buf, "2026-11-23T22:22:46Z");
	CHECK(rfc3339_parse(buf, &t) == 0 && t == 1795472566);
	CHECK(rfc3339_parse("2026-11-23T22:22:46", &t) < 0);
	CHECK(rfc3339_parse("2026-11-23 22:22:46Z", &t) < 0);
	CHECK(rfc3339_parse("2026-11-23T22:22:46Zx", &t) < 0);
}

TEST(build_time_honours_source_date_epoch)
{
	struct dv_err e = { "" };
	time_t t;

	setenv("SOURCE_DATE_EPOCH", "1234", 1);
	CHECK(build_time(&t, &e) == 0 && t == 1234);
	setenv("SOURCE_DATE_EPOCH", "12x", 1);
	CHECK(build_time(&t, &e) < 0);
	CHECK_CONTAINS(e.msg, "SOURCE_DATE_EPOCH '12x'");
	unsetenv("SOURCE_DATE_EPOCH");
	CHECK(build_time(&t, &e) == 0 && t > 1700000000);
}
