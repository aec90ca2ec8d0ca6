#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "strbuf.h"

#define QMP_WAIT_MS 10000               /* QEMU answers in milliseconds */
#define QMP_LINE_MAX (1 << 20)

/* One line from QEMU (without its CR LF), waiting at most QMP_WAIT_MS. */
static int
read_line(int fd, struct strbuf *line, struct dv_err *e)
{
	strbuf_setlen(line, 0);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		char c;
		ssize_t n;

		if (poll(&pfd, 1, QMP_WAIT_MS) <= 0)
			return dv_errf(e, "qemu's QMP monitor did not answer within %d s",
				       QMP_WAIT_MS / 1000);
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return dv_errf(e, "qemu closed its QMP monitor (it has ended; "
				       "its messages are above)");
		if (c == '\n')
			break;
		if (line->len >= QMP_LINE_MAX)
			return dv_errf(e, "qemu's QMP monitor sent a line over 1 MiB");
		strbuf_addch(line, c);
	}
	if (line->len && line->buf[line->len - 1] == '\r')
		strbuf_setlen(line, line->len - 1);
	return 0;
}

/* The next reply that is not an event: its "return", or NULL and why. */
static jv *
read_reply(int fd, const char *what, struct dv_err *e)
{
	struct strbuf line = STRBUF_INIT;
	jv *v = NULL, *ret = NULL;

	while (!ret) {
		jv_free(v);
		v = NULL;
		if (read_line(fd, &line, e) < 0 ||
		    !(v = jv_parse(line.buf, line.len, "qemu's QMP reply", e)))
			break;
		if (jv_get(v, "error")) {
			const char *desc = jv_str(jv_get(jv_get(v, "error"), "desc"));
			dv_errf(e, "qemu refused QMP '%s': %s", what, desc ? desc : "no reason given");
			break;
		}
		if (jv_get(v, "return") || jv_get(v, "QMP"))
			ret = jv_ref(jv_get(v, "return") ? jv_get(v, "return") : jv_get(v, "QMP"));
	}
	jv_free(v);
	strbuf_release(&line);
	return ret;
}

int
qmp_send(int fd, const char *command, struct dv_err *e)
{
	char *msg = xasprintf("{\"execute\": \"%s\"}\n", command);
	int rc = 0;

	if (write(fd, msg, strlen(msg)) != (ssize_t)strlen(msg))
		rc = dv_errno(e, "cannot send QMP '%s' to qemu", command);
	free(msg);
	return rc;
}

int
qmp_execute(int fd, const char *command, struct dv_err *e)
{
	jv *ret;

	if (qmp_send(fd, command, e) < 0 || !(ret = read_reply(fd, command, e)))
		return -1;
	jv_free(ret);
	return 0;
}

int
qmp_handshake(int fd, struct dv_err *e)
{
	jv *greeting = read_reply(fd, "greeting", e);

	if (!greeting)
		return -1;
	jv_free(greeting);
	return qmp_execute(fd, "qmp_capabilities", e);
}

int
qmp_vcpu_threads(int fd, pid_t **tids, size_t *n, struct dv_err *e)
{
	jv *cpus;

	*tids = NULL;
	*n = 0;
	if (qmp_send(fd, "query-cpus-fast", e) < 0 ||
	    !(cpus = read_reply(fd, "query-cpus-fast", e)))
		return -1;
	*tids = xcalloc(jv_len(cpus) + 1, sizeof **tids);
	for (size_t i = 0; i < jv_len(cpus); i++) {
		const jv *c = jv_at(cpus, i), *index = jv_get(c, "cpu-index");
		const jv *tid = jv_get(c, "thread-id");
		if (!jv_is_int(index) || !jv_is_int(tid) || jv_int(index) < 0 ||
		    (size_t)jv_int(index) >= jv_len(cpus) || jv_int(tid) <= 0) {
			jv_free(cpus);
			free(*tids);
			*tids = NULL;
			return dv_errf(e, "qemu's query-cpus-fast gave no thread ids");
		}
		(*tids)[jv_int(index)] = (pid_t)jv_int(tid);
	}
	*n = jv_len(cpus);
	jv_free(cpus);
	return 0;
}

int
qmp_pin_vcpus(const pid_t *tids, size_t nvcpus, cpu_set_t *others, struct dv_err *e)
{
	cpu_set_t mine;
	int cores[CPU_SETSIZE];
	size_t ncores = 0, first;

	if (sched_getaffinity(0, sizeof mine, &mine) < 0)
		return dv_errno(e, "cannot read which cores diver may use");
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &mine))
			cores[ncores++] = c;
	*others = mine;
	if (ncores <= nvcpus)
		return 1;
	first = ncores - nvcpus;
	CPU_ZERO(others);
	for (size_t i = 0; i < first; i++)
		CPU_SET(cores[i], others);
	for (size_t i = 0; i < nvcpus; i++) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cores[first + i], &one);
		if (sched_setaffinity(tids[i], sizeof one, &one) < 0)
			return dv_errno(e, "cannot pin vCPU %zu (thread %d) to core %d", i,
					(int)tids[i], cores[first + i]);
	}
	return 0;
}
