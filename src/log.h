/* log.h: the segmented, append-only log: open, recover, append, commit, scan
 *
 * The log knows nothing about record kinds. A writer hands it JSON lines with
 * a key (an int64 the kind chooses, e.g. the flows hour) and optional bloom
 * keys; readers get the committed blocks and their index entries.
 * The on-disk format is specified in aggr-format(5).
 */
#ifndef AGGR_LOG_H
#define AGGR_LOG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "index.h"
#include "segment.h"
#include "util.h"

struct log_config {
	size_t block_bytes;        /* raw bytes per block before it is cut */
	uint64_t segment_bytes;    /* roll once a segment reaches this size */
	int level;                 /* deflate level */
	uint32_t bloom_bytes;      /* 0: no bloom filter in index entries */
	uint32_t bloom_k;
	const char *kind;          /* recorded in the MANIFEST */
	int64_t retention_us;      /* a new log's retention (0: keep forever) */
	int64_t seal_age_us;       /* seal the active segment at the first commit this long
				    * after its first block (other engines see it then) */
	int64_t cluster_width;     /* > 0: a run groups records into blocks by key /
				    * cluster_width (log-cluster.c); 0: arrival order */
	int cluster_slots;         /* its open blocks, 0 (off) to LOG_CLUSTER_SLOTS */
	int lazy;                  /* writer: a sealed segment's index is read only when
				    * a read needs one of its blocks, as a reader's is, so
				    * opening costs what the MANIFEST says, not the history */
};

/* The most open blocks a clustered run keeps (one per key bucket). */
#define LOG_CLUSTER_SLOTS 8

/* Defaults, overridden by AGGR_BLOCK_BYTES, AGGR_SEGMENT_BYTES, AGGR_LEVEL,
 * AGGR_SEAL_AGE (seconds), AGGR_CLUSTER (open blocks of a clustered run).
 * Returns 0, or EX_USAGE when one of them is malformed. */
int log_config_init(struct log_config *c, const char *kind, uint32_t bloom_bytes, uint32_t bloom_k);

/* A log and one of its segments: opaque above the log (log-int.h). */
struct log;
struct log_seg;

/* A reader's block filter: sees each index entry and returns 1 to read it. */
typedef int (*log_filter_fn)(const struct idx_entry *e, const struct log_seg *s, void *ctx);

/* What an open log is: its name ("flows", "streams/x"), kind, directory
 * (DATA/NAME), whether it exists (has a MANIFEST), the offset the next
 * record gets, the first offset still stored, its retention period in
 * microseconds (0: forever) and, in a run, the records appended so far. */
const char *log_name(const struct log *l);
const char *log_kind(const struct log *l);
const char *log_path(const struct log *l);
int log_exists(const struct log *l);
uint64_t log_next_offset(const struct log *l);
uint64_t log_first_offset(const struct log *l);
int64_t log_retention(const struct log *l);
/* The size the log's files may take (log_disk_bytes), 0: any. */
uint64_t log_retention_bytes(const struct log *l);
uint64_t log_run_records(const struct log *l);
/* Writer: did this writer create the log? (A log it created and
 * committed nothing to goes again when it closes.) */
int log_created(const struct log *l);

/* Totals of the committed, unexpired and expired blocks alike: for info. */
struct log_totals {
	uint64_t segments, blocks, records, raw_bytes, bytes;
	int64_t min_key, max_key, min_ingest, max_ingest;  /* valid when blocks > 0 */
};
void log_totals(const struct log *l, struct log_totals *t);

/* May block e of segment s hold bloom key (p, n)? 1 when it may (or the
 * block has no filter), 0 when it certainly does not. */
int log_block_may_have(const struct log_seg *s, const struct idx_entry *e, const void *p, size_t n);

/*
 * Hints for the readers that follow (log_scan, log_read_*): what the
 * reader's filter wants, so that segments that cannot hold it are skipped
 * by their MANIFEST summary and filter file without loading their index.
 * log_want_key(): the filter wants no block for which log_block_may_have()
 * says 0 for every key so named (p NULL: forget the keys). log_want_range():
 * it wants no block whose key range misses [min_key, max_key] (min_key >
 * max_key: forget it). A hint that the filter does not honour hides
 * records: give none then.
 */
void log_want_key(struct log *l, const void *p, size_t n);
void log_want_range(struct log *l, int64_t min_key, int64_t max_key);

/*
 * The offset of the first record retention keeps: the first segment's base
 * (retention deleted what came before), past the expired blocks that
 * follow it without a gap. A gap (a block set aside as damaged) or a block
 * that cannot be read ends the walk there, so damage never reads as
 * retention. Wholly expired segments go by their MANIFEST summary and
 * only the one segment that is partly expired loads its index, so the
 * cost does not grow with the history.
 */
uint64_t log_first_retained(struct log *l);

/* How many unexpired blocks the filter (NULL: all) wants: for progress. */
uint64_t log_count_blocks(const struct log *l, log_filter_fn filter, void *fctx);

/*
 * A cheap look at whether a log has changed since a snapshot, for
 * followers: what changes when a run commits is the MANIFEST (replaced when
 * a run starts or seals a segment) or the active index (appended).
 * log_stamp() takes it from an open log; log_stamp_again() takes it anew
 * from the same files, and the two compare equal with log_stamp_same()
 * until something committed.
 */
struct log_stamp {
	char manifest[PATH_MAX], index[PATH_MAX];
	uint64_t ino;
	int64_t msize, isize, mtime_s, mtime_ns;
};
void log_stamp(const struct log *l, struct log_stamp *st);
void log_stamp_again(const struct log_stamp *old, struct log_stamp *st);
int log_stamp_same(const struct log_stamp *a, const struct log_stamp *b);

/* The kind a log of this name holds: its name, or "stream" for
 * streams/NAME. */
const char *log_name_kind(const char *name);

/* Resolve the data directory: -d DIR, else $AGGR_DIR, else
 * $XDG_DATA_HOME/aggr, else $HOME/.local/share/aggr. Returns a malloc'd path
 * or NULL with err_set (EX_USAGE) when none can be formed. */
char *log_data_dir(const char *opt_dir);

/*
 * Open a log for reading: a snapshot of the committed state, taken without a
 * lock. An absent log opens as empty. Returns 0 and sets *out, or an error
 * code: EX_CORRUPT for a damaged MANIFEST or index header, EX_FAIL/EX_PERM
 * for I/O.
 */
int log_open_read(const char *data_dir, const char *name, struct log **out);

/*
 * Open a log for writing: create its directory when missing, take the
 * writer lock (waiting up to wait_secs; 0 fails at once with EX_CONFLICT),
 * and recover (drop uncommitted tails, delete orphans). Returns 0 and sets
 * *out, or EX_CONFLICT (locked), EX_CORRUPT (committed data damaged),
 * EX_FAIL/EX_PERM.
 */
int log_open_write(const char *data_dir, const char *name, const struct log_config *cfg,
		   double wait_secs, struct log **out);

/* Release everything (and the lock). Safe on NULL. An open run is aborted. */
void log_close(struct log *l);

/* Start an ingest run. Returns 0. */
int log_begin(struct log *l, int64_t ingest_us);
/*
 * Append one record (a JSON line without its newline) to the run. key is the
 * kind's key time; bloom keys are added to the block's filter. Returns 0 or
 * an error code; the run must then be aborted.
 */
struct log_bloom_key {
	const char *p;
	size_t n;
};
int log_append(struct log *l, const char *line, size_t n, int64_t key,
	       const struct log_bloom_key *bk, size_t nbk);
/*
 * Batch IDs make cron retries idempotent: the ID of a committed run is kept
 * in the log's "batches" file, written before the run's commit point with
 * the run's offsets, so recovery drops it when the run did not commit. The
 * file keeps the newest 10000 IDs and is read only by a run with an ID, on
 * the first call of either function below.
 * log_batch_seen() returns 1 when a committed run carried id, 0 when none
 * did, -1 (err_set: EX_CORRUPT for a damaged file) when it cannot tell.
 * log_set_batch() names the current run's ID (NULL: none); id must stay
 * valid until the commit. Returns 0 or an error code (the run must then
 * not commit). log_batch_id_valid(): 1..200 printable ASCII characters
 * without spaces.
 */
int log_batch_seen(struct log *l, const char *id);
int log_set_batch(struct log *l, const char *id);
/* For info: how many batch IDs log_batch_seen() would find stored now (at
 * most 9999: a writer keeps a slot for its run's). Works on a log opened
 * for reading. Returns 0 and sets *n, or EX_CORRUPT for a damaged
 * batches file, EX_FAIL/EX_PERM for I/O. */
int log_batch_count(const struct log *l, uint64_t *n);
int log_batch_id_valid(const char *id);

/* Make the run durable and visible. Returns 0 or an error code, in which
 * case nothing of the run is visible (the caller should abort). */
int log_commit(struct log *l);
/* Undo a run: truncate back to where it started. */
void log_abort(struct log *l);

/* Visit every committed record. The filter (NULL: all) sees each index entry
 * and returns 1 to read its block. fn returns 0 to go on, or a code to stop
 * with. Damaged blocks give EX_CORRUPT naming the file and byte offset. */
/* offset: the record's offset, or LOG_NO_OFFSET inside a compacted block
 * whose records are not contiguous (only its first record's is known) */
#define LOG_NO_OFFSET UINT64_MAX
typedef int (*log_record_fn)(const char *line, size_t n, uint64_t offset, void *ctx);
struct log_scan_stats {
	uint64_t blocks_total, blocks_read, records;
	uint64_t blocks_inflated;    /* read and inflated, read-ahead included (>= blocks_read) */
};
int log_scan(struct log *l, log_filter_fn filter, log_record_fn fn, void *ctx, struct log_scan_stats *st);

/*
 * The one read path for a part of the log: visit the committed, unexpired
 * records with offsets in [from, to), oldest first, reading only blocks
 * that hold such offsets and that the filter (NULL: all; it gets fctx)
 * wants. fn returns 0 to go on, LOG_STOP to stop (log_read_from then
 * returns 0), or an error code to stop with. Records of compacted blocks
 * whose offset is not known (LOG_NO_OFFSET) are all visited. Returns 0,
 * fn's code, or EX_CORRUPT / EX_FAIL.
 */
#define LOG_STOP (-1)
int log_read_from(struct log *l, uint64_t from, uint64_t to, log_filter_fn filter, void *fctx, log_record_fn fn,
		  void *ctx, struct log_scan_stats *st);

/*
 * Visit the committed, unexpired blocks the filter (NULL: all) wants, in
 * log order, each inflated and verified: fn gets the block's raw JSON lines
 * (valid until it returns) and returns 0 to go on or a code to stop with.
 * Blocks are read and inflated ahead on AGGR_THREADS threads (default: the
 * CPUs online, at most 8) while fn runs on the calling thread, so fn needs
 * no locking. Returns 0, fn's code, or EX_CORRUPT / EX_FAIL naming the file
 * and byte offset of a damaged or unreadable block.
 */
typedef int (*log_block_fn)(const struct log_seg *s, const struct idx_entry *e, const struct buf *raw,
			    void *ctx);
int log_read_blocks(struct log *l, log_filter_fn filter, void *fctx, log_block_fn fn, void *ctx,
		    struct log_scan_stats *st);
/* The same for the blocks holding offsets in [from, to); fn may return LOG_STOP. */
int log_read_range(struct log *l, uint64_t from, uint64_t to, log_filter_fn filter, void *fctx, log_block_fn fn,
		   void *ctx, struct log_scan_stats *st);

/* Read and verify one block into raw. Returns 0 or EX_CORRUPT/EX_FAIL. */
int log_read_block(struct log *l, const struct log_seg *s, const struct idx_entry *e,
		   struct seg_reader *r, struct buf *blk, struct buf *raw);

/* File name of a segment's data (idx 0, by the name it has now: .jsonl.gz or
 * .jsonl.gz.open), index (idx 1) or filter file (idx 2), as NAME/BASE...,
 * for messages. Returned by value, so there is no static buffer: every
 * call has its own copy and any thread may call it, and two names in one
 * message differ. log_seg_file() is the string, which lives until the end
 * of the full expression holding the call (C11 6.2.4): pass it straight
 * to err_set() or printf; never keep the pointer. */
struct log_seg_name {
	char str[PATH_MAX];
};
struct log_seg_name log_seg_name_of(const struct log *l, const struct log_seg *s, int idx);
#define log_seg_file(l_, s_, idx_) (log_seg_name_of((l_), (s_), (idx_)).str)

/* Delete every record: empty MANIFEST first (the commit), then files.
 * Reports how many records and segments went. Returns 0 or an error code. */
int log_purge(struct log *l, uint64_t *records, uint64_t *segments);

/*
 * Compaction: rewrite every segment holding records fn drops or changes,
 * keeping the order and offsets of the rest. fn sees each committed record
 * (offset LOG_NO_OFFSET where only a lower bound is known) and fills keep:
 * keep->line NULL drops it; else keep->line/n is what to store (the input
 * line itself when unchanged) with its key and bloom keys. fn returns 0 or
 * an error code that stops compaction with nothing changed.
 * The new files are written and synced beside the old ones, then the
 * MANIFEST rename switches to them (the commit point), then the old files
 * go. A crash leaves the old set or the new one, never a mix. A segment
 * left empty leaves the MANIFEST. Needs a writer-opened log with no run.
 * Returns 0 or an error code.
 */
struct log_keep {
	const char *line;
	size_t n;
	int64_t key;
	const struct log_bloom_key *bloom;
	size_t nbloom;
};
typedef int (*log_compact_fn)(const char *line, size_t n, uint64_t offset, struct log_keep *keep,
			      void *ctx);
struct log_compact_stats {
	uint64_t segments_rewritten, segments_dropped, records_kept, records_dropped;
	uint64_t bytes_before, bytes_after;
};
int log_compact(struct log *l, log_compact_fn fn, void *ctx, struct log_compact_stats *st);

/* check: verify everything; prints findings; returns 0 or EX_CORRUPT. */
/* torn_bytes: past the last commit of the active segment; orphan_bytes: in
 * files no MANIFEST lists (segments of runs that did not commit, temporary
 * files). Neither is damage: log_check returns 0 for them. */
struct log_check_stats {
	uint64_t segments, blocks, records, torn_bytes, orphan_bytes;
};
int log_check(struct log *l, struct log_check_stats *st);
/* After log_check returned 0: when it saw bytes past the last commit and no
 * writer is at work (the writer lock is free: check takes it shared for a
 * moment, without waiting), measure them again under it and report them:
 * EX_LEFTOVER with a message, else 0. A writer at work owns those bytes. */
int log_check_leftovers(struct log *l, const struct log_check_stats *st);

/*
 * check --repair: take the writer lock and make the log sound again without
 * making visible any record that no commit proves (aggr-format(5), REPAIR):
 * rebuild a lost or damaged index or MANIFEST from the segment files, set
 * aside damaged blocks and blocks no commit proves (the segment's next
 * generation keeps the rest), drop a segment whose data file is lost, drop
 * damaged and uncommitted lines of the batches and keys files, remove the
 * uncommitted bytes of interrupted runs. Files replaced or dropped are kept
 * in NAME/lost/. Reports each thing done on stderr (warnx_). Returns 0 or an
 * error code, with nothing committed changed.
 */
int log_repair(const char *data_dir, const char *name, const struct log_config *cfg, double wait_secs);

/*
 * purge of a log that cannot be opened (a damaged or lost MANIFEST, index
 * or segment): take the writer lock and write an empty MANIFEST for the
 * log's kind and retention (its own, or cfg's) whose next_offset is past
 * every offset the files show, then remove the segment, batches and keys
 * files. *segments: data files removed. Returns 0 or an error code.
 */
int log_purge_damaged(const char *data_dir, const char *name, const struct log_config *cfg, double wait_secs,
		      uint64_t *segments);

/* Is there a log called name in data_dir: a MANIFEST, or segment files
 * (when the MANIFEST is lost), or a directory that cannot be read (so that
 * opening it reports why)? Returns 1 or 0. */
int log_present(const char *data_dir, const char *name);

/*
 * Retention. A log's MANIFEST may hold a retention period (set when the log
 * is created from log_config.retention_us, or by log_set_retention): blocks
 * ingested longer ago than that are expired. log_open_read() sets
 * expire_before to now minus the period (INT64_MIN without one), and every
 * reader (log_scan, and callers that read blocks themselves through
 * log_block_expired) skips expired blocks at once; log_check() still
 * verifies them. log_retain() then deletes them for good.
 */
int log_block_expired(const struct log *l, const struct idx_entry *e);
/* Set expire_before (INT64_MIN: read expired blocks too, as check does);
 * returns the old value. */
int64_t log_expiry(struct log *l, int64_t expire_before);

/* Writer: record a new retention period in the MANIFEST (0: keep forever),
 * a committed change: a log this writer created stays. Returns 0 or an
 * error code. */
int log_set_retention(struct log *l, int64_t retention_us);

/*
 * Writer, outside a run: delete the oldest segments all of whose blocks were
 * ingested before cutoff (microseconds), stopping at the first segment that
 * holds a newer block, so offsets stay contiguous; the active segment goes
 * too when all of it expired. The MANIFEST rename is the commit point; the
 * files are then orphans, removed at once or by the next writer. Reports the
 * records and segments deleted. Returns 0 or an error code.
 */
int log_retain(struct log *l, int64_t cutoff, uint64_t *records, uint64_t *segments);

/* The sizes of the regular files under the log's directory into *sum
 * (subdirectories such as lost/ and consumers/ included; a file that goes
 * meanwhile counts nothing). Returns 0, or an error code when a directory
 * cannot be read (a missing log is empty). */
int log_disk_bytes(const struct log *l, uint64_t *sum);

/* Writer: record the size the log may take in the MANIFEST (0: any), a
 * committed change as log_set_retention's. Returns 0 or an error code. */
int log_set_retention_bytes(struct log *l, uint64_t max_bytes);

/*
 * Writer, outside a run: delete the oldest whole sealed segments until the
 * log's files (log_disk_bytes) take at most max_bytes. The newest segment
 * always stays, sealed or active, so a log never loses its latest records
 * or data not yet sealed, even when that segment alone is larger. Commits
 * as log_retain does (the MANIFEST rename, then the unlinks). Reports the
 * records, segments and bytes deleted, and the bytes the log takes after.
 * Returns 0 or an error code.
 */
int log_retain_bytes(struct log *l, uint64_t max_bytes, uint64_t *records, uint64_t *segments, uint64_t *freed,
		     uint64_t *left);

/*
 * Summary keys: a small set of short strings per log that a query lists
 * without scanning the log (sessions: every country ever seen). They live in
 * the log's "keys" file as "KEY OFFSET" lines, OFFSET being the end of the
 * run that added KEY. Like batches, the file is replaced before the run's
 * commit point and a line counts only once the log's end reaches OFFSET, so
 * a run that did not commit adds nothing (writers drop such lines on open).
 * Retention keeps keys; purge drops them (the MANIFEST's keys_from line).
 *
 * log_key_add(): in a run, add key (1..255 bytes, printable ASCII without
 * spaces). Returns 0, or EX_DATA for a key of another form.
 * log_keys_read(): the committed keys as "KEY\n" lines, in the order they
 * were first added, into out. Returns 0 or an error code.
 */
int log_key_add(struct log *l, const char *key, size_t n);
int log_keys_read(struct log *l, struct buf *out);

/*
 * Named state: a short value per name that a run sets and that holds only
 * once the run is committed (a stream's owner, "producers"). It lives in
 * the log's file NAME as the line "VALUE OFFSET", OFFSET being the end of
 * the run that set VALUE. Like keys, the file is replaced before the run's
 * commit point and a line counts only once the log's end reaches OFFSET:
 * a run that does not commit leaves the value as it was, and writers drop
 * its line on open (log_abort too). A bare "VALUE" line, written before
 * aggr recorded offsets, counts while the log holds any record. Names:
 * "producers".
 *
 * log_state_put(): in a run that has appended at least one record, set
 * name to value (1..255 bytes of printable ASCII without spaces). Returns
 * 0, EX_DATA for a value of another form, or an error code.
 * log_state_get(): the committed value into out (empty: none). Returns 0,
 * EX_CORRUPT naming the file when it is damaged, or an error code.
 */
int log_state_put(struct log *l, const char *name, const char *value, size_t n);
int log_state_get(struct log *l, const char *name, struct buf *out);

#endif
