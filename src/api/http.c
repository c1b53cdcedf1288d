/* HTTP/1.1 request parsing and response formatting for the API socket. */
#include "api/http.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	enum http_method method;
} methods[] = {
	{ "GET", HTTP_GET },       { "PUT", HTTP_PUT },
	{ "POST", HTTP_POST },     { "DELETE", HTTP_DELETE },
	{ "PATCH", HTTP_PATCH },   { "HEAD", HTTP_HEAD },
};

const char *http_method_name(enum http_method m)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].method == m)
			return methods[i].name;
	return "?";
}

/* The end of the header block ("\r\n\r\n"), searched only within the
 * header limit. */
static const char *find_header_end(const char *buf, size_t len)
{
	size_t n = len < HTTP_MAX_HEADER ? len : HTTP_MAX_HEADER;
	for (size_t i = 0; i + 3 < n; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n')
			return buf + i;
	return NULL;
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

/* Case-insensitive comparison of a header name [p, p + n) with `name`. */
static bool name_is(const char *p, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

static bool value_has_token(const char *v, size_t n, const char *token)
{
	size_t t = strlen(token);
	for (size_t i = 0; i + t <= n; i++)
		if (strncasecmp(v + i, token, t) == 0 &&
		    (i == 0 || v[i - 1] == ' ' || v[i - 1] == ',') &&
		    (i + t == n || v[i + t] == ' ' || v[i + t] == ','))
			return true;
	return false;
}

static int parse_request_line(const char *p, const char *eol,
			      struct http_request *req, bool *http10,
			      const char **why)
{
	const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
	if (!sp1) {
		*why = "malformed request line";
		return 400;
	}
	bool known = false;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if ((size_t)(sp1 - p) == strlen(methods[i].name) &&
		    memcmp(p, methods[i].name, (size_t)(sp1 - p)) == 0) {
			req->method = methods[i].method;
			known = true;
		}
	}
	if (!known) {
		*why = "unknown method";
		return 501;
	}
	const char *target = sp1 + 1;
	const char *sp2 = memchr(target, ' ', (size_t)(eol - target));
	if (!sp2 || sp2 == target || *target != '/') {
		*why = "malformed request target";
		return 400;
	}
	size_t tlen = (size_t)(sp2 - target);
	const char *q = memchr(target, '?', tlen);
	size_t plen = q ? (size_t)(q - target) : tlen;
	if (plen >= HTTP_MAX_PATH) {
		*why = "request target too long";
		return 414;
	}
	for (size_t i = 0; i < tlen; i++) {
		unsigned char c = (unsigned char)target[i];
		if (c <= 0x20 || c >= 0x7f) {
			*why = "bad character in the request target";
			return 400;
		}
	}
	memcpy(req->path, target, plen);
	req->path[plen] = 0;
	const char *ver = sp2 + 1;
	size_t vlen = (size_t)(eol - ver);
	if (vlen == 8 && memcmp(ver, "HTTP/1.1", 8) == 0) {
		*http10 = false;
	} else if (vlen == 8 && memcmp(ver, "HTTP/1.0", 8) == 0) {
		*http10 = true;
	} else if (vlen >= 5 && memcmp(ver, "HTTP/", 5) == 0) {
		*why = "only HTTP/1.0 and HTTP/1.1 are spoken here";
		return 505;
	} else {
		*why = "malformed request line";
		return 400;
	}
	return 0;
}

int http_parse_request(const char *buf, size_t len, struct http_request *req,
		       const char **why)
{
	static const char *unused;
	if (!why)
		why = &unused;
	memset(req, 0, sizeof(*req));
	const char *end = find_header_end(buf, len);
	if (!end) {
		if (len >= HTTP_MAX_HEADER) {
			*why = "request headers too large";
			return 431;
		}
		return 1;
	}
	size_t header_len = (size_t)(end - buf) + 4;

	const char *eol = memchr(buf, '\r', (size_t)(end - buf) + 1);
	if (!eol || eol[1] != '\n') {
		*why = "malformed request line";
		return 400;
	}
	/* Bare LF or NUL anywhere in the head is refused: smuggling tricks. */
	for (const char *c = buf; c < end; c++) {
		if (*c == 0 || (*c == '\n' && (c == buf || c[-1] != '\r')) ||
		    (*c == '\r' && c[1] != '\n')) {
			*why = "malformed line ending";
			return 400;
		}
	}
	bool http10 = false;
	int st = parse_request_line(buf, eol, req, &http10, why);
	if (st)
		return st;

	bool have_length = false, close = false, keep_alive_hdr = false;
	uint64_t content_length = 0;
	const char *line = eol + 2;
	while (line < end + 2) {
		const char *le = line;
		while (*le != '\r')
			le++;
		if (le == line)
			break; /* the empty line */
		const char *colon = memchr(line, ':', (size_t)(le - line));
		if (!colon || colon == line) {
			*why = "malformed header line";
			return 400;
		}
		for (const char *c = line; c < colon; c++) {
			if (!is_tchar(*c)) {
				*why = "malformed header name";
				return 400;
			}
		}
		const char *v = colon + 1;
		while (v < le && (*v == ' ' || *v == '\t'))
			v++;
		const char *ve = le;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		size_t nlen = (size_t)(colon - line), vlen = (size_t)(ve - v);
		if (name_is(line, nlen, "Content-Length")) {
			uint64_t n = 0;
			if (!vlen || vlen > 19) {
				*why = "bad Content-Length";
				return vlen > 19 ? 413 : 400;
			}
			for (size_t i = 0; i < vlen; i++) {
				if (v[i] < '0' || v[i] > '9') {
					*why = "bad Content-Length";
					return 400;
				}
				n = n * 10 + (uint64_t)(v[i] - '0');
			}
			if (have_length && n != content_length) {
				*why = "conflicting Content-Length headers";
				return 400;
			}
			have_length = true;
			content_length = n;
		} else if (name_is(line, nlen, "Transfer-Encoding")) {
			*why = "transfer codings are not supported; send Content-Length";
			return 501;
		} else if (name_is(line, nlen, "Connection")) {
			if (value_has_token(v, vlen, "close"))
				close = true;
			if (value_has_token(v, vlen, "keep-alive"))
				keep_alive_hdr = true;
		}
		line = le + 2;
	}
	if (content_length > HTTP_MAX_BODY) {
		*why = "request body too large";
		return 413;
	}
	if (len - header_len < content_length)
		return 1;
	req->body = buf + header_len;
	req->body_len = (size_t)content_length;
	req->total_len = header_len + (size_t)content_length;
	req->keep_alive = !close && (!http10 || keep_alive_hdr);
	return 0;
}

const char *http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

int http_format_response(char *out, size_t cap, int status, const char *body,
			 bool keep_alive)
{
	size_t blen = body ? strlen(body) : 0;
	int n;
	if (body)
		n = snprintf(out, cap,
			     "HTTP/1.1 %d %s\r\nServer: kiln\r\n"
			     "Content-Type: application/json\r\n"
			     "Content-Length: %zu\r\nConnection: %s\r\n\r\n%s",
			     status, http_status_text(status), blen,
			     keep_alive ? "keep-alive" : "close", body);
	else
		n = snprintf(out, cap,
			     "HTTP/1.1 %d %s\r\nServer: kiln\r\n"
			     "Content-Length: 0\r\nConnection: %s\r\n\r\n",
			     status, http_status_text(status),
			     keep_alive ? "keep-alive" : "close");
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}
