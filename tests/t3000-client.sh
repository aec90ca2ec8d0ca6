#!/bin/bash
# diver: trust, sources (directory, file:// and bundle), search, init,
# and the errors a new user meets.
. "$(dirname "$0")/lib.sh"

make_release() {
	local d="$1/$2/$3" variant=${4:-default}
	mkdir -p "$d/$variant/kit/template"
	printf 'image of %s %s %s\n' "$2" "$3" "$variant" >"$d/$variant/image"
	printf 'all:\n\t@echo building\n' >"$d/$variant/kit/template/Makefile"
	echo "int main(void) { return 0; }" >"$d/$variant/kit/template/main.c"
	echo "# $2" >"$d/README.md"
	cat >"$d/kernel.json" <<JSON
{"name":"$2","version":"$3","summary":"Test kernel $2 for $5","license":"MIT",
 "tags":["test","$5"],"arch":"x86_64","modes":["vm"],"build":"none",
 "variants":{"$variant":{"image":{"path":"$variant/image","format":"multiboot1",
   "sha256":"$(sha256sum <"$d/$variant/image" | cut -d' ' -f1)","size":$(stat -c %s "$d/$variant/image")},
   "kit":{"path":"$variant/kit"}}}}
JSON
}

make_key key
make_key stranger
export SOURCE_DATE_EPOCH=$(date +%s)

test_expect_success 'setup: a signed catalog of two kernels and its bundle' '
	make_release tree alpha 1.0.0 default hpc &&
	make_release tree alpha 1.2.0 default hpc &&
	make_release tree beta 0.3.0 default teaching &&
	catalog-gen -q -k key -o site tree &&
	bundler pack -k key -o kernels.dvb --from site --all >/dev/null
'

test_expect_success 'a new user without sources is told what to do' '
	use_home empty &&
	expect_error "no sources yet; add one with .diver source add" diver search &&
	diver source list | grep "no sources" &&
	diver trust list | grep "no trusted keys"
'

test_expect_success 'a catalog signed by an untrusted key is refused' '
	use_home untrusted &&
	expect_error "signed with key [0-9a-f]{16}, which is not trusted \(add its public key with .diver trust add KEY.pub.\)" \
		diver source add main site &&
	diver source list | grep "no sources"
'

test_expect_success 'trust add, then a directory source verifies' '
	use_home dir &&
	diver trust add key.pub | grep "trusted key [0-9a-f]\{16\}" &&
	diver source add main site | grep "added source .main. (dir" &&
	diver source list >log && grep "^main .*2 kernels" log
'

test_expect_success 'search finds by name, tag and words, newest release' '
	use_home dir &&
	diver search >log && grep "^alpha  *1.2.0" log && grep "^beta" log &&
	diver search --tag teaching >log && ! grep alpha log && grep beta log &&
	diver search HPC >log && grep alpha log && ! grep beta log &&
	diver search --json beta >json && grep "\"source\": \"main\"" json &&
	expect_status 1 diver search nothing-matches-this
'

test_expect_success 'file:// URLs work as sources' '
	use_home fileurl &&
	diver trust add key.pub >/dev/null &&
	diver source add web "file://$TMP/site" >/dev/null &&
	diver search beta | grep beta
'

test_expect_success 'a bundle source is verified and imported into a private mirror' '
	use_home bundle &&
	expect_error "no trusted keys to verify bundle" diver source add offline kernels.dvb &&
	diver trust add key.pub >/dev/null &&
	diver source add offline kernels.dvb | grep "added source .offline. (bundle" &&
	test -f "$DIVER_HOME/data/mirrors/offline/catalog.json" &&
	diver search alpha | grep offline
'

test_expect_success 'a tampered bundle is refused and nothing is added' '
	use_home tampered && diver trust add key.pub >/dev/null &&
	mkdir t && bsdtar -xf kernels.dvb -C t && order=$(bsdtar -tf kernels.dvb) &&
	echo junk >>t/catalog.json && (cd t && bsdtar --zstd -cf ../bad.dvb $order) &&
	expect_error "member .catalog.json. is [0-9]+ bytes, the manifest says" \
		diver source add offline bad.dvb &&
	diver source list | grep "no sources" && test ! -e "$DIVER_HOME/data/mirrors/offline"
'

test_expect_success 'an insecure source is flagged in every listing' '
	use_home insecure &&
	catalog-gen -q -o unsigned tree &&
	expect_error "names no signing key" diver source add u unsigned &&
	diver source add --insecure u unsigned | grep INSECURE &&
	diver source list | grep "INSECURE"
'

test_expect_success 'a rolled-back catalog is refused on update' '
	use_home rollback && diver trust add key.pub >/dev/null &&
	cp -a site live && diver source add live live >/dev/null &&
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH - 100)) catalog-gen -q -k key -o live tree &&
	expect_status 1 diver update && grep "refusing a rollback" "$TMP/stderr"
'

test_expect_success 'an expired catalog is refused' '
	use_home expired && diver trust add key.pub >/dev/null &&
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH - 10 * 86400)) catalog-gen -q -k key --valid-days 1 -o old tree &&
	expect_error "expired at" diver source add old old
'

test_expect_success 'init writes the template and the kit with a lock file' '
	use_home dir &&
	diver init app alpha >log && grep "created app .app. for alpha:default@1.2.0" log &&
	test -f app/Makefile && test -f app/main.c &&
	test -f app/.alpha/lock.json && test -f app/.alpha/image && test -f app/.alpha/kernel.json &&
	grep "\"version\": \"1.2.0\"" app/.alpha/lock.json &&
	sha=$(sha256sum site/pkg/alpha/1.2.0/default.tar.zst | cut -d" " -f1) &&
	grep "\"sha256\": \"$sha\"" app/.alpha/lock.json
'

test_expect_success 'init pins an older version on request and refuses a non-empty dir' '
	use_home dir &&
	diver init pinned alpha@1.0.0 | grep "alpha:default@1.0.0" &&
	expect_error ".pinned. is not empty; pass --force" diver init pinned alpha &&
	diver init --force pinned alpha | grep "1.2.0"
'

test_expect_success 'unknown references say what exists' '
	use_home dir &&
	expect_error "no source has a kernel named .gamma." diver init g gamma &&
	expect_error "no variant .gpu. of .alpha:gpu.; variants are default" diver init g alpha:gpu &&
	expect_error "releases of alpha are 1.2.0, 1.0.0" diver init g alpha@9.0.0 &&
	expect_error "reference .Alpha." diver init g Alpha &&
	test ! -e g
'

test_expect_success 'a package that does not match the signed catalog is refused' '
	use_home mismatch && diver trust add key.pub >/dev/null &&
	cp -a site evil && diver source add evil evil >/dev/null &&
	echo junk >>evil/pkg/beta/0.3.0/default.tar.zst &&
	expect_error "does not match the signed catalog" diver init b beta &&
	! ls "$DIVER_HOME/cache/pkg/"*.tar.zst 2>/dev/null
'

test_expect_success 'source remove forgets the source' '
	use_home dir &&
	diver source remove main | grep "removed source" &&
	diver source list | grep "no sources" &&
	expect_error "no source named .main." diver source remove main
'

test_expect_success 'help and usage' '
	diver --help | grep "usage: diver COMMAND" &&
	for c in source trust search init build list dive; do
		diver $c --help | grep -q "^usage: diver $c" || { echo "no help for $c"; exit 1; }
	done &&
	expect_status 2 diver frobnicate &&
	expect_status 2 diver init onlyone
'

test_done
