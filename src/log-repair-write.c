/* log-repair-write.c: check --repair reports, keeps the old files in
 * lost/ and writes what replaces them (see log-repair.c) */
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
void rp_say_seg(struct rctx *c, struct rseg *r, uint64_t next_base)
{
	struct log *l = c->l;
	char file[PATH_MAX];

	logf_seg_rel(l, &r->s, 0, file, sizeof(file));

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
			hi = rp_blk_end(b);
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
int rp_lost_keep(struct rctx *c, const char *name)
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

int rp_lost_keep_seg(struct rctx *c, struct rseg *r, int idx)
{
	char path[PATH_MAX];

	logf_seg_path(c->l, &r->s, idx, path, sizeof(path));
	return rp_lost_keep(c, strrchr(path, '/') + 1);
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

int rp_reindex(struct rctx *c, struct rseg *r)
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
int rp_rewrite(struct rctx *c, struct rseg *r, uint64_t seal_next)
{
	struct log *l = c->l;
	struct log_seg ns;
	uint64_t *newpos = xmalloc(sizeof(*newpos) * (r->nb + 1));
	struct buf out;
	size_t k = 0;
	int rc;

	buf_init(&out);
	if ((rc = log_seg_create_files(l, r->s.base, r->new_gen, r->s.sealed ? LOGF_DATA : LOGF_OPEN,
					 r->ih.bloom_bytes, r->ih.bloom_k, &ns)))
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

int rp_truncate(struct rctx *c, struct rseg *r)
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
int rp_filter_state(struct rctx *c, const char *name, int batches)
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
	if (!rc && (bad || gone) && !(rc = rp_lost_keep(c, name)))
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

