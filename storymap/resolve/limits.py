"""The hand-set numbers that decide what the resolver does, in one table.

The weights of the evidence features are data (data/weights.tsv, fitted by
scripts/fit_weights.py); these are the thresholds around them: what counts as a big place,
how far "nearby" reaches, how common a word must be to need context.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    big_place: int = 200_000
    """People in a city that make its name worth reading without context ("London")."""
    strong_place: int = 100_000
    """People in a city whose clear name tells the article's country and neighbourhood."""
    hamlet: int = 20_000
    """Below this a town named like a country, region or sea needs "X, Y" (``hamlet``)."""
    rare_alias: int = 5_000
    """Below this an alternate name without context is a rare spelling, not this town."""
    big_city_alias: int = 5_000_000
    """A city this big keeps the short name people call it by ("New York"): no ``alias``."""
    namesake_city: int = 1_000_000
    """A city this big is the usual sense of a name it shares with a region (``namesake``)."""
    support_cap: int = 5
    """Mentions of other names in a country beyond this add no more ``country-mentions``."""
    nearby_km: float = 300.0
    """How far a clear place of the article lends a candidate the ``nearby`` bonus."""
    near_degrees: float = 2.7
    """`nearby_km` in degrees of latitude: the band of points a distance query reads."""
    same_cell_degrees: int = 1
    """Clear places are merged in cells of 10^-this degrees (~10 km)."""
    one_spot_km: float = 50.0
    """Prominent readings this close lie at one spot (Kansas City, MO and KS)."""
    prominent_margin: float = 1.0
    """Readings within this much prior of the top one could be meant on prominence alone."""
    shortlist: int = 12
    """Candidates scored per name by prior (plus half as many in the article's countries)."""
    kept: int = 5
    """Candidates kept per mention for a person to pick from."""
    confidence_slope: float = 2.0
    """Confidence is the logistic of this times the winner's margin over the runner-up."""
    hint_mentions: int = 5
    """A person's hint that the article is about a country counts as this many mentions."""
    function_word_zipf: float = 6.0
    """Words this frequent ("die", "will") are no place without context."""
    alias_common_zipf: float = 4.0
    """An alternate name this common as a word is no place without context ("Dabei")."""
    mid_common_zipf: float = 4.0
    """A town of `hamlet`+ people named like a word this common needs context."""
    small_common_zipf: float = 3.0
    """A smaller town named like a word this common needs strong context."""


LIMITS = Limits()
