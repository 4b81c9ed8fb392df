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

/* ---- check ---- */

static int check_seg_tail(struct log *l, struct log_seg *s, int last, struct log_check_stats *st)
{
	struct seg_reader r;
	struct buf blk, raw;
	int rc = 0;

	if (last && !s->sealed) {
		for (int idx = 0; idx < 2; idx++) {
			uint64_t torn = idx ? s->idx_size - s->idx_end : s->data_size - s->data_end;
			if (torn)
				info_("%s: %" PRIu64 " bytes of an interrupted run after the last commit "
				      "(the next writer drops them)", log_seg_file(l, s, idx), torn);
			st->torn_bytes += torn;
		}
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
	for (size_t i = 0; i < l->nseg && !rc; i++) {
		struct log_seg *s = &l->seg[i];
		st->segments++;
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
	return rc;
}

/* ---- check --repair: rebuild index files from their segments ---- */

/*
 * Rebuild s's index from the blocks in its data file: hop member to member
 * by the length in each header, keep every block that decodes, stop at a
 * seal, a bad block or the end. Every kept block becomes its own committed
 * run, and its bloom filter is all ones (may hold anything), which is safe.
 * The new index replaces the old one atomically. Returns 0 or an error code.
 */
static int rebuild_index(struct log *l, struct log_seg *s, const struct log_config *cfg, uint64_t *kept)
{
	struct idx_header ih = {IDX_ENTRY_FIXED + cfg->bloom_bytes, cfg->bloom_bytes, cfg->bloom_k, s->base};
	unsigned char hdr[IDX_HDR_LEN], ent[IDX_ENTRY_FIXED + IDX_MAX_BLOOM];
	struct seg_reader r;
	struct buf blk, raw, out;
	struct stat st;
	uint64_t pos = 0, off = s->base;
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	int rc = 0;

	if (fstat(s->data_fd, &st) < 0)
		return err_sys("cannot stat %s", log_seg_file(l, s, 0));
	seg_reader_init(&r);
	buf_init(&blk);
	buf_init(&raw);
	buf_init(&out);
	idx_header_encode(hdr, &ih);
	buf_add(&out, hdr, IDX_HDR_LEN);
	*kept = 0;
	while (pos + SEG_HDR_LEN <= (uint64_t)st.st_size) {
		struct block_meta m;
		const char *why = NULL;
		unsigned char h[SEG_HDR_LEN];
		if (pread_full(s->data_fd, h, SEG_HDR_LEN, (off_t)pos) != SEG_HDR_LEN ||
		    seg_block_header(h, SEG_HDR_LEN, &m, &why) || (m.flags & SEG_BLOCK_SEAL) ||
		    pos + m.block_len > (uint64_t)st.st_size ||
		    (s->gen ? m.first_offset < off : m.first_offset != off))
			break;
		buf_reset(&blk);
		buf_reserve(&blk, m.block_len);
		if (pread_full(s->data_fd, blk.data, m.block_len, (off_t)pos) != (ssize_t)m.block_len ||
		    seg_block_decode(&r, (unsigned char *)blk.data, m.block_len, &raw, &why))
			break;
		struct idx_entry e = {pos, m, NULL};
		/* which compacted blocks have gaps is not in the block: assume all */
		e.m.flags = IDX_COMMIT | (s->gen ? IDX_SPARSE : 0);
		idx_entry_encode(ent, &ih, &e);
		buf_add(&out, ent, ih.entry_size);
		pos += m.block_len;
		off += m.count;
		(*kept)++;
	}
	logf_seg_path(l, s, 1, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_full(fd, out.data, out.len) < 0 || fsync(fd) < 0)
		rc = err_sys("cannot write %s.tmp", log_seg_file(l, s, 1));
	if (fd >= 0)
		close(fd);
	if (!rc && rename(tmp, path) < 0)
		rc = err_sys("cannot replace %s", log_seg_file(l, s, 1));
	if (!rc)
		rc = fsync_dir(l->dir);
	if (rc)
		unlink(tmp);
	seg_reader_free(&r);
	buf_free(&blk);
	buf_free(&raw);
	buf_free(&out);
	return rc;
}

int log_repair_indexes(const char *data_dir, const char *name, const struct log_config *cfg,
		       double wait_secs)
{
	struct log *l = log_new(data_dir, name);
	int rc;

	if ((rc = log_lock(l, wait_secs)) || (rc = log_manifest_read(l)))
		goto out;
	for (size_t i = 0; i < l->nseg && !rc; i++) {
		struct log_seg *s = &l->seg[i];
		char path[PATH_MAX];
		uint64_t kept = 0;
		int bad = 0;
		s->data_fd = s->idx_fd = -1;
		if ((s->data_fd = log_seg_open_data(l, s, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			rc = err_sys("cannot open %s", log_seg_file(l, s, 0));
			break;
		}
		logf_seg_path(l, s, 1, path, sizeof(path));
		s->idx_fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (s->idx_fd < 0) {
			bad = 1;
		} else if (log_seg_load_index(l, s)) {
			err_clear();
			bad = 1;
		} else if (s->sealed && s->torn_entries) {
			bad = 1;
		}
		if (!bad)
			continue;
		if ((rc = rebuild_index(l, s, cfg, &kept)))
			break;
		warnx_("%s: rebuilt the index from %" PRIu64 " good blocks", log_seg_file(l, s, 1), kept);
	}
out:
	log_close(l);
	return rc;
}

