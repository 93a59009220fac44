"""A tenth knowledge-update set ("unseen7", session 30): 44 hand-written dialogues, not generated from templates.

Written and scored on the session's start commit before any code of session 30 changed, then scored once more at
the end; its failures are not read while readers are built, so it stays the transfer check for session 30's work
(and the next session's). Its people, values, small talk and wording are its own, across jobs (a promotion to head
chef among them), employers, homes, partners (a wedding, a divorce), pets, diets and drinks, commutes, hobbies, a
language, an instrument, a sport, plans (a trip, a date moved, a course, a race), tastes and things one has. Many
changes are told as an event, often in two sentences of one turn, the first saying what ended or happened and the
second what holds now ("X and I called it quits over the winter. I'm seeing Y these days.", "Our old cat passed
away in April. A rescue greyhound sleeps on the sofa now.", "Z headhunted me away from W"). Three changes are told
across two turns of one session (`TURN`, as in unseen5 and unseen6), and ten dialogues carry someone else's change
of the same kind in the passing-mention session, 70-200 days before the user's. The shape and the scoring are
`_update_suite`'s; none of its small-talk lines or value-bearing turns occurs in another set (checked in
`tests/test_benchmarks.py`).
"""

from __future__ import annotations

from ._update_suite import Dialogue
from ._update_unseen import Script, _v, build_from_scripts, split_turns

GUARD_GAP = (70, 200)  # the passing mention with someone else's change lies > 31 days before the user's change
TURN = "\n"  # splits a change told across two turns: what ended, then what holds now
FIRST_TURN_REPLY = "Oh no, and then?"

SCRIPTS: list[Script] = [
    # ---- jobs ----
    Script(
        "job-plumber", "job", _v("plumber", "plumbing"), _v("sound engineer"),
        "I'm a plumber, mostly boilers and burst pipes around Swindon.",
        "Spent two hours under a sink today, the plumber's glamorous life.",
        "I hung up my wrenches in the summer. Mixing live bands as a sound engineer pays the bills now.",
        ("What's my job now?", "What do I do for a living these days?"), "What did I do for a living before?",
    ),
    Script(
        "job-librarian", "job", _v("librarian"), _v("estate agent"),
        "I'm a librarian, I run the children's section at the branch in Wigan.",
        "Story time went well, twenty toddlers and only one tantrum, a good librarian day.",
        "The council closed our branch and let me go. I sell houses as an estate agent these days.",
        ("What do I work as now?", "What's my job at the moment?"), "What did I work as before?",
    ),
    Script(
        "job-security", "job", _v("security guard"), _v("florist", "flower shop"),
        "I work nights as a security guard at a warehouse.",
        "Twelve hours of watching camera screens, the security guard's night shift.",
        "No more night shifts for me: my sister and I opened a flower shop on the high street and I'm a florist now.",
        ("What is my job these days?", "What do I do for work now?"), "What was my job before?",
    ),
    Script(
        "job-sous", "job", _v("sous chef"), _v("head chef"),
        "I'm the sous chef at a bistro in Bath.",
        "The sous chef always gets the blame when the hollandaise splits.",
        "Our chef left for Dubai and the owner handed me the kitchen. I'm head chef now.",
        ("What's my position in the kitchen now?", "What's my role at the bistro these days?"),
        "What was my role in the kitchen before?",
    ),
    Script(
        "job-bookkeeper", "job", _v("bookkeeper", "bookkeeping"), _v("tattoo artist", "tattooing"),
        "I keep the books for three cafés as a freelance bookkeeper.",
        "My sister jacked in her office job to train as a vet; I'm still the bookkeeper for my three cafés.",
        "The apprenticeship is over and I ink clients full time as a tattoo artist.",
        ("What's my job now?", "How do I earn my living these days?"), "What was my job before?",
        gap_days=GUARD_GAP,
    ),
    # ---- employers ----
    Script(
        "emp-norrow", "employer", _v("Norrow Logistics"), _v("Castellan Foods"),
        "I plan delivery routes for Norrow Logistics.",
        "Norrow Logistics gave everyone a fleece for Christmas.",
        "Castellan Foods headhunted me away from Norrow Logistics in May.",
        ("Which company do I work for now?", "Who is my employer these days?"), "Which company did I work for before?",
    ),
    Script(
        "emp-pinewood", "employer", _v("Pinewood Clinic"), _v("Saltmarsh Council"),
        "I'm on reception at Pinewood Clinic.",
        "Pinewood Clinic's waiting room was packed with flu cases.",
        "My last day at Pinewood Clinic was in March." + TURN
        + "Saltmarsh Council has had me on its front desk ever since.",
        ("Where do I work now?", "Which organisation employs me these days?"), "Where did I work before?",
    ),
    Script(
        "emp-kestrel", "employer", _v("Kestrel Airways"), _v("Oakhaven Hotels"),
        "I'm cabin crew for Kestrel Airways, mostly short hops to Spain.",
        "A colleague defected to a rival airline last month; I'm staying loyal to Kestrel Airways.",
        "Oakhaven Hotels made me an offer I couldn't refuse, so I traded Kestrel Airways for their events team.",
        ("Who do I work for now?", "Which company am I with these days?"), "Who did I work for before?",
        gap_days=GUARD_GAP,
    ),
    # ---- homes ----
    Script(
        "home-cardiff", "home", _v("Cardiff"), _v("Bristol"),
        "My terraced house in Cardiff is five minutes from the stadium.",
        "Rain again in Cardiff, what a surprise.",
        "We sold the Cardiff house in the spring. Bristol is our home now, a flat by the harbourside.",
        ("Which city do I live in now?", "Where is home these days?"), "Where did I live before?",
    ),
    Script(
        "home-caravan", "home", _v("caravan"), _v("cottage"),
        "I live in a static caravan on a park near the coast.",
        "The caravan shook all night in the gale.",
        "The caravan got towed away last month; I've got the keys to a little stone cottage in the village.",
        ("What kind of home do I have now?", "Where do I live these days?"), "Where did I live before?",
    ),
    Script(
        "home-valencia", "home", _v("Valencia"), _v("Tallinn"),
        "We rent an apartment in Valencia, two streets from the beach.",
        "Ate far too much paella in Valencia at the weekend.",
        "Valencia's sunshine is a memory: we relocated to Tallinn for my wife's job.",
        ("Which city do we live in now?", "Where have we settled these days?"), "Which city did we live in before?",
    ),
    Script(
        "home-parents", "home", _v("parents"), _v("one-bed", "bakery"),
        "I still live with my parents in Coventry.",
        "My parents did my laundry again, the perks of living at home.",
        "At last I've moved into a one-bed flat above a bakery, all mine.",
        ("Where do I live now?", "Who do I live with these days?"), "Where did I live before?",
    ),
    Script(
        "home-dundee", "home", _v("Dundee"), _v("Perth"),
        "I've lived in Dundee all my life, near the waterfront.",
        "My neighbour upped sticks to Glasgow; I'm happy staying in Dundee.",
        "We packed up the van and left Dundee in February. Perth has been home since then.",
        ("Where do I live now?", "Which town is home these days?"), "Where did I live before?",
        gap_days=GUARD_GAP,
    ),
    # ---- partners ----
    Script(
        "partner-marco", "partner", _v("Marco"), _v("Ines"),
        "My boyfriend Marco and I have been together for two years.",
        "Marco cooked risotto for our anniversary.",
        "Marco and I called it quits over the winter. I'm seeing Ines these days.",
        ("Who am I seeing now?", "Who's my partner at the moment?"), "Who was I with before?",
    ),
    Script(
        "partner-saoirse", "relationship", _v("girlfriend"), _v("wife", "married"),
        "My girlfriend Saoirse is a vet in town.",
        "Saoirse, my girlfriend, stitched up a farm dog on our date night.",
        "Saoirse and I got married at the registry office last Saturday. She's my wife!",
        ("Who is Saoirse to me now?", "What's my relationship with Saoirse these days?"),
        "What was Saoirse to me before?",
    ),
    Script(
        "partner-gareth", "relationship", _v("married", "husband"), _v("divorce", "divorced"),
        "I'm married to Gareth, twenty years this June.",
        "My husband Gareth forgot our anniversary again.",
        "The divorce from Gareth came through in October. I live on my own and I like it.",
        ("Am I married now?", "What's my marital status these days?"), "Who was I married to before?",
    ),
    Script(
        "partner-theo", "partner", _v("Theo"), _v("Kasimir"),
        "Theo and I have been dating since university.",
        "My cousin ditched her fiancé a month before the wedding; Theo and I just shook our heads.",
        "Theo moved to Singapore and we ended it. Since June I've been going out with Kasimir.",
        ("Who am I going out with now?", "Who's my boyfriend these days?"), "Who was my boyfriend before?",
        gap_days=GUARD_GAP,
    ),
    # ---- pets ----
    Script(
        "pet-pepper", "pet", _v("cat", "Pepper"), _v("greyhound", "Blue"),
        "Our old cat Pepper sleeps on the radiator all day.",
        "Pepper brought a live frog into the kitchen.",
        "Pepper passed away in April. A rescue greyhound called Blue sleeps on the sofa now.",
        ("What pet do we have now?", "Which animal lives with us these days?"), "What pet did we have before?",
    ),
    Script(
        "pet-nibbles", "pet", _v("hamster", "Nibbles"), _v("bearded dragon", "Spike"),
        "My hamster Nibbles runs on his wheel all night.",
        "Nibbles stuffed a whole grape in his cheek.",
        "We buried Nibbles under the apple tree. A bearded dragon called Spike rules the spare room now.",
        ("What pet do I have now?", "Which animal do I keep these days?"), "What pet did I have before?",
    ),
    Script(
        "pet-goldfish", "pet", _v("goldfish"), _v("tortoise", "Bramble"),
        "I've got two goldfish in a tank on the kitchen counter.",
        "My neighbour gave her rabbits away and got a parrot; my goldfish couldn't care less.",
        "The goldfish went to a friend's pond. Our new companion is a tortoise named Bramble.",
        ("What pet do I have now?", "What animal lives with me these days?"), "What pets did I have before?",
        gap_days=GUARD_GAP,
    ),
    Script(
        "pet-barney", "pet", _v("Labrador", "Barney"), _v("budgies", "budgie"),
        "My Labrador Barney needs two long walks a day.",
        "Barney ate a whole birthday cake off the table.",
        "Barney went to live on my brother's farm when we moved into the flat." + TURN
        + "So it's just me and two budgies now.",
        ("What pets do I have now?", "Which animals do I keep these days?"), "What pet did I have before?",
    ),
    # ---- diets and drinks ----
    Script(
        "diet-vegan", "diet", _v("vegan"), _v("pescatarian", "fish"),
        "I'm vegan, three years now.",
        "Found a vegan cheese that actually melts.",
        "I started eating fish again in January. Pescatarian is the label that fits me now.",
        ("What diet do I follow now?", "How do I eat these days?"), "What diet did I follow before?",
    ),
    Script(
        "drink-tea", "drink", _v("builder's tea"), _v("green tea"),
        "I drink builder's tea all day, milk and two sugars.",
        "Knocked a mug of builder's tea over the sofa.",
        "The doctor frightened me off sugar. It's unsweetened green tea for me from now on.",
        ("What do I drink now?", "What's my usual drink these days?"), "What did I drink before?",
    ),
    Script(
        "drink-cola", "drink", _v("cola"), _v("sparkling water"),
        "I'm hooked on diet cola, a can with every meal.",
        "The machine at work ran out of diet cola, disaster.",
        "I quit cola cold turkey on my birthday; sparkling water with lime is my go-to.",
        ("What do I drink with meals now?", "What's my drink of choice these days?"), "What did I drink before?",
    ),
    Script(
        "diet-lowcarb", "diet", _v("low-carb", "low carb"), _v("plant-based"),
        "I stick to a low-carb diet, no bread or pasta.",
        "My dad went vegetarian after a documentary; I'm sticking with low-carb.",
        "Low-carb lasted two years. A plant-based diet is what I follow now, lentils galore.",
        ("What diet am I on now?", "How do I eat these days?"), "What diet was I on before?",
        gap_days=GUARD_GAP,
    ),
    # ---- commutes ----
    Script(
        "com-scooter", "commute", _v("scooter"), _v("bus"),
        "I ride an electric scooter to the office.",
        "The scooter's battery died halfway up the hill.",
        "My scooter got stolen outside the gym. Since then I catch the number 9 bus to the office.",
        ("How do I get to the office now?", "What's my commute these days?"), "How did I get to work before?",
    ),
    Script(
        "com-drive", "commute", _v("drive", "driving"), _v("walk", "walking"),
        "I drive twenty miles to the warehouse every day.",
        "Sat in a jam for an hour driving to the warehouse.",
        "We moved round the corner from the warehouse, so I go on foot and walk to work now.",
        ("How do I get to the warehouse now?", "What's my commute like these days?"),
        "How did I get to work before?",
    ),
    Script(
        "com-ferry", "commute", _v("ferry"), _v("tunnel"),
        "I take the ferry across the estuary to work.",
        "My workmate gave up the bus and bought an e-bike; I was on the ferry as usual.",
        "The ferry company went bust in April. I drive through the tunnel to work instead.",
        ("How do I get to work now?", "What's my route to work these days?"), "How did I get to work before?",
        gap_days=GUARD_GAP,
    ),
    # ---- hobbies, an instrument, a language, a sport ----
    Script(
        "hob-chess", "hobby", _v("chess"), _v("salsa"),
        "I play at the chess club every Tuesday.",
        "Lost on time at chess again, with a winning position.",
        "I stopped going to chess club after the move. Tuesdays are for salsa classes now.",
        ("What do I do on Tuesdays now?", "What's my hobby these days?"), "What did I do on Tuesdays before?",
    ),
    Script(
        "inst-cello", "instrument", _v("cello"), _v("banjo"),
        "The cello is my instrument, second desk in a community orchestra.",
        "My cello's spike slipped on the church floor mid-concert.",
        "The cello went back to the rental shop in the spring. A banjo is what I practise on now.",
        ("What instrument do I play now?", "What am I practising these days?"), "What instrument did I play before?",
    ),
    Script(
        "lang-portuguese", "language", _v("Portuguese"), _v("Welsh"),
        "I'm learning Portuguese on an app, a lesson a day.",
        "My Portuguese streak hit two hundred days.",
        "I let my Portuguese streak die in March. Welsh lessons at the community centre have taken its place.",
        ("Which language am I learning now?", "What language am I studying these days?"),
        "Which language was I learning before?",
    ),
    Script(
        "sport-squash", "sport", _v("squash"), _v("rowing"),
        "I play squash three times a week.",
        "Took a squash ball to the eye, ouch.",
        "A torn calf ended my squash days. Rowing on the river is my sport now.",
        ("What sport do I do now?", "How do I keep fit these days?"), "What sport did I play before?",
    ),
    Script(
        "hob-photo", "hobby", _v("photography", "camera"), _v("woodwork", "woodworking"),
        "Photography is my weekend passion, mostly birds.",
        "Waited three hours in a hide with my camera for one kingfisher.",
        "I sold all my camera gear to fund a workshop; woodworking fills my weekends now.",
        ("What do I do at weekends now?", "What's my hobby these days?"), "What was my hobby before?",
    ),
    Script(
        "hob-crossword", "hobby", _v("crossword", "crosswords"), _v("jigsaw", "jigsaws"),
        "I do the cryptic crossword every morning with my coffee.",
        "My husband dropped golf for fishing; I did the crossword in the clubhouse.",
        "I'm done with crosswords; thousand-piece jigsaws are my new obsession.",
        ("What do I do for fun now?", "What's my pastime these days?"), "What was my pastime before?",
        gap_days=GUARD_GAP,
    ),
    # ---- plans ----
    Script(
        "plan-japan", "plan", _v("Japan"), _v("Peru"),
        "We're saving for a trip to Japan next spring.",
        "Spent the evening reading guidebooks about Japan.",
        "The Japan trip fell through when the flights doubled. Peru is where we're going instead, in April.",
        ("Where are we travelling next?", "What's our big trip now?"), "Where had we planned to travel before?",
    ),
    Script(
        "plan-wedding", "plan", _v("June", case=True), _v("August", case=True),
        "Our wedding is planned for June.",
        "Tasted five wedding cakes for the June wedding.",
        "The venue double-booked us, so the wedding is now in August.",
        ("When is our wedding now?", "What's the wedding date these days?"), "When was our wedding planned before?",
    ),
    Script(
        "plan-mba", "plan", _v("MBA"), _v("teacher training"),
        "I'm applying to do an MBA next year.",
        "Sat an admissions test for the MBA on Saturday.",
        "I scrapped the MBA idea." + TURN + "Teacher training is what I've signed up for.",
        ("What am I planning to study now?", "What course have I signed up for these days?"),
        "What did I plan to study before?",
    ),
    Script(
        "plan-half", "plan", _v("half marathon"), _v("bike ride"),
        "I'm training for the Bristol half marathon in October.",
        "My friend switched from the marathon to an ultra; I'm still training for the half marathon.",
        "The half marathon is off because of my ankle. I've entered a charity bike ride to Brighton instead.",
        ("What event am I training for now?", "What's my big challenge these days?"),
        "What was I training for before?",
        gap_days=GUARD_GAP,
    ),
    # ---- tastes ----
    Script(
        "pref-metal", "music", _v("heavy metal"), _v("jazz"),
        "Heavy metal is all I listen to.",
        "Got a heavy metal riff stuck in my head all day.",
        "Somewhere along the way I fell for jazz; the metal records are in the attic.",
        ("What music do I listen to now?", "What's my music these days?"), "What music did I listen to before?",
    ),
    Script(
        "pref-fantasy", "books", _v("fantasy"), _v("biographies", "biography"),
        "I read fantasy novels, the thicker the better.",
        "Finished a nine-hundred-page fantasy epic on the train.",
        "I burned out on fantasy novels. Biographies are all I read now.",
        ("What do I read now?", "What books am I into these days?"), "What did I read before?",
    ),
    Script(
        "pref-sushi", "food", _v("sushi"), _v("Ethiopian"),
        "Sushi is my favourite food.",
        "My brother swore off pizza for curry; I had sushi for lunch.",
        "Ethiopian food has knocked sushi off the top spot since the place on our street opened.",
        ("What's my favourite food now?", "What food do I love most these days?"),
        "What was my favourite food before?",
        gap_days=GUARD_GAP,
    ),
    # ---- things one has ----
    Script(
        "own-phone", "phone", _v("iPhone"), _v("Pixel"),
        "I've had an iPhone for years.",
        "My iPhone autocorrected my boss's name to something rude.",
        "My iPhone slid out of my pocket on a ride and smashed. I bought a Pixel to replace it.",
        ("What phone do I have now?", "Which phone do I use these days?"), "What phone did I have before?",
    ),
    Script(
        "own-panda", "car", _v("Panda"), _v("camper van", "campervan"),
        "I drive a little Fiat Panda.",
        "The Panda's heater only blows cold air.",
        "We sold the Panda to a student. A camper van sits on our drive now.",
        ("What vehicle do I have now?", "What do I drive these days?"), "What car did I have before?",
    ),
    Script(
        "own-gym", "gym", _v("Iron House"), _v("leisure centre"),
        "My gym is Iron House, the old boxing gym by the station.",
        "Iron House put the membership up again.",
        "Iron House shut its doors in July. I swim at the leisure centre instead.",
        ("Where do I work out now?", "Which gym do I use these days?"), "Which gym did I use before?",
    ),
]

# small talk of this set's own (none of it says anything lasting about the user, none names a value above)
DISTRACTORS: list[tuple[str, str]] = [
    ("How long does light from the Sun take to reach us?", "About eight minutes."),
    ("The kettle's limescale is out of control.", "A boil with vinegar sorts it."),
    ("Which bird lays the biggest egg?", "The ostrich."),
    ("A seagull stole a chip right out of my hand on the pier.", "They're shameless."),
    ("Why do bubbles come out round?", "Surface tension pulls them into the smallest shape."),
    ("The car park barrier wouldn't lift this morning.", "Those barriers have moods."),
    ("How many bones are in an adult human body?", "Two hundred and six."),
    ("My shoelace snapped on the doorstep.", "Spare laces in the drawer, hopefully."),
    ("Who composed the Four Seasons?", "Vivaldi."),
    ("A line of ducks crossed the lane in front of me.", "Priority to the ducks."),
    ("Can a snail really sleep for three years?", "Some species can, in a drought."),
    ("The self-checkout said unexpected item in the bagging area again.", "It always does."),
    ("How many squares are on a Rubik's cube face?", "Nine."),
    ("I found a tenner in an old coat pocket.", "Best feeling."),
    ("Why does a cut apple go brown?", "An enzyme reacts with the air."),
    ("The neighbour's wind chime kept me up.", "Maybe a polite word over the fence."),
    ("How far away is the Moon?", "About 384,000 kilometres."),
    ("My umbrella turned inside out in the wind.", "The wind wins again."),
    ("Which metal is liquid at room temperature?", "Mercury."),
    ("The postbox on our road got repainted.", "Bright red again."),
    ("What year did the Berlin Wall fall?", "1989."),
    ("The toaster set off the smoke alarm.", "Time for a new toaster."),
]
CLOSERS = ["Got it.", "Fair enough.", "Oh, lovely.", "Cheers for the update.", "Well I never!"]


def build_unseen7(n: int = 44, seed: int = 12, closing_pages: int = 7) -> list[Dialogue]:
    """The first n scripts as dialogues (dates and small talk drawn from `seed`), in `_update_suite`'s format."""
    return [
        split_turns(d, TURN, FIRST_TURN_REPLY)
        for d in build_from_scripts(SCRIPTS, DISTRACTORS, CLOSERS, n, seed, closing_pages)
    ]
