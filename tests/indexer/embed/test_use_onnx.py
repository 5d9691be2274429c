"""The ONNX Runtime encoder against the package's own numpy forward pass (both real, same weights)."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.embed.encoder import UniversalSentenceEncoder, get_encoder
from indexer.embed.use_onnx import OnnxUniversalSentenceEncoder

TEXTS = [
    "서울시는 2030년까지 대중교통 중심의 도시로 바꾸는 정책을 발표했다.",
    "Seoul announced a plan to make public transport the backbone of the city by 2030.",
    "빗물 저류 시설과 하수도 정비로 침수 피해를 줄인다.",
    "The water utility cut leakage from 27% to 2% over three decades.",
    "스마트시티 통합 플랫폼으로 CCTV와 교통 정보를 연계",
    "Affordable housing",
    "청년 주거",
    "A very long sentence about district heating, bus lanes, bicycle paths and parks, " * 12,
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return UniversalSentenceEncoder(threads=1).passages(TEXTS)


def test_int8_vectors_match_the_float32_reference(reference):
    vectors = get_encoder().passages(TEXTS)
    assert vectors.shape == (len(TEXTS), 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert (vectors * reference).sum(axis=1).min() > 0.99


def test_float32_graph_reproduces_the_numpy_forward_pass(reference):
    vectors = OnnxUniversalSentenceEncoder(quantize=False).passages(TEXTS)
    assert (vectors * reference).sum(axis=1).min() > 0.9999


def test_a_text_has_one_vector_whatever_is_embedded_with_it():
    encoder = get_encoder()
    filler = [f"정책 {i}: the city plans {i} new parks and 버스 노선." for i in range(50)]
    batched = encoder.passages(filler + TEXTS + filler)[len(filler):len(filler) + len(TEXTS)]
    alone = np.stack([encoder.passages([text])[0] for text in TEXTS])
    assert np.allclose(batched, alone, atol=1e-6)  # the head's matrix products may round differently


def test_meaning_crosses_languages():
    ko, en, other = get_encoder().queries(["서울 대중교통 정책", "Seoul public transport policy",
                                           "recipe for kimchi stew"])
    assert float(ko @ en) > float(ko @ other) + 0.2


def test_empty_input_gives_an_empty_matrix():
    assert get_encoder().passages([]).shape == (0, 512)


def test_odd_texts_give_unit_vectors():
    odd = ["", "   ", "🚲🚇🌧️", "\x00\x07 control", "訓民正音 ㅎㅎㅎ ㄱㄴㄷ", "ǅ" * 500, "x"]
    vectors = get_encoder().queries(odd)
    assert vectors.shape == (len(odd), 512) and np.isfinite(vectors).all()
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_long_calls_are_finished_in_blocks_alike():
    from indexer.embed.use_onnx import BLOCK

    texts = [f"{i}번 정책: the city plans {i} new parks." for i in range(BLOCK + 7)]
    encoder = get_encoder()
    assert np.allclose(encoder.passages(texts)[-7:], encoder.passages(texts[-7:]), atol=1e-6)


def test_token_groups_stay_within_their_budget():
    from indexer.embed.use_onnx import _groups

    tokens = [np.zeros(n, dtype=np.int64) for n in (5, 7, 3, 20, 1, 9)]
    groups = list(_groups(tokens, 12))
    assert [i for g in groups for i in g] == list(range(len(tokens)))  # every text once, in order
    assert all(sum(len(tokens[i]) for i in g) <= 12 or len(g) == 1 for g in groups)
    assert [20] in [[len(tokens[i]) for i in g] for g in groups]  # a text over the budget is a group alone


def test_texts_across_token_groups_embed_as_alone():
    from indexer.embed.use_onnx import ROW_BUDGET

    encoder = get_encoder()
    texts = [f"{i}번째 계획: 버스 노선 {i}개와 자전거 도로, district heating and parks " * 8 for i in range(120)]
    tokens = sum(len(t) for t in encoder._tokenizer.encode(texts, add_bos=True, add_eos=True))
    assert tokens > ROW_BUDGET  # the call spans more than one group
    alone = np.stack([encoder.passages([text])[0] for text in texts])
    assert np.allclose(encoder.passages(texts), alone, atol=1e-6)
