#!/bin/bash
# Toolchains as catalog items: gcc-i386 published from Debian's own
# packages, carried in a bundle with pebble (the dependency closure), and
# used by diver build in a home whose only source is that bundle — checked
# with the host's gcc made unusable (a private mount namespace hides
# /usr/lib/gcc and replaces as and ld with false).
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64
require_cmd unshare

make_key key
export SOURCE_DATE_EPOCH=$(($(date +%s) - 600))

# without_host_gcc CMD...: CMD where the host's gcc cannot compile
without_host_gcc() {
	unshare -m sh -c 'mount -t tmpfs none /usr/lib/gcc &&
		mount --bind /bin/false /usr/bin/x86_64-linux-gnu-as &&
		mount --bind /bin/false /usr/bin/x86_64-linux-gnu-ld.bfd && exec "$@"' sh "$@"
}

test_expect_success 'publish.sh makes the toolchain; catalog-gen lists and packs it' '
	mkdir k && cp -R "$SRC/kernels/pebble" k/ &&
	"$SRC/kernels/toolchains/gcc-i386/publish.sh" "$TMP/k" >out && cat out &&
	test -x k/toolchains/gcc-i386/12.2.0/root/bin/gcc &&
	expect_error "toolchain releases are immutable" "$SRC/kernels/toolchains/gcc-i386/publish.sh" "$TMP/k" &&
	catalog-gen -q -k key -o site k &&
	python3 -c "import json; t=json.load(open(\"site/catalog.json\"))[\"toolchains\"]; \
		assert t[0][\"name\"]==\"gcc-i386\" and t[0][\"package\"][\"path\"]==\"pkg/toolchains/gcc-i386/12.2.0.tar.zst\", t" &&
	bsdtar -tf site/pkg/toolchains/gcc-i386/12.2.0.tar.zst | grep -x "toolchain.json" &&
	catalog-gen --check k | grep "1 toolchain"
'

test_expect_success 'a broken toolchain.json is one error naming it' '
	cp -R k kb && sed -i "s/\"cc\": \"bin\/gcc\"/\"cc\": \"bin\/nothing\"/" kb/toolchains/gcc-i386/12.2.0/toolchain.json &&
	expect_error "kb/toolchains/gcc-i386/12.2.0/toolchain.json: field .cc.: .* is not an executable file" \
		catalog-gen --check kb
'

test_expect_success 'packing pebble brings its toolchain along' '
	bundler pack -k key -o pebble.dvb --from site pebble >out && cat out &&
	bsdtar -tf pebble.dvb >list && grep -x "pkg/toolchains/gcc-i386/12.2.0.tar.zst" list &&
	bundler verify -p key.pub pebble.dvb >/dev/null
'

test_expect_success 'the host gcc really is unusable in the test namespace' '
	echo "int main(void) { return 0; }" >t.c &&
	! without_host_gcc gcc -m32 -c t.c -o t.o 2>/dev/null
'

test_expect_success 'a home with only the bundle builds and dives with the toolchain' '
	use_home far && diver trust add key.pub >/dev/null &&
	diver source add usb pebble.dvb >/dev/null &&
	diver init app pebble >out && cat out &&
	grep "^toolchain gcc-i386 12.2.0 in $DIVER_HOME/data/toolchains/gcc-i386-12.2.0" out &&
	without_host_gcc diver build app >build.out 2>&1 || { cat build.out; false; } &&
	grep "data/toolchains/gcc-i386-12.2.0/bin/gcc" build.out &&
	diver dive app --accel tcg >dive.out && grep -i "hello" dive.out
'

test_expect_success 'without the toolchain the same build needs the host gcc' '
	use_home plain && diver trust add key.pub >/dev/null &&
	catalog-gen -q -k key -o site-no-tc "$SRC/kernels" &&
	diver source add plain site-no-tc >/dev/null && diver init app2 pebble >out &&
	! grep "^toolchain" out &&
	! without_host_gcc diver build app2 >/dev/null 2>&1 &&
	diver build -q app2 >/dev/null 2>&1
'

test_done
