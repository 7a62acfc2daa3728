"""The dataset folder's layout: its files, and each table's (required, optional) columns."""

DOCUMENTS = "documents"
SOURCES = "sources.csv"
QUANTITIES = "quantities.csv"
CLAIMS = "claims.csv"

SOURCE_COLUMNS = (("source_id", "name", "kind"), ("side",))
QUANTITY_COLUMNS = (
    ("quantity_id", "description", "outcome"),
    ("side", "start", "end", "place", "parent", "complete", "by", "cumulative"),
)
CLAIM_COLUMNS = (
    ("claim_id", "quantity_id", "source_id", "document", "quote", "qualifier"),
    ("via", "value", "low", "high", "term", "published", "as_of", "notes"),
)


def every_column(columns: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[str, ...]:
    """A table's columns, required then optional (the order a written table uses)."""
    return columns[0] + columns[1]
