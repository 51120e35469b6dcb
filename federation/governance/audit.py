"""The hash-chained audit log of governance events.

Each federation has its own chain: entry n stores the hash of entry n-1 and its own hash,
`sha256(prev_hash + canonical JSON of (federation, seq, created_at, event, actor, payload))`. Appending
locks the chain head, so concurrent writers queue instead of forking the chain. `verify_chain` recomputes
every link and names the first broken one (`manage.py verify_audit`).

Secret ballots are logged as participations ("CPTS X has voted"), never with their content.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.utils import timezone

from federation.governance.models import AuditEntry, AuditHead
from federation.models import Federation, User

GENESIS = "0" * 64


def _canonical(federation_id: int, seq: int, created_at, event: str, actor_id, payload: dict) -> bytes:
    content = {
        "federation": federation_id,
        "seq": seq,
        "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "event": event,
        "actor": actor_id,
        "payload": payload,
    }
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def entry_hash(
    prev_hash: str, federation_id: int, seq: int, created_at, event: str, actor_id, payload
) -> str:
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(_canonical(federation_id, seq, created_at, event, actor_id, payload))
    return digest.hexdigest()


def audit_append(*, federation: Federation, event: str, actor: User | None, payload: dict) -> AuditEntry:
    """Append one event to the federation's chain. Call inside the service's transaction."""
    head = AuditHead.objects.select_for_update().filter(pk=federation.pk).first()
    if head is None:  # the chain's first entry: create the head, then lock it like any other
        AuditHead.objects.get_or_create(federation=federation)
        head = AuditHead.objects.select_for_update().get(pk=federation.pk)
    # Round-trip through JSON so the hash covers exactly what the database will give back.
    payload = json.loads(json.dumps(payload, default=str))
    seq = head.last_seq + 1
    created_at = timezone.now().astimezone(UTC)
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    digest = entry_hash(head.last_hash, federation.pk, seq, created_at, event, actor_id, payload)
    entry = AuditEntry.objects.create(
        federation=federation,
        seq=seq,
        created_at=created_at,
        event=event,
        actor_id=actor_id,
        payload=payload,
        prev_hash=head.last_hash,
        hash=digest,
    )
    head.last_seq = seq
    head.last_hash = digest
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass
class Broken:
    entry_id: int
    federation_id: int
    seq: int
    reason: str


def verify_chain(federation_ids=None) -> tuple[int, Broken | None]:
    """Recompute every chain. Returns (entries checked, first broken link or None)."""
    heads = {h.federation_id: h for h in AuditHead.objects.all()}
    entries = AuditEntry.objects.order_by("federation_id", "seq")
    if federation_ids is not None:
        entries = entries.filter(federation_id__in=federation_ids)
    checked = 0
    previous: dict[int, tuple[int, str]] = {}
    for entry in entries.iterator(chunk_size=2000):
        checked += 1
        last_seq, last_hash = previous.get(entry.federation_id, (0, GENESIS))
        if entry.seq != last_seq + 1:
            return checked, Broken(entry.pk, entry.federation_id, entry.seq, "numéro de séquence manquant")
        if entry.prev_hash != last_hash:
            return checked, Broken(
                entry.pk, entry.federation_id, entry.seq, "lien vers l'entrée précédente rompu"
            )
        expected = entry_hash(
            entry.prev_hash,
            entry.federation_id,
            entry.seq,
            entry.created_at,
            entry.event,
            entry.actor_id,
            entry.payload,
        )
        if expected != entry.hash:
            return checked, Broken(
                entry.pk, entry.federation_id, entry.seq, "contenu modifié (empreinte invalide)"
            )
        previous[entry.federation_id] = (entry.seq, entry.hash)
    for federation_id, (seq, digest) in previous.items():
        head = heads.get(federation_id)
        if head is not None and (head.last_seq != seq or head.last_hash != digest):
            return checked, Broken(0, federation_id, seq, "des entrées ont été supprimées en fin de chaîne")
    return checked, None
