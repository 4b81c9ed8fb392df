/* fuzz-record: json_parse, then every kind's normalise (the kinds named by
 * kind_names(), looked up with kind_find, and kind_stream). A stored form must
 * be one compact JSON line that parses and normalises to the same bytes,
 * the same key and the same bloom keys (normalise is idempotent). */
#include "fuzz.h"

#include <string.h>

#include "kind-counters.h"
#include "kind-events.h"
#include "kind-flows.h"
#include "kind-sessions.h"
#include "kind-stream.h"

/* The kind's reader of stored lines (kind-*.h) takes every line normalise
 * writes, and reads back its key. */
static void check_reader(const struct kind *k, const struct buf *out, const struct rec_info *ri)
{
	struct json_doc d;
	int rc = 0;

	json_doc_init(&d);
	if (k == &kind_flows) {
		struct flows_line f;
		rc = flows_parse_line(out->data, out->len, &f) || f.hour != ri->key;
	} else if (k == &kind_sessions) {
		struct sessions_line sl;
		rc = sessions_parse_line(&d, out->data, out->len, &sl) ||
		     !sessions_line_of_user(out->data, out->len, ri->bloom[0].p, ri->bloom[0].n) ||
		     sessions_line_may_start(out->data, out->len) != sl.is_start;
	} else if (k == &kind_counters) {
		struct counters_line c;
		const char *name;
		size_t len;
		int64_t v;
		int r = 0, nd = 0;
		rc = counters_parse_line(&d, out->data, out->len, &c) || c.secs * 1000000 != ri->key;
		while (!rc && (r = counters_next_domain(&c, &name, &len, &v)) > 0)
			nd++;
		rc = rc || r || nd != c.ndomains;
	} else if (k == &kind_events) {
		struct events_line e;
		rc = events_parse_line(&d, out->data, out->len, &e) || events_epoch_key(e.start) != ri->key;
	} else if (k == &kind_stream) {
		/* as the publisher stores it */
		static const char id[] = "0a1b2c3d-0000-4000-8000-00000000000f";
		struct buf line, name;
		struct stream_rec r;
		buf_init(&line);
		buf_init(&name);
		stream_rec_write(&line, id, 7, out->data, out->len);
		rc = stream_parse_line(line.data, line.len, &r) || r.offset != 7 || memcmp(r.id, id, STREAM_ID_LEN);
		if (!rc)
			json_unescape(r.name + 1, r.name_len - 2, &name);
		rc = rc || name.len != ri->bloom[0].n || memcmp(name.data, ri->bloom[0].p, name.len);
		buf_free(&line);
		buf_free(&name);
	}
	if (rc)
		fprintf(stderr, "%s: the kind's parser refuses its stored line\n%.*s\n", k->name, (int)out->len,
			out->data);
	FUZZ_ASSERT(rc == 0);
	json_doc_free(&d);
}

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

	check_reader(k, &out, &ri);

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
