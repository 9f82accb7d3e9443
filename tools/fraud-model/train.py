"""Trains risk's fraud model (issue 23) from the generator's labelled CSV, exports it to ONNX and
reports how it does on held-out data against the default rules alone.

    python tools/fraud-model/train.py --data .local/fraud-model/orders.csv --out apps/risk/model

(`npm run fraud-model:train` runs the generator and this in one go.)

Splits by time, never at random (fraud comes in campaigns: a random split would put one ring's
orders on both sides): the generator marks the last quarter of the period `test` (held out,
reported); of the rest, the last fifth is the validation set the suggested threshold comes from,
and the model is fitted on what precedes it. A gradient-boosted tree ensemble
(scikit-learn's HistGradientBoostingClassifier, fixed seed) exported with skl2onnx; every
figure of the report is computed from the exported ONNX model run by onnxruntime, i.e. from what
risk serves.

Writes <out>/fraud-model.onnx, <out>/fraud-model.card.json (version = a hash of the ONNX file,
features in order, suggested threshold, held-out figures) and <out>/REPORT.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import platform
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import sklearn
import skl2onnx
from skl2onnx import to_onnx
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score

FIXED_COLUMNS = [
    "order_id",
    "at",
    "split",
    "pattern",
    "label",
    "rules_decision",
    "rules_score",
    "rules_reasons",
]
PATTERNS = ["brushing", "coupon_hunting", "stolen_account"]
SEVERITY = {"ALLOW": 0, "REVIEW": 1, "REJECT": 2}


def load(path: Path):
    with path.open(newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header[: len(FIXED_COLUMNS)] != FIXED_COLUMNS:
            raise SystemExit(f"{path}: unexpected columns {header[:len(FIXED_COLUMNS)]}")
        features = header[len(FIXED_COLUMNS) :]
        rows = list(reader)
    col = {name: i for i, name in enumerate(header)}
    data = {
        "at": np.array([r[col["at"]] for r in rows]),
        "split": np.array([r[col["split"]] for r in rows]),
        "pattern": np.array([r[col["pattern"]] for r in rows]),
        "label": np.array([int(r[col["label"]]) for r in rows], dtype=np.int64),
        "rules_decision": np.array([r[col["rules_decision"]] for r in rows]),
        "rules_score": np.array([int(r[col["rules_score"]]) for r in rows], dtype=np.int64),
        "rules_reasons": np.array([r[col["rules_reasons"]] for r in rows]),
        "X": np.array([[float(v) for v in r[len(FIXED_COLUMNS) :]] for r in rows], dtype=np.float64),
    }
    return features, data


def top_k(scores: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """The k highest scores (ties at the cut broken at random, seeded): a boolean mask."""
    order = np.lexsort((rng.random(len(scores)), -scores))
    mask = np.zeros(len(scores), dtype=bool)
    mask[order[:k]] = True
    return mask


def caught(mask: np.ndarray, y: np.ndarray, pattern: np.ndarray) -> dict:
    flagged = int(mask.sum())
    hits = int((mask & (y == 1)).sum())
    out = {
        "flagged": flagged,
        "flag_rate": round(flagged / len(y), 4),
        "fraud_caught": hits,
        "precision": round(hits / flagged, 4) if flagged else None,
        "recall": round(hits / int(y.sum()), 4),
        "by_pattern": {},
    }
    for p in PATTERNS:
        n = int((pattern == p).sum())
        out["by_pattern"][p] = {
            "orders": n,
            "caught": int((mask & (pattern == p)).sum()),
            "recall": round(int((mask & (pattern == p)).sum()) / n, 4) if n else None,
        }
    out["honest_flagged"] = int((mask & (y == 0)).sum())
    return out


def suggest_threshold(scores: np.ndarray, y: np.ndarray) -> int:
    """The MODEL_SCORE threshold (per mille) with the best F1 on the validation period: the
    balance of precision and recall, which moves little when the share of fraud does (a quantile
    at the review budget swings with every campaign the period happens to hold). Ties: the
    lowest."""
    best, best_f1 = 500, -1.0
    fraud = int(y.sum())
    for t in range(1, 1000):
        flagged = scores >= t / 1000
        hits = int((flagged & (y == 1)).sum())
        if hits == 0:
            continue
        f1 = 2 * hits / (int(flagged.sum()) + fraud)
        if f1 > best_f1:
            best, best_f1 = t, f1
    return best


def ratio(a, b):
    return round(a / b, 2) if b else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--budget", type=float, default=0.02, help="share of orders operators review")
    ap.add_argument("--seed", type=int, default=23)
    args = ap.parse_args()
    if not 0 < args.budget < 1:
        raise SystemExit("--budget is a share of orders, between 0 and 1")

    features, d = load(args.data)
    X, y = d["X"], d["label"]
    train = np.flatnonzero(d["split"] == "train")
    test = np.flatnonzero(d["split"] == "test")
    # the rows are in time order: the last fifth of the training period validates
    cut = int(len(train) * 0.8)
    fit, valid = train[:cut], train[cut:]

    model = HistGradientBoostingClassifier(
        learning_rate=0.06,
        max_iter=300,
        max_leaf_nodes=31,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=args.seed,
    )
    model.fit(X[fit], y[fit])

    onx = to_onnx(
        model,
        X[:1].astype(np.float32),
        options={id(model): {"zipmap": False}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    onx.graph.input[0].name = "features"
    for node in onx.graph.node:
        node.input[:] = ["features" if i == "X" else i for i in node.input]
    onx.producer_name = "emporia tools/fraud-model/train.py"
    onx.doc_string = "Emporia risk fraud model (issue 23): P(fraud) of an order from FRAUD_FEATURES"
    data = onx.SerializeToString()
    sha = hashlib.sha256(data).hexdigest()
    version = f"fm-{sha[:12]}"

    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])

    def onnx_scores(rows: np.ndarray) -> np.ndarray:
        return session.run(["probabilities"], {"features": X[rows].astype(np.float32)})[0][:, 1]

    s_valid, s_test = onnx_scores(valid), onnx_scores(test)
    drift = float(np.max(np.abs(s_test - model.predict_proba(X[test])[:, 1])))
    if drift > 1e-3:
        raise SystemExit(f"the ONNX model differs from the fitted one by {drift} on the test rows")

    per_mille = suggest_threshold(s_valid, y[valid])

    rng = np.random.default_rng(args.seed)
    yt, pt = y[test], d["pattern"][test]
    k = int(math.ceil(args.budget * len(test)))
    rules_rank = np.array(
        [SEVERITY[v] * 1000 + s for v, s in zip(d["rules_decision"][test], d["rules_score"][test])],
        dtype=np.float64,
    )
    rules_flag = d["rules_decision"][test] != "ALLOW"
    model_flag = s_test >= per_mille / 1000
    model_at_budget = caught(top_k(s_test, k, rng), yt, pt)
    rules_at_budget = caught(top_k(rules_rank, k, rng), yt, pt)
    rules_deployed = caught(rules_flag, yt, pt)
    model_deployed = caught(model_flag, yt, pt)
    both = caught(rules_flag | model_flag, yt, pt)

    metrics = {
        "test_orders": int(len(test)),
        "test_fraud": int(yt.sum()),
        "test_fraud_share": round(float(yt.mean()), 4),
        "review_budget": args.budget,
        "reviews_at_budget": k,
        "roc_auc": round(float(roc_auc_score(yt, s_test)), 4),
        "average_precision": round(float(average_precision_score(yt, s_test)), 4),
        "rules_roc_auc": round(float(roc_auc_score(yt, rules_rank)), 4),
        "at_budget": {
            "model": model_at_budget,
            "rules": rules_at_budget,
            "lift_fraud_caught": ratio(model_at_budget["fraud_caught"], rules_at_budget["fraud_caught"]),
            "lift_precision": ratio(model_at_budget["precision"], rules_at_budget["precision"]),
        },
        "deployed": {
            "threshold_per_mille": per_mille,
            "rules_alone": rules_deployed,
            "model_alone": model_deployed,
            "rules_and_model": both,
            "lift_fraud_caught": ratio(both["fraud_caught"], rules_deployed["fraud_caught"]),
        },
        "onnx_vs_sklearn_max_abs_diff": drift,
    }
    counts = {
        split: {p: int(((d["split"] == split) & (d["pattern"] == p)).sum()) for p in ["honest", *PATTERNS]}
        for split in ["train", "test"]
    }
    card = {
        "version": version,
        "trained_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "onnx_sha256": sha,
        "features": features,
        "threshold_per_mille": per_mille,
        "review_budget": args.budget,
        "model": {
            "kind": "HistGradientBoostingClassifier",
            "params": {
                k_: v
                for k_, v in model.get_params().items()
                if k_ in ("learning_rate", "max_iter", "max_leaf_nodes", "min_samples_leaf", "l2_regularization")
            },
            "seed": args.seed,
            "fitted_rows": int(len(fit)),
            "validation_rows": int(len(valid)),
        },
        "data": {"rows": int(len(y)), "by_split": counts, "periods": {
            "train": [str(d["at"][train[0]]), str(d["at"][train[-1]])],
            "test": [str(d["at"][test[0]]), str(d["at"][test[-1]])],
        }},
        "libraries": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "skl2onnx": skl2onnx.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": ort.__version__,
            "numpy": np.__version__,
        },
        "report": metrics,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fraud-model.onnx").write_bytes(data)
    (args.out / "fraud-model.card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    (args.out / "REPORT.md").write_text(report(card))
    print(json.dumps({
        "version": version,
        "roc_auc": metrics["roc_auc"],
        "precision_at_budget": model_at_budget["precision"],
        "recall_at_budget": model_at_budget["recall"],
        "rules_precision_at_budget": rules_at_budget["precision"],
        "lift_at_budget": metrics["at_budget"]["lift_fraud_caught"],
        "threshold_per_mille": per_mille,
        "deployed_lift": metrics["deployed"]["lift_fraud_caught"],
    }))


def pct(v) -> str:
    return "—" if v is None else f"{v * 100:.1f} %"


def report(card: dict) -> str:
    m = card["report"]
    b, dep = m["at_budget"], m["deployed"]
    rows = [
        ("model, top " + str(m["reviews_at_budget"]), b["model"]),
        ("rules alone, top " + str(m["reviews_at_budget"]) + " by decision and score", b["rules"]),
    ]
    deployed = [
        ("rules alone (defaults: REVIEW or REJECT)", dep["rules_alone"]),
        (f"model alone (score ≥ {dep['threshold_per_mille'] / 1000:.3f})", dep["model_alone"]),
        ("rules + MODEL_SCORE rule", dep["rules_and_model"]),
    ]

    def table(items):
        head = "| | flagged | share of orders | fraud caught | precision | recall | " + " | ".join(
            f"{p} recall" for p in PATTERNS
        ) + " |\n|---|---:|---:|---:|---:|---:|" + "---:|" * len(PATTERNS)
        lines = [
            f"| {name} | {r['flagged']} | {pct(r['flag_rate'])} | {r['fraud_caught']} | {pct(r['precision'])} | {pct(r['recall'])} | "
            + " | ".join(
                f"{pct(r['by_pattern'][p]['recall'])} ({r['by_pattern'][p]['caught']}/{r['by_pattern'][p]['orders']})"
                for p in PATTERNS
            )
            + " |"
            for name, r in items
        ]
        return "\n".join([head, *lines])

    data = card["data"]
    return f"""# Fraud model report

Model `{card['version']}`, trained {card['trained_at']} by `npm run fraud-model:train`
(tools/fraud-model: the generator's synthetic activity replayed through risk's own scoring, then
scikit-learn {card['libraries']['scikit-learn']} `{card['model']['kind']}`, exported with skl2onnx
{card['libraries']['skl2onnx']}). Every figure below comes from the exported ONNX model run by
onnxruntime {card['libraries']['onnxruntime']} on the **held-out test period**
({data['periods']['test'][0][:10]} to {data['periods']['test'][-1][:10]}), which neither the fit nor the
threshold saw. The data are synthetic: the figures say the model learnt the patterns the
generator plants, not how it would do on real traffic (see apps/risk/README.md, "Fraud model").

Test period: {m['test_orders']} orders, {m['test_fraud']} fraudulent ({pct(m['test_fraud_share'])}): {', '.join(f"{p} {data['by_split']['test'][p]}" for p in PATTERNS)}.

## Ranking

| | ROC AUC | average precision |
|---|---:|---:|
| model | {m['roc_auc']:.4f} | {m['average_precision']:.4f} |
| rules alone (decision, then score) | {m['rules_roc_auc']:.4f} | — |

## At the review budget: {pct(m['review_budget'])} of orders ({m['reviews_at_budget']} reviews)

Operators review the {m['reviews_at_budget']} orders each ranks highest.

{table(rows)}

Lift over the rules alone at the same budget: **{b['lift_fraud_caught']}× the fraud caught**
(precision {pct(b['model']['precision'])} against {pct(b['rules']['precision'])}, {b['lift_precision']}×).

## As deployed

The default MODEL_SCORE rule (migration `1764000002200`) reviews orders scoring at least
**{dep['threshold_per_mille']} per mille** (`threshold_per_mille` of the card: the threshold with the
best F1 on the validation period, which the share of fraud moves little), on top of the default
rules:

{table(deployed)}

Rules + model catch **{dep['lift_fraud_caught']}×** the fraud the rules alone catch. The rules also flag what the
generator does not label as fraud (heavy returners, doubtful addresses, honest shared addresses),
which is counted against their precision here.

## Data and training

- Rows: {data['rows']} labelled orders (train {sum(data['by_split']['train'].values())}, test {sum(data['by_split']['test'].values())}); train period {data['periods']['train'][0][:10]} to {data['periods']['train'][-1][:10]}.
- Fit on the first 80 % of the train period ({card['model']['fitted_rows']} orders), threshold from the last 20 % ({card['model']['validation_rows']}).
- Parameters: {json.dumps(card['model']['params'])}, seed {card['model']['seed']}.
- ONNX against scikit-learn on the test rows: largest difference {m['onnx_vs_sklearn_max_abs_diff']:.2e}.
- Features ({len(card['features'])}, in the model's order): {', '.join('`' + f + '`' for f in card['features'])}.
"""


if __name__ == "__main__":
    main()
