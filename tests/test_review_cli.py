"""`dedupe-kit run` reusing review decisions, and `dedupe-kit review`, invoked in-process."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from dedupe_kit.cli import main
from dedupe_kit.review import DecisionStore
from dedupe_kit.review import serve as serve_module
from dedupe_kit.review.serve import review_server

SAMPLE = "sample_data/contacts.csv"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_run_reuses_the_decisions_in_the_output_folder(tmp_path):
    out = tmp_path / "out"
    assert invoke("run", SAMPLE, "--out", out).exit_code == 0
    pairs = pd.read_csv(out / "pairs.csv", dtype=str, keep_default_na=False)
    review = pairs[pairs["status"] == "review"].iloc[0]
    a, b = int(review["a"]), int(review["b"])
    with DecisionStore(out) as store:
        store.decide((a, b), "match", record_ids={a: review["record_id_a"], b: review["record_id_b"]})
    result = invoke("run", SAMPLE, "--out", out)
    assert result.exit_code == 0, result.output
    assert re.search(r"decided by a person +1\n", result.output), result.output
    crosswalk = pd.read_csv(out / "crosswalk.csv", dtype=str, keep_default_na=False).set_index("source_row")
    assert crosswalk.loc[str(a), "cluster_id"] == crosswalk.loc[str(b), "cluster_id"]
    assert crosswalk.loc[str(a), "decided_by"] == "reviewed"


def test_review_needs_a_run_folder(tmp_path):
    result = CliRunner().invoke(main, ["review", str(tmp_path), "--no-browser"])
    assert result.exit_code == 1
    assert "no run.json; give the output folder of `dedupe-kit run FILE --out DIR`" in result.output


def test_review_names_a_config_edited_since_the_run_before_serving(tmp_path, monkeypatch):
    out = tmp_path / "out"
    invoke("run", SAMPLE, "--out", out)
    config = out / "config.toml"
    config.write_text(config.read_text().replace("upper = 0.95", "upper = 95"))  # a percentage, by hand
    monkeypatch.setattr("subprocess.Popen", lambda *_, **__: pytest.fail("the server started"))
    result = CliRunner().invoke(main, ["review", str(out), "--no-browser"])
    assert result.exit_code == 1
    assert f"Error: {config}: match: need 0 < lower <= upper < 1, got lower=0.5, upper=95.0" in result.output
    edited = config.read_text().replace("upper = 95", "upper = 0.95")
    config.write_text(edited.replace("[merge.rules]", '[merge.rules]\nFax = "longest"'))
    result = CliRunner().invoke(main, ["review", str(out), "--no-browser"])
    assert result.exit_code == 1 and f"Error: {config}: merge: rules: 'Fax' is neither a column of" in result.output


def test_review_serves_on_localhost_with_a_token(tmp_path, monkeypatch):
    out = tmp_path / "out"
    invoke("run", SAMPLE, "--out", out)
    voila = review_server(out, port=8999)
    assert voila.url == f"http://127.0.0.1:8999/?token={voila.token}" and len(voila.token) >= 24
    assert "--Voila.ip=127.0.0.1" in voila.command and f"--Voila.token={voila.token}" in voila.command
    assert voila.command[-1] == str((out / "review.ipynb").resolve())
    notebook = json.loads((out / "review.ipynb").read_text())
    assert "open_review(\".\")" in notebook["cells"][-1]["source"]
    lab = review_server(out, lab=True, ip="0.0.0.0", token="secret")
    assert "--ip=0.0.0.0" in lab.command and "--IdentityProvider.token=secret" in lab.command
    assert lab.url.endswith("/lab/tree/review.ipynb?token=secret")

    seen = {}
    monkeypatch.setattr(serve_module, "serve", lambda out_dir, **kw: seen.update(out_dir=out_dir, **kw))
    assert invoke("review", out, "--lab", "--no-browser", "--port", 9000).exit_code == 0
    assert seen["lab"] is True and seen["ip"] == "127.0.0.1" and seen["port"] == 9000 and seen["browser"] is False
    monkeypatch.setattr(serve_module, "serve", lambda out_dir, **kw: 1)  # its port taken: the server stops at once
    failed = invoke("review", out, "--no-browser")
    assert failed.exit_code == 1 and "the review server stopped with exit code 1" in failed.output


def test_review_command_serves_the_page_behind_its_token_and_stops_with_its_server(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import urllib.request

    out = tmp_path / "out"
    invoke("run", SAMPLE, "--out", out)
    port = serve_module.free_port()
    log = (tmp_path / "server.log").open("w")
    cli = subprocess.Popen([sys.executable, "-m", "dedupe_kit", "review", str(out), "--no-browser", "--port", str(port),
                            "--token", "sesame"], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = cli.stdout.readline()  # printed once the port answers
        assert line.startswith(f"Review of {out}: http://127.0.0.1:{port}/?token=sesame"), line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert "/login" in response.url  # no token: the login page (and no kernel)
    finally:
        os.kill(cli.pid, signal.SIGTERM)
        assert cli.wait(timeout=20) == 0
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the Voila server outlived the command"


def test_run_on_a_changed_input_says_in_its_summary_how_many_standing_decisions_are_reused(tmp_path, recwarn):
    from dedupe_kit.load import load
    from dedupe_kit.review.store import input_of

    out = tmp_path / "out"
    assert invoke("run", SAMPLE, "--out", out).exit_code == 0
    pairs = pd.read_csv(out / "pairs.csv", dtype=str, keep_default_na=False)
    review = pairs[pairs["status"] == "review"]
    free, seen = [], set()  # four pairs of review, no record in two of them
    for p in review.to_dict("records"):
        if not {p["record_id_a"], p["record_id_b"]} & seen:
            seen |= {p["record_id_a"], p["record_id_b"]}
            free.append((int(p["a"]), int(p["b"]), {int(p["a"]): p["record_id_a"], int(p["b"]): p["record_id_b"]}))
    (a1, b1, ids1), (a2, b2, ids2), (a3, b3, ids3), (a4, b4, ids4) = free[:4]
    with DecisionStore(out, **input_of(load(SAMPLE))) as store:
        store.decide((a1, b1), "match", record_ids=ids1)
        store.decide((a1, b1), "distinct", record_ids=ids1)  # a change of mind: one decision
        store.decide((a2, b2), "match", record_ids=ids2)
        store.decide((a3, b3), "skip", record_ids=ids3)  # not sure: no decision
        store.decide((a4, b4), "distinct", record_ids=ids4)
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    edited = tmp_path / "edited.csv"  # a new export, without one record of the last pair
    frame[frame["Contact ID"] != ids4[a4]].to_csv(edited, index=False)
    result = invoke("run", edited, "--out", out)
    assert result.exit_code == 0, result.output
    said = [line for line in (out / "summary.txt").read_text(encoding="utf-8").splitlines() if "reused" in line]
    assert said == [f"warning: {out / 'review.sqlite'}: 2 decision(s) made on another version of the input are "
                    "reused by record ID; 1 are not: a record they name is gone, or its record ID is blank or on "
                    f"several rows now (among them 'not a match' on {ids4[a4]} / {ids4[b4]}, which no longer keeps "
                    "those people apart: review their pairs again)"]
    assert not [w for w in recwarn if "reused" in str(w.message)]  # in the summary, not a Python warning


def test_a_second_round_in_the_same_folder_says_the_matches_carried_out_are_merged_not_lost(tmp_path, recwarn):
    import shutil

    from dedupe_kit.load import load
    from dedupe_kit.review.store import input_of

    out = tmp_path / "out"
    assert invoke("run", SAMPLE, "--out", out).exit_code == 0
    contacts = load(SAMPLE)
    row = {rid: i for i, rid in enumerate(contacts.frame["Contact ID"])}

    def decide(x, y, decision, **kwargs):
        store.decide((row[x], row[y]), decision, record_ids={row[x]: x, row[y]: y}, **kwargs)

    with DecisionStore(out, **input_of(contacts)) as store:
        decide("C000240", "C000376", "match", survivor_row=row["C000376"])  # C000240 merged into C000376
        decide("C000240", "C000265", "match")  # both merged into C000376, the group's survivor
        decide("C000024", "C000099", "distinct")  # C000099 merged into C000264 by the run
    assert invoke("run", SAMPLE, "--out", out).exit_code == 0  # round 1: the merge carries the matches out
    shutil.copy(out / "cleaned.csv", tmp_path / "r2.csv")  # what the CRM holds once the fix files are imported
    result = invoke("run", tmp_path / "r2.csv", "--out", out)
    assert result.exit_code == 0, result.output
    said = [line for line in (out / "summary.txt").read_text(encoding="utf-8").splitlines() if "reused" in line]
    assert said == [f"warning: {out / 'review.sqlite'}: 0 decision(s) made on another version of the input are "
                    "reused by record ID; 2 match(es) already merged (their merged-away record is gone); 1 are not: "
                    "a record they name is gone, or its record ID is blank or on several rows now (among them 'not a "
                    "match' on C000024 / C000099, which no longer keeps those people apart: review their pairs again)"]


def test_a_value_picked_in_review_and_edited_in_the_crm_since_is_not_applied_to_the_new_value(tmp_path, recwarn):
    import shutil
    import sqlite3

    from dedupe_kit.review import open_state

    header = "Contact ID,First Name,Last Name,Email,Mobile Phone,Company,City,Created Date,Last Modified\n"
    ada = ["C001,Ada,Quill,ada.quill@example.com,+12125550101,Acme Widgets,Springfield,2021-01-01,2021-01-01",
           "C002,Ada,Quill,ada.quill@example.com,+12125550101,{company},Shelbyville,2021-02-01,{updated}",
           "C005,Ada,Quill,ada.quill@example.com,+12125550101,,Springfield,2021-01-05,2021-01-05"]
    others = ["C003,Bert,Nobody,bert.nobody@example.org,+13125550177,Foo Co,Ogdenville,2021-03-01,2021-03-01",
              "C004,Cleo,Fakename,cleo.fake@example.net,+14155550123,Bar Co,Capital City,2021-03-01,2021-03-01"]
    export = tmp_path / "export.csv"
    export.write_text(header + "\n".join([*ada[:2], *others, ada[2]]).format(
        company="Acme Widgetry Inc", updated="2022-02-01") + "\n")
    out = tmp_path / "out"
    assert invoke("run", export, "--out", out).exit_code == 0
    state = open_state(out)
    assert state.current.rows == (0, 1, 4)  # the three records of Ada Quill, a group to review
    state.match(fields={"Company": 1})  # C002's 'Acme Widgetry Inc'
    state.store.close()
    before = tmp_path / "before"  # the folder as a dedupe_kit that did not store the value picked left it
    shutil.copytree(out, before)
    with sqlite3.connect(before / "review.sqlite") as conn:
        conn.execute("ALTER TABLE events DROP COLUMN field_values")
    # a newer export: the rows in another order, and C002's company edited in the CRM since the review
    newer = tmp_path / "newer.csv"
    newer.write_text(header + "\n".join([*others, *ada]).format(
        company="Former employee - do not use", updated="2024-06-01") + "\n")
    result = invoke("run", newer, "--out", out)
    assert result.exit_code == 0, result.output
    said = [line for line in (out / "summary.txt").read_text(encoding="utf-8").splitlines() if "chosen" in line]
    assert said == ["warning: merge: a value chosen in review for 'Company' of C002 is ignored: the record no longer "
                    "holds the value picked (edited in the CRM since the review?); the merge's rules decide it, review "
                    "the records again to choose"]
    assert result.output.count("chosen in review") == 1  # the summary printed, no Python warning beside it
    assert not [w for w in recwarn if "chosen in review" in str(w.message)]
    update = pd.read_csv(out / "fix_2_update.csv", dtype=str, keep_default_na=False)
    assert "Company" not in update  # C001 keeps its Acme Widgets, by the rule: not the text C002 holds now
    # C002's company edited since to C001's: the records agree, nothing to choose again, nothing said
    agreed = tmp_path / "agreed.csv"
    agreed.write_text(header + "\n".join([*others, *ada]).format(company="acme widgets ", updated="2024-06-01") + "\n")
    result = invoke("run", agreed, "--out", out)
    assert result.exit_code == 0, result.output
    assert "chosen in review" not in (out / "summary.txt").read_text(encoding="utf-8")
    assert invoke("undo", out, "--all").exit_code == 0  # Ada's merge taken back: nothing to choose for it
    assert "chosen" not in (out / "summary.txt").read_text(encoding="utf-8")
    # a store of before, without the values picked: the pick applies as it did
    assert invoke("run", newer, "--out", before).exit_code == 0
    update = pd.read_csv(before / "fix_2_update.csv", dtype=str, keep_default_na=False)
    assert update[["Contact ID", "Company"]].values.tolist() == [["C001", "Former employee - do not use"]]


def test_the_warnings_of_values_chosen_in_review_that_the_merge_leaves_out_are_in_the_summary(tmp_path, recwarn):
    from dedupe_kit.load import load
    from dedupe_kit.review.store import input_of

    header = "Contact ID,First Name,Last Name,Email,Mobile Phone,Company,Created Date\n"
    rows = ("C001,Ada,Quill,ada.quill@example.com,+12125550101,Acme Widgets,2021-01-01\n"
            "C002,Ada,Quill,ada.quill@example.com,+12125550101,Acme Widgetry Inc,2021-02-01\n"
            "C003,Bert,Nobody,bert.nobody@example.org,+13125550177,Foo Co,2021-03-01\n")
    export, out = tmp_path / "export.csv", tmp_path / "out"
    export.write_text(header + rows)
    assert invoke("run", export, "--match-only", "--out", out).exit_code == 0
    with DecisionStore(out, **input_of(load(export))) as store:  # C002's company, and its creation date
        store.decide((0, 1), "match", fields={"Company": 1, "Created Date": 1}, record_ids={0: "C001", 1: "C002"})
    renamed = tmp_path / "renamed.csv"  # a newer export, its Company column renamed
    renamed.write_text(header.replace("Company", "Organisation") + rows)
    kept = ("warning: merge: a value chosen in review for 'Created Date' is ignored: the record ID (without one, the "
            "first email, which keys the fix files) and the creation and update dates always stay the survivor's")
    gone = ("warning: merge: a value chosen in review for 'Company' is ignored: the input has no such column "
            "(renamed or removed since the review?)")
    for args, said in [((export,), [kept]), ((renamed,), [kept, gone]), ((renamed, "--match-only"), [])]:
        result = invoke("run", *args, "--out", out)
        assert result.exit_code == 0, result.output
        summary = (out / "summary.txt").read_text(encoding="utf-8")
        assert [line for line in summary.splitlines() if "chosen in review" in line] == said, args
        assert result.output.count("chosen in review") == len(said)  # the summary printed, once
    assert invoke("run", renamed, "--out", out).exit_code == 0
    result = invoke("undo", out, "--all")  # the group's merge taken back: no merge leaves its picks out
    assert result.exit_code == 0, result.output
    assert "chosen in review" not in result.output + (out / "summary.txt").read_text(encoding="utf-8")
    assert not [w for w in recwarn if "chosen in review" in str(w.message)]  # no Python warning, with a file path


def test_undo_says_the_warnings_of_the_summary_it_writes_again_once(tmp_path):
    from dedupe_kit.load import load
    from dedupe_kit.review.store import input_of

    header = "Contact ID,First Name,Last Name,Email,Mobile Phone,Company,Created Date\n"
    ada, ada2, bert = ("C001,Ada,Quill,ada.quill@example.com,+12125550101,Acme Widgets,2021-01-01\n",
                       "C002,Ada,Quill,ada.quill@example.com,+12125550101,Acme Widgetry Inc,2021-02-01\n",
                       "C003,Bert,Nobody,bert.nobody@example.org,+13125550177,Foo Co,2021-03-01\n")
    export, newer, out = tmp_path / "export.csv", tmp_path / "newer.csv", tmp_path / "out"
    export.write_text(header + ada + ada2 + bert)
    assert invoke("run", export, "--match-only", "--out", out).exit_code == 0
    with DecisionStore(out, **input_of(load(export))) as store:
        store.decide((0, 1), "match", fields={"Company": 1}, record_ids={0: "C001", 1: "C002"})
    newer.write_text(header + bert + ada + ada2)  # a newer export, its rows moved: the decision found by record ID
    assert invoke("run", newer, "--out", out).exit_code == 0
    result = invoke("undo", out, "--all")
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if line.startswith("warning:")]
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert said == [line for line in summary.splitlines() if line.startswith("warning:")]
    assert [line for line in said if "reused by record ID" in line] == [
        f"warning: {out / 'review.sqlite'}: 1 decision(s) made on another version of the input are reused by record ID"]
    assert "groups undone                      1" in result.output
