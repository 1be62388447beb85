"""``dispatch import``: a file into the database; previews store nothing; rejected rows are
named by row and field on stderr with exit code 1, never a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from api.cli import main
from dispatch.store import Store, orders_on, replace_network, validate_network
from scenarios.demo import demo_request

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "imports"
DAY = date(2026, 11, 11)


@pytest.fixture
def demo_network(monkeypatch: pytest.MonkeyPatch, database_url: str, store: Store) -> Store:
    monkeypatch.setenv("DATABASE_URL", database_url)
    network = demo_request(7, orders=1, date=DAY.isoformat())
    network.pop("orders")
    with store.write() as session:
        replace_network(session, validate_network(network))
    return store


def _stored(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(o["id"] for o in orders_on(session, DAY))


def test_preview_then_import(demo_network: Store, capsys: pytest.CaptureFixture[str]) -> None:
    sample = str(EXAMPLES / "line.csv")
    assert main(["import", sample, "--preview"]) == 0
    out = capsys.readouterr().out
    assert "preview, nothing stored; the import would store 3 order(s)" in out
    assert "LINE-90001  2026-11-11  PP-011  3 item(s)" in out
    assert _stored(demo_network) == []
    assert main(["import", sample, "--platform", "line"]) == 0
    assert "stored 3 order(s) as batch" in capsys.readouterr().out
    assert _stored(demo_network) == ["LINE-90001", "LINE-90002", "LINE-90003"]
    assert main(["import", sample]) == 0
    assert "imported before" in capsys.readouterr().out


def test_rejected_rows_are_named_and_exit_1(
    demo_network: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (EXAMPLES / "app.csv").read_text(encoding="utf-8")
    text += "7003,2026-11-11,M-1,PP-999,,,,09:00,12:00,2,tofu,板豆腐,two,0.45,0.5,chilled,,\n"
    bad = tmp_path / "app.csv"
    bad.write_text(text, encoding="utf-8")
    assert main(["import", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "1 rejected row(s); nothing was stored" in captured.out
    assert "rejected row 4 (id APP-7003): items[0].qty:" in captured.err
    assert "Traceback" not in captured.err
    assert _stored(demo_network) == []
    assert main(["import", str(bad), "--keep-valid"]) == 1
    assert "stored 2 order(s)" in capsys.readouterr().out
    assert _stored(demo_network) == ["APP-7001", "APP-7002"]


def test_an_unreadable_file_is_refused_with_its_reason(
    demo_network: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("what,ever\n1,2\n", encoding="utf-8")
    assert main(["import", str(odd)]) == 1
    err = capsys.readouterr().err
    assert "refused, nothing was stored" in err
    assert "unknown columns what, ever" in err
    assert main(["import", str(EXAMPLES / "web.csv"), "--platform", "line"]) == 1
    assert "the line mapping needs the column(s) 訂單編號, 數量" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "missing.csv")]) == 2
