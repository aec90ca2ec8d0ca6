/*
 * diver internals shared by the cmd_*.c files: where state lives, the trust
 * store, sources and their verified catalogs, the package cache and nets.
 */
#ifndef DIVER_H
#define DIVER_H

#include <stdbool.h>
#include <stdio.h>

#include "catalog.h"
#include "crypto.h"
#include "err.h"
#include "json.h"
#include "ref.h"

/* --- home.c: config, data and cache directories --- */

struct home {
	char *config;   /* $DIVER_HOME/config or $XDG_CONFIG_HOME/diver */
	char *data;     /* $DIVER_HOME/data   or $XDG_DATA_HOME/diver */
	char *cache;    /* $DIVER_HOME/cache  or $XDG_CACHE_HOME/diver, or the
			   site's "cache" setting */
	bool configured;        /* holds a reference to the settings */
};

int home_init(struct home *h, struct dv_err *e);
void home_release(struct home *h);

/*
 * --- trust.c: trusted public keys, config/trusted/<keyid>.pub, after the
 * site's SYSCONFDIR/trusted/<keyid>.pub ---
 */

struct keyring {
	struct pubkey **keys;
	char **paths;           /* the file each key came from */
	size_t n;
};

int keyring_load(const struct home *h, struct keyring *kr, struct dv_err *e);
void keyring_release(struct keyring *kr);

/*
 * --- sources.c: the site's SYSCONFDIR/sources.json and "mirror" setting,
 * then config/sources.json; data/sources/NAME/ for each ---
 */

struct source {
	char *name;
	char *kind;             /* dir | bundle | http (http and https) */
	char *location;         /* what the user gave (absolute path) */
	char *root;             /* where catalog.json and pkg/ are: a directory or a URL */
	bool insecure;          /* added with --insecure: no signature check */
	char *origin;           /* the site's file that defines it; NULL: the user's */
	long long serial;       /* newest serial seen */
	struct catalog cat;     /* the verified catalog, once opened */
	bool opened;
};

struct sources {
	struct source *v;
	size_t n;
};

int sources_load(const struct home *h, struct sources *s, struct dv_err *e);
int sources_save(const struct home *h, const struct sources *s,
		 struct dv_err *e);
void sources_release(struct sources *s);
struct source *sources_find(struct sources *s, const char *name);
/* rel (catalog.json, pkg/...) within the source: a path or a URL. */
char *source_path(const struct source *src, const char *rel);

/*
 * Read the source's catalog from its root, verify it (trusted signature,
 * serial not older than seen, not expired) and keep a copy in
 * data/sources/NAME/.  Updates src->serial.
 */
int source_refresh(const struct home *h, struct source *src,
		   const struct keyring *kr, struct dv_err *e);
/* Load the verified copy kept by source_refresh. */
int source_open(const struct home *h, struct source *src, struct dv_err *e);

/* Resolve a reference across every source; the newest release wins. */
struct resolved {
	struct source *src;
	const struct kernel *rel;
	const struct kernel_variant *var;
};
int sources_resolve(const struct home *h, struct sources *s, const struct ref *r,
		    struct resolved *out, struct dv_err *e);

/* --- cache.c: packages by sha256, unpacked once --- */

/*
 * Make sure the package of res is in the cache (sha256 checked) and
 * unpacked; *dir receives the unpacked directory (caller frees).
 */
int cache_unpacked(const struct home *h, const struct resolved *res,
		   char **dir, struct dv_err *e);
/* Only into the cache (diver pull): unpacking waits for init. */
int cache_fetch(const struct home *h, const struct resolved *res, struct dv_err *e);

/*
 * The toolchain kernel k names, when src's catalog has it: cached, checked
 * and unpacked into data/toolchains/NAME-VERSION (*dir; NULL when the
 * source has no such toolchain and apps build with the host's compiler).
 */
int toolchain_install(const struct home *h, struct source *src,
		      const struct kernel *k, char **dir, struct dv_err *e);
/*
 * The compiler of the toolchain kernel k names, when it is installed (its
 * toolchain.json names it and it runs), else NULL: the host's gcc.  Caller
 * frees.  (cmd_build.c)
 */
char *toolchain_cc(const struct home *h, const struct kernel *k);

/* --- net.c: built nets, data/nets/<id>/{image,net.json} --- */

struct net {
	char *id;
	char *dir;              /* data/nets/<id> */
	jv *json;               /* net.json */
};

/* Find a net by id (or unique prefix), by app directory, or by path. */
int net_find(const struct home *h, const char *what, struct net *n,
	     struct dv_err *e);
void net_release(struct net *n);
/* All nets, newest first. */
int net_list(const struct home *h, struct net **nets, size_t *count,
	     struct dv_err *e);

/* --- output --- */

/* Human-readable size: "18.4 KiB". */
void format_size(unsigned long long n, char buf[32]);
/* Print "diver: MSG" to stderr; returns 1. */
int fail(const char *msg);
int failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_source(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_dive(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_conform(int argc, char **argv);

#endif
