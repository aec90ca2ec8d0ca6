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
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/publish.sh"
publish_begin reef "$@"

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
  "modes": ["vm", "splitvm"],
  "build": "module",
  "toolchain": {"name": "gcc-i386", "version": "12.2.0"},
  "interface": {"boot": "multiboot1", "console": "framed-uart-1", "log": "com2", "exit": "isa-debug-exit", "channel": "shm-ring-1", "delegation": "deleg-1"},
  "variants": {
$(variant_json default "optimized, quiet log"),
$(variant_json debug "-O0 -g, verbose log")
  }
}
JSON
}

build_variant default
build_variant debug
publish_end
