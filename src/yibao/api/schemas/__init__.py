"""What the API declares of its own: error bodies per status (``common``), login answers
(``auth``) and the public reference answers (``public``). Everything a service answers is
declared once, in :mod:`yibao.services.shapes`, and used here as it is.
"""

from __future__ import annotations

from yibao.api.schemas.auth import Health, Me, TokenOut
from yibao.api.schemas.common import ERRORS, ErrorBody, ErrorOut, errors
from yibao.api.schemas.public import (
    ChannelList,
    ContactList,
    EligibilityList,
    ParameterByRegion,
    ParameterByYear,
    PolicyInForce,
    RegionList,
    RuleList,
    SpecialGroupList,
    TiltAnswer,
)

__all__ = [
    "ERRORS",
    "ChannelList",
    "ContactList",
    "EligibilityList",
    "ErrorBody",
    "ErrorOut",
    "Health",
    "Me",
    "ParameterByRegion",
    "ParameterByYear",
    "PolicyInForce",
    "RegionList",
    "RuleList",
    "SpecialGroupList",
    "TiltAnswer",
    "TokenOut",
    "errors",
]
