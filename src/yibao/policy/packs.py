"""Region packs: one folder per region the requirement documents name, data only.

    src/yibao/policy/regions/445300-yunfu/
        region.yaml             the region, the documents the pack draws on, the rows it
                                adds to the region tree (its cities and counties)
        waiting_periods.yaml    parameter files in the shipped format (description, unit,
        individual_share.yaml   values by region code, each dated and cited), naming only
        ...                     the pack's region and the regions under it

Adding a region is adding such a folder (and its worked examples in ``tests/cases``):
no code.  A pack's parameter file must be named after a parameter declared in
``policy/parameters/`` and declare the same unit; ``yibao.policy.files`` checks it like
any other file and lays published folders (``YIBAO_POLICY_DIR``) over packs and
parameter files alike (docs/publishing.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from yibao.errors import PolicyDataError
from yibao.policy.reference_models import Region

__all__ = ["Pack", "PackFile", "pack_files", "pack_region_rows", "packs"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Header(BaseModel):
    """``region.yaml`` of a pack."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^\d{6}$")
    name: str = Field(min_length=2)
    documents: list[str] = Field(min_length=1)
    adds: list[Region] = []


@dataclass(frozen=True)
class Pack:
    """A region pack: its region, the documents it draws on, the rows it adds."""

    folder: str
    code: str
    name: str
    documents: tuple[str, ...]
    adds: tuple[Region, ...]


@dataclass(frozen=True)
class PackFile:
    """One parameter file of a pack."""

    pack: Pack
    parameter: str
    text: str

    @property
    def where(self) -> str:
        return f"policy/regions/{self.pack.folder}/{self.parameter}.yaml"


def _root() -> Any:
    return resources.files("yibao.policy").joinpath("regions")


@cache
def packs() -> tuple[Pack, ...]:
    """Every shipped pack, by folder name."""
    out: list[Pack] = []
    for folder in sorted(_root().iterdir(), key=lambda f: f.name):
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        where = f"policy/regions/{folder.name}/region.yaml"
        try:
            header = _Header.model_validate(
                yaml.load(folder.joinpath("region.yaml").read_text(encoding="utf-8"),
                          Loader=_LOADER))
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            raise PolicyDataError("policy_file_invalid", f"{where} 格式错误: {exc}",
                                  f"{where} is invalid: {exc}") from exc
        if not folder.name.startswith(header.code):
            raise PolicyDataError("policy_pack", f"{where}: 文件夹名须以地区代码 {header.code} 开头",
                                  f"{where}: the folder name must start with {header.code}")
        out.append(Pack(folder.name, header.code, header.name, tuple(header.documents),
                        tuple(header.adds)))
    return tuple(out)


@cache
def pack_region_rows() -> tuple[Region, ...]:
    """The region rows every pack adds to ``policy/regions.yaml``."""
    return tuple(row for pack in packs() for row in pack.adds)


def pack_files() -> tuple[PackFile, ...]:
    """Every parameter file of every pack."""
    out: list[PackFile] = []
    for pack in packs():
        folder = _root().joinpath(pack.folder)
        for item in sorted(folder.iterdir(), key=lambda f: f.name):
            if item.name.endswith(".yaml") and item.name != "region.yaml":
                out.append(PackFile(pack, item.name.removesuffix(".yaml"),
                                    item.read_text(encoding="utf-8")))
    return tuple(out)
