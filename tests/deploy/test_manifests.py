"""Static checks of deploy/: every file parses and refers only to things that exist.

- every YAML file parses; Kubernetes documents are well-formed and all listed by kustomization.yaml;
- images: the project image at the project's version, or a known official image with a pinned tag;
- settings: every variable set by compose.yaml (app services), the Kubernetes ConfigMap/Secret and
  .env.example is a setting read by config/settings.py (an `env_*("NAME")` call), every such setting is
  documented in .env.example, and no file sets a text setting to "" when its default is not empty;
- probes point at /healthz (liveness) and /readyz (readiness), which config/urls.py serves;
- the Dockerfile runs config.asgi:application as a non-root user; nginx upgrades websockets on /ws/ and its body
  limit matches UPLOAD_MAX_BYTES; shell scripts pass `bash -n`.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.urls import resolve

from federation import health

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list"}
# Official images allowed besides the project's own (tags must be pinned: a version, never `latest`).
OFFICIAL_IMAGES = {
    "python",
    "postgres",
    "redis",
    "nginx",
    "docker.elastic.co/elasticsearch/elasticsearch",
}
PROJECT_IMAGE = "maillage"
COMPOSE_ONLY_MARKER = "# --- compose only"


# --- helpers ----------------------------------------------------------------------------------------------------
def settings_read() -> dict[str, tuple[str, ast.AST | None]]:
    """{NAME: (helper, default node)} for every env_*("NAME", ...) call in config/settings.py."""
    tree = ast.parse((ROOT / "config" / "settings.py").read_text(encoding="utf-8"))
    found: dict[str, tuple[str, ast.AST | None]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ENV_HELPERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            default = node.args[1] if len(node.args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "default":
                    default = keyword.value
            found[node.args[0].value] = (node.func.id, default)
    return found


SETTINGS = settings_read()


def is_setting(name: str) -> bool:
    """A setting, or its `NAME_FILE` variant (secrets read from a file)."""
    return name in SETTINGS or (name.endswith("_FILE") and name[: -len("_FILE")] in SETTINGS)


def empty_is_unsafe(name: str) -> bool:
    """True when NAME="" differs from leaving NAME unset: an env_str whose default is not the empty string."""
    helper, default = SETTINGS[name.removesuffix("_FILE")] if is_setting(name) else ("", None)
    if helper != "env_str" or default is None:
        return False
    return not (isinstance(default, ast.Constant) and default.value == "")


def yaml_files() -> list[Path]:
    return sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])


def load_all(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def k8s_documents() -> list[tuple[Path, dict]]:
    return [
        (path, doc)
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in load_all(path)
    ]


def pod_specs() -> list[tuple[str, dict]]:
    specs = []
    for _path, doc in k8s_documents():
        if doc["kind"] in {"Deployment", "StatefulSet", "Job", "DaemonSet"}:
            specs.append((f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]))
        if doc["kind"] == "CronJob":
            template = doc["spec"]["jobTemplate"]["spec"]["template"]
            specs.append((f"CronJob/{doc['metadata']['name']}", template["spec"]))
    return specs


def containers() -> list[tuple[str, dict]]:
    return [
        (f"{owner}/{container['name']}", container)
        for owner, spec in pod_specs()
        for container in [*spec.get("initContainers", []), *spec["containers"]]
    ]


def deployment(name: str) -> dict:
    for _path, doc in k8s_documents():
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == name:
            return doc
    raise AssertionError(f"no Deployment {name}")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def app_services() -> dict[str, dict]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if str(service.get("image", "")).split(":")[0] == PROJECT_IMAGE
    }


def env_example() -> tuple[dict[str, str], dict[str, str], set[str]]:
    """(app variables, compose-only variables, names assigned on active lines) of .env.example.

    Both `NAME=value` and commented `# NAME=default` lines document NAME.
    """
    app, compose_only, active = {}, {}, set()
    section = app
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith(COMPOSE_ONLY_MARKER):
            section = compose_only
            continue
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            section[match.group(2)] = match.group(3)
            if not match.group(1):
                active.add(match.group(2))
    return app, compose_only, active


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")


def dockerfile_instruction(name: str) -> list[str]:
    """JSON-form arguments of the last NAME instruction (CMD / ENTRYPOINT)."""
    lines = [line for line in dockerfile().splitlines() if line.strip().startswith(name + " ")]
    assert lines, f"no {name} in the Dockerfile"
    value = lines[-1].strip()[len(name) :].strip()
    assert value.startswith("["), f"{name} must use the JSON (exec) form so signals reach the process"
    return yaml.safe_load(value)


def nginx_block(config: str, header: str) -> str:
    """Body of the first `header {` block of nginx.conf (brace matching)."""
    start = config.index(header)
    depth, index = 0, config.index("{", start)
    for position in range(index, len(config)):
        if config[position] == "{":
            depth += 1
        elif config[position] == "}":
            depth -= 1
            if depth == 0:
                return config[index + 1 : position]
    raise AssertionError(f"unbalanced block {header}")


def size_in_bytes(value: str) -> int:
    units = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
    match = re.fullmatch(r"(\d+)([kmg]?)", value.strip().lower())
    assert match, value
    return int(match.group(1)) * units[match.group(2)]


# --- parsing ------------------------------------------------------------------------------------------------------
def test_settings_are_found_in_config_settings():
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "UPLOAD_MAX_BYTES", "HDS_HOSTING"} <= set(SETTINGS)


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_yaml_file_parses(path):
    docs = load_all(path)
    assert docs, f"{path} is empty"
    assert all(isinstance(doc, dict) for doc in docs)


def test_kubernetes_documents_are_well_formed_and_all_applied():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    listed = set(kustomization["resources"])
    for name in listed:
        assert (K8S / name).is_file(), f"kustomization.yaml lists a missing file {name}"
    for path, doc in k8s_documents():
        assert {"apiVersion", "kind", "metadata"} <= set(doc), path
        assert doc["metadata"].get("name"), path
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "maillage", (
                f"{path}: {doc['kind']} outside the namespace"
            )
    # Everything is applied by kustomize except the secret template, which holds ${...} placeholders.
    expected = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.template.yaml"}
    assert listed == expected


def test_kubernetes_references_resolve():
    names = {(doc["kind"], doc["metadata"]["name"]) for _path, doc in k8s_documents()}
    for owner, spec in pod_specs():
        for container in spec["containers"]:
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert ("ConfigMap", source["configMapRef"]["name"]) in names, owner
                if "secretRef" in source:
                    assert ("Secret", source["secretRef"]["name"]) in names, owner
        for volume in spec.get("volumes", []):
            if "persistentVolumeClaim" in volume:
                claim = volume["persistentVolumeClaim"]["claimName"]
                assert ("PersistentVolumeClaim", claim) in names, owner
    for _path, doc in k8s_documents():
        if doc["kind"] == "HorizontalPodAutoscaler":
            target = doc["spec"]["scaleTargetRef"]
            assert (target["kind"], target["name"]) in names
        if doc["kind"] == "Ingress":
            for rule in doc["spec"]["rules"]:
                for path in rule["http"]["paths"]:
                    assert ("Service", path["backend"]["service"]["name"]) in names


def test_compose_references_resolve():
    data = compose()
    services = data["services"]
    volumes = set(data.get("volumes", {}))
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in volumes, f"{name} mounts undeclared volume {source}"
    # Only the reverse proxy is published; web, worker and beat wait for the migrations.
    assert [name for name, service in services.items() if service.get("ports")] == ["nginx"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["env_file"] == ".env"
    assert {"db", "redis", "elasticsearch", "web", "worker", "beat", "nginx"} <= set(services)
    assert set(data["volumes"]) >= {"db", "media", "static"}
    for name in ("db", "redis", "elasticsearch", "web", "worker", "nginx"):
        check = services[name].get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"
    assert "/readyz" in services["web"]["healthcheck"]["test"]


# --- images -------------------------------------------------------------------------------------------------------
def referenced_images() -> list[tuple[str, str]]:
    images = [(f"compose:{name}", service["image"]) for name, service in compose()["services"].items()]
    images += [(f"k8s:{owner}", container["image"]) for owner, container in containers()]
    text = dockerfile()
    args = dict(re.findall(r"^ARG (\w+)=(\S+)", text, flags=re.M))
    stages = set(re.findall(r"^FROM \S+ AS (\w+)", text, flags=re.M))
    for base in re.findall(r"^FROM (\S+)", text, flags=re.M):
        base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base)
        if base not in stages:
            images.append(("Dockerfile", base))
    return images


@pytest.mark.parametrize("where,image", referenced_images())
def test_images_are_the_project_or_pinned_official_ones(where, image):
    name, _, tag = image.split("@")[0].rpartition(":") if ":" in image else (image, "", "")
    assert name and tag, f"{where}: image {image} has no tag"
    if name == PROJECT_IMAGE:
        assert tag == project_version(), f"{where}: project image tag {tag} != version {project_version()}"
        return
    assert name in OFFICIAL_IMAGES, f"{where}: {image} is neither the project image nor a known official one"
    assert tag != "latest" and re.match(r"^\d+(\.\d+)*(-[a-z0-9.]+)*$", tag), f"{where}: unpinned tag {tag}"


def test_kustomize_renames_the_project_image_only():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    assert [entry["name"] for entry in kustomization["images"]] == [PROJECT_IMAGE]
    assert kustomization["images"][0]["newTag"] == project_version()


# --- settings -----------------------------------------------------------------------------------------------------
def assigned_settings() -> list[tuple[str, str, str]]:
    """(where, NAME, value) for every variable the deployment files give the application."""
    found = []
    for service_name, service in app_services().items():
        for name, value in (service.get("environment") or {}).items():
            found.append((f"compose:{service_name}", name, str(value)))
    for path, doc in k8s_documents():
        if doc["kind"] == "ConfigMap":
            found += [(f"k8s:{path.name}", name, str(value)) for name, value in doc["data"].items()]
        if doc["kind"] == "Secret":
            # Rendered with envsubst: any placeholder may be empty.
            for name, value in doc["stringData"].items():
                found.append((f"k8s:{path.name}", name, ""))
                assert value == "${" + name + "}", f"{path.name}: {name} must be filled from ${{{name}}}"
    for owner, container in containers():
        if container["image"].split(":")[0] == PROJECT_IMAGE:
            found += [
                (f"k8s:{owner}", item["name"], str(item.get("value", "")))
                for item in container.get("env", [])
            ]
    app, _compose_only, active = env_example()
    found += [(".env.example", name, value) for name, value in app.items() if name in active]
    found += [(".env.example (commented)", name, value) for name, value in app.items() if name not in active]
    return found


def test_every_variable_given_to_the_app_is_a_setting():
    unknown = sorted(
        {f"{where}: {name}" for where, name, _value in assigned_settings() if not is_setting(name)}
    )
    assert not unknown, "not read by config/settings.py (typo or stale setting?): " + ", ".join(unknown)


def test_every_setting_is_documented_in_env_example():
    app, _compose_only, _active = env_example()
    missing = sorted(set(SETTINGS) - set(app))
    assert not missing, "document these settings in deploy/.env.example: " + ", ".join(missing)


def test_no_text_setting_is_set_to_an_empty_string_that_changes_its_default():
    # env_str returns "" for NAME="" (os.environ.get), which is not the default: e.g. STATIC_ROOT="" would collect
    # static files into the code folder and CELERY_BROKER_URL="" would fall back to amqp://localhost.
    bad = sorted(
        {
            f"{where}: {name}"
            for where, name, value in assigned_settings()
            if not where.endswith("(commented)") and value == "" and empty_is_unsafe(name)
        }
    )
    assert not bad, "empty values that override a non-empty default: " + ", ".join(bad)


def test_compose_interpolations_are_declared_in_env_example():
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))
    _app, compose_only, _active = env_example()
    assert used == set(compose_only), (
        f"compose.yaml uses {sorted(used)}, .env.example declares {sorted(compose_only)}"
    )
    assert not (set(compose_only) & set(SETTINGS)), "compose-only variables must not shadow settings"


def test_env_example_gives_a_production_configuration_that_passes_check_deploy(tmp_path):
    app, _compose_only, active = env_example()
    env = {key: value for key, value in os.environ.items() if not is_setting(key)}
    env.update({name: app[name] for name in active if name in app})
    env["SECRET_KEY"] = "x7" + "Qm9vZ2llLXdvb2dpZS1zZWNyZXQta2V5LWZvci10aGUtdGVzdC1vbmx5" * 2
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert env["PRODUCTION"] == "1" and env["DEBUG"] == "0"


# --- probes and processes -----------------------------------------------------------------------------------------
def test_health_endpoints_exist():
    assert resolve("/healthz").func is health.healthz
    assert resolve("/readyz").func is health.readyz


@pytest.mark.parametrize("name", ["maillage-web"])
def test_web_probes_use_healthz_and_readyz(name):
    container = deployment(name)["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    configmap = next(doc for _p, doc in k8s_documents() if doc["kind"] == "ConfigMap")
    allowed = configmap["data"]["ALLOWED_HOSTS"].split(",")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        headers = {h["name"]: h["value"] for h in container[probe]["httpGet"]["httpHeaders"]}
        # Django answers 400 to an unknown Host and 301 to plain HTTP in production.
        assert headers["Host"] in allowed
        assert headers["X-Forwarded-Proto"] == "https"
    assert "localhost" in env_example()[0]["ALLOWED_HOSTS"].split(",")


def test_every_http_probe_targets_a_health_endpoint():
    for owner, container in containers():
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            http = container.get(probe, {}).get("httpGet")
            if http:
                expected = "/readyz" if probe == "readinessProbe" else "/healthz"
                assert http["path"] == expected, f"{owner} {probe}"
                resolve(http["path"])


def test_pods_run_as_non_root_with_a_read_only_root_filesystem():
    for owner, spec in pod_specs():
        assert spec["securityContext"]["runAsNonRoot"] is True, owner
        assert spec["securityContext"]["runAsUser"] != 0, owner
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, owner
            assert context["readOnlyRootFilesystem"] is True, owner
            assert context["capabilities"]["drop"] == ["ALL"], owner
            assert "memory" in container["resources"]["limits"], owner
            assert "cpu" in container["resources"]["requests"], owner


def test_processes_and_scaling():
    web_args = deployment("maillage-web")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert web_args == dockerfile_instruction("CMD")
    worker = deployment("maillage-worker")["spec"]["template"]["spec"]["containers"][0]["args"]
    beat = deployment("maillage-beat")
    assert worker[:4] == ["celery", "-A", "config", "worker"]
    assert beat["spec"]["template"]["spec"]["containers"][0]["args"][:4] == ["celery", "-A", "config", "beat"]
    # Exactly one beat, and never two during a rollout.
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    scaled = {
        doc["spec"]["scaleTargetRef"]["name"]
        for _p, doc in k8s_documents()
        if doc["kind"] == "HorizontalPodAutoscaler"
    }
    assert scaled == {"maillage-web", "maillage-worker"}
    # deploy/README.md applies everything but these three first (migrations before the rollout).
    for name, component in (
        ("maillage-web", "web"),
        ("maillage-worker", "worker"),
        ("maillage-beat", "beat"),
    ):
        assert deployment(name)["metadata"]["labels"]["app.kubernetes.io/component"] == component
    job = next(doc for _p, doc in k8s_documents() if doc["kind"] == "Job")
    assert job["metadata"]["labels"]["app.kubernetes.io/component"] == "migrate"
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    assert "migrate" in (DEPLOY / "docker-entrypoint.sh").read_text(encoding="utf-8")
    services = compose()["services"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "deploy" not in services["beat"], "beat must not be replicated"
    from config.celery import app

    assert app.main == "maillage"


def test_ingress_supports_websockets_and_the_upload_limit():
    ingress = next(doc for _p, doc in k8s_documents() if doc["kind"] == "Ingress")
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    limit = size_in_bytes(annotations["nginx.ingress.kubernetes.io/proxy-body-size"])
    upload = int(env_example()[0]["UPLOAD_MAX_BYTES"])
    assert upload <= limit <= upload + 10 * 1024**2
    paths = [p["path"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert "/ws/" in paths or "/" in paths


# --- Dockerfile ---------------------------------------------------------------------------------------------------
def test_dockerfile_runs_daphne_on_config_asgi_as_non_root():
    text = dockerfile()
    command = dockerfile_instruction("ENTRYPOINT") + dockerfile_instruction("CMD")
    assert "config.asgi:application" in command
    assert command[command.index("/app/deploy/docker-entrypoint.sh") + 1] == "daphne"
    module, attribute = command[-1].split(":")
    assert module == "config.asgi" and attribute == "application"
    assert (ROOT / "config" / "asgi.py").is_file() and "application =" in (
        ROOT / "config" / "asgi.py"
    ).read_text()
    froms = re.findall(r"^FROM (\S+)(?: AS (\w+))?", text, flags=re.M)
    assert len(froms) >= 2, "multi-stage build expected"
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, flags=re.M)
    user = re.findall(r"^USER (\S+)", text, flags=re.M)
    assert user and user[-1].split(":")[0] not in {"0", "root"}
    assert "requirements.lock" in text and "collectstatic" in text
    assert re.search(r"SECRET_KEY=\S+ DEBUG=0 python manage.py collectstatic", text)
    healthcheck = re.search(r"^HEALTHCHECK .*CMD (\[.*\])", text, flags=re.M)
    assert healthcheck and "/healthz" in healthcheck.group(1)
    for copied in re.findall(r"/app/deploy/([\w.-]+)", text):
        assert (DEPLOY / copied).is_file(), copied


def test_entrypoint_passes_through_commands():
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.pop("DATABASE_URL", None)  # SQLite: nothing to wait for
    result = subprocess.run(
        [str(DEPLOY / "docker-entrypoint.sh"), "echo", "passed through"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "passed through"


def test_entrypoint_migrate_shortcut_migrates(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env["DATABASE_URL"] = f"sqlite:///{database}"
    result = subprocess.run(
        [str(DEPLOY / "docker-entrypoint.sh"), "migrate", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    import sqlite3

    with sqlite3.connect(database) as connection:
        applied = connection.execute(
            "SELECT count(*) FROM django_migrations WHERE app = 'federation'"
        ).fetchone()
    assert applied[0] >= 1


def test_healthcheck_script_reports_status(healthcheck_module):
    import http.server
    import threading

    seen = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 — http.server API
            seen["host"], seen["proto"] = self.headers["Host"], self.headers["X-Forwarded-Proto"]
            self.send_response(200 if self.path == "/healthz" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert healthcheck_module.main(["healthcheck.py", "/healthz"], base=base) == 0
        assert seen == {"host": "localhost", "proto": "https"}
        assert healthcheck_module.main(["healthcheck.py", "/readyz"], base=base) == 1
    finally:
        server.shutdown()
        server.server_close()
    assert healthcheck_module.main(["healthcheck.py", "/healthz"], base=base) == 1  # nothing listening


@pytest.fixture
def healthcheck_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("deploy_healthcheck", DEPLOY / "healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_static_files_referenced_by_templates_are_collected():
    # The image collects static files with ManifestStaticFilesStorage, which raises (HTTP 500) on a
    # {% static %} path it did not collect.
    missing = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        for path in re.findall(r"{%\s*static\s+['\"]([^'\"]+)['\"]", template.read_text(encoding="utf-8")):
            if not finders.find(path):
                missing.append(f"{template.relative_to(ROOT)}: {path}")
    assert not missing, missing


# --- nginx ---------------------------------------------------------------------------------------------------------
def test_nginx_proxies_websockets_on_ws():
    config = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert re.search(r"map \$http_upgrade \$connection_upgrade\s*{", config)
    ws = nginx_block(config, "location /ws/ {")
    assert "proxy_pass http://maillage_web;" in ws
    assert re.search(r"proxy_set_header Upgrade \$http_upgrade;", ws)
    assert re.search(r"proxy_set_header Connection \$connection_upgrade;", ws)
    assert re.search(r"proxy_http_version 1\.1;", config)
    timeout = re.search(r"proxy_read_timeout (\d+)s;", ws)
    assert timeout and int(timeout.group(1)) >= 3600
    # A location that sets proxy_set_header loses the server-level ones: the client address must be repeated.
    assert "proxy_set_header X-Real-IP $remote_addr;" in ws and "proxy_set_header Host $host;" in ws
    upstream = nginx_block(config, "upstream maillage_web {")
    assert re.search(r"server web:8000\b", upstream) and "web" in compose()["services"]


def test_nginx_static_media_body_size_and_headers():
    config = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    limit = re.search(r"client_max_body_size (\w+);", config)
    upload = int(env_example()[0]["UPLOAD_MAX_BYTES"])
    assert limit and upload <= size_in_bytes(limit.group(1)) <= upload + 10 * 1024**2
    static = nginx_block(config, "location /static/ {")
    assert "alias /srv/static/;" in static and "immutable" in static
    # Uploaded files are never read from disk by a public location: only via the app (or X-Accel internally).
    media = nginx_block(config, "location /media/ {")
    assert "alias" not in media and "root" not in media and "proxy_pass" in media
    protected = nginx_block(config, "location /_protected_media/ {")
    assert "internal;" in protected and "no-store" in protected
    for header in (
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "Permissions-Policy",
        "Referrer-Policy",
    ):
        assert header in config
    # Django sets the security headers of proxied responses: nginx must not repeat them there.
    for header in ("location / {", "location /ws/ {", "location /media/ {", "location = /accounts/login/ {"):
        assert "add_header" not in nginx_block(config, header), header
    assert re.search(r"error_page 502 503 504 =503 /_unavailable;", config)
    assert "gzip on;" in config and "server_tokens off;" in config
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
    static_mounts = compose()["services"]["nginx"]["volumes"]
    assert (
        "static:/srv/static:ro" in static_mounts and "./nginx.conf:/etc/nginx/nginx.conf:ro" in static_mounts
    )


# --- shell scripts -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("script", sorted(DEPLOY.glob("*.sh")), ids=lambda p: p.name)
def test_shell_scripts_parse_and_are_strict(script):
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert os.access(script, os.X_OK), f"{script.name} is not executable"
    if shutil.which("shellcheck"):
        lint = subprocess.run(
            ["shellcheck", "--severity=warning", str(script)], capture_output=True, text=True
        )
        assert lint.returncode == 0, lint.stdout


def test_compose_commands_are_exec_form():
    for name, service in compose()["services"].items():
        for key in ("command", "entrypoint"):
            value = service.get(key)
            assert value is None or isinstance(value, list), f"{name}.{key}: use a list (exec form)"


# --- the image's command, run for real --------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_dockerfile_command_serves_health_probes_in_production_mode(tmp_path, healthcheck_module):
    """The exact CMD of the image (port and interface aside) starts daphne, the probes pass with production
    settings (HTTPS redirect, strict ALLOWED_HOSTS), and SIGTERM stops it promptly."""
    import signal
    import time

    port = free_port()
    command = [
        arg.replace("port=8000", f"port={port}").replace("interface=0.0.0.0", "interface=127.0.0.1")
        for arg in dockerfile_instruction("CMD")
    ]
    command[0] = str(Path(sys.executable).parent / command[0])
    env = {key: value for key, value in os.environ.items() if not is_setting(key)}
    env.update(
        PRODUCTION="1",
        DEBUG="0",
        SECRET_KEY="probe-test-" + "k" * 50,
        ALLOWED_HOSTS="maillage.example.org,localhost",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while healthcheck_module.main(["healthcheck.py", "/healthz"], base=base) != 0:
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "daphne did not answer /healthz within 60 s"
            time.sleep(0.3)
        assert healthcheck_module.main(["healthcheck.py", "/readyz"], base=base) == 0
        # Without the probe's headers production Django refuses the request: the headers matter.
        import urllib.error
        import urllib.request

        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/healthz", timeout=5)  # Host: 127.0.0.1:<port>
        assert refused.value.code == 400
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("daphne ignored SIGTERM for 15 s")
