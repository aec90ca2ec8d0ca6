#!/bin/bash
# diver dive --share, --env and --write-max: what splitvm's delegate may reach, checked
# before anything starts (the delegate itself is tests/unit/diver_delegate_test.c).
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a home without a net' '
	use_home h && mkdir -p data out && echo x >file
'

# A check that passed leaves the next step to fail: there is no net here.
no_net='has no net yet|not available in this diver yet'

test_expect_success 'good shares and variables pass the check' '
	use_home h &&
	expect_error "$no_net" diver dive -d splitvm --share data:ro --share out --env A=1 &&
	expect_error "$no_net" diver dive -d splitvm &&
	HOME_VALUE=v expect_error "$no_net" env HOME_VALUE=v diver dive -d splitvm --env HOME_VALUE
'

test_expect_success 'a share that is missing or not a directory' '
	use_home h &&
	expect_error "^diver: --share '\''nodir'\'': No such file or directory$" \
		diver dive -d splitvm --share nodir:ro &&
	expect_error "^diver: --share '\''file'\'': not a directory$" \
		diver dive -d splitvm --share data --share file
'

test_expect_success 'two shares with one name, a read-only share in a writable one' '
	use_home h &&
	mkdir -p a/out &&
	expect_error "would both be /out in the kernel" \
		diver dive -d splitvm --share data --share out --share a/out &&
	expect_error "read-only but within the writable --share '\''\.'\''" \
		diver dive -d splitvm --share . --share data:ro
'

test_expect_success 'a variable diver does not have, a bad --share' '
	use_home h &&
	expect_status 2 env -u DIVER_T_UNSET diver dive -d splitvm --env DIVER_T_UNSET &&
	grep -x "diver dive: --env '\''DIVER_T_UNSET'\'': not set in diver'\''s environment; give its value with --env DIVER_T_UNSET=VALUE" "$TMP/stderr" &&
	expect_status 2 diver dive -d splitvm --share :ro &&
	grep "expected DIR, DIR:ro or DIR:rw" "$TMP/stderr" &&
	expect_status 2 diver dive -d splitvm --write-max 0 &&
	grep "write-max '\''0'\'': expected a size like 64M or 2G" "$TMP/stderr"
'

test_expect_success 'only splitvm takes them, also when the mode comes from the settings' '
	use_home h &&
	expect_error "^diver: --share: only -d splitvm delegates the kernel.s calls to diver, not -d vm$" \
		diver dive --share data &&
	expect_error "only -d splitvm .* not -d vm$" diver dive --env A=1 &&
	expect_error "^diver: --write-max: only -d splitvm" diver dive --write-max 1G &&
	expect_error "$no_net" diver dive -d splitvm --write-max 10M &&
	diver config set mode splitvm &&
	expect_error "$no_net" diver dive --share data
'

test_expect_success '--help and completion know them' '
	diver dive --help >help &&
	grep -- "--share DIR\[:ro\]" help && grep -- "--env NAME\[=VALUE\]" help &&
	grep -- "--write-max SIZE" help &&
	diver dive --list-options >opts && grep -x -- --share opts && grep -x -- --env opts
'

test_done
