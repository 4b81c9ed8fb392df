/* stream.c: event streams over the log (see stream.h) */
#include "stream.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "timefmt.h"

#define STREAMS_PREFIX "streams/"

/* ---- names and opening ---- */

int stream_name_valid(const char *s)
{
	char ln[160];

	if (strlen(s) > 128)
		return 0;
	snprintf(ln, sizeof(ln), STREAMS_PREFIX "%s", s);
	return log_name_valid(ln);
}

static char *log_name_of(const char *name)
{
	size_t n = strlen(name) + sizeof(STREAMS_PREFIX);
	char *s = xmalloc(n);
	snprintf(s, n, STREAMS_PREFIX "%s", name);
	return s;
}

const char *stream_name(const struct log *lg)
{
	return log_name(lg) + sizeof(STREAMS_PREFIX) - 1;
}

int stream_open(const char *dir, const char *name, struct log **lg)
{
	char *ln = log_name_of(name);
	int rc = log_open_read(dir, ln, lg);

	free(ln);
	if (rc)
		return rc;
	if (!log_exists(*lg)) {
		log_close(*lg);
		*lg = NULL;
		return err_set(EX_NOTFOUND, "no such stream: %s", name);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int stream_names(const char *dir, char ***names, size_t *n)
{
	char *sd = path_join(dir, "streams");
	DIR *d = opendir(sd);
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (!d && errno != ENOENT)
		rc = err_sys("cannot read %s", sd);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (!stream_name_valid(de->d_name))
			continue;
		*names = xrealloc(*names, sizeof(**names) * (*n + 1));
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	free(sd);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return rc;
}

static int totals_block(const struct idx_entry *e, const struct log_seg *s, void *ctx)
{
	struct stream_totals *t = ctx;

	(void)s;
	if (!t->blocks || e->m.ingest_us < t->first)
		t->first = e->m.ingest_us;
	if (!t->blocks || e->m.ingest_us > t->last)
		t->last = e->m.ingest_us;
	t->blocks++;
	t->events += e->m.count;
	return 0;
}

void stream_totals(const struct log *lg, struct stream_totals *t)
{
	memset(t, 0, sizeof(*t));
	log_count_blocks(lg, totals_block, t);
}

int stream_owner(struct log *lg, struct buf *owner)
{
	return log_state_get(lg, "producers", owner);
}

/* ---- publish ---- */

struct stream_pub {
	struct log *lg;
	const char *producer;
	int claim;                   /* the stream has no owner yet */
	struct buf norm, line, ids;
	struct stream_rnd rnd;
};

int stream_pub_begin(const char *dir, const char *name, const char *producer, double wait_secs, int64_t now,
		     struct stream_pub **out)
{
	struct log_config cfg;
	struct log *lg;
	struct buf owner;
	int rc;

	if ((rc = log_config_init(&cfg, kind_stream.name, kind_stream.bloom_bytes, kind_stream.bloom_k)))
		return rc;
	char *ln = log_name_of(name);
	rc = log_open_write(dir, ln, &cfg, wait_secs, &lg);
	free(ln);
	if (rc)
		return rc;
	/* the owner is whoever published the first committed events */
	buf_init(&owner);
	if (!(rc = stream_owner(lg, &owner)) && owner.len && strcmp(owner.data, producer))
		rc = err_set(EX_CONFLICT, "locked: second writers not allowed: stream %s is owned by producer %s", name,
			     owner.data);
	if (rc) {
		log_close(lg);
		buf_free(&owner);
		return rc;
	}
	struct stream_pub *p = xcalloc(1, sizeof(*p));
	p->lg = lg;
	p->producer = producer;
	p->claim = !owner.len;
	buf_init(&p->norm);
	buf_init(&p->line);
	buf_init(&p->ids);
	buf_free(&owner);
	log_begin(lg, now);
	*out = p;
	return 0;
}

int stream_pub_add(struct stream_pub *p, const struct json_doc *doc, const char *where, uint64_t line)
{
	struct rec_info ri;
	char why[256], id[STREAM_ID_LEN + 1];
	int rc;

	buf_reset(&p->norm);
	memset(&ri, 0, sizeof(ri));
	if (kind_stream.normalise(doc, &p->norm, &ri, why, sizeof(why)))
		return err_set(EX_DATA, "%s:%" PRIu64 ": %s", where, line, why);
	if ((rc = stream_id_new(&p->rnd, id)))
		return rc;
	/* the record's offset is its key: blocks are found by offset */
	uint64_t off = log_next_offset(p->lg) + log_run_records(p->lg);
	buf_reset(&p->line);
	stream_rec_write(&p->line, id, off, p->norm.data, p->norm.len);
	ri.bloom[ri.nbloom].p = id;
	ri.bloom[ri.nbloom++].n = STREAM_ID_LEN;
	if ((rc = log_append(p->lg, p->line.data, p->line.len, (int64_t)off, ri.bloom, ri.nbloom)))
		return rc;
	buf_add(&p->ids, id, STREAM_ID_LEN);
	buf_addc(&p->ids, '\n');
	return 0;
}

const struct buf *stream_pub_ids(const struct stream_pub *p)
{
	return &p->ids;
}

int stream_pub_commit(struct stream_pub *p, uint64_t *events)
{
	int rc = 0;

	*events = log_run_records(p->lg);
	/* the claim goes with the run: it holds exactly when the run commits */
	if (*events && p->claim)
		rc = log_state_put(p->lg, "producers", p->producer, strlen(p->producer));
	if (!rc)
		rc = log_commit(p->lg);
	if (rc)
		log_abort(p->lg);
	return rc;
}

struct log *stream_pub_log(struct stream_pub *p) { return p->lg; }

void stream_pub_end(struct stream_pub *p)
{
	if (!p)
		return;
	log_close(p->lg);
	buf_free(&p->norm);
	buf_free(&p->line);
	buf_free(&p->ids);
	free(p);
}

/* ---- reading events: index first, then only the blocks that can match ---- */

void stream_named_init(struct stream_named *nm, const char *name)
{
	nm->dec = name;
	nm->dec_len = strlen(name);
	buf_init(&nm->lit);
	json_write_str(&nm->lit, name, nm->dec_len);
}

void stream_named_free(struct stream_named *nm)
{
	buf_free(&nm->lit);
}

static uint64_t blocks_read;

uint64_t stream_blocks_read(void)
{
	return blocks_read;
}

struct named_ctx {
	struct log *l;
	const struct stream_named *nm;
	stream_event_fn fn;
	void *ctx;
	const char *id;              /* stream_find: the eventId looked for */
	struct buf *line;
	struct stream_rec *r;
};

static int bad_record(const struct log *l, uint64_t off)
{
	return err_set(EX_CORRUPT, "%s: record at offset %" PRIu64 " is not a stored event", log_name(l), off);
}

static int named_block(const struct idx_entry *e, const struct log_seg *s, void *vc)
{
	const struct named_ctx *c = vc;

	if (c->id)
		return log_block_may_have(s, e, c->id, STREAM_ID_LEN);
	return log_block_may_have(s, e, c->nm->dec, c->nm->dec_len);
}

static int named_record(const char *line, size_t n, uint64_t off, void *vc)
{
	struct named_ctx *c = vc;
	struct stream_rec r;

	if (stream_rec_parse(line, n, &r) || (off != LOG_NO_OFFSET && r.offset != off))
		return bad_record(c->l, off);
	if (c->nm && (r.name_len != c->nm->lit.len || memcmp(r.name, c->nm->lit.data, r.name_len)))
		return 0;
	return c->fn(line, n, &r, c->ctx);
}

int stream_scan(struct log *lg, const struct stream_named *nm, uint64_t from, uint64_t to, stream_event_fn fn,
		void *ctx)
{
	struct named_ctx c = {lg, nm, fn, ctx, NULL, NULL, NULL};
	struct log_scan_stats st;
	if (nm)
		log_want_key(lg, nm->dec, nm->dec_len);  /* as named_block */
	int rc = log_read_from(lg, from, to, nm ? named_block : NULL, &c, named_record, &c, &st);
	log_want_key(lg, NULL, 0);

	blocks_read += st.blocks_read;
	return rc;
}

static int count_fn(const char *line, size_t n, const struct stream_rec *r, void *ctx)
{
	(void)line;
	(void)n;
	(void)r;
	++*(uint64_t *)ctx;
	return 0;
}

int stream_count_named(struct log *lg, const struct stream_named *nm, uint64_t from, uint64_t to, uint64_t *n)
{
	*n = 0;
	return from < to ? stream_scan(lg, nm, from, to, count_fn, n) : 0;
}

static int first_fn(const char *line, size_t n, const struct stream_rec *r, void *ctx)
{
	(void)line;
	(void)n;
	*(uint64_t *)ctx = r->offset;
	return LOG_STOP;
}

static int id_record(const char *line, size_t n, uint64_t off, void *vc)
{
	struct named_ctx *c = vc;

	if (!stream_rec_has_id(line, n, c->id))
		return 0;
	buf_reset(c->line);
	buf_add(c->line, line, n);
	if (stream_rec_parse(c->line->data, n, c->r) || (off != LOG_NO_OFFSET && c->r->offset != off))
		return bad_record(c->l, off);
	c->id = NULL;  /* found */
	return LOG_STOP;
}

int stream_find(struct log *lg, const char *id, struct buf *line, struct stream_rec *r, struct buf *name)
{
	struct named_ctx c = {lg, NULL, NULL, NULL, id, line, r};
	struct log_scan_stats st;
	log_want_key(lg, id, STREAM_ID_LEN);  /* as named_block */
	int rc = log_read_from(lg, 0, UINT64_MAX, named_block, &c, id_record, &c, &st);
	log_want_key(lg, NULL, 0);

	blocks_read += st.blocks_read;
	if (rc)
		return rc;
	if (c.id)
		/* expired events are no longer read: say why it may be missing */
		return err_set(EX_NOTFOUND, "no such event in stream %s: %.*s%s", stream_name(lg), STREAM_ID_LEN, id,
			       log_retention(lg) ? " (never published, or removed by the stream's retention)" : "");
	buf_reset(name);
	json_unescape(r->name + 1, r->name_len - 2, name);
	return 0;
}

/* ---- consumer positions: consumers/CONSUMER,NAME ---- */

/* File name of (consumer, event name): the name percent-encoded, or, when
 * that is too long for a file name, a hash of it (the file holds the name).
 * Never starts with '.', which atomic_replace's temporary names do. */
static void pos_file(const char *consumer, const char *name, size_t n, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	buf_reset(out);
	buf_adds(out, consumer);
	buf_addc(out, ',');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		    c == '-' || c == '.') {
			buf_addc(out, (char)c);
		} else {
			buf_addc(out, '%');
			buf_addc(out, hex[c >> 4]);
			buf_addc(out, hex[c & 15]);
		}
	}
	if (out->len > 240) {
		uint64_t h1 = 1469598103934665603ull, h2 = 0x9e3779b97f4a7c15ull;
		for (size_t i = 0; i < n; i++) {
			h1 = (h1 ^ (unsigned char)name[i]) * 1099511628211ull;
			h2 = (h2 ^ (unsigned char)name[i]) * 0xff51afd7ed558ccdull;
			h2 ^= h2 >> 29;
		}
		buf_reset(out);
		buf_addf(out, "%s,~%016" PRIx64 "%016" PRIx64, consumer, h1, h2);
	}
}

/* Parse a position file. Returns 0 or -1 when it is not one. */
static int pos_parse(struct json_doc *doc, const char *text, size_t len, struct buf *consumer, struct buf *name,
		     struct stream_pos *st)
{
	char why[128];
	int t;
	int64_t v;

	if (json_parse(doc, text, len, why, sizeof(why)) || json_type(doc, 0) != JSMN_OBJECT)
		return -1;
	if ((t = json_obj_get(doc, 0, "consumerId")) < 0 || json_get_str(doc, t, consumer) ||
	    (t = json_obj_get(doc, 0, "eventName")) < 0 || json_get_str(doc, t, name) ||
	    (t = json_obj_get(doc, 0, "offset")) < 0 || json_get_i64(doc, t, &v) || v < 0)
		return -1;
	st->acked = (uint64_t)v;
	if ((t = json_obj_get(doc, 0, "next")) < 0 || json_get_i64(doc, t, &v) || v < 0)
		return -1;
	st->next = (uint64_t)v;
	st->moved[0] = 0;
	if ((t = json_obj_get(doc, 0, "movedAt")) >= 0 && json_is_string(doc, t) &&
	    json_rawlen(doc, t) < sizeof(st->moved))
		snprintf(st->moved, sizeof(st->moved), "%.*s", (int)json_rawlen(doc, t), json_raw(doc, t));
	return 0;
}

/* Is file fname, holding the position of (consumer, name), the temporary
 * file of that position as aggr once named them (FILE.tmp), left by a
 * crash? Such a file is no position of its own. */
static int pos_old_temp(const char *fname, const struct buf *consumer, const struct buf *name)
{
	size_t n = strlen(fname);
	struct buf want;
	int r;

	if (n <= 4 || strcmp(fname + n - 4, ".tmp"))
		return 0;
	buf_init(&want);
	pos_file(consumer->data, name->data, name->len, &want);
	r = want.len == n - 4 && !memcmp(want.data, fname, n - 4);
	buf_free(&want);
	return r;
}

int stream_pos_read(struct log *lg, const char *consumer, const char *name, struct stream_pos *pos)
{
	struct buf fn, text, c, n;
	struct json_doc doc;
	int rc = 0;

	memset(pos, 0, sizeof(*pos));
	buf_init(&fn);
	buf_init(&text);
	buf_init(&c);
	buf_init(&n);
	json_doc_init(&doc);
	pos_file(consumer, name, strlen(name), &fn);
	char *d = path_join(log_path(lg), "consumers"), *p = path_join(d, fn.data);
	if (read_file(p, &text, 1 << 20) < 0) {
		if (errno != ENOENT)
			rc = err_sys("cannot read consumers/%s", fn.data);
	} else if (pos_parse(&doc, text.data, text.len, &c, &n, pos)) {
		rc = err_set(EX_CORRUPT, "consumers/%s: not a consumer position of %s for %s", fn.data, consumer, name);
	} else if (pos_old_temp(fn.data, &c, &n)) {
		memset(pos, 0, sizeof(*pos));  /* another name's old temporary file */
	} else if (strcmp(c.data, consumer) || n.len != strlen(name) || memcmp(n.data, name, n.len)) {
		rc = err_set(EX_CORRUPT, "consumers/%s: not a consumer position of %s for %s", fn.data, consumer, name);
	}
	free(p);
	free(d);
	buf_free(&fn);
	buf_free(&text);
	buf_free(&c);
	buf_free(&n);
	json_doc_free(&doc);
	return rc;
}

int stream_pos_write(struct log *lg, const char *consumer, const char *name, const struct stream_pos *pos)
{
	struct buf fn, text;
	int rc;

	buf_init(&fn);
	buf_init(&text);
	pos_file(consumer, name, strlen(name), &fn);
	buf_adds(&text, "{\"consumerId\":");
	json_write_str(&text, consumer, strlen(consumer));
	buf_adds(&text, ",\"eventName\":");
	json_write_str(&text, name, strlen(name));
	buf_addf(&text, ",\"offset\":%" PRIu64 ",\"next\":%" PRIu64 ",\"movedAt\":\"%s\"}\n", pos->acked, pos->next,
		 pos->moved);
	char *d = path_join(log_path(lg), "consumers");
	rc = atomic_replace(d, fn.data, text.data, text.len);
	free(d);
	buf_free(&fn);
	buf_free(&text);
	return rc;
}

int stream_lock(struct log *lg, double wait_secs)
{
	char *d = path_join(log_path(lg), "consumers"), *p = path_join(d, "LOCK");
	double deadline = mono_seconds() + wait_secs;
	struct stat st;
	int fd = -1, said = 0;

	if (mkdir(d, 0700) < 0 && errno != EEXIST) {
		err_sys("cannot create %s", d);
		goto out;
	}
	if (lstat(d, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(EX_PERM, "%s: not a directory (symlinks are refused)", d);
		goto out;
	}
	if ((fd = open(p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		err_sys("cannot open %s", p);
		goto out;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if ((errno != EWOULDBLOCK && errno != EINTR) || mono_seconds() >= deadline) {
			if (errno == EWOULDBLOCK || errno == EINTR)
				err_set(EX_CONFLICT, "consumer positions are locked by another command%s",
					wait_secs > 0 ? " (gave up waiting)" : "");
			else
				err_sys("cannot lock %s", p);
			close(fd);
			fd = -1;
			break;
		}
		lock_wait_notice("consumer positions", fd, &said);
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
out:
	free(p);
	free(d);
	return fd;
}

static void now_text(char *out)
{
	int64_t now;

	out[0] = 0;
	if (!now_us(&now))
		time_format_utc6(now, out);
}

/* ---- every position ---- */

struct behind_ctx {
	struct stream_consumer *ce;
	struct buf *lit;             /* each one's name as stored */
	size_t n;
};

static int behind_fn(const char *line, size_t len, const struct stream_rec *r, void *vctx)
{
	struct behind_ctx *b = vctx;

	(void)line;
	(void)len;
	for (size_t i = 0; i < b->n; i++) {
		struct stream_consumer *e = &b->ce[i];
		if (r->offset >= e->pos.next && r->name_len == b->lit[i].len && !memcmp(r->name, b->lit[i].data, r->name_len))
			e->behind++;
	}
	return 0;
}

static int cmp_consumer(const void *a, const void *b)
{
	const struct stream_consumer *x = a, *y = b;
	int r = strcmp(x->consumer, y->consumer);
	if (r)
		return r;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	r = memcmp(x->name, y->name, n);
	return r ? r : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

int stream_consumers(struct log *lg, struct stream_consumer **out, size_t *count)
{
	struct stream_consumer *ce = NULL;
	size_t n = 0;
	int rc = 0;
	char *cd = path_join(log_path(lg), "consumers");
	DIR *d = opendir(cd);
	struct json_doc doc;
	struct buf text, c, nm;

	json_doc_init(&doc);
	buf_init(&text);
	buf_init(&c);
	buf_init(&nm);
	if (!d && errno != ENOENT)
		rc = err_sys("cannot read %s", cd);
	for (struct dirent *de; d && !rc && (de = readdir(d));) {
		/* temporary files start with '.', which names never do */
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "LOCK"))
			continue;
		char *p = path_join(cd, de->d_name);
		struct stream_pos st;
		if (read_file(p, &text, 1 << 20) < 0) {
			rc = errno == ENOENT ? 0 : err_sys("cannot read %s", p);
		} else if (pos_parse(&doc, text.data, text.len, &c, &nm, &st)) {
			rc = err_set(EX_CORRUPT, "%s/consumers/%s: not a consumer position", log_name(lg), de->d_name);
		} else if (!pos_old_temp(de->d_name, &c, &nm)) {
			ce = xrealloc(ce, sizeof(*ce) * (n + 1));
			ce[n].consumer = xstrdup(c.data);
			ce[n].name = xmalloc(nm.len + 1);
			memcpy(ce[n].name, nm.data, nm.len + 1);
			ce[n].name_len = nm.len;
			ce[n].pos = st;
			ce[n].behind = 0;
			n++;
		}
		free(p);
	}
	if (d)
		closedir(d);
	free(cd);
	/* one pass from the earliest position counts what every consumer
	 * has still to consume */
	struct behind_ctx bc = {ce, xcalloc(n ? n : 1, sizeof(struct buf)), n};
	uint64_t from = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		json_write_str(&bc.lit[i], ce[i].name, ce[i].name_len);
		if (ce[i].pos.next < from)
			from = ce[i].pos.next;
	}
	if (!rc && n)
		rc = stream_scan(lg, NULL, from, UINT64_MAX, behind_fn, &bc);
	for (size_t i = 0; i < n; i++)
		buf_free(&bc.lit[i]);
	free(bc.lit);
	if (n)
		qsort(ce, n, sizeof(*ce), cmp_consumer);
	json_doc_free(&doc);
	buf_free(&text);
	buf_free(&c);
	buf_free(&nm);
	*out = ce;
	*count = n;
	return rc;
}

void stream_consumers_free(struct stream_consumer *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].consumer);
		free(c[i].name);
	}
	free(c);
}

/* ---- ack and seek ---- */

int stream_ack(struct log *lg, const char *consumer, const char *id, double wait_secs, struct buf *name,
	       struct stream_pos *pos, uint64_t *offset)
{
	struct buf line;
	struct stream_rec r;
	struct stream_named nm;
	int rc, fd = -1;

	buf_init(&line);
	if ((rc = stream_find(lg, id, &line, &r, name))) {
		buf_free(&line);
		return rc;
	}
	stream_named_init(&nm, name->data);
	if ((fd = stream_lock(lg, wait_secs)) < 0) {
		rc = err_code();
		goto out;
	}
	if ((rc = stream_pos_read(lg, consumer, name->data, pos)))
		goto out;
	/* the next unacknowledged event of this name */
	uint64_t expect = UINT64_MAX;
	if (r.offset >= pos->next && (rc = stream_scan(lg, &nm, pos->next, r.offset + 1, first_fn, &expect)))
		goto out;
	if (expect == r.offset) {
		pos->acked++;
		pos->next = r.offset + 1;
		now_text(pos->moved);
		*offset = r.offset;
		rc = stream_pos_write(lg, consumer, name->data, pos);
		goto out;
	}
	/* positions count events of the name from 1, as the event server did */
	uint64_t given, c;
	if (r.offset >= pos->next) {
		rc = stream_count_named(lg, &nm, pos->next, r.offset + 1, &c);
		given = pos->acked + c;
	} else {
		rc = stream_count_named(lg, &nm, r.offset + 1, pos->next, &c);
		given = pos->acked >= c ? pos->acked - c : 0;
	}
	if (!rc)
		rc = err_set(EX_CONFLICT, "consumer offset mismatch: %" PRIu64 "->%" PRIu64, pos->acked + 1, given);
out:
	if (fd >= 0)
		close(fd);
	buf_free(&line);
	stream_named_free(&nm);
	return rc;
}

static uint64_t first_retained(struct log *lg);

int stream_seek(struct log *lg, const char *consumer, const char *name, enum stream_to to, const char *id,
		double wait_secs)
{
	struct buf line, found;
	struct stream_rec r;
	struct stream_named nm;
	struct stream_pos pos;
	int rc = 0, fd = -1;

	buf_init(&line);
	buf_init(&found);
	stream_named_init(&nm, name);
	if (to == STREAM_EVENT) {
		rc = stream_find(lg, id, &line, &r, &found);
		if (!rc && (found.len != nm.dec_len || memcmp(found.data, nm.dec, nm.dec_len)))
			rc = err_set(EX_NOTFOUND, "no event named %s in stream %s: %.*s", name, stream_name(lg),
				     STREAM_ID_LEN, id);
		if (rc)
			goto out;
	}
	if ((fd = stream_lock(lg, wait_secs)) < 0) {
		rc = err_code();
		goto out;
	}
	memset(&pos, 0, sizeof(pos));
	/* earliest is 0, not the first offset retention keeps now: records
	 * expired but not yet deleted come back when retention is lengthened,
	 * and a consumer sought to the earliest must then see them */
	pos.next = to == STREAM_EARLIEST ? 0 : to == STREAM_LATEST ? log_next_offset(lg) : r.offset;
	if ((rc = stream_count_named(lg, &nm, 0, pos.next, &pos.acked)))
		goto out;
	now_text(pos.moved);
	rc = stream_pos_write(lg, consumer, name, &pos);
out:
	if (fd >= 0)
		close(fd);
	buf_free(&line);
	buf_free(&found);
	stream_named_free(&nm);
	return rc;
}

/* ---- a position retention left behind ---- */

/* Walking the blocks from the first segment's base: the end of the
 * contiguous expired blocks there. A block missing (damage) or live ends
 * the walk, so damage never reads as retention. */
struct first_live {
	uint64_t first;
	int64_t expire_before;
	int done;
};

static int first_live_fn(const struct idx_entry *e, const struct log_seg *s, void *vc)
{
	struct first_live *f = vc;
	(void)s;
	if (f->done || e->m.first_offset > f->first || e->m.ingest_us >= f->expire_before) {
		f->done = 1;
		return 0;
	}
	if (e->m.first_offset + e->m.count > f->first)
		f->first = e->m.first_offset + e->m.count;
	return 0;
}

/* The offset of the first event retention kept: the first segment's
 * base (retention deleted what came before), past the expired blocks
 * that start there. */
static uint64_t first_retained(struct log *lg)
{
	struct first_live f;

	f.first = log_first_offset(lg);
	f.done = 0;
	f.expire_before = log_expiry(lg, INT64_MIN);
	log_count_blocks(lg, first_live_fn, &f);
	log_expiry(lg, f.expire_before);
	return f.first;
}

int stream_pos_retained(struct log *lg, const char *consumer, const char *name, double wait_secs,
			struct stream_pos *pos)
{
	uint64_t first;
	int rc, fd;

	/* a position never stored starts at the earliest event anyway, and
	 * so does one at offset 0 (seek --to earliest): it follows the first
	 * retained event wherever retention puts it, which skips nothing the
	 * consumer asked for */
	if (!pos->moved[0] || pos->next == 0)
		return 0;
	first = first_retained(lg);
	if (pos->next >= first)
		return 0;
	if ((fd = stream_lock(lg, wait_secs)) < 0)
		return err_code();
	/* read again under the lock: an ack meanwhile may have moved it */
	if (!(rc = stream_pos_read(lg, consumer, name, pos)) && pos->moved[0] && pos->next < first) {
		uint64_t skipped = first - pos->next;
		warnx_("consume: consumer %s of %s (event name %s) was at offset %" PRIu64
		       ", before the first retained offset %" PRIu64 ": skipped %" PRIu64 " event%s",
		       consumer, stream_name(lg), name, pos->next, first, skipped, skipped == 1 ? "" : "s");
		pos->next = first;
		now_text(pos->moved);
		rc = stream_pos_write(lg, consumer, name, pos);
	}
	close(fd);
	return rc;
}
