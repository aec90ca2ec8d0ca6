#!/bin/bash
# A net used interactively on a terminal: a shell-like app shows its prompt
# before it waits for input, reads what the user types on the pty, and its
# exit status comes back (script(1) gives the net a real terminal).
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64
require_cmd script

make_catalog site key

test_expect_success 'a prompt, typed lines, and the exit status through a terminal' '
	use_home tty && diver trust add key.pub >/dev/null && diver source add main site >/dev/null &&
	diver init shell pebble >/dev/null && cat >shell/main.c <<-\C &&
	#include <stdio.h>
	#include <string.h>
	int main(void) {
		char line[256];
		for (;;) {
			printf("pebble-shell> ");
			if (!fgets(line, sizeof line, stdin))
				return 0;
			line[strcspn(line, "\n")] = 0;
			if (!strcmp(line, "exit"))
				return 5;
			printf("you said: %s\n", line);
		}
	}
	C
	diver build -q shell >/dev/null 2>&1 &&
	rc=0; { sleep 2; printf "hello there\n"; sleep 2; printf "exit\n"; sleep 2; } |
		script -qec "diver dive shell --accel tcg 2>/dev/null" /dev/null >typed || rc=$?
	test "$rc" = 5 && tr -d "\r" <typed >t && cat t &&
	grep -x "pebble-shell> hello there" t && grep -x "you said: hello there" t &&
	grep -x "pebble-shell> exit" t
'

test_done
