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
#include "config.h"
#include "diver.h"
#include "slurm.h"
#include "strbuf.h"

enum { OPT_VIA = 256, OPT_ACCEL, OPT_TIMEOUT, OPT_LOG, OPT_DRY_RUN, OPT_GDB,
       OPT_SLURM, OPT_SRUN_ARGS, OPT_STAGE_DIR, OPT_NODE_DIVER, OPT_LIST_OPTIONS,
       OPT_SHARE, OPT_ENV, OPT_CONSOLE, OPT_WRITE_MAX };

static const struct cli_opt options[] = {
	{ 'd', "mode", "MODE", "vm (default), splitvm or hw" },
	{ OPT_VIA, "via", "BACKEND", "the backend for the mode (vm: qemu, libvirt[=URI]; "
	  "splitvm: qemu, palacios; hw: auto, ihk, pisces, jailhouse)" },
	{ OPT_ACCEL, "accel", "ACCEL", "auto (default), kvm or tcg" },
	{ 'c', "cpus", "N", "virtual CPUs (default 1)" },
	{ 'm', "memory", "SIZE", "memory, e.g. 64M or 1G (default 64M)" },
	{ OPT_TIMEOUT, "timeout", "S", "stop the net after S seconds; exit 124" },
	{ OPT_LOG, "log", "FILE", "write the kernel log to FILE instead of stderr" },
	{ OPT_CONSOLE, "console", "HOW", "auto (default): the shared-memory channel when the "
	  "kernel has it, else uart (COM1); fast: the channel or an error" },
	{ OPT_SHARE, "share", "DIR[:ro]", "splitvm: let the kernel's files reach DIR (repeatable; "
	  "default: the working directory, read-only)" },
	{ OPT_ENV, "env", "NAME[=VALUE]", "splitvm: let the kernel's getenv see NAME (repeatable)" },
	{ OPT_WRITE_MAX, "write-max", "SIZE", "splitvm: bytes the kernel may write to shares "
	  "in all (default 1G)" },
	{ OPT_DRY_RUN, "dry-run", NULL, "print the command that would run" },
	{ OPT_GDB, "gdb", "[=PORT]", "stop at the first instruction and wait for gdb (port 1234)" },
	{ OPT_SLURM, "slurm", NULL, "run on compute nodes allocated by Slurm (salloc + srun)" },
	{ 'N', "nodes", "N", "with --slurm: nodes to allocate" },
	{ 'n', "ntasks", "N", "with --slurm: nets to run, one per node by default" },
	{ 'p', "partition", "P", "with --slurm: the partition" },
	{ 't', "time", "TIME", "with --slurm: the time limit (10, 1:00:00)" },
	{ OPT_SRUN_ARGS, "srun-args", "ARGS", "with --slurm: more srun options" },
	{ OPT_STAGE_DIR, "stage-dir", "DIR", "with --slurm: stage through this shared directory" },
	{ OPT_NODE_DIVER, "node-diver", "PATH", "with --slurm: diver on the nodes" },
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

static const struct backend *const backends[] = { &backend_qemu, &backend_qemu_splitvm,
						   &backend_libvirt,
						   &backend_ihk, &backend_pisces,
						   &backend_jailhouse, &backend_palacios, NULL };

int
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
count(const char *opt, const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < 1 || v > 1000000)
		return cli_usage_error("diver dive", "%s '%s': expected a positive "
				       "number", opt, s);
	*out = (int)v;
	return 0;
}

/* Options for running through Slurm; 1 when c was one of them. */
static int
slurm_option(int c, char *arg, struct slurm_opts *so, bool *slurm, int *rc)
{
	switch (c) {
	case OPT_SLURM: *slurm = true; return 1;
	case 'N': *rc = count("-N", arg, &so->nodes); return 1;
	case 'n': *rc = count("-n", arg, &so->tasks); return 1;
	case 'p': so->partition = arg; return 1;
	case 't': so->time = arg; return 1;
	case OPT_SRUN_ARGS: so->srun_args = arg; return 1;
	case OPT_STAGE_DIR: so->stage_dir = arg; return 1;
	case OPT_NODE_DIVER: so->node_diver = arg; return 1;
	default: return 0;
	}
}

static int
parse_args(int argc, char **argv, struct dive_opts *o, const char **target,
	   struct slurm_opts *so, bool *slurm)
{
	struct dv_err e = { "" };
	char *arg, *end;
	int c, rc = 0;
	long mib;

	/* the app's arguments follow "--" and are never options of ours */
	argc = cli_split_dashdash(argc, argv, &o->args, &o->nargs);

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		if (slurm_option(c, arg, so, slurm, &rc)) {
			if (rc)
				return rc;
			continue;
		}
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
		case OPT_CONSOLE:
			if (strcmp(arg, "auto") && strcmp(arg, "uart") && strcmp(arg, "fast"))
				return cli_usage_error("diver dive", "--console '%s': expected "
						       "auto, uart or fast", arg);
			o->console = arg;
			break;
		case OPT_WRITE_MAX:
			if (parse_size_mib(arg, &mib) < 0)
				return cli_usage_error("diver dive", "--write-max '%s': "
						       "expected a size like 64M or 2G", arg);
			o->delegate.write_max = (uint64_t)mib << 20;
			break;
		case OPT_SHARE:
		case OPT_ENV:
			if ((c == OPT_SHARE ? delegate_config_add_share :
			     delegate_config_add_env)(&o->delegate, arg, &e) < 0)
				return cli_usage_error("diver dive", "%s", e.msg);
			break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case OPT_GDB:
			o->gdb_port = arg ? (int)strtol(arg, &end, 10) : 1234;
			if ((arg && *end) || o->gdb_port < 1 || o->gdb_port > 65535)
				return cli_usage_error("diver dive", "--gdb=%s: expected a "
						       "TCP port", arg);
			break;
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

/* --via NAME or NAME=ARG (libvirt=URI) */
static bool
via_is(const char *via, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(via, name, n) && (!via[n] || via[n] == '=');
}

/*
 * --via auto (the default for -d hw): the first backend of the mode whose
 * probe finds what it needs on this host; if none, every reason.
 */
static const struct backend *
pick_by_probe(const struct dive_opts *o, struct dv_err *e)
{
	struct strbuf why = STRBUF_INIT;

	for (const struct backend *const *b = backends; *b; b++) {
		struct dv_err pe = { "" };
		if (strcmp((*b)->mode, o->mode))
			continue;
		if ((*b)->probe(o, &pe) == 0) {
			strbuf_release(&why);
			return *b;
		}
		strbuf_addf(&why, "%s%s", why.len ? "; " : "", pe.msg);
	}
	dv_errf(e, "no %s backend can run on this host: %s (diver doctor -d %s "
		"says what is missing)", o->mode, why.len ? why.buf : "none", o->mode);
	strbuf_release(&why);
	return NULL;
}

static const struct backend *
pick_backend(const struct dive_opts *o, struct dv_err *e)
{
	if ((o->via && !strcmp(o->via, "auto")) || (!o->via && !strcmp(o->mode, "hw")))
		return pick_by_probe(o, e);
	for (const struct backend *const *b = backends; *b; b++)
		if (!strcmp((*b)->mode, o->mode) && (!o->via || via_is(o->via, (*b)->name)))
			return *b;
	if (strcmp(o->mode, "vm") && strcmp(o->mode, "splitvm") && strcmp(o->mode, "hw"))
		dv_errf(e, "-d '%s': expected vm, splitvm or hw", o->mode);
	else if (o->via)
		dv_errf(e, "no backend '%s' for mode %s (vm: qemu, libvirt[=URI])", o->via, o->mode);
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
dive_slurm(const char *target, const struct dive_opts *o, const struct slurm_opts *so)
{
	struct dv_err e = { "" };
	struct net n = { 0 };
	struct home h;
	int status = 1;

	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (net_find(&h, target, &n, &e) < 0 || check_mode(&n, o->mode, &e) < 0 ||
	    slurm_run(&h, &n, o, so, &status, &e) < 0)
		status = fail(e.msg);
	net_release(&n);
	home_release(&h);
	return status;
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

/* --share and --env are splitvm's: there, the default share and a trial
   open of them all, so that a wrong one is said before anything starts. */
static int
delegation_check(struct dive_opts *o, struct dv_err *e)
{
	struct delegate *d;

	if (strcmp(o->mode, "splitvm")) {
		if (o->delegate.nshares || o->delegate.nenv || o->delegate.write_max)
			return dv_errf(e, "--%s: only -d splitvm delegates the kernel's "
				       "calls to diver, not -d %s", o->delegate.nshares ? "share" :
				       o->delegate.nenv ? "env" : "write-max", o->mode);
		return 0;
	}
	if (!o->delegate.nshares && delegate_config_add_share(&o->delegate, ".:ro", e) < 0)
		return -1;
	if (!(d = delegate_new(&o->delegate, e)))
		return -1;
	delegate_free(d);
	return 0;
}

int
cmd_dive(int argc, char **argv)
{
	struct dive_opts o = { 0 };     /* unset: from the settings */
	struct slurm_opts so = { 0 };
	struct dv_err e = { "" };
	const char *target = ".";
	bool slurm = false;
	struct home h;
	int rc = parse_args(argc, argv, &o, &target, &so, &slurm);

	if (rc)
		goto out;
	if (config_for_dive(&h, &o, &so, &e) < 0) {
		rc = fail(e.msg);
		goto out;
	}
	if (delegation_check(&o, &e) < 0)
		rc = fail(e.msg);
	else
		rc = slurm ? dive_slurm(target, &o, &so) : dive(target, &o);
	home_release(&h);
out:
	delegate_config_release(&o.delegate);
	return rc;
}
