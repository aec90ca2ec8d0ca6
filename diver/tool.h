/*
 * tool — running the co-kernel systems' command-line tools (insmod,
 * ihkconfig, pisces_load, jailhouse, v3_create, ...) one call at a time.
 *
 * Owns: fork and exec with stdin from /dev/null, the default signal mask
 * (diver blocks SIGINT, SIGTERM and SIGHUP while it holds host resources)
 * and PR_SET_PDEATHSIG; capturing stdout; turning a failure into one
 * sentence that names the command and quotes its first line of stderr.
 * Does not own: which tools run in which order (the backends, journal.c).
 */
#ifndef DIVER_TOOL_H
#define DIVER_TOOL_H

#include "err.h"
#include "strbuf.h"

/* argv joined with spaces, quoting what needs it, for messages. */
char *tool_command_line(char *const argv[]);

/*
 * Run argv[0] (looked up in PATH) in cwd (NULL: diver's own).  0 when it
 * exits 0; its stdout is appended to out when out is not NULL.
 */
int tool_run(char *const argv[], const char *cwd, struct strbuf *out,
	     struct dv_err *e);

#endif
