"""Helpers for the multi-instance experiments (bench/pg_restart.py, bench/scale_out.py): gunicorn
instances started with deploy/gunicorn.conf.py, signed-in HTTP clients, CPU time of a process tree and
a private PostgreSQL cluster driven with pg_ctl. Only 127.0.0.1 is contacted."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "kakehashi-demo-2026"  # noqa: S105 - the README's published demo password
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database_url: str, redis_url: str | None, **extra: str) -> dict[str, str]:
    """The ``KAKEHASHI_*`` settings every instance shares (one database, secret and Redis)."""
    env = {
        "KAKEHASHI_SQLALCHEMY_DATABASE_URI": database_url,
        "KAKEHASHI_SECRET_KEY": "bench-secret-shared-by-every-instance",
        "KAKEHASHI_RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "KAKEHASHI_JOBS_STORAGE_URL": "memory://",
        "KAKEHASHI_JOBS_EMBEDDED_CONSUMER": "false",
        # The benches post forms without fetching their tokens; CSRF is not what they measure.
        "KAKEHASHI_WTF_CSRF_ENABLED": "false",
        "KAKEHASHI_PRIVACY_NOTICE_REQUIRED": "false",
        # Demo sign-ins from 127.0.0.1 only: the per-address sign-in limit is not what is measured.
        "KAKEHASHI_LOGIN_ADDRESS_LIMIT": "1000 per minute",
    }
    env.update(extra)
    return env


def flask(env: dict, *args: str) -> str:
    """Run ``flask --app app ARGS`` with ``env``; returns its output (raises on failure)."""
    exe = shutil.which("flask", path=str(Path(sys.executable).parent)) or "flask"
    done = subprocess.run([exe, "--app", "app", *args], cwd=str(ROOT), env={**os.environ, **env},
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class Instance:
    """One web instance: ``gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'`` on its own port and
    its own (empty) instance folder."""

    def __init__(self, env: dict, instance_path: Path, workers: int, threads: int, log: Path):
        self.port = free_port()
        instance_path.mkdir(parents=True, exist_ok=True)
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        self.log = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [gunicorn, "-c", "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null", "app:create_app()"],
            cwd=str(ROOT), stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, **env, "KAKEHASHI_INSTANCE_PATH": str(instance_path),
                 "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(workers),
                 "GUNICORN_THREADS": str(threads), "GUNICORN_LOGLEVEL": "warning"})
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {log}")
            try:
                if call(self.port, "GET", "/healthz").status == 200 and len(self.workers()) == workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start on port {self.port}; see {log}")

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the master and its workers so far (live and exited)."""
        return tree_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_seconds(pid: int, reaped: bool = False) -> float:
    """utime + stime of one process (all its threads), in seconds; 0 if it is gone. ``reaped``: plus the
    CPU time of its children that have exited and been waited for (cutime + cstime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5)
    if reaped:
        ticks += int(fields[13]) + int(fields[14])  # fields 16 and 17
    return ticks / TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of ``pid``, its live children and its exited children (e.g. a postmaster and its backends;
    a gunicorn master and its workers, including those recycled by max_requests)."""
    return cpu_seconds(pid, reaped=True) + sum(cpu_seconds(child) for child in children(pid))


def call(port: int, method: str, path: str, body: dict | None = None, cookie: str | None = None,
         conn: http.client.HTTPConnection | None = None, timeout: float = 60):
    """One request; returns the response with ``.text`` read (the connection is kept if given)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept-Language": "en"}
    if cookie:
        headers["Cookie"] = cookie
    data = None
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        data = urlencode(body)
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    response.text = response.read().decode("utf-8", "replace")
    if own:
        conn.close()
    return response


def sign_in(port: int, email: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in through the form; returns the session cookie (``session=…``)."""
    response = call(port, "POST", "/login", {"email": email, "password": password})
    if response.status != 302:
        raise SystemExit(f"sign-in of {email} failed: {response.status} {response.text[:300]}")
    return response.getheader("Set-Cookie").split(";")[0]


def first_open_lesson(port: int, cookie: str) -> str:
    """The address of a lesson page the signed-in trainee can read (200 on a repeat visit)."""
    courses = call(port, "GET", "/learn/", cookie=cookie).text
    for assignment in dict.fromkeys(re.findall(r'href="/learn/(\d+)"', courses)):
        outline = call(port, "GET", f"/learn/{assignment}", cookie=cookie).text
        for lesson in dict.fromkeys(re.findall(rf'href="/learn/{assignment}/lessons/(\d+)"', outline)):
            path = f"/learn/{assignment}/lessons/{lesson}"
            if call(port, "GET", path, cookie=cookie).status == 200:
                return path
    raise SystemExit("no open lesson found for the demo trainee")


class Cluster:
    """A private PostgreSQL cluster (its own data directory and port), driven with pg_ctl as its owner."""

    def __init__(self, pgdata: str, port: int, owner: str | None):
        self.pgdata, self.port, self.owner = pgdata, port, owner
        self.pg_ctl = str(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1])

    def ctl(self, *args: str) -> float:
        """Run ``pg_ctl ARGS -D PGDATA``; returns the time.monotonic() at which it returned."""
        command = [self.pg_ctl, *args, "-D", self.pgdata]
        if self.owner and os.geteuid() == 0:
            command = ["runuser", "-u", self.owner, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.monotonic()

    def postmaster_pid(self) -> int:
        return int(Path(self.pgdata, "postmaster.pid").read_text().split()[0])
