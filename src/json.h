/* json.h: strict JSON over jsmn, typed getters, and an escaping writer */
#ifndef AGGR_JSON_H
#define AGGR_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER

#include "util.h"

#define JSON_MAX_DEPTH 512

/*
 * One parsed JSON value. Tokens point into the caller's text, which must stay
 * alive and unchanged while the document is used. A document is reusable:
 * json_parse() recycles the token array, so parsing a stream of lines
 * allocates only while lines grow.
 */
struct json_doc {
	const char *text;
	size_t len;
	jsmntok_t *tok;
	int *next;          /* next[i]: index of the first token after i's subtree */
	unsigned ntok, cap;
	struct buf scratch; /* unescaped keys for duplicate checks */
	size_t err_at;      /* after a failed parse: byte of text it names (0-based) */
};

void json_doc_init(struct json_doc *d);
void json_doc_free(struct json_doc *d);

/*
 * Parse text[0..len) as exactly one JSON value (RFC 8259) with surrounding
 * whitespace allowed. Rejected: anything jsmn is lax about (missing or extra
 * separators, bad literals and numbers), control characters in strings,
 * invalid UTF-8, invalid or unpaired \u escapes, duplicate object keys, NUL
 * bytes, nesting deeper than JSON_MAX_DEPTH, and trailing data.
 * Returns 0 on success; -1 with a lowercase reason in why (no file or line)
 * that ends with "at byte N", N counted from 1 in text, and d->err_at = N-1.
 */
int json_parse(struct json_doc *d, const char *text, size_t len, char *why, size_t whylen);

/* Token accessors; the root is token 0. */
static inline jsmntype_t json_type(const struct json_doc *d, int t) { return d->tok[t].type; }
static inline int json_next(const struct json_doc *d, int t) { return d->next[t]; }
/* Number of members of an object or elements of an array. */
static inline int json_size(const struct json_doc *d, int t) { return d->tok[t].size; }
/* Raw text of a token: for strings without the quotes, escapes not decoded. */
static inline const char *json_raw(const struct json_doc *d, int t) { return d->text + d->tok[t].start; }
static inline size_t json_rawlen(const struct json_doc *d, int t) { return (size_t)(d->tok[t].end - d->tok[t].start); }
/* Full source span of a token, quotes and brackets included. */
const char *json_span(const struct json_doc *d, int t, size_t *len);

/* Value token of key in object obj, or -1 when absent. */
int json_obj_get(const struct json_doc *d, int obj, const char *key);

/* Typed views of a token; each returns 0 when the token has that type. */
int json_is_string(const struct json_doc *d, int t);
int json_is_null(const struct json_doc *d, int t);
/* Returns 0 and sets *out for an integer in int64 range; -1 when the token is
 * not an integer (string, fraction, exponent); -2 when it overflows int64. */
int json_get_i64(const struct json_doc *d, int t, int64_t *out);
/* Returns 0 for any JSON number, -1 otherwise. */
int json_get_double(const struct json_doc *d, int t, double *out);
/* Decode a string token into out (replacing its content); 0, or -1 when t is
 * not a string. */
int json_get_str(const struct json_doc *d, int t, struct buf *out);
/* Decode the body of a valid JSON string literal (between its quotes, as
 * stored by aggr) into out, replacing its content. */
void json_unescape(const char *raw, size_t n, struct buf *out);
/* 1 when string token t decodes to exactly s (length n), else 0. */
int json_str_eq(const struct json_doc *d, int t, const char *s, size_t n);

/* Append s as a JSON string literal, quotes included, escaping as needed. */
void json_write_str(struct buf *b, const char *s, size_t n);
/* Append a finite double as the shortest JSON number that reads back as
 * exactly the same double (1642284000, 1650059272.843029, 1e+300). */
void json_write_double(struct buf *b, double v);
/* Append a string token as a JSON literal without decoding it (it is valid). */
void json_write_tok(struct buf *b, const struct json_doc *d, int t);

#endif
