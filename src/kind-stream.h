/* kind-stream.h: the stream kind (kind-stream.c): one log per stream,
 * streams/NAME, never named by "aggr ingest"; its stored line and event ids */
#ifndef AGGR_KIND_STREAM_H
#define AGGR_KIND_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "kind.h"
#include "util.h"

/* Streams (kind-stream.c): one log per stream, streams/NAME, never named by
 * "aggr ingest". normalise() stores {"event":..,"system":..,"trigger":..,
 * "payload":..} and names the decoded event name as bloom key 0; the
 * publisher adds the eventId and offset (aggr-format(5)) and the eventId
 * as a second bloom key. Each block's filter: 1 KiB, 6 probes, about 0.1%
 * false positives for a block of 500 events. */
#define STREAM_BLOOM_BYTES 1024
#define STREAM_BLOOM_K 6

/*
 * The stored form of an event: the normalised event with its eventId and
 * offset put first, {"eventId":"<uuid>","offset":N,"event":{"name":..},..}
 * (aggr-format(5)). Being canonical, it is parsed by position.
 */
#define STREAM_ID_LEN 36             /* a UUID: 8-4-4-4-12 hex digits */
#define STREAM_ID_AT 12              /* where the eventId starts */
/* A stored line, parsed: every pointer points into the line. */
struct stream_rec {
	const char *id;              /* STREAM_ID_LEN bytes, not checked as a UUID */
	uint64_t offset;
	const char *name;            /* the event name as a JSON literal, quotes included */
	size_t name_len;
	const char *rest;            /* ,"event":... to the end of the line */
	size_t rest_len;
};
/*
 * Parse the stored line p[0..n) into r, by position: the eventId, the
 * offset (1 to 19 digits), the event name's literal (its escapes not
 * decoded) and what follows the offset. The rest of the line is not read.
 *
 * Returns 0 with r filled (pointers into p, valid while p is); -1 when the
 * line does not start {"eventId":"<36 bytes>","offset":DIGITS,
 * "event":{"name":"..." (a field missing, out of order, the offset not
 * digits, the line cut short); r is then partly filled. Never allocates.
 */
int stream_parse_line(const char *p, size_t n, struct stream_rec *r);
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
