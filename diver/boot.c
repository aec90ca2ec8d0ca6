/*
 * boot.c — the command line, QEMU binary and accelerator choice shared by
 * the vm-mode backends (see boot.h).
 */
#include "boot.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fs.h"
#include "strbuf.h"

const char *
boot_qemu_binary(void)
{
	const char *q = getenv("DIVER_QEMU");

	return q && *q ? q : "qemu-system-x86_64";
}

/*
 * KVM only when it is the real thing: /dev/kvm opens, the CPU has hardware
 * virtualization (vmx or svm) and the hardware module is loaded.  A nested
 * paravirtual KVM (kvm-pvm) opens too, but runs guests far slower than TCG.
 */
static bool
kvm_is_real(void)
{
	struct strbuf sb = STRBUF_INIT;
	bool flags, module;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	if (fs_read_file("/proc/cpuinfo", 16 << 20, &sb, NULL) < 0)
		return false;
	flags = strstr(sb.buf, " vmx") || strstr(sb.buf, " svm");
	strbuf_release(&sb);
	module = fs_is_dir("/sys/module/kvm_intel") || fs_is_dir("/sys/module/kvm_amd");
	return flags && module;
}

/*
 * --accel auto: KVM only when it is hardware virtualization (a nested,
 * paravirtual KVM is far slower than TCG — host-facts.md).  The choice is
 * remembered in the cache, keyed by the host (kernel, CPU model) and the
 * QEMU binary, and said once on stderr when it is first made.
 */
static const char *
auto_accel(const struct home *h)
{
	struct utsname u;
	struct stat st;
	char key[512], *path = h ? fs_join(h->cache, "accel.json") : NULL;
	const char *accel;
	jv *v;

	uname(&u);
	if (stat(boot_qemu_binary(), &st) < 0)
		memset(&st, 0, sizeof st);
	snprintf(key, sizeof key, "%s %s %s %s %lld", u.nodename, u.release,
		 u.machine, boot_qemu_binary(), (long long)st.st_mtime);
	v = path && fs_is_file(path) ? jv_load_file(path, 65536, NULL) : NULL;
	if (v && jv_str(jv_get(v, "host")) && !strcmp(jv_str(jv_get(v, "host")), key) &&
	    jv_str(jv_get(v, "accel")) &&
	    (!strcmp(jv_str(jv_get(v, "accel")), "kvm") ||
	     !strcmp(jv_str(jv_get(v, "accel")), "tcg"))) {
		accel = !strcmp(jv_str(jv_get(v, "accel")), "kvm") ? "kvm" : "tcg";
		jv_free(v);
		free(path);
		return accel;
	}
	jv_free(v);
	accel = kvm_is_real() ? "kvm" : "tcg";
	fprintf(stderr, "diver: --accel auto chose %s: %s; remembered in %s "
		"(--accel kvm or tcg overrides)\n", !strcmp(accel, "kvm") ? "KVM" : "TCG",
		!strcmp(accel, "kvm") ? "/dev/kvm with hardware virtualization (vmx/svm)"
				      : "no /dev/kvm with hardware virtualization here "
					"(a paravirtual KVM is slower than TCG)",
		path ? path : "nothing");
	if (path) {
		jv *o = jv_object();
		char *text;
		jv_set(o, "host", jv_string(key));
		jv_set(o, "accel", jv_string(accel));
		text = jv_dump(o, JV_PRETTY);
		fs_write_atomic(path, text, strlen(text), 0644, NULL);
		free(text);
		jv_free(o);
	}
	free(path);
	return accel;
}

int
boot_choose_accel(const struct home *h, const char *want, const char **accel,
	     struct dv_err *e)
{
	if (!want || !strcmp(want, "auto")) {
		*accel = auto_accel(h);
		return 0;
	}
	if (!strcmp(want, "tcg")) {
		*accel = "tcg";
		return 0;
	}
	if (!strcmp(want, "kvm")) {
		if (access("/dev/kvm", R_OK | W_OK) < 0)
			return dv_errno(e, "--accel kvm: cannot use /dev/kvm (load kvm_intel "
					"or kvm_amd, and check its permissions)");
		*accel = "kvm";
		return 0;
	}
	return dv_errf(e, "--accel '%s': expected auto, kvm or tcg", want);
}

/* Every byte that is not plain printable ASCII travels as \xHH. */
static void
encode_arg(struct strbuf *sb, const char *a)
{
	if (!*a)
		strbuf_addstr(sb, "\"\"");
	for (const unsigned char *p = (const unsigned char *)a; *p; p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			strbuf_addch(sb, *p);
		else
			strbuf_addf(sb, "\\x%02x", *p);
	}
}

bool
boot_is_linux(const struct net *n)
{
	const char *boot = jv_str(jv_get(jv_get(n->json, "interface"), "boot"));
	const char *format = jv_str(jv_get(jv_get(n->json, "image"), "format"));

	return (boot && !strcmp(boot, "linux")) || (format && !strcmp(format, "bzimage"));
}

/*
 * Linux splits its command line at blanks (and at 0xa0) outside double
 * quotes and has no escapes: an argument with a blank is quoted whole.
 */
static void
linux_arg(struct strbuf *sb, const char *a)
{
	bool quote = !*a || strpbrk(a, " \xa0");

	strbuf_addf(sb, quote ? " \"%s\"" : " %s", a);
}

/* The log on COM2 (ttyS1); panic=-1 with -no-reboot ends QEMU on a panic. */
static char *
linux_cmdline(const struct dive_opts *o)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "console=ttyS1 quiet panic=-1 --");
	for (int i = 0; i < o->nargs; i++)
		linux_arg(&sb, o->args[i]);
	return strbuf_detach(&sb, NULL);
}

int
boot_check_args(const struct net *n, const struct dive_opts *o, struct dv_err *e)
{
	char *line;
	size_t len;

	if (!boot_is_linux(n))
		return 0;
	for (int i = 0; i < o->nargs; i++)
		for (const unsigned char *p = (const unsigned char *)o->args[i]; *p; p++)
			if (*p < 0x20 || *p == 0x7f || *p == '"')
				return dv_errf(e, "argument %d has a %s, which a Linux kernel "
					       "cannot pass to its init (it has no escapes); "
					       "give the app such data on stdin", i + 1,
					       *p == '"' ? "double quote" : "control byte");
	if (o->nargs > 31)
		return dv_errf(e, "%d arguments: a Linux kernel passes at most 31 to its "
			       "init; give the app the rest on stdin", o->nargs);
	line = linux_cmdline(o);
	len = strlen(line);
	free(line);
	if (len > 2047)
		return dv_errf(e, "the kernel command line would be %zu bytes; Linux "
			       "takes at most 2047: give the app long data on stdin", len);
	return 0;
}

char *
boot_cmdline(const struct net *n, const struct dive_opts *o)
{
	struct strbuf sb = STRBUF_INIT;
	const char *app = jv_str(jv_get(jv_get(n->json, "app"), "name"));

	if (boot_is_linux(n))
		return linux_cmdline(o);
	strbuf_addstr(&sb, "argv0=");
	encode_arg(&sb, app ? app : "app");
	strbuf_addstr(&sb, " --");
	for (int i = 0; i < o->nargs; i++) {
		strbuf_addch(&sb, ' ');
		encode_arg(&sb, o->args[i]);
	}
	return strbuf_detach(&sb, NULL);
}
