/*
 * site.c — the pages of the catalog, from the templates in site-templates/:
 *
 *   index.html                  every kernel, tag cloud, search box
 *   kernels/NAME/index.html     README, releases, variants, hashes, commands
 *   tags/TAG.html               the kernels with a tag
 *   offline.html                bundles: using the catalog without a network
 *   search-index.js, assets/    search data, and css/js/icon copied as is
 *
 * Every value from a kernel.json is HTML-escaped where it is put in a page;
 * README.md goes through markdown.h, which drops raw HTML.
 * Small pieces of markup (tag and mode chips, the tag cloud) are built here;
 * everything else is in the templates.  Kernel pages show nothing that
 * changes from run to run (no dates), so an unchanged kernel keeps its page.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog-gen.h"
#include "fs.h"
#include "json.h"
#include "markdown.h"
#include "strbuf.h"

/* Bump when the C side of rendering changes, so cached pages are remade. */
#define RENDER_VERSION "4"
#define README_MAX (1 << 20)

enum { T_LAYOUT, T_INDEX, T_ROW, T_TAG, T_KERNEL, T_RELEASE, T_VARIANT,
       T_OFFLINE, NTEMPLATES };

static const char *const layout_vars[] = {
	"title", "description", "root", "head", "page", "main", "scripts", NULL };
static const char *const index_vars[] = {
	"nkernels", "kernels_word", "nreleases", "releases_word", "npackages",
	"packages_word", "generated", "generated_text", "signed", "tagcloud",
	"rows", NULL };
static const char *const row_vars[] = {
	"name", "summary", "version", "arch", "modes", "tags", NULL };
static const char *const tag_vars[] = {
	"tag", "count", "kernels_word", "rows", NULL };
static const char *const kernel_vars[] = {
	"root", "name", "version", "summary", "modes", "tags", "readme", "ref", "arch", "modes_text", "build", "build_text", "toolchain",
	"license", "about", "release_nav", "releases", NULL };
static const char *const release_vars[] = {
	"version", "badge", "arch", "modes_text", "build", "toolchain",
	"variants", NULL };
static const char *const variant_vars[] = {
	"root", "variant", "config", "package_path", "package_size",
	"package_bytes", "image_format", "image_size", "image_bytes", "image_path",
	"image_sha256", "package_sha256", "ref", NULL };
static const char *const offline_vars[] = {
	"serial", "generated", "expires", "key", "source_url", NULL };

static const struct {
	const char *file;
	const char *const *vars;
} template_files[NTEMPLATES] = {
	{ "layout.html", layout_vars }, { "index.html", index_vars },
	{ "row.html", row_vars }, { "tag.html", tag_vars },
	{ "kernel.html", kernel_vars }, { "release.html", release_vars },
	{ "variant.html", variant_vars }, { "offline.html", offline_vars },
};

struct site {
	const struct gen_opts *o;
	char *dir;
	struct tmpl *t[NTEMPLATES];
	char **assets;                  /* names under assets/ */
	char key[SHA256_HEX];
};

/* The key: every template and asset, the rendering code and the options. */
static int
make_key(struct site *s, struct dv_err *e)
{
	struct strbuf all = STRBUF_INIT;
	int rc = 0;

	strbuf_addf(&all, "render %s\nbase-url %s\n", RENDER_VERSION,
		    s->o->base_url ? s->o->base_url : "");
	for (int i = 0; i < NTEMPLATES; i++) {
		size_t len;
		const char *src = tmpl_source(s->t[i], &len);
		strbuf_addf(&all, "%s %zu\n", template_files[i].file, len);
		strbuf_add(&all, src, len);
	}
	for (char **a = s->assets; *a && rc == 0; a++) {
		char *path = xasprintf("%s/assets/%s", s->dir, *a);
		strbuf_addf(&all, "asset %s\n", *a);
		rc = fs_read_file(path, 64u << 20, &all, e);
		free(path);
	}
	sha256_buf_hex(all.buf, all.len, s->key);
	strbuf_release(&all);
	return rc;
}

struct site *
site_load(const struct gen_opts *o, struct dv_err *e)
{
	struct site *s = xcalloc(1, sizeof *s);
	char *assets;

	s->o = o;
	if (!(s->dir = templates_dir(o->templates, e)))
		goto fail;
	for (int i = 0; i < NTEMPLATES; i++)
		if (!(s->t[i] = tmpl_load(s->dir, template_files[i].file,
					  template_files[i].vars, e)))
			goto fail;
	assets = fs_join(s->dir, "assets");
	if (fs_list_dir(assets, &s->assets, NULL, e) < 0) {
		free(assets);
		goto fail;
	}
	free(assets);
	if (make_key(s, e) < 0)
		goto fail;
	return s;
fail:
	site_free(s);
	return NULL;
}

void
site_free(struct site *s)
{
	if (!s)
		return;
	for (int i = 0; i < NTEMPLATES; i++)
		tmpl_free(s->t[i]);
	if (s->assets)
		fs_names_free(s->assets);
	free(s->dir);
	free(s);
}

const char *
site_key(const struct site *s)
{
	return s->key;
}

static void
expand(const struct site *s, int t, const char *const *values, struct strbuf *out)
{
	tmpl_expand(s->t[t], values, out);
}

/* A whole page: the layout around main. */
static void
page(const struct site *s, const char *title, const char *description,
     const char *root, const char *head, const char *cls, const char *main,
     const char *scripts, struct strbuf *out)
{
	const char *v[] = { title, description, root, head, cls, main, scripts };

	expand(s, T_LAYOUT, v, out);
}

static void
human_size(uint64_t n, char *buf, size_t len)
{
	if (n < 1024)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%.1f KiB", (double)n / 1024);
	else if (n < 1024ULL * 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", (double)n / (1024 * 1024));
	else
		snprintf(buf, len, "%.2f GiB", (double)n / (1024.0 * 1024 * 1024));
}

static void
mode_chips(struct strbuf *sb, const struct kernel *k)
{
	for (size_t i = 0; i < k->modes.n; i++) {
		strbuf_addstr(sb, "<span class=\"mode\" title=\"deployment mode\">");
		html_escape(sb, k->modes.v[i]);
		strbuf_addstr(sb, "</span>");
	}
}

static void
tag_chips(struct strbuf *sb, const struct kernel *k, const char *root)
{
	for (size_t i = 0; i < k->tags.n; i++) {
		strbuf_addf(sb, "<a class=\"tag\" href=\"%stags/", root);
		html_escape(sb, k->tags.v[i]);
		strbuf_addstr(sb, ".html\">");
		html_escape(sb, k->tags.v[i]);
		strbuf_addstr(sb, "</a>");
	}
}

static char *
joined(const struct strlist *l, const char *sep)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < l->n; i++)
		strbuf_addf(&sb, "%s%s", i ? sep : "", l->v[i]);
	return strbuf_detach(&sb, NULL);
}

static char *
toolchain_text(const struct kernel *k)
{
	if (!k->toolchain_name)
		return xstrdup("none (image only)");
	return xasprintf("%s %s", k->toolchain_name, k->toolchain_version);
}

static const char *
build_text(const char *build)
{
	if (!strcmp(build, "link"))
		return "the app is linked into the kernel image";
	if (!strcmp(build, "module"))
		return "the app is a separate binary the kernel loads";
	return "an image only; no app is built for it";
}


static bool
is_web_url(const char *s)
{
	return !strncmp(s, "https://", 8) || !strncmp(s, "http://", 7);
}

static void
dd(struct strbuf *sb, const char *dt, const char *text)
{
	strbuf_addf(sb, "<dt>%s</dt><dd>", dt);
	html_escape(sb, text);
	strbuf_addstr(sb, "</dd>\n");
}

/* "boot: multiboot1", one a line, for the parts of the interface it has. */
static void
interface_row(struct strbuf *sb, const struct kernel *k)
{
	void *it = k->interface ? jv_iter(k->interface) : NULL;

	if (!it)
		return;
	strbuf_addstr(sb, "<dt>Interface</dt><dd class=\"iface\">");
	for (; it; it = jv_iter_next(k->interface, it)) {
		const char *v = jv_str(jv_iter_value(it));
		strbuf_addstr(sb, "<span>");
		html_escape(sb, jv_iter_key(it));
		strbuf_addstr(sb, ": <code>");
		html_escape(sb, v ? v : "");
		strbuf_addstr(sb, "</code></span>");
	}
	strbuf_addstr(sb, "</dd>\n");
}

/* The optional rows of the "About" box. */
static void
about_rows(struct strbuf *sb, const struct kernel *k)
{
	if (k->homepage && is_web_url(k->homepage)) {
		strbuf_addstr(sb, "<dt>Homepage</dt><dd><a rel=\"nofollow\" href=\"");
		html_escape(sb, k->homepage);
		strbuf_addstr(sb, "\">");
		html_escape(sb, k->homepage);
		strbuf_addstr(sb, "</a></dd>\n");
	} else if (k->homepage) {
		dd(sb, "Homepage", k->homepage);
	}
	if (k->authors.n) {
		char *a = joined(&k->authors, ", ");
		dd(sb, "Authors", a);
		free(a);
	}
	interface_row(sb, k);
}

static void
render_variant(const struct site *s, const struct kernel *k,
	       const struct kernel_variant *v, struct strbuf *out)
{
	char isize[32], psize[32], ibytes[24], pbytes[24];
	char *ref = xasprintf("%s:%s@%s", k->name, v->name, k->version);
	const char *values[] = {
		"../../", v->name, v->config ? v->config : "", v->package.path,
		psize, pbytes, v->image_format, isize, ibytes, v->image.path,
		v->image.sha256, v->package.sha256, ref,
	};

	human_size(v->image.size, isize, sizeof isize);
	human_size(v->package.size, psize, sizeof psize);
	snprintf(ibytes, sizeof ibytes, "%llu", (unsigned long long)v->image.size);
	snprintf(pbytes, sizeof pbytes, "%llu", (unsigned long long)v->package.size);
	expand(s, T_VARIANT, values, out);
	free(ref);
}

static void
render_release(const struct site *s, const struct kernel *k, bool newest,
	       struct strbuf *out)
{
	struct strbuf variants = STRBUF_INIT;
	char *modes = joined(&k->modes, ", "), *tc = toolchain_text(k);
	const char *values[] = {
		k->version, newest ? "<span class=\"badge\">newest</span>" : "",
		k->arch, modes, k->build, tc, NULL,
	};

	for (size_t i = 0; i < k->nvariants; i++)
		render_variant(s, k, &k->variants[i], &variants);
	values[6] = variants.buf;
	expand(s, T_RELEASE, values, out);
	strbuf_release(&variants);
	free(modes);
	free(tc);
}

static void
release_nav(const struct catalog_kernel *ck, struct strbuf *sb)
{
	for (size_t i = 0; i < ck->nreleases; i++) {
		const struct kernel *k = &ck->releases[i];
		strbuf_addstr(sb, "<li><a href=\"#v");
		html_escape(sb, k->version);
		strbuf_addstr(sb, "\">");
		html_escape(sb, k->version);
		strbuf_addf(sb, "</a><span>%zu variant%s</span></li>\n", k->nvariants,
			    k->nvariants == 1 ? "" : "s");
	}
}

static char *
read_readme(const struct gen_opts *o, const struct kernel *k)
{
	char *dir = release_dir(o, k->name, k->version);
	char *path = fs_join(dir, "README.md");
	struct strbuf sb = STRBUF_INIT;

	if (fs_read_file(path, README_MAX, &sb, NULL) < 0)
		strbuf_reset(&sb);
	free(path);
	free(dir);
	return strbuf_detach(&sb, NULL);
}

static char *
catalog_line(const struct catalog_kernel *ck)
{
	jv *o = jv_object(), *rels = jv_array();
	char *s;

	jv_set(o, "name", jv_string(ck->name));
	for (size_t i = 0; i < ck->nreleases; i++)
		jv_push(rels, kernel_to_jv(&ck->releases[i], true));
	jv_set(o, "releases", rels);
	s = jv_dump(o, 0);
	jv_free(o);
	return s;
}

static char *
render_row(const struct site *s, const struct kernel *k)
{
	struct strbuf out = STRBUF_INIT, modes = STRBUF_INIT, tags = STRBUF_INIT;
	const char *values[] = { k->name, k->summary, k->version, k->arch, NULL, NULL };

	mode_chips(&modes, k);
	tag_chips(&tags, k, "");
	values[4] = modes.buf;
	values[5] = tags.buf;
	expand(s, T_ROW, values, &out);
	strbuf_release(&modes);
	strbuf_release(&tags);
	return strbuf_detach(&out, NULL);
}

/* The main part of a kernel page; md is its README. */
static void
render_kernel_main(const struct site *s, const struct catalog_kernel *ck,
		   const char *md, struct strbuf *out)
{
	const struct kernel *k = &ck->releases[0];
	struct strbuf modes = STRBUF_INIT, tags = STRBUF_INIT, about = STRBUF_INIT;
	struct strbuf nav = STRBUF_INIT, rels = STRBUF_INIT;
	char *readme = markdown_to_html(md, strlen(md), MARKDOWN_SKIP_TITLE);
	char *ref = xstrdup(k->name);
	char *modes_text = joined(&k->modes, ", "), *tc = toolchain_text(k);

	mode_chips(&modes, k);
	tag_chips(&tags, k, "../../");
	about_rows(&about, k);
	release_nav(ck, &nav);
	for (size_t i = 0; i < ck->nreleases; i++)
		render_release(s, &ck->releases[i], i == 0, &rels);
	const char *values[] = {
		"../../", k->name, k->version, k->summary, modes.buf, tags.buf,
		readme, ref, k->arch, modes_text, k->build,
		build_text(k->build), tc, k->license, about.buf, nav.buf, rels.buf,
	};
	expand(s, T_KERNEL, values, out);
	strbuf_release(&modes);
	strbuf_release(&tags);
	strbuf_release(&about);
	strbuf_release(&nav);
	strbuf_release(&rels);
	free(readme);
	free(ref);
	free(modes_text);
	free(tc);
}

void
site_render_kernel(const struct site *s, struct entry *en, struct strbuf *out)
{
	const struct catalog_kernel *ck = &en->kernel;
	const struct kernel *k = &ck->releases[0];
	struct strbuf main = STRBUF_INIT;
	char *md = read_readme(s->o, k), *text = markdown_to_text(md, strlen(md));
	char *title = xasprintf("%s %s — Diver kernel catalog", k->name, k->version);

	render_kernel_main(s, ck, md, &main);
	page(s, title, k->summary, "../../", "", "kernel", main.buf, "", out);
	free(en->catalog_line);
	free(en->row);
	free(en->terms);
	en->catalog_line = catalog_line(ck);
	en->row = render_row(s, k);
	en->terms = search_terms(k, text);
	strlist_release(&en->tags);
	for (size_t i = 0; i < k->tags.n; i++)
		strlist_push(&en->tags, k->tags.v[i]);
	strbuf_release(&main);
	free(md);
	free(text);
	free(title);
}

struct tag_use {
	const char *tag;
	size_t entry;
};

static int
tag_use_cmp(const void *a, const void *b)
{
	const struct tag_use *x = a, *y = b;
	int c = strcmp(x->tag, y->tag);

	return c ? c : (x->entry > y->entry) - (x->entry < y->entry);
}

/* Every (tag, kernel) pair, sorted by tag, then by kernel. */
static struct tag_use *
tag_uses(const struct entry *entries, size_t n, size_t *count)
{
	struct tag_use *u;
	size_t k = 0, total = 0;

	for (size_t i = 0; i < n; i++)
		total += entries[i].tags.n;
	u = xcalloc(total + 1, sizeof *u);
	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; t < entries[i].tags.n; t++)
			u[k++] = (struct tag_use){ entries[i].tags.v[t], i };
	qsort(u, total, sizeof *u, tag_use_cmp);
	*count = total;
	return u;
}

static int
log2i(size_t n)
{
	int b = 0;

	while (n >>= 1)
		b++;
	return b;
}

static void
tag_cloud(const struct tag_use *u, size_t count, struct strbuf *sb)
{
	size_t max = 0;

	for (size_t i = 0, j; i < count; i = j) {
		for (j = i; j < count && !strcmp(u[j].tag, u[i].tag); j++)
			;
		if (j - i > max)
			max = j - i;
	}
	for (size_t i = 0, j; i < count; i = j) {
		int w;
		for (j = i; j < count && !strcmp(u[j].tag, u[i].tag); j++)
			;
		w = log2i(max) ? 1 + 3 * log2i(j - i) / log2i(max) : 1;
		strbuf_addf(sb, "<a class=\"tag w%d\" href=\"tags/", w);
		html_escape(sb, u[i].tag);
		strbuf_addstr(sb, ".html\">");
		html_escape(sb, u[i].tag);
		strbuf_addf(sb, "<span>%zu</span></a>\n", j - i);
	}
}

static int
write_page(const struct site *s, struct output *w, const char *rel,
	   const char *title, const char *description, const char *head,
	   const char *cls, const char *main, const char *scripts,
	   struct dv_err *e)
{
	struct strbuf out = STRBUF_INIT;
	int rc;

	page(s, title, description, "", head, cls, main, scripts, &out);
	rc = output_file(w, rel, out.buf, out.len, e);
	strbuf_release(&out);
	return rc;
}

static int
write_tag(const struct site *s, const struct tag_use *u, size_t count,
	  const struct entry *entries, struct output *w, struct dv_err *e)
{
	struct strbuf rows = STRBUF_INIT, main = STRBUF_INIT;
	char num[24], *rel = xasprintf("tags/%s.html", u[0].tag);
	char *title = xasprintf("Kernels tagged %s — Diver kernel catalog", u[0].tag);
	const char *values[] = { u[0].tag, num, count == 1 ? "kernel" : "kernels",
				 NULL };
	int rc;

	snprintf(num, sizeof num, "%zu", count);
	for (size_t i = 0; i < count; i++)
		strbuf_addstr(&rows, entries[u[i].entry].row);
	values[3] = rows.buf;
	expand(s, T_TAG, values, &main);
	/* Rows link relative to the top, as on index.html. */
	rc = write_page(s, w, rel, title, title, "<base href=\"../\">\n", "tag",
			main.buf, "", e);
	strbuf_release(&rows);
	strbuf_release(&main);
	free(rel);
	free(title);
	return rc;
}

/* A tag page that cannot have changed is kept as the old output has it. */
static bool
keep_tag(const char *tag, const struct strlist *affected, struct output *w)
{
	char *rel = xasprintf("tags/%s.html", tag);
	const struct out_file *old = manifest_find(&w->old, rel);
	bool keep = affected && old && !strlist_has(affected, tag);

	if (keep)
		output_record(w, rel, old->sha256, false);
	free(rel);
	return keep;
}

static int
write_tags(const struct site *s, const struct tag_use *u, size_t count,
	   const struct entry *entries, const struct strlist *affected,
	   struct output *w, struct dv_err *e)
{
	int rc = 0;

	for (size_t i = 0, j; i < count && rc == 0; i = j) {
		for (j = i; j < count && !strcmp(u[j].tag, u[i].tag); j++)
			;
		if (!keep_tag(u[i].tag, affected, w))
			rc = write_tag(s, &u[i], j - i, entries, w, e);
	}
	return rc;
}

static void
generated_text(const char *rfc3339, char out[32])
{
	/* "2026-11-24T08:00:00Z" -> "2026-11-24 08:00 UTC" */
	snprintf(out, 32, "%.10s %.5s UTC", rfc3339, strlen(rfc3339) >= 16 ?
		 rfc3339 + 11 : "00:00");
}

static void
signed_by(const struct catalog *head, struct strbuf *sb)
{
	if (!head->key) {
		strbuf_addstr(sb, "not signed");
		return;
	}
	strbuf_addstr(sb, "<a href=\"catalog.json.sig\">signed</a> by key <code>");
	html_escape(sb, head->key);
	strbuf_addstr(sb, "</code>");
}

static int
write_index(const struct site *s, const struct catalog *head,
	    const struct entry *entries, size_t n, const struct tag_use *u,
	    size_t nuses, struct output *w, struct dv_err *e)
{
	struct strbuf rows = STRBUF_INIT, cloud = STRBUF_INIT, sig = STRBUF_INIT;
	struct strbuf main = STRBUF_INIT;
	size_t nrel = 0, npkg = 0;
	char nk[24], nr[24], np[24], when[32], *desc;
	int rc;

	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(&rows, entries[i].row);
		nrel += entries[i].nrels;
		for (size_t r = 0; r < entries[i].nrels; r++)
			npkg += entries[i].rels[r].nvariants;
	}
	snprintf(nk, sizeof nk, "%zu", n);
	snprintf(nr, sizeof nr, "%zu", nrel);
	snprintf(np, sizeof np, "%zu", npkg);
	generated_text(head->generated, when);
	tag_cloud(u, nuses, &cloud);
	signed_by(head, &sig);
	const char *values[] = {
		nk, n == 1 ? "kernel" : "kernels", nr, nrel == 1 ? "release" : "releases",
		np, npkg == 1 ? "package" : "packages", head->generated, when, sig.buf,
		cloud.buf, rows.buf,
	};
	expand(s, T_INDEX, values, &main);
	desc = xasprintf("%zu specialized OS kernels, ready for diver init, build "
			 "and dive.", n);
	rc = write_page(s, w, "index.html", "Kernel catalog — Diver", desc, "",
			"home", main.buf, "<script src=\"search-index.js\"></script>\n"
			"<script src=\"assets/search.js\"></script>", e);
	strbuf_release(&rows);
	strbuf_release(&cloud);
	strbuf_release(&sig);
	strbuf_release(&main);
	free(desc);
	return rc;
}

static int
write_offline(const struct site *s, const struct catalog *head,
	      struct output *w, struct dv_err *e)
{
	struct strbuf main = STRBUF_INIT, key = STRBUF_INIT;
	char serial[24];
	int rc;

	snprintf(serial, sizeof serial, "%lld", head->serial);
	if (head->key) {
		strbuf_addstr(&key, "<code>");
		html_escape(&key, head->key);
		strbuf_addstr(&key, "</code>");
	} else {
		strbuf_addstr(&key, "none: this catalog is not signed");
	}
	const char *values[] = { serial, head->generated, head->expires, key.buf,
				 s->o->base_url ? s->o->base_url : "URL-OF-THIS-CATALOG" };
	expand(s, T_OFFLINE, values, &main);
	rc = write_page(s, w, "offline.html", "Using the catalog offline — Diver",
			"Carrying kernels to sites without a network: signed bundles.",
			"", "offline", main.buf, "", e);
	strbuf_release(&main);
	strbuf_release(&key);
	return rc;
}

static int
write_assets(const struct site *s, struct output *w, struct dv_err *e)
{
	int rc = 0;

	for (char **a = s->assets; *a && rc == 0; a++) {
		char *src = xasprintf("%s/assets/%s", s->dir, *a);
		char *rel = xasprintf("assets/%s", *a);
		struct strbuf data = STRBUF_INIT;
		rc = fs_read_file(src, 64u << 20, &data, e);
		if (rc == 0)
			rc = output_file(w, rel, data.buf, data.len, e);
		strbuf_release(&data);
		free(src);
		free(rel);
	}
	return rc;
}

int
site_write_shared(const struct site *s, const struct catalog *head,
		  const struct entry *entries, size_t n,
		  const struct strlist *affected, struct output *w,
		  struct dv_err *e)
{
	struct strbuf js = STRBUF_INIT;
	size_t nuses;
	struct tag_use *u = tag_uses(entries, n, &nuses);
	int rc;

	search_index_js(entries, n, &js);
	rc = write_assets(s, w, e);
	if (rc == 0)
		rc = output_file(w, "search-index.js", js.buf, js.len, e);
	if (rc == 0)
		rc = write_tags(s, u, nuses, entries, affected, w, e);
	if (rc == 0)
		rc = write_index(s, head, entries, n, u, nuses, w, e);
	if (rc == 0)
		rc = write_offline(s, head, w, e);
	strbuf_release(&js);
	free(u);
	return rc;
}
