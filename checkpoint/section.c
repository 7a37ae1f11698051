// SPDX-License-Identifier: GPL-2.0
/*
 * cr: the image order, written once.
 *
 * cr_sections[] lists the sections in the order their records follow the
 * tree record, indexed by enum cr_section_id of
 * <linux/checkpoint_format.h>, which the tools read too: for each process,
 * those of scope CR_SCOPE_PROC, then for each of its tasks those of scope
 * CR_SCOPE_TASK.  checkpoint(2) writes them in this order, then the pages,
 * then the tail; restart(2) reads (and stages) them in this order, then,
 * past its point of no return, each task restores its own in this order
 * and each process reads its pages in turn.
 * make check checks Documentation/checkpoint/format.rst against the order.
 *
 * Also here: the boot-time check that every section fills every role, and
 * the build-time check that the ABI values <linux/checkpoint_format.h> and
 * <asm/checkpoint.h> name for user space are the kernel's.
 */
#define pr_fmt(fmt) "cr: " fmt

#include <linux/checkpoint.h>
#include <linux/fcntl.h>
#include <linux/futex.h>
#include <linux/init.h>
#include <linux/inotify.h>
#include <linux/limits.h>
#include <linux/mman.h>
#include <linux/mempolicy.h>
#include <linux/in.h>
#include <linux/net.h>
#include <linux/un.h>
#include <net/sock.h>
#include <linux/oom.h>
#include <linux/sched/prio.h>
#include <linux/personality.h>
#include <linux/posix-timers.h>
#include <linux/printk.h>
#include <linux/sem.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <linux/time.h>
#include <linux/auxvec.h>

const struct cr_section *const cr_sections[CR_SEC_MAX] = {
	[CR_SEC_MM]		= &cr_mm_section,
	[CR_SEC_FILES]		= &cr_files_section,
	[CR_SEC_TIMERS]		= &cr_timers_section,
	[CR_SEC_SIGNALS]	= &cr_signals_section,
	[CR_SEC_SEM_UNDO]	= &cr_sem_undo_section,
	[CR_SEC_TASK]		= &cr_task_section,
	[CR_SEC_CPU]		= &cr_arch_section,
	[CR_SEC_SIGSTATE]	= &cr_sigstate_section,
};

const unsigned int cr_nr_sections = ARRAY_SIZE(cr_sections);

static void __init cr_format_check(void)
{
	CR_ABI(CR_PATH_MAX, PATH_MAX);
	CR_ABI(CR_PROT_READ, PROT_READ);
	CR_ABI(CR_PROT_WRITE, PROT_WRITE);
	CR_ABI(CR_PROT_EXEC, PROT_EXEC);
	CR_ABI(CR_O_ACCMODE, O_ACCMODE);
	CR_ABI(CR_O_RDWR, O_RDWR);
	CR_ABI(CR_O_APPEND, O_APPEND);
	CR_ABI(CR_O_NONBLOCK, O_NONBLOCK);
	CR_ABI(CR_O_DSYNC, O_DSYNC);
	CR_ABI(CR_O_DIRECT, O_DIRECT);
	CR_ABI(CR_O_LARGEFILE, O_LARGEFILE);
	CR_ABI(CR_O_DIRECTORY, O_DIRECTORY);
	CR_ABI(CR_O_NOFOLLOW, O_NOFOLLOW);
	CR_ABI(CR_O_NOATIME, O_NOATIME);
	CR_ABI(CR_O_SYNC, __O_SYNC);
	CR_ABI(CR_O_PATH, O_PATH);
	CR_ABI(CR_SA_FLAGS, UAPI_SA_FLAGS);
	CR_ABI(CR_SA_NOCLDSTOP, SA_NOCLDSTOP);
	CR_ABI(CR_SA_NOCLDWAIT, SA_NOCLDWAIT);
	CR_ABI(CR_SA_SIGINFO, SA_SIGINFO);
	CR_ABI(CR_SA_EXPOSE_TAGBITS, SA_EXPOSE_TAGBITS);
	CR_ABI(CR_SA_RESTORER, SA_RESTORER);
	CR_ABI(CR_SA_ONSTACK, SA_ONSTACK);
	CR_ABI(CR_SA_RESTART, SA_RESTART);
	CR_ABI(CR_SA_NODEFER, SA_NODEFER);
	CR_ABI(CR_SA_RESETHAND, SA_RESETHAND);
	CR_ABI(CR_SIGKILL, SIGKILL);
	CR_ABI(CR_SIGSTOP, SIGSTOP);
	CR_ABI(CR_SS_ONSTACK, SS_ONSTACK);
	CR_ABI(CR_SS_DISABLE, SS_DISABLE);
	CR_ABI(CR_SS_AUTODISARM, SS_AUTODISARM);
	CR_ABI(CR_MINSIGSTKSZ, MINSIGSTKSZ);
	CR_ABI(CR_NSIG, _NSIG);
	CR_ABI(CR_RLIM_NLIMITS, RLIM_NLIMITS);
	CR_ABI(CR_PER_LINUX, PER_LINUX);
	CR_ABI(CR_UNAME26, UNAME26);
	CR_ABI(CR_ADDR_NO_RANDOMIZE, ADDR_NO_RANDOMIZE);
	CR_ABI(CR_ADDR_COMPAT_LAYOUT, ADDR_COMPAT_LAYOUT);
	CR_ABI(CR_READ_IMPLIES_EXEC, READ_IMPLIES_EXEC);
	CR_ABI(CR_CLOCK_REALTIME, CLOCK_REALTIME);
	CR_ABI(CR_CLOCK_MONOTONIC, CLOCK_MONOTONIC);
	CR_ABI(CR_CLOCK_BOOTTIME, CLOCK_BOOTTIME);
	CR_ABI(CR_CLOCK_TAI, CLOCK_TAI);
	CR_ABI(CR_KTIME_MAX, KTIME_MAX);
	CR_ABI(CR_TIMER_CLOCK_REALTIME, CLOCK_REALTIME);
	CR_ABI(CR_TIMER_CLOCK_MONOTONIC, CLOCK_MONOTONIC);
	CR_ABI(CR_TIMER_CLOCK_BOOTTIME, CLOCK_BOOTTIME);
	CR_ABI(CR_TIMER_CLOCK_TAI, CLOCK_TAI);
	CR_ABI(CR_TIMER_CLOCK_THREAD, CPUCLOCK_PERTHREAD_MASK);
	CR_ABI(CR_TIMER_CLOCK_PROCESS_PROF - CR_TIMER_CLOCK_CPU, CPUCLOCK_PROF);
	CR_ABI(CR_TIMER_CLOCK_PROCESS_VIRT - CR_TIMER_CLOCK_CPU, CPUCLOCK_VIRT);
	CR_ABI(CR_TIMER_CLOCK_PROCESS_CPUTIME - CR_TIMER_CLOCK_CPU, CPUCLOCK_SCHED);
	CR_ABI(CR_TIMER_CLOCK_THREAD_PROF, CR_TIMER_CLOCK_PROCESS_PROF | CR_TIMER_CLOCK_THREAD);
	CR_ABI(CR_TIMER_CLOCK_THREAD_VIRT, CR_TIMER_CLOCK_PROCESS_VIRT | CR_TIMER_CLOCK_THREAD);
	CR_ABI(CR_TIMER_CLOCK_THREAD_CPUTIME,
	       CR_TIMER_CLOCK_PROCESS_CPUTIME | CR_TIMER_CLOCK_THREAD);
	/* a CPU clock's low bits come through CR_TIMER_CLOCK_CPU intact */
	BUILD_BUG_ON(CR_TIMER_CLOCK_CPU & CLOCKFD_MASK);
	CR_ABI(CR_SIGEV_SIGNAL, SIGEV_SIGNAL);
	CR_ABI(CR_SIGEV_NONE, SIGEV_NONE);
	CR_ABI(CR_SIGEV_THREAD, SIGEV_THREAD);
	CR_ABI(CR_SIGEV_THREAD_ID, SIGEV_SIGNAL | SIGEV_THREAD_ID);
	CR_ABI(CR_TIMER_INT_MAX, INT_MAX);
	CR_ABI(CR_MAX_LFS_FILESIZE, MAX_LFS_FILESIZE);
	CR_ABI(CR_AF_UNIX, AF_UNIX);
	CR_ABI(CR_AF_INET, AF_INET);
	CR_ABI(CR_AF_INET6, AF_INET6);
	CR_ABI(CR_IPPROTO_TCP, IPPROTO_TCP);
	CR_ABI(CR_IPPROTO_UDP, IPPROTO_UDP);
	CR_ABI(CR_SOCK_STREAM, SOCK_STREAM);
	CR_ABI(CR_SOCK_DGRAM, SOCK_DGRAM);
	CR_ABI(CR_SOCK_SEQPACKET, SOCK_SEQPACKET);
	CR_ABI(CR_SOCK_SHUT_RD, RCV_SHUTDOWN);
	CR_ABI(CR_SOCK_SHUT_WR, SEND_SHUTDOWN);
	CR_ABI(CR_UNIX_PATH_MAX, UNIX_PATH_MAX);
	CR_ABI(CR_AT_NULL, AT_NULL);
	CR_ABI(CR_INOTIFY_MASK, IN_ALL_EVENTS | IN_EXCL_UNLINK | IN_ONESHOT);
	CR_ABI(CR_INOTIFY_EVENT_MASK,
	       IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ISDIR);
	CR_ABI(CR_IN_Q_OVERFLOW, IN_Q_OVERFLOW);
	CR_ABI(sizeof(struct cr_inotify_event), sizeof(struct inotify_event));
	CR_ABI(CR_COMM_LEN, TASK_COMM_LEN);
	CR_ABI(CR_MIN_NICE, MIN_NICE);
	CR_ABI(CR_MAX_NICE, MAX_NICE);
	CR_ABI(CR_SCHED_NORMAL, SCHED_NORMAL);
	CR_ABI(CR_SCHED_BATCH, SCHED_BATCH);
	CR_ABI(CR_SCHED_IDLE, SCHED_IDLE);
	CR_ABI(CR_SEM_VAL_MAX, SEMVMX);
	CR_ABI(CR_SEM_NSEMS_MAX, SEMMSL);
	CR_ABI(CR_OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MIN);
	CR_ABI(CR_OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MAX);
	CR_ABI(CR_MPOL_DEFAULT, MPOL_DEFAULT);
	CR_ABI(CR_MPOL_PREFERRED, MPOL_PREFERRED);
	CR_ABI(CR_MPOL_BIND, MPOL_BIND);
	CR_ABI(CR_MPOL_INTERLEAVE, MPOL_INTERLEAVE);
	CR_ABI(CR_MPOL_LOCAL, MPOL_LOCAL);
	CR_ABI(CR_MPOL_PREFERRED_MANY, MPOL_PREFERRED_MANY);
	CR_ABI(CR_MPOL_WEIGHTED_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE);
	CR_ABI(CR_MPOL_MAX, MPOL_MAX);
	CR_ABI(CR_MPOL_F_STATIC_NODES, MPOL_F_STATIC_NODES);
	CR_ABI(CR_MPOL_F_RELATIVE_NODES, MPOL_F_RELATIVE_NODES);
	CR_ABI(CR_MPOL_F_NUMA_BALANCING, MPOL_F_NUMA_BALANCING);
#ifdef CONFIG_FUTEX
	CR_ABI(CR_ROBUST_LIST_LEN, sizeof(struct robust_list_head));
#endif
	CR_ABI(sizeof(struct cr_siginfo) - offsetof(struct cr_siginfo, info),
	       sizeof(kernel_siginfo_t));
	BUILD_BUG_ON(CR_AUXV_WORDS < AT_VECTOR_SIZE);
	BUILD_BUG_ON(CR_PAGES_MAX * PAGE_SIZE > CR_REC_MAX_LEN);
	BUILD_BUG_ON(CR_REC_MAX > 32);	/* CR_REC_BIT() */
}

/*
 * Every row fills every role, and every record type has a name and sane
 * bounds: a programming error, caught at boot as io_uring checks its
 * opcode table.  The system calls refuse to run with a broken table.
 */
bool cr_tables_ok __ro_after_init;

static int __init cr_sections_check(void)
{
	unsigned int i;

	cr_format_check();
	for (i = 0; i < cr_nr_sections; i++) {
		const struct cr_section *s = cr_sections[i];

		if (WARN(!s || !s->name || !s->write || !s->read || !s->restore || !s->free ||
			 strcmp(s->name, cr_section_info(i)->name) ||
			 s->scope != cr_section_info(i)->scope ||
			 (i && s->scope < cr_sections[i - 1]->scope),
			 "cr: section %u (%s) lacks a role or its name\n", i,
			 s && s->name ? s->name : "?"))
			return -EINVAL;
	}
	for (i = 1; i < CR_REC_MAX; i++) {
		const struct cr_rec_info *info = cr_rec_info(i);

		if (WARN(!info || info->max < info->size || info->max > CR_REC_MAX_LEN,
			 "cr: record type %u has no name or bad bounds\n", i))
			return -EINVAL;
	}
	cr_tables_ok = true;
	return 0;
}
core_initcall(cr_sections_check);
