/*
 * kernel — the kernel.json model: one release of one kernel, validated.
 *
 * Owns: the fields of kernel.json (docs/formats.md), their validation with
 * messages that name the file, the field and what was expected, and the
 * normalized JSON written into catalogs.  The same code validates a
 * publisher's kernel.json and a release entry in a catalog.json (which
 * additionally carries each variant's "package").  Does not own catalogs
 * (catalog.h) or the files a release points to.
 */
#ifndef DIVER_KERNEL_H
#define DIVER_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "err.h"
#include "json.h"

struct file_ref {
	char *path;                 /* relative, checked */
	uint64_t size;
	char sha256[SHA256_HEX];
};

struct kernel_variant {
	char *name;
	char *config;               /* one line: what this variant is */
	struct file_ref image;
	char *image_format;         /* multiboot1 | bzimage */
	char *kit_path;             /* relative dir, NULL when no kit */
	bool has_package;           /* catalog entries only */
	struct file_ref package;
};

struct strlist {
	char **v;
	size_t n;
};

struct kernel {
	char *name, *version, *summary, *description;
	char *license, *homepage, *arch, *build;
	struct strlist authors, tags, modes;
	char *toolchain_name, *toolchain_version;   /* NULL when none */
	jv *interface;              /* object of strings (kernel-interface.md) */
	struct kernel_variant *variants;
	size_t nvariants;           /* "default" is always variants[0] */
	struct strlist warnings;    /* unknown fields and the like */
};

enum {
	KERNEL_IN_CATALOG = 1,      /* variants must carry "package" */
};

/* Validate v (from file `where`) into k; k is zeroed first. */
int kernel_from_jv(const jv *v, const char *where, int flags, struct kernel *k,
		   struct dv_err *e);
int kernel_load(const char *path, struct kernel *k, struct dv_err *e);
void kernel_release(struct kernel *k);

/* The normalized JSON of k; with_packages adds each variant's "package". */
jv *kernel_to_jv(const struct kernel *k, bool with_packages);

const struct kernel_variant *kernel_variant(const struct kernel *k,
					    const char *name);
bool kernel_has_mode(const struct kernel *k, const char *mode);
/* Value of interface key, or NULL. */
const char *kernel_interface(const struct kernel *k, const char *key);

void strlist_push(struct strlist *l, const char *s);
bool strlist_has(const struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

/* Largest kernel.json accepted. */
#define KERNEL_JSON_MAX (1 << 20)

#endif
