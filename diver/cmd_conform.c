/*
 * diver conform NET|REF|RELEASE_DIR [--variant V] [--timeout S]
 *               [--accel ACCEL] [--keep] [--json]
 *
 * Checks a kernel against the kernel interface (docs/kernel-interface.md),
 * what a publisher runs before publishing: a probe app, written here from
 * nothing but the documented app API (main, stdio, stdlib, exit), is built
 * with the kernel's own kit in a temporary directory and dived a few times
 * through this diver; each part of the interface is one row of a table,
 * with the reason when it fails.  Parts a kernel does not declare are
 * skipped.  Exits 0 when no row failed, 1 otherwise.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "diver.h"
#include "fs.h"
#include "kernel.h"
#include "strbuf.h"

enum { OPT_VARIANT = 256, OPT_TIMEOUT, OPT_ACCEL, OPT_KEEP, OPT_JSON,
       OPT_LIST_OPTIONS };

static const struct cli_opt options[] = {
	{ OPT_VARIANT, "variant", "NAME", "with a release directory: the variant to check (default: default)" },
	{ OPT_TIMEOUT, "timeout", "S", "the bound on each run of the probe, boot to power-off (default 20)" },
	{ OPT_ACCEL, "accel", "ACCEL", "auto (default), kvm or tcg, as for diver dive" },
	{ OPT_KEEP, "keep", NULL, "keep the probe app and its outputs; say where" },
	{ OPT_JSON, "json", NULL, "print JSON for scripts" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0, NULL, NULL, NULL },
};

static const struct cli_cmd command = {
	"diver conform NET|REF|RELEASE_DIR [OPTIONS]",
	"Check a kernel against the Diver kernel interface: build a probe app with\n"
	"its kit, boot it, and check arguments, stdout, stdin, end of input, the\n"
	"log, exit statuses, shutdown and the gdb stub.  REF is\n"
	"NAME[:VARIANT][@VERSION] from your sources; RELEASE_DIR is a release in a\n"
	"kernels/ tree (kernels/NAME/VERSION); NET is a built net or app directory.\n"
	"Exits 0 when the kernel passes every check it declares, 1 otherwise.",
	options,
};

#define PROBE "conform-probe"
#define OUT_MAX (16 << 20)
#define MAX_RUNS 16

/*
 * The probe app.  Its modes: hello, args (each argv[i] in hex), out (a
 * known stream with every byte value), cat (stdin to stdout, then a line
 * saying how many bytes came before end of input), log (one line to stderr),
 * exit N and return N.  Only main, stdio and stdlib: every kit has those.
 */
static const char probe_source[] =
	"/* " PROBE ": the app diver conform runs (docs/kernel-interface.md) */\n"
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"\n"
	"static int same(const char *a, const char *b)\n"
	"{\n"
	"\twhile (*a && *a == *b) {\n"
	"\t\ta++;\n"
	"\t\tb++;\n"
	"\t}\n"
	"\treturn *a == *b;\n"
	"}\n"
	"\n"
	"static void hex(const char *s)\n"
	"{\n"
	"\tstatic const char digits[] = \"0123456789abcdef\";\n"
	"\tfor (; *s; s++) {\n"
	"\t\tputchar(digits[(*s >> 4) & 15]);\n"
	"\t\tputchar(digits[*s & 15]);\n"
	"\t}\n"
	"}\n"
	"\n"
	"static int stream(void)\n"
	"{\n"
	"\tstatic const unsigned char tricky[] = { 255, 255, 0, 255, 1, 255, 2, 255, 3, 255 };\n"
	"\tfor (int c = 0; c < 256; c++)\n"
	"\t\tputchar(c);\n"
	"\tfwrite(tricky, 1, sizeof tricky, stdout);\n"
	"\tfor (int i = 0; i < 64; i++)\n"
	"\t\tprintf(\"line %d of the probe\\n\", i);\n"
	"\tfputs(\"no newline at the end\", stdout);\n"
	"\treturn 0;\n"
	"}\n"
	"\n"
	"static int cat(void)\n"
	"{\n"
	"\tlong n = 0;\n"
	"\tint c;\n"
	"\twhile ((c = getchar()) != EOF) {\n"
	"\t\tputchar(c);\n"
	"\t\tn++;\n"
	"\t}\n"
	"\tprintf(\"" PROBE ": eof after %ld bytes\\n\", n);\n"
	"\treturn 0;\n"
	"}\n"
	"\n"
	"/* the delegation row: weak, so that kits without them still link */\n"
	"extern char *getenv(const char *name) __attribute__((weak));\n"
	"extern int errno __attribute__((weak));\n"
	"\n"
	"static int deleg(void)\n"
	"{\n"
	"\tchar *v;\n"
	"\tif (!getenv || !&errno) {\n"
	"\t\tprintf(\"" PROBE ": no getenv and errno in the kit\\n\");\n"
	"\t\treturn 3;\n"
	"\t}\n"
	"\terrno = 0;\n"
	"\tv = getenv(\"DIVER_CONFORM_UNSET\");\n"
	"\tprintf(\"" PROBE ": unset %s errno %d\\n\", v ? \"set\" : \"null\", errno);\n"
	"\tv = getenv(\"DIVER_CONFORM\");\n"
	"\tprintf(\"" PROBE ": passed %s\\n\", v ? v : \"(null)\");\n"
	"\treturn 0;\n"
	"}\n"
	"\n"
	"/* the gdb row stops here and reads the global: no frame to unwind */\n"
	"int probe_argc;\n"
	"\n"
	"void probe_gdb_mark(void)\n"
	"{\n"
	"}\n"
	"\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tconst char *mode = argc > 1 ? argv[1] : \"hello\";\n"
	"\tprobe_argc = argc;\n"
	"\tprobe_gdb_mark();\n"
	"\tif (same(mode, \"args\")) {\n"
	"\t\tprintf(\"argc %d\\n\", argc);\n"
	"\t\tfor (int i = 0; i < argc; i++) {\n"
	"\t\t\tprintf(\"%d \", i);\n"
	"\t\t\thex(argv[i]);\n"
	"\t\t\tputchar('\\n');\n"
	"\t\t}\n"
	"\t\treturn 0;\n"
	"\t}\n"
	"\tif (same(mode, \"deleg\"))\n"
	"\t\treturn deleg();\n"
	"\tif (same(mode, \"out\"))\n"
	"\t\treturn stream();\n"
	"\tif (same(mode, \"cat\"))\n"
	"\t\treturn cat();\n"
	"\tif (same(mode, \"log\")) {\n"
	"\t\tfprintf(stderr, \"" PROBE ": to stderr\\n\");\n"
	"\t\tprintf(\"" PROBE ": to stdout\\n\");\n"
	"\t\treturn 0;\n"
	"\t}\n"
	"\tif (same(mode, \"exit\") && argc > 2)\n"
	"\t\texit(atoi(argv[2]));\n"
	"\tif (same(mode, \"return\") && argc > 2)\n"
	"\t\treturn atoi(argv[2]);\n"
	"\tprintf(\"" PROBE ": hello\\n\");\n"
	"\treturn 0;\n"
	"}\n";

/* The arguments the args row sends: blanks, quotes, backslashes, high bytes. */
static const char *const probe_args[] = {
	"two words", "say \"hi\"", "back\\slash", "tab\tand\nnewline",
	"caf\xc3\xa9", "\xff\x80\xfe", "", "--", "a=b", "ends in \\",
	"'single'", "\\x41 is not A",
};
#define NPROBE_ARGS (sizeof probe_args / sizeof probe_args[0])

/* What the checks are about: one variant of one release, and its kit. */
struct subject {
	struct kernel k;
	const struct kernel_variant *var;
	char *label;            /* pebble:default@0.2.0 */
	char *where;            /* where it came from, for the heading */
	char *kit;              /* the kit directory */
	char *image;            /* the kernel image */
	char *cc;               /* the toolchain's compiler; NULL: the host's gcc */
};

struct run {
	char *what;             /* the probe's arguments, for messages */
	int status;             /* dive's exit status */
	double seconds;
	struct strbuf out, err;
};

struct conform {
	struct subject s;
	char *self;             /* this diver */
	char *tmp, *app, *net;
	const char *accel;
	const char *console;    /* --console of every run: uart, or fast */
	const char *const *extra;       /* more options of every run (NULL-ended), or NULL */
	double bound;
	struct run runs[MAX_RUNS];
	size_t nruns;
	struct run *cat;        /* the stdin run, shared by two rows */
	struct strbuf input;    /* what the cat run was given */
};

enum verdict { PASS, FAIL, SKIP };
static const char *const verdict_word[] = { "pass", "fail", "skip" };

struct row {
	enum verdict v;
	char detail[512];
};

struct check {
	const char *name;
	const char *needs;      /* a row that must pass first, or NULL */
	/* NULL: every kernel; else whether the kernel declares this part */
	bool (*declared)(const struct conform *c);
	void (*run)(struct conform *c, struct row *r);
};

static volatile sig_atomic_t stop_signal;
static volatile pid_t current_child;

static void
on_stop_signal(int sig)
{
	stop_signal = sig;
	if (current_child > 0)
		kill(current_child, sig);
}

static int
verdict(struct row *r, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
verdict(struct row *r, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	r->v = v;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof r->detail, fmt, ap);
	va_end(ap);
	return v == PASS ? 0 : -1;
}

/* Bytes as C would write them, at most max of them: "caf\xc3\xa9". */
static void
show_bytes(struct strbuf *sb, const unsigned char *p, size_t n, size_t max)
{
	strbuf_addch(sb, '"');
	for (size_t i = 0; i < n && i < max; i++) {
		if (p[i] == '"' || p[i] == '\\')
			strbuf_addf(sb, "\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			strbuf_addch(sb, p[i]);
		else if (p[i] == '\n')
			strbuf_addstr(sb, "\\n");
		else
			strbuf_addf(sb, "\\x%02x", p[i]);
	}
	strbuf_addstr(sb, n > max ? "\"..." : "\"");
}

/* The last non-empty line of a buffer, for a reason ("" when none). */
static char *
last_line(const struct strbuf *sb)
{
	size_t end = sb->len, start;

	while (end && (sb->buf[end - 1] == '\n' || sb->buf[end - 1] == '\r'))
		end--;
	start = end;
	while (start && sb->buf[start - 1] != '\n')
		start--;
	return xstrndup(sb->buf + start, end - start > 200 ? 200 : end - start);
}

/* --- what to check: a release directory, a REF or a net --- */

static void
subject_release(struct subject *s)
{
	kernel_release(&s->k);
	free(s->label);
	free(s->where);
	free(s->kit);
	free(s->image);
	free(s->cc);
	memset(s, 0, sizeof *s);
}

/* Load kjson into s and pick the variant vname (default: default). */
static int
subject_load(struct subject *s, const char *kjson, const char *vname,
	     struct dv_err *e)
{
	if (kernel_load(kjson, &s->k, e) < 0)
		return -1;
	s->var = kernel_variant(&s->k, vname ? vname : "default");
	if (!s->var)
		return dv_errf(e, "'%s' has no variant '%s'", kjson, vname);
	s->label = xasprintf("%s:%s@%s", s->k.name, s->var->name, s->k.version);
	if (!kernel_has_mode(&s->k, "vm"))
		return dv_errf(e, "%s lists no mode vm; diver conform checks kernels "
			       "in vm mode", s->label);
	return 0;
}

/* The image and kit of s's variant, under the release directory dir. */
static void
subject_files(struct subject *s, const char *dir)
{
	s->image = fs_join(dir, s->var->image.path);
	s->kit = s->var->kit_path ? fs_join(dir, s->var->kit_path) : NULL;
}

static int
from_release_dir(const struct home *h, const char *dir, const char *vname,
		 struct subject *s, struct dv_err *e)
{
	char *kjson = fs_join(dir, "kernel.json");
	int rc = subject_load(s, kjson, vname, e);

	free(kjson);
	if (rc < 0)
		return -1;
	subject_files(s, dir);
	s->where = xstrdup(dir);
	s->cc = toolchain_cc(h, &s->k);
	return 0;
}

static int
from_ref(const struct home *h, const char *refstr, struct subject *s,
	 struct dv_err *e)
{
	struct sources src = { 0 };
	struct resolved res;
	char *unpacked = NULL, *tc = NULL, *kjson = NULL;
	struct ref r;
	int rc = -1;

	if (ref_parse(refstr, &r, e) < 0 || sources_load(h, &src, e) < 0 ||
	    sources_resolve(h, &src, &r, &res, e) < 0 ||
	    cache_unpacked(h, &res, &unpacked, e) < 0 ||
	    toolchain_install(h, res.src, res.rel, &tc, e) < 0)
		goto out;
	kjson = fs_join(unpacked, "kernel.json");
	if (subject_load(s, kjson, res.var->name, e) < 0)
		goto out;
	subject_files(s, unpacked);
	s->where = xasprintf("source %s", res.src->name);
	s->cc = toolchain_cc(h, &s->k);
	rc = 0;
out:
	free(unpacked);
	free(tc);
	free(kjson);
	sources_release(&src);
	return rc;
}

/* A net's kernel: the kit diver init placed in its app, else by reference. */
static int
from_net(const struct home *h, const struct net *n, struct subject *s,
	 struct dv_err *e)
{
	const jv *k = jv_get(n->json, "kernel");
	const char *name = jv_str(jv_get(k, "name")), *app;
	char *kit, *kjson, *ref;
	int rc;

	app = jv_str(jv_get(jv_get(n->json, "app"), "dir"));
	kit = app ? xasprintf("%s/.%s", app, name) : NULL;
	kjson = kit ? fs_join(kit, "kernel.json") : NULL;
	if (kjson && fs_is_file(kjson)) {
		rc = subject_load(s, kjson, jv_str(jv_get(k, "variant")), e);
		if (rc == 0) {
			/* diver init flattened the kit into .NAME/, image beside it */
			s->image = fs_join(kit, "image");
			s->kit = xstrdup(kit);
			s->where = xasprintf("net %s", n->id);
			s->cc = toolchain_cc(h, &s->k);
		}
	} else {
		ref = xasprintf("%s:%s@%s", name, jv_str(jv_get(k, "variant")),
				jv_str(jv_get(k, "version")));
		rc = from_ref(h, ref, s, e);
		free(ref);
	}
	free(kit);
	free(kjson);
	return rc;
}

static bool
all_hex(const char *s)
{
	return strlen(s) >= 4 && strspn(s, "0123456789abcdef") == strlen(s);
}

static int
resolve_target(const struct home *h, const char *target, const char *vname,
	       struct subject *s, struct dv_err *e)
{
	char *kjson = fs_join(target, "kernel.json");
	bool release = fs_is_file(kjson);
	struct net n = { 0 };
	int rc;

	free(kjson);
	if (release)
		return from_release_dir(h, target, vname, s, e);
	if (vname)
		return dv_errf(e, "--variant is for a release directory; for a REF "
			       "write NAME:VARIANT");
	if (fs_is_dir(target) || all_hex(target)) {
		rc = net_find(h, target, &n, e);
		if (rc == 0)
			rc = from_net(h, &n, s, e);
		net_release(&n);
		if (rc == 0 || fs_is_dir(target))
			return rc;
		dv_err_clear(e);
	}
	return from_ref(h, target, s, e);
}

/* --- the probe app and its net --- */

static int
write_file(const char *path, const char *text, struct dv_err *e)
{
	return fs_write_atomic(path, text, strlen(text), 0644, e);
}

/* make in the probe app, its output into build.log; -1 with its last line. */
static int
make_probe(struct conform *c, struct dv_err *e)
{
	char *log = fs_join(c->tmp, "build.log"), *kitarg = xasprintf("KIT=.%s", c->s.k.name);
	char *ccarg = c->s.cc ? xasprintf("CC=%s", c->s.cc) : NULL, *last;
	/* -g -O0: the gdb row reads the probe's variables in main */
	char *argv[] = { "make", "-s", "-C", c->app, kitarg, "CFLAGS_APP=-g -O0", ccarg, NULL };
	struct strbuf out = STRBUF_INIT;
	int status = -1, fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	pid_t pid = fd < 0 ? -1 : fork();

	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execvp("make", argv);
		_exit(127);
	}
	if (fd >= 0)
		close(fd);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		status = 0;
	} else {
		fs_read_file(log, 65536, &out, NULL);
		last = last_line(&out);
		dv_errf(e, "make failed%s%s", *last ? ": " : "", last);
		free(last);
		status = -1;
	}
	strbuf_release(&out);
	free(log);
	free(kitarg);
	free(ccarg);
	return status;
}

static jv *
probe_net_json(const struct conform *c, const char *image_sha, bool module)
{
	jv *o = jv_object(), *k = jv_object(), *app = jv_object(), *img = jv_object();
	jv *modes = jv_array();

	jv_set(o, "format", jv_integer(1));
	jv_set(o, "id", jv_string("conform"));
	jv_set(k, "name", jv_string(c->s.k.name));
	jv_set(k, "version", jv_string(c->s.k.version));
	jv_set(k, "variant", jv_string(c->s.var->name));
	jv_set(o, "kernel", k);
	jv_set(app, "name", jv_string(PROBE));
	jv_set(app, "dir", jv_string(c->app));
	jv_set(o, "app", app);
	jv_set(o, "build", jv_string(c->s.k.build));
	jv_set(img, "path", jv_string("image"));
	jv_set(img, "format", jv_string(c->s.var->image_format));
	jv_set(img, "sha256", jv_string(image_sha));
	jv_set(o, "image", img);
	jv_set(o, "interface", jv_deep_copy(c->s.k.interface));
	jv_push(modes, jv_string("vm"));
	/* the kernel's other modes too: the delegation row dives in splitvm */
	for (size_t i = 0; i < c->s.k.modes.n; i++)
		if (strcmp(c->s.k.modes.v[i], "vm"))
			jv_push(modes, jv_string(c->s.k.modes.v[i]));
	jv_set(o, "modes", modes);
	if (module) {
		jv *m = jv_object();
		jv_set(m, "path", jv_string("module"));
		jv_set(m, "format", jv_string("elf32"));
		jv_set(o, "module", m);
	}
	return o;
}

/* The net of the probe, in tmp/net: image (and module) and net.json. */
static int
store_probe_net(struct conform *c, struct dv_err *e)
{
	bool link = !strcmp(c->s.k.build, "link");
	char *image = link ? fs_join(c->app, "build/net.elf") : xstrdup(c->s.image);
	char *module = link ? NULL : fs_join(c->app, "build/app.elf");
	char *dst = NULL, *text = NULL, sha[SHA256_HEX];
	uint64_t size;
	jv *json = NULL;
	int rc = -1;

	if (!fs_is_file(image) || (module && !fs_is_file(module))) {
		dv_errf(e, "the kit's build.mk made no '%s'", link ? "build/net.elf"
			: !fs_is_file(image) ? image : "build/app.elf");
		goto out;
	}
	if (fs_mkdir_p(c->net, 0755, e) < 0 || sha256_file_hex(image, sha, &size, e) < 0)
		goto out;
	dst = fs_join(c->net, "image");
	if (fs_copy_file(image, dst, e) < 0)
		goto out;
	free(dst);
	dst = fs_join(c->net, "module");
	if (module && fs_copy_file(module, dst, e) < 0)
		goto out;
	free(dst);
	json = probe_net_json(c, sha, module != NULL);
	text = jv_dump(json, JV_PRETTY);
	dst = fs_join(c->net, "net.json");
	rc = write_file(dst, text, e);
out:
	free(dst);
	free(text);
	jv_free(json);
	free(image);
	free(module);
	return rc;
}

static int
build_probe(struct conform *c, struct dv_err *e)
{
	char *kitdir = xasprintf("%s/.%s", c->app, c->s.k.name);
	char *mk = fs_join(c->app, "Makefile"), *main_c = fs_join(c->app, "main.c");
	char *makefile = xasprintf("# the probe app of diver conform\n"
				   "KIT ?= .%s\ninclude $(KIT)/build.mk\n", c->s.k.name);
	int rc = -1;

	if (!c->s.kit)
		dv_errf(e, "%s has no kit, so no app can be built for it", c->s.label);
	else if (strcmp(c->s.k.build, "link") && strcmp(c->s.k.build, "module"))
		dv_errf(e, "build model '%s': the probe needs link or module",
			c->s.k.build);
	else if (fs_mkdir_p(c->app, 0755, e) == 0 &&
		 fs_copy_tree(c->s.kit, kitdir, e) == 0 &&
		 write_file(mk, makefile, e) == 0 && write_file(main_c, probe_source, e) == 0 &&
		 make_probe(c, e) == 0)
		rc = store_probe_net(c, e);
	free(kitdir);
	free(mk);
	free(main_c);
	free(makefile);
	return rc;
}

/* --- running the probe through diver dive --- */

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
open_or_null(const char *path, int flags)
{
	int fd = path ? open(path, flags | O_CLOEXEC, 0644) : -1;

	return fd >= 0 ? fd : open("/dev/null", O_RDWR | O_CLOEXEC);
}

/*
 * Start argv with stdin from in_path, stdout and stderr to files (NULL:
 * /dev/null); its pid, or -1.
 */
static pid_t
start_child(char **argv, const char *in_path, const char *out_path,
	    const char *err_path)
{
	int in = open_or_null(in_path, O_RDONLY);
	int out = open_or_null(out_path, O_WRONLY | O_CREAT | O_TRUNC);
	int err = out_path && err_path && !strcmp(out_path, err_path) ? dup(out)
		: open_or_null(err_path, O_WRONLY | O_CREAT | O_TRUNC);
	pid_t pid = fork();

	if (pid == 0) {
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in);
	close(out);
	close(err);
	current_child = pid;
	return pid;
}

static int
wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	current_child = 0;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* argv for diver dive of the probe net; extra is one more option or NULL. */
static char **
dive_argv(const struct conform *c, const char *extra, const char *const *args,
	  size_t nargs)
{
	char **v = xcalloc(nargs + 12, sizeof *v);
	size_t n = 0;

	v[n++] = xstrdup(c->self);
	v[n++] = xstrdup("dive");
	v[n++] = xstrdup(c->net);
	v[n++] = xasprintf("--timeout=%g", c->bound);
	if (c->accel)
		v[n++] = xasprintf("--accel=%s", c->accel);
	v[n++] = xasprintf("--console=%s", c->console);
	for (const char *const *x = c->extra; x && *x && n < 8; x++)
		v[n++] = xstrdup(*x);
	if (extra)
		v[n++] = xstrdup(extra);
	v[n++] = xstrdup("--");
	for (size_t i = 0; i < nargs; i++)
		v[n++] = xstrdup(args[i]);
	return v;
}

static void
free_strv(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static char *
join_words(const char *const *args, size_t nargs)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < nargs; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", args[i]);
	return strbuf_detach(&sb, NULL);
}

/*
 * Dive the probe with args and the given stdin; the run is recorded (the
 * shutdown row looks at all of them).  NULL when no run is left.
 */
static struct run *
dive_probe(struct conform *c, const char *const *args, size_t nargs,
	   const struct strbuf *input)
{
	struct run *r;
	char *in = fs_join(c->tmp, "stdin"), *out, *err, **argv;
	double t0;

	if (c->nruns == MAX_RUNS || stop_signal)
		return NULL;
	r = &c->runs[c->nruns];
	out = xasprintf("%s/run%zu.out", c->tmp, c->nruns);
	err = xasprintf("%s/run%zu.err", c->tmp, c->nruns);
	c->nruns++;
	strbuf_init(&r->out);
	strbuf_init(&r->err);
	r->what = join_words(args, nargs);
	write_file(in, "", NULL);
	if (input)
		fs_write_atomic(in, input->buf, input->len, 0644, NULL);
	argv = dive_argv(c, NULL, args, nargs);
	t0 = now_seconds();
	r->status = wait_child(start_child(argv, in, out, err));
	r->seconds = now_seconds() - t0;
	fs_read_file(out, OUT_MAX, &r->out, NULL);
	fs_read_file(err, OUT_MAX, &r->err, NULL);
	free_strv(argv);
	free(in);
	free(out);
	free(err);
	return r;
}

/*
 * Why a run did not end with status want, into r; -1 (0 when it did).  A
 * run stopped by --timeout is not judged here: its output may still be
 * right, and the shutdown row reports the hang.
 */
static int
run_failed(const struct run *run, int want, struct row *r)
{
	char *last;
	int rc;

	if (!run)
		return verdict(r, FAIL, "the probe could not run");
	if (run->status == want || run->status == 124)
		return 0;
	last = last_line(&run->err);
	rc = verdict(r, FAIL, "'%s' ended with status %d, expected %d%s%s", run->what,
		     run->status, want, *last ? "; last log line: " : "", last);
	free(last);
	return rc;
}

/* "differs at byte N of M: expected X, got Y". */
static void
first_difference(struct row *r, const char *what, const unsigned char *want,
		 size_t wlen, const unsigned char *got, size_t glen)
{
	size_t i = 0;
	struct strbuf sb = STRBUF_INIT;

	while (i < wlen && i < glen && want[i] == got[i])
		i++;
	strbuf_addf(&sb, "%s differs at byte %zu (of %zu): expected ", what, i, wlen);
	show_bytes(&sb, want + i, wlen - i, 12);
	strbuf_addstr(&sb, ", got ");
	show_bytes(&sb, got + i, glen - i, 12);
	verdict(r, FAIL, "%s", sb.buf);
	strbuf_release(&sb);
}

/* --- the checks --- */

static void
check_build(struct conform *c, struct row *r)
{
	struct dv_err e = { "" };

	if (build_probe(c, &e) < 0)
		verdict(r, FAIL, "the probe app does not build with the kit: %s", e.msg);
	else
		verdict(r, PASS, "the probe app builds with the kit's build.mk (%s)",
			c->s.cc ? c->s.cc : "the host's gcc");
}

static void
check_boot(struct conform *c, struct row *r)
{
	static const char *const args[] = { "hello" };
	static const char want[] = PROBE ": hello\n";
	struct run *run = dive_probe(c, args, 1, NULL);

	if (run_failed(run, 0, r) < 0)
		return;
	if (run->status == 124 && !run->out.len)
		verdict(r, FAIL, "no output within %g s (stopped by --timeout)", c->bound);
	else if (run->out.len != strlen(want) || memcmp(run->out.buf, want, run->out.len))
		first_difference(r, "the greeting", (const unsigned char *)want,
				 strlen(want), (unsigned char *)run->out.buf, run->out.len);
	else if (run->status == 124)
		verdict(r, PASS, "booted and ran the probe, but did not power off "
			"(see shutdown)");
	else
		verdict(r, PASS, "booted, ran the probe and powered off in %.2f s",
			run->seconds);
}

/* The probe's "argc N" and "I HEX" lines back into bytes. */
static int
parse_args_output(const struct strbuf *out, struct strbuf *got, size_t max,
		  size_t *argc)
{
	const char *p = out->buf;
	size_t i = 0;
	char *end;

	if (strncmp(p, "argc ", 5))
		return -1;
	*argc = strtoul(p + 5, &end, 10);
	for (p = strchr(p, '\n'); p && i < max; i++, p = strchr(p, '\n')) {
		unsigned long idx = strtoul(++p, &end, 10);
		if (idx != i || *end != ' ')
			return -1;
		for (p = end + 1; isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]); p += 2) {
			char h[3] = { p[0], p[1], 0 };
			strbuf_addch(&got[i], (int)strtoul(h, NULL, 16));
		}
	}
	return i == max ? 0 : -1;
}

/* The first of argv[1..n-1] that did not arrive as sent, into r; -1, or 0. */
static int
first_bad_arg(const char *const *sent, const struct strbuf *got, size_t n,
	      struct row *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i = 1;

	while (i < n && !strcmp(got[i].buf, sent[i - 1]))
		i++;
	if (i == n)
		return 0;
	strbuf_addf(&sb, "argv[%zu] ", i);
	show_bytes(&sb, (const unsigned char *)sent[i - 1], strlen(sent[i - 1]), 40);
	strbuf_addstr(&sb, " arrived as ");
	show_bytes(&sb, (unsigned char *)got[i].buf, got[i].len, 40);
	verdict(r, FAIL, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

static void
check_args(struct conform *c, struct row *r)
{
	const char *args[NPROBE_ARGS + 1] = { "args" };
	struct strbuf got[NPROBE_ARGS + 2], argv0 = STRBUF_INIT;
	size_t argc = 0, n = NPROBE_ARGS + 2;
	struct run *run;

	memcpy(args + 1, probe_args, sizeof probe_args);
	run = dive_probe(c, args, NPROBE_ARGS + 1, NULL);
	if (run_failed(run, 0, r) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		strbuf_init(&got[i]);
	if (parse_args_output(&run->out, got, n, &argc) < 0 || argc != n) {
		verdict(r, FAIL, "expected %zu arguments (argv[0] and %zu more), the "
			"app saw %zu", n, n - 1, argc);
	} else if (strcmp(got[0].buf, PROBE)) {
		show_bytes(&argv0, (unsigned char *)got[0].buf, got[0].len, 40);
		verdict(r, FAIL, "argv[0] is %s, expected the argv0= option, \"" PROBE
			"\"", argv0.buf);
	} else if (first_bad_arg(args, got, n, r) == 0) {
		verdict(r, PASS, "argv[0] and %zu arguments arrive intact (blanks, quotes, "
			"backslashes, bytes >= 0x80, empty, --, =)", n - 1);
	}
	for (size_t i = 0; i < n; i++)
		strbuf_release(&got[i]);
	strbuf_release(&argv0);
}

/* What the probe's out mode writes (keep in step with probe_source). */
static void
expected_stream(struct strbuf *sb)
{
	static const unsigned char tricky[] = { 255, 255, 0, 255, 1, 255, 2, 255, 3, 255 };

	for (int ch = 0; ch < 256; ch++)
		strbuf_addch(sb, ch);
	strbuf_add(sb, tricky, sizeof tricky);
	for (int i = 0; i < 64; i++)
		strbuf_addf(sb, "line %d of the probe\n", i);
	strbuf_addstr(sb, "no newline at the end");
}

static void
check_stdout(struct conform *c, struct row *r)
{
	static const char *const args[] = { "out" };
	struct strbuf want = STRBUF_INIT;
	struct run *run = dive_probe(c, args, 1, NULL);

	expected_stream(&want);
	if (run_failed(run, 0, r) == 0) {
		if (run->out.len != want.len || memcmp(run->out.buf, want.buf, want.len))
			first_difference(r, "stdout", (unsigned char *)want.buf, want.len,
					 (unsigned char *)run->out.buf, run->out.len);
		else
			verdict(r, PASS, "%zu bytes: every byte value, 0xff runs, lines and "
				"a last line without newline", want.len);
	}
	strbuf_release(&want);
}

/* What the cat run gets: every byte value, escapes, NULs, noise, a last 0xff. */
static void
probe_input(struct strbuf *sb)
{
	static const unsigned char tricky[] = { 255, 255, 255, 0, 255, 1, 255, 2,
						255, 3, 0, 0, 0, 26, 4, 3 };
	unsigned int x = 12345;

	for (int i = 0; i < 4 * 256; i++)
		strbuf_addch(sb, i & 255);
	strbuf_add(sb, tricky, sizeof tricky);
	for (int i = 0; i < 8192; i++) {
		x = x * 1103515245u + 12345u;
		strbuf_addch(sb, (int)(x >> 16) & 255);
	}
	strbuf_addch(sb, 255);
}

static struct run *
cat_run(struct conform *c)
{
	static const char *const args[] = { "cat" };

	if (!c->cat) {
		probe_input(&c->input);
		c->cat = dive_probe(c, args, 1, &c->input);
	}
	return c->cat;
}

static void
check_stdin(struct conform *c, struct row *r)
{
	struct run *run = cat_run(c);
	size_t n = c->input.len;

	if (!run)
		verdict(r, FAIL, "the probe could not run");
	else if (run->out.len < n || memcmp(run->out.buf, c->input.buf, n))
		first_difference(r, "stdin copied to stdout", (unsigned char *)c->input.buf,
				 n, (unsigned char *)run->out.buf,
				 run->out.len < n ? run->out.len : n);
	else
		verdict(r, PASS, "%zu bytes back as sent, 0xff and NUL included", n);
}

static void
check_eof(struct conform *c, struct row *r)
{
	struct run *run = cat_run(c);
	char *want = xasprintf(PROBE ": eof after %zu bytes\n", c->input.len);
	size_t n = c->input.len;

	bool seen = run && run->out.len >= n + strlen(want) &&
		    !memcmp(run->out.buf + n, want, strlen(want));

	if (run && run->status == 124 && !seen)
		verdict(r, FAIL, "the app never saw end of input ('cat' stopped by "
			"--timeout after %g s)", c->bound);
	else if (run_failed(run, 0, r) < 0)
		;
	else if (run->out.len < n || strlen(want) != run->out.len - n ||
		 memcmp(run->out.buf + n, want, strlen(want)))
		first_difference(r, "what follows the input", (unsigned char *)want,
				 strlen(want), (unsigned char *)run->out.buf + (run->out.len < n
				 ? run->out.len : n), run->out.len < n ? 0 : run->out.len - n);
	else
		verdict(r, PASS, "read() returns end of input after the last byte");
	free(want);
}

/* End of input is part of the framed console; a raw-uart kernel has none. */
static bool
declares_eof(const struct conform *c)
{
	const char *console = kernel_interface(&c->s.k, "console");

	return !console || !strcmp(console, "framed-uart-1");
}

static bool
declares_log(const struct conform *c)
{
	const char *log = kernel_interface(&c->s.k, "log");

	return log && strcmp(log, "none");
}

/* A line of buf that starts with prefix. */
static bool
has_line(const struct strbuf *sb, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = sb->buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, prefix, n))
			return true;
	return false;
}

static void
check_log(struct conform *c, struct row *r)
{
	static const char *const args[] = { "log" };
	static const char want_out[] = PROBE ": to stdout\n";
	struct run *run = dive_probe(c, args, 1, NULL);
	char *prefix = xasprintf("%s: ", c->s.k.name);

	if (run_failed(run, 0, r) < 0)
		;
	else if (!has_line(&run->err, prefix))
		verdict(r, FAIL, "no log line starts with '%s' (stderr: %zu bytes)",
			prefix, run->err.len);
	else if (!has_line(&run->err, PROBE ": to stderr"))
		verdict(r, FAIL, "the app's stderr line did not reach the log");
	else if (run->out.len != strlen(want_out) || memcmp(run->out.buf, want_out,
							    run->out.len))
		first_difference(r, "stdout beside the log", (unsigned char *)want_out,
				 strlen(want_out), (unsigned char *)run->out.buf, run->out.len);
	else
		verdict(r, PASS, "kernel lines start with '%s'; the app's stderr is "
			"there too, not on stdout", prefix);
	free(prefix);
}

static void
check_exit(struct conform *c, struct row *r)
{
	static const struct { const char *how, *n; int want; } cases[] = {
		{ "exit", "1", 1 }, { "exit", "42", 42 }, { "return", "255", 255 },
		{ "exit", "0", 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *args[] = { cases[i].how, cases[i].n };
		struct run *run = dive_probe(c, args, 2, NULL);
		if (run && run->status == 124) {
			verdict(r, SKIP, "'%s %s' did not end, so no status came back "
				"(see shutdown)", cases[i].how, cases[i].n);
			return;
		}
		if (run && run->status != cases[i].want) {
			verdict(r, FAIL, "%s(%s) came back as %d", cases[i].how,
				cases[i].n, run->status);
			return;
		}
		if (run_failed(run, cases[i].want, r) < 0)
			return;
	}
	verdict(r, PASS, "0 (return from main), 1, 42, 255 and exit(0) come back");
}

static void
check_shutdown(struct conform *c, struct row *r)
{
	double slowest = 0;

	for (size_t i = 0; i < c->nruns; i++) {
		if (c->runs[i].status == 124) {
			verdict(r, FAIL, "'%s' did not power off within %g s (stopped by "
				"--timeout)", c->runs[i].what, c->bound);
			return;
		}
		if (c->runs[i].seconds > slowest)
			slowest = c->runs[i].seconds;
	}
	verdict(r, PASS, "all %zu runs powered off by themselves, the slowest in "
		"%.2f s (bound %g s)", c->nruns, slowest, c->bound);
}

/* A kit declares that nets debug with gdb by shipping the kernel's symbols. */
static bool
declares_gdb(const struct conform *c)
{
	char *sym = c->s.kit ? xasprintf("%s/%s.sym", c->s.kit, c->s.k.name) : NULL;
	bool yes = sym && fs_is_file(sym);

	free(sym);
	return yes;
}

/* A TCP port on 127.0.0.1 that nobody listens on right now. */
static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* gdb in batch mode: attach, stop in main, read argc, run to the end. */
static char **
gdb_argv(const char *gdb, const char *elf, int port, double bound)
{
	char **v = xcalloc(28, sizeof *v);
	size_t n = 0;

	v[n++] = xstrdup(gdb);
	v[n++] = xstrdup("-q");
	v[n++] = xstrdup("-nx");
	v[n++] = xstrdup("-batch");
	v[n++] = xstrdup("-ex");
	v[n++] = xasprintf("set tcp connect-timeout %d", (int)bound + 1);
	v[n++] = xstrdup("-ex");
	v[n++] = xasprintf("symbol-file %s", elf);
	v[n++] = xstrdup("-ex");
	v[n++] = xasprintf("target remote 127.0.0.1:%d", port);
	v[n++] = xstrdup("-ex");
	v[n++] = xstrdup("break main");
	v[n++] = xstrdup("-ex");
	v[n++] = xstrdup("break probe_gdb_mark");
	v[n++] = xstrdup("-ex");
	v[n++] = xstrdup("continue");
	v[n++] = xstrdup("-ex");
	v[n++] = xstrdup("continue");
	v[n++] = xstrdup("-ex");
	v[n++] = xstrdup("print probe_argc");
	v[n++] = xstrdup("-ex");
	v[n++] = xstrdup("continue");
	return v;
}

/* The verdict on a gdb session, from its output and the net's status. */
static void
gdb_verdict(struct row *r, const char *gdb_out_path, int status)
{
	struct strbuf out = STRBUF_INIT;
	char *last;

	fs_read_file(gdb_out_path, 1 << 20, &out, NULL);
	last = last_line(&out);
	if (!strstr(out.buf, "Breakpoint 1, main"))
		verdict(r, FAIL, "gdb did not stop in main: %s", *last ? last : "no output");
	else if (!strstr(out.buf, "Breakpoint 2, ") || !has_line(&out, "$1 = 3"))
		verdict(r, FAIL, "gdb stopped in main but did not read the probe's "
			"argc (3) at the next breakpoint");
	else if (status == 124)
		verdict(r, PASS, "gdb attached, stopped in main and read argc with the "
			"kit's symbols (the net did not power off: see shutdown)");
	else if (status != 7)
		verdict(r, FAIL, "the net did not run on to its end after gdb "
			"continued (status %d, expected 7)", status);
	else
		verdict(r, PASS, "gdb attached before the first instruction, stopped in "
			"main with the kit's symbols and let the net finish");
	free(last);
	strbuf_release(&out);
}

static void
check_gdb(struct conform *c, struct row *r)
{
	static const char *const args[] = { "return", "7" };
	char *version[] = { "gdb", "--version", NULL };
	char *opt, *elf, *out = fs_join(c->tmp, "gdb.out"), **dv, **gv;
	int port = free_port(), status;
	pid_t net;

	if (wait_child(start_child(version, NULL, NULL, NULL)) != 0) {
		verdict(r, SKIP, "gdb is not installed (apt-get install gdb)");
		free(out);
		return;
	}
	elf = fs_join(c->app, !strcmp(c->s.k.build, "link") ? "build/net.elf"
							     : "build/app.elf");
	opt = xasprintf("--gdb=%d", port);
	dv = dive_argv(c, opt, args, 2);
	gv = gdb_argv("gdb", elf, port, c->bound);
	net = start_child(dv, NULL, NULL, NULL);
	wait_child(start_child(gv, NULL, out, out));
	current_child = net;
	status = wait_child(net);
	gdb_verdict(r, out, status);
	free_strv(dv);
	free_strv(gv);
	free(opt);
	free(elf);
	free(out);
}

static bool
declares_channel(const struct conform *c)
{
	return kernel_interface(&c->s.k, "channel") != NULL;
}

/*
 * The other rows hold the UART to the interface, the fallback every
 * kernel has; this one sends half a MiB through the fast path and back.
 */
static void
check_channel(struct conform *c, struct row *r)
{
	static const char *const args[] = { "cat" };
	struct strbuf in = STRBUF_INIT, want = STRBUF_INIT;
	struct run *run;

	for (int i = 0; i < 56; i++)
		probe_input(&in);
	strbuf_add(&want, in.buf, in.len);
	strbuf_addf(&want, PROBE ": eof after %zu bytes\n", in.len);
	c->console = "fast";
	run = dive_probe(c, args, 1, &in);
	c->console = "uart";
	if (run_failed(run, 0, r) < 0)
		;
	else if (run->status == 124 && (run->out.len != want.len ||
					memcmp(run->out.buf, want.buf, want.len)))
		verdict(r, FAIL, "'cat' over the channel did not end within %g s, with "
			"%zu of %zu bytes back", c->bound, run->out.len, want.len);
	else if (run->out.len != want.len || memcmp(run->out.buf, want.buf, want.len))
		first_difference(r, "stdin copied to stdout over the channel",
				 (unsigned char *)want.buf, want.len,
				 (unsigned char *)run->out.buf, run->out.len);
	else
		verdict(r, PASS, "%s: %zu bytes of stdin back on stdout, then end of "
			"input%s", kernel_interface(&c->s.k, "channel"), in.len,
			run->status == 124 ? " (the net did not power off: see shutdown)" : "");
	strbuf_release(&in);
	strbuf_release(&want);
}

static bool
declares_delegation(const struct conform *c)
{
	return kernel_interface(&c->s.k, "delegation") != NULL;
}

/*
 * The splitvm delegation channel (§8): the probe, dived with -d splitvm
 * and one variable passed, asks for it and for one that was not; both
 * answers come from diver's delegate over the channel's mailbox.
 */
static void
check_delegation(struct conform *c, struct row *r)
{
	static const char *const args[] = { "deleg" };
	static const char *const splitvm[] = { "-dsplitvm", "--env=DIVER_CONFORM=delegated", NULL };
	const char *want = PROBE ": unset null errno 2\n" PROBE ": passed delegated\n";
	struct run *run;

	c->console = "fast";
	c->extra = splitvm;
	run = dive_probe(c, args, 1, NULL);
	c->extra = NULL;
	c->console = "uart";
	if (run_failed(run, 0, r) < 0)
		return;
	if (run->out.len != strlen(want) || memcmp(run->out.buf, want, strlen(want)))
		first_difference(r, "getenv through the delegate", (const unsigned char *)want,
				 strlen(want), (unsigned char *)run->out.buf, run->out.len);
	else
		verdict(r, PASS, "%s: getenv answered by diver's delegate in splitvm "
			"(a passed variable, and ENOENT for one not passed)",
			kernel_interface(&c->s.k, "delegation"));
}

static const struct check checks[] = {
	{ "build", NULL, NULL, check_build },
	{ "boot", "build", NULL, check_boot },
	{ "arguments", "boot", NULL, check_args },
	{ "stdout", "boot", NULL, check_stdout },
	{ "stdin", "boot", declares_eof, check_stdin },  /* the probe reads to EOF */
	{ "eof", "boot", declares_eof, check_eof },
	{ "log", "boot", declares_log, check_log },
	{ "exit status", "boot", NULL, check_exit },
	{ "shutdown", "boot", NULL, check_shutdown },
	{ "gdb", "boot", declares_gdb, check_gdb },
	{ "channel", "boot", declares_channel, check_channel },
	{ "delegation", "boot", declares_delegation, check_delegation },
};

#define NCHECKS (sizeof checks / sizeof checks[0])

/* --- the table --- */

static enum verdict
verdict_of(const struct row *rows, const char *name)
{
	for (size_t i = 0; i < NCHECKS; i++)
		if (!strcmp(checks[i].name, name))
			return rows[i].v;
	return FAIL;
}

static void
run_checks(struct conform *c, struct row *rows, bool json)
{
	for (size_t i = 0; i < NCHECKS; i++) {
		const struct check *k = &checks[i];
		if (stop_signal)
			verdict(&rows[i], SKIP, "interrupted");
		else if (k->declared && !k->declared(c))
			verdict(&rows[i], SKIP, "not declared by the kernel");
		else if (k->needs && verdict_of(rows, k->needs) != PASS)
			verdict(&rows[i], SKIP, "needs '%s' to pass", k->needs);
		else
			k->run(c, &rows[i]);
		if (!json) {
			printf("%-12s %-6s %s\n", k->name, verdict_word[rows[i].v],
			       rows[i].detail);
			fflush(stdout);
		}
	}
}

static void
print_json(const struct conform *c, const struct row *rows, bool ok)
{
	jv *o = jv_object(), *arr = jv_array();
	char *s;

	jv_set(o, "kernel", jv_string(c->s.label));
	jv_set(o, "from", jv_string(c->s.where));
	jv_set(o, "build", jv_string(c->s.k.build));
	for (size_t i = 0; i < NCHECKS; i++) {
		jv *r = jv_object();
		jv_set(r, "check", jv_string(checks[i].name));
		jv_set(r, "status", jv_string(verdict_word[rows[i].v]));
		jv_set(r, "detail", jv_string(rows[i].detail));
		jv_push(arr, r);
	}
	jv_set(o, "checks", arr);
	jv_set(o, "conforms", jv_boolean(ok));
	s = jv_dump(o, JV_PRETTY);
	fputs(s, stdout);
	free(s);
	jv_free(o);
}

static void
print_summary(const struct conform *c, const struct row *rows, bool ok)
{
	size_t n[3] = { 0, 0, 0 };
	struct strbuf failed = STRBUF_INIT;

	for (size_t i = 0; i < NCHECKS; i++) {
		n[rows[i].v]++;
		if (rows[i].v == FAIL)
			strbuf_addf(&failed, "%s%s", failed.len ? ", " : "", checks[i].name);
	}
	if (ok)
		printf("\n%s conforms to the kernel interface: %zu passed, %zu skipped\n",
		       c->s.label, n[PASS], n[SKIP]);
	else
		printf("\n%s does not conform: %zu failed (%s), %zu passed, %zu skipped\n",
		       c->s.label, n[FAIL], failed.buf, n[PASS], n[SKIP]);
	strbuf_release(&failed);
}

/* --- the command --- */

static void
conform_release(struct conform *c, bool keep)
{
	for (size_t i = 0; i < c->nruns; i++) {
		free(c->runs[i].what);
		strbuf_release(&c->runs[i].out);
		strbuf_release(&c->runs[i].err);
	}
	strbuf_release(&c->input);
	if (c->tmp && !keep)
		fs_rm_rf(c->tmp, NULL);
	subject_release(&c->s);
	free(c->self);
	free(c->tmp);
	free(c->app);
	free(c->net);
}

static int
setup(struct conform *c, struct dv_err *e)
{
	const char *tmpdir = getenv("TMPDIR");
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (n < 0)
		return dv_errno(e, "cannot find this diver (/proc/self/exe)");
	self[n] = '\0';
	c->self = xstrdup(self);
	c->tmp = xasprintf("%s/diver-conform.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(c->tmp)) {
		dv_errno(e, "cannot make a temporary directory '%s'", c->tmp);
		free(c->tmp);
		c->tmp = NULL;
		return -1;
	}
	c->app = fs_join(c->tmp, PROBE);
	c->net = fs_join(c->tmp, "net");
	strbuf_init(&c->input);
	return 0;
}

static void
catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int
conform(const char *target, const char *vname, struct conform *c, bool json,
	bool keep)
{
	struct row rows[NCHECKS];
	struct dv_err e = { "" };
	struct home h;
	bool ok = true;
	int rc;

	if (home_init(&h, &e) < 0)
		return fail(e.msg);
	rc = resolve_target(&h, target, vname, &c->s, &e);
	home_release(&h);
	if (rc < 0 || setup(c, &e) < 0)
		return fail(e.msg);
	catch_signals();
	memset(rows, 0, sizeof rows);
	if (!json)
		printf("checking %s (%s, build model %s) against the kernel interface\n"
		       "%-12s %-6s %s\n", c->s.label, c->s.where, c->s.k.build,
		       "CHECK", "RESULT", "DETAIL");
	fflush(stdout);
	run_checks(c, rows, json);
	for (size_t i = 0; i < NCHECKS; i++)
		ok &= rows[i].v != FAIL;
	if (json)
		print_json(c, rows, ok);
	else
		print_summary(c, rows, ok);
	if (keep)
		fprintf(stderr, "diver: the probe app and its outputs are in %s\n", c->tmp);
	return stop_signal ? 128 + stop_signal : ok ? 0 : 1;
}

int
cmd_conform(int argc, char **argv)
{
	struct conform c = { .bound = 20, .console = "uart" };
	const char *vname = NULL;
	bool json = false, keep = false;
	char *arg, *end;
	int opt, rc;

	while ((opt = cli_next(&command, argc, argv, &arg)) != -1) {
		switch (opt) {
		case OPT_VARIANT: vname = arg; break;
		case OPT_TIMEOUT:
			c.bound = strtod(arg, &end);
			if (*end || !(c.bound > 0) || !isfinite(c.bound) || c.bound > 86400)
				return cli_usage_error("diver conform", "--timeout '%s': "
						       "expected seconds", arg);
			break;
		case OPT_ACCEL: c.accel = arg; break;
		case OPT_KEEP: keep = true; break;
		case OPT_JSON: json = true; break;
		case 'h': cli_help(stdout, &command); return 0;
		case OPT_LIST_OPTIONS: cli_list_options(stdout, &command); return 0;
		default: return cli_usage_error("diver conform", "bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("diver conform", "expected one NET, REF or "
				       "release directory");
	if (c.accel && strcmp(c.accel, "auto") && strcmp(c.accel, "kvm") &&
	    strcmp(c.accel, "tcg"))
		return cli_usage_error("diver conform", "--accel '%s': expected auto, "
				       "kvm or tcg", c.accel);
	rc = conform(argv[optind], vname, &c, json, keep);
	conform_release(&c, keep);
	return rc;
}
