/* fuzz-block: seg_block_header and seg_block_decode must reject any damage
 * without crashing; a block that decodes re-encodes to one that decodes to
 * the same bytes and the same summary.
 *
 * Each input is tried twice: as it is, and "fixed up": the gzip and 'AG'
 * framing rewritten, block_len set to the input's size and the header CRC
 * recomputed, so that mutations reach inflate and the trailer checks instead
 * of stopping at the header CRC. */
#include "fuzz.h"

#include <string.h>

#include "segment.h"

static const char *why_enc;  /* seg_block_encode's reason, unused: the checks are on its status */

static int same_summary(const struct block_meta *a, const struct block_meta *b)
{
	return a->flags == b->flags && a->raw_len == b->raw_len && a->count == b->count &&
	       a->first_offset == b->first_offset && a->min_key == b->min_key &&
	       a->max_key == b->max_key && a->ingest_us == b->ingest_us;
}

static void reencode(const struct block_meta *m, const struct buf *raw)
{
	struct seg_writer w;
	struct seg_reader r;
	struct block_meta m2 = *m, m3;
	struct buf out, raw2;
	const char *why = NULL;

	seg_writer_init(&w, 6);
	seg_reader_init(&r);
	buf_init(&out);
	buf_init(&raw2);
	m2.block_len = 0;
	FUZZ_ASSERT(seg_block_encode(&w, raw->data, &m2, &out, &why_enc) == 0);
	FUZZ_ASSERT(out.len == m2.block_len);
	FUZZ_ASSERT(seg_block_header((const unsigned char *)out.data, out.len, &m3, &why) == 0);
	FUZZ_ASSERT(m3.block_len == out.len && same_summary(m, &m3));
	int rc = seg_block_decode(&r, (const unsigned char *)out.data, out.len, &raw2, &why);
	if (rc)
		fprintf(stderr, "re-encoded block does not decode: %s\n", why);
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(raw2.len == raw->len && !memcmp(raw2.data, raw->data, raw->len));
	seg_reader_free(&r);
	seg_writer_free(&w);
	buf_free(&out);
	buf_free(&raw2);
}

static void try_block(const unsigned char *p, size_t n)
{
	struct block_meta m;
	struct seg_reader r;
	struct buf raw;
	const char *why = NULL;
	int hrc, drc;

	memset(&m, 0, sizeof(m));
	hrc = seg_block_header(p, n, &m, &why);
	FUZZ_ASSERT(hrc == 0 || (hrc == -1 && why));
	if (hrc == 0)
		FUZZ_ASSERT(m.block_len >= SEG_HDR_LEN + 2 + SEG_TRAILER_LEN && m.block_len <= SEG_MAX_BLOCK &&
			    m.raw_len <= SEG_MAX_BLOCK);

	seg_reader_init(&r);
	buf_init(&raw);
	why = NULL;
	drc = seg_block_decode(&r, p, n, &raw, &why);
	FUZZ_ASSERT(drc == 0 || (drc == -1 && why));
	if (drc == 0) {
		FUZZ_ASSERT(hrc == 0 && m.block_len == n && raw.len == m.raw_len);
		FUZZ_ASSERT(raw.data[raw.len] == 0);
	}
	/* the reader is reusable: the same block decodes the same way again */
	struct buf again;
	buf_init(&again);
	FUZZ_ASSERT(seg_block_decode(&r, p, n, &again, &why) == drc);
	if (drc == 0) {
		FUZZ_ASSERT(again.len == raw.len && !memcmp(again.data, raw.data, raw.len));
		reencode(&m, &raw);
	}
	buf_free(&again);
	buf_free(&raw);
	seg_reader_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try_block(data, size);
	if (size >= SEG_HDR_LEN && size <= SEG_MAX_BLOCK) {
		static const unsigned char framing[16] = {
			0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 255,
			(SEG_PAYLOAD_LEN + 4) & 0xff, (SEG_PAYLOAD_LEN + 4) >> 8,
			'A', 'G', SEG_PAYLOAD_LEN & 0xff, SEG_PAYLOAD_LEN >> 8
		};
		unsigned char *p = malloc(size);
		FUZZ_ASSERT(p != NULL);
		memcpy(p, data, size);
		memcpy(p, framing, sizeof(framing));
		p[16] = 1;
		put_le32(p + 16 + 4, (uint32_t)size);
		put_le32(p + 16 + 48, crc32_of(p + 16, 48));
		try_block(p, size);
		free(p);
	}
	return 0;
}
