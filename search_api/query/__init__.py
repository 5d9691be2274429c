"""The query path, read in order: parse → build (words, expansion, long queries) → lexical and
semantic legs over documents and passages → fusion → facets → page → snippets.

``search.py`` runs it; each step is a module of its own here.
"""
