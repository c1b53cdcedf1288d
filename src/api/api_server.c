/* The API socket's thread. */
#include "api/api_server.h"

#include "core/log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define API_IDLE_MS 5000   /* a client silent this long mid-request is dropped */
#define API_MAX_REQUESTS 1000 /* per connection, then it is closed */

struct api_server {
	int listen_fd;
	int stop_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct api_vm_ops *ops;
	void *ctx;
	pthread_t thread;
};

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool send_response(int fd, const struct api_response *r, bool keep_alive)
{
	size_t cap = 512 + (r->body ? strlen(r->body) : 0);
	char *out = malloc(cap);
	if (!out)
		return false;
	int n = http_format_response(out, cap, r->status, r->body, keep_alive);
	bool ok = n > 0 && write_all(fd, out, (size_t)n);
	free(out);
	return ok;
}

void api_serve_connection(int fd, const struct api_vm_ops *ops, void *ctx)
{
	size_t cap = HTTP_MAX_HEADER + HTTP_MAX_BODY;
	char *buf = malloc(cap);
	if (!buf)
		return;
	size_t len = 0;
	for (int served = 0; served < API_MAX_REQUESTS;) {
		struct http_request req;
		const char *why = "";
		int st = http_parse_request(buf, len, &req, &why);
		if (st == 0) {
			struct api_response resp;
			api_handle(ops, ctx, &req, &resp);
			pr_debug("api: %s %s -> %d", http_method_name(req.method),
				 req.path, resp.status);
			bool ok = send_response(fd, &resp, req.keep_alive);
			free(resp.body);
			if (!ok || !req.keep_alive)
				break;
			memmove(buf, buf + req.total_len, len - req.total_len);
			len -= req.total_len;
			served++;
			continue;
		}
		if (st != 1) {
			/* Refused: answer, then close (the stream position
			 * after a bad request is unknown). */
			struct api_response resp;
			api_error(&resp, st, why);
			send_response(fd, &resp, false);
			free(resp.body);
			pr_debug("api: refused a request: %d %s", st, why);
			break;
		}
		if (len == cap)
			break; /* cannot happen: the parser refuses first */
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, API_IDLE_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ssize_t n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	free(buf);
}

static void *server_thread(void *arg)
{
	struct api_server *s = arg;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = s->listen_fd, .events = POLLIN },
			{ .fd = s->stop_fd, .events = POLLIN },
		};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("api: poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		int c = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
				pr_warn("api: accept: %s", strerror(errno));
			continue;
		}
		api_serve_connection(c, s->ops, s->ctx);
		close(c);
	}
	return NULL;
}

int api_server_start(struct api_server **out, const char *path,
		     const struct api_vm_ops *ops, void *ctx, char *err,
		     size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "--api-socket: %s: path too long (at most %zu bytes)",
			 path, sizeof(addr.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "--api-socket: %s exists and is not a socket", path);
			return -EEXIST;
		}
		unlink(path); /* a stale socket from an earlier run */
	}
	struct api_server *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->ops = ops;
	s->ctx = ctx;
	snprintf(s->path, sizeof(s->path), "%s", path);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	int e;
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->stop_fd < 0 || s->listen_fd < 0) {
		e = -errno;
		snprintf(err, errlen, "--api-socket: %s", strerror(-e));
		goto fail;
	}
	/* Only the user who started Kiln may talk to it. */
	mode_t old = umask(0077);
	int b = bind(s->listen_fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (b < 0 || listen(s->listen_fd, 16) < 0) {
		e = -errno;
		snprintf(err, errlen, "--api-socket: %s: %s", path, strerror(-e));
		goto fail;
	}
	e = -pthread_create(&s->thread, NULL, server_thread, s);
	if (e) {
		snprintf(err, errlen, "--api-socket: cannot start its thread: %s",
			 strerror(-e));
		unlink(path);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	free(s);
	return e;
}

void api_server_stop(struct api_server *s)
{
	if (!s)
		return;
	uint64_t one = 1;
	if (write(s->stop_fd, &one, sizeof(one)) < 0)
		pr_debug("api: stop: %s", strerror(errno));
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	close(s->stop_fd);
	unlink(s->path);
	free(s);
}
