// SPDX-License-Identifier: GPL-2.0
/*
 * cr: x86_64 registers, segments, TLS, FPU and the vDSO.
 *
 * Checkpoint reads a task's user state (task_pt_regs(), thread_struct, the
 * XSAVE regset); restart checks a cpu and an fpu record before the point of
 * no return (cr_arch_read_cpu(), cr_arch_read_fpu()) and loads them into
 * current after it (cr_arch_restore()).  Selectors are stored symbolically.
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
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <asm/proto.h>
#include <asm/segment.h>
#include <asm/sighandling.h>
#include <asm/vdso.h>

/* What restart stages for the commit: checked, ready to load. */
struct cr_arch_state {
	struct cr_rec_cpu_x86_64 cpu;
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
 * Decode a TLS entry into a descriptor, with the rules set_thread_area()
 * applies (tls_desc_okay() in arch/x86/kernel/tls.c): 32-bit, present,
 * data segments only.
 */
static int cr_decode_tls(const struct cr_x86_tls *t, struct desc_struct *d)
{
	const u32 known = CR_TLS_SEG_32BIT | (3U << CR_TLS_CONTENTS_SHIFT) |
			  CR_TLS_READ_EXEC_ONLY | CR_TLS_LIMIT_IN_PAGES |
			  CR_TLS_SEG_NOT_PRESENT | CR_TLS_USEABLE | CR_TLS_LM;
	struct user_desc info = {};

	memset(d, 0, sizeof(*d));
	if (t->__reserved)
		return -EBADMSG;
	if (t->flags == CR_TLS_EMPTY)
		return t->base || t->limit ? -EBADMSG : 0;
	if (t->flags & ~known || t->limit > 0xfffff)
		return -EBADMSG;
	info.base_addr = t->base;
	info.limit = t->limit;
	info.seg_32bit = !!(t->flags & CR_TLS_SEG_32BIT);
	info.contents = (t->flags >> CR_TLS_CONTENTS_SHIFT) & 3;
	info.read_exec_only = !!(t->flags & CR_TLS_READ_EXEC_ONLY);
	info.limit_in_pages = !!(t->flags & CR_TLS_LIMIT_IN_PAGES);
	info.seg_not_present = !!(t->flags & CR_TLS_SEG_NOT_PRESENT);
	info.useable = !!(t->flags & CR_TLS_USEABLE);
	info.lm = !!(t->flags & CR_TLS_LM);
	if (!info.seg_32bit || info.contents > 1 || info.seg_not_present)
		return -EBADMSG;
	fill_ldt(d, &info);
	return 0;
}

/* --- checkpoint ---------------------------------------------------------- */

/**
 * cr_arch_check_task() - refuse arch state cr cannot save
 * @t: the task to checkpoint, stopped or current
 *
 * Return: 0, or -EOPNOTSUPP for a 32-bit task, an LDT or an I/O bitmap.
 */
int cr_arch_check_task(struct task_struct *t)
{
	if (test_tsk_thread_flag(t, TIF_ADDR32) || !user_64bit_mode(task_pt_regs(t))) {
		pr_info_ratelimited("pid %d: 32-bit tasks are not supported\n", task_pid_vnr(t));
		return -EOPNOTSUPP;
	}
#ifdef CONFIG_MODIFY_LDT_SYSCALL
	if (READ_ONCE(t->mm->context.ldt)) {
		pr_info_ratelimited("pid %d: LDT in use: not supported\n", task_pid_vnr(t));
		return -EOPNOTSUPP;
	}
#endif
	if (test_tsk_thread_flag(t, TIF_IO_BITMAP) || t->thread.iopl_emul) {
		pr_info_ratelimited("pid %d: ioperm/iopl in use: not supported\n",
				    task_pid_vnr(t));
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The codes a system call interrupted by a signal leaves in ax. */
static bool cr_restart_code(long ax)
{
	return ax == -ERESTARTSYS || ax == -ERESTARTNOINTR || ax == -ERESTARTNOHAND ||
	       ax == -ERESTART_RESTARTBLOCK;
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
static void cr_save_syscall(struct task_struct *t, const struct pt_regs *regs,
			    struct cr_rec_cpu_x86_64 *c)
{
	c->orig_ax = -1;
	if ((long)regs->orig_ax < 0 || !cr_restart_code(regs->ax))
		return;
	c->orig_ax = regs->orig_ax;
	if ((long)regs->ax == -ERESTART_RESTARTBLOCK && !cr_task_restart_block(t))
		c->ax = -ERESTARTNOHAND;
	pr_debug("pid %d: in syscall %lu (%ld) when stopped\n", task_pid_vnr(t), regs->orig_ax,
		 (long)c->ax);
}

/**
 * cr_arch_write_cpu() - write the cpu record of @ctx->task
 * @ctx: checkpoint context
 *
 * For the caller itself (self checkpoint) ax is 0: the restarted process
 * sees checkpoint() return 0.
 *
 * Return: 0, -EOPNOTSUPP for a selector that cannot be encoded, or the
 * error of writing the record.
 */
int cr_arch_write_cpu(struct cr_ctx *ctx)
{
	struct task_struct *t = ctx->task;
	const struct pt_regs *regs = task_pt_regs(t);
	struct cr_rec_cpu_x86_64 c = {};
	u16 ds, es, fs, gs;
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
		cr_save_syscall(t, regs, &c);
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

/**
 * cr_arch_write_fpu() - write the fpu record of @ctx->task
 * @ctx: checkpoint context
 *
 * The XSAVE area in standard format, as the NT_X86_XSTATE regset reads it
 * (which first saves the live registers when the task is current).
 *
 * Return: 0, -EOPNOTSUPP without XSAVE or with AMX tile data in use,
 * -ENOMEM, or the error of writing the record.
 */
int cr_arch_write_fpu(struct cr_ctx *ctx)
{
	const struct user_regset *rs = cr_xstate_regset(ctx->task);
	u32 size = ctx->head.xstate_size;
	struct cr_rec_fpu *rec;
	struct xregs_state *xsave;
	int ret;

	if (!rs || !cpu_feature_enabled(X86_FEATURE_XSAVE) || rs->n * rs->size != size) {
		pr_info_ratelimited("no XSAVE regset of %u bytes\n", size);
		return -EOPNOTSUPP;
	}
	rec = kvzalloc(sizeof(*rec) + size, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->size = size;
	xsave = (void *)(rec + 1);
	ret = regset_get(ctx->task, rs, size, xsave);
	if (ret >= 0 && ret != size)
		ret = -EIO;
	if (ret < 0)
		goto out;
	if (xsave->header.xfeatures & XFEATURE_MASK_XTILE_DATA) {
		pr_info_ratelimited("AMX tile data in use: not supported\n");
		ret = -EOPNOTSUPP;
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

/**
 * cr_arch_read_cpu() - read and check the cpu record
 * @ctx: restart context
 *
 * Allocates the arch staging state in @ctx->arch; cr_arch_free() frees it.
 *
 * Return: 0; -EBADMSG for an invalid record (a selector, a TLS entry, a
 * kernel address as ip or base, an ax the syscall exit would misread);
 * -ENOMEM; or the error of reading.
 */
int cr_arch_read_cpu(struct cr_ctx *ctx)
{
	struct cr_arch_state *st;
	struct cr_rec_cpu_x86_64 *c;
	u16 cs, ss;
	int i, ret;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	ctx->arch = st;
	c = &st->cpu;
	ret = cr_read_rec(ctx, CR_REC_CPU, c, sizeof(*c));
	if (ret)
		return ret;

	ret = -EBADMSG;
	if (c->__reserved)
		goto bad;
	if (cr_decode_seg(c->cs, &cs) || cs != __USER_CS ||
	    cr_decode_seg(c->ss, &ss) || ss != __USER_DS) {
		pr_info_ratelimited("cpu record: cs/ss are not 64-bit user segments\n");
		goto bad;
	}
	if (cr_decode_seg(c->ds, &st->ds) || cr_decode_seg(c->es, &st->es) ||
	    cr_decode_seg(c->fs, &st->fs) || cr_decode_seg(c->gs, &st->gs) ||
	    c->ds == CR_SEG_USER_CS || c->es == CR_SEG_USER_CS ||
	    c->fs == CR_SEG_USER_CS || c->gs == CR_SEG_USER_CS)
		goto bad;
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) {
		if (cr_decode_tls(&c->tls[i], &st->tls[i])) {
			pr_info_ratelimited("cpu record: invalid TLS entry %d\n", i);
			goto bad;
		}
	}
	/* a selector may only name a TLS entry that is set */
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) {
		u16 v = CR_SEG_TLS0 + i;

		if ((c->ds == v || c->es == v || c->fs == v || c->gs == v) &&
		    c->tls[i].flags == CR_TLS_EMPTY)
			goto bad;
	}
	if (c->ip >= TASK_SIZE_MAX || c->fs_base >= TASK_SIZE_MAX ||
	    c->gs_base >= TASK_SIZE_MAX) {
		pr_info_ratelimited("cpu record: ip or fs/gs base outside user space\n");
		goto bad;
	}
	/*
	 * restart's return value becomes ax: an -ERESTART* code only with the
	 * interrupted call's number, and a restart block to resume if it says
	 * so; the other codes of that range would be misread on the way out.
	 */
	if (cr_restart_code(c->ax)) {
		if (c->orig_ax >= NR_syscalls ||
		    ((long)c->ax == -ERESTART_RESTARTBLOCK && !cr_restart_block_staged(ctx))) {
			pr_info_ratelimited("cpu record: bad interrupted system call\n");
			goto bad;
		}
	} else if (c->orig_ax != -1ULL ||
		   ((long)c->ax >= -ERESTART_RESTARTBLOCK && (long)c->ax <= -ERESTARTSYS)) {
		goto bad;
	}
	return 0;
bad:
	pr_info_ratelimited("cpu record rejected\n");
	return ret;
}

/**
 * cr_arch_read_fpu() - read and check the fpu record
 * @ctx: restart context, after cr_arch_read_cpu()
 *
 * Return: 0; -EBADMSG for a size that is not the head's, features beyond
 * the head's or an XSAVE area this CPU would refuse; -ENOMEM; or the error
 * of reading.
 */
int cr_arch_read_fpu(struct cr_ctx *ctx)
{
	struct cr_arch_state *st = ctx->arch;
	u32 max = fpu_user_cfg.max_size;
	struct cr_rec_fpu rec;
	struct cr_hdr hdr;
	u64 hdr_xfeatures;
	int ret;

	ret = cr_read_hdr(ctx, &hdr);
	if (ret)
		return ret;
	if (hdr.type != CR_REC_FPU)
		return -EBADMSG;
	ret = cr_read_fixed(ctx, &hdr, &rec, sizeof(rec));
	if (ret)
		return ret;
	if (rec.size != ctx->head.xstate_size || rec.size > max || rec.__reserved ||
	    hdr.len != sizeof(rec) + rec.size ||
	    rec.size < sizeof(struct fxregs_state) + sizeof(struct xstate_header)) {
		pr_info_ratelimited("fpu record: bad size %u\n", rec.size);
		return -EBADMSG;
	}
	/* this CPU's size, zero-extended: standard-format offsets are fixed */
	st->xstate = kvzalloc(max, GFP_KERNEL);
	if (!st->xstate)
		return -ENOMEM;
	ret = cr_read_body(ctx, st->xstate, rec.size);
	if (ret)
		return ret;
	ret = cr_read_end(ctx, &hdr);
	if (ret)
		return ret;
	/* the head's mask binds the area: it is what restart checked the CPU for */
	hdr_xfeatures = ((struct xregs_state *)st->xstate)->header.xfeatures;
	if (hdr_xfeatures & ~ctx->head.xfeatures) {
		pr_info_ratelimited("fpu record: xfeatures %#llx beyond the head's %#llx\n",
				    hdr_xfeatures, ctx->head.xfeatures);
		return -EBADMSG;
	}
	if (fpu_check_uabi_xstate(st->xstate)) {
		pr_info_ratelimited("fpu record: XSAVE area refused by this CPU\n");
		return -EBADMSG;
	}
	return 0;
}

/**
 * cr_arch_free() - free what cr_arch_read_cpu()/cr_arch_read_fpu() staged
 * @ctx: restart context
 */
void cr_arch_free(struct cr_ctx *ctx)
{
	struct cr_arch_state *st = ctx->arch;

	if (!st)
		return;
	kvfree(st->xstate);
	kfree(st);
	ctx->arch = NULL;
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

/**
 * cr_arch_restore() - load the staged registers, TLS and FPU into current
 * @ctx: restart context, past the point of no return
 *
 * Everything was checked when read; this cannot fail but for a broken
 * invariant.  The user registers are replaced in task_pt_regs(): the
 * return from restart() resumes the restored code.
 *
 * @ax: where to store the value the restored code sees in ax, which
 *	restart() returns
 *
 * Return: 0, or a negative errno on a broken invariant (the caller is then
 * killed).
 */
int cr_arch_restore(struct cr_ctx *ctx, long *ax)
{
	struct cr_arch_state *st = ctx->arch;
	const struct cr_rec_cpu_x86_64 *c = &st->cpu;
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
	if (cr_restart_code(c->ax))
		set_notify_signal(current);
	*ax = c->ax;
	return 0;
}
