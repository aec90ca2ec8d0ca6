/*
 * harness — the tiny unit-test runner: TEST(name) defines a test, CHECK and
 * CHECK_STR assert (recording the failure and going on), and main runs every
 * registered test, printing "ok NAME" or "FAIL NAME: ..." lines and a final
 * "N passed, N failed" line that tests/run adds up.
 */
#ifndef DIVER_HARNESS_H
#define DIVER_HARNESS_H

#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void harness_register(struct test_case *t);
void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A scratch directory for the current test binary (removed at exit). */
const char *harness_tmpdir(void);

#define TEST(name)                                                       \
	static void test_##name(void);                                   \
	static struct test_case tc_##name = { #name, test_##name, 0 };   \
	__attribute__((constructor)) static void reg_##name(void)        \
	{ harness_register(&tc_##name); }                                \
	static void test_##name(void)

#define CHECK(cond)                                                      \
	do { if (!(cond)) harness_fail(__FILE__, __LINE__, "%s", #cond); } while (0)

#define CHECK_STR(a, b)                                                  \
	do {                                                             \
		const char *a_ = (a), *b_ = (b);                         \
		if (!a_ || !b_ || strcmp(a_, b_))                        \
			harness_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", \
				     #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                      \
	do {                                                             \
		const char *h_ = (hay), *n_ = (needle);                  \
		if (!h_ || !strstr(h_, n_))                              \
			harness_fail(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"", \
				     h_ ? h_ : "(null)", n_);            \
	} while (0)

#endif
