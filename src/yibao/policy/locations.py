"""Policy YAML read with its line numbers at hand, so that every problem of a published file
names the file, the line and the field (``yibao policy check``, the server start, a quote).

    at = Where("policy/individual_share.yaml", text)
    raise at.error("policy_date", "日期无效", "invalid date", "values", "450000", 0, "to")

Dates stay text when read (``to: 2027-02-30`` becomes a field error on its line, not a
``ValueError`` from the YAML library).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from yibao.errors import PolicyDataError

__all__ = ["PolicyFileError", "Where", "configured_dir", "load_list", "load_yaml"]

_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """Safe YAML with dates left as text: ``to: 2027-02-30`` becomes a checked field error
    naming its line, not a ``ValueError`` deep in the YAML library."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BASE_LOADER.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


class PolicyFileError(PolicyDataError):
    """A problem of one policy file, with the file and line it is on (``yibao policy check``
    shows both; the messages name them too)."""

    def __init__(self, code: str, message: str, message_en: str, *, field: str | None = None,
                 file: str | None = None, line: int | None = None) -> None:
        super().__init__(code, message, message_en, field=field)
        self.file = file
        self.line = line


class Where:
    """Where a problem is: ``file 第N行`` / ``file line N``, lines found only when needed."""

    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text
        self._root: yaml.Node | bool | None = False

    def line(self, *path: str | int) -> int | None:
        """The line (from 1) of the key or item at ``path`` (``values``, region, index, key)."""
        if self._root is False:
            try:
                self._root = yaml.compose(self.text, Loader=_Loader)
            except yaml.YAMLError:
                self._root = None
        node: Any = self._root
        line = None
        for step in path:
            if isinstance(node, yaml.MappingNode):
                found = next(((k, v) for k, v in node.value if k.value == str(step)), None)
                if found is None:
                    break
                line, node = found[0].start_mark.line + 1, found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                    and step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def error(self, code: str, zh: str, en: str, *path: str | int, line: int | None = None,
              field: str | None = None) -> PolicyFileError:
        """``code`` with the file, the line of ``path`` and the field named in both languages."""
        line = line if line is not None else (self.line(*path) if path else None)
        at_zh = f"{self.name}" + (f" 第{line}行" if line else "")
        at_en = f"{self.name}" + (f" line {line}" if line else "")
        return PolicyFileError(code, f"{at_zh}: {zh}", f"{at_en}: {en}", field=field,
                               file=self.name, line=line)


def configured_dir() -> Path | None:
    """The published folder: ``YIBAO_POLICY_DIR``, else ``policy_dir`` of the settings file
    (``yibao.toml``); None when neither names one."""
    from yibao.settings import Settings

    raw = Settings().policy_dir.strip()
    return Path(raw) if raw else None


def load_list(text: str, where: str, key: str) -> tuple[Where, list[Any]]:
    """The list under ``key`` of a published file's text, with where its lines are;
    ``PolicyFileError`` naming the file and line when the YAML is bad or the list missing."""
    at = Where(where, text)
    try:
        data: Any = load_yaml(text)
    except Exception as exc:  # any YAML problem, with its line when known
        mark = getattr(exc, "problem_mark", None)
        raise at.error("policy_file_invalid", f"YAML 写法有误: {getattr(exc, 'problem', exc)}",
                       f"not valid YAML: {getattr(exc, 'problem', exc)}",
                       line=mark.line + 1 if mark is not None else None) from None
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise at.error("policy_file_invalid", f"缺少列表“{key}”", f"has no list '{key}'")
    return at, items
