# tests/fake-sos/host.sh — the simulated host of the hw-mode tests
# (t46NN-*.sh), sourced after tests/lib.sh: the fake sysroot, its
# snapshot, the documented call sequences, failure and kill -9 loops, and
# a net of a kernel that declares hw and splitvm.
export PATH="$SRC/tests/fake-sos:$PATH"
export DIVER_SYSROOT="$TMP/host" FAKE_RUN="$TMP/fake-run" FAKE_LOG="$TMP/calls"
export DIVER_IHK_PREFIX="$TMP/ppos" DIVER_JAILHOUSE_SYSCONFIG="$TMP/sysconfig.cell"
# at the end, any kernel a failed test left running (only if that pid is
# still its QEMU)
at_exit "for p in $TMP/fake-run/*/pid; do q=\$(cat \$p); grep -qaF $TMP/fake-run/ /proc/\$q/cmdline 2>/dev/null && kill -9 \$q; done"

# The fake host: cpu0-3 online, memory0-7 of 32 MiB online and removable,
# no co-kernel module loaded; /dev/pisces, /dev/jailhouse and /dev/v3vee
# as if their modules were.
make_host() {
	local r=$DIVER_SYSROOT c m
	rm -rf "$r" "$FAKE_RUN" "$FAKE_LOG" "${DIVER_HOME:-/nonexistent}/data/journal"
	mkdir -p "$r/proc/pisces" "$r/dev" "$r/sys/module" "$r/sys/devices/system/memory" \
		"$r/sys/devices/jailhouse/cells"
	printf 'ext4 999424 1 - Live 0x0000000000000000\n' >"$r/proc/modules"
	mkdir -p "$r/sys/devices/system/cpu/cpu0"
	echo 0-3 >"$r/sys/devices/system/cpu/online"
	for c in 1 2 3; do
		mkdir -p "$r/sys/devices/system/cpu/cpu$c"
		echo 1 >"$r/sys/devices/system/cpu/cpu$c/online"
	done
	echo 2000000 >"$r/sys/devices/system/memory/block_size_bytes"
	for m in 0 1 2 3 4 5 6 7; do
		mkdir -p "$r/sys/devices/system/memory/memory$m"
		echo online >"$r/sys/devices/system/memory/memory$m/state"
		echo 1 >"$r/sys/devices/system/memory/memory$m/removable"
	done
	mkdir -p "$r/sys/module/pisces" "$r/sys/module/jailhouse" "$r/sys/module/v3vee"
	: >"$r/dev/pisces"; : >"$r/dev/jailhouse"; : >"$r/dev/v3vee"
	echo 0 >"$r/sys/devices/jailhouse/enabled"
	mkdir -p "$DIVER_IHK_PREFIX/kmod"
	: >"$DIVER_IHK_PREFIX/kmod/ihk.ko"; : >"$DIVER_IHK_PREFIX/kmod/ihk-smp-x86_64.ko"
	: >"$DIVER_IHK_PREFIX/kmod/mcctrl.ko"
	: >"$DIVER_JAILHOUSE_SYSCONFIG"
	tree_state "$r" >"$TMP/host.state"
}

host_unchanged() {
	tree_state "$DIVER_SYSROOT" >"$TMP/host.now"
	diff -u "$TMP/host.state" "$TMP/host.now" || { echo "the fake host changed"; return 1; }
	# every kernel booted was stopped by the system's own teardown
	for p in "$FAKE_RUN"/*/pid; do
		[ -f "$p" ] || continue
		echo "a kernel was not stopped: $p"
		return 1
	done
	ls "$DIVER_HOME/data/journal" 2>/dev/null | grep . && { echo "a journal is left"; return 1; }
	return 0
}

# The fenced block after the line MARKER in FILE.
doc_block() {
	awk -v want="$2" '
		$0 == want { on = 1; next }
		on && /^```/ { if (++fence == 2) exit; next }
		on && fence == 1 { print }' "$1"
}

# The documented call sequence of a backend, from docs/hw-mode.md.
documented() {
	doc_block "$SRC/docs/hw-mode.md" "<!-- sequence: $1 -->"
}

# The log with this run's paths replaced by the names the docs use.
normalized() {
	local id=${NET##*/}
	sed -e "s|$NET|NET|g" -e "s|$DIVER_IHK_PREFIX|PREFIX|g" -e "s|diver-${id:0:8}|diver-NETID|g" \
	    -e "s|$DIVER_JAILHOUSE_SYSCONFIG|SYSCONFIG|g" \
	    -e "s|$DIVER_HOME/cache/hw-[A-Za-z0-9]*|WORK|g" "$FAKE_LOG"
}

# expect_restored_at_each_step VIA ARGS...: fail the K-th tool call for every K of a
# full dive; each time one error line, exit 1, the host as it was.
expect_restored_at_each_step() {
	local via=$1 k total
	shift
	[ -s "$TMP/full.calls" ] || { echo "no full dive to compare with"; return 1; }
	total=$(wc -l <"$TMP/full.calls")
	for k in $(seq 1 "$total"); do
		make_host
		rc=0; FAKE_FAIL_AT=$k diver dive "$@" app -- world >out 2>err || rc=$?
		# a step diver retries (jailhouse cell shutdown) may succeed the
		# second time: then the dive succeeds, the call twice in the log
		if [ $rc = 0 ] && [ "$(sed -n ${k}p "$FAKE_LOG")" = "$(sed -n $((k + 1))p "$FAKE_LOG")" ]; then
			host_unchanged || return 1
			continue
		fi
		[ $rc != 0 ] || { echo "call $k: the dive did not fail"; cat err; return 1; }
		grep -q "injected failure at call $k" err || { echo "call $k:"; cat err; return 1; }
		[ "$(grep -c "^diver: " err)" = 1 ] || { echo "call $k: not one error"; cat err; return 1; }
		# an undo that failed is left in the journal, and the error says so
		if grep -q "run diver recover" err; then
			diver recover >rec || { cat err rec; return 1; }
		fi
		host_unchanged || { echo "after a failure at call $k ($(sed -n ${k}p "$FAKE_LOG"))"; \
			cat err; return 1; }
	done
	echo "$total steps failed in turn"
}

# kill -9 of diver at the calls before the console ($KILL_BEFORE) starts,
# every $KILL_EVERY-th one (and the last); diver recover then restores
# the host.
expect_recovered_at_each_step() {
	local via=$1 k stop
	shift
	stop=$(grep -n "$KILL_BEFORE" "$TMP/full.calls" | head -n1 | cut -d: -f1)
	[ -n "$stop" ] || { echo "no call $KILL_BEFORE in a full dive"; return 1; }
	for k in $( (seq 1 "${KILL_EVERY:-1}" "$stop"; echo "$stop") | sort -un); do
		make_host
		rc=0; FAKE_KILL_AT=$k diver dive "$@" app -- world >out 2>err || rc=$?
		[ $rc = 137 ] || { echo "call $k: diver was not killed ($rc)"; cat err; return 1; }
		diver recover >rec 2>&1 || { cat rec; return 1; }
		host_unchanged || { echo "after kill -9 at call $k"; cat rec; return 1; }
	done
	echo "kills up to call $stop recovered"
}



# A kernel that declares hw and splitvm (a copy of pebble), an app built
# on it in home "hw"; NET is its directory.
setup_net() {
	make_key key &&
	mkdir -p "$TMP/kernels" && cp -R "$SRC/kernels/pebble" "$TMP/kernels/" &&
	for k in "$TMP"/kernels/pebble/*/kernel.json; do
		sed -i "s/\"modes\": \[[^]]*\]/\"modes\": [\"vm\", \"splitvm\", \"hw\"]/" "$k"
	done &&
	catalog-gen -q -k "$TMP/key" -o "$TMP/site" "$TMP/kernels" &&
	use_home hw &&
	diver trust add "$TMP/key.pub" >/dev/null && diver source add k "$TMP/site" >/dev/null &&
	(cd "$TMP" && diver init app pebble >/dev/null && diver build -q app >/dev/null 2>&1)
}
net_dir() {
	local d
	d=$(ls -d "$TMP/home-hw/data/nets/"*/ 2>/dev/null | head -n1)
	echo "${d%/}"
}

# hw_full_dive BACKEND MODE CPUS: the opening of every t46NN.  The net
# (NET, home "hw"), then a full dive -d MODE --via BACKEND -c CPUS through
# real QEMU: the app's output and status, the host as it was, and its
# calls (kept in $TMP/full.calls) the documented sequence of BACKEND.
hw_full_dive() {
	HW_VIA=$1 HW_MODE=$2 HW_CPUS=$3
	test_expect_success "setup: an app on a kernel that declares $HW_MODE" 'setup_net'
	NET=$(net_dir)
	use_home hw
	test_expect_success 'a full dive shows the app output and exit status' '
		make_host &&
		diver dive --timeout 60 -d $HW_MODE --via $HW_VIA -c $HW_CPUS -m 64M \
			app -- world >out 2>err &&
		grep "argument 1: world" out && grep -q "Hello from pebble" out &&
		grep "pebble: app exited with status 0" err &&
		host_unchanged && cp "$FAKE_LOG" "$TMP/full.calls"
	'
	test_expect_success 'the calls are the documented sequence' '
		documented $HW_VIA >want && normalized >got &&
		diff -u want got && test -s want
	'
}
