#!/bin/bash
# A net behaves like a program under signals: SIGTERM and SIGINT stop the
# VM and end diver with 128+N, a reader that goes away ends it like
# SIGPIPE, set -o pipefail sees each status, and a diver killed outright
# takes its QEMU with it (PR_SET_PDEATHSIG); nothing is left behind.
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64

make_catalog site key

# qemus: QEMU processes of this test's home
qemus() { pgrep -f "qemu-system.*$DIVER_HOME" | wc -l; }
# default_signals CMD...: CMD with SIGINT and SIGQUIT at their defaults
# (a shell starts background jobs with them ignored, and diver, like any
# program, keeps an ignored SIGINT ignored)
default_signals() {
	exec python3 -c "import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGQUIT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])" "$@"
}
at_exit "pkill -f 'qemu-system.*$TMP' ; pkill -f 'diver dive spin'"

test_expect_success 'setup: a net that never ends and one that prints forever' '
	use_home sig && diver trust add key.pub >/dev/null && diver source add main site >/dev/null &&
	diver init spin pebble --example spin >/dev/null && diver build -q spin >/dev/null 2>&1 &&
	diver init yes pebble >/dev/null &&
	printf "#include <stdio.h>\nint main(void) { for (;;) printf(\"y\\\\n\"); }\n" >yes/main.c &&
	diver build -q yes >/dev/null 2>&1
'

for sig in TERM INT; do
test_expect_success "SIG$sig stops the VM and ends diver with 128+N" '
	use_home sig
	default_signals diver dive spin --accel tcg >out 2>err &
	pid=$!
	for i in $(seq 100); do grep -q spinning out 2>/dev/null && break; sleep 0.1; done
	grep -q spinning out && test "$(qemus)" = 1 || { kill -KILL $pid; exit 1; }
	kill -'$sig' $pid; rc=0; wait $pid || rc=$?
	n=$(kill -l '$sig') && test "$rc" = $((128 + n)) &&
	grep "interrupted by" err && sleep 0.3 && test "$(qemus)" = 0
'
done

test_expect_success 'a reader that goes away ends the net; pipefail sees each status' '
	use_home sig &&
	set -o pipefail &&
	rc=0; diver dive yes --accel tcg 2>/dev/null | head -n 3 >out || rc=$?
	test "$(wc -l <out)" = 3 && test "$rc" = 141 && sleep 0.3 && test "$(qemus)" = 0 &&
	rc=0; printf "x\n" | diver dive spin --accel tcg --timeout 2 2>/dev/null | cat >/dev/null || rc=$?
	test "$rc" = 124
'

test_expect_success 'a diver killed outright takes its QEMU with it' '
	use_home sig
	diver dive spin --accel tcg >out 2>/dev/null &
	pid=$!
	for i in $(seq 100); do grep -q spinning out 2>/dev/null && break; sleep 0.1; done
	test "$(qemus)" = 1 || { kill -KILL $pid; exit 1; }
	kill -KILL $pid; wait $pid 2>/dev/null || true
	for i in $(seq 50); do [ "$(qemus)" = 0 ] && break; sleep 0.1; done
	test "$(qemus)" = 0
'

test_done
