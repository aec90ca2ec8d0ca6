#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs.h"

static struct test_case *head, **tail = &head;
static int failures_in_test;
static char tmpdir[] = "/tmp/diver-unit-XXXXXX";
static int have_tmpdir;

/* Constructors run in source order; keep that order for the report. */
void
harness_register(struct test_case *t)
{
	*tail = t;
	tail = &t->next;
}

void
harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("  %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures_in_test++;
}

const char *
harness_tmpdir(void)
{
	if (!have_tmpdir) {
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
		have_tmpdir = 1;
	}
	return tmpdir;
}

int
main(void)
{
	int passed = 0, failed = 0;

	for (struct test_case *t = head; t; t = t->next) {
		failures_in_test = 0;
		t->fn();
		if (failures_in_test) {
			printf("FAIL %s\n", t->name);
			failed++;
		} else {
			printf("ok %s\n", t->name);
			passed++;
		}
	}
	if (have_tmpdir)
		fs_rm_rf(tmpdir, NULL);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
