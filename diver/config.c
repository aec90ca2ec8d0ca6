/*
 * config.c — the settings table, the site and user layers, and
 * `diver config show|get|set|unset`.
 *
 * A config.json is an object; a dotted setting ("slurm.partition") is
 * written nested ({"slurm": {"partition": "debug"}}).  Values are strings
 * or numbers; each is checked against its kind when the file is read, so a
 * bad value is reported once, naming the file and the setting.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "fs.h"
#include "strbuf.h"

#define CONFIG_MAX (1 << 20)

enum kind { K_MODE, K_ACCEL, K_COUNT, K_SIZE, K_SECONDS, K_PATH, K_WORD };

struct setting {
	const char *key;
	enum kind kind;
	bool site_only;         /* only the site's file may set it */
	const char *def;        /* built-in default, "" for none */
	const char *help;
};

static const struct setting settings[] = {
	{ "mode", K_MODE, false, "vm", "default dive mode: vm, splitvm or hw" },
	{ "via", K_WORD, false, "", "default backend for the mode (empty: the mode's own)" },
	{ "accel", K_ACCEL, false, "auto", "QEMU accelerator: auto, kvm or tcg" },
	{ "cpus", K_COUNT, false, "1", "CPUs of a net (dive -c)" },
	{ "memory", K_SIZE, false, "64M", "memory of a net (dive -m)" },
	{ "timeout", K_SECONDS, false, "0", "stop a net after this many seconds (0: never)" },
	{ "mirror", K_PATH, false, "", "the site's shared mirror, used as source 'site'" },
	{ "cache", K_PATH, false, "", "package cache directory (shared by users when set by the site)" },
	{ "limits.cpus", K_COUNT, true, "", "most CPUs a user may give a net" },
	{ "limits.memory", K_SIZE, true, "", "most memory a user may give a net" },
	{ "limits.timeout", K_SECONDS, true, "", "longest --timeout; also the default" },
	{ "slurm.partition", K_WORD, false, "", "partition for dive --slurm and submit" },
	{ "slurm.time", K_WORD, false, "", "Slurm time limit for dive --slurm and submit" },
	{ "slurm.stage-dir", K_PATH, false, "", "shared directory to stage nets through" },
	{ "slurm.node-diver", K_PATH, false, "", "diver on the compute nodes" },
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

static struct {
	int users;                      /* config_load calls not yet released */
	char *files[2];                 /* site, user config.json */
	char *value[NSETTINGS];         /* NULL: not set by a file */
	const char *origin[NSETTINGS];  /* files[0] or files[1] */
	struct strbuf unknown;          /* "file: key" lines */
} cfg;

const char *
config_sysconfdir(void)
{
	const char *d = getenv("DIVER_SYSCONFDIR");

	return d && *d ? d : SYSCONFDIR_DEFAULT;
}

static int
find_setting(const char *key)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (!strcmp(settings[i].key, key))
			return (int)i;
	return -1;
}

/* NULL when value suits the kind, else what was expected. */
static const char *
check_value(enum kind k, const char *v)
{
	char *end;
	long mib;
	double d;

	switch (k) {
	case K_MODE:
		return strcmp(v, "vm") && strcmp(v, "splitvm") && strcmp(v, "hw")
		       ? "vm, splitvm or hw" : NULL;
	case K_ACCEL:
		return strcmp(v, "auto") && strcmp(v, "kvm") && strcmp(v, "tcg")
		       ? "auto, kvm or tcg" : NULL;
	case K_COUNT:
		errno = 0;
		d = (double)strtol(v, &end, 10);
		return errno || *end || end == v || d < 1 || d > 1024
		       ? "a number of CPUs from 1 to 1024" : NULL;
	case K_SIZE:
		return parse_size_mib(v, &mib) < 0 ? "a size like 64M or 2G" : NULL;
	case K_SECONDS:
		d = strtod(v, &end);
		return *end || end == v || !(d >= 0) || !isfinite(d)
		       ? "a number of seconds (0: none)" : NULL;
	case K_PATH:
		return v[0] && v[0] != '/' ? "an absolute path" : NULL;
	case K_WORD:
		return strpbrk(v, " \t\n'\"\\$`") ? "a word without spaces or quotes" : NULL;
	}
	return NULL;
}

/* The value of a JSON scalar as a string, or NULL for other types. */
static char *
scalar(const jv *v)
{
	switch (jv_typeof(v)) {
	case JV_STRING: return xstrdup(jv_str(v));
	case JV_INT: return xasprintf("%lld", jv_int(v));
	default: return NULL;
	}
}

static int
take(const char *file, int layer, const char *key, const jv *v, struct dv_err *e)
{
	int i = find_setting(key);
	const char *bad;
	char *s;

	if (i < 0 || (settings[i].site_only && layer == 1)) {
		strbuf_addf(&cfg.unknown, "%s: %s%s\n", file, key,
			    i < 0 ? "" : " (only the site may set it)");
		return 0;
	}
	if (!(s = scalar(v)))
		return dv_errf(e, "%s: %s: expected a string or a number, got %s; "
			       "fix the file", file, key, jv_type_name(v));
	if ((bad = check_value(settings[i].kind, s))) {
		dv_errf(e, "%s: %s: expected %s, got \"%s\"; fix the file", file,
			key, bad, s);
		free(s);
		return -1;
	}
	free(cfg.value[i]);
	cfg.value[i] = s;
	cfg.origin[i] = cfg.files[layer];
	return 0;
}

static int
walk(const char *file, int layer, const char *prefix, const jv *obj,
     struct dv_err *e)
{
	for (void *it = jv_iter(obj); it; it = jv_iter_next(obj, it)) {
		const char *k = jv_iter_key(it);
		jv *v = jv_iter_value(it);
		char *key = prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);
		int rc = 0;

		if (!prefix && !strcmp(k, "format"))
			rc = jv_is_int(v) && jv_int(v) == 1 ? 0 :
			     dv_errf(e, "%s: format: expected 1; this diver reads "
				     "config format 1", file);
		else if (jv_typeof(v) == JV_OBJECT)
			rc = walk(file, layer, key, v, e);
		else
			rc = take(file, layer, key, v, e);
		free(key);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
load_layer(int layer, struct dv_err *e)
{
	const char *file = cfg.files[layer];
	jv *v;
	int rc;

	if (!fs_exists(file))
		return 0;
	if (!(v = jv_load_file(file, CONFIG_MAX, e)))
		return -1;
	if (jv_typeof(v) != JV_OBJECT)
		rc = dv_errf(e, "%s: expected a JSON object of settings", file);
	else
		rc = walk(file, layer, NULL, v, e);
	jv_free(v);
	return rc;
}

int
config_load(const char *user_config_dir, struct dv_err *e)
{
	if (cfg.users++)
		return 0;
	cfg.files[0] = fs_join(config_sysconfdir(), "config.json");
	cfg.files[1] = fs_join(user_config_dir, "config.json");
	strbuf_init(&cfg.unknown);
	if (load_layer(0, e) < 0 || load_layer(1, e) < 0) {
		config_release();
		return -1;
	}
	return 0;
}

void
config_release(void)
{
	if (cfg.users == 0 || --cfg.users > 0)
		return;
	for (size_t i = 0; i < NSETTINGS; i++)
		free(cfg.value[i]);
	free(cfg.files[0]);
	free(cfg.files[1]);
	strbuf_release(&cfg.unknown);
	memset(&cfg, 0, sizeof cfg);
}

const char *
config_get(const char *key)
{
	int i = find_setting(key);

	if (i < 0)
		return "";
	return cfg.value[i] ? cfg.value[i] : settings[i].def;
}

const char *
config_origin(const char *key)
{
	int i = find_setting(key);

	return i >= 0 && cfg.value[i] ? cfg.origin[i] : "default";
}

static const char *
nonempty(const char *key)
{
	const char *v = config_get(key);

	return *v ? v : NULL;
}

static void
dive_defaults(struct dive_opts *o, struct slurm_opts *so)
{
	const char *v;

	if (!o->mode)
		o->mode = config_get("mode");
	if (!o->accel)
		o->accel = config_get("accel");
	if (!o->via && !strcmp(o->mode, config_get("mode")))
		o->via = nonempty("via");
	if (!o->cpus)
		o->cpus = atoi(config_get("cpus"));
	if (!o->mem_mib)
		parse_size_mib(config_get("memory"), &o->mem_mib);
	if (!o->timeout)
		o->timeout = strtod(config_get("timeout"), NULL);
	if (!o->timeout && (v = nonempty("limits.timeout")))
		o->timeout = strtod(v, NULL);
	if (!so->partition)
		so->partition = nonempty("slurm.partition");
	if (!so->time)
		so->time = nonempty("slurm.time");
	if (!so->stage_dir)
		so->stage_dir = nonempty("slurm.stage-dir");
	if (!so->node_diver)
		so->node_diver = nonempty("slurm.node-diver");
}

static int
check_limits(const struct dive_opts *o, struct dv_err *e)
{
	const char *v;
	long mib;

	if ((v = nonempty("limits.cpus")) && o->cpus > atoi(v))
		return dv_errf(e, "-c %d is over this site's limit of %s CPUs "
			       "(limits.cpus in %s)", o->cpus, v,
			       config_origin("limits.cpus"));
	if ((v = nonempty("limits.memory")) && parse_size_mib(v, &mib) == 0 &&
	    o->mem_mib > mib)
		return dv_errf(e, "-m %ldM is over this site's limit of %s "
			       "(limits.memory in %s)", o->mem_mib, v,
			       config_origin("limits.memory"));
	if ((v = nonempty("limits.timeout")) && strtod(v, NULL) > 0 &&
	    (o->timeout == 0 || o->timeout > strtod(v, NULL)))
		return dv_errf(e, "--timeout %g is over this site's limit of %s "
			       "seconds (limits.timeout in %s)", o->timeout, v,
			       config_origin("limits.timeout"));
	return 0;
}

int
config_for_dive(struct home *h, struct dive_opts *o, struct slurm_opts *so,
		struct dv_err *e)
{
	if (home_init(h, e) < 0)
		return -1;
	dive_defaults(o, so);
	if (check_limits(o, e) < 0) {
		home_release(h);
		return -1;
	}
	return 0;
}

/* --- diver config --- */

enum { OPT_JSON = 256, OPT_SITE, OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ OPT_JSON, "json", NULL, "show: print JSON" },
	{ OPT_SITE, "site", NULL, "set/unset: change the site's file, not yours" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver config show [--json] | get KEY | set [--site] KEY VALUE | unset [--site] KEY",
	"Settings come from built-in defaults, then the site's config.json\n"
	"(/etc/diver, or $DIVER_SYSCONFDIR), then yours; the command line wins\n"
	"over all of them.  'show' prints every setting and where it came from,\n"
	"and the sources and trusted keys of both layers.",
	options,
};

static void
show_text(const struct home *h, const struct sources *s, const struct keyring *kr)
{
	int w = 8;

	for (size_t i = 0; i < NSETTINGS; i++)
		if ((int)strlen(config_get(settings[i].key)) > w)
			w = (int)strlen(config_get(settings[i].key));
	printf("# defaults < %s < %s < command line\n", cfg.files[0], cfg.files[1]);
	for (size_t i = 0; i < NSETTINGS; i++) {
		const char *v = config_get(settings[i].key);
		printf("%-17s %-*s  %s\n", settings[i].key, w, *v ? v : "-",
		       config_origin(settings[i].key));
	}
	printf("\nsources:\n");
	if (s->n == 0)
		printf("  (none)\n");
	for (size_t i = 0; i < s->n; i++)
		printf("  %-12s %-6s %-40s %s\n", s->v[i].name, s->v[i].kind,
		       s->v[i].location, s->v[i].origin ? s->v[i].origin : "yours");
	printf("\ntrusted keys:\n");
	if (kr->n == 0)
		printf("  (none)\n");
	for (size_t i = 0; i < kr->n; i++) {
		char id[KEYID_HEX];
		pubkey_id(kr->keys[i], id);
		printf("  %s  %s\n", id, kr->paths[i]);
	}
	if (cfg.unknown.len)
		printf("\nignored (unknown settings):\n%s", cfg.unknown.buf);
	printf("\nhome: config %s, data %s, cache %s\n", h->config, h->data, h->cache);
}

static void
show_json(const struct home *h, const struct sources *s, const struct keyring *kr)
{
	jv *o = jv_object(), *set = jv_object(), *srcs = jv_array(), *keys = jv_array();
	jv *files = jv_array(), *dirs = jv_object();
	char *text;

	jv_push(files, jv_string(cfg.files[0]));
	jv_push(files, jv_string(cfg.files[1]));
	for (size_t i = 0; i < NSETTINGS; i++) {
		jv *one = jv_object();
		jv_set(one, "value", jv_string(config_get(settings[i].key)));
		jv_set(one, "from", jv_string(config_origin(settings[i].key)));
		jv_set(set, settings[i].key, one);
	}
	for (size_t i = 0; i < s->n; i++) {
		jv *one = jv_object();
		jv_set(one, "name", jv_string(s->v[i].name));
		jv_set(one, "kind", jv_string(s->v[i].kind));
		jv_set(one, "location", jv_string(s->v[i].location));
		jv_set(one, "from", jv_string(s->v[i].origin ? s->v[i].origin : "user"));
		jv_push(srcs, one);
	}
	for (size_t i = 0; i < kr->n; i++) {
		char id[KEYID_HEX];
		jv *one = jv_object();
		pubkey_id(kr->keys[i], id);
		jv_set(one, "id", jv_string(id));
		jv_set(one, "path", jv_string(kr->paths[i]));
		jv_push(keys, one);
	}
	jv_set(dirs, "config", jv_string(h->config));
	jv_set(dirs, "data", jv_string(h->data));
	jv_set(dirs, "cache", jv_string(h->cache));
	jv_set(o, "files", files);
	jv_set(o, "settings", set);
	jv_set(o, "sources", srcs);
	jv_set(o, "trusted", keys);
	jv_set(o, "home", dirs);
	text = jv_dump(o, JV_PRETTY);
	fputs(text, stdout);
	free(text);
	jv_free(o);
}

static int
config_show(const struct home *h, bool json)
{
	struct dv_err e = { "" };
	struct sources s;
	struct keyring kr;

	if (sources_load(h, &s, &e) < 0)
		return fail(e.msg);
	if (keyring_load(h, &kr, &e) < 0) {
		sources_release(&s);
		return fail(e.msg);
	}
	if (json)
		show_json(h, &s, &kr);
	else
		show_text(h, &s, &kr);
	keyring_release(&kr);
	sources_release(&s);
	return 0;
}

/* Set (value != NULL) or remove key in one file, nested by its dots. */
static int
edit_file(const char *file, const char *key, enum kind kind, const char *value,
	  struct dv_err *e)
{
	jv *root = fs_exists(file) ? jv_load_file(file, CONFIG_MAX, e) : jv_object();
	char *path = xstrdup(key), *dot, *text, *dir;
	jv *obj;
	int rc = -1;

	if (!root)
		goto out;
	if (jv_typeof(root) != JV_OBJECT) {
		dv_errf(e, "%s: expected a JSON object of settings", file);
		goto out;
	}
	jv_set(root, "format", jv_integer(1));
	obj = root;
	for (char *part = path; (dot = strchr(part, '.')); part = dot + 1) {
		jv *next;
		*dot = '\0';
		next = jv_get(obj, part);
		if (jv_typeof(next) != JV_OBJECT) {
			if (!value)
				goto write;
			next = jv_object();
			jv_set(obj, part, next);
		}
		obj = next;
		key = dot + 1;
	}
	if (value && kind == K_COUNT)
		jv_set(obj, key, jv_integer(atoll(value)));
	else if (value)
		jv_set(obj, key, jv_string(value));
	else
		jv_del(obj, key);
write:
	dir = xstrdup(file);
	*strrchr(dir, '/') = '\0';
	text = jv_dump(root, JV_PRETTY);
	rc = fs_mkdir_p(dir, 0755, e) == 0 &&
	     fs_write_atomic(file, text, strlen(text), 0644, e) == 0 ? 0 : -1;
	free(text);
	free(dir);
out:
	jv_free(root);
	free(path);
	return rc;
}

static int
config_edit(const char *key, const char *value, bool site)
{
	struct dv_err e = { "" };
	int i = find_setting(key);
	const char *file = cfg.files[site ? 0 : 1], *bad;

	if (i < 0)
		return failf("no setting '%s'; 'diver config show' lists them", key);
	if (settings[i].site_only && !site)
		return failf("%s is a site limit: only the site's %s may set it (use "
			     "--site as its administrator)", key, cfg.files[0]);
	if (value && (bad = check_value(settings[i].kind, value)))
		return failf("%s: expected %s, got \"%s\"", key, bad, value);
	if (edit_file(file, key, settings[i].kind, value, &e) < 0)
		return fail(e.msg);
	if (value)
		printf("%s = %s (in %s)\n", key, value, file);
	else
		printf("%s unset (in %s)\n", key, file);
	return 0;
}

int
cmd_config(int argc, char **argv)
{
	static char *show[] = { "show", NULL };
	struct dv_err e = { "" };
	bool json = false, site = false;
	struct home h;
	char *arg;
	int c, rc;

	while ((c = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_SITE: site = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver config", "bad option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		argv = show, argc = 1;
	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	if (!strcmp(argv[0], "show") && argc == 1)
		rc = config_show(&h, json);
	else if (!strcmp(argv[0], "get") && argc == 2)
		rc = find_setting(argv[1]) < 0
		     ? failf("no setting '%s'; 'diver config show' lists them", argv[1])
		     : (printf("%s\n", config_get(argv[1])), 0);
	else if (!strcmp(argv[0], "set") && argc == 3)
		rc = config_edit(argv[1], argv[2], site);
	else if (!strcmp(argv[0], "unset") && argc == 2)
		rc = config_edit(argv[1], NULL, site);
	else
		rc = cli_usage_error("diver config", "expected 'show', 'get KEY', "
				     "'set KEY VALUE' or 'unset KEY'");
	home_release(&h);
	return rc;
}
