/* fuzz-record: json_parse, then every kind's normalise (the kinds named by
 * kind_names(), looked up with kind_find, and kind_stream). A stored form must
 * be one compact JSON line that parses and normalises to the same bytes,
 * the same key and the same bloom keys (normalise is idempotent). */
#include "fuzz.h"

#include <string.h>

#include "kind.h"

static void check_kind(const struct kind *k, const struct json_doc *d)
{
	struct buf out, out2;
	struct rec_info ri, ri2;
	struct json_doc d2;
	char why[256], why2[256];

	buf_init(&out);
	buf_init(&out2);
	memset(&ri, 0, sizeof(ri));
	memset(&ri2, 0, sizeof(ri2));
	why[0] = 0;
	if (k->normalise(d, &out, &ri, why, sizeof(why))) {
		FUZZ_ASSERT(why[0] != 0);
		buf_free(&out);
		return;
	}
	FUZZ_ASSERT(out.len > 0 && out.data[out.len] == 0);
	FUZZ_ASSERT(!memchr(out.data, '\n', out.len));
	FUZZ_ASSERT(ri.nbloom <= KIND_MAX_BLOOM_KEYS);
	/* the kind reads the key back from the stored line */
	if (k->stored_key) {
		int64_t key = 0;
		int krc = k->stored_key(out.data, out.len, &key);
		if (krc || key != ri.key)
			fprintf(stderr, "%s: stored_key %s (%lld, normalise said %lld)\n%.*s\n", k->name,
				krc ? "failed" : "differs", (long long)key, (long long)ri.key,
				(int)out.len, out.data);
		FUZZ_ASSERT(krc == 0 && key == ri.key);
	}

	json_doc_init(&d2);
	int rc = json_parse(&d2, out.data, out.len, why2, sizeof(why2));
	if (rc)
		fprintf(stderr, "%s: stored form does not parse: %s\n%.*s\n", k->name, why2,
			(int)out.len, out.data);
	FUZZ_ASSERT(rc == 0);
	rc = k->normalise(&d2, &out2, &ri2, why2, sizeof(why2));
	if (rc)
		fprintf(stderr, "%s: stored form does not normalise: %s\n%.*s\n", k->name, why2,
			(int)out.len, out.data);
	FUZZ_ASSERT(rc == 0);
	if (out2.len != out.len || memcmp(out.data, out2.data, out.len))
		fprintf(stderr, "%s: normalise is not idempotent:\n%.*s\n%.*s\n", k->name,
			(int)out.len, out.data, (int)out2.len, out2.data);
	FUZZ_ASSERT(out2.len == out.len && !memcmp(out.data, out2.data, out.len));
	FUZZ_ASSERT(ri2.key == ri.key);
	FUZZ_ASSERT(ri2.nbloom == ri.nbloom);
	for (size_t i = 0; i < ri.nbloom; i++)
		FUZZ_ASSERT(ri.bloom[i].n == ri2.bloom[i].n &&
			    (!ri.bloom[i].n || !memcmp(ri.bloom[i].p, ri2.bloom[i].p, ri.bloom[i].n)));
	json_doc_free(&d2);
	buf_free(&out);
	buf_free(&out2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc d;
	char why[256];
	char names[256];

	json_doc_init(&d);
	if (json_parse(&d, (const char *)data, size, why, sizeof(why)) == 0) {
		snprintf(names, sizeof(names), "%s", kind_names());
		for (char *save = NULL, *n = strtok_r(names, ", ", &save); n; n = strtok_r(NULL, ", ", &save)) {
			const struct kind *k = kind_find(n);
			FUZZ_ASSERT(k != NULL);
			check_kind(k, &d);
		}
		/* streams are published, not ingested: not among kind_names() */
		check_kind(&kind_stream, &d);
	}
	json_doc_free(&d);
	return 0;
}
