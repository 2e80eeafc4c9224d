"""Trains the Fashion-MNIST CNN examples and the small CNN import fixtures, and exports them with
torch.onnx.export exactly as it writes them (nothing simplified or fused by hand).

Provenance only: the project reads the committed .onnx and .csv.gz files and never runs Python.
Run from the repository root with Debian bookworm's packages (torch 1.13, onnx 1.12):

    apt-get install -y python3-torch python3-onnx dataset-fashion-mnist
    /usr/bin/python3 script/fashion/train_cnn.py --only fixtures          # the committed fixtures (20 epochs each)
    /usr/bin/python3 script/fashion/train_cnn.py --only lenet5_max_res --epochs 8  # about 4 min
    /usr/bin/python3 script/fashion/train_cnn.py --only lenet5_avg --epochs 8      # about 2 min

Seeds are fixed (torch.manual_seed(1) before each training); PyTorch on another CPU or version may
still give slightly different weights, so the committed files, not this script, are the reference.

Writes:
  data/fashion/lenet5_avg.onnx            LeNet-5: two 5x5 convs with average pooling, three dense layers
  data/fashion/lenet5_max_res.onnx        the same with max pooling, unfused BatchNorm and a residual block
  data/fashion/fashion-mnist-test-1000.csv.gz   the first 1000 images of the official test set
  data/fashion/training.json              float accuracies measured by PyTorch on the 10k test set
  test/fixtures/onnx/cnn_*.onnx           tiny CNNs trained on data/digits.csv.gz (8x8 images)
"""
import argparse
import gzip
import json
import os
import struct

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

FASHION = "/usr/share/datasets/fashion-mnist"
OUT = "data/fashion"
FIXTURES = "test/fixtures/onnx"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, 1, rows, cols)
    return np.frombuffer(data, dtype=np.uint8, offset=8)


class LeNet5Avg(nn.Module):
    """LeNet-5 for 28x28 inputs: raw pixels 0..255 in, the scaling to 0..1 is part of the graph.

    Each average pool comes straight after its convolution and before the ReLU (the ordering of the
    original LeNet, where subsampling preceded the squashing function). Both steps are linear, so the
    import folds each conv -> pool pair into one strided convolution and the integer graph rescales
    only the pooled outputs (docs/SEMANTICS.md, "Convolution followed by average pooling").
    """

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = x / 255.0
        x = F.relu(F.avg_pool2d(self.conv1(x), 2))
        x = F.relu(F.avg_pool2d(self.conv2(x), 2))
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class LeNet5MaxRes(nn.Module):
    """Max pooling, BatchNorm (left unfused by the export below) and a residual block after pool 1."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.bn1 = nn.BatchNorm2d(6)
        self.res1 = nn.Conv2d(6, 6, 3, padding=1, bias=False)
        self.res_bn1 = nn.BatchNorm2d(6)
        self.res2 = nn.Conv2d(6, 6, 3, padding=1, bias=False)
        self.res_bn2 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = (x / 255.0 - 0.286) / 0.353
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        y = F.relu(self.res_bn1(self.res1(x)))
        x = F.relu(x + self.res_bn2(self.res2(y)))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def train(model, images, labels, epochs, batch=128, lr=2e-3, seed=1, decay=0.6):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x_all = torch.from_numpy(images.astype(np.float32))
    y_all = torch.from_numpy(labels.astype(np.int64))
    n = len(y_all)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n)
        total = 0.0
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(x_all[idx]), y_all[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        for group in opt.param_groups:
            group["lr"] *= decay
        print(f"  epoch {epoch + 1}: loss {total / n:.4f}", flush=True)
    model.eval()
    return model


def accuracy(model, images, labels):
    with torch.no_grad():
        logits = model(torch.from_numpy(images.astype(np.float32)))
    return float((logits.argmax(1).numpy() == labels).mean())


def export(model, shape, path, opset, training=torch.onnx.TrainingMode.EVAL):
    model.eval()
    torch.onnx.export(model, torch.rand(*shape) * 16, path, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch_size"}, "output": {0: "batch_size"}},
                      opset_version=opset, training=training)
    print(f"  wrote {path} ({os.path.getsize(path)} bytes, opset {opset})", flush=True)


def lenet(epochs, names):
    train_x = read_idx(f"{FASHION}/train-images-idx3-ubyte.gz")
    train_y = read_idx(f"{FASHION}/train-labels-idx1-ubyte.gz")
    test_x = read_idx(f"{FASHION}/t10k-images-idx3-ubyte.gz")
    test_y = read_idx(f"{FASHION}/t10k-labels-idx1-ubyte.gz")
    os.makedirs(OUT, exist_ok=True)
    # Models trained separately keep their entries (with their own epochs and torch version).
    report = {"data": "Debian dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)", "models": {}}
    if os.path.exists(f"{OUT}/training.json"):
        with open(f"{OUT}/training.json") as f:
            report["models"] = json.load(f).get("models", {})
    for name, cls, opset, mode in [("lenet5_avg", LeNet5Avg, 13, torch.onnx.TrainingMode.EVAL),
                                   # PRESERVE on an eval-mode model keeps BatchNormalization nodes (inference
                                   # form) instead of folding them into the convolutions.
                                   ("lenet5_max_res", LeNet5MaxRes, 17, torch.onnx.TrainingMode.PRESERVE)]:
        if name not in names:
            continue
        print(f"training {name}", flush=True)
        model = train(cls(), train_x, train_y, epochs, decay=0.8)
        acc = accuracy(model, test_x, test_y)
        print(f"  float test accuracy {acc:.4f}", flush=True)
        export(model, (1, 1, 28, 28), f"{OUT}/{name}.onnx", opset, mode)
        report["models"][name] = {"opset": opset, "epochs": epochs, "torch": torch.__version__,
                                  "floatTestAccuracy": acc}
    with gzip.open(f"{OUT}/fashion-mnist-test-1000.csv.gz", "wt") as f:
        f.write(",".join([f"p{i}" for i in range(784)] + ["label"]) + "\n")
        for i in range(1000):
            f.write(",".join(str(int(v)) for v in test_x[i].reshape(-1)) + f",{int(test_y[i])}\n")
    with open(f"{OUT}/training.json", "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")


# --- tiny fixtures on the 8x8 digits (data/digits.csv.gz: count header, 64 pixels 0..16, label) ---

class BnNoBiasFlatten(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(torch.flatten(x, 1))


class ViewResidualTanh(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.res = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.fc1 = nn.Linear(64, 16)
        self.fc2 = nn.Linear(16, 10, bias=False)

    def forward(self, x):
        x = F.relu(self.conv(x / 16.0))
        x = x + F.relu(self.bn(self.res(x)))
        x = F.avg_pool2d(x, 2)
        x = x.view(x.size(0), -1)
        return self.fc2(torch.tanh(self.fc1(x)))


class MixedOps(nn.Module):
    """BatchNorm after ReLU (cannot fold), depthwise conv, hard-swish, SiLU-like Mul, concat, ReLU6,
    leaky ReLU, hard-sigmoid, sigmoid, a permute before the classifier."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.dw = nn.Conv2d(4, 8, 3, padding=1, groups=4)
        self.fc = nn.Linear(256, 10)

    def forward(self, x):
        x = self.bn(F.relu(self.conv(x)))
        x = F.hardswish(self.dw(x))
        a = x * torch.sigmoid(x)
        b = F.relu6(F.leaky_relu(x, 0.1)) * F.hardsigmoid(x)
        x = F.max_pool2d(torch.cat([a, b], dim=1), 2, stride=2)
        x = x.permute(0, 2, 3, 1).reshape(x.size(0), -1)
        return self.fc(x)


class GapStride(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 10, 3, stride=2, padding=1)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.adaptive_avg_pool2d(self.conv2(x), 1)
        return torch.softmax(torch.flatten(x, 1), dim=1)


def fixtures(epochs):
    with gzip.open("data/digits.csv.gz", "rt") as f:
        lines = f.read().strip().split("\n")[1:]
    table = np.array([[float(v) for v in line.split(",")] for line in lines])
    x = table[:, :64].reshape(-1, 1, 8, 8)
    y = table[:, 64].astype(np.int64)
    os.makedirs(FIXTURES, exist_ok=True)
    for name, cls, opset, mode in [("cnn_bn_nobias_flatten_opset13", BnNoBiasFlatten, 13, torch.onnx.TrainingMode.PRESERVE),
                                   ("cnn_view_residual_tanh_opset11", ViewResidualTanh, 11, torch.onnx.TrainingMode.EVAL),
                                   ("cnn_mixed_ops_opset17", MixedOps, 17, torch.onnx.TrainingMode.PRESERVE),
                                   ("cnn_gap_stride_softmax_opset12", GapStride, 12, torch.onnx.TrainingMode.EVAL)]:
        print(f"training {name}", flush=True)
        model = train(cls(), x, y, epochs * 5, batch=32, lr=1e-2 if name.startswith("cnn_gap") else 5e-3)
        print(f"  float accuracy (all 1797 rows) {accuracy(model, x, y):.4f}", flush=True)
        export(model, (1, 1, 8, 8), f"{FIXTURES}/{name}.onnx", opset, mode)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--only", choices=["lenet", "lenet5_avg", "lenet5_max_res", "fixtures"])
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.only in (None, "fixtures"):
        fixtures(args.epochs)
    if args.only != "fixtures":
        lenet(args.epochs, ["lenet5_avg", "lenet5_max_res"] if args.only in (None, "lenet") else [args.only])
