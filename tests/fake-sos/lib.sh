# tests/fake-sos/lib.sh — sourced by the fake co-kernel tools in this
# directory (tests only: t4600-hw.sh puts them first on PATH).
#
# Each fake keeps the host's state in the fake tree $DIVER_SYSROOT
# (cpuN/online, memoryN/state, /proc/modules, /dev nodes as plain files,
# /sys/devices/jailhouse/cells/*) and its own driver-internal state in
# $FAKE_RUN, and appends every call (its argv) as a line to $FAKE_LOG.
# Knobs:
#   FAKE_FAIL_AT=K     the K-th call (counted over all fakes) fails
#   FAKE_KILL_AT=K     the K-th call kills diver (its parent) with SIGKILL
#   FAKE_SIGNAL_AT=K   the K-th call sends diver $FAKE_SIGNAL (TERM) and goes on
#   FAKE_TRACE=FILE    each call with a timestamp, for finding what is slow
#   FAKE_JAILHOUSE_LOCKED=1  a started cell is "running/locked": the first
#                      shutdown fails, as Jailhouse's README describes
# "Booting" a kernel starts qemu-system-x86_64 -M microvm -accel tcg on the
# loaded image and command line, COM1 to $FAKE_RUN/ID/out (input from the
# FIFO $FAKE_RUN/ID/in), COM2 to $FAKE_RUN/ID/log; the fake console tools
# stream them, so a dive shows the real app's output and exit status.
set -u
R=${DIVER_SYSROOT:?DIVER_SYSROOT is not set}
RUN=${FAKE_RUN:?FAKE_RUN is not set}
ME=${0##*/}
[ -d "$RUN" ] || mkdir -p "$RUN"

fake_log() {
	local line=$ME a
	for a in "$@"; do
		case $a in
		*[!A-Za-z0-9_=,./:@-]*|"") line="$line '$a'" ;;
		*) line="$line $a" ;;
		esac
	done
	echo "$line" >>"${FAKE_LOG:?FAKE_LOG is not set}"
	[ -n "${FAKE_TRACE:-}" ] && echo "$(date +%s.%N) $line" >>"$FAKE_TRACE"
	n=0
	[ -f "$RUN/count" ] && read -r n <"$RUN/count"
	n=$((n + 1))
	echo $n >"$RUN/count"
	if [ "${FAKE_KILL_AT:-0}" = $n ]; then
		kill -9 $PPID
		exit 1
	fi
	if [ "${FAKE_SIGNAL_AT:-0}" = $n ]; then
		kill -"${FAKE_SIGNAL:-TERM}" $PPID
	fi
	if [ "${FAKE_FAIL_AT:-0}" = $n ]; then
		echo "$ME: injected failure at call $n" >&2
		exit 1
	fi
}

die() { echo "$ME: $*" >&2; exit 1; }

# modules: a line in /proc/modules and a /sys/module/NAME directory
mod_loaded() { grep -q "^$1 " "$R/proc/modules"; }
mod_add() {
	mod_loaded "$1" && die "ERROR: could not insert module $1: File exists"
	echo "$1 16384 0 - Live 0x0000000000000000" >>"$R/proc/modules"
	mkdir "$R/sys/module/$1"
}
mod_del() {
	mod_loaded "$1" || die "ERROR: Module $1 is not currently loaded"
	grep -v "^$1 " "$R/proc/modules" >"$RUN/modules.new" || true
	cat "$RUN/modules.new" >"$R/proc/modules"
	rm -f "$RUN/modules.new"
	rmdir "$R/sys/module/$1"
}

cpu_file() { echo "$R/sys/devices/system/cpu/cpu$1/online"; }
# expand "1,3-5"
cpu_expand() {
	echo "$1" | tr ',' '\n' | while IFS=- read lo hi; do
		seq "$lo" "${hi:-$lo}"
	done
}
cpus_set() { # LIST 0|1
	for c in $(cpu_expand "$1"); do
		[ -f "$(cpu_file $c)" ] || die "no cpu$c"
		echo "$2" >"$(cpu_file $c)"
	done
}
cpus_are() { # LIST 0|1
	for c in $(cpu_expand "$1"); do
		[ "$(cat "$(cpu_file $c)")" = "$2" ] || die "cpu$c is not ${2/0/offline}"
	done
}

mem_state() { echo "$R/sys/devices/system/memory/memory$1/state"; }

# fake_boot ID IMAGE CMDLINE: run the kernel in QEMU, in the background
fake_boot() {
	local d="$RUN/$1"
	[ -f "$2" ] || die "cannot read image $2"
	rm -rf "$d"
	mkdir -p "$d"
	mkfifo "$d/in"
	: >"$d/out"
	: >"$d/log"
	# the FIFO is held open read-write: QEMU's COM1 input never sees EOF
	setsid sh -c 'exec 3<>"$1/in"; exec qemu-system-x86_64 -nodefaults \
		-no-user-config -display none -M microvm -accel tcg -m 64 \
		-kernel "$2" -append "$3" -chardev stdio,id=com1,signal=off \
		-serial chardev:com1 -chardev file,id=com2,path="$1/log" \
		-device isa-serial,chardev=com2,iobase=0x2f8,irq=3 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot \
		<&3 >>"$1/out" 2>>"$1/qemu.err"' sh "$d" "$2" "$3" \
		</dev/null >/dev/null 2>&1 &
	echo $! >"$d/pid"
}

# fake_is_ours PID DIR: PID is still the QEMU started for DIR (a pid that
# has ended may be another process's by now: never signal that one)
fake_is_ours() {
	grep -qaF "$2/" "/proc/$1/cmdline" 2>/dev/null
}

# fake_halt ID: stop the kernel (if it runs) and forget it
fake_halt() {
	local d="$RUN/$1" pid
	[ -f "$d/pid" ] || { rm -rf "$d"; return 0; }
	pid=$(cat "$d/pid")
	fake_is_ours "$pid" "$d" && kill -9 "$pid" 2>/dev/null
	# gone, or a zombie nobody has reaped yet (its parent was a fake)
	while fake_is_ours "$pid" "$d" && ! grep -q '^[^)]*) Z' "/proc/$pid/stat" 2>/dev/null; do
		sleep 0.02
	done
	rm -rf "$d"
}

# fake_console ID [stdin] [log]: stream COM1 (and COM2 to stderr) until
# the kernel's QEMU ends; stdin goes to COM1 when asked
fake_console() {
	local d="$RUN/$1" pid fwd= tl=
	[ -f "$d/pid" ] || die "no running instance $1"
	pid=$(cat "$d/pid")
	if [ "${2:-}" = stdin ]; then
		# an asynchronous command would read /dev/null without the <&0
		cat <&0 >"$d/in" &
		fwd=$!
	fi
	if [ "${3:-}" = log ]; then
		tail -s 0.1 -c +1 -f --pid="$pid" "$d/log" >&2 &
		tl=$!
	fi
	tail -s 0.1 -c +1 -f --pid="$pid" "$d/out"
	[ -n "$tl" ] && wait "$tl"
	[ -n "$fwd" ] && kill "$fwd" 2>/dev/null
	return 0
}
