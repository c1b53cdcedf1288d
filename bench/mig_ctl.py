#!/usr/bin/env python3
"""bench/migrate's control client: Kiln's HTTP API and QEMU's QMP over Unix
sockets, with wall-clock (CLOCK_REALTIME) timestamps, so one host's clock
times both VMMs alike. Prints key=value lines on stdout.

usage:
  mig_ctl.py http-put SOCK ENDPOINT [BODY]
      PUT /api/v1/ENDPOINT: status=, start_rt=, end_rt= (seconds since the
      epoch, when the request went out and when the answer was complete)
  mig_ctl.py qmp SOCK COMMAND [ARGS-JSON]
      one QMP command; prints its answer as json=...
  mig_ctl.py qmp-migrate SRC_SOCK DST_SOCK|- URI DOWNTIME_MS MAX_BANDWIDTH
      set downtime-limit (ms) and max-bandwidth (bytes/s), `migrate` to URI,
      poll query-migrate until it completes, and (DST_SOCK given) wait for
      the destination's RESUME event. start_rt=, stop_rt= (the source's
      STOP event: its vCPUs are paused), resume_rt= (the destination's
      RESUME), and query-migrate's figures: total_ms=, downtime_ms=,
      setup_ms=, transferred=, ram_total=, duplicate=, normal=, passes=.
  mig_ctl.py first-line PATTERN TIMEOUT_S LOG -- COMMAND...
      run COMMAND (stdin /dev/null, stdout a pipe, stderr and a copy of
      stdout to LOG), time from the start to the first stdout line holding
      PATTERN, then stop it (SIGTERM): first_ms= (-1: none within TIMEOUT_S),
      status=.
"""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time


def say(**kv):
    for k, v in kv.items():
        print(f"{k}={v}")
    sys.stdout.flush()


def http_put(path, endpoint, body):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(900)
    s.connect(path)
    data = body.encode() if body else b""
    req = (f"PUT /api/v1/{endpoint} HTTP/1.1\r\nHost: localhost\r\n"
           f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
           "Connection: close\r\n\r\n").encode() + data
    start = time.time()
    s.sendall(req)
    resp = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        resp += chunk
    end = time.time()
    s.close()
    status = resp.split(b" ", 2)[1].decode() if resp.startswith(b"HTTP/") else "none"
    say(status=status, start_rt=f"{start:.6f}", end_rt=f"{end:.6f}")
    body = resp.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in resp else b""
    if body:
        say(body=body.decode(errors="replace").replace("\n", " "))
    return 0 if status.startswith("2") else 1


class Qmp:
    def __init__(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b""
        self.events = []
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self, timeout=120):
        while b"\n" not in self.buf:
            r, _, _ = select.select([self.s], [], [], timeout)
            if not r:
                raise TimeoutError("QMP: no answer")
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("QMP: connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.s.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            m = self._read()
            if "event" in m:
                self.events.append(m)
                continue
            if "error" in m:
                raise RuntimeError(f"QMP {name}: {m['error']}")
            return m.get("return")

    def wait_event(self, name, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for e in self.events:
                if e["event"] == name:
                    return e
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                m = self._read(left)
            except TimeoutError:
                return None
            if "event" in m:
                self.events.append(m)


def stamp(event):
    if not event:
        return "-1"
    t = event["timestamp"]
    return f"{t['seconds']}.{t['microseconds']:06d}"


def qmp_migrate(src_path, dst_path, uri, downtime_ms, max_bw):
    src = Qmp(src_path)
    dst = Qmp(dst_path) if dst_path != "-" else None
    src.cmd("migrate-set-parameters",
            {"downtime-limit": int(downtime_ms), "max-bandwidth": int(max_bw)})
    start = time.time()
    src.cmd("migrate", {"uri": uri})
    while True:
        info = src.cmd("query-migrate")
        if info.get("status") in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.02)
    # 7.2 may answer "completed" before it has filled in the times.
    for _ in range(50):
        if info.get("status") != "completed" or info.get("total-time", 0) > 0:
            break
        time.sleep(0.05)
        info = src.cmd("query-migrate")
    stop = src.wait_event("STOP", 10)
    resume = dst.wait_event("RESUME", 120) if dst else None
    ram = info.get("ram", {})
    say(status=info.get("status"), start_rt=f"{start:.6f}", stop_rt=stamp(stop),
        resume_rt=stamp(resume) if dst else "-1",
        total_ms=info.get("total-time", -1), downtime_ms=info.get("downtime", -1),
        setup_ms=info.get("setup-time", -1), transferred=ram.get("transferred", -1),
        ram_total=ram.get("total", -1), duplicate=ram.get("duplicate", -1),
        normal=ram.get("normal", -1), passes=ram.get("dirty-sync-count", -1))
    return 0 if info.get("status") == "completed" else 1


def first_line(pattern, timeout_s, log, cmd):
    pat = pattern.encode()
    with open(log, "wb") as logf:
        start = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=logf)
        fd = p.stdout.fileno()
        os.set_blocking(fd, False)
        buf, first_ms = b"", -1
        deadline = start + timeout_s
        while first_ms < 0 and time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.05)
            if not r:
                if p.poll() is not None:
                    break
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            logf.write(chunk)
            buf += chunk
            # Whole lines only: a line cut by the snapshot does not count.
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if pat in line:
                    first_ms = (time.monotonic() - start) * 1000
                    break
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        try:
            logf.write(p.stdout.read() or b"")
        except (BlockingIOError, ValueError):
            pass
    say(first_ms=f"{first_ms:.1f}" if first_ms >= 0 else "-1", status=p.returncode)
    return 0 if first_ms >= 0 else 1


def main(argv):
    if len(argv) >= 3 and argv[1] == "http-put":
        return http_put(argv[2], argv[3], argv[4] if len(argv) > 4 else "")
    if len(argv) >= 4 and argv[1] == "qmp":
        q = Qmp(argv[2])
        ret = q.cmd(argv[3], json.loads(argv[4]) if len(argv) > 4 else None)
        say(json=json.dumps(ret))
        return 0
    if len(argv) == 7 and argv[1] == "qmp-migrate":
        return qmp_migrate(*argv[2:])
    if len(argv) >= 7 and argv[1] == "first-line" and argv[5] == "--":
        return first_line(argv[2], float(argv[3]), argv[4], argv[6:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
