"""Import orders from the sales platforms (JSON, CSV, XLSX): validated, de-duplicated, stored once.

Reading (:func:`read_orders`, :func:`read_json_orders`) turns a file into candidate
orders in the contract's shape, one per order id (a spreadsheet may give an order
one row per item, its id repeated). :func:`import_orders` then checks them against
the stored network, drops duplicates (a platform order id seen before, or the same
customer, destination, items and window from another platform) and stores the rest
as one batch: all or nothing unless ``keep_valid``, and never twice for one file.

Reading is in :mod:`~dispatch.intake.imports.reading` (files) and
:mod:`~dispatch.intake.imports.platforms` (the platforms' columns); the checks in
:mod:`~dispatch.intake.imports.checks`, de-duplication in
:mod:`~dispatch.intake.imports.duplicates`, storing in :mod:`~dispatch.intake.imports.batch`
and the CSV export in :mod:`~dispatch.intake.imports.export`.
"""

from dispatch.intake.imports.batch import import_orders
from dispatch.intake.imports.candidates import Candidate, ReadResult, UnreadableFileError
from dispatch.intake.imports.duplicates import fingerprint
from dispatch.intake.imports.export import orders_csv
from dispatch.intake.imports.outcome import Duplicate, ImportOutcome, ImportRejectedError
from dispatch.intake.imports.platforms import ITEM_FIELDS, MAPPINGS, ORDER_FIELDS, ColumnMapping
from dispatch.intake.imports.reading import (
    RATIO_FLOOR,
    TEXT_ENCODINGS,
    ImportLimits,
    check_workbook,
    decode_text,
    read_json_orders,
    read_orders,
    sniff_format,
)

__all__ = [
    "ITEM_FIELDS",
    "MAPPINGS",
    "ORDER_FIELDS",
    "RATIO_FLOOR",
    "TEXT_ENCODINGS",
    "Candidate",
    "ColumnMapping",
    "Duplicate",
    "ImportLimits",
    "ImportOutcome",
    "ImportRejectedError",
    "ReadResult",
    "UnreadableFileError",
    "check_workbook",
    "decode_text",
    "fingerprint",
    "import_orders",
    "orders_csv",
    "read_json_orders",
    "read_orders",
    "sniff_format",
]
