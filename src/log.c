/* log.c: open, load, lock, recover and close a log (see log-int.h) */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/file.h>
#include <time.h>

int log_config_init(struct log_config *c, const char *kind, uint32_t bloom_bytes, uint32_t bloom_k)
{
	const char *v;
	int64_t n;

	c->block_bytes = 128 * 1024;
	c->segment_bytes = 64ull << 20;
	c->level = 6;
	c->bloom_bytes = bloom_bytes;
	c->bloom_k = bloom_k;
	c->kind = kind;
	c->retention_us = 0;
	c->seal_age_us = 3600 * 1000000LL;
	c->cluster_width = 0;
	c->cluster_slots = LOG_CLUSTER_SLOTS;
	c->lazy = 0;
	if ((v = getenv("AGGR_BLOCK_BYTES")) && *v) {
		if (parse_i64(v, strlen(v), &n) || n < 64 || n > (int64_t)(SEG_MAX_BLOCK / 2))
			return err_set(EX_USAGE, "AGGR_BLOCK_BYTES: not a size between 64 and %u: %s",
				       SEG_MAX_BLOCK / 2, v);
		c->block_bytes = (size_t)n;
	}
	if ((v = getenv("AGGR_SEGMENT_BYTES")) && *v) {
		if (parse_i64(v, strlen(v), &n) || n < 1)
			return err_set(EX_USAGE, "AGGR_SEGMENT_BYTES: not a positive size: %s", v);
		c->segment_bytes = (uint64_t)n;
	}
	if ((v = getenv("AGGR_SEAL_AGE")) && *v) {
		if (parse_i64(v, strlen(v), &n) || n < 0 || n > 100LL * 366 * 86400)
			return err_set(EX_USAGE, "AGGR_SEAL_AGE: not a number of seconds: %s", v);
		c->seal_age_us = n * 1000000;
	}
	if ((v = getenv("AGGR_LEVEL")) && *v) {
		if (parse_i64(v, strlen(v), &n) || n < 1 || n > 9)
			return err_set(EX_USAGE, "AGGR_LEVEL: not a deflate level 1-9: %s", v);
		c->level = (int)n;
	}
	if ((v = getenv("AGGR_CLUSTER")) && *v) {
		if (parse_i64(v, strlen(v), &n) || n < 0 || n > LOG_CLUSTER_SLOTS)
			return err_set(EX_USAGE, "AGGR_CLUSTER: not a number of open blocks 0-%d: %s",
				       LOG_CLUSTER_SLOTS, v);
		c->cluster_slots = (int)n;
	}
	return 0;
}

struct log *log_new(const char *data_dir, const char *name)
{
	struct log *l = xcalloc(1, sizeof(*l));

	l->dir = path_join(data_dir, name);
	l->name = xstrdup(name);
	l->lock_fd = -1;
	/* what a log of this name holds until a MANIFEST says otherwise */
	snprintf(l->kind, sizeof(l->kind), "%s", log_name_kind(name));
	buf_init(&l->block);
	buf_init(&l->zbuf);
	buf_init(&l->batches);
	buf_init(&l->keys);
	buf_init(&l->run_keys);
	buf_init(&l->want_keys);
	l->expire_before = INT64_MIN;
	return l;
}

void log_seg_close(struct log_seg *s)
{
	if (s->data_fd >= 0)
		close(s->data_fd);
	if (s->idx_fd >= 0)
		close(s->idx_fd);
	if (s->flt_open)
		close(s->flt_fd);
	free(s->idx_raw);
	free(s->ent);
	free(s->fh);
	memset(s, 0, sizeof(*s));
	s->data_fd = s->idx_fd = -1;
}

void log_close(struct log *l)
{
	if (!l)
		return;
	if (l->in_run)
		log_abort(l);
	log_pipe_stop(l);
	if (l->created_manifest && !l->committed) {
		/* a log this writer created but never stored anything in */
		char *m = path_join(l->dir, "MANIFEST");
		unlink(m);
		free(m);
		fsync_dir(l->dir);
	}
	for (size_t i = 0; i < l->nseg; i++)
		log_seg_close(&l->seg[i]);
	free(l->seg);
	if (l->lock_fd >= 0)
		close(l->lock_fd);  /* releases the flock */
	seg_writer_free(&l->zw);
	buf_free(&l->block);
	buf_free(&l->zbuf);
	buf_free(&l->batches);
	buf_free(&l->keys);
	buf_free(&l->run_keys);
	buf_free(&l->want_keys);
	if (l->keys_map) {
		hmap_free(l->keys_map);
		free(l->keys_map);
	}
	log_cluster_free(l);
	free(l->cur_bloom);
	free(l->pend_bloom);
	free(l->dir);
	free(l->name);
	free(l);
}


/* ---- reading a segment's index ---- */

/*
 * Read s's index: header, then entries until the first bad CRC or
 * inconsistency. Which of them are committed: of an active segment, those
 * up to the last COMMIT entry; of a sealed one, the number of blocks its
 * MANIFEST line gives (a run that spans segments commits the ones it
 * sealed with the MANIFEST, so their last entries carry no COMMIT), or up
 * to the last COMMIT when fewer entries than that decode (check reports
 * it). With all, every entry that decodes (the writer sealing a segment in
 * the middle of a run). Returns 0 or EX_CORRUPT/EX_FAIL.
 */
int log_seg_load(struct log *l, struct log_seg *s, int all)
{
	struct stat st;
	unsigned char hdr[IDX_HDR_LEN];

	free(s->idx_raw);
	free(s->ent);
	s->idx_raw = NULL;
	s->ent = NULL;
	s->nent = 0;
	/* the index first: a commit appends data before its index entry, so
	 * the data file, looked at after, is never shorter than the index says */
	if (fstat(s->idx_fd, &st) < 0)
		return err_sys("cannot stat %s", log_seg_file(l, s, 1));
	s->idx_size = (uint64_t)st.st_size;
	if (s->idx_size < IDX_HDR_LEN || pread_full(s->idx_fd, hdr, IDX_HDR_LEN, 0) != IDX_HDR_LEN ||
	    idx_header_decode(hdr, &s->ih))
		return err_set(EX_CORRUPT, "%s: offset 0: bad index header", log_seg_file(l, s, 1));
	if (s->ih.base_offset != s->base)
		return err_set(EX_CORRUPT, "%s: offset 0: index is for segment %" PRIu64,
			       log_seg_file(l, s, 1), s->ih.base_offset);
	size_t es = s->ih.entry_size;
	size_t n = (size_t)((s->idx_size - IDX_HDR_LEN) / es);
	unsigned char *raw = xmalloc(n * es + 1);
	ssize_t got = pread_full(s->idx_fd, raw, n * es, IDX_HDR_LEN);
	if (got < 0) {
		free(raw);
		return err_sys("cannot read %s", log_seg_file(l, s, 1));
	}
	n = (size_t)got / es;
	struct idx_entry *ent = xmalloc(sizeof(*ent) * (n + 1));
	size_t good = 0, committed = 0;
	uint64_t pos = 0, off = s->base;
	for (size_t i = 0; i < n; i++) {
		struct idx_entry *e = &ent[i];
		/* offsets run on without gaps, except where compaction removed records */
		if (idx_entry_decode(raw + i * es, &s->ih, e) || e->pos != pos ||
		    (s->gen ? e->m.first_offset < off : e->m.first_offset != off))
			break;
		pos += e->m.block_len;
		off += e->m.count;
		good = i + 1;
		if (e->m.flags & IDX_COMMIT)
			committed = good;
	}
	if (all)
		committed = good;
	else if (s->sealed && s->sum.blocks && good >= s->sum.blocks)
		committed = (size_t)s->sum.blocks;
	s->idx_raw = raw;
	s->ent = ent;
	s->nent = committed;
	s->torn_entries = (s->idx_size - IDX_HDR_LEN) / es - committed;
	s->idx_end = IDX_HDR_LEN + committed * es;
	s->data_end = committed ? ent[committed - 1].pos + ent[committed - 1].m.block_len : 0;
	if (fstat(s->data_fd, &st) < 0)
		return err_sys("cannot stat %s", log_seg_file(l, s, 0));
	s->data_size = (uint64_t)st.st_size;
	if (s->data_end > s->data_size)
		return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": segment shorter than its index says",
			       log_seg_file(l, s, 0), s->data_size);
	if (!s->sealed)
		log_seg_summarize(s);
	if (committed)
		s->born_us = s->sum.min_ingest;
	return 0;
}

int log_seg_load_index(struct log *l, struct log_seg *s)
{
	return log_seg_load(l, s, 0);
}

int log_seg_open_data(struct log *l, struct log_seg *s, int flags)
{
	char path[PATH_MAX];
	int fd;

	logf_seg_path(l, s, 0, path, sizeof(path));
	if ((fd = open(path, flags)) >= 0 || errno != ENOENT)
		return fd;
	/* between the MANIFEST that sealed it and the rename that follows,
	 * or a store older than the .open names */
	int other = s->data_ftype == LOGF_OPEN ? LOGF_DATA : LOGF_OPEN;
	logf_seg_path_as(l, s, other, path, sizeof(path));
	if ((fd = open(path, flags)) >= 0)
		s->data_ftype = other;
	else
		errno = ENOENT;
	return fd;
}

int log_seg_open_files(struct log *l, struct log_seg *s, int writable, char *missing, size_t mn)
{
	char path[PATH_MAX];
	int flags = (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC;

	for (int idx = 0; idx < 2; idx++) {
		int *fd = idx ? &s->idx_fd : &s->data_fd;
		logf_seg_path(l, s, idx, path, sizeof(path));
		*fd = idx ? open(path, flags) : log_seg_open_data(l, s, flags);
		if (*fd >= 0)
			continue;
		if (errno != ENOENT)
			return err_sys("cannot open %s", log_seg_file(l, s, idx));
		logf_seg_rel(l, s, idx, missing, mn);
		return -ENOENT;
	}
	return 0;
}

void log_segs_reset(struct log *l)
{
	for (size_t i = 0; i < l->nseg; i++)
		log_seg_close(&l->seg[i]);
	free(l->seg);
	l->seg = NULL;
	l->nseg = 0;
}

void log_set_next_offset(struct log *l)
{
	/* offsets never go back, not even after purge or retention */
	l->next_offset = l->manifest_next;
	if (l->nseg) {
		struct log_seg *s = &l->seg[l->nseg - 1];
		uint64_t n = s->nent ? s->ent[s->nent - 1].m.first_offset + s->ent[s->nent - 1].m.count : s->base;
		if (n > l->next_offset)
			l->next_offset = n;
	}
}

/* Load MANIFEST and every listed segment's committed index. A segment
 * deleted under us (retention, compaction) means a newer MANIFEST: retry. */
static int log_load(struct log *l, int writable)
{
	char missing_file[PATH_MAX];

	for (int attempt = 0;; attempt++) {
		int rc = log_manifest_read(l), missing = 0;
		if (rc)
			return rc;
		for (size_t i = 0; i < l->nseg && !rc; i++) {
			l->seg[i].data_fd = l->seg[i].idx_fd = -1;
			rc = log_seg_open_files(l, &l->seg[i], writable, missing_file, sizeof(missing_file));
			if (rc == -ENOENT) {
				missing = 1;
				rc = 0;
				break;
			}
			int lazy = !writable || l->cfg.lazy;
			if (!rc && lazy && l->seg[i].has_filter) {
				/* opened now, like the others, so that the snapshot
				 * holds even when compaction or retention deletes it */
				char path[PATH_MAX];
				logf_seg_path(l, &l->seg[i], 2, path, sizeof(path));
				int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
				if (fd >= 0) {
					l->seg[i].flt_fd = fd;
					l->seg[i].flt_open = 1;
				} else if (errno != ENOENT) {
					rc = err_sys("cannot open %s", log_seg_file(l, &l->seg[i], 2));
				}
				/* missing: the first read that needs it says so */
			}
			/* a reader loads a sealed segment's index only when a read
			 * wants one of its blocks (log-filter.c); the last one's
			 * gives the log's end */
			if (!rc && lazy && l->seg[i].sealed && l->seg[i].sum.blocks && i + 1 < l->nseg)
				l->seg[i].lazy = 1;
			else if (!rc)
				rc = log_seg_load_index(l, &l->seg[i]);
		}
		if (rc)
			return rc;
		if (!missing) {
			log_set_next_offset(l);
			return 0;
		}
		if (writable || attempt == 5)
			return err_set(EX_CORRUPT, "%s: missing, but listed in the MANIFEST "
				       "(aggr check --repair rebuilds a lost index)", missing_file);
		log_segs_reset(l);
	}
}

int log_open_read(const char *data_dir, const char *name, struct log **out)
{
	struct log *l = log_new(data_dir, name);
	struct stat st;
	int rc = 0;

	if (lstat(l->dir, &st) == 0 && S_ISLNK(st.st_mode))
		rc = err_set(EX_PERM, "%s: refusing a symlinked log directory", name);
	if (!rc)
		rc = log_load(l, 0);
	if (!rc && l->retention_us > 0) {
		int64_t now;
		if (!(rc = now_us(&now)))
			l->expire_before = now - l->retention_us;
	}
	if (rc) {
		log_close(l);
		return rc;
	}
	*out = l;
	return 0;
}


/* ---- writers: directories, lock, recovery ---- */

int log_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return err_set(EX_USAGE, "path too long: %s", path);
	memcpy(tmp, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != 0)
			continue;
		char c = tmp[i];
		tmp[i] = 0;
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return err_sys("cannot create directory %s", tmp);
		tmp[i] = c;
	}
	return 0;
}

int log_lock(struct log *l, double wait_secs)
{
	char *path = path_join(l->dir, "LOCK");
	double deadline = mono_seconds() + wait_secs;
	int said = 0;

	l->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (l->lock_fd < 0)
		return err_sys("cannot open %s/LOCK", l->name);
	for (;;) {
		if (flock(l->lock_fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return err_sys("cannot lock %s", l->name);
		if (mono_seconds() >= deadline)
			return err_set(EX_CONFLICT, "%s is locked by another writer%s", l->name,
				       wait_secs > 0 ? " (gave up waiting)" : "");
		lock_wait_notice(l->name, l->lock_fd, &said);
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}


/* Drop the uncommitted tail of the last segment and verify its last block. */
int log_recover_tail(struct log *l)
{
	struct log_seg *s;
	int rc = 0;

	if (!l->nseg || l->seg[l->nseg - 1].sealed)
		return 0;
	s = &l->seg[l->nseg - 1];
	if (s->nent) {
		struct seg_reader r;
		struct buf blk, raw;
		seg_reader_init(&r);
		buf_init(&blk);
		buf_init(&raw);
		rc = log_read_block(l, s, &s->ent[s->nent - 1], &r, &blk, &raw);
		seg_reader_free(&r);
		buf_free(&blk);
		buf_free(&raw);
		if (rc)
			return rc;
	}
	if (s->idx_size != s->idx_end || s->data_size != s->data_end) {
		info_("%s: dropping %" PRIu64 " bytes of an interrupted run", l->name,
		      s->data_size - s->data_end + s->idx_size - s->idx_end);
		if (ftruncate(s->idx_fd, (off_t)s->idx_end) < 0 || ftruncate(s->data_fd, (off_t)s->data_end) < 0)
			return err_sys("cannot truncate %s", log_seg_file(l, s, 0));
		if (fdatasync(s->idx_fd) < 0 || fdatasync(s->data_fd) < 0)
			return err_sys("cannot sync %s", log_seg_file(l, s, 0));
		s->idx_size = s->idx_end;
		s->data_size = s->data_end;
	}
	return 0;
}


int log_open_write(const char *data_dir, const char *name, const struct log_config *cfg,
		   double wait_secs, struct log **out)
{
	struct log *l = log_new(data_dir, name);
	struct stat st;
	int rc;

	l->writer = 1;
	l->cfg = *cfg;
	/* from here a signal lets the writer undo what it has not committed */
	stop_signals_catch();
	rc = log_mkdir_p(l->dir);
	if (!rc && (lstat(l->dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		rc = err_set(EX_PERM, "%s: not a directory (symlinks are refused)", name);
	if (!rc)
		rc = log_lock(l, wait_secs);
	if (!rc)
		rc = log_load(l, 1);
	if (!rc && l->have_manifest && strcmp(l->kind, cfg->kind))
		rc = err_set(EX_USAGE, "%s holds %s records, not %s", name, l->kind, cfg->kind);
	if (!rc)
		rc = log_remove_orphans(l, 1);
	if (!rc)
		rc = log_recover_tail(l);
	if (!rc)
		rc = log_state_recover(l);
	/* an older store: the new MANIFEST first, so that older builds refuse
	 * it rather than misread it, then the data files' names */
	if (!rc && l->have_manifest && l->manifest_version < LOG_FORMAT)
		rc = log_manifest_write(l);
	for (size_t i = 0, any = 0; !rc && i < l->nseg; i++) {
		int renamed;
		rc = log_seg_rename(l, &l->seg[i], &renamed);
		any |= (size_t)renamed;
		if (!rc && any && i + 1 == l->nseg)
			rc = fsync_dir(l->dir);
	}
	if (!rc && !l->have_manifest) {
		snprintf(l->kind, sizeof(l->kind), "%s", cfg->kind);
		l->retention_us = cfg->retention_us;
		if (!(rc = log_manifest_write(l)))
			l->created_manifest = 1;
	}
	if (rc) {
		log_close(l);
		return rc;
	}
	snprintf(l->kind, sizeof(l->kind), "%s", cfg->kind);
	/* a writer reads what readers read: expired blocks are gone */
	if (l->retention_us > 0) {
		int64_t now;
		if ((rc = now_us(&now))) {
			log_close(l);
			return rc;
		}
		l->expire_before = now - l->retention_us;
	}
	seg_writer_init(&l->zw, cfg->level);
	l->cur_bloom = xcalloc(1, IDX_MAX_BLOOM);
	l->pend_bloom = xcalloc(1, IDX_MAX_BLOOM);
	log_pipe_start(l);
	*out = l;
	return 0;
}


/* ---- what a log is ---- */

const char *log_name(const struct log *l) { return l->name; }
const char *log_kind(const struct log *l) { return l->kind; }
const char *log_path(const struct log *l) { return l->dir; }
int log_exists(const struct log *l) { return l->have_manifest; }
uint64_t log_next_offset(const struct log *l) { return l->next_offset; }
uint64_t log_first_offset(const struct log *l) { return l->nseg ? l->seg[0].base : l->next_offset; }
int64_t log_retention(const struct log *l) { return l->retention_us; }
uint64_t log_retention_bytes(const struct log *l) { return l->retention_bytes; }
uint64_t log_run_records(const struct log *l) { return l->in_run ? l->run_records : 0; }
int log_created(const struct log *l) { return l->created_manifest; }

int64_t log_expiry(struct log *l, int64_t expire_before)
{
	int64_t old = l->expire_before;
	l->expire_before = expire_before;
	return old;
}

int log_block_expired(const struct log *l, const struct idx_entry *e)
{
	return e->m.ingest_us < l->expire_before;
}

int log_block_may_have(const struct log_seg *s, const struct idx_entry *e, const void *p, size_t n)
{
	return !e->bloom || !s->ih.bloom_bytes || bloom_may_have(e->bloom, s->ih.bloom_bytes, s->ih.bloom_k, p, n);
}

static void log_totals_seg(const struct log_seg *s, struct log_totals *t);

void log_totals(const struct log *l, struct log_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->segments = l->nseg;
	for (size_t i = 0; i < l->nseg; i++) {
		struct log_seg *s = &((struct log *)l)->seg[i];
		if (s->lazy && !s->ent) {
			/* the summary has all but the raw bytes */
			if (log_seg_ensure((struct log *)l, s)) {
				/* damage is for the read or check that needs
				 * the index to report: count the summary */
				err_clear();
				t->bytes += s->sum.bytes;
				t->blocks += s->sum.blocks;
				t->records += s->sum.records;
				if (!t->blocks || s->sum.min_key < t->min_key) t->min_key = s->sum.min_key;
				if (!t->blocks || s->sum.max_key > t->max_key) t->max_key = s->sum.max_key;
				if (!t->blocks || s->sum.min_ingest < t->min_ingest) t->min_ingest = s->sum.min_ingest;
				if (!t->blocks || s->sum.max_ingest > t->max_ingest) t->max_ingest = s->sum.max_ingest;
				continue;
			}
			log_totals_seg(s, t);
			log_seg_release(s);
			continue;
		}
		log_totals_seg(s, t);
	}
}

static void log_totals_seg(const struct log_seg *s, struct log_totals *t)
{
	{
		t->bytes += s->data_end;
		for (size_t j = 0; j < s->nent; j++) {
			const struct block_meta *m = &s->ent[j].m;
			if (!t->blocks || m->min_key < t->min_key) t->min_key = m->min_key;
			if (!t->blocks || m->max_key > t->max_key) t->max_key = m->max_key;
			if (!t->blocks || m->ingest_us < t->min_ingest) t->min_ingest = m->ingest_us;
			if (!t->blocks || m->ingest_us > t->max_ingest) t->max_ingest = m->ingest_us;
			t->blocks++;
			t->records += m->count;
			t->raw_bytes += m->raw_len;
		}
	}
}

uint64_t log_first_retained(struct log *l)
{
	uint64_t first = log_first_offset(l);

	for (size_t i = 0; i < l->nseg; i++) {
		struct log_seg *s = &l->seg[i];
		if (s->lazy && !s->ent) {
			if (s->base > first || s->sum.min_ingest >= l->expire_before)
				return first;
			/* its blocks cover [base, next base) whole: records
			 * that many, in disjoint ranges */
			if (s->sum.max_ingest < l->expire_before && i + 1 < l->nseg &&
			    s->sum.records == l->seg[i + 1].base - s->base) {
				first = l->seg[i + 1].base;
				continue;
			}
			if (log_seg_ensure(l, s)) {
				err_clear();  /* the read reports it */
				return first;
			}
		}
		for (size_t j = 0; j < s->nent; j++) {
			const struct block_meta *m = &s->ent[j].m;
			if (m->first_offset > first || m->ingest_us >= l->expire_before) {
				log_seg_release(s);
				return first;
			}
			if (m->first_offset + m->count > first)
				first = m->first_offset + m->count;
		}
		log_seg_release(s);
	}
	return first;
}

uint64_t log_count_blocks(const struct log *l, log_filter_fn filter, void *fctx)
{
	uint64_t n = 0;

	for (size_t i = 0; i < l->nseg; i++) {
		struct log_seg *s = &((struct log *)l)->seg[i];
		if (s->lazy && !s->ent) {
			if (s->sum.max_ingest < l->expire_before)
				continue;
			if (!filter && s->sum.min_ingest >= l->expire_before) {
				n += s->sum.blocks;
				continue;
			}
			if (log_seg_ensure((struct log *)l, s)) {
				err_clear();  /* the read reports it */
				n += s->sum.blocks;
				continue;
			}
		}
		for (size_t j = 0; j < s->nent; j++)
			n += !log_block_expired(l, &s->ent[j]) && (!filter || filter(&s->ent[j], s, fctx));
		log_seg_release(s);
	}
	return n;
}
