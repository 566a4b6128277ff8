/*
 * lade-sandbox: performs the declarative SandboxSpec of src/executor/sandbox-spec.ts. It makes no
 * decisions; every choice arrives in the spec. The wire encoding is defined in
 * src/executor/bridge/protocol.ts and decoded by protocol.c.
 */
#ifndef LADE_SANDBOX_H
#define LADE_SANDBOX_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Must equal SANDBOX_PROTOCOL_VERSION in src/executor/sandbox-spec.ts. */
#define SANDBOX_PROTOCOL_VERSION 1

/* The fds the bridge hands the helper. */
#define SPEC_FD 3
#define REPORT_FD 4

enum create_kind { CREATE_NONE, CREATE_DIR, CREATE_FILE };

struct mount_spec {
	const char *destination, *type, *source, *data, *cwd;
	unsigned long flags, propagation;
	enum create_kind create;
};

struct device_spec {
	const char *path;
	char kind; /* 'c' or 'b' */
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

struct symlink_spec {
	const char *target, *path;
};

struct rlimit_spec {
	int resource;
	uint64_t soft, hard; /* RLIM_INFINITY for unlimited */
};

enum cap_set { CAP_BOUNDING, CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE, CAP_AMBIENT, CAP_SETS };

/* Bits of spec.namespaces, in the order of the clone flags they map to. */
enum ns_bit { NS_MOUNT = 1, NS_PID = 2, NS_UTS = 4, NS_IPC = 8, NS_NET = 16, NS_CGROUP = 32 };

/* A growable array of pointers or structs; items are owned by the spec (strings point into the decoded buffer). */
#define ARRAY(T) struct { T *items; size_t len, cap; }

struct spec {
	unsigned namespaces; /* enum ns_bit */
	pid_t join_pid;
	const char *rootfs_path;
	ARRAY(struct mount_spec) rootfs_mounts;
	int rootfs_readonly;
	ARRAY(struct mount_spec) mounts;
	ARRAY(struct device_spec) devices;
	ARRAY(struct symlink_spec) symlinks;
	ARRAY(const char *) masked_paths;
	ARRAY(const char *) readonly_paths;
	const char *hostname;
	int loopback_up;
	ARRAY(struct rlimit_spec) rlimits;
	uint64_t caps[CAP_SETS]; /* bit N = capability N */
	int no_new_privs;
	uid_t uid;
	gid_t gid;
	ARRAY(gid_t) additional_gids;
	const char *cwd;
	ARRAY(char *) args; /* NULL-terminated once decoded */
	ARRAY(char *) env;  /* NULL-terminated once decoded */
	int terminal, stdin_open, init;
	ARRAY(const char *) cgroup_procs;
	int has_oom_score_adj;
	int oom_score_adj;
	/* monitor */
	const char *log_path, *exit_path;
	int attach, detach;
	ARRAY(char *) on_exit; /* NULL-terminated once decoded */
};

/* protocol.c: decoding the spec; report.c: reports (JSON lines on REPORT_FD). */
struct decode_error {
	int err;          /* errno-style: EPROTO for a version mismatch, EINVAL for malformed input */
	char detail[256]; /* what was wrong: the offending tag, or the helper's own version */
};
int spec_decode(char *buf, size_t len, struct spec *out, struct decode_error *error);
int read_all(int fd, char **buf, size_t *len);
void report_init(void);
void report_close(void);
void report_pid(pid_t pid, pid_t monitor_pid);
void report_started(void);
void report_error(const char *step, int err, const char *path);
void report_exit(int exit_code, int signal);

/*
 * setup.c: the container side. A failing step writes {step, errno, path} to the error pipe and
 * _exits 127; on success the pipe closes empty at execve (it is close-on-exec).
 */
struct child_ctx {
	const struct spec *spec;
	int sync_fd;       /* read end: one byte from the monitor means "go" */
	int err_fd;        /* write end of the close-on-exec error pipe */
	int stdio[3];      /* fds to become 0, 1, 2 (pipes mode), or -1 */
	int pty_sock;      /* terminal: where the pty master is sent, or -1 */
	sigset_t orig_mask; /* the signal mask to restore before exec */
};
_Noreturn void fail(const char *step, const char *path);
void set_fail_fd(int fd);
_Noreturn void child_container(struct child_ctx *ctx);
_Noreturn void child_exec_mode(struct child_ctx *ctx);
void wait_for_go(int sync_fd);
_Noreturn void exec_command(const struct spec *spec, const sigset_t *orig_mask);

/* mounts.c */
void setup_rootfs(const struct spec *spec);
int open_in_root(int root_fd, const char *path, enum create_kind create, const char *step);
void pivot_into(const char *rootfs);
void apply_oom_score_adj(const struct spec *spec);

/* devices.c */
void create_devices(const struct spec *spec, int root_fd);
void create_symlinks(const struct spec *spec, int root_fd);
void mask_paths(const struct spec *spec);
void readonly_paths(const struct spec *spec);
unsigned long mount_flags_of(const char *path);

/* creds.c */
void apply_rlimits(const struct spec *spec);
void apply_credentials(const struct spec *spec);

/* terminal.c */
void child_open_terminal(int sock);
int receive_fd(int sock);
void terminal_raw(int fd);
void terminal_restore(void);
void terminal_copy_size(int from, int to);

/* join.c */
void join_namespaces(pid_t pid);

/* init.c */
_Noreturn void run_init(const struct spec *spec, int err_fd, const sigset_t *orig_mask);

/* monitor.c, relay.c, exit.c */
struct monitor {
	const struct spec *spec;
	pid_t pid;          /* container's first process, host view */
	int in_fd;          /* container stdin (pipe write end or pty master), or -1 */
	int out_fd, err_fd; /* container output (read ends; the pty master for out), or -1 */
	int log_fd;         /* or -1 */
	int signal_fd;
	int pty;            /* out_fd is a pty master (also in_fd) */
	int exited;         /* the first process has been reaped; then: */
	int exit_code;      /* Docker's: the status, or 128+N for signal N */
	int exit_signal;    /* N, or 0 */
};
int run_monitor(struct spec *spec);
void relay(struct monitor *m);
_Noreturn void finish(struct monitor *m, int exit_code, int sig, int report);
void monitor_set_orig_mask(const sigset_t *mask);
void forward_signals(sigset_t *set);

/* util */
int write_all(int fd, const void *buf, size_t len);
void *xrealloc(void *p, size_t n);

#define ARRAY_PUSH(arr, value)                                                            \
	do {                                                                              \
		if ((arr).len == (arr).cap) {                                             \
			(arr).cap = (arr).cap ? (arr).cap * 2 : 8;                        \
			(arr).items = xrealloc((arr).items, (arr).cap * sizeof *(arr).items); \
		}                                                                         \
		(arr).items[(arr).len++] = (value);                                       \
	} while (0)

#endif
