/* aggr cat, info, check, compact, purge: the log as a whole */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cursor.h"
#include "follow.h"
#include "kind.h"
#include "log.h"
#include "store.h"
#include "timefmt.h"

struct cat_window {
	int on;
	int64_t since, until;
	const struct kind *kind;
};

/* Options of the admin commands; --repair only for check, the times only
 * for cat. */
struct admin_opts {
	int repair;
	const char *since, *until, *tz;
	/* cat: where to start, --tail N (0: none), --follow, --show-offset */
	const char *from, *cursor_file;
	uint64_t tail;
	int follow, show_offset;
	/* cat, from its check: the window and the start */
	struct cat_window w;
	uint64_t start;
	int explicit_from;
};

static int admin_parse(struct cmd_ctx *c, int argc, char **argv);
static int cat_parse(struct cmd_ctx *c, int argc, char **argv);
static int check_parse(struct cmd_ctx *c, int argc, char **argv);
static int cat_check(struct cmd_ctx *c);
static int cat_run(struct cmd_ctx *c);
static int info_run(struct cmd_ctx *c);
static int check_run(struct cmd_ctx *c);
static int purge_run(struct cmd_ctx *c);
static int compact_run(struct cmd_ctx *c);

const struct cmd cmd_cat = {
	.name = "cat", .target = CMD_TARGET_LOG, .flags = CMD_READER,
	.parse = cat_parse, .check = cat_check, .run = cat_run,
	.summary = "print a log's records as JSON lines",
	.help =
	"usage: aggr cat LOG [--since TIME] [--until TIME] [--tz ZONE] [--format ndjson]\n"
	"       aggr cat LOG [--from OFFSET | --cursor-file FILE] [-n N] [-f] [--show-offset]\n"
	"\n"
	"Print every committed record of LOG as JSON lines, oldest first, in the\n"
	"form it is stored. LOG: flows, counters, events, sessions, streams/NAME.\n"
	"\n"
	"Options:\n"
	"  --since TIME     only records whose time is at or after TIME\n"
	"  --until TIME     only records whose time is before TIME\n"
	"  --tz ZONE        read TIME in ZONE, an IANA name (default UTC)\n"
	"  --from OFFSET    only records at or after log offset OFFSET\n"
	"  -n, --tail N     only the last N records (of those selected)\n"
	"  -f, --follow     then print new records as runs commit, until SIGINT,\n"
	"                   SIGTERM or a closed standard output (exit 0)\n"
	"  --cursor-file FILE\n"
	"                   start at the offset saved in FILE (absent: the start);\n"
	"                   save the position reached there, atomically, once the\n"
	"                   output is flushed (and synced, when it is a file)\n"
	"  --show-offset    print {\"offset\":N,\"record\":RECORD} lines\n"
	"\n"
	"A record's time is its key: counters timestamp, events start_epoch,\n"
	"sessions ts (flows and stream records have none).\n"
	"A start past the end of the log exits 4; a cursor file that is not one\n"
	"exits 3. Records retention removed before the start are skipped with a\n"
	"warning that counts them.\n",
};

const struct cmd cmd_info = {
	.name = "info", .target = CMD_TARGET_LOGS, .flags = CMD_READER,
	.parse = admin_parse, .run = info_run,
	.summary = "segments, blocks, records and sizes of logs",
	.help =
	"usage: aggr info [LOG] [--format FMT]\n"
	"\n"
	"Describe LOG, or every log in the data directory: segments, blocks,\n"
	"records, raw and compressed bytes, compression ratio, key range (also as\n"
	"times, min_key_time and max_key_time, for the kinds keyed by time),\n"
	"offsets, ingest times, retention (retention_seconds, null: forever),\n"
	"live and expired records, batch IDs kept, bytes on disk (disk_bytes)\n"
	"and the size retention keeps them to (retention_bytes, null: any).\n"
	"Without LOG a last row \"total\" sums them over every log.\n",
};

const struct cmd cmd_check = {
	.name = "check", .target = CMD_TARGET_LOGS, .flags = CMD_READER,
	.parse = check_parse, .run = check_run,
	.summary = "verify checksums, index and MANIFEST",
	.help =
	"usage: aggr check [LOG] [--repair]\n"
	"\n"
	"Verify LOG, or every log: the MANIFEST, every index entry and block CRC,\n"
	"the index against the blocks, that sealed segments end with a seal, and\n"
	"the batches, keys and producers files; for events also that every\n"
	"record reads back as one aggr stores, that no _id repeats, and that\n"
	"updates name their event's start. Silent when clean (-v reports counts).\n"
	"\n"
	"Exit status: 0 clean; 8 damage, naming the file and byte offset of the\n"
	"first found in each log (a lost MANIFEST, index or segment included);\n"
	"9 only uncommitted bytes of an interrupted run (nothing committed is\n"
	"damaged; the next writer or --repair removes them); 4 no such data\n"
	"directory; 6 a log that cannot be read.\n"
	"\n"
	"Options:\n"
	"  --repair         take the writer lock and make the log sound without\n"
	"                   making visible any record no commit proves: rebuild a\n"
	"                   lost or damaged index or MANIFEST, set aside damaged\n"
	"                   blocks and blocks no commit proves, drop a lost\n"
	"                   segment, remove uncommitted bytes; report each (bytes,\n"
	"                   offsets, records); keep the old files in LOG/lost/;\n"
	"                   then check again\n",
};

const struct cmd cmd_compact = {
	.name = "compact", .target = CMD_TARGET_LOGS,
	.parse = admin_parse, .run = compact_run,
	.summary = "rewrite logs without removed records",
	.help =
	"usage: aggr compact [LOG]\n"
	"\n"
	"Rewrite the segments of LOG, or of every log, that hold removed records\n"
	"or updates (events remove and stop), keeping the live records in their\n"
	"order with their offsets, updates folded in. The new segment files are\n"
	"written beside the old ones and the MANIFEST rename switches to them, so\n"
	"a crash leaves the old log or the compacted one. Logs whose records never\n"
	"die (flows, counters, sessions, streams) have nothing to compact. -v\n"
	"reports segments rewritten, records kept and dropped, and bytes.\n",
};

const struct cmd cmd_purge = {
	.name = "purge", .target = CMD_TARGET_LOG,
	.parse = admin_parse, .run = purge_run,
	.summary = "delete every record of a log",
	.help =
	"usage: aggr purge LOG\n"
	"\n"
	"Delete every record of LOG. The empty MANIFEST is written first, so a\n"
	"crash leaves either the old log or an empty one. A damaged log (lost or\n"
	"damaged MANIFEST, index or segment) is purged too, with a warning.\n",
};

/* A stream exists once it has a MANIFEST; the fixed logs read as empty
 * until their first ingest. Returns 0, or EX_NOTFOUND (lg closed). */
static int stream_exists(struct log *lg, const char *name)
{
	if (strncmp(name, "streams/", 8) || log_exists(lg))
		return 0;
	log_close(lg);
	return err_set(EX_NOTFOUND, "%s: no such stream", name);
}

enum { OPT_REPAIR = OPT_CMD, OPT_SINCE, OPT_UNTIL, OPT_TZ, OPT_FROM, OPT_TAIL, OPT_FOLLOW, OPT_CURSOR_FILE,
       OPT_SHOW_OFFSET };

#define ADMIN_BIT(opt) (1u << ((opt) - OPT_CMD))
#define ADMIN_CHECK ADMIN_BIT(OPT_REPAIR)
#define ADMIN_CAT (~ADMIN_CHECK)

/* The options of cmd; allow: the ADMIN_BIT of each of its own it takes
 * (ADMIN_CHECK, ADMIN_CAT or none), the others are unknown options.
 * Returns -1 to go on, or an exit status. */
static int parse_simple(const struct cmd *cmd, int argc, char **argv, struct admin_opts *o, unsigned allow)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"repair", no_argument, 0, OPT_REPAIR},
		{"since", required_argument, 0, OPT_SINCE},
		{"until", required_argument, 0, OPT_UNTIL},
		{"tz", required_argument, 0, OPT_TZ},
		{"from", required_argument, 0, OPT_FROM},
		{"tail", required_argument, 0, OPT_TAIL},
		{"follow", no_argument, 0, OPT_FOLLOW},
		{"cursor-file", required_argument, 0, OPT_CURSOR_FILE},
		{"show-offset", no_argument, 0, OPT_SHOW_OFFSET},
		{0, 0, 0, 0},
	};
	int c, rc, li;

	while ((li = -1, c = getopt_long(argc, argv, allow & ADMIN_BIT(OPT_TAIL) ? COMMON_SHORTOPTS "n:f" : COMMON_SHORTOPTS,
					 opts, &li)) != -1) {
		if (c == 'n')
			c = OPT_TAIL;
		else if (c == 'f')
			c = OPT_FOLLOW;
		if (c >= OPT_REPAIR && c <= OPT_SHOW_OFFSET && !(allow & ADMIN_BIT(c)))
			return cmd_usage_error(cmd, "unknown option: --%s", opts[li].name);
		if (c == OPT_TAIL) {
			int64_t v;
			if ((rc = cmd_int_arg(cmd, "--tail", optarg, 1, &v)))
				return rc;
			o->tail = (uint64_t)v;
		} else if (c == OPT_FROM)
			o->from = optarg;
		else if (c == OPT_FOLLOW)
			o->follow = 1;
		else if (c == OPT_CURSOR_FILE)
			o->cursor_file = optarg;
		else if (c == OPT_SHOW_OFFSET)
			o->show_offset = 1;
		else if (c == OPT_REPAIR)
			o->repair = 1;
		else if (c == OPT_SINCE)
			o->since = optarg;
		else if (c == OPT_UNTIL)
			o->until = optarg;
		else if (c == OPT_TZ)
			o->tz = optarg;
		else if ((rc = cmd_common_opt(cmd, c, argv)) >= 0)
			return rc;
	}
	return -1;
}

/* The admin commands' options: parse_simple, then the global options cmd
 * does not use. Returns -1 to go on, or an exit status. */
static int admin_options(struct cmd_ctx *ctx, int argc, char **argv, unsigned allow)
{
	struct admin_opts *o = cmd_opts(ctx, sizeof(*o));
	int rc;

	if ((rc = parse_simple(ctx->cmd, argc, argv, o, allow)) >= 0)
		return rc;
	if ((rc = cmd_refuse_unused(ctx->cmd, o->repair ? "--repair" : NULL)))
		return rc;
	return -1;
}

static int admin_parse(struct cmd_ctx *c, int argc, char **argv)
{
	return admin_options(c, argc, argv, 0);
}

static int check_parse(struct cmd_ctx *c, int argc, char **argv)
{
	return admin_options(c, argc, argv, ADMIN_CHECK);
}

static int cat_parse(struct cmd_ctx *c, int argc, char **argv)
{
	return admin_options(c, argc, argv, ADMIN_CAT);
}

/* cat's reading: [from, to) of one snapshot, record by record where a
 * block is cut by the start, the window, --show-offset or --tail */
struct cat_ctx {
	const struct cat_window *w;
	struct buf out;
	uint64_t from, total;
	int show_offset;
	struct progress pr;
	/* --tail N: the last N records seen, a ring of lines grown as
	 * records come, so a large N costs what the log holds */
	uint64_t tail, seen, nring;
	struct buf *ring;
	struct log *lg;
};

static int cat_want(const struct idx_entry *e, const struct log_seg *s, void *vw)
{
	const struct cat_window *w = vw;
	(void)s;
	return !w->on || (e->m.max_key >= w->since && e->m.min_key < w->until);
}

/* One record into c->out (or the tail ring). Returns 0 or EX_CORRUPT. */
static int cat_line(struct cat_ctx *c, const char *p, size_t n, uint64_t off)
{
	struct buf *b = &c->out;
	if (c->w->on) {
		int64_t key;
		if (c->w->kind->stored_key(p, n, &key))
			return err_set(EX_CORRUPT, "%s: a stored record has no time", c->w->kind->name);
		if (key < c->w->since || key >= c->w->until)
			return 0;
	}
	if (c->tail) {
		if (c->seen < c->tail && c->seen == c->nring) {
			c->ring = xrealloc(c->ring, sizeof(*c->ring) * (c->nring + 1));
			buf_init(&c->ring[c->nring++]);
		}
		b = &c->ring[c->seen % c->tail];
		buf_reset(b);
	}
	c->seen++;
	if (c->show_offset) {
		if (off == LOG_NO_OFFSET)
			buf_adds(b, "{\"offset\":null,\"record\":");
		else
			buf_addf(b, "{\"offset\":%" PRIu64 ",\"record\":", off);
		buf_add(b, p, n);
		buf_adds(b, "}\n");
	} else {
		buf_add(b, p, n + 1);
	}
	return 0;
}

static int cat_block(const struct log_seg *s, const struct idx_entry *e, const struct buf *raw, void *vc)
{
	struct cat_ctx *c = vc;
	const struct block_meta *m = &e->m;
	int sparse = (m->flags & IDX_SPARSE) != 0, rc = 0;
	(void)s;
	progress_show(&c->pr, "block %" PRIu64 " of %" PRIu64, ++c->pr.done, c->total);
	/* blocks are whole JSON lines: a block wholly wanted goes out as it is */
	if (!c->tail && !c->show_offset && m->first_offset >= c->from &&
	    (!c->w->on || (m->min_key >= c->w->since && m->max_key < c->w->until)))
		return out_write_stdout(raw);
	const char *p = raw->data, *end = raw->data + raw->len;
	uint64_t seen = 0;
	buf_reset(&c->out);
	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": last record has no newline",
				       log_seg_file(c->lg, s, 0), e->pos);
		/* in a compacted block only the first record's offset is known:
		 * the others are read whatever the start (at least once) */
		uint64_t o = sparse && seen ? LOG_NO_OFFSET : m->first_offset + seen;
		if (o == LOG_NO_OFFSET || o >= c->from)
			rc = cat_line(c, p, (size_t)(nl - p), o);
		seen++;
		p = nl + 1;
	}
	if (!rc && c->out.len)
		rc = out_write_stdout(&c->out);
	return rc;
}

/* What cat_plan learns from the index: every block, expired or not. */
struct first_ctx {
	int64_t expire_before;       /* the log's, while the log reads them all */
	uint64_t from, first_any;
	int found;
	uint64_t skipped, skip_lo, skip_hi;
	/* --tail without a window: the unexpired blocks, to start at the
	 * last ones holding at least tail records */
	uint64_t tail, nblocks, cap;
	uint64_t *starts, *counts;
	/* the previous block, whose end is the next one's start */
	int prev_expired;
	uint64_t prev_start, prev_count;
};

/* An expired block [start, end) of count records: count the ones at or after from. */
static void first_skip(struct first_ctx *f, uint64_t start, uint64_t end, uint64_t count)
{
	uint64_t lo = start > f->from ? start : f->from, n;
	if (end <= lo)
		return;
	n = start >= f->from ? count : end - lo;
	if (!n)
		return;
	if (!f->skipped)
		f->skip_lo = lo;
	f->skipped += n;
	f->skip_hi = end - 1;
}

static int first_want(const struct idx_entry *e, const struct log_seg *s, void *vf)
{
	struct first_ctx *f = vf;
	(void)s;
	if (!f->found) {
		f->first_any = e->m.first_offset;
		f->found = 1;
	}
	if (f->prev_expired)
		first_skip(f, f->prev_start, e->m.first_offset, f->prev_count);
	f->prev_expired = e->m.ingest_us < f->expire_before;
	f->prev_start = e->m.first_offset;
	f->prev_count = e->m.count;
	if (f->tail && !f->prev_expired) {
		if (f->nblocks == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 64;
			f->starts = xrealloc(f->starts, sizeof(*f->starts) * f->cap);
			f->counts = xrealloc(f->counts, sizeof(*f->counts) * f->cap);
		}
		f->starts[f->nblocks] = e->m.first_offset;
		f->counts[f->nblocks++] = e->m.count;
	}
	return 0;
}

/* What cat reads of one snapshot of a log: where it starts, and the
 * records it skips because retention (or purge) removed them. */
struct cat_plan {
	uint64_t from, end, skipped, skip_lo, skip_hi;
};

/* explicit_from: the start was asked for (--from, a cursor), so records
 * missing after it are reported. Returns 0, or EX_NOTFOUND for a start
 * past the end of the log. */
static int cat_plan(struct log *lg, uint64_t from, int explicit_from, uint64_t tail, const struct cat_window *w,
		    struct cat_plan *pl)
{
	struct first_ctx f;
	memset(&f, 0, sizeof(f));
	f.tail = w->on ? 0 : tail;
	f.from = from;
	pl->end = log_next_offset(lg);
	if (from > pl->end)
		return err_set(EX_NOTFOUND, "%s: offset %" PRIu64 " is past the end of the log (next offset %" PRIu64 ")",
			       log_name(lg), from, pl->end);
	/* see the expired blocks too, to count what the start skips */
	f.expire_before = log_expiry(lg, INT64_MIN);
	log_count_blocks(lg, first_want, &f);
	log_expiry(lg, f.expire_before);
	if (f.prev_expired)
		first_skip(&f, f.prev_start, pl->end, f.prev_count);
	if (!f.found)
		f.first_any = pl->end;
	/* offsets before the first block stored are gone for good */
	uint64_t gone = from < f.first_any ? f.first_any - from : 0;
	pl->skipped = explicit_from ? gone + f.skipped : 0;
	pl->skip_lo = gone ? from : f.skip_lo;
	pl->skip_hi = f.skipped ? f.skip_hi : f.first_any - 1;
	pl->from = from < f.first_any ? f.first_any : from;
	/* --tail: start at the last blocks that hold enough records (the
	 * ring keeps the last N); with a window every block may hold fewer */
	if (f.tail) {
		uint64_t sum = 0;
		for (uint64_t i = f.nblocks; i-- > 0;) {
			uint64_t bend = i + 1 < f.nblocks ? f.starts[i + 1] : pl->end;
			if (bend <= pl->from)
				break;
			sum += f.counts[i];
			if (sum >= tail) {
				if (f.starts[i] > pl->from)
					pl->from = f.starts[i];
				break;
			}
		}
	}
	free(f.starts);
	free(f.counts);
	return 0;
}

static void cat_warn_skipped(const char *name, const struct cat_plan *pl)
{
	if (!pl->skipped)
		return;
	if (pl->skip_lo == pl->skip_hi)
		warnx_("%s: skipped 1 record at offset %" PRIu64 ": removed by retention or purge", name, pl->skip_lo);
	else
		warnx_("%s: skipped %" PRIu64 " record%s at offsets %" PRIu64 "-%" PRIu64
		       ": removed by retention or purge", name, pl->skipped, pl->skipped == 1 ? "" : "s",
		       pl->skip_lo, pl->skip_hi);
}

/* Read [pl->from, pl->end) of lg to stdout, flushed. Returns 0 or an error code. */
static int cat_read(struct log *lg, struct cat_ctx *c, const struct cat_plan *pl)
{
	int rc;
	c->from = pl->from;
	c->seen = 0;
	c->total = log_count_blocks(lg, cat_want, (void *)c->w);
	rc = log_read_range(lg, pl->from, pl->end, cat_want, (void *)c->w, cat_block, c, NULL);
	if (rc == LOG_STOP)
		rc = 0;
	if (!rc && c->tail) {
		uint64_t n = c->seen < c->tail ? c->seen : c->tail;
		for (uint64_t i = c->seen - n; i < c->seen && !rc; i++)
			rc = out_write_stdout(&c->ring[i % c->tail]);
		c->tail = 0;    /* --follow goes on with every new record */
	}
	/* main() reports a standard output that cannot be written, once */
	if (!rc && fflush(stdout))
		rc = EX_FAIL;
	return rc;
}

/* Before a cursor is saved, what was printed must be as durable as the
 * cursor: sync standard output when it is a file. */
static int cat_sync_stdout(void)
{
	struct stat st;
	if (fstat(1, &st) == 0 && S_ISREG(st.st_mode) && fsync(1) < 0 && errno != EINVAL)
		return err_sys("cannot sync standard output");
	return 0;
}

static int cat_follow(const char *dir, const char *name, struct cat_ctx *c, uint64_t pos, struct log_stamp *seen,
		      const char *cursor_file)
{
	struct log_stamp now;
	int rc = 0;

	follow_init();
	while (follow_wait(seen, &now)) {
		struct log *lg;
		struct cat_plan pl;
		if ((rc = log_open_read(dir, name, &lg)))
			break;
		if (log_next_offset(lg) < pos) {
			/* a log made anew under the same name */
			rc = err_set(EX_NOTFOUND, "%s: the log now ends at offset %" PRIu64 ", before the position %" PRIu64
				     " followed: it was made anew", name, log_next_offset(lg), pos);
			log_close(lg);
			break;
		}
		if ((rc = cat_plan(lg, pos, 1, 0, c->w, &pl))) {
			log_close(lg);
			break;
		}
		if (pl.end > pos) {
			cat_warn_skipped(name, &pl);
			c->lg = lg;
			rc = cat_read(lg, c, &pl);
			if (!rc && cursor_file && !(rc = cat_sync_stdout()))
				rc = cursor_save(cursor_file, name, pl.end);
			pos = pl.end;
		}
		follow_close(lg, &now, seen);
		if (rc)
			break;
	}
	return rc;
}

/* What cat's options mean for its LOG: the window and the start. Returns 0
 * or an exit status (a cursor file that is not one: EX_DATA). */
static int cat_check(struct cmd_ctx *ctx)
{
	struct admin_opts *o = ctx->opts;
	struct cat_window *w = &o->w;
	const char *name = ctx->name;
	int64_t now;
	int rc = 0;

	w->since = INT64_MIN;
	w->until = INT64_MAX;
	if (o->since || o->until) {
		w->on = 1;
		w->kind = kind_find(log_name_kind(name));
		if (!w->kind || !w->kind->key_is_time || !w->kind->stored_key)
			rc = cmd_usage_error(&cmd_cat, "%s records have no time for --since or --until", name);
		else if ((o->tz && (rc = cmd_tz_arg(&cmd_cat, o->tz))) || (rc = now_us(&now)) ||
			 (o->since && (rc = cmd_time_arg(&cmd_cat, "--since", o->since, now, &w->since))) ||
			 (o->until && (rc = cmd_time_arg(&cmd_cat, "--until", o->until, now, &w->until))))
			;
		else if (w->until < w->since)
			rc = cmd_usage_error(&cmd_cat, "--until is before --since");
	} else if (o->tz) {
		rc = cmd_usage_error(&cmd_cat, "--tz goes with --since or --until");
	}
	if (!rc && o->from && o->cursor_file)
		rc = cmd_usage_error(&cmd_cat, "--from and --cursor-file cannot be combined");
	if (!rc && o->cursor_file && !*o->cursor_file)
		rc = cmd_usage_error(&cmd_cat, "--cursor-file: empty file name");
	if (!rc && o->from) {
		int64_t v;
		if (!(rc = cmd_int_arg(&cmd_cat, "--from", o->from, 0, &v))) {
			o->start = (uint64_t)v;
			o->explicit_from = 1;
		}
	}
	if (!rc && o->cursor_file) {
		int found;
		if (!(rc = cursor_read(o->cursor_file, name, &o->start, &found)))
			o->explicit_from = found;
	}
	return rc;
}

static int cat_run(struct cmd_ctx *ctx)
{
	struct admin_opts *o = ctx->opts;
	const char *name = ctx->name, *dir = ctx->dir;
	struct log *lg;
	int rc;

	if ((rc = log_open_read(dir, name, &lg)) || (rc = stream_exists(lg, name)))
		return rc;
	struct cat_ctx c;
	struct cat_plan pl;
	memset(&c, 0, sizeof(c));
	buf_init(&c.out);
	c.w = &o->w;
	c.show_offset = o->show_offset;
	c.tail = o->tail;
	c.lg = lg;
	progress_init(&c.pr);
	rc = cat_plan(lg, o->start, o->explicit_from, o->tail, &o->w, &pl);
	if (!rc) {
		cat_warn_skipped(name, &pl);
		rc = cat_read(lg, &c, &pl);
	}
	progress_end(&c.pr);
	if (!rc && o->cursor_file && !(rc = cat_sync_stdout()))
		rc = cursor_save(o->cursor_file, name, pl.end);
	if (!rc && o->follow) {
		struct log_stamp seen;
		log_stamp(lg, &seen);
		log_close(lg);
		lg = NULL;
		rc = cat_follow(dir, name, &c, pl.end, &seen, o->cursor_file);
	}
	log_close(lg);
	for (uint64_t i = 0; i < c.nring; i++)
		buf_free(&c.ring[i]);
	free(c.ring);
	buf_free(&c.out);
	return rc;
}

static void add_time(struct out_table *t, int64_t us, int have)
{
	char s[48];

	if (!have) {
		out_add_null(t);
		return;
	}
	out_add_str(t, s, time_format_utc6(us, s));
}

/* The records of the unexpired and the expired blocks, for info. */
struct live_ctx {
	int64_t expire_before;
	uint64_t live, expired;
};

static int live_count(const struct idx_entry *e, const struct log_seg *s, void *vc)
{
	struct live_ctx *c = vc;
	(void)s;
	if (e->m.ingest_us < c->expire_before)
		c->expired += e->m.count;
	else
		c->live += e->m.count;
	return 0;
}

static int info_run(struct cmd_ctx *ctx)
{
	static const struct out_col cols[] = {
		{"log", OUT_STR}, {"kind", OUT_STR}, {"segments", OUT_INT}, {"blocks", OUT_INT},
		{"records", OUT_INT}, {"raw_bytes", OUT_INT}, {"compressed_bytes", OUT_INT},
		{"ratio", OUT_RAW}, {"min_key", OUT_RAW}, {"max_key", OUT_RAW},
		{"first_offset", OUT_INT}, {"next_offset", OUT_INT},
		{"first_ingest", OUT_STR}, {"last_ingest", OUT_STR},
		{"min_key_time", OUT_STR}, {"max_key_time", OUT_STR},
		{"retention_seconds", OUT_RAW}, {"live_records", OUT_INT}, {"expired_records", OUT_INT},
		{"batch_ids", OUT_INT}, {"disk_bytes", OUT_INT}, {"retention_bytes", OUT_RAW},
	};
	/* the total row: sums of the counts, null where a sum means nothing */
	struct {
		uint64_t segments, blocks, records, raw, comp, live, expired, batches, disk;
		int64_t imin, imax;
		int have_ingest;
	} tot;
	const char *name = ctx->name, *dir = ctx->dir;
	char **names = ctx->names;
	size_t n = ctx->nnames;
	int rc = 0;

	struct out_table t;
	out_table_init(&t, cols, sizeof(cols) / sizeof(*cols));
	memset(&tot, 0, sizeof(tot));
	for (size_t i = 0; i < n && !rc; i++) {
		struct log *lg;
		if ((rc = log_open_read(dir, names[i], &lg)) || (name && (rc = stream_exists(lg, name))))
			break;
		struct log_totals tt;
		log_totals(lg, &tt);
		uint64_t blocks = tt.blocks, records = tt.records, raw = tt.raw_bytes, comp = tt.bytes;
		int64_t kmin = tt.min_key, kmax = tt.max_key, imin = tt.min_ingest, imax = tt.max_ingest;
		char num[64];
		out_add_str(&t, names[i], strlen(names[i]));
		out_add_str(&t, log_kind(lg), strlen(log_kind(lg)));
		out_add_int(&t, (int64_t)tt.segments);
		out_add_int(&t, (int64_t)blocks);
		out_add_int(&t, (int64_t)records);
		out_add_int(&t, (int64_t)raw);
		out_add_int(&t, (int64_t)comp);
		if (comp) {
			snprintf(num, sizeof(num), "%.2f", (double)raw / (double)comp);
			out_add_raw(&t, num, strlen(num));
		} else {
			out_add_null(&t);
		}
		for (int k = 0; k < 2; k++) {
			snprintf(num, sizeof(num), "%" PRId64, k ? kmax : kmin);
			if (blocks)
				out_add_raw(&t, num, strlen(num));
			else
				out_add_null(&t);
		}
		out_add_int(&t, (int64_t)log_first_offset(lg));
		out_add_int(&t, (int64_t)log_next_offset(lg));
		add_time(&t, imin, blocks > 0);
		add_time(&t, imax, blocks > 0);
		/* a key in microseconds since the epoch, read as a time */
		const struct kind *kd = kind_find(log_kind(lg));
		int timed = blocks > 0 && kd && kd->key_is_time;
		add_time(&t, kmin, timed);
		add_time(&t, kmax, timed);
		if (log_retention(lg) > 0) {
			/* whole seconds unless the period has a fraction */
			int64_t us = log_retention(lg);
			if (us % 1000000)
				snprintf(num, sizeof(num), "%" PRId64 ".%06" PRId64, us / 1000000, us % 1000000);
			else
				snprintf(num, sizeof(num), "%" PRId64, us / 1000000);
			out_add_raw(&t, num, strlen(num));
		} else {
			out_add_null(&t);
		}
		struct live_ctx lc = {0, 0, 0};
		lc.expire_before = log_expiry(lg, INT64_MIN);
		log_count_blocks(lg, live_count, &lc);
		log_expiry(lg, lc.expire_before);
		uint64_t nb = 0, disk = 0;
		if ((rc = log_batch_count(lg, &nb)) || (rc = log_disk_bytes(lg, &disk))) {
			log_close(lg);
			break;
		}
		out_add_int(&t, (int64_t)lc.live);
		out_add_int(&t, (int64_t)lc.expired);
		out_add_int(&t, (int64_t)nb);
		out_add_int(&t, (int64_t)disk);
		if (log_retention_bytes(lg)) {
			snprintf(num, sizeof(num), "%" PRIu64, log_retention_bytes(lg));
			out_add_raw(&t, num, strlen(num));
		} else {
			out_add_null(&t);
		}
		tot.segments += tt.segments;
		tot.blocks += blocks;
		tot.records += records;
		tot.raw += raw;
		tot.comp += comp;
		tot.live += lc.live;
		tot.expired += lc.expired;
		tot.batches += nb;
		tot.disk += disk;
		if (blocks && (!tot.have_ingest || imin < tot.imin))
			tot.imin = imin;
		if (blocks && (!tot.have_ingest || imax > tot.imax))
			tot.imax = imax;
		tot.have_ingest |= blocks > 0;
		log_close(lg);
	}
	/* every log: a last row "total" (no log is named so) */
	if (!rc && !name) {
		char num[64];
		out_add_str(&t, "total", 5);
		out_add_null(&t);
		out_add_int(&t, (int64_t)tot.segments);
		out_add_int(&t, (int64_t)tot.blocks);
		out_add_int(&t, (int64_t)tot.records);
		out_add_int(&t, (int64_t)tot.raw);
		out_add_int(&t, (int64_t)tot.comp);
		if (tot.comp) {
			snprintf(num, sizeof(num), "%.2f", (double)tot.raw / (double)tot.comp);
			out_add_raw(&t, num, strlen(num));
		} else {
			out_add_null(&t);
		}
		for (int k = 0; k < 4; k++)
			out_add_null(&t);   /* keys and offsets of different logs do not add up */
		add_time(&t, tot.imin, tot.have_ingest);
		add_time(&t, tot.imax, tot.have_ingest);
		out_add_null(&t);   /* min_key_time */
		out_add_null(&t);   /* max_key_time */
		out_add_null(&t);   /* retention */
		out_add_int(&t, (int64_t)tot.live);
		out_add_int(&t, (int64_t)tot.expired);
		out_add_int(&t, (int64_t)tot.batches);
		out_add_int(&t, (int64_t)tot.disk);
		out_add_null(&t);   /* retention_bytes */
	}
	if (!rc)
		rc = out_print(&t, G.format);
	out_table_free(&t);
	return rc;
}

static int check_one(const char *dir, const char *name, int repair)
{
	struct log_check_stats st;
	struct log *lg;
	int rc;

	if (repair) {
		struct log_config cfg;
		if ((rc = store_config(name, &cfg)))
			return rc;
		/* repair what a writer cannot, then a writer's open recovers
		 * the rest (orphans, a torn tail) */
		if ((rc = log_repair(dir, name, &cfg, G.wait_secs)) ||
		    (rc = log_open_write(dir, name, &cfg, G.wait_secs, &lg)))
			return rc;
		const struct kind *rk = kind_find(log_name_kind(name));
		rc = rk && rk->repair ? rk->repair(lg) : 0;
		log_close(lg);
		if (rc)
			return rc;
	}
	if ((rc = log_open_read(dir, name, &lg)))
		return rc;
	rc = log_check(lg, &st);
	/* then what the kind's readers rely on: records that re-validate, ... */
	const struct kind *k = kind_find(log_name_kind(name));
	if (!rc && k && k->verify)
		rc = k->verify(lg);
	if (!rc)
		rc = log_check_leftovers(lg, &st);
	if (!rc)
		info_("%s: ok: %" PRIu64 " segment%s, %" PRIu64 " block%s, %" PRIu64 " record%s", name,
		      st.segments, st.segments == 1 ? "" : "s", st.blocks, st.blocks == 1 ? "" : "s",
		      st.records, st.records == 1 ? "" : "s");
	log_close(lg);
	return rc;
}

/* Which exit status tells most: damage, then other failures, then bytes
 * an interrupted run left. */
static int check_rank(int rc)
{
	return rc == EX_CORRUPT ? 3 : rc == EX_LEFTOVER ? 1 : rc ? 2 : 0;
}

/* A data directory that is not there is not a clean one: check is a
 * reader (CMD_READER). */
static int check_run(struct cmd_ctx *ctx)
{
	const struct admin_opts *o = ctx->opts;
	int rc, worst = 0;

	/* report every damaged log, not only the first */
	for (size_t i = 0; i < ctx->nnames; i++) {
		rc = check_one(ctx->dir, ctx->names[i], o->repair);
		if (rc) {
			fprintf(stderr, "aggr: check: %s\n", err_msg());
			err_clear();
			if (check_rank(rc) > check_rank(worst))
				worst = rc;
		}
	}
	return worst;
}

static int purge_run(struct cmd_ctx *ctx)
{
	const char *name = ctx->name, *dir = ctx->dir;
	struct log_config cfg;
	struct log *lg;
	int rc, damaged = 0;

	/* purge must always work: a log that cannot be opened, for damage of
	 * any kind, is purged from its files (log_purge_damaged) */
	struct log *probe;
	if ((rc = log_open_read(dir, name, &probe)) == EX_CORRUPT) {
		damaged = 1;
	} else if (rc) {
		return rc;
	} else {
		int exists = log_exists(probe) || log_present(dir, name);
		if (!exists && (rc = stream_exists(probe, name)))
			return rc;  /* as cat says (probe closed) */
		log_close(probe);
		if (!exists)
			return 0;
		if ((rc = store_open_write(dir, name, G.wait_secs, &lg)) == EX_CORRUPT) {
			damaged = 1;
		} else if (!rc) {
			uint64_t recs, segs;
			rc = log_purge(lg, &recs, &segs);
			log_close(lg);
			if (!rc)
				info_("deleted %" PRIu64 " record%s (%" PRIu64 " segment%s) from %s", recs,
				      recs == 1 ? "" : "s", segs, segs == 1 ? "" : "s", name);
		}
	}
	if (damaged) {
		uint64_t segs;
		warnx_("%s: purging a damaged log: %s", name, err_msg());
		err_clear();
		if (!(rc = store_config(name, &cfg)) && !(rc = log_purge_damaged(dir, name, &cfg, G.wait_secs, &segs)))
			info_("deleted every record (%" PRIu64 " segment%s) from %s", segs, segs == 1 ? "" : "s", name);
	}
	return rc;
}

static int compact_one(const char *dir, const char *name)
{
	struct log_compact_stats st;
	const struct kind *k;
	struct log *lg;
	char kind[32];
	int rc, exists;

	if ((rc = log_open_read(dir, name, &lg)) || (rc = stream_exists(lg, name)))
		return rc;
	exists = log_exists(lg);
	snprintf(kind, sizeof(kind), "%s", log_kind(lg));
	log_close(lg);
	k = kind_find(kind);
	if (!exists || !k || !k->compact) {
		info_("%s: nothing to compact", name);
		return 0;
	}
	if ((rc = store_open_write(dir, name, G.wait_secs, &lg)))
		return rc;
	rc = k->compact(lg, &st);
	log_close(lg);
	if (!rc)
		info_("%s: rewrote %" PRIu64 " segment%s (%" PRIu64 " left empty), kept %" PRIu64
		      " record%s, dropped %" PRIu64 ", %" PRIu64 " -> %" PRIu64 " bytes", name,
		      st.segments_rewritten, st.segments_rewritten == 1 ? "" : "s", st.segments_dropped,
		      st.records_kept, st.records_kept == 1 ? "" : "s", st.records_dropped, st.bytes_before,
		      st.bytes_after);
	return rc;
}

static int compact_run(struct cmd_ctx *ctx)
{
	int rc = 0;

	for (size_t i = 0; i < ctx->nnames && !rc; i++)
		rc = compact_one(ctx->dir, ctx->names[i]);
	return rc;
}
