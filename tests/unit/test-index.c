/* test-index.c: index header and entries with their CRCs, bloom filters */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "unit.h"

static int header_eq(const struct idx_header *a, const struct idx_header *b)
{
	return a->entry_size == b->entry_size && a->bloom_bytes == b->bloom_bytes &&
	       a->bloom_k == b->bloom_k && a->base_offset == b->base_offset;
}

static void test_header(void)
{
	unsigned char p[IDX_HDR_LEN], q[IDX_HDR_LEN];
	struct idx_header h = {IDX_ENTRY_FIXED + 1024, 1024, 6, UINT64_C(0x0123456789abcdef)}, g;
	int missed = 0;

	memset(p, 0xaa, sizeof(p));
	idx_header_encode(p, &h);
	CHECK(!memcmp(p, "AGGRIDX1", 8) && get_le32(p + 8) == 1 && get_le32(p + 12) == IDX_ENTRY_FIXED + 1024 &&
	      get_le32(p + 16) == 1024 && get_le32(p + 20) == 6 && get_le64(p + 24) == h.base_offset);
	{
		int zero = 1;
		for (int i = 32; i < 60; i++)
			zero &= p[i] == 0;
		CHECK(zero);
	}
	CHECK(get_le32(p + 60) == crc32_of(p, 60));
	memset(&g, 0, sizeof(g));
	CHECK(idx_header_decode(p, &g) == 0 && header_eq(&g, &h));

	struct idx_header h0 = {IDX_ENTRY_FIXED, 0, 0, 0};
	idx_header_encode(q, &h0);
	memset(&g, 0xff, sizeof(g));
	CHECK(idx_header_decode(q, &g) == 0 && header_eq(&g, &h0));

	/* every byte is covered: magic, version, fields, reserved, CRC */
	for (int i = 0; i < IDX_HDR_LEN; i++) {
		p[i] ^= 0x01;
		if (idx_header_decode(p, &g) != -1)
			missed++;
		p[i] ^= 0x01;
	}
	CHECK(missed == 0);
	memcpy(q, p, sizeof(q));
	q[0] = 'X';
	put_le32(q + 60, crc32_of(q, 60));   /* bad magic with a good CRC */
	CHECK(idx_header_decode(q, &g) == -1);
	memcpy(q, p, sizeof(q));
	put_le32(q + 60, get_le32(q + 60) + 1);
	CHECK(idx_header_decode(q, &g) == -1);
	memcpy(q, p, sizeof(q));
	put_le32(q + 8, 2);                 /* unknown version */
	put_le32(q + 60, crc32_of(q, 60));
	CHECK(idx_header_decode(q, &g) == -1);
	memcpy(q, p, sizeof(q));
	put_le32(q + 12, IDX_ENTRY_FIXED + 1000);  /* entry size disagrees with bloom bytes */
	put_le32(q + 60, crc32_of(q, 60));
	CHECK(idx_header_decode(q, &g) == -1);
	/* limits */
	{
		struct idx_header big = {IDX_ENTRY_FIXED + IDX_MAX_BLOOM + 8, IDX_MAX_BLOOM + 8, 6, 0};
		idx_header_encode(q, &big);
		CHECK(idx_header_decode(q, &g) == -1);
		struct idx_header max = {IDX_ENTRY_FIXED + IDX_MAX_BLOOM, IDX_MAX_BLOOM, 16, 0};
		idx_header_encode(q, &max);
		CHECK(idx_header_decode(q, &g) == 0 && header_eq(&g, &max));
		struct idx_header manyk = {IDX_ENTRY_FIXED + 64, 64, 17, 0};
		idx_header_encode(q, &manyk);
		CHECK(idx_header_decode(q, &g) == -1);
	}
}

static void fill_entry(struct idx_entry *e, unsigned char *bloom)
{
	memset(e, 0, sizeof(*e));
	e->pos = UINT64_C(0x1122334455667788);
	e->m.block_len = 0x01020304;
	e->m.raw_len = 0x0a0b0c0d;
	e->m.first_offset = UINT64_C(0xfedcba9876543210);
	e->m.count = 4242;
	e->m.flags = IDX_COMMIT;
	e->m.min_key = INT64_MIN + 1;
	e->m.max_key = INT64_C(1642284000);
	e->m.ingest_us = -INT64_C(1700000000123456);
	e->bloom = bloom;
}

static int entry_eq(const struct idx_entry *a, const struct idx_entry *b, size_t bloom_bytes)
{
	if (a->pos != b->pos || a->m.block_len != b->m.block_len || a->m.raw_len != b->m.raw_len ||
	    a->m.first_offset != b->m.first_offset || a->m.count != b->m.count || a->m.flags != b->m.flags ||
	    a->m.min_key != b->m.min_key || a->m.max_key != b->m.max_key || a->m.ingest_us != b->m.ingest_us)
		return 0;
	if (!bloom_bytes)
		return 1;
	return a->bloom && b->bloom && !memcmp(a->bloom, b->bloom, bloom_bytes);
}

static void test_entry(uint32_t bloom_bytes)
{
	struct idx_header h = {IDX_ENTRY_FIXED + bloom_bytes, bloom_bytes, 6, 0};
	unsigned char *p = malloc(h.entry_size), *bloom = bloom_bytes ? malloc(bloom_bytes) : NULL;
	struct idx_entry e, g;
	int missed = 0;

	for (uint32_t i = 0; i < bloom_bytes; i++)
		bloom[i] = (unsigned char)(i * 37 + 11);
	fill_entry(&e, bloom);
	idx_entry_encode(p, &h, &e);
	CHECK(get_le64(p) == e.pos && get_le32(p + 8) == e.m.block_len && get_le32(p + 12) == e.m.raw_len &&
	      get_le64(p + 16) == e.m.first_offset && get_le32(p + 24) == e.m.count &&
	      get_le32(p + 28) == IDX_COMMIT && get_le64(p + 32) == (uint64_t)e.m.min_key &&
	      get_le32(p + 56) == 0);
	CHECK(get_le32(p + h.entry_size - 4) == crc32_of(p, h.entry_size - 4));
	memset(&g, 0, sizeof(g));
	CHECK(idx_entry_decode(p, &h, &g) == 0 && entry_eq(&g, &e, bloom_bytes));
	if (bloom_bytes)
		CHECK(g.bloom == p + 60);
	else
		CHECK(g.bloom == NULL);

	/* any single flipped bit is caught by the CRC */
	for (size_t bit = 0; bit < (size_t)h.entry_size * 8; bit++) {
		p[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		if (idx_entry_decode(p, &h, &g) != -1) {
			if (!missed)
				printf("# bloom %u: flipped bit %zu not detected\n", bloom_bytes, bit);
			missed++;
		}
		p[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	CHECK(missed == 0);
	CHECK(idx_entry_decode(p, &h, &g) == 0 && entry_eq(&g, &e, bloom_bytes));

	if (bloom_bytes) {
		/* an entry written without a filter may hold anything */
		int all = 1;
		e.bloom = NULL;
		idx_entry_encode(p, &h, &e);
		CHECK(idx_entry_decode(p, &h, &g) == 0 && g.bloom);
		for (uint32_t i = 0; g.bloom && i < bloom_bytes; i++)
			all &= g.bloom[i] == 0xff;
		CHECK(all);
		CHECK(g.bloom && bloom_may_have(g.bloom, bloom_bytes, 6, "anything", 8) == 1);
	}
	free(p);
	free(bloom);
}

static int popcount(const unsigned char *p, size_t n)
{
	int c = 0;
	for (size_t i = 0; i < n; i++)
		c += __builtin_popcount(p[i]);
	return c;
}

static void test_bloom(void)
{
	enum { BYTES = 1024, K = 6, N = 1000, ABSENT = 10000 };
	unsigned char *bloom = calloc(1, BYTES);
	char key[64];
	int missing = 0, fp = 0, bits;

	CHECK(bloom_may_have(bloom, BYTES, K, "user-1", 6) == 0);
	bloom_add(bloom, BYTES, K, "user-1", 6);
	bits = popcount(bloom, BYTES);
	CHECK(bits >= 1 && bits <= K);
	CHECK(bloom_may_have(bloom, BYTES, K, "user-1", 6) == 1);
	CHECK(bloom_may_have(bloom, BYTES, K, "user-2", 6) == 0);
	/* the empty key is a key like any other */
	CHECK(bloom_may_have(bloom, BYTES, K, "", 0) == 0);
	bloom_add(bloom, BYTES, K, "", 0);
	CHECK(bloom_may_have(bloom, BYTES, K, "", 0) == 1);

	/* the probes are part of the file format: with k = 1 the one bit is
	 * FNV-1a-64("a") = 0xaf63dc4c8601ec8c mod 8192 = 3212 */
	memset(bloom, 0, BYTES);
	bloom_add(bloom, BYTES, 1, "a", 1);
	CHECK(popcount(bloom, BYTES) == 1 && bloom[3212 / 8] == 1u << (3212 % 8));

	memset(bloom, 0, BYTES);
	for (int i = 0; i < N; i++) {
		int n = snprintf(key, sizeof(key), "user-%d@example.com", i);
		bloom_add(bloom, BYTES, K, key, (size_t)n);
	}
	for (int i = 0; i < N; i++) {
		int n = snprintf(key, sizeof(key), "user-%d@example.com", i);
		missing += !bloom_may_have(bloom, BYTES, K, key, (size_t)n);
	}
	CHECK(missing == 0);
	for (int i = 0; i < ABSENT; i++) {
		int n = snprintf(key, sizeof(key), "user-%d@example.com", N + i);
		fp += bloom_may_have(bloom, BYTES, K, key, (size_t)n);
	}
	if (fp * 100 >= 3 * ABSENT)
		printf("# bloom: %d false positives in %d\n", fp, ABSENT);
	CHECK(fp * 100 < 3 * ABSENT);
	/* the filter is about half full, as k = 6 over 8192 bits for 1000 keys should be */
	bits = popcount(bloom, BYTES);
	CHECK(bits > BYTES * 8 * 4 / 10 && bits < BYTES * 8 * 6 / 10);

	/* keys that differ only in length or a late byte */
	memset(bloom, 0, BYTES);
	bloom_add(bloom, BYTES, K, "abc\0", 4);
	CHECK(bloom_may_have(bloom, BYTES, K, "abc\0", 4) == 1);
	fp = 0;
	for (int i = 0; i < ABSENT; i++) {
		int n = snprintf(key, sizeof(key), "event-%d", i);
		fp += bloom_may_have(bloom, BYTES, K, key, (size_t)n);
	}
	CHECK(fp == 0);
	/* a small filter that does not divide evenly still works */
	{
		unsigned char small[37];
		memset(small, 0, sizeof(small));
		missing = 0;
		for (int i = 0; i < 20; i++) {
			int n = snprintf(key, sizeof(key), "k%d", i);
			bloom_add(small, sizeof(small), 3, key, (size_t)n);
		}
		for (int i = 0; i < 20; i++) {
			int n = snprintf(key, sizeof(key), "k%d", i);
			missing += !bloom_may_have(small, sizeof(small), 3, key, (size_t)n);
		}
		CHECK(missing == 0);
	}
	free(bloom);
}

int main(void)
{
	unit_name = "unit index";
	test_header();
	test_entry(0);
	test_entry(1024);
	test_entry(IDX_MAX_BLOOM);
	test_bloom();
	return unit_done();
}
