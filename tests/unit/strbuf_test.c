#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "harness.h"
#include "strbuf.h"

TEST(strbuf_grows)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;
	size_t len;

	CHECK_STR(sb.buf, "");
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	CHECK(sb.len == strlen(sb.buf));
	CHECK(!strncmp(sb.buf, "0,1,2,", 6));
	strbuf_setlen(&sb, 2);
	CHECK_STR(sb.buf, "0,");
	strbuf_add(&sb, "a\0b", 3);
	CHECK(sb.len == 5 && sb.buf[3] == '\0' && sb.buf[4] == 'b');
	s = strbuf_detach(&sb, &len);
	CHECK(len == 5);
	CHECK_STR(sb.buf, "");
	free(s);
	s = strbuf_detach(&sb, NULL);
	CHECK_STR(s, "");
	free(s);
	s = xasprintf("%s-%d", "x", 7);
	CHECK_STR(s, "x-7");
	free(s);
}

TEST(errors_compose)
{
	struct dv_err e = { "" };

	CHECK(dv_errf(&e, "file '%s' is bad", "a") == -1);
	CHECK_STR(e.msg, "file 'a' is bad");
	dv_err_prefix(&e, "bundle '%s'", "b.dvb");
	CHECK_STR(e.msg, "bundle 'b.dvb': file 'a' is bad");
	errno = 2;
	dv_errno(&e, "cannot open '%s'", "x");
	CHECK_STR(e.msg, "cannot open 'x': No such file or directory");
	CHECK(dv_errf(NULL, "ignored") == -1);
}
