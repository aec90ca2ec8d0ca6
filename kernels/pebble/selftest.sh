#!/bin/bash
# selftest.sh [RELEASE_DIR] — checks a published pebble release on QEMU.
#
# For each variant: the template app, built in a temporary directory from a
# copy of the kit, boots and prints its greeting and arguments; the kit
# works from any KIT path; stdin reaches stdout byte for byte; exit statuses
# and CPU exceptions come back; and the published image boots by itself and
# matches kernel.json.  RELEASE_DIR defaults to the newest release next to
# this script; QEMU (default qemu-system-x86_64) and CC (default gcc) may be
# set.  Prints "ok N - ..." per check and ends with "N passed, N failed"
# (", N skipped" when any); exits 1 when a check failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
release=${1:-$(ls -d "$here"/[0-9]*/ 2>/dev/null | sort -V | tail -n 1)}
release=${release%/}
QEMU=${QEMU:-qemu-system-x86_64}
export CC=${CC:-gcc} LC_ALL=C

[ -f "$release/kernel.json" ] || { echo "selftest.sh: no release at '$release'" >&2; exit 2; }
release=$(cd "$release" && pwd)         # the checks run in a temporary directory
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$release/kernel.json" | head -n 1)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pebble-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

count=0 passed=0 failed=0 skipped=0 skip_reason=

# check DESC CMD...: runs CMD in $tmp, its output kept for a failure
check() {
	local desc=$1
	shift
	count=$((count + 1))
	if [ -n "$skip_reason" ]; then
		skipped=$((skipped + 1))
		echo "skip $count - $desc: $skip_reason"
		return
	fi
	if (cd "$tmp" && "$@") >"$tmp/check.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok $count - $desc"
	else
		failed=$((failed + 1))
		echo "not ok $count - $desc"
		sed 's/^/  | /' "$tmp/check.log" | tail -n 20
	fi
}

# boot IMAGE CMDLINE INPUT: COM1 to out.raw, COM2 to log.txt, QEMU's status to qemu.rc
boot() {
	local rc=0
	rm -f out.raw log.txt
	timeout 60 "$QEMU" -nodefaults -no-user-config -accel tcg -display none \
		-M microvm -m 64 -kernel "$1" -append "$2" \
		-chardev stdio,id=com1,signal=off -serial chardev:com1 \
		-chardev file,id=com2,path="$tmp/log.txt" \
		-device isa-serial,chardev=com2,iobase=0x2f8,irq=3 \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot \
		<"$3" >out.raw || rc=$?
	echo "$rc" >qemu.rc
}

# unframe: out.raw (framed-uart-1) to out.bin, the exit frame's status to status.txt
unframe() {
	perl -0777 -ne '
		my ($out, $status) = ("", "none");
		for (my $i = 0; $i < length; $i++) {
			my $b = substr($_, $i, 1);
			if ($b ne "\xff") { $out .= $b; next }
			my $code = substr($_, ++$i, 1);
			if ($code eq "\x00") { $out .= "\xff" }
			elsif ($code eq "\x02") { $status = ord(substr($_, ++$i, 1)) }
		}
		print $out;
		open(my $f, ">", "status.txt"); print $f "$status\n";' out.raw >out.bin
}

# expect_run STATUS: the app ended with STATUS, by frame and by QEMU's exit code
expect_run() {
	unframe
	[ "$(cat status.txt)" = "$1" ] || { echo "exit frame says $(cat status.txt), want $1"; cat log.txt; return 1; }
	[ "$(cat qemu.rc)" = $((($1 << 1 | 1) & 255)) ] || { echo "qemu exited $(cat qemu.rc)"; return 1; }
}

# new_app NAME VARIANT [MAIN.C]: NAME/ with the template (or MAIN.C) and a copy of the kit
new_app() {
	rm -rf "$1"
	mkdir -p "$1"
	cp -R "$release/$2/kit" "$1/.pebble"
	cp "$1/.pebble/template/Makefile" "$1/.pebble/template/main.c" "$1/"
	[ $# -lt 3 ] || cp "$3" "$1/main.c"
}

template_builds() {
	new_app app "$1" && make -s -C app && [ -f app/build/net.elf ]
}

template_runs() {
	boot app/build/net.elf '-- one "two words" \x41\x42' /dev/null
	expect_run 0 &&
	printf 'Hello from pebble!\nargument 1: one\nargument 2: two words\nargument 3: AB\n' >want &&
	cmp want out.bin &&
	grep -q "^pebble: $version ($1) booted" log.txt &&
	grep -q '^pebble: app exited with status 0' log.txt
}

kit_works_anywhere() {
	make -s -C app clean && [ ! -e app/build ] &&
	rm -rf elsewhere && mkdir -p elsewhere/deep && cp -R app/.pebble elsewhere/deep/kit &&
	rm -rf app/.pebble && make -s -C app KIT="$tmp/elsewhere/deep/kit" &&
	boot app/build/net.elf '-- x' /dev/null && expect_run 0 && grep -q 'argument 1: x' out.bin
}

binary_stdin() {
	cat >cat.c <<-'C'
	#include <unistd.h>
	int main(void)
	{
		char buf[4096];
		long n, total = 0;

		while ((n = read(0, buf, sizeof buf)) > 0) {
			write(1, buf, n);
			total += n;
		}
		return total == 0 ? 3 : 0;
	}
	C
	new_app cat "$1" cat.c && make -s -C cat || return 1
	# every byte value, the escape byte in runs, NULs, and some bulk
	perl -e 'print map { chr } 0..255; print "\xff\xff\x00\xff\x01\x00tail\n" x 50; print "x" x 30000' >in.bin
	perl -0777 -pe 's/\xff/\xff\x00/g; $_ .= "\xff\x01"' in.bin >in.framed
	boot cat/build/net.elf '--' in.framed && expect_run 0 && cmp in.bin out.bin &&
	printf '\377\001' >eof.framed && boot cat/build/net.elf '--' eof.framed && expect_run 3
}

statuses_and_faults() {
	printf '#include <stdlib.h>\nint main(int argc, char **argv) { return atoi(argv[1]); }\n' >status.c
	printf 'int main(void) { volatile int *p = 0; return *p; }\n' >null.c
	new_app status "$1" status.c && make -s -C status &&
	new_app null "$1" null.c && make -s -C null || return 1
	boot status/build/net.elf '-- 42' /dev/null && expect_run 42 &&
	boot status/build/net.elf '-- 255' /dev/null && expect_run 255 &&
	boot null/build/net.elf '--' /dev/null && expect_run 139 &&
	grep -q '^pebble: exception 14 (page fault) at eip 0x[0-9a-f]*, address 0x00000000' log.txt
}

image_boots() {
	local sha
	sha=$(sha256sum "$release/$1/image" | cut -d' ' -f1)
	grep -q "\"path\": \"$1/image\".*\"sha256\": \"$sha\"" "$release/kernel.json" ||
		{ echo "kernel.json does not list sha256 $sha for $1/image"; return 1; }
	boot "$release/$1/image" 'argv0=greeter -- "hi there"' /dev/null && expect_run 0 &&
	printf 'Hello from pebble!\nargument 1: hi there\n' >want && cmp want out.bin
}

if ! command -v "$QEMU" >/dev/null 2>&1; then
	skip_reason="'$QEMU' is not installed"
elif ! command -v perl >/dev/null 2>&1; then
	skip_reason="perl is not installed"
elif ! echo 'int x;' | "$CC" -m32 -ffreestanding -c -x c -o /dev/null - 2>/dev/null; then
	skip_reason="'$CC' cannot compile for i386 (install gcc-multilib)"
fi

for variant in default debug; do
	[ -d "$release/$variant/kit" ] || continue
	check "$variant: the template builds from a copy of the kit" template_builds "$variant"
	check "$variant: it greets, prints its arguments and exits 0" template_runs "$variant"
	check "$variant: make clean, and the kit works from another KIT path" kit_works_anywhere
	check "$variant: stdin reaches stdout byte for byte, end of input is 0" binary_stdin "$variant"
	check "$variant: exit statuses and a NULL dereference (139) come back" statuses_and_faults "$variant"
	check "$variant: the published image matches kernel.json and boots" image_boots "$variant"
done

if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
