"""A third phrasing set for the knowledge-update suite ("fresh"): casual, indirect wordings of the same statements,
mentions and changes, and other wordings of the questions.

Written in one go before the embedding attribute reader (memoryos.providers.attribute_reader) was ever run on it,
without looking at the held-out set, and never adapted afterwards: a third check that a reader generalises. Unlike
the held-out set it also rewords the questions, so the question side of retrieval is tested on wording it was not
written against either. Placeholders as in _update_suite: {v} the value, {old} the old value, and the extras.
"""

from __future__ import annotations

# attribute → (state, repeat, change, current questions, past questions)
FRESH: dict[str, tuple[list[str], list[str], list[str], list[str], list[str]]] = {
    "residence": (
        [
            "Rent in {v} is brutal, but I love my neighbourhood here.",
            "Been a {v} resident since college, can't picture living anywhere else.",
            "Our apartment here in {v} gets great light in the mornings.",
            "So I'm based in {v}, for context.",
        ],
        ["The tram strike in {v} made me late again.", "Grabbed coffee at my usual spot around the corner in {v}."],
        [
            "Signed the lease on a place in {v}, moving day was Saturday.",
            "We packed up everything and we're {v} people now.",
            "New address: {v}. Still getting lost on the way to the supermarket.",
            "After years there I've left {old} behind, {v} is home now.",
        ],
        ["What city am I in these days?", "Where is the user based now?", "Where's my home at the moment?"],
        ["Which city was I in before the move?", "Where was I based previously?", "Where did the user reside before?"],
    ),
    "employer": (
        [
            "I'm on the {role} team over at {v}.",
            "Payday at {v} can't come soon enough.",
            "{v} hired me as a {role} a couple of years back.",
            "Currently employed by {v}, mostly doing {role} stuff.",
        ],
        ["The quarterly all-hands at {v} dragged on forever.", "Someone at {v} microwaved fish in the office again."],
        [
            "Handed in my notice at {old}; my first day at {v} is behind me now.",
            "{v} made me an offer I couldn't refuse, so I'm with them now.",
            "This was my first week on the payroll at {v}.",
            "Goodbye {old}, hello {v}! Picked up my badge and laptop this morning.",
        ],
        ["Who do I work for these days?", "Which company employs the user now?", "Where's my job at the moment?"],
        ["Which company did I leave?", "Who did I work for previously?", "Where was the user employed before?"],
    ),
    "age": (
        [
            "Just so you know, I'm {v}.",
            "There were {v} candles on my last cake and I blew them all out in one go.",
            "As a {v}-year-old I should probably know how to do taxes by now.",
            "My driving licence says I'm {v}, though I feel about twenty.",
        ],
        ["My knees feel older than {v} after that hike."],
        [
            "Officially hit {v} yesterday, the party was great.",
            "Another year older: {v} as of this morning.",
            "The big {v}! My friends threw me a surprise dinner.",
            "Can't believe I'm {v} already, my birthday was on Sunday.",
        ],
        ["What age am I?", "How old is the user at the moment?", "How many years old am I now?"],
        ["What age was I before my birthday?", "How old was the user previously?", "What age did I say I was earlier?"],
    ),
    "relationship": (
        [
            "{p} and I have been going out since the summer.",
            "Date night with {p}, my girlfriend, is the highlight of my week.",
            "I'm in a relationship with {p}, it's still pretty new.",
            "My boyfriend {p} cooked for me last night, four months of dating already.",
        ],
        ["{p}, my partner, says hi by the way."],
        [
            "{p} got down on one knee at the beach and I said yes, we're engaged!",
            "There's a ring on my finger now, {p} and I are officially engaged.",
            "Guess who's getting married? {p} proposed over dinner, so I'm engaged.",
            "{p} is my fiancé now, it still feels surreal.",
        ],
        ["Where do {p} and I stand now?", "Is the user engaged or dating?", "What's my status with {p} at the moment?"],
        [
            "What was I with {p} before the proposal?",
            "How were {p} and I doing previously?",
            "What was the user's relationship status earlier?",
        ],
    ),
    "pet": (
        [
            "Came home to find {v} the {kind_a} asleep on my laptop again.",
            "There's a {kind_a} in my life called {v}, and he runs the house.",
            "Vet bills for {v}, my {kind_a}, are adding up.",
            "We got {v} from the shelter, a tiny {kind_a}.",
        ],
        ["{v} knocked a glass off the table again."],
        [
            "We lost {old} last month; a {kind_b} named {v} has joined us since.",
            "{old} went to live with my parents on their farm, and {v}, a {kind_b}, moved in with me.",
            "Say hello to {v}, the {kind_b} I adopted after {old} died.",
            "Our home has a new {kind_b} now, {v}, since {old} is no longer with us.",
        ],
        ["Which pet lives with me at the moment?", "What is my pet's name now?", "What animal does the user have?"],
        ["What was my previous pet called?", "Which pet did I have earlier?", "What animal did the user have before?"],
    ),
    "trip": (
        [
            "Counting down to {place}, we fly out in {v}.",
            "{place} in {v}, that's the plan, the hotel's booked.",
            "Took a week off in {v} for {place}.",
            "My {v} holiday will be in {place}.",
        ],
        ["Bought a guidebook for the {place} trip in {v}."],
        [
            "Work got in the way, {place} is now pushed back to {v}.",
            "The airline cancelled, so {place} happens in {v} instead.",
            "We moved the {place} holiday, the new dates are in {v}.",
            "{place} won't be in {old} after all, we rescheduled for {v}.",
        ],
        ["What month is the {place} trip now?", "When am I travelling to {place}?", "When is the user off to {place}?"],
        [
            "When was {place} planned for before?",
            "What month did I originally pick for {place}?",
            "When was the {place} trip scheduled earlier?",
        ],
    ),
    "favourite_food": (
        [
            "Honestly {v} is my comfort food, always has been.",
            "Whenever I get to pick the restaurant, it's {v}.",
            "I'm a total {v} addict.",
            "Ask anyone, I go crazy for {v}.",
        ],
        ["Ordered {v} for lunch, as usual."],
        [
            "My taste changed, I'd pick {v} over anything these days.",
            "Lately I'm obsessed with {v}, it's replaced {old} as my top food.",
            "{v} has become my number one dish.",
            "Not into {old} anymore, {v} is what I crave now.",
        ],
        ["Which food do I love most these days?", "What's my top dish now?", "What food does the user crave lately?"],
        [
            "Which dish did I love previously?",
            "What was the user's favourite food earlier?",
            "What did I like eating most before?",
        ],
    ),
    "drink": (
        [
            "First thing every morning, I pour myself a {v}.",
            "A mug of {v} is how my day starts.",
            "I'm a big {v} drinker, several a day.",
            "Whenever I'm at a café, it's always a {v} for me.",
        ],
        ["Spilled my {v} on the keyboard, oops."],
        [
            "Cut out {old} completely, nowadays I drink {v}.",
            "{v} has taken over my mornings.",
            "I'm a {v} person now, {old} was making me jittery.",
            "Swapped my morning {old} for {v}.",
        ],
        ["What's my morning drink these days?", "What does the user drink now?", "Which drink do I have daily now?"],
        ["What did I drink before?", "What was my morning drink previously?", "Which drink did the user have earlier?"],
    ),
    "occupation": (
        [
            "Being a {v}, my shifts are all over the place.",
            "I earn a living as a {v}.",
            "My days are spent working as a {v}.",
            "By trade I'm a {v}.",
        ],
        ["Long day as a {v}, I'm wiped."],
        [
            "Left {old} work behind, I'm now employed as a {v}.",
            "Career switch done: these days I earn my living as a {v}.",
            "Finished the course and got hired as a {v}.",
            "No more {old} jobs for me, I'm a {v} now.",
        ],
        ["What do I do for work now?", "What is the user's job these days?", "What's my line of work at the moment?"],
        ["What did I do for work before?", "What was the user's job previously?", "What was my line of work earlier?"],
    ),
    "car": (
        [
            "My daily ride is a {v}.",
            "Got my {v} serviced, it's running like new.",
            "I get around in a {v}.",
            "The {v} I own has over 100k miles on it.",
        ],
        ["Filled up the {v} on the way home."],
        [
            "Traded in the {old}; there's a {v} in my driveway now.",
            "Picked up the keys to my {v} today, the old car went to a dealer.",
            "I'm behind the wheel of a {v} these days.",
            "Bye {old}, my new ride is a {v}.",
        ],
        ["What am I driving these days?", "Which car is the user's now?", "What's my ride at the moment?"],
        ["What did I drive previously?", "Which car did the user have before?", "What was my ride earlier?"],
    ),
    "sport": (
        [
            "Three times a week you'll find me at {v} practice.",
            "I'm pretty competitive at {v}, been at it for years.",
            "Weekends are for {v}, rain or shine.",
            "Training for {v} takes up most of my evenings.",
        ],
        ["My {v} coach was tough on us today."],
        [
            "Hung up my {old} gear, I'm into {v} now.",
            "{v} is my sport these days, I don't do {old} anymore.",
            "My knee made me stop {old}, so I've picked up {v}.",
            "Joined a {v} team this season and dropped {old}.",
        ],
        ["What sport am I into these days?", "Which sport does the user play now?", "What sport do I practise now?"],
        ["What sport did I do previously?", "Which sport did the user play before?", "Which sport was I into before?"],
    ),
}
