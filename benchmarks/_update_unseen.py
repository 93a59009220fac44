"""A fourth knowledge-update set ("unseen", session 24): 44 hand-written dialogues, not generated from templates.

Written in one go before the session-24 work on the no-LLM extractor began, and scored only at the end of that
work: no failure of this set was read while the extractor was changed. Unlike the three phrasing sets of
`_update_suite`, which reword the same eleven attributes over the same value pools, this one has its own people,
values and distractors, attributes the others lack (diet, instrument, studies, a partner who changes, a dog that
died, an event that is moved, not only a trip), numbers written as words, negations, "used to", indirect and past
tense statements, and questions worded per dialogue. The structure and the scoring are `_update_suite`'s: a
statement session, a session that mentions the old value in passing, the changing session, then small talk; the
questions go through `retrieve`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from ._update_suite import DAY, Dialogue, Question, Session, Value


def _v(text: str, *alternatives: str, case: bool = False) -> Value:
    """A value named by its text or by any alternative (regexes); `case` for month names ("may" is a verb)."""
    words = (re.escape(text), *alternatives)
    body = "|".join(words)
    return Value(text, ((r"(?-i:\b(?:" + body + r")\b)") if case else (r"\b(?:" + body + r")\b"),))


def _number(figure: int, words: str) -> Value:
    return _v(str(figure), words.replace("-", "[- ]?"))


@dataclass(frozen=True)
class Script:
    id: str
    attribute: str
    old: Value
    new: Value
    state: str  # says the old value (first session)
    repeat: str  # mentions the old value in passing (second session)
    change: str  # says the new value (the changing session)
    current: tuple[str, str]
    past: str
    gap_days: tuple[int, int] = (40, 200)


SCRIPTS: list[Script] = [
    # ---- where the user lives ----
    Script(
        "home-porto", "home", _v("Porto"), _v("Glasgow"),
        "My commute across Porto is only fifteen minutes on the metro.",
        "Sunset over the river in Porto never gets old.",
        "The removal van dropped our boxes in Glasgow yesterday, so that's where we live now.",
        ("Which city is my home now?", "Where do I live at present?"), "Which city did I live in earlier?",
    ),
    Script(
        "home-tucson", "home", _v("Tucson"), _v("Minneapolis"),
        "Summers in Tucson are scorching, but my house has a pool so I manage.",
        "The monsoon storms in Tucson flooded my street again.",
        "I no longer live in Tucson; I bought a condo in Minneapolis and moved in last month.",
        ("Where's my place these days?", "What city do I call home now?"), "Where did I live before Minneapolis?",
    ),
    Script(
        "home-ghent", "home", _v("Ghent"), _v("Ljubljana"),
        "We've rented the same little flat in Ghent for six years.",
        "Ghent's canals were frozen this morning.",
        "Goodbye Ghent: the new job came with a flat in Ljubljana and we took it.",
        ("In which city do I live now?", "Where am I living currently?"), "Which city did I leave?",
    ),
    Script(
        "home-halifax", "home", _v("Halifax"), _v("Adelaide"),
        "Born and raised elsewhere, but Halifax has been my home for a decade.",
        "Foggy again in Halifax, of course.",
        "I used to live in Halifax. These days my address is in Adelaide, on the other side of the world.",
        ("Where is my home now?", "Which city do I live in these days?"), "Where was my home previously?",
    ),
    # ---- who the user works for ----
    Script(
        "work-tidewater", "employer", _v("Tidewater Bank"), _v("Mosaic Health"),
        "I do compliance reviews for Tidewater Bank, nine to five.",
        "The Tidewater Bank holiday party was surprisingly fun.",
        "I quit Tidewater Bank in the spring and Mosaic Health took me on in their billing department.",
        ("Which company am I at now?", "Who employs me at the moment?"), "Which company did I work for before?",
    ),
    Script(
        "work-orchid", "employer", _v("Orchid Games"), _v("Fernhill Press"),
        "Orchid Games is where I spend my days, testing levels before release.",
        "Crunch time at Orchid Games again, ugh.",
        "After five years I'm not at Orchid Games any longer, I took a position with Fernhill Press.",
        ("Where do I work these days?", "Which employer am I with now?"), "Where was I employed earlier?",
    ),
    Script(
        "work-quarry", "employer", _v("Quarry Systems"), _v("Lumen Energy"),
        "I've been on the support desk at Quarry Systems since I graduated.",
        "My manager at Quarry Systems finally approved my leave.",
        "Lumen Energy offered me a contract and I signed it, so Quarry Systems is behind me.",
        ("Who is my employer these days?", "Which company do I work at now?"), "Who was my previous employer?",
    ),
    Script(
        "work-harbor", "employer", _v("Harbor and Finch"), _v("Brightline Analytics"),
        "I'm an associate at Harbor and Finch, the law firm downtown.",
        "Harbor and Finch moved our offices to the fourth floor.",
        "Brightline Analytics poached me from Harbor and Finch; I've been there three weeks now.",
        ("Where am I working currently?", "What company do I work for now?"), "What firm did I work at before?",
    ),
    # ---- what the user does for a living ----
    Script(
        "job-welder", "job", _v("welder", "welding"), _v("physiotherapist", "physio"),
        "I weld pipes at the shipyard, been a welder for twelve years.",
        "Burned my glove through at work today, welder problems.",
        "I retrained and now I treat patients as a physiotherapist.",
        ("What's my profession now?", "What do I work as these days?"), "What was my profession before?",
    ),
    Script(
        "job-translator", "job", _v("translator", "translating", "translation"), _v("software engineer"),
        "Most of my work is translating contracts from German; I'm a freelance translator.",
        "A rush translation job ate my whole weekend.",
        "I stopped taking translation clients and started as a software engineer at a startup.",
        ("What is my job now?", "What do I do for a living currently?"), "What did I do for work previously?",
    ),
    Script(
        "job-driver", "job", _v("bus driver"), _v("dispatcher"),
        "I drive the number 12 bus, I've been a bus driver since my twenties.",
        "Some kid left a skateboard on my bus, typical day as a bus driver.",
        "My back gave out, so I'm not a bus driver anymore; the depot made me a dispatcher.",
        ("What's my job these days?", "What do I work as now?"), "What was my job before the depot moved me?",
    ),
    Script(
        "job-barista", "job", _v("barista"), _v("pastry chef", "pastry"),
        "I pull espresso shots all day, I'm the head barista at a café.",
        "Latte art competition at my café tomorrow, nervous barista here.",
        "Big step: I finished culinary school and I'm now working as a pastry chef.",
        ("What do I do for work now?", "What's my current occupation?"), "What was my occupation earlier?",
    ),
    # ---- age, in words ----
    Script(
        "age-34", "age", _number(34, "thirty-four"), _number(35, "thirty-five"),
        "I'm thirty-four and only now learning to swim.",
        "Not bad for thirty-four, I swam a whole length today.",
        "I turned thirty-five on Tuesday and celebrated with cake at the pool.",
        ("How old am I now?", "What is my age currently?"), "How old was I before my birthday?",
        (300, 360),
    ),
    Script(
        "age-52", "age", _number(52, "fifty-two"), _number(53, "fifty-three"),
        "At fifty-two I finally ran my first 10k.",
        "My doctor says my heart is great for fifty-two.",
        "As of last weekend I'm fifty-three, my kids baked me a lopsided cake.",
        ("What's my age these days?", "How old am I at the moment?"), "What age was I earlier?",
        (300, 360),
    ),
    Script(
        "age-27", "age", _number(27, "twenty-seven"), _number(28, "twenty-eight"),
        "I'm 27, and my parents keep asking when I'll settle down.",
        "Twenty-seven years old and I still can't cook rice properly.",
        "Yesterday was my birthday, I'm twenty-eight now.",
        ("How old am I?", "What age have I reached now?"), "What was my age before my last birthday?",
        (300, 360),
    ),
    Script(
        "age-41", "age", _number(41, "forty-one"), _number(42, "forty-two"),
        "Forty-one years on this planet and I've never been to a concert.",
        "My friends joke that I dress older than forty-one.",
        "The number on my birthday cake this year was forty-two.",
        ("How old am I these days?", "What's my current age?"), "How old was I previously?",
        (300, 360),
    ),
    # ---- partner ----
    Script(
        "partner-tobias", "partner", _v("Tobias"), _v("Mirela"),
        "My boyfriend Tobias and I have been together almost two years.",
        "Tobias burnt the pasta again, love him anyway.",
        "Tobias and I broke up in the summer. I'm with Mirela now and it's going really well.",
        ("Who is my partner now?", "Who am I dating these days?"), "Who was my partner before?",
    ),
    Script(
        "partner-hana", "partner", _v("Hana"), _v("Rafael"),
        "Hana, my girlfriend, is teaching me to rock climb.",
        "Hana and I watched the meteor shower from the roof.",
        "Things ended with Hana a while ago; these days I'm seeing Rafael.",
        ("Who am I seeing now?", "Who's my partner currently?"), "Who was I dating before?",
    ),
    Script(
        "partner-greta", "partner", _v("Greta"), _v("Idris"),
        "I live with my partner Greta and her two cats.",
        "Greta says my snoring is getting worse.",
        "Greta moved out in March. I met Idris at a friend's wedding and we've been together since.",
        ("Who is my current partner?", "Who am I with now?"), "Who did I live with before?",
    ),
    Script(
        "partner-saoirse", "partner", _v("Saoirse"), _v("Dev"),
        "Saoirse and I are celebrating our anniversary next week, three years together.",
        "Saoirse got me a plant for no reason, she's the best.",
        "It's over with Saoirse. Dev asked me out last month and now he's my boyfriend.",
        ("Who's my boyfriend these days?", "Who am I in a relationship with now?"), "Who was my partner earlier?",
    ),
    # ---- pets that died or left ----
    Script(
        "pet-baxter", "pet", _v("Baxter"), _v("Poppy"),
        "Baxter, my old beagle, snores louder than I do.",
        "Took Baxter to the vet for his teeth.",
        "Baxter died in his sleep in May. A few weeks later we brought home Poppy, a rescue greyhound.",
        ("Which dog do I have now?", "What is my dog called these days?"), "What was my previous dog's name?",
    ),
    Script(
        "pet-tofu", "pet", _v("Tofu"), _v("Gus"),
        "I share my flat with Tofu, a very grumpy guinea pig.",
        "Tofu squeaks every time I open the fridge.",
        "We had to put Tofu down, he was very old. Now there's a ferret called Gus in the flat.",
        ("What pet do I have at the moment?", "What's my pet's name now?"), "What was my pet called earlier?",
    ),
    Script(
        "pet-socks", "pet", _v("Socks"), _v("Noodle"),
        "My cat Socks sleeps on my keyboard whenever I try to work.",
        "Socks caught a mouse and left it on my pillow.",
        "Socks isn't with us anymore, she passed last winter. We adopted a kitten named Noodle.",
        ("Which cat lives with me now?", "What's the name of my cat these days?"), "What was my old cat's name?",
    ),
    Script(
        "pet-waffles", "pet", _v("Waffles"), _v("Hazel"),
        "Waffles the budgie wakes me up every day at six.",
        "Waffles learned to whistle the doorbell sound.",
        "I gave Waffles to my niece who adores birds, and I took in a gecko called Hazel.",
        ("What pet do I keep now?", "Which animal lives with me currently?"), "Which pet did I have before?",
    ),
    # ---- plans that moved ----
    Script(
        "plan-wedding", "plan", _v("June", case=True), _v("September", case=True),
        "Our wedding is booked for June at a barn outside town.",
        "Tasted wedding cakes today, June can't come fast enough.",
        "The venue double-booked us, so the wedding got pushed to September.",
        ("When is my wedding now?", "What month is the wedding planned for?"),
        "When was the wedding originally planned?",
    ),
    Script(
        "plan-marathon", "plan", _v("October", case=True), _v("April", case=True),
        "I signed up for the Chicago marathon in October.",
        "Long run of eighteen miles today, getting ready for October.",
        "I deferred my Chicago marathon entry, so I'll run it next April rather than this autumn.",
        ("When am I running the Chicago marathon now?", "Which month is my marathon?"),
        "When was my marathon supposed to be before?",
    ),
    Script(
        "plan-surgery", "plan", _v("March", case=True), _v("January", case=True),
        "My knee surgery is scheduled for March.",
        "Pre-op bloodwork done for the March surgery.",
        "The hospital called, they moved my knee surgery up to January because of a cancellation.",
        ("When is my knee surgery now?", "What month is my operation?"), "When was my surgery first scheduled?",
    ),
    Script(
        "plan-conference", "plan", _v("November", case=True), _v("February", case=True),
        "I'm presenting at the robotics conference in Lyon in November.",
        "Practised my Lyon talk in front of the mirror, November is close.",
        "The Lyon conference was postponed, the organisers now say February.",
        ("When is the Lyon conference now?", "What month do I present in Lyon?"),
        "When was the Lyon conference planned before?",
    ),
    # ---- diet ----
    Script(
        "diet-vegetarian", "diet", _v("vegetarian"), _v("vegan"),
        "I've been vegetarian since I was a teenager.",
        "Found a great vegetarian place with the best lentil soup.",
        "I've gone fully vegan, no more cheese or eggs for me.",
        ("What diet do I follow now?", "What do I eat these days, diet-wise?"), "What diet did I follow before?",
    ),
    Script(
        "diet-keto", "diet", _v("keto"), _v("pescatarian"),
        "I'm doing keto, so no bread or pasta at all.",
        "Keto makes birthday parties hard, everyone has cake.",
        "I dropped keto, carbs are back, but I only eat fish now, no meat, so pescatarian I guess.",
        ("What's my diet at the moment?", "Which diet am I on now?"), "Which diet was I on earlier?",
    ),
    Script(
        "diet-vegan", "diet", _v("vegan"), _v("flexitarian"),
        "As a vegan I read every label twice.",
        "Made a vegan lasagna that even my dad liked.",
        "I'm not vegan anymore, I eat a bit of meat now and then, flexitarian is the word.",
        ("How do I eat these days?", "What's my diet now?"), "What diet did I have previously?",
    ),
    Script(
        "diet-glutenfree", "diet", _v("gluten-free", "gluten free"), _v("low-sodium", "low sodium"),
        "My doctor put me on a gluten-free diet last year.",
        "Gluten-free bread is so expensive.",
        "Turns out gluten wasn't the problem; the new doctor has me on a low-sodium diet instead.",
        ("What diet am I following these days?", "Which diet does my doctor have me on now?"),
        "What diet was I on before?",
    ),
    # ---- instrument ----
    Script(
        "music-cello", "instrument", _v("cello"), _v("guitar"),
        "I play the cello in a community orchestra.",
        "Restrung my cello before rehearsal.",
        "I sold my cello. Guitar is what I play now, mostly folk songs.",
        ("What instrument do I play now?", "Which instrument do I play these days?"),
        "What instrument did I play before?",
    ),
    Script(
        "music-piano", "instrument", _v("piano"), _v("drums"),
        "Every evening I practise piano for an hour.",
        "My piano teacher says my left hand is lazy.",
        "I used to play piano, but now I'm all about drums; my neighbours hate it.",
        ("Which instrument am I playing now?", "What do I play these days?"),
        "Which instrument did I use to play?",
    ),
    Script(
        "music-violin", "instrument", _v("violin"), _v("ukulele"),
        "I've played violin since I was six.",
        "Violin lesson ran late, my fingers hurt.",
        "Gave up the violin after my wrist injury and picked up the ukulele instead.",
        ("What instrument do I play at the moment?", "Which instrument is mine now?"),
        "What instrument did I play earlier?",
    ),
    Script(
        "music-trumpet", "instrument", _v("trumpet"), _v("saxophone", "sax"),
        "I'm the trumpet player in a small jazz band.",
        "Polished my trumpet for the gig on Friday.",
        "The band needed a saxophone more than a trumpet, so I switched and I love it.",
        ("What do I play in the band now?", "Which instrument do I play now?"),
        "What did I play in the band before?",
    ),
    # ---- what the user studies ----
    Script(
        "study-chemistry", "studies", _v("chemistry"), _v("economics"),
        "I'm a second-year chemistry student.",
        "Chemistry lab ran four hours today.",
        "I changed my major from chemistry to economics this semester.",
        ("What do I study now?", "What is my major currently?"), "What was my major before?",
    ),
    Script(
        "study-history", "studies", _v("history"), _v("computer science"),
        "My degree is in history, I'm writing about medieval trade.",
        "Spent the day in the archive for my history thesis.",
        "I left the history programme and enrolled in computer science.",
        ("What am I studying these days?", "Which subject do I study now?"), "What did I study previously?",
    ),
    Script(
        "study-architecture", "studies", _v("architecture"), _v("philosophy"),
        "Architecture school is eating my life, I'm in studio until midnight.",
        "My architecture model collapsed the night before the review.",
        "I dropped out of architecture. Philosophy is my subject now and I'm much happier.",
        ("What subject am I studying now?", "What do I study at university these days?"),
        "What did I study before?",
    ),
    Script(
        "study-nursing", "studies", _v("nursing"), _v("midwifery"),
        "I'm doing a nursing degree, placements start soon.",
        "Nursing placement on a night shift, exhausted.",
        "I transferred out of nursing into midwifery.",
        ("What is my course now?", "Which degree am I doing these days?"), "Which course did I do earlier?",
    ),
    # ---- how the user gets to work ----
    Script(
        "commute-bike", "commute", _v("bike", "cycle", "cycling"), _v("train"),
        "I bike to work every day, rain or shine.",
        "Got a flat tyre on my bike this morning.",
        "Since the office moved I take the train to work; the bike stays in the shed.",
        ("How do I get to work now?", "How do I commute these days?"), "How did I get to work before?",
    ),
    Script(
        "commute-car", "commute", _v("drive", "driving"), _v("bus"),
        "I drive forty minutes to the office each way.",
        "Stuck in traffic driving in again.",
        "Petrol got too expensive, so I take the bus to work now instead of driving.",
        ("How do I get to the office these days?", "What's my way to work now?"),
        "How did I use to get to work?",
    ),
    Script(
        "commute-walk", "commute", _v("walk", "walking"), _v("scooter"),
        "I walk to work, it's only twenty minutes.",
        "Walking to work in the snow was an adventure.",
        "I bought an electric scooter and ride it to work now.",
        ("How do I commute now?", "How do I travel to work currently?"), "How did I commute previously?",
    ),
    Script(
        "commute-ferry", "commute", _v("ferry"), _v("work from home", "working from home", "remote", "remotely"),
        "I take the ferry to work across the bay, best commute ever.",
        "The ferry was cancelled for wind, so I was late.",
        "My job went fully remote, so I work from home now and haven't taken the ferry in weeks.",
        ("How do I get to work now?", "What's my commute like these days?"), "How did I commute before?",
    ),
]

# small talk of this set's own (none of it says anything lasting about the user)
DISTRACTORS: list[tuple[str, str]] = [
    ("Do you know why the sky turns red at sunset?", "Light scatters more at low angles, leaving the reds."),
    ("I burnt the toast this morning.", "Happens to the best of us."),
    ("What's a good name for a sourdough starter?", "Clint Yeastwood is a classic."),
    ("The printer jammed three times today.", "Printers are famously stubborn."),
    ("Can you explain compound interest simply?", "You earn interest on your interest, so it snowballs."),
    ("I saw a fox in the park at dusk.", "Foxes at dusk are a lovely sight."),
    ("Remind me how many ounces are in a cup?", "Eight fluid ounces."),
    ("I lost my umbrella on the tram.", "Maybe lost and found has it."),
    ("Is it weird to eat cereal for dinner?", "Not at all, plenty of people do."),
    ("The wifi keeps dropping during calls.", "Restarting the router might help."),
    ("What's the tallest mountain in Africa?", "Kilimanjaro."),
    ("My houseplant grew a new leaf!", "Congrats, it likes you."),
    ("Any ideas for a rainy Sunday?", "A board game or a long film."),
    ("I stubbed my toe on the bed frame.", "Ouch, that's the worst."),
    ("How do I get wax out of a tablecloth?", "An iron over paper towels lifts it."),
    ("There's a new mural on the corner building.", "Street art brightens a neighbourhood."),
    ("Why do cats knock things off tables?", "Curiosity and attention, mostly."),
    ("I watched a film about deep-sea divers.", "Sounds gripping."),
    ("Should I learn chess openings by heart?", "Principles matter more than memorising lines."),
    ("The bakery ran out of croissants again.", "Early birds get the croissants."),
]
CLOSERS = ["Thanks for telling me!", "Good to know.", "Oh, interesting.", "I'll remember that.", "Wow, okay!"]


def _session(
    rng: random.Random, statement: str, n_distractors: int, distractors: list[tuple[str, str]], closers: list[str]
) -> list[tuple[str, str]]:
    pages = rng.sample(distractors, n_distractors)
    pages.insert(rng.randint(1, len(pages)), (statement, rng.choice(closers)))
    return pages


def build_from_scripts(
    scripts: list[Script],
    distractors: list[tuple[str, str]],
    closers: list[str],
    n: int,
    seed: int,
    closing_pages: int,
) -> list[Dialogue]:
    """The first n scripts as dialogues (dates and small talk drawn from `seed`), in `_update_suite`'s format."""
    rng = random.Random(seed)
    suite: list[Dialogue] = []
    for script in scripts[:n]:
        start = (1609459200.0 + DAY * rng.randrange(900)) + 3600 * rng.randrange(8, 20)  # 2021-01-01 + up to 900 days
        change = start + DAY * rng.randint(*script.gap_days)
        sessions = [
            Session(start, _session(rng, script.state, 3, distractors, closers)),
            Session(start + DAY * rng.randint(5, 20), _session(rng, script.repeat, 2, distractors, closers)),
            Session(change, _session(rng, script.change, 3, distractors, closers)),
            Session(change + DAY * rng.randint(2, 10), rng.sample(distractors, closing_pages)),
        ]
        questions = [Question(q, "current") for q in script.current] + [Question(script.past, "past")]
        suite.append(Dialogue(script.id, script.attribute, script.old, script.new, change, sessions, questions))
    return suite


def build_unseen(n: int = 44, seed: int = 12, closing_pages: int = 7) -> list[Dialogue]:
    return build_from_scripts(SCRIPTS, DISTRACTORS, CLOSERS, n, seed, closing_pages)


def split_turns(dialogue: Dialogue, turn: str, first_reply: str) -> Dialogue:
    """A change told across two turns (`turn` inside one user line) becomes two consecutive pages of its session,
    the agent answering the first with `first_reply`."""
    for session in dialogue.sessions:
        for index, (user, agent) in enumerate(session.pages):
            if turn in user:
                first, second = user.split(turn)
                session.pages[index : index + 1] = [(first, first_reply), (second, agent)]
                return dialogue
    return dialogue
