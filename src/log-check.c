/* log-check.c: check and repair */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/file.h>

/* ---- check ---- */

int log_seg_hidden_commit(const struct log_seg *s)
{
	size_t es = s->ih.entry_size;

	for (size_t i = s->nent; s->idx_raw && i < s->nent + s->torn_entries; i++) {
		struct idx_entry e;
		if (idx_entry_decode(s->idx_raw + i * es, &s->ih, &e) == 0 && (e.m.flags & IDX_COMMIT))
			return 1;
	}
	return 0;
}

/* Bytes in the log directory that no MANIFEST lists: segment files of runs
 * that did not commit, temporary files. With data, say whether a segment
 * file holds any (the MANIFEST is lost when none lists it). */
static uint64_t unlisted_bytes(struct log *l, char *data, size_t n)
{
	DIR *d = opendir(l->dir);
	struct logf_entry de;
	uint64_t bytes = 0;

	if (data)
		*data = 0;
	while (logf_dir_next(d, &de)) {
		int listed = 0;
		for (size_t i = 0; !de.tmp && i < l->nseg; i++)
			listed |= l->seg[i].base == de.base && l->seg[i].gen == de.gen &&
				  (de.idx != LOGF_FLT || l->seg[i].has_filter);
		if (listed)
			continue;
		struct stat st;
		char *p = path_join(l->dir, de.name);
		if (lstat(p, &st) == 0) {
			bytes += (uint64_t)st.st_size;
			/* name the first data file rather than an index */
			char cand[PATH_MAX];
			snprintf(cand, sizeof(cand), "%s/%s", l->name, de.name);
			int cand_idx = !!strstr(cand, ".idx"), cur_idx = !!strstr(data ? data : "", ".idx");
			if (data && !de.tmp && st.st_size > (de.idx ? IDX_HDR_LEN : 0) &&
			    (!*data || cand_idx < cur_idx || (cand_idx == cur_idx && strcmp(cand, data) < 0)))
				snprintf(data, n, "%s", cand);
		}
		free(p);
	}
	if (d)
		closedir(d);
	return bytes;
}

/* Bytes past the last commit of the active segment. */
static uint64_t tail_bytes(const struct log *l)
{
	const struct log_seg *s = l->nseg ? &l->seg[l->nseg - 1] : NULL;

	if (!s || s->sealed)
		return 0;
	return (s->data_size - s->data_end) + (s->idx_size - s->idx_end);
}

/* The state files (batches, keys, producers): every line as their
 * readers parse it. */
static int check_state(struct log *l)
{
	return log_state_check(l);
}

static int check_seg_tail(struct log *l, struct log_seg *s, int last, struct log_check_stats *st)
{
	struct seg_reader r;
	struct buf blk, raw;
	int rc = 0;

	if (last && !s->sealed) {
		/* an interrupted run ends with no COMMIT entry: one after a bad
		 * entry is a committed run the bad entry hides */
		uint64_t end = s->nent ? s->ent[s->nent - 1].m.first_offset + s->ent[s->nent - 1].m.count : s->base;
		if (log_seg_hidden_commit(s))
			return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": damaged index entry before committed ones",
				       log_seg_file(l, s, 1), s->idx_end);
		/* the MANIFEST's next_offset was committed when it was written (a
		 * compacted or repaired segment may end in a gap before it) */
		if (!s->gen && end < l->manifest_next && s->base < l->manifest_next)
			return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": index ends at offset %" PRIu64
				       ", before %" PRIu64 " which the MANIFEST says is committed",
				       log_seg_file(l, s, 1), s->idx_end, end, l->manifest_next);
		st->torn_bytes += (s->data_size - s->data_end) + (s->idx_size - s->idx_end);
		return 0;
	}
	if (s->idx_size != s->idx_end)
		return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": index entries after the last commit "
			       "in a sealed segment", log_seg_file(l, s, 1), s->idx_end);
	/* a sealed segment ends with exactly one seal member */
	size_t seal_len = s->data_size - s->data_end;
	if (seal_len < SEG_HDR_LEN || seal_len > 4096)
		return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": sealed segment does not end with a seal block",
			       log_seg_file(l, s, 0), s->data_end);
	seg_reader_init(&r);
	buf_init(&blk);
	buf_init(&raw);
	buf_reserve(&blk, seal_len);
	const char *why = NULL;
	struct block_meta m;
	if (pread_full(s->data_fd, blk.data, seal_len, (off_t)s->data_end) != (ssize_t)seal_len)
		why = "cannot read seal block";
	else if (seg_block_header((unsigned char *)blk.data, seal_len, &m, &why) == 0) {
		if (!(m.flags & SEG_BLOCK_SEAL) || m.count || m.block_len != seal_len)
			why = "sealed segment does not end with a seal block";
		else
			seg_block_decode(&r, (unsigned char *)blk.data, seal_len, &raw, &why);
	}
	if (why)
		rc = err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": %s", log_seg_file(l, s, 0), s->data_end, why);
	seg_reader_free(&r);
	buf_free(&blk);
	buf_free(&raw);
	return rc;
}

static int count_record(const char *line, size_t n, uint64_t off, void *ctx)
{
	(void)line;
	(void)n;
	(void)off;
	(void)ctx;
	return 0;
}

int log_check(struct log *l, struct log_check_stats *st)
{
	int rc = 0;
	uint64_t expect = l->nseg ? l->seg[0].base : 0;

	memset(st, 0, sizeof(*st));
	char data[PATH_MAX];
	st->orphan_bytes = unlisted_bytes(l, data, sizeof(data));
	if (!l->have_manifest && *data)
		return err_set(EX_CORRUPT, "%s/MANIFEST: missing, but %s holds data "
			       "(aggr check --repair rebuilds it from the segments)", l->name, data);
	for (size_t i = 0; i < l->nseg && !rc; i++) {
		struct log_seg *s = &l->seg[i];
		st->segments++;
		/* check reads every index, and sees it whole: no longer lazy */
		if ((rc = log_seg_ensure(l, s)))
			break;
		s->lazy = 0;
		if (s->has_filter && (rc = log_filter_check(l, s)))
			break;
		/* gaps between segments: compaction may have dropped a whole one */
		if (s->base < expect)
			rc = err_set(EX_CORRUPT, "%s: segment starts at offset %" PRIu64 ", inside the one "
				     "before it (which ends at %" PRIu64 ")", log_seg_file(l, s, 0), s->base, expect);
		/* entries after a bad one would have been cut by the loader */
		if (!rc && s->torn_entries && i + 1 < l->nseg)
			rc = err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": damaged or uncommitted index entry",
				     log_seg_file(l, s, 1), s->idx_end);
		if (!rc)
			rc = check_seg_tail(l, s, i + 1 == l->nseg, st);
		if (!rc && s->sealed) {
			struct seg_summary want = s->sum;
			log_seg_summarize(s);
			if (memcmp(&want, &s->sum, sizeof(want)))
				rc = err_set(EX_CORRUPT, "%s/MANIFEST: summary of segment %" PRIu64
					     " disagrees with its index", l->name, s->base);
		}
		if (s->nent)
			expect = s->ent[s->nent - 1].m.first_offset + s->ent[s->nent - 1].m.count;
		else
			expect = s->base;
		st->blocks += s->nent;
	}
	if (!rc) {
		struct log_scan_stats ss;
		int64_t expire = l->expire_before;
		l->expire_before = INT64_MIN;  /* check verifies expired blocks too */
		rc = log_scan(l, NULL, count_record, NULL, &ss);
		l->expire_before = expire;
		st->records = ss.records;
	}
	if (!rc)
		rc = check_state(l);
	return rc;
}

int log_check_leftovers(struct log *l, const struct log_check_stats *st)
{
	uint64_t bytes = st->torn_bytes + st->orphan_bytes;

	if (!bytes)
		return 0;
	char *p = path_join(l->dir, "LOCK");
	int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(p);
	if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0) {
		close(fd);
		info_("%s: a writer is at work: the bytes after the last commit are its run", l->name);
		return 0;
	}
	/* no writer: what is past the last commit now stays there; measure it
	 * again, since a writer may have committed it since the snapshot */
	size_t dn = strlen(l->dir) - strlen(l->name) - 1;
	char *data_dir = xmalloc(dn + 1);
	struct log *again;
	memcpy(data_dir, l->dir, dn);
	data_dir[dn] = 0;
	if (log_open_read(data_dir, l->name, &again) == 0) {
		bytes = tail_bytes(again) + unlisted_bytes(again, NULL, 0);
		log_close(again);
	} else {
		err_clear();
	}
	free(data_dir);
	if (fd >= 0)
		close(fd);
	if (!bytes)
		return 0;
	return err_set(EX_LEFTOVER, "%s: %" PRIu64 " uncommitted bytes of an interrupted run: nothing committed "
		       "is damaged; the next writer or aggr check --repair removes them", l->name, bytes);
}
