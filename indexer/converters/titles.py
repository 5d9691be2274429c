"""Titles: recover one a listing cut short with ``..``, or derive one from a text's first sentence."""
from __future__ import annotations

import re
from collections import Counter

#: Capitalised words that open a sentence, so they end a title recovered from the body.
SENTENCE_OPENERS = frozenset(
    "The A An This These That Those It Its In On At As For From With By Since When While "
    "During After Before Through According Our We They He She Today Yesterday".split()
)
TITLE_STOP = re.compile(r"\s{2,}|[<“\"(]|[.!?](?:\s|$)")
MAX_TITLE = 160


def complete_title(title: str, body: str) -> tuple[str, str]:
    """Recover a title cut with ``..`` and strip a repeated title from the body's start.

    Where the body starts with the cut title, the title runs on in the body until a
    separator (two spaces, ``<``, a quote) or a capitalised sentence opener. Where it
    does not, the cut last word is completed from the body's own vocabulary.
    """
    title = " ".join(title.split())
    cut = title.endswith("..")
    stem = title.rstrip(".").rstrip() if cut else title
    flat_body = " ".join(body.split()) if body else ""
    if stem and flat_body.startswith(stem):
        if cut:
            stem = _run_on(stem, body)
        return stem, _strip_prefix(body, stem)
    if cut:
        stem = _complete_last_word(stem, body) if not title.endswith(" ..") else stem
    return stem or title, body


#: A derived title longer than this is cut where its main clause ends.
LONG_TITLE = 90
_CLAUSE_END = re.compile(r",\s| (?:on|at|for|from|to|with|through|in order to|which|that) ")


def title_from_text(text: str) -> str:
    """A title from a text's first sentence: its main clause when long, else cut at a word."""
    sentence = re.split(r"(?<=[.!?。])\s", text.strip(), maxsplit=1)[0].rstrip(".")
    if len(sentence) <= LONG_TITLE:
        return sentence
    clause = _CLAUSE_END.search(sentence, 30)
    if clause and clause.start() <= MAX_TITLE:
        return sentence[: clause.start()]
    return sentence[:MAX_TITLE].rsplit(" ", 1)[0] + "…"


def _run_on(stem: str, body: str) -> str:
    """Extend ``stem`` with the body's following words until the title visibly ends."""
    start = _raw_offset(body, stem)
    rest = body[start:]
    # finish the word the listing cut ("Han Ri.." -> "River’")
    head = re.match(r"\S*", rest).group(0)
    title = stem + head
    rest = rest[len(head):]
    for match in re.finditer(r"(\s+)(\S+)", rest):
        spaces, word = match.groups()
        if len(spaces) > 1 or TITLE_STOP.match(word) or word in SENTENCE_OPENERS:
            break
        if len(title) + 1 + len(word) > MAX_TITLE:
            break
        title = f"{title} {word}"
        if re.search(r"[.!?:]$", word):
            break
    return title.rstrip(" .:")


def _raw_offset(body: str, flat_prefix: str) -> int:
    """Offset in ``body`` just past ``flat_prefix`` (which was matched with spaces collapsed)."""
    want = len(flat_prefix.replace(" ", ""))
    seen = 0
    for index, ch in enumerate(body):
        if not ch.isspace():
            seen += 1
            if seen == want:
                return index + 1
    return len(body)


def _strip_prefix(body: str, title: str) -> str:
    return body[_raw_offset(body, title):].lstrip(" :–-\n")


def _complete_last_word(stem: str, body: str) -> str:
    """Complete a cut last word from the most frequent body word that extends it."""
    words = stem.split(" ")
    last = words[-1]
    if len(last) < 2:
        return stem
    prefix = last.lower()
    counts = Counter(
        w for w in re.findall(r"[^\W\d_]+", body.lower()) if w.startswith(prefix) and w != prefix
    )
    if not counts:
        return stem
    best = counts.most_common(1)[0][0]
    completed = last + best[len(prefix):]
    return " ".join(words[:-1] + [completed])


# -- the title of a document file (PDF, HWP, HWPX, DOCX) ----------------------------------------

#: "서 울 고 등 법 원": a name spaced out letter by letter (a letterhead's emphasis).
_LETTER_SPACED = re.compile(r"^[가-힣](?: [가-힣]){2,}$")
#: Who issued a document, not what it is: courts, ministries, agencies, their heads.
_ISSUER = re.compile(
    r"^[가-힣·\s]{0,16}(?:법원|법원장|위원회|위원장|부|처|청|원|원장|처장|청장|장관|시장|군수|구청장|도지사|교육감|"
    r"공단|공사|재단|협회|학회|은행|연구원|센터|사무처|합동)$")
#: "III", "제2장", "1.", "- 3 -": a section or page number, not a title.
_NUMBERING = re.compile(r"^(?:[IVXLC]+|[ivxlc]+|제?\s*\d+\s*[장절편부호]?|[-–]?\s*\d+\s*[-–]?)[.)]?$")
#: A Korean court case: its number and name ("2023누36352 시정명령 취소").
_CASE = re.compile(r"^(?:사\s*건\s*)?(?P<case>(?:19|20)\d{2}\s?[가-힣]{1,3}\s?\d{2,}(?:\s*[,(]\s*\S+)?\s+[가-힣].{1,80})$")
#: A labelled title: "[ 제 목 ] …", "제목: …", "건명: …", or the label alone (the title on the next line).
_LABEL = re.compile(r"^(?:\[\s*(?:제\s*목|건\s*명)\s*\]|(?:제\s*목|건\s*명)\s*[:：]|(?:제\s*목|건\s*명)$)\s*(?P<title>.*)$")
#: Text in brackets or parentheses, and a candidate that is nothing else.
_BRACKETS = re.compile(r"[(\[［【〔<「][^)\]］】〕>」]*[)\]］】〕>」]")
_BRACKETED = re.compile(r"^[(\[［【〔<][^)\]］】〕>]*[)\]］】〕>]$")
#: A leading section number kept off a title ("III 향후 통화신용정책 방향" → "향후 …").
_LEADING_NUMBER = re.compile(r"^(?:[IVX]+|\d{1,2})[.)]?\s+(?=\S{2})")
#: Lines of the first page searched for a case or labelled title.
LABEL_WINDOW = 40


def unspaced(text: str) -> str:
    """``text`` with a letter-by-letter spacing undone ("제 안 요 청 서" → "제안요청서")."""
    text = " ".join(text.split())
    return text.replace(" ", "") if _LETTER_SPACED.match(text) else text


def _repetitive(text: str) -> bool:
    """Text drawn several times over (shadowed or outlined lettering): "2024202420242024", "활기찬 활기찬 활기찬"."""
    flat = text.replace(" ", "")
    if re.search(r"(.{2,}?)\1{2,}", flat):
        return True
    words = text.split()
    return len(words) >= 3 and max(words.count(w) for w in words) >= 3


def is_title_like(text: str) -> bool:
    """Whether ``text`` can be a document's title: not its issuer (a court, ministry, agency or
    official, letter-spaced or not), not a section number, not a sentence, not repeated lettering."""
    spaced = bool(_LETTER_SPACED.match(" ".join(text.split())))
    text = unspaced(text)
    if sum(ch.isalpha() for ch in text) < (4 if spaced else 2) or len(text) > MAX_TITLE:
        return False  # a spaced-out fragment ("서 울 행") is a letterhead's piece
    if _BRACKETED.match(text):
        return False  # "(지역인재정책관)": a department's note, not a title
    bare = unspaced(_BRACKETS.sub(" ", text))
    if _ISSUER.match(bare) or _ISSUER.match(text) or _NUMBERING.match(text) or _repetitive(text):
        return False
    return not re.search(r"(?:다|요|니다|습니다)\s*[.。]?$|[.。]$", text)


def labelled_title(lines: list[str]) -> str | None:
    """A title the document labels: a ``제목``/``건명`` line's value, or a court case's number and name."""
    lines = [" ".join(line.split()) for line in lines[:LABEL_WINDOW]]
    lines = [line for line in lines if line]
    for position, line in enumerate(lines):
        case = _CASE.match(line)
        if case:
            return cut_title(case.group("case"))
        label = _LABEL.match(line)
        if label:  # the title follows its label, on the same line or the next
            title = label.group("title") or (lines[position + 1] if position + 1 < len(lines) else "")
            if is_title_like(title):
                return cut_title(title)
    return None


def cut_title(line: str) -> str:
    """``line`` cut to :data:`MAX_TITLE` characters at a word, with an ellipsis where cut."""
    if len(line) <= MAX_TITLE:
        return line
    return line[:MAX_TITLE].rsplit(" ", 1)[0] + "…"


def clean_title(text: str) -> str:
    """A title candidate as shown: spacing undone, a leading section number dropped."""
    text = unspaced(text)
    stripped = _LEADING_NUMBER.sub("", text)
    return stripped if is_title_like(stripped) else text


def file_title(stem: str) -> str:
    """A title from a file's name: ``+`` and ``_`` read as spaces ("2024년+국립대학+육성사업")."""
    return " ".join(re.sub(r"[+_]+", " ", stem).split()) or stem


def document_title(first_page_lines: list[str], candidates: list[str | None], stem: str) -> str:
    """The title of a document file: a labelled one (``제목``, ``건명``, a court case), else the first
    title-like of ``candidates`` (metadata, the largest text of page 1, its first lines), else
    the file's name."""
    labelled = labelled_title(first_page_lines)
    if labelled:
        return labelled
    for candidate in candidates:
        if candidate and is_title_like(candidate):
            return clean_title(candidate)
    return file_title(stem)
