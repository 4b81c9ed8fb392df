/* kind-flows.h: the flows kind (kind-flows.c): its stored line, parsed */
#ifndef AGGR_KIND_FLOWS_H
#define AGGR_KIND_FLOWS_H

#include <stddef.h>
#include <stdint.h>

#include "kind.h"

/*
 * A stored flow, {"src_app":S,"dest_app":S,"vpc_id":S,"hour":N,
 * "bytes_tx":N,"bytes_rx":N}, as kind_flows.normalise writes it: strings
 * escaped one way only, so equal values are equal bytes. The strings point
 * into the line, quotes included, escapes not decoded.
 */
struct flows_line {
	const char *src, *dest, *vpc;   /* JSON string literals */
	size_t src_len, dest_len, vpc_len;
	int64_t hour, tx, rx;
	size_t tail;                    /* after flows_parse_head: where bytes_tx starts */
};

/*
 * Parse the head of the stored line line[0..n), the three strings and the
 * hour, into f: what a reader needs to know whether it wants the record.
 * Returns 0 with f's strings, hour and tail set (pointers into line, valid
 * while line is); -1 when the line does not start as a stored flow: a
 * field missing or out of order, a string not closed, the hour not a
 * non-negative integer in int64 range, the line cut short. Never
 * allocates.
 */
int flows_parse_head(const char *line, size_t n, struct flows_line *f);

/*
 * Parse the rest of a line flows_parse_head took (the same line and f):
 * bytes_tx and bytes_rx, then the closing brace at the line's end.
 * Returns 0 with f->tx and f->rx set; -1 when a field is missing, not a
 * non-negative integer in int64 range, or anything follows the brace.
 */
int flows_parse_tail(const char *line, size_t n, struct flows_line *f);

/* Both: returns 0 with f filled, or -1 as either does. */
int flows_parse_line(const char *line, size_t n, struct flows_line *f);

#endif
