#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int out_format_parse(const char *s, enum out_format *f)
{
	static const char *names[] = {"json", "ndjson", "csv", "tsv", "table"};

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

/* Display width of UTF-8 text: one column per code point. */
static size_t width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

static void table_text(const struct out_table *t, size_t col, const struct out_cell *c,
		       struct buf *tmp, struct buf *out)
{
	buf_reset(tmp);
	buf_reset(out);
	cell_text(t, col, c, tmp);
	tsv_field(tmp->data, tmp->len, out);
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
		buf_init(&cell);
		for (c = 0; c < t->ncols; c++)
			w[c] = strlen(t->cols[c].name);
		for (r = from; r < to; r++)
			for (c = 0; c < t->ncols; c++) {
				table_text(t, c, &t->cells[r * t->ncols + c], &tmp, &cell);
				size_t cw = width(cell.data, cell.len);
				if (cw > w[c])
					w[c] = cw;
			}
		for (r = from; r <= to; r++) {
			for (c = 0; c < t->ncols; c++) {
				int right = t->cols[c].type == OUT_INT;
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
			buf_addc(out, '\n');
		}
		free(w);
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
