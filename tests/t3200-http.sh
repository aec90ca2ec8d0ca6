#!/bin/bash
# Sources over http: a real nginx, and a small Python server that cuts,
# stalls or ignores ranges, for pull's checking, resuming and locking.
. "$(dirname "$0")/lib.sh"

require_cmd python3
[ -x "$NGINX" ] || test_skip_all="'nginx' is not installed (scripts/install-deps installs nginx-light)"
export SOURCE_DATE_EPOCH=$(($(date +%s) - 3600))

# start_pyserver: tests/http-server.py on $TMP/pysite; sets PY_URL.
start_pyserver() {
	python3 "$SRC/tests/http-server.py" "$TMP/pysite" "$TMP/pyport" "$TMP/pylog" &
	at_exit "kill $!"
	for _ in $(seq 50); do [ -f "$TMP/pyport" ] && break; sleep 0.1; done
	PY_URL="http://127.0.0.1:$(cat "$TMP/pyport")/"
}

if [ -z "$test_skip_all" ]; then
	make_catalog site key
	cp -R "$TMP/site" "$TMP/pysite"
	start_nginx "$TMP/site" || test_skip_all="nginx did not start: $(cat "$TMP/nginx/error.log" 2>/dev/null)"
	start_pyserver
fi
PKG=$(cd "$TMP/site" && ls pkg/pebble/*/default.tar.zst | sort -V | tail -n 1)

test_expect_success 'an http source is verified and listed with its URL' '
	use_home web && diver trust add key.pub >/dev/null &&
	diver source add web "$NGINX_URL" >out && grep "added source .web. (http ${NGINX_URL%/}" out &&
	diver source list >l && grep -E "^web +http +[0-9]+ kernels? +serial [0-9]+ +${NGINX_URL%/}$" l &&
	diver search pebble >s && grep -E "^pebble .* web " s
'

test_expect_success 'pull downloads a package once, then has it' '
	use_home web &&
	diver pull pebble >p && grep -E "^pulled pebble:default@[0-9.]+ from .web. \(" p &&
	diver pull pebble pebble:debug >p2 && grep "^have pebble:default" p2 &&
	grep "^pulled pebble:debug" p2 &&
	ls "$DIVER_HOME"/cache/pkg/*.tar.zst >pk && test $(wc -l <pk) = 2 &&
	! ls "$DIVER_HOME"/cache/pkg/*.part 2>/dev/null &&
	diver init app pebble >/dev/null && test -f app/.pebble/lock.json
'

test_expect_success 'the catalog URL itself names its source too' '
	use_home web2 && diver trust add key.pub >/dev/null &&
	diver source add w "${NGINX_URL}catalog.json" >/dev/null &&
	diver source list | grep -E " ${NGINX_URL%/}$"
'

test_expect_success 'a dead server, a missing catalog and a wrong key are one clear line each' '
	use_home errs && diver trust add key.pub >/dev/null &&
	expect_error "cannot download .http://127.0.0.1:1/catalog.json.: .*(onnect|refused)" \
		diver source add dead http://127.0.0.1:1/ &&
	expect_error "cannot download .${NGINX_URL}nothing/catalog.json.: HTTP 404" \
		diver source add nothing "${NGINX_URL}nothing/" &&
	make_key other && use_home errs2 && diver trust add other.pub >/dev/null &&
	expect_error "signature|trusted" diver source add web "$NGINX_URL" &&
	diver source list | grep -q "^no sources"
'

test_expect_success 'over http too, a rolled-back or an expired catalog is refused' '
	use_home rb && diver trust add key.pub >/dev/null &&
	diver source add py "$PY_URL" >/dev/null &&
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH - 86400)) catalog-gen -q -k key -o older "$SRC/kernels" &&
	cp pysite/catalog.json pysite/catalog.json.sig . &&
	cp older/catalog.json older/catalog.json.sig pysite/ &&
	expect_status 1 diver update && grep "refusing a rollback" "$TMP/stderr" &&
	SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH - 200 * 86400)) catalog-gen -q -k key -o stale "$SRC/kernels" &&
	cp stale/catalog.json stale/catalog.json.sig pysite/ &&
	use_home rb2 && diver trust add key.pub >/dev/null &&
	expect_error "expired at" diver source add py "$PY_URL" &&
	cp catalog.json catalog.json.sig pysite/
'

test_expect_success 'a package that differs from the signed catalog is refused and not kept' '
	use_home tamper && diver trust add key.pub >/dev/null &&
	diver source add py "$PY_URL" >/dev/null &&
	cp "pysite/$PKG" pkg.orig && printf X | dd of="pysite/$PKG" bs=1 seek=100 conv=notrunc 2>/dev/null &&
	expect_error "does not match the signed catalog .* refusing it" diver pull pebble &&
	cp pkg.orig "pysite/$PKG" &&
	! ls "$DIVER_HOME"/cache/pkg/*.tar.zst* 2>/dev/null
'

test_expect_success 'a download cut halfway resumes from where it stopped' '
	use_home cut && diver trust add key.pub >/dev/null &&
	diver source add py "$PY_URL" >/dev/null &&
	echo cut >mode && : >pylog &&
	expect_error "cannot download .*; run the command again to resume" diver pull pebble &&
	part=$(ls "$DIVER_HOME"/cache/pkg/*.part) && size=$(stat -c %s "$part") &&
	test "$size" = $(($(stat -c %s "pysite/$PKG") / 2)) &&
	echo normal >mode &&
	diver pull pebble >p && grep "^pulled pebble" p &&
	grep "GET /$PKG bytes=$size-" pylog && ! ls "$DIVER_HOME"/cache/pkg/*.part 2>/dev/null &&
	diver init app-cut pebble >/dev/null
'

test_expect_success 'a server that ignores the range is read again from the start' '
	use_home norange && diver trust add key.pub >/dev/null &&
	diver source add py "$PY_URL" >/dev/null &&
	echo cut >mode && ! diver pull pebble 2>/dev/null &&
	echo norange >mode && diver pull pebble >p && grep "^pulled" p &&
	echo normal >mode
'

test_expect_success 'a stalled server is given up on, not waited for forever' '
	use_home stall && diver trust add key.pub >/dev/null &&
	diver source add py "$PY_URL" >/dev/null &&
	echo stall >mode &&
	DIVER_FETCH_STALL=1 expect_error "the server stalled" diver pull pebble &&
	echo normal >mode && diver pull pebble >/dev/null
'

test_expect_success 'eight diver processes pulling one package download it once' '
	use_home eight && diver trust add key.pub >/dev/null &&
	diver source add py "$PY_URL" >/dev/null &&
	echo slow >mode && : >pylog &&
	for i in 1 2 3 4 5 6 7 8; do diver pull -q pebble >"pull$i.out" 2>&1 & done &&
	fails=0 && for i in 1 2 3 4 5 6 7 8; do wait -n || fails=$((fails + 1)); done &&
	echo normal >mode && cat pull*.out && test $fails = 0 &&
	test "$(grep -c "GET /$PKG" pylog)" = 1
'

test_expect_success 'sixty-four pulls by different users into one shared cache from nginx' '
	export DIVER_SYSCONFDIR="$TMP/etc64" && mkdir -p etc64/trusted shared64 &&
	cp key.pub etc64/trusted/ && chmod 1777 shared64 &&
	echo "{\"cache\": \"$TMP/shared64\"}" >etc64/config.json &&
	for i in $(seq 64); do
		(use_home "u$i" && diver source add web "$NGINX_URL" >/dev/null &&
		 diver pull -q pebble pebble:debug && diver init "app$i" pebble >/dev/null) >"u$i.out" 2>&1 &
	done &&
	fails=0 && for i in $(seq 64); do wait -n || fails=$((fails + 1)); done &&
	cat u*.out && test $fails = 0 &&
	test "$(ls shared64/pkg/*.tar.zst | wc -l)" = 2 &&
	! ls shared64/pkg/*.part 2>/dev/null &&
	for i in $(seq 64); do test -f "app$i/.pebble/lock.json" || exit 1; done
'

test_expect_success 'users share the cache: another user adds to it, and does not trip on our files' '
	export DIVER_SYSCONFDIR="$TMP/etcu" && mkdir -p etcu/trusted sharedu &&
	cp key.pub etcu/trusted/ && chmod 1777 sharedu && chmod 755 "$TMP" &&
	echo "{\"cache\": \"$TMP/sharedu\"}" >etcu/config.json &&
	use_home root1 && diver source add py "$PY_URL" >/dev/null && diver pull -q pebble &&
	test "$(stat -c %a sharedu/pkg)" = 1777 &&
	echo cut >mode && ! diver pull -q pebble:debug 2>/dev/null && ls sharedu/pkg/*.part &&
	echo normal >mode &&
	mkdir -p nobody-home && chown 65534:65534 nobody-home &&
	setpriv --reuid=65534 --regid=65534 --clear-groups env DIVER_HOME="$TMP/nobody-home" HOME="$TMP/nobody-home" \
		sh -c "diver source add py \"$PY_URL\" >/dev/null && diver pull pebble pebble:debug" >nobody.out 2>&1 ||
		{ cat nobody.out; false; } &&
	cat nobody.out && grep "^have pebble:default" nobody.out && grep "^pulled pebble:debug" nobody.out &&
	test "$(stat -c %U sharedu/pkg/$(sed -n "s/.*sha256 \([0-9a-f]*\)).*/\1/p" nobody.out | tail -n1)*.tar.zst)" = nobody &&
	diver init app-shared pebble:debug >/dev/null
'

test_done
