// SPDX-License-Identifier: GPL-2.0
/*
 * cr: x86_64 part of the image head.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/errno.h>
#include <linux/printk.h>
#include <asm/fpu/types.h>

/**
 * cr_arch_fill_head() - fill the x86_64 fields of an image head
 * @head: the head being written
 *
 * Records the architecture and the XSAVE layout fpu records will use: the
 * standard (non-compacted) format of fpu_user_cfg.max_size bytes.
 */
void cr_arch_fill_head(struct cr_rec_head *head)
{
	head->arch = CR_ARCH_X86_64;
	head->xstate_size = fpu_user_cfg.max_size;
	head->xfeatures = fpu_user_cfg.max_features;
}

/**
 * cr_arch_check_head() - check an image head against this machine
 * @head: the head read from an image
 *
 * Return: 0 if this machine can restart the image; -ENOEXEC if it was
 * taken on another architecture or uses XSAVE features this CPU lacks.
 */
int cr_arch_check_head(const struct cr_rec_head *head)
{
	u64 missing;

	if (head->arch != CR_ARCH_X86_64) {
		pr_info_ratelimited("image arch %u, this kernel is x86_64\n", head->arch);
		return -ENOEXEC;
	}
	missing = head->xfeatures & ~fpu_user_cfg.max_features;
	if (missing || head->xstate_size > fpu_user_cfg.max_size) {
		pr_info_ratelimited("image needs xfeatures %#llx (size %u), CPU has %#llx (size %u)\n",
				    head->xfeatures, head->xstate_size,
				    fpu_user_cfg.max_features, fpu_user_cfg.max_size);
		return -ENOEXEC;
	}
	return 0;
}
