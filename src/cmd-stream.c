/* aggr stream: publish, consume, ack, consumers, seek, list (event streams) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "docsplit.h"
#include "input.h"
#include "json.h"
#include "kind.h"
#include "log.h"
#include "timefmt.h"

static int run(int argc, char **argv);

const struct cmd cmd_stream = {
	"stream", run, "event streams: publish, consume, ack, consumers, seek, list",
	"usage: aggr stream publish NAME --producer ID [FILE...]\n"
	"       aggr stream consume NAME --consumer ID --event-name N --limit L\n"
	"                           [--format json|ndjson]\n"
	"       aggr stream consume NAME --consumer ID --event-name N --follow [--limit L]\n"
	"       aggr stream ack NAME EVENT_ID --consumer ID\n"
	"       aggr stream consumers NAME [--format FMT]\n"
	"       aggr stream seek NAME --consumer ID --event-name N\n"
	"                        --to earliest|latest|EVENT_ID\n"
	"       aggr stream list [--format FMT]\n"
	"\n"
	"An event stream is the log streams/NAME. Events are JSON objects\n"
	"  {\"event\":{\"name\":N,\"version\":V},\"system\":{\"id\":..,\"name\":..,\n"
	"   \"time\":\"YYYY-MM-DD HH:MM:SS\",\"timezone\":ZONE},\n"
	"   \"trigger\":{\"type\":..,\"name\":..},\"payload\":{..}}\n"
	"\n"
	"publish    validate the events of FILE... (or standard input: JSON lines,\n"
	"           one JSON array, or pretty-printed documents one after another;\n"
	"           plain or gzip), give each a UUIDv4 eventId and store them as\n"
	"           one atomic run; print one id per line. The first producer to\n"
	"           publish owns the stream; any other gets exit 5.\n"
	"consume    print the next L events named N after this consumer's\n"
	"           acknowledged position for N, oldest first, as a JSON array\n"
	"           (--format ndjson: one per line); the position does not move.\n"
	"           --follow: print them as NDJSON, then every new matching event\n"
	"           as it is published, until SIGINT or SIGTERM (exit 0) or L events.\n"
	"ack        acknowledge EVENT_ID for this consumer; it must be the next\n"
	"           unacknowledged event of its name, else exit 5\n"
	"           \"consumer offset mismatch: EXPECTED->GIVEN\" (positions counted\n"
	"           per event name from 1).\n"
	"consumers  per consumer and event name: events acknowledged (offset),\n"
	"           when last moved, events behind, percent consumed.\n"
	"seek       move a consumer's position for N: to the start (earliest), past\n"
	"           every event (latest), or so that EVENT_ID is consumed next.\n"
	"list       streams with their owner, event count, first and last publish.\n"
	"\n"
	"Options:\n"
	"  --producer ID     the publishing producer\n"
	"  --consumer ID     the consumer\n"
	"  --event-name N    the event name to consume or seek\n"
	"  --limit L         at most L events (an integer >= 1)\n"
	"  --follow          keep printing new events (consume)\n"
	"  --to WHERE        earliest, latest or an event id (seek)\n"
	"  --format FMT      consume: json (default) or ndjson; consumers and list:\n"
	"                    json, ndjson, csv, tsv, table\n"
	"  --wait SECS       wait this long for the stream's lock (default 10)\n"
	"  --no-wait         fail at once with exit 5 when it is locked\n"
	"\n"
	"Stream, producer and consumer names: A-Z a-z 0-9 . _ -, 1 to 128\n"
	"characters, not starting with '.'. Exit 4: unknown stream or event.\n",
};

enum { OPT_PRODUCER = OPT_CMD, OPT_CONSUMER, OPT_EVENT_NAME, OPT_LIMIT, OPT_FOLLOW, OPT_TO };

/* What a subcommand was given. */
struct sopts {
	const char *producer, *consumer, *event_name, *to;
	int64_t limit;
	int have_limit, follow;
	unsigned given;              /* bit (opt - OPT_CMD) per option seen */
	char **args;                 /* after the subcommand */
	int nargs;
	char *dir;                   /* data directory */
};

#define UUID_LEN 36
/* The stored form starts {"eventId":"<uuid>","offset":N,"event":{"name":"..." */
#define SR_ID_AT 12

/* ---- names, ids, the stored form ---- */

static int name_valid(const char *s)
{
	char ln[160];

	if (strlen(s) > 128)
		return 0;
	snprintf(ln, sizeof(ln), "streams/%s", s);
	return log_name_valid(ln);
}

static int check_name(const char *what, const char *s)
{
	if (name_valid(s))
		return 0;
	return cmd_usage_error(&cmd_stream, "not a valid %s name: %s (A-Z a-z 0-9 . _ -, 1 to 128 "
			       "characters, not starting with '.')", what, s);
}

/* 8-4-4-4-12 hex digits; copied lowercased into out (37 bytes). */
static int uuid_parse(const char *s, char *out)
{
	if (strlen(s) != UUID_LEN)
		return -1;
	for (int i = 0; i < UUID_LEN; i++) {
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
	out[UUID_LEN] = 0;
	return 0;
}

/* Random bytes from the kernel, fetched 4 KiB at a time. */
struct rnd {
	unsigned char b[4096];
	size_t at, n;
};

static int uuid_v4(struct rnd *r, char *out)
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
	out[UUID_LEN] = 0;
	return 0;
}

/* A stored event, parsed positionally (the form is canonical). */
struct srec {
	const char *id;              /* UUID_LEN bytes */
	uint64_t offset;
	const char *name;            /* the event name as a JSON literal, quotes included */
	size_t name_len;
	const char *rest;            /* ,"event":... to the end of the line */
	size_t rest_len;
};

static int srec_parse(const char *p, size_t n, struct srec *r)
{
	static const char a[] = "{\"eventId\":\"", b[] = "\",\"offset\":", c[] = ",\"event\":{\"name\":";
	const char *q, *end = p + n;

	if (n < SR_ID_AT + UUID_LEN + sizeof(b) || memcmp(p, a, SR_ID_AT) ||
	    memcmp(p + SR_ID_AT + UUID_LEN, b, sizeof(b) - 1))
		return -1;
	r->id = p + SR_ID_AT;
	q = p + SR_ID_AT + UUID_LEN + sizeof(b) - 1;
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

static int bad_record(const struct log *l, uint64_t off)
{
	return err_set(EX_CORRUPT, "%s: record at offset %" PRIu64 " is not a stored event", log_name(l), off);
}

/* ---- finding events: index first, then only the blocks that can match ---- */

struct named {
	const char *dec;             /* the event name, decoded */
	size_t dec_len;
	struct buf lit;              /* as stored: a JSON literal */
};

static void named_init(struct named *nm, const char *name)
{
	nm->dec = name;
	nm->dec_len = strlen(name);
	buf_init(&nm->lit);
	json_write_str(&nm->lit, name, nm->dec_len);
}

/* Visit the events named nm (every event when nm is NULL) with offsets in
 * [from, to), oldest first. fn returns 0 to go on, -1 to stop, or an error
 * code. Blocks before from are skipped by their offsets, blocks whose bloom
 * filter rules the name out are not read. Returns 0 or an error code. */
typedef int (*named_fn)(const char *line, size_t n, const struct srec *r, void *ctx);

static uint64_t blocks_read;  /* for -v */

struct named_ctx {
	struct log *l;
	const struct named *nm;
	named_fn fn;
	void *ctx;
	const char *id;              /* find_id: the eventId looked for */
	struct buf *line;
	struct srec *r;
};

static int named_block(const struct idx_entry *e, const struct log_seg *s, void *vc)
{
	const struct named_ctx *c = vc;

	if (c->id)
		return log_block_may_have(s, e, c->id, UUID_LEN);
	return log_block_may_have(s, e, c->nm->dec, c->nm->dec_len);
}

static int named_record(const char *line, size_t n, uint64_t off, void *vc)
{
	struct named_ctx *c = vc;
	struct srec r;

	if (srec_parse(line, n, &r) || (off != LOG_NO_OFFSET && r.offset != off))
		return bad_record(c->l, off);
	if (c->nm && (r.name_len != c->nm->lit.len || memcmp(r.name, c->nm->lit.data, r.name_len)))
		return 0;
	return c->fn(line, n, &r, c->ctx);
}

static int named_scan(struct log *l, const struct named *nm, uint64_t from, uint64_t to, named_fn fn, void *ctx)
{
	struct named_ctx c = {l, nm, fn, ctx, NULL, NULL, NULL};
	struct log_scan_stats st;
	int rc = log_read_from(l, from, to, nm ? named_block : NULL, &c, named_record, &c, &st);

	blocks_read += st.blocks_read;
	return rc;
}

static int id_record(const char *line, size_t n, uint64_t off, void *vc)
{
	struct named_ctx *c = vc;

	if (n <= SR_ID_AT + UUID_LEN || memcmp(line + SR_ID_AT, c->id, UUID_LEN))
		return 0;
	buf_reset(c->line);
	buf_add(c->line, line, n);
	if (srec_parse(c->line->data, n, c->r) || (off != LOG_NO_OFFSET && c->r->offset != off))
		return bad_record(c->l, off);
	c->id = NULL;  /* found */
	return LOG_STOP;
}

/* The event with this id: its line copied into line, and r pointing into
 * it. Returns 0, or EX_NOTFOUND, or an error code. */
static int find_id(struct log *l, const char *id, struct buf *line, struct srec *r)
{
	struct named_ctx c = {l, NULL, NULL, NULL, id, line, r};
	struct log_scan_stats st;
	int rc = log_read_from(l, 0, UINT64_MAX, named_block, &c, id_record, &c, &st);

	blocks_read += st.blocks_read;
	return rc ? rc : c.id ? EX_NOTFOUND : 0;
}

static int count_fn(const char *line, size_t n, const struct srec *r, void *ctx)
{
	(void)line;
	(void)n;
	(void)r;
	++*(uint64_t *)ctx;
	return 0;
}

/* How many events named nm have offsets in [from, to). */
static int count_named(struct log *l, const struct named *nm, uint64_t from, uint64_t to, uint64_t *n)
{
	*n = 0;
	return from < to ? named_scan(l, nm, from, to, count_fn, n) : 0;
}

static int first_fn(const char *line, size_t n, const struct srec *r, void *ctx)
{
	(void)line;
	(void)n;
	*(uint64_t *)ctx = r->offset;
	return -1;
}

/* ---- opening streams ---- */

static char *stream_log_name(const char *name)
{
	size_t n = strlen(name) + 9;
	char *s = xmalloc(n);
	snprintf(s, n, "streams/%s", name);
	return s;
}

/* Open stream name for reading; a stream exists once it has a MANIFEST.
 * Returns 0, EX_NOTFOUND, or an error code. */
static int open_stream(const char *dir, const char *name, struct log **lg)
{
	char *ln = stream_log_name(name);
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

/* The stream's owner from its producers file into owner (empty: none).
 * Returns 0 or an error code. */
static int read_owner(const char *logdir, struct buf *owner)
{
	char *p = path_join(logdir, "producers");
	int rc = 0;

	buf_reset(owner);
	if (read_file(p, owner, 4096) < 0) {
		buf_reset(owner);
		if (errno != ENOENT)
			rc = err_sys("cannot read %s", p);
	}
	/* one line: the owner's name */
	char *nl = owner->data ? memchr(owner->data, '\n', owner->len) : NULL;
	if (nl) {
		*nl = 0;
		owner->len = (size_t)(nl - owner->data);
	}
	free(p);
	return rc;
}

/* ---- consumer positions: consumers/CONSUMER,NAME, replaced atomically ---- */

struct cstate {
	uint64_t acked;              /* events of this name acknowledged */
	uint64_t next;               /* offset the next one is looked for from */
	char moved[48];              /* when it last moved, "" never */
};

/* File name of (consumer, event name): the name percent-encoded, or, when
 * that is too long for a file name, a hash of it (the file holds the name). */
static void cstate_file(const char *consumer, const char *name, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(name);

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

/* Parse a consumer file. Returns 0 or -1 when it is not one. */
static int cstate_parse(struct json_doc *doc, const char *text, size_t len, struct buf *consumer,
			struct buf *name, struct cstate *st)
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

/* Read the position of (consumer, name); a consumer never seen starts at
 * offset 0 with nothing acknowledged. Returns 0 or an error code. */
static int cstate_read(const char *logdir, const char *consumer, const char *name, struct cstate *st)
{
	struct buf fn, text, c, n;
	struct json_doc doc;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	buf_init(&fn);
	buf_init(&text);
	buf_init(&c);
	buf_init(&n);
	json_doc_init(&doc);
	cstate_file(consumer, name, &fn);
	char *d = path_join(logdir, "consumers"), *p = path_join(d, fn.data);
	if (read_file(p, &text, 1 << 20) < 0) {
		if (errno != ENOENT)
			rc = err_sys("cannot read consumers/%s", fn.data);
	} else if (cstate_parse(&doc, text.data, text.len, &c, &n, st) || strcmp(c.data, consumer) ||
		   n.len != strlen(name) || memcmp(n.data, name, n.len)) {
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

/* Replace the position of (consumer, name) atomically (temp file, fsync,
 * rename, fsync of the directory). Returns 0 or an error code. */
static int cstate_write(const char *logdir, const char *consumer, const char *name, const struct cstate *st)
{
	struct buf fn, text;
	int rc;

	buf_init(&fn);
	buf_init(&text);
	cstate_file(consumer, name, &fn);
	buf_adds(&text, "{\"consumerId\":");
	json_write_str(&text, consumer, strlen(consumer));
	buf_adds(&text, ",\"eventName\":");
	json_write_str(&text, name, strlen(name));
	buf_addf(&text, ",\"offset\":%" PRIu64 ",\"next\":%" PRIu64 ",\"movedAt\":\"%s\"}\n", st->acked, st->next,
		 st->moved);
	char *d = path_join(logdir, "consumers");
	rc = atomic_replace(d, fn.data, text.data, text.len);
	free(d);
	buf_free(&fn);
	buf_free(&text);
	return rc;
}

/* Take the stream's consumer lock (consumers/LOCK), creating consumers/.
 * Returns the descriptor (closing it unlocks), or -1 with err_set. */
static int consumers_lock(const char *logdir)
{
	char *d = path_join(logdir, "consumers"), *p = path_join(d, "LOCK");
	double deadline = mono_seconds() + G.wait_secs;
	struct stat st;
	int fd = -1;

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
					G.wait_secs > 0 ? " (gave up waiting)" : "");
			else
				err_sys("cannot lock %s", p);
			close(fd);
			fd = -1;
			break;
		}
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
		time_format_utc(now, out);
}

/* ---- publish ---- */

/* What a publish run carries from event to event. */
struct pub {
	struct log *lg;
	struct json_doc doc;
	struct buf norm, line, ids;
	struct rnd rnd;
};

/* Report a JSON syntax error of the record starting at line ln of name. */
static int json_error(struct pub *p, const char *name, uint64_t ln, uint64_t col0, const char *rec, size_t len,
		      char *why, size_t wn)
{
	/* the parser counts from the record's start; say line and column */
	uint64_t col = col0 + p->doc.err_at;
	char *at = strstr(why, " at byte ");

	for (size_t i = 0; i < p->doc.err_at && i < len; i++)
		if (rec[i] == '\n') {
			ln++;
			col = p->doc.err_at - i - 1;
		}
	if (at)
		snprintf(at, wn - (size_t)(at - why), " at byte %" PRIu64, col + 1);
	return err_set(EX_DATA, "%s:%" PRIu64 ": invalid JSON: %s", name, ln, why);
}

/* Validate the event in p->doc, give it an id and append it. */
static int publish_one(struct pub *p, const char *name, uint64_t ln)
{
	struct rec_info ri;
	char why[256], id[UUID_LEN + 1];
	int rc;

	buf_reset(&p->norm);
	memset(&ri, 0, sizeof(ri));
	if (kind_stream.normalise(&p->doc, &p->norm, &ri, why, sizeof(why)))
		return err_set(EX_DATA, "%s:%" PRIu64 ": %s", name, ln, why);
	if ((rc = uuid_v4(&p->rnd, id)))
		return rc;
	uint64_t off = log_next_offset(p->lg) + log_run_records(p->lg);
	buf_reset(&p->line);
	buf_adds(&p->line, "{\"eventId\":\"");
	buf_add(&p->line, id, UUID_LEN);
	buf_adds(&p->line, "\",\"offset\":");
	buf_add_i64(&p->line, (int64_t)off);
	buf_addc(&p->line, ',');
	buf_add(&p->line, p->norm.data + 1, p->norm.len - 1);
	ri.bloom[ri.nbloom].p = id;
	ri.bloom[ri.nbloom++].n = UUID_LEN;
	if ((rc = log_append(p->lg, p->line.data, p->line.len, (int64_t)off, ri.bloom, ri.nbloom)))
		return rc;
	buf_add(&p->ids, id, UUID_LEN);
	buf_addc(&p->ids, '\n');
	return 0;
}

/*
 * Pretty-printed events, as the event server took them and "jq ." writes
 * them: JSON documents spread over lines, one after another. Lines are
 * gathered until the brackets of a document balance, then it is parsed.
 * rec is the first line, which did not parse on its own.
 */
static int publish_documents(struct pub *p, struct input *in, const char *rec, size_t len)
{
	struct docsplit ds;
	struct buf d;
	uint64_t start = in->line, col0 = 0;  /* where d starts in the input */
	size_t scan = 0;
	char why[256];
	int rc = 0;

	buf_init(&d);
	docsplit_init(&ds);
	for (;;) {
		buf_add(&d, rec, len);
		buf_addc(&d, '\n');
		while (scan < d.len && !rc) {
			int ended;
			scan += docsplit_scan(&ds, d.data + scan, d.len - scan, &ended);
			if (!ended)
				break;
			/* a document ends here; another may follow on this line */
			if (json_parse(&p->doc, d.data, scan, why, sizeof(why)))
				rc = json_error(p, in->name, start, col0, d.data, scan, why, sizeof(why));
			else
				rc = publish_one(p, in->name, start);
			const char *nl = memrchr(d.data, '\n', scan);
			col0 = nl ? (uint64_t)(d.data + scan - nl - 1) : col0 + scan;
			memmove(d.data, d.data + scan, d.len - scan);
			d.len -= scan;
			d.data[d.len] = 0;
			start = in->line;
			scan = 0;
		}
		if (rc)
			break;
		if (d.len > INPUT_MAX_RECORD) {
			rc = err_set(EX_DATA, "%s:%" PRIu64 ": record larger than 16 MiB", in->name, start);
			break;
		}
		if ((rc = input_next(in, &rec, &len)) != INPUT_RECORD)
			break;
		rc = 0;
		/* only white space left: the next document starts on this line */
		if (strspn(d.data, " \t\r\n") == d.len) {
			buf_reset(&d);
			scan = 0;
			start = in->line;
			col0 = 0;
		}
	}
	if (!rc && strspn(d.data ? d.data : "", " \t\r\n") < d.len) {
		/* the input ended inside a document */
		if (json_parse(&p->doc, d.data, d.len, why, sizeof(why)))
			rc = json_error(p, in->name, start, col0, d.data, d.len, why, sizeof(why));
		else
			rc = publish_one(p, in->name, start);
	}
	buf_free(&d);
	return rc;
}

static int publish_file(struct pub *p, const char *path)
{
	struct input in;
	const char *rec;
	size_t len;
	char why[256];
	int rc, first = 1;

	if ((rc = input_open(&in, path)))
		return rc;
	while ((rc = input_next(&in, &rec, &len)) == INPUT_RECORD) {
		if (json_parse(&p->doc, rec, len, why, sizeof(why))) {
			/* the first line of a file alone is not JSON: a pretty-printed document? */
			if (first && in.mode == 1 && strstr(why, "truncated JSON")) {
				rc = publish_documents(p, &in, rec, len);
				break;
			}
			rc = json_error(p, in.name, in.line, in.rec_col, rec, len, why, sizeof(why));
			break;
		}
		first = 0;
		if ((rc = publish_one(p, in.name, in.line)))
			break;
	}
	input_close(&in);
	return rc;
}

static int do_publish(struct sopts *o)
{
	struct log_config cfg;
	struct log *lg = NULL;
	struct buf owner;
	struct pub *p;
	int64_t now;
	int rc, claimed = 0;

	if (!o->producer)
		return cmd_usage_error(&cmd_stream, "publish: --producer is required");
	if ((rc = check_name("producer", o->producer)))
		return rc;
	if ((rc = log_config_init(&cfg, kind_stream.name, kind_stream.bloom_bytes, kind_stream.bloom_k)) ||
	    (rc = now_us(&now)))
		return rc;
	char *ln = stream_log_name(o->args[0]);
	rc = log_open_write(o->dir, ln, &cfg, G.wait_secs, &lg);
	free(ln);
	if (rc)
		return rc;
	buf_init(&owner);
	/* the owner is whoever published the first committed event; a
	 * producers file without one is left from a run that never committed */
	if (!(rc = read_owner(log_path(lg), &owner)) && log_next_offset(lg) > 0 && owner.len &&
	    strcmp(owner.data, o->producer))
		rc = err_set(EX_CONFLICT, "locked: second writers not allowed: stream %s is owned by producer %s",
			     o->args[0], owner.data);
	if (rc) {
		log_close(lg);
		buf_free(&owner);
		return rc;
	}
	int claim = log_next_offset(lg) == 0 || !owner.len;
	p = xcalloc(1, sizeof(*p));
	p->lg = lg;
	json_doc_init(&p->doc);
	buf_init(&p->norm);
	buf_init(&p->line);
	buf_init(&p->ids);
	log_begin(lg, now);
	if (o->nargs < 2) {
		rc = publish_file(p, "-");
	} else {
		for (int i = 1; i < o->nargs && !rc; i++)
			rc = publish_file(p, o->args[i]);
	}
	uint64_t n = log_run_records(lg);
	if (!rc && n && claim) {
		/* before the commit point: a run that does not commit leaves a
		 * producers file that the next publish ignores (no events) */
		buf_reset(&owner);
		buf_adds(&owner, o->producer);
		buf_addc(&owner, '\n');
		if (!(rc = atomic_replace(log_path(lg), "producers", owner.data, owner.len)))
			claimed = 1;
	}
	if (!rc)
		rc = log_commit(lg);
	if (rc && claimed && !log_committed(lg)) {
		char *path = path_join(log_path(lg), "producers");
		unlink(path);
		free(path);
		fsync_dir(log_path(lg));
	}
	if (rc)
		log_abort(lg);
	else
		info_("published %" PRIu64 " event%s to stream %s", n, n == 1 ? "" : "s", o->args[0]);
	log_close(lg);
	if (!rc)
		rc = out_write_stdout(&p->ids);
	json_doc_free(&p->doc);
	buf_free(&p->norm);
	buf_free(&p->line);
	buf_free(&p->ids);
	buf_free(&owner);
	free(p);
	return rc;
}

/* ---- consume ---- */

static volatile sig_atomic_t follow_signal;

static void on_stop(int sig)
{
	follow_signal = sig;
}

struct consume_ctx {
	struct buf out;
	uint64_t got, limit;         /* limit 0: none */
	uint64_t next;               /* offset after the last event printed */
	int ndjson;
};

static int consume_fn(const char *line, size_t n, const struct srec *r, void *vctx)
{
	struct consume_ctx *c = vctx;

	(void)n;
	if (!c->ndjson)
		buf_addc(&c->out, c->got ? ',' : '[');
	/* the stored event without its offset: {"eventId":..,"event":..} */
	buf_add(&c->out, line, SR_ID_AT + UUID_LEN + 1);
	buf_add(&c->out, r->rest, r->rest_len);
	if (c->ndjson)
		buf_addc(&c->out, '\n');
	c->got++;
	c->next = r->offset + 1;
	return c->limit && c->got >= c->limit ? -1 : 0;
}

static int follow(struct sopts *o, struct consume_ctx *c, const struct named *nm, struct log_stamp *seen)
{
	struct sigaction sa;
	struct log_stamp now;
	int rc = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!follow_signal && !(c->limit && c->got >= c->limit)) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		struct log *lg;
		nanosleep(&ts, NULL);
		if (follow_signal)
			break;
		/* a cheap look first; then a fresh snapshot of the committed
		 * index, which follows new blocks, segments and rolls alike */
		log_stamp_again(seen, &now);
		if (log_stamp_same(&now, seen))
			continue;
		if ((rc = open_stream(o->dir, o->args[0], &lg)))
			break;
		if (log_next_offset(lg) > c->next) {
			buf_reset(&c->out);
			rc = named_scan(lg, nm, c->next, UINT64_MAX, consume_fn, c);
			if (!rc && c->out.len)
				rc = out_write_stdout(&c->out);
			if (!rc && fflush(stdout))
				rc = err_sys("cannot write standard output");
			/* nothing more of this name up to here */
			if (!rc && !(c->limit && c->got >= c->limit) && log_next_offset(lg) > c->next)
				c->next = log_next_offset(lg);
		}
		/* taken after the snapshot: a commit in between is seen next time */
		log_stamp(lg, seen);
		log_close(lg);
		if (!log_stamp_same(&now, seen))
			seen->ino = 0;
		if (rc)
			break;
	}
	return rc;
}

static int do_consume(struct sopts *o)
{
	struct log *lg;
	struct cstate st;
	struct named nm;
	struct consume_ctx c;
	int rc;

	if (!o->consumer)
		return cmd_usage_error(&cmd_stream, "consume: --consumer is required");
	if (!o->event_name)
		return cmd_usage_error(&cmd_stream, "consume: --event-name is required");
	if (!o->have_limit && !o->follow)
		return cmd_usage_error(&cmd_stream, "consume: --limit is required (or --follow)");
	if (G.format != OUT_JSON && G.format != OUT_NDJSON)
		return cmd_usage_error(&cmd_stream, "consume: --format: json or ndjson only");
	if ((rc = check_name("consumer", o->consumer)))
		return rc;
	if ((rc = open_stream(o->dir, o->args[0], &lg)))
		return rc;
	if ((rc = cstate_read(log_path(lg), o->consumer, o->event_name, &st))) {
		log_close(lg);
		return rc;
	}
	memset(&c, 0, sizeof(c));
	buf_init(&c.out);
	c.limit = o->have_limit ? (uint64_t)o->limit : 0;
	c.ndjson = o->follow || G.format == OUT_NDJSON;
	c.next = st.next;
	named_init(&nm, o->event_name);
	rc = named_scan(lg, &nm, st.next, UINT64_MAX, consume_fn, &c);
	if (!rc && !(c.limit && c.got >= c.limit) && log_next_offset(lg) > c.next)
		c.next = log_next_offset(lg);
	struct log_stamp *seen = xmalloc(sizeof(*seen));
	log_stamp(lg, seen);
	log_close(lg);
	info_("%" PRIu64 " event%s, %" PRIu64 " block%s inflated", c.got, c.got == 1 ? "" : "s", blocks_read,
	      blocks_read == 1 ? "" : "s");
	if (!rc && !c.ndjson)
		buf_adds(&c.out, c.got ? "]\n" : "[]\n");
	if (!rc)
		rc = out_write_stdout(&c.out);
	if (!rc && o->follow) {
		if (fflush(stdout))
			rc = err_sys("cannot write standard output");
		else
			rc = follow(o, &c, &nm, seen);
	}
	free(seen);
	buf_free(&c.out);
	buf_free(&nm.lit);
	return rc;
}

/* ---- ack and seek ---- */

/* The stream, the event id argument and its event. Returns 0 or a code. */
static int open_event(struct sopts *o, const char *arg, struct log **lg, struct buf *line, struct srec *r,
		      struct buf *name)
{
	char id[UUID_LEN + 1];
	int rc;

	if (uuid_parse(arg, id))
		return cmd_usage_error(&cmd_stream, "not an event id: %s", arg);
	if ((rc = open_stream(o->dir, o->args[0], lg)))
		return rc;
	rc = find_id(*lg, id, line, r);
	if (rc == EX_NOTFOUND)
		rc = err_set(EX_NOTFOUND, "no such event in stream %s: %s", o->args[0], id);
	if (!rc)
		json_unescape(r->name + 1, r->name_len - 2, name);
	if (rc) {
		log_close(*lg);
		*lg = NULL;
	}
	return rc;
}

static int do_ack(struct sopts *o)
{
	struct log *lg;
	struct buf line, name;
	struct srec r;
	struct cstate st;
	struct named nm;
	int rc, fd;

	if (o->nargs != 2)
		return cmd_usage_error(&cmd_stream, o->nargs < 2 ? "ack: missing EVENT_ID" :
				       "ack: unexpected argument: %s", o->args[o->nargs < 2 ? 0 : 2]);
	if (!o->consumer)
		return cmd_usage_error(&cmd_stream, "ack: --consumer is required");
	if ((rc = check_name("consumer", o->consumer)))
		return rc;
	buf_init(&line);
	buf_init(&name);
	if ((rc = open_event(o, o->args[1], &lg, &line, &r, &name))) {
		buf_free(&line);
		buf_free(&name);
		return rc;
	}
	named_init(&nm, name.data);
	if ((fd = consumers_lock(log_path(lg))) < 0) {
		rc = err_code();
		goto out;
	}
	if ((rc = cstate_read(log_path(lg), o->consumer, name.data, &st)))
		goto out;
	/* the next unacknowledged event of this name */
	uint64_t expect = UINT64_MAX;
	if (r.offset >= st.next && (rc = named_scan(lg, &nm, st.next, r.offset + 1, first_fn, &expect)))
		goto out;
	if (expect == r.offset) {
		st.acked++;
		st.next = r.offset + 1;
		now_text(st.moved);
		if (!(rc = cstate_write(log_path(lg), o->consumer, name.data, &st)))
			info_("%s acknowledged %.*s (%s #%" PRIu64 ", offset %" PRIu64 ")", o->consumer, UUID_LEN, r.id,
			      name.data, st.acked, r.offset);
		goto out;
	}
	/* positions count events of the name from 1, as the event server did */
	uint64_t given, c;
	if (r.offset >= st.next) {
		rc = count_named(lg, &nm, st.next, r.offset + 1, &c);
		given = st.acked + c;
	} else {
		rc = count_named(lg, &nm, r.offset + 1, st.next, &c);
		given = st.acked >= c ? st.acked - c : 0;
	}
	if (!rc)
		rc = err_set(EX_CONFLICT, "consumer offset mismatch: %" PRIu64 "->%" PRIu64, st.acked + 1, given);
out:
	if (fd >= 0)
		close(fd);
	log_close(lg);
	buf_free(&line);
	buf_free(&name);
	buf_free(&nm.lit);
	return rc;
}

static int do_seek(struct sopts *o)
{
	struct log *lg = NULL;
	struct buf line, name;
	struct srec r;
	struct cstate st;
	struct named nm;
	int rc, fd = -1;

	if (!o->consumer)
		return cmd_usage_error(&cmd_stream, "seek: --consumer is required");
	if (!o->event_name)
		return cmd_usage_error(&cmd_stream, "seek: --event-name is required");
	if (!o->to)
		return cmd_usage_error(&cmd_stream, "seek: --to is required (earliest, latest or an event id)");
	if ((rc = check_name("consumer", o->consumer)))
		return rc;
	int where = !strcmp(o->to, "earliest") ? 0 : !strcmp(o->to, "latest") ? 1 : 2;
	char id[UUID_LEN + 1];
	if (where == 2 && uuid_parse(o->to, id))
		return cmd_usage_error(&cmd_stream, "seek: --to: not earliest, latest or an event id: %s", o->to);
	buf_init(&line);
	buf_init(&name);
	named_init(&nm, o->event_name);
	if (where == 2) {
		rc = open_event(o, o->to, &lg, &line, &r, &name);
		if (!rc && (name.len != nm.dec_len || memcmp(name.data, nm.dec, nm.dec_len)))
			rc = err_set(EX_NOTFOUND, "no event named %s in stream %s: %s", o->event_name, o->args[0], id);
	} else {
		rc = open_stream(o->dir, o->args[0], &lg);
	}
	if (rc)
		goto out;
	if ((fd = consumers_lock(log_path(lg))) < 0) {
		rc = err_code();
		goto out;
	}
	memset(&st, 0, sizeof(st));
	st.next = where == 0 ? 0 : where == 1 ? log_next_offset(lg) : r.offset;
	if ((rc = count_named(lg, &nm, 0, st.next, &st.acked)))
		goto out;
	now_text(st.moved);
	rc = cstate_write(log_path(lg), o->consumer, o->event_name, &st);
out:
	if (fd >= 0)
		close(fd);
	log_close(lg);
	buf_free(&line);
	buf_free(&name);
	buf_free(&nm.lit);
	return rc;
}

/* ---- consumers and list ---- */

struct centry {
	char *consumer, *name;
	size_t name_len;
	struct buf lit;              /* the name as stored, a JSON literal */
	struct cstate st;
	uint64_t behind;
};

struct behind_ctx {
	struct centry *ce;
	size_t n;
	uint64_t from;
};

static int behind_fn(const char *line, size_t len, const struct srec *r, void *vctx)
{
	struct behind_ctx *b = vctx;

	(void)line;
	(void)len;
	for (size_t i = 0; i < b->n; i++) {
		struct centry *e = &b->ce[i];
		if (r->offset >= e->st.next && r->name_len == e->lit.len && !memcmp(r->name, e->lit.data, r->name_len))
			e->behind++;
	}
	return 0;
}

static int cmp_centry(const void *a, const void *b)
{
	const struct centry *x = a, *y = b;
	int r = strcmp(x->consumer, y->consumer);
	if (r)
		return r;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	r = memcmp(x->name, y->name, n);
	return r ? r : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

static int do_consumers(struct sopts *o)
{
	static const struct out_col cols[] = {
		{"consumerId", OUT_STR}, {"offset", OUT_INT}, {"movedAt", OUT_STR}, {"eventName", OUT_STR},
		{"consumedPercentage", OUT_RAW}, {"behind", OUT_INT},
	};
	struct log *lg;
	struct centry *ce = NULL;
	size_t n = 0;
	int rc;

	if (o->nargs != 1)
		return cmd_usage_error(&cmd_stream, "consumers: unexpected argument: %s", o->args[1]);
	if ((rc = open_stream(o->dir, o->args[0], &lg)))
		return rc;
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
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "LOCK") || (l > 4 && !strcmp(de->d_name + l - 4, ".tmp")))
			continue;
		char *p = path_join(cd, de->d_name);
		struct cstate st;
		if (read_file(p, &text, 1 << 20) < 0)
			rc = errno == ENOENT ? 0 : err_sys("cannot read %s", p);
		else if (cstate_parse(&doc, text.data, text.len, &c, &nm, &st))
			rc = err_set(EX_CORRUPT, "%s/consumers/%s: not a consumer position", log_name(lg), de->d_name);
		else {
			ce = xrealloc(ce, sizeof(*ce) * (n + 1));
			ce[n].consumer = xstrdup(c.data);
			ce[n].name = xmalloc(nm.len + 1);
			memcpy(ce[n].name, nm.data, nm.len + 1);
			ce[n].name_len = nm.len;
			ce[n].st = st;
			ce[n].behind = 0;
			buf_init(&ce[n].lit);
			n++;
		}
		free(p);
	}
	if (d)
		closedir(d);
	free(cd);
	/* one pass from the earliest position counts what every consumer
	 * has still to consume */
	struct behind_ctx bc = {ce, n, UINT64_MAX};
	for (size_t i = 0; i < n; i++) {
		json_write_str(&ce[i].lit, ce[i].name, ce[i].name_len);
		if (ce[i].st.next < bc.from)
			bc.from = ce[i].st.next;
	}
	if (!rc && n)
		rc = named_scan(lg, NULL, bc.from, UINT64_MAX, behind_fn, &bc);
	log_close(lg);
	if (n)
		qsort(ce, n, sizeof(*ce), cmp_centry);
	struct out_table t;
	out_table_init(&t, cols, sizeof(cols) / sizeof(*cols));
	for (size_t i = 0; i < n; i++) {
		char pct[32];
		uint64_t all = ce[i].st.acked + ce[i].behind;
		snprintf(pct, sizeof(pct), "%.2f", all ? 100.0 * (double)ce[i].st.acked / (double)all : 100.0);
		out_add_str(&t, ce[i].consumer, strlen(ce[i].consumer));
		out_add_int(&t, (int64_t)ce[i].st.acked);
		if (ce[i].st.moved[0])
			out_add_str(&t, ce[i].st.moved, strlen(ce[i].st.moved));
		else
			out_add_null(&t);
		out_add_str(&t, ce[i].name, ce[i].name_len);
		out_add_raw(&t, pct, strlen(pct));
		out_add_int(&t, (int64_t)ce[i].behind);
	}
	if (!rc)
		rc = out_print(&t, G.format);
	out_table_free(&t);
	for (size_t i = 0; i < n; i++) {
		free(ce[i].consumer);
		free(ce[i].name);
		buf_free(&ce[i].lit);
	}
	free(ce);
	json_doc_free(&doc);
	buf_free(&text);
	buf_free(&c);
	buf_free(&nm);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int do_list(struct sopts *o)
{
	static const struct out_col cols[] = {
		{"stream", OUT_STR}, {"owner", OUT_STR}, {"events", OUT_INT},
		{"firstPublished", OUT_STR}, {"lastPublished", OUT_STR},
	};
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (o->nargs)
		return cmd_usage_error(&cmd_stream, "list: unexpected argument: %s", o->args[0]);
	char *sd = path_join(o->dir, "streams");
	DIR *d = opendir(sd);
	if (!d && errno != ENOENT)
		rc = err_sys("cannot read %s", sd);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (!name_valid(de->d_name))
			continue;
		names = xrealloc(names, sizeof(*names) * (n + 1));
		names[n++] = xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	free(sd);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	struct out_table t;
	struct buf owner;
	buf_init(&owner);
	out_table_init(&t, cols, sizeof(cols) / sizeof(*cols));
	for (size_t i = 0; i < n && !rc; i++) {
		struct log *lg;
		if ((rc = open_stream(o->dir, names[i], &lg))) {
			if (rc != EX_NOTFOUND)
				break;
			err_clear();  /* a directory without a stream in it */
			rc = 0;
			continue;
		}
		struct log_totals tt;
		log_totals(lg, &tt);
		uint64_t events = tt.records, blocks = tt.blocks;
		int64_t first = tt.min_ingest, last = tt.max_ingest;
		if (!(rc = read_owner(log_path(lg), &owner))) {
			char tm[48];
			out_add_str(&t, names[i], strlen(names[i]));
			if (owner.len && log_next_offset(lg) > 0)
				out_add_str(&t, owner.data, owner.len);
			else
				out_add_null(&t);
			out_add_int(&t, (int64_t)events);
			for (int k = 0; k < 2; k++) {
				if (blocks)
					out_add_str(&t, tm, time_format_utc(k ? last : first, tm));
				else
					out_add_null(&t);
			}
		}
		log_close(lg);
	}
	if (!rc)
		rc = out_print(&t, G.format);
	out_table_free(&t);
	buf_free(&owner);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* ---- the command ---- */

#define BIT(opt) (1u << ((opt) - OPT_CMD))

static const struct sub {
	const char *name;
	int (*fn)(struct sopts *o);
	unsigned opts;               /* options it takes */
	int needs_stream;            /* its first argument is a stream NAME */
} subs[] = {
	{"publish", do_publish, BIT(OPT_PRODUCER), 1},
	{"consume", do_consume, BIT(OPT_CONSUMER) | BIT(OPT_EVENT_NAME) | BIT(OPT_LIMIT) | BIT(OPT_FOLLOW), 1},
	{"ack", do_ack, BIT(OPT_CONSUMER), 1},
	{"consumers", do_consumers, 0, 1},
	{"seek", do_seek, BIT(OPT_CONSUMER) | BIT(OPT_EVENT_NAME) | BIT(OPT_TO), 1},
	{"list", do_list, 0, 0},
};

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"producer", required_argument, 0, OPT_PRODUCER},
		{"consumer", required_argument, 0, OPT_CONSUMER},
		{"event-name", required_argument, 0, OPT_EVENT_NAME},
		{"limit", required_argument, 0, OPT_LIMIT},
		{"follow", no_argument, 0, OPT_FOLLOW},
		{"to", required_argument, 0, OPT_TO},
		{0, 0, 0, 0},
	};
	struct sopts o;
	const struct sub *sub = NULL;
	int c, rc;

	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (c < OPT_PRODUCER || c > OPT_TO) {
			if ((rc = cmd_common_opt(&cmd_stream, c, argv)) >= 0)
				return rc;
			continue;
		}
		o.given |= BIT(c);
		switch (c) {
		case OPT_PRODUCER: o.producer = optarg; break;
		case OPT_CONSUMER: o.consumer = optarg; break;
		case OPT_EVENT_NAME: o.event_name = optarg; break;
		case OPT_TO: o.to = optarg; break;
		case OPT_FOLLOW: o.follow = 1; break;
		case OPT_LIMIT:
			if ((rc = cmd_int_arg(&cmd_stream, "--limit", optarg, 1, &o.limit)))
				return rc;
			o.have_limit = 1;
			break;
		}
	}
	if (optind >= argc)
		return cmd_usage_error(&cmd_stream, "missing subcommand (publish, consume, ack, consumers, seek, list)");
	for (size_t i = 0; i < sizeof(subs) / sizeof(*subs); i++)
		if (!strcmp(argv[optind], subs[i].name))
			sub = &subs[i];
	if (!sub)
		return cmd_usage_error(&cmd_stream, "unknown subcommand: %s (publish, consume, ack, consumers, seek, list)",
				       argv[optind]);
	for (int opt = OPT_PRODUCER; opt <= OPT_TO; opt++)
		if ((o.given & BIT(opt)) && !(sub->opts & BIT(opt)))
			for (size_t i = 0; i < sizeof(opts) / sizeof(*opts); i++)
				if (opts[i].val == opt)
					return cmd_usage_error(&cmd_stream, "%s: --%s does not apply", sub->name, opts[i].name);
	o.args = argv + optind + 1;
	o.nargs = argc - optind - 1;
	if (sub->needs_stream) {
		if (!o.nargs)
			return cmd_usage_error(&cmd_stream, "%s: missing stream NAME", sub->name);
		if ((rc = check_name("stream", o.args[0])))
			return rc;
		if (sub->fn != do_publish && sub->fn != do_ack && o.nargs > 1)
			return cmd_usage_error(&cmd_stream, "%s: unexpected argument: %s", sub->name, o.args[1]);
	}
	if (o.event_name && !*o.event_name)
		return cmd_usage_error(&cmd_stream, "%s: --event-name: empty", sub->name);
	if (!(o.dir = log_data_dir(G.data_dir)))
		return EX_USAGE;
	rc = sub->fn(&o);
	free(o.dir);
	return rc;
}
