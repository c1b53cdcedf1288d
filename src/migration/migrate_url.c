#include "migration/migrate_url.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* Split "tcp:HOST:PORT" into host and port (brackets around an IPv6 host
 * removed). */
static int split_tcp(const char *url, char *host, size_t hcap, char *port,
		     size_t pcap)
{
	const char *s = url + 4;
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1] || strlen(colon + 1) >= pcap)
		return -EINVAL;
	size_t hlen = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hlen < 3 || s[hlen - 1] != ']')
			return -EINVAL;
		s++;
		hlen -= 2;
	}
	if (hlen >= hcap)
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	strcpy(port, colon + 1);
	for (const char *p = port; *p; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	return 0;
}

static int unix_addr(const char *url, struct sockaddr_un *a)
{
	const char *path = url + 5;
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(a->sun_path))
		return -EINVAL;
	strcpy(a->sun_path, path);
	return 0;
}

bool migrate_url_valid(const char *url)
{
	char host[256], port[8];
	struct sockaddr_un a;
	if (!strncmp(url, "tcp:", 4))
		return split_tcp(url, host, sizeof(host), port, sizeof(port)) == 0;
	if (!strncmp(url, "unix:", 5))
		return unix_addr(url, &a) == 0;
	return false;
}

/* Connect (listen = false) or bind and listen to a TCP address. */
static int tcp_socket(const char *url, bool listen_too, char *err, size_t errlen)
{
	char host[256], port[8];
	if (split_tcp(url, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errlen, "%s: wants tcp:HOST:PORT", url);
		return -EINVAL;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = listen_too ? AI_PASSIVE : 0 };
	struct addrinfo *res;
	int g = getaddrinfo(host, port, &hints, &res);
	if (g) {
		snprintf(err, errlen, "%s: %s", url, gai_strerror(g));
		return -EHOSTUNREACH;
	}
	int e = -EADDRNOTAVAIL;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			e = -errno;
			continue;
		}
		int one = 1;
		if (listen_too) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
			    listen(fd, 1) == 0) {
				freeaddrinfo(res);
				return fd;
			}
		} else if (migrate_set_timeouts(fd, 10),
			   connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			freeaddrinfo(res);
			return fd;
		}
		e = -errno;
		close(fd);
	}
	freeaddrinfo(res);
	snprintf(err, errlen, "%s: %s", url, strerror(-e));
	return e;
}

static int unix_socket(const char *url, bool listen_too, char *err, size_t errlen)
{
	struct sockaddr_un a;
	if (unix_addr(url, &a)) {
		snprintf(err, errlen, "%s: wants unix:PATH (shorter than %zu bytes)",
			 url, sizeof(a.sun_path));
		return -EINVAL;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int e = -errno;
		snprintf(err, errlen, "%s: %s", url, strerror(-e));
		return e;
	}
	int r = listen_too ? bind(fd, (struct sockaddr *)&a, sizeof(a))
			   : connect(fd, (struct sockaddr *)&a, sizeof(a));
	if (r == 0 && listen_too)
		r = listen(fd, 1);
	if (r < 0) {
		int e = -errno;
		snprintf(err, errlen, "%s: %s", url, strerror(-e));
		close(fd);
		return e;
	}
	return fd;
}

int migrate_url_connect(const char *url, char *err, size_t errlen)
{
	if (!strncmp(url, "tcp:", 4))
		return tcp_socket(url, false, err, errlen);
	if (!strncmp(url, "unix:", 5))
		return unix_socket(url, false, err, errlen);
	snprintf(err, errlen, "%s: wants tcp:HOST:PORT or unix:PATH", url);
	return -EINVAL;
}

int migrate_url_listen(const char *url, char *err, size_t errlen)
{
	if (!strncmp(url, "tcp:", 4))
		return tcp_socket(url, true, err, errlen);
	if (!strncmp(url, "unix:", 5))
		return unix_socket(url, true, err, errlen);
	snprintf(err, errlen, "%s: wants tcp:HOST:PORT or unix:PATH", url);
	return -EINVAL;
}

void migrate_set_timeouts(int fd, unsigned int seconds)
{
	struct timeval tv = { .tv_sec = seconds };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}
