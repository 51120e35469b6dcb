"""What the contract year reads from the members' register (`missions.projet`, issue 20).

The +10 % increase counts the members "ayant expressément adhéré à la communauté" (seed 003): the register's
`express_member_count(cpts)` / `express_member_counts(cpts_ids)` (active members who joined expressly), and its
counts by profession. Imported when called: the register is a nested app loaded after this one.
"""

from __future__ import annotations

from federation.models import Cpts


def express_member_count(cpts: Cpts) -> int:
    from missions.projet.selectors import express_member_count as count  # noqa: PLC0415

    return int(count(cpts))


def express_member_counts(cpts_ids: list[int]) -> dict[int, int]:
    """Counts for many CPTS in one query (every id asked for is in the answer)."""
    from missions.projet.selectors import express_member_counts as counts  # noqa: PLC0415

    found = counts(list(cpts_ids))
    return {cpts_id: int(found.get(cpts_id, 0)) for cpts_id in cpts_ids}


def members_by_profession(cpts: Cpts) -> list[tuple[str, int]]:
    """(profession label, active express members) from the register, most numerous first."""
    from missions.projet.register.selectors import register_stats  # noqa: PLC0415

    return [(line.label, line.members) for line in register_stats(cpts).by_profession if line.members]
