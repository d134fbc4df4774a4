from pathlib import Path

from lakehouse.lake.mart_tables import MART_TABLES
from lakehouse.lake.raw_tables import RAW_TABLES
from lakehouse.lake.staging_tables import STAGING_TABLES
from lakehouse.transform.dictionary import render

DOC_PATH = Path(__file__).resolve().parents[3] / "docs" / "data-dictionary.md"


def test_committed_dictionary_matches_the_definitions() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render()


def test_every_column_is_documented() -> None:
    for table in (*RAW_TABLES, *STAGING_TABLES, *MART_TABLES):
        for field in table.schema().fields:
            assert field.doc, f"{table.name}.{field.name}"
