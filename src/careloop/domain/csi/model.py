"""The PLS path model of a satisfaction study: latent variables, their items and the paths.

A model is data (the YAML a quality department keeps with its questionnaire), so it is
checked here once, with messages a person can act on, before any estimation runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from careloop.domain.errors import InvalidInput

Mode = Literal["A", "B"]
"""A: reflective (the items reflect the latent: weights follow correlations);
B: formative (the items form the latent: weights by multiple regression)."""

Scheme = Literal["centroid", "factorial", "path"]
"""The inner weighting scheme: how neighbouring latents make a latent's inner estimate."""

MODES: Final[tuple[Mode, ...]] = ("A", "B")
SCHEMES: Final[tuple[Scheme, ...]] = ("centroid", "factorial", "path")

FIELD: Final = "csi_model"
"""The field an invalid model is reported against (labelled 满意度模型 / satisfaction model)."""


def _invalid(zh: str, en: str) -> InvalidInput:
    return InvalidInput(FIELD, f"{zh} / {en}")


@dataclass(frozen=True)
class Block:
    """One latent variable and the item columns that measure it."""

    name: str
    items: tuple[str, ...]
    mode: Mode = "A"
    label_zh: str = ""
    label_en: str = ""

    @property
    def shown_zh(self) -> str:
        return self.label_zh or self.name

    @property
    def shown_en(self) -> str:
        return self.label_en or self.name


@dataclass(frozen=True)
class PathModel:
    """Blocks (in order) and the directed paths between their latents (a DAG)."""

    blocks: tuple[Block, ...]
    paths: tuple[tuple[str, str], ...]
    scheme: Scheme = "path"
    standardised: bool = True
    index_latents: tuple[str, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        _check(self)

    def block(self, name: str) -> Block:
        for block in self.blocks:
            if block.name == name:
                return block
        raise _invalid(f"模型中没有潜变量「{name}」", f"the model has no latent '{name}'")

    @property
    def latents(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.blocks)

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(item for b in self.blocks for item in b.items)

    def predecessors(self, latent: str) -> tuple[str, ...]:
        """The latents with a path into `latent`, in block order."""
        sources = {s for s, t in self.paths if t == latent}
        return tuple(n for n in self.latents if n in sources)

    @property
    def endogenous(self) -> tuple[str, ...]:
        """Latents explained by at least one path, in block order."""
        targets = {t for _, t in self.paths}
        return tuple(n for n in self.latents if n in targets)


def _check(model: PathModel) -> None:
    if not model.blocks:
        raise _invalid("模型至少需要一个潜变量", "the model needs at least one latent")
    seen_latents: set[str] = set()
    owner: dict[str, str] = {}
    for block in model.blocks:
        if not block.name.strip():
            raise _invalid("潜变量名称不能为空", "a latent needs a name")
        if block.name in seen_latents:
            raise _invalid(
                f"潜变量「{block.name}」定义了两次", f"the latent '{block.name}' is defined twice"
            )
        seen_latents.add(block.name)
        if block.mode not in MODES:
            raise _invalid(
                f"潜变量「{block.name}」的测量方式只能是 A（反映型）或 B（形成型）",
                f"the mode of latent '{block.name}' must be A (reflective) or B (formative)",
            )
        if not block.items:
            raise _invalid(
                f"潜变量「{block.name}」没有题项", f"the latent '{block.name}' has no items"
            )
        for item in block.items:
            if item in owner:
                raise _invalid(
                    f"题项「{item}」同时属于「{owner[item]}」和「{block.name}」",
                    f"the item '{item}' is in both '{owner[item]}' and '{block.name}'",
                )
            owner[item] = block.name
    if model.scheme not in SCHEMES:
        raise _invalid(
            "内部权重方案只能是 centroid（重心）、factorial（因子）或 path（路径）",
            "the inner scheme must be centroid, factorial or path",
        )
    seen_paths: set[tuple[str, str]] = set()
    for source, target in model.paths:
        for end in (source, target):
            if end not in seen_latents:
                raise _invalid(
                    f"路径「{source} → {target}」中的潜变量「{end}」未定义",
                    f"the path '{source} → {target}' names an undefined latent '{end}'",
                )
        if source == target:
            raise _invalid(
                f"路径「{source} → {target}」指向自身", f"the path '{source} → {target}' is a loop"
            )
        if (source, target) in seen_paths:
            raise _invalid(
                f"路径「{source} → {target}」重复", f"the path '{source} → {target}' is repeated"
            )
        seen_paths.add((source, target))
    cycle = _find_cycle(model.latents, model.paths)
    if cycle:
        loop = " → ".join(cycle)
        raise _invalid(f"路径构成循环：{loop}", f"the paths form a cycle: {loop}")
    for name in model.index_latents:
        if name not in seen_latents:
            raise _invalid(
                f"要计算指数的潜变量「{name}」未定义",
                f"the index latent '{name}' is not defined",
            )


def _find_cycle(latents: Sequence[str], paths: Sequence[tuple[str, str]]) -> list[str]:
    """One cycle through the paths (its latents, the first repeated at the end), or []."""
    successors: dict[str, list[str]] = {n: [] for n in latents}
    for source, target in paths:
        successors[source].append(target)
    state: dict[str, int] = dict.fromkeys(latents, 0)  # 0 new, 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in successors[node]:
            if state[nxt] == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if state[nxt] == 0:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for start in latents:
        if state[start] == 0:
            found = visit(start)
            if found:
                return found
    return []


def _text(value: object, what_zh: str, what_en: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(f"{what_zh}应为非空文字", f"{what_en} must be non-empty text")
    return value.strip()


def _paths_from(raw: object) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise _invalid(
            "paths 应为路径列表，例如 [[Image, Loyalty], …]",
            "paths must be a list, e.g. [[Image, Loyalty], ...]",
        )
    paths: list[tuple[str, str]] = []
    for number, entry in enumerate(raw, start=1):
        if isinstance(entry, Mapping) and set(entry) == {"from", "to"}:
            pair = (entry["from"], entry["to"])
        elif isinstance(entry, list | tuple) and len(entry) == 2:
            pair = (entry[0], entry[1])
        else:
            raise _invalid(
                f"第 {number} 条路径应写成 [起点, 终点] 或 {{from: 起点, to: 终点}}",
                f"path {number} must be written [from, to] or as a mapping with from and to",
            )
        source = _text(pair[0], f"第 {number} 条路径的起点", f"the start of path {number}")
        target = _text(pair[1], f"第 {number} 条路径的终点", f"the end of path {number}")
        paths.append((source, target))
    return tuple(paths)


def _block_from(name: str, raw: object) -> Block:
    if not isinstance(raw, Mapping):
        raise _invalid(
            f"潜变量「{name}」应写明 mode 和 items",
            f"the latent '{name}' must give its mode and items",
        )
    unknown = sorted(str(k) for k in raw if k not in {"mode", "items", "label_zh", "label_en"})
    if unknown:
        names = ", ".join(unknown)
        raise _invalid(
            f"潜变量「{name}」有无法识别的设置：{names}",
            f"the latent '{name}' has unknown settings: {names}",
        )
    mode = str(raw.get("mode", "A")).strip().upper()
    if mode not in MODES:
        raise _invalid(
            f"潜变量「{name}」的测量方式只能是 A（反映型）或 B（形成型）",
            f"the mode of latent '{name}' must be A (reflective) or B (formative)",
        )
    items_raw = raw.get("items")
    if isinstance(items_raw, str):
        items_raw = [items_raw]
    if not isinstance(items_raw, list | tuple) or not items_raw:
        raise _invalid(f"潜变量「{name}」没有题项", f"the latent '{name}' has no items")
    items = tuple(
        _text(i, f"潜变量「{name}」的题项名", f"an item name of '{name}'") for i in items_raw
    )
    if len(set(items)) != len(items):
        raise _invalid(f"潜变量「{name}」的题项有重复", f"the latent '{name}' lists an item twice")
    return Block(
        name=name,
        items=items,
        mode=mode,
        label_zh=str(raw.get("label_zh", "") or ""),
        label_en=str(raw.get("label_en", "") or ""),
    )


def model_from_mapping(data: Mapping[str, object]) -> PathModel:
    """A model from its YAML shape::

    name: ecsi                  # optional
    scheme: path                # centroid | factorial | path
    standardised: true
    index: [Satisfaction]       # optional: whose 0–100 index to report
    latent:                     # ordered
      Image: {mode: A, items: [IMAG1, IMAG2], label_zh: 企业形象}
    paths: [[Image, Satisfaction]]   # or [{from: Image, to: Satisfaction}]
    """
    if not isinstance(data, Mapping):
        raise _invalid("模型文件应为键值结构", "the model must be a mapping")
    known = {"name", "scheme", "standardised", "index", "latent", "paths"}
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        names = ", ".join(unknown)
        raise _invalid(f"模型有无法识别的设置：{names}", f"the model has unknown settings: {names}")
    latent_raw = data.get("latent")
    if not isinstance(latent_raw, Mapping) or not latent_raw:
        raise _invalid(
            "模型需要 latent 部分，列出每个潜变量及其题项",
            "the model needs a 'latent' section naming each latent and its items",
        )
    blocks = tuple(_block_from(str(name), raw) for name, raw in latent_raw.items())
    scheme = str(data.get("scheme", "path")).strip().lower()
    if scheme not in SCHEMES:
        raise _invalid(
            "内部权重方案只能是 centroid（重心）、factorial（因子）或 path（路径）",
            "the inner scheme must be centroid, factorial or path",
        )
    standardised = data.get("standardised", True)
    if not isinstance(standardised, bool):
        raise _invalid("standardised 应为 true 或 false", "standardised must be true or false")
    index_raw = data.get("index", ())
    if isinstance(index_raw, str):
        index_raw = [index_raw]
    if not isinstance(index_raw, list | tuple):
        raise _invalid("index 应为潜变量名称列表", "index must be a list of latent names")
    index = tuple(_text(n, "index 中的潜变量名", "a latent name in index") for n in index_raw)
    name = data.get("name", "")
    return PathModel(
        blocks=blocks,
        paths=_paths_from(data.get("paths")),
        scheme=scheme,
        standardised=standardised,
        index_latents=index,
        name=str(name or ""),
    )


def _items(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


_IMAGE = Block("Image", _items("IMAG", 5), "A", "企业形象", "image")
_EXPECTATION = Block("Expectation", _items("CUEX", 3), "A", "顾客预期", "customer expectation")
_QUALITY = Block("Quality", _items("PERQ", 7), "A", "感知质量", "perceived quality")
_VALUE = Block("Value", _items("PERV", 2), "A", "感知价值", "perceived value")
_SATISFACTION = Block("Satisfaction", _items("CUSA", 3), "A", "顾客满意", "customer satisfaction")
_COMPLAINTS = Block("Complaints", ("CUSCO",), "A", "顾客抱怨", "customer complaints")
_LOYALTY = Block("Loyalty", _items("CUSL", 3), "A", "顾客忠诚", "customer loyalty")

ECSI: Final = PathModel(
    blocks=(_IMAGE, _EXPECTATION, _QUALITY, _VALUE, _SATISFACTION, _COMPLAINTS, _LOYALTY),
    paths=(
        ("Image", "Expectation"),
        ("Image", "Satisfaction"),
        ("Image", "Loyalty"),
        ("Expectation", "Quality"),
        ("Expectation", "Value"),
        ("Expectation", "Satisfaction"),
        ("Quality", "Value"),
        ("Quality", "Satisfaction"),
        ("Value", "Satisfaction"),
        ("Satisfaction", "Complaints"),
        ("Satisfaction", "Loyalty"),
        ("Complaints", "Loyalty"),
    ),
    scheme="path",
    standardised=True,
    index_latents=("Satisfaction",),
    name="ecsi",
)
"""The ECSI model for the mobile-phone survey (Tenenhaus, Esposito Vinzi, Chatelin & Lauro
2005, "PLS path modeling", CSDA 48: 159–205, §6; the same model as the mobi examples of the
R packages semPLS and seminr): seven latents, all reflective, and twelve paths."""

ACSI: Final = PathModel(
    blocks=(_EXPECTATION, _QUALITY, _VALUE, _SATISFACTION, _COMPLAINTS, _LOYALTY),
    paths=(
        ("Expectation", "Quality"),
        ("Expectation", "Value"),
        ("Expectation", "Satisfaction"),
        ("Quality", "Value"),
        ("Quality", "Satisfaction"),
        ("Value", "Satisfaction"),
        ("Satisfaction", "Complaints"),
        ("Satisfaction", "Loyalty"),
        ("Complaints", "Loyalty"),
    ),
    scheme="path",
    standardised=True,
    index_latents=("Satisfaction",),
    name="acsi",
)
"""The ACSI model (Fornell, Johnson, Anderson, Cha & Bryant 1996, "The American Customer
Satisfaction Index", Journal of Marketing 60(4): 7–18): the ECSI without Image, nine paths.
Its items are measured on the ECSI questionnaire's names: customer expectations → CUEX1–3
(overall, meeting personal needs, how often things go wrong: the ACSI's three),
perceived quality → PERQ1–7 (the ACSI asks overall quality, customisation and
reliability: PERQ1 and PERQ6 match the first and last, customisation has no single
counterpart), perceived value → PERV1–2 (price given quality, quality given price: the
ACSI's two), satisfaction → CUSA1–3 (overall, against expectations, against the ideal:
the ACSI's three), complaints → CUSCO (how a complaint was handled, where the ACSI asks
whether one was made), loyalty → CUSL1–3 (repurchase, price tolerance, recommendation)."""

SHIPPED: Final[Mapping[str, PathModel]] = {"ecsi": ECSI, "acsi": ACSI}
