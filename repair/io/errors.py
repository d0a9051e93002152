class InputError(ValueError):
    """Input that cannot be read as asked; the message names the file and where."""
