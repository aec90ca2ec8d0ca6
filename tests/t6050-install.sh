#!/bin/bash
# make install: the tools, their man pages and bash completion, where
# PREFIX and DESTDIR say; the man pages render without warnings and the
# completion offers the tools' own commands and options.
# DIVER_MAKEFLAGS: how the build under test was made (make check: SAN=1),
# so that install does not relink it another way.
. "$(dirname "$0")/lib.sh"
require_cmd man

test_expect_success 'make install puts everything under DESTDIR/PREFIX' '
	make -s -C "$SRC" BUILD="$BUILD" ${DIVER_MAKEFLAGS:-} install DESTDIR="$TMP/root" PREFIX=/opt/d >/dev/null &&
	for t in diver bundler catalog-gen; do
		test -x "root/opt/d/bin/$t" && test -f "root/opt/d/share/bash-completion/completions/$t" || exit 1
	done &&
	for m in man1/diver.1 man1/bundler.1 man1/catalog-gen.1 man5/diver-formats.5; do
		test -f "root/opt/d/share/man/$m" || exit 1
	done &&
	test -d root/opt/d/share/diver/site-templates
'

test_expect_success 'the man pages render without warnings' '
	for m in root/opt/d/share/man/man*/*; do
		MANWIDTH=80 man --warnings -l "$m" >/dev/null 2>warn || exit 1
		if [ -s warn ]; then cat warn; exit 1; fi
	done
'

# complete WORDS...: what the completion offers for the last word
complete_words() {
	bash -c ". root/opt/d/share/bash-completion/completions/diver
		COMP_WORDS=($*); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1))
		_diver_complete; printf \"%s\n\" \"\${COMPREPLY[@]}\""
}

test_expect_success 'completion offers commands and each command'"'"'s options' '
	complete_words diver s >c && grep -x search c && grep -x source c && grep -x submit c &&
	complete_words diver dive --ac >c && grep -x -- --accel c &&
	complete_words bundler pack --sp >c && grep -x -- --split c &&
	complete_words catalog-gen --ch >c && grep -x -- --check c &&
	complete_words diver config s >c && grep -x show c && grep -x set c
'

test_expect_success 'make uninstall removes them' '
	make -s -C "$SRC" BUILD="$BUILD" uninstall DESTDIR="$TMP/root" PREFIX=/opt/d >/dev/null &&
	test ! -e root/opt/d/bin/diver && test ! -e root/opt/d/share/man/man1/diver.1 &&
	test ! -e root/opt/d/share/bash-completion/completions/diver
'

test_done
