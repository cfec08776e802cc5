"""MultiversX: the proxy API, a wallet, and the xExchange pair venue.

``proxy`` (the network, its chain id checked) and ``wallet`` (key and nonces) are
components of their own, shared by every venue of a mandate; ``xexchange`` implements
:class:`schemas.swap.SwapVenue` over one xExchange pair contract. multiversx-sdk is
synchronous: every network call it makes runs in a worker thread (``asyncio.to_thread``),
never on the event loop, and the SDK is imported only when a component loads.
"""
