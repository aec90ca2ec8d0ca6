/*
 * search_index — a flat, memory-mapped index of a source's kernels for
 * `diver search` (search_index.c says the format).  Made when a source's
 * catalog is verified (sources.c) and again whenever it is stale.
 */
#ifndef DIVER_SEARCH_INDEX_H
#define DIVER_SEARCH_INDEX_H

#include "diver.h"

enum { SI_NAME, SI_VERSION, SI_BUILD, SI_TAGS, SI_ARCH, SI_MODES, SI_SUMMARY,
       SI_TEXT };

struct search_index {
	const char *map, *pos;
	size_t len;
};

/* One kernel: field[i] is flen[i] bytes (not NUL-terminated). */
struct search_row {
	const char *field[8];
	int flen[8];
};

int search_index_write(const struct home *h, const struct source *src,
		       const struct catalog *cat, struct dv_err *e);
int search_index_open(const struct home *h, struct source *src,
		      struct search_index *ix, struct dv_err *e);
/* 1 with *row filled, 0 at the end. */
int search_index_next(struct search_index *ix, struct search_row *row);
/* The same, skipping straight to the next line that holds needle (one
 * scan over the map instead of splitting every line); the caller still
 * checks which field holds it. */
int search_index_next_containing(struct search_index *ix, const char *needle,
				 struct search_row *row);
void search_index_close(struct search_index *ix);

#endif
