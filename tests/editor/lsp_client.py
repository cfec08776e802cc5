"""A small Language Server Protocol client that speaks JSON-RPC to a server over stdio.

Just enough of the protocol for the editor tests: Content-Length framing, requests matched
to their responses by id, answers to the requests a server sends the client
(``workspace/configuration``, ``client/registerCapability``, ...) and the
``textDocument/publishDiagnostics`` notifications it pushes, kept per document.

Every wait is bounded: nothing here blocks for longer than the timeout it is given, and a
server that dies or stops answering turns into an :class:`LspError`, not a hang.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

DEFAULT_TIMEOUT = 30.0

Json = Any
#: Answers a ``workspace/configuration`` item: the section asked for -> its value (or None).
ConfigurationProvider = Callable[[str | None], Json]


class LspError(RuntimeError):
    """The server answered with an error, stopped, broke the protocol or did not answer in time."""


class LspClient:
    """A language server process and the client end of its JSON-RPC connection."""

    def __init__(self, command: Sequence[str], *, settings: Mapping[str, Json],
                 cwd: Path | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Start ``command`` (a server speaking LSP on its stdin/stdout).

        ``settings`` are the client's configuration, by top-level section (``{"yaml": {...}}``):
        what the client answers to ``workspace/configuration`` and sends with
        ``workspace/didChangeConfiguration``.
        """
        self.settings = dict(settings)
        self.timeout = timeout
        self._process = subprocess.Popen(
            list(command), cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._stdin: IO[bytes] = self._process.stdin
        self._ids = itertools.count(1)
        self._write_lock = threading.Lock()
        # Everything below is shared with the reader thread and guarded by _changed.
        self._changed = threading.Condition()
        self._responses: dict[int, dict[str, Json]] = {}
        self._diagnostics: dict[str, list[dict[str, Json]]] = collections.defaultdict(list)
        self._configuration_requests_answered = 0
        self._log: collections.deque[str] = collections.deque(maxlen=200)
        self._reader_error: str | None = None
        self._closed = False
        self._reader = threading.Thread(
            target=self._read_messages, args=(self._process.stdout,), name="lsp-reader",
            daemon=True,
        )
        self._reader.start()
        self._stderr_reader = threading.Thread(
            target=self._drain_stderr, name="lsp-stderr", daemon=True,
        )
        self._stderr_reader.start()

    # -- the session ----------------------------------------------------------------------

    def initialize(self, root_uri: str | None = None) -> dict[str, Json]:
        """``initialize`` then ``initialized``; returns the server's capabilities."""
        result = self.request("initialize", {
            "processId": None,
            "clientInfo": {"name": "fortuna-tests"},
            "rootUri": root_uri,
            "workspaceFolders": None,
            "capabilities": {
                "workspace": {
                    "configuration": True,
                    "didChangeConfiguration": {"dynamicRegistration": True},
                    "workspaceFolders": False,
                },
                "textDocument": {
                    "synchronization": {"dynamicRegistration": False, "didSave": False},
                    "publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
                    "completion": {
                        "dynamicRegistration": False,
                        "completionItem": {
                            "snippetSupport": True,
                            "documentationFormat": ["markdown", "plaintext"],
                        },
                    },
                    "hover": {
                        "dynamicRegistration": False,
                        "contentFormat": ["markdown", "plaintext"],
                    },
                },
            },
        })
        self.notify("initialized", {})
        return dict(result["capabilities"])

    def configure(self, timeout: float | None = None) -> None:
        """Send ``workspace/didChangeConfiguration`` and wait until the server has pulled
        the settings back (its ``workspace/configuration`` request has been answered)."""
        with self._changed:
            answered = self._configuration_requests_answered
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        self._wait(lambda: self._configuration_requests_answered > answered,
                   "the server to pull its configuration", timeout)

    def open_document(self, uri: str, text: str, *, language_id: str = "yaml",
                      version: int = 1) -> int:
        """``textDocument/didOpen``; returns a mark to pass to :meth:`wait_for_diagnostics`."""
        with self._changed:
            mark = len(self._diagnostics[uri])
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language_id, "version": version, "text": text,
        }})
        return mark

    def close_document(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def wait_for_diagnostics(self, uri: str, after: int,
                             timeout: float | None = None) -> list[dict[str, Json]]:
        """The diagnostics of the first ``publishDiagnostics`` for ``uri`` published after
        the mark ``after`` (from :meth:`open_document`)."""
        self._wait(lambda: len(self._diagnostics[uri]) > after,
                   f"the diagnostics of {uri}", timeout)
        with self._changed:
            return list(self._diagnostics[uri][after]["diagnostics"])

    def completion(self, uri: str, line: int, character: int,
                   timeout: float | None = None) -> list[dict[str, Json]]:
        """The completion items at a position (0-based), whatever shape the server answers."""
        result = self.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": character},
        }, timeout)
        if result is None:
            return []
        if isinstance(result, dict):
            return list(result.get("items", []))
        return list(result)

    def hover(self, uri: str, line: int, character: int,
              timeout: float | None = None) -> dict[str, Json] | None:
        result = self.request("textDocument/hover", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": character},
        }, timeout)
        return dict(result) if result else None

    def close(self, timeout: float = 5.0) -> None:
        """``shutdown`` and ``exit``, then make sure the process is gone."""
        if self._closed:
            return
        try:
            if self._process.poll() is None:
                self.request("shutdown", None, timeout)
                self.notify("exit", None)
                self._process.wait(timeout)
        except (LspError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            self._closed = True
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(timeout)
            # the process is gone: its output ends, so the readers stop on their own
            self._reader.join(timeout)
            self._stderr_reader.join(timeout)
            for stream in (self._stdin, self._process.stdout, self._process.stderr):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()

    def __enter__(self) -> LspClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def log(self) -> str:
        """The server's recent log messages and stderr, to explain a failure."""
        with self._changed:
            return "\n".join(self._log)

    # -- JSON-RPC -------------------------------------------------------------------------

    def request(self, method: str, params: Json, timeout: float | None = None) -> Json:
        """Send a request and wait for its response; its error becomes an :class:`LspError`."""
        request_id = next(self._ids)
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        self._wait(lambda: request_id in self._responses, f"the response to {method}", timeout)
        with self._changed:
            response = self._responses.pop(request_id)
        if "error" in response:
            raise LspError(f"{method} failed: {response['error']}")
        return response.get("result")

    def notify(self, method: str, params: Json) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def _send(self, message: dict[str, Json]) -> None:
        body = json.dumps(message).encode("utf-8")
        frame = b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        with self._write_lock:
            try:
                self._stdin.write(frame)
                self._stdin.flush()
            except (BrokenPipeError, ValueError, OSError) as error:
                raise LspError(f"cannot write to the server: {error}\n{self.log}") from error

    def _wait(self, ready: Callable[[], bool], what: str, timeout: float | None) -> None:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self._changed:
            while not ready():
                if self._reader_error is not None:
                    raise LspError(f"waiting for {what}: {self._reader_error}\n"
                                   + "\n".join(self._log))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LspError(f"timed out waiting for {what}\n" + "\n".join(self._log))
                self._changed.wait(min(remaining, 0.5))

    # -- the reader thread ----------------------------------------------------------------

    def _read_messages(self, stream: IO[bytes]) -> None:
        try:
            while True:
                message = _read_frame(stream)
                if message is None:
                    raise LspError(f"the server closed its output "
                                   f"(exit code {self._process.poll()})")
                self._dispatch(message)
        except Exception as error:  # reported to whoever waits
            with self._changed:
                self._reader_error = str(error) or type(error).__name__
                self._changed.notify_all()

    def _dispatch(self, message: dict[str, Json]) -> None:
        method = message.get("method")
        if method is None:  # a response to one of our requests
            with self._changed:
                self._responses[message["id"]] = message
                self._changed.notify_all()
        elif "id" in message:  # a request from the server: always answered
            self._answer(message["id"], method, message.get("params"))
        elif method == "textDocument/publishDiagnostics":
            with self._changed:
                self._diagnostics[message["params"]["uri"]].append(message["params"])
                self._changed.notify_all()
        elif method in ("window/logMessage", "window/showMessage"):
            with self._changed:
                self._log.append(f"[{method}] {message['params'].get('message')}")

    def _answer(self, request_id: Json, method: str, params: Json) -> None:
        if method == "workspace/configuration":
            result = [self._section(item.get("section")) for item in params["items"]]
            self._send({"jsonrpc": "2.0", "id": request_id, "result": result})
            with self._changed:
                self._configuration_requests_answered += 1
                self._changed.notify_all()
        elif method in ("client/registerCapability", "client/unregisterCapability",
                        "window/workDoneProgress/create", "workspace/codeLens/refresh",
                        "workspace/semanticTokens/refresh", "workspace/inlayHint/refresh"):
            self._send({"jsonrpc": "2.0", "id": request_id, "result": None})
        else:
            self._send({"jsonrpc": "2.0", "id": request_id, "error": {
                "code": -32601, "message": f"the test client does not handle {method}",
            }})

    def _section(self, section: str | None) -> Json:
        """A ``workspace/configuration`` item: a top-level section or a dotted path into it."""
        if section is None:
            return self.settings
        value: Json = self.settings
        for part in section.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value

    def _drain_stderr(self) -> None:
        assert self._process.stderr is not None
        with contextlib.suppress(OSError, ValueError):  # closed under us: nothing more to log
            for line in self._process.stderr:
                with self._changed:
                    self._log.append("[stderr] " + line.decode("utf-8", "replace").rstrip())


def _read_frame(stream: IO[bytes]) -> dict[str, Json] | None:
    """One message: headers up to an empty line, then Content-Length bytes of JSON."""
    length: int | None = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise LspError("a message without a Content-Length header")
    body = stream.read(length)
    if len(body) < length:
        return None
    message = json.loads(body)
    if not isinstance(message, dict):
        raise LspError(f"not a JSON-RPC message: {message!r}")
    return message
