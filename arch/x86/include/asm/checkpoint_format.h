/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr: the checks of the x86_64 records (arch, cpu, fpu) that do not depend
 * on the machine that restarts, shared by the kernel and the tools as
 * <linux/checkpoint_format.h> is (see there).  The CPU's own XSAVE layout
 * and what it accepts are the kernel's to check.
 */
#ifndef _ASM_X86_CHECKPOINT_FORMAT_H
#define _ASM_X86_CHECKPOINT_FORMAT_H

#ifdef __KERNEL__
#include <linux/checkpoint_format.h>
#else
#include "../../../../include/linux/checkpoint_format.h"
#endif

/* The kernel's -ERESTART* codes, which a cpu record's ax may hold. */
#define CR_ERESTARTSYS		512
#define CR_ERESTARTNOINTR	513
#define CR_ERESTARTNOHAND	514
#define CR_ERESTART_RESTARTBLOCK 516

/* XSAVE: the legacy area and the header before the first component. */
#define CR_X86_FXSAVE_SIZE	512
#define CR_X86_XSAVE_HDR_SIZE	64
#define CR_X86_XSTATE_MIN	(CR_X86_FXSAVE_SIZE + CR_X86_XSAVE_HDR_SIZE)
/* x87 and SSE live in the legacy area, at fixed places */
#define CR_X86_XFEATURES_LEGACY	0x3ULL

/**
 * cr_x86_restart_code() - is @ax an -ERESTART* code?
 * @ax: the value of a cpu record's ax
 *
 * Return: true for -ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND and
 * -ERESTART_RESTARTBLOCK.
 */
static inline bool cr_x86_restart_code(__u64 ax)
{
	__s64 v = (__s64)ax;

	return v == -CR_ERESTARTSYS || v == -CR_ERESTARTNOINTR || v == -CR_ERESTARTNOHAND ||
	       v == -CR_ERESTART_RESTARTBLOCK;
}

/**
 * cr_x86_check_tls() - check a TLS entry by the rules of set_thread_area()
 * @t: the entry
 *
 * 32-bit, present, data segments only (tls_desc_okay() in
 * arch/x86/kernel/tls.c), or empty.
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_x86_check_tls(const struct cr_x86_tls *t)
{
	const __u32 known = CR_TLS_SEG_32BIT | (3U << CR_TLS_CONTENTS_SHIFT) |
			    CR_TLS_READ_EXEC_ONLY | CR_TLS_LIMIT_IN_PAGES |
			    CR_TLS_SEG_NOT_PRESENT | CR_TLS_USEABLE | CR_TLS_LM;

	if (t->__reserved)
		return "TLS entry with a reserved field set";
	if (t->flags == CR_TLS_EMPTY)
		return t->base || t->limit ? "empty TLS entry with a base or limit" : NULL;
	if (t->flags & ~known || t->limit > 0xfffff)
		return "TLS entry with unknown flags or a bad limit";
	if (!(t->flags & CR_TLS_SEG_32BIT) || ((t->flags >> CR_TLS_CONTENTS_SHIFT) & 3) > 1 ||
	    t->flags & CR_TLS_SEG_NOT_PRESENT)
		return "TLS entry set_thread_area() would refuse";
	return NULL;
}

/**
 * cr_x86_check_arch() - check an arch record by itself
 * @a: the record
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_x86_check_arch(const struct cr_rec_arch *a)
{
	unsigned int i;

	if (a->__reserved)
		return "reserved field set";
	if (a->xstate_size < CR_X86_XSTATE_MIN || a->xstate_size > CR_FPU_STATE_MAX)
		return "bad XSAVE area size";
	if ((a->xfeatures & CR_X86_XFEATURES_LEGACY) != CR_X86_XFEATURES_LEGACY)
		return "no x87 or SSE state";
	for (i = 0; i < CR_X86_XFEATURES; i++) {
		const struct cr_x86_xstate_comp *c = &a->comp[i];

		if (i < 2 || !(a->xfeatures & (1ULL << i))) {
			if (c->offset || c->size)
				return "place given for a component not in xfeatures";
		} else if (c->offset < CR_X86_XSTATE_MIN || !c->size ||
			   c->size > a->xstate_size - c->offset || c->offset > a->xstate_size) {
			return "XSAVE component outside the area";
		}
	}
	return NULL;
}

/**
 * cr_x86_check_cpu() - check a cpu record
 * @c: the record
 * @l: the machine
 * @nr_syscalls: the number of system calls the restarting kernel has
 * @restart_block: the task record carries a restart block
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_x86_check_cpu(const struct cr_rec_cpu *c, const struct cr_limits *l,
					   __u64 nr_syscalls, bool restart_block)
{
	const __u16 segs[4] = { c->ds, c->es, c->fs, c->gs };
	const char *why;
	int i, j;

	if (c->__reserved)
		return "reserved field set";
	if (c->cs != CR_SEG_USER_CS || c->ss != CR_SEG_USER_DS)
		return "cs/ss are not 64-bit user segments";
	for (i = 0; i < 4; i++)
		if (segs[i] > CR_SEG_MAX || segs[i] == CR_SEG_USER_CS)
			return "bad data segment";
	for (i = 0; i < 3; i++) {
		why = cr_x86_check_tls(&c->tls[i]);
		if (why)
			return why;
	}
	/* a selector may only name a TLS entry that is set */
	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			if (segs[j] == CR_SEG_TLS0 + i && c->tls[i].flags == CR_TLS_EMPTY)
				return "a selector names an empty TLS entry";
	if (c->ip >= l->task_size || c->fs_base >= l->task_size || c->gs_base >= l->task_size)
		return "ip or fs/gs base outside user space";
	/*
	 * Inside a system call (orig_ax is its number) ax is an -ERESTART*
	 * code, and -ERESTART_RESTARTBLOCK comes with a restart block to
	 * resume.  Outside one (orig_ax is -1) ax is any value the user had
	 * there, -516..-512 included: the way out applies no restart rule
	 * without a system call number.
	 */
	if (c->orig_ax == ~0ULL)
		return NULL;
	if (!cr_x86_restart_code(c->ax) || c->orig_ax >= nr_syscalls ||
	    ((__s64)c->ax == -CR_ERESTART_RESTARTBLOCK && !restart_block))
		return "bad interrupted system call";
	return NULL;
}

/**
 * cr_x86_check_fpu() - check an fpu record against the arch record
 * @r: the record's fixed part
 * @len: the record's payload length
 * @a: the image's arch record
 * @xsave: the XSAVE area that follows, r->size bytes; NULL to check only
 *	the sizes
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_x86_check_fpu(const struct cr_rec_fpu *r, __u32 len,
					   const struct cr_rec_arch *a, const void *xsave)
{
	__u64 xhdr[8];
	int i;

	if (r->size != a->xstate_size || r->__reserved || len != sizeof(*r) + (__u64)r->size)
		return "size differs from the arch record's";
	if (!xsave)
		return NULL;
	/* validate_user_xstate_header(): standard format, no reserved bits */
	__builtin_memcpy(xhdr, (const char *)xsave + CR_X86_FXSAVE_SIZE, sizeof(xhdr));
	if (xhdr[1])
		return "compacted XSAVE area";
	for (i = 2; i < 8; i++)
		if (xhdr[i])
			return "reserved XSAVE header bytes set";
	if (xhdr[0] & ~a->xfeatures)
		return "XSAVE features beyond the arch record's";
	return NULL;
}

#endif /* _ASM_X86_CHECKPOINT_FORMAT_H */
