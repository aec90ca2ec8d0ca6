#include "tarball.h"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "fs.h"
#include "strbuf.h"

/*
 * libarchive is opened with dlopen when the first archive is read or
 * written, not at start-up: it brings libxml2, ICU and libstdc++ along, and
 * loading them is about 1.7 ms of every start of every tool, commands that
 * never touch an archive (dive, list, search) included (docs/benchmarks.md).
 * LA lists every function used below; the macros after la_load make each
 * call go through its pointer.
 */
#define LIBARCHIVE_SONAME "libarchive.so.13"

#define LA(X) \
	X(archive_entry_filetype) X(archive_entry_free) \
	X(archive_entry_hardlink) X(archive_entry_new) \
	X(archive_entry_pathname) X(archive_entry_perm) \
	X(archive_entry_set_filetype) X(archive_entry_set_gid) \
	X(archive_entry_set_ino) X(archive_entry_set_mtime) \
	X(archive_entry_set_nlink) X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) X(archive_entry_set_size) \
	X(archive_entry_set_symlink) X(archive_entry_set_uid) \
	X(archive_entry_size) X(archive_entry_size_is_set) \
	X(archive_error_string) X(archive_filter_bytes) X(archive_read_data) \
	X(archive_read_free) X(archive_read_new) X(archive_read_next_header) \
	X(archive_read_open_fd) X(archive_read_support_filter_zstd) \
	X(archive_read_support_format_tar) X(archive_write_close) \
	X(archive_write_data) X(archive_write_free) X(archive_write_header) \
	X(archive_write_new) X(archive_write_open2) \
	X(archive_write_set_bytes_in_last_block) \
	X(archive_write_set_format_cpio_newc) \
	X(archive_write_set_format_pax_restricted)

static struct {
#define LA_SLOT(f) __typeof__(f) *f;
	LA(LA_SLOT)
#undef LA_SLOT
	char error[256];        /* why loading failed; "" when it worked */
} la;

static pthread_once_t la_once = PTHREAD_ONCE_INIT;

static void
la_open(void)
{
	void *so = dlopen(LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!so) {
		snprintf(la.error, sizeof la.error, "cannot load %s (%s): install "
			 "libarchive13 (scripts/install-deps does)", LIBARCHIVE_SONAME,
			 dlerror());
		return;
	}
#define LA_SYM(f) \
	if (!la.error[0] && !(*(void **)&la.f = dlsym(so, #f))) \
		snprintf(la.error, sizeof la.error, "'%s' has no '%s': install " \
			 "libarchive13 3.6 or newer", LIBARCHIVE_SONAME, #f);
	LA(LA_SYM)
#undef LA_SYM
}

/* 0 once libarchive is loaded (from any thread); else -1 and why, in e. */
static int
la_load(struct dv_err *e)
{
	pthread_once(&la_once, la_open);
	if (!la.error[0])
		return 0;
	return e ? dv_errf(e, "%s", la.error) : -1;
}

#define LA_CALL(f) (*la.f)
#define archive_entry_filetype LA_CALL(archive_entry_filetype)
#define archive_entry_free LA_CALL(archive_entry_free)
#define archive_entry_hardlink LA_CALL(archive_entry_hardlink)
#define archive_entry_new LA_CALL(archive_entry_new)
#define archive_entry_pathname LA_CALL(archive_entry_pathname)
#define archive_entry_perm LA_CALL(archive_entry_perm)
#define archive_entry_set_filetype LA_CALL(archive_entry_set_filetype)
#define archive_entry_set_gid LA_CALL(archive_entry_set_gid)
#define archive_entry_set_ino LA_CALL(archive_entry_set_ino)
#define archive_entry_set_mtime LA_CALL(archive_entry_set_mtime)
#define archive_entry_set_nlink LA_CALL(archive_entry_set_nlink)
#define archive_entry_set_pathname LA_CALL(archive_entry_set_pathname)
#define archive_entry_set_perm LA_CALL(archive_entry_set_perm)
#define archive_entry_set_size LA_CALL(archive_entry_set_size)
#define archive_entry_set_symlink LA_CALL(archive_entry_set_symlink)
#define archive_entry_set_uid LA_CALL(archive_entry_set_uid)
#define archive_entry_size LA_CALL(archive_entry_size)
#define archive_entry_size_is_set LA_CALL(archive_entry_size_is_set)
#define archive_error_string LA_CALL(archive_error_string)
#define archive_filter_bytes LA_CALL(archive_filter_bytes)
#define archive_read_data LA_CALL(archive_read_data)
#define archive_read_free LA_CALL(archive_read_free)
#define archive_read_new LA_CALL(archive_read_new)
#define archive_read_next_header LA_CALL(archive_read_next_header)
#define archive_read_open_fd LA_CALL(archive_read_open_fd)
#define archive_read_support_filter_zstd LA_CALL(archive_read_support_filter_zstd)
#define archive_read_support_format_tar LA_CALL(archive_read_support_format_tar)
#define archive_write_close LA_CALL(archive_write_close)
#define archive_write_data LA_CALL(archive_write_data)
#define archive_write_free LA_CALL(archive_write_free)
#define archive_write_header LA_CALL(archive_write_header)
#define archive_write_new LA_CALL(archive_write_new)
#define archive_write_open2 LA_CALL(archive_write_open2)
#define archive_write_set_bytes_in_last_block LA_CALL(archive_write_set_bytes_in_last_block)
#define archive_write_set_format_cpio_newc LA_CALL(archive_write_set_format_cpio_newc)
#define archive_write_set_format_pax_restricted LA_CALL(archive_write_set_format_pax_restricted)

#define IO_CHUNK (256 * 1024)
/*
 * A tar stream up to this size is compressed in one go once its size is
 * known, so zstd sizes its tables to the input (a level-19 stream of a few
 * KiB would otherwise set up tens of MiB of tables).  Larger streams are
 * compressed as they are written.
 */
#define PLEDGE_MAX (8u << 20)

const struct tar_limits tar_limits_default = {
	.max_entry = 4ULL << 30,
	.max_total = 16ULL << 30,
	.max_entries = 1000000,
	.max_ratio = 1000,
	.allow_dirs = true,
};

struct tar_writer {
	struct archive *a;
	int64_t mtime;
	unsigned char *buf;
	int fd;
	ZSTD_CCtx *zc;
	struct strbuf tar;          /* tar bytes not yet compressed */
	bool streaming;             /* over PLEDGE_MAX: compressing as we go */
	int err;                    /* errno of a failed write, for messages */
};

/* Compress w->tar (all of it when end) and write the output to w->fd. */
static int
zstd_flush(struct tar_writer *w, bool end)
{
	ZSTD_inBuffer in = { w->tar.buf, w->tar.len, 0 };
	size_t cap = ZSTD_CStreamOutSize(), left;
	unsigned char *out = xmalloc(cap);
	int rc = 0;

	if (end && !w->streaming)
		ZSTD_CCtx_setPledgedSrcSize(w->zc, w->tar.len);
	do {
		ZSTD_outBuffer o = { out, cap, 0 };
		left = ZSTD_compressStream2(w->zc, &o, &in,
					    end ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(left) || fs_write_all(w->fd, out, o.pos) < 0) {
			w->err = ZSTD_isError(left) ? EIO : errno;
			rc = -1;
			break;
		}
	} while (end ? left != 0 : in.pos < in.size);
	free(out);
	strbuf_reset(&w->tar);
	return rc;
}

static la_ssize_t
tar_out(struct archive *a, void *data, const void *buf, size_t len)
{
	struct tar_writer *w = data;

	(void)a;
	strbuf_add(&w->tar, buf, len);
	if (w->tar.len > PLEDGE_MAX) {
		w->streaming = true;
		if (zstd_flush(w, false) < 0)
			return -1;
	}
	return (la_ssize_t)len;
}

struct tar_writer *
tar_writer_open(int fd, int level, int64_t mtime, struct dv_err *e)
{
	struct tar_writer *w;

	if (la_load(e) < 0)
		return NULL;
	w = xcalloc(1, sizeof *w);
	strbuf_init(&w->tar);
	w->fd = fd;
	w->mtime = mtime;
	w->a = archive_write_new();
	w->zc = ZSTD_createCCtx();
	if (!w->a || !w->zc ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_checksumFlag, 1)) ||
	    archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open2(w->a, w, NULL, tar_out, NULL, NULL) != ARCHIVE_OK) {
		dv_errf(e, "cannot start a tar.zst stream: %s",
			w->a ? archive_error_string(w->a) : "out of memory");
		tar_writer_free(w);
		return NULL;
	}
	return w;
}

static int
write_header(struct tar_writer *w, const char *name, uint64_t size,
	     bool executable, struct dv_err *e)
{
	struct archive_entry *ent = archive_entry_new();
	int rc;

	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, AE_IFREG);
	archive_entry_set_perm(ent, executable ? 0755 : 0644);
	archive_entry_set_size(ent, (la_int64_t)size);
	archive_entry_set_mtime(ent, w->mtime, 0);
	archive_entry_set_uid(ent, 0);
	archive_entry_set_gid(ent, 0);
	rc = archive_write_header(w->a, ent);
	archive_entry_free(ent);
	if (rc != ARCHIVE_OK)
		return dv_errf(e, "cannot write entry '%s': %s", name,
			       archive_error_string(w->a));
	return 0;
}

static int
write_data(struct tar_writer *w, const char *name, const void *data, size_t len,
	   struct dv_err *e)
{
	la_ssize_t n = archive_write_data(w->a, data, len);

	if (n < 0 || (size_t)n != len)
		return dv_errf(e, "cannot write entry '%s': %s", name,
			       archive_error_string(w->a));
	return 0;
}

int
tar_writer_add_data(struct tar_writer *w, const char *name, const void *data,
		    size_t len, bool executable, struct dv_err *e)
{
	if (write_header(w, name, len, executable, e) < 0)
		return -1;
	return len ? write_data(w, name, data, len, e) : 0;
}

int
tar_writer_add_file(struct tar_writer *w, const char *name, const char *src,
		    char hex[SHA256_HEX], uint64_t *size, struct dv_err *e)
{
	struct sha256 *h = NULL;
	struct stat st;
	uint64_t left;
	ssize_t n = 0;
	int rc = -1, fd;

	fd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return dv_errno(e, "cannot open '%s'", src);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		dv_errf(e, "'%s' is not a regular file", src);
		goto out;
	}
	if (write_header(w, name, (uint64_t)st.st_size, st.st_mode & 0100, e) < 0)
		goto out;
	if (!w->buf)
		w->buf = xmalloc(IO_CHUNK);
	if (hex)
		h = sha256_new();
	for (left = (uint64_t)st.st_size; left > 0; left -= (uint64_t)n) {
		n = read(fd, w->buf, left < IO_CHUNK ? left : IO_CHUNK);
		if (n <= 0) {
			if (n < 0)
				dv_errno(e, "cannot read '%s'", src);
			else
				dv_errf(e, "'%s' shrank while being read", src);
			goto out;
		}
		if (h)
			sha256_update(h, w->buf, (size_t)n);
		if (write_data(w, name, w->buf, (size_t)n, e) < 0)
			goto out;
	}
	if (h)
		sha256_final_hex(h, hex);
	if (size)
		*size = (uint64_t)st.st_size;
	rc = 0;
out:
	sha256_free(h);
	close(fd);
	return rc;
}

int
tar_writer_close(struct tar_writer *w, struct dv_err *e)
{
	if (archive_write_close(w->a) != ARCHIVE_OK || zstd_flush(w, true) < 0) {
		if (w->err)
			return dv_errf(e, "cannot write the tar.zst stream: %s",
				       strerror(w->err));
		return dv_errf(e, "cannot finish the tar.zst stream: %s",
			       archive_error_string(w->a));
	}
	return 0;
}

void
tar_writer_free(struct tar_writer *w)
{
	if (!w)
		return;
	if (w->a)
		archive_write_free(w->a);
	ZSTD_freeCCtx(w->zc);
	strbuf_release(&w->tar);
	free(w->buf);
	free(w);
}

struct tar_reader {
	struct archive *a;
	char *name;
	struct tar_limits limits;
	uint64_t entries, total;
	char *path;
};

struct tar_reader *
tar_reader_open(int fd, const char *name, const struct tar_limits *limits,
		struct dv_err *e)
{
	struct tar_reader *r;

	if (la_load(e) < 0)
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->a = archive_read_new();
	r->name = xstrdup(name);
	r->limits = limits ? *limits : tar_limits_default;
	if (!r->a || archive_read_support_filter_zstd(r->a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(r->a) != ARCHIVE_OK ||
	    archive_read_open_fd(r->a, fd, 64 * 1024) != ARCHIVE_OK) {
		dv_errf(e, "%s: damaged, truncated or not a tar.zst file: %s", name,
			r->a ? archive_error_string(r->a) : "out of memory");
		tar_reader_free(r);
		return NULL;
	}
	return r;
}

static const char *
type_name(mode_t type)
{
	switch (type) {
	case AE_IFLNK: return "a symbolic link";
	case AE_IFCHR: return "a character device";
	case AE_IFBLK: return "a block device";
	case AE_IFIFO: return "a FIFO";
	case AE_IFSOCK: return "a socket";
	case AE_IFDIR: return "a directory";
	default: return "not a regular file";
	}
}

static int
check_entry(struct tar_reader *r, struct archive_entry *ae,
	    struct tar_entry *ent, struct dv_err *e)
{
	mode_t type = archive_entry_filetype(ae);
	const char *p = archive_entry_pathname(ae);
	size_t len;
	char *what;
	int rc;

	if (!p)
		return dv_errf(e, "%s: an entry has no path", r->name);
	free(r->path);
	r->path = xstrdup(p);
	len = strlen(r->path);
	if (type == AE_IFDIR && len > 1 && r->path[len - 1] == '/')
		r->path[len - 1] = '\0';
	what = xasprintf("%s: member", r->name);
	rc = fs_check_relative(r->path, what, e);
	free(what);
	if (rc < 0)
		return -1;
	if (archive_entry_hardlink(ae))
		return dv_errf(e, "%s: member '%s' is a hard link; only regular "
			       "files are allowed", r->name, r->path);
	if (type != AE_IFREG && !(type == AE_IFDIR && r->limits.allow_dirs))
		return dv_errf(e, "%s: member '%s' is %s; only regular files are "
			       "allowed", r->name, r->path, type_name(type));
	ent->path = r->path;
	ent->type = type == AE_IFDIR ? TAR_DIR : TAR_FILE;
	ent->size = archive_entry_size_is_set(ae) ? (uint64_t)archive_entry_size(ae) : 0;
	ent->executable = (archive_entry_perm(ae) & 0100) != 0;
	return 0;
}

int
tar_reader_next(struct tar_reader *r, struct tar_entry *ent, struct dv_err *e)
{
	struct archive_entry *ae;
	int rc = archive_read_next_header(r->a, &ae);

	if (rc == ARCHIVE_EOF)
		return 0;
	if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
		return dv_errf(e, "%s: damaged or truncated: %s", r->name,
			       archive_error_string(r->a));
	if (++r->entries > r->limits.max_entries)
		return dv_errf(e, "%s: more than %llu members", r->name,
			       (unsigned long long)r->limits.max_entries);
	if (check_entry(r, ae, ent, e) < 0)
		return -1;
	if (ent->size > r->limits.max_entry)
		return dv_errf(e, "%s: member '%s' is larger than the limit of "
			       "%llu bytes", r->name, ent->path,
			       (unsigned long long)r->limits.max_entry);
	r->total += ent->size;
	if (r->total > r->limits.max_total)
		return dv_errf(e, "%s: members add up to more than the limit of "
			       "%llu bytes", r->name,
			       (unsigned long long)r->limits.max_total);
	return 1;
}

ssize_t
tar_reader_read(struct tar_reader *r, void *buf, size_t n, struct dv_err *e)
{
	la_ssize_t got = archive_read_data(r->a, buf, n);
	uint64_t raw, plain;

	if (got < 0)
		return dv_errf(e, "%s: damaged or truncated at member '%s': %s",
			       r->name, r->path ? r->path : "?",
			       archive_error_string(r->a));
	raw = (uint64_t)archive_filter_bytes(r->a, -1);
	plain = (uint64_t)archive_filter_bytes(r->a, 0);
	if (plain > (1u << 20) && plain / (raw ? raw : 1) > r->limits.max_ratio)
		return dv_errf(e, "%s: compression ratio over %llu:1 at member "
			       "'%s'; refusing a likely decompression bomb",
			       r->name, (unsigned long long)r->limits.max_ratio,
			       r->path ? r->path : "?");
	return got;
}

uint64_t
tar_reader_raw_bytes(struct tar_reader *r)
{
	return (uint64_t)archive_filter_bytes(r->a, -1);
}

void
tar_reader_free(struct tar_reader *r)
{
	if (!r)
		return;
	if (r->a)
		archive_read_free(r->a);
	free(r->name);
	free(r->path);
	free(r);
}

int
tar_reader_stream(struct tar_reader *r, int out_fd, struct sha256 *h,
		  uint64_t *got, struct dv_err *e)
{
	unsigned char *buf = xmalloc(IO_CHUNK);
	ssize_t n;

	*got = 0;
	while ((n = tar_reader_read(r, buf, IO_CHUNK, e)) > 0) {
		*got += (uint64_t)n;
		if (h)
			sha256_update(h, buf, (size_t)n);
		if (out_fd >= 0 && fs_write_all(out_fd, buf, (size_t)n) < 0) {
			n = dv_errno(e, "%s: cannot write member '%s'", r->name,
				     r->path);
			break;
		}
	}
	free(buf);
	return n < 0 ? -1 : 0;
}

static int
extract_file(struct tar_reader *r, const struct tar_entry *ent,
	     const char *dir, struct dv_err *e)
{
	uint64_t got;
	int fd, rc;

	fd = fs_create_beneath(dir, ent->path, ent->executable, e);
	if (fd < 0)
		return dv_err_prefix(e, "%s", r->name);
	rc = tar_reader_stream(r, fd, NULL, &got, e);
	if (close(fd) < 0 && rc == 0)
		rc = dv_errno(e, "%s: cannot write member '%s'", r->name, ent->path);
	if (rc == 0 && got != ent->size)
		rc = dv_errf(e, "%s: member '%s' is truncated", r->name, ent->path);
	return rc;
}

int
tar_extract(const char *path, const char *dir, const char *name,
	    const struct tar_limits *limits, struct dv_err *e)
{
	struct tar_reader *r;
	struct tar_entry ent;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dv_errno(e, "cannot open '%s'", path);
	r = tar_reader_open(fd, name, limits, e);
	if (!r) {
		close(fd);
		return -1;
	}
	while ((rc = tar_reader_next(r, &ent, e)) > 0) {
		if (ent.type == TAR_DIR) {
			char *d = fs_join(dir, ent.path);
			rc = fs_mkdir_p(d, 0755, e);
			free(d);
		} else {
			rc = extract_file(r, &ent, dir, e);
		}
		if (rc < 0)
			break;
	}
	tar_reader_free(r);
	close(fd);
	return rc < 0 ? -1 : 0;
}

/* --- newc cpio (initramfs) --- */

struct cpio_writer {
	struct archive *a;
	int fd;
	int64_t mtime;
	unsigned ino;
	unsigned char *buf;
	int err;
};

static la_ssize_t
cpio_out(struct archive *a, void *data, const void *buf, size_t len)
{
	struct cpio_writer *w = data;

	(void)a;
	if (fs_write_all(w->fd, buf, len) < 0) {
		w->err = errno;
		return -1;
	}
	return (la_ssize_t)len;
}

/* One entry's header: normalized mode, owner 0:0, a fixed mtime. */
static struct archive_entry *
cpio_entry(struct cpio_writer *w, const char *name, const struct stat *st)
{
	struct archive_entry *ent = archive_entry_new();
	mode_t perm = S_ISDIR(st->st_mode) || st->st_mode & 0111 ? 0755 : 0644;

	archive_entry_set_pathname(ent, name);
	if (S_ISLNK(st->st_mode)) {
		archive_entry_set_filetype(ent, AE_IFLNK);
		perm = 0777;
	} else
		archive_entry_set_filetype(ent, S_ISDIR(st->st_mode) ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(ent, perm);
	archive_entry_set_mtime(ent, w->mtime, 0);
	archive_entry_set_uid(ent, 0);
	archive_entry_set_gid(ent, 0);
	/* distinct inode numbers and one link each: the kernel's unpacker
	 * takes entries that share (ino, nlink >= 2) for hard links */
	archive_entry_set_ino(ent, ++w->ino);
	archive_entry_set_nlink(ent, S_ISDIR(st->st_mode) ? 2 : 1);
	archive_entry_set_size(ent, 0);
	return ent;
}

static int
cpio_header(struct cpio_writer *w, struct archive_entry *ent, const char *name,
	    struct dv_err *e)
{
	int rc = archive_write_header(w->a, ent);

	archive_entry_free(ent);
	if (rc != ARCHIVE_OK)
		return dv_errf(e, "cannot write '%s' into the initramfs: %s", name,
			       archive_error_string(w->a));
	return 0;
}

static int
cpio_add_link(struct cpio_writer *w, const char *src, const char *name,
	      const struct stat *st, struct dv_err *e)
{
	char target[4096];
	ssize_t n = readlink(src, target, sizeof target - 1);
	struct archive_entry *ent;

	if (n < 0)
		return dv_errno(e, "cannot read the link '%s'", src);
	target[n] = '\0';
	ent = cpio_entry(w, name, st);
	archive_entry_set_symlink(ent, target);
	return cpio_header(w, ent, name, e);
}

static int
cpio_add_file(struct cpio_writer *w, const char *src, const char *name,
	      struct dv_err *e)
{
	struct archive_entry *ent;
	struct stat st;
	uint64_t left;
	ssize_t n = 0;
	int rc = -1, fd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return dv_errno(e, "cannot open '%s'", src);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		dv_errf(e, "'%s' is not a regular file", src);
		goto out;
	}
	ent = cpio_entry(w, name, &st);
	archive_entry_set_size(ent, (la_int64_t)st.st_size);
	if (cpio_header(w, ent, name, e) < 0)
		goto out;
	for (left = (uint64_t)st.st_size; left > 0; left -= (uint64_t)n) {
		n = read(fd, w->buf, left < IO_CHUNK ? left : IO_CHUNK);
		if (n <= 0) {
			dv_errf(e, "cannot read '%s': %s", src,
				n < 0 ? strerror(errno) : "it shrank while being read");
			goto out;
		}
		if (archive_write_data(w->a, w->buf, (size_t)n) != n) {
			dv_errf(e, "cannot write '%s' into the initramfs: %s", name,
				archive_error_string(w->a));
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Add what dir (at name, "" for the top) holds, depth first, sorted. */
static int
cpio_add_tree(struct cpio_writer *w, const char *dir, const char *name,
	      struct dv_err *e)
{
	char **names;
	int rc = 0;

	if (fs_list_dir(dir, &names, NULL, e) < 0)
		return -1;
	for (char **p = names; *p && rc == 0; p++) {
		char *src = fs_join(dir, *p);
		char *sub = *name ? xasprintf("%s/%s", name, *p) : xstrdup(*p);
		struct stat st;
		if (lstat(src, &st) < 0)
			rc = dv_errno(e, "cannot read '%s'", src);
		else if (S_ISDIR(st.st_mode))
			rc = cpio_header(w, cpio_entry(w, sub, &st), sub, e) < 0 ? -1 :
			     cpio_add_tree(w, src, sub, e);
		else if (S_ISREG(st.st_mode))
			rc = cpio_add_file(w, src, sub, e);
		else if (S_ISLNK(st.st_mode))
			rc = cpio_add_link(w, src, sub, &st, e);
		else
			rc = dv_errf(e, "'%s' is a device, FIFO or socket; an initramfs "
				     "holds only files, directories and symbolic links "
				     "(make devices at run time: devtmpfs)", src);
		free(sub);
		free(src);
	}
	fs_names_free(names);
	return rc;
}

int
cpio_write_tree(int fd, const char *dir, int64_t mtime, struct dv_err *e)
{
	struct cpio_writer w = { .fd = fd, .mtime = mtime };
	int rc = -1;

	if (la_load(e) < 0)
		return -1;
	w.a = archive_write_new();
	if (!w.a || archive_write_set_format_cpio_newc(w.a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w.a, 1) != ARCHIVE_OK ||
	    archive_write_open2(w.a, &w, NULL, cpio_out, NULL, NULL) != ARCHIVE_OK) {
		dv_errf(e, "cannot start a cpio archive: %s",
			w.a ? archive_error_string(w.a) : "out of memory");
		goto out;
	}
	w.buf = xmalloc(IO_CHUNK);
	if (cpio_add_tree(&w, dir, "", e) < 0)
		goto out;
	if (archive_write_close(w.a) != ARCHIVE_OK) {
		dv_errf(e, "cannot finish the initramfs of '%s': %s", dir,
			w.err ? strerror(w.err) : archive_error_string(w.a));
		goto out;
	}
	rc = 0;
out:
	if (w.a)
		archive_write_free(w.a);
	free(w.buf);
	return rc;
}
