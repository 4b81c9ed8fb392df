/* events: {tags, start_epoch?, stop_epoch?} stored as {_id, start_epoch,
 * stop_epoch, tags}, keyed by the start; stop updates and removals are
 * records of their own, applied by every read and folded in by compaction */
#include "kind.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* 9999-12-31T23:59:59.999999Z: starts and stops stay inside aggr's times */
#define MAX_EPOCH 253402300799.999999

int events_epoch_valid(double v)
{
	return isfinite(v) && v >= 0 && v <= MAX_EPOCH;
}

int64_t events_epoch_key(double v)
{
	/* v is in [0, 9999]: no libm needed to round */
	return (int64_t)(v * 1e6 + 0.5);
}

int events_id_new(char out[EVENTS_ID_LEN + 1])
{
	/* a MongoDB ObjectId: seconds, 5 random bytes per process, a counter */
	static unsigned char rnd[8];
	static uint32_t counter;
	static int ready;
	int64_t now;
	int rc;

	if (!ready) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return err_sys("cannot read random bytes for an event id");
		counter = (uint32_t)rnd[5] << 16 | (uint32_t)rnd[6] << 8 | rnd[7];
		ready = 1;
	}
	if ((rc = now_us(&now)))
		return rc;
	uint32_t secs = (uint32_t)(now / 1000000);
	uint32_t c = counter++ & 0xffffff;
	unsigned char b[12] = {secs >> 24, secs >> 16, secs >> 8, secs, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
			       c >> 16, c >> 8, c};
	for (int i = 0; i < 12; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

int events_id_valid(const char *s, size_t n)
{
	if (n != EVENTS_ID_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

void events_write(struct buf *out, const char *id, double start, double stop, const char *tags, size_t tn)
{
	buf_adds(out, "{\"_id\":\"");
	buf_add(out, id, EVENTS_ID_LEN);
	buf_adds(out, "\",\"start_epoch\":");
	json_write_double(out, start);
	buf_adds(out, ",\"stop_epoch\":");
	json_write_double(out, stop);
	buf_adds(out, ",\"tags\":");
	buf_add(out, tags, tn);
	buf_addc(out, '}');
}

void events_write_op(struct buf *out, enum events_op op, const char *id, double start, double stop)
{
	buf_adds(out, op == EVENTS_STOP ? "{\"_op\":\"stop\",\"_id\":\"" : "{\"_op\":\"remove\",\"_id\":\"");
	buf_add(out, id, EVENTS_ID_LEN);
	buf_adds(out, "\",\"start_epoch\":");
	json_write_double(out, start);
	if (op == EVENTS_STOP) {
		buf_adds(out, ",\"stop_epoch\":");
		json_write_double(out, stop);
	}
	buf_addc(out, '}');
}

static int number_field(const struct json_doc *d, int t, const char *name, double *v, char *why, size_t wn)
{
	if (json_get_double(d, t, v)) {
		snprintf(why, wn, "%s: not a number", name);
		return -1;
	}
	return 0;
}

static int events_normalise(const struct json_doc *d, struct buf *out, struct rec_info *ri,
			    char *why, size_t wn)
{
	static _Thread_local struct buf tags, s;
	int ttags = -1, tstart = -1, tstop = -1;
	double start, stop = -1;
	char id[EVENTS_ID_LEN + 1];

	if (json_type(d, 0) != JSMN_OBJECT) {
		snprintf(why, wn, "record is not a JSON object");
		return -1;
	}
	for (int t = 1, k = 0; k < json_size(d, 0); k++, t = json_next(d, t + 1)) {
		if (json_str_eq(d, t, "tags", 4))
			ttags = t + 1;
		else if (json_str_eq(d, t, "start_epoch", 11))
			tstart = t + 1;
		else if (json_str_eq(d, t, "stop_epoch", 10))
			tstop = t + 1;
		else {
			snprintf(why, wn, "unknown field \"%.*s\"%s", (int)json_rawlen(d, t), json_raw(d, t),
				 json_str_eq(d, t, "_id", 3) ? " (aggr assigns the _id)" : "");
			return -1;
		}
	}
	if (ttags < 0) {
		snprintf(why, wn, "tags: missing");
		return -1;
	}
	if (json_type(d, ttags) != JSMN_ARRAY) {
		snprintf(why, wn, "tags: not an array of strings");
		return -1;
	}
	/* tags are stored decoded and re-escaped, so equal tags are equal bytes */
	buf_reset(&tags);
	buf_addc(&tags, '[');
	for (int t = ttags + 1, k = 0; k < json_size(d, ttags); k++, t = json_next(d, t)) {
		if (!json_is_string(d, t)) {
			snprintf(why, wn, "tags: element %d is not a string", k + 1);
			return -1;
		}
		if (k)
			buf_addc(&tags, ',');
		json_get_str(d, t, &s);
		json_write_str(&tags, s.data, s.len);
	}
	buf_addc(&tags, ']');
	if (tstart >= 0) {
		if (number_field(d, tstart, "start_epoch", &start, why, wn))
			return -1;
		if (!events_epoch_valid(start)) {
			snprintf(why, wn, "start_epoch: out of range (0 to 253402300799.999999)");
			return -1;
		}
	} else {
		int64_t now;
		if (now_us(&now)) {
			snprintf(why, wn, "%s", err_msg());
			return -1;
		}
		start = (double)now / 1e6;
	}
	if (tstop >= 0) {
		if (number_field(d, tstop, "stop_epoch", &stop, why, wn))
			return -1;
		if (stop != -1 && !events_epoch_valid(stop)) {
			snprintf(why, wn, "stop_epoch: out of range (-1 for none, or 0 to 253402300799.999999)");
			return -1;
		}
		if (stop != -1 && stop < start) {
			snprintf(why, wn, "stop_epoch: before start_epoch");
			return -1;
		}
	}
	if (events_id_new(id)) {
		snprintf(why, wn, "%s", err_msg());
		return -1;
	}
	events_write(out, id, start, stop, tags.data, tags.len);
	ri->key = events_epoch_key(start);
	ri->nbloom = 0;
	return 0;
}

int events_parse_line(struct json_doc *d, const char *line, size_t n, struct events_line *e)
{
	char why[160];

	memset(e, 0, sizeof(*e));
	e->stop = -1;
	if (json_parse(d, line, n, why, sizeof(why)) || json_type(d, 0) != JSMN_OBJECT)
		return -1;
	int have_start = 0, have_stop = 0;
	for (int t = 1, k = 0; k < json_size(d, 0); k++, t = json_next(d, t + 1)) {
		int v = t + 1;
		if (json_str_eq(d, t, "_op", 3)) {
			if (json_str_eq(d, v, "stop", 4))
				e->op = EVENTS_STOP;
			else if (json_str_eq(d, v, "remove", 6))
				e->op = EVENTS_REMOVE;
			else
				return -1;
		} else if (json_str_eq(d, t, "_id", 3)) {
			if (!json_is_string(d, v) || !events_id_valid(json_raw(d, v), json_rawlen(d, v)))
				return -1;
			memcpy(e->id, json_raw(d, v), EVENTS_ID_LEN);
		} else if (json_str_eq(d, t, "start_epoch", 11)) {
			if (json_get_double(d, v, &e->start) || !events_epoch_valid(e->start))
				return -1;
			have_start = 1;
		} else if (json_str_eq(d, t, "stop_epoch", 10)) {
			if (json_get_double(d, v, &e->stop))
				return -1;
			have_stop = 1;
		} else if (json_str_eq(d, t, "tags", 4)) {
			if (json_type(d, v) != JSMN_ARRAY)
				return -1;
			e->tags = json_span(d, v, &e->tags_len);
			e->tags_tok = v;
		} else {
			return -1;
		}
	}
	if (!e->id[0] || !have_start)
		return -1;
	if (e->op == EVENTS_NONE ? !have_stop || !e->tags : e->op == EVENTS_STOP ? !have_stop || e->tags
											: have_stop || e->tags)
		return -1;
	return 0;
}

static int events_stored_key(const char *line, size_t n, int64_t *key)
{
	static _Thread_local struct json_doc d;
	static _Thread_local int ready;
	struct events_line e;

	if (!ready) {
		json_doc_init(&d);
		ready = 1;
	}
	if (events_parse_line(&d, line, n, &e))
		return -1;
	*key = events_epoch_key(e.start);
	return 0;
}

/* ---- the state every read rebuilds ---- */

void events_state_init(struct events_state *st)
{
	memset(st, 0, sizeof(*st));
	hmap_init(&st->ids);
	buf_init(&st->tags);
	json_doc_init(&st->doc);
}

void events_state_free(struct events_state *st)
{
	free(st->ev);
	hmap_free(&st->ids);
	buf_free(&st->tags);
	json_doc_free(&st->doc);
}

int events_state_add(struct events_state *st, const char *line, size_t n)
{
	struct events_line e;
	int added;

	if (events_parse_line(&st->doc, line, n, &e))
		return err_set(EX_CORRUPT, "events: a stored record is not an event: %.*s", n > 80 ? 80 : (int)n, line);
	size_t i = hmap_put(&st->ids, e.id, EVENTS_ID_LEN, &added);
	if (e.op == EVENTS_NONE) {
		if (!added)
			return err_set(EX_CORRUPT, "events: event %.24s is stored twice", e.id);
		if (st->n == st->cap) {
			st->cap = st->cap ? st->cap * 2 : 256;
			st->ev = xrealloc(st->ev, sizeof(*st->ev) * st->cap);
		}
		struct events_event *ev = &st->ev[st->n++];
		memcpy(ev->id, e.id, EVENTS_ID_LEN);
		ev->start = e.start;
		ev->stop = e.stop;
		ev->dead = 0;
		ev->tags_off = st->tags.len;
		ev->tags_len = e.tags_len;
		buf_add(&st->tags, e.tags, e.tags_len);
		st->live++;
		return 0;
	}
	/* an update of an event outside what this read looked at is not ours */
	if (added || st->ev[i].dead)
		return 0;
	if (e.op == EVENTS_STOP) {
		st->ev[i].stop = e.stop;
	} else {
		st->ev[i].dead = 1;
		st->live--;
	}
	return 0;
}

struct load_ctx {
	struct events_state *st;
	int64_t since, until;
};

static int load_block(const struct idx_entry *e, const struct log_seg *s, void *vctx)
{
	const struct load_ctx *c = vctx;
	(void)s;
	/* an update is keyed by its event's start, so it is read with it */
	return e->m.max_key >= c->since && e->m.min_key < c->until;
}

static int load_record(const char *line, size_t n, uint64_t off, void *vctx)
{
	struct load_ctx *c = vctx;
	(void)off;
	return events_state_add(c->st, line, n);
}

int events_state_load(struct events_state *st, struct log *l, int64_t since, int64_t until,
		      struct log_scan_stats *ss)
{
	struct load_ctx c = {st, since, until};
	int all = since == INT64_MIN && until == INT64_MAX;

	return log_scan(l, all ? NULL : load_block, load_record, &c, ss);
}

/* ---- compaction: drop removed events and updates, fold stops in ---- */

struct compact_ctx {
	struct events_state st;
	struct json_doc doc;
	struct buf line;
};

static int compact_record(const char *line, size_t n, uint64_t off, struct log_keep *keep, void *vctx)
{
	struct compact_ctx *c = vctx;
	struct events_line e;

	(void)off;
	if (events_parse_line(&c->doc, line, n, &e))
		return err_set(EX_CORRUPT, "events: a stored record is not an event: %.*s", n > 80 ? 80 : (int)n, line);
	if (e.op != EVENTS_NONE)
		return 0;  /* applied to its event, which is rewritten below */
	size_t i = hmap_put(&c->st.ids, e.id, EVENTS_ID_LEN, &(int){0});
	const struct events_event *ev = &c->st.ev[i];
	if (ev->dead)
		return 0;
	keep->key = events_epoch_key(e.start);
	if (memcmp(&ev->stop, &e.stop, sizeof(double))) {
		buf_reset(&c->line);
		events_write(&c->line, e.id, e.start, ev->stop, e.tags, e.tags_len);
		keep->line = c->line.data;
		keep->n = c->line.len;
	} else {
		keep->line = line;
		keep->n = n;
	}
	return 0;
}

static int events_compact(struct log *l, struct log_compact_stats *stats)
{
	struct compact_ctx c;
	int rc;

	events_state_init(&c.st);
	json_doc_init(&c.doc);
	buf_init(&c.line);
	rc = events_state_load(&c.st, l, INT64_MIN, INT64_MAX, NULL);
	if (!rc)
		rc = log_compact(l, compact_record, &c, stats);
	events_state_free(&c.st);
	json_doc_free(&c.doc);
	buf_free(&c.line);
	return rc;
}

const struct kind kind_events = {
	.name = "events",
	.noun = "events",
	.key_is_time = 1,
	.normalise = events_normalise,
	.stored_key = events_stored_key,
	.compact = events_compact,
};
