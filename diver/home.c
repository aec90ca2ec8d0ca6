/*
 * home.c — where diver keeps things.  DIVER_HOME, when set, holds all of it
 * (config/, data/, cache/): tests and shared installs use it.  Otherwise the
 * XDG base directories, with their usual defaults under $HOME.  The
 * settings (config.c) are loaded here too, as every command starts here;
 * the site may point the cache at a directory its users share.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diver.h"
#include "fs.h"
#include "strbuf.h"

static char *
xdg_dir(const char *var, const char *fallback, struct dv_err *e)
{
	const char *v = getenv(var), *home = getenv("HOME");

	if (v && v[0] == '/')
		return fs_join(v, "diver");
	if (!home || !*home) {
		dv_errf(e, "neither %s nor HOME is set; set DIVER_HOME to a "
			"directory diver may use", var);
		return NULL;
	}
	return xasprintf("%s/%s/diver", home, fallback);
}

int
home_init(struct home *h, struct dv_err *e)
{
	const char *dh = getenv("DIVER_HOME");

	memset(h, 0, sizeof *h);
	if (dh && *dh) {
		h->config = fs_join(dh, "config");
		h->data = fs_join(dh, "data");
		h->cache = fs_join(dh, "cache");
	} else {
		h->config = xdg_dir("XDG_CONFIG_HOME", ".config", e);
		h->data = h->config ? xdg_dir("XDG_DATA_HOME", ".local/share", e) : NULL;
		h->cache = h->data ? xdg_dir("XDG_CACHE_HOME", ".cache", e) : NULL;
		if (!h->cache) {
			home_release(h);
			return -1;
		}
	}
	if (config_load(h->config, e) < 0) {
		free(h->config);
		free(h->data);
		free(h->cache);
		memset(h, 0, sizeof *h);
		return -1;
	}
	h->configured = true;
	if (*config_get("cache")) {          /* a cache the site shares */
		free(h->cache);
		h->cache = xstrdup(config_get("cache"));
	}
	if (fs_mkdir_p(h->config, 0755, e) < 0 || fs_mkdir_p(h->data, 0755, e) < 0 ||
	    fs_mkdir_p(h->cache, 0755, e) < 0) {
		home_release(h);
		return -1;
	}
	return 0;
}

void
home_release(struct home *h)
{
	free(h->config);
	free(h->data);
	free(h->cache);
	if (h->configured)
		config_release();
	memset(h, 0, sizeof *h);
}
