"""The relay's signing keys: one per agency, derived from the relay's secret with HKDF-SHA256.

``key(agency) = HKDF-SHA256(ikm=TSUNAGU_KAFKA_SIGNING_SECRET, salt="tsunagu.referrals.v1",
info="agency signing key:" + agency id, 32 bytes)``. The relay holds the secret and so every key;
an agency's consumer is given only its own key (``tsunagu consume signing-key --agency ID`` prints
it), so an agency, or anyone who can write to its topic, cannot sign for another. Changing the
derivation invalidates every key given out: the unit tests pin it.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.referral_feed import KEY_BYTES, AgencyKey

SALT = b"tsunagu.referrals.v1"
INFO_PREFIX = b"agency signing key:"


def derive_agency_key(relay_secret: str, agency_id: str) -> AgencyKey:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=SALT, info=INFO_PREFIX + agency_id.encode())
    return AgencyKey(hkdf.derive(relay_secret.encode()))


class RelayKeys:
    """Every agency's key, derived on first use from the relay's secret."""

    def __init__(self, relay_secret: str) -> None:
        self._secret = relay_secret
        self._keys: dict[str, AgencyKey] = {}

    def __repr__(self) -> str:
        return "RelayKeys(<secret>)"

    def for_agency(self, agency_id: str) -> AgencyKey:
        if agency_id not in self._keys:
            self._keys[agency_id] = derive_agency_key(self._secret, agency_id)
        return self._keys[agency_id]
