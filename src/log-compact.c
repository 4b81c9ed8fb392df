/* log-compact.c: compaction, purge and retention */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int log_purge(struct log *l, uint64_t *records, uint64_t *segments)
{
	int rc;

	*records = *segments = 0;
	for (size_t i = 0; i < l->nseg; i++) {
		struct log_seg *s = &l->seg[i];
		if (s->lazy && !s->ent)
			*records += s->sum.records;  /* its index not read: the MANIFEST's count */
		for (size_t j = 0; j < s->nent; j++)
			*records += s->ent[j].m.count;
		(*segments)++;
	}
	log_segs_reset(l);
	/* an empty MANIFEST is the commit; the files then are orphans, and
	 * keys_from voids every summary key so far */
	l->keys_from = l->next_offset;
	if ((rc = log_manifest_write(l)))
		return rc;
	char *b = path_join(l->dir, "batches");
	if (unlink(b) < 0 && errno != ENOENT)
		rc = err_sys("cannot remove %s/batches", l->name);
	free(b);
	b = path_join(l->dir, "keys");
	if (!rc && unlink(b) < 0 && errno != ENOENT)
		rc = err_sys("cannot remove %s/keys", l->name);
	free(b);
	buf_reset(&l->keys);
	if (rc)
		return rc;
	return log_remove_orphans(l, 0);
}


/* ---- compaction ---- */

/* A compacted segment being written. */
struct compact_out {
	struct log_seg s;
	struct buf raw;              /* the block being filled */
	struct block_meta m;
	unsigned char *bloom;
	uint64_t next_virt;          /* where the block's offsets would continue */
	int sparse;
};

static int compact_flush(struct log *l, struct compact_out *o)
{
	struct idx_entry e;
	int rc;

	if (!o->m.count)
		return 0;
	o->m.raw_len = (uint32_t)o->raw.len;
	o->m.flags = 0;
	if ((rc = log_encode(l, o->raw.data, &o->m, &l->zbuf)))
		return rc;
	if (pwrite_full(o->s.data_fd, l->zbuf.data, l->zbuf.len, (off_t)o->s.data_size) < 0)
		return err_sys("cannot write %s", log_seg_file(l, &o->s, 0));
	e.pos = o->s.data_size;
	e.m = o->m;
	/* every block is committed: the whole file appears at once, with the MANIFEST */
	e.m.flags = IDX_COMMIT | (o->sparse ? IDX_SPARSE : 0);
	e.bloom = o->bloom;
	if ((rc = log_write_entry(l, &o->s, &e)))
		return rc;
	o->s.data_size += l->zbuf.len;
	buf_reset(&o->raw);
	memset(&o->m, 0, sizeof(o->m));
	memset(o->bloom, 0, o->s.ih.bloom_bytes);
	o->sparse = 0;
	return 0;
}

/* Add one kept record whose offset is virt (exact, or a lower bound when
 * exact is 0) from a block ingested at ingest_us. */
static int compact_add(struct log *l, struct compact_out *o, const struct log_keep *k, uint64_t virt,
		       int exact, int64_t ingest_us)
{
	int rc;

	if (o->raw.len && o->raw.len + k->n + 1 > l->cfg.block_bytes && (rc = compact_flush(l, o)))
		return rc;
	if (!o->m.count) {
		o->m.first_offset = virt;
		o->m.min_key = o->m.max_key = k->key;
		o->m.ingest_us = ingest_us;
		/* a block starting on a guessed offset may hide a gap before its next */
		o->sparse = !exact;
	} else if (virt != o->next_virt || !exact) {
		o->sparse = 1;
	}
	o->next_virt = virt + 1;
	buf_add(&o->raw, k->line, k->n);
	buf_addc(&o->raw, '\n');
	if (k->key < o->m.min_key)
		o->m.min_key = k->key;
	if (k->key > o->m.max_key)
		o->m.max_key = k->key;
	/* blocks merged from several runs: retention must not expire the newest early */
	if (ingest_us > o->m.ingest_us)
		o->m.ingest_us = ingest_us;
	o->m.count++;
	for (size_t i = 0; i < k->nbloom && o->s.ih.bloom_bytes; i++)
		bloom_add(o->bloom, o->s.ih.bloom_bytes, o->s.ih.bloom_k, k->bloom[i].p, k->bloom[i].n);
	return 0;
}

static void compact_discard(struct log *l, struct log_seg *s)
{
	char path[PATH_MAX];

	for (int idx = 0; idx < 2; idx++) {
		logf_seg_path(l, s, idx, path, sizeof(path));
		unlink(path);
	}
	log_seg_close(s);
}

/*
 * Rewrite segment s through fn into o->s (a new generation). Sets *changed
 * when any record was dropped or replaced. Returns 0 or an error code; the
 * caller discards o->s on error.
 */
static int compact_seg(struct log *l, struct log_seg *s, struct compact_out *o, log_compact_fn fn,
		       void *ctx, int *changed, struct log_compact_stats *st)
{
	struct seg_reader r;
	struct buf blk, raw;
	uint64_t virt = s->base;
	int rc;

	if ((rc = log_seg_create_files(l, s->base, s->gen + 1, s->sealed ? LOGF_DATA : LOGF_OPEN, s->ih.bloom_bytes,
					 s->ih.bloom_k, &o->s)))
		return rc;
	o->bloom = xcalloc(1, s->ih.bloom_bytes + 1);
	seg_reader_init(&r);
	buf_init(&blk);
	buf_init(&raw);
	for (size_t j = 0; j < s->nent && !rc; j++) {
		const struct idx_entry *e = &s->ent[j];
		if (stop_signal) {
			/* nothing is committed before the MANIFEST: undo it all */
			stop_honoured = 1;
			rc = err_set(EX_FAIL, "interrupted by signal %d", (int)stop_signal);
			break;
		}
		int sparse = (e->m.flags & IDX_SPARSE) != 0;
		if ((rc = log_read_block(l, s, e, &r, &blk, &raw)))
			break;
		const char *p = raw.data, *end = raw.data + raw.len;
		for (uint32_t i = 0; p < end && !rc; i++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			struct log_keep k;
			if (!nl) {
				rc = err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": last record has no newline",
					     log_seg_file(l, s, 0), e->pos);
				break;
			}
			/* offsets inside a compacted block are known only as lower bounds */
			int exact = i == 0 || !sparse;
			virt = i == 0 ? e->m.first_offset : virt + 1;
			memset(&k, 0, sizeof(k));
			if ((rc = fn(p, (size_t)(nl - p), exact ? virt : LOG_NO_OFFSET, &k, ctx)))
				break;
			if (!k.line) {
				*changed = 1;
				st->records_dropped++;
			} else {
				if (k.line != p || k.n != (size_t)(nl - p))
					*changed = 1;
				st->records_kept++;
				rc = compact_add(l, o, &k, virt, exact, e->m.ingest_us);
			}
			p = nl + 1;
		}
	}
	if (!rc)
		rc = compact_flush(l, o);
	seg_reader_free(&r);
	buf_free(&blk);
	buf_free(&raw);
	free(o->bloom);
	o->bloom = NULL;
	o->s.data_end = o->s.data_size;
	o->s.idx_end = o->s.idx_size;
	if (rc || !*changed || !o->s.data_size)
		return rc;
	if (s->sealed) {
		/* the seal block goes too, so the new file is a sealed segment */
		uint64_t next = s == &l->seg[l->nseg - 1] ? l->next_offset : s[1].base;
		if ((rc = log_seal_write(l, &o->s, next, s->sum.max_ingest)))
			return rc;
		o->s.sealed = 1;
	}
	if (fdatasync(o->s.data_fd) < 0 || fdatasync(o->s.idx_fd) < 0)
		return err_sys("cannot sync %s", log_seg_file(l, &o->s, 0));
	return 0;
}

int log_compact(struct log *l, log_compact_fn fn, void *ctx, struct log_compact_stats *st)
{
	struct log_seg *old = l->seg, *next = xcalloc(l->nseg + 1, sizeof(*next));
	unsigned char *fresh = xcalloc(l->nseg + 1, 1);  /* next[i] is a new file */
	size_t nold = l->nseg, nnext = 0;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < nold && !rc; i++) {
		struct compact_out o;
		int changed = 0;
		memset(&o, 0, sizeof(o));
		buf_init(&o.raw);
		st->bytes_before += old[i].data_size;
		rc = compact_seg(l, &old[i], &o, fn, ctx, &changed, st);
		buf_free(&o.raw);
		if (rc || !changed) {
			if (o.s.data_fd >= 0)
				compact_discard(l, &o.s);
			st->bytes_after += old[i].data_size;
			next[nnext++] = old[i];
			continue;
		}
		st->segments_rewritten++;
		if (!o.s.data_size) {
			/* nothing left: the segment leaves the MANIFEST */
			compact_discard(l, &o.s);
			st->segments_dropped++;
			continue;
		}
		st->bytes_after += o.s.data_size;
		fresh[nnext] = 1;
		next[nnext++] = o.s;
	}
	if (!rc && !st->segments_rewritten)
		goto undo;
	if (!rc)
		rc = fsync_dir(l->dir);
	for (size_t i = 0; i < nnext && !rc; i++) {
		if (!fresh[i])
			continue;
		free(next[i].ent);
		next[i].ent = NULL;
		if (!(rc = log_seg_load_index(l, &next[i])) && next[i].sealed)
			log_seg_summarize(&next[i]);
	}
	if (rc)
		goto undo;
	l->seg = next;
	l->nseg = nnext;
	l->manifest_renamed = 0;
	if ((rc = log_manifest_write(l)) && !l->manifest_renamed) {
		l->seg = old;
		l->nseg = nold;
		goto undo;
	}
	/* committed (the rename happened): old files of rewritten segments are orphans */
	for (size_t j = 0; j < nold; j++) {
		int kept = 0;
		for (size_t i = 0; i < nnext; i++)
			kept |= !fresh[i] && next[i].base == old[j].base;
		if (!kept)
			log_seg_close(&old[j]);
	}
	free(old);
	free(fresh);
	l->committed = 1;
	if (rc)
		return rc;
	return log_remove_orphans(l, 0);
undo:
	/* the old segment set stays; new files are removed (or left as orphans) */
	for (size_t i = 0; i < nnext; i++)
		if (fresh[i])
			compact_discard(l, &next[i]);
	free(next);
	free(fresh);
	return rc;
}

/* ---- retention ---- */

int log_set_retention(struct log *l, int64_t retention_us)
{
	int64_t old = l->retention_us;
	int rc;

	l->retention_us = retention_us;
	if ((rc = log_manifest_write(l)) && !l->manifest_renamed)
		l->retention_us = old;
	else
		l->committed = 1;
	return rc;
}

/* Drop the first n segments: the MANIFEST without them is the commit,
 * then their files are orphans, removed at once. */
static int retain_drop(struct log *l, size_t n)
{
	int rc;

	for (size_t i = 0; i < n; i++)
		log_seg_close(&l->seg[i]);
	memmove(l->seg, l->seg + n, sizeof(*l->seg) * (l->nseg - n));
	l->nseg -= n;
	if ((rc = log_manifest_write(l)))
		return rc;
	return log_remove_orphans(l, 0);
}

int log_retain(struct log *l, int64_t cutoff, uint64_t *records, uint64_t *segments)
{
	size_t n;
	int rc;

	*records = *segments = 0;
	if (l->in_run)
		return err_set(EX_FAIL, "%s: retention inside an ingest run", l->name);
	for (n = 0; n < l->nseg; n++) {
		struct log_seg *s = &l->seg[n];
		if (!s->sealed) {
			/* a writer does not keep the entries of the runs it
			 * committed: summarise the active segment from its file */
			if ((rc = log_seg_load_index(l, s)))
				return rc;
		}
		if (!s->sum.blocks || s->sum.max_ingest >= cutoff)
			break;
		*records += s->sum.records;
	}
	if (!n)
		return 0;
	*segments = n;
	return retain_drop(l, n);
}

int log_set_retention_bytes(struct log *l, uint64_t max_bytes)
{
	uint64_t old = l->retention_bytes;
	int rc;

	l->retention_bytes = max_bytes;
	if ((rc = log_manifest_write(l)) && !l->manifest_renamed)
		l->retention_bytes = old;
	else
		l->committed = 1;
	return rc;
}

/* The bytes segment s takes: its files (data, index, filter; a missing
 * one counts nothing) and its MANIFEST line. */
static uint64_t seg_disk_bytes(const struct log *l, const struct log_seg *s)
{
	char path[PATH_MAX];
	uint64_t sum = 0;

	for (int k = 0; k < 3; k++) {
		struct stat st;
		logf_seg_path(l, s, k, path, sizeof(path));
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_size;
	}
	return sum + log_manifest_seg_len(s);
}

int log_retain_bytes(struct log *l, uint64_t max_bytes, uint64_t *records, uint64_t *segments, uint64_t *freed,
		     uint64_t *left)
{
	uint64_t total = 0;
	size_t n = 0;
	int rc;

	*records = *segments = *freed = 0;
	if (l->in_run)
		return err_set(EX_FAIL, "%s: retention inside an ingest run", l->name);
	if ((rc = log_disk_bytes(l, &total)))
		return rc;
	/* the oldest first, never the newest: offsets stay contiguous */
	for (; total > max_bytes && n + 1 < l->nseg && l->seg[n].sealed; n++) {
		uint64_t b = seg_disk_bytes(l, &l->seg[n]);
		*records += l->seg[n].sum.records;
		*freed += b;
		total -= b < total ? b : total;
	}
	*left = total;
	if (!n)
		return 0;
	*segments = n;
	if ((rc = retain_drop(l, n)))
		return rc;
	/* what is left, measured: the MANIFEST may have gained filter files */
	return log_disk_bytes(l, left);
}
