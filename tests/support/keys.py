"""Pre-generated RSA keys handed out in turn, because key generation dominates test time."""

import itertools

from hub.activitypub.keys import KeyPairPem, generate_key_pair


class KeyPool:
    """A few real RSA-2048 key pairs, cycled; every test still signs with real keys."""

    def __init__(self, size: int = 6) -> None:
        self._keys = [generate_key_pair() for _ in range(size)]
        self._next = itertools.cycle(self._keys)

    def __call__(self) -> KeyPairPem:
        return next(self._next)
