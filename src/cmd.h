/* cmd.h: the command table and what every command shares */
#ifndef AGGR_CMD_H
#define AGGR_CMD_H

#include <getopt.h>

#include "output.h"
#include "util.h"

#define AGGR_VERSION "0.1.0"

/* Options any command accepts, before or after its name. */
struct global_opts {
	const char *data_dir;
	enum out_format format;
	double wait_secs;
	int progress;          /* -1: when stderr is a tty */
	unsigned given;        /* GIVEN_* of the options on the command line */
	const char *given_name[3];  /* as spelt there, for messages */
};

/* The global options a command may not use (cmd_refuse_unused). */
enum { GIVEN_FORMAT = 1, GIVEN_WAIT = 2, GIVEN_PROGRESS = 4 };
extern struct global_opts G;

enum {
	OPT_FORMAT = 1000, OPT_WAIT, OPT_NO_WAIT, OPT_PROGRESS, OPT_NO_PROGRESS,
	OPT_CMD = 1100         /* first code free for a command's own options */
};

#define COMMON_SHORTOPTS ":d:qvh"
#define COMMON_LONGOPTS \
	{"data-dir", required_argument, 0, 'd'}, \
	{"quiet", no_argument, 0, 'q'}, \
	{"verbose", no_argument, 0, 'v'}, \
	{"help", no_argument, 0, 'h'}, \
	{"format", required_argument, 0, OPT_FORMAT}, \
	{"wait", required_argument, 0, OPT_WAIT}, \
	{"no-wait", no_argument, 0, OPT_NO_WAIT}, \
	{"progress", no_argument, 0, OPT_PROGRESS}, \
	{"no-progress", no_argument, 0, OPT_NO_PROGRESS}

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;   /* one line for "aggr --help" */
	const char *help;      /* full text for "aggr help NAME" */
};

/*
 * Handle an option every command shares, or a getopt error. Returns -1 when
 * c was handled and parsing goes on, 0 after printing help (the command
 * exits 0), or EX_USAGE after reporting a usage error.
 */
int cmd_common_opt(const struct cmd *cmd, int c, char **argv);

/*
 * Refuse a global option that cmd (and sub, its subcommand, or NULL) does
 * not use, rather than ignore it: --format for a command that prints no
 * rows, --wait or --no-wait for a reader, --progress where none is shown,
 * and for cat any --format but ndjson. Call it once the command's options
 * are parsed. Returns 0 or EX_USAGE (reported).
 */
int cmd_refuse_unused(const struct cmd *cmd, const char *sub);

/* Report a usage error for cmd ("aggr: NAME: MESSAGE" plus a hint). */
int cmd_usage_error(const struct cmd *cmd, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* A TIME option value (aggr(1) TIME SYNTAX, relative to now) into *us, and
 * a --tz value made the zone of later times. Return 0 or EX_USAGE. */
int cmd_time_arg(const struct cmd *cmd, const char *opt, const char *arg, int64_t now, int64_t *us);
int cmd_tz_arg(const struct cmd *cmd, const char *zone);

/* Parse a non-negative or positive integer option value. Returns 0 or EX_USAGE. */
int cmd_int_arg(const struct cmd *cmd, const char *opt, const char *arg, int64_t min, int64_t *out);

/* Progress on stderr, on one line redrawn at most four times a second;
 * only when wanted (--progress, or stderr is a terminal). */
struct progress {
	int on;
	double next;
	uint64_t done;     /* free for the caller's count */
	int dumb;          /* TERM=dumb: no ESC[K, blanks instead */
	int width;         /* widest line drawn, for dumb */
};
void progress_init(struct progress *p);
void progress_show(struct progress *p, const char *fmt, ...) ATTR_PRINTF(2, 3);
void progress_end(struct progress *p);

const struct cmd *cmd_find(const char *name);

/* For a reader: is the data directory dir there? A mistyped -d must not
 * look like an empty store (a directory that lacks the log still reads as
 * empty). Returns 0, EX_NOTFOUND ("DIR: no such data directory") or an
 * err_sys code, with err_set. */
int cmd_reader_dir(const char *dir);

extern const struct cmd cmd_ingest, cmd_flows, cmd_top, cmd_cat, cmd_info, cmd_check, cmd_purge;
extern const struct cmd cmd_events, cmd_compact;

extern const struct cmd cmd_sessions, cmd_retain;

extern const struct cmd cmd_stream;

#endif
