#!/bin/bash
# publish.sh VERSION KERNELS_DIR — build pebble from src/ and publish release
# VERSION into KERNELS_DIR/pebble/VERSION: kernel.json, README.md and, per
# variant, the bootable image and the kit.  A published release is never
# overwritten.  The build happens in a temporary directory beside the
# release and is renamed into place at the end, so a failure leaves nothing.
# Same sources and compiler give byte-identical files.
set -euo pipefail

die() { echo "publish.sh: $*" >&2; exit 1; }
[ $# = 2 ] || { echo "usage: publish.sh VERSION KERNELS_DIR" >&2; exit 2; }
version=$1
kernels=$2
here=$(cd "$(dirname "$0")" && pwd)
[[ $version =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]] ||
	die "version '$version': expected a semantic version like 1.2.0"
dest="$kernels/pebble/$version"
[ -e "$dest" ] && die "'$dest' is published already; releases are immutable, publish a new version"
mkdir -p "$kernels/pebble"
stage=$(mktemp -d "$kernels/pebble/.publish-$version.XXXXXX")
build=$(mktemp -d)
trap 'rm -rf "$stage" "$build"' EXIT
export CC=${CC:-gcc} LC_ALL=C

# kit VARIANT: headers, libpebble.a, link.ld, build.mk, template, symbols
make_kit() {
	local v=$1 kit="$stage/$1/kit"
	make -s -C "$here/src" VARIANT="$v" OUT="$build/$v"
	mkdir -p "$kit/lib"
	cp -r "$here/src/include" "$here/src/template" "$kit/"
	cp "$here/src/link.ld" "$here/src/build.mk" "$kit/"
	cp "$build/$v/libpebble.a" "$kit/lib/"
}

# image VARIANT: the kit's own rules link the demo app into the image
make_image() {
	local v=$1 app="$build/app-$v"
	mkdir -p "$app"
	cp "$here/src/default_app.c" "$app/main.c"
	cp -r "$stage/$v/kit" "$app/.pebble"
	printf 'include .pebble/build.mk\n' >"$app/Makefile"
	make -s -C "$app" >/dev/null
	cp "$app/build/net.elf" "$stage/$v/image"
	[ "$v" = debug ] || strip --strip-debug "$stage/$v/image"
	nm -n "$stage/$v/image" >"$stage/$v/kit/pebble.sym"
}

# variant_json VARIANT CONFIG
variant_json() {
	local img="$stage/$1/image"
	printf '    "%s": {\n      "config": "%s",\n' "$1" "$2"
	printf '      "image": {"path": "%s/image", "format": "multiboot1", ' "$1"
	printf '"sha256": "%s", "size": %s},\n' "$(sha256sum <"$img" | cut -d' ' -f1)" "$(stat -c %s "$img")"
	printf '      "kit": {"path": "%s/kit"}\n    }' "$1"
}

for v in default debug; do
	make_kit "$v"
	make_image "$v"
done

cat >"$stage/kernel.json" <<JSON
{
  "name": "pebble",
  "version": "$version",
  "summary": "A tiny multiboot kernel that runs one C app linked into it and exits with its status",
  "description": "pebble is the smallest useful specialized kernel: it boots from multiboot in milliseconds, hands the command line to one app linked into the same image, streams the app's stdin and stdout over a framed serial console, logs on a second serial port and powers off with the app's exit status. Written for Diver as a teaching kernel and a test of the kernel interface.",
  "license": "MIT",
  "homepage": "https://github.com/diver-kernels/pebble",
  "authors": ["Diver developers"],
  "tags": ["unikernel", "tiny", "teaching", "multiboot", "link"],
  "arch": "x86_64",
  "modes": ["vm"],
  "build": "link",
  "toolchain": {"name": "gcc-i386", "version": "12.2.0"},
  "interface": {"boot": "multiboot1", "console": "framed-uart-1", "log": "com2", "exit": "isa-debug-exit"},
  "variants": {
$(variant_json default "optimized (-O2), quiet log"),
$(variant_json debug "unoptimized (-O0 -g), verbose log")
  }
}
JSON
sed "s/@VERSION@/$version/g" "$here/README.md.in" >"$stage/README.md"
chmod -R u+rwX,go+rX "$stage"
mv "$stage" "$dest"
echo "published pebble $version into $dest"
