#!/bin/bash
# reef, the second demo kernel: build model "module" — the app is its own
# ELF executable, loaded by the unchanged kernel at boot — through search,
# info, init, build and dive, next to pebble (build model "link").
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64

make_catalog site key

test_expect_success 'search and info tell the two build models apart' '
	use_home r && diver trust add key.pub >/dev/null && diver source add main site >/dev/null &&
	diver search --tag module >out && grep "^reef " out && ! grep "^pebble " out &&
	diver search elf-loader | grep -q "^reef " &&
	diver info reef >out && grep -E "^build +module \(the kernel loads the app at boot\)" out
'

test_expect_success 'init and build make only the app; the kernel is the published image' '
	use_home r && diver init app reef >/dev/null && test -f app/.reef/app.ld &&
	diver build app >out 2>&1 && cat out && grep "build/app.elf" out && ! grep "net.elf" out &&
	test -f app/build/app.elf &&
	id=$(sed -n "s/^built net \([0-9a-f]*\):.*/\1/p" out) &&
	cmp "$DIVER_HOME/data/nets/$id/image" app/.reef/image &&
	cmp "$DIVER_HOME/data/nets/$id/module" app/build/app.elf &&
	diver dive app --dry-run >cmd && grep -- "-initrd $DIVER_HOME/data/nets/$id/module" cmd &&
	diver list nets | grep -E "^$id +reef:default@$(newest reef) +app "
'

test_expect_success 'a reef app prints, gets its arguments, and exits with its status' '
	use_home r && cat >app/main.c <<-\C &&
	#include <stdio.h>
	#include <reef.h>
	int main(int argc, char **argv) {
		for (int i = 1; i < argc; i++) printf("[%s]", argv[i]);
		printf("\n");
		reef_log("logged by the app");
		return argc;
	}
	C
	diver build -q app >/dev/null 2>&1 &&
	rc=0; diver dive app --accel tcg -- one "two words" >out 2>err || rc=$? &&
	test "$rc" = 3 && test "$(cat out)" = "[one][two words]" && grep "logged by the app" err
'

test_expect_success 'stdin passes through a reef app byte for byte' '
	use_home r && diver init cat reef >/dev/null && cat >cat/main.c <<-\C &&
	#include <unistd.h>
	int main(void) {
		char buf[4096]; long n;
		while ((n = read(0, buf, sizeof buf)) > 0) write(1, buf, n);
		return 0;
	}
	C
	diver build -q cat >/dev/null 2>&1 &&
	head -c 3000 /dev/urandom >in && diver dive cat --accel tcg <in >got &&
	cmp in got
'

test_expect_success 'a crash in the app is 139 and abort is 134' '
	use_home r && diver init crash reef >/dev/null &&
	printf "#include <stdlib.h>\nint main(int c, char **v) { if (c > 1) abort(); return *(volatile int *)0; }\n" >crash/main.c &&
	diver build -q crash >/dev/null 2>&1 &&
	expect_status 139 diver dive crash --accel tcg &&
	expect_status 134 diver dive crash --accel tcg -- abort
'

test_expect_success 'a module that is not an app is refused by the kernel, not run' '
	use_home r && id=$(diver build crash 2>/dev/null | sed -n "s/^built net \([0-9a-f]*\):.*/\1/p") &&
	printf "not an elf" >"$DIVER_HOME/data/nets/$id/module" &&
	rc=0; diver dive "$id" --accel tcg >/dev/null 2>err || rc=$? &&
	test "$rc" = 1 && grep "cannot load the app module: not an ELF file" err
'

test_expect_success 'both kernels ship the examples hello, cat, upper, spin, wc and cp' '
	use_home ex && diver trust add key.pub >/dev/null && diver source add main site >/dev/null &&
	for k in pebble reef; do
		diver init --list-examples $k >list && cat list &&
		for x in hello cat upper spin wc cp; do grep -E "^$x +[a-z]" list || exit 1; done
	done &&
	expect_error "has no example .nope.; its examples are cat, cp, hello, spin, upper, wc" \
		diver init e1 reef --example nope && test ! -e e1/.reef &&
	expect_error "has no example .cat.; its kit has no examples" diver init e2 pebble@0.1.0 --example cat
'

for k in pebble reef; do
test_expect_success "$k's examples build and behave" '
	use_home ex &&
	for x in hello cat upper spin; do
		diver init "$k-$x" '$k' --example $x >out && grep "from example $x" out &&
		diver build -q "$k-$x" >/dev/null 2>&1 || exit 1
	done &&
	diver dive '$k'-hello --accel tcg -- a >out && grep "^Hello from " out && grep "argument 1: a" out &&
	head -c 5000 /dev/urandom >in && diver dive '$k'-cat --accel tcg <in >got && cmp in got &&
	printf "Hello, Diver 42!\n" | diver dive '$k'-upper --accel tcg >up && test "$(cat up)" = "HELLO, DIVER 42!" &&
	expect_status 124 diver dive '$k'-spin --accel tcg --timeout 3 &&
	grep "spinning until stopped" "$TMP/stdout"
'
done

test_done
