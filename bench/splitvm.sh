#!/bin/bash
# bench/splitvm.sh — splitvm delegation and the shared-memory console, in
# one run, one table (not part of make check):
#
#   latency:   round trip of a delegated call — N back-to-back
#              clock_gettime(CLOCK_MONOTONIC) calls in a pebble app under
#              -d splitvm; the host's own clock, read by the delegate, gives
#              each call's time as the difference to the previous one
#              (median and p99); TCG, and KVM only where it is real
#   read:      a 1 GiB host file read through delegation (64 KiB reads)
#              against `cat FILE >/dev/null` of the same file, page-cached
#   console:   stdin -> stdout through one dive of the cat example (16 KiB
#              reads) on the UART (--console uart) and on the fast path
#              (--console fast), and of the same app with 256 KiB reads on
#              the fast path, against `cat | cat` of the same bytes
#
# Throughputs are bytes over (time of the run - time of the same run with no
# input): boot and power-off are left out.  Each figure is the median of
# ROUNDS interleaved rounds.  Environment: ROUNDS (default 5), CALLS
# (default 20000), READ_MB (default 1024), UART_KB (default 256), FAST_MB
# (default 64), BENCH_DIR (default /tmp/diver-bench-splitvm), BENCH_BUILD
# (binaries already built, e.g. build; default: make them in build/bench).
set -eu
cd "$(dirname "$0")/.."
top=$PWD
ROUNDS=${ROUNDS:-5}
CALLS=${CALLS:-20000}
READ_MB=${READ_MB:-1024}
UART_KB=${UART_KB:-256}
FAST_MB=${FAST_MB:-64}
DIR=${BENCH_DIR:-/tmp/diver-bench-splitvm}
BUILD=${BENCH_BUILD:-build/bench}

# BENCH_BUILD names binaries built already (make is not run then)
[ -n "${BENCH_BUILD:-}" ] || make -s BUILD="$BUILD" all >&2
export PATH="$top/$BUILD/bin:$PATH" DIVER_SYSCONFDIR="$DIR/no-site" DIVER_HOME="$DIR/home" LC_ALL=C
rm -rf "$DIR" && mkdir -p "$DIR/share" && cd "$DIR"
trap 'rm -rf "$DIR"' EXIT

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\\n\", $1 }"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# --- set-up: the repository's kernels, three apps ---
bundler keygen -o key >/dev/null
catalog-gen -q -k key -o site "$top/kernels"
diver trust add key.pub >/dev/null && diver source add main site >/dev/null
diver init cat pebble --example cat >/dev/null && diver build -q cat >/dev/null 2>&1
# the cat example with 256 KiB reads instead of 16 KiB
diver init bigcat pebble --example cat >/dev/null
sed -i 's/buf\[16384\]/buf[262144]/' bigcat/main.c && grep -q 262144 bigcat/main.c
diver build -q bigcat >/dev/null 2>&1
diver init lat pebble >/dev/null
cat >lat/main.c <<C
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static long long t[$CALLS + 1];
int main(void) {
	struct timespec ts;
	for (int i = 0; i <= $CALLS; i++) {
		if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
			return 1;
		t[i] = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	for (int i = 1; i <= $CALLS; i++)
		printf("%lld\n", t[i] - t[i - 1]);
	return 0;
}
C
diver build -q lat >/dev/null 2>&1
diver init rd pebble >/dev/null
cat >rd/main.c <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
	static char buf[65536];
	long long total = 0;
	long n;
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;
	if (fd < 0)
		return argc > 1;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		total += n;
	printf("%lld\n", total);
	return n < 0;
}
C
diver build -q rd >/dev/null 2>&1
head -c $((READ_MB << 20)) /dev/zero | tr '\0' 'x' >share/big
: >share/empty
head -c $((UART_KB << 10)) /dev/urandom >uart.in
head -c $((FAST_MB << 20)) /dev/urandom >fast.in
cat share/big >/dev/null

accels=tcg
if grep -qE "^flags.* (vmx|svm)" /proc/cpuinfo && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
	accels="tcg kvm"
fi

# seconds of one command (stdin from $1)
timed() {
	local in=$1 t0 t1
	shift
	t0=$(now)
	"$@" <"$in" >/dev/null 2>&1
	t1=$(now)
	calc "$t1 - $t0" 6
}

declare -A lat50 lat99 rd_mbs cat_mbs con_mbs anchor_mbs
for accel in $accels; do
	for r in $(seq "$ROUNDS"); do
		diver dive -d splitvm lat --accel $accel 2>/dev/null | sort -n >lat.$accel.$r
		awk -v n="$CALLS" 'NR == int(n * 0.5) { print > "p50" } NR == int(n * 0.99) { print > "p99" }' lat.$accel.$r
		cat p50 >>lat50.$accel; cat p99 >>lat99.$accel
		e=$(timed /dev/null diver dive -d splitvm rd --accel $accel --share share -- empty)
		f=$(timed /dev/null diver dive -d splitvm rd --accel $accel --share share -- big)
		calc "$READ_MB * 1.048576 / ($f - $e)" >>rd.$accel
	done
	lat50[$accel]=$(median <lat50.$accel)
	lat99[$accel]=$(median <lat99.$accel)
	rd_mbs[$accel]=$(median <rd.$accel)
done
for r in $(seq "$ROUNDS"); do
	t=$(timed share/big cat)
	calc "$READ_MB * 1.048576 / $t" >>cat.read
	e=$(timed /dev/null diver dive cat --accel tcg --console uart)
	u=$(timed uart.in diver dive cat --accel tcg --console uart)
	calc "$UART_KB * 0.001024 / ($u - $e)" 3 >>con.uart
	e=$(timed /dev/null diver dive cat --accel tcg --console fast)
	f=$(timed fast.in diver dive cat --accel tcg --console fast)
	calc "$FAST_MB * 1.048576 / ($f - $e)" >>con.fast
	e=$(timed /dev/null diver dive bigcat --accel tcg --console fast)
	f=$(timed fast.in diver dive bigcat --accel tcg --console fast)
	calc "$FAST_MB * 1.048576 / ($f - $e)" >>con.fast256
	a=$(timed fast.in sh -c 'cat | cat')
	calc "$FAST_MB * 1.048576 / $a" >>con.anchor
done

printf '\n%-44s %12s %12s\n' "splitvm (pebble $(ls "$top/kernels/pebble" | grep -E '^[0-9.]+$' | sort -V | tail -n 1), $(nproc) cores)" median p99
for accel in $accels; do
	printf '%-44s %9s us %9s us\n' "delegated call round trip, $accel" \
		"$(calc "${lat50[$accel]} / 1000")" "$(calc "${lat99[$accel]} / 1000")"
done
printf '\n%-44s %12s\n' "throughput (median of $ROUNDS)" "MB/s"
for accel in $accels; do
	printf '%-44s %12s\n' "read ${READ_MB} MiB through delegation, $accel" "${rd_mbs[$accel]}"
done
printf '%-44s %12s\n' "cat FILE >/dev/null (anchor)" "$(median <cat.read)"
printf '%-44s %12s\n' "console, UART (${UART_KB} KiB), tcg" "$(median <con.uart)"
printf '%-44s %12s\n' "console, fast path (${FAST_MB} MiB), tcg" "$(median <con.fast)"
printf '%-44s %12s\n' "  the same, 256 KiB reads and writes" "$(median <con.fast256)"
printf '%-44s %12s\n' "cat | cat (anchor)" "$(median <con.anchor)"
