class InputError(ValueError):
    """Input that cannot be read as asked; the message names the file and where.

    ``line`` and ``byte`` locate the problem when known (1-based line, 0-based byte offset).
    """

    def __init__(self, message: str, line: int | None = None, byte: int | None = None):
        super().__init__(message)
        self.line = line
        self.byte = byte
