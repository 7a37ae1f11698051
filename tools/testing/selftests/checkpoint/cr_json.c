// SPDX-License-Identifier: GPL-2.0
/*
 * cr_json - crinspect's writer: human-readable lines or JSON, through the
 * same calls (see cr_json.h).
 */
#include <string.h>

#include "cr_json.h"

/* One code point of valid UTF-8 at @s: its length, 0 if invalid. */
static int cj_utf8(const unsigned char *s, size_t n, __u32 *cp)
{
	__u32 c;
	int len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

/*
 * A byte string, quoted.  JSON: valid UTF-8 as is, controls and every
 * byte that is not part of valid UTF-8 as \u00XX.  Human: printable ASCII
 * and valid UTF-8 from U+00A0 on as is, any other byte as \xXX.  Returns
 * false if a byte was not valid UTF-8 (JSON cannot tell it from U+00XX).
 */
bool cj_put_string(struct cj_out *o, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	bool utf8 = true;
	size_t i = 0;
	__u32 cp;
	int n;

	fputc('"', o->f);
	while (i < len) {
		n = cj_utf8(s + i, len - i, &cp);
		if (!n)
			utf8 = false;
		if (s[i] == '"' || s[i] == '\\') {
			fprintf(o->f, "\\%c", s[i]);
			i++;
		} else if (n && (cp >= 0xa0 || (cp >= 0x20 && cp < 0x7f))) {
			fwrite(s + i, 1, n, o->f);
			i += n;
		} else if (o->json) {
			/* a control, or a byte that is no UTF-8 */
			fprintf(o->f, "\\u%04x", n ? cp : s[i]);
			i += n ? n : 1;
		} else {
			fprintf(o->f, "\\x%02x", s[i]);
			i++;
		}
	}
	fputc('"', o->f);
	return utf8;
}

/* Start a value: its key (JSON), or its line or place on a line (human). */
static void cj_pre(struct cj_out *o, const char *key)
{
	struct cj_level *l = &o->lvl[o->depth];

	if (o->json) {
		if (!l->first)
			fputs(", ", o->f);
		if (!l->array)
			fprintf(o->f, "\"%s\": ", key);
	} else if (l->array && l->lines) {
		fprintf(o->f, "    %s[%u]: ", l->key, l->n);
	} else if (l->inline_) {
		if (!l->first)
			fputc(' ', o->f);
		if (!l->array)
			fprintf(o->f, "%s=", key);
	} else {
		fprintf(o->f, "    %s: ", key);
	}
	l->first = false;
	l->n++;
}

/* End a value: the end of its line when it had one. */
static void cj_post(struct cj_out *o)
{
	const struct cj_level *l = &o->lvl[o->depth];

	if (!o->json && (!l->inline_ || (l->array && l->lines)))
		fputc('\n', o->f);
}

static void cj_push(struct cj_out *o, bool array, bool lines, const char *key)
{
	struct cj_level *l = &o->lvl[++o->depth];

	l->array = array;
	l->lines = lines;
	/* human: everything but an array of lines is printed on one line */
	l->inline_ = !(array && lines);
	l->first = true;
	l->n = 0;
	l->key = key;
}

/* Human: the index the next element of the current array is shown with. */
void cj_index(struct cj_out *o, unsigned int n)
{
	o->lvl[o->depth].n = n;
}

void cj_obj_begin(struct cj_out *o, const char *key)
{
	if (!o->f)
		return;
	cj_pre(o, key);
	if (o->json)
		fputc('{', o->f);
	cj_push(o, false, false, key);
}

void cj_obj_end(struct cj_out *o)
{
	if (!o->f)
		return;
	o->depth--;
	if (o->json)
		fputc('}', o->f);
	cj_post(o);
}

/* An array; human: elements on lines of their own if @lines, else inline. */
void cj_arr_begin(struct cj_out *o, const char *key, bool lines)
{
	const struct cj_level *up;

	if (!o->f)
		return;
	up = &o->lvl[o->depth];
	if (o->json) {
		cj_pre(o, key);
		fputc('[', o->f);
	} else if (!lines) {
		cj_pre(o, key);
	} else if (up->inline_) {
		/* human: lines cannot nest in a line; list it inline */
		cj_pre(o, key);
		lines = false;
	}
	cj_push(o, true, lines, key);
}

void cj_arr_end(struct cj_out *o)
{
	bool lines;

	if (!o->f)
		return;
	lines = o->lvl[o->depth].lines;
	o->depth--;
	if (o->json) {
		fputc(']', o->f);
		cj_post(o);
	} else if (!lines) {
		cj_post(o);
	}
}

/* A number, with its symbolic reading @str if not NULL. */
void cj_num(struct cj_out *o, const char *key, __u64 v, enum cj_fmt fmt, const char *str)
{
	unsigned long long u = v;

	if (!o->f)
		return;
	cj_pre(o, key);
	if (o->json && fmt == CJ_HEX)
		fprintf(o->f, "\"0x%llx\"", u);
	else if (o->json || fmt == CJ_DEC)
		fprintf(o->f, "%llu", u);
	else if (fmt == CJ_OCT)
		fprintf(o->f, "%#llo", u);
	else
		fprintf(o->f, "0x%llx", u);
	if (str && !o->json && *str)
		fprintf(o->f, " (%s)", str);
	cj_post(o);
	if (str && o->json && !o->lvl[o->depth].array) {
		fprintf(o->f, ", \"%s_str\": ", key);
		cj_put_string(o, str, strlen(str));
	}
}

/* A signed number, with its symbolic reading @str if not NULL. */
void cj_signed(struct cj_out *o, const char *key, __s64 v, const char *str)
{
	if (!o->f)
		return;
	cj_pre(o, key);
	fprintf(o->f, "%lld", (long long)v);
	if (str && !o->json)
		fprintf(o->f, " (%s)", str);
	cj_post(o);
	if (str && o->json && !o->lvl[o->depth].array) {
		fprintf(o->f, ", \"%s_str\": ", key);
		cj_put_string(o, str, strlen(str));
	}
}

/* A bare word (human), a string (JSON). */
void cj_word(struct cj_out *o, const char *key, const char *word)
{
	if (!o->f)
		return;
	if (o->json) {
		cj_str(o, key, word, strlen(word));
		return;
	}
	cj_pre(o, key);
	fputs(word, o->f);
	cj_post(o);
}

/*
 * A string of @len bytes.  JSON: when it is not valid UTF-8, its bytes
 * follow in hex as KEY_hex, so that nothing is lost.
 */
void cj_str(struct cj_out *o, const char *key, const char *s, size_t len)
{
	size_t i;

	if (!o->f)
		return;
	cj_pre(o, key);
	if (!cj_put_string(o, s, len) && o->json && !o->lvl[o->depth].array) {
		fprintf(o->f, ", \"%s_hex\": \"", key);
		for (i = 0; i < len; i++)
			fprintf(o->f, "%02x", (unsigned char)s[i]);
		fputc('"', o->f);
	}
	cj_post(o);
}

/* Bytes in hex. */
void cj_bytes(struct cj_out *o, const char *key, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	if (!o->f)
		return;
	cj_pre(o, key);
	if (o->json)
		fputc('"', o->f);
	for (i = 0; i < len; i++)
		fprintf(o->f, "%02x", b[i]);
	if (o->json)
		fputc('"', o->f);
	cj_post(o);
}

/*
 * A record: "@OFFSET TYPE len=N" (human), or an object starting with its
 * "offset", "type" and "len" (JSON, records separated by ",\n").
 */
void cj_rec_begin(struct cj_out *o, unsigned long long off, const char *type, __u32 len)
{
	struct cj_level *l;

	if (!o->f)
		return;
	if (o->json)
		fprintf(o->f, "%s{\"offset\": %llu, \"type\": \"%s\", \"len\": %u",
			o->records ? ",\n" : "\n", off, type, len);
	else
		fprintf(o->f, "@%llu %s len=%u\n", off, type, len);
	o->records++;
	o->depth = 1;
	l = &o->lvl[1];
	memset(l, 0, sizeof(*l));
	l->first = !o->json;	/* JSON: offset, type and len came first */
}

void cj_rec_end(struct cj_out *o)
{
	if (!o->f)
		return;
	if (o->json)
		fputc('}', o->f);
	o->depth = 0;
}
