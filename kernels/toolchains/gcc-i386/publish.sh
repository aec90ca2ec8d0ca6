#!/bin/bash
# kernels/toolchains/gcc-i386/publish.sh [KERNELS_DIR]
#
# Publishes toolchain gcc-i386 12.2.0 into KERNELS_DIR/toolchains/gcc-i386/
# (default: the kernels/ this script lives in): a relocatable prefix made
# from Debian 12's own gcc-12, gcc-12-multilib (for -m32) and binutils
# packages as installed on this machine — the driver, cc1, collect2,
# lto-wrapper, the 32- and 64-bit libgcc, GCC's freestanding headers,
# as and ld, and the shared libraries they need beyond the C library —
# plus bin/gcc, a wrapper that finds them wherever the prefix is unpacked.
# Apps of pebble (build model link) and reef are built with it.
#
# The prefix is about 45 MB (12 MB as a package), so it is not committed:
# run this script, then catalog-gen, to publish it (the tests do).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kernels=${1:-$(cd "$here/../.." && pwd)}
name=gcc-i386 version=12.2.0 triple=x86_64-linux-gnu gccver=12
dest="$kernels/toolchains/$name/$version"
gcclib=/usr/lib/gcc/$triple/$gccver

die() { echo "publish.sh: $*" >&2; exit 1; }
[ -d "$dest" ] && die "$dest exists: toolchain releases are immutable (remove it to rebuild)"
for f in /usr/bin/$triple-gcc-$gccver $gcclib/cc1 $gcclib/32/libgcc.a \
	/usr/bin/$triple-as /usr/bin/$triple-ld.bfd; do
	[ -e "$f" ] || die "$f is missing: install gcc-12, gcc-12-multilib and binutils (scripts/install-deps)"
done
actual=$(/usr/bin/$triple-gcc-$gccver -dumpfullversion)
[ "$actual" = "$version" ] || die "this machine has gcc $actual, not $version"

mkdir -p "$kernels/toolchains/$name"
stage=$(mktemp -d "$kernels/toolchains/$name/.publish-XXXXXX")
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
mkdir -p "$root/bin" "$root/lib/host" "$root/lib/gcc/$triple/$gccver/32"

# The driver; cc1 and the rest where the driver looks for them relative
# to itself (GCC computes its prefixes from its own location).
cp /usr/bin/$triple-gcc-$gccver "$root/bin/"
for f in cc1 collect2 lto-wrapper liblto_plugin.so crtbegin.o crtend.o \
	crtbeginT.o crtbeginS.o crtendS.o libgcc.a libgcc_eh.a; do
	cp -L "$gcclib/$f" "$root/lib/gcc/$triple/$gccver/"
done
cp -RL "$gcclib/include" "$root/lib/gcc/$triple/$gccver/"
for f in crtbegin.o crtend.o crtbeginT.o libgcc.a libgcc_eh.a; do
	cp -L "$gcclib/32/$f" "$root/lib/gcc/$triple/$gccver/32/"
done
# as and ld where the driver looks for its programs
cp /usr/bin/$triple-as "$root/lib/gcc/$triple/$gccver/as"
cp /usr/bin/$triple-ld.bfd "$root/lib/gcc/$triple/$gccver/ld"

# Shared libraries beyond libc, libm, libz and libzstd (Debian's base system).
for bin in "$root/bin/$triple-gcc-$gccver" "$root/lib/gcc/$triple/$gccver"/{cc1,collect2,lto-wrapper,as,ld}; do
	ldd "$bin" | awk '/=>/ { print $3 }'
done | sort -u | while read -r lib; do
	case $(basename "$lib") in
	libc.so.*|libm.so.*|libz.so.*|libzstd.so.*) ;;
	*) cp -L "$lib" "$root/lib/host/" ;;
	esac
done

cat >"$root/bin/gcc" <<'SH'
#!/bin/sh
# gcc-i386: run the GCC of this prefix, wherever it was unpacked.
here=$(dirname "$(readlink -f "$0")")
LD_LIBRARY_PATH="$here/../lib/host${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "$here/x86_64-linux-gnu-gcc-12" "$@"
SH
chmod 0755 "$root/bin/gcc"
find "$root" -type f -exec chmod u+w,go-w {} +

cat >"$stage/toolchain.json" <<JSON
{
  "name": "$name",
  "version": "$version",
  "summary": "GCC $version and binutils $(/usr/bin/$triple-as --version | sed -n '1s/.* //p') from Debian 12, relocatable, for freestanding x86 kernels and apps (-m32 and -m64)",
  "license": "GPL-3.0-or-later",
  "host": "$triple",
  "cc": "bin/gcc"
}
JSON

# It must work from where it lands: compile and link a freestanding 32-bit
# object with nothing but the prefix.
printf 'int f(long long a, long long b) { return (int)(a / b); }\n' >"$stage/t.c"
"$root/bin/gcc" -m32 -ffreestanding -nostdlib -static -c -o "$stage/t.o" "$stage/t.c"
"$root/bin/gcc" -m32 -nostdlib -static -Wl,-e,f -o "$stage/t.elf" "$stage/t.o" -lgcc
rm -f "$stage/t.c" "$stage/t.o" "$stage/t.elf"

mv "$stage" "$dest"
trap - EXIT
echo "published toolchain $name $version in $dest ($(du -sh "$dest" | cut -f1))"
