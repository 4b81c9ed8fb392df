/* flows: {src_app, dest_app, vpc_id, hour, bytes_tx, bytes_rx}, keyed by hour */
#include "kind-flows.h"

#include <string.h>

#include "scan.h"
#include "util.h"

static const char *const str_fields[] = {"src_app", "dest_app", "vpc_id"};
static const char *const int_fields[] = {"hour", "bytes_tx", "bytes_rx"};

static int field_index(const struct json_doc *d, int key)
{
	for (int i = 0; i < 3; i++)
		if (json_str_eq(d, key, str_fields[i], strlen(str_fields[i])))
			return i;
	for (int i = 0; i < 3; i++)
		if (json_str_eq(d, key, int_fields[i], strlen(int_fields[i])))
			return 3 + i;
	return -1;
}

static int flows_normalise(const struct json_doc *d, struct buf *out, struct rec_info *ri,
			   char *why, size_t wn)
{
	int tok[6] = {-1, -1, -1, -1, -1, -1};
	int64_t num[3];
	/* decoded strings: one buffer per thread, kept, so no malloc per record */
	static _Thread_local struct buf s;

	if (json_type(d, 0) != JSMN_OBJECT) {
		snprintf(why, wn, "record is not a JSON object");
		return -1;
	}
	for (int t = 1, k = 0; k < json_size(d, 0); k++, t = json_next(d, t + 1)) {
		int f = field_index(d, t);
		if (f < 0) {
			snprintf(why, wn, "unknown field \"%.*s\"", (int)json_rawlen(d, t), json_raw(d, t));
			return -1;
		}
		tok[f] = t + 1;
	}
	for (int i = 0; i < 6; i++) {
		const char *name = i < 3 ? str_fields[i] : int_fields[i - 3];
		if (tok[i] < 0) {
			snprintf(why, wn, "%s: missing", name);
			return -1;
		}
		if (i < 3) {
			if (!json_is_string(d, tok[i])) {
				snprintf(why, wn, "%s: not a string", name);
				return -1;
			}
			if (json_rawlen(d, tok[i]) == 0) {
				snprintf(why, wn, "%s: empty", name);
				return -1;
			}
			continue;
		}
		int r = json_get_i64(d, tok[i], &num[i - 3]);
		if (r == -2) {
			snprintf(why, wn, "%s: integer out of 64-bit range", name);
			return -1;
		}
		if (r) {
			snprintf(why, wn, "%s: not an integer", name);
			return -1;
		}
		if (num[i - 3] < 0) {
			snprintf(why, wn, "%s: negative", name);
			return -1;
		}
	}
	/* strings are stored decoded and re-escaped, so equal values are equal bytes */
	static const char *const prefix[] = {"{\"src_app\":", ",\"dest_app\":", ",\"vpc_id\":"};
	for (int i = 0; i < 3; i++) {
		buf_adds(out, prefix[i]);
		json_get_str(d, tok[i], &s);
		json_write_str(out, s.data, s.len);
	}
	buf_adds(out, ",\"hour\":");
	buf_add_i64(out, num[0]);
	buf_adds(out, ",\"bytes_tx\":");
	buf_add_i64(out, num[1]);
	buf_adds(out, ",\"bytes_rx\":");
	buf_add_i64(out, num[2]);
	buf_addc(out, '}');
	ri->key = num[0];
	ri->nbloom = 0;
	return 0;
}

/* The stored form, {"src_app":S,"dest_app":S,"vpc_id":S,"hour":N,
 * "bytes_tx":N,"bytes_rx":N}, strings non-empty and without escapes. */
static int flows_in_place(const char *line, size_t n, struct rec_info *ri)
{
	struct scan s;
	const char *b;
	size_t bn;
	int64_t hour, v;

	scan_init(&s, line, n);
	if (!SCAN_LIT(&s, "{\"src_app\":") || !scan_str(&s, &b, &bn) || !bn ||
	    !SCAN_LIT(&s, ",\"dest_app\":") || !scan_str(&s, &b, &bn) || !bn ||
	    !SCAN_LIT(&s, ",\"vpc_id\":") || !scan_str(&s, &b, &bn) || !bn ||
	    !SCAN_LIT(&s, ",\"hour\":") || !scan_u63(&s, &hour) ||
	    !SCAN_LIT(&s, ",\"bytes_tx\":") || !scan_u63(&s, &v) ||
	    !SCAN_LIT(&s, ",\"bytes_rx\":") || !scan_u63(&s, &v) ||
	    !SCAN_LIT(&s, "}") || !scan_done(&s))
		return 0;
	ri->key = hour;
	ri->nbloom = 0;
	return 1;
}

/* ---- the stored form, read back: parsed by position (kind-flows.h) ---- */

static int take_lit(const char **p, const char *end, const char *lit, size_t n)
{
	if ((size_t)(end - *p) < n || memcmp(*p, lit, n))
		return -1;
	*p += n;
	return 0;
}
#define TAKE_LIT(p, end, lit) take_lit((p), (end), (lit), sizeof(lit) - 1)

/* A string literal, quotes included: *s and *n. */
static int take_str(const char **p, const char *end, const char **s, size_t *n)
{
	const char *q = *p;
	if (q >= end || *q != '"')
		return -1;
	for (q++; q < end && *q != '"'; q++)
		if (*q == '\\')
			q++;
	if (q >= end)
		return -1;
	*s = *p;
	*n = (size_t)(q + 1 - *p);
	*p = q + 1;
	return 0;
}

static int take_int(const char **p, const char *end, int64_t *v)
{
	const char *q = *p;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (parse_i64(*p, (size_t)(q - *p), v))
		return -1;
	*p = q;
	return 0;
}

int flows_parse_head(const char *line, size_t n, struct flows_line *f)
{
	const char *p = line, *end = line + n;

	if (TAKE_LIT(&p, end, "{\"src_app\":") || take_str(&p, end, &f->src, &f->src_len) ||
	    TAKE_LIT(&p, end, ",\"dest_app\":") || take_str(&p, end, &f->dest, &f->dest_len) ||
	    TAKE_LIT(&p, end, ",\"vpc_id\":") || take_str(&p, end, &f->vpc, &f->vpc_len) ||
	    TAKE_LIT(&p, end, ",\"hour\":") || take_int(&p, end, &f->hour))
		return -1;
	f->tail = (size_t)(p - line);
	return 0;
}

int flows_parse_tail(const char *line, size_t n, struct flows_line *f)
{
	const char *p = line + f->tail, *end = line + n;

	if (TAKE_LIT(&p, end, ",\"bytes_tx\":") || take_int(&p, end, &f->tx) ||
	    TAKE_LIT(&p, end, ",\"bytes_rx\":") || take_int(&p, end, &f->rx) || TAKE_LIT(&p, end, "}") || p != end)
		return -1;
	return 0;
}

int flows_parse_line(const char *line, size_t n, struct flows_line *f)
{
	return flows_parse_head(line, n, f) || flows_parse_tail(line, n, f) ? -1 : 0;
}

const struct kind kind_flows = {
	.name = "flows",
	.noun = "flow objects",
	/* one hour a bucket: late flows stay out of other hours' blocks */
	.cluster_width = 1,
	.normalise = flows_normalise,
	.in_place = flows_in_place,
};
