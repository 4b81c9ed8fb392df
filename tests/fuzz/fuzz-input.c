/* fuzz-input: the input bytes as a file read with input_open/input_next:
 * gzip detection and inflate, JSON array splitting, line splitting, the
 * byte order mark, over-long records. Reading must end with 0 or an error
 * code, never crash or hang; every record is then given to json_parse, as
 * ingest does. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;
	struct json_doc d;
	char why[256];
	const char *rec;
	size_t len;
	uint64_t records = 0, last_line = 0;
	int rc;

	write_input(data, size);
	err_clear();
	json_doc_init(&d);
	FUZZ_ASSERT(input_open(&in, path) == 0);
	unlink(path);
	while ((rc = input_next(&in, &rec, &len)) == INPUT_RECORD) {
		records++;
		/* an array element may be empty ("[1,,2]"): json_parse rejects it */
		FUZZ_ASSERT(rec != NULL && len <= INPUT_MAX_RECORD);
		FUZZ_ASSERT(in.line >= 1 && in.line >= last_line);
		last_line = in.line;
		if (in.mode == 1)
			FUZZ_ASSERT(!memchr(rec, '\n', len));
		/* records come from the decoded bytes: no more than gzip can make */
		FUZZ_ASSERT(in.gzip || records <= size);
		json_parse(&d, rec, len, why, sizeof(why));
	}
	FUZZ_ASSERT(rc == 0 || rc == EX_DATA || rc == EX_FAIL || rc == EX_PERM);
	if (rc)
		FUZZ_ASSERT(err_msg()[0] != 0);
	/* after the end, the end again */
	if (rc == 0)
		FUZZ_ASSERT(input_next(&in, &rec, &len) == 0);
	input_close(&in);
	json_doc_free(&d);
	err_clear();
	return 0;
}
