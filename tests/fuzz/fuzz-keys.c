/* fuzz-keys: the input as DIR/sessions/keys of a real small log (next_offset
 * 6, keys_from 2 in its MANIFEST), then log_open_read + log_keys_read and a
 * writer's open (which drops the lines of runs that did not commit). Must
 * return 0 or an error code, never crash; every key read is 1..255
 * printable characters on a line of its own, and what a reader lists is
 * what the writer kept. */
#include "fuzz.h"

#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <unistd.h>

#include "log-int.h"

static char dir[4096], keys[4200];

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(p);
}

static void cleanup(void)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz-keys: fixture: %s: %s\n", what, err_msg());
	abort();
}

static struct log_config cfg;

static void make_fixture(void)
{
	const char *tmp = getenv("TMPDIR");
	struct log *l;
	uint64_t recs, segs;

	snprintf(dir, sizeof(dir), "%s/aggr-fuzz-keys.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz-keys: mkdtemp");
		abort();
	}
	atexit(cleanup);
	setenv("AGGR_NOW", "1642284000", 1);
	if (log_config_init(&cfg, "sessions", 64, 3))
		die("config");
	if (log_open_write(dir, "sessions", &cfg, 0, &l))
		die("open");
	/* two records, a purge (keys_from 2), four more */
	for (int run = 0; run < 2; run++) {
		log_begin(l, INT64_C(1642284000000000));
		for (int i = 0; i < (run ? 4 : 2); i++) {
			static const char rec[] = "{\"user_id\":\"u\",\"event\":\"start\",\"session_id\":\"s\","
						  "\"ts\":\"2022-01-15T22:00:00\",\"country\":\"FI\"}";
			if (log_append(l, rec, sizeof(rec) - 1, 0, NULL, 0) || log_key_add(l, "FI", 2))
				die("append");
		}
		if (log_commit(l))
			die("commit");
		if (!run && log_purge(l, &recs, &segs))
			die("purge");
	}
	log_close(l);
	snprintf(keys, sizeof(keys), "%s/sessions/keys", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf rd, wr;
	struct log *l = NULL;
	int rc;

	if (!dir[0])
		make_fixture();
	int fd = open(keys, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write_full(fd, data, size) < 0) {
		perror("fuzz-keys: cannot write keys");
		abort();
	}
	close(fd);
	buf_init(&rd);
	buf_init(&wr);
	err_clear();
	rc = log_open_read(dir, "sessions", &l);
	FUZZ_ASSERT(rc == 0 && l->next_offset == 6 && l->keys_from == 2);
	rc = log_keys_read(l, &rd);
	log_close(l);
	FUZZ_ASSERT(rc == 0 || rc == EX_CORRUPT);
	for (const char *p = rd.data, *end = p + rd.len; !rc && p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		FUZZ_ASSERT(nl && nl > p && nl - p <= 255);
		for (const char *q = p; q < nl; q++)
			FUZZ_ASSERT(*q > ' ' && *q <= '~');
		p = nl + 1;
	}
	err_clear();
	int wrc = log_open_write(dir, "sessions", &cfg, 0, &l);
	FUZZ_ASSERT(wrc == rc);
	if (!wrc) {
		FUZZ_ASSERT(log_keys_read(l, &wr) == 0);
		FUZZ_ASSERT(wr.len == rd.len && (!rd.len || !memcmp(wr.data, rd.data, rd.len)));
		log_close(l);
	}
	err_clear();
	buf_free(&rd);
	buf_free(&wr);
	return 0;
}
