"""``repair cache``: show and clear the model cache (:mod:`repair.lm_cache`)."""
from __future__ import annotations

import json

import click


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"  # pragma: no cover


@click.group()
def cache():
    """Show and clear the model cache (converted judge and post-editor models)."""


@cache.command(name="info")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--quick", is_flag=True, help="Check file sizes only, not their sha256 (faster).")
def cache_info(as_json, quick):
    """The cache's path, and each entry: kind, source, size, state (ok, stale, damaged)."""
    from . import lm_cache

    entries = lm_cache.entries(verify=not quick)
    total = sum(e.size for e in entries)
    if as_json:
        click.echo(json.dumps({"path": str(lm_cache.models_dir()), "total_size": total,
                               "entries": [e.to_dict() for e in entries]}, indent=1))
        return
    click.echo(f"cache: {lm_cache.models_dir()}  ({len(entries)} entries, {_size(total)})")
    for e in entries:
        src = e.source.get("path") or e.source.get("gguf") or ""
        click.echo(f"{e.path.name}\t{e.kind}\t{_size(e.size)}\t{e.state}\t{src}")
    if any(e.state != "ok" for e in entries):
        click.echo("remove the entries that are not ok with `repair cache clear --stale`", err=True)


@cache.command(name="clear")
@click.option("--stale", "stale_only", is_flag=True,
              help="Remove only stale, damaged and legacy entries (and crashed conversions' leftovers).")
def cache_clear(stale_only):
    """Remove the cache's entries (they are converted again on first use)."""
    from . import lm_cache

    removed = lm_cache.clear(stale_only=stale_only)
    for e in removed:
        click.echo(f"removed {e.path} ({_size(e.size)}, {e.state})")
    click.echo(f"{len(removed)} entries removed, {_size(sum(e.size for e in removed))} freed from "
               f"{lm_cache.models_dir()}")
