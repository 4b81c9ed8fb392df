/* kind-events.h: the events kind (kind-events.c): its stored lines, ids,
 * and every event with its updates applied, shared by aggr events and
 * compaction */
#ifndef AGGR_KIND_EVENTS_H
#define AGGR_KIND_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "json.h"
#include "kind.h"
#include "log.h"

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

#endif
