#!/bin/bash
# publish.sh VERSION KERNELS_DIR — builds reef from src/ and publishes it as
# release VERSION in KERNELS_DIR/reef/VERSION/: kernel.json, README.md and,
# for the variants default and debug, the kernel image and the kit
# (docs/kernel-interface.md §5).  reef's build model is "module": the image
# is the kernel alone and apps are loaded by it at boot.
#
# A published release is never touched again: an existing VERSION is
# refused.  Everything is built in temporary directories and the release
# appears by one rename at the end.  CC overrides the compiler.
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
dest="$kernels/reef/$version"
[ ! -e "$dest" ] || die "'$dest' exists: releases are immutable, publish a new version instead"

export LC_ALL=C
CC=${CC:-gcc}
command -v "$CC" >/dev/null || die "compiler '$CC' not found (on Debian: apt-get install gcc-multilib)"
mkdir -p "$kernels/reef"
stage=$(mktemp -d "$kernels/reef/.publish-$version.XXXXXX")
build=$(mktemp -d "${TMPDIR:-/tmp}/reef-build.XXXXXX")
trap 'rm -rf "$stage" "$build"' EXIT

build_variant() {
	local v=$1
	make -s -C "$here/src" VARIANT="$v" VERSION="$version" BUILD="$build/$v" CC="$CC" >/dev/null ||
		die "building variant '$v' failed; see the compiler's messages above"
	mkdir "$stage/$v"
	cp "$build/$v/image" "$stage/$v/image"
	cp -R "$build/$v/kit" "$stage/$v/kit"
}

variant_json() {
	local image="$stage/$1/image"
	printf '    "%s": {\n' "$1"
	printf '      "config": "%s",\n' "$2"
	printf '      "image": {"path": "%s/image", "format": "multiboot1", "sha256": "%s", "size": %s},\n' \
		"$1" "$(sha256sum "$image" | cut -d' ' -f1)" "$(stat -c %s "$image")"
	printf '      "kit": {"path": "%s/kit"}\n' "$1"
	printf '    }'
}

kernel_json() {
	cat <<JSON
{
  "name": "reef",
  "version": "$version",
  "summary": "A multiboot kernel that loads its app as a separate ELF module at boot: rebuild the app, never the kernel",
  "description": "reef boots like pebble but keeps kernel and app apart, as OSv and HermitCore do: the kernel image never changes, and each app is an ELF32 executable built with reef's kit and handed to the kernel as a multiboot module, which reef checks, loads at 16 MiB and runs with argv from the kernel command line. The app carries its own C library and reaches the kernel through one small table (console, log, exit, memory), so apps are built in a second and shipped apart from the kernel. Console, log and exit follow the Diver kernel interface.",
  "license": "MIT",
  "homepage": "https://github.com/diver-kernels/reef",
  "authors": ["Diver developers"],
  "tags": ["unikernel", "module", "elf-loader", "hpc", "multiboot"],
  "arch": "x86_64",
  "modes": ["vm"],
  "build": "module",
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
chmod -R u=rwX,go=rX "$stage"
[ ! -e "$dest" ] || die "'$dest' appeared while building: releases are immutable"
mv -T "$stage" "$dest"
echo "published reef $version in $dest"
