#!/bin/bash
# bench/diver.sh — the client against its anchors, in the same run:
#
#   search: `diver search WORD` on a 100k-kernel catalog (warm, median of
#           RUNS) against `grep -c WORD catalog.json` on the same catalog
#   pull:   `diver pull` of a 1 GiB package from nginx on 127.0.0.1 (fresh
#           cache each run, best of RUNS) against `curl -o FILE` of the
#           same URL, and against `curl -o FILE && sync FILE` (curl plus
#           the fsync that diver does before it renames a package into the
#           cache); peak RSS of both from GNU time
#
# Environment: N (kernels, default 100000), PULL_MB (default 1024), RUNS
# (default 5), BENCH_DIR (scratch, default /tmp/diver-bench-client).
set -eu
cd "$(dirname "$0")/.."
top=$PWD
N=${N:-100000}
PULL_MB=${PULL_MB:-1024}
RUNS=${RUNS:-5}
DIR=${BENCH_DIR:-/tmp/diver-bench-client}
BUILD=build/bench
export SOURCE_DATE_EPOCH=$(($(date +%s) - 600))

scripts/install-deps >&2
make -s BUILD=$BUILD all >&2
B="$top/$BUILD/bin"
export PATH="$B:$PATH" DIVER_SYSCONFDIR="$DIR/no-site"
mkdir -p "$DIR"
cd "$DIR"

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# timed CMD...: seconds of one run (output discarded)
timed() { local s; s=$(now); "$@" >/dev/null 2>&1 || true; calc "$(now) - $s"; }

echo "== a catalog of $N kernels" >&2
if [ ! -f "big/.done-$N" ]; then
	rm -rf big && mkdir big
	python3 - "$N" big/catalog.json <<'PY'
import hashlib, json, random, sys
n, out = int(sys.argv[1]), sys.argv[2]
random.seed(1)
words = ("hpc lite fast tiny net io gpu rdma mpi storage stream batch vector "
         "quantum kernel unikernel exo micro secure rt").split()
ks = []
for i in range(n):
    tags = random.sample(words, 3)
    name = "k%06d-%s" % (i, random.choice(words))
    h = hashlib.sha256(name.encode()).hexdigest()
    ks.append({"name": name, "releases": [{
        "name": name, "version": "1.0.0", "license": "MIT", "authors": ["bench"],
        "summary": "Synthetic kernel %d for %s workloads" % (i, " and ".join(tags)),
        "tags": tags, "arch": "x86_64", "modes": ["vm"], "build": "none", "interface": {},
        "variants": {"default": {
            "image": {"path": "default/image", "format": "multiboot1", "sha256": h, "size": 4096},
            "package": {"path": "pkg/%s/1.0.0/default.tar.zst" % name, "sha256": h, "size": 2048}}}}]})
json.dump({"format": 1, "serial": 1, "generated": "2026-11-20T00:00:00Z",
           "expires": "2099-01-01T00:00:00Z", "kernels": ks, "toolchains": []},
          open(out, "w"), separators=(",", ":"))
PY
	touch "big/.done-$N"
fi
export DIVER_HOME="$DIR/home-search"
rm -rf "$DIVER_HOME"
diver source add big "$DIR/big" --insecure >/dev/null 2>&1
first=$(timed diver search quantum)
s_warm=$(for _ in $(seq "$RUNS"); do timed diver search quantum; done | median)
s_none=$(for _ in $(seq "$RUNS"); do timed diver search zzzz; done | median)
g_warm=$(for _ in $(seq "$RUNS"); do timed grep -c quantum big/catalog.json; done | median)
hits=$(diver search quantum | tail -n +2 | wc -l)

echo "== a ${PULL_MB} MiB package behind nginx" >&2
if [ ! -f "pull/.done-$PULL_MB" ]; then
	rm -rf pull && mkdir -p pull/tree/huge/1.0.0/default/kit
	head -c "$((PULL_MB * 1048576))" /dev/urandom >pull/tree/huge/1.0.0/default/image
	echo "# kit" >pull/tree/huge/1.0.0/default/kit/build.mk
	echo "# huge" >pull/tree/huge/1.0.0/README.md
	img=pull/tree/huge/1.0.0/default/image
	cat >pull/tree/huge/1.0.0/kernel.json <<JSON
{"name":"huge","version":"1.0.0","summary":"A kernel with a big image, for the pull benchmark",
 "license":"MIT","tags":["bench"],"arch":"x86_64","modes":["vm"],"build":"none",
 "variants":{"default":{"image":{"path":"default/image","format":"multiboot1",
   "sha256":"$(sha256sum <"$img" | cut -d' ' -f1)","size":$(stat -c %s "$img")},"kit":{"path":"default/kit"}}}}
JSON
	"$B/bundler" keygen -o pull/key --force >/dev/null
	catalog-gen -q -k pull/key --max-image-size $((PULL_MB + 16)) -o pull/site pull/tree
	touch "pull/.done-$PULL_MB"
fi
# nginx, started the way the tests start it (tests/lib.sh makes $TMP)
DIVER_SRC="$top" DIVER_BUILD="$top/$BUILD" . "$top/tests/lib.sh" </dev/null
start_nginx "$DIR/pull/site" >/dev/null
trap 'kill $(cat "$TMP/nginx/nginx.pid") 2>/dev/null; rm -rf "$TMP"' EXIT
url="${NGINX_URL}pkg/huge/1.0.0/default.tar.zst"
export DIVER_HOME="$DIR/home-pull"
rm -rf "$DIVER_HOME"
diver trust add pull/key.pub >/dev/null
diver source add web "$NGINX_URL" >/dev/null
best_pull="" best_curl="" best_sync=""
for _ in $(seq "$RUNS"); do
	rm -rf "$DIVER_HOME/cache" "$DIVER_HOME/data/unpacked"
	s=$(now); /usr/bin/time -f %M -o pull.rss diver pull -q huge; t=$(calc "$(now) - $s")
	[ -z "$best_pull" ] || [ "$(calc "$t < $best_pull")" = 1 ] && best_pull=$t
	rm -f curl.out
	s=$(now); /usr/bin/time -f %M -o curl.rss curl -s -o curl.out "$url"; t=$(calc "$(now) - $s")
	[ -z "$best_curl" ] || [ "$(calc "$t < $best_curl")" = 1 ] && best_curl=$t
	rm -f curl.out
	s=$(now); curl -s -o curl.out "$url" && sync curl.out; t=$(calc "$(now) - $s")
	[ -z "$best_sync" ] || [ "$(calc "$t < $best_sync")" = 1 ] && best_sync=$t
done
rm -f curl.out

printf '\ndiver on %s cores; search: median of %s warm runs; pull: best of %s\n' "$(nproc)" "$RUNS" "$RUNS"
printf 'search %d kernels (%s MB catalog): first run %s ms (builds the index), warm %s ms (%d hits), no match %s ms; grep -c %s ms; ratio %.2f\n' \
	"$N" "$(calc "$(stat -c %s big/catalog.json) / 1000000" | awk '{ printf "%.0f", $1 }')" \
	"$(ms "$first")" "$(ms "$s_warm")" "$hits" "$(ms "$s_none")" "$(ms "$g_warm")" "$(calc "$s_warm / $g_warm")"
printf 'pull %d MiB: diver %.2f s, curl %.2f s, ratio %.2f; curl+fsync %.2f s, ratio %.2f; peak RSS diver %.1f MiB, curl %.1f MiB\n' \
	"$PULL_MB" "$best_pull" "$best_curl" "$(calc "$best_pull / $best_curl")" \
	"$best_sync" "$(calc "$best_pull / $best_sync")" \
	"$(calc "$(tail -n1 pull.rss) / 1024")" "$(calc "$(tail -n1 curl.rss) / 1024")"
