#!/bin/bash
# publish.sh VERSION KERNELS_DIR — builds pebble from src/ and publishes it
# as release VERSION in KERNELS_DIR/pebble/VERSION/: kernel.json, README.md
# and, for the variants default and debug, the bootable image and the kit
# (docs/kernel-interface.md §5).
#
# A published release is never touched again: an existing VERSION is
# refused.  Everything is built in temporary directories and the release
# appears by one rename at the end, so a failure leaves nothing behind.
# The same sources and compiler give byte-identical files (CC overrides the
# compiler, default gcc).
set -euo pipefail

die() {
	echo "publish.sh: $*" >&2
	exit 1
}

[ $# -eq 2 ] || { echo "usage: publish.sh VERSION KERNELS_DIR" >&2; exit 2; }
version=$1
kernels=$2
here=$(cd "$(dirname "$0")" && pwd)
semver='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
[[ $version =~ $semver ]] || die "version '$version': expected a semantic version like 1.2.0"
[ -d "$kernels" ] || die "kernels directory '$kernels' does not exist"
dest="$kernels/pebble/$version"
[ ! -e "$dest" ] || die "'$dest' exists: releases are immutable, publish a new version instead"

export LC_ALL=C
CC=${CC:-gcc}
command -v "$CC" >/dev/null || die "compiler '$CC' not found (on Debian: apt-get install gcc-multilib)"
mkdir -p "$kernels/pebble"
stage=$(mktemp -d "$kernels/pebble/.publish-$version.XXXXXX")
build=$(mktemp -d "${TMPDIR:-/tmp}/pebble-build.XXXXXX")
trap 'rm -rf "$stage" "$build"' EXIT

# build_variant VARIANT: image and kit into the staged release
build_variant() {
	local v=$1
	make -s -C "$here/src" VARIANT="$v" VERSION="$version" BUILD="$build/$v" CC="$CC" >/dev/null ||
		die "building variant '$v' failed; see the compiler's messages above"
	mkdir "$stage/$v"
	cp "$build/$v/image" "$stage/$v/image"
	cp -R "$build/$v/kit" "$stage/$v/kit"
}

# variant_json VARIANT CONFIG: the variant's entry in kernel.json
variant_json() {
	local image="$stage/$1/image"
	local sha size
	sha=$(sha256sum "$image" | cut -d' ' -f1)
	size=$(stat -c %s "$image")
	printf '    "%s": {\n' "$1"
	printf '      "config": "%s",\n' "$2"
	printf '      "image": {"path": "%s/image", "format": "multiboot1", "sha256": "%s", "size": %s},\n' \
		"$1" "$sha" "$size"
	printf '      "kit": {"path": "%s/kit"}\n' "$1"
	printf '    }'
}

kernel_json() {
	cat <<JSON
{
  "name": "pebble",
  "version": "$version",
  "summary": "A tiny multiboot kernel that runs one C app linked into it and powers off with its exit status",
  "description": "pebble is a teaching unikernel: a multiboot image of a few tens of KiB that boots in milliseconds, turns the kernel command line into \`argv\`, runs **one C app linked into the same image** on a small C library (stdio, stdlib, string, ctype, read/write), carries its stdin and stdout binary-safe over a framed serial console, logs on a second serial port, reports CPU exceptions, and powers the machine off with the app's exit status. It is the reference implementation of the Diver kernel interface.",
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
$(variant_json default "optimized, quiet log"),
$(variant_json debug "-O0 -g, verbose log")
  }
}
JSON
}

build_variant default
build_variant debug
kernel_json >"$stage/kernel.json"
sed "s/@VERSION@/$version/g" "$here/README.md.in" >"$stage/README.md"
# mktemp made the directory private; a release is world-readable
chmod -R u=rwX,go=rX "$stage"
[ ! -e "$dest" ] || die "'$dest' appeared while building: releases are immutable"
mv -T "$stage" "$dest"
echo "published pebble $version in $dest"
