/* kind-sessions.h: the sessions kind (kind-sessions.c): its stored line,
 * parsed, and the looks a reader takes before parsing one */
#ifndef AGGR_KIND_SESSIONS_H
#define AGGR_KIND_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "kind.h"

/*
 * A stored session event, {"user_id":U,"event":E,"session_id":S,"ts":T
 * [,"country":C]}, as kind_sessions.normalise writes it. Each string points
 * into the line: its body, between the quotes, escapes not decoded
 * (json_unescape decodes one); country is NULL when the line has none.
 */
struct sessions_line {
	const char *user, *event, *session, *ts, *country;
	size_t user_len, event_len, session_len, ts_len, country_len;
	int is_start;                 /* the event decodes to "start" */
};

/*
 * Parse the stored line line[0..n) into s, with d (json_doc_init'ed, reused
 * from line to line: no allocation once its tokens suffice) as the parse.
 * Returns 0 with s filled (pointers into line, valid while line is);
 * -1 when the line is not JSON, not an object, or not the fields user_id,
 * event, session_id, ts and optionally country, in that order, each a
 * string. The values are not checked further: the ts is read by
 * kind_sessions.stored_key, and an event other than "start" is an end.
 */
int sessions_parse_line(struct json_doc *d, const char *line, size_t n, struct sessions_line *s);

/* Append user_id u (n bytes, decoded) as the log stores it and names it
 * in a block's bloom filter: a JSON string literal. */
void sessions_user_key(struct buf *out, const char *u, size_t n);

/* A look before parsing: 1 when the stored line may be of the user whose
 * key (sessions_user_key) is key[0..kn), 0 when it is not. */
int sessions_line_of_user(const char *line, size_t n, const char *key, size_t kn);

/* A look before parsing: 1 when the stored line may be a start, 0 when it
 * is not one. */
int sessions_line_may_start(const char *line, size_t n);

#endif
