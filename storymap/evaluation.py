"""Score storymap against gold toponym annotations (recognition P/R/F1, resolution accuracy).

Gold files are JSONL: {"id", "text", "lang"?, "toponyms": [{"start", "end", "lat", "lon",
"geonameid"?}]}. Recognition counts a gold span found when a predicted span overlaps it
(lenient) or has the same offsets (strict); resolution is right within 161 km (100 miles) or
with the same GeoNames id.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ACCURACY_KM = 161.0


@dataclass(frozen=True, slots=True)
class Scores:
    gold: int
    predicted: int
    strict_tp: int
    lenient_tp: int
    resolvable: int
    correct: int
    errors_km: tuple[float, ...]

    def prf(self, tp: int) -> tuple[float, float, float]:
        p = tp / self.predicted if self.predicted else 0.0
        r = tp / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def accuracy(self) -> float:
        return self.correct / self.resolvable if self.resolvable else 0.0

    @property
    def median_km(self) -> float:
        return statistics.median(self.errors_km) if self.errors_km else 0.0

    def table(self) -> str:
        sp, sr, sf = self.prf(self.strict_tp)
        lp, lr, lf = self.prf(self.lenient_tp)
        return "\n".join(
            [
                f"{'':<12}{'precision':>10}{'recall':>10}{'F1':>10}",
                f"{'strict':<12}{sp:>10.3f}{sr:>10.3f}{sf:>10.3f}",
                f"{'lenient':<12}{lp:>10.3f}{lr:>10.3f}{lf:>10.3f}",
                f"gold {self.gold}, predicted {self.predicted}",
                f"accuracy within {ACCURACY_KM:.0f} km: {self.accuracy:.3f} "
                f"({self.correct}/{self.resolvable}), median error {self.median_km:.1f} km",
            ]
        )


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def score(gold_docs: Iterable[Mapping[str, Any]], predictions: Mapping[str, Any]) -> Scores:
    """Compare gold documents with predictions keyed by document id (annotate output)."""
    n_gold = n_pred = strict = lenient = resolvable = correct = 0
    errors: list[float] = []
    for doc in gold_docs:
        gold = doc["toponyms"]
        pred = predictions.get(doc["id"], {}).get("mentions", [])
        n_gold += len(gold)
        n_pred += len(pred)
        used: set[int] = set()
        for g in gold:
            match = _match(g, pred, used)
            if match is None:
                continue
            used.add(match)
            m = pred[match]
            lenient += 1
            strict += (m["start"], m["end"]) == (g["start"], g["end"])
            if g.get("lat") is None or g.get("lon") is None:
                continue
            resolvable += 1
            place = m.get("place")
            if not place:
                continue
            km = haversine_km(g["lat"], g["lon"], place["lat"], place["lon"])
            errors.append(km)
            same_id = g.get("geonameid") is not None and g.get("geonameid") == place.get(
                "geonameid"
            )
            correct += km <= ACCURACY_KM or same_id
    return Scores(n_gold, n_pred, strict, lenient, resolvable, correct, tuple(errors))


def _match(g: Mapping[str, Any], pred: list[Mapping[str, Any]], used: set[int]) -> int | None:
    best = None
    for i, m in enumerate(pred):
        if i in used or not (m["start"] < g["end"] and g["start"] < m["end"]):
            continue
        if (m["start"], m["end"]) == (g["start"], g["end"]):
            return i
        if best is None:
            best = i
    return best


def read_jsonl(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
