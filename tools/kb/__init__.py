"""Knowledge base: markdown articles in Postgres, hybrid retrieval, extractive cited answers."""

from tools.kb.embeddings import HashingConfig, HashingEmbeddings, make_embeddings
from tools.kb.knowledge_base import KnowledgeBase
from tools.kb.models import KbAnswer, KbDocument, KbHit, KbIngestError
from tools.kb.ranking import RankingConfig

__all__ = [
    "HashingConfig",
    "HashingEmbeddings",
    "KbAnswer",
    "KbDocument",
    "KbHit",
    "KbIngestError",
    "KnowledgeBase",
    "RankingConfig",
    "make_embeddings",
]
