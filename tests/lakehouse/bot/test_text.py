"""The bot's pieces that need no server: numbers, names, search, answer formats, intents."""

import numpy as np
import pytest

from lakehouse.bot.answer import render
from lakehouse.bot.corpus import static_documents
from lakehouse.bot.embeddings import PackagedEmbedder, packaged_embedder
from lakehouse.bot.entities import directory_from_rows
from lakehouse.bot.intents import SLOTS, load_intents
from lakehouse.bot.numbers import count, stage_number
from lakehouse.bot.search import BM25, Index

RIDERS = [
    {"bib": 1, "rider_name": "Tadej Pogačar", "team": "UAE Team Emirates"},
    {"bib": 2, "rider_name": "Jonas Vingegaard", "team": "Jumbo-Visma"},
    {"bib": 3, "rider_name": "Adam Yates", "team": "UAE Team Emirates"},
    {"bib": 4, "rider_name": "Simon Yates", "team": "Jayco AlUla"},
]
CLIMBS = [
    {"stage": 17, "climb_number": 4, "climb_name": "Col de la Loze"},
    {"stage": 14, "climb_number": 5, "climb_name": "Col de Joux Plane"},
]
DIRECTORY = directory_from_rows(RIDERS, CLIMBS, [14, 17])


@pytest.mark.parametrize(
    ("question", "stage"),
    [
        ("who won stage 17?", 17),
        ("qui a gagné la 17e étape ?", 17),
        ("the seventeenth stage", 17),
        ("la dix-septième étape", 17),
        ("classement de l'étape 3", 3),
        ("the 4th stage", 4),
        ("après la dernière étape", 0),
        ("who leads the race?", None),
    ],
)
def test_stage_numbers_in_english_and_french(question: str, stage: int | None) -> None:
    assert stage_number(question) == stage


def test_counts() -> None:
    assert count("top 5 overall") == 5
    assert count("les dix premiers") == 10
    assert count("first three riders") == 3
    assert count("who won") is None


@pytest.mark.parametrize(
    ("question", "bib"),
    [
        ("where did Pogacar finish?", 1),
        ("où a fini POGAČAR", 1),
        ("how did Jonas Vingegard do", 2),  # a typo
        ("Simon Yates on stage 14", 4),
    ],
)
def test_riders_by_fuzzy_name(question: str, bib: int) -> None:
    found = DIRECTORY.best(question, "rider")
    assert found is not None and found.entity.keys["bib"] == bib


def test_no_rider_is_found_in_a_question_without_one() -> None:
    assert DIRECTORY.best("who won stage 17 of the tour?", "rider") is None
    assert DIRECTORY.suggest("Pogatchar", "rider")[0] == "Tadej Pogačar"


def test_climbs_and_teams_by_their_distinctive_words() -> None:
    climb = DIRECTORY.best("fastest up the Loze", "climb")
    assert climb is not None and climb.entity.keys == {
        "stage": 17,
        "climb_number": 4,
        "climb_name": "Col de la Loze",
    }
    team = DIRECTORY.best("best rider of jumbo visma", "team")
    assert team is not None and team.entity.name == "Jumbo-Visma"


def test_answer_formats() -> None:
    text = render(
        "{a:time} {b:gap} {c:gap} {d:ordinal} {e:ordinal} {f:int} {g:gap} {h:list}",
        {"a": 3725.4, "b": 71, "c": 0, "d": 1, "e": 12, "f": 1391.6, "g": None, "h": "3, 17"},
    )
    assert text == "1:02:05 +1:11 +0:00 1st 12th 1,392 - : 3, 17"


def test_bm25_ranks_the_document_with_the_rare_word_first() -> None:
    scores = BM25(["the yellow jersey", "the green jersey", "the lanterne rouge"]).scores(
        "who is the lanterne rouge"
    )
    assert int(np.argmax(scores)) == 2 and scores[0] == scores[1]


def test_the_packaged_model_loads_from_its_package_and_embeds() -> None:
    model = packaged_embedder()
    assert isinstance(model, PackagedEmbedder)
    vectors = model.embed(["who won stage 17", "winner of the seventeenth stage", "watts"])
    assert vectors.shape == (3, 256)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_the_static_corpus_finds_the_intent_of_each_example() -> None:
    """Every phrasing of the corpus retrieves its own intent first (hit@1 on the examples)."""
    documents = static_documents()
    model = packaged_embedder()
    index = Index(documents, model.embed([d.searchable for d in documents]), model)
    examples = [d for d in documents if d.kind == "example"]
    wrong = [
        d.title
        for d in examples
        if index.search(d.title, 1, kinds=("example",))[0].document.intent != d.intent
    ]
    assert not wrong
    kinds = {d.kind for d in documents}
    assert kinds == {"card", "glossary", "example"}
    cards = [d.title for d in documents if d.kind == "card"]
    assert "marts.stage_results" in cards and "views.climbs" in cards


def test_the_intents_are_many_and_well_formed() -> None:
    intents = load_intents()
    assert len(intents) >= 15
    for intent in intents:
        assert set(intent.slots) <= set(SLOTS)
        assert len(intent.examples) >= 4
        assert any(not e.isascii() or " la " in e or " de " in e for e in intent.examples)
