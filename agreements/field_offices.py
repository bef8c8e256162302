"""The 25 ICE ERO field offices and their areas of responsibility, shipped by a data
migration. States shared by several offices list a default office and the counties the
portal knows for the others (normalised names, without "county")."""

FIELD_OFFICES = [
    # code, name, city, state, states of the area of responsibility
    ("ATL", "Atlanta", "Atlanta", "GA", ["GA", "NC", "SC"]),
    ("BAL", "Baltimore", "Baltimore", "MD", ["MD"]),
    ("BOS", "Boston", "Burlington", "MA", ["CT", "ME", "MA", "NH", "RI", "VT"]),
    ("BUF", "Buffalo", "Buffalo", "NY", ["NY"]),
    ("CHI", "Chicago", "Chicago", "IL", ["IL", "IN", "KS", "KY", "MO", "WI"]),
    ("DAL", "Dallas", "Dallas", "TX", ["OK", "TX"]),
    ("DEN", "Denver", "Centennial", "CO", ["CO", "WY"]),
    ("DET", "Detroit", "Detroit", "MI", ["MI", "OH"]),
    ("ELP", "El Paso", "El Paso", "TX", ["NM", "TX"]),
    ("HLG", "Harlingen", "Harlingen", "TX", ["TX"]),
    ("HOU", "Houston", "Houston", "TX", ["TX"]),
    ("LOS", "Los Angeles", "Los Angeles", "CA", ["CA"]),
    ("MIA", "Miami", "Miramar", "FL", ["FL", "PR", "VI"]),
    ("NOL", "New Orleans", "New Orleans", "LA", ["AL", "AR", "LA", "MS", "TN"]),
    ("NYC", "New York City", "New York", "NY", ["NY"]),
    ("NEW", "Newark", "Newark", "NJ", ["NJ"]),
    ("PHI", "Philadelphia", "Philadelphia", "PA", ["DE", "PA", "WV"]),
    ("PHO", "Phoenix", "Phoenix", "AZ", ["AZ"]),
    ("SLC", "Salt Lake City", "West Valley City", "UT", ["ID", "MT", "NV", "UT"]),
    ("SNA", "San Antonio", "San Antonio", "TX", ["TX"]),
    ("SND", "San Diego", "San Diego", "CA", ["CA"]),
    ("SFR", "San Francisco", "San Francisco", "CA", ["CA", "HI", "GU", "MP", "AS"]),
    ("SEA", "Seattle", "Tukwila", "WA", ["AK", "OR", "WA"]),
    ("SPM", "St. Paul", "Fort Snelling", "MN", ["IA", "MN", "NE", "ND", "SD"]),
    ("WAS", "Washington", "Chantilly", "VA", ["DC", "VA"]),
]

#: The default office of each state shared by several offices.
SPLIT_STATE_DEFAULTS = {"TX": "HOU", "CA": "SFR", "NY": "BUF"}

#: Counties of split states whose office is not the state's default.
SPLIT_STATE_COUNTIES = {
    "CA": {
        "LOS": ["los angeles", "orange", "riverside", "san bernardino", "ventura", "santa barbara", "san luis obispo"],
        "SND": ["san diego", "imperial"],
    },
    "NY": {
        "NYC": [
            "new york",
            "kings",
            "queens",
            "bronx",
            "richmond",
            "nassau",
            "suffolk",
            "westchester",
            "rockland",
            "putnam",
            "dutchess",
            "orange",
            "ulster",
            "sullivan",
        ],
    },
    "TX": {
        "DAL": [
            "dallas",
            "tarrant",
            "collin",
            "denton",
            "ellis",
            "johnson",
            "kaufman",
            "rockwall",
            "parker",
            "hunt",
            "grayson",
            "wise",
            "hood",
            "navarro",
            "mclennan",
            "lubbock",
            "potter",
            "randall",
            "wichita",
            "taylor",
            "tom green",
            "smith",
            "gregg",
            "bowie",
            "hale",
            "erath",
            "somervell",
            "palo pinto",
            "cooke",
            "fannin",
            "lamar",
            "hill",
            "bell",
            "coryell",
            "brown",
            "jack",
            "young",
        ],
        "ELP": [
            "el paso",
            "hudspeth",
            "culberson",
            "jeff davis",
            "presidio",
            "brewster",
            "reeves",
            "pecos",
            "ward",
            "winkler",
            "loving",
            "ector",
            "midland",
            "andrews",
            "crane",
            "upton",
            "terrell",
        ],
        "HLG": ["cameron", "hidalgo", "willacy", "starr", "zapata", "jim hogg", "brooks", "kenedy"],
        "SNA": [
            "bexar",
            "travis",
            "williamson",
            "hays",
            "comal",
            "guadalupe",
            "webb",
            "val verde",
            "maverick",
            "kinney",
            "uvalde",
            "medina",
            "atascosa",
            "wilson",
            "kendall",
            "kerr",
            "bandera",
            "caldwell",
            "bastrop",
            "gillespie",
            "llano",
            "burnet",
            "blanco",
            "dimmit",
            "zavala",
            "frio",
            "la salle",
            "mcmullen",
            "live oak",
            "bee",
            "karnes",
            "gonzales",
            "lee",
            "fayette",
            "real",
            "edwards",
        ],
        "HOU": [
            "harris",
            "fort bend",
            "montgomery",
            "galveston",
            "brazoria",
            "jefferson",
            "nueces",
            "orange",
            "liberty",
            "chambers",
            "waller",
            "walker",
            "brazos",
            "matagorda",
            "wharton",
            "victoria",
            "san patricio",
            "aransas",
            "kleberg",
            "jim wells",
            "hardin",
            "polk",
            "angelina",
            "nacogdoches",
        ],
    },
}


def load_field_offices(FieldOffice, StateOffice) -> None:
    """Create or update the 25 offices and the state and county table (idempotent). Takes
    the model classes so the data migration can pass its historical models."""
    offices = {}
    for code, name, city, state, states in FIELD_OFFICES:
        offices[code], _ = FieldOffice.objects.update_or_create(
            code=code, defaults={"name": name, "city": city, "state": state, "states": states}
        )
    covered: dict[str, list[str]] = {}
    for code, _, _, _, states in FIELD_OFFICES:
        for state in states:
            covered.setdefault(state, []).append(code)
    for state, codes in covered.items():
        default = SPLIT_STATE_DEFAULTS.get(state, codes[0])
        StateOffice.objects.update_or_create(state=state, county="", defaults={"field_office": offices[default]})
    for state, by_office in SPLIT_STATE_COUNTIES.items():
        for code, counties in by_office.items():
            for county in counties:
                StateOffice.objects.update_or_create(
                    state=state, county=county, defaults={"field_office": offices[code]}
                )
