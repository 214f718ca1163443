/* The sandbox launcher of quines_text.sandbox (DESIGN.md, "Runner"): what bubblewrap does not do.

   Compiled on first use into the user's cache folder.  Two modes:

     launcher stage [-g CGROUP_PROCS]... [-u UID] [-m DIR [-t SIZE:INODES] [-b SOURCE]...]
                    -- PROG ARGS
       On the host, before bubblewrap.  Joins each cgroup (-g: a cgroup.procs file, so memory
       and process limits bind the whole run), and, with -m (root only), enters a private
       mount namespace in which a tmpfs on the empty folder DIR holds DIR/run (a tmpfs of SIZE
       bytes and INODES inodes owned by UID: the run folder) and DIR/N, a bind mount of the
       N-th SOURCE (0, 1, ...): paths the unprivileged UID could not reach on the host (a
       Python installed under /root).  Then it drops every group and becomes UID (-u) and
       execs PROG (bwrap, or the launcher's init mode where bubblewrap is unavailable).
     launcher stage ... [-c COVER]... [-i PATH]... [-w PATH]... -- PROG ARGS
       Without bubblewrap (root only): in a private mount namespace, covers each folder COVER
       with an empty tmpfs (so the run's uid sees none of what was there: /root, the other
       runs' folders in /tmp) and binds each PATH back at its own path, read-only (-i) or
       writable (-w), before it becomes UID.

     launcher init -s STATUS_FD -d RUN_DIR -r SPEC [-f BPF_FD [-n [-R] [-E]]] [-1] -- PROGRAM ARGS
       Inside the sandbox (pid 1 of bubblewrap's PID namespace with -1).  Loads the seccomp
       filter read from BPF_FD (classic BPF, struct sock_filter[]) into itself after
       no_new_privs -- with -n asking the kernel for a notification descriptor, to which the
       filter's SECCOMP_RET_USER_NOTIF actions go -- and forks the program in a process group
       of its own: rlimits from SPEC, cwd RUN_DIR, exec.  The program inherits the filter but
       not the descriptor.  The launcher answers every notification with EPERM (the refused
       call fails in the program) and reaps every child.  It writes to STATUS_FD (a descriptor
       the program never has) "started\n" once the program is forked, "forbidden NR\n" at the
       first refused call (NR: the syscall number the kernel reported), with -R
       "report STATUS STEPS EXIT\n" for the metered Python child's report call (see answer()),
       with -E "report PID STATUS STEPS EXIT\n" for the first report call of each process (PID
       as the kernel reports it: the warm evaluator's children, quines_text/_sandbox_evaluator.py),
       and when the program has ended one line
           "exit CODE MAXRSS_KB CPU_MS" | "signal SIGNO MAXRSS_KB CPU_MS" | "error MESSAGE".
       As pid 1 it cannot be killed from inside the namespace, and it is not dumpable (no
       /proc/1/mem); when it exits the kernel kills what is left there.  Without -1 it kills
       the program's process group instead (the host also empties the cgroups).
   SPEC is "cpu_soft,cpu_hard,as,data,nproc,fsize,nofile" (0 = leave unlimited). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LIST 32
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1
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
    char line[600];
    int m = snprintf(line, sizeof line, "error %s", buf);
    if (write(status_fd >= 0 ? status_fd : 2, line, m) < 0) _exit(125);
    _exit(125);
}

static void set_limit(int resource, unsigned long long soft, unsigned long long hard) {
    if (soft == 0 && hard == 0) return;
    struct rlimit rl = {soft ? soft : RLIM_INFINITY, hard ? hard : RLIM_INFINITY};
    if (setrlimit(resource, &rl) != 0) fail("setrlimit %d", resource);
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) fail("write %s", path);
    close(fd);
}

static void bind_source(const char *source, const char *target) {
    struct stat st;
    if (stat(source, &st) != 0) fail("stat %s", source);
    if (S_ISDIR(st.st_mode)) {
        if (mkdir(target, 0755) != 0) fail("mkdir %s", target);
    } else {
        int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) fail("create %s", target);
        close(fd);
    }
    if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) != 0) fail("bind %s", source);
}

/* mkdir -p for the folders above `path` (mode 0755), on the tmpfs that covers them. */
static void make_parents(const char *path) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) { errno = ENAMETOOLONG; fail("%s", path); }
    for (char *slash = strchr(buf + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) fail("mkdir %s", buf);
        *slash = '/';
    }
}

/* Bind the object behind `fd` (an O_PATH descriptor opened before the covers) back at `path`,
   read-only unless `writable`. */
static void bind_in_place(int fd, const char *path, int writable) {
    struct stat st;
    if (fstat(fd, &st) != 0) fail("stat %s", path);
    make_parents(path);
    if (S_ISDIR(st.st_mode)) {
        if (mkdir(path, 0755) != 0 && errno != EEXIST) fail("mkdir %s", path);
    } else {
        int made = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (made < 0) fail("create %s", path);
        close(made);
    }
    char from[64];
    snprintf(from, sizeof from, "/proc/self/fd/%d", fd);
    if (mount(from, path, NULL, MS_BIND | MS_REC, NULL) != 0) fail("bind %s", path);
    if (!writable && mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
        fail("remount %s read-only", path);
    close(fd);
}

static int stage(int argc, char **argv) {
    const char *procs[MAX_LIST], *sources[MAX_LIST], *covers[MAX_LIST], *places[MAX_LIST];
    const char *tmpfs = NULL, *dir = NULL;
    int nprocs = 0, nsources = 0, ncovers = 0, nplaces = 0, writable[MAX_LIST], opt;
    long uid = -1;
    while ((opt = getopt(argc, argv, "+g:u:m:t:b:c:i:w:")) != -1) {
        switch (opt) {
        case 'g': if (nprocs < MAX_LIST) procs[nprocs++] = optarg; break;
        case 'u': uid = atol(optarg); break;
        case 'm': dir = optarg; break;
        case 't': tmpfs = optarg; break;
        case 'b': if (nsources < MAX_LIST) sources[nsources++] = optarg; break;
        case 'c': if (ncovers < MAX_LIST) covers[ncovers++] = optarg; break;
        case 'i': case 'w':
            if (nplaces < MAX_LIST) { writable[nplaces] = opt == 'w'; places[nplaces++] = optarg; }
            break;
        default: return 125;
        }
    }
    if (optind >= argc) { errno = EINVAL; fail("stage: no program"); }
    for (int i = 0; i < nprocs; i++) write_file(procs[i], "0\n");
    if (ncovers > 0) {  /* no bubblewrap: hide folders, put back only what the run needs */
        int fds[MAX_LIST];
        if (unshare(CLONE_NEWNS) != 0) fail("unshare mount namespace");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail("make mounts private");
        /* opened in the new namespace (a bind's source must be one of its mounts), before
           the covers hide them */
        for (int i = 0; i < nplaces; i++)
            if ((fds[i] = open(places[i], O_PATH | O_CLOEXEC)) < 0) fail("open %s", places[i]);
        for (int i = 0; i < ncovers; i++)
            if (mount("rsi-cover", covers[i], "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") != 0)
                fail("cover %s", covers[i]);
        for (int i = 0; i < nplaces; i++) bind_in_place(fds[i], places[i], writable[i]);
    }
    if (dir) {
        if (unshare(CLONE_NEWNS) != 0) fail("unshare mount namespace");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail("make mounts private");
        if (mount("rsi-stage", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") != 0)
            fail("mount the staging tmpfs");
        char target[4200], options[128];
        for (int i = 0; i < nsources; i++) {
            snprintf(target, sizeof target, "%s/%d", dir, i);
            bind_source(sources[i], target);
        }
        if (tmpfs) {
            unsigned long long size = 0, inodes = 0;
            if (sscanf(tmpfs, "%llu:%llu", &size, &inodes) != 2) { errno = EINVAL; fail("-t"); }
            snprintf(target, sizeof target, "%s/run", dir);
            if (mkdir(target, 0700) != 0) fail("mkdir %s", target);
            snprintf(options, sizeof options, "size=%llu,nr_inodes=%llu,mode=0700,uid=%ld,gid=%ld",
                     size, inodes, uid < 0 ? 0L : uid, uid < 0 ? 0L : uid);
            if (mount("rsi-run", target, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
                fail("mount the run tmpfs");
        }
    }
    if (uid >= 0) {
        if (setgroups(0, NULL) != 0) fail("setgroups");
        if (setresgid(uid, uid, uid) != 0) fail("setgid %ld", uid);
        if (setresuid(uid, uid, uid) != 0) fail("setuid %ld", uid);
    }
    execv(argv[optind], argv + optind);
    fail("exec %s", argv[optind]);
    return 125;
}

/* Load the filter read from bpf_fd into this process; with `listen`, ask for a notification
   descriptor (SECCOMP_RET_USER_NOTIF actions go to it) and return it, else return -1. */
static int load_filter(int bpf_fd, int listen) {
    static struct sock_filter code[4096];
    size_t got = 0;
    ssize_t n;
    while ((n = read(bpf_fd, (char *)code + got, sizeof code - got)) > 0) got += (size_t)n;
    if (n < 0 || got == 0 || got % sizeof code[0] != 0) { errno = EINVAL; fail("read filter"); }
    close(bpf_fd);
    struct sock_fprog prog = {(unsigned short)(got / sizeof code[0]), code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
    long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                      listen ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &prog);
    if (fd < 0) fail("load seccomp filter");
    return listen ? (int)fd : -1;
}

static void write_line(const char *line, size_t n) {
    if (write(status_fd, line, n) != (ssize_t)n) _exit(125);
}

/* The report call of the metered Python child (-R): syscall(REPORT_NR, REPORT_MAGIC, status
   index, steps or -1, exit code), made by quines_text._opmeter; a syscall number that the
   kernel does not implement (tuxcall), so no other code makes it by accident. */
#define REPORT_NR 184
#define REPORT_MAGIC 0x52534952UL /* "RSIR" */

/* The processes whose report call was accepted (-E): each one's first call only.  Their
   report lines are gathered and written a few KB at a time, and before the exit line: the
   host reads them at the end, so it need not wake for each. */
static pid_t *each_reported = NULL;
static size_t each_count = 0, each_size = 0;
static char each_lines[4096];
static size_t each_used = 0;

static void flush_each(void) {
    if (each_used > 0) write_line(each_lines, each_used);
    each_used = 0;
}

static int first_report_of(pid_t pid) {
    for (size_t i = 0; i < each_count; i++)
        if (each_reported[i] == pid) return 0;
    if (each_count == each_size) {
        size_t size = each_size ? 2 * each_size : 1024;
        pid_t *grown = realloc(each_reported, size * sizeof *grown);
        if (grown == NULL) return 0; /* refused: the host reruns what it cannot check */
        each_reported = grown;
        each_size = size;
    }
    each_reported[each_count++] = pid;
    return 1;
}

/* Answer one notification.  The program's first report call (-R only, from the program's own
   process) succeeds and is written as "report STATUS STEPS EXIT"; with -E the first report
   call of every process succeeds and is written as "report PID STATUS STEPS EXIT"; every other
   notified call fails with EPERM, and the first one is written as "forbidden NR". */
static void answer(int listener, struct seccomp_notif *req, struct seccomp_notif_resp *resp,
                   size_t resp_size, pid_t child, int allow_report, int allow_each,
                   int *reported, int *refused) {
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) return;
    int nr = req->data.nr;
    const __u64 *a = req->data.args;
    memset(resp, 0, resp_size);
    resp->id = req->id;
    char line[128];
    if (nr == REPORT_NR && allow_report && !*reported && (pid_t)req->pid == child
        && a[0] == REPORT_MAGIC && a[1] < 64) {
        *reported = 1;
        int m = snprintf(line, sizeof line, "report %llu %lld %lld\n", (unsigned long long)a[1],
                         (long long)a[2], (long long)a[3]);
        write_line(line, (size_t)m);
        ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
        return;
    }
    if (nr == REPORT_NR && allow_each && a[0] == REPORT_MAGIC && a[1] < 64
        && first_report_of((pid_t)req->pid)) {
        int m = snprintf(line, sizeof line, "report %d %llu %lld %lld\n", (int)req->pid,
                         (unsigned long long)a[1], (long long)a[2], (long long)a[3]);
        if (each_used + (size_t)m > sizeof each_lines) flush_each();
        memcpy(each_lines + each_used, line, (size_t)m);
        each_used += (size_t)m;
        ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
        return;
    }
    resp->error = -EPERM;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
    if ((*refused)++ == 0) {
        int m = snprintf(line, sizeof line, "forbidden %d\n", nr);
        write_line(line, (size_t)m);
    }
}

static int init(int argc, char **argv) {
    const char *run_dir = NULL, *spec = "0,0,0,0,0,0,0";
    int bpf_fd = -1, pid1 = 0, notify = 0, allow_report = 0, allow_each = 0, opt;
    while ((opt = getopt(argc, argv, "+s:d:r:f:1nRE")) != -1) {
        switch (opt) {
        case 's': status_fd = atoi(optarg); break;
        case 'd': run_dir = optarg; break;
        case 'r': spec = optarg; break;
        case 'f': bpf_fd = atoi(optarg); break;
        case '1': pid1 = 1; break;
        case 'n': notify = 1; break;
        case 'R': allow_report = 1; break;
        case 'E': allow_each = 1; break;
        default: return 125;
        }
    }
    if (optind >= argc || run_dir == NULL || status_fd < 0) {
        fprintf(stderr, "usage: launcher init -s FD -d DIR -r SPEC [-f FD [-n]] [-1] -- PROG\n");
        return 125;
    }
    unsigned long long lim[7] = {0};
    if (sscanf(spec, "%llu,%llu,%llu,%llu,%llu,%llu,%llu", &lim[0], &lim[1], &lim[2], &lim[3],
               &lim[4], &lim[5], &lim[6]) != 7) {
        errno = EINVAL;
        fail("bad limit spec %s", spec);
    }
    fcntl(status_fd, F_SETFD, FD_CLOEXEC);
    if (bpf_fd >= 0) fcntl(bpf_fd, F_SETFD, FD_CLOEXEC);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); /* no /proc/1/mem for the program */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    if (!pid1 && setsid() < 0) { /* already a session leader: fine */ }
    /* SIGCHLD through a signalfd, so one poll() waits for both children and notifications */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &chld, NULL) != 0) fail("block SIGCHLD");
    int chld_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (chld_fd < 0) fail("signalfd");
    /* the supervisor loads the filter itself (it makes none of the refused calls), so the
       notification descriptor stays here; the program inherits the filter, not the fd */
    int listener = bpf_fd >= 0 ? load_filter(bpf_fd, notify) : -1;
    if (listener >= 0) {
        fcntl(listener, F_SETFD, FD_CLOEXEC);
        /* the notifying process and this one hand the CPU to each other directly (Linux 6.6;
           an older kernel refuses the flag and the answers come as before) */
        __u64 sync_flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, sync_flags) != 0) errno = 0;
    }
    pid_t child = fork();
    if (child < 0) fail("fork program");
    if (child == 0) {
        sigprocmask(SIG_UNBLOCK, &chld, NULL);
        setpgid(0, 0);
        set_limit(RLIMIT_CPU, lim[0], lim[1]);
        set_limit(RLIMIT_AS, lim[2], lim[2]);
        set_limit(RLIMIT_DATA, lim[3], lim[3]);
        set_limit(RLIMIT_NPROC, lim[4], lim[4]);
        set_limit(RLIMIT_FSIZE, lim[5], lim[5]);
        set_limit(RLIMIT_NOFILE, lim[6], lim[6]);
        if (chdir(run_dir) != 0) fail("chdir %s", run_dir);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[optind], argv + optind);
        fail("exec %s", argv[optind]);
    }
    write_line("started\n", 8);
    struct seccomp_notif_sizes sizes = {0, 0, 0};
    struct seccomp_notif *req = NULL;
    struct seccomp_notif_resp *resp = NULL;
    if (listener >= 0) {
        if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) fail("notif sizes");
        req = calloc(1, sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
        resp = calloc(1, sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp
                                                                 : sizeof *resp);
        if (!req || !resp) fail("calloc");
    }
    size_t req_size = sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req;
    size_t resp_size = sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp
                                                               : sizeof *resp;
    int status = 0, done = 0, refused = 0, reported = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    while (!done) { /* reap every child; stop when the program itself has ended */
        struct pollfd fds[2] = {{chld_fd, POLLIN, 0}, {listener, POLLIN, 0}};
        if (poll(fds, listener >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR) continue;
            fail("poll");
        }
        if (listener >= 0 && (fds[1].revents & POLLIN)) {
            memset(req, 0, req_size);
            answer(listener, req, resp, resp_size, child, allow_report, allow_each, &reported,
                   &refused);
        }
        struct signalfd_siginfo info;
        while (read(chld_fd, &info, sizeof info) == sizeof info) {}
        for (;;) {
            int st = 0;
            struct rusage ru;
            pid_t pid = wait4(-1, &st, WNOHANG, &ru);
            if (pid <= 0) break;
            if (pid == child) { status = st; usage = ru; done = 1; }
        }
    }
    if (!pid1) kill(-child, SIGKILL);
    flush_each();
    char line[96];
    long cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000L
                  + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000L;
    int n = WIFSIGNALED(status)
        ? snprintf(line, sizeof line, "signal %d %ld %ld\n", WTERMSIG(status), usage.ru_maxrss,
                   cpu_ms)
        : snprintf(line, sizeof line, "exit %d %ld %ld\n", WEXITSTATUS(status), usage.ru_maxrss,
                   cpu_ms);
    write_line(line, (size_t)n);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "stage") == 0) return stage(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "init") == 0) return init(argc - 1, argv + 1);
    fprintf(stderr, "usage: launcher stage|init ...\n");
    return 125;
}
