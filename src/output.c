#include "output.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "json.h"

static const char *const format_names[] = {"json", "ndjson", "csv", "tsv", "table"};

const char *out_format_name(enum out_format f) { return format_names[f]; }

int out_format_parse(const char *s, enum out_format *f)
{
	const char *const *names = format_names;

	for (int i = 0; i < 5; i++)
		if (!strcmp(s, names[i])) {
			*f = (enum out_format)i;
			return 0;
		}
	return -1;
}

void out_table_init(struct out_table *t, const struct out_col *cols, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
	buf_init(&t->arena);
}

void out_table_free(struct out_table *t)
{
	free(t->cells);
	buf_free(&t->arena);
	memset(t, 0, sizeof(*t));
}

static struct out_cell *new_cell(struct out_table *t)
{
	if (t->ncells == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = xrealloc(t->cells, sizeof(*t->cells) * t->cap);
	}
	struct out_cell *c = &t->cells[t->ncells++];
	memset(c, 0, sizeof(*c));
	return c;
}

void out_add_str(struct out_table *t, const char *s, size_t n)
{
	struct out_cell *c = new_cell(t);
	c->off = t->arena.len;
	c->len = n;
	buf_add(&t->arena, s, n);
}

void out_add_raw(struct out_table *t, const char *s, size_t n) { out_add_str(t, s, n); }

void out_add_null(struct out_table *t)
{
	new_cell(t)->null = 1;
}

void out_add_int(struct out_table *t, int64_t v)
{
	new_cell(t)->i = v;
}

/* The cell as plain text (strings unescaped, numbers in decimal). */
static void cell_text(const struct out_table *t, size_t col, const struct out_cell *c, struct buf *out)
{
	if (c->null)
		return;
	if (t->cols[col].type == OUT_INT)
		buf_add_i64(out, c->i);
	else
		buf_add(out, t->arena.data + c->off, c->len);
}

static void cell_json(const struct out_table *t, size_t col, const struct out_cell *c, struct buf *out)
{
	if (c->null) {
		buf_add(out, "null", 4);
		return;
	}
	switch (t->cols[col].type) {
	case OUT_INT: buf_add_i64(out, c->i); break;
	case OUT_RAW: buf_add(out, t->arena.data + c->off, c->len); break;
	case OUT_STR: json_write_str(out, t->arena.data + c->off, c->len); break;
	}
}

static void row_object(const struct out_table *t, size_t r, struct buf *out)
{
	buf_addc(out, '{');
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			buf_addc(out, ',');
		json_write_str(out, t->cols[c].name, strlen(t->cols[c].name));
		buf_addc(out, ':');
		cell_json(t, c, &t->cells[r * t->ncols + c], out);
	}
	buf_addc(out, '}');
}

static void csv_field(const char *s, size_t n, struct buf *out)
{
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
		buf_add(out, s, n);
		return;
	}
	buf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addc(out, '"');
		buf_addc(out, s[i]);
	}
	buf_addc(out, '"');
}

static void tsv_field(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\t': buf_add(out, "\\t", 2); break;
		case '\n': buf_add(out, "\\n", 2); break;
		case '\r': buf_add(out, "\\r", 2); break;
		case '\\': buf_add(out, "\\\\", 2); break;
		default: buf_addc(out, s[i]);
		}
	}
}

/*
 * The environment's LC_CTYPE when it is UTF-8, for wcwidth(), or 0. It is
 * used only here (uselocale around the calls), so that the rest of aggr
 * keeps the C locale whatever the environment says.
 */
static locale_t utf8_locale(void)
{
	static int done;
	static locale_t loc;

	if (!done) {
		done = 1;
		loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0);
		if (loc && strcmp(nl_langinfo_l(CODESET, loc), "UTF-8")) {
			freelocale(loc);
			loc = (locale_t)0;
		}
	}
	return loc;
}

/* Decode one UTF-8 sequence at s (n > 0 bytes left): its code point, or
 * -1 for a malformed one; *len is the bytes it takes (1 when malformed). */
static long utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	unsigned c = s[0], need;
	long cp;

	*len = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 2, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 3, cp = c & 0x07;
	else
		return -1;
	if (n <= need)
		return -1;
	for (unsigned i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = need + 1;
	return cp;
}

/*
 * Display width of UTF-8 text (already escaped: no controls): wcwidth()
 * under a UTF-8 locale, so CJK and emoji take two columns and combining
 * or zero-width characters none; else one column per code point, which is
 * exact for ASCII. A malformed byte or a character wcwidth() does not know
 * counts one.
 */
static size_t width(const char *s, size_t n)
{
	locale_t loc = utf8_locale(), old = (locale_t)0;
	size_t w = 0, len;

	if (loc)
		old = uselocale(loc);
	for (size_t i = 0; i < n; i += len) {
		long cp = utf8_next((const unsigned char *)s + i, n - i, &len);
		if (cp < 0x80) {
			w++;
			continue;
		}
		int cw = loc ? wcwidth((wchar_t)cp) : 1;
		w += cw < 0 ? 1 : (size_t)cw;
	}
	if (loc)
		uselocale(old);
	return w;
}

/*
 * A cell as a table shows it, on one line and safe for a terminal: tab,
 * newline, CR and backslash as in tsv (\t \n \r \\), every other C0
 * control and DEL as \xHH, and the C1 controls U+0080 to U+009F (which
 * terminals may obey, as CSI U+009B) as \u00HH, so that no data can move
 * the cursor, change colours or ring the bell.
 */
static void table_text(const struct out_table *t, size_t col, const struct out_cell *c,
		       struct buf *tmp, struct buf *out)
{
	buf_reset(tmp);
	buf_reset(out);
	cell_text(t, col, c, tmp);
	for (size_t i = 0; i < tmp->len; i++) {
		unsigned char b = (unsigned char)tmp->data[i];
		switch (b) {
		case '\t': buf_add(out, "\\t", 2); continue;
		case '\n': buf_add(out, "\\n", 2); continue;
		case '\r': buf_add(out, "\\r", 2); continue;
		case '\\': buf_add(out, "\\\\", 2); continue;
		}
		if (b < 0x20 || b == 0x7f)
			buf_addf(out, "\\x%02x", b);
		else if (b == 0xC2 && i + 1 < tmp->len && (unsigned char)tmp->data[i + 1] >= 0x80 &&
			 (unsigned char)tmp->data[i + 1] <= 0x9F)
			buf_addf(out, "\\u%04x", (unsigned char)tmp->data[++i]);
		else
			buf_addc(out, (char)b);
	}
}

/* Is the cell a JSON number (raw text), for right alignment? */
static int cell_is_number(const struct out_table *t, const struct out_cell *c)
{
	const char *s = t->arena.data + c->off;
	size_t n = c->len, i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i == n || s[i] < '0' || s[i] > '9')
		return 0;
	return strspn(s + i, "0123456789.eE+-") >= n - i;
}

static void pad_to(struct buf *out, size_t n)
{
	while (n--)
		buf_addc(out, ' ');
}

void out_render(const struct out_table *t, size_t from, size_t to, enum out_format f, struct buf *out)
{
	struct buf tmp;
	size_t r, c;

	if (to > out_rows(t))
		to = out_rows(t);
	if (from > to)
		from = to;
	buf_init(&tmp);
	switch (f) {
	case OUT_JSON:
		buf_addc(out, '[');
		for (r = from; r < to; r++) {
			if (r > from)
				buf_addc(out, ',');
			row_object(t, r, out);
		}
		buf_addc(out, ']');
		break;
	case OUT_NDJSON:
		for (r = from; r < to; r++) {
			row_object(t, r, out);
			buf_addc(out, '\n');
		}
		break;
	case OUT_CSV:
	case OUT_TSV:
		for (c = 0; c < t->ncols; c++) {
			if (c)
				buf_addc(out, f == OUT_CSV ? ',' : '\t');
			buf_adds(out, t->cols[c].name);
		}
		buf_addc(out, '\n');
		for (r = from; r < to; r++) {
			for (c = 0; c < t->ncols; c++) {
				if (c)
					buf_addc(out, f == OUT_CSV ? ',' : '\t');
				buf_reset(&tmp);
				cell_text(t, c, &t->cells[r * t->ncols + c], &tmp);
				if (f == OUT_CSV)
					csv_field(tmp.data, tmp.len, out);
				else
					tsv_field(tmp.data, tmp.len, out);
			}
			buf_addc(out, '\n');
		}
		break;
	case OUT_TABLE: {
		/* one line per row: control characters escaped as in tsv */
		struct buf cell;
		size_t *w = xcalloc(t->ncols, sizeof(*w));
		/* numbers are right-aligned: integer columns, and raw columns
		 * whose every cell is a number or null (ratios, epochs) */
		char *num = xcalloc(t->ncols, 1);
		buf_init(&cell);
		for (c = 0; c < t->ncols; c++) {
			w[c] = width(t->cols[c].name, strlen(t->cols[c].name));
			num[c] = t->cols[c].type != OUT_STR;
		}
		for (r = from; r < to; r++)
			for (c = 0; c < t->ncols; c++) {
				const struct out_cell *oc = &t->cells[r * t->ncols + c];
				table_text(t, c, oc, &tmp, &cell);
				size_t cw = width(cell.data, cell.len);
				if (cw > w[c])
					w[c] = cw;
				if (t->cols[c].type == OUT_RAW && !oc->null && !cell_is_number(t, oc))
					num[c] = 0;
			}
		for (r = from; r <= to; r++) {
			for (c = 0; c < t->ncols; c++) {
				int right = num[c];
				if (r == from) {
					buf_reset(&cell);
					buf_adds(&cell, t->cols[c].name);
				} else {
					table_text(t, c, &t->cells[(r - 1) * t->ncols + c], &tmp, &cell);
				}
				size_t cw = width(cell.data, cell.len);
				size_t pad = w[c] > cw ? w[c] - cw : 0;
				if (right)
					pad_to(out, pad);
				buf_add(out, cell.data, cell.len);
				if (c + 1 < t->ncols) {
					if (!right)
						pad_to(out, pad);
					buf_adds(out, "  ");
				}
			}
			/* empty cells at the end leave no blanks behind */
			while (out->len && out->data[out->len - 1] == ' ')
				out->len--;
			buf_addc(out, '\n');
		}
		free(w);
		free(num);
		buf_free(&cell);
		break;
	}
	}
	buf_free(&tmp);
}

int out_write_stdout(const struct buf *out)
{
	if (out->len && fwrite(out->data, 1, out->len, stdout) != out->len)
		return err_sys("cannot write standard output");
	return 0;
}

int out_print(const struct out_table *t, enum out_format f)
{
	struct buf out;
	int rc;

	buf_init(&out);
	out_render(t, 0, out_rows(t), f, &out);
	if (f == OUT_JSON)
		buf_addc(&out, '\n');
	rc = out_write_stdout(&out);
	buf_free(&out);
	return rc;
}

int out_stream_flush(struct out_stream *s, struct out_table *t)
{
	struct buf b;
	size_t n = out_rows(t), skip = 0, len;
	int rc;

	if (s->f == OUT_TABLE || !n)
		return 0;  /* a table aligns its columns over every row: at the end */
	buf_init(&b);
	out_render(t, 0, n, s->f, &b);
	len = b.len;
	/* the pieces of one document: one '[', one header line */
	if (s->f == OUT_JSON) {
		len--;
		if (s->rows)
			b.data[0] = ',';
	} else if ((s->f == OUT_CSV || s->f == OUT_TSV) && s->rows) {
		skip = (size_t)((char *)memchr(b.data, '\n', b.len) - b.data) + 1;
	}
	struct buf part = {b.data + skip, len - skip, 0};
	rc = out_write_stdout(&part);
	buf_free(&b);
	s->rows += n;
	t->ncells = 0;
	buf_reset(&t->arena);
	return rc;
}

int out_stream_end(struct out_stream *s, struct out_table *t)
{
	struct buf b;
	int rc;

	if (s->f != OUT_TABLE && (rc = out_stream_flush(s, t)))
		return rc;
	buf_init(&b);
	if (s->f == OUT_TABLE || (!s->rows && s->f != OUT_JSON))
		out_render(t, 0, out_rows(t), s->f, &b);
	else if (s->f == OUT_JSON)
		buf_adds(&b, s->rows ? "]\n" : "[]\n");
	rc = out_write_stdout(&b);
	buf_free(&b);
	return rc;
}
