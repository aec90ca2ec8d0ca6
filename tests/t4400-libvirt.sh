#!/bin/bash
# --via libvirt on a real libvirt daemon: the test uses a system daemon that
# answers on qemu:///system, or starts its own (private config, socket
# directory and pid file; virtlogd too when none runs) and stops what it
# started.  pebble and reef nets dive through it: output, stdin, exit
# statuses, --log, --timeout, SIGTERM and kill -9 never leave a domain
# behind.  The generated XML also goes through libvirt's test:///default
# driver (define, start, destroy), which needs no daemon.
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64
require_cmd virsh

make_catalog site key

# domains NET: the domains of NET that the daemon still has
domains() { virsh -c "$LIBVIRT_URI" list --all --name | grep -c "^diver-$1" || true; }
# gone NET: NET has no domain left within 20 s (libvirtd ends a domain
# once its QEMU is reaped, which PID 1 on some machines does late)
gone() {
	for i in $(seq 200); do [ "$(domains $1)" = 0 ] && return 0; sleep 0.1; done
	virsh -c "$LIBVIRT_URI" list --all; return 1
}

test_expect_success 'setup: pebble and reef nets' '
	use_home lv && diver trust add key.pub >/dev/null && diver source add main site >/dev/null &&
	diver init hello pebble >/dev/null && diver build -q hello >/dev/null 2>&1 &&
	diver init cat pebble --example cat >/dev/null && diver build -q cat >/dev/null 2>&1 &&
	diver init spin pebble --example spin >/dev/null && diver build -q spin >/dev/null 2>&1 &&
	diver init status reef >/dev/null &&
	cat >status/main.c <<-C &&
	#include <stdio.h>
	#include <stdlib.h>
	int main(int argc, char **argv) {
		printf("reef says %s\n", argc > 1 ? argv[1] : "nothing");
		fprintf(stderr, "to the log\n");
		return argc > 1 ? atoi(argv[1]) : 0;
	}
	C
	diver build -q status >/dev/null 2>&1
'

test_expect_success '--dry-run prints the domain XML: kernel, module, cmdline, memory, vCPUs, consoles, no network' '
	use_home lv &&
	diver dive status --via libvirt --dry-run --accel tcg -m 32M -c 2 -- "a b" "<&>" >dom.xml &&
	python3 - dom.xml "$(diver list nets | awk "/status/ {print \$1}")" "$DIVER_HOME" <<-PY
	import sys, xml.etree.ElementTree as ET
	d = ET.parse(sys.argv[1]).getroot()
	net = sys.argv[3] + "/data/nets/" + sys.argv[2]
	q = "{http://libvirt.org/schemas/domain/qemu/1.0}"
	assert d.get("type") == "qemu", d.get("type")
	assert d.findtext("memory") == "32" and d.find("memory").get("unit") == "MiB"
	assert d.findtext("vcpu") == "2"
	assert d.findtext("os/kernel") == net + "/image", d.findtext("os/kernel")
	assert d.findtext("os/initrd") == net + "/module", d.findtext("os/initrd")
	assert d.findtext("os/cmdline") == r"argv0=status -- a\x20b <&>", d.findtext("os/cmdline")
	ports = [(s.get("type"), s.find("target").get("port")) for s in d.findall("devices/serial")]
	assert ports == [("unix", "0"), ("unix", "1")], ports
	assert d.find("devices/interface") is None
	assert d.find("devices/memballoon").get("model") == "none"
	assert d.find("devices/controller[@type=\"usb\"]").get("model") == "none"
	args = [a.get("value") for a in d.findall(q + "commandline/" + q + "arg")]
	assert args == ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"], args
	PY
'

test_expect_success 'test:///default defines, starts and destroys the generated domain' '
	use_home lv &&
	diver dive hello --via libvirt --dry-run --accel tcg >dom.xml &&
	name=$(sed -n "s,.*<name>\(.*\)</name>.*,\1,p" dom.xml) &&
	virsh -c test:///default "define dom.xml; start $name; list --all; destroy $name; list --all; undefine $name" >out &&
	grep -E "^ *[0-9]+ +$name +running" out && grep -E "^ *- +$name +shut off" out
'

test_expect_success 'a daemon that refuses or is missing is one line, exit 1' '
	use_home lv &&
	expect_error "^diver: libvirt test:///default: cannot start the net.s domain: .*unsupported flags" \
		diver dive hello --via libvirt=test:///default --accel tcg &&
	expect_error "^diver: libvirt qemu:///system\?socket=$TMP/none: cannot connect: .*start libvirtd" \
		diver dive hello --via "libvirt=qemu:///system?socket=$TMP/none" --accel tcg &&
	expect_error "^diver: --gdb is not available with --via libvirt" \
		diver dive hello --via libvirt --gdb --accel tcg &&
	expect_error "^diver: --console fast is not available with --via libvirt" \
		diver dive hello --via libvirt --console fast --accel tcg
'

test_expect_success 'diver doctor says what --via libvirt would use' '
	use_home lv &&
	LIBVIRT_DEFAULT_URI=test:///default diver doctor -d vm >out &&
	grep -E "^libvirt +note .*LIBVIRT_DEFAULT_URI=test:///default, not checked" out &&
	env -u LIBVIRT_DEFAULT_URI diver doctor -d vm >out &&
	if [ "$(id -u)" != 0 ]; then
		grep -E "^libvirt .*qemu:///session" out
	elif virsh -c qemu:///system uri >/dev/null 2>&1; then
		grep -E "^libvirt +ok .*qemu:///system: daemon socket" out
	else
		grep -E "^libvirt +note .*qemu:///system: no libvirt daemon socket" out
	fi
'

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v libvirtd >/dev/null; then
test_expect_success 'another user dives through qemu:///session, a daemon of its own' '
	use_home lv &&
	# a short HOME: the session daemon makes the QEMU monitor socket under it
	u=$(mktemp -d /tmp/dlv.XXXXXX) && echo "$u" >nobody-dir &&
	# the daemons libvirt starts for the user (their pid files do not
	# name them), found by the runtime directory they were started with
	at_exit "for p in \$(pgrep -u nobody); do grep -qz XDG_RUNTIME_DIR=$u/run /proc/\$p/environ && kill \$p; done; rm -rf $u" &&
	mkdir -p "$u/run" && cp -r "$DIVER_HOME" "$u/home" &&
	chown -R nobody: "$u" && chmod 700 "$u/run" && chmod 755 "$u" &&
	id=$(diver list nets | awk "/ hello / {print \$1}") &&
	runuser -u nobody -- env -i PATH="$PATH" HOME="$u/home/user" DIVER_HOME="$u/home" \
		XDG_RUNTIME_DIR="$u/run" diver dive $id --via libvirt --accel tcg -- x >out 2>err ||
		{ cat err; exit 1; }
	printf "Hello from pebble!\nargument 1: x\n" >want && diff -u want out &&
	grep "^pebble: app exited with status 0" err
'
else
	test_count=$((test_count + 1))
	test_skip "another user dives through qemu:///session" "needs root, a user nobody and libvirtd"
fi

LIBVIRT_URI=
# the serial ports' sockets are made here while a domain starts
export XDG_RUNTIME_DIR="$TMP/run" && mkdir -p "$XDG_RUNTIME_DIR"
start_libvirtd >"$TMP/why" || test_skip_all="no libvirt daemon can run here: $(cat "$TMP/why")"
export LIBVIRT_DEFAULT_URI="$LIBVIRT_URI"

test_expect_success 'pebble through libvirt: arguments, output on stdout, log on stderr' '
	use_home lv &&
	diver dive hello --via libvirt --accel tcg -- "two words" x >out 2>err &&
	printf "Hello from pebble!\nargument 1: two words\nargument 2: x\n" >want &&
	diff -u want out &&
	grep "^pebble: $(newest pebble) (default) booted" err && grep "^pebble: app exited with status 0" err
'

test_expect_success 'reef through libvirt (an app module): exit status and --log' '
	use_home lv &&
	rc=0; diver dive status --via libvirt --accel tcg --log "$TMP/reef.log" -- 42 >out 2>err || rc=$?
	test "$rc" = 42 && grep -x "reef says 42" out &&
	grep "^reef: $(newest reef) (default) booted" reef.log && grep -x "to the log" reef.log &&
	! test -s err
'

# Debian's kernel and busybox-static, when installed (tests/t4700-linux.sh
# installs them), give a Linux-boot net: a bzImage with an initramfs app
linux_image=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
if [ -n "$linux_image" ] && [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; then
test_expect_success 'a Linux kernel and a busybox initramfs app: output, the status from its exit frame, a panic named' '
	use_home lv && k=linux/deblin/1.0.0 &&
	mkdir -p $k/bare && cp "$linux_image" $k/bare/image && echo "# deblin" >$k/README.md &&
	cat >$k/kernel.json <<-JSON &&
	{"name": "deblin", "version": "1.0.0", "summary": "Debian kernel", "license": "GPL-2.0-only",
	 "tags": ["linux"], "arch": "x86_64", "modes": ["vm"], "build": "none",
	 "interface": {"boot": "linux", "console": "raw-uart", "log": "com2", "exit": "console"},
	 "variants": {"default": {"config": "none", "image": {"path": "bare/image", "format": "bzimage",
	   "sha256": "$(sha256sum $k/bare/image | cut -d" " -f1)", "size": $(stat -c %s $k/bare/image)}}}}
	JSON
	catalog-gen -q -k key -o linux-site linux && diver source add linux linux-site >/dev/null &&
	diver init lin deblin >/dev/null &&
	cat >main.awk <<-"AWK" &&
	/^main "\$@"/ { print "main() { echo \"linux says $*\"; return 5; }" }
	{ print }
	AWK
	awk -f main.awk lin/rootfs/init >init && cat init >lin/rootfs/init &&
	diver build -q lin >/dev/null 2>&1 &&
	rc=0; diver dive lin --via libvirt --accel tcg -- a "b c" </dev/null >out 2>err || rc=$?
	test "$rc" = 5 && grep -x "linux says a b c" out &&
	printf "#!/bin/sh\necho bye\n" >lin/rootfs/init && diver build -q lin >/dev/null 2>&1 &&
	rc=0; diver dive lin --via libvirt --accel tcg </dev/null >out 2>err || rc=$?
	test "$rc" = 1 && grep "^diver: the kernel panicked: Attempted to kill init" err
'
else
	test_count=$((test_count + 1))
	test_skip "a Linux kernel through libvirt" "Debian's linux-image-amd64 and busybox-static are not installed"
fi

test_expect_success 'stdin passes through, binary-safe, with end of input' '
	use_home lv &&
	head -c 65536 /dev/urandom >in && printf "\377\377\000\377\001tail" >>in &&
	diver dive cat --via "libvirt=$LIBVIRT_URI" --accel tcg <in >out 2>err &&
	cmp in out
'

test_expect_success '--timeout destroys the domain and ends with 124' '
	use_home lv &&
	id=$(diver list nets | awk "/ spin / {print \$1}") &&
	rc=0; diver dive spin --via libvirt --accel tcg --timeout 2 >/dev/null 2>err || rc=$?
	test "$rc" = 124 && grep "^diver: timed out after 2 s; the domain was destroyed" err &&
	gone $id
'

# dive_spin_bg: spin in the background until it prints; sets pid
dive_spin_bg() {
	diver dive spin --via libvirt --accel tcg >out 2>err &
	pid=$!
	for i in $(seq 150); do grep -q spinning out 2>/dev/null && break; sleep 0.1; done
	grep -q spinning out || { kill -KILL $pid; cat err; return 1; }
}

test_expect_success 'SIGTERM to diver destroys the domain and ends with 143' '
	use_home lv &&
	id=$(diver list nets | awk "/ spin / {print \$1}") &&
	dive_spin_bg && test "$(domains $id)" = 1 &&
	kill -TERM $pid && rc=0 && wait $pid || rc=$?
	test "$rc" = 143 && grep "^diver: interrupted by Terminated; the domain was destroyed" err &&
	gone $id
'

test_expect_success 'a diver killed outright takes its domain with it (autodestroy)' '
	use_home lv &&
	id=$(diver list nets | awk "/ spin / {print \$1}") &&
	dive_spin_bg && test "$(domains $id)" = 1 &&
	kill -KILL $pid && { wait $pid 2>/dev/null || true; } &&
	gone $id && ls -l "$XDG_RUNTIME_DIR" && test -z "$(ls "$XDG_RUNTIME_DIR")"
'

test_done
