"""The query path, in reading order: parse, lexical, semantic (meaning), fusion."""
