"""The index as an Iceberg table in the session's catalog: built from `llm/` and the marts,
rebuilt only for what changed, read back for search; embeddings from an endpoint too."""

from dataclasses import replace

import pytest
from openai_server import KEY, openai_stand_in

from lakehouse.bot.embeddings import EndpointEmbedder, packaged_embedder
from lakehouse.bot.index_table import PART, TABLE, corpus_fingerprint, load_index, sync_index
from lakehouse.bot.indexing import index_documents
from lakehouse.catalog import open_catalog
from lakehouse.doctor import check_llm
from lakehouse.lake.bot_tables import BOT_DOCUMENTS
from lakehouse.settings import LLMSettings, Settings

pytestmark = pytest.mark.integration


def test_the_index_is_rebuilt_only_for_what_changed(lake: Settings) -> None:
    catalog = open_catalog(lake)
    catalog.create_namespace_if_not_exists("bot")
    if catalog.table_exists(TABLE):
        catalog.drop_table(TABLE)
    documents = index_documents(catalog)
    kinds = {d.kind for d in documents}
    assert kinds == {"card", "glossary", "example", "stage", "rider", "team"}
    stages = [d for d in documents if d.kind == "stage"]
    assert stages and "won by" in stages[0].text
    assert "took the first yellow jersey" in stages[0].text
    assert all("yellow jersey" in s.text and "Biggest moves" in s.text for s in stages[1:])

    model = packaged_embedder()
    first = sync_index(catalog, documents, model)
    assert (first.embedded, first.removed, first.kept) == (len(documents), 0, 0)
    snapshots = len(catalog.load_table(TABLE).snapshots())
    again = sync_index(catalog, documents, model)
    assert (again.embedded, again.kept) == (0, len(documents))
    assert len(catalog.load_table(TABLE).snapshots()) == snapshots  # nothing committed

    changed = [replace(documents[0], text=documents[0].text + " Edited."), *documents[2:]]
    third = sync_index(catalog, changed, model)
    assert (third.embedded, third.removed, third.kept) == (1, 1, len(documents) - 2)
    table = catalog.load_table(TABLE)
    snapshot = table.current_snapshot()
    assert snapshot is not None and snapshot.summary is not None
    summary = snapshot.summary
    assert summary["peloton.part"] == PART
    assert summary["peloton.fingerprint"] == corpus_fingerprint(changed, model)
    assert [f.name for f in table.schema().fields] == [n for n, *_ in BOT_DOCUMENTS.columns] + [
        "_loaded_at", "_source", "_batch_id"
    ]  # fmt: skip

    index = load_index(catalog, model)
    assert index is not None and len(index.documents) == len(changed)
    assert {d.doc_id for d in index.documents} == {d.doc_id for d in changed}
    stage = stages[-1]
    hit = index.search(f"summary of {stage.title.lower()}", 1, kinds=("stage",))[0]
    assert hit.document.doc_id == stage.doc_id


def test_embeddings_from_an_endpoint_and_the_doctor_line() -> None:
    with openai_stand_in() as server:
        llm = LLMSettings(base_url=server.url, api_key=KEY, embeddings_model="bag-of-words")
        model = EndpointEmbedder(llm)
        vectors = model.embed(["yellow jersey leader", "the yellow jersey", "watts"])
        assert vectors.shape == (3, 64) and model.name == "endpoint-bag-of-words"
        assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
        assert server.requests[-1]["model"] == "bag-of-words"

        doctor = check_llm(Settings(llm=llm))
        assert doctor.ok and "HTTP 200" in doctor.detail
        wrong = check_llm(Settings(llm=LLMSettings(base_url=server.url, api_key="sk-nope")))
        assert not wrong.ok and "401" in wrong.detail and "sk-nope" not in str(wrong)
    assert check_llm(Settings()).detail.startswith("offline mode")
