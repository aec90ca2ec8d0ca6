/*
 * net.c — the store of built nets: data/nets/<id>/{image, net.json}.  A
 * net's id is the first 12 hex digits of the SHA-256 of its kernel
 * reference and its image, so building the same thing twice gives the same
 * net.  An app directory remembers its last net in build/net.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diver.h"
#include "fs.h"
#include "strbuf.h"

#define NET_JSON_MAX (1 << 20)

void
net_release(struct net *n)
{
	free(n->id);
	free(n->dir);
	jv_free(n->json);
	memset(n, 0, sizeof *n);
}

static int
load_dir(const char *dir, struct net *n, struct dv_err *e)
{
	char *path = fs_join(dir, "net.json");
	const char *id;

	memset(n, 0, sizeof *n);
	n->json = jv_load_file(path, NET_JSON_MAX, e);
	free(path);
	if (!n->json)
		return -1;
	id = jv_str(jv_get(n->json, "id"));
	if (!id || !jv_str(jv_get(jv_get(n->json, "kernel"), "name"))) {
		net_release(n);
		return dv_errf(e, "'%s/net.json' is damaged: rebuild the net", dir);
	}
	n->id = xstrdup(id);
	n->dir = xstrdup(dir);
	return 0;
}

static char *
nets_dir(const struct home *h)
{
	return fs_join(h->data, "nets");
}

/* A net id, or a unique prefix of one (at least 4 hex digits). */
static int
find_by_id(const struct home *h, const char *what, struct net *n,
	   struct dv_err *e)
{
	char *dir = nets_dir(h), **names, *hit = NULL;
	size_t len = strlen(what), matches = 0;
	int rc;

	if (len < 4 || strspn(what, "0123456789abcdef") != len || !fs_is_dir(dir)) {
		free(dir);
		return dv_errf(e, "no net '%s': not an app directory, a net directory "
			       "or a net id (see 'diver list nets')", what);
	}
	if (fs_list_dir(dir, &names, NULL, e) < 0) {
		free(dir);
		return -1;
	}
	for (char **p = names; *p; p++)
		if (!strncmp(*p, what, len)) {
			matches++;
			free(hit);
			hit = fs_join(dir, *p);
		}
	fs_names_free(names);
	free(dir);
	if (matches == 1)
		rc = load_dir(hit, n, e);
	else if (matches == 0)
		rc = dv_errf(e, "no net with id '%s' (see 'diver list nets')", what);
	else
		rc = dv_errf(e, "net id '%s' is ambiguous; give more digits", what);
	free(hit);
	return rc;
}

int
net_find(const struct home *h, const char *what, struct net *n,
	 struct dv_err *e)
{
	char *app = xasprintf("%s/build/net.json", what), *netjson = fs_join(what, "net.json");
	int rc;

	if (fs_is_file(app)) {
		/* An app directory: its last build, as registered in the store. */
		jv *v = jv_load_file(app, NET_JSON_MAX, e);
		const char *id = v ? jv_str(jv_get(v, "id")) : NULL;
		rc = id ? find_by_id(h, id, n, e)
			: dv_errf(e, "'%s' is damaged; run 'diver build %s'", app, what);
		jv_free(v);
	} else if (fs_is_file(netjson)) {
		rc = load_dir(what, n, e);
	} else if (fs_is_dir(what)) {
		rc = dv_errf(e, "'%s' has no net yet; run 'diver build %s'", what, what);
	} else {
		rc = find_by_id(h, what, n, e);
	}
	free(app);
	free(netjson);
	return rc;
}

static int
newest_first(const void *a, const void *b)
{
	const struct net *x = a, *y = b;
	const char *cx = jv_str(jv_get(x->json, "created"));
	const char *cy = jv_str(jv_get(y->json, "created"));

	return strcmp(cy ? cy : "", cx ? cx : "");
}

int
net_list(const struct home *h, struct net **nets, size_t *count,
	 struct dv_err *e)
{
	char *dir = nets_dir(h), **names;

	*nets = NULL;
	*count = 0;
	if (!fs_is_dir(dir)) {
		free(dir);
		return 0;
	}
	if (fs_list_dir(dir, &names, NULL, e) < 0) {
		free(dir);
		return -1;
	}
	for (char **p = names; *p; p++) {
		char *sub = fs_join(dir, *p);
		struct net n;
		if (load_dir(sub, &n, NULL) == 0) {
			*nets = xrealloc(*nets, (*count + 1) * sizeof **nets);
			(*nets)[(*count)++] = n;
		}
		free(sub);
	}
	fs_names_free(names);
	free(dir);
	qsort(*nets, *count, sizeof **nets, newest_first);
	return 0;
}
