#include "segment.h"

#include <libdeflate.h>
#include <string.h>

static void put_payload(unsigned char *p, const struct block_meta *m)
{
	p[0] = 1;
	p[1] = (unsigned char)m->flags;
	put_le16(p + 2, 0);
	put_le32(p + 4, m->block_len);
	put_le32(p + 8, m->raw_len);
	put_le32(p + 12, m->count);
	put_le64(p + 16, m->first_offset);
	put_le64(p + 24, (uint64_t)m->min_key);
	put_le64(p + 32, (uint64_t)m->max_key);
	put_le64(p + 40, (uint64_t)m->ingest_us);
	put_le32(p + 48, crc32_of(p, 48));
}

static void put_header(unsigned char *h, const struct block_meta *m)
{
	static const unsigned char fixed[12] = {
		0x1f, 0x8b, 8, 4 /* FEXTRA */, 0, 0, 0, 0 /* MTIME */, 0 /* XFL */, 255 /* OS */,
		(SEG_PAYLOAD_LEN + 4) & 0xff, (SEG_PAYLOAD_LEN + 4) >> 8
	};
	memcpy(h, fixed, 12);
	h[12] = 'A';
	h[13] = 'G';
	put_le16(h + 14, SEG_PAYLOAD_LEN);
	put_payload(h + 16, m);
}

void seg_writer_init(struct seg_writer *w, int level)
{
	memset(w, 0, sizeof(*w));
	w->level = level;
}

void seg_writer_free(struct seg_writer *w)
{
	libdeflate_free_compressor(w->c);
	w->c = NULL;
}

int seg_block_encode(struct seg_writer *w, const char *raw, struct block_meta *m, struct buf *out, const char **why)
{
	size_t start = out->len;

	if (!w->c && !(w->c = libdeflate_alloc_compressor(w->level)))
		return *why = "cannot allocate a deflate compressor", -1;
	size_t bound = libdeflate_deflate_compress_bound(w->c, m->raw_len);
	buf_reserve(out, SEG_HDR_LEN + bound + SEG_TRAILER_LEN);
	unsigned char *p = (unsigned char *)out->data + start;
	size_t clen;
	/* the seal's empty member keeps the two bytes zlib gives it (one
	 * fixed-Huffman final block), so that it is always 78 bytes
	 * (aggr-format(5)); libdeflate would write a stored block */
	if (!m->raw_len) {
		p[SEG_HDR_LEN] = 0x03;
		p[SEG_HDR_LEN + 1] = 0x00;
		clen = 2;
	} else {
		clen = libdeflate_deflate_compress(w->c, raw, m->raw_len, p + SEG_HDR_LEN, bound);
	}
	if (!clen)
		return *why = "deflate failed", -1;
	put_le32(p + SEG_HDR_LEN + clen, crc32_of(raw, m->raw_len));
	put_le32(p + SEG_HDR_LEN + clen + 4, m->raw_len);
	m->block_len = (uint32_t)(SEG_HDR_LEN + clen + SEG_TRAILER_LEN);
	put_header(p, m);
	out->len = start + m->block_len;
	out->data[out->len] = 0;
	return 0;
}

int seg_block_header(const unsigned char *p, size_t n, struct block_meta *m, const char **why)
{
	if (n < SEG_HDR_LEN) {
		*why = "block header truncated";
		return -1;
	}
	if (p[0] != 0x1f || p[1] != 0x8b || p[2] != 8) {
		*why = "not a gzip member";
		return -1;
	}
	/* MTIME, XFL and OS are fixed, and outside the header CRC: check them */
	if (p[3] != 4 || get_le32(p + 4) != 0 || p[8] != 0 || p[9] != 255 ||
	    get_le16(p + 10) != SEG_PAYLOAD_LEN + 4 || p[12] != 'A' || p[13] != 'G' ||
	    get_le16(p + 14) != SEG_PAYLOAD_LEN) {
		*why = "gzip member without an aggr block header";
		return -1;
	}
	const unsigned char *q = p + 16;
	if (get_le32(q + 48) != crc32_of(q, 48)) {
		*why = "block header CRC mismatch";
		return -1;
	}
	if (q[0] != 1) {
		*why = "unknown block header version";
		return -1;
	}
	m->flags = q[1];
	m->block_len = get_le32(q + 4);
	m->raw_len = get_le32(q + 8);
	m->count = get_le32(q + 12);
	m->first_offset = get_le64(q + 16);
	m->min_key = (int64_t)get_le64(q + 24);
	m->max_key = (int64_t)get_le64(q + 32);
	m->ingest_us = (int64_t)get_le64(q + 40);
	if (m->block_len < SEG_HDR_LEN + 2 + SEG_TRAILER_LEN || m->block_len > SEG_MAX_BLOCK ||
	    m->raw_len > SEG_MAX_BLOCK) {
		*why = "block length out of range";
		return -1;
	}
	return 0;
}

void seg_reader_init(struct seg_reader *r) { memset(r, 0, sizeof(*r)); }

void seg_reader_free(struct seg_reader *r)
{
	libdeflate_free_decompressor(r->d);
	r->d = NULL;
}

int seg_block_decode(struct seg_reader *r, const unsigned char *blk, size_t n, struct buf *raw, const char **why)
{
	struct block_meta m;
	size_t used, got;

	if (seg_block_header(blk, n, &m, why))
		return -1;
	if (m.block_len != n) {
		*why = "block length disagrees with the index";
		return -1;
	}
	if (!r->d && !(r->d = libdeflate_alloc_decompressor())) {
		*why = "cannot allocate a deflate decompressor";
		return -1;
	}
	buf_reset(raw);
	buf_reserve(raw, m.raw_len);
	/* one spare byte of room tells a stream longer than raw_len */
	enum libdeflate_result lr = libdeflate_deflate_decompress_ex(
		r->d, blk + SEG_HDR_LEN, n - SEG_HDR_LEN - SEG_TRAILER_LEN, raw->data, (size_t)m.raw_len + 1, &used, &got);
	if (lr != LIBDEFLATE_SUCCESS) {
		*why = lr == LIBDEFLATE_BAD_DATA ? "deflate data damaged" : "deflate data truncated or too long";
		return -1;
	}
	if (used != n - SEG_HDR_LEN - SEG_TRAILER_LEN) {
		*why = "data after the deflate stream";
		return -1;
	}
	const unsigned char *t = blk + n - SEG_TRAILER_LEN;
	if (got != m.raw_len || get_le32(t + 4) != m.raw_len) {
		*why = "decompressed length mismatch";
		return -1;
	}
	if (get_le32(t) != crc32_of(raw->data, got)) {
		*why = "data CRC mismatch";
		return -1;
	}
	raw->len = got;
	raw->data[got] = 0;
	return 0;
}
