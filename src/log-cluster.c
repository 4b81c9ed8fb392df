/* log-cluster.c: clustered blocks: a run's records grouped by key bucket
 *
 * Data that arrives late (a flow of hour 7 ingested with those of hour 9)
 * would otherwise put one key into every block of several hours, and min/max
 * pruning could skip none of them. With clustering, a run keeps up to
 * LOG_CLUSTER_SLOTS open blocks, one per key bucket (key / width, the
 * kind's cluster_width), and a record goes to its bucket's block:
 *
 *  - a bucket's block is written when the next record of it does not fit
 *    (a full block, as without clustering);
 *  - a record of a bucket with no open block, when all are taken, first
 *    closes the bucket that got a record least recently;
 *  - a closed bucket's block is written as it is when it holds at least a
 *    quarter of a block; a smaller one joins the mixed block (closed
 *    buckets one after another), written when the next would not fit, so
 *    sparse data (few records per bucket) still makes full blocks;
 *  - a bucket written as a block of its own while earlier records of it
 *    wait in the mixed block has the mixed block written first;
 *  - commit closes the open buckets, oldest first record first, then
 *    writes the mixed block.
 *
 * Inside a bucket records keep their arrival order, and a bucket's blocks
 * are written in that order too: readers that break ties by log order see
 * the same order for any key range inside one bucket. Blocks take their
 * offsets when written, so offsets still count up in log order. Nothing
 * here touches files: blocks go through the run's flush_block, so commit,
 * abort, rolls and recovery are as without clustering. Memory: the slots'
 * blocks and filters, LOG_CLUSTER_SLOTS + 1 blocks at most.
 */
#include "log-int.h"

#include <stdlib.h>
#include <string.h>

struct cluster_slot {
	int used;
	int64_t bucket;
	struct buf block;
	struct block_meta m;          /* key range and count */
	unsigned char *bloom;         /* IDX_MAX_BLOOM bytes */
	uint32_t bloom_bytes, bloom_k; /* the geometry it was hashed with */
	int bloom_all;                /* mixed geometries: may hold anything */
	uint64_t first_seq, last_seq;
};

/* The most buckets the mixed block holds records of: one more is written
 * to a new mixed block, so finding a bucket there stays a short scan. */
#define MIXED_BUCKETS 64

struct log_cluster {
	int64_t width;
	size_t nslot;
	struct cluster_slot slot[LOG_CLUSTER_SLOTS];
	struct cluster_slot mixed;
	int64_t mixed_bucket[MIXED_BUCKETS];   /* the buckets in mixed, nmixed of them */
	size_t nmixed;
	uint64_t seq;
};

static void slot_init(struct cluster_slot *s)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->block);
	s->bloom = xcalloc(1, IDX_MAX_BLOOM);
}

static void slot_clear(struct cluster_slot *s)
{
	s->used = 0;
	buf_reset(&s->block);
	memset(&s->m, 0, sizeof(s->m));
	memset(s->bloom, 0, IDX_MAX_BLOOM);
	s->bloom_all = 0;
}

static void slot_free(struct cluster_slot *s)
{
	buf_free(&s->block);
	free(s->bloom);
}

void log_cluster_begin(struct log *l)
{
	if (l->cfg.cluster_width <= 0 || l->cfg.cluster_slots <= 0) {
		log_cluster_free(l);
		return;
	}
	if (!l->cluster) {
		l->cluster = xcalloc(1, sizeof(*l->cluster));
		for (size_t i = 0; i < LOG_CLUSTER_SLOTS; i++)
			slot_init(&l->cluster->slot[i]);
		slot_init(&l->cluster->mixed);
	}
	log_cluster_reset(l);
	l->cluster->width = l->cfg.cluster_width;
	l->cluster->nslot = (size_t)(l->cfg.cluster_slots < LOG_CLUSTER_SLOTS ? l->cfg.cluster_slots
									  : LOG_CLUSTER_SLOTS);
}

void log_cluster_reset(struct log *l)
{
	if (!l->cluster)
		return;
	for (size_t i = 0; i < LOG_CLUSTER_SLOTS; i++)
		slot_clear(&l->cluster->slot[i]);
	slot_clear(&l->cluster->mixed);
	l->cluster->nmixed = 0;
	l->cluster->seq = 0;
}

void log_cluster_free(struct log *l)
{
	if (!l->cluster)
		return;
	for (size_t i = 0; i < LOG_CLUSTER_SLOTS; i++)
		slot_free(&l->cluster->slot[i]);
	slot_free(&l->cluster->mixed);
	free(l->cluster);
	l->cluster = NULL;
}

/* Write s's records as the run's next block; s is empty after. */
static int emit(struct log *l, struct cluster_slot *s)
{
	struct buf t;
	int64_t ingest = l->cur.ingest_us;
	int rc;

	if (!s->block.len) {
		slot_clear(s);
		return 0;
	}
	/* the run's own block is empty: with clustering log_append never fills it */
	t = l->block;
	l->block = s->block;
	s->block = t;
	l->cur = s->m;
	l->cur.ingest_us = ingest;
	if (s->bloom_all || s->bloom_bytes != l->bloom_bytes || s->bloom_k != l->bloom_k)
		memset(l->cur_bloom, 0xff, l->bloom_bytes);
	else
		memcpy(l->cur_bloom, s->bloom, l->bloom_bytes);
	rc = log_flush_block(l);
	/* flush_block left an empty buffer in l->block: keep it circulating */
	t = l->block;
	l->block = s->block;
	s->block = t;
	slot_clear(s);
	return rc;
}

static void meta_add(struct block_meta *m, int64_t key, uint32_t count, int64_t max_key)
{
	if (!m->count || key < m->min_key)
		m->min_key = key;
	if (!m->count || max_key > m->max_key)
		m->max_key = max_key;
	m->count += count;
}

static int emit_mixed(struct log *l)
{
	l->cluster->nmixed = 0;
	return emit(l, &l->cluster->mixed);
}

/* Write bucket slot s as a block of its own. Earlier records of its bucket
 * that wait in the mixed block (the bucket was closed and opened again)
 * must come first: the mixed block is written before, so that the log
 * keeps each bucket's arrival order. Returns as emit. */
static int emit_slot(struct log *l, struct cluster_slot *s)
{
	struct log_cluster *c = l->cluster;
	int rc;

	for (size_t i = 0; i < c->nmixed; i++)
		if (c->mixed_bucket[i] == s->bucket) {
			if ((rc = emit_mixed(l)))
				return rc;
			break;
		}
	return emit(l, s);
}

/* Close bucket slot s: its own block when big enough, else into the mixed one. */
static int close_slot(struct log *l, struct cluster_slot *s)
{
	struct log_cluster *c = l->cluster;
	struct cluster_slot *x = &c->mixed;
	int rc;
	size_t i;

	if (s->block.len * 4 >= l->cfg.block_bytes)
		return emit_slot(l, s);
	for (i = 0; i < c->nmixed && c->mixed_bucket[i] != s->bucket; i++)
		;
	if (x->block.len && (x->block.len + s->block.len > l->cfg.block_bytes ||
			     (i == c->nmixed && c->nmixed == MIXED_BUCKETS)) &&
	    (rc = emit_mixed(l)))
		return rc;
	if (!c->nmixed)
		i = 0;   /* written just now, or empty before */
	if (i == c->nmixed)
		c->mixed_bucket[c->nmixed++] = s->bucket;
	if (!x->block.len) {
		x->bloom_bytes = s->bloom_bytes;
		x->bloom_k = s->bloom_k;
	}
	buf_add(&x->block, s->block.data, s->block.len);
	meta_add(&x->m, s->m.min_key, s->m.count, s->m.max_key);
	if (s->bloom_all || x->bloom_all || s->bloom_bytes != x->bloom_bytes || s->bloom_k != x->bloom_k)
		x->bloom_all = 1;
	else
		for (uint32_t j = 0; j < s->bloom_bytes; j++)
			x->bloom[j] |= s->bloom[j];
	x->used = 1;
	slot_clear(s);
	return 0;
}

static int64_t bucket_of(int64_t key, int64_t width)
{
	int64_t q = key / width;
	return key % width < 0 ? q - 1 : q;
}

int log_cluster_append(struct log *l, const char *line, size_t n, int64_t key,
		       const struct log_bloom_key *bk, size_t nbk)
{
	struct log_cluster *c = l->cluster;
	struct cluster_slot *s = NULL, *lru = NULL, *fresh = NULL;
	int64_t b = bucket_of(key, c->width);
	int rc;

	for (size_t i = 0; i < c->nslot; i++) {
		struct cluster_slot *t = &c->slot[i];
		if (t->used && t->bucket == b) {
			s = t;
			break;
		}
		if (!t->used && !fresh)
			fresh = t;
		if (t->used && (!lru || t->last_seq < lru->last_seq))
			lru = t;
	}
	if (!s) {
		if (!fresh && (rc = close_slot(l, lru)))
			return rc;
		s = fresh ? fresh : lru;
		s->used = 1;
		s->bucket = b;
		s->first_seq = c->seq;
		s->bloom_bytes = l->bloom_bytes;
		s->bloom_k = l->bloom_k;
	} else if (s->block.len + n + 1 > l->cfg.block_bytes) {
		/* a full block of one bucket; the bucket stays open, in its place */
		uint64_t first = s->first_seq;
		if ((rc = emit_slot(l, s)))
			return rc;
		s->used = 1;
		s->bucket = b;
		s->first_seq = first;
		s->bloom_bytes = l->bloom_bytes;
		s->bloom_k = l->bloom_k;
	}
	s->last_seq = c->seq++;
	buf_reserve(&s->block, n + 1);
	memcpy(s->block.data + s->block.len, line, n);
	s->block.data[s->block.len + n] = '\n';
	s->block.len += n + 1;
	meta_add(&s->m, key, 1, key);
	if (s->bloom_bytes != l->bloom_bytes || s->bloom_k != l->bloom_k)
		s->bloom_all = 1;
	for (size_t i = 0; i < nbk && l->bloom_bytes; i++)
		bloom_add(s->bloom, l->bloom_bytes, l->bloom_k, bk[i].p, bk[i].n);
	l->run_records++;
	return 0;
}

int log_cluster_flush(struct log *l)
{
	struct log_cluster *c = l->cluster;
	int rc;

	if (!c)
		return 0;
	for (;;) {
		struct cluster_slot *oldest = NULL;
		for (size_t i = 0; i < c->nslot; i++)
			if (c->slot[i].used && (!oldest || c->slot[i].first_seq < oldest->first_seq))
				oldest = &c->slot[i];
		if (!oldest)
			break;
		if ((rc = close_slot(l, oldest)))
			return rc;
	}
	return emit_mixed(l);
}
