"""``fortuna deploy FILE_OR_DIR... -o DIR``: the book as a kustomize base.

The book is validated first, exactly as ``fortuna validate`` does (each file, then the
mandates against each other); any error refuses the deployment with every finding and
exit 1, so what is deployed is what validates. Then :mod:`fortuna._internal.deploy`
writes one ConfigMap and one Deployment per mandate and ``kustomization.yaml``.
"""

from __future__ import annotations

import argparse
import re
import sys

from fortuna._internal.cli.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_USAGE

__all__ = ["add_parser", "deploy_command"]

_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
_HOST_PORT = re.compile(r"^[^\s:]+:([0-9]{1,5})$")


def _quantity(text: str) -> str:
    if not _QUANTITY.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Kubernetes quantity like 100m, "
                                         "0.5 or 256Mi")
    return text


def _http(text: str) -> str:
    match = _HOST_PORT.fullmatch(text)
    if match is None or not 0 < int(match.group(1)) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT like 0.0.0.0:9108")
    return text


def _name(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Kubernetes object name")
    return text


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deploy = commands.add_parser(
        "deploy", help="write Kubernetes manifests (a kustomize base) for a valid book")
    deploy.add_argument("files", nargs="+", metavar="FILE",
                        help="mandate files, or directories to search for *.yaml")
    deploy.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="the kustomize base to write (created; files an earlier deploy "
                             "wrote there and no longer needed are removed)")
    deploy.add_argument("--image", default="fortuna:latest",
                        help="the container image (built with the repository's Dockerfile)")
    deploy.add_argument("--secret", default="fortuna-env", type=_name,
                        help="the Secret whose keys, named like the !env variables, hold "
                             "their values")
    deploy.add_argument("--http", default="0.0.0.0:9108", type=_http,
                        help="where `fortuna run --http` serves probes and metrics")
    deploy.add_argument("--cpu", default="100m", type=_quantity, help="CPU request")
    deploy.add_argument("--memory", default="256Mi", type=_quantity, help="memory request")
    deploy.add_argument("--memory-limit", default="512Mi", type=_quantity,
                        help="memory limit")
    deploy.add_argument("--grace", default=120, type=int, metavar="SECONDS",
                        help="terminationGracePeriodSeconds: the time a stopping mandate has "
                             "to cancel its orders before it is killed")


def deploy_command(args: argparse.Namespace) -> int:
    from fortuna._internal.book_validation import validate_book
    from fortuna._internal.cli.book_files import unreadable
    from fortuna._internal.deploy import MAX_MANDATE_BYTES, Settings, manifests, write

    if not 1 <= args.grace <= 86400:
        print(f"fortuna: --grace {args.grace} is not 1 to 86400 seconds", file=sys.stderr)
        return EXIT_USAGE
    book = validate_book(args.files)
    if unreadable(book):
        return EXIT_USAGE
    if not book.ok:
        for finding in book.findings:
            print(finding)
        errors = sum(1 for finding in book.findings if finding.is_error)
        print(f"not deployed: {errors} error{'s' if errors != 1 else ''} in the book",
              file=sys.stderr)
        return EXIT_INVALID
    mandates = []
    for path in book.files:
        with open(path, "rb") as handle:
            data = handle.read()
        if len(data) > MAX_MANDATE_BYTES:
            print(f"{path}: a ConfigMap holds at most {MAX_MANDATE_BYTES} bytes; this mandate "
                  f"has {len(data)}", file=sys.stderr)
            return EXIT_INVALID
        mandates.append((path, data.decode("utf-8"), book.env[path]))
    settings = Settings(image=args.image, secret=args.secret, http=args.http, cpu=args.cpu,
                        memory=args.memory, memory_limit=args.memory_limit,
                        grace_seconds=args.grace)
    try:
        removed = write(args.output, manifests(mandates, settings))
    except OSError as exc:
        print(f"fortuna: {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    for name in removed:
        print(f"removed {args.output}/{name} (its mandate is no longer in the book)")
    print(f"{len(mandates)} mandate{'s' if len(mandates) != 1 else ''} deployed to "
          f"{args.output} (kubectl apply -k {args.output})")
    return EXIT_OK
