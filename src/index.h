/* index.h: fixed-size index entries with their own CRC, and bloom filters */
#ifndef AGGR_INDEX_H
#define AGGR_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "segment.h"

#define IDX_HDR_LEN 64
#define IDX_ENTRY_FIXED 64        /* entry size without the bloom filter */
#define IDX_COMMIT 1u             /* entry flag: last block of a committed run */
#define IDX_SPARSE 2u             /* entry flag: the block's offsets have gaps (compacted) */
#define IDX_MAX_BLOOM 4096

struct idx_header {
	uint32_t entry_size;
	uint32_t bloom_bytes;
	uint32_t bloom_k;
	uint64_t base_offset;
};

/* One block as the index describes it. */
struct idx_entry {
	uint64_t pos;               /* byte position of the member in the segment */
	struct block_meta m;        /* m.flags holds IDX_* flags, not block flags */
	unsigned char *bloom;       /* bloom_bytes, or NULL when the log has none */
};

void idx_header_encode(unsigned char *p, const struct idx_header *h);
/* Returns 0, or -1 when the magic, version, sizes or CRC are wrong. */
int idx_header_decode(const unsigned char *p, struct idx_header *h);

/* Encode e into p (h->entry_size bytes). */
void idx_entry_encode(unsigned char *p, const struct idx_header *h, const struct idx_entry *e);
/* Decode p; e->bloom points into p. Returns 0, or -1 on a CRC mismatch. */
int idx_entry_decode(const unsigned char *p, const struct idx_header *h, struct idx_entry *e);

/* Bloom filters over byte strings: k probes by double hashing of a 64-bit
 * FNV-1a and a second mixed hash, over bytes*8 bits. */
void bloom_add(unsigned char *bloom, size_t bytes, unsigned k, const void *key, size_t n);
/* The k bit numbers (0 .. bytes*8-1) that key sets, into bit[0..k). */
void bloom_bits(size_t bytes, unsigned k, const void *key, size_t n, uint64_t *bit);
/* 1 when key may be present, 0 when it certainly is not. */
int bloom_may_have(const unsigned char *bloom, size_t bytes, unsigned k, const void *key, size_t n);

#endif
