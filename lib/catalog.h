/*
 * catalog — the catalog.json model: every kernel with every release.
 *
 * Owns: parsing and validating catalog.json (each release through kernel.h),
 * writing it back deterministically, checking its signature against a set of
 * trusted keys, expiry, and resolving references NAME[:VARIANT][@VERSION]
 * against it.  Does not own where a catalog comes from (fetch.h, the
 * client's sources) or the site pages (catalog-gen).
 */
#ifndef DIVER_CATALOG_H
#define DIVER_CATALOG_H

#include <stddef.h>
#include <time.h>

#include "crypto.h"
#include "err.h"
#include "json.h"
#include "kernel.h"
#include "ref.h"

#define CATALOG_FORMAT 1
#define CATALOG_JSON_MAX (512u << 20)

struct catalog_kernel {
	char *name;
	struct kernel *releases;        /* newest first */
	size_t nreleases;
};

struct catalog {
	long long format;
	long long serial;
	char *generated, *expires;      /* RFC 3339 UTC */
	char *key;                      /* signing key id, NULL if unsigned */
	struct catalog_kernel *kernels; /* sorted by name */
	size_t nkernels;
	jv *toolchains;                 /* array, passed through */
	struct strlist warnings;
};

int catalog_parse(const char *data, size_t len, const char *where,
		  struct catalog *c, struct dv_err *e);
int catalog_load(const char *path, struct catalog *c, struct dv_err *e);
void catalog_release(struct catalog *c);
/* Pretty, deterministic JSON with a final newline; caller frees. */
char *catalog_dump(const struct catalog *c);

/*
 * Add a release (taking over *k, which is zeroed), keeping names sorted and
 * releases newest first.  Refuses a duplicate version.
 */
int catalog_add_release(struct catalog *c, struct kernel *k, struct dv_err *e);
const struct catalog_kernel *catalog_find(const struct catalog *c,
					  const char *name);

/*
 * Resolve r: the release and variant it means.  A reference without a
 * version means the newest release that has the variant; without a variant,
 * "default".  Errors say what exists instead.
 */
int catalog_resolve(const struct catalog *c, const struct ref *r,
		    const struct kernel **rel, const struct kernel_variant **var,
		    struct dv_err *e);

/*
 * Check that sig is a good signature of data (the exact bytes of
 * catalog.json) by the key the catalog names, and that the key is one of
 * keys.  A key that is not trusted and a bad signature are different errors.
 */
int catalog_check_signature(const struct catalog *c, const char *data,
			    size_t len, const unsigned char *sig, size_t siglen,
			    struct pubkey *const *keys, size_t nkeys,
			    const char *where, struct dv_err *e);

/*
 * The toolchain NAME@VERSION of the catalog's "toolchains" (docs/formats.md),
 * or NULL; *pkg receives its package (path checked; the caller frees
 * pkg->path).  An entry that is present but malformed is an error (-1).
 */
int catalog_toolchain(const struct catalog *c, const char *name,
		      const char *version, const jv **entry,
		      struct file_ref *pkg, struct dv_err *e);

/* 0 when now is before expires. */
int catalog_check_expiry(const struct catalog *c, time_t now, const char *where,
			 struct dv_err *e);

#endif
