/* Shared by verify, list and import: trusted keys and manifest summaries. */
#ifndef BUNDLER_VERIFY_H
#define BUNDLER_VERIFY_H

#include <stdbool.h>
#include <stdio.h>

#include "bundle.h"
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

#endif
