#include "kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "ref.h"
#include "strbuf.h"

#define TEXT_MAX 256            /* one-line fields */
#define DESCRIPTION_MAX 65536

struct check {
	const char *where;
	struct dv_err *e;
	struct kernel *k;
};

static const char *const top_fields[] = {
	"name", "version", "summary", "description", "license", "homepage",
	"authors", "tags", "arch", "modes", "build", "toolchain", "interface",
	"variants", NULL,
};
static const char *const known_modes[] = { "vm", "splitvm", "hw", NULL };
static const char *const known_builds[] = { "link", "module", "none", NULL };
static const char *const known_archs[] = { "x86_64", "aarch64", "riscv64", NULL };
static const char *const known_formats[] = { "multiboot1", "bzimage", NULL };

struct interface_key {
	const char *key;
	const char *const *values;
};

static const char *const boot_values[] = { "multiboot1", "linux", NULL };
static const char *const console_values[] = { "framed-uart-1", "raw-uart", NULL };
static const char *const log_values[] = { "com2", "none", NULL };
static const char *const exit_values[] = { "isa-debug-exit", "console", "none", NULL };
static const char *const channel_values[] = { "shm-ring-1", NULL };
static const char *const delegation_values[] = { "deleg-1", NULL };
static const struct interface_key interface_keys[] = {
	{ "boot", boot_values }, { "console", console_values },
	{ "log", log_values }, { "exit", exit_values },
	{ "channel", channel_values }, { "delegation", delegation_values },
	{ NULL, NULL },
};

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static char *
list_text(const char *const *list)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; list[i]; i++)
		strbuf_addf(&sb, "%s%s", i ? (list[i + 1] ? ", " : " or ") : "", list[i]);
	return strbuf_detach(&sb, NULL);
}

static char *
got_text(const jv *v)
{
	if (jv_str(v)) {
		size_t n = jv_strlen(v);
		return xasprintf("\"%.*s%s\"", (int)(n > 60 ? 60 : n), jv_str(v),
				 n > 60 ? "..." : "");
	}
	return xstrdup(jv_type_name(v));
}

static int
bad(struct check *c, const char *field, const char *expected, const jv *got)
{
	char *g = got_text(got);

	dv_errf(c->e, "%s: field \"%s\": expected %s, got %s", c->where, field,
		expected, g);
	free(g);
	return -1;
}

static void
warn(struct check *c, const char *fmt, const char *a)
{
	char *msg = xasprintf(fmt, c->where, a);

	strlist_push(&c->k->warnings, msg);
	free(msg);
}

/* A string field; *out stays NULL when absent and optional. */
static int
get_text(struct check *c, const jv *obj, const char *key, const char *field,
	 bool required, size_t max, char **out)
{
	const jv *v = jv_get(obj, key);

	*out = NULL;
	if (!v) {
		if (!required)
			return 0;
		return dv_errf(c->e, "%s: field \"%s\" is missing", c->where, field);
	}
	if (!jv_str(v) || (required && jv_strlen(v) == 0))
		return bad(c, field, "a non-empty string", v);
	if (jv_strlen(v) > max || strlen(jv_str(v)) != jv_strlen(v)) {
		char *exp = xasprintf("a string of at most %zu bytes", max);
		bad(c, field, exp, v);
		free(exp);
		return -1;
	}
	*out = xstrdup(jv_str(v));
	return 0;
}

static int
get_choice(struct check *c, const jv *obj, const char *key, const char *field,
	   const char *const *choices, char **out)
{
	char *list;

	if (get_text(c, obj, key, field, true, TEXT_MAX, out) < 0)
		return -1;
	if (in_list(choices, *out))
		return 0;
	list = list_text(choices);
	char *exp = xasprintf("one of %s", list);
	bad(c, field, exp, jv_get(obj, key));
	free(exp);
	free(list);
	return -1;
}

/* An array of strings, each checked by valid (or any non-empty string). */
static int
get_list(struct check *c, const jv *obj, const char *key, bool required,
	 bool (*valid)(const char *), const char *expected, struct strlist *out)
{
	const jv *v = jv_get(obj, key);

	if (!v)
		return required ? dv_errf(c->e, "%s: field \"%s\" is missing",
					  c->where, key) : 0;
	if (jv_typeof(v) != JV_ARRAY || jv_len(v) > 64)
		return bad(c, key, "an array of at most 64 strings", v);
	for (size_t i = 0; i < jv_len(v); i++) {
		const jv *s = jv_at(v, i);
		char field[64];
		snprintf(field, sizeof field, "%s[%zu]", key, i);
		if (!jv_str(s) || jv_strlen(s) == 0 || jv_strlen(s) > TEXT_MAX ||
		    (valid && !valid(jv_str(s))))
			return bad(c, field, expected, s);
		if (strlist_has(out, jv_str(s)))
			return bad(c, field, "no duplicates", s);
		strlist_push(out, jv_str(s));
	}
	return 0;
}

static bool
mode_valid(const char *s)
{
	return in_list(known_modes, s);
}

static int
get_sha256(struct check *c, const jv *obj, const char *field, char out[SHA256_HEX])
{
	const jv *v = jv_get(obj, "sha256");
	char *f = xasprintf("%s.sha256", field);
	int rc = 0;

	if (!v)
		rc = dv_errf(c->e, "%s: field \"%s\" is missing", c->where, f);
	else if (!jv_str(v) || !sha256_hex_valid(jv_str(v)))
		rc = bad(c, f, "64 lowercase hex digits", v);
	else
		memcpy(out, jv_str(v), SHA256_HEX);
	free(f);
	return rc;
}

static int
get_file_ref(struct check *c, const jv *obj, const char *field,
	     struct file_ref *ref)
{
	char *f = xasprintf("%s.path", field), *what;
	const jv *size = jv_get(obj, "size");
	int rc = -1;

	if (jv_typeof(obj) != JV_OBJECT) {
		bad(c, field, "an object with path, size and sha256", obj);
		goto out;
	}
	if (get_text(c, obj, "path", f, true, FS_PATH_MAX, &ref->path) < 0)
		goto out;
	what = xasprintf("%s: field \"%s\"", c->where, f);
	rc = fs_check_relative(ref->path, what, c->e);
	free(what);
	if (rc < 0)
		goto out;
	rc = -1;
	free(f);
	f = xasprintf("%s.size", field);
	if (!jv_is_int(size) || jv_int(size) < 0) {
		bad(c, f, "a non-negative integer", size);
		goto out;
	}
	ref->size = (uint64_t)jv_int(size);
	rc = get_sha256(c, obj, field, ref->sha256);
out:
	free(f);
	return rc;
}

static int
check_variant(struct check *c, const char *name, const jv *v, int flags,
	      struct kernel_variant *var)
{
	char *field = xasprintf("variants.%s", name), *f = NULL;
	const jv *kit;
	int rc = -1;

	var->name = xstrdup(name);
	if (!name_valid(name)) {
		dv_errf(c->e, "%s: field \"variants\": variant name \"%s\" must be "
			"lowercase letters, digits and '-'", c->where, name);
		goto out;
	}
	if (jv_typeof(v) != JV_OBJECT) {
		bad(c, field, "an object", v);
		goto out;
	}
	f = xasprintf("%s.config", field);
	if (get_text(c, v, "config", f, false, TEXT_MAX, &var->config) < 0)
		goto out;
	free(f);
	f = xasprintf("%s.image", field);
	if (get_file_ref(c, jv_get(v, "image"), f, &var->image) < 0)
		goto out;
	free(f);
	f = xasprintf("%s.image.format", field);
	if (get_choice(c, jv_get(v, "image"), "format", f, known_formats,
		       &var->image_format) < 0)
		goto out;
	kit = jv_get(v, "kit");
	if (kit) {
		free(f);
		f = xasprintf("%s.kit.path", field);
		if (jv_typeof(kit) != JV_OBJECT ||
		    get_text(c, kit, "path", f, true, FS_PATH_MAX, &var->kit_path) < 0 ||
		    fs_check_relative(var->kit_path, f, c->e) < 0) {
			if (jv_typeof(kit) != JV_OBJECT)
				bad(c, f, "an object with a path", kit);
			goto out;
		}
	}
	if (flags & KERNEL_IN_CATALOG) {
		free(f);
		f = xasprintf("%s.package", field);
		if (get_file_ref(c, jv_get(v, "package"), f, &var->package) < 0)
			goto out;
		var->has_package = true;
	}
	rc = 0;
out:
	free(f);
	free(field);
	return rc;
}

static int
check_variants(struct check *c, const jv *root, int flags)
{
	const jv *v = jv_get(root, "variants");
	struct kernel *k = c->k;
	size_t n = 0;

	if (!v)
		return dv_errf(c->e, "%s: field \"variants\" is missing", c->where);
	if (jv_typeof(v) != JV_OBJECT || jv_len(v) == 0 || jv_len(v) > 64)
		return bad(c, "variants", "an object of 1 to 64 variants", v);
	if (!jv_get(v, "default"))
		return dv_errf(c->e, "%s: field \"variants\": a variant named "
			       "\"default\" is required", c->where);
	k->variants = xcalloc(jv_len(v), sizeof *k->variants);
	/* "default" first, the others in file order. */
	if (check_variant(c, "default", jv_get(v, "default"), flags,
			  &k->variants[n++]) < 0) {
		k->nvariants = n;
		return -1;
	}
	for (void *it = jv_iter(v); it; it = jv_iter_next(v, it)) {
		if (!strcmp(jv_iter_key(it), "default"))
			continue;
		int rc = check_variant(c, jv_iter_key(it), jv_iter_value(it), flags,
				       &k->variants[n++]);
		k->nvariants = n;
		if (rc < 0)
			return -1;
	}
	k->nvariants = n;
	return 0;
}

static int
check_toolchain(struct check *c, const jv *root)
{
	const jv *t = jv_get(root, "toolchain");

	if (!t) {
		if (strcmp(c->k->build, "none"))
			return dv_errf(c->e, "%s: field \"toolchain\" is missing (build "
				       "model \"%s\" needs one)", c->where, c->k->build);
		return 0;
	}
	if (jv_typeof(t) != JV_OBJECT)
		return bad(c, "toolchain", "an object with name and version", t);
	if (get_text(c, t, "name", "toolchain.name", true, TEXT_MAX,
		     &c->k->toolchain_name) < 0 ||
	    get_text(c, t, "version", "toolchain.version", true, TEXT_MAX,
		     &c->k->toolchain_version) < 0)
		return -1;
	if (!name_valid(c->k->toolchain_name))
		return bad(c, "toolchain.name", "lowercase letters, digits and '-'",
			   jv_get(t, "name"));
	return 0;
}

static int
check_interface(struct check *c, const jv *root)
{
	const jv *v = jv_get(root, "interface");

	c->k->interface = jv_object();
	if (!v)
		return 0;
	if (jv_typeof(v) != JV_OBJECT)
		return bad(c, "interface", "an object", v);
	for (void *it = jv_iter(v); it; it = jv_iter_next(v, it)) {
		const char *key = jv_iter_key(it);
		const jv *val = jv_iter_value(it);
		const struct interface_key *ik = interface_keys;
		while (ik->key && strcmp(ik->key, key))
			ik++;
		if (!ik->key) {
			warn(c, "%s: unknown field \"interface.%s\" ignored", key);
			continue;
		}
		char field[64];
		snprintf(field, sizeof field, "interface.%s", key);
		if (!jv_str(val) || !in_list(ik->values, jv_str(val))) {
			char *list = list_text(ik->values), *exp = xasprintf("one of %s", list);
			bad(c, field, exp, val);
			free(list);
			free(exp);
			return -1;
		}
		jv_set(c->k->interface, key, jv_string(jv_str(val)));
	}
	return 0;
}

static int
check_identity(struct check *c, const jv *v)
{
	struct kernel *k = c->k;
	struct semver sv;

	if (get_text(c, v, "name", "name", true, REF_NAME_MAX, &k->name) < 0)
		return -1;
	if (!name_valid(k->name))
		return bad(c, "name", "lowercase letters, digits and '-', starting "
			   "with a letter or digit", jv_get(v, "name"));
	if (get_text(c, v, "version", "version", true, REF_VERSION_MAX, &k->version) < 0)
		return -1;
	if (semver_parse(k->version, &sv) < 0)
		return bad(c, "version", "a semantic version like 1.2.0",
			   jv_get(v, "version"));
	return 0;
}

static int
check_all(struct check *c, const jv *v, int flags)
{
	struct kernel *k = c->k;

	if (jv_typeof(v) != JV_OBJECT)
		return dv_errf(c->e, "%s: expected a JSON object, got %s", c->where,
			       jv_type_name(v));
	for (void *it = jv_iter(v); it; it = jv_iter_next(v, it))
		if (!in_list(top_fields, jv_iter_key(it)))
			warn(c, "%s: unknown field \"%s\" ignored", jv_iter_key(it));
	if (check_identity(c, v) < 0 ||
	    get_text(c, v, "summary", "summary", true, TEXT_MAX, &k->summary) < 0 ||
	    get_text(c, v, "description", "description", false, DESCRIPTION_MAX,
		     &k->description) < 0 ||
	    get_text(c, v, "license", "license", true, TEXT_MAX, &k->license) < 0 ||
	    get_text(c, v, "homepage", "homepage", false, TEXT_MAX, &k->homepage) < 0 ||
	    get_list(c, v, "authors", false, NULL, "a non-empty string", &k->authors) < 0 ||
	    get_list(c, v, "tags", true, tag_valid, "a tag of lowercase letters, "
		     "digits and '-'", &k->tags) < 0 ||
	    get_choice(c, v, "arch", "arch", known_archs, &k->arch) < 0 ||
	    get_list(c, v, "modes", true, mode_valid, "one of vm, splitvm or hw",
		     &k->modes) < 0 ||
	    get_choice(c, v, "build", "build", known_builds, &k->build) < 0 ||
	    check_toolchain(c, v) < 0 || check_interface(c, v) < 0 ||
	    check_variants(c, v, flags) < 0)
		return -1;
	if (k->modes.n == 0)
		return bad(c, "modes", "at least one of vm, splitvm or hw",
			   jv_get(v, "modes"));
	return 0;
}

int
kernel_from_jv(const jv *v, const char *where, int flags, struct kernel *k,
	       struct dv_err *e)
{
	struct check c = { where, e, k };

	memset(k, 0, sizeof *k);
	if (check_all(&c, v, flags) < 0) {
		kernel_release(k);
		return -1;
	}
	return 0;
}

int
kernel_load(const char *path, struct kernel *k, struct dv_err *e)
{
	jv *v = jv_load_file(path, KERNEL_JSON_MAX, e);
	int rc;

	memset(k, 0, sizeof *k);
	if (!v)
		return -1;
	rc = kernel_from_jv(v, path, 0, k, e);
	jv_free(v);
	return rc;
}

static void
variant_release(struct kernel_variant *v)
{
	free(v->name);
	free(v->config);
	free(v->image.path);
	free(v->image_format);
	free(v->kit_path);
	free(v->package.path);
}

void
kernel_release(struct kernel *k)
{
	if (!k)
		return;
	free(k->name);
	free(k->version);
	free(k->summary);
	free(k->description);
	free(k->license);
	free(k->homepage);
	free(k->arch);
	free(k->build);
	free(k->toolchain_name);
	free(k->toolchain_version);
	strlist_release(&k->authors);
	strlist_release(&k->tags);
	strlist_release(&k->modes);
	strlist_release(&k->warnings);
	jv_free(k->interface);
	for (size_t i = 0; i < k->nvariants; i++)
		variant_release(&k->variants[i]);
	free(k->variants);
	memset(k, 0, sizeof *k);
}

static jv *
list_jv(const struct strlist *l)
{
	jv *a = jv_array();

	for (size_t i = 0; i < l->n; i++)
		jv_push(a, jv_string(l->v[i]));
	return a;
}

static jv *
file_ref_jv(const struct file_ref *r, const char *format)
{
	jv *o = jv_object();

	jv_set(o, "path", jv_string(r->path));
	if (format)
		jv_set(o, "format", jv_string(format));
	jv_set(o, "sha256", jv_string(r->sha256));
	jv_set(o, "size", jv_integer((long long)r->size));
	return o;
}

static jv *
variant_jv(const struct kernel_variant *v, bool with_package)
{
	jv *o = jv_object();

	if (v->config)
		jv_set(o, "config", jv_string(v->config));
	jv_set(o, "image", file_ref_jv(&v->image, v->image_format));
	if (v->kit_path) {
		jv *kit = jv_object();
		jv_set(kit, "path", jv_string(v->kit_path));
		jv_set(o, "kit", kit);
	}
	if (with_package && v->has_package)
		jv_set(o, "package", file_ref_jv(&v->package, NULL));
	return o;
}

static void
set_opt(jv *o, const char *key, const char *s)
{
	if (s)
		jv_set(o, key, jv_string(s));
}

jv *
kernel_to_jv(const struct kernel *k, bool with_packages)
{
	jv *o = jv_object(), *vars = jv_object();

	jv_set(o, "name", jv_string(k->name));
	jv_set(o, "version", jv_string(k->version));
	jv_set(o, "summary", jv_string(k->summary));
	set_opt(o, "description", k->description);
	jv_set(o, "license", jv_string(k->license));
	set_opt(o, "homepage", k->homepage);
	jv_set(o, "authors", list_jv(&k->authors));
	jv_set(o, "tags", list_jv(&k->tags));
	jv_set(o, "arch", jv_string(k->arch));
	jv_set(o, "modes", list_jv(&k->modes));
	jv_set(o, "build", jv_string(k->build));
	if (k->toolchain_name) {
		jv *t = jv_object();
		jv_set(t, "name", jv_string(k->toolchain_name));
		jv_set(t, "version", jv_string(k->toolchain_version));
		jv_set(o, "toolchain", t);
	}
	jv_set(o, "interface", jv_deep_copy(k->interface));
	for (size_t i = 0; i < k->nvariants; i++)
		jv_set(vars, k->variants[i].name, variant_jv(&k->variants[i], with_packages));
	jv_set(o, "variants", vars);
	return o;
}

const struct kernel_variant *
kernel_variant(const struct kernel *k, const char *name)
{
	for (size_t i = 0; i < k->nvariants; i++)
		if (!strcmp(k->variants[i].name, name))
			return &k->variants[i];
	return NULL;
}

bool
kernel_has_mode(const struct kernel *k, const char *mode)
{
	return strlist_has(&k->modes, mode);
}

const char *
kernel_interface(const struct kernel *k, const char *key)
{
	return jv_str(jv_get(k->interface, key));
}

void
strlist_push(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

bool
strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

void
strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
