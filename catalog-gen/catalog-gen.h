/*
 * catalog-gen internals, shared only between the files of this directory.
 *
 *   main.c      options and the order of the work
 *   scan.c      reading a kernels/ tree; which releases changed (stat data)
 *   package.c   pkg/NAME/VERSION/VARIANT.tar.zst
 *   template.c  HTML escaping and the templates of site-templates/
 *   site.c      the pages and each kernel's parts of the shared files
 *   search.c    search-index.js
 *   cache.c     .catalog-gen-cache: what the previous run made, for reuse
 *   output.c    the staging directory and swapping it in
 *
 * The unit of reuse is a kernel: while the stat data of every input of all
 * its releases is unchanged, its page, packages and its parts of the shared
 * files (catalog.json, index.html, tag pages, search-index.js) are taken
 * from the previous output instead of being made again.
 */
#ifndef CATALOG_GEN_H
#define CATALOG_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "catalog.h"
#include "crypto.h"
#include "err.h"
#include "strbuf.h"

struct gen_opts {
	const char *kernels_dir;
	const char *out_dir;
	const char *key_path;
	const char *base_url;
	const char *templates;          /* --templates, or NULL */
	long valid_days;
	uint64_t max_image;
	bool allow_republish;
	bool check_only;
	bool quiet;
	bool verbose;
	bool full;                      /* ignore the previous output */
	int jobs;
	struct timespec started;        /* the real clock, for racy stat data */
};

/* What is remembered of a variant between runs. */
struct variant_state {
	char *name;
	char image_sha256[SHA256_HEX];
	struct file_ref package;        /* package.path is NULL until made */
};

/* One release: the stat data of its inputs, and its variants. */
struct release_state {
	char *version;
	char digest[SHA256_HEX];        /* of the inputs' stat data; "-" = recheck */
	struct strlist inputs;          /* paths relative to the release dir */
	struct variant_state *variants;
	size_t nvariants;
};

/* One kernel: its releases, and its parts of the shared files. */
struct entry {
	char *name;
	char dir_stat[SHA256_HEX];      /* of KERNELS/NAME itself */
	struct release_state *rels;     /* newest first */
	size_t nrels;
	struct strlist tags;            /* of the newest release */
	char *catalog_line;             /* its object in catalog.json, one line */
	char *row;                      /* its <li> in index.html and tag pages */
	char *terms;                    /* search terms, four lines (search.c) */
	/* Only for kernels read in this run: */
	struct catalog_kernel kernel;   /* releases, newest first */
	bool fresh;
	char page_sha[SHA256_HEX];      /* of its page, once rendered */
	bool page_staged;
	struct dv_err *err;             /* a worker's failure, NULL if none */
};

void entry_release(struct entry *en);
struct variant_state *release_variant(struct release_state *r, const char *name);

/* An output file and the SHA-256 of its bytes. */
struct out_file {
	char *path;
	char sha256[SHA256_HEX];
	bool staged;                    /* written in this run */
};

struct manifest {
	struct out_file *v;
	size_t n, alloc;
};

void manifest_add(struct manifest *m, const char *path, const char *sha256,
		  bool staged);
void manifest_sort(struct manifest *m);
/* Binary search; m must be sorted. */
const struct out_file *manifest_find(const struct manifest *m, const char *path);
void manifest_release(struct manifest *m);

/* .catalog-gen-cache in the output: what the previous run made. */
struct cache {
	char pages_key[SHA256_HEX];     /* templates and options of the pages */
	char catalog_sha[SHA256_HEX];   /* of the catalog.json written with it */
	struct entry *entries;          /* sorted by name */
	size_t n;
	struct manifest files;          /* sorted by path */
};

#define CACHE_FILE ".catalog-gen-cache"

/*
 * Load OUT/.catalog-gen-cache.  A missing, unreadable or stale cache (one
 * whose catalog.json is not the one in OUT) is not an error: *usable is
 * then false and the run renders everything.
 */
void cache_load(const char *out_dir, struct cache *c, bool *usable);
void cache_release(struct cache *c);
const struct entry *cache_find(const struct cache *c, const char *name);
void cache_dump(const char *pages_key, const char *catalog_sha,
		const struct entry *entries, size_t n, const struct manifest *files,
		struct strbuf *out);

/*
 * Scan opts->kernels_dir into *entries (sorted by name).  A kernel whose
 * inputs have the same stat data as in the cache is copied from it;
 * every other one is read and checked (kernel.json, README.md, images and
 * their sha256, kits) into en->kernel, with en->fresh set.  Warnings
 * (unknown fields) are added to warnings.
 */
int scan_kernels(const struct gen_opts *o, const struct cache *cache,
		 bool pages_stale, struct entry **entries, size_t *n,
		 struct strlist *warnings, struct dv_err *e);

/* Path of a release's source directory (newly allocated). */
char *release_dir(const struct gen_opts *o, const char *name,
		  const char *version);

struct output;
/* Write pkg/NAME/VERSION/VARIANT.tar.zst of one variant into staging. */
int write_package(const struct gen_opts *o, const struct kernel *k,
		  struct kernel_variant *v, const struct output *w,
		  struct dv_err *e);

/* Add the tree at src to w as name/..., sorted, refusing links (package.c). */
struct tar_writer;
int add_tree(struct tar_writer *w, const char *src, const char *name,
	     struct dv_err *e);

/*
 * Toolchains (toolchain.c): KERNELS/toolchains/NAME/VERSION/ holds
 * toolchain.json and root/, a relocatable prefix.  Checks each one and,
 * with w, packs it as pkg/toolchains/NAME/VERSION.tar.zst (a version
 * already in the previous output is reused: toolchains are immutable) and
 * appends its catalog entries to json (one per line, comma-separated).
 * *count receives how many there are.
 */
int toolchains_render(const struct gen_opts *o, struct output *w,
		      struct strbuf *json, size_t *count, struct dv_err *e);

/* Templates (template.c). */
struct tmpl;
void html_escape(struct strbuf *sb, const char *s);
/* Where the templates are: --templates, $DIVER_TEMPLATES, beside the
 * program, or DIVER_DATADIR. */
char *templates_dir(const char *given, struct dv_err *e);
struct tmpl *tmpl_load(const char *dir, const char *name,
		       const char *const *names, struct dv_err *e);
void tmpl_free(struct tmpl *t);
const char *tmpl_source(const struct tmpl *t, size_t *len);
/* values[i] is the value of names[i] (NULL means empty). */
void tmpl_expand(const struct tmpl *t, const char *const *values,
		 struct strbuf *out);

/* The site (site.c). */
struct site;
struct site *site_load(const struct gen_opts *o, struct dv_err *e);
void site_free(struct site *s);
/* Identifies the templates, assets and options the pages are made with. */
const char *site_key(const struct site *s);

/* A fresh entry's page, catalog line, row and search terms. */
void site_render_kernel(const struct site *s, struct entry *en,
			struct strbuf *page);

/*
 * Every page that lists kernels, the assets and search-index.js.  Only the
 * pages of the tags in affected are made again (all when it is NULL); the
 * others are kept from the previous output.
 */
int site_write_shared(const struct site *s, const struct catalog *head,
		      const struct entry *entries, size_t n,
		      const struct strlist *affected, struct output *w,
		      struct dv_err *e);

/* The search terms of a kernel (search.c); caller frees. */
char *search_terms(const struct kernel *k, const char *readme_text);
/* search-index.js for entries, in order (ids are positions). */
void search_index_js(const struct entry *entries, size_t n, struct strbuf *out);

/* The output directory (output.c). */
struct output {
	const char *dir;
	char *staging;
	struct manifest old;            /* from the cache, sorted */
	struct manifest files;          /* of this run */
	bool swap;                      /* nothing reused: swap whole directories */
};

/* Start: a staging directory beside dir; old is taken over (may be empty). */
int output_begin(struct output *w, const char *dir, struct manifest *old,
		 struct dv_err *e);
/* Write rel into staging; safe from several threads (no bookkeeping). */
int output_stage(const struct output *w, const char *rel, const void *data,
		 size_t len, struct dv_err *e);
/* The staging path of rel, its parent directories made; caller frees. */
char *output_stage_path(const struct output *w, const char *rel,
			struct dv_err *e);
/* Add rel with these bytes: staged unless the previous output has them. */
int output_file(struct output *w, const char *rel, const void *data,
		size_t len, struct dv_err *e);
/* Record a file that is already staged, or kept from the old output. */
void output_record(struct output *w, const char *rel, const char *sha256,
		   bool staged);
/* Whether the previous output has rel with exactly this sha256. */
bool output_unchanged(const struct output *w, const char *rel,
		      const char *sha256);
/* Swap the staged files in and remove what the new output no longer has. */
int output_commit(struct output *w, size_t *written, struct dv_err *e);
/* Remove the staging directory (after commit or failure). */
void output_end(struct output *w);

/*
 * Run fn(i, arg) for i in [0, n) on up to jobs threads.  fn must only touch
 * what belongs to i.
 */
void parallel_for(size_t n, int jobs, void (*fn)(size_t i, void *arg),
		  void *arg);

#endif
