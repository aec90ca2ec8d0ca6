/*
 * tarball — deterministic tar.zst writing and safe tar.zst reading, and the
 * newc cpio archives of initramfs apps; the only module that sees libarchive.
 *
 * Owns: the tar.zst container of packages and bundles.  Writing is
 * deterministic: entries in the order added, owner 0:0, no user or group
 * names, a fixed mtime, modes 0644 or 0755, pax headers only when needed.
 * Reading is for untrusted input: only regular files (and, where allowed,
 * directories) pass; every path is checked component by component; every
 * entry's bytes and the whole stream are bounded in size and in compression
 * ratio.  Does not own what the entries mean (bundle.h, pkg.h).
 */
#ifndef DIVER_TARBALL_H
#define DIVER_TARBALL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "crypto.h"
#include "err.h"

struct tar_writer;

/*
 * Write a tar.zst stream to fd (not closed by the writer).  level is the
 * zstd level (1-19); mtime is stamped on every entry.
 */
struct tar_writer *tar_writer_open(int fd, int level, int64_t mtime,
				   struct dv_err *e);
/* Add a regular file from memory. */
int tar_writer_add_data(struct tar_writer *w, const char *name,
			const void *data, size_t len, bool executable,
			struct dv_err *e);
/*
 * Add a regular file from src, reading it once: if hex is not NULL it
 * receives the SHA-256 of the bytes written, and *size their count.
 */
int tar_writer_add_file(struct tar_writer *w, const char *name, const char *src,
			char hex[SHA256_HEX], uint64_t *size, struct dv_err *e);
/* Finish the stream (end-of-archive and zstd epilogue). */
int tar_writer_close(struct tar_writer *w, struct dv_err *e);
void tar_writer_free(struct tar_writer *w);

struct tar_limits {
	uint64_t max_entry;       /* bytes of one entry */
	uint64_t max_total;       /* bytes of all entries */
	uint64_t max_entries;     /* number of entries */
	uint64_t max_ratio;       /* uncompressed / compressed, after 1 MiB */
	bool allow_dirs;          /* directories pass (else refused) */
};

/* Limits for packages: 4 GiB per entry, 16 GiB in all, ratio 1000. */
extern const struct tar_limits tar_limits_default;

enum tar_type { TAR_FILE, TAR_DIR };

struct tar_entry {
	const char *path;         /* checked relative path, valid until next */
	enum tar_type type;
	uint64_t size;
	bool executable;
};

struct tar_reader;

/* name is used in messages ("package 'x'", "bundle 'y.dvb'"). */
struct tar_reader *tar_reader_open(int fd, const char *name,
				   const struct tar_limits *limits,
				   struct dv_err *e);
/* 1 with *ent filled, 0 at the end of the archive, -1 on error. */
int tar_reader_next(struct tar_reader *r, struct tar_entry *ent,
		    struct dv_err *e);
/* Read the current entry's bytes: count, 0 at its end, -1 on error. */
ssize_t tar_reader_read(struct tar_reader *r, void *buf, size_t n,
			struct dv_err *e);
/*
 * Read the rest of the current entry, writing it to out_fd (when >= 0) and
 * into h (when not NULL); *got receives the byte count.
 */
int tar_reader_stream(struct tar_reader *r, int out_fd, struct sha256 *h,
		      uint64_t *got, struct dv_err *e);
/* Compressed bytes consumed so far. */
uint64_t tar_reader_raw_bytes(struct tar_reader *r);
void tar_reader_free(struct tar_reader *r);

/*
 * Extract every entry of the archive at path into dir, which must exist and
 * be empty (a staging directory).  Files are created exclusively, never
 * through links.
 */
int tar_extract(const char *path, const char *dir, const char *name,
		const struct tar_limits *limits, struct dv_err *e);

/*
 * Write the tree under dir as an uncompressed newc cpio archive to fd (not
 * closed): what a Linux kernel unpacks as its initramfs, dir's contents at
 * "/".  Deterministic: depth first with names sorted bytewise, owner 0:0,
 * mtime on every entry, modes 0755 (directories, and files with any
 * execute bit) or 0644, inode numbers counted from 1.  Only regular files,
 * directories and symbolic links (kept as they are) are allowed.
 */
int cpio_write_tree(int fd, const char *dir, int64_t mtime, struct dv_err *e);

#endif
