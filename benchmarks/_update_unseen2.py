"""A fifth knowledge-update set ("unseen2", session 25): 44 hand-written dialogues, not generated from templates.

Written and scored on the session's start commit before any code of session 25 changed, then scored once more at
the end; its failures are never read (aggregate numbers only), so it stays a transfer check for mechanisms
developed on the held-out and fresh sets. Its people, values, small talk and wording are its own; some attributes
are the other sets' (home, employer, age, car, sport, morning drink, pet), some are new (the team one supports, the
language one is learning, one's phone, the shift one works). Changes are told directly ("I moved to ...") and
indirectly (a new value with no word of change, an event that implies it, a negation of the old one). The shape and
the scoring are `_update_suite`'s: a statement session, a session that mentions the old value in passing, the
changing session, then small talk; the questions go through `retrieve`.
"""

from __future__ import annotations

from ._update_suite import Dialogue
from ._update_unseen import Script, _number, _v, build_from_scripts

SCRIPTS: list[Script] = [
    # ---- where the user lives ----
    Script(
        "home-valencia", "home", _v("Valencia"), _v("Utrecht"),
        "Our apartment in Valencia has a balcony full of tomato plants.",
        "Paella night at the neighbours', Valencia-style of course.",
        "Signed the lease on a house in Utrecht; the Valencia flat goes back to the landlord on Friday.",
        ("Which city am I living in now?", "Where's home for me at the moment?"), "Where was my old apartment?",
    ),
    Script(
        "home-boise", "home", _v("Boise"), _v("Savannah"),
        "I live in Boise, near the greenbelt.",
        "Boise got its first snow last night.",
        "Savannah humidity is a whole new thing for me after the move.",
        ("What city do I live in now?", "Where do I live these days?"), "Which city did I live in before?",
    ),
    Script(
        "home-tromso", "home", _v("Tromsø", "Tromso"), _v("Bergen"),
        "Up here in Tromsø the sun doesn't set for weeks in summer.",
        "Saw the northern lights from my kitchen window in Tromsø.",
        "We finally relocated south to Bergen, and I don't miss the polar night one bit.",
        ("Where am I based now?", "Which town is my home these days?"), "Where was I based earlier?",
    ),
    Script(
        "home-leeds", "home", _v("Leeds"), _v("Cardiff"),
        "I've had a terraced house in Leeds since 2015.",
        "Leeds market had the best cheese stall today.",
        "Sold the Leeds house. We're Cardiff residents now, near the bay.",
        ("Where do I live at the moment?", "What's my home city now?"), "Where did I have a house before?",
    ),
    # ---- who the user works for ----
    Script(
        "work-pinecrest", "employer", _v("Pinecrest Logistics"), _v("Sable Robotics"),
        "I plan delivery routes for Pinecrest Logistics.",
        "Pinecrest Logistics gave everyone a turkey for the holidays.",
        "First week at Sable Robotics done! Leaving Pinecrest Logistics was the right call.",
        ("Which company do I work for now?", "Who's my employer at present?"), "Which company did I work for before?",
    ),
    Script(
        "work-copperleaf", "employer", _v("Copperleaf Insurance"), _v("Northgate Hospital"),
        "I'm a claims adjuster at Copperleaf Insurance.",
        "The Copperleaf Insurance office coffee machine broke again.",
        "Handed in my badge at Copperleaf Insurance; Northgate Hospital hired me for their records team.",
        ("Where do I work these days?", "Who do I work for now?"), "Where did I work before the hospital?",
    ),
    Script(
        "work-bluefin", "employer", _v("Bluefin Studios"), _v("Redwood Bank"),
        "I animate characters at Bluefin Studios.",
        "Bluefin Studios screened our short film for the whole team.",
        "Redwood Bank pays better, so that's where I'm employed now, designing their app.",
        ("Which company employs me now?", "Where am I working these days?"), "Which studio did I work at earlier?",
    ),
    Script(
        "work-marlow", "employer", _v("Marlow & Sons", "Marlow"), _v("Juniper Labs"),
        "Been at Marlow & Sons for nine years, doing their accounts.",
        "Marlow & Sons is closing early for the bank holiday.",
        "Nine years at Marlow was enough; Juniper Labs is my workplace now.",
        ("Who do I work for these days?", "What's my current employer?"), "Who did I work for for nine years?",
    ),
    # ---- age ----
    Script(
        "age-41", "age", _number(41, "forty-one"), _number(42, "forty-two"),
        "At 41 I finally learned to drive.",
        "My knees feel every one of my 41 years after that hike.",
        "Forty-two today and my kids made me breakfast in bed.",
        ("How old am I now?", "What's my current age?"), "How old was I before my last birthday?", gap_days=(330, 400),
    ),
    Script(
        "age-19", "age", _number(19, "nineteen"), _number(20, "twenty"),
        "I'm nineteen and just started my first job.",
        "Being 19 and paying rent is rough.",
        "No longer a teenager, I'm twenty as of this weekend!",
        ("What's my age now?", "How old am I these days?"), "How old was I earlier?", gap_days=(330, 400),
    ),
    Script(
        "age-57", "age", _number(57, "fifty-seven"), _number(58, "fifty-eight"),
        "I'm 57, so retirement is starting to look close.",
        "Started yoga at 57, never too late.",
        "Birthday dinner at the Greek place last night; 58 candles would have set off the smoke alarm.",
        ("How old am I at the moment?", "What age am I now?"), "What age was I before?", gap_days=(330, 400),
    ),
    Script(
        "age-26", "age", _number(26, "twenty-six"), _number(27, "twenty-seven"),
        "Twenty-six and still can't cook rice properly.",
        "My mum reminded me I'm 26, not 16, when I ate cake for dinner.",
        "Another candle on the cake: I'm 27 now.",
        ("What is my age currently?", "How old am I now?"), "How old was I a while ago?", gap_days=(330, 400),
    ),
    # ---- the car ----
    Script(
        "car-civic", "car", _v("Civic", "Honda"), _v("Model 3", "Tesla"),
        "My Honda Civic has almost 200,000 miles on it.",
        "Washed the Civic for the first time in months.",
        "The Honda went to a new owner and a Tesla Model 3 sits in my driveway now.",
        ("What car do I drive now?", "Which car is mine these days?"), "What car did I drive before?",
    ),
    Script(
        "car-golf", "car", _v("Golf", "Volkswagen", "VW"), _v("Land Rover", "Defender"),
        "I drive a Volkswagen Golf, nothing fancy.",
        "The Golf's heater died on the coldest day of the year.",
        "With the dogs and the farm, I needed something bigger, so I'm driving a Land Rover Defender these days.",
        ("What do I drive at the moment?", "What is my car now?"), "Which car did I have earlier?",
    ),
    Script(
        "car-fiesta", "car", _v("Fiesta", "Ford"), _v("Prius", "Toyota"),
        "I park my little Ford Fiesta on the street.",
        "Someone dented the Fiesta's door in the supermarket car park.",
        "I'm a Prius driver now; the Fiesta was sold for parts.",
        ("What car am I driving now?", "Which car do I own currently?"), "What car did I own before?",
    ),
    Script(
        "car-mini", "car", _v("Mini", "Cooper"), _v("Volvo", "XC60"),
        "My red Mini Cooper is my pride and joy.",
        "Took the Mini through the car wash, it sparkles.",
        "Baby on the way, so the Mini got swapped for a Volvo XC60.",
        ("Which car do I drive now?", "What car do I have these days?"), "What car did I have before the baby?",
    ),
    # ---- sport ----
    Script(
        "sport-squash", "sport", _v("squash"), _v("bouldering", "climbing"),
        "Squash twice a week keeps me sane.",
        "Lost a squash match 3-0, humbling.",
        "These days my free evenings are spent bouldering at the climbing gym instead of squash.",
        ("Which sport do I do now?", "What's my sport these days?"), "What sport did I play before?",
    ),
    Script(
        "sport-rugby", "sport", _v("rugby"), _v("swimming", "swim"),
        "I play rugby for the local club on Saturdays.",
        "Rugby training in the mud again, my kit is ruined.",
        "The doctor told me no more contact sports after the concussion, so I swim laps now.",
        ("What sport am I doing now?", "How do I keep fit these days?"), "Which sport did I play earlier?",
    ),
    Script(
        "sport-volleyball", "sport", _v("volleyball"), _v("fencing"),
        "I'm a setter on a volleyball team.",
        "Jammed a finger at volleyball practice.",
        "Fencing has completely replaced volleyball in my week; épée is so much fun.",
        ("What sport do I practise now?", "Which sport is mine at the moment?"), "What sport did I practise before?",
    ),
    Script(
        "sport-golf", "sport", _v("golf"), _v("cycling", "cycle", "bike"),
        "I spend Sunday mornings on the golf course.",
        "Finally broke 90 at golf!",
        "Sold my golf clubs and bought a road bike, I cycle every weekend now.",
        ("What sport do I do now?", "What's my weekend sport these days?"), "What sport did I do before?",
    ),
    # ---- morning drink ----
    Script(
        "drink-yerba", "drink", _v("yerba mate", "mate"), _v("cold brew"),
        "I start every day with a gourd of yerba mate.",
        "Ran out of yerba mate this morning, disaster.",
        "I'm on cold brew in the mornings now, the mate gourd is gathering dust.",
        ("What do I drink in the mornings now?", "What's my morning drink these days?"),
        "What did I drink in the mornings before?",
    ),
    Script(
        "drink-chai", "drink", _v("chai"), _v("hot water with lemon", "lemon"),
        "Morning chai with cardamom is non-negotiable for me.",
        "Made a huge pot of chai for the office.",
        "I cut caffeine completely; it's hot water with lemon when I wake up.",
        ("What's my morning drink now?", "What do I have first thing in the morning these days?"),
        "What did I used to drink in the morning?",
    ),
    Script(
        "drink-earlgrey", "drink", _v("Earl Grey"), _v("flat white"),
        "A pot of Earl Grey gets me out of bed.",
        "Spilled Earl Grey on my notes.",
        "The café downstairs converted me: a flat white every morning now, no more tea.",
        ("What do I drink every morning now?", "What's my wake-up drink currently?"),
        "What did I drink in the morning earlier?",
    ),
    Script(
        "drink-smoothie", "drink", _v("green smoothie", "smoothie"), _v("espresso"),
        "Breakfast for me is a green smoothie, spinach and banana.",
        "The blender exploded green smoothie all over the kitchen.",
        "Honestly, the smoothie phase is over; a double espresso is how I start the day.",
        ("How do I start my day now?", "What's my morning drink at the moment?"),
        "What did I have for breakfast before?",
    ),
    # ---- pet ----
    Script(
        "pet-parrot", "pet", _v("parrot", "Kiwi"), _v("rabbit", "Clover"),
        "My parrot Kiwi says hello to everyone who visits.",
        "Kiwi learned to whistle the ringtone, help.",
        "Kiwi went to live with my aunt, who has a big aviary. Our new pet is a rabbit called Clover.",
        ("What pet do I have now?", "Which animal lives with me these days?"), "What pet did I have before?",
    ),
    Script(
        "pet-labrador", "pet", _v("labrador", "Bruno"), _v("cat", "Pixel"),
        "Bruno, my labrador, needs two long walks a day.",
        "Bruno chewed through another tennis ball.",
        "We lost Bruno in March, he was fourteen. A shelter cat named Pixel adopted us last week.",
        ("What pet do I have at the moment?", "Who's my pet now?"), "What pet did I have earlier?",
    ),
    Script(
        "pet-goldfish", "pet", _v("goldfish", "Bubbles"), _v("hamster", "Peanut"),
        "I have a goldfish called Bubbles on my desk.",
        "Cleaned Bubbles' tank, the goldfish seemed happier.",
        "The goldfish didn't make it. My daughter picked a hamster, Peanut, to replace him.",
        ("Which pet do I keep now?", "What animal do I have at home now?"), "Which pet did I keep before?",
    ),
    Script(
        "pet-gecko", "pet", _v("gecko", "Ziggy"), _v("corgi", "Waffles"),
        "Ziggy my leopard gecko lives in a tank by the window.",
        "Bought crickets for Ziggy again.",
        "Ziggy went to a reptile rescue, and now there's a corgi puppy named Waffles chewing my shoes.",
        ("What pet do I have now?", "Which pet lives with me currently?"), "What pet did I have before the puppy?",
    ),
    # ---- the team one supports ----
    Script(
        "team-celtic", "team", _v("Celtic"), _v("Rangers"),
        "I'm a lifelong Celtic supporter.",
        "Watched Celtic win on a dodgy stream.",
        "Don't laugh: I switched sides and I cheer for Rangers now, my husband's influence.",
        ("Which team do I support now?", "Who do I cheer for these days?"), "Which team did I support before?",
    ),
    Script(
        "team-lakers", "team", _v("Lakers"), _v("Celtics"),
        "Lakers fan since the Kobe days.",
        "Stayed up late for the Lakers game.",
        "Ever since I moved to Boston I've been rooting for the Celtics, sorry Lakers.",
        ("Which basketball team am I a fan of now?", "What team do I root for now?"),
        "Which team was I a fan of before?",
    ),
    Script(
        "team-cubs", "team", _v("Cubs"), _v("Mariners"),
        "Summer means Cubs games at Wrigley for me.",
        "The Cubs lost in extra innings, I'm devastated.",
        "My season tickets are for the Mariners now; I gave up on the Cubs.",
        ("Which baseball team do I follow now?", "Who are my team these days?"),
        "Which baseball team did I follow before?",
    ),
    Script(
        "team-ajax", "team", _v("Ajax"), _v("Feyenoord"),
        "Ajax is my club, always has been.",
        "Bought a new Ajax scarf at the stadium shop.",
        "My son converted me, so we go to Feyenoord matches together and I wear red and white now.",
        ("What club do I support currently?", "Which football club do I follow now?"),
        "Which club did I support earlier?",
    ),
    # ---- the language one is learning ----
    Script(
        "lang-japanese", "language", _v("Japanese"), _v("Korean"),
        "I'm learning Japanese, hiragana is finally sticking.",
        "My Japanese tutor laughed at my pronunciation.",
        "I paused the Japanese and started Korean classes on Tuesdays.",
        ("Which language am I learning now?", "What language am I studying these days?"),
        "Which language was I learning before?",
    ),
    Script(
        "lang-portuguese", "language", _v("Portuguese"), _v("Italian"),
        "Portuguese lessons every Thursday, because my in-laws are Brazilian.",
        "Practised my Portuguese with the waiter, he was very patient.",
        "Italian has taken over my evenings; I haven't opened the Portuguese app since spring.",
        ("What language am I learning at the moment?", "Which language do I study now?"),
        "What language did I study earlier?",
    ),
    Script(
        "lang-arabic", "language", _v("Arabic"), _v("Mandarin"),
        "I study Arabic on Duolingo every night.",
        "Wrote my name in Arabic for the first time!",
        "Work is sending me to Shanghai, so my nightly lessons are Mandarin now.",
        ("What language am I learning now?", "Which language do I practise these days?"),
        "Which language did I practise before?",
    ),
    Script(
        "lang-german", "language", _v("German"), _v("Spanish"),
        "I'm taking German at night school.",
        "German grammar cases are ruining my life.",
        "I quit German class and joined a Spanish conversation group instead.",
        ("Which language am I learning these days?", "What language am I taking now?"),
        "What language was I taking before?",
    ),
    # ---- the phone ----
    Script(
        "phone-pixel", "phone", _v("Pixel", "Google"), _v("iPhone"),
        "My phone is a Google Pixel, great camera.",
        "Dropped my Pixel in the sink, it survived.",
        "Gave in and bought an iPhone, so the Pixel is in a drawer.",
        ("What phone do I use now?", "Which phone do I have these days?"), "What phone did I use before?",
    ),
    Script(
        "phone-galaxy", "phone", _v("Galaxy", "Samsung"), _v("Fairphone"),
        "I've got a Samsung Galaxy with a cracked screen.",
        "My Galaxy's battery barely lasts till lunch.",
        "My new Fairphone arrived and I can repair it myself, the Samsung is retired.",
        ("Which phone am I using now?", "What's my phone at the moment?"), "Which phone did I have earlier?",
    ),
    Script(
        "phone-nokia", "phone", _v("Nokia"), _v("Motorola"),
        "I still use an old Nokia flip phone, no apps for me.",
        "The Nokia's battery lasted a whole week again.",
        "My kids made me get a Motorola smartphone so we can video call.",
        ("What phone do I have now?", "Which phone do I carry these days?"), "Which phone did I carry before?",
    ),
    Script(
        "phone-oneplus", "phone", _v("OnePlus"), _v("Xiaomi"),
        "I use a OnePlus, it charges insanely fast.",
        "My OnePlus updated overnight and moved all my icons.",
        "Switched to a Xiaomi when the OnePlus screen died.",
        ("What phone am I using these days?", "Which phone is mine now?"), "What phone was I using before?",
    ),
    # ---- the shift one works ----
    Script(
        "shift-night", "shift", _v("night shift", "nights"), _v("day shift"),
        "I work the night shift at the warehouse, ten till six.",
        "Night shift again, living on vending machine snacks.",
        "They moved me onto the day shift, so I finally sleep when it's dark.",
        ("What shift do I work now?", "When do I work these days?"), "What shift did I work before?",
    ),
    Script(
        "shift-early", "shift", _v("early shift", "earlies"), _v("late shift", "lates"),
        "I'm on the early shift at the bakery, up at 4.",
        "Early shift done before sunrise, time for a nap.",
        "I'm working lates now, so my alarm is set for ten.",
        ("Which shift am I on now?", "What hours do I work at the moment?"), "Which shift was I on before?",
    ),
    Script(
        "shift-weekend", "shift", _v("weekends", "weekend"), _v("weekdays", "Monday to Friday"),
        "I only work weekends at the garden centre.",
        "Another weekend at work while everyone else is at the beach.",
        "My contract changed to Monday to Friday, so my weekends are mine again.",
        ("When do I work now?", "What days do I work these days?"), "When did I work before my contract changed?",
    ),
    Script(
        "shift-remote", "shift", _v("office", "in the office"), _v("hybrid", "two days"),
        "I'm in the office five days a week.",
        "The office air conditioning is freezing again.",
        "We've gone hybrid: two days in, three at home.",
        ("How do I work these days?", "What is my work arrangement now?"), "How did I work before?",
    ),
]

# small talk of this set's own (none of it says anything lasting about the user)
DISTRACTORS: list[tuple[str, str]] = [
    ("How long should I boil an egg for a runny yolk?", "About six minutes."),
    ("A pigeon walked into the bus today.", "Commuter pigeons are a thing, apparently."),
    ("What's the difference between a crocodile and an alligator?", "Mostly the snout shape."),
    ("My neighbour's wind chimes kept me up.", "That sounds maddening."),
    ("Is there a trick to folding fitted sheets?", "Tuck the corners into each other first."),
    ("The vending machine ate my coins.", "Classic vending machine move."),
    ("Why do onions make you cry?", "They release a gas that irritates your eyes."),
    ("I found a twenty in an old coat.", "Best kind of surprise."),
    ("What's a good podcast for a long drive?", "A mystery series usually works."),
    ("The elevator at the dentist was broken.", "Stairs are good exercise, at least."),
    ("How many bones are in the human body?", "206 in adults."),
    ("A toddler on the train waved at me the whole ride.", "That's adorable."),
    ("Any tips for keeping basil alive?", "Lots of light and don't overwater."),
    ("The power went out during my favourite show.", "Hopefully it's on catch-up."),
    ("Who invented the sandwich?", "It's named after the Earl of Sandwich."),
    ("I tried a crossword in pen today.", "Bold move."),
    ("Is it true goldfish have three-second memories?", "No, they remember for months."),
    ("There was a double rainbow after the storm.", "Lucky you."),
    ("How do you say cheers in Swedish?", "Skål."),
    ("My headphones only work in one ear now.", "Time for a new pair, maybe."),
]
CLOSERS = ["Nice!", "Noted.", "Ah, I see.", "Thanks for the update.", "That's good to hear."]


def build_unseen2(n: int = 44, seed: int = 12, closing_pages: int = 7) -> list[Dialogue]:
    """The first n scripts as dialogues (dates and small talk drawn from `seed`), in `_update_suite`'s format."""
    return build_from_scripts(SCRIPTS, DISTRACTORS, CLOSERS, n, seed, closing_pages)
