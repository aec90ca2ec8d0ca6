#!/bin/bash
# bench/linux-boot.sh — boot-to-power-off of Debian's kernel (the newest
# /boot/vmlinuz-*) with a busybox-static initramfs under TCG, per machine
# type, RUNS interleaved runs each (median, ms).  The init does what a
# diver Linux app does: devtmpfs, stdout on ttyS0, the exit frame,
# `poweroff -f`.  The anchor is `-M pc` with SeaBIOS, QEMU's default
# machine: every other machine is given as a ratio to it, measured in the
# same run.  A boot that prints nothing within LIMIT seconds (default 60)
# counts as hung.  Environment: RUNS (default 5), MEM (MiB, default 128).
set -eu
RUNS=${RUNS:-5}
MEM=${MEM:-128}
LIMIT=${LIMIT:-60}
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
busybox=$(command -v busybox || true)
[ -n "$kernel" ] && [ -n "$busybox" ] ||
	{ echo "linux-boot.sh: needs linux-image-amd64 and busybox-static (scripts/install-deps)" >&2; exit 1; }
dir=$(mktemp -d /tmp/diver-bench-linux.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/root/bin" "$dir/root/dev"
cp "$busybox" "$dir/root/bin/busybox"
cat >"$dir/root/init" <<'SH'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
exec </dev/ttyS0 >/dev/ttyS0
/bin/busybox stty raw -echo
echo "booted: $*"
printf '\377\002\000'
exec >/dev/null </dev/null
/bin/busybox poweroff -f
SH
chmod +x "$dir/root/init"
(cd "$dir/root" && find . | sort | bsdcpio -o -H newc --quiet >"$dir/initrd")

declare -A machine=(
	[pc]="-M pc -serial chardev:c1 -serial chardev:c2"
	[pc-qboot]="-M pc -bios /usr/share/qemu/qboot.rom -serial chardev:c1 -serial chardev:c2"
	[q35]="-M q35 -serial chardev:c1 -serial chardev:c2"
	[microvm]="-M microvm -serial chardev:c1 -device isa-serial,chardev=c2,iobase=0x2f8,irq=3"
)
order="pc pc-qboot q35 microvm"

boot() {
	local t0 t1
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	timeout "$LIMIT" qemu-system-x86_64 -nodefaults -no-user-config -display none -accel tcg \
		-m "$MEM" -kernel "$kernel" -initrd "$dir/initrd" \
		-append "console=ttyS1 quiet panic=-1 -- x" -no-reboot \
		-chardev "file,id=c1,path=$dir/out" -chardev "file,id=c2,path=$dir/log" \
		${machine[$1]} </dev/null >/dev/null 2>&1 || true
	t1=$(date +%s.%N)
	if ! grep -q "booted: x" "$dir/out" 2>/dev/null; then
		echo "linux-boot.sh: $1 did not boot in $LIMIT s; its log ends:" >&2
		tail -n 2 "$dir/log" >&2
		echo hung
		return
	fi
	rm -f "$dir/out" "$dir/log"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d\n", (b - a) * 1000 }'
}

for i in $(seq "$RUNS"); do
	for m in $order; do
		boot "$m" >>"$dir/t-$m"
	done
done
median() { grep -v hung "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }'; }
anchor=$(median "$dir/t-pc")
echo "Debian $(basename "$kernel") + busybox initramfs, TCG, -m $MEM, median of $RUNS (ms)"
printf '%-10s %8s %8s %6s\n' machine ms ratio hung
for m in $order; do
	t=$(median "$dir/t-$m")
	printf '%-10s %8d %8.2f %6d\n' "$m" "$t" "$(awk -v t="$t" -v a="$anchor" 'BEGIN { print a ? t / a : 0 }')" \
		"$(grep -c hung "$dir/t-$m" || true)"
done
