"""kg: a knowledge-graph builder for Chinese news and government text."""

__version__ = "0.1.0"
