#!/bin/bash
# bundler: keygen, pack, verify, list, import, and refusing tampered bundles.
. "$(dirname "$0")/lib.sh"

make_release() {
	local d="$1/$2/$3"
	mkdir -p "$d/default/kit"
	printf 'image of %s %s\n' "$2" "$3" >"$d/default/image"
	echo "kit" >"$d/default/kit/build.mk"
	echo "# $2" >"$d/README.md"
	cat >"$d/kernel.json" <<JSON
{"name":"$2","version":"$3","summary":"Test kernel $2","license":"MIT",
 "tags":["test"],"arch":"x86_64","modes":["vm"],"build":"none",
 "variants":{"default":{"image":{"path":"default/image","format":"multiboot1",
   "sha256":"$(sha256sum <"$d/default/image" | cut -d' ' -f1)","size":$(stat -c %s "$d/default/image")},
   "kit":{"path":"default/kit"}}}}
JSON
}

# repack DIR OUT: members of DIR in the order of DIR/.order
repack() {
	(cd "$1" && bsdtar --zstd -cf "$2" $(cat .order))
}

make_key key
make_key other
export SOURCE_DATE_EPOCH=$(date +%s)

test_expect_success 'setup: a signed catalog' '
	make_release tree alpha 1.0.0 && make_release tree beta 2.0.0 &&
	catalog-gen -q -k key -o site tree
'

test_expect_success 'keygen writes a key pair and refuses to overwrite it' '
	bundler keygen -o k2 >log && test -f k2 && test -f k2.pub &&
	test "$(stat -c %a k2)" = 600 && grep "key id [0-9a-f]\{16\}" log &&
	expect_error "exists; pass --force" bundler keygen -o k2
'

test_expect_success 'pack --all writes a bundle with BUNDLE.json first' '
	bundler pack -k key -o all.dvb --from site --all >log &&
	grep "packed 2 packages into all.dvb" log &&
	bsdtar -tf all.dvb >list && head -n 2 list >first &&
	printf "BUNDLE.json\nBUNDLE.json.sig\n" >want && diff -u want first &&
	grep -x "pkg/beta/2.0.0/default.tar.zst" list &&
	tar --zstd -tf all.dvb >/dev/null
'

test_expect_success 'stock openssl verifies BUNDLE.json.sig' '
	mkdir x && bsdtar -xf all.dvb -C x BUNDLE.json BUNDLE.json.sig &&
	openssl pkeyutl -verify -pubin -inkey key.pub -rawin -in x/BUNDLE.json -sigfile x/BUNDLE.json.sig
'

test_expect_success 'verify accepts it and says what is inside' '
	bundler verify -p key.pub all.dvb >log &&
	grep "all.dvb: OK, 4 members" log
'

test_expect_success 'pack by reference takes only what was asked' '
	bundler pack -k key -o one.dvb --from site alpha >/dev/null &&
	bsdtar -tf one.dvb | grep -c "^pkg/" >n && test "$(cat n)" = 1 &&
	bundler list one.dvb >log && grep "asked for: alpha" log &&
	grep "not verified" log
'

test_expect_success 'pack refuses an unknown reference and leaves no file' '
	expect_error "no kernel named .gamma." bundler pack -k key -o g.dvb --from site gamma &&
	test ! -e g.dvb && ! ls g.dvb.tmp-* 2>/dev/null
'

test_expect_success 'pack refuses a source catalog signed by another key' '
	catalog-gen -q -k other -o othersite tree &&
	expect_error "signed with key [0-9a-f]+, which is not trusted" \
		bundler pack -k key -o o.dvb --from othersite --all &&
	bundler pack -k key --catalog-key other.pub -o o.dvb --from othersite --all >/dev/null
'

test_expect_success 'verify refuses a wrong key, naming both' '
	expect_error "signed with key [0-9a-f]{16}, not with [0-9a-f]{16}: wrong key" \
		bundler verify -p other.pub all.dvb
'

test_expect_success 'verify refuses a tampered member' '
	mkdir t && bsdtar -xf all.dvb -C t && bsdtar -tf all.dvb >t/.order &&
	echo junk >>t/pkg/alpha/1.0.0/default.tar.zst && repack t "$TMP/tampered.dvb" &&
	expect_error "member .pkg/alpha/1.0.0/default.tar.zst. is [0-9]+ bytes, the manifest says" \
		bundler verify -p key.pub tampered.dvb
'

test_expect_success 'verify refuses a member changed to the same size' '
	rm -rf t && mkdir t && bsdtar -xf all.dvb -C t && bsdtar -tf all.dvb >t/.order &&
	printf "X" | dd of=t/catalog.json bs=1 seek=10 conv=notrunc 2>/dev/null &&
	repack t "$TMP/samesize.dvb" &&
	expect_error "member .catalog.json. has sha256 [0-9a-f]+, the manifest says [0-9a-f]+: it was changed" \
		bundler verify -p key.pub samesize.dvb
'

test_expect_success 'verify refuses a changed manifest (bad signature)' '
	rm -rf t && mkdir t && bsdtar -xf all.dvb -C t && bsdtar -tf all.dvb >t/.order &&
	sed -i "s/\"all\": true/\"all\": false/" t/BUNDLE.json && repack t "$TMP/badsig.dvb" &&
	expect_error "signature verification failed" bundler verify -p key.pub badsig.dvb
'

test_expect_success 'verify refuses an extra member and a missing one' '
	rm -rf t && mkdir t && bsdtar -xf all.dvb -C t && bsdtar -tf all.dvb >t/.order &&
	echo extra >t/extra && echo extra >>t/.order && repack t "$TMP/extra.dvb" &&
	expect_error "member .extra. is not listed in the manifest" bundler verify -p key.pub extra.dvb &&
	grep -v "^pkg/beta" t/.order | grep -vx extra >t/.o2 && mv t/.o2 t/.order &&
	repack t "$TMP/missing.dvb" &&
	expect_error "member .pkg/beta/2.0.0/default.tar.zst. is listed in the manifest but missing" \
		bundler verify -p key.pub missing.dvb
'

test_expect_success 'verify refuses a bundle without the manifest first, and a truncated one' '
	rm -rf t && mkdir t && bsdtar -xf all.dvb -C t &&
	(cd t && bsdtar --zstd -cf ../nomanifest.dvb catalog.json BUNDLE.json BUNDLE.json.sig) &&
	expect_error "first members must be BUNDLE.json and BUNDLE.json.sig" \
		bundler verify -p key.pub nomanifest.dvb &&
	head -c $(( $(stat -c %s all.dvb) - 100 )) all.dvb >trunc.dvb &&
	expect_error "bundle .trunc.dvb.: (damaged|member .* is truncated)" \
		bundler verify -p key.pub trunc.dvb
'

test_expect_success 'import makes a mirror that is a catalog, and remembers the serial' '
	bundler import -p key.pub all.dvb mirror >log && grep "imported all.dvb into mirror" log &&
	test -f mirror/catalog.json && test -f mirror/pkg/alpha/1.0.0/default.tar.zst &&
	openssl pkeyutl -verify -pubin -inkey key.pub -rawin -in mirror/catalog.json \
		-sigfile mirror/catalog.json.sig &&
	grep "\"serial\": $SOURCE_DATE_EPOCH" mirror/mirror.json &&
	test "$(stat -c %a mirror)" = 755
'

test_expect_success 'import refuses an older serial and leaves the mirror as it was' '
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH - 10)) bundler pack -k key -o old.dvb --from site --all >/dev/null &&
	tree_state mirror >before &&
	expect_error "serial [0-9]+ is older than [0-9]+.*refusing a rollback" \
		bundler import -p key.pub old.dvb mirror &&
	tree_state mirror >after && diff -u before after && ! ls -d mirror.tmp-* 2>/dev/null
'

test_expect_success 'import of a tampered bundle leaves the mirror untouched' '
	tree_state mirror >before &&
	expect_error "it was changed" bundler import -p key.pub samesize.dvb mirror &&
	tree_state mirror >after && diff -u before after && ! ls -d mirror.tmp-* 2>/dev/null
'

test_expect_success 'an expired bundle is refused unless --ignore-expiry, which says so' '
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH - 3 * 86400)) \
		bundler pack -k key --valid-days 1 -o expired.dvb --from site --all >/dev/null &&
	expect_error "expired at .*--ignore-expiry" bundler verify -p key.pub expired.dvb &&
	bundler verify --ignore-expiry -p key.pub expired.dvb 2>err >/dev/null &&
	grep WARNING err
'

test_expect_success 'usage errors exit 2' '
	expect_status 2 bundler pack -k key -o x.dvb && grep "either references or --all" "$TMP/stderr" &&
	expect_status 2 bundler verify all.dvb &&
	expect_status 2 bundler frobnicate && grep "unknown command" "$TMP/stderr"
'

test_done
