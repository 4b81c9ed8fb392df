#include "timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int zone_local;  /* 0: UTC; 1: the zone in $TZ, set by time_zone_set */

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)

/* Howard Hinnant's civil-date algorithms, valid for every proleptic year. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static int digits(const char **p, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (unsigned)(c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* ".123456789" -> microseconds (truncated past 6 digits); at least one digit */
static int fraction(const char **p, int64_t *us)
{
	const char *s = *p;
	int64_t v = 0, scale = 100000;
	int n = 0;

	if (*s != '.' && *s != ',')
		return -1;
	s++;
	while (*s >= '0' && *s <= '9') {
		if (scale) {
			v += (*s - '0') * scale;
			scale /= 10;
		}
		s++;
		n++;
	}
	if (!n)
		return -1;
	*p = s;
	*us = v;
	return 0;
}

static int parse_epoch(const char *s, int64_t *us)
{
	const char *p = s;
	int neg = 0;
	int64_t secs = 0, frac = 0;
	int n = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	while (*p >= '0' && *p <= '9') {
		if (secs > (INT64_MAX / US_PER_SEC - 9) / 10)
			return -1;
		secs = secs * 10 + (*p - '0');
		p++;
		n++;
	}
	if (!n)
		return -1;
	/* a comma is a decimal sign only in ISO 8601 times: "1642284000,5"
	 * is not an epoch */
	if (*p == '.' && fraction(&p, &frac) < 0)
		return -1;
	if (*p)
		return -1;
	int64_t v = secs * US_PER_SEC + frac;
	*us = neg ? -v : v;
	return 0;
}

static time_t try_local(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned sec,
			int isdst, int *exact)
{
	struct tm tm, back;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)sec;
	tm.tm_isdst = isdst;
	time_t t = mktime(&tm);
	localtime_r(&t, &back);
	*exact = back.tm_hour == (int)h && back.tm_min == (int)mi && back.tm_sec == (int)sec &&
		 back.tm_mday == (int)d && (isdst < 0 || back.tm_isdst == isdst);
	return t;
}

/* Seconds since the epoch of a local wall-clock time in the current zone.
 * A time that happens twice (DST ends) is the earlier instant; a time that
 * never happens (DST starts) is read with the offset before the change,
 * which lands after the gap, as mktime does. */
static int64_t local_to_epoch(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned sec)
{
	int e0, e1, e;
	time_t std = try_local(y, mo, d, h, mi, sec, 0, &e0);
	time_t dst = try_local(y, mo, d, h, mi, sec, 1, &e1);

	if (e0 && e1)
		return (int64_t)(std < dst ? std : dst);
	if (e0)
		return (int64_t)std;
	if (e1)
		return (int64_t)dst;
	return (int64_t)try_local(y, mo, d, h, mi, sec, -1, &e);
}

static int parse_iso(const char *s, int64_t *us, int local)
{
	const char *p = s;
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t frac = 0, off = 0;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return -1;
			if ((*p == '.' || *p == ',') && fraction(&p, &frac) < 0)
				return -1;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (sec == 60)  /* a leap second: the last microsecond of its minute */
			sec = 59, frac = US_PER_SEC - 1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;
			unsigned oh, om = 0;
			if (digits(&p, 2, &oh))
				return -1;
			if (*p == ':') {
				p++;
				if (digits(&p, 2, &om))
					return -1;
			} else if (*p && digits(&p, 2, &om))
				return -1;
			if (oh > 23 || om > 59)
				return -1;
			off = sign * ((int64_t)oh * 3600 + om * 60);
		} else if (local) {
			if (*p)
				return -1;
			*us = local_to_epoch(y, mo, d, h, mi, sec) * US_PER_SEC + frac;
			return 0;
		}
	} else if (local) {
		if (*p)
			return -1;
		*us = local_to_epoch(y, mo, d, 0, 0, 0) * US_PER_SEC;
		return 0;
	}
	if (*p)
		return -1;
	int64_t days = days_from_civil(y, mo, d);
	*us = ((days * 86400 + h * 3600 + mi * 60 + sec) - off) * US_PER_SEC + frac;
	return 0;
}

/* Years 1 to 9999: what ISO 8601 writes with four digits, and far from
 * overflowing microseconds when windows are rounded and widened. */
static int in_range(int64_t us)
{
	return us >= INT64_C(-62135596800) * US_PER_SEC && us <= INT64_C(253402300799) * US_PER_SEC + 999999;
}

static int parse_absolute(const char *s, int64_t *us, int local)
{
	int rc;

	if (!s || !*s)
		return -1;
	if (strlen(s) >= 10 && s[4] == '-' && s[7] == '-')
		rc = parse_iso(s, us, local);
	else
		rc = parse_epoch(s, us);
	return rc == 0 && in_range(*us) ? 0 : -1;
}

int time_parse_absolute(const char *s, int64_t *us)
{
	return parse_absolute(s, us, 0);
}

int time_zone_exists(const char *zone)
{
	char path[4096];
	const char *dir = getenv("TZDIR");
	struct stat st;

	if (zone && !strcmp(zone, "UTC"))
		return 1;
	/* glibc reads an unknown zone as UTC without a word: check it exists */
	if (!zone || !*zone || zone[0] == '/' || strstr(zone, "..") || strlen(zone) > 255)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", zone);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	/* zoneinfo also holds zone.tab and tzdata.zi: only TZif files are zones */
	char magic[4];
	FILE *f = fopen(path, "rb");
	size_t got = f ? fread(magic, 1, 4, f) : 0;
	if (f)
		fclose(f);
	return got == 4 && !memcmp(magic, "TZif", 4);
}

int time_zone_set(const char *zone)
{
	if (!zone || !strcmp(zone, "UTC")) {
		zone_local = 0;
		return 0;
	}
	if (!time_zone_exists(zone))
		return -1;
	setenv("TZ", zone, 1);
	tzset();
	zone_local = 1;
	return 0;
}

int64_t time_floor(int64_t us, int unit_secs)
{
	int64_t secs = us >= 0 ? us / US_PER_SEC : (us - US_PER_SEC + 1) / US_PER_SEC;

	if (zone_local) {
		/* local boundaries: a +05:30 zone's hours start at :30 UTC */
		time_t t = (time_t)secs;
		struct tm tm;
		localtime_r(&t, &tm);
		int64_t into = tm.tm_sec + (unit_secs == 3600 ? tm.tm_min * 60 : 0);
		return (secs - into) * US_PER_SEC;
	}
	int64_t f = secs >= 0 ? secs / unit_secs : (secs - unit_secs + 1) / unit_secs;
	return f * unit_secs * US_PER_SEC;
}

/* Local midnight of the day holding us, in the current zone. */
static int64_t day_start(int64_t us)
{
	int64_t secs = us >= 0 ? us / US_PER_SEC : (us - US_PER_SEC + 1) / US_PER_SEC;

	if (!zone_local) {
		int64_t day = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
		return day * 86400 * US_PER_SEC;
	}
	time_t t = (time_t)secs;
	struct tm tm;
	localtime_r(&t, &tm);
	return local_to_epoch(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday, 0, 0, 0) * US_PER_SEC;
}

int time_parse(const char *s, int64_t now, int64_t *us)
{
	if (!s || !*s)
		return -1;
	if (!strcmp(s, "now")) {
		*us = now;
		return 0;
	}
	if (!strcmp(s, "today")) {
		*us = day_start(now);
		return 0;
	}
	if (!strcmp(s, "yesterday")) {
		/* noon of the day before is in yesterday whatever DST does */
		*us = day_start(day_start(now) - 12 * 3600 * US_PER_SEC);
		return 0;
	}
	if (s[0] == '-' || s[0] == '+') {
		const char *p = s + 1;
		int64_t n = 0, unit;
		int nd = 0;
		while (*p >= '0' && *p <= '9' && nd < 12) {
			n = n * 10 + (*p++ - '0');
			nd++;
		}
		switch (*p) {
		case 's': unit = US_PER_SEC; break;
		case 'm': unit = 60 * US_PER_SEC; break;
		case 'h': unit = 3600 * US_PER_SEC; break;
		case 'd': unit = US_PER_DAY; break;
		case 'w': unit = 7 * US_PER_DAY; break;
		default: unit = 0;
		}
		if (nd && unit && p[1] == 0) {
			int64_t d;
			if (__builtin_mul_overflow(n, unit, &d) ||
			    __builtin_add_overflow(now, s[0] == '-' ? -d : d, us) || !in_range(*us))
				return -1;
			return 0;
		}
		if (s[0] == '+')
			return -1;
	}
	return parse_absolute(s, us, zone_local);
}

static size_t format_utc(int64_t us, char *out, int fixed);

size_t time_format_utc(int64_t us, char *out) { return format_utc(us, out, 0); }
size_t time_format_utc6(int64_t us, char *out) { return format_utc(us, out, 1); }

static size_t format_utc(int64_t us, char *out, int fixed)
{
	int64_t secs = us >= 0 ? us / US_PER_SEC : (us - US_PER_SEC + 1) / US_PER_SEC;
	int64_t frac = us - secs * US_PER_SEC;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400;
	int64_t y;
	unsigned m, d;
	int n;

	civil_from_days(days, &y, &m, &d);
	n = snprintf(out, 40, "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m, d,
		     (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (frac || fixed) {
		char f[24];
		snprintf(f, sizeof(f), "%06lld", (long long)frac);
		int k = 6;
		while (!fixed && k > 0 && f[k - 1] == '0')
			k--;
		f[k] = 0;
		n += snprintf(out + n, 40 - (size_t)n, ".%s", f);
	}
	out[n++] = 'Z';
	out[n] = 0;
	return (size_t)n;
}
