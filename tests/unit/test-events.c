/* test-events.c: the events kind below the command line: the id generator
 * at and past its counter's wrap (the 16777217 ids of one process that
 * repeated an id), the parsing of starts at the range's ends, and check's
 * verify hook on stores that aggr itself can no longer write (a repeated
 * id, a poison start, an update naming another start). */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kind-events.h"
#include "log.h"
#include "unit.h"

static char root[] = "/tmp/aggr-unit-events-XXXXXX";
static const unsigned char RND[5] = {0x0a, 0x70, 0x46, 0x7e, 0x93};
#define T0 INT64_C(1642284000000000)

static void test_idgen_wrap(void)
{
	struct events_idgen g;
	char a[EVENTS_ID_LEN + 1], b[EVENTS_ID_LEN + 1], c[EVENTS_ID_LEN + 1];

	/* two ids before the counter wraps, then the seconds field moves on */
	events_idgen_init(&g, RND, 0xfffffe);
	events_idgen_next(&g, T0, a);
	events_idgen_next(&g, T0, b);
	events_idgen_next(&g, T0, c);
	CHECK_STR(a, "61e343e00a70467e93fffffe");
	CHECK_STR(b, "61e343e00a70467e93ffffff");
	CHECK_STR(c, "61e343e10a70467e93000000");
	/* the clock, read again, is behind the seconds field: it stays ahead */
	events_idgen_next(&g, T0 + 500000, a);
	CHECK_STR(a, "61e343e10a70467e93000001");
	/* a later clock takes over, the counter goes on */
	events_idgen_next(&g, T0 + 5000000, a);
	CHECK_STR(a, "61e343e50a70467e93000002");
	/* at the clock's end the seconds field is the low 32 bits */
	events_idgen_init(&g, RND, 0);
	events_idgen_next(&g, INT64_C(253402300799999999), a);
	CHECK_STR(a, "fff4417f0a70467e93000000");
}

/* 2^24 + 2 ids at one clock reading from a random counter: each greater
 * than the one before (so none repeats), and each of id shape */
static void test_idgen_cycle(void)
{
	struct events_idgen g;
	char prev[EVENTS_ID_LEN + 1], cur[EVENTS_ID_LEN + 1];
	uint32_t n = (UINT32_C(1) << 24) + 2, bad = 0, shape = 0;

	events_idgen_init(&g, RND, 0x5a5a5a);
	events_idgen_next(&g, T0, prev);
	for (uint32_t i = 1; i < n; i++) {
		events_idgen_next(&g, T0, cur);
		bad += strcmp(prev, cur) >= 0;
		memcpy(prev, cur, sizeof(cur));
	}
	shape = events_id_valid(prev, strlen(prev));
	CHECK(bad == 0);
	CHECK(shape == 1);
	/* the last id: one wrap (seconds + 1), counter start + n - 1 - 2^24 */
	CHECK_STR(prev, "61e343e10a70467e935a5a5b");
}

static void test_epoch_parse(void)
{
	static const struct {
		const char *s;
		int rc;
		double v;
	} cases[] = {
		{"16", 0, 16},
		{"0x10", -1, 0},
		{"1642284000,5", -1, 0},
		{"1642284000.5", 0, 1642284000.5},
		{"1650059272.843029", 0, 1650059272.843029},
		{"1.642284e9", 0, 1642284000},
		{"1E3", 0, 1000},
		{"010", 0, 10},
		{"-0", 0, 0},
		{"-1", -3, -1},
		{"-1.0", -3, -1},
		{"-2", -2, -2},
		{"253402300799.999999", 0, EVENTS_MAX_EPOCH},
		{"2.53402300799999999e11", 0, EVENTS_MAX_EPOCH},
		{"253402300799.99997", 0, EVENTS_MAX_EPOCH},
		{"253402300800", -2, 253402300800.0},
		{"253402300799.9999995", -2, 253402300800.0},
		{"1e400", -2, INFINITY},
		{"", -1, 0},
		{"1.", -1, 0},
		{".5", -1, 0},
		{"+1", -1, 0},
		{" 1", -1, 0},
		{"1e", -1, 0},
		{"inf", -1, 0},
		{"nan", -1, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		double v = 0;
		int rc = events_epoch_parse(cases[i].s, strlen(cases[i].s), &v);
		int ok = rc == cases[i].rc && (rc == -1 || v == cases[i].v) && !signbit(rc == 0 ? v : 1);
		if (!ok)
			printf("# events_epoch_parse(\"%s\"): %d %.17g\n", cases[i].s, rc, v);
		CHECK(ok);
	}
	CHECK(events_epoch_valid(EVENTS_MAX_EPOCH));
	CHECK(!events_epoch_valid(253402300800.0));
	CHECK(!events_epoch_valid(-1));
	CHECK(events_epoch_from_us(INT64_C(253402300799999999)) == EVENTS_MAX_EPOCH);
	CHECK(events_epoch_from_us(INT64_C(253402300799999969)) == EVENTS_MAX_EPOCH);
	CHECK(events_epoch_from_us(INT64_C(1642284000123456)) == 1642284000.123456);
	CHECK(events_stop_valid(5, -1) && events_stop_valid(5, 5) && !events_stop_valid(5, 4) &&
	      !events_stop_valid(5, 253402300800.0));
}

/* A store holding lines (each with the key of its own start, unless
 * keys[i] is not 0) as one run; then check's two passes on a reader.
 * Returns log_check's code, or else verify's; err_msg() tells why. */
static int store_and_verify(const char *name, const char *const *lines, size_t n, const int64_t *keys)
{
	char dir[512];
	struct log_config cfg;
	struct log *l;
	struct log_check_stats cs;
	int rc;

	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	err_clear();
	if (log_config_init(&cfg, "events", 0, 0) || log_open_write(dir, "events", &cfg, 0, &l))
		return -1;
	log_begin(l, T0);
	for (size_t i = 0; i < n; i++) {
		int64_t key = 0;
		if (keys && keys[i])
			key = keys[i];
		else if (kind_events.stored_key(lines[i], strlen(lines[i]), &key))
			key = 0;  /* a poison line: any key */
		if (log_append(l, lines[i], strlen(lines[i]), key, NULL, 0))
			return -1;
	}
	if (log_commit(l))
		return -1;
	log_close(l);
	if (log_open_read(dir, "events", &l))
		return -1;
	rc = log_check(l, &cs);
	if (!rc)
		rc = kind_events.verify(l);
	log_close(l);
	return rc;
}

#define EV(id, start, stop) "{\"_id\":\"" id "\",\"start_epoch\":" start ",\"stop_epoch\":" stop ",\"tags\":[\"a\"]}"
#define ID1 "61e343e00a70467e93000001"
#define ID2 "61e343e00a70467e93000002"

static void test_verify(void)
{
	const char *clean[] = {
		EV(ID1, "1642284000", "-1"),
		EV(ID2, "1642284000.5", "1642284001"),
		"{\"_op\":\"stop\",\"_id\":\"" ID1 "\",\"start_epoch\":1642284000,\"stop_epoch\":1642284002}",
		/* an update of an event that is not stored (retained away) is fine */
		"{\"_op\":\"remove\",\"_id\":\"61e343e00a70467e93000009\",\"start_epoch\":7}",
		"{\"_op\":\"remove\",\"_id\":\"" ID2 "\",\"start_epoch\":1642284000.5}",
	};
	CHECK(store_and_verify("clean", clean, 5, NULL) == 0);

	const char *twice[] = {EV(ID1, "1642284000", "-1"), EV(ID2, "5", "-1"), EV(ID1, "6", "-1")};
	CHECK(store_and_verify("twice", twice, 3, NULL) == EX_CORRUPT);
	CHECK_STR(err_msg(), "events/00000000000000000000.jsonl.gz.open: offset 0: record 3 of the block: "
			     "_id " ID1 " is stored twice (first in the block at "
			     "events/00000000000000000000.jsonl.gz.open offset 0)");

	/* what AGGR_NOW=-1 stored before it was range-checked */
	const char *poison[] = {EV(ID1, "1642284000", "-1"), EV(ID2, "-1", "-1")};
	CHECK(store_and_verify("poison", poison, 2, NULL) == EX_CORRUPT);
	CHECK_STR(err_msg(), "events/00000000000000000000.jsonl.gz.open: offset 0: record 2 of the block: "
			     "not a valid stored event: " EV(ID2, "-1", "-1"));

	const char *past[] = {EV(ID1, "253402300800", "-1")};
	CHECK(store_and_verify("past", past, 1, NULL) == EX_CORRUPT);
	CHECK(strstr(err_msg(), "not a valid stored event") != NULL);

	const char *stop[] = {EV(ID1, "10", "9")};
	CHECK(store_and_verify("stop", stop, 1, NULL) == EX_CORRUPT);
	CHECK(strstr(err_msg(), "not a valid stored event") != NULL);

	const char *tags[] = {"{\"_id\":\"" ID1 "\",\"start_epoch\":1,\"stop_epoch\":-1,\"tags\":[1]}"};
	CHECK(store_and_verify("tags", tags, 1, NULL) == EX_CORRUPT);
	CHECK(strstr(err_msg(), "not a valid stored event") != NULL);

	const char *other[] = {EV(ID1, "1642284000", "-1"),
			       "{\"_op\":\"stop\",\"_id\":\"" ID1 "\",\"start_epoch\":1642284001,\"stop_epoch\":1642284002}"};
	CHECK(store_and_verify("other", other, 2, NULL) == EX_CORRUPT);
	CHECK_STR(err_msg(), "events/00000000000000000000.jsonl.gz.open: offset 0: record 2 of the block: "
			     "stop of event " ID1 " names another start_epoch than the event's");

	/* a key that is not its start: a read by window would skip it */
	const char *key[] = {EV(ID1, "1642284000", "-1"), EV(ID2, "1642284000", "-1")};
	int64_t keys[] = {INT64_C(1642284000000000), INT64_C(1642283000000000)};
	CHECK(store_and_verify("key", key, 2, keys) == 0);  /* both inside [min, max] */
	int64_t keys2[] = {INT64_C(1642283000000000), INT64_C(1642283000000001)};
	CHECK(store_and_verify("key2", key, 2, keys2) == EX_CORRUPT);
	CHECK_STR(err_msg(), "events/00000000000000000000.jsonl.gz.open: offset 0: record 1 of the block: "
			     "start_epoch outside the key range of its block");
	err_clear();
}

int main(void)
{
	unit_name = "unit events";
	verbosity = -1;
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	unsetenv("AGGR_NOW");
	unsetenv("AGGR_SEGMENT_BYTES");
	unsetenv("AGGR_BLOCK_BYTES");
	test_idgen_wrap();
	test_idgen_cycle();
	test_epoch_parse();
	test_verify();

	char cmd[256];
	snprintf(cmd, sizeof(cmd), getenv("AGGR_TEST_KEEP") ? "echo '# kept %s'" : "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	return unit_done();
}
