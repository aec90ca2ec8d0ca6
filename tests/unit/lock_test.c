#include <stdlib.h>

#include "fs.h"
#include "harness.h"
#include "lock.h"

TEST(exclusive_lock_excludes)
{
	char *path = fs_join(harness_tmpdir(), "l.lock");
	struct dv_err e = { "" };
	int a = lock_acquire(path, true, true, "the thing", &e);
	int b = lock_acquire(path, true, false, "the thing", &e);

	CHECK(a >= 0);
	CHECK(b < 0);
	CHECK_CONTAINS(e.msg, "the thing is busy");
	lock_release(a);
	b = lock_acquire(path, true, false, "the thing", &e);
	CHECK(b >= 0);
	lock_release(b);
	a = lock_acquire(path, false, false, "x", &e);
	b = lock_acquire(path, false, false, "x", &e);
	CHECK(a >= 0 && b >= 0);
	lock_release(a);
	lock_release(b);
	free(path);
}
