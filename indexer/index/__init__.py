"""The Whoosh index: schema, generations with an atomic switch, locking and maintenance."""
from indexer.index.builder import (BuildSummary, build_index, build_records, delete_records, rollback,
                                   update_index, update_records)
from indexer.index.generations import (CorruptIndexError, NoIndexError, SwitchRefusedError, live_path,
                                       open_live, read_metadata)
from indexer.index.health import stats, verify
from indexer.index.pages import best_page
from indexer.index.schema import make_schema, record_to_document, stored_record

__all__ = [
    "BuildSummary", "build_index", "build_records", "update_index", "update_records", "delete_records",
    "rollback", "stats", "verify", "open_live", "live_path", "read_metadata", "best_page", "make_schema",
    "record_to_document", "stored_record", "CorruptIndexError", "NoIndexError", "SwitchRefusedError",
]
