#!/bin/bash
# diver dive --gdb: the net stops before its first instruction, diver says
# how to attach, and a real gdb attaches, stops in main, reads the app's
# variables and lets it run to its end.
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64
require_cmd gdb

make_catalog site key

test_expect_success 'gdb stops a pebble net in main and lets it finish' '
	use_home g && diver trust add key.pub >/dev/null && diver source add main site >/dev/null &&
	diver init app pebble:debug >/dev/null && diver build -q app >/dev/null 2>&1
	port=$((30000 + RANDOM % 20000))
	diver dive app --accel tcg --gdb=$port -- hi >out 2>err &
	pid=$!
	at_exit "kill -KILL $pid"      # should gdb never come
	for i in $(seq 50); do grep -q "target remote" err 2>/dev/null && break; sleep 0.1; done
	grep "^diver: the net waits for gdb on 127.0.0.1:$port; attach with" err
	sed -n "s/^  gdb /gdb /p" err | grep "symbol-file $TMP/app/build/net.elf"
	timeout 120 gdb -q -batch -ex "symbol-file app/build/net.elf" -ex "target remote 127.0.0.1:$port" \
		-ex "break main" -ex continue -ex "print argc" -ex continue >gdb.out 2>&1 || true  # the last continue ends with the net
	wait $pid && cat gdb.out && grep "Breakpoint 1, main" gdb.out && grep "^\$1 = 2" gdb.out &&
	grep "argument 1: hi" out
'

test_expect_success '--gdb on a reef net names the module and where it is loaded' '
	use_home g && diver init mod reef >/dev/null && diver build -q mod >/dev/null 2>&1 &&
	diver dive mod --gdb --dry-run >cmd 2>hint &&
	grep -- "-gdb tcp:127.0.0.1:1234 -S" cmd && grep "add-symbol-file .*/module 0x01000000" hint &&
	expect_status 2 diver dive mod --gdb=99999
'

test_done
