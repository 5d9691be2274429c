"""Cross-lingual (Korean <-> English) helpers: the bilingual policy glossary."""
