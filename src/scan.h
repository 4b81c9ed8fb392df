/* scan.h: byte scanners for lines already in a kind's stored form, the fast
 * path of ingest (a kind's in_place). A scanner accepts only bytes that
 * json_parse would accept and that the kind's normalise would write back
 * unchanged; anything else it declines, and the caller takes the JSON path,
 * which gives the error message if there is one. So a scanner may decline
 * more than it must (escapes, say), never accept more. */
#ifndef AGGR_SCAN_H
#define AGGR_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct scan {
	const char *p, *end;   /* the bytes not yet scanned */
};

static inline void scan_init(struct scan *s, const char *line, size_t n)
{
	s->p = line;
	s->end = line + n;
}

/* Consume the n bytes lit when they come next: 1, else 0. */
static inline int scan_lit(struct scan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n))
		return 0;
	s->p += n;
	return 1;
}
#define SCAN_LIT(s, lit) scan_lit((s), (lit), sizeof(lit) - 1)

/* 1 when every byte is scanned, else 0. */
static inline int scan_done(const struct scan *s) { return s->p == s->end; }

/*
 * A JSON string as json_write_str writes it for what it decodes to, with no
 * escape in it: '"', then bytes of valid UTF-8 (shortest forms, no
 * surrogates, at most U+10FFFF, as json_parse checks) none of them below
 * 0x20 or a backslash, then '"'. Returns 1 with *body (after the quote) and
 * *n (0 for "") set and the string consumed, else 0.
 */
int scan_str(struct scan *s, const char **body, size_t *n);

/* A non-negative integer as buf_add_i64 writes it: "0", or a digit 1-9 and
 * more digits, in int64 range, not followed by a digit. Returns 1 with *v
 * set and the digits consumed, else 0. */
int scan_u63(struct scan *s, int64_t *v);

#endif
