/*
 * config — settings, in layers: built-in defaults, then the site's
 * /etc/diver/config.json (DIVER_SYSCONFDIR moves /etc/diver, for tests and
 * unusual installs), then the user's config.json, then the command line.
 * Settings named limits.* bound what a user may ask for and are read from
 * the site's file only.
 *
 * Owns: the table of settings with their checks, loading and merging the
 * files (each value remembers the file it came from), writing one setting
 * back with `diver config set`, and `diver config show`.  The site's
 * sources.json and trusted/ keys are read by sources.c and trust.c, which
 * ask config_sysconfdir() where they are.
 */
#ifndef DIVER_CONFIG_H
#define DIVER_CONFIG_H

#include "backend.h"
#include "diver.h"
#include "slurm.h"

#define SYSCONFDIR_DEFAULT "/etc/diver"

/* $DIVER_SYSCONFDIR or /etc/diver. */
const char *config_sysconfdir(void);

/*
 * Read the site's and the user's config.json (called by home_init).
 * A broken file is an error naming it; unknown settings are kept aside
 * and shown by `diver config show`.
 */
int config_load(const char *user_config_dir, struct dv_err *e);
void config_release(void);

/* A setting's value ("" when unset and without default) and its origin. */
const char *config_get(const char *key);
const char *config_origin(const char *key);

/*
 * For dive and submit: home_init(h) (the caller home_releases it after the
 * run, as the options then point into the settings), fill what the command
 * line left unset (NULL or 0) from the settings, and check the site's
 * limits.* (an error naming the limit and its file).
 */
int config_for_dive(struct home *h, struct dive_opts *o, struct slurm_opts *so,
		    struct dv_err *e);

int cmd_config(int argc, char **argv);

#endif
