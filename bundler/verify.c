/*
 * verify.c — what verify, list and import share: the -p KEY.pub option
 * (repeatable) and --ignore-expiry, and printing a manifest's summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bundler-verify.h"
#include "strbuf.h"

int
keys_add(struct keyset *ks, const char *path, struct dv_err *e)
{
	struct pubkey *k = pubkey_load(path, e);

	if (!k)
		return -1;
	ks->v = xrealloc(ks->v, (ks->n + 1) * sizeof *ks->v);
	ks->v[ks->n++] = k;
	return 0;
}

void
keys_release(struct keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		pubkey_free(ks->v[i]);
	free(ks->v);
	ks->v = NULL;
	ks->n = 0;
}

static void
expiry_warning(bool ignore)
{
	if (ignore)
		fprintf(stderr, "bundler: WARNING: --ignore-expiry: accepting the "
			"bundle even if it has expired; make sure it is the newest "
			"one you have\n");
}

void
read_opts_init(struct bundle_read_opts *o, const struct keyset *ks, bool ignore)
{
	*o = (struct bundle_read_opts){ .keys = ks->v, .nkeys = ks->n,
					.now = time(NULL), .ignore_expiry = ignore };
	expiry_warning(ignore);
}

void
manifest_summary(FILE *f, const struct bundle_manifest *m)
{
	uint64_t total = 0;

	for (size_t i = 0; i < m->nmembers; i++)
		total += m->members[i].size;
	fprintf(f, "%zu members, %llu bytes, serial %lld, key %s, created %s, "
		"expires %s\n", m->nmembers, (unsigned long long)total, m->serial,
		m->key, m->created, m->expires);
}
