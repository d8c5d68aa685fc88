"""Text becomes searchable words one way, for both databases (hub.models.search)."""

import pytest

from hub.models.search import MAX_WORD_LENGTH, html_text, search_row_values, search_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Café-Bar №5, STRASSE", ["cafe", "bar", "no5", "strasse"]),
        ("cafe bar No5 straße", ["cafe", "bar", "no5", "strasse"]),
        ("İstanbul ZÜRICH Αθήνα", ["istanbul", "zurich", "αθηνα"]),
        ("北京 x² ﬁne", ["北京", "x2", "fine"]),
        ("don't stop—re-use_it", ["don", "t", "stop", "re", "use", "it"]),
        ("a" * (MAX_WORD_LENGTH + 1) + " kept", ["kept"]),
        ("", []),
    ],
    ids=["accents", "folds-alike", "scripts", "compatibility", "punctuation", "long", "empty"],
)
def test_words_are_letters_and_digits_folded(text: str, words: list[str]) -> None:
    assert search_words(text) == words


def test_html_gives_its_text_without_markup_or_scripts() -> None:
    fragment = '<p class="x">Three <em>bins</em> &amp; soil</p><script>evil()</script>'
    assert html_text(fragment).split() == ["Three", "bins", "&", "soil"]


def test_our_summaries_are_plain_text_and_others_are_html() -> None:
    ours = search_row_values("T", "<b>bold</b>", "", summary_is_html=False)
    theirs = search_row_values("T", "<b>bold</b>", "", summary_is_html=True)
    assert ours["summary"] == "b bold b"
    assert theirs["summary"] == "bold"
