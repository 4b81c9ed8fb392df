/* aggr: global options, the command table, exit status */
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "timefmt.h"

struct global_opts G = {.format = OUT_JSON, .wait_secs = 10, .progress = -1};

static int cmd_help_run(int argc, char **argv);
static const struct cmd cmd_help = {
	"help", cmd_help_run, "show help for aggr or a command",
	"usage: aggr help [COMMAND]\n",
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

static int cmd_help_run(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		main_usage(stdout);
		return 0;
	}
	if (!(c = cmd_find(argv[1])))
		return cmd_usage_error(&cmd_help, "unknown command: %s", argv[1]);
	fputs(c->help, stdout);
	return 0;
}

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

int cmd_reader_dir(const char *dir)
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
	static const struct cmd top = {"aggr", NULL, "", ""};
	const struct cmd *cmd;
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
	rc = cmd->run(argc, argv);
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
