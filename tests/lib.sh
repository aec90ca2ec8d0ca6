# tests/lib.sh — the shell test library, sourced by every tests/tNNNN-*.sh.
#
#   . "$(dirname "$0")/lib.sh"
#   test_expect_success 'what it checks' '
#       diver source list >out &&
#       grep demo out
#   '
#   test_done
#
# Each test body runs in a subshell under `set -e` in a scratch directory;
# its output goes to the log and is shown when it fails.  Helpers below.
set -u

SRC=${DIVER_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${DIVER_BUILD:-$SRC/build}
export PATH="$BUILD/bin:$PATH"
export LC_ALL=C
unset DIVER_HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME SOURCE_DATE_EPOCH

TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "/tmp/diver-$TEST_NAME.XXXXXX")
# the host's /etc/diver must not leak into tests; t6200 sets its own
export DIVER_SYSCONFDIR="$TMP/no-site-config"
trap 'test_cleanup' EXIT
test_count=0 test_passed=0 test_failed=0 test_skipped=0
test_skip_all=

test_cleanup() {
	for f in "$TMP"/*.cleanup; do [ -f "$f" ] && sh "$f" >/dev/null 2>&1; done
	# daemons may still be writing their state as they exit
	for i in 1 2 3 4 5; do rm -rf "$TMP" 2>/dev/null && break; sleep 0.2; done
}

# Run on exit (servers a test started, say).
at_exit() { echo "$*" >"$TMP/$$-$RANDOM.cleanup"; }

test_expect_success() {
	local desc=$1 body=$2 log rc
	test_count=$((test_count + 1))
	if [ -n "$test_skip_all" ]; then
		test_skip "$desc" "$test_skip_all"
		return
	fi
	log="$TMP/test-$test_count.log"
	(cd "$TMP" && set -e && eval "$body") >"$log" 2>&1 </dev/null
	rc=$?
	if [ $rc = 0 ]; then
		test_passed=$((test_passed + 1))
		echo "ok $test_count - $desc"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $desc (exit $rc)"
		sed 's/^/  | /' "$log" | tail -n 30
	fi
}

# releases NAME: the published versions of the repository's kernel NAME,
# newest first; newest NAME: the first of them.  Tests name releases
# through these, so publishing one does not mean editing them.
releases() {
	ls "$SRC/kernels/$1" | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -rV
}
newest() { releases "$1" | head -n 1; }
# newest_declares NAME TEXT: the newest release's kernel.json has TEXT.
newest_declares() { grep -qF "$2" "$SRC/kernels/$1/$(newest "$1")/kernel.json"; }

# test_skip DESC REASON: counts a skip and says why.
test_skip() {
	test_skipped=$((test_skipped + 1))
	echo "skip $test_count - $1: $2"
}

# Skip every following test of this file when CMD is missing.
require_cmd() {
	command -v "$1" >/dev/null 2>&1 || test_skip_all="'$1' is not installed (scripts/install-deps installs it)"
}

test_done() {
	if [ $test_skipped -gt 0 ]; then
		echo "$test_passed passed, $test_failed failed, $test_skipped skipped"
	else
		echo "$test_passed passed, $test_failed failed"
	fi
	[ $test_failed = 0 ]
}

# Use a fresh, empty diver home named $1 (its HOME too).
use_home() {
	export DIVER_HOME="$TMP/home-$1" HOME="$TMP/home-$1/user"
	mkdir -p "$HOME"
}

# expect_error PATTERN CMD...: CMD fails (exit 1 unless EXPECT_STATUS is
# set), prints exactly one line on stderr, and that line matches PATTERN
# (an extended regex).  Its stderr is left in $TMP/stderr.
expect_error() {
	local pattern=$1 rc lines
	shift
	if "$@" >"$TMP/stdout" 2>"$TMP/stderr"; then
		echo "expected failure, but succeeded: $*"; return 1
	else
		rc=$?
	fi
	if [ "$rc" != "${EXPECT_STATUS:-1}" ]; then
		echo "expected exit ${EXPECT_STATUS:-1}, got $rc: $*"; cat "$TMP/stderr"; return 1
	fi
	lines=$(wc -l <"$TMP/stderr")
	if [ "$lines" != 1 ]; then
		echo "expected one line on stderr, got $lines:"; cat "$TMP/stderr"; return 1
	fi
	if ! grep -Eq -- "$pattern" "$TMP/stderr"; then
		echo "stderr does not match /$pattern/:"; cat "$TMP/stderr"; return 1
	fi
}

# expect_status N CMD...: CMD exits with status N; its stderr is in $TMP/stderr.
expect_status() {
	local want=$1 rc=0
	shift
	"$@" >"$TMP/stdout" 2>"$TMP/stderr" || rc=$?
	[ "$rc" = "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$TMP/stderr"; return 1; }
}

# A fingerprint of a whole tree (names, modes, contents), for "unchanged".
tree_state() {
	(cd "$1" && find . -printf '%p %m %s\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) 2>/dev/null
}

# expect_same FILE1 FILE2
expect_same() {
	cmp "$1" "$2" || { echo "'$1' and '$2' differ"; return 1; }
}

# A signing key pair at $TMP/$1 and $TMP/$1.pub (made once per test file).
make_key() {
	[ -f "$TMP/$1" ] || bundler keygen -o "$TMP/$1" >/dev/null
}

# Render the repository's kernels/ into $TMP/$1, signed with key $2.
make_catalog() {
	make_key "$2"
	catalog-gen -q -k "$TMP/$2" -o "$TMP/$1" "$SRC/kernels"
}

# start_nginx DIR: serve DIR with nginx on 127.0.0.1 at a free port, from a
# private config with its own pid, error_log and temp paths; sets
# NGINX_PORT and NGINX_URL (ending in '/').  Stopped when the test ends.
# Types: .json application/json, .js application/javascript, .zst
# application/zstd, .sig application/octet-stream.
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
start_nginx() {
	local dir=$1 conf="$TMP/nginx" port tries=0
	mkdir -p "$conf/tmp"
	while [ $tries -lt 20 ]; do
		tries=$((tries + 1))
		port=$((20000 + (RANDOM * 7 + $$) % 40000))
		cat >"$conf/nginx.conf" <<NGINX
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
daemon on;
pid $conf/nginx.pid;
error_log $conf/error.log warn;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $conf/tmp/body;
	proxy_temp_path $conf/tmp/proxy;
	fastcgi_temp_path $conf/tmp/fastcgi;
	uwsgi_temp_path $conf/tmp/uwsgi;
	scgi_temp_path $conf/tmp/scgi;
	types {
		text/html html;
		text/css css;
		application/javascript js;
		application/json json;
		application/zstd zst;
		image/svg+xml svg;
		application/octet-stream sig dvb;
	}
	default_type application/octet-stream;
	charset utf-8;
	charset_types text/css application/javascript application/json;
	server {
		listen 127.0.0.1:$port;
		root $dir;
	}
}
NGINX
		if "$NGINX" -e "$conf/error.log" -c "$conf/nginx.conf" -p "$conf" \
				2>"$conf/start.log"; then
			at_exit "kill \$(cat '$conf/nginx.pid') 2>/dev/null"
			NGINX_PORT=$port NGINX_URL="http://127.0.0.1:$port/"
			return 0
		fi
		grep -q "in use" "$conf/start.log" || { cat "$conf/start.log"; return 1; }
	done
	echo "no free port for nginx"; return 1
}

# start_slurm: a one-node Slurm cluster of our own on 127.0.0.1 (munged on a
# private socket, slurmctld and slurmd on free ports, state under $TMP);
# exports SLURM_CONF and SLURM_NODE.  Stopped when the test ends.  Returns 1
# (with the reason on stdout) when Slurm cannot start here.
start_slurm() {
	local d="$TMP/slurm" host port tries=0
	command -v slurmctld >/dev/null && command -v munged >/dev/null ||
		{ echo "slurm-wlm or munge is not installed"; return 1; }
	host=$(hostname)
	mkdir -p "$d/state" "$d/spool" "$d/munge"
	chmod 755 "$TMP" "$d" "$d/munge"
	chown munge: "$d/munge" 2>/dev/null
	runuser -u munge -- /usr/sbin/munged --socket="$d/munge/munge.sock" \
		--pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" \
		--seed-file="$d/munge/seed" --key-file=/etc/munge/munge.key ||
		{ echo "munged does not start: $(tail -n 1 "$d/munge/munged.log")"; return 1; }
	at_exit "kill \$(cat '$d/munge/munged.pid') 2>/dev/null"
	port=$((20000 + (RANDOM * 7 + $$) % 40000))
	cat >"$d/slurm.conf" <<CONF
ClusterName=divertest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge/munge.sock
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
NodeName=diver1 NodeHostname=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=diver1 Default=YES MaxTime=INFINITE State=UP
CONF
	export SLURM_CONF="$d/slurm.conf" SLURM_NODE=diver1
	slurmctld -f "$SLURM_CONF" -i || { echo "slurmctld does not start"; return 1; }
	at_exit "kill \$(cat '$d/slurmctld.pid') 2>/dev/null"
	slurmd -f "$SLURM_CONF" -N diver1 || { echo "slurmd does not start"; return 1; }
	at_exit "kill \$(cat '$d/slurmd.pid') 2>/dev/null"
	while [ $tries -lt 50 ]; do
		sinfo -h -o %t 2>/dev/null | grep -q idle && return 0
		tries=$((tries + 1))
		sleep 0.2
	done
	echo "the Slurm node does not come up: $(tail -n 2 "$d/slurmd.log")"
	return 1
}

# start_libvirtd: a libvirt daemon for qemu:///system — the system's own
# when one answers, else one of our own (private config, socket directory
# and pid file; virtlogd too when none runs, as a domain needs it), stopped
# when the test ends after destroying any diver domain left.  Sets
# LIBVIRT_URI; returns 1 (with the reason on stdout) when none can run.
start_libvirtd() {
	local d="$TMP/libvirt" i
	if virsh -c qemu:///system uri >/dev/null 2>&1; then
		LIBVIRT_URI=qemu:///system; return 0
	fi
	[ "$(id -u)" = 0 ] || { echo "no libvirt daemon answers on qemu:///system and starting one needs root"; return 1; }
	command -v libvirtd >/dev/null ||
		{ echo "libvirtd is not installed (scripts/install-deps installs libvirt-daemon-system)"; return 1; }
	mkdir -p "$d/run"
	cat >"$d/libvirtd.conf" <<-CONF
	unix_sock_dir = "$d/run"
	unix_sock_rw_perms = "0700"
	auth_unix_rw = "none"
	auth_unix_ro = "none"
	log_outputs = "3:file:$d/libvirtd.log"
	CONF
	if [ ! -S /run/libvirt/virtlogd-sock ]; then
		virtlogd -d -p "$d/virtlogd.pid" || { echo "virtlogd does not start"; return 1; }
		at_exit "kill \$(cat '$d/virtlogd.pid')"
	fi
	libvirtd -d -f "$d/libvirtd.conf" -p "$d/libvirtd.pid" ||
		{ echo "libvirtd does not start: $(tail -n 1 "$d/libvirtd.log" 2>/dev/null)"; return 1; }
	LIBVIRT_URI="qemu:///system?socket=$d/run/libvirt-sock"
	# the daemon last: domains left over (there should be none) go first
	at_exit "for n in \$(virsh -c '$LIBVIRT_URI' list --name | grep '^diver-'); do virsh -c '$LIBVIRT_URI' destroy \$n; done; kill \$(cat '$d/libvirtd.pid')"
	for i in $(seq 100); do
		virsh -c "$LIBVIRT_URI" uri >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "libvirtd does not answer on $d/run/libvirt-sock"; return 1
}
