/* glibc posix_spawn / posix_spawnp, one behaviour per subcommand.
 *
 * Every subcommand prints a short deterministic summary (return codes, errno
 * names, exit statuses; never pids or addresses) so that case.json's stdout
 * documents what the real run did. stdout is flushed before every spawn so a
 * child's output cannot overtake the parent's buffered text.
 *
 * Catalogue ids (shared/docs/linux-semantics.md): G1 posix_spawn is
 * clone3(CLONE_VM|CLONE_VFORK) and reports exec failure as the return value;
 * G4 the parent resumes after the child's execve; D3/D4/D5 exec errors;
 * E8 ECHILD once every child is reaped; A10 only the calling thread waits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *err_name(int e) {
  const char *n = strerrorname_np(e);
  return n != NULL ? n : "E?";
}

/* "exited N" / "killed by SIGX" for a wait status. */
static const char *status_text(int status) {
  static char buf[64];
  if (WIFEXITED(status))
    snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    snprintf(buf, sizeof buf, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
  else
    snprintf(buf, sizeof buf, "status 0x%x", status);
  return buf;
}

/* Reports whether any child is left: E8, waitpid(-1, WNOHANG) is ECHILD with none. */
static void report_leftovers(void) {
  pid_t r = waitpid(-1, NULL, WNOHANG);
  printf("leftover children: %s\n", r == -1 && errno == ECHILD ? "none (ECHILD)" : "some");
}

/* Spawns argv[0] (by path) with optional actions/attributes, waits, prints. */
static int spawn_and_wait(const char *label, const char *path, char *const argv[],
                          const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr) {
  pid_t pid;
  fflush(stdout);
  int rc = posix_spawn(&pid, path, fa, attr, argv, environ);
  if (rc != 0) {
    printf("%s: posix_spawn = %s\n", label, err_name(rc));
    return rc;
  }
  int status;
  if (waitpid(pid, &status, 0) != pid) {
    printf("%s: waitpid failed: %s\n", label, err_name(errno));
    return -1;
  }
  printf("%s: posix_spawn = 0, child %s\n", label, status_text(status));
  return 0;
}

/* G1/G4: the plain success path. */
static int cmd_success(void) {
  char *argv[] = {"true", NULL};
  spawn_and_wait("success", "/bin/true", argv, NULL, NULL);
  report_leftovers();
  return 0;
}

/* G1 + D3: exec failure comes back as the return value; glibc reaps the child itself. */
static int cmd_enoent(void) {
  char *argv[] = {"missing", NULL};
  spawn_and_wait("enoent", "/nonexistent/missing", argv, NULL, NULL);
  report_leftovers();
  return 0;
}

/* D4: a regular file without any x bit (fixture "noexec", mode 0644), by relative path. */
static int cmd_eacces(void) {
  char *argv[] = {"./noexec", NULL};
  spawn_and_wait("eacces", "./noexec", argv, NULL, NULL);
  report_leftovers();
  return 0;
}

/* D5: an executable text file without "#!" (fixture "noshebang", 0755).
 * The kernel says ENOEXEC. glibc 2.36's posix_spawn does not retry with
 * /bin/sh (only the pre-2.15 compat symbols did), and neither does posix_spawnp. */
static int cmd_noshebang(void) {
  char *argv[] = {"./noshebang", NULL};
  spawn_and_wait("posix_spawn", "./noshebang", argv, NULL, NULL);
  pid_t pid;
  fflush(stdout);
  int rc = posix_spawnp(&pid, "./noshebang", NULL, NULL, argv, environ);
  if (rc != 0) {
    printf("posix_spawnp: %s\n", err_name(rc));
  } else {
    int status;
    waitpid(pid, &status, 0);
    printf("posix_spawnp: 0, child %s\n", status_text(status));
  }
  report_leftovers();
  return 0;
}

/* posix_spawnp walks the caller's PATH (not the child's envp): two misses, then the hit. */
static int cmd_spawnp_path(void) {
  setenv("PATH", "/nonexistent:/usr/local/bin:/usr/bin:/bin", 1);
  char *argv[] = {"true", NULL};
  pid_t pid;
  fflush(stdout);
  int rc = posix_spawnp(&pid, "true", NULL, NULL, argv, environ);
  if (rc != 0) {
    printf("posix_spawnp(true) = %s\n", err_name(rc));
    return 0;
  }
  int status;
  waitpid(pid, &status, 0);
  printf("posix_spawnp(true) = 0, child %s\n", status_text(status));
  /* A name found nowhere: every entry misses, the last error is returned. */
  char *argv2[] = {"forkscope-no-such-program", NULL};
  fflush(stdout);
  rc = posix_spawnp(&pid, "forkscope-no-such-program", NULL, NULL, argv2, environ);
  printf("posix_spawnp(forkscope-no-such-program) = %s\n", rc == 0 ? "0" : err_name(rc));
  report_leftovers();
  return 0;
}

/* File actions that all succeed, plus a close of a descriptor that is not open:
 * glibc ignores EBADF from a close action when the fd is in range. */
static int cmd_file_actions(void) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addclose(&fa, 0);
  posix_spawn_file_actions_addclose(&fa, 42); /* not open in the child: close fails with EBADF */
  char *argv[] = {"sh", "-c", "echo stdout-line; echo stderr-line >&2; cat 2>/dev/null || echo stdin-closed", NULL};
  spawn_and_wait("file-actions", "/bin/sh", argv, &fa, NULL);
  posix_spawn_file_actions_destroy(&fa);
  FILE *f = fopen("out.txt", "r");
  char line[128];
  while (f != NULL && fgets(line, sizeof line, f) != NULL) printf("out.txt: %s", line);
  if (f != NULL) fclose(f);
  report_leftovers();
  return 0;
}

/* A file action that fails (open of a missing directory): the error is the return value. */
static int cmd_file_actions_fail(void) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 3, "/nonexistent/dir/file", O_RDONLY, 0);
  char *argv[] = {"true", NULL};
  spawn_and_wait("open-fails", "/bin/true", argv, &fa, NULL);
  posix_spawn_file_actions_destroy(&fa);
  /* dup2 from a descriptor that is not open fails in the child with EBADF. */
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, 57, 1);
  spawn_and_wait("dup2-fails", "/bin/true", argv, &fa, NULL);
  posix_spawn_file_actions_destroy(&fa);
  report_leftovers();
  return 0;
}

/* Attributes: signal mask, signals reset to default, new process group.
 * The child is this program in "report" mode, which prints what it sees. */
static int cmd_attrs(const char *self) {
  signal(SIGUSR2, SIG_IGN); /* the parent ignores SIGUSR2; SETSIGDEF resets it in the child */
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t mask, def;
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR1);
  sigemptyset(&def);
  sigaddset(&def, SIGUSR2);
  posix_spawnattr_setsigmask(&attr, &mask);
  posix_spawnattr_setsigdefault(&attr, &def);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  char *argv[] = {(char *)self, "report", NULL};
  spawn_and_wait("attrs", self, argv, NULL, &attr);
  posix_spawnattr_destroy(&attr);
  struct sigaction sa;
  sigaction(SIGUSR2, NULL, &sa);
  printf("parent: SIGUSR2 still ignored=%s\n", sa.sa_handler == SIG_IGN ? "yes" : "no");
  report_leftovers();
  return 0;
}

/* The spawned side of "attrs". */
static int cmd_report(void) {
  sigset_t cur;
  sigprocmask(SIG_BLOCK, NULL, &cur);
  struct sigaction sa;
  sigaction(SIGUSR2, NULL, &sa);
  printf("child: SIGUSR1 blocked=%s, SIGUSR2 default=%s, own process group=%s\n",
         sigismember(&cur, SIGUSR1) ? "yes" : "no", sa.sa_handler == SIG_DFL ? "yes" : "no",
         getpgrp() == getpid() ? "yes" : "no");
  return 0;
}

/* Several children, reaped in whatever order with wait(-1); then ECHILD. */
static int cmd_wait_any(void) {
  char *a0[] = {"true", NULL};
  char *a1[] = {"false", NULL};
  char *a2[] = {"sh", "-c", "exit 3", NULL};
  char *const *argvs[] = {a0, a1, a2};
  const char *paths[] = {"/bin/true", "/bin/false", "/bin/sh"};
  pid_t pids[3];
  int statuses[3] = {-1, -1, -1};
  for (int i = 0; i < 3; i++) {
    fflush(stdout);
    int rc = posix_spawn(&pids[i], paths[i], NULL, NULL, argvs[i], environ);
    if (rc != 0) {
      printf("child%d: posix_spawn = %s\n", i, err_name(rc));
      return 1;
    }
  }
  for (int n = 0; n < 3; n++) {
    int status;
    pid_t p = wait(&status);
    for (int i = 0; i < 3; i++)
      if (p == pids[i]) statuses[i] = status;
  }
  for (int i = 0; i < 3; i++) printf("child%d (%s): %s\n", i, paths[i], statuses[i] == -1 ? "not reaped" : status_text(statuses[i]));
  pid_t r = wait(NULL);
  printf("fourth wait: %s\n", r == -1 ? err_name(errno) : "a child?");
  return 0;
}

/* Two threads spawn at the same time (a barrier releases them together). */
static pthread_barrier_t barrier;
struct spawn_result {
  int rc;
  int status;
};

static void *spawn_thread(void *arg) {
  struct spawn_result *res = arg;
  char *argv[] = {"true", NULL};
  pid_t pid;
  pthread_barrier_wait(&barrier);
  res->rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
  if (res->rc == 0) waitpid(pid, &res->status, 0);
  return NULL;
}

static int cmd_threads(void) {
  pthread_t t[2];
  struct spawn_result res[2];
  fflush(stdout);
  pthread_barrier_init(&barrier, NULL, 2);
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, spawn_thread, &res[i]);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < 2; i++)
    printf("thread%d: posix_spawn = %s, child %s\n", i, res[i].rc == 0 ? "0" : err_name(res[i].rc),
           res[i].rc == 0 ? status_text(res[i].status) : "none");
  report_leftovers();
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s SUBCOMMAND\n", argv[0]);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "success") == 0) return cmd_success();
  if (strcmp(cmd, "enoent") == 0) return cmd_enoent();
  if (strcmp(cmd, "eacces") == 0) return cmd_eacces();
  if (strcmp(cmd, "noshebang") == 0) return cmd_noshebang();
  if (strcmp(cmd, "spawnp-path") == 0) return cmd_spawnp_path();
  if (strcmp(cmd, "file-actions") == 0) return cmd_file_actions();
  if (strcmp(cmd, "file-actions-fail") == 0) return cmd_file_actions_fail();
  if (strcmp(cmd, "attrs") == 0) return cmd_attrs(argv[0]);
  if (strcmp(cmd, "report") == 0) return cmd_report();
  if (strcmp(cmd, "wait-any") == 0) return cmd_wait_any();
  if (strcmp(cmd, "threads") == 0) return cmd_threads();
  fprintf(stderr, "%s: unknown subcommand %s\n", argv[0], cmd);
  return 2;
}
