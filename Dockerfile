# The image `fortuna deploy` runs (its Deployments say `image: fortuna:latest` unless
# --image says otherwise). Built from this repository:
#   docker build -t fortuna:latest .
# It holds the package and its runtime dependencies only (no tests, no Node.js). The user
# (uid 10001), the working directory and the port match the generated manifests: the root
# file system is read-only there, so bytecode is compiled here, at build time.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/fortuna
COPY pyproject.toml README.md ./
COPY fortuna ./fortuna
COPY schemas ./schemas
COPY plugins ./plugins
RUN pip install . \
    && python -m compileall -q "$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
    && rm -rf /opt/fortuna \
    && groupadd --gid 10001 fortuna \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/fortuna fortuna \
    && mkdir -p /var/lib/fortuna \
    && chown fortuna:fortuna /var/lib/fortuna

USER 10001:10001
WORKDIR /var/lib/fortuna
EXPOSE 9108
ENTRYPOINT ["fortuna"]
CMD ["--help"]
