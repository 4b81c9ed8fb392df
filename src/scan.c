#include "scan.h"

/* 1 for the bytes a stored string body holds as they are: printable ASCII
 * but '"' and '\\' (0x7f included: json_write_str leaves it) */
static const unsigned char plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
	R16(0), R16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,   /* 0x20-0x2f: '"' */
	R16(1), R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,   /* 0x50-0x5f: '\\' */
	R16(1), R16(1),
#undef R16
};

/* The length of the UTF-8 sequence at p (before end) when it is valid by
 * json.c's check_string rules, else 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0], need, cp, min;

	if (c >= 0xC2 && c <= 0xDF) need = 1, cp = c & 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF) need = 2, cp = c & 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4) need = 3, cp = c & 0x07, min = 0x10000;
	else return 0;
	if ((size_t)(end - p) <= need)
		return 0;
	for (unsigned k = 1; k <= need; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need + 1;
}

int scan_str(struct scan *s, const char **body, size_t *n)
{
	const unsigned char *p = (const unsigned char *)s->p, *end = (const unsigned char *)s->end;

	if (p == end || *p != '"')
		return 0;
	const unsigned char *b = ++p;
	for (;;) {
		while (p < end && plain[*p])
			p++;
		if (p == end)
			return 0;
		if (*p == '"')
			break;
		if (*p < 0x80)
			return 0;                 /* a control character or a backslash */
		size_t k = utf8_len(p, end);
		if (!k)
			return 0;
		p += k;
	}
	*body = (const char *)b;
	*n = (size_t)(p - b);
	s->p = (const char *)p + 1;
	return 1;
}

int scan_u63(struct scan *s, int64_t *v)
{
	const char *p = s->p, *end = s->end;
	uint64_t x;

	if (p == end || *p < '0' || *p > '9')
		return 0;
	x = (uint64_t)(*p++ - '0');
	if (x == 0) {
		if (p < end && *p >= '0' && *p <= '9')
			return 0;                 /* "01": no JSON number */
	} else {
		/* 18 digits never pass INT64_MAX; a 19th may */
		for (int i = 1; p < end && *p >= '0' && *p <= '9'; i++, p++) {
			unsigned d = (unsigned)(*p - '0');
			if (i >= 18 && x > ((uint64_t)INT64_MAX - d) / 10)
				return 0;
			x = x * 10 + d;
		}
	}
	*v = (int64_t)x;
	s->p = p;
	return 1;
}
