#!/bin/bash
# splitvm on real QEMU: the kit's wc and cp read and write host files
# through delegation (docs/kernel-interface.md §8 over the channel's
# mailbox, §2a), the same net dives in vm and splitvm without a rebuild,
# a pipeline mixes the modes, escapes out of the shares come back to the app
# as errors, the rest of the delegated API works on both kernels, and the
# vCPU thread is pinned to a core of its own when the host has one to spare.
. "$(dirname "$0")/lib.sh"
require_cmd qemu-system-x86_64

make_key key

# The newest pebble and reef of the repository, or, while the newest do not
# declare delegation yet, releases published from their sources.

dive() { diver dive --accel tcg "$@"; }

test_expect_success 'setup: wc on pebble, cp on reef, a share with files' '
	cp -R "$SRC/kernels" kernels &&
	for k in pebble reef; do
		newest_declares $k deleg-1 ||
		diver publish "$SRC/kernels/$k" --to kernels --version 0.3.0-dev >/dev/null ||
		exit 1
	done &&
	catalog-gen -q -k key -o site kernels &&
	use_home sv && diver trust add key.pub >/dev/null && diver source add main site >/dev/null &&
	diver init wc pebble --example wc >/dev/null && diver build -q wc >/dev/null 2>&1 &&
	diver init cp reef --example cp >/dev/null && diver build -q cp >/dev/null 2>&1 &&
	diver init cat pebble --example cat >/dev/null && diver build -q cat >/dev/null 2>&1 &&
	mkdir -p share out && printf "one two\nthree\n\nfour five six\n" >share/a.txt &&
	seq 1 20000 >share/numbers.txt && head -c 1000000 /dev/urandom >share/data.bin
'

test_expect_success 'wc counts host files through delegation, as wc(1) does' '
	use_home sv &&
	(cd share && dive -d splitvm "$TMP/wc" -- a.txt numbers.txt) >got 2>err &&
	(cd share && wc a.txt numbers.txt) >want &&
	awk "{print \$1, \$2, \$3, \$4}" got >g && awk "{print \$1, \$2, \$3, \$4}" want >w &&
	diff -u w g
'

test_expect_success 'cp copies a binary file from a read-only share into a writable one' '
	use_home sv &&
	dive -d splitvm cp --share share:ro --share out -- data.bin /out/copy.bin 2>err &&
	cmp share/data.bin out/copy.bin &&
	rc=0; dive -d splitvm cp --share share:ro -- data.bin new.bin 2>err || rc=$?
	test "$rc" = 1 && grep "cp: cannot create .new.bin.: read-only share" err &&
	! test -e share/new.bin
'

test_expect_success 'the same net dives in vm and splitvm without a rebuild' '
	use_home sv &&
	before=$(diver list nets | wc -l) &&
	printf "a b\nc\n" | dive wc >vm.out 2>/dev/null && grep -E "^ +2 +3 +6$" vm.out &&
	rc=0; dive wc -- share/a.txt >/dev/null 2>err || rc=$?
	test "$rc" = 1 && grep "wc: share/a.txt: not delegated here (dive with -d splitvm)" err &&
	dive -d splitvm wc --share share -- a.txt >sv.out 2>/dev/null && grep -E " a.txt$" sv.out &&
	test "$(diver list nets | wc -l)" = "$before"
'

test_expect_success 'a pipeline mixes the modes' '
	use_home sv &&
	set -o pipefail &&
	dive -d splitvm cp --share share --share out -- numbers.txt /out/n.txt 2>/dev/null &&
	dive -d splitvm wc --share out -- n.txt 2>/dev/null | dive cat 2>/dev/null >got &&
	grep -E "^ +20000 +20000 +108894 n.txt$" got
'

test_expect_success 'escapes out of the share are errors the app reports, not crashes' '
	use_home sv &&
	ln -s /etc share/etc-link && ln -s ../out share/up-link && echo secret >outside.txt &&
	for p in ../outside.txt /../outside.txt etc-link/passwd up-link/copy.bin "$TMP/outside.txt"; do
		rc=0; dive -d splitvm wc --share share -- "$p" >out.txt 2>err || rc=$?
		test "$rc" = 1 || { echo "$p: status $rc"; cat err; exit 1; }
		grep -E "^wc: .*: (outside the shared directories|no such file or directory)$" err ||
			{ echo "$p:"; cat err; exit 1; }
		! grep -e exception -e secret out.txt err
	done
'

test_expect_success 'the rest of the API: mkdir, create, stat, readdir, lseek, unlink, getenv, clock (pebble and reef)' '
	use_home sv &&
	for k in pebble reef; do
		diver init fs-$k $k >/dev/null && cat >fs-$k/main.c <<-\C &&
		#include <dirent.h>
		#include <errno.h>
		#include <fcntl.h>
		#include <stdio.h>
		#include <stdlib.h>
		#include <string.h>
		#include <sys/stat.h>
		#include <time.h>
		#include <unistd.h>
		#define CHECK(c) do { if (!(c)) { printf("failed: %s (%s)\n", #c, strerror(errno)); return 1; } } while (0)
		int main(void) {
			struct stat st; struct timespec ts; DIR *d; struct dirent *e; int fd, seen = 0;
			CHECK(mkdir("made", 0755) == 0);
			CHECK((fd = open("made/f.txt", O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 3);
			CHECK(write(fd, "0123456789", 10) == 10);
			CHECK(lseek(fd, 2, SEEK_SET) == 2 && write(fd, "ab", 2) == 2);
			CHECK(fstat(fd, &st) == 0 && st.st_size == 10 && S_ISREG(st.st_mode));
			CHECK(close(fd) == 0);
			CHECK(open("made/f.txt", O_WRONLY | O_CREAT | O_EXCL, 0600) < 0 && errno == EEXIST);
			CHECK(stat("made", &st) == 0 && S_ISDIR(st.st_mode));
			CHECK((d = opendir("made")) != NULL);
			while ((e = readdir(d)))
				seen += !strcmp(e->d_name, "f.txt") && e->d_type == DT_REG;
			CHECK(closedir(d) == 0 && seen == 1);
			CHECK(getenv("GREETING") && !strcmp(getenv("GREETING"), "hi there"));
			CHECK(getenv("HOME") == NULL && errno == ENOENT);
			CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0);
			printf("time %lld\n", (long long)ts.tv_sec);
			CHECK((fd = open("made/f.txt", O_RDONLY)) >= 3);
			char buf[16] = { 0 };
			CHECK(read(fd, buf, sizeof buf) == 10 && !strcmp(buf, "01ab456789"));
			CHECK(close(fd) == 0 && unlink("made/f.txt") == 0);
			CHECK(stat("made/f.txt", &st) < 0 && errno == ENOENT);
			printf("all good\n");
			return 0;
		}
		C
		diver build -q fs-$k >/dev/null 2>&1 && rm -rf w && mkdir w &&
		dive -d splitvm fs-$k --share w --env GREETING="hi there" >fs.out 2>err ||
			{ cat fs.out err; exit 1; }
		grep -x "all good" fs.out && test -d w/made && ! test -e w/made/f.txt &&
		t=$(sed -n "s/^time //p" fs.out) && now=$(date +%s) &&
		test $((now - t)) -lt 600 && test $((t - now)) -lt 600
	done
'

test_expect_success 'the delegate'\''s bounds reach the app as errno: long names, 64 open files, --write-max' '
	use_home sv &&
	diver init limits pebble >/dev/null && cat >limits/main.c <<-\C &&
	#include <errno.h>
	#include <fcntl.h>
	#include <stdio.h>
	#include <string.h>
	#include <unistd.h>
	#define CHECK(c) do { if (!(c)) { printf("failed: %s (%s)\n", #c, strerror(errno)); return 1; } } while (0)
	static char path[5001], name[301], block[65536];
	int main(void) {
		int fds[80], n = 0, fd;
		long total = 0;
		ssize_t w;
		memset(path, 65, 5000);          /* no quotes: the body is in them */
		CHECK(open(path, O_RDONLY) < 0 && errno == ENAMETOOLONG);
		memset(name, 66, 300);           /* fits the wire, not the host */
		CHECK(open(name, O_RDONLY) < 0 && errno == ENAMETOOLONG);
		while (n < 80 && (fds[n] = open("f.txt", O_RDONLY)) >= 0)
			n++;
		CHECK(n == 64 && errno == EMFILE);
		while (n > 0)
			CHECK(close(fds[--n]) == 0);
		CHECK((fd = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 3);
		while ((w = write(fd, block, sizeof block)) > 0)
			total += w;
		CHECK(w < 0 && errno == ENOSPC && total == 1048576);
		CHECK(close(fd) == 0);
		printf("limits hold\n");
		return 0;
	}
	C
	{ diver build -q limits >build.log 2>&1 || { cat build.log; exit 1; }; } &&
	rm -rf w && mkdir w && echo x >w/f.txt &&
	dive -d splitvm limits --share w --write-max 1M >limits.out 2>err ||
		{ cat limits.out err; exit 1; }
	grep -x "limits hold" limits.out && test "$(stat -c %s w/big)" = 1048576 &&
	test "$(ls w | wc -l)" = 2
'

test_expect_success 'the vCPU runs on a core of its own, the delegate on the others' '
	use_home sv &&
	if [ "$(nproc)" -lt 2 ]; then echo "one core: nothing to pin"; exit 0; fi
	{ sleep 4; echo x; } | dive -d splitvm cat >/dev/null 2>err &
	qemu=
	for i in $(seq 50); do
		qemu=$(pgrep -f "qemu-system.*$DIVER_HOME" | head -n 1)
		[ -n "$qemu" ] && grep -ls "CPU 0/TCG" /proc/$qemu/task/*/comm >/dev/null && break
		sleep 0.1
	done
	vcpu=$(grep -ls "CPU 0/TCG" /proc/$qemu/task/*/comm | head -n 1) &&
	# diver pins the thread once QMP has named it: wait for that, up to 3 s
	for i in $(seq 30); do
		allowed=$(grep Cpus_allowed_list "${vcpu%/comm}/status" | cut -f2)
		[ "$allowed" = "$(($(nproc) - 1))" ] && break
		sleep 0.1
	done
	wait && echo "vCPU allowed on: $allowed" &&
	test "$allowed" = "$(($(nproc) - 1))"
'

test_expect_success 'errors: splitvm needs the channel' '
	use_home sv &&
	expect_error "delegated calls travel on the shared-memory channel, which --console uart turns off" \
		dive -d splitvm wc --console uart &&
	diver init old pebble@0.2.0 >/dev/null && diver build -q old >/dev/null 2>&1 &&
	expect_error "supports mode vm, not splitvm" dive -d splitvm old
'

test_done
