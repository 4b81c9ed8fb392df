/* log-threads.c: the deflate threads of a writer and the read-ahead threads of a reader */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

/*
 * The deflate threads of a writer: while the caller parses and validates
 * the next block, they compress the last ones, several at once (blocks are
 * independent gzip members), and write them in order: the thread holding
 * the block after the last one written writes next. Everything they touch
 * (the segment's sizes and files, the pending entry) the caller leaves
 * alone until log_pipe_drain() returns. Memory: one block per thread, plus one.
 */
#define PIPE_MAX_THREADS 8

struct pipe_job {
	struct buf raw;
	struct block_meta m;
	unsigned char *bloom;
	struct log_seg *s;
	uint64_t seq;
	int state;                   /* JOB_FREE, JOB_QUEUED, JOB_TAKEN */
};
enum { JOB_FREE, JOB_QUEUED, JOB_TAKEN };

struct log_pipe {
	pthread_t tid[PIPE_MAX_THREADS];
	int nthreads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct log *l;
	struct pipe_job *job;
	size_t njob;
	uint64_t next_seq;           /* the next block handed over */
	uint64_t next_take;          /* the next block a thread takes */
	uint64_t next_write;         /* the next block to write */
	/* the segment written to now: its size, and the raw bytes of the
	 * blocks handed over for it and of those written */
	uint64_t seg_base, seg_bytes, seg_sub_raw, seg_done_raw;
	int quit;
	struct fault fault;          /* the first failure; later blocks are dropped */
};

/* Start a thread that never takes the stop signals, so that they reach
 * the calling thread and interrupt its blocking reads. Returns 0 or an
 * errno value, as pthread_create. */
static int thread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t block, old;
	int rc;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(tid, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void *pipe_main(void *arg)
{
	struct log_pipe *p = arg;
	struct seg_writer zw;
	struct buf zbuf;

	seg_writer_init(&zw, p->l->cfg.level);
	buf_init(&zbuf);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->next_take == p->next_seq && !p->quit)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->next_take == p->next_seq)
			break;
		struct pipe_job *j = &p->job[p->next_take % p->njob];
		uint64_t seq = p->next_take++;
		j->state = JOB_TAKEN;
		pthread_mutex_unlock(&p->mu);
		/* compress outside the lock, alongside the other threads */
		const char *why = NULL;
		buf_reset(&zbuf);
		int bad = seg_block_encode(&zw, j->raw.data, &j->m, &zbuf, &why);
		pthread_mutex_lock(&p->mu);
		while (p->next_write != seq)
			pthread_cond_wait(&p->cv, &p->mu);
		int skip = p->fault.code != 0;
		pthread_mutex_unlock(&p->mu);
		/* our turn: only this thread touches the files and the fault now */
		if (!skip && bad)
			fault_set(&p->fault, EX_FAIL, "%s", why);
		else if (!skip)
			log_write_block(p->l, j->s, &zbuf, &j->m, j->bloom, &p->fault);
		pthread_mutex_lock(&p->mu);
		j->state = JOB_FREE;
		p->next_write++;
		if (j->s->base == p->seg_base) {
			p->seg_bytes = j->s->data_size;  /* written by this thread, before the lock */
			p->seg_done_raw += j->m.raw_len;
		}
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	seg_writer_free(&zw);
	buf_free(&zbuf);
	return NULL;
}

static void pipe_free(struct log_pipe *p)
{
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	for (size_t i = 0; i < p->njob; i++) {
		buf_free(&p->job[i].raw);
		free(p->job[i].bloom);
	}
	free(p->job);
	free(p);
}

/* Start the deflate threads: AGGR_THREADS of them, else one per CPU online;
 * none when that is 1 (or none start): blocks are then written on the
 * caller's thread. */
void log_pipe_start(struct log *l)
{
	int n = log_threads();
	struct log_pipe *p;

	if (n <= 1)
		return;
	p = xcalloc(1, sizeof(*p));
	p->l = l;
	p->njob = (size_t)n + 1;
	p->job = xcalloc(p->njob, sizeof(*p->job));
	for (size_t i = 0; i < p->njob; i++) {
		buf_init(&p->job[i].raw);
		p->job[i].bloom = xcalloc(1, IDX_MAX_BLOOM);
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (int t = 0; t < n && t < PIPE_MAX_THREADS; t++)
		if (thread_start(&p->tid[p->nthreads], pipe_main, p) == 0)
			p->nthreads++;
	if (!p->nthreads) {
		pipe_free(p);
		return;
	}
	l->pipe = p;
}

/* Wait until the deflate threads wrote every block handed to them. Returns
 * 0, or their first failure (err_set), after which the run must be aborted. */
int log_pipe_drain(struct log *l)
{
	struct log_pipe *p = l->pipe;
	int rc;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	while (p->next_write != p->next_seq)
		pthread_cond_wait(&p->cv, &p->mu);
	rc = fault_raise(&p->fault);
	p->fault.code = 0;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void log_pipe_seg_reset(struct log *l, const struct log_seg *s)
{
	struct log_pipe *p = l->pipe;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->seg_base = s->base;
	p->seg_bytes = s->data_size;
	p->seg_sub_raw = p->seg_done_raw = 0;
	pthread_mutex_unlock(&p->mu);
}

int log_pipe_seg_full(struct log *l, const struct log_seg *s, uint64_t limit)
{
	struct log_pipe *p = l->pipe;
	uint64_t upper;

	if (p) {
		/* what is written, plus what the blocks in flight could become
		 * (deflate's worst case is a little over the raw size) */
		pthread_mutex_lock(&p->mu);
		uint64_t inflight = p->seg_sub_raw - p->seg_done_raw;
		upper = p->seg_bytes + inflight + inflight / 256 + 256 * (uint64_t)p->njob;
		pthread_mutex_unlock(&p->mu);
		if (upper < limit)
			return 0;
		/* it may be: wait for them, and decide on the exact size */
		if (log_pipe_drain(l))
			return -1;
	}
	return s->data_size >= limit;
}

void log_pipe_stop(struct log *l)
{
	struct log_pipe *p = l->pipe;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int t = 0; t < p->nthreads; t++)
		pthread_join(p->tid[t], NULL);
	pipe_free(p);
	l->pipe = NULL;
}

/* Hand the current block to the deflate threads, waiting for a free slot.
 * Returns 0, or an earlier block's failure (the run must be aborted). */
int log_pipe_submit(struct log *l, struct log_seg *s)
{
	struct log_pipe *p = l->pipe;
	struct pipe_job *j;
	int rc;

	pthread_mutex_lock(&p->mu);
	j = &p->job[p->next_seq % p->njob];
	while (j->state != JOB_FREE)
		pthread_cond_wait(&p->cv, &p->mu);
	rc = p->fault.code;
	if (!rc) {
		struct buf t = j->raw;
		j->raw = l->block;
		l->block = t;
		j->m = l->cur;
		j->s = s;
		memcpy(j->bloom, l->cur_bloom, l->bloom_bytes);
		j->state = JOB_QUEUED;
		if (s->base == p->seg_base)
			p->seg_sub_raw += j->m.raw_len;
		j->seq = p->next_seq++;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return rc ? log_pipe_drain(l) : 0;
}


/* ---- reading blocks in parallel ---- */

/*
 * The one block verifier: read block e of s and check it against its index
 * entry and itself (header, deflate stream, CRC-32, sizes).
 */
int log_block_load(const struct log *l, const struct log_seg *s, const struct idx_entry *e, struct seg_reader *r,
		   struct buf *blk, struct buf *raw, struct fault *f)
{
	struct block_meta m;
	const char *why = NULL;
	char name[PATH_MAX];

	buf_reset(blk);
	buf_reserve(blk, e->m.block_len);
	ssize_t got = pread_full(s->data_fd, blk->data, e->m.block_len, (off_t)e->pos);
	if (got < 0) {
		int err = errno;
		logf_seg_rel(l, s, 0, name, sizeof(name));
		errno = err;
		fault_sys(f, "cannot read %s", name);
		return -1;
	}
	blk->len = (size_t)got;
	if ((size_t)got != e->m.block_len)
		why = "block truncated";
	else if (seg_block_header((unsigned char *)blk->data, blk->len, &m, &why) == 0 &&
		 (m.block_len != e->m.block_len || m.raw_len != e->m.raw_len || m.count != e->m.count ||
		  m.first_offset != e->m.first_offset || m.min_key != e->m.min_key || m.max_key != e->m.max_key))
		why = "block header disagrees with the index";
	if (!why)
		seg_block_decode(r, (unsigned char *)blk->data, blk->len, raw, &why);
	if (!why)
		return 0;
	logf_seg_rel(l, s, 0, name, sizeof(name));
	fault_set(f, EX_CORRUPT, "%s: offset %" PRIu64 ": %s", name, e->pos, why);
	return -1;
}

/* One block to read; the worker that decodes it records how it went in the
 * slot's fault, which the calling thread raises. */
struct rb_job {
	const struct log_seg *s;
	const struct idx_entry *e;
};

struct rb_slot {
	size_t job;                   /* the job it holds, SIZE_MAX when none */
	struct buf blk, raw;
	struct fault fault;
};

#define RB_SLOTS_PER_THREAD 3
#define RB_MAX_THREADS 8

struct rb {
	struct log *l;
	struct rb_job *jobs;
	size_t njobs, next, consumed, nslot;
	uint64_t inflated;           /* jobs decoded, read-ahead included */
	struct rb_slot *slot;
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t done, freed;
};

static void rb_decode(struct rb *b, size_t j, struct rb_slot *sl, struct seg_reader *r)
{
	sl->fault.code = 0;  /* the slot's last job was raised or was fine */
	log_block_load(b->l, b->jobs[j].s, b->jobs[j].e, r, &sl->blk, &sl->raw, &sl->fault);
}

static void *rb_worker(void *arg)
{
	struct rb *b = arg;
	struct seg_reader r;

	seg_reader_init(&r);
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->stop && b->next < b->njobs && b->next >= b->consumed + b->nslot)
			pthread_cond_wait(&b->freed, &b->mu);
		if (b->stop || b->next >= b->njobs)
			break;
		size_t j = b->next++;
		struct rb_slot *sl = &b->slot[j % b->nslot];
		pthread_mutex_unlock(&b->mu);
		rb_decode(b, j, sl, &r);
		pthread_mutex_lock(&b->mu);
		b->inflated++;
		sl->job = j;
		pthread_cond_broadcast(&b->done);
	}
	pthread_mutex_unlock(&b->mu);
	seg_reader_free(&r);
	return NULL;
}

/* Threads for reading: AGGR_THREADS, else the CPUs online, at most 8. */
int log_threads(void)
{
	const char *env = getenv("AGGR_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > RB_MAX_THREADS ? RB_MAX_THREADS : (int)n;
}

int log_read_blocks(struct log *l, log_filter_fn filter, void *fctx, log_block_fn fn, void *ctx,
		    struct log_scan_stats *st)
{
	return log_read_range(l, 0, UINT64_MAX, filter, fctx, fn, ctx, st);
}

/* Run the pipeline over the jobs in b (chosen by the caller), calling fn
 * in order. Returns 0, fn's code (LOG_STOP included) or an error code. */
static int rb_run(struct rb *b, log_block_fn fn, void *ctx, struct log_scan_stats *st)
{
	pthread_t tid[RB_MAX_THREADS];
	int nthreads = 0, rc = 0;

	b->next = b->consumed = 0;
	b->inflated = 0;
	b->stop = 0;
	int want = b->njobs > 1 ? log_threads() : 1;
	b->nslot = want > 1 ? (size_t)want * RB_SLOTS_PER_THREAD : 1;
	b->slot = xcalloc(b->nslot, sizeof(*b->slot));
	for (size_t i = 0; i < b->nslot; i++) {
		b->slot[i].job = SIZE_MAX;
		buf_init(&b->slot[i].blk);
		buf_init(&b->slot[i].raw);
	}
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->done, NULL);
	pthread_cond_init(&b->freed, NULL);
	/* one block, or one thread: decode here, in order, with no threads */
	for (int t = 0; want > 1 && t < want; t++)
		if (thread_start(&tid[nthreads], rb_worker, b) == 0)
			nthreads++;
	struct seg_reader r;
	seg_reader_init(&r);
	for (size_t j = 0; j < b->njobs && !rc; j++) {
		struct rb_slot *sl = &b->slot[j % b->nslot];
		if (nthreads) {
			pthread_mutex_lock(&b->mu);
			while (sl->job != j)
				pthread_cond_wait(&b->done, &b->mu);
			pthread_mutex_unlock(&b->mu);
		} else {
			rb_decode(b, j, sl, &r);
			b->inflated++;
		}
		const struct log_seg *s = b->jobs[j].s;
		const struct idx_entry *e = b->jobs[j].e;
		st->blocks_read++;
		if (sl->fault.code) {
			rc = fault_raise(&sl->fault);
		} else {
			st->records += e->m.count;
			rc = fn(s, e, &sl->raw, ctx);
		}
		if (nthreads) {
			pthread_mutex_lock(&b->mu);
			sl->job = SIZE_MAX;
			b->consumed = j + 1;
			pthread_cond_broadcast(&b->freed);
			pthread_mutex_unlock(&b->mu);
		}
	}
	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	pthread_cond_broadcast(&b->freed);
	pthread_mutex_unlock(&b->mu);
	for (int t = 0; t < nthreads; t++)
		pthread_join(tid[t], NULL);
	st->blocks_inflated += b->inflated;
	seg_reader_free(&r);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->done);
	pthread_cond_destroy(&b->freed);
	for (size_t i = 0; i < b->nslot; i++) {
		buf_free(&b->slot[i].blk);
		buf_free(&b->slot[i].raw);
	}
	free(b->slot);
	return rc;
}



/* Should a read skip all of s, by its summary and what the reader wants? */
static int seg_skip(const struct log *l, const struct log_seg *s, uint64_t from, uint64_t to)
{
	uint64_t end = s + 1 < l->seg + l->nseg ? s[1].base : UINT64_MAX;

	if (!s->sum.blocks || end <= from || s->base >= to || s->sum.max_ingest < l->expire_before)
		return 1;
	return l->want_range && (s->sum.max_key < l->want_min || s->sum.min_key > l->want_max);
}

/* Read the entries of s's candidate blocks (cand: a bit per block) from
 * its index, each verified by its CRC, into *ent (their blooms in *raw).
 * Returns 0 or EX_CORRUPT / EX_FAIL naming the index. */
static int load_candidates(struct log *l, struct log_seg *s, const unsigned char *cand, struct idx_entry **ent,
			   unsigned char **raw, size_t *n)
{
	unsigned char hdr[IDX_HDR_LEN];

	*n = 0;
	if (!s->ih.entry_size &&
	    (pread_full(s->idx_fd, hdr, IDX_HDR_LEN, 0) != IDX_HDR_LEN || idx_header_decode(hdr, &s->ih) ||
	     s->ih.base_offset != s->base)) {
		memset(&s->ih, 0, sizeof(s->ih));
		return err_set(EX_CORRUPT, "%s: offset 0: bad index header", log_seg_file(l, s, 1));
	}
	size_t es = s->ih.entry_size, count = 0;
	for (uint64_t b = 0; b < s->sum.blocks; b++)
		count += (cand[b / 8] >> (b % 8)) & 1;
	*ent = xmalloc(sizeof(**ent) * (count + 1));
	*raw = xmalloc(es * count + 1);
	for (uint64_t b = 0; b < s->sum.blocks; b++) {
		if (!((cand[b / 8] >> (b % 8)) & 1))
			continue;
		unsigned char *p = *raw + *n * es;
		off_t at = (off_t)(IDX_HDR_LEN + b * es);
		ssize_t got = pread_full(s->idx_fd, p, es, at);
		struct idx_entry *e = &(*ent)[*n];
		if (got < 0)
			return err_sys("cannot read %s", log_seg_file(l, s, 1));
		if ((size_t)got != es || idx_entry_decode(p, &s->ih, e) || e->pos + e->m.block_len > s->sum.bytes ||
		    e->m.first_offset < s->base)
			return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": damaged index entry", log_seg_file(l, s, 1),
				       (uint64_t)at);
		++*n;
	}
	return 0;
}

int log_read_range(struct log *l, uint64_t from, uint64_t to, log_filter_fn filter, void *fctx, log_block_fn fn,
		   void *ctx, struct log_scan_stats *st)
{
	struct rb b;
	int rc = 0;
	size_t cap = 0;
	struct log_scan_stats local;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	memset(&b, 0, sizeof(b));
	b.l = l;
	for (size_t i = 0; i < l->nseg; i++)
		st->blocks_total += l->seg[i].lazy && !l->seg[i].ent ? l->seg[i].sum.blocks : l->seg[i].nent;
	/* segment by segment, in order: an index is loaded only when the
	 * segment's summary and filter say it may hold a wanted block, and
	 * released once its blocks are read */
	for (size_t i = 0; i < l->nseg && !rc; i++) {
		struct log_seg *s = &l->seg[i];
		struct idx_entry *ent = s->ent, *sparse = NULL;
		unsigned char *sraw = NULL, *cand = NULL;
		size_t nent = s->nent;
		int loaded = 0;
		if (s->lazy && !s->ent && seg_skip(l, s, from, to))
			continue;
		if (s->lazy && !s->ent && l->nwant && s->has_filter) {
			int any;
			if ((rc = log_filter_candidates(l, s, &cand, &any)) || !any) {
				free(cand);
				continue;
			}
			rc = load_candidates(l, s, cand, &sparse, &sraw, &nent);
			ent = sparse;
			free(cand);
		} else if (s->lazy && !s->ent) {
			if (!(rc = log_seg_ensure(l, s)))
				loaded = 1;
			ent = s->ent;
			nent = s->nent;
		}
		b.njobs = 0;
		for (size_t j = 0; j < nent && !rc; j++) {
			const struct idx_entry *e = &ent[j];
			/* a compacted block's end is only a lower bound */
			if ((!(e->m.flags & IDX_SPARSE) && e->m.first_offset + e->m.count <= from) ||
			    e->m.first_offset >= to)
				continue;
			if (log_block_expired(l, e) || (filter && !filter(e, s, fctx)))
				continue;
			if (b.njobs == cap) {
				cap = cap ? cap * 2 : 256;
				b.jobs = xrealloc(b.jobs, sizeof(*b.jobs) * cap);
			}
			b.jobs[b.njobs].s = s;
			b.jobs[b.njobs++].e = e;
		}
		if (!rc && b.njobs)
			rc = rb_run(&b, fn, ctx, st);
		free(sparse);
		free(sraw);
		if (loaded)
			log_seg_release(s);
	}
	free(b.jobs);
	return rc == LOG_STOP ? 0 : rc;
}
