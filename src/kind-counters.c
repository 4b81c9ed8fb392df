/* counters: {"timestamp": T, "<domain>": n, ...}, keyed by the timestamp */
#include "kind-counters.h"

#include <string.h>

#include "scan.h"

/* Latest timestamp accepted: 9999-12-31T23:59:59Z, so key times never overflow. */
#define MAX_EPOCH INT64_C(253402300799)

/* The timestamp as the original service took it: a JSON integer or a string
 * of decimal digits. Returns 0, or -1 with why set. */
static int timestamp(const struct json_doc *d, int t, int64_t *secs, char *why, size_t wn)
{
	int r;

	if (json_is_string(d, t)) {
		const char *s = json_raw(d, t);
		size_t n = json_rawlen(d, t);
		if (n == 0 || n > 18 || strspn(s, "0123456789") < n) {
			snprintf(why, wn, "timestamp: not a number of seconds: \"%.*s\"", n > 40 ? 40 : (int)n, s);
			return -1;
		}
		r = parse_i64(s, n, secs) ? -2 : 0;
	} else {
		r = json_get_i64(d, t, secs);
	}
	if (r == -2 || (r == 0 && (*secs < 0 || *secs > MAX_EPOCH))) {
		snprintf(why, wn, "timestamp: out of range (0 to %lld)", (long long)MAX_EPOCH);
		return -1;
	}
	if (r) {
		snprintf(why, wn, "timestamp: not an integer number of seconds");
		return -1;
	}
	return 0;
}

static int counters_normalise(const struct json_doc *d, struct buf *out, struct rec_info *ri,
			      char *why, size_t wn)
{
	int ts = -1;
	int64_t secs, n;

	if (json_type(d, 0) != JSMN_OBJECT) {
		snprintf(why, wn, "record is not a JSON object");
		return -1;
	}
	for (int t = 1, k = 0; k < json_size(d, 0); k++, t = json_next(d, t + 1))
		if (json_str_eq(d, t, "timestamp", 9))
			ts = t + 1;
	if (ts < 0) {
		snprintf(why, wn, "timestamp: missing");
		return -1;
	}
	if (timestamp(d, ts, &secs, why, wn))
		return -1;
	buf_adds(out, "{\"timestamp\":");
	buf_add_i64(out, secs);
	/* domains keep their order: ties in top go to the first seen */
	for (int t = 1, k = 0; k < json_size(d, 0); k++, t = json_next(d, t + 1)) {
		if (t + 1 == ts)
			continue;
		int r = json_get_i64(d, t + 1, &n);
		const char *name = json_raw(d, t);
		int nl = json_rawlen(d, t) > 60 ? 60 : (int)json_rawlen(d, t);
		if (json_rawlen(d, t) == 0) {
			snprintf(why, wn, "empty domain name");
			return -1;
		}
		if (r == -2) {
			snprintf(why, wn, "%.*s: count out of 64-bit range", nl, name);
			return -1;
		}
		if (r) {
			snprintf(why, wn, "%.*s: count is not an integer", nl, name);
			return -1;
		}
		if (n < 0) {
			snprintf(why, wn, "%.*s: count is negative", nl, name);
			return -1;
		}
		buf_addc(out, ',');
		/* keys are stored decoded and re-escaped, one spelling per domain */
		/* one buffer per thread, kept, so no malloc per domain */
		static _Thread_local struct buf s;
		json_get_str(d, t, &s);
		json_write_str(out, s.data, s.len);
		buf_addc(out, ':');
		buf_add_i64(out, n);
	}
	buf_addc(out, '}');
	ri->key = secs * 1000000;
	ri->nbloom = 0;
	return 0;
}

static int counters_stored_key(const char *line, size_t n, int64_t *key)
{
	static const char head[] = "{\"timestamp\":";
	size_t i = sizeof(head) - 1, j;
	int64_t secs;

	if (n < i || memcmp(line, head, i))
		return -1;
	for (j = i; j < n && line[j] >= '0' && line[j] <= '9'; j++)
		;
	if (parse_i64(line + i, j - i, &secs))
		return -1;
	*key = secs * 1000000;
	return 0;
}

/* Domains the fast path takes in one record: json_parse refuses duplicate
 * keys, and comparing every pair stays cheap up to this many. */
#define IN_PLACE_MAX_DOMAINS 16

/* The stored form, {"timestamp":T,"<domain>":n,...}: T in range, domains
 * non-empty, without escapes, distinct and none "timestamp". */
static int counters_in_place(const char *line, size_t n, struct rec_info *ri)
{
	struct scan s;
	const char *dom[IN_PLACE_MAX_DOMAINS];
	size_t dn[IN_PLACE_MAX_DOMAINS], nd = 0;
	int64_t secs, v;

	scan_init(&s, line, n);
	if (!SCAN_LIT(&s, "{\"timestamp\":") || !scan_u63(&s, &secs) || secs > MAX_EPOCH)
		return 0;
	while (SCAN_LIT(&s, ",")) {
		if (nd == IN_PLACE_MAX_DOMAINS || !scan_str(&s, &dom[nd], &dn[nd]) || !dn[nd] ||
		    !SCAN_LIT(&s, ":") || !scan_u63(&s, &v))
			return 0;
		if (dn[nd] == 9 && !memcmp(dom[nd], "timestamp", 9))
			return 0;
		for (size_t i = 0; i < nd; i++)
			if (dn[i] == dn[nd] && !memcmp(dom[i], dom[nd], dn[nd]))
				return 0;
		nd++;
	}
	if (!SCAN_LIT(&s, "}") || !scan_done(&s))
		return 0;
	ri->key = secs * 1000000;
	ri->nbloom = 0;
	return 1;
}

/* ---- the stored form, read back (kind-counters.h) ---- */

int counters_parse_line(struct json_doc *d, const char *line, size_t n, struct counters_line *c)
{
	char why[160];

	if (json_parse(d, line, n, why, sizeof(why)) || json_type(d, 0) != JSMN_OBJECT || json_size(d, 0) < 1 ||
	    !json_str_eq(d, 1, "timestamp", 9) || json_get_i64(d, 2, &c->secs))
		return -1;
	c->ndomains = json_size(d, 0) - 1;
	c->d = d;
	c->tok = 3;
	c->k = 0;
	return 0;
}

int counters_next_domain(struct counters_line *c, const char **name, size_t *len, int64_t *count)
{
	int t = c->tok;

	if (c->k == c->ndomains)
		return 0;
	*name = json_raw(c->d, t);
	*len = json_rawlen(c->d, t);
	c->k++;
	c->tok = json_next(c->d, t + 1);
	return json_get_i64(c->d, t + 1, count) ? -1 : 1;
}

const struct kind kind_counters = {
	.name = "counters",
	.noun = "counter records",
	.key_is_time = 1,
	/* one UTC hour: aggr-format(5), "Clustered blocks" */
	.cluster_width = INT64_C(3600) * 1000000,
	.normalise = counters_normalise,
	.in_place = counters_in_place,
	.stored_key = counters_stored_key,
};
