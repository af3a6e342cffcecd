"""What can be checked here about deploy/: compose, .env.example, Dockerfile, systemd,
Kubernetes. (Building the image and starting the stack needs Docker; these checks keep the
files consistent with the code.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DEFAULT_SHUTDOWN = Settings.model_fields["shutdown_timeout"].default


def setting_names() -> set[str]:
    """The environment variable name of every setting (its first alias)."""
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        choices = list(getattr(alias, "choices", [])) if alias else []
        names.add(choices[0] if choices else f"STUDYBOT_{name.upper()}")
    return names


def env_example() -> dict[str, str | None]:
    """Keys of .env.example: value when set, ``None`` when shown commented out."""
    keys: dict[str, str | None] = {}
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line):
            keys[match[1]] = match[2]
        elif match := re.match(r"^# ([A-Z][A-Z0-9_]*)=", line):
            keys.setdefault(match[1], None)
    return keys


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def compose_variables() -> set[str]:
    """Variables compose interpolates from .env (``${NAME}``, ``${NAME:-x}``, ...)."""
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    return set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    keys = env_example()
    settings = setting_names()
    assert settings - keys.keys() == set(), "settings missing from deploy/.env.example"
    extra = keys.keys() - settings
    assert extra <= compose_variables(), f"not settings and not used by compose: {extra}"
    assert len(settings) == len(Settings.model_fields)


def test_env_example_sets_no_secret_and_no_empty_value() -> None:
    for key, value in env_example().items():
        if value is None:
            continue
        # An empty value is not "unset": it would switch Slack on or break the port.
        assert value, f"{key}= is empty; comment it out instead"
        assert not re.search(r"TOKEN|SECRET", key), f"{key} must not have a value"
        if "PASSWORD" in key:
            assert value.startswith("change-me"), "only a placeholder password"


def test_compose_parses_and_wires_the_stack() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "migrate", "bot"}
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:16")
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"], "PostgreSQL data needs a named volume"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    migrate, bot = services["migrate"], services["bot"]
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    for service in (migrate, bot):
        assert service["env_file"] == ".env"  # every setting from the copy of .env.example
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@postgres:5432/" in service["environment"]["DATABASE_URL"]
    assert bot["environment"]["STUDYBOT_AUTO_MIGRATE"] == "false"
    assert int(bot["stop_grace_period"].rstrip("s")) > DEFAULT_SHUTDOWN


def test_compose_names_only_real_settings_and_documented_variables() -> None:
    services = compose()["services"]
    for name in ("migrate", "bot"):
        assert set(services[name]["environment"]) <= setting_names()
    assert compose_variables() <= env_example().keys()


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, args = line.strip().partition(" ")
            pairs.append((instruction.upper(), args.strip()))
    return pairs


def stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's steps split into its stages (each starts with FROM)."""
    split: list[list[tuple[str, str]]] = []
    for step in dockerfile():
        if step[0] == "FROM":
            split.append([])
        if split:
            split[-1].append(step)
    return split


def test_dockerfile_builds_a_wheel_and_installs_only_that() -> None:
    build, runtime = stages()
    names = []
    for stage in (build, runtime):
        image, _, name = stage[0][1].partition(" AS ")
        assert re.fullmatch(r"python:3\.1[1-3]-slim", image), stage[0]
        names.append(name)
    steps = dockerfile()
    assert not [s for s in steps if s[0] == "ADD"], "ADD can fetch URLs; use COPY"
    copied = []
    for instruction, args in build:
        if instruction == "COPY":
            assert not args.startswith("--from"), "the build stage copies only the repository"
            *sources, _target = args.split()
            copied += sources
    for source in copied:
        assert not re.match(r"\w+://", source) and ".." not in source
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    assert {"pyproject.toml", "setup.py", "MANIFEST.in", "README.md"} <= set(copied)
    assert {"bot/", "migrations/", "content/"} <= set(copied)
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    assert all(f"!{source}" in ignore for source in copied), "the context must hold them"
    # The runtime gets only the build stage's wheels: no source tree, no package index.
    runtime_copies = [args for instruction, args in runtime if instruction == "COPY"]
    assert runtime_copies == [f"--from={names[0]} /wheels /wheels"], runtime_copies
    runs = [" ".join(a for i, a in stage if i == "RUN") for stage in stages()]
    assert not re.search(r"https?://|curl|wget|\|\s*(ba)?sh|--editable", " ".join(runs))
    assert runs[0] == 'pip wheel --wheel-dir /wheels ".[postgres]"', runs[0]
    installs = [i.strip() for i in re.findall(r"pip install ([^&]+)", runs[1])]
    assert installs == ['--no-index --find-links /wheels "studybot[postgres]"'], installs
    assert ("VOLUME", '["/data"]') in runtime


def test_dockerfile_runs_as_a_user_with_a_healthcheck() -> None:
    steps = stages()[-1]
    users = [args for instruction, args in steps if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")
    env = " ".join(args for instruction, args in steps if instruction == "ENV")
    assert "STUDYBOT_HTTP_PORT=8080" in env
    (health,) = [args for instruction, args in steps if instruction == "HEALTHCHECK"]
    assert "/healthz" in health and "curl" not in health
    assert ("CMD", '["run"]') in steps and ("ENTRYPOINT", '["studybot"]') in steps


def systemd_unit() -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    text = (DEPLOY / "systemd" / "studybot.service").read_text(encoding="utf-8")
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_systemd_unit_restarts_reads_its_env_file_and_keeps_sqlite_in_state() -> None:
    unit = systemd_unit()
    assert unit["Restart"] == ["on-failure"]
    assert unit["EnvironmentFile"] == ["/etc/studybot/env"]
    assert unit["StateDirectory"] == ["studybot"]
    assert "STUDYBOT_DATA_DIR=/var/lib/studybot" in unit["Environment"]
    assert unit["ExecStart"][0].endswith("/studybot run")
    # The venv holds the installed wheel; the unit runs nothing from a source checkout.
    assert unit["ExecStart"][0].startswith("/opt/studybot/venv/bin/")
    text = (DEPLOY / "systemd" / "studybot.service").read_text(encoding="utf-8")
    assert "--editable" not in text and ".whl" in text
    assert unit["User"] != ["root"]
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
        assert unit[option] == ["yes"], option
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["ReadWritePaths"] == ["/var/lib/studybot"]
    assert float(unit["TimeoutStopSec"][0].rstrip("s")) > DEFAULT_SHUTDOWN


def kubernetes() -> dict[str, dict[str, Any]]:
    documents = {}
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            documents[document["kind"]] = document
    return documents


def test_kubernetes_runs_replicas_with_probes_and_a_secret_reference() -> None:
    docs = kubernetes()
    assert "Secret" not in docs, "the Secret is created by the operator, never committed"
    deployment = docs["Deployment"]["spec"]
    assert deployment["replicas"] >= 2
    pod = deployment["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > DEFAULT_SHUTDOWN
    (container,) = pod["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]
    sources = {
        next(iter(source)): source[next(iter(source))]["name"] for source in container["envFrom"]
    }
    assert sources == {"configMapRef": "studybot-config", "secretRef": "studybot-secrets"}
    assert set(docs["ConfigMap"]["data"]) <= setting_names()
    assert docs["ConfigMap"]["data"]["STUDYBOT_AUTO_MIGRATE"] == "false"
    job = docs["Job"]["spec"]["template"]["spec"]["containers"][0]
    assert job["args"] == ["db", "upgrade"]
    kustomization = yaml.safe_load((DEPLOY / "kubernetes" / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    present = {p.name for p in (DEPLOY / "kubernetes").glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


def test_kubernetes_pods_wait_for_the_migration_and_name_the_image_once() -> None:
    docs = kubernetes()
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    (init,) = pod["initContainers"]
    assert init["args"][:2] == ["db", "wait"]
    assert init["envFrom"] == pod["containers"][0]["envFrom"]
    job = docs["Job"]["spec"]["template"]["spec"]["containers"][0]
    images = {init["image"], pod["containers"][0]["image"], job["image"]}
    kustomization = yaml.safe_load((DEPLOY / "kubernetes" / "kustomization.yaml").read_text())
    (entry,) = kustomization["images"]
    assert images == {entry["name"]}, "every manifest uses the name kustomization.yaml maps"
    assert entry["newName"] and entry["newTag"]
