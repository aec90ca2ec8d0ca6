/*
 * bundle — the signed offline bundle (.dvb): a catalog in one tar.zst file.
 *
 * Owns: the manifest BUNDLE.json and its rules (DESIGN §5, docs/formats.md),
 * writing a bundle in one pass, verifying one while streaming it exactly
 * once (signature first, then every member against the manifest), and
 * importing one into a mirror directory atomically.  Does not own which
 * files go into a bundle (the bundler tool decides) or catalogs (catalog.h).
 */
#ifndef DIVER_BUNDLE_H
#define DIVER_BUNDLE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "crypto.h"
#include "err.h"
#include "kernel.h"

#define BUNDLE_FORMAT 1
#define BUNDLE_MANIFEST "BUNDLE.json"
#define BUNDLE_SIGNATURE "BUNDLE.json.sig"
#define BUNDLE_MANIFEST_MAX (16u << 20)
#define BUNDLE_MEMBERS_MAX 1000000
#define BUNDLE_SPLIT_ID 17              /* 16 hex digits and a NUL */
#define BUNDLE_PARTS_MAX 9999

struct bundle_member {
	char *path;
	uint64_t size;
	char sha256[SHA256_HEX];
};

struct bundle_manifest {
	long long format, serial;
	char *created, *expires;        /* RFC 3339 UTC */
	char *key;                      /* signing key id */
	struct strlist refs;            /* what pack was asked for */
	bool all;                       /* pack --all */
	struct bundle_member *members;  /* in stream order */
	size_t nmembers;
	char hash[SHA256_HEX];          /* sha256 of BUNDLE.json as signed */
	/* a delta: the bundle it adds to ("base"); base_serial 0 when none */
	long long base_serial;
	char base_manifest[SHA256_HEX];
	/* one part of a split bundle ("split"); parts 0 when not split */
	char split_id[BUNDLE_SPLIT_ID];
	int part, parts;
	/* set by bundle_import for a part: how many parts the mirror has now */
	int parts_present;
};

void bundle_manifest_release(struct bundle_manifest *m);
/* Validate a manifest (paths, sizes, hashes, duplicates, limits). */
int bundle_manifest_parse(const char *data, size_t len, const char *where,
			  struct bundle_manifest *m, struct dv_err *e);

/* One member to write: from a file on disk, or from memory. */
struct bundle_source {
	const char *path;               /* member path in the bundle */
	const char *file;               /* source file, or NULL */
	const void *data;               /* in-memory bytes when file is NULL */
	size_t len;
	bool known;                     /* sha256/size below are expected */
	char sha256[SHA256_HEX];
	uint64_t size;
};

struct bundle_header {
	long long serial;
	time_t created, expires;
	const char *const *refs;
	size_t nrefs;
	bool all;
	int level;                      /* zstd level */
	long long base_serial;          /* a delta on the bundle with this serial */
	const char *base_manifest;      /* ... and this manifest hash; NULL: full */
	const char *split_id;           /* one part of a split bundle, or NULL */
	int part, parts;
	/* called after each member, for progress; may be NULL */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
};

/*
 * Write a bundle to fd: the manifest, its signature, then every source.
 * Sources whose hash is known are hashed while being compressed and the
 * write fails if a file does not match; others are hashed first.
 */
int bundle_write(int fd, struct sigkey *key, const struct bundle_header *h,
		 struct bundle_source *srcs, size_t n, struct dv_err *e);

struct bundle_read_opts {
	struct pubkey *const *keys;     /* accepted signers */
	size_t nkeys;
	time_t now;
	bool ignore_expiry;
	const char *extract_dir;        /* NULL: verify only */
	/* called after each member, for progress; may be NULL */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
};

/*
 * Verify the bundle at path (and extract it when opts->extract_dir is set):
 * the signature of the manifest before anything else, then every member
 * streamed once.  On success *m holds the verified manifest.
 */
int bundle_read(const char *path, const struct bundle_read_opts *opts,
		struct bundle_manifest *m, struct dv_err *e);

/*
 * Read only the manifest and signature, without verifying (bundler list).
 */
int bundle_peek(const char *path, struct bundle_manifest *m, struct dv_err *e);

/*
 * Import into mirror: verify while extracting into a staging directory
 * beside it, carry over the mirror's state, refuse a serial older than the
 * one the mirror last imported from the same key, and swap the staging
 * directory in.  The mirror is left untouched on any failure.
 *
 * A delta brings only what its base lacked: the packages its catalog names
 * that it does not carry are taken from the mirror (an error names the
 * first one the mirror lacks).  A part of a split bundle is verified and
 * kept in MIRROR.split/ID/ until every part is there, in any order; then
 * they are imported as one (m->parts_present says how many are there).
 */
int bundle_import(const char *path, const struct bundle_read_opts *opts,
		  const char *mirror, struct bundle_manifest *m, struct dv_err *e);

#endif
