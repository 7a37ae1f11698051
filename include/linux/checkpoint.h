/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr: in-kernel checkpoint/restart - internal interfaces.
 */
#ifndef _LINUX_CHECKPOINT_H
#define _LINUX_CHECKPOINT_H

#include <linux/bvec.h>
#include <linux/signal_types.h>
#include <linux/types.h>
#include <uapi/linux/checkpoint.h>

struct file;
struct mm_struct;
struct page;
struct task_struct;
struct vm_area_struct;
struct cr_files_state;
struct cr_inherit_ent;
struct cr_mm_state;
struct cr_signals_state;
struct cr_vma_snap;
struct cr_task_state;

/**
 * struct cr_ctx - state of one checkpoint or restart operation
 * @file:	the image file (output for checkpoint, input for restart)
 * @ppos:	position to pass to kernel_write/kernel_read: &@pos for a
 *		seekable file, NULL for a stream (pipe, socket)
 * @pos:	file position while the operation runs; copied back to
 *		@file->f_pos at the end for seekable files
 * @offset:	bytes written or read so far: the stream offset, counted from
 *		the first byte of the head
 * @records:	records written or read so far
 * @flags:	the flags argument of the system call
 * @crid:	checkpoint id (written to or read from the head)
 * @task:	the task being checkpointed (referenced), or NULL
 * @mm:		checkpoint: @task's mm (referenced)
 * @locked:	checkpoint: @task's exec_update_lock is held for reading
 * @blocked:	checkpoint: the caller's blocked signals; SIGPIPE is blocked
 *		while checkpoint(2) runs
 * @nvcsw:	checkpoint of a stopped task: its context switch count when
 *		found inactive, compared again at the end
 * @snap:	checkpoint: the vma list, from cr_write_mm() to cr_write_pages()
 * @nr_snap:	checkpoint: its length
 * @bvec:	checkpoint: CR_PAGES_MAX bio_vecs for page data
 * @pages:	checkpoint: CR_PAGES_MAX page pointers
 * @buf:	restart: CR_PAGES_MAX pages of bounce buffer
 * @arch:	restart: the arch's staged registers and FPU state
 * @ts:		restart: the staged task record
 * @ms:		restart: the staged address space
 * @fs:		restart: the staged fd table, cwd and umask
 * @ss:		restart: the staged signal state and rlimits
 * @inherit:	restart: the files the restarter handed in
 * @nr_inherit:	restart: their number
 * @head:	the head of the image (restart: as read; checkpoint: as written)
 */
struct cr_ctx {
	struct file *file;
	loff_t *ppos;
	loff_t pos;
	u64 offset;
	u64 records;
	unsigned long flags;
	u64 crid;
	struct task_struct *task;
	struct mm_struct *mm;
	bool locked;
	sigset_t blocked;
	unsigned long nvcsw;
	struct cr_vma_snap *snap;
	int nr_snap;
	struct bio_vec *bvec;
	struct page **pages;
	void *buf;
	void *arch;
	struct cr_task_state *ts;
	struct cr_mm_state *ms;
	struct cr_files_state *fs;
	struct cr_signals_state *ss;
	struct cr_inherit_ent *inherit;
	u32 nr_inherit;
	struct cr_rec_head head;
};

/* The two operations (checkpoint/checkpoint.c, checkpoint/restart.c). */
long cr_checkpoint(struct cr_ctx *ctx, pid_t pid);
long cr_restart(struct cr_ctx *ctx, int crid);

/* Task record (checkpoint/task.c). */
int cr_write_task(struct cr_ctx *ctx);
int cr_read_task(struct cr_ctx *ctx, const struct cr_hdr *hdr);
void cr_restore_task(struct cr_ctx *ctx);
void cr_free_task(struct cr_ctx *ctx);
bool cr_task_restart_block(struct task_struct *t);
bool cr_restart_block_staged(struct cr_ctx *ctx);

/* Address space: mm, vma and page records (checkpoint/memory.c). */
int cr_write_mm(struct cr_ctx *ctx);
int cr_write_pages(struct cr_ctx *ctx);
void cr_put_vmas(struct cr_ctx *ctx);
int cr_read_mm(struct cr_ctx *ctx);
int cr_check_caller_mm(void);
int cr_restore_mm(struct cr_ctx *ctx);
int cr_read_pages(struct cr_ctx *ctx, const struct cr_hdr *hdr);
void cr_free_mm(struct cr_ctx *ctx);

/* Files, fds, cwd and umask (checkpoint/files.c). */
int cr_write_files(struct cr_ctx *ctx);
int cr_read_files(struct cr_ctx *ctx);
int cr_restore_files(struct cr_ctx *ctx);
void cr_free_files(struct cr_ctx *ctx);
int cr_get_inherit(struct cr_ctx *ctx, const struct cr_restart_args __user *uargs);
void cr_put_inherit(struct cr_ctx *ctx);

/* Signal state and rlimits (checkpoint/signal.c). */
int cr_write_signals(struct cr_ctx *ctx);
int cr_read_signals(struct cr_ctx *ctx);
int cr_restore_signals(struct cr_ctx *ctx);
void cr_free_signals(struct cr_ctx *ctx);

/* Record I/O (checkpoint/io.c). */
int cr_write(struct cr_ctx *ctx, const void *buf, size_t len);
int cr_write_rec(struct cr_ctx *ctx, u32 type, const void *payload, u32 len);
int cr_read(struct cr_ctx *ctx, void *buf, size_t len);
int cr_read_hdr(struct cr_ctx *ctx, struct cr_hdr *hdr);
int cr_read_body(struct cr_ctx *ctx, void *buf, size_t len);
int cr_read_fixed(struct cr_ctx *ctx, const struct cr_hdr *hdr, void *buf, u32 size);
int cr_read_end(struct cr_ctx *ctx, const struct cr_hdr *hdr);
int cr_read_payload(struct cr_ctx *ctx, const struct cr_hdr *hdr, void *buf, u32 size);
int cr_read_rec(struct cr_ctx *ctx, u32 type, void *payload, u32 len);
int cr_write_page_data(struct cr_ctx *ctx, unsigned int nr);
int cr_read_skip(struct cr_ctx *ctx, const struct cr_hdr *hdr);
int cr_read_user(struct cr_ctx *ctx, unsigned long addr, size_t len);
char *cr_read_string(struct cr_ctx *ctx, u32 len, u32 max);

const char *cr_rec_name(u32 type);

/* Interval timers (kernel/time/itimer.c, with CONFIG_POSIX_TIMERS). */
struct itimerspec64;
int itimer_get_task(struct task_struct *tsk, int which, struct itimerspec64 *value);
int itimer_set_current(int which, struct itimerspec64 *value);

/* An interrupted nanosleep (kernel/time/hrtimer.c). */
struct restart_block;
struct __kernel_timespec;
bool hrtimer_nanosleep_interrupted(const struct restart_block *restart);
long hrtimer_nanosleep_resume(clockid_t clockid, ktime_t expires,
			      struct __kernel_timespec __user *rmtp);

/*
 * Architecture interface.  Generic code never touches registers or other
 * arch state; an architecture that selects HAVE_ARCH_CHECKPOINT provides
 * these in arch/<arch>/checkpoint/.
 */

void cr_arch_fill_head(struct cr_rec_head *head);
int cr_arch_check_head(const struct cr_rec_head *head);
int cr_arch_check_task(struct task_struct *t);
int cr_arch_write_cpu(struct cr_ctx *ctx);
int cr_arch_write_fpu(struct cr_ctx *ctx);
u32 cr_arch_vma_kind(struct vm_area_struct *vma);
u64 cr_arch_mm_vdso(struct mm_struct *mm);
int cr_arch_check_vdso(u64 vdso, const struct cr_rec_vma *vma);
int cr_arch_map_vdso(u64 vdso);
int cr_arch_read_cpu(struct cr_ctx *ctx);
int cr_arch_read_fpu(struct cr_ctx *ctx);
int cr_arch_restore(struct cr_ctx *ctx, long *ax);
void cr_arch_free(struct cr_ctx *ctx);

#endif /* _LINUX_CHECKPOINT_H */
