#!/usr/bin/env python3
"""Write the fictional demo inputs in data/controllers/ (deterministic).

    pip install openpyxl
    python3 data/make_samples.py

All organisations and numbers are invented and exist nowhere.
"""

import datetime as dt
import io
import os
import re
import zipfile

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "controllers")

# (id, name, size factor): participants X0101-X0103, mentor X0201, reference X1001-X1002
ORGS = [
    ("X0101", "Åbyholm", 1.00),
    ("X0102", "Norrvik", 2.60),
    ("X0103", "Ekeskog", 0.90),
    ("X0201", "Sjöbacka", 1.70),
    ("X1001", "Granlunda", 4.40),
    ("X1002", "Älvdala Strand", 1.20),
]
YEARS = [2022, 2023, 2024]
GROWTH = {2022: 1.00, 2023: 1.03, 2024: 1.05}


def wobble(*keys):
    """Deterministic +-2.4 % variation without a random generator."""
    h = sum((i + 1) * k for i, k in enumerate(keys))
    return 1.0 + ((h % 13) - 6) * 0.004


def sv_number(x, decimals):
    """1234.5 -> '1 234,5' (space thousands, decimal comma)."""
    s = f"{x:,.{decimals}f}"
    return s.replace(",", " ").replace(".", ",")


# ------------------------------------------------ hemtjanst_2024.csv
# Home-care hours per month; base for size factor 1.0.
HOURS_BASE = {("65-79", "kvinnor"): 2000.0, ("65-79", "män"): 1400.0,
              ("80+", "kvinnor"): 4800.0, ("80+", "män"): 2600.0}
MISSING = ("X0103", 2024, "80+", "män")  # published as '..'


def write_hemtjanst():
    lines = ["Hemtjänst, beviljade timmar per månad 2022–2024 (påhittade data)",
             "Kommun;År;Kön;Ålder;Antal"]
    for oi, (code, name, size) in enumerate(ORGS):
        for year in YEARS:
            for ai, age in enumerate(("65-79", "80+")):
                for si, sex in enumerate(("kvinnor", "män")):
                    if (code, year, age, sex) == MISSING:
                        value = ".."
                    else:
                        v = HOURS_BASE[(age, sex)] * size * GROWTH[year] * wobble(oi, year, ai, si)
                        value = sv_number(round(v, 1), 1)
                    lines.append(f"{code} {name};{year};{sex};{age};{value}")
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    with open(os.path.join(OUT, "hemtjanst_2024.csv"), "wb") as f:
        f.write(data)


# ------------------------------------------------ hemtjanst_brukare_2024.csv
# Home-care recipients (the denominator of hours per recipient); two small groups exercise
# disclosure control.
RECIPIENTS_BASE = {("65-79", "kvinnor"): 55, ("65-79", "män"): 38,
                   ("80+", "kvinnor"): 120, ("80+", "män"): 62}
SMALL = {("X0103", 2022, "65-79", "män"): 4, ("X1002", 2023, "80+", "män"): 3}


def write_brukare():
    lines = ["Hemtjänst, antal brukare per månad (medel) 2022–2024 (påhittade data)",
             "Kommun;År;Kön;Ålder;Antal"]
    for oi, (code, name, size) in enumerate(ORGS):
        for year in YEARS:
            for ai, age in enumerate(("65-79", "80+")):
                for si, sex in enumerate(("kvinnor", "män")):
                    v = SMALL.get((code, year, age, sex))
                    if v is None:
                        v = round(RECIPIENTS_BASE[(age, sex)] * size * GROWTH[year] * wobble(oi, year, ai, si + 1))
                    lines.append(f"{code} {name};{year};{sex};{age};{v}")
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    with open(os.path.join(OUT, "hemtjanst_brukare_2024.csv"), "wb") as f:
        f.write(data)


# ------------------------------------------------ skola_behorighet.csv
# Year-9 pupils and those eligible for a vocational programme, one row per measure.
PUPILS_BASE = {"flickor": 120, "pojkar": 126}
ELIGIBLE = {"flickor": 0.88, "pojkar": 0.82}
ALMOST_ALL = ("X0103", 2023, "flickor")  # 38 of 40: a small complement, suppressed


def write_skola():
    lines = ["Kommun,Kommunnamn,År,Kön,Mått,Antal"]
    for oi, (code, name, size) in enumerate(ORGS):
        for year in YEARS:
            counts = {}
            for si, sex in enumerate(("flickor", "pojkar")):
                n = round(PUPILS_BASE[sex] * size * wobble(oi, year, si, 3))
                x = round(n * ELIGIBLE[sex] * wobble(oi, year, si, 5))
                if (code, year, sex) == ALMOST_ALL:
                    n, x = 40, 38
                counts[sex] = (x, n)
            counts["totalt"] = tuple(a + b for a, b in zip(counts["flickor"], counts["pojkar"]))
            for sex, (x, n) in counts.items():
                lines.append(f"{code},{name},{year},{sex},pupils_year9,{n}")
                lines.append(f"{code},{name},{year},{sex},pupils_eligible_vocational,{x}")
    with open(os.path.join(OUT, "skola_behorighet.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


# ------------------------------------------------ fritid_bidrag.xlsx
PARTICIPANTS_BASE = {"Kvinnor": 1850, "Män": 2140}


def write_fritid():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Blad1"
    wb.properties.creator = "jamfor sample data"
    wb.properties.created = dt.datetime(2024, 1, 1)
    wb.properties.modified = dt.datetime(2024, 1, 1)
    ws["A1"] = "Deltagare i bidragsberättigad fritidsverksamhet 2022–2024, antal (påhittade data)"
    header = ["Kommunkod", "Kommunnamn", "År", "Kvinnor", "Män", "Totalt"]
    for j, h in enumerate(header, start=1):
        ws.cell(row=3, column=j, value=h)
    r = 4
    for oi, (code, name, size) in enumerate(ORGS):
        for year in YEARS:
            women = round(PARTICIPANTS_BASE["Kvinnor"] * size * GROWTH[year] * wobble(oi, year, 0))
            men = round(PARTICIPANTS_BASE["Män"] * size * GROWTH[year] * wobble(oi, year, 1))
            for j, v in enumerate([code, name, year, women, men, women + men], start=1):
                ws.cell(row=r, column=j, value=v)
            r += 1
    path = os.path.join(OUT, "fritid_bidrag.xlsx")
    wb.save(path)
    normalise_zip(path)


def normalise_zip(path):
    """Fixed member timestamps and core.xml dates so reruns are byte-identical."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2024-01-01T00:00:00Z\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, (2024, 1, 1, 0, 0, 0))
            zi.compress_type = info.compress_type
            zi.external_attr = 0o644 << 16
            zi.create_system = 3
            dst.writestr(zi, data)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write_hemtjanst()
    write_brukare()
    write_skola()
    write_fritid()
