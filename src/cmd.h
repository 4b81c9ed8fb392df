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

struct cmd_ctx;

/* What a command works on besides its options: main resolves it, after
 * the command's parse, into the struct cmd_ctx that run is given. */
enum cmd_target {
	CMD_TARGET_NONE,     /* no LOG argument (parse takes any arguments) */
	CMD_TARGET_LOG,      /* LOG, required: ctx->name */
	CMD_TARGET_LOGS,     /* [LOG]: ctx->names, LOG or every log there is */
};

/* cmd.flags, and ctx.flags (which parse may add to, per subcommand) */
enum {
	CMD_NO_DIR = 1,      /* needs no data directory (help) */
	CMD_READER = 2,      /* a reader: a data directory that is not there
			      * is EX_NOTFOUND ("DIR: no such data
			      * directory"), not an empty store */
};

/*
 * The command table's entry, as tmux's cmd_entry: the command's name, its
 * option parser, what it works on (target, flags) and its work. main
 * calls, in this order, each stopping the command on an exit status:
 *   parse   the options and the command's own arguments, with every check
 *           of them: -1 to go on, else an exit status (0: help printed or
 *           nothing to do); NULL: no options (help)
 *   the target: LOG or [LOG] (checked as a log name)
 *   check   (optional) checks that need the LOG: 0 or an exit status
 *   the data directory (ctx->dir), that it is there (CMD_READER), and for
 *   CMD_TARGET_LOGS the logs (store_select_logs)
 *   run     the work: an exit status, a message pending with err_set
 *   done    (optional) free what parse and check kept in ctx->opts
 * (then main frees ctx->opts itself)
 */
struct cmd {
	const char *name;
	int (*parse)(struct cmd_ctx *c, int argc, char **argv);
	int (*check)(struct cmd_ctx *c);
	int (*run)(struct cmd_ctx *c);
	void (*done)(struct cmd_ctx *c);
	enum cmd_target target;
	unsigned flags;        /* CMD_* */
	const char *summary;   /* one line for "aggr --help" */
	const char *help;      /* full text for "aggr help NAME" */
};

/* What main resolved for a command, handed to each step of it. */
struct cmd_ctx {
	const struct cmd *cmd;
	void *opts;            /* the command's own options (cmd_opts) */
	int argc;              /* the command's arguments, argv[0] its name */
	char **argv;
	unsigned flags;        /* cmd->flags, and what parse added */
	const char *name;      /* the LOG argument; NULL: every log */
	char *dir;             /* the data directory, resolved once */
	char **names;          /* CMD_TARGET_LOGS: the logs to work on */
	size_t nnames;
};

/* Resolve what c->cmd declares, after its parse: the steps from the target
 * to the logs (see struct cmd). Returns 0, EX_USAGE (reported), or an error
 * code with err_set. */
int cmd_resolve(struct cmd_ctx *c);

/* c->opts, size zeroed bytes the first time: where parse keeps what the
 * options say, for the later steps. Returns c->opts. */
void *cmd_opts(struct cmd_ctx *c, size_t size);

/* Free what cmd_resolve and the command's steps kept. */
void cmd_ctx_free(struct cmd_ctx *c);

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

extern const struct cmd cmd_ingest, cmd_flows, cmd_top, cmd_cat, cmd_info, cmd_check, cmd_purge;
extern const struct cmd cmd_events, cmd_compact;

extern const struct cmd cmd_sessions, cmd_retain;

extern const struct cmd cmd_stream;

#endif
