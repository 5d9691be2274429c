"""The query path, in reading order: parse, lexical (:mod:`.lexical`), semantic (:mod:`.semantic`), fusion (:mod:`.fusion`)."""
