/* test-engine.c: the storage engine checked through log.h alone, so that
 * the same tests check src/log.c before and after its split into modules:
 * compaction, retention, index repair, the parallel reader, batch IDs,
 * summary keys, commit and abort.
 *
 * Segments, generations and state files are looked at as aggr-format(5)
 * describes them (file names, MANIFEST lines, batches and keys lines),
 * never through the fields of struct log; blocks only through the index
 * entries the read callbacks are handed.
 *
 * Tests of defects known today are built only with -DAGGR_TEST_KNOWN_BUGS
 * (make CFLAGS='-O2 -g -DAGGR_TEST_KNOWN_BUGS' build/test-engine), so that
 * make check stays green until they are fixed; each names its issue.
 * AGGR_TEST_KEEP=1 keeps the temporary directories for a look.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"

static const int64_t T0 = INT64_C(1700000000000000);
static int64_t NOW;  /* AGGR_NOW, one value for the whole process */
#define NOW_TEXT "2026-01-01T00:00:00Z"
#define NOW_US INT64_C(1767225600000000)
#define HOUR INT64_C(3600000000)

/* ---- temporary directories ---- */

static char *tmpdir(const char *what)
{
	char tmpl[256];

	snprintf(tmpl, sizeof(tmpl), "/tmp/aggr-unit-engine-%s-XXXXXX", what);
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		exit(1);
	}
	return xstrdup(tmpl);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rmtree(char *d)
{
	if (getenv("AGGR_TEST_KEEP"))
		printf("# kept %s\n", d);
	else if (nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		printf("# could not remove %s\n", d);
	free(d);
}

/* ---- files, as aggr-format(5) names them ---- */

static void seg_path(char *out, size_t n, const char *data, const char *name, uint64_t base, uint32_t gen,
		     int idx)
{
	const char *ext = idx ? ".idx" : ".jsonl.gz";

	struct stat st;

	if (gen)
		snprintf(out, n, "%s/%s/%020" PRIu64 "-%" PRIu32 "%s", data, name, base, gen, ext);
	else
		snprintf(out, n, "%s/%s/%020" PRIu64 "%s", data, name, base, ext);
	/* the active segment's data file is BASE.jsonl.gz.open */
	if (!idx && stat(out, &st) < 0 && strlen(out) + 5 < n)
		strcat(out, ".open");
}

static long long fsize(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static int flip(const char *path, long long off)
{
	unsigned char b;
	int fd = open(path, O_RDWR), ok;

	if (fd < 0)
		return -1;
	ok = pread(fd, &b, 1, off) == 1;
	b ^= 0x40;
	ok = ok && pwrite(fd, &b, 1, off) == 1;
	close(fd);
	return ok ? 0 : -1;
}

static int append_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600), rc;

	if (fd < 0)
		return -1;
	rc = write_full(fd, text, strlen(text));
	return close(fd) == 0 ? rc : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's files, each with its content, sorted by name. */
struct snap {
	size_t n;
	char **name;
	struct buf *data;
};

static void snap_free(struct snap *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->name[i]);
		buf_free(&s->data[i]);
	}
	free(s->name);
	free(s->data);
	memset(s, 0, sizeof(*s));
}

static void snap_take(const char *dir, struct snap *s)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	memset(s, 0, sizeof(*s));
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (s->n == cap) {
			cap = cap ? 2 * cap : 16;
			s->name = xrealloc(s->name, sizeof(*s->name) * cap);
		}
		s->name[s->n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (s->n)
		qsort(s->name, s->n, sizeof(*s->name), cmp_str);
	s->data = xcalloc(s->n + 1, sizeof(*s->data));
	for (size_t i = 0; i < s->n; i++) {
		char *p = path_join(dir, s->name[i]);
		buf_init(&s->data[i]);
		if (read_file(p, &s->data[i], 1u << 28) < 0)
			buf_adds(&s->data[i], "(unreadable)");
		free(p);
	}
}

/* 1 when both hold the same names with the same bytes; says what differs. */
static int snap_same(const struct snap *a, const struct snap *b)
{
	if (a->n != b->n) {
		printf("# %zu files, then %zu\n", a->n, b->n);
		for (size_t i = 0; i < b->n; i++)
			printf("#   %s\n", b->name[i]);
		return 0;
	}
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->name[i], b->name[i])) {
			printf("# %s, then %s\n", a->name[i], b->name[i]);
			return 0;
		}
		if (a->data[i].len != b->data[i].len ||
		    (a->data[i].len && memcmp(a->data[i].data, b->data[i].data, a->data[i].len))) {
			printf("# %s: %zu bytes, then %zu, or other bytes\n", a->name[i], a->data[i].len,
			       b->data[i].len);
			return 0;
		}
	}
	return 1;
}

/* The names of a directory, sorted, joined by spaces. */
static void names(const char *dir, struct buf *out)
{
	struct snap s;

	snap_take(dir, &s);
	buf_reset(out);
	for (size_t i = 0; i < s.n; i++)
		buf_addf(out, "%s%s", i ? " " : "", s.name[i]);
	if (!out->data)
		buf_adds(out, "");
	snap_free(&s);
}

/* Bytes of all segment data files in a log directory. */
static uint64_t data_bytes(const char *dir)
{
	struct snap s;
	uint64_t n = 0;

	snap_take(dir, &s);
	for (size_t i = 0; i < s.n; i++) {
		size_t k = strlen(s.name[i]);
		if ((k > 9 && !strcmp(s.name[i] + k - 9, ".jsonl.gz")) || (k > 14 && !strcmp(s.name[i] + k - 14, ".jsonl.gz.open")))
			n += s.data[i].len;
	}
	snap_free(&s);
	return n;
}

/* The MANIFEST's segment lines (aggr-format(5), MANIFEST). */
struct mseg {
	uint64_t base, records;
	int sealed;
	uint32_t gen;
	int64_t min_ingest, max_ingest;
};
struct mani {
	int n;                 /* segments, or -1 when there is no MANIFEST */
	struct mseg seg[64];
	uint64_t next_offset;
	int64_t retention_us;
	uint64_t keys_from;
};

static void mani_read(const char *data, const char *name, struct mani *m)
{
	char path[4096];
	struct buf b;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/%s/MANIFEST", data, name);
	buf_init(&b);
	if (read_file(path, &b, 1 << 24) < 0) {
		m->n = -1;
		buf_free(&b);
		return;
	}
	for (char *p = b.data, *end = b.data + b.len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), state[16];
		if (!nl)
			break;
		*nl = 0;
		struct mseg s;
		memset(&s, 0, sizeof(s));
		if (sscanf(p, "segment %" SCNu64 " %15s", &s.base, state) == 2 && m->n < 64) {
			const char *q;
			s.sealed = !strcmp(state, "sealed");
			if ((q = strstr(p, " records ")))
				s.records = strtoull(q + 9, NULL, 10);
			if ((q = strstr(p, " min_ingest ")))
				s.min_ingest = strtoll(q + 12, NULL, 10);
			if ((q = strstr(p, " max_ingest ")))
				s.max_ingest = strtoll(q + 12, NULL, 10);
			if ((q = strstr(p, " gen ")))
				s.gen = (uint32_t)strtoul(q + 5, NULL, 10);
			m->seg[m->n++] = s;
		} else if (!strncmp(p, "next_offset ", 12)) {
			m->next_offset = strtoull(p + 12, NULL, 10);
		} else if (!strncmp(p, "retention_us ", 13)) {
			m->retention_us = strtoll(p + 13, NULL, 10);
		} else if (!strncmp(p, "keys_from ", 10)) {
			m->keys_from = strtoull(p + 10, NULL, 10);
		}
		p = nl + 1;
	}
	buf_free(&b);
}

/* ---- records ---- */

/* Record i: its text depends on i alone, so any expected content can be
 * rebuilt; the hex keeps blocks from compressing to nothing. */
static void make_line(struct buf *b, uint64_t i)
{
	uint64_t h = (i + 1) * UINT64_C(0x9e3779b97f4a7c15);
	buf_reset(b);
	buf_addf(b, "{\"i\":%" PRIu64 ",\"r\":\"%08x%08x\",\"u\":\"u%u\"}", i, (unsigned)(h >> 32),
		 (unsigned)(h >> 7), (unsigned)(i % 7));
}

static void add_line(struct buf *want, uint64_t i)
{
	struct buf b;
	buf_init(&b);
	make_line(&b, i);
	buf_add(want, b.data, b.len);
	buf_addc(want, '\n');
	buf_free(&b);
}

/* The records lo..hi-1 as the log should give them back. */
static void add_lines(struct buf *want, uint64_t lo, uint64_t hi)
{
	for (uint64_t i = lo; i < hi; i++)
		add_line(want, i);
}

/* The "i" of a record, or UINT64_MAX. */
static uint64_t line_id(const char *p, size_t n)
{
	uint64_t v = 0;
	size_t k = 5;

	if (n < 7 || memcmp(p, "{\"i\":", 5) || p[5] < '0' || p[5] > '9')
		return UINT64_MAX;
	for (; k < n && p[k] >= '0' && p[k] <= '9'; k++)
		v = v * 10 + (uint64_t)(p[k] - '0');
	return v;
}

static int64_t key_of(uint64_t i)
{
	return (int64_t)(i % 24);
}

/* Append records first..first+n-1 (key i % 24, bloom key "uN"). */
static int append_n(struct log *l, uint64_t first, uint64_t n)
{
	struct buf line;
	int rc = 0;

	buf_init(&line);
	for (uint64_t i = first; i < first + n && !rc; i++) {
		char user[16];
		make_line(&line, i);
		struct log_bloom_key bk = {user, (size_t)snprintf(user, sizeof(user), "u%u", (unsigned)(i % 7))};
		rc = log_append(l, line.data, line.len, key_of(i), &bk, 1);
	}
	buf_free(&line);
	return rc;
}

/* Commit one run of records first..first+n-1 as a fresh writer. */
static int write_run(const char *data, const char *name, const struct log_config *c, int64_t ingest,
		     uint64_t first, uint64_t n)
{
	struct log *w;
	int rc = log_open_write(data, name, c, 0, &w);

	if (rc)
		return rc;
	log_begin(w, ingest);
	rc = append_n(w, first, n);
	if (!rc)
		rc = log_commit(w);
	log_close(w);
	return rc;
}

static void config(struct log_config *c, size_t block_bytes, uint64_t segment_bytes)
{
	unsetenv("AGGR_BLOCK_BYTES");
	unsetenv("AGGR_SEGMENT_BYTES");
	unsetenv("AGGR_LEVEL");
	if (log_config_init(c, "flows", 0, 0)) {
		printf("# log_config_init: %s\n", err_msg());
		exit(1);
	}
	c->block_bytes = block_bytes;
	c->segment_bytes = segment_bytes;
	/* 1: every run its own segment, as a 1-byte segment meant before runs
	 * could span segments; now a run seals its segment at commit */
	if (segment_bytes == 1) {
		c->segment_bytes = 1u << 30;
		c->seal_age_us = 0;
	}
}

/* Records as log_scan gives them. */
struct recs {
	struct buf text;      /* every record followed by '\n' */
	uint64_t *off, *id;
	size_t n, cap;
	size_t stop_at;       /* return stop_code at this record (0: never) */
	int stop_code;
};

static void recs_init(struct recs *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->text);
}

static void recs_reset(struct recs *c)
{
	c->n = 0;
	buf_reset(&c->text);
}

static void recs_free(struct recs *c)
{
	buf_free(&c->text);
	free(c->off);
	free(c->id);
}

static int collect(const char *line, size_t n, uint64_t offset, void *ctx)
{
	struct recs *c = ctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->off = xrealloc(c->off, sizeof(*c->off) * c->cap);
		c->id = xrealloc(c->id, sizeof(*c->id) * c->cap);
	}
	c->off[c->n] = offset;
	c->id[c->n++] = line_id(line, n);
	buf_add(&c->text, line, n);
	buf_addc(&c->text, '\n');
	return c->stop_at && c->n == c->stop_at ? c->stop_code : 0;
}

static int same_text(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

/* Every offset is the record's own "i" (offsets and ids from first on). */
static int offsets_exact(const struct recs *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->off[i] != c->id[i])
			return 0;
	return 1;
}

/* From record from on, every offset is the record's own "i". */
static int offsets_exact_from(const struct recs *c, size_t from)
{
	for (size_t i = from; i < c->n; i++)
		if (c->off[i] != c->id[i])
			return 0;
	return 1;
}

/* Read every committed record with log_scan. */
static int read_all(const char *data, const char *name, struct recs *c, struct log_scan_stats *st)
{
	struct log *r;
	int rc;

	recs_reset(c);
	if ((rc = log_open_read(data, name, &r)))
		return rc;
	rc = log_scan(r, NULL, collect, c, st);
	log_close(r);
	return rc;
}

/* 1 when the log holds exactly want, each record at its own offset. */
static int holds(const char *data, const char *name, const struct buf *want)
{
	struct recs c;
	int rc, ok;

	recs_init(&c);
	rc = read_all(data, name, &c, NULL);
	ok = rc == 0 && same_text(&c.text, want) && offsets_exact(&c);
	if (!ok)
		printf("# %s/%s: rc %d (%s), %zu records, %zu of %zu bytes\n", data, name, rc, err_msg(), c.n,
		       c.text.len, want->len);
	recs_free(&c);
	err_clear();
	return ok;
}

/* Blocks as log_read_blocks gives them. */
struct blk {
	char file[128];
	struct idx_entry e;   /* without its bloom */
	int have_bloom_users; /* the block's bloom holds the user of each record */
};
struct blks {
	struct log *l;
	struct blk *b;
	size_t n, cap;
	struct buf text;
	size_t stop_at;       /* return stop_code at this block (0: never) */
	int stop_code;
	int reread;           /* compare each block with log_read_block */
	int reread_bad;
	uint32_t bloom_bytes, bloom_k;
};

static void blks_init(struct blks *c, struct log *l)
{
	memset(c, 0, sizeof(*c));
	c->l = l;
	buf_init(&c->text);
}

static void blks_free(struct blks *c)
{
	free(c->b);
	buf_free(&c->text);
}

static int collect_block(const struct log_seg *s, const struct idx_entry *e, const struct buf *raw, void *ctx)
{
	struct blks *c = ctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->b = xrealloc(c->b, sizeof(*c->b) * c->cap);
	}
	struct blk *b = &c->b[c->n++];
	snprintf(b->file, sizeof(b->file), "%.127s", log_seg_file(c->l, s, 0));
	b->e = *e;
	b->e.bloom = NULL;
	b->have_bloom_users = 1;
	for (const char *p = raw->data, *end = raw->data + raw->len; c->bloom_bytes && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *u = memmem(p, (size_t)(nl - p), "\"u\":\"", 5);
		const char *q = u ? memchr(u + 5, '"', (size_t)(nl - u - 5)) : NULL;
		if (!q || !e->bloom || !bloom_may_have(e->bloom, c->bloom_bytes, c->bloom_k, u + 5, (size_t)(q - u - 5)))
			b->have_bloom_users = 0;
		p = nl + 1;
	}
	buf_add(&c->text, raw->data, raw->len);
	if (c->reread) {
		struct seg_reader r;
		struct buf blk, raw2;
		seg_reader_init(&r);
		buf_init(&blk);
		buf_init(&raw2);
		if (log_read_block(c->l, s, e, &r, &blk, &raw2) || !same_text(&raw2, raw))
			c->reread_bad++;
		seg_reader_free(&r);
		buf_free(&blk);
		buf_free(&raw2);
	}
	return c->stop_at && c->n == c->stop_at ? c->stop_code : 0;
}

static int filter_even(const struct idx_entry *e, const struct log_seg *s, void *ctx)
{
	(void)s;
	(void)ctx;
	return e->m.first_offset % 2 == 0;
}

/* Skips the block starting at first, and remembers it. */
struct skip {
	uint64_t first;
	const struct log_seg *s;
	const struct idx_entry *e;
	struct idx_entry copy;        /* entries live only while their segment is read */
};

static int filter_skip(const struct idx_entry *e, const struct log_seg *s, void *ctx)
{
	struct skip *k = ctx;

	if (e->m.first_offset != k->first)
		return 1;
	k->s = s;
	k->copy = *e;
	k->copy.bloom = NULL;
	k->e = &k->copy;
	return 0;
}

static void set_threads(int n)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", n);
	setenv("AGGR_THREADS", v, 1);
}

/* A writer process that appends n records from first without committing
 * and dies (no commit, abort or close). Returns its exit status. */
static int crash_writer(const char *data, const struct log_config *c, uint64_t first, uint64_t n,
			const char *batch, const char *key)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct log *w;
		if (log_open_write(data, "flows", c, 0, &w))
			_exit(3);
		log_set_batch(w, batch);
		log_begin(w, T0 + 99);
		if (key && log_key_add(w, key, strlen(key)))
			_exit(5);
		if (append_n(w, first, n))
			_exit(4);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* ---- compaction ---- */

/* What the compaction callback does to each record. */
enum { C_KEEP, C_MAIN, C_ONE, C_FAIL, C_FROM };
struct cctx {
	int mode;
	uint64_t arg;             /* C_ONE: drop this id; C_FAIL: fail here; C_FROM: drop ids >= arg */
	uint64_t calls, bad_offsets;
	struct buf changed;       /* the replacement line, valid until the next call */
	char user[16];
	struct log_bloom_key bk;
};

/* C_MAIN: drop 40..79 (a whole segment), drop i % 3 == 0, replace i % 5 == 0. */
static int main_drop(uint64_t i)
{
	return (i >= 40 && i < 80) || i % 3 == 0;
}

static void changed_line(struct buf *b, uint64_t i)
{
	buf_reset(b);
	buf_addf(b, "{\"i\":%" PRIu64 ",\"changed\":true}", i);
}

static int compact_fn(const char *line, size_t n, uint64_t offset, struct log_keep *keep, void *vctx)
{
	struct cctx *c = vctx;
	uint64_t i = line_id(line, n);

	c->calls++;
	/* offsets are exact in a segment compaction has not rewritten yet */
	if (offset != i && offset != LOG_NO_OFFSET)
		c->bad_offsets++;
	keep->line = line;
	keep->n = n;
	keep->key = key_of(i);
	c->bk.p = c->user;
	c->bk.n = (size_t)snprintf(c->user, sizeof(c->user), "u%u", (unsigned)(i % 7));
	keep->bloom = &c->bk;
	keep->nbloom = 1;
	switch (c->mode) {
	case C_MAIN:
		if (main_drop(i)) {
			keep->line = NULL;
		} else if (i % 5 == 0) {
			changed_line(&c->changed, i);
			keep->line = c->changed.data;
			keep->n = c->changed.len;
		}
		break;
	case C_ONE:
		if (i == c->arg)
			keep->line = NULL;
		break;
	case C_FAIL:
		if (i % 7 == 0)
			keep->line = NULL;
		if (i == c->arg)
			return 9;
		break;
	case C_FROM:
		if (i >= c->arg)
			keep->line = NULL;
		break;
	}
	return 0;
}

static int64_t main_ingest(uint64_t i)
{
	return T0 + (int64_t)(i / 40) * 1000;
}

/* Five sealed segments of 40 records (0..199), then an active one holding
 * two runs (200..239, 240..279); run k was ingested at T0 + 1000 k. */
static void compact_setup(const char *data, struct log_config *c)
{
	struct log_config big;

	config(c, 256, 1);
	config(&big, 256, 1 << 30);
	for (uint64_t r = 0; r < 5; r++)
		CHECK(write_run(data, "flows", c, main_ingest(r * 40), r * 40, 40) == 0);
	CHECK(write_run(data, "flows", &big, main_ingest(200), 200, 40) == 0);
	CHECK(write_run(data, "flows", &big, main_ingest(240), 240, 40) == 0);
	*c = big;
}

static void test_compact(void)
{
	char *data = tmpdir("compact"), *dir = path_join(data, "flows");
	struct log_config c;
	struct log *w, *r;
	struct log_compact_stats st;
	struct cctx cc;
	struct mani m;
	struct recs got;
	struct buf want, nm, line;
	struct snap before, after;
	const uint64_t N = 280;

	recs_init(&got);
	buf_init(&want);
	buf_init(&nm);
	buf_init(&line);
	memset(&cc, 0, sizeof(cc));
	buf_init(&cc.changed);
	set_threads(2);
	compact_setup(data, &c);
	mani_read(data, "flows", &m);
	CHECK(m.n == 6 && m.seg[0].base == 0 && m.seg[4].base == 160 && m.seg[4].sealed && m.seg[5].base == 200 &&
	      !m.seg[5].sealed && m.seg[5].gen == 0);

	/* a callback that keeps everything changes nothing */
	snap_take(dir, &before);
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	cc.mode = C_KEEP;
	CHECK(log_compact(w, compact_fn, &cc, &st) == 0);
	CHECK(cc.calls == N && cc.bad_offsets == 0);
	CHECK(st.segments_rewritten == 0 && st.segments_dropped == 0 && st.records_kept == N &&
	      st.records_dropped == 0 && st.bytes_before == data_bytes(dir) && st.bytes_after == st.bytes_before);
	snap_take(dir, &after);
	CHECK(snap_same(&before, &after));
	snap_free(&after);

	/* a callback error, in the last segment after five were rewritten, and
	 * at the very first record: nothing changes, not one byte */
	cc.mode = C_FAIL;
	cc.arg = 250;
	cc.calls = 0;
	CHECK(log_compact(w, compact_fn, &cc, &st) == 9 && cc.calls == 251);
	snap_take(dir, &after);
	CHECK(snap_same(&before, &after));
	snap_free(&after);
	cc.arg = 0;
	cc.calls = 0;
	CHECK(log_compact(w, compact_fn, &cc, &st) == 9 && cc.calls == 1);
	snap_take(dir, &after);
	CHECK(snap_same(&before, &after));
	snap_free(&after);
	err_clear();

	/* drop a whole segment (40..79) and every third record, change every
	 * fifth: the rest keep their order and offsets */
	uint64_t bytes0 = data_bytes(dir), dropped = 0, kept = 0;
	for (uint64_t i = 0; i < N; i++) {
		if (main_drop(i)) {
			dropped++;
			continue;
		}
		kept++;
		if (i % 5 == 0) {
			changed_line(&line, i);
			buf_add(&want, line.data, line.len);
			buf_addc(&want, '\n');
		} else {
			add_line(&want, i);
		}
	}
	cc.mode = C_MAIN;
	cc.calls = 0;
	CHECK(log_compact(w, compact_fn, &cc, &st) == 0);
	CHECK(cc.calls == N && cc.bad_offsets == 0);
	CHECK(st.segments_rewritten == 6 && st.segments_dropped == 1 && st.records_kept == kept &&
	      st.records_dropped == dropped && st.bytes_before == bytes0 && st.bytes_after == data_bytes(dir));
	CHECK(kept == 159 && dropped == 121);
	log_close(w);
	snap_free(&before);

	/* generation 1 of every segment left, the old files and segment 40 gone */
	names(dir, &nm);
	CHECK_STR(nm.data, "00000000000000000000-1.idx 00000000000000000000-1.jsonl.gz "
			   "00000000000000000080-1.idx 00000000000000000080-1.jsonl.gz "
			   "00000000000000000120-1.idx 00000000000000000120-1.jsonl.gz "
			   "00000000000000000160-1.idx 00000000000000000160-1.jsonl.gz "
			   "00000000000000000200-1.idx 00000000000000000200-1.jsonl.gz.open LOCK MANIFEST");
	mani_read(data, "flows", &m);
	CHECK(m.n == 5 && m.next_offset == N);
	int gens = m.n == 5, sealed = m.n == 5;
	static const uint64_t bases[] = {0, 80, 120, 160, 200};
	for (int i = 0; i < m.n && i < 5; i++) {
		gens &= m.seg[i].gen == 1 && m.seg[i].base == bases[i];
		sealed &= m.seg[i].sealed == (i < 4);
	}
	CHECK(gens);
	CHECK(sealed);
	/* records 0..39: 1, 2, 4, 5, ... (26 of them); 80..119 likewise 27 */
	CHECK(m.n == 5 && m.seg[0].records == 26 && m.seg[1].records == 27 && m.seg[2].records == 26);

	/* a reader sees exactly that; each offset is the record's own or, inside
	 * a compacted block, unknown */
	struct log_scan_stats ss;
	CHECK(log_open_read(data, "flows", &r) == 0);
	recs_reset(&got);
	CHECK(log_scan(r, NULL, collect, &got, &ss) == 0 && same_text(&got.text, &want) && got.n == kept &&
	      ss.records == kept);
	size_t exact = 0, unknown = 0, wrong = 0;
	for (size_t i = 0; i < got.n; i++) {
		if (got.off[i] == got.id[i])
			exact++;
		else if (got.off[i] == LOG_NO_OFFSET)
			unknown++;
		else
			wrong++;
	}
	CHECK(wrong == 0 && exact > 0 && unknown > 0);
	/* each block: its first offset is its first record's, its keys and ingest
	 * time those of its records, and SPARSE exactly when it has gaps */
	struct blks bl;
	blks_init(&bl, r);
	CHECK(log_read_blocks(r, NULL, NULL, collect_block, &bl, NULL) == 0 && same_text(&bl.text, &want));
	int firsts = 1, keys = 1, ingest = 1, sparse = 1;
	for (size_t j = 0, k = 0; j < bl.n && k < got.n; j++) {
		const struct block_meta *b = &bl.b[j].e.m;
		int64_t kmin = INT64_MAX, kmax = INT64_MIN, imax = INT64_MIN;
		int gap = 0;
		firsts &= b->first_offset == got.id[k];
		for (uint32_t q = 0; q < b->count && k < got.n; q++, k++) {
			kmin = key_of(got.id[k]) < kmin ? key_of(got.id[k]) : kmin;
			kmax = key_of(got.id[k]) > kmax ? key_of(got.id[k]) : kmax;
			imax = main_ingest(got.id[k]) > imax ? main_ingest(got.id[k]) : imax;
			gap |= q && got.id[k] != got.id[k - 1] + 1;
		}
		keys &= b->min_key == kmin && b->max_key == kmax;
		ingest &= b->ingest_us == imax;
		sparse &= !!(b->flags & IDX_SPARSE) == gap;
	}
	CHECK(firsts);
	CHECK(keys);
	CHECK(ingest);
	CHECK(sparse);
	struct log_check_stats cs;
	CHECK(log_check(r, &cs) == 0 && cs.segments == 5 && cs.records == kept && cs.torn_bytes == 0);
	blks_free(&bl);
	log_close(r);

	/* the log goes on after its end, not after its last record */
	CHECK(write_run(data, "flows", &c, T0 + 9000, N, 20) == 0);
	add_lines(&want, N, N + 20);
	CHECK(read_all(data, "flows", &got, NULL) == 0 && same_text(&got.text, &want) && got.n == kept + 20);
	CHECK(got.n == kept + 20 && offsets_exact_from(&got, kept));
	CHECK(log_open_read(data, "flows", &r) == 0);
	CHECK(log_check(r, &cs) == 0 && cs.records == kept + 20);
	log_close(r);

	/* a second compaction rewrites only the segment it changes: gen 2 */
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	cc.mode = C_ONE;
	cc.arg = 121;
	cc.calls = 0;
	CHECK(log_compact(w, compact_fn, &cc, &st) == 0 && cc.calls == kept + 20 && cc.bad_offsets == 0);
	CHECK(st.segments_rewritten == 1 && st.segments_dropped == 0 && st.records_dropped == 1 &&
	      st.records_kept == kept + 19);
	log_close(w);
	names(dir, &nm);
	CHECK_STR(nm.data, "00000000000000000000-1.idx 00000000000000000000-1.jsonl.gz "
			   "00000000000000000080-1.idx 00000000000000000080-1.jsonl.gz "
			   "00000000000000000120-2.idx 00000000000000000120-2.jsonl.gz "
			   "00000000000000000160-1.idx 00000000000000000160-1.jsonl.gz "
			   "00000000000000000200-1.idx 00000000000000000200-1.jsonl.gz.open LOCK MANIFEST");
	mani_read(data, "flows", &m);
	CHECK(m.n == 5 && m.seg[2].gen == 2 && m.seg[2].records == 25 && m.seg[1].gen == 1 && m.seg[3].gen == 1);
	CHECK(read_all(data, "flows", &got, NULL) == 0 && got.n == kept + 19);

	recs_free(&got);
	buf_free(&want);
	buf_free(&nm);
	buf_free(&line);
	buf_free(&cc.changed);
	free(dir);
	rmtree(data);
}

/* Compaction at the ends: the active segment's last records, the whole
 * active segment, everything; and bloom filters of rewritten blocks. */
static void test_compact_edges(void)
{
	char *data = tmpdir("compact-edges"), *dir = path_join(data, "flows");
	struct log_config c, big, bc;
	struct log *w, *r;
	struct log_compact_stats st;
	struct log_check_stats cs;
	struct cctx cc;
	struct mani m;
	struct buf want, nm;

	buf_init(&want);
	buf_init(&nm);
	memset(&cc, 0, sizeof(cc));
	buf_init(&cc.changed);
	set_threads(1);
	config(&c, 256, 1);
	config(&big, 256, 1 << 30);
	CHECK(write_run(data, "flows", &c, T0, 0, 40) == 0);
	CHECK(write_run(data, "flows", &big, T0 + 1, 40, 40) == 0);

	/* the active segment's last 20 records */
	CHECK(log_open_write(data, "flows", &big, 0, &w) == 0);
	cc.mode = C_FROM;
	cc.arg = 60;
	CHECK(log_compact(w, compact_fn, &cc, &st) == 0);
	CHECK(st.segments_rewritten == 1 && st.segments_dropped == 0 && st.records_dropped == 20 &&
	      st.records_kept == 60);
	log_close(w);
	mani_read(data, "flows", &m);
	CHECK(m.n == 2 && m.seg[0].gen == 0 && m.seg[0].sealed && m.seg[1].base == 40 && m.seg[1].gen == 1 &&
	      !m.seg[1].sealed && m.next_offset == 80);
	add_lines(&want, 0, 60);
	CHECK(holds(data, "flows", &want));
	/* offsets 60..79 are gone for good: the next run starts at 80, in the
	 * rewritten active segment */
	CHECK(write_run(data, "flows", &big, T0 + 2, 80, 10) == 0);
	add_lines(&want, 80, 90);
	CHECK(holds(data, "flows", &want));
	names(dir, &nm);
	CHECK_STR(nm.data, "00000000000000000000.idx 00000000000000000000.jsonl.gz "
			   "00000000000000000040-1.idx 00000000000000000040-1.jsonl.gz.open LOCK MANIFEST");
	CHECK(log_open_read(data, "flows", &r) == 0);
	CHECK(log_check(r, &cs) == 0 && cs.segments == 2 && cs.records == 70);
	log_close(r);

	/* the whole active segment: it leaves the MANIFEST, the end stays */
	CHECK(log_open_write(data, "flows", &big, 0, &w) == 0);
	cc.arg = 40;
	CHECK(log_compact(w, compact_fn, &cc, &st) == 0);
	CHECK(st.segments_rewritten == 1 && st.segments_dropped == 1 && st.records_dropped == 30 &&
	      st.records_kept == 40);
	log_close(w);
	names(dir, &nm);
	CHECK_STR(nm.data, "00000000000000000000.idx 00000000000000000000.jsonl.gz LOCK MANIFEST");
	mani_read(data, "flows", &m);
	CHECK(m.n == 1 && m.seg[0].sealed && m.next_offset == 90);
	buf_reset(&want);
	add_lines(&want, 0, 40);
	CHECK(holds(data, "flows", &want));
	CHECK(write_run(data, "flows", &big, T0 + 3, 90, 10) == 0);
	add_lines(&want, 90, 100);
	CHECK(holds(data, "flows", &want));
	char p90[4096];
	seg_path(p90, sizeof(p90), data, "flows", 90, 0, 0);
	CHECK(fsize(p90) > 0);

	/* everything */
	CHECK(log_open_write(data, "flows", &big, 0, &w) == 0);
	cc.arg = 0;
	CHECK(log_compact(w, compact_fn, &cc, &st) == 0);
	CHECK(st.segments_rewritten == 2 && st.segments_dropped == 2 && st.records_dropped == 50 &&
	      st.records_kept == 0 && st.bytes_after == 0);
	log_close(w);
	names(dir, &nm);
	CHECK_STR(nm.data, "LOCK MANIFEST");
	mani_read(data, "flows", &m);
	CHECK(m.n == 0 && m.next_offset == 100);
	buf_reset(&want);
	CHECK(holds(data, "flows", &want));
	CHECK(log_open_read(data, "flows", &r) == 0);
	CHECK(log_check(r, &cs) == 0 && cs.segments == 0 && cs.records == 0);
	log_close(r);
	CHECK(write_run(data, "flows", &big, T0 + 4, 100, 5) == 0);
	add_lines(&want, 100, 105);
	CHECK(holds(data, "flows", &want));
	names(dir, &nm);
	CHECK_STR(nm.data, "00000000000000000100.idx 00000000000000000100.jsonl.gz.open LOCK MANIFEST");

	/* rewritten blocks carry the bloom keys the callback gives */
	struct blks bl;
	bc = big;
	bc.bloom_bytes = 64;
	bc.bloom_k = 3;
	CHECK(write_run(data, "streams/b", &bc, T0, 0, 60) == 0);
	CHECK(log_open_write(data, "streams/b", &bc, 0, &w) == 0);
	cc.mode = C_ONE;
	cc.arg = 5;
	CHECK(log_compact(w, compact_fn, &cc, &st) == 0 && st.segments_rewritten == 1 && st.records_kept == 59);
	log_close(w);
	CHECK(log_open_read(data, "streams/b", &r) == 0);
	blks_init(&bl, r);
	bl.bloom_bytes = 64;
	bl.bloom_k = 3;
	CHECK(log_read_blocks(r, NULL, NULL, collect_block, &bl, NULL) == 0 && bl.n > 3);
	int users = 1;
	for (size_t j = 0; j < bl.n; j++)
		users &= bl.b[j].have_bloom_users;
	CHECK(users);
	blks_free(&bl);
	log_close(r);

	buf_free(&want);
	buf_free(&nm);
	buf_free(&cc.changed);
	free(dir);
	rmtree(data);
}

/* ---- retention ---- */

/* The blocks of a log as a reader sees them, and which of them it counts
 * as expired; returns the number of blocks. */
static size_t expired_flags(const char *data, const char *name, const struct idx_entry *ents, size_t n,
			    char *flags)
{
	struct log *r;

	if (log_open_read(data, name, &r))
		return 0;
	for (size_t i = 0; i < n; i++)
		flags[i] = (char)('0' + log_block_expired(r, &ents[i]));
	flags[n] = 0;
	log_close(r);
	return n;
}

static int set_retention(const char *data, const char *name, const struct log_config *c, int64_t us)
{
	struct log *w;
	int rc = log_open_write(data, name, c, 0, &w);

	if (!rc)
		rc = log_set_retention(w, us);
	log_close(w);
	return rc;
}

static void test_retention(void)
{
	char *data = tmpdir("retention"), *dir = path_join(data, "flows");
	struct log_config c, big;
	struct log *w, *r;
	struct log_scan_stats ss;
	struct log_check_stats cs;
	struct mani m;
	struct recs got;
	struct buf want, nm;
	struct blks bl;
	struct snap before, after;
	struct idx_entry ents[6];
	char flags[8];
	uint64_t recs, segs;
	const int64_t R = HOUR;

	recs_init(&got);
	buf_init(&want);
	buf_init(&nm);
	set_threads(2);
	config(&c, 1 << 20, 1);
	CHECK(NOW == NOW_US);
	/* one block and one sealed segment per run: A (0..9) expires a
	 * microsecond before the boundary, B (10..19) at it, C (20..29) is older
	 * than B, D (30..39) is now */
	CHECK(write_run(data, "flows", &c, NOW - R - 1, 0, 10) == 0);
	CHECK(write_run(data, "flows", &c, NOW - R, 10, 10) == 0);
	CHECK(write_run(data, "flows", &c, NOW - R - 5, 20, 10) == 0);
	CHECK(write_run(data, "flows", &c, NOW, 30, 10) == 0);

	/* without a retention period nothing expires */
	CHECK(log_open_read(data, "flows", &r) == 0);
	blks_init(&bl, r);
	CHECK(log_read_blocks(r, NULL, NULL, collect_block, &bl, &ss) == 0 && bl.n == 4 && ss.blocks_total == 4 &&
	      ss.blocks_read == 4 && ss.records == 40);
	for (size_t i = 0; i < 4 && i < bl.n; i++)
		ents[i] = bl.b[i].e;
	ents[4] = ents[0];
	ents[4].m.ingest_us = 0;
	ents[5] = ents[0];
	ents[5].m.ingest_us = INT64_MIN + 1;
	blks_free(&bl);
	log_close(r);
	CHECK(expired_flags(data, "flows", ents, 6, flags) == 6);
	CHECK_STR(flags, "000000");

	CHECK(set_retention(data, "flows", &c, R) == 0);
	mani_read(data, "flows", &m);
	CHECK(m.n == 4 && m.retention_us == R && m.seg[3].sealed && m.seg[3].max_ingest == NOW);
	/* expired: ingested before now - R, to the microsecond */
	CHECK(expired_flags(data, "flows", ents, 6, flags) == 6);
	CHECK_STR(flags, "101011");
	add_lines(&want, 10, 20);
	add_lines(&want, 30, 40);
	CHECK(read_all(data, "flows", &got, &ss) == 0 && same_text(&got.text, &want) && offsets_exact(&got));
	CHECK(ss.blocks_total == 4 && ss.blocks_read == 2 && ss.records == 20);
	/* check still verifies the expired blocks */
	CHECK(log_open_read(data, "flows", &r) == 0);
	CHECK(log_check(r, &cs) == 0 && cs.segments == 4 && cs.blocks == 4 && cs.records == 40);
	log_close(r);
	/* one microsecond longer: A sits on the boundary and stays */
	CHECK(set_retention(data, "flows", &c, R + 1) == 0);
	CHECK(expired_flags(data, "flows", ents, 4, flags) == 4);
	CHECK_STR(flags, "0010");
	/* one shorter: B goes too */
	CHECK(set_retention(data, "flows", &c, R - 1) == 0);
	CHECK(expired_flags(data, "flows", ents, 4, flags) == 4);
	CHECK_STR(flags, "1110");
	CHECK(set_retention(data, "flows", &c, R) == 0);

	/* retain deletes whole segments whose blocks all came before the cutoff,
	 * oldest first, and stops at the first newer one */
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	snap_take(dir, &before);
	CHECK(log_retain(w, NOW - R - 1, &recs, &segs) == 0 && recs == 0 && segs == 0);
	snap_take(dir, &after);
	CHECK(snap_same(&before, &after));
	snap_free(&before);
	snap_free(&after);
	CHECK(log_retain(w, NOW - R, &recs, &segs) == 0 && recs == 10 && segs == 1);
	names(dir, &nm);
	CHECK_STR(nm.data, "00000000000000000010.idx 00000000000000000010.jsonl.gz "
			   "00000000000000000020.idx 00000000000000000020.jsonl.gz "
			   "00000000000000000030.idx 00000000000000000030.jsonl.gz LOCK MANIFEST");
	mani_read(data, "flows", &m);
	CHECK(m.n == 3 && m.seg[0].base == 10 && m.retention_us == R);
	/* C expired but stays behind B; readers still skip it */
	CHECK(read_all(data, "flows", &got, &ss) == 0 && same_text(&got.text, &want) && offsets_exact(&got));
	CHECK(ss.blocks_total == 3 && ss.blocks_read == 2 && ss.records == 20);
	CHECK(log_retain(w, NOW - R + 1, &recs, &segs) == 0 && recs == 20 && segs == 2);
	buf_reset(&want);
	add_lines(&want, 30, 40);
	CHECK(holds(data, "flows", &want));
	/* not inside a run */
	CHECK(log_begin(w, NOW) == 0);
	CHECK(log_retain(w, NOW + 1, &recs, &segs) == EX_FAIL && recs == 0 && segs == 0);
	err_clear();
	log_abort(w);
	/* the last segment too; the log's end stays */
	CHECK(log_retain(w, NOW + 1, &recs, &segs) == 0 && recs == 10 && segs == 1);
	names(dir, &nm);
	CHECK_STR(nm.data, "LOCK MANIFEST");
	mani_read(data, "flows", &m);
	CHECK(m.n == 0 && m.next_offset == 40 && m.retention_us == R);
	buf_reset(&want);
	CHECK(holds(data, "flows", &want));
	CHECK(log_begin(w, NOW) == 0 && append_n(w, 40, 5) == 0 && log_commit(w) == 0);
	log_close(w);
	add_lines(&want, 40, 45);
	CHECK(holds(data, "flows", &want));
	CHECK(write_run(data, "flows", &c, NOW, 45, 5) == 0);
	add_lines(&want, 45, 50);
	CHECK(holds(data, "flows", &want));
	names(dir, &nm);
	CHECK_STR(nm.data, "00000000000000000040.idx 00000000000000000040.jsonl.gz "
			   "00000000000000000045.idx 00000000000000000045.jsonl.gz LOCK MANIFEST");

	/* the active segment, all of it expired: it goes, and the end stays
	 * across a new writer */
	config(&big, 1 << 20, 1 << 30);
	big.retention_us = R;
	CHECK(write_run(data, "counters", &big, NOW - 2 * R, 0, 10) == 0);
	mani_read(data, "counters", &m);
	CHECK(m.n == 1 && !m.seg[0].sealed && m.retention_us == R);
	buf_reset(&want);
	CHECK(holds(data, "counters", &want));
	CHECK(log_open_write(data, "counters", &big, 0, &w) == 0);
	CHECK(log_retain(w, NOW - R, &recs, &segs) == 0 && recs == 10 && segs == 1);
	log_close(w);
	mani_read(data, "counters", &m);
	CHECK(m.n == 0 && m.next_offset == 10);
	CHECK(write_run(data, "counters", &big, NOW, 10, 3) == 0);
	add_lines(&want, 10, 13);
	CHECK(holds(data, "counters", &want));
	mani_read(data, "counters", &m);
	CHECK(m.n == 1 && m.seg[0].base == 10);
	/* an active segment with one expired run and one new: it stays whole,
	 * readers skip the old block */
	CHECK(write_run(data, "counters", &big, NOW - 2 * R, 13, 4) == 0);
	CHECK(write_run(data, "counters", &big, NOW, 17, 2) == 0);
	add_lines(&want, 17, 19);
	CHECK(read_all(data, "counters", &got, &ss) == 0 && same_text(&got.text, &want) && offsets_exact(&got));
	CHECK(ss.blocks_total == 3 && ss.blocks_read == 2 && ss.records == 5);
	CHECK(log_open_write(data, "counters", &big, 0, &w) == 0);
	CHECK(log_retain(w, NOW - R, &recs, &segs) == 0 && recs == 0 && segs == 0);
	log_close(w);
	CHECK(holds(data, "counters", &want));

	recs_free(&got);
	buf_free(&want);
	buf_free(&nm);
	free(dir);
	rmtree(data);
}

/* ---- repair ---- */

static int check_clean(const char *data, const char *name, uint64_t records)
{
	struct log *r;
	struct log_check_stats cs;
	int rc;

	if ((rc = log_open_read(data, name, &r))) {
		printf("# open: %s\n", err_msg());
		err_clear();
		return 0;
	}
	rc = log_check(r, &cs);
	if (rc || cs.records != records || cs.torn_bytes)
		printf("# check: rc %d (%s), %" PRIu64 " records, %" PRIu64 " torn bytes\n", rc, err_msg(),
		       cs.records, cs.torn_bytes);
	err_clear();
	log_close(r);
	return rc == 0 && cs.records == records && cs.torn_bytes == 0;
}

static void idx_path(char *out, size_t n, const char *data, const struct mseg *s)
{
	seg_path(out, n, data, "flows", s->base, s->gen, 1);
}

static void test_repair(void)
{
	char *data = tmpdir("repair"), *dir = path_join(data, "flows");
	struct log_config c, big;
	struct log *r, *w;
	struct recs got;
	struct mani m;
	struct buf want;
	struct snap before, after;
	char path[4096];
	const uint64_t N = 240;

	recs_init(&got);
	buf_init(&want);
	set_threads(2);
	config(&c, 256, 3000);
	config(&big, 256, 1 << 30);
	for (uint64_t k = 0; k < 8; k++)
		CHECK(write_run(data, "flows", k < 6 ? &c : &big, T0 + (int64_t)k, k * 30, 30) == 0);
	add_lines(&want, 0, N);
	mani_read(data, "flows", &m);
	CHECK(m.n >= 3 && m.seg[0].sealed && m.seg[1].sealed && !m.seg[m.n - 1].sealed);
	if (m.n < 3) {
		rmtree(data);
		free(dir);
		return;
	}
	struct mseg active = m.seg[m.n - 1];
	(void)active;  /* used by the cases under AGGR_TEST_REPAIR_RESTORES_UNPROVEN */

	/* nothing wrong: repair changes nothing */
	snap_take(dir, &before);
	CHECK(log_repair(data, "flows", &c, 0) == 0);
	snap_take(dir, &after);
	CHECK(snap_same(&before, &after));
	snap_free(&after);

	/* a sealed segment's index lost */
	idx_path(path, sizeof(path), data, &m.seg[1]);
	CHECK(unlink(path) == 0);
	CHECK(log_open_read(data, "flows", &r) == EX_CORRUPT && strstr(err_msg(), ".idx: missing"));
	err_clear();
	CHECK(log_open_write(data, "flows", &c, 0, &w) == EX_CORRUPT);
	err_clear();
	CHECK(log_repair(data, "flows", &c, 0) == 0);
	CHECK(holds(data, "flows", &want));
	CHECK(check_clean(data, "flows", N));

#ifdef AGGR_TEST_REPAIR_RESTORES_UNPROVEN
	/* Written for the repair before issue 12 item 5, which made every
	 * block of a segment whose index was lost visible again. Repair now
	 * sets aside what no commit proves (tests/cli/repair.t, salvage.t,
	 * lost.t, leftover.t); these cases wait to be rewritten for that. */
	/* the active segment's index lost */
	idx_path(path, sizeof(path), data, &active);
	CHECK(unlink(path) == 0);
	CHECK(log_open_read(data, "flows", &r) == EX_CORRUPT);
	err_clear();
	CHECK(log_repair(data, "flows", &c, 0) == 0);
	CHECK(holds(data, "flows", &want));
	CHECK(check_clean(data, "flows", N));

	/* a damaged entry in the middle of a sealed segment's index */
	idx_path(path, sizeof(path), data, &m.seg[0]);
	CHECK(fsize(path) >= IDX_HDR_LEN + 3 * IDX_ENTRY_FIXED);
	CHECK(flip(path, IDX_HDR_LEN + IDX_ENTRY_FIXED + 8) == 0);
	CHECK(log_open_read(data, "flows", &r) == 0);
	{
		struct log_check_stats cs;
		CHECK(log_check(r, &cs) == EX_CORRUPT);
		err_clear();
	}
	log_close(r);
#endif

#ifdef AGGR_TEST_KNOWN_BUGS
	/* found here: a reader silently skips the records after a damaged entry
	 * of a sealed segment (which cannot have an uncommitted tail), where it
	 * should fail with EX_CORRUPT as for a damaged block */
	CHECK(read_all(data, "flows", &got, NULL) == EX_CORRUPT);
	err_clear();
#endif
	CHECK(log_repair(data, "flows", &c, 0) == 0);
	CHECK(holds(data, "flows", &want));
	CHECK(check_clean(data, "flows", N));

	/* the log goes on after a repair */
	CHECK(write_run(data, "flows", &big, T0 + 10, N, 10) == 0);
	add_lines(&want, N, N + 10);
	CHECK(holds(data, "flows", &want));
	CHECK(check_clean(data, "flows", N + 10));


	/* a compacted segment's index lost: the records come back, each offset
	 * the record's own or unknown (the blocks do not say where gaps are) */
	struct cctx cc;
	struct log_compact_stats st;
	memset(&cc, 0, sizeof(cc));
	buf_init(&cc.changed);
	cc.mode = C_ONE;
	cc.arg = 5;
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(log_compact(w, compact_fn, &cc, &st) == 0 && st.segments_rewritten == 1);
	log_close(w);
	buf_reset(&want);
	add_lines(&want, 0, 5);
	add_lines(&want, 6, N + 10);
	mani_read(data, "flows", &m);
	CHECK(m.n >= 1 && m.seg[0].gen == 1);
	idx_path(path, sizeof(path), data, &m.seg[0]);
	CHECK(unlink(path) == 0);
	CHECK(log_repair(data, "flows", &c, 0) == 0);
	CHECK(read_all(data, "flows", &got, NULL) == 0 && same_text(&got.text, &want));
	size_t wrong = 0;
	for (size_t i = 0; i < got.n; i++)
		wrong += got.off[i] != got.id[i] && got.off[i] != LOG_NO_OFFSET;
	CHECK(got.n == N + 9 && wrong == 0 && got.off[0] == 0);
	CHECK(check_clean(data, "flows", N + 9));
	buf_free(&cc.changed);
	snap_free(&before);

#ifdef AGGR_TEST_KNOWN_BUGS
	/* found here: a damaged committed entry in the active segment looks like
	 * an uncommitted tail (reads stop before it, check says nothing); repair
	 * leaves it, and the next writer cuts every committed block after it */
	{
		char *act = tmpdir("repair-active");
		buf_reset(&want);
		add_lines(&want, 0, 90);
		for (uint64_t k = 0; k < 3; k++)
			CHECK(write_run(act, "flows", &big, T0 + (int64_t)k, k * 30, 30) == 0);
		mani_read(act, "flows", &m);
		CHECK(m.n == 1 && !m.seg[0].sealed);
		idx_path(path, sizeof(path), act, &m.seg[0]);
		CHECK(flip(path, IDX_HDR_LEN + IDX_ENTRY_FIXED + 8) == 0);
		CHECK(!check_clean(act, "flows", 90));
		CHECK(log_repair(act, "flows", &c, 0) == 0);
		CHECK(log_open_write(act, "flows", &c, 0, &w) == 0);
		log_close(w);
		CHECK(holds(act, "flows", &want));
		rmtree(act);
	}
#endif

	/* a killed run: repair keeps what was committed, the next writer drops
	 * the rest */
	char *killed = tmpdir("repair-killed");
	char *kdir = path_join(killed, "flows");
	buf_reset(&want);
	add_lines(&want, 0, 30);
	CHECK(write_run(killed, "flows", &big, T0, 0, 30) == 0);
	snap_take(kdir, &before);
	CHECK(crash_writer(killed, &big, 30, 300, NULL, NULL) == 0);
	CHECK(log_repair(killed, "flows", &c, 0) == 0);
	CHECK(holds(killed, "flows", &want));
	CHECK(log_open_write(killed, "flows", &big, 0, &w) == 0);
	log_close(w);
	snap_take(kdir, &after);
	CHECK(snap_same(&before, &after));
	snap_free(&after);
	CHECK(holds(killed, "flows", &want));
#ifdef AGGR_TEST_KNOWN_BUGS
	/* issue 12 item 5: with the index lost too, repair must not make the
	 * killed run's blocks visible */
	CHECK(crash_writer(killed, &big, 30, 300, NULL, NULL) == 0);
	mani_read(killed, "flows", &m);
	CHECK(m.n == 1);
	idx_path(path, sizeof(path), killed, &m.seg[0]);
	CHECK(unlink(path) == 0);
	CHECK(log_repair(killed, "flows", &c, 0) == 0);
	CHECK(holds(killed, "flows", &want));
	CHECK(log_open_write(killed, "flows", &big, 0, &w) == 0);
	log_close(w);
	CHECK(holds(killed, "flows", &want));
#endif
	snap_free(&before);
	free(kdir);
	rmtree(killed);

	recs_free(&got);
	buf_free(&want);
	free(dir);
	rmtree(data);
}

/* ---- the parallel reader ---- */

static void test_reader(void)
{
	char *data = tmpdir("reader");
	struct log_config c;
	struct log *r;
	struct log_scan_stats ss;
	struct recs got;
	struct blks ref, bl;
	struct buf want, sel;
	const uint64_t N = 1200;
	static const int threads[] = {1, 2, 4, 8};
	char msg[512];

	recs_init(&got);
	buf_init(&want);
	buf_init(&sel);
	set_threads(4);
	config(&c, 300, 5000);
	for (uint64_t k = 0; k < 12; k++)
		CHECK(write_run(data, "flows", &c, T0 + (int64_t)k, k * 100, 100) == 0);
	add_lines(&want, 0, N);

	/* an absent log: nothing, and no call */
	CHECK(log_open_read(data, "nolog", &r) == 0);
	blks_init(&bl, r);
	CHECK(log_read_blocks(r, NULL, NULL, collect_block, &bl, &ss) == 0 && bl.n == 0 && ss.blocks_total == 0 &&
	      ss.blocks_read == 0 && ss.records == 0);
	blks_free(&bl);
	log_close(r);

	/* the blocks in log order, on one thread */
	CHECK(log_open_read(data, "flows", &r) == 0);
	set_threads(1);
	blks_init(&ref, r);
	ref.reread = 1;
	CHECK(log_read_blocks(r, NULL, NULL, collect_block, &ref, &ss) == 0 && same_text(&ref.text, &want) &&
	      ref.reread_bad == 0);
	CHECK(ss.blocks_total == ref.n && ss.blocks_read == ref.n && ss.records == N && ref.n > 100);
	int order = 1, files = 0;
	uint64_t next = 0, even_records = 0;
	size_t even_blocks = 0;
	for (size_t j = 0; j < ref.n; j++) {
		order &= ref.b[j].e.m.first_offset == next;
		next += ref.b[j].e.m.count;
		files += j && strcmp(ref.b[j].file, ref.b[j - 1].file);
		if (ref.b[j].e.m.first_offset % 2 == 0) {
			even_blocks++;
			even_records += ref.b[j].e.m.count;
			add_lines(&sel, ref.b[j].e.m.first_offset, ref.b[j].e.m.first_offset + ref.b[j].e.m.count);
		}
	}
	CHECK(order && next == N);
	CHECK(files >= 3);
	CHECK(even_blocks > 10 && even_blocks < ref.n);

	for (size_t t = 0; t < sizeof(threads) / sizeof(*threads); t++) {
		set_threads(threads[t]);
		/* the same records in the same order, each at its offset */
		recs_reset(&got);
		CHECK(log_scan(r, NULL, collect, &got, &ss) == 0 && same_text(&got.text, &want) && offsets_exact(&got) &&
		      got.n == N);
		CHECK(ss.blocks_total == ref.n && ss.blocks_read == ref.n && ss.records == N);
		/* the same blocks with the same entries */
		blks_init(&bl, r);
		bl.reread = 1;
		CHECK(log_read_blocks(r, NULL, NULL, collect_block, &bl, &ss) == 0 && bl.n == ref.n &&
		      same_text(&bl.text, &want) && bl.reread_bad == 0);
		int same_blocks = bl.n == ref.n;
		for (size_t j = 0; same_blocks && j < bl.n; j++)
			same_blocks = !strcmp(bl.b[j].file, ref.b[j].file) && bl.b[j].e.pos == ref.b[j].e.pos &&
				      !memcmp(&bl.b[j].e.m, &ref.b[j].e.m, sizeof(bl.b[j].e.m));
		CHECK(same_blocks);
		blks_free(&bl);
		/* a filter that skips blocks */
		blks_init(&bl, r);
		CHECK(log_read_blocks(r, filter_even, NULL, collect_block, &bl, &ss) == 0 && bl.n == even_blocks &&
		      same_text(&bl.text, &sel));
		CHECK(ss.blocks_total == ref.n && ss.blocks_read == even_blocks && ss.records == even_records);
		blks_free(&bl);
		recs_reset(&got);
		CHECK(log_scan(r, filter_even, collect, &got, &ss) == 0 && same_text(&got.text, &sel) &&
		      offsets_exact(&got) && ss.blocks_read == even_blocks && ss.records == even_records);
		/* fn stops at the first, a middle and the last block with its code */
		static const size_t stops[] = {1, 37, 0};
		for (size_t k = 0; k < 3; k++) {
			size_t at = stops[k] ? stops[k] : ref.n;
			uint64_t recs = 0;
			for (size_t j = 0; j < at; j++)
				recs += ref.b[j].e.m.count;
			blks_init(&bl, r);
			bl.stop_at = at;
			bl.stop_code = 42;
			CHECK(log_read_blocks(r, NULL, NULL, collect_block, &bl, &ss) == 42 && bl.n == at &&
			      ss.blocks_read == at && ss.records == recs && ss.blocks_total == ref.n);
			blks_free(&bl);
		}
		recs_reset(&got);
		got.stop_at = 500;
		got.stop_code = 7;
		CHECK(log_scan(r, NULL, collect, &got, NULL) == 7 && got.n == 500 && offsets_exact(&got));
		got.stop_at = 0;
	}
	log_close(r);

	/* a damaged block in the middle: EX_CORRUPT naming its file and byte
	 * offset, after fn saw exactly the blocks before it */
	size_t bad = ref.n / 2;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", data, ref.b[bad].file);
	/* a byte of the member's CRC-32 trailer */
	CHECK(flip(path, (long long)(ref.b[bad].e.pos + ref.b[bad].e.m.block_len - 6)) == 0);
	snprintf(msg, sizeof(msg), "%s: offset %" PRIu64 ": ", ref.b[bad].file, ref.b[bad].e.pos);
	uint64_t before_bad = 0;
	for (size_t j = 0; j < bad; j++)
		before_bad += ref.b[j].e.m.count;
	CHECK(log_open_read(data, "flows", &r) == 0);
	for (size_t t = 0; t < sizeof(threads) / sizeof(*threads); t++) {
		set_threads(threads[t]);
		blks_init(&bl, r);
		CHECK(log_read_blocks(r, NULL, NULL, collect_block, &bl, &ss) == EX_CORRUPT &&
		      !strncmp(err_msg(), msg, strlen(msg)));
		if (strncmp(err_msg(), msg, strlen(msg)))
			printf("# got \"%s\", want \"%s...\"\n", err_msg(), msg);
		err_clear();
		CHECK(bl.n == bad && ss.blocks_read == bad + 1 && ss.records == before_bad);
		int prefix = bl.n == bad;
		for (size_t j = 0; prefix && j < bl.n; j++)
			prefix = bl.b[j].e.pos == ref.b[j].e.pos && !strcmp(bl.b[j].file, ref.b[j].file);
		CHECK(prefix);
		blks_free(&bl);
		recs_reset(&got);
		CHECK(log_scan(r, NULL, collect, &got, NULL) == EX_CORRUPT && !strncmp(err_msg(), msg, strlen(msg)) &&
		      got.n == before_bad);
		err_clear();
		/* a filter that skips it reads the rest */
		struct skip sk = {ref.b[bad].e.m.first_offset, NULL, NULL, {0}};
		blks_init(&bl, r);
		CHECK(log_read_blocks(r, filter_skip, &sk, collect_block, &bl, &ss) == 0 && bl.n == ref.n - 1 &&
		      ss.blocks_read == ref.n - 1 && ss.records == N - ref.b[bad].e.m.count);
		blks_free(&bl);
		/* and log_read_block finds the same damage */
		if (sk.s && sk.e) {
			struct seg_reader sr;
			struct buf blk, raw;
			seg_reader_init(&sr);
			buf_init(&blk);
			buf_init(&raw);
			CHECK(log_read_block(r, sk.s, sk.e, &sr, &blk, &raw) == EX_CORRUPT &&
			      !strncmp(err_msg(), msg, strlen(msg)));
			err_clear();
			seg_reader_free(&sr);
			buf_free(&blk);
			buf_free(&raw);
		} else {
			CHECK(!"the filter saw the damaged block");
		}
	}
	log_close(r);

	blks_free(&ref);
	recs_free(&got);
	buf_free(&want);
	buf_free(&sel);
	rmtree(data);
}

/* ---- batch IDs ---- */

static int file_is(const char *path, const char *text)
{
	struct buf b;
	int ok;

	buf_init(&b);
	if (read_file(path, &b, 1 << 20) < 0) {
		buf_free(&b);
		if (text)
			printf("# %s: missing, want \"%s\"\n", path, text);
		return !text;
	}
	ok = text && b.len == strlen(text) && !memcmp(b.data, text, b.len);
	if (!ok)
		printf("# %s: \"%.*s\", want \"%s\"\n", path, (int)b.len, b.data ? b.data : "", text ? text : "(none)");
	buf_free(&b);
	return ok;
}

static void test_batches(void)
{
	char *data = tmpdir("batches");
	char *bpath = path_join(data, "flows/batches"), *rpath = path_join(data, "counters/batches");
	struct log_config c, seal;
	struct log *w;
	struct buf want;
	char id[202];
	uint64_t recs, segs;

	buf_init(&want);
	set_threads(2);
	config(&c, 256, 1 << 30);
	memset(id, 'x', sizeof(id));
	id[200] = 0;
	CHECK(log_batch_id_valid("b1") && log_batch_id_valid(id) && log_batch_id_valid("~!a"));
	id[200] = 'x';
	id[201] = 0;
	CHECK(!log_batch_id_valid(id) && !log_batch_id_valid("") && !log_batch_id_valid("a b") &&
	      !log_batch_id_valid("a\x7f") && !log_batch_id_valid("\xc3\xa9"));

	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(!log_batch_seen(w, "b1"));
	log_set_batch(w, "b1");
	CHECK(log_begin(w, T0) == 0 && append_n(w, 0, 10) == 0);
	/* not before its commit */
	CHECK(!log_batch_seen(w, "b1"));
	CHECK(log_commit(w) == 0);
	CHECK(log_batch_seen(w, "b1") && !log_batch_seen(w, "b2") && !log_batch_seen(w, "b") &&
	      !log_batch_seen(w, "b11"));
	CHECK(file_is(bpath, "b1 0 10\n"));
	/* an aborted run's ID is not seen, and the file stays */
	log_set_batch(w, "b2");
	CHECK(log_begin(w, T0) == 0 && append_n(w, 10, 20) == 0);
	log_abort(w);
	CHECK(log_batch_seen(w, "b1") && !log_batch_seen(w, "b2"));
	CHECK(file_is(bpath, "b1 0 10\n"));
	/* a run without an ID adds no line */
	log_set_batch(w, NULL);
	CHECK(log_begin(w, T0) == 0 && append_n(w, 10, 5) == 0 && log_commit(w) == 0);
	CHECK(file_is(bpath, "b1 0 10\n"));
	/* the next run's ID starts where the last run ended */
	log_set_batch(w, "b2");
	CHECK(log_begin(w, T0) == 0 && append_n(w, 15, 5) == 0 && log_commit(w) == 0);
	CHECK(file_is(bpath, "b1 0 10\nb2 15 20\n"));
	add_lines(&want, 0, 20);
	log_close(w);

	/* across a new writer */
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(log_batch_seen(w, "b1") && log_batch_seen(w, "b2") && !log_batch_seen(w, "b3"));
	log_close(w);
	CHECK(holds(data, "flows", &want));

	/* a run killed with its ID; and a line for offsets past the log's end,
	 * as a run that died after writing it and before its commit point
	 * leaves: the next writer drops it */
	const uint64_t end = 20;
	CHECK(crash_writer(data, &c, end, 50, "b3", NULL) == 0);
	char line[64];
	snprintf(line, sizeof(line), "b4 %" PRIu64 " %" PRIu64 "\n", end, end + 50);
	CHECK(append_file(bpath, line) == 0);
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(!log_batch_seen(w, "b3") && !log_batch_seen(w, "b4") && log_batch_seen(w, "b1"));
	CHECK(file_is(bpath, "b1 0 10\nb2 15 20\n"));
	/* purge forgets every ID */
	CHECK(log_purge(w, &recs, &segs) == 0 && recs == end && segs == 1);
	CHECK(file_is(bpath, NULL));
#ifdef AGGR_TEST_KNOWN_BUGS
	/* found here: the writer that purged still sees the IDs it loaded */
	CHECK(!log_batch_seen(w, "b1"));
#endif
	log_close(w);
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(!log_batch_seen(w, "b1") && !log_batch_seen(w, "b2"));
	log_close(w);

	/* retention: the ID of a run whose records were deleted is dropped by
	 * the next writer */
	config(&seal, 256, 1);
	CHECK(log_open_write(data, "counters", &seal, 0, &w) == 0);
	log_set_batch(w, "r1");
	CHECK(log_begin(w, NOW - 2 * HOUR) == 0 && append_n(w, 0, 10) == 0 && log_commit(w) == 0);
	log_set_batch(w, "r2");
	CHECK(log_begin(w, NOW) == 0 && append_n(w, 10, 10) == 0 && log_commit(w) == 0);
	CHECK(log_retain(w, NOW - HOUR, &recs, &segs) == 0 && recs == 10 && segs == 1);
	log_close(w);
	CHECK(log_open_write(data, "counters", &seal, 0, &w) == 0);
	CHECK(!log_batch_seen(w, "r1") && log_batch_seen(w, "r2"));
	CHECK(file_is(rpath, "r2 10 20\n"));
	log_close(w);

#ifdef AGGR_TEST_KNOWN_BUGS
	/* found here: the ID stays set after its commit, so a later run of the
	 * same writer that names none is recorded under it again */
	char *spath = path_join(data, "sessions/batches");
	CHECK(log_open_write(data, "sessions", &c, 0, &w) == 0);
	log_set_batch(w, "s1");
	CHECK(log_begin(w, T0) == 0 && append_n(w, 0, 5) == 0 && log_commit(w) == 0);
	CHECK(log_begin(w, T0) == 0 && append_n(w, 5, 5) == 0 && log_commit(w) == 0);
	CHECK(file_is(spath, "s1 0 5\n"));
	log_close(w);
	free(spath);
#endif

	buf_free(&want);
	free(bpath);
	free(rpath);
	rmtree(data);
}

/* ---- summary keys ---- */

static int keys_are(struct log *l, const char *want)
{
	struct buf b;
	int rc, ok;

	buf_init(&b);
	rc = log_keys_read(l, &b);
	ok = rc == 0 && b.len == strlen(want) && (!b.len || !memcmp(b.data, want, b.len));
	if (!ok)
		printf("# keys: rc %d, \"%.*s\", want \"%s\"\n", rc, (int)b.len, b.data ? b.data : "", want);
	buf_free(&b);
	err_clear();
	return ok;
}

static int reader_keys_are(const char *data, const char *want)
{
	struct log *r;
	int ok;

	if (log_open_read(data, "flows", &r))
		return 0;
	ok = keys_are(r, want);
	log_close(r);
	return ok;
}

static void test_keys(void)
{
	char *data = tmpdir("keys"), *kpath = path_join(data, "flows/keys");
	struct log_config c;
	struct log *w;
	struct mani m;
	char k[300];
	uint64_t recs, segs;

	set_threads(2);
	config(&c, 256, 1 << 30);
	CHECK(reader_keys_are(data, ""));
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(keys_are(w, ""));
	CHECK(log_begin(w, T0) == 0);
	CHECK(log_key_add(w, "US", 2) == 0 && log_key_add(w, "DE", 2) == 0 && log_key_add(w, "US", 2) == 0);
	CHECK(append_n(w, 0, 5) == 0);
	/* not before the commit */
	CHECK(keys_are(w, "") && reader_keys_are(data, ""));
	CHECK(log_commit(w) == 0);
	CHECK(keys_are(w, "US\nDE\n") && reader_keys_are(data, "US\nDE\n"));
	CHECK(file_is(kpath, "US 5\nDE 5\n"));

	/* keys of other forms */
	memset(k, 'k', sizeof(k));
	CHECK(log_begin(w, T0) == 0);
	CHECK(log_key_add(w, "a b", 3) == EX_DATA && log_key_add(w, "", 0) == EX_DATA &&
	      log_key_add(w, "a\x7f", 2) == EX_DATA && log_key_add(w, k, 256) == EX_DATA);
	err_clear();
	CHECK(log_key_add(w, k, 255) == 0);
	/* an aborted run adds none */
	CHECK(log_key_add(w, "FR", 2) == 0 && log_key_add(w, "DE", 2) == 0 && append_n(w, 5, 20) == 0);
	log_abort(w);
	CHECK(keys_are(w, "US\nDE\n") && reader_keys_are(data, "US\nDE\n"));
	CHECK(file_is(kpath, "US 5\nDE 5\n"));
	/* and a later run may add them */
	CHECK(log_begin(w, T0) == 0 && log_key_add(w, "FR", 2) == 0 && log_key_add(w, "US", 2) == 0 &&
	      append_n(w, 5, 3) == 0 && log_commit(w) == 0);
	CHECK(keys_are(w, "US\nDE\nFR\n") && reader_keys_are(data, "US\nDE\nFR\n"));
	CHECK(file_is(kpath, "US 5\nDE 5\nFR 8\n"));
	log_close(w);

	/* a killed run adds none; a line past the log's end is ignored by
	 * readers and dropped by the next writer */
	CHECK(crash_writer(data, &c, 8, 30, NULL, "JP") == 0);
	CHECK(append_file(kpath, "IT 9\n") == 0);
	CHECK(reader_keys_are(data, "US\nDE\nFR\n"));
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(file_is(kpath, "US 5\nDE 5\nFR 8\n"));
	CHECK(keys_are(w, "US\nDE\nFR\n"));

	/* retention keeps them */
	CHECK(log_retain(w, NOW, &recs, &segs) == 0 && recs == 8 && segs == 1);
	CHECK(keys_are(w, "US\nDE\nFR\n") && reader_keys_are(data, "US\nDE\nFR\n"));
	CHECK(log_begin(w, NOW) == 0 && log_key_add(w, "IT", 2) == 0 && append_n(w, 8, 2) == 0 &&
	      log_commit(w) == 0);
	CHECK(keys_are(w, "US\nDE\nFR\nIT\n"));

	/* purge drops them all */
	CHECK(log_purge(w, &recs, &segs) == 0 && segs == 1);
#ifdef AGGR_TEST_KNOWN_BUGS
	/* found here: purge counts the records of the runs this writer committed
	 * as 0 (see test_writer_reads) */
	CHECK(recs == 2);
#endif
	CHECK(keys_are(w, "") && reader_keys_are(data, ""));
	CHECK(file_is(kpath, NULL));
	mani_read(data, "flows", &m);
	CHECK(m.n == 0 && m.keys_from == 10 && m.next_offset == 10);
#ifdef AGGR_TEST_KNOWN_BUGS
	/* found here: the writer that purged still thinks US is stored, so a run
	 * of it that brings US again does not store it */
	CHECK(log_begin(w, NOW) == 0 && log_key_add(w, "US", 2) == 0 && append_n(w, 10, 2) == 0 &&
	      log_commit(w) == 0);
	CHECK(keys_are(w, "US\n") && reader_keys_are(data, "US\n"));
#endif
	log_close(w);
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(log_begin(w, NOW) == 0 && log_key_add(w, "DE", 2) == 0 && log_key_add(w, "US", 2) == 0 &&
	      append_n(w, 12, 2) == 0 && log_commit(w) == 0);
	log_close(w);
#ifdef AGGR_TEST_KNOWN_BUGS
	CHECK(reader_keys_are(data, "US\nDE\n"));
#else
	CHECK(reader_keys_are(data, "DE\nUS\n"));
#endif

	free(kpath);
	rmtree(data);
}

/* ---- commit and abort ---- */

/* Every file of a that is not replaced whole (MANIFEST, batches, keys) is
 * still in b and starts with the bytes it had: commits only append. */
static int snap_appended(const struct snap *a, const struct snap *b)
{
	for (size_t i = 0; i < a->n; i++) {
		if (!strcmp(a->name[i], "MANIFEST") || !strcmp(a->name[i], "batches") || !strcmp(a->name[i], "keys"))
			continue;
		size_t j = 0;
		while (j < b->n && strcmp(a->name[i], b->name[j]))
			j++;
		if (j == b->n || b->data[j].len < a->data[i].len ||
		    (a->data[i].len && memcmp(a->data[i].data, b->data[j].data, a->data[i].len))) {
			printf("# %s did not only grow\n", a->name[i]);
			return 0;
		}
	}
	return 1;
}

static void test_abort_threads(int threads)
{
	char what[32];
	snprintf(what, sizeof(what), "abort-%d", threads);
	char *data = tmpdir(what), *dir = path_join(data, "flows");
	struct log_config c, seal;
	struct log *w;
	struct snap s1, s2, s3, now;
	struct buf want;
	char seg0[4096];

	buf_init(&want);
	set_threads(threads);
	config(&c, 256, 1 << 30);
	config(&seal, 256, 1);
	CHECK(write_run(data, "flows", &c, T0, 0, 50) == 0);
	add_lines(&want, 0, 50);
	snap_take(dir, &s1);
	seg_path(seg0, sizeof(seg0), data, "flows", 0, 0, 0);
	long long size0 = fsize(seg0);

	/* an aborted run leaves every file as it was */
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(log_begin(w, T0 + 1) == 0 && append_n(w, 50, 200) == 0);
	CHECK(fsize(seg0) > size0 + 2000);
	log_abort(w);
	snap_take(dir, &now);
	CHECK(snap_same(&s1, &now));
	snap_free(&now);
	/* with a batch ID and keys */
	log_set_batch(w, "b1");
	CHECK(log_begin(w, T0 + 1) == 0 && log_key_add(w, "K1", 2) == 0 && append_n(w, 50, 100) == 0);
	log_abort(w);
	snap_take(dir, &now);
	CHECK(snap_same(&s1, &now));
	snap_free(&now);
	CHECK(!log_batch_seen(w, "b1") && keys_are(w, ""));

	/* a commit only appends to the segment, and replaces whole files */
	log_set_batch(w, "b2");
	CHECK(log_begin(w, T0 + 2) == 0 && log_key_add(w, "K2", 2) == 0 && append_n(w, 50, 10) == 0 &&
	      log_commit(w) == 0);
	add_lines(&want, 50, 60);
	snap_take(dir, &s2);
	CHECK(snap_appended(&s1, &s2));
	CHECK(s2.n == s1.n + 2);
	log_set_batch(w, "b3");
	CHECK(log_begin(w, T0 + 3) == 0 && log_key_add(w, "K3", 2) == 0 && append_n(w, 60, 140) == 0);
	log_abort(w);
	snap_take(dir, &now);
	CHECK(snap_same(&s2, &now));
	snap_free(&now);
	/* closing with a run open aborts it */
	CHECK(log_begin(w, T0 + 3) == 0 && append_n(w, 60, 140) == 0);
	log_close(w);
	snap_take(dir, &now);
	CHECK(snap_same(&s2, &now));
	snap_free(&now);
	/* a killed run, once the next writer recovered */
	CHECK(crash_writer(data, &c, 60, 200, "b4", "K4") == 0);
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	snap_take(dir, &now);
	CHECK(snap_same(&s2, &now));
	snap_free(&now);
	CHECK(keys_are(w, "K2\n") && log_batch_seen(w, "b2") && !log_batch_seen(w, "b4"));
	log_close(w);
	CHECK(holds(data, "flows", &want));

	/* after a seal the next run starts a segment: aborted or killed, it
	 * leaves nothing */
	CHECK(write_run(data, "flows", &seal, T0 + 4, 60, 10) == 0);
	add_lines(&want, 60, 70);
	snap_take(dir, &s3);
	/* (the sealed segment's data file was renamed, so s3 is not s2 appended to) */
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	CHECK(log_begin(w, T0 + 5) == 0 && append_n(w, 70, 200) == 0);
	log_abort(w);
	log_close(w);
	snap_take(dir, &now);
	CHECK(snap_same(&s3, &now));
	snap_free(&now);
	CHECK(crash_writer(data, &c, 70, 200, NULL, NULL) == 0);
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	log_close(w);
	snap_take(dir, &now);
	CHECK(snap_same(&s3, &now));
	snap_free(&now);
	CHECK(holds(data, "flows", &want));
	CHECK(check_clean(data, "flows", 70));

	snap_free(&s1);
	snap_free(&s2);
	snap_free(&s3);
	buf_free(&want);
	free(dir);
	rmtree(data);
}

static void test_abort(void)
{
	test_abort_threads(1);
	test_abort_threads(4);
}

/* A writer reads, compacts and purges what it committed itself. */
static void test_writer_reads(void)
{
	char *data = tmpdir("writer-reads");
	struct log_config c;
	struct log *w;
	struct recs got;
	struct buf want;
	struct log_scan_stats ss;
	struct log_check_stats cs;
	struct log_compact_stats st;
	struct cctx cc;
	uint64_t recs, segs;

	recs_init(&got);
	buf_init(&want);
	memset(&cc, 0, sizeof(cc));
	buf_init(&cc.changed);
	set_threads(2);
	config(&c, 256, 1 << 30);
	CHECK(write_run(data, "flows", &c, T0, 0, 20) == 0);
	CHECK(log_open_write(data, "flows", &c, 0, &w) == 0);
	recs_reset(&got);
	CHECK(log_scan(w, NULL, collect, &got, &ss) == 0 && got.n == 20 && ss.records == 20);
	CHECK(log_check(w, &cs) == 0 && cs.records == 20);
	CHECK(log_begin(w, T0) == 0 && append_n(w, 20, 20) == 0 && log_commit(w) == 0);
	add_lines(&want, 0, 40);
	CHECK(holds(data, "flows", &want));
#ifdef AGGR_TEST_KNOWN_BUGS
	/* found here: after log_commit the writer's segment entries are stale,
	 * so its own scan, check, compaction and purge miss the runs it
	 * committed; log_compact then rewrites the active segment without them
	 * and loses committed records (no command does this today) */
	recs_reset(&got);
	CHECK(log_scan(w, NULL, collect, &got, &ss) == 0 && same_text(&got.text, &want) && ss.records == 40);
	CHECK(log_check(w, &cs) == 0 && cs.records == 40);
	cc.mode = C_ONE;
	cc.arg = 3;
	CHECK(log_compact(w, compact_fn, &cc, &st) == 0 && cc.calls == 40 && st.records_kept == 39);
	buf_reset(&want);
	add_lines(&want, 0, 3);
	add_lines(&want, 4, 40);
	CHECK(holds(data, "flows", &want));
	CHECK(log_begin(w, T0) == 0 && append_n(w, 40, 5) == 0 && log_commit(w) == 0);
	CHECK(log_purge(w, &recs, &segs) == 0 && recs == 44 && segs == 1);
#else
	(void)recs;
	(void)segs;
	(void)st;
#endif
	log_close(w);
	recs_free(&got);
	buf_free(&want);
	buf_free(&cc.changed);
	rmtree(data);
}

int main(void)
{
	unit_name = "unit engine";
	verbosity = -1;
	/* one "now" per process (now_us caches it): every test counts from it */
	setenv("AGGR_NOW", NOW_TEXT, 1);
	if (now_us(&NOW)) {
		printf("# AGGR_NOW: %s\n", err_msg());
		return 1;
	}
	test_compact();
	test_compact_edges();
	test_retention();
	test_repair();
	test_reader();
	test_batches();
	test_keys();
	test_abort();
	test_writer_reads();
	unsetenv("AGGR_THREADS");
	return unit_done();
}

