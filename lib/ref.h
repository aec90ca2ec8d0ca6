/*
 * ref — kernel references NAME[:VARIANT][@VERSION] and semantic versions.
 *
 * Owns: the syntax of names, variants, tags and versions, and version
 * ordering by Semantic Versioning 2.0.0 (build metadata ignored, pre-releases
 * before their release).  Resolving a reference against a catalog is
 * catalog.h's job.
 */
#ifndef DIVER_REF_H
#define DIVER_REF_H

#include <stdbool.h>

#include "err.h"

#define REF_NAME_MAX 64
#define REF_VERSION_MAX 64

struct semver {
	unsigned long major, minor, patch;
	char pre[REF_VERSION_MAX];      /* "" when no pre-release part */
};

struct ref {
	char name[REF_NAME_MAX + 1];
	char variant[REF_NAME_MAX + 1];         /* "" = any (default first) */
	char version[REF_VERSION_MAX + 1];      /* "" = newest */
};

/* 0 when s is a semantic version like 1.2.3, 1.2.3-rc.1 or 1.2.3+build. */
int semver_parse(const char *s, struct semver *v);
int semver_cmp(const struct semver *a, const struct semver *b);
/* Compare two version strings; invalid ones sort before valid ones. */
int version_cmp(const char *a, const char *b);

/* [a-z0-9][a-z0-9-]*, at most REF_NAME_MAX bytes: kernel and variant names. */
bool name_valid(const char *s);
/* Tags follow the same rule as names. */
bool tag_valid(const char *s);

/* Parse NAME[:VARIANT][@VERSION]. */
int ref_parse(const char *s, struct ref *r, struct dv_err *e);
/* Format back; buf of at least REF_STRING_MAX bytes. */
#define REF_STRING_MAX (2 * REF_NAME_MAX + REF_VERSION_MAX + 3)
const char *ref_string(const struct ref *r, char *buf);

#endif
