/* log-read.c: reading committed blocks and records */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading ---- */

int log_read_block(struct log *l, const struct log_seg *s, const struct idx_entry *e,
		   struct seg_reader *r, struct buf *blk, struct buf *raw)
{
	struct fault f = FAULT_INIT;

	if (log_block_load(l, s, e, r, blk, raw, &f) == 0)
		return 0;
	return fault_raise(&f);
}

struct scan_ctx {
	log_record_fn fn;
	void *ctx;
	struct log *l;
	uint64_t from, to;
};

static int scan_block(const struct log_seg *s, const struct idx_entry *e, const struct buf *raw, void *vctx)
{
	struct scan_ctx *c = vctx;
	const char *p = raw->data, *end = raw->data + raw->len;
	uint64_t off = e->m.first_offset, seen = 0;
	int sparse = (e->m.flags & IDX_SPARSE) != 0, rc = 0;

	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": last record has no newline",
				       log_seg_file(c->l, s, 0), e->pos);
		uint64_t o = sparse && seen ? LOG_NO_OFFSET : off + seen;
		if (o != LOG_NO_OFFSET && o >= c->to)
			return LOG_STOP;
		if (o == LOG_NO_OFFSET || o >= c->from)
			rc = c->fn(p, (size_t)(nl - p), o, c->ctx);
		seen++;
		p = nl + 1;
	}
	if (!rc && seen != e->m.count)
		rc = err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": block holds %" PRIu64 " records, index says %" PRIu32,
			     log_seg_file(c->l, s, 0), e->pos, seen, e->m.count);
	return rc;
}

int log_scan(struct log *l, log_filter_fn filter, log_record_fn fn, void *ctx, struct log_scan_stats *st)
{
	return log_read_from(l, 0, UINT64_MAX, filter, ctx, fn, ctx, st);
}

int log_read_from(struct log *l, uint64_t from, uint64_t to, log_filter_fn filter, void *fctx, log_record_fn fn,
		  void *ctx, struct log_scan_stats *st)
{
	struct scan_ctx c = {fn, ctx, l, from, to};

	return log_read_range(l, from, to, filter, fctx, scan_block, &c, st);
}

