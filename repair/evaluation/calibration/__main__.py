"""``python -m repair.evaluation.calibration {judge|postedit|garble|families} ...``"""
from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    what = argv.pop(0) if argv else ""
    if what == "judge":
        from .judge import main as judge_main

        return judge_main(argv)
    if what == "postedit":
        from .postedit import main as postedit_main

        postedit_main.main(argv, prog_name="python -m repair.evaluation.calibration postedit")
        return 0
    if what == "families":
        from .families import main as families_main

        return families_main(argv)
    if what == "garble":
        from .garble import calibrate

        ap = argparse.ArgumentParser(prog="python -m repair.evaluation.calibration garble")
        ap.add_argument("--dev", default="eval/dev.jsonl", help="a dev set with garbled records and clean controls")
        ap.add_argument("--clean", action="append", help="JSONL of clean texts (field 'original'); repeatable; "
                                                         "default tests/cases/negative.jsonl")
        args = ap.parse_args(argv)
        print(json.dumps(calibrate(args.dev, tuple(args.clean or ["tests/cases/negative.jsonl"])), indent=1))
        return 0
    print(__doc__.strip() + "\n  judge     the judge's margin on a dev set\n  postedit  the post-editor's margins on "
          "validation pairs\n  garble    the garble score's threshold\n  families  each grammar family's margin on held-out "
          "clean news", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
