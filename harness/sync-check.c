// SPDX-License-Identifier: GPL-2.0
/*
 * The tables of the image format, checked in user space against the shared
 * headers the kernel and the tools include (harness/sync-check.sh builds
 * and runs it): every record type has its entry in the record table, every
 * vma kind, file kind and restart block kind a name, every section its
 * entry and records, and every record type a place in the order.  Prints
 * the tables for the script's other checks:
 *
 *	record TYPE NAME SIZE MAX
 *	section INDEX NAME RECORD...
 *
 * Exits with 1 after printing "sync-check: ..." for each problem.
 */
#include <stdio.h>
#include <string.h>

#include "../arch/x86/include/asm/checkpoint_format.h"

static int problems;

#define bad(...) do {					\
	printf("sync-check: " __VA_ARGS__);		\
	putchar('\n');					\
	problems++;					\
} while (0)

/* The record types that stand outside the sections, where the grammar puts them. */
#define OUTSIDE	(CR_REC_BIT(CR_REC_HEAD) | CR_REC_BIT(CR_REC_ARCH) | CR_REC_BIT(CR_REC_TREE) | \
		 CR_REC_BIT(CR_REC_PAD) | CR_REC_BIT(CR_REC_PAGES) | CR_REC_BIT(CR_REC_PAGE_DATA) | \
		 CR_REC_BIT(CR_REC_SUM) | CR_REC_BIT(CR_REC_TAIL) | \
		 CR_REC_BIT(CR_REC_MSG_QUEUE) | CR_REC_BIT(CR_REC_SEM_SET))

static void names(const char *what, const char *(*name)(__u32), __u32 first, __u32 max)
{
	__u32 i, j;

	for (i = first; i <= max; i++) {
		if (!name(i) || !*name(i)) {
			bad("%s %u (of %u..%u) has no name", what, i, first, max);
			continue;
		}
		for (j = first; j < i; j++)
			if (name(j) && !strcmp(name(i), name(j)))
				bad("%s %u and %u have one name, %s", what, j, i, name(i));
	}
	if (name(max + 1))
		bad("%s %u, past the last one, has a name", what, max + 1);
}

int main(void)
{
	__u32 type, in = 0, sec, other;
	const struct cr_rec_info *info;
	const struct cr_section_info *s;

	if (CR_REC_MAX > 32)
		bad("CR_REC_MAX is %u: record types no longer fit CR_REC_BIT()", CR_REC_MAX);
	if (cr_rec_info(0) || cr_rec_info(CR_REC_MAX))
		bad("cr_rec_info() knows type 0 or CR_REC_MAX");
	for (type = 1; type < CR_REC_MAX; type++) {
		info = cr_rec_info(type);
		if (!info || !info->name || !*info->name) {
			bad("record type %u has no cr_rec_info() entry or no name", type);
			continue;
		}
		if (info->max < info->size || info->max > CR_REC_MAX_LEN)
			bad("record type %u (%s): bounds %u..%u", type, info->name, info->size,
			    info->max);
		for (other = 1; other < type; other++)
			if (cr_rec_info(other) && !strcmp(cr_rec_info(other)->name, info->name))
				bad("record types %u and %u have one name, %s", other, type,
				    info->name);
		printf("record %u %s %u %u\n", type, info->name, info->size, info->max);
	}

	names("vma kind", cr_vma_kind_name, 1, CR_VMA_KIND_MAX);
	names("file kind", cr_file_kind_name, 1, CR_FILE_KIND_MAX);
	names("restart block kind", cr_restart_fn_name, 0, CR_RESTART_FN_MAX);

	if (cr_section_info(CR_SEC_MAX))
		bad("cr_section_info() knows a section past CR_SEC_MAX");
	for (sec = 0; sec < CR_SEC_MAX; sec++) {
		s = cr_section_info(sec);
		if (!s || !s->name || !*s->name) {
			bad("section %u has no cr_section_info() entry or no name", sec);
			continue;
		}
		if (!s->records)
			bad("section %u (%s) holds no record type", sec, s->name);
		if (s->records & in)
			bad("section %u (%s) holds record types another section holds", sec,
			    s->name);
		if (s->records & OUTSIDE)
			bad("section %u (%s) holds a record type of the stream's own", sec,
			    s->name);
		if (s->records & ~(__u32)((1ULL << CR_REC_MAX) - 2))
			bad("section %u (%s) holds an unknown record type", sec, s->name);
		in |= s->records;
		printf("section %u %s", sec, s->name);
		for (type = 1; type < CR_REC_MAX; type++)
			if (s->records & CR_REC_BIT(type))
				printf(" %s", cr_rec_name(type));
		putchar('\n');
	}
	for (type = 1; type < CR_REC_MAX; type++)
		if (!(in & CR_REC_BIT(type)) && !(OUTSIDE & CR_REC_BIT(type)))
			bad("record type %u (%s) has no place in the image order: in no section",
			    type, cr_rec_name(type));
	return problems ? 1 : 0;
}
