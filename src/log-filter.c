/* log-filter.c: per-segment filter files and the lazy loading of indexes
 *
 * A sealed segment's filter file holds its index's block bloom filters
 * transposed: slice j is a bitmap over the segment's blocks, bit b set when
 * block b's bloom filter has bit j. A key's k probe bits name k slices; the
 * AND of them is exactly the set of blocks whose bloom filter may hold the
 * key. So a point lookup reads k x nblocks/8 bytes per segment instead of
 * nblocks x bloom bytes, gets the same answer as the index would give
 * (no false positive more, none fewer), and opens the index only of the
 * segments with a candidate, reading only the candidates' entries.
 *
 * The file is derived from the index alone (no record is read), so a
 * writer builds it when it seals a segment, before the MANIFEST that names
 * it, and check --repair rebuilds it from the index. Format: aggr-format(5),
 * FILTER FILES.
 */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define FLT_HDR_LEN 64
#define FLT_MAGIC "AGGRFLT1"

static void flt_name(const struct log *l, const struct log_seg *s, char *out, size_t n)
{
	logf_seg_rel(l, s, 2, out, n);
}

static uint32_t slice_crc(uint32_t j, const unsigned char *p, size_t n)
{
	unsigned char no[4];
	put_le32(no, j);
	uLong c = crc32(0L, no, 4);
	return (uint32_t)crc32(c, p, (uInt)n);
}

static void flt_header_encode(unsigned char *p, const struct flt_header *h)
{
	memset(p, 0, FLT_HDR_LEN);
	memcpy(p, FLT_MAGIC, 8);
	put_le32(p + 8, 1);
	put_le32(p + 12, h->bloom_bytes);
	put_le32(p + 16, h->bloom_k);
	put_le32(p + 20, h->nblocks);
	put_le64(p + 24, h->base);
	put_le32(p + 32, h->gen);
	put_le32(p + 36, h->slice_len);
	put_le32(p + 60, crc32_of(p, 60));
}

static int flt_header_decode(const unsigned char *p, struct flt_header *h)
{
	if (memcmp(p, FLT_MAGIC, 8) || get_le32(p + 8) != 1 || get_le32(p + 60) != crc32_of(p, 60))
		return -1;
	h->bloom_bytes = get_le32(p + 12);
	h->bloom_k = get_le32(p + 16);
	h->nblocks = get_le32(p + 20);
	h->base = get_le64(p + 24);
	h->gen = get_le32(p + 32);
	h->slice_len = get_le32(p + 36);
	if (!h->bloom_bytes || h->bloom_bytes > IDX_MAX_BLOOM || !h->bloom_k || h->bloom_k > 16 ||
	    h->slice_len != (h->nblocks + 7) / 8)
		return -1;
	return 0;
}

/* Read s's index header and its first sum.blocks entries from the file
 * (whatever is loaded): into *ih and raw. Returns 0 or an error code. */
static int read_index(struct log *l, struct log_seg *s, struct idx_header *ih, struct buf *raw)
{
	char path[PATH_MAX];
	unsigned char hdr[IDX_HDR_LEN];
	int rc = 0;

	logf_seg_path(l, s, 1, path, sizeof(path));
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys("cannot open %s", log_seg_file(l, s, 1));
	if (pread_full(fd, hdr, IDX_HDR_LEN, 0) != IDX_HDR_LEN || idx_header_decode(hdr, ih) ||
	    ih->base_offset != s->base) {
		rc = err_set(EX_CORRUPT, "%s: offset 0: bad index header", log_seg_file(l, s, 1));
	} else if (raw) {
		size_t n = (size_t)s->sum.blocks * ih->entry_size;
		buf_reset(raw);
		buf_reserve(raw, n + 1);
		ssize_t got = pread_full(fd, raw->data, n, IDX_HDR_LEN);
		if (got < 0)
			rc = err_sys("cannot read %s", log_seg_file(l, s, 1));
		else if ((size_t)got != n)
			rc = err_set(EX_CORRUPT, "%s: shorter than its MANIFEST line says", log_seg_file(l, s, 1));
		else
			raw->len = n;
	}
	close(fd);
	return rc;
}

int log_filter_wanted(struct log *l, struct log_seg *s)
{
	struct idx_header ih;

	if (!s->sealed || !s->sum.blocks || s->sum.blocks > UINT32_MAX)
		return 0;
	if (s->ih.entry_size)
		return s->ih.bloom_bytes > 0;
	if (read_index(l, s, &ih, NULL)) {
		err_clear();  /* no filter then: the index's damage is check's to report */
		return 0;
	}
	return ih.bloom_bytes > 0;
}

/* The whole filter file of s, built from its index file, into out.
 * Returns 0 or an error code. */
static int filter_build(struct log *l, struct log_seg *s, struct buf *out)
{
	struct idx_header ih;
	struct buf raw;
	int rc;

	buf_init(&raw);
	if ((rc = read_index(l, s, &ih, &raw))) {
		buf_free(&raw);
		return rc;
	}
	struct flt_header h = {ih.bloom_bytes, ih.bloom_k, (uint32_t)s->sum.blocks,
			       (uint32_t)((s->sum.blocks + 7) / 8), s->base, s->gen};
	size_t nbits = (size_t)ih.bloom_bytes * 8, stride = (size_t)h.slice_len + 4;
	size_t total = FLT_HDR_LEN + nbits * stride;
	buf_reset(out);
	buf_reserve(out, total);
	memset(out->data, 0, total);
	out->len = total;
	unsigned char *p = (unsigned char *)out->data;
	flt_header_encode(p, &h);
	unsigned char *sl = p + FLT_HDR_LEN;
	for (uint32_t b = 0; b < h.nblocks && !rc; b++) {
		struct idx_entry e;
		if (idx_entry_decode((unsigned char *)raw.data + (size_t)b * ih.entry_size, &ih, &e)) {
			rc = err_set(EX_CORRUPT, "%s: offset %zu: damaged index entry", log_seg_file(l, s, 1),
				     IDX_HDR_LEN + (size_t)b * ih.entry_size);
			break;
		}
		unsigned char bb = (unsigned char)(1u << (b % 8));
		for (size_t j = 0; j < ih.bloom_bytes; j++) {
			unsigned v = e.bloom[j];
			for (unsigned t = 0; v; t++, v >>= 1)
				if (v & 1)
					sl[(j * 8 + t) * stride + b / 8] |= bb;
		}
	}
	for (size_t j = 0; j < nbits && !rc; j++)
		put_le32(sl + j * stride + h.slice_len, slice_crc((uint32_t)j, sl + j * stride, h.slice_len));
	buf_free(&raw);
	return rc;
}

int log_filter_write(struct log *l, struct log_seg *s)
{
	char name[PATH_MAX], *slash;
	struct buf b;
	int rc;

	buf_init(&b);
	if (!(rc = filter_build(l, s, &b))) {
		logf_seg_rel(l, s, 2, name, sizeof(name));
		slash = strrchr(name, '/');
		rc = atomic_replace(l->dir, slash ? slash + 1 : name, b.data, b.len);
	}
	buf_free(&b);
	return rc;
}

int log_filter_check(struct log *l, struct log_seg *s)
{
	char path[PATH_MAX], name[PATH_MAX];
	struct buf want, have;
	int rc;

	buf_init(&want);
	buf_init(&have);
	flt_name(l, s, name, sizeof(name));
	logf_seg_path(l, s, 2, path, sizeof(path));
	if (!(rc = filter_build(l, s, &want))) {
		if (read_file(path, &have, (size_t)1 << 31) < 0)
			rc = errno == ENOENT ? err_set(EX_CORRUPT, "%s: missing, but named in the MANIFEST "
						       "(aggr check --repair rebuilds it)", name)
					     : err_sys("cannot read %s", name);
		else if (have.len != want.len || memcmp(have.data, want.data, want.len))
			rc = err_set(EX_CORRUPT, "%s: does not match its index (aggr check --repair rebuilds it)",
				     name);
	}
	buf_free(&want);
	buf_free(&have);
	return rc;
}

/* Read and verify s's filter header (once). */
static int filter_header(struct log *l, struct log_seg *s)
{
	unsigned char p[FLT_HDR_LEN];
	char name[PATH_MAX];
	struct flt_header h;
	struct stat st;

	if (s->fh)
		return 0;
	flt_name(l, s, name, sizeof(name));
	if (!s->flt_open)
		return err_set(EX_CORRUPT, "%s: missing, but named in the MANIFEST "
			       "(aggr check --repair rebuilds it)", name);
	ssize_t got = pread_full(s->flt_fd, p, FLT_HDR_LEN, 0);
	if (got < 0 || fstat(s->flt_fd, &st) < 0)
		return err_sys("cannot read %s", name);
	if (got != FLT_HDR_LEN || flt_header_decode(p, &h))
		return err_set(EX_CORRUPT, "%s: offset 0: bad filter header (aggr check --repair rebuilds it)", name);
	if (h.base != s->base || h.gen != s->gen || h.nblocks != s->sum.blocks ||
	    (uint64_t)st.st_size != FLT_HDR_LEN + (uint64_t)h.bloom_bytes * 8 * (h.slice_len + 4))
		return err_set(EX_CORRUPT, "%s: does not match its MANIFEST line (aggr check --repair rebuilds it)",
			       name);
	s->fh = xmalloc(sizeof(*s->fh));
	*s->fh = h;
	return 0;
}

int log_filter_candidates(struct log *l, struct log_seg *s, unsigned char **cand, int *any)
{
	char name[PATH_MAX];
	int rc;

	*any = 0;
	*cand = NULL;
	if ((rc = filter_header(l, s)))
		return rc;
	const struct flt_header *h = s->fh;
	size_t n = h->slice_len;
	unsigned char *acc = xmalloc(n + 4), *sl = xmalloc(n + 4), *out = xcalloc(1, n + 1);
	const unsigned char *k = (const unsigned char *)l->want_keys.data;
	for (size_t w = 0; w < l->nwant && !rc; w++) {
		uint32_t kn = get_le32(k);
		uint64_t bit[16];
		bloom_bits(h->bloom_bytes, h->bloom_k, k + 4, kn, bit);
		k += 4 + kn;
		memset(acc, 0xff, n);
		for (unsigned i = 0; i < h->bloom_k && !rc; i++) {
			off_t at = (off_t)(FLT_HDR_LEN + bit[i] * (n + 4));
			ssize_t got = pread_full(s->flt_fd, sl, n + 4, at);
			flt_name(l, s, name, sizeof(name));
			if (got < 0)
				rc = err_sys("cannot read %s", name);
			else if ((size_t)got != n + 4 || get_le32(sl + n) != slice_crc((uint32_t)bit[i], sl, n))
				rc = err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": damaged filter slice "
					     "(aggr check --repair rebuilds it)", name, (uint64_t)at);
			for (size_t j = 0; j < n && !rc; j++)
				acc[j] &= sl[j];
		}
		for (size_t j = 0; j < n && !rc; j++)
			out[j] |= acc[j];
	}
	free(acc);
	free(sl);
	if (rc) {
		free(out);
		return rc;
	}
	for (size_t j = 0; j < n; j++)
		*any |= out[j] != 0;
	*cand = out;
	return 0;
}

int log_seg_ensure(struct log *l, struct log_seg *s)
{
	if (!s->lazy || s->ent)
		return 0;
	return log_seg_load_index(l, s);
}

void log_seg_release(struct log_seg *s)
{
	if (!s->lazy)
		return;
	free(s->idx_raw);
	free(s->ent);
	s->idx_raw = NULL;
	s->ent = NULL;
	s->nent = 0;
}

/* ---- what a reader wants ---- */

void log_want_key(struct log *l, const void *p, size_t n)
{
	unsigned char len[4];

	if (!p) {
		buf_reset(&l->want_keys);
		l->nwant = 0;
		return;
	}
	put_le32(len, (uint32_t)n);
	buf_add(&l->want_keys, (const char *)len, 4);
	buf_add(&l->want_keys, p, n);
	l->nwant++;
}

void log_want_range(struct log *l, int64_t min_key, int64_t max_key)
{
	l->want_range = min_key <= max_key;
	l->want_min = min_key;
	l->want_max = max_key;
}
