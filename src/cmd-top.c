/* aggr top: the domains with the most requests in the previous minute or hour */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hmap.h"
#include "json.h"
#include "kind-counters.h"
#include "log.h"
#include "timefmt.h"

static int parse(struct cmd_ctx *c, int argc, char **argv);
static int run(struct cmd_ctx *c);

const struct cmd cmd_top = {
	.name = "top", .flags = CMD_READER,
	.parse = parse, .run = run,
	.summary = "domains with the most requests in the last minute or hour",
	.help =
	"usage: aggr top (--minute | --hour) [--at TIME] [-n N] [--tz ZONE]\n"
	"       aggr top [--since TIME] [--until TIME] [-n N] [--tz ZONE]\n"
	"\n"
	"Sum the counters log per domain over the previous complete minute or hour\n"
	"before TIME (default now), or over [--since, --until), and print the N\n"
	"(default 10) domains with the most requests, highest first; ties keep the\n"
	"order in which the domains first appear in the window:\n"
	"  [{\"Domain\":\"D\",\"NumberOfRequests\":95},...]\n"
	"\n"
	"Options:\n"
	"  --minute         the window [floor(TIME, minute) - 1 minute, floor(TIME, minute))\n"
	"  --hour           the window [floor(TIME, hour) - 1 hour, floor(TIME, hour))\n"
	"  --at TIME        the time the window is taken before (default now)\n"
	"  --since TIME     start of an explicit window (inclusive; default: the\n"
	"                   first record)\n"
	"  --until TIME     end of an explicit window (exclusive; default now)\n"
	"  -n N             at most N domains (default 10)\n"
	"  --tz ZONE        read TIME and place minute and hour boundaries in ZONE,\n"
	"                   an IANA name (default UTC)\n"
	"  --format FMT     json (default), ndjson, csv, tsv, table\n"
	"\n"
	"TIME: epoch seconds, ISO 8601, now, today, yesterday, or -1h, -30m, -7d, +15m.\n",
};

enum { OPT_MINUTE = OPT_CMD, OPT_HOUR, OPT_AT, OPT_SINCE, OPT_UNTIL, OPT_TZ };

struct top_ctx {
	int64_t since, until;        /* microseconds, half-open */
	struct hmap map;             /* domain (as stored, escaped) -> index */
	int64_t *count;
	size_t cap;
	struct json_doc doc;
};

static int want_block(const struct idx_entry *e, const struct log_seg *s, void *vctx)
{
	const struct top_ctx *c = vctx;
	(void)s;
	return e->m.max_key >= c->since && e->m.min_key < c->until;
}

static int on_record(const char *line, size_t n, uint64_t off, void *vctx)
{
	struct top_ctx *c = vctx;
	struct counters_line cl;
	const char *dom;
	size_t dn;
	int64_t v;
	int r;

	if (counters_parse_line(&c->doc, line, n, &cl))
		return err_set(EX_CORRUPT, "counters: record at offset %" PRIu64 " is not a stored counter", off);
	if (cl.secs * 1000000 < c->since || cl.secs * 1000000 >= c->until)
		return 0;
	/* stored keys are canonical, so the raw bytes name the domain */
	while ((r = counters_next_domain(&cl, &dom, &dn, &v)) > 0) {
		int added;
		size_t i = hmap_put(&c->map, dom, dn, &added);
		if (added) {
			if (i >= c->cap) {
				c->cap = c->cap ? c->cap * 2 : 256;
				c->count = xrealloc(c->count, sizeof(*c->count) * c->cap);
			}
			c->count[i] = 0;
		}
		if (__builtin_add_overflow(c->count[i], v, &c->count[i]))
			return err_set(EX_FAIL, "requests for %.*s overflow 64 bits", (int)dn, dom);
	}
	if (r < 0)
		return err_set(EX_CORRUPT, "counters: record at offset %" PRIu64 " is not a stored counter", off);
	return 0;
}

/* most requests first; equal counts in order of first appearance */
static int cmp_domain(const void *a, const void *b, void *arg)
{
	const int64_t *count = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (count[x] != count[y])
		return count[x] > count[y] ? -1 : 1;
	return (x > y) - (x < y);
}

/* The window and the count the options ask for. */
struct top_opts {
	int64_t since, until, limit;
};

static int parse(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"minute", no_argument, 0, OPT_MINUTE},
		{"hour", no_argument, 0, OPT_HOUR},
		{"at", required_argument, 0, OPT_AT},
		{"since", required_argument, 0, OPT_SINCE},
		{"until", required_argument, 0, OPT_UNTIL},
		{"tz", required_argument, 0, OPT_TZ},
		{0, 0, 0, 0},
	};
	struct top_opts *o = cmd_opts(cx, sizeof(*o));
	const char *at = NULL, *since = NULL, *until = NULL, *tz = NULL;
	int unit = 0, c, rc;
	int64_t limit = 10, now;
	struct top_ctx ctx;

	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "n:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_MINUTE:
		case OPT_HOUR:
			if (unit)
				return cmd_usage_error(&cmd_top, "give one of --minute and --hour");
			unit = c == OPT_MINUTE ? 60 : 3600;
			break;
		case OPT_AT: at = optarg; break;
		case OPT_SINCE: since = optarg; break;
		case OPT_UNTIL: until = optarg; break;
		case OPT_TZ: tz = optarg; break;
		case 'n':
			if ((rc = cmd_int_arg(&cmd_top, "-n", optarg, 1, &limit)))
				return rc;
			break;
		default:
			if ((rc = cmd_common_opt(&cmd_top, c, argv)) >= 0)
				return rc;
		}
	}
	if ((rc = cmd_refuse_unused(&cmd_top, NULL)))
		return rc;
	if (optind < argc)
		return cmd_usage_error(&cmd_top, "unexpected argument: %s", argv[optind]);
	if (!unit && !since && !until)
		return cmd_usage_error(&cmd_top, "give --minute, --hour, or --since and/or --until");
	if (unit && (since || until))
		return cmd_usage_error(&cmd_top, "--%s takes --at, not --since or --until",
				       unit == 60 ? "minute" : "hour");
	if (!unit && at)
		return cmd_usage_error(&cmd_top, "--at goes with --minute or --hour; use --since and --until");
	if (tz && (rc = cmd_tz_arg(&cmd_top, tz)))
		return rc;
	if ((rc = now_us(&now)))
		return rc;
	memset(&ctx, 0, sizeof(ctx));
	if (unit) {
		int64_t t = now;
		if (at && (rc = cmd_time_arg(&cmd_top, "--at", at, now, &t)))
			return rc;
		ctx.until = time_floor(t, unit);
		ctx.since = ctx.until - (int64_t)unit * 1000000;
	} else {
		ctx.since = INT64_MIN;
		ctx.until = now;
		if (since && (rc = cmd_time_arg(&cmd_top, "--since", since, now, &ctx.since)))
			return rc;
		if (until && (rc = cmd_time_arg(&cmd_top, "--until", until, now, &ctx.until)))
			return rc;
		if (ctx.until < ctx.since)
			return cmd_usage_error(&cmd_top, "--until is before --since");
	}
	o->since = ctx.since;
	o->until = ctx.until;
	o->limit = limit;
	return -1;
}

static int run(struct cmd_ctx *cx)
{
	static const struct out_col cols[] = {{"Domain", OUT_STR}, {"NumberOfRequests", OUT_INT}};
	const struct top_opts *o = cx->opts;
	int64_t limit = o->limit;
	struct top_ctx ctx;
	struct log *lg;
	int rc;

	if ((rc = log_open_read(cx->dir, "counters", &lg)))
		return rc;
	memset(&ctx, 0, sizeof(ctx));
	ctx.since = o->since;
	ctx.until = o->until;
	hmap_init(&ctx.map);
	json_doc_init(&ctx.doc);
	struct log_scan_stats st;
	if (ctx.since < ctx.until)
		log_want_range(lg, ctx.since, ctx.until - 1);  /* as want_block */
	rc = log_scan(lg, want_block, on_record, &ctx, &st);
	log_close(lg);
	if (!rc) {
		char a[48] = "-inf", b[48];
		/* an open start is INT64_MIN, which is no time to format */
		if (ctx.since != INT64_MIN)
			time_format_utc(ctx.since, a);
		time_format_utc(ctx.until, b);
		info_("window [%s, %s): inflated %" PRIu64 " of %" PRIu64 " block%s, %zu domain%s",
		      a, b, st.blocks_read, st.blocks_total,
		      st.blocks_total == 1 ? "" : "s", ctx.map.n, ctx.map.n == 1 ? "" : "s");
	}
	size_t n = ctx.map.n, *order = xmalloc(sizeof(*order) * (n ? n : 1));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_domain, ctx.count);
	struct out_table t;
	struct buf dom;
	out_table_init(&t, cols, 2);
	buf_init(&dom);
	for (size_t i = 0; !rc && i < n && i < (uint64_t)limit; i++) {
		size_t klen;
		const char *k = hmap_key(&ctx.map, order[i], &klen);
		/* the key is a JSON string body as stored: decode it for output */
		json_unescape(k, klen, &dom);
		out_add_str(&t, dom.data, dom.len);
		out_add_int(&t, ctx.count[order[i]]);
	}
	if (!rc)
		rc = out_print(&t, G.format);
	buf_free(&dom);
	out_table_free(&t);
	free(order);
	free(ctx.count);
	hmap_free(&ctx.map);
	json_doc_free(&ctx.doc);
	return rc;
}
