/*
 * tool.c — run one tool, capture its output, say how it failed.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool.h"

char *
tool_command_line(char *const argv[])
{
	struct strbuf sb = STRBUF_INIT;

	for (char *const *a = argv; *a; a++) {
		bool plain = **a && strspn(*a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
					   "OPQRSTUVWXYZ0123456789-_=,./:@") == strlen(*a);
		if (a != argv)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, plain ? "" : "'");
		strbuf_addstr(&sb, *a);
		strbuf_addstr(&sb, plain ? "" : "'");
	}
	return strbuf_detach(&sb, NULL);
}

static void
child(char *const argv[], const char *cwd, int out, int err)
{
	sigset_t none;
	int null = open("/dev/null", O_RDONLY);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	dup2(null, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	if (cwd && chdir(cwd) < 0) {
		fprintf(stderr, "cannot enter %s: %s\n", cwd, strerror(errno));
		_exit(126);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "%s\n", errno == ENOENT ? "not found in PATH" : strerror(errno));
	_exit(127);
}

/* Read both pipes to their end. */
static void
drain(int out, int err, struct strbuf *sout, struct strbuf *serr)
{
	struct pollfd p[2] = { { out, POLLIN, 0 }, { err, POLLIN, 0 } };
	char buf[4096];

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			ssize_t n;
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			n = read(p[i].fd, buf, sizeof buf);
			if (n > 0 && (i ? serr->len : sout->len) < (1 << 20))
				strbuf_add(i ? serr : sout, buf, (size_t)n);
			else if (n == 0 || (n < 0 && errno != EINTR))
				p[i].fd = -1;
		}
	}
}

int
tool_run(char *const argv[], const char *cwd, struct strbuf *out,
	 struct dv_err *e)
{
	struct strbuf sout = STRBUF_INIT, serr = STRBUF_INIT;
	int po[2], pe[2], status = 0, rc = -1;
	char *cmd;
	pid_t pid;

	if (pipe2(po, O_CLOEXEC) < 0)
		return dv_errno(e, "cannot make a pipe");
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return dv_errno(e, "cannot make a pipe");
	}
	pid = fork();
	if (pid == 0)
		child(argv, cwd, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);
	if (pid > 0)
		drain(po[0], pe[0], &sout, &serr);
	close(po[0]);
	close(pe[0]);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	cmd = tool_command_line(argv);
	if (pid < 0)
		dv_errno(e, "cannot run '%s'", cmd);
	else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char *nl = strchr(serr.buf, '\n');
		if (nl)
			*nl = '\0';
		if (WIFEXITED(status))
			dv_errf(e, "'%s' failed (exit %d)%s%s", cmd, WEXITSTATUS(status),
				serr.len ? ": " : "", serr.buf);
		else
			dv_errf(e, "'%s' was killed by %s", cmd,
				strsignal(WTERMSIG(status)));
	} else {
		if (out)
			strbuf_add(out, sout.buf, sout.len);
		rc = 0;
	}
	free(cmd);
	strbuf_release(&sout);
	strbuf_release(&serr);
	return rc;
}
