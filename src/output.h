/* output.h: rows rendered as json, ndjson, csv, tsv or an aligned table */
#ifndef AGGR_OUTPUT_H
#define AGGR_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

enum out_format { OUT_JSON, OUT_NDJSON, OUT_CSV, OUT_TSV, OUT_TABLE };

/* Returns 0 and sets *f, or -1 for an unknown name. */
int out_format_parse(const char *s, enum out_format *f);
/* The name of f, as out_format_parse() reads it. */
const char *out_format_name(enum out_format f);

enum out_type { OUT_STR, OUT_INT, OUT_RAW /* JSON text, e.g. a number or an array */ };

struct out_col {
	const char *name;
	enum out_type type;
};

struct out_cell {
	size_t off, len;   /* string or raw text in the arena */
	int64_t i;
	int null;          /* JSON null; empty in csv, tsv and table */
};

/* A table of rows with fixed typed columns; cells are added row-major. */
struct out_table {
	const struct out_col *cols;
	size_t ncols;
	struct out_cell *cells;
	size_t ncells, cap;
	struct buf arena;
};

void out_table_init(struct out_table *t, const struct out_col *cols, size_t ncols);
void out_table_free(struct out_table *t);
void out_add_str(struct out_table *t, const char *s, size_t n);
void out_add_int(struct out_table *t, int64_t v);
void out_add_raw(struct out_table *t, const char *s, size_t n);
void out_add_null(struct out_table *t);
static inline size_t out_rows(const struct out_table *t) { return t->ncells / t->ncols; }

/*
 * Render rows [from, to) of t. json: one array of objects; ndjson: an object
 * per line; csv (RFC 4180) and tsv (\t \n \\ escaped): a header line, then
 * rows; table: aligned columns with a header. Appends to out.
 */
void out_render(const struct out_table *t, size_t from, size_t to, enum out_format f, struct buf *out);

/*
 * A long result written in pieces, so memory stays flat: add rows to t,
 * call out_stream_flush() now and then (it writes t's rows and empties t),
 * and out_stream_end() once. The output is what out_render() of every row
 * at once would give (json ends with a newline). A table aligns columns
 * over all rows, so it keeps them until the end. Both return 0 or EX_FAIL.
 */
struct out_stream {
	enum out_format f;
	uint64_t rows;           /* written so far */
};
int out_stream_flush(struct out_stream *s, struct out_table *t);
int out_stream_end(struct out_stream *s, struct out_table *t);

/* Render every row of t in format f to stdout (json ends with a newline).
 * Returns 0 or EX_FAIL (err_set) on a write error. */
int out_print(const struct out_table *t, enum out_format f);

/* Write out to stdout; returns 0 or EX_FAIL (err_set) on a write error. */
int out_write_stdout(const struct buf *out);

#endif
