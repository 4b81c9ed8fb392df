/* aggr ingest KIND [FILE...]: validate records and append them as one atomic run */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "input.h"
#include "json.h"
#include "kind.h"
#include "log.h"
#include "sha256.h"

static int run(int argc, char **argv);

const struct cmd cmd_ingest = {
	"ingest", run, "load JSON records into a log, all or nothing",
	"usage: aggr ingest KIND [--max-batch N] [--batch-id ID|auto] [FILE...]\n"
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
	"  --wait SECS      wait this long for another writer (default 10)\n"
	"  --no-wait        fail at once with exit 5 when the log is locked\n"
	"  --[no-]progress  progress on stderr (default: when it is a terminal)\n"
	"\n"
	"On the way out, ingest deletes the segments the log's retention expired\n"
	"(see 'aggr help retain'), so cron needs no separate job.\n",
};

enum { OPT_MAX_BATCH = OPT_CMD, OPT_BATCH_ID };

/* What the whole input was, for --batch-id auto: a digest of every byte of
 * every FILE, as read (still compressed), so equal input is equal ID and
 * different input, even of equal size and CRC, is a different one. */
struct input_sum {
	int want;          /* hash the input (it costs a pass over the bytes) */
	struct sha256 sha;
};

static int ingest_file(struct log *lg, const struct kind *k, const char *path, int64_t max_batch,
		       struct json_doc *doc, struct buf *norm, struct progress *pr, struct input_sum *sum)
{
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
			/* the parser counts from the record's start; say line and column */
			uint64_t line = in.line, col = in.rec_col + doc->err_at;
			char *at = strstr(why, " at byte ");
			for (size_t i = 0; i < doc->err_at && i < len; i++)
				if (rec[i] == '\n') {
					line++;
					col = doc->err_at - i - 1;
				}
			if (at)
				snprintf(at, sizeof(why) - (size_t)(at - why), " at byte %" PRIu64, col + 1);
			rc = err_set(EX_DATA, "%s:%" PRIu64 ": invalid JSON: %s", in.name, line, why);
			break;
		}
		buf_reset(norm);
		memset(&ri, 0, sizeof(ri));
		if (k->normalise(doc, norm, &ri, why, sizeof(why))) {
			rc = err_set(EX_DATA, "%s:%" PRIu64 ": %s", in.name, in.line, why);
			break;
		}
		stored = norm->data;
		stored_len = norm->len;
append:
		if (max_batch >= 0 && log_run_records(lg) + 1 > (uint64_t)max_batch) {
			rc = err_set(EX_LIMIT, "too many %s are being registered: more than %" PRId64
				     " in one run (--max-batch)", k->noun, max_batch);
			break;
		}
		if ((rc = log_append(lg, stored, stored_len, ri.key, ri.bloom, ri.nbloom)))
			break;
		if (ri.summary.p && (rc = log_key_add(lg, ri.summary.p, ri.summary.n)))
			break;
		rc = 0;
		if ((log_run_records(lg) & 1023) == 0)
			progress_show(pr, "%" PRIu64 " records, %.1f MB read", log_run_records(lg),
				      (double)(pr->done + in.bytes_in) / 1e6);
	}
	pr->done += in.bytes_in;
	input_close(&in);
	return rc;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"max-batch", required_argument, 0, OPT_MAX_BATCH},
		{"batch-id", required_argument, 0, OPT_BATCH_ID},
		{0, 0, 0, 0},
	};
	const struct kind *k;
	struct log_config cfg;
	struct log *lg = NULL;
	struct json_doc doc;
	struct buf norm;
	struct progress pr;
	int64_t max_batch = -1, now;
	const char *batch = NULL;
	char auto_id[8 + SHA256_HEX_LEN];
	struct input_sum sum;
	const char *env;
	char *dir;
	int c, rc;

	if ((env = getenv("AGGR_MAX_BATCH")) && *env &&
	    (parse_i64(env, strlen(env), &max_batch) || max_batch < 0))
		return cmd_usage_error(&cmd_ingest, "AGGR_MAX_BATCH: not a non-negative integer: %s", env);
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS, opts, NULL)) != -1) {
		if (c == OPT_BATCH_ID) {
			if (strcmp(optarg, "auto") && !log_batch_id_valid(optarg))
				return cmd_usage_error(&cmd_ingest, "--batch-id: not 1 to 200 printable characters "
						       "without spaces: %s", optarg);
			batch = optarg;
			continue;
		}
		if (c == OPT_MAX_BATCH) {
			if ((rc = cmd_int_arg(&cmd_ingest, "--max-batch", optarg, 0, &max_batch)))
				return rc;
			continue;
		}
		if ((rc = cmd_common_opt(&cmd_ingest, c, argv)) >= 0)
			return rc;
	}
	if (optind >= argc)
		return cmd_usage_error(&cmd_ingest, "missing KIND (%s)", kind_names());
	/* a kind whose name is no log name (stream) has its own command */
	if (!(k = kind_find(argv[optind])) || !log_name_valid(k->name))
		return cmd_usage_error(&cmd_ingest, "unknown kind: %s (%s)", argv[optind], kind_names());
	optind++;
	if ((rc = log_config_init(&cfg, k->name, k->bloom_bytes, k->bloom_k)) || (rc = now_us(&now)))
		return rc;
	cfg.retention_us = k->retention_us;
	cfg.cluster_width = k->cluster_width;
	if (!(dir = log_data_dir(G.data_dir)))
		return EX_USAGE;
	if ((rc = log_open_write(dir, k->name, &cfg, G.wait_secs, &lg))) {
		free(dir);
		return rc;
	}
	progress_init(&pr);
	json_doc_init(&doc);
	buf_init(&norm);
	if (batch && strcmp(batch, "auto") && (rc = log_batch_seen(lg, batch))) {
		if (rc > 0)
			goto seen;
		rc = err_code();
		goto out;
	}
	sum.want = batch && !strcmp(batch, "auto");
	sha256_init(&sum.sha);
	log_begin(lg, now);
	if (optind >= argc) {
		rc = ingest_file(lg, k, "-", max_batch, &doc, &norm, &pr, &sum);
	} else {
		for (int i = optind; i < argc && !rc; i++)
			rc = ingest_file(lg, k, argv[i], max_batch, &doc, &norm, &pr, &sum);
	}
	uint64_t n = log_run_records(lg);
	if (!rc && batch && !strcmp(batch, "auto")) {
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
			progress_end(&pr);
			goto seen;
		}
		if (seen < 0)
			rc = err_code();
	}
	if (!rc)
		rc = log_set_batch(lg, batch);
	if (!rc)
		rc = log_commit(lg);
	progress_end(&pr);
	if (rc)
		log_abort(lg);
	else
		info_("stored %" PRIu64 " record%s in %s", n, n == 1 ? "" : "s", k->name);
	goto out;
seen:
	warnx_("batch %s is already stored in %s: nothing to do", batch, k->name);
	rc = 0;
out:
	/* the run stands whatever retention does: its failure is a warning */
	if (!rc && log_retention(lg) > 0 && retain_expired(lg, now - log_retention(lg))) {
		warnx_("%s", err_msg());
		err_clear();
	}
	log_close(lg);
	json_doc_free(&doc);
	buf_free(&norm);
	free(dir);
	return rc;
}
