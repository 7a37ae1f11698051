/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr: what the kernel and the tools know alike about an image.
 *
 * The record table (the name and size bounds of every record type), the
 * names of the kinds records carry, and the checks of one record that do
 * not depend on the machine that restarts.  Static inlines over the uapi
 * types only, no kernel or C library type: checkpoint/ includes this file,
 * and so do the tools (crinspect, the selftests), by relative path as
 * selftests/mm includes mm/gup_test.h, so that they judge an image as
 * restart(2) does.  What depends on the machine is passed in struct
 * cr_limits, or checked by the kernel alone (sysctls, rlimits, the vDSO's
 * size, the CPU's XSAVE layout, the files paths name).
 *
 * A check returns NULL if the record is valid, else the reason it is not:
 * restart(2) logs it and fails with EBADMSG; crinspect prints it.
 */
#ifndef _LINUX_CHECKPOINT_FORMAT_H
#define _LINUX_CHECKPOINT_FORMAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <uapi/linux/checkpoint.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/checkpoint.h>
#endif

/**
 * struct cr_limits - what the checks need to know of the machine
 * @task_size: one past the highest user address
 * @page_size: the page size (the head's, once checked)
 */
struct cr_limits {
	__u64 task_size;
	__u64 page_size;
};

/*
 * Values of the Linux ABI that records carry and that are the same on
 * every architecture; the kernel checks them against its own definitions
 * at build time (cr_format_check()).
 */
#define CR_PER_LINUX		0x0000000U
#define CR_UNAME26		0x0020000U
#define CR_ADDR_NO_RANDOMIZE	0x0040000U
#define CR_ADDR_COMPAT_LAYOUT	0x0200000U
#define CR_READ_IMPLIES_EXEC	0x0400000U
/* personality flags a restarted task may carry: no MMAP_PAGE_ZERO */
#define CR_PERSONALITY_OK	(CR_ADDR_NO_RANDOMIZE | CR_READ_IMPLIES_EXEC | \
				 CR_ADDR_COMPAT_LAYOUT | CR_UNAME26)

#define CR_CLOCK_REALTIME	0
#define CR_CLOCK_MONOTONIC	1
#define CR_CLOCK_BOOTTIME	7
#define CR_CLOCK_REALTIME_ALARM	8
#define CR_CLOCK_BOOTTIME_ALARM	9
#define CR_CLOCK_TAI		11

#define CR_KTIME_MAX		0x7fffffffffffffffULL
#define CR_MAX_LFS_FILESIZE	0x7fffffffffffffffULL	/* 64-bit */
#define CR_ROBUST_LIST_LEN	24	/* struct robust_list_head, 64-bit */
#define CR_RSEQ_MIN_LEN		32	/* the original struct rseq */
#define CR_RSEQ_ALIGN		32
#define CR_AT_NULL		0	/* the end of the auxiliary vector */
#define CR_UMASK_BITS		0777U
#define CR_MIN_NICE		(-20)
#define CR_MAX_NICE		19
#define CR_SCHED_NORMAL		0
#define CR_SCHED_BATCH		3
#define CR_SCHED_IDLE		5
#define CR_OOM_SCORE_ADJ_MIN	(-1000)
#define CR_OOM_SCORE_ADJ_MAX	1000

/* ------------------------------------------------------------------------ */
/* records and kinds                                                        */
/* ------------------------------------------------------------------------ */

/**
 * struct cr_rec_info - what the format says of one record type
 * @name: its name, in messages and in crinspect's output
 * @size: the fixed part every record of the type starts with
 * @max: the largest payload; equal to @size for a record of fixed length
 */
struct cr_rec_info {
	const char *name;
	__u32 size;
	__u32 max;
};

#define CR_REC_FIXED(n, s)	{ .name = (n), .size = sizeof(s), .max = sizeof(s) }
#define CR_REC_VAR(n, s, more)	{ .name = (n), .size = sizeof(s), .max = sizeof(s) + (more) }

/**
 * cr_rec_info() - the record table
 * @type: a record type
 *
 * Return: what the format says of @type, or NULL for a type it does not
 * define.
 */
static inline const struct cr_rec_info *cr_rec_info(__u32 type)
{
	static const struct cr_rec_info info[CR_REC_MAX] = {
		[CR_REC_HEAD]	= CR_REC_FIXED("head", struct cr_rec_head),
		[CR_REC_TAIL]	= CR_REC_FIXED("tail", struct cr_rec_tail),
		[CR_REC_PAD]	= { .name = "pad", .size = 0, .max = CR_REC_MAX_LEN },
		[CR_REC_TASK]	= CR_REC_FIXED("task", struct cr_rec_task),
		[CR_REC_CPU]	= CR_REC_FIXED("cpu", struct cr_rec_cpu),
		[CR_REC_FPU]	= CR_REC_VAR("fpu", struct cr_rec_fpu, CR_FPU_STATE_MAX),
		[CR_REC_MM]	= CR_REC_VAR("mm", struct cr_rec_mm, CR_PATH_MAX),
		[CR_REC_VMA]	= CR_REC_VAR("vma", struct cr_rec_vma,
					     CR_PATH_MAX + CR_VMA_NAME_MAX),
		[CR_REC_PAGES]	= CR_REC_VAR("pages", struct cr_rec_pages,
					     CR_PAGES_MAX * sizeof(__u64)),
		[CR_REC_PAGE_DATA] = { .name = "page_data", .size = 0, .max = CR_REC_MAX_LEN },
		[CR_REC_FILE]	= CR_REC_VAR("file", struct cr_rec_file, CR_PATH_MAX),
		[CR_REC_FD]	= CR_REC_FIXED("fd", struct cr_rec_fd),
		[CR_REC_FS]	= CR_REC_VAR("fs", struct cr_rec_fs, CR_PATH_MAX),
		[CR_REC_SIGNALS] = CR_REC_VAR("signals", struct cr_rec_signals,
					      CR_MAX_PENDING * sizeof(struct cr_siginfo)),
		[CR_REC_PIPE]	= CR_REC_VAR("pipe", struct cr_rec_pipe,
					     CR_REC_MAX_LEN - sizeof(struct cr_rec_pipe)),
		[CR_REC_ARCH]	= CR_REC_FIXED("arch", struct cr_rec_arch),
		[CR_REC_TIMER]	= CR_REC_FIXED("timer", struct cr_rec_timer),
		[CR_REC_TREE]	= CR_REC_VAR("tree", struct cr_rec_tree,
					     CR_TREE_MAX * sizeof(struct cr_tree_task)),
		[CR_REC_EPOLL]	= CR_REC_VAR("epoll", struct cr_rec_epoll,
					     CR_EPOLL_MAX * sizeof(struct cr_epoll_item)),
		[CR_REC_FILE_DATA] = CR_REC_VAR("file_data", struct cr_rec_file_data,
						CR_FILE_DATA_MAX),
		[CR_REC_SOCK_QUEUE] = CR_REC_VAR("sock_queue", struct cr_rec_sock_queue,
						 CR_REC_MAX_LEN - sizeof(struct cr_rec_sock_queue)),
		[CR_REC_SUM]	= CR_REC_FIXED("sum", struct cr_rec_sum),
		[CR_REC_INOTIFY] = CR_REC_VAR("inotify", struct cr_rec_inotify, CR_PATH_MAX),
		[CR_REC_SYSV_SHM] = CR_REC_FIXED("sysv_shm", struct cr_rec_sysv_shm),
		[CR_REC_SEM_UNDO] = CR_REC_VAR("sem_undo", struct cr_rec_sem_undo,
					       CR_SEM_NSEMS_MAX * sizeof(struct cr_sem)),
		[CR_REC_MSG_QUEUE] = CR_REC_VAR("msg_queue", struct cr_rec_msg_queue,
						CR_REC_MAX_LEN - sizeof(struct cr_rec_msg_queue)),
		[CR_REC_SEM_SET] = CR_REC_VAR("sem_set", struct cr_rec_sem_set,
					      CR_SEM_NSEMS_MAX * sizeof(__u16)),
		[CR_REC_SIGSTATE] = CR_REC_VAR("sigstate", struct cr_rec_sigstate,
					       CR_MAX_PENDING * sizeof(struct cr_siginfo)),
	};

	if (!type || type >= CR_REC_MAX || !info[type].name)
		return NULL;
	return &info[type];
}

/**
 * cr_rec_name() - the name of a record type, for messages
 * @type: a record type
 *
 * Return: a static string, "unknown" for a type the format does not define.
 */
static inline const char *cr_rec_name(__u32 type)
{
	const struct cr_rec_info *info = cr_rec_info(type);

	return info ? info->name : "unknown";
}

/**
 * cr_vma_kind_name() - the name of a vma kind
 * @kind: CR_VMA_*
 *
 * Return: a static string, or NULL for a kind the format does not define.
 */
static inline const char *cr_vma_kind_name(__u32 kind)
{
	static const char * const names[CR_VMA_KIND_MAX + 1] = {
		[CR_VMA_ANON_PRIVATE]	= "anon_private",
		[CR_VMA_ANON_SHARED]	= "anon_shared",
		[CR_VMA_FILE_PRIVATE]	= "file_private",
		[CR_VMA_FILE_SHARED]	= "file_shared",
		[CR_VMA_STACK]		= "stack",
		[CR_VMA_HEAP]		= "heap",
		[CR_VMA_VDSO]		= "vdso",
		[CR_VMA_VVAR]		= "vvar",
		[CR_VMA_SYSV_SHM]	= "sysv_shm",
	};

	return kind <= CR_VMA_KIND_MAX ? names[kind] : NULL;
}

/**
 * cr_file_kind_name() - the name of a file kind
 * @kind: CR_FILE_*
 *
 * Return: a static string, or NULL for a kind the format does not define.
 */
static inline const char *cr_file_kind_name(__u32 kind)
{
	static const char * const names[CR_FILE_KIND_MAX + 1] = {
		[CR_FILE_REG]		= "reg",
		[CR_FILE_DIR]		= "dir",
		[CR_FILE_CHR]		= "chr",
		[CR_FILE_INHERIT]	= "inherit",
		[CR_FILE_PIPE]		= "pipe",
		[CR_FILE_FIFO]		= "fifo",
		[CR_FILE_EVENTFD]	= "eventfd",
		[CR_FILE_SIGNALFD]	= "signalfd",
		[CR_FILE_TIMERFD]	= "timerfd",
		[CR_FILE_EPOLL]		= "epoll",
		[CR_FILE_MEMFD]		= "memfd",
		[CR_FILE_DELETED]	= "deleted",
		[CR_FILE_SOCKET]	= "socket",
		[CR_FILE_PIDFD]		= "pidfd",
		[CR_FILE_INOTIFY]	= "inotify",
		[CR_FILE_MQUEUE]	= "mqueue",
	};

	return kind <= CR_FILE_KIND_MAX ? names[kind] : NULL;
}

/**
 * cr_restart_fn_name() - the name of a restart block kind
 * @fn: CR_RESTART_FN_*
 *
 * Return: a static string, or NULL for a kind the format does not define.
 */
static inline const char *cr_restart_fn_name(__u32 fn)
{
	static const char * const names[CR_RESTART_FN_MAX + 1] = {
		[CR_RESTART_FN_NONE]		= "none",
		[CR_RESTART_FN_NANOSLEEP]	= "nanosleep",
	};

	return fn <= CR_RESTART_FN_MAX ? names[fn] : NULL;
}

/**
 * cr_clock_name() - the name of a clock a restart block may use
 * @clockid: its id
 *
 * Return: a static string, or NULL for a clock an image may not name.
 */
static inline const char *cr_clock_name(__s32 clockid)
{
	switch (clockid) {
	case CR_CLOCK_REALTIME:
		return "realtime";
	case CR_CLOCK_MONOTONIC:
		return "monotonic";
	case CR_CLOCK_BOOTTIME:
		return "boottime";
	case CR_CLOCK_TAI:
		return "tai";
	}
	return NULL;
}

/**
 * cr_timer_clock_name() - the name of a timer record's clock
 * @clock: CR_TIMER_CLOCK_*
 *
 * Return: a static string, or NULL for a clock the format does not define.
 */
static inline const char *cr_timer_clock_name(__u32 clock)
{
	switch (clock) {
	case CR_TIMER_CLOCK_REALTIME:
		return "realtime";
	case CR_TIMER_CLOCK_MONOTONIC:
		return "monotonic";
	case CR_TIMER_CLOCK_BOOTTIME:
		return "boottime";
	case CR_TIMER_CLOCK_TAI:
		return "tai";
	case CR_TIMER_CLOCK_PROCESS_PROF:
		return "process_prof";
	case CR_TIMER_CLOCK_PROCESS_VIRT:
		return "process_virt";
	case CR_TIMER_CLOCK_PROCESS_CPUTIME:
		return "process_cputime";
	case CR_TIMER_CLOCK_THREAD_PROF:
		return "thread_prof";
	case CR_TIMER_CLOCK_THREAD_VIRT:
		return "thread_virt";
	case CR_TIMER_CLOCK_THREAD_CPUTIME:
		return "thread_cputime";
	}
	return NULL;
}

/**
 * cr_sigev_name() - the name of a timer record's notification
 * @notify: CR_SIGEV_*
 *
 * Return: a static string, or NULL for a value the format does not define.
 */
static inline const char *cr_sigev_name(__u32 notify)
{
	switch (notify) {
	case CR_SIGEV_SIGNAL:
		return "signal";
	case CR_SIGEV_NONE:
		return "none";
	case CR_SIGEV_THREAD:
		return "thread";
	case CR_SIGEV_THREAD_ID:
		return "thread_id";
	}
	return NULL;
}

/* Is @kind one of the vma kinds in the bit set @set (1 << CR_VMA_*)? */
static inline bool cr_vma_kind_in(__u32 kind, __u32 set)
{
	return kind < 32 && ((1U << kind) & set);
}

#define CR_VMA_BIT(kind)	(1U << (kind))
/* vma kinds whose pages the image saves by content */
#define CR_VMA_CONTENT		(CR_VMA_BIT(CR_VMA_ANON_PRIVATE) | \
				 CR_VMA_BIT(CR_VMA_ANON_SHARED) | CR_VMA_BIT(CR_VMA_SYSV_SHM) | \
				 CR_VMA_BIT(CR_VMA_FILE_PRIVATE) | CR_VMA_BIT(CR_VMA_STACK) | \
				 CR_VMA_BIT(CR_VMA_HEAP))
/* vma kinds that map a shared memory object of the image */
#define CR_VMA_SHM		(CR_VMA_BIT(CR_VMA_ANON_SHARED) | CR_VMA_BIT(CR_VMA_SYSV_SHM))
/* vma kinds that map a file by path */
#define CR_VMA_FILE		(CR_VMA_BIT(CR_VMA_FILE_PRIVATE) | CR_VMA_BIT(CR_VMA_FILE_SHARED))
/* The private kinds whose pages fork() shares copy-on-write. */
#define CR_VMA_PRIVATE		(CR_VMA_BIT(CR_VMA_ANON_PRIVATE) | \
				 CR_VMA_BIT(CR_VMA_FILE_PRIVATE) | CR_VMA_BIT(CR_VMA_STACK) | \
				 CR_VMA_BIT(CR_VMA_HEAP))
#define CR_VMA_F_ALL		(CR_VMA_F_GROWSDOWN | CR_VMA_F_DONTFORK | CR_VMA_F_DONTDUMP | \
				 CR_VMA_F_NORESERVE | CR_VMA_F_MAYWRITE | CR_VMA_F_WIPEONFORK | \
				 CR_VMA_F_RANDOM | CR_VMA_F_SEQUENTIAL | CR_VMA_F_INHERIT | \
				 CR_VMA_F_HUGEPAGE | CR_VMA_F_NOHUGEPAGE | CR_VMA_F_MERGEABLE)
/* The anonymous kinds, which may have a name. */
#define CR_VMA_ANON		(CR_VMA_BIT(CR_VMA_ANON_PRIVATE) | \
				 CR_VMA_BIT(CR_VMA_ANON_SHARED) | CR_VMA_BIT(CR_VMA_STACK) | \
				 CR_VMA_BIT(CR_VMA_HEAP))

/* ------------------------------------------------------------------------ */
/* the image order                                                          */
/* ------------------------------------------------------------------------ */

/**
 * enum cr_section_id - the sections, in image order
 * @CR_SEC_MM: a process's mm record and vma records
 * @CR_SEC_FILES: a process's pipe, file and fd records, then its fs record
 * @CR_SEC_TIMERS: a process's timer records, before its signals record: a
 *	pending signal of a timer is its timer's (see struct cr_rec_timer)
 * @CR_SEC_SIGNALS: a process's signals record
 * @CR_SEC_SEM_UNDO: a process's sem_undo records: its SysV semaphore
 *	adjustments (SEM_UNDO), one record per set, in increasing id order
 * @CR_SEC_TASK: a task's task record
 * @CR_SEC_CPU: a task's arch register records (cpu, fpu)
 * @CR_SEC_SIGSTATE: a task's sigstate record
 * @CR_SEC_MAX: the number of sections
 *
 * An image is the head, the arch record, the tree record, then for each
 * process in the order of the tree the records of its sections of scope
 * CR_SCOPE_PROC in this order, then for its leader and each of its
 * threads the records of the sections of scope CR_SCOPE_TASK in this
 * order; then the sum record, the page stream (pages and page data
 * records, process by process) and the tail.  Pad records may stand between any two records.
 * This enum is the one place the order is written: the kernel's table of
 * sections (cr_sections[]) and cr_section_info() are indexed by it.
 */
enum cr_section_id {
	CR_SEC_MM,
	CR_SEC_FILES,
	CR_SEC_TIMERS,
	CR_SEC_SIGNALS,
	CR_SEC_SEM_UNDO,
	CR_SEC_TASK,
	CR_SEC_CPU,
	CR_SEC_SIGSTATE,
	CR_SEC_MAX
};

#define CR_REC_BIT(type)	(1U << (type))

/* Scopes of a section: once per process, or once per task. */
#define CR_SCOPE_PROC		1
#define CR_SCOPE_TASK		2

/**
 * struct cr_section_info - what the format says of one section
 * @name: its name
 * @scope: CR_SCOPE_PROC or CR_SCOPE_TASK
 * @records: the record types it holds (CR_REC_BIT() of each); its records
 *	are the run of records of these types where it stands
 */
struct cr_section_info {
	const char *name;
	__u32 scope;
	__u32 records;
};

/**
 * cr_section_info() - the sections, by enum cr_section_id
 * @id: a section
 *
 * Return: what the format says of @id, NULL past the last section.
 */
static inline const struct cr_section_info *cr_section_info(__u32 id)
{
	static const struct cr_section_info info[CR_SEC_MAX] = {
		[CR_SEC_MM]	  = { "mm", CR_SCOPE_PROC,
				      CR_REC_BIT(CR_REC_MM) | CR_REC_BIT(CR_REC_VMA) |
				      CR_REC_BIT(CR_REC_SYSV_SHM) },
		[CR_SEC_FILES]	  = { "files", CR_SCOPE_PROC,
				      CR_REC_BIT(CR_REC_PIPE) | CR_REC_BIT(CR_REC_FILE) |
				      CR_REC_BIT(CR_REC_FD) | CR_REC_BIT(CR_REC_EPOLL) |
				      CR_REC_BIT(CR_REC_FILE_DATA) | CR_REC_BIT(CR_REC_SOCK_QUEUE) |
				      CR_REC_BIT(CR_REC_INOTIFY) | CR_REC_BIT(CR_REC_FS) },
		[CR_SEC_TIMERS]	  = { "timers", CR_SCOPE_PROC, CR_REC_BIT(CR_REC_TIMER) },
		[CR_SEC_SIGNALS]  = { "signals", CR_SCOPE_PROC, CR_REC_BIT(CR_REC_SIGNALS) },
		[CR_SEC_SEM_UNDO] = { "sem_undo", CR_SCOPE_PROC, CR_REC_BIT(CR_REC_SEM_UNDO) },
		[CR_SEC_TASK]	  = { "task", CR_SCOPE_TASK, CR_REC_BIT(CR_REC_TASK) },
		[CR_SEC_CPU]	  = { "cpu", CR_SCOPE_TASK,
				      CR_REC_BIT(CR_REC_CPU) | CR_REC_BIT(CR_REC_FPU) },
		[CR_SEC_SIGSTATE] = { "sigstate", CR_SCOPE_TASK, CR_REC_BIT(CR_REC_SIGSTATE) },
	};

	return id < CR_SEC_MAX ? &info[id] : NULL;
}

/* ------------------------------------------------------------------------ */
/* checks                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * cr_check_string() - check a string of a record's payload
 * @s: its first byte
 * @len: its length in the record, NUL included
 * @max: the largest acceptable @len
 *
 * Return: NULL for 1..@max bytes whose last, and only that one, is a NUL;
 * else the reason.
 */
static inline const char *cr_check_string(const char *s, __u32 len, __u32 max)
{
	__u32 i;

	if (!len || len > max)
		return "string length out of range";
	for (i = 0; i < len - 1; i++)
		if (!s[i])
			return "string with a NUL inside";
	return s[len - 1] ? "string not NUL terminated" : NULL;
}

/**
 * cr_check_head() - check the head's fields that do not depend on the machine
 * @h: the head, of the right magic and version
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_head(const struct cr_rec_head *h)
{
	if (h->flags & ~CR_CHECKPOINT_FLAGS)
		return "unknown flags";
	return NULL;
}

/**
 * cr_check_tail() - check the tail against the stream it closes
 * @t: the tail
 * @records: records before it, the head included
 * @offset: stream offset of its header
 * @sum: the checksum of the stream before its header
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_tail(const struct cr_rec_tail *t, __u64 records,
					__u64 offset, __u64 sum)
{
	if (t->magic != CR_TAIL_MAGIC)
		return "bad tail magic";
	if (t->records != records || t->offset != offset)
		return "record count or offset differs from the stream's";
	if (t->sum != sum)
		return "checksum mismatch: the image is corrupt";
	return NULL;
}

/**
 * cr_check_sum() - check the sum record against the stream before it
 * @s: the record
 * @offset: stream offset of its header
 * @sum: the checksum of the stream before its header
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_sum(const struct cr_rec_sum *s, __u64 offset, __u64 sum)
{
	if (s->offset != offset)
		return "offset differs from the stream's";
	if (s->sum != sum)
		return "checksum mismatch: the image is corrupt";
	return NULL;
}

/**
 * cr_check_mempolicy() - check a memory policy
 * @p: the policy
 *
 * What set_mempolicy(2) and mbind(2) would refuse whatever the machine:
 * whether its nodes exist is the kernel's to check.
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_mempolicy(const struct cr_mempolicy *p)
{
	const __u16 node_flags = CR_MPOL_F_STATIC_NODES | CR_MPOL_F_RELATIVE_NODES;
	__u64 any = 0;
	int i;

	for (i = 0; i < CR_MPOL_WORDS; i++)
		any |= p->nodes[i];
	if (p->mode >= CR_MPOL_MAX || p->__reserved ||
	    p->flags & ~(node_flags | CR_MPOL_F_NUMA_BALANCING) ||
	    (p->flags & node_flags) == node_flags)
		return "bad memory policy mode or flags";
	if (p->flags & CR_MPOL_F_NUMA_BALANCING && p->mode != CR_MPOL_BIND &&
	    p->mode != CR_MPOL_PREFERRED_MANY)
		return "NUMA balancing on a memory policy that does not bind";
	if (p->mode == CR_MPOL_DEFAULT || p->mode == CR_MPOL_LOCAL ? p->flags || any : !any)
		return "memory policy nodes and mode disagree";
	return NULL;
}

/**
 * cr_check_vma_name() - check the name of an anonymous mapping
 * @s: its first byte
 * @len: its length, NUL included
 *
 * Return: NULL for what PR_SET_VMA_ANON_NAME takes: printable characters
 * but for those /proc/PID/maps quotes with (\\, `, $, [ and ]); else the
 * reason.
 */
static inline const char *cr_check_vma_name(const char *s, __u32 len)
{
	const char *why = cr_check_string(s, len, CR_VMA_NAME_MAX);
	__u32 i;

	for (i = 0; !why && i < len - 1; i++)
		if (s[i] < ' ' || s[i] > '~' || s[i] == '\\' || s[i] == '`' || s[i] == '$' ||
		    s[i] == '[' || s[i] == ']')
			why = "a character a mapping's name may not have";
	return why;
}

/**
 * cr_check_task() - check a task record
 * @t: the record
 * @l: the machine
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_task(const struct cr_rec_task *t, const struct cr_limits *l)
{
	if (t->__reserved || (t->personality & ~CR_PERSONALITY_OK) != CR_PER_LINUX)
		return "personality refused";
	if (t->clear_child_tid >= l->task_size || t->robust_list >= l->task_size ||
	    t->rseq >= l->task_size)
		return "a user pointer outside user space";
	if (t->robust_list && t->robust_list_len != CR_ROBUST_LIST_LEN)
		return "bad robust list length";
	if (t->restart_fn == CR_RESTART_FN_NONE) {
		if (t->restart_clockid || t->restart_ns || t->restart_rmtp)
			return "restart block fields without a restart block";
	} else if (t->restart_fn != CR_RESTART_FN_NANOSLEEP ||
		   !cr_clock_name(t->restart_clockid) || t->restart_ns > CR_KTIME_MAX / 2 ||
		   t->restart_rmtp >= l->task_size) {
		/* restart adds restart_ns to the clock's time: keep it sane */
		return "bad restart block";
	}
	if (t->rseq && (t->rseq % CR_RSEQ_ALIGN || t->rseq_len < CR_RSEQ_MIN_LEN ||
			t->rseq_len > l->page_size))
		return "bad rseq area";
	if (t->nice < CR_MIN_NICE || t->nice > CR_MAX_NICE ||
	    (t->sched_policy != CR_SCHED_NORMAL && t->sched_policy != CR_SCHED_BATCH &&
	     t->sched_policy != CR_SCHED_IDLE))
		return "bad nice value or scheduling policy";
	if (t->pdeath_signal > CR_NSIG || t->task_flags & ~CR_TASK_NO_NEW_PRIVS ||
	    t->ns_init >> CR_NS_MAX || t->__reserved2)
		return "bad parent-death signal or flags";
	return cr_check_mempolicy(&t->mempolicy);
}

/**
 * cr_check_mm() - check an mm record
 * @r: the record's fixed part
 * @len: the record's payload length
 * @l: the machine
 *
 * The executable's path that follows is checked with cr_check_string().
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_mm(const struct cr_rec_mm *r, __u32 len,
				      const struct cr_limits *l)
{
	const __u64 top = l->task_size;
	int i, j;

	if (len != sizeof(*r) + (__u64)r->exe_len || r->exe_len > CR_PATH_MAX)
		return "length and exe_len disagree";
	if (r->start_code > r->end_code || r->end_code > top ||
	    r->start_data > r->end_data || r->end_data > top ||
	    r->start_brk > r->brk || r->brk > top || r->start_stack > top ||
	    r->arg_start > r->arg_end || r->arg_end > top ||
	    r->env_start > r->env_end || r->env_end > top || r->vdso >= top)
		return "bad boundaries";
	if (!r->nr_vmas)
		return "no vma";
	if (r->dumpable > 1 ||
	    r->mm_flags & ~(CR_MM_THP_DISABLE | CR_MM_MDWE | CR_MM_MDWE_NO_INHERIT |
			    CR_MM_MEMBARRIER | CR_MM_MERGE_ANY))
		return "bad dumpable or flags";
	/* auxv: type/value pairs ending with AT_NULL, nothing after it */
	for (i = 0; i < CR_AUXV_WORDS; i += 2)
		if (r->auxv[i] == CR_AT_NULL)
			break;
	if (i >= CR_AUXV_WORDS)
		return "auxv not terminated";
	for (j = i; j < CR_AUXV_WORDS; j++)
		if (r->auxv[j])
			return "auxv words after AT_NULL";
	return NULL;
}

/**
 * cr_check_vma() - check a vma record
 * @v: the record's fixed part
 * @len: the record's payload length
 * @mm: the mm record before it
 * @prev_end: the end of the vma before it, 0 for the first
 * @l: the machine
 *
 * The vDSO's size and mmap_min_addr are the kernel's to check; the path
 * that follows is checked with cr_check_string(), the name after it with
 * cr_check_vma_name().
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_vma(const struct cr_rec_vma *v, __u32 len,
				       const struct cr_rec_mm *mm, __u64 prev_end,
				       const struct cr_limits *l)
{
	const char *why;
	__u64 pages;

	if (len != sizeof(*v) + (__u64)v->path_len + v->name_len)
		return "length, path_len and name_len disagree";
	if (v->start >= v->end || v->start % l->page_size || v->end % l->page_size ||
	    v->end > l->task_size || v->start < prev_end)
		return "bad or overlapping range";
	if (v->prot & ~(__u32)(CR_PROT_READ | CR_PROT_WRITE | CR_PROT_EXEC) ||
	    v->flags & ~CR_VMA_F_ALL || !v->kind || v->kind > CR_VMA_KIND_MAX)
		return "bad prot, kind or flags";
	if (!!(v->path_len || v->objref) != cr_vma_kind_in(v->kind, CR_VMA_FILE) ||
	    (v->path_len && v->objref) || v->path_len > CR_PATH_MAX)
		return "path or file object and kind disagree";
	if (!(v->flags & CR_VMA_F_GROWSDOWN) != !(v->kind == CR_VMA_STACK))
		return "only the stack grows down";
	if (v->flags & CR_VMA_F_MAYWRITE && v->kind != CR_VMA_FILE_SHARED)
		return "maywrite on a mapping that is not a shared file";
	if ((v->flags & CR_VMA_F_HUGEPAGE) && (v->flags & CR_VMA_F_NOHUGEPAGE))
		return "hugepage and nohugepage";
	if (v->flags & CR_VMA_F_WIPEONFORK && v->kind != CR_VMA_ANON_PRIVATE &&
	    v->kind != CR_VMA_STACK && v->kind != CR_VMA_HEAP)
		return "wipeonfork on a mapping that is not private anonymous";
	if (v->kind == CR_VMA_FILE_SHARED && (v->prot & CR_PROT_WRITE) &&
	    !(v->flags & CR_VMA_F_MAYWRITE))
		return "writable shared file mapping without maywrite";
	if (v->flags & CR_VMA_F_INHERIT &&
	    (v->flags & (CR_VMA_F_DONTFORK | CR_VMA_F_WIPEONFORK) ||
	     !cr_vma_kind_in(v->kind, CR_VMA_PRIVATE)))
		return "inherit on a mapping fork() does not copy";
	pages = (v->end - v->start) / l->page_size;
	if (v->pgoff + pages < v->pgoff || v->pgoff + pages > CR_MAX_LFS_FILESIZE / l->page_size)
		return "bad file offset";
	if (cr_vma_kind_in(v->kind, CR_VMA_SHM) ? !v->shm : v->shm)
		return "shared memory object and kind disagree";
	/* attached whole, readable (shmat(2)) */
	if (v->kind == CR_VMA_SYSV_SHM &&
	    (v->pgoff || v->end - v->start != v->shm_size || !(v->prot & CR_PROT_READ)))
		return "a SysV segment mapped but in part, or not readable";
	if (v->shm > CR_SHM_MAX || !v->shm != !v->shm_size)
		return "bad shared memory object";
	if (v->shm && (v->shm_size % l->page_size || v->shm_size > l->task_size))
		return "bad shared memory object size";
	if (v->kind == CR_VMA_HEAP &&
	    (v->start < mm->start_brk ||
	     v->end > ((mm->brk + l->page_size - 1) & ~(l->page_size - 1))))
		return "heap outside brk";
	if (v->kind == CR_VMA_VDSO && (!mm->vdso || v->start != mm->vdso))
		return "vDSO text not where the mm record says";
	if (v->kind == CR_VMA_VVAR && (!mm->vdso || v->end != mm->vdso))
		return "vDSO data does not end where the mm record's vDSO starts";
	if (v->name_len > CR_VMA_NAME_MAX || v->__reserved ||
	    (v->name_len && !cr_vma_kind_in(v->kind, CR_VMA_ANON)))
		return "a name on a mapping that is not anonymous";
	why = cr_check_mempolicy(&v->mempolicy);
	if (!why && v->mempolicy.mode != CR_MPOL_DEFAULT &&
	    (cr_vma_kind_in(v->kind, CR_VMA_SHM) || v->kind == CR_VMA_VDSO ||
	     v->kind == CR_VMA_VVAR))
		why = "a memory policy on shared memory or the vDSO";
	return why;
}

/**
 * cr_check_sysv_shm() - check a SysV shared memory segment record
 * @r: the record
 * @v: the vma record before it, which maps it first
 * @l: the machine
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_sysv_shm(const struct cr_rec_sysv_shm *r,
					    const struct cr_rec_vma *v,
					    const struct cr_limits *l)
{
	if (v->kind != CR_VMA_SYSV_SHM || r->shm != v->shm)
		return "not after the first mapping of its segment";
	if (r->id < 0 || r->mode > 0777 || r->flags & ~CR_SYSV_SHM_REMOVED || r->__reserved)
		return "bad id, mode or flags";
	if (!r->size || (r->size + l->page_size - 1) / l->page_size * l->page_size != v->shm_size)
		return "size and the mapping's disagree";
	if (r->flags & CR_SYSV_SHM_REMOVED && r->key)
		return "a removed segment with a key";
	return NULL;
}

/**
 * cr_check_sem_undo() - check a SysV semaphore adjustments record
 * @r: the record
 * @len: its payload length
 * @prev_id: the id of the process's record before it, or -1
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_sem_undo(const struct cr_rec_sem_undo *r, __u32 len,
					    __s32 prev_id)
{
	const struct cr_sem *sem = (const struct cr_sem *)(r + 1);
	bool some = false;
	__u32 i;

	if (r->id < 0 || r->id <= prev_id)
		return "bad id, or not after the one before";
	if (r->mode > 0777 || !r->nsems || r->nsems > CR_SEM_NSEMS_MAX)
		return "bad mode or number of semaphores";
	if (len != sizeof(*r) + r->nsems * sizeof(*sem))
		return "length and number of semaphores disagree";
	for (i = 0; i < r->nsems; i++) {
		if (sem[i].val > CR_SEM_VAL_MAX)
			return "a semaphore's value out of range";
		some |= sem[i].adj != 0;
	}
	return some ? NULL : "no adjustment";
}

/**
 * cr_check_msg_queue() - check a SysV message queue record
 * @r: the record
 * @len: its payload length
 * @prev_id: the id of the record before it, or -1
 *
 * A message may be longer than the tree's msgmax, lowered after it was
 * sent.
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_msg_queue(const struct cr_rec_msg_queue *r, __u32 len,
					     __s32 prev_id)
{
	const unsigned char *p = (const unsigned char *)(r + 1);
	__u32 off = 0, i, j, room;
	__u64 bytes = 0;

	if (r->id < 0 || r->id <= prev_id)
		return "bad id, or not after the one before";
	if (r->mode > 0777 || r->nr_msgs > r->qbytes)
		return "bad mode or number of messages";
	len -= sizeof(*r);
	for (i = 0; i < r->nr_msgs; i++) {
		const struct cr_msg *m = (const struct cr_msg *)(p + off);

		if (len - off < sizeof(*m))
			return "shorter than its messages";
		off += sizeof(*m);
		if (m->type < 1 || m->__pad)
			return "a message's type out of range";
		room = (m->len + CR_ALIGN - 1) & ~(CR_ALIGN - 1);
		if (len - off < room)
			return "shorter than its messages";
		for (j = m->len; j < room; j++)
			if (p[off + j])
				return "a message's padding is not zeros";
		off += room;
		bytes += m->len;
	}
	if (off != len)
		return "longer than its messages";
	if (bytes > r->qbytes)
		return "more bytes than the queue holds";
	return NULL;
}

/**
 * cr_check_sem_set() - check a SysV semaphore set record
 * @r: the record
 * @len: its payload length
 * @prev_id: the id of the set record before it, or -1
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_sem_set(const struct cr_rec_sem_set *r, __u32 len,
					   __s32 prev_id)
{
	const __u16 *val = (const __u16 *)(r + 1);
	__u32 i;

	if (r->id < 0 || r->id <= prev_id)
		return "bad id, or not after the one before";
	if (r->mode > 0777 || !r->nsems || r->nsems > CR_SEM_NSEMS_MAX)
		return "bad mode or number of semaphores";
	if (len != sizeof(*r) + r->nsems * sizeof(*val))
		return "length and number of semaphores disagree";
	for (i = 0; i < r->nsems; i++)
		if (val[i] > CR_SEM_VAL_MAX)
			return "a semaphore's value out of range";
	return NULL;
}

/**
 * cr_check_pages() - check a pages record
 * @r: the record's fixed part
 * @len: the record's payload length
 * @nr_procs: the processes of the tree record
 *
 * The addresses that follow are checked against the vmas of their process
 * by the reader, and that processes come in order.
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_pages(const struct cr_rec_pages *r, __u32 len,
					 __u32 nr_procs)
{
	if (!r->nr || r->nr > CR_PAGES_MAX ||
	    len != sizeof(*r) + (__u64)r->nr * sizeof(__u64))
		return "bad page count";
	if (r->flags & ~(__u32)CR_PAGES_F_PARENT || r->__reserved)
		return "bad flags";
	if (r->proc >= nr_procs)
		return "pages of a process the tree does not have";
	return NULL;
}

/**
 * cr_pipe_packets_len() - the bytes the packet lengths of a pipe record take
 * @r: the record's fixed part
 *
 * Return: @r->nr_packets lengths of 4 bytes, padded to a multiple of 8.
 */
static inline __u64 cr_pipe_packets_len(const struct cr_rec_pipe *r)
{
	return ((__u64)r->nr_packets * sizeof(__u32) + 7) & ~7ULL;
}

/**
 * cr_check_pipe() - check a pipe record
 * @r: the record's fixed part
 * @len: the record's payload length
 * @objref: the objref it must have: one more than the pipe before it
 * @l: the machine
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_pipe(const struct cr_rec_pipe *r, __u32 len, __u32 objref,
					const struct cr_limits *l)
{
	const __u32 *packet = (const __u32 *)(r + 1);
	__u64 total = 0;
	__u32 i;

	if (r->objref != objref)
		return "objref out of sequence";
	if (r->flags & ~CR_PIPE_FIFO || r->len > r->size || r->size < l->page_size ||
	    r->__reserved || r->nr_packets > r->size / l->page_size ||
	    len != sizeof(*r) + cr_pipe_packets_len(r) + (__u64)r->len)
		return "bad flags, size or length";
	for (i = 0; i < r->nr_packets; i++) {
		if (!packet[i] || packet[i] > l->page_size)
			return "bad packet length";
		total += packet[i];
	}
	if (r->nr_packets && total != r->len)
		return "packets and length disagree";
	return NULL;
}

/* Is @kind one of an event file, which carries a struct cr_file_event? */
static inline bool cr_file_is_event(__u32 kind)
{
	return kind == CR_FILE_EVENTFD || kind == CR_FILE_SIGNALFD || kind == CR_FILE_TIMERFD;
}

/* Does a file of @kind have its bytes in the image (a struct cr_file_content)? */
static inline bool cr_file_has_content(__u32 kind)
{
	return kind == CR_FILE_MEMFD || kind == CR_FILE_DELETED;
}

/**
 * cr_file_path() - the path (or key, or memfd name) of a file record
 * @r: the record, its length checked by cr_check_file()
 *
 * Return: where it starts: after the structure, and after a memfd's
 * struct cr_file_content.
 */
static inline const char *cr_file_path(const struct cr_rec_file *r)
{
	return (const char *)(r + 1) + (cr_file_has_content(r->kind) ?
					 sizeof(struct cr_file_content) :
					 r->kind == CR_FILE_MQUEUE ?
					 sizeof(struct cr_file_mqueue) : 0);
}

/*
 * Is the name of @len bytes (NUL included) at @name one of a POSIX message
 * queue: at most CR_MQ_NAME_MAX bytes, neither "." nor "..", without a '/'
 * or a NUL inside?
 */
static inline bool cr_mq_name_ok(const char *name, __u32 len)
{
	__u32 i;

	if (len < 2 || len > CR_MQ_NAME_MAX + 1 || name[len - 1] ||
	    (name[0] == '.' && (len == 2 || (name[1] == '.' && len == 3))))
		return false;
	for (i = 0; i < len - 1; i++)
		if (!name[i] || name[i] == '/')
			return false;
	return true;
}

/* Check the struct cr_file_mqueue of a file record (@r) and its name. */
static inline const char *cr_check_file_mqueue(const struct cr_rec_file *r)
{
	const struct cr_file_mqueue *q = (const struct cr_file_mqueue *)(r + 1);
	__u64 most = (__u64)q->nr_msgs * (sizeof(struct cr_mq_msg) +
					 ((q->msgsize + CR_ALIGN - 1) & ~(CR_ALIGN - 1ULL)));
	bool signal = q->notify == CR_MQ_NOTIFY_SIGNAL;

	if (r->pipe || r->pos || r->mode & ~0777U ||
	    r->flags & ~(CR_O_ACCMODE | CR_O_NONBLOCK) || (r->flags & CR_O_ACCMODE) == 3)
		return "a message queue with a pipe, position, type or open flags";
	if (!q->maxmsg || q->maxmsg > CR_MQ_MAXMSG_MAX || !q->msgsize ||
	    q->msgsize > CR_MQ_MSGSIZE_MAX || q->nr_msgs > q->maxmsg)
		return "a message queue with bad attributes, or more messages than it holds";
	/* a signal with CR_MQ_NOTIFY_SIGNAL, and only then */
	if (q->notify > CR_MQ_NOTIFY_SIGNAL || q->notify_signo > CR_NSIG ||
	    !q->notify_signo == signal ||
	    (q->notify == CR_MQ_NOTIFY_NONE && (q->notify_task || q->notify_value)))
		return "a message queue with a bad notification";
	if (q->msgs_len < (__u64)q->nr_msgs * sizeof(struct cr_mq_msg) || q->msgs_len > most)
		return "a message queue whose messages and bytes disagree";
	if (!cr_mq_name_ok(cr_file_path(r), r->path_len))
		return "a message queue with a bad name";
	return NULL;
}

/**
 * cr_check_mq_msg() - check the head of a message of a POSIX message queue
 * @m: the head; its bytes follow, padded to CR_ALIGN
 * @msgsize: the queue's mq_msgsize
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_mq_msg(const struct cr_mq_msg *m, __u32 msgsize)
{
	if (m->prio >= CR_MQ_PRIO_MAX || m->len > msgsize)
		return "message queue: a message of a bad priority or length";
	return NULL;
}

/**
 * cr_check_file_event() - check the state of an event file
 * @kind: its file record's kind, an event file's
 * @e: the state
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_file_event(__u32 kind, const struct cr_file_event *e)
{
	const __u64 kill_stop = (1ULL << (CR_SIGKILL - 1)) | (1ULL << (CR_SIGSTOP - 1));

	switch (kind) {
	case CR_FILE_EVENTFD:
		if (e->flags & ~CR_EVENT_SEMAPHORE || e->count == ~0ULL)
			return "eventfd: unknown flags, or a counter of 2^64 - 1";
		if (e->clockid || e->mask || e->value_ns || e->interval_ns)
			return "eventfd: timer or signal fields";
		return NULL;
	case CR_FILE_SIGNALFD:
		if (e->flags || e->clockid || e->count || e->value_ns || e->interval_ns)
			return "signalfd: flags, counter or timer fields";
		if (e->mask & kill_stop)
			return "signalfd: SIGKILL or SIGSTOP in its mask";
		return NULL;
	default:
		if (e->flags & ~(CR_EVENT_ABSTIME | CR_EVENT_CANCEL_ON_SET) || e->mask)
			return "timerfd: unknown flags, or a signal mask";
		if (e->clockid != CR_CLOCK_REALTIME && e->clockid != CR_CLOCK_MONOTONIC &&
		    e->clockid != CR_CLOCK_BOOTTIME && e->clockid != CR_CLOCK_REALTIME_ALARM &&
		    e->clockid != CR_CLOCK_BOOTTIME_ALARM)
			return "timerfd: a clock timerfd_create(2) does not take";
		if (e->value_ns < 0 || e->interval_ns < 0)
			return "timerfd: a negative time";
		return NULL;
	}
}

/* Is any of the @len bytes at @p not zero? */
static inline bool cr_nonzero(const __u8 *p, __u32 len)
{
	__u32 i;

	for (i = 0; i < len; i++)
		if (p[i])
			return true;
	return false;
}

/**
 * struct cr_mq_scan - how far a check of the messages of a POSIX message
 *	queue went, their file data given piece by piece to cr_mq_scan()
 * @head: the head of the message it is in
 * @have: the bytes of @head so far
 * @body: the bytes of its message (then of their padding) still to come
 * @padding: the bytes of padding after them
 * @nr: the messages seen whole
 */
struct cr_mq_scan {
	struct cr_mq_msg head;
	__u32 have;
	__u32 body;
	__u32 padding;
	__u32 nr;
};

/**
 * cr_mq_scan() - check the next bytes of the messages of a message queue
 * @s: where the check is, zeroed before the first bytes
 * @p: the bytes
 * @len: how many
 * @msgsize: the queue's mq_msgsize
 *
 * Once all came, @s->nr must be the queue's nr_msgs and @s->have,
 * @s->body and @s->padding zero (no message cut short).
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_mq_scan(struct cr_mq_scan *s, const __u8 *p, __u64 len,
				     __u32 msgsize)
{
	const char *why;
	__u64 n;

	while (len) {
		if (s->body) {
			n = s->body < len ? s->body : len;
			s->body -= n;
		} else if (s->padding) {
			n = s->padding < len ? s->padding : len;
			if (cr_nonzero(p, n))
				return "message queue: padding that is not zero";
			s->padding -= n;
		} else {
			n = sizeof(s->head) - s->have < len ? sizeof(s->head) - s->have : len;
			__builtin_memcpy((__u8 *)&s->head + s->have, p, n);
			s->have += n;
			if (s->have == sizeof(s->head)) {
				why = cr_check_mq_msg(&s->head, msgsize);
				if (why)
					return why;
				s->have = 0;
				s->body = s->head.len;
				s->padding = -s->head.len & (CR_ALIGN - 1);
			}
		}
		p += n;
		len -= n;
		if (!s->have && !s->body && !s->padding)
			s->nr++;
	}
	return NULL;
}

/*
 * Is the unix socket name of @len bytes at @a one restart binds or connects
 * to: an abstract name (a NUL first), or an absolute path, NUL-terminated,
 * with no NUL inside?
 */
static inline bool cr_unix_name_ok(const __u8 *a, __u32 len)
{
	__u32 i;

	if (!len || !a[0])
		return true;
	if (a[0] != '/' || a[len - 1])
		return false;
	for (i = 1; i < len - 1; i++)
		if (!a[i])
			return false;
	return true;
}

/**
 * cr_check_file_socket() - check the state of a socket
 * @s: the state, after a CR_FILE_SOCKET file record
 *
 * The reader checks that a pair's ends come in order, one of each, of the
 * same type.
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_file_socket(const struct cr_file_socket *s)
{
	bool pair = s->state == CR_SOCK_PAIR;
	bool inet = s->family == CR_AF_INET || s->family == CR_AF_INET6;
	__u32 i;

	if (s->family != CR_AF_UNIX && !inet)
		return "socket: a family restart does not make";
	if (inet ? !((s->type == CR_SOCK_STREAM && s->protocol == CR_IPPROTO_TCP) ||
		     (s->type == CR_SOCK_DGRAM && s->protocol == CR_IPPROTO_UDP)) :
		   (s->protocol || (s->type != CR_SOCK_STREAM && s->type != CR_SOCK_DGRAM &&
				    s->type != CR_SOCK_SEQPACKET)))
		return "socket: a type or protocol restart does not make";
	if (!s->state || s->state > CR_SOCK_STATE_MAX || s->flags & ~CR_SOCK_FLAGS ||
	    s->shutdown & ~(CR_SOCK_SHUT_RD | CR_SOCK_SHUT_WR) || s->err > 4095)
		return "socket: bad state, flags, shutdown or error";
	if (pair != !!s->pair || s->end > pair)
		return "socket: a pair number or end without a pair";
	if (!s->rcvlowat || s->rcvlowat > 0x7fffffff || s->peek_off < -1 ||
	    s->sndbuf > 0x7fffffff || s->rcvbuf > 0x7fffffff ||
	    (!(s->flags & CR_SOCK_SNDBUF) && s->sndbuf) ||
	    (!(s->flags & CR_SOCK_RCVBUF) && s->rcvbuf))
		return "socket: bad buffer size, low mark or peek offset";
	if (s->rcvtimeo_ns < 0 || s->sndtimeo_ns < 0)
		return "socket: a negative timeout";
	/* queued on a unix socket of a pair, a TCP connection, a bound UDP socket */
	if (s->queued > CR_SOCK_QUEUE_MAX || s->outq > CR_SOCK_QUEUE_MAX - s->queued ||
	    (s->queued && ((s->state == CR_SOCK_LISTEN && inet) ||
			   (s->state == CR_SOCK_NEW &&
			    (!inet || s->protocol != CR_IPPROTO_UDP ||
			     !(s->inet_flags & CR_INET_BOUND))))))
		return "socket: queued bytes it cannot have";
	if ((s->protocol != CR_IPPROTO_TCP &&
	     (s->keepidle || s->keepintvl || s->keepcnt || s->user_timeout || s->notsent_lowat ||
	      s->defer_accept || s->congestion[0])) ||
	    s->keepidle > CR_TCP_KEEPIDLE_MAX || s->keepintvl > CR_TCP_KEEPINTVL_MAX ||
	    s->keepcnt > CR_TCP_KEEPCNT_MAX || s->user_timeout > 0x7fffffff ||
	    s->notsent_lowat > 0x7fffffff || s->defer_accept > 0x7fffffff ||
	    s->congestion[CR_TCP_CA_NAME_MAX - 1])
		return "socket: TCP options out of range, or on another socket";
	for (i = 0; i < CR_TCP_CA_NAME_MAX && s->congestion[i]; i++)
		;
	for (; i < CR_TCP_CA_NAME_MAX; i++)
		if (s->congestion[i])
			return "socket: bytes after its congestion control's name";
	if (s->state != CR_SOCK_TCP &&
	    (s->tcp_flags || s->mss || s->snd_wscale || s->rcv_wscale || s->timestamp ||
	     s->snd_seq || s->rcv_seq || s->outq || s->snd_wl1 || s->snd_wnd ||
	     s->max_window || s->rcv_wnd || s->rcv_wup))
		return "socket: TCP connection fields on another socket";
	if (s->peer_len > CR_UNIX_PATH_MAX ||
	    (s->peer_len && (inet || s->type != CR_SOCK_DGRAM || s->state != CR_SOCK_NEW ||
			     !cr_unix_name_ok(s->peer_addr, s->peer_len))))
		return "socket: connected to a name, but no unix datagram socket or a bad name";
	for (i = s->peer_len; i < CR_UNIX_ADDR_MAX; i++)
		if (s->peer_addr[i])
			return "socket: bytes after the name it is connected to";
	if ((s->state == CR_SOCK_LISTEN && s->type == CR_SOCK_DGRAM) ||
	    (s->state != CR_SOCK_LISTEN && s->backlog))
		return "socket: a bad backlog";
	/*
	 * a unix socket's abstract name, or an absolute path (an accepted
	 * socket's listener's may be relative), NUL-terminated
	 */
	if (s->addr_len > CR_UNIX_PATH_MAX ||
	    (s->addr_len && s->addr[0] &&
	     ((s->addr[0] != '/' && !(s->flags & CR_SOCK_ACCEPTED)) ||
	      s->addr[s->addr_len - 1])) ||
	    (!inet && s->state == CR_SOCK_LISTEN && !s->addr_len))
		return "socket: a bad unix address";
	if (s->flags & CR_SOCK_ACCEPTED &&
	    (inet || s->type == CR_SOCK_DGRAM || !s->addr_len ||
	     (s->state != CR_SOCK_PAIR && s->state != CR_SOCK_ORPHAN)))
		return "socket: accepted, but no connected unix stream with an address";
	if (s->flags & CR_SOCK_PENDING &&
	    (inet || s->type == CR_SOCK_DGRAM || s->state != CR_SOCK_PAIR ||
	     s->flags & CR_SOCK_ACCEPTED || s->queued))
		return "socket: pending, but no unix stream client with nothing queued";
	for (i = 1; s->addr_len && s->addr[0] && i < s->addr_len - 1U; i++)
		if (!s->addr[i])
			return "socket: a unix path with a NUL inside";
	for (i = s->addr_len; i < CR_UNIX_ADDR_MAX; i++)
		if (s->addr[i])
			return "socket: bytes after its address";
	if (!inet)
		return s->state == CR_SOCK_TCP || s->inet_flags || s->lport || s->rport ||
		       s->__reserved ||
		       cr_nonzero(s->laddr, sizeof(s->laddr)) ||
		       cr_nonzero(s->raddr, sizeof(s->raddr)) ?
		       "socket: INET fields on a unix socket" : NULL;
	/* an INET socket: unconnected (UDP connected too), listening or a TCP connection */
	if (s->state != CR_SOCK_NEW && s->state != CR_SOCK_LISTEN && s->state != CR_SOCK_TCP)
		return "socket: an INET socket in a state restart does not make";
	if (s->state == CR_SOCK_TCP &&
	    (s->protocol != CR_IPPROTO_TCP || s->tcp_flags & ~CR_TCP_FLAGS || !s->mss ||
	     (s->inet_flags & (CR_INET_BOUND | CR_INET_CONNECTED)) !=
	     (CR_INET_BOUND | CR_INET_CONNECTED) || !s->lport ||
	     s->snd_wscale > CR_TCP_MAX_WSCALE || s->rcv_wscale > CR_TCP_MAX_WSCALE ||
	     (!(s->tcp_flags & CR_TCP_WSCALE) && (s->snd_wscale || s->rcv_wscale)) ||
	     (!(s->tcp_flags & CR_TCP_TSTAMP) && s->timestamp) ||
	     s->max_window < s->snd_wnd))
		return "socket: a TCP connection with bad options, addresses or window";
	if (s->addr_len || s->shutdown || s->peer != CR_TREE_OUTSIDE || s->__reserved ||
	    s->inet_flags & ~CR_INET_FLAGS)
		return "socket: unix fields or unknown flags on an INET socket";
	if ((s->inet_flags & CR_INET_CONNECTED &&
	     ((s->protocol != CR_IPPROTO_UDP && s->state != CR_SOCK_TCP) ||
	      !(s->inet_flags & CR_INET_BOUND) || !s->rport)) ||
	    (!(s->inet_flags & CR_INET_CONNECTED) &&
	     (s->rport || cr_nonzero(s->raddr, sizeof(s->raddr)))) ||
	    (s->state == CR_SOCK_LISTEN && !(s->inet_flags & CR_INET_BOUND)) ||
	    (!(s->inet_flags & CR_INET_BOUND) &&
	     (s->lport || cr_nonzero(s->laddr, sizeof(s->laddr)))) ||
	    (s->family == CR_AF_INET && (cr_nonzero(s->laddr + 4, 12) ||
					 cr_nonzero(s->raddr + 4, 12))) ||
	    (s->family == CR_AF_INET && s->inet_flags & CR_INET_V6ONLY) ||
	    (s->protocol == CR_IPPROTO_UDP && s->inet_flags & (CR_INET_NODELAY | CR_INET_CORK)) ||
	    (s->protocol != CR_IPPROTO_UDP && s->inet_flags & CR_INET_PKTINFO))
		return "socket: an INET address, port or option it cannot have";
	return NULL;
}

/* What a socket's queued messages are (cr_check_sock_queue()). */
enum cr_sock_queue_kind {
	CR_QUEUE_STREAM,	/* pieces of a byte stream */
	CR_QUEUE_DGRAM,		/* unix datagrams or packets, with their boundaries */
	CR_QUEUE_UDP4,		/* UDP datagrams, each with its IPv4 source */
	CR_QUEUE_UDP6,		/* UDP datagrams, each with its IPv6 (or v4-mapped) source */
	CR_QUEUE_CONNS,		/* a unix stream listener's connections, with their bytes */
	CR_QUEUE_CONNS_PKT,	/* a unix seqpacket listener's, with their packets */
};

/**
 * cr_sock_queue_kind() - what the queued messages of a socket are
 * @s: the socket's state, checked by cr_check_file()
 *
 * Return: an enum cr_sock_queue_kind.
 */
static inline int cr_sock_queue_kind(const struct cr_file_socket *s)
{
	if (s->family != CR_AF_UNIX && s->protocol == CR_IPPROTO_UDP)
		return s->family == CR_AF_INET ? CR_QUEUE_UDP4 : CR_QUEUE_UDP6;
	if (s->state == CR_SOCK_LISTEN)
		return s->type == CR_SOCK_STREAM ? CR_QUEUE_CONNS : CR_QUEUE_CONNS_PKT;
	return s->type == CR_SOCK_STREAM ? CR_QUEUE_STREAM : CR_QUEUE_DGRAM;
}

/* Is the header of message @m right for a socket whose messages are @kind? */
static inline const char *cr_check_sock_msg(const struct cr_sock_msg *m, int kind)
{
	bool udp = kind == CR_QUEUE_UDP4 || kind == CR_QUEUE_UDP6;
	bool conns = kind == CR_QUEUE_CONNS || kind == CR_QUEUE_CONNS_PKT;

	if (m->flags & ~CR_SOCK_MSG_CONN || (m->flags && !conns))
		return "socket queue: a connection on a socket that does not listen";
	if (m->flags ? m->len || m->uid != CR_SOCK_NO_ID || m->gid != CR_SOCK_NO_ID : m->pair)
		return "socket queue: a connection with bytes or credentials, or a pair number";
	if (!udp)
		return m->port || cr_nonzero(m->addr, sizeof(m->addr)) ?
		       "socket queue: a source address on a message of no UDP socket" : NULL;
	if (m->uid != CR_SOCK_NO_ID || m->gid != CR_SOCK_NO_ID || m->sender != CR_TREE_OUTSIDE ||
	    (kind == CR_QUEUE_UDP4 && cr_nonzero(m->addr + 4, sizeof(m->addr) - 4)))
		return "socket queue: a UDP datagram with credentials or a bad source";
	return NULL;
}

/**
 * cr_check_sock_queue() - check a socket queue record by itself
 * @r: the record's fixed part
 * @len: the record's payload length
 * @objref: the objref it must name: its socket's
 * @kind: what its messages are: cr_sock_queue_kind() of the socket
 * @left: the socket's queued bytes not in a record before; lowered by this
 *	record's bytes
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_sock_queue(const struct cr_rec_sock_queue *r, __u32 len,
					      __u32 objref, int kind, __u64 *left)
{
	const char *p = (const char *)(r + 1), *end = p + (len - sizeof(*r));
	const struct cr_sock_msg *m;
	const char *why;
	__u32 i;

	if (r->objref != objref)
		return "socket queue: not of the socket before it";
	if (!r->nr)
		return "socket queue: no message";
	for (i = 0; i < r->nr; i++) {
		m = (const struct cr_sock_msg *)p;
		if ((__u64)(end - p) < sizeof(*m))
			return "socket queue: messages past its end";
		if (m->len > CR_SOCK_MSG_MAX || m->len > *left ||
		    (!m->len && (kind == CR_QUEUE_STREAM ||
				 (kind == CR_QUEUE_CONNS && !m->flags))))
			return "socket queue: a message of a bad length";
		why = cr_check_sock_msg(m, kind);
		if (why)
			return why;
		p += sizeof(*m);
		if ((__u64)(end - p) < ((m->len + 7ULL) & ~7ULL))
			return "socket queue: messages past its end";
		p += (m->len + 7ULL) & ~7ULL;
		*left -= m->len;
	}
	if (p != end)
		return "socket queue: bytes after its messages";
	return NULL;
}

/**
 * cr_check_file() - check a file record by itself
 * @r: the record's fixed part
 * @len: the record's payload length
 * @objref: the objref it must have: one more than the file before it
 *
 * The reader checks what the record names (the pipe record of a pipe end
 * or a FIFO, an end taken twice); the path or key that follows is checked
 * with cr_check_string().
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_file(const struct cr_rec_file *r, __u32 len, __u32 objref)
{
	bool event = cr_file_is_event(r->kind), content = cr_file_has_content(r->kind);
	const struct cr_file_content *m = (const struct cr_file_content *)(r + 1);
	bool sock = r->kind == CR_FILE_SOCKET, pidfd = r->kind == CR_FILE_PIDFD;
	bool inotify = r->kind == CR_FILE_INOTIFY, mqueue = r->kind == CR_FILE_MQUEUE;
	__u32 acc = r->flags & CR_O_ACCMODE;

	if (r->objref != objref)
		return "objref out of sequence";
	if (len != sizeof(*r) + (__u64)r->path_len + (event ? sizeof(struct cr_file_event) : 0) +
		   (content ? sizeof(*m) : 0) + (sock ? sizeof(struct cr_file_socket) : 0) +
		   (pidfd ? sizeof(struct cr_file_pidfd) : 0) +
		   (inotify ? sizeof(struct cr_file_inotify) : 0) +
		   (mqueue ? sizeof(struct cr_file_mqueue) : 0))
		return "length and path_len disagree";
	if (r->flags & ~CR_FILE_FLAGS || !r->kind || r->kind > CR_FILE_KIND_MAX || r->pos < 0)
		return "bad flags, kind or position";
	/* a path (or a key) for every kind but pipe ends, sockets, pidfds, event, epoll files */
	if (!(r->kind == CR_FILE_PIPE || r->kind == CR_FILE_EPOLL || event || sock || pidfd ||
	      inotify) != !!r->path_len || r->path_len > CR_PATH_MAX)
		return "path and kind disagree";
	if (mqueue)
		return cr_check_file_mqueue(r);
	if (inotify) {
		const struct cr_file_inotify *n = (const struct cr_file_inotify *)(r + 1);

		if (r->pipe || r->pos || r->mode || r->flags & ~CR_O_NONBLOCK)
			return "an inotify file with a pipe, position, mode or open flags";
		if (n->nr_watches > CR_INOTIFY_WATCHES_MAX || n->next_wd < 0 ||
		    n->events_len > CR_INOTIFY_EVENTS_MAX)
			return "an inotify file with too many watches or events, or a bad next wd";
		return NULL;
	}
	if (pidfd) {
		const struct cr_file_pidfd *p = (const struct cr_file_pidfd *)(r + 1);

		if (r->pipe || r->pos || r->mode ||
		    r->flags != (CR_O_RDWR | (r->flags & CR_O_NONBLOCK)) ||
		    p->flags & ~CR_PIDFD_THREAD)
			return "a pidfd with a pipe, position, mode, open flags or unknown flags";
		return NULL;
	}
	if (sock) {
		if (r->pipe || r->pos || r->mode ||
		    r->flags != (CR_O_RDWR | (r->flags & CR_O_NONBLOCK)))
			return "a socket with a pipe, position, mode or open flags";
		return cr_check_file_socket((const struct cr_file_socket *)(r + 1));
	}
	if (event || r->kind == CR_FILE_EPOLL) {
		if (r->pipe || r->pos || r->mode || r->flags & ~(CR_O_ACCMODE | CR_O_NONBLOCK))
			return "an event or epoll file with a pipe, position, mode or open flags";
		return event ? cr_check_file_event(r->kind, (const struct cr_file_event *)(r + 1)) :
		       NULL;
	}
	if (r->kind == CR_FILE_DELETED) {
		if (r->pipe || r->mode & ~07777U || m->size > CR_CONTENT_MAX || m->seals ||
		    m->__reserved)
			return "a deleted file with a pipe, a type, a size or seals it cannot have";
		return NULL;
	}
	if (r->kind == CR_FILE_MEMFD) {
		if (r->pipe || r->mode & ~0777U || m->size > CR_CONTENT_MAX ||
		    m->seals & ~CR_F_SEALS || m->__reserved ||
		    r->path_len > CR_MEMFD_NAME_MAX + 1)
			return "a memfd with a pipe, a type, a size, seals or a name too long";
		return NULL;
	}
	if (r->kind == CR_FILE_PIPE) {
		/* O_DIRECT: packet mode */
		if (!r->pipe || r->flags & ~(CR_O_ACCMODE | CR_O_NONBLOCK | CR_O_DIRECT) || acc > 2)
			return "bad pipe end";
	} else if (r->kind == CR_FILE_FIFO) {
		if (!r->pipe || r->pos)
			return "FIFO without its pipe record, or with a position";
	} else if (r->pipe) {
		return "a pipe objref on a file that is no pipe";
	}
	return NULL;
}

/**
 * cr_check_epoll() - check an epoll record by itself
 * @r: the record's fixed part
 * @len: the record's payload length
 * @nr_objs: file records before it
 *
 * The reader checks that @r->objref is an epoll file's and that each item's
 * fd holds its file in the process.
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_epoll(const struct cr_rec_epoll *r, __u32 len, __u32 nr_objs)
{
	const struct cr_epoll_item *it = (const struct cr_epoll_item *)(r + 1);
		const __u32 events = CR_EPOLL_EVENTS;
	__u32 i;

	if (r->nr > CR_EPOLL_MAX || len != sizeof(*r) + (__u64)r->nr * sizeof(*it))
		return "bad item count";
	if (!r->objref || r->objref > nr_objs)
		return "objref names no earlier file record";
	for (i = 0; i < r->nr; i++) {
		if (!it[i].objref || it[i].objref > nr_objs || it[i].objref == r->objref)
			return "an item names no earlier file record, or its epoll file";
		if (it[i].events & ~events || it[i].__reserved)
			return "an item with unknown events";
		if (i && it[i].fd <= it[i - 1].fd)
			return "items out of order";
	}
	return NULL;
}

/**
 * cr_check_file_data() - check a file data record by itself
 * @r: the record's fixed part
 * @len: the record's payload length
 * @objref: the objref of the memfd or deleted file before it
 * @next: the lowest offset it may have
 * @size: the memfd's size
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_file_data(const struct cr_rec_file_data *r, __u32 len,
					     __u32 objref, __u64 next, __u64 size)
{
	if (len <= sizeof(*r) || r->__reserved)
		return "no bytes, or reserved bits";
	if (!objref || r->objref != objref)
		return "not right after its file's record";
	if (r->offset < next || r->offset > size || len - sizeof(*r) > size - r->offset)
		return "overlapping, out of order, or beyond the file's size";
	return NULL;
}

/**
 * cr_check_inotify() - check an inotify record by itself
 * @r: the record's fixed part
 * @len: the record's payload length
 * @objref: the objref of the inotify file before it
 * @prev_wd: the descriptor of the watch before it (0 for the first)
 *
 * The path that follows, absolute, is checked with cr_check_string().
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_inotify(const struct cr_rec_inotify *r, __u32 len,
					   __u32 objref, __s32 prev_wd)
{
	if (!objref || r->objref != objref)
		return "inotify watch: not after its file's record";
	if (len != sizeof(*r) + (__u64)r->path_len || !r->path_len || r->path_len > CR_PATH_MAX)
		return "inotify watch: length and path_len disagree";
	if (((const char *)(r + 1))[0] != '/')
		return "inotify watch: a path that is not absolute";
	if (r->wd <= prev_wd)
		return "inotify watch: descriptors out of order";
	if (r->mask & ~CR_INOTIFY_MASK)
		return "inotify watch: unknown events or flags";
	return NULL;
}

/**
 * cr_check_inotify_events() - check the queued events of an inotify file
 * @p: its events, as read(2) returns them
 * @len: their bytes
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_inotify_events(const void *p, __u64 len)
{
	const struct cr_inotify_event *ev;
	const char *name;
	__u64 off = 0;

	while (off < len) {
		if (len - off < sizeof(*ev))
			return "inotify events: an event past their end";
		ev = (const struct cr_inotify_event *)((const char *)p + off);
		off += sizeof(*ev);
		name = (const char *)(ev + 1);
		if (ev->len % sizeof(*ev) || ev->len > len - off ||
		    (ev->len && name[ev->len - 1]))
			return "inotify events: a name of a bad length";
		if (ev->mask & ~CR_INOTIFY_EVENT_MASK || !ev->mask ||
		    (ev->mask & CR_IN_Q_OVERFLOW && (ev->mask != CR_IN_Q_OVERFLOW || ev->wd != -1 ||
						      ev->len || off != len)))
			return "inotify events: a bad mask, or an overflow event not last";
		off += ev->len;
	}
	return NULL;
}

/**
 * cr_check_fd() - check an fd record
 * @r: the record
 * @nr_objs: file records before it
 * @prev: the fd record before it, or NULL for the first
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_fd(const struct cr_rec_fd *r, __u32 nr_objs,
				      const struct cr_rec_fd *prev)
{
	if (!r->objref || r->objref > nr_objs)
		return "objref names no earlier file record";
	if (r->flags & ~CR_FD_CLOEXEC || r->__reserved)
		return "unknown flags";
	if (prev && r->fd <= prev->fd)
		return "fd not above the one before";
	return NULL;
}

/**
 * cr_check_fs() - check an fs record
 * @r: the record's fixed part
 * @len: the record's payload length
 *
 * The working directory that follows is checked with cr_check_string().
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_fs(const struct cr_rec_fs *r, __u32 len)
{
	if (r->umask & ~CR_UMASK_BITS)
		return "bad umask";
	if (len != sizeof(*r) + (__u64)r->cwd_len)
		return "length and cwd_len disagree";
	return NULL;
}

/* Pending signals: @shared says for the process (1) or the thread (0); @pend may be NULL. */
static inline const char *cr_check_pending(const struct cr_siginfo *pend, __u32 nr,
					   __u32 shared)
{
	__u32 i;

	for (i = 0; pend && i < nr; i++) {
		__s32 signo;

		__builtin_memcpy(&signo, pend[i].info, sizeof(signo));
		if (!pend[i].sig || pend[i].sig > CR_NSIG || pend[i].shared != shared ||
		    pend[i].sig == CR_SIGKILL || pend[i].sig == CR_SIGSTOP ||
		    signo != (__s32)pend[i].sig)
			return "bad pending signal";
	}
	return NULL;
}

/**
 * cr_check_signals() - check a signals record (a process's)
 * @r: the record's fixed part
 * @len: the record's payload length
 * @pend: the pending signals that follow, r->nr_pending of them; NULL to
 *	check the fixed part only
 * @l: the machine
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_signals(const struct cr_rec_signals *r, __u32 len,
					   const struct cr_siginfo *pend, const struct cr_limits *l)
{
	const __u64 top = l->task_size;
	__u32 i;

	if (r->nr_pending > CR_MAX_PENDING ||
	    len != sizeof(*r) + (__u64)r->nr_pending * sizeof(*pend))
		return "length and nr_pending disagree";
	if (r->flags & ~CR_SIGNALS_SUBREAPER || r->__reserved)
		return "bad flags";
	if (r->oom_score_adj < CR_OOM_SCORE_ADJ_MIN || r->oom_score_adj > CR_OOM_SCORE_ADJ_MAX)
		return "oom_score_adj out of range";
	for (i = 0; i < CR_NSIG; i++) {
		const struct cr_sigaction *a = &r->action[i];

		if ((a->handler > 1 && a->handler >= top) || a->restorer >= top ||
		    a->flags & ~CR_SA_FLAGS)
			return "bad handler, restorer or flags";
		/* SIGKILL and SIGSTOP cannot be caught or ignored */
		if ((i + 1 == CR_SIGKILL || i + 1 == CR_SIGSTOP) && (a->handler || a->flags))
			return "SIGKILL or SIGSTOP caught or ignored";
	}
	for (i = 0; i < 3; i++)
		if (r->itimer[i].value_ns > CR_KTIME_MAX || r->itimer[i].interval_ns > CR_KTIME_MAX)
			return "interval timer beyond KTIME_MAX";
	for (i = 0; i < CR_RLIM_NLIMITS; i++)
		if (r->rlim[i].cur > r->rlim[i].max)
			return "soft limit above the hard one";
	return cr_check_pending(pend, r->nr_pending, 1);
}

/**
 * cr_check_sigstate() - check a sigstate record (a thread's)
 * @r: the record's fixed part
 * @len: the record's payload length
 * @pend: the pending signals that follow, r->nr_pending of them; NULL to
 *	check the fixed part only
 * @l: the machine
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_sigstate(const struct cr_rec_sigstate *r, __u32 len,
					    const struct cr_siginfo *pend,
					    const struct cr_limits *l)
{
	const __u64 top = l->task_size;

	if (r->nr_pending > CR_MAX_PENDING ||
	    len != sizeof(*r) + (__u64)r->nr_pending * sizeof(*pend))
		return "length and nr_pending disagree";
	if (r->flags & ~CR_SIGSTATE_SAVED_MASK || r->__reserved ||
	    (!(r->flags & CR_SIGSTATE_SAVED_MASK) && r->saved_blocked))
		return "bad flags or saved mask";
	if (r->sas_flags == CR_SS_DISABLE) {
		if (r->sas_sp || r->sas_size)
			return "disabled alternate stack with a base or size";
	} else if (r->sas_flags & ~CR_SS_AUTODISARM || r->sas_size < CR_MINSIGSTKSZ ||
		   r->sas_sp >= top || r->sas_size > top - r->sas_sp) {
		return "bad alternate stack";
	}
	return cr_check_pending(pend, r->nr_pending, 0);
}

/*
 * Is @c a status wait(2) may report for a zombie: an exit status times 256,
 * or a signal number (plus 0x80 for a core dump)?
 */
static inline int cr_exit_code_ok(__u32 c)
{
	if (c & 0x7f)
		return c <= 0xff && (c & 0x7f) <= CR_NSIG;
	return c <= 0xff00 && !(c & 0xff);
}

/* Is @idx a valid index for task @i: an earlier task, or @i itself? */
static inline int cr_tree_idx_ok(__u32 idx, __u32 i)
{
	return idx <= i;
}

/* Is task @i of @tasks a process with sections: a leader, not a zombie? */
static inline int cr_tree_is_proc(const struct cr_tree_task *tasks, __u32 i)
{
	return tasks[i].leader == i && !(tasks[i].flags & CR_TREE_ZOMBIE);
}

/*
 * A host or domain name of a tree record: with @set, NUL-terminated within
 * CR_UTS_NAME_MAX + 1 bytes, zeros after; without, all zeros.  True if bad.
 */
static inline bool cr_check_uts(const char *name, bool set)
{
	__u32 i, end = 0;

	while (set && end <= CR_UTS_NAME_MAX && name[end])
		end++;
	if (end > CR_UTS_NAME_MAX)
		return true;
	for (i = end; i < CR_UTS_LEN; i++)
		if (name[i])
			return true;
	return false;
}

/**
 * cr_check_ipc_limits() - check the limits of an IPC namespace
 * @l: the limits
 * @set: they are the tree's (CR_TREE_IPCNS); else all zeros
 *
 * The ranges the sysctls take (ipc/ipc_sysctl.c, ipc/mq_sysctl.c), with
 * IPCMNI ids of a kind.
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_ipc_limits(const struct cr_ipc_limits *l, bool set)
{
	const unsigned char *b = (const unsigned char *)l;
	__u32 i;

	if (!set) {
		for (i = 0; i < sizeof(*l); i++)
			if (b[i])
				return "limits without an IPC namespace";
		return NULL;
	}
	if (l->shmmni > CR_IPC_MNI || l->shm_rmid_forced > 1 || l->msgmax > CR_IPC_INT_MAX ||
	    l->msgmnb > CR_IPC_INT_MAX || l->msgmni > CR_IPC_MNI)
		return "a shm or msg limit out of range";
	if (l->sem[0] < 0 || l->sem[1] < 0 || l->sem[2] < 0 || l->sem[3] < 0 ||
	    l->sem[3] > CR_IPC_MNI)
		return "a sem limit out of range";
	if (l->mq_queues_max > CR_IPC_INT_MAX ||
	    !l->mq_msg_max || l->mq_msg_max > CR_MQ_MAXMSG_MAX ||
	    !l->mq_msg_default || l->mq_msg_default > CR_MQ_MAXMSG_MAX ||
	    l->mq_msgsize_max < CR_MQ_MSGSIZE_MIN || l->mq_msgsize_max > CR_MQ_MSGSIZE_MAX ||
	    l->mq_msgsize_default < CR_MQ_MSGSIZE_MIN ||
	    l->mq_msgsize_default > CR_MQ_MSGSIZE_MAX)
		return "a POSIX message queue limit out of range";
	return NULL;
}

/**
 * cr_check_tree() - check a tree record's task @i against those before it
 * @r: the record's fixed part
 * @len: the record's payload length
 * @tasks: its tasks; NULL to check only the length and counts
 * @i: the task to check, with 0..@i - 1 found valid
 *
 * The whole tree is valid when each task is, in order, and when the
 * leaders that are not zombies number r->nr_procs (cr_tree_is_proc()).
 * A process's threads follow its leader; a leader's parent, group leader
 * and session leader come before it (or are itself).  A zombie is a
 * leader without threads or children, not the root.  A session leader
 * leads its group too; a group lies in one session; a process that does
 * not lead its session is in its parent's, as fork() leaves it (the root
 * excepted: its parent is outside); a group or session inside the image
 * holds no process of one outside it.  With CR_TREE_PIDNS every task has
 * a pid in the root's namespace, 1 for the root alone.  Readers check
 * also that no pid (or nspid) is there twice.
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_tree(const struct cr_rec_tree *r, __u32 len,
					const struct cr_tree_task *tasks, __u32 i)
{
	const struct cr_tree_task *t = &tasks[i], *l;

	if (!r->nr_tasks || r->nr_tasks > CR_TREE_MAX || !r->nr_procs ||
	    r->nr_procs > r->nr_tasks ||
	    len != sizeof(*r) + (__u64)r->nr_tasks * sizeof(*tasks))
		return "bad task or process count";
	if (r->flags & ~(CR_TREE_PIDNS | CR_TREE_UTSNS | CR_TREE_IPCNS))
		return "bad flags";
	if (r->flags & CR_TREE_IPCNS ? r->nr_ipc > 2 * CR_IPC_MNI : r->nr_ipc)
		return "bad number of IPC objects";
	if (cr_check_uts(r->nodename, r->flags & CR_TREE_UTSNS) ||
	    cr_check_uts(r->domainname, r->flags & CR_TREE_UTSNS))
		return "bad host or domain name";
	if (cr_check_ipc_limits(&r->ipc, r->flags & CR_TREE_IPCNS))
		return "bad IPC namespace limits";
	if (!tasks)
		return NULL;
	if (t->__reserved ||
	    (r->flags & CR_TREE_PIDNS ? t->nspid <= 0 || !i != !(t->nspid - 1) : t->nspid))
		return "bad pid in the tree's pid namespace";
	if (t->pid <= 0 || t->flags & ~CR_TREE_ZOMBIE ||
	    (t->flags & CR_TREE_ZOMBIE ? !cr_exit_code_ok(t->exit_code) : t->exit_code))
		return "bad pid, flags or exit status";
	if (!cr_tree_idx_ok(t->leader, i))
		return "a leader after its thread";
	if ((t->flags & CR_TREE_ZOMBIE) && (!i || t->leader != i))
		return "a zombie root or thread";
	if (t->leader != i) {
		/* a thread: after its leader or another of its threads */
		l = &tasks[t->leader];
		if (l->flags & CR_TREE_ZOMBIE)
			return "a thread of a zombie";
		if (l->leader != t->leader || tasks[i - 1].leader != t->leader ||
		    t->parent != t->leader || t->exit_signal != -1 || t->pgrp != l->pgrp ||
		    t->session != l->session)
			return "a thread out of its process";
		return NULL;
	}
	if (t->exit_signal < 0 || t->exit_signal > CR_NSIG || t->exit_signal == CR_SIGKILL ||
	    t->exit_signal == CR_SIGSTOP)
		return "bad exit signal";
	if (!i ? t->parent != CR_TREE_OUTSIDE : t->parent >= i)
		return "the root with a parent, or a parent after its child";
	if (i && tasks[t->parent].flags & CR_TREE_ZOMBIE)
		return "the child of a zombie";
	if ((t->pgrp != CR_TREE_OUTSIDE && !cr_tree_idx_ok(t->pgrp, i)) ||
	    (t->session != CR_TREE_OUTSIDE && !cr_tree_idx_ok(t->session, i)))
		return "a group or session leader after its member";
	/* leaders of groups and sessions are leaders of processes */
	if ((t->pgrp != CR_TREE_OUTSIDE &&
	     (tasks[t->pgrp].leader != t->pgrp || tasks[t->pgrp].pgrp != t->pgrp)) ||
	    (t->session != CR_TREE_OUTSIDE &&
	     (tasks[t->session].leader != t->session || tasks[t->session].session != t->session)))
		return "a group or session whose leader leads none";
	if (t->session == i && t->pgrp != i)
		return "a session leader in another's group";
	if (t->pgrp != CR_TREE_OUTSIDE ? tasks[t->pgrp].session != t->session :
	    t->session != CR_TREE_OUTSIDE)
		return "a group across sessions";
	if (i && t->session != i && t->session != tasks[t->parent].session)
		return "in a session that is neither its own nor its parent's";
	return NULL;
}

/* The largest timer id, overrun count and si_overrun: INT_MAX. */
#define CR_TIMER_INT_MAX	0x7fffffffU

/**
 * cr_check_timer() - check a timer record
 * @r: the record
 * @prev: the timer record before it, or NULL for the first
 *
 * The signal of a timer is checked as timer_create(2) checks it
 * (good_sigevent()): 1 to CR_NSIG, SIGKILL and SIGSTOP included, but for
 * CR_SIGEV_NONE, whose signal is never sent.  A pending signal is neither
 * SIGKILL nor SIGSTOP, as in the signals record.
 *
 * Return: NULL or the reason.
 */
static inline const char *cr_check_timer(const struct cr_rec_timer *r,
					 const struct cr_rec_timer *prev)
{
	const __u32 known = CR_TIMER_PENDING | CR_TIMER_REARM;

	if (r->id > CR_TIMER_INT_MAX)
		return "id out of range";
	if (prev && r->id <= prev->id)
		return "id not above the one before";
	if (!cr_timer_clock_name(r->clock) || !cr_sigev_name(r->notify))
		return "unknown clock or notification";
	if (r->notify != CR_SIGEV_NONE && (!r->signo || r->signo > CR_NSIG))
		return "bad signal";
	if (r->value_ns > CR_KTIME_MAX || r->interval_ns > CR_KTIME_MAX)
		return "time beyond KTIME_MAX";
	if (r->interval_ns && !r->value_ns)
		return "an interval on a disarmed timer";
	if (r->overrun > CR_TIMER_INT_MAX || r->expired > CR_TIMER_INT_MAX ||
	    r->sig_overrun > CR_TIMER_INT_MAX)
		return "overrun count beyond INT_MAX";
	if (r->flags & ~known)
		return "unknown flags";
	if (r->flags & CR_TIMER_PENDING) {
		if (r->notify == CR_SIGEV_NONE || r->signo == CR_SIGKILL || r->signo == CR_SIGSTOP)
			return "a pending signal of a timer that sends none, SIGKILL or SIGSTOP";
	} else if (r->sig_overrun) {
		return "si_overrun of a signal that is not pending";
	}
	if (r->flags & CR_TIMER_REARM && (!(r->flags & CR_TIMER_PENDING) || !r->interval_ns))
		return "re-armed by a signal that is not pending, or not an interval timer";
	return NULL;
}

#endif /* _LINUX_CHECKPOINT_FORMAT_H */
