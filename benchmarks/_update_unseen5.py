"""An eighth knowledge-update set ("unseen5", session 28): 44 hand-written dialogues, not generated from templates.

Written and scored on the session's start commit before any code of session 28 changed, then scored once more at
the end; its failures are not read while readers are built, so it stays the transfer check for session 28's work.
Its people, values, small talk and wording are its own, across jobs, homes, partners, pets, diets, commutes,
hobbies, plans, preferences and a few things one owns or belongs to. The grammar of the changes varies on purpose:
a clause whose subject is another thing or person ("the number 9 tram takes me to the office nowadays"), copular
("green tea is my go-to drink these days", "my commute is an e-scooter ride now"), passives ("I was made redundant
... the library has taken me on"), "no longer" / "not ... anymore", an event that ends a state ("our old cat died in
February"), and changes told across two turns of the same session (a `TURN` in `change`: the first turn says what
ended, the second what holds now). Eight dialogues carry someone else's change of the same kind of thing in the
passing-mention session, more than 31 days before the user's change: a rule that closed the user's fact there
fails the stale check. The shape and the scoring are `_update_suite`'s.
"""

from __future__ import annotations

from ._update_suite import Dialogue
from ._update_unseen import Script, _v, build_from_scripts, split_turns

GUARD_GAP = (70, 200)  # the passing mention with someone else's change lies > 31 days before the user's change
TURN = "\n"  # splits a change told across two turns: what ended, then what holds now
FIRST_TURN_REPLY = "Oh? What happened?"

SCRIPTS: list[Script] = [
    # ---- jobs ----
    Script(
        "job-teacher", "job", _v("primary school", "year four", "teach", "teaches", "teaching"), _v("nurse"),
        "I teach year four at a primary school in Hove.",
        "Thirty spelling tests to mark tonight for my year four class.",
        "The retraining paid off: staff nurse on a children's ward is my job these days.",
        ("What do I do for a living now?", "What's my job these days?"), "What was my job before?",
    ),
    Script(
        "job-barista", "job", _v("barista", "café", "cafe"), _v("planning", "council"),
        "I'm a barista at the little café by the station.",
        "The café's oat milk delivery didn't turn up again, so I spent the shift apologising.",
        "The council's planning department employs me now, mostly drawing up site reports.",
        ("Where do I work now?", "Who is my employer at the moment?"), "Where did I work before?",
    ),
    Script(
        "job-printing", "job", _v("printing works", "printing", "print shop"), _v("library", "librarian"),
        "I run the guillotine at a printing works on the industrial estate.",
        "The printing works had a rush order of wedding invitations all week.",
        "I was made redundant from the printing works in June, and the library has taken me on as an assistant.",
        ("Where do I work these days?", "What's my job now?"), "Where did I work before the library?",
    ),
    Script(
        "job-garage", "job", _v("garage", "mechanic"), _v("delivery", "van", "parcel", "parcels"),
        "I'm a mechanic at a garage on the ring road.",
        "Changed four clutches at the garage today, my hands are wrecked.",
        "Friday was my last shift at the garage." + TURN + "From Monday I'm driving a van for a parcel firm.",
        ("What do I do for work now?", "What's my job these days?"), "What did I do for work before?",
    ),
    Script(
        "job-callcentre", "job", _v("call centre", "call center"), _v("estate agent", "estate agent's"),
        "I answer phones at an insurance call centre.",
        "My brother left his bank job to become a plumber; I'm still at the call centre, headset and all.",
        "I'm no longer at the call centre; an estate agent's in town hired me to show flats.",
        ("Where do I work now?", "What's my job at present?"), "Where did I work before?",
        gap_days=GUARD_GAP,
    ),
    # ---- homes ----
    Script(
        "home-swindon", "home", _v("Swindon"), _v("narrowboat", "boat"),
        "I rent a one-bedroom flat in Swindon.",
        "The roundabouts in Swindon still confuse every visitor I have.",
        "Home is a narrowboat on the Kennet and Avon canal these days.",
        ("Where do I live now?", "What's my home at the moment?"), "Where did I live before?",
    ),
    Script(
        "home-cork", "home", _v("Cork"), _v("Kinsale"),
        "We've got a terraced house in Cork with a tiny back garden.",
        "The English Market in Cork had the best olives today.",
        "The landlord sold the house in Cork, so we're in a rented cottage in Kinsale now.",
        ("Which town do we live in now?", "Where is home these days?"), "Where did we live before Kinsale?",
    ),
    Script(
        "home-perth", "home", _v("Perth", "parents"), _v("Dundee"),
        "I still live with my parents in Perth.",
        "Mum in Perth made way too much soup again, I'll be eating it for days.",
        "We finally got the keys to our own place!" + TURN + "It's a semi in Dundee, ten minutes from my sister.",
        ("Where do I live now?", "Which city is my home at present?"), "Where did I live before?",
    ),
    Script(
        "home-bristol", "home", _v("Bristol"), _v("Cardiff"),
        "I live in a flat above a bike shop in Bristol.",
        "My best friend moved from Bath to Leeds this year; I'm still in Bristol, above the bike shop.",
        "I don't live in Bristol anymore; Cardiff is where I've settled.",
        ("Where do I live now?", "Which city is home these days?"), "Where did I live before Cardiff?",
        gap_days=GUARD_GAP,
    ),
    Script(
        "home-croydon", "home", _v("Croydon"), _v("Brighton"),
        "I've lived in Croydon since I finished uni.",
        "The Croydon flat's boiler packed in again.",
        "My postcode says Brighton now, two streets from the sea.",
        ("Where do I live these days?", "What town am I living in now?"), "Where did I live before?",
    ),
    # ---- partners ----
    Script(
        "partner-tomasz", "partner", _v("Tomasz"), _v("Ikenna"),
        "My boyfriend Tomasz cooks for us every Sunday.",
        "Tomasz burnt the roast potatoes, but we ate them anyway.",
        "Tomasz and I split up in the summer, and I'm seeing a lovely guy called Ikenna now.",
        ("Who am I dating now?", "Who's my partner these days?"), "Who was my boyfriend before?",
    ),
    Script(
        "partner-priya", "relationship", _v("girlfriend"), _v("fiancée", "fiancee", "engaged"),
        "My girlfriend Priya and I have been together three years.",
        "Priya, my girlfriend, dragged me to a pottery class on our date night.",
        "Priya is my fiancée now, she said yes on the pier!",
        ("What's my relationship with Priya now?", "Who is Priya to me these days?"),
        "What was Priya to me before?",
    ),
    Script(
        "partner-mark", "relationship", _v("husband", "married"), _v("divorce", "divorced", "single"),
        "My husband Mark and I have been married for twelve years.",
        "Mark, my husband, forgot the bins again.",
        "The divorce from Mark came through in May, so it's just me and the kids now.",
        ("Am I married now?", "What's my relationship status these days?"), "Who was I married to?",
    ),
    Script(
        "partner-jonas", "partner", _v("Jonas"), _v("Aylin"),
        "Jonas, my boyfriend, is a sound engineer at a theatre.",
        "My flatmate broke up with her boyfriend and started dating a drummer; Jonas and I are still going strong.",
        "Jonas moved out last month." + TURN + "I'm with Aylin now, we met at my cousin's wedding.",
        ("Who am I with now?", "Who is my partner at the moment?"), "Who was my partner before?",
        gap_days=GUARD_GAP,
    ),
    # ---- pets ----
    Script(
        "pet-biscuit", "pet", _v("Biscuit"), _v("Pepper", "greyhound"),
        "Our cat Biscuit sleeps on the radiator all day.",
        "Biscuit knocked a mug off the shelf at 3am.",
        "Our old cat Biscuit died in February. A rescue greyhound called Pepper lives with us now.",
        ("What pet do we have now?", "Who is our pet these days?"), "What pet did we have before?",
    ),
    Script(
        "pet-hamster", "pet", _v("hamster", "Nibbles"), _v("budgie", "budgies"),
        "I have a hamster called Nibbles.",
        "Nibbles the hamster escaped behind the sofa for an hour.",
        "A pair of budgies rules the flat now; the hamster went to live with my niece.",
        ("What pets do I have now?", "What animal lives with me these days?"), "What pet did I have before?",
    ),
    Script(
        "pet-rabbits", "pet", _v("rabbit", "rabbits"), _v("tortoise"),
        "I keep two rabbits in a hutch in the garden.",
        "The neighbour's son gave up his guinea pigs and got a snake; my rabbits stare at it through the fence.",
        "The rabbits were rehomed with a farm family, and a tortoise has moved in instead.",
        ("What pet do I keep now?", "Which animal do I look after these days?"), "What pets did I keep before?",
        gap_days=GUARD_GAP,
    ),
    Script(
        "pet-goldfish", "pet", _v("goldfish", "Captain"), _v("collie", "Fern"),
        "I have a goldfish named Captain in a tank on the kitchen counter.",
        "Cleaned Captain's tank, the goldfish did not look impressed.",
        "My companion these days is a border collie pup called Fern.",
        ("What pet do I have now?", "Who keeps me company at home these days?"), "What pet did I have before?",
    ),
    # ---- diets ----
    Script(
        "diet-fryup", "diet", _v("fry-up", "fry up"), _v("porridge"),
        "I start every day with a full fry-up.",
        "The fry-up at the greasy spoon was perfect this morning.",
        "Breakfast these days is porridge with berries, doctor's orders.",
        ("What do I have for breakfast now?", "What's my breakfast at the moment?"),
        "What did I eat for breakfast before?",
    ),
    Script(
        "diet-steak", "diet", _v("steak", "steaks"), _v("vegetarian"),
        "I eat steak at least twice a week.",
        "My dad went vegan for a month and then switched back to meat; I had a steak at his place on Sunday.",
        "Meat's not on my plate anymore, I've been fully vegetarian since Easter.",
        ("What do I eat now?", "What's my diet these days?"), "What did I eat a lot of before?",
        gap_days=GUARD_GAP,
    ),
    Script(
        "diet-gluten", "diet", _v("toast", "pasta", "bread"), _v("gluten-free", "gluten free", "rice"),
        "I eat toast for breakfast and pasta most nights.",
        "Made a giant pasta bake that'll last me till Thursday.",
        "Gluten has been cut out of my diet by the doctor, so it's rice and potatoes for me now.",
        ("What do I eat now?", "What's my diet like these days?"), "What did I eat before?",
    ),
    Script(
        "diet-curry", "diet", _v("curry", "curries"), _v("meal kit", "meal kits"),
        "I cook a big curry every Sunday for the week ahead.",
        "The Sunday curry was extra hot this time, my eyes watered.",
        "A meal kit box arrives every Tuesday, and that's what we eat all week.",
        ("What do we eat during the week now?", "How do I handle meals these days?"),
        "What did I cook for the week before?",
    ),
    # ---- commutes ----
    Script(
        "com-walk", "commute", _v("walk", "walking"), _v("tram"),
        "I walk to the office, it takes forty minutes.",
        "Got soaked on the walk to the office this morning.",
        "The number 9 tram takes me to the office nowadays.",
        ("How do I get to the office now?", "What's my commute these days?"), "How did I get to work before?",
    ),
    Script(
        "com-corsa", "commute", _v("drive", "drives", "driving", "Corsa"), _v("scooter", "e-scooter"),
        "I drive to work in my old Corsa.",
        "The Corsa wouldn't start, so I was late.",
        "My commute is an e-scooter ride now, ten minutes door to door.",
        ("How do I get to work now?", "What's my commute at the moment?"), "How did I get to work before?",
    ),
    Script(
        "com-carpark", "commute", _v("car park", "drive in"), _v("park-and-ride", "park and ride"),
        "I drive in and leave the car in the staff car park.",
        "Someone dented my door in the staff car park.",
        "They closed the staff car park at work." + TURN + "So it's the park-and-ride bus for me every morning.",
        ("How do I get to work now?", "How do I travel in these days?"), "How did I get to work before?",
    ),
    Script(
        "com-ferry", "commute", _v("ferry"), _v("brother-in-law", "driven"),
        "I take the ferry to work across the bay.",
        "Dolphins followed the ferry for a while today!",
        "I get driven in by my brother-in-law now that he works next door to me.",
        ("How do I get to work now?", "How do I travel to the office these days?"), "How did I get to work before?",
    ),
    # ---- hobbies ----
    Script(
        "hob-darts", "hobby", _v("darts"), _v("pottery", "wheel"),
        "I play darts in the pub league.",
        "Hit my first 180 at darts on Tuesday!",
        "Pottery is my thing these days, I've put a wheel in the garage.",
        ("What's my hobby now?", "What do I do for fun these days?"), "What did I do for fun before?",
    ),
    Script(
        "hob-salsa", "hobby", _v("salsa"), _v("choir"),
        "I go to salsa classes on Wednesday nights.",
        "Stepped on my salsa partner's toes twice, mortifying.",
        "The choir takes up my Wednesday nights now.",
        ("What do I do on Wednesday nights now?", "Where do I spend Wednesday evenings these days?"),
        "What did I do on Wednesday nights before?",
    ),
    Script(
        "hob-fishing", "hobby", _v("fish", "fishing"), _v("birdwatching", "binoculars"),
        "I fish on the reservoir most Saturdays.",
        "My uncle sold his golf clubs and bought a kayak; I was out fishing on the reservoir as usual.",
        "I don't fish anymore; birdwatching is what gets me outdoors, binoculars and all.",
        ("What gets me outdoors now?", "What's my Saturday hobby these days?"), "What did I do on Saturdays before?",
        gap_days=GUARD_GAP,
    ),
    Script(
        "hob-drums", "hobby", _v("drum", "drums"), _v("ukulele"),
        "I play drums in a covers band.",
        "Our covers band played a pub gig, I broke a drum stick mid-song.",
        "Sold my drum kit last month; the ukulele is what I strum in the evenings now.",
        ("What instrument do I play now?", "What music do I make these days?"), "What did I play before?",
    ),
    Script(
        "hob-chess", "hobby", _v("chess"), _v("orienteering"),
        "I play chess at the club every Sunday.",
        "Lost a chess game in twelve moves, humbling.",
        "I handed back my chess club membership." + TURN + "Orienteering on Sundays has been great fun instead.",
        ("What do I do on Sundays now?", "What's my hobby these days?"), "What did I do on Sundays before?",
    ),
    # ---- plans ----
    Script(
        "plan-iceland", "plan", _v("Iceland"), _v("Portugal"),
        "We're going to Iceland for our anniversary in the spring.",
        "Looked up the northern lights forecast for Iceland again.",
        "Portugal is where we're heading for the anniversary now; the flights were half the price.",
        ("Where are we going for our anniversary?", "What's the anniversary trip now?"),
        "Where were we going to go for the anniversary before?",
    ),
    Script(
        "plan-law", "plan", _v("law"), _v("medicine"),
        "I'm applying to study law next year.",
        "Read a whole book on famous law cases on the train.",
        "Medicine is the plan now; I've started the chemistry course for the entrance exam.",
        ("What do I plan to study now?", "What degree am I aiming for these days?"),
        "What did I want to study before?",
    ),
    Script(
        "plan-spain", "plan", _v("Spain"), _v("Lake District"),
        "We're saving to move to Spain when the kids finish school.",
        "A colleague gave up on moving to Canada and bought a caravan instead; we're still saving for Spain.",
        "The Spain idea got dropped, and we're looking at a cottage in the Lake District now.",
        ("Where are we planning to move now?", "What's our moving plan these days?"),
        "Where did we plan to move before?",
        gap_days=GUARD_GAP,
    ),
    # ---- preferences ----
    Script(
        "pref-flatwhite", "drink", _v("flat white", "flat whites"), _v("green tea"),
        "I can't function without a flat white in the morning.",
        "The barista drew a swan on my flat white.",
        "Green tea is my go-to drink these days.",
        ("What do I drink now?", "What's my usual drink at the moment?"), "What did I drink before?",
    ),
    Script(
        "pref-metal", "music", _v("metal"), _v("jazz"),
        "I listen to heavy metal while I cook.",
        "Blasted some metal and the neighbours banged on the wall.",
        "Jazz is what's playing in my kitchen now.",
        ("What music do I listen to now?", "What do I play while cooking these days?"),
        "What music did I listen to before?",
    ),
    Script(
        "pref-everton", "team", _v("Everton"), _v("Tranmere"),
        "I support Everton, season ticket and everything.",
        "Everton lost again, I need a lie down.",
        "I'm not an Everton fan anymore, it's Tranmere I follow now.",
        ("Which team do I support now?", "Who do I follow these days?"), "Which team did I support before?",
    ),
    Script(
        "pref-author", "books", _v("Pratchett"), _v("Le Guin"),
        "My favourite author is Terry Pratchett.",
        "Reread a Pratchett on the bus and laughed out loud.",
        "Ursula Le Guin is my favourite author now.",
        ("Who is my favourite author now?", "Which writer do I like best these days?"),
        "Who was my favourite author before?",
    ),
    # ---- things one owns or belongs to ----
    Script(
        "own-astra", "car", _v("Astra"), _v("Yaris"),
        "I drive a silver Vauxhall Astra.",
        "My sister traded her van for an electric Fiat last spring; I washed the Astra on Sunday.",
        "The Astra was written off in the crash, so a hybrid Yaris sits on my drive now.",
        ("What car do I have now?", "What do I drive these days?"), "What car did I have before?",
        gap_days=GUARD_GAP,
    ),
    Script(
        "own-phone", "phone", _v("iPhone"), _v("Pixel"),
        "I use an old iPhone SE.",
        "The iPhone battery died at lunchtime again.",
        "A Pixel lives in my pocket now.",
        ("What phone do I have now?", "What phone am I using these days?"), "What phone did I use before?",
    ),
    Script(
        "own-gym", "gym", _v("PureGym"), _v("pool", "swimming"),
        "I'm a member at PureGym and go after work.",
        "PureGym was rammed at six, no free benches.",
        "I'm not a member at PureGym anymore; the council pool is my place now.",
        ("Where do I work out now?", "Where do I exercise these days?"), "Where did I work out before?",
    ),
    Script(
        "own-foodbank", "volunteering", _v("food bank"), _v("animal shelter", "shelter"),
        "I volunteer at the food bank on Saturdays.",
        "Sorted two hundred tins at the food bank.",
        "The food bank closed down, so the animal shelter gets my Saturdays now.",
        ("Where do I volunteer now?", "How do I spend Saturdays these days?"), "Where did I volunteer before?",
    ),
    Script(
        "own-bank", "bank", _v("Barclays"), _v("Starling"),
        "I bank with Barclays.",
        "Barclays' app logged me out three times today.",
        "My salary goes into a Starling account now.",
        ("Which bank am I with now?", "Where does my money go these days?"), "Which bank did I use before?",
    ),
    Script(
        "own-nights", "shift", _v("nights", "night shift", "night shifts"), _v("day shift", "day shifts"),
        "I work nights at the warehouse.",
        "Nights at the warehouse are so quiet you can hear the forklift chargers.",
        "I've been put on the day shift since the restructure.",
        ("What shift do I work now?", "When do I work these days?"), "What shift did I work before?",
    ),
]

# small talk of this set's own (none of it says anything lasting about the user, none names a value above)
DISTRACTORS: list[tuple[str, str]] = [
    ("What's the capital of Mongolia?", "Ulaanbaatar."),
    ("The kettle's making a funny noise.", "Might be limescale."),
    ("How long do you boil an egg for a runny yolk?", "About six minutes."),
    ("A seagull stole a chip right out of my hand.", "Bold birds."),
    ("Why do onions make you cry?", "They release a gas that irritates the eyes."),
    ("The clocks go back this weekend.", "An extra hour of sleep."),
    ("Is a tomato a fruit?", "Botanically, yes."),
    ("Someone left a sofa on the pavement outside.", "Free sofa, anyone?"),
    ("How many bones are in the human body?", "206 in an adult."),
    ("My pen exploded in my bag.", "Ink everywhere, I bet."),
    ("What's the fastest land animal?", "The cheetah."),
    ("The power went out for ten minutes.", "Candles at the ready."),
    ("Why is the moon sometimes visible in the day?", "It's bright enough to outshine the blue sky."),
    ("The queue at the post office was out the door.", "Always the way."),
    ("How do you say thank you in Welsh?", "Diolch."),
    ("A wasp got into the kitchen.", "Open a window and wait."),
    ("What's the smallest country in the world?", "Vatican City."),
    ("The lift smelled of burnt popcorn.", "Someone's lunch."),
    ("Who painted the Mona Lisa?", "Leonardo da Vinci."),
    ("There's frost on the inside of the window.", "Properly cold, then."),
    ("How far away is the sun?", "About 150 million kilometres."),
    ("My shoelace snapped on the stairs.", "Always at the wrong moment."),
]
CLOSERS = ["Got it.", "Sounds good.", "Oh, lovely.", "Thanks for the update.", "Interesting!"]



def build_unseen5(n: int = 44, seed: int = 12, closing_pages: int = 7) -> list[Dialogue]:
    """The first n scripts as dialogues (dates and small talk drawn from `seed`), in `_update_suite`'s format."""
    return [
        split_turns(d, TURN, FIRST_TURN_REPLY)
        for d in build_from_scripts(SCRIPTS, DISTRACTORS, CLOSERS, n, seed, closing_pages)
    ]
