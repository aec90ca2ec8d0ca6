#!/bin/bash
# The console's fast path, the shared-memory channel (docs/kernel-interface.md
# §2a), on real QEMU: binary-safe stdin and stdout with end of input and the
# exit status on the channel and on the UART (--console uart), 64 MiB through
# a pipeline of two nets (sha256), reef's module model on the channel too, a
# reader that goes away, and nothing left in /dev/shm.
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64

make_key key

# The newest pebble and reef of the repository, or, while the newest do not
# declare the channel yet, releases published from their sources.

test_expect_success 'setup: a catalog whose newest pebble and reef declare the channel' '
	cp -R "$SRC/kernels" kernels &&
	for k in pebble reef; do
		newest_declares $k shm-ring-1 ||
		diver publish "$SRC/kernels/$k" --to kernels --version 0.3.0-dev >/dev/null ||
		exit 1
	done &&
	catalog-gen -q -k key -o site kernels &&
	use_home ch && diver trust add key.pub >/dev/null && diver source add main site >/dev/null &&
	diver init cat pebble --example cat >/dev/null && diver build -q cat >/dev/null 2>&1 &&
	diver init rcat reef --example cat >/dev/null && diver build -q rcat >/dev/null 2>&1 &&
	diver init st pebble >/dev/null &&
	printf "#include <stdlib.h>\nint main(int c, char **v) { return c > 1 ? atoi(v[1]) : 0; }\n" >st/main.c &&
	diver build -q st >/dev/null 2>&1 &&
	head -c 300000 /dev/urandom >in && printf "\377\377\000\377\001\004tail" >>in
'

test_expect_success 'auto takes the channel: the kernel gets chan= and its RAM is a shared file' '
	use_home ch &&
	diver dive cat --accel tcg --dry-run >cmd &&
	grep -- "-object memory-backend-file,id=ram,size=64M,.*share=on -M microvm,memory-backend=ram" cmd &&
	grep -- "chan=0x03c00000 argv0=cat" cmd &&
	diver dive cat --accel tcg --dry-run -m 128M | grep -- "chan=0x07c00000" &&
	diver dive cat --accel tcg --dry-run --console uart >cmd &&
	! grep -e memory-backend -e chan= cmd
'

for how in fast uart; do
test_expect_success "stdin and stdout are binary-safe, with end of input (--console $how)" '
	use_home ch &&
	diver dive cat --accel tcg --console '$how' <in >out 2>err && cmp in out &&
	diver dive rcat --accel tcg --console '$how' <in >out 2>err && cmp in out &&
	diver dive cat --accel tcg --console '$how' </dev/null >out 2>/dev/null && ! test -s out
'

test_expect_success "exit statuses come back (--console $how)" '
	use_home ch &&
	for s in 0 1 42 255; do
		rc=0; diver dive st --accel tcg --console '$how' -- $s >/dev/null 2>&1 || rc=$?
		test "$rc" = "$s" || { echo "status $s came back as $rc"; exit 1; }
	done
'
done

test_expect_success 'the channel is really used: the heap gives up its region' '
	use_home ch &&
	diver dive st --accel tcg 2>err && grep "booted, 58 MiB heap" err &&
	diver dive st --accel tcg --console uart 2>err && grep "booted, 62 MiB heap" err
'

test_expect_success '64 MiB through a pipeline of two nets on the fast path, sha256 checked' '
	use_home ch &&
	head -c 64M /dev/urandom >big &&
	set -o pipefail &&
	diver dive cat --accel tcg --console fast <big 2>/dev/null |
		diver dive rcat --accel tcg --console fast 2>/dev/null | sha256sum >got &&
	sha256sum <big >want && cmp want got
'

test_expect_success 'a reader that goes away ends the net like SIGPIPE' '
	use_home ch &&
	set -o pipefail &&
	rc=0; head -c 64M /dev/zero | diver dive cat --accel tcg --console fast 2>/dev/null |
		head -c 1000 >/dev/null || rc=$?
	test "$rc" = 141 && ! pgrep -f "qemu-system.*$DIVER_HOME"
'

test_expect_success 'nothing is left behind in /dev/shm, even after kill -9' '
	use_home ch && ls /dev/shm >before &&
	diver dive cat --accel tcg --console fast <in >/dev/null 2>&1 || exit 1
	diver dive cat --accel tcg --console fast </dev/zero >/dev/null 2>&1 &
	pid=$! && sleep 1.5 && kill -KILL $pid && { wait $pid || :; } && sleep 0.5 &&
	! pgrep -f "qemu-system.*$DIVER_HOME" && ls /dev/shm >after && diff before after
'

test_expect_success 'errors: --console fast on a kernel without the channel, a bad value' '
	use_home ch &&
	diver init old pebble@0.2.0 >/dev/null && diver build -q old >/dev/null 2>&1 &&
	expect_error "kernel pebble does not declare the shared-memory channel" \
		diver dive old --accel tcg --console fast &&
	diver dive old --accel tcg >out 2>/dev/null && grep "Hello from pebble" out &&
	expect_status 2 diver dive old --console slow &&
	grep "console .slow.: expected auto, uart or fast" "$TMP/stderr" &&
	expect_error "needs 16M to 2048M of memory" diver dive cat --console fast -m 4G
'

test_done
