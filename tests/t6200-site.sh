#!/bin/bash
# A site's configuration (/etc/diver, here $DIVER_SYSCONFDIR) under the
# user's, `diver config`, and a shared mirror that bundler import replaces
# while users keep reading it.
. "$(dirname "$0")/lib.sh"

ETC="$TMP/etc-diver"
make_key key
export SOURCE_DATE_EPOCH=$(($(date +%s) - 100000))   # catalogs expire: keep near now

test_expect_success 'setup: a signed catalog imported into the site mirror' '
	catalog-gen -q -k key -o site "$SRC/kernels" &&
	bundler pack -k key -o b0.dvb --from site --all --serial 10 >/dev/null 2>&1 &&
	bundler import -p key.pub b0.dvb "$TMP/mirror" >/dev/null &&
	test -f mirror/catalog.json
'

test_expect_success 'without site or user files, config show prints the defaults' '
	use_home plain && export DIVER_SYSCONFDIR="$ETC" &&
	diver config show >out &&
	grep "^# defaults < $ETC/config.json < $DIVER_HOME/config/config.json" out &&
	grep -E "^mode +vm +default$" out && grep -E "^cpus +1 +default$" out &&
	grep -E "^memory +64M +default$" out &&
	diver config get accel >v && test "$(cat v)" = auto
'

test_expect_success 'the site sets defaults, a mirror, a key and limits; the user overrides' '
	mkdir -p "$ETC/trusted" && cp key.pub "$ETC/trusted/" &&
	cat >"$ETC/config.json" <<-EOF &&
	{ "format": 1, "cpus": 2, "memory": "128M", "mirror": "$TMP/mirror",
	  "limits": { "cpus": 4, "memory": "1G" }, "slurm": { "partition": "batch" } }
	EOF
	use_home user && export DIVER_SYSCONFDIR="$ETC" &&
	diver config set memory 256M >/dev/null &&
	diver config show >out && cat out &&
	grep -E "^cpus +2 +$ETC/config.json$" out &&
	grep -E "^memory +256M +$DIVER_HOME/config/config.json$" out &&
	grep -E "^limits.cpus +4 +$ETC/config.json$" out &&
	grep -E "^slurm.partition +batch +$ETC/config.json$" out &&
	grep -E "^  site +dir +$TMP/mirror +$ETC/config.json$" out &&
	grep -E "^  [0-9a-f]{16}  $ETC/trusted/key.pub$" out &&
	diver config show --json >j &&
	python3 -c "import json,sys; d=json.load(open(\"j\")); \
		assert d[\"settings\"][\"cpus\"]=={\"value\":\"2\",\"from\":\"$ETC/config.json\"}; \
		assert d[\"sources\"][0][\"name\"]==\"site\"; assert len(d[\"trusted\"])==1"
'

test_expect_success 'the site mirror is usable at once: no source add, trust or update' '
	use_home user && export DIVER_SYSCONFDIR="$ETC" &&
	diver search pebble >out && grep pebble out && grep site out &&
	diver source list >src && grep -E "^site .*\[site\]$" src &&
	diver trust list >keys && grep "$ETC/trusted/key.pub" keys
'

test_expect_success 'users cannot remove or shadow what the site set' '
	use_home user && export DIVER_SYSCONFDIR="$ETC" &&
	expect_error "source .site. is the site.s \($ETC/config.json\): only its administrator" \
		diver source remove site &&
	expect_error "source .site. is the site.s" diver source add site "$TMP/site" &&
	id=$(diver trust list | sed -n "s/^\([0-9a-f]*\) .*/\1/p") &&
	expect_error "key $id is trusted by the site" diver trust remove "$id" &&
	expect_error "limits.cpus is a site limit: only the site.s $ETC/config.json" \
		diver config set limits.cpus 64 &&
	echo "{\"limits\": {\"cpus\": 64}}" >"$DIVER_HOME/config/config.json" &&
	diver config show >out && grep -E "^limits.cpus +4 +$ETC" out &&
	grep "limits.cpus (only the site may set it)" out
'

test_expect_success 'dive takes its defaults from the settings and refuses what exceeds the limits' '
	use_home user && export DIVER_SYSCONFDIR="$ETC" &&
	rm -f "$DIVER_HOME/config/config.json" &&
	diver init app pebble >/dev/null && diver build -q app >/dev/null 2>&1 &&
	diver dive app --dry-run >cmd && grep -- "-smp 2" cmd && grep -- "-m 128" cmd &&
	diver dive app --dry-run -c 3 -m 512M >cmd && grep -- "-smp 3" cmd &&
	expect_error "-c 8 is over this site.s limit of 4 CPUs \(limits.cpus in $ETC/config.json\)" \
		diver dive app --dry-run -c 8 &&
	expect_error "-m 2048M is over this site.s limit of 1G" diver dive app --dry-run -m 2G &&
	diver submit app --script >job.sh && grep "^#SBATCH --partition=batch" job.sh
'

test_expect_success 'a broken or wrong site file is one error naming it and the setting' '
	use_home user && export DIVER_SYSCONFDIR="$TMP/bad" && mkdir -p bad &&
	echo "{ \"cpus\": " >bad/config.json &&
	expect_error "$TMP/bad/config.json" diver search pebble &&
	echo "{ \"cpus\": \"many\" }" >bad/config.json &&
	expect_error "$TMP/bad/config.json: cpus: expected a number of CPUs from 1 to 1024, got \"many\"" \
		diver config show &&
	echo "{ \"mode\": [1] }" >bad/config.json &&
	expect_error "mode: expected a string or a number, got an array" diver dive --dry-run &&
	echo "{ \"format\": 2 }" >bad/config.json &&
	expect_error "format: expected 1" diver list nets &&
	rm bad/config.json && expect_error "no setting .colour." diver config set colour blue &&
	expect_error "cpus: expected a number of CPUs" diver config set cpus 0
'

test_expect_success 'a cache set by the site is where packages go' '
	use_home cached && export DIVER_SYSCONFDIR="$TMP/etc-cache" &&
	mkdir -p etc-cache/trusted && cp key.pub etc-cache/trusted/ &&
	echo "{ \"mirror\": \"$TMP/mirror\", \"cache\": \"$TMP/shared-cache\" }" >etc-cache/config.json &&
	diver init app-cached pebble >/dev/null &&
	ls shared-cache/pkg/*.tar.zst && ! ls "$DIVER_HOME/cache/pkg" 2>/dev/null
'

# Catalogs whose serials grow, each packed into a bundle whose serial grows.
test_expect_success 'setup: ten successive releases of the site catalog as bundles' '
	for i in 1 2 3 4 5 6 7 8 9 10; do
		SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + i * 100)) catalog-gen -q -k key -o "s$i" "$SRC/kernels" &&
		bundler pack -k key -o "b$i.dvb" --from "s$i" --all --serial $((10 + i)) >/dev/null 2>&1 ||
		return 1
	done &&
	! cmp -s s1/catalog.json s2/catalog.json
'

test_expect_success 'imports racing with readers never show them a broken catalog' '
	export DIVER_SYSCONFDIR="$ETC" &&
	for r in 1 2 3; do
		(use_home "reader$r"; n=0;
		 while [ ! -f stop ]; do
			diver update >>"reader$r.log" 2>&1 || { echo "reader $r failed" >>failures; cat "reader$r.log" >>failures; }
			diver search pebble >/dev/null 2>>"reader$r.log" || echo "search $r failed" >>failures
			n=$((n + 1))
		 done; echo $n >"reader$r.count") &
	done &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		bundler import -p key.pub "b$i.dvb" "$TMP/mirror" >/dev/null || echo "import $i failed" >>failures
	done &&
	touch stop && wait &&
	cat reader*.count && ! cat failures 2>/dev/null &&
	grep "\"serial\": 20," mirror/catalog.json &&
	use_home reader1 && diver update >/dev/null && diver source list >l && grep -E "^site .* serial 20 " l
'

test_done
