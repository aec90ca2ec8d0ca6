/*
 * fs — paths, whole-file reads, and atomic replacement of files and
 * directories.
 *
 * Owns: "write to a temporary place, then rename" for every tool, so that a
 * failure or a kill never leaves a half-written file or directory behind;
 * checking relative paths that come from untrusted input.
 * Does not own: archives (archive.h) or locking (lock.h).
 */
#ifndef DIVER_FS_H
#define DIVER_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "strbuf.h"

/* Longest relative path accepted from untrusted input. */
#define FS_PATH_MAX 4096

/* Read a whole regular file into out (appending); refuse files over max. */
int fs_read_file(const char *path, size_t max, struct strbuf *out,
		 struct dv_err *e);

/* Write data to path atomically: a temporary file beside it, fsync, rename. */
int fs_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode, struct dv_err *e);

/*
 * For writers that stream: open a new temporary file beside path (*tmp gets
 * its name, owned by the caller), then either commit it (fsync, chmod,
 * close, rename onto path) or abort it (close, unlink).  Both close fd and
 * free *tmp.
 */
int fs_temp_open(const char *path, char **tmp, struct dv_err *e);
int fs_temp_commit(int fd, char *tmp, const char *path, mode_t mode,
		   struct dv_err *e);
void fs_temp_abort(int fd, char *tmp);

/* mkdir -p. */
int fs_mkdir_p(const char *path, mode_t mode, struct dv_err *e);

/* rm -rf, never following symlinks; a missing path is not an error. */
int fs_rm_rf(const char *path, struct dv_err *e);

/*
 * Create a fresh directory beside dest ("DEST.tmp-XXXXXX") for staging;
 * *out is allocated and owned by the caller.
 */
int fs_staging_dir(const char *dest, char **out, struct dv_err *e);

/*
 * Make staging become dest in one step.  When dest exists the two are
 * exchanged atomically (renameat2 RENAME_EXCHANGE) and the old content,
 * now at staging, is removed.  Readers of dest see either the old or the
 * new tree, never a mix.
 */
int fs_replace_dir(const char *staging, const char *dest, struct dv_err *e);

/* Copy a regular file (mode kept) or, recursively, a directory tree. */
int fs_copy_file(const char *src, const char *dst, struct dv_err *e);
int fs_copy_tree(const char *src, const char *dst, struct dv_err *e);

/*
 * The sorted names in a directory, "." and ".." left out.  *names is a
 * NULL-terminated array the caller frees with fs_names_free.
 */
int fs_list_dir(const char *path, char ***names, size_t *count,
		struct dv_err *e);
void fs_names_free(char **names);

bool fs_exists(const char *path);
bool fs_is_dir(const char *path);
bool fs_is_file(const char *path);

/* "a" + "/" + "b" (newly allocated). */
char *fs_join(const char *a, const char *b);

/*
 * Check a relative path from untrusted input: not empty, not absolute, at
 * most FS_PATH_MAX bytes, no "", "." or ".." component, no control bytes.
 * what names the source for the message (e.g. "bundle 'x.dvb': member").
 */
int fs_check_relative(const char *path, const char *what, struct dv_err *e);

/*
 * Create dir/rel exclusively (never through a link), making its parent
 * directories; returns the open descriptor.  An existing file is an error
 * that says so ("appears twice").
 */
int fs_create_beneath(const char *dir, const char *rel, bool executable,
		      struct dv_err *e);

/* Write all of len bytes, retrying short writes (waiting when fd is
 * non-blocking and full); -1 on an error (EPIPE). */
int fs_write_all(int fd, const void *data, size_t len);

/* fsync the directory holding path (after a rename into it). */
void fs_sync_parent(const char *path);

#endif
