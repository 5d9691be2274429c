"""Generate the bundled bilingual brochure ``corpus/brochures/seoul-policy-sharing-brochure.pdf``.

The text paraphrases and quotes the seed pages in ``corpus/pages`` (Seoul Metropolitan
Government news and about pages). One theme per page, so a search for a theme maps to a
page; page 2 is set in two columns. Needs fpdf2 and the NanumGothic font from Debian's
``fonts-nanum`` package (embedded as a subset, so the PDF stays small).

Usage: python corpus/tools/make_brochure.py [--font PATH] [--out PATH]
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
from pathlib import Path

from fpdf import FPDF

log = logging.getLogger(__name__)

TITLE = "Seoul Policy Sharing: Sharing City, Smart City and Climate (Brochure)"
FONT_DIR = Path("/usr/share/fonts/truetype/nanum")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "brochures" / "seoul-policy-sharing-brochure.pdf"

#: (heading, Korean paragraphs, English paragraphs, two_columns)
PAGES: list[tuple[str, list[str], list[str], bool]] = [
    (
        "공유도시 서울 · Sharing City Seoul",
        [
            "공유도시(Sharing City) 서울은 시간, 공간, 재능, 물건, 정보 등 누구나 소유하고 있는 것을 "
            "함께 나누어 활용함으로써 쓰지 않고 놀리는 자원을 효율적으로 활용하고, 지역경제를 활성화하며, "
            "이웃과 공동체 의식도 형성하고, 환경에도 이로운 활동인 '공유'가 활성화된 도시입니다.",
            "복지, 환경, 일자리 등에서 사회적 수요는 급증하고 있으나 한정된 예산과 자원으로 이를 "
            "해결하는데 많은 어려움이 있습니다. 또한 급격한 도시화로 공동체 의식이 실종되었고, "
            "과잉소비에 따른 자원고갈과 환경오염 문제가 지속적으로 발생하고 있습니다.",
            "서울시는 이러한 도시의 경제적, 사회적, 환경적 문제들을 '공유'라는 새로운 방법을 통해 "
            "완화시켜 나가고자 '공유도시 서울' 정책을 추진합니다.",
        ],
        [
            "Sharing City Seoul is a city where sharing is part of daily life: citizens share time, "
            "space, talent, goods and information, so that idle resources are used efficiently, the "
            "local economy is revitalised, neighbours rebuild a sense of community and the "
            "environment benefits.",
            "Demand for welfare, environment and jobs is rising fast while budgets are limited; rapid "
            "urbanisation weakened communities and over-consumption depletes resources. Seoul answers "
            "these economic, social and environmental problems with a new method: sharing.",
        ],
        False,
    ),
    (
        "정책 공유와 국제 연수 · Policy Sharing and Training (MITI)",
        [
            "메트로폴리스 국제연수원(MITI)은 1996년에 설립된 메트로폴리스의 연수·학습 기관으로, "
            "2012년 광저우 이사회 결정에 따라 본부가 몬트리올에서 서울로 이전되었습니다. "
            "카이로, 마슈하드, 멕시코시티, 파리(일드프랑스)에 지역센터를 두고 있습니다.",
            "서울시 인재개발원은 2014년부터 매년 서울국제연수정책포럼을 열어 교통, 주택, 도시재생, "
            "기후변화 분야의 서울 정책을 해외 도시 공무원과 공유하고 있습니다.",
        ],
        [
            "The main mission of the Metropolis International Training Institute (MITI) is to "
            "strengthen the institutional and professional capacities of local and metropolitan "
            "authorities and their leaders for better public governance.",
            "MITI, the training and learning centre of Metropolis established in 1996, has its "
            "headquarters in Seoul and four regional centres: Cairo, Mashhad, Mexico City and Paris "
            "(Ile-de-France). The headquarters moved from Montreal to Seoul after a decision of the "
            "Metropolis Board of Directors in Guangzhou in 2012.",
            "The Seoul Human Resources Development Center holds the Seoul International Training "
            "Policy Forum every year, where alumni from partner cities present how they applied "
            "Seoul's policies in sustainable mobility, housing, urban regeneration and climate change.",
            "In 2019 the forum took the theme Smart City-Seoul: smart cities that solve urban problems "
            "and improve citizens' quality of life through information and communication technology.",
        ],
        True,
    ),
    (
        "도시 SDG 지식 플랫폼 · Urban SDG Knowledge Platform",
        [
            "서울시는 2016년 12월 1일 유엔 아시아태평양경제사회위원회(UNESCAP), 시티넷(CityNet)과 "
            "함께 '도시 SDG 지식 플랫폼'을 열었습니다. 아시아태평양 도시들이 지속가능발전목표(SDGs) "
            "달성을 위해 정책과 경험을 나누는 도시 간 협력 플랫폼입니다.",
        ],
        [
            "The Seoul Metropolitan Government opened the Urban SDG Knowledge Platform on December 1st, "
            "2016 in cooperation with UNESCAP and CityNet. It is an intercity collaboration platform "
            "that seeks solutions to urban problems in the Asia-Pacific region to achieve the "
            "Sustainable Development Goals (SDGs, 2016-2030).",
            "Cities introduce their philosophy, concepts and concrete policies for the 17 goals and "
            "share know-how including budget, manpower, stakeholders, implementation period, "
            "obstacles and adaptation plans. Sharing policies is expected to reduce economic losses, "
            "shorten implementation and reduce trial and error.",
        ],
        False,
    ),
    (
        "지하철 마스크 착용 신고 · Mask Reporting on the Subway",
        [
            "대중교통 마스크 착용이 의무화되었지만 미착용으로 인한 다툼과 역 직원에 대한 폭언·폭행이 "
            "이어지자, 서울시는 8월 3일부터 '또타지하철' 앱에 마스크 미착용 승객 신고 기능을 "
            "추가했습니다. 신고가 접수되면 승객 위치를 확인해 지하철 보안관이 즉시 출동합니다.",
        ],
        [
            "Wearing masks on public transportation is mandatory. From August 3 the Seoul "
            "Metropolitan Government added a report function to the Ddota (Ride Again) urban railway "
            "app, so users can report passengers who are not wearing masks on the subway.",
            "Once a passenger not wearing a mask is reported, the passenger's location is tracked and "
            "subway security officers are dispatched to take action. A one-month campaign at transfer "
            "stations and main bus stops promotes mandatory mask wearing.",
        ],
        False,
    ),
    (
        "태양광 에너지와 기후 · Solar Energy in Seoul's Parks",
        [
            "서울시는 월드컵공원과 뚝섬한강공원에 새로운 태양광 기술을 적용한 체험형 발전시설을 "
            "설치했습니다. 월드컵공원 별자리광장의 '솔라 스퀘어'에는 태양광 패널 1,171개와 LED "
            "보도블록 2,457개가 설치되어 낮에는 햇빛으로 전기를 만들고 밤에는 영상을 보여 줍니다.",
        ],
        [
            "Solar energy facilities that used to hang outside apartment balconies have found a new "
            "place in citizens' daily lives. On June 10, 2020 the Seoul Metropolitan Government "
            "announced hands-on solar facilities in World Cup Park and Ttukseom Hangang Park.",
            "The Solar Square in World Cup Park is a circular stage 20 meters across: 1,171 solar "
            "panels around its edge and 2,457 LED sidewalk blocks generate energy by day and show "
            "video art of flowers and constellations at night, raising awareness of renewable energy.",
        ],
        False,
    ),
]


class Brochure(FPDF):
    """FPDF with a page-number footer."""

    def footer(self) -> None:
        """Print the running footer at the bottom of every page."""
        self.set_y(-14)
        self.set_font("Nanum", "", 8)
        self.cell(0, 5, f"Seoul Policy Sharing · {self.page_no()}", align="C")


def build(font: Path, out: Path) -> None:
    """Write the brochure PDF to ``out``."""
    pdf = Brochure(format="A4")
    pdf.set_title(TITLE)
    pdf.set_author("policy-search project, from Seoul Metropolitan Government texts")
    pdf.set_subject("Seoul policy sharing: sharing city, training, SDGs, transport, solar energy")
    pdf.set_lang("ko")
    pdf.set_creation_date(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    pdf.set_creator("corpus/tools/make_brochure.py (fpdf2)")
    pdf.add_font("Nanum", "", str(font))
    bold = font.with_name(font.stem + "Bold.ttf")
    pdf.add_font("Nanum", "B", str(bold if bold.exists() else font))
    pdf.set_auto_page_break(True, margin=18)
    for heading, korean, english, two_columns in PAGES:
        pdf.add_page()
        pdf.set_font("Nanum", "B", 17)
        pdf.multi_cell(0, 9, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        paragraphs = korean + english
        if two_columns:
            pdf.set_font("Nanum", "", 10.5)
            with pdf.text_columns(ncols=2, gutter=8, text_align="LEFT", l_margin=pdf.l_margin) as cols:
                for text in paragraphs:
                    cols.write(text + "\n\n")
        else:
            for text in paragraphs:
                pdf.set_font("Nanum", "", 11.5)
                pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    log.info("wrote %s (%d bytes)", out, out.stat().st_size)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", type=Path, default=FONT_DIR / "NanumGothic.ttf")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    build(args.font, args.out)


if __name__ == "__main__":
    main()
