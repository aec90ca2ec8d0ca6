#!/bin/bash
# The catalog served by a real nginx (Debian nginx-light) on 127.0.0.1,
# fetched with curl: pages, content types, and packages that match the
# signed catalog.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/site-fixtures.sh"

require_cmd curl
[ -x "$NGINX" ] || test_skip_all="'nginx' is not installed (scripts/install-deps installs nginx-light)"

export SOURCE_DATE_EPOCH=1795478400
if [ -z "$test_skip_all" ]; then
	make_key key
	(cd "$TMP" && site_fixture tree && catalog-gen -q -k key -o site tree)
	start_nginx "$TMP/site" || test_skip_all="nginx did not start: $(cat "$TMP/nginx/error.log" 2>/dev/null)"
fi

# fetch PATH: body to $TMP/body, headers to $TMP/headers; fails unless 200.
fetch() {
	curl -sS -D "$TMP/headers" -o "$TMP/body" "$NGINX_URL$1" &&
	head -n1 "$TMP/headers" | grep -q " 200"
}
content_type() {
	grep -i "^content-type:" "$TMP/headers" | tr -d '\r' | cut -d' ' -f2-
}

test_expect_success 'pages are served as HTML' '
	fetch index.html && content_type | grep -qx "text/html; charset=utf-8" &&
	grep -q "kernels/hpc-lite/index.html" body &&
	fetch kernels/hpc-lite/index.html && grep -q "diver init app hpc-lite:default@1.0.0" body &&
	fetch tags/hpc.html && grep -q nautilus-rt body &&
	fetch offline.html && grep -q "bundler verify" body
'

test_expect_success 'catalog.json is application/json and verifies with its signature' '
	fetch catalog.json && content_type | grep -q "^application/json" &&
	cp body catalog.json &&
	fetch catalog.json.sig && content_type | grep -qx application/octet-stream &&
	cp body catalog.json.sig &&
	openssl pkeyutl -verify -pubin -inkey key.pub -rawin -in catalog.json -sigfile catalog.json.sig
'

test_expect_success 'search-index.js and the assets have script and style types' '
	fetch search-index.js && content_type | grep -q "^application/javascript" &&
	grep -q "var DIVER_INDEX" body &&
	fetch assets/search.js && content_type | grep -q "^application/javascript" &&
	fetch assets/style.css && content_type | grep -q "^text/css" &&
	fetch assets/icon.svg && content_type | grep -qx "image/svg+xml"
'

test_expect_success 'every package is application/zstd and matches the catalog' '
	grep -o "\"path\":\"pkg/[^\"]*\",\"sha256\":\"[0-9a-f]*\",\"size\":[0-9]*" catalog.json |
		sed "s/\"path\":\"\(.*\)\",\"sha256\":\"\(.*\)\",\"size\":\(.*\)/\1 \2 \3/" >pkgs &&
	test "$(wc -l <pkgs)" -ge 10 &&
	while read -r path sha size; do
		fetch "$path" && content_type | grep -qx application/zstd &&
		test "$(sha256sum <body | cut -d" " -f1)" = "$sha" &&
		test "$(stat -c %s body)" = "$size" &&
		tar --zstd -tf body | grep -qx kernel.json || { echo "bad $path"; exit 1; }
	done <pkgs
'

test_expect_success 'a file that is not there is a 404' '
	! fetch kernels/nope/index.html && head -n1 headers | grep -q " 404"
'

test_done
