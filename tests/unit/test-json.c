/* test-json.c: strict parsing, typed getters and the escaping writer */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "unit.h"

/* Equal byte strings; either pointer may be NULL when its length is 0. */
static int same(const void *a, size_t an, const void *b, size_t bn)
{
	return an == bn && (an == 0 || !memcmp(a, b, an));
}

static struct json_doc doc;
static char why[256];

static int parse(const char *s, size_t n)
{
	why[0] = 0;
	return json_parse(&doc, s, n, why, sizeof(why));
}

/* 1 when s parses. */
static int accepts_n(const char *s, size_t n)
{
	if (parse(s, n) == 0)
		return 1;
	printf("# rejected %.*s: %s\n", (int)n, s, why);
	return 0;
}

/* 1 when s is rejected with a why containing sub. */
static int rejects_n(const char *s, size_t n, const char *sub)
{
	if (parse(s, n) == 0) {
		printf("# accepted %.*s\n", (int)n, s);
		return 0;
	}
	if (!why[0] || (sub && !strstr(why, sub))) {
		printf("# %.*s: why \"%s\", want \"%s\"\n", (int)n, s, why, sub ? sub : "(nonempty)");
		return 0;
	}
	return 1;
}

#define ACCEPTS(lit) accepts_n(lit, sizeof(lit) - 1)
#define REJECTS(lit, sub) rejects_n(lit, sizeof(lit) - 1, sub)

static int nested(int depth, int objects, int closed)
{
	struct buf b;
	int rc;

	buf_init(&b);
	for (int i = 0; i < depth; i++)
		buf_adds(&b, objects ? "{\"a\":" : "[");
	buf_adds(&b, "1");
	if (closed)
		for (int i = 0; i < depth; i++)
			buf_addc(&b, objects ? '}' : ']');
	rc = parse(b.data, b.len);
	buf_free(&b);
	return rc;
}

/* The decoded string value of the root token. */
static const char *root_str(struct buf *out)
{
	if (json_get_str(&doc, 0, out))
		return NULL;
	return out->data;
}

static int i64_of(const char *lit, int64_t *v)
{
	*v = 12345;
	if (parse(lit, strlen(lit)))
		return 99;
	return json_get_i64(&doc, 0, v);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Append code point cp as UTF-8. */
static void put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t k;

	if (cp < 0x80) u[0] = (char)cp, k = 1;
	else if (cp < 0x800) u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), k = 2;
	else if (cp < 0x10000) u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F)),
		u[2] = (char)(0x80 | (cp & 0x3F)), k = 3;
	else u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3F)),
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), k = 4;
	buf_add(b, u, k);
}

/* A random code point, biased towards the characters that need escaping
 * and the edges of each UTF-8 length. */
static uint32_t rnd_cp(void)
{
	static const uint32_t edge[] = {0, 0x1f, 0x20, '"', '\\', '/', 0x7f, 0x80, 0x7ff, 0x800,
					0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff, '\n', '\t', 'u'};
	uint32_t cp;

	switch (rnd() % 5) {
	case 0: return edge[rnd() % (sizeof(edge) / sizeof(*edge))];
	case 1: return rnd() % 0x20;
	case 2: return rnd() % 0x80;
	case 3: cp = rnd() % 0x10000; break;
	default: cp = rnd() % 0x110000; break;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp -= 0x1000;
	return cp;
}

static void test_accept(void)
{
	struct buf s;
	double dv;

	buf_init(&s);
	CHECK(ACCEPTS("{}"));
	CHECK(ACCEPTS("[]"));
	CHECK(ACCEPTS("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}"));
	CHECK(json_type(&doc, 0) == JSMN_OBJECT && json_size(&doc, 0) == 3);
	CHECK(json_next(&doc, 0) == (int)doc.ntok);
	CHECK(ACCEPTS("[[[]],{\"x\":[{}]},[1,[2,[3]]]]"));
	CHECK(json_type(&doc, 0) == JSMN_ARRAY && json_size(&doc, 0) == 3);
	CHECK(json_next(&doc, 1) == 3);  /* [[]] spans tokens 1 and 2 */
	CHECK(ACCEPTS("\"\""));
	CHECK(ACCEPTS("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\ud83d\\ude00\""));
	CHECK(root_str(&s) && s.len == 18 &&
	      !memcmp(s.data, "\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 18));
	CHECK(ACCEPTS("\"\\ud83d\\ude00\""));
	CHECK(root_str(&s) && !strcmp(s.data, "\xf0\x9f\x98\x80"));
	CHECK(ACCEPTS("\"\\uDBFF\\uDFFF\""));
	CHECK(root_str(&s) && !strcmp(s.data, "\xf4\x8f\xbf\xbf"));
	CHECK(ACCEPTS("\"\\u0000\""));
	CHECK(root_str(&s) && s.len == 1 && s.data[0] == 0);
	/* \u escapes at the edges of each UTF-8 length */
	CHECK(ACCEPTS("\"\\u007f\\u0080\\u07FF\\u0800\\uffff\\ud800\\udc00\""));
	CHECK(root_str(&s) && s.len == 1 + 2 + 2 + 3 + 3 + 4 &&
	      !memcmp(s.data, "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80", 15));
	/* raw UTF-8 at the edges of each length */
	CHECK(ACCEPTS("\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\x7f\""));
	CHECK(ACCEPTS("-0"));
	CHECK(ACCEPTS("0"));
	CHECK(ACCEPTS("1e5"));
	CHECK(ACCEPTS("1.5E-3"));
	CHECK(json_get_double(&doc, 0, &dv) == 0 && dv > 0.0014999 && dv < 0.0015001);
	CHECK(ACCEPTS("-12.25e+2"));
	CHECK(json_get_double(&doc, 0, &dv) == 0 && dv == -1225.0);
	CHECK(ACCEPTS("[-0,0.0,1E5,1e-0,123456789012345678901234567890]"));
	CHECK(ACCEPTS("true"));
	CHECK(ACCEPTS("false"));
	CHECK(ACCEPTS("null"));
	CHECK(json_is_null(&doc, 0));
	CHECK(ACCEPTS(" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" :\n\"c\" } \n\t\r "));
	CHECK(ACCEPTS("  42  "));
	CHECK(ACCEPTS("\n\"x\"\n"));
	/* the same key at different levels and in sibling objects is no duplicate */
	CHECK(ACCEPTS("{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}],\"A\":0,\"ab\":1}"));
	CHECK(ACCEPTS("{\"k00\":0,\"k01\":1,\"k02\":2,\"k03\":3,\"k04\":4,\"k05\":5,\"k06\":6,\"k07\":7,"
		      "\"k08\":8,\"k09\":9,\"k10\":10,\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,"
		      "\"k1\":16,\"\\u006b17\":17}"));
	/* a document is reusable: big, then small */
	CHECK(nested(300, 0, 1) == 0);
	CHECK(ACCEPTS("[1]") && doc.ntok == 2);
	buf_free(&s);
}

static void test_reject(void)
{
	/* separators */
	CHECK(REJECTS("[1 2]", "expected ',' at byte 4"));
	CHECK(REJECTS("[\"a\" \"b\"]", "expected ','"));
	CHECK(REJECTS("[{} {}]", "expected ','"));
	CHECK(REJECTS("{\"a\":1 \"b\":2}", "expected ',' or '}' at byte 7"));
	CHECK(REJECTS("{\"a\":{} \"b\":2}", "expected ',' or '}' at byte 8"));
	CHECK(REJECTS("[1,]", "unexpected ',' at byte 3"));
	CHECK(REJECTS("{\"a\":1,}", "unexpected ',' at byte 7"));
	CHECK(REJECTS("[1,,2]", "unexpected ','"));
	CHECK(REJECTS("[,1]", "unexpected ','"));
	CHECK(REJECTS("{\"a\"::1}", "unexpected ':'"));
	CHECK(REJECTS("{\"a\" 1}", "unexpected '1' at byte 6"));
	CHECK(REJECTS("{\"a\"}", "expected ':' after key at byte 5"));
	CHECK(REJECTS("{\"a\":}", "expected a value after ':' at byte 6"));
	CHECK(REJECTS("{a:1}", "unexpected 'a' at byte 2"));
	CHECK(REJECTS("{1:1}", "unexpected '1' at byte 2"));
	CHECK(REJECTS("['a']", "unexpected ''' at byte 2"));
	CHECK(REJECTS("{'a':1}", "unexpected ''' at byte 2"));
	/* numbers and literals */
	CHECK(REJECTS("01", "invalid literal or number at byte 1"));
	CHECK(REJECTS("[01]", "invalid literal or number at byte 2"));
	CHECK(REJECTS("-01", "invalid literal or number"));
	CHECK(REJECTS("1.", "invalid literal or number at byte 1"));
	CHECK(REJECTS("[1.]", "invalid literal or number at byte 2"));
	CHECK(REJECTS("1.e5", "invalid literal or number"));
	CHECK(REJECTS("1e", "invalid literal or number"));
	CHECK(REJECTS("-", "invalid literal or number"));
	CHECK(REJECTS(".5", "unexpected '.' at byte 1"));
	CHECK(REJECTS("[.5]", "unexpected '.' at byte 2"));
	CHECK(REJECTS("+1", "unexpected '+' at byte 1"));
	CHECK(REJECTS("[+1]", "unexpected '+' at byte 2"));
	CHECK(REJECTS("tru", "invalid literal or number at byte 1"));
	CHECK(REJECTS("[tru]", "invalid literal or number at byte 2"));
	CHECK(REJECTS("nul", "invalid literal or number at byte 1"));
	CHECK(REJECTS("{\"a\":nul}", "invalid literal or number at byte 6"));
	CHECK(REJECTS("truex", "invalid literal or number"));
	CHECK(REJECTS("0x10", "invalid literal or number"));
	/* more than one value, trailing data */
	CHECK(REJECTS("{} {}", "trailing data after JSON value at byte 4"));
	CHECK(REJECTS("\"a\" \"b\"", "trailing data after JSON value at byte 5"));
	CHECK(REJECTS("1 []", "trailing data after JSON value at byte 3"));
	CHECK(REJECTS("1 2", "trailing data after JSON value at byte 3"));
	CHECK(REJECTS("true false", "trailing data after JSON value at byte 6"));
	CHECK(REJECTS("[] 1", "trailing data after JSON value at byte 4"));
	CHECK(REJECTS("{}x", "unexpected 'x' at byte 3"));
	CHECK(REJECTS("[1]]", "unexpected ']' at byte 4"));
	CHECK(REJECTS("1x", "invalid literal or number"));
	CHECK(REJECTS("", "no JSON value"));
	CHECK(REJECTS(" \n ", "no JSON value"));
	/* unterminated */
	CHECK(REJECTS("\"abc", "truncated JSON"));
	CHECK(REJECTS("[\"abc", "truncated JSON"));
	CHECK(REJECTS("[1,2", "truncated JSON"));
	CHECK(REJECTS("[", "truncated JSON"));
	CHECK(REJECTS("{\"a\":1", "truncated JSON"));
	/* strings */
	CHECK(REJECTS("[\"a\tb\"]", "control character in string at byte 4"));
	CHECK(REJECTS("\"a\nb\"", "control character in string at byte 3"));
	CHECK(REJECTS("\"\x01\"", "control character in string"));
	CHECK(REJECTS("\"\x1f\"", "control character in string"));
	CHECK(REJECTS("\"\xc0\x80\"", "invalid UTF-8 at byte 2"));           /* overlong NUL */
	CHECK(REJECTS("\"\xc1\xbf\"", "invalid UTF-8 at byte 2"));           /* overlong */
	CHECK(REJECTS("\"\xe0\x9f\xbf\"", "invalid UTF-8 at byte 2"));       /* overlong 3 */
	CHECK(REJECTS("\"\xf0\x8f\xbf\xbf\"", "invalid UTF-8 at byte 2"));   /* overlong 4 */
	CHECK(REJECTS("\"\xed\xa0\x80\"", "invalid UTF-8 at byte 2"));       /* U+D800 */
	CHECK(REJECTS("\"ab\xed\xbf\xbf\"", "invalid UTF-8 at byte 4"));     /* U+DFFF */
	CHECK(REJECTS("\"\xf5\x80\x80\x80\"", "invalid UTF-8 at byte 2"));
	CHECK(REJECTS("\"\xf4\x90\x80\x80\"", "invalid UTF-8 at byte 2"));   /* > U+10FFFF */
	CHECK(REJECTS("\"\xff\"", "invalid UTF-8 at byte 2"));
	CHECK(REJECTS("\"\x80\"", "invalid UTF-8 at byte 2"));               /* lone continuation */
	CHECK(REJECTS("\"\xe2\x82\"", "invalid UTF-8 at byte 2"));           /* truncated sequence */
	CHECK(REJECTS("\"\xf0\x9f\x98\"", "invalid UTF-8 at byte 2"));
	CHECK(REJECTS("\"\xe2\x82x\"", "invalid UTF-8 at byte 2"));
	CHECK(REJECTS("{\"\xc3\":1}", "invalid UTF-8 at byte 3"));          /* in a key */
	CHECK(REJECTS("\"\\x\"", "bad escape at byte 2"));
	CHECK(REJECTS("[\"ab\\x\"]", "bad escape at byte 5"));
	CHECK(REJECTS("\"\\u12G4\"", "bad \\u escape at byte 2"));
	CHECK(REJECTS("\"\\u00\"", "bad \\u escape at byte 2"));
	CHECK(REJECTS("\"\\ud800\"", "unpaired surrogate in \\u escape at byte 2"));
	CHECK(REJECTS("\"\\ud800x\"", "unpaired surrogate"));
	CHECK(REJECTS("\"\\ud800\\u0041\"", "unpaired surrogate"));
	CHECK(REJECTS("\"\\ud800\\ud800\"", "unpaired surrogate"));
	CHECK(REJECTS("\"\\udc00\"", "unpaired surrogate in \\u escape at byte 2"));
	CHECK(REJECTS("\"ab\\ude00\\ud83d\"", "unpaired surrogate in \\u escape at byte 4"));
	/* duplicate keys, also through escapes and in the sorted (> 16 keys) path */
	CHECK(REJECTS("{\"a\":1,\"a\":2}", "duplicate key"));
	CHECK(REJECTS("{\"a\":1,\"\\u0061\":2}", "duplicate key"));
	CHECK(REJECTS("{\"\\u0061\":1,\"\\u0061\":2}", "duplicate key"));
	CHECK(REJECTS("{\"\\/\":1,\"/\":2}", "duplicate key"));
	CHECK(REJECTS("{\"x\":[{\"b\":1,\"c\":0,\"b\":2}]}", "duplicate key in object at byte 7"));
	CHECK(REJECTS("{\"k00\":0,\"k01\":1,\"k02\":2,\"k03\":3,\"k04\":4,\"k05\":5,\"k06\":6,\"k07\":7,"
		      "\"k08\":8,\"k09\":9,\"k10\":10,\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,"
		      "\"k16\":16,\"k\\u00305\":17}", "duplicate key"));
	CHECK(REJECTS("{\"k00\":0,\"k01\":1,\"k02\":2,\"k03\":3,\"k04\":4,\"k05\":5,\"k06\":6,\"k07\":7,"
		      "\"k08\":8,\"k09\":9,\"k10\":10,\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,"
		      "\"k16\":16,\"k00\":17}", "duplicate key"));
	/* NUL bytes */
	CHECK(rejects_n("[1,\0]", 5, "NUL byte at byte 4"));
	CHECK(rejects_n("\"a\0b\"", 5, "NUL byte at byte 3"));
	CHECK(rejects_n("1\0", 2, "NUL byte"));
}

static void test_depth(void)
{
	CHECK(nested(512, 0, 1) == 0);
	CHECK(nested(513, 0, 1) == -1 && strstr(why, "nesting deeper than 512 levels at byte 513"));
	CHECK(nested(512, 1, 1) == 0);
	CHECK(nested(513, 1, 1) == -1 && strstr(why, "nesting deeper than 512 levels at byte 2561"));
	CHECK(nested(100000, 0, 1) == -1 && strstr(why, "nesting deeper than 512 levels at byte 513"));
	CHECK(nested(100000, 1, 1) == -1 && strstr(why, "nesting deeper than 512"));
	CHECK(nested(100000, 0, 0) == -1 && why[0]);
	/* still usable afterwards */
	CHECK(ACCEPTS("[[1]]"));
}

static void test_getters(void)
{
	struct buf s;
	int64_t v;
	int t;

	buf_init(&s);
	CHECK(i64_of("9223372036854775807", &v) == 0 && v == INT64_MAX);
	CHECK(i64_of("-9223372036854775808", &v) == 0 && v == INT64_MIN);
	CHECK(i64_of("9223372036854775808", &v) == -2);
	CHECK(i64_of("-9223372036854775809", &v) == -2);
	CHECK(i64_of("99999999999999999999999", &v) == -2);
	CHECK(i64_of("1.0", &v) == -1);
	CHECK(i64_of("1e3", &v) == -1);
	CHECK(i64_of("1E3", &v) == -1);
	CHECK(i64_of("\"1\"", &v) == -1);
	CHECK(i64_of("true", &v) == -1);
	CHECK(i64_of("null", &v) == -1);
	CHECK(i64_of("[1]", &v) == -1);
	CHECK(i64_of("-0", &v) == 0 && v == 0);
	CHECK(i64_of("0", &v) == 0 && v == 0);
	CHECK(i64_of("-42", &v) == 0 && v == -42);
	CHECK(i64_of("1642284000", &v) == 0 && v == INT64_C(1642284000));

	CHECK(ACCEPTS("{\"s\":\"a\\tb\\u00e9\\\"\",\"n\":5,\"x\":{\"y\":1,\"s\":2},\"y\":\"s\",\"k\\u00e9y\":true}"));
	t = json_obj_get(&doc, 0, "s");
	CHECK(t > 0 && json_is_string(&doc, t));
	CHECK(t > 0 && json_get_str(&doc, t, &s) == 0 && s.len == 6 && !memcmp(s.data, "a\tb\xc3\xa9\"", 7));
	CHECK(t > 0 && json_rawlen(&doc, t) == 12);
	CHECK(t > 0 && json_str_eq(&doc, t, "a\tb\xc3\xa9\"", 6) == 1);
	CHECK(t > 0 && json_str_eq(&doc, t, "a\tb\xc3\xa9", 5) == 0);
	CHECK(t > 0 && json_str_eq(&doc, t, "a\tb\xc3\xa9\"!", 7) == 0);
	t = json_obj_get(&doc, 0, "n");
	CHECK(t > 0 && json_get_i64(&doc, t, &v) == 0 && v == 5);
	CHECK(t > 0 && json_get_str(&doc, t, &s) == -1);
	CHECK(t > 0 && json_str_eq(&doc, t, "5", 1) == 0);
	/* "y" at the top level, not the one nested in "x" */
	t = json_obj_get(&doc, 0, "y");
	CHECK(t > 0 && json_str_eq(&doc, t, "s", 1) == 1);
	/* a string value is not a key */
	CHECK(json_obj_get(&doc, 0, "a\tb") == -1);
	CHECK(json_obj_get(&doc, 0, "missing") == -1);
	CHECK(json_obj_get(&doc, 0, "") == -1);
	t = json_obj_get(&doc, 0, "k\xc3\xa9y");
	CHECK(t > 0 && json_raw(&doc, t)[0] == 't');
	t = json_obj_get(&doc, 0, "x");
	CHECK(t > 0 && json_type(&doc, t) == JSMN_OBJECT && json_size(&doc, t) == 2);
	CHECK(t > 0 && json_obj_get(&doc, t, "s") == t + 4);
	CHECK(t > 0 && json_obj_get(&doc, t + 2, "s") == -1);  /* not an object */
	{
		size_t n;
		const char *sp;
		t = json_obj_get(&doc, 0, "y");
		sp = t > 0 ? json_span(&doc, t, &n) : NULL;
		CHECK(sp && n == 3 && !memcmp(sp, "\"s\"", 3));
		t = json_obj_get(&doc, 0, "x");
		sp = t > 0 ? json_span(&doc, t, &n) : NULL;
		CHECK(sp && n == 13 && !memcmp(sp, "{\"y\":1,\"s\":2}", 13));
	}
	buf_free(&s);
}

static const char *written(struct buf *b, const char *s, size_t n)
{
	buf_reset(b);
	json_write_str(b, s, n);
	return b->data;
}

static void test_writer(void)
{
	struct buf b, got, in;
	int bad_write = 0, bad_parse = 0, bad_eq = 0, bad_tok = 0;

	buf_init(&b);
	buf_init(&got);
	buf_init(&in);
	CHECK_STR(written(&b, "", 0), "\"\"");
	CHECK_STR(written(&b, "plain", 5), "\"plain\"");
	CHECK_STR(written(&b, "a\"b", 3), "\"a\\\"b\"");
	CHECK_STR(written(&b, "a\\b", 3), "\"a\\\\b\"");
	CHECK_STR(written(&b, "\x1f", 1), "\"\\u001f\"");
	CHECK_STR(written(&b, "\x01", 1), "\"\\u0001\"");
	CHECK_STR(written(&b, "a\nb", 3), "\"a\\nb\"");
	CHECK_STR(written(&b, "\t\r", 2), "\"\\t\\r\"");
	CHECK(!strcmp(written(&b, "\0x", 2), "\"\\u0000x\"") && b.len == 9);
	CHECK_STR(written(&b, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\x7f", 11),
		  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\x7f\"");
	/* appends rather than replaces */
	buf_reset(&b);
	buf_adds(&b, "[");
	json_write_str(&b, "x", 1);
	buf_adds(&b, "]");
	CHECK_STR(b.data, "[\"x\"]");

	for (int i = 0; i < 1000; i++) {
		int len = (int)(rnd() % 40);
		buf_reset(&in);
		for (int k = 0; k < len; k++)
			put_utf8(&in, rnd_cp());
		buf_reset(&b);
		json_write_str(&b, in.data, in.len);
		for (size_t k = 0; k < b.len; k++)
			if ((unsigned char)b.data[k] < 0x20)
				bad_write++;
		if (parse(b.data, b.len)) {
			if (!bad_parse++)
				printf("# round trip %d: %s\n", i, why);
			continue;
		}
		if (json_get_str(&doc, 0, &got) || !same(got.data, got.len, in.data, in.len))
			bad_eq++;
		if (!json_str_eq(&doc, 0, in.data, in.len))
			bad_eq++;
		/* json_write_tok copies the literal as written */
		buf_reset(&got);
		json_write_tok(&got, &doc, 0);
		if (!same(got.data, got.len, b.data, b.len))
			bad_tok++;
	}
	CHECK(bad_write == 0);
	CHECK(bad_parse == 0);
	CHECK(bad_eq == 0);
	CHECK(bad_tok == 0);
	buf_free(&b);
	buf_free(&got);
	buf_free(&in);
}

static const char *dbl(double v)
{
	static struct buf b;
	buf_reset(&b);
	json_write_double(&b, v);
	buf_addc(&b, 0);
	return b.data;
}

/* significant digits of a number's text: from the first nonzero digit to
 * the last (zeros that only place the point do not count) */
static int sig_digits(const char *s)
{
	const char *first = NULL, *last = NULL;
	for (; *s && *s != 'e'; s++)
		if (*s >= '1' && *s <= '9') {
			if (!first)
				first = s;
			last = s;
		}
	if (!first)
		return 1;
	int n = 0;
	for (const char *q = first; q <= last; q++)
		n += *q >= '0' && *q <= '9';
	return n;
}

static void test_double(void)
{
	CHECK_STR(dbl(1642284000), "1642284000");
	CHECK_STR(dbl(1650059272.843029), "1650059272.843029");
	CHECK_STR(dbl(-1), "-1");
	CHECK_STR(dbl(0), "0");
	CHECK_STR(dbl(-0.0), "-0");
	CHECK_STR(dbl(0.1), "0.1");
	CHECK_STR(dbl(1.5e-6), "0.0000015");
	CHECK_STR(dbl(1e-7), "1e-07");
	CHECK_STR(dbl(1e21), "1e+21");
	CHECK_STR(dbl(253402300799.999999), "253402300800");
	CHECK_STR(dbl(0.30000000000000004), "0.30000000000000004");
	CHECK_STR(dbl(5e-324), "5e-324");
	/* random epochs with microseconds and random bit patterns: every text
	 * reads back as the same double, with no more significant digits than
	 * the shortest %.Ng that does */
	uint64_t x = 88172645463325252u;
	int bad_trip = 0, bad_len = 0;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double v;
		if (i % 2)
			v = (double)(int64_t)(x % 4000000000000000u) / 1e6;
		else {
			memcpy(&v, &x, sizeof(v));
			if (v != v || v - v != 0)
				continue;
		}
		const char *t = dbl(v);
		if (strtod(t, NULL) != v) {
			if (bad_trip++ < 3)
				printf("# %.17g printed as %s\n", v, t);
		}
		char ref[40];
		int p;
		for (p = 1; p < 17; p++) {
			snprintf(ref, sizeof(ref), "%.*g", p, v);
			if (strtod(ref, NULL) == v)
				break;
		}
		if (sig_digits(t) > p && bad_len++ < 3)
			printf("# %.17g printed as %s, %d digits would do\n", v, t, p);
	}
	CHECK(bad_trip == 0);
	CHECK(bad_len == 0);
}

int main(void)
{
	unit_name = "unit json";
	json_doc_init(&doc);
	test_accept();
	test_reject();
	test_depth();
	test_getters();
	test_writer();
	test_double();
	json_doc_free(&doc);
	return unit_done();
}
