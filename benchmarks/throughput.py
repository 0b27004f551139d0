"""End-to-end crawl throughput against a local replay server, side by side with extraction alone.

Serves N distinct Sina Finance article URLs (`…/roll/2024-01-01/doc-ibench0000042.shtml`) whose bodies cycle
through the recorded article pages in tests/fixtures/pages (sina, people_zh, people_en, chinadaily, seeds),
listed 50 a page by the Sina roll JSON API, from a small asyncio HTTP server on 127.0.0.1 in its own process.
Each body is its recorded page with its own URL in place of the recorded one (so a same-site canonical link
names the copy) and a short counter sentence after a known article sentence (so every copy stores its own
text while extraction does the same work). A real `newscrawl crawl sina_finance` subprocess — WARC capture
on, as in production; extraction in the process pool (EXTRACT_WORKERS, default one per core); batched
upserts — crawls them into a fresh PostgreSQL database: one created on the server of DATABASE_URL or
TEST_DATABASE_URL when set (dropped afterwards), else a throw-away embedded server in a temporary directory.

Measured per size: wall time and pages/s end to end; CPU seconds of the crawl's process tree (the crawler,
the forkserver and the extraction workers; exact, from the kernel's accounting of reaped descendants,
this script being their child subreaper on Linux) per page; peak RSS of that tree (sum over its processes,
polled every 0.2 s); the CPU the rest of the machine (server, PostgreSQL) used meanwhile. In the same run:
`crawler.extract.extract` alone over a sample of the same bodies in this one process (pages/s; measured
before and after each crawl, the faster counting, since the machine's speed drifts), and the ratio
e2e pages/s / (cores x extraction-only pages/s).  Goals: ratio >= 0.8, peak RSS < 500 MB.

Run:  .venv/bin/python benchmarks/throughput.py --pages 2000
      .venv/bin/python benchmarks/throughput.py --sizes 1000,5000,20000
Only 127.0.0.1 is contacted (the crawl's HOST_MAP_TARGET sends every request to the local server).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gzip
import json
import os
import pickle
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
FAMILIES = ("sina", "people_zh", "people_en", "chinadaily", "seeds")

ARTICLE_URL = "https://finance.sina.com.cn/roll/2024-01-01/doc-ibench{n:07d}.shtml"
ARTICLE_PATH = re.compile(r"^/https?/finance\.sina\.com\.cn/roll/2024-01-01/doc-ibench(\d{7})\.shtml$")
ROLL_PAGEID = "153"  # the registry's first Sina roll API listing carries the benchmark articles
PER_PAGE = 50
FIRST_CTIME = 1_704_067_200  # 2024-01-01T00:00:00Z
HTML_CONTENT_TYPE = b"text/html; charset=utf-8"
URL_SLOT, MARK_SLOT = b"\x00URL\x00", b"\x00MARK\x00"
GOAL_RATIO, GOAL_RSS_MB = 0.8, 500.0
POLL_SECONDS = 0.2
PSS_EVERY = 10  # the tree, its PSS and CPU times every 10th poll; each known process's RSS every poll
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
PR_SET_CHILD_SUBREAPER = 36


# -- pages -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A recorded page cut into pieces around its own URL and the counter sentence's place."""

    name: str
    language: str
    pieces: tuple[bytes, ...]  # literal bytes and the URL_SLOT / MARK_SLOT placeholders
    marked: bool  # False: no known article sentence was found, the counter goes into a comment

    def render(self, n: int) -> bytes:
        url = ARTICLE_URL.format(n=n).split("://", 1)[1].encode()
        mark = marker(n, self.language, self.marked).encode()
        return b"".join(url if p == URL_SLOT else mark if p == MARK_SLOT else p for p in self.pieces)


def marker(n: int, language: str, in_text: bool) -> str:
    if not in_text:
        return f"<!-- benchmark copy {n} -->"
    return f"（基准副本{n}号）" if language.startswith("zh") else f" (benchmark copy {n})"


def _recorded(expected: Path) -> tuple[dict, bytes] | None:
    stem = expected.name.removesuffix(".expected.json")
    for candidate in (expected.parent / f"{stem}.html", expected.parent / f"{stem}.html.gz"):
        if candidate.exists():
            body = candidate.read_bytes()
            return json.loads(expected.read_text()), gzip.decompress(body) if candidate.suffix == ".gz" else body
    return None


def _occurrences(body: bytes, needle: bytes, limit: int = 5) -> Iterator[int]:
    at = body.find(needle)
    while at >= 0 and limit > 0:
        yield at
        at, limit = body.find(needle, at + 1), limit - 1


def _split(body: bytes) -> tuple[bytes, ...]:
    return tuple(re.split(b"(" + re.escape(URL_SLOT) + b"|" + re.escape(MARK_SLOT) + b")", body))


def prepare(name: str, meta: dict, body: bytes) -> Template:
    """Put the copy's own URL where the page names its address (recorded URL, same-site canonical link) and the
    counter sentence right after a known article sentence that extraction keeps (checked by extracting)."""
    from crawler.extract import extract
    from crawler.items import PageRejected
    from crawler.store.repository import article_key
    from crawler.urls import clean_url

    language = str(meta.get("language") or "zh")
    headers = {"content-type": HTML_CONTENT_TYPE.decode()}
    url = ARTICLE_URL.format(n=0)
    body = body.replace(meta["url"].split("://", 1)[1].encode(), URL_SLOT)  # http, https, scheme-relative
    with contextlib.suppress(PageRejected):
        article = extract(Template(name, language, _split(body), False).render(0), url, headers)
        if article.canonical_url and article_key(article) != clean_url(url):  # a same-site canonical elsewhere
            body = body.replace(article.canonical_url.split("://", 1)[1].encode(), URL_SLOT)
    anchors = [*meta.get("with", []), meta.get("first_paragraph") or "", meta.get("last_paragraph") or ""]
    for anchor in (a.encode() for a in anchors if a and len(a) >= 4):
        for at in _occurrences(body, anchor):
            at += len(anchor)
            candidate = Template(name, language, _split(body[:at] + MARK_SLOT + body[at:]), True)
            try:
                text = extract(candidate.render(0), url, headers).text
            except PageRejected:
                continue
            if marker(0, language, True).strip() in text:
                return candidate
    at = body.rfind(b"</body>")
    at = len(body) if at < 0 else at
    return Template(name, language, _split(body[:at] + MARK_SLOT + body[at:]), False)


def load_templates() -> list[Template]:
    """The recorded article pages, each prepared for rendering under benchmark URLs."""
    templates = []
    for family in FAMILIES:
        for expected in sorted((PAGES / family).glob("*.expected.json")):
            found = _recorded(expected)
            if found is not None:
                templates.append(prepare(f"{family}/{expected.name.removesuffix('.expected.json')}", *found))
    if not templates:
        raise SystemExit(f"no recorded pages found under {PAGES}")
    return templates


def roll_page(page: int, total: int) -> bytes:
    first = (page - 1) * PER_PAGE
    rows = [
        {"url": ARTICLE_URL.format(n=n), "ctime": str(FIRST_CTIME + n), "title": f"benchmark {n}"}
        for n in range(max(first, 0), min(first + PER_PAGE, total))
    ]
    return json.dumps({"result": {"status": {"code": 0}, "data": rows}}).encode()


# -- the replay server (runs in its own process: `throughput.py --serve MANIFEST`) ---------------------


def _response(status: int, body: bytes, content_type: bytes, close: bool) -> bytes:
    reason = {200: b"OK", 404: b"Not Found"}.get(status, b"Status")
    head = b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (status, reason, content_type, len(body))
    return head + (b"Connection: close\r\n\r\n" if close else b"\r\n") + body


def route(target: str, templates: list[Template], total: int) -> tuple[int, bytes, bytes]:
    """(status, body, content type) for a request path `/<scheme>/<host>/<path>?<query>`."""
    parts = urlsplit(target)
    match = ARTICLE_PATH.match(parts.path)
    if match:
        n = int(match.group(1))
        if n < total:
            return 200, templates[n % len(templates)].render(n), HTML_CONTENT_TYPE
        return 404, b"not found", b"text/plain"
    if parts.path.endswith("/feed.mix.sina.com.cn/api/roll/get"):
        query = parse_qs(parts.query)
        page = int(query.get("page", ["1"])[0] or 1)
        count = total if query.get("pageid", [""])[0] == ROLL_PAGEID else 0
        return 200, roll_page(page, count), b"application/json; charset=utf-8"
    if parts.path.endswith("/finance.sina.com.cn/roll/index.d.html"):
        page = int(parse_qs(parts.query).get("page", ["1"])[0] or 1)
        links = "".join(f'<li><a href="{ARTICLE_URL.format(n=n)}">{n}</a></li>' for n in range(min(PER_PAGE, total)))
        return 200, f"<html><body><ul>{links if page == 1 else ''}</ul></body></html>".encode(), HTML_CONTENT_TYPE
    if parts.path.endswith("/robots.txt"):
        return 200, b"User-agent: *\nDisallow:\n", b"text/plain"
    return 404, b"not found", b"text/plain"


async def _serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, site: dict) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, _, headers = head.partition(b"\r\n")
            _method, target, _version = request_line.split(b" ", 2)
            close = b"connection: close" in headers.lower()
            status, body, content_type = route(target.decode("latin-1"), site["templates"], site["total"])
            writer.write(_response(status, body, content_type, close))
            await writer.drain()
            site["served"] += 1
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


def serve(manifest: Path) -> None:
    """Serve the pages described by `manifest` on 127.0.0.1; print the port, run until SIGTERM."""
    with manifest.open("rb") as fh:
        site = pickle.load(fh)
    site["served"] = 0

    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _serve_connection(r, w, site), "127.0.0.1", 0, backlog=1024, limit=1 << 16
        )
        print(server.sockets[0].getsockname()[1], flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with server:
            await stop.wait()
        print(site["served"], flush=True)

    asyncio.run(main())


@contextlib.contextmanager
def replay_server(templates: list[Template], total: int, workdir: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    manifest = workdir / f"site-{total}.pickle"
    with manifest.open("wb") as fh:
        pickle.dump({"templates": templates, "total": total}, fh)
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve", str(manifest)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        if not port.isdigit():
            raise SystemExit("the replay server did not start")
        yield f"127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- database ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(workdir: Path) -> Iterator[str]:
    """A new, migrated database: on DATABASE_URL's / TEST_DATABASE_URL's server if set, else embedded."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from crawler.config import normalise_database_url
    from crawler.store import migrate

    name = f"newscrawl_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server_url = (os.environ.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or "").strip()
    if server_url:
        admin = make_url(normalise_database_url(server_url))
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin.set(database=name).render_as_string(hide_password=False)
        try:
            migrate.upgrade(url)
            yield url
        finally:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()
    else:
        from crawler.store.embedded import start_embedded

        url = start_embedded(workdir / "pgdata", database=name)
        migrate.upgrade(url)
        yield url  # the embedded server and its data directory go with the temporary directory


def _stop_embedded() -> None:
    from crawler.store.embedded import stop_embedded

    with contextlib.suppress(Exception):
        stop_embedded()


def stored_counts(url: str) -> tuple[int, dict]:
    from sqlalchemy import select

    from crawler.store.database import Store
    from crawler.store.models import CrawlRun

    store = Store(url)
    try:
        articles = store.counts()["articles"]
        with store.sessions() as session:
            run = session.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).scalar_one_or_none()
            stats = dict(run.stats or {}) if run is not None else {}
            stats["status"] = run.status if run is not None else "none"
        return articles, stats
    finally:
        store.dispose()


# -- measurements --------------------------------------------------------------------------------------


@dataclass
class Baseline:
    pages: int
    seconds: float
    cpu_seconds: float
    rejected: int
    unmarked: int

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


def extraction_only(templates: list[Template], sample: int) -> Baseline:
    """`extract` over `sample` of the benchmark bodies (every template equally often) in this one process."""
    from crawler.extract import extract
    from crawler.items import PageRejected
    from crawler.store.repository import article_key
    from crawler.urls import clean_url

    headers = {"content-type": HTML_CONTENT_TYPE.decode()}
    for n, template in enumerate(templates):  # warm-up: imports, regex compilation, lazy models
        with contextlib.suppress(PageRejected):
            extract(template.render(n), ARTICLE_URL.format(n=n), headers)
    sample = max(len(templates), sample - sample % len(templates))
    bodies = [(ARTICLE_URL.format(n=n), templates[n % len(templates)].render(n)) for n in range(sample)]
    rejected = unmarked = 0
    started, cpu = time.perf_counter(), time.process_time()
    for n, (url, body) in enumerate(bodies):
        try:
            article = extract(body, url, headers)
        except PageRejected:
            rejected += 1
            continue
        if str(n) not in article.text or article_key(article) != clean_url(url):
            unmarked += 1  # this copy's text or key would not be unique in the store
    return Baseline(sample, time.perf_counter() - started, time.process_time() - cpu, rejected, unmarked)


def _role(proc: object, root: int, forkserver: set[int]) -> str:
    import psutil

    assert isinstance(proc, psutil.Process)
    if proc.pid == root:
        return "crawler"
    command = " ".join(proc.cmdline())
    if "multiprocessing.forkserver" in command:
        if proc.ppid() in forkserver:
            return "workers"
        forkserver.add(proc.pid)
        return "forkserver"
    return "other"


@dataclass
class TreeSampler:
    """Polls a process tree: peaks of the summed RSS and PSS, each process's last seen CPU time and role."""

    root: int
    exclude: set[int] = field(default_factory=set)
    peak_rss: int = 0
    peak_pss: int = 0
    peak_main_rss: int = 0
    samples: int = 0
    cpu_by_pid: dict[int, float] = field(default_factory=dict)
    role_by_pid: dict[int, str] = field(default_factory=dict)
    forkserver: set[int] = field(default_factory=set)
    tree: list = field(default_factory=list)  # the psutil.Process objects found by the last full poll

    def sample(self) -> None:
        """One poll. The tree is found again (a walk over every process on the machine), and PSS and CPU times
        read, only every PSS_EVERY-th poll or when a process of it is gone; in between only each known
        process's RSS, which is cheap, so the benchmark's own polling takes little of the machine it measures.
        """
        import psutil

        self.samples += 1
        full = self.samples % PSS_EVERY == 1 or not self.tree
        if not full:
            rss = [_rss(proc.pid) for proc in self.tree]
            if None not in rss:
                self._record([(proc.pid, value, None) for proc, value in zip(self.tree, rss, strict=True)])
                return
        try:
            root = psutil.Process(self.root)
            self.tree = [p for p in (root, *root.children(recursive=True)) if p.pid not in self.exclude]
        except psutil.NoSuchProcess:
            self.tree = []
            return
        readings: list[tuple[int, int, int]] = []
        for proc in self.tree:
            try:
                with proc.oneshot():
                    memory = proc.memory_full_info()  # PSS walks every page table: costly, so only now and then
                    times = proc.cpu_times()
                    if proc.pid not in self.role_by_pid:
                        self.role_by_pid[proc.pid] = _role(proc, self.root, self.forkserver)
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
            readings.append((proc.pid, memory.rss, getattr(memory, "pss", memory.rss)))
            self.cpu_by_pid[proc.pid] = times.user + times.system
        self._record(readings)

    def _record(self, readings: list[tuple[int, int, int | None]]) -> None:
        self.peak_rss = max(self.peak_rss, sum(rss for _, rss, _ in readings))
        self.peak_main_rss = max([self.peak_main_rss, *(rss for pid, rss, _ in readings if pid == self.root)])
        if readings and all(pss is not None for _, _, pss in readings):
            self.peak_pss = max(self.peak_pss, sum(pss or 0 for _, _, pss in readings))

    def cpu_by_role(self) -> dict[str, float]:
        roles: dict[str, float] = {}
        for pid, seconds in self.cpu_by_pid.items():
            role = self.role_by_pid.get(pid, "other")
            roles[role] = roles.get(role, 0.0) + seconds
        return roles


def _rss(pid: int) -> int | None:
    """A process's resident set in bytes from /proc/PID/statm (what psutil reads, without its overhead)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return None


def _become_subreaper() -> bool:
    """Orphaned descendants (the forkserver, its workers) are re-parented to this process, which reaps them,
    so their CPU time lands in RUSAGE_CHILDREN. Linux only; elsewhere the polled CPU times are used."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _reap_orphans(keep: set[int], timeout: float = 60.0) -> None:
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        orphans = [p.pid for p in psutil.Process().children() if p.pid not in keep]
        if not orphans:
            return
        for pid in orphans:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    import psutil

    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def _machine_busy() -> float:
    import psutil

    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


@dataclass
class Result:
    pages: int
    wall: float
    crawl_cpu: float
    polled_cpu: float
    other_cpu: float
    server_cpu: float
    sampler_cpu: float
    peak_rss_mb: float
    peak_pss_mb: float
    peak_main_rss_mb: float
    cpu_by_role: dict[str, float]
    stored: int
    stats: dict
    served: int
    returncode: int

    @property
    def rate(self) -> float:
        return self.stored / self.wall if self.wall else 0.0


def run_crawl(url: str, target: str, server: subprocess.Popen, pages: int, args: argparse.Namespace) -> Result:
    data_dir = Path(tempfile.mkdtemp(prefix="data-", dir=args.workdir))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NEWSCRAWL_DATA_DIR")}
    env |= {"DATABASE_URL": url, "NEWSCRAWL_DATA_DIR": str(data_dir)}
    settings = {
        "HOST_MAP_TARGET": target,
        "ALLOWED_ADDRESSES": "127.0.0.1",  # the local server (the address guard refuses loopback otherwise)
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": str(args.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(args.concurrency),
        "WARC_ENABLED": "True",
        **dict(s.split("=", 1) for s in args.set),
    }
    max_pages = -(-pages // PER_PAGE) + 1  # one past the last listing page, which comes back empty
    # the crawl alone by default: linking the new articles (which `newscrawl crawl` does after a crawl) has its
    # own cost measurement in benchmarks/linking_eval.py; --link keeps it (every article embedded, linked and the
    # views refreshed inside the measured run)
    command = [sys.executable, "-m", "crawler.cli", "crawl", "sina_finance", "-a", "since=2000-01-01"]
    if not args.link:
        command.insert(5, "--no-link")
    command += ["-a", f"max_pages={max_pages}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    subreaper = _become_subreaper()
    server_before = _process_cpu(server.pid)
    self_before = time.process_time()
    cpu_before, busy_before = _children_cpu(), _machine_busy()
    started = time.perf_counter()
    # output to files, not pipes: a full pipe nobody reads would stall the crawler's reactor
    out_path, err_path = data_dir / "stdout.txt", data_dir / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        sampler = TreeSampler(process.pid, exclude={server.pid})
        while process.poll() is None:
            sampler.sample()
            time.sleep(POLL_SECONDS)
    wall = time.perf_counter() - started
    server_cpu = _process_cpu(server.pid) - server_before
    sampler_cpu = time.process_time() - self_before
    stdout, stderr = out_path.read_text(errors="replace"), err_path.read_text(errors="replace")
    if subreaper:
        _reap_orphans(keep={server.pid})
    crawl_cpu = _children_cpu() - cpu_before
    polled = sum(sampler.cpu_by_pid.values())
    busy = _machine_busy() - busy_before
    if process.returncode != 0:
        print(f"crawl exited with {process.returncode}:\n{stdout[-3000:]}\n{stderr[-3000:]}", file=sys.stderr)
    elif args.verbose:
        print(stdout.strip())
    stored, stats = stored_counts(url)
    if args.keep_logs:
        for log_file in (data_dir / "logs").glob("*.log"):
            print(f"crawl log kept: {log_file}")
    return Result(
        pages=pages,
        wall=wall,
        crawl_cpu=crawl_cpu if subreaper else max(crawl_cpu, polled),
        polled_cpu=polled,
        other_cpu=max(busy - max(crawl_cpu, polled), 0.0),
        server_cpu=server_cpu,
        sampler_cpu=sampler_cpu,
        peak_rss_mb=sampler.peak_rss / 2**20,
        peak_pss_mb=sampler.peak_pss / 2**20,
        cpu_by_role=sampler.cpu_by_role(),
        peak_main_rss_mb=sampler.peak_main_rss / 2**20,
        stored=stored,
        stats=stats,
        served=0,  # the server prints its count when it stops
        returncode=process.returncode,
    )


# -- report --------------------------------------------------------------------------------------------


def measure_baseline(templates: list[Template], sample: int) -> Baseline:
    baseline = extraction_only(templates, sample)
    print(
        f"extraction only: {baseline.pages} pages in {baseline.seconds:.1f} s = {baseline.rate:.1f} pages/s "
        f"in one process ({baseline.cpu_seconds / baseline.pages * 1000:.1f} ms CPU/page; "
        f"{baseline.rejected} rejected, {baseline.unmarked} without their own text or key)",
        flush=True,
    )
    return baseline


def table(results: list[Result], baselines: list[Baseline], cores: int) -> str:
    header = (
        "pages",
        "stored",
        "wall s",
        "e2e pages/s",
        "crawl CPU s/page",
        "other CPU s/page",
        "peak RSS MB",
        "(PSS MB)",
        "extract-only pages/s",
        f"ratio e2e/({cores}x extract)",
        "CPU ratio",
        "goals (ratio >= 0.8, RSS < 500 MB)",
    )
    rows = [header]
    for r, baseline in zip(results, baselines, strict=True):
        ratio = r.rate / (cores * baseline.rate)
        cpu_ratio = (baseline.cpu_seconds / baseline.pages) / (r.crawl_cpu / max(r.stored, 1))
        verdict = [
            f"ratio {'PASS' if ratio >= GOAL_RATIO else 'FAIL'}",
            f"RSS {'PASS' if r.peak_rss_mb < GOAL_RSS_MB else 'FAIL'}",
        ]
        expected = r.pages - round(baseline.rejected * r.pages / baseline.pages)
        if r.returncode != 0 or r.stored < expected:
            verdict.append(f"CRAWL INCOMPLETE ({r.stored} of {expected} stored)")
        rows.append(
            (
                str(r.pages),
                str(r.stored),
                f"{r.wall:.1f}",
                f"{r.rate:.1f}",
                f"{r.crawl_cpu / max(r.stored, 1):.4f}",
                f"{r.other_cpu / max(r.stored, 1):.4f}",
                f"{r.peak_rss_mb:.0f}",
                f"({r.peak_pss_mb:.0f})",
                f"{baseline.rate:.1f}",
                f"{ratio:.2f}",
                f"{cpu_ratio:.2f}",
                ", ".join(verdict),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(c.rjust(w) if i < len(header) - 1 else c for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [
        "",
        f"extraction-only: crawler.extract.extract over {baselines[0].pages} of the same bodies in this one process, "
        "measured before and after each crawl; the faster of the two counts (the conservative choice).",
        "crawl CPU: the crawl's process tree (crawler, forkserver, extraction workers); other CPU: everything else "
        "on the machine meanwhile (replay server, PostgreSQL, other users).",
        "CPU ratio = extraction-only CPU/page / crawl CPU/page: the e2e ratio the crawl would reach on cores of its "
        "own with its work spread evenly (load-independent).",
        "peak RSS: sum over the tree's processes (pages shared by the forkserver and its workers count once per "
        f"process), polled every {POLL_SECONDS} s; PSS shares them out, polled every {POLL_SECONDS * PSS_EVERY:g} s.",
    ]
    return "\n".join(lines + notes)


def details(r: Result) -> str:
    s = r.stats
    errors = ", ".join(f"{k} {v}" for k, v in sorted(s.get("errors", {}).items())) or "none"
    roles = ", ".join(
        f"{role} {seconds / max(r.stored, 1) * 1000:.1f}" for role, seconds in sorted(r.cpu_by_role.items())
    )
    return (
        f"  {r.pages} pages: run {s.get('status')}, fetched {s.get('pages', '?')}, new {s.get('articles_new', '?')}, "
        f"updated {s.get('articles_updated', '?')}, unchanged {s.get('articles_unchanged', '?')}, "
        f"spooled {s.get('spooled', '?')}, errors: {errors}\n"
        f"  crawl CPU {r.crawl_cpu:.1f} s (polled {r.polled_cpu:.1f} s; ms/page by process: {roles}), "
        f"other CPU {r.other_cpu:.1f} s (of which the replay server {r.server_cpu:.1f} s, this script's "
        f"sampling {r.sampler_cpu:.1f} s); "
        f"crawler main process peak RSS {r.peak_main_rss_mb:.0f} MB"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=2000, help="article pages to serve and crawl (default 2000)")
    parser.add_argument("--sizes", help="several sizes in one go, e.g. 1000,5000,20000 (overrides --pages)")
    parser.add_argument("--baseline-pages", type=int, default=540, help="extraction-only sample (default 540)")
    parser.add_argument("--concurrency", type=int, default=16, help="CONCURRENT_REQUESTS(_PER_DOMAIN) (default 16)")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1, help="cores in the ratio (default: all)")
    parser.add_argument("-s", dest="set", action="append", default=[], metavar="NAME=VALUE", help="extra setting")
    parser.add_argument("--workdir", help="temporary files here (default: a new temporary directory)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the work directory and print the log paths")
    parser.add_argument("--link", action="store_true",
                        help="let the crawl link what it stored (embeddings computed for every article), as it does"
                        " by default; without it the crawl runs with --no-link. The bodies are copies of about 30"
                        " recorded pages, so this links thousands of near-identical texts: a near-duplicate stress"
                        " test more than a typical crawl's linking")
    parser.add_argument("--verbose", action="store_true", help="print each crawl's summary")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = args.sizes.split(",") if args.sizes else [str(args.pages)]
    try:
        args.size_list = [int(s) for s in sizes]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: expected whole numbers like 1000,5000,20000")
    if any(n < 1 or n > 9_999_999 for n in args.size_list):
        parser.error("sizes must be between 1 and 9,999,999 pages")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        serve(Path(args.serve))
        return 0
    try:
        import psutil  # noqa: F401  (a benchmark-only dependency)
    except ImportError:
        print("this benchmark needs psutil: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 2
    if args.set and any("=" not in s for s in args.set):
        print("-s expects NAME=VALUE", file=sys.stderr)
        return 2
    templates = load_templates()
    print(f"{len(templates)} recorded pages as templates; cores: {os.cpu_count()}; WARC capture on", flush=True)
    baselines = [measure_baseline(templates, args.baseline_pages)]
    results: list[Result] = []
    with contextlib.ExitStack() as stack:
        if args.workdir:
            workdir = Path(args.workdir)
            workdir.mkdir(parents=True, exist_ok=True)
        elif args.keep_logs:
            workdir = Path(tempfile.mkdtemp(prefix="newscrawl-bench-"))
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newscrawl-bench-")))
        args.workdir = str(workdir)
        stack.callback(_stop_embedded)  # runs before the temporary directory goes
        for pages in args.size_list:
            with fresh_database(workdir) as url, replay_server(templates, pages, workdir) as (target, server):
                print(f"crawling {pages} pages from {target} …", flush=True)
                result = run_crawl(url, target, server, pages, args)
                server.terminate()
                out, _ = server.communicate(timeout=10)
                result.served = int(out.strip() or 0) if out.strip().isdigit() else 0
                results.append(result)
                print(details(result) + f", {result.served} responses served", flush=True)
            baselines.append(measure_baseline(templates, args.baseline_pages))
    # the machine's speed drifts: each crawl is compared with the faster of the measurements around it
    around = [min(before, after, key=lambda b: b.cpu_seconds / b.pages) for before, after in pairwise(baselines)]
    print()
    print(table(results, around, args.cores))
    ok = all(r.returncode == 0 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
