#!/bin/bash
# A third-party kernel: Debian's linux-image-amd64 (a bzImage, the Linux
# boot protocol) published as it is with build model "none" into a
# temporary kernels tree, rendered, pulled, and an app that is a busybox
# initramfs built and dived: arguments, stdin, exit status over the
# console, and a panic or a missing status reported as errors.
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64

# the kernel and busybox come from Debian packages (scripts/install-deps);
# try to install them when they are missing, skip when that cannot be done
kernel_image() { ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1; }
busybox_static() { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }
if [ -z "$test_skip_all" ] && { [ -z "$(kernel_image)" ] || ! busybox_static; }; then
	if [ "$(id -u)" = 0 ]; then
		"$SRC/scripts/install-deps" >"$TMP/install.log" 2>&1 || true
	fi
	[ -n "$(kernel_image)" ] && busybox_static ||
		test_skip_all="Debian's linux-image-amd64 and busybox-static are not installed (scripts/install-deps installs them)"
fi
KERNEL=$(kernel_image)

make_key key
export SOURCE_DATE_EPOCH=$(date +%s)

# The publisher script of the kernel "deblin": Debian's image as it is, in
# two variants — default with a kit whose template is an initramfs app,
# bare with no kit (diver init writes its own template then).
mkdir -p "$TMP/deblin"
cat >"$TMP/deblin/publish.sh" <<'SH'
#!/bin/sh
# publish.sh VERSION KERNELS_DIR
set -eu
version=$1 kernels=$2
here=$(cd "$(dirname "$0")" && pwd)
dest="$kernels/deblin/$version"
[ ! -e "$dest" ] || { echo "publish.sh: '$dest' exists: releases are immutable" >&2; exit 1; }
image=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
mkdir -p "$kernels/deblin"
stage=$(mktemp -d "$kernels/deblin/.publish-$version.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/default/kit/template/rootfs" "$stage/bare"
cp "$image" "$stage/default/image"
cp "$image" "$stage/bare/image"
cp "$here/Makefile.app" "$stage/default/kit/template/Makefile"
cp "$here/init.app" "$stage/default/kit/template/rootfs/init"
chmod 755 "$stage/default/kit/template/rootfs/init"
sha=$(sha256sum "$image" | cut -d' ' -f1) size=$(stat -c %s "$image")
variant() {
	printf '"%s": {"config": "%s", "image": {"path": "%s/image", "format": "bzimage", "sha256": "%s", "size": %s}%s}' \
		"$1" "$2" "$1" "$sha" "$size" "$3"
}
cat >"$stage/kernel.json" <<JSON
{"name": "deblin", "version": "$version",
 "summary": "Debian's Linux kernel, as Debian builds it, for initramfs apps",
 "license": "GPL-2.0-only", "tags": ["linux", "initramfs"], "arch": "x86_64",
 "modes": ["vm"], "build": "none",
 "interface": {"boot": "linux", "console": "raw-uart", "log": "com2", "exit": "console"},
 "variants": {$(variant default "the kit's template" ', "kit": {"path": "default/kit"}'),
              $(variant bare "no kit" "")}}
JSON
echo "# deblin $version" >"$stage/README.md"
chmod -R u=rwX,go=rX "$stage"
mv -T "$stage" "$dest"
trap - EXIT
SH
chmod +x "$TMP/deblin/publish.sh"
cat >"$TMP/deblin/Makefile.app" <<'MK'
all: rootfs/bin/busybox
rootfs/bin/busybox:
	mkdir -p rootfs/bin && cp /bin/busybox $@
MK
cat >"$TMP/deblin/init.app" <<'SH'
#!/bin/busybox sh
# from the kit's template
/bin/busybox mount -t devtmpfs dev /dev
exec </dev/ttyS0 >/dev/ttyS0
/bin/busybox stty raw -echo
printf '\377\003'
echo "kit template: $*"
printf '\377\002\000'
exec >/dev/null </dev/null
/bin/busybox poweroff -f
SH

test_expect_success 'publish Debian'"'"'s kernel, render it, pull it' '
	mkdir kernels &&
	diver publish deblin --to kernels --version 6.1.0 >out && grep "^published deblin 6.1.0" out &&
	cmp kernels/deblin/6.1.0/default/image "$KERNEL" &&
	catalog-gen -q -k key -o site kernels &&
	use_home lx && diver trust add key.pub >/dev/null && diver source add lx site >/dev/null &&
	diver pull deblin >/dev/null && diver info deblin >info && grep -E "^build +none \(the image as published; the app is an initramfs\)" info
'

test_expect_success 'init copies the kit template; build packs rootfs/ into a newc initramfs' '
	use_home lx &&
	diver init app deblin >/dev/null && test -x app/rootfs/init && grep "kit template" app/rootfs/init &&
	cat >app/rootfs/init <<-\SH &&
	#!/bin/busybox sh
	/bin/busybox mount -t devtmpfs dev /dev
	exec </dev/ttyS0 >/dev/ttyS0
	/bin/busybox stty raw -echo
	printf "\377\003"
	echo "argc=$#"
	for a in "$@"; do echo "arg=[$a]"; done
	read -r line
	echo "stdin=[$line]"
	printf "frame-like \377\002\005 bytes are data\n"
	status=${1:-0}
	echo "to stderr" >&2
	printf "\377\002\\$(printf %o "$status")"
	exec >/dev/null </dev/null
	/bin/busybox poweroff -f
	SH
	diver build -q app >out 2>&1 && grep "^built net" out &&
	id=$(sed -n "s/^built net \([0-9a-f]*\):.*/\1/p" out) &&
	n="$DIVER_HOME/data/nets/$id" &&
	cmp "$n/initrd" app/build/initrd.cpio && cmp "$n/image" "$KERNEL" &&
	grep "\"initrd\"" "$n/net.json" && grep "\"format\": \"newc\"" "$n/net.json" &&
	bsdcpio -it <app/build/initrd.cpio >list 2>/dev/null &&
	printf "bin\nbin/busybox\ninit\n" >want && diff -u want list &&
	diver build -q app >/dev/null 2>&1 && cmp "$n/initrd" app/build/initrd.cpio &&
	cp -R app elsewhere && chmod 700 elsewhere/rootfs && touch -d @0 elsewhere/rootfs/init &&
	diver build -q elsewhere >/dev/null 2>&1 && cmp app/build/initrd.cpio elsewhere/build/initrd.cpio &&
	diver dive app --dry-run >cmd &&
	grep -- "-kernel $n/image -initrd $n/initrd" cmd &&
	grep -- "console=ttyS1 quiet panic=-1 --" cmd &&
	grep -- "-M pc -bios /usr/share/qemu/qboot.rom .*-m 128 " cmd &&
	diver dive app --dry-run -m 512M >cmd && grep -- "-m 512 " cmd
'

test_expect_success 'an app without an executable rootfs/init is refused, nothing built' '
	use_home lx && diver init noinit deblin >/dev/null && rm noinit/rootfs/init &&
	expect_error "noinit/rootfs/init. is missing or not executable" diver build -q noinit &&
	test ! -e noinit/build/initrd.cpio && test ! -e noinit/build/net.json
'

test_expect_success 'dive: arguments, stdin after the ready frame, stdout as it is, stderr on the log, a non-zero status' '
	use_home lx &&
	rc=0; echo "one line of input" | diver dive app --accel tcg --timeout 100 -- 42 "two words" x >out 2>err || rc=$? &&
	test "$rc" = 42 &&
	printf "argc=3\narg=[42]\narg=[two words]\narg=[x]\nstdin=[one line of input]\nframe-like \377\002\005 bytes are data\n" >want &&
	diff -u want out && grep "to stderr" err
'

test_expect_success 'arguments Linux cannot pass are refused before anything runs' '
	use_home lx &&
	expect_error "argument 2 has a double quote, which a Linux kernel cannot pass" \
		diver dive app --accel tcg -- ok "say \"hi\"" &&
	expect_error "argument 1 has a control byte" diver dive app --accel tcg -- "$(printf "a\tb")"
'

test_expect_success 'a kernel panic (init exited) is an error, never status 0' '
	use_home lx &&
	printf "#!/bin/busybox sh\necho bye\nexit 0\n" >app/rootfs/init &&
	diver build -q app >/dev/null 2>&1 &&
	rc=0; diver dive app --accel tcg --timeout 100 </dev/null >out 2>err || rc=$? &&
	test "$rc" = 1 && tail -n 1 err >last &&
	grep -E "^diver: the kernel panicked: Attempted to kill init" last
'

test_expect_success 'powering off without the exit frame is an error, never status 0' '
	use_home lx &&
	printf "#!/bin/busybox sh\n/bin/busybox poweroff -f\n" >app/rootfs/init &&
	diver build -q app >/dev/null 2>&1 &&
	rc=0; diver dive app --accel tcg --timeout 100 </dev/null >out 2>err || rc=$? &&
	test "$rc" = 1 &&
	grep -E "^diver: the kernel powered off without an exit status" err
'

test_expect_success 'a variant with no kit gets diver'"'"'s own template, which runs' '
	use_home lx &&
	diver init bare deblin:bare >/dev/null &&
	test -x bare/rootfs/init && test -f bare/Makefile && test -f bare/README &&
	diver build -q bare >/dev/null 2>&1 && test -x bare/rootfs/bin/busybox &&
	diver dive bare --accel tcg --timeout 100 -- hi </dev/null >out 2>err &&
	test "$(cat out)" = "Hello from Linux! arguments: hi"
'

test_done
