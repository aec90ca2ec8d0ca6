#!/bin/bash
# bench/bundle.sh — bundler pack, verify and a delta against the shell
# pipeline doing the same work, in the same run, on synthetic packages.
#
#   bench/bundle.sh                 about 1 GiB: 8 kernels of 128 MiB
#   SIZE_MB=256 bench/bundle.sh     smaller
#
# pack   vs  tar -cf - | zstd -3 -T0  +  sha256sum of every file  +  openssl sign
# verify vs  zstd -dc | sha256sum  (one pass over the bundle, no checks)
# Each is the best of RUNS runs (default 3); peak RSS from GNU time.
# Environment: SIZE_MB (default 1024), KERNELS (default 8), RUNS,
# BENCH_DIR (scratch, default /tmp/diver-bench-bundle; needs ~3x SIZE_MB).
set -eu
cd "$(dirname "$0")/.."
top=$PWD
SIZE_MB=${SIZE_MB:-1024}
KERNELS=${KERNELS:-8}
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/tmp/diver-bench-bundle}
BUILD=build/bench
export SOURCE_DATE_EPOCH=$(($(date +%s) - 600))

scripts/install-deps >&2
make -s BUILD=$BUILD all >&2
B="$top/$BUILD/bin"
mkdir -p "$DIR"
cd "$DIR"

now() { date +%s.%N; }
rss() { tail -n 1 "$DIR/rss"; }
calc() { awk "BEGIN { print $* }"; }
# best CMD: seconds of the best of $RUNS runs; rss: peak RSS (KiB) of the last
best() {
	local b="" t s
	for _ in $(seq "$RUNS"); do
		s=$(now)
		/usr/bin/time -f %M -o "$DIR/rss" "$@" >/dev/null 2>"$DIR/err" ||
			{ cat "$DIR/err" >&2; exit 1; }
		t=$(calc "$(now) - $s")
		if [ -z "$b" ] || [ "$(calc "$t < $b")" = 1 ]; then b=$t; fi
	done
	echo "$b"
}

# Synthetic kernels: random images (packages of incompressible data, as
# real packages are already compressed) and a small kit each.
if [ ! -f tree/.done ] || [ "$(cat tree/.done)" != "$SIZE_MB/$KERNELS" ]; then
	echo "== generating $SIZE_MB MiB in $KERNELS kernels" >&2
	rm -rf tree site
	per=$((SIZE_MB / KERNELS))
	for i in $(seq "$KERNELS"); do
		d="tree/bench$i/1.0.0"
		mkdir -p "$d/default/kit"
		head -c "$((per * 1048576))" /dev/urandom >"$d/default/image"
		echo "# kit" >"$d/default/kit/build.mk"
		echo "# bench$i" >"$d/README.md"
		cat >"$d/kernel.json" <<JSON
{"name":"bench$i","version":"1.0.0","summary":"Synthetic kernel $i for the bundle benchmark",
 "license":"MIT","tags":["bench"],"arch":"x86_64","modes":["vm"],"build":"none",
 "variants":{"default":{"image":{"path":"default/image","format":"multiboot1",
   "sha256":"$(sha256sum <"$d/default/image" | cut -d' ' -f1)","size":$(stat -c %s "$d/default/image")},
   "kit":{"path":"default/kit"}}}}
JSON
	done
	[ -f key ] || "$B/bundler" keygen -o key >/dev/null
	"$B/catalog-gen" -q -k key -o site tree
	echo "$SIZE_MB/$KERNELS" >tree/.done
fi
pkgs=$(cd site && find pkg -name '*.tar.zst' | sort)
bytes=$(cd site && cat $pkgs | wc -c)

echo "== pack" >&2
pack=$(best "$B/bundler" pack -k key -o b.dvb --from site --all --level 3); pack_rss=$(rss)
anchor_pack() {
	(cd site && tar -cf - catalog.json catalog.json.sig $pkgs | zstd -3 -T0 -q -c >"$DIR/a.tar.zst" &&
	 sha256sum $pkgs >"$DIR/sums" && openssl pkeyutl -sign -rawin -inkey "$DIR/key" \
		-in "$DIR/sums" -out "$DIR/sums.sig")
}
export -f anchor_pack; export DIR pkgs
apack=$(best bash -c anchor_pack); apack_rss=$(rss)

echo "== verify" >&2
verify=$(best "$B/bundler" verify -p key.pub b.dvb); verify_rss=$(rss)
averify=$(best bash -c 'zstd -dc -q b.dvb | sha256sum'); averify_rss=$(rss)

echo "== delta" >&2
# one package changes: its kernel gets a 1.0.1 with 1 MiB of new bytes
rm -rf tree2 site2 d.dvb && cp -al tree tree2 && rm -rf tree2/bench1/1.0.1 && cp -R tree2/bench1/1.0.0 tree2/bench1/1.0.1
head -c 1048576 /dev/urandom | dd of=tree2/bench1/1.0.1/default/image bs=1M seek=0 conv=notrunc 2>/dev/null
img=tree2/bench1/1.0.1/default/image
sed -i -e 's/"version":"1.0.0"/"version":"1.0.1"/' \
	-e "s/\"sha256\":\"[0-9a-f]*\"/\"sha256\":\"$(sha256sum <"$img" | cut -d' ' -f1)\"/" tree2/bench1/1.0.1/kernel.json
SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + 60)) "$B/catalog-gen" -q -k key -o site2 tree2
SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + 60)) "$B/bundler" pack -k key -o d.dvb --from site2 --all --since b.dvb >/dev/null
changed=$(stat -c %s "site2/pkg/bench1/1.0.1/default.tar.zst")
delta=$(stat -c %s d.dvb)

mib() { calc "$1 / 1024" | awk '{ printf "%.1f", $1 }'; }
printf '\nbundler on %s MiB of packages (%d kernels), %s cores; best of %s; seconds, peak RSS in MiB\n' \
	"$(calc "$bytes / 1048576" | awk '{ printf "%.0f", $1 }')" "$KERNELS" "$(nproc)" "$RUNS"
printf '%-8s %9s %9s %9s %7s %10s\n' step bundler pipeline ratio rss pipeline-rss
printf '%-8s %9.2f %9.2f %9.2f %7s %10s\n' pack "$pack" "$apack" "$(calc "$pack / $apack")" "$(mib "$pack_rss")" "$(mib "$apack_rss")"
printf '%-8s %9.2f %9.2f %9.2f %7s %10s\n' verify "$verify" "$averify" "$(calc "$verify / $averify")" "$(mib "$verify_rss")" "$(mib "$averify_rss")"
printf 'delta: %d bytes for a changed package of %d bytes (%.2f%% over)\n' "$delta" "$changed" \
	"$(calc "($delta - $changed) * 100 / $changed")"
