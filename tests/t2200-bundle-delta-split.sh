#!/bin/bash
# Delta bundles (--since), split bundles (--split) and packing from a
# catalog served over http: each carried to another home and imported,
# then used by diver with no network source (init, build, dive).
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64

make_key key
export SOURCE_DATE_EPOCH=$(($(date +%s) - 7200))

# kernels/ plus a copy of pebble 0.1.0 published as 0.1.1 (same image,
# another version): a second release for the delta to bring.
test_expect_success 'setup: a catalog, then the same catalog with one more release' '
	mkdir -p k1 && cp -R "$SRC/kernels/pebble" k1/ &&
	catalog-gen -q -k key -o site1 k1 &&
	cp -R k1 k2 && cp -R k2/pebble/0.1.0 k2/pebble/0.1.1 &&
	sed -i "s/\"version\": \"0.1.0\"/\"version\": \"0.1.1\"/" k2/pebble/0.1.1/kernel.json &&
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + 60)) catalog-gen -q -k key -o site2 k2 &&
	grep -q "0.1.1" site2/catalog.json
'

test_expect_success 'a delta carries only what the old bundle lacked' '
	bundler pack -k key -o full1.dvb --from site1 --all >/dev/null &&
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + 60)) \
		bundler pack -k key -o delta.dvb --from site2 --all --since full1.dvb >out &&
	grep "(a delta) into delta.dvb" out &&
	bsdtar -tf delta.dvb | grep "^pkg/" >pk && cat pk &&
	! grep "0.1.0" pk && grep -c "0.1.1" pk | grep -qx 2 &&
	bundler verify -p key.pub delta.dvb | grep "a delta on serial" &&
	bsdtar -xf full1.dvb BUNDLE.json && mv BUNDLE.json old-manifest.json &&
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + 60)) \
		bundler pack -k key -o delta2.dvb --from site2 --all --since old-manifest.json >/dev/null &&
	cmp delta.dvb delta2.dvb
'

test_expect_success 'a delta imports on top of its base, and not on a mirror without it' '
	expect_error "is a delta on the bundle with serial [0-9]+, and mirror .*lacks .pkg/pebble/[0-9.]+/.*import that bundle first" \
		bundler import -p key.pub delta.dvb fresh-mirror &&
	test ! -e fresh-mirror &&
	bundler import -p key.pub full1.dvb mirror >/dev/null &&
	bundler import -p key.pub delta.dvb mirror >out && grep "a delta on serial" out &&
	ls mirror/pkg/pebble/0.1.0/default.tar.zst mirror/pkg/pebble/0.1.1/default.tar.zst
'

test_expect_success 'a delta round trip: another home uses the mirror with no network' '
	use_home far && diver trust add key.pub >/dev/null &&
	diver source add m mirror >/dev/null &&
	diver init app pebble@0.1.1 >/dev/null && diver init app0 pebble@0.1.0 >/dev/null &&
	diver build -q app >/dev/null 2>&1 &&
	diver dive app --accel tcg >out && grep -i "hello" out
'

test_expect_success 'split parts verify alone and import in any order' '
	bundler pack -k key -o split.dvb --from site2 --all --split 1M >out && cat out &&
	ls split.part*-of-*.dvb >parts && n=$(wc -l <parts) && test "$n" -ge 1 &&
	for f in $(cat parts); do bundler verify -p key.pub "$f" >/dev/null || exit 1; done &&

	for f in $(sort -r parts); do bundler import -p key.pub "$f" smirror >>imp || exit 1; done &&
	cat imp && test -f smirror/catalog.json &&
	ls smirror/pkg/pebble/0.1.1/debug.tar.zst && ! ls -d smirror.split 2>/dev/null &&
	bundler import -p key.pub "$(head -n 1 parts)" smirror >/dev/null
'

test_expect_success 'a split round trip: another home builds and dives from the assembled mirror' '
	use_home farsplit && diver trust add key.pub >/dev/null &&
	diver source add s smirror >/dev/null &&
	diver init app-s pebble:debug@0.1.1 >/dev/null && diver build -q app-s >/dev/null 2>&1 &&
	diver dive app-s --accel tcg >out && grep -i "hello" out
'

test_expect_success '--site carries the HTML site, so the mirror can be browsed' '
	bundler pack -k key -o withsite.dvb --from site2 --all --site >/dev/null &&
	bsdtar -tf withsite.dvb >list && grep -x index.html list && grep -x search-index.js list &&
	grep "^kernels/pebble/index.html" list && ! grep "^\.catalog-gen-cache" list &&
	bundler import -p key.pub withsite.dvb wmirror >/dev/null &&
	test -f wmirror/index.html && test -f wmirror/assets/site.css -o -d wmirror/assets &&
	expect_status 2 bundler pack -k key -o x.dvb --from site2 pebble --site
'

test_expect_success 'a split too small for a package is refused; a part alone waits for the others' '
	dd if=/dev/urandom of=k2/pebble/0.1.1/big bs=1K count=1200 2>/dev/null &&
	mkdir -p kbig/pebble && cp -R k2/pebble/0.1.1 kbig/pebble/ &&
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + 120)) bundler pack -k key -o s2.dvb --from site2 --all --split 256K >out &&
	first=$(ls s2.part1-of-*.dvb) && n=$(ls s2.part*-of-*.dvb | wc -l) && test "$n" -ge 2 &&
	bundler import -p key.pub "$first" pmirror >out && grep "kept part 1 of $n" out &&
	test ! -e pmirror && ls -d pmirror.split/* &&
	expect_status 2 bundler pack -k key -o x.dvb --from site2 --all --split 10K
'

if [ -x "$NGINX" ] && start_nginx "$TMP/site2" >/dev/null 2>&1; then
	test_expect_success 'pack --from an http(s) catalog checks and packs what it downloads' '
		bundler pack -k key -o web.dvb --from "$NGINX_URL" pebble@0.1.1 >out &&
		grep "packed 1 package into web.dvb" out &&
		bundler verify -p key.pub web.dvb >/dev/null &&
		make_key other &&
		expect_error "not trusted|signed with" bundler pack -k other -o w2.dvb --from "$NGINX_URL" --all &&
		test ! -e w2.dvb &&
		expect_error "cannot download .${NGINX_URL}nope/catalog.json.: HTTP 404" \
			bundler pack -k key -o w3.dvb --from "${NGINX_URL}nope/" --all
	'
else
	test_skip 'pack --from an http(s) catalog' "nginx is not installed or did not start"
fi

test_done
