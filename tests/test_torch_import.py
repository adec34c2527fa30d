"""PyTorch import (optional `torch` extra): ResNet-18 in plain torch.nn through torch.export and through ONNX
gives the YAML's layer list; transformer layers, grouped convs and unknown ops; the CLI on saved modules."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from click.testing import CliRunner  # noqa: E402

from ppa.cli import main  # noqa: E402
from ppa.errors import PpaError  # noqa: E402
from ppa.workload import load_network  # noqa: E402
from ppa.workload.torch import from_torch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class BasicBlock(nn.Module):
    """He et al. 2016 basic block as torchvision writes it: 3x3 (stride) - 3x3, 1x1 projection when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else None)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet18(nn.Module):
    """ResNet-18 for 224 x 224 ImageNet in plain torch.nn (torchvision is not installed here)."""

    def __init__(self, classes=1000):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        blocks, cin = [], 64
        for cout, stride in ((64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)):
            blocks.append(BasicBlock(cin, cout, stride))
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.avgpool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(self.avgpool(self.blocks(x)), 1))


def _structure(net):
    return [replace(la, name="") for la in net.layers]


@pytest.fixture(scope="module")
def resnet18():
    torch.manual_seed(0)
    return ResNet18().eval()


@pytest.fixture(scope="module")
def yaml_resnet18():
    return load_network(ROOT / "networks" / "resnet18.yaml")


def test_torch_resnet18_has_the_published_parameter_count(resnet18, yaml_resnet18):
    assert sum(p.numel() for p in resnet18.parameters()) == 11_689_512 == yaml_resnet18.params


def test_from_torch_resnet18_matches_the_yaml_layer_list(resnet18, yaml_resnet18):
    net = from_torch(resnet18, torch.zeros(1, 3, 224, 224))
    assert _structure(net) == _structure(yaml_resnet18)
    assert net.macs == yaml_resnet18.macs and net.input_shape == (224, 224, 3)
    assert [la.name for la in net.layers][:3] == ["conv1", "maxpool", "blocks.0.conv1"]


def test_onnx_export_of_resnet18_matches_the_yaml_layer_list(resnet18, yaml_resnet18, tmp_path):
    pytest.importorskip("onnx")
    path = tmp_path / "resnet18.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # the TorchScript exporter's deprecation notice
        torch.onnx.export(resnet18, (torch.zeros(1, 3, 224, 224),), str(path), dynamo=False)
    assert _structure(load_network(path)) == _structure(yaml_resnet18)


def test_transformer_encoder_layer(tmp_path):
    T, F, H, FF = 8, 16, 2, 32
    layer = nn.TransformerEncoderLayer(F, H, FF, dropout=0.0, batch_first=True, activation="gelu")
    net = from_torch(layer, torch.zeros(1, T, F))
    kinds = [la.kind for la in net.layers]
    assert kinds.count("matmul") == 2 and kinds.count("softmax") == 1 and kinds.count("layernorm") == 2
    assert kinds.count("add") == 2 and kinds.count("gelu") == 1 and net.input_shape == (T, F)
    scores, context = [la for la in net.layers if la.kind == "matmul"]
    assert (scores.groups, scores.tokens, scores.out_channels) == (H, T, H * T)
    assert scores.macs == context.macs == T * T * F
    fc_macs = sum(la.macs for la in net.layers if la.kind == "fc")
    assert fc_macs == T * (3 * F * F + F * F + 2 * F * FF)            # qkv in-projection, out-projection, MLP
    assert net.weights == sum(p.numel() for n, p in layer.named_parameters() if n.endswith("weight") and p.dim() == 2)


class Attention(nn.Module):
    """A post-norm encoder block written with explicit matmuls (as Hugging Face's BERT is)."""

    def __init__(self, F=16, H=2, FF=32):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(F, F) for _ in range(4))
        self.ln1, self.ln2, self.f1, self.f2, self.heads = nn.LayerNorm(F), nn.LayerNorm(F), nn.Linear(F, FF), nn.Linear(FF, F), H

    def forward(self, x):
        N, T, F = x.shape
        d = F // self.heads

        def split(y):
            return y.view(N, T, self.heads, d).transpose(1, 2)

        a = torch.softmax(split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / d**0.5, -1)
        c = (a @ split(self.v(x))).transpose(1, 2).reshape(N, T, F)
        h = self.ln1(x + self.o(c))
        return self.ln2(h + self.f2(nn.functional.gelu(self.f1(h))))


def test_attention_block_via_onnx_and_torch_export_agree(tmp_path):
    pytest.importorskip("onnx")
    model, x = Attention().eval(), torch.zeros(1, 8, 16)
    path = tmp_path / "attention.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), str(path), dynamo=False, opset_version=17)
    via_onnx, via_torch = load_network(path), from_torch(model, x)
    assert _structure(via_onnx) == _structure(via_torch)
    assert [la.kind for la in via_torch.layers] == ["fc", "fc", "matmul", "softmax", "fc", "matmul", "fc", "add",
                                                   "layernorm", "fc", "gelu", "fc", "add", "layernorm"]


def test_depthwise_and_unknown_ops():
    model = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.ELU(), nn.Conv2d(8, 4, 1), nn.ELU(),
                          nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    with pytest.warns(UserWarning, match="elu x2"):
        net = from_torch(model, torch.zeros(1, 8, 6, 6))
    assert [(la.kind, la.groups) for la in net.layers] == [("conv", 8), ("conv", 1), ("fc", 1)]


def test_cli_estimates_saved_modules(resnet18, tmp_path):
    small = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
    pt = tmp_path / "small.pt"
    torch.save(small, pt)
    pt2 = tmp_path / "small.pt2"
    torch.export.save(torch.export.export(small.eval(), (torch.zeros(1, 3, 16, 16),)), str(pt2))
    runner = CliRunner()
    a = runner.invoke(main, ["estimate", str(pt), "--input-shape", "1,3,16,16", "--format", "json"])
    b = runner.invoke(main, ["estimate", str(pt2), "--format", "json"])
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    import json

    ja, jb = json.loads(a.output), json.loads(b.output)
    assert [la["name"] for la in ja["layers"]] == [la["name"] for la in jb["layers"]] == ["0", "4"]
    assert ja["per_image"]["energy_j"]["total"] == pytest.approx(jb["per_image"]["energy_j"]["total"])


def test_saved_module_without_shape_or_state_dict_is_one_line(tmp_path):
    pt = tmp_path / "weights.pt"
    torch.save({"w": torch.zeros(2)}, pt)
    with pytest.raises(PpaError, match="needs an input shape"):
        load_network(pt)
    with pytest.raises(PpaError, match="state dict has no topology"):
        load_network(pt, (1, 2))
