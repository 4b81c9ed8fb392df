#include "timefmt.h"
#include "unit.h"

#define S INT64_C(1000000)
/* 2022-01-15T22:00:00Z and the midnight that starts that day, in seconds */
#define B INT64_C(1642284000)
#define D15 INT64_C(1642204800)

/* time_parse_absolute(s) gives want, with the time zone set to zone (NULL:
 * UTC): it ignores the zone */
struct abs_case { const char *zone, *s; int64_t want; };

static const struct abs_case abs_ok[] = {
	{NULL, "1642284000", INT64_C(1642284000000000)},
	{NULL, "1642284000.25", INT64_C(1642284000250000)},
	{NULL, "2022-01-15T22:00:00Z", INT64_C(1642284000000000)},
	{NULL, "2022-01-16T00:00:00+02:00", INT64_C(1642284000000000)},
	{NULL, "2022-01-15 22:00:00.5", INT64_C(1642284000500000)},
	{NULL, "2024-02-29T00:00:00Z", INT64_C(1709164800000000)},
	/* time_parse_absolute: epoch seconds */
	{NULL, "0", 0},
	{NULL, "1", S},
	{NULL, "1642284000", B * S},
	{NULL, "253402300799", INT64_C(253402300799) * S},
	{NULL, "0.5", 500000},
	{NULL, "-1.5", -1500000},
	{NULL, "20220115", INT64_C(20220115) * S},  /* digits only: epoch seconds */
	/* fractions of 1 to 9 digits, truncated (not rounded) past microseconds */
	{NULL, "1642284000.1", B * S + 100000},
	{NULL, "1642284000.12", B * S + 120000},
	{NULL, "1642284000.123", B * S + 123000},
	{NULL, "1642284000.1234", B * S + 123400},
	{NULL, "1642284000.12345", B * S + 123450},
	{NULL, "1642284000.123456", B * S + 123456},
	{NULL, "1642284000.1234567", B * S + 123456},
	{NULL, "1642284000.12345678", B * S + 123456},
	{NULL, "1642284000.123456789", B * S + 123456},
	{NULL, "1642284000.999999999", B * S + 999999},
	{NULL, "1642284000.000001", B * S + 1},
	{NULL, "1642284000.0000009", B * S},
	{NULL, "1642284000.000000000", B * S},
	/* time_parse_absolute: ISO 8601 / RFC 3339 */
	{NULL, "1970-01-01T00:00:00Z", 0},
	{NULL, "1969-12-31T23:59:59Z", -S},
	{NULL, "1969-12-31T23:59:59.999999Z", -1},
	{NULL, "0001-01-01T00:00:00Z", INT64_C(-62135596800) * S},
	{NULL, "9999-12-31T23:59:59Z", INT64_C(253402300799) * S},
	{NULL, "2022-01-15T22:00:00Z", B * S},
	{NULL, "2022-01-15t22:00:00z", B * S},
	{NULL, "2022-01-15 22:00:00Z", B * S},
	{NULL, "2022-01-15T22:00:00", B * S},  /* no zone: UTC */
	{NULL, "2022-01-15T22:00Z", B * S},  /* no seconds */
	{NULL, "2022-01-15T22:00", B * S},
	{NULL, "2022-01-15 22:00", B * S},
	{NULL, "2022-01-15T22:01", (B + 60) * S},
	{NULL, "2022-01-15T22:00:01Z", (B + 1) * S},
	{NULL, "2022-01-15", D15 * S},  /* midnight */
	{NULL, "2022-01-15T00:00:00Z", D15 * S},
	{NULL, "2022-01-15T23:59:59Z", (D15 + 86399) * S},
	{NULL, "2022-12-31T23:59:59Z", INT64_C(1672531199) * S},
	{NULL, "2023-01-01", INT64_C(1672531200) * S},
	/* ISO fractions, with a point or a comma */
	{NULL, "2022-01-15T22:00:00.5Z", B * S + 500000},
	{NULL, "2022-01-15T22:00:00,5Z", B * S + 500000},
	{NULL, "2022-01-15T22:00:00.1", B * S + 100000},
	{NULL, "2022-01-15T22:00:00.12Z", B * S + 120000},
	{NULL, "2022-01-15T22:00:00.123Z", B * S + 123000},
	{NULL, "2022-01-15T22:00:00.1234Z", B * S + 123400},
	{NULL, "2022-01-15T22:00:00.12345Z", B * S + 123450},
	{NULL, "2022-01-15T22:00:00.123456Z", B * S + 123456},
	{NULL, "2022-01-15T22:00:00.1234567Z", B * S + 123456},
	{NULL, "2022-01-15T22:00:00.12345678Z", B * S + 123456},
	{NULL, "2022-01-15T22:00:00.123456789Z", B * S + 123456},
	{NULL, "2022-01-15T22:00:00.999999999Z", B * S + 999999},
	{NULL, "2022-01-15T22:00:00.000001+00:00", B * S + 1},
	/* offsets */
	{NULL, "2022-01-16T03:30:00+05:30", B * S},
	{NULL, "2022-01-15T14:00:00-08:00", B * S},
	{NULL, "2022-01-15T22:00:00+00:00", B * S},
	{NULL, "2022-01-15T22:00:00-00:00", B * S},
	{NULL, "2022-01-16T03:30:00+0530", B * S},
	{NULL, "2022-01-15T14:00:00-0800", B * S},
	{NULL, "2022-01-15T22:00:00+0000", B * S},
	{NULL, "2022-01-16T03:30+05:30", B * S},
	{NULL, "2022-01-16T03:30:00.25+05:30", B * S + 250000},
	{NULL, "2022-01-15T12:15:00-09:45", B * S},
	{NULL, "2022-01-16T21:59:00+23:59", B * S},
	{NULL, "2022-01-01T05:00:00+05:00", INT64_C(1640995200) * S},  /* back a year */
	/* leap years */
	{NULL, "2000-02-29", INT64_C(951782400) * S},
	{NULL, "2000-02-29T23:59:59Z", INT64_C(951868799) * S},
	{NULL, "2000-03-01", INT64_C(951868800) * S},
	{NULL, "2024-02-29", INT64_C(1709164800) * S},
	{NULL, "1600-02-29", INT64_C(-11670998400) * S},
	{NULL, "2400-02-29", INT64_C(13574563200) * S},
	{NULL, "2023-02-28", INT64_C(1677542400) * S},
	{"Asia/Kolkata", "2022-01-15T22:00:00", B * S},  /* time_parse_absolute stays in UTC */
	{"Asia/Kolkata", "2022-01-15", D15 * S},
};

/* time_parse_absolute refuses s */
static const char *const abs_bad[] = {
	"2023-02-29T00:00:00Z",
	"2016-11-40T14:54:48",
	"yesterday",
	"12x",
	"1642284000.",
	".5",
	"1642284000.5.5",
	"1642284000x",
	"1642284000 ",
	" 1642284000",
	"+1642284000",
	"--1",
	"-",
	"1e9",
	"0x10",
	"99999999999999999999",
	"1642284000.5Z",
	"2022-01-15T22:00:00.Z",
	"2022-01-15T22:00:00.",
	"2022-01-15T22:00:00+24:00",
	"2022-01-15T22:00:00+05:60",
	"2022-01-15T22:00:00+5:30",
	"2022-01-15T22:00:00+05:3",
	"2022-01-15T22:00:00+05:30:00",
	"2022-01-15T22:00:00+05:30Z",
	"2022-01-15T22:00:00Z+05:30",
	"2022-01-15T22:00:00+",
	"2022-01-15+05:30",
	"2022-01-15Z",
	"1900-02-29",
	"2100-02-29",
	"2023-02-29",
	"2023-02-29T12:00:00Z",
	"2024-02-30",
	/* impossible fields */
	"2022-01-15T24:00:00Z",
	"2022-01-15T24:00",
	"2022-01-15T23:60:00Z",
	"2022-01-15T23:59:61Z",
	"2022-13-01",
	"2022-00-10",
	"2022-01-00",
	"2022-01-32",
	"2022-04-31",
	"2022-06-31T00:00:00Z",
	/* malformed */
	"",
	NULL,
	"2022-01-15T22:00:00Zjunk",
	"2022-01-15T22:00:00Z ",
	" 2022-01-15",
	"2022-01-15 ",
	"2022-01-15T",
	"2022-01-15T22",
	"2022-01-15T22:",
	"2022-01-15T22:0",
	"2022-01-15T22:00:",
	"2022-01-15T22:00:0Z",
	"2022-01-15T2:00:00Z",
	"2022-01-15X22:00:00Z",
	"2022-01-15T22-00-00Z",
	"2022-1-15",
	"2022-01-5",
	"22-01-15",
	"2022/01/15",
	"2022-0a-15",
	/* the words and relative times are time_parse's, not absolute times */
	"now",
	"today",
	"-1h",
	"+15m",
};

/* time_parse(s, now) gives want in zone (NULL: UTC) */
struct parse_case { const char *zone, *s; int64_t now, want; };

static const struct parse_case parse_ok[] = {
	{NULL, "-1h", INT64_C(7200000000), INT64_C(3600000000)},
	{NULL, "today", INT64_C(90000000000), INT64_C(86400000000)},
	/* time_parse in UTC */
	{NULL, "now", B * S, B * S},
	{NULL, "now", -1, -1},
	{NULL, "today", B * S, D15 * S},
	{NULL, "yesterday", B * S, (D15 - 86400) * S},
	{NULL, "today", D15 * S, D15 * S},  /* at midnight */
	{NULL, "yesterday", D15 * S, (D15 - 86400) * S},
	{NULL, "today", D15 * S - 1, (D15 - 86400) * S},  /* just before */
	{NULL, "yesterday", D15 * S - 1, (D15 - 172800) * S},
	{NULL, "today", -1, -86400 * S},  /* before 1970 */
	{NULL, "yesterday", -1, -172800 * S},
	{NULL, "today", B * S + 123, D15 * S},
	{NULL, "-1h", B * S, (B - 3600) * S},
	{NULL, "-30m", B * S, (B - 1800) * S},
	{NULL, "-7d", B * S, (B - 7 * 86400) * S},
	{NULL, "+15m", B * S, (B + 900) * S},
	{NULL, "-10s", B * S, (B - 10) * S},
	{NULL, "-90s", B * S, (B - 90) * S},
	{NULL, "-2w", B * S, (B - 14 * 86400) * S},
	{NULL, "+1w", B * S, (B + 7 * 86400) * S},
	{NULL, "+36h", B * S, (B + 36 * 3600) * S},
	{NULL, "-0d", B * S, B * S},
	{NULL, "+0s", B * S, B * S},
	{NULL, "-1h", B * S + 250000, (B - 3600) * S + 250000},  /* keeps the fraction */
	{NULL, "-1s", 0, -S},
	/* absolute times through time_parse */
	{NULL, "1642284000.5", 0, B * S + 500000},
	{NULL, "2022-01-15T22:00:00", 0, B * S},
	{NULL, "2022-01-15", 0, D15 * S},
	{NULL, "2022-01-16T03:30:00+05:30", 0, B * S},
	{"Asia/Kolkata", "2022-01-16T03:30:00", 0, B * S},  /* read in the zone */
	{"Asia/Kolkata", "2022-01-16T03:30:00.5", 0, B * S + 500000},
	{"Asia/Kolkata", "2022-01-16T03:30", 0, B * S},
	{"Asia/Kolkata", "2022-01-16", 0, INT64_C(1642271400) * S},  /* 2022-01-15T18:30Z */
	{"Asia/Kolkata", "2022-01-15T22:00:00Z", 0, B * S},  /* an offset wins */
	{"Asia/Kolkata", "2022-01-15T22:00:00+00:00", 0, B * S},
	{"Asia/Kolkata", "1642284000", 0, B * S},  /* epoch has no zone */
	{"Asia/Kolkata", "now", B * S, B * S},
	{"Asia/Kolkata", "-1h", B * S, (B - 3600) * S},
	{"Asia/Kolkata", "today", B * S, INT64_C(1642271400) * S},  /* 03:30 IST on the 16th */
	{"Asia/Kolkata", "yesterday", B * S, INT64_C(1642185000) * S},
	{"Asia/Kolkata", "today", INT64_C(1642271399) * S, INT64_C(1642185000) * S},  /* 23:59:59 IST */
	{"Asia/Kolkata", "today", INT64_C(1642271400) * S, INT64_C(1642271400) * S},
	{"Asia/Kathmandu", "2022-01-16", 0, (D15 + 86400 - 20700) * S},
	{"Europe/Berlin", "2022-03-27T01:30:00", 0, INT64_C(1648341000) * S},  /* CET */
	{"Europe/Berlin", "2022-03-27T03:30:00", 0, INT64_C(1648344600) * S},  /* CEST */
	/* 02:30 never happens: read with the offset before the change, +01:00 */
	{"Europe/Berlin", "2022-03-27T02:30:00", 0, INT64_C(1648344600) * S},
	{"Europe/Berlin", "2022-07-01T12:00:00", 0, INT64_C(1656669600) * S},  /* summer */
	{"Europe/Berlin", "2022-01-15", 0, (D15 - 3600) * S},  /* winter */
	/* a day of 23 hours */
	{"Europe/Berlin", "today", INT64_C(1648382400) * S, INT64_C(1648335600) * S},  /* 03-27 12:00Z */
	{"Europe/Berlin", "yesterday", INT64_C(1648382400) * S, INT64_C(1648249200) * S},
	{"Europe/Berlin", "today", INT64_C(1648341000) * S, INT64_C(1648335600) * S},  /* 01:30 CET */
	{"Europe/Berlin", "today", INT64_C(1648468800) * S, INT64_C(1648418400) * S},  /* 03-28 12:00Z */
	{"Europe/Berlin", "yesterday", INT64_C(1648468800) * S, INT64_C(1648335600) * S},
	/* 02:30 happens twice: the earlier instant, 02:30 CEST */
	{"Europe/Berlin", "2022-10-30T02:30:00", 0, INT64_C(1667089800) * S},
	{"Europe/Berlin", "2022-10-30T01:59:59", 0, INT64_C(1667087999) * S},
	{"Europe/Berlin", "2022-10-30T03:00:00", 0, INT64_C(1667095200) * S},
	{"Europe/Berlin", "2022-10-30T02:30:00+01:00", 0, INT64_C(1667093400) * S},
	/* a day of 25 hours */
	{"Europe/Berlin", "today", INT64_C(1667131200) * S, INT64_C(1667080800) * S},  /* 10-30 12:00Z */
	{"Europe/Berlin", "yesterday", INT64_C(1667131200) * S, INT64_C(1666994400) * S},
	{"Europe/Berlin", "today", INT64_C(1667217600) * S, INT64_C(1667170800) * S},  /* 10-31 12:00Z */
	{"Europe/Berlin", "yesterday", INT64_C(1667217600) * S, INT64_C(1667080800) * S},
};

/* time_parse(s, 2022-01-15T22:00:00Z) refuses s */
static const char *const parse_bad[] = {
	"-1x",
	"-h",
	"+h",
	"1h",
	"-1H",
	"-1h ",
	" -1h",
	"--1h",
	"+-1h",
	"-1.5h",
	"-1 h",
	"-1hm",
	"-1y",
	"-1000000000000h",
	"+",
	"-",
	"",
	NULL,
	"Now",
	"now ",
	"tomorrow",
	"2022-02-30",
};

/* time_floor(us, secs) gives want in zone (NULL: UTC) */
struct floor_case { const char *zone; int64_t us; int secs; int64_t want; };

static const struct floor_case floors[] = {
	/* time_floor in UTC */
	{NULL, B * S, 60, B * S},
	{NULL, B * S, 3600, B * S},
	{NULL, B * S + 59 * S + 999999, 60, B * S},
	{NULL, B * S - 1, 60, (B - 60) * S},
	{NULL, B * S + 3599 * S + 999999, 3600, B * S},
	{NULL, B * S - 1, 3600, (B - 3600) * S},
	{NULL, (B + 1830) * S, 60, (B + 1800) * S},
	{NULL, (B + 1830) * S, 3600, B * S},
	{NULL, 0, 60, 0},
	{NULL, -1, 60, -60 * S},
	{NULL, -1, 3600, -3600 * S},
	{NULL, -60 * S, 60, -60 * S},
	{NULL, -60 * S - 1, 60, -120 * S},
	{NULL, -3601 * S, 3600, -7200 * S},
	/* Asia/Kolkata, +05:30: hours start at :30 UTC */
	{"Asia/Kolkata", B * S, 3600, (B - 1800) * S},  /* 03:30 IST -> 03:00 */
	{"Asia/Kolkata", (B + 1799) * S + 999999, 3600, (B - 1800) * S},
	{"Asia/Kolkata", (B + 1800) * S, 3600, (B + 1800) * S},
	{"Asia/Kolkata", (B - 1801) * S, 3600, (B - 5400) * S},
	{"Asia/Kolkata", B * S + 59 * S + 999999, 60, B * S},  /* minutes as in UTC */
	{"Asia/Kolkata", B * S - 1, 60, (B - 60) * S},
	/* Asia/Kathmandu, +05:45 */
	{"Asia/Kathmandu", B * S, 3600, (B - 2700) * S},  /* 03:45 NPT -> 03:00 */
	{"Asia/Kathmandu", (B + 900) * S, 3600, (B + 900) * S},
	/* Europe/Berlin: DST starts 2022-03-27T01:00Z (02:00 CET -> 03:00 CEST) */
	{"Europe/Berlin", INT64_C(1648344600) * S, 3600, INT64_C(1648342800) * S},  /* 03:30 CEST */
	{"Europe/Berlin", INT64_C(1648342800) * S, 3600, INT64_C(1648342800) * S},  /* 03:00 CEST */
	{"Europe/Berlin", INT64_C(1648342799) * S, 3600, INT64_C(1648339200) * S},  /* 01:59:59 CET */
	{"Europe/Berlin", INT64_C(1648342799) * S, 60, INT64_C(1648342740) * S},
	/* DST ends 2022-10-30T01:00Z (03:00 CEST -> 02:00 CET) */
	{"Europe/Berlin", INT64_C(1667093400) * S, 3600, INT64_C(1667091600) * S},  /* 02:30 CET */
	{"Europe/Berlin", INT64_C(1667089800) * S, 3600, INT64_C(1667088000) * S},  /* 02:30 CEST */
	{"Europe/Berlin", INT64_C(1667091599) * S + 999999, 3600, INT64_C(1667088000) * S},
	{"Europe/Berlin", INT64_C(1667091599) * S + 999999, 60, INT64_C(1667091540) * S},
	{"Europe/Berlin", B * S, 3600, B * S},
};

/* time_format_utc(us) gives want */
struct fmt_case { int64_t us; const char *want; };

static const struct fmt_case fmts[] = {
	{INT64_C(1642284000000000), "2022-01-15T22:00:00Z"},
	{INT64_C(1642284000250000), "2022-01-15T22:00:00.25Z"},
	{0, "1970-01-01T00:00:00Z"},
	{1, "1970-01-01T00:00:00.000001Z"},
	{-1, "1969-12-31T23:59:59.999999Z"},
	{-S, "1969-12-31T23:59:59Z"},
	{-S - 1, "1969-12-31T23:59:58.999999Z"},
	{-1500000, "1969-12-31T23:59:58.5Z"},
	{-500000, "1969-12-31T23:59:59.5Z"},
	{-86400 * S, "1969-12-31T00:00:00Z"},
	{-86400 * S - 1, "1969-12-30T23:59:59.999999Z"},
	{INT64_C(-62135596800) * S, "0001-01-01T00:00:00Z"},
	{INT64_C(-11670998400) * S, "1600-02-29T00:00:00Z"},
	{INT64_C(253402300799) * S + 999999, "9999-12-31T23:59:59.999999Z"},
	{INT64_C(951782400) * S, "2000-02-29T00:00:00Z"},
	{INT64_C(1709251199) * S, "2024-02-29T23:59:59Z"},
	{B * S + 1, "2022-01-15T22:00:00.000001Z"},
	{B * S + 100, "2022-01-15T22:00:00.0001Z"},
	{B * S + 120000, "2022-01-15T22:00:00.12Z"},
	{B * S + 999999, "2022-01-15T22:00:00.999999Z"},
	{(B + 59) * S, "2022-01-15T22:00:59Z"},
	{(D15 + 86399) * S, "2022-01-15T23:59:59Z"},
};

/* time_zone_set(zone) returns rc: only names of files under the zoneinfo */
struct zone_case { const char *zone; int rc; };

static const struct zone_case zones[] = {
	{"Nowhere/City", -1},
	{"../etc/passwd", -1},
	{"Europe/../../../etc/passwd", -1},
	{"Europe/../Europe/Berlin", -1},
	{"/usr/share/zoneinfo/UTC", -1},
	{"/etc/localtime", -1},
	{"", -1},
	{"America", -1},
	{"Europe/Berlin/", -1},
	{"europe/berlin", -1},
	{"Europe/Berlin", 0},
	{NULL, 0},
};
/* days_from_civil(y, m, d) gives want */
struct civil_case { int y, m, d; int64_t want; };

static const struct civil_case civil[] = {
	{1970, 1, 1, 0},
	{1969, 12, 31, -1},
	{2000, 2, 29, 11016},
	{2000, 3, 1, 11017},
	{2022, 1, 15, 19007},
	{1, 1, 1, -719162},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void zone(const char *z)
{
	if (time_zone_set(z) != 0) {
		printf("not ok time_zone_set(\"%s\") failed\n", z ? z : "(null)");
		unit_fail++;
	}
}

/* time_parse(s, now) succeeds with exactly want */
static int parse_is(const char *s, int64_t now, int64_t want)
{
	int64_t us = want ^ 1;
	int rc = time_parse(s, now, &us);
	if (rc || us != want) {
		printf("# time_parse(\"%s\", %lld): %d, %lld; want %lld\n", s, (long long)now, rc,
		       (long long)us, (long long)want);
		return 0;
	}
	return 1;
}

static int abs_is(const char *s, int64_t want)
{
	int64_t us = want ^ 1;
	int rc = time_parse_absolute(s, &us);
	if (rc || us != want) {
		printf("# time_parse_absolute(\"%s\"): %d, %lld; want %lld\n", s, rc, (long long)us,
		       (long long)want);
		return 0;
	}
	return 1;
}

static int floor_is(int64_t us, int secs, int64_t want)
{
	int64_t got = time_floor(us, secs);
	if (got != want) {
		printf("# time_floor(%lld, %d) = %lld, want %lld\n", (long long)us, secs, (long long)got,
		       (long long)want);
		return 0;
	}
	return 1;
}

/* time_format_utc gives want and returns its length */
static int fmt_is(int64_t us, const char *want)
{
	char buf[48];
	size_t n = time_format_utc(us, buf);
	if (strcmp(buf, want) || n != strlen(want)) {
		printf("# time_format_utc(%lld) = \"%s\" (%zu), want \"%s\"\n", (long long)us, buf, n, want);
		return 0;
	}
	return 1;
}

int main(void)
{
	char buf[48];
	int64_t us;

	unit_name = "unit time";
	for (size_t i = 0; i < N(abs_ok); i++) {
		zone(abs_ok[i].zone);
		CHECK(abs_is(abs_ok[i].s, abs_ok[i].want));
	}
	zone(NULL);
	for (size_t i = 0; i < N(abs_bad); i++) {
		us = 0;
		CHECK(time_parse_absolute(abs_bad[i], &us) == -1);
	}
	for (size_t i = 0; i < N(parse_ok); i++) {
		zone(parse_ok[i].zone);
		CHECK(parse_is(parse_ok[i].s, parse_ok[i].now, parse_ok[i].want));
	}
	zone(NULL);
	for (size_t i = 0; i < N(parse_bad); i++) {
		us = 0;
		CHECK(time_parse(parse_bad[i], B * S, &us) == -1);
	}
	for (size_t i = 0; i < N(floors); i++) {
		zone(floors[i].zone);
		CHECK(floor_is(floors[i].us, floors[i].secs, floors[i].want));
	}

	/* switching zones leaves nothing of the previous one behind */
	zone("Europe/Berlin");
	zone("UTC");
	CHECK(floor_is(INT64_C(1648344600) * S, 3600, INT64_C(1648342800) * S));
	CHECK(floor_is(B * S, 3600, B * S));
	CHECK(parse_is("2022-01-15T22:00:00", 0, B * S));
	CHECK(parse_is("today", B * S, D15 * S));
	zone("Asia/Kolkata");
	zone(NULL);
	CHECK(floor_is(B * S, 3600, B * S));
	CHECK(parse_is("2022-01-16", 0, (D15 + 86400) * S));
	CHECK(parse_is("yesterday", B * S, (D15 - 86400) * S));

	for (size_t i = 0; i < N(zones); i++)
		CHECK(time_zone_set(zones[i].zone) == zones[i].rc);
	zone(NULL);
	CHECK(floor_is(B * S, 3600, B * S));

	for (size_t i = 0; i < N(fmts); i++)
		CHECK(fmt_is(fmts[i].us, fmts[i].want));
	/* format and parse round trip */
	time_format_utc(INT64_C(-1234567890123456), buf);
	CHECK(abs_is(buf, INT64_C(-1234567890123456)));
	time_format_utc(B * S + 654321, buf);
	CHECK(abs_is(buf, B * S + 654321));

	for (size_t i = 0; i < N(civil); i++)
		CHECK(days_from_civil(civil[i].y, civil[i].m, civil[i].d) == civil[i].want);
	return unit_done();
}
