/*
 * verify.c — what verify, list and import share: the -p KEY.pub option
 * (repeatable) and --ignore-expiry, and printing a manifest's summary.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundler-verify.h"
#include "bundler.h"
#include "strbuf.h"

enum { OPT_IGNORE_EXPIRY = 256, OPT_LIST_OPTIONS };

const struct cli_opt verify_options[] = {
	{ 'p', "pubkey", "KEY.pub", "accept bundles signed by this key (repeatable)" },
	{ OPT_IGNORE_EXPIRY, "ignore-expiry", NULL,
	  "accept an expired bundle (for machines with a wrong clock)" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

int
verify_args(const struct cli_cmd *cmd, int argc, char **argv, int nargs,
	    struct keyset *ks, bool *ignore)
{
	char prog[64], *arg;
	struct dv_err e = { "" };
	int c;

	/* "bundler verify -p ..." -> "bundler verify" */
	snprintf(prog, sizeof prog, "%.*s", (int)strcspn(cmd->usage + 8, " ") + 8,
		 cmd->usage);
	while ((c = cli_next(cmd, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'p':
			if (keys_add(ks, arg, &e) < 0) {
				keys_release(ks);
				return fail(e.msg);
			}
			break;
		case OPT_IGNORE_EXPIRY: *ignore = true; break;
		case 'h': cli_help(stdout, cmd); keys_release(ks); exit(0);
		case OPT_LIST_OPTIONS: cli_list_options(stdout, cmd); exit(0);
		default: keys_release(ks); return cli_usage_error(prog, "bad option");
		}
	}
	if (ks->n == 0 || optind + nargs != argc) {
		keys_release(ks);
		return cli_usage_error(prog, "expected -p KEY.pub and %s",
				       nargs == 1 ? "one FILE" : "FILE and MIRROR");
	}
	return 0;
}

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

static double
now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void
bar_start(struct bar *b, const char *label)
{
	b->label = label;
	b->start = now_seconds();
	b->on = isatty(STDERR_FILENO);
	b->drawn = false;
}

void
progress_cb(void *arg, uint64_t done, uint64_t total)
{
	struct bar *b = arg;
	double t = now_seconds() - b->start, rate = t > 0 ? (double)done / t : 0;
	int pct = total ? (int)(done * 100 / total) : 100;
	char bar[26];

	if (!b->on)
		return;
	memset(bar, ' ', 25);
	memset(bar, '=', (size_t)(pct / 4));
	bar[25] = '\0';
	fprintf(stderr, "\r%-28.28s [%s] %3d%%  %.1f / %.1f MiB  %.1f MiB/s ",
		b->label, bar, pct, (double)done / 1048576, (double)total / 1048576,
		rate / 1048576);
	if (rate > 0 && done < total)
		fprintf(stderr, " ETA %.0f s ", (double)(total - done) / rate);
	b->drawn = true;
}

void
bar_end(struct bar *b)
{
	if (b->drawn)
		fputc('\n', stderr);
	b->drawn = false;
}

void
manifest_summary(FILE *f, const struct bundle_manifest *m)
{
	uint64_t total = 0;

	for (size_t i = 0; i < m->nmembers; i++)
		total += m->members[i].size;
	fprintf(f, "%zu members, %llu bytes, serial %lld, key %s, created %s, "
		"expires %s", m->nmembers, (unsigned long long)total, m->serial,
		m->key, m->created, m->expires);
	if (m->base_serial)
		fprintf(f, ", a delta on serial %lld", m->base_serial);
	if (m->parts)
		fprintf(f, ", part %d of %d", m->part, m->parts);
	fputc('\n', f);
}
