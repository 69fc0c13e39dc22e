"""A generated corpus for the corpus-mode tests and benchmark: short German and English news
items built from our own sentence templates and place names, combined at random (seeded)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

DE_PLACES = [
    "Berlin", "Hamburg", "München", "Köln", "Leipzig", "Dresden", "Wien", "Zürich", "Paris",
    "Warschau", "Kiew", "Moskau", "Rom", "Madrid", "Prag", "Brüssel", "Bayern", "Sachsen",
    "Frankreich", "Polen", "Österreich", "Italien", "Japan", "Kanada",
]
EN_PLACES = [
    "London", "Manchester", "Chicago", "Boston", "Texas", "Ohio", "Toronto", "Sydney",
    "Dublin", "Paris", "Berlin", "Tokyo", "Nairobi", "Kenya", "Mexico", "Brazil", "Scotland",
    "California", "Seattle", "Denver", "India", "Egypt",
]
DE_TITLES = [
    "Neue Pläne für {a}", "Streit um Haushalt in {a}", "Hochwasser erreicht {a}",
    "Besuch aus {b} in {a}", "Wahl in {a}: knappes Ergebnis",
]
EN_TITLES = [
    "New plans for {a}", "Budget dispute in {a}", "Floods reach {a}",
    "Visitors from {b} arrive in {a}", "Election in {a} too close to call",
]
DE_SENTENCES = [
    "Die Stadtverwaltung in {a} hat am Montag neue Pläne für den Nahverkehr vorgestellt.",
    "Nach Angaben der Behörden in {a} sollen die Arbeiten im Herbst beginnen.",
    "Auch in {b} wird seit Wochen über das Vorhaben gestritten.",
    "Eine Delegation aus {b} reiste am Dienstag nach {a}, um die Gespräche fortzusetzen.",
    "Der Bürgermeister von {a} sagte, man habe aus den Erfahrungen in {b} gelernt.",
    "Die Zahl der Besucher in {a} ist im vergangenen Jahr deutlich gestiegen.",
    "Kritiker in {b} bezweifeln, dass die Finanzierung gesichert ist.",
    "Die Landesregierung will die Pläne bis zum Sommer prüfen lassen.",
    "Zwischen {a} und {b} soll zudem eine neue Bahnverbindung entstehen.",
]
EN_SENTENCES = [
    "City officials in {a} presented new transport plans on Monday.",
    "According to authorities in {a}, work is expected to begin in the autumn.",
    "In {b}, the project has been debated for weeks.",
    "A delegation from {b} travelled to {a} on Tuesday to continue the talks.",
    "The mayor of {a} said lessons had been learned from the experience in {b}.",
    "Visitor numbers in {a} rose sharply last year.",
    "Critics in {b} doubt that the funding is secure.",
    "The state government wants the plans reviewed by the summer.",
    "A new rail link between {a} and {b} is also planned.",
]
DE_NEUTRAL = [
    "Die Opposition kündigte an, den Entwurf genau zu prüfen.",
    "Ein Sprecher wollte sich zu den Einzelheiten zunächst nicht äußern.",
    "Die Kosten werden auf mehrere Millionen Euro geschätzt.",
    "Anwohner hatten zuvor eine Petition mit Tausenden Unterschriften eingereicht.",
    "Eine Entscheidung wird frühestens im kommenden Monat erwartet.",
    "Fachleute verweisen auf steigende Preise für Material und Energie.",
]
EN_NEUTRAL = [
    "The opposition said it would scrutinise the draft closely.",
    "A spokesperson declined to comment on the details.",
    "The cost is estimated at several million dollars.",
    "Residents had earlier handed in a petition with thousands of signatures.",
    "A decision is not expected before next month.",
    "Experts point to rising prices for materials and energy.",
]


def make_document(rng: random.Random, index: int, *, paragraphs: int = 3,
                  dated: bool = True, german: bool | None = None) -> dict[str, Any]:
    """One document: {"id", "text", "date"?} with a title and `paragraphs` paragraphs."""
    if german is None:
        german = rng.random() < 0.5
    places = DE_PLACES if german else EN_PLACES
    titles = DE_TITLES if german else EN_TITLES
    sentences = DE_SENTENCES if german else EN_SENTENCES

    def fill(template: str) -> str:
        a, b = rng.sample(places, 2)
        return template.format(a=a, b=b)

    lines = [fill(rng.choice(titles))]
    for _ in range(paragraphs):
        lines.append(" ".join(fill(s) for s in rng.sample(sentences, 3)))
    doc: dict[str, Any] = {"id": f"doc-{index:05d}", "text": "\n".join(lines)}
    if dated and rng.random() < 0.8:
        doc["date"] = f"2024-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"
    return doc


def make_corpus(n: int, *, seed: int = 7, paragraphs: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_document(rng, i, paragraphs=paragraphs) for i in range(n)]


def sized_corpus(n: int, size: int, *, seed: int = 11) -> list[dict[str, Any]]:
    """Documents of about `size` characters, about one sentence in four naming places (news
    paragraphs name fewer places than the short items)."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        german = rng.random() < 0.5
        doc = make_document(rng, i, paragraphs=1, german=german)
        neutral = DE_NEUTRAL if german else EN_NEUTRAL
        places = DE_PLACES if german else EN_PLACES
        sentences = DE_SENTENCES if german else EN_SENTENCES
        while len(doc["text"]) < size:
            a, b = rng.sample(places, 2)
            placed = rng.choice(sentences).format(a=a, b=b)
            doc["text"] += "\n" + " ".join([*rng.sample(neutral, 3), placed])
        docs.append(doc)
    return docs


def write_jsonl(path: Path, docs: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def sorted_lines(path: Path) -> list[str]:
    """The output's lines sorted by document id (for comparing runs)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return sorted(lines, key=lambda line: json.dumps(json.loads(line)["id"]))
