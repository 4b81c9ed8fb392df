/* stream.h: event streams over the log: publish with an owner, consumer
 * positions, and the events of one name read from an offset
 *
 * A stream is the log streams/NAME of kind "stream" (kind-stream.c holds
 * the stored form). This module uses only what log.h declares:
 *
 *  - The owner is the first producer whose events are committed: the
 *    log's named state "producers" (log_state_put), set by the run that
 *    publishes the stream's first events, so it is there exactly when
 *    they are.
 *  - A consumer's position for an event name is the file
 *    consumers/CONSUMER,NAME (aggr-format(5)), replaced atomically while
 *    consumers/LOCK is held, so acknowledgements apply one at a time.
 *  - Events are read through log_read_from: committed, unexpired, only
 *    the blocks holding offsets from the position on whose bloom filter
 *    admits the name (or the eventId looked for).
 *
 * Functions return 0 or an exit code (util.h) after err_set().
 */
#ifndef AGGR_STREAM_H
#define AGGR_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "kind-stream.h"
#include "log.h"

/* A stream, producer or consumer name: [A-Za-z0-9._-], 1..128 characters,
 * not starting with '.'. Returns 1 or 0. */
int stream_name_valid(const char *s);

/* Open streams/NAME for reading; a stream exists once it has a MANIFEST.
 * Returns 0, EX_NOTFOUND ("no such stream: NAME"), or an error code. */
int stream_open(const char *dir, const char *name, struct log **lg);
/* NAME of the stream streams/NAME. */
const char *stream_name(const struct log *lg);

/* Every stream of the data directory dir, sorted (malloc'd names; free
 * them and *names). Returns 0 or an error code. */
int stream_names(const char *dir, char ***names, size_t *n);

/* What the stream holds that readers see (committed, unexpired): events,
 * blocks, and when the first and last of them were published (valid when
 * blocks > 0). */
struct stream_totals {
	uint64_t events, blocks;
	int64_t first, last;
};
void stream_totals(const struct log *lg, struct stream_totals *t);

/* The committed owner into owner (empty: none yet). Returns 0,
 * EX_CORRUPT for a damaged producers file, or an error code. */
int stream_owner(struct log *lg, struct buf *owner);

/* ---- publish: one atomic run ---- */

struct stream_pub;
/* Open stream name for writing (creating it) as producer, and start a run
 * ingested at now. Returns 0 and sets *out, EX_CONFLICT when another
 * producer owns the stream or it is locked past wait_secs, or an error code. */
int stream_pub_begin(const char *dir, const char *name, const char *producer, double wait_secs, int64_t now,
		     struct stream_pub **out);
/* Validate the event in doc, give it a new eventId and append it. where
 * and line say where it came from: EX_DATA "WHERE:LINE: why". */
int stream_pub_add(struct stream_pub *p, const struct json_doc *doc, const char *where, uint64_t line);
/* The ids given so far, one per line. */
const struct buf *stream_pub_ids(const struct stream_pub *p);
/* Commit the run, claiming the stream for the producer when it has no
 * owner and the run holds events; *events: how many. Returns 0 or an
 * error code, and then nothing of the run is visible. */
int stream_pub_commit(struct stream_pub *p, uint64_t *events);
/* The stream's log, open for writing: for retention after the commit. */
struct log *stream_pub_log(struct stream_pub *p);
/* Release it; a run not committed is aborted. Safe on NULL. */
void stream_pub_end(struct stream_pub *p);

/* ---- reading events ---- */

/* An event name, decoded and as stored (a JSON literal). */
struct stream_named {
	const char *dec;
	size_t dec_len;
	struct buf lit;
};
void stream_named_init(struct stream_named *nm, const char *name);
void stream_named_free(struct stream_named *nm);

/* Visit the events named nm (every event when nm is NULL) with offsets in
 * [from, to), oldest first. fn returns 0 to go on, LOG_STOP to stop, or an
 * error code. A line that is not a stored event gives EX_CORRUPT. */
typedef int (*stream_event_fn)(const char *line, size_t n, const struct stream_rec *r, void *ctx);
int stream_scan(struct log *lg, const struct stream_named *nm, uint64_t from, uint64_t to, stream_event_fn fn,
		void *ctx);
/* How many events named nm with offsets in [from, to) readers see: from
 * the counts file (whole chunks) and by reading what it does not cover.
 * Returns 0, EX_CORRUPT naming a damaged counts file, or an error code. */
int stream_count_named(struct log *lg, const struct stream_named *nm, uint64_t from, uint64_t to, uint64_t *n);
/* An offset before which the first limit events named nm from offset from
 * on certainly are (by the counts file), for reading no further; UINT64_MAX
 * when the counts cannot tell. */
uint64_t stream_limit_end(struct log *lg, const struct stream_named *nm, uint64_t from, uint64_t limit);
/* The event with id id (STREAM_ID_LEN bytes): its line copied into line, r
 * pointing into it, and its name decoded into name. Returns 0, EX_NOTFOUND
 * ("no such event in stream NAME: ID", saying when the stream's retention
 * may have removed it), or an error code. */
int stream_find(struct log *lg, const char *id, struct buf *line, struct stream_rec *r, struct buf *name);
/* check: do the committed lines of the counts file match the events
 * (expired ones still stored included)? Returns 0, EX_CORRUPT naming the
 * file and line, or an error code. */
int stream_counts_verify(struct log *lg);
/* check --repair, with the writer lock: when stream_counts_verify finds
 * damage, rebuild the file from the events (a chunk per block), saying so
 * on stderr. Returns 0 or an error code. */
int stream_counts_repair(struct log *lg);
/* Blocks inflated by the calls above so far, for -v. */
uint64_t stream_blocks_read(void);

/* ---- consumer positions ---- */

struct stream_pos {
	uint64_t acked;              /* events of this name acknowledged */
	uint64_t next;               /* offset the next one is looked for from */
	char moved[48];              /* when it last moved, "" never */
};
/* The position of (consumer, name); one never stored is all zero. Returns 0,
 * EX_CORRUPT for a file that is not that position, or an error code. */
int stream_pos_read(struct log *lg, const char *consumer, const char *name, struct stream_pos *pos);
/* Replace it atomically; the caller holds stream_lock. */
int stream_pos_write(struct log *lg, const char *consumer, const char *name, const struct stream_pos *pos);
/* Take the consumer lock (consumers/LOCK, creating consumers/), waiting up
 * to wait_secs. Returns the descriptor (closing it unlocks), or -1 with
 * err_set (EX_CONFLICT when still locked). */
int stream_lock(struct log *lg, double wait_secs);

/* Consume's start: when pos, a stored position of (consumer, name), is
 * before the first event still kept (retention deleted or expired those
 * between), move it there and store it, with a warning that counts the
 * offsets skipped (events of every name). Returns 0 (pos updated) or an
 * error code (EX_CONFLICT when the consumer lock stays taken). */
int stream_pos_retained(struct log *lg, const char *consumer, const char *name, double wait_secs,
			struct stream_pos *pos);

/* Every position of the stream, sorted by consumer and then name, with the
 * events of its name after it still stored. */
struct stream_consumer {
	char *consumer, *name;
	size_t name_len;
	struct stream_pos pos;
	uint64_t behind;
};
int stream_consumers(struct log *lg, struct stream_consumer **out, size_t *n);
void stream_consumers_free(struct stream_consumer *c, size_t n);

/*
 * Acknowledge event id for consumer: it must be the next unacknowledged
 * event of its name, else EX_CONFLICT "consumer offset mismatch:
 * EXPECTED->GIVEN" (positions counted per name from 1). On success the
 * event's name is in name, the new position in *pos and the event's
 * offset in *offset. Returns 0, EX_NOTFOUND, EX_CONFLICT or an error code.
 */
int stream_ack(struct log *lg, const char *consumer, const char *id, double wait_secs, struct buf *name,
	       struct stream_pos *pos, uint64_t *offset);

/* Move consumer's position for name: to the first event (STREAM_EARLIEST),
 * past every event (STREAM_LATEST), or so that event id, which must be
 * named name, is consumed next. Returns 0, EX_NOTFOUND or an error code. */
enum stream_to { STREAM_EARLIEST, STREAM_LATEST, STREAM_EVENT };
int stream_seek(struct log *lg, const char *consumer, const char *name, enum stream_to to, const char *id,
		double wait_secs);

#endif
