"""Glossary pre-pass: rules as data files, compiled into one matcher."""
from .defaults import default_glossary_paths, load_glossaries
from .load import load_glossary
from .match import CompiledGlossary, carry_case, fold
from .rules import Example, Glossary, GlossaryError, Rule

__all__ = ["CompiledGlossary", "Example", "Glossary", "GlossaryError", "Rule", "carry_case",
           "default_glossary_paths", "fold", "load_glossaries", "load_glossary"]
