/* aggr sessions: a user's complete sessions, or session starts per country */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hmap.h"
#include "json.h"
#include "kind-sessions.h"
#include "log.h"
#include "timefmt.h"

static int parse(struct cmd_ctx *c, int argc, char **argv);
static int run(struct cmd_ctx *c);

const struct cmd cmd_sessions = {
	.name = "sessions", .flags = CMD_READER,
	.parse = parse, .run = run,
	.summary = "a user's last sessions, or session starts per country",
	.help =
	"usage: aggr sessions --user U [-n N]\n"
	"       aggr sessions --starts --days X [--at TIME] [--tz ZONE]\n"
	"\n"
	"--user prints the last N (default 20) complete sessions of user U, by end\n"
	"time, newest first. A session is complete when the log holds a start and\n"
	"an end with the same user_id and session_id, in either order:\n"
	"  {\"U\":[\"session_id\",...]}\n"
	"Only blocks whose bloom filter may hold U are read.\n"
	"\n"
	"--starts prints, for every country ever seen, sorted, the session starts\n"
	"whose ts is in [TIME - X days, TIME] (both ends included), newest first:\n"
	"  {\"DE\":[{\"session_id\":\"S\",\"user_id\":\"U\",\"ts\":\"T\"}],\"GH\":[],...}\n"
	"Starts without a country (none given, or null) are listed under \"none\",\n"
	"lower-case and so after the countries, when the window holds any.\n"
	"Only blocks whose time range meets the window are read.\n"
	"\n"
	"Records ingested longer ago than the log's retention (365.25 days unless\n"
	"'aggr retain --set' changed it) are gone from both.\n"
	"\n"
	"Options:\n"
	"  --user U         the user_id to list sessions of\n"
	"  -n N             at most N sessions (default 20)\n"
	"  --starts         list starts per country\n"
	"  --days X         the window is X days (X a non-negative integer)\n"
	"  --at TIME        the window ends at TIME (default now)\n"
	"  --tz ZONE        read TIME in ZONE, an IANA name (default UTC)\n"
	"  --format FMT     json (default), ndjson, csv, tsv, table; the others\n"
	"                   print one row per session (user_id, session_id, start,\n"
	"                   end) or per start (country, session_id, user_id, ts)\n"
	"\n"
	"TIME: epoch seconds, ISO 8601, now, today, yesterday, or -1h, -30m, -7d, +15m.\n",
};

enum { OPT_USER = OPT_CMD, OPT_STARTS, OPT_DAYS, OPT_AT, OPT_TZ };

/* Parse a stored sessions record. Returns 0 or EX_CORRUPT. */
static int stored_fields(struct json_doc *d, const char *line, size_t n, uint64_t off, struct sessions_line *sl)
{
	if (sessions_parse_line(d, line, n, sl))
		return err_set(EX_CORRUPT, "sessions: record at offset %" PRIu64 " is not a stored session event", off);
	return 0;
}

/* ---- --user ---- */

struct sess {
	int has_start, has_end;
	int64_t end_key, start_key;
	uint64_t end_off;
	size_t start_ts, end_ts;      /* offsets of the ts texts in ts_arena */
	size_t start_len, end_len;
};

struct user_ctx {
	struct buf key;               /* U as stored: a JSON string literal */
	struct hmap map;              /* session_id as stored (escaped) -> sess index */
	struct sess *s;
	size_t cap;
	struct buf ts_arena;
	struct json_doc doc;
};

static int user_block(const struct idx_entry *e, const struct log_seg *s, void *vctx)
{
	const struct user_ctx *c = vctx;

	return log_block_may_have(s, e, c->key.data, c->key.len);
}

static int user_record(const char *line, size_t n, uint64_t off, void *vctx)
{
	struct user_ctx *c = vctx;
	struct sessions_line sl;
	int64_t key;
	int added, rc;

	if (!sessions_line_of_user(line, n, c->key.data, c->key.len))
		return 0;
	if ((rc = stored_fields(&c->doc, line, n, off, &sl)))
		return rc;
	if (kind_sessions.stored_key(line, n, &key))
		return err_set(EX_CORRUPT, "sessions: record at offset %" PRIu64 " has a bad ts", off);
	size_t i = hmap_put(&c->map, sl.session, sl.session_len, &added);
	if (added) {
		if (i >= c->cap) {
			c->cap = c->cap ? c->cap * 2 : 64;
			c->s = xrealloc(c->s, sizeof(*c->s) * c->cap);
		}
		memset(&c->s[i], 0, sizeof(c->s[i]));
	}
	struct sess *s = &c->s[i];
	int start = sl.is_start;
	/* a repeated event: the latest time counts */
	if (start ? s->has_start && key < s->start_key : s->has_end && key < s->end_key)
		return 0;
	size_t at = c->ts_arena.len, tl = sl.ts_len;
	buf_add(&c->ts_arena, sl.ts, tl);
	if (start) {
		s->has_start = 1;
		s->start_key = key;
		s->start_ts = at;
		s->start_len = tl;
	} else {
		s->has_end = 1;
		s->end_key = key;
		s->end_off = off;
		s->end_ts = at;
		s->end_len = tl;
	}
	return 0;
}

/* latest end first; equal ends: the later end record first */
static int cmp_sess(const void *a, const void *b, void *arg)
{
	const struct sess *s = arg;
	const struct sess *x = &s[*(const size_t *)a], *y = &s[*(const size_t *)b];

	if (x->end_key != y->end_key)
		return x->end_key > y->end_key ? -1 : 1;
	return (x->end_off < y->end_off) - (x->end_off > y->end_off);
}

static int user_query(struct log *lg, const char *user, int64_t limit)
{
	static const struct out_col cols[] = {
		{"user_id", OUT_STR}, {"session_id", OUT_STR}, {"start", OUT_STR}, {"end", OUT_STR},
	};
	struct user_ctx c;
	struct log_scan_stats st;
	struct buf out, tmp;
	size_t *order, n = 0;
	int rc;

	memset(&c, 0, sizeof(c));
	buf_init(&c.key);
	buf_init(&c.ts_arena);
	hmap_init(&c.map);
	json_doc_init(&c.doc);
	sessions_user_key(&c.key, user, strlen(user));
	/* user_block wants only blocks whose bloom filter may hold the key */
	log_want_key(lg, c.key.data, c.key.len);
	rc = log_scan(lg, user_block, user_record, &c, &st);
	order = xmalloc(sizeof(*order) * (c.map.n ? c.map.n : 1));
	for (size_t i = 0; i < c.map.n; i++)
		if (c.s[i].has_start && c.s[i].has_end)
			order[n++] = i;
	if (!rc)
		info_("user %s: inflated %" PRIu64 " of %" PRIu64 " block%s, %zu complete session%s", user,
		      st.blocks_read, st.blocks_total, st.blocks_total == 1 ? "" : "s", n, n == 1 ? "" : "s");
	qsort_r(order, n, sizeof(*order), cmp_sess, c.s);
	if (n > (uint64_t)limit)
		n = (size_t)limit;
	buf_init(&out);
	buf_init(&tmp);
	if (!rc && G.format == OUT_JSON) {
		buf_addc(&out, '{');
		buf_add(&out, c.key.data, c.key.len);
		buf_adds(&out, ":[");
		for (size_t i = 0; i < n; i++) {
			size_t kl;
			const char *k = hmap_key(&c.map, order[i], &kl);
			if (i)
				buf_addc(&out, ',');
			/* session ids are stored escaped: print them as they are */
			buf_addc(&out, '"');
			buf_add(&out, k, kl);
			buf_addc(&out, '"');
		}
		buf_adds(&out, "]}\n");
	} else if (!rc) {
		struct out_table t;
		out_table_init(&t, cols, 4);
		for (size_t i = 0; i < n; i++) {
			const struct sess *s = &c.s[order[i]];
			size_t kl;
			const char *k = hmap_key(&c.map, order[i], &kl);
			out_add_str(&t, user, strlen(user));
			json_unescape(k, kl, &tmp);
			out_add_str(&t, tmp.data, tmp.len);
			out_add_str(&t, c.ts_arena.data + s->start_ts, s->start_len);
			out_add_str(&t, c.ts_arena.data + s->end_ts, s->end_len);
		}
		out_render(&t, 0, out_rows(&t), G.format, &out);
		out_table_free(&t);
	}
	if (!rc)
		rc = out_write_stdout(&out);
	buf_free(&out);
	buf_free(&tmp);
	free(order);
	free(c.s);
	hmap_free(&c.map);
	json_doc_free(&c.doc);
	buf_free(&c.key);
	buf_free(&c.ts_arena);
	return rc;
}

/* ---- --starts ---- */

/* The key of the starts without a country: lower-case, while stored
 * countries are upper-case letters and digits, so it cannot meet one. It
 * is listed only when the window holds such a start: it is not a country
 * the log's keys file has seen. */
#define NO_COUNTRY "none"

struct start_row {
	size_t country;               /* index in the country map */
	int64_t key;
	uint64_t off;
	size_t text, sid_len, uid_len, ts_len;   /* decoded texts, back to back in c->text */
};

struct starts_ctx {
	int64_t since, until;         /* inclusive both */
	struct hmap countries;
	struct start_row *row;
	size_t n, cap;
	struct buf text, tmp;
	struct json_doc doc;
};

static int starts_block(const struct idx_entry *e, const struct log_seg *s, void *vctx)
{
	const struct starts_ctx *c = vctx;
	(void)s;
	return e->m.max_key >= c->since && e->m.min_key <= c->until;
}

static int starts_record(const char *line, size_t n, uint64_t off, void *vctx)
{
	struct starts_ctx *c = vctx;
	struct sessions_line sl;
	int64_t key;
	int added, rc;

	if (kind_sessions.stored_key(line, n, &key))
		return err_set(EX_CORRUPT, "sessions: record at offset %" PRIu64 " has a bad ts", off);
	if (key < c->since || key > c->until || !sessions_line_may_start(line, n))
		return 0;
	if ((rc = stored_fields(&c->doc, line, n, off, &sl)))
		return rc;
	if (!sl.is_start)
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->row = xrealloc(c->row, sizeof(*c->row) * c->cap);
	}
	struct start_row *r = &c->row[c->n++];
	/* a start stored without a country (it was missing or null) is listed
	 * under NO_COUNTRY, which no stored country can equal */
	if (sl.country)
		r->country = hmap_put(&c->countries, sl.country, sl.country_len, &added);
	else
		r->country = hmap_put(&c->countries, NO_COUNTRY, sizeof(NO_COUNTRY) - 1, &added);
	r->key = key;
	r->off = off;
	r->text = c->text.len;
	json_unescape(sl.session, sl.session_len, &c->tmp);
	buf_add(&c->text, c->tmp.data, r->sid_len = c->tmp.len);
	json_unescape(sl.user, sl.user_len, &c->tmp);
	buf_add(&c->text, c->tmp.data, r->uid_len = c->tmp.len);
	buf_add(&c->text, sl.ts, r->ts_len = sl.ts_len);
	return 0;
}

struct start_order {
	const struct starts_ctx *c;
	const size_t *rank;   /* country index -> place in sorted order */
};

/* by country, then newest first; equal times: the later record first */
static int cmp_start(const void *a, const void *b, void *arg)
{
	const struct start_order *o = arg;
	const struct start_row *x = &o->c->row[*(const size_t *)a];
	const struct start_row *y = &o->c->row[*(const size_t *)b];

	if (x->country != y->country)
		return o->rank[x->country] < o->rank[y->country] ? -1 : 1;
	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	return (x->off < y->off) - (x->off > y->off);
}

static int cmp_country(const void *a, const void *b, void *arg)
{
	const struct hmap *m = arg;
	size_t la, lb;
	const char *ka = hmap_key(m, *(const size_t *)a, &la);
	const char *kb = hmap_key(m, *(const size_t *)b, &lb);
	int r = memcmp(ka, kb, la < lb ? la : lb);

	return r ? r : (la > lb) - (la < lb);
}

static int starts_query(struct log *lg, int64_t since, int64_t until)
{
	static const struct out_col jcols[] = {{"session_id", OUT_STR}, {"user_id", OUT_STR}, {"ts", OUT_STR}};
	static const struct out_col tcols[] = {
		{"country", OUT_STR}, {"session_id", OUT_STR}, {"user_id", OUT_STR}, {"ts", OUT_STR},
	};
	struct starts_ctx c;
	struct log_scan_stats st;
	struct buf keys, out;
	int added, rc;

	memset(&c, 0, sizeof(c));
	c.since = since;
	c.until = until;
	hmap_init(&c.countries);
	buf_init(&c.text);
	buf_init(&c.tmp);
	buf_init(&keys);
	buf_init(&out);
	json_doc_init(&c.doc);
	/* every country ever seen, from the log's summary keys */
	rc = log_keys_read(lg, &keys);
	for (const char *p = keys.data, *end = p + keys.len; !rc && p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		hmap_put(&c.countries, p, (size_t)(nl - p), &added);
		p = nl + 1;
	}
	if (!rc) {
		log_want_range(lg, since, until);  /* as starts_block */
		rc = log_scan(lg, starts_block, starts_record, &c, &st);
	}
	size_t nc = c.countries.n, ncountry = nc;
	for (size_t i = 0; i < nc; i++) {
		size_t kl;
		const char *k = hmap_key(&c.countries, i, &kl);
		ncountry -= kl == sizeof(NO_COUNTRY) - 1 && !memcmp(k, NO_COUNTRY, kl);
	}
	size_t *corder = xmalloc(sizeof(*corder) * (nc ? nc : 1)), *rank = xmalloc(sizeof(*rank) * (nc ? nc : 1));
	size_t *order = xmalloc(sizeof(*order) * (c.n ? c.n : 1));
	if (!rc) {
		char a[48], b[48];
		time_format_utc(since, a);
		time_format_utc(until, b);
		info_("window [%s, %s]: inflated %" PRIu64 " of %" PRIu64 " block%s, %zu start%s, %zu countr%s",
		      a, b, st.blocks_read, st.blocks_total, st.blocks_total == 1 ? "" : "s", c.n,
		      c.n == 1 ? "" : "s", ncountry, ncountry == 1 ? "y" : "ies");
	}
	for (size_t i = 0; i < nc; i++)
		corder[i] = i;
	qsort_r(corder, nc, sizeof(*corder), cmp_country, &c.countries);
	for (size_t i = 0; i < nc; i++)
		rank[corder[i]] = i;
	for (size_t i = 0; i < c.n; i++)
		order[i] = i;
	struct start_order so = {&c, rank};
	qsort_r(order, c.n, sizeof(*order), cmp_start, &so);

	struct out_table t;
	int json = G.format == OUT_JSON;
	out_table_init(&t, json ? jcols : tcols, json ? 3 : 4);
	for (size_t i = 0; !rc && i < c.n; i++) {
		const struct start_row *r = &c.row[order[i]];
		const char *p = c.text.data + r->text;
		size_t kl;
		if (!json) {
			const char *k = hmap_key(&c.countries, r->country, &kl);
			out_add_str(&t, k, kl);
		}
		out_add_str(&t, p, r->sid_len);
		out_add_str(&t, p + r->sid_len, r->uid_len);
		out_add_str(&t, p + r->sid_len + r->uid_len, r->ts_len);
	}
	if (!rc && json) {
		/* one array per country: rows are grouped in country order */
		size_t row = 0;
		buf_addc(&out, '{');
		for (size_t i = 0; i < nc; i++) {
			size_t kl, from = row;
			const char *k = hmap_key(&c.countries, corder[i], &kl);
			while (row < c.n && c.row[order[row]].country == corder[i])
				row++;
			if (i)
				buf_addc(&out, ',');
			json_write_str(&out, k, kl);
			buf_addc(&out, ':');
			out_render(&t, from, row, OUT_JSON, &out);
		}
		buf_adds(&out, "}\n");
	} else if (!rc) {
		out_render(&t, 0, out_rows(&t), G.format, &out);
	}
	if (!rc)
		rc = out_write_stdout(&out);
	out_table_free(&t);
	free(order);
	free(corder);
	free(rank);
	free(c.row);
	hmap_free(&c.countries);
	buf_free(&c.text);
	buf_free(&c.tmp);
	buf_free(&keys);
	buf_free(&out);
	json_doc_free(&c.doc);
	return rc;
}

/* The query the options ask for: --user (with its -n), or --starts over
 * [until - days, until). */
struct sessions_opts {
	const char *user;
	int64_t limit, days, until;
};

static int parse(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"user", required_argument, 0, OPT_USER},
		{"starts", no_argument, 0, OPT_STARTS},
		{"days", required_argument, 0, OPT_DAYS},
		{"at", required_argument, 0, OPT_AT},
		{"tz", required_argument, 0, OPT_TZ},
		{0, 0, 0, 0},
	};
	struct sessions_opts *o = cmd_opts(cx, sizeof(*o));
	const char *user = NULL, *at = NULL, *tz = NULL;
	int64_t limit = 20, days = -1, now, until;
	int starts = 0, have_n = 0, c, rc;

	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "n:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_USER: user = optarg; break;
		case OPT_STARTS: starts = 1; break;
		case OPT_AT: at = optarg; break;
		case OPT_TZ: tz = optarg; break;
		case OPT_DAYS:
			if ((rc = cmd_int_arg(&cmd_sessions, "--days", optarg, 0, &days)))
				return rc;
			/* X days in microseconds must not overflow */
			if (days > 10000000)
				return cmd_usage_error(&cmd_sessions, "--days: out of range: %s", optarg);
			break;
		case 'n':
			if ((rc = cmd_int_arg(&cmd_sessions, "-n", optarg, 1, &limit)))
				return rc;
			have_n = 1;
			break;
		default:
			if ((rc = cmd_common_opt(&cmd_sessions, c, argv)) >= 0)
				return rc;
		}
	}
	if ((rc = cmd_refuse_unused(&cmd_sessions, NULL)))
		return rc;
	if (optind < argc)
		return cmd_usage_error(&cmd_sessions, "unexpected argument: %s", argv[optind]);
	if (!user == !starts)
		return cmd_usage_error(&cmd_sessions, "give one of --user and --starts");
	if (user && (days >= 0 || at || tz))
		return cmd_usage_error(&cmd_sessions, "--user takes -n, not --days, --at or --tz");
	if (starts && have_n)
		return cmd_usage_error(&cmd_sessions, "--starts takes --days and --at, not -n");
	if (starts && days < 0)
		return cmd_usage_error(&cmd_sessions, "--starts needs --days X");
	if (user && !*user)
		return cmd_usage_error(&cmd_sessions, "--user: empty user_id");
	if (tz && (rc = cmd_tz_arg(&cmd_sessions, tz)))
		return rc;
	if ((rc = now_us(&now)))
		return rc;
	until = now;
	if (at && (rc = cmd_time_arg(&cmd_sessions, "--at", at, now, &until)))
		return rc;
	o->user = user;
	o->limit = limit;
	o->days = days;
	o->until = until;
	return -1;
}

static int run(struct cmd_ctx *cx)
{
	const struct sessions_opts *o = cx->opts;
	struct log *lg;
	int rc;

	if ((rc = log_open_read(cx->dir, "sessions", &lg)))
		return rc;
	if (o->user)
		rc = user_query(lg, o->user, o->limit);
	else
		rc = starts_query(lg, o->until - o->days * 86400 * INT64_C(1000000), o->until);
	log_close(lg);
	return rc;
}
