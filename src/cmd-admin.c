/* aggr cat, info, check, compact, purge: the log as a whole */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "kind.h"
#include "log.h"
#include "timefmt.h"

static int cat_run(int argc, char **argv);
static int info_run(int argc, char **argv);
static int check_run(int argc, char **argv);
static int purge_run(int argc, char **argv);
static int compact_run(int argc, char **argv);

const struct cmd cmd_cat = {
	"cat", cat_run, "print a log's records as JSON lines",
	"usage: aggr cat LOG [--since TIME] [--until TIME] [--tz ZONE] [--format ndjson]\n"
	"\n"
	"Print every committed record of LOG as JSON lines, oldest first, in the\n"
	"form it is stored. LOG: flows, counters, events, sessions, streams/NAME.\n"
	"\n"
	"Options:\n"
	"  --since TIME     only records whose time is at or after TIME\n"
	"  --until TIME     only records whose time is before TIME\n"
	"  --tz ZONE        read TIME in ZONE, an IANA name (default UTC)\n"
	"\n"
	"A record's time is its key: counters timestamp, events start_epoch,\n"
	"sessions ts (flows and stream records have none).\n",
};

const struct cmd cmd_info = {
	"info", info_run, "segments, blocks, records and sizes of logs",
	"usage: aggr info [LOG] [--format FMT]\n"
	"\n"
	"Describe LOG, or every log in the data directory: segments, blocks,\n"
	"records, raw and compressed bytes, compression ratio, key range (also as\n"
	"times, min_key_time and max_key_time, for the kinds keyed by time),\n"
	"offsets and ingest times.\n",
};

const struct cmd cmd_check = {
	"check", check_run, "verify checksums, index and MANIFEST",
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
	"compact", compact_run, "rewrite logs without removed records",
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
	"purge", purge_run, "delete every record of a log",
	"usage: aggr purge LOG\n"
	"\n"
	"Delete every record of LOG. The empty MANIFEST is written first, so a\n"
	"crash leaves either the old log or an empty one. A damaged log (lost or\n"
	"damaged MANIFEST, index or segment) is purged too, with a warning.\n",
};

/* Parse [LOG] or LOG; returns 0, or EX_USAGE after a message. */
static int log_arg(const struct cmd *cmd, int argc, char **argv, int required, const char **name)
{
	*name = NULL;
	if (optind < argc)
		*name = argv[optind++];
	if (optind < argc)
		return cmd_usage_error(cmd, "unexpected argument: %s", argv[optind]);
	if (!*name && required)
		return cmd_usage_error(cmd, "missing LOG (flows, counters, events, sessions, streams/NAME)");
	if (*name && !log_name_valid(*name))
		return cmd_usage_error(cmd, "not a log name: %s (flows, counters, events, sessions, streams/NAME)",
				       *name);
	return 0;
}

/* A stream exists once it has a MANIFEST; the fixed logs read as empty
 * until their first ingest. Returns 0, or EX_NOTFOUND (lg closed). */
static int stream_exists(struct log *lg, const char *name)
{
	if (strncmp(name, "streams/", 8) || log_exists(lg))
		return 0;
	log_close(lg);
	return err_set(EX_NOTFOUND, "%s: no such stream", name);
}

/* Options of the admin commands; --repair only for check, the times only
 * for cat. Returns -1 to go on, or an exit status. */
struct admin_opts {
	int repair;
	const char *since, *until, *tz;
};

enum { OPT_REPAIR = OPT_CMD, OPT_SINCE, OPT_UNTIL, OPT_TZ };

static int parse_simple(const struct cmd *cmd, int argc, char **argv, struct admin_opts *o)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"repair", no_argument, 0, OPT_REPAIR},
		{"since", required_argument, 0, OPT_SINCE},
		{"until", required_argument, 0, OPT_UNTIL},
		{"tz", required_argument, 0, OPT_TZ},
		{0, 0, 0, 0},
	};
	int c, rc;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (c == OPT_REPAIR && cmd == &cmd_check)
			o->repair = 1;
		else if (c == OPT_SINCE && cmd == &cmd_cat)
			o->since = optarg;
		else if (c == OPT_UNTIL && cmd == &cmd_cat)
			o->until = optarg;
		else if (c == OPT_TZ && cmd == &cmd_cat)
			o->tz = optarg;
		else if (c >= OPT_REPAIR && c <= OPT_TZ)
			return cmd_usage_error(cmd, "unknown option: %s", argv[optind - 1]);
		else if ((rc = cmd_common_opt(cmd, c, argv)) >= 0)
			return rc;
	}
	return -1;
}

/* The start every admin command shares: options, [LOG] and the data
 * directory. Returns -1 to go on (*dir malloc'd), or an exit status. */
static int admin_start(const struct cmd *cmd, int argc, char **argv, int log_required,
		       struct admin_opts *o, const char **name, char **dir)
{
	int rc;

	if ((rc = parse_simple(cmd, argc, argv, o)) >= 0)
		return rc;
	if ((rc = cmd_refuse_unused(cmd, o->repair ? "--repair" : NULL)))
		return rc;
	if ((rc = log_arg(cmd, argc, argv, log_required, name)))
		return rc;
	if (!(*dir = log_data_dir(G.data_dir)))
		return EX_USAGE;
	return -1;
}

/* Every log in dir, sorted: each one with a MANIFEST, or segment files, or
 * that cannot be read (opening it then says why). Returns the count; a
 * streams directory that cannot be read is an error (err_set). */
static size_t list_logs(const char *dir, char ***out)
{
	static const char *fixed[] = {"counters", "events", "flows", "sessions"};
	char **names = NULL;
	size_t n = 0;

	for (size_t i = 0; i < 4; i++) {
		if (log_present(dir, fixed[i])) {
			names = xrealloc(names, sizeof(*names) * (n + 1));
			names[n++] = xstrdup(fixed[i]);
		}
	}
	char *sd = path_join(dir, "streams");
	DIR *d = opendir(sd);
	if (!d && errno != ENOENT && errno != ENOTDIR)
		err_sys("cannot read directory %s", sd);
	if (d) {
		struct dirent *de;
		size_t first = n;
		while ((de = readdir(d))) {
			char name[300];
			snprintf(name, sizeof(name), "streams/%s", de->d_name);
			if (!log_name_valid(name) || !log_present(dir, name))
				continue;
			names = xrealloc(names, sizeof(*names) * (n + 1));
			names[n++] = xstrdup(name);
		}
		closedir(d);
		for (size_t i = first; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (strcmp(names[i], names[j]) > 0) {
					char *t = names[i];
					names[i] = names[j];
					names[j] = t;
				}
	}
	free(sd);
	*out = names;
	return n;
}

/* LOG when given, else every log in dir. Returns the count. */
static size_t select_logs(const char *dir, const char *name, char ***out)
{
	struct stat st;

	if (!name && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		err_set(EX_FAIL, "%s: not a directory", dir);
		*out = NULL;
		return 0;
	}
	if (!name)
		return list_logs(dir, out);
	*out = xmalloc(sizeof(**out));
	(*out)[0] = xstrdup(name);
	return 1;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

struct cat_window {
	int on;
	int64_t since, until;
	const struct kind *kind;
};

/* Write the lines of raw whose time is in the window. */
static int cat_filter(const struct cat_window *w, const struct buf *raw, struct buf *out)
{
	const char *p = raw->data, *end = raw->data + raw->len;

	buf_reset(out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);
		int64_t key;
		if (w->kind->stored_key(p, n, &key))
			return err_set(EX_CORRUPT, "%s: a stored record has no time", w->kind->name);
		if (key >= w->since && key < w->until)
			buf_add(out, p, n + 1);
		p = nl + 1;
	}
	return out_write_stdout(out);
}

struct cat_ctx {
	const struct cat_window *w;
	struct buf *out;
	uint64_t total;
	struct progress pr;
};

static int cat_want(const struct idx_entry *e, const struct log_seg *s, void *vw)
{
	const struct cat_window *w = vw;
	(void)s;
	return !w->on || (e->m.max_key >= w->since && e->m.min_key < w->until);
}

static int cat_block(const struct log_seg *s, const struct idx_entry *e, const struct buf *raw, void *vc)
{
	struct cat_ctx *c = vc;
	const struct block_meta *m = &e->m;
	(void)s;
	progress_show(&c->pr, "block %" PRIu64 " of %" PRIu64, ++c->pr.done, c->total);
	if (c->w->on && !(m->min_key >= c->w->since && m->max_key < c->w->until))
		return cat_filter(c->w, raw, c->out);
	return out_write_stdout(raw);
}

static int cat_run(int argc, char **argv)
{
	struct admin_opts o;
	struct cat_window w = {0, INT64_MIN, INT64_MAX, NULL};
	const char *name;
	struct log *lg;
	char *dir;
	int64_t now;
	int rc;

	if ((rc = admin_start(&cmd_cat, argc, argv, 1, &o, &name, &dir)) >= 0)
		return rc;
	rc = 0;
	if (o.since || o.until) {
		w.on = 1;
		w.kind = kind_find(log_name_kind(name));
		if (!w.kind || !w.kind->key_is_time || !w.kind->stored_key)
			rc = cmd_usage_error(&cmd_cat, "%s records have no time for --since or --until", name);
		else if ((o.tz && (rc = cmd_tz_arg(&cmd_cat, o.tz))) || (rc = now_us(&now)) ||
			 (o.since && (rc = cmd_time_arg(&cmd_cat, "--since", o.since, now, &w.since))) ||
			 (o.until && (rc = cmd_time_arg(&cmd_cat, "--until", o.until, now, &w.until))))
			;
		else if (w.until < w.since)
			rc = cmd_usage_error(&cmd_cat, "--until is before --since");
	} else if (o.tz) {
		rc = cmd_usage_error(&cmd_cat, "--tz goes with --since or --until");
	}
	if (!rc && !(rc = cmd_reader_dir(dir)) && !(rc = log_open_read(dir, name, &lg)))
		rc = stream_exists(lg, name);
	free(dir);
	if (rc)
		return rc;
	/* blocks are whole JSON lines: write them as they inflate */
	struct cat_ctx c;
	struct buf out;
	memset(&c, 0, sizeof(c));
	buf_init(&out);
	c.w = &w;
	c.out = &out;
	progress_init(&c.pr);
	c.total = log_count_blocks(lg, cat_want, &w);
	rc = log_read_blocks(lg, cat_want, &w, cat_block, &c, NULL);
	progress_end(&c.pr);
	buf_free(&out);
	log_close(lg);
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

static int info_run(int argc, char **argv)
{
	static const struct out_col cols[] = {
		{"log", OUT_STR}, {"kind", OUT_STR}, {"segments", OUT_INT}, {"blocks", OUT_INT},
		{"records", OUT_INT}, {"raw_bytes", OUT_INT}, {"compressed_bytes", OUT_INT},
		{"ratio", OUT_RAW}, {"min_key", OUT_RAW}, {"max_key", OUT_RAW},
		{"first_offset", OUT_INT}, {"next_offset", OUT_INT},
		{"first_ingest", OUT_STR}, {"last_ingest", OUT_STR},
		{"min_key_time", OUT_STR}, {"max_key_time", OUT_STR},
	};
	const char *name;
	char **names = NULL, *dir;
	size_t n;
	int rc;

	struct admin_opts o;

	if ((rc = admin_start(&cmd_info, argc, argv, 0, &o, &name, &dir)) >= 0)
		return rc;
	if ((rc = cmd_reader_dir(dir))) {
		free(dir);
		return rc;
	}
	n = select_logs(dir, name, &names);
	if (*err_msg()) {
		free(dir);
		return err_code();
	}
	struct out_table t;
	out_table_init(&t, cols, sizeof(cols) / sizeof(*cols));
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
		log_close(lg);
	}
	if (!rc)
		rc = out_print(&t, G.format);
	out_table_free(&t);
	free_names(names, n);
	free(dir);
	return rc;
}

/* The configuration of a writer of log name: its kind's. */
static int name_config(const char *name, struct log_config *cfg)
{
	const char *kind = log_name_kind(name);
	const struct kind *k = kind_find(kind);
	int rc;

	if ((rc = log_config_init(cfg, kind, k ? k->bloom_bytes : 0, k ? k->bloom_k : 0)))
		return rc;
	cfg->retention_us = k ? k->retention_us : 0;
	return 0;
}

static int check_one(const char *dir, const char *name, int repair)
{
	struct log_check_stats st;
	struct log *lg;
	int rc;

	if (repair) {
		struct log_config cfg;
		if ((rc = name_config(name, &cfg)))
			return rc;
		/* repair what a writer cannot, then a writer's open recovers
		 * the rest (orphans, a torn tail) */
		if ((rc = log_repair(dir, name, &cfg, G.wait_secs)) ||
		    (rc = log_open_write(dir, name, &cfg, G.wait_secs, &lg)))
			return rc;
		log_close(lg);
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

static int check_run(int argc, char **argv)
{
	const char *name;
	char **names = NULL, *dir;
	int rc, worst = 0;
	struct admin_opts o;
	struct stat st;
	size_t n;

	if ((rc = admin_start(&cmd_check, argc, argv, 0, &o, &name, &dir)) >= 0)
		return rc;
	/* a data directory that is not there is not a clean one */
	if (stat(dir, &st) < 0) {
		rc = errno == ENOENT ? err_set(EX_NOTFOUND, "%s: no such data directory", dir)
				     : err_sys("cannot read data directory %s", dir);
		free(dir);
		return rc;
	}
	n = select_logs(dir, name, &names);
	if (*err_msg()) {
		free_names(names, n);
		free(dir);
		return err_code();
	}
	/* report every damaged log, not only the first */
	for (size_t i = 0; i < n; i++) {
		rc = check_one(dir, names[i], o.repair);
		if (rc) {
			fprintf(stderr, "aggr: check: %s\n", err_msg());
			err_clear();
			if (check_rank(rc) > check_rank(worst))
				worst = rc;
		}
	}
	free_names(names, n);
	free(dir);
	return worst;
}

static int purge_run(int argc, char **argv)
{
	const char *name;
	struct log_config cfg;
	struct log *lg;
	char *dir;
	int rc, damaged = 0;
	struct admin_opts o;

	if ((rc = admin_start(&cmd_purge, argc, argv, 1, &o, &name, &dir)) >= 0)
		return rc;
	/* purge must always work: a log that cannot be opened, for damage of
	 * any kind, is purged from its files (log_purge_damaged) */
	struct log *probe;
	char kind[32];
	if ((rc = log_open_read(dir, name, &probe)) == EX_CORRUPT) {
		damaged = 1;
	} else if (rc) {
		free(dir);
		return rc;
	} else {
		int exists = log_exists(probe) || log_present(dir, name);
		snprintf(kind, sizeof(kind), "%s", log_kind(probe));
		if (!exists && (rc = stream_exists(probe, name))) {
			free(dir);
			return rc;  /* as cat says (probe closed) */
		}
		log_close(probe);
		if (!exists) {
			free(dir);
			return 0;
		}
		if ((rc = log_config_init(&cfg, kind, 0, 0)))
			goto out;
		if ((rc = log_open_write(dir, name, &cfg, G.wait_secs, &lg)) == EX_CORRUPT) {
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
		if (!(rc = name_config(name, &cfg)) && !(rc = log_purge_damaged(dir, name, &cfg, G.wait_secs, &segs)))
			info_("deleted every record (%" PRIu64 " segment%s) from %s", segs, segs == 1 ? "" : "s", name);
	}
out:
	free(dir);
	return rc;
}

static int compact_one(const char *dir, const char *name)
{
	struct log_compact_stats st;
	struct log_config cfg;
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
	if ((rc = log_config_init(&cfg, kind, k->bloom_bytes, k->bloom_k)) ||
	    (rc = log_open_write(dir, name, &cfg, G.wait_secs, &lg)))
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

static int compact_run(int argc, char **argv)
{
	const char *name;
	char **names = NULL, *dir;
	struct admin_opts o;
	int rc = 0;
	size_t n;

	if ((rc = admin_start(&cmd_compact, argc, argv, 0, &o, &name, &dir)) >= 0)
		return rc;
	n = select_logs(dir, name, &names);
	rc = *err_msg() ? err_code() : 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = compact_one(dir, names[i]);
	free_names(names, n);
	free(dir);
	return rc;
}

size_t admin_list_logs(const char *dir, char ***out)
{
	return select_logs(dir, NULL, out);
}
