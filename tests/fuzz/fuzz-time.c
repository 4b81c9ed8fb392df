/* fuzz-time: time_parse and time_parse_absolute on a NUL-terminated copy of
 * the input. A time that parses must format with time_format_utc to text
 * that time_parse_absolute reads back as the same microseconds. */
#include "fuzz.h"

#include <string.h>

#include "timefmt.h"

/* AGGR_NOW of the CLI tests: 2022-01-15T22:00:00.123456Z */
#define NOW INT64_C(1642284000123456)

static void roundtrip(const char *in, int64_t us)
{
	char out[64];
	int64_t back = 0;

	memset(out, 0x55, sizeof(out));
	size_t n = time_format_utc(us, out);
	FUZZ_ASSERT(n < 40 && out[n] == 0 && strlen(out) == n);
	int rc = time_parse_absolute(out, &back);
	if (rc || back != us)
		fprintf(stderr, "\"%s\" -> %lld us -> \"%s\" -> %s %lld\n", in, (long long)us, out,
			rc ? "rejected" : "parsed as", (long long)back);
	FUZZ_ASSERT(rc == 0 && back == us);
	/* the epoch form of the same instant reads back too */
	snprintf(out, sizeof(out), "%s%lld.%06lld", us < 0 ? "-" : "",
		 (long long)(us < 0 ? -(us / 1000000) : us / 1000000),
		 (long long)(us < 0 ? -(us % 1000000) : us % 1000000));
	rc = time_parse_absolute(out, &back);
	if (rc == 0 && back != us)
		fprintf(stderr, "\"%s\" -> %lld us -> \"%s\" -> %lld\n", in, (long long)us, out, (long long)back);
	FUZZ_ASSERT(rc != 0 || back == us);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	int64_t us = 0;

	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	s[size] = 0;
	if (time_parse_absolute(s, &us) == 0)
		roundtrip(s, us);
	if (time_parse(s, NOW, &us) == 0)
		roundtrip(s, us);
	free(s);
	return 0;
}
