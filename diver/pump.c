/*
 * pump.c — the console loop of the dive backends (see pump.h).
 */
#include "pump.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "relay.h"

/* the most stdin queued for a guest that does not read it yet */
#define STDIN_QUEUE_MAX (1 << 20)

void
pump_start(struct pump *p)
{
	p->deadline = p->timeout > 0 ? relay_now() + p->timeout : 0;
	p->grace = 0;
	p->grace_over = false;
	p->buf = xmalloc(PUMP_CHUNK);
	p->out = xmalloc(PUMP_CHUNK + 4);       /* a held exit frame, released */
}

void
pump_release(struct pump *p)
{
	free(p->buf);
	free(p->out);
	p->buf = p->out = NULL;
}

static void
stop_vm(struct pump *p)
{
	if (p->hooks->stop)
		p->hooks->stop(p);
}

static void
close_end(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
on_output(struct pump *p)
{
	ssize_t n = read(*p->from_guest, p->buf, PUMP_CHUNK);
	size_t m;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_end(p->from_guest);
		m = console_finish(p->con, p->out);
		if (m && !p->signo && relay_write_stdout(p->out, m) < 0)
			p->signo = SIGPIPE;
		return;
	}
	m = console_decode(p->con, p->buf, (size_t)n, p->out);
	if (p->con->kicked && p->hooks->kick) {
		p->con->kicked = false;
		p->hooks->kick(p);
	}
	if (m && relay_write_stdout(p->out, m) < 0 && !p->signo) {
		/* the reader went away: end like a program killed by SIGPIPE */
		p->signo = SIGPIPE;
		stop_vm(p);
	}
}

static void
on_stdin(struct pump *p)
{
	ssize_t n = read(STDIN_FILENO, p->buf, PUMP_CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		p->stdin_open = false;
		console_queue_eof(p->con);
		return;
	}
	console_queue_input(p->con, p->buf, (size_t)n);
}

static void
on_writable(struct pump *p)
{
	struct console *c = p->con;
	ssize_t n;

	if (*p->to_guest < 0)
		return;
	n = write(*p->to_guest, console_pending_data(c), console_pending(c));
	if (n > 0)
		console_consumed(c, (size_t)n);
	else if (n < 0 && errno != EAGAIN && errno != EINTR)
		console_consumed(c, console_pending(c));   /* the VM is gone */
}

/*
 * Console output that is already waiting goes out before a log line: the
 * guest wrote it first, and the log may have come in after the loop last
 * read the console (a line of stdout would be cut by the log line).
 */
static void
drain_output(struct pump *p)
{
	struct pollfd f = { *p->from_guest, POLLIN, 0 };

	if (*p->from_guest >= 0 && poll(&f, 1, 0) == 1 && f.revents)
		on_output(p);
}

/* Kernel log bytes: complete lines go out, the rest waits (all at the end). */
static void
on_log(struct pump *p)
{
	ssize_t n;

	drain_output(p);
	n = read(*p->log_in, p->buf, PUMP_CHUNK);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	relay_log(p->logline, p->buf, n, p->log_out, p->panic);
	if (n <= 0)
		close_end(p->log_in);
}

void
pump_signal(struct pump *p)
{
	struct signalfd_siginfo si;

	if (read(p->sigfd, &si, sizeof si) != sizeof si)
		return;
	if (si.ssi_signo == SIGCHLD) {
		if (p->hooks->child)
			p->hooks->child(p);
		return;
	}
	if (!p->signo)
		p->signo = (int)si.ssi_signo;
	stop_vm(p);
}

/* The next of --timeout and the grace after the exit frame, or none. */
static double
next_deadline(const struct pump *p)
{
	double d = p->deadline && !p->timed_out ? p->deadline : 0;

	if (p->grace && !p->grace_over && (!d || p->grace < d))
		d = p->grace;
	return d;
}

static int
poll_timeout(const struct pump *p)
{
	double d = next_deadline(p), left;

	if (!d)
		return -1;
	left = d - relay_now();
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

/*
 * --timeout ends the VM with 124; a framed guest that sent its exit frame
 * but does not power off within the grace is ended too.
 */
static void
on_deadline(struct pump *p)
{
	if (p->grace && !p->grace_over && relay_now() >= p->grace)
		p->grace_over = true;
	else
		p->timed_out = true;
	stop_vm(p);
}

static void
watch(struct pump *p, struct pollfd fds[6])
{
	bool input = *p->to_guest >= 0 && !p->guest_gone;

	fds[0] = (struct pollfd){ p->sigfd, POLLIN, 0 };
	fds[1] = (struct pollfd){ *p->from_guest, POLLIN, 0 };
	fds[2] = (struct pollfd){ input && p->stdin_open &&
				  console_queued(p->con) < STDIN_QUEUE_MAX ?
				  STDIN_FILENO : -1, POLLIN, 0 };
	fds[3] = (struct pollfd){ input && console_pending(p->con) ? *p->to_guest : -1,
				  POLLOUT, 0 };
	fds[4] = (struct pollfd){ p->log_in ? *p->log_in : -1, POLLIN, 0 };
	fds[5] = (struct pollfd){ p->hooks->extra_fd ? p->hooks->extra_fd(p) : -1,
				  POLLIN, 0 };
}

void
pump_once(struct pump *p)
{
	struct pollfd fds[6];
	int n;

	if (p->grace_s && p->con->framed && p->con->have_status && !p->grace)
		p->grace = relay_now() + p->grace_s;
	watch(p, fds);
	n = poll(fds, 6, poll_timeout(p));
	if (n == 0 && next_deadline(p)) {
		on_deadline(p);
		return;
	}
	if (n < 0)
		return;
	if (fds[0].revents)
		pump_signal(p);
	if (fds[1].revents)
		on_output(p);
	if (fds[2].revents)
		on_stdin(p);
	if (fds[3].revents)
		on_writable(p);
	if (fds[4].revents)
		on_log(p);
	if (fds[5].revents && p->hooks->on_extra)
		p->hooks->on_extra(p);
}

int
pump_exit_status(const struct pump *p, const char *stopped, int *status,
		 struct dv_err *e)
{
	if (p->timed_out) {
		*status = 124;
		return dv_errf(e, "timed out after %g s; %s", p->timeout, stopped);
	}
	if (p->signo) {
		*status = 128 + p->signo;
		return p->signo == SIGPIPE ? 0 : dv_errf(e, "interrupted by %s; %s",
							 strsignal(p->signo), stopped);
	}
	if (p->con->have_status) {
		*status = p->con->status;
		return 0;
	}
	return 1;
}
