"""A sixth knowledge-update set ("unseen3", session 26): 44 hand-written dialogues, not generated from templates.

Written and scored on the session's start commit before any code of session 26 changed, then scored once more at
the end; its failures are never read (aggregate numbers only), so it stays a transfer check for the frame reader
developed on the other sets. Its people, values, small talk and wording are its own; five attributes are the other
sets' (the instrument one plays, one's diet, commute, partner and phone), six are new (one's bank, gym, the show
one is watching, one's doctor, the book one is reading, who cuts one's hair). Changes are told directly ("moved all
my money to ...") and indirectly (a new value with no word of change, an event that implies it). The shape and the
scoring are `_update_suite`'s: a statement session, a session that mentions the old value in passing, the changing
session, then small talk; the questions go through `retrieve`.
"""

from __future__ import annotations

from ._update_suite import Dialogue
from ._update_unseen import Script, _v, build_from_scripts

SCRIPTS: list[Script] = [
    # ---- the instrument one plays ----
    Script(
        "inst-viola", "instrument", _v("viola"), _v("trombone"),
        "I play the viola in a community orchestra.",
        "Rosined my viola bow before rehearsal, the whole room smelled of pine.",
        "These days I play the trombone in a brass band; the viola lives in its case.",
        ("Which instrument do I play now?", "What am I playing these days?"), "What instrument did I play before?",
    ),
    Script(
        "inst-ukulele", "instrument", _v("ukulele"), _v("banjo"),
        "My ukulele comes camping with me every summer.",
        "Learned a new strumming pattern on the ukulele.",
        "Picked up a banjo at a yard sale and it's all I practise now.",
        ("What instrument am I practising now?", "Which instrument do I play at the moment?"),
        "Which instrument did I play earlier?",
    ),
    Script(
        "inst-drums", "instrument", _v("drums", "drum", "drumming", "drumstick"), _v("piano"),
        "I've been drumming in my garage band for six years.",
        "Broke another drumstick at practice.",
        "The neighbours complained, so the drum kit is sold and I've got a digital piano with headphones.",
        ("What do I play now?", "Which instrument is mine these days?"), "What did I play in the garage band?",
    ),
    Script(
        "inst-flute", "instrument", _v("flute"), _v("harp"),
        "Flute is my instrument; I've played since primary school.",
        "My flute teacher wants me to try a harder sonata.",
        "Harp lessons started in January and I'm hooked.",
        ("Which instrument am I focused on now?", "What instrument do I play currently?"),
        "What instrument did I play since primary school?",
    ),
    # ---- diet ----
    Script(
        "diet-keto", "diet", _v("keto"), _v("vegetarian"),
        "I've been strict keto for a year, no bread at all.",
        "Keto-friendly cheesecake recipe turned out great.",
        "No more keto for me; I eat vegetarian now and bread is back on the menu.",
        ("What diet am I following now?", "How do I eat these days?"), "What diet was I on before?",
    ),
    Script(
        "diet-vegan", "diet", _v("vegan"), _v("pescatarian", "fish"),
        "As a vegan, I read every label at the supermarket.",
        "Found a vegan bakery near the station.",
        "My doctor suggested more omega-3, so fish is back and I'd call myself pescatarian.",
        ("What kind of diet do I have now?", "What do I eat at the moment?"), "What was my diet earlier?",
    ),
    Script(
        "diet-paleo", "diet", _v("paleo"), _v("Mediterranean"),
        "My diet is paleo: meat, veg, nuts, no grains.",
        "Paleo snacks are so expensive.",
        "I follow a Mediterranean diet these days, lots of olive oil, lentils and whole grains.",
        ("Which diet am I on now?", "What's my way of eating now?"), "Which diet did I follow before?",
    ),
    Script(
        "diet-lowcarb", "diet", _v("low-carb", "low carb"), _v("plant-based", "plant based"),
        "I eat low-carb, mostly eggs and salads.",
        "Low-carb pizza with a cauliflower crust, not bad.",
        "After that documentary I went fully plant-based.",
        ("What diet do I follow these days?", "How am I eating now?"), "How did I eat before the documentary?",
    ),
    # ---- commute ----
    Script(
        "commute-bus", "commute", _v("bus"), _v("e-bike", "bike"),
        "I take the number 12 bus to work every morning.",
        "The bus was twenty minutes late again.",
        "Bought an e-bike, so I ride to the office now.",
        ("How do I get to work now?", "What's my commute these days?"), "How did I get to work before?",
    ),
    Script(
        "commute-car", "commute", _v("drive", "ring road"), _v("train"),
        "I drive forty minutes to work on the ring road.",
        "Traffic on the ring road was a nightmare this morning.",
        "The parking fees got silly, so it's the train for me now, and I read on the way.",
        ("How do I commute now?", "How do I get to work at the moment?"), "How did I commute before?",
    ),
    Script(
        "commute-walk", "commute", _v("walk", "walking"), _v("tram"),
        "I walk to the studio, it's just across the park.",
        "Walking through the park this morning I saw a heron.",
        "New office is across town, so I'm on the tram every morning.",
        ("How do I get to the office now?", "What's my way to work these days?"), "How did I get to work earlier?",
    ),
    Script(
        "commute-ferry", "commute", _v("ferry"), _v("carpool"),
        "My commute is a ferry ride across the harbour.",
        "Dolphins followed the ferry this morning!",
        "The ferry route was cut, so now I carpool with two colleagues.",
        ("How do I commute these days?", "How do I get to work now?"), "How did I commute before?",
    ),
    # ---- partner ----
    Script(
        "partner-daniel", "partner", _v("Daniel"), _v("Marco"),
        "My boyfriend Daniel is a chef.",
        "Daniel made risotto for my birthday.",
        "Daniel and I split up in the spring. I'm seeing someone new, Marco, a vet.",
        ("Who am I dating now?", "Who is my partner these days?"), "Who was my boyfriend before?",
    ),
    Script(
        "partner-priya", "partner", _v("Priya"), _v("Hannah"),
        "Priya and I have been together three years.",
        "Priya dragged me to a pottery class, it was fun.",
        "Hannah and I moved in together last month; things with Priya ended a long time ago.",
        ("Who is my girlfriend now?", "Who am I with these days?"), "Who was I with for three years?",
    ),
    Script(
        "partner-tom", "partner", _v("Tom"), _v("Leo"),
        "My husband Tom and I run a bakery together.",
        "Tom burnt the croissants again.",
        "The divorce is final. Leo, my new partner, has been a rock.",
        ("Who is my partner now?", "Who am I in a relationship with these days?"), "Who was my husband?",
    ),
    Script(
        "partner-sofia", "partner", _v("Sofia"), _v("Elena"),
        "My girlfriend Sofia teaches yoga.",
        "Sofia's yoga retreat was sold out.",
        "Elena is my girlfriend now; we met at a climbing wall.",
        ("Who's my girlfriend now?", "Who am I dating at the moment?"), "Who was my girlfriend earlier?",
    ),
    # ---- phone ----
    Script(
        "phone-blackberry", "phone", _v("BlackBerry"), _v("Galaxy", "Samsung"),
        "I'm probably the last person with a BlackBerry, I love the keyboard.",
        "My BlackBerry can't even open the bank app anymore.",
        "Finally joined this decade: my new phone is a Samsung Galaxy.",
        ("What phone do I have now?", "Which phone am I using these days?"), "What phone did I have before?",
    ),
    Script(
        "phone-iphone", "phone", _v("iPhone"), _v("Pixel"),
        "My iPhone is ancient, an iPhone 8.",
        "The iPhone's battery died during the concert.",
        "I'm on Android now with a Pixel 8, and I'm not going back.",
        ("Which phone do I use now?", "What phone have I got at the moment?"), "Which phone did I use before?",
    ),
    Script(
        "phone-huawei", "phone", _v("Huawei"), _v("OnePlus"),
        "I use a Huawei phone I bought in Shenzhen.",
        "The Huawei's camera takes great night shots.",
        "Work gave me a OnePlus, and that's the only phone I carry now.",
        ("What phone do I carry now?", "Which phone is mine these days?"), "What phone did I carry earlier?",
    ),
    Script(
        "phone-xperia", "phone", _v("Xperia", "Sony"), _v("iPhone"),
        "My Sony Xperia is waterproof, which matters for a clumsy person.",
        "Dropped the Xperia in the bath, still works.",
        "My daughter passed her old iPhone down to me and I use it every day now.",
        ("What phone am I using now?", "Which phone do I have currently?"), "Which phone did I have before?",
    ),
    # ---- bank ----
    Script(
        "bank-barclays", "bank", _v("Barclays"), _v("Monzo"),
        "I bank with Barclays, have done since university.",
        "Barclays closed my local branch, annoying.",
        "Moved all my money to Monzo; the app is so much better.",
        ("Which bank am I with now?", "Where do I keep my money these days?"), "Which bank was I with before?",
    ),
    Script(
        "bank-chase", "bank", _v("Chase"), _v("Lakeside Credit Union", "Lakeside", "credit union"),
        "My checking account is at Chase.",
        "Chase charged me an overdraft fee again.",
        "I opened an account at the Lakeside Credit Union and closed the Chase one.",
        ("Where do I bank now?", "Which bank has my checking account these days?"), "Where did I bank before?",
    ),
    Script(
        "bank-santander", "bank", _v("Santander"), _v("Triodos"),
        "My salary goes into my Santander account.",
        "Santander sent me a new card with a different design.",
        "I care about where my savings go, so I'm with Triodos now, an ethical bank.",
        ("Which bank do I use now?", "Who do I bank with these days?"), "Which bank did I use earlier?",
    ),
    Script(
        "bank-wells", "bank", _v("Wells Fargo"), _v("Ally"),
        "Wells Fargo has been my bank forever.",
        "Had to visit Wells Fargo to sort out a check.",
        "My paycheck lands in an Ally account these days, better interest.",
        ("What bank am I with now?", "Where does my paycheck go now?"), "What bank was I with before?",
    ),
    # ---- gym ----
    Script(
        "gym-puregym", "gym", _v("PureGym"), _v("Ironworks CrossFit", "Ironworks", "CrossFit"),
        "I'm a member at PureGym on the high street.",
        "PureGym was packed at 6 pm, couldn't get a squat rack.",
        "Cancelled PureGym and joined Ironworks CrossFit down the road.",
        ("Which gym do I go to now?", "Where do I work out these days?"), "Which gym did I go to before?",
    ),
    Script(
        "gym-ymca", "gym", _v("YMCA"), _v("Equinox"),
        "I swim at the YMCA pool before work.",
        "The YMCA sauna is closed for repairs.",
        "My employer pays for Equinox, so that's my gym now.",
        ("What gym do I use now?", "Where do I train at the moment?"), "What gym did I use earlier?",
    ),
    Script(
        "gym-planet", "gym", _v("Planet Fitness"), _v("Oakridge Leisure Centre", "Oakridge"),
        "Planet Fitness is my gym, ten dollars a month.",
        "Someone dropped weights at Planet Fitness and the lunk alarm went off.",
        "These days I train at the Oakridge Leisure Centre, it has a pool.",
        ("Where do I work out now?", "Which gym am I a member of these days?"), "Where did I work out before?",
    ),
    Script(
        "gym-fitnessfirst", "gym", _v("Fitness First"), _v("F45"),
        "I work out at Fitness First three times a week.",
        "My Fitness First trainer made me do burpees until I begged.",
        "F45 classes suit me better; I let my old membership lapse.",
        ("Which gym do I go to these days?", "Where do I exercise now?"), "Which gym did I go to earlier?",
    ),
    # ---- the show one is watching ----
    Script(
        "show-office", "show", _v("The Office"), _v("Succession"),
        "I'm rewatching The Office for the fourth time.",
        "The Office dinner party episode still makes me cringe.",
        "Started Succession last week and I can't stop watching it.",
        ("What show am I watching now?", "Which series am I into at the moment?"), "What show was I watching before?",
    ),
    Script(
        "show-bakeoff", "show", _v("Bake Off"), _v("Severance"),
        "My Sunday ritual is the Great British Bake Off with a cup of tea.",
        "Bake Off had a bread week disaster.",
        "I'm obsessed with Severance now, finished season one in two nights.",
        ("Which show am I watching these days?", "What series am I hooked on now?"),
        "Which show did I watch on Sundays before?",
    ),
    Script(
        "show-crown", "show", _v("The Crown", "Crown"), _v("Shogun"),
        "I'm halfway through The Crown.",
        "The Crown's costumes are incredible.",
        "Dropped The Crown; Shogun is what I'm watching these days.",
        ("What am I watching now?", "Which series am I watching at the moment?"), "What series was I watching before?",
    ),
    Script(
        "show-lasso", "show", _v("Ted Lasso"), _v("The Bear"),
        "Evenings are Ted Lasso with my partner.",
        "Ted Lasso made me cry again.",
        "We moved on to The Bear, three episodes a night.",
        ("What show am I watching in the evenings now?", "Which series are we watching these days?"),
        "What show did we watch in the evenings before?",
    ),
    # ---- doctor ----
    Script(
        "doctor-okafor", "doctor", _v("Okafor"), _v("Lindqvist"),
        "My GP is Dr Okafor at the Elm Street surgery.",
        "Dr Okafor renewed my prescription without any fuss.",
        "I've registered with Dr Lindqvist since the move, she's very thorough.",
        ("Who is my doctor now?", "Which GP do I see these days?"), "Who was my doctor before?",
    ),
    Script(
        "doctor-patel", "doctor", _v("Patel"), _v("Moreau"),
        "Dr Patel has been my family doctor for ten years.",
        "Had my annual check-up with Dr Patel.",
        "My new doctor is Dr Moreau, and she actually listens.",
        ("Who's my family doctor now?", "Which doctor do I see at the moment?"), "Who was my family doctor before?",
    ),
    Script(
        "doctor-kim", "doctor", _v("Kim"), _v("Alvarez"),
        "I see Dr Kim at the Riverside clinic for my asthma.",
        "Dr Kim changed my inhaler.",
        "Switched clinics, and Dr Alvarez handles my asthma now.",
        ("Which doctor treats my asthma now?", "Who is my doctor these days?"), "Which doctor did I see before?",
    ),
    Script(
        "doctor-brennan", "doctor", _v("Brennan"), _v("Nakamura"),
        "Dr Brennan is my physician, she's great with nervous patients.",
        "Dr Brennan's waiting room has the best magazines.",
        "My insurance changed, so I see Dr Nakamura for check-ups now.",
        ("Who is my physician now?", "Which doctor do I see for check-ups these days?"),
        "Who was my physician earlier?",
    ),
    # ---- the book one is reading ----
    Script(
        "book-dune", "book", _v("Dune"), _v("Middlemarch"),
        "I'm reading Dune on my commute.",
        "Dune's glossary is longer than some novels.",
        "Finished Dune, so now it's Middlemarch at bedtime.",
        ("What book am I reading now?", "Which novel am I reading these days?"), "What book was I reading before?",
    ),
    Script(
        "book-wolfhall", "book", _v("Wolf Hall"), _v("The Overstory", "Overstory"),
        "Wolf Hall is my current read, slow but lovely.",
        "Fell asleep on Wolf Hall again.",
        "I'm deep into The Overstory now and it's making me look at trees differently.",
        ("What am I reading at the moment?", "Which book am I reading now?"), "What was I reading earlier?",
    ),
    Script(
        "book-sapiens", "book", _v("Sapiens"), _v("Project Hail Mary", "Hail Mary"),
        "I've got Sapiens on my nightstand and read a chapter a night.",
        "Sapiens has me questioning everything about wheat.",
        "Gave up on Sapiens halfway; Project Hail Mary is my book at the moment.",
        ("Which book am I reading these days?", "What's on my nightstand now?"), "Which book was I reading before?",
    ),
    Script(
        "book-secrethistory", "book", _v("The Secret History", "Secret History"), _v("Pachinko"),
        "Reading The Secret History for my book club.",
        "The Secret History has the creepiest narrator.",
        "The book club picked Pachinko for this month, so that's what I'm reading.",
        ("What book am I reading now?", "What am I reading for book club these days?"),
        "What book was I reading for book club before?",
    ),
    # ---- who cuts one's hair ----
    Script(
        "hair-sal", "hair", _v("Sal", "Clipper Joe's", "Clipper Joe"), _v("Fade Factory"),
        "Sal at Clipper Joe's has cut my hair for years.",
        "Sal gave me the shortest fade of my life.",
        "I get my hair cut at Fade Factory now, Sal moved away.",
        ("Where do I get my hair cut now?", "Who cuts my hair these days?"), "Who cut my hair before?",
    ),
    Script(
        "hair-mia", "hair", _v("Mia", "Luna Salon"), _v("Rosa", "Studio Bloom"),
        "My hairdresser is Mia at Luna Salon.",
        "Mia at Luna Salon talked me into bangs.",
        "Booked with Rosa at Studio Bloom and she's my hairdresser from now on.",
        ("Who is my hairdresser now?", "Where do I get my hair done these days?"),
        "Who was my hairdresser before?",
    ),
    Script(
        "hair-kutz", "hair", _v("Kutz"), _v("Harbour Cuts"),
        "I go to Kutz on Main for a trim every six weeks.",
        "Kutz on Main gave me a free scalp massage.",
        "There's a barber by my new flat, Harbour Cuts, and that's where I go now.",
        ("Which barber do I go to now?", "Where do I get my trims these days?"), "Which barber did I go to before?",
    ),
    Script(
        "hair-jordan", "hair", _v("Jordan", "Glow Hair"), _v("Amara", "Curl Haven"),
        "My stylist Jordan does my colour at Glow Hair.",
        "Jordan at Glow Hair went a bit too purple this time.",
        "I've been going to Amara at Curl Haven instead, she gets curly hair.",
        ("Who does my hair now?", "Which stylist do I see at the moment?"), "Who did my hair before?",
    ),
]

# small talk of this set's own (none of it says anything lasting about the user)
DISTRACTORS: list[tuple[str, str]] = [
    ("Why is the sky blue?", "Shorter wavelengths scatter more in the air."),
    ("A seagull stole a chip right out of my hand.", "Bold birds, seagulls."),
    ("How long do bananas keep on the counter?", "Four or five days, usually."),
    ("The printer jammed three times this afternoon.", "Printers have a sixth sense for deadlines."),
    ("What's the tallest mountain in Africa?", "Kilimanjaro."),
    ("I saw a fox in the alley last night.", "Urban foxes are everywhere now."),
    ("Is a tomato a fruit?", "Botanically, yes."),
    ("There was a queue around the block for the new bakery.", "Must be good croissants."),
    ("How do you get candle wax off a tablecloth?", "Ice it, scrape it, then iron it between paper."),
    ("The clocks go back this weekend.", "An extra hour of sleep, then."),
    ("What's the capital of Canada?", "Ottawa."),
    ("My umbrella turned inside out on the bridge.", "The wind was wild today."),
    ("Do cats really always land on their feet?", "Mostly, they have a righting reflex."),
    ("Someone left a piano on the street corner.", "Free piano, someone will take it."),
    ("How many teaspoons in a tablespoon?", "Three."),
    ("The parcel arrived with a footprint on it.", "Couriers in a hurry."),
    ("Why do leaves change colour in autumn?", "The green chlorophyll breaks down."),
    ("A wasp got into the meeting room.", "Chaos, I imagine."),
    ("What's a good word for very tired?", "Exhausted, or drained."),
    ("The ice cream van played its song at 9 pm.", "Late shift for the ice cream van."),
]
CLOSERS = ["Got it.", "Good to know.", "Oh nice.", "Thanks for telling me.", "Sounds good."]


def build_unseen3(n: int = 44, seed: int = 12, closing_pages: int = 7) -> list[Dialogue]:
    """The first n scripts as dialogues (dates and small talk drawn from `seed`), in `_update_suite`'s format."""
    return build_from_scripts(SCRIPTS, DISTRACTORS, CLOSERS, n, seed, closing_pages)
