#!/bin/bash
# catalog-gen: render, sign, determinism, and refusing bad input.
. "$(dirname "$0")/lib.sh"

# make_release TREE NAME VERSION [IMAGE-TEXT]: a minimal valid release.
make_release() {
	local d="$1/$2/$3" img=${4:-"image of $2 $3"}
	mkdir -p "$d/default/kit/include"
	printf '%s\n' "$img" >"$d/default/image"
	echo "/* $2 */" >"$d/default/kit/include/$2.h"
	printf '# %s\n\nA test kernel.\n' "$2" >"$d/README.md"
	cat >"$d/kernel.json" <<JSON
{"name":"$2","version":"$3","summary":"Test kernel $2 <script>alert(1)</script>","license":"MIT",
 "tags":["test","hpc"],"arch":"x86_64","modes":["vm"],"build":"link",
 "toolchain":{"name":"gcc-i386","version":"12.2.0"},
 "variants":{"default":{"image":{"path":"default/image","format":"multiboot1",
   "sha256":"$(sha256sum <"$d/default/image" | cut -d' ' -f1)","size":$(stat -c %s "$d/default/image")},
   "kit":{"path":"default/kit"}}}}
JSON
}

make_key key
export SOURCE_DATE_EPOCH=$(date +%s)

test_expect_success 'renders a tree into a signed catalog with packages' '
	make_release tree alpha 1.0.0 &&
	make_release tree alpha 1.1.0 &&
	make_release tree beta 0.1.0 &&
	catalog-gen -k key -o site tree >log &&
	grep "rendered 2 kernels, 3 releases, 3 packages into site (signed)" log &&
	test -f site/catalog.json && test -f site/catalog.json.sig &&
	test -f site/pkg/alpha/1.1.0/default.tar.zst &&
	test -f site/index.html
'

test_expect_success 'stock openssl verifies catalog.json.sig' '
	openssl pkeyutl -verify -pubin -inkey key.pub -rawin \
		-in site/catalog.json -sigfile site/catalog.json.sig
'

test_expect_success 'releases are listed newest first with package hashes' '
	grep -o "\"version\":\"[^\"]*\"" site/catalog.json | grep -v 12.2.0 >versions &&
	printf "\"version\":\"%s\"\n" 1.1.0 1.0.0 0.1.0 >want &&
	diff -u want versions &&
	sha=$(sha256sum site/pkg/beta/0.1.0/default.tar.zst | cut -d" " -f1) &&
	grep "\"sha256\":\"$sha\"" site/catalog.json
'

test_expect_success 'packages hold kernel.json, README, image and kit' '
	bsdtar -tf site/pkg/alpha/1.0.0/default.tar.zst >list &&
	printf "%s\n" kernel.json README.md default/image default/kit/include/alpha.h >want &&
	diff -u want list &&
	tar --zstd -tf site/pkg/alpha/1.0.0/default.tar.zst >/dev/null
'

test_expect_success 'the same input and SOURCE_DATE_EPOCH give byte-identical output' '
	catalog-gen -q -k key -o site2 tree &&
	tree_state site >s1 && tree_state site2 >s2 && diff -u s1 s2
'

test_expect_success 'packages do not depend on SOURCE_DATE_EPOCH' '
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + 100)) catalog-gen -q -o site3 tree &&
	cmp site/pkg/alpha/1.0.0/default.tar.zst site3/pkg/alpha/1.0.0/default.tar.zst &&
	! cmp -s site/catalog.json site3/catalog.json
'

test_expect_success 'metadata is HTML-escaped in the index' '
	grep -F "&lt;script&gt;alert(1)&lt;/script&gt;" site/index.html &&
	! grep -F "<script>alert" site/index.html
'

test_expect_success 'a broken kernel.json is one clear error and the old site stays' '
	cp -a tree bad && tree_state site >before &&
	printf "{\"name\": \"alpha\",," >bad/alpha/1.0.0/kernel.json &&
	expect_error "bad/alpha/1.0.0/kernel.json: line 1 column" catalog-gen -k key -o site bad &&
	tree_state site >after && diff -u before after &&
	! ls -d site.tmp-* 2>/dev/null
'

test_expect_success 'a bad version names the field and what was expected' '
	rm -rf bad && cp -a tree bad &&
	sed -i "s/\"version\":\"1.0.0\"/\"version\":\"v1\"/" bad/alpha/1.0.0/kernel.json &&
	expect_error "kernel.json: field \"version\": expected a semantic version like 1.2.0, got \"v1\"" \
		catalog-gen -o refused bad && test ! -e refused
'

test_expect_success 'an image that does not match its sha256 is refused' '
	rm -rf bad && cp -a tree bad && echo tampered >>bad/beta/0.1.0/default/image &&
	expect_error "field \"variants.default.image.size\"" catalog-gen -o out bad &&
	rm -rf bad && cp -a tree bad &&
	printf "IMAGE OF BETA 0.1.0\n" >bad/beta/0.1.0/default/image &&
	expect_error "field \"variants.default.image.sha256\": expected [0-9a-f]{64}" catalog-gen -o refused bad &&
	test ! -e refused
'

test_expect_success 'a missing README or image is refused' '
	rm -rf bad && cp -a tree bad && rm bad/beta/0.1.0/README.md &&
	expect_error "bad/beta/0.1.0: README.md is missing" catalog-gen -o out bad &&
	rm -rf bad && cp -a tree bad && rm bad/beta/0.1.0/default/image &&
	expect_error "image.path.*missing" catalog-gen -o out bad
'

test_expect_success 'an image over the size limit is refused' '
	rm -rf bad && mkdir bad && make_release bad big 1.0.0 &&
	head -c 2097152 /dev/zero >bad/big/1.0.0/default/image &&
	sha=$(sha256sum <bad/big/1.0.0/default/image | cut -d" " -f1) &&
	sed -i "s/\"sha256\":\"[0-9a-f]*\",\"size\":[0-9]*/\"sha256\":\"$sha\",\"size\":2097152/" bad/big/1.0.0/kernel.json &&
	expect_error "over the limit" catalog-gen --max-image-size 1 -o out bad &&
	catalog-gen -q --max-image-size 4 -o out bad
'

test_expect_success 'duplicate versions are refused' '
	rm -rf bad && cp -a tree bad && make_release bad beta 0.1.0+build2 &&
	sed -i "s/\"version\":\"0.1.0+build2\"/\"version\":\"0.1.0+build2\"/" bad/beta/0.1.0+build2/kernel.json &&
	expect_error "version 0.1.0.* appears twice" catalog-gen -o out bad
'

test_expect_success 'unknown fields are warnings' '
	rm -rf warn && cp -a tree warn &&
	sed -i "s/^{/{\"colour\":\"red\",/" warn/beta/0.1.0/kernel.json &&
	catalog-gen -q -o out warn 2>err && grep "warning: .*unknown field \"colour\" ignored" err &&
	! grep colour out/catalog.json
'

test_expect_success 'a published release that changed is refused unless --allow-republish' '
	rm -rf repub && cp -a tree repub && cp -a site pubsite &&
	make_release repub beta 0.1.0 "a different image" &&
	tree_state pubsite >before &&
	expect_error "variant .default. changed after it was published.*--allow-republish" \
		catalog-gen -k key -o pubsite repub &&
	tree_state pubsite >after && diff -u before after &&
	catalog-gen -q -k key --allow-republish -o pubsite repub
'

test_expect_success '--check validates and writes nothing' '
	catalog-gen --check -o checked tree >log && grep "checked 2 kernels" log && test ! -e checked &&
	expect_error "kernels directory .nope. does not exist" catalog-gen --check nope
'

test_expect_success 'usage errors exit 2' '
	expect_status 2 catalog-gen -o x && grep -q "expected one KERNELS_DIR" "$TMP/stderr" &&
	expect_status 2 catalog-gen --frob tree
'

test_done
