/* test-segment.c: blocks as gzip members with an 'AG' FEXTRA header */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "segment.h"
#include "unit.h"

static const char *why_enc;  /* seg_block_encode's reason, unused: the checks are on its status */

/* Equal byte strings; either pointer may be NULL when its length is 0. */
static int same(const void *a, size_t an, const void *b, size_t bn)
{
	return an == bn && (an == 0 || !memcmp(a, b, an));
}

static struct seg_writer zw;
static struct seg_reader zr;
static char tmpdir[] = "/tmp/aggr-unit-seg-XXXXXX";

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* JSON lines, at least n bytes of them. */
static void make_lines(struct buf *raw, size_t n)
{
	static const char *apps[] = {"foo", "bar", "baz", "qux", "web", "db"};
	buf_reset(raw);
	for (uint32_t i = 0; raw->len < n; i++)
		buf_addf(raw, "{\"src_app\":\"%s\",\"dest_app\":\"%s\",\"vpc_id\":\"vpc-%u\",\"hour\":%u,"
			 "\"bytes_tx\":%u,\"bytes_rx\":%u}\n", apps[rnd() % 6], apps[rnd() % 6], rnd() % 100,
			 i % 24, rnd(), rnd() % 1000);
}

static struct block_meta meta(const struct buf *raw, uint32_t count)
{
	struct block_meta m;

	memset(&m, 0, sizeof(m));
	m.raw_len = (uint32_t)raw->len;
	m.count = count;
	m.first_offset = UINT64_C(1) << 40 | 17;
	m.min_key = -5;
	m.max_key = INT64_C(1642284000);
	m.ingest_us = INT64_C(1700000000123456);
	return m;
}

static int meta_eq(const struct block_meta *a, const struct block_meta *b)
{
	return a->flags == b->flags && a->block_len == b->block_len && a->raw_len == b->raw_len &&
	       a->count == b->count && a->first_offset == b->first_offset && a->min_key == b->min_key &&
	       a->max_key == b->max_key && a->ingest_us == b->ingest_us;
}

/* Encode raw, check the header and decode it back. */
static void round_trip(const struct buf *raw, uint32_t count, uint32_t flags)
{
	struct buf out, back;
	struct block_meta m = meta(raw, count), h;
	const char *why = NULL;

	buf_init(&out);
	buf_init(&back);
	buf_adds(&out, "prefix");  /* encode appends */
	m.flags = flags;
	CHECK(seg_block_encode(&zw, raw->data, &m, &out, &why_enc) == 0);
	CHECK(out.len == 6 + m.block_len && !memcmp(out.data, "prefix", 6));
	const unsigned char *p = (const unsigned char *)out.data + 6;
	CHECK(m.block_len >= SEG_HDR_LEN + SEG_TRAILER_LEN + 2);
	CHECK(seg_block_header(p, m.block_len, &h, &why) == 0 && meta_eq(&h, &m));
	CHECK(seg_block_decode(&zr, p, m.block_len, &back, &why) == 0);
	CHECK(same(back.data, back.len, raw->data, raw->len) && back.data && back.data[back.len] == 0);
	/* the framing aggr-format(5) documents */
	CHECK(p[0] == 0x1f && p[1] == 0x8b && p[2] == 8 && p[3] == 4 && get_le32(p + 4) == 0 &&
	      p[8] == 0 && p[9] == 255 && get_le16(p + 10) == 56 && p[12] == 'A' && p[13] == 'G' &&
	      get_le16(p + 14) == 52 && p[16] == 1 && p[17] == flags && get_le16(p + 18) == 0);
	CHECK(get_le32(p + 16 + 48) == crc32_of(p + 16, 48));
	CHECK(get_le32(p + m.block_len - 8) == crc32_of(raw->data, raw->len) &&
	      get_le32(p + m.block_len - 4) == raw->len);
	buf_free(&out);
	buf_free(&back);
}

static int decode_fails(const unsigned char *p, size_t n, const char **why)
{
	struct buf back;
	int rc;

	buf_init(&back);
	*why = NULL;
	rc = seg_block_decode(&zr, p, n, &back, why);
	buf_free(&back);
	return rc == -1 && *why && **why;
}

/* Flip every byte of [from, to) in turn; count flips decode does not notice. */
static int undetected_flips(unsigned char *p, size_t n, size_t from, size_t to)
{
	int missed = 0;
	const char *why;

	for (size_t i = from; i < to; i++) {
		p[i] ^= 0xff;
		if (!decode_fails(p, n, &why)) {
			if (!missed)
				printf("# flipped byte %zu of %zu not detected\n", i, n);
			missed++;
		}
		p[i] ^= 0xff;
	}
	return missed;
}

static void test_damage(void)
{
	struct buf raw, out, back;
	struct block_meta m, h;
	const char *why;

	buf_init(&raw);
	buf_init(&out);
	buf_init(&back);
	make_lines(&raw, 3000);
	m = meta(&raw, 1);
	CHECK(seg_block_encode(&zw, raw.data, &m, &out, &why_enc) == 0);
	unsigned char *p = (unsigned char *)out.data;
	size_t n = m.block_len;

	/* the gzip magic, method, flags, XLEN, subfield id/length, payload and
	 * its CRC. Bytes 4..9 (MTIME, XFL, OS) are not checked: see the report. */
	CHECK(undetected_flips(p, n, 0, 4) == 0);
	CHECK(undetected_flips(p, n, 10, SEG_HDR_LEN) == 0);
	CHECK(undetected_flips(p, n, SEG_HDR_LEN, n - SEG_TRAILER_LEN) == 0);
	CHECK(undetected_flips(p, n, n - SEG_TRAILER_LEN, n) == 0);
	/* and the block is intact again */
	CHECK(seg_block_decode(&zr, p, n, &back, &why) == 0 && back.len == raw.len);

	/* specific reasons */
	p[0] ^= 1;
	CHECK(decode_fails(p, n, &why) && strstr(why, "not a gzip member"));
	p[0] ^= 1;
	p[12] = 'X';
	CHECK(decode_fails(p, n, &why) && strstr(why, "without an aggr block header"));
	p[12] = 'A';
	p[16 + 12] ^= 4;  /* record count */
	CHECK(decode_fails(p, n, &why) && strstr(why, "header CRC mismatch"));
	p[16 + 12] ^= 4;
	p[n - 8] ^= 0x10;
	CHECK(decode_fails(p, n, &why) && strstr(why, "data CRC mismatch"));
	p[n - 8] ^= 0x10;
	p[n - 2] ^= 1;
	CHECK(decode_fails(p, n, &why) && strstr(why, "length mismatch"));
	p[n - 2] ^= 1;
	{
		unsigned char b0 = p[SEG_HDR_LEN];
		p[SEG_HDR_LEN] |= 0x06;  /* BTYPE 11: reserved */
		CHECK(decode_fails(p, n, &why) && strstr(why, "deflate data damaged"));
		p[SEG_HDR_LEN] = b0;
	}
	CHECK(seg_block_header(p, SEG_HDR_LEN - 1, &h, &why) == -1 && strstr(why, "truncated"));

	/* truncated blocks, and one with a byte too many */
	CHECK(decode_fails(p, n - 1, &why) && strstr(why, "block length"));
	CHECK(decode_fails(p, n - SEG_TRAILER_LEN, &why));
	CHECK(decode_fails(p, SEG_HDR_LEN + 1, &why));
	CHECK(decode_fails(p, 10, &why) && strstr(why, "truncated"));
	CHECK(decode_fails(p, 0, &why));
	{
		unsigned char *big = malloc(n + 1);
		memcpy(big, p, n);
		big[n] = 0;
		CHECK(decode_fails(big, n + 1, &why) && strstr(why, "block length"));
		free(big);
	}
	/* a member cut short inside its deflate data, header made consistent */
	{
		size_t cut = 40, k = n - cut;
		unsigned char *t = malloc(k);
		memcpy(t, p, k - SEG_TRAILER_LEN);
		memcpy(t + k - SEG_TRAILER_LEN, p + n - SEG_TRAILER_LEN, SEG_TRAILER_LEN);
		put_le32(t + 16 + 4, (uint32_t)k);
		put_le32(t + 16 + 48, crc32_of(t + 16, 48));
		CHECK(seg_block_header(t, k, &h, &why) == 0 && h.block_len == k);
		CHECK(decode_fails(t, k, &why) && strstr(why, "deflate"));
		free(t);
	}
	/* bytes between the end of the deflate stream and the trailer */
	{
		size_t k = n + 3;
		unsigned char *t = malloc(k);
		memcpy(t, p, n - SEG_TRAILER_LEN);
		memset(t + n - SEG_TRAILER_LEN, 0, 3);
		memcpy(t + k - SEG_TRAILER_LEN, p + n - SEG_TRAILER_LEN, SEG_TRAILER_LEN);
		put_le32(t + 16 + 4, (uint32_t)k);
		put_le32(t + 16 + 48, crc32_of(t + 16, 48));
		CHECK(decode_fails(t, k, &why) && strstr(why, "after the deflate stream"));
		free(t);
	}
	/* raw_len in the header larger or smaller than the data */
	{
		unsigned char *t = malloc(n);
		memcpy(t, p, n);
		put_le32(t + 16 + 8, (uint32_t)raw.len + 1);
		put_le32(t + 16 + 48, crc32_of(t + 16, 48));
		CHECK(decode_fails(t, n, &why));
		put_le32(t + 16 + 8, (uint32_t)raw.len - 1);
		put_le32(t + 16 + 48, crc32_of(t + 16, 48));
		CHECK(decode_fails(t, n, &why));
		free(t);
	}
	/* the reader is reusable after failures */
	CHECK(seg_block_decode(&zr, p, n, &back, &why) == 0 && back.len == raw.len &&
	      !memcmp(back.data, raw.data, raw.len));
	buf_free(&raw);
	buf_free(&out);
	buf_free(&back);
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int file_equals(const char *path, const void *p, size_t n)
{
	struct buf b;
	int eq;

	buf_init(&b);
	eq = read_file(path, &b, 1u << 26) == 0 && b.len == n && !memcmp(b.data, p, n);
	buf_free(&b);
	return eq;
}

/* Multi-member inflate as zcat does it: on Z_STREAM_END start over. */
static int gunzip_all(const unsigned char *p, size_t n, struct buf *out, int *members, int *extra_ok)
{
	z_stream zs;
	gz_header gh;
	unsigned char extra[128];
	int rc = 0;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + 15) != Z_OK)
		return -1;
	*members = 0;
	*extra_ok = 1;
	zs.next_in = (Bytef *)p;
	zs.avail_in = (uInt)n;
	buf_reset(out);
	while (zs.avail_in > 0) {
		memset(&gh, 0, sizeof(gh));
		gh.extra = extra;
		gh.extra_max = sizeof(extra);
		inflateGetHeader(&zs, &gh);
		do {
			buf_reserve(out, 65536);
			zs.next_out = (Bytef *)out->data + out->len;
			zs.avail_out = 65536;
			rc = inflate(&zs, Z_NO_FLUSH);
			out->len = (size_t)((char *)zs.next_out - out->data);
		} while (rc == Z_OK);
		if (rc != Z_STREAM_END) {
			rc = -1;
			break;
		}
		(*members)++;
		if (!gh.extra || gh.extra_len != 56 || extra[0] != 'A' || extra[1] != 'G' ||
		    get_le16(extra + 2) != 52 || get_le32(extra + 4 + 48) != crc32_of(extra + 4, 48))
			*extra_ok = 0;
		rc = 0;
		if (zs.avail_in)
			inflateReset(&zs);
	}
	inflateEnd(&zs);
	return rc;
}

static void test_gzip(void)
{
	struct buf raw1, raw2, out, both, got;
	struct block_meta m1, m2, m0;
	char path[128], cmd[512], dpath[128];
	int members = 0, extra_ok = 0;

	buf_init(&raw1);
	buf_init(&raw2);
	buf_init(&out);
	buf_init(&both);
	buf_init(&got);
	make_lines(&raw1, 200000);
	buf_adds(&raw2, "{\"a\":\"\xc3\xa9\"}\n{\"b\":2}\n");
	m1 = meta(&raw1, 7);
	m2 = meta(&raw2, 2);
	CHECK(seg_block_encode(&zw, raw1.data, &m1, &out, &why_enc) == 0);
	CHECK(seg_block_encode(&zw, raw2.data, &m2, &out, &why_enc) == 0);
	memset(&m0, 0, sizeof(m0));
	m0.flags = SEG_BLOCK_SEAL;
	CHECK(seg_block_encode(&zw, "", &m0, &out, &why_enc) == 0);
	CHECK(out.len == (size_t)m1.block_len + m2.block_len + m0.block_len);
	buf_add(&both, raw1.data, raw1.len);
	buf_add(&both, raw2.data, raw2.len);

	/* one member */
	snprintf(path, sizeof(path), "%s/one.gz", tmpdir);
	snprintf(dpath, sizeof(dpath), "%s/one.out", tmpdir);
	CHECK(write_file(path, out.data, m1.block_len) == 0);
	snprintf(cmd, sizeof(cmd), "gzip -t '%s' 2>/dev/null", path);
	CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s' > '%s'", path, dpath);
	CHECK(system(cmd) == 0 && file_equals(dpath, raw1.data, raw1.len));

	/* three members: two blocks and a seal */
	snprintf(path, sizeof(path), "%s/all.gz", tmpdir);
	snprintf(dpath, sizeof(dpath), "%s/all.out", tmpdir);
	CHECK(write_file(path, out.data, out.len) == 0);
	snprintf(cmd, sizeof(cmd), "gzip -t '%s' 2>/dev/null", path);
	CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s' > '%s'", path, dpath);
	CHECK(system(cmd) == 0 && file_equals(dpath, both.data, both.len));

	/* gzip -t notices damage: the test above can fail */
	out.data[m1.block_len / 2] ^= 0x55;
	snprintf(path, sizeof(path), "%s/bad.gz", tmpdir);
	CHECK(write_file(path, out.data, out.len) == 0);
	snprintf(cmd, sizeof(cmd), "gzip -t '%s' 2>/dev/null", path);
	CHECK(system(cmd) != 0);
	out.data[m1.block_len / 2] ^= 0x55;

	/* zlib, gzip mode, one member after another */
	CHECK(gunzip_all((unsigned char *)out.data, (size_t)m1.block_len + m2.block_len, &got,
			 &members, &extra_ok) == 0);
	CHECK(members == 2 && extra_ok);
	CHECK(same(got.data, got.len, both.data, both.len));
	CHECK(gunzip_all((unsigned char *)out.data, out.len, &got, &members, &extra_ok) == 0 &&
	      members == 3 && extra_ok && got.len == both.len);
	/* ... and it finds the blocks' own headers one after another */
	{
		const unsigned char *p = (const unsigned char *)out.data;
		struct block_meta h;
		const char *why;
		size_t at = 0;
		int k = 0, ok = 1;
		while (at < out.len && ok) {
			ok = seg_block_header(p + at, out.len - at, &h, &why) == 0;
			if (ok) {
				k++;
				at += h.block_len;
			}
		}
		CHECK(ok && k == 3 && at == out.len);
		CHECK(seg_block_header(p + m1.block_len + m2.block_len, m0.block_len, &h, &why) == 0 &&
		      (h.flags & SEG_BLOCK_SEAL) && h.count == 0 && h.raw_len == 0);
	}
	remove(path);
	snprintf(path, sizeof(path), "%s/one.gz", tmpdir);
	remove(path);
	snprintf(path, sizeof(path), "%s/all.gz", tmpdir);
	remove(path);
	snprintf(path, sizeof(path), "%s/one.out", tmpdir);
	remove(path);
	snprintf(path, sizeof(path), "%s/all.out", tmpdir);
	remove(path);
	buf_free(&raw1);
	buf_free(&raw2);
	buf_free(&out);
	buf_free(&both);
	buf_free(&got);
}

int main(void)
{
	struct buf raw;
	uint32_t lines = 0;

	unit_name = "unit segment";
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	seg_writer_init(&zw, 6);
	seg_reader_init(&zr);
	buf_init(&raw);

	round_trip(&raw, 0, 0);                      /* empty raw */
	round_trip(&raw, 0, SEG_BLOCK_SEAL);         /* a seal member */
	buf_adds(&raw, "{\"a\":1}\n");
	round_trip(&raw, 1, 0);                      /* one line */
	make_lines(&raw, 1u << 20);                  /* 1 MiB of lines */
	for (size_t i = 0; i < raw.len; i++)
		lines += raw.data[i] == '\n';
	round_trip(&raw, lines, 0);
	buf_reset(&raw);
	buf_adds(&raw, "x\n");
	round_trip(&raw, 1, 0);                      /* reused after a big one */

	/* other levels */
	for (int level = 1; level <= 9; level += 8) {
		struct seg_writer w;
		struct buf out, back;
		struct block_meta m;
		const char *why;
		buf_init(&out);
		buf_init(&back);
		make_lines(&raw, 50000);
		m = meta(&raw, 3);
		seg_writer_init(&w, level);
		CHECK(seg_block_encode(&w, raw.data, &m, &out, &why_enc) == 0 &&
		      seg_block_decode(&zr, (unsigned char *)out.data, out.len, &back, &why) == 0 &&
		      back.len == raw.len && !memcmp(back.data, raw.data, raw.len));
		seg_writer_free(&w);
		buf_free(&out);
		buf_free(&back);
	}

	test_damage();
	test_gzip();

	buf_free(&raw);
	seg_writer_free(&zw);
	seg_reader_free(&zr);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
	}
	return unit_done();
}
