#!/bin/bash
# hw mode on Pisces (--via pisces), on the SIMULATED host of
# tests/fake-sos/ (docs/hw-mode.md): diver offlines cores and memory
# blocks itself, with read-back; a full dive through real QEMU, the
# documented call sequence, a failure and a kill -9 of diver at each step
# (then diver recover) leave the host byte-identical; a memory block that
# silently stays online is caught.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake-sos/host.sh"
require_cmd qemu-system-x86_64
require_cmd gcc

hw_full_dive pisces hw 2

test_expect_success 'a failure at each step in turn leaves the host as it was' '
	expect_restored_at_each_step pisces --timeout 60 -d hw --via pisces -c 2 -m 64M
'

KILL_BEFORE="^pisces_cons"
test_expect_success 'kill -9 of diver at each step, then diver recover' '
	expect_recovered_at_each_step pisces --timeout 60 -d hw --via pisces -c 2 -m 64M
'

test_expect_success 'a memory block that silently stays online is caught and everything given back' '
	make_host &&
	gcc -shared -fPIC -o stuck.so "$SRC/tests/fake-sos/stuck-write.c" -ldl &&
	rc=0; LD_PRELOAD=$TMP/stuck.so ASAN_OPTIONS=verify_asan_link_order=0 \
		FAKE_STUCK_WRITE=memory7/state \
		diver dive --timeout 60 -d hw --via pisces -c 2 -m 64M app >out 2>err || rc=$? &&
	test $rc = 1 && cat err &&
	grep -E "^diver: Pisces: memory block memory7 did not go offline: .*memory7/state. reads .online. after writing .offline.: the kernel refused the change without an error; everything diver took was given back$" err &&
	test "$(wc -l <err)" = 1 && ! test -s "$FAKE_LOG" && host_unchanged
'

test_expect_success 'too many cores or too much memory: one error, nothing taken' '
	make_host &&
	expect_error "^diver: -c 4: this host has 3 cores to give a co-kernel" \
		diver dive -d hw --via pisces -c 4 app &&
	expect_error "^diver: -m 256M: no run of 8 contiguous online, removable memory blocks of 32 MiB" \
		diver dive -d hw --via pisces -m 256M app &&
	host_unchanged
'

test_expect_success '--via auto (the default for -d hw) takes the first backend the host has' '
	make_host &&
	diver dive --timeout 60 -d hw app >out 2>err && grep -q "Hello from pebble" out &&
	grep -q "^mcexec" "$FAKE_LOG" && host_unchanged &&
	make_host && rm "$DIVER_IHK_PREFIX/kmod/mcctrl.ko" &&
	diver dive --timeout 60 -d hw --via auto app >out 2>err && grep -q "Hello from pebble" out &&
	grep -q "^pisces_cons" "$FAKE_LOG" && ! grep -q "^insmod" "$FAKE_LOG" && host_unchanged &&
	: >"$DIVER_IHK_PREFIX/kmod/mcctrl.ko"
'

test_expect_success '--via auto on a host without co-kernels: one line with every reason' '
	mkdir -p empty &&
	DIVER_SYSROOT=$TMP/empty expect_error "^diver: no hw backend can run on this host: IHK/McKernel: .*; Pisces: no .*/dev/pisces on this host; .*; Jailhouse: no .*/dev/jailhouse .*diver doctor -d hw" \
		diver dive -d hw app
'

test_expect_success 'doctor -d hw on the fake host: each system, privileges, memory' '
	make_host &&
	diver doctor -d hw >out && cat out &&
	grep -E "^ihk +ok +hw +--via ihk can run here" out &&
	grep -E "^pisces +ok " out && grep -E "^jailhouse +ok " out &&
	grep -E "^privileges +ok .*simulated host" out &&
	grep -E "^memory offline +ok .*7 online memory blocks" out &&
	grep -E "^journal +ok " out && grep -E "^hw +can run here" out &&
	rm "$DIVER_SYSROOT/dev/pisces" &&
	diver doctor -d hw >out && grep -E "^pisces +missing .*no .*/dev/pisces on this host" out &&
	grep -E "fix: build Pisces and Kitten and insmod pisces.ko" out
'

test_expect_success 'doctor names a journal a killed dive left, and diver recover clears it' '
	make_host &&
	FAKE_KILL_AT=2 diver dive -d hw --via pisces app >/dev/null 2>&1 || true &&
	diver doctor -d hw >out; cat out &&
	grep -E "^journal +missing .*1 dive killed before it cleaned up" out &&
	grep -E "fix: diver recover" out &&
	diver recover --list >l && grep "backend pisces" l &&
	diver recover >r && grep "recovered .*steps undone (backend pisces" r &&
	diver recover >r && grep "^nothing to recover" r &&
	host_unchanged
'

test_expect_success 'the journal example of docs/formats.md is what diver recover replays' '
	make_host &&
	echo 0 >"$DIVER_SYSROOT/sys/devices/system/cpu/cpu3/online" &&
	echo offline >"$DIVER_SYSROOT/sys/devices/system/memory/memory7/state" &&
	mkdir -p "$DIVER_HOME/data/journal" &&
	doc_block "$SRC/docs/formats.md" "<!-- example: journal -->" | \
		sed "s|SYSROOT|$DIVER_SYSROOT|" >"$DIVER_HOME/data/journal/20261201T230000Z-4242.jsonl" &&
	test "$(wc -l <"$DIVER_HOME/data/journal/20261201T230000Z-4242.jsonl")" = 6 &&
	diver recover >r && cat r && grep "2 steps undone (backend pisces, pid 4242)" r &&
	host_unchanged
'

test_done
