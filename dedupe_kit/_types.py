"""The vocabulary shared by every stage."""

from __future__ import annotations

from typing import Literal

#: 0-based number of a data row in the input file (the header is not a row).
SourceRow = int

#: What an identifier is: an email, a phone number or an external unique ID.
IdentifierKind = Literal["email", "phone", "external_id"]

#: What a phone column holds, read from its header.
PhoneKind = Literal["mobile", "home", "work", "fax", "other"]

PHONE_KINDS: tuple[PhoneKind, ...] = ("mobile", "home", "work", "fax", "other")
