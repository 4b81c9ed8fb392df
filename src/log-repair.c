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

/* ---- the segments to look at ---- */

static int cmp_rseg(const void *a, const void *b)
{
	const struct rseg *x = a, *y = b;
	return x->s.base < y->s.base ? -1 : x->s.base > y->s.base ? 1 : x->s.gen < y->s.gen ? -1 : x->s.gen > y->s.gen;
}

/* Rebuilding: every segment file in the directory, one generation per base
 * (the highest whose data file is there); the files of the others are kept
 * in lost/ and then removed. */
/*
 * Does a segment after r[i] prove r[i]'s blocks committed? A run that
 * spans segments seals one and starts the next before its commit point,
 * but renames a sealed data file to its public name only after it: so a
 * later data file with that name does (and every one does in a store of
 * format 1, which has no .open names).
 */
static int later_sealed(const struct rctx *c, size_t i)
{
	for (size_t j = i + 1; j < c->nr; j++)
		if (!c->r[j].missing && c->r[j].s.data_ftype == LOGF_DATA)
			return 1;
	return 0;
}

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
		if (!logf_parse_seg(de->d_name, &base, &gen, &idx) || idx == LOGF_FLT)
			continue;  /* filters are rebuilt from the indexes */
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
		if (idx != LOGF_IDX) {
			c->r[i].missing = 0;
			c->r[i].s.data_ftype = idx;
		}
		struct stat st;
		char *p = path_join(l->dir, de->d_name);
		if (lstat(p, &st) == 0 && st.st_size > (idx == LOGF_IDX ? IDX_HDR_LEN : 0))
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
			if (!(rc = rp_lost_keep_seg(c, r, 0)))
				rc = rp_lost_keep_seg(c, r, 1);
			continue;
		}
		c->r[n++] = *r;
	}
	c->nr = n;
	return rc;
}

/* ---- check --repair ---- */

/* Lock, read the MANIFEST (or see it must be rebuilt) and list the
 * segments to look at. Sets *none when there is no log to repair. */
static int start(struct rctx *c, double wait_secs, int *none)
{
	struct log *l = c->l;
	struct stat st;
	int rc;

	*none = 0;
	if (lstat(l->dir, &st) < 0) {
		*none = errno == ENOENT;
		return *none ? 0 : err_sys("cannot read %s", l->name);
	}
	if (S_ISLNK(st.st_mode))
		return err_set(EX_PERM, "%s: refusing a symlinked log directory", l->name);
	if ((rc = log_lock(l, wait_secs)))
		return rc;
	rc = log_manifest_read(l);
	if (rc && rc != EX_CORRUPT)
		return rc;
	if (!rc && l->have_manifest) {
		c->r = xcalloc(l->nseg + 1, sizeof(*c->r));
		for (size_t i = 0; i < l->nseg; i++) {
			c->r[i].s = l->seg[i];
			c->r[i].s.data_fd = c->r[i].s.idx_fd = -1;
			c->r[i].listed = 1;
		}
		c->nr = l->nseg;
		return 0;
	}
	/* lost or damaged: what it said is gone but for the kind, which the
	 * directory's name gives, and the kind's default retention */
	snprintf(c->mwhy, sizeof(c->mwhy), "%s", rc ? err_msg() : "");
	err_clear();
	log_segs_reset(l);
	c->rebuild = 1;
	l->manifest_next = 0;
	l->keys_from = 0;
	snprintf(l->kind, sizeof(l->kind), "%s", c->cfg->kind);
	l->retention_us = c->cfg->retention_us;
	if ((rc = segs_from_files(c)))
		return rc;
	if (!c->data_seen && !*c->mwhy) {
		*none = 1;  /* no log yet, or one whose creation a crash cut short */
		return 0;
	}
	return *c->mwhy ? rp_lost_keep(c, "MANIFEST") : 0;
}

/* Look at every segment; the offsets of everything seen, kept or not, are
 * never given out again. Returns 0 or an error code. */
static int look_all(struct rctx *c)
{
	int rc = 0;

	c->next = c->l->manifest_next;
	for (size_t i = 0; i < c->nr && !rc; i++) {
		struct rseg *r = &c->r[i];
		if (!(rc = rp_open_seg(c, r))) {
			rp_look(c, r, i + 1 == c->nr, later_sealed(c, i));
			rp_decide(r);
		}
		uint64_t end[4] = {r->seal_ok ? r->seal.first_offset : 0, r->seen_end,
				   r->idx_ok && r->s.nent ? r->s.ent[r->s.nent - 1].m.first_offset + r->s.ent[r->s.nent - 1].m.count : 0,
				   r->missing && r->s.sealed && !r->s.gen ? r->s.base + r->s.sum.records : 0};
		for (size_t j = 0; j < r->nb; j++)
			if (rp_blk_end(&r->b[j]) != UINT64_MAX && rp_blk_end(&r->b[j]) > c->next)
				c->next = rp_blk_end(&r->b[j]);
		for (int k = 0; k < 4; k++)
			if (end[k] > c->next)
				c->next = end[k];
	}
	/* overlapping segments (made by hand): the later one is not proven */
	for (size_t i = 1; i < c->nr && !rc; i++) {
		struct rseg *p = &c->r[i - 1], *r = &c->r[i];
		uint64_t pend = p->s.base;
		for (size_t j = 0; j < p->nb; j++)
			if (p->b[j].state == RB_KEEP)
				pend = rp_blk_end(&p->b[j]);
		if (r->s.base < pend && r->action != RA_DROP) {
			rp_prove_none(r);
			rp_decide(r);
		}
	}
	/* orphans: files of runs that never committed, temporary files */
	DIR *d = c->rebuild || rc ? NULL : opendir(c->l->dir);
	struct logf_entry de;
	while (logf_dir_next(d, &de)) {
		int listed = 0;
		struct stat st;
		for (size_t i = 0; !de.tmp && i < c->nr; i++)
			listed |= c->r[i].s.base == de.base && c->r[i].s.gen == de.gen;
		char *p = path_join(c->l->dir, de.name);
		if (!listed && lstat(p, &st) == 0)
			c->orphan_bytes += (uint64_t)st.st_size;
		free(p);
	}
	if (d)
		closedir(d);
	return rc;
}

/* Keep what goes in lost/, then write what replaces it. Sets *manifest
 * when the MANIFEST must change. Returns 0 or an error code. */
static int write_all(struct rctx *c, int *manifest)
{
	int rc = 0;

	for (size_t i = 0; i < c->nr && !rc; i++) {
		struct rseg *r = &c->r[i];
		*manifest |= r->action == RA_REWRITE || r->action == RA_DROP || (c->rebuild && r->action != RA_NONE);
		if (r->action == RA_REWRITE || r->action == RA_DROP) {
			if (!(rc = rp_lost_keep_seg(c, r, 0)))
				rc = rp_lost_keep_seg(c, r, 1);
		} else if (r->action == RA_REINDEX) {
			rc = rp_lost_keep_seg(c, r, 1);
		}
	}
	for (size_t i = 0; i < c->nr && !rc; i++) {
		struct rseg *r = &c->r[i];
		uint64_t next_base = i + 1 < c->nr ? c->r[i + 1].s.base : c->next;
		rp_say_seg(c, r, next_base);
		if (r->action == RA_REWRITE) {
			r->new_gen = r->s.gen + 1;
			rc = rp_rewrite(c, r, next_base);
		} else if (r->action == RA_REINDEX) {
			struct seg_summary was = r->s.sum;
			rc = rp_reindex(c, r);
			*manifest |= r->s.sealed && memcmp(&was, &r->s.sum, sizeof(was));
		} else if (r->action == RA_TRUNCATE) {
			rc = rp_truncate(c, r);
		}
		if (!rc && c->rebuild && r->s.sealed && (r->action == RA_NONE || r->action == RA_TRUNCATE))
			log_seg_summarize(&r->s);  /* listed anew: its summary from its index */
	}
	if (!rc)
		rc = fsync_dir(c->l->dir);
	if (!rc)
		rc = rp_filter_state(c, "batches", 1);
	if (!rc)
		rc = rp_filter_state(c, "keys", 0);
	return rc;
}

/* The commit point: the MANIFEST listing what is kept. */
static int commit(struct rctx *c)
{
	struct log *l = c->l;
	struct log_seg *segs = xcalloc(c->nr + 1, sizeof(*segs));
	size_t n = 0;
	char pre[PATH_MAX];
	int rc;

	for (size_t i = 0; i < c->nr; i++) {
		if (c->r[i].action == RA_DROP)
			continue;
		segs[n].base = c->r[i].s.base;
		segs[n].gen = c->r[i].s.gen;
		segs[n].sealed = c->r[i].s.sealed;
		segs[n].sum = c->r[i].s.sum;
		segs[n].data_fd = segs[n].idx_fd = -1;
		n++;
	}
	log_segs_reset(l);
	l->seg = segs;
	l->nseg = n;
	l->next_offset = c->next;
	snprintf(pre, sizeof(pre), "%s/MANIFEST: ", l->name);
	const char *why = !*c->mwhy ? "missing" : strncmp(c->mwhy, pre, strlen(pre)) ? c->mwhy : c->mwhy + strlen(pre);
	if (!(rc = log_manifest_write(l)) && c->rebuild)
		buf_addf(&c->report, "%s/MANIFEST: %s: rebuilt from %zu segment%s\n", l->name, why, n, n == 1 ? "" : "s");
	return rc;
}

int log_repair(const char *data_dir, const char *name, const struct log_config *cfg, double wait_secs)
{
	struct log *l = log_new(data_dir, name);
	struct rctx c;
	int rc, none, manifest;

	memset(&c, 0, sizeof(c));
	c.l = l;
	c.cfg = cfg;
	buf_init(&c.report);
	buf_init(&c.blk);
	buf_init(&c.raw);
	seg_reader_init(&c.rd);
	seg_writer_init(&l->zw, cfg->level);
	l->cfg = *cfg;
	if ((rc = start(&c, wait_secs, &none)) || none)
		goto out;
	manifest = c.rebuild;
	if ((rc = look_all(&c)) || (rc = write_all(&c, &manifest)) || (manifest && (rc = commit(&c))))
		goto out;
	/* filter files: derived from the indexes, so one that does not match
	 * its (now sound) index is rebuilt in place */
	for (size_t i = 0; i < l->nseg && !rc; i++) {
		struct log_seg *s = &l->seg[i];
		int frc;
		if (!s->has_filter || !(frc = log_filter_check(l, s)))
			continue;
		if (frc != EX_CORRUPT) {
			rc = frc;
			goto out;
		}
		const char *m = err_msg(), *hint = strstr(m, " (aggr check --repair");
		buf_addf(&c.report, "%.*s: rebuilt from its index\n", (int)(hint ? hint - m : (long)strlen(m)), m);
		err_clear();
		rc = log_filter_write(l, s);
	}
	if (rc)
		goto out;
	uint64_t gone = c.orphan_bytes;
	for (size_t i = 0; i < c.nr; i++)
		if (c.r[i].action == RA_TRUNCATE)
			gone += c.r[i].trunc_bytes;
	if ((manifest || c.orphan_bytes) && (rc = log_remove_orphans(l, 0)))
		goto out;
	if (gone)
		buf_addf(&c.report, "%s: removed %" PRIu64 " uncommitted bytes of an interrupted run\n", name, gone);
	if (c.lost_used)
		buf_addf(&c.report, "%s: the files replaced or set aside are kept in %s/lost\n", name, name);
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
		if (rp_hdr_at(fd, pos, size, &m)) {
			pos = rp_resync(fd, pos + 1, size, 0, &m);
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
		if (!logf_parse_seg(de->d_name, &base, &gen, &idx) || idx == LOGF_IDX || idx == LOGF_FLT)
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
