/*
 * journal — the undo journal of a dive that takes resources from the host
 * (cores, memory blocks, kernel modules, a co-kernel instance).
 *
 * Owns: data/journal/<id>.jsonl (docs/formats.md "Undo journal"): before
 * each reservation step the backend appends the step's undo action and
 * the line is fsync'd; once the step has happened a "done" line follows.
 * The dive holds an flock on the file while it lives.  Unwinding runs
 * every undo action in reverse order, records each one as it completes
 * (so an interrupted unwind resumes where it stopped) and removes the
 * file.  diver recover unwinds the journals no living dive holds (after
 * a kill -9).  Undo actions are a tool to run or a host attribute to
 * write back (host.h), nothing else.
 * Does not own: what the steps are (the backends).
 */
#ifndef DIVER_JOURNAL_H
#define DIVER_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "diver.h"

struct journal;

/* An undo action: run argv (in cwd), or write value to a host attribute. */
struct undo {
	char *const *argv;      /* NULL-terminated, or NULL for a write */
	const char *cwd;        /* NULL: any */
	int retries;            /* run again up to this often while it fails */
	const char *path;       /* "/sys/..." (under DIVER_SYSROOT) */
	const char *value;
};

/*
 * A new journal for backend's dive, created and locked; workdir (diver's
 * own generated files, may be NULL) is removed once everything is undone.
 */
struct journal *journal_open(const struct home *h, const char *backend,
			     const char *net, const char *workdir,
			     struct dv_err *e);
/* Before a step: what it does (for messages) and how to undo it. */
int journal_step(struct journal *j, const char *what, const struct undo *u,
		 struct dv_err *e);
/* The last step happened. */
int journal_done(struct journal *j, struct dv_err *e);
/*
 * Undo every step in reverse order and remove the journal.  An undo that
 * fails for a step that had happened stops it there (what is left may
 * depend on it; the journal keeps it for diver recover); one whose step
 * may not have happened is not an error.
 */
int journal_unwind(struct journal *j, struct dv_err *e);
/* Unlock and free (after journal_unwind; a leftover stays on disk). */
void journal_free(struct journal *j);

/* What diver recover found in one leftover journal. */
struct journal_report {
	char *path;
	char *backend;
	long pid;
	bool busy;              /* a living dive holds it: left alone */
	size_t undone;          /* undo actions run */
	char error[DV_ERR_MAX]; /* "" when it was unwound completely */
};

/*
 * Unwind every leftover journal (or only list them when list_only).
 * *reports is an array of *n, freed with journal_reports_free.
 */
int journal_recover(const struct home *h, bool list_only,
		    struct journal_report **reports, size_t *n, struct dv_err *e);
void journal_reports_free(struct journal_report *r, size_t n);

#endif
