/*
 * slurm — running nets on compute nodes through Slurm.
 *
 * Owns: the job script that stages a net onto the allocated nodes (the
 * net's files travel inside the script, or through a shared stage
 * directory, and are copied to node-local storage with sbcast), runs it
 * with srun (labelled output when several tasks) and cleans up; running
 * that script under salloc (`diver dive --slurm`) or submitting it with
 * sbatch (`diver submit`).  Does not own how a net runs on a node: that is
 * `diver dive` on the node itself.
 */
#ifndef DIVER_SLURM_H
#define DIVER_SLURM_H

#include <stdbool.h>

#include "backend.h"
#include "diver.h"

struct slurm_opts {
	int nodes;                      /* -N; 0 = Slurm's default */
	int tasks;                      /* -n; 0 = one per node */
	const char *partition;          /* -p */
	const char *time;               /* -t */
	const char *srun_args;          /* extra srun arguments, split on spaces */
	const char *stage_dir;          /* shared directory to stage through, or NULL */
	const char *node_diver;         /* diver on the nodes (default: this one) */
	const char *output;             /* sbatch -o (submit only) */
	bool wait;                      /* submit: wait for the job, return its status */
};

/* The job script for net n (newly allocated). */
char *slurm_script(const struct home *h, const struct net *n,
		   const struct dive_opts *o, const struct slurm_opts *so,
		   struct dv_err *e);

/* salloc + the script: streams the tasks' output, *status the worst one. */
int slurm_run(const struct home *h, const struct net *n,
	      const struct dive_opts *o, const struct slurm_opts *so,
	      int *status, struct dv_err *e);

/* sbatch the script; jobid receives the job id. */
int slurm_submit(const struct home *h, const struct net *n,
		 const struct dive_opts *o, const struct slurm_opts *so,
		 char jobid[32], int *status, struct dv_err *e);

#endif
