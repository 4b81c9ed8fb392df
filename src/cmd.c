/* cmd.c: what main does for every command: the options they share, usage
 * errors, option values, progress, and resolving what a command's entry
 * in the command table declares (cmd_resolve) */
#include <stdarg.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "kind.h"
#include "log.h"
#include "store.h"
#include "timefmt.h"

int cmd_usage_error(const struct cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	/* before the command name there is no command to blame */
	if (cmd->run)
		fprintf(stderr, "aggr: %s: ", cmd->name);
	else
		fputs("aggr: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd->run)
		fprintf(stderr, "\nTry 'aggr help %s'.\n", cmd->name);
	else
		fputs("\nTry 'aggr --help'.\n", stderr);
	return EX_USAGE;
}

int cmd_int_arg(const struct cmd *cmd, const char *opt, const char *arg, int64_t min, int64_t *out)
{
	if (parse_i64(arg, strlen(arg), out) || arg[0] == '+') {
		size_t i = arg[0] == '-', n = strlen(arg);
		if (n > i && strspn(arg + i, "0123456789") == n - i)
			return cmd_usage_error(cmd, "%s: out of range: %s", opt, arg);
		return cmd_usage_error(cmd, "%s: not an integer: %s", opt, arg);
	}
	if (*out < min)
		return cmd_usage_error(cmd, "%s: must be at least %lld: %s", opt, (long long)min, arg);
	return 0;
}

int cmd_refuse_unused(const struct cmd *cmd, const char *sub)
{
	/* which global options each command or subcommand uses */
	static const struct {
		const char *name;
		unsigned uses;
	} table[] = {
		{"ingest", GIVEN_WAIT | GIVEN_PROGRESS},
		{"flows", GIVEN_FORMAT}, {"top", GIVEN_FORMAT}, {"sessions", GIVEN_FORMAT},
		{"info", GIVEN_FORMAT}, {"cat", GIVEN_FORMAT | GIVEN_PROGRESS},
		{"check", GIVEN_PROGRESS}, {"check --repair", GIVEN_WAIT | GIVEN_PROGRESS},
		{"compact", GIVEN_WAIT}, {"purge", GIVEN_WAIT}, {"retain", GIVEN_WAIT},
		{"events add", GIVEN_FORMAT | GIVEN_WAIT}, {"events stop", GIVEN_FORMAT | GIVEN_WAIT},
		{"events remove", GIVEN_FORMAT | GIVEN_WAIT}, {"events list", GIVEN_FORMAT},
		{"stream publish", GIVEN_WAIT}, {"stream ack", GIVEN_WAIT}, {"stream seek", GIVEN_WAIT},
		{"stream consume", GIVEN_FORMAT}, {"stream consumers", GIVEN_FORMAT},
		{"stream list", GIVEN_FORMAT},
	};
	char full[64];
	unsigned uses = ~0u;

	snprintf(full, sizeof(full), "%s%s%s", cmd->name, sub ? " " : "", sub ? sub : "");
	for (size_t i = 0; i < sizeof(table) / sizeof(*table); i++)
		if (!strcmp(table[i].name, full))
			uses = table[i].uses;
	for (unsigned b = 0; b < 3; b++)
		if ((G.given & (1u << b)) && !(uses & (1u << b)))
			return cmd_usage_error(cmd, "%s: not an option of %s", G.given_name[b], full);
	/* cat prints the stored JSON lines, nothing else */
	if (!strcmp(cmd->name, "cat") && (G.given & GIVEN_FORMAT) && G.format != OUT_NDJSON)
		return cmd_usage_error(cmd, "--format: cat prints the stored records as JSON lines "
				       "(ndjson) only, not %s", out_format_name(G.format));
	return 0;
}

/* For a reader: is the data directory dir there? A mistyped -d must not
 * look like an empty store (a directory that lacks the log still reads as
 * empty). Returns 0, EX_NOTFOUND ("DIR: no such data directory") or an
 * err_sys code, with err_set. */
static int reader_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? err_set(EX_NOTFOUND, "%s: no such data directory", dir)
							   : err_sys("cannot read data directory %s", dir);
	/* a file in its place: opening the log says what is wrong */
	return 0;
}

int cmd_time_arg(const struct cmd *cmd, const char *opt, const char *arg, int64_t now, int64_t *us)
{
	if (time_parse(arg, now, us))
		return cmd_usage_error(cmd, "%s: not a time: %s (see TIME SYNTAX in aggr(1))", opt, arg);
	return 0;
}

int cmd_tz_arg(const struct cmd *cmd, const char *zone)
{
	if (time_zone_set(zone))
		return cmd_usage_error(cmd, "--tz: unknown time zone: %s", zone);
	return 0;
}

int cmd_common_opt(const struct cmd *cmd, int c, char **argv)
{
	switch (c) {
	case 'd':
		/* "" would silently mean $AGGR_DIR: a typo, not a choice */
		if (!*optarg)
			return cmd_usage_error(cmd, "-d: empty directory name");
		G.data_dir = optarg;
		return -1;
	case 'q':
		verbosity = -1;
		return -1;
	case 'v':
		verbosity = 1;
		return -1;
	case 'h':
		fputs(cmd->help, stdout);
		return 0;
	case OPT_FORMAT:
		G.given |= GIVEN_FORMAT;
		G.given_name[0] = "--format";
		if (out_format_parse(optarg, &G.format))
			return cmd_usage_error(cmd, "--format: unknown format: %s (json, ndjson, csv, tsv, table)", optarg);
		return -1;
	case OPT_WAIT: {
		char *end;
		double w;
		G.given |= GIVEN_WAIT;
		G.given_name[1] = "--wait";
		/* as flock(1) waits without a limit by default */
		if (!strcmp(optarg, "forever")) {
			G.wait_secs = INFINITY;
			return -1;
		}
		w = strtod(optarg, &end);
		if (end == optarg || *end || !(w >= 0) || w > 86400 * 365)
			return cmd_usage_error(cmd, "--wait: not a number of seconds or forever: %s", optarg);
		G.wait_secs = w;
		return -1;
	}
	case OPT_NO_WAIT:
		G.given |= GIVEN_WAIT;
		G.given_name[1] = "--no-wait";
		G.wait_secs = 0;
		return -1;
	case OPT_PROGRESS:
		G.given |= GIVEN_PROGRESS;
		G.given_name[2] = "--progress";
		G.progress = 1;
		return -1;
	case OPT_NO_PROGRESS:
		G.given |= GIVEN_PROGRESS;
		G.given_name[2] = "--no-progress";
		G.progress = 0;
		return -1;
	case ':':
		return cmd_usage_error(cmd, "option requires an argument: %s", argv[optind - 1]);
	default:
		if (optopt && optopt < 128 && c == '?')
			return cmd_usage_error(cmd, "unknown option: -%c", optopt);
		return cmd_usage_error(cmd, "unknown option: %s", argv[optind - 1]);
	}
}

void progress_init(struct progress *p)
{
	const char *term = getenv("TERM");

	/* -q: errors only, so no progress unless --progress asks for it */
	p->on = G.progress >= 0 ? G.progress : isatty(2) && verbosity >= 0;
	p->next = 0;
	p->done = 0;
	/* a dumb terminal has no erase-line: overwrite with blanks instead */
	p->dumb = term && !strcmp(term, "dumb");
	p->width = 0;
}

/* End the line drawn so far: erase to its end, or blank out the rest of
 * the widest line drawn when the terminal cannot erase. */
static void progress_erase(struct progress *p, int len)
{
	if (!p->dumb) {
		fputs("\033[K", stderr);
		return;
	}
	for (int i = len; i < p->width; i++)
		fputc(' ', stderr);
	if (len > p->width)
		p->width = len;
}

void progress_show(struct progress *p, const char *fmt, ...)
{
	va_list ap;
	double now;

	if (!p->on || (now = mono_seconds()) < p->next)
		return;
	p->next = now + 0.25;
	int len = fprintf(stderr, "\raggr: %s: ", prog_cmd) - 1;
	va_start(ap, fmt);
	len += vfprintf(stderr, fmt, ap);
	va_end(ap);
	progress_erase(p, len);
}

void progress_end(struct progress *p)
{
	if (!p->on || !(p->next > 0))
		return;
	fputc('\r', stderr);
	progress_erase(p, 0);
	if (p->dumb)
		fputc('\r', stderr);
}


/* CMD_TARGET_LOG and CMD_TARGET_LOGS: the one argument left after the
 * options. Returns 0, or EX_USAGE after a message. */
static int log_arg(struct cmd_ctx *c)
{
	const struct cmd *cmd = c->cmd;

	c->name = NULL;
	if (optind < c->argc)
		c->name = c->argv[optind++];
	if (optind < c->argc)
		return cmd_usage_error(cmd, "unexpected argument: %s", c->argv[optind]);
	if (!c->name && cmd->target == CMD_TARGET_LOG)
		return cmd_usage_error(cmd, "missing LOG (flows, counters, events, sessions, streams/NAME)");
	if (c->name && !kind_log_name_valid(c->name))
		return cmd_usage_error(cmd, "not a log name: %s (flows, counters, events, sessions, streams/NAME)",
				       c->name);
	return 0;
}

int cmd_resolve(struct cmd_ctx *c)
{
	const struct cmd *cmd = c->cmd;
	int rc;

	if (cmd->target != CMD_TARGET_NONE && (rc = log_arg(c)))
		return rc;
	if (cmd->check && (rc = cmd->check(c)))
		return rc;
	/* every argument is checked before the data directory is looked for */
	if (c->flags & CMD_NO_DIR)
		return 0;
	if (!(c->dir = log_data_dir(G.data_dir)))
		return EX_USAGE;
	if ((c->flags & CMD_READER) && (rc = reader_dir(c->dir)))
		return rc;
	if (cmd->target == CMD_TARGET_LOGS) {
		c->nnames = store_select_logs(c->dir, c->name, &c->names);
		if (*err_msg())
			return err_code();
	}
	return 0;
}

void *cmd_opts(struct cmd_ctx *c, size_t size)
{
	if (!c->opts)
		c->opts = xcalloc(1, size);
	return c->opts;
}

void cmd_ctx_free(struct cmd_ctx *c)
{
	if (c->cmd->done)
		c->cmd->done(c);
	store_names_free(c->names, c->nnames);
	free(c->dir);
	free(c->opts);
}
