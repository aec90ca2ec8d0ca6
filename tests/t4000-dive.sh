#!/bin/bash
# The whole slice on real QEMU: pebble from the repository's kernels/ through
# a signed catalog and a bundle, init, build and dive; the console, stdin,
# exit statuses, timeouts; and the air-gapped case (a fresh home whose only
# source is the bundle).
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64

make_key key
export SOURCE_DATE_EPOCH=$(date +%s)

test_expect_success 'setup: catalog and bundle of the repository kernels' '
	catalog-gen -q -k key -o site "$SRC/kernels" &&
	bundler pack -k key -o kernels.dvb --from site --all >/dev/null &&
	bundler verify -p key.pub kernels.dvb >/dev/null
'

test_expect_success 'air-gapped: a fresh home with only the bundle inits, builds and dives pebble' '
	use_home site &&
	diver trust add key.pub >/dev/null &&
	diver source add offline kernels.dvb >/dev/null &&
	diver init app pebble >/dev/null &&
	diver build -q app >build.log 2>&1 &&
	diver dive app --accel tcg -- "two words" x >out 2>err &&
	printf "Hello from pebble!\nargument 1: two words\nargument 2: x\n" >want &&
	diff -u want out &&
	grep "pebble: $(newest pebble) (default) booted" err &&
	grep "pebble: app exited with status 0" err
'

test_expect_success 'list nets shows the net; dive by id and from inside the app' '
	use_home site &&
	diver list nets >nets && grep "pebble:default@$(newest pebble) *app" nets &&
	id=$(awk "NR==2 {print \$1}" nets) &&
	diver dive "$id" --accel tcg >out 2>/dev/null && grep "Hello from pebble" out &&
	(cd app && diver dive --accel tcg) >out 2>/dev/null && grep "Hello from pebble" out &&
	diver list nets --json | grep "\"id\": \"$id\""
'

test_expect_success 'the exit status of the app is the exit status of dive' '
	use_home site &&
	cat >app/main.c <<-C &&
	#include <stdlib.h>
	int main(int argc, char **argv) { return argc > 1 ? atoi(argv[1]) : 0; }
	C
	diver build -q app >/dev/null 2>&1 &&
	for s in 0 1 7 42 127 128 200 255; do
		rc=0; diver dive app --accel tcg -- $s >/dev/null 2>&1 || rc=$?
		test "$rc" = "$s" || { echo "status $s came back as $rc"; exit 1; }
	done
'

test_expect_success 'stdin and stdout are binary-safe, with end of input' '
	use_home site &&
	cat >app/main.c <<-C &&
	#include <unistd.h>
	int main(void) {
		char buf[4096]; long n, total = 0;
		while ((n = read(0, buf, sizeof buf)) > 0) { write(1, buf, n); total += n; }
		return total == 0 ? 3 : 0;
	}
	C
	diver build -q app >/dev/null 2>&1 &&
	head -c 200000 /dev/urandom >in && printf "\377\377\000\377\001tail" >>in &&
	diver dive app --accel tcg <in >out 2>/dev/null &&
	cmp in out &&
	rc=0; diver dive app --accel tcg </dev/null >out 2>/dev/null || rc=$? ; test "$rc" = 3
'

test_expect_success 'nets compose in a pipeline' '
	use_home site &&
	printf "abc\n" | diver dive app --accel tcg 2>/dev/null | diver dive app --accel tcg 2>/dev/null >out &&
	printf "abc\n" >want && diff -u want out
'

test_expect_success 'a crash in the app is reported and ends with 139' '
	use_home site &&
	printf "int main(void) { volatile int z = 0; return 1 / z; }\n" >app/main.c &&
	diver build -q app >/dev/null 2>&1 &&
	rc=0; diver dive app --accel tcg >/dev/null 2>err || rc=$? &&
	test "$rc" = 139 && grep "exception 0 (divide error)" err
'

test_expect_success '--timeout stops a net that never ends, with status 124' '
	use_home site &&
	printf "int main(void) { for (;;) ; }\n" >app/main.c &&
	diver build -q app >/dev/null 2>&1 &&
	rc=0; timeout 60 diver dive app --accel tcg --timeout 2 >/dev/null 2>err || rc=$? &&
	test "$rc" = 124 && grep "timed out after 2 s" err &&
	! pgrep -f "qemu-system-x86_64.*$DIVER_HOME" 
'

test_expect_success 'the debug variant logs more' '
	use_home site &&
	diver init dbg pebble:debug >/dev/null && diver build -q dbg >/dev/null 2>&1 &&
	diver dive dbg --accel tcg -- a >out 2>err &&
	grep "argument 1: a" out && grep "pebble: $(newest pebble) (debug) booted" err &&
	grep "argv\[1\] = \"a\"" err
'

test_expect_success '--dry-run prints the QEMU command and runs nothing' '
	use_home site &&
	diver dive dbg --dry-run --accel tcg -- x >cmd &&
	grep "^qemu-system-x86_64 .*-accel tcg .*-kernel .*isa-debug-exit" cmd
'

test_expect_success '--log writes the kernel log to a file' '
	use_home site &&
	diver dive dbg --accel tcg --log "$TMP/kernel.log" >/dev/null 2>err &&
	grep "pebble: app exited with status 0" kernel.log && ! grep "booted" err
'

test_expect_success 'accel auto does not pick a KVM that is not real hardware virtualization' '
	use_home site && rm -f "$DIVER_HOME/cache/accel.json" &&
	diver dive dbg --dry-run >cmd 2>err &&
	grep -E "^diver: --accel auto chose (KVM|TCG): .*remembered in $DIVER_HOME/cache/accel.json" err &&
	diver dive dbg --dry-run >cmd2 2>err2 && ! grep "accel auto" err2 && cmp cmd cmd2 &&
	if grep -qE "^flags.* (vmx|svm)" /proc/cpuinfo && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
		grep -- "-accel kvm" cmd
	else
		grep -- "-accel tcg" cmd
	fi
'

test_expect_success 'kernel log lines reach stderr whole, never cut by the console' '
	use_home site && diver init lines pebble >/dev/null && cat >lines/main.c <<-\C &&
	#include <stdio.h>
	int main(void) {
		for (int i = 0; i < 20; i++) {
			fprintf(stderr, "log %d begins", i);
			printf("OUT %d\n", i); fflush(stdout);
			fprintf(stderr, " and ends\n");
		}
		return 0;
	}
	C
	diver build -q lines >/dev/null 2>&1 &&
	for c in auto uart; do
		diver dive lines --accel tcg --console $c >both 2>&1 &&
		test "$(grep -c "^log [0-9]* begins and ends$" both)" = 20 &&
		test "$(grep -c "^OUT [0-9]*$" both)" = 20 || exit 1
	done
'

test_expect_success 'errors: no net, unknown mode, bad options' '
	use_home site &&
	expect_error "has no net yet; run .diver build" diver dive "$TMP/site" &&
	expect_error "no net with id .abcd." diver dive abcd &&
	expect_error "supports mode vm, splitvm, not hw" diver dive app -d hw &&
	expect_status 2 diver dive app -m lots &&
	expect_status 2 diver dive app --timeout -1
'

test_done
