/*
 * diver dive [NET|DIR] [-d MODE] [--via BACKEND] [--accel auto|kvm|tcg]
 *            [-c CPUS] [-m MEM] [--timeout S] [--log FILE] [--dry-run]
 *            [-- ARGS...]
 *
 * Runs a net: its console on stdout, its log on stderr, stdin passed
 * through, and the app's exit status as diver's own (124 on --timeout).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "cli.h"
#include "diver.h"
#include "strbuf.h"

enum { OPT_VIA = 256, OPT_ACCEL, OPT_TIMEOUT, OPT_LOG, OPT_DRY_RUN,
       OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ 'd', "mode", "MODE", "vm (default), splitvm or hw" },
	{ OPT_VIA, "via", "BACKEND", "the backend for the mode (vm: qemu)" },
	{ OPT_ACCEL, "accel", "ACCEL", "auto (default), kvm or tcg" },
	{ 'c', "cpus", "N", "virtual CPUs (default 1)" },
	{ 'm', "memory", "SIZE", "memory, e.g. 64M or 1G (default 64M)" },
	{ OPT_TIMEOUT, "timeout", "S", "stop the net after S seconds; exit 124" },
	{ OPT_LOG, "log", "FILE", "write the kernel log to FILE instead of stderr" },
	{ OPT_DRY_RUN, "dry-run", NULL, "print the command that would run" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver dive [NET|DIR] [OPTIONS] [-- ARGS...]",
	"Run a net (an id from 'diver list nets', an app directory, default .)\n"
	"and stream its console: the app's output on stdout, the kernel log on\n"
	"stderr, stdin passed through.  Exits with the app's status.",
	options,
};

static const struct backend *const backends[] = { &backend_qemu, NULL };

static int
parse_size_mib(const char *s, long *mib)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -1;
	if (!strcmp(end, "G") || !strcmp(end, "GiB") || !strcmp(end, "g"))
		v *= 1024;
	else if (*end && strcmp(end, "M") && strcmp(end, "MiB") && strcmp(end, "m"))
		return -1;
	if (v < 1 || v > 1 << 24)
		return -1;
	*mib = (long)v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct dive_opts *o, const char **target)
{
	char *arg, *end;
	int c, dashes = argc;

	/* the app's arguments follow "--" and are never options of ours */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dashes = i;
			break;
		}
	o->args = argv + (dashes < argc ? dashes + 1 : argc);
	o->nargs = dashes < argc ? argc - dashes - 1 : 0;
	argc = dashes;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'd': o->mode = arg; break;
		case OPT_VIA: o->via = arg; break;
		case OPT_ACCEL: o->accel = arg; break;
		case 'c':
			o->cpus = (int)strtol(arg, &end, 10);
			if (*end || o->cpus < 1 || o->cpus > 1024)
				return cli_usage_error("diver dive", "-c '%s': expected "
						       "1 to 1024 CPUs", arg);
			break;
		case 'm':
			if (parse_size_mib(arg, &o->mem_mib) < 0)
				return cli_usage_error("diver dive", "-m '%s': expected "
						       "a size like 64M or 2G", arg);
			break;
		case OPT_TIMEOUT:
			o->timeout = strtod(arg, &end);
			if (*end || !(o->timeout > 0) || !isfinite(o->timeout))
				return cli_usage_error("diver dive", "--timeout '%s': "
						       "expected seconds", arg);
			break;
		case OPT_LOG: o->log_path = arg; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case 'h': cli_help(stdout, &command); exit(0);
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); exit(0);
		default: return cli_usage_error("diver dive", "bad option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("diver dive", "expected one NET or DIR; put the "
				       "app's arguments after '--'");
	if (optind < argc)
		*target = argv[optind];
	return 0;
}

static const struct backend *
pick_backend(const struct dive_opts *o, struct dv_err *e)
{
	for (const struct backend *const *b = backends; *b; b++)
		if (!strcmp((*b)->mode, o->mode) && (!o->via || !strcmp((*b)->name, o->via)))
			return *b;
	if (strcmp(o->mode, "vm") && strcmp(o->mode, "splitvm") && strcmp(o->mode, "hw"))
		dv_errf(e, "-d '%s': expected vm, splitvm or hw", o->mode);
	else if (o->via)
		dv_errf(e, "no backend '%s' for mode %s (vm: qemu)", o->via, o->mode);
	else
		dv_errf(e, "mode %s is not available in this diver yet; use -d vm",
			o->mode);
	return NULL;
}

static int
check_mode(const struct net *n, const char *mode, struct dv_err *e)
{
	const jv *modes = jv_get(n->json, "modes");
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < jv_len(modes); i++)
		if (jv_str(jv_at(modes, i)) && !strcmp(jv_str(jv_at(modes, i)), mode))
			return 0;
	for (size_t i = 0; i < jv_len(modes); i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", jv_str(jv_at(modes, i)));
	dv_errf(e, "net %s: kernel %s supports mode %s, not %s", n->id,
		jv_str(jv_get(jv_get(n->json, "kernel"), "name")), sb.buf, mode);
	strbuf_release(&sb);
	return -1;
}

static int
dive(const char *target, const struct dive_opts *o)
{
	struct dv_err e = { "" };
	const struct backend *b;
	struct net n = { 0 };
	struct vm *vm = NULL;
	struct home h;
	int status = 1;

	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (net_find(&h, target, &n, &e) < 0 || check_mode(&n, o->mode, &e) < 0 ||
	    !(b = pick_backend(o, &e)))
		goto fail;
	vm = b->start(&h, &n, o, &e);
	if (!vm && o->dry_run && !e.msg[0]) {
		status = 0;
		goto out;
	}
	if (!vm)
		goto fail;
	if (b->wait(vm, &status, &e) < 0)
		fail(e.msg);
	b->stop(vm);
	goto out;
fail:
	fail(e.msg);
out:
	net_release(&n);
	home_release(&h);
	return status;
}

int
cmd_dive(int argc, char **argv)
{
	struct dive_opts o = { .mode = "vm", .accel = "auto", .cpus = 1,
			       .mem_mib = 64 };
	const char *target = ".";
	int rc = parse_args(argc, argv, &o, &target);

	return rc ? rc : dive(target, &o);
}
