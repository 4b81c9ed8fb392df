/* test-state.c: named run state (log_state_put/get, "producers") through
 * the log API: set in a committed run, kept by one that aborts or never
 * commits, dropped by the next writer's open, old bare lines, damage. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log-int.h"
#include "unit.h"

static char root[] = "/tmp/aggr-unit-state-XXXXXX";
static const char *LOG = "streams/s";
static const int64_t T0 = INT64_C(1700000000000000);
static struct log_config cfg;

/* The producers file as it is on disk ("-" when absent). */
static const char *file(void)
{
	static struct buf b;
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s/producers", root, LOG);
	if (read_file(path, &b, 1 << 20) < 0)
		return "-";
	return b.data ? b.data : "";
}

static void put_file(const char *text)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/%s", root, LOG);
	if (atomic_replace(dir, "producers", text, strlen(text)))
		printf("# cannot write producers: %s\n", err_msg());
}

/* The committed value a reader sees, or "ERR n: message". */
static const char *get(void)
{
	static char out[512];
	struct log *r;
	struct buf v;
	int rc;

	buf_init(&v);
	if ((rc = log_open_read(root, LOG, &r)) == 0) {
		rc = log_state_get(r, "producers", &v);
		log_close(r);
	}
	if (rc)
		snprintf(out, sizeof(out), "ERR %d: %s", rc, err_msg());
	else
		snprintf(out, sizeof(out), "%s", v.data ? v.data : "");
	err_clear();
	buf_free(&v);
	return out;
}

/* A writer's run of n records that sets producers to value (NULL: not at
 * all); then commit (how 'c'), log_abort and log_state_abort ('a'), or, in
 * a child process, an exit without either, as a crash leaves it ('x').
 * Returns the first failure's code. */
static int run(size_t n, const char *value, char how)
{
	struct log *w;
	pid_t pid = how == 'x' ? fork() : 0;
	int rc, status;

	if (pid < 0)
		return -1;
	if (pid > 0)
		return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	if ((rc = log_open_write(root, LOG, &cfg, 0, &w)))
		return rc;
	log_begin(w, T0);
	for (size_t i = 0; i < n && !rc; i++)
		rc = log_append(w, "{\"e\":1}", 7, 0, NULL, 0);
	if (!rc && value)
		rc = log_state_put(w, "producers", value, strlen(value));
	if (how == 'x')
		_exit(rc);  /* no commit, no abort, no close */
	if (!rc && how == 'c')
		rc = log_commit(w);
	if (how == 'a') {
		log_abort(w);
		log_state_abort(w);
	}
	log_close(w);
	return rc;
}

static void test_commit(void)
{
	CHECK(run(1, NULL, 'c') == 0);
	CHECK_STR(file(), "-");
	CHECK_STR(get(), "");
	CHECK(run(2, "p", 'c') == 0);
	CHECK_STR(file(), "p 3\n");
	CHECK_STR(get(), "p");
	/* a run without a put leaves the value */
	CHECK(run(1, NULL, 'c') == 0);
	CHECK_STR(get(), "p");
}

static void test_uncommitted(void)
{
	/* aborted: the old value again at once */
	CHECK(run(1, "q", 'a') == 0);
	CHECK_STR(file(), "p 3\n");
	CHECK_STR(get(), "p");
	/* never committed (a crash): the file holds the claim, which no reader
	 * counts, and the next writer's open drops */
	CHECK(run(2, "q", 'x') == 0);
	CHECK_STR(file(), "p 3\nq 6\n");
	CHECK_STR(get(), "p");
	CHECK(run(0, NULL, 'c') == 0);
	CHECK_STR(file(), "p 3\n");
	CHECK_STR(get(), "p");
	/* even after later runs reach the claim's offset */
	CHECK(run(2, "q", 'x') == 0);
	CHECK(run(3, NULL, 'c') == 0);
	CHECK_STR(file(), "p 3\n");
	CHECK_STR(get(), "p");
	/* a new value replaces the old one once committed */
	CHECK(run(1, "r", 'c') == 0);
	CHECK_STR(file(), "p 3\nr 8\n");
	CHECK_STR(get(), "r");
	CHECK(run(0, NULL, 'c') == 0);
	CHECK_STR(file(), "r 8\n");
}

static void test_refused(void)
{
	struct log *w;

	CHECK(log_open_write(root, LOG, &cfg, 0, &w) == 0);
	CHECK(log_state_put(w, "producers", "p", 1) == EX_FAIL);  /* no run */
	CHECK_STR(err_msg(), "streams/s: producers set outside a run that holds records");
	err_clear();
	log_begin(w, T0);
	CHECK(log_state_put(w, "producers", "p", 1) == EX_FAIL);  /* no record yet */
	err_clear();
	CHECK(log_append(w, "{}", 2, 0, NULL, 0) == 0);
	CHECK(log_state_put(w, "producers", "a b", 3) == EX_DATA);
	err_clear();
	CHECK(log_state_put(w, "producers", "", 0) == EX_DATA);
	err_clear();
	CHECK(log_state_put(w, "owners", "p", 1) == EX_FAIL);
	err_clear();
	log_abort(w);
	log_close(w);
	CHECK_STR(file(), "r 8\n");
}

static void test_old_and_damaged(void)
{
	/* a bare line from before offsets: it counts when the log has records */
	put_file("old\n");
	CHECK_STR(get(), "old");
	CHECK(run(0, NULL, 'c') == 0);
	CHECK_STR(file(), "old\n");
	/* damage is reported, naming the file and never quoting it */
	put_file("\xff\xfe\x01 3\n");
	CHECK_STR(get(), "ERR 8: streams/s/producers: line 1 is damaged (not \"PRODUCER OFFSET\")");
	put_file("p 3\nq x\n");
	CHECK_STR(get(), "ERR 8: streams/s/producers: line 2 is damaged (not \"PRODUCER OFFSET\")");
	put_file("p 0\n");
	CHECK_STR(get(), "ERR 8: streams/s/producers: line 1 is damaged (not \"PRODUCER OFFSET\")");
	put_file("p -3\n");
	CHECK_STR(get(), "ERR 8: streams/s/producers: line 1 is damaged (not \"PRODUCER OFFSET\")");
	char big[5000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	put_file(big);
	CHECK_STR(get(), "ERR 8: streams/s/producers: damaged: larger than 4096 bytes");
	/* so is a writer's open, which would have to read it, and a check */
	CHECK(run(0, NULL, 'c') == EX_CORRUPT);
	err_clear();
	struct log *r;
	CHECK(log_open_read(root, LOG, &r) == 0);
	CHECK(log_state_check(r) == EX_CORRUPT);
	CHECK_STR(err_msg(), "streams/s/producers: damaged: larger than 4096 bytes");
	err_clear();
	log_close(r);
	/* torn last line: ignored, and dropped by the next writer */
	put_file("p 3\nq");
	CHECK_STR(get(), "p");
	CHECK(run(0, NULL, 'c') == 0);
	CHECK_STR(file(), "p 3\n");
	CHECK(log_open_read(root, LOG, &r) == 0);
	CHECK(log_state_check(r) == 0);
	log_close(r);
	/* batches and keys: the same loader, the same kind of message */
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/%s", root, LOG);
	CHECK(atomic_replace(dir, "batches", "b1 0 1\n\x80 2\n", 12) == 0);
	CHECK(run(0, NULL, 'c') == EX_CORRUPT);
	CHECK_STR(err_msg(), "streams/s/batches: line 2 is damaged (not \"ID FIRST NEXT\")");
	err_clear();
	CHECK(atomic_replace(dir, "batches", "b1 0 1\nb2 1 99\n", 16) == 0);
	CHECK(atomic_replace(dir, "keys", "k1 2\n\x01 3\n", 10) == 0);
	CHECK(run(0, NULL, 'c') == EX_CORRUPT);
	CHECK_STR(err_msg(), "streams/s/keys: line 2 is damaged (not \"KEY OFFSET\")");
	err_clear();
	CHECK(atomic_replace(dir, "keys", "k1 2\nk2 99\n", 11) == 0);
	/* recovery keeps what committed and drops the rest */
	CHECK(run(0, NULL, 'c') == 0);
	struct buf b;
	buf_init(&b);
	char path[4200];
	snprintf(path, sizeof(path), "%s/batches", dir);
	CHECK(read_file(path, &b, 1 << 20) == 0);
	CHECK_STR(b.data, "b1 0 1\n");
	snprintf(path, sizeof(path), "%s/keys", dir);
	CHECK(read_file(path, &b, 1 << 20) == 0);
	CHECK_STR(b.data, "k1 2\n");
	buf_free(&b);
}

static void test_empty_log(void)
{
	/* a bare line in a log without records is left from a run that never
	 * committed: it does not count, and writers remove it */
	LOG = "streams/t";
	CHECK(run(0, NULL, 'c') == 0);
	put_file("old\n");
	CHECK_STR(get(), "");
	CHECK(run(0, NULL, 'c') == 0);
	CHECK_STR(file(), "-");
	CHECK(run(1, "p", 'x') == 0);
	CHECK_STR(file(), "p 1\n");
	CHECK_STR(get(), "");
	CHECK(run(0, NULL, 'c') == 0);
	CHECK_STR(file(), "-");
}

int main(void)
{
	unit_name = "unit state";
	verbosity = -1;
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	unsetenv("AGGR_NOW");
	unsetenv("AGGR_BLOCK_BYTES");
	unsetenv("AGGR_SEGMENT_BYTES");
	if (log_config_init(&cfg, "stream", 0, 0))
		return 1;
	test_commit();
	test_uncommitted();
	test_refused();
	test_old_and_damaged();
	test_empty_log();

	char cmd[256];
	snprintf(cmd, sizeof(cmd), getenv("AGGR_TEST_KEEP") ? "echo '# kept %s'" : "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	return unit_done();
}
