#include "docsplit.h"

void docsplit_init(struct docsplit *s)
{
	s->depth = 0;
	s->str = s->esc = 0;
}

size_t docsplit_scan(struct docsplit *s, const char *p, size_t n, int *ended)
{
	*ended = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (s->str) {
			if (s->esc)
				s->esc = 0;
			else if (c == '\\')
				s->esc = 1;
			else if (c == '"')
				s->str = 0;
			continue;
		}
		if (c == '"') {
			s->str = 1;
		} else if (c == '{' || c == '[') {
			s->depth++;
		} else if ((c == '}' || c == ']') && --s->depth <= 0) {
			docsplit_init(s);
			*ended = 1;
			return i + 1;
		}
	}
	return n;
}
