/* segment.h: blocks as gzip members carrying an 'AG' FEXTRA summary */
#ifndef AGGR_SEGMENT_H
#define AGGR_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define SEG_HDR_LEN 68          /* gzip header + XLEN + 'AG' subfield */
#define SEG_PAYLOAD_LEN 52
#define SEG_TRAILER_LEN 8
#define SEG_BLOCK_SEAL 1u       /* flags: the empty member that closes a segment */
#define SEG_MAX_BLOCK (64u << 20) /* no block, raw or compressed, is larger */

/* What a block's header says about it; the index entry repeats it. */
struct block_meta {
	uint32_t flags;
	uint32_t block_len;     /* bytes of the whole member */
	uint32_t raw_len;       /* bytes of JSON lines inside */
	uint32_t count;         /* records (lines) */
	uint64_t first_offset;
	int64_t min_key, max_key;
	int64_t ingest_us;
};

/* Deflate state reused across blocks; level 1..9. Blocks are whole
 * buffers of known size, so libdeflate compresses them in one call, as
 * htslib's BGZF does: the members are plain gzip all the same. */
struct libdeflate_compressor;
struct libdeflate_decompressor;
struct seg_writer {
	struct libdeflate_compressor *c;
	int level;
};
void seg_writer_init(struct seg_writer *w, int level);
void seg_writer_free(struct seg_writer *w);

/*
 * Compress raw[0..m->raw_len) into one gzip member appended to out, filling in
 * m->block_len. m->raw_len, count, offsets, keys and ingest time must be set.
 * Returns 0, or -1 with *why set when the compressor cannot be made or
 * fails. Thread safe (one writer
 * per thread); it never calls err_set.
 */
int seg_block_encode(struct seg_writer *w, const char *raw, struct block_meta *m, struct buf *out, const char **why);

/*
 * Parse and check a member header at p (n bytes available, >= SEG_HDR_LEN).
 * Returns 0 and fills m; -1 when it is not an aggr block or its header CRC
 * is wrong (why says which).
 */
int seg_block_header(const unsigned char *p, size_t n, struct block_meta *m, const char **why);

struct seg_reader {
	struct libdeflate_decompressor *d;
};
void seg_reader_init(struct seg_reader *r);
void seg_reader_free(struct seg_reader *r);

/*
 * Inflate the whole member blk[0..n) (n == its block_len) into raw (replacing
 * its content) and verify it: header CRC, deflate stream ends exactly before
 * the trailer, trailer CRC-32 and ISIZE, and raw_len. Returns 0, or -1 with
 * a reason in *why when the block is damaged.
 */
int seg_block_decode(struct seg_reader *r, const unsigned char *blk, size_t n, struct buf *raw, const char **why);

#endif
