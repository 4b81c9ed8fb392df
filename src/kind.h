/* kind.h: the table of record kinds: their names, the logs they own, and
 * what ingest, check and compaction call in each (validation, the stored
 * form's key and bloom keys). What a kind's stored line holds is the
 * kind's own header's: kind-flows.h, kind-counters.h, kind-events.h,
 * kind-sessions.h, kind-stream.h. */
#ifndef AGGR_KIND_H
#define AGGR_KIND_H

#include <stddef.h>
#include <stdint.h>

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
	const char *name;        /* "flows"; also the log's name, unless log_prefix */
	/* NULL: the kind has one log, named as the kind, and is an ingest
	 * KIND; else its logs are log_prefix NAME ("streams/NAME") */
	const char *log_prefix;
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
/* Names accepted by "aggr ingest" (the kinds without a log_prefix), as
 * "flows, counters", for messages. */
const char *kind_names(void);
/* The i-th kind of the table, NULL past its end. */
const struct kind *kind_at(size_t i);


/* 1 when name names a log: a kind's own log ("flows", ...: every kind but
 * the stream kind's, whose logs are streams/NAME, NAME of [A-Za-z0-9._-],
 * 1..128 characters, not starting with '.'), else 0. */
int kind_log_name_valid(const char *name);

extern const struct kind kind_flows, kind_counters, kind_events, kind_sessions, kind_stream;

#endif
