"""Evaluation data for the linker, read from the project's shared data folder (never copied into the repository).

The folder (default `../shared` beside the repository; `linking_eval.py --data DIR` picks another) holds
`parallel/` (WMT document pairs), `pages/` (recorded pages with ground-truth texts) and `seeds/`; it is the
team's shared data folder, not part of the repository. `use_data_dir` checks it before anything is read.

* `parallel_documents()`: WMT document pairs (newstest2015 de-en; WMT24 en-de and en-zh with document ids;
  zh-de pairs through the shared English source of WMT24).
* `real_articles()`: recorded article texts (the seeds and the pages' ground-truth texts).
* `aggregator_copy()` / `topic_distractor()`: copies made the way aggregators make them, and texts on a topic
  without its text.
* `synthetic_corpus()`: any number of articles in zh/en/de for the cost benchmark, with copies and translations.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared"
DATA_FOLDERS = ("parallel", "pages", "seeds")
_data_dir = DEFAULT_DATA_DIR


def use_data_dir(path: Path) -> None:
    """Read the evaluation data from `path`; FileNotFoundError names what is missing."""
    global _data_dir
    missing = [name for name in DATA_FOLDERS if not (path / name).is_dir()]
    if missing:
        raise FileNotFoundError(
            f"data folder {path} lacks {', '.join(f'{name}/' for name in missing)}: give the shared data folder"
            " (with parallel/, pages/ and seeds/) with --data DIR"
        )
    _data_dir = path


@dataclass(frozen=True)
class ParallelDoc:
    """One document of a parallel pair: which corpus and document, its language and text."""

    corpus: str
    doc_id: str
    language: str
    text: str
    domain: str = "news"


@dataclass
class EvalArticle:
    """An article for the pure linker: id, language, time, text, attributions; `truth` groups true copies."""

    id: int
    language: str
    text: str
    published_at: datetime | None
    title: str | None = None
    truth: str | None = None
    attributions: list[dict[str, str]] = field(default_factory=list)


def _newstest2015() -> Iterator[tuple[ParallelDoc, ParallelDoc]]:
    base = _data_dir / "parallel" / "de-en" / "newstest2015_docs"
    sides = {}
    for lang in ("en", "de"):
        raw = (base / f"concatenated_en2de_dev_{lang}.txt").read_text(encoding="utf-8").replace("\r\n", "\n")
        docs = [d.strip() for d in raw.split("<d>") if d.strip()]
        sides[lang] = docs
    for index, (en, de) in enumerate(zip(sides["en"], sides["de"], strict=True), start=1):
        doc_id = f"newstest2015-doc{index:03d}"
        yield ParallelDoc("newstest2015", doc_id, "en", en), ParallelDoc("newstest2015", doc_id, "de", de)


def _wmt24_side(pair_dir: str, name: str) -> dict[str, tuple[str, str]]:
    base = _data_dir / "parallel" / pair_dir / "wmt24"
    prefix = name.split(".")[0]
    docs = (base / f"{prefix}.docs").read_text(encoding="utf-8").splitlines()
    lines = (base / name).read_text(encoding="utf-8").splitlines()
    grouped: dict[str, list[str]] = {}
    domains: dict[str, str] = {}
    for doc_line, text in zip(docs, lines, strict=True):
        domain, doc_id = doc_line.split("\t")
        grouped.setdefault(doc_id, []).append(text)
        domains[doc_id] = domain
    return {doc_id: (domains[doc_id], "\n\n".join(paras)) for doc_id, paras in grouped.items() if doc_id != "canary"}


def parallel_documents(news_only: bool = True) -> dict[str, list[tuple[ParallelDoc, ParallelDoc]]]:
    """True pairs per language pair ("de-en", "en-zh", "de-zh"); `news_only` keeps WMT24's news domain only."""
    pairs: dict[str, list[tuple[ParallelDoc, ParallelDoc]]] = {"de-en": [], "en-zh": [], "de-zh": []}
    pairs["de-en"].extend(_newstest2015())
    en = _wmt24_side("zh-en", "en-zh.src.en.txt")
    zh = _wmt24_side("zh-en", "en-zh.refA.zh.txt")
    de = _wmt24_side("de-en", "en-de.refA.de.txt")
    for doc_id, (domain, en_text) in en.items():
        if news_only and domain != "news":
            continue
        make = lambda lang, text, d=doc_id, dom=domain: ParallelDoc("wmt24", d, lang, text, dom)  # noqa: E731
        pairs["de-en"].append((make("de", de[doc_id][1]), make("en", en_text)))
        pairs["en-zh"].append((make("en", en_text), make("zh", zh[doc_id][1])))
        pairs["de-zh"].append((make("de", de[doc_id][1]), make("zh", zh[doc_id][1])))
    return pairs


def _fundus_body(body: object) -> str:
    """The text of a fundus ground truth body: summary, then every section's paragraphs."""
    if not isinstance(body, dict):
        return ""
    paras = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        paras.extend(section.get("paragraphs") or [])
    return "\n\n".join(p for p in paras if isinstance(p, str))


def real_articles() -> list[tuple[str, str]]:
    """(language, text) of every recorded article with a known text: the pages' ground truth, the seeds."""
    out: list[tuple[str, str]] = []
    for path in sorted((_data_dir / "pages").rglob("*.gt.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        text = (data.get("main_text") or data.get("text") or _fundus_body(data.get("body")) or "").strip()
        if len(text) < 200:
            continue
        cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
        language = "zh" if cjk > len(text) * 0.2 else ("de" if "german" in str(path) else "en")
        out.append((language, text))
    for path in sorted((_data_dir / "seeds").glob("0*.txt")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?s)^\s*---.*?---", "", text)
        text = re.sub(r"<[^>]+>", "", text)
        text = "\n\n".join(p.strip() for p in re.split(r"\n\s*\n", text) if len(p.strip()) > 20)
        cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
        language = "zh" if cjk > len(text) * 0.2 else ("de" if " der " in text else "en")
        out.append((language, text))
    return out


BOILERPLATE = {
    "zh": (
        "免责声明：本文转自网络，仅供读者参考，版权归原作者所有。如有侵权请联系删除。",
        "关注我们的公众号，获取更多财经资讯。点击下方链接下载APP，海量资讯尽在掌握。",
        "热门推荐 | 今日要闻 | 编辑推荐 | 阅读排行",
    ),
    "en": (
        "Disclaimer: This post was automatically aggregated from the web. All rights belong to the original author.",
        "Subscribe to our newsletter for the latest updates. Share this: Twitter Facebook LinkedIn WhatsApp",
        "Related posts | Trending now | Most read | Editor's picks",
    ),
    "de": (
        "Hinweis: Dieser Beitrag wurde automatisch übernommen. Alle Rechte liegen beim ursprünglichen Autor.",
        "Abonnieren Sie unseren Newsletter für die neuesten Nachrichten. Teilen: Twitter Facebook WhatsApp",
        "Verwandte Artikel | Meistgelesen | Empfehlungen der Redaktion",
    ),
}


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def aggregator_copy(text: str, language: str, rng: random.Random, extra: str = "") -> str:
    """A copy as an aggregator makes it: boilerplate around the text, maybe the last paragraph trimmed,
    maybe a paragraph appended, a different template (paragraphs joined differently)."""
    paras = _paragraphs(text)
    if len(paras) > 3 and rng.random() < 0.5:
        paras = paras[:-1]
    if extra and rng.random() < 0.5:
        paras.append(extra)
    plate = BOILERPLATE.get(language, BOILERPLATE["en"])
    head = [rng.choice(plate)] if rng.random() < 0.7 else []
    tail = list(rng.sample(plate, k=2))
    joiner = rng.choice(("\n\n", "\n"))
    return joiner.join([*head, *paras, *tail])


def topic_distractor(text: str, filler: list[str]) -> str:
    """A text on the same topic without the same text: the original's lead sentence, then paragraphs taken
    (and used up) from `filler`, real text of the same language that is not otherwise in the pool."""
    lead = re.split(r"(?<=[。.!?！？])\s*", _paragraphs(text)[0])[0]
    body = [filler.pop() for _ in range(min(4, len(filler)))]
    return "\n\n".join([lead, *body])


def filler_paragraphs(seed: int = 3) -> dict[str, list[str]]:
    """Shuffled paragraphs per language from the WMT documents (each paragraph used at most once)."""
    rng = random.Random(seed)
    out: dict[str, list[str]] = {"zh": [], "en": [], "de": []}
    for pairs in parallel_documents(news_only=False).values():
        for a, b in pairs:
            for doc in (a, b):
                out[doc.language].extend(p for p in _paragraphs(doc.text) if len(p) > 80)
    for language, paras in out.items():
        out[language] = sorted(set(paras))
        rng.shuffle(out[language])
    return out


PER_DAY = 1500
_DIGIT_RE = re.compile(r"\d")
_NAME_RE = re.compile(r"(?<![A-Za-z])[A-Z][a-z]{2,}")
_SYLLABLES = ("ka", "lo", "mi", "ran", "te", "vo", "sun", "bel", "dor", "ix", "na", "por", "qu", "zel")


def _made_up_name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。！？.!?])\s*", text) if len(s.strip()) > 15]


def synthetic_corpus(
    count: int, seed: int = 7, copy_share: float = 0.1, per_day: int = PER_DAY
) -> list[EvalArticle]:
    """`count` articles in zh/en/de at `per_day` articles a day (a crawl's daily volume does not grow with the
    corpus): originals shuffled from real sentences with fresh figures and names, `copy_share` of them
    aggregator copies of a recent original; `truth` names each original's group."""
    rng = random.Random(seed)
    pools: dict[str, list[str]] = {"zh": [], "en": [], "de": []}
    for language, text in real_articles():
        pools[language].extend(_sentences(text))
    for pairs in parallel_documents(news_only=False).values():
        for a, b in pairs:
            for doc in (a, b):
                pools[doc.language].extend(_sentences(doc.text))
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    articles: list[EvalArticle] = []
    originals: list[EvalArticle] = []
    languages = ("zh", "en", "de")
    for index in range(count):
        published = start + timedelta(days=index / per_day)
        if originals and rng.random() < copy_share:
            source = rng.choice(originals[-500:])
            text = aggregator_copy(source.text, source.language, rng)
            later = published + timedelta(hours=2)
            articles.append(EvalArticle(index, source.language, text, later, truth=source.truth))
            continue
        language = rng.choice(languages)
        sentences = rng.sample(pools[language], k=min(len(pools[language]), rng.randint(8, 14)))
        # fresh figures: each story has its own numbers, as real stories do
        sentences = [_DIGIT_RE.sub(lambda _m: str(rng.randint(0, 9)), s) for s in sentences]
        # and its own people and places: most Latin-script names are replaced by names made up for the story
        names: dict[str, str] = {}

        def rename(match: re.Match[str], names: dict[str, str] = names) -> str:
            word = match.group(0)
            if word not in names:
                names[word] = word if rng.random() < 0.3 else _made_up_name(rng)
            return names[word]

        sentences = [_NAME_RE.sub(rename, s) for s in sentences]
        figure = f"{rng.randint(10, 9999)}.{rng.randint(1, 99)}"
        sentences.insert(rng.randint(0, len(sentences)), f"{figure} {'亿元' if language == 'zh' else 'million'}.")
        paras = ["".join(sentences[i : i + 3]) if language == "zh" else " ".join(sentences[i : i + 3])
                 for i in range(0, len(sentences), 3)]
        article = EvalArticle(index, language, "\n\n".join(paras), published, truth=f"s{index}")
        articles.append(article)
        originals.append(article)
    return articles


DEV_PARALLEL = DEFAULT_DATA_DIR / "dev" / "parallel"
# (direction as "original-translation", folder, file prefix, original's file, translation's file): one human
# reference per document, the first the set has.
DEV_SETS: tuple[tuple[str, str, str, str, str], ...] = (
    ("zh-en", "zh-en/newstest2021", "newstest2021.zh-en", "src.zh.txt", "refA.en.txt"),
    ("en-zh", "zh-en/newstest2021", "newstest2021.en-zh", "src.en.txt", "refA.zh.txt"),
    ("en-zh", "zh-en/newstest2020", "newstest2020.en-zh", "src.en.txt", "refA.zh.txt"),
    ("de-en", "de-en/newstest2021", "newstest2021.de-en", "src.de.txt", "refA.en.txt"),
    ("en-de", "de-en/newstest2021", "newstest2021.en-de", "src.en.txt", "refA.de.txt"),
)


def dev_parallel_documents(folder: Path = DEV_PARALLEL) -> dict[str, list[tuple[ParallelDoc, ParallelDoc]]]:
    """(original, human translation) document pairs per direction from the WMT news test sets of
    `folder` (../shared/dev/parallel: newstest2020 en-zh, newstest2021 zh-en/en-zh/de-en/en-de; see its
    README). A document is the run of lines with one doc id; its first line is the headline."""
    out: dict[str, list[tuple[ParallelDoc, ParallelDoc]]] = {}
    for direction, subdir, prefix, source_name, target_name in DEV_SETS:
        base = folder / subdir
        ids = [line.split("\t")[0] for line in (base / f"{prefix}.docs").read_text(encoding="utf-8").splitlines()]
        sides = []
        for name in (source_name, target_name):
            lines = (base / f"{prefix}.{name}").read_text(encoding="utf-8").splitlines()
            if len(lines) != len(ids):
                raise ValueError(f"{base / prefix}.{name}: {len(lines)} lines for {len(ids)} doc ids")
            sides.append(lines)
        grouped: dict[str, tuple[list[str], list[str]]] = {}
        for doc_id, src, tgt in zip(ids, *sides, strict=True):
            pair = grouped.setdefault(doc_id, ([], []))
            pair[0].append(src.strip())
            pair[1].append(tgt.strip())
        corpus = prefix.split(".")[0]
        source_lang, target_lang = source_name.split(".")[1], target_name.split(".")[1]
        for doc_id, (src_lines, tgt_lines) in grouped.items():
            out.setdefault(direction, []).append((
                ParallelDoc(corpus, f"{prefix}:{doc_id}", source_lang, "\n".join(x for x in src_lines if x)),
                ParallelDoc(corpus, f"{prefix}:{doc_id}", target_lang, "\n".join(x for x in tgt_lines if x)),
            ))
    return out
