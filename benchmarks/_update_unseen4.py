"""A seventh knowledge-update set ("unseen4", session 27): 44 hand-written dialogues, not generated from templates.

Written and scored on the session's start commit before any code of session 27 changed, then scored once more at
the end; its failures are never read (aggregate numbers only), so it stays the transfer check for the change
reader built in session 27 on the other sets. Its people, values, small talk and wording are its own. Most changes
change the verb along with the value ("I play squash" -> "I do aqua aerobics these days"), are told as an event
that implies the new value ("the office moved out to the business park, I drive in"), or are said with "anymore",
"these days", "switched", "instead", "moved", "since"; most old values are plain present habits ("I knit scarves
for everyone in the family"). Seven dialogues have someone else's change in the passing-mention session ("my
cousin stopped running and took up golf"), well before the user's own change: a rule that closed the user's fact
there would close it outside the stale window. The shape and the scoring are `_update_suite`'s.
"""

from __future__ import annotations

from ._update_suite import Dialogue
from ._update_unseen import Script, _v, build_from_scripts

GUARD_GAP = (70, 200)  # the passing mention with someone else's change lies > 31 days before the user's change

SCRIPTS: list[Script] = [
    # ---- exercise ----
    Script(
        "ex-squash", "exercise", _v("squash"), _v("aqua aerobics"),
        "I play squash twice a week at the leisure centre.",
        "My squash partner beat me three games to nil last night.",
        "My knee can't take the turning anymore, so I do aqua aerobics these days.",
        ("What exercise do I do now?", "How do I keep fit these days?"), "What sport did I play before?",
    ),
    Script(
        "ex-running", "exercise", _v("run", "running", "runs"), _v("rowing"),
        "I run along the canal every morning before work.",
        "Saw a kingfisher on my run by the canal.",
        "There's a rowing machine in the spare room now and that's my morning workout.",
        ("How do I exercise in the mornings now?", "What's my morning workout these days?"),
        "What did I do in the mornings before?",
    ),
    Script(
        "ex-yoga", "exercise", _v("yoga"), _v("boxing"),
        "I do yoga in the park on Sunday mornings.",
        "The yoga teacher moved our class under the bandstand because of the rain.",
        "Since January it's boxing at the community gym on Sundays for me.",
        ("What do I do on Sunday mornings now?", "What's my Sunday workout at the moment?"),
        "What did I do on Sundays before?",
    ),
    Script(
        "ex-cycling", "exercise", _v("cycle", "cycling", "cyclist"), _v("bouldering", "climbing"),
        "I cycle with a club on weekends.",
        "My cousin stopped running and took up golf; I was out cycling with the club again on Saturday.",
        "I go bouldering at the climbing wall three evenings a week instead.",
        ("What sport am I into now?", "How do I spend my active time these days?"), "What sport did I do before?",
        gap_days=GUARD_GAP,
    ),
    # ---- hobby ----
    Script(
        "hob-knit", "hobby", _v("knit", "knits", "knitting", "knitted"), _v("woodcarving", "carving"),
        "I knit scarves for everyone in the family.",
        "Ran out of wool halfway through a knitted scarf.",
        "My evenings go to woodcarving these days; I've made three spoons so far.",
        ("What's my hobby now?", "What do I do in the evenings these days?"), "What was my hobby before?",
    ),
    Script(
        "hob-watercolour", "hobby", _v("watercolour", "watercolours"), _v("photography", "camera"),
        "I paint watercolours of the harbour on weekends.",
        "Bought a new set of sable brushes for the watercolours.",
        "Photography has taken over my weekends since I got a second-hand camera.",
        ("What do I do at the weekend now?", "What's my creative hobby these days?"),
        "What did I do at weekends before?",
    ),
    Script(
        "hob-quiz", "hobby", _v("quiz"), _v("board game", "board games"),
        "I'm on a pub quiz team every Thursday.",
        "Our quiz team came second again, one point short.",
        "Thursdays are for the board game café now.",
        ("What do I do on Thursdays now?", "Where do I spend Thursday evenings these days?"),
        "What did I do on Thursdays before?",
    ),
    Script(
        "hob-garden", "hobby", _v("garden", "gardening", "allotment"), _v("baking", "bread", "sourdough"),
        "I grow tomatoes and beans on my allotment.",
        "Slugs ate half the beans on the allotment.",
        "We moved to a flat in the centre, and I bake sourdough bread every weekend.",
        ("What's my weekend hobby now?", "What do I spend my weekends on at the moment?"),
        "What did I do at weekends before the move?",
    ),
    # ---- commute ----
    Script(
        "com-bike", "commute", _v("bike", "biking", "cycle"), _v("drive", "driving", "car"),
        "I bike to the office along the river path.",
        "Got a puncture on my bike on the river path this morning.",
        "The office moved out to the business park, so I drive in every day.",
        ("How do I get to work now?", "What's my commute these days?"), "How did I get to work before?",
    ),
    Script(
        "com-underground", "commute", _v("underground"), _v("from home"),
        "I take the underground to work, two changes each way.",
        "The underground was packed, I stood the whole way.",
        "I work from home now, so my commute is the walk to the kitchen.",
        ("How do I commute now?", "What's my daily commute at present?"), "How did I commute before?",
    ),
    Script(
        "com-train", "commute", _v("train"), _v("coach"),
        "Every morning I catch the 7:40 train into the city.",
        "The 7:40 train was cancelled, I waited forty minutes.",
        "I've switched to the coach; it's slower but half the price.",
        ("How do I travel into the city now?", "What do I ride to work these days?"),
        "What did I take into the city before?",
    ),
    Script(
        "com-carpool", "commute", _v("carpool"), _v("shuttle"),
        "I carpool to the plant with my neighbour Ruth.",
        "Ruth's husband switched to night shifts and bought a motorbike; Ruth and I still carpool.",
        "Ruth retired in the spring, and the company shuttle bus picks me up at the corner now.",
        ("How do I get to the plant now?", "How do I travel to work these days?"), "How did I get to work before?",
        gap_days=GUARD_GAP,
    ),
    # ---- what one drinks ----
    Script(
        "drk-espresso", "drink", _v("espresso", "espressos"), _v("rooibos"),
        "I drink two espressos before I can talk to anyone.",
        "The espresso machine at work broke, a disaster.",
        "My doctor told me to cut the caffeine, so it's rooibos in the mornings now.",
        ("What do I drink in the morning now?", "What's my morning drink these days?"),
        "What did I drink in the mornings before?",
    ),
    Script(
        "drk-greentea", "drink", _v("green tea"), _v("sparkling water"),
        "I sip green tea all day at my desk.",
        "Knocked green tea all over my notes.",
        "I'm on sparkling water these days, the tea got boring.",
        ("What do I drink at my desk now?", "What's my usual drink at the moment?"),
        "What did I drink at my desk before?",
    ),
    Script(
        "drk-flatwhite", "drink", _v("flat white"), _v("filter coffee", "filter"),
        "I get a flat white from the kiosk every morning.",
        "The kiosk guy knows my flat white order by heart.",
        "I brew a pot of filter coffee at home and skip the kiosk now.",
        ("What coffee do I have now?", "How do I get my coffee these days?"), "What coffee did I have before?",
    ),
    Script(
        "drk-cocoa", "drink", _v("cocoa"), _v("warm milk", "milk"),
        "I have a mug of cocoa before bed.",
        "My husband gave up coffee for chamomile; I had my cocoa as usual.",
        "Warm milk with honey helps me sleep, so that's my bedtime drink now.",
        ("What do I drink before bed now?", "What's my bedtime drink these days?"),
        "What did I drink at bedtime before?",
        gap_days=GUARD_GAP,
    ),
    # ---- work ----
    Script(
        "job-teacher", "job", _v("chemistry"), _v("software"),
        "I teach chemistry at a secondary school.",
        "Marked sixty chemistry tests this weekend.",
        "Since the summer I write software for a lab equipment company.",
        ("What do I do for work now?", "What's my job these days?"), "What did I do for work before?",
    ),
    Script(
        "job-nurse", "job", _v("nurse", "nursing"), _v("paramedic"),
        "I'm a nurse on a cardiac ward.",
        "Twelve-hour nursing shift on the ward, my feet hurt.",
        "I retrained and work as a paramedic now.",
        ("What's my job now?", "What do I work as these days?"), "What was my job before I retrained?",
    ),
    Script(
        "job-van", "job", _v("van", "parcels?"), _v("lorry", "lorries", "HGV"),
        "I drive a delivery van for a parcel firm.",
        "Delivered 140 parcels from the van today.",
        "Passed my HGV test, so I drive lorries across Europe these days.",
        ("What do I drive for work now?", "What's my job at the moment?"), "What did I drive for work before?",
    ),
    Script(
        "job-pastry", "job", _v("pastry", "Crumb"), _v("food truck"),
        "I work as a pastry chef at Crumb & Co.",
        "Crumb & Co's croissants sold out by nine.",
        "Handed in my apron; my brother and I run a food truck now.",
        ("What do I do for a living now?", "Where do I work these days?"), "Where did I work before?",
    ),
    # ---- music one makes ----
    Script(
        "mus-oboe", "music", _v("oboe"), _v("cello"),
        "I play the oboe in a chamber group.",
        "Soaked my oboe reeds before the concert.",
        "My niece has the oboe now and I'm learning the cello.",
        ("What instrument do I play now?", "Which instrument am I learning these days?"),
        "What instrument did I play before?",
    ),
    Script(
        "mus-choir", "music", _v("choir", "tenor"), _v("bass guitar", "covers band"),
        "I sing tenor in a church choir.",
        "Our choir is learning a Bach cantata.",
        "I play bass guitar in a covers band on Friday nights now.",
        ("What do I do for music now?", "Which group am I in these days?"), "What did I do for music before?",
    ),
    Script(
        "mus-accordion", "music", _v("accordion"), _v("mandolin"),
        "I play the accordion at folk nights.",
        "The accordion straps dug into my shoulders all evening.",
        "These days it's the mandolin I bring to folk nights.",
        ("What do I play at folk nights now?", "Which instrument do I bring these days?"),
        "What did I play at folk nights before?",
    ),
    Script(
        "mus-sax", "music", _v("saxophone", "sax"), _v("clarinet"),
        "I play the saxophone with a jazz quartet.",
        "Our drummer quit the quartet and joined a metal band; I played my saxophone solo anyway.",
        "I'm teaching myself the clarinet now.",
        ("What instrument do I play now?", "What am I practising these days?"), "What instrument did I play before?",
        gap_days=GUARD_GAP,
    ),
    # ---- shopping ----
    Script(
        "shop-market", "groceries", _v("farmers' market", "farmers market", "market"), _v("veg box"),
        "I do my weekly shop at the farmers' market on Saturday.",
        "The market had the first strawberries of the season.",
        "A veg box gets delivered on Fridays instead.",
        ("Where do I get my vegetables now?", "How do I do my shopping these days?"),
        "Where did I shop for vegetables before?",
    ),
    Script(
        "shop-lidl", "groceries", _v("Lidl"), _v("Co-op"),
        "I buy my groceries at Lidl.",
        "Lidl's middle aisle got me again, I bought a pressure washer.",
        "We shop at the Co-op on the corner now, it's walking distance.",
        ("Where do I buy groceries now?", "Which shop do I use these days?"), "Where did I buy groceries before?",
    ),
    # ---- languages ----
    Script(
        "lang-japanese", "language", _v("Japanese", "hiragana"), _v("Spanish"),
        "I'm learning Japanese with an app every night.",
        "Finally memorised all the hiragana.",
        "Evening classes in Spanish take up my Tuesdays and Thursdays now.",
        ("Which language am I learning now?", "What language do I study these days?"),
        "Which language was I learning before?",
    ),
    Script(
        "lang-portuguese", "language", _v("Portuguese"), _v("Polish"),
        "I study Portuguese with a tutor on Tuesdays.",
        "My Portuguese tutor corrected my accent again.",
        "Work is sending me to Warsaw, so it's Polish lessons for me.",
        ("What language am I studying now?", "Which language do I have lessons in these days?"),
        "Which language did I study with a tutor?",
    ),
    Script(
        "lang-german", "language", _v("German"), _v("Dutch"),
        "I practise German with a conversation group.",
        "My flatmate switched from French to Italian; I went to the German conversation group as usual.",
        "I do Dutch on an app these days.",
        ("What language am I practising now?", "Which language do I learn at the moment?"),
        "Which language did I practise before?",
        gap_days=GUARD_GAP,
    ),
    # ---- devices and services ----
    Script(
        "dev-thinkpad", "device", _v("ThinkPad"), _v("MacBook"),
        "My laptop is a ThinkPad I've had for years.",
        "The ThinkPad keyboard is still the best I've typed on.",
        "The hinge finally snapped, so I'm on a MacBook now.",
        ("What laptop do I use now?", "Which computer do I have these days?"), "What laptop did I have before?",
    ),
    Script(
        "dev-kindle", "device", _v("Kindle"), _v("paper books", "library"),
        "I read on a Kindle every night.",
        "Left my Kindle on the bus, got it back from lost property.",
        "I borrow paper books from the library these days.",
        ("How do I read now?", "What do I read on these days?"), "What did I read on before?",
    ),
    Script(
        "dev-spotify", "device", _v("Spotify"), _v("Apple Music"),
        "I listen to music on Spotify all day.",
        "Spotify's year-end list said I listened to 40,000 minutes.",
        "I moved my playlists to Apple Music in March.",
        ("Which music service do I use now?", "Where do I listen to music these days?"),
        "Which music service did I use before?",
    ),
    Script(
        "dev-samsung", "device", _v("Samsung", "Galaxy"), _v("Nokia"),
        "My phone is a Samsung Galaxy.",
        "My dad switched to an iPhone and sends blurry photos; my Samsung takes better ones.",
        "I'm using a Nokia since the rain got into my old phone.",
        ("What phone do I have now?", "Which phone do I use these days?"), "What phone did I have before?",
        gap_days=GUARD_GAP,
    ),
    # ---- home ----
    Script(
        "home-bristol", "home", _v("Bristol"), _v("Cardiff"),
        "I rent a room in a shared house in Bristol.",
        "The hills in Bristol are killing my calves.",
        "Got the job in Cardiff, packed up, and I'm living there now.",
        ("Where do I live now?", "Which city am I in these days?"), "Where did I live before?",
    ),
    Script(
        "home-dunedin", "home", _v("Dunedin"), _v("Wellington"),
        "Our family lives on a farm outside Dunedin.",
        "Lambing season near Dunedin kept us up all night.",
        "We bought a house in Wellington and the kids started at the local school.",
        ("Where do we live now?", "What's our home town at the moment?"), "Where did we live before?",
    ),
    Script(
        "home-tallinn", "home", _v("Tallinn"), _v("Helsinki"),
        "I live in Tallinn, in the old town.",
        "My brother moved to Riga last week; I walked around Tallinn's old town to cheer myself up.",
        "I live in Helsinki now, a short ferry ride away.",
        ("Where do I live now?", "Which city is home these days?"), "Where did I live before Helsinki?",
        gap_days=GUARD_GAP,
    ),
    # ---- food ----
    Script(
        "food-porridge", "food", _v("porridge"), _v("smoothie", "smoothies"),
        "I eat porridge every morning.",
        "Burnt the porridge pan again.",
        "Breakfast is a banana and spinach smoothie these days.",
        ("What do I have for breakfast now?", "What's my breakfast these days?"),
        "What did I have for breakfast before?",
    ),
    # ---- volunteering ----
    Script(
        "vol-foodbank", "volunteering", _v("food bank"), _v("animal shelter", "shelter"),
        "I volunteer at the food bank on Wednesdays.",
        "Sorted tins at the food bank for three hours.",
        "I walk dogs at the animal shelter on Wednesdays now.",
        ("Where do I volunteer now?", "What do I do on Wednesdays these days?"),
        "Where did I volunteer before?",
    ),
    Script(
        "vol-coach", "volunteering", _v("coach", "coaching", "under-10s"), _v("referee"),
        "I coach an under-10s football team.",
        "The under-10s won their first match!",
        "Another parent took over the team, and I referee youth matches now.",
        ("What do I do in youth football now?", "What's my role at football these days?"),
        "What did I do in youth football before?",
    ),
    # ---- pets ----
    Script(
        "pet-parrot", "pet", _v("parrot", "Biscuit"), _v("greyhound"),
        "I have a parrot called Biscuit.",
        "Biscuit learnt to whistle like the doorbell.",
        "Biscuit lives with my aunt these days, and we adopted a rescue greyhound.",
        ("What pet do I have now?", "Which animal lives with me these days?"), "What pet did I have before?",
    ),
    Script(
        "pet-goldfish", "pet", _v("goldfish"), _v("hamster"),
        "I keep goldfish in a tank in the living room.",
        "Cleaned the goldfish tank, took all afternoon.",
        "The tank is gone and my daughter's hamster runs on its wheel all night now.",
        ("What pet do we have now?", "What animal do I keep these days?"), "What pet did I keep before?",
    ),
    # ---- the team one follows ----
    Script(
        "team-arsenal", "team", _v("Arsenal"), _v("Brentford"),
        "I support Arsenal, season ticket and all.",
        "Arsenal's last-minute goal had me screaming.",
        "After the takeover I follow Brentford instead.",
        ("Which team do I support now?", "Who do I cheer for these days?"), "Which team did I support before?",
    ),
    # ---- work place, with someone else's change ----
    Script(
        "work-fennick", "employer", _v("Fennick"), _v("Orla Press"),
        "I work at the Fennick Library as an archivist.",
        "My colleague left for a museum job; I catalogued old maps at Fennick all day.",
        "I joined Orla Press as an editor in March.",
        ("Where do I work now?", "Who is my employer these days?"), "Where did I work before?",
        gap_days=GUARD_GAP,
    ),
    # ---- evening pastime, with someone else's change ----
    Script(
        "hob-chess", "hobby", _v("chess"), _v("jigsaw", "jigsaws"),
        "I play chess online most evenings.",
        "My son quit the guitar for video games; I played a few blitz games of chess online tonight.",
        "Most evenings I do jigsaw puzzles now.",
        ("What do I do in the evenings now?", "What's my evening pastime these days?"),
        "What did I do in the evenings before?",
        gap_days=GUARD_GAP,
    ),
]

# small talk of this set's own (none of it says anything lasting about the user)
DISTRACTORS: list[tuple[str, str]] = [
    ("How many legs does a spider have?", "Eight."),
    ("The lift at work is out of order again.", "Stairs it is, then."),
    ("Why does bread go stale?", "The starch recrystallises as it dries."),
    ("A pigeon walked into the train and got off at the next stop.", "Commuter pigeon."),
    ("What's the longest river in South America?", "The Amazon."),
    ("The fire alarm went off during the meeting.", "At least it ended the meeting."),
    ("Is it true goldfish have a three-second memory?", "No, they remember for months."),
    ("Somebody parked across the whole pavement.", "Some people."),
    ("How do you stop an avocado going brown?", "Lemon juice and cling film."),
    ("There was a double rainbow over the car park.", "Lucky you."),
    ("What's the boiling point of water on Everest?", "About 70 degrees Celsius."),
    ("My headphones died in the middle of a call.", "Always at the worst moment."),
    ("Do octopuses really have three hearts?", "They do."),
    ("The neighbours' cat sat on my windowsill all morning.", "A visitor."),
    ("How many minutes in a week?", "10,080."),
    ("The shop ran out of milk before noon.", "A busy day."),
    ("Why is the sea salty?", "Minerals washed out of rocks over millions of years."),
    ("Hail the size of peas this afternoon!", "Strange weather."),
    ("What's another word for happy?", "Cheerful, or content."),
    ("The vending machine ate my coins.", "They always do."),
]
CLOSERS = ["Noted.", "Makes sense.", "Ah, nice.", "Thanks for sharing.", "Fair enough."]


def build_unseen4(n: int = 44, seed: int = 12, closing_pages: int = 7) -> list[Dialogue]:
    """The first n scripts as dialogues (dates and small talk drawn from `seed`), in `_update_suite`'s format."""
    return build_from_scripts(SCRIPTS, DISTRACTORS, CLOSERS, n, seed, closing_pages)
