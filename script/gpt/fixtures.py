#!/usr/bin/python3
"""Writes small, untrained exports of the GPT of train.py as test fixtures for the transformer import:
at opset 14, where torch.onnx.export writes layer norm in its decomposed form (ReduceMean, Sub, Pow,
Sqrt, Div, Mul, Add) instead of one LayerNormalization op.

    /usr/bin/python3 script/gpt/fixtures.py

Writes test/fixtures/onnx/gpt_tiny_opset14.onnx and gpt_tiny_unfolded_opset17.onnx (width 32,
2 heads, context 16: small files), gpt_tiny_tanh_gelu_opset17.onnx (GELU's tanh form) and
encoder_classifier_opset17.onnx (nn.TransformerEncoderLayer).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Encoder(torch.nn.Module):
    """A classifier of the kind issue 13 names for unseen models: token and position embedding, one
    nn.TransformerEncoderLayer (batch_first, GELU), a mean over the tokens and a linear head."""

    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(20, 32)
        self.pos = torch.nn.Parameter(torch.randn(1, 16, 32) * 0.1)
        self.layer = torch.nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True, activation="gelu")
        self.head = torch.nn.Linear(32, 3)

    def forward(self, ids):
        return self.head(self.layer(self.emb(ids) + self.pos).mean(dim=1))


def main():
    torch.manual_seed(7)
    train.CONTEXT, train.LAYERS, train.HEADS, train.WIDTH = 16, 1, 2, 32
    model = train.GPT(20).eval()
    out = os.path.join(ROOT, "test", "fixtures", "onnx", "gpt_tiny_opset14.onnx")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    dummy = (torch.zeros((1, train.CONTEXT), dtype=torch.long),)
    torch.onnx.export(model, dummy, out, opset_version=14, input_names=["tokens"], output_names=["logits"])
    # Without the exporter's constant folding: the shape sub-graphs of x.size(), arange and the mask's
    # slicing stay in the graph (Shape, Gather, Unsqueeze, Concat, Range, Slice, Equal, Cast, ...).
    unfolded = os.path.join(ROOT, "test", "fixtures", "onnx", "gpt_tiny_unfolded_opset17.onnx")
    torch.onnx.export(model, dummy, unfolded, opset_version=17, input_names=["tokens"], output_names=["logits"],
                      do_constant_folding=False)
    # The tanh approximation of GELU, which the exporter writes as Mul/Add/Tanh arithmetic.
    for block in model.blocks:
        block.gelu = torch.nn.GELU(approximate="tanh")
    torch.onnx.export(model, dummy, os.path.join(ROOT, "test", "fixtures", "onnx", "gpt_tiny_tanh_gelu_opset17.onnx"),
                      opset_version=17, input_names=["tokens"], output_names=["logits"])
    encoder = Encoder().eval()
    torch.onnx.export(encoder, (torch.zeros((1, 16), dtype=torch.long),),
                      os.path.join(ROOT, "test", "fixtures", "onnx", "encoder_classifier_opset17.onnx"),
                      opset_version=17, input_names=["tokens"], output_names=["logits"])


if __name__ == "__main__":
    main()
