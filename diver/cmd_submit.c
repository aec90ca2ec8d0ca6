/*
 * diver submit [NET|DIR] [-N NODES] [-n TASKS] [-p PARTITION] [-t TIME]
 *              [--srun-args ARGS] [--stage-dir DIR] [--node-diver PATH]
 *              [-o OUT] [--wait] [--accel A] [-c CPUS] [-m MEM] [--timeout S]
 *              [-- ARGS...]
 *
 * Writes a batch script that stages the net onto the allocated nodes and
 * runs it there with srun, submits it with sbatch and prints the job id.
 * `diver dive --slurm` runs the same script interactively under salloc.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "diver.h"
#include "slurm.h"

enum { OPT_SRUN_ARGS = 256, OPT_STAGE_DIR, OPT_NODE_DIVER, OPT_WAIT, OPT_ACCEL,
       OPT_TIMEOUT, OPT_SCRIPT, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ 'N', "nodes", "N", "nodes to allocate" },
	{ 'n', "ntasks", "N", "tasks (nets) to run; default one per node" },
	{ 'p', "partition", "P", "the Slurm partition" },
	{ 't', "time", "TIME", "the time limit, as Slurm writes it (10, 1:00:00)" },
	{ OPT_SRUN_ARGS, "srun-args", "ARGS", "more srun options, e.g. '--exclusive'" },
	{ OPT_STAGE_DIR, "stage-dir", "DIR",
	  "stage the net through this shared directory instead of inside the script" },
	{ OPT_NODE_DIVER, "node-diver", "PATH", "diver on the compute nodes (default: this one)" },
	{ 'o', "output", "FILE", "the job's output (default diver-JOBNAME-JOBID.out)" },
	{ OPT_WAIT, "wait", NULL, "wait for the job and exit with its status" },
	{ OPT_ACCEL, "accel", "ACCEL", "auto (default), kvm or tcg, on the nodes" },
	{ 'c', "cpus", "N", "virtual CPUs of each net (default 1)" },
	{ 'm', "memory", "SIZE", "memory of each net, e.g. 64M (default 64M)" },
	{ OPT_TIMEOUT, "timeout", "S", "stop each net after S seconds" },
	{ OPT_SCRIPT, "script", NULL, "print the batch script instead of submitting it" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver submit [NET|DIR] [OPTIONS] [-- ARGS...]",
	"Submit a batch job that runs a net on compute nodes: the net is staged to\n"
	"node-local storage with sbcast and run with srun.  Prints the job id.",
	options,
};

static int
positive(const char *opt, const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 1000000)
		return cli_usage_error("diver submit", "%s '%s': expected a positive "
				       "number", opt, s);
	*out = (int)v;
	return 0;
}

static int
parse(int argc, char **argv, struct dive_opts *o, struct slurm_opts *so,
      const char **target, bool *print)
{
	char *arg, *end;
	int c;

	argc = cli_split_dashdash(argc, argv, &o->args, &o->nargs);
	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'N': if (positive("-N", arg, &so->nodes)) return 2; break;
		case 'n': if (positive("-n", arg, &so->tasks)) return 2; break;
		case 'c': if (positive("-c", arg, &o->cpus)) return 2; break;
		case 'p': so->partition = arg; break;
		case 't': so->time = arg; break;
		case 'o': so->output = arg; break;
		case 'm':
			if (parse_size_mib(arg, &o->mem_mib) < 0)
				return cli_usage_error("diver submit", "-m '%s': expected "
						       "a size like 64M", arg);
			break;
		case OPT_SRUN_ARGS: so->srun_args = arg; break;
		case OPT_STAGE_DIR: so->stage_dir = arg; break;
		case OPT_NODE_DIVER: so->node_diver = arg; break;
		case OPT_WAIT: so->wait = true; break;
		case OPT_ACCEL: o->accel = arg; break;
		case OPT_SCRIPT: *print = true; break;
		case OPT_TIMEOUT:
			o->timeout = strtod(arg, &end);
			if (*end || !(o->timeout > 0))
				return cli_usage_error("diver submit", "--timeout '%s': "
						       "expected seconds", arg);
			break;
		case 'h': cli_help(stdout, &command); exit(0);
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); exit(0);
		default: return cli_usage_error("diver submit", "bad option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("diver submit", "expected one NET or DIR; put the "
				       "app's arguments after '--'");
	if (optind < argc)
		*target = argv[optind];
	return 0;
}

static int
submit(const char *target, const struct dive_opts *o, const struct slurm_opts *so,
       bool print)
{
	struct dv_err e = { "" };
	struct net n = { 0 };
	char jobid[32], *script;
	struct home h;
	int status = 0, rc = 1;

	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (net_find(&h, target, &n, &e) < 0)
		goto out;
	if (print) {
		if (!(script = slurm_script(&h, &n, o, so, &e)))
			goto out;
		fputs(script, stdout);
		free(script);
		rc = 0;
	} else if (slurm_submit(&h, &n, o, so, jobid, &status, &e) == 0) {
		printf("submitted job %s: net %s\n", jobid, n.id);
		rc = so->wait ? status : 0;
	}
out:
	if (e.msg[0])
		fail(e.msg);
	net_release(&n);
	home_release(&h);
	return rc;
}

int
cmd_submit(int argc, char **argv)
{
	struct dive_opts o = { 0 };     /* unset: from the settings */
	struct slurm_opts so = { 0 };
	struct dv_err e = { "" };
	const char *target = ".";
	bool print = false;
	struct home h;
	int rc = parse(argc, argv, &o, &so, &target, &print);

	if (rc)
		return rc;
	if (config_for_dive(&h, &o, &so, &e) < 0)
		return fail(e.msg);
	rc = submit(target, &o, &so, print);
	home_release(&h);
	return rc;
}
