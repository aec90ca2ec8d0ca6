#!/bin/bash
# hw mode on IHK/McKernel (--via ihk), on the SIMULATED host of
# tests/fake-sos/ (docs/hw-mode.md): a full dive through real QEMU, the
# documented call sequence, a failure at each step and a kill -9 of diver
# at each step before the console (then diver recover) leave the host
# byte-identical.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake-sos/host.sh"
require_cmd qemu-system-x86_64

hw_full_dive ihk hw 2

test_expect_success 'the app exit status is the dive exit status; stdin reaches it' '
	make_host &&
	diver init app2 pebble >/dev/null &&
	cat >app2/main.c <<-C &&
	#include <stdlib.h>
	#include <unistd.h>
	int main(int argc, char **argv) {
		char buf[256]; long n;
		while ((n = read(0, buf, sizeof buf)) > 0) write(1, buf, n);
		return argc > 1 ? atoi(argv[1]) : 0;
	}
	C
	diver build -q app2 >/dev/null 2>&1 &&
	rc=0; echo "through mcexec" | diver dive --timeout 60 -d hw --via ihk app2 -- 42 >out 2>err || rc=$? &&
	test $rc = 42 && grep "through mcexec" out && host_unchanged
'

test_expect_success 'a failure at each step in turn leaves the host as it was' '
	expect_restored_at_each_step ihk --timeout 60 -d hw --via ihk -c 2 -m 64M
'

KILL_BEFORE="^mcexec"
test_expect_success 'kill -9 of diver at each step, then diver recover' '
	expect_recovered_at_each_step ihk --timeout 60 -d hw --via ihk -c 2 -m 64M
'

test_done
