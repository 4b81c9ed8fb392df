/* fuzz-index: idx_header_decode on the first 64 bytes (zero-padded when the
 * input is shorter), then idx_entry_decode over the rest in entries of the
 * header's size, or of a fixed default header's when it does not decode;
 * bloom_may_have on every decoded bloom filter.
 *
 * Headers and entries are also tried with their CRC recomputed, so that
 * mutations get past the CRC: those must decode, re-encode to the same
 * fields, and keep every key bloom_add put in. */
#include "fuzz.h"

#include <string.h>

#include "index.h"

static const char *const keys[] = {"", "u1", "event-name", "0b8f3c1e-7d7a-4f6e-9d1e-3c2b1a0f9e8d"};

static void probe_bloom(const struct idx_header *h, const struct idx_entry *e)
{
	if (!e->bloom)
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		int r = bloom_may_have(e->bloom, h->bloom_bytes, h->bloom_k, keys[i], strlen(keys[i]));
		FUZZ_ASSERT(r == 0 || r == 1);
	}
	/* a filter with a key added always may have it */
	unsigned char *copy = malloc(h->bloom_bytes);
	FUZZ_ASSERT(copy != NULL);
	memcpy(copy, e->bloom, h->bloom_bytes);
	bloom_add(copy, h->bloom_bytes, h->bloom_k, e->bloom, h->bloom_bytes);
	FUZZ_ASSERT(bloom_may_have(copy, h->bloom_bytes, h->bloom_k, e->bloom, h->bloom_bytes) == 1);
	free(copy);
}

static int same_entry(const struct idx_entry *a, const struct idx_entry *b)
{
	return a->pos == b->pos && a->m.block_len == b->m.block_len && a->m.raw_len == b->m.raw_len &&
	       a->m.first_offset == b->m.first_offset && a->m.count == b->m.count &&
	       a->m.flags == b->m.flags && a->m.min_key == b->m.min_key &&
	       a->m.max_key == b->m.max_key && a->m.ingest_us == b->m.ingest_us;
}

static void try_entry(const struct idx_header *h, const unsigned char *p)
{
	struct idx_entry e;
	size_t es = h->entry_size;

	memset(&e, 0, sizeof(e));
	if (idx_entry_decode(p, h, &e) == 0) {
		FUZZ_ASSERT((e.bloom != NULL) == (h->bloom_bytes != 0));
		if (e.bloom)
			FUZZ_ASSERT(e.bloom == p + 60);
		probe_bloom(h, &e);
	}
	/* the same bytes with a good CRC decode, and encode back to them */
	unsigned char *fixed = malloc(es), *again = malloc(es);
	FUZZ_ASSERT(fixed && again);
	memcpy(fixed, p, es);
	put_le32(fixed + 56, 0);      /* reserved: written as zero */
	put_le32(fixed + es - 4, crc32_of(fixed, es - 4));
	FUZZ_ASSERT(idx_entry_decode(fixed, h, &e) == 0);
	probe_bloom(h, &e);
	idx_entry_encode(again, h, &e);
	FUZZ_ASSERT(!memcmp(fixed, again, es));
	struct idx_entry e2;
	FUZZ_ASSERT(idx_entry_decode(again, h, &e2) == 0 && same_entry(&e, &e2));
	free(fixed);
	free(again);
}

static void try_header(const unsigned char *p)
{
	struct idx_header h, h2;
	unsigned char fixed[IDX_HDR_LEN], enc[IDX_HDR_LEN];

	memcpy(fixed, p, IDX_HDR_LEN);
	put_le32(fixed + 60, crc32_of(fixed, 60));
	if (idx_header_decode(fixed, &h))
		return;
	FUZZ_ASSERT(h.entry_size == IDX_ENTRY_FIXED + h.bloom_bytes && h.bloom_bytes <= IDX_MAX_BLOOM);
	idx_header_encode(enc, &h);
	FUZZ_ASSERT(idx_header_decode(enc, &h2) == 0);
	FUZZ_ASSERT(h2.entry_size == h.entry_size && h2.bloom_bytes == h.bloom_bytes &&
		    h2.bloom_k == h.bloom_k && h2.base_offset == h.base_offset);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char hdr[IDX_HDR_LEN];
	struct idx_header h;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, data, size < IDX_HDR_LEN ? size : IDX_HDR_LEN);
	try_header(hdr);
	if (idx_header_decode(hdr, &h)) {
		/* the geometry of a log with bloom filters */
		h.bloom_bytes = 32;
		h.bloom_k = 4;
		h.entry_size = IDX_ENTRY_FIXED + h.bloom_bytes;
		h.base_offset = 0;
	}
	FUZZ_ASSERT(h.entry_size >= IDX_ENTRY_FIXED && h.entry_size <= IDX_ENTRY_FIXED + IDX_MAX_BLOOM);
	if (size <= IDX_HDR_LEN)
		return 0;
	const unsigned char *p = data + IDX_HDR_LEN;
	size_t n = size - IDX_HDR_LEN;
	for (size_t off = 0; off + h.entry_size <= n; off += h.entry_size)
		try_entry(&h, p + off);
	return 0;
}
