/* log-write.c: runs: begin, append, roll, commit, abort */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- writing ---- */

/* Create the empty files of segment (base, gen): data file and an index
 * holding only its header, both synced, the directory not yet. Fills *s.
 * Returns 0, or an error code with nothing left behind. */
int log_seg_create_files(struct log *l, uint64_t base, uint32_t gen, int ftype, uint32_t bloom_bytes,
			 uint32_t bloom_k, struct log_seg *s)
{
	char dpath[PATH_MAX], ipath[PATH_MAX];
	unsigned char hdr[IDX_HDR_LEN];
	int flags = O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;

	memset(s, 0, sizeof(*s));
	s->data_fd = s->idx_fd = -1;
	s->base = base;
	s->gen = gen;
	s->data_ftype = ftype;
	s->ih.bloom_bytes = bloom_bytes;
	s->ih.bloom_k = bloom_k;
	s->ih.entry_size = IDX_ENTRY_FIXED + bloom_bytes;
	s->ih.base_offset = base;
	logf_seg_path(l, s, 0, dpath, sizeof(dpath));
	logf_seg_path(l, s, 1, ipath, sizeof(ipath));
	s->data_fd = open(dpath, flags, 0600);
	if (s->data_fd < 0)
		return err_sys("cannot create %s", dpath);
	s->idx_fd = open(ipath, flags, 0600);
	if (s->idx_fd < 0) {
		int rc = err_sys("cannot create %s", ipath);
		close(s->data_fd);
		s->data_fd = -1;
		unlink(dpath);
		return rc;
	}
	idx_header_encode(hdr, &s->ih);
	if (write_full(s->idx_fd, hdr, IDX_HDR_LEN) < 0 || fsync(s->idx_fd) < 0 || fsync(s->data_fd) < 0) {
		/* a full disk ends here: leave no half-made segment behind */
		int rc = err_sys("cannot write %s", ipath);
		close(s->data_fd);
		close(s->idx_fd);
		s->data_fd = s->idx_fd = -1;
		unlink(dpath);
		unlink(ipath);
		return rc;
	}
	s->idx_end = s->idx_size = IDX_HDR_LEN;
	s->ent = xmalloc(sizeof(*s->ent));
	return 0;
}

/* Create an empty segment at base (files synced, directory synced) and
 * append it to l->seg as the active segment. The caller writes the MANIFEST. */
static int seg_create(struct log *l, uint64_t base, int64_t born_us)
{
	struct log_seg s;
	int rc;

	if ((rc = log_seg_create_files(l, base, 0, LOGF_OPEN, l->cfg.bloom_bytes, l->cfg.bloom_k, &s)))
		return rc;
	s.born_us = born_us;
	l->seg = xrealloc(l->seg, sizeof(*l->seg) * (l->nseg + 1));
	l->seg[l->nseg++] = s;
	log_pipe_seg_reset(l, &l->seg[l->nseg - 1]);
	return fsync_dir(l->dir);
}

int log_seg_rename(struct log *l, struct log_seg *s, int *renamed)
{
	char from[PATH_MAX], to[PATH_MAX];
	int want = s->sealed ? LOGF_DATA : LOGF_OPEN;

	*renamed = 0;
	if (s->data_ftype == want)
		return 0;
	logf_seg_path_as(l, s, s->data_ftype, from, sizeof(from));
	logf_seg_path_as(l, s, want, to, sizeof(to));
	if (rename(from, to) < 0)
		return err_sys("cannot rename %s", log_seg_file(l, s, 0));
	s->data_ftype = want;
	*renamed = 1;
	return 0;
}

int log_begin(struct log *l, int64_t ingest_us)
{
	struct log_seg *s = l->nseg ? &l->seg[l->nseg - 1] : NULL;

	l->in_run = 1;
	l->run_nseg0 = l->nseg;
	l->run_seg0 = s && !s->sealed ? l->nseg - 1 : l->nseg;
	l->run_unseal = 0;
	l->run_created = 0;
	l->run_data0 = s ? s->data_size : 0;
	l->run_idx0 = s ? s->idx_size : 0;
	l->run_next = l->next_offset;
	l->run_records = l->run_blocks = 0;
	l->have_pend = 0;
	/* an existing active segment keeps the bloom geometry of its index */
	l->bloom_bytes = s && !s->sealed ? s->ih.bloom_bytes : l->cfg.bloom_bytes;
	l->bloom_k = s && !s->sealed ? s->ih.bloom_k : l->cfg.bloom_k;
	buf_reset(&l->block);
	memset(&l->cur, 0, sizeof(l->cur));
	l->cur.ingest_us = ingest_us;
	memset(l->cur_bloom, 0, IDX_MAX_BLOOM);
	if (s)
		log_pipe_seg_reset(l, s);
	log_cluster_begin(l);
	return 0;
}

int log_write_entry(struct log *l, struct log_seg *s, const struct idx_entry *e)
{
	unsigned char tmp[IDX_ENTRY_FIXED + IDX_MAX_BLOOM];

	idx_entry_encode(tmp, &s->ih, e);
	if (pwrite_full(s->idx_fd, tmp, s->ih.entry_size, (off_t)s->idx_size) < 0)
		return err_sys("cannot write %s", log_seg_file(l, s, 1));
	s->idx_size += s->ih.entry_size;
	return 0;
}

/*
 * Write a compressed block (m with its block_len set by the encoder) to
 * segment s, then the index entry of the block before it, which stays
 * pending so that the run's last entry can carry COMMIT. Runs on a
 * deflate thread when there are some, so it reports failure in *f instead
 * of err_set. Returns 0 or an exit code.
 */
int log_write_block(struct log *l, struct log_seg *s, const struct buf *zbuf, const struct block_meta *m,
		       const unsigned char *bloom, struct fault *f)
{
	unsigned char tmp[IDX_ENTRY_FIXED + IDX_MAX_BLOOM];
	const char *what = NULL;

	if (pwrite_full(s->data_fd, zbuf->data, zbuf->len, (off_t)s->data_size) < 0)
		what = "write";
	if (!what && l->have_pend) {
		idx_entry_encode(tmp, &s->ih, &l->pend);
		if (pwrite_full(s->idx_fd, tmp, s->ih.entry_size, (off_t)s->idx_size) < 0)
			what = "write the index of";
		else
			s->idx_size += s->ih.entry_size;
	}
	if (what) {
		int e = errno;
		char name[PATH_MAX];
		logf_seg_rel(l, s, 0, name, sizeof(name));
		errno = e;
		return fault_sys(f, "cannot %s %s", what, name);
	}
	l->pend.pos = s->data_size;
	l->pend.m = *m;
	memcpy(l->pend_bloom, bloom, l->bloom_bytes);
	l->pend.bloom = l->pend_bloom;
	l->have_pend = 1;
	s->data_size += zbuf->len;
	return 0;
}

/*
 * The run has filled the active segment: close it with its pending entry
 * (no COMMIT: the run's MANIFEST commits it) and a seal block, synced,
 * and go on in a new one. Until the run commits, the MANIFEST still lists
 * the segment as active, so recovery cuts this run's blocks and the seal
 * away again, and the new segment is an orphan.
 */
static int roll_in_run(struct log *l)
{
	struct log_seg *s = &l->seg[l->nseg - 1];
	int rc;

	if ((rc = log_pipe_drain(l)))
		return rc;
	if (l->have_pend) {
		if ((rc = log_write_entry(l, s, &l->pend)))
			return rc;
		l->have_pend = 0;
	}
	if (fdatasync(s->idx_fd) < 0)
		return err_sys("cannot sync %s", log_seg_file(l, s, 1));
	if ((rc = log_seal_write(l, s, l->run_next, l->cur.ingest_us)))
		return rc;
	if (l->seg + l->run_seg0 == s && l->run_nseg0 > l->run_seg0)
		l->run_unseal = 1;  /* it was active before the run: abort reopens it */
	/* the MANIFEST line the commit writes counts every block of it */
	if ((rc = log_seg_load(l, s, 1)))
		return rc;
	s->sealed = 1;
	log_seg_summarize(s);
	if ((rc = seg_create(l, l->run_next, l->cur.ingest_us)))
		return rc;
	l->run_created++;
	if (l->bloom_bytes != l->cfg.bloom_bytes || l->bloom_k != l->cfg.bloom_k) {
		/* the block being filled was hashed for the old segment's
		 * filter: in the new one it may hold anything */
		l->bloom_bytes = l->cfg.bloom_bytes;
		l->bloom_k = l->cfg.bloom_k;
		memset(l->cur_bloom, 0xff, l->bloom_bytes);
	}
	info_("%s: run goes on in segment %" PRIu64, l->name, l->run_next);
	return 0;
}

int log_flush_block(struct log *l)
{
	struct log_seg *s;
	int rc;

	if (!l->block.len)
		return 0;
	if (!l->nseg || l->seg[l->nseg - 1].sealed) {
		/* a segment appears with its first block, so none is ever empty;
		 * the MANIFEST lists it only when the run commits. Nothing is in
		 * flight here: a run's first block starts it. */
		if ((rc = log_pipe_drain(l)) || (rc = seg_create(l, l->run_next, l->cur.ingest_us)))
			return rc;
		l->run_created++;
	} else if (l->run_blocks) {
		/* a run that spans segments keeps each of them near the bound */
		int full = log_pipe_seg_full(l, &l->seg[l->nseg - 1], l->cfg.segment_bytes);
		if (full < 0)
			return err_code();
		if (full && (rc = roll_in_run(l)))
			return rc;
	}
	s = &l->seg[l->nseg - 1];
	l->cur.raw_len = (uint32_t)l->block.len;
	l->cur.first_offset = l->run_next;
	l->cur.flags = 0;
	if (l->pipe) {
		rc = log_pipe_submit(l, s);
	} else {
		struct fault f = FAULT_INIT;
		if ((rc = log_encode(l, l->block.data, &l->cur, &l->zbuf)))
			return rc;
		if (log_write_block(l, s, &l->zbuf, &l->cur, l->cur_bloom, &f))
			return fault_raise(&f);
	}
	memset(l->cur_bloom, 0, l->bloom_bytes);
	l->run_next += l->cur.count;
	l->run_blocks++;
	int64_t ingest = l->cur.ingest_us;
	memset(&l->cur, 0, sizeof(l->cur));
	l->cur.ingest_us = ingest;
	buf_reset(&l->block);
	return rc;
}

int log_append(struct log *l, const char *line, size_t n, int64_t key,
	       const struct log_bloom_key *bk, size_t nbk)
{
	int rc;

	if (stop_signal) {
		stop_honoured = 1;
		return err_set(EX_FAIL, "interrupted by signal %d", (int)stop_signal);
	}
	if (n + 1 > SEG_MAX_BLOCK)
		return err_set(EX_DATA, "record too large: %zu bytes", n);
	if (l->cluster)
		return log_cluster_append(l, line, n, key, bk, nbk);
	if (l->block.len && l->block.len + n + 1 > l->cfg.block_bytes && (rc = log_flush_block(l)))
		return rc;
	buf_reserve(&l->block, n + 1);
	memcpy(l->block.data + l->block.len, line, n);
	l->block.data[l->block.len + n] = '\n';
	l->block.len += n + 1;
	if (!l->cur.count || key < l->cur.min_key)
		l->cur.min_key = key;
	if (!l->cur.count || key > l->cur.max_key)
		l->cur.max_key = key;
	l->cur.count++;
	for (size_t i = 0; i < nbk && l->bloom_bytes; i++)
		bloom_add(l->cur_bloom, l->bloom_bytes, l->bloom_k, bk[i].p, bk[i].n);
	l->run_records++;
	return 0;
}

int log_encode(struct log *l, const char *raw, struct block_meta *m, struct buf *out)
{
	const char *why;

	buf_reset(out);
	return seg_block_encode(&l->zw, raw, m, out, &why) ? err_set(EX_FAIL, "%s", why) : 0;
}

int log_seal_write(struct log *l, struct log_seg *s, uint64_t next, int64_t ingest_us)
{
	struct block_meta m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.flags = SEG_BLOCK_SEAL;
	m.first_offset = next;
	m.ingest_us = ingest_us;
	if ((rc = log_encode(l, "", &m, &l->zbuf)))
		return rc;
	if (pwrite_full(s->data_fd, l->zbuf.data, l->zbuf.len, (off_t)s->data_size) < 0 ||
	    fdatasync(s->data_fd) < 0)
		return err_sys("cannot seal %s", log_seg_file(l, s, 0));
	s->data_size += l->zbuf.len;
	return 0;
}

/* After a commit that sealed segments: give their data files the public
 * names, so that other engines' globs see them. A failure leaves the
 * rename to the next writer (readers find either name). */
static void publish_sealed(struct log *l, size_t from)
{
	int any = 0, renamed;

	for (size_t i = from; i < l->nseg; i++) {
		if (log_seg_rename(l, &l->seg[i], &renamed)) {
			warnx_("%s", err_msg());
			err_clear();
		}
		any |= renamed;
	}
	if (any && fsync_dir(l->dir)) {
		warnx_("%s", err_msg());
		err_clear();
	}
}

/* Seal the active segment after a commit: seal block, then the MANIFEST
 * that says so (the commit point), then its public name. */
static int roll(struct log *l)
{
	struct log_seg *s = &l->seg[l->nseg - 1];
	int64_t now;
	int rc;

	if ((rc = log_seg_load_index(l, s)))
		return rc;
	if ((rc = now_us(&now)) || (rc = log_seal_write(l, s, l->next_offset, now)))
		return rc;
	log_seg_summarize(s);
	s->sealed = 1;
	/* the next run starts the next segment */
	if ((rc = log_manifest_write(l)) && !l->manifest_renamed) {
		s->sealed = 0;
		return rc;
	}
	publish_sealed(l, l->nseg - 1);
	info_("%s: sealed segment %" PRIu64, l->name, s->base);
	return rc;
}

/* Should the active segment be sealed now that a run ingested at
 * ingest_us committed? When full, or when it has been open for the seal
 * age (by ingest times, so that AGGR_NOW decides, as for retention). */
static int roll_due(struct log *l, const struct log_seg *s, int64_t ingest_us)
{
	if (s->data_end >= l->cfg.segment_bytes)
		return 1;
	return s->data_end && ingest_us - s->born_us >= l->cfg.seal_age_us;
}

static void run_done(struct log *l)
{
	l->committed = 1;
	l->in_run = 0;
	l->have_pend = 0;
	l->run_created = 0;
	l->run_unseal = 0;
	l->run_wrote_batches = 0;
	l->run_wrote_keys = 0;
	buf_reset(&l->run_keys);
}

int log_commit(struct log *l)
{
	struct log_seg *s;
	int rc;

	if ((rc = log_cluster_flush(l)) || (rc = log_flush_block(l)) || (rc = log_pipe_drain(l)))
		return rc;
	if (!l->have_pend) {
		l->in_run = 0;
		return 0;
	}
	s = &l->seg[l->nseg - 1];
	if (fdatasync(s->data_fd) < 0)
		return err_sys("cannot sync %s", log_seg_file(l, s, 0));
	if (l->run_batch) {
		/* before the commit point: recovery drops it if the run fails */
		struct buf add;
		buf_init(&add);
		buf_addf(&add, "%s %" PRIu64 " %" PRIu64 "\n", l->run_batch, l->run_next - l->run_records,
			 l->run_next);
		l->run_wrote_batches = 1;
		rc = log_state_append(l, "batches", &l->batches, &add, &l->batches_len0);
		buf_free(&add);
		if (rc)
			return rc;
	}
	if (l->run_keys.len) {
		/* before the commit point too, and dropped the same way */
		struct buf add;
		buf_init(&add);
		for (const char *p = l->run_keys.data, *e = p + l->run_keys.len; p < e;) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			buf_add(&add, p, (size_t)(nl - p));
			buf_addf(&add, " %" PRIu64 "\n", l->run_next);
			p = nl + 1;
		}
		l->run_wrote_keys = 1;
		rc = log_state_append(l, "keys", &l->keys, &add, &l->keys_len0);
		buf_free(&add);
		if (rc)
			return rc;
	}
	l->pend.m.flags |= IDX_COMMIT;
	if ((rc = log_write_entry(l, s, &l->pend)))
		return rc;
	/* EIO from fsync is never retried: the page cache may have dropped the data */
	if (fdatasync(s->idx_fd) < 0)
		return err_sys("cannot sync %s", log_seg_file(l, s, 1));
	/*
	 * A run that started or sealed a segment becomes visible with the
	 * MANIFEST, which lists the segments it sealed with every block they
	 * hold; otherwise the COMMIT entry just written was the commit point.
	 */
	if (l->run_created) {
		uint64_t before = l->next_offset;
		l->next_offset = l->run_next;
		if ((rc = log_manifest_write(l))) {
			if (!l->manifest_renamed) {
				l->next_offset = before;
				return rc;
			}
			/* the MANIFEST lists the run: it is visible, though perhaps not
			 * durable, so it must not be undone; still a failure (EIO) */
			run_done(l);
			return rc;
		}
	}
	size_t seg0 = l->run_seg0;
	int64_t ingest = l->cur.ingest_us;
	run_done(l);
	s->data_end = s->data_size;
	s->idx_end = s->idx_size;
	l->next_offset = l->run_next;
	publish_sealed(l, seg0);
	if (roll_due(l, s, ingest) && (rc = roll(l))) {
		/* the run is durable; the next writer finishes the roll */
		warnx_("%s", err_msg());
		err_clear();
	}
	return 0;
}

void log_abort(struct log *l)
{
	struct log_seg *s;

	if (!l->in_run)
		return;
	/* the deflate threads may still be writing this run's blocks */
	if (log_pipe_drain(l))
		err_clear();
	l->in_run = 0;
	l->have_pend = 0;
	buf_reset(&l->block);
	log_cluster_reset(l);
	/* batches and keys as before the run; its named states go */
	log_state_abort(l);
	if (l->run_keys.len && l->keys_map) {
		/* the map holds this run's keys: rebuild it when next needed */
		hmap_free(l->keys_map);
		free(l->keys_map);
		l->keys_map = NULL;
	}
	buf_reset(&l->run_keys);
	/* the segments the run started are not in the MANIFEST: remove them */
	int removed = 0;
	while (l->nseg > l->run_nseg0) {
		char path[PATH_MAX];
		s = &l->seg[l->nseg - 1];
		logf_seg_path(l, s, 0, path, sizeof(path));
		unlink(path);
		logf_seg_path(l, s, 1, path, sizeof(path));
		unlink(path);
		log_seg_close(s);
		l->nseg--;
		removed = 1;
	}
	if (removed)
		fsync_dir(l->dir);
	l->run_created = 0;
	if (l->run_seg0 >= l->nseg)
		return;  /* there was no active segment to write to */
	s = &l->seg[l->run_seg0];
	/* nothing of the run has a COMMIT entry, so readers never saw it;
	 * a seal the run wrote goes with its blocks */
	if (ftruncate(s->idx_fd, (off_t)l->run_idx0) == 0 && ftruncate(s->data_fd, (off_t)l->run_data0) == 0) {
		fdatasync(s->idx_fd);
		fdatasync(s->data_fd);
	}
	s->idx_size = l->run_idx0;
	s->data_size = l->run_data0;
	if (l->run_unseal) {
		s->sealed = 0;
		l->run_unseal = 0;
		if (log_seg_load_index(l, s))
			err_clear();
	}
}
