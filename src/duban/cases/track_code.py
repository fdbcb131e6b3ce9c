"""The citizen's short tracking code (查询码): 8 characters a person can read over the phone.

The alphabet has no 0/O/1/I/L (31 characters, a prime count); the first seven characters are
random, the eighth a check character: the weighted sum of the seven values (weights 1 … 7) modulo
31. Because 31 is prime and the weights are distinct and non-zero, every single mistyped character
and every swap of two neighbouring characters of the first seven changes the check. Pure: the
database side (unique, retried on a collision) is :func:`new_codes`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_BASE = len(ALPHABET)  # 31, a prime


def check_char(body: str) -> str:
    """The check character of the first seven characters.

    >>> check_char("2222222")
    '2'
    >>> check_char("3222222")
    '3'
    """
    total = sum((i + 1) * _VALUE[c] for i, c in enumerate(body))
    return ALPHABET[total % _BASE]


def make_code() -> str:
    """A new random code with its check character."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return body + check_char(body)


def normalize(text: str) -> str:
    """What a person typed, upper-cased, with spaces and dashes dropped.

    >>> normalize(" abcd-efg2 ")
    'ABCDEFG2'
    """
    return "".join(text.split()).replace("-", "").upper()


def is_valid(code: str) -> bool:
    """Whether a (normalized) code has the right length, alphabet and check character.

    >>> is_valid("22222222"), is_valid("22222223"), is_valid("O2222222")
    (True, False, False)
    """
    if len(code) != LENGTH or any(c not in _VALUE for c in code):
        return False
    return check_char(code[:-1]) == code[-1]


def new_codes(session: Session, count: int) -> list[str]:
    """``count`` new codes that no stored case has (a collision is drawn again)."""
    from duban.cases.models import CaseRow

    codes: list[str] = []
    taken: set[str] = set()
    while len(codes) < count:
        batch = {make_code() for _ in range(count - len(codes))} - taken
        ordered = sorted(batch)  # sorted once, not once a chunk
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            taken.update(session.scalars(select(CaseRow.track_code).where(CaseRow.track_code.in_(chunk))))
        fresh = [c for c in batch if c not in taken]
        codes.extend(fresh)
        taken.update(fresh)
    return codes


def backfill_codes(existing: Iterable[str | None], count: int) -> list[str]:
    """``count`` codes none of which is in ``existing`` (for the migration, without the ORM)."""
    taken = {c for c in existing if c}
    codes: list[str] = []
    while len(codes) < count:
        code = make_code()
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes
