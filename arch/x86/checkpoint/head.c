// SPDX-License-Identifier: GPL-2.0
/*
 * cr: the x86_64 arch record - the XSAVE layout the fpu records use.
 *
 * XSAVE components sit at offsets CPUID leaf 0xd gives, which differ
 * between CPU models and vendors: the arch record says where each was on
 * the checkpointing CPU, and restart moves each to where this CPU has it.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/printk.h>
#include <asm/checkpoint_format.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xstate.h>
#include <asm/processor.h>

/**
 * cr_arch_fill_machine() - describe this machine in an arch record
 * @m: the record, zeroed
 *
 * The XSAVE layout of the NT_X86_XSTATE regset: the standard
 * (non-compacted) format of fpu_user_cfg.max_size bytes, the user features
 * and where each component lies.
 *
 * Context: any.
 */
void cr_arch_fill_machine(struct cr_rec_arch *m)
{
	u64 features = fpu_user_cfg.max_features;
	unsigned int i, eax, ebx, ecx, edx;

	BUILD_BUG_ON(CR_X86_XFEATURES > 64 || XFEATURE_MAX > CR_X86_XFEATURES);
	m->xstate_size = fpu_user_cfg.max_size;
	m->xfeatures = features;
	for (i = 2; i < CR_X86_XFEATURES; i++) {
		if (!(features & BIT_ULL(i)))
			continue;
		cpuid_count(XSTATE_CPUID, i, &eax, &ebx, &ecx, &edx);
		m->comp[i].offset = ebx;
		m->comp[i].size = eax;
	}
}

/**
 * cr_arch_check_machine() - can this machine restart the image?
 * @ctx: restart context, with @ctx->machine the image's arch record (the
 *	record just read, for messages)
 *
 * Context: process context.
 * Return: 0; -EBADMSG for an arch record that does not add up; -ENOEXEC if
 * the image uses XSAVE features this CPU lacks or has components of other
 * sizes than this CPU's.
 */
int cr_arch_check_machine(struct cr_ctx *ctx)
{
	const struct cr_rec_arch *m = &ctx->machine;
	struct cr_rec_arch this = {};
	const char *why;
	unsigned int i;

	why = cr_x86_check_arch(m);
	if (why)
		return cr_reject(ctx, -EBADMSG, "%s", why);
	cr_arch_fill_machine(&this);
	if (m->xfeatures & ~this.xfeatures)
		return cr_reject(ctx, -ENOEXEC, "XSAVE features %#llx, this CPU has %#llx",
				 m->xfeatures, this.xfeatures);
	for (i = 2; i < CR_X86_XFEATURES; i++)
		if ((m->xfeatures & BIT_ULL(i)) && m->comp[i].size != this.comp[i].size)
			return cr_reject(ctx, -ENOEXEC,
					 "XSAVE component %u of %u bytes, this CPU's has %u",
					 i, m->comp[i].size, this.comp[i].size);
	return 0;
}
