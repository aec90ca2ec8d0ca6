/*
 * fetch — downloads over http(s), with libcurl.
 *
 * Owns: getting a URL into memory (small files: catalog.json and its
 * signature) or into a file, with the SHA-256 computed while the bytes
 * stream in and checked before the file is renamed into place; resuming an
 * interrupted download from DEST.part with an HTTP Range request (starting
 * over when the server ignores it); limits (a size cap, a stalled server
 * gives up after a while instead of hanging); a progress bar on a terminal;
 * one-line errors naming the URL.  Does not own where files go or locking:
 * callers hold a lock on DEST when several processes may fetch it.
 * libcurl is opened (dlopen) by the first download, so that commands that
 * never download do not pay for loading it; a host without libcurl4 gets
 * an error from that download.
 */
#ifndef DIVER_FETCH_H
#define DIVER_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

struct fetch_opts {
	const char *label;      /* what the progress bar names, e.g. "pebble 0.1.0" */
	const char *sha256;     /* expected hex digest, or NULL */
	uint64_t size;          /* expected size, 0 when unknown */
	uint64_t max;           /* refuse more than this many bytes; 0: no cap */
	bool progress;          /* draw a bar on stderr when it is a terminal */
};

/* http:// or https:// */
bool fetch_is_url(const char *s);

/* base + "/" + path, with exactly one slash between them. */
char *fetch_join(const char *base, const char *path);

/* GET url into out (reset first); more than max bytes is an error. */
int fetch_to_buf(const char *url, size_t max, struct strbuf *out,
		 struct dv_err *e);

/*
 * GET url into dest: the bytes go to DEST.part (continued when it exists
 * from an earlier, interrupted run), then are checked against o->size and
 * o->sha256 and renamed to dest.  A mismatch removes DEST.part.
 */
int fetch_to_file(const char *url, const char *dest, const struct fetch_opts *o,
		  struct dv_err *e);

/*
 * Tuning for tests and slow links, from the environment:
 * DIVER_FETCH_STALL (seconds without progress before giving up, default 30),
 * DIVER_FETCH_CONNECT (connect timeout in seconds, default 15).
 */

#endif
