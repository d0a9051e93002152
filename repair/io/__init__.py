"""Reading inputs and writing outputs: documents, JSONL records, atomic files, error records."""
from .errors import InputError
from .read import Record, RecordError, decode, iter_jsonl, read_document
from .write import atomic_output, refuse_clobber

__all__ = ["InputError", "Record", "RecordError", "atomic_output", "decode", "iter_jsonl",
           "read_document", "refuse_clobber"]
