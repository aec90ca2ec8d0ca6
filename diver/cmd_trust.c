/*
 * diver trust add KEY.pub
 * diver trust list [--json]
 * diver trust remove KEYID|KEY.pub
 *
 * The keys whose signatures make a catalog or a bundle usable.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "diver.h"
#include "fs.h"
#include "strbuf.h"

enum { OPT_JSON = 256, OPT_SITE, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ OPT_JSON, "json", NULL, "list as JSON" },
	{ OPT_SITE, "site", NULL, "add: trust the key for every user of this host (/etc/diver)" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver trust add [--site] KEY.pub | list [--json] | remove KEYID|KEY.pub",
	"Manage the public keys that may sign the catalogs and bundles diver uses.\n"
	"A key is named by its id, the first 16 hex digits of its SHA-256.",
	options,
};

static int
trust_add(const struct home *h, const char *path, bool site)
{
	struct dv_err e = { "" };
	struct pubkey *k = pubkey_load(path, &e);
	char id[KEYID_HEX], *dir, *dest, *pem;
	int rc;

	if (!k)
		return fail(e.msg);
	pubkey_id(k, id);
	pem = pubkey_pem(k);
	pubkey_free(k);
	dir = fs_join(site ? config_sysconfdir() : h->config, "trusted");
	dest = xasprintf("%s/%s.pub", dir, id);
	rc = fs_mkdir_p(dir, 0755, &e) == 0 &&
	     fs_write_atomic(dest, pem, strlen(pem), 0644, &e) == 0 ? 0 : -1;
	if (rc == 0)
		printf("trusted key %s (from %s)%s\n", id, path,
		       site ? " for every user of this host" : "");
	free(pem);
	free(dest);
	free(dir);
	return rc < 0 ? fail(e.msg) : 0;
}

static int
trust_list(const struct home *h, bool json)
{
	struct keyring kr;
	struct dv_err e = { "" };
	char id[KEYID_HEX];
	jv *arr = jv_array();

	if (keyring_load(h, &kr, &e) < 0) {
		jv_free(arr);
		return fail(e.msg);
	}
	for (size_t i = 0; i < kr.n; i++) {
		pubkey_id(kr.keys[i], id);
		if (json)
			jv_push(arr, jv_string(id));
		else
			printf("%s  %s\n", id, kr.paths[i]);
	}
	if (json) {
		char *s = jv_dump(arr, JV_PRETTY);
		fputs(s, stdout);
		free(s);
	} else if (kr.n == 0) {
		printf("no trusted keys; add one with 'diver trust add KEY.pub'\n");
	}
	jv_free(arr);
	keyring_release(&kr);
	return 0;
}

/* 1 (and the error said) when the site's trust store holds key id. */
static int
site_key(const struct home *h, const char *id)
{
	struct dv_err e = { "" };
	struct keyring kr;
	char *dir = fs_join(config_sysconfdir(), "trusted"), kid[KEYID_HEX];
	int found = 0;

	if (keyring_load(h, &kr, &e) < 0) {
		free(dir);
		return fail(e.msg);
	}
	for (size_t i = 0; i < kr.n && !found; i++) {
		pubkey_id(kr.keys[i], kid);
		if (!strcmp(kid, id) && !strncmp(kr.paths[i], dir, strlen(dir)) &&
		    kr.paths[i][strlen(dir)] == '/')
			found = failf("key %s is trusted by the site (%s): only its "
				      "administrator can remove it", id, kr.paths[i]);
	}
	keyring_release(&kr);
	free(dir);
	return found;
}

static int
trust_remove(const struct home *h, const char *what)
{
	struct dv_err e = { "" };
	char id[KEYID_HEX], *path;

	if (fs_is_file(what)) {
		struct pubkey *k = pubkey_load(what, &e);
		if (!k)
			return fail(e.msg);
		pubkey_id(k, id);
		pubkey_free(k);
	} else {
		snprintf(id, sizeof id, "%s", what);
	}
	if (site_key(h, id))
		return 1;
	path = xasprintf("%s/trusted/%s.pub", h->config, id);
	if (strchr(id, '/') || unlink(path) < 0) {
		free(path);
		return failf("no trusted key '%s' (see 'diver trust list')", what);
	}
	printf("removed key %s\n", id);
	free(path);
	return 0;
}

int
cmd_trust(int argc, char **argv)
{
	struct dv_err e = { "" };
	struct home h;
	bool json = false, site = false;
	char *arg;
	int c, rc;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_SITE: site = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver trust", "bad option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return cli_usage_error("diver trust", "expected add, list or remove");
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (!strcmp(argv[0], "add") && argc == 2)
		rc = trust_add(&h, argv[1], site);
	else if (!strcmp(argv[0], "list") && argc == 1)
		rc = trust_list(&h, json);
	else if (!strcmp(argv[0], "remove") && argc == 2)
		rc = trust_remove(&h, argv[1]);
	else
		rc = cli_usage_error("diver trust", "expected 'add KEY.pub', 'list' "
				     "or 'remove KEYID'");
	home_release(&h);
	return rc;
}
