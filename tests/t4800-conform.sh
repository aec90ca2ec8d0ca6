#!/bin/bash
# diver conform: the newest releases of both demo kernels pass every check
# they declare, given as a REF from a source, as a release directory and as
# a built net; kernels that break a part of the interface fail the row of
# that part (and only that), and a kit that cannot build the probe fails
# the build row.  Real QEMU boots and, where installed, a real gdb.
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64

newest() { ls -d "$SRC/kernels/$1"/[0-9]*/ | sort -V | tail -n 1 | sed 's,/$,,'; }
PEBBLE=$(newest pebble)
REEF=$(newest reef)
export TMPDIR="$TMP/tmp"       # conform's temporary directories land here
mkdir -p "$TMPDIR"

# The rows a kernel that conforms passes (gdb and delegation are declared).
core_rows_pass() {
	for row in build boot arguments stdout stdin eof log "exit status" shutdown; do
		grep -q "^$row  *pass " "$1" || { echo "row '$row' did not pass:"; cat "$1"; return 1; }
	done
	! grep -q "^[a-z ]* fail " "$1"
}

test_expect_success 'setup: a home whose source is the repository kernels' '
	make_catalog site key &&
	use_home c && diver trust add key.pub >/dev/null && diver source add main site >/dev/null
'

test_expect_success 'pebble, by reference: every row passes, gdb included' '
	use_home c &&
	diver conform pebble --accel tcg >out 2>err &&
	cat out && core_rows_pass out &&
	grep "^checking pebble:default@$(basename "$PEBBLE") (source main, build model link)" out &&
	grep "conforms to the kernel interface" out &&
	if command -v gdb >/dev/null; then grep "^gdb  *pass .*stopped in main" out; fi &&
	if grep -q "\"channel\"" "$PEBBLE/kernel.json"; then grep "^channel  *pass " out; fi
'

test_expect_success 'reef, by reference: a module kernel passes; no symbol table, so no gdb row' '
	use_home c &&
	diver conform reef --accel tcg >out 2>err &&
	cat out && core_rows_pass out &&
	grep "build model module" out &&
	if [ ! -f "$REEF/default/kit/reef.sym" ]; then grep "^gdb  *skip  *not declared" out; fi
'

test_expect_success 'a release directory in a kernels/ tree, with --variant and --json' '
	use_home c &&
	diver conform "$PEBBLE" --variant debug --accel tcg --json >out.json &&
	python3 -c "
import json, sys
r = json.load(open(\"out.json\"))
assert r[\"conforms\"] is True, r
assert r[\"kernel\"].startswith(\"pebble:debug@\"), r
rows = {c[\"check\"]: c[\"status\"] for c in r[\"checks\"]}
assert all(rows[k] == \"pass\" for k in (\"build\", \"boot\", \"arguments\", \"stdin\", \"eof\", \"exit status\")), rows
assert \"fail\" not in rows.values(), rows
"
'

test_expect_success 'a built net, with --keep: the kernel of the net, from the kit in its app' '
	use_home c &&
	diver init app reef >/dev/null && diver build -q app >/dev/null 2>&1 &&
	diver conform app --accel tcg --keep >out 2>err &&
	grep "^checking reef:default@.* (net [0-9a-f]*, build model module)" out && core_rows_pass out &&
	dir=$(sed -n "s/^diver: the probe app and its outputs are in //p" err) &&
	test -f "$dir/conform-probe/main.c" && test -f "$dir/net/net.json" && rm -rf "$dir" &&
	test -z "$(ls "$TMPDIR")"
'

test_expect_success 'a kernel that drops the high bit of argument bytes fails the arguments row only' '
	use_home c &&
	mkdir -p src/kernels kernels && cp -r "$SRC/kernels/lib" src/kernels/ &&
	mkdir src/kernels/pebble &&
	cp -r "$SRC/kernels/pebble/src" "$SRC/kernels/pebble/publish.sh" "$SRC/kernels/pebble/README.md.in" \
		src/kernels/pebble/ &&
	sed -i "s/(char)(hi << 4 | lo)/(char)((hi << 4 | lo) \& 0x7f)/" src/kernels/pebble/src/cmdline.c &&
	grep -q "& 0x7f" src/kernels/pebble/src/cmdline.c &&
	diver publish src/kernels/pebble --to kernels --version 9.0.0 >/dev/null 2>&1 &&
	rc=0; diver conform kernels/pebble/9.0.0 --accel tcg >out 2>err || rc=$? &&
	cat out && test $rc = 1 &&
	grep "^arguments  *fail  *argv\[6\] \"caf\\\\xc3\\\\xa9\" arrived as \"cafC)\"" out &&
	test "$(grep -c " fail " out)" = 1 &&
	grep "pebble:default@9.0.0 does not conform: 1 failed (arguments)" out
'

test_expect_success 'a kit whose probe does not build fails the build row; the rest is skipped' '
	use_home c &&
	cp -r "$PEBBLE" kernels/pebble/9.1.0 &&
	sed -i "s/\"version\": \"[^\"]*\"/\"version\": \"9.1.0\"/" kernels/pebble/9.1.0/kernel.json &&
	rm kernels/pebble/9.1.0/default/kit/lib/libpebble.a &&
	rc=0; diver conform kernels/pebble/9.1.0 --accel tcg >out 2>err || rc=$? &&
	cat out && test $rc = 1 &&
	grep "^build  *fail  *the probe app does not build with the kit: make failed: .*libpebble.a" out &&
	grep "^boot  *skip  *needs .build. to pass" out &&
	grep "^shutdown  *skip  *needs .boot. to pass" out &&
	test -z "$(ls "$TMPDIR")"
'

test_expect_success 'a kernel that never powers off fails the shutdown row; statuses are skipped' '
	use_home c &&
	sed -i "s/#define DEBUG_EXIT_PORT 0xf4/#define DEBUG_EXIT_PORT 0xf0/" src/kernels/pebble/src/cpu.c &&
	sed -i "s/(char)((hi << 4 | lo) \& 0x7f)/(char)(hi << 4 | lo)/" src/kernels/pebble/src/cmdline.c &&
	grep -q "PORT 0xf0" src/kernels/pebble/src/cpu.c && ! grep -q "& 0x7f" src/kernels/pebble/src/cmdline.c &&
	diver publish src/kernels/pebble --to kernels --version 9.2.0 >/dev/null 2>&1 &&
	rc=0; diver conform kernels/pebble/9.2.0 --accel tcg --timeout 2 >out 2>err || rc=$? &&
	cat out && test $rc = 1 &&
	grep "^boot  *pass  *booted and ran the probe, but did not power off" out &&
	grep "^shutdown  *fail  *.hello. did not power off within 2 s" out &&
	grep "^exit status  *skip .*did not end" out &&
	grep "^arguments  *pass " out && grep "^eof  *pass " out &&
	test "$(grep -c " fail " out)" = 1 &&
	! pgrep -f "qemu-system-x86_64.*$TMPDIR"
'

test_expect_success 'a release that declares a channel it does not have fails the channel row only' '
	use_home c &&
	cp -r "$SRC/kernels/pebble/0.2.0" kernels/pebble/9.3.0 &&
	sed -i "s/\"version\": \"0.2.0\"/\"version\": \"9.3.0\"/; s/\"exit\": \"isa-debug-exit\"}/\"exit\": \"isa-debug-exit\", \"channel\": \"shm-ring-1\"}/" \
		kernels/pebble/9.3.0/kernel.json &&
	grep -q "\"channel\": \"shm-ring-1\"" kernels/pebble/9.3.0/kernel.json &&
	rc=0; diver conform kernels/pebble/9.3.0 --accel tcg --timeout 3 >out 2>err || rc=$? &&
	cat out && test $rc = 1 &&
	grep "^channel  *fail  *.cat. over the channel did not end within 3 s" out &&
	grep "^stdin  *pass " out && test "$(grep -c " fail " out)" = 1
'

test_expect_success 'errors: one line, and usage errors exit 2' '
	use_home c &&
	expect_error "no source has a kernel named .nosuch." diver conform nosuch &&
	expect_error "has no variant .nosuch." diver conform "$PEBBLE" --variant nosuch &&
	expect_error "--variant is for a release directory" diver conform pebble --variant debug &&
	expect_error "has no net yet" diver conform "$TMP/site" &&
	expect_status 2 diver conform && grep "expected one NET, REF or release directory" "$TMP/stderr" &&
	expect_status 2 diver conform pebble --timeout 0 && grep "timeout .0.: expected seconds" "$TMP/stderr" &&
	diver conform --help | grep "^usage: diver conform NET|REF|RELEASE_DIR" &&
	diver --list-commands | grep -x conform
'

test_done
