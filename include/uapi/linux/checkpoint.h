/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * cr: in-kernel checkpoint/restart - the image format.
 *
 * This header is the contract between the kernel and user space (the
 * ckpt/rstr tools, the image inspector and the selftests).  Any change to
 * the layout or the meaning of a record bumps CR_FORMAT_VERSION.
 *
 * An image is a stream of records, written and read strictly in order so
 * that it can travel through a regular file, a pipe or a socket:
 *
 *	struct cr_hdr { type, len }  len bytes of payload  zero padding
 *
 * All integers are little-endian (the only byte order cr runs on today).
 * Every record header starts at a multiple of CR_ALIGN bytes from the first
 * byte of the stream; the payload is followed by zero padding up to the
 * next multiple of CR_ALIGN.  @len counts the payload only, not the header
 * or the padding.
 *
 * The first record is CR_REC_HEAD, the last is CR_REC_TAIL.  Both carry a
 * magic number.  The tail also carries the number of records before it and
 * the stream offset of its own header, so a truncated or spliced stream is
 * detected.
 *
 * The records whose layout is an architecture's own (struct cr_rec_arch,
 * struct cr_rec_cpu, struct cr_rec_fpu) and the values of its ABI that
 * records carry are in <asm/checkpoint.h>, which this header includes.
 */
#ifndef _UAPI_LINUX_CHECKPOINT_H
#define _UAPI_LINUX_CHECKPOINT_H

#include <linux/types.h>
#include <asm/checkpoint.h>

/* Stream layout. */
#define CR_ALIGN		8		/* record alignment in bytes */
#define CR_FORMAT_VERSION	20

#define CR_HEAD_MAGIC		0x3130524b50434c4cULL	/* "LLCPKR01" */
#define CR_TAIL_MAGIC		0x4c4941544b50434cULL	/* "LCPKTAIL" */

/* Upper bound of a record's payload; larger means corrupt. */
#define CR_REC_MAX_LEN		(1U << 20)

/* At most this many pages in one CR_REC_PAGES/CR_REC_PAGE_DATA pair. */
#define CR_PAGES_MAX		256

/**
 * enum cr_rec_type - record types
 * @CR_REC_HEAD:	struct cr_rec_head, always first
 * @CR_REC_TAIL:	struct cr_rec_tail, always last
 * @CR_REC_PAD:		padding, payload is zeros; used to align page data
 * @CR_REC_TASK:	struct cr_rec_task
 * @CR_REC_CPU:		struct cr_rec_cpu: the registers (the arch's layout)
 * @CR_REC_FPU:		struct cr_rec_fpu + the FPU state (the arch's layout)
 * @CR_REC_MM:		struct cr_rec_mm + the executable's path
 * @CR_REC_VMA:		struct cr_rec_vma + the mapped file's path, if any, and the
 *			mapping's name, if any
 * @CR_REC_PAGES:	struct cr_rec_pages + the page addresses
 * @CR_REC_PAGE_DATA:	the contents of the pages the preceding CR_REC_PAGES
 *			lists, page after page; the payload starts at a
 *			multiple of the page size from the start of the
 *			stream (a CR_REC_PAD record before it when needed)
 * @CR_REC_FILE:	struct cr_rec_file + its path: an open file object
 * @CR_REC_FD:		struct cr_rec_fd: an fd and the file object it refers to
 * @CR_REC_FS:		struct cr_rec_fs + cwd path: cwd and umask
 * @CR_REC_SIGNALS:	struct cr_rec_signals + the pending signals
 * @CR_REC_PIPE:	struct cr_rec_pipe + the bytes buffered in the pipe
 * @CR_REC_ARCH:	struct cr_rec_arch: the machine, as far as the other
 *			arch records depend on it (the arch's layout)
 * @CR_REC_TIMER:	struct cr_rec_timer: a POSIX timer (timer_create(2))
 * @CR_REC_TREE:	struct cr_rec_tree + the tasks: who is who
 * @CR_REC_SIGSTATE:	struct cr_rec_sigstate + its pending signals: a
 *			thread's signal state
 * @CR_REC_EPOLL:	struct cr_rec_epoll + its items: an epoll file's
 *			interest list
 * @CR_REC_FILE_DATA:	struct cr_rec_file_data + bytes of a memfd or a
 *			deleted file
 * @CR_REC_SOCK_QUEUE:	struct cr_rec_sock_queue + messages: what a socket
 *			has queued to be read
 * @CR_REC_SUM:		struct cr_rec_sum: the checksum of the stream up to
 *			the end of the sections, before the page stream
 * @CR_REC_INOTIFY:	struct cr_rec_inotify + its path: a watch of an
 *			inotify file
 * @CR_REC_SYSV_SHM:	struct cr_rec_sysv_shm: a SysV shared memory
 *			segment, after the vma record of its first mapping
 * @CR_REC_SEM_UNDO:	struct cr_rec_sem_undo + its semaphores: a
 *			process's SEM_UNDO adjustments on a SysV semaphore set
 * @CR_REC_MSG_QUEUE:	struct cr_rec_msg_queue + its messages: a SysV
 *			message queue of the tree's own IPC namespace, after
 *			the tree record
 * @CR_REC_SEM_SET:	struct cr_rec_sem_set + its values: a SysV semaphore
 *			set of the tree's own IPC namespace, after the message
 *			queues
 * @CR_REC_MAX:		one past the highest known type
 *
 * Types 1..CR_REC_MAX-1 are assigned; a reader skips a record of a type it
 * does not know only if the format version says it may.
 */
enum cr_rec_type {
	CR_REC_HEAD = 1,
	CR_REC_TAIL = 2,
	CR_REC_PAD = 3,
	CR_REC_TASK = 4,
	CR_REC_CPU = 5,
	CR_REC_FPU = 6,
	CR_REC_MM = 7,
	CR_REC_VMA = 8,
	CR_REC_PAGES = 9,
	CR_REC_PAGE_DATA = 10,
	CR_REC_FILE = 11,
	CR_REC_FD = 12,
	CR_REC_FS = 13,
	CR_REC_SIGNALS = 14,
	CR_REC_PIPE = 15,
	CR_REC_ARCH = 16,
	CR_REC_TIMER = 17,
	CR_REC_TREE = 18,
	CR_REC_SIGSTATE = 19,
	CR_REC_EPOLL = 20,
	CR_REC_FILE_DATA = 21,
	CR_REC_SOCK_QUEUE = 22,
	CR_REC_SUM = 23,
	CR_REC_INOTIFY = 24,
	CR_REC_SYSV_SHM = 25,
	CR_REC_SEM_UNDO = 26,
	CR_REC_MSG_QUEUE = 27,
	CR_REC_SEM_SET = 28,
	CR_REC_MAX
};

/**
 * struct cr_hdr - header of every record
 * @type:	enum cr_rec_type
 * @len:	payload length in bytes, excluding this header and padding
 */
struct cr_hdr {
	__u32 type;
	__u32 len;
};

/* enum cr_arch: the architecture an image was taken on. */
#define CR_ARCH_X86_64		1

/* Length of the kernel release string stored in the head (with NUL). */
#define CR_RELEASE_LEN		72

/**
 * struct cr_rec_head - first record of an image
 * @magic:		CR_HEAD_MAGIC
 * @version:		CR_FORMAT_VERSION
 * @arch:		CR_ARCH_*
 * @page_size:		page size of the checkpointing kernel
 * @flags:		the flags checkpoint() was called with
 * @time:		wall-clock seconds since the epoch at checkpoint
 * @crid:		checkpoint id returned to the checkpointer
 * @release:		utsname release of the checkpointing kernel, NUL
 *			terminated; informational
 */
struct cr_rec_head {
	__u64 magic;
	__u32 version;
	__u32 arch;
	__u32 page_size;
	__u32 flags;
	__u64 time;
	__u64 crid;
	char release[CR_RELEASE_LEN];
};

/*
 * The checksum of an image: XXH64 (seed 0) of every byte of the stream
 * before a record's header, headers, payloads, padding and pad records
 * included.  The sum record carries it where the sections end, the tail
 * for the whole stream.
 */
#define CR_SUM_SEED		0

/**
 * struct cr_rec_tail - last record of an image
 * @magic:	CR_TAIL_MAGIC
 * @records:	number of records before the tail, the head included
 * @offset:	stream offset of the tail's own header, in bytes
 * @sum:	the checksum of the stream before the tail's header
 */
struct cr_rec_tail {
	__u64 magic;
	__u64 records;
	__u64 offset;
	__u64 sum;
};

/**
 * struct cr_rec_sum - the checksum of every record before the page stream
 * @offset:	stream offset of this record's header, in bytes
 * @sum:	the checksum of the stream before that header
 *
 * It follows the last section of the last task, before the first pages
 * record: restart checks it before its point of no return.
 */
struct cr_rec_sum {
	__u64 offset;
	__u64 sum;
};

/*
 * The order of the records is documented in
 * Documentation/checkpoint/format.rst: the head, the arch and the tree
 * record, then for each process of the tree the sections of the process
 * (mm, files, timers, signals) and, for each of its tasks, the sections of
 * a task (task, cpu, sigstate), each a run of records; then the sum
 * record, the pages of each process, then the tail.  Every record a section has comes before
 * any page, so that restart knows and checks the whole tree (and opens
 * every file) before it replaces the caller's address space.
 * Variable-length strings (paths) follow their fixed struct in the same
 * record, NUL included; the struct says how long they are, at most
 * CR_PATH_MAX.
 */

#define CR_PATH_MAX		4096

/* The most tasks an image holds. */
#define CR_TREE_MAX		8192

/* An index of the tree record that names no task of the image. */
#define CR_TREE_OUTSIDE		0xffffffffU

/**
 * struct cr_tree_task - one task of the tree record
 * @pid: its pid (thread id), in the checkpointer's pid namespace
 * @leader: the index of its thread group leader; its own for a leader
 * @parent: a leader's parent: the index of the task (leader or thread)
 *	that is its parent, CR_TREE_OUTSIDE for the root, whose parent is
 *	outside the image; a thread's leader
 * @exit_signal: a leader's: the signal its parent gets when it ends
 *	(SIGCHLD, another signal, or 0); -1 for a thread
 * @pgrp: a leader's process group: the index of the group's leader, or
 *	CR_TREE_OUTSIDE for a group outside the image (restart puts it in
 *	the restarter's); a thread's is its leader's
 * @session: its session, the same way
 * @flags: CR_TREE_*
 * @exit_code: CR_TREE_ZOMBIE: the status wait(2) reports for it (an exit
 *	status times 256, or a signal number, plus 0x80 for a core dump); 0
 *	otherwise
 * @nspid: CR_TREE_PIDNS: its pid in the root's pid namespace (the root's
 *	is 1); 0 otherwise
 * @__reserved: zero
 *
 * Indexes name earlier tasks of the record, or the task itself.
 */
struct cr_tree_task {
	__s32 pid;
	__u32 leader;
	__u32 parent;
	__s32 exit_signal;
	__u32 pgrp;
	__u32 session;
	__u32 flags;
	__u32 exit_code;
	__s32 nspid;
	__u32 __reserved;
};

/*
 * A process that ended and that its parent has not waited for yet: a
 * leader without threads, not the root, parent of none.  It has no
 * sections: restart makes it end again, unseen by its parent but for
 * wait(2), with its status.
 */
#define CR_TREE_ZOMBIE		(1U << 0)

/* Room for a host or domain name: 64 bytes and a NUL, padded. */
#define CR_UTS_LEN		72
#define CR_UTS_NAME_MAX		64

/**
 * struct cr_ipc_limits - the limits of an IPC namespace, its sysctls
 * @shmmax: kernel.shmmax
 * @shmall: kernel.shmall
 * @shmmni: kernel.shmmni, at most CR_IPC_MNI
 * @shm_rmid_forced: kernel.shm_rmid_forced, 0 or 1
 * @msgmax: kernel.msgmax, at most CR_IPC_INT_MAX
 * @msgmnb: kernel.msgmnb, likewise
 * @msgmni: kernel.msgmni, at most CR_IPC_MNI
 * @sem: kernel.sem: SEMMSL, SEMMNS, SEMOPM and SEMMNI, none negative,
 *	SEMMNI at most CR_IPC_MNI
 * @mq_queues_max: fs.mqueue.queues_max, at most CR_IPC_INT_MAX
 * @mq_msg_max: fs.mqueue.msg_max, 1..CR_MQ_MAXMSG_MAX
 * @mq_msgsize_max: fs.mqueue.msgsize_max, 128..CR_MQ_MSGSIZE_MAX
 * @mq_msg_default: fs.mqueue.msg_default, 1..CR_MQ_MAXMSG_MAX
 * @mq_msgsize_default: fs.mqueue.msgsize_default, 128..CR_MQ_MSGSIZE_MAX
 */
struct cr_ipc_limits {
	__u64 shmmax;
	__u64 shmall;
	__u32 shmmni;
	__u32 shm_rmid_forced;
	__u32 msgmax;
	__u32 msgmnb;
	__u32 msgmni;
	__s32 sem[4];
	__u32 mq_queues_max;
	__u32 mq_msg_max;
	__u32 mq_msgsize_max;
	__u32 mq_msg_default;
	__u32 mq_msgsize_default;
};

#define CR_IPC_MNI		32768	/* IPCMNI: the most ids of a kind */
#define CR_IPC_INT_MAX		0x7fffffffU
#define CR_MQ_MSGSIZE_MIN	128

/**
 * struct cr_rec_tree - the tasks of the image (CR_REC_TREE), right after the
 *	arch record
 * @nr_tasks: number of struct cr_tree_task after this struct,
 *	1..CR_TREE_MAX.  The first is the root, a leader; a thread comes after
 *	its leader, a leader after its parent's, and the threads of a process
 *	right after its leader.
 * @nr_procs: the number of leaders among them that are not zombies: the
 *	processes with sections
 * @flags: CR_TREE_PIDNS, CR_TREE_UTSNS, CR_TREE_IPCNS
 * @nr_ipc: with CR_TREE_IPCNS, the number of records of the objects of
 *	the tree's IPC namespace that follow this one, 0..2 * CR_IPC_MNI: its
 *	SysV message queues (CR_REC_MSG_QUEUE), then its semaphore sets
 *	(CR_REC_SEM_SET); else zero
 * @nodename: with CR_TREE_UTSNS, the host name of the tree's UTS
 *	namespace (sethostname(2)), NUL-terminated, zeros after; else zeros
 * @domainname: its NIS domain name (setdomainname(2)), likewise
 * @ipc: with CR_TREE_IPCNS, the limits of the tree's IPC namespace; else
 *	zeros
 *
 * Each process's sections follow in the order of the tree: for a leader,
 * the sections of its process (mm, files, signals...), then, for it and
 * each of its threads, the sections of a thread (task, cpu, sigstate).
 */
struct cr_rec_tree {
	__u32 nr_tasks;
	__u32 nr_procs;
	__u32 flags;
	__u32 nr_ipc;
	char nodename[CR_UTS_LEN];
	char domainname[CR_UTS_LEN];
	struct cr_ipc_limits ipc;
};

/*
 * The root is the init of a pid namespace of its own, every task of the
 * tree in it: each task's nspid is its pid there.  Restart rebuilds the
 * tree in a new pid namespace (CR_RESTART_PIDNS) with those pids.
 */
#define CR_TREE_PIDNS		(1U << 0)

/*
 * The tree has a UTS namespace of its own, another than the
 * checkpointer's, every task of it in it: restart makes a new one for it
 * (CR_RESTART_UTSNS) with its host and domain names.
 */
#define CR_TREE_UTSNS		(1U << 1)

/*
 * The tree has an IPC namespace of its own, another than the
 * checkpointer's, every task of it in it, and the namespace holds no SysV
 * segment and no POSIX message queue: restart can make a new one for it
 * (CR_RESTART_IPCNS) with its limits, its SysV message queues and
 * semaphore sets (the records after the tree record).  (A namespace with other
 * objects is not saved yet: the image restarts only in that namespace.)
 */
#define CR_TREE_IPCNS		(1U << 2)

#define CR_COMM_LEN		16
#define CR_CPUS_WORDS		16	/* CPU affinity of up to 1024 CPUs */

/* enum cr_ns: the namespaces of a task record. */
#define CR_NS_UTS		0
#define CR_NS_IPC		1
#define CR_NS_MNT		2
#define CR_NS_NET		3
#define CR_NS_PID		4
#define CR_NS_PID_CHILDREN	5	/* where its children will be */
#define CR_NS_USER		6
#define CR_NS_CGROUP		7
#define CR_NS_TIME		8
#define CR_NS_TIME_CHILDREN	9
#define CR_NS_MAX		10

/* Flags of a task record. */
#define CR_TASK_NO_NEW_PRIVS	(1U << 0)	/* PR_SET_NO_NEW_PRIVS */

/* enum cr_mpol_mode: the modes of a memory policy, as <linux/mempolicy.h> */
#define CR_MPOL_DEFAULT		0
#define CR_MPOL_PREFERRED	1
#define CR_MPOL_BIND		2
#define CR_MPOL_INTERLEAVE	3
#define CR_MPOL_LOCAL		4
#define CR_MPOL_PREFERRED_MANY	5
#define CR_MPOL_WEIGHTED_INTERLEAVE 6
#define CR_MPOL_MAX		7

/* Flags of a memory policy, as <linux/mempolicy.h> */
#define CR_MPOL_F_STATIC_NODES	(1U << 15)
#define CR_MPOL_F_RELATIVE_NODES (1U << 14)
#define CR_MPOL_F_NUMA_BALANCING (1U << 13)

#define CR_MPOL_WORDS		4	/* memory policy nodes 0..255 */
#define CR_MPOL_NODES		(CR_MPOL_WORDS * 64)

/**
 * struct cr_mempolicy - a NUMA memory policy: set_mempolicy(2) and mbind(2)
 * @mode: CR_MPOL_*; CR_MPOL_DEFAULT: no policy of its own
 * @flags: CR_MPOL_F_*
 * @__reserved: zero
 * @nodes: bit n for node n, as get_mempolicy(2) returns them: as given for
 *	a policy with CR_MPOL_F_STATIC_NODES or CR_MPOL_F_RELATIVE_NODES,
 *	else the nodes in use; none for CR_MPOL_DEFAULT and CR_MPOL_LOCAL
 */
struct cr_mempolicy {
	__u16 mode;
	__u16 flags;
	__u32 __reserved;
	__u64 nodes[CR_MPOL_WORDS];
};

/**
 * struct cr_rec_task - the task's own state that is not in other records
 * @comm:		the command name, NUL terminated
 * @personality:	personality(2) value
 * @__reserved:		zero
 * @clear_child_tid:	set_tid_address(2) value
 * @robust_list:	set_robust_list(2) head
 * @robust_list_len:	its length
 * @rseq:		registered rseq area, 0 if none
 * @rseq_len:		its length
 * @rseq_sig:		its signature
 * @restart_fn:		CR_RESTART_FN_*: what restart_syscall(2) resumes when
 *			the cpu record's ax is -ERESTART_RESTARTBLOCK (516)
 * @restart_clockid:	CR_RESTART_FN_NANOSLEEP: the clock of the sleep
 * @restart_ns:		CR_RESTART_FN_NANOSLEEP: nanoseconds left to sleep;
 *			the sleep goes on for that long from restart
 * @restart_rmtp:	CR_RESTART_FN_NANOSLEEP: the caller's rmtp pointer, 0
 *			if none
 * @nice:		nice value, -20..19; a lower one than the restarter's
 *			needs what setpriority(2) needs for it
 * @sched_policy:	SCHED_NORMAL (0), SCHED_BATCH (3) or SCHED_IDLE (5)
 * @timer_slack_ns:	PR_SET_TIMERSLACK value
 * @default_timer_slack_ns: the timer slack PR_SET_TIMERSLACK 0 goes back to
 * @pdeath_signal:	PR_SET_PDEATHSIG signal, 0 if none
 * @task_flags:		CR_TASK_*
 * @cpus:		CPU affinity, bit n for CPU n; restart refuses a mask
 *			with no CPU it may run on
 * @ns_inum:		the inode numbers of the task's namespaces, by
 *			CR_NS_* (0: not configured)
 * @ns_init:		bit CR_NS_* set: that namespace was the initial one
 * @__reserved2:	zero
 * @mempolicy:		its NUMA memory policy (set_mempolicy(2)); restart
 *			refuses (EINVAL) one with no node the caller may use
 *
 * Restart refuses (EOPNOTSUPP) to put the task into other namespaces than
 * its own: the restarter's must be the same ones, or initial ones where
 * the task's were.
 */
struct cr_rec_task {
	char comm[CR_COMM_LEN];
	__u32 personality;
	__u32 __reserved;
	__u64 clear_child_tid;
	__u64 robust_list;
	__u64 robust_list_len;
	__u64 rseq;
	__u32 rseq_len;
	__u32 rseq_sig;
	__u32 restart_fn;
	__s32 restart_clockid;
	__u64 restart_ns;
	__u64 restart_rmtp;
	__s32 nice;
	__u32 sched_policy;
	__u64 timer_slack_ns;
	__u64 default_timer_slack_ns;
	__u32 pdeath_signal;
	__u32 task_flags;
	__u64 cpus[CR_CPUS_WORDS];
	__u32 ns_inum[CR_NS_MAX];
	__u32 ns_init;
	__u32 __reserved2;
	struct cr_mempolicy mempolicy;
};

/* enum cr_restart_fn: a restart block saved by what it does */
#define CR_RESTART_FN_NONE	0	/* nothing to resume */
#define CR_RESTART_FN_NANOSLEEP	1	/* a relative nanosleep/clock_nanosleep */
#define CR_RESTART_FN_MAX	CR_RESTART_FN_NANOSLEEP

/* Words of auxv (type, value pairs) kept in the mm record. */
#define CR_AUXV_WORDS		64

/**
 * struct cr_rec_mm - the address space's own fields
 * @start_code: prctl(PR_SET_MM) fields
 * @end_code: see @start_code
 * @start_data: see @start_code
 * @end_data: see @start_code
 * @start_brk: see @start_code
 * @brk: see @start_code
 * @start_stack: see @start_code
 * @arg_start: see @start_code
 * @arg_end: see @start_code
 * @env_start: see @start_code
 * @env_end: see @start_code
 * @vdso: address of the vDSO text, 0 if none
 * @auxv: the auxiliary vector, AT_NULL terminated
 * @nr_vmas: number of vma records that follow
 * @exe_len: length of the executable's path after this struct, NUL
 *	included; 0 if none
 * @dumpable: PR_SET_DUMPABLE value, 0 or 1 (a process dumpable only by
 *	root is saved as 0)
 * @mm_flags: CR_MM_*
 */
struct cr_rec_mm {
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack;
	__u64 arg_start, arg_end, env_start, env_end;
	__u64 vdso;
	__u64 auxv[CR_AUXV_WORDS];
	__u32 nr_vmas;
	__u32 exe_len;
	__u32 dumpable;
	__u32 mm_flags;
};

/* Flags of an mm record. */
#define CR_MM_THP_DISABLE	(1U << 0)	/* PR_SET_THP_DISABLE */
#define CR_MM_MDWE		(1U << 1)	/* PR_SET_MDWE: refuse exec gain */
#define CR_MM_MDWE_NO_INHERIT	(1U << 2)	/* PR_MDWE_NO_INHERIT */
/* membarrier(2) registrations: MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, */
#define CR_MM_MEMBARRIER_GLOBAL	(1U << 3)
/* MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, */
#define CR_MM_MEMBARRIER_PRIVATE (1U << 4)
/* MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, */
#define CR_MM_MEMBARRIER_SYNC_CORE (1U << 5)
/* MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ */
#define CR_MM_MEMBARRIER_RSEQ	(1U << 6)
#define CR_MM_MEMBARRIER	(CR_MM_MEMBARRIER_GLOBAL | CR_MM_MEMBARRIER_PRIVATE | \
				 CR_MM_MEMBARRIER_SYNC_CORE | CR_MM_MEMBARRIER_RSEQ)
#define CR_MM_MERGE_ANY		(1U << 7)	/* PR_SET_MEMORY_MERGE: KSM, all of it */

/* enum cr_vma_kind */
#define CR_VMA_ANON_PRIVATE	1
#define CR_VMA_ANON_SHARED	2
#define CR_VMA_FILE_PRIVATE	3
#define CR_VMA_FILE_SHARED	4
#define CR_VMA_STACK		5	/* anonymous, grows down */
#define CR_VMA_HEAP		6	/* anonymous, the brk area */
#define CR_VMA_VDSO		7	/* vDSO text: not saved, mapped anew */
#define CR_VMA_VVAR		8	/* vDSO data: not saved, mapped anew */
#define CR_VMA_SYSV_SHM		9	/* a SysV shared memory segment, whole */
#define CR_VMA_KIND_MAX		CR_VMA_SYSV_SHM

/* Protection of a vma record: PROT_* of mmap(2). */
#define CR_PROT_READ		0x1
#define CR_PROT_WRITE		0x2
#define CR_PROT_EXEC		0x4

/* Flags of a vma record. */
#define CR_VMA_F_GROWSDOWN	(1U << 0)
#define CR_VMA_F_LOCKED		(1U << 1)
#define CR_VMA_F_DONTFORK	(1U << 2)
#define CR_VMA_F_DONTDUMP	(1U << 3)
#define CR_VMA_F_NORESERVE	(1U << 4)
#define CR_VMA_F_MAYWRITE	(1U << 5)	/* shared: file opened for writing */
#define CR_VMA_F_WIPEONFORK	(1U << 6)	/* MADV_WIPEONFORK: private anonymous */
#define CR_VMA_F_RANDOM		(1U << 7)	/* MADV_RANDOM */
#define CR_VMA_F_SEQUENTIAL	(1U << 8)	/* MADV_SEQUENTIAL */
#define CR_VMA_F_INHERIT	(1U << 9)	/* private: the parent's, as fork() copies it */
#define CR_VMA_F_HUGEPAGE	(1U << 10)	/* MADV_HUGEPAGE */
#define CR_VMA_F_NOHUGEPAGE	(1U << 11)	/* MADV_NOHUGEPAGE */
#define CR_VMA_F_MERGEABLE	(1U << 12)	/* MADV_MERGEABLE (KSM) */

/* The longest name of an anonymous mapping, NUL included (as kernel/sys.c). */
#define CR_VMA_NAME_MAX		80

/**
 * struct cr_rec_vma - one mapping
 * @start: first byte, page aligned
 * @end: one past the last byte, page aligned
 * @pgoff: offset in pages: in the file, for file mappings; in the shared
 *	memory object @shm, for shared anonymous ones; 0 for a SysV segment
 * @prot: CR_PROT_READ, CR_PROT_WRITE, CR_PROT_EXEC
 * @kind: CR_VMA_*
 * @flags: CR_VMA_F_*
 * @path_len: length of the file's path after this struct, NUL included; 0
 *	for anonymous and special mappings, and for a file mapping of @objref
 * @shm: shared anonymous mappings (CR_VMA_ANON_SHARED) and SysV segments
 *	(CR_VMA_SYSV_SHM): the shared memory object they map, 1..CR_SHM_MAX,
 *	numbered across the tree in the order they first appear (a process's
 *	children and the pieces of a mapping split by mprotect() share one);
 *	0 for other kinds
 * @objref: a file mapping of a memfd or of a deleted file: the file object
 *	of the image that holds it (its file record, with its bytes, comes in
 *	the files section of this process or of one before), instead of a
 *	path; 0 otherwise
 * @shm_size: @shm: the object's size in bytes, page aligned, not 0; the
 *	same in every mapping of @shm (a mapping may reach beyond it, as
 *	after mremap(): touching that part raises SIGBUS); 0 for other kinds
 * @name_len: length of the mapping's name after the path, NUL included
 *	(at most CR_VMA_NAME_MAX): the name of an anonymous mapping
 *	(PR_SET_VMA_ANON_NAME), 0 if none
 * @__reserved: zero
 * @mempolicy: the mapping's NUMA memory policy (mbind(2)); none on shared
 *	anonymous mappings and the vDSO
 *
 * Pages of private and anonymous mappings that were written (or are
 * anonymous) follow in CR_REC_PAGES records; file pages that are as in the
 * file and never-touched anonymous pages are not saved.
 *
 * CR_VMA_F_INHERIT marks a private mapping (anonymous, stack, heap or
 * file) of a process that its parent process has too, with the same
 * record but for this flag, neither CR_VMA_F_DONTFORK nor
 * CR_VMA_F_WIPEONFORK: restart makes the process from its parent once
 * the parent's pages are in and keeps that copy, so that the pages both
 * still shared copy-on-write (CR_PAGES_F_PARENT) are saved and restored
 * once.  Its other pages are as for any mapping: saved, or not there.
 */
struct cr_rec_vma {
	__u64 start;
	__u64 end;
	__u64 pgoff;
	__u32 prot;
	__u32 kind;
	__u32 flags;
	__u32 path_len;
	__u32 shm;
	__u32 objref;
	__u64 shm_size;
	__u32 name_len;
	__u32 __reserved;
	struct cr_mempolicy mempolicy;
};

/* The most shared memory objects an image holds. */
#define CR_SHM_MAX		65536

/**
 * struct cr_rec_sysv_shm - a SysV shared memory segment (CR_REC_SYSV_SHM),
 * right after the vma record that first maps it
 * @shm: the shared memory object it is, as that vma record numbers it
 * @id: its id, as shmget(2) returned it
 * @key: its key; 0 (IPC_PRIVATE) for a private or a removed segment
 * @mode: its permission bits, 0..0777
 * @flags: CR_SYSV_SHM_*
 * @__reserved: zero
 * @size: its size in bytes, as shmget(2) was given it: the vma record's
 *	@shm_size is that rounded up to a page
 *
 * Restart attaches the segment of the restarter's IPC namespace with that
 * id if it has that key and size (its contents are its own, as a shared
 * file mapping's are), else makes it with that id (CAP_CHECKPOINT_RESTORE)
 * and the image's contents.
 */
struct cr_rec_sysv_shm {
	__u32 shm;
	__s32 id;
	__s32 key;
	__u32 mode;
	__u32 flags;
	__u32 __reserved;
	__u64 size;
};

/* shmctl(2) IPC_RMID was done: it goes with its last detach */
#define CR_SYSV_SHM_REMOVED	(1U << 0)

/**
 * struct cr_rec_sem_undo - a process's SEM_UNDO adjustments on one SysV
 * semaphore set, and the set as it was (CR_REC_SEM_UNDO)
 * @id: the set's id, as semget(2) returned it
 * @key: its key; 0 (IPC_PRIVATE) for a private set
 * @mode: its permission bits, 0..0777
 * @nsems: its number of semaphores, 1..CR_SEM_NSEMS_MAX; as many struct
 *	cr_sem follow, in order
 *
 * The records of a process come in increasing @id order, one per set on
 * which it has an adjustment that is not zero.  Restart uses the set of the
 * restarter's IPC namespace with that id if it has that key and size: the
 * restored process holds again what it held (each value is lowered by its
 * adjustment, which the original's exit gave back), or else makes the set
 * with that id (CAP_CHECKPOINT_RESTORE) and the image's values; the
 * restored process's exit undoes the adjustments again.
 */
struct cr_rec_sem_undo {
	__s32 id;
	__s32 key;
	__u32 mode;
	__u32 nsems;
};

/**
 * struct cr_sem - one semaphore of a struct cr_rec_sem_undo
 * @val: its value at checkpoint, 0..CR_SEM_VAL_MAX
 * @adj: the process's adjustment, what its exit adds to the value
 */
struct cr_sem {
	__u16 val;
	__s16 adj;
};

#define CR_SEM_NSEMS_MAX	32000	/* the largest kernel.sem SEMMSL */
#define CR_SEM_VAL_MAX		32767	/* SEMVMX */
/* At most this many sets with adjustments per process. */
#define CR_SEM_UNDO_MAX		4096

/**
 * struct cr_rec_msg_queue - a SysV message queue of the tree's own IPC
 * namespace (CR_REC_MSG_QUEUE), with CR_TREE_IPCNS
 * @id: its id, as msgget(2) returned it
 * @key: its key; 0 (IPC_PRIVATE) for a private queue
 * @mode: its permission bits, 0..0777
 * @uid: its owner (msg_perm.uid), in the checkpointer's user namespace
 * @gid: its owner's group (msg_perm.gid), likewise
 * @nr_msgs: the number of its messages: as many struct cr_msg follow,
 *	the oldest first, each with its bytes after it, padded with zeros
 *	to a multiple of CR_ALIGN; at most @qbytes
 * @qbytes: the most bytes it holds (msg_qbytes); its messages' bytes add
 *	up to at most this
 *
 * The records come in increasing @id order, right after the tree record,
 * the first of its nr_ipc.  Restart with CR_RESTART_IPCNS makes each
 * queue again in the new namespace with its id, key, mode, owner, size and
 * messages (the creator, msg_perm.cuid and cgid, is the restarter); a
 * queue of more than CR_REC_MAX_LEN bytes in all is refused at checkpoint.
 */
struct cr_rec_msg_queue {
	__s32 id;
	__s32 key;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 nr_msgs;
	__u64 qbytes;
};

/**
 * struct cr_msg - a message of a struct cr_rec_msg_queue
 * @type: its type, 1..2^63-1 (msgsnd(2)'s mtype)
 * @len: its length in bytes
 * @__pad: zero
 */
struct cr_msg {
	__s64 type;
	__u32 len;
	__u32 __pad;
};

/**
 * struct cr_rec_sem_set - a SysV semaphore set of the tree's own IPC
 * namespace (CR_REC_SEM_SET), with CR_TREE_IPCNS
 * @id: its id, as semget(2) returned it
 * @key: its key; 0 (IPC_PRIVATE) for a private set
 * @mode: its permission bits, 0..0777
 * @uid: its owner (sem_perm.uid), in the checkpointer's user namespace
 * @gid: its owner's group (sem_perm.gid), likewise
 * @nsems: its number of semaphores, 1..CR_SEM_NSEMS_MAX: as many __u16
 *	values follow, 0..CR_SEM_VAL_MAX each
 *
 * The records come in increasing @id order after the message queues.
 * Restart with CR_RESTART_IPCNS makes each set again in the new namespace
 * with its id, key, mode, owner and values (the creator is the
 * restarter); the SEM_UNDO records of the tree's processes name these
 * sets, whose values hold what the processes held.
 */
struct cr_rec_sem_set {
	__s32 id;
	__s32 key;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 nsems;
};

/**
 * struct cr_rec_pages - where the pages of the next CR_REC_PAGE_DATA go
 * @nr: number of page addresses after this struct, 1..CR_PAGES_MAX; they
 *	are page aligned and strictly increasing
 * @proc: the process whose address space they belong to, its index among
 *	the processes of the tree record (the order of their leaders);
 *	pages records come by process, in that order
 * @flags: CR_PAGES_F_*
 * @__reserved: zero
 *
 * The addresses of a process's pages records increase across its records,
 * but that a record without CR_PAGES_F_PARENT after one with it may start
 * where that one could: a chunk of a vma, the parent's pages first, then
 * the process's own.
 */
struct cr_rec_pages {
	__u32 nr;
	__u32 proc;
	__u32 flags;
	__u32 __reserved;
};

/*
 * The pages are the parent process's, still shared copy-on-write with it
 * at checkpoint: no CR_REC_PAGE_DATA follows; they are in CR_VMA_F_INHERIT
 * mappings and restart keeps them as the parent has them.
 */
#define CR_PAGES_F_PARENT	(1U << 0)

/* enum cr_file_kind */
#define CR_FILE_REG		1	/* regular file, reopened by path */
#define CR_FILE_DIR		2	/* directory, reopened by path */
#define CR_FILE_CHR		3	/* character device, reopened by path */
#define CR_FILE_INHERIT		4	/* a file the restarter provides: one end
					 * of a pipe, or any fd 0-2 cr cannot save
					 * (a socket, a deleted file); the path is
					 * its key ("pipe:[1234]", "socket:[5]")
					 */
#define CR_FILE_PIPE		5	/* an end of a pipe whose both ends the
					 * process holds: see struct cr_rec_pipe
					 */
#define CR_FILE_FIFO		6	/* a named FIFO, reopened by path; its
					 * buffered bytes are in a struct cr_rec_pipe
					 */
#define CR_FILE_EVENTFD		7	/* an eventfd(2), made again; event files
					 * carry a struct cr_file_event, no path
					 */
#define CR_FILE_SIGNALFD	8	/* a signalfd(2), made again */
#define CR_FILE_TIMERFD		9	/* a timerfd_create(2) timer, made again */
#define CR_FILE_EPOLL		10	/* an epoll file, made again; its interest
					 * list is in a struct cr_rec_epoll
					 */
#define CR_FILE_MEMFD		11	/* a memfd (memfd_create(2)), made again: a
					 * struct cr_file_content, then its name as
					 * the path; its bytes follow in file data
					 * records
					 */
#define CR_FILE_DELETED		12	/* a regular file unlinked while open, made
					 * again unlinked (O_TMPFILE in its
					 * directory): a struct cr_file_content, then
					 * its path; its bytes follow as a memfd's
					 */
#define CR_FILE_SOCKET		13	/* a unix socket, made again: a struct
					 * cr_file_socket, no path; what it has
					 * queued follows in socket queue records
					 */
#define CR_FILE_PIDFD		14	/* a pidfd of a task of the tree: a struct
					 * cr_file_pidfd, no path
					 */
#define CR_FILE_INOTIFY		15	/* an inotify file: a struct cr_file_inotify,
					 * no path; its queued events follow in
					 * file data records, then its watches in
					 * inotify records
					 */
#define CR_FILE_MQUEUE		16	/* a POSIX message queue (mq_open(3)): a
					 * struct cr_file_mqueue, then its name
					 * without the leading '/' as the path; its
					 * messages follow in file data records
					 */
#define CR_FILE_KIND_MAX	CR_FILE_MQUEUE

#define CR_PIPE_FIFO		(1U << 0)	/* the pipe of a named FIFO */

/**
 * struct cr_rec_pipe - a pipe, before the first file record of its ends
 * @objref: its object reference: 1 for the first pipe, then one more
 * @size: its capacity in bytes (F_GETPIPE_SZ)
 * @len: the bytes buffered in it, which follow this struct
 * @flags: CR_PIPE_FIFO for a named FIFO: restart puts the bytes back into
 *	the FIFO it opens by path (the FIFO must then be empty), and its file
 *	record comes next; otherwise restart makes a new pipe
 * @nr_packets: in packet mode (written through O_DIRECT files: read(2)
 *	takes one write at a time), the number of packets buffered: their
 *	lengths, a __u32 each, follow this struct, padded to a multiple of
 *	8 bytes, before the bytes; 0 otherwise
 * @__reserved: zero
 */
struct cr_rec_pipe {
	__u32 objref;
	__u32 size;
	__u32 len;
	__u32 flags;
	__u32 nr_packets;
	__u32 __reserved;
};

/**
 * struct cr_rec_file - an open file object
 * @objref: its object reference: 1 for the first file of the image, then
 *	one more for each; fd records name files by it, so fds that share
 *	one open file (dup) share it again after restart
 * @kind: CR_FILE_*
 * @flags: open flags (O_ACCMODE, O_APPEND, O_NONBLOCK, ...); restart never
 *	adds O_CREAT or O_TRUNC
 * @mode: the file's type and permission bits when checkpointed
 * @pos: file position
 * @path_len: length of the path (for CR_FILE_INHERIT, the key) after this
 *	struct, NUL included; 0 for CR_FILE_PIPE
 * @pipe: CR_FILE_PIPE: the objref of the pipe (the end is the access mode
 *	in @flags); CR_FILE_FIFO: the objref of its pipe record; 0 otherwise
 *
 * A restarter may hand in a file of its own for any file record with a
 * path (struct cr_restart_args): restart then uses that file as it is,
 * instead of reopening the path.  An event file (CR_FILE_EVENTFD,
 * CR_FILE_SIGNALFD, CR_FILE_TIMERFD) has no path, @mode and @pos are 0,
 * and a struct cr_file_event follows in its place.
 */
struct cr_rec_file {
	__u32 objref;
	__u32 kind;
	__u32 flags;
	__u32 mode;
	__s64 pos;
	__u32 path_len;
	__u32 pipe;
};

/**
 * struct cr_file_event - the state of an event file, after its struct
 *	cr_rec_file; what a kind does not use is 0
 * @flags: CR_EVENT_*
 * @clockid: timerfd: its clock, CLOCK_REALTIME (0), CLOCK_MONOTONIC (1),
 *	CLOCK_BOOTTIME (7), CLOCK_REALTIME_ALARM (8) or CLOCK_BOOTTIME_ALARM (9)
 * @count: eventfd: its counter, below 2^64 - 1; timerfd: its expirations
 *	not read yet
 * @mask: signalfd: the signals it reads, bit n - 1 for signal n; never
 *	SIGKILL or SIGSTOP
 * @value_ns: timerfd: nanoseconds to its next expiration, 0 if disarmed;
 *	with CR_EVENT_ABSTIME on a CLOCK_REALTIME clock, the CLOCK_REALTIME
 *	time of it instead
 * @interval_ns: timerfd: its period in nanoseconds, 0 for a one-shot timer
 */
struct cr_file_event {
	__u32 flags;
	__s32 clockid;
	__u64 count;
	__u64 mask;
	__s64 value_ns;
	__s64 interval_ns;
};

#define CR_EVENT_SEMAPHORE	(1U << 0)	/* eventfd: EFD_SEMAPHORE */
#define CR_EVENT_ABSTIME	(1U << 1)	/* timerfd: TFD_TIMER_ABSTIME */
#define CR_EVENT_CANCEL_ON_SET	(1U << 2)	/* timerfd: TFD_TIMER_CANCEL_ON_SET */

/**
 * struct cr_rec_epoll - the interest list of an epoll file (CR_REC_EPOLL),
 *	after the fd records of the first process that holds it
 * @objref: the epoll file's, a CR_FILE_EPOLL file record
 * @nr: number of struct cr_epoll_item after this struct, at most
 *	CR_EPOLL_MAX
 *
 * Restart adds each item back with epoll_ctl(2) once that process's fd
 * table is in place: its fd there must be the file @objref, as at
 * checkpoint.
 */
struct cr_rec_epoll {
	__u32 objref;
	__u32 nr;
};

/**
 * struct cr_epoll_item - a file an epoll file watches
 * @fd: the fd it was added with
 * @objref: the file, which @fd holds in the process
 * @events: the events of epoll_ctl(2), EPOLLET, EPOLLONESHOT,
 *	EPOLLEXCLUSIVE and EPOLLWAKEUP included; a one-shot item that fired
 *	keeps only those flags
 * @__reserved: zero
 * @data: the data epoll_wait(2) returns with its events
 */
struct cr_epoll_item {
	__u32 fd;
	__u32 objref;
	__u32 events;
	__u32 __reserved;
	__u64 data;
};

/**
 * struct cr_file_content - a file the image holds the bytes of (a memfd, a
 *	deleted file), after its struct cr_rec_file, before its path (a
 *	memfd's name, without "memfd:"; the path a deleted file had)
 * @size: its size in bytes, at most CR_CONTENT_MAX (and at most the
 *	limit the checkpoint was given, see CR_CHECKPOINT_CONTENT())
 * @seals: a memfd's F_SEAL_* seals (F_SEAL_SEAL: none may be added); 0
 * @__reserved: zero
 *
 * The file record's @mode has its permission bits.  Its bytes follow, in
 * CR_REC_FILE_DATA records right after the file record; what they leave
 * out is zeros.
 */
struct cr_file_content {
	__u64 size;
	__u32 seals;
	__u32 __reserved;
};

/*
 * The largest file an image holds the bytes of: 1 << CR_CONTENT_MAX_SHIFT
 * (restart refuses more).  Checkpoint refuses (EFBIG) a file larger than
 * its limit: CR_CONTENT_DEFAULT, or what CR_CHECKPOINT_CONTENT() says.
 */
#define CR_CONTENT_MAX_SHIFT	30
#define CR_CONTENT_MAX		(1ULL << CR_CONTENT_MAX_SHIFT)
#define CR_CONTENT_DEFAULT	(64ULL << 20)

/* The longest memfd name (memfd_create(2) takes NAME_MAX - 6 bytes). */
#define CR_MEMFD_NAME_MAX	249

/* The seals of F_ADD_SEALS, as <linux/fcntl.h> numbers them. */
#define CR_F_SEALS		0x3fU	/* F_SEAL_SEAL ... F_SEAL_EXEC */

/**
 * struct cr_rec_file_data - bytes of the file of the file record before
 *	(CR_REC_FILE_DATA); the record's payload after this struct, at least
 *	one byte
 * @objref: that file's
 * @__reserved: zero
 * @offset: where they go; the data records of a file come in increasing
 *	offset order, without overlap, inside its size
 */
struct cr_rec_file_data {
	__u32 objref;
	__u32 __reserved;
	__u64 offset;
};

/* The most bytes of one file data record. */
#define CR_FILE_DATA_MAX	(256U << 10)

/* The most items of one epoll file. */
#define CR_EPOLL_MAX		32768

/* The flags of an item's events (EPOLL* of <linux/eventpoll.h>). */
#define CR_EPOLLEXCLUSIVE	(1U << 28)
#define CR_EPOLLWAKEUP		(1U << 29)
#define CR_EPOLLONESHOT		(1U << 30)
#define CR_EPOLLET		(1U << 31)
/* What epoll_ctl(2) takes: the events of poll(2) (0x3fff) and the flags. */
#define CR_EPOLL_EVENTS		(0x3fffU | CR_EPOLLEXCLUSIVE | CR_EPOLLWAKEUP | \
				 CR_EPOLLONESHOT | CR_EPOLLET)

/**
 * struct cr_file_pidfd - a pidfd (pidfd_open(2), CLONE_PIDFD), after its
 *	struct cr_rec_file (CR_FILE_PIDFD)
 * @task: the task index (in the tree record) of the task it names: a
 *	process's leader, or with CR_PIDFD_THREAD any task
 * @flags: CR_PIDFD_THREAD: it names a thread (PIDFD_THREAD)
 *
 * Restart makes it again for the restored task once every task of the
 * tree is made, before any returns to user space.
 */
struct cr_file_pidfd {
	__u32 task;
	__u32 flags;
};

#define CR_PIDFD_THREAD		(1U << 0)

/**
 * struct cr_file_inotify - an inotify file (inotify_init1(2)), after its
 *	struct cr_rec_file (CR_FILE_INOTIFY)
 * @nr_watches: its watches: as many CR_REC_INOTIFY records follow its
 *	file data records, at most CR_INOTIFY_WATCHES_MAX
 * @next_wd: where the search for the watch descriptor of its next
 *	inotify_add_watch(2) starts (the one after the last given out)
 * @events_len: the bytes of its queued events, as read(2) would return
 *	them (struct inotify_event, then the name padded with NULs to
 *	@len), at most CR_INOTIFY_EVENTS_MAX; they follow the file record in
 *	CR_REC_FILE_DATA records, without a gap
 *
 * Restart makes it again as inotify_init1(2) would, with the caller's
 * limits, adds each watch back with its descriptor once every file of
 * the image is open, then queues the events again (an overflow event if
 * they are more than fs.inotify.max_queued_events).
 */
struct cr_file_inotify {
	__u32 nr_watches;
	__s32 next_wd;
	__u64 events_len;
};

/**
 * struct cr_rec_inotify - a watch of an inotify file (CR_REC_INOTIFY),
 *	after the file data records of its file record; its path follows
 * @objref: the inotify file's
 * @wd: its watch descriptor, above the previous watch's
 * @mask: its events (IN_ALL_EVENTS) and flags (IN_EXCL_UNLINK,
 *	IN_ONESHOT), as inotify_add_watch(2) takes them
 * @path_len: the length of the path of the inode it watches, NUL
 *	included; restart looks it up without following a last symlink
 */
struct cr_rec_inotify {
	__u32 objref;
	__s32 wd;
	__u32 mask;
	__u32 path_len;
};

/**
 * struct cr_inotify_event - a queued inotify event, as read(2) returns it
 *	(struct inotify_event); its name follows, NUL-padded to @len bytes
 * @wd: its watch's descriptor (-1 for the overflow event)
 * @mask: what happened, CR_INOTIFY_EVENT_MASK
 * @cookie: what ties an IN_MOVED_FROM to its IN_MOVED_TO
 * @len: the bytes of its name with their padding, a multiple of 16 with at
 *	least one NUL; 0 for none
 */
struct cr_inotify_event {
	__s32 wd;
	__u32 mask;
	__u32 cookie;
	__u32 len;
};

/* The most watches of one inotify file. */
#define CR_INOTIFY_WATCHES_MAX	65536
/* The most bytes of queued events of one inotify file. */
#define CR_INOTIFY_EVENTS_MAX	(8U << 20)
/* What a watch's mask may hold: IN_ALL_EVENTS, IN_EXCL_UNLINK, IN_ONESHOT. */
#define CR_INOTIFY_MASK		0x84000fffU
/* What a queued event's mask may hold: IN_ALL_EVENTS, IN_UNMOUNT,
 * IN_Q_OVERFLOW, IN_IGNORED, IN_ISDIR.
 */
#define CR_INOTIFY_EVENT_MASK	0x4000efffU
#define CR_IN_Q_OVERFLOW	0x00004000U	/* the overflow event's mask */

/**
 * struct cr_file_mqueue - a POSIX message queue (mq_open(3)), after its
 *	struct cr_rec_file (CR_FILE_MQUEUE)
 * @maxmsg: its mq_maxmsg, 1 to CR_MQ_MAXMSG_MAX
 * @msgsize: its mq_msgsize, 1 to CR_MQ_MSGSIZE_MAX
 * @nr_msgs: its messages, at most @maxmsg; 0 in the records of its other
 *	open files, and in all of them if the process could not receive
 * @notify: CR_MQ_NOTIFY_NONE, or how the process @notify_task leads is
 *	notified (mq_notify(3)) when a message comes to the empty queue:
 *	CR_MQ_NOTIFY_SILENT (SIGEV_NONE) or CR_MQ_NOTIFY_SIGNAL (SIGEV_SIGNAL);
 *	in the record of one of its files only
 * @msgs_len: their bytes, each a struct cr_mq_msg then its bytes padded
 *	with zeros to a multiple of CR_ALIGN, in the order mq_receive(2)
 *	takes them; they follow the file record in CR_REC_FILE_DATA records,
 *	without a gap
 * @notify_task: the task index (in the tree record) of the leader of the
 *	process registered; 0 without @notify
 * @notify_signo: the signal of CR_MQ_NOTIFY_SIGNAL, 1 to CR_NSIG; else 0
 * @notify_value: its sigev_value
 *
 * The file record's @mode has its permission bits, its @flags the access
 * mode and O_NONBLOCK.  Restart opens the queue of that name in the
 * caller's IPC namespace, as mq_open(2) would as the caller: a queue that
 * exists is used as it is, with the messages it has now, as a file
 * reopened by its path has its own bytes (EEXIST if its @maxmsg or
 * @msgsize differ); one that does not is made again, with these permission
 * bits, attributes and messages, and removed again if the restart fails.
 * The process registered for its notification is registered again, once
 * made (EBUSY before the point of no return if another one is).  A
 * registration of a process outside the tree is not saved.
 */
struct cr_file_mqueue {
	__u32 maxmsg;
	__u32 msgsize;
	__u32 nr_msgs;
	__u32 notify;
	__u64 msgs_len;
	__u32 notify_task;
	__u32 notify_signo;
	__u64 notify_value;
};

/* enum cr_mq_notify: how a process registered for a queue is notified */
#define CR_MQ_NOTIFY_NONE	0	/* none is */
#define CR_MQ_NOTIFY_SILENT	1	/* SIGEV_NONE: registered, not told */
#define CR_MQ_NOTIFY_SIGNAL	2	/* SIGEV_SIGNAL */

/**
 * struct cr_mq_msg - a message of a POSIX message queue, in its file data
 * @prio: its priority, below CR_MQ_PRIO_MAX
 * @len: its length, at most the queue's @msgsize
 */
struct cr_mq_msg {
	__u32 prio;
	__u32 len;
};

/* The bounds of a POSIX message queue (HARD_MSGMAX, HARD_MSGSIZEMAX, MQ_PRIO_MAX). */
#define CR_MQ_MAXMSG_MAX	65536
#define CR_MQ_MSGSIZE_MAX	(16U << 20)
#define CR_MQ_PRIO_MAX		32768
/* The longest name of a queue, without its '/' (NAME_MAX). */
#define CR_MQ_NAME_MAX		255

/* enum cr_sock_state: what restart makes of a socket */
#define CR_SOCK_NEW		1	/* unbound, unconnected, as socket(2) makes it */
#define CR_SOCK_PAIR		2	/* one end of a connected pair whose other
					 * end the image holds: socketpair(2)
					 */
#define CR_SOCK_ORPHAN		3	/* one end of a pair whose other end was
					 * closed
					 */
#define CR_SOCK_LISTEN		4	/* listening (listen(2)), bound to its
					 * address, no connection waiting
					 */
#define CR_SOCK_TCP		5	/* an established TCP connection, made
					 * again in place as TCP repair does
					 */
#define CR_SOCK_STATE_MAX	CR_SOCK_TCP

#define CR_SOCK_PASSCRED	(1U << 0)	/* SO_PASSCRED */
#define CR_SOCK_PASSPIDFD	(1U << 1)	/* SO_PASSPIDFD */
#define CR_SOCK_SNDBUF		(1U << 2)	/* SO_SNDBUF was set: @sndbuf */
#define CR_SOCK_RCVBUF		(1U << 3)	/* SO_RCVBUF was set: @rcvbuf */
#define CR_SOCK_ACCEPTED	(1U << 4)	/* unix, accept(2)ed: @addr is its
						 * listener's, not bound
						 */
#define CR_SOCK_PENDING		(1U << 5)	/* unix, CR_SOCK_PAIR: the client of
						 * a connection not accept(2)ed
						 * yet: its listener's queue
						 * record makes the other end
						 */
#define CR_SOCK_FLAGS		0x3fU

/* The shutdown bits of struct cr_file_socket (shutdown(2)'s SHUT_RD, SHUT_WR + 1). */
#define CR_SOCK_SHUT_RD		(1U << 0)	/* no more receptions */
#define CR_SOCK_SHUT_WR		(1U << 1)	/* no more sendings */

/* The socket types restart makes (SOCK_* of <linux/net.h>). */
#define CR_SOCK_STREAM		1
#define CR_SOCK_DGRAM		2
#define CR_SOCK_SEQPACKET	5

/* The socket families restart makes. */
#define CR_AF_UNIX		1
#define CR_AF_INET		2
#define CR_AF_INET6		10

/* The protocols of INET sockets restart makes. */
#define CR_IPPROTO_TCP		6
#define CR_IPPROTO_UDP		17

/* The state of an INET socket (struct cr_file_socket's @inet_flags). */
#define CR_INET_BOUND		(1U << 0)	/* bound to @laddr, @lport */
#define CR_INET_CONNECTED	(1U << 1)	/* UDP: connected to @raddr, @rport */
#define CR_INET_REUSEADDR	(1U << 2)	/* SO_REUSEADDR */
#define CR_INET_REUSEPORT	(1U << 3)	/* SO_REUSEPORT */
#define CR_INET_BROADCAST	(1U << 4)	/* SO_BROADCAST */
#define CR_INET_KEEPALIVE	(1U << 5)	/* SO_KEEPALIVE */
#define CR_INET_V6ONLY		(1U << 6)	/* IPV6_V6ONLY */
#define CR_INET_NODELAY		(1U << 7)	/* TCP_NODELAY */
#define CR_INET_PKTINFO		(1U << 8)	/* UDP: IP_PKTINFO, IPV6_RECVPKTINFO */
#define CR_INET_CORK		(1U << 9)	/* TCP_CORK */
#define CR_INET_FLAGS		0x3ffU

/* The options a TCP connection negotiated (struct cr_file_socket's @tcp_flags). */
#define CR_TCP_SACK		(1U << 0)	/* SACK permitted */
#define CR_TCP_TSTAMP		(1U << 1)	/* timestamps, @timestamp its clock */
#define CR_TCP_WSCALE		(1U << 2)	/* window scaling, @snd_wscale, @rcv_wscale */
#define CR_TCP_FLAGS		0x7U
#define CR_TCP_MAX_WSCALE	14

/* The room for a unix socket address (its sun_path is 108 bytes). */
#define CR_UNIX_ADDR_MAX	112
/* The longest name of a TCP congestion control, NUL included. */
#define CR_TCP_CA_NAME_MAX	16
#define CR_UNIX_PATH_MAX	108

/**
 * struct cr_file_socket - a socket, after its struct cr_rec_file
 *	(CR_FILE_SOCKET); what a state does not use is 0
 * @family: CR_AF_UNIX, CR_AF_INET or CR_AF_INET6
 * @type: CR_SOCK_STREAM, CR_SOCK_DGRAM or CR_SOCK_SEQPACKET (unix only)
 * @state: CR_SOCK_*
 * @pair: CR_SOCK_PAIR: the pair's number, 1 for the first pair of the image,
 *	then one more; the first of its two file records makes both ends
 * @end: CR_SOCK_PAIR: 0 for the file record that makes the pair, 1 for the
 *	one that takes the other end, which must be of the same type
 * @flags: CR_SOCK_PASSCRED, CR_SOCK_PASSPIDFD, CR_SOCK_SNDBUF, CR_SOCK_RCVBUF,
 *	CR_SOCK_ACCEPTED, CR_SOCK_PENDING
 * @shutdown: CR_SOCK_SHUT_RD, CR_SOCK_SHUT_WR: what is shut down
 * @err: its pending error (SO_ERROR), 0 to 4095
 * @sndbuf: with CR_SOCK_SNDBUF, SO_SNDBUF as getsockopt(2) reads it
 * @rcvbuf: with CR_SOCK_RCVBUF, SO_RCVBUF as getsockopt(2) reads it
 * @rcvlowat: SO_RCVLOWAT, at least 1
 * @peek_off: SO_PEEK_OFF, -1 when off
 * @peer: the task index (in the tree record) of the process SO_PEERCRED
 *	names, CR_TREE_OUTSIDE for a process outside the image or none
 * @rcvtimeo_ns: SO_RCVTIMEO in nanoseconds, 0 for none
 * @sndtimeo_ns: SO_SNDTIMEO in nanoseconds, 0 for none
 * @queued: bytes it has queued to be read, in socket queue records right
 *	after its file record; at most CR_SOCK_QUEUE_MAX (a UDP socket's
 *	datagrams, each with its source address; a TCP connection's bytes)
 * @backlog: CR_SOCK_LISTEN: the backlog of listen(2)
 * @addr_len: bytes of @addr it is bound to, 0 if unbound
 * @addr: a unix socket's address, the sun_path of bind(2): an abstract
 *	name (a zero byte, then the name; autobind(7) names too), or an
 *	absolute path, its NUL included; restart binds it again,
 *	-EADDRINUSE if taken (a socket file at the path that no socket is
 *	bound to any more, the original's, is unlinked first).  With
 *	CR_SOCK_ACCEPTED, the name of the listener it was accepted from, as
 *	that was bound (a path may be relative), which restart gives it
 *	without binding
 * @protocol: an INET socket's: CR_IPPROTO_TCP (a stream: unconnected or
 *	listening) or CR_IPPROTO_UDP (a datagram socket); 0 for unix
 * @inet_flags: an INET socket's CR_INET_*
 * @lport: the local port it is bound to (host order)
 * @rport: the port it is connected to
 * @__reserved: zero
 * @laddr: the local address it is bound to: an IPv4 address in the first
 *	4 bytes (the rest zero), or an IPv6 address
 * @raddr: the address it is connected to, likewise
 * @tcp_flags: CR_SOCK_TCP: CR_TCP_*, the options the connection uses
 * @mss: CR_SOCK_TCP: the largest segment the peer takes (its MSS option)
 * @snd_wscale: CR_SOCK_TCP, with CR_TCP_WSCALE: the peer's window scale
 * @rcv_wscale: CR_SOCK_TCP, with CR_TCP_WSCALE: ours
 * @timestamp: CR_SOCK_TCP, with CR_TCP_TSTAMP: its timestamp clock now
 *	(TCP_TIMESTAMP)
 * @snd_seq: CR_SOCK_TCP: the sequence number of the first byte not
 *	acknowledged by the peer, the first of its send queue
 * @rcv_seq: CR_SOCK_TCP: the sequence number of the first byte received
 *	and not read, the first of its receive queue
 * @outq: CR_SOCK_TCP: bytes in its send queue (sent and not acknowledged,
 *	or not sent yet); they follow the @queued bytes of its receive
 *	queue in the socket queue records
 * @snd_wl1: CR_SOCK_TCP: the window of TCP_REPAIR_WINDOW: snd_wl1,
 * @snd_wnd: snd_wnd,
 * @max_window: max_window,
 * @rcv_wnd: rcv_wnd,
 * @rcv_wup: rcv_wup
 * @peer_len: CR_SOCK_NEW, a unix datagram socket connected (connect(2)) to
 *	a bound socket that is not connected back to it (a syslog daemon's
 *	/dev/log): bytes of @peer_addr; 0 otherwise
 * @peer_addr: the name of that socket, as @addr
 * @keepidle: TCP: TCP_KEEPIDLE in seconds, 0 if not set (the sysctl's)
 * @keepintvl: TCP_KEEPINTVL in seconds, 0 if not set
 * @keepcnt: TCP_KEEPCNT, 0 if not set
 * @user_timeout: TCP_USER_TIMEOUT in milliseconds, 0 if not set
 * @notsent_lowat: TCP_NOTSENT_LOWAT, 0 if not set
 * @defer_accept: TCP_DEFER_ACCEPT (a listener's, or set before listen(2)
 *	or connect(2)) in seconds, as getsockopt(2) reads it; 0 if not set
 * @congestion: TCP_CONGESTION, NUL-terminated, if not the network
 *	namespace's default; empty otherwise
 *
 * Restart makes it as the caller would with socket(2) or socketpair(2),
 * bind(2) and listen(2) (connect(2) to @peer_addr once every socket of the
 * image is made), puts back what it has queued, then sets its
 * options (a buffer size above the caller's net.core limits needs
 * CAP_NET_ADMIN: -EPERM) and its shutdown state.
 */
struct cr_file_socket {
	__u16 family;
	__u16 type;
	__u32 state;
	__u32 pair;
	__u32 end;
	__u32 flags;
	__u32 shutdown;
	__u32 err;
	__u32 sndbuf;
	__u32 rcvbuf;
	__u32 rcvlowat;
	__s32 peek_off;
	__u32 peer;
	__s64 rcvtimeo_ns;
	__s64 sndtimeo_ns;
	__u64 queued;
	__u32 backlog;
	__u32 addr_len;
	__u8 addr[CR_UNIX_ADDR_MAX];
	__u32 protocol;
	__u32 inet_flags;
	__u16 lport;
	__u16 rport;
	__u32 __reserved;
	__u8 laddr[16];
	__u8 raddr[16];
	__u32 tcp_flags;
	__u16 mss;
	__u8 snd_wscale;
	__u8 rcv_wscale;
	__u32 timestamp;
	__u32 snd_seq;
	__u32 rcv_seq;
	__u32 outq;
	__u32 snd_wl1;
	__u32 snd_wnd;
	__u32 max_window;
	__u32 rcv_wnd;
	__u32 rcv_wup;
	__u32 peer_len;
	__u8 peer_addr[CR_UNIX_ADDR_MAX];
	__u32 keepidle;
	__u32 keepintvl;
	__u32 keepcnt;
	__u32 user_timeout;
	__u32 notsent_lowat;
	__u32 defer_accept;
	char congestion[CR_TCP_CA_NAME_MAX];
};

/* The most a TCP option of struct cr_file_socket may be (those of <net/tcp.h>). */
#define CR_TCP_KEEPIDLE_MAX	32767
#define CR_TCP_KEEPINTVL_MAX	32767
#define CR_TCP_KEEPCNT_MAX	127

/* The uid and gid of a queued message without credentials. */
#define CR_SOCK_NO_ID		0xffffffffU

/* The most bytes a socket has queued in an image: checkpoint refuses more (EFBIG). */
#define CR_SOCK_QUEUE_MAX	(64ULL << 20)

/* The longest message: a datagram, or a piece of a stream. */
#define CR_SOCK_MSG_MAX		(512U << 10)

/**
 * struct cr_rec_sock_queue - messages a socket has queued to be read
 *	(CR_REC_SOCK_QUEUE), right after its file record or the queue record
 *	before; in the order they are read
 * @objref: the socket's file record
 * @nr: number of messages in this record, at least 1: each a struct
 *	cr_sock_msg, then its bytes, then zeros up to a multiple of 8 bytes
 */
struct cr_rec_sock_queue {
	__u32 objref;
	__u32 nr;
};

/**
 * struct cr_sock_msg - a message queued on a socket
 * @len: its bytes, 1 to CR_SOCK_MSG_MAX (0 for an empty datagram)
 * @uid: the sender's user id (SCM_CREDENTIALS), as the checkpointer saw it;
 *	CR_SOCK_NO_ID with @gid for a message without credentials (sent while
 *	neither end had SO_PASSCRED; always on an INET socket)
 * @gid: the sender's group id, CR_SOCK_NO_ID with @uid
 * @sender: the task index (in the tree record) of the sending process,
 *	CR_TREE_OUTSIDE for a process outside the image (always on an INET
 *	socket): SCM_CREDENTIALS then reads pid 0 after restart
 * @port: a UDP datagram's source port (host order); 0 otherwise
 * @flags: CR_SOCK_MSG_CONN on a unix listener's queue; 0 otherwise
 * @pair: CR_SOCK_MSG_CONN: the pair its client is the other end of (the
 *	client's file record has CR_SOCK_PENDING), 0 for a client that
 *	closed; 0 otherwise
 * @addr: a UDP datagram's source address, as struct cr_file_socket's
 *	@laddr (an IPv4 source on an IPv6 socket as a v4-mapped address);
 *	zero otherwise
 *
 * A stream's messages are the pieces it was written in; read(2) joins
 * those of the same sender.  A unix listener's queue holds its connections
 * not accept(2)ed yet, in the order accept(2) takes them: each a message
 * with CR_SOCK_MSG_CONN and no bytes (@sender: the connecting process,
 * SO_PEERCRED of the accepted socket), then the messages its client sent.
 * Restart refuses credentials the caller could not send itself (-EPERM),
 * as SCM_CREDENTIALS does.  A UDP datagram is queued again as if it had
 * just arrived from @addr, @port.
 */
struct cr_sock_msg {
	__u32 len;
	__u32 uid;
	__u32 gid;
	__u32 sender;
	__u16 port;
	__u16 flags;
	__u32 pair;
	__u8 addr[16];
};

#define CR_SOCK_MSG_CONN	(1U << 0)	/* a connection not accept(2)ed yet */

#define CR_FD_CLOEXEC		(1U << 0)

/**
 * struct cr_rec_fd - one file descriptor
 * @fd: its number; fd records come in increasing order
 * @objref: the file object, from an earlier CR_REC_FILE
 * @flags: CR_FD_*
 * @__reserved: zero
 */
struct cr_rec_fd {
	__u32 fd;
	__u32 objref;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct cr_rec_fs - filesystem context
 * @umask: the file mode creation mask
 * @cwd_len: length of the working directory's path after this struct,
 *	NUL included
 */
struct cr_rec_fs {
	__u32 umask;
	__u32 cwd_len;
};

#define CR_NSIG			64
#define CR_RLIM_NLIMITS		16
#define CR_MAX_PENDING		4096

/**
 * struct cr_sigaction - the disposition of one signal
 * @handler: SIG_DFL (0), SIG_IGN (1) or the handler's address
 * @flags: SA_* flags
 * @restorer: sa_restorer
 * @mask: signals blocked while the handler runs
 */
struct cr_sigaction {
	__u64 handler;
	__u64 flags;
	__u64 restorer;
	__u64 mask;
};

/**
 * struct cr_rlimit - one resource limit
 * @cur: soft limit
 * @max: hard limit; restart never raises a hard limit above the caller's
 *	unless the caller has CAP_SYS_RESOURCE
 */
struct cr_rlimit {
	__u64 cur;
	__u64 max;
};

/**
 * struct cr_siginfo - a pending signal
 * @sig: its number
 * @shared: 1 if pending for the whole process, 0 for the thread
 * @info: the first 48 bytes of its siginfo_t (all the kernel keeps)
 */
struct cr_siginfo {
	__u32 sig;
	__u32 shared;
	__u8 info[48];
};

/**
 * struct cr_itimer - one interval timer (setitimer(2))
 * @value_ns: time left until it fires, 0 if disarmed
 * @interval_ns: its period
 */
struct cr_itimer {
	__u64 value_ns;
	__u64 interval_ns;
};

/* Flags of a signals record. */
#define CR_SIGNALS_SUBREAPER	(1U << 1)	/* PR_SET_CHILD_SUBREAPER */

/**
 * struct cr_rec_signals - a process's signal state and resource limits
 * @flags: CR_SIGNALS_*
 * @oom_score_adj: /proc/PID/oom_score_adj, -1000..1000; a lower one than
 *	the restarter may set needs CAP_SYS_RESOURCE
 * @nr_pending: number of struct cr_siginfo after this struct: the signals
 *	pending for the whole process (shared 1)
 * @__reserved: zero
 * @action: dispositions of signals 1..CR_NSIG, at index signal - 1
 * @rlim: resource limits, RLIMIT_* order
 * @itimer: ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF; the time left goes on
 *	from restart
 */
struct cr_rec_signals {
	__u32 flags;
	__s32 oom_score_adj;
	__u32 nr_pending;
	__u32 __reserved;
	struct cr_sigaction action[CR_NSIG];
	struct cr_rlimit rlim[CR_RLIM_NLIMITS];
	struct cr_itimer itimer[3];
};

/* Flags of a sigstate record. */
#define CR_SIGSTATE_SAVED_MASK	(1U << 0)	/* @saved_blocked is in force */

/**
 * struct cr_rec_sigstate - a thread's signal state
 * @blocked: blocked signals, bit n-1 for signal n
 * @saved_blocked: with CR_SIGSTATE_SAVED_MASK, the mask a call that blocks
 *	with a temporary one (sigsuspend, ppoll, pselect6, epoll_pwait,
 *	io_pgetevents) restores when it returns: @blocked is then the
 *	temporary mask; 0 otherwise
 * @flags: CR_SIGSTATE_*
 * @nr_pending: number of struct cr_siginfo after this struct: the signals
 *	pending for this thread (shared 0)
 * @sas_sp: sigaltstack base
 * @sas_size: its size
 * @sas_flags: SS_DISABLE, or 0 / SS_AUTODISARM for an enabled stack
 * @__reserved: zero
 */
struct cr_rec_sigstate {
	__u64 blocked;
	__u64 saved_blocked;
	__u32 flags;
	__u32 nr_pending;
	__u64 sas_sp;
	__u64 sas_size;
	__u32 sas_flags;
	__u32 __reserved;
};

/*
 * enum cr_timer_clock: the clock of a timer record.  The first four are
 * the values of the CLOCK_* ids; the CPU clocks are those of the task
 * itself (a timer on another process's CPU clock is refused at
 * checkpoint): CR_TIMER_CLOCK_CPU plus CPUCLOCK_PROF (0), CPUCLOCK_VIRT
 * (1) or CPUCLOCK_SCHED (2), plus CR_TIMER_CLOCK_THREAD for the thread's.
 */
#define CR_TIMER_CLOCK_REALTIME		0	/* CLOCK_REALTIME */
#define CR_TIMER_CLOCK_MONOTONIC	1	/* CLOCK_MONOTONIC */
#define CR_TIMER_CLOCK_BOOTTIME		7	/* CLOCK_BOOTTIME */
#define CR_TIMER_CLOCK_TAI		11	/* CLOCK_TAI */
#define CR_TIMER_CLOCK_CPU		16
#define CR_TIMER_CLOCK_THREAD		4
#define CR_TIMER_CLOCK_PROCESS_PROF	16	/* user and system time */
#define CR_TIMER_CLOCK_PROCESS_VIRT	17	/* user time */
#define CR_TIMER_CLOCK_PROCESS_CPUTIME	18	/* CLOCK_PROCESS_CPUTIME_ID */
#define CR_TIMER_CLOCK_THREAD_PROF	20
#define CR_TIMER_CLOCK_THREAD_VIRT	21
#define CR_TIMER_CLOCK_THREAD_CPUTIME	22	/* CLOCK_THREAD_CPUTIME_ID */

/* How a timer notifies: the sigev_notify values of sigevent(7). */
#define CR_SIGEV_SIGNAL		0	/* a signal to the process */
#define CR_SIGEV_NONE		1	/* none: the timer is read with timer_gettime() */
#define CR_SIGEV_THREAD		2	/* as CR_SIGEV_SIGNAL (the C library's
					 * SIGEV_THREAD never reaches the kernel)
					 */
#define CR_SIGEV_THREAD_ID	4	/* a signal to the thread: the task itself */

/* Flags of a timer record. */
#define CR_TIMER_PENDING	(1U << 0)	/* its signal is pending */
#define CR_TIMER_REARM		(1U << 1)	/* the timer waits for that signal to
						 * be dequeued to run again
						 */

/**
 * struct cr_rec_timer - a POSIX timer (timer_create(2))
 * @id: its id, 0 to 2^31-1; timer records come in increasing id order
 * @clock: CR_TIMER_CLOCK_*
 * @notify: CR_SIGEV_*
 * @signo: the signal it sends, 1 to CR_NSIG; with CR_SIGEV_NONE, whatever
 *	the creator gave (never sent)
 * @value: the sigev_value its signal carries (si_value)
 * @value_ns: time left until it expires, 0 if disarmed; with
 *	CR_TIMER_REARM, until the expiry after the pending signal's
 *	(timer_gettime(2)); the time runs on from restart
 * @interval_ns: its period, 0 for a one-shot timer
 * @overrun: what timer_getoverrun(2) returns, 0 to 2^31-1
 * @expired: the expirations counted since it was armed or re-armed, not
 *	yet reported (the kernel's it_overrun + 1): the next signal reports
 *	them, less one, in si_overrun; at most 2^31-1
 * @sig_overrun: with CR_TIMER_PENDING, the si_overrun the pending signal
 *	carries already (expirations while it was queued); 0 otherwise
 * @flags: CR_TIMER_*
 *
 * A pending signal of a timer is in its timer record, not in the signals
 * record: restart queues it again as the timer's own, so that its
 * delivery re-arms an interval timer and reports its overruns.
 */
struct cr_rec_timer {
	__u32 id;
	__u32 clock;
	__u32 notify;
	__u32 signo;
	__u64 value;
	__u64 value_ns;
	__u64 interval_ns;
	__u32 overrun;
	__u32 expired;
	__u32 sig_overrun;
	__u32 flags;
};

/*
 * Flags of checkpoint(2) and restart(2): any other set bit makes the call
 * fail with EINVAL.
 */
#define CR_CHECKPOINT_FREEZE	(1UL << 0)	/* freeze the running tasks of the
						 * tree for the dump, as the cgroup
						 * freezer does, and thaw them after
						 */
#define CR_CHECKPOINT_KILL	(1UL << 1)	/* kill the tree after a successful
						 * dump, before it runs
						 */
#define CR_CHECKPOINT_ROOT_ONLY	(1UL << 2)	/* the root's process alone, not
						 * its children
						 */
/*
 * The largest memfd or deleted file whose bytes the image may hold is
 * 1 << @shift bytes, @shift from 1 to CR_CONTENT_MAX_SHIFT; 0 (no such
 * bits): CR_CONTENT_DEFAULT.
 */
#define CR_CHECKPOINT_CONTENT_SHIFT	8
#define CR_CHECKPOINT_CONTENT_MASK	(0x3fUL << CR_CHECKPOINT_CONTENT_SHIFT)
#define CR_CHECKPOINT_CONTENT(shift)	((unsigned long)(shift) << CR_CHECKPOINT_CONTENT_SHIFT)
#define CR_CHECKPOINT_FLAGS	(CR_CHECKPOINT_FREEZE | CR_CHECKPOINT_KILL | \
				 CR_CHECKPOINT_ROOT_ONLY | CR_CHECKPOINT_CONTENT_MASK)

#define CR_RESTART_ARGS		(1UL << 0)	/* the fourth argument points to a
						 * struct cr_restart_args
						 */
#define CR_RESTART_CHILD	(1UL << 1)	/* the root is a new child of the
						 * caller; restart returns its pid
						 */
#define CR_RESTART_NEW_PIDS	(1UL << 2)	/* the tasks get new pids */
/* with CR_RESTART_CHILD: the root is the init of a new pid namespace (a CR_TREE_PIDNS image) */
#define CR_RESTART_PIDNS	(1UL << 3)
/* with CR_RESTART_CHILD: the tree gets a new UTS namespace (a CR_TREE_UTSNS image) */
#define CR_RESTART_UTSNS	(1UL << 4)
/* with CR_RESTART_CHILD: the tree gets a new IPC namespace (a CR_TREE_IPCNS image) */
#define CR_RESTART_IPCNS	(1UL << 5)
#define CR_RESTART_FLAGS	(CR_RESTART_ARGS | CR_RESTART_CHILD | CR_RESTART_NEW_PIDS | \
				 CR_RESTART_PIDNS | CR_RESTART_UTSNS | CR_RESTART_IPCNS)

#define CR_INHERIT_MAX		256

/**
 * struct cr_inherit - a file the restarter hands in
 * @fd: the restarter's fd
 * @__reserved: zero
 * @key: user address of a NUL-terminated string: the path (or, for
 *	CR_FILE_INHERIT, the key) of the file records @fd stands for
 */
struct cr_inherit {
	__s32 fd;
	__u32 __reserved;
	__u64 key;
};

/**
 * struct cr_restart_args - restart(2)'s fourth argument, with CR_RESTART_ARGS
 * @nr_inherit: number of struct cr_inherit at @inherit, at most
 *	CR_INHERIT_MAX; each must match a file record of the image
 * @__reserved: zero
 * @inherit: user address of the struct cr_inherit array
 */
struct cr_restart_args {
	__u32 nr_inherit;
	__u32 __reserved;
	__u64 inherit;
};

#endif /* _UAPI_LINUX_CHECKPOINT_H */
