/* aggr flows --hour H: bytes per (src_app, dest_app, vpc_id), summed at read time */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hmap.h"
#include "json.h"
#include "kind-flows.h"
#include "log.h"

static int parse(struct cmd_ctx *c, int argc, char **argv);
static int run(struct cmd_ctx *c);
static void done(struct cmd_ctx *c);

const struct cmd cmd_flows = {
	.name = "flows", .flags = CMD_READER,
	.parse = parse, .run = run, .done = done,
	.summary = "bytes per (src_app, dest_app, vpc_id) in one hour",
	.help =
	"usage: aggr flows --hour H [--page P] [--size S] [--format FMT]\n"
	"       aggr flows --hour A-B,C,.. [--by FIELD] [-n N | --all] [--format FMT]\n"
	"\n"
	"Sum bytes_tx and bytes_rx of the flows log per (hour, src_app, dest_app,\n"
	"vpc_id) for the hours asked, sorted by hour then bytewise, one page at a time:\n"
	"  {\"items\":[{\"src_app\":..,\"dest_app\":..,\"vpc_id\":..,\"hour\":H,\n"
	"    \"bytes_rx\":..,\"bytes_tx\":..},..],\"total\":T,\"page\":P,\"size\":S}\n"
	"\n"
	"Options:\n"
	"  --hour SPEC      the hours to report: an integer, a range A-B, or a\n"
	"                   comma-separated list of both (required)\n"
	"  --by FIELD       sort by bytes_rx, bytes_tx or bytes (their sum), highest\n"
	"                   first, ties in key order\n"
	"  -n N             the first N groups only (page 1 of size N)\n"
	"  --page P         page number, from 1 (default 1)\n"
	"  --size S         groups per page (default 50; 0: all)\n"
	"  --all            every group on one page (as --size 0)\n"
	"  --format FMT     json (default), ndjson, csv, tsv, table; all but json\n"
	"                   print the items only, every group unless --page,\n"
	"                   --size or -n is given\n",
};

enum { OPT_HOUR = OPT_CMD, OPT_PAGE, OPT_SIZE, OPT_BY, OPT_ALL };

/* --hour SPEC: at most this many comma-separated items */
#define FLOWS_MAX_SPANS 1024

struct span {
	int64_t lo, hi;
};

enum by { BY_KEY, BY_RX, BY_TX, BY_BYTES };

struct group {
	int64_t tx, rx, hour;
	const char *key;             /* decoded src, dest, vpc, each NUL-ended */
	size_t klen[3];
	const char *part[3];
};

struct flows_ctx {
	struct span *spans;          /* sorted, disjoint */
	size_t nspans;
	struct hmap map;
	int64_t *tx, *rx;
	size_t cap;
};

static int want_block(const struct idx_entry *e, const struct log_seg *s, void *vctx)
{
	struct flows_ctx *c = vctx;
	(void)s;
	for (size_t i = 0; i < c->nspans; i++)
		if (c->spans[i].lo <= e->m.max_key && e->m.min_key <= c->spans[i].hi)
			return 1;
	return 0;
}

static int want_hour(const struct flows_ctx *c, int64_t hour)
{
	size_t lo = 0, hi = c->nspans;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (hour < c->spans[mid].lo)
			hi = mid;
		else if (hour > c->spans[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* One integer of a --hour item: [-]DIGITS, ending at '-' (a range) or the item's end. */
static const char *hour_int(const char *p, const char *end, int64_t *v)
{
	const char *q = p + (p < end && *p == '-');
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q == p || (q == p + 1 && *p == '-') || parse_i64(p, (size_t)(q - p), v))
		return NULL;
	return q;
}

/*
 * --hour SPEC: ITEM[,ITEM]... with ITEM an integer or A-B (A <= B), e.g.
 * 7, 7-9, 7,9, -3--1. Sets c->spans sorted and merged. Returns 0 or
 * EX_USAGE.
 */
static int parse_hours(const char *arg, struct flows_ctx *c)
{
	const char *p = arg;
	size_t n = 0;
	if (!strchr(arg, ',') && (!*arg || !strchr(arg + 1, '-'))) {
		/* one hour: the messages of any integer option */
		c->spans = xmalloc(sizeof(*c->spans));
		c->nspans = 1;
		int rc = cmd_int_arg(&cmd_flows, "--hour", arg, INT64_MIN, &c->spans[0].lo);
		c->spans[0].hi = c->spans[0].lo;
		return rc;
	}
	c->spans = xmalloc(sizeof(*c->spans) * FLOWS_MAX_SPANS);
	for (;;) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		int64_t lo, hi;
		const char *q = hour_int(p, end, &lo);
		if (q && q < end && *q == '-')
			q = hour_int(q + 1, end, &hi);
		else
			hi = lo;
		if (!q || q != end)
			return cmd_usage_error(&cmd_flows, "--hour: not an hour, a range A-B or a list of them: %s", arg);
		if (lo > hi)
			return cmd_usage_error(&cmd_flows, "--hour: range %.*s ends before it starts", (int)(end - p), p);
		if (n == FLOWS_MAX_SPANS)
			return cmd_usage_error(&cmd_flows, "--hour: more than %d items: %s", FLOWS_MAX_SPANS, arg);
		c->spans[n].lo = lo;
		c->spans[n++].hi = hi;
		if (!*end)
			break;
		p = end + 1;
	}
	qsort(c->spans, n, sizeof(*c->spans), cmp_span);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && c->spans[i].lo <= c->spans[m - 1].hi) {
			if (c->spans[i].hi > c->spans[m - 1].hi)
				c->spans[m - 1].hi = c->spans[i].hi;
		} else {
			c->spans[m++] = c->spans[i];
		}
	}
	c->nspans = m;
	return 0;
}

static int on_record(const char *line, size_t n, uint64_t off, void *vctx)
{
	struct flows_ctx *c = vctx;
	struct flows_line f;

	if (flows_parse_head(line, n, &f))
		goto bad;
	if (!want_hour(c, f.hour))
		return 0;
	if (flows_parse_tail(line, n, &f))
		goto bad;
	/* the three quoted strings hold no raw NUL, so NUL ends each of them;
	 * the hour's 8 bytes follow */
	char keybuf[512], *key = keybuf;
	size_t klen = f.src_len + f.dest_len + f.vpc_len + 3 + sizeof(f.hour);
	if (klen > sizeof(keybuf))
		key = xmalloc(klen);
	memcpy(key, f.src, f.src_len);
	key[f.src_len] = 0;
	memcpy(key + f.src_len + 1, f.dest, f.dest_len);
	key[f.src_len + 1 + f.dest_len] = 0;
	memcpy(key + f.src_len + f.dest_len + 2, f.vpc, f.vpc_len);
	key[f.src_len + f.dest_len + f.vpc_len + 2] = 0;
	memcpy(key + f.src_len + f.dest_len + f.vpc_len + 3, &f.hour, sizeof(f.hour));
	int added;
	size_t g = hmap_put(&c->map, key, klen, &added);
	if (key != keybuf)
		free(key);
	if (added) {
		if (g >= c->cap) {
			c->cap = c->cap ? c->cap * 2 : 256;
			c->tx = xrealloc(c->tx, sizeof(*c->tx) * c->cap);
			c->rx = xrealloc(c->rx, sizeof(*c->rx) * c->cap);
		}
		c->tx[g] = c->rx[g] = 0;
	}
	if (__builtin_add_overflow(c->tx[g], f.tx, &c->tx[g]) || __builtin_add_overflow(c->rx[g], f.rx, &c->rx[g]))
		return err_set(EX_FAIL, "sum of bytes for %.*s, %.*s, %.*s in hour %" PRId64 " overflows 64 bits",
			       (int)f.src_len, f.src, (int)f.dest_len, f.dest, (int)f.vpc_len, f.vpc, f.hour);
	return 0;
bad:
	return err_set(EX_CORRUPT, "flows: record at offset %" PRIu64 " is not a stored flow", off);
}

struct group_order {
	const struct group *g;
	enum by by;
};

/* --by bytes: rx + tx, which may not fit in 64 bits */
static unsigned __int128 group_bytes(const struct group *g)
{
	return (unsigned __int128)(uint64_t)g->rx + (uint64_t)g->tx;
}

static int cmp_group(const void *a, const void *b, void *arg)
{
	const struct group_order *o = arg;
	const struct group *x = &o->g[*(const size_t *)a], *y = &o->g[*(const size_t *)b];
	switch (o->by) {
	case BY_RX:
		if (x->rx != y->rx)
			return x->rx > y->rx ? -1 : 1;
		break;
	case BY_TX:
		if (x->tx != y->tx)
			return x->tx > y->tx ? -1 : 1;
		break;
	case BY_BYTES:
		if (group_bytes(x) != group_bytes(y))
			return group_bytes(x) > group_bytes(y) ? -1 : 1;
		break;
	case BY_KEY:
		break;
	}
	if (x->hour != y->hour)
		return x->hour < y->hour ? -1 : 1;
	for (int i = 0; i < 3; i++) {
		size_t n = x->klen[i] < y->klen[i] ? x->klen[i] : y->klen[i];
		int r = memcmp(x->part[i], y->part[i], n);
		if (r)
			return r;
		if (x->klen[i] != y->klen[i])
			return x->klen[i] < y->klen[i] ? -1 : 1;
	}
	return 0;
}

/* What the options asked for; q.spans: the hours (parse_hours). */
struct flows_opts {
	struct flows_ctx q;
	int64_t page, size;
	enum by by;
	const char *hour_arg;
};

static int parse(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"hour", required_argument, 0, OPT_HOUR},
		{"page", required_argument, 0, OPT_PAGE},
		{"size", required_argument, 0, OPT_SIZE},
		{"by", required_argument, 0, OPT_BY},
		{"all", no_argument, 0, OPT_ALL},
		{0, 0, 0, 0},
	};
	struct flows_opts *o = cmd_opts(cx, sizeof(*o));
	int64_t page = 1, size = 50, top = -1;
	int have_hour = 0, paged = 0, all = 0, c, rc;
	enum by by = BY_KEY;
	const char *hour_arg = NULL;
	struct flows_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	rc = 0;
	while (!rc && (c = getopt_long(argc, argv, COMMON_SHORTOPTS "n:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HOUR:
			free(ctx.spans);
			rc = parse_hours(optarg, &ctx);
			hour_arg = optarg;
			have_hour = 1;
			break;
		case OPT_PAGE:
			rc = cmd_int_arg(&cmd_flows, "--page", optarg, 1, &page);
			paged = 1;
			break;
		case OPT_SIZE:
			rc = cmd_int_arg(&cmd_flows, "--size", optarg, 0, &size);
			paged = 1;
			break;
		case 'n':
			rc = cmd_int_arg(&cmd_flows, "-n", optarg, 1, &top);
			break;
		case OPT_ALL:
			all = 1;
			break;
		case OPT_BY:
			if (!strcmp(optarg, "bytes_rx"))
				by = BY_RX;
			else if (!strcmp(optarg, "bytes_tx"))
				by = BY_TX;
			else if (!strcmp(optarg, "bytes"))
				by = BY_BYTES;
			else
				rc = cmd_usage_error(&cmd_flows, "--by: not bytes_rx, bytes_tx or bytes: %s", optarg);
			break;
		default:
			if ((rc = cmd_common_opt(&cmd_flows, c, argv)) < 0)
				rc = 0;
			else if (!rc)
				rc = -1;     /* help printed: exit 0 */
		}
	}
	if (!rc)
		rc = cmd_refuse_unused(&cmd_flows, NULL);
	if (!rc && optind < argc)
		rc = cmd_usage_error(&cmd_flows, "unexpected argument: %s", argv[optind]);
	if (!rc && !have_hour)
		rc = cmd_usage_error(&cmd_flows, "--hour is required");
	if (!rc && top > 0 && (paged || all))
		rc = cmd_usage_error(&cmd_flows, "-n: cannot be combined with --page, --size or --all");
	if (!rc && all && paged && size != 0)
		rc = cmd_usage_error(&cmd_flows, "--all: cannot be combined with --page or --size");
	if (rc) {
		free(ctx.spans);
		return rc < 0 ? 0 : rc;
	}
	if (top > 0) {
		page = 1;
		size = top;
	} else if (all) {
		size = 0;
	} else if (!paged && G.format != OUT_JSON) {
		size = 0;    /* line formats print every group unless asked for a page */
	}
	o->q = ctx;
	o->page = page;
	o->size = size;
	o->by = by;
	o->hour_arg = hour_arg;
	return -1;
}

static void done(struct cmd_ctx *c)
{
	struct flows_opts *o = c->opts;
	free(o->q.spans);
}

static int run(struct cmd_ctx *cx)
{
	static const struct out_col cols[] = {
		{"src_app", OUT_STR}, {"dest_app", OUT_STR}, {"vpc_id", OUT_STR},
		{"hour", OUT_INT}, {"bytes_rx", OUT_INT}, {"bytes_tx", OUT_INT},
	};
	struct flows_opts *o = cx->opts;
	/* the spans are run's from here: done frees what is left in o */
	struct flows_ctx ctx = o->q;
	int64_t page = o->page, size = o->size;
	enum by by = o->by;
	const char *hour_arg = o->hour_arg;
	struct log *lg = NULL;
	int rc;

	o->q.spans = NULL;
	if ((rc = log_open_read(cx->dir, "flows", &lg))) {
		free(ctx.spans);
		return rc;
	}
	hmap_init(&ctx.map);
	struct log_scan_stats st;
	/* as want_block: the spans are sorted, so the first and last bound them */
	if (ctx.nspans)
		log_want_range(lg, ctx.spans[0].lo, ctx.spans[ctx.nspans - 1].hi);
	rc = log_scan(lg, want_block, on_record, &ctx, &st);
	log_close(lg);
	if (!rc)
		info_("inflated %" PRIu64 " of %" PRIu64 " block%s, %zu group%s in hour%s %s",
		      st.blocks_read, st.blocks_total, st.blocks_total == 1 ? "" : "s", ctx.map.n,
		      ctx.map.n == 1 ? "" : "s", ctx.nspans == 1 && ctx.spans[0].lo == ctx.spans[0].hi ? "" : "s",
		      hour_arg);
	if (rc) {
		free(ctx.spans);
		hmap_free(&ctx.map);
		free(ctx.tx);
		free(ctx.rx);
		return rc;
	}

	/* decode keys once, then sort groups bytewise by (src, dest, vpc) */
	size_t n = ctx.map.n;
	struct group *gs = xcalloc(n ? n : 1, sizeof(*gs));
	struct buf dec, tmp;
	size_t *order = xmalloc(sizeof(*order) * (n ? n : 1));
	size_t *doff = xmalloc(sizeof(*doff) * (n ? n : 1) * 3);
	buf_init(&dec);
	buf_init(&tmp);
	for (size_t i = 0; i < n; i++) {
		size_t klen;
		const char *k = hmap_key(&ctx.map, i, &klen);
		for (int j = 0; j < 3; j++) {
			size_t len = strlen(k);
			/* k is a quoted string as stored: decode its body */
			json_unescape(k + 1, len - 2, &tmp);
			doff[i * 3 + j] = dec.len;
			gs[i].klen[j] = tmp.len;
			buf_add(&dec, tmp.data, tmp.len);
			k += len + 1;
		}
		memcpy(&gs[i].hour, k, sizeof(gs[i].hour));
		gs[i].tx = ctx.tx[i];
		gs[i].rx = ctx.rx[i];
		order[i] = i;
	}
	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < 3; j++)
			gs[i].part[j] = dec.data + doff[i * 3 + j];
	struct group_order go = {gs, by};
	qsort_r(order, n, sizeof(*order), cmp_group, &go);

	struct out_table t;
	out_table_init(&t, cols, 6);
	/* size 0: every group, on page 1 only */
	uint64_t from, lim = size ? (uint64_t)size : UINT64_MAX;
	if (!size)
		from = page == 1 ? 0 : n;
	else
		from = (uint64_t)(page - 1) > n / (uint64_t)size ? n : (uint64_t)(page - 1) * (uint64_t)size;
	for (uint64_t i = from; i < n && i - from < lim; i++) {
		struct group *g = &gs[order[i]];
		for (int j = 0; j < 3; j++)
			out_add_str(&t, g->part[j], g->klen[j]);
		out_add_int(&t, g->hour);
		out_add_int(&t, g->rx);
		out_add_int(&t, g->tx);
	}
	struct buf out;
	buf_init(&out);
	if (G.format == OUT_JSON) {
		buf_adds(&out, "{\"items\":");
		out_render(&t, 0, out_rows(&t), OUT_JSON, &out);
		buf_addf(&out, ",\"total\":%zu,\"page\":%" PRId64 ",\"size\":%" PRId64 "}\n", n, page, size);
	} else {
		out_render(&t, 0, out_rows(&t), G.format, &out);
	}
	rc = out_write_stdout(&out);
	buf_free(&out);
	out_table_free(&t);
	buf_free(&dec);
	buf_free(&tmp);
	free(doff);
	free(order);
	free(gs);
	hmap_free(&ctx.map);
	free(ctx.tx);
	free(ctx.rx);
	free(ctx.spans);
	return rc;
}
