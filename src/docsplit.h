/* docsplit.h: where JSON documents end in text that holds several, one
 * after another (pretty-printed objects and arrays, as "jq ." writes them) */
#ifndef AGGR_DOCSPLIT_H
#define AGGR_DOCSPLIT_H

#include <stddef.h>

/* Scanner state, kept between calls so text can arrive line by line. */
struct docsplit {
	long depth;       /* open brackets outside strings */
	int str, esc;     /* inside a string; after a backslash in one */
};

void docsplit_init(struct docsplit *s);

/*
 * Scan p[0..n) and return how many bytes were scanned: n, or fewer when a
 * document ended, that is when a '}' or ']' outside a string closed the
 * last open bracket (or closed none: a stray one ends a "document" too, so
 * that the JSON parser reports it). *ended says which; the state is then
 * reset for the next document. Only brackets are looked at: whether the
 * document is valid JSON is the parser's business.
 */
size_t docsplit_scan(struct docsplit *s, const char *p, size_t n, int *ended);

#endif
