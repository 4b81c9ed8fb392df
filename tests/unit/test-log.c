/* test-log.c: the segmented log driven through its API on a temporary
 * directory: commit, abort, crash recovery, torn index tails, MANIFEST
 * damage, segment rolls and the writer lock. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log-int.h"
#include "unit.h"

/* Equal byte strings; either pointer may be NULL when its length is 0. */
static int same(const void *a, size_t an, const void *b, size_t bn)
{
	return an == bn && (an == 0 || !memcmp(a, b, an));
}

static char root[] = "/tmp/aggr-unit-log-XXXXXX";
static const int64_t T0 = INT64_C(1700000000000000);

/* ---- helpers ---- */

struct coll {
	struct buf text;     /* every record followed by '\n' */
	uint64_t *off;
	size_t n, cap;
	size_t stop_at;      /* return 7 from the callback at this record (0: never) */
};

static void coll_init(struct coll *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->text);
}

static void coll_free(struct coll *c)
{
	buf_free(&c->text);
	free(c->off);
}

static int collect(const char *line, size_t n, uint64_t offset, void *ctx)
{
	struct coll *c = ctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->off = xrealloc(c->off, sizeof(*c->off) * c->cap);
	}
	c->off[c->n++] = offset;
	buf_add(&c->text, line, n);
	buf_addc(&c->text, '\n');
	return c->stop_at && c->n == c->stop_at ? 7 : 0;
}

/* Offsets first, first+1, ... */
static int contiguous(const struct coll *c, uint64_t first)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->off[i] != first + i)
			return 0;
	return 1;
}

static uint64_t rng = 0x853c49e6748fea9bull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Record i, with a little randomness so blocks do not compress to nothing. */
static void make_line(struct buf *b, uint64_t i)
{
	buf_reset(b);
	buf_addf(b, "{\"i\":%" PRIu64 ",\"r\":\"%08x%08x\",\"user\":\"u%u\"}", i, rnd(), rnd(), (unsigned)(i % 7));
}

/* Append records first..first+n-1 with key = i % 24; mirror them in want. */
static int append_n(struct log *l, uint64_t first, size_t n, struct buf *want)
{
	struct buf line;
	int rc = 0;

	buf_init(&line);
	for (size_t k = 0; k < n && !rc; k++) {
		uint64_t i = first + k;
		char user[16];
		make_line(&line, i);
		struct log_bloom_key bk = {user, (size_t)snprintf(user, sizeof(user), "u%u", (unsigned)(i % 7))};
		rc = log_append(l, line.data, line.len, (int64_t)(i % 24), &bk, 1);
		if (!rc && want) {
			buf_add(want, line.data, line.len);
			buf_addc(want, '\n');
		}
	}
	buf_free(&line);
	return rc;
}

/* Commit one run of n records as a fresh writer. */
static int write_run(const char *data, const char *name, const struct log_config *c, uint64_t first,
		     size_t n, struct buf *want)
{
	struct log *w;
	int rc = log_open_write(data, name, c, 0, &w);

	if (rc)
		return rc;
	log_begin(w, T0 + (int64_t)first);
	rc = append_n(w, first, n, want);
	if (!rc)
		rc = log_commit(w);
	log_close(w);
	return rc;
}

/* Read every committed record. Returns log_open_read's or log_scan's code. */
static int read_all(const char *data, const char *name, struct coll *c)
{
	struct log *r;
	int rc;

	c->n = 0;
	buf_reset(&c->text);
	if ((rc = log_open_read(data, name, &r)))
		return rc;
	rc = log_scan(r, NULL, collect, c, NULL);
	log_close(r);
	return rc;
}

/* 1 when the log holds exactly want (n records from offset first). */
static int holds(const char *data, const char *name, const struct buf *want, uint64_t first, size_t n)
{
	struct coll c;
	int rc, ok;

	coll_init(&c);
	rc = read_all(data, name, &c);
	ok = rc == 0 && c.n == n && contiguous(&c, first) && same(c.text.data, c.text.len, want->data, want->len);
	if (!ok)
		printf("# %s/%s: rc %d (%s), %zu records, want %zu\n", data, name, rc, err_msg(), c.n, n);
	coll_free(&c);
	err_clear();
	return ok;
}

static char *data_dir(const char *sub)
{
	char *p = path_join(root, sub);
	return p;
}

/* A segment file's path: the data file is BASE.jsonl.gz.open while active. */
static void seg_file(char *path, size_t n, const char *data, const char *name, uint64_t base, int idx)
{
	struct stat st;

	snprintf(path, n, "%s/%s/%020" PRIu64 "%s", data, name, base, idx ? ".idx" : ".jsonl.gz.open");
	if (!idx && stat(path, &st) < 0)
		snprintf(path, n, "%s/%s/%020" PRIu64 ".jsonl.gz", data, name, base);
}

static long long fsize(const char *data, const char *name, uint64_t base, int idx)
{
	char path[4096];
	struct stat st;

	seg_file(path, sizeof(path), data, name, base, idx);
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static int exists(const char *data, const char *name, const char *file)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/%s", data, name, file);
	return stat(path, &st) == 0;
}

static int append_bytes(const char *data, const char *name, uint64_t base, int idx, const void *p, size_t n)
{
	char path[4096];
	int fd, rc;

	seg_file(path, sizeof(path), data, name, base, idx);
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -1;
	rc = write_full(fd, p, n);
	return close(fd) == 0 ? rc : -1;
}

static void set_sizes(const char *block, const char *segment)
{
	if (block)
		setenv("AGGR_BLOCK_BYTES", block, 1);
	else
		unsetenv("AGGR_BLOCK_BYTES");
	if (segment)
		setenv("AGGR_SEGMENT_BYTES", segment, 1);
	else
		unsetenv("AGGR_SEGMENT_BYTES");
}

/* ---- tests ---- */

static void test_config(void)
{
	struct log_config c;

	set_sizes(NULL, NULL);
	unsetenv("AGGR_LEVEL");
	CHECK(log_config_init(&c, "flows", 0, 0) == 0 && c.block_bytes == 131072 &&
	      c.segment_bytes == UINT64_C(67108864) && c.level == 6 && !strcmp(c.kind, "flows"));
	set_sizes("4096", "100000");
	setenv("AGGR_LEVEL", "1", 1);
	CHECK(log_config_init(&c, "flows", 64, 3) == 0 && c.block_bytes == 4096 && c.segment_bytes == 100000 &&
	      c.level == 1 && c.bloom_bytes == 64 && c.bloom_k == 3);
	set_sizes("4k", NULL);
	CHECK(log_config_init(&c, "flows", 0, 0) == EX_USAGE && strstr(err_msg(), "AGGR_BLOCK_BYTES"));
	err_clear();
	set_sizes("10", NULL);
	CHECK(log_config_init(&c, "flows", 0, 0) == EX_USAGE);
	err_clear();
	set_sizes(NULL, "0");
	CHECK(log_config_init(&c, "flows", 0, 0) == EX_USAGE && strstr(err_msg(), "AGGR_SEGMENT_BYTES"));
	err_clear();
	set_sizes(NULL, NULL);
	setenv("AGGR_LEVEL", "10", 1);
	CHECK(log_config_init(&c, "flows", 0, 0) == EX_USAGE && strstr(err_msg(), "AGGR_LEVEL"));
	err_clear();
	unsetenv("AGGR_LEVEL");
	/* the names of logs are the kinds': tests/unit/test-kinds.c */
}

static int filter_key10(const struct idx_entry *e, const struct log_seg *s, void *ctx)
{
	(void)s;
	(void)ctx;
	return e->m.max_key >= 10;
}

static void test_basic(void)
{
	char *data = data_dir("basic");
	struct log_config c;
	struct log *w, *r, *w2;
	struct coll got;
	struct buf want;
	struct log_scan_stats st;
	struct log_check_stats cs;
	static const char *lines[] = {"{\"a\":1}", "{\"b\":\"\xc3\xa9\"}", "{}", "[1,2]", "\"x\""};
	static const int64_t keys[] = {5, 3, 9, 10, 11};

	coll_init(&got);
	buf_init(&want);
	set_sizes(NULL, NULL);
	CHECK(log_config_init(&c, "flows", 0, 0) == 0);

	/* an absent log reads as empty and is not created by reading */
	CHECK(log_open_read(data, "flows", &r) == 0 && r->nseg == 0 && r->next_offset == 0);
	CHECK(log_scan(r, NULL, collect, &got, &st) == 0 && got.n == 0 && st.records == 0);
	log_close(r);
	CHECK(access(data, F_OK) != 0);

	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(log_begin(w, T0) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(log_append(w, lines[i], strlen(lines[i]), keys[i], NULL, 0) == 0);
	/* appended, not committed: invisible */
	CHECK(holds(data, "flows", &want, 0, 0));
	CHECK(log_commit(w) == 0);
	for (int i = 0; i < 3; i++)
		buf_addf(&want, "%s\n", lines[i]);
	CHECK(holds(data, "flows", &want, 0, 3));
	CHECK(log_begin(w, T0 + 1) == 0);
	for (int i = 3; i < 5; i++)
		CHECK(log_append(w, lines[i], strlen(lines[i]), keys[i], NULL, 0) == 0);
	CHECK(log_commit(w) == 0);
	for (int i = 3; i < 5; i++)
		buf_addf(&want, "%s\n", lines[i]);
	/* readers take no lock: they read while the writer is open */
	CHECK(holds(data, "flows", &want, 0, 5));
	/* an empty run changes nothing */
	long long d0 = fsize(data, "flows", 0, 0), i0 = fsize(data, "flows", 0, 1);
	CHECK(d0 > 0 && i0 == IDX_HDR_LEN + 2 * IDX_ENTRY_FIXED);
	CHECK(log_begin(w, T0 + 2) == 0 && log_commit(w) == 0);
	CHECK(fsize(data, "flows", 0, 0) == d0 && fsize(data, "flows", 0, 1) == i0);
	log_close(w);
	CHECK(exists(data, "flows", "LOCK") && exists(data, "flows", "MANIFEST"));
	{
		struct stat sb;
		char path[4096];
		seg_file(path, sizeof(path), data, "flows", 0, 0);
		CHECK(stat(path, &sb) == 0 && (sb.st_mode & 077) == 0);
	}

	CHECK(log_open_read(data, "flows", &r) == 0);
	CHECK(r->nseg == 1 && r->next_offset == 5 && !strcmp(r->kind, "flows"));
	if (r->nseg == 1 && r->seg[0].nent == 2) {
		const struct idx_entry *e = r->seg[0].ent;
		CHECK(e[0].pos == 0 && e[0].m.first_offset == 0 && e[0].m.count == 3 && e[0].m.min_key == 3 &&
		      e[0].m.max_key == 9 && e[0].m.ingest_us == T0 && (e[0].m.flags & IDX_COMMIT));
		CHECK(e[1].pos == e[0].m.block_len && e[1].m.first_offset == 3 && e[1].m.count == 2 &&
		      e[1].m.min_key == 10 && e[1].m.max_key == 11 && e[1].m.ingest_us == T0 + 1 &&
		      (e[1].m.flags & IDX_COMMIT));
		CHECK(r->seg[0].sum.records == 5 && r->seg[0].sum.min_key == 3 && r->seg[0].sum.max_key == 11 &&
		      r->seg[0].sum.min_ingest == T0 && r->seg[0].sum.max_ingest == T0 + 1);
	} else {
		CHECK(!"two index entries");
	}
	got.n = 0;
	buf_reset(&got.text);
	CHECK(log_scan(r, filter_key10, collect, &got, &st) == 0 && got.n == 2 && got.off[0] == 3 &&
	      st.blocks_total == 2 && st.blocks_read == 1 && st.records == 2);
	got.n = 0;
	got.stop_at = 2;
	CHECK(log_scan(r, NULL, collect, &got, NULL) == 7 && got.n == 2);
	got.stop_at = 0;
	CHECK(log_check(r, &cs) == 0 && cs.segments == 1 && cs.blocks == 2 && cs.records == 5 && cs.torn_bytes == 0);
	log_close(r);

	/* a log keeps its kind */
	struct log_config other;
	CHECK(log_config_init(&other, "counters", 0, 0) == 0);
	CHECK(log_open_write(data, "flows", &other, 0, &w2) == EX_USAGE);
	err_clear();

	coll_free(&got);
	buf_free(&want);
	free(data);
}

static void test_abort(void)
{
	char *data = data_dir("abort");
	struct log_config c;
	struct log *w;
	struct buf want;

	buf_init(&want);
	set_sizes("256", NULL);
	CHECK(log_config_init(&c, "flows", 0, 0) == 0);

	/* the first run of a log, aborted: no segment is left behind, and once
	 * the writer is gone no MANIFEST either */
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	log_begin(w, T0);
	CHECK(append_n(w, 0, 50, NULL) == 0);
	CHECK(fsize(data, "flows", 0, 0) > 1000 && fsize(data, "flows", 0, 1) > IDX_HDR_LEN);
	CHECK(holds(data, "flows", &want, 0, 0));
	log_abort(w);
	CHECK(fsize(data, "flows", 0, 0) == -1 && fsize(data, "flows", 0, 1) == -1);
	CHECK(holds(data, "flows", &want, 0, 0));
	log_close(w);
	CHECK(!exists(data, "flows", "MANIFEST"));
	CHECK(holds(data, "flows", &want, 0, 0));
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);

	/* a committed run, then an aborted one */
	log_begin(w, T0);
	CHECK(append_n(w, 0, 40, &want) == 0 && log_commit(w) == 0);
	long long d0 = fsize(data, "flows", 0, 0), i0 = fsize(data, "flows", 0, 1);
	CHECK(holds(data, "flows", &want, 0, 40));
	log_begin(w, T0 + 1);
	CHECK(append_n(w, 40, 100, NULL) == 0);
	CHECK(fsize(data, "flows", 0, 0) > d0 + 1000 && fsize(data, "flows", 0, 1) >= i0 + 10 * IDX_ENTRY_FIXED);
	CHECK(holds(data, "flows", &want, 0, 40));
	log_abort(w);
	CHECK(fsize(data, "flows", 0, 0) == d0 && fsize(data, "flows", 0, 1) == i0);
	CHECK(holds(data, "flows", &want, 0, 40));
	/* the next run takes the offsets the aborted one had */
	log_begin(w, T0 + 2);
	CHECK(append_n(w, 40, 10, &want) == 0 && log_commit(w) == 0);
	CHECK(holds(data, "flows", &want, 0, 50));
	d0 = fsize(data, "flows", 0, 0);
	i0 = fsize(data, "flows", 0, 1);
	/* closing with a run open aborts it */
	log_begin(w, T0 + 3);
	CHECK(append_n(w, 50, 100, NULL) == 0);
	log_close(w);
	CHECK(fsize(data, "flows", 0, 0) == d0 && fsize(data, "flows", 0, 1) == i0);
	CHECK(holds(data, "flows", &want, 0, 50));

	buf_free(&want);
	free(data);
}

/* A writer process that appends n records without committing and dies. */
static int crash_writer(const char *data, uint64_t first, size_t n)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct log_config c;
		struct log *w;
		if (log_config_init(&c, "flows", 0, 0) || log_open_write(data, "flows", &c, 0, &w))
			_exit(3);
		log_begin(w, T0 + 99);
		if (append_n(w, first, n, NULL))
			_exit(4);
		_exit(0);  /* no commit, no abort, no close */
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void test_crash(void)
{
	char *data = data_dir("crash"), *fresh = data_dir("crash-fresh");
	struct log_config c;
	struct log *w, *r;
	struct log_check_stats cs;
	struct buf want, none;

	buf_init(&want);
	buf_init(&none);
	set_sizes("256", NULL);
	CHECK(log_config_init(&c, "flows", 0, 0) == 0);
	CHECK(write_run(data, "flows", &c, 0, 30, &want) == 0);
	long long d0 = fsize(data, "flows", 0, 0), i0 = fsize(data, "flows", 0, 1);

	CHECK(crash_writer(data, 30, 300) == 0);
	long long d1 = fsize(data, "flows", 0, 0), i1 = fsize(data, "flows", 0, 1);
	/* several blocks and their entries reached the files */
	CHECK(d1 > d0 + 5000 && i1 >= i0 + 20 * IDX_ENTRY_FIXED);
	CHECK(holds(data, "flows", &want, 0, 30));
	CHECK(log_open_read(data, "flows", &r) == 0);
	CHECK(r->nseg == 1 && r->next_offset == 30 && r->seg[0].data_end == (uint64_t)d0 &&
	      r->seg[0].idx_end == (uint64_t)i0 && r->seg[0].torn_entries >= 20);
	CHECK(log_check(r, &cs) == 0 && cs.records == 30 && cs.torn_bytes == (uint64_t)(d1 - d0 + i1 - i0));
	log_close(r);
	/* readers never write */
	CHECK(fsize(data, "flows", 0, 0) == d1 && fsize(data, "flows", 0, 1) == i1);
	/* the next writer cuts the dead run */
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(fsize(data, "flows", 0, 0) == d0 && fsize(data, "flows", 0, 1) == i0);
	CHECK(w->next_offset == 30);
	log_begin(w, T0 + 5);
	CHECK(append_n(w, 30, 5, &want) == 0 && log_commit(w) == 0);
	log_close(w);
	CHECK(holds(data, "flows", &want, 0, 35));

	/* a crash during the very first run of a log */
	CHECK(crash_writer(fresh, 0, 200) == 0);
	CHECK(exists(fresh, "flows", "MANIFEST") && fsize(fresh, "flows", 0, 0) > 5000);
	CHECK(holds(fresh, "flows", &none, 0, 0));
	CHECK(log_open_write(fresh, "flows", &c, 0, &w) == 0);
	/* the segment the dead run started was never listed: it is gone */
	CHECK(fsize(fresh, "flows", 0, 0) == -1 && fsize(fresh, "flows", 0, 1) == -1);
	CHECK(w->nseg == 0 && w->next_offset == 0);
	log_close(w);
	CHECK(holds(fresh, "flows", &none, 0, 0));
	CHECK(write_run(fresh, "flows", &c, 0, 3, &none) == 0 && holds(fresh, "flows", &none, 0, 3));

	buf_free(&want);
	buf_free(&none);
	free(data);
	free(fresh);
}

static void test_torn(void)
{
	char *data = data_dir("torn");
	struct log_config c;
	struct log *w, *r;
	struct log_check_stats cs;
	struct buf want;
	unsigned char junk[IDX_ENTRY_FIXED + 30];

	buf_init(&want);
	set_sizes("512", NULL);
	CHECK(log_config_init(&c, "flows", 0, 0) == 0);
	CHECK(write_run(data, "flows", &c, 0, 20, &want) == 0);
	CHECK(write_run(data, "flows", &c, 20, 20, &want) == 0);
	long long d0 = fsize(data, "flows", 0, 0), i0 = fsize(data, "flows", 0, 1);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)rnd();

	/* 30 bytes: less than an entry */
	CHECK(append_bytes(data, "flows", 0, 1, junk, 30) == 0 && fsize(data, "flows", 0, 1) == i0 + 30);
	CHECK(holds(data, "flows", &want, 0, 40));
	CHECK(log_open_read(data, "flows", &r) == 0);
	CHECK(log_check(r, &cs) == 0 && cs.records == 40 && cs.torn_bytes == 30);
	log_close(r);
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(fsize(data, "flows", 0, 1) == i0 && fsize(data, "flows", 0, 0) == d0);
	log_close(w);
	CHECK(holds(data, "flows", &want, 0, 40));

	/* a whole entry of garbage and then some */
	CHECK(append_bytes(data, "flows", 0, 1, junk, sizeof(junk)) == 0);
	CHECK(holds(data, "flows", &want, 0, 40));
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(fsize(data, "flows", 0, 1) == i0);
	/* and the log goes on */
	log_begin(w, T0);
	CHECK(append_n(w, 40, 10, &want) == 0 && log_commit(w) == 0);
	log_close(w);
	CHECK(holds(data, "flows", &want, 0, 50));

	/* garbage after the last block of the data file */
	d0 = fsize(data, "flows", 0, 0);
	CHECK(append_bytes(data, "flows", 0, 0, junk, sizeof(junk)) == 0);
	CHECK(holds(data, "flows", &want, 0, 50));
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(fsize(data, "flows", 0, 0) == d0);
	log_close(w);

	buf_free(&want);
	free(data);
}

static void test_manifest(void)
{
	char *data = data_dir("manifest");
	char *path = path_join(root, "manifest/flows/MANIFEST");
	char *dir = path_join(root, "manifest/flows");
	struct log_config c;
	struct log *r, *w;
	struct buf want, text, bad;

	buf_init(&want);
	buf_init(&text);
	buf_init(&bad);
	set_sizes(NULL, NULL);
	CHECK(log_config_init(&c, "flows", 0, 0) == 0);
	CHECK(write_run(data, "flows", &c, 0, 10, &want) == 0);
	CHECK(read_file(path, &text, 1 << 20) == 0);
	/* "crc XXXXXXXX\n" over every byte before it */
	size_t body = text.len >= 13 ? text.len - 13 : 0;
	CHECK(body > 0 && !strncmp(text.data, "aggr-manifest 3\n", 16) && !strncmp(text.data + body, "crc ", 4) &&
	      text.data[text.len - 1] == '\n' && strstr(text.data, "\nkind flows\n") &&
	      strstr(text.data, "\nsegment 00000000000000000000 active\n"));
	CHECK(strtoul(text.data + body + 4, NULL, 16) == crc32_of(text.data, body));

	/* a wrong crc line */
	buf_add(&bad, text.data, text.len);
	bad.data[body + 4] = bad.data[body + 4] == '0' ? '1' : '0';
	CHECK(atomic_replace(dir, "MANIFEST", bad.data, bad.len) == 0);
	CHECK(log_open_read(data, "flows", &r) == EX_CORRUPT && strstr(err_msg(), "MANIFEST"));
	err_clear();
	CHECK(log_open_write(data, "flows", &c, 0, &w) == EX_CORRUPT);
	err_clear();
	/* a changed line under the old crc */
	buf_reset(&bad);
	buf_add(&bad, text.data, text.len);
	bad.data[10] = 'X';
	CHECK(atomic_replace(dir, "MANIFEST", bad.data, bad.len) == 0);
	CHECK(log_open_read(data, "flows", &r) == EX_CORRUPT);
	err_clear();
	/* no crc line at all */
	CHECK(atomic_replace(dir, "MANIFEST", text.data, body) == 0);
	CHECK(log_open_read(data, "flows", &r) == EX_CORRUPT);
	err_clear();
	/* restored, it reads again */
	CHECK(atomic_replace(dir, "MANIFEST", text.data, text.len) == 0);
	CHECK(holds(data, "flows", &want, 0, 10));

	buf_free(&want);
	buf_free(&text);
	buf_free(&bad);
	free(path);
	free(dir);
	free(data);
}

static void test_damage(void)
{
	char *data = data_dir("damage");
	char path[4096];
	struct log_config c;
	struct log *r, *w;
	struct log_check_stats cs;
	struct coll got;
	struct buf want;
	int fd;

	coll_init(&got);
	buf_init(&want);
	set_sizes("1024", NULL);
	CHECK(log_config_init(&c, "flows", 0, 0) == 0);
	CHECK(write_run(data, "flows", &c, 0, 100, &want) == 0);
	long long d0 = fsize(data, "flows", 0, 0);
	seg_file(path, sizeof(path), data, "flows", 0, 0);

	/* one byte of deflate data in the last block */
	unsigned char b = 0;
	fd = open(path, O_RDWR);
	CHECK(fd >= 0 && pread(fd, &b, 1, d0 - 30) == 1);
	b ^= 0x40;
	CHECK(fd >= 0 && pwrite(fd, &b, 1, d0 - 30) == 1);
	CHECK(read_all(data, "flows", &got) == EX_CORRUPT && strstr(err_msg(), "00000000000000000000.jsonl.gz") &&
	      strstr(err_msg(), "offset"));
	err_clear();
	CHECK(log_open_read(data, "flows", &r) == 0);
	CHECK(log_check(r, &cs) == EX_CORRUPT);
	err_clear();
	log_close(r);
	/* the writer verifies the last block before appending after it */
	CHECK(log_open_write(data, "flows", &c, 0, &w) == EX_CORRUPT);
	err_clear();
	b ^= 0x40;
	CHECK(fd >= 0 && pwrite(fd, &b, 1, d0 - 30) == 1);
	CHECK(holds(data, "flows", &want, 0, 100));

	/* a segment shorter than its index says */
	CHECK(fd >= 0 && ftruncate(fd, d0 - 10) == 0);
	CHECK(log_open_read(data, "flows", &r) == EX_CORRUPT && strstr(err_msg(), "shorter"));
	err_clear();
	if (fd >= 0)
		close(fd);

	coll_free(&got);
	buf_free(&want);
	free(data);
}

static void test_roll(void)
{
	char *data = data_dir("roll");
	struct log_config c;
	struct log *w, *r;
	struct log_check_stats cs;
	struct buf want;
	uint64_t next = 0;
	const size_t runs = 16, per = 40;

	buf_init(&want);
	set_sizes("512", "3000");
	CHECK(log_config_init(&c, "flows", 0, 0) == 0);
	/* half the runs in one writer session, half each in its own */
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	for (size_t i = 0; i < runs / 2; i++) {
		log_begin(w, T0 + (int64_t)i);
		CHECK(append_n(w, next, per, &want) == 0 && log_commit(w) == 0);
		next += per;
	}
	log_close(w);
	for (size_t i = runs / 2; i < runs; i++) {
		CHECK(write_run(data, "flows", &c, next, per, &want) == 0);
		next += per;
	}
	CHECK(holds(data, "flows", &want, 0, next));

	CHECK(log_open_read(data, "flows", &r) == 0);
	CHECK(r->nseg >= 4 && r->next_offset == next);
	int chain = 1, sealed = 1, files = 1;
	for (size_t i = 0; i < r->nseg; i++) {
		struct log_seg *s = &r->seg[i];
		/* sealed once at least segment_bytes, and then only */
		if (i + 1 < r->nseg || s->sealed)
			sealed &= s->sealed && s->sum.records > 0 && s->sum.bytes >= c.segment_bytes;
		else
			sealed &= s->data_end < c.segment_bytes;
		if (i + 1 < r->nseg)
			chain &= r->seg[i + 1].base == s->base + s->sum.records;
		files &= fsize(data, "flows", s->base, 0) > 0 && fsize(data, "flows", s->base, 1) >= IDX_HDR_LEN;
	}
	CHECK(r->nseg && r->seg[0].base == 0);
	CHECK(chain);
	CHECK(sealed);
	CHECK(files);
	CHECK(log_check(r, &cs) == 0 && cs.segments == r->nseg && cs.records == next && cs.torn_bytes == 0);
	log_close(r);

	/* every data file, active (.open) or sealed, is plain gzip JSON lines */
	{
		char cmd[3 * 4096 + 128], out[4096];
		struct buf b;
		buf_init(&b);
		snprintf(out, sizeof(out), "%s/roll.out", root);
		snprintf(cmd, sizeof(cmd), "gzip -t %s/flows/*.jsonl.gz* && gzip -dc %s/flows/*.jsonl.gz* > %s",
			 data, data, out);
		CHECK(system(cmd) == 0);
		CHECK(read_file(out, &b, 1u << 26) == 0 && same(b.data, b.len, want.data, want.len));
		buf_free(&b);
	}

	/* a stream log with a bloom filter over the same machinery */
	{
		struct log_config bc;
		struct coll got;
		struct log_scan_stats st;
		coll_init(&got);
		set_sizes("512", NULL);
		CHECK(log_config_init(&bc, "streams", 256, 5) == 0);
		CHECK(write_run(data, "streams/s-1", &bc, 0, 100, NULL) == 0);
		CHECK(log_open_read(data, "streams/s-1", &r) == 0);
		CHECK(r->nseg == 1 && r->seg[0].ih.bloom_bytes == 256 && r->seg[0].ih.bloom_k == 5 &&
		      r->seg[0].nent > 3);
		/* every block's filter has the user of each of its records */
		int have = 1;
		for (size_t j = 0; r->nseg && j < r->seg[0].nent; j++) {
			const struct idx_entry *e = &r->seg[0].ent[j];
			for (uint64_t o = e->m.first_offset; o < e->m.first_offset + e->m.count; o++) {
				char user[16];
				int n = snprintf(user, sizeof(user), "u%u", (unsigned)(o % 7));
				have &= e->bloom && bloom_may_have(e->bloom, 256, 5, user, (size_t)n);
			}
		}
		CHECK(have);
		int excluded = 1;
		for (size_t j = 0; r->nseg && j < r->seg[0].nent; j++)
			excluded &= !bloom_may_have(r->seg[0].ent[j].bloom, 256, 5, "nobody", 6);
		CHECK(excluded);
		CHECK(log_scan(r, NULL, collect, &got, &st) == 0 && got.n == 100 && contiguous(&got, 0));
		log_close(r);
		coll_free(&got);
	}

	buf_free(&want);
	free(data);
}

static void test_lock(void)
{
	char *data = data_dir("lock");
	struct log_config c;
	struct log *w1, *w2, *r;
	struct buf want;
	int pfd[2];

	buf_init(&want);
	set_sizes(NULL, NULL);
	CHECK(log_config_init(&c, "flows", 0, 0) == 0);
	CHECK(log_open_write(data, "flows", &c, 0, &w1) == 0);
	CHECK(log_open_write(data, "flows", &c, 0, &w2) == EX_CONFLICT && strstr(err_msg(), "locked"));
	err_clear();
	double t = mono_seconds();
	CHECK(log_open_write(data, "flows", &c, 0.3, &w2) == EX_CONFLICT && mono_seconds() - t >= 0.25);
	err_clear();
	/* readers are not locked out */
	CHECK(log_open_read(data, "flows", &r) == 0);
	log_close(r);
	log_begin(w1, T0);
	CHECK(append_n(w1, 0, 3, &want) == 0 && log_commit(w1) == 0);
	log_close(w1);
	CHECK(log_open_write(data, "flows", &c, 0, &w2) == 0);
	log_close(w2);

	/* another process holds the lock for a while; a waiting writer gets it */
	CHECK(pipe(pfd) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct log *cw;
		close(pfd[0]);
		if (log_open_write(data, "flows", &c, 0, &cw))
			_exit(3);
		if (write(pfd[1], "x", 1) != 1)
			_exit(4);
		usleep(300 * 1000);
		/* let go of what it holds, so that make valgrind's leak check of
		 * this process finds nothing (exiting releases the lock anyway) */
		log_close(cw);
		free(data);
		_exit(0);
	}
	char ch;
	close(pfd[1]);
	CHECK(pid > 0 && read(pfd[0], &ch, 1) == 1);
	close(pfd[0]);
	CHECK(log_open_write(data, "flows", &c, 0, &w2) == EX_CONFLICT);
	err_clear();
	t = mono_seconds();
	int rc = log_open_write(data, "flows", &c, 10, &w2);
	CHECK(rc == 0 && mono_seconds() - t < 5);
	if (rc == 0)
		log_close(w2);
	err_clear();
	int status;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(holds(data, "flows", &want, 0, 3));

	buf_free(&want);
	free(data);
}

int main(void)
{
	unit_name = "unit log";
	verbosity = -1;
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	unsetenv("AGGR_NOW");
	test_config();
	test_basic();
	test_abort();
	test_crash();
	test_torn();
	test_manifest();
	test_damage();
	test_roll();
	test_lock();

	char cmd[256];
	/* AGGR_TEST_KEEP=1 keeps the directory for a look after a failure */
	snprintf(cmd, sizeof(cmd), getenv("AGGR_TEST_KEEP") ? "echo '# kept %s'" : "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	return unit_done();
}
