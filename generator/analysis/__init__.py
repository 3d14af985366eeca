"""Pure functions that infer structure from a collection: aliases, mentions,
similarity, topics, and the graph that joins them. Nothing here reads or
writes files; every function is deterministic (sorted outputs, fixed seeds)."""
from __future__ import annotations

from ..model import Analysis, Collection
from .aliases import find_aliases
from .mentions import find_mentions
from .similarity import related_papers
from .topics import find_topics

__all__ = ["analyse"]


def analyse(collection: Collection, *, related_k: int = 5, seed: int = 42) -> Analysis:
    """Run every analysis in dependency order: aliases before mentions, similarity before topics."""
    aliases = find_aliases(collection)
    mentions, ambiguous = find_mentions(collection, aliases)
    related, matrix = related_papers(collection, k=related_k)
    topics, paper_topics = find_topics(collection, related, matrix, seed=seed)
    return Analysis(
        aliases=aliases, mentions=mentions, related=related,
        topics=topics, paper_topics=paper_topics, ambiguous=ambiguous,
    )
