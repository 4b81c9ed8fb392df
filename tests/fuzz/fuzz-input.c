/* fuzz-input: the input bytes as a file read with input_open/input_next:
 * gzip detection and inflate, JSON array splitting, line splitting,
 * documents spanning lines (the form ingest and stream publish share), the
 * byte order mark, over-long records. Reading must end with 0 or an error
 * code, never crash or hang; every record is then given to json_parse, as
 * ingest does. For plain input the positions are checked against the bytes:
 * each record is where in.line and in.rec_col say, and input_json_where
 * puts a parse error on the byte the parser named. And a JSON object
 * written twice, a line end between, reads as exactly two records that are
 * it (what the documents' splitter promised before it joined input.c). */
#include "fuzz.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "json.h"

static char path[4096];

/* Write the input to a file of this process; the caller unlinks it once
 * opened, so nothing is left behind however the process ends. */
static void write_input(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(path, sizeof(path), "%s/aggr-fuzz-input.%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd < 0 || write_full(fd, data, size) < 0) {
		perror("fuzz-input: cannot write the input file");
		abort();
	}
	close(fd);
}

/* Line starts of data[0..size): starts[k] is where line k+1 begins. */
static size_t *line_starts(const char *data, size_t size, size_t *n)
{
	size_t *starts = malloc((size + 2) * sizeof(*starts)), k = 0;

	starts[k++] = 0;
	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n')
			starts[k++] = i + 1;
	*n = k;
	return starts;
}

/* Offset in data of column col (0-based) of line (from 1), as input.c
 * counts: a byte order mark that starts the input is no column. */
static size_t offset_of(const size_t *starts, size_t nlines, int bom, uint64_t line, uint64_t col)
{
	FUZZ_ASSERT(line >= 1 && line <= nlines);
	return starts[line - 1] + (line == 1 && bom ? 3 : 0) + col;
}

/* N of a json_parse message that ends "byte N", else 0. */
static size_t why_byte(const char *why)
{
	const char *last = NULL;
	for (const char *p = why; (p = strstr(p, " byte ")); p++)
		last = p;
	return last ? (size_t)strtoull(last + 6, NULL, 10) : 0;
}

/* Read the file written last; check positions when plain (data given). */
static int read_all(const char *data, size_t size, int check_where, uint64_t *nrec, char **recs, size_t *lens,
		    size_t max)
{
	struct input in;
	struct json_doc d;
	char why[256];
	const char *rec;
	size_t len, nlines = 0, *starts = NULL;
	uint64_t records = 0, last_line = 0;
	int rc, bom = size >= 3 && !memcmp(data, "\xef\xbb\xbf", 3);

	err_clear();
	json_doc_init(&d);
	FUZZ_ASSERT(input_open(&in, path) == 0);
	unlink(path);
	if (check_where)
		starts = line_starts(data, size, &nlines);
	while ((rc = input_next(&in, &rec, &len)) == INPUT_RECORD) {
		/* an array element may be empty ("[1,,2]"): json_parse rejects it */
		FUZZ_ASSERT(rec != NULL && len <= INPUT_MAX_RECORD);
		FUZZ_ASSERT(in.line >= 1 && in.line >= last_line);
		last_line = in.line;
		if (in.mode == 1)
			FUZZ_ASSERT(!memchr(rec, '\n', len));
		/* records come from the decoded bytes: no more than gzip can make */
		FUZZ_ASSERT(in.gzip || records < size);
		if (records < max) {
			recs[records] = malloc(len + 1);
			memcpy(recs[records], rec, len);
			lens[records] = len;
		}
		records++;
		size_t at_rec = 0;
		if (starts && !in.gzip) {
			/* the record is where the reader says it starts */
			at_rec = offset_of(starts, nlines, bom, in.line, in.rec_col);
			FUZZ_ASSERT(at_rec + len <= size && !memcmp(data + at_rec, rec, len));
		}
		if (json_parse(&d, rec, len, why, sizeof(why))) {
			size_t n = why_byte(why);
			uint64_t line = input_json_where(&in, rec, len, why, sizeof(why));
			size_t col = why_byte(why);
			FUZZ_ASSERT(line >= in.line);
			/* the error names the byte the parser named, counted on its line */
			if (starts && !in.gzip && n >= 1 && n <= len + 1)
				FUZZ_ASSERT(col >= 1 && offset_of(starts, nlines, bom, line, col - 1) == at_rec + n - 1);
		}
	}
	FUZZ_ASSERT(rc == 0 || rc == EX_DATA || rc == EX_FAIL || rc == EX_PERM);
	if (rc)
		FUZZ_ASSERT(err_msg()[0] != 0);
	/* after the end, the end again */
	if (rc == 0)
		FUZZ_ASSERT(input_next(&in, &rec, &len) == 0);
	input_close(&in);
	json_doc_free(&d);
	free(starts);
	err_clear();
	*nrec = records;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct json_doc d;
	char why[256], *recs[3] = {NULL, NULL, NULL};
	size_t lens[3];
	uint64_t n;

	write_input(data, size);
	read_all(p, size, 1, &n, recs, lens, 0);

	/* an object twice: two records, each the object */
	json_doc_init(&d);
	if (size < 65536 && json_parse(&d, p, size, why, sizeof(why)) == 0 && json_type(&d, 0) == JSMN_OBJECT) {
		size_t span_len;
		const char *span = json_span(&d, 0, &span_len);
		char *two = malloc(2 * size + 1);
		memcpy(two, p, size);
		two[size] = '\n';
		memcpy(two + size + 1, p, size);
		write_input((const uint8_t *)two, 2 * size + 1);
		FUZZ_ASSERT(read_all(two, 2 * size + 1, 1, &n, recs, lens, 3) == 0 && n == 2);
		for (int i = 0; i < 2; i++) {
			struct json_doc d2;
			size_t l2;
			json_doc_init(&d2);
			FUZZ_ASSERT(json_parse(&d2, recs[i], lens[i], why, sizeof(why)) == 0);
			const char *s2 = json_span(&d2, 0, &l2);
			FUZZ_ASSERT(l2 == span_len && !memcmp(s2, span, l2));
			json_doc_free(&d2);
		}
		free(two);
	}
	for (int i = 0; i < 3; i++)
		free(recs[i]);
	json_doc_free(&d);
	return 0;
}
