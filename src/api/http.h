/* Just enough HTTP/1.1 for a REST API on a Unix socket (what curl
 * --unix-socket and Cloud Hypervisor's ch-remote send): one request at a
 * time, a body only with Content-Length (no chunked transfer coding).
 *
 * The parser is pure: it looks at the bytes received so far and says
 * "need more", "here is a request", or "refuse with status N". Every limit
 * is checked before anything is copied, so a client cannot make the server
 * grow without bound or read outside its buffer.
 */
#ifndef KILN_API_HTTP_H
#define KILN_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEADER 8192     /* request line + headers */
#define HTTP_MAX_BODY (64 * 1024)
#define HTTP_MAX_PATH 256

enum http_method { HTTP_GET, HTTP_PUT, HTTP_POST, HTTP_DELETE, HTTP_PATCH, HTTP_HEAD };

struct http_request {
	enum http_method method;
	char path[HTTP_MAX_PATH];  /* without the query string */
	const char *body;          /* points into the caller's buffer */
	size_t body_len;
	bool keep_alive;           /* HTTP/1.1 without "Connection: close" */
	size_t total_len;          /* bytes of the buffer this request used */
};

/* Parse the request at the start of buf[0..len).
 * Returns 0 with *req filled, 1 if more bytes are needed, or an HTTP
 * status (400, 405, 411, 413, 414, 431, 501, 505) with a short reason in
 * *why when the request must be refused. */
int http_parse_request(const char *buf, size_t len, struct http_request *req,
		       const char **why);

const char *http_method_name(enum http_method m);
const char *http_status_text(int status);

/* Format a response with an optional body (content type
 * application/json when body is not NULL). Returns the length written, or
 * -1 if it does not fit in out[0..cap). */
int http_format_response(char *out, size_t cap, int status, const char *body,
			 bool keep_alive);

#endif
