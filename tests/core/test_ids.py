"""Public ids and tokens (apps/core/ids.py): the right length and alphabet, never
repeated, and every character uniform (the bytes that would bias it are skipped)."""

from collections import Counter

from apps.core.ids import ALPHABET, RANDOM_LENGTH, new_public_id, random_token


def test_a_public_id_is_its_prefix_and_twenty_alphabet_characters():
    ids = {new_public_id("job") for _ in range(2000)}
    assert len(ids) == 2000
    for public_id in ids:
        prefix, rest = public_id.split("_")
        assert prefix == "job" and len(rest) == RANDOM_LENGTH and set(rest) <= set(ALPHABET)


def test_tokens_of_any_length():
    for length in (0, 1, 7, 64, 300):
        assert len(random_token(length)) == length


def test_every_character_is_equally_likely():
    counts = Counter("".join(random_token(50) for _ in range(20_000)))
    expected = 1_000_000 / len(ALPHABET)
    chi2 = sum((counts[c] - expected) ** 2 / expected for c in ALPHABET)
    # 61 degrees of freedom: above 130 happens by chance about once in 10^7 runs. A
    # `byte % 62` without skipping would put the first 8 characters 25 % ahead: chi2 ~ 6,600.
    assert chi2 < 130, chi2
