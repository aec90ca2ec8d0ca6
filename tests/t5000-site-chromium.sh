#!/bin/bash
# The catalog site in headless Chromium (Debian chromium), over http from
# nginx and from file://: instant search, ranking, keyboard, the query in
# the URL, pages without JavaScript, escaping; screenshots of the index and
# a kernel page, wide and narrow, in tests/out/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/site-fixtures.sh"

require_cmd node
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
	test_skip_all="'chromium' is not installed (scripts/install-deps installs it)"
[ -x "$NGINX" ] || test_skip_all="'nginx' is not installed (scripts/install-deps installs nginx-light)"
SHOTS="$SRC/tests/out"
mkdir -p "$SHOTS"

export SOURCE_DATE_EPOCH=1795478400
if [ -z "$test_skip_all" ]; then
	make_key key
	(cd "$TMP" && site_fixture tree && catalog-gen -q -k key -o site tree)
	start_nginx "$TMP/site" || test_skip_all="nginx did not start"
fi
FILE="file://$TMP/site/"

# browse STEP...: run tests/browser.js; a browser that does not start is a failure.
browse() { node "$SRC/tests/browser.js" "$@"; }

RESULTS='[...document.querySelectorAll("#results .k-link")].map(a => a.textContent).join(" ")'

test_expect_success 'over http: typing a query shows ranked results at every keypress' '
	browse open "${NGINX_URL}index.html" \
		expect "!document.getElementById(\"search\").hidden" \
		type h wait "document.querySelectorAll(\"#results li\").length > 0" \
		type pc wait "document.getElementById(\"status\").textContent.includes(\"“hpc”\")" \
		eval "$RESULTS" wait "location.search === \"?q=hpc\"" \
		expect "document.getElementById(\"browse\").hidden" noerrors >out &&
	cat out && grep -qx "\"hpc-lite nautilus-rt reef-mpi coral\"" out
'

test_expect_success 'from file://: the same search works without a server' '
	browse open "${FILE}index.html" type hpc \
		wait "document.querySelectorAll(\"#results li\").length === 4" \
		eval "$RESULTS" noerrors >out &&
	cat out && grep -qx "\"hpc-lite nautilus-rt reef-mpi coral\"" out
'

test_expect_success 'index.html?q= opens with those results, over http and from file://' '
	for base in "$NGINX_URL" "$FILE"; do
		browse open "${base}index.html?q=lightweight" \
			wait "document.querySelectorAll(\"#results li\").length === 2" \
			expect "document.getElementById(\"q\").value === \"lightweight\"" \
			eval "$RESULTS" >out || exit 1
		grep -qx "\"hpc-lite kitten-lts\"" out || { cat out; exit 1; }
	done
'

test_expect_success 'the keyboard chooses and opens a result' '
	browse open "${NGINX_URL}index.html" key Slash type hp \
		wait "document.querySelector(\"#results li.sel\")" \
		key ArrowDown key ArrowDown key ArrowUp \
		eval "document.querySelector(\"#results li.sel .k-link\").textContent" \
		key Enter wait "location.pathname.endsWith(\"/kernels/nautilus-rt/index.html\")" \
		expect "document.querySelector(\"h1\").textContent.startsWith(\"nautilus-rt\")" \
		noerrors >out &&
	cat out && grep -qx "\"nautilus-rt\"" out
'

test_expect_success 'Escape and a query with no match' '
	browse open "${FILE}index.html" type zzzq \
		wait "document.getElementById(\"status\").textContent.startsWith(\"No kernel matches\")" \
		key Escape wait "!document.getElementById(\"browse\").hidden" \
		expect "document.getElementById(\"q\").value === \"\"" noerrors
'

test_expect_success 'without JavaScript every kernel is listed and linked' '
	n=$(ls tree | wc -l) &&
	browse nojs open "${NGINX_URL}index.html" \
		expect "document.querySelectorAll(\"#all li\").length === $n" \
		expect "document.getElementById(\"search\").hidden" \
		expect "document.querySelectorAll(\".cloud a\").length > 10" \
		open "${NGINX_URL}tags/hpc.html" \
		expect "document.querySelector(\".k-link\").href.endsWith(\"/kernels/nautilus-rt/index.html\")"
'

test_expect_success 'a summary with <script> shows as text and does not run' '
	mkdir -p xss && make_kernel xss probe 1.0.0 "<script>window.pwned = 1</script><b>x</b>" \
		"test" "vm" link "<script>window.pwned = 2</script>" &&
	catalog-gen -q -o xss-site xss &&
	for p in index.html kernels/probe/index.html "index.html?q=probe"; do
		browse open "file://$TMP/xss-site/$p" \
			wait "document.querySelector(\".k-sum, .lede\")" \
			expect "typeof window.pwned === \"undefined\"" \
			expect "document.body.textContent.includes(\"<script>window.pwned = 1</script><b>x</b>\")" \
			noerrors || exit 1
	done
'

test_expect_success 'screenshots of the index and a kernel page, wide and narrow' '
	browse open "${NGINX_URL}index.html" shot "$SHOTS/t5000-index.png" \
		type hpc wait "document.querySelectorAll(\"#results li\").length === 4" \
		shot "$SHOTS/t5000-search.png" \
		open "${NGINX_URL}kernels/hpc-lite/index.html" shot "$SHOTS/t5000-kernel.png" \
		size 420x900 open "${NGINX_URL}index.html" shot "$SHOTS/t5000-index-narrow.png" \
		open "${NGINX_URL}kernels/hpc-lite/index.html" shot "$SHOTS/t5000-kernel-narrow.png" \
		expect "document.documentElement.scrollWidth <= 420" noerrors &&
	for f in index search kernel index-narrow kernel-narrow; do
		test "$(head -c 8 "$SHOTS/t5000-$f.png" | od -An -tx1 | tr -d " ")" = 89504e470d0a1a0a ||
			{ echo "no PNG $f"; exit 1; }
	done
'

test_done
