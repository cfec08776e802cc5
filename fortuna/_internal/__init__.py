"""The machinery behind ``fortuna``: private; plugins and users import from ``fortuna``.

Layout, in the order a mandate meets it:

Reading
    loader.py       safe, exact YAML with every value located (``!decimal``, ``!env``)
    yaml_document.py    what the loader returns and raises: ``Document``, ``Limits``
    yaml_builder.py     the event-stream builder: an explicit stack, limits as it streams
    yaml_scalars.py     plain scalars (YAML 1.2 core, exact numbers) and the tags
    yaml_hints.py       plain words for the parser's syntax errors
    mandate.py      a mandate as data, from a file or built in Python (``Mandate``)
    findings.py     located problems (``Finding``) and ``MandateError``

The model components follow
    component.py    ``Component[Args]``, ``Interface``, ``Service``, ``Context``, ``Logger``
    types.py        the value types the core understands: ``ExactDecimal``, ``Duration``
    time.py         the ``Clock`` interface: the one source of time and sleep of a graph
    registry.py     component ids to classes, through the ``fortuna.components`` entry points

Checking
    validation.py   one pass that reports every problem of a mandate, each located
    validation_report.py    the ``Report`` and the state every stage shares
    validation_shape.py     stages 1-2: the file's shape, names, keys, component ids
    validation_refs.py      stages 3-4: references, vars, cycles, dependencies
    validation_args.py      stage 5: args against their models, findings worded
    validation_fast.py      ``fortuna validate``'s fast path: a valid file proved from the
                            catalog index, anything else left to the full path
    references.py   ``Ref`` and ``Placeholder``: references as both paths see them
    plan.py         a validated mandate, ready to build
    graph.py        dependency order and reference cycles (validation and the container)
    suggest.py      "did you mean": the closest known name, from an index

Running
    container.py    builds a plan into live components, loads them, unloads in reverse
    runtime.py      ``start`` and ``run``: load, run the service until done or stopped, unload
    ticker.py       the tick loop, ``Ticker`` and ``TickService``: no drift, interruptible
    clock.py        ``clock.wall`` and ``clock.virtual``
    logging.py      structured logs, decimals exact, secrets redacted
    redaction.py    the secrets of the running mandate, removed from every printed line
    settings.py     flags over ``FORTUNA_*`` variables over defaults

Tools for people and editors
    cli/            the ``fortuna`` command line, one module per command that needs one
                    (``fortuna run``), and the exit codes
    schema.py       the JSON Schema of mandate files
    catalog.py      ``fortuna catalog``: ids and their args
    catalog_index.py        ``fortuna index``: the precompiled catalog index
    catalog_acceptance.py   args models as acceptance schemas (JSON) for the index
    wiring.py       ``fortuna graph``: the wiring as Mermaid or DOT

``import fortuna`` loads nothing: every public name loads on first use (see
``fortuna/__init__.py``), so validating a mandate imports no runtime and no heavy library.
"""
