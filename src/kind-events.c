/* events: {tags, start_epoch?, stop_epoch?} stored as {_id, start_epoch,
 * stop_epoch, tags}, keyed by the start; stop updates and removals are
 * records of their own, applied by every read and folded in by compaction */
#include "kind-events.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

int events_epoch_valid(double v)
{
	return isfinite(v) && v >= 0 && v <= EVENTS_MAX_EPOCH;
}

int events_stop_valid(double start, double stop)
{
	return stop == -1 || (events_epoch_valid(stop) && stop >= start);
}

int64_t events_epoch_key(double v)
{
	/* v is in [0, 9999]: no libm needed to round */
	return (int64_t)(v * 1e6 + 0.5);
}

double events_epoch_from_us(int64_t us)
{
	double v = (double)us / 1e6;

	/* the last 15 us of 9999 round to 253402300800, the first instant of
	 * 10000: keep them in range at the nearest double that is */
	return v > EVENTS_MAX_EPOCH ? EVENTS_MAX_EPOCH : v + 0.0;
}

/* Is s[0..n) a JSON number (RFC 8259 section 6, leading zeros allowed)? */
static int number_shape(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == d)
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

int events_epoch_parse(const char *s, size_t n, double *v)
{
	char small[64], *t = n < sizeof(small) ? small : xmalloc(n + 1);
	int rc = 0;

	if (!number_shape(s, n)) {
		rc = -1;
		goto out;
	}
	memcpy(t, s, n);
	t[n] = 0;
	*v = strtod(t, NULL);
	if (*v == -1)
		rc = -3;
	else if (!isfinite(*v) || *v < 0 || *v > 253402300800.0)
		rc = -2;
	else if (*v > EVENTS_MAX_EPOCH) {
		/* 253402300800 is also the double of every number from
		 * 253402300799.999985 on: which side of the documented
		 * maximum the text is on, a long double tells */
		if (strtold(t, NULL) > 253402300799.999999L)
			rc = -2;
		else
			*v = EVENTS_MAX_EPOCH;
	}
	*v += 0.0;  /* -0 is 0 */
out:
	if (t != small)
		free(t);
	return rc;
}

void events_idgen_init(struct events_idgen *g, const unsigned char rnd[5], uint32_t counter)
{
	memset(g, 0, sizeof(*g));
	memcpy(g->rnd, rnd, sizeof(g->rnd));
	g->counter = counter & 0xffffff;
}

void events_idgen_next(struct events_idgen *g, int64_t now_us, char out[EVENTS_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t secs = now_us > 0 ? (uint64_t)now_us / 1000000 : 0;

	/* the seconds field never goes back, so ids increase in a process */
	if (secs > g->secs)
		g->secs = secs;
	uint32_t s32 = (uint32_t)g->secs, c = g->counter;
	unsigned char b[12] = {s32 >> 24, s32 >> 16, s32 >> 8, s32, g->rnd[0], g->rnd[1], g->rnd[2], g->rnd[3],
			       g->rnd[4], c >> 16, c >> 8, c};
	for (int i = 0; i < 12; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[EVENTS_ID_LEN] = 0;
	/* 2^24 ids in one second: MongoDB would wrap the counter and repeat
	 * ids; the seconds field runs ahead of the clock instead */
	g->counter = (c + 1) & 0xffffff;
	if (!g->counter)
		g->secs++;
}

int events_id_new(char out[EVENTS_ID_LEN + 1])
{
	/* a MongoDB ObjectId: seconds, 5 random bytes per process, a counter
	 * starting at a random value */
	static struct events_idgen g;
	static int ready;
	int64_t now;
	int rc;

	if (!ready) {
		unsigned char rnd[8];
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return err_sys("cannot read random bytes for an event id");
		events_idgen_init(&g, rnd, (uint32_t)rnd[5] << 16 | (uint32_t)rnd[6] << 8 | rnd[7]);
		ready = 1;
	}
	if ((rc = now_us(&now)))
		return rc;
	events_idgen_next(&g, now, out);
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

/* A start or stop member: 0, or -1 with a reason in why. */
static int epoch_field(const struct json_doc *d, int t, const char *name, int stop, double *v, char *why,
		       size_t wn)
{
	int rc = json_type(d, t) == JSMN_PRIMITIVE ? events_epoch_parse(json_raw(d, t), json_rawlen(d, t), v) : -1;

	if (rc == -1) {
		snprintf(why, wn, "%s: not a number", name);
		return -1;
	}
	if (rc == -2 || (rc == -3 && !stop)) {
		snprintf(why, wn, "%s: out of range (%s0 to 253402300799.999999)", name, stop ? "-1 for none, or " : "");
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
		if (epoch_field(d, tstart, "start_epoch", 0, &start, why, wn))
			return -1;
	} else {
		int64_t now;
		if (now_us(&now)) {
			snprintf(why, wn, "%s", err_msg());
			return -1;
		}
		start = events_epoch_from_us(now);
	}
	if (tstop >= 0) {
		if (epoch_field(d, tstop, "stop_epoch", 1, &stop, why, wn))
			return -1;
		if (!events_stop_valid(start, stop)) {
			snprintf(why, wn, "stop_epoch: before start_epoch");
			return -1;
		}
	}
	/* what is stored passes the same checks as what is read back */
	if (!events_epoch_valid(start)) {
		snprintf(why, wn, "start_epoch: out of range (0 to 253402300799.999999)");
		return -1;
	}
	if (events_id_new(id)) {
		snprintf(why, wn, "%s", err_msg());
		return -1;
	}
	size_t at = out->len + 8;  /* past {"_id":" */
	events_write(out, id, start, stop, tags.data, tags.len);
	ri->key = events_epoch_key(start);
	/* the bloom key is the _id's 24 digits, as stop and remove look them up */
	ri->bloom[0].p = out->data + at;
	ri->bloom[0].n = EVENTS_ID_LEN;
	ri->nbloom = 1;
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
			for (int u = v + 1, j = 0; j < json_size(d, v); j++, u = json_next(d, u))
				if (!json_is_string(d, u))
					return -1;
			e->tags = json_span(d, v, &e->tags_len);
			e->tags_tok = v;
		} else {
			return -1;
		}
	}
	if (!e->id[0] || !have_start || (have_stop && !events_stop_valid(e->start, e->stop)))
		return -1;
	if (e->op == EVENTS_NONE ? !have_stop || !e->tags : e->op == EVENTS_STOP ? !have_stop || e->tags
											: have_stop || e->tags)
		return -1;
	return 0;
}

int events_line_keys(const char *line, size_t n, int64_t *key, char id[EVENTS_ID_LEN + 1])
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
	memcpy(id, e.id, EVENTS_ID_LEN + 1);
	return 0;
}

static int events_stored_key(const char *line, size_t n, int64_t *key)
{
	char id[EVENTS_ID_LEN + 1];

	return events_line_keys(line, n, key, id);
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

size_t events_state_find(const struct events_state *st, const char *id)
{
	return hmap_get(&st->ids, id, EVENTS_ID_LEN);
}

int events_state_add(struct events_state *st, const char *line, size_t n)
{
	struct events_line e;

	if (events_parse_line(&st->doc, line, n, &e))
		return err_set(EX_CORRUPT, "events: a stored record is not an event: %.*s", n > 80 ? 80 : (int)n, line);
	if (e.op == EVENTS_NONE) {
		int added;
		hmap_put(&st->ids, e.id, EVENTS_ID_LEN, &added);
		if (!added)
			return err_set(EX_CORRUPT, "events: event %.24s is stored twice", e.id);
		/* only events enter ids, so its index is the event's */
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
	/* An update of an event this read did not load (expired, outside the
	 * window, removed) changes nothing; nor does one that names another
	 * start, which a read by window would not have met. */
	size_t i = events_state_find(st, e.id);
	if (i == SIZE_MAX || st->ev[i].dead || st->ev[i].start != e.start)
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
	const char *const *ids;      /* load_ids: the wanted ids */
	size_t nids;
	const int64_t *keys;         /* load_keys: the wanted start keys */
	size_t nkeys;
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
	struct load_ctx c = {st, since, until, NULL, 0, NULL, 0};
	int all = since == INT64_MIN && until == INT64_MAX;
	if (!all && since < until)
		log_want_range(l, since, until - 1);  /* as load_block */
	/* a writer sees what readers see: expired blocks are gone */
	int rc = log_scan(l, all ? NULL : load_block, load_record, &c, ss);
	log_want_range(l, 1, 0);
	return rc;
}

/* Blocks whose bloom filter may hold one of the ids: every record naming
 * an id (its event, its stops and removal) adds it to its block's filter,
 * and a block without a filter (a segment written before events had one)
 * may hold any. */
static int ids_block(const struct idx_entry *e, const struct log_seg *s, void *vctx)
{
	const struct load_ctx *c = vctx;
	for (size_t i = 0; i < c->nids; i++)
		if (log_block_may_have(s, e, c->ids[i], EVENTS_ID_LEN))
			return 1;
	return 0;
}

int events_state_load_ids(struct events_state *st, struct log *l, const char *const *ids, size_t nids,
			  struct log_scan_stats *ss)
{
	struct load_ctx c = {st, INT64_MIN, INT64_MAX, ids, nids, NULL, 0};
	for (size_t i = 0; i < nids; i++)
		log_want_key(l, ids[i], EVENTS_ID_LEN);
	int rc = log_scan(l, ids_block, load_record, &c, ss);
	log_want_key(l, NULL, 0);
	return rc;
}

/* Blocks whose key range holds one of the start keys: an event and its
 * updates are all keyed by its start. */
static int keys_block(const struct idx_entry *e, const struct log_seg *s, void *vctx)
{
	const struct load_ctx *c = vctx;
	(void)s;
	for (size_t i = 0; i < c->nkeys; i++)
		if (e->m.min_key <= c->keys[i] && c->keys[i] <= e->m.max_key)
			return 1;
	return 0;
}

int events_state_load_keys(struct events_state *st, struct log *l, const int64_t *keys, size_t nkeys,
			   struct log_scan_stats *ss)
{
	struct load_ctx c = {st, INT64_MIN, INT64_MAX, NULL, 0, keys, nkeys};
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < nkeys; i++) {
		if (keys[i] < lo)
			lo = keys[i];
		if (keys[i] > hi)
			hi = keys[i];
	}
	log_want_range(l, lo, hi);  /* none: lo > hi, no hint, and no block wanted */
	int rc = log_scan(l, keys_block, load_record, &c, ss);
	log_want_range(l, 1, 0);
	return rc;
}

/* ---- compaction: drop removed and expired events and updates, fold stops in ---- */

struct compact_ctx {
	struct events_state st;
	unsigned char *kept;         /* kept[i]: event i was met */
	struct json_doc doc;
	struct buf line;
	char id[EVENTS_ID_LEN];      /* the kept record's bloom key */
	struct log_bloom_key bloom;
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
	/* compaction reads expired blocks too: an event the load did not
	 * meet has expired, and goes (a merged block could bring it back) */
	size_t i = events_state_find(&c->st, e.id);
	if (i == SIZE_MAX)
		return 0;
	if (c->kept[i]++)
		return err_set(EX_CORRUPT, "events: event %.24s is stored twice", e.id);
	const struct events_event *ev = &c->st.ev[i];
	if (ev->dead)
		return 0;
	keep->key = events_epoch_key(e.start);
	memcpy(c->id, e.id, EVENTS_ID_LEN);
	c->bloom.p = c->id;
	c->bloom.n = EVENTS_ID_LEN;
	keep->bloom = &c->bloom;
	keep->nbloom = 1;
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
	c.kept = NULL;
	rc = events_state_load(&c.st, l, INT64_MIN, INT64_MAX, NULL);
	if (!rc) {
		c.kept = xcalloc(c.st.n + 1, 1);
		rc = log_compact(l, compact_record, &c, stats);
	}
	events_state_free(&c.st);
	json_doc_free(&c.doc);
	buf_free(&c.line);
	free(c.kept);
	return rc;
}

/* ---- check: every record re-validates, and what readers rely on holds ---- */

struct verify_ctx {
	struct log *l;
	struct json_doc doc;
	struct hmap ids;             /* event ids */
	double *starts;              /* by index in ids */
	const struct log_seg **seg;  /* by index: where the event is stored */
	uint64_t *pos;
	size_t cap;
};

static int verify_block(const struct log_seg *s, const struct idx_entry *ie, const struct buf *raw, void *vctx)
{
	struct verify_ctx *c = vctx;
	const char *p = raw->data, *end = raw->data + raw->len;
	char why[PATH_MAX + 200];  /* may hold a segment file name */

	for (uint32_t k = 1; p < end; k++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct events_line e;
		if (!nl)
			return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": last record has no newline",
				       log_seg_file(c->l, s, 0), ie->pos);
		size_t n = (size_t)(nl - p);
		why[0] = 0;
		if (events_parse_line(&c->doc, p, n, &e)) {
			snprintf(why, sizeof(why), "not a valid stored event: %.*s", n > 80 ? 80 : (int)n, p);
		} else if (events_epoch_key(e.start) < ie->m.min_key || events_epoch_key(e.start) > ie->m.max_key) {
			/* a read by window skips blocks by this range */
			snprintf(why, sizeof(why), "start_epoch outside the key range of its block");
		} else if (!log_block_may_have(s, ie, e.id, EVENTS_ID_LEN)) {
			/* stop and remove skip blocks by this filter */
			snprintf(why, sizeof(why), "_id %.24s is not in the bloom filter of its block", e.id);
		} else if (e.op == EVENTS_NONE) {
			int added;
			size_t i = hmap_put(&c->ids, e.id, EVENTS_ID_LEN, &added);
			if (!added) {
				snprintf(why, sizeof(why), "_id %.24s is stored twice (first in the block at %s offset %" PRIu64 ")",
					 e.id, log_seg_file(c->l, c->seg[i], 0), c->pos[i]);
			} else {
				if (i == c->cap) {
					c->cap = c->cap ? 2 * c->cap : 256;
					c->starts = xrealloc(c->starts, sizeof(*c->starts) * c->cap);
					c->seg = xrealloc(c->seg, sizeof(*c->seg) * c->cap);
					c->pos = xrealloc(c->pos, sizeof(*c->pos) * c->cap);
				}
				c->starts[i] = e.start;
				c->seg[i] = s;
				c->pos[i] = ie->pos;
			}
		} else {
			size_t i = hmap_get(&c->ids, e.id, EVENTS_ID_LEN);
			if (i != SIZE_MAX && c->starts[i] != e.start)
				snprintf(why, sizeof(why), "%s of event %.24s names another start_epoch than the event's",
					 e.op == EVENTS_STOP ? "stop" : "removal", e.id);
		}
		if (why[0])
			return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": record %" PRIu32 " of the block: %s",
				       log_seg_file(c->l, s, 0), ie->pos, k, why);
		p = nl + 1;
	}
	return 0;
}

static int events_verify(struct log *l)
{
	struct verify_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.l = l;
	json_doc_init(&c.doc);
	hmap_init(&c.ids);
	int64_t saved = log_expiry(l, INT64_MIN);  /* expired blocks are still stored */
	rc = log_read_blocks(l, NULL, NULL, verify_block, &c, NULL);
	log_expiry(l, saved);
	json_doc_free(&c.doc);
	hmap_free(&c.ids);
	free(c.starts);
	free(c.seg);
	free(c.pos);
	return rc;
}

const struct kind kind_events = {
	.name = "events",
	.noun = "events",
	.bloom_bytes = EVENTS_BLOOM_BYTES,
	.bloom_k = EVENTS_BLOOM_K,
	.key_is_time = 1,
	.normalise = events_normalise,
	.stored_key = events_stored_key,
	.compact = events_compact,
	.verify = events_verify,
};
