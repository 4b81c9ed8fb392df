#include "index.h"

#include <string.h>

static const char idx_magic[8] = {'A', 'G', 'G', 'R', 'I', 'D', 'X', '1'};

void idx_header_encode(unsigned char *p, const struct idx_header *h)
{
	memset(p, 0, IDX_HDR_LEN);
	memcpy(p, idx_magic, 8);
	put_le32(p + 8, 1);
	put_le32(p + 12, h->entry_size);
	put_le32(p + 16, h->bloom_bytes);
	put_le32(p + 20, h->bloom_k);
	put_le64(p + 24, h->base_offset);
	put_le32(p + 60, crc32_of(p, 60));
}

int idx_header_decode(const unsigned char *p, struct idx_header *h)
{
	if (memcmp(p, idx_magic, 8) || get_le32(p + 60) != crc32_of(p, 60) || get_le32(p + 8) != 1)
		return -1;
	/* *h changes only when valid: a reader that failed to load an index
	 * must not trust a half-decoded header on its next try */
	struct idx_header t = *h;
	t.entry_size = get_le32(p + 12);
	t.bloom_bytes = get_le32(p + 16);
	t.bloom_k = get_le32(p + 20);
	t.base_offset = get_le64(p + 24);
	if (t.bloom_bytes > IDX_MAX_BLOOM || t.entry_size != IDX_ENTRY_FIXED + t.bloom_bytes || t.bloom_k > 16)
		return -1;
	*h = t;
	return 0;
}

void idx_entry_encode(unsigned char *p, const struct idx_header *h, const struct idx_entry *e)
{
	size_t crc_at = h->entry_size - 4;

	put_le64(p, e->pos);
	put_le32(p + 8, e->m.block_len);
	put_le32(p + 12, e->m.raw_len);
	put_le64(p + 16, e->m.first_offset);
	put_le32(p + 24, e->m.count);
	put_le32(p + 28, e->m.flags);
	put_le64(p + 32, (uint64_t)e->m.min_key);
	put_le64(p + 40, (uint64_t)e->m.max_key);
	put_le64(p + 48, (uint64_t)e->m.ingest_us);
	put_le32(p + 56, 0);
	if (h->bloom_bytes) {
		if (e->bloom)
			memcpy(p + 60, e->bloom, h->bloom_bytes);
		else
			memset(p + 60, 0xff, h->bloom_bytes);
	}
	put_le32(p + crc_at, crc32_of(p, crc_at));
}

int idx_entry_decode(const unsigned char *p, const struct idx_header *h, struct idx_entry *e)
{
	size_t crc_at = h->entry_size - 4;

	if (get_le32(p + crc_at) != crc32_of(p, crc_at))
		return -1;
	e->pos = get_le64(p);
	e->m.block_len = get_le32(p + 8);
	e->m.raw_len = get_le32(p + 12);
	e->m.first_offset = get_le64(p + 16);
	e->m.count = get_le32(p + 24);
	e->m.flags = get_le32(p + 28);
	e->m.min_key = (int64_t)get_le64(p + 32);
	e->m.max_key = (int64_t)get_le64(p + 40);
	e->m.ingest_us = (int64_t)get_le64(p + 48);
	e->bloom = h->bloom_bytes ? (unsigned char *)p + 60 : NULL;
	return 0;
}

static void hash2(const void *key, size_t n, uint64_t *h1, uint64_t *h2)
{
	const unsigned char *p = key;
	uint64_t a = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		a ^= p[i];
		a *= 0x100000001b3ull;
	}
	/* splitmix64 finaliser gives the second, independent-enough hash */
	uint64_t b = a + 0x9e3779b97f4a7c15ull;
	b = (b ^ (b >> 30)) * 0xbf58476d1ce4e5b9ull;
	b = (b ^ (b >> 27)) * 0x94d049bb133111ebull;
	b ^= b >> 31;
	*h1 = a;
	*h2 = b | 1;
}

void bloom_bits(size_t bytes, unsigned k, const void *key, size_t n, uint64_t *bit)
{
	uint64_t h1, h2, bits = (uint64_t)bytes * 8;

	hash2(key, n, &h1, &h2);
	for (unsigned i = 0; i < k; i++)
		bit[i] = (h1 + i * h2) % bits;
}

void bloom_add(unsigned char *bloom, size_t bytes, unsigned k, const void *key, size_t n)
{
	uint64_t h1, h2, bits = (uint64_t)bytes * 8;

	hash2(key, n, &h1, &h2);
	for (unsigned i = 0; i < k; i++) {
		uint64_t bit = (h1 + i * h2) % bits;
		bloom[bit / 8] |= (unsigned char)(1u << (bit % 8));
	}
}

int bloom_may_have(const unsigned char *bloom, size_t bytes, unsigned k, const void *key, size_t n)
{
	uint64_t h1, h2, bits = (uint64_t)bytes * 8;

	hash2(key, n, &h1, &h2);
	for (unsigned i = 0; i < k; i++) {
		uint64_t bit = (h1 + i * h2) % bits;
		if (!(bloom[bit / 8] & (1u << (bit % 8))))
			return 0;
	}
	return 1;
}
