"""Korean and English versions of one policy are linked in ``translations``, never as duplicates."""
from __future__ import annotations

import json
from pathlib import Path

from indexer.enrich.translations import link_translations, numbers_of
from indexer.extract import extract_sources

KO = {"id": "pair-ko", "lang": "ko", "date": "2023-04-12", "cities": ["Seoul"],
      "title": "서울시, 태양광 자전거도로와 공공자전거 확대",
      "body": ("서울시는 2023년 기후변화 대응을 위해 한강공원 자전거도로 12킬로미터에 태양광 패널 3,450개를 설치하고 "
               "공공자전거 따릉이 1,500대를 늘린다. 온실가스 감축과 재생에너지 확대를 목표로 하며, "
               "총 예산 240억 원을 투입한다. 대중교통과 자전거 환승도 쉬워진다.")}
EN = {"id": "pair-en", "lang": "en", "date": "2023-04-12", "cities": ["Seoul"],
      "title": "Seoul expands solar bicycle lanes and public bicycles",
      "body": ("To respond to climate change in 2023, Seoul will install 3,450 solar panels along 12 kilometers of "
               "bicycle lanes in the Han River parks and add 1,500 Ttareungyi public bicycles. The goal is greenhouse "
               "gas reduction and more renewable energy, with a total budget of 24 billion won (240억). "
               "Transfers between public transportation and bicycles become easier.")}
#: Same date and city, other language, but another policy (tap water): must not link.
OTHER = {"id": "other-ko", "lang": "ko", "date": "2023-04-12", "cities": ["Seoul"],
         "title": "아리수 수돗물 수질 검사 결과 공개",
         "body": ("서울시는 상수도 수질 검사 항목 170개의 결과를 공개했다. 정수장 6곳의 수돗물은 모두 기준에 적합했으며 "
                  "노후 상수도관 교체 예산 95억 원을 편성했다. 누수 감시 센서도 설치한다.")}
#: The English story on another day: must not link (dates differ).
LATER_EN = dict(EN, id="later-en", date="2023-05-20")


def _extract(tmp_path: Path, records: list[dict]):
    export = tmp_path / "records.jsonl"
    export.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return {r["id"]: r for r in extract_sources([export]).records}


def test_a_korean_and_an_english_version_are_linked(tmp_path):
    records = _extract(tmp_path, [KO, EN, OTHER])
    assert records["pair-ko"]["translations"] == ["pair-en"]
    assert records["pair-en"]["translations"] == ["pair-ko"]
    # both stay searchable records of their own language: no duplicate links
    for rid in ("pair-ko", "pair-en"):
        assert "duplicate_of" not in records[rid] and "duplicates" not in records[rid]


def test_a_non_pair_is_not_linked(tmp_path):
    records = _extract(tmp_path, [KO, EN, OTHER])
    assert "translations" not in records["other-ko"]
    records = _extract(tmp_path, [KO, LATER_EN])  # the same story, another day
    assert all("translations" not in r for r in records.values())


def test_other_dates_or_policies_alone_never_link(tmp_path):
    records = _extract(tmp_path, [OTHER, EN, dict(KO, id="ko-later", date="2024-01-01")])
    assert all("translations" not in r for r in records.values())


def test_links_are_recomputed_and_one_to_one():
    ko, en = dict(KO, translations=["stale"], cities=[]), dict(EN, cities=[])
    en2 = dict(EN, id="pair-en-2", cities=[])
    records = [ko, en, en2]
    link_translations(records)
    assert ko["translations"] in (["pair-en"], ["pair-en-2"])
    assert sum("translations" in r for r in (en, en2)) == 1


def test_numbers_are_normalised():
    assert numbers_of("3,450개 and 3450 panels, 12 km, 1 day") == {"3450", "12"}


def test_the_seed_corpus_extracts_with_translations_step():
    from tests.conftest import CORPUS

    records = extract_sources([CORPUS]).records
    linked = [r for r in records if r.get("translations")]
    by_id = {r["id"]: r for r in records}
    for record in linked:  # whatever links the seeds have are symmetric and cross-language
        (other,) = record["translations"]
        assert by_id[other]["translations"] == [record["id"]]
        assert by_id[other]["lang"] != record["lang"]


def test_concepts_from_the_extraction_workers_link_as_a_serial_pass_does(tmp_path):
    """Workers leave each record's glossary concepts for the linking step, which removes them."""
    from copy import deepcopy

    from indexer.enrich.translations import CONCEPTS_KEY, concepts_of

    from indexer.extract import finalize

    from indexer.converters import jsonl

    export = tmp_path / "one.jsonl"
    export.write_text(json.dumps(KO, ensure_ascii=False) + "\n", encoding="utf-8")
    [raw] = jsonl.convert(export, tmp_path)
    assert finalize(raw, "one")[CONCEPTS_KEY] == sorted(concepts_of(dict(KO, lang="ko")))
    records = _extract(tmp_path, [KO, EN, OTHER])
    assert not any(CONCEPTS_KEY in r or "_minhash" in r for r in records.values())
    serial = [deepcopy(r) for r in records.values()]
    link_translations(serial)  # no concepts given: computed here
    given = [dict(deepcopy(r), **{CONCEPTS_KEY: sorted(concepts_of(r))}) for r in records.values()]
    link_translations(given)
    assert {r["id"]: r.get("translations") for r in given} == {r["id"]: r.get("translations") for r in serial}
    assert {r["id"]: r.get("translations") for r in given}["pair-ko"] == ["pair-en"]
    assert not any(CONCEPTS_KEY in r for r in given)
