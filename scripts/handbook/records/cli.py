"""CLI commands of the records processor (validate, ingest, report, sample)."""


def register(sub, parser_class) -> None:
    """Add the records commands to the `handbook` CLI."""
