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
};

struct kind {
	const char *name;        /* "flows"; also the log's name, except streams */
	const char *noun;        /* "flow objects", for --max-batch refusals */
	uint32_t bloom_bytes, bloom_k;
	int key_is_time;         /* the key is microseconds since the epoch */
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

extern const struct kind kind_flows, kind_counters;

/* Streams (kind-stream.c): one log per stream, streams/NAME, never named by
 * "aggr ingest". normalise() stores {"event":..,"system":..,"trigger":..,
 * "payload":..} and names the decoded event name as bloom key 0; the
 * publisher adds the eventId and offset (aggr-format(5)) and the eventId
 * as a second bloom key. Each block's filter: 1 KiB, 6 probes, about 0.1%
 * false positives for a block of 500 events. */
#define STREAM_BLOOM_BYTES 1024
#define STREAM_BLOOM_K 6
extern const struct kind kind_stream;

#endif
