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

#include "diver.h"

#define DIVER_VERSION "0.1.0"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "source", cmd_source, "add, list or remove catalogs and bundles to use" },
	{ "update", cmd_update, "fetch and verify every source's catalog again" },
	{ "trust", cmd_trust, "add, list or remove keys that may sign catalogs" },
	{ "search", cmd_search, "find kernels by name, tag or words" },
	{ "init", cmd_init, "start an app for a kernel: Makefile, main.c, kit" },
	{ "build", cmd_build, "build an app and its kernel into a net" },
	{ "list", cmd_list, "list built nets" },
	{ "dive", cmd_dive, "run a net and stream its console" },
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

static void
usage(FILE *f)
{
	fprintf(f, "usage: diver COMMAND [OPTIONS] ...\n\n"
		"Find, build and run specialized OS kernels.\n\ncommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->help);
	fprintf(f, "\nRun 'diver COMMAND --help' for a command's options.\n"
		"Start with: diver trust add KEY.pub; diver source add NAME DIR|BUNDLE.dvb;\n"
		"diver search; diver init app NAME; diver build app; diver dive app\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("diver %s\n", DIVER_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--list-commands")) {
		for (const struct command *c = commands; c->name; c++)
			puts(c->name);
		return 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "diver: unknown command '%s'\ntry 'diver --help'\n", argv[1]);
	return 2;
}
