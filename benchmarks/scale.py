"""How search, the analyst views, the linker and the store behave as the corpus grows: two sizes (or more) side by side.

Builds a synthetic zh/en/de corpus (text drawn from a Zipf-weighted vocabulary, `--per-day` articles a day,
10% of them same-language copies of a recent article) through the real store (`Store.store_articles`, the
crawl's batch upsert: cleaning, search vectors, segments) in a throw-away database it creates on the server of
`--database-url` (default TEST_DATABASE_URL, e.g. postgresql://root@127.0.0.1:5432/test) and drops at the end,
also after an error, Ctrl-C or SIGTERM. Each copy gets a `republishes` link (repository.upsert_links), so the
stories views have stories even without the linker. The corpus grows to `--small` articles, is measured, grows
on to `--articles`, and is measured again; the table shows both and their ratio:

- the store's load rate over the last tenth of the articles loaded before each size (the rate at that size),
  from an empty search-index pending list to the merge of what that tenth left in it (see `load`);
- the refresh of the materialised analyst views (crawler.analyst.views.refresh_views, what the crawl and the
  linker run), when the code has it, and after VACUUM ANALYZE each view's own refresh;
- `search_articles()` first page (20 rows) for a common and a rare word in zh, en and de: p50 and max of the
  server's execution time (EXPLAIN ANALYZE) over `--repeat` runs;
- `SELECT * FROM stories / story_articles / daily_source_counts`: p50 and max execution time;
- `newscrawl link --rebuild --no-encoder` in a subprocess: seconds, ms per article, the CPU of its own processes
  per article and the peak RSS of its process tree (polled every 0.2 s; stopped after `--link-timeout` s), and
  its time per article over a fixed CPU workload timed before and after it (`reference_seconds`: the machine's
  speed drifts by 10 % and more between sizes measured half an hour apart); `--skip-link` leaves it out;
- database size and the search index's size;
- with `--breakdown N`: where the store's time goes, N further articles stored at each size in a transaction
  that is rolled back, as configured and without each of its costs in turn (search index settings, no search
  index, no search vector, no content-hash index).

Before the queries the tables are VACUUM ANALYZEd, as autovacuum would have done on a live database.

Run:  .venv/bin/python benchmarks/scale.py --small 30000 --articles 300000
      .venv/bin/python benchmarks/scale.py --small 30000 --articles 300000 --then 1000000   # three sizes
      .venv/bin/python benchmarks/scale.py --small 1000 --articles 10000 --skip-link     # a quick look
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.items import Article, Segment  # noqa: E402
from crawler.store import migrate, repository  # noqa: E402
from crawler.store.database import Store  # noqa: E402
from crawler.store.engine import make_engine  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
COPY_SHARE = 0.1
POLL_SECONDS = 0.2
# (language, word, share of that language's articles that contain it); the two classes of the search rows
SEARCH_WORDS: tuple[tuple[str, str, str, float], ...] = (
    ("zh", "common", "政府", 0.25),
    ("zh", "common", "人工智能", 0.10),
    ("zh", "rare", "互联网", 0.002),
    ("en", "common", "government", 0.25),
    ("en", "rare", "semiconductor", 0.002),
    ("de", "common", "Regierung", 0.25),
    ("de", "rare", "Polizei", 0.002),
)
SOURCES = {
    "zh": ("finance.sina.com.cn", "people.com.cn", "news.sina.com.cn", "workercn.cn"),
    "en": ("en.people.cn", "chinadaily.com.cn", "qpute.com", "china.org.cn"),
    "de": ("german.people.com.cn",),
}
HANZI = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而"
    "能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高"
    "意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东海"
    "口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难"
    "神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许"
    "八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变言权往展"
    "该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收"
    "脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿香似斯专石若兵弟谁校读志飞观"
)
EN_WORDS = str.split(
    "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they "
    "you were their one all we can her has there been if more when will would who so no year market economy trade "
    "policy report price growth company bank data city region plan country state minister public project energy "
    "investment industry people development percent said first last new time week month service support official "
    "national local power health security research school water climate export import rate share deal court law"
)
DE_WORDS = str.split(
    "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er hat "
    "dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur oder aber vor zur bis "
    "mehr durch man sein wurde sei Markt Wirtschaft Handel Politik Bericht Preis Wachstum Unternehmen Bank Stadt "
    "Region Plan Land Minister Projekt Energie Industrie Menschen Entwicklung Prozent Jahr Woche Monat Dienst "
    "Forschung Schule Wasser Klima Export Import Gericht Gesetz Zukunft Leistung Zeit"
)
SYLLABLES = ("ka", "lo", "mi", "ran", "te", "vo", "sun", "bel", "dor", "ix", "na", "por", "qu", "zel", "tra", "ben")


class Interrupted(Exception):
    """SIGTERM: clean up as for Ctrl-C."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(f"signal {signum}")


# -- the synthetic corpus ------------------------------------------------------------------------------


@dataclass
class Vocabulary:
    """Words and Zipf cumulative weights for one language."""

    words: list[str]
    cum_weights: list[float]

    @classmethod
    def build(cls, rng: random.Random, language: str, size: int) -> Vocabulary:
        words: list[str] = []
        seen: set[str] = set()
        base = {"en": EN_WORDS, "de": DE_WORDS}.get(language, [])
        for word in base:
            seen.add(word)
            words.append(word)
        reserved = {w for lang, _, w, _ in SEARCH_WORDS}
        while len(words) < size:
            if language == "zh":
                word = "".join(rng.choice(HANZI) for _ in range(rng.choice((1, 2, 2, 2, 3, 4))))
            else:
                word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))
                if language == "de" and rng.random() < 0.3:
                    word = word.capitalize()
            if word not in seen and word not in reserved:
                seen.add(word)
                words.append(word)
        weights = [1.0 / (rank + 1) for rank in range(len(words))]
        total, cumulative = 0.0, []
        for weight in weights:
            total += weight
            cumulative.append(total)
        return cls(words, cumulative)

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=k)


@dataclass
class Corpus:
    """Article i of the synthetic corpus, deterministically; copies remember their original's URL."""

    seed: int
    per_day: int
    rng: random.Random = field(init=False)
    vocab: dict[str, Vocabulary] = field(init=False)
    recent: list[tuple[str, Article]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (copy URL, original URL) not yet written

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.vocab = {lang: Vocabulary.build(self.rng, lang, 30000) for lang in ("zh", "en", "de")}

    def _sentences(self, language: str, count: int, extra: list[str]) -> list[str]:
        rng = self.rng
        out = []
        for _ in range(count):
            words = self.vocab[language].draw(rng, rng.randint(8, 18))
            out.append(words)
        for word in extra:  # the search words go somewhere into the text
            rng.choice(out).insert(rng.randint(0, 5), word)
        if language == "zh":
            return ["".join(ws) + "。" for ws in out]
        return [" ".join(ws).capitalize() + "." for ws in out]

    def article(self, index: int) -> Article:
        rng = self.rng
        published = START + timedelta(days=index / self.per_day)
        if self.recent and rng.random() < COPY_SHARE:
            language, original = rng.choice(self.recent[-500:])
            host = rng.choice(SOURCES[language])
            paragraphs = original.text.split("\n\n")
            text_ = "\n\n".join(paragraphs[1:] or paragraphs)
            url = f"https://{host}/bench/{index}.html"
            self.links.append((url, original.url))
            return Article(url=url, text=text_, title=original.title, language=language,
                           segments=[Segment(language, text_)],
                           published_at=published + timedelta(hours=2), extractor_version="bench")
        language = rng.choice(("zh", "en", "de"))
        extra = [w for lang, _, w, share in SEARCH_WORDS if lang == language and rng.random() < share]
        sentences = self._sentences(language, rng.randint(20, 45) if language == "zh" else rng.randint(15, 35), extra)
        joiner = "" if language == "zh" else " "
        paragraphs = [joiner.join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        title_words = self.vocab[language].draw(rng, rng.randint(5, 10))
        if extra and rng.random() < 0.1:
            title_words.insert(0, extra[0])
        title = ("" if language == "zh" else " ").join(title_words)
        text_ = "\n\n".join(paragraphs)
        host = rng.choice(SOURCES[language])
        article = Article(url=f"https://{host}/bench/{index}.html", text=text_, title=title, language=language,
                          segments=[Segment(language, text_)], published_at=published, extractor_version="bench")
        self.recent.append((language, article))
        del self.recent[:-500]
        return article


# -- measuring -----------------------------------------------------------------------------------------


@dataclass
class Measured:
    """One size's figures: row name -> value (a number or a text)."""

    size: int
    rows: dict[str, float | int | str] = field(default_factory=dict)


def execution_ms(engine: Engine, sql: str, params: dict[str, Any] | None = None) -> float:
    """The server's execution time of one statement (EXPLAIN ANALYZE, timing of nodes off)."""
    with engine.connect() as conn:
        plan = conn.execute(text(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}"), params or {}).scalar()
    return float((plan if isinstance(plan, list) else json.loads(plan))[0]["Execution Time"])


def p50_max(engine: Engine, sql: str, params: dict[str, Any] | None, repeat: int) -> tuple[float, float]:
    times = [execution_ms(engine, sql, params) for _ in range(repeat)]
    return statistics.median(times), max(times)


def load(store: Store, corpus: Corpus, start: int, stop: int, batch: int) -> tuple[float, float]:
    """Store articles start..stop-1 in batches; returns (articles/s over the whole range, over its last tenth).

    The last tenth starts with the search index's pending list empty and its time includes merging what it
    left there: the index merges its pending list whenever that exceeds its limit (16 MB, some thousands of
    articles), so a rate over a stretch that ended just before a merge would leave out most of the index's
    cost, and one that ended just after it would charge the whole merge to a few articles."""
    tail_from = stop - max((stop - start) // 10, batch)
    total = tail = 0.0
    tail_articles = 0
    for first in range(start, stop, batch):
        articles = [corpus.article(i) for i in range(first, min(first + batch, stop))]
        if first >= tail_from and not tail_articles:
            total += merge_pending(store)  # the stretch before the tail pays for its own entries
        began = time.perf_counter()
        store.store_articles(articles)
        spent = time.perf_counter() - began
        total += spent
        if first >= tail_from:
            tail += spent
            tail_articles += len(articles)
        if first // batch % 50 == 0:
            print(f"  stored {min(first + batch, stop):,} articles", file=sys.stderr, flush=True)
    merged = merge_pending(store)
    write_links(store, corpus)
    return (stop - start) / (total + merged), tail_articles / (tail + merged)


def merge_pending(store: Store) -> float:
    """Merge the search indexes' pending lists (one per month) into them now (`gin_clean_pending_list`);
    returns seconds."""
    began = time.perf_counter()
    with store.engine.begin() as conn:
        conn.execute(text(MERGE_IF_INDEXED))
    return time.perf_counter() - began


def write_links(store: Store, corpus: Corpus) -> None:
    """The copies' `republishes` links, through the store's own link upsert."""
    pairs, corpus.links = corpus.links, []
    for first in range(0, len(pairs), 2000):
        chunk = pairs[first : first + 2000]
        with store.sessions.begin() as session:
            urls = [u for pair in chunk for u in pair]
            ids = dict(session.execute(text("SELECT url, id FROM articles WHERE url = ANY(:u)"), {"u": urls}).all())
            records = [repository.LinkRecord(ids[c], "republishes", "near_duplicate", 0.9, original_article_id=ids[o])
                       for c, o in chunk if c in ids and o in ids and ids[c] != ids[o]]
            repository.upsert_links(session, records)


def refresh_views(store: Store) -> float | None:
    """Seconds to refresh the materialised analyst views, or None when this code has none."""
    try:
        from crawler.analyst.views import refresh_views as refresh
    except ImportError:
        return None
    began = time.perf_counter()
    refresh(store)
    return time.perf_counter() - began


def refresh_each_view(conn: Any) -> dict[str, float]:
    """Seconds to refresh each materialised view on its own, as refresh_analyst_views() does once they hold
    data (CONCURRENTLY); empty when this code has none."""
    try:
        from crawler.analyst.views import MATERIALISED
    except ImportError:
        return {}
    times: dict[str, float] = {}
    for view in MATERIALISED:
        began = time.perf_counter()
        conn.execute(text(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}"))
        times[view] = time.perf_counter() - began
    return times


def tree_rss(process: Any) -> int:
    """Resident bytes of a process and its descendants (0 once it is gone)."""
    import psutil

    total = 0
    try:
        for proc in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
    except psutil.Error:
        return 0
    return total


def reference_seconds(rounds: int = 3) -> float:
    """How long a fixed CPU workload takes right now (the best of `rounds`): Python dict and string work, hashing
    and a numpy sort, the kinds of work the rebuild does. The machine's speed drifts by 10 % and more over a long
    run; the rebuild's time divided by this one is comparable between sizes measured half an hour apart."""
    import hashlib

    import numpy as np

    best = float("inf")
    for warm_up in [True] + [False] * rounds:  # the first round pays for allocating the arrays: not counted
        began = time.process_time()
        rng = np.random.default_rng(7)
        np.sort(rng.integers(0, 2**63, size=2_000_000, dtype=np.int64))
        table: dict[int, str] = {}
        for i in range(300_000):
            table[i * 7919 % 1_000_003] = hashlib.sha1(str(i).encode()).hexdigest()[:8]
        sum(len(v) for v in table.values())
        if not warm_up:
            best = min(best, time.process_time() - began)
    return best


def children_cpu() -> float:
    """CPU seconds of this process's reaped children (the link command and its workers), user and system."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_link(database_url: str, timeout: float) -> tuple[float, int, bool, str]:
    """`newscrawl link --rebuild --no-encoder` on the database: (seconds, peak tree RSS, finished, last line)."""
    import psutil

    with tempfile.TemporaryDirectory(prefix="scale-link-") as data_dir:
        env = {**os.environ, "DATABASE_URL": database_url, "NEWSCRAWL_DATA_DIR": data_dir}
        began = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "crawler.cli", "link", "--rebuild", "--no-encoder"],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        peak = 0
        try:
            watched = psutil.Process(child.pid)
            while child.poll() is None:
                peak = max(peak, tree_rss(watched))
                if time.perf_counter() - began > timeout:
                    break
                time.sleep(POLL_SECONDS)
        finally:
            if child.poll() is None:
                for proc in psutil.Process(child.pid).children(recursive=True):
                    proc.kill()
                child.kill()
            output = child.communicate()[0] or ""
        seconds = time.perf_counter() - began
        finished = child.returncode == 0
        lines = [line for line in output.splitlines() if line.strip()]
        return seconds, peak, finished, (lines[-1] if lines else "")[:160]


def measure(engine: Engine, store: Store, database_url: str, size: int, rates: tuple[float, float],
            args: argparse.Namespace) -> Measured:
    out = Measured(size)
    out.rows["store load rate, last tenth before this size (articles/s)"] = rates[1]
    out.rows["store load rate, whole step (articles/s)"] = rates[0]
    refresh = refresh_views(store)
    out.rows["refresh materialised views (s)"] = refresh if refresh is not None else "n/a"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        began = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE"))
        out.rows["VACUUM ANALYZE (s)"] = time.perf_counter() - began
        for view, seconds in refresh_each_view(conn).items():
            out.rows[f"refresh {view}, after VACUUM (s)"] = seconds
    for language, kind, word, _ in SEARCH_WORDS:
        sql = "SELECT * FROM search_articles(:q, :lang)"
        p50, worst = p50_max(engine, sql, {"q": word, "lang": language}, args.repeat)
        label = f"search {language} {kind} {word}"
        out.rows[f"{label}: p50 (ms)"] = p50
        out.rows[f"{label}: max (ms)"] = worst
        with engine.connect() as conn:
            matches = conn.execute(
                text("SELECT count(*) FROM article_search WHERE search_vector @@ search_tsquery(:q, :l)"),
                {"q": word, "l": language}).scalar()
        out.rows[f"{label}: matching articles"] = int(matches or 0)
    p50, worst = p50_max(engine, "SELECT * FROM search_articles(:q)", {"q": "government"}, args.repeat)
    out.rows["search any-language government: p50 (ms)"] = p50
    out.rows["search any-language government: max (ms)"] = worst
    for view in ("stories", "story_articles", "daily_source_counts"):
        p50, worst = p50_max(engine, f"SELECT * FROM {view}", None, args.repeat)
        out.rows[f"view {view}: p50 (ms)"] = p50
        out.rows[f"view {view}: max (ms)"] = worst
    with engine.connect() as conn:
        out.rows["stories"] = int(conn.execute(text("SELECT count(*) FROM stories")).scalar() or 0)
        out.rows["database size (MB)"] = (conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
                                          or 0) / 2**20
        out.rows["search index size, all months (MB)"] = float(conn.execute(text(
            f"SELECT sum(pg_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = {SEARCH_INDEX!r}::regclass"))
            .scalar() or 0) / 2**20
        out.rows["search index size, newest month (MB)"] = (conn.execute(text(
            f"SELECT pg_relation_size(max(inhrelid::regclass::text)::regclass) FROM pg_inherits "
            f"WHERE inhparent = {SEARCH_INDEX!r}::regclass")).scalar() or 0) / 2**20
    if args.skip_link:
        out.rows["link --rebuild"] = "skipped"
    else:
        reference = reference_seconds()
        cpu_before = children_cpu()
        seconds, peak, finished, last = run_link(database_url, args.link_timeout)
        cpu = children_cpu() - cpu_before
        reference = (reference + reference_seconds()) / 2  # the machine's speed before and after
        out.rows["link --rebuild (s)"] = seconds if finished else f"stopped after {seconds:.0f} s"
        out.rows["link --rebuild per article (ms)"] = seconds / size * 1000 if finished else "n/a"
        out.rows["link --rebuild CPU per article, its own processes (ms)"] = cpu / size * 1000 if finished else "n/a"
        out.rows["reference workload (s; the machine's speed, before and after)"] = reference
        out.rows["link --rebuild per article / reference workload (x 1000)"] = (
            seconds / size / reference * 1_000_000 if finished else "n/a")
        out.rows["link --rebuild peak RSS (MB)"] = peak / 2**20
        print(f"  link: {last}", file=sys.stderr, flush=True)
    return out


# --breakdown: where the store's time goes, each variant loading the same articles in a transaction rolled back
SEARCH_INDEX = "ix_article_search_search_vector"  # partitioned: one GIN index per month's partition


def each_month_index(action: str) -> str:
    """A statement applying `ALTER INDEX <each month's search index> <action>`."""
    return ("DO $$ DECLARE i regclass; BEGIN FOR i IN SELECT inhrelid::regclass FROM pg_inherits "
            f"WHERE inhparent = '{SEARCH_INDEX}'::regclass LOOP EXECUTE format('ALTER INDEX %s {action}', i); "
            "END LOOP; END $$")


BREAKDOWN: dict[str, list[str] | None] = {
    "as configured": [],
    "search index pending list 4 MB (PostgreSQL's default)": [each_month_index("SET (gin_pending_list_limit = 4096)")],
    "search index pending list off (fastupdate off)": [each_month_index("SET (fastupdate = off)")],
    "no search index": [f"DROP INDEX {SEARCH_INDEX}"],
    "no search vector (and so no index entries)": None,
    "no content_hash index": ["DROP INDEX ix_articles_content_hash"],
}
# every month's search index (none when the variant dropped them)
MERGE_IF_INDEXED = ("SELECT gin_clean_pending_list(h.inhrelid) FROM pg_inherits h "
                    f"JOIN pg_class p ON p.oid = h.inhparent WHERE p.relname = '{SEARCH_INDEX}'")
EMPTY_VECTOR = {"sv_title_config": "simple", "sv_title": "", "sv_zh": "", "sv_en": "", "sv_de": "", "sv_other": ""}


def breakdown(store: Store, seed: int, first: int, count: int, batch: int, out: Measured) -> None:
    """The store's rate for `count` further articles under each variant (the same articles every time, stored
    by repository.store_articles in one transaction that is rolled back, so the corpus stays as it was), from
    an empty search-index pending list to the merge of what they left in it."""
    corpus = Corpus(seed, 1500)  # a corpus of its own: the benchmark's corpus goes on unchanged
    articles = [corpus.article(i) for i in range(first, first + count)]
    for article in articles:
        article.url = article.url.replace("/bench/", "/breakdown/")
    for name, statements in BREAKDOWN.items():
        merge_pending(store)  # every variant starts with an empty pending list
        with store.sessions() as session:
            for statement in statements or []:
                session.execute(text(statement))
            original = repository.search_row
            if statements is None:
                repository.search_row = lambda article_id, date, languages, *_: {  # type: ignore[assignment]
                    "article_id": article_id, "sort_date": date, "languages": list(languages), **EMPTY_VECTOR}
            try:
                began = time.perf_counter()
                for start in range(0, count, batch):
                    repository.store_articles(session, articles[start : start + batch])
                session.flush()
                session.execute(text(MERGE_IF_INDEXED))  # what the articles left in the pending list, merged
                out.rows[f"store breakdown: {name} (articles/s)"] = count / (time.perf_counter() - began)
            finally:
                repository.search_row = original
                session.rollback()


def print_table(first: Measured, *others: Measured) -> None:
    """The rows at each size side by side, and each later size's ratio to the first."""
    width = max(len(name) for name in first.rows) + 2

    def cell(value: float | int | str) -> str:
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, float):
            return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
        return str(value)

    header = f"{first.size:>14,}" + "".join(f"{m.size:>14,}{'ratio':>9}" for m in others)
    print(f"\n{'':<{width}}{header}")
    for name, base in first.rows.items():
        cells = f"{cell(base):>14}"
        for measured in others:
            value = measured.rows.get(name, "")
            ratio = ""
            if isinstance(base, (int, float)) and isinstance(value, (int, float)) and base:
                ratio = f"x{value / base:.2f}"
            cells += f"{cell(value):>14}{ratio:>9}"
        print(f"{name:<{width}}{cells}")


@dataclass
class ThrowawayDatabase:
    """A uniquely named database on the server of `admin_url`, dropped by `drop()` (even with sessions open)."""

    admin_url: str
    name: str = field(default_factory=lambda: f"newscrawl_scale_{os.getpid()}_{uuid.uuid4().hex[:6]}")

    @property
    def url(self) -> str:
        return make_url(self.admin_url).set(database=self.name).render_as_string(hide_password=False)

    def _admin(self, statement: str) -> None:
        engine = make_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()

    def create(self) -> None:
        self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def with_cleanup(database: ThrowawayDatabase, body: Callable[[], None]) -> int:
    """Run body with the database created, and drop it whatever happens (Ctrl-C and SIGTERM included)."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    database.create()
    try:
        body()
        return 0
    except (KeyboardInterrupt, Interrupted):
        print("scale: interrupted; dropping the benchmark database", file=sys.stderr)
        return 130
    finally:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the drop
        try:
            database.drop()
        finally:
            signal.signal(signal.SIGINT, previous)


def sizes(args: argparse.Namespace) -> Iterator[int]:
    yield args.small
    yield args.articles
    yield from args.then


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300_000, help="the larger size (default 300000)")
    parser.add_argument("--small", type=int, help="the smaller size (default a tenth of --articles)")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"),
                        help="a server to create the throw-away database on (default TEST_DATABASE_URL)")
    parser.add_argument("--per-day", type=int, default=1500, help="articles per day of publication (default 1500)")
    parser.add_argument("--batch", type=int, default=200, help="articles per store transaction (default 200)")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each query (default 7)")
    parser.add_argument("--skip-link", action="store_true", help="leave out `newscrawl link --rebuild`")
    parser.add_argument("--link-timeout", type=float, default=1800, help="stop the linker after this many seconds")
    parser.add_argument("--breakdown", type=int, default=0, metavar="N",
                        help="also load N articles at each size under variants of the indexes, rolled back")
    parser.add_argument("--then", type=int, action="append", default=[], metavar="N",
                        help="grow on to N articles and measure again (repeatable; ratios are to --small)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    args.small = args.small or max(args.articles // 10, 1)
    if not args.database_url:
        parser.error("give --database-url or set TEST_DATABASE_URL (a server where this may create a database)")
    if not 0 < args.small < args.articles:
        parser.error("--small must be positive and below --articles")
    if any(b <= a for a, b in pairwise([args.articles, *args.then])):
        parser.error("each --then must be larger than the size before it")
    database = ThrowawayDatabase(args.database_url)

    def body() -> None:
        migrate.upgrade(database.url)
        store = Store(database.url)
        store.seed_sources()
        engine = make_engine(database.url)
        corpus = Corpus(args.seed, args.per_day)
        results: list[Measured] = []
        stored = 0
        try:
            for size in sizes(args):
                print(f"loading to {size:,} articles", file=sys.stderr, flush=True)
                rates = load(store, corpus, stored, size, args.batch)
                stored = size
                results.append(measure(engine, store, database.url, size, rates, args))
                if args.breakdown:
                    breakdown(store, args.seed + size, size, args.breakdown, args.batch, results[-1])
                for name, value in results[-1].rows.items():  # as they come, in case the run is cut short
                    print(f"  {size:,}: {name}: {value}", file=sys.stderr, flush=True)
        finally:
            engine.dispose()
            store.dispose()
        print(f"synthetic zh/en/de corpus, {args.per_day} articles a day, {COPY_SHARE:.0%} copies; "
              f"server {make_url(args.database_url).render_as_string(hide_password=True)}")
        print_table(*results)

    return with_cleanup(database, body)


if __name__ == "__main__":
    sys.exit(main())
