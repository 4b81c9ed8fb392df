/* kind.h: record kinds: validation, the stored form, key and bloom keys */
#ifndef AGGR_KIND_H
#define AGGR_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "json.h"
#include "log.h"

#define KIND_MAX_BLOOM_KEYS 4

/* What a normalised record tells the log about itself. */
struct rec_info {
	int64_t key;                                   /* index key time */
	struct log_bloom_key bloom[KIND_MAX_BLOOM_KEYS];
	size_t nbloom;
	struct log_bloom_key summary;                  /* p NULL: none (log_key_add) */
};

struct kind {
	const char *name;        /* "flows"; also the log's name, except streams */
	const char *noun;        /* "flow objects", for --max-batch refusals */
	uint32_t bloom_bytes, bloom_k;
	int key_is_time;         /* the key is microseconds since the epoch */
	int64_t retention_us;    /* a new log's retention (0: keep forever) */
	/* ingest groups a run's records into blocks by key / cluster_width
	 * (log-cluster.c, aggr-format(5)); 0: blocks in arrival order */
	int64_t cluster_width;
	/*
	 * Validate a parsed input record and append its stored form (one
	 * compact JSON line, no newline) to out; fill ri. Pointers in ri may
	 * point into out or into d's text. Returns 0, or -1 with a reason in
	 * why such as "hour: not an integer".
	 */
	int (*normalise)(const struct json_doc *d, struct buf *out, struct rec_info *ri,
			 char *why, size_t wn);
	/*
	 * The fast path of ingest, NULL when the kind has none: when
	 * line[0..n) is valid input that normalise would store byte for byte
	 * as it is, fill ri (pointers into line) and return 1. Otherwise
	 * return 0 and the caller takes json_parse and normalise, which give
	 * the message when the line is bad: in_place never rejects, and may
	 * decline what it need not (escapes, say). tests/fuzz/fuzz-inplace.c
	 * holds both paths to agree.
	 */
	int (*in_place)(const char *line, size_t n, struct rec_info *ri);
	/* The key of a stored record (a line written by normalise). Returns 0,
	 * or -1 when the line is not a stored record of this kind. */
	int (*stored_key)(const char *line, size_t n, int64_t *key);
	/* Rewrite a writer-opened log without its dead records (log_compact);
	 * NULL when no record of the kind ever dies. Returns 0 or an error code. */
	int (*compact)(struct log *l, struct log_compact_stats *st);
	/* check: verify what the kind's readers rely on beyond the log's own
	 * checks (every stored record re-validates, ...), expired blocks
	 * included; NULL when nothing. Returns 0, or EX_CORRUPT naming the
	 * file and byte offset of the block and the record in it. */
	int (*verify)(struct log *l);
	/* check --repair, on a writer-opened log that the log's own repair
	 * made sound: rebuild what the kind keeps beside its records when
	 * verify finds it damaged, saying so on stderr; NULL when nothing.
	 * Returns 0 or an error code. */
	int (*repair)(struct log *l);
};

/* The kind of a log or an ingest KIND argument; NULL when unknown. */
const struct kind *kind_find(const char *name);
/* Names accepted by "aggr ingest", as "flows, counters", for messages. */
const char *kind_names(void);
/* The i-th kind of the table, NULL past its end. */
const struct kind *kind_at(size_t i);


extern const struct kind kind_flows, kind_counters, kind_events, kind_sessions;

/* ---- events (kind-events.c), shared by aggr events and compaction ---- */

#define EVENTS_ID_LEN 24

enum events_op { EVENTS_NONE, EVENTS_STOP, EVENTS_REMOVE };

/* A stored line of the events log: an event (op EVENTS_NONE) or an update
 * of one. tags points into the parsed line. */
struct events_line {
	enum events_op op;
	char id[EVENTS_ID_LEN + 1];
	double start, stop;
	const char *tags;
	size_t tags_len;
	int tags_tok;
};

/* Parse a stored line. Returns 0, or -1 when it is not one aggr writes. */
int events_parse_line(struct json_doc *d, const char *line, size_t n, struct events_line *e);

/* The largest double not after 9999-12-31T23:59:59.999999Z (the double
 * nearest that time is 253402300800, in year 10000): the last start or stop. */
#define EVENTS_MAX_EPOCH 253402300799.999969482421875

/* 1 when v is a start or stop aggr stores (0 to EVENTS_MAX_EPOCH), else 0. */
int events_epoch_valid(double v);
/* 1 when stop is -1 (none) or a valid epoch not before start, else 0. */
int events_stop_valid(double start, double stop);
/* The index key of a start: microseconds, rounded. */
int64_t events_epoch_key(double v);
/* The stored epoch of a time in aggr's range (year 9999 at most): the
 * nearest double, or EVENTS_MAX_EPOCH for one that rounds past it. */
double events_epoch_from_us(int64_t us);
/* Read s[0..n), a JSON number, as a start or stop: 0 and *v when it is in
 * 0..253402300799.999999 (kept in range like events_epoch_from_us), -3
 * when it is -1, -2 when it is another number out of that range (*v set,
 * possibly infinite), -1 when it is not a JSON number ("0x10", "1,5"). */
int events_epoch_parse(const char *s, size_t n, double *v);

/* Ids: a MongoDB ObjectId, 4 bytes of seconds, 5 random bytes per process,
 * a 3-byte counter from a random start. The seconds field never goes back
 * and advances by one each time the counter wraps, so the ids of a process
 * increase and never repeat, however many (MongoDB repeats an id after 2^24
 * in one second). */
struct events_idgen {
	uint64_t secs;               /* seconds of the next id; may run ahead of the clock */
	uint32_t counter;            /* counter of the next id */
	unsigned char rnd[5];
};
void events_idgen_init(struct events_idgen *g, const unsigned char rnd[5], uint32_t counter);
/* The next id at the clock now_us into out (24 lowercase hex digits). */
void events_idgen_next(struct events_idgen *g, int64_t now_us, char out[EVENTS_ID_LEN + 1]);
/* A new id from the process's generator (random bytes from the kernel,
 * the clock from now_us()). Returns 0, EX_FAIL when the kernel gives no
 * random bytes, or now_us()'s error. */
int events_id_new(char out[EVENTS_ID_LEN + 1]);
/* 1 when s[0..n) has the shape of an id, else 0. */
int events_id_valid(const char *s, size_t n);
/* Append a stored event, or an update (stop) or removal of one. */
void events_write(struct buf *out, const char *id, double start, double stop, const char *tags, size_t tn);
void events_write_op(struct buf *out, enum events_op op, const char *id, double start, double stop);

/* Every event with updates applied, in log (insertion) order. */
struct events_event {
	char id[EVENTS_ID_LEN];
	double start, stop;
	size_t tags_off, tags_len;   /* JSON array text in tags */
	int dead;
};
struct events_state {
	struct events_event *ev;
	size_t n, cap, live;
	struct hmap ids;             /* id -> index in ev; holds only events */
	struct buf tags;
	struct json_doc doc;
};
void events_state_init(struct events_state *st);
void events_state_free(struct events_state *st);
/* Apply one stored line. An update of an event st does not hold, or of a
 * removed one, or naming another start than its event's, changes nothing.
 * Returns 0, or EX_CORRUPT for a line that is not a stored event or an
 * event stored twice. */
int events_state_add(struct events_state *st, const char *line, size_t n);
/* Index in st->ev of the event with this id (EVENTS_ID_LEN bytes), dead
 * or alive, or SIZE_MAX. */
size_t events_state_find(const struct events_state *st, const char *id);
/* Read the unexpired records of the log (only blocks whose starts overlap
 * [since, until) when not INT64_MIN, INT64_MAX) into st; a writer-opened
 * log is read with the expiry a reader's open would apply. Returns 0,
 * log_scan's error or now_us()'s. */
int events_state_load(struct events_state *st, struct log *l, int64_t since, int64_t until,
		      struct log_scan_stats *ss);
/* The same for only the blocks that may hold one of the ids (their bloom
 * filters; blocks without one are read) or an event of one of the start
 * keys (their key ranges): everything st then says of those ids or starts
 * is what a full load says. Returns as events_state_load. */
int events_state_load_ids(struct events_state *st, struct log *l, const char *const *ids, size_t nids,
			  struct log_scan_stats *ss);
int events_state_load_keys(struct events_state *st, struct log *l, const int64_t *keys, size_t nkeys,
			   struct log_scan_stats *ss);
/* Each block's filter of _id keys: 2 KiB, 6 probes, about 0.3% false
 * positives for a full 128 KiB block (about 1300 events). */
#define EVENTS_BLOOM_BYTES 2048
#define EVENTS_BLOOM_K 6
/* The index key (its event's start) and bloom key (its _id) of a stored
 * line, an event or an update. Returns 0, or -1 when it is not one. */
int events_line_keys(const char *line, size_t n, int64_t *key, char id[EVENTS_ID_LEN + 1]);

/* Streams (kind-stream.c): one log per stream, streams/NAME, never named by
 * "aggr ingest". normalise() stores {"event":..,"system":..,"trigger":..,
 * "payload":..} and names the decoded event name as bloom key 0; the
 * publisher adds the eventId and offset (aggr-format(5)) and the eventId
 * as a second bloom key. Each block's filter: 1 KiB, 6 probes, about 0.1%
 * false positives for a block of 500 events. */
#define STREAM_BLOOM_BYTES 1024
#define STREAM_BLOOM_K 6
extern const struct kind kind_stream;

/*
 * The stored form of an event: the normalised event with its eventId and
 * offset put first, {"eventId":"<uuid>","offset":N,"event":{"name":..},..}
 * (aggr-format(5)). Being canonical, it is parsed by position.
 */
#define STREAM_ID_LEN 36             /* a UUID: 8-4-4-4-12 hex digits */
#define STREAM_ID_AT 12              /* where the eventId starts */
struct stream_rec {
	const char *id;              /* STREAM_ID_LEN bytes */
	uint64_t offset;
	const char *name;            /* the event name as a JSON literal, quotes included */
	size_t name_len;
	const char *rest;            /* ,"event":... to the end of the line */
	size_t rest_len;
};
/* Parse a stored line; r points into it. Returns 0, or -1 when it is not
 * one publish writes. */
int stream_rec_parse(const char *p, size_t n, struct stream_rec *r);
/* 1 when the stored line carries event id id (STREAM_ID_LEN bytes), else
 * 0: a look before parsing. */
int stream_rec_has_id(const char *line, size_t n, const char *id);
/* Append the stored form of norm (n bytes, as kind_stream.normalise wrote
 * it) with id and offset. */
void stream_rec_write(struct buf *out, const char *id, uint64_t offset, const char *norm, size_t n);
/* Append the event as consume prints it: the stored form without offset. */
void stream_rec_print(struct buf *out, const char *line, const struct stream_rec *r);

/* An event id argument, copied lowercased into out. Returns 0, or -1 when
 * s is not 8-4-4-4-12 hex digits. */
int stream_id_parse(const char *s, char out[STREAM_ID_LEN + 1]);
/* A new random (version 4) UUID; random bytes come from the kernel 4 KiB
 * at a time (r starts zeroed). Returns 0 or EX_FAIL. */
struct stream_rnd {
	unsigned char b[4096];
	size_t at, n;
};
int stream_id_new(struct stream_rnd *r, char out[STREAM_ID_LEN + 1]);

#endif
