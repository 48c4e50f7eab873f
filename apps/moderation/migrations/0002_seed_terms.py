"""A modest default list per category; operators extend or disable entries in the admin.
Words and phrases match on word boundaries after normalisation (see normalize.py)."""

from django.db import migrations

BLOCK, REVIEW = "block", "review"

TERMS = [
    # category, term, is_regex, action
    ("sexual_minors", "child porn", False, BLOCK),
    ("sexual_minors", "child pornography", False, BLOCK),
    ("sexual_minors", "underage sex", False, BLOCK),
    ("sexual_minors", "underage nude", False, BLOCK),
    ("sexual_minors", "preteen nude", False, BLOCK),
    ("sexual_minors", "naked child", False, BLOCK),
    ("sexual_minors", "nude child", False, BLOCK),
    ("sexual_minors", "lolicon", False, BLOCK),
    ("sexual_minors", "csam", False, BLOCK),
    (
        "sexual_minors",
        r"(?<![a-z0-9])(?:[1-9]|1[0-7])[^a-z0-9]{0,3}(?:yo|y/o|years?[^a-z0-9]{0,3}old)"
        r"(?![a-z0-9]).{0,40}(?<![a-z0-9])(?:nude|naked|sex|sexy|porn)",
        True,
        BLOCK,
    ),
    ("sexual", "porn", False, REVIEW),
    ("sexual", "pornographic", False, REVIEW),
    ("sexual", "nsfw", False, REVIEW),
    ("sexual", "nude", False, REVIEW),
    ("sexual", "naked", False, REVIEW),
    ("sexual", "explicit sex", False, REVIEW),
    ("violence_graphic", "kill", False, REVIEW),
    ("violence_graphic", "gore", False, REVIEW),
    ("violence_graphic", "gory", False, REVIEW),
    ("violence_graphic", "decapitation", False, REVIEW),
    ("violence_graphic", "decapitated", False, REVIEW),
    ("violence_graphic", "beheading", False, REVIEW),
    ("violence_graphic", "dismembered", False, REVIEW),
    ("violence_graphic", "disembowel", False, REVIEW),
    ("violence_graphic", "mutilated", False, REVIEW),
    ("violence_graphic", "torture", False, REVIEW),
    ("self_harm", "suicide", False, REVIEW),
    ("self_harm", "self harm", False, REVIEW),
    ("self_harm", "kill myself", False, REVIEW),
    ("self_harm", "cut myself", False, REVIEW),
    ("self_harm", "slit my wrists", False, REVIEW),
    ("hate", "ethnic cleansing", False, REVIEW),
    ("hate", "white power", False, REVIEW),
    ("hate", "heil hitler", False, REVIEW),
    ("hate", "gas the jews", False, BLOCK),
    ("hate", "nigger", False, BLOCK),
    ("hate", "faggot", False, BLOCK),
    ("hate", "kike", False, BLOCK),
    ("weapons_instructions", "how to make a bomb", False, REVIEW),
    ("weapons_instructions", "build a bomb", False, REVIEW),
    ("weapons_instructions", "pipe bomb", False, REVIEW),
    ("weapons_instructions", "ghost gun", False, REVIEW),
    ("weapons_instructions", "3d printed gun", False, REVIEW),
    ("weapons_instructions", "make napalm", False, REVIEW),
    ("profanity", "cunt", False, REVIEW),
]


def seed(apps, schema_editor):
    Term = apps.get_model("moderation", "ModerationTerm")
    for category, term, is_regex, action in TERMS:
        Term.objects.get_or_create(
            category=category,
            term=term,
            defaults={"is_regex": is_regex, "action": action, "note": "default list"},
        )


def unseed(apps, schema_editor):
    Term = apps.get_model("moderation", "ModerationTerm")
    Term.objects.filter(note="default list").delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
