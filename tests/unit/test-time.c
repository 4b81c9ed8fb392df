#include "timefmt.h"
#include "unit.h"

#define S INT64_C(1000000)
/* 2022-01-15T22:00:00Z and the midnight that starts that day, in seconds */
#define B INT64_C(1642284000)
#define D15 INT64_C(1642204800)

static int64_t at(const char *s)
{
	int64_t us = -42;
	return time_parse_absolute(s, &us) ? -1 : us;
}

/* time_parse_absolute(s) succeeds with exactly want */
static int abs_is(const char *s, int64_t want)
{
	int64_t us = want ^ 1;
	return time_parse_absolute(s, &us) == 0 && us == want;
}

static int abs_bad(const char *s)
{
	int64_t us = 0;
	return time_parse_absolute(s, &us) == -1;
}

/* time_parse(s, now) succeeds with exactly want */
static int parse_is(const char *s, int64_t now, int64_t want)
{
	int64_t us = want ^ 1;
	return time_parse(s, now, &us) == 0 && us == want;
}

static int parse_bad(const char *s)
{
	int64_t us = 0;
	return time_parse(s, B * S, &us) == -1;
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
	CHECK(at("1642284000") == INT64_C(1642284000000000));
	CHECK(at("1642284000.25") == INT64_C(1642284000250000));
	CHECK(at("2022-01-15T22:00:00Z") == INT64_C(1642284000000000));
	CHECK(at("2022-01-16T00:00:00+02:00") == INT64_C(1642284000000000));
	CHECK(at("2022-01-15 22:00:00.5") == INT64_C(1642284000500000));
	CHECK(at("2024-02-29T00:00:00Z") == INT64_C(1709164800000000));
	CHECK(at("2023-02-29T00:00:00Z") == -1);
	CHECK(at("2016-11-40T14:54:48") == -1);
	CHECK(at("yesterday") == -1);
	CHECK(at("") == -1);
	CHECK(at("12x") == -1);
	CHECK(time_parse("-1h", INT64_C(7200000000), &us) == 0 && us == INT64_C(3600000000));
	CHECK(time_parse("today", INT64_C(90000000000), &us) == 0 && us == INT64_C(86400000000));
	CHECK(time_parse("+", 0, &us) == -1);
	time_format_utc(INT64_C(1642284000000000), buf);
	CHECK_STR(buf, "2022-01-15T22:00:00Z");
	time_format_utc(INT64_C(1642284000250000), buf);
	CHECK_STR(buf, "2022-01-15T22:00:00.25Z");
	time_format_utc(-1, buf);
	CHECK_STR(buf, "1969-12-31T23:59:59.999999Z");

	/* ---- time_parse_absolute: epoch seconds ---- */
	CHECK(abs_is("0", 0));
	CHECK(abs_is("1", S));
	CHECK(abs_is("1642284000", B * S));
	CHECK(abs_is("253402300799", INT64_C(253402300799) * S));
	CHECK(abs_is("0.5", 500000));
	CHECK(abs_is("-1.5", -1500000));
	CHECK(abs_is("20220115", INT64_C(20220115) * S));  /* digits only: epoch seconds */
	/* fractions of 1 to 9 digits, truncated (not rounded) past microseconds */
	CHECK(abs_is("1642284000.1", B * S + 100000));
	CHECK(abs_is("1642284000.12", B * S + 120000));
	CHECK(abs_is("1642284000.123", B * S + 123000));
	CHECK(abs_is("1642284000.1234", B * S + 123400));
	CHECK(abs_is("1642284000.12345", B * S + 123450));
	CHECK(abs_is("1642284000.123456", B * S + 123456));
	CHECK(abs_is("1642284000.1234567", B * S + 123456));
	CHECK(abs_is("1642284000.12345678", B * S + 123456));
	CHECK(abs_is("1642284000.123456789", B * S + 123456));
	CHECK(abs_is("1642284000.999999999", B * S + 999999));
	CHECK(abs_is("1642284000.000001", B * S + 1));
	CHECK(abs_is("1642284000.0000009", B * S));
	CHECK(abs_is("1642284000.000000000", B * S));
	CHECK(abs_bad("1642284000."));
	CHECK(abs_bad(".5"));
	CHECK(abs_bad("1642284000.5.5"));
	CHECK(abs_bad("1642284000x"));
	CHECK(abs_bad("1642284000 "));
	CHECK(abs_bad(" 1642284000"));
	CHECK(abs_bad("+1642284000"));
	CHECK(abs_bad("--1"));
	CHECK(abs_bad("-"));
	CHECK(abs_bad("1e9"));
	CHECK(abs_bad("0x10"));
	CHECK(abs_bad("99999999999999999999"));
	CHECK(abs_bad("1642284000.5Z"));

	/* ---- time_parse_absolute: ISO 8601 / RFC 3339 ---- */
	CHECK(abs_is("1970-01-01T00:00:00Z", 0));
	CHECK(abs_is("1969-12-31T23:59:59Z", -S));
	CHECK(abs_is("1969-12-31T23:59:59.999999Z", -1));
	CHECK(abs_is("0001-01-01T00:00:00Z", INT64_C(-62135596800) * S));
	CHECK(abs_is("9999-12-31T23:59:59Z", INT64_C(253402300799) * S));
	CHECK(abs_is("2022-01-15T22:00:00Z", B * S));
	CHECK(abs_is("2022-01-15t22:00:00z", B * S));
	CHECK(abs_is("2022-01-15 22:00:00Z", B * S));
	CHECK(abs_is("2022-01-15T22:00:00", B * S));     /* no zone: UTC */
	CHECK(abs_is("2022-01-15T22:00Z", B * S));       /* no seconds */
	CHECK(abs_is("2022-01-15T22:00", B * S));
	CHECK(abs_is("2022-01-15 22:00", B * S));
	CHECK(abs_is("2022-01-15T22:01", (B + 60) * S));
	CHECK(abs_is("2022-01-15T22:00:01Z", (B + 1) * S));
	CHECK(abs_is("2022-01-15", D15 * S));            /* midnight */
	CHECK(abs_is("2022-01-15T00:00:00Z", D15 * S));
	CHECK(abs_is("2022-01-15T23:59:59Z", (D15 + 86399) * S));
	CHECK(abs_is("2022-12-31T23:59:59Z", INT64_C(1672531199) * S));
	CHECK(abs_is("2023-01-01", INT64_C(1672531200) * S));
	/* ISO fractions, with a point or a comma */
	CHECK(abs_is("2022-01-15T22:00:00.5Z", B * S + 500000));
	CHECK(abs_is("2022-01-15T22:00:00,5Z", B * S + 500000));
	CHECK(abs_is("2022-01-15T22:00:00.1", B * S + 100000));
	CHECK(abs_is("2022-01-15T22:00:00.12Z", B * S + 120000));
	CHECK(abs_is("2022-01-15T22:00:00.123Z", B * S + 123000));
	CHECK(abs_is("2022-01-15T22:00:00.1234Z", B * S + 123400));
	CHECK(abs_is("2022-01-15T22:00:00.12345Z", B * S + 123450));
	CHECK(abs_is("2022-01-15T22:00:00.123456Z", B * S + 123456));
	CHECK(abs_is("2022-01-15T22:00:00.1234567Z", B * S + 123456));
	CHECK(abs_is("2022-01-15T22:00:00.12345678Z", B * S + 123456));
	CHECK(abs_is("2022-01-15T22:00:00.123456789Z", B * S + 123456));
	CHECK(abs_is("2022-01-15T22:00:00.999999999Z", B * S + 999999));
	CHECK(abs_is("2022-01-15T22:00:00.000001+00:00", B * S + 1));
	CHECK(abs_bad("2022-01-15T22:00:00.Z"));
	CHECK(abs_bad("2022-01-15T22:00:00."));
	/* offsets */
	CHECK(abs_is("2022-01-16T03:30:00+05:30", B * S));
	CHECK(abs_is("2022-01-15T14:00:00-08:00", B * S));
	CHECK(abs_is("2022-01-15T22:00:00+00:00", B * S));
	CHECK(abs_is("2022-01-15T22:00:00-00:00", B * S));
	CHECK(abs_is("2022-01-16T03:30:00+0530", B * S));
	CHECK(abs_is("2022-01-15T14:00:00-0800", B * S));
	CHECK(abs_is("2022-01-15T22:00:00+0000", B * S));
	CHECK(abs_is("2022-01-16T03:30+05:30", B * S));
	CHECK(abs_is("2022-01-16T03:30:00.25+05:30", B * S + 250000));
	CHECK(abs_is("2022-01-15T12:15:00-09:45", B * S));
	CHECK(abs_is("2022-01-16T21:59:00+23:59", B * S));
	CHECK(abs_is("2022-01-01T05:00:00+05:00", INT64_C(1640995200) * S));  /* back a year */
	CHECK(abs_bad("2022-01-15T22:00:00+24:00"));
	CHECK(abs_bad("2022-01-15T22:00:00+05:60"));
	CHECK(abs_bad("2022-01-15T22:00:00+5:30"));
	CHECK(abs_bad("2022-01-15T22:00:00+05:3"));
	CHECK(abs_bad("2022-01-15T22:00:00+05:30:00"));
	CHECK(abs_bad("2022-01-15T22:00:00+05:30Z"));
	CHECK(abs_bad("2022-01-15T22:00:00Z+05:30"));
	CHECK(abs_bad("2022-01-15T22:00:00+"));
	CHECK(abs_bad("2022-01-15+05:30"));
	CHECK(abs_bad("2022-01-15Z"));
	/* leap years */
	CHECK(abs_is("2000-02-29", INT64_C(951782400) * S));
	CHECK(abs_is("2000-02-29T23:59:59Z", INT64_C(951868799) * S));
	CHECK(abs_is("2000-03-01", INT64_C(951868800) * S));
	CHECK(abs_is("2024-02-29", INT64_C(1709164800) * S));
	CHECK(abs_is("1600-02-29", INT64_C(-11670998400) * S));
	CHECK(abs_is("2400-02-29", INT64_C(13574563200) * S));
	CHECK(abs_bad("1900-02-29"));
	CHECK(abs_bad("2100-02-29"));
	CHECK(abs_bad("2023-02-29"));
	CHECK(abs_bad("2023-02-29T12:00:00Z"));
	CHECK(abs_bad("2024-02-30"));
	CHECK(abs_is("2023-02-28", INT64_C(1677542400) * S));
	/* impossible fields */
	CHECK(abs_bad("2022-01-15T24:00:00Z"));
	CHECK(abs_bad("2022-01-15T24:00"));
	CHECK(abs_bad("2022-01-15T23:60:00Z"));
	CHECK(abs_bad("2022-01-15T23:59:61Z"));
	CHECK(abs_bad("2022-13-01"));
	CHECK(abs_bad("2022-00-10"));
	CHECK(abs_bad("2022-01-00"));
	CHECK(abs_bad("2022-01-32"));
	CHECK(abs_bad("2022-04-31"));
	CHECK(abs_bad("2022-06-31T00:00:00Z"));
	/* malformed */
	CHECK(abs_bad(""));
	CHECK(abs_bad(NULL));
	CHECK(abs_bad("2022-01-15T22:00:00Zjunk"));
	CHECK(abs_bad("2022-01-15T22:00:00Z "));
	CHECK(abs_bad(" 2022-01-15"));
	CHECK(abs_bad("2022-01-15 "));
	CHECK(abs_bad("2022-01-15T"));
	CHECK(abs_bad("2022-01-15T22"));
	CHECK(abs_bad("2022-01-15T22:"));
	CHECK(abs_bad("2022-01-15T22:0"));
	CHECK(abs_bad("2022-01-15T22:00:"));
	CHECK(abs_bad("2022-01-15T22:00:0Z"));
	CHECK(abs_bad("2022-01-15T2:00:00Z"));
	CHECK(abs_bad("2022-01-15X22:00:00Z"));
	CHECK(abs_bad("2022-01-15T22-00-00Z"));
	CHECK(abs_bad("2022-1-15"));
	CHECK(abs_bad("2022-01-5"));
	CHECK(abs_bad("22-01-15"));
	CHECK(abs_bad("2022/01/15"));
	CHECK(abs_bad("2022-0a-15"));
	/* the words and relative times are time_parse's, not absolute times */
	CHECK(abs_bad("now"));
	CHECK(abs_bad("today"));
	CHECK(abs_bad("-1h"));
	CHECK(abs_bad("+15m"));

	/* ---- time_parse in UTC ---- */
	CHECK(time_zone_set(NULL) == 0);
	CHECK(parse_is("now", B * S, B * S));
	CHECK(parse_is("now", -1, -1));
	CHECK(parse_is("today", B * S, D15 * S));
	CHECK(parse_is("yesterday", B * S, (D15 - 86400) * S));
	CHECK(parse_is("today", D15 * S, D15 * S));                      /* at midnight */
	CHECK(parse_is("yesterday", D15 * S, (D15 - 86400) * S));
	CHECK(parse_is("today", D15 * S - 1, (D15 - 86400) * S));        /* just before */
	CHECK(parse_is("yesterday", D15 * S - 1, (D15 - 172800) * S));
	CHECK(parse_is("today", -1, -86400 * S));                         /* before 1970 */
	CHECK(parse_is("yesterday", -1, -172800 * S));
	CHECK(parse_is("today", B * S + 123, D15 * S));
	CHECK(parse_is("-1h", B * S, (B - 3600) * S));
	CHECK(parse_is("-30m", B * S, (B - 1800) * S));
	CHECK(parse_is("-7d", B * S, (B - 7 * 86400) * S));
	CHECK(parse_is("+15m", B * S, (B + 900) * S));
	CHECK(parse_is("-10s", B * S, (B - 10) * S));
	CHECK(parse_is("-90s", B * S, (B - 90) * S));
	CHECK(parse_is("-2w", B * S, (B - 14 * 86400) * S));
	CHECK(parse_is("+1w", B * S, (B + 7 * 86400) * S));
	CHECK(parse_is("+36h", B * S, (B + 36 * 3600) * S));
	CHECK(parse_is("-0d", B * S, B * S));
	CHECK(parse_is("+0s", B * S, B * S));
	CHECK(parse_is("-1h", B * S + 250000, (B - 3600) * S + 250000)); /* keeps the fraction */
	CHECK(parse_is("-1s", 0, -S));
	CHECK(parse_bad("-1x"));
	CHECK(parse_bad("-h"));
	CHECK(parse_bad("+h"));
	CHECK(parse_bad("1h"));
	CHECK(parse_bad("-1H"));
	CHECK(parse_bad("-1h "));
	CHECK(parse_bad(" -1h"));
	CHECK(parse_bad("--1h"));
	CHECK(parse_bad("+-1h"));
	CHECK(parse_bad("-1.5h"));
	CHECK(parse_bad("-1 h"));
	CHECK(parse_bad("-1hm"));
	CHECK(parse_bad("-1y"));
	CHECK(parse_bad("-1000000000000h"));
	CHECK(parse_bad("+"));
	CHECK(parse_bad("-"));
	CHECK(parse_bad(""));
	CHECK(parse_bad(NULL));
	CHECK(parse_bad("Now"));
	CHECK(parse_bad("now "));
	CHECK(parse_bad("tomorrow"));
	CHECK(parse_bad("2022-02-30"));
	/* absolute times through time_parse */
	CHECK(parse_is("1642284000.5", 0, B * S + 500000));
	CHECK(parse_is("2022-01-15T22:00:00", 0, B * S));
	CHECK(parse_is("2022-01-15", 0, D15 * S));
	CHECK(parse_is("2022-01-16T03:30:00+05:30", 0, B * S));

	/* ---- time_floor in UTC ---- */
	CHECK(time_floor(B * S, 60) == B * S);
	CHECK(time_floor(B * S, 3600) == B * S);
	CHECK(time_floor(B * S + 59 * S + 999999, 60) == B * S);
	CHECK(time_floor(B * S - 1, 60) == (B - 60) * S);
	CHECK(time_floor(B * S + 3599 * S + 999999, 3600) == B * S);
	CHECK(time_floor(B * S - 1, 3600) == (B - 3600) * S);
	CHECK(time_floor((B + 1830) * S, 60) == (B + 1800) * S);
	CHECK(time_floor((B + 1830) * S, 3600) == B * S);
	CHECK(time_floor(0, 60) == 0);
	CHECK(time_floor(-1, 60) == -60 * S);
	CHECK(time_floor(-1, 3600) == -3600 * S);
	CHECK(time_floor(-60 * S, 60) == -60 * S);
	CHECK(time_floor(-60 * S - 1, 60) == -120 * S);
	CHECK(time_floor(-3601 * S, 3600) == -7200 * S);

	/* ---- Asia/Kolkata, +05:30: hours start at :30 UTC ---- */
	CHECK(time_zone_set("Asia/Kolkata") == 0);
	CHECK(time_floor(B * S, 3600) == (B - 1800) * S);              /* 03:30 IST -> 03:00 */
	CHECK(time_floor((B + 1799) * S + 999999, 3600) == (B - 1800) * S);
	CHECK(time_floor((B + 1800) * S, 3600) == (B + 1800) * S);
	CHECK(time_floor((B - 1801) * S, 3600) == (B - 5400) * S);
	CHECK(time_floor(B * S + 59 * S + 999999, 60) == B * S);       /* minutes as in UTC */
	CHECK(time_floor(B * S - 1, 60) == (B - 60) * S);
	CHECK(parse_is("2022-01-16T03:30:00", 0, B * S));               /* read in the zone */
	CHECK(parse_is("2022-01-16T03:30:00.5", 0, B * S + 500000));
	CHECK(parse_is("2022-01-16T03:30", 0, B * S));
	CHECK(parse_is("2022-01-16", 0, INT64_C(1642271400) * S));      /* 2022-01-15T18:30Z */
	CHECK(parse_is("2022-01-15T22:00:00Z", 0, B * S));              /* an offset wins */
	CHECK(parse_is("2022-01-15T22:00:00+00:00", 0, B * S));
	CHECK(parse_is("1642284000", 0, B * S));                        /* epoch has no zone */
	CHECK(parse_is("now", B * S, B * S));
	CHECK(parse_is("-1h", B * S, (B - 3600) * S));
	CHECK(parse_is("today", B * S, INT64_C(1642271400) * S));       /* 03:30 IST on the 16th */
	CHECK(parse_is("yesterday", B * S, INT64_C(1642185000) * S));
	CHECK(parse_is("today", INT64_C(1642271399) * S, INT64_C(1642185000) * S));  /* 23:59:59 IST */
	CHECK(parse_is("today", INT64_C(1642271400) * S, INT64_C(1642271400) * S));
	CHECK(abs_is("2022-01-15T22:00:00", B * S));   /* time_parse_absolute stays in UTC */
	CHECK(abs_is("2022-01-15", D15 * S));

	/* ---- Asia/Kathmandu, +05:45 ---- */
	CHECK(time_zone_set("Asia/Kathmandu") == 0);
	CHECK(time_floor(B * S, 3600) == (B - 2700) * S);               /* 03:45 NPT -> 03:00 */
	CHECK(time_floor((B + 900) * S, 3600) == (B + 900) * S);
	CHECK(parse_is("2022-01-16", 0, (D15 + 86400 - 20700) * S));

	/* ---- Europe/Berlin: DST starts 2022-03-27T01:00Z (02:00 CET -> 03:00 CEST) ---- */
	CHECK(time_zone_set("Europe/Berlin") == 0);
	CHECK(time_floor(INT64_C(1648344600) * S, 3600) == INT64_C(1648342800) * S);  /* 03:30 CEST */
	CHECK(time_floor(INT64_C(1648342800) * S, 3600) == INT64_C(1648342800) * S);  /* 03:00 CEST */
	CHECK(time_floor(INT64_C(1648342799) * S, 3600) == INT64_C(1648339200) * S);  /* 01:59:59 CET */
	CHECK(time_floor(INT64_C(1648342799) * S, 60) == INT64_C(1648342740) * S);
	CHECK(parse_is("2022-03-27T01:30:00", 0, INT64_C(1648341000) * S));  /* CET */
	CHECK(parse_is("2022-03-27T03:30:00", 0, INT64_C(1648344600) * S));  /* CEST */
	/* 02:30 never happens: read with the offset before the change, +01:00 */
	CHECK(parse_is("2022-03-27T02:30:00", 0, INT64_C(1648344600) * S));
	CHECK(parse_is("2022-07-01T12:00:00", 0, INT64_C(1656669600) * S));  /* summer */
	CHECK(parse_is("2022-01-15", 0, (D15 - 3600) * S));                  /* winter */
	/* a day of 23 hours */
	CHECK(parse_is("today", INT64_C(1648382400) * S, INT64_C(1648335600) * S));      /* 03-27 12:00Z */
	CHECK(parse_is("yesterday", INT64_C(1648382400) * S, INT64_C(1648249200) * S));
	CHECK(parse_is("today", INT64_C(1648341000) * S, INT64_C(1648335600) * S));      /* 01:30 CET */
	CHECK(parse_is("today", INT64_C(1648468800) * S, INT64_C(1648418400) * S));      /* 03-28 12:00Z */
	CHECK(parse_is("yesterday", INT64_C(1648468800) * S, INT64_C(1648335600) * S));
	/* DST ends 2022-10-30T01:00Z (03:00 CEST -> 02:00 CET) */
	CHECK(time_floor(INT64_C(1667093400) * S, 3600) == INT64_C(1667091600) * S);  /* 02:30 CET */
	CHECK(time_floor(INT64_C(1667089800) * S, 3600) == INT64_C(1667088000) * S);  /* 02:30 CEST */
	CHECK(time_floor(INT64_C(1667091599) * S + 999999, 3600) == INT64_C(1667088000) * S);
	CHECK(time_floor(INT64_C(1667091599) * S + 999999, 60) == INT64_C(1667091540) * S);
	/* 02:30 happens twice: the earlier instant, 02:30 CEST */
	CHECK(parse_is("2022-10-30T02:30:00", 0, INT64_C(1667089800) * S));
	CHECK(parse_is("2022-10-30T01:59:59", 0, INT64_C(1667087999) * S));
	CHECK(parse_is("2022-10-30T03:00:00", 0, INT64_C(1667095200) * S));
	CHECK(parse_is("2022-10-30T02:30:00+01:00", 0, INT64_C(1667093400) * S));
	/* a day of 25 hours */
	CHECK(parse_is("today", INT64_C(1667131200) * S, INT64_C(1667080800) * S));      /* 10-30 12:00Z */
	CHECK(parse_is("yesterday", INT64_C(1667131200) * S, INT64_C(1666994400) * S));
	CHECK(parse_is("today", INT64_C(1667217600) * S, INT64_C(1667170800) * S));      /* 10-31 12:00Z */
	CHECK(parse_is("yesterday", INT64_C(1667217600) * S, INT64_C(1667080800) * S));

	/* ---- back to UTC ---- */
	CHECK(time_zone_set("UTC") == 0);
	CHECK(time_floor(INT64_C(1648344600) * S, 3600) == INT64_C(1648342800) * S);
	CHECK(time_floor(B * S, 3600) == B * S);
	CHECK(parse_is("2022-01-15T22:00:00", 0, B * S));
	CHECK(parse_is("today", B * S, D15 * S));
	CHECK(time_zone_set("Asia/Kolkata") == 0);
	CHECK(time_zone_set(NULL) == 0);
	CHECK(time_floor(B * S, 3600) == B * S);
	CHECK(parse_is("2022-01-16", 0, (D15 + 86400) * S));
	CHECK(parse_is("yesterday", B * S, (D15 - 86400) * S));

	/* ---- time_zone_set refuses what is not a zone under the zoneinfo ---- */
	CHECK(time_zone_set("Nowhere/City") == -1);
	CHECK(time_zone_set("../etc/passwd") == -1);
	CHECK(time_zone_set("Europe/../../../etc/passwd") == -1);
	CHECK(time_zone_set("Europe/../Europe/Berlin") == -1);
	CHECK(time_zone_set("/usr/share/zoneinfo/UTC") == -1);
	CHECK(time_zone_set("/etc/localtime") == -1);
	CHECK(time_zone_set("") == -1);
	CHECK(time_zone_set("America") == -1);
	CHECK(time_zone_set("Europe/Berlin/") == -1);
	CHECK(time_zone_set("europe/berlin") == -1);
	CHECK(time_zone_set("Europe/Berlin") == 0);
	CHECK(time_zone_set(NULL) == 0);
	CHECK(time_floor(B * S, 3600) == B * S);

	/* ---- time_format_utc ---- */
	CHECK(fmt_is(0, "1970-01-01T00:00:00Z"));
	CHECK(fmt_is(1, "1970-01-01T00:00:00.000001Z"));
	CHECK(fmt_is(-1, "1969-12-31T23:59:59.999999Z"));
	CHECK(fmt_is(-S, "1969-12-31T23:59:59Z"));
	CHECK(fmt_is(-S - 1, "1969-12-31T23:59:58.999999Z"));
	CHECK(fmt_is(-1500000, "1969-12-31T23:59:58.5Z"));
	CHECK(fmt_is(-500000, "1969-12-31T23:59:59.5Z"));
	CHECK(fmt_is(-86400 * S, "1969-12-31T00:00:00Z"));
	CHECK(fmt_is(-86400 * S - 1, "1969-12-30T23:59:59.999999Z"));
	CHECK(fmt_is(INT64_C(-62135596800) * S, "0001-01-01T00:00:00Z"));
	CHECK(fmt_is(INT64_C(-11670998400) * S, "1600-02-29T00:00:00Z"));
	CHECK(fmt_is(INT64_C(253402300799) * S + 999999, "9999-12-31T23:59:59.999999Z"));
	CHECK(fmt_is(INT64_C(951782400) * S, "2000-02-29T00:00:00Z"));
	CHECK(fmt_is(INT64_C(1709251199) * S, "2024-02-29T23:59:59Z"));
	CHECK(fmt_is(B * S + 1, "2022-01-15T22:00:00.000001Z"));
	CHECK(fmt_is(B * S + 100, "2022-01-15T22:00:00.0001Z"));
	CHECK(fmt_is(B * S + 120000, "2022-01-15T22:00:00.12Z"));
	CHECK(fmt_is(B * S + 999999, "2022-01-15T22:00:00.999999Z"));
	CHECK(fmt_is((B + 59) * S, "2022-01-15T22:00:59Z"));
	CHECK(fmt_is((D15 + 86399) * S, "2022-01-15T23:59:59Z"));
	/* format and parse round trip */
	time_format_utc(INT64_C(-1234567890123456), buf);
	CHECK(abs_is(buf, INT64_C(-1234567890123456)));
	time_format_utc(B * S + 654321, buf);
	CHECK(abs_is(buf, B * S + 654321));

	/* ---- days_from_civil ---- */
	CHECK(days_from_civil(1970, 1, 1) == 0);
	CHECK(days_from_civil(1969, 12, 31) == -1);
	CHECK(days_from_civil(2000, 2, 29) == 11016);
	CHECK(days_from_civil(2000, 3, 1) == 11017);
	CHECK(days_from_civil(2022, 1, 15) == 19007);
	CHECK(days_from_civil(1, 1, 1) == -719162);
	return unit_done();
}
