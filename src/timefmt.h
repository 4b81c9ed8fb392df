/* timefmt.h: the one time syntax of aggr(1) TIME SYNTAX, in microseconds UTC */
#ifndef AGGR_TIMEFMT_H
#define AGGR_TIMEFMT_H

#include <stdint.h>
#include <stddef.h>

/*
 * Parse an absolute time: epoch seconds with an optional fraction
 * ("1642284000", "1642284000.25"), or ISO 8601 / RFC 3339
 * ("2022-01-15T22:00:00Z", "2022-01-15 22:00:00.5+02:00", "2022-01-15";
 * no zone means UTC). Returns 0 and sets *us, or -1 when s is not a time.
 */
int time_parse_absolute(const char *s, int64_t *us);

/*
 * The zone that times without an offset and "today"/"yesterday" are read
 * in, and that window boundaries follow: an IANA name such as
 * "Europe/Berlin" that exists under /usr/share/zoneinfo (or $TZDIR), or
 * NULL or "UTC" for UTC, the default. Returns 0, or -1 for an unknown zone.
 */
int time_zone_set(const char *zone);

/* Does zone name a time zone on this machine ("UTC", or a TZif file under
 * /usr/share/zoneinfo or $TZDIR)? Returns 1 or 0; the process zone is not
 * changed. */
int time_zone_exists(const char *zone);

/*
 * Parse any TIME of aggr(1): the absolute forms above (without an offset:
 * in the zone of time_zone_set), "now", "today", "yesterday" (midnights in
 * that zone) and relative offsets from now such as "-1h", "-30m", "+15m",
 * "-7d", "-10s", "-2w". Returns 0 or -1.
 */
int time_parse(const char *s, int64_t now, int64_t *us);

/* The start of the minute (unit 60) or hour (3600) holding us, in the zone
 * of time_zone_set. */
int64_t time_floor(int64_t us, int unit_secs);

/* Days since 1970-01-01 of a proleptic Gregorian date (any year). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

/* Format as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (fraction only when nonzero,
 * trailing zeros trimmed) into out (>= 40 bytes); returns the length. */
size_t time_format_utc(int64_t us, char *out);
/* The same with always six fraction digits ("...T15:09:35.741540Z"), for
 * instants aggr makes itself (ingest times, movedAt): of one width, they
 * sort as text in time order. Returns the length. */
size_t time_format_utc6(int64_t us, char *out);

#endif
