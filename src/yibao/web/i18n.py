"""Language choice for the pages: Chinese by default, English on request.

    >>> tr = translator("en")
    >>> tr("缴费金额", "Amount due")
    'Amount due'

Templates call ``_("中文", "English")`` so that both texts sit side by side where
they are used; the language comes from ``?lang=`` or the ``yibao_lang`` cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from starlette.requests import Request

__all__ = ["LANG_COOKIE", "Lang", "Translator", "pick_lang", "translator"]

Lang = Literal["zh", "en"]
Translator = Callable[[str, str], str]

LANG_COOKIE = "yibao_lang"


def pick_lang(request: Request) -> Lang:
    """The page language: ``?lang=en|zh`` wins over the cookie; Chinese otherwise."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if asked == "en" else "zh"


def translator(lang: Lang) -> Translator:
    """A function choosing the Chinese or the English of a pair."""

    def tr(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    return tr
