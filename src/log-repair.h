/* log-repair.h: what the files of check --repair share (log-repair*.c only)
 *
 * log-repair.c drives a repair (log_repair), log-repair-look.c marks the
 * blocks of each segment, log-repair-write.c reports and writes what
 * replaces them; see log-repair.c for the whole.
 */
#ifndef AGGR_LOG_REPAIR_H
#define AGGR_LOG_REPAIR_H

#include "log-int.h"

enum { RB_KEEP, RB_DAMAGED, RB_UNPROVEN };
enum { RA_NONE, RA_TRUNCATE, RA_REINDEX, RA_REWRITE, RA_DROP };

/* One block of a segment, or a stretch of bytes that is none. */
struct rblk {
	uint64_t pos, len;
	struct block_meta m;          /* when known: from the index or a good header */
	int known;
	int state;
	uint32_t iflags;              /* IDX_SPARSE for the new entry */
	unsigned char *bloom;         /* from the old index, or NULL: all ones */
	uint64_t lo, hi;              /* not known: the offsets between its neighbours (hi UINT64_MAX: unknown) */
};

struct rseg {
	struct log_seg s;             /* base, gen, sealed as it will be listed, sum; files */
	int listed;                   /* in the MANIFEST */
	int missing;                  /* its data file is gone */
	int idx_ok;                   /* its index loaded: s.ent[0..s.nent) committed */
	struct rblk *b;
	size_t nb, nidx;              /* blocks; how many of them its index lists */
	int seal_ok;                  /* a good seal member at seal_pos */
	struct block_meta seal;
	uint64_t seal_pos;
	uint64_t size;                /* of the data file */
	int action;
	uint64_t trunc_bytes;
	struct idx_header ih;         /* geometry of a new index */
	uint32_t new_gen;
	uint64_t lost_hi, lost_recs;  /* a lost data file: what its index says it held */
	uint64_t seen_end;            /* ... and the offset after any entry it has */
	const char *unproven_why;     /* why its unproven blocks are */
};

struct rctx {
	struct log *l;
	const struct log_config *cfg;
	struct rseg *r;
	size_t nr;
	int rebuild;                  /* the MANIFEST is lost or damaged */
	char mwhy[PATH_MAX + 96];
	uint64_t next;                /* next_offset to write */
	uint64_t orphan_bytes;
	struct buf report;
	int lost_used;
	int data_seen;                /* rebuilding: a segment file holds data */
	uint64_t *unproven;           /* [lo, hi) pairs of offsets set aside unproven */
	size_t nunproven;
	struct seg_reader rd;
	struct buf blk, raw;
};

/* ---- log-repair-look.c ---- */
/* A good block header at pos, the whole block inside the file? 0 or -1. */
int rp_hdr_at(int fd, uint64_t pos, uint64_t size, struct block_meta *m);
/* The next position after from holding a good header whose offsets can
 * follow expect; size when there is none. */
uint64_t rp_resync(int fd, uint64_t from, uint64_t size, uint64_t expect, struct block_meta *m);
/* The offset after block b (UINT64_MAX: not known). */
uint64_t rp_blk_end(const struct rblk *b);
/* Open r's files and load its index when it can be used. Returns 0 or an
 * error code (I/O). */
int rp_open_seg(struct rctx *c, struct rseg *r);
/* Mark r's blocks: last, is it the last segment; later, does a later
 * segment file exist. */
void rp_look(struct rctx *c, struct rseg *r, int last, int later);
void rp_prove_none(struct rseg *r);
/* What to do with r, once looked at. */
void rp_decide(struct rseg *r);

/* ---- log-repair-write.c ---- */
/* Report what is set aside or lost of r (next_base: where the next segment
 * starts) into c->report, and note unproven ranges. */
void rp_say_seg(struct rctx *c, struct rseg *r, uint64_t next_base);
/* Keep DIR/name (when it exists) as DIR/lost/name, or name.1, ... */
int rp_lost_keep(struct rctx *c, const char *name);
int rp_lost_keep_seg(struct rctx *c, struct rseg *r, int idx);
int rp_reindex(struct rctx *c, struct rseg *r);
/* Copy r's kept blocks into its next generation, sealed when r is. */
int rp_rewrite(struct rctx *c, struct rseg *r, uint64_t seal_next);
int rp_truncate(struct rctx *c, struct rseg *r);
int rp_filter_state(struct rctx *c, const char *name, int batches);

#endif
