"""Domain errors of the indexer, mapped to exit codes by the CLI."""


class IndexerError(Exception):
    """Base class of every error the indexer reports to its caller."""

    exit_code = 1


class ConversionError(IndexerError):
    """A source could not be turned into records; the message says why."""


class RecordError(IndexerError):
    """A record does not satisfy the document schema."""


class IndexBusyError(IndexerError):
    """Another build holds the index lock."""

    exit_code = 3
