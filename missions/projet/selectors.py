"""The register's figures other apps read (the contract year's funding: seed 003, "Les communautés
professionnelles de taille 4 comprenant au moins cent membres (professionnels de santé ou structures ayant
expressément adhéré à la communauté) bénéficient d'une majoration de 10%")."""

from collections.abc import Iterable

from django.db.models import Count

from federation.models import Cpts
from missions.projet.models import MemberStatus, RegisterMember

# The threshold of seed 003 (tier 4 with at least one hundred members: +10 % on mission lines).
MEMBER_THRESHOLD = 100


def express_member_count(cpts: Cpts) -> int:
    """Active members who expressly joined (by an accepted request, or added with their consent)."""
    return RegisterMember.objects.filter(cpts=cpts, status=MemberStatus.ACTIVE).count()


def express_member_counts(cpts_ids: Iterable[int]) -> dict[int, int]:
    """`express_member_count` for several CPTS in one query; every id asked for is in the answer (0 if none)."""
    ids = list(cpts_ids)
    counts = dict.fromkeys(ids, 0)
    rows = (
        RegisterMember.objects.filter(cpts_id__in=ids, status=MemberStatus.ACTIVE)
        .values("cpts_id")
        .annotate(n=Count("id"))
        .values_list("cpts_id", "n")
    )
    counts.update(dict(rows))
    return counts
