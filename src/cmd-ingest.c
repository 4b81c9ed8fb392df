/* aggr ingest KIND [FILE...]: validate records and append them as one atomic run */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fileops.h"
#include "input.h"
#include "json.h"
#include "kind.h"
#include "log.h"
#include "sha256.h"
#include "store.h"

static int parse(struct cmd_ctx *c, int argc, char **argv);
static int run(struct cmd_ctx *c);

const struct cmd cmd_ingest = {
	.name = "ingest",
	.parse = parse, .run = run,
	.summary = "load JSON records into a log, all or nothing",
	.help =
	"usage: aggr ingest KIND [--max-batch N] [--batch-id ID|auto] [FILE...]\n"
	"       aggr ingest KIND [--remove-source-files] [--ignore-missing]\n"
	"                        [--max-errors N --rejects FILE] [FILE...]\n"
	"\n"
	"Validate JSON records and append them to the KIND log as one atomic run:\n"
	"either every record of every FILE is stored, or none is. FILE '-' or no\n"
	"FILE reads standard input. Input is JSON lines, one JSON array, or JSON\n"
	"objects spanning lines (pretty-printed), plain or gzip-compressed\n"
	"(detected).\n"
	"\n"
	"KIND: flows, counters, events, sessions\n"
	"  flows     {src_app, dest_app, vpc_id, hour, bytes_tx, bytes_rx}\n"
	"  counters  {\"timestamp\": T, \"<domain>\": n, ...}\n"
	"  events    {tags: [strings], start_epoch?, stop_epoch?}: aggr adds the\n"
	"            _id; start defaults to now, stop to -1\n"
	"  sessions  {user_id, event: \"start\"|\"end\", session_id, ts, country?}\n"
	"\n"
	"Options:\n"
	"  --max-batch N    refuse the whole run (exit 7) when it has more than N\n"
	"                   records (default $AGGR_MAX_BATCH, else no limit)\n"
	"  --batch-id ID    store ID with the run; a later run with the same ID\n"
	"                   stores nothing and exits 0 (for cron retries). 'auto'\n"
	"                   makes the ID the SHA-256 of the whole input, as read\n"
	"                   (every FILE in turn): sha256:<64 hex digits>\n"
	"                   (a log remembers its newest 10000 IDs)\n"
	"  --remove-source-files\n"
	"                   load each FILE as a run of its own, with --batch-id\n"
	"                   auto unless an ID is given, and delete it once that\n"
	"                   run has committed (or was stored before): a crash\n"
	"                   in between loads nothing twice on the next try\n"
	"  --ignore-missing skip FILEs that do not exist; with none left, store\n"
	"                   nothing, print nothing and exit 0 (an empty spool)\n"
	"  --max-errors N   set aside up to N bad records of a run (invalid JSON\n"
	"                   or records that fail validation) and store the rest;\n"
	"                   with more, store nothing (exit 3)\n"
	"  --rejects FILE   with --max-errors: append the records set aside to\n"
	"                   FILE (replaced atomically before the run commits),\n"
	"                   one JSON line each: {\"file\",\"line\",\"error\",\n"
	"                   \"record\"} (the record's text as a string)\n"
	"  --wait SECS      wait this long for another writer (default 10; 0, forever)\n"
	"  --no-wait        fail at once with exit 5 when the log is locked\n"
	"  --[no-]progress  progress on stderr (default: when it is a terminal)\n"
	"\n"
	"The log is locked only once the input is read and valid, or a block's\n"
	"worth of it must be written: a slow producer holds no writer off.\n"
	"\n"
	"On the way out, ingest deletes the segments the log's retention expired\n"
	"(see 'aggr help retain'), so cron needs no separate job.\n"
	"\n"
	"Exit status 10: every run was stored, but --max-errors set records aside\n"
	"(a warning counts them).\n",
};

enum { OPT_MAX_BATCH = OPT_CMD, OPT_BATCH_ID, OPT_REMOVE, OPT_IGNORE_MISSING, OPT_MAX_ERRORS, OPT_REJECTS };

/* exit status: stored, with bad records set aside (--max-errors) */
#define INGEST_EX_REJECTED 10

/* --max-errors N --rejects FILE: the bad records set aside, as JSON lines */
struct rejects {
	int64_t max;            /* -1: none allowed (the default) */
	uint64_t run;           /* set aside in the current run */
	uint64_t total;         /* in the runs committed */
	size_t committed_len;   /* lines.len when the last run committed */
	struct buf lines;
};

/* What the whole input was, for --batch-id auto: a digest of every byte of
 * every FILE, as read (still compressed), so equal input is equal ID and
 * different input, even of equal size and CRC, is a different one. */
struct input_sum {
	int want;          /* hash the input (it costs a pass over the bytes) */
	struct sha256 sha;
};

/* A bad record: set it aside when --max-errors allows one more, else fail
 * with today's message. Returns 0 (set aside) or EX_DATA. */
static int reject(struct rejects *rj, const char *file, uint64_t line, const char *rec, size_t len,
		  const char *what, const char *why)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "%s%s", what, why);
	if (rj->max < 0)
		return err_set(EX_DATA, "%s:%" PRIu64 ": %s", file, line, msg);
	if (rj->run >= (uint64_t)rj->max)
		return err_set(EX_DATA, "%s:%" PRIu64 ": %s: more than %" PRId64 " bad record%s (--max-errors): nothing stored",
			       file, line, msg, rj->max, rj->max == 1 ? "" : "s");
	rj->run++;
	buf_adds(&rj->lines, "{\"file\":");
	json_write_str(&rj->lines, file, strlen(file));
	buf_addf(&rj->lines, ",\"line\":%" PRIu64 ",\"error\":", line);
	json_write_str(&rj->lines, msg, strlen(msg));
	buf_adds(&rj->lines, ",\"record\":");
	json_write_str(&rj->lines, rec, len);
	buf_adds(&rj->lines, "}\n");
	return 0;
}

/*
 * The lock is taken late: a run's records are validated and staged in
 * memory until a block's worth is staged or its input ends, and only then
 * is the log opened for writing (the lock, recovery) and what was staged
 * appended. A slow or interactive producer, `(sleep 3; cat f) | aggr ingest
 * flows`, so holds no other writer off while it writes, and input refused
 * early never touches the store. The run stays one atomic run: nothing is
 * visible before log_commit().
 */
struct staged_rec {
	size_t off, len;                        /* the stored line, in bytes */
	int64_t key;
	size_t nbloom;
	size_t boff[KIND_MAX_BLOOM_KEYS], blen[KIND_MAX_BLOOM_KEYS];
	size_t soff, slen;                      /* summary key; slen 0: none */
};

/* What every run of one ingest shares. */
struct ingest {
	const struct kind *k;
	const char *dir;
	struct log_config cfg;
	struct log *lg;                /* NULL until a block must be written */
	int64_t max_batch, now;
	const char *batch;             /* as given: ID, "auto" or NULL */
	const char *run_batch;         /* an explicit ID this run checks under the lock */
	int seen;                      /* the lock found run_batch stored: stop */
	uint64_t run_recs;             /* records of this run, staged or appended */
	struct buf staged;             /* staged lines and keys */
	struct staged_rec *st;
	size_t nst, capst;
	const char *rejects_path;
	struct rejects rj;
	struct json_doc doc;
	struct buf norm;
	struct progress pr;
};

static int append_rec(struct log *lg, const char *line, size_t n, int64_t key, const struct log_bloom_key *bk,
		      size_t nbk, const struct log_bloom_key *summary)
{
	int rc = log_append(lg, line, n, key, bk, nbk);
	if (!rc && summary->p)
		rc = log_key_add(lg, summary->p, summary->n);
	return rc;
}

static void stage_clear(struct ingest *g)
{
	buf_reset(&g->staged);
	g->nst = 0;
}

/* Open the log for writing if it is not (the lock), begin the run and
 * append what was staged. An explicit batch ID that a run committed
 * meanwhile sets g->seen and drops the staged records. Returns 0 or an
 * error code (the run not begun, or to be aborted). */
static int ingest_lock(struct ingest *g)
{
	int rc;

	if (!g->lg && (rc = log_open_write(g->dir, g->k->name, &g->cfg, G.wait_secs, &g->lg))) {
		g->lg = NULL;
		return rc;
	}
	if (g->run_batch && (rc = log_batch_seen(g->lg, g->run_batch))) {
		stage_clear(g);
		if (rc > 0) {
			g->seen = 1;
			return 0;
		}
		return err_code();
	}
	g->run_batch = NULL;
	log_begin(g->lg, g->now);
	rc = 0;
	for (size_t i = 0; i < g->nst && !rc; i++) {
		const struct staged_rec *r = &g->st[i];
		struct log_bloom_key bk[KIND_MAX_BLOOM_KEYS], sk = {NULL, 0};
		for (size_t j = 0; j < r->nbloom; j++)
			bk[j] = (struct log_bloom_key){g->staged.data + r->boff[j], r->blen[j]};
		if (r->slen)
			sk = (struct log_bloom_key){g->staged.data + r->soff, r->slen};
		rc = append_rec(g->lg, g->staged.data + r->off, r->len, r->key, bk, r->nbloom, &sk);
	}
	stage_clear(g);
	return rc;
}

static size_t stage_bytes(struct ingest *g, const void *p, size_t n)
{
	size_t off = g->staged.len;
	buf_add(&g->staged, p, n);
	return off;
}

/* One valid record of the run: appended when the run has begun, else
 * staged, the log locked once a block's worth is staged. Returns 0 or an
 * error code. */
static int ingest_rec(struct ingest *g, const char *line, size_t n, const struct rec_info *ri)
{
	if (g->lg && !g->run_batch)
		return append_rec(g->lg, line, n, ri->key, ri->bloom, ri->nbloom, &ri->summary);
	if (g->nst == g->capst) {
		g->capst = g->capst ? 2 * g->capst : 256;
		g->st = xrealloc(g->st, g->capst * sizeof(*g->st));
	}
	struct staged_rec *r = &g->st[g->nst++];
	r->off = stage_bytes(g, line, n);
	r->len = n;
	r->key = ri->key;
	r->nbloom = ri->nbloom;
	for (size_t j = 0; j < ri->nbloom; j++) {
		r->boff[j] = stage_bytes(g, ri->bloom[j].p, ri->bloom[j].n);
		r->blen[j] = ri->bloom[j].n;
	}
	r->slen = ri->summary.p ? ri->summary.n : 0;
	r->soff = r->slen ? stage_bytes(g, ri->summary.p, ri->summary.n) : 0;
	return g->staged.len >= g->cfg.block_bytes ? ingest_lock(g) : 0;
}

static int ingest_file(struct ingest *g, const char *path, struct input_sum *sum)
{
	const struct kind *k = g->k;
	struct json_doc *doc = &g->doc;
	struct buf *norm = &g->norm;
	struct progress *pr = &g->pr;
	struct rejects *rj = &g->rj;
	int64_t max_batch = g->max_batch;
	struct input in;
	const char *rec;
	size_t len;
	char why[256];
	int rc;

	if ((rc = input_open(&in, path)))
		return rc;
	in.sum = sum->want ? &sum->sha : NULL;
	while ((rc = input_next(&in, &rec, &len)) == INPUT_RECORD) {
		struct rec_info ri;
		const char *stored = rec;
		size_t stored_len = len;
		memset(&ri, 0, sizeof(ri));
		/* a line already in the stored form is checked and kept as it is */
		if (k->in_place && k->in_place(rec, len, &ri))
			goto append;
		if (json_parse(doc, rec, len, why, sizeof(why))) {
			uint64_t line = input_json_where(&in, rec, len, why, sizeof(why));
			if ((rc = reject(rj, in.name, line, rec, len, "invalid JSON: ", why)))
				break;
			continue;
		}
		buf_reset(norm);
		memset(&ri, 0, sizeof(ri));
		if (k->normalise(doc, norm, &ri, why, sizeof(why))) {
			if ((rc = reject(rj, in.name, in.line, rec, len, "", why)))
				break;
			continue;
		}
		stored = norm->data;
		stored_len = norm->len;
append:
		if (max_batch >= 0 && g->run_recs + 1 > (uint64_t)max_batch) {
			rc = err_set(EX_LIMIT, "too many %s are being registered: more than %" PRId64
				     " in one run (--max-batch)", k->noun, max_batch);
			break;
		}
		if ((rc = ingest_rec(g, stored, stored_len, &ri)))
			break;
		g->run_recs++;
		if (g->seen)
			break;
		if ((g->run_recs & 1023) == 0)
			progress_show(pr, "%" PRIu64 " records, %.1f MB read", g->run_recs,
				      (double)(pr->done + in.bytes_in) / 1e6);
	}
	pr->done += in.bytes_in;
	input_close(&in);
	return rc;
}


/* One atomic run of files[0..n) (n 0: standard input). *stored: 1 when the
 * run committed or its batch was stored before. Returns 0 or an error code,
 * with the run undone. */
static int ingest_run(struct ingest *g, char **files, int n, int *stored)
{
	struct log *lg;
	const char *batch = g->batch;
	char auto_id[8 + SHA256_HEX_LEN];
	struct input_sum sum;
	int rc = 0;

	*stored = 0;
	g->rj.run = 0;
	g->rj.lines.len = g->rj.committed_len;
	g->run_recs = 0;
	g->seen = 0;
	g->run_batch = NULL;
	stage_clear(g);
	if (batch && strcmp(batch, "auto")) {
		if (g->lg) {
			if ((rc = log_batch_seen(g->lg, batch)) > 0)
				goto seen;
			if (rc < 0)
				return err_code();
		} else {
			/* a retry of a stored run reads nothing: ask a snapshot,
			 * lock-free; ingest_lock() asks again under the lock */
			struct log *rd;
			if (log_open_read(g->dir, g->k->name, &rd) == 0) {
				rc = log_batch_seen(rd, batch);
				log_close(rd);
				if (rc > 0)
					goto seen;
			}
			err_clear();
			rc = 0;
			g->run_batch = batch;
		}
	}
	sum.want = batch && !strcmp(batch, "auto");
	sha256_init(&sum.sha);
	if (g->lg && !g->run_batch)
		log_begin(g->lg, g->now);
	if (!n)
		rc = ingest_file(g, "-", &sum);
	for (int i = 0; i < n && !rc && !g->seen; i++)
		rc = ingest_file(g, files[i], &sum);
	/* the whole input is valid and no block was due: lock now */
	if (!rc && !g->seen && (!g->lg || g->run_batch))
		rc = ingest_lock(g);
	if (g->seen)
		goto seen;
	if (rc) {
		stage_clear(g);
		if (g->lg)
			log_abort(g->lg);
		return rc;
	}
	lg = g->lg;
	uint64_t recs = log_run_records(lg);
	if (!rc && sum.want) {
		/* known only once the input is read: the run is undone if seen.
		 * Older versions wrote "auto-SIZE-CRC32" IDs; those lines stay
		 * in the batches file, valid and never equal to this form. */
		unsigned char d[SHA256_LEN];
		sha256_final(&sum.sha, d);
		memcpy(auto_id, "sha256:", 7);
		sha256_hex(d, auto_id + 7);
		batch = auto_id;
		int seen = log_batch_seen(lg, batch);
		if (seen > 0) {
			log_abort(lg);
			goto seen;
		}
		if (seen < 0)
			rc = err_code();
	}
	/* the records set aside are on disk before the run's commit point;
	 * a run that then fails takes them out again */
	int appended = 0;
	if (!rc && g->rj.run && !(rc = file_replace(g->rejects_path, g->rj.lines.data, g->rj.lines.len)))
		appended = 1;
	if (!rc)
		rc = log_set_batch(lg, batch);
	if (!rc)
		rc = log_commit(lg);
	if (rc) {
		log_abort(lg);
		/* a failure here keeps the run's message (the first err_set) */
		if (appended)
			file_replace(g->rejects_path, g->rj.lines.data, g->rj.committed_len);
		return rc;
	}
	info_("stored %" PRIu64 " record%s in %s", recs, recs == 1 ? "" : "s", g->k->name);
	if (g->rj.run)
		warnx_("set aside %" PRIu64 " bad record%s in %s", g->rj.run, g->rj.run == 1 ? "" : "s", g->rejects_path);
	g->rj.total += g->rj.run;
	g->rj.committed_len = g->rj.lines.len;
	*stored = 1;
	return 0;
seen:
	g->rj.lines.len = g->rj.committed_len;
	/* a retry that succeeds is silent, as every success is (cron) */
	info_("batch %s is already stored in %s: nothing to do", batch, g->k->name);
	*stored = 1;
	return 0;
}

/* What the options and arguments ask for: the run's settings in g, and
 * the FILEs (those --ignore-missing keeps). */
struct ingest_opts {
	struct ingest g;
	char **files;
	int nfiles, remove;
};

static int parse(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"max-batch", required_argument, 0, OPT_MAX_BATCH},
		{"batch-id", required_argument, 0, OPT_BATCH_ID},
		{"remove-source-files", no_argument, 0, OPT_REMOVE},
		{"ignore-missing", no_argument, 0, OPT_IGNORE_MISSING},
		{"max-errors", required_argument, 0, OPT_MAX_ERRORS},
		{"rejects", required_argument, 0, OPT_REJECTS},
		{0, 0, 0, 0},
	};
	struct ingest_opts *o = cmd_opts(cx, sizeof(*o));
	struct ingest g;
	const char *env;
	char **files;
	int c, rc, nfiles, remove = 0, ignore_missing = 0;

	memset(&g, 0, sizeof(g));
	g.max_batch = -1;
	g.rj.max = -1;
	if ((env = getenv("AGGR_MAX_BATCH")) && *env &&
	    (parse_i64(env, strlen(env), &g.max_batch) || g.max_batch < 0))
		return cmd_usage_error(&cmd_ingest, "AGGR_MAX_BATCH: not a non-negative integer: %s", env);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS, opts, NULL)) != -1) {
		switch (c) {
		case OPT_BATCH_ID:
			if (strcmp(optarg, "auto") && !log_batch_id_valid(optarg))
				return cmd_usage_error(&cmd_ingest, "--batch-id: not 1 to 200 printable characters "
						       "without spaces: %s", optarg);
			g.batch = optarg;
			continue;
		case OPT_MAX_BATCH:
			if ((rc = cmd_int_arg(&cmd_ingest, "--max-batch", optarg, 0, &g.max_batch)))
				return rc;
			continue;
		case OPT_MAX_ERRORS:
			if ((rc = cmd_int_arg(&cmd_ingest, "--max-errors", optarg, 0, &g.rj.max)))
				return rc;
			continue;
		case OPT_REJECTS:
			if (!*optarg)
				return cmd_usage_error(&cmd_ingest, "--rejects: empty file name");
			g.rejects_path = optarg;
			continue;
		case OPT_REMOVE:
			remove = 1;
			continue;
		case OPT_IGNORE_MISSING:
			ignore_missing = 1;
			continue;
		}
		if ((rc = cmd_common_opt(&cmd_ingest, c, argv)) >= 0)
			return rc;
	}
	if ((rc = cmd_refuse_unused(&cmd_ingest, NULL)))
		return rc;
	if (optind >= argc)
		return cmd_usage_error(&cmd_ingest, "missing KIND (%s)", kind_names());
	/* a kind whose name is no log name (stream) has its own command */
	if (!(g.k = kind_find(argv[optind])) || !kind_log_name_valid(g.k->name))
		return cmd_usage_error(&cmd_ingest, "unknown kind: %s (%s)", argv[optind], kind_names());
	optind++;
	if (g.rj.max >= 0 && !g.rejects_path)
		return cmd_usage_error(&cmd_ingest, "--max-errors needs --rejects FILE");
	if (g.rejects_path && g.rj.max < 0)
		return cmd_usage_error(&cmd_ingest, "--rejects goes with --max-errors N");
	files = argv + optind;
	nfiles = argc - optind;
	if (remove) {
		if (!nfiles)
			return cmd_usage_error(&cmd_ingest, "--remove-source-files needs FILE arguments");
		for (int i = 0; i < nfiles; i++)
			if (!strcmp(files[i], "-"))
				return cmd_usage_error(&cmd_ingest, "--remove-source-files: cannot remove standard input");
		if (g.batch && strcmp(g.batch, "auto") && nfiles > 1)
			return cmd_usage_error(&cmd_ingest, "--remove-source-files: one --batch-id ID for %d runs; "
					       "use --batch-id auto", nfiles);
		/* each file a run, known by its digest: safe to retry */
		if (!g.batch)
			g.batch = "auto";
	}
	if (ignore_missing && nfiles) {
		/* an empty spool: the shell leaves an unmatched glob as it is */
		int kept = 0;
		struct stat st;
		for (int i = 0; i < nfiles; i++)
			if (!strcmp(files[i], "-") || stat(files[i], &st) == 0 || errno != ENOENT)
				files[kept++] = files[i];
			else
				info_("%s: no such file: skipped", files[i]);
		nfiles = kept;
		if (!nfiles)
			return 0;
	}
	if ((rc = store_config(g.k->name, &g.cfg)) || (rc = now_us(&g.now)))
		return rc;
	g.cfg.cluster_width = g.k->cluster_width;
	/* a run appends to the active segment: the sealed ones' indexes stay
	 * unread, so a cron load costs the same after a year of them */
	g.cfg.lazy = 1;
	o->g = g;
	o->files = files;
	o->nfiles = nfiles;
	o->remove = remove;
	return -1;
}

static int run(struct cmd_ctx *cx)
{
	struct ingest_opts *o = cx->opts;
	struct ingest g = o->g;
	char **files = o->files;
	int nfiles = o->nfiles, remove = o->remove, rc = 0;

	g.dir = cx->dir;
	buf_init(&g.staged);
	progress_init(&g.pr);
	json_doc_init(&g.doc);
	buf_init(&g.norm);
	buf_init(&g.rj.lines);
	/* --rejects appends: the file's lines so far come first */
	if (g.rejects_path && read_file(g.rejects_path, &g.rj.lines, (size_t)1 << 30) < 0) {
		buf_reset(&g.rj.lines);
		if (errno != ENOENT)
			rc = err_sys("cannot read %s", g.rejects_path);
	}
	if (g.rj.lines.len && g.rj.lines.data[g.rj.lines.len - 1] != '\n')
		buf_addc(&g.rj.lines, '\n');
	g.rj.committed_len = g.rj.lines.len;
	int stored = 0, any = 0;
	if (rc) {
		/* the rejects file cannot be read: nothing is tried */
	} else if (remove) {
		for (int i = 0; i < nfiles && !rc; i++)
			if (!(rc = ingest_run(&g, files + i, 1, &stored)) && stored) {
				any = 1;
				rc = file_remove(files[i]);
			}
	} else {
		rc = ingest_run(&g, files, nfiles, &stored);
		any = !rc;
	}
	progress_end(&g.pr);
	/* the runs stand whatever retention does: its failure is a warning */
	if (any && g.lg && store_retain_apply(g.lg, g.now)) {
		warnx_("%s", err_msg());
		err_clear();
	}
	if (!rc && g.rj.total)
		rc = INGEST_EX_REJECTED;
	log_close(g.lg);
	json_doc_free(&g.doc);
	buf_free(&g.norm);
	buf_free(&g.rj.lines);
	buf_free(&g.staged);
	free(g.st);
	return rc;
}
