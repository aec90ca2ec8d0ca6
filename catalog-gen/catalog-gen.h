/*
 * catalog-gen internals: scanning a kernels/ tree, writing packages and the
 * site pages.  Shared only between the files of this directory.
 */
#ifndef CATALOG_GEN_H
#define CATALOG_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "catalog.h"
#include "crypto.h"
#include "err.h"

struct gen_opts {
	const char *kernels_dir;
	const char *out_dir;
	const char *key_path;
	const char *base_url;
	long valid_days;
	uint64_t max_image;
	bool allow_republish;
	bool check_only;
	bool quiet;
};

/*
 * Read every release under opts->kernels_dir into cat, checking each
 * kernel.json, README.md, image (size and sha256) and kit.  Warnings (unknown
 * fields) are collected in cat->warnings.
 */
int scan_kernels(const struct gen_opts *o, struct catalog *cat,
		 struct dv_err *e);

/* Path of a release's source directory (newly allocated). */
char *release_dir(const struct gen_opts *o, const struct kernel *k);

/*
 * Write pkg/NAME/VERSION/VARIANT.tar.zst for every variant of every release
 * into out, recording path, size and sha256 in the catalog.
 */
int write_packages(const struct gen_opts *o, struct catalog *cat,
		   const char *out, struct dv_err *e);

/* Write the HTML pages into out. */
int write_site(const struct gen_opts *o, const struct catalog *cat,
	       const char *out, struct dv_err *e);

#endif
