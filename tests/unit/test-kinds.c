/* test-kinds.c: each kind's parser of its stored line (kind-*.h) on a good
 * line, on the line with each field missing, with a value of the wrong
 * type, and cut short at every byte; and the log names kind.c owns. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kind-counters.h"
#include "kind-flows.h"
#include "kind-sessions.h"
#include "kind-stream.h"
#include "log.h"
#include "store.h"
#include "unit.h"

static char root[] = "/tmp/aggr-unit-kinds-XXXXXX";
static char aggr[4200];

/* 1 when p[0..n) is s exactly */
static int is(const char *p, size_t n, const char *s)
{
	return p && n == strlen(s) && !memcmp(p, s, n);
}

/* line with its i-th ",..." member (0: the first, after '{') dropped */
static void drop_member(const char *line, int i, char *out)
{
	const char *p = line + 1, *end = line + strlen(line) - 1;
	int k = 0, depth = 0, instr = 0;
	const char *from = NULL, *to = NULL, *start = p;

	for (const char *q = p; q <= end; q++) {
		if (instr) {
			if (*q == '\\')
				q++;
			else if (*q == '"')
				instr = 0;
			continue;
		}
		if (*q == '"')
			instr = 1;
		else if (*q == '{' || *q == '[')
			depth++;
		else if (*q == '}' || *q == ']')
			depth -= q < end;
		if ((*q == ',' && !depth) || q == end) {
			if (k == i) {
				from = start;
				to = q;
			}
			k++;
			start = q + 1;
		}
	}
	/* drop [from, to) and the comma that joins it to a neighbour */
	if (to < end)
		to++;
	else if (from > line + 1)
		from--;
	size_t a = (size_t)(from - line);
	memcpy(out, line, a);
	strcpy(out + a, to);
}

static void test_names(void)
{
	CHECK(kind_log_name_valid("flows") && kind_log_name_valid("counters") && kind_log_name_valid("events") &&
	      kind_log_name_valid("sessions") && kind_log_name_valid("streams/a.b_c-1"));
	CHECK(!kind_log_name_valid("streams/") && !kind_log_name_valid("streams/.x") &&
	      !kind_log_name_valid("streams/a/b") && !kind_log_name_valid("streams/..") &&
	      !kind_log_name_valid("flow") && !kind_log_name_valid("../flows") && !kind_log_name_valid("stream") &&
	      !kind_log_name_valid(""));
	char long_name[200];
	snprintf(long_name, sizeof(long_name), "streams/%0128d", 0);
	CHECK(kind_log_name_valid(long_name));
	snprintf(long_name, sizeof(long_name), "streams/%0129d", 0);
	CHECK(!kind_log_name_valid(long_name));
	/* the ingest KINDs: every kind but the stream's, in table order */
	CHECK_STR(kind_names(), "flows, counters, events, sessions");
}

static void test_flows(void)
{
	static const char good[] = "{\"src_app\":\"a\\\"b\",\"dest_app\":\"d\",\"vpc_id\":\"v-1\",\"hour\":7,"
				   "\"bytes_tx\":10,\"bytes_rx\":9223372036854775807}";
	struct flows_line f;
	char buf[256];

	CHECK(flows_parse_line(good, strlen(good), &f) == 0);
	CHECK(is(f.src, f.src_len, "\"a\\\"b\"") && is(f.dest, f.dest_len, "\"d\"") &&
	      is(f.vpc, f.vpc_len, "\"v-1\""));
	CHECK(f.hour == 7 && f.tx == 10 && f.rx == INT64_MAX);
	/* the head alone: the line may be damaged past the hour */
	static const char head[] = "{\"src_app\":\"a\",\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":3,\"bytes_tx\":x}";
	CHECK(flows_parse_head(head, strlen(head), &f) == 0 && f.hour == 3);
	CHECK(flows_parse_tail(head, strlen(head), &f) == -1 && flows_parse_line(head, strlen(head), &f) == -1);
	/* each field missing */
	for (int i = 0; i < 6; i++) {
		drop_member(good, i, buf);
		if (flows_parse_line(buf, strlen(buf), &f) != -1)
			printf("# accepted without field %d: %s\n", i, buf);
		CHECK(flows_parse_line(buf, strlen(buf), &f) == -1);
	}
	/* wrong types, out of range, out of order, trailing bytes */
	static const char *const bad[] = {
		"{\"src_app\":1,\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":7,\"bytes_tx\":1,\"bytes_rx\":2}",
		"{\"src_app\":\"s\",\"dest_app\":null,\"vpc_id\":\"v\",\"hour\":7,\"bytes_tx\":1,\"bytes_rx\":2}",
		"{\"src_app\":\"s\",\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":\"7\",\"bytes_tx\":1,\"bytes_rx\":2}",
		"{\"src_app\":\"s\",\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":-7,\"bytes_tx\":1,\"bytes_rx\":2}",
		"{\"src_app\":\"s\",\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":7,\"bytes_tx\":1.5,\"bytes_rx\":2}",
		"{\"src_app\":\"s\",\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":7,\"bytes_tx\":1,\"bytes_rx\":true}",
		"{\"src_app\":\"s\",\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":7,\"bytes_tx\":1,"
		"\"bytes_rx\":9223372036854775808}",
		"{\"dest_app\":\"d\",\"src_app\":\"s\",\"vpc_id\":\"v\",\"hour\":7,\"bytes_tx\":1,\"bytes_rx\":2}",
		"{\"src_app\":\"s\",\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":7,\"bytes_tx\":1,\"bytes_rx\":2} ",
		"{\"src_app\":\"s\",\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":7,\"bytes_tx\":1,\"bytes_rx\":2,\"x\":1}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(flows_parse_line(bad[i], strlen(bad[i]), &f) == -1);
	/* truncated at every byte; bytes past n are never read */
	int cut = 0;
	for (size_t n = 0; n < strlen(good); n++) {
		char *t = malloc(n ? n : 1);
		memcpy(t, good, n);
		cut += flows_parse_line(t, n, &f) == -1;
		free(t);
	}
	CHECK(cut == (int)strlen(good));
}

static void test_sessions(void)
{
	static const char good[] = "{\"user_id\":\"u\\\\1\",\"event\":\"start\",\"session_id\":\"s1\","
				   "\"ts\":\"2024-01-02T03:04:05.5\",\"country\":\"DE\"}";
	static const char nocountry[] = "{\"user_id\":\"u\",\"event\":\"end\",\"session_id\":\"s\",\"ts\":\"2024-01-02T03:04:05\"}";
	struct sessions_line s;
	struct json_doc d;
	struct buf key;
	char buf[256];

	json_doc_init(&d);
	buf_init(&key);
	CHECK(sessions_parse_line(&d, good, strlen(good), &s) == 0);
	CHECK(is(s.user, s.user_len, "u\\\\1") && is(s.event, s.event_len, "start") && s.is_start &&
	      is(s.session, s.session_len, "s1") && is(s.ts, s.ts_len, "2024-01-02T03:04:05.5") &&
	      is(s.country, s.country_len, "DE"));
	CHECK(sessions_parse_line(&d, nocountry, strlen(nocountry), &s) == 0);
	CHECK(!s.is_start && is(s.event, s.event_len, "end") && !s.country && !s.country_len);
	/* an escaped "start" is a start, as the stored value decodes */
	static const char esc[] = "{\"user_id\":\"u\",\"event\":\"st\\u0061rt\",\"session_id\":\"s\",\"ts\":\"t\"}";
	CHECK(sessions_parse_line(&d, esc, strlen(esc), &s) == 0 && s.is_start);
	/* each field missing: only country may be */
	for (int i = 0; i < 5; i++) {
		drop_member(good, i, buf);
		CHECK(sessions_parse_line(&d, buf, strlen(buf), &s) == (i == 4 ? 0 : -1));
	}
	static const char *const bad[] = {
		"{\"user_id\":1,\"event\":\"start\",\"session_id\":\"s\",\"ts\":\"t\"}",
		"{\"user_id\":\"u\",\"event\":null,\"session_id\":\"s\",\"ts\":\"t\"}",
		"{\"user_id\":\"u\",\"event\":\"end\",\"session_id\":[],\"ts\":\"t\"}",
		"{\"user_id\":\"u\",\"event\":\"end\",\"session_id\":\"s\",\"ts\":1}",
		"{\"user_id\":\"u\",\"event\":\"end\",\"session_id\":\"s\",\"ts\":\"t\",\"country\":null}",
		"{\"event\":\"end\",\"user_id\":\"u\",\"session_id\":\"s\",\"ts\":\"t\"}",
		"{\"user_id\":\"u\",\"event\":\"end\",\"session_id\":\"s\",\"ts\":\"t\",\"country\":\"D\",\"x\":\"y\"}",
		"[\"user_id\",\"u\",\"event\",\"end\",\"session_id\",\"s\",\"ts\",\"t\"]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(sessions_parse_line(&d, bad[i], strlen(bad[i]), &s) == -1);
	int cut = 0;
	for (size_t n = 0; n < strlen(good); n++)
		cut += sessions_parse_line(&d, good, n, &s) == -1;
	CHECK(cut == (int)strlen(good));
	/* the looks before parsing */
	sessions_user_key(&key, "u\\1", 3);
	CHECK(is(key.data, key.len, "\"u\\\\1\""));
	CHECK(sessions_line_of_user(good, strlen(good), key.data, key.len));
	CHECK(!sessions_line_of_user(nocountry, strlen(nocountry), key.data, key.len));
	CHECK(!sessions_line_of_user(good, 11 + key.len, key.data, key.len));
	CHECK(sessions_line_may_start(good, strlen(good)) && !sessions_line_may_start(nocountry, strlen(nocountry)));
	buf_free(&key);
	json_doc_free(&d);
}

static void test_counters(void)
{
	static const char good[] = "{\"timestamp\":1700000000,\"a.com\":3,\"b\\\"c\":0}";
	struct counters_line c;
	struct json_doc d;
	const char *name;
	size_t len;
	int64_t v;

	json_doc_init(&d);
	CHECK(counters_parse_line(&d, good, strlen(good), &c) == 0 && c.secs == 1700000000 && c.ndomains == 2);
	CHECK(counters_next_domain(&c, &name, &len, &v) == 1 && is(name, len, "a.com") && v == 3);
	CHECK(counters_next_domain(&c, &name, &len, &v) == 1 && is(name, len, "b\\\"c") && v == 0);
	CHECK(counters_next_domain(&c, &name, &len, &v) == 0 && counters_next_domain(&c, &name, &len, &v) == 0);
	static const char none[] = "{\"timestamp\":5}";
	CHECK(counters_parse_line(&d, none, strlen(none), &c) == 0 && c.ndomains == 0 &&
	      counters_next_domain(&c, &name, &len, &v) == 0);
	/* the timestamp missing, not first, not an integer */
	static const char *const bad[] = {
		"{\"a.com\":3}", "{}", "{\"a.com\":3,\"timestamp\":5}", "{\"timestamp\":\"5\",\"a\":1}",
		"{\"timestamp\":1.5}", "{\"timestamp\":99999999999999999999}", "[\"timestamp\",5]", "5",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(counters_parse_line(&d, bad[i], strlen(bad[i]), &c) == -1);
	/* a count of the wrong type: found when its domain is read */
	static const char badcount[] = "{\"timestamp\":5,\"a\":1,\"b\":\"2\",\"c\":{\"d\":1}}";
	CHECK(counters_parse_line(&d, badcount, strlen(badcount), &c) == 0 && c.ndomains == 3);
	CHECK(counters_next_domain(&c, &name, &len, &v) == 1 && is(name, len, "a") && v == 1);
	CHECK(counters_next_domain(&c, &name, &len, &v) == -1 && is(name, len, "b"));
	CHECK(counters_next_domain(&c, &name, &len, &v) == -1 && is(name, len, "c"));
	CHECK(counters_next_domain(&c, &name, &len, &v) == 0);
	int cut = 0;
	for (size_t n = 0; n < strlen(good); n++)
		cut += counters_parse_line(&d, good, n, &c) == -1;
	CHECK(cut == (int)strlen(good));
	json_doc_free(&d);
}

static void test_stream(void)
{
	static const char good[] = "{\"eventId\":\"0a1b2c3d-0000-4000-8000-00000000000f\",\"offset\":42,"
				   "\"event\":{\"name\":\"a\\\"b\",\"version\":1},\"system\":{},\"payload\":{}}";
	struct stream_rec r;
	char buf[256];

	CHECK(stream_parse_line(good, strlen(good), &r) == 0);
	CHECK(is(r.id, STREAM_ID_LEN, "0a1b2c3d-0000-4000-8000-00000000000f") && r.offset == 42 &&
	      is(r.name, r.name_len, "\"a\\\"b\"") &&
	      is(r.rest, r.rest_len, ",\"event\":{\"name\":\"a\\\"b\",\"version\":1},\"system\":{},\"payload\":{}}"));
	/* each of the fields read missing */
	for (int i = 0; i < 3; i++) {
		drop_member(good, i, buf);
		CHECK(stream_parse_line(buf, strlen(buf), &r) == -1);
	}
	static const char noname[] = "{\"eventId\":\"0a1b2c3d-0000-4000-8000-00000000000f\",\"offset\":1,"
				     "\"event\":{\"version\":1}}";
	CHECK(stream_parse_line(noname, strlen(noname), &r) == -1);
	static const char *const bad[] = {
		"{\"eventId\":\"0a1b2c3d-0000-4000-8000-00000000000f\",\"offset\":\"1\",\"event\":{\"name\":\"a\"}}",
		"{\"eventId\":\"0a1b2c3d-0000-4000-8000-00000000000f\",\"offset\":-1,\"event\":{\"name\":\"a\"}}",
		"{\"eventId\":\"0a1b2c3d-0000-4000-8000-00000000000f\",\"offset\":1,\"event\":{\"name\":1}}",
		"{\"eventId\":\"0a1b2c3d-0000-4000-8000-0000000000f\",\"offset\":1,\"event\":{\"name\":\"a\"}}",
		"{\"eventId\":\"0a1b2c3d-0000-4000-8000-00000000000f\",\"offset\":12345678901234567890,"
		"\"event\":{\"name\":\"a\"}}",
		"{\"offset\":1,\"eventId\":\"0a1b2c3d-0000-4000-8000-00000000000f\",\"event\":{\"name\":\"a\"}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(stream_parse_line(bad[i], strlen(bad[i]), &r) == -1);
	/* cut short: every cut before the name's closing quote fails; one
	 * after it parses, as the rest is not read */
	const char *close = strstr(good, "\",\"version\"");
	size_t need = (size_t)(close - good) + 1;
	int cut = 0;
	for (size_t n = 0; n < need; n++) {
		char *t = malloc(n ? n : 1);
		memcpy(t, good, n);
		cut += stream_parse_line(t, n, &r) == -1;
		free(t);
	}
	CHECK(cut == (int)need);
	CHECK(stream_parse_line(good, need, &r) == 0 && r.rest_len == need - (size_t)(r.rest - good));
}

/* A log name in a fresh data directory holding the stored lines given,
 * with their keys (and the first bloom key, when not NULL), in one run. */
static int seed(const char *dir, const char *name, const char *const *lines, const int64_t *keys,
		const char *bloom, size_t n)
{
	struct log_config cfg;
	struct log *w;
	int rc;

	if ((rc = store_config(name, &cfg)) || (rc = log_open_write(dir, name, &cfg, 0, &w)))
		return rc;
	log_begin(w, INT64_C(1700000000000000));
	for (size_t i = 0; i < n && !rc; i++) {
		struct log_bloom_key bk = {bloom, bloom ? strlen(bloom) : 0};
		rc = log_append(w, lines[i], strlen(lines[i]), keys[i], &bk, bloom ? 1 : 0);
	}
	rc = rc ? rc : log_commit(w);
	log_close(w);
	return rc;
}

/* Run aggr -d dir ARGS; 1 when it exits with code and prints exactly out
 * and err (stderr). */
static int runs(const char *dir, const char *args, int code, const char *out, const char *err)
{
	char cmd[8192], o[4096] = "", e[4096] = "";
	snprintf(cmd, sizeof(cmd), "AGGR_NOW=1700000000 '%s' -d '%s' %s >'%s/out' 2>'%s/err'", aggr, dir, args, root,
		 root);
	int st = system(cmd), rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	for (int f = 0; f < 2; f++) {
		snprintf(cmd, sizeof(cmd), "%s/%s", root, f ? "err" : "out");
		FILE *fp = fopen(cmd, "r");
		char *b = f ? e : o;
		size_t got = fp ? fread(b, 1, 4095, fp) : 0;
		b[got] = 0;
		if (fp)
			fclose(fp);
	}
	int ok = rc == code && !strcmp(o, out) && !strcmp(e, err);
	if (!ok)
		printf("# aggr %s: exit %d, stdout \"%s\", stderr \"%s\"\n", args, rc, o, e);
	return ok;
}

/* Stores a writer of aggr never leaves (a record damaged under a sound
 * checksum): each command says which record is not what its kind
 * stores, and a damaged record the query does not want is not read. */
static void test_damaged_stores(void)
{
	char dir[4300];
	int n = 0;

	/* flows: a head that parses in a wanted hour, its tail damaged */
	static const char *const fl[] = {
		"{\"src_app\":\"a\",\"dest_app\":\"b\",\"vpc_id\":\"v\",\"hour\":7,\"bytes_tx\":1,\"bytes_rx\":2}",
		"{\"src_app\":\"a\",\"dest_app\":\"b\",\"vpc_id\":\"v\",\"hour\":8,\"bytes_tx\":\"x\"}",
		"{\"src_app\":\"a\",\"dest_app\":\"b\",\"vpc_id\":\"v\",\"hour\":\"9\"}",
	};
	static const int64_t fk[] = {7, 8, 9};
	snprintf(dir, sizeof(dir), "%s/d%d", root, n++);
	CHECK(seed(dir, "flows", fl, fk, NULL, 2) == 0);
	CHECK(runs(dir, "flows --hour 7 --format csv", 0, "src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx\na,b,v,7,2,1\n",
		   ""));
	CHECK(runs(dir, "flows --hour 8", 8, "", "aggr: flows: flows: record at offset 1 is not a stored flow\n"));
	/* a head that does not parse: every query reading its block stops */
	snprintf(dir, sizeof(dir), "%s/d%d", root, n++);
	CHECK(seed(dir, "flows", fl, fk, NULL, 3) == 0);
	CHECK(runs(dir, "flows --hour 7", 8, "", "aggr: flows: flows: record at offset 2 is not a stored flow\n"));

	/* sessions: fields out of order; a ts that is no time */
	static const char *const se[] = {
		"{\"user_id\":\"u\",\"event\":\"start\",\"session_id\":\"s\",\"ts\":\"2023-11-14T22:00:00\"}",
		"{\"user_id\":\"u\",\"event\":\"end\",\"session_id\":\"s\",\"ts\":\"2023-11-14T22:05:00\"}",
	};
	static const int64_t sk[] = {INT64_C(1699999200000000), INT64_C(1699999500000000)};
	snprintf(dir, sizeof(dir), "%s/d%d", root, n++);
	CHECK(seed(dir, "sessions", se, sk, "\"u\"", 2) == 0);
	CHECK(runs(dir, "sessions --user u --format csv", 0,
		   "user_id,session_id,start,end\nu,s,2023-11-14T22:00:00,2023-11-14T22:05:00\n", ""));
	CHECK(runs(dir, "sessions --starts --days 1 --format csv", 0,
		   "country,session_id,user_id,ts\nnone,s,u,2023-11-14T22:00:00\n", ""));
	static const char *const se2[] = {
		"{\"user_id\":\"u\",\"event\":\"start\",\"ts\":\"2023-11-14T22:00:00\",\"session_id\":\"s\"}",
	};
	snprintf(dir, sizeof(dir), "%s/d%d", root, n++);
	CHECK(seed(dir, "sessions", se2, sk, "\"u\"", 1) == 0);
	CHECK(runs(dir, "sessions --user u", 8, "",
		   "aggr: sessions: sessions: record at offset 0 is not a stored session event\n"));
	CHECK(runs(dir, "sessions --starts --days 1", 8, "",
		   "aggr: sessions: sessions: record at offset 0 is not a stored session event\n"));
	static const char *const se3[] = {
		"{\"user_id\":\"u\",\"event\":\"start\",\"session_id\":\"s\",\"ts\":\"yesterday\"}",
	};
	snprintf(dir, sizeof(dir), "%s/d%d", root, n++);
	CHECK(seed(dir, "sessions", se3, sk, "\"u\"", 1) == 0);
	CHECK(runs(dir, "sessions --user u", 8, "", "aggr: sessions: sessions: record at offset 0 has a bad ts\n"));
	CHECK(runs(dir, "sessions --starts --days 1", 8, "", "aggr: sessions: sessions: record at offset 0 has a bad ts\n"));

	/* counters: a count that is no integer, read only in the window */
	static const char *const co[] = {
		"{\"timestamp\":1699999200,\"a.com\":3}",
		"{\"timestamp\":1699999800,\"a.com\":\"3\"}",
		"{\"a.com\":3,\"timestamp\":1699999900}",
	};
	static const int64_t ck[] = {INT64_C(1699999200000000), INT64_C(1699999800000000), INT64_C(1699999900000000)};
	snprintf(dir, sizeof(dir), "%s/d%d", root, n++);
	CHECK(seed(dir, "counters", co, ck, NULL, 2) == 0);
	CHECK(runs(dir, "top --since 1699999200 --until 1699999201 --format csv", 0, "Domain,NumberOfRequests\na.com,3\n",
		   ""));
	CHECK(runs(dir, "top --since 1699999800 --until 1699999801", 8, "",
		   "aggr: top: counters: record at offset 1 is not a stored counter\n"));
	/* the timestamp not first: every query reading its block stops */
	snprintf(dir, sizeof(dir), "%s/d%d", root, n++);
	CHECK(seed(dir, "counters", co, ck, NULL, 3) == 0);
	CHECK(runs(dir, "top --since 1699999200 --until 1699999201", 8, "",
		   "aggr: top: counters: record at offset 2 is not a stored counter\n"));
}

int main(int argc, char **argv)
{
	unit_name = "unit kinds";
	(void)argc;
	verbosity = -1;
	/* the aggr beside this binary (both in the build tree), unless AGGR_BIN */
	if (getenv("AGGR_BIN")) {
		snprintf(aggr, sizeof(aggr), "%s", getenv("AGGR_BIN"));
	} else {
		snprintf(aggr, sizeof(aggr), "%s", argv[0]);
		char *slash = strrchr(aggr, '/');
		snprintf(slash ? slash + 1 : aggr, sizeof(aggr) - (size_t)(slash ? slash + 1 - aggr : 0), "aggr");
	}
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	test_names();
	test_flows();
	test_sessions();
	test_counters();
	test_stream();
	test_damaged_stores();

	char cmd[256];
	snprintf(cmd, sizeof(cmd), getenv("AGGR_TEST_KEEP") ? "echo '# kept %s'" : "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	return unit_done();
}
