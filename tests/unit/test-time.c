#include "timefmt.h"
#include "unit.h"

static int64_t at(const char *s)
{
	int64_t us = -42;
	return time_parse_absolute(s, &us) ? -1 : us;
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
	return unit_done();
}
