/* The sandbox launcher of quines_text.sandbox (DESIGN.md, "Runner"; issue 3 item 6).

   Compiled on first use into the user's cache folder; quines_text/sandbox.py starts it as

       launcher [-i] [-g CGROUP_PROCS] -s STATUS_FD -d RUN_DIR -r SPEC -- PROGRAM ARGS...

   It (1) joins the run's pids cgroup (-g: a cgroup.procs file, so that the fork limit also binds
   root, for which RLIMIT_NPROC is ignored), (2) with -i unshares the network, mount, PID, IPC
   and UTS namespaces, (3) forks the namespace's init, which makes every mount read-only,
   mounts a fresh /proc and bind-mounts RUN_DIR back writable, then (4) forks the program:
   rlimits from SPEC, all capabilities dropped (bounding set, effective, permitted,
   inheritable, ambient; no_new_privs), cwd RUN_DIR, exec.  When the program ends, init exits
   and the kernel kills whatever else is left in the PID namespace (a daemonised grandchild
   included).  The outer process writes one line to STATUS_FD:
       "exit CODE MAXRSS_KB" | "signal SIGNO MAXRSS_KB" | "error MESSAGE"
   SPEC is "cpu_soft,cpu_hard,as,data,nproc,fsize,nofile" (0 = leave unlimited). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
struct mount_attr { unsigned long long attr_set, attr_clr, propagation, userns_fd; };
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static int status_fd = -1;

static void fail(const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
    n += snprintf(buf + n, sizeof buf - n, ": %s\n", strerror(errno));
    if (status_fd >= 0) {
        char line[600];
        int m = snprintf(line, sizeof line, "error %s", buf);
        if (write(status_fd, line, m) < 0) _exit(125);
    }
    _exit(125);
}

static void set_limit(int resource, unsigned long long soft, unsigned long long hard) {
    if (soft == 0 && hard == 0) return;
    struct rlimit rl = {soft ? soft : RLIM_INFINITY, hard ? hard : RLIM_INFINITY};
    if (setrlimit(resource, &rl) != 0) fail("setrlimit %d", resource);
}

static void drop_capabilities(void) {
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) fail("drop cap %d", cap);
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &head, data) != 0) fail("capset");
}

static void isolate_filesystem(const char *run_dir) {
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail("make mounts private");
    struct mount_attr attr = {MOUNT_ATTR_RDONLY, 0, 0, 0};
    if (syscall(SYS_mount_setattr, -1, "/", AT_RECURSIVE, &attr, sizeof attr) != 0)
        fail("make / read-only");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL) != 0)
        fail("mount /proc");
    if (mount(run_dir, run_dir, NULL, MS_BIND, NULL) != 0) fail("bind %s", run_dir);
    if (mount(NULL, run_dir, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, NULL) != 0)
        fail("remount %s writable", run_dir);
}

int main(int argc, char **argv) {
    int isolate = 0, opt;
    const char *run_dir = NULL, *cgroup_procs = NULL, *spec = "0,0,0,0,0,0,0";
    while ((opt = getopt(argc, argv, "+ig:s:d:r:")) != -1) {
        switch (opt) {
        case 'i': isolate = 1; break;
        case 'g': cgroup_procs = optarg; break;
        case 's': status_fd = atoi(optarg); break;
        case 'd': run_dir = optarg; break;
        case 'r': spec = optarg; break;
        default: return 125;
        }
    }
    if (optind >= argc || run_dir == NULL || status_fd < 0) {
        fprintf(stderr, "usage: launcher [-i] [-g PROCS] -s FD -d DIR -r SPEC -- PROG ARGS\n");
        return 125;
    }
    unsigned long long lim[7] = {0};
    if (sscanf(spec, "%llu,%llu,%llu,%llu,%llu,%llu,%llu", &lim[0], &lim[1], &lim[2], &lim[3],
               &lim[4], &lim[5], &lim[6]) != 7) {
        errno = EINVAL;
        fail("bad limit spec %s", spec);
    }
    fcntl(status_fd, F_SETFD, FD_CLOEXEC);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    if (cgroup_procs) {
        int fd = open(cgroup_procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0\n", 2) != 2) fail("join cgroup %s", cgroup_procs);
        close(fd);
    }
    if (isolate && unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS))
        fail("unshare");

    int pipe_fd[2];
    if (pipe2(pipe_fd, O_CLOEXEC) != 0) fail("pipe");
    pid_t init = fork();
    if (init < 0) fail("fork init");
    if (init == 0) { /* init of the PID namespace (or a plain intermediate process) */
        close(pipe_fd[0]);
        if (isolate) isolate_filesystem(run_dir);
        pid_t child = fork();
        if (child < 0) fail("fork program");
        if (child == 0) {
            close(pipe_fd[1]);
            set_limit(RLIMIT_CPU, lim[0], lim[1]);
            set_limit(RLIMIT_AS, lim[2], lim[2]);
            set_limit(RLIMIT_DATA, lim[3], lim[3]);
            set_limit(RLIMIT_NPROC, lim[4], lim[4]);
            set_limit(RLIMIT_FSIZE, lim[5], lim[5]);
            set_limit(RLIMIT_NOFILE, lim[6], lim[6]);
            if (chdir(run_dir) != 0) fail("chdir %s", run_dir);
            if (isolate) drop_capabilities();
            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
            signal(SIGPIPE, SIG_DFL);
            execvp(argv[optind], argv + optind);
            fail("exec %s", argv[optind]);
        }
        int status = 0;
        struct rusage usage;
        memset(&usage, 0, sizeof usage);
        for (;;) { /* reap every child; stop when the program itself has ended */
            pid_t done = wait4(-1, &status, 0, &usage);
            if (done == child) break;
            if (done < 0 && errno != EINTR) fail("wait");
        }
        char line[96];
        long cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000L
                      + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000L;
        int n = WIFSIGNALED(status)
            ? snprintf(line, sizeof line, "signal %d %ld %ld\n", WTERMSIG(status),
                       usage.ru_maxrss, cpu_ms)
            : snprintf(line, sizeof line, "exit %d %ld %ld\n", WEXITSTATUS(status),
                       usage.ru_maxrss, cpu_ms);
        if (write(pipe_fd[1], line, n) != n) _exit(125);
        _exit(0);
    }
    close(pipe_fd[1]);
    char line[600];
    ssize_t got, total = 0;
    while ((got = read(pipe_fd[0], line + total, sizeof line - 1 - total)) > 0) total += got;
    int status = 0;
    while (waitpid(init, &status, 0) < 0 && errno == EINTR) {}
    if (total == 0) {
        total = snprintf(line, sizeof line, "error init ended without a status (%d)\n", status);
    }
    if (write(status_fd, line, total) != total) return 125;
    return 0;
}
