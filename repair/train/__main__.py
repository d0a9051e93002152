"""``python -m repair.train``: the same command as ``repair train``."""
from .cli import train_command

if __name__ == "__main__":  # pragma: no cover
    train_command(prog_name="python -m repair.train")
