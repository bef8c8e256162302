"""States and territories of the United States, as the 287(g) program uses them."""

STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "PR": "Puerto Rico",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "VI": "U.S. Virgin Islands",
    "AS": "American Samoa",
}

STATE_CHOICES = sorted(STATES.items(), key=lambda item: item[1])
_BY_NAME = {name.lower(): code for code, name in STATES.items()}
_BY_NAME.update(
    {
        "virgin islands": "VI",
        "us virgin islands": "VI",
        "washington dc": "DC",
        "washington, d.c.": "DC",
        "commonwealth of the northern mariana islands": "MP",
    }
)


def state_code(value: str | None) -> str | None:
    """The two-letter code of a state or territory written as a code or a name; None if unknown."""
    if not value:
        return None
    text = " ".join(str(value).replace("\u00a0", " ").split()).strip().rstrip(".")
    if text.upper() in STATES:
        return text.upper()
    return _BY_NAME.get(text.lower())
