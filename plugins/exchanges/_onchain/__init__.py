"""What the on-chain exchange families (``evm``, ``solana``, ``multiversx``) do alike, once.

Each family keeps its own client, its own error translation and its own words; the steps
they take the same way live here, private to them (no component, no entry point):

- :mod:`.endpoint`: the network a new client's endpoint serves checked against the
  mandate's, the client closed when it is not (:func:`~.endpoint.identified`); the client
  held only while loaded (:func:`~.endpoint.loaded`); one call with its failure translated
  at the edge (:func:`~.endpoint.translated`); a sent transaction's status polled until
  settled or out of time (:func:`~.endpoint.poll`);
- :mod:`.keys`: a wallet's secret key read once, refused without ever quoting its text
  (:func:`~.keys.secret_key`);
- :mod:`.swaps`: a swap request's exact and bound amounts in units, a fresh quote checked
  against the bound, the revert a chain's words describe;
- :mod:`.steps`: the exact side in units, a passed deadline refused before sending, the
  sides of a swap found from the wallet's balance changes, a sent swap settled or unknown;
- :mod:`.nonces`: a wallet's nonces, taken and sent under one lock, read again from the
  node after a failed send.
"""
