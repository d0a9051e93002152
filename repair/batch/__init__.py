"""Batch repair: many records from many files, streamed, in parallel, resumable."""
