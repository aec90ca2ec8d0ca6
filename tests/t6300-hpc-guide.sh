#!/bin/bash
# docs/hpc-site.md, followed step by step: every ```sh block of the guide,
# in order, from a bundle file to `diver dive --slurm` output on a real
# one-node Slurm.  The guide's /media/transfer, /shared and /etc/diver are
# moved into the scratch directory; its partition becomes the test's.
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64
require_cmd slurmctld

guide="$SRC/docs/hpc-site.md"

test_expect_success 'the guide has its steps' '
	awk "/^\`\`\`sh\$/ {on=1; next} /^\`\`\`/ {on=0} on" "$guide" >steps.sh &&
	grep -q "bundler import" steps.sh && grep -q "diver dive --slurm" steps.sh &&
	sed -i -e "s|/media/transfer|$TMP/transfer|g" -e "s|/shared/|$TMP/shared/|g" \
		-e "s|slurm.partition compute|slurm.partition debug|" steps.sh &&
	! grep -q "/etc/diver" steps.sh && cat steps.sh
'

test_expect_success 'setup: the publisher packs a bundle; the site gets it and the key' '
	make_key publisher &&
	SOURCE_DATE_EPOCH=$(date +%s) catalog-gen -q -k publisher -o catalog "$SRC/kernels" &&
	mkdir transfer &&
	bundler pack -k publisher -o transfer/diver-2026-11.dvb --from catalog --all >/dev/null 2>&1 &&
	cp publisher.pub transfer/
'

if start_slurm >"$TMP/slurm-why"; then
	test_expect_success 'following the guide gets from the bundle to dive --slurm output' '
		use_home admin && export DIVER_SYSCONFDIR="$TMP/etc-diver" &&
		mkdir -p "$DIVER_SYSCONFDIR" &&
		echo "{\"accel\": \"tcg\"}" >"$DIVER_SYSCONFDIR/config.json" &&
		(set -ex; . ./steps.sh) >guide.out 2>&1 || { cat guide.out; false; } &&
		cat guide.out &&
		grep "diver-2026-11.dvb: OK" guide.out &&
		grep -E "^0: Hello from pebble" guide.out && grep -E "^1: Hello from pebble" guide.out &&
		grep -E "^submitted job [0-9]+" guide.out &&
		grep -E "^(0|1): Hello from pebble" hello-*.out &&
		! ls /tmp/diver-net-* 2>/dev/null
	'
else
	test_skip 'following the guide gets from the bundle to dive --slurm output' \
		"Slurm does not start here: $(cat "$TMP/slurm-why")"
fi

test_done
