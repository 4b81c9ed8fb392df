#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1u << 20)

int input_open(struct input *in, const char *path)
{
	memset(in, 0, sizeof(*in));
	in->name = strcmp(path, "-") ? path : "<stdin>";
	in->next_line = 1;
	if (!strcmp(path, "-")) {
		in->fd = 0;
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0)
			return err_sys("cannot open %s", path);
	}
	in->cap = CHUNK;
	in->buf = xmalloc(in->cap + 1);
	return 0;
}

void input_close(struct input *in)
{
	if (in->fd > 0)
		close(in->fd);
	if (in->zs_ready)
		inflateEnd(&in->zs);
	free(in->raw);
	free(in->buf);
	memset(in, 0, sizeof(*in));
	in->fd = -1;
}

/* Append up to room decoded bytes at dst; returns bytes produced, 0 at end
 * of input, -1 on error (err_set). */
static ssize_t decode_more(struct input *in, char *dst, size_t room)
{
	if (!in->gzip) {
		ssize_t r;
		do
			r = stop_signal ? (errno = EINTR, -1) : read(in->fd, dst, room);
		while (r < 0 && errno == EINTR && !stop_signal);
		if (r < 0)
			return stop_honoured = stop_signal != 0, err_sys("cannot read %s", in->name), -1;
		in->bytes_in += (uint64_t)r;
		if (in->sum)
			sha256_update(in->sum, dst, (size_t)r);
		return r;
	}
	in->zs.next_out = (Bytef *)dst;
	in->zs.avail_out = (uInt)room;
	while (in->zs.avail_out == room) {
		if (in->zs.avail_in == 0 && !in->raw_eof) {
			ssize_t r;
			do
				r = stop_signal ? (errno = EINTR, -1) : read(in->fd, in->raw, in->raw_cap);
			while (r < 0 && errno == EINTR && !stop_signal);
			if (r < 0)
				return stop_honoured = stop_signal != 0, err_sys("cannot read %s", in->name), -1;
			if (r == 0)
				in->raw_eof = 1;
			in->bytes_in += (uint64_t)r;
			if (in->sum)
				sha256_update(in->sum, in->raw, (size_t)r);
			in->zs.next_in = in->raw;
			in->zs.avail_in = (uInt)r;
		}
		if (in->zs_end) {
			/* between members: another member, or the end */
			if (in->zs.avail_in == 0 && in->raw_eof)
				return 0;
			if (in->zs.avail_in == 0)
				continue;
			if (in->zs.next_in[0] != 0x1f || (in->zs.avail_in > 1 && in->zs.next_in[1] != 0x8b)) {
				err_set(EX_DATA, "%s: trailing garbage after gzip data", in->name);
				return -1;
			}
			inflateReset(&in->zs);
			in->zs_end = 0;
		}
		if (in->zs.avail_in == 0 && in->raw_eof) {
			err_set(EX_DATA, "%s: truncated gzip stream", in->name);
			return -1;
		}
		int rc = inflate(&in->zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			in->zs_end = 1;
		} else if (rc == Z_BUF_ERROR && in->zs.avail_in == 0) {
			continue;
		} else if (rc != Z_OK) {
			err_set(EX_DATA, "%s: damaged gzip data: %s", in->name, in->zs.msg ? in->zs.msg : "inflate error");
			return -1;
		}
	}
	return (ssize_t)(room - in->zs.avail_out);
}

/* Make room and read more; returns 1 if bytes were added, 0 at end, -1 error. */
static int fill(struct input *in)
{
	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	/* a terminal's read after the end waits for input again: never read on */
	if (in->eof)
		return 0;
	if (in->end == in->cap) {
		if (in->cap > INPUT_MAX_RECORD)
			return 0;  /* the caller reports the over-long record */
		in->cap *= 2;
		in->buf = xrealloc(in->buf, in->cap + 1);
	}
	ssize_t r = decode_more(in, in->buf + in->end, in->cap - in->end);
	if (r < 0)
		return -1;
	if (r == 0) {
		in->eof = 1;
		return 0;
	}
	in->end += (size_t)r;
	return 1;
}

static int start_decoding(struct input *in)
{
	unsigned char magic[2];
	ssize_t r = read_full(in->fd, magic, 2);

	if (r < 0)
		return err_sys("cannot read %s", in->name);
	in->bytes_in += (uint64_t)r;
	if (in->sum)
		sha256_update(in->sum, magic, (size_t)r);
	if (r == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		in->gzip = 1;
		in->raw_cap = CHUNK;
		in->raw = xmalloc(in->raw_cap);
		memcpy(in->raw, magic, 2);
		in->zs.next_in = in->raw;
		in->zs.avail_in = 2;
		if (inflateInit2(&in->zs, 16 + 15) != Z_OK)
			return err_set(EX_FAIL, "cannot initialise zlib inflate");
		in->zs_ready = 1;
	} else {
		memcpy(in->buf, magic, (size_t)r);
		in->end = (size_t)r;
		/* read_full is short only after a read returned 0: the end. On a
		 * terminal that was a ^D, and reading again would wait for another */
		if (r < 2)
			in->eof = 1;
	}
	return 0;
}

static int next_record(struct input *in, const char **rec, size_t *len);

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int too_long(struct input *in)
{
	return err_set(EX_DATA, "%s:%llu: record longer than 16 MiB", in->name,
		       (unsigned long long)in->next_line);
}

/* Skip whitespace, counting lines; returns the next byte or -1 at the end. */
static int skip_ws(struct input *in, int *err)
{
	for (;;) {
		while (in->start < in->end && is_ws(in->buf[in->start])) {
			if (in->buf[in->start] == '\n') {
				in->next_line++;
				in->col = 0;
			} else {
				in->col++;
			}
			in->start++;
		}
		if (in->start < in->end)
			return (unsigned char)in->buf[in->start];
		int r = fill(in);
		if (r < 0) {
			*err = 1;
			return -1;
		}
		if (r == 0)
			return -1;
	}
}

static int next_line(struct input *in, const char **rec, size_t *len)
{
	for (;;) {
		size_t scan = in->start;
		char *nl;
		for (;;) {
			nl = memchr(in->buf + scan, '\n', in->end - scan);
			if (nl || in->eof)
				break;
			if (in->end - in->start > INPUT_MAX_RECORD)
				return -too_long(in);
			scan = in->end - in->start;
			int r = fill(in);
			if (r < 0)
				return -err_code();
			scan = in->start + scan;
		}
		size_t s = in->start, e = nl ? (size_t)(nl - in->buf) : in->end;
		if (e - s > INPUT_MAX_RECORD)
			return -too_long(in);
		in->line = in->next_line;
		in->rec_col = in->col;
		in->next_line++;
		in->start = nl ? e + 1 : e;
		in->col = 0;
		size_t t = s;
		while (t < e && is_ws(in->buf[t]))
			t++;
		if (t == e) {
			if (!nl && in->eof)
				return 0;
			continue;  /* blank line */
		}
		*rec = in->buf + s;
		*len = e - s;
		return 1;
	}
}

/* One element of a JSON array: scan to the ',' or ']' at depth 0. */
static int next_element(struct input *in, const char **rec, size_t *len)
{
	int err = 0, c = skip_ws(in, &err);

	if (err)
		return -err_code();
	if (c < 0)
		return -err_set(EX_DATA, "%s:%llu: JSON array never closes", in->name,
			       (unsigned long long)in->next_line);
	if (c == ']') {
		if (in->after_comma)
			return -err_set(EX_DATA, "%s:%llu: trailing comma in JSON array", in->name,
				       (unsigned long long)in->next_line);
		in->start++;
		in->col++;
		in->mode = 3;
		c = skip_ws(in, &err);
		if (err)
			return -err_code();
		if (c >= 0)
			return -err_set(EX_DATA, "%s:%llu: data after the JSON array", in->name,
				       (unsigned long long)in->next_line);
		return 0;
	}
	in->line = in->next_line;
	in->rec_col = in->col;
	size_t i = in->start;
	int depth = 0, str = 0, esc = 0;
	uint64_t lines = 0;
	for (;;) {
		for (; i < in->end; i++) {
			char ch = in->buf[i];
			if (ch == '\n')
				lines++;
			if (str) {
				if (esc)
					esc = 0;
				else if (ch == '\\')
					esc = 1;
				else if (ch == '"')
					str = 0;
				continue;
			}
			if (ch == '"')
				str = 1;
			else if (ch == '{' || ch == '[')
				depth++;
			else if ((ch == '}' || ch == ']') && depth > 0)
				depth--;
			else if ((ch == ',' || ch == ']') && depth == 0)
				goto found;
		}
		if (i - in->start > INPUT_MAX_RECORD)
			return -too_long(in);
		size_t off = i - in->start;
		int r = fill(in);
		if (r < 0)
			return -err_code();
		if (r == 0)
			return -err_set(EX_DATA, "%s:%llu: JSON array never closes", in->name,
				       (unsigned long long)in->line);
		i = in->start + off;
	}
found:
	if (i - in->start > INPUT_MAX_RECORD)
		return -too_long(in);
	*rec = in->buf + in->start;
	*len = i - in->start;
	in->next_line += lines;
	const char *last_nl = memrchr(*rec, '\n', *len);
	in->col = last_nl ? (uint64_t)(*rec + *len - last_nl - 1) : in->col + *len;
	/* leave a closing ']' for the next call; step over a ',' */
	in->after_comma = in->buf[i] == ',';
	in->col += in->after_comma;
	in->start = in->after_comma ? i + 1 : i;
	return 1;
}

/* Brackets and strings seen so far by a scan for the end of a JSON value. */
struct scan_state {
	int depth, str, esc;
};

/* Scan buf[i..to) on from st; returns the index just after the '}' or ']'
 * that closes the value, or to when it goes on. */
static size_t scan_value(const char *buf, size_t i, size_t to, struct scan_state *st)
{
	for (; i < to; i++) {
		char ch = buf[i];
		if (st->str) {
			if (st->esc)
				st->esc = 0;
			else if (ch == '\\')
				st->esc = 1;
			else if (ch == '"')
				st->str = 0;
		} else if (ch == '"') {
			st->str = 1;
		} else if (ch == '{' || ch == '[') {
			st->depth++;
		} else if (ch == '}' || ch == ']') {
			if (--st->depth <= 0)
				return i + 1;
		}
	}
	return to;
}

/*
 * Does the object starting at buf[start] stay open at the end of its line?
 * Then the input is JSON documents spanning lines, as pretty-printers (jq,
 * Python's json.dumps with indent) and the event server's request bodies
 * have them, whatever the first line holds after its "{". Such a first line
 * is never a whole JSON line, so no input of JSON lines is read otherwise.
 * Returns 1, 0 (the object closes on its line, or the input ends first), or
 * -1 on a read error (err_set).
 */
static int first_line_open(struct input *in)
{
	struct scan_state st = {0, 0, 0};
	size_t i = in->start;

	for (;;) {
		const char *nl = memchr(in->buf + i, '\n', in->end - i);
		size_t to = nl ? (size_t)(nl - in->buf) : in->end;
		scan_value(in->buf, i, to, &st);
		if (st.depth <= 0)
			return 0;
		if (nl)
			return 1;
		/* one line to the end, or too long: read as a line, which says so */
		if (in->eof || to - in->start > INPUT_MAX_RECORD)
			return 0;
		size_t off = to - in->start;
		int r = fill(in);
		if (r <= 0)
			return r;
		i = in->start + off;
	}
}

/* One of a series of JSON values separated by whitespace (pretty-printed
 * objects, as jq reads them). */
static int next_value(struct input *in, const char **rec, size_t *len)
{
	int err = 0, c = skip_ws(in, &err);

	if (err)
		return -err_code();
	if (c < 0)
		return 0;
	in->line = in->next_line;
	in->rec_col = in->col;
	size_t i = in->start;
	struct scan_state st = {0, 0, 0};
	if (c != '{' && c != '[') {
		/* not an object: the parser says what it is */
		while (i < in->end && !is_ws(in->buf[i]))
			i++;
	} else {
		for (;;) {
			size_t e = scan_value(in->buf, i, in->end, &st);
			if (e < in->end || (st.depth <= 0 && e > in->start)) {
				i = e;
				break;
			}
			if (e - in->start > INPUT_MAX_RECORD)
				return -too_long(in);
			size_t off = e - in->start;
			int r = fill(in);
			if (r < 0)
				return -err_code();
			if (r == 0) {
				/* the parser names what is missing */
				i = in->end;
				while (i > in->start && is_ws(in->buf[i - 1]))
					i--;
				break;
			}
			i = in->start + off;
		}
	}
	*rec = in->buf + in->start;
	*len = i - in->start;
	for (const char *p = *rec; (p = memchr(p, '\n', (size_t)(*rec + *len - p))); p++) {
		in->next_line++;
		in->col = (uint64_t)(*rec + *len - p - 1);
	}
	if (!memchr(*rec, '\n', *len))
		in->col += *len;
	in->start = i;
	return 1;
}

int input_next(struct input *in, const char **rec, size_t *len)
{
	/* internally errors are negative codes, so EX_FAIL (1) is not a record */
	int r = next_record(in, rec, len);

	return r < 0 ? -r : r == 1 ? INPUT_RECORD : 0;
}

static int next_record(struct input *in, const char **rec, size_t *len)
{
	if (in->mode == 3)
		return 0;
	if (in->mode == 0) {
		int err = 0, rc = start_decoding(in);
		if (rc)
			return -rc;
		/* a UTF-8 byte order mark, as Windows tools write, is not data */
		while (in->end - in->start < 3 && !in->eof && (rc = fill(in)) > 0)
			;
		if (rc < 0)
			return -err_code();
		if (in->end - in->start >= 3 && !memcmp(in->buf + in->start, "\xef\xbb\xbf", 3))
			in->start += 3;
		int c = skip_ws(in, &err);
		if (err)
			return -err_code();
		if (c < 0)
			return 0;  /* empty input: no records */
		if (c == '[') {
			in->mode = 2;
			in->start++;
			in->col++;
		} else if (c == '{' && (rc = first_line_open(in)) == 1) {
			in->mode = 4;
		} else if (rc < 0) {
			return -err_code();
		} else {
			in->mode = 1;
		}
	}
	if (in->mode == 4)
		return next_value(in, rec, len);
	return in->mode == 1 ? next_line(in, rec, len) : next_element(in, rec, len);
}

uint64_t input_json_where(const struct input *in, const char *rec, size_t len, char *why, size_t wn)
{
	/* json_parse's messages end "at byte N" (or "near byte N"), N from 1 */
	char *last = NULL;
	for (char *p = why; (p = strstr(p, " byte ")); p++)
		last = p;
	if (!last)
		return in->line;
	char *num = last + 6, *end;
	unsigned long long n = strtoull(num, &end, 10);
	if (end == num || *end || n == 0)
		return in->line;
	size_t at = (size_t)(n - 1);
	uint64_t line = in->line, col = in->rec_col + at;
	for (size_t i = 0; i < at && i < len; i++)
		if (rec[i] == '\n') {
			line++;
			col = at - i - 1;
		}
	snprintf(num, wn - (size_t)(num - why), "%" PRIu64, col + 1);
	return line;
}
