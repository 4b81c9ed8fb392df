/* fuzz-inplace: ingest's two paths agree. For every kind with an in_place
 * scanner, on every input:
 *  - when in_place takes the line, json_parse and normalise accept it too,
 *    store exactly its bytes, and give the same key, bloom keys and summary
 *    key (so the store is the same, whichever path ran);
 *  - when in_place declines, nothing is decided by it: ingest runs
 *    json_parse and normalise, whose message is the only one (same accept
 *    or reject, same message, by construction);
 *  - in_place never declines a line the JSON path stores unchanged, unless
 *    the line has a backslash (escapes are left to the JSON path) or, for
 *    counters, more domains than the scanner compares: the fast path is
 *    the common path.
 * The input runs as it is and, when it has a newline, as each of its lines. */
#include "fuzz.h"

#include <string.h>

#include "kind.h"

static void check_line(const struct kind *k, const char *line, size_t n)
{
	struct json_doc d;
	struct buf out;
	struct rec_info fast, slow;
	char why[256];

	memset(&fast, 0, sizeof(fast));
	memset(&slow, 0, sizeof(slow));
	int took = k->in_place(line, n, &fast);
	FUZZ_ASSERT(took == 0 || took == 1);
	json_doc_init(&d);
	buf_init(&out);
	int ok = json_parse(&d, line, n, why, sizeof(why)) == 0 &&
		 k->normalise(&d, &out, &slow, why, sizeof(why)) == 0;
	int same = ok && out.len == n && !memcmp(out.data, line, n);
	if (took && !same)
		fprintf(stderr, "%s: in_place took a line the JSON path %s:\n%.*s\n%s%.*s\n", k->name,
			ok ? "rewrites" : "rejects", (int)n, line, ok ? "" : why, ok ? (int)out.len : 0,
			out.data ? out.data : "");
	FUZZ_ASSERT(!took || same);
	if (took) {
		FUZZ_ASSERT(fast.key == slow.key);
		FUZZ_ASSERT(fast.nbloom == slow.nbloom);
		for (size_t i = 0; i < fast.nbloom; i++)
			FUZZ_ASSERT(fast.bloom[i].n == slow.bloom[i].n &&
				    !memcmp(fast.bloom[i].p, slow.bloom[i].p, fast.bloom[i].n));
		FUZZ_ASSERT((fast.summary.p == NULL) == (slow.summary.p == NULL));
		FUZZ_ASSERT(fast.summary.n == slow.summary.n &&
			    (!fast.summary.n || !memcmp(fast.summary.p, slow.summary.p, fast.summary.n)));
		/* pointers into the line, which ingest stores as it is */
		for (size_t i = 0; i < fast.nbloom; i++)
			FUZZ_ASSERT(fast.bloom[i].p >= line && fast.bloom[i].p + fast.bloom[i].n <= line + n);
		FUZZ_ASSERT(!fast.summary.p ||
			    (fast.summary.p >= line && fast.summary.p + fast.summary.n <= line + n));
	}
	if (same && !took && !memchr(line, '\\', n)) {
		int many = 0;
		if (!strcmp(k->name, "counters")) {
			int domains = 0;
			for (int t = 1, i = 0; i < json_size(&d, 0); i++, t = json_next(&d, t + 1))
				domains++;
			many = domains - 1 > 16;
		}
		if (!many)
			fprintf(stderr, "%s: in_place declined a stored line:\n%.*s\n", k->name, (int)n, line);
		FUZZ_ASSERT(many);
	}
	buf_free(&out);
	json_doc_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;

	for (size_t i = 0; kind_at(i); i++) {
		const struct kind *k = kind_at(i);
		if (!k->in_place)
			continue;
		check_line(k, p, size);
		if (!memchr(p, '\n', size))
			continue;
		for (size_t a = 0, b; a < size; a = b + 1) {
			const char *nl = memchr(p + a, '\n', size - a);
			b = nl ? (size_t)(nl - p) : size;
			/* its own buffer, so a sanitizer sees a read past its end */
			char *line = malloc(b - a + 1);
			FUZZ_ASSERT(line != NULL);
			memcpy(line, p + a, b - a);
			check_line(k, line, b - a);
			free(line);
		}
	}
	return 0;
}
