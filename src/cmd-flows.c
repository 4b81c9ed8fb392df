/* aggr flows --hour H: bytes per (src_app, dest_app, vpc_id), summed at read time */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hmap.h"
#include "json.h"
#include "log.h"

static int run(int argc, char **argv);

const struct cmd cmd_flows = {
	"flows", run, "bytes per (src_app, dest_app, vpc_id) in one hour",
	"usage: aggr flows --hour H [--page P] [--size S] [--format FMT]\n"
	"\n"
	"Sum bytes_tx and bytes_rx of the flows log per (src_app, dest_app, vpc_id)\n"
	"for hour H, sorted bytewise, one page at a time:\n"
	"  {\"items\":[{\"src_app\":..,\"dest_app\":..,\"vpc_id\":..,\"hour\":H,\n"
	"    \"bytes_rx\":..,\"bytes_tx\":..},..],\"total\":T,\"page\":P,\"size\":S}\n"
	"\n"
	"Options:\n"
	"  --hour H         the hour to report (an integer; required)\n"
	"  --page P         page number, from 1 (default 1)\n"
	"  --size S         groups per page (default 50)\n"
	"  --format FMT     json (default), ndjson, csv, tsv, table; all but json\n"
	"                   print the page's items only\n",
};

enum { OPT_HOUR = OPT_CMD, OPT_PAGE, OPT_SIZE };

struct group {
	int64_t tx, rx;
	const char *key;             /* decoded src, dest, vpc, each NUL-ended */
	size_t klen[3];
	const char *part[3];
};

struct flows_ctx {
	int64_t hour;
	struct hmap map;
	int64_t *tx, *rx;
	size_t cap;
	struct json_doc doc;
	char why[256];
};

static int want_block(const struct idx_entry *e, const struct log_seg *s, void *vctx)
{
	struct flows_ctx *c = vctx;
	(void)s;
	return e->m.min_key <= c->hour && c->hour <= e->m.max_key;
}

/*
 * Stored flows are canonical: {"src_app":S,"dest_app":S,"vpc_id":S,"hour":N,
 * "bytes_tx":N,"bytes_rx":N}, strings escaped one way only. Parse that shape
 * positionally; anything else means the log was damaged.
 */
static int take_lit(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(end - *p) < n || memcmp(*p, lit, n))
		return -1;
	*p += n;
	return 0;
}

static int take_str(const char **p, const char *end, const char **s, size_t *n)
{
	const char *q = *p;
	if (q >= end || *q != '"')
		return -1;
	for (q++; q < end && *q != '"'; q++)
		if (*q == '\\')
			q++;
	if (q >= end)
		return -1;
	*s = *p;
	*n = (size_t)(q + 1 - *p);
	*p = q + 1;
	return 0;
}

static int take_int(const char **p, const char *end, int64_t *v)
{
	const char *q = *p;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (parse_i64(*p, (size_t)(q - *p), v))
		return -1;
	*p = q;
	return 0;
}

static int on_record(const char *line, size_t n, uint64_t off, void *vctx)
{
	struct flows_ctx *c = vctx;
	const char *p = line, *end = line + n, *s[3];
	size_t sn[3];
	int64_t hour, tx, rx;

	if (take_lit(&p, end, "{\"src_app\":") || take_str(&p, end, &s[0], &sn[0]) ||
	    take_lit(&p, end, ",\"dest_app\":") || take_str(&p, end, &s[1], &sn[1]) ||
	    take_lit(&p, end, ",\"vpc_id\":") || take_str(&p, end, &s[2], &sn[2]) ||
	    take_lit(&p, end, ",\"hour\":") || take_int(&p, end, &hour))
		goto bad;
	if (hour != c->hour)
		return 0;
	if (take_lit(&p, end, ",\"bytes_tx\":") || take_int(&p, end, &tx) ||
	    take_lit(&p, end, ",\"bytes_rx\":") || take_int(&p, end, &rx) || take_lit(&p, end, "}") || p != end)
		goto bad;
	/* the three quoted strings hold no raw NUL, so NUL ends each of them */
	char keybuf[512], *key = keybuf;
	size_t klen = sn[0] + sn[1] + sn[2] + 3;
	if (klen > sizeof(keybuf))
		key = xmalloc(klen);
	memcpy(key, s[0], sn[0]);
	key[sn[0]] = 0;
	memcpy(key + sn[0] + 1, s[1], sn[1]);
	key[sn[0] + 1 + sn[1]] = 0;
	memcpy(key + sn[0] + sn[1] + 2, s[2], sn[2]);
	key[klen - 1] = 0;
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
	if (__builtin_add_overflow(c->tx[g], tx, &c->tx[g]) || __builtin_add_overflow(c->rx[g], rx, &c->rx[g]))
		return err_set(EX_FAIL, "sum of bytes for %.*s, %.*s, %.*s in hour %" PRId64 " overflows 64 bits",
			       (int)sn[0], s[0], (int)sn[1], s[1], (int)sn[2], s[2], hour);
	return 0;
bad:
	return err_set(EX_CORRUPT, "flows: record at offset %" PRIu64 " is not a stored flow", off);
}

static struct group *sort_groups;

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = &sort_groups[*(const size_t *)a], *y = &sort_groups[*(const size_t *)b];
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

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"hour", required_argument, 0, OPT_HOUR},
		{"page", required_argument, 0, OPT_PAGE},
		{"size", required_argument, 0, OPT_SIZE},
		{0, 0, 0, 0},
	};
	static const struct out_col cols[] = {
		{"src_app", OUT_STR}, {"dest_app", OUT_STR}, {"vpc_id", OUT_STR},
		{"hour", OUT_INT}, {"bytes_rx", OUT_INT}, {"bytes_tx", OUT_INT},
	};
	struct flows_ctx ctx;
	int64_t page = 1, size = 50;
	int have_hour = 0, c, rc;
	struct log *lg = NULL;
	char *dir;

	memset(&ctx, 0, sizeof(ctx));
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS, opts, NULL)) != -1) {
		switch (c) {
		case OPT_HOUR:
			if ((rc = cmd_int_arg(&cmd_flows, "--hour", optarg, INT64_MIN, &ctx.hour)))
				return rc;
			have_hour = 1;
			break;
		case OPT_PAGE:
			if ((rc = cmd_int_arg(&cmd_flows, "--page", optarg, 1, &page)))
				return rc;
			break;
		case OPT_SIZE:
			if ((rc = cmd_int_arg(&cmd_flows, "--size", optarg, 1, &size)))
				return rc;
			break;
		default:
			if ((rc = cmd_common_opt(&cmd_flows, c, argv)) >= 0)
				return rc;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_flows, "unexpected argument: %s", argv[optind]);
	if (!have_hour)
		return cmd_usage_error(&cmd_flows, "--hour is required");
	if (!(dir = log_data_dir(G.data_dir)))
		return EX_USAGE;
	rc = log_open_read(dir, "flows", &lg);
	free(dir);
	if (rc)
		return rc;
	hmap_init(&ctx.map);
	struct log_scan_stats st;
	log_want_range(lg, ctx.hour, ctx.hour);  /* as want_block */
	rc = log_scan(lg, want_block, on_record, &ctx, &st);
	log_close(lg);
	if (!rc)
		info_("inflated %" PRIu64 " of %" PRIu64 " block%s, %zu group%s in hour %" PRId64,
		      st.blocks_read, st.blocks_total, st.blocks_total == 1 ? "" : "s", ctx.map.n,
		      ctx.map.n == 1 ? "" : "s", ctx.hour);
	if (rc) {
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
		gs[i].tx = ctx.tx[i];
		gs[i].rx = ctx.rx[i];
		order[i] = i;
	}
	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < 3; j++)
			gs[i].part[j] = dec.data + doff[i * 3 + j];
	sort_groups = gs;
	qsort(order, n, sizeof(*order), cmp_group);

	struct out_table t;
	out_table_init(&t, cols, 6);
	uint64_t from = (uint64_t)(page - 1) > n / (uint64_t)size ? n : (uint64_t)(page - 1) * (uint64_t)size;
	for (uint64_t i = from; i < n && i - from < (uint64_t)size; i++) {
		struct group *g = &gs[order[i]];
		for (int j = 0; j < 3; j++)
			out_add_str(&t, g->part[j], g->klen[j]);
		out_add_int(&t, ctx.hour);
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
	return rc;
}
