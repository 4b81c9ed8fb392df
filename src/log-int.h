/* log-int.h: the log's private parts, shared by src/log*.c only
 *
 * Nothing above the log includes this file: commands and kinds see the
 * opaque struct log through log.h.
 *
 * Which fields belong to whom
 * ---------------------------
 * A struct log holds three layers of state, and each function of the
 * engine touches only its own:
 *
 *  - The snapshot (every log): dir, name, kind, have_manifest, seg[] and
 *    nseg, next_offset, manifest_next, retention_us, retention_bytes,
 *    expire_before,
 *    keys_from. log_load() fills it from the MANIFEST and the index files;
 *    log_manifest_write() writes it back. Readers never change it after
 *    log_open_read() returns.
 *
 *  - The writer (log_open_write only): writer, lock_fd, cfg, zw, the
 *    committed state files (batches, keys), created_manifest, committed,
 *    manifest_renamed, pipe.
 *
 *  - The run (between log_begin and log_commit/log_abort): in_run,
 *    run_seg0, run_created, run_data0, run_idx0, run_next, run_records,
 *    run_blocks, block, zbuf, cur, cur_bloom, bloom geometry, pend and
 *    have_pend, run_batch, run_keys, the state files' undo lengths.
 *
 * Threads
 * -------
 * The deflate threads (log-threads.c) touch, while blocks are in flight,
 * only the active segment's data_size/idx_size and files, pend, have_pend
 * and pend_bloom, one thread at a time in block order. The caller leaves
 * those alone until log_pipe_drain() returns; every path that reads them
 * (commit, roll, abort) drains first. The read-ahead threads only pread()
 * the data files of a snapshot that does not change while they run.
 *
 * Error handling
 * --------------
 * Functions return 0 or an exit code (util.h) after err_set(). Code that
 * runs on another thread never calls err_set() and returns no static
 * storage: it fills a struct fault (fault.h), which the calling thread
 * turns into the error with fault_raise(), and names files with
 * logf_seg_rel() into its own buffer.
 */
#ifndef AGGR_LOG_INT_H
#define AGGR_LOG_INT_H

#include <dirent.h>
#include <limits.h>

#include "log.h"
#include "fault.h"

/* Summary of a sealed segment, kept in the MANIFEST. */
struct seg_summary {
	uint64_t records, blocks, bytes;
	int64_t min_key, max_key, min_ingest, max_ingest;
};

struct log_seg {
	uint64_t base;                /* first offset; names the files */
	int data_fd, idx_fd;
	struct idx_header ih;
	unsigned char *idx_raw;       /* committed entries, as read */
	struct idx_entry *ent;        /* committed (visible) entries */
	size_t nent;
	uint64_t data_end;            /* end of the last committed block */
	uint64_t idx_end;             /* end of the last committed entry */
	uint64_t data_size, idx_size; /* file sizes seen when opened */
	size_t torn_entries;          /* entries after the last commit */
	int sealed;                   /* listed as sealed in the MANIFEST */
	struct seg_summary sum;       /* from the MANIFEST when sealed, else computed */
	uint32_t gen;                 /* times compaction rewrote it; names the files */
	int data_ftype;               /* the name its data file has now: LOGF_DATA or LOGF_OPEN */
	int64_t born_us;              /* writer: ingest time of its first block */
	int has_filter;               /* MANIFEST: sealed with a filter file (format 3) */
	int flt_fd, flt_open;         /* reader: its filter file, when flt_open */
	struct flt_header *fh;        /* the filter's header once read, else NULL */
	int lazy;                     /* reader: index not loaded until a read needs it */
};

struct log {
	/* the snapshot */
	char *dir;                    /* DATA/NAME */
	char *name;                   /* "flows", "streams/x" */
	char kind[32];
	int have_manifest;
	struct log_seg *seg;
	size_t nseg;
	uint64_t next_offset;         /* offset the next record gets */
	uint64_t manifest_next;       /* next_offset as the MANIFEST last recorded it */
	int64_t retention_us;         /* MANIFEST: blocks expire this long after ingest; 0 never */
	uint64_t retention_bytes;     /* MANIFEST: the log's files may take this many bytes; 0 any */
	int64_t expire_before;        /* readers: blocks ingested before this are gone */
	uint64_t keys_from;           /* MANIFEST: keys of runs ending at or before this were purged */
	int manifest_version;         /* as read: 1, 2 or 3 (LOG_FORMAT); 0 without one */
	/* what a reader says its filter wants (log_want_key, log_want_range):
	 * segments that cannot hold it are skipped before their index loads */
	struct buf want_keys;         /* u32 length, then the bytes, per key */
	size_t nwant;
	int want_range;
	int64_t want_min, want_max;

	/* the writer */
	int writer;
	int lock_fd;
	struct log_config cfg;
	struct seg_writer zw;
	int created_manifest, committed;
	int manifest_renamed;         /* the last log_manifest_write got as far as the rename */
	struct log_pipe *pipe;        /* the deflate threads, or NULL */
	struct buf batches;           /* the batches file as committed, once loaded */
	int batches_loaded;           /* read lazily, by a run with a batch ID */
	struct buf keys;              /* the keys file as committed */
	struct hmap *keys_map;        /* keys committed or added by this run */

	/* the run */
	int in_run;
	size_t run_seg0;              /* the first segment the run writes to */
	size_t run_nseg0;             /* nseg when the run began */
	int run_unseal;               /* run_seg0 was the active segment and the run sealed it */
	int run_created;              /* segments the run created */
	struct buf block, zbuf;
	struct block_meta cur;
	unsigned char *cur_bloom, *pend_bloom;
	struct idx_entry pend;
	int have_pend;
	uint64_t run_data0, run_idx0, run_next;
	uint64_t run_records, run_blocks;
	uint32_t bloom_bytes, bloom_k; /* of the segment this run writes to */
	const char *run_batch;        /* batch ID of this run, or NULL */
	int run_wrote_batches;
	size_t batches_len0;          /* its length before this run */
	struct log_cluster *cluster;  /* a clustered run's open blocks (log-cluster.c), else NULL */
	struct buf run_keys;          /* keys new in this run, one per line */
	int run_wrote_keys;
	size_t keys_len0;             /* length of keys before this run */
};

/*
 * The storage format version, the first line of the MANIFEST. 2: runs may
 * span segments, so a sealed segment's committed entries are the number
 * its MANIFEST line gives; active data files are named .open. Version 1
 * stores are read the same way (their sealed segments end with a COMMIT
 * entry) and the first writer upgrades them.
 */
#define LOG_FORMAT 3

/* ---- log-files.c ---- */
/* Segment file types: data of a sealed segment, index, data of the active one. */
enum { LOGF_DATA, LOGF_IDX, LOGF_OPEN, LOGF_FLT };
/* DIR/BASE[-GEN] plus the extension of file type ftype, into out. */
void logf_seg_name(char *out, size_t n, const char *dir, uint64_t base, uint32_t gen, int ftype);
/* The path of s's data (idx 0: named after its state) or index (idx 1). */
void logf_seg_path(const struct log *l, const struct log_seg *s, int idx, char *out, size_t n);
/* The path of s's file of type ftype, whatever its state. */
void logf_seg_path_as(const struct log *l, const struct log_seg *s, int ftype, char *out, size_t n);
/* NAME/BASE...: the name messages use, into the caller's buffer. */
void logf_seg_rel(const struct log *l, const struct log_seg *s, int idx, char *out, size_t n);
/* Is n a segment file name? Returns 1 and sets *base, *gen and *idx (its
 * LOGF_ type), or 0. */
int logf_parse_seg(const char *n, uint64_t *base, uint32_t *gen, int *idx);
/* An entry of a log directory that is a segment file or a temporary one. */
struct logf_entry {
	const char *name;             /* into the DIR's entry: valid until the next read */
	uint64_t base;                /* a segment file's, when !tmp */
	uint32_t gen;
	int idx;                      /* its LOGF_ type */
	int tmp;                      /* a temporary file (NAME.tmp) */
};
/* The next entry of d (NULL: none) that is a segment file or a temporary
 * file, skipping every other name. Returns 1 with *e filled, or 0 at the
 * end of the directory. */
int logf_dir_next(DIR *d, struct logf_entry *e);
/* Delete temporary files and segment files the MANIFEST does not list;
 * report: say so with -v. Returns 0 or an error code. */
int log_remove_orphans(struct log *l, int report);

/* ---- log-manifest.c ---- */
/* Read DIR/MANIFEST into the snapshot (segments without files open).
 * Returns 0 (have_manifest 0 when absent) or EX_CORRUPT / EX_FAIL. */
int log_manifest_read(struct log *l);
int log_manifest_parse(struct log *l, const char *text, size_t len);
/* Replace the MANIFEST with the snapshot: the commit point of everything
 * that changes the segment list. Returns 0 or an error code; see
 * manifest_renamed for a failure after the rename. */
int log_manifest_write(struct log *l);
/* The bytes segment s's line takes in the MANIFEST. */
size_t log_manifest_seg_len(const struct log_seg *s);
/* Recompute s->sum from its committed entries. */
void log_seg_summarize(struct log_seg *s);

/* ---- log.c ---- */
struct log *log_new(const char *data_dir, const char *name);
void log_seg_close(struct log_seg *s);
void log_segs_reset(struct log *l);
void log_set_next_offset(struct log *l);
/* Read s's index (files open) and keep the committed entries. Returns 0 or
 * EX_CORRUPT / EX_FAIL. */
int log_seg_load_index(struct log *l, struct log_seg *s);
/* The same; with all, every entry that decodes counts (see log.c). */
int log_seg_load(struct log *l, struct log_seg *s, int all);
/* Open s's data file, under either name (sealed or .open; data_ftype says
 * which it had). Returns the descriptor, or -1 with errno. */
int log_seg_open_data(struct log *l, struct log_seg *s, int flags);
/* Open s's files; -ENOENT when one is missing (its name in *missing). */
int log_seg_open_files(struct log *l, struct log_seg *s, int writable, char *missing, size_t n);
int log_mkdir_p(const char *path);
int log_lock(struct log *l, double wait_secs);
int log_recover_tail(struct log *l);

/* ---- log-cluster.c ---- */
/* At log_begin: cluster this run when cfg.cluster_width and
 * cfg.cluster_slots are above 0. */
void log_cluster_begin(struct log *l);
/* log_append of a clustered run (l->cluster with a width). Returns 0 or
 * the error code of writing a block. */
int log_cluster_append(struct log *l, const char *line, size_t n, int64_t key,
		       const struct log_bloom_key *bk, size_t nbk);
/* Write every open block, before the commit. Returns 0 or an error code. */
int log_cluster_flush(struct log *l);
/* Drop the open blocks (abort); free them (log_close). */
void log_cluster_reset(struct log *l);
void log_cluster_free(struct log *l);

/* ---- log-write.c ---- */
/* Write the run's current block (l->block, l->cur, l->cur_bloom) as its
 * next block, rolling the segment when full. Returns 0 or an error code. */
int log_flush_block(struct log *l);
/* Create the empty, synced files of segment (base, gen) into *s. */
int log_seg_create_files(struct log *l, uint64_t base, uint32_t gen, int ftype, uint32_t bloom_bytes,
			 uint32_t bloom_k, struct log_seg *s);
/* Give a sealed segment's data file its public name (and an active one its
 * .open name) when it has the other; sets *renamed. Returns 0 or an error code. */
int log_seg_rename(struct log *l, struct log_seg *s, int *renamed);
/* Compress raw as the block m into out (replaced). Returns 0 or EX_FAIL. */
int log_encode(struct log *l, const char *raw, struct block_meta *m, struct buf *out);
/* Append and sync the seal block that closes s; next: the offset after it. */
int log_seal_write(struct log *l, struct log_seg *s, uint64_t next, int64_t ingest_us);
int log_write_entry(struct log *l, struct log_seg *s, const struct idx_entry *e);
/* Write a compressed block, then the pending entry of the one before it;
 * may run on a deflate thread, so failures go to *f. Returns 0 or the
 * code recorded in *f. */
int log_write_block(struct log *l, struct log_seg *s, const struct buf *zbuf, const struct block_meta *m,
		    const unsigned char *bloom, struct fault *f);

/* ---- log-threads.c ---- */
int log_threads(void);
void log_pipe_start(struct log *l);
void log_pipe_stop(struct log *l);
int log_pipe_drain(struct log *l);
int log_pipe_submit(struct log *l, struct log_seg *s);
/* Has s, with every block handed over so far, reached limit bytes? The
 * answer is the same whether and however many deflate threads run (they
 * are waited for only when it may be yes), so the files are too. Returns
 * 1, 0, or -1 with err_set (a block failed). */
int log_pipe_seg_full(struct log *l, const struct log_seg *s, uint64_t limit);
/* Tell the threads' count which segment is written next (nothing in flight). */
void log_pipe_seg_reset(struct log *l, const struct log_seg *s);
/* Read block e of s and verify it against its index entry: on success 0
 * with the JSON lines in raw; else -1 with *f filled: EX_CORRUPT
 * "NAME/BASE.jsonl.gz: offset POS: why" (damage) or an errno fault "cannot
 * read NAME/BASE.jsonl.gz" (I/O). Thread safe. */
int log_block_load(const struct log *l, const struct log_seg *s, const struct idx_entry *e, struct seg_reader *r,
		   struct buf *blk, struct buf *raw, struct fault *f);

/* ---- log-filter.c ----
 * A sealed segment's filter file BASE[-GEN].flt: its index's block bloom
 * filters transposed, one bit slice per bloom bit (aggr-format(5), FILTER
 * FILES), so that a point lookup reads k slices of nblocks bits per
 * segment instead of the whole index. */
struct flt_header {
	uint32_t bloom_bytes, bloom_k, nblocks, slice_len;
	uint64_t base;
	uint32_t gen;
};
/* Does s need a filter file: sealed, with blocks that have bloom filters?
 * (Reads the index header from the file when s's is not loaded.) */
int log_filter_wanted(struct log *l, struct log_seg *s);
/* Write s's filter file from its index file (temporary, fsync, rename,
 * directory fsync). Returns 0 or an error code. */
int log_filter_write(struct log *l, struct log_seg *s);
/* Which of s's blocks may hold one of the wanted keys: sets *any and, in
 * cand (nblocks bits, allocated), the candidates. Returns 0, or
 * EX_CORRUPT naming the filter file when it is damaged, or EX_FAIL. */
int log_filter_candidates(struct log *l, struct log_seg *s, unsigned char **cand, int *any);
/* check: the filter file is exactly what s's index gives. Returns 0 or
 * EX_CORRUPT naming the file. */
int log_filter_check(struct log *l, struct log_seg *s);
/* Reader: load s's index when lazy; release it again. */
int log_seg_ensure(struct log *l, struct log_seg *s);
void log_seg_release(struct log_seg *s);

/* ---- log-check.c ---- */
/* Is there a good COMMIT entry after s's committed entries? Then an entry
 * before it is damaged: committed runs hide behind it. */
int log_seg_hidden_commit(const struct log_seg *s);

/* ---- log-state.c ----
 * The state files replaced before a run's commit point: batches, keys and
 * the named states of log_state_put (log.h). Calling sequence:
 *  - a writer's open, after log_recover_tail: log_state_recover() drops
 *    the lines of runs that did not commit and loads keys (batches are
 *    read only by a run with a batch ID, and only their bounded tail);
 *  - log_commit, before the COMMIT entry: log_state_append() for the run's
 *    batch and keys (log_state_put() already wrote its named states);
 *  - log_abort, in a run: log_state_abort() puts every state file back as
 *    it was before the run.
 */
int log_state_recover(struct log *l);
/* Writer open: cut the batches file's last line when its run did not
 * commit (only the last can be such a line); reads one line whatever the
 * file's size and ignores damage. Returns 0 or an error code. */
int log_batches_recover(struct log *l);
/* The batches file's last lines, whole, as many as can be among the newest
 * BATCHES_KEEP, into out (empty when absent). Returns 0 or an error code. */
int log_batches_read_tail(const struct log *l, struct buf *out);
/* Parse one batches line (without its newline). Returns 0 or -1. */
int log_batch_line_parse(const char *p, size_t n, uint64_t *first, uint64_t *next);
/* Replace the state file name with *cur plus add; *len0: the old length.
 * Returns 0 or an error code, leaving *cur as it was. */
int log_state_append(struct log *l, const char *name, struct buf *cur, const struct buf *add, size_t *len0);
void log_state_abort(struct log *l);
/* Read every state file as writers will (for check): 0, or EX_CORRUPT
 * naming the damaged file and line, or an I/O error code. */
int log_state_check(const struct log *l);

#endif
