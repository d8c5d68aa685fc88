"""RSA key pairs for actors: generation, PEM encoding and loading, key ids."""

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

RSA_KEY_BITS = 2048
MIN_RSA_KEY_BITS = 2048


@dataclass(frozen=True)
class KeyPairPem:
    """A PKCS#8 private key and its SubjectPublicKeyInfo public key, both PEM text."""

    private_pem: str
    public_pem: str


def generate_key_pair() -> KeyPairPem:
    """Make a new RSA-2048 key pair, as Mastodon does for its accounts."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return KeyPairPem(private_pem=private_pem, public_pem=public_pem_of(private_key))


def public_pem_of(private_key: rsa.RSAPrivateKey) -> str:
    """Return the SubjectPublicKeyInfo PEM of a private key's public half."""
    return (
        private_key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode("ascii")
    )


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Load an RSA private key from PEM; raise ValueError for anything else."""
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load_public_key(pem: str) -> PublicKeyTypes:
    """Load a public key from PEM text; raise ValueError when it does not parse."""
    return serialization.load_pem_public_key(pem.encode("ascii"))


def main_key_id(actor_id: str) -> str:
    """Return the key id Hub publishes for an actor: its id with the `#main-key` fragment."""
    return f"{actor_id}#main-key"
