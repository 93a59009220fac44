"""A ninth knowledge-update set ("unseen6", session 29): 44 hand-written dialogues, not generated from templates.

Written and scored on the session's start commit before any code of session 29 changed, then scored once more at
the end; its failures are not read while readers are built, so it stays the transfer check for session 29's work.
Its people, values, small talk and wording are its own, across jobs (a promotion among them), homes (a downsize),
partners (a wedding, someone single who is no longer), pets, diets and drinks, commutes, hobbies, languages,
instruments, plans (a venue, a date moved, a course), tastes, and things one has or uses (a laptop, a car, a phone
network, a dentist, a child's school, a place in a team). The change idioms are ones the other sets do not use on
purpose: "swapped X for Y", "got promoted ... is my title", "ever since ..., I've been", "X is history", "as of
June", "X? Not anymore.", "downsized to", "out of the picture", "tied the knot", "off the market", "Y has his old
corner", "got the boot", "switched over to", "gathering dust", "on pause; moved on to", "has replaced", "pushed back
to", "changed my mind", "gone off", "we're Y people now", "switched allegiance", "upgraded to", "moved my number
over to", "made me captain". Three changes are told across two turns of one session (`TURN`, as in unseen5), and
eight dialogues carry someone else's change of the same kind in the passing-mention session, 70-200 days before the
user's. The shape and the scoring are `_update_suite`'s.
"""

from __future__ import annotations

from ._update_suite import Dialogue
from ._update_unseen import Script, _v, build_from_scripts, split_turns

GUARD_GAP = (70, 200)  # the passing mention with someone else's change lies > 31 days before the user's change
TURN = "\n"  # splits a change told across two turns: what ended, then what holds now
FIRST_TURN_REPLY = "Oh really? Go on."

SCRIPTS: list[Script] = [
    # ---- jobs ----
    Script(
        "job-dental", "job", _v("dental nurse", "dental"), _v("paramedic", "ambulance"),
        "I work as a dental nurse at a practice in Leith.",
        "Held the suction for six fillings today, dental nurse life.",
        "I swapped the dental practice for an ambulance: I'm a paramedic as of last month.",
        ("What's my job now?", "What do I do for a living these days?"), "What was my job before?",
    ),
    Script(
        "job-designer", "job", _v("junior designer", "junior"), _v("art director"),
        "I'm a junior designer at an ad agency in Leeds.",
        "Spent all day resizing banner ads, the junior designer's lot.",
        "Got promoted! Art director is my title on the new business cards.",
        ("What's my role at the agency now?", "What is my job title these days?"), "What was my role before?",
    ),
    Script(
        "job-cook", "job", _v("line cook", "hotel kitchen"), _v("food truck", "taco van"),
        "I'm a line cook in a hotel kitchen.",
        "The hotel kitchen hit forty-five degrees during the Saturday rush.",
        "Ever since I bought the old taco van, I've been running my own food truck at markets.",
        ("What do I do for work now?", "How do I earn a living these days?"), "What did I do for work before?",
    ),
    Script(
        "job-accountant", "job", _v("accountant", "accountancy", "accounts"), _v("beekeeper", "beekeeping", "hives"),
        "I'm an accountant at a firm in Harrogate.",
        "Tax season at the accountancy firm means twelve-hour days.",
        "I handed in my notice at the accountancy firm." + TURN
        + "Beekeeping full time is how I make a living now, forty hives and a honey stall.",
        ("What do I do for a living now?", "What's my work these days?"), "What did I do before?",
    ),
    Script(
        "job-postman", "job", _v("postman", "post round", "postal"), _v("driving instructor"),
        "I'm a postman, my round covers the whole of Frodsham.",
        "My neighbour quit the police to teach yoga; I'm still on my post round every morning.",
        "These days I teach learners as a driving instructor; the post round is history.",
        ("What's my job now?", "What do I do for work at the moment?"), "What was my job before?",
        gap_days=GUARD_GAP,
    ),
    # ---- homes ----
    Script(
        "home-aberdeen", "home", _v("Aberdeen"), _v("Inverness"),
        "My flat in Aberdeen looks out over the harbour.",
        "The wind in Aberdeen nearly took my front door off.",
        "We swapped Aberdeen for Inverness in the autumn, and the new flat looks over the river.",
        ("Which city do I live in now?", "Where's home these days?"), "Where did I live before?",
    ),
    Script(
        "home-houseshare", "home", _v("houseshare", "house share", "housemates"), _v("studio"),
        "I live in a houseshare with four other nurses in Sheffield.",
        "My housemates left a mountain of dishes again.",
        "Finally got a studio all to myself in Sheffield, keys came on Friday.",
        ("What kind of place do I live in now?", "Who do I live with these days?"), "Where did I live before?",
    ),
    Script(
        "home-norwich", "home", _v("Norwich"), _v("Ipswich"),
        "I've got a little bungalow in Norwich.",
        "My aunt sold up in Norwich and retired to Spain last year; I'm staying put in my bungalow.",
        "As of June our address is in Ipswich; the bungalow went to a young couple.",
        ("Where do I live now?", "Which town is home at present?"), "Where did I live before Ipswich?",
        gap_days=GUARD_GAP,
    ),
    Script(
        "home-lyon", "home", _v("Lyon"), _v("Montreal"),
        "I'm an expat living in Lyon, near the old town.",
        "Bought far too much cheese at the market in Lyon.",
        "Lyon? Not anymore. We've put down roots in Montreal.",
        ("Which city do I live in now?", "Where have I settled these days?"), "Which city did I live in before?",
    ),
    Script(
        "home-farmhouse", "home", _v("farmhouse"), _v("retirement village"),
        "We live in a big old farmhouse outside Hexham.",
        "The farmhouse roof is leaking in three places.",
        "We've downsized to a retirement village near Hexham, one floor and no stairs.",
        ("Where do we live now?", "What's our home like these days?"), "Where did we live before?",
    ),
    # ---- partners ----
    Script(
        "partner-rafael", "partner", _v("Rafael"), _v("Dominic"),
        "I've been seeing Rafael, he's a chef, for about a year.",
        "Rafael made paella for my birthday.",
        "Rafael is out of the picture; Dominic and I have been inseparable since the spring.",
        ("Who am I seeing now?", "Who's my partner these days?"), "Who was I seeing before?",
    ),
    Script(
        "partner-luca", "relationship", _v("engaged", "fiancé", "fiance"), _v("married", "husband", "tied the knot"),
        "I'm engaged to Luca, the wedding's next summer.",
        "Luca, my fiancé, wants a ceilidh band at the wedding.",
        "Luca and I tied the knot in September, so he's officially my husband!",
        ("What's my relationship with Luca now?", "Who is Luca to me these days?"), "What was Luca to me before?",
    ),
    Script(
        "partner-hannah", "partner", _v("Hannah"), _v("Chloe"),
        "My girlfriend Hannah and I live together in a tiny flat.",
        "My best mate dumped his girlfriend and went back to his ex; Hannah and I laughed about the drama.",
        "Hannah and I went our separate ways, and I've been dating Chloe for a couple of months now.",
        ("Who am I dating now?", "Who is my girlfriend at the moment?"), "Who was my girlfriend before?",
        gap_days=GUARD_GAP,
    ),
    Script(
        "partner-femi", "relationship", _v("single"), _v("Femi"),
        "I'm single and honestly loving it.",
        "Another wedding invitation addressed to me plus nobody, since I'm single.",
        "I'm off the market! Femi asked me out at the climbing wall and we're an item now.",
        ("Am I seeing anyone now?", "What's my relationship status these days?"),
        "What was my relationship status before?",
    ),
    # ---- pets ----
    Script(
        "pet-mango", "pet", _v("parrot", "Mango"), _v("gecko", "Ziggy"),
        "My parrot Mango says hello to everyone who visits.",
        "Mango the parrot learnt to copy the microwave beep.",
        "Mango went to a bird sanctuary with more space; a leopard gecko named Ziggy has his old corner.",
        ("What pet do I have now?", "Which animal lives with me these days?"), "What pet did I have before?",
    ),
    Script(
        "pet-rosie", "pet", _v("spaniel", "Rosie"), _v("kitten", "kittens"),
        "I walk my spaniel Rosie twice a day.",
        "Rosie rolled in something disgusting at the park.",
        "We lost Rosie to old age in March." + TURN + "Two kittens from the shelter have brightened the house since.",
        ("What pets do we have now?", "Which animals live with us these days?"), "What pet did we have before?",
    ),
    Script(
        "pet-duke", "pet", _v("horse", "Duke"), _v("alpaca", "alpacas"),
        "I keep a horse called Duke at a livery yard.",
        "My cousin sold her pony and bought a motorbike; I spent the afternoon grooming Duke.",
        "Duke has been sold to a riding school, and I look after three alpacas on a smallholding now.",
        ("What animals do I look after now?", "Which animals do I care for these days?"),
        "What animal did I keep before?",
        gap_days=GUARD_GAP,
    ),
    Script(
        "pet-aquarium", "pet", _v("tropical fish", "aquarium"), _v("hens", "chickens"),
        "I keep tropical fish in a big aquarium in the lounge.",
        "One of the tropical fish had babies in the aquarium!",
        "The aquarium is gone; I keep hens in the back garden instead, fresh eggs every morning.",
        ("What animals do I keep now?", "What pets do I have these days?"), "What pets did I keep before?",
    ),
    # ---- diets and drinks ----
    Script(
        "diet-keto", "diet", _v("keto"), _v("Mediterranean"),
        "I'm on a strict keto diet.",
        "Keto means I ate a whole block of cheese for lunch.",
        "I gave up keto for a Mediterranean diet, lots of fish and olive oil.",
        ("What diet am I on now?", "How do I eat these days?"), "What diet was I on before?",
    ),
    Script(
        "drink-energy", "drink", _v("energy drink", "energy drinks"), _v("kombucha"),
        "I get through three energy drinks a day at work.",
        "Spilt an energy drink all over my keyboard.",
        "Energy drinks got the boot; kombucha is what's in my fridge these days.",
        ("What do I drink now?", "What's my usual drink at the moment?"), "What did I drink before?",
    ),
    Script(
        "diet-canteen", "lunch", _v("canteen"), _v("packed lunch"),
        "I eat lunch in the work canteen every day.",
        "The canteen had fish and chips on Friday, the queue went round the block.",
        "I've switched over to a packed lunch from home, saves me thirty quid a week.",
        ("What do I do for lunch now?", "Where does my lunch come from these days?"), "Where did I eat lunch before?",
    ),
    Script(
        "drink-wine", "drink", _v("red wine", "wine"), _v("teetotal", "alcohol-free"),
        "I like a glass of red wine with dinner most nights.",
        "Opened a lovely bottle of red wine from Rioja.",
        "Seven months teetotal as of today, not a drop since New Year.",
        ("Do I drink alcohol now?", "What do I have with dinner these days?"), "What did I drink with dinner before?",
    ),
    # ---- commutes ----
    Script(
        "com-motorbike", "commute", _v("motorbike"), _v("train"),
        "I ride my motorbike to the depot every morning.",
        "Got caught in a hailstorm on the motorbike.",
        "The motorbike's been sold; it's the 7:40 train for me now, with a book.",
        ("How do I get to the depot now?", "What's my commute these days?"), "How did I get to work before?",
    ),
    Script(
        "com-towpath", "commute", _v("cycle", "cycling", "towpath"), _v("lift", "car share"),
        "I cycle to the lab along the canal towpath.",
        "Punctured a tyre cycling to the lab.",
        "After the knee operation, a colleague gives me a lift to the lab every day.",
        ("How do I get to the lab now?", "What's my commute like these days?"), "How did I get to the lab before?",
    ),
    Script(
        "com-tube", "commute", _v("Tube", "Underground"), _v("riverboat", "Clipper"),
        "I take the Tube to work at Canary Wharf.",
        "My colleague swapped the train for cycling in; I was squashed on the Tube again.",
        "I've started taking the riverboat to Canary Wharf instead of the Tube.",
        ("How do I get to work now?", "What's my commute at the moment?"), "How did I get to work before?",
        gap_days=GUARD_GAP,
    ),
    # ---- hobbies, languages, instruments ----
    Script(
        "hob-knitting", "hobby", _v("knit", "knitting"), _v("bouldering", "climbing wall"),
        "I knit in the evenings, mostly jumpers for my nieces.",
        "Dropped a stitch and had to unravel half a sleeve of my knitting.",
        "The knitting needles are gathering dust; bouldering at the climbing wall is my evening thing now.",
        ("What do I do in the evenings now?", "What's my hobby these days?"), "What did I do in the evenings before?",
    ),
    Script(
        "hob-running", "hobby", _v("running", "marathon", "marathons"), _v("wild swimming", "lake"),
        "I'm training for marathons, running sixty miles a week.",
        "Lost a toenail from all the running, gross.",
        "My knees said no more running, so it's wild swimming in the lake on weekend mornings.",
        ("What do I do for exercise now?", "How do I keep fit these days?"), "What did I do for exercise before?",
    ),
    Script(
        "hob-italian", "language", _v("Italian"), _v("Korean"),
        "I'm learning Italian at evening classes.",
        "My Italian teacher made us sing an opera aria.",
        "Italian is on pause; I've moved on to Korean with a tutor online.",
        ("Which language am I learning now?", "What language am I studying these days?"),
        "Which language was I learning before?",
    ),
    Script(
        "hob-sax", "instrument", _v("saxophone", "sax"), _v("harp"),
        "I play the saxophone in a big band.",
        "The big band played a wedding and my sax reed split.",
        "The harp has replaced the saxophone in my life, lessons every Thursday.",
        ("What instrument do I play now?", "What am I playing these days?"), "What instrument did I play before?",
    ),
    Script(
        "hob-allotment", "hobby", _v("allotment", "leeks"), _v("sailing", "dinghy"),
        "I spend weekends on my allotment growing leeks.",
        "My dad packed in golf to take up bowls; I was on the allotment pulling leeks.",
        "I gave up the allotment and joined the sailing club, out in a dinghy every weekend.",
        ("What do I do at weekends now?", "What's my weekend hobby these days?"), "What did I do at weekends before?",
        gap_days=GUARD_GAP,
    ),
    # ---- plans ----
    Script(
        "plan-castle", "plan", _v("castle"), _v("barn"),
        "We've booked a castle in Northumberland for our wedding.",
        "Did a walk-round of the castle with the wedding planner.",
        "The castle cancelled on us, so the wedding will be in a converted barn near Alnwick instead.",
        ("Where is our wedding going to be?", "What's the wedding venue now?"), "Which venue had we booked before?",
    ),
    Script(
        "plan-retire", "plan", _v("Cornwall"), _v("Crete"),
        "We plan to retire to a cottage in Cornwall.",
        "Browsed cottages in Cornwall online for hours.",
        "We've set our hearts on Crete for retirement, the sunshine won us over.",
        ("Where do we plan to retire now?", "What's our retirement plan these days?"),
        "Where did we plan to retire before?",
    ),
    Script(
        "plan-move-date", "plan", _v("October", case=True), _v("March", case=True),
        "Our house move is set for October.",
        "Started packing boxes for the October move already.",
        "The move got pushed back to March because the buyers' mortgage is slow.",
        ("When are we moving house now?", "What's the date of our move these days?"),
        "When was our move planned before?",
    ),
    Script(
        "plan-degree", "plan", _v("nursing"), _v("architecture"),
        "My plan is to start a nursing degree in September.",
        "Went to a nursing open day at the university.",
        "Changed my mind: I've applied for architecture and the portfolio is nearly done.",
        ("What do I plan to study now?", "Which degree am I going for these days?"),
        "What did I plan to study before?",
    ),
    # ---- tastes ----
    Script(
        "pref-crime", "tv", _v("crime drama", "crime dramas"), _v("nature documentaries", "documentaries"),
        "I binge crime dramas every evening.",
        "Another crime drama where the detective has a troubled past.",
        "I've gone off crime dramas; nature documentaries are my evening viewing now.",
        ("What do I watch in the evenings now?", "What's my viewing these days?"), "What did I watch before?",
    ),
    Script(
        "pref-espresso", "drink", _v("espresso"), _v("decaf"),
        "I drink espresso, at least four shots a day.",
        "The new espresso machine at work is a beast.",
        "Decaf only for me since the heart palpitations started.",
        ("What coffee do I drink now?", "How do I take my coffee these days?"), "What coffee did I drink before?",
    ),
    Script(
        "pref-camping", "holidays", _v("camping", "tent"), _v("cruise", "cruises"),
        "Our holidays are always camping in the Highlands.",
        "Bought a new tent for the camping season.",
        "We're cruise people now, did the fjords in May and booked the Caribbean.",
        ("What kind of holidays do we take now?", "How do we go on holiday these days?"),
        "What kind of holidays did we take before?",
    ),
    Script(
        "pref-celtic", "team", _v("Celtic"), _v("Hibs", "Hibernian"),
        "I'm a Celtic supporter, like my grandad was.",
        "My brother switched from Rangers to Aberdeen, the traitor; Celtic won, so I didn't care.",
        "I switched allegiance to Hibs after moving to Edinburgh.",
        ("Which team do I support now?", "Who do I cheer for these days?"), "Which team did I support before?",
        gap_days=GUARD_GAP,
    ),
    # ---- things one has or uses ----
    Script(
        "own-laptop", "laptop", _v("Chromebook"), _v("Surface"),
        "I do everything on a cheap Chromebook.",
        "The Chromebook froze in the middle of my presentation.",
        "I upgraded to a Surface laptop with my bonus.",
        ("What laptop do I use now?", "What computer do I have these days?"), "What laptop did I use before?",
    ),
    Script(
        "own-defender", "car", _v("Defender", "Land Rover"), _v("Tesla"),
        "I drive an old Land Rover Defender.",
        "The Defender leaked oil on the drive again.",
        "The Defender is gone; a second-hand Tesla is what I drive now.",
        ("What car do I drive now?", "What's my car these days?"), "What car did I drive before?",
    ),
    Script(
        "own-network", "phone network", _v("Vodafone"), _v("giffgaff"),
        "My phone contract is with Vodafone.",
        "Vodafone's signal in my kitchen is useless.",
        "I moved my number over to giffgaff last week.",
        ("Which phone network am I on now?", "Who is my mobile provider these days?"),
        "Which network was I with before?",
    ),
    Script(
        "own-dentist", "dentist", _v("Dr Patel", "Patel"), _v("Dr Morrison", "Morrison"),
        "My dentist is Dr Patel on Church Street.",
        "Dr Patel gave me a lecture about flossing.",
        "Dr Patel retired last month." + TURN + "So Dr Morrison at the new clinic looks after my teeth these days.",
        ("Who is my dentist now?", "Which dentist do I see these days?"), "Who was my dentist before?",
    ),
    Script(
        "own-school", "school", _v("St Mary's"), _v("Oakfield"),
        "My son goes to St Mary's primary.",
        "St Mary's had a nativity play and my son was a sheep.",
        "My son started at Oakfield Academy in September, a big secondary school kid now.",
        ("Which school does my son go to now?", "Where is my son at school these days?"),
        "Which school did my son go to before?",
    ),
    Script(
        "own-keeper", "team role", _v("goalkeeper", "in goal", "keeper"), _v("captain", "centre-back"),
        "I play in goal for our Sunday league team.",
        "Let in six on Sunday, a keeper's nightmare.",
        "The manager made me captain and moved me to centre-back.",
        ("What's my role in the team now?", "Where do I play these days?"), "Where did I play before?",
    ),
]

# small talk of this set's own (none of it says anything lasting about the user, none names a value above)
DISTRACTORS: list[tuple[str, str]] = [
    ("How many legs does a spider have?", "Eight."),
    ("The fridge is humming louder than usual.", "Could be the compressor."),
    ("What's the longest river in the world?", "The Nile, by most measures."),
    ("A pigeon walked into the bakery this morning.", "Hopefully it didn't order."),
    ("Why does bread go stale?", "The starch crystallises as it loses moisture."),
    ("The recycling lorry came two days early.", "Always when you forget."),
    ("What's the boiling point of water on Everest?", "About 70 degrees Celsius."),
    ("Someone parked across my driveway.", "Very annoying."),
    ("How many time zones does Russia have?", "Eleven."),
    ("My glasses fogged up in the shop.", "Classic winter problem."),
    ("Which planet has the most moons?", "Saturn, at the last count."),
    ("The traffic lights on the high street are broken.", "Chaos at every junction."),
    ("Why do leaves change colour in autumn?", "The chlorophyll breaks down and other pigments show."),
    ("The library fine was only ten pence.", "A bargain."),
    ("How do you say good morning in Japanese?", "Ohayou gozaimasu."),
    ("A moth flew into my lampshade.", "They love a bright bulb."),
    ("What's the hardest natural substance?", "Diamond."),
    ("The vending machine ate my coins.", "They always do."),
    ("Who wrote Pride and Prejudice?", "Jane Austen."),
    ("There's a rainbow over the rooftops.", "Lovely timing."),
    ("How deep is the Mariana Trench?", "About eleven kilometres."),
    ("My zip got stuck on my coat.", "A bit of pencil lead helps."),
]
CLOSERS = ["Noted.", "Ah, nice.", "Thanks for sharing.", "Right you are.", "How about that!"]



def build_unseen6(n: int = 44, seed: int = 12, closing_pages: int = 7) -> list[Dialogue]:
    """The first n scripts as dialogues (dates and small talk drawn from `seed`), in `_update_suite`'s format."""
    return [
        split_turns(d, TURN, FIRST_TURN_REPLY)
        for d in build_from_scripts(SCRIPTS, DISTRACTORS, CLOSERS, n, seed, closing_pages)
    ]
