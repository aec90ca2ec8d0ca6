#!/bin/bash
# diver info, diver rm and diver doctor (on this host, and on a simulated
# co-kernel host: a fake sysfs root and fake tools).
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64

make_catalog site key

test_expect_success 'info shows a release, its variants and how to start' '
	use_home info && diver trust add key.pub >/dev/null && diver source add main site >/dev/null &&
	diver info pebble >out && cat out &&
	v=$(newest pebble) &&
	grep "^pebble $v — " out && grep -E "^build +link \(the app is linked into the kernel\)" out &&
	grep -E "^  default +multiboot1 +package [0-9.]+ KiB" out && grep -E "^  debug " out &&
	grep "^start an app: diver init app pebble:default@$v" out &&
	diver info --json pebble:debug >j &&
	python3 -c "import json; d=json.load(open(\"j\")); assert d[\"variant\"]==\"debug\" and d[\"source\"]==\"main\" \
		and d[\"releases\"]==\"$(releases pebble | tr "\n" " ")\".split() and d[\"variants\"][\"debug\"][\"cached\"] is False"
'

test_expect_success 'info names what exists when a reference does not' '
	use_home info &&
	expect_error "no variant .gpu.*; variants are default, debug" diver info pebble:gpu &&
	expect_error "releases of pebble are $(releases pebble | paste -sd, | sed "s/,/, /g")" diver info pebble@9.9.9 &&
	expect_error "no source has a kernel named .nope." diver info nope &&
	expect_status 2 diver info
'

test_expect_success 'rm forgets a net by id prefix and leaves the app alone' '
	use_home info && diver init app pebble >/dev/null && diver build -q app >/dev/null 2>&1 &&
	id=$(diver list nets --json | python3 -c "import json,sys; print(json.load(sys.stdin)[0][\"id\"])") &&
	diver rm "${id%????}" >out && grep "^removed net $id (app app on pebble@$(newest pebble))" out &&
	! diver list nets | grep -q "$id" && test -f app/main.c && test -f app/build/net.json &&
	expect_error "no net" diver rm "$id"
'

test_expect_success 'doctor reports this host and exits 0 when vm can run' '
	use_home doc && diver doctor >out && cat out &&
	grep -E "^qemu +ok +vm splitvm +QEMU emulator version" out &&
	grep -E "^vm +can run here" out &&
	diver doctor --json -d vm >j &&
	python3 -c "import json; d=json.load(open(\"j\")); assert d[\"usable\"]=={\"vm\": True}"
'

test_expect_success 'doctor says how to get what is missing, and exits 1' '
	use_home doc && mkdir -p nobin && ln -sf "$(command -v make)" nobin/make &&
	PATH="$TMP/nobin" expect_status 1 "$(command -v diver)" doctor -d vm &&
	grep -E "^qemu +missing .*not in PATH" "$TMP/stdout" &&
	grep "fix: apt-get install qemu-system-x86" "$TMP/stdout"
'

test_expect_success 'doctor -d hw on a simulated co-kernel host (fake sysfs and tools)' '
	use_home doc && fake="$TMP/fakehost" && mkdir -p "$fake/proc" fakebin ppos/kmod &&
	: >"$fake/proc/modules" && : >ppos/kmod/ihk.ko && : >ppos/kmod/ihk-smp-x86_64.ko &&
	: >ppos/kmod/mcctrl.ko &&
	for c in 1 2 3; do mkdir -p "$fake/sys/devices/system/cpu/cpu$c" &&
		echo 1 >"$fake/sys/devices/system/cpu/cpu$c/online"; done &&
	for t in ihkconfig ihkosctl mcexec insmod rmmod; do
		printf "#!/bin/sh\necho \"\$0 \$*\" >>%s/calls\n" "$TMP" >fakebin/$t && chmod +x fakebin/$t
	done &&
	expect_status 1 env DIVER_SYSROOT="$TMP/empty" diver doctor -d hw &&
	grep -E "^co-kernel +missing" "$TMP/stdout" &&
	DIVER_SYSROOT="$fake" DIVER_IHK_PREFIX="$TMP/ppos" PATH="$TMP/fakebin:$PATH" \
		diver doctor -d hw >out && cat out &&
	grep -E "^ihk +ok " out && grep -E "^pisces +missing .*/dev/pisces" out &&
	grep -E "^co-kernel +ok .*--via ihk" out && grep -E "^cores offline +ok .*3 cores" out &&
	grep -E "^hw +can run here" out && test ! -e calls
'

test_expect_success 'search reads an index that follows the catalog' '
	use_home idx && diver trust add key.pub >/dev/null &&
	cp -R site site-idx && diver source add s site-idx >/dev/null &&
	idx="$DIVER_HOME/data/sources/s/search.idx" && test -f "$idx" &&
	head -n 1 "$idx" | grep "^diver-search-index 1 " &&
	diver search TEACHING >out && grep "^pebble " out &&
	diver search --tag tiny --mode vm --arch x86_64 >out && grep "^pebble " out &&
	! diver search --tag nope 2>/dev/null &&
	mkdir -p k2 && cp -R "$SRC/kernels/pebble" k2/ && cp -R k2/pebble k2/shell &&
	for f in $(grep -rl "\"name\": \"pebble\"" k2/shell); do sed -i "s/\"name\": \"pebble\"/\"name\": \"shell\"/" "$f"; done &&
	SOURCE_DATE_EPOCH=$(($(date +%s) + 5)) catalog-gen -q -k key -o site-idx k2 &&
	diver update >/dev/null && diver search shell >out && grep "^shell " out &&
	rm "$idx" && diver search shell >out && grep "^shell " out && test -f "$idx" &&
	diver search --json shell | python3 -c "import json,sys; assert json.load(sys.stdin)[0][\"name\"]==\"shell\""
'

test_done
