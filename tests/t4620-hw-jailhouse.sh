#!/bin/bash
# hw mode on Jailhouse (--via jailhouse), on the SIMULATED host of
# tests/fake-sos/ (docs/hw-mode.md): a full dive through real QEMU, the
# documented call sequence, a "running/locked" cell that needs a second
# shutdown, a failure and a kill -9 of diver at each step (then diver
# recover) leave the host byte-identical.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake-sos/host.sh"
require_cmd qemu-system-x86_64

hw_full_dive jailhouse hw 2

test_expect_success 'the cell description names the cores and memory' '
	make_host &&
	FAKE_KILL_AT=3 diver dive -d hw --via jailhouse -c 2 -m 64M app >/dev/null 2>&1 || true &&
	cat "$DIVER_HOME"/cache/hw-*/diver-*.cell >cell &&
	grep -x "cpus=2-3" cell && grep -x "memory=64M" cell && grep -x "name=diver-.*" cell &&
	test "$(cat "$DIVER_SYSROOT"/sys/devices/jailhouse/cells/1/cpus_assigned_list)" = 2-3 &&
	diver recover >/dev/null && host_unchanged
'

test_expect_success 'a running/locked cell is shut down with a second call' '
	make_host &&
	FAKE_JAILHOUSE_LOCKED=1 diver dive --timeout 60 -d hw --via jailhouse app >out 2>err &&
	grep -q "Hello from pebble" out &&
	test "$(grep -c "^jailhouse cell shutdown" "$FAKE_LOG")" = 2 &&
	host_unchanged
'

test_expect_success 'a failure at each step in turn leaves the host as it was' '
	expect_restored_at_each_step jailhouse --timeout 60 -d hw --via jailhouse -c 2 -m 64M
'

KILL_BEFORE="^jailhouse console"
test_expect_success 'kill -9 of diver at each step, then diver recover' '
	expect_recovered_at_each_step jailhouse --timeout 60 -d hw --via jailhouse -c 2 -m 64M
'

test_expect_success 'Jailhouse already enabled: used, and left enabled' '
	make_host &&
	echo 1 >"$DIVER_SYSROOT/sys/devices/jailhouse/enabled" && tree_state "$DIVER_SYSROOT" >"$TMP/host.state" &&
	diver dive --timeout 60 -d hw --via jailhouse app >out 2>err &&
	! grep -E "^jailhouse (enable|disable)" "$FAKE_LOG" && host_unchanged
'

test_expect_success 'SIGINT, SIGTERM or SIGHUP at any step: the host is put back' '
	total=$(wc -l <"$TMP/full.calls") &&
	for sig in INT TERM HUP; do
		for k in $(seq 1 "$total"); do
			make_host &&
			rc=0; FAKE_SIGNAL=$sig FAKE_SIGNAL_AT=$k diver dive --timeout 60 -d hw \
				--via jailhouse -c 2 -m 64M app >out 2>err || rc=$?
			# a signal in the teardown comes too late to matter
			[ $rc != 0 ] || [ $k -gt 5 ] || { echo "$sig at $k: no failure"; cat err; exit 1; }
			host_unchanged || { echo "$sig at call $k"; cat err; exit 1; }
		done
	done
'

test_expect_success 'SIGTERM while the app runs: exit 143, the host put back' '
	make_host &&
	diver init spin pebble --example spin >/dev/null &&
	diver build -q spin >/dev/null 2>&1 &&
	# the console tool (call 5) sends it, the app spinning in its QEMU
	rc=0; FAKE_SIGNAL_AT=5 diver dive --timeout 60 -d hw --via jailhouse spin >out 2>err || rc=$? &&
	{ test $rc = 143 && grep "^diver: interrupted by Terminated; the co-kernel was stopped" err; } ||
		{ echo "rc $rc"; cat err "$FAKE_LOG"; false; } &&
	sed -n 5p "$FAKE_LOG" | grep "^jailhouse console -f" && host_unchanged
'

test_done
