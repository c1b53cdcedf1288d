/* Character back ends: where a guest console's bytes go and come from.
 *
 * A back end is a pair of non-blocking file descriptors (input to read the
 * guest's keystrokes from, output to write the guest's text to) plus, for a
 * socket, the listening socket that clients connect to. The device thread
 * polls the fds itself and calls char_backend_read / _write / _accept when
 * they are ready; nothing here starts a thread or blocks.
 *
 *   off     no input, output dropped
 *   tty     output to Kiln's stdout; input from an fd the serial console
 *           (src/console) fills from stdin: it owns the terminal (raw mode)
 *           and the escape key, Ctrl-A x, whichever device gets the keys
 *   file    output appended to PATH, no input
 *   socket  a Unix stream socket listening at PATH, one client at a time,
 *           both directions; output while no client is connected is dropped
 *           (counted). PATH must not exist, or be a stale socket (removed).
 *   pty     a pseudo-terminal; Kiln keeps its own handle on the terminal end
 *           so nothing is lost before a client opens it, and output the
 *           terminal cannot take (nobody reading) is dropped, not waited
 *           for: an unattached pty must not stall the guest.
 *
 * Threads: after open, one thread (the device's) uses the back end; open
 * and close run on the setup thread.
 */
#ifndef KILN_BACKENDS_CHAR_BACKEND_H
#define KILN_BACKENDS_CHAR_BACKEND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum char_backend_kind {
	CHAR_BACKEND_OFF,
	CHAR_BACKEND_TTY,
	CHAR_BACKEND_FILE,
	CHAR_BACKEND_SOCKET,
	CHAR_BACKEND_PTY,
	CHAR_BACKEND_FDS, /* two given fds (tests, and later callers) */
};

struct char_backend_stats {
	uint64_t in_bytes;  /* handed to the guest */
	uint64_t out_bytes; /* written to the output */
	uint64_t dropped;   /* output bytes nobody could take */
	uint64_t connects;  /* socket clients accepted */
};

struct char_backend {
	enum char_backend_kind kind;
	int in_fd;     /* -1: no input now (socket: no client) */
	int out_fd;    /* -1: output dropped */
	int listen_fd; /* socket: listening; -1 otherwise */
	int conn_fd;   /* socket: the client (in_fd == out_fd == conn_fd) */
	int pty_keep_fd; /* pty: Kiln's own handle on the terminal end */
	int resize_fd;   /* tty: eventfd SIGWINCH signals; -1 otherwise */
	bool owns_in, owns_out;
	bool lossy;      /* drop output the fd cannot take now (pty) */
	bool input_eof;
	char path[108];  /* socket: to unlink on close; pty: its device */
	_Atomic uint64_t in_bytes, out_bytes, dropped, connects;
};

/* Open a back end of `kind` (`path` for file and socket; for tty, in_fd is
 * the input, which the back end then owns). Errors before
 * the guest starts: -errno and one line in err that starts with `flag`
 * (e.g. "--console"). */
int char_backend_open(struct char_backend *b, enum char_backend_kind kind,
		      const char *path, int in_fd, const char *flag, char *err,
		      size_t errlen) __attribute__((warn_unused_result));
/* A back end over two existing fds (either may be -1; they may be the
 * same), which it then owns and sets non-blocking. */
void char_backend_open_fds(struct char_backend *b, int in_fd, int out_fd);
void char_backend_close(struct char_backend *b);

/* The fd to poll for POLLIN (guest input, or a socket's peer going away);
 * -1 when there is no input now. */
int char_backend_input_fd(const struct char_backend *b);
/* The fd to poll for POLLOUT after char_backend_write said -EAGAIN. */
int char_backend_output_fd(const struct char_backend *b);
/* tty: an eventfd that becomes readable when the terminal was resized
 * (SIGWINCH; read it, then ask char_backend_winsize); -1 otherwise. */
int char_backend_resize_fd(const struct char_backend *b);
/* Socket with no client: the listening fd to poll for POLLIN; else -1. */
int char_backend_listen_fd(const struct char_backend *b);

/* Accept a waiting client (socket). 0, or -EAGAIN when none is waiting. */
int char_backend_accept(struct char_backend *b);
/* Drop the socket client, and listen again. */
void char_backend_disconnect(struct char_backend *b);

/* The input fd hung up while the guest had no buffers to take what is
 * left: true if nothing is left (the input is then ended: a socket client
 * is let go), false if bytes wait (read them first; the end shows then). */
bool char_backend_hangup(struct char_backend *b);
/* Read input for the guest into buf. >0: bytes; 0: nothing for the guest
 * now; -EPIPE: input ended (for a socket:
 * the client left, and the back end listens again). */
ssize_t char_backend_read(struct char_backend *b, void *buf, size_t len);
/* Write guest output. Returns the bytes taken, written or dropped (may be
 * short of len only when it is -EAGAIN the next time: poll the output fd
 * for POLLOUT then), or -EAGAIN if nothing could be taken now. */
ssize_t char_backend_write(struct char_backend *b, const void *buf, size_t len);

/* The terminal's size, for a tty back end on a terminal. */
bool char_backend_winsize(const struct char_backend *b, uint16_t *cols,
			  uint16_t *rows);

void char_backend_get_stats(struct char_backend *b,
			    struct char_backend_stats *s);

#endif
