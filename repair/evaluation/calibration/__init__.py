"""Calibration: choosing the library's thresholds on data, and measuring what they give.

One place for every number the pipeline decides with:

- :mod:`.judge`: the judge's margin (``RepairConfig.judge_margin``), from the candidates it
  would see on a dev set;
- :mod:`.postedit`: the post-editor's own margins (``GuardConfig.min_margin``), on held-out
  validation pairs of the training run;
- :mod:`.garble`: the garble score's threshold (``repair.garble.DEFAULT_THRESHOLD``), from
  clean news.

Run ``python -m repair.evaluation.calibration {judge|postedit|garble} --help``.
"""
