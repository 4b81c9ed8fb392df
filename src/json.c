#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_doc_init(struct json_doc *d)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->scratch);
}

void json_doc_free(struct json_doc *d)
{
	free(d->tok);
	free(d->next);
	buf_free(&d->scratch);
	memset(d, 0, sizeof(*d));
}

static int fail(char *why, size_t n, const char *fmt, ...) ATTR_PRINTF(3, 4);
static int fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

const char *json_span(const struct json_doc *d, int t, size_t *len)
{
	int s = d->tok[t].start, e = d->tok[t].end;

	if (d->tok[t].type == JSMN_STRING) {
		s--;
		e++;
	}
	*len = (size_t)(e - s);
	return d->text + s;
}

static size_t span_start(const struct json_doc *d, int t)
{
	return (size_t)(d->tok[t].start - (d->tok[t].type == JSMN_STRING));
}

static size_t span_end(const struct json_doc *d, int t)
{
	return (size_t)(d->tok[t].end + (d->tok[t].type == JSMN_STRING));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static unsigned hex4(const char *p)
{
	return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

/* Validate a string body: escapes, control characters, UTF-8. */
static int check_string(const char *s, size_t n, size_t base, char *why, size_t wn)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		if (c < 0x20)
			return fail(why, wn, "control character in string at byte %zu", base + i + 1);
		if (c == '\\') {
			if (i + 1 >= n)
				return fail(why, wn, "bad escape at byte %zu", base + i + 1);
			char e = (char)p[i + 1];
			if (e != 'u') {
				if (!strchr("\"\\/bfnrt", e))
					return fail(why, wn, "bad escape at byte %zu", base + i + 1);
				i += 2;
				continue;
			}
			if (i + 6 > n)
				return fail(why, wn, "bad \\u escape at byte %zu", base + i + 1);
			for (int k = 2; k < 6; k++)
				if (hexval((char)p[i + k]) < 0)
					return fail(why, wn, "bad \\u escape at byte %zu", base + i + 1);
			unsigned u = hex4(s + i + 2);
			if (u >= 0xDC00 && u <= 0xDFFF)
				return fail(why, wn, "unpaired surrogate in \\u escape at byte %zu", base + i + 1);
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (i + 12 > n || p[i + 6] != '\\' || p[i + 7] != 'u')
					return fail(why, wn, "unpaired surrogate in \\u escape at byte %zu", base + i + 1);
				for (int k = 8; k < 12; k++)
					if (hexval((char)p[i + k]) < 0)
						return fail(why, wn, "bad \\u escape at byte %zu", base + i + 7);
				unsigned lo = hex4(s + i + 8);
				if (lo < 0xDC00 || lo > 0xDFFF)
					return fail(why, wn, "unpaired surrogate in \\u escape at byte %zu", base + i + 1);
				i += 12;
			} else {
				i += 6;
			}
			continue;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		/* UTF-8: shortest form only, no surrogates, at most U+10FFFF. */
		unsigned need, cp, min;
		if (c >= 0xC2 && c <= 0xDF) need = 1, cp = c & 0x1F, min = 0x80;
		else if (c >= 0xE0 && c <= 0xEF) need = 2, cp = c & 0x0F, min = 0x800;
		else if (c >= 0xF0 && c <= 0xF4) need = 3, cp = c & 0x07, min = 0x10000;
		else return fail(why, wn, "invalid UTF-8 at byte %zu", base + i + 1);
		if (i + need >= n)
			return fail(why, wn, "invalid UTF-8 at byte %zu", base + i + 1);
		for (unsigned k = 1; k <= need; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return fail(why, wn, "invalid UTF-8 at byte %zu", base + i + 1);
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return fail(why, wn, "invalid UTF-8 at byte %zu", base + i + 1);
		i += need + 1;
	}
	return 0;
}

static int check_primitive(const char *s, size_t n)
{
	size_t i = 0;

	if ((n == 4 && !memcmp(s, "true", 4)) || (n == 5 && !memcmp(s, "false", 5)) ||
	    (n == 4 && !memcmp(s, "null", 4)))
		return 0;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return -1;
	if (s[i] == '0') {
		i++;
	} else if (s[i] >= '1' && s[i] <= '9') {
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	} else {
		return -1;
	}
	if (i < n && s[i] == '.') {
		size_t j = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == j)
			return -1;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t j = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == j)
			return -1;
	}
	return i == n ? 0 : -1;
}

/* The gap between two tokens may hold whitespace and exactly the separator
 * sep (0: none). */
static int check_gap(const char *text, size_t from, size_t to, char sep, char *why, size_t wn)
{
	int seen = 0;

	for (size_t i = from; i < to; i++) {
		char c = text[i];
		if (is_ws(c))
			continue;
		if (c == sep && !seen) {
			seen = 1;
			continue;
		}
		if (sep && !seen) {
			snprintf(why, wn, "expected '%c' at byte %zu", sep, i + 1);
			return -1;
		}
		if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
			snprintf(why, wn, "unexpected '%c' at byte %zu", c, i + 1);
		else
			snprintf(why, wn, "unexpected byte 0x%02x at byte %zu", (unsigned char)c, i + 1);
		return -1;
	}
	if (sep && !seen) {
		snprintf(why, wn, "expected '%c' at byte %zu", sep, to + 1);
		return -1;
	}
	return 0;
}

void json_unescape(const char *s, size_t n, struct buf *out)
{
	buf_reset(out);
	buf_reserve(out, n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out->data[out->len++] = s[i];
			continue;
		}
		char e = s[++i];
		switch (e) {
		case 'b': buf_addc(out, '\b'); break;
		case 'f': buf_addc(out, '\f'); break;
		case 'n': buf_addc(out, '\n'); break;
		case 'r': buf_addc(out, '\r'); break;
		case 't': buf_addc(out, '\t'); break;
		case 'u': {
			unsigned cp = hex4(s + i + 1);
			i += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(s + i + 3) - 0xDC00);
				i += 6;
			}
			char u[4];
			int k;
			if (cp < 0x80) u[0] = (char)cp, k = 1;
			else if (cp < 0x800) u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), k = 2;
			else if (cp < 0x10000) u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F)), u[2] = (char)(0x80 | (cp & 0x3F)), k = 3;
			else u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3F)), u[2] = (char)(0x80 | (cp >> 6 & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), k = 4;
			buf_add(out, u, (size_t)k);
			break;
		}
		default: buf_addc(out, e); break;
		}
	}
	out->data[out->len] = 0;
}

struct keyref {
	const char *p;
	size_t n;
	size_t off;    /* offset into the scratch buffer when unescaped */
	int escaped;
};

static int key_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, n);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Duplicate keys in object obj? Keys are compared after decoding escapes. */
static int check_dup_keys(struct json_doc *d, int obj, char *why, size_t wn)
{
	int n = d->tok[obj].size;
	struct keyref small[16], *keys = n <= 16 ? small : xmalloc(sizeof(*keys) * (size_t)n);
	int k = 0, any_escape = 0, rc = 0;

	for (int t = obj + 1; k < n; t = d->next[t + 1], k++) {
		keys[k].p = json_raw(d, t);
		keys[k].n = json_rawlen(d, t);
		keys[k].escaped = memchr(keys[k].p, '\\', keys[k].n) != NULL;
		any_escape |= keys[k].escaped;
	}
	if (any_escape) {
		struct buf tmp;
		buf_init(&tmp);
		buf_reset(&d->scratch);
		for (k = 0; k < n; k++) {
			if (!keys[k].escaped)
				continue;
			json_unescape(keys[k].p, keys[k].n, &tmp);
			keys[k].off = d->scratch.len;
			buf_add(&d->scratch, tmp.data, tmp.len);
			keys[k].n = tmp.len;
		}
		for (k = 0; k < n; k++)
			if (keys[k].escaped)
				keys[k].p = d->scratch.data + keys[k].off;
		buf_free(&tmp);
	}
	if (n <= 16) {
		for (int i = 0; i < n && !rc; i++)
			for (int j = i + 1; j < n && !rc; j++)
				if (keys[i].n == keys[j].n && !memcmp(keys[i].p, keys[j].p, keys[i].n))
					rc = -1;
	} else {
		qsort(keys, (size_t)n, sizeof(*keys), key_cmp);
		for (int i = 1; i < n && !rc; i++)
			if (!key_cmp(&keys[i - 1], &keys[i]))
				rc = -1;
	}
	if (rc)
		snprintf(why, wn, "duplicate key in object at byte %zu", span_start(d, obj) + 1);
	if (keys != small)
		free(keys);
	return rc;
}

struct frame {
	int tok;
	int left;     /* children still expected (objects: keys and values) */
	int index;    /* children seen */
};

/* Walk the tokens in document order checking everything jsmn lets through. */
static int validate(struct json_doc *d, char *why, size_t wn)
{
	struct frame stack[JSON_MAX_DEPTH + 1];
	int depth = 0;
	size_t pos = 0;

	for (unsigned i = 0; i < d->ntok; i++) {
		jsmntok_t *t = &d->tok[i];
		char sep = 0;

		/* close finished containers */
		while (depth > 0 && stack[depth - 1].left == 0) {
			struct frame *f = &stack[--depth];
			size_t end = (size_t)d->tok[f->tok].end;
			if (check_gap(d->text, pos, end - 1, 0, why, wn))
				return -1;
			pos = end;
			d->next[f->tok] = (int)i;
		}
		if (depth == 0 && i > 0)
			return fail(why, wn, "trailing data after JSON value at byte %zu", span_start(d, (int)i) + 1);
		int is_key = 0;
		if (depth > 0) {
			struct frame *f = &stack[depth - 1];
			jsmntok_t *p = &d->tok[f->tok];
			if (p->type == JSMN_OBJECT) {
				is_key = f->index % 2 == 0;
				sep = is_key ? (f->index ? ',' : 0) : ':';
			} else {
				sep = f->index ? ',' : 0;
			}
			f->index++;
			f->left--;
		}
		if (check_gap(d->text, pos, span_start(d, (int)i), sep, why, wn))
			return -1;
		if (is_key && t->type != JSMN_STRING)
			return fail(why, wn, "object key is not a string at byte %zu", span_start(d, (int)i) + 1);
		if (is_key && t->size > 1)
			return fail(why, wn, "expected ',' or '}' at byte %zu", span_end(d, (int)i + 1) + 1);
		if (is_key && t->size == 0) {
			size_t e = span_end(d, (int)i);
			const char *colon = memchr(d->text + e, ':', d->len - e);
			if (colon && check_gap(d->text, e, (size_t)(colon - d->text), 0, why, wn) == 0)
				return fail(why, wn, "expected a value after ':' at byte %zu",
					    (size_t)(colon - d->text) + 2);
			return fail(why, wn, "expected ':' after key at byte %zu", e + 1);
		}
		switch (t->type) {
		case JSMN_STRING:
			if (check_string(json_raw(d, (int)i), json_rawlen(d, (int)i), (size_t)t->start, why, wn))
				return -1;
			pos = span_end(d, (int)i);
			d->next[i] = (int)i + 1;
			break;
		case JSMN_PRIMITIVE:
			if (check_primitive(json_raw(d, (int)i), json_rawlen(d, (int)i)))
				return fail(why, wn, "invalid literal or number at byte %zu", (size_t)t->start + 1);
			pos = (size_t)t->end;
			d->next[i] = (int)i + 1;
			break;
		case JSMN_OBJECT:
		case JSMN_ARRAY:
			if (depth == JSON_MAX_DEPTH)
				return fail(why, wn, "nesting deeper than 512 levels at byte %zu", (size_t)t->start + 1);
			stack[depth].tok = (int)i;
			stack[depth].left = t->type == JSMN_OBJECT ? 2 * t->size : t->size;
			stack[depth].index = 0;
			depth++;
			pos = (size_t)t->start + 1;
			break;
		default:
			return fail(why, wn, "invalid JSON at byte %zu", pos + 1);
		}
	}
	while (depth > 0) {
		struct frame *f = &stack[--depth];
		if (f->left)
			return fail(why, wn, "invalid JSON near byte %zu", pos + 1);
		size_t end = (size_t)d->tok[f->tok].end;
		if (check_gap(d->text, pos, end - 1, 0, why, wn))
			return -1;
		pos = end;
		d->next[f->tok] = (int)d->ntok;
	}
	if (check_gap(d->text, pos, d->len, 0, why, wn))
		return -1;
	/* duplicate keys: after the structure is known good */
	for (unsigned i = 0; i < d->ntok; i++)
		if (d->tok[i].type == JSMN_OBJECT && d->tok[i].size > 1 && check_dup_keys(d, (int)i, why, wn))
			return -1;
	return 0;
}

static int check_depth(const char *s, size_t n, char *why, size_t wn)
{
	int depth = 0, str = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				str = 0;
		} else if (c == '"') {
			str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > JSON_MAX_DEPTH)
				return fail(why, wn, "nesting deeper than %d levels at byte %zu", JSON_MAX_DEPTH, i + 1);
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return 0;
}

/* jsmn says only "invalid" and where; say what is wrong there. */
static int explain_inval(const char *s, size_t n, size_t pos, char *why, size_t wn)
{
	if (pos < n && s[pos] == '"') {
		size_t e = pos + 1;
		while (e < n && s[e] != '"')
			e += s[e] == '\\' ? 2 : 1;
		if (e > n)
			e = n;
		if (check_string(s + pos + 1, e - pos - 1, pos + 1, why, wn))
			return -1;
	}
	if (pos < n && (unsigned char)s[pos] >= 0x20 && (unsigned char)s[pos] < 0x7f)
		return fail(why, wn, "unexpected '%c' at byte %zu", s[pos], pos + 1);
	if (pos < n)
		return fail(why, wn, "unexpected byte 0x%02x at byte %zu", (unsigned char)s[pos], pos + 1);
	return fail(why, wn, "invalid JSON at byte %zu", pos + 1);
}

static int parse(struct json_doc *d, const char *text, size_t len, char *why, size_t whylen);

int json_parse(struct json_doc *d, const char *text, size_t len, char *why, size_t whylen)
{
	int rc = parse(d, text, len, why, whylen);
	const char *at;

	/* every message ends "at byte N": keep N for callers that relocate it */
	d->err_at = 0;
	if (rc && (at = strstr(why, " at byte ")))
		d->err_at = (size_t)strtoull(at + 9, NULL, 10) - 1;
	return rc;
}

static int parse(struct json_doc *d, const char *text, size_t len, char *why, size_t whylen)
{
	jsmn_parser p;
	int r;

	d->text = text;
	d->len = len;
	d->ntok = 0;
	if (len == 0)
		return fail(why, whylen, "no JSON value at byte 1");
	if (memchr(text, '\0', len))
		return fail(why, whylen, "NUL byte at byte %zu", (size_t)((const char *)memchr(text, '\0', len) - text) + 1);
	if (!d->cap) {
		d->cap = 64;
		d->tok = xmalloc(sizeof(*d->tok) * d->cap);
		d->next = xmalloc(sizeof(*d->next) * d->cap);
	}
	/* jsmn closes brackets in time proportional to the depth: refuse deep
	 * nesting before it gets quadratic (which takes more bytes than levels) */
	if (len > JSON_MAX_DEPTH && check_depth(text, len, why, whylen))
		return -1;
	jsmn_init(&p);
	for (;;) {
		r = jsmn_parse(&p, text, len, d->tok, d->cap);
		if (r != JSMN_ERROR_NOMEM)
			break;
		/* jsmn resumes where it stopped once it has more room */
		d->cap *= 2;
		d->tok = xrealloc(d->tok, sizeof(*d->tok) * d->cap);
		d->next = xrealloc(d->next, sizeof(*d->next) * d->cap);
	}
	if (r == JSMN_ERROR_PART && p.toknext == 0) {
		/* strict jsmn wants a delimiter after a primitive, even at the end */
		size_t b = 0, e = len;
		while (b < e && is_ws(text[b]))
			b++;
		while (e > b && is_ws(text[e - 1]))
			e--;
		if (b < e && text[b] != '"' && text[b] != '[' && text[b] != '{') {
			if (check_primitive(text + b, e - b))
				return fail(why, whylen, "invalid literal or number at byte %zu", b + 1);
			d->tok[0].type = JSMN_PRIMITIVE;
			d->tok[0].start = (int)b;
			d->tok[0].end = (int)e;
			d->tok[0].size = 0;
			d->tok[0].parent = -1;
			d->next[0] = 1;
			d->ntok = 1;
			return 0;
		}
	}
	if (r == JSMN_ERROR_PART && p.toknext > 0 && d->tok[0].end >= 0 && d->tok[0].parent == -1) {
		/* a complete first value, then a primitive jsmn could not end */
		size_t e = span_end(d, 0);
		while (e < len && is_ws(text[e]))
			e++;
		return fail(why, whylen, "trailing data after JSON value at byte %zu", e + 1);
	}
	if (r == JSMN_ERROR_PART)
		return fail(why, whylen, "truncated JSON: unexpected end at byte %zu", len + 1);
	if (r == JSMN_ERROR_INVAL)
		return explain_inval(text, len, p.pos, why, whylen);
	if (r == 0)
		return fail(why, whylen, "no JSON value at byte 1");
	d->ntok = p.toknext;
	return validate(d, why, whylen);
}

int json_obj_get(const struct json_doc *d, int obj, const char *key)
{
	size_t kn = strlen(key);
	int n = d->tok[obj].size;

	if (d->tok[obj].type != JSMN_OBJECT)
		return -1;
	for (int t = obj + 1, k = 0; k < n; k++, t = d->next[t + 1])
		if (json_str_eq(d, t, key, kn))
			return t + 1;
	return -1;
}

int json_is_string(const struct json_doc *d, int t) { return d->tok[t].type == JSMN_STRING; }

int json_is_null(const struct json_doc *d, int t)
{
	return d->tok[t].type == JSMN_PRIMITIVE && json_raw(d, t)[0] == 'n';
}

int json_get_i64(const struct json_doc *d, int t, int64_t *out)
{
	const char *s = json_raw(d, t);
	size_t n = json_rawlen(d, t);

	if (d->tok[t].type != JSMN_PRIMITIVE || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == 'e' || s[i] == 'E')
			return -1;
	return parse_i64(s, n, out) ? -2 : 0;
}

int json_get_double(const struct json_doc *d, int t, double *out)
{
	const char *s = json_raw(d, t);
	size_t n = json_rawlen(d, t);
	char tmp[64];

	if (d->tok[t].type != JSMN_PRIMITIVE || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
		return -1;
	if (n < sizeof(tmp)) {
		memcpy(tmp, s, n);
		tmp[n] = 0;
		*out = strtod(tmp, NULL);
	} else {
		char *big = xmalloc(n + 1);
		memcpy(big, s, n);
		big[n] = 0;
		*out = strtod(big, NULL);
		free(big);
	}
	return 0;
}

int json_get_str(const struct json_doc *d, int t, struct buf *out)
{
	if (d->tok[t].type != JSMN_STRING)
		return -1;
	json_unescape(json_raw(d, t), json_rawlen(d, t), out);
	return 0;
}

int json_str_eq(const struct json_doc *d, int t, const char *s, size_t n)
{
	const char *r = json_raw(d, t);
	size_t rn = json_rawlen(d, t);

	if (d->tok[t].type != JSMN_STRING)
		return 0;
	if (!memchr(r, '\\', rn))
		return rn == n && !memcmp(r, s, n);
	struct buf tmp;
	buf_init(&tmp);
	json_unescape(r, rn, &tmp);
	int eq = tmp.len == n && !memcmp(tmp.data, s, n);
	buf_free(&tmp);
	return eq;
}

void json_write_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	buf_reserve(b, n + 2);
	b->data[b->len++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		case '\b': buf_add(b, "\\b", 2); break;
		case '\f': buf_add(b, "\\f", 2); break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			buf_add(b, u, 6);
		}
		}
	}
	buf_add(b, s + run, n - run);
	buf_addc(b, '"');
}

void json_write_tok(struct buf *b, const struct json_doc *d, int t)
{
	size_t n;
	const char *s = json_span(d, t, &n);
	buf_add(b, s, n);
}

void json_write_double(struct buf *b, double v)
{
	char tmp[48];
	int lo = 1, hi = 17;

	/* epochs with at most microseconds, below 2^32: whole microseconds
	 * printed with trailing zeros cut are the shortest form (a shorter
	 * decimal is 1e-6 or more away, farther than a double's half spacing) */
	if (v > -4294967296.0 && v < 4294967296.0) {
		int64_t us = (int64_t)(v * 1e6 + (v < 0 ? -0.5 : 0.5));
		if ((double)us / 1e6 == v && !(v == 0 && signbit(v))) {
			uint64_t a = (uint64_t)(us < 0 ? -us : us);
			uint64_t ip = a / 1000000, frac = a % 1000000;
			char *p = tmp + sizeof(tmp);
			int digits = 6;
			*--p = 0;
			while (frac && frac % 10 == 0) {
				frac /= 10;
				digits--;
			}
			if (frac) {
				for (int i = 0; i < digits; i++, frac /= 10)
					*--p = (char)('0' + frac % 10);
				*--p = '.';
			}
			do
				*--p = (char)('0' + ip % 10);
			while (ip /= 10);
			if (us < 0)
				*--p = '-';
			buf_adds(b, p);
			return;
		}
	}
	/* else the fewest significant digits that read back as the same double
	 * (more digits never stop reading back, so a binary search finds it) */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		snprintf(tmp, sizeof(tmp), "%.*g", mid, v);
		if (strtod(tmp, NULL) == v)
			hi = mid;
		else
			lo = mid + 1;
	}
	snprintf(tmp, sizeof(tmp), "%.*g", lo, v);
	/* epochs read better without an exponent: the same digits, moved */
	char *e = strchr(tmp, 'e');
	int exp = e ? atoi(e + 1) : 0;
	if (e && exp >= -6 && exp < 21) {
		char dig[24], out[48];
		size_t nd = 0, o = 0;
		for (char *q = tmp; q < e; q++)
			if (*q >= '0' && *q <= '9')
				dig[nd++] = *q;
		if (tmp[0] == '-')
			out[o++] = '-';
		if (exp < 0) {
			out[o++] = '0';
			out[o++] = '.';
			for (int i = 0; i < -exp - 1; i++)
				out[o++] = '0';
			memcpy(out + o, dig, nd);
			o += nd;
		} else {
			for (int i = 0; i <= exp || (size_t)i < nd; i++) {
				if (i == exp + 1)
					out[o++] = '.';
				out[o++] = (size_t)i < nd ? dig[i] : '0';
			}
		}
		out[o] = 0;
		buf_adds(b, out);
		return;
	}
	buf_adds(b, tmp);
}
