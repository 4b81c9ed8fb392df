/* log-repair.c: check --repair, and purge of a log too damaged to open
 *
 * Repair never makes visible a record that no commit proves, and keeps
 * every other committed record it can read (aggr-format(5), REPAIR). It
 * works on one log under the writer lock:
 *
 *  1. look: list every segment (from the MANIFEST, or from the files when
 *     the MANIFEST is lost or damaged) and each segment's blocks, and mark
 *     every block kept (committed, intact), damaged (committed, unreadable)
 *     or unproven (no commit proves it);
 *  2. keep a link to every file it will replace or drop in NAME/lost/;
 *  3. write what replaces them: a rebuilt index, or the kept blocks copied
 *     into the segment's next generation (whose offsets may have gaps, as
 *     after compaction); then the batches and keys files without the runs
 *     set aside; then the MANIFEST, which is the commit point; then remove
 *     the files no MANIFEST lists any more.
 *
 * A crash before the MANIFEST leaves the old log (plus orphans the next
 * writer removes) and a rebuilt index equivalent to the lost one; after it,
 * the repaired log. Offsets of set-aside records are never given out again.
 */
#include "log-int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { RB_KEEP, RB_DAMAGED, RB_UNPROVEN };
enum { RA_NONE, RA_TRUNCATE, RA_REINDEX, RA_REWRITE, RA_DROP };

/* One block of a segment, or a stretch of bytes that is none. */
struct rblk {
	uint64_t pos, len;
	struct block_meta m;          /* when known: from the index or a good header */
	int known;
	int state;
	uint32_t iflags;              /* IDX_SPARSE for the new entry */
	unsigned char *bloom;         /* from the old index, or NULL: all ones */
	uint64_t lo, hi;              /* not known: the offsets between its neighbours (hi UINT64_MAX: unknown) */
};

struct rseg {
	struct log_seg s;             /* base, gen, sealed as it will be listed, sum; files */
	int listed;                   /* in the MANIFEST */
	int missing;                  /* its data file is gone */
	int idx_ok;                   /* its index loaded: s.ent[0..s.nent) committed */
	struct rblk *b;
	size_t nb, nidx;              /* blocks; how many of them its index lists */
	int seal_ok;                  /* a good seal member at seal_pos */
	struct block_meta seal;
	uint64_t seal_pos;
	uint64_t size;                /* of the data file */
	int action;
	uint64_t trunc_bytes;
	struct idx_header ih;         /* geometry of a new index */
	uint32_t new_gen;
	uint64_t lost_hi, lost_recs;  /* a lost data file: what its index says it held */
	uint64_t seen_end;            /* ... and the offset after any entry it has */
	const char *unproven_why;     /* why its unproven blocks are */
};

struct rctx {
	struct log *l;
	const struct log_config *cfg;
	struct rseg *r;
	size_t nr;
	int rebuild;                  /* the MANIFEST is lost or damaged */
	char mwhy[PATH_MAX + 96];
	uint64_t next;                /* next_offset to write */
	uint64_t orphan_bytes;
	struct buf report;
	int lost_used;
	int data_seen;                /* rebuilding: a segment file holds data */
	uint64_t *unproven;           /* [lo, hi) pairs of offsets set aside unproven */
	size_t nunproven;
	struct seg_reader rd;
	struct buf blk, raw;
};

/* ---- looking at a data file ---- */

/* A good block header at pos, the whole block inside the file? 0 or -1. */
static int hdr_at(int fd, uint64_t pos, uint64_t size, struct block_meta *m)
{
	unsigned char h[SEG_HDR_LEN];
	const char *why;

	if (pos + SEG_HDR_LEN > size || pread_full(fd, h, SEG_HDR_LEN, (off_t)pos) != SEG_HDR_LEN)
		return -1;
	if (seg_block_header(h, SEG_HDR_LEN, m, &why) || pos + m->block_len > size)
		return -1;
	return 0;
}

/* The next position after from holding a good header whose offsets can
 * follow expect; size when there is none. */
static uint64_t resync(int fd, uint64_t from, uint64_t size, uint64_t expect, struct block_meta *m)
{
	static unsigned char chunk[65536];

	for (uint64_t at = from; at + SEG_HDR_LEN <= size;) {
		size_t want = size - at < sizeof(chunk) ? (size_t)(size - at) : sizeof(chunk);
		ssize_t got = pread_full(fd, chunk, want, (off_t)at);
		if (got < 3)
			break;
		for (size_t i = 0; i + 2 < (size_t)got; i++)
			if (chunk[i] == 0x1f && chunk[i + 1] == 0x8b && chunk[i + 2] == 8 &&
			    hdr_at(fd, at + i, size, m) == 0 && m->first_offset >= expect)
				return at + i;
		at += (uint64_t)got - 2;
	}
	return size;
}

static struct rblk *add_blk(struct rseg *r)
{
	if (r->nb % 64 == 0)
		r->b = xrealloc(r->b, sizeof(*r->b) * (r->nb + 64));
	struct rblk *b = &r->b[r->nb++];
	memset(b, 0, sizeof(*b));
	return b;
}

/* Does the block at pos (header m) decode and agree with its header? */
static int blk_good(struct rctx *c, struct rseg *r, uint64_t pos, const struct block_meta *m)
{
	struct idx_entry e = {pos, *m, NULL};
	const char *why;

	return log_block_load(&r->s, &e, &c->rd, &c->blk, &c->raw, &why) == 0;
}

/*
 * List the blocks of r's data file from pos on, hopping from header to
 * header; where a header is bad, skip to the next good one (a stretch of
 * unknown bytes). A good seal member ends the list; bytes after it are a
 * stretch with no records.
 */
static void scan_data(struct rctx *c, struct rseg *r, uint64_t pos, uint64_t expect)
{
	int exact = !r->s.gen, after_gap = 0;

	while (pos < r->size) {
		struct block_meta m;
		if (hdr_at(r->s.data_fd, pos, r->size, &m) == 0 && m.first_offset >= expect &&
		    (!exact || after_gap || m.first_offset == expect)) {
			if (m.flags & SEG_BLOCK_SEAL) {
				if (!m.count && blk_good(c, r, pos, &m)) {
					r->seal_ok = 1;
					r->seal = m;
					r->seal_pos = pos;
					if (pos + m.block_len < r->size) {
						struct rblk *b = add_blk(r);
						b->pos = pos + m.block_len;
						b->len = r->size - b->pos;
						b->lo = b->hi = m.first_offset;
					}
					return;
				}
			} else {
				struct rblk *b = add_blk(r);
				b->pos = pos;
				b->len = m.block_len;
				b->m = m;
				b->known = 1;
				b->state = blk_good(c, r, pos, &m) ? RB_KEEP : RB_DAMAGED;
				/* which compacted blocks have gaps is not in the block: assume all */
				b->iflags = r->s.gen ? IDX_SPARSE : 0;
				pos += m.block_len;
				expect = m.first_offset + m.count;
				after_gap = 0;
				continue;
			}
		}
		struct block_meta n;
		uint64_t q = resync(r->s.data_fd, pos + 1, r->size, expect, &n);
		struct rblk *b = add_blk(r);
		b->pos = pos;
		b->len = q - pos;
		b->lo = expect;
		b->hi = q < r->size ? n.first_offset : UINT64_MAX;
		b->state = RB_DAMAGED;
		pos = q;
		after_gap = 1;
	}
}

static uint64_t blk_end(const struct rblk *b)
{
	return b->known ? b->m.first_offset + b->m.count : b->hi;
}

/* Blocks ending at or before byte end are committed, and so is damage that
 * starts before it; the rest is unproven. */
static void prove_bytes(struct rseg *r, uint64_t end)
{
	for (size_t i = 0; i < r->nb; i++) {
		struct rblk *b = &r->b[i];
		if (b->pos >= end || (b->known && b->pos + b->len > end))
			b->state = RB_UNPROVEN;
	}
}

/* Blocks whose offsets end at or before next are committed, and so is a
 * stretch that starts before it; the rest unproven. */
static void prove_offsets(struct rseg *r, uint64_t next)
{
	for (size_t i = 0; i < r->nb; i++) {
		struct rblk *b = &r->b[i];
		if (b->known ? b->m.first_offset + b->m.count > next : b->lo >= next)
			b->state = RB_UNPROVEN;
		else if (!b->known && (b->hi == UINT64_MAX || b->hi > next))
			b->hi = next;
	}
}

/* The active segment: blocks before its index's last COMMIT entry are
 * committed, and so are those the MANIFEST's next_offset covers. */
static void prove_active(struct rseg *r, uint64_t end, uint64_t next)
{
	for (size_t i = 0; i < r->nb; i++) {
		struct rblk *b = &r->b[i];
		if (b->pos + b->len <= end || (b->known ? b->m.first_offset + b->m.count <= next : b->lo < next))
			continue;
		b->state = RB_UNPROVEN;
	}
}

static void prove_none(struct rseg *r)
{
	for (size_t i = 0; i < r->nb; i++)
		r->b[i].state = RB_UNPROVEN;
}

/* The committed blocks of a loaded index, verified, then what follows them. */
static void blocks_from_index(struct rctx *c, struct rseg *r)
{
	struct log_seg *s = &r->s;

	for (size_t j = 0; j < s->nent; j++) {
		struct rblk *b = add_blk(r);
		const char *why;
		b->pos = s->ent[j].pos;
		b->len = s->ent[j].m.block_len;
		b->m = s->ent[j].m;
		b->known = 1;
		b->iflags = s->ent[j].m.flags & IDX_SPARSE;
		b->bloom = s->ent[j].bloom;
		b->state = log_block_load(s, &s->ent[j], &c->rd, &c->blk, &c->raw, &why) ? RB_DAMAGED : RB_KEEP;
	}
	r->nidx = r->nb;
}

static size_t count_commits(const struct log_seg *s)
{
	size_t n = 0;

	for (size_t j = 0; j < s->nent; j++)
		n += (s->ent[j].m.flags & IDX_COMMIT) != 0;
	return n;
}

/* r's data file is lost: what does its index, if any, say it held? The
 * committed entries give the records lost; any good entry, offsets that
 * may have been given out. */
static void lost_index(struct rctx *c, struct rseg *r)
{
	char path[PATH_MAX];
	unsigned char hdr[IDX_HDR_LEN], ent[IDX_ENTRY_FIXED + IDX_MAX_BLOOM];
	struct idx_header ih;
	int fd;

	r->lost_hi = UINT64_MAX;
	logf_seg_path(c->l, &r->s, 1, path, sizeof(path));
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return;
	if (pread_full(fd, hdr, IDX_HDR_LEN, 0) == IDX_HDR_LEN && idx_header_decode(hdr, &ih) == 0 &&
	    ih.base_offset == r->s.base) {
		uint64_t off = r->s.base, recs = 0, pos = 0;
		int chain = 1;
		for (uint64_t at = IDX_HDR_LEN; pread_full(fd, ent, ih.entry_size, (off_t)at) == (ssize_t)ih.entry_size;
		     at += ih.entry_size) {
			struct idx_entry e;
			if (idx_entry_decode(ent, &ih, &e))
				continue;
			uint64_t end = e.m.first_offset + e.m.count;
			if (end > r->seen_end)
				r->seen_end = end;
			chain &= e.pos == pos && (r->s.gen ? e.m.first_offset >= off : e.m.first_offset == off);
			if (!chain)
				continue;
			pos += e.m.block_len;
			off = end;
			recs += e.m.count;
			if (e.m.flags & IDX_COMMIT) {
				r->lost_hi = off;
				r->lost_recs = recs;
			}
		}
	}
	close(fd);
}

/* Open r's files and load its index when it can be used. Returns 0 or an
 * error code (I/O). */
static int open_seg(struct rctx *c, struct rseg *r)
{
	struct log *l = c->l;
	char path[PATH_MAX];
	struct stat st;

	r->s.data_fd = r->s.idx_fd = -1;
	logf_seg_path(l, &r->s, 0, path, sizeof(path));
	if ((r->s.data_fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno != ENOENT)
			return err_sys("cannot open %s", log_seg_file(l, &r->s, 0));
		r->missing = 1;
		lost_index(c, r);
		return 0;
	}
	if (fstat(r->s.data_fd, &st) < 0)
		return err_sys("cannot stat %s", log_seg_file(l, &r->s, 0));
	r->size = (uint64_t)st.st_size;
	logf_seg_path(l, &r->s, 1, path, sizeof(path));
	if ((r->s.idx_fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno != ENOENT)
			return err_sys("cannot open %s", log_seg_file(l, &r->s, 1));
	} else {
		int sealed = r->s.sealed;
		r->s.sealed = 1;  /* keep the MANIFEST's summary */
		if (log_seg_load_index(l, &r->s) == 0)
			r->idx_ok = 1;
		else
			err_clear();
		r->s.sealed = sealed;
	}
	r->ih = r->idx_ok ? r->s.ih
			  : (struct idx_header){IDX_ENTRY_FIXED + c->cfg->bloom_bytes, c->cfg->bloom_bytes,
						c->cfg->bloom_k, r->s.base};
	return 0;
}

/* Mark r's blocks, knowing what the MANIFEST says of it (or, rebuilding,
 * what its files prove: later says a later segment file exists). */
static void look(struct rctx *c, struct rseg *r, int last, int later)
{
	struct log_seg *s = &r->s;

	if (r->missing)
		return;
	/* a sealed segment's index must end at its last committed entry */
	if (r->idx_ok && s->sealed && r->listed && s->torn_entries)
		r->idx_ok = 0;
	if (r->idx_ok && s->sealed && r->listed) {
		struct seg_summary want = s->sum;
		log_seg_summarize(s);
		if (memcmp(&want, &s->sum, sizeof(want)))
			r->idx_ok = 0;
		s->sum = want;
	}
	if (r->idx_ok) {
		blocks_from_index(c, r);
		uint64_t end = s->nent ? s->ent[s->nent - 1].m.first_offset + s->ent[s->nent - 1].m.count : s->base;
		/* damage hides commits when a good COMMIT entry follows a bad
		 * entry, or when the MANIFEST knows of more than the index */
		int hidden = log_seg_hidden_commit(s) ||
			     (!c->rebuild && !s->sealed && !s->gen && end < c->l->manifest_next);
		if (s->sealed || !last || hidden || c->rebuild) {
			/* what follows the committed blocks: a seal, or blocks */
			size_t n0 = r->nb;
			scan_data(c, r, s->data_end, end);
			if (!s->sealed && !hidden && last && c->rebuild && !r->seal_ok) {
				/* an interrupted run's tail: dropped like a writer does */
				for (size_t i = n0; i < r->nb; i++)
					r->b[i].state = RB_KEEP;
				r->nb = n0;
			}
		}
		if (!s->sealed && last && !hidden && !r->seal_ok)
			r->trunc_bytes = (s->data_size - s->data_end) + (s->idx_size - s->idx_end);
	} else {
		scan_data(c, r, 0, s->base);
	}
	if (!c->rebuild) {
		if (s->sealed) {
			prove_bytes(r, s->sum.bytes);
			/* nothing after a sealed segment's blocks holds records */
			r->unproven_why = "after the last block of a sealed segment";
			for (size_t i = 0; i < r->nb; i++) {
				struct rblk *b = &r->b[i];
				if (!b->known && b->state == RB_UNPROVEN)
					b->hi = b->lo;
				else if (!b->known && b->hi == UINT64_MAX)
					b->hi = s->gen ? b->lo : s->base + s->sum.records;
			}
		} else if (r->idx_ok) {
			prove_active(r, s->data_end, c->l->manifest_next);
		} else {
			/* the active index is lost: the MANIFEST's next_offset is
			 * the end of the run that started the segment, or later */
			prove_offsets(r, c->l->manifest_next);
		}
		return;
	}
	/* rebuilding: a seal proves the blocks before it, and so does a later
	 * segment (one is started only once this one is sealed); an index
	 * proves its runs after the first, whose commit point was the lost
	 * MANIFEST, or all of them in a compacted segment */
	if (r->seal_ok || later) {
		s->sealed = 1;
		prove_bytes(r, r->seal_ok ? r->seal_pos : r->idx_ok ? s->data_end : r->size);
	} else if (r->idx_ok && (s->gen || count_commits(s) >= 2)) {
		prove_bytes(r, s->data_end);
	} else {
		prove_none(r);
		r->unproven_why = "only the lost MANIFEST could prove them committed";
		r->trunc_bytes = 0;
	}
}

/* What to do with r, once looked at. */
static void decide(struct rseg *r)
{
	size_t keep = 0, bad = 0, extra = 0;

	if (r->missing) {
		r->action = RA_DROP;
		return;
	}
	for (size_t i = 0; i < r->nb; i++) {
		keep += r->b[i].state == RB_KEEP;
		bad += r->b[i].state != RB_KEEP;
		extra += i >= r->nidx && r->b[i].state == RB_KEEP;
	}
	if (r->s.sealed && !r->seal_ok && keep)
		bad++;  /* the seal must be written again */
	if (!keep)
		r->action = RA_DROP;
	else if (bad)
		r->action = RA_REWRITE;
	else if (!r->idx_ok || extra || (r->s.sealed && r->s.torn_entries))
		r->action = RA_REINDEX;
	else if (r->trunc_bytes)
		r->action = RA_TRUNCATE;
	else
		r->action = RA_NONE;
}

/* ---- reporting ---- */

static void say_offsets(struct buf *b, uint64_t lo, uint64_t hi, uint64_t recs, int approx)
{
	if (hi == UINT64_MAX)
		buf_addf(b, "offsets from %" PRIu64 " on (records unknown)", lo);
	else if (!recs)
		buf_adds(b, "no records");
	else if (hi - lo == 1 && recs == 1)
		buf_addf(b, "offset %" PRIu64 " (1 record)", lo);
	else
		buf_addf(b, "offsets %" PRIu64 "-%" PRIu64 " (%s%" PRIu64 " record%s)", lo, hi - 1,
			 approx ? "at most " : "", recs, recs == 1 ? "" : "s");
}

static void note_unproven(struct rctx *c, uint64_t lo, uint64_t hi)
{
	c->unproven = xrealloc(c->unproven, sizeof(*c->unproven) * (c->nunproven + 1) * 2);
	c->unproven[c->nunproven * 2] = lo;
	c->unproven[c->nunproven * 2 + 1] = hi;
	c->nunproven++;
}

/* One line per run of blocks set aside for the same reason. */
static void say_seg(struct rctx *c, struct rseg *r, uint64_t next_base)
{
	struct log *l = c->l;
	const char *file = log_seg_file(l, &r->s, 0);

	if (r->missing) {
		uint64_t hi = r->lost_hi, recs = r->lost_recs;
		if (r->s.sealed) {
			hi = r->s.gen ? next_base : r->s.base + r->s.sum.records;
			recs = r->s.sum.records;
		}
		buf_addf(&c->report, "%s: missing: dropped the segment, lost ", file);
		say_offsets(&c->report, r->s.base, hi, recs, 0);
		buf_addc(&c->report, '\n');
		return;
	}
	for (size_t i = 0; i < r->nb;) {
		int st = r->b[i].state;
		size_t j = i;
		if (st == RB_KEEP) {
			i++;
			continue;
		}
		uint64_t lo = r->b[i].known ? r->b[i].m.first_offset : r->b[i].lo, hi = lo, recs = 0;
		int approx = 0;
		for (; j < r->nb && r->b[j].state == st; j++) {
			const struct rblk *b = &r->b[j];
			hi = blk_end(b);
			if (b->known)
				recs += b->m.count;
			else if (b->hi != UINT64_MAX)
				recs += b->hi - b->lo, approx |= r->s.gen != 0;
		}
		if (st == RB_UNPROVEN && hi != lo)
			note_unproven(c, lo, hi);
		buf_addf(&c->report, "%s: bytes %" PRIu64 "-%" PRIu64 ": %s: set aside ", file, r->b[i].pos,
			 r->b[j - 1].pos + r->b[j - 1].len - 1,
			 st == RB_DAMAGED ? "damaged" : r->unproven_why ? r->unproven_why : "no commit proves them");
		if (recs || hi == UINT64_MAX)
			say_offsets(&c->report, lo, hi, recs, approx);
		else
			buf_adds(&c->report, "(no records)");
		buf_addc(&c->report, '\n');
		i = j;
	}
}

/* ---- keeping the old files ---- */

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1, rc = -1;
	char chunk[65536];
	ssize_t n;

	if (in < 0)
		return -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		goto out;
	while ((n = read_full(in, chunk, sizeof(chunk))) > 0)
		if (write_full(out, chunk, (size_t)n) < 0)
			goto out;
	if (n == 0 && fsync(out) == 0)
		rc = 0;
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	return rc;
}

/* Keep DIR/name (when it exists) as DIR/lost/name, or name.1, name.2 ... */
static int lost_keep(struct rctx *c, const char *name)
{
	struct log *l = c->l;
	char from[PATH_MAX], to[PATH_MAX + 32], ldir[PATH_MAX];
	struct stat st;

	snprintf(from, sizeof(from), "%s/%s", l->dir, name);
	if (lstat(from, &st) < 0)
		return errno == ENOENT ? 0 : err_sys("cannot stat %s/%s", l->name, name);
	snprintf(ldir, sizeof(ldir), "%s/lost", l->dir);
	if (mkdir(ldir, 0700) < 0 && errno != EEXIST)
		return err_sys("cannot create directory %s/lost", l->name);
	for (int k = 0;; k++) {
		if (k)
			snprintf(to, sizeof(to), "%s/%s.%d", ldir, name, k);
		else
			snprintf(to, sizeof(to), "%s/%s", ldir, name);
		if (link(from, to) == 0)
			break;
		if (errno == EEXIST)
			continue;
		/* a file system without hard links: copy */
		if (copy_file(from, to) == 0)
			break;
		if (errno == EEXIST)
			continue;
		return err_sys("cannot keep %s/%s in %s/lost", l->name, name, l->name);
	}
	c->lost_used = 1;
	return 0;
}

static int lost_keep_seg(struct rctx *c, struct rseg *r, int idx)
{
	char path[PATH_MAX];

	logf_seg_path(c->l, &r->s, idx, path, sizeof(path));
	return lost_keep(c, strrchr(path, '/') + 1);
}

/* ---- writing ---- */

/* The new index of r from its kept blocks at their positions (in the old
 * file, or as copied into the new one when base is not NULL). */
static void encode_index(const struct rseg *r, struct buf *out, const uint64_t *newpos)
{
	unsigned char hdr[IDX_HDR_LEN], ent[IDX_ENTRY_FIXED + IDX_MAX_BLOOM];
	size_t k = 0;

	idx_header_encode(hdr, &r->ih);
	buf_add(out, hdr, IDX_HDR_LEN);
	for (size_t i = 0; i < r->nb; i++) {
		if (r->b[i].state != RB_KEEP)
			continue;
		struct idx_entry e = {newpos ? newpos[k] : r->b[i].pos, r->b[i].m, NULL};
		/* every kept block is committed: the file is listed whole */
		e.m.flags = IDX_COMMIT | r->b[i].iflags;
		e.bloom = r->ih.bloom_bytes == r->s.ih.bloom_bytes && r->idx_ok ? r->b[i].bloom : NULL;
		idx_entry_encode(ent, &r->ih, &e);
		buf_add(out, ent, r->ih.entry_size);
		k++;
	}
}

static int reindex(struct rctx *c, struct rseg *r)
{
	struct log *l = c->l;
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct buf out;
	int rc = 0, fd;

	buf_init(&out);
	encode_index(r, &out, NULL);
	logf_seg_path(l, &r->s, 1, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_full(fd, out.data, out.len) < 0 || fsync(fd) < 0)
		rc = err_sys("cannot write %s.tmp", log_seg_file(l, &r->s, 1));
	if (fd >= 0)
		close(fd);
	if (!rc && rename(tmp, path) < 0)
		rc = err_sys("cannot replace %s", log_seg_file(l, &r->s, 1));
	if (rc)
		unlink(tmp);
	buf_free(&out);
	if (!rc) {
		size_t n = 0;
		for (size_t i = 0; i < r->nb; i++)
			n += r->b[i].state == RB_KEEP;
		buf_addf(&c->report, "%s: rebuilt the index from %zu good block%s\n", log_seg_file(l, &r->s, 1), n,
			 n == 1 ? "" : "s");
		if (r->s.sealed) {
			/* the summary from the blocks: the MANIFEST is rewritten if it differs */
			r->s.nent = 0;
			free(r->s.ent);
			r->s.ent = xmalloc(sizeof(*r->s.ent) * (r->nb + 1));
			for (size_t i = 0; i < r->nb; i++)
				r->s.ent[r->s.nent++] = (struct idx_entry){r->b[i].pos, r->b[i].m, NULL};
			r->s.data_end = r->nb ? r->b[r->nb - 1].pos + r->b[r->nb - 1].len : 0;
			log_seg_summarize(&r->s);
		}
	}
	return rc;
}

/* Copy the kept blocks of r into its next generation, sealed when r is. */
static int rewrite(struct rctx *c, struct rseg *r, uint64_t seal_next)
{
	struct log *l = c->l;
	struct log_seg ns;
	uint64_t *newpos = xmalloc(sizeof(*newpos) * (r->nb + 1));
	struct buf out;
	size_t k = 0;
	int rc;

	buf_init(&out);
	if ((rc = log_seg_create_files(l, r->s.base, r->new_gen, r->ih.bloom_bytes, r->ih.bloom_k, &ns)))
		goto out;
	ns.ent = xrealloc(ns.ent, sizeof(*ns.ent) * (r->nb + 1));
	for (size_t i = 0; i < r->nb && !rc; i++) {
		const struct rblk *b = &r->b[i];
		if (b->state != RB_KEEP)
			continue;
		buf_reset(&c->blk);
		buf_reserve(&c->blk, b->len);
		if (pread_full(r->s.data_fd, c->blk.data, b->len, (off_t)b->pos) != (ssize_t)b->len ||
		    pwrite_full(ns.data_fd, c->blk.data, b->len, (off_t)ns.data_size) < 0) {
			rc = err_sys("cannot copy %s", log_seg_file(l, &r->s, 0));
			break;
		}
		newpos[k] = ns.data_size;
		ns.ent[k++] = (struct idx_entry){ns.data_size, b->m, NULL};
		ns.data_size += b->len;
	}
	ns.nent = k;
	ns.data_end = ns.data_size;
	if (!rc) {
		encode_index(r, &out, newpos);
		if (pwrite_full(ns.idx_fd, out.data + IDX_HDR_LEN, out.len - IDX_HDR_LEN, IDX_HDR_LEN) < 0)
			rc = err_sys("cannot write %s", log_seg_file(l, &ns, 1));
	}
	if (!rc && r->s.sealed) {
		int64_t ingest = r->seal_ok ? r->seal.ingest_us : 0;
		for (size_t i = 0; i < k && !r->seal_ok; i++)
			if (ns.ent[i].m.ingest_us > ingest)
				ingest = ns.ent[i].m.ingest_us;
		rc = log_seal_write(l, &ns, r->seal_ok ? r->seal.first_offset : seal_next, ingest);
	}
	if (!rc && (fdatasync(ns.data_fd) < 0 || fdatasync(ns.idx_fd) < 0))
		rc = err_sys("cannot sync %s", log_seg_file(l, &ns, 0));
	if (!rc) {
		log_seg_summarize(&ns);
		char was[PATH_MAX], now[PATH_MAX];
		logf_seg_rel(l, &r->s, 0, was, sizeof(was));
		logf_seg_rel(l, &ns, 0, now, sizeof(now));
		buf_addf(&c->report, "%s: kept %zu good block%s in %s\n", was, k, k == 1 ? "" : "s", now);
		r->s.sum = ns.sum;
		r->s.gen = ns.gen;
	} else {
		char path[PATH_MAX];
		for (int idx = 0; idx < 2; idx++) {
			logf_seg_path(l, &ns, idx, path, sizeof(path));
			unlink(path);
		}
	}
	ns.sealed = 0;
	log_seg_close(&ns);
out:
	free(newpos);
	buf_free(&out);
	return rc;
}

static int truncate_tail(struct rctx *c, struct rseg *r)
{
	struct log_seg *s = &r->s;

	if (ftruncate(s->idx_fd, (off_t)s->idx_end) < 0 || ftruncate(s->data_fd, (off_t)s->data_end) < 0 ||
	    fdatasync(s->idx_fd) < 0 || fdatasync(s->data_fd) < 0)
		return err_sys("cannot truncate %s", log_seg_file(c->l, s, 0));
	return 0;
}

/*
 * Rewrite a state file whose lines end with the offset after their run
 * ("ID FIRST NEXT", "KEY OFFSET"): drop the lines that do not parse, that
 * end past the log's end (runs that never committed) or inside a range set
 * aside as unproven. Returns 0 or an error code.
 */
static int filter_state(struct rctx *c, const char *name, int batches)
{
	struct log *l = c->l;
	struct buf in, keep;
	size_t bad = 0, gone = 0;
	int rc = 0;

	buf_init(&in);
	buf_init(&keep);
	if (batches) {
		rc = log_batches_read_tail(l, &in);
	} else {
		char *path = path_join(l->dir, name);
		if (read_file(path, &in, 16u << 20) < 0 && errno != ENOENT)
			rc = err_sys("cannot read %s/%s", l->name, name);
		free(path);
	}
	for (char *p = in.data, *end = in.data + in.len; !rc && p && p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		uint64_t first, next;
		int64_t v;
		int ok;
		if (batches) {
			ok = nl && log_batch_line_parse(p, len, &first, &next) == 0;
		} else {
			sp = memchr(p, ' ', len);
			ok = nl && sp && sp > p && sp[1] != '-' && parse_i64(sp + 1, (size_t)(nl - sp - 1), &v) == 0;
			next = ok ? (uint64_t)v : 0;
		}
		int drop = !ok || next > c->next;
		for (size_t i = 0; ok && i < c->nunproven; i++)
			drop |= next > c->unproven[2 * i] && next <= c->unproven[2 * i + 1];
		if (!ok)
			bad++;
		else if (drop)
			gone++;
		else
			buf_add(&keep, p, len + 1);
		if (!nl)
			break;
		p = nl + 1;
	}
	if (!rc && (bad || gone) && !(rc = lost_keep(c, name)))
		rc = atomic_replace(l->dir, name, keep.data ? keep.data : "", keep.len);
	if (!rc && bad)
		buf_addf(&c->report, "%s/%s: dropped %zu damaged line%s\n", l->name, name, bad, bad == 1 ? "" : "s");
	if (!rc && gone)
		buf_addf(&c->report, "%s/%s: dropped %zu line%s of runs set aside or never committed\n", l->name, name,
			 gone, gone == 1 ? "" : "s");
	buf_free(&in);
	buf_free(&keep);
	return rc;
}

/* ---- the segments to look at ---- */

static int cmp_rseg(const void *a, const void *b)
{
	const struct rseg *x = a, *y = b;
	return x->s.base < y->s.base ? -1 : x->s.base > y->s.base ? 1 : x->s.gen < y->s.gen ? -1 : x->s.gen > y->s.gen;
}

/* Rebuilding: every segment file in the directory, one generation per base
 * (the highest whose data file is there); the files of the others are kept
 * in lost/ and then removed. */
static int segs_from_files(struct rctx *c)
{
	struct log *l = c->l;
	DIR *d = opendir(l->dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return err_sys("cannot read directory %s", l->name);
	while ((de = readdir(d))) {
		uint64_t base;
		uint32_t gen;
		int idx;
		if (!logf_parse_seg(de->d_name, &base, &gen, &idx))
			continue;
		size_t i;
		for (i = 0; i < c->nr && !(c->r[i].s.base == base && c->r[i].s.gen == gen); i++)
			;
		if (i == c->nr) {
			c->r = xrealloc(c->r, sizeof(*c->r) * (c->nr + 1));
			memset(&c->r[c->nr], 0, sizeof(*c->r));
			c->r[c->nr].s.base = base;
			c->r[c->nr].s.gen = gen;
			c->r[c->nr].s.data_fd = c->r[c->nr].s.idx_fd = -1;
			c->r[c->nr].missing = 1;  /* until its data file is seen */
			c->nr++;
		}
		if (!idx)
			c->r[i].missing = 0;
		struct stat st;
		char *p = path_join(l->dir, de->d_name);
		if (lstat(p, &st) == 0 && st.st_size > (idx ? IDX_HDR_LEN : 0))
			c->data_seen = 1;
		free(p);
	}
	closedir(d);
	qsort(c->r, c->nr, sizeof(*c->r), cmp_rseg);
	size_t n = 0;
	for (size_t i = 0; i < c->nr && !rc; i++) {
		struct rseg *r = &c->r[i];
		int newer = 0;
		for (size_t j = i + 1; j < c->nr; j++)
			newer |= c->r[j].s.base == r->s.base && !c->r[j].missing;
		if (r->missing || newer) {
			if (!(rc = lost_keep_seg(c, r, 0)))
				rc = lost_keep_seg(c, r, 1);
			continue;
		}
		c->r[n++] = *r;
	}
	c->nr = n;
	return rc;
}

/* ---- check --repair ---- */

int log_repair(const char *data_dir, const char *name, const struct log_config *cfg, double wait_secs)
{
	struct log *l = log_new(data_dir, name);
	struct rctx c;
	struct stat st;
	int rc, write_manifest = 0;

	memset(&c, 0, sizeof(c));
	c.l = l;
	c.cfg = cfg;
	buf_init(&c.report);
	buf_init(&c.blk);
	buf_init(&c.raw);
	seg_reader_init(&c.rd);
	seg_writer_init(&l->zw, cfg->level);
	l->cfg = *cfg;
	if (lstat(l->dir, &st) < 0) {
		rc = errno == ENOENT ? 0 : err_sys("cannot read %s", name);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		rc = err_set(EX_PERM, "%s: refusing a symlinked log directory", name);
		goto out;
	}
	if ((rc = log_lock(l, wait_secs)))
		goto out;
	rc = log_manifest_read(l);
	if (rc == EX_CORRUPT || (!rc && !l->have_manifest)) {
		snprintf(c.mwhy, sizeof(c.mwhy), "%s", rc ? err_msg() : "");
		err_clear();
		log_segs_reset(l);
		c.rebuild = 1;
		l->manifest_next = l->retention_us = 0;
		l->keys_from = 0;
		snprintf(l->kind, sizeof(l->kind), "%s", cfg->kind);
		l->retention_us = cfg->retention_us;
		if ((rc = segs_from_files(&c)))
			goto out;
		if (!c.data_seen && !*c.mwhy)
			goto out;  /* no log yet, or one whose creation a crash cut short */
		if (*c.mwhy && (rc = lost_keep(&c, "MANIFEST")))
			goto out;
		write_manifest = 1;
	} else if (rc) {
		goto out;
	} else {
		c.r = xcalloc(l->nseg + 1, sizeof(*c.r));
		for (size_t i = 0; i < l->nseg; i++) {
			c.r[i].s = l->seg[i];
			c.r[i].s.data_fd = c.r[i].s.idx_fd = -1;
			c.r[i].listed = 1;
		}
		c.nr = l->nseg;
	}
	c.next = l->manifest_next;
	for (size_t i = 0; i < c.nr && !rc; i++) {
		struct rseg *r = &c.r[i];
		if (!(rc = open_seg(&c, r))) {
			look(&c, r, i + 1 == c.nr, i + 1 < c.nr);
			decide(r);
		}
		/* offsets of everything seen, kept or not, are never given out again */
		for (size_t j = 0; j < r->nb; j++)
			if (blk_end(&r->b[j]) != UINT64_MAX && blk_end(&r->b[j]) > c.next)
				c.next = blk_end(&r->b[j]);
		if (r->seal_ok && r->seal.first_offset > c.next)
			c.next = r->seal.first_offset;
		if (r->idx_ok && r->s.nent && r->s.ent[r->s.nent - 1].m.first_offset + r->s.ent[r->s.nent - 1].m.count > c.next)
			c.next = r->s.ent[r->s.nent - 1].m.first_offset + r->s.ent[r->s.nent - 1].m.count;
		if (r->missing && r->s.sealed && !r->s.gen && r->s.base + r->s.sum.records > c.next)
			c.next = r->s.base + r->s.sum.records;
		if (r->seen_end > c.next)
			c.next = r->seen_end;
		if (r->action == RA_REWRITE || r->action == RA_DROP || (c.rebuild && r->action != RA_NONE))
			write_manifest = 1;
	}
	/* overlapping segments (made by hand): the later one is not proven */
	for (size_t i = 1; i < c.nr && !rc; i++) {
		struct rseg *p = &c.r[i - 1], *r = &c.r[i];
		uint64_t pend = p->s.base;
		for (size_t j = 0; j < p->nb; j++)
			if (p->b[j].state == RB_KEEP)
				pend = blk_end(&p->b[j]);
		if (r->s.base < pend && r->action != RA_DROP) {
			prove_none(r);
			decide(r);
			write_manifest = 1;
		}
	}
	if (rc)
		goto out;
	/* orphans: files of runs that never committed, temporary files */
	if (!c.rebuild) {
		DIR *d = opendir(l->dir);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			uint64_t base;
			uint32_t gen;
			int idx, listed = 0;
			size_t n = strlen(de->d_name);
			int tmp = n > 4 && !strcmp(de->d_name + n - 4, ".tmp");
			if (!tmp && !logf_parse_seg(de->d_name, &base, &gen, &idx))
				continue;
			for (size_t i = 0; !tmp && i < c.nr; i++)
				listed |= c.r[i].s.base == base && c.r[i].s.gen == gen;
			char *p = path_join(l->dir, de->d_name);
			if (!listed && lstat(p, &st) == 0)
				c.orphan_bytes += (uint64_t)st.st_size;
			free(p);
		}
		if (d)
			closedir(d);
	}
	/* keep what goes, then write what replaces it */
	for (size_t i = 0; i < c.nr && !rc; i++) {
		struct rseg *r = &c.r[i];
		if (r->action == RA_REWRITE || r->action == RA_DROP) {
			if (!(rc = lost_keep_seg(&c, r, 0)))
				rc = lost_keep_seg(&c, r, 1);
		} else if (r->action == RA_REINDEX) {
			rc = lost_keep_seg(&c, r, 1);
		}
	}
	for (size_t i = 0; i < c.nr && !rc; i++) {
		struct rseg *r = &c.r[i];
		say_seg(&c, r, i + 1 < c.nr ? c.r[i + 1].s.base : c.next);
		if (r->action == RA_REWRITE) {
			r->new_gen = r->s.gen + 1;
			for (size_t j = i + 1; j < c.nr; j++)
				if (c.r[j].s.base == r->s.base && c.r[j].s.gen >= r->new_gen)
					r->new_gen = c.r[j].s.gen + 1;
			rc = rewrite(&c, r, i + 1 < c.nr ? c.r[i + 1].s.base : c.next);
		} else if (r->action == RA_REINDEX) {
			struct seg_summary was = r->s.sum;
			rc = reindex(&c, r);
			write_manifest |= r->s.sealed && memcmp(&was, &r->s.sum, sizeof(was));
		} else if (r->action == RA_TRUNCATE) {
			rc = truncate_tail(&c, r);
		}
		if (!rc && c.rebuild && r->action != RA_DROP && r->s.sealed && r->action != RA_REWRITE &&
		    r->action != RA_REINDEX) {
			/* listed anew: its summary from its index */
			log_seg_summarize(&r->s);
		}
	}
	if (!rc)
		rc = fsync_dir(l->dir);
	if (!rc)
		rc = filter_state(&c, "batches", 1);
	if (!rc)
		rc = filter_state(&c, "keys", 0);
	if (!rc && write_manifest) {
		/* the commit point */
		struct log_seg *segs = xcalloc(c.nr + 1, sizeof(*segs));
		size_t n = 0;
		for (size_t i = 0; i < c.nr; i++) {
			if (c.r[i].action == RA_DROP)
				continue;
			segs[n].base = c.r[i].s.base;
			segs[n].gen = c.r[i].s.gen;
			segs[n].sealed = c.r[i].s.sealed;
			segs[n].sum = c.r[i].s.sum;
			segs[n].data_fd = segs[n].idx_fd = -1;
			n++;
		}
		/* only the last may be active: an earlier one is sealed by its summary */
		for (size_t i = 0; i + 1 < n; i++)
			if (!segs[i].sealed)
				segs[i].sealed = 1;
		log_segs_reset(l);
		l->seg = segs;
		l->nseg = n;
		l->next_offset = c.next;
		char pre[PATH_MAX];
		snprintf(pre, sizeof(pre), "%s/MANIFEST: ", name);
		const char *why = !*c.mwhy ? "missing" : strncmp(c.mwhy, pre, strlen(pre)) ? c.mwhy : c.mwhy + strlen(pre);
		if (!(rc = log_manifest_write(l)) && c.rebuild)
			buf_addf(&c.report, "%s/MANIFEST: %s: rebuilt from %zu segment%s\n", name, why, n,
				 n == 1 ? "" : "s");
	}
	uint64_t gone = c.orphan_bytes;
	for (size_t i = 0; i < c.nr; i++)
		if (c.r[i].action == RA_TRUNCATE)
			gone += c.r[i].trunc_bytes;
	if (!rc && (write_manifest || c.orphan_bytes))
		rc = log_remove_orphans(l, 0);
	if (!rc && gone)
		buf_addf(&c.report, "%s: removed %" PRIu64 " uncommitted bytes of an interrupted run\n", name, gone);
	if (!rc && c.lost_used)
		buf_addf(&c.report, "%s: the files replaced or set aside are kept in %s/lost\n", name, name);
	if (!rc)
		for (char *p = c.report.data, *e = p + c.report.len; p && p < e;) {
			char *nl = memchr(p, '\n', (size_t)(e - p));
			warnx_("%.*s", (int)(nl - p), p);
			p = nl + 1;
		}
out:
	for (size_t i = 0; i < c.nr; i++) {
		log_seg_close(&c.r[i].s);
		free(c.r[i].b);
	}
	free(c.r);
	free(c.unproven);
	buf_free(&c.report);
	buf_free(&c.blk);
	buf_free(&c.raw);
	seg_reader_free(&c.rd);
	log_close(l);
	return rc;
}

/* ---- purge of a damaged log ---- */

/* The offset after every block and seal whose header is good in fd. */
static uint64_t file_end(int fd, uint64_t size, uint64_t end)
{
	struct block_meta m;

	for (uint64_t pos = 0; pos < size;) {
		if (hdr_at(fd, pos, size, &m)) {
			pos = resync(fd, pos + 1, size, 0, &m);
			continue;
		}
		uint64_t e = (m.flags & SEG_BLOCK_SEAL) ? m.first_offset : m.first_offset + m.count;
		if (e > end)
			end = e;
		pos += m.block_len;
	}
	return end;
}

int log_purge_damaged(const char *data_dir, const char *name, const struct log_config *cfg, double wait_secs,
		      uint64_t *segments)
{
	struct log *l = log_new(data_dir, name);
	struct stat st;
	DIR *d = NULL;
	struct dirent *de;
	int rc;

	*segments = 0;
	if (lstat(l->dir, &st) < 0) {
		rc = errno == ENOENT ? 0 : err_sys("cannot read %s", name);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		rc = err_set(EX_PERM, "%s: refusing a symlinked log directory", name);
		goto out;
	}
	if ((rc = log_lock(l, wait_secs)))
		goto out;
	if (log_manifest_read(l) || !l->have_manifest) {
		/* what the MANIFEST said is lost: the kind's defaults */
		err_clear();
		log_segs_reset(l);
		snprintf(l->kind, sizeof(l->kind), "%s", cfg->kind);
		l->manifest_next = 0;
		l->retention_us = cfg->retention_us;
	}
	/* offsets never go back: past everything the files show */
	uint64_t next = l->manifest_next;
	if (!(d = opendir(l->dir))) {
		rc = err_sys("cannot read directory %s", name);
		goto out;
	}
	while ((de = readdir(d))) {
		uint64_t base;
		uint32_t gen;
		int idx;
		if (!logf_parse_seg(de->d_name, &base, &gen, &idx) || idx)
			continue;
		char *p = path_join(l->dir, de->d_name);
		int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		free(p);
		if (base > next)
			next = base;
		if (fd >= 0 && fstat(fd, &st) == 0)
			next = file_end(fd, (uint64_t)st.st_size, next);
		if (fd >= 0)
			close(fd);
		(*segments)++;
	}
	closedir(d);
	log_segs_reset(l);
	l->next_offset = next;
	l->keys_from = next;
	/* the empty MANIFEST is the commit; then everything else is an orphan */
	if ((rc = log_manifest_write(l)))
		goto out;
	static const char *state[] = {"batches", "keys"};
	for (size_t i = 0; i < 2 && !rc; i++) {
		char *p = path_join(l->dir, state[i]);
		if (unlink(p) < 0 && errno != ENOENT)
			rc = err_sys("cannot remove %s/%s", name, state[i]);
		free(p);
	}
	if (!rc)
		rc = log_remove_orphans(l, 0);
out:
	log_close(l);
	return rc;
}

int log_present(const char *data_dir, const char *name)
{
	char *d = path_join(data_dir, name), *m = path_join(d, "MANIFEST");
	struct stat st;
	int yes = 0;

	if (lstat(d, &st) == 0 && S_ISLNK(st.st_mode)) {
		yes = 1;  /* listed, so that it is refused loudly */
	} else if (lstat(m, &st) == 0 || errno != ENOENT) {
		yes = 1;
	} else {
		DIR *dd = opendir(d);
		struct dirent *de;
		if (!dd)
			yes = errno != ENOENT && errno != ENOTDIR;
		while (dd && !yes && (de = readdir(dd))) {
			uint64_t base;
			uint32_t gen;
			int idx;
			yes = logf_parse_seg(de->d_name, &base, &gen, &idx);
		}
		if (dd)
			closedir(dd);
	}
	free(m);
	free(d);
	return yes;
}
