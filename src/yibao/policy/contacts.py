"""Whom residents call, publishable like the figures: the offices and hotlines shipped in
``reference/contacts.yaml``, with a ``contacts.yaml`` in the published folder (``policy_dir``
/ ``YIBAO_POLICY_DIR``) laid over them, without a release.

    found = contacts_with(Path("/etc/yibao/policy"))      # every contact in force
    [c.name for c in found if c.region == "450881"]      # a county's offices

A region listed in the published file has exactly the contacts published for it there
(its shipped ones are replaced: a bureau publishes a county's offices as a whole); every
other region keeps the shipped ones. Checked when read: each region is one of
``regions.yaml``, each contact has a name, a kind and a source, and each phone number is
written as residents dial it (``0775-4259717``, ``12393``, ``13800000000``,
``400-123-4567``). A problem raises :class:`PolicyFileError` naming the file, the line and
the field (``yibao policy check`` lists it with the parameter files' problems).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path

from pydantic import ValidationError

from yibao.policy.locations import PolicyFileError, configured_dir, load_list
from yibao.policy.reference_data import load_regions, region_chain
from yibao.policy.reference_models import Contact

__all__ = ["CONTACTS", "PHONE", "contacts_for", "contacts_in_force", "contacts_with", "parse_contacts",
           "shipped_contacts"]

#: The file name, in the package's ``reference/`` and in a published folder.
CONTACTS = "contacts.yaml"
#: A phone number as residents dial it: area code and number, a short service number, a
#: mobile number, or a 400 number.
PHONE = re.compile(r"^(0\d{2,3}-\d{7,8}|1\d{4}|1\d{10}|400-?\d{3}-?\d{4})$")


def parse_contacts(text: str, where: str) -> tuple[Contact, ...]:
    """The contacts of one ``contacts.yaml`` text; ``PolicyFileError`` naming file, line and
    field for the first problem."""
    at, items = load_list(text, where, "contacts")
    regions = load_regions()
    out: list[Contact] = []
    for i, item in enumerate(items):
        try:
            found = Contact.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = [str(p) for p in first["loc"]]
            field = ".".join(loc) or None
            raise at.error("policy_file_invalid", f"第{i + 1}项 {field or ''}: {first['msg']}",
                           f"item {i + 1} {field or ''}: {first['msg']}", "contacts", i,
                           *loc[:1], field=field) from None
        if found.region not in regions:
            raise at.error("policy_contact_region", f"地区代码“{found.region}”不在 regions.yaml 中",
                           f"region {found.region!r} is not one of regions.yaml", "contacts", i,
                           "region", field="region")
        for n, phone in enumerate(found.phones):
            if not PHONE.match(phone.number):
                raise at.error(
                    "policy_contact_phone",
                    f"电话号码“{phone.number}”写法不对(区号-号码,如 0775-4259717,或 12393 这样的服务号)",
                    f"phone number {phone.number!r} is not written as dialled (area code-number, "
                    "e.g. 0775-4259717, or a service number such as 12393)",
                    "contacts", i, "phones", n, field="phones")
        out.append(found)
    return tuple(out)


@cache
def shipped_contacts() -> tuple[Contact, ...]:
    """The contacts shipped with the package (validated once)."""
    text = (files("yibao") / "policy" / "reference" / CONTACTS).read_text(encoding="utf-8")
    return parse_contacts(text, f"policy/reference/{CONTACTS}")


def contacts_with(folder: Path | None) -> tuple[Contact, ...]:
    """The shipped contacts with ``folder/contacts.yaml`` (when there is one) laid over them:
    a region there has exactly its published contacts."""
    if folder is None or not (folder / CONTACTS).is_file():
        return shipped_contacts()
    path = folder / CONTACTS
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyFileError("policy_file_invalid", f"{path} 无法读取: {exc}",
                              f"{path} cannot be read: {exc}", file=str(path)) from None
    published = parse_contacts(text, str(path))
    replaced = {c.region for c in published}
    return tuple(c for c in shipped_contacts() if c.region not in replaced) + published


@cache
def contacts_in_force() -> tuple[Contact, ...]:
    """The contacts in force: shipped, with the published folder's ``contacts.yaml`` laid
    over them (cached like the figures; :func:`yibao.policy.files.reload_policy` forgets)."""
    return contacts_with(configured_dir())


def contacts_for(
    region_code: str, regions_parent_map: Mapping[str, str | None] | None = None
) -> tuple[Contact, ...]:
    """Contacts for a region and each region above it, most specific first.

    For a Guigang county: its medical-insurance and tax offices, then any city,
    province and national entries (hotlines 12393 / 12366). A published ``contacts.yaml``
    (``policy_dir``) replaces the shipped contacts of the regions it lists.
    """
    chain = region_chain(region_code, regions_parent_map)
    all_contacts = contacts_in_force()
    return tuple(c for code in chain for c in all_contacts if c.region == code)
