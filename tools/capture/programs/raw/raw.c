/* Raw process-creation syscalls (x86_64), one behaviour per subcommand.
 *
 * vfork and CLONE_VM|CLONE_VFORK children share the parent's memory and, for
 * vfork, its stack: a child that returned from a libc function such as
 * syscall() would pop the frame the suspended parent still needs. So the
 * vfork paths issue the `syscall` instruction inline (always_inline helpers
 * below) and the child touches only volatile memory before exec or exit,
 * while clone3 with a new stack goes through a small assembly trampoline
 * that calls the child function on that stack. Everything else uses
 * syscall(2) from libc.
 *
 * Each subcommand prints a deterministic summary (errno names, statuses,
 * yes/no facts; never pids or addresses). stdout is flushed before every
 * process creation so no buffered text is duplicated or reordered.
 * Catalogue ids: shared/docs/linux-semantics.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static const char *err_name(int e) {
  const char *n = strerrorname_np(e);
  return n != NULL ? n : "E?";
}

static const char *status_text(int status) {
  static char buf[64];
  if (WIFEXITED(status))
    snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    snprintf(buf, sizeof buf, "killed by SIG%s%s", sigabbrev_np(WTERMSIG(status)), WCOREDUMP(status) ? " (core dumped)" : "");
  else
    snprintf(buf, sizeof buf, "status 0x%x", status);
  return buf;
}

/* ---- inline syscalls: no call/ret, safe in a child that shares our stack ---- */

static inline __attribute__((always_inline)) long sys0(long nr) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "0"(nr) : "rcx", "r11", "memory");
  return ret;
}

static inline __attribute__((always_inline)) long sys1(long nr, long a) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "0"(nr), "D"(a) : "rcx", "r11", "memory");
  return ret;
}

static inline __attribute__((always_inline)) long sys2(long nr, long a, long b) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "0"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
  return ret;
}

static inline __attribute__((always_inline)) long sys3(long nr, long a, long b, long c) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "0"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return ret;
}

/* long clone3_run(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);
 * Parent: returns the raw result (pid or -errno). Child: calls fn(arg) on
 * whatever stack the kernel gave it and exits (SYS_exit) with its result. */
long clone3_run(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);
__asm__(".text\n"
        ".globl clone3_run\n"
        ".type clone3_run,@function\n"
        "clone3_run:\n"
        "  mov %rdx, %r8\n" /* fn: r8/r9 survive the syscall and are copied to the child */
        "  mov %rcx, %r9\n" /* arg */
        "  mov $435, %eax\n" /* __NR_clone3 */
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  xor %ebp, %ebp\n" /* child: outermost frame */
        "  mov %r9, %rdi\n"
        "  call *%r8\n"
        "  mov %eax, %edi\n"
        "  mov $60, %eax\n" /* __NR_exit */
        "  syscall\n"
        "  hlt\n"
        "1:\n"
        "  ret\n"
        ".size clone3_run, .-clone3_run\n");

static char *const true_argv[] = {"true", NULL};
static char *const empty_envp[] = {NULL};

static void *new_stack(size_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    exit(1);
  }
  return p;
}

/* ---- vfork ---- */

static volatile int global_written = 0;

/* A9, A1: the vfork child writes a global and a stack slot of the parent's
 * frame, then exits; the parent, released by the exit, reads both. */
static int cmd_vfork_shared(void) {
  volatile int on_stack = 1;
  fflush(stdout);
  long pid = sys0(SYS_vfork);
  if (pid == 0) {
    on_stack = 2;
    global_written = 42;
    sys1(SYS_exit, 7);
  }
  if (pid < 0) {
    printf("vfork = %s\n", err_name((int)-pid));
    return 1;
  }
  printf("vfork returned a pid; parent reads global=%d stack=%d\n", global_written, on_stack);
  int status;
  waitpid((pid_t)pid, &status, 0);
  printf("child %s\n", status_text(status));
  return 0;
}

/* A3 then A2: the first execve fails (the parent stays suspended), the child
 * stores the errno in shared memory and execs /bin/true, which releases it. */
static volatile long first_exec_result = 0;

static int cmd_vfork_exec(void) {
  fflush(stdout);
  long pid = sys0(SYS_vfork);
  if (pid == 0) {
    first_exec_result = sys3(SYS_execve, (long)"/nonexistent/prog", (long)true_argv, (long)empty_envp);
    long r = sys3(SYS_execve, (long)"/bin/true", (long)true_argv, (long)empty_envp);
    sys1(SYS_exit, (int)(100 - r)); /* only if /bin/true could not run */
  }
  if (pid < 0) {
    printf("vfork = %s\n", err_name((int)-pid));
    return 1;
  }
  printf("child's failed execve, seen in shared memory: %s\n", first_exec_result < 0 ? err_name((int)-first_exec_result) : "succeeded?");
  int status;
  waitpid((pid_t)pid, &status, 0);
  printf("child (second execve: /bin/true) %s\n", status_text(status));
  return 0;
}

/* A5: a vfork child killed by a signal (it sends itself SIGTERM) releases the parent. */
static int cmd_vfork_killed(void) {
  fflush(stdout);
  long pid = sys0(SYS_vfork);
  if (pid == 0) {
    sys2(SYS_kill, sys0(SYS_getpid), SIGTERM);
    sys1(SYS_exit, 99); /* not reached: SIGTERM's default action ends the child */
  }
  if (pid < 0) {
    printf("vfork = %s\n", err_name((int)-pid));
    return 1;
  }
  int status;
  waitpid((pid_t)pid, &status, 0);
  printf("vfork returned after the child died; child %s\n", status_text(status));
  return 0;
}

/* ---- legacy clone and clone3 with CLONE_VM|CLONE_VFORK on a new stack ---- */

static int child_writes_and_returns(void *arg) {
  *(volatile int *)arg = 1234;
  return 7;
}

/* C4, A1: glibc's clone() wrapper issues the legacy clone syscall with the
 * new stack; the child returns 7 from its function, which becomes _exit(7). */
static int cmd_clone_vfork(void) {
  const size_t size = 64 * 1024;
  char *stack = new_stack(size);
  static volatile int shared = 0;
  fflush(stdout);
  int pid = clone(child_writes_and_returns, stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD, (void *)&shared);
  if (pid < 0) {
    printf("clone = %s\n", err_name(errno));
    return 1;
  }
  printf("clone returned; parent reads the child's write: %d\n", shared);
  int status;
  waitpid(pid, &status, 0);
  printf("child %s\n", status_text(status));
  return 0;
}

static int child_writes_and_execs(void *arg) {
  *(volatile int *)arg = 5678;
  long r = syscall(SYS_execve, "/bin/true", true_argv, empty_envp);
  return r == 0 ? 0 : 100 + errno;
}

/* G1-shaped clone3: CLONE_VM|CLONE_VFORK, exit_signal SIGCHLD, its own stack;
 * the child writes parent memory and execs /bin/true, which releases the parent. */
static int cmd_clone3_vfork(void) {
  const size_t size = 64 * 1024;
  char *stack = new_stack(size);
  static volatile int shared = 0;
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_VM | CLONE_VFORK;
  args.exit_signal = SIGCHLD;
  args.stack = (uint64_t)(uintptr_t)stack;
  args.stack_size = size;
  fflush(stdout);
  long pid = clone3_run(&args, sizeof args, child_writes_and_execs, (void *)&shared);
  if (pid < 0) {
    printf("clone3 = %s\n", err_name((int)-pid));
    return 1;
  }
  printf("clone3 returned after the child's execve; parent reads the child's write: %d\n", shared);
  int status;
  waitpid((pid_t)pid, &status, 0);
  printf("child %s\n", status_text(status));
  return 0;
}

static int child_exits_99(void *arg) {
  (void)arg;
  return 99;
}

/* One clone3 call expected to fail; a child, if one is created anyway, exits 99 at once. */
static void clone3_expect_error(const char *label, void *args, size_t size) {
  fflush(stdout);
  long r = clone3_run(args, size, child_exits_99, NULL);
  if (r < 0) {
    printf("%s: %s\n", label, err_name((int)-r));
  } else {
    int status;
    waitpid((pid_t)r, &status, __WALL);
    printf("%s: succeeded (child %s)\n", label, status_text(status));
  }
}

/* B2, B20, B12, B13, B10, B5, B6: argument checks; no process is created. */
static int cmd_clone3_errors(void) {
  struct clone_args a;
  char *stack = new_stack(4096);

  memset(&a, 0, sizeof a);
  a.exit_signal = SIGCHLD;
  clone3_expect_error("size 63 (below CLONE_ARGS_SIZE_VER0), B2", &a, 63);

  memset(&a, 0, sizeof a);
  a.exit_signal = SIGCHLD;
  a.stack = (uint64_t)(uintptr_t)stack;
  a.stack_size = 0;
  clone3_expect_error("stack without stack_size, B20", &a, sizeof a);

  memset(&a, 0, sizeof a);
  a.flags = CLONE_SIGHAND;
  a.exit_signal = SIGCHLD;
  clone3_expect_error("CLONE_SIGHAND without CLONE_VM, B12", &a, sizeof a);

  memset(&a, 0, sizeof a);
  a.flags = CLONE_THREAD;
  clone3_expect_error("CLONE_THREAD without CLONE_SIGHAND, B13", &a, sizeof a);

  memset(&a, 0, sizeof a);
  a.exit_signal = 65;
  clone3_expect_error("exit_signal 65, B10", &a, sizeof a);

  /* A 96-byte struct whose bytes past the known 88 are not all zero. */
  unsigned char big[96];
  memset(big, 0, sizeof big);
  ((struct clone_args *)(void *)big)->exit_signal = SIGCHLD;
  big[95] = 1;
  clone3_expect_error("size 96 with a non-zero trailing byte, B5", big, sizeof big);

  clone3_expect_error("NULL args, B6", NULL, sizeof a);
  return 0;
}

/* E28: children whose exit signal is not SIGCHLD are invisible to plain waits;
 * __WCLONE and __WALL reap them. The exit_signal-0 child sends no signal;
 * the SIGUSR1 child sends SIGUSR1 (both signals are blocked so they stay pending). */
static int child_exits_arg(void *arg) {
  return (int)(intptr_t)arg;
}

static int cmd_exit_signal(void) {
  sigset_t block, pending;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, NULL);
  struct clone_args a;
  int status;

  memset(&a, 0, sizeof a);
  a.exit_signal = 0;
  fflush(stdout);
  long pid = clone3_run(&a, sizeof a, child_exits_arg, (void *)(intptr_t)5);
  if (pid < 0) {
    printf("clone3 exit_signal=0 = %s\n", err_name((int)-pid));
    return 1;
  }
  pid_t r = waitpid((pid_t)pid, &status, 0);
  printf("exit_signal 0: waitpid(pid, 0) = %s\n", r < 0 ? err_name(errno) : "reaped?");
  r = waitpid((pid_t)pid, &status, __WCLONE);
  printf("exit_signal 0: waitpid(pid, __WCLONE) = %s, child %s\n", r == pid ? "pid" : err_name(errno), status_text(status));
  sigpending(&pending);
  printf("exit_signal 0: SIGCHLD pending=%s\n", sigismember(&pending, SIGCHLD) ? "yes" : "no");

  memset(&a, 0, sizeof a);
  a.exit_signal = SIGUSR1;
  fflush(stdout);
  pid = clone3_run(&a, sizeof a, child_exits_arg, (void *)(intptr_t)6);
  if (pid < 0) {
    printf("clone3 exit_signal=SIGUSR1 = %s\n", err_name((int)-pid));
    return 1;
  }
  r = waitpid(-1, &status, 0);
  printf("exit_signal SIGUSR1: waitpid(-1, 0) = %s\n", r < 0 ? err_name(errno) : "reaped?");
  r = waitpid((pid_t)pid, &status, __WALL);
  printf("exit_signal SIGUSR1: waitpid(pid, __WALL) = %s, child %s\n", r == pid ? "pid" : err_name(errno), status_text(status));
  sigpending(&pending);
  printf("exit_signal SIGUSR1: SIGUSR1 pending=%s, SIGCHLD pending=%s\n", sigismember(&pending, SIGUSR1) ? "yes" : "no",
         sigismember(&pending, SIGCHLD) ? "yes" : "no");
  return 0;
}

/* C18: CLONE_PIDFD gives a close-on-exec pidfd; waitid(P_PIDFD) reaps through it. */
static int cmd_pidfd(void) {
  struct clone_args a;
  int pidfd = -1;
  memset(&a, 0, sizeof a);
  a.flags = CLONE_PIDFD;
  a.pidfd = (uint64_t)(uintptr_t)&pidfd;
  a.exit_signal = SIGCHLD;
  fflush(stdout);
  long pid = clone3_run(&a, sizeof a, child_exits_arg, (void *)(intptr_t)9);
  if (pid < 0) {
    printf("clone3 CLONE_PIDFD = %s\n", err_name((int)-pid));
    return 1;
  }
  int fdflags = fcntl(pidfd, F_GETFD);
  printf("pidfd valid=%s, FD_CLOEXEC=%s\n", pidfd >= 0 ? "yes" : "no", fdflags >= 0 && (fdflags & FD_CLOEXEC) ? "yes" : "no");
  siginfo_t si;
  memset(&si, 0, sizeof si);
  long r = syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED, NULL);
  printf("waitid(P_PIDFD) = %ld, si_code=%s, si_status=%d, si_pid matches=%s\n", r, si.si_code == CLD_EXITED ? "CLD_EXITED" : "other",
         si.si_status, si.si_pid == pid ? "yes" : "no");
  r = syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED, NULL);
  printf("second waitid(P_PIDFD) = %s\n", r < 0 ? err_name(errno) : "0?");
  close(pidfd);
  return 0;
}

/* ---- fork-like children (their own memory: libc calls are safe) ---- */

/* E1, E25: a forked child blocks in pause(); the parent SIGKILLs it and reads the status. */
static int cmd_fork_sigkill(void) {
  int ready[2];
  if (pipe(ready) != 0) return 1;
  fflush(stdout);
  long pid = syscall(SYS_fork);
  if (pid == 0) {
    close(ready[0]);
    if (write(ready[1], "r", 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(ready[1]);
  char c;
  if (read(ready[0], &c, 1) != 1) return 1; /* the child is running */
  kill((pid_t)pid, SIGKILL);
  int status;
  pid_t r = wait4((pid_t)pid, &status, 0, NULL);
  printf("wait4 = %s, raw status 0x%x, %s\n", r == pid ? "pid" : err_name(errno), status, status_text(status));
  return 0;
}

/* E21: WNOWAIT leaves the zombie waitable; the next waitid reaps it; a third is ECHILD. */
static int cmd_waitid_wnowait(void) {
  fflush(stdout);
  long pid = syscall(SYS_fork);
  if (pid == 0) _exit(42);
  siginfo_t si;
  for (int round = 0; round < 3; round++) {
    int options = round == 0 ? WEXITED | WNOWAIT : WEXITED;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, (id_t)pid, &si, options);
    if (r < 0)
      printf("waitid #%d (%s): %s\n", round + 1, round == 0 ? "WEXITED|WNOWAIT" : "WEXITED", err_name(errno));
    else
      printf("waitid #%d (%s): si_code=%s si_status=%d\n", round + 1, round == 0 ? "WEXITED|WNOWAIT" : "WEXITED",
             si.si_code == CLD_EXITED ? "CLD_EXITED" : "other", si.si_status);
  }
  return 0;
}

/* E34: A is a subreaper; A forks B, B forks C, B exits; C is reparented to A
 * (getppid() == A) and A reaps C with a plain wait. */
static int cmd_subreaper(void) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    printf("PR_SET_CHILD_SUBREAPER = %s\n", err_name(errno));
    return 1;
  }
  pid_t a = getpid();
  int report[2], b_alive[2];
  if (pipe(report) != 0 || pipe(b_alive) != 0) return 1;
  fflush(stdout);
  long b = syscall(SYS_fork);
  if (b == 0) {
    long c = syscall(SYS_fork);
    if (c == 0) {
      close(b_alive[1]);
      char x;
      /* EOF once B (the only writer left) has exited. */
      while (read(b_alive[0], &x, 1) > 0) {
      }
      char answer = getppid() == a ? 'y' : 'n';
      if (write(report[1], &answer, 1) != 1) _exit(1);
      _exit(3);
    }
    _exit(0);
  }
  close(b_alive[0]);
  close(b_alive[1]);
  close(report[1]);
  int status;
  waitpid((pid_t)b, &status, 0);
  printf("B %s\n", status_text(status));
  char answer = '?';
  if (read(report[0], &answer, 1) != 1) answer = '?';
  printf("C reparented to the subreaper: %s\n", answer == 'y' ? "yes" : "no");
  pid_t r = wait(&status);
  printf("plain wait reaps C: %s, C %s\n", r > 0 ? "yes" : err_name(errno), status_text(status));
  return 0;
}

/* D14: the exec-status pipe. The child writes errno to a CLOEXEC pipe only if
 * its execve fails; read() returning 0 means the exec succeeded. */
static void exec_status_pipe(const char *path) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) exit(1);
  fflush(stdout);
  long pid = syscall(SYS_fork);
  if (pid == 0) {
    char *const argv[] = {(char *)path, NULL};
    syscall(SYS_execve, path, argv, empty_envp);
    int e = errno;
    if (write(p[1], &e, sizeof e) != (ssize_t)sizeof e) _exit(126);
    _exit(127);
  }
  close(p[1]);
  int e = 0;
  ssize_t n = read(p[0], &e, sizeof e);
  close(p[0]);
  int status;
  waitpid((pid_t)pid, &status, 0);
  if (n == 0)
    printf("%s: read = 0 (EOF: exec succeeded), child %s\n", path, status_text(status));
  else
    printf("%s: read = %zd (%s), child %s\n", path, n, n == (ssize_t)sizeof e ? err_name(e) : "short", status_text(status));
}

static int cmd_cloexec_pipe(void) {
  exec_status_pipe("/bin/true");
  exec_status_pipe("/nonexistent/prog");
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s SUBCOMMAND\n", argv[0]);
    return 2;
  }
  static const struct {
    const char *name;
    int (*fn)(void);
  } cmds[] = {
      {"vfork-shared", cmd_vfork_shared}, {"vfork-exec", cmd_vfork_exec},       {"vfork-killed", cmd_vfork_killed},
      {"clone-vfork", cmd_clone_vfork},   {"clone3-vfork", cmd_clone3_vfork},   {"clone3-errors", cmd_clone3_errors},
      {"exit-signal", cmd_exit_signal},   {"pidfd", cmd_pidfd},                 {"fork-sigkill", cmd_fork_sigkill},
      {"waitid-wnowait", cmd_waitid_wnowait}, {"subreaper", cmd_subreaper}, {"cloexec-pipe", cmd_cloexec_pipe},
  };
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
    if (strcmp(argv[1], cmds[i].name) == 0) return cmds[i].fn();
  fprintf(stderr, "%s: unknown subcommand %s\n", argv[0], argv[1]);
  return 2;
}
