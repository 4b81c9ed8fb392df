/* kind.h: record kinds: validation, the stored form, key and bloom keys */
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
	const char *name;        /* "flows"; also the log's name, except streams */
	const char *noun;        /* "flow objects", for --max-batch refusals */
	uint32_t bloom_bytes, bloom_k;
	int key_is_time;         /* the key is microseconds since the epoch */
	int64_t retention_us;    /* a new log's retention (0: keep forever) */
	/*
	 * Validate a parsed input record and append its stored form (one
	 * compact JSON line, no newline) to out; fill ri. Pointers in ri may
	 * point into out or into d's text. Returns 0, or -1 with a reason in
	 * why such as "hour: not an integer".
	 */
	int (*normalise)(const struct json_doc *d, struct buf *out, struct rec_info *ri,
			 char *why, size_t wn);
	/* The key of a stored record (a line written by normalise). Returns 0,
	 * or -1 when the line is not a stored record of this kind. */
	int (*stored_key)(const char *line, size_t n, int64_t *key);
};

/* The kind of a log or an ingest KIND argument; NULL when unknown. */
const struct kind *kind_find(const char *name);
/* Names accepted by "aggr ingest", as "flows, counters", for messages. */
const char *kind_names(void);
/* The i-th kind of the table, NULL past its end. */
const struct kind *kind_at(size_t i);

extern const struct kind kind_flows, kind_counters, kind_sessions;

#endif
