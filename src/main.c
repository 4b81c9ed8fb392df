/* aggr: the command table, dispatch, exit status (cmd.c: what every command shares) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd.h"

struct global_opts G = {.format = OUT_JSON, .wait_secs = 10, .progress = -1};

static int cmd_help_run(struct cmd_ctx *c);
static const struct cmd cmd_help = {
	.name = "help", .run = cmd_help_run, .flags = CMD_NO_DIR,
	.summary = "show help for aggr or a command",
	.help = "usage: aggr help [COMMAND]\n",
};

/* The command table: one entry per cmd-*.c file. */
static const struct cmd *const commands[] = {
	&cmd_ingest, &cmd_flows, &cmd_top, &cmd_events,
	&cmd_sessions, &cmd_stream, &cmd_cat, &cmd_info, &cmd_check, &cmd_compact, &cmd_retain, &cmd_purge, &cmd_help,
};

const struct cmd *cmd_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static void main_usage(FILE *f)
{
	fputs("usage: aggr [-d DIR] [-q|-v] COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\n"
	      "Options (before or after the command):\n"
	      "  -d, --data-dir DIR  data directory (default $AGGR_DIR, $XDG_DATA_HOME/aggr,\n"
	      "                      ~/.local/share/aggr)\n"
	      "  -q, --quiet         report errors only\n"
	      "  -v, --verbose       report what was done\n"
	      "      --format FMT    json (default), ndjson, csv, tsv, table\n"
	      "      --wait SECS     writers wait for the lock this long (default 10;\n"
	      "                      0: not at all, forever: until it is free)\n"
	      "      --no-wait       writers fail with exit 5 when the log is locked\n"
	      "      --[no-]progress progress on stderr (default: when it is a terminal)\n"
	      "  -h, --help          show help\n"
	      "  -V, --version       show the version\n"
	      "\n"
	      "Run 'aggr help COMMAND' for a command's options; 'man aggr' for the rest.\n", f);
}

/* help has no parse: its argument may be anything, such as "-x" */
static int cmd_help_run(struct cmd_ctx *ctx)
{
	const struct cmd *c;

	if (ctx->argc < 2) {
		main_usage(stdout);
		return 0;
	}
	if (!(c = cmd_find(ctx->argv[1])))
		return cmd_usage_error(&cmd_help, "unknown command: %s", ctx->argv[1]);
	fputs(c->help, stdout);
	return 0;
}

/* Exit status after everything was written: stdout errors are failures.
 * reported: the command's own error already was one, so it is not said
 * twice. */
static int finish(const char *name, int rc, int reported)
{
	if ((fflush(stdout) != 0 || ferror(stdout)) && !reported) {
		if (name)
			fprintf(stderr, "aggr: %s: cannot write standard output: %s\n", name, strerror(errno));
		else
			fprintf(stderr, "aggr: cannot write standard output: %s\n", strerror(errno));
		if (!rc)
			rc = EX_FAIL;
	}
	return rc;
}

/*
 * Make sure descriptors 0, 1 and 2 are open, as git's sanitize_stdfds does:
 * started with one of them closed, the next open() would hand out that
 * number, so the LOCK or a segment file would become stdout or stderr and a
 * message would be written into the log. Each closed one becomes /dev/null
 * (reads see an empty input, writes go nowhere). Returns 0, or -1 when a
 * closed one cannot be filled: then no file is safe to open.
 */
static int sanitize_stdfds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* the lowest free number: fd itself, as the lower ones are open */
		int nfd = open("/dev/null", O_RDWR);
		if (nfd < 0)
			return -1;
		if (nfd != fd) {
			int ok = dup2(nfd, fd) == fd;
			close(nfd);
			if (!ok)
				return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONGOPTS,
		{"version", no_argument, 0, 'V'},
		{0, 0, 0, 0},
	};
	static const struct cmd top = {.name = "aggr", .summary = "", .help = ""};
	const struct cmd *cmd;
	struct cmd_ctx ctx;
	int c, rc;

	if (sanitize_stdfds() < 0) {
		if (fcntl(2, F_GETFD) >= 0)
			fprintf(stderr, "aggr: cannot open /dev/null for a closed standard descriptor: %s\n",
				strerror(errno));
		return EX_FAIL;
	}
	/* checked here, as the other AGGR_ variables are where they are read:
	 * a typo must not silently mean "one per CPU" */
	const char *threads = getenv("AGGR_THREADS");
	int64_t nthreads;
	if (threads && *threads && (parse_i64(threads, strlen(threads), &nthreads) || nthreads < 1 ||
				    nthreads > 1024 || threads[0] == '+')) {
		fprintf(stderr, "aggr: AGGR_THREADS: not a number of threads from 1 to 1024: %s\n", threads);
		return EX_USAGE;
	}
	/* past a file size limit, fail the write (EFBIG) and roll back, not die */
	signal(SIGXFSZ, SIG_IGN);
	/* a reader holds every segment's files open for its snapshot: take
	 * the descriptors the hard limit allows, as databases do, or a log of
	 * a few hundred segments would not open under the usual soft 1024 */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:d:qvhV", opts, NULL)) != -1) {
		if (c == 'h') {
			main_usage(stdout);
			return finish(NULL, 0, 0);
		}
		if (c == 'V') {
			puts("aggr " AGGR_VERSION);
			return finish(NULL, 0, 0);
		}
		if (c == ':' || c == '?') {
			fprintf(stderr, "aggr: %s: %s\nTry 'aggr --help'.\n",
				c == ':' ? "option requires an argument" : "unknown option", argv[optind - 1]);
			return EX_USAGE;
		}
		if ((rc = cmd_common_opt(&top, c, argv)) >= 0)
			return finish(NULL, rc, 0);
	}
	if (optind >= argc) {
		main_usage(stderr);
		return EX_USAGE;
	}
	if (!(cmd = cmd_find(argv[optind]))) {
		fprintf(stderr, "aggr: unknown command: %s\nTry 'aggr --help'.\n", argv[optind]);
		return EX_USAGE;
	}
	prog_cmd = cmd->name;
	argv += optind;
	argc -= optind;
	optind = 0;  /* glibc: restart getopt for the command's own options */
	memset(&ctx, 0, sizeof(ctx));
	ctx.cmd = cmd;
	ctx.argc = argc;
	ctx.argv = argv;
	ctx.flags = cmd->flags;
	rc = cmd->parse ? cmd->parse(&ctx, argc, argv) : -1;
	if (rc < 0 && !(rc = cmd_resolve(&ctx)))
		rc = cmd->run(&ctx);
	cmd_ctx_free(&ctx);
	if (stop_signal && stop_honoured && rc) {
		/* a writer stopped by a signal has undone its run: end as the
		 * signal would have, so that the shell sees 128 + its number.
		 * One that came after the commit point stopped nothing: the
		 * command succeeded, and says so. */
		int sig = stop_signal;
		fflush(stdout);
		signal(sig, SIG_DFL);
		raise(sig);
		return 128 + sig;
	}
	static const char wrote[] = "cannot write standard output";
	int reported = rc && !strncmp(err_msg(), wrote, sizeof(wrote) - 1);
	if (rc && *err_msg())
		fprintf(stderr, "aggr: %s: %s\n", cmd->name, err_msg());
	return finish(cmd->name, rc, reported);
}
