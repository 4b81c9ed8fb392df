/* stream.c: event streams over the log (see stream.h) */
#include "store.h"
#include "stream.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "timefmt.h"

#define STREAMS_PREFIX "streams/"

/* ---- names and opening ---- */

int stream_name_valid(const char *s)
{
	char ln[160];

	if (strlen(s) > 128)
		return 0;
	snprintf(ln, sizeof(ln), STREAMS_PREFIX "%s", s);
	return kind_log_name_valid(ln);
}

static char *log_name_of(const char *name)
{
	size_t n = strlen(name) + sizeof(STREAMS_PREFIX);
	char *s = xmalloc(n);
	snprintf(s, n, STREAMS_PREFIX "%s", name);
	return s;
}

const char *stream_name(const struct log *lg)
{
	return log_name(lg) + sizeof(STREAMS_PREFIX) - 1;
}

int stream_open(const char *dir, const char *name, struct log **lg)
{
	char *ln = log_name_of(name);
	int rc = log_open_read(dir, ln, lg);

	free(ln);
	if (rc)
		return rc;
	if (!log_exists(*lg)) {
		log_close(*lg);
		*lg = NULL;
		return err_set(EX_NOTFOUND, "no such stream: %s", name);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int stream_names(const char *dir, char ***names, size_t *n)
{
	char *sd = path_join(dir, "streams");
	DIR *d = opendir(sd);
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (!d && errno != ENOENT)
		rc = err_sys("cannot read %s", sd);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (!stream_name_valid(de->d_name))
			continue;
		*names = xrealloc(*names, sizeof(**names) * (*n + 1));
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	free(sd);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return rc;
}

static int totals_block(const struct idx_entry *e, const struct log_seg *s, void *ctx)
{
	struct stream_totals *t = ctx;

	(void)s;
	if (!t->blocks || e->m.ingest_us < t->first)
		t->first = e->m.ingest_us;
	if (!t->blocks || e->m.ingest_us > t->last)
		t->last = e->m.ingest_us;
	t->blocks++;
	t->events += e->m.count;
	return 0;
}

void stream_totals(const struct log *lg, struct stream_totals *t)
{
	memset(t, 0, sizeof(*t));
	log_count_blocks(lg, totals_block, t);
}

int stream_owner(struct log *lg, struct buf *owner)
{
	return log_state_get(lg, "producers", owner);
}

/* ---- reading events: index first, then only the blocks that can match ---- */

void stream_named_init(struct stream_named *nm, const char *name)
{
	nm->dec = name;
	nm->dec_len = strlen(name);
	buf_init(&nm->lit);
	json_write_str(&nm->lit, name, nm->dec_len);
}

void stream_named_free(struct stream_named *nm)
{
	buf_free(&nm->lit);
}

static uint64_t blocks_read;

uint64_t stream_blocks_read(void)
{
	return blocks_read;
}

struct named_ctx {
	struct log *l;
	const struct stream_named *nm;
	stream_event_fn fn;
	void *ctx;
	const char *id;              /* stream_find: the eventId looked for */
	struct buf *line;
	struct stream_rec *r;
};

static int bad_record(const struct log *l, uint64_t off)
{
	return err_set(EX_CORRUPT, "%s: record at offset %" PRIu64 " is not a stored event", log_name(l), off);
}

static int named_block(const struct idx_entry *e, const struct log_seg *s, void *vc)
{
	const struct named_ctx *c = vc;

	if (c->id)
		return log_block_may_have(s, e, c->id, STREAM_ID_LEN);
	return log_block_may_have(s, e, c->nm->dec, c->nm->dec_len);
}

static int named_record(const char *line, size_t n, uint64_t off, void *vc)
{
	struct named_ctx *c = vc;
	struct stream_rec r;

	if (stream_parse_line(line, n, &r) || (off != LOG_NO_OFFSET && r.offset != off))
		return bad_record(c->l, off);
	if (c->nm && (r.name_len != c->nm->lit.len || memcmp(r.name, c->nm->lit.data, r.name_len)))
		return 0;
	return c->fn(line, n, &r, c->ctx);
}

int stream_scan(struct log *lg, const struct stream_named *nm, uint64_t from, uint64_t to, stream_event_fn fn,
		void *ctx)
{
	struct named_ctx c = {lg, nm, fn, ctx, NULL, NULL, NULL};
	struct log_scan_stats st;
	if (nm)
		log_want_key(lg, nm->dec, nm->dec_len);  /* as named_block */
	int rc = log_read_from(lg, from, to, nm ? named_block : NULL, &c, named_record, &c, &st);
	log_want_key(lg, NULL, 0);

	blocks_read += st.blocks_inflated;
	return rc;
}

static int id_record(const char *line, size_t n, uint64_t off, void *vc)
{
	struct named_ctx *c = vc;

	if (!stream_rec_has_id(line, n, c->id))
		return 0;
	buf_reset(c->line);
	buf_add(c->line, line, n);
	if (stream_parse_line(c->line->data, n, c->r) || (off != LOG_NO_OFFSET && c->r->offset != off))
		return bad_record(c->l, off);
	c->id = NULL;  /* found */
	return LOG_STOP;
}

int stream_find(struct log *lg, const char *id, struct buf *line, struct stream_rec *r, struct buf *name)
{
	struct named_ctx c = {lg, NULL, NULL, NULL, id, line, r};
	struct log_scan_stats st;
	log_want_key(lg, id, STREAM_ID_LEN);  /* as named_block */
	int rc = log_read_from(lg, 0, UINT64_MAX, named_block, &c, id_record, &c, &st);
	log_want_key(lg, NULL, 0);

	blocks_read += st.blocks_inflated;
	if (rc)
		return rc;
	if (c.id)
		/* expired events are no longer read: say why it may be missing */
		return err_set(EX_NOTFOUND, "no such event in stream %s: %.*s%s", stream_name(lg), STREAM_ID_LEN, id,
			       log_retention(lg) ? " (never published, or removed by the stream's retention)" : "");
	buf_reset(name);
	json_unescape(r->name + 1, r->name_len - 2, name);
	return 0;
}

/* ---- event counts kept at publish time: the file counts ----
 *
 * The file counts in the stream's directory (aggr-format(5), STREAM
 * COUNTS) holds a line per chunk of consecutive offsets of one run, cut
 * where the log cuts its blocks: the chunk's offsets [FIRST, END), the run's ingest
 * time and how many events of each name it holds, with a CRC. A run's
 * lines are appended and synced before its commit point, so a committed
 * run always has them; a line counts only once the log's end has reached
 * its END, and every publisher drops the lines of runs that did not
 * commit before it appends its own. Offsets no counted line covers
 * (stores written before the file existed, chunks retention cut into)
 * are counted by reading their blocks, as before.
 */

#define COUNTS_FILE "counts"
#define COUNTS_HEAD "aggr-stream-counts 1\n"
#define COUNTS_MAX ((size_t)1 << 30)

struct cnt_chunk {
	uint64_t first, end;
	int64_t ingest;
	const char *names;           /* "\tLIT N" ..., into counts.text */
	size_t names_len;
	size_t line;                 /* line number, for messages */
};

struct counts {
	struct buf text;
	struct cnt_chunk *c;
	size_t n;                    /* committed chunks, in offset order */
	int stale;                   /* the file holds lines that no longer count, or a torn tail */
};

static void counts_init(struct counts *k)
{
	memset(k, 0, sizeof(*k));
	buf_init(&k->text);
}

static void counts_free(struct counts *k)
{
	buf_free(&k->text);
	free(k->c);
	counts_init(k);
}

/* Parse one line (without its LF) into *c. Returns 0 or -1. */
static int counts_line_parse(char *p, size_t n, struct cnt_chunk *c)
{
	char *tab = n >= 9 ? p + n - 9 : NULL, *q, *end;
	unsigned long long v[2];
	long long in;

	if (!tab || *tab != '\t')
		return -1;
	uint32_t want = 0;
	for (int i = 1; i <= 8; i++) {
		char h = tab[i];
		int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		want = want << 4 | (uint32_t)d;
	}
	if (crc32_of(p, (size_t)(tab - p)) != want)
		return -1;
	q = p;
	end = tab;
	for (int i = 0; i < 2; i++) {
		if (q >= end || *q < '0' || *q > '9')
			return -1;
		errno = 0;
		v[i] = strtoull(q, &q, 10);
		if (errno || q >= end || *q++ != ' ')
			return -1;
	}
	if (q >= end || !((*q >= '0' && *q <= '9') || *q == '-'))
		return -1;
	errno = 0;
	in = strtoll(q, &q, 10);
	if (errno || v[0] >= v[1] || (q < end && *q != '\t'))
		return -1;
	c->first = v[0];
	c->end = v[1];
	c->ingest = in;
	c->names = q;
	c->names_len = (size_t)(end - q);
	/* each name: TAB, a JSON string literal, a space, a count >= 1 */
	uint64_t sum = 0;
	while (q < end) {
		if (*q++ != '\t' || q >= end || *q++ != '"')
			return -1;
		while (q < end && *q != '"')
			q += *q == '\\' ? 2 : 1;
		if (q >= end || *q++ != '"' || q >= end || *q++ != ' ' || q >= end || *q < '1' || *q > '9')
			return -1;
		unsigned long long k = strtoull(q, &q, 10);
		sum += k;
		if (q < end && *q != '\t')
			return -1;
	}
	return sum > c->end - c->first ? -1 : 0;
}

/* The end offset (END) of the line that starts at byte at of the file, or
 * 0 when none starts there whole and undamaged (then the caller reads
 * from further back). buf holds what was read. */
static uint64_t counts_end_at(int fd, off_t at, off_t size, struct buf *b)
{
	struct cnt_chunk c;

	buf_reset(b);
	for (size_t want = 4096; b->len < (size_t)(size - at); want *= 2) {
		size_t n = want < (size_t)(size - at) ? want : (size_t)(size - at);
		buf_reserve(b, n - b->len);
		if (pread_full(fd, b->data + b->len, n - b->len, at + (off_t)b->len) != (ssize_t)(n - b->len))
			return 0;
		b->len = n;
		char *nl = memchr(b->data, '\n', b->len);
		if (nl)
			return counts_line_parse(b->data, (size_t)(nl - b->data), &c) ? 0 : c.end;
		if (want > COUNTS_MAX)
			return 0;
	}
	return 0;
}

/* A byte offset of the file at which a line starts and before which every
 * line ends at or before from: found by bisection, as the lines are in
 * offset order, so that a reader reads what its range needs, not the
 * history. A line that cannot be read whole only makes it start earlier. */
static off_t counts_seek(int fd, off_t size, off_t lo, uint64_t from)
{
	off_t hi = size;
	struct buf b;

	buf_init(&b);
	while (hi - lo > 65536) {
		off_t mid = lo + (hi - lo) / 2, ls = -1;
		char probe[512];
		/* the first line start after mid */
		for (off_t at = mid; at < hi && ls < 0; at += (off_t)sizeof(probe)) {
			size_t n = (size_t)(hi - at) < sizeof(probe) ? (size_t)(hi - at) : sizeof(probe);
			if (pread_full(fd, probe, n, at) != (ssize_t)n)
				break;
			char *nl = memchr(probe, '\n', n);
			if (nl)
				ls = at + (nl - probe) + 1;
		}
		uint64_t end = ls >= 0 && ls < hi ? counts_end_at(fd, ls, size, &b) : 0;
		if (end && end <= from)
			lo = ls;
		else
			hi = mid;
	}
	buf_free(&b);
	return lo;
}

/* The file's head, then its bytes from the line counts_seek finds for from
 * (0: all of them), into text. Returns 0, -1 with errno (ENOENT: no file;
 * EFBIG: over COUNTS_MAX). */
static int counts_read(struct log *lg, uint64_t from, struct buf *text)
{
	char *path = path_join(log_path(lg), COUNTS_FILE);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), e = 0;
	struct stat st;
	size_t hl = sizeof(COUNTS_HEAD) - 1;

	free(path);
	buf_reset(text);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		e = errno;
	} else if ((uint64_t)st.st_size > COUNTS_MAX) {
		e = EFBIG;
	} else {
		off_t size = st.st_size, start = (off_t)hl;
		size_t head = (size_t)size < hl ? (size_t)size : hl;
		buf_reserve(text, head);
		if (pread_full(fd, text->data, head, 0) != (ssize_t)head)
			e = errno ? errno : EIO;
		text->len = head;
		/* a damaged head is for the whole read to say: no bisection */
		if (!e && from && head == hl && !memcmp(text->data, COUNTS_HEAD, hl))
			start = counts_seek(fd, size, start, from);
		if (!e && size > start) {
			buf_reserve(text, (size_t)(size - start));
			if (pread_full(fd, text->data + text->len, (size_t)(size - start), start) != size - start)
				e = errno ? errno : EIO;
			else
				text->len += (size_t)(size - start);
		}
	}
	close(fd);
	if (text->cap)
		text->data[text->len] = 0;
	errno = e;
	return e ? -1 : 0;
}

/*
 * Read the counts file of lg: the lines that count (committed: END at most
 * the log's end) into k->c, from the first one that may end after from (0:
 * every line; a reader asks only for the offsets it counts). Lines after
 * them that do not count are the tail of a run that did not commit
 * (k->stale); a line that is damaged or out of order before a line that
 * counts is damage. A missing file holds nothing. Returns 0, EX_CORRUPT
 * naming the file and line, or an I/O error.
 */
static int counts_load(struct log *lg, struct counts *k, uint64_t from)
{
	uint64_t next = log_next_offset(lg), prev_end = 0;
	size_t cap = 0, ln = 1, bad = 0;
	int rc = 0, tail = 0;

	counts_free(k);
	if (counts_read(lg, from, &k->text) < 0) {
		if (errno == EFBIG)
			rc = err_set(EX_CORRUPT, "%s/" COUNTS_FILE ": damaged: larger than %zu bytes", log_name(lg),
				     COUNTS_MAX);
		else if (errno != ENOENT)
			rc = err_sys("cannot read %s/" COUNTS_FILE, log_name(lg));
		return rc;
	}
	size_t hl = sizeof(COUNTS_HEAD) - 1;
	if (k->text.len < hl || memcmp(k->text.data, COUNTS_HEAD, hl)) {
		/* a file torn while it was created holds less than its head */
		if (k->text.len < hl && !memcmp(k->text.data, COUNTS_HEAD, k->text.len)) {
			k->stale = 1;
			return 0;
		}
		return err_set(EX_CORRUPT, "%s/" COUNTS_FILE ": line 1 is damaged (aggr check --repair rebuilds it)",
			       log_name(lg));
	}
	for (char *p = k->text.data + hl, *end = k->text.data + k->text.len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct cnt_chunk c;
		ln++;
		if (!nl) {
			k->stale = 1;  /* torn: the tail of an append that did not finish */
			break;
		}
		int ok = !counts_line_parse(p, (size_t)(nl - p), &c) && c.first >= prev_end;
		p = nl + 1;
		if (!ok) {
			if (!bad)
				bad = ln;
			tail = 1;
			continue;
		}
		if (c.end > next) {
			tail = 1;  /* a run that did not commit (or not yet) */
			continue;
		}
		if (tail) {
			/* a counted line after one that is not */
			rc = err_set(EX_CORRUPT, "%s/" COUNTS_FILE ": line %zu is damaged (aggr check --repair rebuilds it)",
				     log_name(lg), bad ? bad : ln);
			break;
		}
		c.line = ln;
		prev_end = c.end;
		if (k->n == cap) {
			cap = cap ? cap * 2 : 256;
			k->c = xrealloc(k->c, sizeof(*k->c) * cap);
		}
		k->c[k->n++] = c;
	}
	k->stale |= tail;
	if (rc) {
		free(k->c);
		k->c = NULL;
		k->n = 0;
		/* line numbers count from the file's start: read it whole to
		 * name the damaged one */
		if (from && rc == EX_CORRUPT) {
			err_clear();
			return counts_load(lg, k, 0);
		}
	}
	return rc;
}

/* Events named lit (as stored) in chunk c. */
static uint64_t chunk_named(const struct cnt_chunk *c, const struct buf *lit)
{
	const char *p = c->names, *end = c->names + c->names_len;

	while (p < end) {
		const char *q = p + 1, *sp;
		/* TAB LIT SPACE N: the literal ends at the space before N */
		const char *nx = memchr(q, '\t', (size_t)(end - q));
		if (!nx)
			nx = end;
		sp = nx;
		while (sp > q && sp[-1] != ' ')
			sp--;
		if ((size_t)(sp - 1 - q) == lit->len && !memcmp(q, lit->data, lit->len))
			return strtoull(sp, NULL, 10);
		p = nx;
	}
	return 0;
}

/* The counts of the log a reader has open, loaded once per snapshot from
 * the earliest offset asked for so far: the caller's, one per call of the
 * API that reads them (stream_consumers asks once per consumer). */
struct counts_reader {
	struct counts k;
	int loaded;
	uint64_t next, from;         /* the log's end and the offset it was loaded for */
};

static void counts_reader_init(struct counts_reader *cr)
{
	counts_init(&cr->k);
	cr->loaded = 0;
	cr->next = cr->from = 0;
}

static void counts_reader_free(struct counts_reader *cr)
{
	counts_free(&cr->k);
	cr->loaded = 0;
}

static int counts_get(struct log *lg, struct counts_reader *cr, uint64_t from, struct counts **k)
{
	int rc;

	if (!cr->loaded || cr->next != log_next_offset(lg) || from < cr->from) {
		counts_reader_free(cr);
		if ((rc = counts_load(lg, &cr->k, from)))
			return rc;
		cr->loaded = 1;
		cr->next = log_next_offset(lg);
		cr->from = from;
	}
	*k = &cr->k;
	return 0;
}

/* Do the counted lines of k cover every offset from from to the log's end
 * (from the first offset still stored)? Returns 1 or 0. */
static int counts_cover(const struct log *lg, const struct counts *k, uint64_t from)
{
	uint64_t cur = from > log_first_offset(lg) ? from : log_first_offset(lg), end = log_next_offset(lg);

	for (size_t i = 0; i < k->n && cur < end; i++) {
		if (k->c[i].end <= cur)
			continue;
		if (k->c[i].first > cur)
			return 0;
		cur = k->c[i].end;
	}
	return cur >= end;
}

static int count_fn(const char *line, size_t n, const struct stream_rec *r, void *ctx)
{
	(void)line;
	(void)n;
	(void)r;
	++*(uint64_t *)ctx;
	return 0;
}

/* Count by reading the blocks: offsets [a, b) that no counted line covers. */
static int count_read(struct log *lg, const struct stream_named *nm, uint64_t a, uint64_t b, uint64_t *n)
{
	uint64_t c = 0;
	int rc = a < b ? stream_scan(lg, nm, a, b, count_fn, &c) : 0;

	*n += c;
	return rc;
}

/* Offsets still to be read, gathered so that adjacent ones go at once. */
struct pend {
	uint64_t a, b;
};

static int pend_add(struct log *lg, const struct stream_named *nm, struct pend *p, uint64_t a, uint64_t b,
		    uint64_t *n)
{
	int rc;

	if (a >= b)
		return 0;
	if (p->b == a) {
		p->b = b;
		return 0;
	}
	rc = count_read(lg, nm, p->a, p->b, n);
	p->a = a;
	p->b = b;
	return rc;
}

/* Test oracle: AGGR_STREAM_COUNTS=read counts every event by reading it. */
static int counts_off(void)
{
	const char *v = getenv("AGGR_STREAM_COUNTS");
	return v && !strcmp(v, "read");
}

static int count_named(struct log *lg, struct counts_reader *cr, const struct stream_named *nm, uint64_t from,
		       uint64_t to, uint64_t *n)
{
	uint64_t lo = from > log_first_offset(lg) ? from : log_first_offset(lg);
	uint64_t hi = to < log_next_offset(lg) ? to : log_next_offset(lg);
	struct counts *k;
	int rc;

	*n = 0;
	if (lo >= hi)
		return 0;
	if (counts_off())
		return count_read(lg, nm, lo, hi, n);
	if ((rc = counts_get(lg, cr, lo, &k)))
		return rc;
	int64_t eb = log_expiry(lg, INT64_MIN);
	log_expiry(lg, eb);
	/* the first chunk ending after lo */
	size_t i = 0, j = k->n;
	while (i < j) {
		size_t m = i + (j - i) / 2;
		if (k->c[m].end <= lo)
			i = m + 1;
		else
			j = m;
	}
	/* whole chunks from their counts; the rest (gaps, and chunks the
	 * range cuts into) read, each run of such offsets at once */
	struct pend p = {lo, lo};
	uint64_t cur = lo;
	for (; !rc && i < k->n && k->c[i].first < hi; i++) {
		const struct cnt_chunk *c = &k->c[i];
		uint64_t s0 = c->first > cur ? c->first : cur, e0 = c->end < hi ? c->end : hi;
		rc = pend_add(lg, nm, &p, cur, s0, n);  /* not covered */
		if (c->first >= cur && c->end <= hi) {
			if (c->ingest >= eb)  /* as log_block_expired: its blocks have the run's time */
				*n += chunk_named(c, &nm->lit);
		} else if (!rc) {
			rc = pend_add(lg, nm, &p, s0, e0, n);
		}
		cur = e0;
	}
	if (!rc)
		rc = pend_add(lg, nm, &p, cur, hi, n);
	if (!rc)
		rc = count_read(lg, nm, p.a, p.b, n);
	return rc;
}

int stream_count_named(struct log *lg, const struct stream_named *nm, uint64_t from, uint64_t to, uint64_t *n)
{
	struct counts_reader cr;

	counts_reader_init(&cr);
	int rc = count_named(lg, &cr, nm, from, to, n);
	counts_reader_free(&cr);
	return rc;
}

/*
 * Call fn for each whole, undamaged line of lg's counts file from the one
 * counts_seek finds for from, in file order, reading a window at a time, so
 * that a reader that needs a few lines reads a few lines. Stops at the
 * first line that is damaged or not committed (fn is not called for it),
 * or when fn returns nonzero. Returns what fn returned, 0 at the stop, or
 * -1 when the file cannot be read or its head is not the counts head.
 */
static int counts_walk(struct log *lg, uint64_t from, int (*fn)(const struct cnt_chunk *, void *), void *ctx)
{
	char *path = path_join(log_path(lg), COUNTS_FILE);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = -1;
	uint64_t next = log_next_offset(lg);
	size_t hl = sizeof(COUNTS_HEAD) - 1;
	struct stat st;
	struct buf b;

	free(path);
	if (fd < 0)
		return -1;
	buf_init(&b);
	buf_reserve(&b, hl);
	if (fstat(fd, &st) < 0 || pread_full(fd, b.data, hl, 0) != (ssize_t)hl || memcmp(b.data, COUNTS_HEAD, hl))
		goto out;
	off_t at = counts_seek(fd, st.st_size, (off_t)hl, from);
	rc = 0;
	for (size_t win = 65536, stop = 0; at < st.st_size && !rc && !stop;) {
		size_t n = (size_t)(st.st_size - at) < win ? (size_t)(st.st_size - at) : win;
		buf_reset(&b);
		buf_reserve(&b, n);
		if (pread_full(fd, b.data, n, at) != (ssize_t)n) {
			rc = -1;
			break;
		}
		char *p = b.data, *end = b.data + n, *nl;
		struct cnt_chunk c;
		if (!(nl = memchr(p, '\n', n))) {
			if (n < win || win >= COUNTS_MAX)
				break;  /* a torn tail, or no line ends */
			win *= 2;
			continue;
		}
		for (; nl; p = nl + 1, nl = memchr(p, '\n', (size_t)(end - p))) {
			if (counts_line_parse(p, (size_t)(nl - p), &c) || c.end > next) {
				stop = 1;
				break;
			}
			if ((rc = fn(&c, ctx)))
				break;
		}
		at += p - b.data;
	}
out:
	buf_free(&b);
	close(fd);
	return rc;
}

struct limit_ctx {
	const struct buf *lit;
	uint64_t cur, got, limit, end;
	int64_t eb;
};

static int limit_fn(const struct cnt_chunk *c, void *ctx)
{
	struct limit_ctx *l = ctx;

	if (c->end <= l->cur)
		return 0;
	if (c->first > l->cur)
		return 2;  /* offsets not counted: no bound */
	/* a chunk the start cuts into counts nothing: a lower bound */
	if (c->first == l->cur && c->ingest >= l->eb)
		l->got += chunk_named(c, l->lit);
	l->cur = c->end;
	if (l->got >= l->limit) {
		l->end = l->cur;
		return 2;
	}
	return 0;
}

uint64_t stream_limit_end(struct log *lg, const struct stream_named *nm, uint64_t from, uint64_t limit)
{
	struct limit_ctx l = {&nm->lit, from > log_first_offset(lg) ? from : log_first_offset(lg), 0, limit,
			      UINT64_MAX, 0};

	if (!limit || counts_off())
		return UINT64_MAX;
	l.eb = log_expiry(lg, INT64_MIN);
	log_expiry(lg, l.eb);
	/* anything odd in the file gives no bound: the read that follows
	 * reads the blocks, and says what is damaged */
	counts_walk(lg, l.cur, limit_fn, &l);
	return l.end;
}

/* ---- counts: writing (a run's chunks), recovery, check and repair ---- */

/* The chunk a run (or a rebuild) is counting. */
struct cnt_acc {
	uint64_t first, n;
	struct buf *lit;
	uint64_t *cnt;
	size_t nn, cap;
};

static void acc_free(struct cnt_acc *a)
{
	for (size_t i = 0; i < a->cap; i++)
		buf_free(&a->lit[i]);
	free(a->lit);
	free(a->cnt);
	memset(a, 0, sizeof(*a));
}

static void acc_add(struct cnt_acc *a, const char *lit, size_t len)
{
	size_t i;

	for (i = 0; i < a->nn; i++)
		if (a->lit[i].len == len && !memcmp(a->lit[i].data, lit, len))
			break;
	if (i == a->nn) {
		if (a->nn == a->cap) {
			a->cap = a->cap ? a->cap * 2 : 8;
			a->lit = xrealloc(a->lit, sizeof(*a->lit) * a->cap);
			a->cnt = xrealloc(a->cnt, sizeof(*a->cnt) * a->cap);
			for (size_t j = a->nn; j < a->cap; j++)
				buf_init(&a->lit[j]);
		}
		buf_reset(&a->lit[i]);
		buf_add(&a->lit[i], lit, len);
		a->cnt[i] = 0;
		a->nn++;
	}
	a->cnt[i]++;
	a->n++;
}

/* Add the chunk's line to out (nothing when it is empty) and start the
 * next chunk after it. */
static void acc_line(struct cnt_acc *a, int64_t ingest, struct buf *out)
{
	if (a->n) {
		size_t at = out->len;
		buf_addf(out, "%" PRIu64 " %" PRIu64 " %" PRId64, a->first, a->first + a->n, ingest);
		for (size_t i = 0; i < a->nn; i++) {
			buf_addc(out, '\t');
			buf_add(out, a->lit[i].data, a->lit[i].len);
			buf_addf(out, " %" PRIu64, a->cnt[i]);
		}
		uint32_t crc = crc32_of(out->data + at, out->len - at);
		buf_addf(out, "\t%08" PRIx32 "\n", crc);
	}
	a->first += a->n;
	a->n = 0;
	a->nn = 0;
}

/* The raw line of chunk i of k, with its LF. */
static void chunk_raw(const struct counts *k, size_t i, const char **p, size_t *n)
{
	const char *s = k->c[i].names, *e = k->c[i].names + k->c[i].names_len;
	while (s > k->text.data && s[-1] != '\n')
		s--;
	*p = s;
	*n = (size_t)(e + 10 - s);  /* TAB, 8 hex digits, LF */
}

static int counts_rebuild(struct log *lg);

/* Writer, under the log's lock, before a run: drop the lines that no
 * longer count (runs that did not commit, and runs retention or purge
 * removed), so that no line of an uncommitted run is there once its
 * offsets are given again. Returns 0, EX_CORRUPT, or an I/O error. */
static int counts_recover(struct log *lg)
{
	struct counts k;
	uint64_t first = log_first_offset(lg);
	size_t from = 0;
	int rc;

	counts_init(&k);
	if (!(rc = counts_load(lg, &k, 0)) && !counts_cover(lg, &k, 0)) {
		/* events no line counts: a store written before counts were
		 * kept, or a lost file; count them all once, now */
		counts_free(&k);
		return counts_rebuild(lg);
	}
	if (!rc) {
		while (from < k.n && k.c[from].end <= first)
			from++;
		if (k.stale || from) {
			struct buf b;
			buf_init(&b);
			buf_adds(&b, COUNTS_HEAD);
			for (size_t i = from; i < k.n; i++) {
				const char *p;
				size_t n;
				chunk_raw(&k, i, &p, &n);
				buf_add(&b, p, n);
			}
			rc = atomic_replace(log_path(lg), COUNTS_FILE, b.data, b.len);
			buf_free(&b);
		}
	}
	counts_free(&k);
	return rc;
}

/* Writer: append a committing run's lines and sync them, before the
 * run's commit point. Returns 0 or an I/O error. */
static int counts_append(struct log *lg, const struct buf *lines)
{
	char *path = path_join(log_path(lg), COUNTS_FILE);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600), rc = 0;
	struct stat st;

	free(path);
	if (fd < 0)
		return err_sys("cannot open %s/" COUNTS_FILE, log_name(lg));
	int created = fstat(fd, &st) == 0 && st.st_size == 0;
	if ((created && write_full(fd, COUNTS_HEAD, sizeof(COUNTS_HEAD) - 1)) || write_full(fd, lines->data, lines->len) ||
	    fdatasync(fd) < 0)
		rc = err_sys("cannot write %s/" COUNTS_FILE, log_name(lg));
	close(fd);
	if (!rc && created)
		rc = fsync_dir(log_path(lg));
	return rc;
}

struct verify_ctx {
	struct log *lg;
	struct counts *k;
	size_t i;
	uint64_t first;              /* the log's first offset: chunks before it are cut */
	struct cnt_acc acc;
};

static size_t chunk_names(const struct cnt_chunk *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->names_len; i++)
		n += c->names[i] == '\t';
	return n;
}

/* Compare chunk v->i with the events counted for it, then go to the next. */
static int verify_chunk(struct verify_ctx *v)
{
	const struct cnt_chunk *c = &v->k->c[v->i++];
	int ok = c->first < v->first || chunk_names(c) == v->acc.nn;

	for (size_t j = 0; ok && c->first >= v->first && j < v->acc.nn; j++)
		ok = chunk_named(c, &v->acc.lit[j]) == v->acc.cnt[j];
	v->acc.n = v->acc.nn = 0;
	if (ok)
		return 0;
	return err_set(EX_CORRUPT,
		       "%s/" COUNTS_FILE ": line %zu does not match the events at offsets %" PRIu64 "..%" PRIu64
		       " (aggr check --repair rebuilds it)",
		       log_name(v->lg), c->line, c->first, c->end - 1);
}

static int verify_fn(const char *line, size_t n, const struct stream_rec *r, void *vctx)
{
	struct verify_ctx *v = vctx;
	int rc;

	(void)line;
	(void)n;
	while (v->i < v->k->n && v->k->c[v->i].end <= r->offset)
		if ((rc = verify_chunk(v)))
			return rc;
	if (v->i < v->k->n && v->k->c[v->i].first <= r->offset)
		acc_add(&v->acc, r->name, r->name_len);
	return 0;
}

int stream_counts_verify(struct log *lg)
{
	struct counts k;
	struct verify_ctx v;
	int rc;

	counts_init(&k);
	memset(&v, 0, sizeof(v));
	if ((rc = counts_load(lg, &k, 0)) || !k.n)
		goto out;
	v.lg = lg;
	v.k = &k;
	v.first = log_first_offset(lg);
	/* expired blocks still stored are counted as well */
	int64_t eb = log_expiry(lg, INT64_MIN);
	rc = stream_scan(lg, NULL, v.first, log_next_offset(lg), verify_fn, &v);
	log_expiry(lg, eb);
	while (!rc && v.i < k.n)
		rc = verify_chunk(&v);
out:
	acc_free(&v.acc);
	counts_free(&k);
	return rc;
}

struct rebuild_ctx {
	struct log *lg;
	struct cnt_acc acc;
	struct buf out;
	uint64_t next;               /* the offset after the last one counted */
};

/* Offsets [b->next, to) that no stored event has (blocks repair set
 * aside): a line without names, so that the file still covers them. */
static void rebuild_gap(struct rebuild_ctx *b, uint64_t to, int64_t ingest)
{
	if (to <= b->next)
		return;
	b->acc.first = b->next;
	b->acc.n = to - b->next;
	b->acc.nn = 0;
	acc_line(&b->acc, ingest, &b->out);
	b->next = to;
}

static int rebuild_block(const struct log_seg *s, const struct idx_entry *e, const struct buf *raw, void *vctx)
{
	struct rebuild_ctx *b = vctx;
	struct stream_rec r;

	(void)s;
	b->acc.n = b->acc.nn = 0;
	for (const char *p = raw->data, *end = raw->data + raw->len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (stream_parse_line(p, n, &r))
			return bad_record(b->lg, e->m.first_offset);
		/* a chunk holds consecutive offsets of one block */
		if (b->acc.n && r.offset != b->acc.first + b->acc.n)
			acc_line(&b->acc, e->m.ingest_us, &b->out);
		if (!b->acc.n) {
			rebuild_gap(b, r.offset, e->m.ingest_us);
			b->acc.first = r.offset;
		}
		acc_add(&b->acc, r.name, r.name_len);
		b->next = r.offset + 1;
		p += n + 1;
	}
	acc_line(&b->acc, e->m.ingest_us, &b->out);
	return 0;
}

/* Writer: write the counts file anew from the events stored, expired ones
 * included, a chunk per block. Returns 0 or an error code. */
static int counts_rebuild(struct log *lg)
{
	struct rebuild_ctx b;
	int rc;

	memset(&b, 0, sizeof(b));
	b.lg = lg;
	b.next = log_first_offset(lg);
	buf_init(&b.out);
	buf_adds(&b.out, COUNTS_HEAD);
	int64_t eb = log_expiry(lg, INT64_MIN);
	rc = log_read_range(lg, log_first_offset(lg), UINT64_MAX, NULL, NULL, rebuild_block, &b, NULL);
	log_expiry(lg, eb);
	if (!rc)
		rebuild_gap(&b, log_next_offset(lg), 0);
	if (!rc)
		rc = atomic_replace(log_path(lg), COUNTS_FILE, b.out.data, b.out.len);
	acc_free(&b.acc);
	buf_free(&b.out);
	return rc;
}

int stream_counts_repair(struct log *lg)
{
	int rc = stream_counts_verify(lg);

	if (rc != EX_CORRUPT)
		return rc;
	const char *m = err_msg(), *hint = strstr(m, " (aggr check --repair");
	struct buf why;
	buf_init(&why);
	buf_add(&why, m, hint ? (size_t)(hint - m) : strlen(m));
	err_clear();
	if (!(rc = counts_rebuild(lg)))
		warnx_("%s: rebuilt from the events", why.data);
	buf_free(&why);
	return rc;
}

/* ---- publish ---- */

struct stream_pub {
	struct log *lg;
	const char *producer;
	int claim;                   /* the stream has no owner yet */
	struct buf norm, line, ids;
	struct stream_rnd rnd;
	int64_t now;
	struct cnt_acc acc;          /* the run's chunk being counted */
	size_t acc_bytes, block_bytes; /* its raw bytes so far; the log's block size */
	struct buf counts;           /* its finished chunks' lines */
};

int stream_pub_begin(const char *dir, const char *name, const char *producer, double wait_secs, int64_t now,
		     struct stream_pub **out)
{
	struct log_config cfg;
	struct log *lg;
	struct buf owner;
	int rc;

	char *ln = log_name_of(name);
	rc = store_config(ln, &cfg);
	/* a writer that reads only what it needs of the history: the owner
	 * from the first events, the counts' tail */
	cfg.lazy = 1;
	if (!rc)
		rc = log_open_write(dir, ln, &cfg, wait_secs, &lg);
	free(ln);
	if (rc)
		return rc;
	/* the owner is whoever published the first committed events */
	buf_init(&owner);
	/* the counts of runs that did not commit go before offsets are given again */
	if (!(rc = counts_recover(lg)) && !(rc = stream_owner(lg, &owner)) && owner.len && strcmp(owner.data, producer))
		rc = err_set(EX_CONFLICT, "locked: second writers not allowed: stream %s is owned by producer %s", name,
			     owner.data);
	if (rc) {
		log_close(lg);
		buf_free(&owner);
		return rc;
	}
	struct stream_pub *p = xcalloc(1, sizeof(*p));
	p->lg = lg;
	p->producer = producer;
	p->claim = !owner.len;
	buf_init(&p->norm);
	buf_init(&p->line);
	buf_init(&p->ids);
	buf_init(&p->counts);
	p->now = now;
	p->block_bytes = cfg.block_bytes;
	p->acc.first = log_next_offset(lg);
	buf_free(&owner);
	log_begin(lg, now);
	*out = p;
	return 0;
}

int stream_pub_add(struct stream_pub *p, const struct json_doc *doc, const char *where, uint64_t line)
{
	struct rec_info ri;
	char why[256], id[STREAM_ID_LEN + 1];
	int rc;

	buf_reset(&p->norm);
	memset(&ri, 0, sizeof(ri));
	if (kind_stream.normalise(doc, &p->norm, &ri, why, sizeof(why)))
		return err_set(EX_DATA, "%s:%" PRIu64 ": %s", where, line, why);
	if ((rc = stream_id_new(&p->rnd, id)))
		return rc;
	/* the record's offset is its key: blocks are found by offset */
	uint64_t off = log_next_offset(p->lg) + log_run_records(p->lg);
	buf_reset(&p->line);
	stream_rec_write(&p->line, id, off, p->norm.data, p->norm.len);
	ri.bloom[ri.nbloom].p = id;
	ri.bloom[ri.nbloom++].n = STREAM_ID_LEN;
	if ((rc = log_append(p->lg, p->line.data, p->line.len, (int64_t)off, ri.bloom, ri.nbloom)))
		return rc;
	buf_add(&p->ids, id, STREAM_ID_LEN);
	buf_addc(&p->ids, '\n');
	/* counted by the name as stored, as readers compare it; a chunk is
	 * cut where the log cuts the block (log_append), so that a count
	 * that starts or ends inside a chunk reads one block there */
	struct stream_rec r;
	if (p->acc.n && p->acc_bytes + p->line.len + 1 > p->block_bytes) {
		acc_line(&p->acc, p->now, &p->counts);
		p->acc_bytes = 0;
	}
	p->acc_bytes += p->line.len + 1;
	if (stream_parse_line(p->line.data, p->line.len, &r))
		return bad_record(p->lg, off);
	acc_add(&p->acc, r.name, r.name_len);
	return 0;
}

const struct buf *stream_pub_ids(const struct stream_pub *p)
{
	return &p->ids;
}

int stream_pub_commit(struct stream_pub *p, uint64_t *events)
{
	int rc = 0;

	*events = log_run_records(p->lg);
	/* the counts, and the claim, go with the run: they hold exactly when
	 * the run commits */
	acc_line(&p->acc, p->now, &p->counts);
	if (*events)
		rc = counts_append(p->lg, &p->counts);
	if (!rc && *events && p->claim)
		rc = log_state_put(p->lg, "producers", p->producer, strlen(p->producer));
	if (!rc)
		rc = log_commit(p->lg);
	if (rc)
		log_abort(p->lg);
	return rc;
}

struct log *stream_pub_log(struct stream_pub *p) { return p->lg; }

void stream_pub_end(struct stream_pub *p)
{
	if (!p)
		return;
	log_close(p->lg);
	buf_free(&p->norm);
	buf_free(&p->line);
	buf_free(&p->ids);
	buf_free(&p->counts);
	acc_free(&p->acc);
	free(p);
}

/* ---- consumer positions: consumers/CONSUMER,NAME ---- */

/* File name of (consumer, event name): the name percent-encoded, or, when
 * that is too long for a file name, a hash of it (the file holds the name).
 * Never starts with '.', which atomic_replace's temporary names do. */
static void pos_file(const char *consumer, const char *name, size_t n, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	buf_reset(out);
	buf_adds(out, consumer);
	buf_addc(out, ',');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		    c == '-' || c == '.') {
			buf_addc(out, (char)c);
		} else {
			buf_addc(out, '%');
			buf_addc(out, hex[c >> 4]);
			buf_addc(out, hex[c & 15]);
		}
	}
	if (out->len > 240) {
		uint64_t h1 = 1469598103934665603ull, h2 = 0x9e3779b97f4a7c15ull;
		for (size_t i = 0; i < n; i++) {
			h1 = (h1 ^ (unsigned char)name[i]) * 1099511628211ull;
			h2 = (h2 ^ (unsigned char)name[i]) * 0xff51afd7ed558ccdull;
			h2 ^= h2 >> 29;
		}
		buf_reset(out);
		buf_addf(out, "%s,~%016" PRIx64 "%016" PRIx64, consumer, h1, h2);
	}
}

/* Parse a position file. Returns 0 or -1 when it is not one. */
static int pos_parse(struct json_doc *doc, const char *text, size_t len, struct buf *consumer, struct buf *name,
		     struct stream_pos *st)
{
	char why[128];
	int t;
	int64_t v;

	if (json_parse(doc, text, len, why, sizeof(why)) || json_type(doc, 0) != JSMN_OBJECT)
		return -1;
	if ((t = json_obj_get(doc, 0, "consumerId")) < 0 || json_get_str(doc, t, consumer) ||
	    (t = json_obj_get(doc, 0, "eventName")) < 0 || json_get_str(doc, t, name) ||
	    (t = json_obj_get(doc, 0, "offset")) < 0 || json_get_i64(doc, t, &v) || v < 0)
		return -1;
	st->acked = (uint64_t)v;
	if ((t = json_obj_get(doc, 0, "next")) < 0 || json_get_i64(doc, t, &v) || v < 0)
		return -1;
	st->next = (uint64_t)v;
	st->moved[0] = 0;
	if ((t = json_obj_get(doc, 0, "movedAt")) >= 0 && json_is_string(doc, t) &&
	    json_rawlen(doc, t) < sizeof(st->moved))
		snprintf(st->moved, sizeof(st->moved), "%.*s", (int)json_rawlen(doc, t), json_raw(doc, t));
	return 0;
}

/* Is file fname, holding the position of (consumer, name), the temporary
 * file of that position as aggr once named them (FILE.tmp), left by a
 * crash? Such a file is no position of its own. */
static int pos_old_temp(const char *fname, const struct buf *consumer, const struct buf *name)
{
	size_t n = strlen(fname);
	struct buf want;
	int r;

	if (n <= 4 || strcmp(fname + n - 4, ".tmp"))
		return 0;
	buf_init(&want);
	pos_file(consumer->data, name->data, name->len, &want);
	r = want.len == n - 4 && !memcmp(want.data, fname, n - 4);
	buf_free(&want);
	return r;
}

int stream_pos_read(struct log *lg, const char *consumer, const char *name, struct stream_pos *pos)
{
	struct buf fn, text, c, n;
	struct json_doc doc;
	int rc = 0;

	memset(pos, 0, sizeof(*pos));
	buf_init(&fn);
	buf_init(&text);
	buf_init(&c);
	buf_init(&n);
	json_doc_init(&doc);
	pos_file(consumer, name, strlen(name), &fn);
	char *d = path_join(log_path(lg), "consumers"), *p = path_join(d, fn.data);
	if (read_file(p, &text, 1 << 20) < 0) {
		if (errno != ENOENT)
			rc = err_sys("cannot read consumers/%s", fn.data);
	} else if (pos_parse(&doc, text.data, text.len, &c, &n, pos)) {
		rc = err_set(EX_CORRUPT, "consumers/%s: not a consumer position of %s for %s", fn.data, consumer, name);
	} else if (pos_old_temp(fn.data, &c, &n)) {
		memset(pos, 0, sizeof(*pos));  /* another name's old temporary file */
	} else if (strcmp(c.data, consumer) || n.len != strlen(name) || memcmp(n.data, name, n.len)) {
		rc = err_set(EX_CORRUPT, "consumers/%s: not a consumer position of %s for %s", fn.data, consumer, name);
	}
	free(p);
	free(d);
	buf_free(&fn);
	buf_free(&text);
	buf_free(&c);
	buf_free(&n);
	json_doc_free(&doc);
	return rc;
}

int stream_pos_write(struct log *lg, const char *consumer, const char *name, const struct stream_pos *pos)
{
	struct buf fn, text;
	int rc;

	buf_init(&fn);
	buf_init(&text);
	pos_file(consumer, name, strlen(name), &fn);
	buf_adds(&text, "{\"consumerId\":");
	json_write_str(&text, consumer, strlen(consumer));
	buf_adds(&text, ",\"eventName\":");
	json_write_str(&text, name, strlen(name));
	buf_addf(&text, ",\"offset\":%" PRIu64 ",\"next\":%" PRIu64 ",\"movedAt\":\"%s\"}\n", pos->acked, pos->next,
		 pos->moved);
	char *d = path_join(log_path(lg), "consumers");
	rc = atomic_replace(d, fn.data, text.data, text.len);
	free(d);
	buf_free(&fn);
	buf_free(&text);
	return rc;
}

int stream_lock(struct log *lg, double wait_secs)
{
	char *d = path_join(log_path(lg), "consumers"), *p = path_join(d, "LOCK");
	double deadline = mono_seconds() + wait_secs;
	struct stat st;
	int fd = -1, said = 0;

	if (mkdir(d, 0700) < 0 && errno != EEXIST) {
		err_sys("cannot create %s", d);
		goto out;
	}
	if (lstat(d, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(EX_PERM, "%s: not a directory (symlinks are refused)", d);
		goto out;
	}
	if ((fd = open(p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		err_sys("cannot open %s", p);
		goto out;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if ((errno != EWOULDBLOCK && errno != EINTR) || mono_seconds() >= deadline) {
			if (errno == EWOULDBLOCK || errno == EINTR)
				err_set(EX_CONFLICT, "consumer positions are locked by another command%s",
					wait_secs > 0 ? " (gave up waiting)" : "");
			else
				err_sys("cannot lock %s", p);
			close(fd);
			fd = -1;
			break;
		}
		lock_wait_notice("consumer positions", fd, &said);
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
out:
	free(p);
	free(d);
	return fd;
}

static void now_text(char *out)
{
	int64_t now;

	out[0] = 0;
	if (!now_us(&now))
		time_format_utc6(now, out);
}

/* ---- every position ---- */

struct behind_ctx {
	struct stream_consumer *ce;
	struct buf *lit;             /* each one's name as stored */
	size_t n;
};

static int behind_fn(const char *line, size_t len, const struct stream_rec *r, void *vctx)
{
	struct behind_ctx *b = vctx;

	(void)line;
	(void)len;
	for (size_t i = 0; i < b->n; i++) {
		struct stream_consumer *e = &b->ce[i];
		if (r->offset >= e->pos.next && r->name_len == b->lit[i].len && !memcmp(r->name, b->lit[i].data, r->name_len))
			e->behind++;
	}
	return 0;
}

static int cmp_consumer(const void *a, const void *b)
{
	const struct stream_consumer *x = a, *y = b;
	int r = strcmp(x->consumer, y->consumer);
	if (r)
		return r;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	r = memcmp(x->name, y->name, n);
	return r ? r : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

int stream_consumers(struct log *lg, struct stream_consumer **out, size_t *count)
{
	struct stream_consumer *ce = NULL;
	size_t n = 0;
	int rc = 0;
	char *cd = path_join(log_path(lg), "consumers");
	DIR *d = opendir(cd);
	struct json_doc doc;
	struct buf text, c, nm;
	struct counts_reader cr;

	counts_reader_init(&cr);
	json_doc_init(&doc);
	buf_init(&text);
	buf_init(&c);
	buf_init(&nm);
	if (!d && errno != ENOENT)
		rc = err_sys("cannot read %s", cd);
	for (struct dirent *de; d && !rc && (de = readdir(d));) {
		/* temporary files start with '.', which names never do */
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "LOCK"))
			continue;
		char *p = path_join(cd, de->d_name);
		struct stream_pos st;
		if (read_file(p, &text, 1 << 20) < 0) {
			rc = errno == ENOENT ? 0 : err_sys("cannot read %s", p);
		} else if (pos_parse(&doc, text.data, text.len, &c, &nm, &st)) {
			rc = err_set(EX_CORRUPT, "%s/consumers/%s: not a consumer position", log_name(lg), de->d_name);
		} else if (!pos_old_temp(de->d_name, &c, &nm)) {
			ce = xrealloc(ce, sizeof(*ce) * (n + 1));
			ce[n].consumer = xstrdup(c.data);
			ce[n].name = xmalloc(nm.len + 1);
			memcpy(ce[n].name, nm.data, nm.len + 1);
			ce[n].name_len = nm.len;
			ce[n].pos = st;
			ce[n].behind = 0;
			n++;
		}
		free(p);
	}
	if (d)
		closedir(d);
	free(cd);
	/* each from the counts kept at publish time (stream_count_named);
	 * when they do not cover every position (a store written before they
	 * were kept, not yet published to), one read from the earliest
	 * position counts for all, as it always did */
	uint64_t from = UINT64_MAX;
	for (size_t i = 0; i < n; i++)
		if (ce[i].pos.next < from)
			from = ce[i].pos.next;
	struct counts *k;
	if (!rc && n && (counts_off() || ((rc = counts_get(lg, &cr, from, &k)) == 0 && !counts_cover(lg, k, from)))) {
		struct behind_ctx bc = {ce, xcalloc(n, sizeof(struct buf)), n};
		for (size_t i = 0; i < n; i++)
			json_write_str(&bc.lit[i], ce[i].name, ce[i].name_len);
		rc = stream_scan(lg, NULL, from, UINT64_MAX, behind_fn, &bc);
		for (size_t i = 0; i < n; i++)
			buf_free(&bc.lit[i]);
		free(bc.lit);
		goto sorted;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		struct stream_named sn;
		stream_named_init(&sn, ce[i].name);
		/* a name with a NUL in it was never published */
		if (strlen(ce[i].name) == ce[i].name_len)
			rc = count_named(lg, &cr, &sn, ce[i].pos.next, UINT64_MAX, &ce[i].behind);
		stream_named_free(&sn);
	}
sorted:
	if (n)
		qsort(ce, n, sizeof(*ce), cmp_consumer);
	counts_reader_free(&cr);
	json_doc_free(&doc);
	buf_free(&text);
	buf_free(&c);
	buf_free(&nm);
	*out = ce;
	*count = n;
	return rc;
}

void stream_consumers_free(struct stream_consumer *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].consumer);
		free(c[i].name);
	}
	free(c);
}

/* ---- ack and seek ---- */

int stream_ack(struct log *lg, const char *consumer, const char *id, double wait_secs, struct buf *name,
	       struct stream_pos *pos, uint64_t *offset)
{
	struct buf line;
	struct stream_rec r;
	struct stream_named nm;
	int rc, fd = -1;

	buf_init(&line);
	if ((rc = stream_find(lg, id, &line, &r, name))) {
		buf_free(&line);
		return rc;
	}
	stream_named_init(&nm, name->data);
	if ((fd = stream_lock(lg, wait_secs)) < 0) {
		rc = err_code();
		goto out;
	}
	if ((rc = stream_pos_read(lg, consumer, name->data, pos)))
		goto out;
	/* the next unacknowledged event of this name: none of the name
	 * between the position and it */
	uint64_t before = 0;
	if (r.offset >= pos->next && (rc = stream_count_named(lg, &nm, pos->next, r.offset, &before)))
		goto out;
	if (r.offset >= pos->next && !before) {
		pos->acked++;
		pos->next = r.offset + 1;
		now_text(pos->moved);
		*offset = r.offset;
		rc = stream_pos_write(lg, consumer, name->data, pos);
		goto out;
	}
	/* positions count events of the name from 1, as the event server did */
	uint64_t given, c;
	if (r.offset >= pos->next) {
		given = pos->acked + before + 1;
	} else {
		rc = stream_count_named(lg, &nm, r.offset + 1, pos->next, &c);
		given = pos->acked >= c ? pos->acked - c : 0;
	}
	if (!rc)
		rc = err_set(EX_CONFLICT, "consumer offset mismatch: %" PRIu64 "->%" PRIu64, pos->acked + 1, given);
out:
	if (fd >= 0)
		close(fd);
	buf_free(&line);
	stream_named_free(&nm);
	return rc;
}


int stream_seek(struct log *lg, const char *consumer, const char *name, enum stream_to to, const char *id,
		double wait_secs)
{
	struct buf line, found;
	struct stream_rec r;
	struct stream_named nm;
	struct stream_pos pos;
	int rc = 0, fd = -1;

	buf_init(&line);
	buf_init(&found);
	stream_named_init(&nm, name);
	if (to == STREAM_EVENT) {
		rc = stream_find(lg, id, &line, &r, &found);
		if (!rc && (found.len != nm.dec_len || memcmp(found.data, nm.dec, nm.dec_len)))
			rc = err_set(EX_NOTFOUND, "no event named %s in stream %s: %.*s", name, stream_name(lg),
				     STREAM_ID_LEN, id);
		if (rc)
			goto out;
	}
	if ((fd = stream_lock(lg, wait_secs)) < 0) {
		rc = err_code();
		goto out;
	}
	memset(&pos, 0, sizeof(pos));
	/* earliest is 0, not the first offset retention keeps now: records
	 * expired but not yet deleted come back when retention is lengthened,
	 * and a consumer sought to the earliest must then see them */
	pos.next = to == STREAM_EARLIEST ? 0 : to == STREAM_LATEST ? log_next_offset(lg) : r.offset;
	if ((rc = stream_count_named(lg, &nm, 0, pos.next, &pos.acked)))
		goto out;
	now_text(pos.moved);
	rc = stream_pos_write(lg, consumer, name, &pos);
out:
	if (fd >= 0)
		close(fd);
	buf_free(&line);
	buf_free(&found);
	stream_named_free(&nm);
	return rc;
}

/* ---- a position retention left behind ---- */

int stream_pos_retained(struct log *lg, const char *consumer, const char *name, double wait_secs,
			struct stream_pos *pos)
{
	uint64_t first;
	int rc, fd;

	/* a position never stored starts at the earliest event anyway, and
	 * so does one at offset 0 (seek --to earliest): it follows the first
	 * retained event wherever retention puts it, which skips nothing the
	 * consumer asked for */
	if (!pos->moved[0] || pos->next == 0)
		return 0;
	first = log_first_retained(lg);
	if (pos->next >= first)
		return 0;
	if ((fd = stream_lock(lg, wait_secs)) < 0)
		return err_code();
	/* read again under the lock: an ack meanwhile may have moved it */
	if (!(rc = stream_pos_read(lg, consumer, name, pos)) && pos->moved[0] && pos->next < first) {
		uint64_t skipped = first - pos->next;
		warnx_("consume: consumer %s of %s (event name %s) was at offset %" PRIu64
		       ", before the first retained offset %" PRIu64 ": skipped %" PRIu64 " event%s",
		       consumer, stream_name(lg), name, pos->next, first, skipped, skipped == 1 ? "" : "s");
		pos->next = first;
		now_text(pos->moved);
		rc = stream_pos_write(lg, consumer, name, pos);
	}
	close(fd);
	return rc;
}
