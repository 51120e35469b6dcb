import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from directory.importing import ImportFormatError, import_file
from directory.importing.writing import ThreadedWriter
from directory.models import EntryChange, ImportRun, PracticeSite, Professional, Structure
from search.models import SearchDocument
from tests.directory.sample import sample_text

pytestmark = pytest.mark.django_db


def test_sample_imports_exactly_the_expected_professionals(imported):
    assert set(Professional.objects.values_list("national_id", flat=True)) == {
        "810001234567",  # Hélène Lefèvre, two activities merged
        "810009876543",  # Jean-François Dupont, two savoir-faire lines merged
        "0349912345",  # ADELI nurse
    }
    helene = Professional.objects.get(national_id="810001234567")
    assert (helene.first_name, helene.last_name, helene.civility) == ("Hélène", "LEFÈVRE", "Madame")
    assert helene.profession_id == "70"
    assert sorted(helene.sites.values_list("commune_id", flat=True)) == ["34145", "34146"]
    dupont = Professional.objects.get(national_id="810009876543")
    assert set(dupont.specialties.values_list("code", flat=True)) == {"SM53", "SM04"}
    assert dupont.sites.count() == 1
    nurse = Professional.objects.get(national_id="0349912345")
    assert nurse.id_type == Professional.IdType.ADELI and nurse.last_name == "Nguyễn"
    msp = Structure.objects.get(source_id="S002")
    assert msp.finess == "340012345" and msp.kind == Structure.Kind.MSP


def test_rejected_lines_are_reported_with_numbers_and_reasons(imported):
    counts = imported.counts
    assert counts["lines"] == 10
    assert counts["lines_filtered"] == 1  # the Gard line
    assert counts["professionals_created"] == 3
    assert counts["professionals_rejected"] == 3
    by_line = {item["line"]: item["reason"] for item in imported.rejected}
    assert "nombre de colonnes incorrect" in by_line[7]
    assert "commune inconnue « 34999 »" in by_line[9]
    assert "non importé" in by_line[8]  # the valid line of the same person is not applied
    assert "identifiant RPPS invalide" in by_line[10]
    # Never half-applied: the person with one bad line is absent altogether.
    assert not Professional.objects.filter(national_id="810007777777").exists()
    assert not Structure.objects.filter(source_id="S005").exists()


def test_reimport_changes_nothing(imported):
    before = {
        "pros": list(Professional.objects.order_by("id").values()),
        "sites": list(PracticeSite.objects.order_by("id").values()),
        "docs": SearchDocument.objects.count(),
        "history": EntryChange.objects.count(),
    }
    again = import_file(io.BytesIO(sample_text().encode()), departments=["34"])
    assert again.counts["professionals_unchanged"] == 3
    assert again.counts["professionals_created"] == again.counts["professionals_updated"] == 0
    assert list(Professional.objects.order_by("id").values()) == before["pros"]
    assert list(PracticeSite.objects.order_by("id").values()) == before["sites"]
    assert SearchDocument.objects.count() == before["docs"]
    assert EntryChange.objects.count() == before["history"]


def test_changed_line_updates_the_entry_and_records_history(imported):
    text = sample_text().replace("Cabinet infirmier", "Cabinet infirmier des Arceaux")
    text = text.replace("|Zoé|", "|Zoë|")
    report = import_file(io.BytesIO(text.encode()), departments=["34"])
    assert report.counts["professionals_updated"] == 1
    nurse = Professional.objects.get(national_id="0349912345")
    assert nurse.first_name == "Zoë"
    assert nurse.sites.get().name == "Cabinet infirmier des Arceaux"
    change = EntryChange.objects.get(professional=nurse)
    assert change.source == EntryChange.Source.IMPORT
    assert change.changes["first_name"] == ["Zoé", "Zoë"]


def test_columns_are_found_by_name_not_position(communes):
    lines = sample_text(extra=False).splitlines(keepends=True)
    header = lines[0].rstrip("|\n").split("|")
    # Reverse the column order of every line: the result must be the same.
    order = list(reversed(range(len(header))))

    def reorder(line):
        values = line.rstrip("\n")[:-1].split("|")
        if len(values) != len(header):
            return line
        return "|".join(values[i] for i in order) + "|\n"

    text = "".join(reorder(line) for line in lines)
    report = import_file(io.BytesIO(text.encode()), departments=["34"])
    assert report.counts["professionals_created"] == 3
    assert Professional.objects.get(national_id="810001234567").last_name == "LEFÈVRE"


def test_without_department_filter_other_departments_need_their_communes(communes):
    report = import_file(io.BytesIO(sample_text().encode()))
    reasons = [r["reason"] for r in report.rejected]
    assert any("commune inconnue « 30189 »" in r for r in reasons)


def test_missing_required_columns_is_a_format_error(communes):
    with pytest.raises(ImportFormatError):
        import_file(io.BytesIO("Nom|Prénom|\nA|B|\n".encode()))


def test_command_prints_summary_and_rejections(communes, tmp_path, capsys):
    path = tmp_path / "PS_LibreAcces_Personne_activite_test.txt"
    path.write_text(sample_text(), encoding="utf-8")
    call_command("import_rpps", str(path), "--department", "34", "--no-progress")
    out = capsys.readouterr().out
    assert "3 créés" in out and "ligne 9" in out and "commune inconnue" in out
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DONE and run.counts["professionals_created"] == 3


def test_staff_upload_runs_the_celery_task(
    communes, world, api, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("PS_LibreAcces_Personne_activite.txt", sample_text().encode())
    url = reverse("api-directory-imports")
    refused = api(world.coordinator_a).post(url, {"file": upload}, format="multipart")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert not ImportRun.objects.exists() and not Professional.objects.exists()  # nothing written
    upload.seek(0)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.staff).post(url, {"file": upload, "department": ["34"]}, format="multipart")
    assert response.status_code == 202
    detail = api(world.staff).get(reverse("api-directory-import", args=[response.json()["id"]])).json()
    assert detail["status"] == "done"
    assert detail["counts"]["professionals_created"] == 3
    assert {r["line"] for r in detail["rejected"]} == {7, 8, 9, 10}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_writer_thread_applies_the_batches(communes, monkeypatch):
    """On PostgreSQL the batches are written by a second thread with its own connection (the other
    tests run inside a transaction, so synchronously); the result is the same."""
    import threading

    from django.db import connection

    import directory.importing

    writers = []
    monkeypatch.setattr(
        directory.importing,
        "ThreadedWriter",
        lambda apply, threads: writers.append(threads) or ThreadedWriter(apply, threads),
    )
    report = import_file(io.BytesIO(sample_text().encode()), departments=["34"], batch_size=1)
    assert report.counts["professionals_created"] == 3 and report.counts["professionals_rejected"] == 3
    assert Professional.objects.count() == 3
    assert SearchDocument.objects.filter(kind="professional").count() == 3
    again = import_file(io.BytesIO(sample_text().encode()), departments=["34"], batch_size=1)
    assert again.counts["professionals_unchanged"] == 3 and again.counts["professionals_created"] == 0
    assert not [t for t in threading.enumerate() if t.name.startswith("rpps-import-writer")]
    assert writers == ([3, 3] if connection.vendor == "postgresql" else [])


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_write_one_person_in_two_batches_at_once():
    """Two writers apply batches at once; a batch holding a person of a batch still being written waits
    for it (otherwise both would create the same entry). PostgreSQL only, as the writers."""
    import threading
    import time
    from types import SimpleNamespace

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the import writes with several connections on PostgreSQL only")

    running: set[str] = set()
    overlaps, applied = [], []
    lock = threading.Lock()

    def apply(batch):
        ids = {person.national_id for person in batch}
        with lock:
            overlaps.extend(ids & running)
            running.update(ids)
        time.sleep(0.02)
        with lock:
            running.difference_update(ids)
            applied.append(sorted(ids))

    writer = ThreadedWriter(apply, threads=2)
    for ids in (["A", "B"], ["A"], ["C"], ["B", "C"], ["D"]):
        writer.put([SimpleNamespace(national_id=i) for i in ids])
    writer.finish()
    assert overlaps == []
    assert sorted(applied) == [["A"], ["A", "B"], ["B", "C"], ["C"], ["D"]]


@pytest.mark.django_db(transaction=True)
def test_an_error_while_writing_stops_the_import_and_is_raised(communes, monkeypatch):
    import threading

    from directory.importing.writing import BatchWriter

    def fail(self, *args):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(BatchWriter, "apply", fail)
    with pytest.raises(RuntimeError, match="disque plein"):
        import_file(io.BytesIO(sample_text().encode()), departments=["34"], batch_size=1)
    assert not Professional.objects.exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("rpps-import-writer")]


def test_import_runs_list_and_detail_in_a_fixed_number_of_queries(
    world, api, communes, django_assert_num_queries
):
    from directory.services import import_run_execute

    for _ in range(3):
        import_run_execute(actor=world.staff, path=io.BytesIO(sample_text().encode()), departments=["34"])
    url = reverse("api-directory-imports")
    client = api(world.staff)
    with django_assert_num_queries(1):  # the runs (their actors are not shown)
        runs = client.get(url).json()
    assert len(runs) == 3 and runs[0]["counts"]["lines"] == 10
    with django_assert_num_queries(1):
        detail = client.get(reverse("api-directory-import", args=[runs[0]["id"]])).json()
    assert detail["rejected"]
    assert api(world.member_a).get(url).status_code == 403
    assert api(world.member_a).get(reverse("api-directory-import", args=[runs[0]["id"]])).status_code == 403


def test_imported_documents_and_other_places_are_those_a_rebuild_writes(imported):
    """The import writes its documents and their other places itself (COPY with reserved ids on
    PostgreSQL); rebuilding the index from the database places them the same."""
    from search import indexing
    from search.models import SearchPoint

    def snapshot():
        documents = {
            (d.kind, d.object_id): (d.title, d.latitude, d.longitude, d.cells)
            for d in SearchDocument.objects.filter(index="directory")
        }
        points = sorted(
            (p.document.kind, p.document.object_id, p.latitude, p.longitude)
            for p in SearchPoint.objects.select_related("document")
        )
        return documents, points

    imported_documents, imported_points = snapshot()
    helene = Professional.objects.get(national_id="810001234567")
    assert [(kind, pk) for kind, pk, *_ in imported_points] == [("professional", helene.pk)]
    indexing.reindex("directory")
    assert snapshot() == (imported_documents, imported_points)


def test_the_import_reads_entries_by_key_whatever_the_statistics():
    """The tables grow from empty during a first import: planned from statistics taken when they were
    small, the lookups of each batch would read them whole. The import's sessions read by key."""
    from django.db import connection

    from directory.importing.writing import EXISTING_SQL, session_settings

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directory_professional")  # empty: looks cheaper to read whole
        session_settings(cursor, True)
        try:
            cursor.execute("EXPLAIN " + EXISTING_SQL, ["810001234567 810009876543"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            session_settings(cursor, False)
    assert "Seq Scan" not in plan, plan


def test_the_specialty_shown_is_the_same_after_import_and_after_a_rebuild(imported):
    """Dr Dupont's lines give Médecine générale (SM53), then Cardiologie (SM04): the import showed the
    first line's, a rebuild the first by label (the database's order). Both show the lowest code."""
    from search import indexing

    def shown():
        document = SearchDocument.objects.get(index="directory", kind="professional", object_id=dupont.pk)
        return document.display.get("specialty"), document.subtitle

    dupont = Professional.objects.get(national_id="810009876543")
    assert set(dupont.specialties.values_list("code", flat=True)) == {"SM53", "SM04"}
    after_import = shown()
    indexing.reindex("directory")
    assert shown() == after_import
    assert after_import[0] == "Cardiologie et maladies vasculaires"
