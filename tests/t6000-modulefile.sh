#!/bin/bash
# make install-modulefile: a site offers `module load diver`.
. "$(dirname "$0")/lib.sh"
require_cmd modulecmd

test_expect_success 'the modulefile puts an installed diver on PATH and MANPATH' '
	make -s -C "$SRC" install-modulefile DESTDIR="$TMP/root" PREFIX=/opt/diver &&
	f="$TMP/root/opt/diver/share/modulefiles/diver/0.1.0" && test -f "$f" &&
	MODULEPATH="$TMP/root/opt/diver/share/modulefiles" modulecmd sh load diver >env &&
	grep "^PATH=/opt/diver/bin:" env && grep "MANPATH=/opt/diver/share/man" env &&
	MODULEPATH="$TMP/root/opt/diver/share/modulefiles" modulecmd sh avail 2>avail &&
	grep "diver/0.1.0" avail
'

test_expect_success 'module whatis describes it' '
	MODULEPATH="$TMP/root/opt/diver/share/modulefiles" modulecmd sh whatis diver 2>what &&
	grep "specialized OS kernels" what
'

test_done
