#!/usr/bin/python3
"""Trains the small character-level GPT of issue 13 and exports it to ONNX.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx), from the repository root:

    flock /tmp/vai-heavy.lock /usr/bin/python3 script/gpt/train.py

Writes data/gpt/gpt.onnx, data/gpt/tokenizer.json, data/gpt/heldout.txt and data/gpt/train-log.json.
The corpus is the Debian package `fortunes` (see data/gpt/PROVENANCE.md); a clone uses the committed
artifacts and never needs Python. The model is the usual decoder-only layout (nanoGPT/minGPT style),
written plainly so that the exporter emits what it emits for such code: the shape sub-graphs of
`x.size()`, the LayerNormalization op (opset 17), the erf form of GELU, the Where of the causal mask.
"""
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn as nn
from torch.nn import functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "data", "gpt")
FORTUNES = "/usr/share/games/fortunes"
# Cookie files with plain prose (the ascii-art, offensive and non-English files are left out).
FILES = ["fortunes", "literature", "wisdom", "people", "science", "humorists", "platitudes", "love",
         "work", "education", "computers", "politics", "law", "food", "pets", "sports", "kids",
         "miscellaneous", "magic", "medicine", "goedel", "riddles", "songs-poems", "paradoxum"]
SEED = 1337
CONTEXT = 64
LAYERS = 2
HEADS = 4
WIDTH = 64
STEPS = int(os.environ.get("GPT_STEPS", "4000"))
BATCH = 32
LR = 3e-3
HELDOUT_FRACTION = 0.05


def read_fortunes():
    """Every fortune of the chosen files, tabs as spaces, only if it is printable ASCII."""
    out = []
    for name in FILES:
        path = os.path.join(FORTUNES, name)
        if not os.path.exists(path):
            continue
        text = open(path, "rb").read().decode("utf-8", errors="replace").replace("\t", "    ")
        for item in text.split("\n%\n"):
            item = item.strip("\n%")
            if item and all(c == "\n" or 32 <= ord(c) < 127 for c in item):
                out.append(item)
    return out


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(WIDTH)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(WIDTH)
        self.fc = nn.Linear(WIDTH, 4 * WIDTH)
        self.gelu = nn.GELU()
        self.proj = nn.Linear(4 * WIDTH, WIDTH)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.proj(self.gelu(self.fc(self.ln_2(x))))


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(WIDTH, 3 * WIDTH)
        self.c_proj = nn.Linear(WIDTH, WIDTH)
        self.register_buffer("bias", torch.tril(torch.ones(CONTEXT, CONTEXT)).view(1, 1, CONTEXT, CONTEXT))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(WIDTH, dim=2)
        q = q.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        k = k.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        v = v.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class GPT(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.wte = nn.Embedding(vocab, WIDTH)
        self.wpe = nn.Embedding(CONTEXT, WIDTH)
        self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.ln_f = nn.LayerNorm(WIDTH)
        self.lm_head = nn.Linear(WIDTH, vocab)

    def forward(self, idx):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def main():
    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    items = read_fortunes()
    random.shuffle(items)
    n_held = max(1, int(len(items) * HELDOUT_FRACTION))
    held, train = items[:n_held], items[n_held:]
    sep = "\n\n"
    train_text = sep.join(train) + sep
    held_text = sep.join(held) + sep
    chars = sorted(set(train_text) | set(held_text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in train_text], dtype=torch.long)
    held_ids = torch.tensor([stoi[c] for c in held_text], dtype=torch.long)
    print(f"{len(items)} fortunes, train {len(train_text)} chars, held-out {len(held_text)} chars, vocab {len(chars)}")

    model = GPT(len(chars))
    params = sum(p.numel() for p in model.parameters())
    print(f"{params} parameters")
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    start = time.time()
    for step in range(STEPS):
        lr = LR * 0.5 * (1 + math.cos(math.pi * step / STEPS)) if step > 100 else LR * (step + 1) / 100
        for g in opt.param_groups:
            g["lr"] = lr
        ix = torch.randint(len(data) - CONTEXT - 1, (BATCH,))
        x = torch.stack([data[i:i + CONTEXT] for i in ix])
        y = torch.stack([data[i + 1:i + CONTEXT + 1] for i in ix])
        loss = F.cross_entropy(model(x).view(-1, len(chars)), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 250 == 0 or step == STEPS - 1:
            print(f"step {step} loss {loss.item():.3f} lr {lr:.5f} {time.time() - start:.0f}s", flush=True)

    model.eval()
    with torch.no_grad():
        losses = []
        for i in range(0, len(held_ids) - CONTEXT - 1, CONTEXT):
            x = held_ids[i:i + CONTEXT].view(1, -1)
            y = held_ids[i + 1:i + CONTEXT + 1]
            losses.append(F.cross_entropy(model(x)[0], y).item())
        held_loss = sum(losses) / len(losses)
    print(f"held-out loss {held_loss:.3f} perplexity {math.exp(held_loss):.3f}")

    os.makedirs(OUT, exist_ok=True)
    dummy = torch.zeros((1, CONTEXT), dtype=torch.long)
    torch.onnx.export(model, (dummy,), os.path.join(OUT, "gpt.onnx"), opset_version=17,
                      input_names=["tokens"], output_names=["logits"])
    with open(os.path.join(OUT, "tokenizer.json"), "w") as f:
        json.dump({"kind": "char", "context": CONTEXT, "vocab": chars}, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "heldout.txt"), "w") as f:
        f.write(held_text)
    with open(os.path.join(OUT, "train-log.json"), "w") as f:
        json.dump({"torch": torch.__version__, "seed": SEED, "steps": STEPS, "batch": BATCH, "lr": LR,
                   "context": CONTEXT, "layers": LAYERS, "heads": HEADS, "width": WIDTH, "vocab": len(chars),
                   "parameters": params, "trainChars": len(train_text), "heldoutChars": len(held_text),
                   "files": FILES, "finalTrainLoss": round(loss.item(), 4), "heldoutLoss": round(held_loss, 4),
                   "seconds": round(time.time() - start)}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
