/* sessions: {user_id, event: start|end, session_id, ts, country?}, keyed by ts */
#include "kind-sessions.h"

#include <string.h>

#include "scan.h"
#include "timefmt.h"

#define COUNTRY_MAX 64

static const char *const fields[] = {"user_id", "event", "session_id", "ts", "country"};
enum { F_USER, F_EVENT, F_SESSION, F_TS, F_COUNTRY, NFIELDS };

static int digits(const char *s, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

static int leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Parse YYYY-MM-DDTHH:MM:SS[.f][Z|±hh:mm] (no zone: UTC) strictly: impossible
 * dates are refused. Sets whole UTC seconds, microseconds, and where the
 * fraction (with its dot) is in s. Returns 0 or -1. */
static int sessions_ts_parse(const char *s, size_t n, int64_t *secs, int64_t *us, size_t *frac_at, size_t *frac_len)
{
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
	size_t i = 19, f0;
	int64_t off = 0, frac = 0;

	if (n < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 ||
	    mi > 59 || sec > 59)
		return -1;
	f0 = i;
	if (i < n && s[i] == '.') {
		int64_t scale = 100000;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
		if (i == f0 + 1 || i - f0 - 1 > 9)
			return -1;
	}
	*frac_at = f0;
	*frac_len = i - f0;
	if (i < n && s[i] == 'Z') {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		if (n - i != 6 || s[i + 3] != ':' || digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
		off = (int64_t)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
		i = n;
	}
	if (i != n)
		return -1;
	*secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	/* 0001-01-01T00:00:00 and 9999-12-31T23:59:59 in UTC */
	if (*secs < INT64_C(-62135596800) || *secs > INT64_C(253402300799))
		return -1;
	*us = *secs * 1000000 + frac;
	return 0;
}

static int fail(char *why, size_t wn, const char *what)
{
	snprintf(why, wn, "%s", what);
	return -1;
}

static int sessions_normalise(const struct json_doc *d, struct buf *out, struct rec_info *ri,
			      char *why, size_t wn)
{
	int tok[NFIELDS] = {-1, -1, -1, -1, -1};
	/* decoded strings: one buffer per thread, kept, so no malloc per record */
	static _Thread_local struct buf s;
	char country[COUNTRY_MAX + 1], ts[48];
	size_t ncountry = 0, frac_at, frac_len;
	int64_t secs, us, start;
	int is_start;

	if (json_type(d, 0) != JSMN_OBJECT)
		return fail(why, wn, "record is not a JSON object");
	for (int t = 1, k = 0; k < json_size(d, 0); k++, t = json_next(d, t + 1)) {
		int f;
		for (f = 0; f < NFIELDS; f++)
			if (json_str_eq(d, t, fields[f], strlen(fields[f])))
				break;
		if (f == NFIELDS) {
			snprintf(why, wn, "unknown field \"%.*s\"", json_rawlen(d, t) > 60 ? 60 : (int)json_rawlen(d, t),
				 json_raw(d, t));
			return -1;
		}
		tok[f] = t + 1;
	}
	for (int f = 0; f < F_COUNTRY; f++) {
		if (tok[f] < 0) {
			snprintf(why, wn, "%s: missing", fields[f]);
			return -1;
		}
		if (!json_is_string(d, tok[f])) {
			snprintf(why, wn, "%s: not a string", fields[f]);
			return -1;
		}
		if (json_rawlen(d, tok[f]) == 0) {
			snprintf(why, wn, "%s: empty", fields[f]);
			return -1;
		}
	}
	if (json_str_eq(d, tok[F_EVENT], "start", 5))
		is_start = 1;
	else if (json_str_eq(d, tok[F_EVENT], "end", 3))
		is_start = 0;
	else
		return fail(why, wn, "event: not \"start\" or \"end\"");
	json_get_str(d, tok[F_TS], &s);
	if (s.len >= 40 || sessions_ts_parse(s.data, s.len, &secs, &us, &frac_at, &frac_len)) {
		snprintf(why, wn, "ts: not a time YYYY-MM-DDTHH:MM:SS[.fraction][Z|+hh:mm]: \"%.*s\"",
			 s.len > 40 ? 40 : (int)s.len, s.data);
		return -1;
	}
	/* stored in UTC without a zone, the fraction kept as it was given;
	 * without an offset the date and time are already that */
	size_t tn = 19;
	if (s.len > frac_at + frac_len && s.data[frac_at + frac_len] != 'Z')
		tn = time_format_utc(secs * 1000000, ts) - 1;
	else
		memcpy(ts, s.data, 19);
	memcpy(ts + tn, s.data + frac_at, frac_len);
	tn += frac_len;
	if (tok[F_COUNTRY] >= 0 && !json_is_null(d, tok[F_COUNTRY])) {
		if (json_get_str(d, tok[F_COUNTRY], &s))
			return fail(why, wn, "country: not a string");
		/* "(.uk)" and "uk" are both UK: upper-case letters and digits only */
		for (size_t i = 0; i < s.len; i++) {
			char c = s.data[i];
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
				continue;
			if (ncountry == COUNTRY_MAX) {
				snprintf(why, wn, "country: more than %d letters and digits", COUNTRY_MAX);
				return -1;
			}
			country[ncountry++] = c;
		}
		if (!ncountry)
			return fail(why, wn, "country: no letters or digits");
	}
	/* strings are stored decoded and re-escaped, so equal values are equal bytes */
	buf_adds(out, "{\"user_id\":");
	start = (int64_t)out->len;
	json_get_str(d, tok[F_USER], &s);
	json_write_str(out, s.data, s.len);
	size_t ulen = out->len - (size_t)start;
	buf_adds(out, is_start ? ",\"event\":\"start\",\"session_id\":" : ",\"event\":\"end\",\"session_id\":");
	json_get_str(d, tok[F_SESSION], &s);
	json_write_str(out, s.data, s.len);
	buf_adds(out, ",\"ts\":\"");
	buf_add(out, ts, tn);
	buf_addc(out, '"');
	if (ncountry) {
		buf_adds(out, ",\"country\":\"");
		buf_add(out, country, ncountry);
		buf_addc(out, '"');
	}
	buf_addc(out, '}');
	ri->key = us;
	/* the bloom key is user_id as stored, quotes included */
	ri->bloom[0].p = out->data + start;
	ri->bloom[0].n = ulen;
	ri->nbloom = 1;
	/* the log's summary lists every country seen */
	ri->summary.p = ncountry ? out->data + out->len - ncountry - 2 : NULL;
	ri->summary.n = ncountry;
	return 0;
}

/* The stored form, {"user_id":S,"event":"start"|"end","session_id":S,
 * "ts":"YYYY-MM-DDTHH:MM:SS[.f]"[,"country":"C"]}: strings non-empty and
 * without escapes, the time valid and without a zone, C 1 to COUNTRY_MAX
 * upper-case letters and digits. */
static int sessions_in_place(const char *line, size_t n, struct rec_info *ri)
{
	struct scan s;
	const char *b, *user, *country = NULL;
	size_t bn, un, cn = 0, fa, fl;
	int64_t secs, us;

	scan_init(&s, line, n);
	if (!SCAN_LIT(&s, "{\"user_id\":"))
		return 0;
	user = s.p;
	if (!scan_str(&s, &b, &un) || !un)
		return 0;
	if (!SCAN_LIT(&s, ",\"event\":\"start\",\"session_id\":") &&
	    !SCAN_LIT(&s, ",\"event\":\"end\",\"session_id\":"))
		return 0;
	if (!scan_str(&s, &b, &bn) || !bn || !SCAN_LIT(&s, ",\"ts\":") || !scan_str(&s, &b, &bn) ||
	    sessions_ts_parse(b, bn, &secs, &us, &fa, &fl) || fa + fl != bn)
		return 0;
	if (SCAN_LIT(&s, ",\"country\":")) {
		if (!scan_str(&s, &country, &cn) || !cn || cn > COUNTRY_MAX)
			return 0;
		for (size_t i = 0; i < cn; i++)
			if (!((country[i] >= 'A' && country[i] <= 'Z') || (country[i] >= '0' && country[i] <= '9')))
				return 0;
	}
	if (!SCAN_LIT(&s, "}") || !scan_done(&s))
		return 0;
	ri->key = us;
	ri->bloom[0].p = user;
	ri->bloom[0].n = un + 2;
	ri->nbloom = 1;
	ri->summary.p = country;
	ri->summary.n = cn;
	return 1;
}

static int sessions_stored_key(const char *line, size_t n, int64_t *key)
{
	static const char tag[] = ",\"ts\":\"";
	/* an unescaped quote only ends a string, so the first match is the field */
	const char *p = memmem(line, n, tag, sizeof(tag) - 1), *q;
	int64_t secs;
	size_t fa, fl;

	if (!p)
		return -1;
	p += sizeof(tag) - 1;
	if (!(q = memchr(p, '"', n - (size_t)(p - line))))
		return -1;
	return sessions_ts_parse(p, (size_t)(q - p), &secs, key, &fa, &fl);
}

/* ---- the stored form, read back (kind-sessions.h) ---- */

int sessions_parse_line(struct json_doc *d, const char *line, size_t n, struct sessions_line *sl)
{
	const char **val[] = {&sl->user, &sl->event, &sl->session, &sl->ts, &sl->country};
	size_t *len[] = {&sl->user_len, &sl->event_len, &sl->session_len, &sl->ts_len, &sl->country_len};
	char why[160];

	if (json_parse(d, line, n, why, sizeof(why)) || json_type(d, 0) != JSMN_OBJECT ||
	    json_size(d, 0) < F_COUNTRY || json_size(d, 0) > NFIELDS)
		return -1;
	/* the members are stored in the order of fields[], each once */
	for (int f = 0, t = 1; f < json_size(d, 0); f++, t += 2) {
		if (!json_str_eq(d, t, fields[f], strlen(fields[f])) || !json_is_string(d, t + 1))
			return -1;
		*val[f] = json_raw(d, t + 1);
		*len[f] = json_rawlen(d, t + 1);
	}
	if (json_size(d, 0) == F_COUNTRY) {
		sl->country = NULL;
		sl->country_len = 0;
	}
	sl->is_start = json_str_eq(d, 4, "start", 5);
	return 0;
}

void sessions_user_key(struct buf *out, const char *u, size_t n)
{
	json_write_str(out, u, n);
}

int sessions_line_of_user(const char *line, size_t n, const char *key, size_t kn)
{
	static const char head[] = "{\"user_id\":";
	size_t hn = sizeof(head) - 1;

	/* stored records are canonical: the user shows in the first bytes */
	return n > hn + kn && !memcmp(line, head, hn) && !memcmp(line + hn, key, kn) && line[hn + kn] == ',';
}

int sessions_line_may_start(const char *line, size_t n)
{
	static const char tag[] = ",\"event\":\"start\",";

	return memmem(line, n, tag, sizeof(tag) - 1) != NULL;
}

const struct kind kind_sessions = {
	.name = "sessions",
	.noun = "session events",
	/* ~850 records of ~155 bytes in a 128 KiB block: about 1 false
	 * positive in 3000 blocks with 16384 bits and 6 probes */
	.bloom_bytes = 2048,
	.bloom_k = 6,
	.key_is_time = 1,
	/* no cluster_width: on late data it writes more blocks than it saves
	 * (aggr-format(5), "Clustered blocks") */
	.retention_us = INT64_C(31557600) * 1000000,   /* 365.25 days */
	.normalise = sessions_normalise,
	.in_place = sessions_in_place,
	.stored_key = sessions_stored_key,
};
