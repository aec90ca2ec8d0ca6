#!/bin/bash
# bench/catalog.sh [N...] — catalog-gen against Hugo on the same synthetic
# kernels, in the same run, then incremental renders and search latency in
# headless Chromium.  Prints one table; docs/benchmarks.md has the figures.
#
#   bench/catalog.sh                  N = 1000 10000, search at 10k and 100k
#   RUNS=3 SEARCH_N="10000" bench/catalog.sh 1000
#
# Environment: RUNS (full renders timed per tool, best kept; default 3),
# SEARCH_N (catalog sizes for the search latency; default "10000 100000"),
# BENCH_DIR (scratch space; default /tmp/diver-bench, about 2 GB at 100k).
set -eu
cd "$(dirname "$0")/.."
top=$PWD
NS=${*:-1000 10000}
RUNS=${RUNS:-3}
SEARCH_N=${SEARCH_N:-10000 100000}
DIR=${BENCH_DIR:-/tmp/diver-bench}
BUILD=build/bench
export SOURCE_DATE_EPOCH=1795478400

scripts/install-deps >&2
make -s BUILD=$BUILD all >&2
CG="$top/$BUILD/bin/catalog-gen"
mkdir -p "$DIR"
# A copy of the templates, so that editing the tree does not disturb a run.
rm -rf "$DIR/templates" && cp -R site-templates "$DIR/templates"
export DIVER_TEMPLATES="$DIR/templates"
[ -f "$DIR/key" ] || "$top/$BUILD/bin/bundler" keygen -o "$DIR/key" >/dev/null

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
elapsed() { calc "$(now) - $1"; }
# best CMD...: the shortest of $RUNS runs, in seconds (each run from scratch).
best() {
	local b="" t s
	for _ in $(seq "$RUNS"); do
		eval "$PREPARE"
		s=$(now); "$@" >/dev/null 2>&1; t=$(elapsed "$s")
		if [ -z "$b" ] || [ "$(calc "$t < $b")" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ms() { printf '%.0f' "$(calc "$1 * 1000")"; }

generate() {
	local n=$1 hugo=${2:-}
	[ -f "$DIR/k$n/.done" ] && return
	rm -rf "$DIR/k$n" "$DIR/h$n"
	node bench/gen-kernels.js "$n" "$DIR/k$n" $hugo >&2
	touch "$DIR/k$n/.done"
	sleep 1.1       # files younger than a second are re-checked every run
}

# incremental N: median of 3 runs, each after one kernel's README changed.
incremental() {
	local n=$1 k t s
	for i in 1 2 3; do
		k=$(ls "$DIR/k$n" | sed -n "$((i * n / 4))p")
		printf '\nChanged in run %s.\n' "$i" >>"$DIR/k$n/$k/1.0.0/README.md"
		sleep 1.1       # past the racy window, as a real edit would be
		s=$(now); "$CG" -q -k "$DIR/key" -o "$DIR/s$n" "$DIR/k$n"; t=$(elapsed "$s")
		echo "$t"
	done | median
}

rows=()
for n in $NS; do
	echo "== $n kernels" >&2
	generate "$n" "$DIR/h$n"
	PREPARE="rm -rf '$DIR/s$n'"
	cg=$(best "$CG" -q -k "$DIR/key" -o "$DIR/s$n" "$DIR/k$n")
	PREPARE="rm -rf '$DIR/p$n' '$DIR/h$n/resources'"
	hugo=$(best hugo --quiet -s "$DIR/h$n" -d "$DIR/p$n")
	s=$(now); "$CG" -q -k "$DIR/key" -o "$DIR/s$n" "$DIR/k$n"; same=$(elapsed "$s")
	inc=$(incremental "$n")
	raw=$(stat -c %s "$DIR/s$n/search-index.js")
	gz=$(gzip -9 <"$DIR/s$n/search-index.js" | wc -c)
	pages=$(find "$DIR/s$n" -name '*.html' | wc -l)
	hpages=$(find "$DIR/p$n" -name '*.html' | wc -l)
	rows+=("$(printf '%7s %9s %9s %6s %11s %10s %9s %9s %7s %7s' "$n" \
		"$(ms "$cg")" "$(ms "$hugo")" "$(printf '%.2f' "$(calc "$cg / $hugo")")" \
		"$(ms "$inc")" "$(ms "$same")" "$((raw / 1024))" "$((gz / 1024))" "$pages" "$hpages")")
done

# Search latency: every prefix of some queries, as typed, in Chromium.
QUERIES='["hpc","numa","kitten","lightweight","mpi rank","realtime","scheduler","coral","a","s","tlb shootdown","x"]'
QUERY_JS="(() => {
	const words = $QUERIES, t = [], ix0 = performance.now();
	const ix = new DiverSearch.Index(DIVER_INDEX), load = performance.now() - ix0;
	for (const w of words) for (let i = 1; i <= w.length; i++) {
		const s = performance.now(); ix.query(w.slice(0, i)); t.push(performance.now() - s);
	}
	t.sort((a, b) => a - b);
	return [t[t.length >> 1], t[Math.floor(t.length * 0.95)], t[t.length - 1], load, t.length]
		.map((x) => Math.round(x * 100) / 100).join(' ');
})()"
PAGE_JS="(() => {
	const words = $QUERIES, t = [], q = document.getElementById('q');
	const r = document.getElementById('results');
	for (const w of words) for (let i = 1; i <= w.length; i++) {
		const s = performance.now();
		q.value = w.slice(0, i); q.dispatchEvent(new Event('input')); void r.offsetHeight;
		t.push(performance.now() - s);
	}
	t.sort((a, b) => a - b);
	return [t[t.length >> 1], t[Math.floor(t.length * 0.95)], t[t.length - 1]]
		.map((x) => Math.round(x * 100) / 100).join(' ');
})()"
search=()
for n in $SEARCH_N; do
	echo "== search at $n kernels" >&2
	if [ ! -f "$DIR/s$n/search-index.js" ]; then
		generate "$n"
		"$CG" -q -o "$DIR/s$n" "$DIR/k$n"
	fi
	printf '<!DOCTYPE html><meta charset="utf-8"><script src="s%s/search-index.js"></script><script src="s%s/assets/search.js"></script>\n' \
		"$n" "$n" >"$DIR/search$n.html"
	q=$(node tests/browser.js open "file://$DIR/search$n.html" eval "$QUERY_JS" | tr -d '"')
	p="-"
	# index.html itself (every kernel in the DOM) only where a browser copes.
	[ "$n" -le 20000 ] &&
		p=$(node tests/browser.js open "file://$DIR/s$n/index.html" eval "$PAGE_JS" | tr -d '"')
	search+=("$(printf '%7s %s | %s' "$n" "$q" "$p")")
done

echo
echo "catalog-gen vs Hugo $(hugo version | cut -d' ' -f2) on $(nproc) cores; times in ms (best of $RUNS full renders)"
printf '%7s %9s %9s %6s %11s %10s %9s %9s %7s %7s\n' kernels catalog-gen hugo ratio \
	incremental unchanged index-kB gzip-kB pages hugo-pages
for r in "${rows[@]}"; do echo "$r"; done
echo
echo "search in headless Chromium, ms per keypress: query only (median p95 max, index load, keypresses) | with results on index.html (median p95 max)"
for r in "${search[@]}"; do echo "$r"; done
