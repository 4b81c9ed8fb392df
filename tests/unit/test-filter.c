/* test-filter.c: per-segment filter files and lazy readers never hide a
 * matching record: every lookup through log_want_key/log_want_range gives
 * exactly what a full scan gives, false positives included; a damaged or
 * missing filter file is EX_CORRUPT naming it (never a wrong answer), check
 * finds it and check --repair rebuilds it byte for byte. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"

#define NREC 3000
#define NKEYS 200

static char data[4096];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* record i: key (user) "u<i % NKEYS>", int key i / 10 */
static void make_rec(struct buf *b, int i)
{
	buf_reset(b);
	buf_addf(b, "{\"u\":\"u%d\",\"i\":%d}", i % NKEYS, i);
}

static int write_store(int runs)
{
	struct log_config c;
	struct log *l;
	struct buf line, key;
	int rc = 0;

	buf_init(&line);
	buf_init(&key);
	/* a small bloom (32 bits, 2 probes): blocks of ~20 records give many
	 * false positives, which must cost reads and never records */
	setenv("AGGR_BLOCK_BYTES", "400", 1);
	setenv("AGGR_SEGMENT_BYTES", "3000", 1);
	if (log_config_init(&c, "sessions", 4, 2))
		return 1;
	for (int r = 0; r < runs && !rc; r++) {
		if ((rc = log_open_write(data, "sessions", &c, 0, &l)))
			break;
		rc = log_begin(l, INT64_C(1700000000000000) + r);
		for (int i = r * (NREC / runs); !rc && i < (r + 1) * (NREC / runs); i++) {
			make_rec(&line, i);
			buf_reset(&key);
			buf_addf(&key, "u%d", i % NKEYS);
			struct log_bloom_key bk = {key.data, key.len};
			rc = log_append(l, line.data, line.len, i / 10, &bk, 1);
		}
		if (!rc)
			rc = log_commit(l);
		log_close(l);
	}
	buf_free(&line);
	buf_free(&key);
	return rc;
}

struct q {
	const char *keys[3];
	size_t nkeys;
	int64_t min, max;            /* range, when min <= max */
	uint64_t hits;               /* records that match */
	uint64_t sum;                /* of their "i" */
};

static int q_block(const struct idx_entry *e, const struct log_seg *s, void *ctx)
{
	const struct q *q = ctx;
	int any = !q->nkeys;

	for (size_t k = 0; k < q->nkeys; k++)
		any |= log_block_may_have(s, e, q->keys[k], strlen(q->keys[k]));
	if (q->min <= q->max && (e->m.max_key < q->min || e->m.min_key > q->max))
		return 0;
	return any;
}

static int q_rec(const char *line, size_t n, uint64_t off, void *ctx)
{
	struct q *q = ctx;
	char u[32];
	int i;

	(void)off;
	if (sscanf(line, "{\"u\":\"%31[^\"]\",\"i\":%d}", u, &i) != 2 || n < 10)
		return EX_CORRUPT;
	int match = !q->nkeys;
	for (size_t k = 0; k < q->nkeys; k++)
		match |= !strcmp(u, q->keys[k]);
	if (q->min <= q->max && (i / 10 < q->min || i / 10 > q->max))
		match = 0;
	if (match) {
		q->hits++;
		q->sum += (uint64_t)i;
	}
	return 0;
}

/* The lookup through the hints, and the same by a full scan with no hint
 * and no filter: the same records. Returns 1 when they agree. */
static int agree(struct q *q, struct log_scan_stats *st)
{
	struct log *l;
	struct q full = *q;

	if (log_open_read(data, "sessions", &l))
		return 0;
	for (size_t k = 0; k < q->nkeys; k++)
		log_want_key(l, q->keys[k], strlen(q->keys[k]));
	log_want_range(l, q->min, q->max);
	q->hits = q->sum = 0;
	int rc = log_scan(l, q_block, q_rec, q, st);
	log_close(l);
	if (rc || log_open_read(data, "sessions", &l))
		return 0;
	full.hits = full.sum = 0;
	rc = log_scan(l, NULL, q_rec, &full, NULL);
	log_close(l);
	return !rc && full.hits == q->hits && full.sum == q->sum;
}

static int count_flt(uint64_t *first_flt)
{
	char p[4200];
	int n = 0;

	*first_flt = UINT64_MAX;
	for (uint64_t b = 0; b < NREC; b++) {
		struct stat st;
		snprintf(p, sizeof(p), "%s/sessions/%020" PRIu64 ".flt", data, b);
		if (stat(p, &st) == 0) {
			n++;
			if (*first_flt == UINT64_MAX)
				*first_flt = b;
		}
	}
	return n;
}

static int read_all(const char *path, struct buf *b)
{
	buf_reset(b);
	return read_file(path, b, 1 << 24) < 0 ? -1 : 0;
}

static int write_all(const char *path, const struct buf *b)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	int ok = fd >= 0 && write(fd, b->data, b->len) == (ssize_t)b->len;
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* a lookup of one key that must fail with EX_CORRUPT naming what */
static int corrupt_named(const char *key, const char *what)
{
	struct log *l;
	struct q q = {{key}, 1, 1, 0, 0, 0};
	int rc;

	if (log_open_read(data, "sessions", &l))
		return 0;
	log_want_key(l, key, strlen(key));
	rc = log_scan(l, q_block, q_rec, &q, NULL);
	log_close(l);
	int ok = rc == EX_CORRUPT && strstr(err_msg(), what) != NULL;
	if (!ok)
		printf("# got %d \"%s\", want EX_CORRUPT naming %s\n", rc, err_msg(), what);
	err_clear();
	return ok;
}

int main(void)
{
	unit_name = "unit filter";
	snprintf(data, sizeof(data), "%s/aggr-test-filter-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(data))
		return 1;
	setenv("AGGR_NOW", "2023-11-14T22:13:20Z", 1);
	CHECK(write_store(30) == 0);
	uint64_t first;
	int nflt = count_flt(&first);
	CHECK(nflt > 5);
	printf("# %d filter files\n", nflt);

	/* every key, one at a time: exactly the records a full scan finds */
	struct log_scan_stats st;
	int all = 1;
	uint64_t read_some = 0, total = 0;
	char kb[NKEYS + 50][16];
	for (int k = 0; k < NKEYS + 50; k++) {
		snprintf(kb[k], sizeof(kb[k]), "u%d", k);  /* u200..u249 are absent */
		struct q q = {{kb[k]}, 1, 1, 0, 0, 0};
		int ok = agree(&q, &st);
		all &= ok && (k >= NKEYS ? q.hits == 0 : q.hits == NREC / NKEYS);
		if (k >= NKEYS)
			read_some += st.blocks_read;  /* false positives: read, nothing found */
		total = st.blocks_total;
		if (k < NKEYS && st.blocks_read >= st.blocks_total)
			all = 0;  /* the filters must skip something */
	}
	CHECK(all);
	CHECK(read_some > 0);
	printf("# absent keys read %" PRIu64 " blocks in all (false positives), of %" PRIu64 " each\n", read_some,
	       total);
	/* several keys at once: the union */
	struct q q2 = {{"u3", "u17", "u230"}, 3, 1, 0, 0, 0};
	CHECK(agree(&q2, &st) && q2.hits == 2 * (NREC / NKEYS));
	/* key ranges: a point, a span across segments, none, all */
	struct q r1 = {{NULL}, 0, 42, 42, 0, 0}, r2 = {{NULL}, 0, 70, 190, 0, 0};
	struct q r3 = {{NULL}, 0, 5000, 6000, 0, 0}, r4 = {{NULL}, 0, INT64_MIN, INT64_MAX, 0, 0};
	CHECK(agree(&r1, &st) && r1.hits == 10 && st.blocks_read < st.blocks_total);
	CHECK(agree(&r2, &st) && r2.hits == 1210);
	CHECK(agree(&r3, &st) && r3.hits == 0 && st.blocks_read == 0);
	CHECK(agree(&r4, &st) && r4.hits == NREC);
	/* both at once */
	struct q kr = {{"u5"}, 1, 100, 200, 0, 0};
	CHECK(agree(&kr, &st) && kr.hits == 6);

	/* a sound store checks clean */
	struct log *l;
	struct log_check_stats cs;
	CHECK(log_open_read(data, "sessions", &l) == 0 && log_check(l, &cs) == 0);
	log_close(l);

	/* damage to the first filter file: its header, a slice, its length,
	 * or the file gone. Each lookup that needs it fails naming it; check
	 * fails naming it; repair rebuilds it byte for byte. */
	char fp[4200], rel[64];
	snprintf(fp, sizeof(fp), "%s/sessions/%020" PRIu64 ".flt", data, first);
	snprintf(rel, sizeof(rel), "sessions/%020" PRIu64 ".flt", first);
	struct buf good, bad;
	buf_init(&good);
	buf_init(&bad);
	CHECK(read_all(fp, &good) == 0 && good.len > 64);
	struct log_config rc_cfg;
	CHECK(log_config_init(&rc_cfg, "sessions", 4, 2) == 0);
	for (int how = 0; how < 4; how++) {
		buf_reset(&bad);
		buf_add(&bad, good.data, good.len);
		if (how == 0)
			bad.data[3] ^= 1;                    /* header */
		else if (how == 1)
			memset(bad.data + 64, 0, bad.len - 64); /* every slice */
		else if (how == 2)
			bad.len -= 5;                        /* truncated */
		if (how == 3)
			CHECK(unlink(fp) == 0);
		else
			CHECK(write_all(fp, &bad) == 0);
		/* every key whose lookup reaches the segment: u0 is in every one */
		CHECK(corrupt_named("u0", rel));
		CHECK(log_open_read(data, "sessions", &l) == 0);
		CHECK(log_check(l, &cs) == EX_CORRUPT && strstr(err_msg(), rel));
		err_clear();
		log_close(l);
		/* a read without the hint does not use the filter: still right */
		struct q any = {{NULL}, 0, 1, 0, 0, 0};
		CHECK(agree(&any, &st) && any.hits == NREC);
		CHECK(log_repair(data, "sessions", &rc_cfg, 0) == 0);
		err_clear();
		struct buf now;
		buf_init(&now);
		CHECK(read_all(fp, &now) == 0 && now.len == good.len && !memcmp(now.data, good.data, good.len));
		buf_free(&now);
		CHECK(log_open_read(data, "sessions", &l) == 0 && log_check(l, &cs) == 0);
		log_close(l);
		struct q again = {{"u0"}, 1, 1, 0, 0, 0};
		CHECK(agree(&again, &st) && again.hits == NREC / NKEYS);
	}
	/* a damaged index of a sealed segment is met by the reads that need it */
	char ip[4200];
	snprintf(ip, sizeof(ip), "%s/sessions/%020" PRIu64 ".idx", data, first);
	struct buf idx;
	buf_init(&idx);
	CHECK(read_all(ip, &idx) == 0 && idx.len > 200);
	idx.data[0] ^= 1;
	CHECK(write_all(ip, &idx) == 0);
	snprintf(rel, sizeof(rel), "sessions/%020" PRIu64 ".idx", first);
	CHECK(corrupt_named("u0", rel));
	CHECK(log_open_read(data, "sessions", &l) == 0);
	CHECK(log_check(l, &cs) == EX_CORRUPT);
	err_clear();
	log_close(l);
	buf_free(&idx);
	buf_free(&good);
	buf_free(&bad);

	nftw(data, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return unit_done();
}
