"""Sealed secret ballots (PyNaCl / libsodium: `SealedBox`, keyed BLAKE2b — no hand-made cryptography).

Why a key derived from a server secret, and not one typed in by the bureau at close:
- each secret poll has its own X25519 key pair, derived with keyed BLAKE2b from `BALLOT_SECRET_KEY`
  (a setting or `BALLOT_SECRET_KEY_FILE`, never in the database) and the poll's id. Only the public key
  is stored on the poll; ballots are sealed with it as they are cast;
- so the database alone — a database administrator, a dump or a backup taken during the vote — holds
  only ciphertexts it cannot open, and after the close only the tally and the shuffled counted ballots;
- a key held by the bureau would have to be generated, written down and typed back during a live
  assembly: one lost or mistyped key and the vote can never be counted. The server secret is already
  handled like `SECRET_KEY` (deployment secret, file mount);
- the trade-off, said plainly: whoever holds both the server secret and the database *during* the vote
  could open ballots as they arrive (the application itself can, by design, at close). Rotating the
  secret while a secret vote is open makes its ballots unopenable: the close refuses, it does not guess.

The receipt given to a voter is a keyed BLAKE2b of their ciphertext (key derived from the same secret,
another context): the voter can find it in the published list of counted ballots, while a copy of the
database taken during the vote — ciphertexts included — cannot compute it, so cannot match a captured
ciphertext (linked to its voter by transaction ids or row order) to a published choice.
"""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import PrivateKey, PublicKey, SealedBox

from federation.errors import ServiceError

# Sealed payloads all have this length, so a ciphertext's size says nothing about the choice.
PAYLOAD_BYTES = 96
_PERSON_KEY = b"maillage-poll-k1"  # BLAKE2b personalisation: at most 16 bytes
_PERSON_RECEIPT = b"maillage-rcpt-v1"


def _master() -> bytes:
    return blake2b(settings.BALLOT_SECRET_KEY.encode(), digest_size=64, encoder=RawEncoder)


def _derive(poll_id: int, person: bytes) -> bytes:
    return blake2b(str(poll_id).encode(), key=_master(), person=person, digest_size=32, encoder=RawEncoder)


def private_key(poll_id: int) -> PrivateKey:
    """The poll's private key, recomputed from the server secret (never stored)."""
    return PrivateKey.from_seed(_derive(poll_id, _PERSON_KEY))


def public_key_hex(poll_id: int) -> str:
    return bytes(private_key(poll_id).public_key).hex()


def seal(public_key: str, content: dict) -> bytes:
    """Seal a ballot's content with the poll's public key (anonymous sender, fresh ephemeral key)."""
    raw = json.dumps(content, separators=(",", ":"), sort_keys=True).encode()
    if len(raw) > PAYLOAD_BYTES:
        raise ValueError("ballot content too long")
    # Padded with spaces to a fixed length (JSON ignores them); the sealed box itself is randomised.
    return SealedBox(PublicKey(bytes.fromhex(public_key))).encrypt(raw.ljust(PAYLOAD_BYTES, b" "))


def open_sealed(poll, ciphertext: bytes) -> dict:
    """A sealed ballot's content, with the key derived for `poll` (which must match its public key)."""
    key = private_key(poll.pk)
    if bytes(key.public_key).hex() != poll.public_key:
        raise ServiceError(
            _(
                "La clé de dépouillement ne correspond pas à celle du scrutin (BALLOT_SECRET_KEY a changé) : "
                "les bulletins ne peuvent pas être ouverts."
            ),
            code="ballot_key_mismatch",
        )
    try:
        raw = SealedBox(key).decrypt(bytes(ciphertext))
    except CryptoError as exc:
        raise ServiceError(_("Un bulletin scellé est illisible."), code="ballot_unreadable") from exc
    return json.loads(raw)


def receipt(poll_id: int, ciphertext: bytes) -> str:
    """The voter's receipt: 20 hexadecimal characters in groups of four (keyed BLAKE2b of the sealed
    ballot). Readable aloud, and not computable from the database alone."""
    digest = blake2b(
        bytes(ciphertext), key=_derive(poll_id, _PERSON_RECEIPT), digest_size=10, encoder=RawEncoder
    )
    code = digest.hex().upper()
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_receipt(code: str) -> str:
    """A receipt as typed (spaces, dashes, lower case) in its canonical form."""
    compact = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))
