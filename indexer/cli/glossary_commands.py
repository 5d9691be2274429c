"""``policy-index glossary-propose``: candidate glossary entries from the corpus, for review.

Prints TSV (``ko  en  evidence  count  example``) on stdout; nothing is written to
``indexer/data/glossary.tsv``: staff copy the lines they accept. Evidence:

* ``inline``  -- a Korean term glossed in English in the same text, or the other way
                round: ``공유도시(Sharing City)``, ``Arisu (아리수)``.
* ``aligned`` -- a Korean and an English term that keep occurring together in record
                pairs linked as translations of each other (``translations``).
* ``frequent-ko`` / ``frequent-en`` -- frequent terms the glossary does not cover yet.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import click

INLINE_KO_EN = re.compile(r"([\uac00-\ud7a3][\uac00-\ud7a3 ]{0,15}[\uac00-\ud7a3]|[\uac00-\ud7a3]{2})\s*\(\s*([A-Za-z][A-Za-z0-9 .&'-]{1,60}?)\s*\)")
INLINE_EN_KO = re.compile(r"([A-Z][A-Za-z0-9&'-]*(?: [A-Za-z0-9&'-]+){0,5})\s*\(\s*([\uac00-\ud7a3][\uac00-\ud7a3 ]{0,15})\s*\)")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z-]+")
_KO_STOP = {"서울", "서울시", "우리", "이번", "통해", "위해", "대한", "관련", "경우", "이상", "이하"}
_EN_STOP = {"seoul", "the", "and", "for", "with", "that", "this", "from", "was", "are", "will", "have",
            "has", "been", "which", "their", "its", "also", "were", "more", "than", "into", "other"}


def _records_from_index(index_dir: Path) -> list[dict[str, Any]]:
    from indexer.index.generations import open_live
    from indexer.index.schema import stored_record

    ix, _ = open_live(index_dir)
    try:
        with ix.searcher() as searcher:
            return [stored_record(fields) for fields in searcher.all_stored_fields()]
    finally:
        ix.close()


def _known(glossary, text: str) -> bool:
    terms = glossary.terms(text)
    return bool(terms) and bool(glossary.lookup(terms))


def _korean_terms(glossary, text: str) -> list[str]:
    return [t for t in glossary.terms(text) if re.fullmatch(r"[\uac00-\ud7a3]{2,}", t) and t not in _KO_STOP]


def _english_phrases(text: str) -> list[str]:
    """English words and two-word phrases, lower-cased, stop words skipped."""
    words = [w.lower() for w in _EN_WORD.findall(text)]
    out = [w for w in words if w not in _EN_STOP and len(w) > 2]
    out += [f"{a} {b}" for a, b in zip(words, words[1:]) if a not in _EN_STOP and b not in _EN_STOP
            and len(a) > 2 and len(b) > 2]
    return out


def propose(records: Iterable[dict[str, Any]], glossary, min_count: int = 2, limit: int = 200) -> list[tuple]:
    """Candidate entries ``(ko, en, evidence, count, example)``, best evidence first."""
    records = list(records)
    rows: list[tuple] = []
    inline: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    for record in records:
        text = f"{record['title']}\n{record.get('body', '')}"
        for ko, en in INLINE_KO_EN.findall(text):
            inline[(ko.strip(), en.strip())] += 1
            examples.setdefault((ko.strip(), en.strip()), record["id"])
        for en, ko in INLINE_EN_KO.findall(text):
            inline[(ko.strip(), en.strip())] += 1
            examples.setdefault((ko.strip(), en.strip()), record["id"])
    for (ko, en), count in inline.most_common():
        if not (_known(glossary, ko) and _known(glossary, en)):
            rows.append((ko, en, "inline", count, examples[(ko, en)]))
    # aligned: co-occurrence of uncovered terms across translation pairs (Dice over pairs)
    by_id = {r["id"]: r for r in records}
    pairs = [(r, by_id[t]) for r in records if r.get("lang") == "ko"
             for t in r.get("translations", []) if t in by_id]
    ko_df: Counter[str] = Counter()
    en_df: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    for ko_rec, en_rec in pairs:
        ko_terms = {t for t in _korean_terms(glossary, f"{ko_rec['title']} {ko_rec.get('body', '')}")
                    if not _known(glossary, t)}
        en_terms = {t for t in _english_phrases(f"{en_rec['title']} {en_rec.get('body', '')}")
                    if not _known(glossary, t)}
        ko_df.update(ko_terms)
        en_df.update(en_terms)
        both.update((k, e) for k in ko_terms for e in en_terms)
    aligned = []
    for (ko, en), count in both.items():
        dice = 2 * count / (ko_df[ko] + en_df[en])
        if count >= min(min_count, len(pairs)) and dice >= 0.8:
            aligned.append((dice, count, ko, en))
    best_for_ko: dict[str, tuple] = {}
    for dice, count, ko, en in sorted(aligned, key=lambda a: (-a[0], -a[1], -len(a[3]), a[2], a[3])):
        best_for_ko.setdefault(ko, (ko, en, "aligned", count, f"dice={dice:.2f}"))
    rows.extend(list(best_for_ko.values())[:limit])
    # frequent terms no entry covers (document frequency)
    freq_ko: Counter[str] = Counter()
    freq_en: Counter[str] = Counter()
    for record in records:
        text = f"{record['title']}\n{record.get('body', '')}"
        freq_ko.update(set(_korean_terms(glossary, text)))
        freq_en.update({w for w in _english_phrases(text) if " " in w})
    for term, count in freq_ko.most_common():
        if count < min_count or len(rows) >= 3 * limit:
            break
        if not _known(glossary, term):
            rows.append((term, "", "frequent-ko", count, ""))
    for term, count in freq_en.most_common():
        if count < min_count or len(rows) >= 4 * limit:
            break
        if not _known(glossary, term):
            rows.append(("", term, "frequent-en", count, ""))
    return rows


def register(group: click.Group) -> None:
    """Add ``glossary-propose`` to the ``policy-index`` group."""

    @group.command("glossary-propose")
    @click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))
    @click.option("--index", "index_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
                  help="Also read the records of this index (its live generation).")
    @click.option("--min-count", type=click.IntRange(min=1), default=2, show_default=True,
                  help="Fewest occurrences (records) for a proposal.")
    @click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True,
                  help="Most proposals per kind of evidence.")
    def glossary_propose(sources: tuple[Path, ...], index_dir: Path | None, min_count: int, limit: int) -> None:
        """Propose glossary entries from SOURCES (files or folders) and/or an index, as TSV."""
        from indexer.crosslingual.glossary import glossary
        from indexer.extract import extract_sources

        if not sources and index_dir is None:
            raise click.UsageError("give SOURCES or --index")
        records: dict[str, dict[str, Any]] = {}
        if sources:
            for record in extract_sources(list(sources)).records:
                records.setdefault(record["id"], record)
        if index_dir is not None:
            for record in _records_from_index(index_dir):
                records.setdefault(record["id"], record)
        click.echo("ko\ten\tevidence\tcount\texample")
        for row in propose(records.values(), glossary(), min_count=min_count, limit=limit):
            click.echo("\t".join(str(v).replace("\t", " ") for v in row))
