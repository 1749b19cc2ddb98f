"""People: ages that are ages (not times), whom the help is for, and who is young, in every language."""
from __future__ import annotations

import shutil

import pytest

from navigator import settings
from navigator.intents import load_intents
from navigator.normalise import normalise
from navigator.people import PeopleFinder


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> PeopleFinder:
    folder = tmp_path_factory.mktemp("intents")
    shutil.copy(settings.INTENTS_DIR / "people.yaml", folder)
    return PeopleFinder(load_intents(folder).people)


# (text, lang, age, for whom, young)
PEOPLE = [
    ("my 14 yr old won't talk to us", "en", 14, "child", True),
    ("I'm 80 and alone", "en", 80, "self", False),
    ("my mom has dementia", "en", None, "parent", False),
    ("a client of mine needs a shelter", "en", None, "client", False),
    ("I'm a police officer, a woman here needs help", "en", None, "client", False),
    ("my son is in grade 9", "en", None, "child", True),
    ("mon fils de 12 ans", "fr", 12, "child", True),
    ("tengo 19 años", "es", 19, "self", False),
    ("minha mãe tem 75 anos", "pt", 75, "parent", False),
    ("córka ma 14 lat", "pl", 14, "child", True),
    ("anak ko po 4 taong gulang", "tl", 4, "child", True),
    ("ابني عمره ٨ سنين", "ar", 8, "child", True),
    ("میری بیٹی 15 سال کی ہے", "ur", 15, "child", True),
    ("मेरी बेटी 13 साल की है", "hi", 13, "child", True),
    ("ਮੇਰੀ ਮਾਂ 80 ਸਾਲ ਦੀ ਹੈ", "pa", 80, "parent", False),
    ("我儿子15岁", "zh-Hans", 15, "child", True),
    ("우리 아들이 16살이에요", "ko", 16, "child", True),
]

# Ages said the ways people say them: (text, lang, age).
AGES = [
    ("15 yo and sad all the time", "en", 15),
    ("my 14 year old", "en", 14),
    ("she's 16 and won't eat", "en", 16),
    ("I'm 80", "en", 80),
    ("aged 70, living alone", "en", 70),
    ("son is 8", "en", 8),
    ("my son's 8", "en", 8),
    ("daughter, 15, cutting herself", "en", 15),
    ("elle a 15 ans", "fr", 15),
    ("j'ai 16 ans et je suis triste", "fr", 16),
    ("ma fille de 14 ans", "fr", 14),
    ("mi hija tiene 16 años", "es", 16),
    ("mi hijo de 9 años", "es", 9),
    ("tenho 15 anos", "pt", 15),
    ("meu filho de 7 anos", "pt", 7),
    ("córka ma 16 lat", "pl", 16),
    ("mam 17 lat", "pl", 17),
    ("14-letni syn", "pl", 14),
    ("15 po ako", "tl", 15),
    ("16 anyos na siya", "tl", 16),
    ("عمري 15 سنة", "ar", 15),
    ("ابني 12 سنة", "ar", 12),
    ("میرا بیٹا 14 سال کا ہے", "ur", 14),
    ("मेरा बेटा 16 साल का है", "hi", 16),
    ("ਮੇਰਾ ਪੁੱਤ 15 ਸਾਲ ਦਾ ਹੈ", "pa", 15),
    ("女儿16岁", "zh-Hans", 16),
    ("16살 딸", "ko", 16),
    ("만 15세", "ko", 15),
]

# Times, durations and the ages of things: no age here.
NOT_AGES = [
    ("I tried to kill myself 2 years ago", "en"),
    ("depressed for 10 years", "en"),
    ("we live in a 15 year old house", "en"),
    ("married 12 years and he yells", "en"),
    ("12 years in Canada and still no job", "en"),
    ("I'm 3 months behind on rent", "en"),
    ("I was abused at age 8", "en"),
    ("I have 2 kids", "en"),
    ("j'ai fait une tentative il y a 2 ans", "fr"),
    ("je suis déprimé depuis 3 ans", "fr"),
    ("hace 3 años que estoy triste", "es"),
    ("tengo 3 hijos", "es"),
    ("há 5 anos tentei me matar", "pt"),
    ("tenho 2 filhos", "pt"),
    ("5 lat temu", "pl"),
    ("od 5 lat mam depresję", "pl"),
    ("mam 2 dzieci", "pl"),
    ("5 taon na ang nakalipas", "tl"),
    ("قبل 5 سنوات", "ar"),
    ("منذ 3 سنوات", "ar"),
    ("5 سال پہلے", "ur"),
    ("3 سال سے", "ur"),
    ("5 साल पहले", "hi"),
    ("3 साल से", "hi"),
    ("5 ਸਾਲ ਪਹਿਲਾਂ", "pa"),
    ("3 ਸਾਲਾਂ ਤੋਂ", "pa"),
    ("5年前", "zh-Hans"),
    ("我8岁时被打", "zh-Hans"),
    ("5년 전", "ko"),
    ("8살 때", "ko"),
]

# Whether the message is about a young person: (text, lang, young).
YOUNG = [
    # An adult age outweighs youth words said of the same person.
    ("my son is 20 and hasn't left his room in months", "en", False),
    ("my kid is 22, the teen years were easy", "en", False),
    ("my daughter is 19 and anxious", "en", False),
    # Son or daughter alone says nothing of age.
    ("my son hasn't left his room in months", "en", False),
    ("mi hija está deprimida", "es", False),
    # A parent's own age is not the child's.
    ("I'm 45 and my teen is anxious", "en", True),
    # A youth word beside a parent or a partner is about something else.
    ("my mom is lonely since she retired from teaching high school", "en", False),
    ("my husband works at a high school and drinks every night", "en", False),
    # Any age under 18 makes the message about a young person.
    ("son is 8 and anxious", "en", True),
    ("I'm 16 and my mom yells", "en", True),
    # School words, in every language.
    ("my son is in 10th grade", "en", True),
    ("he is in 9th class", "en", True),
    ("my daughter in high school", "en", True),
    ("secondary school", "en", True),
    ("mon fils à l'école", "fr", True),
    ("ma fille au lycée", "fr", True),
    ("mi hijo en la escuela", "es", True),
    ("minha filha na escola", "pt", True),
    ("mój syn w liceum", "pl", True),
    ("anak ko sa paaralan", "tl", True),
    ("ابني في المدرسة", "ar", True),
    ("میرا بیٹا نویں جماعت میں ہے", "ur", True),
    ("मेरा बेटा स्कूल में", "hi", True),
    ("ਮੇਰਾ ਪੁੱਤ ਸਕੂਲ ਜਾਂਦਾ", "pa", True),
    ("我儿子上高中", "zh-Hans", True),
    ("아들이 중학생이에요", "ko", True),
    # Times are not ages, so no one here is young.
    ("j'ai fait une tentative il y a 2 ans", "fr", False),
    ("hace 3 años que estoy triste", "es", False),
    ("5 lat temu", "pl", False),
]


@pytest.mark.parametrize(("text", "lang", "age", "whom", "young"), PEOPLE)
def test_people(people: PeopleFinder, text: str, lang: str, age: int | None, whom: str, young: bool) -> None:
    found = people.find(normalise(text, lang), lang)
    assert (age, whom, young) == (found.age, found.for_whom, found.young)


@pytest.mark.parametrize(("text", "lang", "age"), AGES)
def test_ages(people: PeopleFinder, text: str, lang: str, age: int) -> None:
    assert age == people.find(normalise(text, lang), lang).age


@pytest.mark.parametrize(("text", "lang"), NOT_AGES)
def test_times_are_not_ages(people: PeopleFinder, text: str, lang: str) -> None:
    found = people.find(normalise(text, lang), lang)
    assert (None, False) == (found.age, found.young)


@pytest.mark.parametrize(("text", "lang", "young"), YOUNG)
def test_young(people: PeopleFinder, text: str, lang: str, young: bool) -> None:
    assert young == people.find(normalise(text, lang), lang).young
