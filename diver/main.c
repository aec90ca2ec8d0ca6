/*
 * diver COMMAND [OPTIONS] ...
 *
 * The client: sources and trust, search, init, build, dive.  Each command
 * lives in cmd_NAME.c; this file only dispatches and holds what every
 * command prints the same way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "diver.h"

#define DIVER_VERSION "0.1.0"

static const struct cli_command commands[] = {
	{ "source", cmd_source, "add, list or remove catalogs and bundles to use" },
	{ "update", cmd_update, "fetch and verify every source's catalog again" },
	{ "trust", cmd_trust, "add, list or remove keys that may sign catalogs" },
	{ "search", cmd_search, "find kernels by name, tag or words" },
	{ "info", cmd_info, "show one kernel: build model, modes, variants, releases" },
	{ "pull", cmd_pull, "download kernels into the cache, checked and resumable" },
	{ "init", cmd_init, "start an app for a kernel: Makefile, main.c, kit" },
	{ "build", cmd_build, "build an app and its kernel into a net" },
	{ "list", cmd_list, "list built nets" },
	{ "rm", cmd_rm, "remove built nets" },
	{ "dive", cmd_dive, "run a net and stream its console" },
	{ "publish", cmd_publish, "publish a new release of a kernel into a kernels/ tree" },
	{ "submit", cmd_submit, "run a net on compute nodes as a Slurm batch job" },
	{ "doctor", cmd_doctor, "check what this host has for each dive mode, and how to fix it" },
	{ "recover", cmd_recover, "undo what a killed hw-mode dive left on the host (cores, memory, modules)" },
	{ "conform", cmd_conform, "check a kernel against the kernel interface (what a publisher runs)" },
	{ "config", cmd_config, "show the settings (site and yours) and where each comes from" },
	{ NULL, NULL, NULL },
};

int
fail(const char *msg)
{
	fprintf(stderr, "diver: %s\n", msg);
	return 1;
}

int
failf(const char *fmt, ...)
{
	va_list ap;

	fputs("diver: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

void
format_size(unsigned long long n, char buf[32])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, 32, "%llu B", n);
	else
		snprintf(buf, 32, "%.1f %s", v, units[u]);
}

int
main(int argc, char **argv)
{
	static const struct cli_tool tool = {
		"diver", DIVER_VERSION,
		"Find, build and run specialized OS kernels.",
		"Start with: diver trust add KEY.pub; diver source add NAME URL|DIR|BUNDLE.dvb;\n"
		"diver search; diver init app NAME; diver build app; diver dive app\n",
		commands,
	};

	return cli_dispatch(&tool, argc, argv);
}
