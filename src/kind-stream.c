/* stream: {event:{name,version}, system:{id,name,time,timezone},
 * trigger:{type,name}, payload:{}}, one log per stream (streams/NAME) */
#include "kind-stream.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "stream.h"
#include "timefmt.h"

/* The members an object must have, in the order they are stored. */
struct member {
	const char *name;
	int tok;
};

/*
 * Find the members of object obj (token) named in m[0..n), each exactly
 * once; anything else is refused. path is "event" etc. for messages ("" at
 * the top). Returns 0, or -1 with why set.
 */
static int members(const struct json_doc *d, int obj, const char *path, struct member *m, size_t n,
		   char *why, size_t wn)
{
	for (size_t i = 0; i < n; i++)
		m[i].tok = -1;
	for (int t = obj + 1, k = 0; k < json_size(d, obj); k++, t = json_next(d, t + 1)) {
		size_t i;
		for (i = 0; i < n; i++)
			if (json_str_eq(d, t, m[i].name, strlen(m[i].name)))
				break;
		if (i == n) {
			if (!*path && json_str_eq(d, t, "eventId", 7))
				snprintf(why, wn, "eventId: not allowed in input (publish assigns event ids)");
			else
				snprintf(why, wn, "%s%sunknown field \"%.*s\"", path, *path ? ": " : "",
					 (int)json_rawlen(d, t), json_raw(d, t));
			return -1;
		}
		m[i].tok = t + 1;
	}
	for (size_t i = 0; i < n; i++)
		if (m[i].tok < 0) {
			snprintf(why, wn, "%s%s%s: missing", path, *path ? "." : "", m[i].name);
			return -1;
		}
	return 0;
}

static int want_object(const struct json_doc *d, int t, const char *path, char *why, size_t wn)
{
	if (json_type(d, t) == JSMN_OBJECT)
		return 0;
	snprintf(why, wn, "%s: not an object", path);
	return -1;
}

/* A non-empty string, decoded into s. */
static int want_string(const struct json_doc *d, int t, const char *path, const char *name,
		       struct buf *s, char *why, size_t wn)
{
	if (json_get_str(d, t, s)) {
		snprintf(why, wn, "%s.%s: not a string", path, name);
		return -1;
	}
	if (!s->len) {
		snprintf(why, wn, "%s.%s: empty", path, name);
		return -1;
	}
	return 0;
}

/* Member i of an object being written: "NAME":VALUE, a comma before all
 * but the first. */
static void add_member(struct buf *out, int i, const char *name, const struct buf *v)
{
	if (i)
		buf_addc(out, ',');
	buf_addc(out, '"');
	buf_adds(out, name);
	buf_adds(out, "\":");
	json_write_str(out, v->data, v->len);
}

static int two(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "YYYY-MM-DD HH:MM:SS", a real date and time of day. */
static int local_time_valid(const char *s, size_t n)
{
	static const char shape[] = "0000-00-00 00:00:00";
	static const int dm[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (n != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == '0' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return 0;
	int y = two(s) * 100 + two(s + 2), mo = two(s + 5), d = two(s + 8);
	if (mo < 1 || mo > 12 || d < 1 || d > dm[mo - 1])
		return 0;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return two(s + 11) < 24 && two(s + 14) < 60 && two(s + 17) < 60;
}

/* time_zone_exists() with the zones already found remembered: it reads a
 * file, and a run of a million events names a handful of zones. */
static int zone_known(const char *z, size_t n)
{
	static _Thread_local char seen[16][64];
	static _Thread_local unsigned nseen;

	if (memchr(z, 0, n))
		return 0;
	for (unsigned i = 0; i < nseen && i < 16; i++)
		if (!strcmp(seen[i], z))
			return 1;
	if (!time_zone_exists(z))
		return 0;
	if (n < sizeof(seen[0]))
		memcpy(seen[nseen++ % 16], z, n + 1);
	return 1;
}

/* Append the value of token t without insignificant whitespace: payloads
 * may arrive pretty-printed, but a stored record is one line. */
static int compact(struct buf *out, const struct json_doc *d, int t)
{
	int n = json_size(d, t), c = t + 1;

	switch (json_type(d, t)) {
	case JSMN_OBJECT:
		buf_addc(out, '{');
		for (int k = 0; k < n; k++) {
			if (k)
				buf_addc(out, ',');
			json_write_tok(out, d, c);
			buf_addc(out, ':');
			compact(out, d, c + 1);
			c = json_next(d, c + 1);
		}
		buf_addc(out, '}');
		break;
	case JSMN_ARRAY:
		buf_addc(out, '[');
		for (int k = 0; k < n; k++) {
			if (k)
				buf_addc(out, ',');
			compact(out, d, c);
			c = json_next(d, c);
		}
		buf_addc(out, ']');
		break;
	case JSMN_STRING:
		json_write_tok(out, d, t);
		break;
	default:
		buf_add(out, json_raw(d, t), json_rawlen(d, t));
	}
	return 0;
}

static int stream_normalise(const struct json_doc *d, struct buf *out, struct rec_info *ri,
			    char *why, size_t wn)
{
	struct member top[] = {{"event", 0}, {"system", 0}, {"trigger", 0}, {"payload", 0}};
	struct member ev[] = {{"name", 0}, {"version", 0}};
	struct member sys[] = {{"id", 0}, {"name", 0}, {"time", 0}, {"timezone", 0}};
	struct member trg[] = {{"type", 0}, {"name", 0}};
	/* decoded strings: kept per thread, so no malloc per record; the
	 * event name stays valid for ri until the next record */
	static _Thread_local struct buf name, s;
	int64_t version;

	if (json_type(d, 0) != JSMN_OBJECT) {
		snprintf(why, wn, "record is not a JSON object");
		return -1;
	}
	if (members(d, 0, "", top, 4, why, wn) || want_object(d, top[0].tok, "event", why, wn) ||
	    want_object(d, top[1].tok, "system", why, wn) || want_object(d, top[2].tok, "trigger", why, wn) ||
	    want_object(d, top[3].tok, "payload", why, wn) || members(d, top[0].tok, "event", ev, 2, why, wn) ||
	    members(d, top[1].tok, "system", sys, 4, why, wn) || members(d, top[2].tok, "trigger", trg, 2, why, wn))
		return -1;
	if (want_string(d, ev[0].tok, "event", "name", &name, why, wn))
		return -1;
	/* consumer positions are kept per name in files and C strings */
	if (memchr(name.data, 0, name.len)) {
		snprintf(why, wn, "event.name: contains a NUL character");
		return -1;
	}
	int r = json_get_i64(d, ev[1].tok, &version);
	if (r || version < 1) {
		snprintf(why, wn, "event.version: %s", r == -1 ? "not an integer" : r == -2 ?
			 "integer out of 64-bit range" : "must be at least 1");
		return -1;
	}
	buf_adds(out, "{\"event\":{\"name\":");
	json_write_str(out, name.data, name.len);
	buf_adds(out, ",\"version\":");
	buf_add_i64(out, version);
	buf_adds(out, "},\"system\":{");
	for (int i = 0; i < 4; i++) {
		if (want_string(d, sys[i].tok, "system", sys[i].name, &s, why, wn))
			return -1;
		if (i == 2 && !local_time_valid(s.data, s.len)) {
			snprintf(why, wn, "system.time: not a time as YYYY-MM-DD HH:MM:SS: \"%.*s\"",
				 s.len > 40 ? 40 : (int)s.len, s.data);
			return -1;
		}
		if (i == 3 && !zone_known(s.data, s.len)) {
			snprintf(why, wn, "system.timezone: unknown time zone: \"%.*s\"",
				 s.len > 60 ? 60 : (int)s.len, s.data);
			return -1;
		}
		add_member(out, i, sys[i].name, &s);
	}
	buf_adds(out, "},\"trigger\":{");
	for (int i = 0; i < 2; i++) {
		if (want_string(d, trg[i].tok, "trigger", trg[i].name, &s, why, wn))
			return -1;
		add_member(out, i, trg[i].name, &s);
	}
	buf_adds(out, "},\"payload\":");
	compact(out, d, top[3].tok);
	buf_addc(out, '}');
	ri->key = 0;  /* the publisher sets it: the record's offset */
	ri->bloom[0].p = name.data;
	ri->bloom[0].n = name.len;
	ri->nbloom = 1;
	return 0;
}

const struct kind kind_stream = {
	.name = "stream",
	.log_prefix = "streams/",
	.noun = "events",
	.bloom_bytes = STREAM_BLOOM_BYTES,
	.bloom_k = STREAM_BLOOM_K,
	.normalise = stream_normalise,
	.verify = stream_counts_verify,
	.repair = stream_counts_repair,
};

/* ---- the stored form: {"eventId":"<uuid>","offset":N,"event":{"name":..},..} ---- */

int stream_parse_line(const char *p, size_t n, struct stream_rec *r)
{
	static const char a[] = "{\"eventId\":\"", b[] = "\",\"offset\":", c[] = ",\"event\":{\"name\":";
	const char *q, *end = p + n;

	if (n < STREAM_ID_AT + STREAM_ID_LEN + sizeof(b) || memcmp(p, a, STREAM_ID_AT) ||
	    memcmp(p + STREAM_ID_AT + STREAM_ID_LEN, b, sizeof(b) - 1))
		return -1;
	r->id = p + STREAM_ID_AT;
	q = p + STREAM_ID_AT + STREAM_ID_LEN + sizeof(b) - 1;
	r->offset = 0;
	const char *d0 = q;
	while (q < end && *q >= '0' && *q <= '9' && q - d0 < 19)
		r->offset = r->offset * 10 + (uint64_t)(*q++ - '0');
	if (q == d0 || (size_t)(end - q) < sizeof(c) || memcmp(q, c, sizeof(c) - 1))
		return -1;
	r->rest = q;
	q += sizeof(c) - 1;
	r->name = q;
	if (*q++ != '"')
		return -1;
	while (q < end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	if (q >= end)
		return -1;
	r->name_len = (size_t)(q + 1 - r->name);
	r->rest_len = (size_t)(end - r->rest);
	return 0;
}

int stream_rec_has_id(const char *line, size_t n, const char *id)
{
	return n > STREAM_ID_AT + STREAM_ID_LEN && !memcmp(line + STREAM_ID_AT, id, STREAM_ID_LEN);
}

void stream_rec_write(struct buf *out, const char *id, uint64_t offset, const char *norm, size_t n)
{
	buf_adds(out, "{\"eventId\":\"");
	buf_add(out, id, STREAM_ID_LEN);
	buf_adds(out, "\",\"offset\":");
	buf_add_i64(out, (int64_t)offset);
	buf_addc(out, ',');
	buf_add(out, norm + 1, n - 1);  /* norm without its '{' */
}

void stream_rec_print(struct buf *out, const char *line, const struct stream_rec *r)
{
	buf_add(out, line, STREAM_ID_AT + STREAM_ID_LEN + 1);
	buf_add(out, r->rest, r->rest_len);
}

/* ---- event ids ---- */

int stream_id_parse(const char *s, char out[STREAM_ID_LEN + 1])
{
	if (strlen(s) != STREAM_ID_LEN)
		return -1;
	for (int i = 0; i < STREAM_ID_LEN; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return -1;
		} else if (c >= 'A' && c <= 'F') {
			c = (char)(c - 'A' + 'a');
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return -1;
		}
		out[i] = c;
	}
	out[STREAM_ID_LEN] = 0;
	return 0;
}

int stream_id_new(struct stream_rnd *r, char out[STREAM_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char u[16];

	if (r->n - r->at < 16) {
		r->n = r->at = 0;
		while (r->n < sizeof(r->b)) {
			ssize_t got = getrandom(r->b + r->n, sizeof(r->b) - r->n, 0);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				return err_sys("cannot read random bytes");
			r->n += (size_t)got;
		}
	}
	memcpy(u, r->b + r->at, 16);
	r->at += 16;
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);  /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);  /* RFC 4122 variant */
	for (int i = 0, j = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[u[i] >> 4];
		out[j++] = hex[u[i] & 15];
	}
	out[STREAM_ID_LEN] = 0;
	return 0;
}
