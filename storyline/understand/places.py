"""Place names news writes in several ways, and the adjectives made from them.

spaCy's small English model often types a capital as a person ("Kyiv had postponed ...") and
cannot know that "the U.S." and "United States", or "Kiev" and "Kyiv", are one place. This
small gazetteer of countries, a few regions and the cities news mentions most fixes both: a
name in it is a place, and every spelling in it comes back as one canonical name.

Demonyms ("Ukrainian", "North Korean") are kept beside their country for two reasons: an
adjective is not a mention of the place (see :mod:`storyline.understand.entities`), and a
possessive before an institution becomes its adjective ("Russia's Defense Ministry" is the
"Russian Defense Ministry").

Region words ("Oblast", "region", "province") name the administrative region around a city:
"Kursk Oblast" and "the Kursk region" are one place, and a different one from the city Kursk.
"""

from __future__ import annotations

from functools import cache

from storyline.understand.names import fold

# One country or region a line: canonical name | other spellings | demonyms (first is preferred).
_COUNTRIES = """
Afghanistan||Afghan
Albania||Albanian
Algeria||Algerian
Andorra||Andorran
Angola||Angolan
Argentina||Argentine,Argentinian
Armenia||Armenian
Australia||Australian
Austria||Austrian
Azerbaijan||Azerbaijani
Bahrain||Bahraini
Bangladesh||Bangladeshi
Belarus|Byelorussia|Belarusian
Belgium||Belgian
Benin||Beninese
Bhutan||Bhutanese
Bolivia||Bolivian
Bosnia and Herzegovina|Bosnia|Bosnian
Botswana||Botswanan
Brazil||Brazilian
Bulgaria||Bulgarian
Burkina Faso||Burkinabe
Burundi||Burundian
Cambodia||Cambodian
Cameroon||Cameroonian
Canada||Canadian
Chad||Chadian
Chile||Chilean
China|People's Republic of China,PRC,Mainland China|Chinese
Colombia||Colombian
Costa Rica||Costa Rican
Croatia||Croatian
Cuba||Cuban
Cyprus||Cypriot
Czech Republic|Czechia|Czech
Democratic Republic of the Congo|DR Congo,DRC,Congo-Kinshasa|Congolese
Denmark||Danish
Djibouti||Djiboutian
Dominican Republic||Dominican
Ecuador||Ecuadorian
Egypt||Egyptian
El Salvador||Salvadoran
Eritrea||Eritrean
Estonia||Estonian
Ethiopia||Ethiopian
Finland||Finnish
France||French
Gabon||Gabonese
Georgia||Georgian
Germany||German
Ghana||Ghanaian
Greece||Greek
Guatemala||Guatemalan
Guinea||Guinean
Haiti||Haitian
Honduras||Honduran
Hungary||Hungarian
Iceland||Icelandic
India||Indian
Indonesia||Indonesian
Iran||Iranian
Iraq||Iraqi
Ireland|Republic of Ireland|Irish
Israel||Israeli
Italy||Italian
Ivory Coast|Cote d'Ivoire|Ivorian
Jamaica||Jamaican
Japan||Japanese
Jordan||Jordanian
Kazakhstan||Kazakh
Kenya||Kenyan
Kosovo||Kosovar
Kuwait||Kuwaiti
Kyrgyzstan||Kyrgyz
Laos||Lao,Laotian
Latvia||Latvian
Lebanon||Lebanese
Liberia||Liberian
Libya||Libyan
Lithuania||Lithuanian
Luxembourg||Luxembourgish
Madagascar||Malagasy
Malawi||Malawian
Malaysia||Malaysian
Mali||Malian
Malta||Maltese
Mauritania||Mauritanian
Mexico||Mexican
Moldova||Moldovan
Monaco||Monegasque
Mongolia||Mongolian
Montenegro||Montenegrin
Morocco||Moroccan
Mozambique||Mozambican
Myanmar|Burma|Myanmar,Burmese
Namibia||Namibian
Nepal||Nepali,Nepalese
Netherlands|Holland|Dutch
New Zealand||New Zealander
Nicaragua||Nicaraguan
Niger||Nigerien
Nigeria||Nigerian
North Korea|DPRK,Democratic People's Republic of Korea|North Korean
North Macedonia|Macedonia|Macedonian
Norway||Norwegian
Oman||Omani
Pakistan||Pakistani
Palestine|Palestinian territories|Palestinian
Panama||Panamanian
Paraguay||Paraguayan
Peru||Peruvian
Philippines||Filipino,Philippine
Poland||Polish
Portugal||Portuguese
Qatar||Qatari
Republic of the Congo|Congo-Brazzaville,Congo|Congolese
Romania||Romanian
Russia|Russian Federation|Russian
Rwanda||Rwandan
Saudi Arabia||Saudi,Saudi Arabian
Senegal||Senegalese
Serbia||Serbian
Sierra Leone||Sierra Leonean
Singapore||Singaporean
Slovakia||Slovak
Slovenia||Slovenian
Somalia||Somali
South Africa||South African
South Korea|Republic of Korea|South Korean
South Sudan||South Sudanese
Spain||Spanish
Sri Lanka||Sri Lankan
Sudan||Sudanese
Sweden||Swedish
Switzerland||Swiss
Syria||Syrian
Taiwan||Taiwanese
Tajikistan||Tajik
Tanzania||Tanzanian
Thailand||Thai
Togo||Togolese
Tunisia||Tunisian
Turkey|Turkiye,Türkiye|Turkish
Turkmenistan||Turkmen
Uganda||Ugandan
Ukraine|the Ukraine|Ukrainian
United Arab Emirates|UAE,U.A.E.,Emirates|Emirati
United Kingdom|UK,U.K.,Britain,Great Britain|British
United States|US,U.S.,USA,U.S.A.,America,United States of America|American
Uruguay||Uruguayan
Uzbekistan||Uzbek
Venezuela||Venezuelan
Vietnam|Viet Nam|Vietnamese
Yemen||Yemeni
Zambia||Zambian
Zimbabwe||Zimbabwean
Europe||European
Asia||Asian
Africa||African
Latin America||Latin American
Middle East|Mideast|Middle Eastern
Scandinavia||Scandinavian
Crimea|Crimean Peninsula|Crimean
Donbas|Donbass|
Gaza|Gaza Strip|Gazan
West Bank||
Kashmir||Kashmiri
Chechnya||Chechen
Transnistria||
Abkhazia||Abkhaz
Kurdistan||Kurdish
England||English
Scotland||Scottish
Wales||Welsh
Northern Ireland||
"""

# Capitals and the cities news names most, with their other spellings. Cities that are also
# common given names or surnames (Victoria, Kingston, Lincoln, ...) are left out on purpose.
_CITIES = """
Kyiv|Kiev
Kharkiv|Kharkov
Odesa|Odessa
Lviv|Lvov,Lwow
Dnipro
Zaporizhzhia|Zaporozhye,Zaporizhia
Mykolaiv|Nikolaev,Mykolayiv
Kherson
Donetsk
Luhansk|Lugansk
Mariupol
Bakhmut|Artemivsk
Sumy
Chernihiv|Chernigov
Poltava
Vinnytsia|Vinnitsa
Sevastopol
Simferopol
Moscow
St. Petersburg|Saint Petersburg,St Petersburg
Kursk
Belgorod
Bryansk
Rostov-on-Don
Volgograd
Minsk
Warsaw
Berlin
Paris
London
Rome
Madrid
Brussels
Vienna
Prague
Budapest
Bucharest
Sofia
Athens
Ankara
Istanbul
Tbilisi
Yerevan
Baku
Chisinau|Kishinev
Vilnius
Riga
Tallinn
Helsinki
Stockholm
Oslo
Copenhagen
Amsterdam
The Hague|Hague
Geneva
Bern
Lisbon
Dublin
Edinburgh
Belgrade
Zagreb
Ljubljana
Sarajevo
Pristina
Skopje
Tirana
Beijing|Peking
Shanghai
Hong Kong
Taipei
Tokyo
Seoul
Pyongyang
New Delhi
Mumbai|Bombay
Islamabad
Kabul
Tehran
Baghdad
Damascus
Beirut
Jerusalem
Tel Aviv
Amman
Riyadh
Doha
Abu Dhabi
Dubai
Cairo
Tripoli
Tunis
Algiers
Khartoum
Addis Ababa
Nairobi
Kinshasa
Lagos
Abuja
Johannesburg
Pretoria
Cape Town
Mexico City
Havana
Caracas
Bogota|Bogotá
Brasilia|Brasília
Buenos Aires
Ottawa
Toronto
New York|New York City,NYC
Los Angeles
Chicago
Washington|Washington D.C.,D.C.,Washington DC
Canberra
Bangkok
Hanoi
Manila
Jakarta
Singapore
Kuala Lumpur
Tashkent
Astana|Nur-Sultan
Almaty
"""

_REGION_WORDS = {
    "oblast": "Oblast",
    "oblasts": "Oblast",
    "region": "region",
    "regions": "region",
    "province": "province",
    "provinces": "province",
    "krai": "Krai",
    "governorate": "governorate",
    "governorates": "governorate",
}
# Every region word is one region in keys: "Kursk Oblast" and "the Kursk region" are one place.
_REGION_KEY = "region"


def _table(text: str, columns: int) -> list[list[list[str]]]:
    """Rows of ``a|b,c|d`` lines: each cell a list of its comma-separated values."""
    rows = []
    for line in text.strip().splitlines():
        cells = (line.split("|") + [""] * columns)[:columns]
        rows.append([[v.strip() for v in cell.split(",") if v.strip()] for cell in cells])
    return rows


@cache
def _canonical_places() -> dict[str, str]:
    """Folded spelling of every gazetteer place -> its canonical name."""
    names: dict[str, str] = {}
    for (canonical,), aliases, _ in _table(_COUNTRIES, 3):
        for spelling in (canonical, *aliases):
            names[fold(spelling)] = canonical
    for (canonical,), aliases in _table(_CITIES, 2):
        for spelling in (canonical, *aliases):
            names.setdefault(fold(spelling), canonical)
    return names


@cache
def _demonyms() -> tuple[dict[str, str], dict[str, str]]:
    """(folded demonym -> country, country -> its preferred demonym)."""
    to_country: dict[str, str] = {}
    preferred: dict[str, str] = {}
    for (canonical,), _, demonyms in _table(_COUNTRIES, 3):
        for demonym in demonyms:
            to_country.setdefault(fold(demonym), canonical)
            to_country.setdefault(fold(demonym) + "s", canonical)  # "Ukrainians"
        if demonyms:
            preferred[canonical] = demonyms[0]
    return to_country, preferred


@cache
def place_first_words() -> frozenset[str]:
    """The first words, in lower case, of every spelling in the gazetteer, with and without
    accents: a quick test that a word starts no place name."""
    spellings = [s for row in _table(_COUNTRIES, 3) for s in row[0] + row[1]]
    spellings += [s for row in _table(_CITIES, 2) for s in row[0] + row[1]]
    return frozenset(w for s in spellings for w in (s.lower().split()[0], fold(s).split()[0]))


def canonical_place(name: str) -> str | None:
    """The gazetteer's canonical name for ``name`` ("the U.S." -> "United States"), or None."""
    folded = fold(name)
    places = _canonical_places()
    found = places.get(folded)
    if found is None and folded.startswith("the "):
        found = places.get(folded[4:])
    return found


@cache
def _countries() -> frozenset[str]:
    return frozenset(canonical for (canonical,), _, _ in _table(_COUNTRIES, 3))


def is_country(name: str) -> bool:
    """Whether ``name`` is a country or a larger region, not a city ("Crimea", "Ukraine")."""
    return canonical_place(name) in _countries()


def is_demonym(name: str) -> bool:
    """Whether ``name`` is a people's adjective or plural ("Ukrainian", "North Koreans")."""
    return fold(name) in _demonyms()[0]


def demonym_of(name: str) -> str | None:
    """The adjective of the country ``name`` ("Russia" -> "Russian"), or None."""
    country = canonical_place(name)
    return _demonyms()[1].get(country) if country else None


REGION_WORDS = frozenset(_REGION_WORDS)


def region_word(word: str) -> str | None:
    """The singular region word ("Oblast", "region") that ``word`` is a form of, or None."""
    return _REGION_WORDS.get(word.lower())


def region_key_word(word: str) -> str:
    """``word`` as keys spell it: every region word is "region", other words unchanged."""
    return _REGION_KEY if word in _REGION_WORDS else word
