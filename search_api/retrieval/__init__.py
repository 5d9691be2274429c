"""Retrieval over one index generation: vectorized lexical scoring (:mod:`.lexical`)."""
