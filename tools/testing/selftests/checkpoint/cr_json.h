/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr_json - crinspect's writer: human-readable lines or one JSON document,
 * through the same calls, as bpftool keeps json_writer.c apart from its
 * printers.
 *
 * A document is a list of records (cj_rec_begin() ... cj_rec_end()), each
 * a set of keyed values, arrays and objects.  Human: a record is an
 * "@OFFSET TYPE len=N" line, each value of it a "    key: value" line; an
 * array of lines puts each element on a "    key[i]: ..." line of its own,
 * anything else nested is printed on one line as "k=v k=v".  JSON: each
 * record is an object {"offset", "type", "len", ...}; a number with a
 * symbolic reading gets a KEY_str string next to it.
 */
#ifndef CR_JSON_H
#define CR_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

/* the deepest nesting: a record, an array in it, an object in that */
#define CJ_DEPTH	4

enum cj_fmt {
	CJ_DEC,		/* decimal; a JSON number */
	CJ_HEX,		/* 0x...; a JSON string (addresses, 64-bit masks) */
	CJ_FLG,		/* 0x...; a JSON number (flags) */
	CJ_OCT,		/* 0...; a JSON number (modes) */
};

struct cj_level {
	bool array;	/* an array, else an object */
	bool lines;	/* human: elements on lines of their own, key[i] */
	bool inline_;	/* human: the container is printed on one line */
	bool first;	/* nothing in it yet */
	unsigned int n;	/* elements so far */
	const char *key;
};

/**
 * struct cj_out - where and how the records go
 * @f: the stream; NULL prints nothing (every call is then a no-op)
 * @json: JSON, else human-readable lines
 * @records: records begun so far
 * @depth: nesting of the current container, 1 in a record
 * @lvl: the containers open
 */
struct cj_out {
	FILE *f;
	bool json;
	unsigned long records;
	int depth;
	struct cj_level lvl[CJ_DEPTH];
};

bool cj_put_string(struct cj_out *o, const char *str, size_t len);

void cj_rec_begin(struct cj_out *o, unsigned long long off, const char *type, __u32 len);
void cj_rec_end(struct cj_out *o);

void cj_obj_begin(struct cj_out *o, const char *key);
void cj_obj_end(struct cj_out *o);
void cj_arr_begin(struct cj_out *o, const char *key, bool lines);
void cj_arr_end(struct cj_out *o);
void cj_index(struct cj_out *o, unsigned int n);

void cj_num(struct cj_out *o, const char *key, __u64 v, enum cj_fmt fmt, const char *str);
void cj_signed(struct cj_out *o, const char *key, __s64 v, const char *str);
void cj_word(struct cj_out *o, const char *key, const char *word);
void cj_str(struct cj_out *o, const char *key, const char *s, size_t len);
void cj_bytes(struct cj_out *o, const char *key, const void *p, size_t len);

static inline void cj_dec(struct cj_out *o, const char *key, __u64 v)
{
	cj_num(o, key, v, CJ_DEC, NULL);
}

static inline void cj_hex(struct cj_out *o, const char *key, __u64 v)
{
	cj_num(o, key, v, CJ_HEX, NULL);
}

#endif /* CR_JSON_H */
