/*
 * diver/pump.c: the console loop of every dive backend, over pipes that
 * stand for the guest's console, its log and the app's stdin and stdout.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../../diver/pump.h"
#include "harness.h"
#include "strbuf.h"

struct rig {
	struct pump p;
	struct console con;
	struct strbuf logline;
	int from_guest, guest_w;        /* the guest writes guest_w */
	int to_guest, guest_r;          /* the guest reads guest_r */
	int log_in, log_w;
	int out_r, log_r;               /* what reached stdout and the log */
	int saved_stdout, stops;
};

static void
count_stop(struct pump *p)
{
	((struct rig *)p->ctx)->stops++;
}

static const struct pump_hooks hooks = { .stop = count_stop };

static void
rig_init(struct rig *r, double timeout)
{
	int g[2], h[2], l[2], o[2], lo[2];
	sigset_t mask;

	memset(r, 0, sizeof *r);
	CHECK(pipe(g) == 0 && pipe(h) == 0 && pipe(l) == 0 && pipe(o) == 0 &&
	      pipe(lo) == 0);
	r->from_guest = g[0], r->guest_w = g[1];
	r->guest_r = h[0], r->to_guest = h[1];
	r->log_in = l[0], r->log_w = l[1];
	r->out_r = o[0], r->log_r = lo[0];
	fcntl(r->out_r, F_SETFL, O_NONBLOCK);
	fcntl(r->log_r, F_SETFL, O_NONBLOCK);
	r->saved_stdout = dup(STDOUT_FILENO);
	dup2(o[1], STDOUT_FILENO);
	close(o[1]);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	console_init(&r->con, true);
	strbuf_init(&r->logline);
	r->p = (struct pump){ .hooks = &hooks, .ctx = r, .con = &r->con,
			      .sigfd = signalfd(-1, &mask, SFD_CLOEXEC),
			      .from_guest = &r->from_guest, .to_guest = &r->to_guest,
			      .log_in = &r->log_in, .log_out = lo[1],
			      .logline = &r->logline, .timeout = timeout };
	pump_start(&r->p);
}

static void
rig_release(struct rig *r)
{
	int fds[] = { r->from_guest, r->guest_w, r->to_guest, r->guest_r,
		      r->log_in, r->log_w, r->out_r, r->log_r };

	dup2(r->saved_stdout, STDOUT_FILENO);
	close(r->saved_stdout);
	pump_release(&r->p);
	console_release(&r->con);
	strbuf_release(&r->logline);
	for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	close(r->p.sigfd);
	close(r->p.log_out);
}

/* Run the loop until the guest's console and log have ended. */
static void
run_to_end(struct rig *r)
{
	for (int i = 0; i < 100 && (r->from_guest >= 0 || r->log_in >= 0); i++)
		pump_once(&r->p);
}

static size_t
drain(int fd, char *buf, size_t cap)
{
	ssize_t n = read(fd, buf, cap - 1);

	buf[n > 0 ? n : 0] = 0;
	return n > 0 ? (size_t)n : 0;
}

TEST(output_log_lines_and_the_exit_status)
{
	struct rig r;
	struct dv_err e = { "" };
	char out[256], log[256];
	int status = -1;

	rig_init(&r, 0);
	CHECK(write(r.guest_w, "hi \xff\x00 there\n\xff\x02\x2a", 15) == 15);
	CHECK(write(r.log_w, "pebble: up\npart", 15) == 15);
	close(r.guest_w), close(r.log_w);
	r.guest_w = r.log_w = -1;
	run_to_end(&r);
	CHECK(drain(r.out_r, out, sizeof out) == 11 && !memcmp(out, "hi \xff there\n", 11));
	drain(r.log_r, log, sizeof log);
	CHECK_STR(log, "pebble: up\npart");     /* the unfinished line at the end */
	CHECK(pump_exit_status(&r.p, "stopped", &status, &e) == 0 && status == 42);
	CHECK(r.stops == 0);
	rig_release(&r);
}

TEST(stdin_waits_for_the_ready_frame_then_ends_with_eof)
{
	struct rig r;
	int in[2], saved = dup(STDIN_FILENO);
	unsigned char got[16];

	rig_init(&r, 0);
	CHECK(pipe(in) == 0);
	dup2(in[0], STDIN_FILENO);
	close(in[0]);
	CHECK(write(in[1], "a\xff", 2) == 2);
	close(in[1]);
	r.p.stdin_open = true;
	while (r.p.stdin_open)
		pump_once(&r.p);        /* stdin read to its end, nothing sent */
	CHECK(!r.p.stdin_open && console_pending(&r.con) == 0);
	CHECK(write(r.guest_w, "\xff\x03", 2) == 2);   /* ready */
	while (!r.con.ready || console_pending(&r.con))
		pump_once(&r.p);
	CHECK(read(r.guest_r, got, sizeof got) == 5 && !memcmp(got, "a\xff\x00\xff\x01", 5));
	dup2(saved, STDIN_FILENO);
	close(saved);
	rig_release(&r);
}

TEST(a_timeout_stops_the_vm_with_124)
{
	struct rig r;
	struct dv_err e = { "" };
	int status = -1;

	rig_init(&r, 0.05);
	pump_once(&r.p);                /* nothing comes: the deadline passes */
	CHECK(r.p.timed_out && r.stops == 1);
	CHECK(pump_exit_status(&r.p, "the VM was stopped", &status, &e) < 0 &&
	      status == 124 && strstr(e.msg, "timed out after 0.05 s; the VM was stopped"));
	rig_release(&r);
}

TEST(a_signal_stops_the_vm_and_a_gone_reader_is_sigpipe)
{
	struct rig r;
	struct dv_err e = { "" };
	int status = -1;

	rig_init(&r, 0);
	raise(SIGUSR1);
	pump_once(&r.p);
	CHECK(r.p.signo == SIGUSR1 && r.stops == 1);
	CHECK(pump_exit_status(&r.p, "stopped", &status, &e) < 0 &&
	      status == 128 + SIGUSR1 && strstr(e.msg, "interrupted by"));
	rig_release(&r);

	signal(SIGPIPE, SIG_IGN);
	rig_init(&r, 0);
	close(r.out_r);
	r.out_r = -1;
	CHECK(write(r.guest_w, "lost", 4) == 4);
	pump_once(&r.p);
	CHECK(r.p.signo == SIGPIPE && r.stops == 1);
	CHECK(pump_exit_status(&r.p, "stopped", &status, &e) == 0 && status == 141);
	rig_release(&r);
}
