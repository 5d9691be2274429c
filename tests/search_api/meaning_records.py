"""Small schema-valid records in both languages for the search-by-meaning tests."""
from __future__ import annotations

from typing import Any

from indexer.records import content_hash, validate


def _record(rid: str, lang: str, title: str, body: str, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": rid, "title": title, "body": body, "lang": lang, "type": extra.pop("type", "article"),
        "source": {"path": f"{rid}.json"}, "cities": [], "topics": extra.pop("topics", []), "sdgs": [], **extra,
    }
    record["content_hash"] = content_hash(record)
    validate(record)
    return record


_PAGES = [
    {"number": 1, "text": "City guide 2021. Contents and greetings from the mayor."},
    {"number": 2, "text": "Free public wifi is available in every park and on all city buses."},
]

MEANING_RECORDS = [
    _record("en-bike", "en", "Seoul opens bicycle lanes along the Han River",
            "The city opened 20 km of protected bicycle lanes along the river so that commuters can ride "
            "to work safely.", topics=["transport"]),
    _record("en-dust", "en", "Fine dust alerts for schools",
            "When fine particulate pollution rises, schools receive an alert and children stay indoors "
            "during breaks.", topics=["environment"]),
    _record("en-housing", "en", "Affordable rental homes for young people",
            "The city builds rental apartments near subway stations for young workers and newlyweds at low rents.",
            topics=["housing"]),
    _record("en-flood", "en", "Rainwater tunnels prevent floods",
            "Deep tunnels store rainwater during heavy storms so that low-lying neighbourhoods do not flood."),
    _record("ko-bike", "ko", "한강 자전거 도로 개통",
            "시는 통근자들이 안전하게 출근할 수 있도록 한강을 따라 20km의 보호된 자전거 도로를 개통했다.",
            topics=["transport"]),
    _record("ko-library", "ko", "작은 도서관 확대",
            "동네마다 작은 도서관을 열어 주민들이 책을 빌리고 모임을 할 수 있게 한다."),
    _record("ko-elderly", "ko", "어르신 일자리 사업",
            "65세 이상 어르신에게 공공 일자리를 제공하여 소득과 건강을 돕는다."),
    _record("ko-parking", "ko", "공영 주차장 요금 안내", "공영 주차장의 요금은 시간당 천 원이며 야간에는 무료이다."),
    _record("en-guide", "en", "City guide brochure", "\n\n".join(p["text"] for p in _PAGES),
            type="brochure", pages=_PAGES),
]
