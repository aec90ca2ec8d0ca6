/*
 * trust.c — the trust store: config/trusted/<keyid>.pub, one public key a
 * file, after the site's (SYSCONFDIR/trusted/).  A catalog or bundle is
 * used only when one of these keys signed it.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diver.h"
#include "fs.h"
#include "strbuf.h"

static int
load_dir(const char *dir, struct keyring *kr, struct dv_err *e)
{
	char **names;
	int rc = 0;

	if (!fs_is_dir(dir))
		return 0;
	if (fs_list_dir(dir, &names, NULL, e) < 0)
		return -1;
	for (char **n = names; *n && rc == 0; n++) {
		size_t len = strlen(*n);
		char *path;
		struct pubkey *k;
		if (len < 5 || strcmp(*n + len - 4, ".pub"))
			continue;
		path = fs_join(dir, *n);
		if (!(k = pubkey_load(path, e))) {
			free(path);
			rc = dv_err_prefix(e, "trust store");
			break;
		}
		kr->keys = xrealloc(kr->keys, (kr->n + 1) * sizeof *kr->keys);
		kr->paths = xrealloc(kr->paths, (kr->n + 1) * sizeof *kr->paths);
		kr->keys[kr->n] = k;
		kr->paths[kr->n++] = path;
	}
	fs_names_free(names);
	return rc;
}

int
keyring_load(const struct home *h, struct keyring *kr, struct dv_err *e)
{
	char *site = fs_join(config_sysconfdir(), "trusted");
	char *user = fs_join(h->config, "trusted");
	int rc;

	memset(kr, 0, sizeof *kr);
	rc = load_dir(site, kr, e);
	if (rc == 0)
		rc = load_dir(user, kr, e);
	if (rc < 0)
		keyring_release(kr);
	free(site);
	free(user);
	return rc;
}

void
keyring_release(struct keyring *kr)
{
	for (size_t i = 0; i < kr->n; i++) {
		pubkey_free(kr->keys[i]);
		free(kr->paths[i]);
	}
	free(kr->keys);
	free(kr->paths);
	memset(kr, 0, sizeof *kr);
}
