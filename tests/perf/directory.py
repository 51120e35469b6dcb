"""Directory benchmark: national-scale import and search latency. Prints JSON.

    .venv/bin/python tests/perf/directory.py [--rows 1200000] [--queries 1000]

With DATABASE_URL (PostgreSQL), a separate database `<name>_bench_directory` is created on that server,
migrated, filled and dropped at the end (--keep keeps it). Without it, a temporary SQLite file is used.

Steps: generate an extraction file of N professionals in the national format (≈15 % with a second
activity), import it with `import_rpps` (the command, in-process, search index included), then run a
fixed mix of queries (names with/without accents, typos, profession + commune, radius, facets) three
ways: over HTTP against a daphne server (token auth), directly against the search backend, and as the
equivalent raw SQL: one hand-written statement giving what the API answers (the page, the total counted
up to SEARCH_COUNT_CAP, the facet counts). The page alone is also timed (`raw_sql_page_only`).

On PostgreSQL the import's CPU is split between the importing process and the server (`cpu_s`, and per
line), and the rows it wrote are replayed as ready-made COPY into an empty copy of the schema
(`import_floor`, skipped with --no-floor): the database's share alone, without which no importer can do.
The rate target is a ratio measured in the same run: the import at least 50 % of the floor's rate
(`import_over_copy_floor`); `import_target_budget` is the CPU per line that target leaves on this machine's
cores.

To iterate on queries: build once with --keep, then run only the queries on that database with
--reuse-db <name>_bench_directory (same --rows and --departments: the query mix is drawn from the same
generated people; the database is migrated first, never dropped).
"""

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_DEPARTMENTS = "34,30,13,69,75,31,33,59,67,06,44,35"


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_200_000, help="professionals to generate")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--departments", default=DEFAULT_DEPARTMENTS, help="départements whose communes are used"
    )
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--reuse-db",
        metavar="NAME",
        default="",
        help="PostgreSQL: run only the queries on a database kept by an earlier --keep run (same --rows,"
        " --departments); it is migrated first, never dropped",
    )
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP path")
    parser.add_argument("--no-raw-sql", dest="raw_sql", action="store_false", help="skip the raw SQL")
    parser.add_argument("--kinds", default="", help="only these kinds of the mix (comma-separated)")
    parser.add_argument(
        "--slowest",
        type=int,
        default=0,
        metavar="N",
        help="also print each kind's N slowest backend searches (parameters, ms, statements)",
    )
    parser.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="PostgreSQL: skip replaying the imported rows as ready-made COPY (`replay_floor`)",
    )
    return parser.parse_args()


def setup_database(args) -> tuple[str, callable]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        handle, path = tempfile.mkstemp(prefix="bench-directory-", suffix=".sqlite3")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return os.environ["DATABASE_URL"], lambda: os.path.exists(path) and os.unlink(path)
    import psycopg

    parsed = urlparse(url)
    if args.reuse_db:
        os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{args.reuse_db}"))
        return os.environ["DATABASE_URL"], lambda: None
    name = parsed.path.lstrip("/") + "_bench_directory"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    bench_url = urlunparse(parsed._replace(path=f"/{name}"))
    os.environ["DATABASE_URL"] = bench_url

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return bench_url, drop


class RssSampler(threading.Thread):
    """Samples this process' resident memory every 0.2 s."""

    def __init__(self):
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process()
        self.samples: list[tuple[float, int]] = []
        self.running = True

    def run(self):
        while self.running:
            self.samples.append((time.monotonic(), self.process.memory_info().rss))
            time.sleep(0.2)

    def stop(self) -> dict:
        self.running = False
        self.join()
        values = [rss for _t, rss in self.samples] or [0]
        quarter = max(1, len(values) // 4)
        mb = 1024 * 1024
        return {
            "peak_rss_mb": round(max(values) / mb, 1),
            "rss_mb_at_25_50_75_100_pct": [
                round(values[min(len(values) - 1, quarter * i)] / mb, 1) for i in (1, 2, 3)
            ]
            + [round(values[-1] / mb, 1)],
        }


def calibration_ms() -> float:
    """A fixed pure-Python workload, timed (best of three): this machine's speed at the time of the run.
    Shared machines vary (seen here: 1.0 to 2.0 s for the same loop within an hour), so figures of runs
    made at different times compare only together with this one."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        table: dict[int, str] = {}
        for n in range(2_000_000):
            table[n % 50_000] = str(n)
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)


def postgres_cpu_seconds() -> float | None:
    """CPU time used so far by the local PostgreSQL server's processes (None if not readable here).
    Backends that have exited count too: the postmaster reaps them, so their time is in its children's."""
    import psutil

    total, found = 0.0, False
    for process in psutil.process_iter(["name", "cpu_times"]):
        if process.info["name"] == "postgres" and process.info["cpu_times"]:
            times = process.info["cpu_times"]
            total += times.user + times.system + times.children_user + times.children_system
            found = True
    return total if found else None


# Run apart (not to add to the importer's CPU): sums the CPU of the PostgreSQL processes serving one
# database (backends, autovacuum workers), sampled every 0.2 s until stdin closes, then printed.
_DATABASE_CPU = """
import json, sys, threading, psutil
name, seen, base, done = sys.argv[1], {}, None, threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
while True:
    last = done.is_set()
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            title = " ".join(process.info["cmdline"] or []).split()
            if process.info["name"] == "postgres" and name in title:
                times = process.cpu_times()
                seen[process.pid] = times.user + times.system
        except psutil.Error:
            pass
    if base is None:  # the processes already there count from now on
        base = dict(seen)
        print("ready", flush=True)
    if last:
        break
    done.wait(0.2)
print(json.dumps(sum(used - base.get(pid, 0.0) for pid, used in seen.items())))
"""


class DatabaseCpu:
    """CPU used by the PostgreSQL processes of one database from now to `stop()` (seconds; None if not
    readable here). Unlike `postgres_cpu_seconds`, other databases' work on a shared server is left
    out; a backend's last 0.2 s before it exits may be missed."""

    def __init__(self, database: str):
        self.process = subprocess.Popen(
            [sys.executable, "-c", _DATABASE_CPU, database],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.process.stdout.readline()  # the first sample is taken

    def stop(self) -> float | None:
        out, _err = self.process.communicate("")
        try:
            return float(out)
        except ValueError:
            return None


def replay_floor(url: str, lines: int, batch_size: int) -> dict:
    """PostgreSQL's share alone: the rows the import wrote, replayed as ready-made COPY text into an empty
    copy of the schema (constraints, indexes and generated columns included), on two connections in
    batches of `batch_size` professionals, one transaction each, as the importer writes. No parsing, no
    lookups, no statistics: what any importer written against this schema would at least cost."""
    from collections import defaultdict

    import psycopg

    parsed = urlparse(url)
    source = parsed.path.lstrip("/")
    target = f"{source}_floor"
    admin = urlunparse(parsed._replace(path="/postgres"))
    target_url = urlunparse(parsed._replace(path=f"/{target}"))
    tables = {
        "professional": "directory_professional",
        "site": "directory_practicesite",
        "link": "directory_professional_specialties",
        "structure": "directory_structure",
        "document": "search_searchdocument",
        "word": "search_searchword",
        "place": "search_searchplace",
        "point": "search_searchpoint",
    }
    with psycopg.connect(url) as conn:

        def columns(table: str) -> list[str]:
            cursor = conn.execute(f"SELECT * FROM {table} LIMIT 0")
            # Generated columns (tsv, tags_arr) are computed again on the way in.
            generated = {
                name
                for (name,) in conn.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attgenerated <> ''",
                    [table],
                )
            }
            return [c.name for c in cursor.description if c.name not in generated]

        def dump(sql: str) -> list[bytes]:
            with conn.cursor().copy(f"COPY ({sql}) TO STDOUT") as copy:
                return b"".join(bytes(block) for block in copy).splitlines(keepends=True)

        cols = {key: columns(table) for key, table in tables.items()}
        listed = {key: ", ".join(f'"{c}"' for c in names) for key, names in cols.items()}
        by_professional: dict[str, dict[int, list[bytes]]] = {}
        for key, owner in (("site", "professional_id"), ("link", "professional_id")):
            rows = defaultdict(list)
            for row in dump(f"SELECT {owner}, {listed[key]} FROM {tables[key]} ORDER BY id"):
                owner_id, rest = row.split(b"\t", 1)
                rows[int(owner_id)].append(rest)
            by_professional[key] = rows
        # A professional's other practice sites (SearchPoint rows of their document).
        points = defaultdict(list)
        point_columns = ", ".join(f'sp."{c}"' for c in cols["point"])
        for row in dump(
            f"SELECT d.object_id, {point_columns} FROM {tables['point']} sp"
            f" JOIN {tables['document']} d ON d.id = sp.document_id WHERE d.kind = 'professional'"
        ):
            owner_id, rest = row.split(b"\t", 1)
            points[int(owner_id)].append(rest)
        documents = defaultdict(list)
        for row in dump(
            f"SELECT object_id, {listed['document']} FROM {tables['document']} WHERE kind = 'professional'"
        ):
            owner_id, rest = row.split(b"\t", 1)
            documents[int(owner_id)].append(rest)
        professionals = dump(f"SELECT {listed['professional']} FROM {tables['professional']} ORDER BY id")
        structures = dump(f"SELECT {listed['structure']} FROM {tables['structure']} ORDER BY id")
        structure_documents = dump(
            f"SELECT {listed['document']} FROM {tables['document']} WHERE kind = 'structure' ORDER BY object_id"
        )
        words = dump(f"SELECT {listed['word']} FROM {tables['word']}")
        places = dump(f"SELECT {listed['place']} FROM {tables['place']}")
    ids = [int(row.split(b"\t", 1)[0]) for row in professionals]
    batches = []
    count = max(1, -(-len(professionals) // batch_size))
    for n in range(count):
        chunk = ids[n * batch_size : (n + 1) * batch_size]
        batches.append(
            {
                "professional": professionals[n * batch_size : (n + 1) * batch_size],
                "site": [r for pk in chunk for r in by_professional["site"].get(pk, ())],
                "link": [r for pk in chunk for r in by_professional["link"].get(pk, ())],
                "document": [r for pk in chunk for r in documents.get(pk, ())],
                "point": [r for pk in chunk for r in points.get(pk, ())],
                "word": words[n * len(words) // count : (n + 1) * len(words) // count],
                "place": places[n * len(places) // count : (n + 1) * len(places) // count],
            }
        )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    try:
        with psycopg.connect(target_url, autocommit=True) as conn:
            conn.execute("TRUNCATE " + ", ".join(tables.values()) + " CASCADE")

        def copy(cursor, key: str, rows: list[bytes]) -> None:
            if rows:
                with cursor.copy(f"COPY {tables[key]} ({listed[key]}) FROM STDIN") as out:
                    out.write(b"".join(rows))

        def write(mine: list[dict]) -> None:
            with psycopg.connect(target_url) as conn:
                conn.execute("SET synchronous_commit = off")
                conn.execute("SET gin_pending_list_limit = 65536")
                conn.commit()
                for batch in mine:
                    with conn.transaction():
                        cursor = conn.cursor()
                        for key in ("professional", "site", "link", "document", "point", "word", "place"):
                            copy(cursor, key, batch[key])

        own = DatabaseCpu(target)
        cpu, started = postgres_cpu_seconds(), time.monotonic()
        # Structures first (the sites refer to them), then the professionals on two connections.
        with psycopg.connect(target_url) as conn, conn.transaction():
            copy(conn.cursor(), "structure", structures)
            copy(conn.cursor(), "document", structure_documents)
        threads = [threading.Thread(target=write, args=(batches[n::2],)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        after = postgres_cpu_seconds()
        mine = own.stop()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    used = None if cpu is None or after is None else after - cpu
    return {
        "seconds": round(elapsed, 1),
        "lines_per_s": round(lines / elapsed),
        "postgresql_cpu_s": None if used is None else round(used, 1),
        "postgresql_cpu_us_per_line": None if used is None else round(used / lines * 1e6, 1),
        "cores_busy": None if used is None else round(used / elapsed, 2),
        # The floor database's processes only (the figures above count every database of the server).
        "this_database_cpu_us_per_line": None if mine is None else round(mine / lines * 1e6, 1),
        "this_database_cores_busy": None if mine is None else round(mine / elapsed, 2),
    }


def generate(path: str, rows: int, communes: list, seed: int = 1200) -> tuple[int, list[dict]]:
    """Write the extraction; return the line count and a sample of people for the query mix."""
    from faker.providers.person.fr_FR import Provider

    from directory.extraction import PROFESSIONS, SPECIALTIES_BY_PROFESSION, header_line, person_line

    rng = random.Random(seed)
    firsts = (
        list(Provider.first_names_female)
        + list(Provider.first_names_male)
        + ["Hélène", "Zoé", "Loïc", "Anaïs"]
    )
    lasts = list(Provider.last_names) + ["Lefèvre", "Lefebvre", "Bénard", "Géraud", "Nguyễn", "Öztürk"]
    weights = {"60": 30, "10": 24, "70": 15, "21": 9, "40": 6, "91": 4, "50": 3, "80": 2, "96": 3, "92": 1}
    professions, pweights = list(weights), list(weights.values())
    cweights = [max(pop, 50) for *_x, pop in communes]
    sample: list[dict] = []
    lines = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(header_line(["Code fonction", "Libellé fonction"]))
        for n in range(rows):
            last = rng.choice(lasts)
            if rng.random() < 0.3:
                last = f"{last}-{rng.choice(lasts)}"
            first = rng.choice(firsts)
            profession = rng.choices(professions, pweights)[0]
            adeli = profession in ("96",) or rng.random() < 0.03
            identifier = f"{n:09d}" if adeli else f"1{n:010d}"
            specialties = SPECIALTIES_BY_PROFESSION.get(profession)
            specialty = rng.choice(specialties) if specialties else None
            sites = [rng.choices(communes, cweights)[0]]
            if rng.random() < 0.15:
                sites.append(rng.choices(communes, cweights)[0])
            for commune in sites:
                code, name, postal, _pop = commune
                # A structure's own data is the same on every line that names it, as in the real file.
                number = rng.randint(0, 40)
                place = random.Random(f"{code}-{number}")
                out.write(
                    person_line(
                        id_type="0" if adeli else "8",
                        identifier=identifier,
                        last_name=last.upper(),
                        first_name=first,
                        profession=profession,
                        specialty=specialty,
                        structure_id=f"B{code}{number:03d}",
                        company=f"Cabinet {place.choice(lasts)}",
                        street=f"{place.randint(1, 99)} rue de la République",
                        postal_code=(postal or "").split(" ")[0],
                        commune_code=code,
                        commune_name=name.upper(),
                        phone=f"0{place.randint(100000000, 999999999)}",
                        extra_values=["", ""],
                    )
                )
                lines += 1
            if n % max(1, rows // 400) == 0:
                sample.append(
                    {
                        "first": first,
                        "last": last,
                        "profession": profession,
                        "commune": sites[0][:2],
                        "postal": (sites[0][2] or "").split(" ")[0],
                        "second": sites[1][:2] if len(sites) > 1 else None,
                        "national_id": ("0" if adeli else "8") + identifier,
                        "label": PROFESSIONS[profession],
                    }
                )
    return lines, sample


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]


# Phrasings added by issue 15 (the raw SQL reference covers them too).
ISSUE_15_KINDS = {
    "stop_words",
    "plural",
    "title_name",
    "postal_code",
    "national_id",
    "partial",
    "second_site",
}


def query_mix(sample: list[dict], count: int, seed: int = 7) -> list[tuple[str, dict]]:
    from search.text import fold

    rng = random.Random(seed)
    short = {
        "70": "kiné",
        "60": "IDE",
        "10": "médecin",
        "50": "sage femme",
        "21": "pharmacien",
        "91": "ortho",
    }
    plural = {"70": "kinés", "60": "infirmières", "10": "médecins", "50": "sages-femmes", "21": "pharmaciens"}
    mix = []
    for i in range(count):
        person = sample[i % len(sample)]
        kind = i % 11
        word = short.get(person["profession"], person["label"])
        if kind == 0:
            mix.append(("name_accents", {"q": f"{person['first']} {person['last']}"}))
        elif kind == 1:
            mix.append(("name_folded", {"q": fold(f"{person['first']} {person['last']}")}))
        elif kind == 2:
            mix.append(
                ("name_typo", {"q": f"{typo(fold(person['first']), rng)} {typo(fold(person['last']), rng)}"})
            )
        elif kind == 3:
            mix.append(("profession_commune", {"q": f"{word} {person['commune'][1]}"}))
        elif kind == 4:
            mix.append(("radius", {"near": person["commune"][0], "radius": rng.choice([5, 10, 20])}))
        elif kind == 5:
            mix.append(
                (
                    "facets",
                    {"q": short.get(person["profession"], "médecin"), "profession": person["profession"]},
                )
            )
        # Issue 15's phrasings: stop words around a place, plurals, titles, postal codes, national ids,
        # partial matches (not every word found), second practice sites.
        elif kind == 6:
            mix.append(("stop_words", {"q": f"{word} à {person['commune'][1]}"}))
        elif kind == 7:
            mix.append(("plural", {"q": f"{plural.get(person['profession'], word)} {person['commune'][1]}"}))
        elif kind == 8:
            choice = i % 3
            if choice == 0:
                mix.append(("title_name", {"q": f"dr {fold(person['last'])}"}))
            elif choice == 1 and person["postal"]:
                mix.append(("postal_code", {"q": f"{word} {person['postal']}"}))
            else:
                mix.append(("national_id", {"q": person["national_id"]}))
        elif kind == 9:
            mix.append(("partial", {"q": f"{word} à domicile {person['commune'][1]}"}))
        else:
            place = person["second"] or person["commune"]
            mix.append(("second_site", {"q": word, "near": place[0], "radius": 5}))
    return mix


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)

    def pick(p):
        return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 2)

    return {
        "n": len(values),
        "p50_ms": pick(50),
        "p95_ms": pick(95),
        "p99_ms": pick(99),
        "mean_ms": round(statistics.fmean(values), 2),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_http(mix, token: str) -> tuple[dict, dict]:
    import http.client

    port = free_port()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings",
        API_THROTTLE_USER="100000000/hour",
        LOG_LEVEL="ERROR",
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        for _name, params in mix[:20]:  # warm-up (caches, connections)
            conn.request("GET", "/api/directory/search/?" + urlencode(params), headers=headers)
            conn.getresponse().read()
        # The floor of the HTTP path: an unauthenticated health check (daphne, middleware, no query).
        floor = []
        for _ in range(200):
            started = time.perf_counter()
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            floor.append((time.perf_counter() - started) * 1000)
        timings: dict[str, list[float]] = {}
        errors = 0
        for name, params in mix:
            started = time.perf_counter()
            conn.request("GET", "/api/directory/search/?" + urlencode(params), headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                errors += 1
            timings.setdefault(name, []).append(elapsed)
        return timings, {"errors": errors, "healthz_p50_ms": percentiles(floor)["p50_ms"]}
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_backend(mix, user, slowest: dict | None = None) -> dict:
    """Each search of the mix timed in-process. With `slowest` (a dict), also every search's parameters,
    time and statement count per kind, slowest first (statements are counted from the next pass on, so
    that the first pass is timed without the wrapper)."""
    from django.db import connection

    from directory.search_index import SPEC
    from directory.selectors.search import build_query
    from search.backends import get_backend

    backend = get_backend()
    timings: dict[str, list[float]] = {}
    for name, params in mix:
        started = time.perf_counter()
        # Same parameters as the API after validation (list filters are lists there).
        validated = {
            k: [v] if k in ("profession", "specialty", "cpts", "commune", "mode") else v
            for k, v in params.items()
        }
        query = build_query({"page": 1, "page_size": 20, **validated}, user)
        backend.search(SPEC, query)
        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    if slowest is not None:
        statements: list[int] = []

        def count(execute, sql, params, many, context):
            statements[-1] += 1
            return execute(sql, params, many, context)

        rows: dict[str, list] = {}
        with connection.execute_wrapper(count):
            for _name, params in mix:
                statements.append(0)
                validated = {
                    k: [v] if k in ("profession", "specialty", "cpts", "commune", "mode") else v
                    for k, v in params.items()
                }
                backend.search(SPEC, build_query({"page": 1, "page_size": 20, **validated}, user))
        position: dict[str, int] = {}
        for (name, params), n in zip(mix, statements, strict=True):
            index = position[name] = position.get(name, -1) + 1
            rows.setdefault(name, []).append(
                {"params": params, "ms": round(timings[name][index], 1), "statements": n}
            )
        for name, found in rows.items():
            slowest[name] = sorted(found, key=lambda row: -row["ms"])
    return timings


# The answer the API gives, in one hand-written statement: the page, the number of matches (counted up to
# the API's cap, SEARCH_COUNT_CAP) and the facet counts over those matches.
EQUIVALENT_SQL = (
    "WITH m AS MATERIALIZED ({matches})"
    " SELECT (SELECT count(*) FROM m),"
    " (SELECT json_agg(p) FROM (SELECT kind, object_id, title, subtitle, latitude, longitude, score"
    " FROM m ORDER BY {order} LIMIT 20) p),"
    " (SELECT json_agg(f) FROM (SELECT t, count(*) FROM m, unnest(m.tags_arr) t"
    " WHERE split_part(t, ':', 1) = ANY(%s) GROUP BY t) f)"
)
COLUMNS = "kind, object_id, title, subtitle, latitude, longitude, tags_arr"
# Without a place: the text (and filter) matches, up to the cap; approximate: those matching most words.
TEXT_MATCHES = (
    "SELECT " + COLUMNS + ", {score} AS score, NULL::float8 AS distance"
    " FROM search_searchdocument d WHERE index = 'directory'{text}{filters}{collect} LIMIT %s"
)
# Around a place: a document counts through its own place or any other practice site (SearchPoint),
# measured from the nearest; within the radius, or in the communes of a postal code.
NEAR_MATCHES = (
    "SELECT * FROM (SELECT " + COLUMNS + ", {score} AS score,"
    " least({distance}, coalesce((SELECT min({point_distance}) FROM search_searchpoint sp"
    " WHERE sp.document_id = d.id), 'Infinity'::float8)) AS distance"
    " FROM search_searchdocument d WHERE index = 'directory' AND latitude IS NOT NULL{text}{filters}{box}) s"
    "{within} ORDER BY distance LIMIT %s"
)
BOX = (
    " AND ((latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s)"
    " OR d.id = ANY(ARRAY(SELECT sp.document_id FROM search_searchpoint sp WHERE sp.index = 'directory'"
    " AND sp.latitude BETWEEN %s AND %s AND sp.longitude BETWEEN %s AND %s)))"
)
# The grid cells covering the circle, words of the tsvector for every place of a document (search
# migration 0008): the text and the place in one read of the GIN index.
CELLS = " AND tsv @@ to_tsquery('simple', %s)"


def equivalent_statement(name: str, params: dict) -> tuple[str, list]:
    """The hand-written statement answering `params` as the API does (read as the API reads them:
    stop words, plurals, titles, places, postal codes and identifiers by the same planner)."""
    from django.conf import settings

    from directory.search_index import SPEC
    from search import places
    from search.backends.base import approximate, bounding_box, plan_query, vocabulary
    from search.backends.database import SQL_DISTANCE, _group_tsqueries, _tsquery
    from search.query import SearchQuery
    from search.text import cells_in_box

    limit = settings.SEARCH_COUNT_CAP + 1
    near = places.named_place(params["near"]) if params.get("near") else None
    plan = plan_query(SPEC, SearchQuery(text=params.get("q", ""), near=near, radius_km=params.get("radius")))
    if name == "partial":  # not every word matches (the API finds that out first): ranked by words matched
        plan = approximate(plan) or plan
    joiner = " | " if plan.approximate else " & "
    tsquery = _tsquery(plan.groups, SPEC.synonyms, vocabulary(SPEC).complete, joiner) if plan.groups else ""
    text, text_params = (" AND tsv @@ to_tsquery('french', %s)", [tsquery]) if tsquery else ("", [])
    if plan.approximate:
        groups = _group_tsqueries(plan, SPEC)
        score = "(" + " + ".join("(tsv @@ to_tsquery('french', %s))::int" for _g in groups) + ")"
        score_params = groups
    elif tsquery:
        score, score_params = "ts_rank(tsv, to_tsquery('french', %s))", [tsquery]
    else:
        score, score_params = "0.0::real", []
    tags = []
    if params.get("profession"):
        tags.append([f"profession:{params['profession']}"])
    if plan.place is not None and plan.place.communes:
        tags.append([f"commune:{c}" for c in plan.place.communes])
    if plan.identifiers:
        tags.append([f"id:{i}" for i in plan.identifiers])
    filters = "".join(" AND tags_arr && %s::text[]" for _t in tags)
    if plan.place is None:
        sql = TEXT_MATCHES.format(
            score=score,
            text=text,
            filters=filters,
            collect=" ORDER BY score DESC" if plan.approximate else "",
        )
        return sql, [*score_params, *text_params, *tags, limit]
    place, radius = plan.place, plan.radius_km
    point = [place.latitude, place.latitude, place.longitude]
    box, box_params, within, within_params = "", [], "", []
    if radius:
        south, north, west, east = bounding_box(place, radius)
        # Without text the box read is the cheaper one (every document of the cells would be read).
        cells = cells_in_box(south, north, west, east) if tsquery else None
        if cells:
            box, box_params = CELLS, [" | ".join(cells)]
        else:
            box, box_params = BOX, [south, north, west, east] * 2
        within, within_params = " WHERE distance <= %s", [radius]
    sql = NEAR_MATCHES.format(
        score=score,
        distance=SQL_DISTANCE.format(alias="d"),
        point_distance=SQL_DISTANCE.format(alias="sp"),
        text=text,
        filters=filters,
        box=box,
        within=within,
    )
    if plan.approximate:
        sql = sql.replace(" ORDER BY distance LIMIT", " ORDER BY score DESC, distance LIMIT")
    return sql, [*score_params, *point, *point, *text_params, *tags, *box_params, *within_params, limit]


def run_raw_sql(mix, *, page_only: bool = False) -> dict:
    """The equivalent hand-written SQL, one statement per query (PostgreSQL only): the page, the total
    and the facet counts, as the API answers, for every kind of the mix. With `page_only`, the page alone
    (what session 2 measured: no counting, no facets except for the facet queries; original kinds only),
    printed for comparison."""
    from django.db import connection

    from directory.search_index import SPEC

    if connection.vendor != "postgresql":
        return {}
    facets = list(SPEC.facets)
    timings: dict[str, list[float]] = {}
    with connection.cursor() as cursor:
        for name, params in mix:
            if page_only and name in ISSUE_15_KINDS:
                continue
            started = time.perf_counter()
            if page_only:
                _page_only_sql(cursor, name, params)
            else:
                matches, args = equivalent_statement(name, params)
                order = "score DESC" if " distance LIMIT" not in matches else "distance"
                if "ORDER BY score DESC, distance LIMIT" in matches:
                    order = "score DESC, distance"
                cursor.execute(EQUIVALENT_SQL.format(matches=matches, order=order), [*args, facets])
            cursor.fetchall()
            timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return timings


def _page_only_sql(cursor, name: str, params: dict) -> None:
    from directory.search_index import SPEC
    from search import places
    from search.backends.base import bounding_box, plan_query, vocabulary
    from search.backends.database import SQL_DISTANCE, _tsquery
    from search.query import SearchQuery

    if name == "radius":
        place = places.commune_place(params["near"])
        south, north, west, east = bounding_box(place, params["radius"])
        distance = SQL_DISTANCE.format(alias="search_searchdocument")
        cursor.execute(
            f"SELECT * FROM (SELECT kind, object_id, title, {distance} AS distance FROM search_searchdocument"
            " WHERE index = 'directory' AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s) s"
            " WHERE distance <= %s ORDER BY distance LIMIT 20",
            [place.latitude, place.latitude, place.longitude, south, north, west, east, params["radius"]],
        )
        return
    plan = plan_query(SPEC, SearchQuery(text=params["q"]))
    tsquery = _tsquery(plan.groups, SPEC.synonyms, vocabulary(SPEC).complete)
    if name == "facets":
        cursor.execute(
            "SELECT t, count(*) FROM (SELECT tags_arr FROM search_searchdocument, to_tsquery('french', %s) q"
            " WHERE index = 'directory' AND tsv @@ q AND tags_arr && %s::text[] LIMIT 10001) m,"
            " unnest(m.tags_arr) t WHERE split_part(t, ':', 1) = ANY(%s) GROUP BY t",
            [tsquery, [f"profession:{params['profession']}"], list(SPEC.facets)],
        )
    elif plan.place is not None:
        south, north, west, east = bounding_box(plan.place, plan.radius_km)
        cursor.execute(
            "SELECT kind, object_id, title FROM search_searchdocument, to_tsquery('french', %s) q"
            " WHERE index = 'directory' AND tsv @@ q AND latitude BETWEEN %s AND %s"
            " AND longitude BETWEEN %s AND %s LIMIT 20",
            [tsquery, south, north, west, east],
        )
    else:
        cursor.execute(
            "SELECT kind, object_id, title FROM search_searchdocument, to_tsquery('french', %s) q"
            " WHERE index = 'directory' AND tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20",
            [tsquery],
        )


def summarise(timings: dict) -> dict:
    everything = [v for values in timings.values() for v in values]
    return {
        "all": percentiles(everything),
        **{name: percentiles(values) for name, values in sorted(timings.items())},
    }


def build(args, url: str, result: dict) -> list[dict]:
    """Territories, the generated extraction, its import (and the COPY floor): the sample of people the
    query mix is made from."""
    from django.core.management import call_command
    from django.db import connection

    from federation.models import Commune
    from federation.reference_data import load_departments

    started = time.monotonic()
    load_departments([d for d in args.departments.split(",") if d])
    communes = list(
        Commune.objects.filter(latitude__isnull=False)
        .order_by("insee_code")
        .values_list("insee_code", "name", "postal_codes", "population")
    )
    result["communes"] = len(communes)
    result["territories_s"] = round(time.monotonic() - started, 1)

    handle, path = tempfile.mkstemp(prefix="PS_LibreAcces_Personne_activite_bench_", suffix=".txt")
    os.close(handle)
    try:
        started = time.monotonic()
        lines, sample = generate(path, args.rows, communes)
        result["generate_s"] = round(time.monotonic() - started, 1)
        result["file_mb"] = round(os.path.getsize(path) / 1e6, 1)
        result["lines"] = lines

        sampler = RssSampler()
        sampler.start()
        database_cpu = DatabaseCpu(connection.settings_dict["NAME"])
        pg_cpu, own_cpu = postgres_cpu_seconds(), time.process_time()
        started = time.monotonic()
        call_command(
            "import_rpps",
            path,
            "--no-progress",
            "--batch-size",
            str(args.batch_size),
            stdout=open(os.devnull, "w"),
        )  # noqa: SIM115
        elapsed = time.monotonic() - started
        cpu = {"importer_process": round(time.process_time() - own_cpu, 1)}
        if pg_cpu is not None:
            cpu["postgresql"] = round(postgres_cpu_seconds() - pg_cpu, 1)
        this_database = database_cpu.stop()
        memory = sampler.stop()
    finally:
        os.unlink(path)
    from directory.models import ImportRun

    run = ImportRun.objects.order_by("-id").first()
    result["import"] = {
        "seconds": round(elapsed, 1),
        "lines_per_s": round(lines / elapsed),
        "professionals_per_s": round(args.rows / elapsed),
        "counts": run.counts,
        "memory": memory,
        "cpu_s": cpu,
        "cpu_us_per_line": {side: round(used / lines * 1e6, 1) for side, used in cpu.items()},
        "cores_busy": round(sum(cpu.values()) / elapsed, 2),
        "includes_search_indexing": True,
    }
    if this_database is not None and connection.vendor == "postgresql":
        # The bench database's processes only: on a shared server `postgresql` counts the others' too.
        result["import"]["postgresql_this_database"] = {
            "cpu_s": round(this_database, 1),
            "cpu_us_per_line": round(this_database / lines * 1e6, 1),
            "cores_busy_with_importer": round((cpu["importer_process"] + this_database) / elapsed, 2),
        }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        if args.floor:
            # The database is copied as a template: no session may use it, pooled ones included.
            connection.close()
            if connection.pool is not None:
                connection.close_pool()
            floor = result["import_floor"] = replay_floor(url, lines, args.batch_size)
            # The rate target (issue 15): at least half the COPY floor's rate, measured in the same run.
            result["import_over_copy_floor"] = round(
                result["import"]["lines_per_s"] / max(floor["lines_per_s"], 1), 3
            )
            cores = os.cpu_count() or 1
            result["import_target_budget"] = {
                "cores": cores,
                # What the target leaves for one line: all cores busy at half the floor's rate.
                "cpu_us_per_line_at_50pct_of_floor": round(cores * 1e6 / (floor["lines_per_s"] / 2), 1),
            }

    return sample


def sample_file(args, database: str) -> Path:
    """Where a --keep run leaves its sample for --reuse-db runs (generating it again takes minutes)."""
    return (
        Path(tempfile.gettempdir()) / f"maillage-bench-sample-{database}-{args.rows}-{args.departments}.json"
    )


def reused_sample(args) -> list[dict]:
    """The sample of a kept database's run: saved by that run, else the same generator, seed and communes."""
    from federation.models import Commune

    saved = sample_file(args, args.reuse_db)
    if saved.exists():
        return json.loads(saved.read_text())
    communes = list(
        Commune.objects.filter(latitude__isnull=False)
        .order_by("insee_code")
        .values_list("insee_code", "name", "postal_codes", "population")
    )
    _lines, sample = generate(os.devnull, args.rows, communes)
    return sample


def main():
    args = parse_args()
    url, cleanup = setup_database(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    result: dict = {"benchmark": "directory", "rows": args.rows, "database": connection.vendor}
    result["departments"] = args.departments
    result["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    result["calibration_ms"] = {"before": calibration_ms()}
    try:
        call_command("migrate", verbosity=0)
        if args.reuse_db:
            sample = reused_sample(args)
        else:
            sample = build(args, url, result)
            if args.keep and connection.vendor == "postgresql":
                database = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")
                sample_file(args, database).write_text(json.dumps(sample))
        # Re-import of the same data is covered by the tests (idempotent); here: queries.
        from rest_framework.authtoken.models import Token

        from federation.models import User

        user = User.objects.filter(email="bench@example.org").first() or User.objects.create_user(
            email="bench@example.org", password="bench-password-123"
        )
        token = Token.objects.get_or_create(user=user)[0].key
        mix = query_mix(sample, args.queries)
        if args.kinds:
            mix = [(name, params) for name, params in mix if name in args.kinds.split(",")]
        result["query_mix"] = {name: sum(1 for n, _ in mix if n == name) for name, _ in mix}
        slowest: dict | None = {} if args.slowest else None
        result["backend"] = summarise(run_backend(mix, user, slowest))
        if slowest is not None:
            result["backend_slowest"] = {name: rows[: args.slowest] for name, rows in sorted(slowest.items())}
        if args.raw_sql:
            result["raw_sql"] = summarise(run_raw_sql(mix))
            result["raw_sql_page_only"] = summarise(run_raw_sql(mix, page_only=True))
        if not args.no_http:
            connection.close()
            http_timings, extra = run_http(mix, token)
            result["http_api"] = {**summarise(http_timings), **extra}
        if result.get("raw_sql", {}).get("all") and result.get("http_api", {}).get("all"):
            api_p50 = result["http_api"]["all"]["p50_ms"]
            result["api_p50_over_raw_sql_p50"] = round(
                api_p50 / max(result["raw_sql"]["all"]["p50_ms"], 0.01), 2
            )
            result["api_p50_over_page_only_sql_p50"] = round(
                api_p50 / max(result["raw_sql_page_only"]["all"]["p50_ms"], 0.01), 2
            )
        result["targets"] = {
            # None: not measured in this run (--reuse-db, --no-floor, SQLite).
            "import_rate>=50pct_of_copy_floor": (
                result["import_over_copy_floor"] >= 0.5 if "import_over_copy_floor" in result else None
            ),
            "api_p95<=50ms": bool(result.get("http_api")) and result["http_api"]["all"]["p95_ms"] <= 50,
            "api_p50<=2x_raw_sql_p50": result.get("api_p50_over_raw_sql_p50", 99) <= 2,
        }
        result["calibration_ms"]["after"] = calibration_ms()
    finally:
        if not args.keep:
            cleanup()
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
