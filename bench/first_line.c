/* Time a VMM from process start to the first occurrence of a line on its
 * serial console, and measure its own memory at that moment.
 *
 * usage: first_line [--pattern STR] [--timeout SEC] [--ram-mib N]
 *                   [--log FILE] -- COMMAND [ARGS...]
 *
 * COMMAND runs with stdin on /dev/null, stdout on a pipe that is scanned for
 * STR (default "kiln-guest: init started") and stderr on --log (default
 * /dev/null); everything read from stdout is appended to --log too. When STR
 * shows up, /proc/PID/smaps is read: the mapping(s) whose size is exactly the
 * guest RAM (--ram-mib, default 512) are the guest's, everything else is the
 * VMM's own. Then the output is drained until COMMAND exits; after --timeout
 * seconds (default 120, counted from the start) it is killed.
 *
 * One line goes to stdout, key=value pairs (times in ms, memory in KiB):
 *   first_ms=.. exit_ms=.. status=.. rss_kb=.. guest_rss_kb=..
 *   overhead_kb=.. overhead_anon_kb=.. guest_maps=..
 * first_ms=-1 when the line never appeared; status is the exit status, or
 * 128+signal, or "timeout". Exit status 0 if the line was seen, else 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct mem_sample {
	bool valid;
	uint64_t rss_kb, anon_kb, guest_rss_kb, guest_anon_kb;
	unsigned int guest_maps;
};

struct mapping {
	uint64_t size, rss, anon; /* KiB */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Sum Rss and Anonymous over all mappings, and separately over the ones
 * whose Size equals the guest RAM (or, if none does, the largest one). */
static struct mem_sample sample_smaps(pid_t pid, uint64_t ram_kb)
{
	struct mem_sample s = { 0 };
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return s;

	/* Per mapping: size, rss, anon. Kept so the fallback can pick the
	 * largest mapping after the whole file is read. */
	size_t cap = 256, n = 0;
	struct mapping *m = calloc(cap, sizeof(*m));
	char line[1024];
	while (m && fgets(line, sizeof(line), f)) {
		unsigned long long v;
		if (sscanf(line, "Size: %llu kB", &v) == 1) {
			if (n == cap) {
				cap *= 2;
				void *p = realloc(m, cap * sizeof(*m));
				if (!p)
					break;
				m = p;
			}
			m[n++] = (struct mapping){ .size = v };
		} else if (n && sscanf(line, "Rss: %llu kB", &v) == 1) {
			m[n - 1].rss = v;
		} else if (n && sscanf(line, "Anonymous: %llu kB", &v) == 1) {
			m[n - 1].anon = v;
		}
	}
	fclose(f);
	if (!m || !n) {
		free(m);
		return s;
	}
	size_t largest = 0;
	for (size_t i = 0; i < n; i++) {
		s.rss_kb += m[i].rss;
		s.anon_kb += m[i].anon;
		if (m[i].size > m[largest].size)
			largest = i;
		if (m[i].size == ram_kb) {
			s.guest_rss_kb += m[i].rss;
			s.guest_anon_kb += m[i].anon;
			s.guest_maps++;
		}
	}
	if (!s.guest_maps) {
		s.guest_rss_kb = m[largest].rss;
		s.guest_anon_kb = m[largest].anon;
	}
	s.valid = true;
	free(m);
	return s;
}

static void usage(void)
{
	fprintf(stderr, "usage: first_line [--pattern STR] [--timeout SEC] "
			"[--ram-mib N] [--log FILE] -- COMMAND [ARGS...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *pattern = "kiln-guest: init started";
	const char *log_path = "/dev/null";
	double timeout_ms = 120e3;
	uint64_t ram_kb = 512 * 1024;
	int i = 1;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--") ) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--pattern"))
			pattern = argv[++i];
		else if (!strcmp(argv[i], "--timeout"))
			timeout_ms = atof(argv[++i]) * 1e3;
		else if (!strcmp(argv[i], "--ram-mib"))
			ram_kb = strtoull(argv[++i], NULL, 0) * 1024;
		else if (!strcmp(argv[i], "--log"))
			log_path = argv[++i];
		else
			usage();
	}
	if (i >= argc || !*pattern)
		usage();

	int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (log_fd < 0) {
		fprintf(stderr, "first_line: %s: %s\n", log_path, strerror(errno));
		return 2;
	}
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		perror("first_line: pipe");
		return 2;
	}

	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("first_line: fork");
		return 2;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(pfd[1], 1) < 0 ||
		    dup2(log_fd, 2) < 0)
			_exit(126);
		execvp(argv[i], &argv[i]);
		dprintf(log_fd, "first_line: exec %s: %s\n", argv[i],
			strerror(errno));
		_exit(127);
	}
	close(pfd[1]);

	size_t plen = strlen(pattern);
	/* Scan window: the tail of the previous read (plen - 1 bytes) plus
	 * the new bytes, so a pattern split across reads is still found. */
	char *win = malloc(plen + 65536);
	size_t have = 0;
	double first_ms = -1;
	struct mem_sample mem = { 0 };
	bool timed_out = false, eof = false;

	while (!eof) {
		double left = t0 + timeout_ms - now_ms();
		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int r = poll(&p, 1, left > 1000 ? 1000 : (int)left + 1);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		ssize_t got = read(pfd[0], win + have, 65536);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			eof = true;
			break;
		}
		if (write(log_fd, win + have, (size_t)got) < 0) {
			/* the log is best effort */
		}
		have += (size_t)got;
		if (first_ms < 0 && memmem(win, have, pattern, plen)) {
			first_ms = now_ms() - t0;
			mem = sample_smaps(pid, ram_kb);
		}
		if (have >= plen) {
			memmove(win, win + have - (plen - 1), plen - 1);
			have = plen - 1;
		}
	}

	int wstatus = 0;
	/* EOF can come before the exit (a VMM closing stdout early), so the
	 * wait is bounded by the same deadline. */
	while (waitpid(pid, &wstatus, WNOHANG) == 0) {
		if (now_ms() - t0 > timeout_ms) {
			timed_out = true;
			kill(pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
			break;
		}
		usleep(1000);
	}
	double exit_ms = now_ms() - t0;

	char status[32];
	if (timed_out)
		snprintf(status, sizeof(status), "timeout");
	else if (WIFEXITED(wstatus))
		snprintf(status, sizeof(status), "%d", WEXITSTATUS(wstatus));
	else
		snprintf(status, sizeof(status), "%d", 128 + WTERMSIG(wstatus));

	printf("first_ms=%.1f exit_ms=%.1f status=%s", first_ms, exit_ms, status);
	if (mem.valid) {
		uint64_t oh = mem.rss_kb - mem.guest_rss_kb;
		uint64_t oh_anon = mem.anon_kb - mem.guest_anon_kb;
		printf(" rss_kb=%llu guest_rss_kb=%llu overhead_kb=%llu "
		       "overhead_anon_kb=%llu guest_maps=%u",
		       (unsigned long long)mem.rss_kb,
		       (unsigned long long)mem.guest_rss_kb,
		       (unsigned long long)oh, (unsigned long long)oh_anon,
		       mem.guest_maps);
	}
	printf("\n");
	free(win);
	return first_ms >= 0 ? 0 : 1;
}
