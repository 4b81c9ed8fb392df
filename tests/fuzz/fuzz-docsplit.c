/* fuzz-docsplit: docsplit_scan, the splitter of pretty-printed documents
 * for "aggr stream publish". Scanning in one piece or line by line finds
 * the same document ends; and a JSON object or array written twice, with
 * white space between, splits into two documents that are exactly it. */
#include "fuzz.h"

#include <string.h>

#include "docsplit.h"
#include "json.h"

/* Document ends (offsets just past them) of p[0..n), fed in pieces that
 * end after each '\n' when by_line, else in one piece. Returns the count. */
static size_t ends(const char *p, size_t n, int by_line, size_t *out, size_t max)
{
	struct docsplit s;
	size_t at = 0, k = 0;

	docsplit_init(&s);
	while (at < n) {
		size_t piece = n - at;
		if (by_line) {
			const char *nl = memchr(p + at, '\n', n - at);
			if (nl)
				piece = (size_t)(nl - (p + at)) + 1;
		}
		size_t end = at + piece;
		while (at < end) {
			int ended;
			size_t used = docsplit_scan(&s, p + at, end - at, &ended);
			FUZZ_ASSERT(used > 0 && used <= end - at);
			FUZZ_ASSERT(!ended || p[at + used - 1] == '}' || p[at + used - 1] == ']');
			at += used;
			if (ended && k < max)
				out[k++] = at;
		}
	}
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t a[64], b[64];
	struct json_doc d;
	char why[256];

	size_t na = ends(p, size, 0, a, 64), nb = ends(p, size, 1, b, 64);
	FUZZ_ASSERT(na == nb && !memcmp(a, b, na * sizeof(*a)));

	json_doc_init(&d);
	if (size < 65536 && json_parse(&d, p, size, why, sizeof(why)) == 0 &&
	    (json_type(&d, 0) == JSMN_OBJECT || json_type(&d, 0) == JSMN_ARRAY)) {
		size_t span_len;
		const char *span = json_span(&d, 0, &span_len);
		size_t doc_end = (size_t)(span - p) + span_len;
		char *two = malloc(2 * size + 1);
		memcpy(two, p, size);
		two[size] = '\n';
		memcpy(two + size + 1, p, size);
		size_t n2 = ends(two, 2 * size + 1, 1, a, 64);
		FUZZ_ASSERT(n2 == 2 && a[0] == doc_end && a[1] == size + 1 + doc_end);
		struct json_doc d2;
		json_doc_init(&d2);
		FUZZ_ASSERT(json_parse(&d2, two + a[0], a[1] - a[0], why, sizeof(why)) == 0);
		json_doc_free(&d2);
		free(two);
	}
	json_doc_free(&d);
	return 0;
}
