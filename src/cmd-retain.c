/* aggr retain: delete the segments a log's retention has expired */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "kind.h"
#include "log.h"
#include "store.h"
#include "timefmt.h"

static int parse(struct cmd_ctx *c, int argc, char **argv);
static int check(struct cmd_ctx *c);
static int run(struct cmd_ctx *c);

const struct cmd cmd_retain = {
	.name = "retain", .target = CMD_TARGET_LOGS,
	.parse = parse, .check = check, .run = run,
	.summary = "delete segments older than a log's retention, or past its size",
	.help =
	"usage: aggr retain [LOG] [--older-than AGE] [--set AGE|forever]\n"
	"                         [--max-bytes SIZE] [--set-max-bytes SIZE|none]\n"
	"\n"
	"Delete, from LOG or from every log, the oldest whole segments all of whose\n"
	"records were ingested more than AGE ago. AGE is the log's retention\n"
	"unless --older-than gives one; logs without a retention are left alone.\n"
	"Queries already ignore expired blocks: retain reclaims their space.\n"
	"The MANIFEST rename is the commit, so a crash deletes all or nothing.\n"
	"ingest and stream publish run retention on their way out, so cron needs\n"
	"no separate job.\n"
	"\n"
	"By size: then the oldest whole sealed segments go until the files of the\n"
	"log (disk_bytes in 'aggr info') take at most SIZE. The newest segment\n"
	"always stays, even when it alone is larger. Age goes first, then size.\n"
	"A stream consumer left before the first event kept is moved to it by\n"
	"its next consume, with a warning that counts the events it skipped.\n"
	"\n"
	"Retention is set per log and measured by ingest time. A new sessions log\n"
	"keeps 365.25 days; other logs keep everything until --set.\n"
	"\n"
	"Options:\n"
	"  --older-than AGE  delete what was ingested more than AGE ago, this once\n"
	"  --set AGE         make AGE the retention of LOG ('forever': none), then\n"
	"                    delete what it expired; a LOG not written yet is\n"
	"                    created with it\n"
	"  --max-bytes SIZE  delete the oldest sealed segments until LOG fits in\n"
	"                    SIZE bytes, this once\n"
	"  --set-max-bytes SIZE\n"
	"                    make SIZE the size LOG keeps to ('none' or 0: any),\n"
	"                    then delete what no longer fits; ingest and stream\n"
	"                    publish apply it on their way out\n"
	"\n"
	"AGE: a number with a unit s, m, h, d or w, such as 365.25d, 12h, 2w.\n"
	"SIZE: a number of bytes, or with K, M, G or T (powers of 1024): 512M.\n",
};

enum { OPT_OLDER = OPT_CMD, OPT_SET, OPT_MAX_BYTES, OPT_SET_MAX_BYTES };

/* AGE as microseconds: digits, an optional fraction, a unit. Returns 0 or -1. */
static int age_parse(const char *s, int64_t *us)
{
	static const struct { char c; int64_t secs; } units[] = {
		{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800},
	};
	size_t n = strlen(s), i = 0;
	int64_t whole = 0, frac = 0, scale = 1;

	if (n < 2)
		return -1;
	for (; i < n - 1 && s[i] >= '0' && s[i] <= '9'; i++) {
		if (whole > INT64_C(1000000000))
			return -1;
		whole = whole * 10 + (s[i] - '0');
	}
	if (!i)
		return -1;
	if (s[i] == '.') {
		size_t f0 = ++i;
		for (; i < n - 1 && s[i] >= '0' && s[i] <= '9'; i++)
			if (scale < INT64_C(1000000000)) {
				frac = frac * 10 + (s[i] - '0');
				scale *= 10;
			}
		if (i == f0)
			return -1;
	}
	if (i != n - 1)
		return -1;
	for (size_t u = 0; u < sizeof(units) / sizeof(*units); u++) {
		if (s[i] != units[u].c)
			continue;
		/* at most about 31000 years: no overflow in microseconds */
		if (whole * units[u].secs > INT64_C(1000000000000))
			return -1;
		*us = whole * units[u].secs * 1000000 + frac * units[u].secs * 1000000 / scale;
		return 0;
	}
	return -1;
}

/* What one run of retain does: -1 in a field means not given. */
struct retain_opts {
	int64_t now, older, set, max_bytes, set_max;
	const char *set_text, *set_max_text;
};

static int retain_one(const char *dir, const char *name, const struct retain_opts *o)
{
	int64_t now = o->now, older = o->older, set = o->set;
	struct log_config cfg;
	struct log *lg;
	int rc;

	if ((rc = log_open_read(dir, name, &lg)))
		return rc;
	int exists = log_exists(lg);
	log_close(lg);
	/* as cat and info say: a stream exists once published to, and only
	 * publish creates one (it records the owner) */
	if (!exists && !strncmp(name, "streams/", 8))
		return err_set(EX_NOTFOUND, "%s: no such stream", name);
	/* a log not yet written has nothing to delete; but a retention set
	 * now must hold for the records to come, so the log is created with it */
	if (!exists && set < 0 && o->set_max < 0)
		return 0;
	if ((rc = store_config(name, &cfg)))
		return rc;
	if (set >= 0)
		cfg.retention_us = set;
	if ((rc = log_open_write(dir, name, &cfg, G.wait_secs, &lg)))
		return rc;
	/* a retention set on a log not written yet is a change to keep:
	 * log_set_retention() commits it, so the log stays */
	int created = log_created(lg);
	int changed = created || (set >= 0 && log_retention(lg) != set);
	if (set >= 0 && changed)
		rc = log_set_retention(lg, set);
	if (!rc && set >= 0 && changed)
		info_("%s: retention set to %s", name, o->set_text);
	changed = created || (o->set_max >= 0 && log_retention_bytes(lg) != (uint64_t)o->set_max);
	if (!rc && o->set_max >= 0 && changed)
		rc = log_set_retention_bytes(lg, (uint64_t)o->set_max);
	if (!rc && o->set_max >= 0 && changed)
		info_("%s: size retention set to %s", name, o->set_max_text);
	if (!rc && older >= 0)
		rc = store_retain_expired(lg, now - older);
	else if (!rc && log_retention(lg) > 0)
		rc = store_retain_expired(lg, now - log_retention(lg));
	if (!rc && o->max_bytes >= 0)
		rc = store_retain_oversize(lg, (uint64_t)o->max_bytes);
	else if (!rc && log_retention_bytes(lg) > 0)
		rc = store_retain_oversize(lg, log_retention_bytes(lg));
	log_close(lg);
	return rc;
}

static int parse(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"older-than", required_argument, 0, OPT_OLDER},
		{"set", required_argument, 0, OPT_SET},
		{"max-bytes", required_argument, 0, OPT_MAX_BYTES},
		{"set-max-bytes", required_argument, 0, OPT_SET_MAX_BYTES},
		{0, 0, 0, 0},
	};
	struct retain_opts *o = cmd_opts(cx, sizeof(*o));
	int c, rc;

	*o = (struct retain_opts){0, -1, -1, -1, -1, NULL, NULL};
	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS, opts, NULL)) != -1) {
		switch (c) {
		case OPT_OLDER:
			if (age_parse(optarg, &o->older))
				return cmd_usage_error(&cmd_retain, "--older-than: not an age such as 365.25d: %s", optarg);
			break;
		case OPT_SET:
			o->set_text = optarg;
			if (!strcmp(optarg, "forever"))
				o->set = 0;
			else if (age_parse(optarg, &o->set) || o->set <= 0)
				return cmd_usage_error(&cmd_retain, "--set: not an age such as 365.25d, or forever: %s",
						       optarg);
			break;
		case OPT_MAX_BYTES:
			if (parse_size(optarg, &o->max_bytes))
				return cmd_usage_error(&cmd_retain, "--max-bytes: not a size such as 512M: %s", optarg);
			break;
		case OPT_SET_MAX_BYTES:
			o->set_max_text = optarg;
			if (!strcmp(optarg, "none"))
				o->set_max = 0;
			else if (parse_size(optarg, &o->set_max))
				return cmd_usage_error(&cmd_retain, "--set-max-bytes: not a size such as 512M, or none: %s",
						       optarg);
			break;
		default:
			if ((rc = cmd_common_opt(&cmd_retain, c, argv)) >= 0)
				return rc;
		}
	}
	if ((rc = cmd_refuse_unused(&cmd_retain, NULL)))
		return rc;
	return -1;
}

/* The options that need a LOG, and now. Returns 0 or an exit status. */
static int check(struct cmd_ctx *cx)
{
	struct retain_opts *o = cx->opts;

	if (o->set >= 0 && !cx->name)
		return cmd_usage_error(&cmd_retain, "--set needs a LOG");
	if (o->set_max >= 0 && !cx->name)
		return cmd_usage_error(&cmd_retain, "--set-max-bytes needs a LOG");
	return now_us(&o->now);
}

/* LOG, or every log in turn until one fails */
static int run(struct cmd_ctx *cx)
{
	int rc = 0;

	for (size_t i = 0; i < cx->nnames && !rc; i++)
		rc = retain_one(cx->dir, cx->names[i], cx->opts);
	return rc;
}
