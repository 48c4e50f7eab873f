"""Idioms and film terms that contain a listed word: allowed (TermAction.ALLOW), so
"Kill the lights and fade to black" is not held for review while "kill him" still is.
Regular expressions over the normalised text; operators extend or disable them in the
admin like any entry."""

from django.db import migrations

ALLOW = "allow"
_DETERMINERS = r"(?:(?:the|all|those|these|that|this|our|your|my|his|her|their|every)\s+){0,2}"
# What a crew "kills" on set: lights, power, sound, effects, a take (one entry per group:
# an entry holds at most 300 characters).
_SET_THINGS = {
    "lights": r"(?:lights?|lamps?|spotlights?|lighting|headlights|taillights|lanterns?"
    r"|candles?|torch(?:es)?|neon|flash|strobes?|glare|reflections?|highlights?)",
    "power and sound": r"(?:power|engines?|motors?|fans?|music|sound|audio|mics?"
    r"|microphones?|volume|noise|score|track|cameras?|feed|signal)",
    "effects and takes": r"(?:fog(?:\s+machine)?|smoke(?:\s+machine)?|haze|wind\s+machine"
    r"|mood|vibe|saturation|contrast|colou?rs?|shot|take|scene|cue)",
}

TERMS = [
    # category, regex, note
    *[
        (
            "violence_graphic",
            rf"\bkill(?:s|ed|ing)?\s+{_DETERMINERS}(?:[a-z-]+\s+)?{things}\b",
            f"kill the {group} (film and stage language)",
        )
        for group, things in _SET_THINGS.items()
    ],
    ("violence_graphic", r"\bkill\s+(?:some\s+|the\s+|a\s+little\s+)?time\b", "kill time"),
    ("violence_graphic", r"\bkill\s+switch(?:es)?\b", "kill switch"),
    ("violence_graphic", r"\bdressed\s+to\s+kill\b", "dressed to kill"),
    ("violence_graphic", r"\bkill\s+two\s+birds\s+with\s+one\s+stone\b", "proverb"),
    ("violence_graphic", r"\bto\s+kill\s+a\s+mockingbird\b", "film title"),
    (
        "violence_graphic",
        r"\b(?:go(?:es|ing)?|went|mov(?:e|es|ing|ed)|clos(?:e|es|ing|ed)|swoop(?:s|ing)?"
        r"|div(?:e|es|ing)|lung(?:e|es|ing))\s+in\s+for\s+the\s+kill\b",
        "wildlife film: a predator moves in for the kill",
    ),
    (
        "violence_graphic",
        r"\b(?:makes?|making|made)\s+(?:a|its|the|their|her|his)\s+kill\b",
        "wildlife film: a lioness makes a kill",
    ),
    ("violence_graphic", r"\bal\s+gore\b", "a name"),
    ("violence_graphic", r"\bgore[\s-]?tex\b", "a fabric"),
    (
        "sexual",
        r"\b(?:the\s+)?naked\s+(?:eye|truth|flame|(?:light\s*)?bulbs?|branches|trees?|city"
        r"|ambition)\b",
        "the naked eye, a naked bulb, naked branches",
    ),
    (
        "sexual",
        r"\bnude[\s-]+(?:colou?r(?:ed|s)?|tones?|toned|palette|shades?|lipstick|lip\s+gloss"
        r"|gloss|make-?up|heels|pumps|shoes|sandals|beige|blush|nail\s+polish|nails"
        r"|manicure)\b",
        "nude as a colour (fashion, make-up)",
    ),
    ("sexual", r"\bfood\s+porn\b", "food photography slang"),
    ("self_harm", r"\bsuicide\s+doors?\b", "a car's rear-hinged doors"),
    ("self_harm", r"\bsuicide\s+squad\b", "film title"),
]


def seed(apps, schema_editor):
    Term = apps.get_model("moderation", "ModerationTerm")
    for category, term, note in TERMS:
        Term.objects.get_or_create(
            category=category,
            term=term,
            defaults={"is_regex": True, "action": ALLOW, "note": f"default idiom: {note}"},
        )


def unseed(apps, schema_editor):
    Term = apps.get_model("moderation", "ModerationTerm")
    Term.objects.filter(action=ALLOW, note__startswith="default idiom:").delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_term_action_allow")]

    operations = [migrations.RunPython(seed, unseed)]
