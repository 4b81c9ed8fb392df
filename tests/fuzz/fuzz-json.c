/* fuzz-json: json_parse on the input, then every token through the getters;
 * every decoded string must survive json_write_str and a re-parse. */
#include "fuzz.h"

#include <string.h>

#include "json.h"

/* json_write_str(s) must parse back as one string that decodes to s. */
static void check_write_roundtrip(const char *s, size_t n)
{
	struct buf w, back;
	struct json_doc d;
	char why[256];

	buf_init(&w);
	buf_init(&back);
	json_doc_init(&d);
	json_write_str(&w, s, n);
	for (size_t i = 0; i < w.len; i++)
		FUZZ_ASSERT((unsigned char)w.data[i] >= 0x20);
	int rc = json_parse(&d, w.data, w.len, why, sizeof(why));
	if (rc)
		fprintf(stderr, "json_write_str output does not parse: %s\n", why);
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(d.ntok == 1 && json_type(&d, 0) == JSMN_STRING);
	FUZZ_ASSERT(json_get_str(&d, 0, &back) == 0);
	FUZZ_ASSERT(back.len == n && memcmp(back.data, s, n) == 0);
	FUZZ_ASSERT(json_str_eq(&d, 0, s, n) == 1);
	json_doc_free(&d);
	buf_free(&w);
	buf_free(&back);
}

/* A failed parse says why, ending "at byte N" with N inside text or just past it. */
static void check_error(const struct json_doc *d, const char *why, size_t size)
{
	const char *at = strstr(why, " at byte ");

	FUZZ_ASSERT(why[0] != 0);
	FUZZ_ASSERT(at != NULL);
	char *end;
	unsigned long long n = strtoull(at + 9, &end, 10);
	FUZZ_ASSERT(*end == 0 && n >= 1 && n <= (unsigned long long)size + 1);
	FUZZ_ASSERT(d->err_at == n - 1);
}

static void walk(const struct json_doc *d, const char *text, size_t size)
{
	struct buf s;
	int ntok = (int)d->ntok;

	buf_init(&s);
	FUZZ_ASSERT(ntok >= 1);
	FUZZ_ASSERT(json_next(d, 0) == ntok);
	for (int t = 0; t < ntok; t++) {
		size_t sl;
		const char *sp = json_span(d, t, &sl);
		int nx = json_next(d, t);

		FUZZ_ASSERT(nx > t && nx <= ntok);
		FUZZ_ASSERT(sp >= text && sl >= 1 && sl <= size && (size_t)(sp - text) <= size - sl);
		FUZZ_ASSERT(json_rawlen(d, t) <= sl);
		switch (json_type(d, t)) {
		case JSMN_PRIMITIVE: {
			int64_t v = 0;
			double x = 0;
			int ri = json_get_i64(d, t, &v), rd = json_get_double(d, t, &x);
			char c = json_raw(d, t)[0];
			FUZZ_ASSERT(nx == t + 1);
			FUZZ_ASSERT(json_is_null(d, t) == (c == 'n'));
			FUZZ_ASSERT(json_is_string(d, t) == 0);
			if (c == 't' || c == 'f' || c == 'n') {
				FUZZ_ASSERT(ri == -1 && rd == -1);
				break;
			}
			FUZZ_ASSERT(rd == 0);
			FUZZ_ASSERT(ri == 0 || ri == -1 || ri == -2);
			/* both are the correctly rounded value of the same integer */
			if (ri == 0)
				FUZZ_ASSERT((double)v == x);
			FUZZ_ASSERT(json_obj_get(d, t, "a") == -1);
			break;
		}
		case JSMN_STRING:
			FUZZ_ASSERT(nx == t + 1);
			FUZZ_ASSERT(json_is_string(d, t) == 1);
			FUZZ_ASSERT(json_get_str(d, t, &s) == 0);
			FUZZ_ASSERT(s.len <= json_rawlen(d, t));
			FUZZ_ASSERT(json_str_eq(d, t, s.data, s.len) == 1);
			check_write_roundtrip(s.data, s.len);
			break;
		case JSMN_OBJECT: {
			int k = t + 1;
			for (int m = 0; m < json_size(d, t); m++) {
				FUZZ_ASSERT(k < ntok && json_type(d, k) == JSMN_STRING);
				int val = k + 1;
				FUZZ_ASSERT(val < ntok);
				FUZZ_ASSERT(json_get_str(d, k, &s) == 0);
				/* keys are unique once decoded: the lookup finds this one */
				if (!memchr(s.data, 0, s.len))
					FUZZ_ASSERT(json_obj_get(d, t, s.data) == val);
				k = json_next(d, val);
			}
			FUZZ_ASSERT(k == nx);
			break;
		}
		case JSMN_ARRAY: {
			int k = t + 1;
			for (int m = 0; m < json_size(d, t); m++) {
				FUZZ_ASSERT(k < ntok);
				k = json_next(d, k);
			}
			FUZZ_ASSERT(k == nx);
			FUZZ_ASSERT(json_obj_get(d, t, "a") == -1);
			break;
		}
		default:
			FUZZ_ASSERT(!"token of undefined type");
		}
	}
	buf_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct json_doc d;
	char why[256];

	json_doc_init(&d);
	why[0] = 0;
	int rc = json_parse(&d, text, size, why, sizeof(why));
	if (rc == 0)
		walk(&d, text, size);
	else
		check_error(&d, why, size);
	/* a document is reusable: a second parse gives the same answer */
	unsigned ntok = d.ntok;
	int rc2 = json_parse(&d, text, size, why, sizeof(why));
	FUZZ_ASSERT(rc2 == rc);
	if (rc == 0)
		FUZZ_ASSERT(d.ntok == ntok);
	json_doc_free(&d);
	return 0;
}
