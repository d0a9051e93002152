"""Reading inputs and writing outputs: documents, JSONL records, atomic files, error records."""
from .atomic import AtomicOutput, atomic_output, refuse_clobber, write_atomic
from .errors import ErrorSink, InputError, RecordError
from .read import Record, decode, iter_jsonl, read_document

__all__ = ["AtomicOutput", "ErrorSink", "InputError", "Record", "RecordError", "atomic_output", "decode",
           "iter_jsonl", "read_document", "refuse_clobber", "write_atomic"]
