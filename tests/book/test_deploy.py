"""`fortuna deploy`: a valid book as a kustomize base, checked against the real Kubernetes
API schemas (kubernetes-validate ships them) and built by `kubectl kustomize` where
kubectl is installed. There is no cluster here: nothing is applied (docs/operations.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from fortuna._internal.cli import main
from fortuna._internal.deploy import GENERATED, MAX_NAME, dns_names
from tests.book.support import spec, write_book
from tests.conftest import REPO

KUBERNETES = kubernetes_validate.latest_version()
DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"


def deploy(out: Path, *targets: Path | str, flags: tuple[str, ...] = ()) -> int:
    return main(["deploy", *map(str, targets), "-o", str(out), *flags])


def documents(folder: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found.extend(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    return found


def of_kind(folder: Path, kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents(folder) if d["kind"] == kind}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


@pytest.fixture(scope="module")
def configs_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deploy")
    assert deploy(out, REPO / "configs") == 0
    return out


def test_every_manifest_of_the_configs_base_is_valid_against_the_kubernetes_api(
    configs_base: Path,
) -> None:
    manifests = documents(configs_base)
    assert len(manifests) == 2 * len(list((REPO / "configs").rglob("*.yaml")))
    for manifest in manifests:
        kubernetes_validate.validate(manifest, KUBERNETES, strict=True)


def test_a_manifest_the_api_would_refuse_is_caught_by_the_schema_check(
    configs_base: Path,
) -> None:
    deployment = next(iter(of_kind(configs_base, "Deployment").values()))
    deployment["spec"]["strategy"] = {"type": "Recreate", "maxSurge": 1}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


@pytest.mark.skipif(shutil.which("kubectl") is None,
                    reason="kubectl is not installed: the base is not built by kustomize")
def test_the_base_builds_with_kubectl_kustomize(configs_base: Path) -> None:
    result = subprocess.run(["kubectl", "kustomize", str(configs_base)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    built = [d for d in yaml.safe_load_all(result.stdout) if d]
    kinds = sorted({d["kind"] for d in built})
    assert kinds == ["ConfigMap", "Deployment"]
    assert len(built) == len(documents(configs_base))


def test_each_mandate_is_one_replica_stopped_before_its_successor_starts(
    configs_base: Path,
) -> None:
    for deployment in of_kind(configs_base, "Deployment").values():
        assert deployment["spec"]["replicas"] == 1
        assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_the_config_map_holds_the_mandate_file_as_written(configs_base: Path) -> None:
    config_maps = of_kind(configs_base, "ConfigMap")
    ladder = REPO / "configs" / "market_making" / "ladder.yaml"
    assert config_maps["ladder"]["data"]["mandate.yaml"] == ladder.read_text(encoding="utf-8")
    volumes = of_kind(configs_base, "Deployment")["ladder"]["spec"]["template"]["spec"][
        "volumes"]
    assert {"name": "mandate", "configMap": {"name": "ladder"}} in volumes
    mounts = container(of_kind(configs_base, "Deployment")["ladder"])["volumeMounts"]
    assert {"name": "mandate", "mountPath": "/var/lib/fortuna/mandate.yaml",
            "subPath": "mandate.yaml", "readOnly": True} in mounts
    assert container(of_kind(configs_base, "Deployment")["ladder"])["args"][:2] == [
        "run", "/var/lib/fortuna/mandate.yaml"]


def test_probes_and_scrape_annotations_point_at_the_runs_http_port(configs_base: Path) -> None:
    deployment = of_kind(configs_base, "Deployment")["demo"]
    run = container(deployment)
    assert run["args"][2:4] == ["--http", "0.0.0.0:9108"]
    assert run["ports"] == [{"name": "http", "containerPort": 9108, "protocol": "TCP"}]
    assert run["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert run["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert {k: v for k, v in annotations.items() if k.startswith("prometheus.io/")} == {
        "prometheus.io/scrape": "true", "prometheus.io/port": "9108",
        "prometheus.io/path": "/metrics"}
    assert run["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}


def test_every_env_variable_comes_from_the_secret_by_name_and_no_value_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEY_1", "a-secret-api-key-value")
    write_book(tmp_path / "book", 2)
    assert deploy(tmp_path / "out", tmp_path / "book", flags=("--secret", "desk-keys")) == 0
    env = container(of_kind(tmp_path / "out", "Deployment")["mandate-0001"])["env"]
    assert env[:2] == [{"name": name, "valueFrom": {"secretKeyRef": {"name": "desk-keys",
                                                                     "key": name}}}
                       for name in ("KEY_1", "SECRET_1")]
    written = "".join(p.read_text() for p in (tmp_path / "out").iterdir())
    assert "a-secret-api-key-value" not in written


def test_each_mandate_waits_for_its_own_lease_when_the_secret_names_a_database(
    configs_base: Path,
) -> None:
    deployments = of_kind(configs_base, "Deployment")
    for name in ("cex-dex", "demo"):
        env = {e["name"]: e for e in container(deployments[name])["env"]}
        assert env["FORTUNA_LEASE"]["valueFrom"]["secretKeyRef"] == {
            "name": "fortuna-env", "key": "FORTUNA_LEASE", "optional": True}
        assert env["FORTUNA_LEASE_KEY"]["value"] == name  # not the file name every pod shares
        assert env["FORTUNA_LEASE_WAIT"]["value"] == "true"


def test_a_variable_every_use_of_which_has_a_default_is_optional(configs_base: Path) -> None:
    env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in
           container(of_kind(configs_base, "Deployment")["cex-dex"])["env"] if "valueFrom" in e}
    assert env["FORTUNA_EVM_RPC"].get("optional") is True
    assert "optional" not in env["FORTUNA_EVM_KEY"]


def test_an_invalid_book_is_refused_with_its_findings_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_book(tmp_path / "book", 3, replace(spec(2), name="mm_0"))
    assert deploy(tmp_path / "out", tmp_path / "book") == 1
    out = capsys.readouterr()
    assert 'mandate name "mm_0" is also held by' in out.out
    assert out.err == "not deployed: 2 errors in the book\n"
    assert not (tmp_path / "out").exists()


def test_a_second_deploy_removes_only_what_an_earlier_deploy_wrote_for_a_gone_mandate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_book(tmp_path / "book", 3)
    out = tmp_path / "out"
    assert deploy(out, tmp_path / "book") == 0
    (out / "patch.yaml").write_text("# an operator's own file\n")
    paths[2].unlink()
    assert deploy(out, tmp_path / "book") == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "kustomization.yaml", "mandate-0000.yaml", "mandate-0001.yaml", "patch.yaml"]
    assert "removed" in capsys.readouterr().out
    assert (out / "kustomization.yaml").read_text().startswith(GENERATED)


def test_names_are_dns_labels_of_the_file_names_extended_by_folders_when_they_collide() -> None:
    names = dns_names(["desk/a/Ladder_BTC.yaml", "desk/b/ladder_btc.yml", "c/grid.yaml",
                       "kustomization.yaml", "x/ladder-btc.yaml", "y/x/ladder-btc.yaml"])
    assert names == {"desk/a/Ladder_BTC.yaml": "a-ladder-btc",
                     "desk/b/ladder_btc.yml": "b-ladder-btc",
                     "c/grid.yaml": "grid",
                     "kustomization.yaml": "kustomization-2",
                     "x/ladder-btc.yaml": "x-ladder-btc",
                     "y/x/ladder-btc.yaml": "y-x-ladder-btc"}


def test_a_long_or_odd_file_name_still_makes_a_short_distinct_label() -> None:
    long = "m" * 80
    names = dns_names([f"{long}1.yaml", f"{long}2.yaml", "___.yaml", "Ünïcode.yaml"])
    assert len(set(names.values())) == 4
    for name in names.values():
        assert len(name) <= MAX_NAME
        assert re.fullmatch(DNS_LABEL, name), name


@pytest.mark.parametrize("flags", [("--cpu", "lots"), ("--memory", "1 GB"),
                                   ("--http", "9108"), ("--secret", "Bad_Name")])
def test_a_bad_setting_is_a_usage_error(tmp_path: Path, flags: tuple[str, ...]) -> None:
    with pytest.raises(SystemExit) as stopped:
        deploy(tmp_path / "out", REPO / "configs" / "demo.yaml", flags=flags)
    assert stopped.value.code == 2


def test_the_dockerfile_builds_the_user_port_and_folder_the_manifests_expect(
    configs_base: Path,
) -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    deployment = of_kind(configs_base, "Deployment")["demo"]
    pod = deployment["spec"]["template"]["spec"]
    assert f"USER {pod['securityContext']['runAsUser']}:" in dockerfile
    assert f"WORKDIR {container(deployment)['workingDir']}\n" in dockerfile
    assert f"EXPOSE {container(deployment)['ports'][0]['containerPort']}\n" in dockerfile
    assert 'ENTRYPOINT ["fortuna"]' in dockerfile
    for package in ("fortuna", "schemas", "plugins"):
        assert f"COPY {package} ./{package}\n" in dockerfile


def test_a_book_that_cannot_be_read_is_a_usage_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy(tmp_path / "out", tmp_path / "nowhere.yaml") == 2
    assert "nowhere.yaml" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
