"""mt-repair: repair English news text damaged by machine translation.

>>> from repair import repair_text
>>> repair_text("Shares rose 7 % on Monday.").text
'Shares rose 7% on Monday.'
"""
from .config import DEFAULT_CONFIG, RepairConfig
from .edit import Edit, Proposal, Rejected, Repaired, apply_edits
from .pipeline import Repairer, get_repairer, repair_text

__version__ = "0.1.0"

__all__ = ["DEFAULT_CONFIG", "Edit", "Proposal", "Rejected", "RepairConfig", "Repaired", "Repairer", "__version__",
           "apply_edits", "get_repairer", "repair_text"]
