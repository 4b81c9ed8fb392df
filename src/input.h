/* input.h: records from files or stdin: JSON lines, a JSON array, or pretty-printed
 * JSON objects one after another; plain or gzip */
#ifndef AGGR_INPUT_H
#define AGGR_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "sha256.h"
#include "util.h"

#define INPUT_MAX_RECORD (16u << 20)

struct input {
	const char *name;        /* as given, "-" shown as "<stdin>" */
	int fd;
	int gzip;                /* 1 once the gzip magic was seen */
	z_stream zs;
	int zs_ready, zs_end;    /* inflate state; zs_end: a member just ended */
	unsigned char *raw;      /* compressed bytes read, when gzip */
	size_t raw_cap;
	int raw_eof;
	char *buf;               /* decoded bytes */
	size_t cap, start, end;
	int eof;
	int after_comma;         /* the last element ended with ',' */
	int mode;                /* 0 undecided, 1 JSON lines, 2 JSON array, 3 array done,
				    4 JSON documents spanning lines */
	uint64_t line;           /* line of the record returned last */
	uint64_t rec_col;        /* its first byte's column (0-based bytes) */
	uint64_t col;            /* column of buf[start] */
	uint64_t next_line;      /* line at buf[start] */
	uint64_t bytes_in;       /* bytes read from the file (compressed) */
	struct sha256 *sum;      /* when set (after input_open), every byte read
				    from the file is added to it, as read */
};

/* Open path ("-" for stdin). Returns 0, or EX_FAIL/EX_PERM/EX_NOTFOUND. */
int input_open(struct input *in, const char *path);

#define INPUT_RECORD (-1)

/*
 * Next record's text: one JSON line, one array element, or one of a series
 * of JSON documents that span lines. The form is set at the start: an
 * input whose first byte (blanks aside) is '[' is an array; one whose
 * first line opens an object that stays open at the line's end is
 * documents; anything else is lines. Blank lines are skipped, and so is a
 * UTF-8 byte order mark at the start. Returns
 * INPUT_RECORD with *rec and *len set (valid until the next call) and
 * in->line, in->rec_col where it starts; 0 at the end; or an error code
 * (err_set called): EX_DATA for input that is not records (damaged gzip, an
 * array that never closes, a record over 16 MiB), EX_FAIL or EX_PERM for
 * I/O.
 */
int input_next(struct input *in, const char **rec, size_t *len);

/*
 * Where json_parse's complaint why about rec[0..len), the record returned
 * last, is in the input: rewrites the "at byte N" that ends why, N counted
 * in rec, to count on the input line the byte is on (from 1), and returns
 * that line. A why without such an ending is left as it is and the
 * record's first line returned. Both ingest and stream publish report
 * invalid JSON this way, "FILE:LINE: invalid JSON: WHY".
 */
uint64_t input_json_where(const struct input *in, const char *rec, size_t len, char *why, size_t wn);

void input_close(struct input *in);

#endif
