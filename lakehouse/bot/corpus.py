"""The bot's documents from `llm/` and the table definitions: table cards, glossary, question
examples. The documents made from the data are in `lakehouse.bot.race_documents`."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse.assets import part_dir
from lakehouse.bot.intents import load_intents

KINDS = ("card", "glossary", "example", "stage", "rider", "team")
NAMED_KINDS = ("rider", "team", "climb")
JOIN_KEYS = ("stage", "bib", "climb_number")


@dataclass(frozen=True)
class Document:
    """One searchable text: what it is (`kind`), a title and the text; an example's intent."""

    doc_id: str
    kind: str
    title: str
    text: str
    intent: str = ""

    @property
    def searchable(self) -> str:
        """What is embedded and indexed: a phrasing alone (questions are matched against
        questions), else the title and the text."""
        return self.title if self.kind == "example" else f"{self.title}\n{self.text}"

    @property
    def fingerprint(self) -> str:
        """Changes whenever what is embedded changes."""
        return hashlib.sha256(f"{self.kind}\0{self.searchable}".encode()).hexdigest()[:16]


def _toml(name: str, folder: Path | None = None) -> dict[str, Any]:
    path = (folder or part_dir("llm")) / name
    with path.open("rb") as f:
        return tomllib.load(f)


def table_cards() -> list[Document]:
    """A card per mart (from its definition, as the data dictionary) and per view."""
    from lakehouse.bot.tables import BOT_MARTS
    from lakehouse.transform.dictionary import table_markdown  # imports the checks: slow

    cards = []
    for table in BOT_MARTS:
        names = [c[0] for c in table.columns]
        keys = ", ".join(k for k in JOIN_KEYS if k in names)
        text = table_markdown(table).replace(f"## `{table.name}`\n\n", "")
        cards.append(
            Document(f"card:{table.name}", "card", table.name, f"{text}\nJoin keys: {keys}.")
        )
    for view in _toml("views.toml")["view"]:
        text = (
            f"{view['grain'].capitalize()}.\nColumns: {view['columns']}.\nJoins: {view['joins']}."
        )
        cards.append(Document(f"card:{view['name']}", "card", view["name"], text))
    return cards


def glossary() -> list[Document]:
    return [
        Document(f"glossary:{t['id']}", "glossary", " / ".join(t["terms"]), t["meaning"].strip())
        for t in _toml("glossary.toml")["term"]
    ]


def examples() -> list[Document]:
    """Each phrasing of each intent, a document pointing at its intent, its {rider}, {team}
    and {climb} written as the word a question's names are replaced with (`mask_names`)."""
    return [
        Document(
            f"example:{intent.name}:{i}",
            "example",
            unmask(text),
            intent.description,
            intent.name,
        )
        for intent in load_intents()
        for i, text in enumerate(intent.examples)
    ]


def unmask(example: str) -> str:
    for kind in NAMED_KINDS:
        example = example.replace("{" + kind + "}", kind)
    return example


def static_documents() -> list[Document]:
    """The documents of `llm/`, which need no data."""
    return table_cards() + glossary() + examples()
