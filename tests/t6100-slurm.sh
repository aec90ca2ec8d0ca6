#!/bin/bash
# Nets on compute nodes through a real one-node Slurm cluster: diver submit
# (sbatch) and the batch script it writes.
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64
require_cmd slurmctld

make_key key
export SOURCE_DATE_EPOCH=$(date +%s)

test_expect_success 'setup: a pebble net that prints its arguments and exits 3' '
	use_home hpc &&
	catalog-gen -q -k key -o site "$SRC/kernels" &&
	diver trust add key.pub >/dev/null && diver source add main site >/dev/null &&
	diver init app pebble >/dev/null &&
	cat >app/main.c <<-C &&
	#include <stdio.h>
	int main(int argc, char **argv) {
		for (int i = 1; i < argc; i++) printf("arg %s\n", argv[i]);
		return 3;
	}
	C
	diver build -q app >/dev/null 2>&1
'

test_expect_success 'the batch script stages the net with sbcast and runs it with srun' '
	use_home hpc &&
	diver submit app --script -N 1 -n 2 -p debug -t 5 --accel tcg -- "a b" >job.sh &&
	grep "^#SBATCH --nodes=1" job.sh && grep "^#SBATCH --ntasks=2" job.sh &&
	grep "^#SBATCH --partition=debug" job.sh && grep "^#SBATCH --time=5" job.sh &&
	grep "^sbcast --force \"\$src/image\" \"\$dst/image\"" job.sh &&
	grep "^srun --label env DIVER_HOME=" job.sh && grep -- "-- .a b.$" job.sh &&
	sh -n job.sh
'

if start_slurm >"$TMP/slurm-why"; then
	test_expect_success 'submit --wait runs the net on the node and returns its status' '
		use_home hpc &&
		rc=0; diver submit app --wait -n 2 -o "$TMP/job-%j.out" --accel tcg -- x "y z" >sub || rc=$? &&
		test "$rc" = 3 && grep "^submitted job [0-9]*: net [0-9a-f]*$" sub &&
		out=$(ls "$TMP"/job-*.out) && cat "$out" &&
		grep "^0: arg x" "$out" && grep "^1: arg y z" "$out" &&
		! ls /tmp/diver-net-* 2>/dev/null
	'
	test_expect_success 'a submitted job without --wait prints its id at once' '
		use_home hpc &&
		diver submit app -o "$TMP/nowait-%j.out" --accel tcg >sub &&
		id=$(sed -n "s/^submitted job \([0-9]*\):.*/\1/p" sub) && test -n "$id" &&
		for i in $(seq 100); do squeue -h -j "$id" 2>/dev/null | grep -q . || break; sleep 0.2; done &&
		grep "arg" "$TMP/nowait-$id.out" || cat "$TMP/nowait-$id.out"
	'
	test_expect_success 'a shared --stage-dir carries the net instead of the script' '
		use_home hpc &&
		rc=0; diver submit app --wait --stage-dir "$TMP/stage" -o "$TMP/staged-%j.out" --accel tcg -- s >sub || rc=$? &&
		test "$rc" = 3 && ls "$TMP"/stage/diver-net-*/image &&
		grep "arg s" "$TMP"/staged-*.out
	'
	test_expect_success 'dive --slurm streams labelled output and returns the worst status' '
		use_home hpc &&
		rc=0; diver dive app --slurm -n 2 --accel tcg -- one >out 2>err || rc=$? &&
		test "$rc" = 3 && grep "^0: arg one" out && grep "^1: arg one" out
	'
	test_expect_success 'dive --slurm with one task has no labels and status 0 when the app says so' '
		use_home hpc &&
		diver init ok pebble >/dev/null && diver build -q ok >/dev/null 2>&1 &&
		diver dive ok --slurm --accel tcg -- z >out 2>/dev/null &&
		grep "^Hello from pebble" out && ! grep "^0: " out
	'
else
	test_skip 'slurm jobs' "Slurm cannot start here: $(cat "$TMP/slurm-why")"
fi

test_expect_success 'submit without Slurm says what is missing' '
	use_home hpc &&
	expect_error "sbatch. is not installed here" env PATH=/nonexistent "$BUILD/bin/diver" submit app
'

test_done
