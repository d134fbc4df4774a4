from lakehouse.tables.dictionary import DOC_PATH, render
from lakehouse.tables.marts import MART_TABLES
from lakehouse.tables.raw import RAW_TABLES
from lakehouse.tables.staging import STAGING_TABLES


def test_committed_dictionary_matches_the_definitions() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render()


def test_every_column_is_documented() -> None:
    for table in (*RAW_TABLES, *STAGING_TABLES, *MART_TABLES):
        for field in table.schema().fields:
            assert field.doc, f"{table.name}.{field.name}"
