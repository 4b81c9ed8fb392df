/* mkseed.c: binary seeds for the block and index corpora (mkcorpus.sh)
 *
 * fuzz-mkseed split OUTDIR SEGMENT...  one file per gzip member of each
 *     segment, hopping by the block length in each header: OUTDIR/B-POS.blk
 * fuzz-mkseed blocks OUTDIR           synthetic blocks: empty, seal, one line,
 *     binary bytes, levels 1 and 9, and a few damaged on purpose
 * fuzz-mkseed index OUTDIR            index files with bloom filters (the
 *     geometry of sessions and streams), header only, torn tail
 */
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include "index.h"
#include "segment.h"

static const char *why_enc;  /* seg_block_encode's reason, unused: the checks are on its status */

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static int split(const char *out, const char *seg)
{
	struct buf b;
	const char *base = strrchr(seg, '/') ? strrchr(seg, '/') + 1 : seg;
	char name[512];

	buf_init(&b);
	if (read_file(seg, &b, 64u << 20) < 0) {
		perror(seg);
		return 1;
	}
	size_t pos = 0;
	while (pos + SEG_HDR_LEN <= b.len) {
		struct block_meta m;
		const char *why;
		if (seg_block_header((unsigned char *)b.data + pos, b.len - pos, &m, &why) ||
		    m.block_len > b.len - pos) {
			fprintf(stderr, "%s: offset %zu: %s\n", seg, pos, why);
			break;
		}
		snprintf(name, sizeof(name), "%.20s-%zu.blk", base, pos);
		write_file(out, name, b.data + pos, m.block_len);
		pos += m.block_len;
	}
	buf_free(&b);
	return 0;
}

static void block(const char *out, const char *name, int level, const char *raw, size_t n,
		  uint32_t count, uint32_t flags, int damage)
{
	struct seg_writer w;
	struct block_meta m;
	struct buf b;

	memset(&m, 0, sizeof(m));
	m.raw_len = (uint32_t)n;
	m.count = count;
	m.flags = flags;
	m.first_offset = 42;
	m.min_key = 1;
	m.max_key = 2;
	m.ingest_us = INT64_C(1642284000000000);
	seg_writer_init(&w, level);
	buf_init(&b);
	if (seg_block_encode(&w, raw, &m, &b, &why_enc)) {
		fprintf(stderr, "encode failed\n");
		exit(1);
	}
	if (damage == 1)          /* a flipped bit in the deflate data */
		b.data[SEG_HDR_LEN + 1] ^= 0x10;
	else if (damage == 2)     /* a wrong data CRC */
		b.data[b.len - 8] ^= 1;
	else if (damage == 3)     /* truncated by one byte */
		b.len--;
	write_file(out, name, b.data, b.len);
	seg_writer_free(&w);
	buf_free(&b);
}

static int make_blocks(const char *out)
{
	static const char lines[] =
		"{\"src_app\":\"foo\",\"dest_app\":\"bar\",\"vpc_id\":\"vpc-0\",\"hour\":1,\"bytes_tx\":100,\"bytes_rx\":300}\n"
		"{\"src_app\":\"baz\",\"dest_app\":\"qux\",\"vpc_id\":\"vpc-1\",\"hour\":2,\"bytes_tx\":100,\"bytes_rx\":500}\n";
	unsigned char bin[256];

	for (int i = 0; i < 256; i++)
		bin[i] = (unsigned char)i;
	block(out, "synth-empty.blk", 6, "", 0, 0, 0, 0);
	block(out, "synth-seal.blk", 6, "", 0, 0, SEG_BLOCK_SEAL, 0);
	block(out, "synth-two-lines-l1.blk", 1, lines, sizeof(lines) - 1, 2, 0, 0);
	block(out, "synth-two-lines-l9.blk", 9, lines, sizeof(lines) - 1, 2, 0, 0);
	block(out, "synth-binary.blk", 6, (const char *)bin, sizeof(bin), 1, 0, 0);
	block(out, "bad-deflate-bit.blk", 6, lines, sizeof(lines) - 1, 2, 0, 1);
	block(out, "bad-data-crc.blk", 6, lines, sizeof(lines) - 1, 2, 0, 2);
	block(out, "bad-truncated.blk", 6, lines, sizeof(lines) - 1, 2, 0, 3);
	return 0;
}

static void index_file(const char *out, const char *name, uint32_t bloom_bytes, uint32_t k,
		       int entries, int torn)
{
	struct idx_header h = {IDX_ENTRY_FIXED + bloom_bytes, bloom_bytes, k, 100};
	unsigned char buf[IDX_HDR_LEN + 4 * (IDX_ENTRY_FIXED + 256)];
	unsigned char bloom[256];
	size_t n = IDX_HDR_LEN;
	uint64_t pos = 0, off = 100;

	idx_header_encode(buf, &h);
	for (int i = 0; i < entries; i++) {
		struct idx_entry e;
		char key[32];
		memset(&e, 0, sizeof(e));
		memset(bloom, 0, sizeof(bloom));
		for (int j = 0; j < 3; j++) {
			int kn = snprintf(key, sizeof(key), "user-%d-%d", i, j);
			bloom_add(bloom, bloom_bytes, k, key, (size_t)kn);
		}
		e.pos = pos;
		e.m.block_len = 200 + 10 * (uint32_t)i;
		e.m.raw_len = 900;
		e.m.first_offset = off;
		e.m.count = 5;
		e.m.flags = i + 1 == entries ? IDX_COMMIT : 0;
		e.m.min_key = 1000 * i;
		e.m.max_key = 1000 * i + 999;
		e.m.ingest_us = INT64_C(1642284000000000);
		e.bloom = bloom_bytes ? bloom : NULL;
		idx_entry_encode(buf + n, &h, &e);
		n += h.entry_size;
		pos += e.m.block_len;
		off += e.m.count;
	}
	if (torn)
		n -= (size_t)torn;
	write_file(out, name, buf, n);
}

static int make_index(const char *out)
{
	index_file(out, "synth-header-only.idx", 0, 0, 0, 0);
	index_file(out, "synth-bloom32-k4.idx", 32, 4, 3, 0);
	index_file(out, "synth-bloom64-k7.idx", 64, 7, 2, 0);
	index_file(out, "synth-bloom256-k16.idx", 256, 16, 1, 0);
	index_file(out, "synth-bloom8-k1-torn.idx", 8, 1, 3, 5);
	index_file(out, "synth-nobloom-torn.idx", 0, 0, 3, 20);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "split")) {
		int rc = 0;
		for (int i = 3; i < argc; i++)
			rc |= split(argv[2], argv[i]);
		return rc;
	}
	if (argc == 3 && !strcmp(argv[1], "blocks"))
		return make_blocks(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "index"))
		return make_index(argv[2]);
	fprintf(stderr, "usage: fuzz-mkseed split OUTDIR SEGMENT... | blocks OUTDIR | index OUTDIR\n");
	return 2;
}
