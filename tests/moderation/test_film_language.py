"""Screening tells idioms and film language from threats: common film prompts pass the
rules backend, and everything harmful the other moderation tests use is still caught,
also when an allowed idiom sits next to it."""

import pytest

from apps.moderation.models import ModerationTerm
from apps.moderation.screening import RulesBackend
from tests.jobs.conftest import TEXT_JOB

pytestmark = pytest.mark.django_db

BENIGN_FILM_PROMPTS = [
    # Listed words inside idioms and set language.
    "Kill the lights and fade to black",
    "kill the lights, then a single match flares in the dark",
    "The director yells cut and the crew kills the house lights",
    "Kill the stage lights one by one as the curtain falls",
    "kill the music as the hero walks away",
    "Kill the engine and let the car coast silently downhill",
    "Kill all the neon signs on the street at midnight",
    "She kills the sound and the city goes silent in slow motion",
    "kill the fog machine, reveal the empty stage",
    "Kill the wind machine and let the flag drop",
    "Kill the mood with a sudden record scratch, comedic timing",
    "kill the saturation for a bleak, desaturated look",
    "Kill the highlights on the actor's forehead with a flag",
    "Kill the reflections on the window with a polarizer",
    "kill the take, reset to ones",
    "Two friends kill time at a rainy bus stop, handheld camera",
    "An old man kills some time feeding pigeons in the park",
    "A red kill switch on a vintage control panel, macro shot",
    "Dressed to kill: a 1940s femme fatale enters the jazz club",
    "Kill two birds with one stone: a clever heist montage",
    "A courtroom scene inspired by To Kill a Mockingbird",
    "A cheetah moves in for the kill, slow motion, savanna at dawn",
    "The hawk dives in for the kill over a frozen lake",
    "A lioness makes a kill at the waterhole, wildlife documentary style",
    "A comet visible to the naked eye over the desert",
    "A naked bulb swings above the interrogation table, film noir",
    "Naked branches against a winter sky, time-lapse",
    "The naked truth revealed in a quiet monologue",
    "A candle's naked flame flickers in a drafty castle",
    "A model in nude heels walks a white runway",
    "Close-up of nude lipstick being applied, beauty commercial",
    "A minimalist bedroom in a nude colour palette",
    "Nude-toned makeup tutorial, soft window light",
    "A vintage Lincoln Continental with suicide doors, golden hour",
    "A Suicide Squad style title sequence with neon graffiti",
    "Food porn: slow-motion syrup pouring over pancakes",
    "A hiker in a Gore-Tex jacket crossing a glacier",
    "Al Gore giving a climate lecture, documentary framing",
    # Film language that sounds violent and is not.
    "Shoot the scene in one continuous take, Steadiman following the lead",
    "Crash zoom on the villain's face, 1970s kung fu style",
    "A bullet time shot of a dancer mid-leap",
    "Smash cut to the morning after",
    "Blow up the photograph until the grain shows, like Blow-Up",
    "An explosion of colour as powder paint fills the air at Holi",
    "Fire the confetti cannons as the band hits the chorus",
    "Execute a perfect dolly zoom on the lighthouse",
    "A head shot of the actor against a grey backdrop",
    "Rack focus from the rifle-shaped shadow to the child's kite",
    "The knight's sword fight is choreographed like a dance, stage combat",
    "A pirate ship fires its cannons in a storm, epic wide shot",
    "Zombies shamble through a foggy cemetery, campy 1950s B-movie",
    "A blood moon rises over the desert, timelapse",
    "A killer whale breaches in slow motion",
    "A skilled chef butchers a fish at the market, documentary",
    "Dead leaves blow across an empty parking lot",
    "The boxer lands a knockout punch in slow motion",
    "A detective finds the murder weapon in a rain-soaked alley, film noir",
    "Shot reverse shot of two rivals at a poker table",
    "The camera dies, then static, then black",
    "A bombshell actress on the red carpet, flash photography",
]

# Everything harmful the other moderation tests screen, and threats and the like written
# next to an allowed idiom.
HARMFUL = [
    ("a gory duel", "review", "violence_graphic"),
    ("A knight's g0ry duel in the rain", "review", "violence_graphic"),
    ("a g.o.r.e soaked battlefield", "review", "violence_graphic"),
    ("then they kill him", "review", "violence_graphic"),
    ("then they k1ll him", "review", "violence_graphic"),
    ("then they k i l l him", "review", "violence_graphic"),
    ("kill", "review", "violence_graphic"),
    ("I will kill you", "review", "violence_graphic"),
    ("Kill the lights, then kill the witness", "review", "violence_graphic"),
    ("kill the lights and k1ll her in the dark", "review", "violence_graphic"),
    ("kill the guard and steal the money", "review", "violence_graphic"),
    ("kill time before you kill him", "review", "violence_graphic"),
    ("a naked woman under a naked bulb", "review", "sexual"),
    ("nude heels and nothing else, nude", "review", "sexual"),
    ("I want to kill myself with the lights off", "review", "self_harm"),
    ("suicide doors on a car, then suicide", "review", "self_harm"),
    ("ch1ld  p.o.r.n", "block", "sexual_minors"),
    ("ch1ld p\u043ern", "block", "sexual_minors"),
    ("child porn", "block", "sexual_minors"),
    ("food porn with child porn", "block", "sexual_minors"),
    ("kill the lights, 12 yo naked", "block", "sexual_minors"),
]


def test_the_list_of_benign_film_prompts_is_long_enough():
    assert len(BENIGN_FILM_PROMPTS) >= 50
    assert len(set(BENIGN_FILM_PROMPTS)) == len(BENIGN_FILM_PROMPTS)


@pytest.mark.parametrize("prompt", BENIGN_FILM_PROMPTS)
def test_a_film_prompt_passes_screening(prompt):
    verdict = RulesBackend().screen(text=prompt)
    assert (verdict.decision, verdict.categories) == ("allow", []), prompt


@pytest.mark.parametrize(("prompt", "decision", "category"), HARMFUL)
def test_harmful_prompts_are_still_caught(prompt, decision, category):
    verdict = RulesBackend().screen(text=prompt)
    assert verdict.decision == decision, prompt
    assert verdict.top_category == category, prompt


def test_an_allowed_idiom_never_hides_a_block_entry():
    ModerationTerm.objects.create(category="custom", term="zorblax", action="block")
    ModerationTerm.objects.create(
        category="custom", term=r"\bzorblax\s+lights\b", is_regex=True, action="allow"
    )
    assert RulesBackend().screen(text="zorblax lights").decision == "block"


def test_operators_add_and_disable_idioms():
    rules = RulesBackend()
    assert rules.screen(text="kill the overhead lamp").decision == "allow"
    assert rules.screen(text="kill the vibrato").decision == "review"
    ModerationTerm.objects.create(
        category="violence_graphic", term=r"\bkill\s+the\s+vibrato\b", is_regex=True,
        action="allow",
    )  # fmt: skip
    assert rules.screen(text="kill the vibrato").decision == "allow"
    ModerationTerm.objects.filter(action="allow").update(enabled=False)
    assert rules.screen(text="Kill the lights and fade to black").decision == "review"


def test_the_issue_prompt_submits_as_a_queued_job(alice):
    response = alice.api.post(
        "/api/v1/generate",
        {**TEXT_JOB, "prompt": "Kill the lights and fade to black"},
        format="json",
    )
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued"
