/*
 * trust.c — the trust store: config/trusted/<keyid>.pub, one public key a
 * file.  A catalog or bundle is used only when one of these keys signed it.
 */
#include <stdlib.h>
#include <string.h>

#include "diver.h"
#include "fs.h"
#include "strbuf.h"

int
keyring_load(const struct home *h, struct keyring *kr, struct dv_err *e)
{
	char *dir = fs_join(h->config, "trusted"), **names;
	int rc = 0;

	memset(kr, 0, sizeof *kr);
	if (!fs_is_dir(dir)) {
		free(dir);
		return 0;
	}
	if (fs_list_dir(dir, &names, NULL, e) < 0) {
		free(dir);
		return -1;
	}
	for (char **n = names; *n && rc == 0; n++) {
		size_t len = strlen(*n);
		if (len < 5 || strcmp(*n + len - 4, ".pub"))
			continue;
		char *path = fs_join(dir, *n);
		struct pubkey *k = pubkey_load(path, e);
		free(path);
		if (!k) {
			rc = dv_err_prefix(e, "trust store");
			break;
		}
		kr->keys = xrealloc(kr->keys, (kr->n + 1) * sizeof *kr->keys);
		kr->keys[kr->n++] = k;
	}
	fs_names_free(names);
	free(dir);
	if (rc < 0)
		keyring_release(kr);
	return rc;
}

void
keyring_release(struct keyring *kr)
{
	for (size_t i = 0; i < kr->n; i++)
		pubkey_free(kr->keys[i]);
	free(kr->keys);
	memset(kr, 0, sizeof *kr);
}
