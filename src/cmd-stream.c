/* aggr stream: publish, consume, ack, consumers, seek, list (event streams):
 * options, usage and output; the streams themselves are stream.c */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "follow.h"
#include "input.h"
#include "json.h"
#include "store.h"
#include "stream.h"
#include "timefmt.h"

static int parse(struct cmd_ctx *c, int argc, char **argv);
static int run(struct cmd_ctx *c);

const struct cmd cmd_stream = {
	.name = "stream",
	.parse = parse, .run = run,
	.summary = "event streams: publish, consume, ack, consumers, seek, list",
	.help =
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
	"           (--format ndjson: one per line); the position does not move\n"
	"           unless retention removed events after it: it then moves to\n"
	"           the first event kept, with a warning counting those skipped.\n"
	"           --follow: print them as NDJSON, then every new matching event\n"
	"           as it is published, until SIGINT, SIGTERM or a closed standard\n"
	"           output (exit 0), or L events.\n"
	"ack        acknowledge EVENT_ID for this consumer; it must be the next\n"
	"           unacknowledged event of its name, else exit 5\n"
	"           \"consumer offset mismatch: EXPECTED->GIVEN\" (positions counted\n"
	"           per event name from 1).\n"
	"consumers  per consumer and event name: events acknowledged (offset),\n"
	"           when last moved, events behind, percent consumed.\n"
	"seek       move a consumer's position for N: to the first event kept\n"
	"           (earliest), past every event (latest), or so that EVENT_ID\n"
	"           is consumed next.\n"
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
	"  --wait SECS       wait this long for the stream's lock (default 10; 0, forever)\n"
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
	const char *dir;             /* data directory */
};

static int check_name(const char *what, const char *s)
{
	if (stream_name_valid(s))
		return 0;
	return cmd_usage_error(&cmd_stream, "not a valid %s name: %s (A-Z a-z 0-9 . _ -, 1 to 128 "
			       "characters, not starting with '.')", what, s);
}

/* ---- publish ---- */

/* The run and the document being read. */
struct pub {
	struct stream_pub *sp;
	struct json_doc doc;
};

/* Publish the events of path into the run (input.c reads every form). */
static int publish_file(struct pub *p, const char *path)
{
	struct input in;
	const char *rec;
	size_t len;
	char why[256];
	int rc;

	if ((rc = input_open(&in, path)))
		return rc;
	while ((rc = input_next(&in, &rec, &len)) == INPUT_RECORD) {
		if (json_parse(&p->doc, rec, len, why, sizeof(why))) {
			uint64_t line = input_json_where(&in, rec, len, why, sizeof(why));
			rc = err_set(EX_DATA, "%s:%" PRIu64 ": invalid JSON: %s", in.name, line, why);
			break;
		}
		/* validate the event, give it an id and append it */
		if ((rc = stream_pub_add(p->sp, &p->doc, in.name, in.line)))
			break;
	}
	input_close(&in);
	return rc;
}

static int do_publish(struct sopts *o)
{
	struct pub p;
	int64_t now;
	uint64_t n;
	int rc;

	if (!o->producer)
		return cmd_usage_error(&cmd_stream, "publish: --producer is required");
	if ((rc = check_name("producer", o->producer)) || (rc = now_us(&now)) ||
	    (rc = stream_pub_begin(o->dir, o->args[0], o->producer, G.wait_secs, now, &p.sp)))
		return rc;
	json_doc_init(&p.doc);
	if (o->nargs < 2) {
		rc = publish_file(&p, "-");
	} else {
		for (int i = 1; i < o->nargs && !rc; i++)
			rc = publish_file(&p, o->args[i]);
	}
	if (!rc && !(rc = stream_pub_commit(p.sp, &n)))
		info_("published %" PRIu64 " event%s to stream %s", n, n == 1 ? "" : "s", o->args[0]);
	/* the stream's retention, by age and size, on the way out, as
	 * ingest's; the events stand whatever it does: a warning */
	if (!rc && n && store_retain_apply(stream_pub_log(p.sp), now)) {
		warnx_("%s", err_msg());
		err_clear();
	}
	if (!rc)
		rc = out_write_stdout(stream_pub_ids(p.sp));
	stream_pub_end(p.sp);
	json_doc_free(&p.doc);
	return rc;
}

/* ---- consume ---- */

struct consume_ctx {
	struct buf out;
	uint64_t got, limit;         /* limit 0: none */
	uint64_t next;               /* offset after the last event printed */
	int ndjson;
};

static int consume_fn(const char *line, size_t n, const struct stream_rec *r, void *vctx)
{
	struct consume_ctx *c = vctx;

	(void)n;
	if (!c->ndjson)
		buf_addc(&c->out, c->got ? ',' : '[');
	stream_rec_print(&c->out, line, r);
	if (c->ndjson)
		buf_addc(&c->out, '\n');
	c->got++;
	c->next = r->offset + 1;
	return c->limit && c->got >= c->limit ? LOG_STOP : 0;
}

static int follow(struct sopts *o, struct consume_ctx *c, const struct stream_named *nm, struct log_stamp *seen)
{
	struct log_stamp now;
	int rc = 0;

	follow_init();
	while (!(c->limit && c->got >= c->limit) && follow_wait(seen, &now)) {
		struct log *lg;
		/* something committed: a fresh snapshot of the committed index
		 * follows new blocks, segments and rolls alike */
		if ((rc = stream_open(o->dir, o->args[0], &lg)))
			break;
		if (log_next_offset(lg) > c->next) {
			buf_reset(&c->out);
			rc = stream_scan(lg, nm, c->next, UINT64_MAX, consume_fn, c);
			if (!rc && c->out.len)
				rc = out_write_stdout(&c->out);
			if (!rc && fflush(stdout))
				rc = err_sys("cannot write standard output");
			/* nothing more of this name up to here */
			if (!rc && !(c->limit && c->got >= c->limit) && log_next_offset(lg) > c->next)
				c->next = log_next_offset(lg);
		}
		follow_close(lg, &now, seen);
		if (rc)
			break;
	}
	return rc;
}

static int do_consume(struct sopts *o)
{
	struct log *lg;
	struct stream_pos st;
	struct stream_named nm;
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
	if ((rc = stream_open(o->dir, o->args[0], &lg)))
		return rc;
	if ((rc = stream_pos_read(lg, o->consumer, o->event_name, &st)) ||
	    (rc = stream_pos_retained(lg, o->consumer, o->event_name, G.wait_secs, &st))) {
		log_close(lg);
		return rc;
	}
	memset(&c, 0, sizeof(c));
	buf_init(&c.out);
	c.limit = o->have_limit ? (uint64_t)o->limit : 0;
	c.ndjson = o->follow || G.format == OUT_NDJSON;
	c.next = st.next;
	stream_named_init(&nm, o->event_name);
	/* read no further than the counts say the events wanted are */
	uint64_t to = stream_limit_end(lg, &nm, st.next, c.limit);
	rc = stream_scan(lg, &nm, st.next, to, consume_fn, &c);
	if (!rc && to != UINT64_MAX && c.got < c.limit)
		rc = stream_scan(lg, &nm, to, UINT64_MAX, consume_fn, &c);
	if (!rc && !(c.limit && c.got >= c.limit) && log_next_offset(lg) > c.next)
		c.next = log_next_offset(lg);
	struct log_stamp *seen = xmalloc(sizeof(*seen));
	log_stamp(lg, seen);
	log_close(lg);
	uint64_t blocks = stream_blocks_read();
	info_("%" PRIu64 " event%s, %" PRIu64 " block%s inflated", c.got, c.got == 1 ? "" : "s", blocks,
	      blocks == 1 ? "" : "s");
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
	stream_named_free(&nm);
	return rc;
}

/* ---- ack and seek ---- */

static int do_ack(struct sopts *o)
{
	struct log *lg;
	struct buf name;
	struct stream_pos st;
	char id[STREAM_ID_LEN + 1];
	uint64_t off;
	int rc;

	if (o->nargs != 2)
		return cmd_usage_error(&cmd_stream, o->nargs < 2 ? "ack: missing EVENT_ID" :
				       "ack: unexpected argument: %s", o->args[o->nargs < 2 ? 0 : 2]);
	if (!o->consumer)
		return cmd_usage_error(&cmd_stream, "ack: --consumer is required");
	if ((rc = check_name("consumer", o->consumer)))
		return rc;
	if (stream_id_parse(o->args[1], id))
		return cmd_usage_error(&cmd_stream, "not an event id: %s", o->args[1]);
	if ((rc = stream_open(o->dir, o->args[0], &lg)))
		return rc;
	buf_init(&name);
	if (!(rc = stream_ack(lg, o->consumer, id, G.wait_secs, &name, &st, &off)))
		info_("%s acknowledged %s (%s #%" PRIu64 ", offset %" PRIu64 ")", o->consumer, id, name.data, st.acked,
		      off);
	log_close(lg);
	uint64_t blocks = stream_blocks_read();
	info_("%" PRIu64 " block%s inflated", blocks, blocks == 1 ? "" : "s");
	buf_free(&name);
	return rc;
}

static int do_seek(struct sopts *o)
{
	struct log *lg;
	char id[STREAM_ID_LEN + 1];
	int rc;

	if (!o->consumer)
		return cmd_usage_error(&cmd_stream, "seek: --consumer is required");
	if (!o->event_name)
		return cmd_usage_error(&cmd_stream, "seek: --event-name is required");
	if (!o->to)
		return cmd_usage_error(&cmd_stream, "seek: --to is required (earliest, latest or an event id)");
	if ((rc = check_name("consumer", o->consumer)))
		return rc;
	enum stream_to to = !strcmp(o->to, "earliest") ? STREAM_EARLIEST : !strcmp(o->to, "latest") ? STREAM_LATEST :
			    STREAM_EVENT;
	if (to == STREAM_EVENT && stream_id_parse(o->to, id))
		return cmd_usage_error(&cmd_stream, "seek: --to: not earliest, latest or an event id: %s", o->to);
	if ((rc = stream_open(o->dir, o->args[0], &lg)))
		return rc;
	rc = stream_seek(lg, o->consumer, o->event_name, to, id, G.wait_secs);
	log_close(lg);
	return rc;
}

/* ---- consumers and list ---- */

static int do_consumers(struct sopts *o)
{
	static const struct out_col cols[] = {
		{"consumerId", OUT_STR}, {"offset", OUT_INT}, {"movedAt", OUT_STR}, {"eventName", OUT_STR},
		{"consumedPercentage", OUT_RAW}, {"behind", OUT_INT},
	};
	struct log *lg;
	struct stream_consumer *ce;
	size_t n;
	int rc;

	if (o->nargs != 1)
		return cmd_usage_error(&cmd_stream, "consumers: unexpected argument: %s", o->args[1]);
	if ((rc = stream_open(o->dir, o->args[0], &lg)))
		return rc;
	rc = stream_consumers(lg, &ce, &n);
	log_close(lg);
	uint64_t blocks = stream_blocks_read();
	info_("%" PRIu64 " block%s inflated", blocks, blocks == 1 ? "" : "s");
	struct out_table t;
	out_table_init(&t, cols, sizeof(cols) / sizeof(*cols));
	for (size_t i = 0; i < n; i++) {
		char pct[32];
		uint64_t all = ce[i].pos.acked + ce[i].behind;
		snprintf(pct, sizeof(pct), "%.2f", all ? 100.0 * (double)ce[i].pos.acked / (double)all : 100.0);
		out_add_str(&t, ce[i].consumer, strlen(ce[i].consumer));
		out_add_int(&t, (int64_t)ce[i].pos.acked);
		if (ce[i].pos.moved[0])
			out_add_str(&t, ce[i].pos.moved, strlen(ce[i].pos.moved));
		else
			out_add_null(&t);
		out_add_str(&t, ce[i].name, ce[i].name_len);
		out_add_raw(&t, pct, strlen(pct));
		out_add_int(&t, (int64_t)ce[i].behind);
	}
	if (!rc)
		rc = out_print(&t, G.format);
	out_table_free(&t);
	stream_consumers_free(ce, n);
	return rc;
}

static int do_list(struct sopts *o)
{
	static const struct out_col cols[] = {
		{"stream", OUT_STR}, {"owner", OUT_STR}, {"events", OUT_INT},
		{"firstPublished", OUT_STR}, {"lastPublished", OUT_STR},
	};
	char **names;
	size_t n;
	int rc;

	if (o->nargs)
		return cmd_usage_error(&cmd_stream, "list: unexpected argument: %s", o->args[0]);
	rc = stream_names(o->dir, &names, &n);
	struct out_table t;
	struct buf owner;
	buf_init(&owner);
	out_table_init(&t, cols, sizeof(cols) / sizeof(*cols));
	for (size_t i = 0; i < n && !rc; i++) {
		struct log *lg;
		if ((rc = stream_open(o->dir, names[i], &lg))) {
			if (rc != EX_NOTFOUND)
				break;
			err_clear();  /* a directory without a stream in it */
			rc = 0;
			continue;
		}
		struct stream_totals tt;
		stream_totals(lg, &tt);
		/* a damaged owner is an error, never raw bytes on the output */
		if (!(rc = stream_owner(lg, &owner))) {
			char tm[48];
			out_add_str(&t, names[i], strlen(names[i]));
			if (owner.len)
				out_add_str(&t, owner.data, owner.len);
			else
				out_add_null(&t);
			out_add_int(&t, (int64_t)tt.events);
			for (int k = 0; k < 2; k++) {
				if (tt.blocks)
					out_add_str(&t, tm, time_format_utc6(k ? tt.last : tt.first, tm));
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

/* The subcommand and what it was given. */
struct stream_opts {
	struct sopts o;
	const struct sub *sub;
};

static int parse(struct cmd_ctx *cx, int argc, char **argv)
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
	struct stream_opts *so = cmd_opts(cx, sizeof(*so));
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
	if ((rc = cmd_refuse_unused(&cmd_stream, sub->name)))
		return rc;
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
	/* list reads the data directory itself; the others name a stream,
	 * which is not found there */
	if (sub->fn == do_list)
		cx->flags |= CMD_READER;
	so->o = o;
	so->sub = sub;
	return -1;
}

static int run(struct cmd_ctx *cx)
{
	struct stream_opts *so = cx->opts;

	so->o.dir = cx->dir;
	return so->sub->fn(&so->o);
}
