/*
 * diver recover [--list]
 *
 * Put the host back after a dive that could not clean up (diver killed
 * with kill -9, a crash, a power cut in the middle): every undo journal
 * in data/journal/ that no living dive holds is unwound, its steps undone
 * in reverse order (cores and memory blocks back online, modules
 * unloaded, the co-kernel instance, enclave, cell or VM destroyed).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diver.h"
#include "journal.h"

enum { OPT_LIST = 256, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ OPT_LIST, "list", NULL, "only list the leftover journals" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver recover [--list]",
	"Undo what hw-mode and Palacios dives left on this host when diver was\n"
	"killed before it could clean up: each leftover undo journal is replayed\n"
	"in reverse order and removed.  Journals of dives still running are left\n"
	"alone.  Exits 1 when something could not be undone.",
	options,
};

static int
report(const struct journal_report *r, bool list)
{
	if (r->busy) {
		printf("left alone: %s: its dive is still running\n", r->path);
		return 0;
	}
	if (r->error[0])
		return failf("%s", r->error);
	if (list)
		printf("%s: a dive (backend %s, pid %ld) that did not clean up\n",
		       r->path, r->backend, r->pid);
	else
		printf("recovered %s: %zu step%s undone (backend %s, pid %ld)\n",
		       r->path, r->undone, r->undone == 1 ? "" : "s", r->backend, r->pid);
	return 0;
}

int
cmd_recover(int argc, char **argv)
{
	struct journal_report *r = NULL;
	struct dv_err e = { "" };
	bool list = false;
	struct home h;
	size_t n = 0;
	char *arg;
	int c, rc = 0;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case OPT_LIST: list = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver recover", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("diver recover", "takes no arguments");
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (journal_recover(&h, list, &r, &n, &e) < 0)
		rc = fail(e.msg);
	for (size_t i = 0; i < n; i++)
		rc |= report(&r[i], list);
	if (!rc && !n)
		printf("nothing to recover\n");
	journal_reports_free(r, n);
	home_release(&h);
	return rc;
}
