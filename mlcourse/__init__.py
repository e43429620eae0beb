"""mlcourse: Open edX XBlocks for co-designed, participatory training on evidence-based policymaking."""

__version__ = "0.1.0"
