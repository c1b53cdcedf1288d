/* Character back ends: tty, file, Unix socket, pty, or two given fds. */
#include "backends/char_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* A terminal or pipe on stdin/stdout gets its own open file description
 * (through /proc), so making it non-blocking does not change the shell's.
 * A regular file is shared as is (it never blocks, and its offset must
 * stay the one Kiln's stderr may share); where reopening is impossible (a
 * socket) a dup stays blocking: poll says when it is ready. */
static int reopen_std(int fd, int flags)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return fcntl(fd, F_DUPFD_CLOEXEC, 3);
	char p[32];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	int r = open(p, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (r >= 0)
		return r;
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static void reset(struct char_backend *b, enum char_backend_kind kind)
{
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->in_fd = b->out_fd = b->listen_fd = b->conn_fd = b->pty_keep_fd = -1;
	b->resize_fd = -1;
}

/* The tty back end's resize eventfd, for the SIGWINCH handler: there is
 * one terminal, so one tty back end at a time. */
static int winch_fd = -1;

static void on_winch(int sig)
{
	int saved = errno, fd = __atomic_load_n(&winch_fd, __ATOMIC_ACQUIRE);
	if (fd >= 0)
		(void)eventfd_write(fd, 1);
	errno = saved;
}

static int open_tty(struct char_backend *b, int in_fd, const char *flag,
		    char *err, size_t errlen)
{
	b->in_fd = in_fd;
	b->owns_in = in_fd >= 0;
	b->out_fd = reopen_std(STDOUT_FILENO, O_WRONLY);
	b->owns_out = true;
	b->resize_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->resize_fd >= 0 && winch_fd < 0 && isatty(STDOUT_FILENO)) {
		struct sigaction sa = { .sa_handler = on_winch,
					.sa_flags = SA_RESTART };
		sigemptyset(&sa.sa_mask);
		__atomic_store_n(&winch_fd, b->resize_fd, __ATOMIC_RELEASE);
		sigaction(SIGWINCH, &sa, NULL);
	}
	if (b->out_fd < 0 || b->resize_fd < 0 ||
	    (in_fd >= 0 && set_nonblock(in_fd) < 0)) {
		int e = errno;
		snprintf(err, errlen, "%s tty: cannot use stdout: %s", flag,
			 strerror(e));
		return -e;
	}
	return 0;
}

static int open_file(struct char_backend *b, const char *path,
		     const char *flag, char *err, size_t errlen)
{
	b->out_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (b->out_fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s file=%s: %s", flag, path, strerror(e));
		return -e;
	}
	b->owns_out = true;
	return 0;
}

/* A socket file at path that nobody accepts on is left over from an
 * earlier run: remove it. One that answers belongs to a running program. */
static int clear_socket_path(const struct sockaddr_un *sa, const char *path,
			     const char *flag, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s socket=%s: exists and is not a socket",
			 flag, path);
		return -EEXIST;
	}
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return -errno;
	int live = connect(probe, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(probe);
	if (live) {
		snprintf(err, errlen, "%s socket=%s: another program is listening there",
			 flag, path);
		return -EADDRINUSE;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int open_socket(struct char_backend *b, const char *path,
		       const char *flag, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s socket=%s: path must be 1 to %zu bytes",
			 flag, path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	err[0] = '\0';
	int e = clear_socket_path(&sa, path, flag, err, errlen);
	if (!e) {
		b->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
					  SOCK_CLOEXEC, 0);
		if (b->listen_fd < 0 ||
		    bind(b->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			e = -errno;
		else
			snprintf(b->path, sizeof(b->path), "%s", path);
	}
	/* A client that comes while another is connected waits in the
	 * backlog until the first one leaves. */
	if (!e && listen(b->listen_fd, 1) < 0)
		e = -errno;
	if (e && !err[0])
		snprintf(err, errlen, "%s socket=%s: %s", flag, path, strerror(-e));
	return e;
}

static int open_pty(struct char_backend *b, const char *flag, char *err,
		    size_t errlen)
{
	int e = 0;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 ||
	    ptsname_r(m, b->path, sizeof(b->path)) != 0)
		e = -errno;
	b->in_fd = b->out_fd = m;
	b->owns_in = true;
	if (!e) {
		/* Keeping the terminal end open holds the line up (no hang-up
		 * storms before a client comes or after it leaves) and keeps
		 * the raw settings for whoever opens it next. */
		b->pty_keep_fd = open(b->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		struct termios t;
		if (b->pty_keep_fd < 0 || tcgetattr(b->pty_keep_fd, &t) < 0)
			e = -errno;
		if (!e) {
			cfmakeraw(&t);
			if (tcsetattr(b->pty_keep_fd, TCSANOW, &t) < 0 ||
			    set_nonblock(m) < 0)
				e = -errno;
		}
	}
	if (e)
		snprintf(err, errlen, "%s pty: %s", flag, strerror(-e));
	b->lossy = true;
	return e;
}

int char_backend_open(struct char_backend *b, enum char_backend_kind kind,
		      const char *path, int in_fd, const char *flag, char *err,
		      size_t errlen)
{
	reset(b, kind);
	int e = 0;
	switch (kind) {
	case CHAR_BACKEND_OFF:
	case CHAR_BACKEND_FDS:
		break;
	case CHAR_BACKEND_TTY:
		e = open_tty(b, in_fd, flag, err, errlen);
		break;
	case CHAR_BACKEND_FILE:
		e = open_file(b, path, flag, err, errlen);
		break;
	case CHAR_BACKEND_SOCKET:
		e = open_socket(b, path, flag, err, errlen);
		break;
	case CHAR_BACKEND_PTY:
		e = open_pty(b, flag, err, errlen);
		break;
	}
	if (e) {
		b->path[0] = '\0'; /* not ours to unlink */
		char_backend_close(b);
	}
	return e;
}

void char_backend_open_fds(struct char_backend *b, int in_fd, int out_fd)
{
	reset(b, CHAR_BACKEND_FDS);
	b->in_fd = in_fd;
	b->out_fd = out_fd;
	b->owns_in = in_fd >= 0;
	b->owns_out = out_fd >= 0 && out_fd != in_fd;
	if (in_fd >= 0 && set_nonblock(in_fd) < 0)
		b->in_fd = -1;
	if (out_fd >= 0 && set_nonblock(out_fd) < 0)
		b->out_fd = -1;
}

void char_backend_close(struct char_backend *b)
{
	if (b->kind == CHAR_BACKEND_SOCKET)
		char_backend_disconnect(b);
	if (b->owns_in && b->in_fd >= 0)
		close(b->in_fd);
	if (b->owns_out && b->out_fd >= 0 && b->out_fd != b->in_fd)
		close(b->out_fd);
	if (b->listen_fd >= 0)
		close(b->listen_fd);
	if (b->pty_keep_fd >= 0)
		close(b->pty_keep_fd);
	if (b->resize_fd >= 0) {
		if (winch_fd == b->resize_fd) {
			signal(SIGWINCH, SIG_DFL);
			__atomic_store_n(&winch_fd, -1, __ATOMIC_RELEASE);
		}
		close(b->resize_fd);
	}
	if (b->kind == CHAR_BACKEND_SOCKET && b->path[0])
		unlink(b->path);
	b->in_fd = b->out_fd = b->listen_fd = b->conn_fd = b->pty_keep_fd = -1;
	b->resize_fd = -1;
	b->owns_in = b->owns_out = false;
	b->path[0] = '\0';
}

int char_backend_input_fd(const struct char_backend *b)
{
	return b->input_eof ? -1 : b->in_fd;
}

int char_backend_output_fd(const struct char_backend *b)
{
	return b->out_fd;
}

int char_backend_resize_fd(const struct char_backend *b)
{
	return b->resize_fd;
}

int char_backend_listen_fd(const struct char_backend *b)
{
	return b->conn_fd < 0 ? b->listen_fd : -1;
}

int char_backend_accept(struct char_backend *b)
{
	if (b->listen_fd < 0 || b->conn_fd >= 0)
		return -EAGAIN;
	int fd = accept4(b->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EINTR || errno == EWOULDBLOCK ? -EAGAIN : -errno;
	b->conn_fd = b->in_fd = b->out_fd = fd;
	atomic_fetch_add(&b->connects, 1);
	return 0;
}

void char_backend_disconnect(struct char_backend *b)
{
	if (b->conn_fd < 0)
		return;
	close(b->conn_fd);
	b->conn_fd = b->in_fd = b->out_fd = -1;
}

static void input_ended(struct char_backend *b)
{
	if (b->kind == CHAR_BACKEND_SOCKET)
		char_backend_disconnect(b);
	else
		b->input_eof = true;
}

bool char_backend_hangup(struct char_backend *b)
{
	int fd = char_backend_input_fd(b), left = 0;
	if (fd >= 0 && ioctl(fd, FIONREAD, &left) == 0 && left > 0)
		return false;
	input_ended(b);
	return true;
}

ssize_t char_backend_read(struct char_backend *b, void *buf, size_t len)
{
	int fd = char_backend_input_fd(b);
	if (fd < 0)
		return -EPIPE;
	ssize_t n = read(fd, buf, len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		/* End of input (or a broken one): a socket client left, and
		 * the next may come; other inputs are simply done. A pty's
		 * master never gets here while Kiln holds its terminal end. */
		input_ended(b);
		return -EPIPE;
	}
	atomic_fetch_add(&b->in_bytes, (uint64_t)n);
	return n;
}

ssize_t char_backend_write(struct char_backend *b, const void *buf, size_t len)
{
	if (b->out_fd < 0) {
		atomic_fetch_add(&b->dropped, len);
		return (ssize_t)len;
	}
	ssize_t n;
	do {
		n = b->kind == CHAR_BACKEND_SOCKET
			    ? send(b->out_fd, buf, len, MSG_NOSIGNAL)
			    : write(b->out_fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n >= 0) {
		atomic_fetch_add(&b->out_bytes, (uint64_t)n);
		return n;
	}
	if (errno == EAGAIN && !b->lossy)
		return -EAGAIN;
	/* Nobody takes it: a pty nobody reads, a client that left, an output
	 * that broke. Dropping is better than stalling the guest's console. */
	if (b->kind == CHAR_BACKEND_SOCKET && errno != EAGAIN)
		char_backend_disconnect(b);
	atomic_fetch_add(&b->dropped, len);
	return (ssize_t)len;
}

bool char_backend_winsize(const struct char_backend *b, uint16_t *cols,
			  uint16_t *rows)
{
	struct winsize ws;
	if (b->kind != CHAR_BACKEND_TTY || ioctl(b->out_fd, TIOCGWINSZ, &ws) < 0 ||
	    !ws.ws_col || !ws.ws_row)
		return false;
	*cols = ws.ws_col;
	*rows = ws.ws_row;
	return true;
}

void char_backend_get_stats(struct char_backend *b, struct char_backend_stats *s)
{
	s->in_bytes = atomic_load(&b->in_bytes);
	s->out_bytes = atomic_load(&b->out_bytes);
	s->dropped = atomic_load(&b->dropped);
	s->connects = atomic_load(&b->connects);
}
