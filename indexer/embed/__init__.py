"""Sentence embeddings of records: the encoder, the chunks embedded, the cache and the stored matrix.

Read in order: :mod:`encoder` (what turns text into vectors), :mod:`chunks` (which texts of a
record are embedded), :mod:`cache` (vectors kept by content hash across builds), :mod:`store`
(the per-generation matrix the API memory-maps, and the parallel step of a build writing it).
"""
