/* kind-counters.h: the counters kind (kind-counters.c): its stored line,
 * parsed */
#ifndef AGGR_KIND_COUNTERS_H
#define AGGR_KIND_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "kind.h"

/*
 * A stored counter record, {"timestamp":T,"<domain>":n,...}, as
 * kind_counters.normalise writes it: domains decoded and re-escaped, one
 * spelling per domain, in the order they came. Read its domains with
 * counters_next_domain.
 */
struct counters_line {
	int64_t secs;                /* the timestamp, seconds */
	int ndomains;
	/* where counters_next_domain is: */
	const struct json_doc *d;
	int tok, k;
};

/*
 * Parse the stored line line[0..n) into c, with d (json_doc_init'ed, reused
 * from line to line: no allocation once its tokens suffice) as the parse;
 * d must stay unchanged while c's domains are read. The domains' counts are
 * not read yet. Returns 0 with c set; -1 when the line is not JSON, not an
 * object, or its first member is not "timestamp" with an integer in int64
 * range.
 */
int counters_parse_line(struct json_doc *d, const char *line, size_t n, struct counters_line *c);

/*
 * The next domain of c: *name and *len its body as stored (between the
 * quotes, escapes not decoded; a pointer into the line), *count its
 * count. Returns 1 with them set; 0 after the last domain; -1 when the
 * domain's count is not an integer in int64 range (*name and *len set).
 */
int counters_next_domain(struct counters_line *c, const char **name, size_t *len, int64_t *count);

#endif
