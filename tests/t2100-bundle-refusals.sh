#!/bin/bash
# Every way a bundle can be hostile, each carried by a properly signed
# manifest (tests/hostile-bundle.py) so that only bundler's own checks stand
# in the way: one clear error, a non-zero exit, and a mirror left exactly
# as it was, with nothing written outside it.
. "$(dirname "$0")/lib.sh"
require_cmd python3
require_cmd zstd

make_key key
make_key other
export SOURCE_DATE_EPOCH=$(date +%s)
keyid() { bundler keygen --help >/dev/null; openssl pkey -pubin -in "$1" -outform DER | tail -c 32 | sha256sum | cut -c1-16; }

test_expect_success 'setup: a mirror imported from a good bundle' '
	catalog-gen -q -k key -o site "$SRC/kernels" &&
	bundler pack -k key -o good.dvb --from site --all >/dev/null &&
	bundler import -p key.pub good.dvb mirror >/dev/null &&
	tree_state mirror >mirror.state
'

# refuse CASE PATTERN: the hostile bundle CASE is refused by verify and
# by import with PATTERN, and the mirror is untouched.
refuse() {
	python3 "$SRC/tests/hostile-bundle.py" "${KEY:-key}" "$(keyid "${KEY:-key}.pub")" "$1.dvb" "$1" &&
	expect_error "$2" bundler verify -p key.pub "$1.dvb" &&
	expect_error "$2" bundler import -p key.pub "$1.dvb" mirror &&
	tree_state mirror >now && diff -u mirror.state now &&
	! ls -d mirror.tmp-* 2>/dev/null && ! ls escaped /tmp/diver-absolute-member 2>/dev/null
}

test_expect_success 'a member named with ..' 'refuse dotdot "member .\.\./escaped. contains .\.\.."'
test_expect_success 'an absolute member path' 'refuse absolute "member ./tmp/diver-absolute-member. is an absolute path"'
test_expect_success 'a symbolic link' 'refuse symlink "member .pkg/link. is a symbolic link; only regular files"'
test_expect_success 'a hard link' 'refuse hardlink "member .pkg/b. is a hard link; only regular files"'
test_expect_success 'a FIFO' 'refuse fifo "member .pkg/fifo. is a FIFO; only regular files"'
test_expect_success 'a device file' 'refuse device "member .pkg/null. is a character device; only regular files"'
test_expect_success 'a directory member' 'refuse dirmember "member .pkg/dir. is a directory; only regular files"'
test_expect_success 'a member twice' 'refuse duplicate "member .pkg/a. appears twice"'
test_expect_success 'a zstd bomb (64 MiB of zeros in a few KiB)' 'refuse bomb "compression ratio over 1000:1 at member .pkg/bomb.; refusing a likely decompression bomb"'
test_expect_success 'a manifest claiming more than the total limit' 'refuse bigclaim "member sizes exceed the limit of [0-9]+ bytes"'
test_expect_success 'no signature member' 'refuse nosig "first members must be BUNDLE.json and BUNDLE.json.sig"'
test_expect_success 'a key that is not the one given' 'KEY=other refuse duplicate "signed with key [0-9a-f]{16}, not with [0-9a-f]{16}: wrong key"'

test_expect_success 'a damaged stream and plain garbage' '
	head -c 3000 good.dvb >cut.dvb &&
	expect_error "cut.dvb" bundler import -p key.pub cut.dvb mirror &&
	head -c 5000 /dev/urandom >noise.dvb &&
	expect_error "noise.dvb" bundler import -p key.pub noise.dvb mirror &&
	: >empty.dvb && expect_error "empty.dvb" bundler import -p key.pub empty.dvb mirror &&
	expect_error "missing.dvb" bundler import -p key.pub missing.dvb mirror &&
	tree_state mirror >now && diff -u mirror.state now
'

test_expect_success 'trailing data after the bundle is refused' '
	cat good.dvb >trail.dvb && echo "appended by someone" >>trail.dvb &&
	expect_error "trail.dvb" bundler verify -p key.pub trail.dvb &&
	tree_state mirror >now && diff -u mirror.state now
'

test_done
