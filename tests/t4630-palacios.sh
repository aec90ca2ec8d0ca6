#!/bin/bash
# splitvm on Palacios (--via palacios), on the SIMULATED host of
# tests/fake-sos/ (docs/hw-mode.md): the VM XML diver renders, a full dive
# through real QEMU, the documented call sequence, a failure and a kill -9
# of diver at each step (then diver recover) leave the host byte-identical.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/fake-sos/host.sh"
require_cmd qemu-system-x86_64

hw_full_dive palacios splitvm 1

test_expect_success 'the VM XML: ROS core and memory, the HRT the net image, memory not mem' '
	make_host &&
	FAKE_KILL_AT=3 diver dive -d splitvm --via palacios -c 2 -m 64M app -- a "b c" >/dev/null 2>&1 || true &&
	x=$(cat "$DIVER_HOME"/cache/hw-*/vm.xml) &&
	echo "$x" | grep -F "<memory alignment=\"2MB\">128</memory>" &&
	echo "$x" | grep -F "<cores count=\"3\"><core/><core/><core/></cores>" &&
	echo "$x" | grep -F "<file id=\"hrtelf\" filename=\"$NET/image\"/>" &&
	echo "$x" | grep -F "<ros cores=\"1\" mem=\"64\"/>" &&
	echo "$x" | grep -F "<hrt file_id=\"hrtelf\" cmdline=\"argv0=app -- a b\\x20c\"/>" &&
	! echo "$x" | grep -F "<mem>" &&
	diver recover >/dev/null && host_unchanged
'

test_expect_success 'a failure at each step in turn leaves the host as it was' '
	expect_restored_at_each_step palacios --timeout 60 -d splitvm --via palacios -c 1 -m 64M
'

KILL_BEFORE="^v3_cons_sc"
test_expect_success 'kill -9 of diver at each step, then diver recover' '
	expect_recovered_at_each_step palacios --timeout 60 -d splitvm --via palacios -c 1 -m 64M
'

test_expect_success '--dry-run and --gdb are refused before anything is taken' '
	make_host &&
	expect_error "^diver: --dry-run: not with --via palacios" \
		diver dive -d splitvm --via palacios --dry-run app &&
	expect_error "^diver: --gdb: not with --via palacios; use --via qemu" \
		diver dive -d splitvm --via palacios --gdb app &&
	! test -e "$FAKE_LOG" && host_unchanged
'

test_expect_success 'recover leaves a running dive alone; kill -9 while the app runs, then recover' '
	make_host &&
	diver init spin pebble >/dev/null &&
	printf "int main(void) { for (;;) ; }\n" >spin/main.c &&
	diver build -q spin >/dev/null 2>&1 &&
	# exec: $! must be diver itself, not a subshell around it
	{ exec diver dive --timeout 60 -d splitvm --via palacios spin >out 2>err; } & pid=$! &&
	while ! grep -q "^v3_cons_sc" "$FAKE_LOG" 2>/dev/null; do sleep 0.1; done &&
	diver recover >r && grep "^left alone: .*its dive is still running" r &&
	kill -9 $pid && { wait $pid || true; } &&
	ls "$FAKE_RUN"/v3-0/pid && kill -0 "$(cat "$FAKE_RUN"/v3-0/pid)" &&
	diver recover >r && grep "recovered .* (backend palacios, pid $pid)" r &&
	host_unchanged
'

test_done
