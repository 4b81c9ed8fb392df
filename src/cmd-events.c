/* aggr events: tagged events with a start and a stop; add, list, stop, remove */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "kind-events.h"
#include "log.h"
#include "store.h"
#include "timefmt.h"

static int parse(struct cmd_ctx *c, int argc, char **argv);
static int run(struct cmd_ctx *c);
static void done(struct cmd_ctx *c);

const struct cmd cmd_events = {
	.name = "events",
	.parse = parse, .run = run, .done = done,
	.summary = "add, list, stop and remove tagged events",
	.help =
	"usage: aggr events add [--tag T]... [--start TIME] [--stop TIME]\n"
	"       aggr events list [--tag T]... [--since TIME] [--until TIME]\n"
	"       aggr events stop ID [--at TIME]\n"
	"       aggr events remove (--start EPOCH... | --id ID... | --purge)\n"
	"\n"
	"Events are {\"_id\",\"start_epoch\",\"stop_epoch\",\"tags\"}: _id is 24 hex\n"
	"digits given by aggr, start and stop are epoch seconds (microseconds\n"
	"kept) from 0 to 9999-12-31T23:59:59.999999Z, stop is -1 until set.\n"
	"\n"
	"  add      store an event (start defaults to now) and print it\n"
	"  list     print the live events in insertion order, as a JSON array\n"
	"  stop     set the stop of event ID (default now) and print it; exit 4\n"
	"           when there is no such event (or it was removed or expired)\n"
	"  remove   remove the events starting exactly at EPOCH (the number list\n"
	"           prints), or with _id ID, or every event (--purge), and print\n"
	"           {\"start_epoch_array_deleted\":[..],\n"
	"            \"start_epoch_array_not_deleted\":[..]}\n"
	"           (id_array_... for --id; with --purge also \"purged\":N)\n"
	"\n"
	"Options:\n"
	"  --tag T          add: a tag of the event (repeat for more); list: only\n"
	"                   events with tag T (repeat: with every one of them)\n"
	"  --start TIME     add: the start (default now); remove: an EPOCH (repeat)\n"
	"  --stop TIME      add: the stop (default none, -1)\n"
	"  --at TIME        stop: the stop time (default now)\n"
	"  --since TIME     list: events starting at or after TIME\n"
	"  --until TIME     list: events starting before TIME\n"
	"  --id ID          remove: an event id (repeat)\n"
	"  --purge          remove: every event\n"
	"  --tz ZONE        read TIME in ZONE, an IANA name (default UTC)\n"
	"  --format FMT     json (default), ndjson, csv, tsv, table\n"
	"\n"
	"Removal and stop are records appended to the log and applied by every\n"
	"read; one naming an event the read did not load (expired, removed, out\n"
	"of the window) changes nothing. 'aggr compact events' reclaims the space.\n"
	"stop and remove read only the blocks that may hold ID or EPOCH (-v says how\n"
	"many).\n"
	"A change stored whose report cannot be written exits 1 saying it is stored.\n"
	"TIME: epoch seconds, ISO 8601, now, today, yesterday, or -1h, -30m, -7d, +15m.\n",
};

enum { OPT_TAG = OPT_CMD, OPT_START, OPT_STOP, OPT_AT, OPT_SINCE, OPT_UNTIL, OPT_ID, OPT_PURGE, OPT_TZ };

struct strv {
	const char **v;
	size_t n;
};

static void strv_push(struct strv *s, const char *x)
{
	s->v = xrealloc(s->v, sizeof(*s->v) * (s->n + 1));
	s->v[s->n++] = x;
}

struct events_opts {
	const char *sub;
	const char *id;              /* stop ID */
	struct strv pos, tags, starts, ids;
	const char *stop, *at, *since, *until, *tz;
	int purge;
	int64_t now;
	/* the option values, checked (check_sub): add's start and stop,
	 * stop's --at, list's window, remove's --start EPOCHs */
	double start_epoch, stop_epoch, at_epoch;
	int64_t since_us, until_us;
	double *start_epochs;
	const char *dir;             /* the data directory */
};

static const struct out_col event_cols[] = {
	{"_id", OUT_STR}, {"start_epoch", OUT_RAW}, {"stop_epoch", OUT_RAW}, {"tags", OUT_RAW},
};

static void add_event_row(struct out_table *t, const char *id, double start, double stop, const char *tags,
			  size_t tn)
{
	struct buf b;

	buf_init(&b);
	out_add_str(t, id, EVENTS_ID_LEN);
	json_write_double(&b, start);
	out_add_raw(t, b.data, b.len);
	buf_reset(&b);
	json_write_double(&b, stop);
	out_add_raw(t, b.data, b.len);
	out_add_raw(t, tags, tn);
	buf_free(&b);
}

/* Print t; as_object: json prints its one row as an object, not an array. */
static int print_table(struct out_table *t, int as_object)
{
	return out_print(t, as_object && G.format == OUT_JSON ? OUT_NDJSON : G.format);
}

static int open_events(const struct events_opts *o, struct log **lg)
{
	struct log_config cfg;
	int rc;

	if ((rc = store_config("events", &cfg)))
		return rc;
	/* stop and remove read only the blocks their id may be in: the
	 * other segments' indexes stay unread */
	cfg.lazy = 1;
	return log_open_write(o->dir, "events", &cfg, G.wait_secs, lg);
}

/* Append lines (each ending in '\n') as one run and commit it. */
static int store_run(struct log *lg, const struct buf *lines, int64_t now)
{
	const char *p = lines->data, *end = lines->data + lines->len;
	int rc = 0;

	if (!lines->len)
		return 0;
	log_begin(lg, now);
	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		int64_t key;
		char id[EVENTS_ID_LEN + 1];
		if (events_line_keys(p, (size_t)(nl - p), &key, id)) {
			rc = err_set(EX_FAIL, "events: internal: cannot read back a record it wrote");
		} else {
			/* an update carries its event's _id as bloom key too, so
			 * that a lookup by id reads the blocks of both */
			struct log_bloom_key bk = {id, EVENTS_ID_LEN};
			rc = log_append(lg, p, (size_t)(nl - p), key, &bk, 1);
		}
		p = nl + 1;
	}
	if (!rc)
		rc = log_commit(lg);
	if (rc)
		log_abort(lg);
	return rc;
}

static int time_opt(const char *opt, const char *arg, int64_t now, double *epoch)
{
	int64_t us;
	int rc;

	if ((rc = cmd_time_arg(&cmd_events, opt, arg, now, &us)))
		return rc;
	if (us < 0)
		return cmd_usage_error(&cmd_events, "%s: before 1970: %s", opt, arg);
	*epoch = events_epoch_from_us(us);
	return 0;
}

/*
 * After a change was committed, write its report to stdout and flush it, so
 * that a failed write says the change is stored (a retry would repeat it).
 * what: "stored event ID", ... Returns 0, or the write's error code with
 * "WHAT but cannot write it: why" as the message.
 */
static int print_stored(struct out_table *t, const struct buf *text, int as_object, const char *what)
{
	int rc = t ? print_table(t, as_object) : out_write_stdout(text);

	if (!rc && fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	int e = errno;
	err_clear();
	clearerr(stdout);  /* reported here, not again at exit */
	errno = e;
	return err_sys("%s but cannot write it", what);
}

static int do_add(struct events_opts *o)
{
	char id[EVENTS_ID_LEN + 1];
	double start = o->start_epoch, stop = o->stop_epoch;
	struct buf tags, line;
	struct log *lg = NULL;
	int rc;

	buf_init(&tags);
	buf_init(&line);
	buf_addc(&tags, '[');
	for (size_t i = 0; i < o->tags.n; i++) {
		if (i)
			buf_addc(&tags, ',');
		json_write_str(&tags, o->tags.v[i], strlen(o->tags.v[i]));
	}
	buf_addc(&tags, ']');
	if (!(rc = events_id_new(id)) && !(rc = open_events(o, &lg))) {
		events_write(&line, id, start, stop, tags.data, tags.len);
		buf_addc(&line, '\n');
		rc = store_run(lg, &line, o->now);
	}
	log_close(lg);
	if (!rc) {
		struct out_table t;
		char what[64];
		out_table_init(&t, event_cols, 4);
		add_event_row(&t, id, start, stop, tags.data, tags.len);
		snprintf(what, sizeof(what), "add: stored event %s", id);
		rc = print_stored(&t, NULL, 1, what);
		out_table_free(&t);
	}
	buf_free(&tags);
	buf_free(&line);
	return rc;
}

/* Does the tags array text hold every wanted tag? */
static int has_tags(struct json_doc *d, const char *tags, size_t n, const struct strv *want)
{
	char why[160];

	if (!want->n)
		return 1;
	if (json_parse(d, tags, n, why, sizeof(why)) || json_type(d, 0) != JSMN_ARRAY)
		return 0;
	for (size_t w = 0; w < want->n; w++) {
		int found = 0;
		for (int t = 1, k = 0; k < json_size(d, 0) && !found; k++, t = json_next(d, t))
			found = json_str_eq(d, t, want->v[w], strlen(want->v[w]));
		if (!found)
			return 0;
	}
	return 1;
}

static int do_list(struct events_opts *o)
{
	int64_t since = o->since_us, until = o->until_us;
	struct events_state st;
	struct log_scan_stats ss;
	struct log *lg;
	int rc;

	if ((rc = log_open_read(o->dir, "events", &lg)))
		return rc;
	events_state_init(&st);
	rc = events_state_load(&st, lg, since, until, &ss);
	if (!rc) {
		struct out_stream os = {G.format, 0};
		struct out_table t;
		struct json_doc d;
		json_doc_init(&d);
		out_table_init(&t, event_cols, 4);
		for (size_t i = 0; i < st.n && !rc; i++) {
			const struct events_event *e = &st.ev[i];
			int64_t key = events_epoch_key(e->start);
			if (e->dead || key < since || key >= until ||
			    !has_tags(&d, st.tags.data + e->tags_off, e->tags_len, &o->tags))
				continue;
			add_event_row(&t, e->id, e->start, e->stop, st.tags.data + e->tags_off, e->tags_len);
			if (out_rows(&t) == 4096)
				rc = out_stream_flush(&os, &t);
		}
		info_("events: read %" PRIu64 " of %" PRIu64 " blocks", ss.blocks_read, ss.blocks_total);
		if (!rc)
			rc = out_stream_end(&os, &t);
		out_table_free(&t);
		json_doc_free(&d);
	}
	events_state_free(&st);
	log_close(lg);
	return rc;
}

static int do_stop(struct events_opts *o)
{
	double at = o->at_epoch;
	struct log_scan_stats ss;
	struct events_state st;
	struct log *lg = NULL;
	struct buf line;
	int rc;

	events_state_init(&st);
	buf_init(&line);
	/* only the blocks whose filter may hold the id */
	if (!(rc = open_events(o, &lg)) &&
	    !(rc = events_state_load_ids(&st, lg, (const char *const *)&o->id, 1, &ss))) {
		size_t i = events_state_find(&st, o->id);
		info_("stop: read %" PRIu64 " of %" PRIu64 " blocks", ss.blocks_read, ss.blocks_total);
		struct events_event *e = i == SIZE_MAX ? NULL : &st.ev[i];
		if (!e || e->dead) {
			rc = err_set(EX_NOTFOUND, "no such event: %s", o->id);
		} else if (at < e->start) {
			rc = cmd_usage_error(&cmd_events, "--at: before the event's start");
		} else {
			events_write_op(&line, EVENTS_STOP, e->id, e->start, at);
			buf_addc(&line, '\n');
			if (!(rc = store_run(lg, &line, o->now))) {
				struct out_table t;
				char what[80];
				out_table_init(&t, event_cols, 4);
				add_event_row(&t, e->id, e->start, at, st.tags.data + e->tags_off, e->tags_len);
				snprintf(what, sizeof(what), "stop: stored the stop of event %.24s", e->id);
				rc = print_stored(&t, NULL, 1, what);
				out_table_free(&t);
			}
		}
	}
	log_close(lg);
	events_state_free(&st);
	buf_free(&line);
	return rc;
}

/* Kill event i: a remove record in lines, and dead in st. */
static void kill_event(struct events_state *st, size_t i, struct buf *lines)
{
	struct events_event *e = &st->ev[i];

	events_write_op(lines, EVENTS_REMOVE, e->id, e->start, 0);
	buf_addc(lines, '\n');
	e->dead = 1;
	st->live--;
}

static void render_removed(struct buf *out, const char *what, const struct buf *vals, const char *flags,
			   size_t n, int numbers, int64_t purged)
{
	struct out_table t;
	const struct out_col cols[] = {{what, numbers ? OUT_RAW : OUT_STR}, {"deleted", OUT_RAW}};

	if (G.format != OUT_JSON && G.format != OUT_NDJSON) {
		const char *p = vals->data;
		out_table_init(&t, cols, 2);
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(p);
			if (numbers)
				out_add_raw(&t, p, len);
			else
				out_add_str(&t, p, len);
			out_add_raw(&t, flags[i] ? "true" : "false", flags[i] ? 4 : 5);
			p += len + 1;
		}
		out_render(&t, 0, out_rows(&t), G.format, out);
		out_table_free(&t);
		return;
	}
	buf_addc(out, '{');
	if (purged >= 0) {
		buf_adds(out, "\"purged\":");
		buf_add_i64(out, purged);
	}
	if (n || purged < 0) {
		for (int pass = 1; pass >= 0; pass--) {
			const char *p = vals->data;
			int first = 1;
			if (out->data[out->len - 1] != '{')
				buf_addc(out, ',');
			buf_addf(out, "\"%s_array_%s\":[", what, pass ? "deleted" : "not_deleted");
			for (size_t i = 0; i < n; i++) {
				size_t len = strlen(p);
				if (flags[i] == pass) {
					if (!first)
						buf_addc(out, ',');
					first = 0;
					if (numbers)
						buf_add(out, p, len);
					else
						json_write_str(out, p, len);
				}
				p += len + 1;
			}
			buf_addc(out, ']');
		}
	}
	buf_adds(out, "}\n");
}

static int do_remove(struct events_opts *o)
{
	struct events_state st;
	struct buf lines, vals, out;
	struct log *lg = NULL;
	char *flags = NULL;
	const double *starts = o->start_epochs;
	int64_t purged = -1;
	int rc = 0;

	events_state_init(&st);
	buf_init(&lines);
	buf_init(&vals);
	buf_init(&out);
	size_t nv = o->starts.n ? o->starts.n : o->ids.n;
	flags = xcalloc(nv + 1, 1);
	/* without --purge only the blocks that may hold a named id (by their
	 * filters) or start (by their key ranges) are read: an event and its
	 * updates share both */
	int64_t *keys = xcalloc(o->starts.n + 1, sizeof(*keys));
	size_t nkeys = 0;
	for (size_t i = 0; i < o->starts.n; i++)
		if (events_epoch_valid(starts[i]))  /* one out of range matches nothing */
			keys[nkeys++] = events_epoch_key(starts[i]);
	struct log_scan_stats ss;
	memset(&ss, 0, sizeof(ss));
	if (!(rc = open_events(o, &lg)))
		rc = o->purge     ? events_state_load(&st, lg, INT64_MIN, INT64_MAX, &ss)
		     : o->ids.n   ? events_state_load_ids(&st, lg, (const char *const *)o->ids.v, o->ids.n, &ss)
				  : events_state_load_keys(&st, lg, keys, nkeys, &ss);
	free(keys);
	if (!rc)
		info_("remove: read %" PRIu64 " of %" PRIu64 " blocks", ss.blocks_read, ss.blocks_total);
	if (!rc) {
		/* live events by start: head[k] is the first of start k, next[] the rest */
		struct hmap by_start;
		size_t *head = NULL, *next = NULL;
		hmap_init(&by_start);
		if (o->starts.n) {
			head = xmalloc(sizeof(*head) * (st.n + 1));
			next = xmalloc(sizeof(*next) * (st.n + 1));
			for (size_t j = st.n; j-- > 0;) {
				int added;
				double v = st.ev[j].start + 0.0;  /* -0 and 0 are one start */
				if (st.ev[j].dead)
					continue;
				size_t k = hmap_put(&by_start, &v, sizeof(v), &added);
				next[j] = added ? SIZE_MAX : head[k];
				head[k] = j;
			}
		}
		for (size_t i = 0; i < o->starts.n; i++) {
			/* every live event with exactly this start goes; a start
			 * of no event must not enter by_start, past head[] */
			double v = starts[i] + 0.0;
			size_t k = hmap_get(&by_start, &v, sizeof(v));
			for (size_t j = k == SIZE_MAX ? SIZE_MAX : head[k]; j != SIZE_MAX; j = next[j])
				if (!st.ev[j].dead) {
					kill_event(&st, j, &lines);
					flags[i] = 1;
				}
			json_write_double(&vals, starts[i]);
			buf_addc(&vals, 0);
		}
		hmap_free(&by_start);
		free(head);
		free(next);
		for (size_t i = 0; i < o->ids.n; i++) {
			size_t j = events_state_find(&st, o->ids.v[i]);
			if (j != SIZE_MAX && !st.ev[j].dead) {
				kill_event(&st, j, &lines);
				flags[i] = 1;
			}
			buf_add(&vals, o->ids.v[i], EVENTS_ID_LEN + 1);
		}
		if (o->purge) {
			/* "purged" is every event this run removes, those a
			 * --start or --id matched included (aggr(1)) */
			purged = 0;
			for (size_t j = 0; j < st.n; j++)
				if (!st.ev[j].dead)
					kill_event(&st, j, &lines);
			for (const char *p = lines.data; p && (p = strchr(p, '\n')); p++)
				purged++;
		}
		rc = store_run(lg, &lines, o->now);
	}
	log_close(lg);
	if (!rc) {
		size_t nrem = 0;
		char what[80];
		for (const char *p = lines.data; p && (p = strchr(p, '\n')); p++)
			nrem++;
		render_removed(&out, o->ids.n ? "id" : "start_epoch", &vals, flags, nv, !o->ids.n, purged);
		snprintf(what, sizeof(what), "remove: stored the removal of %zu event%s", nrem, nrem == 1 ? "" : "s");
		/* nothing stored: a write error is only that */
		rc = nrem ? print_stored(NULL, &out, 0, what) : out_write_stdout(&out);
	}
	events_state_free(&st);
	buf_free(&lines);
	buf_free(&vals);
	buf_free(&out);
	free(flags);
	return rc;
}

/* The option values of o->sub, before the log is touched, into o's
 * checked fields. Returns 0 or EX_USAGE (reported). */
static int check_sub(struct events_opts *o)
{
	int rc = 0;

	if (!strcmp(o->sub, "add")) {
		o->start_epoch = events_epoch_from_us(o->now);
		o->stop_epoch = -1;
		if ((o->starts.n > 1 && (rc = cmd_usage_error(&cmd_events, "add: --start given twice"))) ||
		    (o->starts.n && (rc = time_opt("--start", o->starts.v[0], o->now, &o->start_epoch))) ||
		    (o->stop && (rc = time_opt("--stop", o->stop, o->now, &o->stop_epoch))))
			return rc;
		if (o->stop && o->stop_epoch < o->start_epoch)
			return cmd_usage_error(&cmd_events, "--stop: before the start");
	} else if (!strcmp(o->sub, "list")) {
		o->since_us = INT64_MIN;
		o->until_us = INT64_MAX;
		if ((o->since && (rc = cmd_time_arg(&cmd_events, "--since", o->since, o->now, &o->since_us))) ||
		    (o->until && (rc = cmd_time_arg(&cmd_events, "--until", o->until, o->now, &o->until_us))))
			return rc;
		if (o->until_us < o->since_us)
			return cmd_usage_error(&cmd_events, "--until is before --since");
	} else if (!strcmp(o->sub, "stop")) {
		o->at_epoch = events_epoch_from_us(o->now);
		if (!events_id_valid(o->id, strlen(o->id)))
			return cmd_usage_error(&cmd_events, "stop: not an event id: %s (24 hex digits)", o->id);
		if (o->at && (rc = time_opt("--at", o->at, o->now, &o->at_epoch)))
			return rc;
	} else {
		if (!o->starts.n && !o->ids.n && !o->purge)
			return cmd_usage_error(&cmd_events, "remove: give --start EPOCH, --id ID or --purge");
		if (o->starts.n && o->ids.n)
			return cmd_usage_error(&cmd_events, "remove: --start and --id do not go together");
		o->start_epochs = xcalloc(o->starts.n + 1, sizeof(*o->start_epochs));
		for (size_t i = 0; i < o->starts.n && !rc; i++) {
			/* read as a start is read on input; one out of range matches nothing */
			const char *s = o->starts.v[i];
			int r = events_epoch_parse(s, strlen(s), &o->start_epochs[i]);
			if (r == -1 || !isfinite(o->start_epochs[i]))
				rc = cmd_usage_error(&cmd_events, "--start: not an epoch number: %s", s);
		}
		for (size_t i = 0; i < o->ids.n && !rc; i++)
			if (!events_id_valid(o->ids.v[i], strlen(o->ids.v[i])))
				rc = cmd_usage_error(&cmd_events, "--id: not an event id: %s (24 hex digits)",
						     o->ids.v[i]);
	}
	return rc;
}

static int parse(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"tag", required_argument, 0, OPT_TAG},
		{"start", required_argument, 0, OPT_START},
		{"stop", required_argument, 0, OPT_STOP},
		{"at", required_argument, 0, OPT_AT},
		{"since", required_argument, 0, OPT_SINCE},
		{"until", required_argument, 0, OPT_UNTIL},
		{"id", required_argument, 0, OPT_ID},
		{"purge", no_argument, 0, OPT_PURGE},
		{"tz", required_argument, 0, OPT_TZ},
		{0, 0, 0, 0},
	};
	/* which subcommand takes which option */
	static const struct {
		int opt;
		const char *subs;
	} allowed[] = {
		{OPT_TAG, " add list "}, {OPT_START, " add remove "}, {OPT_STOP, " add "},
		{OPT_AT, " stop "}, {OPT_SINCE, " list "}, {OPT_UNTIL, " list "},
		{OPT_ID, " remove "}, {OPT_PURGE, " remove "}, {OPT_TZ, " add list stop "},
	};
	struct events_opts *op = cmd_opts(cx, sizeof(*op)), o;
	const char *used[OPT_TZ - OPT_CMD + 1] = {0};
	int c, rc = -1;

	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "-" COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (c == 1) {
			strv_push(&o.pos, optarg);
			continue;
		}
		for (size_t i = 0; c >= OPT_CMD && c <= OPT_TZ && opts[i].name; i++)
			if (opts[i].val == c)
				used[c - OPT_CMD] = opts[i].name;
		switch (c) {
		case OPT_TAG: strv_push(&o.tags, optarg); break;
		case OPT_START: strv_push(&o.starts, optarg); break;
		case OPT_STOP: o.stop = optarg; break;
		case OPT_AT: o.at = optarg; break;
		case OPT_SINCE: o.since = optarg; break;
		case OPT_UNTIL: o.until = optarg; break;
		case OPT_ID: strv_push(&o.ids, optarg); break;
		case OPT_PURGE: o.purge = 1; break;
		case OPT_TZ: o.tz = optarg; break;
		default:
			if ((rc = cmd_common_opt(&cmd_events, c, argv)) >= 0)
				goto out;
			rc = 0;
		}
	}
	if (!o.pos.n) {
		rc = cmd_usage_error(&cmd_events, "missing subcommand (add, list, stop, remove)");
		goto out;
	}
	o.sub = o.pos.v[0];
	if (strcmp(o.sub, "add") && strcmp(o.sub, "list") && strcmp(o.sub, "stop") && strcmp(o.sub, "remove")) {
		rc = cmd_usage_error(&cmd_events, "unknown subcommand: %s (add, list, stop, remove)", o.sub);
		goto out;
	}
	for (size_t i = 0; i < sizeof(allowed) / sizeof(*allowed); i++) {
		char sub[16];
		snprintf(sub, sizeof(sub), " %s ", o.sub);
		if (used[allowed[i].opt - OPT_CMD] && !strstr(allowed[i].subs, sub)) {
			rc = cmd_usage_error(&cmd_events, "%s: unknown option: --%s", o.sub,
					     used[allowed[i].opt - OPT_CMD]);
			goto out;
		}
	}
	if ((rc = cmd_refuse_unused(&cmd_events, o.sub)))
		goto out;
	if (!strcmp(o.sub, "stop") ? o.pos.n != 2 : o.pos.n != 1) {
		if (!strcmp(o.sub, "stop") && o.pos.n < 2)
			rc = cmd_usage_error(&cmd_events, "stop: missing event ID");
		else
			rc = cmd_usage_error(&cmd_events, "%s: unexpected argument: %s", o.sub,
					     o.pos.v[!strcmp(o.sub, "stop") ? 2 : 1]);
		goto out;
	}
	o.id = o.pos.n > 1 ? o.pos.v[1] : NULL;
	if ((o.tz && (rc = cmd_tz_arg(&cmd_events, o.tz))) || (rc = now_us(&o.now)) || (rc = check_sub(&o)))
		goto out;
	/* list reads; the others write, and create the log */
	if (!strcmp(o.sub, "list"))
		cx->flags |= CMD_READER;
	rc = -1;
out:
	*op = o;     /* done frees what was found */
	return rc;
}

static int run(struct cmd_ctx *cx)
{
	struct events_opts *o = cx->opts;

	o->dir = cx->dir;
	if (!strcmp(o->sub, "add"))
		return do_add(o);
	if (!strcmp(o->sub, "list"))
		return do_list(o);
	if (!strcmp(o->sub, "stop"))
		return do_stop(o);
	return do_remove(o);
}

static void done(struct cmd_ctx *cx)
{
	struct events_opts *o = cx->opts;

	free(o->pos.v);
	free(o->tags.v);
	free(o->starts.v);
	free(o->ids.v);
	free(o->start_epochs);
}
