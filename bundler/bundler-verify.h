/* Shared by verify, list and import: trusted keys and manifest summaries. */
#ifndef BUNDLER_VERIFY_H
#define BUNDLER_VERIFY_H

#include <stdbool.h>
#include <stdio.h>

#include "bundle.h"
#include "cli.h"
#include "crypto.h"

struct keyset {
	struct pubkey **v;
	size_t n;
};

int keys_add(struct keyset *ks, const char *path, struct dv_err *e);
void keys_release(struct keyset *ks);
/* Fill o for ks; says loudly on stderr when expiry is ignored. */
void read_opts_init(struct bundle_read_opts *o, const struct keyset *ks,
		    bool ignore_expiry);
void manifest_summary(FILE *f, const struct bundle_manifest *m);

/*
 * A progress bar on stderr, when it is a terminal: bar_start names the
 * work ("verifying x.dvb"); progress_cb fits the progress hooks of
 * bundle_read_opts and bundle_header; bar_end ends the line.
 */
struct bar {
	const char *label;
	double start;
	bool on, drawn;
};
void bar_start(struct bar *b, const char *label);
void progress_cb(void *bar, uint64_t done, uint64_t total);
void bar_end(struct bar *b);

/* The options verify and import share: -p KEY.pub..., --ignore-expiry. */
extern const struct cli_opt verify_options[];

/*
 * Parse them for cmd (whose usage names the tool, e.g. "bundler verify")
 * and expect nargs operands, left at argv + optind.  Returns 0, or the
 * status to exit with (help printed, usage error, bad key).
 */
int verify_args(const struct cli_cmd *cmd, int argc, char **argv, int nargs,
		struct keyset *ks, bool *ignore_expiry);

#endif
