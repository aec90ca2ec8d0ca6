#!/bin/bash
# bench/libvirt.sh — `diver dive --via libvirt` against `diver dive` on
# its own QEMU (the anchor), in the same run, on a libvirt daemon started
# the way tests/t4400-libvirt.sh starts it:
#
#   dive:    pebble's hello net, median of RUNS (hyperfine): QEMU backend;
#            libvirt back to back; libvirt with 3 s between runs
#   stdin:   STDIN_KB KiB of random bytes through the cat example (best of
#            3), both on the UART (COM1)
#   start:   `diver --version` as built (libvirt opened by dlopen) against
#            the same objects linked with libvirt (median of 200)
#
# Environment: RUNS (default 8), STDIN_KB (default 256).
set -eu
cd "$(dirname "$0")/.."
top=$PWD
RUNS=${RUNS:-8}
STDIN_KB=${STDIN_KB:-256}
BUILD=build/bench

scripts/install-deps >&2
make -s BUILD=$BUILD all >&2
# (tests/lib.sh makes $TMP, removed at the end, and sets BUILD absolute)
DIVER_SRC="$top" DIVER_BUILD="$top/$BUILD" . "$top/tests/lib.sh" </dev/null
cd "$TMP"
export DIVER_HOME="$TMP/home" HOME="$TMP/home/user" XDG_RUNTIME_DIR="$TMP/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
# median_of JSON: "median min" of hyperfine's one result, in seconds
median_of() { python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]; print(r["median"], r["min"])' "$1"; }

echo "== nets and a daemon" >&2
make_catalog site key
diver trust add key.pub >/dev/null && diver source add main site >/dev/null
diver init hello pebble >/dev/null && diver build -q hello >/dev/null 2>&1
diver init cat pebble --example cat >/dev/null && diver build -q cat >/dev/null 2>&1
start_libvirtd >why || { echo "no libvirt daemon can run here: $(cat why)" >&2; exit 1; }
export LIBVIRT_DEFAULT_URI="$LIBVIRT_URI"
diver dive hello --via libvirt --accel tcg >/dev/null 2>&1   # the first start probes QEMU

echo "== dive" >&2
hyperfine -N -w 1 -r "$RUNS" --export-json q.json "diver dive hello --accel tcg" >&2
hyperfine -N -w 1 -r "$RUNS" --export-json l.json "diver dive hello --via libvirt --accel tcg" >&2
hyperfine -N -w 1 -r "$RUNS" -p "sleep 3" --export-json s.json \
	"diver dive hello --via libvirt --accel tcg" >&2
read -r q_med q_min < <(median_of q.json)
read -r l_med l_min < <(median_of l.json)
read -r s_med s_min < <(median_of s.json)

echo "== stdin through cat" >&2
head -c $((STDIN_KB << 10)) /dev/urandom >in
best() {
	local b=999999 t s i
	for i in 1 2 3; do
		s=$(now); "$@" <in >out 2>/dev/null; t=$(calc "$(now) - $s")
		cmp -s in out || { echo "the bytes differ: $*" >&2; exit 1; }
		b=$(calc "$t < $b ? $t : $b")
	done
	echo "$b"
}
tq=$(best diver dive cat --accel tcg --console uart)
tl=$(best diver dive cat --via libvirt --accel tcg)

echo "== diver --version, libvirt opened or linked" >&2
gcc -o linked "$BUILD"/obj/diver/*.o "$BUILD/libdiver.a" \
	$(pkg-config --libs libarchive libzstd jansson libcmark-gfm openssl) \
	-Wl,--no-as-needed $(pkg-config --libs libvirt) -lpthread -ldl
hyperfine -N -w 10 -r 200 --export-json v1.json "$BUILD/bin/diver --version" >&2
hyperfine -N -w 10 -r 200 --export-json v2.json "./linked --version" >&2
read -r v1 _ < <(median_of v1.json)
read -r v2 _ < <(median_of v2.json)

printf '\n%-44s %10s %10s %8s\n' "what" "median" "min" "ratio"
printf '%-44s %9.3fs %9.3fs %8s\n' "dive hello, QEMU backend (anchor)" "$q_med" "$q_min" "1.00"
printf '%-44s %9.3fs %9.3fs %7.1fx\n' "dive hello, libvirt, back to back" "$l_med" "$l_min" "$(calc "$l_med / $q_med")"
printf '%-44s %9.3fs %9.3fs %7.1fx\n' "dive hello, libvirt, 3 s apart" "$s_med" "$s_min" "$(calc "$s_med / $q_med")"
printf '%-44s %9.3fs %10s %7.1fx\n' "$STDIN_KB KiB through cat, QEMU, UART (best)" "$tq" "" "1.0"
printf '%-44s %9.3fs %10s %7.1fx\n' "$STDIN_KB KiB through cat, libvirt (best)" "$tl" "" "$(calc "$tl / $tq")"
printf '%-44s %8.1fms %10s %8s\n' "diver --version (libvirt by dlopen)" "$(calc "$v1 * 1000")" "" "1.00"
printf '%-44s %8.1fms %10s %7.1fx\n' "diver --version (libvirt linked)" "$(calc "$v2 * 1000")" "" "$(calc "$v2 / $v1")"
