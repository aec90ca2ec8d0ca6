#!/bin/bash
# The libFuzzer harnesses (tests/fuzz/) for DIVER_FUZZ_TIME seconds each
# (default 60): the manifest parser and the bundle reader must not crash,
# leak or trip ASan/UBSan on any input the fuzzer finds.
. "$(dirname "$0")/lib.sh"
if ! command -v clang >/dev/null; then
	echo "skip 1 - fuzzing: clang is not installed (scripts/install-deps installs it)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
make -C "$SRC" -s fuzz FUZZ_TIME="${DIVER_FUZZ_TIME:-60}" 2>&1 | grep -v "^  \(CC\|LINK\)"
