/* log-repair-look.c: check --repair marks the blocks of a segment kept,
 * damaged or unproven (see log-repair.c) */
#include "log-repair.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- looking at a data file ---- */

/* A good block header at pos, the whole block inside the file? 0 or -1. */
int rp_hdr_at(int fd, uint64_t pos, uint64_t size, struct block_meta *m)
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
uint64_t rp_resync(int fd, uint64_t from, uint64_t size, uint64_t expect, struct block_meta *m)
{
	/* the caller's heap, not a static buffer: nothing in the engine keeps
	 * state between calls that a thread could race on */
	enum { CHUNK = 65536 };
	unsigned char *chunk = xmalloc(CHUNK);
	uint64_t found = size;

	for (uint64_t at = from; at + SEG_HDR_LEN <= size && found == size;) {
		size_t want = size - at < CHUNK ? (size_t)(size - at) : CHUNK;
		ssize_t got = pread_full(fd, chunk, want, (off_t)at);
		if (got < 3)
			break;
		for (size_t i = 0; i + 2 < (size_t)got; i++)
			if (chunk[i] == 0x1f && chunk[i + 1] == 0x8b && chunk[i + 2] == 8 &&
			    rp_hdr_at(fd, at + i, size, m) == 0 && m->first_offset >= expect) {
				found = at + i;
				break;
			}
		at += (uint64_t)got - 2;
	}
	free(chunk);
	return found;
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
	struct fault f = FAULT_INIT;  /* a bad block is only counted, not reported */

	return log_block_load(c->l, &r->s, &e, &c->rd, &c->blk, &c->raw, &f) == 0;
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
		if (rp_hdr_at(r->s.data_fd, pos, r->size, &m) == 0 && m.first_offset >= expect &&
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
		uint64_t q = rp_resync(r->s.data_fd, pos + 1, r->size, expect, &n);
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

uint64_t rp_blk_end(const struct rblk *b)
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

void rp_prove_none(struct rseg *r)
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
		struct fault f = FAULT_INIT;
		b->pos = s->ent[j].pos;
		b->len = s->ent[j].m.block_len;
		b->m = s->ent[j].m;
		b->known = 1;
		b->iflags = s->ent[j].m.flags & IDX_SPARSE;
		b->bloom = s->ent[j].bloom;
		b->state = log_block_load(c->l, s, &s->ent[j], &c->rd, &c->blk, &c->raw, &f) ? RB_DAMAGED : RB_KEEP;
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
int rp_open_seg(struct rctx *c, struct rseg *r)
{
	struct log *l = c->l;
	char path[PATH_MAX];
	struct stat st;

	r->s.data_fd = r->s.idx_fd = -1;
	if ((r->s.data_fd = log_seg_open_data(l, &r->s, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
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
void rp_look(struct rctx *c, struct rseg *r, int last, int later)
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
	/* (a seal written in the middle of a run that spans segments proves
	 * nothing until the MANIFEST commit renames the data file) */
	if ((r->seal_ok && r->s.data_ftype == LOGF_DATA) || later) {
		s->sealed = 1;
		prove_bytes(r, r->seal_ok ? r->seal_pos : r->idx_ok ? s->data_end : r->size);
	} else if (r->idx_ok && (s->gen || count_commits(s) >= 2)) {
		prove_bytes(r, s->data_end);
	} else {
		rp_prove_none(r);
		r->unproven_why = "only the lost MANIFEST could prove them committed";
		r->trunc_bytes = 0;
	}
}

/* What to do with r, once looked at. */
void rp_decide(struct rseg *r)
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

