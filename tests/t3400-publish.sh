#!/bin/bash
# diver publish: a kernel's publisher script writes a new, immutable
# release into a kernels/ tree, checked as catalog-gen will check it.
. "$(dirname "$0")/lib.sh"

make_key key

test_expect_success 'publish runs pebble/publish.sh and checks the release' '
	mkdir kernels && diver publish "$SRC/kernels/pebble" --to kernels --version 0.9.0 >out &&
	cat out && grep "^published pebble 0.9.0 in kernels/pebble/0.9.0 (2 variants)" out &&
	grep "^next: commit it, then catalog-gen" out &&
	catalog-gen -q -k key -o site kernels && grep -q "\"version\":\"0.9.0\"" site/catalog.json
'

test_expect_success 'a published version is refused before anything runs; --bump takes the next' '
	tree_state kernels >before &&
	expect_error "pebble 0.9.0 is published already .*releases are immutable" \
		diver publish "$SRC/kernels/pebble" --to kernels --version 0.9.0 &&
	tree_state kernels >after && diff -u before after &&
	diver publish "$SRC/kernels/pebble" --to kernels --bump minor >out &&
	grep "^published pebble 0.10.0" out
'

test_expect_success 'a publisher that fails, or writes a broken release, publishes nothing' '
	mkdir -p bad/broken && printf "#!/bin/sh\nexit 3\n" >bad/broken/publish.sh && chmod +x bad/broken/publish.sh &&
	expect_error "publish.sh 1.0.0 kernels. failed \(exit status 3\); nothing was published" \
		diver publish bad/broken --to kernels --version 1.0.0 &&
	mkdir -p bad/liar && cat >bad/liar/publish.sh <<-\SH &&
	#!/bin/sh
	mkdir -p "$2/liar/$1/default" && echo image >"$2/liar/$1/default/image" && echo "# liar" >"$2/liar/$1/README.md"
	echo "{\"name\":\"liar\",\"version\":\"$1\",\"summary\":\"x\",\"license\":\"MIT\",\"tags\":[\"t\"],\"arch\":\"x86_64\",\"modes\":[\"vm\"],\"build\":\"none\",\"variants\":{\"default\":{\"image\":{\"path\":\"default/image\",\"format\":\"multiboot1\",\"sha256\":\"$(printf %064d 0)\",\"size\":6}}}}" >"$2/liar/$1/kernel.json"
	SH
	chmod +x bad/liar/publish.sh &&
	expect_error "variant .default.: the image.s sha256 or size differs from kernel.json; the release was removed" \
		diver publish bad/liar --to kernels --version 1.0.0 &&
	test ! -e kernels/liar/1.0.0 &&
	expect_error "not an executable publisher script" diver publish bad --to kernels --version 1.0.0 &&
	expect_status 2 diver publish "$SRC/kernels/pebble" --to kernels &&
	expect_error "nothing is published in .kernels/liar. yet" diver publish bad/liar --to kernels --bump patch
'

test_done
