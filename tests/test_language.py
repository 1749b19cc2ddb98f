"""Language detection: script first, then the detector, then the conversation's language."""
from __future__ import annotations

import pytest

from navigator.language import arabic_or_urdu, detect, dominant_script
from navigator.matcher import get_matcher

CASES = [
    ("I can't pay my rent this month and I am scared", "en"),
    ("Je n'arrive plus à payer mon loyer ce mois-ci, j'ai peur", "fr"),
    ("No puedo pagar la renta este mes y tengo miedo", "es"),
    ("Não consigo pagar o aluguel este mês e estou com medo", "pt"),
    ("Nie mogę zapłacić czynszu w tym miesiącu i się boję", "pl"),
    ("Hindi ko po mabayaran ang upa ngayong buwan, natatakot ako", "tl"),
    ("لا أستطيع دفع الإيجار هذا الشهر وأنا خائف", "ar"),
    ("میں اس مہینے کرایہ ادا نہیں کر سکتا اور مجھے ڈر لگ رہا ہے", "ur"),
    ("ਮੈਂ ਇਸ ਮਹੀਨੇ ਕਿਰਾਇਆ ਨਹੀਂ ਦੇ ਸਕਦਾ", "pa"),
    ("मैं इस महीने किराया नहीं दे सकता", "hi"),
    ("이번 달 월세를 못 내요", "ko"),
    ("这个月我付不起房租", "zh-Hans"),
    # short English messages, where the detector alone guesses other languages
    ("I am homeless", "en"),
    ("homeless in oakville, i'm 19", "en"),
    ("landlord evicting me", "en"),
    ("im homless", "en"),
    # a mixed message takes the language of its grammar, not of its English nouns
    ("kailangan ko po ng tulong sa landlord ko", "tl"),
    ("mon landlord veut me mettre dehors", "fr"),
    ("मुझे rent के लिए help चाहिए, landlord बहुत परेशान कर रहा है", "hi"),
    ("我的landlord要我搬走，怎么办", "zh-Hans"),
    ("제 landlord가 나가라고 해요", "ko"),
    # Hindi, Urdu and Punjabi in Latin letters
    ("mera ghar nahi hai aur landlord bahut pareshan kar raha hai", "hi"),
    ("mainu kam di lod hai, kithe milu madad", "pa"),
    ("neend nahi aundi, kise naal gall karni hai", "pa"),
    ("main bahut daaru peenda haan, koi program hai georgetown ch?", "pa"),
    ("landlord ne notice de diya ghar khali karne ka", "hi"),
    ("saanu ghar chahida kiraye te", "pa"),
    ("gurdwara kinne vaje khulda ji", "pa"),
    ("jazakallah bhai", "ur"),
    # Urdu on an Arabic keyboard keeps the letters Arabic never writes (ے ٹ ڈ ڑ ں)
    ("مجهے كهانا چاهيے", "ur"),
    # short, with a word Spanish and Portuguese share: the detector chooses between the two
    ("fui estuprada", "pt"),
    ("masjid wale bata rahe the ki aap madad karte hain, mujhe kaam chahiye", "ur"),
    # Arabic in Latin letters, with digits for Arabic sounds; postal codes and times are not that
    ("ana 3ayez shoghl fi milton", "ar"),
    ("wein b2dar la2i food bank bi oakville?", "ar"),
    ("meet me at L7L 5E2 at 5pm on the 25th", "en"),
    # Taglish: Tagalog particles around English words
    ("need ko ng daycare for my baby, may subsidy ba?", "tl"),
    ("salamat po sa help!", "tl"),
    # Polish "po" and "na" are not Tagalog
    ("tata po udarze, potrzebujemy opieki w domu", "pl"),
]


def test_romanised_hindi_or_urdu_follows_the_conversation() -> None:
    assert "ur" == detect("mujhe naukri chahiye, bahut pareshan hoon", fallback="ur").language
    assert "hi" == detect("mujhe naukri chahiye, bahut pareshan hoon", fallback="en").language
    # words that lean one way decide before the conversation does
    assert "ur" == detect("mera shohar ghar se nikal raha hai, kya karun", fallback="hi").language
    assert "ur" == detect("larki ki parhai ke liye madad chahiye", fallback="en").language
    assert "hi" == detect("ladki ki padhai ke liye madad chahiye", fallback="ur").language
    # Punjabi's own small words: nu (to), vi (also), ton (from), kive (how)
    assert "pa" == detect("mummy nu doctor kol jana, kive appointment milu", fallback="en").language
    # one such word among English ones is English
    assert "en" == detect("my son's teacher said he needs madad with reading", fallback="en").language


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_detect(text: str, expected: str) -> None:
    # with the shipped intents' words as the tie-breaker, as the matcher does
    assert expected == detect(text, lexicon=get_matcher().lexicon).language


@pytest.mark.parametrize(
    ("text", "fallback", "expected"),
    [
        ("food", "en", "en"),
        ("food", "fr", "fr"),  # very short: the conversation's language
        ("ok", "pt", "pt"),
        ("2", "ko", "ko"),
        ("🙂🙂", "es", "es"),
        ("", "pl", "pl"),
    ],
)
def test_short_messages_keep_the_conversation_language(text: str, fallback: str, expected: str) -> None:
    assert expected == detect(text, fallback=fallback).language


def test_a_short_word_known_in_one_other_language_moves_the_conversation() -> None:
    def lexicon(words: list[str]) -> dict[str, float]:
        return {"fr": float("merci" in words), "en": 0.0}

    assert "fr" == detect("merci", fallback="en", lexicon=lexicon).language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مجھے مدد چاہیے، میرا بیٹا بیمار ہے", "ur"),
        ("أحتاج مساعدة، ابني مريض", "ar"),
        ("بدي مساعدة بالإيجار", "ar"),  # Levantine Arabic
        ("میرے پاس کھانا نہیں ہے", "ur"),
        ("في مشكلة مع صاحب البيت", "ar"),
    ],
)
def test_arabic_or_urdu_from_letters_and_words(text: str, expected: str) -> None:
    assert expected == arabic_or_urdu(text)[0]
    assert expected == detect(text).language


def test_arabic_script_with_no_evidence_keeps_an_arabic_script_conversation() -> None:
    assert "ur" == detect("سلام", fallback="ur").language
    assert "ar" == detect("سلام", fallback="en").language


def test_dominant_script_counts_non_latin_letters_more() -> None:
    assert "devanagari" == dominant_script("please help मुझे मदद चाहिए")
    assert "latin" == dominant_script("hello")
    assert dominant_script("123 !!") is None
