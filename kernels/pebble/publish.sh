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
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/publish.sh"
publish_begin pebble "$@"

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
  "modes": ["vm", "splitvm"],
  "build": "link",
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
