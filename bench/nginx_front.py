"""Check: the example production layout as it runs — deploy/nginx/kakehashi.conf in front of two
``gunicorn -c deploy/gunicorn.conf.py`` instances, secret from ``KAKEHASHI_SECRET_KEY_FILE``, forms
with CSRF on, HTTPS with a throwaway self-signed certificate, and (with --pgdata) the database stopped
for a moment behind it.

    python bench/nginx_front.py --database-url postgresql+psycopg://postgres@127.0.0.1:5433/kk_restart \\
        [--redis-url redis://127.0.0.1:6379/4] [--pgdata /tmp/pg/data --pg-log /tmp/pg/log]

The nginx config is deploy/nginx/kakehashi.conf with only these changes in a temporary copy: the
upstream lines name the two instances' ports, the listen addresses are 127.0.0.1 on free ports and the
certificate paths point at the throwaway certificate. Needs ``nginx`` (Debian: apt-get install nginx-light)
and ``openssl``. --pgdata must name a PRIVATE cluster (it is stopped and started again), never a shared one.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._instances import DEMO_PASSWORD, ROOT, Cluster, Instance, app_env, free_port  # noqa: E402

MAIN_CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{}}
http {{
    log_format upstream '$status $request_uri $upstream_addr';
    access_log {tmp}/access.log upstream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""


def site_conf(tmp: Path, ports: list[int], http_port: int, https_port: int) -> str:
    text = (ROOT / "deploy/nginx/kakehashi.conf").read_text()
    upstreams = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in ports)
    text, n = re.subn(r"(    server 127\.0\.0\.1:800\d [^\n]*\n)+", upstreams, text)
    assert n == 1, "the upstream block changed: adjust this check"
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    text = text.replace("/etc/ssl/certs/kakehashi.pem", str(tmp / "cert.pem"))
    return text.replace("/etc/ssl/private/kakehashi.key", str(tmp / "key.pem"))


class Client:
    """A browser-like HTTPS client: one cookie jar, the throwaway certificate trusted."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE  # noqa: S503 - our own throwaway certificate

    def request(self, method: str, path: str, form: dict | None = None, **headers):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=30)
        headers = {"Host": "kakehashi.agency.example", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        for header in response.msg.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        conn.close()
        return response


def main() -> None:  # noqa: C901 - one check, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url")
    parser.add_argument("--pgdata")
    parser.add_argument("--pg-log")
    parser.add_argument("--pg-owner", default="postgres")
    args = parser.parse_args()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    tmp = Path(tempfile.mkdtemp(prefix="kk-nginx-"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=kakehashi.agency.example", "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
                   check=True, capture_output=True)
    (tmp / "secret_key").write_text("a-secret-from-a-file-shared-by-both-instances\n")
    env = app_env(args.database_url, args.redis_url, KAKEHASHI_SECRET_KEY_FILE=str(tmp / "secret_key"),
                  KAKEHASHI_TRUSTED_PROXIES="1", KAKEHASHI_SESSION_COOKIE_SECURE="true",
                  KAKEHASHI_PREFERRED_URL_SCHEME="https", KAKEHASHI_WTF_CSRF_ENABLED="true")
    del env["KAKEHASHI_SECRET_KEY"]  # the secret comes from the file, as in deploy/kakehashi.env.example
    instances = [Instance(env, tmp / f"instance-{i}", 2, 2, tmp / f"gunicorn-{i}.log") for i in (0, 1)]
    http_port, https_port = free_port(), free_port()
    (tmp / "site.conf").write_text(site_conf(tmp, [i.port for i in instances], http_port, https_port))
    (tmp / "nginx.conf").write_text(MAIN_CONF.format(tmp=tmp))
    checked = subprocess.run([nginx, "-t", "-c", str(tmp / "nginx.conf")], capture_output=True, text=True)
    print(f"nginx -t: exit {checked.returncode}: {checked.stderr.strip().splitlines()[-1]}")
    proxy = subprocess.Popen([nginx, "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"])
    failures = 0

    def check(what: str, ok: bool, detail: str = "") -> None:
        nonlocal failures
        failures += not ok
        print(f"  [{'ok' if ok else 'FAIL'}] {what}{' — ' + detail if detail else ''}")

    try:
        time.sleep(1)
        conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        conn.request("GET", "/login", headers={"Host": "kakehashi.agency.example"})
        r = conn.getresponse()
        check("plain HTTP is sent to HTTPS", r.status == 301 and r.getheader("Location", "").startswith("https://"),
              f"{r.status} {r.getheader('Location')}")
        browser = Client(https_port)
        r = browser.request("GET", "/healthz")
        check("/healthz through nginx", r.status == 200, f"{r.status} {r.text.strip()}")
        r = browser.request("GET", "/readyz")
        check("/readyz through nginx (database at head, Redis)", r.status == 200, f"{r.status} {r.text.strip()}")
        login = browser.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login.text)[1]
        # As a browser does: over HTTPS, Flask-WTF also requires a same-origin Referer.
        r = browser.request("POST", "/login", {"email": "organiser@demo.kakehashi.example",
                                               "password": DEMO_PASSWORD, "csrf_token": token},
                            Referer="https://kakehashi.agency.example/login")
        if r.status != 302:
            print(r.text[:2000])
        cookie = next((h for h in r.msg.get_all("Set-Cookie") or [] if h.startswith("session=")), "")
        check("sign-in with the CSRF token, secret from KAKEHASHI_SECRET_KEY_FILE", r.status == 302, str(r.status))
        check("session cookie is Secure and HttpOnly behind the proxy", "Secure" in cookie and "HttpOnly" in cookie)
        check("redirects keep https (X-Forwarded-Proto trusted)",
              r.getheader("Location", "").startswith(("https://", "/")), r.getheader("Location"))
        statuses = [browser.request("GET", "/account").status for _ in range(6)]
        served_by = {line.rsplit(" ", 1)[-1] for line in (tmp / "access.log").read_text().splitlines()
                     if " /account " in f"{line} "}
        check("6 signed-in pages, spread by nginx over both instances",
              statuses == [200] * 6 and len(served_by) == 2, f"{statuses} from {sorted(served_by)}")
        hsts = browser.request("GET", "/account").getheader("Strict-Transport-Security")
        check("HSTS on HTTPS", bool(hsts), str(hsts))
        if args.pgdata:
            cluster = Cluster(args.pgdata, 0, args.pg_owner)
            cluster.ctl("stop", "-m", "fast", "-w")
            try:
                page = browser.request("GET", "/account")
                check("database stopped: the site's own 503 page passes through nginx (not nginx's 502)",
                      page.status == 503 and 'class="error-page"' in page.text and "nginx" not in page.text,
                      f"{page.status}, Retry-After {page.getheader('Retry-After')}")
                statuses = [browser.request("GET", "/account").status for _ in range(6)]
                check("… and keeps doing so (503 does not take instances out of the upstream)",
                      statuses == [503] * 6, str(statuses))
                ready = browser.request("GET", "/readyz")
                check("/readyz 503 while the database is down, /healthz 200",
                      ready.status == 503 and browser.request("GET", "/healthz").status == 200, ready.text.strip())
            finally:
                cluster.ctl("start", "-w", "-l", args.pg_log)
            statuses = [browser.request("GET", "/account").status for _ in range(6)]
            check("database back: the same session works on both instances", statuses == [200] * 6, str(statuses))
        access = (tmp / "access.log").read_text().splitlines()
        check("nginx logged the requests (the probes excepted)", len(access) > 10, f"{len(access)} lines")
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        for instance in instances:
            instance.stop()
    print(f"{'all checks passed' if not failures else f'{failures} check(s) FAILED'}; logs in {tmp}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
