// SPDX-License-Identifier: GPL-2.0
/*
 * cr: x86_64 registers, segments, TLS, FPU and the vDSO.
 *
 * The arch section: checkpoint reads a task's user state (task_pt_regs(),
 * thread_struct, the XSAVE regset) into a cpu and an fpu record; restart
 * checks both before the point of no return and loads them into current
 * after it.  Selectors are stored symbolically.  The checks that do not
 * depend on this machine are shared with the tools, in
 * <asm/checkpoint_format.h>.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/regset.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/desc.h>
#include <asm/fpu/regset.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xstate.h>
#include <asm/fsgsbase.h>
#include <asm/gsseg.h>
#include <linux/compat.h>
#include <asm/ldt.h>
#include <asm/mmu_context.h>
#include <asm/prctl.h>
#include <asm/proto.h>
#include <asm/checkpoint_format.h>
#include <asm/segment.h>
#include <asm/sighandling.h>
#include <asm/vdso.h>

/* What restart stages for the commit: checked, ready to load. */
struct cr_arch_state {
	struct cr_rec_cpu cpu;
	struct desc_struct tls[GDT_ENTRY_TLS_ENTRIES];
	u16 ds, es, fs, gs;
	void *xstate;
};

/* --- segments ------------------------------------------------------------ */

static int cr_encode_seg(u16 sel, u16 *out)
{
	unsigned int idx = sel >> 3;

	if ((sel & ~SEGMENT_RPL_MASK) == 0) {
		*out = CR_SEG_ZERO;
	} else if (sel == __USER_CS) {
		*out = CR_SEG_USER_CS;
	} else if (sel == __USER_DS) {
		*out = CR_SEG_USER_DS;
	} else if (sel & SEGMENT_TI_MASK) {
		pr_info_ratelimited("selector %#x is in the LDT: not supported\n", sel);
		return -EOPNOTSUPP;
	} else if (idx >= GDT_ENTRY_TLS_MIN && idx <= GDT_ENTRY_TLS_MAX &&
		   (sel & SEGMENT_RPL_MASK) == USER_RPL) {
		*out = CR_SEG_TLS0 + idx - GDT_ENTRY_TLS_MIN;
	} else {
		pr_info_ratelimited("selector %#x (32-bit compat?) not supported\n", sel);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int cr_decode_seg(u16 v, u16 *sel)
{
	switch (v) {
	case CR_SEG_ZERO:
		*sel = 0;
		return 0;
	case CR_SEG_USER_CS:
		*sel = __USER_CS;
		return 0;
	case CR_SEG_USER_DS:
		*sel = __USER_DS;
		return 0;
	case CR_SEG_TLS0:
	case CR_SEG_TLS1:
	case CR_SEG_TLS2:
		*sel = ((GDT_ENTRY_TLS_MIN + v - CR_SEG_TLS0) << 3) | USER_RPL;
		return 0;
	}
	return -EBADMSG;
}

static void cr_encode_tls(const struct desc_struct *d, struct cr_x86_tls *t)
{
	memset(t, 0, sizeof(*t));
	if (!memchr_inv(d, 0, sizeof(*d))) {
		t->flags = CR_TLS_EMPTY;
		return;
	}
	t->base = get_desc_base(d);
	t->limit = get_desc_limit(d);
	t->flags = (d->d ? CR_TLS_SEG_32BIT : 0) |
		   ((d->type >> 2) << CR_TLS_CONTENTS_SHIFT) |
		   (d->type & 2 ? 0 : CR_TLS_READ_EXEC_ONLY) |
		   (d->g ? CR_TLS_LIMIT_IN_PAGES : 0) |
		   (d->p ? 0 : CR_TLS_SEG_NOT_PRESENT) |
		   (d->avl ? CR_TLS_USEABLE : 0) |
		   (d->l ? CR_TLS_LM : 0);
}

/*
 * Decode a TLS entry, which cr_x86_check_tls() found valid (by the rules
 * of set_thread_area()), into a descriptor.
 */
static int cr_decode_tls(const struct cr_x86_tls *t, struct desc_struct *d)
{
	struct user_desc info = {};

	memset(d, 0, sizeof(*d));
	if (cr_x86_check_tls(t))
		return -EBADMSG;
	if (t->flags == CR_TLS_EMPTY)
		return 0;
	info.base_addr = t->base;
	info.limit = t->limit;
	info.seg_32bit = !!(t->flags & CR_TLS_SEG_32BIT);
	info.contents = (t->flags >> CR_TLS_CONTENTS_SHIFT) & 3;
	info.read_exec_only = !!(t->flags & CR_TLS_READ_EXEC_ONLY);
	info.limit_in_pages = !!(t->flags & CR_TLS_LIMIT_IN_PAGES);
	info.seg_not_present = !!(t->flags & CR_TLS_SEG_NOT_PRESENT);
	info.useable = !!(t->flags & CR_TLS_USEABLE);
	info.lm = !!(t->flags & CR_TLS_LM);
	fill_ldt(d, &info);
	return 0;
}

/* --- checkpoint ---------------------------------------------------------- */

/**
 * cr_arch_check_task() - refuse arch state cr cannot save
 * @ctx: checkpoint context
 * @ct: the task to checkpoint, stopped or current, its process's mm taken
 *
 * Context: process context; the task is held still.
 * Return: 0, or -EOPNOTSUPP for a 32-bit task, an LDT or an I/O bitmap.
 */
int cr_arch_check_task(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct task_struct *t = ct->task;
	struct mm_struct *mm = ct->proc->mm;

	CR_ABI(CR_ERESTARTSYS, ERESTARTSYS);
	CR_ABI(CR_ERESTARTNOINTR, ERESTARTNOINTR);
	CR_ABI(CR_ERESTARTNOHAND, ERESTARTNOHAND);
	CR_ABI(CR_ERESTART_RESTARTBLOCK, ERESTART_RESTARTBLOCK);
	if (test_tsk_thread_flag(t, TIF_ADDR32) || !user_64bit_mode(task_pt_regs(t)))
		return cr_refuse(ctx, -EOPNOTSUPP, "a 32-bit task");
#ifdef CONFIG_MODIFY_LDT_SYSCALL
	if (READ_ONCE(mm->context.ldt))
		return cr_refuse(ctx, -EOPNOTSUPP, "an LDT in use");
#endif
	if (test_tsk_thread_flag(t, TIF_IO_BITMAP) || t->thread.iopl_emul)
		return cr_refuse(ctx, -EOPNOTSUPP, "ioperm/iopl in use");
	if (test_tsk_thread_flag(t, TIF_NOCPUID) || test_tsk_thread_flag(t, TIF_NOTSC))
		return cr_refuse(ctx, -EOPNOTSUPP, "CPUID or TSC faulting (arch_prctl, prctl)");
#ifdef CONFIG_X86_USER_SHADOW_STACK
	if (t->thread.features & ARCH_SHSTK_SHSTK)
		return cr_refuse(ctx, -EOPNOTSUPP, "a shadow stack");
#endif
#ifdef CONFIG_ADDRESS_MASKING
	if (mm_lam_cr3_mask(mm))
		return cr_refuse(ctx, -EOPNOTSUPP, "linear address masking");
#endif
#ifdef CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS
	if (mm->context.pkey_allocation_map != 1)
		return cr_refuse(ctx, -EOPNOTSUPP, "protection keys allocated");
#endif
	return 0;
}

/**
 * cr_arch_check_caller() - can the caller's arch state be replaced?
 *
 * Context: process context; before the point of no return.
 * Return: 0; -EINVAL for a 32-bit or x32 caller (the restarted process
 * is a 64-bit one); -EBUSY for a caller that runs with a shadow stack (its
 * state would outlive the address space it is part of).
 */
int cr_arch_check_caller(void)
{
	if (in_compat_syscall() || test_thread_flag(TIF_ADDR32))
		return -EINVAL;
#ifdef CONFIG_X86_USER_SHADOW_STACK
	if (current->thread.features & ARCH_SHSTK_SHSTK)
		return -EBUSY;
#endif
	return 0;
}

/*
 * A task stopped inside a system call has -ERESTART* in ax and the call's
 * number in orig_ax: when it is continued, the signal code restarts the
 * call, or makes it fail with EINTR if a handler runs (per SA_RESTART).
 * Both are saved so that restart hands them to the same code.  An
 * -ERESTART_RESTARTBLOCK whose restart block the task record does not
 * carry becomes -ERESTARTNOHAND: the call is re-executed whole (a poll or
 * futex wait starts its timeout again), or fails with EINTR if a handler
 * runs, as it would have.
 */
static void cr_save_syscall(struct cr_task *ct, struct task_struct *t,
			    const struct pt_regs *regs, struct cr_rec_cpu *c)
{
	c->orig_ax = -1;
	if ((long)regs->orig_ax < 0 || !cr_x86_restart_code(regs->ax))
		return;
	c->orig_ax = regs->orig_ax;
	if ((long)regs->ax == -ERESTART_RESTARTBLOCK && !ct->restart_block)
		c->ax = -ERESTARTNOHAND;
	pr_debug("pid %d: in syscall %lu (%ld) when stopped\n", task_pid_vnr(t), regs->orig_ax,
		 (long)c->ax);
}

/*
 * The cpu record of @ct.  For the caller itself (self checkpoint)
 * ax is 0: the restarted process sees checkpoint() return 0.  -EOPNOTSUPP
 * for a selector that cannot be encoded.
 */
static int cr_write_cpu(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct task_struct *t = ct->task;
	const struct pt_regs *regs = task_pt_regs(t);
	struct cr_rec_cpu c = {};
	u16 ds, es, fs, gs;
	const char *why;
	int i, ret;

	c.r15 = regs->r15;
	c.r14 = regs->r14;
	c.r13 = regs->r13;
	c.r12 = regs->r12;
	c.bp = regs->bp;
	c.bx = regs->bx;
	c.r11 = regs->r11;
	c.r10 = regs->r10;
	c.r9 = regs->r9;
	c.r8 = regs->r8;
	c.ax = regs->ax;
	c.cx = regs->cx;
	c.dx = regs->dx;
	c.si = regs->si;
	c.di = regs->di;
	c.ip = regs->ip;
	c.flags = regs->flags;
	c.sp = regs->sp;
	if (t == current) {
		c.ax = 0;
		c.orig_ax = -1;
	} else {
		cr_save_syscall(ct, t, regs, &c);
	}

	c.fs_base = x86_fsbase_read_task(t);
	c.gs_base = x86_gsbase_read_task(t);
	if (t == current) {
		savesegment(ds, ds);
		savesegment(es, es);
		savesegment(fs, fs);
		savesegment(gs, gs);
	} else {
		ds = t->thread.ds;
		es = t->thread.es;
		fs = t->thread.fsindex;
		gs = t->thread.gsindex;
	}
	ret = cr_encode_seg(regs->cs, &c.cs);
	if (!ret)
		ret = cr_encode_seg(regs->ss, &c.ss);
	if (!ret)
		ret = cr_encode_seg(ds, &c.ds);
	if (!ret)
		ret = cr_encode_seg(es, &c.es);
	if (!ret)
		ret = cr_encode_seg(fs, &c.fs);
	if (!ret)
		ret = cr_encode_seg(gs, &c.gs);
	if (ret)
		return ret;
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++)
		cr_encode_tls(&t->thread.tls_array[i], &c.tls[i]);
	/* what restart would refuse is refused now */
	why = cr_x86_check_cpu(&c, &ctx->limits, NR_syscalls, ct->restart_block);
	if (why)
		return cr_refuse(ctx, -EOPNOTSUPP, "registers restart would refuse: %s", why);
	return cr_write_rec(ctx, CR_REC_CPU, &c, sizeof(c));
}

static const struct user_regset *cr_xstate_regset(struct task_struct *t)
{
	const struct user_regset_view *view = task_user_regset_view(t);
	unsigned int i;

	for (i = 0; i < view->n; i++)
		if (view->regsets[i].core_note_type == NT_X86_XSTATE)
			return &view->regsets[i];
	return NULL;
}

/*
 * The fpu record of @ct: the XSAVE area in standard format, as the
 * NT_X86_XSTATE regset reads it (which first saves the live registers when
 * the task is current).  -EOPNOTSUPP without XSAVE or with AMX tile data
 * in use.
 */
static int cr_write_fpu(struct cr_ctx *ctx, struct cr_task *ct)
{
	const struct user_regset *rs = cr_xstate_regset(ct->task);
	u32 size = ctx->machine.xstate_size;
	struct cr_rec_fpu *rec;
	struct xregs_state *xsave;
	int ret;

	if (!rs || !cpu_feature_enabled(X86_FEATURE_XSAVE) || rs->n * rs->size != size)
		return cr_refuse(ctx, -EOPNOTSUPP, "no XSAVE regset of %u bytes", size);
	rec = kvzalloc(sizeof(*rec) + size, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->size = size;
	xsave = (void *)(rec + 1);
	ret = regset_get(ct->task, rs, size, xsave);
	if (ret >= 0 && ret != size)
		ret = -EIO;
	if (ret < 0)
		goto out;
	if (xsave->header.xfeatures & XFEATURE_MASK_XTILE_DATA) {
		ret = cr_refuse(ctx, -EOPNOTSUPP, "AMX tile data in use");
		goto out;
	}
	ret = cr_write_rec(ctx, CR_REC_FPU, rec, sizeof(*rec) + size);
out:
	kvfree(rec);
	return ret;
}

/**
 * cr_arch_vma_kind() - recognise the vDSO mappings
 * @vma: a mapping of the task being checkpointed
 *
 * Return: CR_VMA_VDSO or CR_VMA_VVAR for the 64-bit vDSO text and data,
 * 0 for any other mapping.
 */
u32 cr_arch_vma_kind(struct vm_area_struct *vma)
{
	unsigned long vdso = (unsigned long)vma->vm_mm->context.vdso;

	if (!vdso || vma->vm_mm->context.vdso_image != &vdso_image_64)
		return 0;
	if (vma->vm_start == vdso && vma->vm_end == vdso + vdso_image_64.size)
		return CR_VMA_VDSO;
	if (vma->vm_start == vdso + vdso_image_64.sym_vvar_start && vma->vm_end == vdso)
		return CR_VMA_VVAR;
	return 0;
}

/**
 * cr_arch_mm_vdso() - where the vDSO text of @mm is
 * @mm: the address space being checkpointed
 *
 * Return: its address, 0 if it has none.
 */
u64 cr_arch_mm_vdso(struct mm_struct *mm)
{
	return (unsigned long)mm->context.vdso;
}

/* --- restart ------------------------------------------------------------- */

/**
 * cr_arch_check_vdso() - check the vDSO mappings of an image
 * @vdso: the vDSO text address of the mm record, 0 for none
 * @vma: a vma record of kind CR_VMA_VDSO or CR_VMA_VVAR
 *
 * The vDSO is not saved: restart maps this kernel's, which must be the
 * same size and sit where the image says (return addresses point into it).
 *
 * Return: 0 or -EBADMSG.
 */
int cr_arch_check_vdso(u64 vdso, const struct cr_rec_vma *vma)
{
	const struct vdso_image *img = &vdso_image_64;

	if (vma->kind == CR_VMA_VDSO && vdso && vma->start == vdso &&
	    vma->end - vma->start == img->size)
		return 0;
	if (vma->kind == CR_VMA_VVAR && vdso && vma->end == vdso &&
	    vma->start == vdso + img->sym_vvar_start)
		return 0;
	pr_info_ratelimited("vDSO mapping %#llx-%#llx does not match this kernel's vDSO\n",
			    vma->start, vma->end);
	return -EBADMSG;
}

/**
 * cr_arch_map_vdso() - map this kernel's vDSO at the image's address
 * @vdso: the vDSO text address
 *
 * Past the point of no return, with the caller's old mappings gone.
 *
 * Return: 0 or a negative errno.
 */
int cr_arch_map_vdso(u64 vdso)
{
	int ret;

	ret = map_vdso_once(&vdso_image_64, vdso + vdso_image_64.sym_vvar_start);
	if (ret)
		return ret;
	if ((unsigned long)current->mm->context.vdso != vdso)
		return -EFAULT;
	return 0;
}

/*
 * Read and check the cpu record: the checks of <asm/checkpoint_format.h>
 * (selectors, TLS entries, user addresses, the interrupted system call),
 * then the selectors and TLS entries decoded for this kernel.
 */
static int cr_read_cpu(struct cr_ctx *ctx, struct cr_task *ct, struct cr_arch_state *st)
{
	struct cr_rec_cpu *c;
	const char *why;
	int i;

	c = cr_read_obj(ctx, CR_REC_CPU, NULL);
	if (IS_ERR(c))
		return PTR_ERR(c);
	st->cpu = *c;
	kvfree(c);
	c = &st->cpu;
	why = cr_x86_check_cpu(c, &ctx->limits, NR_syscalls, ct->restart_block);
	if (why)
		return cr_reject(ctx, -EBADMSG, "%s", why);
	if (cr_decode_seg(c->ds, &st->ds) || cr_decode_seg(c->es, &st->es) ||
	    cr_decode_seg(c->fs, &st->fs) || cr_decode_seg(c->gs, &st->gs))
		return cr_reject(ctx, -EBADMSG, "bad data segment");
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++)
		if (cr_decode_tls(&c->tls[i], &st->tls[i]))
			return cr_reject(ctx, -EBADMSG, "invalid TLS entry %d", i);
	return 0;
}

/*
 * Read and check the fpu record, and lay its XSAVE area out as this CPU
 * has it: each component moves from where the arch record says it was to
 * where this CPU keeps it (cr_arch_check_machine() made sure the sizes
 * agree).  Then the area must be one this CPU accepts.
 */
static int cr_read_fpu(struct cr_ctx *ctx, struct cr_arch_state *st)
{
	const struct cr_rec_arch *m = &ctx->machine;
	struct cr_rec_arch this = {};
	struct cr_rec_fpu *rec;
	const u8 *src;
	const char *why;
	unsigned int i;
	u32 len;
	int ret = -EBADMSG;

	rec = cr_read_obj(ctx, CR_REC_FPU, &len);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	src = (const u8 *)(rec + 1);
	why = cr_x86_check_fpu(rec, len, m, src);
	if (why) {
		cr_reject(ctx, ret, "%s", why);
		goto out;
	}
	cr_arch_fill_machine(&this);
	st->xstate = kvzalloc(this.xstate_size, GFP_KERNEL);
	ret = -ENOMEM;
	if (!st->xstate)
		goto out;
	memcpy(st->xstate, src, CR_X86_XSTATE_MIN);
	for (i = 2; i < CR_X86_XFEATURES; i++)
		if (m->xfeatures & BIT_ULL(i))
			memcpy(st->xstate + this.comp[i].offset, src + m->comp[i].offset,
			       m->comp[i].size);
	ret = 0;
	if (fpu_check_uabi_xstate(st->xstate))
		ret = cr_reject(ctx, -EBADMSG, "XSAVE area refused by this CPU");
out:
	kvfree(rec);
	return ret;
}

static void cr_arch_free(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct cr_arch_state *st = ct ? ct->arch : NULL;

	if (!st)
		return;
	kvfree(st->xstate);
	kfree(st);
	ct->arch = NULL;
}

/* The cpu and the fpu record. */
static int cr_arch_read(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct cr_arch_state *st;
	int ret;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	ct->arch = st;
	ret = cr_read_cpu(ctx, ct, st);
	if (!ret)
		ret = cr_read_fpu(ctx, st);
	return ret;
}

static void cr_load_fs_gs(const struct cr_arch_state *st)
{
	struct thread_struct *t = &current->thread;

	if (st->fs) {
		loadsegment(fs, st->fs);
		t->fsindex = st->fs;
		t->fsbase = x86_fsbase_read_cpu();
	} else {
		do_arch_prctl_64(current, ARCH_SET_FS, st->cpu.fs_base);
	}
	if (st->gs) {
		load_gs_index(st->gs);
		t->gsindex = st->gs;
		t->gsbase = x86_gsbase_read_cpu_inactive();
	} else {
		do_arch_prctl_64(current, ARCH_SET_GS, st->cpu.gs_base);
	}
}

/*
 * Load the staged registers, TLS and FPU into current.  Everything was
 * checked when read: this cannot fail but for a broken invariant.  The user
 * registers are replaced in task_pt_regs(): the return from restart()
 * resumes the restored code, with @ct's retval in ax.
 */
static int cr_arch_restore(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct cr_arch_state *st = ct->arch;
	const struct cr_rec_cpu *c = &st->cpu;
	struct pt_regs *regs = current_pt_regs();
	int cpu, ret;

	ret = fpu_restore_uabi_xstate(st->xstate);
	if (ret)
		return ret;

	cpu = get_cpu();
	memcpy(current->thread.tls_array, st->tls, sizeof(st->tls));
	load_TLS(&current->thread, cpu);
	put_cpu();
	loadsegment(ds, st->ds);
	current->thread.ds = st->ds;
	loadsegment(es, st->es);
	current->thread.es = st->es;
	cr_load_fs_gs(st);

	regs->r15 = c->r15;
	regs->r14 = c->r14;
	regs->r13 = c->r13;
	regs->r12 = c->r12;
	regs->bp = c->bp;
	regs->bx = c->bx;
	regs->r11 = c->r11;
	regs->r10 = c->r10;
	regs->r9 = c->r9;
	regs->r8 = c->r8;
	regs->cx = c->cx;
	regs->dx = c->dx;
	regs->si = c->si;
	regs->di = c->di;
	regs->ip = c->ip;
	regs->sp = c->sp;
	regs->flags = (regs->flags & ~FIX_EFLAGS) | (c->flags & FIX_EFLAGS);
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	/*
	 * An interrupted system call: restart returns its -ERESTART* code
	 * with orig_ax set, and the signal code on the way out restarts it or
	 * fails it with EINTR, as after SIGCONT; make sure it runs even with
	 * no signal pending.  Otherwise no restart fix-up on the way out.
	 */
	regs->orig_ax = c->orig_ax;
	if (c->orig_ax != -1ULL)
		ct->notify = true;
	ct->retval = c->ax;
	return 0;
}

/* The cpu and the fpu record. */
static int cr_arch_write(struct cr_ctx *ctx, struct cr_task *ct)
{
	return cr_write_cpu(ctx, ct) ?: cr_write_fpu(ctx, ct);
}

/* Registers, segments, TLS, FPU and vector state. */
const struct cr_section cr_arch_section = {
	.name		= "cpu",
	.scope		= CR_SCOPE_TASK,
	.write		= cr_arch_write,
	.read		= cr_arch_read,
	.restore	= cr_arch_restore,
	.free		= cr_arch_free,
};
